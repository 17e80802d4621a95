"""textbook_rnn.figures.gated: what each figure of chapter 8 draws, read back from it.

The arrays drawn come from the core (``gated.cell_path_gain``,
``dynamics.jacobian_product_norms``, ``tasks.counter_unit``), tested in
test_gated.py, test_dynamics.py and test_tasks_adding_counting.py.
:data:`CASES` is also read by test_figures_style.py (style, text size, overlaps).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from figure_checks import all_text, labelled_lines, legend_labels  # noqa: E402
from textbook_rnn import tasks as tg  # noqa: E402
from textbook_rnn.figures import gated as pg  # noqa: E402


def _history(losses):
    return {"step": list(range(50, 50 * len(losses) + 1, 50)), "loss": list(losses)}


HISTORIES = {T: {c: _history([0.2, 0.1, 0.01]) for c in ("rnn", "lstm", "gru")}
             for T in (10, 50, 100)}
SENSITIVITY = {f"LSTM, $b_f={b}$": np.logspace(-3 * (3 - b), 0, 40) for b in (-2, 0, 1, 3)}
SENSITIVITY["vanilla RNN"] = np.r_[np.zeros(10), np.logspace(-20, 0, 30)]
X_ADD, _ = tg.adding_problem(1, 30, seed=0)
TRACE = {k: np.random.default_rng(0).uniform(size=(30, 16)) for k in ("f", "i", "o", "s")}
NS = np.arange(1, 31)
ACCEPTED = {"lstm": NS <= 25, "gru": NS <= 12}
STATES = {c: {n: np.linspace(0, 1, 2 * n + 1) for n in (10, 30, 60)} for c in ACCEPTED}

CASES = {
    "cells": pg.draw_cells,
    "path_gains": lambda: pg.plot_path_gains(
        np.arange(99, -1, -1), {"LSTM cell, $b_f=0$": np.geomspace(1e-8, 1, 100),
                                "vanilla RNN": np.geomspace(1e-30, 1, 100)},
        title="gain of the path"),
    "adding": lambda: pg.plot_adding(HISTORIES, baseline=1 / 6, solved=0.005),
    "gate_trace": lambda: pg.plot_gate_trace(
        X_ADD[0], TRACE, gates=("f", "i", "o"), lines="s", units=[4, 8],
        labels={"f": "forget\n$f_t$", "i": "input\n$i_t$", "o": "output\n$o_t$",
                "s": "cell\n$s_t$"}, title="an LSTM on the adding problem"),
    "forget_bias": lambda: pg.plot_forget_bias(
        SENSITIVITY, {k: _history([0.2, 0.1]) for k in list(SENSITIVITY)[:3]},
        baseline=1 / 6),
    "counting": lambda: pg.plot_counting(NS, ACCEPTED, 10, STATES,
                                         state_labels={"lstm": "LSTM cell $s_t$",
                                                       "gru": "GRU state $h_t$"}),
    "memory_frame": lambda: pg.plot_memory_frame(X_ADD[0], TRACE["f"], TRACE["s"], units=[4, 8],
                                                 prediction=0.8, target=1.0, shift=-1.5,
                                                 mse=0.012),
}
FRAMES = {"memory_frame"}


def test_cells_draw_an_lstm_above_a_gru_with_every_gate_named():
    fig = pg.draw_cells()
    lstm, gru = fig.axes
    assert (lstm.get_title(), gru.get_title()) == ("LSTM", "GRU")
    assert lstm.get_position().y0 > gru.get_position().y0
    lstm_text = " ".join(t.get_text() for t in lstm.texts)
    for gate in ("f", "i", "g", "o"):
        assert rf"\boldsymbol{{{gate}}}_t" in lstm_text
    gru_text = " ".join(t.get_text() for t in gru.texts)
    for gate in ("r", "u"):
        assert rf"\boldsymbol{{{gate}}}_t" in gru_text
    assert "peepholes\n(optional)" in lstm_text


def test_path_gains_draw_one_log_line_per_path():
    fig = CASES["path_gains"]()
    ax = fig.axes[0]
    assert labelled_lines(ax) == ["LSTM cell, $b_f=0$", "vanilla RNN"]
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] >= 1e-20
    assert ax.get_title() == "gain of the path"


def test_adding_draws_one_panel_per_length_with_baseline_and_threshold():
    fig = pg.plot_adding(HISTORIES, baseline=1 / 6, solved=0.005)
    assert [ax.get_title() for ax in fig.axes] == ["$T = 10$", "$T = 50$", "$T = 100$"]
    assert len(fig.axes[0].lines) == 3 + 2  # three cells, baseline, threshold
    assert legend_labels(fig) == ["vanilla RNN", "LSTM", "GRU"]
    assert "answer the mean" in all_text(fig)
    with pytest.raises(ValueError):
        pg.plot_adding({}, baseline=1 / 6)


def test_gate_trace_draws_heat_maps_and_unit_lines():
    fig = CASES["gate_trace"]()
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3 and all(im.get_clim() == (0, 1) for im in images)
    np.testing.assert_array_equal(images[0].get_array(), TRACE["f"].T)
    lines_ax = fig.axes[4]
    assert labelled_lines(lines_ax) == ["unit 4", "unit 8"]
    np.testing.assert_array_equal(lines_ax.lines[0].get_ydata(), TRACE["s"][:, 4])
    assert len(fig.axes) == 5 + 1  # inputs, three gates, lines, colour bar


def test_forget_bias_leaves_zeros_off_the_log_axis():
    fig = CASES["forget_bias"]()
    left, right = fig.axes
    assert labelled_lines(left) == list(SENSITIVITY)
    assert np.isnan(left.lines[-1].get_ydata()[:10]).all()
    assert len(labelled_lines(right)) == 3


def test_counting_marks_recognised_strings_and_the_training_range():
    fig = CASES["counting"]()
    strip = fig.axes[0]
    coloured = strip.collections[0].get_offsets()
    assert len(coloured) == 25  # the LSTM's recognised n
    assert [t.get_text() for t in strip.get_yticklabels()] == ["LSTM", "GRU"]
    assert "training range" in all_text(fig)
    assert fig.axes[1].get_ylabel() == "LSTM cell $s_t$"
    assert labelled_lines(fig.axes[1]) == ["$n = 10$", "$n = 30$", "$n = 60$"]


def test_memory_frame_reports_answer_error_and_mse():
    fig = CASES["memory_frame"]()
    title = fig._suptitle.get_text()
    assert "−1.5" in title and "−0.20" in title and "0.012" in title
    assert labelled_lines(fig.axes[1]) == ["unit 4", "unit 8"]
    assert fig.axes[1].get_ylim() == (-0.03, 1.03)
