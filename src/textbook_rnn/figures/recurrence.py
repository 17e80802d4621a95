"""The figures of chapter 1 ("Recurrence and unfolding"): drawing only.

Each function takes arrays computed by the numpy core and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`) at a fixed size; none calls
``plt.show`` or registers the figure with pyplot, so the same call gives the
same picture on every machine.

- :func:`draw_unfolded`: the folded circuit and its unfolded graph;
- :func:`draw_families`: four ways to wire a recurrent network;
- :func:`draw_io_patterns`: the five input/output patterns;
- :func:`plot_phase_portrait`: the hidden state of a two-unit network as a
  dynamical system (paths from :func:`textbook_rnn.rnn.state_trajectories`;
  the chapter's widget);
- :func:`plot_state_gap`: how fast two different pasts are forgotten (from
  :func:`textbook_rnn.rnn.state_gap`);
- :func:`plot_sensitivity`: which inputs each output can see (from
  :func:`textbook_rnn.tdn.sensitivity`);
- :func:`plot_cost`: memory and sequential depth as the sequence grows.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .._validate import Shapes, check_positive_int
from .style import COLOURS, PALETTE, ROLE_COLOURS, in_style, new_figure

__all__ = [
    "draw_unfolded",
    "draw_families",
    "draw_io_patterns",
    "plot_phase_portrait",
    "plot_state_gap",
    "plot_sensitivity",
    "plot_cost",
]

# --- computational graphs ------------------------------------------------------------------

_R = 0.4  # radius of a node, in data units


def _node(ax, xy, label: str, role: str, *, dashed: bool = False, fontsize: float = 13) -> None:
    """A filled circle with a math label; ``role`` picks the colour."""
    patches = require("matplotlib.patches")
    ax.add_patch(patches.Circle(
        xy, _R, facecolor=ROLE_COLOURS[role], alpha=0.35 if not dashed else 0.15,
        edgecolor="none", zorder=2))
    ax.add_patch(patches.Circle(
        xy, _R, facecolor="none", edgecolor="#333333", lw=1.3,
        linestyle=(0, (3, 2)) if dashed else "-", zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, *, label: str = "", rad: float = 0.0, colour: str = "#333333",
           dashed: bool = False, label_offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """An arrow from the rim of the node at ``start`` to the rim of the node at ``end``."""
    patches = require("matplotlib.patches")
    p, q = np.asarray(start, float), np.asarray(end, float)
    u = (q - p) / np.linalg.norm(q - p)
    a, b = p + _R * u, q - _R * u
    ax.add_patch(patches.FancyArrowPatch(
        a, b, arrowstyle="-|>", mutation_scale=14, lw=1.4, color=colour,
        connectionstyle=f"arc3,rad={rad}", linestyle="--" if dashed else "-",
        shrinkA=1, shrinkB=1, zorder=1))
    if label:
        mid = (a + b) / 2 + np.asarray(label_offset)
        ax.text(*mid, label, ha="center", va="center", fontsize=14, color=colour,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6}, zorder=5)


def _delay_loop(ax, centre, *, height: float = 0.95, half_width: float = 0.55) -> None:
    """A self-loop above a node with the black square that marks a one-step delay."""
    patches = require("matplotlib.patches")
    Path = require("matplotlib.path").Path
    x, y = centre
    top = y + _R + height
    right = (x + _R * np.cos(np.pi / 5), y + _R * np.sin(np.pi / 5))
    left = (x - _R * np.cos(np.pi / 5), y + _R * np.sin(np.pi / 5))
    verts = [right, (x + half_width, top), (x - half_width, top), left]
    codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4]
    ax.add_patch(patches.FancyArrowPatch(
        path=Path(verts, codes), arrowstyle="-|>", mutation_scale=14, lw=1.4,
        color="#333333", zorder=1))
    # The Bezier curve's highest point (its midpoint) lies at x, 3/4 of the way up to `top`.
    s = 0.16
    y_mid = 0.25 * right[1] + 0.75 * top
    ax.add_patch(patches.Rectangle((x - s / 2, y_mid - s / 2), s, s, color="black", zorder=5))


def _graph_axes(ax, xlim, ylim) -> None:
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


@in_style
def draw_unfolded(steps: int = 3):
    """The folded circuit of ``h_t = f(h_{t-1}, x_t; θ)`` and its unfolded graph.

    Left: one hidden node fed by the input, with a self-loop through a
    one-step delay (the black square). Right: the same computation unfolded
    over ``steps`` explicit time steps, every arrow labelled with the same f.
    Chapter 1, section *Dynamical systems and unfolding*.

    Parameters
    ----------
    steps : int
        Number of explicit time steps in the unfolded graph (1 to 6).

    Returns
    -------
    matplotlib.figure.Figure
    """
    steps = check_positive_int("steps", steps)
    if steps > 6:
        raise ValueError(f"steps must be between 1 and 6 to fit the page, got {steps}")
    dx = 1.65
    width = 3.3 + dx * (steps + 1) + 0.6
    fig = new_figure((min(0.8 * width + 0.3, 8.2), 3.0))
    ax = fig.add_subplot()
    _graph_axes(ax, (-0.8, width), (-0.7, 2.75))

    # Folded: x below h, and the delayed self-loop.
    _node(ax, (0, 0), r"$\boldsymbol{x}$", "input")
    _node(ax, (0, 1.35), r"$\boldsymbol{h}$", "hidden")
    _arrow(ax, (0, 0), (0, 1.35))
    _delay_loop(ax, (0, 1.35))
    ax.text(0.2, 1.35 + _R + 0.78, "delay", ha="left", va="bottom", fontsize=11,
            color="#333333")
    ax.text(0.0, -0.62, "folded", ha="center", va="top", fontsize=12, style="italic")

    # The "unfold" arrow.
    ax.annotate("", xy=(1.95, 1.35), xytext=(0.75, 1.35),
                arrowprops={"arrowstyle": "-|>", "lw": 2.2, "color": PALETTE["blue"],
                            "mutation_scale": 18})
    ax.text(1.35, 1.55, "unfold", ha="center", va="bottom", fontsize=12, color=PALETTE["blue"])

    # Unfolded: h_(...) -> h_(t-1) -> h_t -> ... -> h_(...)
    x0 = 2.6
    names = _step_names(steps)
    columns = [x0 + dx * (i + 1) for i in range(steps)]
    _node(ax, (x0, 1.35), r"$\cdots$", "hidden", dashed=True)
    _node(ax, (columns[-1] + dx, 1.35), r"$\cdots$", "hidden", dashed=True)
    previous = (x0, 1.35)
    for cx, name in zip(columns, names, strict=True):
        _node(ax, (cx, 0), rf"$\boldsymbol{{x}}_{{{name}}}$", "input")
        _node(ax, (cx, 1.35), rf"$\boldsymbol{{h}}_{{{name}}}$", "hidden")
        _arrow(ax, (cx, 0), (cx, 1.35))
        _arrow(ax, previous, (cx, 1.35), label=r"$f$", label_offset=(0, 0.0))
        previous = (cx, 1.35)
    _arrow(ax, previous, (columns[-1] + dx, 1.35), label=r"$f$")
    ax.text((x0 + columns[-1] + dx) / 2, -0.62, "unfolded: one node per time step",
            ha="center", va="top", fontsize=12, style="italic")
    return fig


def _step_names(steps: int) -> list[str]:
    """Subscripts for ``steps`` consecutive columns centred on t: ``t-1``, ``t``, ``t+1``."""
    first = -((steps - 1) // 2)
    names = []
    for k in range(first, first + steps):
        names.append("t" if k == 0 else f"t{k:+d}")
    return names


# The layout shared by the four panels of draw_families: rows of nodes, columns of steps.
_ROWS = {"x": 0.0, "h": 1.5, "o": 3.0, "L": 4.4}
_DX = 2.0
_COLS = [0.3 + _DX * i for i in range(3)]
_NAMES = ["t-1", "t", "t+1"]
_FAMILY_LIMITS = ((-0.8, 5.4), (-0.75, 5.0))


def _column(ax, cx, name, *, with_input=True, with_output=True, input_label=None):
    """One time step of a family: input below, state, and output and loss above."""
    rows = _ROWS
    if with_input:
        label = input_label or rf"$\boldsymbol{{x}}_{{{name}}}$"
        _node(ax, (cx, rows["x"]), label, "input", fontsize=12)
        _arrow(ax, (cx, rows["x"]), (cx, rows["h"]))
    _node(ax, (cx, rows["h"]), rf"$\boldsymbol{{h}}_{{{name}}}$", "hidden", fontsize=12)
    if with_output:
        _node(ax, (cx, rows["o"]), rf"$\boldsymbol{{o}}_{{{name}}}$", "output", fontsize=12)
        _node(ax, (cx, rows["L"]), rf"$L_{{{name}}}$", "loss", fontsize=12)
        _arrow(ax, (cx, rows["h"]), (cx, rows["o"]))
        _arrow(ax, (cx, rows["o"]), (cx, rows["L"]))


def _family_hidden_to_hidden(ax) -> None:
    """(a) hidden-to-hidden recurrence, an output at every step."""
    _graph_axes(ax, *_FAMILY_LIMITS)
    for cx, name in zip(_COLS, _NAMES, strict=True):
        _column(ax, cx, name)
    for a, b in zip(_COLS[:-1], _COLS[1:], strict=True):
        _arrow(ax, (a, _ROWS["h"]), (b, _ROWS["h"]), label=r"$\boldsymbol{W}$")
    ax.set_title("(a) hidden → hidden,\nan output every step", loc="left")


def _family_output_to_hidden(ax) -> None:
    """(b) recurrence only from the output to the next state."""
    _graph_axes(ax, *_FAMILY_LIMITS)
    for cx, name in zip(_COLS, _NAMES, strict=True):
        _column(ax, cx, name)
    for a, b in zip(_COLS[:-1], _COLS[1:], strict=True):
        _arrow(ax, (a, _ROWS["o"]), (b, _ROWS["h"]), label=r"$\boldsymbol{W}$",
               colour=PALETTE["vermillion"])
    ax.set_title("(b) output → hidden only", loc="left")


def _family_one_output(ax) -> None:
    """(c) read the whole sequence, one output at the end."""
    _graph_axes(ax, *_FAMILY_LIMITS)
    cols = [0.3, 0.3 + _DX, 0.3 + 2.3 * _DX]
    for i, (cx, name) in enumerate(zip(cols, ["1", "2", r"\tau"], strict=True)):
        _column(ax, cx, name, with_output=(i == 2))
    _arrow(ax, (cols[0], _ROWS["h"]), (cols[1], _ROWS["h"]), label=r"$\boldsymbol{W}$")
    mid = (cols[1] + cols[2]) / 2
    _node(ax, (mid, _ROWS["h"]), r"$\cdots$", "hidden", dashed=True)
    _arrow(ax, (cols[1], _ROWS["h"]), (mid, _ROWS["h"]))
    _arrow(ax, (mid, _ROWS["h"]), (cols[2], _ROWS["h"]))
    ax.set_title("(c) read the whole sequence,\none output", loc="left")


def _family_vector_in(ax) -> None:
    """(d) one vector as input to every step; the previous target is fed back."""
    _graph_axes(ax, (-1.8, 5.4), _FAMILY_LIMITS[1])
    for cx, name, prev in zip(_COLS, _NAMES, ["t-2", "t-1", "t"], strict=True):
        _column(ax, cx, name, input_label=rf"$y_{{{prev}}}$")
    for a, b in zip(_COLS[:-1], _COLS[1:], strict=True):
        _arrow(ax, (a, _ROWS["h"]), (b, _ROWS["h"]), label=r"$\boldsymbol{W}$")
    xv = (-1.25, _ROWS["h"] + 1.5)
    _node(ax, xv, r"$\boldsymbol{x}$", "input")
    for cx in _COLS:
        _arrow(ax, xv, (cx, _ROWS["h"]), colour=PALETTE["blue"])
    ax.text(xv[0], xv[1] + 0.6, r"$\boldsymbol{R}$", ha="center", fontsize=13,
            color=PALETTE["blue"])
    ax.set_title("(d) one vector in,\na sequence out", loc="left")


@in_style
def draw_families():
    """Four ways to wire a recurrent network, each unfolded over a few steps.

    (a) hidden-to-hidden recurrence with an output at every step;
    (b) recurrence only from the output to the next hidden state;
    (c) hidden-to-hidden recurrence that reads the whole sequence and emits
    one output at the end; (d) one vector as input to every step, with the
    previous target fed back. Chapter 1, section *Families of recurrent networks*.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((8.6, 7.2))
    axes = fig.subplots(2, 2).ravel()
    for ax, draw in zip(axes, (_family_hidden_to_hidden, _family_output_to_hidden,
                               _family_one_output, _family_vector_in), strict=True):
        draw(ax)
    fig.text(0.5, 0.0, "input x, state h, output o, loss L (comparing o with its target y)",
             ha="center", va="bottom", fontsize=11, color="#333333")
    return fig


