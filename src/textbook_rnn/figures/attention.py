"""The figures of the chapter "Bidirectional and encoder-decoder networks, attention".

Every function takes arrays computed elsewhere, by tested code, and returns a
:class:`matplotlib.figure.Figure` in the book's style that pyplot does not
track:

- :func:`plot_evidence`: accuracy of one- and two-direction taggers against
  how far ahead the evidence lies (section *Bidirectional networks*);
- :func:`plot_grid_views`: which pixels one output of a 2-D scan sees, for
  several sets of directions (section *Two dimensions*);
- :func:`plot_scan_costs`: sequential steps of a 2-D scan against the depth
  of a CNN that sees as much;
- :func:`plot_reversal`: training loss and accuracy with the source as
  given and reversed (section *Encoder-decoder networks*);
- :func:`plot_accuracy_by_length`: whole-sequence accuracy against length,
  with and without attention (section *Attention*);
- :func:`plot_attention_map`: the attention weights of one decoded sequence,
  a frame of the chapter's widget;
- :func:`plot_swap_task`: accuracy of a multiplicative and of the best
  additive linear model on the swap task (section *Multiplicative modules*).

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .style import COLOURS, PALETTE, in_style, new_figure

__all__ = [
    "plot_evidence",
    "plot_grid_views",
    "plot_scan_costs",
    "plot_reversal",
    "plot_accuracy_by_length",
    "plot_attention_map",
    "plot_swap_task",
]


def _seed_lines(ax, x, runs, colour, label, marker="o"):
    """Each seed thin, their mean thick, for an array (seeds, len(x))."""
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    if runs.shape[1] != len(x):
        raise ValueError(f"runs must have shape (seeds, {len(x)}), got {runs.shape}")
    for r in runs:
        ax.plot(x, r, color=colour, lw=0.8, alpha=0.45)
    ax.plot(x, runs.mean(axis=0), color=colour, lw=2.2, marker=marker, ms=5, label=label)


@in_style
def plot_evidence(ks: Sequence[int], uni, bi, *, chance: float = 0.5):
    """Accuracy against the distance k to the evidence, one direction against two.

    Parameters
    ----------
    ks : sequence of int
        Distances k.
    uni, bi : array_like, shape (seeds, len(ks))
        Test accuracies of the one-direction and the bidirectional tagger.
    chance : float
        The accuracy of guessing.
    """
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    _seed_lines(ax, ks, uni, COLOURS[0], "left to right only")
    _seed_lines(ax, ks, bi, COLOURS[1], "bidirectional", marker="s")
    ax.axhline(chance, color="#888888", ls=":", lw=1)
    ax.text(ks[-1], chance + 0.01, "chance", ha="right", va="bottom", color="#666666")
    ax.set(xlabel="distance $k$ from step $t$ to its evidence", ylabel="test accuracy",
           ylim=(0.4, 1.03), xticks=list(ks))
    ax.legend(loc="center right")
    return fig


@in_style
def plot_grid_views(views: Mapping[str, np.ndarray], pixel: tuple[int, int]):
    """One panel per scan: the pixels (dark) that the output at ``pixel`` (red) depends on.

    Parameters
    ----------
    views : mapping of str to ndarray of bool, shape (rows, cols)
        Panel title → dependency mask of one output.
    pixel : (int, int)
        The output's position, marked in every panel.
    """
    cmap = require_cmap()
    fig = new_figure((2.3 * len(views), 2.6))
    axes = fig.subplots(1, len(views), squeeze=False)[0]
    for ax, (title, seen) in zip(axes, views.items(), strict=True):
        seen = np.asarray(seen, dtype=float)
        ax.imshow(seen, cmap=cmap, vmin=0, vmax=1)
        ax.plot(pixel[1], pixel[0], marker="s", ms=7, color=PALETTE["vermillion"])
        ax.set_title(f"{title}\n{int(seen.sum())} of {seen.size} pixels", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def require_cmap():
    """A two-colour map: white for unseen pixels, the book's blue for seen ones."""
    from .._optional import require
    colors = require("matplotlib.colors")
    return colors.ListedColormap(["#ffffff", PALETTE["sky"]])


