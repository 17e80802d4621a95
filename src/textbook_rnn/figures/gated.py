"""The figures of chapter 8 ("Gated RNNs: LSTM and GRU"): drawing only.

Each function returns a :class:`matplotlib.figure.Figure` drawn inside the
book's style (:data:`textbook_rnn.figures.style.STYLE`), never registered
with pyplot, from arrays the core computed.

- :func:`draw_cells`: block diagrams of the LSTM and GRU cells;
- :func:`plot_path_gains`: how a gradient fades along the cell state's
  self-loop (:func:`textbook_rnn.lstm.cell_path_gain`) and along the
  vanilla RNN's state (:func:`textbook_rnn.dynamics.jacobian_product_norms`);
- :func:`plot_adding`: training curves of the adding problem;
- :func:`plot_gate_trace`: gate values of a trained cell over one sequence;
- :func:`plot_forget_bias`: the forget-gate bias experiment;
- :func:`plot_counting`: the counting languages (the counting unit found by
  :func:`textbook_rnn.tasks.counting.counter_unit`);
- :func:`plot_memory_frame`: one frame of the chapter's widget.

matplotlib is imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .style import PALETTE, in_style, new_figure

__all__ = [
    "CELL_COLOURS",
    "draw_cells",
    "plot_path_gains",
    "plot_adding",
    "plot_gate_trace",
    "plot_forget_bias",
    "plot_counting",
    "plot_memory_frame",
]

CELL_COLOURS = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
"""One colour per kind of cell, the same in every figure of the chapter."""

CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}

_GATE_COLOURS = {"forget": PALETTE["vermillion"], "input": PALETTE["blue"],
                 "candidate": PALETTE["orange"], "output": PALETTE["green"],
                 "update": PALETTE["purple"], "reset": PALETTE["sky"]}
_INK = "#333333"


# ---------------------------------------------------------------------------
# Block diagrams
# ---------------------------------------------------------------------------


def _box(ax, xy, text, colour, *, w=1.0, h=0.7):
    patches = require("matplotlib.patches")
    x, y = xy
    ax.add_patch(patches.FancyBboxPatch(
        (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
        facecolor=colour, alpha=0.28, edgecolor="none", zorder=2))
    ax.add_patch(patches.FancyBboxPatch(
        (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
        facecolor="none", edgecolor=colour, lw=1.6, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=15, zorder=4)


def _op(ax, xy, symbol, *, r=0.26):
    patches = require("matplotlib.patches")
    ax.add_patch(patches.Circle(xy, r, facecolor="white", edgecolor=_INK, lw=1.4, zorder=3))
    ax.text(*xy, symbol, ha="center", va="center", fontsize=15, zorder=4)


def _line(ax, points, *, colour=_INK, lw=1.4, arrow=True, dashed=False, zorder=1.0):
    """A polyline through ``points``, with an arrow head on its last segment."""
    patches = require("matplotlib.patches")
    pts = [np.asarray(p, float) for p in points]
    style = (0, (4, 3)) if dashed else "-"
    for a, b in zip(pts[:-2], pts[1:-1], strict=False):
        ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, lw=lw, linestyle=style, zorder=zorder,
                solid_capstyle="round")
    a, b = pts[-2], pts[-1]
    ax.add_patch(patches.FancyArrowPatch(
        a, b, arrowstyle="-|>" if arrow else "-", mutation_scale=13, lw=lw, color=colour,
        linestyle=style, shrinkA=0, shrinkB=0, zorder=zorder))


def _label(ax, xy, text, *, colour=_INK, size=15, **kw):
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    ax.text(*xy, text, color=colour, fontsize=size, zorder=5, **kw)


# Heights shared by both cells: the state line, the gates, the input bus.
_TOP, _GATE_Y, _BUS_Y, _R_OP = 5.0, 2.3, 0.9, 0.26
_LSTM_X = {"f": 2.6, "i": 4.4, "g": 5.8, "o": 7.6, "s": 9.2}


def _state_line(ax, stops, colour, start_label, end_label) -> None:
    """The shaded line along the top that carries a state through ``stops`` (x of each op)."""
    r, top = _R_OP, _TOP
    ax.plot([0.6, 11.4], [top, top], color=colour, lw=4.5, alpha=0.18, zorder=0,
            solid_capstyle="round")
    edges = [0.6] + [x for stop in stops for x in (stop - r, stop + r)] + [11.4]
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        _line(ax, [(a, top), (b, top)])
    _label(ax, (0.35, top + 0.5), start_label, ha="left")
    _label(ax, (11.5, top + 0.5), end_label, ha="right")


def _lstm_gates(ax) -> None:
    """h_{t-1} and x_t on one bus into the four gates, each named in its colour."""
    X = _LSTM_X
    _label(ax, (0.2, _BUS_Y), r"$\boldsymbol{h}_{t-1}$", ha="left")
    _label(ax, (1.5, -0.3), r"$\boldsymbol{x}_t$")
    ax.plot([0.95, X["o"]], [_BUS_Y, _BUS_Y], color=_INK, lw=1.4, zorder=1)
    ax.plot([1.5, 1.5], [0.05, _BUS_Y], color=_INK, lw=1.4, zorder=1)
    ax.plot([1.5], [_BUS_Y], "o", color=_INK, ms=4, zorder=2)
    gates = (("f", r"$\sigma$", "forget", r"$\boldsymbol{f}_t$"),
             ("i", r"$\sigma$", "input", r"$\boldsymbol{i}_t$"),
             ("g", r"$\tanh$", "candidate", r"$\boldsymbol{g}_t$"),
             ("o", r"$\sigma$", "output", r"$\boldsymbol{o}_t$"))
    for key, layer, kind, name in gates:
        x = X[key]
        _line(ax, [(x, _BUS_Y), (x, _GATE_Y - 0.35)])
        _box(ax, (x, _GATE_Y), layer, _GATE_COLOURS[kind])
        _label(ax, (x - 0.66, _GATE_Y + 0.66), name, colour=_GATE_COLOURS[kind])


def _lstm_updates(ax) -> None:
    """s_t = f ⊙ s_{t-1} + i ⊙ g, and h_t = o ⊙ tanh(s_t)."""
    X, r, top = _LSTM_X, _R_OP, _TOP
    _line(ax, [(X["f"], _GATE_Y + 0.35), (X["f"], top - r)])  # f multiplies the old state
    yg = 3.7  # i ⊙ g is added
    _op(ax, (X["g"], yg), r"$\times$")
    _line(ax, [(X["i"], _GATE_Y + 0.35), (X["i"], yg), (X["g"] - r, yg)])
    _line(ax, [(X["g"], _GATE_Y + 0.35), (X["g"], yg - r)])
    _line(ax, [(X["g"], yg + r), (X["g"], top - r)])
    xs = X["s"]
    _box(ax, (xs, 3.7), r"$\tanh$", "#999999", w=1.0, h=0.55)
    _line(ax, [(xs, top), (xs, 3.7 + 0.28)])
    ax.plot([xs], [top], "o", color=_INK, ms=4, zorder=2)
    _op(ax, (xs, _GATE_Y), r"$\times$")
    _line(ax, [(xs, 3.7 - 0.28), (xs, _GATE_Y + r)])
    _line(ax, [(X["o"] + 0.5, _GATE_Y), (xs - r, _GATE_Y)])
    _line(ax, [(xs + r, _GATE_Y), (11.4, _GATE_Y)])
    _label(ax, (11.5, _GATE_Y + 0.5), r"$\boldsymbol{h}_t$", ha="right")


def _lstm_peepholes(ax) -> None:
    """The optional peepholes, dashed: f and i see s_{t-1}, o sees s_t."""
    X, peep, yp, xp = _LSTM_X, PALETTE["purple"], 3.3, 1.7
    ax.plot([xp], [_TOP], "o", color=peep, ms=3.5, zorder=2)
    ax.plot([xp, xp, X["i"] - 0.3], [_TOP, yp, yp], color=peep, lw=1.1, ls=(0, (4, 3)),
            zorder=1)
    for x in (X["f"] - 0.3, X["i"] - 0.3):
        _line(ax, [(x, yp), (x, _GATE_Y + 0.35)], colour=peep, lw=1.1, dashed=True)
    ax.plot([X["o"] + 0.3], [_TOP], "o", color=peep, ms=3.5, zorder=2)
    _line(ax, [(X["o"] + 0.3, _TOP), (X["o"] + 0.3, _GATE_Y + 0.35)], colour=peep, lw=1.1,
          dashed=True)
    _label(ax, (X["o"] + 0.1, 4.3), "peepholes\n(optional)", colour=peep, ha="right",
           linespacing=1.0)


def _draw_lstm(ax) -> None:
    _state_line(ax, (_LSTM_X["f"], _LSTM_X["g"]), PALETTE["blue"],
                r"$\boldsymbol{s}_{t-1}$", r"$\boldsymbol{s}_t$")
    _op(ax, (_LSTM_X["f"], _TOP), r"$\times$")
    _op(ax, (_LSTM_X["g"], _TOP), r"$+$")
    _lstm_gates(ax)
    _lstm_updates(ax)
    _lstm_peepholes(ax)
    ax.set_title("LSTM", fontsize=15, pad=4)


_GRU_X = {"r": 2.6, "u": 5.0, "c": 7.6, "mix": 9.0}


def _gru_gates(ax) -> None:
    """h_{t-1} and x_t reach the two gates; x_t alone reaches the candidate directly."""
    X = _GRU_X
    ax.plot([1.1], [_TOP], "o", color=_INK, ms=4, zorder=2)
    ax.plot([1.1, 1.1], [_TOP, _BUS_Y], color=_INK, lw=1.4, zorder=1)
    ax.plot([1.1, X["u"]], [_BUS_Y, _BUS_Y], color=_INK, lw=1.4, zorder=1)
    _label(ax, (1.9, -0.3), r"$\boldsymbol{x}_t$")
    ax.plot([1.9, 1.9], [0.05, _BUS_Y], color=_INK, lw=1.4, zorder=1)
    ax.plot([1.9, X["c"]], [0.45, 0.45], color=_INK, lw=1.4, zorder=1)
    ax.plot([1.9, 1.9], [0.45, _BUS_Y], "o", color=_INK, ms=4, zorder=2)
    for x in (X["r"], X["u"]):
        _line(ax, [(x, _BUS_Y), (x, _GATE_Y - 0.35)])
    _line(ax, [(X["c"], 0.45), (X["c"], _GATE_Y - 0.35)])
    _box(ax, (X["r"], _GATE_Y), r"$\sigma$", _GATE_COLOURS["reset"])
    _box(ax, (X["u"], _GATE_Y), r"$\sigma$", _GATE_COLOURS["update"])
    _box(ax, (X["c"], _GATE_Y), r"$\tanh$", _GATE_COLOURS["candidate"])
    _label(ax, (X["r"] - 0.66, _GATE_Y + 0.66), r"$\boldsymbol{r}_t$",
           colour=_GATE_COLOURS["reset"])
    _label(ax, (X["u"] - 0.66, _GATE_Y + 0.66), r"$\boldsymbol{u}_t$",
           colour=_GATE_COLOURS["update"])
    _label(ax, (X["c"] + 0.8, _GATE_Y - 0.6), r"$\tilde{\boldsymbol{h}}_t$",
           colour=_GATE_COLOURS["candidate"])


def _gru_updates(ax) -> None:
    """Reset: r ⊙ h_{t-1} feeds the candidate. Update: u weighs the old state, 1 - u the new."""
    X, r = _GRU_X, _R_OP
    ymix, yrh = 4.05, 3.35
    _op(ax, (X["r"], yrh), r"$\times$")
    _line(ax, [(X["r"], _GATE_Y + 0.35), (X["r"], yrh - r)])
    ax.plot([X["r"]], [_TOP], "o", color=_INK, ms=4, zorder=2)
    _line(ax, [(X["r"], _TOP), (X["r"], yrh + r)])
    _line(ax, [(X["r"] + r, yrh), (X["c"] - 0.3, yrh), (X["c"] - 0.3, _GATE_Y + 0.35)])
    # the update line is drawn over the reset line
    ax.plot([X["u"] - 0.14, X["u"] + 0.14], [yrh, yrh], color="white", lw=5, zorder=1.5)
    _line(ax, [(X["u"], _GATE_Y + 0.35), (X["u"], _TOP - r)], zorder=2.0)
    ax.plot([X["u"]], [ymix], "o", color=_INK, ms=4, zorder=3)
    _box(ax, (7.0, ymix), r"$1-$", "#999999", w=0.7, h=0.45)
    _line(ax, [(X["u"], ymix), (7.0 - 0.35, ymix)])
    _op(ax, (X["mix"], ymix), r"$\times$")
    _line(ax, [(7.0 + 0.35, ymix), (X["mix"] - r, ymix)])
    _line(ax, [(X["c"] + 0.5, _GATE_Y), (X["mix"], _GATE_Y), (X["mix"], ymix - r)])
    _line(ax, [(X["mix"], ymix + r), (X["mix"], _TOP - r)])


def _draw_gru(ax) -> None:
    _state_line(ax, (_GRU_X["u"], _GRU_X["mix"]), PALETTE["green"],
                r"$\boldsymbol{h}_{t-1}$", r"$\boldsymbol{h}_t$")
    _op(ax, (_GRU_X["u"], _TOP), r"$\times$")
    _op(ax, (_GRU_X["mix"], _TOP), r"$+$")
    _gru_gates(ax)
    _gru_updates(ax)
    ax.set_title("GRU", fontsize=15, pad=4)


@in_style
def draw_cells():
    """Block diagrams of an LSTM cell (top) and a GRU cell (bottom).

    Boxes are layers (σ or tanh of an affine function of the inputs that
    reach them), circles element-wise operations. The shaded line along the
    top of each cell is the state that passes from step to step through
    multiplications and additions only.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((7.6, 8.4))
    axes = fig.subplots(2, 1)
    _draw_lstm(axes[0])
    _draw_gru(axes[1])
    for ax in axes:
        ax.set_xlim(0, 11.7)
        ax.set_ylim(-0.7, 5.8)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


