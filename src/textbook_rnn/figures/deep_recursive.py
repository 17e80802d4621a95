"""The figures of the chapter "Deep and recursive networks".

Drawing only: each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.deep`, :mod:`textbook_rnn.torch_nn.deep`,
:mod:`textbook_rnn.recursive`, :mod:`textbook_rnn.torch_nn.recursive`) and
returns a :class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so
that the same call gives the same picture on every machine.

Deep RNNs:

- :func:`plot_unrolled`: unrolled graphs of several architectures, a shortest
  path from x(t) to y(t+k) highlighted;
- :func:`plot_path_lengths`: the shortest path's length against k;
- :func:`plot_layer_acf`: the autocorrelation of each layer's state;
- :func:`plot_wide_vs_stacked`: accuracy of each network, one dot per seed.

Recursive networks:

- :func:`plot_tree`: a binary tree drawn from its ``children`` array, with
  optional scores on the candidate pairs of a greedy merge;
- :func:`plot_leaf_gradients`: ‖∂h_root/∂h_leaf‖ against the leaf's depth,
  balanced tree against chain;
- :func:`plot_expressions`: accuracy per depth of a tree network and an LSTM.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .style import COLOURS, PALETTE, ROLE_COLOURS, check_series, in_style, new_figure

__all__ = ["plot_expressions", "plot_layer_acf", "plot_leaf_gradients", "plot_path_lengths",
           "plot_tree", "plot_unrolled", "plot_wide_vs_stacked"]

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


def _tree_layout(children: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every node: x the mean of its leaves, y its height."""
    n = children.shape[0]
    leaf = (children < 0).all(axis=1)
    x = np.zeros(n)
    x[leaf] = np.arange(leaf.sum())
    y = np.zeros(n)
    for node in range(n):  # children come first
        kids = children[node][children[node] >= 0]
        if kids.size:
            x[node] = x[kids].mean()
            y[node] = y[kids].max() + 1
    return x, y


