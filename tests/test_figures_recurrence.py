"""textbook_rnn.figures.recurrence: what each figure of chapter 1 draws, read back from it.

The arrays drawn here come from the numpy core (``rnn.state_trajectories``,
``rnn.state_gap``, ``tdn.sensitivity``), whose values are tested in
test_rnn.py and test_tdn.py. :data:`CASES` is also read by
test_figures_style.py, which checks every figure's text size and overlaps.
"""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from figure_checks import all_text, labelled_lines, legend_labels  # noqa: E402
from textbook_rnn import rnn, tdn, widgets  # noqa: E402
from textbook_rnn.figures import recurrence as plots  # noqa: E402


def rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def _traj(rho=1.2, starts=2, T=20):
    h0 = np.array([[0.5, 0.5], [-0.3, 0.1], [0.9, -0.2]])[:starts]
    return rnn.state_trajectories(rho * rotation(0.4), h0, T)


def _gaps():
    params = rnn.init_params(D=2, H=8, K=1, seed=0, w_scale=0.5)
    x = np.random.default_rng(1).normal(size=(1, 30, 2))
    x_b = x.copy()
    x_b[:, :5] = 0.0
    return {"scale 0.5": rnn.state_gap(params, x, x_b)[0],
            "scale 2.0": np.r_[np.ones(15), np.zeros(15)]}


def _sensitivities():
    x = np.random.default_rng(2).normal(size=(1, 10, 1))
    tdn_params = tdn.init_tdn(D=1, H=4, layers=2, width=3, seed=3)
    rnn_params = rnn.init_params(D=1, H=4, K=1, seed=3, w_scale=0.9)
    return {"time-delay network, M=2, k=3": tdn.sensitivity(
                lambda z: tdn.tdn_forward(z, tdn_params), x),
            "recurrent network": tdn.sensitivity(
                lambda z: rnn.rnn_sequence(z, rnn_params)[0], x)}


TAU = [10, 20, 40, 80]
MEMORY = {"recurrent network": [2.0, 4.0, 8.0, 16.0], "time-delay network": [3, 6, 12, 24]}
DEPTH = {"recurrent network": TAU, "time-delay network": [2, 2, 2, 2]}

CASES = {
    "unfolded": lambda: plots.draw_unfolded(steps=3),
    "unfolded_6": lambda: plots.draw_unfolded(steps=6),
    "families": plots.draw_families,
    "io_patterns": plots.draw_io_patterns,
    "phase_portrait": lambda: plots.plot_phase_portrait(_traj(), title=r"$\rho = 1.200$",
                                                        rate=1.2),
    "state_gap": lambda: plots.plot_state_gap(
        _gaps(), changed_until=5, title="How long does a difference in the past survive?"),
    "sensitivity": lambda: plots.plot_sensitivity(_sensitivities(), low=1e-5),
    "cost": lambda: plots.plot_cost(TAU, MEMORY, DEPTH),
}
"""Every drawing function of the module, with inputs like the chapter's."""

FRAMES = {"phase_portrait"}
"""Cases drawn as widget frames (stretched to the column, not cropped)."""