# ---------------------------------------------------------------------------
# How gradients fade along the two kinds of state
# ---------------------------------------------------------------------------




@in_style
def plot_path_gains(lags, curves: Mapping[str, np.ndarray], *, colours=None, title=None):
    """Gradient gain against the number of steps it travels back, on a log scale.

    Parameters
    ----------
    lags : ndarray, shape (L,)
        Steps back from the end (0 = the last step).
    curves : mapping of str to ndarray (L,)
        Label to gains.
    """
    fig = new_figure((7.5, 4.0))
    ax = fig.subplots()
    colours = colours or {}
    for label, gains in curves.items():
        ax.semilogy(lags, np.maximum(gains, 1e-300), label=label, color=colours.get(label))
    ax.set_xlabel(r"steps back, $T-t$")
    ax.set_ylabel("gain of the path (log scale)")
    ax.set_ylim(bottom=max(1e-20, ax.get_ylim()[0]))
    ax.legend(loc="lower left")
    if title:
        ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------
# The adding problem
# ---------------------------------------------------------------------------


@in_style
def plot_adding(histories: Mapping[int, Mapping[str, Mapping]], *, baseline: float,
                solved: float | None = None):
    """Training loss of each cell on the adding problem, one panel per length T.

    Parameters
    ----------
    histories : mapping T -> (mapping cell -> history)
        Histories as returned by :func:`textbook_rnn.torch_nn.models.train`.
    baseline : float
        The constant-guess MSE, drawn as a dashed line.
    solved : float, optional
        A threshold drawn as a dotted line.
    """
    Ts = list(histories)
    if not Ts:
        raise ValueError("histories must hold at least one sequence length")
    fig = new_figure((3.0 * len(Ts), 3.3))
    axes = np.atleast_1d(fig.subplots(1, len(Ts), sharey=True))
    for ax, T in zip(axes, Ts, strict=True):
        for cell, hist in histories[T].items():
            ax.semilogy(hist["step"], hist["loss"], color=CELL_COLOURS.get(cell),
                        label=CELL_NAMES.get(cell, cell))
        ax.axhline(baseline, color="#555555", ls="--", lw=1.3)
        if solved is not None:
            ax.axhline(solved, color="#555555", ls=":", lw=1.2)
        ax.set_title(f"$T = {T}$")
        ax.set_xlabel("training step")
        ax.xaxis.set_major_locator(require("matplotlib.ticker").MaxNLocator(3, integer=True))
    axes[0].set_ylabel("training MSE (log scale)")
    axes[-1].text(0.98, baseline * 1.12, "answer the mean", fontsize=11, color="#555555",
                  va="bottom", ha="right", transform=axes[-1].get_yaxis_transform())
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=len(names), frameon=False)
    return fig


