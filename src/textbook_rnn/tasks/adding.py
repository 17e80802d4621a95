"""The adding problem, a toy task of chapter 8 ("Gated RNNs: LSTM and GRU").

:func:`adding_problem` draws a stream of random numbers, two of them marked;
the answer, given after the last step, is the sum of the two marked numbers.
Predicting the mean of the answer, 1, scores a mean squared error of 1/6
(:data:`ADDING_BASELINE_MSE`), so anything that stays near 0.167 has learnt
nothing. This is a later, simplified variant of the task Hochreiter &
Schmidhuber (1997) introduced (their values, marker positions and target
differ); it is the form most later papers use.

Generators take a seed or a ``numpy.random.Generator`` and return numpy
arrays in the book's batch-first layout. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["ADDING_BASELINE_MSE", "adding_problem", "adding_batches", "constant_guess_mse"]

ADDING_BASELINE_MSE = 1.0 / 6.0
"""Mean squared error of always answering 1, the mean of a sum of two U(0, 1) numbers.

The variance of one U(0, 1) number is 1/12, so that of the sum is 1/6 ≈ 0.167.
"""


# ---------------------------------------------------------------------------
# The adding problem
# ---------------------------------------------------------------------------


def adding_problem(n: int, T: int, *, seed=0):
    """Draw ``n`` sequences of the adding problem of length ``T``.

    Each step carries two numbers: a value drawn uniformly from [0, 1) and a
    marker, 1 at exactly two steps and 0 elsewhere. One marked step lies in
    the first half of the sequence and one in the second half, so the first
    marker is, on average, about 3T/4 steps before the answer is due. The
    target is the sum of the two marked values.

    Parameters
    ----------
    n : int
        Number of sequences (the batch size N).
    T : int
        Sequence length, at least 2.
    seed : int or numpy.random.Generator
        Where the numbers come from; the same seed gives the same arrays.

    Returns
    -------
    x : ndarray, shape (N, T, 2), float64
        ``x[..., 0]`` the values, ``x[..., 1]`` the markers.
    y : ndarray, shape (N, 1), float64
        The sums, in [0, 2).

    Examples
    --------
    >>> x, y = adding_problem(3, 10, seed=0)
    >>> x.shape, y.shape, x[..., 1].sum(axis=1).tolist()
    ((3, 10, 2), (3, 1), [2.0, 2.0, 2.0])
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"T must be at least 2 so that two steps can be marked, got {T}")
    rng = as_rng(seed)
    values = rng.random((n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)  # one marker in [0, T/2)
    second = rng.integers(half, T, size=n)  # and one in [T/2, T)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2)  # (N, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None]  # (N, 1)
    return x, y


def adding_batches(T: int, batch: int):
    """A ``make_batch(rng)`` for :func:`textbook_rnn.torch_nn.models.train`: fresh adding problems.

    Parameters
    ----------
    T : int
        Sequence length.
    batch : int
        Sequences per batch.

    Returns
    -------
    callable
        ``make_batch(rng) -> (x, y)`` as from :func:`adding_problem`.
    """
    T = check_positive_int("T", T)
    batch = check_positive_int("batch", batch)
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T}")

    def make_batch(rng):
        return adding_problem(batch, T, seed=rng)

    return make_batch


def constant_guess_mse(y) -> float:
    """Mean squared error of the best constant answer, the mean of ``y``.

    For the adding problem this estimates :data:`ADDING_BASELINE_MSE`; a
    model must beat it to have learnt anything.

    Parameters
    ----------
    y : array_like, shape (N, 1) or (N,)
        Targets.

    Returns
    -------
    float
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        raise ValueError("y must hold at least one target, got an empty array")
    return float(np.mean((y - y.mean()) ** 2))
