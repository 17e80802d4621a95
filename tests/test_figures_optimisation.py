"""The figures of the optimisation chapter (textbook_rnn.figures.optimisation)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import cliff  # noqa: E402
from textbook_rnn.figures import optimisation as po  # noqa: E402

W = np.linspace(0.9, 2.2, 40)
B = np.linspace(-0.4, 0.7, 30)
SURFACE = cliff.loss_surface(W, B)


def texts(fig):
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts] + [ax.get_title()]
    return " | ".join(found)


def test_clip_vectors_norm_keeps_direction_and_bounds_length():
    G = np.array([[3.0, 4.0], [0.3, 0.4], [-10.0, 1.0], [0.0, 0.0]])
    C = po.clip_vectors(G, 1.0, "norm")
    np.testing.assert_allclose(C[0], [0.6, 0.8])
    np.testing.assert_array_equal(C[1], G[1])  # short gradients are left alone
    np.testing.assert_array_equal(C[3], [0.0, 0.0])
    assert np.all(np.linalg.norm(C, axis=1) <= 1.0 + 1e-12)
    np.testing.assert_allclose(po.turn_angle(G[:3], C[:3]), 0.0, atol=1e-6)


def test_clip_vectors_elementwise_turns_the_step():
    G = np.array([[10.0, 1.0], [4.0, 4.0], [0.5, -0.2]])
    C = po.clip_vectors(G, 1.0, "elementwise")
    np.testing.assert_array_equal(C, [[1.0, 1.0], [1.0, 1.0], [0.5, -0.2]])
    angles = po.turn_angle(G, C)
    assert angles[0] == pytest.approx(np.degrees(np.pi / 4 - np.arctan(0.1)), rel=1e-12)
    assert angles[1] == pytest.approx(0.0, abs=1e-6) and angles[2] == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(po.turn_angle(np.zeros((1, 2)), np.zeros((1, 2))))[0]
    with pytest.raises(ValueError, match="mode"):
        po.clip_vectors(G, 1.0, "max")
    with pytest.raises(ValueError, match="threshold"):
        po.clip_vectors(G, 0.0, "norm")


def test_moving_average():
    x = np.array([1.0, 3.0, 5.0, np.nan, np.nan])
    out = po.moving_average(x, 2)
    np.testing.assert_allclose(out[:3], [1.0, 2.0, 4.0])
    assert np.isnan(out[3:]).all()
    np.testing.assert_allclose(po.moving_average(np.arange(5.0), 1), np.arange(5.0))
    with pytest.raises(ValueError, match="window"):
        po.moving_average(x, 0)


def test_cliff_surface_figure():
    cuts = {"$T = 10$": (B, SURFACE[:, 5], SURFACE[:, 6])}
    fig = po.plot_cliff_surface(W, B, SURFACE, cut_w=1.8, cuts=cuts, target=-0.6)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4  # map, colour bar, two cuts
    assert "a cut across the cliff" in texts(fig)
    with pytest.raises(ValueError, match="loss must have shape"):
        po.plot_cliff_surface(W, B, SURFACE.T, cut_w=1.8, cuts=cuts, target=-0.6)
    with pytest.raises(TypeError, match="cuts"):
        po.plot_cliff_surface(W, B, SURFACE, cut_w=1.8, cuts={}, target=-0.6)


def test_descent_figure_marks_a_run_thrown_out_of_the_frame():
    plain = cliff.descend((1.8, 0.0), lr=0.2, steps=30)
    clipped = cliff.descend((1.8, 0.0), lr=0.2, steps=30, clip=1.0)
    fig = po.plot_descent(W, B, SURFACE, {"no clipping": [plain], "clipped": clipped})
    assert len(fig.axes) == 4
    words = texts(fig)
    assert "thrown to" in words and f"({plain.params[-1, 0]:.1f}" in words
    one = po.plot_descent(W, B, SURFACE, {"clipped": clipped}, figsize=(4, 4))
    assert "thrown to" not in texts(one)
    with pytest.raises(TypeError, match="Trajectory"):
        po.plot_descent(W, B, SURFACE, {"bad": [np.zeros((3, 2))]})


def test_clipping_geometry_figure():
    fig = po.plot_clipping_geometry(np.array([[3.0, 0.5], [-1.0, 2.0]]), 1.0)
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="two columns"):
        po.plot_clipping_geometry(np.ones((2, 3)), 1.0)


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
    assert "diverged" in texts(fig)
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


def test_figures_are_not_registered_with_pyplot():
    plt.close("all")
    po.plot_clipping_geometry(np.array([[3.0, 0.5]]), 1.0)
    po.plot_descent(W, B, SURFACE, {"x": cliff.descend((1.2, 0.0), lr=0.1, steps=3)})
    assert plt.get_fignums() == []