# (title, example, number of columns, columns with an input, columns with an output)
_IO_PATTERNS = [
    ("one to one", "image → class", 1, {0}, {0}),
    ("one to many", "image → caption", 3, {0}, {0, 1, 2}),
    ("many to one", "review → mood", 3, {0, 1, 2}, {2}),
    ("many to many", "sentence →\ntranslation", 5, {0, 1, 2}, {3, 4}),
    ("many to many,\nsynced", "video →\nframe labels", 3, {0, 1, 2}, {0, 1, 2}),
]
_IO_SIZE, _IO_STEP, _IO_GAP = 0.62, 0.86, 1.45
_IO_Y = {"input": 0.0, "hidden": 1.15, "output": 2.3}


def _io_box(ax, cx, role) -> None:
    """A rounded square for one vector: input, hidden state or output."""
    patches = require("matplotlib.patches")
    size, cy = _IO_SIZE, _IO_Y[role]
    ax.add_patch(patches.FancyBboxPatch(
        (cx - size / 2, cy - size / 2), size, size, boxstyle="round,pad=0,rounding_size=0.08",
        facecolor=ROLE_COLOURS[role], edgecolor="#333333", lw=1.2, alpha=0.9))


def _io_arrow(ax, start, end) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "lw": 1.3, "color": "#333333",
                            "mutation_scale": 11, "shrinkA": 0, "shrinkB": 0})


