"""Toy sequence tasks with a known answer (used from chapter 2 on).

Each generator is seeded and returns plain numpy arrays in the book's
batch-first layout: inputs ``x`` of shape ``(N, T, D)`` and integer targets
``y`` of shape ``(N, T)``, ready for :func:`textbook_rnn.bptt.rnn_loss_and_grads`.

- :func:`delayed_recall`: repeat the symbol seen ``delay`` steps ago. The
  dependency has a known length, so it can be set longer than a truncation
  length (chapter 2, section *Truncation*).

Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import Shapes, as_rng, check_positive_int

__all__ = ["delayed_recall", "recall_accuracy"]


def delayed_recall(n: int, T: int, delay: int, *, n_symbols: int = 4, seed=0):
    """Sequences of random symbols; the target at step t is the input at step t - delay.

    At every step one of ``n_symbols`` symbols arrives, one-hot encoded. The
    network must output, at step t, the symbol that arrived at step
    ``t - delay``; during the first ``delay`` steps there is nothing to recall
    and the target is an extra "blank" class, index ``n_symbols``. Nothing
    about the recalled symbol is visible between the two steps: solving the
    task means carrying it in the hidden state for ``delay`` steps.

    Parameters
    ----------
    n : int
        Number of sequences (the batch size N).
    T : int
        Sequence length; must exceed ``delay``.
    delay : int
        How many steps back the target looks (at least 1).
    n_symbols : int
        Alphabet size (at least 2); chance accuracy is ``1 / n_symbols``.
    seed : int or numpy.random.Generator
        Where the symbols come from; the same seed gives the same arrays.

    Returns
    -------
    x : ndarray, shape (N, T, n_symbols), float64
        One-hot inputs.
    y : ndarray of int, shape (N, T)
        Targets in ``0 .. n_symbols``; ``n_symbols`` marks the blank steps
        ``t < delay`` (0-based). The output size is ``K = n_symbols + 1``.

    Examples
    --------
    >>> x, y = delayed_recall(1, 6, 2, n_symbols=3, seed=0)
    >>> bool((y[0, 2:] == x[0, :-2].argmax(axis=1)).all())
    True
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T)
    delay = check_positive_int("delay", delay)
    n_symbols = check_positive_int("n_symbols", n_symbols)
    if n_symbols < 2:
        raise ValueError(f"n_symbols must be at least 2, got {n_symbols}")
    if T <= delay:
        raise ValueError(f"T must be longer than delay so that something is recalled, "
                         f"got T={T} and delay={delay}")
    rng = as_rng(seed)
    symbols = rng.integers(0, n_symbols, size=(n, T))  # (N, T)
    x = np.eye(n_symbols)[symbols]  # (N, T, n_symbols)
    y = np.full((n, T), n_symbols, dtype=np.int64)
    # y_t = s_{t - delay} for t ≥ delay
    y[:, delay:] = symbols[:, :-delay]
    return x, y


def recall_accuracy(o, y, delay: int) -> float:
    """Fraction of the recall steps (t ≥ delay) where the largest logit is the target.

    The blank steps are left out: they are easy and would flatter the score.

    Parameters
    ----------
    o : ndarray, shape (N, T, K)
        Logits (or probabilities) of a network.
    y : ndarray of int, shape (N, T)
        Targets from :func:`delayed_recall`.
    delay : int
        The delay the targets were made with.

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    s = Shapes()
    o = s.array("o", o, ("N", "T", "K"))
    y = s.array("y", y, ("N", "T"), integer=True)
    delay = check_positive_int("delay", delay)
    if delay >= o.shape[1]:
        raise ValueError(f"delay must be smaller than T={o.shape[1]}, got {delay}")
    hit = o[:, delay:].argmax(axis=2) == y[:, delay:]
    return float(hit.mean())
