"""The figures of the chapter "Deep and recursive networks".

Drawing only: each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.recursive`, :mod:`textbook_rnn.torch_nn.recursive`) and
returns a :class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so
that the same call gives the same picture on every machine.

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

from .style import PALETTE, in_style, new_figure

__all__ = ["plot_expressions", "plot_leaf_gradients", "plot_tree"]

# --- Deep RNNs ---


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
