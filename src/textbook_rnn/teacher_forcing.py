"""Teacher forcing and scheduled sampling (chapter "Sequence modelling").

- :func:`forced_inputs`, equation ``seq-forced``: during training, the input
  at step t is the *true* previous output y(t-1) (a start symbol at t = 1),
  not the model's own prediction;
- :func:`forcing_probability`, the three decay schedules of scheduled
  sampling (Bengio et al. 2015): the probability ε_i of feeding the truth at
  training update i falls linearly, exponentially, or along an inverse
  sigmoid;
- :func:`mix_inputs`, one scheduled-sampling draw: each step's input is the
  truth with probability ε and the model's own output otherwise.

Only numpy is imported.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import as_rng

__all__ = ["forced_inputs", "SCHEDULES", "forcing_probability", "mix_inputs"]

SCHEDULES = ("constant", "linear", "exponential", "inverse_sigmoid")
"""The names :func:`forcing_probability` accepts."""


def forced_inputs(y, start):
    """The teacher-forced input sequence: the start symbol, then y(1) .. y(τ-1).

    Parameters
    ----------
    y : array_like, shape (N, T) of symbol ids, or (N, T, D) of vectors
        The targets.
    start : int or array_like, shape (D,)
        What is fed at the first step: a start-symbol id (for ids) or a
        vector (for vectors).

    Returns
    -------
    ndarray, same shape and dtype as ``y``
        x with x[:, 0] = start and x[:, t] = y[:, t-1] for t ≥ 1. ``y`` is not
        modified.
    """
    y = np.asarray(y)
    if y.ndim not in (2, 3) or y.size == 0:
        raise ValueError(f"y must have shape (N, T) or (N, T, D), got shape {y.shape}")
    start = np.asarray(start)
    if y.ndim == 2:
        if start.ndim != 0 or start.dtype.kind not in "iu" or y.dtype.kind not in "iu":
            raise TypeError("for symbol targets y (N, T) of ints, start must be one int id")
    elif start.shape != (y.shape[2],):
        raise ValueError(f"start must have shape (D,) = ({y.shape[2]},), got {start.shape}")
    x = np.empty_like(y)
    x[:, 0] = start
    x[:, 1:] = y[:, :-1]
    return x


def _non_negative(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite, non-negative number, got {value}")
    return value


def forcing_probability(step, schedule: str = "inverse_sigmoid", *, k: float = 200.0,
                        floor: float = 0.0) -> np.ndarray:
    """Probability of feeding the truth at training update ``step``.

    - ``constant``: 1 (plain teacher forcing);
    - ``linear``: ε = max(floor, 1 - step / k);
    - ``exponential``: ε = exp(-step / k);
    - ``inverse_sigmoid``: ε = k / (k + exp(step / k)).

    Parameters
    ----------
    step : int or array_like of int
        Training update(s), from 0.
    schedule : str
        One of :data:`SCHEDULES`.
    k : float
        The schedule's time scale (updates), > 0. For the inverse sigmoid,
        ε crosses 1/2 at step = k ln k.
    floor : float
        Lowest probability, in [0, 1].

    Returns
    -------
    ndarray of float, shape of ``step``
        ε in [floor, 1].
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    k = _non_negative("k", k)
    if k == 0:
        raise ValueError("k must be positive, got 0")
    floor = _non_negative("floor", floor)
    if floor > 1:
        raise ValueError(f"floor must lie in [0, 1], got {floor}")
    step = np.asarray(step, dtype=np.float64)
    if np.any(step < 0) or not np.all(np.isfinite(step)):
        raise ValueError("step must be finite and non-negative")
    if schedule == "constant":
        eps = np.ones_like(step)
    elif schedule == "linear":
        eps = 1.0 - step / k
    elif schedule == "exponential":
        eps = np.exp(-step / k)
    else:
        with np.errstate(over="ignore"):
            eps = k / (k + np.exp(step / k))  # exp overflow -> inf -> eps = 0
    return np.clip(eps, floor, 1.0)


def mix_inputs(truth, predicted, p_truth: float, rng):
    """Scheduled sampling: per sequence and step, the truth with probability ``p_truth``.

    Parameters
    ----------
    truth, predicted : ndarray, shape (N, T) or (N, T, D)
        The teacher-forced inputs and the inputs made from the model's own
        outputs, same shape.
    p_truth : float
        ε in [0, 1].
    rng : numpy.random.Generator or int
        The random source.

    Returns
    -------
    mixed : ndarray, same shape as ``truth``
    use_truth : ndarray of bool, shape (N, T)
        Which steps were fed the truth.
    """
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    if truth.shape != predicted.shape or truth.ndim not in (2, 3):
        raise ValueError(f"truth and predicted must have the same shape (N, T) or (N, T, D), "
                         f"got {truth.shape} and {predicted.shape}")
    p = _non_negative("p_truth", p_truth)
    if p > 1:
        raise ValueError(f"p_truth must lie in [0, 1], got {p}")
    use_truth = as_rng(rng).random(truth.shape[:2]) < p
    mask = use_truth if truth.ndim == 2 else use_truth[..., None]
    return np.where(mask, truth, predicted), use_truth
