"""Tests for textbook_rnn.figures.reservoirs: figures are returned, deterministic, validated."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import leaky, widgets  # noqa: E402
from textbook_rnn.figures import reservoirs as pr  # noqa: E402


def png(fig) -> bytes:
    return widgets.figure_to_png(fig, dpi=40)


def _calls():
    rng = np.random.default_rng(0)
    gaps = {"ρ = 0.5": np.geomspace(1, 1e-20, 30), "ρ = 1.2": np.ones(30)}
    v = rng.normal(size=50)
    u, _ = leaky.leaky_forward(v[None, :, None], np.zeros((1, 1)), 0.8)
    scores = rng.uniform(0.2, 0.5, (2, 3))
    return {
        "esn": lambda: pr.draw_esn(),
        "skip_wiring": lambda: pr.draw_skip_wiring(steps=8, delay=3),
        "echo_state": lambda: pr.plot_echo_state({"weak": gaps, "strong": gaps}),
        "narma": lambda: pr.plot_narma([50, 100], scores, np.arange(5),
                                       np.ones(5), np.ones(5) * 1.1, label="H = 100"),
        "memory": lambda: pr.plot_memory_capacity([10, 20], {"a": [8, 15], "b": [5, 7]},
                                                  {"a": np.linspace(1, 0, 30)},
                                                  curve_label="H = 20"),
        "memory_frame": lambda: pr.plot_memory_frame(np.linspace(1, 0, 40), rho=0.9, H=20),
        "leaky_frame": lambda: pr.plot_leaky_frame(v, u[0, :, 0], alpha=0.8,
                                                   weights=leaky.leaky_impulse_response(0.8, 30),
                                                   step_at=[20]),
        "skip_gradients": lambda: pr.plot_skip_gradients({"a": np.geomspace(1e-12, 1, 20),
                                                          "b": np.zeros(20)}, title="t"),
    }


@pytest.mark.parametrize("name", list(_calls()))
def test_figures_are_returned_and_deterministic(name):
    draw = _calls()[name]
    fig = draw()
    assert isinstance(fig, Figure)
    assert fig.axes
    assert png(draw()) == png(draw())


def test_figures_do_not_depend_on_global_rcparams():
    # Line widths and colours are fixed when a figure is drawn. (Tick labels that
    # matplotlib creates lazily at render time may still follow a global font size,
    # as for the other modules' figures; the book never changes it.)
    draw = _calls()["narma"]
    first = png(draw())
    cycler = matplotlib.cycler(color=["#ff00ff", "#00ff00"])
    with matplotlib.rc_context({"lines.linewidth": 9, "axes.prop_cycle": cycler,
                                "axes.grid": False}):
        second = png(draw())
    assert first == second


def test_memory_frame_reports_the_capacity():
    fig = pr.plot_memory_frame(np.full(10, 0.5), rho=0.9, H=8)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "MC = 5.0" in texts


def test_skip_wiring_counts_links():
    fig = pr.draw_skip_wiring(steps=10, delay=3)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "9 links" in texts and texts.count("3 links") == 2


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: pr.draw_esn(n_units=2), ValueError, "n_units"),
        (lambda: pr.draw_skip_wiring(steps=5, delay=5), ValueError, "delay"),
        (lambda: pr.draw_skip_wiring(steps=20), ValueError, "steps"),
        (lambda: pr.plot_echo_state({}), TypeError, "panels"),
        (lambda: pr.plot_echo_state({"a": {"b": np.ones((2, 2))}}), ValueError, "1-D"),
        (lambda: pr.plot_narma([50, 100], np.ones((3, 2)), [1], [1], [1]), ValueError,
         r"scores must have shape \(len\(sizes\), R\)"),
        (lambda: pr.plot_narma([50], np.ones((1, 2)), [1, 2], [1], [1, 2]), ValueError,
         "y must have 2 values"),
        (lambda: pr.plot_memory_capacity([1, 2], {"a": [1]}, {"a": [1]}), ValueError,
         "must have 2 values"),
        (lambda: pr.plot_leaky_frame(np.ones(5), np.ones(4), alpha=0.5, weights=[1]),
         ValueError, "u must have 5 values"),
        (lambda: pr.plot_skip_gradients([1, 2]), TypeError, "norms"),
    ],
)
def test_bad_arguments_are_named(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
