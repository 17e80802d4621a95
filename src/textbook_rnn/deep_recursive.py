"""SKELETON: one line on what this module holds.

The numpy core of the chapter "Deep and recursive networks"
(``chapters/05_deep_recursive.md``), section *SKELETON: section title*,
equation ``deep-recursive-example``::

    z_t = tanh(W x_t)                     (deep-recursive-example)

SKELETON: replace the example by the chapter's own equations, one public
function per idea, each named after the quantity it computes. The rules of
the numpy core (CONTRIBUTING.md, "The package"): import only numpy; shapes
batch first, ``(N, T, D)`` for sequences and ``(N, H)`` for states; check the
arguments once, at the public boundary, with :class:`textbook_rnn._validate.Shapes`,
then call unchecked private kernels; a ``*_backward`` returns the gradients
in the order of its forward's arguments, named ``d`` + the argument's name.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, float_dtype

__all__ = ["deep_recursive_example"]


def _deep_recursive_example(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The unchecked kernel of :func:`deep_recursive_example`."""
    # z_t = tanh(W x_t); with one example per row, W x_t is x_t @ W.T
    return np.tanh(x @ W.T)  # (N, T, H)


def deep_recursive_example(x, W) -> np.ndarray:
    """SKELETON: what it computes, in one line.

    Section *SKELETON*, equation ``deep-recursive-example``: z_t = tanh(W x_t).

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        A batch of input sequences.
    W : ndarray, shape (H, D)
        The weights.

    Returns
    -------
    ndarray, shape (N, T, H)
        ``tanh(W x_t)`` at every step of every sequence.

    Raises
    ------
    ValueError, TypeError
        When an argument has the wrong number of dimensions, an inconsistent
        shape or a non-numeric dtype; the message names the argument, the
        expected shape and the shape given.
    """
    shapes = Shapes()
    x = shapes.array("x", x, ("N", "T", "D"))
    W = shapes.array("W", W, ("H", "D"))
    dtype = float_dtype(x, W)
    x, W = x.astype(dtype, copy=False), W.astype(dtype, copy=False)
    return _deep_recursive_example(x, W)
