"""The figures of chapter 7 ("Reservoirs and multiple time scales"), as pure functions.

Every function takes arrays (computed by the tested code of
:mod:`textbook_rnn.reservoir` and :mod:`textbook_rnn.leaky`) and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot and never
shown: the same call gives the same picture on every machine.

- :func:`draw_esn`: an echo state network, fixed weights against trained ones;
- :func:`plot_echo_state`: two runs from different initial states, forgetting
  (or not) where they started;
- :func:`plot_narma`: NRMSE on NARMA10 against reservoir size, and a stretch
  of prediction against target;
- :func:`plot_memory_capacity`: memory capacity against size, and memory curves;
- :func:`plot_memory_frame`: a memory curve on its own (the reader's own reservoir);
- :func:`plot_memory_map`: one frame of the memory-map widget: a memory curve,
  and memory capacity and NARMA10 error over spectral radius × input scaling;
- :func:`plot_leaky_frame`: one frame of the leaky-unit widget;
- :func:`draw_skip_wiring`: connections of length one, skip connections,
  and removed connections, unfolded;
- :func:`plot_skip_gradients`: how far back the gradient reaches in each wiring.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .._validate import check_positive_int
from .style import COLOURS, PALETTE, ROLE_COLOURS, check_series, in_style, new_figure

__all__ = [
    "draw_esn",
    "plot_echo_state",
    "plot_narma",
    "plot_memory_capacity",
    "plot_memory_frame",
    "plot_memory_map",
    "plot_leaky_frame",
    "draw_skip_wiring",
    "plot_skip_gradients",
]

TRAINED = PALETTE["vermillion"]
FIXED = "#7a7a7a"


def _vector(name: str, values, length: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if length is not None and arr.size != length:
        raise ValueError(f"{name} must have {length} values, got {arr.size}")
    return arr


# --- graphs -------------------------------------------------------------------------------


def _disc(ax, xy, radius, role, *, label="", fontsize=13.0, alpha=0.35, lw=1.2):
    patches = require("matplotlib.patches")
    ax.add_patch(patches.Circle(xy, radius, facecolor=ROLE_COLOURS[role], alpha=alpha,
                                edgecolor="none", zorder=3))
    ax.add_patch(patches.Circle(xy, radius, facecolor="none", edgecolor="#333333", lw=lw,
                                zorder=4))
    if label:
        ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=5)


def _link(ax, p, q, *, r_start=0.0, r_end=0.0, colour="#333333", lw=1.2, rad=0.0,
          head=10.0, style="-", zorder=2):
    """An arrow between two points, starting and ending ``r_*`` away from them."""
    patches = require("matplotlib.patches")
    p, q = np.asarray(p, float), np.asarray(q, float)
    u = (q - p) / np.linalg.norm(q - p)
    ax.add_patch(patches.FancyArrowPatch(
        p + r_start * u, q - r_end * u, arrowstyle="-|>", mutation_scale=head, lw=lw,
        color=colour, connectionstyle=f"arc3,rad={rad}", linestyle=style, shrinkA=0,
        shrinkB=0, zorder=zorder))


@in_style
def draw_esn(n_units: int = 14, seed: int = 3):
    """An echo state network: a random, fixed reservoir and a trained readout.

    Grey arrows are weights drawn at random and never changed (``U`` and
    ``W``); red arrows are the only weights that are learnt (``V``, equation
    ``res-ridge``). Chapter 7, section *Echo state networks*.

    Parameters
    ----------
    n_units : int
        Units drawn inside the reservoir (4 to 30).
    seed : int
        Seeds the positions and connections, so the picture is always the same.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n_units = check_positive_int("n_units", n_units)
    if not 4 <= n_units <= 30:
        raise ValueError(f"n_units must be between 4 and 30, got {n_units}")
    patches = require("matplotlib.patches")
    rng = np.random.default_rng(seed)
    fig = new_figure((8.4, 3.9))
    ax = fig.add_subplot()
    ax.set_xlim(-0.6, 9.4)
    ax.set_ylim(-2.35, 2.2)
    ax.set_aspect("equal")
    ax.axis("off")

    centre, radius = np.array([4.2, 0.0]), 1.75
    ax.add_patch(patches.Ellipse(centre, 2 * radius + 0.5, 2 * radius + 0.2,
                                 facecolor=ROLE_COLOURS["hidden"], alpha=0.12,
                                 edgecolor=ROLE_COLOURS["hidden"], lw=1.5, zorder=0))
    # units spread inside the disc (a sunflower spiral, jittered)
    k = np.arange(n_units) + 0.5
    r = 0.85 * radius * np.sqrt(k / n_units)
    theta = k * np.pi * (3 - np.sqrt(5)) + rng.uniform(-0.15, 0.15, n_units)
    pts = centre + np.c_[r * np.cos(theta), r * np.sin(theta)]
    unit_r = 0.17
    # sparse random recurrent connections
    for i in range(n_units):
        for j in rng.choice(n_units, size=2, replace=False):
            if i != j:
                _link(ax, pts[i], pts[j], r_start=unit_r, r_end=unit_r, colour=FIXED, lw=0.8,
                      rad=0.2, head=7)
    for p in pts:
        _disc(ax, p, unit_r, "hidden", alpha=0.6, lw=0.9)

    x_in = np.array([0.5, 0.0])
    y_out = np.array([8.3, 0.0])
    _disc(ax, x_in, 0.42, "input", label=r"$\boldsymbol{x}_t$", fontsize=14)
    _disc(ax, y_out, 0.42, "output", label=r"$\hat{\boldsymbol{y}}_t$", fontsize=14)
    for j in rng.choice(n_units, size=6, replace=False):
        _link(ax, x_in, pts[j], r_start=0.42, r_end=unit_r, colour=FIXED, lw=1.0, head=8)
    for j in range(n_units):
        _link(ax, pts[j], y_out, r_start=unit_r, r_end=0.42, colour=TRAINED, lw=1.2, head=8)

    ax.text(*x_in + [0.0, -0.75], "input", ha="center", va="top", fontsize=11.5)
    ax.text(*centre + [0.0, -radius - 0.25], r"reservoir $\boldsymbol{h}_t$: $\boldsymbol{U}$ and "
            r"$\boldsymbol{W}$ random and fixed" "\n" r"(spectral radius $\rho$ chosen)",
            ha="center", va="top", fontsize=11.5, color="#444444")
    ax.text(*y_out + [0.0, -0.75], "readout " r"$\boldsymbol{V}$:" "\n" "trained",
            ha="center", va="top", fontsize=11.5, color=TRAINED)
    return fig


