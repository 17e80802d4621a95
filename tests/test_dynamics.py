"""textbook_rnn.dynamics: spectra, the linear recurrence, Jacobian products, the cliff map.

Analytic checks where the answer is known in closed form, torch autograd and
finite differences for every derivative, and hypothesis over shapes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import dynamics as dy
from textbook_rnn import rnn
from textbook_rnn.gradcheck import numerical_gradient

torch.set_num_threads(1)
FAST = settings(max_examples=40, deadline=None)


def trajectory(T=6, H=4, N=None, seed=0, rho=1.3, activation="tanh", drive_scale=0.5):
    """A random trajectory of h_t = φ(b + W h_{t-1} + u_t), with everything that made it."""
    rng = np.random.default_rng(seed)
    W = dy.random_recurrent_matrix(H, seed=seed + 100, spectral_radius=rho)
    b = rng.normal(0.0, 0.3, size=H)
    lead = () if N is None else (N,)
    h0 = rng.uniform(-0.8, 0.8, size=lead + (H,))
    drive = rng.normal(0.0, drive_scale, size=lead + (T, H))
    h = dy.recurrence(W, h0, T, activation=activation, b=b, drive=drive)
    return h, W, b, drive


# --- spectra and prescribed scales ------------------------------------------------------


def test_spectrum_is_sorted_by_modulus_and_matches_numpy():
    W = np.random.default_rng(1).normal(size=(7, 7))
    lam = dy.spectrum(W)
    assert lam.dtype == np.complex128
    assert np.all(np.diff(np.abs(lam)) <= 1e-12)
    np.testing.assert_allclose(np.sort_complex(lam), np.sort_complex(np.linalg.eigvals(W)),
                               rtol=1e-12)
    assert dy.spectral_radius(W) == pytest.approx(np.abs(lam[0]), rel=1e-14)
    assert dy.sigma_max(W) == pytest.approx(np.linalg.svd(W, compute_uv=False)[0], rel=1e-14)
    assert dy.spectral_radius(W) <= dy.sigma_max(W) + 1e-12


@FAST
@given(H=st.integers(1, 9), rho=st.floats(0.01, 5.0), seed=st.integers(0, 10_000))
def test_rescale_spectral_radius_is_exact(H, rho, seed):
    W = np.random.default_rng(seed).normal(size=(H, H))
    before = W.copy()
    out = dy.rescale_spectral_radius(W, rho)
    assert abs(dy.spectral_radius(out) - rho) <= 1e-12 * rho
    np.testing.assert_array_equal(W, before)  # not modified
    ratio = out[np.abs(W) > 0] / W[np.abs(W) > 0]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-14)  # a pure rescaling


@FAST
@given(H=st.integers(1, 9), sigma=st.floats(0.01, 5.0), seed=st.integers(0, 10_000))
def test_rescale_sigma_max_is_exact(H, sigma, seed):
    W = np.random.default_rng(seed).normal(size=(H, H))
    assert abs(dy.sigma_max(dy.rescale_sigma_max(W, sigma)) - sigma) <= 1e-12 * sigma


def test_rescale_refuses_a_nilpotent_or_zero_matrix():
    with pytest.raises(ValueError, match="nilpotent"):
        dy.rescale_spectral_radius([[0.0, 1.0], [0.0, 0.0]], 1.0)
    with pytest.raises(ValueError, match="zero matrix"):
        dy.rescale_sigma_max(np.zeros((3, 3)), 1.0)


@pytest.mark.parametrize("rho, error", [(-1.0, ValueError), (np.nan, ValueError),
                                        (True, TypeError), ("1", TypeError)])
def test_rescale_rejects_bad_rho(rho, error):
    with pytest.raises(error, match="rho"):
        dy.rescale_spectral_radius(np.eye(2), rho)


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
def test_random_recurrent_matrix(kind):
    W = dy.random_recurrent_matrix(20, seed=3, kind=kind)
    np.testing.assert_array_equal(W, dy.random_recurrent_matrix(20, seed=3, kind=kind))
    assert not np.array_equal(W, dy.random_recurrent_matrix(20, seed=4, kind=kind))
    if kind == "orthogonal":
        np.testing.assert_allclose(W.T @ W, np.eye(20), atol=1e-12)
    R = dy.random_recurrent_matrix(20, seed=3, kind=kind, spectral_radius=0.7)
    S = dy.random_recurrent_matrix(20, seed=3, kind=kind, sigma_max=0.7)
    assert dy.spectral_radius(R) == pytest.approx(0.7, rel=1e-12)
    assert dy.sigma_max(S) == pytest.approx(0.7, rel=1e-12)


def test_random_recurrent_matrix_rejects_bad_arguments():
    with pytest.raises(ValueError, match="not both"):
        dy.random_recurrent_matrix(3, spectral_radius=1.0, sigma_max=1.0)
    with pytest.raises(ValueError, match="kind"):
        dy.random_recurrent_matrix(3, kind="unitary")
    with pytest.raises(ValueError, match="H"):
        dy.random_recurrent_matrix(0)


@pytest.mark.parametrize("eigenvalues", [[1.05, 0.9, -0.75, 0.5],
                                         [0.3 + 0.9j, 0.3 - 0.9j, -1.2, 0.1],
                                         [2.0]])
def test_matrix_with_eigenvalues(eigenvalues):
    W = dy.matrix_with_eigenvalues(eigenvalues, seed=5)
    assert W.dtype == np.float64
    expected = np.asarray(eigenvalues, dtype=complex)
    np.testing.assert_allclose(np.sort_complex(dy.spectrum(W)), np.sort_complex(expected),
                               atol=1e-10)


def test_matrix_with_eigenvalues_needs_conjugate_pairs():
    with pytest.raises(ValueError, match="conjugate"):
        dy.matrix_with_eigenvalues([1j, 0.5])


@pytest.mark.parametrize("coupling", [0.0, 0.5, 2.0, -3.0])
def test_block_triangular_keeps_the_eigenvalues_and_grows_sigma_max(coupling):
    pair = 0.9 * np.exp(0.6j)
    eigenvalues = [pair, np.conj(pair), 0.7, -0.4]
    W = dy.block_triangular(eigenvalues, coupling)
    assert W.shape == (4, 4) and W.dtype == np.float64
    np.testing.assert_allclose(np.sort_complex(dy.spectrum(W)),
                               np.sort_complex(np.asarray(eigenvalues)), atol=1e-10)
    normal = coupling == 0.0
    assert np.allclose(W @ W.T, W.T @ W) == normal
    assert (abs(dy.sigma_max(W) - 0.9) < 1e-12) == normal
    if not normal:
        assert dy.sigma_max(W) > 0.9 + abs(coupling) / 2


def test_block_triangular_grows_sigma_max_with_the_coupling():
    sigmas = [dy.sigma_max(dy.block_triangular([0.5 + 0.5j, 0.5 - 0.5j, 0.2], k))
              for k in (0.0, 1.0, 2.0, 4.0)]
    assert np.all(np.diff(sigmas) > 0)


@pytest.mark.parametrize("eigenvalues, coupling, words", [
    ([1j, 0.5], 0.0, "conjugate"),
    ([], 0.0, "non-empty"),
    ([0.5, np.inf], 0.0, "finite"),
    ([0.5, 0.2], np.nan, "finite"),
])
def test_block_triangular_rejects_bad_input(eigenvalues, coupling, words):
    with pytest.raises(ValueError, match=words):
        dy.block_triangular(eigenvalues, coupling)


# --- the linear recurrence ------------------------------------------------------------


def _rounding_bound(lam, i, t, n, cond=1.0):
    """Relative error of ‖h_t‖ that float64 arithmetic can guarantee along eigenvector i.

    Each step W h rounds with a relative error of at most about n·ε (n terms per
    dot product). An error made at step s along a direction of eigenvalue λ_1 is
    carried on by |λ_1|^(t-s), while the exact state shrinks like |λ_i|^t; summed
    over s ≤ t, the error relative to the state is at most
    n·ε·t·(|λ_1| / |λ_i|)^t, times the eigenvector basis' condition number
    (1 for a symmetric W). A factor 4 covers the norm's own rounding and the
    rounding of the start vector.
    """
    ratio = np.max(np.abs(lam)) / np.abs(lam[i])
    return 4.0 * n * np.finfo(float).eps * cond * np.maximum(t, 1) * ratio ** t


def test_eigenvector_start_follows_the_eigenvalue_exactly():
    """‖h_t‖ = |λ|^t ‖h_0‖ when h_0 is an eigenvector (equation ltd-modes).

    Exact up to the rounding the arithmetic guarantees: along the leading
    eigenvector that is a few ε per step; along the others, rounding errors
    in the leading directions grow like |λ_1 / λ_i|^t relative to the state
    (chapter 6, exercise on the wrong eigenvector), so the tolerance grows
    with them and is computed, not guessed (:func:`_rounding_bound`).
    """
    R = dy.random_recurrent_matrix(5, seed=2, kind="orthogonal")
    W = R @ np.diag([1.1, 0.95, -0.9, 0.8, 0.6]) @ R.T  # symmetric, known eigenvalues
    lam, Q = np.linalg.eigh(W)
    t = np.arange(31)
    for i in range(5):
        h = dy.linear_recurrence(W, 2.0 * Q[:, i], 30)
        expected = 2.0 * np.abs(lam[i]) ** t
        rel = np.abs(np.linalg.norm(h, axis=1) - expected) / expected
        assert np.all(rel <= _rounding_bound(lam, i, t, 5)), (i, rel.max())
    # the same for a non-symmetric matrix, through each of its real eigenvectors
    W = dy.matrix_with_eigenvalues([1.05, 0.9, -0.75, 0.5], seed=2)
    lam, Q = dy.eigendecompose(W)
    cond = np.linalg.cond(Q)
    for i in range(4):
        h = dy.linear_recurrence(W, Q[:, i].real, 30)
        expected = np.abs(lam[i]) ** t * np.linalg.norm(Q[:, i].real)
        rel = np.abs(np.linalg.norm(h, axis=1) - expected) / expected
        assert np.all(rel <= _rounding_bound(lam, i, t, 4, cond)), (i, rel.max())
    # the bound is not vacuous: along the leading direction it is a few 1e-13
    assert _rounding_bound(lam, 0, t, 4, cond)[-1] < 1e-12


def test_scaled_orthogonal_matrix_scales_every_state():
    W = dy.random_recurrent_matrix(6, seed=1, kind="orthogonal", spectral_radius=1.1)
    h0 = np.random.default_rng(0).normal(size=(3, 6))
    h = dy.linear_recurrence(W, h0, 25)
    expected = np.linalg.norm(h0, axis=1)[:, None] * 1.1 ** np.arange(26)
    np.testing.assert_allclose(np.linalg.norm(h, axis=-1), expected, rtol=1e-12)


@FAST
@given(H=st.integers(1, 6), T=st.integers(1, 12), N=st.one_of(st.none(), st.integers(1, 3)),
       seed=st.integers(0, 10_000))
def test_closed_form_matches_the_loop(H, T, N, seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    h0 = rng.normal(size=(H,) if N is None else (N, H))
    h = dy.linear_recurrence(W, h0, T)
    assert h.shape == ((T + 1, H) if N is None else (N, T + 1, H))
    np.testing.assert_array_equal(h[..., 0, :], h0)
    np.testing.assert_allclose(dy.linear_recurrence_eigen(W, h0, T), h, rtol=1e-7, atol=1e-9)


def test_modal_coordinates_evolve_independently():
    W = dy.matrix_with_eigenvalues([0.3 + 0.9j, 0.3 - 0.9j, -1.2, 0.1], seed=4)
    h = dy.linear_recurrence(W, np.array([1.0, -0.5, 0.2, 0.7]), 15)
    lam, c = dy.modal_coordinates(W, h)
    np.testing.assert_allclose(c, c[0] * lam ** np.arange(16)[:, None], rtol=1e-9, atol=1e-12)


def test_eigendecompose_refuses_a_defective_matrix():
    with pytest.raises(ValueError, match="not diagonalisable"):
        dy.eigendecompose([[1.0, 1.0], [0.0, 1.0]])


def test_alignment_with_the_leading_eigenvector_tends_to_one():
    W = dy.matrix_with_eigenvalues([1.05, 0.9, -0.75, 0.5], seed=2)
    lam, Q = dy.eigendecompose(W)
    a = dy.alignment(dy.linear_recurrence(W, np.array([1.0, 0.3, -0.5, 0.8]), 200), Q[:, 0])
    assert np.all((a >= 0) & (a <= 1 + 1e-12))
    assert a[-1] == pytest.approx(1.0, abs=1e-8)
    # a complex pair: the state converges to the plane of Re q and Im q
    W = dy.matrix_with_eigenvalues([0.9 + 0.4j, 0.9 - 0.4j, 0.5, -0.2], seed=6)
    lam, Q = dy.eigendecompose(W)
    h = dy.linear_recurrence(W, np.ones(4), 200)
    assert dy.alignment(h[-1], Q[:, 0]) == pytest.approx(1.0, abs=1e-8)
    assert dy.alignment(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0


# --- the nonlinear recurrence and Jacobians --------------------------------------------


def test_recurrence_is_the_rnn_forward_pass():
    rng = np.random.default_rng(3)
    p = rnn.init_params(3, 5, 2, seed=3)
    x = rng.normal(size=(2, 7, 3))
    h0 = rng.normal(0, 0.5, size=(2, 5))
    b = rng.normal(size=5)
    expected, _ = rnn.rnn_forward(x, h0, p["U"], p["W"], b)
    h = dy.recurrence(p["W"], h0, 7, b=b, drive=x @ p["U"].T)
    # two groupings of b + W h + U x (8 terms of size ~1, a few ulps apart), carried 7 steps
    # through W (‖W‖ ~ 1.2): up to ~1e-13 on another BLAS; 1e-15 was a handful of ulps
    np.testing.assert_allclose(h[:, 1:], expected, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(h[:, 0], h0)


def test_recurrence_activations():
    W = dy.random_recurrent_matrix(4, seed=2)
    h0 = np.array([0.1, -0.2, 0.3, 0.4])
    lin = dy.recurrence(W, h0, 5, activation="linear")
    np.testing.assert_allclose(lin, dy.linear_recurrence(W, h0, 5), rtol=1e-14)
    sig = dy.recurrence(W, h0, 1, activation="sigmoid")
    np.testing.assert_allclose(sig[1], 1 / (1 + np.exp(-(W @ h0))), rtol=1e-14)
    # a shared input sequence drives every member of a batch
    drive = np.ones((5, 4))
    batch = dy.recurrence(W, np.stack([h0, h0]), 5, drive=drive)
    np.testing.assert_allclose(batch[0], dy.recurrence(W, h0, 5, drive=drive))


def torch_products(h, W, drive, b, activation):
    """∂h_T/∂h_k for every k by autograd through the composed map."""
    T = len(h) - 1
    Wt, dt, bt = torch.tensor(W), torch.tensor(drive), torch.tensor(b)
    phi = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda a: a}[activation]
    out = []
    for k in range(T + 1):
        def to_end(z, k=k):
            for t in range(k + 1, T + 1):
                z = phi(bt + Wt @ z + dt[t - 1])
            return z

        out.append(torch.autograd.functional.jacobian(to_end, torch.tensor(h[k])).numpy())
    return np.stack(out)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_jacobian_products_match_autograd(activation):
    h, W, b, drive = trajectory(T=7, H=5, seed=4, activation=activation)
    P = dy.jacobian_products(h, W, activation=activation)
    assert P.shape == (8, 5, 5)
    np.testing.assert_allclose(P, torch_products(h, W, drive, b, activation), rtol=0,
                               atol=1e-10)
    np.testing.assert_array_equal(P[-1], np.eye(5))
    J = dy.step_jacobians(h, W, activation=activation)
    np.testing.assert_allclose(P[-2], J[-1], rtol=1e-14)


def test_jacobian_products_match_finite_differences():
    h, W, b, drive = trajectory(T=5, H=4, seed=7)
    P = dy.jacobian_products(h, W)
    for k in (0, 2, 4):
        def rest(z, k=k):
            return dy.recurrence(W, z, 5 - k, b=b, drive=drive[k:])[-1]

        for i in range(4):
            fd = numerical_gradient(lambda z, i=i: rest(z)[i], h[k])
            np.testing.assert_allclose(P[k, i], fd, rtol=1e-6, atol=1e-9)


def test_batched_products_equal_one_at_a_time():
    h, W, _, _ = trajectory(T=6, H=3, N=4, seed=8)
    P = dy.jacobian_products(h, W)
    n = dy.jacobian_product_norms(h, W)
    assert P.shape == (4, 7, 3, 3) and n.shape == (4, 7)
    for i in range(4):
        np.testing.assert_allclose(P[i], dy.jacobian_products(h[i], W), rtol=1e-14)
        np.testing.assert_allclose(n[i], [np.linalg.norm(M, 2) for M in P[i]], rtol=1e-12)
    np.testing.assert_allclose(n[:, -1], 1.0)


def test_norms_of_the_linear_network_with_a_scaled_orthogonal_matrix_attain_the_bound():
    W = dy.random_recurrent_matrix(6, seed=9, kind="orthogonal", sigma_max=1.2)
    h = dy.recurrence(W, np.ones(6), 20, activation="linear")
    n = dy.jacobian_product_norms(h, W, activation="linear")
    np.testing.assert_allclose(n, dy.pascanu_bound(1.2, np.arange(20, -1, -1)), rtol=1e-12)


@FAST
@given(sigma=st.floats(0.05, 0.99), seed=st.integers(0, 10_000),
       activation=st.sampled_from(["tanh", "sigmoid"]), kind=st.sampled_from(["gaussian",
                                                                            "orthogonal"]))
def test_pascanu_sufficient_condition_for_vanishing(sigma, seed, activation, kind):
    """σ_max < 1/γ ⇒ ‖∂h_T/∂h_k‖ ≤ (γ σ_max)^(T-k) → 0 (equation ltd-bound)."""
    gamma = dy.GAMMA[activation]
    s = sigma / gamma  # σ_max(W) below 1/γ
    rng = np.random.default_rng(seed)
    W = dy.random_recurrent_matrix(6, seed=seed, sigma_max=s, kind=kind)
    T = 25
    h = dy.recurrence(W, rng.normal(size=6), T, activation=activation,
                      drive=rng.normal(0.0, 2.0, size=(T, 6)))
    n = dy.jacobian_product_norms(h, W, activation=activation)
    bound = dy.pascanu_bound(s, np.arange(T, -1, -1), activation=activation)
    assert np.all(n <= bound * (1 + 1e-10))
    assert n[0] <= sigma**T * (1 + 1e-10)


@FAST
@given(sigma=st.floats(1.0, 4.0), seed=st.integers(0, 10_000))
def test_the_bound_holds_above_one_too(sigma, seed):
    rng = np.random.default_rng(seed)
    W = dy.random_recurrent_matrix(5, seed=seed, sigma_max=sigma)
    h = dy.recurrence(W, rng.normal(size=5), 15, drive=rng.normal(size=(15, 5)))
    n = dy.jacobian_product_norms(h, W)
    assert np.all(n <= dy.pascanu_bound(sigma, np.arange(15, -1, -1)) * (1 + 1e-10))


def test_pascanu_bound_values_and_errors():
    assert dy.pascanu_bound(0.8, 3) == pytest.approx(0.512)
    assert dy.pascanu_bound(3.2, 2, activation="sigmoid") == pytest.approx(0.64)
    np.testing.assert_allclose(dy.pascanu_bound(2.0, np.arange(4)), [1, 2, 4, 8])
    with pytest.raises(ValueError, match="steps"):
        dy.pascanu_bound(1.0, -1)
    with pytest.raises(ValueError, match="activation"):
        dy.pascanu_bound(1.0, 2, activation="softplus")


# --- the cliff map ---------------------------------------------------------------------


def test_cliff_map_derivatives_match_autograd():
    h0 = np.linspace(-1, 1, 7)
    w, b = 1.7, 0.2
    path = dy.cliff_map(h0, 9, w, b)
    for t in (1, 4, 9):
        for i, start in enumerate(h0):
            x = torch.tensor([start, w, b], requires_grad=True)
            z = x[0]
            for _ in range(t):
                z = torch.tanh(x[1] * z + x[2])
            z.backward()
            assert z.item() == pytest.approx(path.h[t, i], abs=1e-14)
            np.testing.assert_allclose(
                [path.dh0[t, i], path.dw[t, i], path.db[t, i]], x.grad.numpy(), rtol=0,
                atol=1e-12)


def test_cliff_map_derivatives_match_finite_differences():
    def last(v):
        return dy.cliff_map(v[0], 12, v[1], v[2]).h[-1]

    v = np.array([-0.4, 1.9, 0.45])
    fd = numerical_gradient(last, v)
    p = dy.cliff_map(*v[:1], 12, v[1], v[2])
    np.testing.assert_allclose([p.dh0[-1], p.dw[-1], p.db[-1]], fd, rtol=1e-6, atol=1e-10)


def test_cliff_map_analytic_facts():
    # at the repelling fixed point 0 the derivative is w^t; at the attractors it vanishes
    p = dy.cliff_map(0.0, 20, 2.0)
    np.testing.assert_allclose(p.dh0, 2.0 ** np.arange(21))
    q = dy.cliff_map(0.5, 60, 2.0)
    h_star = q.h[-1]
    assert h_star == pytest.approx(np.tanh(2 * h_star), abs=1e-14)
    assert abs(q.dh0[-1]) < 1e-20
    # broadcasting: a grid of starts times a grid of biases
    r = dy.cliff_map(np.zeros((3, 1)), 4, 2.0, np.zeros((1, 5)))
    assert r.h.shape == r.db.shape == (5, 3, 5)
    with pytest.raises(ValueError, match="broadcast"):
        dy.cliff_map(np.zeros(3), 4, 2.0, np.zeros(4))


def test_cross_section():
    W = dy.random_recurrent_matrix(10, seed=1, spectral_radius=2.0)
    rng = np.random.default_rng(0)
    d, r, m = rng.normal(size=(3, 10))
    s = np.linspace(-1, 1, 9)
    X = dy.cross_section(W, s, 4, direction=d, readout=r, centre=m)
    assert X.shape == (5, 9)
    np.testing.assert_allclose(X[0], (m + s[:, None] * d) @ r)
    h3 = dy.recurrence(W, m + s[2] * d, 3)[-1]
    assert X[3, 2] == pytest.approx(h3 @ r, rel=1e-13)


# --- the scalar recurrence -----------------------------------------------------------


@FAST
@given(T=st.integers(1, 15), seed=st.integers(0, 10_000), a0=st.floats(-2, 2))
def test_unrolled_recurrence_equals_the_loop(T, seed, a0):
    """a_t = b_t + c_t a_{t-1} equals Σ_i (Π_{j>i} c_j) b_i + (Π c) a_0 (ltd-unrolled)."""
    rng = np.random.default_rng(seed)
    b, c = rng.normal(size=(2, T))
    M = dy.unrolled_weights(c)
    assert np.allclose(np.triu(M, 1), 0) and np.allclose(np.diag(M), 1)
    carry = np.cumprod(c)  # Π_{j=1}^{t} c_j: how a_0 reaches a_t
    np.testing.assert_allclose(dy.scalar_recurrence(b, c, a0), M @ b + carry * a0,
                               rtol=1e-12, atol=1e-12)


def test_scalar_recurrence_is_the_derivative_of_a_one_unit_network():
    x = np.random.default_rng(5).normal(size=20)

    def final_state(w):
        h = 0.0
        hs = [h]
        for t in range(20):
            h = np.tanh(w * h + x[t])
            hs.append(h)
        return np.array(hs)

    w = 0.9
    h = final_state(w)
    b = (1 - h[1:] ** 2) * h[:-1]
    c = w * (1 - h[1:] ** 2)
    fd = (final_state(w + 1e-6)[-1] - final_state(w - 1e-6)[-1]) / 2e-6
    assert dy.scalar_recurrence(b, c)[-1] == pytest.approx(fd, rel=1e-7)


# --- argument checks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: dy.spectral_radius(np.ones((2, 3))), ValueError, "W must have shape (H, H)"),
        (lambda: dy.spectrum(np.ones(3)), ValueError, "W must have 2 dimension"),
        (lambda: dy.sigma_max("W"), TypeError, "W must hold real numbers"),
        (lambda: dy.sigma_max([[np.inf]]), ValueError, "finite"),
        (lambda: dy.linear_recurrence(np.eye(3), np.ones(4), 2), ValueError, "h0"),
        (lambda: dy.linear_recurrence(np.eye(3), np.ones(3), 0), ValueError, "T"),
        (lambda: dy.recurrence(np.eye(3), np.ones(3), 4, drive=np.ones((5, 3))), ValueError,
         "drive must have shape (T, H) = (4, 3)"),
        (lambda: dy.recurrence(np.eye(3), np.ones(3), 4, activation="softplus"), ValueError,
         "activation"),
        (lambda: dy.recurrence(np.eye(3), np.ones(3), 4, b=np.ones(2)), ValueError, "b"),
        (lambda: dy.jacobian_products(np.ones((5, 3)), np.eye(4)), ValueError,
         "W must have shape (H, H) = (3, 3), got shape (4, 4)"),
        (lambda: dy.jacobian_product_norms(np.ones(5), np.eye(1)), ValueError, "h must have"),
        (lambda: dy.cliff_map(0.0, 3, "w"), TypeError, "w"),
        (lambda: dy.unrolled_weights(np.ones((2, 2))), ValueError, "c"),
        (lambda: dy.scalar_recurrence(np.ones(3), np.ones(4)), ValueError,
         "c must have shape (T,) = (3,), got shape (4,)"),
        (lambda: dy.cross_section(np.eye(3), np.ones(4), 2, direction=np.ones(2),
                                  readout=np.ones(3)), ValueError, "direction"),
        (lambda: dy.modal_coordinates(np.eye(3), np.ones(4)), ValueError, "h must be real"),
    ],
)
def test_bad_arguments_are_named(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


shapes = st.tuples(st.integers(1, 5), st.integers(1, 5))


@FAST
@given(h_shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), H=st.integers(1, 5),
       activation=st.sampled_from(dy.ACTIVATIONS))
def test_jacobian_functions_give_results_or_clear_errors(h_shape, H, activation):
    h = np.random.default_rng(0).uniform(-0.9, 0.9, size=h_shape)
    W = np.eye(H)
    ok = len(h_shape) in (2, 3) and h_shape[-1] == H
    if ok:
        n = dy.jacobian_product_norms(h, W, activation=activation)
        assert n.shape == tuple(h_shape[:-1])
        assert np.all(np.isfinite(n))
    else:
        with pytest.raises(ValueError, match=r"h must|W must"):
            dy.jacobian_product_norms(h, W, activation=activation)


@FAST
@given(W_shape=st.lists(st.integers(1, 4), min_size=0, max_size=3), T=st.integers(-1, 4),
       h0_len=st.integers(1, 4))
def test_linear_recurrence_gives_results_or_clear_errors(W_shape, T, h0_len):
    W = np.full(W_shape, 0.5)
    h0 = np.ones(h0_len)
    ok = len(W_shape) == 2 and W_shape[0] == W_shape[1] == h0_len and T >= 1
    if ok:
        assert dy.linear_recurrence(W, h0, T).shape == (T + 1, h0_len)
    else:
        with pytest.raises((ValueError, TypeError), match=r"W|h0|T"):
            dy.linear_recurrence(W, h0, T)


JUNK = [None, "text", [[1.0, 2.0], [3.0]], np.array([[1 + 1j]]), np.ones((0, 2)), True,
        np.array([["a"]]), 3.5, np.ones((2, 2, 2, 2))]


@pytest.mark.parametrize("junk", JUNK, ids=[f"junk{i}" for i in range(len(JUNK))])
def test_malformed_inputs_give_clear_errors(junk):
    calls = [
        lambda: dy.spectral_radius(junk),
        lambda: dy.rescale_spectral_radius(junk, 1.0),
        lambda: dy.linear_recurrence(np.eye(2), junk, 3),
        lambda: dy.recurrence(junk, np.ones(2), 3),
        lambda: dy.jacobian_product_norms(junk, np.eye(2)),
        lambda: dy.jacobian_product_norms(np.ones((3, 2)), junk),
        lambda: dy.unrolled_weights(junk),
    ]
    for call in calls:
        with pytest.raises((TypeError, ValueError)):
            call()


def test_jacobian_product_norms_of_states_without_h0_are_path_gains():
    # Chapter 8 passes h_1 .. h_T (no h_0): entry t is then ‖J_T ⋯ J_{t+2}‖₂ = ‖∂h_T/∂h_{t+1}‖₂.
    rng = np.random.default_rng(0)
    T, H = 6, 3
    W = rng.normal(size=(H, H))
    h = np.tanh(rng.normal(size=(T, H)))
    gain = dy.jacobian_product_norms(h, W)
    for t in range(T - 1):
        J = np.eye(H)
        for k in range(T - 1, t, -1):  # J_k = diag(1 - h_k^2) W
            J = J @ (np.diag(1 - h[k] ** 2) @ W)
        assert gain[t] == pytest.approx(np.linalg.norm(J, 2), rel=1e-12)
    assert gain[-1] == 1.0
    batch = dy.jacobian_product_norms(np.stack([h, h[::-1]]), W)
    np.testing.assert_allclose(batch[0], gain, rtol=1e-12)

