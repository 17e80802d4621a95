"""Helpers shared by the plotting modules (``plots_*``).

- :data:`COLOURS`, the book's colour cycle (the colour-blind-safe palette of
  :mod:`textbook_rnn.plots`, in a fixed order);
- :func:`in_style`, a decorator that draws inside the book's rcParams, so
  that a figure looks the same whatever the reader's matplotlib settings;
- :func:`new_figure`, a Figure that pyplot does not track (a notebook cell
  shows it once, as its value, and it is never shown twice);
- :func:`check_series`, the argument check for "a mapping from label to a
  1-D array" that many plots take.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np

from ._optional import require
from .plots import PALETTE, STYLE

__all__ = ["COLOURS", "in_style", "new_figure", "check_series"]

COLOUR_ORDER = ("blue", "vermillion", "green", "orange", "purple", "sky", "black")
COLOURS = [PALETTE[name] for name in COLOUR_ORDER]


def in_style(draw: Callable) -> Callable:
    """Decorator: run ``draw`` inside the book's rcParams and colour cycle."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        mpl = require("matplotlib")
        cycler = require("cycler").cycler
        with mpl.rc_context({**STYLE, "axes.prop_cycle": cycler(color=COLOURS)}):
            return draw(*args, **kwargs)

    return wrapper


def new_figure(figsize: tuple[float, float]):
    """A new constrained-layout Figure, not registered with pyplot."""
    Figure = require("matplotlib.figure").Figure
    return Figure(figsize=figsize, layout="constrained")


def check_series(name: str, mapping, length: int | None = None) -> dict[str, np.ndarray]:
    """Check a non-empty mapping from label to a 1-D array (of ``length`` if given).

    Parameters
    ----------
    name : str
        The argument's name, for error messages.
    mapping : mapping of str to array_like
        The series to plot, by label.
    length : int, optional
        The number of values every series must have.

    Returns
    -------
    dict of str to ndarray
        The series as float arrays, labels as strings.
    """
    if not isinstance(mapping, Mapping) or not mapping:
        raise TypeError(f"{name} must be a non-empty mapping from label to a 1-D array")
    out = {}
    for label, values in mapping.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name}[{label!r}] must be a non-empty 1-D array, "
                             f"got shape {arr.shape}")
        if length is not None and arr.size != length:
            raise ValueError(f"{name}[{label!r}] must have {length} values, got {arr.size}")
        out[str(label)] = arr
    return out
