"""Tests for textbook_rnn.figures.recurrence (and the time-delay network in textbook_rnn.tdn).

The computing functions are checked against the package's reference code and
against facts that hold exactly (causality, receptive fields, the contraction
bound); the drawing functions must return figures, validate their arguments,
and draw the same PNG bytes twice.
"""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import rnn, tdn, widgets  # noqa: E402
from textbook_rnn.figures import recurrence as plots  # noqa: E402
from textbook_rnn.figures import style  # noqa: E402

# --- helpers -------------------------------------------------------------------------------


def png(fig) -> bytes:
    return widgets.figure_to_png(fig, dpi=40)


def rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


@pytest.fixture
def small_rnn():
    params = rnn.init_params(D=2, H=5, K=3, seed=11, w_scale=0.8)
    x = np.random.default_rng(5).normal(size=(1, 12, 2))
    return params, x


# --- the style --------------------------------------------------------------------------------


def test_palette_is_okabe_ito_and_roles_use_it():
    assert len(set(style.PALETTE.values())) == 8
    assert set(style.ROLE_COLOURS.values()) <= set(style.PALETTE.values())


def test_use_book_style_sets_rcparams():
    with matplotlib.rc_context():
        style.use_book_style()
        assert matplotlib.rcParams["font.size"] == style.STYLE["font.size"]
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert colours[0].lower() == style.PALETTE["blue"].lower()


def test_figures_do_not_depend_on_global_rcparams():
    first = png(plots.draw_io_patterns())
    with matplotlib.rc_context({"font.size": 30, "lines.linewidth": 9}):
        second = png(plots.draw_io_patterns())
    assert first == second


# --- drawings of graphs -----------------------------------------------------------------------


@pytest.mark.parametrize("draw", [plots.draw_unfolded, plots.draw_families, plots.draw_io_patterns])
def test_drawings_return_figures_and_are_deterministic(draw):
    fig = draw()
    assert isinstance(fig, Figure)
    assert png(fig) == png(draw())


