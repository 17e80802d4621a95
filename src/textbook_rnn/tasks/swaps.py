"""The swap task: where is the ball after a sequence of swaps? (chapter "... attention").

Section *Multiplicative modules* of ``chapters/04_attention.md``. A ball sits
under cup 0 of ``n_cups``; each symbol of the sequence swaps two neighbouring
cups (symbol s swaps cups s and s + 1). The answer, the ball's final cup,
depends on the order of the swaps, not only on how many of each there were.

Only numpy is imported.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._validate import check_positive_int

__all__ = ["all_swap_sequences", "ball_position"]


def ball_position(x, n_cups: int = 3) -> np.ndarray:
    """The ball's cup after the swaps ``x`` (N, T), starting under cup 0; shape (N,)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.dtype.kind not in "iu":
        raise ValueError(f"x must be an integer array of shape (N, T), got {x.shape}, {x.dtype}")
    if x.size and (x.min() < 0 or x.max() > n_cups - 2):
        raise ValueError(f"x must hold swap symbols 0 .. {n_cups - 2}")
    pos = np.zeros(x.shape[0], dtype=np.int64)
    for t in range(x.shape[1]):
        s = x[:, t]
        # swap s exchanges cups s and s + 1
        pos = np.where(pos == s, s + 1, np.where(pos == s + 1, s, pos))
    return pos


def all_swap_sequences(T: int, n_cups: int = 3):
    """Every sequence of T swaps, with the ball's final cup.

    Parameters
    ----------
    T : int
        Number of swaps.
    n_cups : int
        Cups (at least 2); there are ``n_cups - 1`` swap symbols.

    Returns
    -------
    x : ndarray of int, shape ((n_cups - 1) ** T, T)
    y : ndarray of int, shape ((n_cups - 1) ** T,)
    """
    T = check_positive_int("T", T)
    n_cups = check_positive_int("n_cups", n_cups)
    if n_cups < 2:
        raise ValueError(f"n_cups must be at least 2, got {n_cups}")
    x = np.array(list(itertools.product(range(n_cups - 1), repeat=T)), dtype=np.int64)
    return x, ball_position(x, n_cups)
