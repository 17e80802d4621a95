"""Checkers for the coding exercises of chapter 6 ("The challenge of long-term dependencies").

- :func:`rescale_spectral_radius` checks the reader's
  ``rescale_spectral_radius(W, rho)``: a new matrix, ``W`` times a number,
  whose spectral radius max |λ_i| is ``rho``.
- :func:`jacobian_product_norms` checks the reader's
  ``jacobian_product_norms(h, W)``: for the states h_0 .. h_T (rows of ``h``)
  of a tanh network, the spectral norms ‖∂h_T/∂h_k‖₂ for k = 0 .. T, with
  ∂h_t/∂h_{t-1} = diag(1 - h_t²) W (equations ``ltd-jacobian`` and
  ``ltd-product``).

Expected values come from :mod:`textbook_rnn.dynamics`. Each case also
carries what common mistakes return (the largest singular value in place of
the spectral radius, a derivative taken at the wrong step, Jacobians
multiplied in the wrong order, ...), so that the report can name them.
"""

from __future__ import annotations

import numpy as np

from .. import dynamics as ref
from ._core import Array, Case, CheckResult, Exercise, run_cases

__all__ = ["rescale_spectral_radius", "jacobian_product_norms"]

EQ_RHO = "`ρ(W) = max_i |λ_i|` (the eigenvalue largest in modulus)"
EQ_J = "`∂h_t/∂h_{t-1} = diag(1 - h_t²) W` (equation ltd-jacobian)"
EQ_P = "`∂h_T/∂h_k = J_T J_{T-1} ⋯ J_{k+1}` (equation ltd-product)"

RESCALE = Exercise(
    name="rescale_spectral_radius",
    title="W scaled to spectral radius rho, max |λ_i| = rho",
    params=("W", "rho"),
    hints={
        "exception": "W is a real (H, H) array and rho a float. The eigenvalues of a real "
        f"matrix are complex in general; {EQ_RHO}.",
        "type": "Return a numpy array: W multiplied by one number.",
        "shape": "The result has the shape of W, (H, H): multiply W by a number.",
        "dtype": "The eigenvalues of a real matrix can be complex; divide by their largest "
        "*modulus*, `np.abs(np.linalg.eigvals(W)).max()`, a real number, so that the result "
        "stays real.",
        "value": "Multiplying W by a number s multiplies every eigenvalue by s; find the s "
        f"that takes {EQ_RHO} to rho (section \"The linear recurrence and its eigenvalues\").",
        "mutation": "Do not scale W in place (`W *= ...`); return a new array.",
    },
)

NORMS = Exercise(
    name="jacobian_product_norms",
    title="‖∂h_T/∂h_k‖₂ for k = 0 .. T along a tanh trajectory",
    params=("h", "W"),
    hints={
        "exception": "h is (T+1, H): row t is h_t, from h_0 to h_T; W is (H, H); each J_t "
        "is an (H, H) matrix. Print the shape of each intermediate result.",
        "type": "Return T+1 numbers, as a numpy array or a list.",
        "shape": "Return one norm for every k = 0 .. T, shape (T+1,); the last one is "
        "‖∂h_T/∂h_T‖ = ‖I‖ = 1.",
        "value": f"Compare with {EQ_J} and {EQ_P} (section \"Putting the nonlinearity "
        "back\"); the norm asked for is the largest singular value.",
        "mutation": "Do not change h or W in place; compute what you need as new arrays.",
    },
)


# --------------------------------------------------------------------------
# rescale_spectral_radius
# --------------------------------------------------------------------------


def _rescale_spec(value) -> Array:
    return Array(value, "W_rescaled", "(H, H)", rtol=1e-8, atol=1e-12)