def _io_pattern(ax, left, title, example, n, ins, outs) -> float:
    """Draw one pattern with its first column at ``left``; return where the next starts."""
    half = _IO_SIZE / 2
    xs = [left + i * _IO_STEP for i in range(n)]
    for i, cx in enumerate(xs):
        _io_box(ax, cx, "hidden")
        if i in ins:
            _io_box(ax, cx, "input")
            _io_arrow(ax, (cx, _IO_Y["input"] + half), (cx, _IO_Y["hidden"] - half))
        if i in outs:
            _io_box(ax, cx, "output")
            _io_arrow(ax, (cx, _IO_Y["hidden"] + half), (cx, _IO_Y["output"] - half))
        if i > 0:
            _io_arrow(ax, (xs[i - 1] + half, _IO_Y["hidden"]), (cx - half, _IO_Y["hidden"]))
    centre = (xs[0] + xs[-1]) / 2
    ax.text(centre, _IO_Y["output"] + 0.5, title, ha="center", va="bottom", fontsize=12,
            fontweight="bold", linespacing=1.1)
    ax.text(centre, _IO_Y["input"] - 0.5, example, ha="center", va="top", fontsize=12,
            style="italic", linespacing=1.1)
    return xs[-1] + _IO_GAP + (0.5 if n == 1 else 0)


