"""The figures of the chapter "Explicit memory".

Drawing only: each ``plot_*`` function takes arrays computed by tested code
(:mod:`textbook_rnn.memory`, :mod:`textbook_rnn.torch_nn.ntm` through the
cached ``data/ntm_copy.json``) and returns a
:class:`matplotlib.figure.Figure` drawn in the book's style
(:data:`textbook_rnn.figures.style.STYLE`), never registered with pyplot, so
that the same call gives the same picture on every machine.

- :func:`plot_addressing`: the weights over the memory after each of the
  four addressing steps (also the frames of the chapter's widget);
- :func:`plot_reinforce`: the error of REINFORCE estimates of a hard read's
  gradient against the number of draws;
- :func:`plot_copy_curves`: training curves of the NTM and the LSTM;
- :func:`plot_copy_errors`: bits wrong per sequence against test length;
- :func:`plot_heads`: the inputs, outputs and head weights of a trained NTM
  over time, as heat maps.

matplotlib is imported on first use, through :func:`textbook_rnn._optional.require`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._optional import require
from .style import PALETTE, in_style, new_figure

__all__ = ["plot_addressing", "plot_reinforce", "plot_copy_curves", "plot_copy_errors",
           "plot_heads"]

STEP_LABELS = {
    "content": "content $w^c$",
    "interpolated": "interpolated $w^g$",
    "shifted": r"shifted $\tilde w$",
    "sharpened": "sharpened $w$",
}
MODEL_COLOURS = {"ntm": PALETTE["blue"], "lstm": PALETTE["vermillion"]}
MODEL_NAMES = {"ntm": "NTM", "lstm": "LSTM"}
FLOOR = 1e-2
"""Error counts below this (zero included) are drawn at it, on the log axes."""


def _weights(name: str, value, R: int | None = None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1 or (R is not None and arr.size != R):
        expected = "(R,)" if R is None else f"(R,) = ({R},)"
        raise ValueError(f"{name} must have shape {expected}, got shape {arr.shape}")
    return arr


@in_style
def plot_addressing(steps: Mapping[str, np.ndarray], *, w_prev=None, key_row: int | None = None,
                    title: str | None = None, size=(6.4, 4.6)):
    """Bars of the weights over the memory rows after each addressing step.

    Parameters
    ----------
    steps : mapping of str to ndarray, shape (R,)
        The output of :func:`textbook_rnn.memory.address_steps` (any subset of
        its keys, drawn top to bottom in the given order).
    w_prev : ndarray, shape (R,), optional
        The previous weights, drawn as an outline in the interpolation panel.
    key_row : int, optional
        The row the key was taken from, marked in every panel.
    title : str, optional
        A title above the panels.
    size : tuple of float
        The figure's size in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(steps, Mapping) or not steps:
        raise TypeError("steps must be a non-empty mapping of step name to weights")
    first = next(iter(steps.values()))
    R = _weights("steps", first).size
    fig = new_figure(size)
    axes = fig.subplots(len(steps), 1, sharex=True, squeeze=False)[:, 0]
    rows = np.arange(R)
    for ax, (name, w) in zip(axes, steps.items(), strict=True):
        w = _weights(f"steps[{name!r}]", w, R)
        ax.bar(rows, w, color=PALETTE["blue"], width=0.8)
        if w_prev is not None and name == "interpolated":
            ax.step(rows, _weights("w_prev", w_prev, R), where="mid", color=PALETTE["orange"],
                    lw=1.5, label="previous $w_{t-1}$")
            ax.legend(loc="upper right", fontsize=9)
        if key_row is not None:
            ax.axvline(key_row, color=PALETTE["green"], lw=1, ls="--")
        ax.set_ylim(0, 1.05)
        ax.set_yticks([0, 1])
        ax.set_ylabel(STEP_LABELS.get(name, name), rotation=0, ha="right", va="center",
                      fontsize=10)
        ax.grid(False)
    axes[-1].set_xlabel("memory row $i$")
    axes[-1].set_xticks(rows[::max(1, R // 8)])
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


@in_style
def plot_reinforce(counts, errors: Mapping[str, np.ndarray]):
    """Relative error of a gradient estimate against the number of draws, log-log.

    Parameters
    ----------
    counts : ndarray, shape (P,)
        Numbers of draws averaged.
    errors : mapping of str to ndarray, shape (P,)
        For each estimator, its relative error at each count.

    Returns
    -------
    matplotlib.figure.Figure
    """
    counts = np.asarray(counts, dtype=np.float64)
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    colours = [PALETTE["vermillion"], PALETTE["orange"], PALETTE["blue"]]
    for (label, err), colour in zip(errors.items(), colours, strict=False):
        err = np.asarray(err, dtype=np.float64)
        if err.shape != counts.shape:
            raise ValueError(f"errors[{label!r}] must have shape {counts.shape}, got {err.shape}")
        ax.loglog(counts, err, marker="o", ms=4, color=colour, label=label)
    ax.set_xlabel("draws of the address averaged")
    ax.set_ylabel("relative error of the gradient")
    ax.legend()
    return fig


def _runs(runs: Sequence[Mapping]) -> list[Mapping]:
    runs = list(runs)
    if not runs or not all(isinstance(r, Mapping) and "model" in r for r in runs):
        raise TypeError("runs must be a non-empty list of runs as stored in ntm_copy.json")
    return runs


@in_style
def plot_copy_curves(runs: Sequence[Mapping]):
    """Training curves (bits wrong per sequence) of every run, NTM and LSTM.

    Parameters
    ----------
    runs : list of dict
        The ``runs`` of ``ntm_copy.json``: ``model``, ``seed``, ``curve``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    styles = ["-", "--", ":", "-."]
    for run in _runs(runs):
        c = run["curve"]
        ax.plot(c["step"], np.maximum(c["bits_wrong"], FLOOR),
                color=MODEL_COLOURS[run["model"]],
                ls=styles[run["seed"] % len(styles)], lw=1.5,
                label=f"{MODEL_NAMES[run['model']]}, seed {run['seed']}")
    ax.set_yscale("log")
    ax.set_xlabel("Adam update")
    ax.set_ylabel("bits wrong per sequence\n(training lengths)")
    ax.axhline(FLOOR, color="0.6", lw=0.8, ls=":")
    ax.legend(ncol=2, fontsize=9)
    return fig


@in_style
def plot_copy_errors(runs: Sequence[Mapping], lengths: Sequence[int]):
    """Bits wrong per sequence against the test length, one line per run.

    Parameters
    ----------
    runs : list of dict
        The ``runs`` of ``ntm_copy.json``: ``model``, ``seed``, ``bits_wrong``.
    lengths : sequence of int
        The test lengths.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((6.4, 3.4))
    ax = fig.add_subplot()
    markers = ["o", "s", "^", "D"]
    lengths = [int(L) for L in lengths]
    for run in _runs(runs):
        err = np.maximum([run["bits_wrong"][str(L)] for L in lengths], FLOOR)
        ax.plot(lengths, err, color=MODEL_COLOURS[run["model"]],
                marker=markers[run["seed"] % len(markers)], lw=1.5,
                label=f"{MODEL_NAMES[run['model']]}, seed {run['seed']}")
    ax.set_yscale("log")
    ax.set_xticks(lengths)
    ax.set_xlabel("test length $L$ (trained on 1 to 10)")
    ax.set_ylabel("bits wrong per sequence")
    ax.axhline(FLOOR, color="0.6", lw=0.8, ls=":")
    ax.legend(ncol=2, fontsize=9)
    return fig


@in_style
def plot_heads(heads: Mapping[str, np.ndarray]):
    """Inputs, outputs and the write and read weights of an NTM over time, as heat maps.

    Parameters
    ----------
    heads : dict of ndarray
        ``x`` (T, D), ``y_hat`` (T, K), ``write`` and ``read`` (T, R), as
        returned by :func:`textbook_rnn.torch_nn.ntm.head_weights`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    parts = {k: np.asarray(heads[k], dtype=np.float64) for k in ("x", "y_hat", "write", "read")}
    T = parts["x"].shape[0]
    if any(v.ndim != 2 or v.shape[0] != T for v in parts.values()):
        raise ValueError("x, y_hat, write and read must all have shape (T, .) with one T")
    R = parts["write"].shape[1]
    # The heads start on row 0 and may walk either way round the ring: roll
    # row 0 to the middle, then crop to the rows used, labelling true indices.
    half = R // 2
    rolled = {k: np.roll(parts[k], half, axis=1) for k in ("write", "read")}
    used = np.flatnonzero((rolled["write"] + rolled["read"]).max(axis=0) > 0.05)
    lo, hi = (max(0, used.min() - 2), min(R, used.max() + 3)) if used.size else (0, R)
    ticker = require("matplotlib.ticker")
    fig = new_figure((6.8, 5.6))
    axes = fig.subplots(2, 2, sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    titles = {"x": "inputs", "y_hat": "outputs", "write": "write weights",
              "read": "read weights"}
    for ax, key in zip(axes.ravel(), ("x", "y_hat", "write", "read"), strict=True):
        if key in ("write", "read"):
            v = rolled[key][:, lo:hi]
            extent = (-0.5, T - 0.5, hi - 0.5, lo - 0.5)
            ax.set_ylabel("memory row")
            ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(
                lambda y, _pos: f"{(int(round(y)) - half) % R}"))
            cmap = "viridis"
        else:
            v = parts[key]
            extent = (-0.5, T - 0.5, v.shape[1] - 0.5, -0.5)
            ax.set_ylabel("channel")
            ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            cmap = "Greys"
        ax.imshow(v.T, aspect="auto", cmap=cmap, vmin=0, vmax=1, extent=extent,
                  interpolation="nearest")
        ax.set_title(titles[key], fontsize=11)
        ax.grid(False)
    for ax in axes[1]:
        ax.set_xlabel("step $t$")
    return fig