@in_style
def draw_skip_wiring(steps: int = 10, delay: int = 3):
    """Three wirings of a recurrent layer, unfolded, with a shortest path from first to last.

    Top: connections of length one only (a path of ``steps - 1`` links).
    Middle: skip connections of delay d added. Bottom: connections of
    length one removed, leaving d interleaved chains. Chapter 7, section
    *Skip connections through time*.

    Parameters
    ----------
    steps : int
        States drawn per row (4 to 14).
    delay : int
        The delay d of the skip connections (2 to steps - 1).

    Returns
    -------
    matplotlib.figure.Figure
    """
    steps = check_positive_int("steps", steps)
    delay = check_positive_int("delay", delay)
    if not 4 <= steps <= 14:
        raise ValueError(f"steps must be between 4 and 14, got {steps}")
    if not 2 <= delay < steps:
        raise ValueError(f"delay must be between 2 and steps - 1 = {steps - 1}, got {delay}")
    fig = new_figure((9.0, 5.0))
    ax = fig.add_subplot()
    dx, r = 0.8, 0.24
    rows = [
        ("connections of length one", True, False),
        (f"with skip connections of delay $d={delay}$", True, True),
        ("connections of length one removed", False, True),
    ]
    last = steps - 1
    # a target reachable by skips alone: the last index with index ≡ 0 (mod d)
    target = last - last % delay
    ys = [3.4, 1.75, 0.0]
    for (title, short, skip), y in zip(rows, ys, strict=True):
        # the shortest path from state 0 to `target`
        if skip:
            path = list(range(0, target + 1, delay))
        else:
            path = list(range(0, target + 1))
        on_path = set(zip(path[:-1], path[1:], strict=True))
        for t in range(steps):
            _disc(ax, (t * dx, y), r, "hidden", alpha=0.7 if t in path else 0.25,
                  label=rf"$h_{{{t + 1}}}$", fontsize=11.5)
        if short:
            for t in range(steps - 1):
                hot = (t, t + 1) in on_path
                _link(ax, (t * dx, y), ((t + 1) * dx, y), r_start=r, r_end=r,
                      colour=TRAINED if hot else FIXED, lw=2.0 if hot else 1.0, head=8)
        if skip:
            for t in range(steps - delay):
                hot = (t, t + delay) in on_path
                _link(ax, (t * dx, y + r * 0.8), ((t + delay) * dx, y + r * 0.8),
                      colour=TRAINED if hot else FIXED, lw=2.0 if hot else 0.8, rad=-0.35,
                      head=8, zorder=1)
        links = len(path) - 1
        ax.text(-0.45, y + 0.78, title, ha="left", va="bottom", fontsize=11.5)
        ax.text(last * dx + 0.5, y, rf"$h_1 \to h_{{{target + 1}}}$:" "\n" f"{links} links",
                ha="left", va="center", fontsize=11.5, color=TRAINED)
    ax.set_xlim(-0.5, last * dx + 1.75)
    ax.set_ylim(-0.45, 4.55)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --- echo state networks --------------------------------------------------------------------


