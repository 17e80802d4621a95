"""The figures of chapter 3 ("Sequence modelling"), as pure functions.

Each ``plot_*`` or ``draw_*`` function takes arrays that tested code
computed and returns a :class:`matplotlib.figure.Figure` drawn inside the
book's style, never registered with pyplot:

- :func:`plot_schedules`: the decay schedules of scheduled sampling;
- :func:`plot_exposure`: teacher-forced one-step predictions against a
  free-running continuation;
- :func:`plot_forcing_runs`: the reproduction, free-running error per seed
  and method, against the signal's variance;
- :func:`plot_lengths`: generated length distributions against the true one;
- :func:`plot_captions`: toy "images" with descriptions sampled for each;
- :func:`plot_bits_curve`: the learning curve in bits per character, with
  the baselines as horizontal lines;
- :func:`draw_text_frame`: a block of generated text as a picture (a frame of
  the temperature widget).

matplotlib is imported on first use.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np

from .style import COLOURS, PALETTE, check_series, in_style, new_figure

__all__ = [
    "plot_schedules",
    "plot_exposure",
    "plot_forcing_runs",
    "plot_lengths",
    "plot_captions",
    "plot_bits_curve",
    "draw_text_frame",
]

_GREY = "#777777"


@in_style
def plot_schedules(steps, schedules: Mapping[str, np.ndarray]):
    """The probability ε_i of feeding the truth against the training update i.

    Parameters
    ----------
    steps : array_like, shape (S,)
        Training updates.
    schedules : mapping of str to array_like, shape (S,)
        ε at each update, by schedule name.
    """
    steps = np.asarray(steps, dtype=float)
    series = check_series("schedules", schedules, steps.size)
    fig = new_figure((7.0, 3.6))
    ax = fig.add_subplot()
    for (name, eps), colour in zip(series.items(), COLOURS, strict=False):
        ax.plot(steps, eps, color=colour, label=name)
    ax.axhline(0.5, color=_GREY, lw=1, ls=":")
    ax.set(xlabel="training update $i$", ylabel=r"$\epsilon_i$ = P(feed the truth)",
           ylim=(-0.03, 1.05), xlim=(steps[0], steps[-1]))
    ax.legend(loc="upper right")
    return fig


@in_style
def plot_exposure(y, forced, free, prefix: int, *, rows: int = 3):
    """Held-out signals with one-step (teacher-forced) and free-running predictions.

    Parameters
    ----------
    y : array_like, shape (N, T) or (N, T, 1)
        The true signals.
    forced : array_like, same shape as ``y``
        One-step predictions, each made from the true previous value.
    free : array_like, shape (N, T - prefix) or (N, T - prefix, 1)
        The continuation the model generated from its own outputs.
    prefix : int
        Steps the model read before running free.
    rows : int
        How many signals to draw (the first ``rows``).
    """
    y, forced, free = (np.asarray(a, dtype=float).reshape(np.shape(a)[0], -1)
                       for a in (y, forced, free))
    N, T = y.shape
    if forced.shape != y.shape or free.shape != (N, T - prefix):
        raise ValueError(f"forced must have shape {y.shape} and free {(N, T - prefix)}, got "
                         f"{forced.shape} and {free.shape}")
    rows = min(rows, N)
    fig = new_figure((8.5, 1.9 * rows + 0.5))
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    t = np.arange(1, T + 1)
    for i, ax in enumerate(axes):
        ax.axvspan(0.5, prefix + 0.5, color=_GREY, alpha=0.12, lw=0)
        ax.plot(t, y[i], color="black", lw=3.2, alpha=0.25, label="truth")
        ax.plot(t[prefix:], forced[i, prefix:], color=COLOURS[0], lw=1.6,
                label="one step ahead (fed the truth)")
        ax.plot(t[prefix:], free[i], color=COLOURS[1], lw=1.6, ls="--",
                label="running free (fed its own output)")
        ax.set(ylim=(-1.6, 1.6), ylabel="$y$")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, 1.45), ncol=3, fontsize=10)
    axes[-1].set_xlabel("step $t$ (shaded: the prefix the model reads)")
    return fig


@in_style
def plot_forcing_runs(runs: Sequence[Mapping]):
    """Free-running error per seed: teacher forcing against scheduled sampling.

    Parameters
    ----------
    runs : sequence of mapping
        Each with keys ``signal``, ``method``, ``seed``, ``free_mse`` and
        ``variance`` (the records of ``textbook_rnn.data.load("teacher_forcing")``).
    """
    runs = list(runs)
    if not runs:
        raise ValueError("runs must hold at least one run")
    signals = sorted({r["signal"] for r in runs}, key=lambda s: (s != "sine", s))
    methods = sorted({r["method"] for r in runs}, key=lambda m: (m != "teacher forcing", m))
    seeds = sorted({r["seed"] for r in runs})
    fig = new_figure((4.2 * len(signals) + 0.6, 3.8))
    axes = fig.subplots(1, len(signals), squeeze=False)[0]
    markers = "osD^v<>"
    for ax, signal in zip(axes, signals, strict=True):
        mine = [r for r in runs if r["signal"] == signal]
        variance = mine[0]["variance"]
        ax.axhline(variance, color=_GREY, ls="--", lw=1.2)
        ax.text(len(methods) - 0.5, variance, "variance of the signal", color=_GREY,
                ha="right", va="bottom", fontsize=10)
        for s, seed in enumerate(seeds):
            xs = [methods.index(r["method"]) for r in mine if r["seed"] == seed]
            ys = [r["free_mse"] for r in mine if r["seed"] == seed]
            order = np.argsort(xs)
            xs, ys = np.asarray(xs)[order], np.asarray(ys)[order]
            ax.plot(xs + 0.06 * (s - 1), ys, marker=markers[s % len(markers)], ms=8,
                    color=COLOURS[s % len(COLOURS)], lw=1, alpha=0.9, label=f"seed {seed}")
        ax.set_xticks(range(len(methods)), methods)
        ax.set(xlim=(-0.5, len(methods) - 0.5), ylim=(0, 1.25 * max(
            max(r["free_mse"] for r in mine), variance)), title=signal.replace("_", " "))
    axes[0].set_ylabel("free-running MSE")
    axes[-1].legend(loc="lower right", fontsize=10)
    return fig


@in_style
def plot_lengths(true_p, models: Mapping[str, np.ndarray], divergences: Mapping[str, float]):
    """Length distributions of generated sequences against the true one.

    Parameters
    ----------
    true_p : array_like, shape (T_max,)
        P(τ = 1..T_max) of the data.
    models : mapping of str to array_like, shape (T_max,)
        Each model's empirical length distribution.
    divergences : mapping of str to float
        KL(true ‖ model) in bits, shown in each panel's title.
    """
    true_p = np.asarray(true_p, dtype=float)
    series = check_series("models", models, true_p.size)
    missing = set(series) - {str(k) for k in divergences}
    if missing:
        raise ValueError(f"divergences lacks an entry for {sorted(missing)}")
    fig = new_figure((3.4 * len(series) + 0.4, 3.3))
    axes = fig.subplots(1, len(series), sharey=True, squeeze=False)[0]
    tau = np.arange(1, true_p.size + 1)
    for ax, ((name, q), colour) in zip(axes, zip(series.items(), COLOURS, strict=False),
                                       strict=True):
        ax.bar(tau, q, width=0.8, color=colour, alpha=0.75, label="generated")
        ax.step(tau, true_p, where="mid", color="black", lw=1.5, label="true")
        ax.set(title=f"{name}\nKL = {divergences[name]:.3f} bits", xlabel=r"length $\tau$")
    axes[0].set_ylabel("probability")
    axes[0].legend(loc="upper right", fontsize=10)
    return fig


@in_style
def plot_captions(images, samples: Mapping[str, Sequence[Sequence[str]]]):
    """Each toy image above descriptions sampled for it by several models.

    Parameters
    ----------
    images : array_like, shape (M, 64) or (M, 8, 8)
        The contexts.
    samples : mapping of str to sequence of sequence of str
        For each model, for each image, a few sampled sentences.
    """
    images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
    M = images.shape[0]
    if not samples:
        raise ValueError("samples must name at least one model")
    for name, per_image in samples.items():
        if len(per_image) != M:
            raise ValueError(f"samples[{name!r}] must hold sentences for {M} images, got "
                             f"{len(per_image)}")
    n_lines = sum(len(per_image[0]) + 1 for per_image in samples.values())
    fig = new_figure((2.75 * M, 2.2 + 0.24 * n_lines))
    grid = fig.add_gridspec(2, M, height_ratios=[2.0, 0.24 * n_lines])
    for j in range(M):
        ax = fig.add_subplot(grid[0, j])
        ax.imshow(images[j], cmap="gray_r", vmin=-0.2, vmax=1.1)
        ax.set(xticks=[], yticks=[], title=f"image {j + 1}")
        ax.grid(False)
        tx = fig.add_subplot(grid[1, j])
        tx.axis("off")
        y = 1.0
        for (name, per_image), colour in zip(samples.items(), COLOURS, strict=False):
            tx.text(0.0, y, name, color=colour, fontsize=9.5, fontweight="bold",
                    va="top", transform=tx.transAxes)
            y -= 1.0 / n_lines
            for sentence in per_image[j]:
                tx.text(0.04, y, sentence, fontsize=9.5, family="DejaVu Sans Mono", va="top",
                        transform=tx.transAxes)
                y -= 1.0 / n_lines
    return fig


@in_style
def plot_bits_curve(chars, curves: Mapping[str, np.ndarray], baselines: Mapping[str, float],
                    *, long_run: tuple | None = None):
    """Bits per character against training characters, baselines as horizontal lines.

    Parameters
    ----------
    chars : array_like, shape (P,)
        Training characters seen at each point.
    curves : mapping of str to array_like, shape (P,)
        E.g. training and held-out bits per character.
    baselines : mapping of str to float
        Held-out bits per character of the baselines.
    long_run : tuple (chars, bits, label), optional
        A longer run's held-out curve, drawn dotted.
    """
    chars = np.asarray(chars, dtype=float)
    series = check_series("curves", curves, chars.size)
    fig = new_figure((7.6, 4.2))
    ax = fig.add_subplot()
    for (name, bits), colour in zip(series.items(), COLOURS, strict=False):
        ax.plot(chars, bits, marker="o", ms=4, color=colour, label=name)
    if long_run is not None:
        lc, lb, label = long_run
        ax.plot(np.asarray(lc, float), np.asarray(lb, float), color=PALETTE["green"], ls=":",
                marker=".", label=label)
    right = ax.get_xlim()[1]
    for (name, value), ls in zip(baselines.items(), ("--", "-.", ":", (0, (5, 1, 1, 1))),
                                 strict=False):
        ax.axhline(value, color=_GREY, ls=ls, lw=1.3)
        ax.text(right, value, f" {name}: {value:.2f}", color="#444444", fontsize=10,
                va="bottom", ha="right")
    ax.set_xscale("log")
    ax.set(xlabel="training characters seen", ylabel="bits per character")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.93), fontsize=10)
    return fig


@in_style
def draw_text_frame(text: str, title: str, *, width: int = 72, lines: int = 9):
    """A block of monospaced text as a figure: one frame of the temperature widget.

    Parameters
    ----------
    text : str
        The text; line breaks are kept, long lines wrapped at ``width``.
    title : str
        Written above the text.
    width, lines : int
        Characters per line and the most lines shown.
    """
    if not isinstance(text, str) or not isinstance(title, str):
        raise TypeError("text and title must be strings")
    wrapped = []
    for line in text.replace("\t", "    ").split("\n"):
        wrapped.extend(textwrap.wrap(line, width, replace_whitespace=False,
                                     drop_whitespace=False) or [""])
    wrapped = wrapped[:lines]
    fig = new_figure((8.4, 0.3 * lines + 0.7))
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=12)
    ax.text(0.0, 1.0, "\n".join(wrapped), family="DejaVu Sans Mono", fontsize=10.5,
            va="top", ha="left", transform=ax.transAxes, linespacing=1.35)
    return fig