# ---------------------------------------------------------------------------
# Gates over a sequence
# ---------------------------------------------------------------------------


@in_style
def plot_gate_trace(x, trace: Mapping[str, np.ndarray], *, gates: Sequence[str],
                    lines: str, units: Sequence[int], labels: Mapping[str, str] | None = None,
                    title: str | None = None):
    """The inputs of one adding-problem sequence and a trained cell's gates over it.

    Parameters
    ----------
    x : ndarray, shape (T, 2)
        Values and markers of the sequence.
    trace : mapping of str to ndarray (T, H)
        Gate values for this sequence (one row of :func:`textbook_rnn.torch_nn.models.gate_trace`).
    gates : sequence of str
        Keys of ``trace`` drawn as heat maps, units by time, on a 0-to-1 scale.
    lines : str
        Key of ``trace`` drawn as lines (e.g. ``"s"``), for the chosen ``units``.
    units : sequence of int
        Units to draw as lines, marked by triangles on the heat maps.
    labels : mapping of str to str, optional
        Axis labels for the keys.
    """
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    labels = labels or {}
    rows = 2 + len(gates)
    heights = [1.0] + [1.2] * len(gates) + [1.5]
    fig = new_figure((9.0, 1.35 * rows + 0.8))
    axes = fig.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": heights})
    steps = np.arange(1, T + 1)
    marked = x[:, 1] > 0.5
    ax = axes[0]
    ax.bar(steps, x[:, 0], width=0.8, color="#bbbbbb")
    ax.bar(steps[marked], x[marked, 0], width=0.8, color=PALETTE["orange"])
    ax.set_ylabel("input", rotation=0, ha="right", va="center")
    ax.set_ylim(0, 1.05)
    ax.grid(False)
    images = None
    for ax, key in zip(axes[1:-1], gates, strict=True):
        values = np.asarray(trace[key])  # (T, H)
        images = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                           extent=(0.5, T + 0.5, values.shape[1] - 0.5, -0.5),
                           interpolation="nearest")
        ax.set_ylabel(labels.get(key, key), rotation=0, ha="right", va="center")
        ax.set_yticks([])
        ax.grid(False)
        for u, colour in zip(units, _unit_colours(len(units)), strict=True):
            ax.plot([0.5], [u], marker=">", color=colour, ms=7, clip_on=False)
    ax = axes[-1]
    for u, colour in zip(units, _unit_colours(len(units)), strict=True):
        ax.plot(steps, np.asarray(trace[lines])[:, u], color=colour, label=f"unit {u}")
    for t in steps[marked]:
        for a in axes:
            a.axvline(t, color=PALETTE["orange"], lw=1.0, alpha=0.7, zorder=0)
    ax.set_ylabel(labels.get(lines, lines), rotation=0, ha="right", va="center")
    ax.set_xlabel("step $t$")
    ax.legend(loc="upper left", ncol=len(units), fontsize=11, bbox_to_anchor=(0.0, 1.25))
    if images is not None:
        fig.colorbar(images, ax=list(axes[1:-1]), shrink=0.9, pad=0.01, label="gate value")
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


