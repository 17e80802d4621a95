"""Smoothed character n-gram models: the baselines a language model must beat.

Chapter "Sequence modelling", section on the character-level language model.
An n-gram model keeps the last n-1 symbols as its whole state: it is the
graphical model of equation ``seq-chain`` with every edge older than n-1
steps removed. Two baselines:

- :func:`unigram_bits`: each symbol by its training frequency (add-one
  smoothed), no context at all;
- :class:`KneserNey`: interpolated Kneser-Ney smoothing (Kneser & Ney 1995;
  Chen & Goodman 1999), for symbols. Each order mixes a discounted estimate
  with the next lower order; the lower orders count in how many *contexts* a
  symbol follows rather than how often, and the last order falls back to the
  uniform distribution, so no held-out symbol gets probability 0. Discounts
  follow Ney's estimate D = n₁ / (n₁ + 2 n₂) per order.

Everything is vectorised: an n-gram is coded as one integer in base K, counts
come from ``numpy.unique`` and look-ups from ``numpy.searchsorted``; fitting
an order-6 model to half a million characters takes about a second. Only
numpy is imported.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive_int

__all__ = ["unigram_bits", "KneserNey"]


def _ids(name: str, ids, K: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu" or ids.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D integer array, got {ids.dtype} "
                         f"{ids.shape}")
    if ids.min() < 0 or ids.max() >= K:
        raise ValueError(f"{name} must hold ids in 0..{K - 1}, got values from {ids.min()} "
                         f"to {ids.max()}")
    return ids.astype(np.int64, copy=False)


def unigram_bits(train_ids, test_ids, K: int) -> float:
    """Bits per symbol of ``test_ids`` under add-one smoothed training frequencies.

    Parameters
    ----------
    train_ids, test_ids : ndarray of int
        Symbol ids in 0..K-1.
    K : int
        Vocabulary size.

    Returns
    -------
    float
    """
    K = check_positive_int("K", K)
    train = _ids("train_ids", train_ids, K)
    test = _ids("test_ids", test_ids, K)
    p = (np.bincount(train, minlength=K) + 1.0) / (train.size + K)
    return float(-np.log2(p[test]).mean())


def _codes(ids: np.ndarray, n: int, K: int) -> np.ndarray:
    """The n-grams of ``ids`` as integers in base K: shape (len(ids) - n + 1,)."""
    m = ids.size - n + 1
    code = np.zeros(m, dtype=np.int64)
    for j in range(n):
        code = code * K + ids[j : j + m]
    return code


def _lookup(table: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """values[i] where table[i] == key, else 0 (``table`` sorted)."""
    if table.size == 0:
        return np.zeros(keys.shape, dtype=values.dtype)
    at = np.clip(np.searchsorted(table, keys), 0, table.size - 1)
    return np.where(table[at] == keys, values[at], 0)


class KneserNey:
    """Interpolated Kneser-Ney model of order ``order`` over K symbols.

    P(w | h) = max(c(h w) - D, 0) / c(h) + D · N₁₊(h ·) / c(h) · P(w | h'),

    where h' drops the oldest symbol of the context h, c counts n-grams at
    the highest order and continuation counts N₁₊(· h w) (distinct left
    neighbours) below it, N₁₊(h ·) is the number of distinct symbols seen
    after h, and a context never seen passes its whole mass down.

    Parameters
    ----------
    train_ids : ndarray of int, shape (M,)
        The training text as ids.
    K : int
        Vocabulary size.
    order : int
        n, the length of the longest n-gram (1 to 9).
    """

    def __init__(self, train_ids, K: int, order: int = 5) -> None:
        self.K = check_positive_int("K", K)
        self.order = check_positive_int("order", order)
        if self.K ** self.order >= 2**62:
            raise ValueError(f"order={order} is too high for K={K}: n-gram codes overflow")
        ids = _ids("train_ids", train_ids, self.K)
        if ids.size <= self.order:
            raise ValueError(f"train_ids must be longer than order={order}, got {ids.size}")
        self.tables = []  # per order n: (gram codes, counts, ctx codes, ctx totals, ctx types, D)
        grams_above = None
        for n in range(self.order, 0, -1):
            if grams_above is None:  # highest order: plain counts
                gram, count = np.unique(_codes(ids, n, self.K), return_counts=True)
            else:  # continuation counts: distinct left neighbours of each n-gram
                gram, count = np.unique(grams_above % self.K**n, return_counts=True)
            grams_above = gram
            ctx = gram // self.K  # the context h (0 for the unigram order)
            ctx_code, first, types = np.unique(ctx, return_index=True, return_counts=True)
            totals = np.add.reduceat(count, first)
            n1, n2 = np.sum(count == 1), np.sum(count == 2)
            D = float(n1 / (n1 + 2 * n2)) if n1 + n2 > 0 else 0.5
            self.tables.append((gram, count, ctx_code, totals, types, D))
        self.tables.reverse()  # tables[n - 1] is order n

    def probabilities(self, ids) -> np.ndarray:
        """P(ids[t] | the up to order-1 symbols before it), for every t.

        Parameters
        ----------
        ids : ndarray of int, shape (M,)

        Returns
        -------
        ndarray, shape (M,)
            The first positions use the shorter contexts available.
        """
        ids = _ids("ids", ids, self.K)
        p = np.full(ids.size, 1.0 / self.K)
        for n in range(1, self.order + 1):
            if ids.size < n:
                break
            gram, count, ctx_code, totals, types, D = self.tables[n - 1]
            codes = _codes(ids, n, self.K)  # the n-gram ending at t = n-1 .. M-1
            c = _lookup(gram, count, codes).astype(np.float64)
            total = _lookup(ctx_code, totals, codes // self.K).astype(np.float64)
            kinds = _lookup(ctx_code, types, codes // self.K).astype(np.float64)
            lower = p[n - 1 :]
            seen = total > 0
            safe = np.where(seen, total, 1.0)
            mixed = np.maximum(c - D, 0.0) / safe + D * kinds / safe * lower
            p[n - 1 :] = np.where(seen, mixed, lower)
        return p

    def bits(self, ids, *, skip: int | None = None) -> float:
        """Bits per symbol on ``ids``, skipping the first ``skip`` (default order-1) positions."""
        skip = self.order - 1 if skip is None else int(skip)
        p = self.probabilities(ids)[skip:]
        if p.size == 0:
            raise ValueError("ids is too short to score after skipping the first positions")
        return float(-np.log2(p).mean())

    def __repr__(self) -> str:
        return f"KneserNey(K={self.K}, order={self.order})"

