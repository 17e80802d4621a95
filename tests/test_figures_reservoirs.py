"""textbook_rnn.figures.reservoirs: what each figure of chapter 7 draws, read back from it.

:data:`CASES` is also read by test_figures_style.py (style, text size, overlaps).
"""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.colors import to_rgb  # noqa: E402

from figure_checks import all_text, labelled_lines, legend_labels, ydata_range  # noqa: E402
from textbook_rnn import leaky  # noqa: E402
from textbook_rnn.figures import reservoirs as pr  # noqa: E402


def _calls():
    rng = np.random.default_rng(0)
    gaps = {"ρ = 0.5": np.geomspace(1, 1e-20, 30), "ρ = 1.2": np.ones(30)}
    v = rng.normal(size=50)
    u, _ = leaky.leaky_forward(v[None, :, None], np.zeros((1, 1)), 0.8)
    scores = rng.uniform(0.2, 0.5, (5, 3))
    sizes = [25, 50, 100, 200, 400]
    return {
        "esn": lambda: pr.draw_esn(),
        "skip_wiring": lambda: pr.draw_skip_wiring(steps=10, delay=3),
        "echo_state": lambda: pr.plot_echo_state({"weak input": gaps, "strong input": gaps}),
        "narma": lambda: pr.plot_narma(sizes, scores, np.arange(5), np.ones(5),
                                       np.ones(5) * 1.1, label="H = 400"),
        "memory": lambda: pr.plot_memory_capacity(
            sizes, {"random reservoir": [20, 35, 50, 60, 70], "orthogonal": [24, 48, 95, 150, 200]},
            {"random reservoir": np.linspace(1, 0, 60)}, curve_label="H = 100"),
        "memory_frame": lambda: pr.plot_memory_frame(np.linspace(1, 0, 40), rho=0.9, H=20),
        "memory_map": lambda: pr.plot_memory_map(np.linspace(1, 0, 30), **_map_args(0.5, 0.2)),
        "leaky_frame": lambda: pr.plot_leaky_frame(v, u[0, :, 0], alpha=0.8,
                                                   weights=leaky.leaky_impulse_response(0.8, 30),
                                                   step_at=[20]),
        "skip_gradients": lambda: pr.plot_skip_gradients({"a": np.geomspace(1e-12, 1, 20),
                                                          "b": np.zeros(20)}, title="t"),
    }


MAP_RHOS, MAP_SCALINGS = [0.1, 0.5, 0.9, 1.3], [0.05, 0.1, 0.2]


def _map_args(rho, scaling):
    capacity = np.add.outer(np.arange(4.0), 10 * np.arange(3.0))  # (4, 3): 10 j + i
    return {"rho": rho, "scaling": scaling, "H": 20, "rhos": MAP_RHOS,
            "scalings": MAP_SCALINGS, "capacity": capacity, "error": 1 / (1 + capacity)}


def _memory_map(rho, scaling):
    return pr.plot_memory_map(np.linspace(1, 0, 30), **_map_args(rho, scaling))


CASES = _calls()
FRAMES = {"memory_frame", "leaky_frame", "memory_map"}


def test_memory_map_puts_each_grid_value_in_its_cell_and_circles_the_reservoir():
    fig = _memory_map(0.5, 0.2)
    curve, capacity, error = fig.axes[:3]
    assert "MC = 15.0" in [t.get_text() for t in curve.texts]
    mesh = capacity.collections[0]
    values = np.asarray(mesh.get_array()).reshape(len(MAP_SCALINGS), len(MAP_RHOS))
    for i in range(len(MAP_RHOS)):
        for j in range(len(MAP_SCALINGS)):
            assert values[j, i] == 10 * j + i  # row j: input scaling, column i: radius
    np.testing.assert_allclose(np.asarray(error.collections[0].get_array()).ravel(),
                               1 / (1 + values.ravel()))
    for ax in (capacity, error):
        ring = [line for line in ax.lines if line.get_label() == "this reservoir"]
        assert len(ring) == 1 and list(ring[0].get_xydata()[0]) == [0.5, 0.2]
        assert ax.get_yscale() == "log"
    # a reservoir between grid values (a live slider) is circled where it lies
    between = _memory_map(0.7, 0.15)
    ring = [line for line in between.axes[1].lines if line.get_label() == "this reservoir"]
    assert list(ring[0].get_xydata()[0]) == [0.7, 0.15]


def test_memory_map_rejects_a_grid_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"capacity must have shape .*\(4, 3\), got \(3, 4\)"):
        pr.plot_memory_map(np.ones(5), rho=0.5, scaling=0.1, H=5, rhos=MAP_RHOS,
                           scalings=MAP_SCALINGS, capacity=np.ones((3, 4)), error=np.ones((4, 3)))
    with pytest.raises(ValueError, match="increase"):
        pr.plot_memory_map(np.ones(5), rho=0.5, scaling=0.1, H=5, rhos=MAP_RHOS[::-1],
                           scalings=MAP_SCALINGS, capacity=np.ones((4, 3)), error=np.ones((4, 3)))


def test_esn_draws_trained_readout_arrows_in_red():
    fig = pr.draw_esn(n_units=14)
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    red = [p for p in arrows if np.allclose(p.get_edgecolor()[:3], to_rgb(pr.TRAINED))]
    assert len(red) == 14  # one readout weight per unit
    assert "readout $\\boldsymbol{V}$:\ntrained" in all_text(fig)


def test_echo_state_draws_one_panel_per_input_and_shares_the_scale():
    panels = {"weak input": {"a": np.geomspace(1, 1e-20, 30)},
              "strong input": {"a": np.ones(30)}}
    fig = pr.plot_echo_state(panels, floor=1e-16)
    assert [ax.get_title() for ax in fig.axes] == list(panels)
    assert fig.axes[0].get_ylim() == (1e-16, 50.0)
    assert ydata_range(fig.axes[0])[0] == 1e-16  # below the floor drawn at it
    assert legend_labels(fig) == ["a"]


def test_narma_draws_every_reservoir_the_mean_and_the_fit():
    scores = np.array([[0.5, 0.4, 0.45], [0.3, 0.2, 0.25]])
    fig = pr.plot_narma([50, 100], scores, np.arange(4), np.zeros(4), np.ones(4), label="H")
    left, right = fig.axes
    assert len(left.collections) == 3  # one scatter per seed
    np.testing.assert_allclose(left.lines[0].get_ydata(), scores.mean(axis=1))
    assert labelled_lines(right) == ["target $y_t$", r"ESN $\hat{y}_t$"]
    assert right.get_title() == "H"


def test_memory_capacity_draws_the_bound_and_each_kind():
    fig = pr.plot_memory_capacity([10, 20], {"a": [8, 15], "b": [5, 7]},
                                  {"a": np.linspace(1, 0, 30)}, curve_label="H = 20")
    left, right = fig.axes
    assert labelled_lines(left) == ["MC = H (the bound)", "a", "b"]
    assert right.get_ylim() == (0, 1.05) and right.get_title() == "H = 20"


def test_leaky_frame_marks_the_time_constant():
    v = np.zeros(40)
    fig = pr.plot_leaky_frame(v, v, alpha=0.9, weights=leaky.leaky_impulse_response(0.9, 30))
    words = all_text(fig)
    assert "= 10$" in words  # 1 / (1 - 0.9)
    assert "0.90" in fig._suptitle.get_text()


def test_skip_gradients_count_steps_back_from_the_end():
    fig = pr.plot_skip_gradients({"a": np.arange(1.0, 6.0)})
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [4, 3, 2, 1, 0])
    assert legend_labels(fig) == ["a"]


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