@in_style
def plot_echo_state(panels: Mapping[str, Mapping[str, np.ndarray]], *, floor: float = 1e-16):
    """Distance between two runs that start from different states, one panel per input strength.

    Parameters
    ----------
    panels : mapping of str to mapping of str to ndarray, shape (T,)
        Panel title to (legend label to ``‖h_t - h'_t‖`` per step), e.g. from
        :func:`textbook_rnn.reservoir.initial_state_gap`.
    floor : float
        Smaller distances (exact zeros included) are drawn at ``floor``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(panels, Mapping) or not panels:
        raise TypeError("panels must be a non-empty mapping from title to a mapping of series")
    fig = new_figure((3.7 * len(panels) + 1.6, 3.7))
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        series = check_series(f"panels[{title!r}]", series)
        for label, gap in series.items():
            ax.plot(np.arange(1, gap.size + 1), np.maximum(gap, floor), label=label)
        ax.set_yscale("log")
        ax.set_ylim(floor, 50.0)
        ax.set_xlabel("step $t$")
        ax.set_title(title)
    axes[0].set_ylabel(r"$\|\boldsymbol{h}_t - \boldsymbol{h}'_t\|$")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper")
    return fig


@in_style
def plot_narma(sizes: Sequence[int], scores, t, y, y_hat, *, label: str = ""):
    """NRMSE on NARMA10 against reservoir size, and a stretch of the fit.

    Parameters
    ----------
    sizes : sequence of int
        Reservoir sizes H.
    scores : ndarray, shape (len(sizes), R)
        Test NRMSE of R reservoirs (different seeds) of each size.
    t : ndarray, shape (S,)
        Steps shown in the right panel.
    y, y_hat : ndarray, shape (S,)
        Target and prediction at those steps.
    label : str
        Says which reservoir the right panel shows, e.g. ``"H = 400"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = _vector("sizes", sizes)
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] != sizes.size:
        raise ValueError(f"scores must have shape (len(sizes), R) = ({sizes.size}, R), "
                         f"got {scores.shape}")
    t = _vector("t", t)
    y = _vector("y", y, t.size)
    y_hat = _vector("y_hat", y_hat, t.size)
    fig = new_figure((9.2, 3.8))
    left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.6])
    for j in range(scores.shape[1]):
        left.scatter(sizes, scores[:, j], s=14, color=PALETTE["blue"], alpha=0.35, lw=0,
                     label="one reservoir" if j == 0 else None)
    left.plot(sizes, scores.mean(axis=1), "-o", color=PALETTE["blue"], ms=5, label="mean")
    left.set_xscale("log")
    left.set_xticks(sizes)
    left.set_xticklabels([str(int(s)) for s in sizes])
    left.minorticks_off()
    left.set_ylim(0, max(0.6, float(scores.max()) * 1.1))
    left.set_xlabel("reservoir size $H$")
    left.set_ylabel("test NRMSE")
    left.legend(loc="upper right")
    right.plot(t, y, color="#222222", lw=2.2, label="target $y_t$")
    right.plot(t, y_hat, color=TRAINED, lw=1.5, ls="--", label=r"ESN $\hat{y}_t$")
    right.set_xlabel("step $t$ (test data)")
    right.set_ylabel("NARMA10 output")
    right.legend(loc="upper left", ncols=2)
    if label:
        right.set_title(label)
    lo, hi = float(min(y.min(), y_hat.min())), float(max(y.max(), y_hat.max()))
    right.set_ylim(lo - 0.05 * (hi - lo), hi + 0.3 * (hi - lo))
    return fig


