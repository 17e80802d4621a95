"""The figures of the chapter "Deep and recursive networks".

Drawing only: each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.deep_recursive`) and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so
that the same call gives the same picture on every machine.

- :func:`plot_example`: SKELETON, replace by the chapter's figures.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .style import check_series, in_style, new_figure

__all__ = ["plot_example"]


@in_style
def plot_example(series: Mapping[str, np.ndarray], *, xlabel: str = "step $t$",
                 ylabel: str = "value"):
    """SKELETON: one line per curve, against the step (a template to copy).

    Parameters
    ----------
    series : mapping of str to ndarray, shape (T,)
        The curves to draw, by legend label.
    xlabel, ylabel : str
        The axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = check_series("series", series)
    fig = new_figure((6.4, 3.2))
    ax = fig.add_subplot()
    for label, values in series.items():
        ax.plot(np.arange(1, values.size + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return fig
