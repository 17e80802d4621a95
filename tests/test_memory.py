"""Tests of textbook_rnn.memory: soft addressing of an external memory (chapter "Explicit memory").

Values worked by hand, gradients against centred finite differences, parity
with torch autograd (the same equations in textbook_rnn.torch_nn.ntm),
properties over random shapes, and clear errors for malformed input.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import memory as m
from textbook_rnn.gradcheck import numerical_gradient, relative_error


def _inputs(seed=0, N=2, R=6, C=3, S=1):
    rng = np.random.default_rng(seed)
    return dict(
        M=rng.normal(size=(N, R, C)), w_prev=rng.dirichlet(np.ones(R), N),
        k=rng.normal(size=(N, C)), beta=rng.uniform(0.5, 3, N), g=rng.uniform(0.1, 0.9, N),
        s=rng.dirichlet(np.ones(2 * S + 1), N), gamma=rng.uniform(1, 3, N),
        e=rng.uniform(size=(N, C)), a=rng.normal(size=(N, C)))


# --- values by hand ---------------------------------------------------------


def test_content_weights_by_hand():
    M = np.array([[[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]])
    w, _ = m.content_weights_forward(M, np.array([[2.0, 0.0]]), np.array([1.0]))
    z = np.array([1.0, 0.0, -1.0])  # cosines of the key with the three rows
    np.testing.assert_allclose(w[0], np.exp(z) / np.exp(z).sum(), rtol=1e-7)


def test_content_weights_are_stable_for_a_large_beta_and_give_zero_rows_similarity_zero():
    M = np.array([[[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]]])
    w, _ = m.content_weights_forward(M, np.array([[1.0, 0.0]]), np.array([1e4]))
    np.testing.assert_allclose(w, [[1.0, 0.0, 0.0]], atol=1e-12)
    w, _ = m.content_weights_forward(M, np.zeros((1, 2)), np.array([5.0]))
    np.testing.assert_allclose(w, np.full((1, 3), 1 / 3))  # a zero key: uniform


def test_shift_plus_one_moves_the_focus_down_one_row_circularly():
    w = np.array([[0.0, 0.0, 0.0, 1.0]])
    out, _ = m.shift_forward(w, np.array([[0.0, 0.0, 1.0]]))  # shifts -1, 0, +1
    np.testing.assert_array_equal(out, [[1.0, 0.0, 0.0, 0.0]])
    out, _ = m.shift_forward(w, np.array([[1.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(out, [[0.0, 0.0, 1.0, 0.0]])


def test_sharpen_by_hand_and_gamma_one_changes_nothing():
    w = np.array([[0.2, 0.3, 0.5]])
    out, _ = m.sharpen_forward(w, np.array([2.0]))
    np.testing.assert_allclose(out, [[0.04, 0.09, 0.25]] / np.float64(0.38))
    out, _ = m.sharpen_forward(w, np.array([1.0]))
    np.testing.assert_allclose(out, w)


def test_interpolate_read_and_write_by_hand():
    w_g, _ = m.interpolate_forward(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([0.25]))
    np.testing.assert_allclose(w_g, [[0.25, 0.75]])
    M = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    r, _ = m.read_forward(M, np.array([[0.5, 0.5]]))
    np.testing.assert_allclose(r, [[2.0, 3.0]])
    M_new, _ = m.write_forward(M, np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]),
                               np.array([[5.0, 5.0]]))
    np.testing.assert_allclose(M_new, [[[5.0, 7.0], [3.0, 4.0]]])  # erase x, then add


# --- gradients: finite differences and torch --------------------------------

STEPS = {
    "content_weights": (("M", "k", "beta"), m.content_weights_forward, m.content_weights_backward),
    "interpolate": (("w_c", "w_prev", "g"), m.interpolate_forward, m.interpolate_backward),
    "shift": (("w_g", "s"), m.shift_forward, m.shift_backward),
    "sharpen": (("w_s", "gamma"), m.sharpen_forward, m.sharpen_backward),
    "address": (("M", "w_prev", "k", "beta", "g", "s", "gamma"), m.address_forward,
                m.address_backward),
    "read": (("M", "w"), m.read_forward, m.read_backward),
    "write": (("M", "w", "e", "a"), m.write_forward, m.write_backward),
}


def _args(names, seed=0):
    x = _inputs(seed)
    x["w_c"] = x["w_g"] = x["w_s"] = x["w"] = x["w_prev"][::-1].copy()
    return [x[n].copy() for n in names]


@pytest.mark.parametrize("step", sorted(STEPS))
def test_backward_matches_finite_differences(step):
    names, fwd, bwd = STEPS[step]
    args = _args(names)
    out, cache = fwd(*args)
    dout = np.random.default_rng(1).normal(size=out.shape)
    grads = bwd(dout, cache)
    assert len(grads) == len(args)
    for i, (name, arg) in enumerate(zip(names, args, strict=True)):
        def f(v, i=i):
            a = list(args)
            a[i] = v
            return float((fwd(*a)[0] * dout).sum())
        num = numerical_gradient(f, arg.copy())
        assert grads[i].shape == arg.shape, name
        assert relative_error(grads[i], num) < 1e-6, name


@pytest.mark.parametrize("step", sorted(STEPS))
def test_forward_and_backward_match_torch_autograd(step):
    torch = pytest.importorskip("torch")
    from textbook_rnn.torch_nn import ntm

    names, fwd, bwd = STEPS[step]
    args = _args(names, seed=3)
    out, cache = fwd(*args)
    dout = np.random.default_rng(2).normal(size=out.shape)
    grads = bwd(dout, cache)
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    out_t = getattr(ntm, step)(*ts)
    (out_t * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out_t.detach().numpy(), out, atol=1e-12)
    for name, t, gr in zip(names, ts, grads, strict=True):
        np.testing.assert_allclose(t.grad.numpy(), gr, atol=1e-10, err_msg=name)


def test_content_gradient_at_a_zero_row_is_finite_and_matches_torch():
    torch = pytest.importorskip("torch")
    from textbook_rnn.torch_nn import ntm

    x = _inputs(4)
    x["M"][0, 2] = 0.0
    w, cache = m.content_weights_forward(x["M"], x["k"], x["beta"])
    dw = np.ones_like(w) * np.arange(w.shape[1])
    grads = m.content_weights_backward(dw, cache)
    assert all(np.isfinite(gr).all() for gr in grads)
    ts = [torch.tensor(x[n], requires_grad=True) for n in ("M", "k", "beta")]
    (ntm.content_weights(*ts) * torch.tensor(dw)).sum().backward()
    for t, gr in zip(ts, grads, strict=True):
        np.testing.assert_allclose(t.grad.numpy(), gr, atol=1e-6)


def test_reinforce_is_unbiased_and_the_baseline_lowers_its_variance():
    x = _inputs(5)
    M, target = x["M"][0], np.ones(3)
    z = np.random.default_rng(0).normal(size=6)
    exact, plain = m.hard_read_gradients(M, z, target, n=40000, seed=1)
    _, based = m.hard_read_gradients(M, z, target, n=40000, baseline=True, seed=1)
    sem = plain.std(axis=0) / np.sqrt(len(plain))
    assert np.all(np.abs(plain.mean(axis=0) - exact) < 5 * sem + 1e-12)
    assert based.var(axis=0).sum() < plain.var(axis=0).sum()


# --- properties and errors --------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 3), R=st.integers(3, 9), C=st.integers(1, 4), S=st.integers(0, 1),
       seed=st.integers(0, 10_000))
def test_address_gives_probability_weights_for_any_shape(N, R, C, S, seed):
    x = _inputs(seed, N, R, C, S)
    x["beta"] = x["beta"] * 50
    w, _ = m.address_forward(*(x[n] for n in STEPS["address"][0]))
    assert w.shape == (N, R)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    M_new, _ = m.write_forward(x["M"], w, x["e"], x["a"])
    assert M_new.shape == (N, R, C)


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 3), R=st.integers(2, 5), C=st.integers(1, 4),
       bad=st.sampled_from(["k", "beta"]), extra=st.integers(1, 3))
def test_malformed_content_inputs_raise_clear_errors(N, R, C, bad, extra):
    x = _inputs(0, N, R, C)
    args = {n: x[n] for n in ("M", "k", "beta")}
    args[bad] = np.zeros(args[bad].shape[:-1] + (args[bad].shape[-1] + extra,))
    with pytest.raises(ValueError, match=f"^{bad} must have"):
        m.content_weights_forward(**args)
    args[bad] = x[bad]
    args["M"] = args["M"][0]  # a memory without its batch axis
    with pytest.raises(ValueError, match="^M must have 3 dimension"):
        m.content_weights_forward(**args)


@pytest.mark.parametrize("call, message", [
    (lambda: m.shift_forward(np.ones((1, 4)) / 4, np.ones((1, 2)) / 2), "s must have an odd"),
    (lambda: m.shift_forward(np.ones((1, 2)) / 2, np.ones((1, 3)) / 3), "s must have an odd"),
    (lambda: m.sharpen_forward(-np.ones((1, 3)), np.ones(1)), "w_s must be non-negative"),
    (lambda: m.read_forward(np.ones((1, 3, 2)), np.ones((1, 4))), "w must have shape"),
    (lambda: m.write_forward(np.ones((1, 3, 2)), np.ones((1, 3)), np.ones((1, 3)),
                             np.ones((1, 2))), "e must have shape"),
    (lambda: m.content_weights_forward(np.full((1, 2, 2), np.nan), np.ones((1, 2)),
                                       np.ones(1)), "M must hold finite"),
    (lambda: m.read_forward(None, np.ones((1, 2))), "M must be an array"),
    (lambda: m.hard_read_gradients(np.ones((3, 2)), np.ones(3), np.ones(2), n=0), "n must"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_float32_in_float32_out():
    x = {k: v.astype(np.float32) for k, v in _inputs(0).items()}
    w, _ = m.address_forward(*(x[n] for n in STEPS["address"][0]))
    assert w.dtype == np.float32
