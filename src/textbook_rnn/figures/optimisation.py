"""The figures of the chapter "Optimisation for long-term dependencies".

Each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.cliff`, :mod:`textbook_rnn.clip_training`,
:mod:`textbook_rnn.regularise_flow`) and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so the same
call gives the same picture on every machine.

- :func:`plot_cliff_surface`: the loss of the one-unit network over (w, b),
  and a cut across its cliff;
- :func:`plot_descent`: gradient-descent paths on that surface, one panel
  per clipping rule, with the loss along each path (also a frame of the
  chapter's widget);
- :func:`plot_clipping_geometry`: what norm and element-wise clipping do to
  two-dimensional gradients (from :func:`textbook_rnn.clipping.clip_vectors`
  and :func:`textbook_rnn.clipping.turn_angle`);
- :func:`plot_clip_training`: training curves with and without clipping
  (smoothed by :func:`textbook_rnn.clip_training.moving_average`), and the
  outcome against the learning rate;
- :func:`plot_flow`: ‖∂L/∂h_t‖ and the ratios r_t of Pascanu et al.'s
  regulariser.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from ..cliff import Trajectory, fold_bias
from .style import PALETTE, in_style, new_figure

__all__ = [
    "PLAIN",
    "NORM",
    "ELEMENTWISE",
    "plot_cliff_surface",
    "plot_descent",
    "plot_clipping_geometry",
    "plot_clip_training",
    "plot_flow",
]

PLAIN = PALETTE["vermillion"]  # no clipping
NORM = PALETTE["blue"]  # norm clipping
ELEMENTWISE = PALETTE["green"]  # element-wise clipping
GREY = "#8a8a8a"
_SHADES = [PALETTE[k] for k in ("blue", "orange", "green", "purple", "sky", "vermillion")]


def _array(name: str, value, ndim: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def _grid(w, b, loss):
    w = _array("w", w, 1)
    b = _array("b", b, 1)
    loss = _array("loss", loss, 2)
    if loss.shape != (b.size, w.size):
        raise ValueError(f"loss must have shape (len(b), len(w)) = {(b.size, w.size)}, "
                         f"got {loss.shape}")
    return w, b, loss


def _surface(ax, w, b, loss, *, floor: float = 1e-4, colorbar: bool = False, fig=None):
    """Draw log10 of the loss as an image, the fold curve on top; return the image."""
    image = ax.imshow(np.log10(np.maximum(loss, floor)), origin="lower", aspect="auto",
                      extent=(w[0], w[-1], b[0], b[-1]), cmap="magma",
                      vmin=np.log10(floor), vmax=0.2, interpolation="bilinear")
    ws = np.linspace(max(w[0], 1.0) + 1e-3, w[-1], 200)
    if ws.size and w[-1] > 1.0:
        ax.plot(ws, fold_bias(ws), color="white", lw=1.0, ls=(0, (4, 3)), alpha=0.9)
    ax.set_xlim(w[0], w[-1])
    ax.set_ylim(b[0], b[-1])
    ax.set_xlabel("recurrent weight $w$")
    ax.grid(False)
    if colorbar and fig is not None:
        bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
        bar.set_label(r"$\log_{10} L(w, b)$")
    return image


@in_style
def plot_cliff_surface(w, b, loss, *, cut_w: float, cuts: Mapping[str, tuple],
                       target: float):
    """The cliff loss ``opt-cliff-loss`` over (w, b), and cuts across the cliff.

    Parameters
    ----------
    w : ndarray, shape (P,)
        Grid of recurrent weights (horizontal axis).
    b : ndarray, shape (Q,)
        Grid of biases (vertical axis).
    loss : ndarray, shape (Q, P)
        L on the grid, from :func:`textbook_rnn.cliff.loss_surface`.
    cut_w : float
        The weight at which the cuts are taken (a dotted line on the map).
    cuts : mapping of str to (b_cut, L_cut, slope_cut)
        Legend label (e.g. ``"T = 20"``) to three 1-D arrays of equal length:
        biases, the loss there and |∂L/∂b| there.
    target : float
        The target y, used to draw the valley L = 0, b = artanh(y) − w y,
        where the fixed point equals y.

    Returns
    -------
    matplotlib.figure.Figure
        Left: log10 L as colours, the fold curve b = b_c(w) dashed. Right,
        top: L against b at ``cut_w``; bottom: |∂L/∂b| there, on a log axis.
    """
    w, b, loss = _grid(w, b, loss)
    if not isinstance(cuts, Mapping) or not cuts:
        raise TypeError("cuts must be a non-empty mapping from label to (b, L, slope)")
    fig = new_figure((8.8, 4.1))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
    ax = fig.add_subplot(grid[:, 0])
    top = fig.add_subplot(grid[0, 1])
    bottom = fig.add_subplot(grid[1, 1], sharex=top)
    _surface(ax, w, b, loss, colorbar=True, fig=fig)
    ax.set_ylabel("bias $b$")
    ax.axvline(cut_w, color="white", lw=0.9, ls=":")
    # the valley: the fixed point equals the target, while it exists
    ws = np.linspace(w[0], w[-1], 400)
    valley = np.arctanh(target) - ws * target
    ok = ws * (1.0 - target**2) < 1.0  # the fixed point y is stable: slope w (1 - y²) < 1
    ax.plot(ws[ok], valley[ok], color=PALETTE["sky"], lw=1.0, alpha=0.9)
    ax.set_title("loss surface", fontsize=12.5)
    _legend_lines(ax, [("white", (0, (4, 3)), r"fold $b = b_c(w)$"),
                       (PALETTE["sky"], "-", r"valley $L = 0$")])
    for i, (label, parts) in enumerate(cuts.items()):
        if len(parts) != 3:
            raise ValueError(f"cuts[{label!r}] must be (b, L, slope)")
        bc, lc, sc = (_array(f"cuts[{label!r}]", p, 1) for p in parts)
        if not bc.shape == lc.shape == sc.shape:
            raise ValueError(f"cuts[{label!r}] must hold three arrays of the same length")
        colour = _SHADES[i % len(_SHADES)]
        top.plot(bc, lc, color=colour, label=label)
        bottom.plot(bc, np.maximum(np.abs(sc), 1e-8), color=colour)
    top.set_ylabel("$L$")
    top.set_title(rf"a cut across the cliff, $w = {cut_w:g}$", fontsize=12.5)
    top.legend(loc="upper left", fontsize=11)
    top.tick_params(labelbottom=False)
    bottom.set_yscale("log")
    bottom.set_xlabel("bias $b$")
    bottom.set_ylabel(r"$|\partial L / \partial b|$")
    bc_w = fold_bias(cut_w) if cut_w > 1 else None
    if bc_w is not None:
        for a in (top, bottom):
            a.axvline(bc_w, color=GREY, lw=0.9, ls=(0, (4, 3)))
    return fig


def _legend_lines(ax, entries, loc="lower right"):
    Line2D = require("matplotlib.lines").Line2D
    handles = [Line2D([], [], color=c, ls=ls, lw=1.4, label=lab) for c, ls, lab in entries]
    legend = ax.legend(handles=handles, loc=loc, fontsize=11, framealpha=0.85, frameon=True,
                       facecolor="#333333", edgecolor="none", labelcolor="white")
    return legend


def _exit_note(ax, path: np.ndarray, w, b, colour) -> None:
    """Mark where a path leaves the drawn frame and say where it lands."""
    inside = ((path[:, 0] >= w[0]) & (path[:, 0] <= w[-1])
              & (path[:, 1] >= b[0]) & (path[:, 1] <= b[-1]))
    if inside.all() or not inside[0]:
        return
    k = int(np.argmin(inside))  # first point outside
    p, q = path[k - 1], path[k]
    # where the segment p → q crosses the frame
    ts = []
    for axis, lo, hi in ((0, w[0], w[-1]), (1, b[0], b[-1])):
        d = q[axis] - p[axis]
        if d != 0:
            ts += [(lo - p[axis]) / d, (hi - p[axis]) / d]
    t = min(t for t in ts if t > 0)
    edge = p + min(t, 1.0) * (q - p)
    end = path[-1]
    ax.annotate(f"thrown to\n({end[0]:.1f}, {end[1]:.1f})", xy=edge, xycoords="data",
                xytext=(edge[0] - 0.08 * (w[-1] - w[0]), edge[1] + 0.14 * (b[-1] - b[0])),
                textcoords="data", fontsize=11.5, color="white", ha="right",
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.2})


@in_style
def plot_descent(w, b, loss, panels: Mapping[str, Sequence[Trajectory]], *,
                 colours: Mapping[str, str] | None = None, loss_floor: float = 1e-4,
                 figsize: tuple[float, float] | None = None):
    """Gradient-descent paths on the cliff surface, one column per rule.

    Parameters
    ----------
    w, b, loss
        The surface, as in :func:`plot_cliff_surface`.
    panels : mapping of str to Trajectory or sequence of Trajectory
        Column title (e.g. ``"no clipping"``) to the run or runs drawn in it,
        from :func:`textbook_rnn.cliff.descend`.
    colours : mapping of str to str, optional
        Column title to the colour of its paths; one per column by default.
    loss_floor : float
        Losses below this are drawn at it on the logarithmic axis.
    figsize : (float, float), optional
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Top row: the paths on log10 L (a circle at each start, a square at
        each end); a path that leaves the frame is marked where it leaves,
        with the point it lands on. Bottom row: the loss after each step.
    """
    w, b, loss = _grid(w, b, loss)
    if not isinstance(panels, Mapping) or not panels:
        raise TypeError("panels must be a non-empty mapping from title to trajectories")
    n = len(panels)
    fig = new_figure(figsize or (2.8 * n + 0.6, 5.3))
    axes = fig.subplots(2, n, squeeze=False, gridspec_kw={"height_ratios": [2.1, 1]})
    default = [PLAIN, NORM, ELEMENTWISE, PALETTE["purple"], PALETTE["orange"]]
    markers = ["o", "s", "^", "D"]
    for j, (title, runs) in enumerate(panels.items()):
        colour = (colours or {}).get(title, default[j % len(default)])
        top, bottom = axes[0, j], axes[1, j]
        if isinstance(runs, Trajectory):
            runs = [runs]
        _surface(top, w, b, loss, floor=loss_floor)
        for i, run in enumerate(runs):
            if not isinstance(run, Trajectory):
                raise TypeError(f"panels[{title!r}] must hold Trajectory objects, "
                                f"got {type(run).__name__}")
            path = run.params
            top.plot(path[:, 0], path[:, 1], "-", color=colour, lw=1.1, alpha=0.95)
            top.plot(path[:, 0], path[:, 1], ".", color="white", ms=2.2, alpha=0.8)
            top.plot(*path[0], markers[i % 4], color="white", mec=colour, mew=1.6, ms=7)
            if (w[0] <= path[-1, 0] <= w[-1]) and (b[0] <= path[-1, 1] <= b[-1]):
                top.plot(*path[-1], "*", color=colour, mec="white", mew=0.8, ms=12)
            _exit_note(top, path, w, b, colour)
            steps = np.arange(run.losses.size)
            bottom.plot(steps, np.maximum(run.losses, loss_floor), color=colour, lw=1.4,
                        marker=markers[i % 4], ms=3.5, markevery=max(run.losses.size // 8, 1))
        top.set_title(title, fontsize=12.5)
        bottom.set_yscale("log")
        bottom.set_ylim(loss_floor * 0.7, 3.0)
        bottom.set_xlabel("step")
        if j == 0:
            top.set_ylabel("bias $b$")
            bottom.set_ylabel("loss $L$")
        else:
            top.tick_params(labelleft=False)
            bottom.tick_params(labelleft=False)
    return fig


# --- the geometry of clipping -----------------------------------------------------------------




def _clip_panel(ax, G, clipped, threshold: float, mode: str) -> None:
    """Gradients (grey), their clipped versions (coloured) and the region clipping allows."""
    patches = require("matplotlib.patches")
    colour, title = {"norm": (NORM, "norm clipping"),
                     "elementwise": (ELEMENTWISE, "element-wise clipping")}[mode]
    v = threshold
    region = (patches.Circle((0, 0), v) if mode == "norm"
              else patches.Rectangle((-v, -v), 2 * v, 2 * v))
    region.set(fill=True, facecolor=colour, alpha=0.10, edgecolor=colour, lw=1.2)
    ax.add_patch(region)
    for g, c in zip(G, clipped, strict=True):
        ax.annotate("", xy=g, xytext=(0, 0), arrowprops={
            "arrowstyle": "-|>", "color": GREY, "lw": 1.1, "shrinkA": 0, "shrinkB": 0})
        ax.plot([g[0], c[0]], [g[1], c[1]], ls=":", color=GREY, lw=1.0)
        ax.annotate("", xy=c, xytext=(0, 0), arrowprops={
            "arrowstyle": "-|>", "color": colour, "lw": 2.0, "shrinkA": 0, "shrinkB": 0})
    lim = 1.12 * max(np.abs(G).max(), 1.2 * v)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="#cccccc", lw=0.8, zorder=0)
    ax.axvline(0, color="#cccccc", lw=0.8, zorder=0)
    ax.set_title(title)
    ax.set_xlabel("$g_1$")


def _turn_panel(ax, directions, turns: Mapping[float, np.ndarray]) -> None:
    """The turn of element-wise clipping against the gradient's direction, one line per size."""
    cmap = require("matplotlib").colormaps["viridis"]
    for i, (size, angle) in enumerate(turns.items()):
        ax.plot(directions, angle, color=cmap(0.15 + 0.7 * i / max(len(turns) - 1, 1)),
                label=rf"$\|g\| = {size:g}\,v$")
    ax.axhline(0, color=NORM, lw=2.0, ls=(0, (5, 3)), label="norm clipping")
    ax.set_xlim(0, 90)
    ax.set_xticks([0, 30, 60, 90])
    ax.set_ylim(-2, 75)
    ax.set_xlabel(r"direction of $g$ (degrees)")
    ax.set_ylabel("turn (degrees)")
    ax.set_title("element-wise: the turn")
    ax.legend(loc="upper center", ncol=2, handlelength=1.2, columnspacing=0.8)


