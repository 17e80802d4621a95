"""The figures of chapter 6 ("The challenge of long-term dependencies").

Every function takes arrays computed by tested code (mostly
:mod:`textbook_rnn.dynamics`) and returns a :class:`matplotlib.figure.Figure`
drawn in the book's style (:data:`textbook_rnn.figures.style.STYLE`), never
registered with pyplot and never shown, so the same call gives the same
picture on every machine.

- :func:`plot_modes`: the linear recurrence in the eigenvector basis;
- :func:`plot_spectrum_frame`: eigenvalues and ‖h_t‖ (a frame of widget a);
- :func:`plot_eigen_explorer`: eigenvalues you choose, each eigen-coordinate,
  the rotation of a complex pair and ‖h_t‖ against ρ^t (the explorable widget);
- :func:`plot_forward_backward_frame`: ‖h_t‖ and ‖∂h_T/∂h_t‖ with and
  without tanh, and the spread of the product's singular values (a frame of widget b);
- :func:`plot_rates`: growth per step of the state and of the gradient
  against the spectral radius;
- :func:`plot_cross_section`: a slice through h_0 ↦ h_t as t grows;
- :func:`plot_cliff`: the one-unit map composed with itself;
- :func:`plot_pascanu`: ‖∂h_T/∂h_k‖ against the bound (γ σ_max)^{T-k};
- :func:`plot_init_frame`: the spectrum of a Gaussian, orthogonal or identity W
  and its Jacobian products (a frame of the initialisation widget);
- :func:`plot_lags`: the weights of the unrolled recurrence a_t = b_t + c_t a_{t-1}.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .style import COLOURS, PALETTE, in_style, new_figure

__all__ = [
    "plot_modes",
    "plot_spectrum_frame",
    "plot_eigen_explorer",
    "plot_forward_backward_frame",
    "plot_rates",
    "plot_cross_section",
    "plot_cliff",
    "plot_pascanu",
    "plot_lags",
    "plot_init_frame",
]

LINEAR = "#555555"  # the linear network, drawn dashed
TANH = PALETTE["blue"]
GREY = "#9a9a9a"
SINGULAR_FLOOR = 1e-12
"""Singular values below this fraction of the largest are not drawn (float64 rounding)."""


def _array(name: str, value, ndim: int, *, complex_ok: bool = False) -> np.ndarray:
    """Check a real (or complex) array with ``ndim`` dimensions and return it."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists
        raise TypeError(f"{name} could not be converted to an array: {exc}") from None
    kinds = "fiubc" if complex_ok else "fiub"
    if arr.dtype.kind not in kinds:
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)


def _series(name: str, mapping, ndim: int = 1) -> dict:
    """Check a non-empty mapping from label to an array with ``ndim`` dimensions."""
    if not isinstance(mapping, Mapping) or not mapping:
        raise TypeError(f"{name} must be a non-empty mapping from label to an array")
    return {key: _array(f"{name}[{key!r}]", value, ndim) for key, value in mapping.items()}


