"""Tests of textbook_rnn.figures.memory and of the widget grid the chapter "Explicit memory" uses.

Each figure is drawn from small arrays computed by tested code, returns a
Figure that pyplot does not track, and rejects malformed input clearly.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import data, memory  # noqa: E402
from textbook_rnn.figures import memory as fig  # noqa: E402


def _steps():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(10, 4))
    w_prev = np.full(10, 0.01)
    w_prev[3] = 0.91
    return memory.address_steps(M, w_prev, M[6], 5.0, 0.3, np.array([0.1, 0.1, 0.8]), 2.0), w_prev


def test_address_steps_are_distributions_and_follow_the_equations():
    steps, w_prev = _steps()
    assert list(steps) == ["content", "interpolated", "shifted", "sharpened"]
    for w in steps.values():
        assert w.shape == (10,)
        np.testing.assert_allclose(w.sum(), 1.0)
    np.testing.assert_allclose(steps["interpolated"], 0.3 * steps["content"] + 0.7 * w_prev)


def test_plot_addressing_draws_one_panel_per_step():
    steps, w_prev = _steps()
    out = fig.plot_addressing(steps, w_prev=w_prev, key_row=6, title="demo")
    assert isinstance(out, Figure)
    assert len(out.axes) == 4
    assert len(out.axes[0].patches) == 10  # one bar per row


def test_plot_addressing_rejects_bad_input():
    with pytest.raises(TypeError, match="steps"):
        fig.plot_addressing({})
    with pytest.raises(ValueError, match="shape"):
        fig.plot_addressing({"content": np.ones(4), "sharpened": np.ones(5)})


def test_plot_reinforce_draws_one_line_per_estimator():
    counts = np.array([1, 10, 100])
    out = fig.plot_reinforce(counts, {"a": 1 / np.sqrt(counts), "b": 0.5 / np.sqrt(counts)})
    assert len(out.axes[0].lines) == 2
    with pytest.raises(ValueError, match="errors"):
        fig.plot_reinforce(counts, {"a": np.ones(2)})


def test_copy_figures_draw_the_shipped_sweep():
    sweep = data.load("ntm_copy")
    runs = sweep["runs"]
    out = fig.plot_copy_curves(runs)
    assert len(out.axes[0].lines) == len(runs) + 1  # and the dotted floor
    out = fig.plot_copy_errors(runs, sweep["config"]["test_lengths"])
    assert len(out.axes[0].lines) == len(runs) + 1  # and the dotted floor
    best = next(r for r in runs if r["model"] == "ntm")
    out = fig.plot_heads(best["heads"])
    assert len(out.axes) == 4
    with pytest.raises(TypeError, match="runs"):
        fig.plot_copy_curves([])


def test_plot_heads_rejects_mismatched_lengths():
    heads = {"x": np.zeros((5, 3)), "y_hat": np.zeros((5, 2)), "write": np.zeros((4, 8)),
             "read": np.zeros((5, 8))}
    with pytest.raises(ValueError, match="one T"):
        fig.plot_heads(heads)


def test_data_load_names_a_missing_file():
    with pytest.raises(ValueError, match="no_such"):
        data.load("no_such")
    with pytest.raises(ValueError, match="ntm_copy"):  # the message lists what exists
        data.load("../pyproject")
