"""Sequences of varying length: the toy distribution of chapter "Sequence modelling".

A model that generates sequences must also decide when to stop. To see how
well each way of deciding works, :func:`variable_length_sequences` draws
sequences whose length τ follows a known, bimodal distribution
(:func:`length_prior`): short sequences of about 3 symbols and long ones of
about 9, never a geometric shape (which a constant stopping probability
would give). The symbols themselves follow a cycle a → b → c → a that is
broken now and then, so there is something to learn about them too. Only
numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["LENGTH_SYMBOLS", "length_prior", "variable_length_sequences"]

LENGTH_SYMBOLS = "abc"
"""The alphabet of :func:`variable_length_sequences`; symbol k is ``LENGTH_SYMBOLS[k]``."""


def length_prior(T_max: int = 12) -> np.ndarray:
    """The true distribution of τ over 1..T_max: two bumps, near T_max/4 and 3 T_max/4.

    Parameters
    ----------
    T_max : int
        The longest length (≥ 2).

    Returns
    -------
    ndarray, shape (T_max,)
        P(τ = 1), ..., P(τ = T_max); sums to 1.
    """
    T_max = check_positive_int("T_max", T_max)
    if T_max < 2:
        raise ValueError(f"T_max must be at least 2, got {T_max}")
    tau = np.arange(1, T_max + 1)
    short, long_ = T_max / 4, 3 * T_max / 4
    p = np.exp(-0.5 * (tau - short) ** 2) + 0.7 * np.exp(-0.5 * ((tau - long_) / 1.2) ** 2)
    return p / p.sum()


def variable_length_sequences(n: int, *, T_max: int = 12, stay: float = 0.8, seed=0):
    """Draw ``n`` sequences with lengths from :func:`length_prior`.

    The first symbol is uniform over the three symbols; each next one is the
    successor in the cycle a → b → c → a with probability ``stay`` and
    uniform otherwise.

    Parameters
    ----------
    n : int
        Number of sequences.
    T_max : int
        The longest length.
    stay : float
        Probability of following the cycle, in [0, 1].
    seed : int or numpy.random.Generator
        The random source.

    Returns
    -------
    y : ndarray of int64, shape (n, T_max)
        The symbols (0, 1, 2); entries at t > τ are 0 and carry no meaning.
    tau : ndarray of int64, shape (n,)
        Each sequence's length, 1 ≤ τ ≤ T_max.
    """
    n = check_positive_int("n", n)
    prior = length_prior(T_max)
    if not 0.0 <= float(stay) <= 1.0:
        raise ValueError(f"stay must lie in [0, 1], got {stay}")
    rng = as_rng(seed)
    K = len(LENGTH_SYMBOLS)
    tau = rng.choice(np.arange(1, T_max + 1), size=n, p=prior).astype(np.int64)
    y = np.empty((n, T_max), dtype=np.int64)
    y[:, 0] = rng.integers(0, K, size=n)
    for t in range(1, T_max):
        follow = rng.random(n) < stay
        y[:, t] = np.where(follow, (y[:, t - 1] + 1) % K, rng.integers(0, K, size=n))
    y[np.arange(T_max)[None, :] >= tau[:, None]] = 0
    return y, tau
