"""Tests for textbook_rnn.reservoir: echo state networks, NARMA10, memory capacity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import reservoir as res

# --- the reservoir ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
@pytest.mark.parametrize("rho", [0.3, 0.9, 1.25])
def test_spectral_radius_is_exact(kind, rho):
    p = res.init_reservoir(2, 30, spectral_radius=rho, kind=kind, seed=4)
    assert res.spectral_radius(p["W"]) == pytest.approx(rho, rel=1e-12)
    assert p["U"].shape == (30, 2) and p["b"].shape == (30,)


def test_spectral_radius_of_known_matrices():
    assert res.spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues ±i
    assert res.spectral_radius(3 * rotation) == pytest.approx(3.0)
    nilpotent = np.array([[0.0, 5.0], [0.0, 0.0]])
    assert res.spectral_radius(nilpotent) == 0.0


def test_orthogonal_reservoir_has_all_eigenvalues_on_a_circle():
    p = res.init_reservoir(1, 20, spectral_radius=0.8, kind="orthogonal", seed=1)
    assert np.allclose(np.abs(np.linalg.eigvals(p["W"])), 0.8)
    assert np.allclose(p["W"] @ p["W"].T, 0.64 * np.eye(20))


def test_density_and_scalings():
    p = res.init_reservoir(3, 200, density=0.1, input_scaling=0.2, bias_scaling=0.05, seed=0)
    assert 0.08 < np.mean(p["W"] != 0) < 0.12
    assert np.abs(p["U"]).max() <= 0.2 and np.abs(p["b"]).max() <= 0.05
    assert np.all(res.init_reservoir(1, 5, spectral_radius=0.0)["W"] == 0)


def test_init_is_seeded():
    a = res.init_reservoir(2, 10, seed=3)
    b = res.init_reservoir(2, 10, seed=3)
    c = res.init_reservoir(2, 10, seed=4)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W"], c["W"])


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"spectral_radius": -0.1}, ValueError, "spectral_radius"),
        ({"density": 0.0}, ValueError, "density"),
        ({"density": 1.5}, ValueError, "density"),
        ({"input_scaling": float("nan")}, ValueError, "input_scaling"),
        ({"kind": "sparse"}, ValueError, "kind"),
        ({"kind": "orthogonal", "density": 0.5}, ValueError, "density"),
        ({"seed": "one"}, TypeError, "seed"),
        ({"spectral_radius": "big"}, TypeError, "spectral_radius"),
    ],
)
def test_init_rejects_bad_arguments(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        res.init_reservoir(1, 4, **kwargs)


def test_states_match_a_step_by_step_loop(rng):
    p = res.init_reservoir(2, 6, bias_scaling=0.3, seed=1)
    x = rng.normal(size=(3, 7, 2))
    h0 = rng.uniform(-1, 1, size=(3, 6))
    for alpha in (0.0, 0.4):
        got = res.reservoir_states(x, p["U"], p["W"], p["b"], alpha=alpha, h0=h0)
        h = h0
        for t in range(7):
            h = alpha * h + (1 - alpha) * np.tanh(p["b"] + h @ p["W"].T + x[:, t] @ p["U"].T)
            np.testing.assert_allclose(got[:, t], h, rtol=1e-13, atol=1e-15)


def test_washout_drops_the_first_states_and_never_mutates():
    rng = np.random.default_rng(1)
    p = res.init_reservoir(1, 5, seed=2)
    x = rng.normal(size=(2, 9, 1))
    x_copy = x.copy()
    full = res.reservoir_states(x, p["U"], p["W"])
    cut = res.reservoir_states(x, p["U"], p["W"], washout=4)
    np.testing.assert_array_equal(cut, full[:, 4:])
    np.testing.assert_array_equal(x, x_copy)


def test_float32_stays_float32():
    p = res.init_reservoir(1, 4, seed=0)
    x = np.ones((1, 3, 1), dtype=np.float32)
    out = res.reservoir_states(x, p["U"].astype(np.float32), p["W"].astype(np.float32),
                               p["b"].astype(np.float32))
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 2)), U, W), ValueError, "U must have"),
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 1)), U, W.T[:2]), ValueError,
         "W must have"),
        (lambda U, W: res.reservoir_states(np.ones((3, 1)), U, W), ValueError,
         r"x must have 3 dimension\(s\) with shape \(N, T, D\)"),
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 1)), U, W, alpha=1.0), ValueError,
         "alpha"),
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 1)), U, W, washout=3), ValueError,
         "washout"),
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 1)), U, W, h0=np.ones((2, 4))),
         ValueError, "h0"),
        (lambda U, W: res.reservoir_states(np.ones((1, 3, 1)), U, W, washout=1.5), TypeError,
         "washout"),
    ],
)
def test_states_reject_bad_inputs(call, exc, words):
    p = res.init_reservoir(1, 4, seed=0)
    with pytest.raises(exc, match=words):
        call(p["U"], p["W"])


def test_state_gap_shrinks_below_radius_one_and_needs_both_states():
    rng = np.random.default_rng(2)
    p = res.init_reservoir(1, 40, spectral_radius=0.5, input_scaling=0.5, seed=3)
    x = rng.uniform(-1, 1, size=(1, 80, 1))
    gap = res.initial_state_gap(x, p["U"], p["W"], p["b"],
                                h0_a=rng.uniform(-1, 1, (1, 40)),
                                h0_b=rng.uniform(-1, 1, (1, 40)))
    assert gap.shape == (1, 80)
    assert gap[0, -1] < 1e-12 < gap[0, 0]
    with pytest.raises(TypeError, match="h0_a and h0_b"):
        res.initial_state_gap(x, p["U"], p["W"])


def test_state_gap_persists_for_a_large_radius_and_weak_input():
    rng = np.random.default_rng(3)
    p = res.init_reservoir(1, 40, spectral_radius=1.5, input_scaling=0.05, seed=3)
    x = rng.uniform(-1, 1, size=(1, 200, 1))
    gap = res.initial_state_gap(x, p["U"], p["W"], p["b"],
                                h0_a=rng.uniform(-1, 1, (1, 40)),
                                h0_b=rng.uniform(-1, 1, (1, 40)))
    assert gap[0, -20:].min() > 0.1


# --- the readout ---------------------------------------------------------------------------


def _regression(seed, N=2, T=50, H=6, K=3):
    rng = np.random.default_rng(seed)
    states = rng.normal(size=(N, T, H))
    targets = states @ rng.normal(size=(K, H)).T + rng.normal(size=K) \
        + 0.1 * rng.normal(size=(N, T, K))
    return states, targets


@pytest.mark.parametrize("lam", [1e-3, 0.7, 25.0])
def test_ridge_matches_the_closed_form_with_an_unpenalised_bias(lam):
    states, targets = _regression(0)
    V, c = res.ridge_readout(states, targets, lam)
    X = np.c_[states.reshape(-1, 6), np.ones(100)]
    Y = targets.reshape(-1, 3)
    penalty = lam * np.eye(7)
    penalty[6, 6] = 0.0
    sol = np.linalg.solve(X.T @ X + penalty, X.T @ Y)
    np.testing.assert_allclose(V, sol[:6].T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c, sol[6], rtol=1e-10, atol=1e-12)


def test_ridge_without_penalty_is_least_squares():
    states, targets = _regression(1)
    V, c = res.ridge_readout(states, targets, 0.0)
    X = np.c_[states.reshape(-1, 6), np.ones(100)]
    sol = np.linalg.lstsq(X, targets.reshape(-1, 3), rcond=None)[0]
    np.testing.assert_allclose(V, sol[:6].T, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(c, sol[6], rtol=1e-9, atol=1e-11)


def test_ridge_gradient_vanishes_at_the_solution():
    states, targets = _regression(2)
    lam = 3.0
    V, c = res.ridge_readout(states, targets, lam)
    err = res.readout_predict(states, V, c) - targets  # (N, T, K)
    dV = 2 * np.einsum("ntk,nth->kh", err, states) + 2 * lam * V
    dc = 2 * err.sum(axis=(0, 1))
    assert np.abs(dV).max() < 1e-9 and np.abs(dc).max() < 1e-9


def test_readout_recovers_a_linear_map_exactly():
    rng = np.random.default_rng(5)
    states = rng.normal(size=(1, 40, 4))
    V_true, c_true = rng.normal(size=(2, 4)), rng.normal(size=2)
    V, c = res.ridge_readout(states, res.readout_predict(states, V_true, c_true), 0.0)
    np.testing.assert_allclose(V, V_true, atol=1e-10)
    np.testing.assert_allclose(c, c_true, atol=1e-10)


def test_readout_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"targets must have shape \(N, T, K\)"):
        res.ridge_readout(np.ones((2, 5, 3)), np.ones((2, 4, 1)))
    with pytest.raises(ValueError, match="ridge"):
        res.ridge_readout(np.ones((1, 5, 3)), np.ones((1, 5, 1)), -1.0)
    with pytest.raises(ValueError, match=r"V must have shape \(K, H\)"):
        res.readout_predict(np.ones((1, 5, 3)), np.ones((2, 4)), np.ones(2))


def test_nrmse():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert res.nrmse(y, y) == 0.0
    assert res.nrmse(np.full(4, y.mean()), y) == pytest.approx(1.0)
    assert res.nrmse(y + 1.0, y) == pytest.approx(1.0 / np.std(y))
    with pytest.raises(ValueError, match="y_hat must have the shape of y"):
        res.nrmse(y[:3], y)
    with pytest.raises(ValueError, match="constant"):
        res.nrmse(y, np.ones(4))


# --- NARMA10 -------------------------------------------------------------------------------


def test_narma10_follows_its_recursion_and_stays_bounded():
    x, y = res.narma10(500, N=3, seed=7)
    assert x.shape == y.shape == (3, 500, 1)
    assert x.min() >= 0.0 and x.max() <= 0.5
    assert np.all(np.isfinite(y)) and y.min() >= 0.0 and y.max() <= 1.0
    u, v = x[1, :, 0], y[1, :, 0]
    for t in range(9, 499):
        expected = 0.3 * v[t] + 0.05 * v[t] * v[t - 9:t + 1].sum() + 1.5 * u[t - 9] * u[t] + 0.1
        assert v[t + 1] == pytest.approx(expected, rel=1e-12)


def test_narma10_is_deterministic_and_seeded():
    a = res.narma10(100, seed=1)
    b = res.narma10(100, seed=1)
    c = res.narma10(100, seed=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_narma10_redraws_a_diverging_sequence():
    """The recursion runs away for some inputs; the generator must never return that."""
    # the first input sequence drawn from seed 0 makes the recursion leave [0, 1] ...
    with pytest.raises(RuntimeError, match="diverged in 1 draws"):
        res.narma10(3000, seed=0, max_tries=1)
    # ... so the generator draws again, and returns a bounded sequence
    x, y = res.narma10(3000, seed=0)
    assert np.all(np.isfinite(y)) and 0.0 <= y.min() and y.max() <= 1.0
    with pytest.raises(TypeError, match="T must be a positive integer"):
        res.narma10(10.5)


def test_delayed_inputs():
    x = np.arange(10.0).reshape(1, 10, 1)
    d = res.delayed_inputs(x, 3)
    assert d.shape == (1, 7, 3)
    # row t is absolute step t + 3; column k-1 is x at step t + 3 - k
    np.testing.assert_array_equal(d[0, 0], [2.0, 1.0, 0.0])
    np.testing.assert_array_equal(d[0, -1], [8.0, 7.0, 6.0])
    with pytest.raises(ValueError, match="k_max"):
        res.delayed_inputs(x, 10)
    with pytest.raises(ValueError, match=r"\(N, T, 1\)"):
        res.delayed_inputs(np.ones((1, 5, 2)), 2)


# --- memory capacity ---------------------------------------------------------------------


def test_memory_capacity_is_at_most_H_and_near_H_for_a_linear_orthogonal_reservoir():
    H = 12
    p = res.init_reservoir(1, H, spectral_radius=0.9, input_scaling=1e-3, kind="orthogonal",
                           seed=0)
    r2 = res.memory_curve(p["U"], p["W"], k_max=60, T_train=1500, T_test=1000, ridge=1e-14)
    assert r2.shape == (60,)
    assert np.all((0 <= r2) & (r2 <= 1))
    assert 0.85 * H < r2.sum() <= H + 0.2


@pytest.mark.parametrize("H", [5, 20])
def test_memory_capacity_never_exceeds_H(H):
    for rho in (0.5, 0.95):
        p = res.init_reservoir(1, H, spectral_radius=rho, input_scaling=0.5, seed=H)
        mc = res.memory_curve(p["U"], p["W"], T_train=800, T_test=600).sum()
        assert mc <= H + 0.2


def test_memory_grows_with_size_and_single_unit_matches_theory():
    caps = []
    for H in (5, 20, 60):
        p = res.init_reservoir(1, H, spectral_radius=0.9, input_scaling=0.1, seed=1)
        caps.append(res.memory_curve(p["U"], p["W"], T_train=1500, T_test=800).sum())
    assert caps[0] < caps[1] < caps[2]
    # one linear unit h_t = ρ h_{t-1} + u x_t: r²_k = (1 - ρ²) ρ^{2k}
    rho = 0.8
    r2 = res.memory_curve(np.array([[1e-4]]), np.array([[rho]]), k_max=8, T_train=20000,
                          T_test=20000, ridge=0.0)
    theory = (1 - rho**2) * rho ** (2 * np.arange(1, 9))
    np.testing.assert_allclose(r2, theory, atol=0.015)


def test_memory_capacity_is_the_sum_of_the_curve():
    p = res.init_reservoir(1, 6, seed=3)
    kwargs = dict(T_train=300, T_test=200, k_max=12, seed=2)
    mc = res.memory_capacity(p["U"], p["W"], p["b"], **kwargs)
    assert isinstance(mc, float)
    assert mc == pytest.approx(res.memory_curve(p["U"], p["W"], p["b"], **kwargs).sum())


def test_memory_curve_is_deterministic():
    p = res.init_reservoir(1, 8, seed=2)
    a = res.memory_curve(p["U"], p["W"], T_train=300, T_test=200, seed=5)
    b = res.memory_curve(p["U"], p["W"], T_train=300, T_test=200, seed=5)
    np.testing.assert_array_equal(a, b)


def test_memory_curve_needs_a_scalar_input():
    p = res.init_reservoir(2, 4, seed=0)
    with pytest.raises(ValueError, match=r"U must have shape \(H, D\) = \(H, 1\)|U must have"):
        res.memory_curve(p["U"], p["W"])


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 6), D=st.integers(1, 3), H=st.integers(1, 5),
       alpha=st.floats(0.0, 0.99), seed=st.integers(0, 2**16))
def test_states_are_bounded_for_any_shape(N, T, D, H, alpha, seed):
    rng = np.random.default_rng(seed)
    p = res.init_reservoir(D, H, spectral_radius=1.0, seed=seed)
    x = rng.normal(size=(N, T, D))
    h = res.reservoir_states(x, p["U"], p["W"], p["b"], alpha=alpha)
    assert h.shape == (N, T, H)
    assert np.all(np.abs(h) <= 1.0)


@settings(max_examples=30, deadline=None)
@given(shape_x=st.lists(st.integers(1, 4), min_size=1, max_size=4),
       shape_W=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_states_give_results_or_clear_errors(shape_x, shape_W):
    x, W = np.ones(shape_x), np.ones(shape_W) * 0.1
    U = np.ones((shape_W[0], shape_x[-1]))
    try:
        h = res.reservoir_states(x, U, W)
    except (ValueError, TypeError) as exc:
        assert any(name in str(exc) for name in ("x", "U", "W"))
    else:
        assert h.shape == (x.shape[0], x.shape[1], W.shape[0])
