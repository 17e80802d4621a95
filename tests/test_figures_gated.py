"""textbook_rnn.figures.gated: the computing functions against exact facts, the figures drawn."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import tasks as tg  # noqa: E402
from textbook_rnn import widgets  # noqa: E402
from textbook_rnn.figures import gated as pg  # noqa: E402


def png(fig) -> bytes:
    return widgets.figure_to_png(fig, dpi=30)


# --- computing functions --------------------------------------------------------------------


def test_cell_path_gain_is_a_product_of_forget_gates():
    f = np.array([[0.5, 1.0], [0.5, 0.9], [0.5, 0.8], [0.1, 0.1]])  # (T=4, H=2)
    gain = pg.cell_path_gain(f)
    # entry t: mean over units of prod_{k>t} f_k
    expected = [np.mean([0.5 * 0.5 * 0.1, 0.9 * 0.8 * 0.1]), np.mean([0.05, 0.08]),
                np.mean([0.1, 0.1]), 1.0]
    np.testing.assert_allclose(gain, expected)
    np.testing.assert_allclose(pg.cell_path_gain(np.ones((5, 3))), 1.0)
    with pytest.raises(ValueError):
        pg.cell_path_gain(np.ones(4))


def test_rnn_path_gain_matches_an_explicit_jacobian_product():
    rng = np.random.default_rng(0)
    T, H = 6, 3
    W = rng.normal(size=(H, H))
    h = np.tanh(rng.normal(size=(T, H)))
    gain = pg.rnn_path_gain(h, W)
    for t in range(T - 1):
        J = np.eye(H)
        for k in range(T - 1, t, -1):  # dh_T/dh_t = J_T ... J_{t+1}, J_k = diag(1 - h_k^2) W
            J = J @ (np.diag(1 - h[k] ** 2) @ W)
        assert gain[t] == pytest.approx(np.linalg.norm(J, 2))
    assert gain[-1] == 1.0
    with pytest.raises(ValueError):
        pg.rnn_path_gain(h, W[:2])


def test_counter_unit_finds_the_count():
    x, _, _ = tg.counting_language([5])
    x = x[0]
    count = np.cumsum(x[:, 1] - x[:, 2])
    rng = np.random.default_rng(1)
    values = rng.normal(size=(len(count), 4))
    values[:, 2] = 0.3 * count + 0.01 * rng.normal(size=len(count))
    assert pg.counter_unit(values, x) == 2
    values[:, 2] *= -1  # anti-correlated counts too
    assert pg.counter_unit(values, x) == 2


# --- figures ----------------------------------------------------------------------------------


def test_draw_cells_is_a_figure_and_reproducible():
    fig = pg.draw_cells()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert png(fig) == png(pg.draw_cells())


def _history(losses):
    return {"step": list(range(50, 50 * len(losses) + 1, 50)), "loss": list(losses)}


def test_plot_adding_and_forget_bias():
    hist = {T: {c: _history([0.2, 0.1, 0.01]) for c in ("rnn", "lstm", "gru")} for T in (5, 10)}
    fig = pg.plot_adding(hist, baseline=1 / 6, solved=0.005)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 3 + 2  # three cells, baseline, threshold
    with pytest.raises(ValueError):
        pg.plot_adding({}, baseline=1 / 6)
    sens = {"a": np.logspace(-9, 0, 20), "b": np.zeros(20)}
    fig = pg.plot_forget_bias(sens, {"a": _history([0.2, 0.1])}, baseline=1 / 6,
                              colours={"a": "#000000"})
    assert len(fig.axes) == 2


def test_plot_path_gains():
    fig = pg.plot_path_gains(np.arange(5), {"x": np.ones(5), "y": np.zeros(5)}, title="t")
    assert isinstance(fig, Figure)


def test_plot_gate_trace_and_memory_frame():
    x, _ = tg.adding_problem(1, 12, seed=0)
    rng = np.random.default_rng(0)
    trace = {k: rng.uniform(size=(12, 4)) for k in ("f", "i", "o", "s")}
    fig = pg.plot_gate_trace(x[0], trace, gates=("f", "i", "o"), lines="s", units=[0, 3],
                             labels={"f": "forget"}, title="demo")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5 + 1  # inputs, three gates, lines, colour bar
    fig = pg.plot_memory_frame(x[0], trace["f"], trace["s"], units=[1], prediction=0.8,
                               target=1.0, shift=-1.5)
    assert "−1.5" in fig._suptitle.get_text() and "−0.20" in fig._suptitle.get_text()


def test_plot_counting():
    ns = np.arange(1, 11)
    acc = {"lstm": ns <= 7, "gru": ns <= 4}
    states = {c: {3: np.linspace(0, 1, 7), 5: np.linspace(0, 1, 11)} for c in acc}
    fig = pg.plot_counting(ns, acc, 4, states)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
