"""BPTT (textbook_rnn.bptt) against finite differences and torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from problems import rnn_problem, torch_rnn_autograd
from textbook_rnn import bptt
from textbook_rnn.gradcheck import numerical_gradient, relative_error
from textbook_rnn.rnn import rnn_forward, rnn_step_forward

torch.set_num_threads(1)

SHAPES = [  # N, T, D, H, K
    (3, 5, 4, 6, 7),
    (1, 1, 1, 1, 2),
    (1, 4, 3, 1, 3),
    (2, 1, 2, 3, 4),
    (4, 7, 2, 5, 3),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gradients_match_torch_autograd(shape):
    p, x, y, h0 = rnn_problem(*shape)
    loss, grads = bptt.rnn_loss_and_grads(x, y, p, h0)
    ref_loss, ref, _ = torch_rnn_autograd(p, x, y, h0)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert set(grads) == {"dU", "dW", "db", "dV", "dc", "dh0"}
    for name, value in ref.items():
        assert grads[name].shape == value.shape
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("shape", SHAPES[:4], ids=str)
def test_gradients_match_finite_differences(shape):
    p, x, y, h0 = rnn_problem(*shape, seed=3)
    _, grads = bptt.rnn_loss_and_grads(x, y, p, h0)
    for name in p:
        def loss_of(v, name=name):
            return bptt.rnn_loss_and_grads(x, y, {**p, name: v}, h0)[0]

        err = relative_error(grads[f"d{name}"], numerical_gradient(loss_of, p[name]))
        assert err < 1e-7, f"d{name}: relative error {err:.2e}"
    err = relative_error(
        grads["dh0"], numerical_gradient(lambda v: bptt.rnn_loss_and_grads(x, y, p, v)[0], h0)
    )
    assert err < 1e-7


def test_step_backward_against_finite_differences():
    rng = np.random.default_rng(5)
    N, D, H = 3, 4, 5
    x_t, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    U, W, b = rng.normal(size=(H, D)), rng.normal(size=(H, H)) * 0.5, rng.normal(size=H)
    dh = rng.normal(size=(N, H))  # the loss is sum(dh * h_t)
    h_t, cache = rnn_step_forward(x_t, h_prev, U, W, b)
    dx_t, dh_prev, dU, dW, db = bptt.rnn_step_backward(dh, cache)  # forward-argument order
    args = {"x_t": x_t, "h_prev": h_prev, "U": U, "W": W, "b": b}
    got = {"x_t": dx_t, "h_prev": dh_prev, "U": dU, "W": dW, "b": db}
    for name in args:
        def loss_of(v, name=name):
            return float(np.sum(dh * rnn_step_forward(**{**args, name: v})[0]))

        assert relative_error(got[name], numerical_gradient(loss_of, args[name])) < 1e-8, name


def test_nll_backward_is_softmax_minus_onehot_over_n():
    o = np.array([[[0.0, np.log(3.0)]], [[2.0, 2.0]]])  # N=2, T=1, K=2
    y = np.array([[1], [0]])
    do = bptt.sequence_nll_backward(o, y)
    expected = np.array([[[0.25, 0.75 - 1.0]], [[0.5 - 1.0, 0.5]]]) / 2
    np.testing.assert_allclose(do, expected, atol=1e-15)


@pytest.mark.parametrize("k", [5, 6, 100])
def test_truncation_at_least_T_is_full_bptt_exactly(k):
    p, x, y, h0 = rnn_problem(3, 5, 4, 6, 7)
    loss, grads = bptt.rnn_loss_and_grads(x, y, p, h0)
    t_loss, t_grads, _ = bptt.truncated_bptt(x, y, p, k, h0)
    assert t_loss == loss
    for name in grads:
        assert np.array_equal(grads[name], t_grads[name]), name


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncation_matches_autograd_with_detached_state(k):
    p, x, y, h0 = rnn_problem(2, 7, 3, 4, 5, seed=7)
    loss, grads, h_last = bptt.truncated_bptt(x, y, p, k, h0)
    ref_loss, ref, _ = torch_rnn_autograd(p, x, y, h0, chunk=k)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name, value in ref.items():
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=1e-10, err_msg=name)
    full_loss, full = bptt.rnn_loss_and_grads(x, y, p, h0)
    assert loss == pytest.approx(full_loss, rel=1e-12), "truncation must not change the loss"
    assert relative_error(grads["dW"], full["dW"]) > 1e-6, "truncation must change dW here"
    h, _ = rnn_forward(x, h0, p["U"], p["W"], p["b"])
    np.testing.assert_allclose(h_last, h[:, -1], atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(
    N=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 4),
    H=st.integers(1, 5), K=st.integers(2, 5), seed=st.integers(0, 2**16),
)
def test_random_shapes_match_autograd(N, T, D, H, K, seed):
    p, x, y, h0 = rnn_problem(N, T, D, H, K, seed=seed)
    _, grads = bptt.rnn_loss_and_grads(x, y, p, h0)
    _, ref, _ = torch_rnn_autograd(p, x, y, h0)
    for name, value in ref.items():
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=1e-10, err_msg=name)


def test_default_h0_is_zeros():
    p, x, y, _ = rnn_problem(2, 3, 2, 3, 4)
    a = bptt.rnn_loss_and_grads(x, y, p)
    b = bptt.rnn_loss_and_grads(x, y, p, np.zeros((2, 3)))
    assert a[0] == b[0]


@pytest.mark.parametrize(
    "change, error, words",
    [
        (lambda p, x, y: ({**p, "W": p["W"][:, :2]}, x, y), ValueError, ["W", "(H, H)"]),
        (lambda p, x, y: ({k: v for k, v in p.items() if k != "V"}, x, y), ValueError, ["V"]),
        (lambda p, x, y: (p, x[0], y), ValueError, ["x", "(N, T, D)"]),
        (lambda p, x, y: (p, x, y.astype(float)), TypeError, ["y", "integer"]),
        (lambda p, x, y: (p, x, y + 100), ValueError, ["y"]),
        (lambda p, x, y: (list(p.values()), x, y), TypeError, ["params"]),
    ],
)
def test_bad_input_gets_a_clear_error(change, error, words):
    p, x, y, _ = rnn_problem(2, 3, 2, 3, 4)
    p2, x2, y2 = change(p, x, y)
    with pytest.raises(error) as info:
        bptt.rnn_loss_and_grads(x2, y2, p2)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_truncation_length_must_be_a_positive_int(k):
    p, x, y, _ = rnn_problem(2, 3, 2, 3, 4)
    with pytest.raises((TypeError, ValueError), match="k"):
        bptt.truncated_bptt(x, y, p, k)


def test_float32_stays_float32():
    p, x, y, h0 = rnn_problem(2, 3, 2, 3, 4)
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    _, grads = bptt.rnn_loss_and_grads(x.astype(np.float32), y, p32, h0.astype(np.float32))
    assert all(g.dtype == np.float32 for g in grads.values())