@pytest.mark.parametrize("steps", [1, 2, 3, 6])
def test_draw_unfolded_step_names(steps):
    fig = plots.draw_unfolded(steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(r"\boldsymbol{h}_{" in t for t in texts) == steps
    assert any(r"\boldsymbol{h}_{t}" in t for t in texts)


@pytest.mark.parametrize("steps, error", [(0, ValueError), (7, ValueError), (2.5, TypeError)])
def test_draw_unfolded_validates_steps(steps, error):
    with pytest.raises(error, match="steps"):
        plots.draw_unfolded(steps)


def test_families_has_four_panels_and_patterns_five_titles():
    assert len(plots.draw_families().axes) == 4
    texts = [t.get_text() for t in plots.draw_io_patterns().axes[0].texts]
    for title in ("one to one", "one to many", "many to one", "many to many",
                  "many to many,\nsynced"):
        assert title in texts


# --- the state as a dynamical system ----------------------------------------------------------


def test_state_trajectories_match_rnn_forward(small_rnn):
    params, x = small_rnn
    h0 = np.random.default_rng(0).normal(size=(1, 5)) * 0.3
    traj = plots.state_trajectories(params["W"], h0, 12, U=params["U"], b=params["b"], x=x)
    h, _ = rnn.rnn_forward(x, h0, params["U"], params["W"], params["b"])
    assert traj.shape == (1, 13, 5)
    np.testing.assert_array_equal(traj[:, 0], h0)
    # 12 steps of sums of ~7 terms, possibly grouped differently by another BLAS: a few
    # ulps a step, carried along; 1e-15 (~5 ulps) was below what rounding guarantees
    np.testing.assert_allclose(traj[:, 1:], h, rtol=0, atol=1e-13)


def test_autonomous_trajectory_is_iterated_tanh():
    W = 0.9 * rotation(0.4)
    h0 = np.array([[0.5, -0.2], [0.0, 0.9]])
    traj = plots.state_trajectories(W, h0, 6)
    h = h0
    for t in range(1, 7):
        h = np.tanh(h @ W.T)
        # an ulp of tanh or of the 2-term product per step, over 6 steps (‖W‖ = 0.9)
        np.testing.assert_allclose(traj[:, t], h, rtol=0, atol=1e-14)


def test_contractive_rotation_shrinks_at_least_at_rate_rho():
    rho = 0.7
    h0 = np.array([[0.9, 0.1]])
    norms = np.linalg.norm(plots.state_trajectories(rho * rotation(0.3), h0, 30)[0], axis=1)
    assert np.all(norms[1:] <= rho * norms[:-1] + 1e-15)


def test_expanding_rotation_settles_away_from_zero():
    h0 = np.array([[0.01, 0.0], [0.0, 0.95]])
    norms = np.linalg.norm(plots.state_trajectories(1.5 * rotation(np.pi / 8), h0, 200), axis=2)
    assert np.all(norms[:, -20:] > 0.5)
    assert np.all(norms <= np.sqrt(2))  # tanh keeps every unit in (-1, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"W": np.eye(2), "h0": np.zeros((3, 3)), "T": 4}, "h0"),
    ({"W": np.ones((2, 3)), "h0": np.zeros((1, 2)), "T": 4}, "W"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 0}, "T"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "U": np.ones((2, 1))}, "U was given"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "x": np.ones((1, 3, 1))}, "x was given"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "x": np.ones((1, 4, 1)),
      "U": np.ones((2, 1))}, "T=3"),
])
def test_state_trajectories_validates(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        plots.state_trajectories(**kwargs)


def test_plot_phase_portrait():
    traj = plots.state_trajectories(1.2 * rotation(0.4), np.array([[0.5, 0.5], [-0.3, 0.1]]), 20)
    fig = plots.plot_phase_portrait(traj, title="x", rate=1.2)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert png(fig) == png(plots.plot_phase_portrait(traj, title="x", rate=1.2))
    with pytest.raises(ValueError, match="two hidden units"):
        plots.plot_phase_portrait(np.zeros((2, 5, 1)))
    with pytest.raises(ValueError, match="rate"):
        plots.plot_phase_portrait(traj, rate=-1.0)
    with pytest.raises(ValueError, match="floor"):
        plots.plot_phase_portrait(traj, floor=0.0)


def test_phase_portrait_frames_work_with_the_widget():
    def draw(rho):
        traj = plots.state_trajectories(rho * rotation(0.4), np.array([[0.5, 0.5]]), 10)
        return plots.plot_phase_portrait(traj, rate=rho)

    frames = widgets.render_frames(draw, [0.5, 1.5], dpi=30)
    assert len(frames) == 2 and all(f.startswith(b"\x89PNG") for f in frames)
    assert frames[0] != frames[1]


# --- forgetting -------------------------------------------------------------------------------


def test_state_gap_matches_two_forward_passes(small_rnn):
    params, x = small_rnn
    x_b = x.copy()
    x_b[:, :3] += 1.0
    gap = plots.state_gap(params, x, x_b)
    h_a, _ = rnn.rnn_sequence(x, params)
    h_b, _ = rnn.rnn_sequence(x_b, params)
    assert gap.shape == (1, 12)
    # the same forward passes unless the figure code groups its sums differently: allow
    # the rounding of 12 steps, as for the trajectories above
    np.testing.assert_allclose(gap, np.linalg.norm(h_a - h_b, axis=2), rtol=0, atol=1e-13)


def test_state_gap_obeys_the_contraction_bound(small_rnn):
    params, x = small_rnn
    params = {**params, "W": 0.9 * params["W"] / np.linalg.norm(params["W"], ord=2)}
    x_b = x.copy()
    x_b[:, :4] = -x[:, :4]
    gap = plots.state_gap(params, x, x_b)[0]
    norm_w = np.linalg.norm(params["W"], ord=2)
    assert norm_w == pytest.approx(0.9)
    # Once the inputs agree (from step 5 on), each step shrinks the gap by at least ||W||_2.
    assert np.all(gap[4:] <= norm_w * gap[3:-1] + 1e-15)


def test_state_gap_is_zero_for_identical_histories(small_rnn):
    params, x = small_rnn
    np.testing.assert_array_equal(plots.state_gap(params, x, x.copy()), 0.0)


def test_state_gap_validates(small_rnn):
    params, x = small_rnn
    with pytest.raises(TypeError, match="params"):
        plots.state_gap([1, 2], x, x)
    with pytest.raises(ValueError, match="missing W"):
        plots.state_gap({"U": params["U"], "b": params["b"]}, x, x)
    with pytest.raises(ValueError, match="x_b"):
        plots.state_gap(params, x, x[:, :5])


def test_plot_state_gap():
    gaps = {"a": np.geomspace(1, 1e-12, 20), "b": np.r_[np.ones(10), np.zeros(10)]}
    fig = plots.plot_state_gap(gaps, changed_until=3, title="t")
    assert isinstance(fig, Figure)
    assert png(fig) == png(plots.plot_state_gap(gaps, changed_until=3, title="t"))
    with pytest.raises(TypeError, match="gaps"):
        plots.plot_state_gap({})
    with pytest.raises(ValueError, match="one-dimensional"):
        plots.plot_state_gap({"a": np.ones((2, 3))})


# --- sensitivity and the time-delay network ---------------------------------------------------


def test_sensitivity_of_a_linear_map_is_exact():
    # z_t = 2 x_t + 3 x_{t-1}: the Jacobian is known.
    def forward(x):
        shifted = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
        return 2 * x + 3 * shifted

    S = plots.sensitivity(forward, np.zeros((1, 6, 1)))
    expected = 2 * np.eye(6) + 3 * np.eye(6, k=-1)
    np.testing.assert_allclose(S, expected, rtol=1e-9, atol=1e-9)


def test_sensitivity_of_rnn_is_causal_and_sees_everything(small_rnn):
    params, x = small_rnn

    def forward(x):
        return rnn.rnn_sequence(x, params)[0]

    S = plots.sensitivity(forward, x)
    assert S.shape == (12, 12)
    assert np.all(np.triu(S, k=1) == 0)      # no output depends on a later input
    assert np.all(S[np.tril_indices(12)] > 0)  # every output depends on every earlier input


def test_sensitivity_matches_the_exact_rnn_jacobian_at_one_step(small_rnn):
    params, x = small_rnn
    S = plots.sensitivity(lambda x: rnn.rnn_sequence(x, params)[0], x)
    h, _ = rnn.rnn_sequence(x, params)
    # dh_1/dx_1 = diag(1 - h_1^2) U
    exact = np.linalg.norm((1 - h[0, 0] ** 2)[:, None] * params["U"])
    assert S[0, 0] == pytest.approx(exact, rel=1e-8)


@pytest.mark.parametrize("layers, width", [(1, 1), (1, 4), (2, 3), (3, 2)])
def test_tdn_receptive_field_is_exact(layers, width):
    params = tdn.init_tdn(D=2, H=3, layers=layers, width=width, seed=1)
    x = np.random.default_rng(3).normal(size=(1, 15, 2))
    S = plots.sensitivity(lambda x: tdn.tdn_forward(x, params), x)
    r = tdn.receptive_field(layers, width)
    assert r == layers * (width - 1) + 1
    for t in range(15):
        seen = np.flatnonzero(S[t] > 0)
        assert seen.tolist() == list(range(max(0, t - r + 1), t + 1))


def test_tdn_layer_matches_a_loop_over_time():
    rng = np.random.default_rng(8)
    z = rng.normal(size=(2, 7, 3))
    kernel = rng.normal(size=(4, 3, 3))
    b = rng.normal(size=4)
    out = tdn.tdn_layer(z, kernel, b)
    for t in range(7):
        a = b.copy()
        for j in range(3):
            if t - j >= 0:
                a = a + z[:, t - j] @ kernel[:, j].T
        # one einsum against 3 matrix products: 10 terms of size up to ~3 each, summed in
        # another order, differ by up to ~10·3·2.2e-16 ≈ 7e-15 before tanh: allow 5e-14
        np.testing.assert_allclose(out[:, t], np.tanh(a), rtol=0, atol=5e-14)


def test_tdn_validates():
    with pytest.raises(ValueError, match="kernel"):
        tdn.tdn_layer(np.zeros((1, 4, 3)), np.zeros((2, 2, 5)), np.zeros(2))
    with pytest.raises(TypeError, match="params"):
        tdn.tdn_forward(np.zeros((1, 4, 3)), [])
    with pytest.raises(ValueError, match="params\\[0\\]"):
        tdn.tdn_forward(np.zeros((1, 4, 3)), [{"kernel": np.zeros((2, 2, 3))}])
    with pytest.raises(ValueError, match="layers"):
        tdn.receptive_field(0, 3)
    with pytest.raises(TypeError, match="width"):
        tdn.init_tdn(1, 2, 1, 2.0)


def test_sensitivity_validates():
    with pytest.raises(TypeError, match="callable"):
        plots.sensitivity(3, np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="x"):
        plots.sensitivity(lambda x: x, np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="eps"):
        plots.sensitivity(lambda x: x, np.zeros((1, 4, 1)), eps=0)
    with pytest.raises(ValueError, match=r"\(1, 4, H\)"):
        plots.sensitivity(lambda x: x[:, :2], np.zeros((1, 4, 1)))


def test_plot_sensitivity():
    S = np.tril(np.ones((5, 5)))
    fig = plots.plot_sensitivity({"a": S, "b": 0.1 * S})
    assert isinstance(fig, Figure)
    assert png(fig) == png(plots.plot_sensitivity({"a": S, "b": 0.1 * S}))
    with pytest.raises(ValueError, match="square"):
        plots.plot_sensitivity({"a": np.ones((2, 3))})
    with pytest.raises(ValueError, match="low"):
        plots.plot_sensitivity({"a": S}, low=1.0, high=0.5)
    with pytest.raises(TypeError, match="panels"):
        plots.plot_sensitivity({})


# --- cost -------------------------------------------------------------------------------------


def test_plot_cost():
    tau = [10, 20, 30]
    fig = plots.plot_cost(tau, {"rnn": [1, 2, 3]}, {"rnn": tau, "tdn": [3, 3, 3]})
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert png(fig) == png(plots.plot_cost(tau, {"rnn": [1, 2, 3]}, {"rnn": tau, "tdn": [3, 3, 3]}))
    with pytest.raises(ValueError, match="one value per"):
        plots.plot_cost(tau, {"rnn": [1, 2]}, {"rnn": tau})
    with pytest.raises(ValueError, match="tau"):
        plots.plot_cost([10], {"rnn": [1]}, {"rnn": [1]})
    with pytest.raises(TypeError, match="mappings"):
        plots.plot_cost(tau, {}, {"rnn": tau})


def test_stored_states_grow_linearly_with_length():
    # The memory the chapter plots: the arrays rnn_forward keeps for the backward pass.
    params = rnn.init_params(3, 4, 2, seed=0)
    sizes = []
    for T in (5, 10, 20):
        _, (x, h0, h, *_) = rnn.rnn_forward(np.zeros((2, T, 3)), np.zeros((2, 4)),
                                            params["U"], params["W"], params["b"])
        sizes.append(x.nbytes + h0.nbytes + h.nbytes)
    assert sizes == [8 * (2 * T * 3 + 2 * 4 + 2 * T * 4) for T in (5, 10, 20)]
