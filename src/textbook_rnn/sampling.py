"""Sampling from a sequence model: temperature, ancestral sampling, bits per symbol.

Chapter "Sequence modelling", sections on RNNs as directed graphical models
and on the character-level language model:

- :func:`softmax_temperature`, equation ``seq-temperature``:
  p_k(τ) = exp(o_k / τ) / Σ_j exp(o_j / τ), stable for any temperature τ > 0
  and any finite logits, with the two limits τ → 0 (all mass on the largest
  logit, ties shared) and τ → ∞ (uniform) reached without overflow;
- :func:`sample_categorical`, one draw per row from given probabilities;
- :func:`ancestral_sample`, equation ``seq-ancestral``: draw y(1), feed it
  back, draw y(2) given it, and so on, through any one-step model;
- :func:`bits_per_symbol`, the unit language models are compared in.

Only numpy is imported.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from ._validate import as_rng, check_positive_int

__all__ = ["softmax_temperature", "sample_categorical", "ancestral_sample", "bits_per_symbol"]


def _temperature(temperature) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a positive number, got {temperature!r}")
    value = float(temperature)
    if math.isnan(value) or value <= 0:
        raise ValueError(f"temperature must be a positive number, got {value}")
    return value


def softmax_temperature(o, temperature=1.0, axis: int = -1) -> np.ndarray:
    """Softmax of the logits divided by a temperature, equation ``seq-temperature``.

    Dividing by τ before the softmax sharpens the distribution (τ < 1) or
    flattens it (τ > 1). Two things keep it finite for every τ: the largest
    logit is subtracted first (softmax is shift invariant), so the largest
    exponent is exactly 0; and the shifted logits are divided by τ only after
    that, so a tiny τ sends the others to -inf (probability 0) instead of
    overflowing. ``temperature=inf`` gives the uniform distribution.

    Parameters
    ----------
    o : array_like, shape (..., K)
        Finite logits.
    temperature : float
        τ > 0; ``math.inf`` is allowed.
    axis : int
        The axis holding the K classes.

    Returns
    -------
    ndarray, same shape as ``o``
        Probabilities summing to 1 along ``axis`` (float32 stays float32).
    """
    tau = _temperature(temperature)
    try:
        o = np.asarray(o)
    except Exception as exc:  # ragged nested lists
        raise TypeError(f"o could not be converted to an array: {exc}") from None
    if o.dtype.kind not in "fiu" or o.ndim == 0 or o.size == 0:
        raise ValueError(f"o must be a non-empty array of real logits, got dtype {o.dtype} "
                         f"and shape {o.shape}")
    if not np.all(np.isfinite(o)):
        raise ValueError("o must hold finite logits (no NaN or inf)")
    o = o.astype(o.dtype if o.dtype.kind == "f" else np.float64, copy=False)
    shifted = o - o.max(axis=axis, keepdims=True)  # largest is exactly 0
    if math.isinf(tau):
        scaled = np.zeros_like(shifted)
    else:
        with np.errstate(over="ignore", under="ignore"):
            scaled = shifted / tau  # <= 0; may be -inf for tiny tau: exp gives 0
    with np.errstate(under="ignore"):  # exp of very negative numbers is 0, as it should be
        e = np.exp(scaled)
    return e / e.sum(axis=axis, keepdims=True)


def sample_categorical(p, rng) -> np.ndarray:
    """One draw from each row of a categorical distribution.

    Parameters
    ----------
    p : array_like, shape (N, K)
        Probabilities; each row sums to 1 (within 1e-6).
    rng : numpy.random.Generator or int
        The random source (an int is used as a seed).

    Returns
    -------
    ndarray of int64, shape (N,)
        The class drawn from each row.
    """
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != 2 or p.size == 0:
        raise ValueError(f"p must have shape (N, K), got shape {p.shape}")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("each row of p must be non-negative and sum to 1")
    rng = as_rng(rng)
    # inverse-CDF sampling, one uniform number per row; the last edge is set to 1
    # so that rounding in the cumulative sum can never push a draw past class K-1
    edges = np.cumsum(p, axis=1)
    edges[:, -1] = 1.0
    u = rng.random(p.shape[0])[:, None]
    return (u >= edges).sum(axis=1).astype(np.int64)


def ancestral_sample(step: Callable, state, first, length: int, *, temperature=1.0, seed=0):
    """Draw sequences symbol by symbol, feeding each draw back: equation ``seq-ancestral``.

    ``step(state, y_prev)`` is any one-step model: it takes the state and the
    previous symbols (int array, shape (N,)) and returns ``(state, o)`` with
    logits ``o`` of shape (N, K). Each symbol is drawn from
    ``softmax_temperature(o, temperature)`` and becomes the next input.

    Parameters
    ----------
    step : callable
        ``(state, y_prev) -> (state, o)``.
    state : object
        The model's initial state (e.g. h(0), shape (N, H)).
    first : array_like of int, shape (N,)
        The symbols fed in at the first step (e.g. a start symbol).
    length : int
        How many symbols to draw.
    temperature : float
        See :func:`softmax_temperature`.
    seed : int or numpy.random.Generator
        The random source; the same seed gives the same samples.

    Returns
    -------
    ndarray of int64, shape (N, length)
        The symbols drawn.
    """
    if not callable(step):
        raise TypeError(f"step must be callable, got {type(step).__name__}")
    length = check_positive_int("length", length)
    tau = _temperature(temperature)
    y = np.asarray(first)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"first must be a 1-D array of symbol ids, got {y.dtype} {y.shape}")
    rng = as_rng(seed)
    out = np.empty((y.shape[0], length), dtype=np.int64)
    for t in range(length):
        state, o = step(state, y)
        y = sample_categorical(softmax_temperature(o, tau), rng)
        out[:, t] = y
    return out


def bits_per_symbol(total_nll_nats: float, n_symbols: int) -> float:
    """Average cross-entropy in bits: total negative log-likelihood (nats) / (n · ln 2).

    Parameters
    ----------
    total_nll_nats : float
        Σ -ln p(y_t | y_<t) over the evaluated symbols.
    n_symbols : int
        How many symbols were evaluated.

    Returns
    -------
    float
        Bits per symbol; log2 K for a uniform guess over K symbols.
    """
    n_symbols = check_positive_int("n_symbols", n_symbols)
    value = float(total_nll_nats)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"total_nll_nats must be a finite, non-negative number, got {value}")
    return value / (n_symbols * math.log(2.0))