@in_style
def plot_clipping_geometry(G, clipped: Mapping[str, np.ndarray], threshold: float,
                           directions, turns: Mapping[float, np.ndarray]):
    """What the two clipping rules do to two-dimensional gradients.

    Parameters
    ----------
    G : ndarray, shape (M, 2)
        Gradients to draw as arrows in the first two panels.
    clipped : mapping of str to ndarray, shape (M, 2)
        ``"norm"`` and ``"elementwise"`` to ``G`` clipped by that rule, from
        :func:`textbook_rnn.clipping.clip_vectors`.
    threshold : float
        v.
    directions : ndarray, shape (A,)
        Directions of gradients, in degrees from the g_1 axis (0 to 90).
    turns : mapping of float to ndarray, shape (A,)
        Size ‖g‖ / v to the angle by which element-wise clipping turns a
        gradient of that size in each direction, from
        :func:`textbook_rnn.clipping.turn_angle`.

    Returns
    -------
    matplotlib.figure.Figure
        Norm clipping (arrows shortened onto the circle ‖g‖ = v); element-wise
        clipping (arrows pushed into the square |g_j| ≤ v); the angle by which
        element-wise clipping turns a gradient, against its direction.
    """
    G = _array("G", G, 2)
    if G.shape[1] != 2:
        raise ValueError(f"G must have two columns (2-D gradients), got shape {G.shape}")
    if not isinstance(clipped, Mapping) or set(clipped) != {"norm", "elementwise"}:
        raise TypeError("clipped must map 'norm' and 'elementwise' to arrays shaped like G")
    directions = _array("directions", directions, 1)
    if not isinstance(turns, Mapping) or not turns:
        raise TypeError("turns must be a non-empty mapping from size to a 1-D array")
    v = float(threshold)
    fig = new_figure((8.8, 3.6))
    a1, a2, a3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.25]})
    for ax, mode in ((a1, "norm"), (a2, "elementwise")):
        C = _array(f"clipped[{mode!r}]", clipped[mode], 2)
        if C.shape != G.shape:
            raise ValueError(f"clipped[{mode!r}] must have the shape of G {G.shape}, "
                             f"got {C.shape}")
        _clip_panel(ax, G, C, v, mode)
    a1.set_ylabel("$g_2$")
    _turn_panel(a3, directions, {size: _array(f"turns[{size!r}]", angle, 1)
                                 for size, angle in turns.items()})
    return fig