@in_style
def draw_io_patterns():
    """The five input/output patterns, as rows of boxes (input, state, output).

    One-to-one, one-to-many, many-to-one, many-to-many with the output after
    the input, and synced many-to-many. Chapter 1, section *Families of
    recurrent networks*.

    Returns
    -------
    matplotlib.figure.Figure
    """
    patches = require("matplotlib.patches")
    fig = new_figure((8.6, 3.5))
    ax = fig.add_subplot()
    left = 0.0
    for pattern in _IO_PATTERNS:
        left = _io_pattern(ax, left, *pattern)
    _graph_axes(ax, (-0.9, left - _IO_GAP + 0.6), (-1.4, 3.6))
    handles = [patches.Patch(facecolor=ROLE_COLOURS[r], edgecolor="#333333", label=lab)
               for r, lab in (("input", "input"), ("hidden", "hidden state"),
                              ("output", "output"))]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=12)
    return fig


# --- the hidden state as a dynamical system --------------------------------------------------



@in_style
def plot_phase_portrait(traj, *, title: str | None = None, rate: float | None = None,
                        floor: float = 1e-6):
    """Trajectories of a two-unit state in the plane, and their norms over time.

    Parameters
    ----------
    traj : ndarray, shape (N, T + 1, H)
        States from :func:`state_trajectories`; ``H`` must be at least 2 (the
        first two units are drawn).
    title : str, optional
        Figure title.
    rate : float, optional
        If given, also draw ``rate**t`` times the largest initial norm, dashed:
        what a linear recurrence that stretches every state by ``rate`` per
        step would do.
    floor : float
        Lower limit of the logarithmic norm axis.

    Returns
    -------
    matplotlib.figure.Figure
        Left: ``(h_1, h_2)`` paths, a dot at each start. Right: ``‖h_t‖`` on a
        logarithmic axis.
    """
    traj = Shapes().array("traj", traj, ("N", "T", "H"))
    if traj.shape[2] < 2:
        raise ValueError(f"traj needs at least two hidden units to draw a plane, "
                         f"got shape {traj.shape}")
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor}")
    fig = new_figure((8.0, 3.6))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
    steps = np.arange(traj.shape[1])
    norms = np.linalg.norm(traj, axis=2)
    for n in range(traj.shape[0]):
        colour = COLOURS[n % len(COLOURS)]
        left.plot(traj[n, :, 0], traj[n, :, 1], "-o", color=colour, lw=1.1, ms=2.5, alpha=0.9)
        left.plot(traj[n, 0, 0], traj[n, 0, 1], "o", color=colour, ms=7)
        right.plot(steps, np.maximum(norms[n], floor * 1e-3), color=colour, lw=1.6, alpha=0.9)
    if rate is not None:
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate}")
        with np.errstate(over="ignore"):
            linear = norms[:, 0].max() * float(rate) ** steps.astype(float)
        right.plot(steps, np.clip(linear, floor * 1e-3, 1e3), "--", color="black", lw=1.3,
                   label=rf"linear: $\rho^t\,\|\boldsymbol{{h}}_0\|$, $\rho={rate:g}$")
        right.legend(loc="lower left")
    left.plot(0, 0, "+", color="black", ms=10, mew=1.5)
    left.set_xlim(-1.05, 1.05)
    left.set_ylim(-1.05, 1.05)
    left.set_aspect("equal")
    left.set_xlabel(r"$h_{t,1}$")
    left.set_ylabel(r"$h_{t,2}$")
    left.set_title("state plane (dots: starts)")
    right.set_yscale("log")
    right.set_ylim(floor, 3.0)
    right.set_xlim(0, steps[-1])
    right.xaxis.set_major_locator(require("matplotlib.ticker").MaxNLocator(5, integer=True))
    right.set_xlabel("step $t$")
    right.set_ylabel(r"$\|\boldsymbol{h}_t\|$")
    right.set_title("size of the state over time")
    if title:
        fig.suptitle(title, fontsize=13.5)
    return fig



