"""The figures of chapter 2 ("Back-propagation through time"), as pure functions.

Every function takes arrays (computed elsewhere, by tested code) and returns
a :class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot and never
shown: the same call gives the same picture on every machine.

- :func:`draw_backward_graph`: the unfolded network with the gradient
  messages of BPTT flowing back (section *The derivation*);
- :func:`plot_bptt_cost`: arithmetic and memory of BPTT against the length τ;
- :func:`plot_gradient_norms`: ‖∂L/∂h_t‖ going back in time;
- :func:`plot_gradient_frame`: one frame of the chapter's widget;
- :func:`plot_activation_comparison`: tanh against ReLU in the recurrence;
- :func:`plot_link_weights`: where truncation cuts the backward pass;
- :func:`plot_unbiasedness`: Monte-Carlo error of randomized truncation;
- :func:`plot_recall_experiment`: learning a long dependency with and
  without truncation.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .style import COLOURS, PALETTE, ROLE_COLOURS, check_series, in_style, new_figure

__all__ = [
    "draw_backward_graph",
    "plot_bptt_cost",
    "plot_gradient_norms",
    "plot_gradient_frame",
    "plot_activation_comparison",
    "plot_link_weights",
    "plot_unbiasedness",
    "plot_recall_experiment",
]

BACKWARD = PALETTE["vermillion"]


# --- the backward graph -----------------------------------------------------------------------

_R = 0.33


def _node(ax, xy, label, role, *, fontsize=13.5):
    patches = require("matplotlib.patches")
    ax.add_patch(patches.Circle(xy, _R, facecolor=ROLE_COLOURS[role], alpha=0.35,
                                edgecolor="none", zorder=2))
    ax.add_patch(patches.Circle(xy, _R, facecolor="none", edgecolor="#333333", lw=1.2, zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def _link(ax, start, end, *, colour="#999999", lw=1.1, offset=0.0, label="", label_at=0.5,
          label_shift=(0.0, 0.0), fontsize=12):
    """An arrow between the rims of two nodes, shifted sideways by ``offset``."""
    patches = require("matplotlib.patches")
    p, q = np.asarray(start, float), np.asarray(end, float)
    u = (q - p) / np.linalg.norm(q - p)
    n = np.array([-u[1], u[0]])
    a, b = p + _R * u + offset * n, q - _R * u + offset * n
    ax.add_patch(patches.FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, lw=lw,
                                         color=colour, shrinkA=2, shrinkB=2, zorder=1))
    if label:
        mid = a + label_at * (b - a) + np.asarray(label_shift)
        ax.text(*mid, label, ha="center", va="center", fontsize=fontsize, color=colour,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5}, zorder=5)


@in_style
def draw_backward_graph():
    """The unfolded RNN around step t, with BPTT's gradient messages in red.

    Grey arrows are the forward pass (equations ``rnn-a`` to ``rnn-loss``);
    red arrows carry gradients backwards, labelled by the matrix each message
    is multiplied with: ``ŷ - e_y`` out of the loss (``bptt-do``), ``Vᵀ`` from
    an output to its state, and ``Wᵀ diag(1 - h²)`` from one state to the one
    before (``bptt-dh-t``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((8.4, 4.4))
    ax = fig.add_subplot()
    dx = 2.9
    cols = {"t-1": 0.0, "t": dx, "t+1": 2 * dx}
    rows = {"x": 0.0, "h": 1.5, "o": 3.0, "L": 4.5}
    for name, cx in cols.items():
        _node(ax, (cx, rows["x"]), rf"$\mathbf{{x}}_{{{name}}}$", "input")
        _node(ax, (cx, rows["h"]), rf"$\mathbf{{h}}_{{{name}}}$", "hidden")
        _node(ax, (cx, rows["o"]), rf"$\mathbf{{o}}_{{{name}}}$", "output")
        _node(ax, (cx, rows["L"]), rf"$L_{{{name}}}$", "loss")
        _link(ax, (cx, rows["x"]), (cx, rows["h"]), label=r"$\mathbf{U}$", label_shift=(-0.32, 0))
        _link(ax, (cx, rows["h"]), (cx, rows["o"]), offset=0.1)
        _link(ax, (cx, rows["o"]), (cx, rows["L"]), offset=0.1)
        # backward: L -> o -> h
        _link(ax, (cx, rows["L"]), (cx, rows["o"]), colour=BACKWARD, lw=1.8, offset=0.1,
              label=r"$\hat{\mathbf{y}}-\mathbf{e}_y$", label_shift=(0.62, 0))
        _link(ax, (cx, rows["o"]), (cx, rows["h"]), colour=BACKWARD, lw=1.8, offset=0.1,
              label=r"$\mathbf{V}^\top$", label_shift=(0.42, 0))
    # the dashed ends of the chain
    for cx, label in ((-1.8, r"$\mathbf{h}_{t-2}$"), (2 * dx + 1.8, r"$\mathbf{h}_{t+2}$")):
        ax.text(cx, rows["h"], label, ha="center", va="center", fontsize=12.5, color="#666666")
    names = list(cols)
    for a, b in zip(names[:-1], names[1:], strict=True):
        start, end = (cols[a], rows["h"]), (cols[b], rows["h"])
        _link(ax, start, end, offset=0.12, label=r"$\mathbf{W}$", label_shift=(0, 0.3))
        _link(ax, end, start, colour=BACKWARD, lw=1.8, offset=0.12,
              label=r"$\mathbf{W}^\top\mathrm{diag}(1-\mathbf{h}_{" + b + r"}^2)$",
              label_shift=(0, -0.3))
    _link(ax, (-1.35, rows["h"]), (cols["t-1"], rows["h"]), offset=0.12)
    _link(ax, (cols["t-1"], rows["h"]), (-1.35, rows["h"]), colour=BACKWARD, lw=1.8, offset=0.12)
    _link(ax, (cols["t+1"], rows["h"]), (2 * dx + 1.35, rows["h"]), offset=0.12)
    _link(ax, (2 * dx + 1.35, rows["h"]), (cols["t+1"], rows["h"]), colour=BACKWARD, lw=1.8,
          offset=0.12)
    ax.text(cols["t"], -0.75, r"$\nabla_{\mathbf{h}_t}L$ = (from $\mathbf{o}_t$) + (from "
            r"$\mathbf{h}_{t+1}$): two red arrows meet at every state",
            ha="center", va="center", fontsize=12.5, color=BACKWARD)
    ax.set_xlim(-2.4, 2 * dx + 2.4)
    ax.set_ylim(-1.1, 5.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --- cost ---------------------------------------------------------------------------------------


@in_style
def plot_bptt_cost(T: Sequence[int], operations: Mapping[str, Sequence[float]],
                   megabytes: Mapping[str, Sequence[float]]):
    """Two panels against the sequence length: counted arithmetic, and stored memory.

    Parameters
    ----------
    T : sequence of int
        Sequence lengths (at least two).
    operations : mapping of str to sequence of float
        Label to multiply-adds per call, one per length.
    megabytes : mapping of str to sequence of float
        Label to megabytes kept for the backward pass, one per length.

    Returns
    -------
    matplotlib.figure.Figure
    """
    T = np.asarray(T, dtype=float)
    if T.ndim != 1 or T.size < 2:
        raise ValueError(f"T must be a 1-D sequence of at least two lengths, got shape {T.shape}")
    operations = check_series("operations", operations, T.size)
    megabytes = check_series("megabytes", megabytes, T.size)
    fig = new_figure((9.4, 3.8))
    left, right = fig.subplots(1, 2)
    for ax, series, scale, ylabel, title in (
        (left, operations, 1e-6, "millions of multiply-adds per call", "arithmetic (counted)"),
        (right, megabytes, 1.0, "megabytes kept for the backward pass", "memory (counted exactly)"),
    ):
        for (label, values), marker in zip(series.items(), "osD^v", strict=False):
            ax.plot(T, values * scale, marker=marker, ms=4.5, label=label)
        ax.set_xlabel(r"sequence length $\tau$")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.set_xlim(0, T.max() * 1.04)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
    return fig


# --- gradients over time ------------------------------------------------------------------------


def _floor(values: np.ndarray, floor: float) -> np.ndarray:
    return np.where(np.isfinite(values), np.maximum(values, floor), np.nan)


@in_style
def plot_gradient_norms(norms: Mapping[str, Sequence[float]], *, floor: float = 1e-30,
                        title: str | None = None,
                        ylabel: str = r"$\|\partial L_\tau / \partial \mathbf{h}_t\|$"):
    """‖∂L/∂h_t‖ against t on a logarithmic axis, one line per setting.

    Parameters
    ----------
    norms : mapping of str to ndarray, shape (T,)
        Label to the gradient norm at steps 1 .. T.
    floor : float
        Values below it are drawn at it.
    title : str, optional
    ylabel : str
        Label of the vertical axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    norms = check_series("norms", norms)
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor}")
    fig = new_figure((8.6, 4.0))
    ax = fig.add_subplot()
    T = max(v.size for v in norms.values())
    for label, values in norms.items():
        ax.plot(np.arange(1, values.size + 1), _floor(values, floor), label=label)
    ax.set_yscale("log")
    ax.set_xlim(1, T)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(ylabel)
    ax.annotate("", xy=(0.06, 0.06), xytext=(0.32, 0.06), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.4})
    ax.text(0.19, 0.09, "back in time", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=11.5, color="#555555")
    if title:
        ax.set_title(title)
    fig.legend(loc="outside right upper")
    return fig


@in_style
def plot_gradient_frame(norms: Mapping[str, Sequence[float]], current: str,
                        shares: Sequence[float], *, ylim: tuple[float, float] = (1e-20, 1e3)):
    """One frame of the widget: the gradient at one scale of W, the others faint.

    Parameters
    ----------
    norms : mapping of str to ndarray, shape (T,)
        Label (e.g. ``"1.20"``) to ‖∂L_τ/∂h_t‖ for every scale of W.
    current : str
        The label drawn in colour.
    shares : ndarray, shape (T,)
        For the current scale, the share of each step t in ∇_W L, e.g. from
        the norms of :func:`textbook_rnn.bptt_analysis.weight_gradient_by_step`
        (normalised to sum to 1). The right panel shows the share of steps
        t .. T, accumulated from the end.
    ylim : tuple of float
        Fixed limits of the logarithmic axis, the same in every frame.

    Returns
    -------
    matplotlib.figure.Figure
    """
    norms = check_series("norms", norms)
    if current not in norms:
        raise ValueError(f"current must be one of the labels of norms, got {current!r}")
    T = norms[current].size
    shares = np.asarray(shares, dtype=float)
    if shares.shape != (T,):
        raise ValueError(f"shares must have shape ({T},), got {shares.shape}")
    fig = new_figure((9.0, 3.6))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    steps = np.arange(1, T + 1)
    for label, values in norms.items():
        if label != current:
            left.plot(steps, _floor(values, ylim[0]), color="#bbbbbb", lw=1.0)
    left.plot(steps, _floor(norms[current], ylim[0]), color=PALETTE["blue"], lw=2.4)
    left.set_yscale("log")
    left.set_ylim(*ylim)
    left.set_xlim(1, T)
    left.set_xlabel("step $t$")
    left.set_ylabel(r"$\|\partial L_\tau / \partial \mathbf{h}_t\|$")
    left.set_title(f"scale of W = {current} (grey: other scales)")
    # share of the gradient that comes from steps t, t+1, ..., T
    from_here = np.cumsum(shares[::-1])[::-1]
    right.fill_between(steps, from_here, color=PALETTE["vermillion"], alpha=0.25, lw=0)
    right.plot(steps, from_here, color=PALETTE["vermillion"])
    right.axhline(0.9, color="#777777", ls=":", lw=1.2)
    right.text(1.5, 0.91, "90 %", va="bottom", fontsize=11, color="#555555")
    right.set_xlim(1, T)
    right.set_ylim(0, 1.02)
    right.set_xlabel("step $t$")
    right.set_ylabel(r"share from steps $t$ to $\tau$")
    right.set_title(r"where $\nabla_{\mathbf{W}} L_\tau$ comes from")
    return fig


@in_style
def plot_activation_comparison(states: Mapping, grads: Mapping, *, floor: float = 1e-30):
    """Compare tanh with ReLU: size of the state going forward, of the gradient going back.

    Parameters
    ----------
    states, grads : mapping of (str, float) to ndarray, shape (T,)
        Keyed by ``(activation, scale)``, e.g. ``("relu", 2.0)``: the mean
        ‖h_t‖ and the mean ‖∂L_τ/∂h_t‖ at steps 1 .. T. Colour follows the
        scale, the line style the activation (tanh solid, ReLU dashed).
    floor : float
        Smallest value drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    for name, mapping in (("states", states), ("grads", grads)):
        if not isinstance(mapping, Mapping) or not mapping:
            raise TypeError(f"{name} must be a non-empty mapping from (activation, scale) to (T,)")
        for key in mapping:
            if not (isinstance(key, tuple) and len(key) == 2):
                raise TypeError(f"{name} keys must be (activation, scale) pairs, got {key!r}")
    scales = sorted({key[1] for key in states})
    colour = {s: COLOURS[i % len(COLOURS)] for i, s in enumerate(scales)}
    fig = new_figure((9.4, 3.9))
    left, right = fig.subplots(1, 2)
    for ax, mapping in ((left, states), (right, grads)):
        for (activation, scale), values in mapping.items():
            values = np.asarray(values, dtype=float)
            ax.plot(np.arange(1, values.size + 1), _floor(values, floor),
                    color=colour.get(scale, "black"),
                    ls="-" if activation == "tanh" else "--",
                    label=f"{activation}, scale {scale:g}")
        ax.set_yscale("log")
        ax.set_xlabel("step $t$")
    left.set_ylabel(r"$\|\mathbf{h}_t\|$")
    left.set_title("forward: size of the state")
    right.set_ylabel(r"$\|\partial L_\tau / \partial \mathbf{h}_t\|$")
    right.set_title("backward: size of the gradient")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper")
    return fig


# --- truncation ---------------------------------------------------------------------------------


@in_style
def plot_link_weights(weights: Mapping[str, Sequence[float]]):
    """Where each method cuts the backward pass: one row of link weights per method.

    Parameters
    ----------
    weights : mapping of str to ndarray, shape (T,)
        Label to the weight on the link into each step (0 = cut).

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = check_series("weights", weights)
    n = len(weights)
    fig = new_figure((8.0, 1.0 + 1.2 * n))
    axes = np.atleast_1d(fig.subplots(n, 1, sharex=True))
    top = max(float(np.nanmax(w)) for w in weights.values())
    for ax, (label, w), colour in zip(axes, weights.items(), COLOURS, strict=False):
        steps = np.arange(1, w.size + 1)
        kept = w > 0
        ax.bar(steps[kept], w[kept], width=0.8, color=colour)
        ax.plot(steps[~kept], np.zeros((~kept).sum()), "x", color="black", ms=7, mew=1.6)
        ax.set_ylim(0, top * 1.25)
        ax.set_ylabel("weight")
        ax.set_title(label, loc="left", fontsize=12)
        ax.grid(axis="x", visible=False)
    axes[-1].set_xlabel(r"step $t$ (the link $\mathbf{h}_{t-1}\to\mathbf{h}_t$; × = gradient cut)")
    axes[-1].set_xlim(0.3, max(w.size for w in weights.values()) + 0.7)
    return fig


@in_style
def plot_unbiasedness(samples: Sequence[int], errors: Mapping[str, Sequence[float]], *,
                      expected: Sequence[float] | None = None,
                      reference: Mapping[str, float] | None = None):
    """Relative error of an average of M gradient estimates, against M (log-log).

    Parameters
    ----------
    samples : sequence of int
        The numbers M of estimates averaged.
    errors : mapping of str to sequence of float
        Label to ‖mean of M estimates − full gradient‖ / ‖full gradient‖.
    expected : sequence of float, optional
        The error that noise alone would give, e.g. √(Σᵢ Var gᵢ / M) / ‖full‖,
        drawn dotted. Without it a 1/√M line through the first point is drawn.
    reference : mapping of str to float, optional
        Horizontal lines, e.g. the (constant) error of plain truncation.

    Returns
    -------
    matplotlib.figure.Figure
    """
    M = np.asarray(samples, dtype=float)
    if M.ndim != 1 or M.size < 2 or np.any(M <= 0):
        raise ValueError("samples must be at least two positive counts")
    errors = check_series("errors", errors, M.size)
    fig = new_figure((7.6, 4.0))
    ax = fig.add_subplot()
    for (label, values), colour in zip(errors.items(), COLOURS, strict=False):
        ax.plot(M, values, "o-", ms=4, color=colour, label=label)
    if expected is not None:
        expected = check_series("expected", {"expected": expected}, M.size)["expected"]
        ax.plot(M, expected, ":", color="#555555", lw=1.6,
                label=r"noise alone: $\sqrt{\mathrm{tr}\,\mathrm{Cov}/M}$")
    else:
        first = next(iter(errors.values()))
        ax.plot(M, first[0] * np.sqrt(M[0] / M), ":", color="#555555", lw=1.6,
                label=r"$\propto 1/\sqrt{M}$")
    for (label, value), colour in zip((reference or {}).items(), COLOURS[1:], strict=False):
        ax.axhline(float(value), color=colour, ls="--", lw=1.6, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of gradient estimates averaged, $M$")
    ax.set_ylabel("relative error vs full BPTT")
    ax.legend(loc="lower left")
    return fig


@in_style
def plot_recall_experiment(curves: Mapping[str, Sequence[float]], delays: Sequence[int],
                           accuracy: Mapping[str, Sequence[float]], *, k: int, chance: float,
                           delay_shown: int, smooth: int = 25):
    """Learning curves at one delay, and final accuracy against the delay.

    Parameters
    ----------
    curves : mapping of str to ndarray, shape (steps,)
        Label to the training loss of every step (at delay ``delay_shown``).
    delays : sequence of int
        The delays of the right panel.
    accuracy : mapping of str to sequence of float
        Label to the test accuracy at each delay.
    k : int
        Truncation length, marked by a vertical line.
    chance : float
        Accuracy of guessing, marked by a horizontal line.
    delay_shown : int
        The delay of the learning curves (for the title).
    smooth : int
        Width of the moving average applied to the curves.

    Returns
    -------
    matplotlib.figure.Figure
    """
    curves = check_series("curves", curves)
    delays = np.asarray(delays, dtype=float)
    accuracy = check_series("accuracy", accuracy, delays.size)
    if smooth < 1:
        raise ValueError(f"smooth must be at least 1, got {smooth}")
    fig = new_figure((9.4, 4.0))
    left, right = fig.subplots(1, 2)
    kernel = np.ones(smooth) / smooth
    for (label, loss), colour in zip(curves.items(), COLOURS, strict=False):
        shown = np.convolve(loss, kernel, mode="valid") if loss.size >= smooth else loss
        left.plot(np.arange(shown.size) + (loss.size - shown.size + 1), shown, color=colour,
                  label=label)
    left.set_yscale("log")
    left.set_xlabel("training step")
    left.set_ylabel("training loss per time step")
    left.set_title(f"learning curves, delay d = {delay_shown}")
    for (label, acc), colour, marker in zip(accuracy.items(), COLOURS, "osD^v", strict=False):
        right.plot(delays, acc, marker=marker, ms=6, color=colour, label=label)
    right.axhline(chance, color="#777777", ls=":", lw=1.4)
    right.text(delays.max(), chance + 0.03, "chance", ha="right", va="bottom", fontsize=11.5,
               color="#555555")
    right.axvline(k, color="#777777", ls="--", lw=1.2)
    right.text(k + 0.08, 0.5, f"k = {k}", rotation=90, va="center", fontsize=11.5,
               color="#555555")
    right.set_ylim(0, 1.05)
    right.set_xticks(delays)
    right.set_xlabel("delay $d$ (steps from symbol to recall)")
    right.set_ylabel("test accuracy on recall steps")
    right.set_title("what each method can learn")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels))
    return fig