# --- graphs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [1, 2, 3, 6])
def test_draw_unfolded_draws_one_state_per_step(steps):
    fig = plots.draw_unfolded(steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(r"\boldsymbol{h}_{" in t for t in texts) == steps
    assert any(r"\boldsymbol{h}_{t}" in t for t in texts)
    assert texts.count("$f$") == steps + 1  # the same f on every link, the ends included
    # folded node (2 circles: fill and rim) + per step x and h + the two dashed ends
    assert len(fig.axes[0].patches) >= 2 * (2 + 2 * steps + 2)
    assert not fig.axes[0].axison


@pytest.mark.parametrize("steps, error", [(0, ValueError), (7, ValueError), (2.5, TypeError)])
def test_draw_unfolded_validates_steps(steps, error):
    with pytest.raises(error, match="steps"):
        plots.draw_unfolded(steps)


def test_families_draw_four_labelled_panels():
    fig = plots.draw_families()
    assert len(fig.axes) == 4
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert [t[:3] for t in titles] == ["(a)", "(b)", "(c)", "(d)"]
    losses = [sum(t.get_text().startswith("$L_") for t in ax.texts) for ax in fig.axes]
    assert losses == [3, 3, 1, 3]  # (c) has one output, at the end
    assert "comparing o with its target y" in all_text(fig)


def test_io_patterns_draw_five_patterns_and_a_three_entry_legend():
    fig = plots.draw_io_patterns()
    texts = [t.get_text() for t in fig.axes[0].texts]
    for title in ("one to one", "one to many", "many to one", "many to many",
                  "many to many,\nsynced"):
        assert title in texts
    assert legend_labels(fig) == ["input", "hidden state", "output"]
    # boxes: 1+1+1, 3+1+3, 3+3+1, 5+3+2, 3+3+3 (hidden, input, output)
    assert len(fig.axes[0].patches) == 3 + 7 + 7 + 10 + 9


# --- the state as a dynamical system ----------------------------------------------------------


def test_phase_portrait_draws_each_start_and_the_linear_rate():
    traj = _traj(rho=1.2, starts=3)
    fig = plots.plot_phase_portrait(traj, title="x", rate=1.2)
    left, right = fig.axes
    # per start: a path and a start dot on the left, its norm on the right; + the origin mark
    assert len(left.lines) == 2 * 3 + 1
    assert len(right.lines) == 3 + 1
    assert left.get_xlabel() == "$h_{t,1}$" and right.get_yscale() == "log"
    assert labelled_lines(right) == [r"linear: $\rho^t\,\|\boldsymbol{h}_0\|$, $\rho=1.2$"]
    np.testing.assert_allclose(left.lines[0].get_xdata(), traj[0, :, 0])
    np.testing.assert_allclose(right.lines[0].get_ydata(), np.linalg.norm(traj[0], axis=1))
    assert fig._suptitle.get_text() == "x"


def test_phase_portrait_validates():
    traj = _traj()
    with pytest.raises(ValueError, match="two hidden units"):
        plots.plot_phase_portrait(np.zeros((2, 5, 1)))
    with pytest.raises(ValueError, match="rate"):
        plots.plot_phase_portrait(traj, rate=-1.0)
    with pytest.raises(ValueError, match="floor"):
        plots.plot_phase_portrait(traj, floor=0.0)


def test_phase_portrait_frames_differ_with_the_rate():
    def draw(rho):
        return plots.plot_phase_portrait(_traj(rho, starts=1, T=10), rate=rho)

    frames = widgets.render_frames(draw, [0.5, 1.5], dpi=30)
    assert len(frames) == 2 and all(f.startswith(b"\x89PNG") for f in frames)
    assert frames[0] != frames[1]


def test_state_gap_draws_one_line_per_setting_above_the_floor():
    gaps = _gaps()
    fig = plots.plot_state_gap(gaps, changed_until=5, floor=1e-16, title="t")
    ax = fig.axes[0]
    assert labelled_lines(ax) == list(gaps)
    assert legend_labels(fig) == list(gaps)
    low, high = ax.get_ylim()
    assert low == 1e-16 and ax.get_yscale() == "log"
    assert min(line.get_ydata().min() for line in ax.lines) >= 1e-16  # zeros drawn at the floor
    assert "histories\ndiffer" in all_text(fig)
    assert ax.get_xlim() == (0.5, 30.5)


def test_state_gap_validates():
    with pytest.raises(TypeError, match="gaps"):
        plots.plot_state_gap({})
    with pytest.raises(ValueError, match="one-dimensional"):
        plots.plot_state_gap({"a": np.ones((2, 3))})


def test_sensitivity_panels_show_the_matrices_on_one_log_scale():
    panels = _sensitivities()
    fig = plots.plot_sensitivity(panels, low=1e-5)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    assert [ax.get_title() for ax in fig.axes[:2]] == list(panels)
    for image, S in zip(images, panels.values(), strict=True):
        shown = image.get_array()
        assert shown.shape == S.shape
        # exact zeros are masked (drawn grey), the rest is log10 of the clipped value
        np.testing.assert_array_equal(np.ma.getmaskarray(shown), S == 0)
        np.testing.assert_allclose(shown[S > 0], np.log10(np.maximum(S[S > 0], 1e-5)))
        assert image.get_clim() == (-5.0, 1.0)
    assert fig.axes[0].get_ylabel() == "output step $t$"


def test_sensitivity_validates():
    S = np.tril(np.ones((5, 5)))
    with pytest.raises(ValueError, match="square"):
        plots.plot_sensitivity({"a": np.ones((2, 3))})
    with pytest.raises(ValueError, match="low"):
        plots.plot_sensitivity({"a": S}, low=1.0, high=0.5)
    with pytest.raises(TypeError, match="panels"):
        plots.plot_sensitivity({})


# --- cost -------------------------------------------------------------------------------------


def test_cost_draws_memory_and_depth_against_tau():
    fig = plots.plot_cost(TAU, MEMORY, DEPTH)
    memory, depth = fig.axes
    assert labelled_lines(memory) == list(MEMORY) and labelled_lines(depth) == list(DEPTH)
    np.testing.assert_array_equal(memory.lines[0].get_xdata(), TAU)
    np.testing.assert_array_equal(depth.lines[1].get_ydata(), DEPTH["time-delay network"])
    assert memory.get_ylabel() == "kilobytes stored"
    assert memory.get_ylim()[0] == 0


def test_cost_validates():
    with pytest.raises(ValueError, match="one value per"):
        plots.plot_cost(TAU, {"rnn": [1, 2]}, {"rnn": TAU})
    with pytest.raises(ValueError, match="tau"):
        plots.plot_cost([10], {"rnn": [1]}, {"rnn": [1]})
    with pytest.raises(TypeError, match="mappings"):
        plots.plot_cost(TAU, {}, {"rnn": TAU})


def test_stored_states_grow_linearly_with_length():
    # The memory the chapter plots: the arrays rnn_forward keeps for the backward pass.
    params = rnn.init_params(3, 4, 2, seed=0)
    sizes = []
    for T in (5, 10, 20):
        _, (x, h0, h, *_) = rnn.rnn_forward(np.zeros((2, T, 3)), np.zeros((2, 4)),
                                            params["U"], params["W"], params["b"])
        sizes.append(x.nbytes + h0.nbytes + h.nbytes)
    assert sizes == [8 * (2 * T * 3 + 2 * 4 + 2 * T * 4) for T in (5, 10, 20)]
