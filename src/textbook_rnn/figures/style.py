"""The book's figure style: one palette, one colour cycle, one set of rcParams.

Every drawing module of :mod:`textbook_rnn.figures` draws inside this style,
so a figure looks the same on every machine and whatever the reader's
matplotlib settings:

- :data:`PALETTE`, Okabe & Ito's colour-blind-safe colours, by name;
  :data:`COLOURS`, the cycle every line plot uses, in a fixed order;
  :data:`ROLE_COLOURS`, what each kind of node in a computational graph is
  filled with;
- :data:`STYLE`, the rcParams, and :func:`use_book_style` to make them the
  default for a reader's own pyplot figures;
- :func:`in_style`, a decorator that draws inside :data:`STYLE` and
  :data:`COLOURS`; :func:`new_figure`, a Figure that pyplot does not track (a
  notebook cell shows it once, as its value);
- :func:`check_series`, the argument check for "a mapping from label to a 1-D
  array" that many plots take.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np

from .._optional import require

__all__ = [
    "PALETTE",
    "COLOURS",
    "ROLE_COLOURS",
    "STYLE",
    "use_book_style",
    "in_style",
    "new_figure",
    "check_series",
]

# Okabe & Ito's palette: distinguishable with every common form of colour blindness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

# The one colour cycle of the book (yellow is left out: too faint on white).
COLOUR_ORDER = ("blue", "vermillion", "green", "orange", "purple", "sky", "black")
COLOURS = [PALETTE[name] for name in COLOUR_ORDER]

# What each kind of node in a computational graph is filled with.
ROLE_COLOURS = {
    "input": PALETTE["orange"],
    "hidden": PALETTE["green"],
    "output": PALETTE["sky"],
    "loss": PALETTE["purple"],
    "target": PALETTE["yellow"],
}

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "mathtext.fontset": "cm",
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
    "figure.dpi": 144,
    "savefig.dpi": 144,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.hashsalt": "textbook-rnn",
}
"""The book's rcParams; :func:`in_style` adds the colour cycle :data:`COLOURS`."""


def _rc() -> dict:
    """:data:`STYLE` with the colour cycle as a cycler object."""
    cycler = require("cycler").cycler
    return {**STYLE, "axes.prop_cycle": cycler(color=COLOURS)}


def use_book_style() -> None:
    """Make the book's style the default for every later figure (pyplot ones included).

    The drawing functions do not need it (each draws inside the style); it is
    for figures a reader draws in the notebooks.
    """
    require("matplotlib").rcParams.update(_rc())


def in_style(draw: Callable) -> Callable:
    """Decorator: run ``draw`` inside the book's rcParams and colour cycle."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with require("matplotlib").rc_context(_rc()):
            return draw(*args, **kwargs)

    return wrapper


def new_figure(figsize: tuple[float, float], **kwargs):
    """A new constrained-layout Figure, not registered with pyplot."""
    Figure = require("matplotlib.figure").Figure
    return Figure(figsize=figsize, layout="constrained", **kwargs)


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