# --- clipping in training ---------------------------------------------------------------------


_RUN_COLOURS = {"plain": PLAIN, "clipped": NORM}


def _run_names(threshold: float) -> dict[str, str]:
    return {"plain": "no clipping", "clipped": f"norm clipping, $v = {threshold:g}$"}


def _curves_panels(a1, a2, runs, *, threshold: float, names, top: float = 2.0) -> None:
    """Training loss (already smoothed) and gradient norm of every run, per step."""
    for key in ("plain", "clipped"):
        colour = _RUN_COLOURS[key]
        for i, run in enumerate(runs[key]):
            losses = _array("losses", run["losses"], 1)
            norms = _array("grad_norms", run["grad_norms"], 1)
            steps = np.arange(1, losses.size + 1)
            a1.plot(steps, losses, color=colour, lw=1.2, alpha=0.85,
                    label=names[key] if i == 0 else None)
            a2.plot(steps, norms, color=colour, lw=0.7, alpha=0.6)
            if run["diverged_at"] is not None:
                k = int(run["diverged_at"]) + 1
                a1.plot(k, top * 0.8, "x", color=colour, ms=8, mew=2.0, clip_on=False)
    for ax in (a1, a2):
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_xlabel("step")
    a1.set_ylim(0.01, top)
    a2.axhline(threshold, color="black", lw=1.1, ls=(0, (4, 3)))
    a2.text(0.98, threshold * 1.15, "threshold $v$", transform=a2.get_yaxis_transform(),
            ha="right", va="bottom")
    a2.set_ylabel(r"$\|g\|$ before clipping")
    a2.set_title("gradient norm")


