"""Counting languages, a toy task of chapter 8 ("Gated RNNs: LSTM and GRU").

:func:`counting_language` (Gers & Schmidhuber 2001; Weiss, Goldberg & Yahav
2018) makes strings aⁿbⁿ (``k=2``) or aⁿbⁿcⁿ (``k=3``) with next-symbol
targets. Predicting, at every step, the set of symbols that may come next
requires knowing when the b's (and the c's) must stop, that is, counting.
:func:`accepted` scores a trained network string by string. Only numpy is
imported.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validate import Shapes, check_positive_int

__all__ = [
    "counting_symbols",
    "counting_language",
    "counting_batches",
    "accepted",
    "generalisation_range",
    "counter_unit",
]


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k not in (2, 3):
        raise ValueError(f"k must be 2 (aⁿbⁿ) or 3 (aⁿbⁿcⁿ), got {k!r}")
    return int(k)


def counting_symbols(k: int = 2) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The input and output alphabets of :func:`counting_language`.

    Parameters
    ----------
    k : {2, 3}
        Number of letters: aⁿbⁿ or aⁿbⁿcⁿ.

    Returns
    -------
    inputs : tuple of str
        ``("S", "a", "b")`` or ``("S", "a", "b", "c")``: S starts every string.
    outputs : tuple of str
        ``("a", "b", "E")`` or ``("a", "b", "c", "E")``: E ends it.
    """
    letters = "abc"[: _check_k(k)]
    return ("S", *letters), (*letters, "E")