@in_style
def plot_state_gap(gaps: Mapping[str, np.ndarray], *, changed_until: int | None = None,
                   floor: float = 1e-16, title: str | None = None):
    """Plot ``‖h_t(x_a) − h_t(x_b)‖`` against t on a logarithmic axis, one line per setting.

    Parameters
    ----------
    gaps : mapping of str to ndarray, shape (T,)
        Legend label to gap per step, e.g. from :func:`state_gap`.
    changed_until : int, optional
        Shade steps ``1 .. changed_until``, where the two histories differ.
    floor : float
        Gaps below this (exact zeros included) are drawn at ``floor``.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(gaps, Mapping) or not gaps:
        raise TypeError("gaps must be a non-empty mapping from label to a 1-D array")
    fig = new_figure((7.6, 3.6))
    ax = fig.add_subplot()
    T = 0
    for label, gap in gaps.items():
        gap = np.asarray(gap, dtype=float)
        if gap.ndim != 1:
            raise ValueError(f"gaps[{label!r}] must be one-dimensional (T,), got shape {gap.shape}")
        T = max(T, gap.size)
        ax.plot(np.arange(1, gap.size + 1), np.maximum(gap, floor), label=label)
    if changed_until:
        ax.axvspan(0.5, changed_until + 0.5, color="#999999", alpha=0.18, lw=0)
        ax.text(changed_until / 2 + 0.5, 0.03, "histories\ndiffer",
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=11.5,
                color="#444444")
    ax.set_yscale("log")
    ax.set_xlim(0.5, T + 0.5)
    ax.set_ylim(floor, 10.0)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\|\boldsymbol{h}_t - \boldsymbol{h}'_t\|$")
    if title:
        ax.set_title(title)
    fig.legend(loc="outside right upper")
    return fig


# --- what each output can see -----------------------------------------------------------



@in_style
def plot_sensitivity(panels: Mapping[str, np.ndarray], *, low: float = 1e-6, high: float = 10.0):
    """Heat maps of sensitivity matrices side by side, on a shared log colour scale.

    Parameters
    ----------
    panels : mapping of str to ndarray, shape (T, T)
        Panel title to matrix, e.g. from :func:`sensitivity`.
    low, high : float
        Range of the colour scale; exact zeros are drawn in light grey.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(panels, Mapping) or not panels:
        raise TypeError("panels must be a non-empty mapping from title to a (T, T) array")
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    mpl = require("matplotlib")
    cmap = mpl.colormaps["viridis"].with_extremes(bad="#e9e9e9")
    fig = new_figure((3.6 * len(panels) + 0.9, 3.7))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    image = None
    for ax, (title, S) in zip(axes, panels.items(), strict=True):
        S = np.asarray(S, dtype=float)
        if S.ndim != 2 or S.shape[0] != S.shape[1]:
            raise ValueError(f"panels[{title!r}] must be a square (T, T) array, "
                             f"got shape {S.shape}")
        shown = np.ma.masked_where(S == 0, np.log10(np.maximum(S, low)))
        T = S.shape[0]
        image = ax.imshow(shown, cmap=cmap, vmin=np.log10(low), vmax=np.log10(high), origin="upper",
                          extent=(0.5, T + 0.5, T + 0.5, 0.5), interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel("input step $s$")
        ax.grid(False)
    axes[0].set_ylabel("output step $t$")
    bar = fig.colorbar(image, ax=list(axes), shrink=0.85)
    bar.set_label(r"$\log_{10}\,\|\partial \boldsymbol{z}_t / \partial \boldsymbol{x}_s\|$")
    return fig


# --- what unfolding costs ---------------------------------------------------------------------


@in_style
def plot_cost(tau: Sequence[int], memory: Mapping[str, Sequence[float]],
              depth: Mapping[str, Sequence[float]]):
    """Two panels against the sequence length τ: stored bytes, and sequential depth.

    Parameters
    ----------
    tau : sequence of int
        Sequence lengths.
    memory : mapping of str to sequence of float
        Label to kilobytes stored for the backward pass, one per τ.
    depth : mapping of str to sequence of float
        Label to the number of steps that must run one after another, one per τ.

    Returns
    -------
    matplotlib.figure.Figure
    """
    tau = np.asarray(tau)
    if tau.ndim != 1 or tau.size < 2:
        raise ValueError(f"tau must be a 1-D sequence of at least two lengths, "
                         f"got shape {tau.shape}")
    fig = new_figure((8.2, 3.5))
    axes = fig.subplots(1, 2)
    for ax, series, ylabel, title in (
        (axes[0], memory, "kilobytes stored", "memory kept for the backward pass"),
        (axes[1], depth, "steps that must run in order", "sequential depth"),
    ):
        if not isinstance(series, Mapping) or not series:
            raise TypeError("memory and depth must be non-empty mappings from label to values")
        for (label, values), marker in zip(series.items(), "osD^v", strict=False):
            values = np.asarray(values, dtype=float)
            if values.shape != tau.shape:
                raise ValueError(f"{label!r} must have one value per τ ({tau.size}), "
                                 f"got shape {values.shape}")
            ax.plot(tau, values, marker=marker, ms=5, label=label)
        ax.set_xlabel(r"sequence length $\tau$")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
    return fig
