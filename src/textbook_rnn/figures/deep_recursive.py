"""The figures of the chapter "Deep and recursive networks".

Drawing only: each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.deep`, :mod:`textbook_rnn.deep_recursive`) and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so
that the same call gives the same picture on every machine.

Deep RNNs:

- :func:`plot_unrolled`: unrolled graphs of several architectures, a shortest
  path from x(t) to y(t+k) highlighted;
- :func:`plot_path_lengths`: the shortest path's length against k;
- :func:`plot_layer_acf`: the autocorrelation of each layer's state;
- :func:`plot_wide_vs_stacked`: accuracy of each network, one dot per seed.

Recursive networks:

- :func:`plot_example`: SKELETON, replace by the chapter's figures.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .style import COLOURS, PALETTE, ROLE_COLOURS, check_series, in_style, new_figure

__all__ = ["plot_layer_acf", "plot_path_lengths", "plot_unrolled", "plot_wide_vs_stacked"]
__all__ += ["plot_example"]

# --- Deep RNNs ---

_ROLE = {"x": "input", "in": "hidden", "z": "hidden", "out": "hidden", "y": "output"}


@in_style
def plot_unrolled(graphs: Sequence[Mapping], paths: Sequence[Sequence[tuple]],
                  titles: Sequence[str], *, columns: int | None = None):
    """Unrolled graphs side by side, each with one shortest path drawn thick.

    Parameters
    ----------
    graphs : sequence of dict
        From :func:`textbook_rnn.deep.unrolled_graph`: ``"successors"`` and
        ``"position"`` (time, level) of every node.
    paths : sequence of sequence of tuple
        For each graph, the nodes of a path (:func:`textbook_rnn.deep.path_nodes`).
    titles : sequence of str
        One title per panel.
    columns : int, optional
        Panels per row; all in one row when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not (len(graphs) == len(paths) == len(titles)) or not graphs:
        raise ValueError(f"graphs, paths and titles must have one entry per panel, got "
                         f"{len(graphs)}, {len(paths)} and {len(titles)}")
    columns = len(graphs) if columns is None else columns
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a positive int, got {columns!r}")
    rows = -(-len(graphs) // columns)
    fig = new_figure((3.2 * min(columns, len(graphs)), 3.4 * rows))
    axes = fig.subplots(rows, min(columns, len(graphs)), squeeze=False).ravel()
    for ax in axes[len(graphs):]:
        ax.set_visible(False)
    for ax, g, path, title in zip(axes, graphs, paths, titles, strict=False):
        pos = g["position"]
        missing = [n for n in path if n not in pos]
        if missing:
            raise ValueError(f"path nodes {missing[:3]} are not in the graph of {title!r}")
        on_path = set(zip(path[:-1], path[1:], strict=True))
        for a, succ in g["successors"].items():
            for b in succ:
                thick = (a, b) in on_path
                ax.annotate("", xy=pos[b], xytext=pos[a], zorder=3 if thick else 1,
                            arrowprops=dict(arrowstyle="-|>", shrinkA=6, shrinkB=6,
                                            lw=2.4 if thick else 0.8,
                                            color=PALETTE["vermillion"] if thick else "0.6",
                                            connectionstyle="arc3,rad=0.0"))
        for node, (t, level) in pos.items():
            ax.scatter([t], [level], s=90, color=ROLE_COLOURS[_ROLE[node[0]]],
                       edgecolor="black" if node in path else "0.5",
                       linewidth=1.4 if node in path else 0.6, zorder=4)
        ts = sorted({int(round(p[0])) for p in pos.values()})
        ax.set_xticks(ts, [f"$t{'' if t == 0 else f'+{t}'}$" for t in ts])
        ax.set_yticks([])
        ax.set_title(f"{title}: {len(path) - 2} tanh")
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.margins(0.12)
    return fig


@in_style
def plot_path_lengths(k, lengths: Mapping[str, np.ndarray]):
    """The length of the shortest path from x(t) to y(t+k) against k, one line per network.

    Parameters
    ----------
    k : ndarray, shape (n,)
        The horizons.
    lengths : mapping of str to ndarray, shape (n,)
        Path lengths (nonlinearities crossed), by label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = np.asarray(k, dtype=float)
    if k.ndim != 1 or k.size == 0:
        raise ValueError(f"k must be a non-empty 1-D array, got shape {k.shape}")
    lengths = check_series("lengths", lengths, k.size)
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    markers, dashes = "osD^vP*", ("-", "--", ":", "-.")
    for i, (label, values) in enumerate(lengths.items()):
        # lines that coincide stay visible: each has its own dash and a smaller marker
        ax.plot(k, values, marker=markers[i % len(markers)], color=COLOURS[i % len(COLOURS)],
                linestyle=dashes[i % len(dashes)], markersize=max(3.5, 9.5 - 1.2 * i), label=label)
    ax.set_xlabel("steps ahead $k$")
    ax.set_ylabel("tanh layers on the\nshortest path $x(t) \\to y(t+k)$")
    ax.set_xticks(k)
    ax.legend(fontsize="small")
    return fig


@in_style
def plot_layer_acf(lags, acf: Mapping[str, np.ndarray],
                   spread: Mapping[str, np.ndarray] | None = None):
    """The autocorrelation of each layer's state against the lag.

    Parameters
    ----------
    lags : ndarray, shape (n,)
        The lags.
    acf : mapping of str to ndarray, shape (n,)
        One curve per layer (e.g. the mean over seeds), by label.
    spread : mapping of str to ndarray, shape (2, n), optional
        A band (lowest and highest over seeds) drawn around each curve.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lags = np.asarray(lags, dtype=float)
    if lags.ndim != 1 or lags.size == 0:
        raise ValueError(f"lags must be a non-empty 1-D array, got shape {lags.shape}")
    acf = check_series("acf", acf, lags.size)
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    for i, (label, values) in enumerate(acf.items()):
        colour = COLOURS[i % len(COLOURS)]
        ax.plot(lags, values, color=colour, label=label)
        if spread is not None and label in spread:
            band = np.asarray(spread[label], dtype=float)
            if band.shape != (2, lags.size):
                raise ValueError(f"spread[{label!r}] must have shape (2, {lags.size}), "
                                 f"got {band.shape}")
            ax.fill_between(lags, band[0], band[1], color=colour, alpha=0.15, linewidth=0)
    ax.axhline(np.exp(-1), color="0.4", linestyle=":", linewidth=1)
    ax.annotate("$1/e$", (lags[-1], np.exp(-1)), xytext=(0, 3), textcoords="offset points",
                ha="right", va="bottom", color="0.3", fontsize="small")
    ax.axhline(0, color="0.7", linewidth=0.8)
    ax.set_xlabel("lag $\\tau$ (steps)")
    ax.set_ylabel("autocorrelation $\\rho(\\tau)$")
    ax.legend(fontsize="small")
    return fig


@in_style
def plot_wide_vs_stacked(scores: Mapping[str, Mapping[str, np.ndarray]], *,
                         ylabel: str = "test accuracy (every bit right)"):
    """One panel per measurement, one column of dots (one per seed) per network.

    Parameters
    ----------
    scores : mapping of str to mapping of str to ndarray, shape (seeds,)
        ``scores[panel][network]``: e.g. ``{"length 64": {"1 x 35": [...], ...}, ...}``.
    ylabel : str
        The label of the first panel's y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError("scores must be a non-empty mapping from panel title to a mapping "
                        "from network to scores")
    panels = {title: check_series(f"scores[{title!r}]", nets) for title, nets in scores.items()}
    fig = new_figure((3.2 * len(panels), 3.4))
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (title, nets) in zip(axes, panels.items(), strict=True):
        for i, values in enumerate(nets.values()):
            jitter = np.linspace(-0.12, 0.12, values.size) if values.size > 1 else np.zeros(1)
            colour = COLOURS[i % len(COLOURS)]
            ax.scatter(i + jitter, values, color=colour, s=28, zorder=3)
            ax.hlines(np.mean(values), i - 0.25, i + 0.25, color=colour, linewidth=2)
        ax.set_xticks(range(len(nets)), list(nets))
        ax.set_xlim(-0.6, len(nets) - 0.4)
        ax.set_title(title)
    axes[0].set_ylabel(ylabel)
    return fig


# --- Recursive networks ---


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