@in_style
def plot_memory_capacity(sizes: Sequence[int], capacities: Mapping[str, np.ndarray],
                         curves: Mapping[str, np.ndarray], *, curve_label: str = ""):
    """Memory capacity against reservoir size (left) and memory curves r²_k (right).

    Parameters
    ----------
    sizes : sequence of int
        Reservoir sizes H.
    capacities : mapping of str to ndarray, shape (len(sizes),)
        Kind of reservoir to its MC at each size.
    curves : mapping of str to ndarray, shape (k_max,)
        Kind of reservoir to r²_k for k = 1 .. k_max (one size).
    curve_label : str
        Title of the right panel, e.g. ``"H = 100"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = _vector("sizes", sizes)
    capacities = check_series("capacities", capacities, sizes.size)
    curves = check_series("curves", curves)
    fig = new_figure((9.2, 3.9))
    left, right = fig.subplots(1, 2)
    grid = np.linspace(0, sizes.max() * 1.05, 2)
    left.plot(grid, grid, color="#999999", ls=":", lw=1.5, label="MC = H (the bound)")
    for (label, mc), colour in zip(capacities.items(), COLOURS, strict=False):
        left.plot(sizes, mc, "-o", ms=5, color=colour, label=label)
    left.set_xlim(0, sizes.max() * 1.05)
    left.set_ylim(0, sizes.max() * 1.05)
    left.set_xlabel("reservoir size $H$")
    left.set_ylabel("memory capacity MC")
    left.legend(loc="upper left", fontsize=11)
    for (label, r2), colour in zip(curves.items(), COLOURS, strict=False):
        k = np.arange(1, r2.size + 1)
        right.plot(k, r2, color=colour, label=label)
    right.set_ylim(0, 1.05)
    right.set_xlim(1, max(c.size for c in curves.values()))
    right.set_xlabel("delay $k$")
    right.set_ylabel(r"$r^2_k$")
    if curve_label:
        right.set_title(curve_label)
    return fig


@in_style
def plot_memory_frame(r2, *, rho: float, H: int, k_shown: int | None = None):
    """One frame of the memory widget: the memory curve of one reservoir, and its MC.

    Parameters
    ----------
    r2 : ndarray, shape (k_max,)
        r²_k for k = 1 .. k_max.
    rho : float
        The reservoir's spectral radius (shown in the title).
    H : int
        Its size (shown in the title).
    k_shown : int, optional
        Delays shown on the axis; all of them when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    r2 = _vector("r2", r2)
    H = check_positive_int("H", H)
    k_shown = r2.size if k_shown is None else check_positive_int("k_shown", k_shown)
    fig = new_figure((7.6, 3.3))
    ax = fig.add_subplot()
    k = np.arange(1, r2.size + 1)
    ax.fill_between(k, r2, color=PALETTE["blue"], alpha=0.25, lw=0, step="mid")
    ax.step(k, r2, where="mid", color=PALETTE["blue"], lw=1.8)
    ax.set_xlim(0.5, k_shown + 0.5)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("delay $k$ (steps into the past)")
    ax.set_ylabel(r"$r^2_k$")
    ax.set_title(rf"$H = {H}$, spectral radius $\rho = {rho:.2f}$")
    ax.text(0.98, 0.92, f"MC = {r2.sum():.1f}", transform=ax.transAxes, ha="right", va="top",
            fontsize=13, color=PALETTE["blue"])
    return fig


