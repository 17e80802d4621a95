"""Tests for textbook_rnn.leaky: leaky units and skip connections through time.

Gradients are checked in float64 against torch autograd, to 1e-10 relative
error, and against centred finite differences, to 1e-8: finite differences
with a step of 1e-6 are themselves accurate to only about ten digits.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import leaky
from textbook_rnn.gradcheck import numerical_gradient, relative_error

torch.set_num_threads(1)
TOL = 1e-10  # against autograd: the right gradient agrees to ~1e-15, a wrong one to ~1e-2
FD_TOL = 1e-8  # against finite differences, whose own error is ~1e-10


def _leaky_problem(seed, N=2, T=6, H=3, scalar=False):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(N, T, H))
    u0 = rng.normal(size=(N, H))
    alpha = float(rng.uniform(0.1, 0.95)) if scalar else rng.uniform(0.1, 0.95, size=H)
    du = rng.normal(size=(N, T, H))
    return v, u0, alpha, du


# --- leaky units: forward ---------------------------------------------------------------


def test_leaky_forward_is_an_exponential_moving_average():
    v = np.ones((1, 50, 1))
    u, _ = leaky.leaky_forward(v, np.zeros((1, 1)), 0.9)
    # u_t = 1 - 0.9^t for a constant input of 1 from u_0 = 0
    np.testing.assert_allclose(u[0, :, 0], 1 - 0.9 ** np.arange(1, 51), rtol=1e-13)


def test_leaky_forward_unrolled_matches_the_impulse_response():
    v, u0, alpha, _ = _leaky_problem(0, N=1, T=12, H=1, scalar=True)
    u, _ = leaky.leaky_forward(v, u0, alpha)
    w = leaky.leaky_impulse_response(alpha, 12)  # (1 - α) α^k
    t = 11
    unrolled = alpha ** (t + 1) * u0[0, 0] + sum(w[k] * v[0, t - k, 0] for k in range(t + 1))
    assert u[0, t, 0] == pytest.approx(unrolled, rel=1e-12)


def test_leaky_forward_per_unit_alpha_and_extremes():
    v = np.arange(6.0).reshape(1, 3, 2)
    u, _ = leaky.leaky_forward(v, np.full((1, 2), 7.0), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(u[0, :, 0], v[0, :, 0])  # α = 0: no memory
    np.testing.assert_array_equal(u[0, :, 1], [7.0, 7.0, 7.0])  # α = 1: input ignored


# --- leaky units: backward ---------------------------------------------------------------


@pytest.mark.parametrize("scalar", [False, True])
def test_leaky_backward_matches_finite_differences(scalar):
    v, u0, alpha, du = _leaky_problem(1, scalar=scalar)
    _, cache = leaky.leaky_forward(v, u0, alpha)
    dv, du0, dalpha = leaky.leaky_backward(du, cache)

    def loss(v_, u0_, a_):
        return float((leaky.leaky_forward(v_, u0_, a_)[0] * du).sum())

    assert relative_error(dv, numerical_gradient(lambda z: loss(z, u0, alpha), v)) < FD_TOL
    assert relative_error(du0, numerical_gradient(lambda z: loss(v, z, alpha), u0)) < FD_TOL
    if scalar:
        assert isinstance(dalpha, float)
        num = numerical_gradient(lambda z: loss(v, u0, float(z[0])), np.array([alpha]))
        assert relative_error(np.array([dalpha]), num) < FD_TOL
    else:
        num = numerical_gradient(lambda z: loss(v, u0, z), alpha)
        assert relative_error(dalpha, num) < FD_TOL


def test_leaky_backward_matches_torch_autograd():
    v, u0, alpha, du = _leaky_problem(2, N=3, T=9, H=4)
    _, cache = leaky.leaky_forward(v, u0, alpha)
    dv, du0, dalpha = leaky.leaky_backward(du, cache)
    vt, u0t, at = (torch.tensor(a, requires_grad=True) for a in (v, u0, alpha))
    state, loss = u0t, 0.0
    for t in range(v.shape[1]):
        state = at * state + (1 - at) * vt[:, t]
        loss = loss + (state * torch.tensor(du[:, t])).sum()
    loss.backward()
    for mine, theirs in ((dv, vt.grad), (du0, u0t.grad), (dalpha, at.grad)):
        assert relative_error(mine, theirs.numpy()) < TOL


def test_gradient_through_k_steps_is_alpha_to_the_k():
    """∂u_T/∂u_{T-k} = α^k: a loss on u_T only reaches v_{T-k} with weight (1 - α) α^k."""
    T, alpha = 20, 0.8
    v, u0 = np.zeros((1, T, 1)), np.zeros((1, 1))
    _, cache = leaky.leaky_forward(v, u0, alpha)
    du = np.zeros((1, T, 1))
    du[0, -1, 0] = 1.0
    dv, du0, _ = leaky.leaky_backward(du, cache)
    np.testing.assert_allclose(dv[0, ::-1, 0], leaky.leaky_impulse_response(alpha, T),
                               rtol=1e-13)
    assert du0[0, 0] == pytest.approx(alpha**T)


def test_leaky_backward_does_not_mutate_and_validates():
    v, u0, alpha, du = _leaky_problem(3)
    _, cache = leaky.leaky_forward(v, u0, alpha)
    du_copy = du.copy()
    leaky.leaky_backward(du, cache)
    np.testing.assert_array_equal(du, du_copy)
    with pytest.raises(ValueError, match=r"du must have shape \(N, T, H\) = \(2, 6, 3\)"):
        leaky.leaky_backward(du[:, :-1], cache)
    with pytest.raises(TypeError, match="cache"):
        leaky.leaky_backward(du, (1, 2))


@pytest.mark.parametrize(
    "args, exc, words",
    [
        ((np.ones((2, 3)), np.ones((2, 3)), 0.5), ValueError, r"v must have 3 dimension\(s\)"),
        ((np.ones((2, 3, 4)), np.ones((3, 4)), 0.5), ValueError, r"u0 must have shape \(N, H\)"),
        ((np.ones((2, 3, 4)), np.ones((2, 4)), np.ones(3)), ValueError,
         r"alpha must have shape \(H,\) = \(4,\)"),
        ((np.ones((2, 3, 4)), np.ones((2, 4)), float("inf")), ValueError, "alpha must be finite"),
        ((np.ones((2, 3, 4)), np.ones((2, 4)), True), TypeError, "alpha"),
        ((np.ones((2, 3, 4)), np.ones((2, 4)), "0.5"), TypeError, "alpha"),
    ],
)
def test_leaky_forward_rejects_bad_inputs(args, exc, words):
    with pytest.raises(exc, match=words):
        leaky.leaky_forward(*args)


def test_impulse_response():
    w = leaky.leaky_impulse_response(0.5, 4)
    np.testing.assert_allclose(w, [0.5, 0.25, 0.125, 0.0625])
    assert leaky.leaky_impulse_response(0.99, 5000).sum() == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(TypeError, match="alpha"):
        leaky.leaky_impulse_response(np.array([0.5]), 3)
    with pytest.raises(ValueError, match="K"):
        leaky.leaky_impulse_response(0.5, 0)


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 6), H=st.integers(1, 4), seed=st.integers(0, 999))
def test_leaky_gradients_for_any_shape(N, T, H, seed):
    v, u0, alpha, du = _leaky_problem(seed, N=N, T=T, H=H)
    u, cache = leaky.leaky_forward(v, u0, alpha)
    dv, du0, dalpha = leaky.leaky_backward(du, cache)
    assert u.shape == dv.shape == (N, T, H)
    assert du0.shape == (N, H) and dalpha.shape == (H,)
    # linearity: the loss Σ du ⊙ u is linear in (v, u0) with the gradients as coefficients
    assert float((du * u).sum()) == pytest.approx(
        float((dv * v).sum() + (du0 * u0).sum()), rel=1e-9, abs=1e-9)


# --- skip connections --------------------------------------------------------------------


def _skip_problem(seed, N=2, T=9, D=2, H=3):
    rng = np.random.default_rng(seed)
    return dict(
        x=rng.normal(size=(N, T, D)),
        h0=0.5 * rng.normal(size=(N, H)),
        U=rng.normal(size=(H, D)),
        W=0.6 * rng.normal(size=(H, H)),
        W_skip=0.6 * rng.normal(size=(H, H)),
        b=0.3 * rng.normal(size=H),
    ), rng.normal(size=(N, T, H))


@pytest.mark.parametrize("wiring", ["both", "removed", "plain"])
@pytest.mark.parametrize("delay", [1, 3])
def test_skip_backward_matches_finite_differences(wiring, delay):
    p, dh = _skip_problem(4)
    if wiring == "removed":
        p["W"] = None
    if wiring == "plain":
        p["W_skip"] = None
    _, cache = leaky.skip_rnn_forward(delay=delay, **p)
    grads = leaky.skip_rnn_backward(dh, cache)

    def loss(name, value):
        q = {**p, name: value}
        return float((leaky.skip_rnn_forward(delay=delay, **q)[0] * dh).sum())

    for name in ("x", "h0", "U", "W", "W_skip", "b"):
        if p[name] is None:
            assert grads[f"d{name}"] is None
            continue
        num = numerical_gradient(lambda z, n=name: loss(n, z), p[name])
        assert relative_error(grads[f"d{name}"], num) < FD_TOL, name


def test_skip_backward_matches_torch_autograd():
    p, dh = _skip_problem(5, N=3, T=12, D=2, H=4)
    d = 4
    _, cache = leaky.skip_rnn_forward(delay=d, **p)
    grads = leaky.skip_rnn_backward(dh, cache)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    hs = []
    for s in range(p["x"].shape[1]):
        prev = hs[s - 1] if s >= 1 else t["h0"]
        back = hs[s - d] if s >= d else t["h0"]
        hs.append(torch.tanh(t["b"] + prev @ t["W"].T + back @ t["W_skip"].T
                             + t["x"][:, s] @ t["U"].T))
    (torch.stack(hs, 1) * torch.tensor(dh)).sum().backward()
    for k in p:
        assert relative_error(grads[f"d{k}"], t[k].grad.numpy()) < TOL, k


def test_skip_with_no_skip_is_the_vanilla_rnn():
    from textbook_rnn import rnn

    p, _ = _skip_problem(6)
    h, _ = leaky.skip_rnn_forward(p["x"], p["h0"], p["U"], p["W"], None, p["b"], delay=5)
    ref, _ = rnn.rnn_forward(p["x"], p["h0"], p["U"], p["W"], p["b"])
    np.testing.assert_allclose(h, ref, rtol=1e-13)


def test_removing_connections_splits_the_sequence_into_chains():
    """With W = None and delay d, h_t depends only on inputs at steps ≡ t (mod d)."""
    p, _ = _skip_problem(7, N=1, T=12)
    d = 3
    h, _ = leaky.skip_rnn_forward(p["x"], p["h0"], p["U"], None, p["W_skip"], p["b"], delay=d)
    x2 = p["x"].copy()
    x2[:, 1] += 1.0  # change the input at step 2 (index 1)
    h2, _ = leaky.skip_rnn_forward(x2, p["h0"], p["U"], None, p["W_skip"], p["b"], delay=d)
    changed = np.abs(h2 - h).max(axis=(0, 2)) > 0
    assert changed.tolist() == [(t % d == 1) for t in range(12)]


def test_skip_shortens_the_gradient_path():
    """A gradient reaching back 40 steps is far larger with skips of delay 8."""
    rng = np.random.default_rng(8)
    H, T = 10, 41
    W = rng.normal(size=(H, H))
    W *= 0.7 / np.max(np.abs(np.linalg.eigvals(W)))
    x, U, b = rng.normal(size=(1, T, 2)), 0.3 * rng.normal(size=(H, 2)), np.zeros(H)
    dh = np.zeros((1, T, H))
    dh[0, -1] = 1.0
    norms = {}
    for name, (A, B) in {"plain": (W, None), "removed": (None, W)}.items():
        _, cache = leaky.skip_rnn_forward(x, np.zeros((1, H)), U, A, B, b, delay=8)
        norms[name] = np.linalg.norm(leaky.skip_rnn_backward(dh, cache)["dh_all"][0, 0])
    assert norms["removed"] > 1e3 * norms["plain"]


@pytest.mark.parametrize(
    "change, exc, words",
    [
        ({"W_skip": np.ones((3, 2))}, ValueError, r"W_skip must have shape \(H, H\)"),
        ({"W": np.ones((2, 2))}, ValueError, r"W must have shape \(H, H\)"),
        ({"x": np.ones((2, 9))}, ValueError, r"x must have 3 dimension\(s\)"),
        ({"delay": 0}, ValueError, "delay must be a positive integer"),
        ({"delay": 2.0}, TypeError, "delay must be a positive integer"),
    ],
)
def test_skip_rejects_bad_inputs(change, exc, words):
    p, _ = _skip_problem(9)
    args = {**p, "delay": 2, **change}
    with pytest.raises(exc, match=words):
        leaky.skip_rnn_forward(**args)


def test_skip_backward_validates():
    p, dh = _skip_problem(10)
    _, cache = leaky.skip_rnn_forward(delay=2, **p)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\)"):
        leaky.skip_rnn_backward(dh[:, :3], cache)
    with pytest.raises(TypeError, match="cache"):
        leaky.skip_rnn_backward(dh, ())