def _sweep_points(values_by_rate, rates, shift: float):
    """X positions of finite results and of diverged runs (nan), jittered per seed."""
    xs, ys, xd = [], [], []
    for j, rate in enumerate(rates):
        vals = np.asarray(values_by_rate.get(rate, []), dtype=float)
        for m, val in enumerate(vals):
            x = j + shift + 0.03 * (m - (vals.size - 1) / 2)
            if np.isfinite(val):
                xs.append(x)
                ys.append(val)
            else:
                xd.append(x)
    return xs, ys, xd


def _sweep_panel(ax, sweep, *, baseline: float, names) -> None:
    """Test error after training against the learning rate; diverged runs in a band on top."""
    rates = sorted(set(sweep["plain"]) | set(sweep["clipped"]))
    finite = [float(v) for key in ("plain", "clipped") for rate in rates
              for v in np.asarray(sweep[key].get(rate, []), dtype=float) if np.isfinite(v)]
    high = 10 ** np.ceil(np.log10(max(finite + [1.0]) * 1.5))  # top of the finite range
    band = (high * 1.6, high * 9.0)  # where diverged runs are drawn
    for key, shift in (("plain", -0.1), ("clipped", 0.1)):
        xs, ys, xd = _sweep_points(sweep[key], rates, shift)
        ax.plot(xs, ys, "o", color=_RUN_COLOURS[key], ms=4.5, alpha=0.85, label=names[key])
        ax.plot(xd, [np.sqrt(band[0] * band[1])] * len(xd), "x", color=_RUN_COLOURS[key],
                ms=6, mew=1.6)
    ax.axhspan(*band, color="#e8e8e8", zorder=0, lw=0)
    ax.text(-0.4, band[1] * 0.8, "diverged", ha="left", va="top", color="#555555")
    ax.axhline(baseline, color=GREY, lw=1.0, ls=(0, (4, 3)))
    ax.set_xticks(range(len(rates)))
    ax.set_xticklabels([f"{r:g}" for r in rates])
    ax.set_xlim(-0.5, len(rates) - 0.5)
    ax.set_yscale("log")
    ax.set_ylim(0.01, band[1])
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("test MSE after training")
    ax.set_title("every seed, every rate")


