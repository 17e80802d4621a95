"""The copy task of Graves et al. (2014), a toy task of chapter "Explicit memory".

A sequence of ``L`` random binary vectors of ``bits`` bits is shown one
vector per step, followed by a single delimiter step; the network then sees
``L`` blank steps, during which it must output the ``L`` vectors again, in
order. Nothing about the task is hard to compute: what it tests is whether a
network can *store* ``L * bits`` bits and read them back in order, and
whether a procedure learnt on short sequences keeps working on longer ones.

Layout (batch first): the input has ``bits + 1`` channels, the last one the
delimiter; the target has ``bits`` channels; a mask marks the ``L`` steps
on which the output is scored. A sequence of length ``L`` takes
``T = 2 L + 1`` steps. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["copy_task", "copy_batches", "copy_bits_wrong", "copy_capacity_bits"]


def copy_task(n: int, length: int, *, bits: int = 8, seed=0):
    """Draw ``n`` copy-task sequences of ``length`` vectors each.

    Parameters
    ----------
    n : int
        Number of sequences (the batch size N).
    length : int
        Number of vectors to copy, L >= 1.
    bits : int
        Bits per vector.
    seed : int or numpy.random.Generator
        Where the bits come from; the same seed gives the same arrays.

    Returns
    -------
    x : ndarray, shape (N, 2L + 1, bits + 1), float64
        The inputs: the vectors, then the delimiter (last channel), then zeros.
    y : ndarray, shape (N, 2L + 1, bits), float64
        The targets: zeros, then the vectors again from step ``L + 1`` on.
    mask : ndarray, shape (N, 2L + 1), float64
        1 on the ``L`` steps whose output is scored, 0 elsewhere.

    Examples
    --------
    >>> x, y, mask = copy_task(1, 2, bits=3, seed=0)
    >>> x.shape, y.shape, mask.shape
    ((1, 5, 4), (1, 5, 3), (1, 5))
    >>> bool((y[0, 3:] == x[0, :2, :3]).all())
    True
    """
    n = check_positive_int("n", n)
    L = check_positive_int("length", length)
    bits = check_positive_int("bits", bits)
    rng = as_rng(seed)
    T = 2 * L + 1
    seq = rng.integers(0, 2, size=(n, L, bits)).astype(np.float64)  # (N, L, bits)
    x = np.zeros((n, T, bits + 1))
    x[:, :L, :bits] = seq
    x[:, L, bits] = 1.0  # the delimiter
    y = np.zeros((n, T, bits))
    y[:, L + 1:] = seq
    mask = np.zeros((n, T))
    mask[:, L + 1:] = 1.0
    return x, y, mask


def copy_batches(n: int, lengths=(1, 10), *, bits: int = 8):
    """A batch maker for training: each call draws one length, then ``n`` sequences.

    Parameters
    ----------
    n : int
        Batch size.
    lengths : tuple of two int
        The smallest and the largest length, both included; each batch draws
        its length uniformly between them.
    bits : int
        Bits per vector.

    Returns
    -------
    callable
        ``make(rng) -> (x, y, mask)``, with ``rng`` a ``numpy.random.Generator``.
    """
    n = check_positive_int("n", n)
    lo, hi = (check_positive_int("lengths", v) for v in lengths)
    if hi < lo:
        raise ValueError(f"lengths must be (smallest, largest), got {tuple(lengths)}")
    bits = check_positive_int("bits", bits)

    def make(rng):
        L = int(rng.integers(lo, hi + 1))
        return copy_task(n, L, bits=bits, seed=rng)

    return make


def copy_bits_wrong(y_hat, y, mask) -> float:
    """Bits wrong per sequence: outputs thresholded at 1/2 against the targets.

    Parameters
    ----------
    y_hat : ndarray, shape (N, T, bits)
        Predicted probabilities (or anything compared with 1/2).
    y : ndarray, shape (N, T, bits)
        The targets.
    mask : ndarray, shape (N, T)
        The scored steps.

    Returns
    -------
    float
        The number of wrong bits on the scored steps, averaged over sequences.
    """
    y_hat, y, mask = (np.asarray(v, dtype=np.float64) for v in (y_hat, y, mask))
    if y_hat.shape != y.shape or y.shape[:2] != mask.shape:
        raise ValueError(f"y_hat, y and mask must have shapes (N, T, B), (N, T, B), (N, T); "
                         f"got {y_hat.shape}, {y.shape}, {mask.shape}")
    wrong = ((y_hat > 0.5) != (y > 0.5)) * mask[..., None]
    return float(wrong.sum() / y.shape[0])


def copy_capacity_bits(length: int, bits: int = 8) -> int:
    """How many bits a network must hold at the delimiter to copy ``length`` vectors.

    Parameters
    ----------
    length : int
        Number of vectors, L.
    bits : int
        Bits per vector.

    Returns
    -------
    int
        ``L * bits``.
    """
    return check_positive_int("length", length) * check_positive_int("bits", bits)