def counting_language(ns, *, k: int = 2):
    """Strings S aⁿbⁿ (or S aⁿbⁿcⁿ) with the set of allowed next symbols as targets.

    A string is read one symbol at a time; after each symbol the network
    must say which symbols may come next. After S and after an a, only an a
    or (after at least one a) the next letter can follow; once the b's have
    begun, the next symbol is fixed: b until n of them have been read, then c
    (or the end E), and so on. Those fixed predictions are where counting
    is needed.

    Parameters
    ----------
    ns : int or sequence of int
        The n of each string, each at least 1.
    k : {2, 3}
        aⁿbⁿ or aⁿbⁿcⁿ.

    Returns
    -------
    x : ndarray, shape (N, T, k + 1), float64
        One-hot inputs, padded with zeros after the end of shorter strings;
        ``T = k·max(ns) + 1``.
    y : ndarray, shape (N, T, k + 1), float64
        Multi-hot targets over :func:`counting_symbols` ``[1]``: 1 for every
        symbol that may follow, 0 on padding.
    mask : ndarray, shape (N, T), float64
        1 on the steps of the string, 0 on padding.

    Examples
    --------
    >>> x, y, mask = counting_language([2])
    >>> [[o for o, v in zip("abE", row) if v] for row in y[0]]
    [['a'], ['a', 'b'], ['a', 'b'], ['b'], ['E']]
    """
    k = _check_k(k)
    ns = np.atleast_1d(np.asarray(ns))
    if ns.ndim != 1 or ns.dtype.kind not in "iu":
        raise TypeError(f"ns must be an int or a 1-d sequence of ints, got {ns!r}")
    if (ns < 1).any():
        raise ValueError(f"every n must be at least 1, got {ns.min()}")
    N = len(ns)
    T = k * int(ns.max()) + 1
    x = np.zeros((N, T, k + 1))
    y = np.zeros((N, T, k + 1))
    mask = np.zeros((N, T))
    t = np.arange(T)
    for row, n in enumerate(ns):
        n = int(n)
        L = k * n + 1  # S, then k blocks of n letters
        # input symbol at step t: 0 = S, then letter j (1-based) for t in (j-1)n+1 .. jn
        symbol = np.where(t == 0, 0, (t - 1) // n + 1)[:L]
        x[row, t[:L], symbol] = 1.0
        mask[row, :L] = 1.0
        y[row, 0, 0] = 1.0  # after S: an a
        y[row, 1 : n + 1, 0] = 1.0  # after an a: another a ...
        y[row, 1 : n + 1, 1] = 1.0  # ... or the first b
        for j in range(1, k):  # the blocks after the a's: fixed predictions
            block = slice(j * n + 1, (j + 1) * n)  # all but the block's last letter
            y[row, block, j] = 1.0  # the same letter again
            y[row, (j + 1) * n, j + 1] = 1.0  # then the next letter, or E after the last
    return x, y, mask


def counting_batches(n_max: int, batch: int, *, k: int = 2, n_min: int = 1):
    """A ``make_batch(rng)`` for :func:`textbook_rnn.torch_nn.models.train` on a counting language.

    Each batch holds ``batch`` strings with n drawn uniformly from
    ``n_min .. n_max``; use it with ``loss="bce"``.

    Returns
    -------
    callable
        ``make_batch(rng) -> (x, y, mask)`` as from :func:`counting_language`.
    """
    n_max = check_positive_int("n_max", n_max)
    n_min = check_positive_int("n_min", n_min)
    batch = check_positive_int("batch", batch)
    k = _check_k(k)
    if n_min > n_max:
        raise ValueError(f"n_min must not exceed n_max, got n_min={n_min}, n_max={n_max}")

    def make_batch(rng):
        return counting_language(rng.integers(n_min, n_max + 1, size=batch), k=k)

    return make_batch


def accepted(logits, y, mask) -> np.ndarray:
    """Which strings a network gets entirely right.

    A string counts as recognised when, at every one of its steps, the set of
    symbols with a positive logit (probability above 1/2) is exactly the set
    of allowed next symbols.

    Parameters
    ----------
    logits : ndarray, shape (N, T, K)
        The network's outputs.
    y : ndarray, shape (N, T, K)
        Targets from :func:`counting_language`.
    mask : ndarray, shape (N, T)
        Steps that belong to the string.

    Returns
    -------
    ndarray of bool, shape (N,)
    """
    s = Shapes()
    logits = s.array("logits", logits, ("N", "T", "K"))
    y = s.array("y", y, ("N", "T", "K"))
    mask = s.array("mask", mask, ("N", "T"))
    right = ((logits > 0) == (y > 0.5)).all(axis=2)  # (N, T)
    return (right | (mask < 0.5)).all(axis=1)


def generalisation_range(ns, ok) -> int:
    """The largest n such that every string with 1 ≤ n' ≤ n in ``ns`` was recognised.

    Parameters
    ----------
    ns : sequence of int
        The n of each tested string.
    ok : sequence of bool
        Whether each was recognised (from :func:`accepted`).

    Returns
    -------
    int
        0 when the smallest tested n already fails.
    """
    ns = np.asarray(ns)
    ok = np.asarray(ok, dtype=bool)
    if ns.shape != ok.shape or ns.ndim != 1:
        raise ValueError(f"ns and ok must be 1-d and of equal length, got shapes "
                         f"{ns.shape} and {ok.shape}")
    order = np.argsort(ns, kind="stable")
    best = 0
    for n, good in zip(ns[order], ok[order], strict=True):
        if not good:
            break
        best = int(n)
    return best


def counter_unit(values, x) -> int:
    """The unit whose values follow the count (#a − #b so far) most closely.

    Chapter 8, section on counting: which unit of a trained cell does the
    counting, by the absolute correlation of each unit with the running count.

    Parameters
    ----------
    values : ndarray, shape (T, H)
        A cell state or hidden state over one string of :func:`counting_language`.
    x : ndarray, shape (T, D)
        The string's one-hot inputs (S, a, b, ...), D at least 3.

    Returns
    -------
    int
        The index of the unit with the largest absolute correlation.
    """
    s = Shapes()
    values = s.array("values", values, ("T", "H")).astype(np.float64, copy=False)
    x = s.array("x", x, ("T", "D")).astype(np.float64, copy=False)
    if x.shape[1] < 3:
        raise ValueError(f"x must have at least 3 symbols (S, a, b) per step, got shape {x.shape}")
    count = np.cumsum(x[:, 1] - x[:, 2])  # a's minus b's, (T,)
    v = values - values.mean(axis=0)
    c = count - count.mean()
    denom = np.sqrt((v**2).sum(axis=0) * (c**2).sum()) + 1e-300
    return int(np.argmax(np.abs(v.T @ c) / denom))
