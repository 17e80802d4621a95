"""How a sequence model decides the length τ (chapter "Sequence modelling").

Three ways, each a different factorisation of P(y(1), ..., y(τ), τ):

- an end-of-sequence symbol: the output alphabet gains one symbol; the
  sequence ends when it is drawn (:func:`eos_log_likelihood`);
- a Bernoulli "halt" output: at every step a sigmoid unit gives the
  probability of stopping after this step (:func:`halt_log_likelihood`,
  equation ``seq-halt``);
- predicting τ itself: a categorical distribution over lengths first, then
  the symbols given τ (:func:`length_log_likelihood`); the model can be fed
  τ, or the steps left τ - t, at each step (:func:`remaining_steps`).

:func:`length_distribution` and :func:`length_divergence` compare the
lengths a model generates with the true distribution. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive_int

__all__ = [
    "halt_log_likelihood",
    "eos_log_likelihood",
    "length_log_likelihood",
    "remaining_steps",
    "length_distribution",
    "length_divergence",
]


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """Log σ(z) = -log(1 + e^{-z}), stable for large |z|."""
    return -np.logaddexp(0.0, -z)


def _logits(name: str, value, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu" or arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty real array with {ndim} dimensions, got "
                         f"dtype {arr.dtype} and shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def halt_log_likelihood(symbol_log_probs, halt_logits, tau: int) -> float:
    """Log P(y(1..τ), τ) under a model with a Bernoulli halt output, equation ``seq-halt``.

    log P = Σ_{t=1}^{τ} log P(y(t) | ...) + Σ_{t=1}^{τ-1} log(1 - σ(z_t)) + log σ(z_τ):
    the model goes on after every step before τ and stops after step τ.

    Parameters
    ----------
    symbol_log_probs : array_like, shape (T,)
        log P(y(t) | y(<t)) of the observed symbols, T ≥ τ (later entries unused).
    halt_logits : array_like, shape (T,)
        z_t, the halt unit's pre-sigmoid output after step t.
    tau : int
        The sequence's length, 1 ≤ τ ≤ T.

    Returns
    -------
    float
    """
    lp = _logits("symbol_log_probs", symbol_log_probs, 1)
    z = _logits("halt_logits", halt_logits, 1)
    if lp.shape != z.shape:
        raise ValueError(f"symbol_log_probs and halt_logits must have the same shape (T,), "
                         f"got {lp.shape} and {z.shape}")
    tau = check_positive_int("tau", tau)
    if tau > z.size:
        raise ValueError(f"tau must be at most T={z.size}, got {tau}")
    go_on = _log_sigmoid(-z[: tau - 1]).sum()  # log(1 - σ(z)) = log σ(-z)
    return float(lp[:tau].sum() + go_on + _log_sigmoid(z[tau - 1]))


def eos_log_likelihood(log_probs, y, eos: int) -> float:
    """Log P(y(1..τ), <eos>) when the sequence ends by emitting the symbol ``eos``.

    Parameters
    ----------
    log_probs : array_like, shape (T, K + 1)
        Log-probabilities over the K symbols and the end symbol at each step,
        T ≥ τ + 1.
    y : array_like of int, shape (τ,)
        The sequence, without the end symbol.
    eos : int
        The end symbol's id.

    Returns
    -------
    float
    """
    lp = _logits("log_probs", log_probs, 2)
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"y must be a 1-D array of symbol ids, got {y.dtype} {y.shape}")
    if not 0 <= eos < lp.shape[1]:
        raise ValueError(f"eos must be a column of log_probs (0..{lp.shape[1] - 1}), got {eos}")
    if np.any(y == eos):
        raise ValueError("y must not contain the end symbol: it marks where y stops")
    if lp.shape[0] < y.size + 1:
        raise ValueError(f"log_probs needs at least τ + 1 = {y.size + 1} rows, got {lp.shape[0]}")
    steps = np.arange(y.size)
    return float(lp[steps, y].sum() + lp[y.size, eos])


def length_log_likelihood(length_log_probs, symbol_log_probs, tau: int) -> float:
    """Log P(τ) + Σ_t log P(y(t) | y(<t), τ) when the model first predicts the length.

    Parameters
    ----------
    length_log_probs : array_like, shape (T_max,)
        log P(τ = 1), ..., log P(τ = T_max).
    symbol_log_probs : array_like, shape (τ,)
        log-probabilities of the observed symbols given τ.
    tau : int

    Returns
    -------
    float
    """
    lq = _logits("length_log_probs", length_log_probs, 1)
    lp = _logits("symbol_log_probs", symbol_log_probs, 1)
    tau = check_positive_int("tau", tau)
    if tau > lq.size or lp.size != tau:
        raise ValueError(f"need 1 ≤ τ ≤ T_max={lq.size} and τ symbol log-probabilities; got "
                         f"τ={tau} and {lp.size}")
    return float(lq[tau - 1] + lp.sum())


def remaining_steps(tau, T: int) -> np.ndarray:
    """The steps still to come, τ - t, at each step t = 1..T (0 once the sequence has ended).

    Fed to a generator at each step, it tells it how many symbols remain.

    Parameters
    ----------
    tau : array_like of int, shape (N,)
    T : int

    Returns
    -------
    ndarray of int64, shape (N, T)
    """
    tau = np.asarray(tau)
    T = check_positive_int("T", T)
    if tau.ndim != 1 or tau.dtype.kind not in "iu" or np.any(tau < 1):
        raise ValueError("tau must be a 1-D array of positive integer lengths")
    t = np.arange(1, T + 1)
    return np.maximum(tau[:, None] - t[None, :], 0).astype(np.int64)


def length_distribution(lengths, T_max: int) -> np.ndarray:
    """Empirical distribution of lengths 1..T_max, shape (T_max,); longer ones are clipped."""
    lengths = np.asarray(lengths)
    T_max = check_positive_int("T_max", T_max)
    if lengths.ndim != 1 or lengths.size == 0 or lengths.dtype.kind not in "iu":
        raise ValueError("lengths must be a non-empty 1-D integer array")
    if np.any(lengths < 1):
        raise ValueError("lengths must be positive")
    counts = np.bincount(np.minimum(lengths, T_max) - 1, minlength=T_max)
    return counts / counts.sum()


def length_divergence(p, q, *, eps: float = 1e-6) -> float:
    """KL(p ‖ q) in bits between two length distributions; q is floored at ``eps``.

    A model that never produces a length the data has gets a large, finite
    penalty instead of infinity.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"p and q must be 1-D of the same length, got {p.shape} and {q.shape}")
    q = np.maximum(q, eps)
    q = q / q.sum()
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))