@in_style
def plot_clip_training(runs: Mapping[str, Sequence[Mapping]], sweep: Mapping[str, Mapping],
                       *, lr: float, threshold: float, baseline: float):
    """Training with and without clipping: curves at one learning rate, outcomes at several.

    Parameters
    ----------
    runs : mapping of str to sequence of dict
        ``"plain"`` and ``"clipped"`` to one dict per seed with ``losses``
        (the training loss per step, smoothed for display, e.g. by
        :func:`textbook_rnn.clip_training.moving_average`), ``grad_norms``
        and ``diverged_at``, as in the results of
        :func:`textbook_rnn.clip_training.clipping_experiment` at ``lr``.
    sweep : mapping of str to mapping of float to sequence of float
        ``"plain"`` and ``"clipped"`` to {learning rate: test MSE of each seed,
        nan for a run that diverged}.
    lr : float
        The learning rate of ``runs``.
    threshold : float
        The clipping threshold v (a line in the middle panel).
    baseline : float
        The error of always predicting the mean (a line in the first and last panels).

    Returns
    -------
    matplotlib.figure.Figure
        Training loss per step (a cross where a run diverged); gradient norm
        per step before clipping; final test error against the learning rate,
        one dot per seed, diverged runs in a band at the top.
    """
    for key in ("plain", "clipped"):
        if key not in runs or key not in sweep:
            raise ValueError(f"runs and sweep need the key {key!r}")
    fig = new_figure((9.4, 3.9))
    a1, a2, a3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1.1, 1]})
    names = _run_names(threshold)
    _curves_panels(a1, a2, runs, threshold=threshold, names=names)
    a1.axhline(baseline, color=GREY, lw=1.0, ls=(0, (4, 3)), label="predict the mean")
    a1.set_ylabel("training MSE (smoothed)")
    a1.set_title(rf"$\eta = {lr:g}$ ($\times$: diverged)")
    a1.legend(loc="lower left")
    _sweep_panel(a3, sweep, baseline=baseline, names=names)
    return fig