def _log_floor(values: np.ndarray, floor: float) -> np.ndarray:
    """Values for a log axis: below ``floor`` drawn at it, non-finite left out."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), np.maximum(values, floor), np.nan)


def _decade_ticks(ax, lo: float, hi: float, most: int = 8) -> None:
    """Ticks at powers of ten, including 10^0, at most ``most`` of them."""
    first, last = int(np.ceil(np.log10(lo))), int(np.floor(np.log10(hi)))
    step = max(1, int(np.ceil((last - first + 1) / most)))
    exponents = np.arange(-(-first // step) * step, last + 1, step)
    ax.set_yticks(10.0 ** exponents)
    ax.set_yticks([], minor=True)


def _limits(name: str, ylim) -> tuple[float, float]:
    lo, hi = (float(v) for v in ylim)
    if not 0 < lo < hi:
        raise ValueError(f"{name} must be (low, high) with 0 < low < high, got {ylim}")
    return lo, hi


@in_style
def plot_modes(coords, lam, align, *, norms=None):
    """The linear recurrence seen in the eigenvector basis (equation ``ltd-modes``).

    Parameters
    ----------
    coords : ndarray of complex, shape (T+1, H)
        Modal coordinates c_t = Q⁻¹ h_t, from
        :func:`textbook_rnn.dynamics.modal_coordinates`.
    lam : ndarray of complex, shape (H,)
        The eigenvalues, in the order of the columns of ``coords``.
    align : ndarray, shape (T+1,)
        How much of h_t lies along the leading eigenvector
        (:func:`textbook_rnn.dynamics.alignment`).
    norms : ndarray, shape (T+1,), optional
        ‖h_t‖, drawn in black.

    Returns
    -------
    matplotlib.figure.Figure
        Left: |c_t[i]| on a log axis, one straight line per mode. Right: the
        alignment with the leading eigenvector, rising to 1.
    """
    coords = _array("coords", coords, 2, complex_ok=True)
    lam = _array("lam", lam, 1, complex_ok=True)
    align = _array("align", align, 1)
    T1, H = coords.shape
    if lam.shape != (H,) or align.shape != (T1,):
        raise ValueError(f"lam must have shape ({H},) and align ({T1},), got {lam.shape} "
                         f"and {align.shape}")
    steps = np.arange(T1)
    fig = new_figure((8.2, 3.7))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    for i in range(H):
        z = lam[i]
        if abs(z.imag) < 1e-12:
            text = rf"$\lambda_{i + 1} = {z.real:+.2f}$"
        else:
            text = rf"$\lambda_{i + 1} = {z.real:+.2f}{z.imag:+.2f}i$, $|\lambda| = {abs(z):.2f}$"
        left.plot(steps, _log_floor(np.abs(coords[:, i]), 1e-12), color=COLOURS[i % 6],
                  label=text)
    if norms is not None:
        norms = _array("norms", norms, 1)
        left.plot(steps, _log_floor(norms, 1e-12), color="black", lw=1.2, ls=":",
                  label=r"$\|\boldsymbol{h}_t\|$")
    left.axhline(1.0, color=GREY, lw=0.8)
    left.set_yscale("log")
    left.set_xlim(0, T1 - 1)
    left.set_xlabel("step $t$")
    left.set_ylabel(r"$|c_{t,i}| = |\lambda_i|^t\,|c_{0,i}|$")
    left.set_title("each eigen-direction on its own")
    left.legend(loc="lower left", fontsize=11.5)
    right.plot(steps, align, color=PALETTE["vermillion"])
    right.set_ylim(0, 1.05)
    right.set_xlim(0, T1 - 1)
    right.set_xlabel("step $t$")
    right.set_ylabel("share of $\\boldsymbol{h}_t$ along $\\boldsymbol{q}_1$")
    right.set_title("the state turns towards $\\boldsymbol{q}_1$")
    return fig


@in_style
def plot_spectrum_frame(lam, norms, *, rho: float, ylim=(1e-8, 1e8)):
    """One frame of widget (a): the eigenvalues of W and the size of h_t.

    Parameters
    ----------
    lam : ndarray of complex, shape (H,)
        Eigenvalues of W.
    norms : ndarray, shape (S, T+1)
        ‖h_t‖ of the linear recurrence from S starting states.
    rho : float
        The spectral radius (drawn as a dashed circle, and as ρ^t on the right).
    ylim : tuple of float
        Fixed limits of the log axis, the same in every frame.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lam = _array("lam", lam, 1, complex_ok=True)
    norms = _array("norms", norms, 2)
    lo, hi = _limits("ylim", ylim)
    rho = float(rho)
    fig = new_figure((8.4, 3.8))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.45]})
    theta = np.linspace(0, 2 * np.pi, 241)
    left.plot(np.cos(theta), np.sin(theta), color="black", lw=1.2, label="unit circle")
    left.plot(rho * np.cos(theta), rho * np.sin(theta), color=PALETTE["vermillion"], lw=1.2,
              ls="--", label=rf"radius $\rho = {rho:.2f}$")
    outside = np.abs(lam) > 1.0 + 1e-12
    left.scatter(lam.real[~outside], lam.imag[~outside], s=16, color=TANH, zorder=3)
    left.scatter(lam.real[outside], lam.imag[outside], s=22, color=PALETTE["vermillion"],
                 zorder=3)
    left.set_xlim(-1.65, 1.65)
    left.set_ylim(-1.65, 1.65)
    left.set_aspect("equal")
    left.set_xlabel(r"Re $\lambda$")
    left.set_ylabel(r"Im $\lambda$")
    left.set_title("eigenvalues of $\\boldsymbol{W}$")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=11,
                handlelength=1.5, columnspacing=1.0)
    steps = np.arange(norms.shape[1])
    for row in norms:
        right.plot(steps, _log_floor(row, lo), color=TANH, lw=1.2, alpha=0.75)
    with np.errstate(over="ignore"):
        ref = np.median(norms[:, 0]) * rho ** steps.astype(float)
    right.plot(steps, np.clip(ref, lo, hi), color="black", ls="--", lw=1.3,
               label=r"$\rho^t\,\|\boldsymbol{h}_0\|$")
    right.axhline(norms[:, 0].mean(), color=GREY, lw=0.8)
    right.set_yscale("log")
    right.set_ylim(lo, hi)
    _decade_ticks(right, lo, hi)
    right.set_xlim(0, steps[-1])
    right.set_xlabel("step $t$")
    right.set_ylabel(r"$\|\boldsymbol{h}_t\|$")
    verdict = ("vanishes" if rho < 0.995 else
               "explodes" if rho > 1.005 else "keeps its size")
    right.set_title(f"the state {verdict}")
    right.legend(loc="upper left")
    return fig


