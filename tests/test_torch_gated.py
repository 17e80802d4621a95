"""The numpy LSTM and GRU against torch.nn.LSTM / torch.nn.GRU (textbook_rnn.torch_nn.gated)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from problems import gru_problem, lstm_problem, randomise_biases
from textbook_rnn import gated
from textbook_rnn.torch_nn.gated import gru_from_torch, gru_to_torch, lstm_from_torch, lstm_to_torch

torch.set_num_threads(1)

SHAPES = [  # N, T, D, H
    (3, 5, 4, 6),
    (1, 1, 1, 1),
    (1, 4, 3, 2),
    (2, 1, 2, 3),
    (4, 6, 5, 1),
    (2, 3, 7, 4),
]


def split(tensor_grad, order, H, prefix):
    g = tensor_grad.numpy()
    return {f"{prefix}_{k}": g[n * H:(n + 1) * H] for n, k in enumerate(order)}


def lstm_case(N, T, D, H, seed):
    """numpy and torch.nn.LSTM gradients of loss = Σ R ⊙ h + Σ Q ⊙ s_T."""
    p, x, h0, s0, R, Q = lstm_problem(N, T, D, H, seed=seed)
    h, cache = gated.lstm_forward(x, h0, s0, p)
    dx, dh0, ds0, grads = gated.lstm_backward(R, cache, ds_last=Q)
    ours = {"h": h, "s_T": cache["s_last"], "dx": dx, "dh0": dh0, "ds0": ds0, **grads}

    net = lstm_to_torch(p)
    tx, th0, ts0 = (torch.tensor(a, requires_grad=True) for a in (x, h0, s0))
    out, (hT, sT) = net(tx, (th0[None], ts0[None]))
    ((torch.tensor(R) * out).sum() + (torch.tensor(Q) * sT[0]).sum()).backward()
    ref = {"h": out.detach().numpy(), "s_T": sT[0].detach().numpy(), "dx": tx.grad.numpy(),
           "dh0": th0.grad.numpy(), "ds0": ts0.grad.numpy()}
    order = ("i", "f", "g", "o")
    ref.update(split(net.weight_ih_l0.grad, order, H, "dU"))
    ref.update(split(net.weight_hh_l0.grad, order, H, "dW"))
    ref.update(split(net.bias_ih_l0.grad, order, H, "db"))
    # torch's second bias enters exactly like the first: same gradient
    np.testing.assert_allclose(net.bias_hh_l0.grad.numpy(), net.bias_ih_l0.grad.numpy(),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(hT[0].detach().numpy(), h[:, -1], rtol=0, atol=1e-12)
    return ours, ref


def gru_case(N, T, D, H, seed):
    """numpy (reset_after=True) and torch.nn.GRU gradients of loss = Σ R ⊙ h."""
    p, x, h0, R = gru_problem(N, T, D, H, seed=seed, reset_after=True)
    h, cache = gated.gru_forward(x, h0, p, reset_after=True)
    dx, dh0, grads = gated.gru_backward(R, cache)
    ours = {"h": h, "dx": dx, "dh0": dh0, **grads}

    net = gru_to_torch(p)
    tx, th0 = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    out, _ = net(tx, th0[None])
    (torch.tensor(R) * out).sum().backward()
    ref = {"h": out.detach().numpy(), "dx": tx.grad.numpy(), "dh0": th0.grad.numpy()}
    order = ("r", "u", "h")
    ref.update(split(net.weight_ih_l0.grad, order, H, "dU"))
    ref.update(split(net.weight_hh_l0.grad, order, H, "dW"))
    ref.update(split(net.bias_ih_l0.grad, order, H, "db"))
    hh = split(net.bias_hh_l0.grad, order, H, "db")
    ref["db_hn"] = hh.pop("db_h")
    for k, v in hh.items():  # the gates' two biases have the same gradient
        np.testing.assert_allclose(v, ref[k], rtol=0, atol=1e-12)
    return ours, ref


def max_error(ours, ref):
    assert set(ours) == set(ref)
    for k in ref:
        assert ours[k].shape == ref[k].shape, k
    return max(float(np.abs(ours[k] - ref[k]).max()) for k in ref)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lstm_outputs_and_every_gradient_match_torch_nn(shape):
    ours, ref = lstm_case(*shape, seed=sum(shape))
    assert max_error(ours, ref) < 1e-10


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gru_outputs_and_every_gradient_match_torch_nn(shape):
    ours, ref = gru_case(*shape, seed=sum(shape))
    assert max_error(ours, ref) < 1e-10


@settings(max_examples=15, deadline=None)
@given(N=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 5), H=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_random_shapes_match_torch_nn(N, T, D, H, seed):
    assert max_error(*lstm_case(N, T, D, H, seed)) < 1e-10
    assert max_error(*gru_case(N, T, D, H, seed)) < 1e-10


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (5, 2)])
def test_round_trips_are_exact(shape):
    D, H = shape
    p = randomise_biases(gated.lstm_init(D, H, seed=1), np.random.default_rng(1))
    back = lstm_from_torch(lstm_to_torch(p))
    assert list(back) == list(p)
    for k in p:
        np.testing.assert_array_equal(back[k], p[k], err_msg=k)
        assert back[k].dtype == np.float64
    q = randomise_biases(gated.gru_init(D, H, seed=2, reset_after=True), np.random.default_rng(2))
    back = gru_from_torch(gru_to_torch(q))
    assert list(back) == list(q)
    for k in q:
        np.testing.assert_array_equal(back[k], q[k], err_msg=k)


def test_torch_layout():
    p = randomise_biases(gated.lstm_init(2, 3, seed=0), np.random.default_rng(0))
    net = lstm_to_torch(p)
    assert net.batch_first and net.num_layers == 1 and not net.bidirectional
    assert net.weight_ih_l0.dtype == torch.float64
    np.testing.assert_array_equal(net.weight_ih_l0.detach()[3:6].numpy(), p["U_f"])
    np.testing.assert_array_equal(net.bias_ih_l0.detach()[6:9].numpy(), p["b_g"])
    assert not net.bias_hh_l0.detach().any()
    q = randomise_biases(gated.gru_init(2, 3, seed=0, reset_after=True), np.random.default_rng(0))
    net = gru_to_torch(q)
    np.testing.assert_array_equal(net.weight_hh_l0.detach()[3:6].numpy(), q["W_u"])  # z block
    np.testing.assert_array_equal(net.bias_hh_l0.detach()[6:9].numpy(), q["b_hn"])
    assert not net.bias_hh_l0.detach()[:6].any()


def test_from_torch_of_modules_trained_in_torch():
    """Default torch modules have both biases nonzero; the book's cells reproduce them."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
        gru = torch.nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    p = lstm_from_torch(lstm)
    np.testing.assert_array_equal(
        p["b_o"], (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()[12:16])
    with torch.no_grad():
        ref_lstm = lstm(torch.from_numpy(x))[0].numpy()
        ref_gru = gru(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(gated.lstm_forward(x, None, None, p)[0], ref_lstm, atol=1e-12)
    q = gru_from_torch(gru)
    np.testing.assert_allclose(gated.gru_forward(x, None, q, reset_after=True)[0], ref_gru,
                               atol=1e-12)
    # the reset-before reading of the same weights is a different network
    no_hn = {k: v for k, v in q.items() if k != "b_hn"}
    assert np.abs(gated.gru_forward(x, None, no_hn)[0] - ref_gru).max() > 1e-3


def test_modules_without_biases_and_float32():
    p = lstm_from_torch(torch.nn.LSTM(2, 3, bias=False))
    assert p["b_f"].shape == (3,) and not p["b_f"].any() and p["U_f"].dtype == np.float32
    q = gru_from_torch(torch.nn.GRU(2, 3, bias=False))
    assert not q["b_hn"].any() and not q["b_h"].any()
    p64 = randomise_biases(gated.lstm_init(3, 4), np.random.default_rng(0))
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    net = lstm_to_torch(p32, dtype=torch.float32)
    assert net.weight_hh_l0.dtype == torch.float32
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(gated.lstm_forward(x, None, None, p32)[0], ref, atol=1e-6)


def test_building_modules_leaves_the_global_generator_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    lstm_to_torch(gated.lstm_init(2, 3))
    gru_to_torch(gated.gru_init(2, 3, reset_after=True))
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_converting_does_not_share_memory():
    p = gated.lstm_init(2, 3)
    U = p["U_i"].copy()
    net = lstm_to_torch(p)
    with torch.no_grad():
        net.weight_ih_l0.add_(1.0)
    np.testing.assert_array_equal(p["U_i"], U)
    back = lstm_from_torch(net)
    back["U_i"] += 1.0
    np.testing.assert_array_equal(net.weight_ih_l0.detach().numpy()[:3], U + 1.0)


def test_what_torch_cannot_hold_is_refused():
    with pytest.raises(ValueError, match="peephole.*no torch equivalent"):
        lstm_to_torch(gated.lstm_init(2, 3, peepholes=True))
    with pytest.raises(ValueError, match="^params is missing b_hn.*reset_after=True"):
        gru_to_torch(gated.gru_init(2, 3))


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: lstm_to_torch([1]), TypeError, "^params must be a dict"),
        (lambda: lstm_to_torch({**gated.lstm_init(2, 3), "U_o": np.zeros((3, 3))}), ValueError,
         r"^U_o must have shape \(H, D\) = \(3, 2\)"),
        (lambda: lstm_to_torch({k: v for k, v in gated.lstm_init(2, 3).items() if k != "b_i"}),
         ValueError, "^params is missing b_i$"),
        (lambda: lstm_to_torch(gated.lstm_init(2, 3), dtype=np.float64), TypeError, "^dtype"),
        (lambda: gru_to_torch({**gated.gru_init(2, 3, reset_after=True), "b_hn": np.zeros(2)}),
         ValueError, r"^b_hn must have shape \(H,\) = \(3,\)"),
        (lambda: gru_to_torch(gated.gru_init(2, 3, reset_after=True), dtype=torch.int32),
         TypeError, "^dtype"),
        (lambda: lstm_from_torch(torch.nn.GRU(2, 3)), TypeError,
         "^lstm must be a torch.nn.LSTM, got GRU"),
        (lambda: gru_from_torch(torch.nn.LSTM(2, 3)), TypeError, "^gru must be a torch.nn.GRU"),
        (lambda: lstm_from_torch(torch.nn.LSTM(2, 3, num_layers=2)), ValueError, "one layer"),
        (lambda: gru_from_torch(torch.nn.GRU(2, 3, bidirectional=True)), ValueError, "one layer"),
        (lambda: lstm_from_torch(torch.nn.LSTM(2, 3, proj_size=2)), ValueError, "proj_size"),
    ],
)
def test_bad_arguments_get_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