# --- keeping the gradient flowing -------------------------------------------------------------


@in_style
def plot_flow(delta_norms: Mapping[str, np.ndarray], ratios: Mapping[str, np.ndarray], *,
              omega: tuple | None = None):
    """‖∂L/∂h_t‖ and the per-step ratios r_t (``opt-flow-ratio``) for several networks.

    Parameters
    ----------
    delta_norms : mapping of str to ndarray, shape (T,)
        Label to ‖δ_t‖ for t = 1 .. T (e.g. the mean over a batch).
    ratios : mapping of str to ndarray, shape (T,)
        Label to r_t for t = 1 .. T; same labels.
    omega : (ndarray, ndarray, mapping of str to float), optional
        ``(scales, values, marks)``: the regulariser Ω (``opt-regulariser``)
        against a scale of W, drawn in a third panel, with the labelled
        networks marked at the scales given by ``marks``.

    Returns
    -------
    matplotlib.figure.Figure
        ‖δ_t‖ against t on a log axis; r_t against t, with the line r = 1
        that the regulariser pulls towards; Ω against the scale (if given).
    """
    if not isinstance(delta_norms, Mapping) or not delta_norms:
        raise TypeError("delta_norms must be a non-empty mapping from label to a 1-D array")
    if set(delta_norms) != set(ratios):
        raise ValueError("delta_norms and ratios must have the same labels")
    n = 3 if omega is not None else 2
    fig = new_figure((3.0 * n + 0.3, 3.4))
    axes = fig.subplots(1, n)
    a1, a2 = axes[0], axes[1]
    colour_of = {}
    for i, label in enumerate(delta_norms):
        d = _array(f"delta_norms[{label!r}]", delta_norms[label], 1)
        r = _array(f"ratios[{label!r}]", ratios[label], 1)
        colour = colour_of[label] = _SHADES[i % len(_SHADES)]
        a1.plot(np.arange(1, d.size + 1), np.maximum(d, 1e-30), color=colour, label=label)
        a2.plot(np.arange(1, r.size + 1), r, color=colour, lw=1.5)
    a1.set_yscale("log")
    a1.set_xlabel("step $t$")
    a1.set_ylabel(r"$\|\partial L / \partial \boldsymbol{h}_t\|$")
    a1.set_title("the gradient on its way back", fontsize=12)
    a1.legend(loc="lower right", fontsize=11.5)
    a2.axhline(1.0, color="black", lw=1.1, ls=(0, (4, 3)))
    a2.set_xlabel("step $t$")
    a2.set_ylabel("$r_t$")
    a2.set_title("ratio $r_t$ per step (the regulariser wants 1)", fontsize=12)
    a2.set_ylim(bottom=0)
    if omega is not None:
        scales, values, marks = omega
        scales = _array("omega scales", scales, 1)
        values = _array("omega values", values, 1)
        if scales.shape != values.shape:
            raise ValueError("omega's scales and values must have the same length")
        a3 = axes[2]
        a3.plot(scales, values, color="#333333", lw=1.6)
        for label, scale in dict(marks).items():
            k = int(np.argmin(np.abs(scales - scale)))
            a3.plot(scales[k], values[k], "o", color=colour_of.get(label, GREY), ms=8)
        a3.set_xlabel("scale of $W$")
        a3.set_ylabel(r"$\Omega$")
        a3.set_title(r"the regulariser $\Omega$", fontsize=12)
        a3.set_ylim(bottom=0)
    return fig