def _edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around grid values: midpoints (geometric on a log axis), mirrored at the ends."""
    v = np.log(values) if log else values
    if v.size == 1:
        e = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        mid = (v[1:] + v[:-1]) / 2
        e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.exp(e) if log else e


@in_style
def plot_memory_map(r2, *, rho: float, scaling: float, H: int, rhos, scalings, capacity,
                    error):
    """One frame of the memory-map widget: a memory curve, and where it sits on two maps.

    Top: the memory curve r²_k of one reservoir (as :func:`plot_memory_frame`).
    Bottom: its memory capacity (left) and its NARMA10 test error (right) over
    a grid of spectral radii and input scalings, with a marker at
    ``(rho, scaling)``, which may lie between grid values.

    Parameters
    ----------
    r2 : ndarray, shape (k_max,)
        r²_k for k = 1 .. k_max of the reservoir at ``(rho, scaling)``.
    rho, scaling : float
        Its spectral radius and input scaling (the marker; in the titles).
    H : int
        The reservoir size.
    rhos : ndarray, shape (R,)
        Spectral radii of the grid, increasing.
    scalings : ndarray, shape (S,)
        Input scalings of the grid, positive and increasing (a log axis).
    capacity, error : ndarray, shape (R, S)
        Memory capacity and NARMA10 NRMSE at each grid point.

    Returns
    -------
    matplotlib.figure.Figure
    """
    r2 = _vector("r2", r2)
    H = check_positive_int("H", H)
    rhos = _vector("rhos", rhos)
    scalings = _vector("scalings", scalings)
    if np.any(np.diff(rhos) <= 0) or np.any(np.diff(scalings) <= 0) or scalings[0] <= 0:
        raise ValueError("rhos and scalings must increase, and scalings be positive")
    maps = {}
    for name, grid in (("capacity", capacity), ("error", error)):
        grid = np.asarray(grid, dtype=float)
        if grid.shape != (rhos.size, scalings.size):
            raise ValueError(f"{name} must have shape (len(rhos), len(scalings)) = "
                             f"{(rhos.size, scalings.size)}, got {grid.shape}")
        maps[name] = grid
    fig = new_figure((8.4, 6.6))
    axes = fig.subplot_mosaic([["curve", "curve"], ["capacity", "error"]],
                              height_ratios=[1, 1.15])
    ax = axes["curve"]
    k = np.arange(1, r2.size + 1)
    ax.fill_between(k, r2, color=PALETTE["blue"], alpha=0.25, lw=0, step="mid")
    ax.step(k, r2, where="mid", color=PALETTE["blue"], lw=1.8)
    ax.set_xlim(0.5, r2.size + 0.5)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("delay $k$ (steps into the past)")
    ax.set_ylabel(r"$r^2_k$")
    ax.set_title(rf"$H = {H}$, $\rho = {rho:.2f}$, input scaling ${scaling:.3g}$")
    ax.text(0.98, 0.92, f"MC = {r2.sum():.1f}", transform=ax.transAxes, ha="right", va="top",
            fontsize=13, color=PALETTE["blue"])
    x, y = _edges(rhos, log=False), _edges(scalings, log=True)
    titles = {"capacity": "memory capacity (higher is better)",
              "error": "NARMA10 test NRMSE (lower is better)"}
    cmaps = {"capacity": "viridis", "error": "viridis_r"}
    for name, grid in maps.items():
        ax = axes[name]
        mesh = ax.pcolormesh(x, y, grid.T, cmap=cmaps[name], shading="flat")
        fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
        ax.set_yscale("log")
        ax.set_yticks(scalings, [f"{s:g}" for s in scalings])
        ax.set_yticks([], minor=True)
        ax.set_xlabel(r"spectral radius $\rho$")
        ax.set_ylabel("input scaling")
        ax.set_title(titles[name], fontsize=11)
        ax.grid(False)
        # a black ring inside a white one: visible on every colour of the map
        ax.plot([rho], [scaling], marker="o", ms=13, mfc="none", mec="white", mew=3.6)
        ax.plot([rho], [scaling], marker="o", ms=13, mfc="none", mec="black", mew=1.6,
                label="this reservoir")
    return fig


# --- leaky units ----------------------------------------------------------------------------


@in_style
def plot_leaky_frame(v, u, *, alpha: float, weights, step_at: Sequence[int] = ()):
    """One frame of the leaky-unit widget: input and state (left), weights of the past (right).

    The left panel shows a noisy input and the unit's state; the right one the
    weights with which the unit averages its past inputs.

    Parameters
    ----------
    v : ndarray, shape (T,)
        The input v_t.
    u : ndarray, shape (T,)
        The unit's state u_t.
    alpha : float
        The retention α (shown in the title and used for the time constant).
    weights : ndarray, shape (K,)
        (1 - α) α^k for k = 0 .. K-1, from
        :func:`textbook_rnn.leaky.leaky_impulse_response`.
    step_at : sequence of int
        Steps at which the input's level changes, marked by dotted lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    v = _vector("v", v)
    u = _vector("u", u, v.size)
    weights = _vector("weights", weights)
    fig = new_figure((7.8, 3.5))
    left, right = fig.subplots(1, 2, width_ratios=[1.6, 1.0])
    t = np.arange(1, v.size + 1)
    for step in step_at:
        left.axvline(step, color="#666666", lw=1.0, ls=":")
    left.plot(t, v, color="#b0b0b0", lw=1.0, label="input $v_t$")
    left.plot(t, u, color=PALETTE["blue"], lw=2.4, label="leaky unit $u_t$")
    left.set_ylim(-1.3, 2.6)
    left.set_xlim(0, v.size + 1)
    left.set_xlabel("step $t$")
    left.legend(loc="upper left", ncols=2, fontsize=11, handlelength=1.2,
                columnspacing=1.0)
    k = np.arange(weights.size)
    floor = 1e-4
    right.fill_between(k, np.maximum(weights, floor), floor, color=PALETTE["blue"], alpha=0.25,
                       lw=0)
    right.plot(k, np.maximum(weights, floor), color=PALETTE["blue"], lw=2.0)
    if alpha < 1:
        tau = 1.0 / (1.0 - alpha)
        if tau < weights.size:
            right.axvline(tau, color=TRAINED, lw=1.2, ls="--")
            right.text(tau + 1.5, 0.5, rf"$1/(1-\alpha) = {tau:.0f}$", color=TRAINED,
                       fontsize=11.5, va="top")
    right.set_yscale("log")
    right.set_ylim(floor, 1.5)
    right.set_xlim(0, weights.size - 1)
    right.set_xlabel("age $k$ of the input")
    right.set_ylabel(r"weight $(1-\alpha)\,\alpha^k$")
    fig.suptitle(rf"$u_t = \alpha\, u_{{t-1}} + (1-\alpha)\, v_t$  with  $\alpha = {alpha:.2f}$",
                 fontsize=13)
    return fig


# --- skip connections -------------------------------------------------------------------


@in_style
def plot_skip_gradients(norms: Mapping[str, np.ndarray], *, floor: float = 1e-16,
                        title: str | None = None):
    """‖∂L/∂h_t‖ against how many steps before the loss h_t lies, one line per wiring.

    Parameters
    ----------
    norms : mapping of str to ndarray, shape (T,)
        Wiring to the gradient norm at steps 1 .. T (the loss sits at the end).
    floor : float
        Smaller norms are drawn at ``floor``.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    norms = check_series("norms", norms)
    fig = new_figure((8.4, 3.6))
    ax = fig.add_subplot()
    for label, n in norms.items():
        back = np.arange(n.size)[::-1]  # steps between h_t and the last step
        ax.plot(back, np.maximum(n, floor), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("steps back from the end of the sequence")
    ax.set_ylabel(r"$\|\partial L / \partial \boldsymbol{h}_t\|$")
    ax.set_ylim(floor, None)
    if title:
        ax.set_title(title)
    fig.legend(loc="outside right upper")
    return fig
