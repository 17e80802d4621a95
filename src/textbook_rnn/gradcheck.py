"""Numerical gradients for checking derivations (chapter 2, *Checking the derivation*).

Centred differences, ``(f(θ + ε e_i) - f(θ - ε e_i)) / 2ε``, have an error of
order ε² instead of the ε of one-sided differences. In float64 with
ε ≈ 1e-6 that leaves about ten correct digits, enough to tell a right
gradient (relative error ~1e-9) from a wrong one (~1e-2 or worse).

Unlike many course helpers, :func:`numerical_gradient` never modifies the
array it is given: it perturbs a private copy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a scalar.
    x : ndarray, any shape
        Where to differentiate. Converted to float64; never modified.
    eps : float
        Step size.

    Returns
    -------
    ndarray, shape of ``x``, float64
        ∂f/∂x estimated entry by entry.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"x must hold real numbers, got dtype {arr.dtype}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    point = arr.astype(np.float64, copy=True)
    grad = np.zeros_like(point)
    flat, gflat = point.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = float(f(point))
        flat[i] = saved - eps
        down = float(f(point))
        flat[i] = saved
        gflat[i] = (up - down) / (2.0 * eps)
    return grad


def relative_error(a, b, floor: float = 1e-12) -> float:
    """Relative error ``‖a - b‖ / max(‖a‖ + ‖b‖, floor)`` in the Frobenius norm.

    A norm over the whole array rather than a maximum over entries: an entry
    that is zero up to rounding in both arrays would otherwise dominate.

    Parameters
    ----------
    a, b : ndarray, same shape
    floor : float
        Keeps entries where both are (nearly) zero from dividing by zero.

    Returns
    -------
    float
        0 for identical arrays; about 1 when they share no digit.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), floor)
    return float(np.linalg.norm(a - b)) / scale
