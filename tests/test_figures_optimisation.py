"""textbook_rnn.figures.optimisation: what each figure of chapter 9 draws, read back from it.

The clipped vectors, turn angles and smoothed losses drawn come from the core
(``clipping.clip_vectors``, ``clipping.turn_angle``, ``clip_training.moving_average``),
tested in test_clipping.py and test_clip_training.py. :data:`CASES` is also read by
test_figures_style.py (style, text size, overlaps).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from figure_checks import all_text, labelled_lines, legend_labels  # noqa: E402
from textbook_rnn import cliff, clip_training, clipping  # noqa: E402
from textbook_rnn.figures import optimisation as po  # noqa: E402

W = np.linspace(0.9, 2.2, 40)
B = np.linspace(-0.4, 0.7, 30)
SURFACE = cliff.loss_surface(W, B)


def test_cliff_surface_figure():
    cuts = {"$T = 10$": (B, SURFACE[:, 5], SURFACE[:, 6])}
    fig = po.plot_cliff_surface(W, B, SURFACE, cut_w=1.8, cuts=cuts, target=-0.6)
    assert len(fig.axes) == 4  # map, colour bar, two cuts
    assert "a cut across the cliff" in all_text(fig)
    with pytest.raises(ValueError, match="loss must have shape"):
        po.plot_cliff_surface(W, B, SURFACE.T, cut_w=1.8, cuts=cuts, target=-0.6)
    with pytest.raises(TypeError, match="cuts"):
        po.plot_cliff_surface(W, B, SURFACE, cut_w=1.8, cuts={}, target=-0.6)


def test_descent_figure_marks_a_run_thrown_out_of_the_frame():
    plain = cliff.descend((1.8, 0.0), lr=0.2, steps=30)
    clipped = cliff.descend((1.8, 0.0), lr=0.2, steps=30, clip=1.0)
    fig = po.plot_descent(W, B, SURFACE, {"no clipping": [plain], "clipped": clipped})
    assert len(fig.axes) == 4
    words = all_text(fig)
    assert "thrown to" in words and f"({plain.params[-1, 0]:.1f}" in words
    one = po.plot_descent(W, B, SURFACE, {"clipped": clipped}, figsize=(4, 4))
    assert "thrown to" not in all_text(one)
    with pytest.raises(TypeError, match="Trajectory"):
        po.plot_descent(W, B, SURFACE, {"bad": [np.zeros((3, 2))]})


def fake_runs(diverged):
    losses = np.linspace(1.0, 0.1, 50)
    norms = np.linspace(5.0, 0.5, 50)
    if diverged is not None:
        losses[diverged:] = np.nan
        norms[diverged:] = np.nan
    return {"losses": losses, "grad_norms": norms, "diverged_at": diverged}


def test_training_figure():
    runs = {"plain": [fake_runs(None), fake_runs(7)], "clipped": [fake_runs(None)] * 2}
    sweep = {"plain": {0.1: [0.05, np.nan], 0.3: [np.nan, np.nan]},
             "clipped": {0.1: [0.04, 0.06], 0.3: [0.08, 30.0]}}
    fig = po.plot_clip_training(runs, sweep, lr=0.3, threshold=3.0, baseline=1 / 6)
    assert len(fig.axes) == 3
    assert "diverged" in all_text(fig)
    with pytest.raises(ValueError, match="clipped"):
        po.plot_clip_training({"plain": []}, sweep, lr=0.3, threshold=3.0, baseline=0.2)


def test_flow_figure():
    d = {"a": np.geomspace(1e-6, 1, 10), "b": np.ones(10)}
    r = {"a": np.full(10, 0.3), "b": np.ones(10)}
    assert len(po.plot_flow(d, r).axes) == 2
    fig = po.plot_flow(d, r, omega=(np.linspace(0.5, 2, 5), np.arange(5.0), {"a": 0.5}))
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="same labels"):
        po.plot_flow(d, {"a": r["a"]})


EXAMPLES = np.array([[3.0, 0.5], [1.0, 2.6], [-2.2, 2.0], [0.5, 0.4], [-2.6, -0.7], [0.8, -3.0]])
DIRECTIONS = np.linspace(0.0, 90.0, 91)


def _geometry(G=EXAMPLES, sizes=(1.5, 3.0, 30.0)):
    clipped = {mode: clipping.clip_vectors(G, 1.0, mode) for mode in ("norm", "elementwise")}
    unit = np.c_[np.cos(np.radians(DIRECTIONS)), np.sin(np.radians(DIRECTIONS))]
    turns = {s: clipping.turn_angle(s * unit, clipping.clip_vectors(s * unit, 1.0, "elementwise"))
             for s in sizes}
    return G, clipped, 1.0, DIRECTIONS, turns


def test_clipping_geometry_draws_each_gradient_and_its_clipped_version():
    G, clipped, v, directions, turns = _geometry()
    fig = po.plot_clipping_geometry(G, clipped, v, directions, turns)
    a1, a2, a3 = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["norm clipping", "element-wise clipping",
                                                   "element-wise: the turn"]
    for ax, mode in ((a1, "norm"), (a2, "elementwise")):
        arrows = [t for t in ax.texts if type(t).__name__ == "Annotation"]
        assert len(arrows) == 2 * len(G)  # the gradient and its clipped version
        tips = np.array([arrow.xy for arrow in arrows[1::2]])
        np.testing.assert_allclose(tips, clipped[mode])
    assert type(a1.patches[0]).__name__ == "Circle" and type(a2.patches[0]).__name__ == "Rectangle"
    assert labelled_lines(a3) == [r"$\|g\| = 1.5\,v$", r"$\|g\| = 3\,v$", r"$\|g\| = 30\,v$",
                                  "norm clipping"]
    np.testing.assert_allclose(a3.lines[2].get_ydata(), turns[30.0])


def test_clipping_geometry_validates():
    G, clipped, v, directions, turns = _geometry()
    with pytest.raises(ValueError, match="two columns"):
        po.plot_clipping_geometry(np.ones((2, 3)), clipped, v, directions, turns)
    with pytest.raises(TypeError, match="clipped"):
        po.plot_clipping_geometry(G, {"norm": G}, v, directions, turns)
    with pytest.raises(ValueError, match="shape of G"):
        po.plot_clipping_geometry(G, {"norm": G[:2], "elementwise": G}, v, directions, turns)
    with pytest.raises(TypeError, match="turns"):
        po.plot_clipping_geometry(G, clipped, v, directions, {})


def _runs():
    runs = {"plain": [fake_runs(None), fake_runs(7)], "clipped": [fake_runs(None)] * 2}
    return {key: [{**run, "losses": clip_training.moving_average(run["losses"], 5)}
                  for run in group] for key, group in runs.items()}


SWEEP = {"plain": {0.1: [0.05, np.nan], 0.3: [np.nan, np.nan]},
         "clipped": {0.1: [0.04, 0.06], 0.3: [0.08, 30.0]}}


def test_training_draws_curves_norms_and_every_seed():
    fig = po.plot_clip_training(_runs(), SWEEP, lr=0.3, threshold=3.0, baseline=1 / 6)
    a1, a2, a3 = fig.axes
    assert legend_labels(a1) == ["no clipping", "norm clipping, $v = 3$", "predict the mean"]
    crosses = [line for line in a1.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == 8  # diverged at step index 7
    assert len([line for line in a2.lines if line.get_label().startswith("_child")]) >= 4
    finite, diverged = a3.lines[0], a3.lines[1]  # "plain": dots, then crosses in the band
    assert len(finite.get_xdata()) == 1 and len(diverged.get_xdata()) == 3
    assert [t.get_text() for t in a3.get_xticklabels()] == ["0.1", "0.3"]
    assert "diverged" in all_text(fig) and "threshold $v$" in all_text(fig)


CASES = {
    "cliff_surface": lambda: po.plot_cliff_surface(
        W, B, SURFACE, cut_w=1.8, cuts={"$T = 10$": (B, SURFACE[:, 5], SURFACE[:, 6]),
                                        "$T = 20$": (B, SURFACE[:, 7], SURFACE[:, 8])},
        target=-0.6),
    "descent": lambda: po.plot_descent(
        W, B, SURFACE, {"no clipping": cliff.descend((1.8, 0.0), lr=0.2, steps=30),
                        "norm clipping, $v = 1$": cliff.descend((1.8, 0.0), lr=0.2, steps=30,
                                                                clip=1.0),
                        "element-wise": cliff.descend((1.8, 0.0), lr=0.2, steps=30, clip=1.0,
                                                      mode="elementwise")}),
    "clipping_geometry": lambda: po.plot_clipping_geometry(*_geometry()),
    "clip_training": lambda: po.plot_clip_training(_runs(), SWEEP, lr=0.3, threshold=3.0,
                                                   baseline=1 / 6),
    "flow": lambda: po.plot_flow(
        {"scale 0.5": np.geomspace(1e-6, 1, 30), "scale 1.0": np.ones(30)},
        {"scale 0.5": np.full(30, 0.6), "scale 1.0": np.ones(30)},
        omega=(np.linspace(0.5, 2, 16), np.linspace(3, 0, 16), {"scale 0.5": 0.5})),
}
FRAMES: set[str] = set()