def _unit_colours(n: int) -> list[str]:
    base = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["purple"], PALETTE["black"]]
    return [base[k % len(base)] for k in range(n)]


# ---------------------------------------------------------------------------
# The forget-gate bias
# ---------------------------------------------------------------------------


@in_style
def plot_forget_bias(sensitivity: Mapping[str, np.ndarray], histories: Mapping[str, Mapping], *,
                     baseline: float, colours: Mapping[str, str] | None = None,
                     floor: float = 1e-30):
    """Left: ‖∂o_T/∂x_t‖ at initialisation against t. Right: training curves.

    Parameters
    ----------
    sensitivity : mapping label -> ndarray (T,)
        Mean gradient norm per step (e.g. from
        :func:`textbook_rnn.torch_nn.models.output_sensitivity`).
    histories : mapping label -> history
        Training histories of the same configurations (may be a subset).
    baseline : float
        The constant-guess MSE.
    colours : mapping label -> colour, optional
    floor : float
        Lower limit of the left panel's axis; smaller values run off the plot.
    """
    colours = dict(colours or {})
    fig = new_figure((9.2, 3.8))
    left, right = fig.subplots(1, 2)
    for label, s in sensitivity.items():
        s = np.asarray(s, dtype=np.float64)
        s = np.where(s > 0, s, np.nan)  # a zero has no place on a log scale
        left.semilogy(np.arange(1, len(s) + 1), s, label=label, color=colours.get(label))
    low, high = left.get_ylim()
    left.set_ylim(max(low, floor), high)  # curves below the floor leave the plot
    left.set_xlabel("input step $t$")
    left.set_ylabel(r"$\|\partial o_T / \partial x_t\|$ (log scale)")
    left.set_title("at initialisation")
    left.legend(loc="lower right", fontsize=11)
    for label, hist in histories.items():
        right.semilogy(hist["step"], hist["loss"], label=label, color=colours.get(label))
    right.axhline(baseline, color="#555555", ls="--", lw=1.3)
    right.set_xlabel("training step")
    right.set_ylabel("training MSE (log scale)")
    right.set_title("training")
    right.legend(loc="lower left", fontsize=11)
    return fig


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------



