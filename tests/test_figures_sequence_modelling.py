"""textbook_rnn.figures.sequence_modelling: each figure draws what it is given."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import data, widgets  # noqa: E402
from textbook_rnn.figures import sequence_modelling as fs  # noqa: E402


def png(fig) -> bytes:
    return widgets.figure_to_png(fig, dpi=30)


def test_schedules_draw_one_line_per_schedule_and_the_half_line():
    steps = np.arange(10)
    fig = fs.plot_schedules(steps, {"a": np.linspace(1, 0, 10), "b": np.ones(10)})
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.linspace(1, 0, 10))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert any(np.allclose(line.get_ydata(), 0.5) for line in ax.lines[2:])
    with pytest.raises(ValueError):
        fs.plot_schedules(steps, {"a": np.ones(3)})
    png(fig)


def test_exposure_draws_truth_forced_and_free_for_each_row():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(4, 10, 1))
    free = rng.normal(size=(4, 7, 1))
    fig = fs.plot_exposure(y, y + 0.1, free, 3, rows=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    truth, forced, drawn = fig.axes[1].lines
    np.testing.assert_allclose(truth.get_ydata(), y[1, :, 0])
    np.testing.assert_allclose(forced.get_ydata(), y[1, 3:, 0] + 0.1)
    np.testing.assert_allclose(drawn.get_ydata(), free[1, :, 0])
    with pytest.raises(ValueError):
        fs.plot_exposure(y, y, free[:, :5], 3)


def test_forcing_runs_draw_every_seed_of_every_signal():
    runs = data.load("teacher_forcing")["runs"]
    fig = fs.plot_forcing_runs(runs)
    assert len(fig.axes) == 2
    for ax, signal in zip(fig.axes, ("sine", "two_sines"), strict=True):
        seeds = [line for line in ax.lines if line.get_marker() not in ("None", None, "")]
        assert len(seeds) == 3
        drawn = sorted(np.concatenate([line.get_ydata() for line in seeds]))
        want = sorted(r["free_mse"] for r in runs if r["signal"] == signal)
        np.testing.assert_allclose(drawn, want)
    with pytest.raises(ValueError):
        fs.plot_forcing_runs([])
    png(fig)


def test_lengths_draw_bars_and_the_true_distribution():
    p = np.array([0.5, 0.3, 0.2])
    fig = fs.plot_lengths(p, {"m1": [0.4, 0.4, 0.2], "m2": [1, 0, 0]}, {"m1": 0.1, "m2": 2.0})
    assert len(fig.axes) == 2
    heights = [b.get_height() for b in fig.axes[1].patches]
    np.testing.assert_allclose(heights, [1, 0, 0])
    assert "2.000 bits" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="divergences"):
        fs.plot_lengths(p, {"m1": p}, {})


def test_captions_show_each_image_and_every_sentence():
    images = np.zeros((2, 64))
    samples = {"m": [["a bar at top"], ["a dim cross at bottom"]]}
    fig = fs.plot_captions(images, samples)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "a dim cross at bottom" in texts and texts.count("m") == 2
    assert sum(1 for ax in fig.axes if ax.images) == 2
    with pytest.raises(ValueError):
        fs.plot_captions(images, {"m": [["x"]]})
    png(fig)


def test_bits_curve_draws_curves_baselines_and_the_long_run():
    fig = fs.plot_bits_curve([1e3, 1e4], {"held out": [3.0, 2.5]}, {"unigram": 4.6},
                             long_run=([1e4, 1e5], [2.4, 2.0], "long"))
    ax = fig.axes[0]
    ys = [tuple(np.round(line.get_ydata(), 3)) for line in ax.lines]
    assert (3.0, 2.5) in ys and (2.4, 2.0) in ys and (4.6, 4.6) in ys
    assert any("unigram: 4.60" in t.get_text() for t in ax.texts)
    assert ax.get_xscale() == "log"


def test_text_frame_shows_the_text_wrapped_and_cut():
    fig = fs.draw_text_frame("abc " * 100, "temperature 1.00", width=20, lines=3)
    body = fig.axes[0].texts[0].get_text().split("\n")
    assert len(body) == 3 and all(len(line) <= 20 for line in body)
    assert fig.axes[0].get_title(loc="left") == "temperature 1.00"
    with pytest.raises(TypeError):
        fs.draw_text_frame(3, "t")
    png(fig)
