"""Why long-range dependencies are hard: spectra, Jacobian products, the cliff map.

Chapter 6 ("The challenge of long-term dependencies"). In the book's
column-vector notation, the equations implemented here are::

    h_t = W h_{t-1}                                   (ltd-linear)
    h_t = Q Λ^t Q⁻¹ h_0,  W = Q Λ Q⁻¹                   (ltd-eigen)
    c_{t,i} = λ_i^t c_{0,i},  c_t = Q⁻¹ h_t             (ltd-modes)
    h_t = φ(a_t),  a_t = b + W h_{t-1} + u_t           (ltd-rnn, u_t = U x_t)
    ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W                    (ltd-jacobian)
    ∂h_T/∂h_k = J_T J_{T-1} ⋯ J_{k+1}                  (ltd-product)
    ‖∂h_T/∂h_k‖₂ ≤ (γ σ_max(W))^{T-k}                   (ltd-bound)
    h_t = tanh(w h_{t-1} + b), one unit                (ltd-cliff)
    a_t = b_t + c_t a_{t-1}                            (ltd-scalar)
    a_t = Σ_i (Π_{j=i+1}^t c_j) b_i                    (ltd-unrolled)

Here φ is tanh (γ = 1), the logistic sigmoid (γ = 1/4), the identity or
ReLU (γ = 1); γ bounds |φ'|. φ, φ' and γ come from :mod:`textbook_rnn.activations`,
the nonlinear recurrence from :func:`textbook_rnn.rnn._recurrence`: the loops
of chapter 1 are not written again here.

Row convention. The code stores one state per row, so ``W h_{t-1}`` for a
batch is ``h_prev @ W.T`` and the linear recurrence is
``h[t] = h[t-1] @ W.T``. A Jacobian, however, is a matrix of partial
derivatives and does not depend on how states are stored:
``J[i, j] = ∂h_t[i] / ∂h_{t-1}[j]``, which is ``diag(1 - h_t²) W`` for tanh,
computed as ``(1 - h_t**2)[:, None] * W``.

Goodfellow et al. (2016) write the linear recurrence as h_t = Wᵀ h_{t-1};
their W acts from the other side. W and Wᵀ have the same eigenvalues and
singular values, so nothing in the analysis changes.

Only numpy is imported.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import Shapes, check_positive_int, check_real, real_array
from .activations import ACTIVATIONS, GAMMA, check_activation, phi, phi_prime
from .rnn import _recurrence

__all__ = [
    "ACTIVATIONS",
    "GAMMA",
    "spectrum",
    "spectral_radius",
    "sigma_max",
    "rescale_spectral_radius",
    "rescale_sigma_max",
    "random_recurrent_matrix",
    "matrix_with_eigenvalues",
    "block_triangular",
    "eigendecompose",
    "modal_coordinates",
    "linear_recurrence",
    "linear_recurrence_eigen",
    "alignment",
    "recurrence",
    "step_jacobians",
    "jacobian_products",
    "jacobian_product_norms",
    "pascanu_bound",
    "CliffPath",
    "cliff_map",
    "cross_section",
    "scalar_recurrence",
    "unrolled_weights",
]

# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------


def _square(name: str, W) -> np.ndarray:
    """Check a real square matrix and return it as float64."""
    W = Shapes().array(name, W, ("H", "H"))
    W = W.astype(np.float64, copy=False)
    if not np.all(np.isfinite(W)):
        raise ValueError(f"{name} must hold finite numbers; it contains NaN or infinity")
    return W


def _ndim(value) -> int:
    """The number of dimensions ``value`` would have as an array (-1 if it cannot be one)."""
    try:
        return np.ndim(value)
    except Exception:  # ragged lists: let Shapes.array report them
        return -1


def _states(name: str, h, s: Shapes) -> np.ndarray:
    """Check a trajectory: (T+1, H) for one sequence or (N, T+1, H) for a batch."""
    spec = ("N", "T+1", "H") if _ndim(h) == 3 else ("T+1", "H")
    return s.array(name, h, spec).astype(np.float64, copy=False)


def _start(h0, s: Shapes) -> np.ndarray:
    """Check an initial state: (H,) for one sequence or (N, H) for a batch."""
    spec = ("N", "H") if _ndim(h0) == 2 else ("H",)
    return s.array("h0", h0, spec).astype(np.float64, copy=False)


# --------------------------------------------------------------------------
# spectra and matrices with a prescribed scale
# --------------------------------------------------------------------------


def _sorted(lam: np.ndarray) -> np.ndarray:
    """Indices that sort eigenvalues by decreasing modulus, then real part, then imaginary part."""
    return np.lexsort((-lam.imag, -lam.real, -np.abs(lam)))


def spectrum(W) -> np.ndarray:
    """Eigenvalues of ``W``, largest modulus first.

    Chapter 6, section *The linear recurrence and its eigenvalues*.

    Parameters
    ----------
    W : ndarray, shape (H, H)
        A real square matrix.

    Returns
    -------
    ndarray of complex, shape (H,)
        The eigenvalues, sorted by decreasing ``|λ|`` (ties: larger real part,
        then larger imaginary part first).
    """
    W = _square("W", W)
    lam = np.linalg.eigvals(W).astype(np.complex128)
    return lam[_sorted(lam)]


def spectral_radius(W) -> float:
    """The spectral radius ρ(W) = max |λ_i|, which governs W^t for large t.

    Chapter 6, section *Spectral radius and largest singular value*.

    Parameters
    ----------
    W : ndarray, shape (H, H)

    Returns
    -------
    float
    """
    W = _square("W", W)
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def sigma_max(W) -> float:
    """The largest singular value σ_max(W) = ‖W‖₂: the most one step can stretch.

    Chapter 6, section *Spectral radius and largest singular value*.

    Parameters
    ----------
    W : ndarray, shape (H, H)

    Returns
    -------
    float
        Always at least :func:`spectral_radius` of ``W``.
    """
    W = _square("W", W)
    return float(np.linalg.norm(W, 2))


def rescale_spectral_radius(W, rho):
    """Return ``W`` scaled so that its spectral radius is ``rho``.

    Multiplying a matrix by a number multiplies every eigenvalue by it, so
    ``W * (rho / ρ(W))`` has spectral radius ``rho`` and the same
    eigenvectors. Chapter 6, section *The linear recurrence and its eigenvalues* (and coding
    exercise 6.1).

    Parameters
    ----------
    W : ndarray, shape (H, H)
        Not modified.
    rho : float
        The spectral radius wanted, ``rho >= 0``.

    Returns
    -------
    ndarray, shape (H, H), float64
        A new matrix.

    Raises
    ------
    ValueError
        When ρ(W) = 0 (a nilpotent matrix): no scaling can change it.
    """
    W = _square("W", W)
    rho = check_real("rho", rho, low=0.0)
    current = spectral_radius(W)
    if current == 0.0:
        raise ValueError("W has spectral radius 0 (it is nilpotent); scaling cannot change that")
    return W * (rho / current)


def rescale_sigma_max(W, sigma):
    """Return ``W`` scaled so that its largest singular value is ``sigma``.

    Chapter 6, section *Sufficient and necessary conditions*.

    Parameters
    ----------
    W : ndarray, shape (H, H)
        Not modified.
    sigma : float
        The largest singular value wanted, ``sigma >= 0``.

    Returns
    -------
    ndarray, shape (H, H), float64

    Raises
    ------
    ValueError
        When ``W`` is the zero matrix.
    """
    W = _square("W", W)
    sigma = check_real("sigma", sigma, low=0.0)
    current = sigma_max(W)
    if current == 0.0:
        raise ValueError("W is the zero matrix; scaling cannot give it a positive σ_max")
    return W * (sigma / current)


def random_recurrent_matrix(H: int, *, seed: int = 0, spectral_radius: float | None = None,
                            sigma_max: float | None = None, kind: str = "gaussian"):
    """A random recurrent matrix, optionally rescaled to a given ρ or σ_max.

    Parameters
    ----------
    H : int
        Number of hidden units.
    seed : int
        Seed of ``numpy.random.default_rng``.
    spectral_radius : float, optional
        Rescale so that ρ(W) equals it.
    sigma_max : float, optional
        Rescale so that σ_max(W) equals it. Give at most one of the two.
    kind : {"gaussian", "orthogonal"}
        ``"gaussian"``: entries N(0, 1/H), whose eigenvalues fill a disc of
        radius about 1 while σ_max is about 2. ``"orthogonal"``: a uniformly
        random orthogonal matrix, with every |λ| = σ = 1.

    Returns
    -------
    ndarray, shape (H, H), float64
    """
    H = check_positive_int("H", H)
    if spectral_radius is not None and sigma_max is not None:
        raise ValueError("give spectral_radius or sigma_max, not both")
    if kind not in ("gaussian", "orthogonal"):
        raise ValueError(f"kind must be 'gaussian' or 'orthogonal', got {kind!r}")
    rng = np.random.default_rng(seed)
    A = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(A)
        # fixing the signs of R's diagonal makes Q uniformly (Haar) distributed
        signs = np.sign(np.diag(R))
        signs[signs == 0] = 1.0
        A = Q * signs
    if spectral_radius is not None:
        return rescale_spectral_radius(A, spectral_radius)
    if sigma_max is not None:
        return rescale_sigma_max(A, sigma_max)
    return A


def matrix_with_eigenvalues(eigenvalues, *, seed: int = 0):
    """A real matrix with the given eigenvalues and random eigenvectors.

    W = S B S⁻¹, where B is block diagonal (a real eigenvalue is a 1 × 1
    block, a complex pair r e^{±iθ} the 2 × 2 rotation-scaling block
    ``[[r cos θ, -r sin θ], [r sin θ, r cos θ]]``) and S is a random,
    well-conditioned basis. Chapter 6, section *The linear recurrence and its eigenvalues*.

    Parameters
    ----------
    eigenvalues : array_like of complex, shape (H,)
        Closed under complex conjugation (each non-real value together with
        its conjugate), so that W is real.
    seed : int
        Seed of the random basis S.

    Returns
    -------
    ndarray, shape (H, H), float64
    """
    lam = np.asarray(eigenvalues)
    if lam.ndim != 1 or lam.size == 0 or lam.dtype.kind not in "fiubc":
        raise ValueError(
            f"eigenvalues must be a non-empty 1-D array of numbers, got shape {lam.shape} "
            f"and dtype {lam.dtype}"
        )
    lam = lam.astype(np.complex128)
    if not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues must be finite")
    real = lam[lam.imag == 0].real
    upper = lam[lam.imag > 0]
    lower = lam[lam.imag < 0]
    if not np.array_equal(np.sort_complex(upper), np.sort_complex(np.conj(lower))):
        raise ValueError("eigenvalues must come in conjugate pairs so that W is real")
    blocks = [np.array([[x]]) for x in real]
    for z in upper:
        blocks.append(np.array([[z.real, -z.imag], [z.imag, z.real]]))
    H = lam.size
    B = np.zeros((H, H))
    i = 0
    for block in blocks:
        k = block.shape[0]
        B[i:i + k, i:i + k] = block
        i += k
    rng = np.random.default_rng(seed)
    # a random basis near the identity keeps S well conditioned but not orthogonal
    S = np.eye(H) + rng.normal(0.0, 0.5 / np.sqrt(H), size=(H, H))
    return S @ B @ np.linalg.inv(S)


def block_triangular(eigenvalues, coupling: float = 0.0):
    """A real matrix with the given eigenvalues, normal or not by one number.

    The eigenvalues sit on the diagonal as in :func:`matrix_with_eigenvalues`
    (a real one as a 1 × 1 block, a pair r e^{±iθ} as the rotation-scaling
    block ``[[r cos θ, -r sin θ], [r sin θ, r cos θ]]``, pairs first, then
    the real ones in the order given), and every entry above the diagonal
    blocks equals ``coupling``. A block-triangular matrix has the eigenvalues
    of its diagonal blocks, so ``coupling`` leaves the spectrum alone; at
    ``coupling = 0`` the matrix is normal (σ_max = ρ), and the larger
    ``|coupling|``, the larger σ_max and the more the state can grow for a
    while before the eigenvalues take over. Chapter 6, section *Spectral
    radius and largest singular value*.

    Parameters
    ----------
    eigenvalues : array_like of complex, shape (H,)
        Closed under complex conjugation.
    coupling : float
        Every entry above the diagonal blocks.

    Returns
    -------
    ndarray, shape (H, H), float64
    """
    lam = np.asarray(eigenvalues)
    if lam.ndim != 1 or lam.size == 0 or lam.dtype.kind not in "fiubc":
        raise ValueError(
            f"eigenvalues must be a non-empty 1-D array of numbers, got shape {lam.shape} "
            f"and dtype {lam.dtype}"
        )
    lam = lam.astype(np.complex128)
    coupling = float(coupling)
    if not (np.all(np.isfinite(lam)) and np.isfinite(coupling)):
        raise ValueError("eigenvalues and coupling must be finite")
    upper, lower = lam[lam.imag > 0], lam[lam.imag < 0]
    if not np.array_equal(np.sort_complex(upper), np.sort_complex(np.conj(lower))):
        raise ValueError("eigenvalues must come in conjugate pairs so that W is real")
    blocks = [np.array([[z.real, -z.imag], [z.imag, z.real]]) for z in upper]
    blocks += [np.array([[x]]) for x in lam[lam.imag == 0].real]
    H = lam.size
    W = np.triu(np.full((H, H), coupling))
    i = 0
    for block in blocks:
        k = block.shape[0]
        W[i:i + k, i:i + k] = block  # also clears the coupling inside a 2 × 2 block
        i += k
    return W


# --------------------------------------------------------------------------
# the linear recurrence
# --------------------------------------------------------------------------


def eigendecompose(W, *, max_condition: float = 1e10):
    """Eigenvalues and eigenvectors of ``W`` with W = Q Λ Q⁻¹ (equation ``ltd-eigen``).

    Parameters
    ----------
    W : ndarray, shape (H, H)
    max_condition : float
        Refuse matrices whose eigenvector matrix has a larger condition
        number: they are (numerically) not diagonalisable.

    Returns
    -------
    lam : ndarray of complex, shape (H,)
        Eigenvalues, largest modulus first.
    Q : ndarray of complex, shape (H, H)
        Unit-length eigenvectors in the columns, in the order of ``lam``.
    """
    W = _square("W", W)
    lam, Q = np.linalg.eig(W)
    order = _sorted(lam.astype(np.complex128))
    lam, Q = lam[order].astype(np.complex128), Q[:, order].astype(np.complex128)
    cond = np.linalg.cond(Q)
    if not cond < max_condition:
        raise ValueError(
            f"W is not diagonalisable to working precision (condition number of its "
            f"eigenvector matrix {cond:.1e}); the eigenvalue picture needs W = Q Λ Q⁻¹"
        )
    return lam, Q


def modal_coordinates(W, h):
    """Coordinates of states in the eigenvector basis of ``W``: c = Q⁻¹ h.

    Along the linear recurrence each coordinate evolves on its own,
    c_t[i] = λ_i^t c_0[i]. Chapter 6, section *The linear recurrence and its eigenvalues*.

    Parameters
    ----------
    W : ndarray, shape (H, H)
    h : ndarray, shape (..., H)
        One state per row (any number of leading axes).

    Returns
    -------
    lam : ndarray of complex, shape (H,)
        Eigenvalues, largest modulus first.
    c : ndarray of complex, shape (..., H)
        ``c[..., i]`` is the coordinate along the i-th eigenvector.
    """
    W = _square("W", W)
    h = np.asarray(h)
    if h.dtype.kind not in "fiub" or h.ndim < 1 or h.shape[-1] != W.shape[0]:
        raise ValueError(
            f"h must be real with shape (..., H) = (..., {W.shape[0]}), got shape "
            f"{h.shape} and dtype {h.dtype}"
        )
    lam, Q = eigendecompose(W)
    flat = h.reshape(-1, W.shape[0]).astype(np.float64)
    c = np.linalg.solve(Q, flat.T).T  # (M, H): Q c = h, one state per row
    return lam, c.reshape(h.shape)


def linear_recurrence(W, h0, T: int):
    """Iterate h_t = W h_{t-1} for T steps (equation ``ltd-linear``).

    Parameters
    ----------
    W : ndarray, shape (H, H)
    h0 : ndarray, shape (H,) or (N, H)
        Initial state(s).
    T : int
        Number of steps.

    Returns
    -------
    ndarray, shape (T+1, H) or (N, T+1, H)
        ``h[..., t, :]`` is h_t; h_0 included.
    """
    s = Shapes()
    W = s.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    h0 = _start(h0, s)
    T = check_positive_int("T", T)
    h = np.empty(h0.shape[:-1] + (T + 1, h0.shape[-1]))
    h[..., 0, :] = h0
    for t in range(1, T + 1):
        # h_t = W h_{t-1}                         rows: h_{t-1} @ W.T
        h[..., t, :] = h[..., t - 1, :] @ W.T
    return h


def linear_recurrence_eigen(W, h0, T: int):
    """The linear recurrence in closed form (equation ``ltd-eigen``).

    h_t = Q Λ^t Q⁻¹ h_0: the coordinates c_0 = Q⁻¹ h_0 of the start in the
    eigenvector basis, each multiplied by its eigenvalue t times.

    Parameters
    ----------
    W : ndarray, shape (H, H)
        Must be diagonalisable.
    h0 : ndarray, shape (H,) or (N, H)
    T : int

    Returns
    -------
    ndarray, shape (T+1, H) or (N, T+1, H)
        Real parts (the imaginary parts cancel for real W and h_0).
    """
    s = Shapes()
    W = s.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    h0 = _start(h0, s)
    T = check_positive_int("T", T)
    lam, Q = eigendecompose(W)
    c0 = np.linalg.solve(Q, np.atleast_2d(h0).T).T  # (N, H): Q⁻¹ h_0
    powers = lam[None, :] ** np.arange(T + 1)[:, None]  # (T+1, H)
    # h_t = Q (Λ^t c_0), every t at once:  (N, T+1, H)
    h = (c0[:, None, :] * powers[None]) @ Q.T
    h = h.real
    return h[0] if h0.ndim == 1 else h


def alignment(h, v):
    """How much of each state lies along the eigen-direction ``v``: ‖proj h‖ / ‖h‖.

    For a real ``v`` this is |cos| of the angle between h and v. A complex
    eigenvector of a real matrix stands for the real plane spanned by its
    real and imaginary parts, in which the state rotates; then the
    projection is onto that plane. Along the linear recurrence the value tends
    to 1 for the eigenvector of the largest |λ| (chapter 6, section *The
    linear recurrence*).

    Parameters
    ----------
    h : ndarray, shape (..., H)
        States, one per row.
    v : ndarray, shape (H,)
        A nonzero real or complex direction.

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1]; NaN for a zero state.
    """
    v = np.asarray(v)
    if v.ndim != 1 or v.dtype.kind not in "fiubc":
        raise ValueError(f"v must be a 1-D array of numbers, got shape {v.shape}")
    h = np.asarray(h)
    if h.dtype.kind not in "fiub" or h.ndim < 1 or h.shape[-1] != v.size:
        raise ValueError(f"h must be real with shape (..., H) = (..., {v.size}), got shape "
                         f"{h.shape} and dtype {h.dtype}")
    v = v.astype(np.complex128)
    if not np.any(v != 0):
        raise ValueError("v must be nonzero")
    span = np.stack([v.real, v.imag], axis=1)  # (H, 2)
    basis, r = np.linalg.qr(span)
    keep = np.abs(np.diag(r)) > 1e-12 * np.abs(r).max()
    basis = basis[:, keep]  # orthonormal basis of the real span of v
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(h @ basis, axis=-1) / np.linalg.norm(h, axis=-1)


# --------------------------------------------------------------------------
# the nonlinear recurrence and its Jacobians
# --------------------------------------------------------------------------


def recurrence(W, h0, T: int, *, activation: str = "tanh", b=None, drive=None):
    """Iterate h_t = φ(b + W h_{t-1} + u_t), keeping h_0 (equation ``ltd-rnn``).

    Chapter 6, section *Putting the nonlinearity back*.

    With ``activation="tanh"`` and ``drive`` = U x_t this is the forward pass of
    :func:`textbook_rnn.rnn.rnn_forward`, with h_0 stored as well.

    Parameters
    ----------
    W : ndarray, shape (H, H)
    h0 : ndarray, shape (H,) or (N, H)
    T : int
        Number of steps.
    activation : {"tanh", "relu", "sigmoid", "linear"}
    b : ndarray, shape (H,), optional
        Bias (zero when omitted).
    drive : ndarray, shape (T, H) or (N, T, H), optional
        The input term u_t = U x_t of each step (zero when omitted); one
        shared sequence (T, H) may drive a whole batch.

    Returns
    -------
    ndarray, shape (T+1, H) or (N, T+1, H)
    """
    f = phi(activation)
    s = Shapes()
    W = s.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    h0 = _start(h0, s)
    T = check_positive_int("T", T)
    s.dims["T"] = T
    b = np.zeros(W.shape[0]) if b is None else s.array("b", b, ("H",)).astype(np.float64)
    if drive is None:
        drive = np.zeros((T, W.shape[0]))
    else:
        if _ndim(drive) == 3 and h0.ndim == 2:
            drive = s.array("drive", drive, ("N", "T", "H"))
        else:
            drive = s.array("drive", drive, ("T", "H"))
        drive = drive.astype(np.float64, copy=False)
    batch = np.atleast_2d(h0)  # (N, H)
    # a_t = b + W h_{t-1} + u_t;  h_t = φ(a_t), by the loop of chapter 1
    u = np.broadcast_to(drive + b, (batch.shape[0], T, W.shape[0]))  # (N, T, H)
    h = np.concatenate([batch[:, None, :], _recurrence(u, batch, W, f)], axis=1)
    return h[0] if h0.ndim == 1 else h


def step_jacobians(h, W, *, activation: str = "tanh"):
    """The Jacobian of every step along a trajectory (``ltd-jacobian``).

    Chapter 6, section *Putting the nonlinearity back*.

    J_t = ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W, with φ'(a_t) read off h_t
    (1 - h_t² for tanh).

    Parameters
    ----------
    h : ndarray, shape (T+1, H) or (N, T+1, H)
        States h_0 ... h_T, e.g. from :func:`recurrence`.
    W : ndarray, shape (H, H)
    activation : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    ndarray, shape (T, H, H) or (N, T, H, H)
        Entry ``[..., t-1, :, :]`` is J_t, for t = 1 .. T.
    """
    check_activation(activation)
    s = Shapes()
    h = _states("h", h, s)
    W = s.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    d = phi_prime(h[..., 1:, :], activation)  # (..., T, H): φ'(a_t)
    # J_t[i, j] = φ'(a_t)[i] W[i, j]
    return d[..., :, None] * W


def jacobian_products(h, W, *, activation: str = "tanh"):
    """∂h_T/∂h_k for every k, products of Jacobians (``ltd-product``).

    Chapter 6, section *Putting the nonlinearity back*.

    P_T = I and P_{k-1} = P_k J_k: the products are accumulated from the
    end, the way back-propagation would carry them.

    Parameters
    ----------
    h : ndarray, shape (T+1, H) or (N, T+1, H)
        States h_0 ... h_T.
    W : ndarray, shape (H, H)
    activation : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    ndarray, shape (T+1, H, H) or (N, T+1, H, H)
        Entry ``[..., k, :, :]`` is ∂h_T/∂h_k; entry T is the identity.
    """
    J = step_jacobians(h, W, activation=activation)  # (..., T, H, H)
    T, H = J.shape[-3], J.shape[-1]
    P = np.empty(J.shape[:-3] + (T + 1, H, H))
    P[..., T, :, :] = np.eye(H)
    for k in range(T, 0, -1):
        # ∂h_T/∂h_{k-1} = (∂h_T/∂h_k) J_k
        P[..., k - 1, :, :] = P[..., k, :, :] @ J[..., k - 1, :, :]
    return P


def jacobian_product_norms(h, W, *, activation: str = "tanh"):
    """Spectral norms ‖∂h_T/∂h_k‖₂ for k = 0 .. T (chapter 6, coding exercise 6.2).

    Parameters
    ----------
    h : ndarray, shape (T+1, H) or (N, T+1, H)
        States h_0 ... h_T.
    W : ndarray, shape (H, H)
    activation : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    ndarray, shape (T+1,) or (N, T+1)
        Entry k is the largest singular value of ∂h_T/∂h_k; entry T is 1.
    """
    P = jacobian_products(h, W, activation=activation)
    return np.linalg.norm(P, ord=2, axis=(-2, -1))


def pascanu_bound(sigma, steps, *, activation: str = "tanh"):
    """The bound (γ σ_max)^steps on ‖∂h_T/∂h_{T-steps}‖₂ (equation ``ltd-bound``).

    Chapter 6, section *Sufficient and necessary conditions*.

    Each J_t = diag(φ'(a_t)) W has ‖J_t‖₂ ≤ γ σ_max(W), since |φ'| ≤ γ; a
    product of ``steps`` of them is bounded by the product of the bounds
    (Pascanu, Mikolov & Bengio, 2013).

    Parameters
    ----------
    sigma : float
        σ_max(W).
    steps : int or ndarray of int
        How many steps back, T - k.
    activation : {"tanh", "relu", "sigmoid", "linear"}
        Chooses γ from :data:`GAMMA`.

    Returns
    -------
    float or ndarray
        Same shape as ``steps``.
    """
    sigma = check_real("sigma", sigma, low=0.0)
    gamma = GAMMA[check_activation(activation)]
    steps = np.asarray(steps)
    if steps.dtype.kind not in "iu" or np.any(steps < 0):
        raise ValueError(f"steps must hold non-negative integers, got {steps!r}")
    out = (gamma * sigma) ** steps.astype(np.float64)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------
# one unit composed with itself: the cliff
# --------------------------------------------------------------------------


class CliffPath(NamedTuple):
    """Iterates of the one-unit map and their derivatives (see :func:`cliff_map`).

    Each field has shape ``(T+1,) + shape``, where ``shape`` is the broadcast
    shape of ``h0``, ``w`` and ``b``.
    """

    h: np.ndarray
    """h_t for t = 0 .. T."""
    dh0: np.ndarray
    """∂h_t/∂h_0."""
    dw: np.ndarray
    """∂h_t/∂w."""
    db: np.ndarray
    """∂h_t/∂b."""


def _one_unit_orbit(h0, w, b, T: int) -> np.ndarray:
    """h_t = tanh(w h_{t-1} + b) for t = 0 .. T, unchecked; h0, w, b broadcast together."""
    h = np.empty((T + 1,) + np.broadcast_shapes(np.shape(h0), np.shape(w), np.shape(b)))
    h[0] = h0
    for t in range(1, T + 1):
        # h_t = tanh(w h_{t-1} + b)                         (ltd-cliff, opt-cliff-map)
        h[t] = np.tanh(w * h[t - 1] + b)
    return h


def cliff_map(h0, T: int, w, b=0.0) -> CliffPath:
    """Compose the one-unit map h ↦ tanh(w h + b) with itself (``ltd-cliff``).

    Forward-mode derivatives ride along: with s_t = 1 - h_t²,

    - ∂h_t/∂h_0 = s_t w ∂h_{t-1}/∂h_0,
    - ∂h_t/∂w = s_t (h_{t-1} + w ∂h_{t-1}/∂w),
    - ∂h_t/∂b = s_t (1 + w ∂h_{t-1}/∂b).

    For w > 1 the map has two attracting fixed points; after many steps h_T
    is nearly a step function of h_0 and, near a bifurcation, of b: flat
    almost everywhere, with a cliff between. Chapter 6, section *A composed
    map is extremely nonlinear*.

    Parameters
    ----------
    h0, w, b : float or ndarray
        Initial state, weight and bias; they broadcast against each
        other, so one call can sweep a grid of starts or of parameters.
    T : int
        Number of compositions.

    Returns
    -------
    CliffPath
        ``h``, ``dh0``, ``dw``, ``db``, each of shape ``(T+1,) + shape``.
    """
    h0 = real_array("h0", h0)
    w = real_array("w", w)
    b = real_array("b", b)
    T = check_positive_int("T", T)
    try:
        np.broadcast_shapes(h0.shape, w.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"h0, w and b must broadcast together, got shapes {h0.shape}, "
            f"{w.shape}, {b.shape}"
        ) from None
    h = _one_unit_orbit(h0, w, b, T)  # h_0 .. h_T
    return CliffPath(h, *_one_unit_derivatives(h, w))


def _one_unit_derivatives(h, w):
    """∂h_t/∂h_0, ∂h_t/∂w and ∂h_t/∂b along an orbit ``h`` (T+1, ...), unchecked."""
    dh0, dw, db = (np.empty_like(h) for _ in range(3))
    dh0[0], dw[0], db[0] = 1.0, 0.0, 0.0
    for t in range(1, h.shape[0]):
        # the chain rule through h_t = tanh(w h_{t-1} + b), with s_t = 1 - h_t²
        s = 1.0 - h[t] ** 2
        dh0[t] = s * w * dh0[t - 1]
        dw[t] = s * (h[t - 1] + w * dw[t - 1])
        db[t] = s * (1.0 + w * db[t - 1])
    return dh0, dw, db


def cross_section(W, s, T: int, *, direction, readout, centre=None, activation: str = "tanh",
                  b=None):
    """A one-dimensional slice through the map h_0 ↦ h_t, for t = 0 .. T.

    Chapter 6, section *A composed map is extremely nonlinear*.

    The starting states h_0 = ``centre`` + s · ``direction`` lie on a line;
    each h_t is projected on ``readout``. Plotting the result
    against ``s`` shows a cross-section of the high-dimensional map h_0 ↦ h_t
    (the analogue of figure 10.15 of Goodfellow et al., 2016).

    Parameters
    ----------
    W : ndarray, shape (H, H)
    s : ndarray, shape (S,)
        Positions along the line.
    T : int
        Number of steps.
    direction : ndarray, shape (H,)
        Direction of the line of starting states.
    readout : ndarray, shape (H,)
        Direction on which each state is projected.
    centre : ndarray, shape (H,), optional
        A point on the line (the origin when omitted).
    activation : {"tanh", "relu", "sigmoid", "linear"}
    b : ndarray, shape (H,), optional

    Returns
    -------
    ndarray, shape (T+1, S)
        Entry ``[t, i]`` is readout · h_t for the start s[i] · direction.
    """
    shapes = Shapes()
    W = shapes.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    s = shapes.array("s", s, ("S",)).astype(np.float64, copy=False)
    direction = shapes.array("direction", direction, ("H",)).astype(np.float64, copy=False)
    readout = shapes.array("readout", readout, ("H",)).astype(np.float64, copy=False)
    centre = (np.zeros(W.shape[0]) if centre is None
              else shapes.array("centre", centre, ("H",)).astype(np.float64, copy=False))
    h0 = centre + s[:, None] * direction  # (S, H)
    h = recurrence(W, h0, T, activation=activation, b=b)  # (S, T+1, H)
    return (h @ readout).T


# --------------------------------------------------------------------------
# the scalar recurrence behind BPTT
# --------------------------------------------------------------------------


def scalar_recurrence(b, c, a0: float = 0.0):
    """Run the scalar recurrence a_t = b_t + c_t a_{t-1}, t = 1 .. T (``ltd-scalar``).

    Chapter 6, section *The gradient as a sum over time lags*.

    With a_t = ∂h_t/∂w, b_t the direct effect of w on step t and c_t =
    ∂h_t/∂h_{t-1}, this is the recursion that BPTT evaluates for a scalar
    network.

    Parameters
    ----------
    b, c : ndarray, shape (T,)
        b_1 .. b_T and c_1 .. c_T.
    a0 : float
        a_0.

    Returns
    -------
    ndarray, shape (T,)
        a_1 .. a_T.
    """
    s = Shapes()
    b = s.array("b", b, ("T",)).astype(np.float64, copy=False)
    c = s.array("c", c, ("T",)).astype(np.float64, copy=False)
    a_prev = check_real("a0", a0)
    a = np.empty_like(b)
    for t in range(b.size):
        # a_t = b_t + c_t a_{t-1}
        a_prev = b[t] + c[t] * a_prev
        a[t] = a_prev
    return a


def unrolled_weights(c):
    """The weights of the unrolled recurrence: M[t, i] = Π_{j=i+1}^{t} c_j.

    Chapter 6, section *The gradient as a sum over time lags*.

    With a_0 = 0, a = M b: term i of a_t is b_i weighted by the product of
    the t - i factors c_{i+1} ⋯ c_t (equation ``ltd-unrolled``; indices
    from 0 in code). The diagonal is 1 (the empty product) and the upper
    triangle 0.

    Parameters
    ----------
    c : ndarray, shape (T,)

    Returns
    -------
    ndarray, shape (T, T)
        Lower triangular.
    """
    c = Shapes().array("c", c, ("T",)).astype(np.float64, copy=False)
    T = c.size
    M = np.zeros((T, T))
    for t in range(T):
        M[t, t] = 1.0
        for i in range(t - 1, -1, -1):
            # Π_{j=i+1}^{t} c_j = c_{i+1} · Π_{j=i+2}^{t} c_j
            M[t, i] = M[t, i + 1] * c[i + 1]
    return M
