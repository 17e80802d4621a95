"""Tests of textbook_rnn.torch_nn.rnn: the book's parameters in torch.nn and back."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import rnn
from textbook_rnn.torch_nn.rnn import rnn_from_torch, rnn_to_torch, torch_rnn_sequence

torch.set_num_threads(1)

KEYS = ("U", "W", "b", "V", "c")


def params_with_biases(D, H, K, seed=0):
    p = rnn.init_params(D, H, K, seed=seed)
    rng = np.random.default_rng(seed + 100)
    p["b"] = rng.normal(size=H)
    p["c"] = rng.normal(size=K)
    return p


def test_parameter_names_and_values():
    p = params_with_biases(3, 4, 2)
    net, lin = rnn_to_torch(p)
    assert isinstance(net, torch.nn.RNN) and isinstance(lin, torch.nn.Linear)
    assert net.batch_first and net.nonlinearity == "tanh" and net.num_layers == 1
    assert (net.input_size, net.hidden_size, lin.out_features) == (3, 4, 2)
    expected = {"weight_ih_l0": p["U"], "weight_hh_l0": p["W"], "bias_ih_l0": p["b"],
                "bias_hh_l0": np.zeros(4)}
    for name, value in expected.items():
        tensor = getattr(net, name)
        assert tensor.dtype == torch.float64
        np.testing.assert_array_equal(tensor.detach().numpy(), value)
    np.testing.assert_array_equal(lin.weight.detach().numpy(), p["V"])
    np.testing.assert_array_equal(lin.bias.detach().numpy(), p["c"])


def test_modules_do_not_share_memory_with_the_arrays():
    p = params_with_biases(2, 2, 2)
    U = p["U"].copy()
    net, _ = rnn_to_torch(p)
    with torch.no_grad():
        net.weight_ih_l0.add_(1.0)
    np.testing.assert_array_equal(p["U"], U)
    back = rnn_from_torch(net, rnn_to_torch(p)[1])
    back["U"] += 1.0
    np.testing.assert_array_equal(net.weight_ih_l0.detach().numpy(), U + 1.0)


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 2), (5, 2, 6)])
def test_round_trip(shape):
    p = params_with_biases(*shape)
    back = rnn_from_torch(*rnn_to_torch(p))
    assert set(back) == set(KEYS)
    for k in KEYS:
        np.testing.assert_array_equal(back[k], p[k])
        assert back[k].dtype == np.float64


def test_from_torch_sums_the_two_hidden_biases():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = torch.nn.RNN(3, 4, batch_first=True, dtype=torch.float64)
        lin = torch.nn.Linear(4, 2, dtype=torch.float64)
    p = rnn_from_torch(net, lin)
    np.testing.assert_allclose(
        p["b"], (net.bias_ih_l0 + net.bias_hh_l0).detach().numpy(), rtol=0, atol=0
    )
    # and the book's forward pass with these parameters reproduces torch's
    x = np.random.default_rng(1).normal(size=(2, 5, 3))
    h, o = rnn.rnn_sequence(x, p)
    with torch.no_grad():
        th, _ = net(torch.from_numpy(x))
        to = lin(th)
    np.testing.assert_allclose(h, th.numpy(), atol=1e-12)
    np.testing.assert_allclose(o, to.numpy(), atol=1e-12)


def test_modules_without_biases():
    net = torch.nn.RNN(2, 3, bias=False, batch_first=True)
    lin = torch.nn.Linear(3, 4, bias=False)
    p = rnn_from_torch(net, lin)
    assert p["b"].shape == (3,) and not p["b"].any()
    assert p["c"].shape == (4,) and not p["c"].any()
    assert p["U"].dtype == np.float32


@pytest.mark.parametrize("NTDHK", [(1, 1, 1, 1, 1), (2, 5, 3, 4, 2), (3, 2, 6, 2, 5)])
def test_parity_with_numpy(NTDHK):
    N, T, D, H, K = NTDHK
    p = params_with_biases(D, H, K, seed=T)
    rng = np.random.default_rng(N)
    x = rng.normal(size=(N, T, D))
    h0 = rng.uniform(-1, 1, (N, H))
    h, o = rnn.rnn_sequence(x, p, h0)
    th, to = torch_rnn_sequence(x, p, h0)
    np.testing.assert_allclose(th, h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(to, o, rtol=0, atol=1e-12)
    th0, _ = torch_rnn_sequence(x, p)
    np.testing.assert_allclose(th0, rnn.rnn_sequence(x, p)[0], rtol=0, atol=1e-12)


def test_float32():
    p = {k: v.astype(np.float32) for k, v in params_with_biases(3, 4, 2).items()}
    net, lin = rnn_to_torch(p, dtype=torch.float32)
    assert net.weight_hh_l0.dtype == torch.float32 and lin.weight.dtype == torch.float32
    x = np.random.default_rng(0).normal(size=(2, 3, 3)).astype(np.float32)
    th, to = torch_rnn_sequence(x, p)
    assert th.dtype == to.dtype == np.float32
    h, o = rnn.rnn_sequence(x, p)
    np.testing.assert_allclose(th, h, atol=1e-5)
    np.testing.assert_allclose(to, o, atol=1e-5)


def test_building_modules_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    rnn_to_torch(params_with_biases(3, 4, 2))
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_gradients_flow_in_the_modules():
    net, lin = rnn_to_torch(params_with_biases(2, 3, 2))
    x = torch.randn(1, 4, 2, dtype=torch.float64)
    h, _ = net(x)
    lin(h).sum().backward()
    assert net.weight_hh_l0.grad is not None and lin.weight.grad is not None


@pytest.mark.parametrize(
    "change, exc, text",
    [
        (lambda p: [p["U"]], TypeError, "^params must be a dict"),
        (lambda p: {k: p[k] for k in ("U", "W", "b")}, ValueError, "^params is missing V, c"),
        (lambda p: {**p, "U": p["U"].T}, ValueError, r"^U must have shape \(H, D\)"),
        (lambda p: {**p, "b": np.zeros(5)}, ValueError, "^b must have shape"),
        (lambda p: {**p, "V": np.zeros((2, 5))}, ValueError, "^V must have shape"),
        (lambda p: {**p, "c": None}, TypeError, "^c must be an array"),
        (lambda p: {**p, "W": "W"}, TypeError, "^W must hold real numbers"),
    ],
)
def test_to_torch_rejects_bad_params(change, exc, text):
    with pytest.raises(exc, match=text):
        rnn_to_torch(change(params_with_biases(3, 4, 2)))


def test_to_torch_rejects_a_non_float_dtype():
    with pytest.raises(TypeError, match="^dtype"):
        rnn_to_torch(params_with_biases(1, 1, 1), dtype=torch.int64)
    with pytest.raises(TypeError, match="^dtype"):
        rnn_to_torch(params_with_biases(1, 1, 1), dtype=np.float64)


def test_from_torch_rejects_other_modules():
    lin = torch.nn.Linear(3, 2)
    with pytest.raises(TypeError, match="^rnn must be a torch.nn.RNN"):
        rnn_from_torch(torch.nn.GRU(2, 3), lin)
    with pytest.raises(TypeError, match="^linear must be a torch.nn.Linear"):
        rnn_from_torch(torch.nn.RNN(2, 3), torch.nn.Identity())
    with pytest.raises(ValueError, match="one layer"):
        rnn_from_torch(torch.nn.RNN(2, 3, num_layers=2), lin)
    with pytest.raises(ValueError, match="one layer"):
        rnn_from_torch(torch.nn.RNN(2, 3, bidirectional=True), lin)
    with pytest.raises(ValueError, match="tanh"):
        rnn_from_torch(torch.nn.RNN(2, 3, nonlinearity="relu"), lin)
    with pytest.raises(ValueError, match=r"^linear.weight must have shape \(K, H\)"):
        rnn_from_torch(torch.nn.RNN(2, 4), lin)


def test_sequence_argument_errors():
    p = params_with_biases(3, 4, 2)
    expected = r"^x must have shape \(N, T, D\) = \(2, 5, 3\), got shape \(2, 5, 4\)"
    with pytest.raises(ValueError, match=expected):
        torch_rnn_sequence(np.zeros((2, 5, 4)), p)
    with pytest.raises(ValueError, match="^h0"):
        torch_rnn_sequence(np.zeros((2, 5, 3)), p, np.zeros((2, 3)))