@in_style
def plot_scan_costs(ns: Sequence[int], scan_steps, cnn_layers, pixel_steps=None):
    """Sequential steps of a 2-D scan (wavefront) and layers of a 3×3 CNN, against image size.

    Parameters
    ----------
    ns : sequence of int
        Image sides n.
    scan_steps, cnn_layers : array_like, shape (len(ns),)
        What :func:`textbook_rnn.bidirectional.scan_costs` computes.
    pixel_steps : array_like, optional
        Steps of a scan that visits one pixel at a time.
    """
    fig = new_figure((6.0, 3.3))
    ax = fig.add_subplot()
    ax.plot(ns, scan_steps, marker="o", color=COLOURS[0],
            label="2-D scan, anti-diagonals at once")
    ax.plot(ns, cnn_layers, marker="s", color=COLOURS[1],
            label="3×3 CNN layers for a full view")
    if pixel_steps is not None:
        ax.plot(ns, pixel_steps, marker="^", color=COLOURS[2], label="2-D scan, pixel by pixel")
        ax.set_yscale("log")
    ax.set(xlabel="image side $n$", ylabel="sequential steps", xticks=list(ns))
    ax.legend()
    return fig


@in_style
def plot_reversal(steps, loss_plain, loss_reversed, acc_plain, acc_reversed):
    """Training loss (left) and test token accuracy (right), source as given and reversed.

    Parameters
    ----------
    steps : array_like, shape (R,)
        The steps of the loss records.
    loss_plain, loss_reversed : array_like, shape (seeds, R)
    acc_plain, acc_reversed : array_like, shape (seeds,)
    """
    fig = new_figure((7.6, 3.2))
    ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    _seed_lines(ax, steps, loss_plain, COLOURS[0], "source as given", marker="")
    _seed_lines(ax, steps, loss_reversed, COLOURS[1], "source reversed", marker="")
    ax.set(xlabel="update", ylabel="training loss (nats per token)")
    ax.legend()
    for i, (acc, colour) in enumerate(((acc_plain, COLOURS[0]), (acc_reversed, COLOURS[1]))):
        acc = np.asarray(acc, dtype=float)
        bx.bar(i, acc.mean(), color=colour, alpha=0.5, width=0.6)
        bx.plot(np.full(acc.shape, i), acc, "o", color=colour, ms=5)
    bx.set(xticks=[0, 1], xticklabels=["given", "reversed"], ylabel="test token accuracy",
           ylim=(0, 1))
    return fig


@in_style
def plot_accuracy_by_length(lengths, without, with_attention, *, train_range=None):
    """Greedy whole-sequence accuracy against the length of the sequence.

    Parameters
    ----------
    lengths : array_like, shape (L,)
    without, with_attention : array_like, shape (seeds, L)
    train_range : (int, int), optional
        The training lengths, shaded.
    """
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    _seed_lines(ax, lengths, without, COLOURS[0], "fixed context $C$")
    _seed_lines(ax, lengths, with_attention, COLOURS[1], "attention", marker="s")
    ax.set(xlabel="sequence length", ylabel="whole-sequence accuracy", ylim=(-0.03, 1.03))
    ax.legend(loc="lower left")
    return fig


@in_style
def plot_attention_map(weights, source: Sequence[int], output: Sequence[int], *,
                       title: str = ""):
    """The weights α_ij of one decoded sequence: row i is output step i, column j source token j.

    Parameters
    ----------
    weights : array_like, shape (T_out, S)
    source : sequence of int
        The source tokens (column labels).
    output : sequence of int
        The decoded tokens (row labels); 2 is the end-of-sequence token.
    title : str
    """
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(output), len(source)):
        raise ValueError(f"weights must have shape (len(output), len(source)) = "
                         f"({len(output)}, {len(source)}), got {w.shape}")
    fig = new_figure((4.8, 4.6))
    ax = fig.add_subplot()
    im = ax.imshow(w, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), [str(s) for s in source], fontsize=7)
    ax.set_yticks(range(len(output)), ["end" if t == 2 else str(t) for t in output], fontsize=7)
    ax.set(xlabel="source token $j$", ylabel="output token $i$ (decoded)")
    ax.grid(False)
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8, label=r"$\alpha_{ij}$")
    return fig


@in_style
def plot_swap_task(lengths, multiplicative, additive, *, chance: float):
    """Accuracy of the multiplicative RNN and of the least-squares additive read-out, by length.

    Parameters
    ----------
    lengths : array_like, shape (L,)
    multiplicative, additive : array_like, shape (L,)
    chance : float
    """
    fig = new_figure((6.0, 3.2))
    ax = fig.add_subplot()
    ax.plot(lengths, multiplicative, marker="o", color=COLOURS[1],
            label="multiplicative: $h_t = W^{(x_t)} h_{t-1}$")
    ax.plot(lengths, additive, marker="s", color=COLOURS[0],
            label="additive, least squares: $h_T = \\sum_t A_t x_t + b$")
    ax.axhline(chance, color="#888888", ls=":", lw=1)
    ax.set(xlabel="number of swaps $T$", ylabel="accuracy (all sequences)", ylim=(0, 1.05),
           xticks=list(lengths))
    ax.legend(loc="lower left")
    return fig