def _rescale_case(label: str, W, rho: float) -> Case:
    W = np.asarray(W, dtype=np.float64)
    expected = ref.rescale_spectral_radius(W, rho)
    lam = np.linalg.eigvals(W)
    radius = np.abs(lam).max()
    H = W.shape[0]
    misses = [
        ("it divides by the largest singular value σ_max = ‖W‖₂ (`np.linalg.norm(W, 2)`); "
         f"the spectral radius is {EQ_RHO}, which is smaller unless W is normal.",
         W * (rho / np.linalg.norm(W, 2))),
        ("it divides by the largest eigenvalue without taking its modulus; when the eigenvalue "
         f"largest in size is negative or complex that is the wrong number: {EQ_RHO}.",
         W * (rho / lam.real.max())),
        (f"it divides by the Frobenius norm `np.linalg.norm(W)`, not by {EQ_RHO}.",
         W * (rho / np.linalg.norm(W))),
        (f"it divides by the largest entry |W_ij|, not by {EQ_RHO}.",
         W * (rho / np.abs(W).max())),
        (f"it multiplies W by rho but does not divide by ρ(W) first, with {EQ_RHO}.",
         W * rho),
        ("the ratio is upside down: multiply by rho / ρ(W), not by ρ(W) / rho.",
         W * (radius / rho)),
        ("it shifts the diagonal, W + (rho - ρ(W)) I; that moves every eigenvalue by the same "
         "amount instead of scaling them.", W + (rho - radius) * np.eye(H)),
    ]
    return Case(
        label=label,
        args=(W, float(rho)),
        expected=_rescale_spec(expected),
        near_misses=tuple((sentence, _rescale_spec(value)) for sentence, value in misses),
    )


def rescale_cases() -> list[Case]:
    """The cases of :func:`rescale_spectral_radius`, simplest first.

    Returns
    -------
    list of Case
        A 1 × 1 matrix by hand, a negative dominant eigenvalue, a complex
        pair, a non-normal matrix (ρ < σ_max) and random matrices.
    """
    angle = np.arctan2(0.8, 0.6)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    rng = np.random.default_rng(61)
    return [
        _rescale_case("H=1 by hand: W = [[-2]], rho = 0.5, answer [[-0.5]]", [[-2.0]], 0.5),
        _rescale_case("H=2, W = diag(-1.5, 1), the largest |λ| belongs to a negative λ",
                      np.diag([-1.5, 1.0]), 0.9),
        _rescale_case("H=2, W = 2 × a rotation: eigenvalues 1.2 ± 1.6i, complex",
                      2.0 * rotation, 1.0),
        _rescale_case("H=2, W = [[0.5, 3], [0, 0.5]]: ρ(W) = 0.5 but σ_max(W) ≈ 3.1",
                      [[0.5, 3.0], [0.0, 0.5]], 0.9),
        _rescale_case("H=5, random Gaussian W, rho = 1.1", rng.normal(0, 0.5, size=(5, 5)), 1.1),
        _rescale_case("H=8, random Gaussian W, rho = 0.3", rng.normal(0, 0.3, size=(8, 8)), 0.3),
    ]


