"""A binary pulse counter: a task with nested time scales (chapter "Deep and recursive networks").

The input is a stream of pulses, x_t = 1 with probability ``p``, else 0. The
target at every step is the running number of pulses modulo 2^B, written in
binary: bit 0 flips at every pulse, bit 1 at every second one, bit j at every
2^j-th one. Each bit is the parity of the carries of the bit below, so the
task has a hierarchy built in: what bit j needs is a slower, coarser version
of what bit j-1 computes, and the bits live on time scales that double from
one to the next (about 2^j / p steps). Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int, check_real

__all__ = ["counter_batches", "counter_task"]


def counter_task(N: int, T: int, bits: int, *, p: float = 0.5, seed=0):
    """Pulse streams and the binary digits of their running count modulo 2^bits.

    Parameters
    ----------
    N, T : int
        Number of sequences and their length.
    bits : int
        Number of binary digits B of the counter (it counts modulo 2^B).
    p : float
        Probability of a pulse at each step, in (0, 1].
    seed : int or numpy.random.Generator
        The random source.

    Returns
    -------
    x : ndarray, shape (N, T, 1)
        The pulses, 0.0 or 1.0.
    y : ndarray, shape (N, T, B)
        y[n, t, j] is bit j (least significant first) of the number of pulses
        in x[n, :t+1], modulo 2^B.
    """
    N, T, bits = (check_positive_int(k, v) for k, v in (("N", N), ("T", T), ("bits", bits)))
    p = check_real("p", p, low=0.0, high=1.0, low_open=True)
    rng = as_rng(seed)
    x = (rng.random((N, T)) < p).astype(np.float64)  # (N, T)
    count = np.cumsum(x, axis=1).astype(np.int64) % (2**bits)  # (N, T)
    y = (count[..., None] >> np.arange(bits)) & 1  # (N, T, B)
    return x[..., None], y.astype(np.float64)


def counter_batches(N: int, T: int, bits: int, *, p: float = 0.5):
    """A ``make_batch(rng)`` function for training on :func:`counter_task`.

    Parameters
    ----------
    N, T, bits : int
        Batch size, sequence length and number of bits.
    p : float
        Probability of a pulse at each step.

    Returns
    -------
    callable
        ``make_batch(rng) -> (x, y)`` as in :func:`counter_task`.
    """
    counter_task(1, 1, bits, p=p)  # check the arguments once

    def make_batch(rng):
        return counter_task(N, T, bits, p=p, seed=rng)

    return make_batch
