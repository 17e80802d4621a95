"""A task whose label at step t depends on evidence k steps ahead (chapter "Bidirectional ...").

Section *Bidirectional networks* of ``chapters/04_attention.md``: at every step
a random bit arrives; the label at step t says whether the bit at t equals the
bit at t + k. A network that reads left to right has not seen x_{t+k} when it
must answer at t, so for k ≥ 1 it can do no better than chance (1/2); a
bidirectional one has, through its backward direction.

Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["evidence_ahead", "masked_accuracy"]


def evidence_ahead(n: int, T: int, k: int, *, seed=0):
    """Random bits x_t and labels y_t = [x_t = x_{t+k}] where t + k is inside the sequence.

    Parameters
    ----------
    n : int
        Number of sequences N.
    T : int
        Sequence length; must exceed ``k``.
    k : int
        How far ahead the evidence lies (0 makes every label 1).
    seed : int or numpy.random.Generator

    Returns
    -------
    x : ndarray of int, shape (N, T)
        The bits, 0 or 1.
    y : ndarray of int, shape (N, T)
        The labels, 0 or 1 (0 where ``mask`` is False).
    mask : ndarray of bool, shape (N, T)
        True for the steps t < T - k, whose label is defined.
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < T:
        raise ValueError(f"k must be an integer with 0 <= k < T = {T}, got {k!r}")
    rng = as_rng(seed)
    x = rng.integers(0, 2, size=(n, T))
    y = np.zeros((n, T), dtype=np.int64)
    y[:, : T - k] = x[:, : T - k] == x[:, k:]
    mask = np.zeros((n, T), dtype=bool)
    mask[:, : T - k] = True
    return x, y, mask


def masked_accuracy(pred, y, mask) -> float:
    """The fraction of the steps kept by ``mask`` where ``pred`` equals ``y``.

    Parameters
    ----------
    pred, y : ndarray of int, shape (N, T)
    mask : ndarray of bool, shape (N, T)

    Returns
    -------
    float
    """
    pred, y, mask = np.asarray(pred), np.asarray(y), np.asarray(mask, dtype=bool)
    if not pred.shape == y.shape == mask.shape:
        raise ValueError(f"pred, y and mask must have one shape, got {pred.shape}, {y.shape}, "
                         f"{mask.shape}")
    return float((pred == y)[mask].mean())