@in_style
def plot_counting(ns, accepted: Mapping[str, np.ndarray], n_train: int,
                  states: Mapping[str, Mapping[int, np.ndarray]], *, state_labels=None):
    """Which n each network recognises, and its counting unit over strings of several n.

    Parameters
    ----------
    ns : ndarray, shape (M,)
        The tested n.
    accepted : mapping cell -> bool ndarray (M,)
        Whether each string was recognised.
    n_train : int
        Largest n seen in training (shaded).
    states : mapping cell -> (mapping n -> ndarray (L,))
        The counting unit's values over a string with that n.
    state_labels : mapping cell -> str, optional
        y-axis labels of the state panels.
    """
    ns = np.asarray(ns)
    cells = list(accepted)
    state_labels = state_labels or {}
    fig = new_figure((9.0, 1.1 + 2.2 * len(cells)))
    grid = fig.add_gridspec(len(cells) + 1, 1,
                            height_ratios=[0.35 * len(cells)] + [1.0] * len(cells))
    strip = fig.add_subplot(grid[0])
    for row, cell in enumerate(cells):
        ok = np.asarray(accepted[cell], dtype=bool)
        strip.scatter(ns[ok], np.full(ok.sum(), row), marker="|", s=90,
                      color=CELL_COLOURS.get(cell, PALETTE["black"]), lw=1.6)
        strip.scatter(ns[~ok], np.full((~ok).sum(), row), marker="|", s=90, color="#cccccc",
                      lw=1.6)
    strip.axvspan(ns.min() - 0.5, n_train + 0.5, color="#888888", alpha=0.15, lw=0)
    strip.text(n_train + 1.5, len(cells) - 0.45, "◀ training range", ha="left", fontsize=11,
               color="#555555", va="center")
    strip.set_yticks(range(len(cells)), [CELL_NAMES.get(c, c) for c in cells])
    strip.set_ylim(-0.5, len(cells) - 0.2)
    strip.set_xlim(ns.min() - 1, ns.max() + 1)
    strip.set_xlabel("$n$ of the test string $a^n b^n$ (coloured: recognised, grey: not)")
    strip.grid(False)
    for row, cell in enumerate(cells, start=1):
        ax = fig.add_subplot(grid[row])
        palette = [PALETTE["sky"], PALETTE["blue"], PALETTE["black"], PALETTE["purple"]]
        for (n, values), colour in zip(states[cell].items(), palette, strict=False):
            values = np.asarray(values)
            ax.plot(np.arange(len(values)), values, color=colour, label=f"$n = {n}$")
            ax.axvline(n, color=colour, lw=0.8, ls=":")
        ax.set_ylabel(state_labels.get(cell, CELL_NAMES.get(cell, cell)))
        ax.legend(loc="upper right", fontsize=11, ncol=len(states[cell]))
        if row == len(cells):
            ax.set_xlabel("step $t$ (dotted: the last $a$)")
    return fig