@in_style
def plot_eigen_explorer(lam, coords, norms, *, sigma: float, spiral_steps: int = 12,
                        ylim=(1e-4, 1e3)):
    """Eigenvalues you choose, and what each does to the linear recurrence.

    Parameters
    ----------
    lam : ndarray of complex, shape (H,)
        Eigenvalues of W, in the order of the columns of ``coords``.
    coords : ndarray of complex, shape (T+1, H)
        Modal coordinates c_t = Q⁻¹ h_t (:func:`textbook_rnn.dynamics.modal_coordinates`).
    norms : ndarray, shape (T+1,)
        ‖h_t‖.
    sigma : float
        σ_max(W), written in the title next to ρ.
    spiral_steps : int
        How many steps of the leading complex pair's coordinate the left panel traces.
    ylim : tuple of float
        Fixed limits of the log axis, the same in every frame.

    Returns
    -------
    matplotlib.figure.Figure
        Left: the eigenvalues and the unit circle, with λ^t of the leading
        complex pair traced as a spiral (c_t / |c_0|). Right: |c_{t,i}| of each
        eigenvalue (one line per conjugate pair), ‖h_t‖ and ρ^t ‖h_0‖ on a log axis.
    """
    lam = _array("lam", lam, 1, complex_ok=True)
    coords = _array("coords", coords, 2, complex_ok=True)
    norms = _array("norms", norms, 1)
    T1, H = coords.shape
    if lam.shape != (H,) or norms.shape != (T1,):
        raise ValueError(f"lam must have shape ({H},) and norms ({T1},), got {lam.shape} "
                         f"and {norms.shape}")
    lo, hi = _limits("ylim", ylim)
    rho = float(np.max(np.abs(lam)))
    # Fixed margins instead of constrained layout: every frame of the widget has
    # its axes in the same place (nothing jumps as a slider moves), and a frame
    # draws twice as fast.
    fig = new_figure((8.6, 4.1))
    fig.set_layout_engine("none")
    left, right = fig.subplots(1, 2, gridspec_kw=dict(
        width_ratios=[1, 1.45], left=0.085, right=0.985, bottom=0.3, top=0.92, wspace=0.3))
    circle = np.linspace(0, 2 * np.pi, 241)
    left.plot(np.cos(circle), np.sin(circle), color=GREY, lw=1.0)
    shown = [i for i in range(H) if lam[i].imag >= -1e-12]  # one line per conjugate pair
    pairs = [i for i in shown if lam[i].imag > 1e-12]
    if pairs:
        k = pairs[0]
        n = min(spiral_steps, T1 - 1) + 1
        c0 = abs(coords[0, k])
        path = coords[:n, k] / c0 if c0 > 0 else lam[k] ** np.arange(n)
        left.plot(path.real, path.imag, color=COLOURS[shown.index(k) % 6], lw=1.0, alpha=0.8,
                  marker="o", ms=3, label=f"the pair's coordinate, steps 0 to {n - 1}")
    for j, i in enumerate(shown):
        z = lam[i]
        zs = [z, np.conj(z)] if z.imag > 1e-12 else [z]
        left.scatter([w.real for w in zs], [w.imag for w in zs], s=46, marker="x",
                     color=COLOURS[j % 6], zorder=4, linewidths=2)
    left.set_xlim(-1.6, 1.6)
    left.set_ylim(-1.6, 1.6)
    left.set_aspect("equal")
    left.set_xlabel(r"Re")
    left.set_ylabel(r"Im")
    left.set_title(r"eigenvalues (×), and $\lambda^t$")
    if pairs:
        left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=10.5)
    steps = np.arange(T1)
    for j, i in enumerate(shown):
        z = lam[i]
        # plain text, not mathtext: these change in every frame, and mathtext
        # parses each new string anew (the constant labels are parsed once)
        text = (f"|λ| = {abs(z):.2f}, angle ±{np.degrees(np.angle(z)):.0f}°"
                if z.imag > 1e-12 else f"λ = {z.real:+.2f}")
        right.plot(steps, _log_floor(np.abs(coords[:, i]), lo), color=COLOURS[j % 6], lw=1.4,
                   label=text)
    right.plot(steps, _log_floor(norms, lo), color="black", lw=2.0,
               label=r"$\|\boldsymbol{h}_t\|$")
    with np.errstate(over="ignore"):
        ref = norms[0] * rho ** steps.astype(float)
    right.plot(steps, np.clip(ref, lo, hi), color="black", ls="--", lw=1.2,
               label=r"$\rho^t\,\|\boldsymbol{h}_0\|$")
    right.set_yscale("log")
    right.set_ylim(lo, hi)
    _decade_ticks(right, lo, hi)
    right.set_xlim(0, T1 - 1)
    right.set_xlabel("step $t$")
    right.set_ylabel(r"$|c_{t,i}|$ and $\|\boldsymbol{h}_t\|$")
    right.set_title(f"ρ = {rho:.2f},  σ_max = {float(sigma):.2f}")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, fontsize=10.5)
    return fig