@in_style
def plot_tree(children, labels: Sequence | None = None, *, row: Sequence[int] | None = None,
              scores: Sequence[float] | None = None, chosen: int | None = None,
              title: str | None = None, ax=None):
    """Draw a binary tree, leaves at the bottom, each node above its children.

    Parameters
    ----------
    children : array_like of int, shape (n, 2)
        As in :func:`textbook_rnn.recursive.recursive_forward`.
    labels : sequence, optional
        A label per node, drawn in its circle (``None``: nothing).
    row : sequence of int, optional
        The current row of a greedy merge (node indices, left to right); with
        ``scores`` (one per adjacent pair) the scores are written between
        the nodes and the ``chosen`` pair is marked.
    scores : sequence of float, optional
    chosen : int, optional
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    children = np.asarray(children)
    if children.ndim != 2 or children.shape[1] != 2 or children.shape[0] == 0:
        raise ValueError(f"children must have shape (n, 2), got shape {children.shape}")
    labels = list(labels) if labels is not None else [None] * children.shape[0]
    if len(labels) != children.shape[0]:
        raise ValueError(f"labels must have one entry per node ({children.shape[0]}), "
                         f"got {len(labels)}")
    if ax is None:
        fig = new_figure((6.4, 3.4))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    x, y = _tree_layout(children)
    for node, pair in enumerate(children):
        for child in pair[pair >= 0]:
            ax.plot([x[node], x[child]], [y[node], y[child]], color=PALETTE["black"], lw=1.2,
                    zorder=1)
    colour = [PALETTE["orange"] if (c < 0).all() else PALETTE["green"] for c in children]
    ax.scatter(x, y, s=360, c=colour, edgecolors=PALETTE["black"], linewidths=0.8, zorder=2)
    for node, label in enumerate(labels):
        if label is not None:
            ax.text(x[node], y[node], str(label), ha="center", va="center", fontsize=10,
                    zorder=3)
    if row is not None and scores is not None:
        row = list(row)
        if len(scores) != len(row) - 1:
            raise ValueError(f"scores must have one entry per adjacent pair ({len(row) - 1}), "
                             f"got {len(scores)}")
        for i, s in enumerate(scores):
            left, right = row[i], row[i + 1]
            mid = (x[left] + x[right]) / 2
            top = max(y[left], y[right]) + 0.45
            best = i == chosen
            ax.text(mid, top, f"{s:+.2f}", ha="center", va="bottom", fontsize=9,
                    color=PALETTE["vermillion"] if best else PALETTE["black"],
                    fontweight="bold" if best else "normal")
    ax.set_xlim(x.min() - 0.7, x.max() + 0.7)
    ax.set_ylim(-0.6, y.max() + 1.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


@in_style
def plot_leaf_gradients(depths: Mapping[str, np.ndarray], norms: Mapping[str, np.ndarray]):
    """‖∂h_root/∂h_leaf‖ against each leaf's depth, one colour per tree shape.

    Parameters
    ----------
    depths : mapping of str to ndarray of int, shape (τ,)
        Each tree's leaf depths, by label (e.g. ``"balanced"``, ``"chain"``).
    norms : mapping of str to ndarray, shape (S, τ)
        The norms for S seeds, same labels.

    Returns
    -------
    matplotlib.figure.Figure
        Points: every leaf of every seed; line: the geometric mean per depth.
    """
    if set(depths) != set(norms) or not depths:
        raise ValueError("depths and norms must have the same non-empty set of labels, got "
                         f"{sorted(depths)} and {sorted(norms)}")
    fig = new_figure((6.4, 3.6))
    ax = fig.add_subplot()
    series = zip(depths.items(), (PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"]),
                 strict=False)
    for order, ((label, d), colour) in enumerate(series):
        zorder = 10 - order  # the first series on top: a short tree hides behind nothing
        d = np.asarray(d)
        v = np.atleast_2d(np.asarray(norms[label], dtype=float))
        if v.shape[1] != d.size:
            raise ValueError(f"norms[{label!r}] must have one column per leaf ({d.size}), "
                             f"got shape {v.shape}")
        ax.scatter(np.broadcast_to(d, v.shape).ravel(), v.ravel(), s=10, alpha=0.35,
                   color=colour, zorder=zorder)
        levels = np.unique(d)
        mean = [np.exp(np.log(v[:, d == k]).mean()) for k in levels]
        ax.plot(levels, mean, color=colour, marker="o", ms=4 + 2 * (order == 0), label=label,
                zorder=zorder)
    ax.set_yscale("log")
    ax.set_xlabel("depth of the leaf (nonlinearities to the root)")
    ax.set_ylabel(r"$\|\partial h_{root} / \partial h_{leaf}\|$")
    ax.legend()
    return fig


@in_style
def plot_expressions(depths: Sequence[int], accuracy: Mapping[str, np.ndarray],
                     majority: Sequence[float], *, trained_up_to: int = 3):
    """Accuracy per expression depth, one colour per model, one point per seed.

    Parameters
    ----------
    depths : sequence of int
        The test depths.
    accuracy : mapping of str to ndarray, shape (S, len(depths))
        Accuracy of each seed, by model label.
    majority : sequence of float
        The rate of always answering the most common value, per depth.
    trained_up_to : int
        The deepest training depth; the depths above are shaded as unseen.

    Returns
    -------
    matplotlib.figure.Figure
    """
    depths = np.asarray(depths)
    fig = new_figure((6.4, 3.6))
    ax = fig.add_subplot()
    ax.axvspan(trained_up_to + 0.5, depths.max() + 0.5, color=PALETTE["sky"], alpha=0.12,
               lw=0)
    ax.text(trained_up_to + 0.6, 1.02, "not seen in training", fontsize=9, va="bottom")
    for (label, acc), colour, marker in zip(accuracy.items(),
                                            (PALETTE["green"], PALETTE["blue"]), "os",
                                            strict=False):
        acc = np.atleast_2d(np.asarray(acc, dtype=float))
        if acc.shape[1] != depths.size:
            raise ValueError(f"accuracy[{label!r}] must have one column per depth "
                             f"({depths.size}), got shape {acc.shape}")
        for row in acc:
            ax.plot(depths, row, color=colour, alpha=0.3, lw=1)
        ax.plot(depths, acc.mean(axis=0), color=colour, marker=marker, label=label)
    ax.plot(depths, majority, color=PALETTE["black"], ls="--", lw=1.2, label="majority class")
    ax.set_xlabel("depth of the expression")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.1)
    ax.set_xticks(depths)
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.62), fontsize=10)
    return fig