# ---------------------------------------------------------------------------
# The widget's frames
# ---------------------------------------------------------------------------


@in_style
def plot_memory_frame(x, f, s, *, units: Sequence[int], prediction: float, target: float,
                      shift: float, mse: float | None = None):
    """One frame of the forget-bias widget: inputs, forget gates and cell states.

    Parameters
    ----------
    x : ndarray, shape (T, 2)
        One adding-problem sequence.
    f, s : ndarray, shape (T, H)
        Forget gates and cell states of a trained LSTM on it, with its b_f
        shifted by ``shift``.
    units : sequence of int
        The units to draw.
    prediction, target : float
        The network's answer and the right one.
    shift : float
        The shift of b_f, shown in the title.
    mse : float, optional
        The network's test error with this shift, shown in the title.
    """
    x = np.asarray(x, dtype=np.float64)
    T = x.shape[0]
    steps = np.arange(1, T + 1)
    marked = x[:, 1] > 0.5
    fig = new_figure((8.6, 5.2))
    axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [0.8, 1.0, 1.3]})
    axes[0].bar(steps, x[:, 0], width=0.8, color="#bbbbbb")
    axes[0].bar(steps[marked], x[marked, 0], width=0.8, color=PALETTE["orange"])
    axes[0].set_ylim(0, 1.05)
    axes[0].set_ylabel("input")
    colours = _unit_colours(len(units))
    for u, colour in zip(units, colours, strict=True):
        axes[1].plot(steps, f[:, u], color=colour, label=f"unit {u}")
        axes[2].plot(steps, s[:, u], color=colour)
    axes[1].set_ylim(-0.03, 1.03)
    axes[1].set_ylabel(r"forget gate $f_t$")
    axes[1].legend(loc="lower left", ncol=len(units), fontsize=11)
    axes[2].set_ylabel(r"cell state $s_t$")
    axes[2].set_xlabel("step $t$")
    for t in steps[marked]:
        for ax in axes:
            ax.axvline(t, color=PALETTE["orange"], lw=1.0, alpha=0.7, zorder=0)
    error = f"{prediction - target:+.2f}".replace("-", "−")
    shift_text = f"{shift:+.1f}".replace("-", "−")
    title = (rf"$b_f$ shifted by {shift_text}:  answer {prediction:.2f}, "
             rf"target {target:.2f}  (error {error})")
    if mse is not None:
        title += f";  test MSE {mse:.3f}"
    fig.suptitle(title, fontsize=12)
    return fig