@in_style
def plot_forward_backward_frame(forward, backward, *, title: str = "", singular=None,
                                ylim_forward=(1e-2, 1e12), ylim_backward=(1e-16, 1e16)):
    """One frame of widget (b): forward ‖h_t‖ and backward ‖∂h_T/∂h_t‖, tanh on and off.

    Parameters
    ----------
    forward : mapping of str to ndarray, shape (T+1,)
        Label (e.g. ``"tanh"``, ``"linear"``) to ‖h_t‖ for t = 0 .. T.
    backward : mapping of str to ndarray, shape (T+1,)
        The same labels to ‖∂h_T/∂h_t‖₂ for t = 0 .. T.
    title : str
        Figure title.
    singular : mapping of str to ndarray, shape (T+1, H), optional
        Some of the same labels to *all* singular values of ∂h_T/∂h_t, for
        t = 0 .. T. Given, a third panel under the two draws each of them
        over time, one thin line per singular value (the top one is the
        backward curve), leaving out those below ``SINGULAR_FLOOR`` times the
        largest, which rounding has already erased.
    ylim_forward, ylim_backward : tuple of float
        Fixed limits of the log axes (the third panel shares the backward one).

    Returns
    -------
    matplotlib.figure.Figure
        A label containing "linear" is drawn dashed and grey, the others
        solid and coloured.
    """
    forward = _series("forward", forward)
    backward = _series("backward", backward)
    if set(forward) != set(backward):
        raise ValueError("forward and backward must have the same labels")
    if singular is not None:
        singular = _series("singular", singular, ndim=2)
        unknown = set(singular) - set(forward)
        if unknown:
            raise ValueError(f"singular has labels that forward lacks: {sorted(unknown)}")
        for label, values in singular.items():
            if values.shape[0] != backward[label].size:
                raise ValueError(f"singular[{label!r}] must have one row per step "
                                 f"({backward[label].size}), got shape {values.shape}")
    lo_f, hi_f = _limits("ylim_forward", ylim_forward)
    lo_b, hi_b = _limits("ylim_backward", ylim_backward)
    if singular is None:
        fig = new_figure((8.4, 3.7))
        left, right = fig.subplots(1, 2)
        panels = [(left, (lo_f, hi_f)), (right, (lo_b, hi_b))]
    else:
        fig = new_figure((8.4, 6.4))
        axes = fig.subplot_mosaic([["forward", "backward"], ["singular", "singular"]])
        left, right, bottom = axes["forward"], axes["backward"], axes["singular"]
        panels = [(left, (lo_f, hi_f)), (right, (lo_b, hi_b)), (bottom, (lo_b, hi_b))]
    colours = iter([TANH, PALETTE["green"], PALETTE["purple"], PALETTE["orange"]])
    styles = {}
    for label in forward:
        linear = "linear" in label
        styles[label] = {"color": LINEAR, "ls": "--", "lw": 1.8} if linear else {
            "color": next(colours), "lw": 2.2}
        steps = np.arange(forward[label].size)
        left.plot(steps, _log_floor(forward[label], lo_f), label=label, **styles[label])
        right.plot(np.arange(backward[label].size), _log_floor(backward[label], lo_b),
                   label=label, **styles[label])
    for ax, (lo, hi) in panels:
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        _decade_ticks(ax, lo, hi)
        ax.set_xlim(0, max(v.size for v in forward.values()) - 1)
        ax.set_xlabel("step $t$")
        ax.axhline(1.0, color=GREY, lw=0.8)
    left.set_ylabel(r"$\|\boldsymbol{h}_t\|$")
    left.set_title("forward: the state")
    right.set_ylabel(r"$\|\partial\boldsymbol{h}_T/\partial\boldsymbol{h}_t\|_2$")
    right.set_title("backward: the Jacobian product")
    right.annotate("", xy=(0.06, 0.06), xytext=(0.3, 0.06), xycoords="axes fraction",
                   arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.3})
    right.text(0.18, 0.09, "back in time", transform=right.transAxes, ha="center",
               va="bottom", fontsize=11, color="#555555")
    if singular is not None:
        for label, values in singular.items():
            _singular_fan(bottom, values, np.arange(values.shape[0]), styles[label], lo_b)
        bottom.set_ylabel(r"$\sigma_i(\partial\boldsymbol{h}_T/\partial\boldsymbol{h}_t)$")
        bottom.set_title("backward: every singular value of the Jacobian product")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=2)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


