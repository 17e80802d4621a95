"""The claims the chapters make in words, recomputed from scratch.

Each test re-derives one statement of the text (issue #9, items 10-16) with
its own code, so that a change in the package that falsifies the text fails
here and not only in a reader's eyes. The stored seed sweeps
(``textbook_rnn.data``) are checked by recomputing a few of their entries.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from textbook_rnn import bptt_analysis, data, dynamics, reservoir, rnn

ROOT = Path(__file__).resolve().parents[1]


# --- chapters 2 and 6: the tanh factors do not bound the product by the linear one --------


NONNORMAL_W = 1.5 * np.array([[1.0, 1.0], [-1.0, -1.0]])


def test_nonnormal_counterexample_exceeds_the_linear_product():
    W, D = NONNORMAL_W, np.diag([1.0, 0.0])
    assert dynamics.spectral_radius(W) < 1e-7          # both eigenvalues zero
    assert np.all(np.linalg.matrix_power(W.T, 5) == 0)  # (W^T)^5 = 0 exactly
    product = np.linalg.norm(np.linalg.matrix_power(W.T @ D, 5), 2)
    assert product == pytest.approx(1.5**5 * np.sqrt(2), rel=1e-12)  # W^T D = 1.5 (1,1)^T e_1^T
    assert 10.7 < product < 10.8                      # the 10.7 of the text
    assert product <= np.linalg.norm(W, 2) ** 5       # the bound (γ σ_max)^m holds


def test_a_real_tanh_network_realises_the_counterexample():
    T = 8
    h = dynamics.recurrence(NONNORMAL_W, np.array([0.0, 1.0]), T,
                            drive=np.tile([-1.5, 10.0], (T, 1)))
    norms = dynamics.jacobian_product_norms(h, NONNORMAL_W)   # ||dh_T/dh_k||
    five_back = norms[T - 5]
    assert 10.6 < five_back < 10.8
    assert five_back <= np.linalg.norm(NONNORMAL_W, 2) ** 5
    assert np.linalg.norm(np.linalg.matrix_power(NONNORMAL_W, 5), 2) == 0


# --- chapter 6: the eigenvector exercise ------------------------------------------------------


def test_eigenvector_exercise_minimum_is_near_1e_14_at_step_48():
    W = dynamics.matrix_with_eigenvalues([1.2, 0.5], seed=0)
    _, Q = dynamics.eigendecompose(W)
    norms = np.linalg.norm(dynamics.linear_recurrence(W, Q[:, 1].real, 300), axis=1)
    assert int(norms.argmin()) == 48
    assert 1e-15 < norms.min() < 1e-13
    assert norms[-1] > 1e5                             # then it explodes


# --- chapter 9: fixed points of h -> tanh(w h + b) ----------------------------------------


def test_w_minus_two_gives_a_two_cycle_not_a_stable_fixed_point():
    w, b = -2.0, 0.0
    h = 0.3
    for _ in range(200):
        h = np.tanh(w * h + b)
    nxt = np.tanh(w * h + b)
    assert abs(h) > 0.9 and nxt == pytest.approx(-h, abs=1e-12)   # alternates
    assert np.tanh(w * nxt + b) == pytest.approx(h, abs=1e-12)     # period two
    assert abs(w * (1 - 0.0**2)) > 1                              # 0 repels
    h_star = abs(h)
    assert h_star == pytest.approx(np.tanh(2 * h_star), abs=1e-12)


@pytest.mark.parametrize("w", [-3.0, -2.0, -0.5, 0.0, 0.5, 1.0])
def test_one_fixed_point_for_w_at_most_one(w):
    h = np.linspace(-3, 3, 60000)               # no grid point at h = 0
    for b in (-1.0, 0.0, 0.7):
        g = np.tanh(w * h + b) - h
        g_prime = w * (1 - np.tanh(w * h + b) ** 2) - 1
        assert np.all(g_prime <= 1e-12)                   # g never increases
        assert np.count_nonzero(np.diff(np.sign(g)) != 0) == 1
        if w < 0:                                         # but g' <= w - 1 fails
            assert g_prime.max() > w - 1


# --- chapter 2: where the first half of the sequence starts to dominate -------------------


def _first_half_share(scale):
    N, T, D, H, K = 16, 60, 8, 64, 10
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(N, T, D)), rng.integers(0, K, size=(N, T))
    p = rnn.init_params(D, H, K, seed=1, w_scale=scale)
    terms = bptt_analysis.weight_gradient_by_step(x, y, p, where="last")
    size = np.linalg.norm(terms, axis=(1, 2))
    return size[: T // 2].sum() / size.sum()


def test_first_half_dominates_from_scale_1_9_not_1_8():
    assert _first_half_share(1.8) < 0.5
    assert _first_half_share(1.9) > 0.5
    assert _first_half_share(2.0) > 0.5


# --- chapter 7: a linear reservoir's capacity is exactly H --------------------------------


def _state_covariance(W, u, var):
    sigma, A = var * np.outer(u, u), W.copy()
    for _ in range(80):
        sigma = sigma + A @ sigma @ A.T
        A = A @ A
        if np.abs(A).max() < 1e-30:
            break
    return sigma


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
def test_linear_reservoir_capacity_is_exactly_H(kind):
    H, var = 8, 1 / 3
    p = reservoir.init_reservoir(1, H, spectral_radius=0.9, kind=kind, seed=5)
    W, u = p["W"], p["U"][:, 0]
    sigma = _state_covariance(W, u, var)
    assert np.linalg.cond(sigma) < 1e10                   # invertible, well enough
    inv, v, total = np.linalg.inv(sigma), u.copy(), 0.0
    for _ in range(2000):                                 # delays k = 0, 1, 2, ...
        total += var * v @ inv @ v                        # r²_k of the best readout
        v = W @ v
    assert total == pytest.approx(H, abs=1e-6)


def test_nearly_linear_reservoir_measures_close_to_the_exact_capacity():
    H = 10
    p = reservoir.init_reservoir(1, H, spectral_radius=0.9, kind="orthogonal",
                                 input_scaling=0.01, seed=5)
    W, u = p["W"], p["U"][:, 0]
    sigma = _state_covariance(W, u, 1 / 3)
    r2_0 = (1 / 3) * u @ np.linalg.solve(sigma, u)
    mc = reservoir.memory_capacity(p["U"], W, p["b"], k_max=80, T_train=20000,
                                   T_test=5000, ridge=1e-12, seed=1)
    assert mc == pytest.approx(H - r2_0, abs=0.3)         # delays k >= 1 sum to H - r²_0


def test_gaussian_reservoir_covariance_is_ill_conditioned_where_capacity_falls_short():
    conds = {}
    for kind in ("gaussian", "orthogonal"):
        p = reservoir.init_reservoir(1, 50, spectral_radius=0.99, kind=kind,
                                     input_scaling=0.01, seed=5)
        conds[kind] = np.linalg.cond(_state_covariance(p["W"], p["U"][:, 0], 1 / 3))
    assert conds["gaussian"] > 1 / np.finfo(float).eps
    assert conds["orthogonal"] < 1e4


# --- the stored seed sweeps ------------------------------------------------------------------


def _sweeps_tool():
    spec = importlib.util.spec_from_file_location("seed_sweeps", ROOT / "tools" / "seed_sweeps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_sweeps_are_complete_and_say_how_to_recompute():
    stored = data.load()
    assert stored["command"] == "python tools/seed_sweeps.py"
    counts = {"recall": 32, "adding": 12, "forget_bias": 8, "counting": 4, "counting3": 2}
    for sweep, n in counts.items():
        assert len(data.runs(sweep)) == n
    assert len(data.runs("adding", cell="gru")) == 4
    with pytest.raises(ValueError, match="sweep must be one of"):
        data.runs("nonsense")
    with pytest.raises(ValueError, match="name must be"):
        data.load("../etc/passwd")
    with pytest.raises(ValueError, match="seed_sweeps"):  # an unknown name lists the known ones
        data.load("missing")


def test_a_stored_recall_run_recomputes_exactly():
    tool = _sweeps_tool()
    stored = data.runs("recall", method="truncated", delay=3, seed=1)[0]
    assert tool.recall_run("truncated", 3, 1) == stored


@pytest.mark.slow
def test_a_stored_counting_run_recomputes_exactly():
    pytest.importorskip("torch")
    tool = _sweeps_tool()
    stored = data.runs("counting", cell="gru", seed=1)[0]
    assert tool.counting_run("gru", 1) == stored