def rescale_spectral_radius(fn) -> CheckResult:
    """Check the reader's ``rescale_spectral_radius(W, rho)`` (chapter 6, exercise 6.1).

    The function returns a new (H, H) array, ``W`` times a number, whose
    spectral radius max |λ_i| is ``rho``; ``W`` must not change.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(RESCALE, fn, rescale_cases())


# --------------------------------------------------------------------------
# jacobian_product_norms
# --------------------------------------------------------------------------


def _norms_variant(h, W, *, deriv="h_t", transpose=False, order="later_left", norm="spectral"):
    """‖∂h_T/∂h_k‖ written out step by step, with switches that reproduce common mistakes."""
    T = h.shape[0] - 1
    H = W.shape[0]
    M = W.T if transpose else W
    out = np.empty(T + 1)
    P = np.eye(H)
    out[T] = 1.0
    for t in range(T, 0, -1):
        if deriv == "h_t":
            d = 1.0 - h[t] ** 2
        elif deriv == "h_prev":
            d = 1.0 - h[t - 1] ** 2
        elif deriv == "tanh_of_h":
            d = 1.0 - np.tanh(h[t]) ** 2
        else:
            d = np.ones(H)
        J = d[:, None] * M
        P = P @ J if order == "later_left" else J @ P
        if norm == "spectral":
            out[t - 1] = np.linalg.norm(P, 2)
        elif norm == "frobenius":
            out[t - 1] = np.linalg.norm(P)
        elif norm == "radius":
            out[t - 1] = np.abs(np.linalg.eigvals(P)).max()
        else:  # the product of the step norms: the bound, not the norm
            out[t - 1] = out[t] * np.linalg.norm(J, 2)
    return out


def _norms_spec(value) -> Array:
    return Array(value, "norms", "(T+1,)", rtol=1e-8, atol=1e-12)


def _norms_case(label: str, h, W) -> Case:
    h = np.asarray(h, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    expected = ref.jacobian_product_norms(h, W)
    misses = [
        ("the tanh derivative is taken at h_{t-1}; it belongs to the output of the step, h_t: "
         f"{EQ_J}.", {"deriv": "h_prev"}),
        (f"the tanh derivative is missing: these are the norms of the linear network; {EQ_J}.",
         {"deriv": "none"}),
        ("the derivative is computed as 1 - tanh(h_t)², but h_t is already a tanh: use "
         f"1 - h_t², {EQ_J}.", {"deriv": "tanh_of_h"}),
        ("W is transposed: J_t scales the *rows* of W by 1 - h_t², `(1 - h[t]**2)[:, None] * W`; "
         f"{EQ_J}.", {"transpose": True}),
        ("the Jacobians are multiplied in the wrong order: the latest step goes on the left, "
         f"{EQ_P}, so accumulate `P = P @ J_t` going back in time.", {"order": "later_right"}),
        ("this is the Frobenius norm; the exercise asks for the spectral norm, the largest "
         "singular value `np.linalg.norm(P, 2)`.", {"norm": "frobenius"}),
        ("this is the spectral radius of the product; the exercise asks for its largest "
         "singular value, `np.linalg.norm(P, 2)`.", {"norm": "radius"}),
        ("this is the product of the norms of the single steps, Π ‖J_t‖, which only bounds the "
         f"norm of the product (equation ltd-bound); multiply the matrices first: {EQ_P}.",
         {"norm": "product_of_norms"}),
    ]
    near = [(sentence, _norms_spec(_norms_variant(h, W, **kw))) for sentence, kw in misses]
    near.append(("the entries are in reverse order: entry k must be ‖∂h_T/∂h_k‖, so the first "
                 "entry is the furthest back (k = 0) and the last one is 1 (k = T).",
                 _norms_spec(expected[::-1].copy())))
    return Case(label=label, args=(h, W), expected=_norms_spec(expected), near_misses=tuple(near))


def _trajectory_case(label: str, T: int, H: int, seed: int, *, rho: float = 1.2,
                     drive_scale: float = 0.5) -> Case:
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    if H > 1:
        W = ref.rescale_spectral_radius(W, rho)
    h0 = rng.uniform(-0.8, 0.8, size=H)
    drive = rng.normal(0.0, drive_scale, size=(T, H))
    h = ref.recurrence(W, h0, T, drive=drive)
    return _norms_case(label, h, W)


def norms_cases() -> list[Case]:
    """The cases of :func:`jacobian_product_norms`, simplest first.

    Returns
    -------
    list of Case
        A one-unit, one-step case by hand, then random tanh trajectories with
        a few units and steps, saturated units and a large W.
    """
    return [
        _norms_case("T=1, H=1 by hand: h = (0.5, 0.6), W = 2: norms (2 × (1 - 0.6²), 1) = "
                    "(1.28, 1)", [[0.5], [0.6]], [[2.0]]),
        _trajectory_case("T=3, H=2, a random tanh trajectory", 3, 2, seed=62),
        _trajectory_case("T=5, H=3, a random tanh trajectory", 5, 3, seed=63),
        _trajectory_case("T=1, H=4, a single step", 1, 4, seed=64),
        _trajectory_case("T=6, H=4, strong inputs: saturated units, |h| near 1", 6, 4, seed=65,
                         drive_scale=3.0),
        _trajectory_case("T=8, H=5, W with spectral radius 2.5 (chaotic)", 8, 5, seed=66,
                         rho=2.5),
    ]


def jacobian_product_norms(fn) -> CheckResult:
    """Check the reader's ``jacobian_product_norms(h, W)`` (chapter 6, exercise 6.2).

    For the states ``h`` (T+1, H), rows h_0 .. h_T of the tanh network
    h_t = tanh(W h_{t-1} + U x_t + b), the function returns an array of shape
    (T+1,) whose entry k is the largest singular value of
    ∂h_T/∂h_k = J_T ⋯ J_{k+1}, J_t = diag(1 - h_t²) W; entry T is 1.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(NORMS, fn, norms_cases())
