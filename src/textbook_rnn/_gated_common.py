"""Pieces shared by the LSTM and GRU modules (chapter 8, "Gated RNNs").

Gate names, the logistic function, and the argument checks and casts that
:mod:`textbook_rnn.lstm` and :mod:`textbook_rnn.gru` both use. The notation is
described in :mod:`textbook_rnn.gated`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import Shapes

__all__ = ["LSTM_GATES", "GRU_GATES", "PEEPHOLES", "sigmoid"]

LSTM_GATES = ("f", "i", "g", "o")
"""The LSTM's gate suffixes, in the order parameters are drawn and listed."""

GRU_GATES = ("u", "r", "h")
"""The GRU's suffixes: update gate, reset gate, candidate h̃."""

PEEPHOLES = ("p_f", "p_i", "p_o")

# The sequence functions stack the LSTM gates in the order i, f, o, g: the
# three sigmoid gates side by side, and first the two that see s_{t-1}
# through peepholes (the output gate sees s_t, so it must wait for it).
_LSTM_STACK = ("i", "f", "o", "g")


def sigmoid(a):
    """The logistic function σ(a) = 1 / (1 + exp(-a)).

    For large negative ``a`` the intermediate ``exp(-a)`` overflows to inf,
    and 1 / (1 + inf) = 0 is the correctly rounded answer, so the overflow
    warning is silenced. The same function written as
    ``(1 + tanh(a / 2)) / 2``, which :func:`lstm_forward` uses for speed, is
    as accurate in absolute terms but not relative to σ(a) where σ(a) is tiny.

    Parameters
    ----------
    a : ndarray, any shape

    Returns
    -------
    ndarray, shape of ``a``
        Values in [0, 1].
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(a)))


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ applied in place (no temporary arrays), returning ``a``."""
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    return dtype


def _check_mapping(params) -> None:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")


def _check_missing(params, required) -> None:
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")


def _vote_sizes(params, gates, s: Shapes) -> None:
    """Fix H and D by majority over the gates, so that the odd matrix out is the one blamed."""
    for letter, prefix, axis in (("H", "W", 0), ("D", "U", 1)):
        sizes = []
        for k in gates:
            try:
                shape = np.shape(params[f"{prefix}_{k}"])
            except Exception:  # ragged lists: Shapes.array reports them below
                continue
            if len(shape) == 2:
                sizes.append(shape[axis])
        if sizes and letter not in s.dims:
            values, counts = np.unique(sizes, return_counts=True)
            if counts.max() > len(sizes) // 2 and values[counts.argmax()] > 0:
                s.dims[letter] = int(values[counts.argmax()])


def _cast(dt, *arrays):
    return tuple(a.astype(dt, copy=False) for a in arrays)


def _cast_params(dt, p: dict) -> dict:
    return {k: v.astype(dt, copy=False) for k, v in p.items()}


def _state(s: Shapes, name: str, value, N: int, dt) -> np.ndarray:
    """An initial state, zeros when ``value`` is None."""
    if value is None:
        return np.zeros((N, s.dims["H"]), dtype=dt)
    return s.array(name, value, ("N", "H"))