@in_style
def plot_rates(rhos, gradient_rates, state_sizes):
    """Growth per step of the gradient, and final size of the state, against ρ(W).

    Parameters
    ----------
    rhos : ndarray, shape (R,)
        Spectral radii.
    gradient_rates : mapping of str to ndarray, shape (R,)
        Label to ‖∂h_T/∂h_0‖^{1/T}, the average factor per step.
    state_sizes : mapping of str to ndarray, shape (R,)
        The same labels to ‖h_T‖.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rhos = _array("rhos", rhos, 1)
    gradient_rates = _series("gradient_rates", gradient_rates)
    state_sizes = _series("state_sizes", state_sizes)
    fig = new_figure((8.4, 3.7))
    left, right = fig.subplots(1, 2)
    colours = iter([TANH, PALETTE["green"], PALETTE["purple"]])
    styles = {}
    for label in gradient_rates:
        styles[label] = ({"color": LINEAR, "ls": "--", "lw": 1.8} if "linear" in label
                         else {"color": next(colours), "lw": 2.2})
        left.plot(rhos, gradient_rates[label], marker="o", ms=3.5, label=label, **styles[label])
    left.axhline(1.0, color="black", lw=0.9)
    top = max(float(np.nanmax(v)) for v in gradient_rates.values()) * 1.05
    left.axhspan(0, 1, color=PALETTE["sky"], alpha=0.10, lw=0)
    left.axhspan(1, max(top, 1.2), color=PALETTE["vermillion"], alpha=0.07, lw=0)
    left.text(0.03, 0.04, "gradient vanishes", transform=left.transAxes, fontsize=11,
              color="#335f7a")
    left.text(0.03, 0.93, "gradient explodes", transform=left.transAxes, fontsize=11,
              color="#8a3a10", va="top")
    left.set_ylim(0, max(top, 1.2))
    left.set_xlim(rhos.min(), rhos.max())
    left.set_xlabel(r"spectral radius $\rho(\boldsymbol{W})$")
    left.set_ylabel(r"$\|\partial\boldsymbol{h}_T/\partial\boldsymbol{h}_0\|^{1/T}$")
    left.set_title("backward: factor per step")
    left.legend(loc="center right")
    for label, values in state_sizes.items():
        right.plot(rhos, _log_floor(values, 1e-3), marker="o", ms=3.5, label=label,
                   **styles.get(label, {}))
    right.set_yscale("log")
    right.set_xlim(rhos.min(), rhos.max())
    right.set_xlabel(r"spectral radius $\rho(\boldsymbol{W})$")
    right.set_ylabel(r"$\|\boldsymbol{h}_T\|$")
    right.set_title("forward: the final state")
    return fig


@in_style
def plot_cross_section(s, X, steps: Sequence[int]):
    """Small multiples of a slice through h_0 ↦ h_t (the analogue of Goodfellow et al. fig. 10.15).

    Parameters
    ----------
    s : ndarray, shape (S,)
        Positions of the starting states along the line.
    X : ndarray, shape (T+1, S)
        Projections, from :func:`textbook_rnn.dynamics.cross_section`.
    steps : sequence of int
        Which t to draw, one panel each (at most 8).

    Returns
    -------
    matplotlib.figure.Figure
    """
    s = _array("s", s, 1)
    X = _array("X", X, 2)
    if X.shape[1] != s.size:
        raise ValueError(f"X must have shape (T+1, {s.size}), got {X.shape}")
    steps = [int(t) for t in steps]
    if not steps or len(steps) > 8 or min(steps) < 0 or max(steps) >= X.shape[0]:
        raise ValueError(f"steps must hold 1 to 8 values in 0..{X.shape[0] - 1}, got {steps}")
    ncols = min(len(steps), 4 if len(steps) > 3 else 3)
    nrows = -(-len(steps) // ncols)
    fig = new_figure((2.05 * ncols + 0.4, 2.0 * nrows + 0.3))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True)).ravel()
    for ax, t in zip(axes, steps, strict=False):
        ax.plot(s, X[t], color=COLOURS[0] if t == 0 else PALETTE["vermillion"], lw=1.5)
        ax.set_title(f"$t = {t}$", fontsize=12)
    for ax in axes[len(steps):]:
        ax.set_visible(False)
    for ax in axes[-ncols:]:
        ax.set_xlabel("start position $s$")
    for ax in axes[::ncols]:
        ax.set_ylabel(r"$\boldsymbol{r}^\top\boldsymbol{h}_t$")
    return fig


@in_style
def plot_cliff(h0, by_step: Mapping[int, Sequence[float]], b, at_T: Mapping[int, Sequence[float]],
               slope_at_T: Mapping[int, Sequence[float]], *, w: float, b_fixed: float,
               h0_fixed: float):
    """The one-unit map h ↦ tanh(w h + b) composed with itself (equation ``ltd-cliff``).

    Parameters
    ----------
    h0 : ndarray, shape (S,)
        Starting points.
    by_step : mapping of int to ndarray, shape (S,)
        t to h_t as a function of h_0 (with b = ``b_fixed``).
    b : ndarray, shape (B,)
        Bias values.
    at_T : mapping of int to ndarray, shape (B,)
        T to h_T as a function of b (starting from ``h0_fixed``).
    slope_at_T : mapping of int to ndarray, shape (B,)
        T to ∂h_T/∂b.
    w : float
        The weight of the map.
    b_fixed, h0_fixed : float
        The bias of the left panel and the start of the other two.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels: h_t against h_0; h_T against b; |∂h_T/∂b| on a log axis.
    """
    h0 = _array("h0", h0, 1)
    b = _array("b", b, 1)
    by_step = _series("by_step", by_step)
    at_T = _series("at_T", at_T)
    slope_at_T = _series("slope_at_T", slope_at_T)
    fig = new_figure((9.2, 3.5))
    a1, a2, a3 = fig.subplots(1, 3)
    cmap = require("matplotlib").colormaps["viridis"]

    def shade(i, n):
        return cmap(0.12 + 0.76 * i / max(n - 1, 1))

    for i, (t, values) in enumerate(by_step.items()):
        a1.plot(h0, values, color=shade(i, len(by_step)), label=f"$t={t}$")
    a1.plot(h0, h0, color=GREY, lw=0.9, ls=":")
    a1.set_xlabel(r"start $h_0$")
    a1.set_ylabel(r"$h_t$")
    a1.set_title(rf"$h_t$ against $h_0$ ($w={w:g}$, $b={b_fixed:g}$)", fontsize=12)
    a1.legend(loc="upper left", fontsize=11, handlelength=1.2)
    for i, (T, values) in enumerate(at_T.items()):
        a2.plot(b, values, color=shade(i, len(at_T)), label=f"$T={T}$")
        a3.plot(b, _log_floor(np.abs(slope_at_T[T]), 1e-12), color=shade(i, len(at_T)),
                label=f"$T={T}$")
    a2.set_xlabel("bias $b$")
    a2.set_ylabel(r"$h_T$")
    a2.set_title(rf"$h_T$ against $b$ ($h_0={h0_fixed:g}$)", fontsize=12)
    a2.legend(loc="upper left", fontsize=11, handlelength=1.2)
    a3.set_yscale("log")
    a3.set_xlabel("bias $b$")
    a3.set_ylabel(r"$|\partial h_T/\partial b|$")
    a3.set_title("its slope: a cliff", fontsize=12)
    return fig


@in_style
def plot_pascanu(norms: Mapping, bounds: Mapping, *, gamma: float = 1.0):
    """‖∂h_T/∂h_k‖₂ against the bound (γ σ_max)^{T-k}, one panel per σ_max (equation ``ltd-bound``).

    Parameters
    ----------
    norms : mapping of float to mapping of str to ndarray, shape (S, T+1)
        σ_max to {label: the norms for k = 0 .. T of S trajectories}.
    bounds : mapping of float to ndarray, shape (T+1,)
        σ_max to (γ σ_max)^{T-k} for k = 0 .. T.
    gamma : float
        γ, shown in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        The horizontal axis is the number of steps back, T - k.
    """
    if not isinstance(norms, Mapping) or not norms:
        raise TypeError("norms must be a non-empty mapping from σ_max to a mapping of arrays")
    if set(norms) != set(bounds):
        raise ValueError("norms and bounds must have the same keys (the values of σ_max)")
    fig = new_figure((9.2, 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(norms), sharey=True))
    colours = [TANH, PALETTE["green"], LINEAR, PALETTE["purple"]]
    for ax, sigma in zip(axes, norms, strict=True):
        bound = _array(f"bounds[{sigma!r}]", bounds[sigma], 1)
        back = np.arange(bound.size)[::-1]  # T - k for k = 0 .. T
        ax.plot(back, bound, color="black", lw=2.0, ls=(0, (5, 3)), zorder=4,
                label=rf"bound $(\gamma\sigma_{{\max}})^{{T-k}}$, $\gamma={gamma:g}$")
        series = _series(f"norms[{sigma!r}]", norms[sigma], ndim=2)
        for colour, (label, rows) in zip(colours, series.items(), strict=False):
            # a linear network may sit on the bound: draw it as a wide pale band beneath
            style = ({"color": colour, "lw": 6.0, "alpha": 0.35, "solid_capstyle": "butt"}
                     if "linear" in label else {"color": colour, "lw": 1.1, "alpha": 0.8})
            for j, row in enumerate(rows):
                ax.plot(back, _log_floor(row, 1e-30), label=label if j == 0 else None,
                        **style)
        ax.set_yscale("log")
        ax.set_xlim(0, back.max())
        ax.set_xlabel("steps back, $T-k$")
        ax.set_title(rf"$\sigma_{{\max}}(\boldsymbol{{W}}) = {sigma:g}$")
        ax.axhline(1.0, color=GREY, lw=0.8)
    axes[0].set_ylabel(r"$\|\partial\boldsymbol{h}_T/\partial\boldsymbol{h}_k\|_2$")
    axes[0].set_ylim(1e-12, 1e6)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=11)
    return fig


def _singular_fan(ax, values: np.ndarray, x: np.ndarray, style: dict, floor: float) -> None:
    """One thin line per singular value over ``x``, leaving out those lost in rounding."""
    top = values.max(axis=1, keepdims=True)
    shown = np.where(values >= SINGULAR_FLOOR * top, values, np.nan)
    ax.plot(x, _log_floor(shown, floor), **{**style, "lw": 0.9, "alpha": 0.55})


@in_style
def plot_init_frame(lam, singular: Mapping[str, np.ndarray], *, sigma_max: float,
                    title: str = "", ylim=(1e-12, 1e6)):
    """One frame of the initialisation widget: the spectrum of W, and the backward products.

    Parameters
    ----------
    lam : ndarray, shape (H,), complex
        Eigenvalues of W.
    singular : mapping of str to ndarray, shape (T+1, H)
        Label to all singular values of ∂h_T/∂h_k for k = 0 .. T, drawn as
        one thin line each against the steps back (those below
        ``SINGULAR_FLOOR`` times the largest are left out); a label containing
        "linear" is drawn dashed and grey.
    sigma_max : float
        The largest singular value of W, drawn as a dotted circle around the
        eigenvalues (no eigenvalue lies outside it).
    title : str
        Figure title.
    ylim : tuple of float
        Fixed limits of the log axis.

    Returns
    -------
    matplotlib.figure.Figure
        The horizontal axis of the right panel is the number of steps back, T - k.
    """
    lam = _array("lam", lam, 1, complex_ok=True).astype(np.complex128)
    singular = _series("singular", singular, ndim=2)
    sigma_max = float(sigma_max)
    if not np.isfinite(sigma_max) or sigma_max < 0:
        raise ValueError(f"sigma_max must be a finite number >= 0, got {sigma_max}")
    lo, hi = _limits("ylim", ylim)
    fig = new_figure((8.4, 4.0))
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.5])
    angle = np.linspace(0, 2 * np.pi, 361)
    left.plot(np.cos(angle), np.sin(angle), color=GREY, lw=1.2, label="unit circle")
    left.plot(sigma_max * np.cos(angle), sigma_max * np.sin(angle), color=LINEAR, lw=1.2,
              ls=":", label=r"radius $\sigma_{\max}$")
    left.plot(lam.real, lam.imag, "o", color=TANH, ms=4.5, alpha=0.8, label="eigenvalues")
    reach = max(1.6, 1.08 * sigma_max)
    left.set_xlim(-reach, reach)
    left.set_ylim(-reach, reach)
    left.set_aspect("equal")
    left.set_xlabel("Re")
    left.set_ylabel("Im")
    left.set_title(rf"$\rho = {np.abs(lam).max():.2f}$, $\sigma_{{\max}} = {sigma_max:.2f}$")
    colours = iter([TANH, PALETTE["green"], PALETTE["purple"], PALETTE["orange"]])
    for label, values in singular.items():
        style = ({"color": LINEAR, "ls": "--"} if "linear" in label
                 else {"color": next(colours), "ls": "-"})
        back = np.arange(values.shape[0])[::-1]  # T - k for k = 0 .. T
        _singular_fan(right, values, back, style, lo)
        right.plot([], [], lw=1.8, label=label, **style)  # one legend entry per network
    right.set_yscale("log")
    right.set_ylim(lo, hi)
    _decade_ticks(right, lo, hi)
    right.set_xlim(0, max(v.shape[0] for v in singular.values()) - 1)
    right.axhline(1.0, color=GREY, lw=0.8)
    right.set_xlabel("steps back, $T-k$")
    right.set_ylabel(r"$\sigma_i(\partial\boldsymbol{h}_T/\partial\boldsymbol{h}_k)$")
    right.set_title("backward: every singular value")
    handles, labels = left.get_legend_handles_labels()
    more, more_labels = right.get_legend_handles_labels()
    fig.legend(handles + more, labels + more_labels, loc="outside lower center", ncol=3,
               fontsize=11)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


@in_style
def plot_lags(weights: Mapping[str, Sequence[float]],
              truncation_errors: Mapping[str, Sequence[float]]):
    """The unrolled recurrence a_T = Σ_i (Π_{j>i} c_j) b_i (equation ``ltd-unrolled``).

    Parameters
    ----------
    weights : mapping of str to ndarray, shape (T,)
        Label to |Π_{j=i+1}^{T} c_j| by lag T - i = 0, 1, ..., T - 1.
    truncation_errors : mapping of str to ndarray, shape (T,)
        The same labels to the relative error |a_T^{(k)} - a_T| / |a_T| of
        the sum that keeps only the last k terms, for k = 1 .. T.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels with logarithmic vertical axes.
    """
    weights = _series("weights", weights)
    truncation_errors = _series("truncation_errors", truncation_errors)
    fig = new_figure((8.4, 3.7))
    left, right = fig.subplots(1, 2)
    for label, values in weights.items():
        left.plot(np.arange(values.size), _log_floor(np.abs(values), 1e-30), label=label)
    left.set_yscale("log")
    left.set_xlabel("lag $T-i$")
    left.set_ylabel(r"$|c_T\, c_{T-1} \cdots c_{i+1}|$")
    left.set_title("weight of a term, by its lag")
    left.legend(loc="lower left")
    for label, values in truncation_errors.items():
        right.plot(np.arange(1, values.size + 1), _log_floor(values, 1e-17), label=label)
    right.axhline(1e-16, color=GREY, lw=0.8, ls=":")
    right.set_yscale("log")
    right.set_ylim(1e-17, 10)
    right.set_xlabel("terms kept, $k$")
    right.set_ylabel(r"$|a_T^{(k)} - a_T| \,/\, |a_T|$")
    right.set_title("keeping only the last $k$ terms")
    return fig
