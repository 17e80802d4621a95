"""textbook_rnn.figures.bptt: what each figure of chapter 2 draws, read back from it.

:data:`CASES` is also read by test_figures_style.py (style, text size, overlaps).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from figure_checks import all_text, labelled_lines, legend_labels, ydata_range  # noqa: E402
from textbook_rnn.figures import bptt as pb  # noqa: E402

T = np.arange(1, 21)
NORMS = {"0.50": 0.5 ** T[::-1], "1.00": np.ones(20), "2.00": 2.0 ** T[::-1] / 1e3}
LENGTHS = [25, 50, 100, 200]
SECONDS = {"numpy BPTT": [1e-3, 2e-3, 4e-3, 8e-3], "torch autograd": [2e-3, 3e-3, 5e-3, 9e-3]}
MEGABYTES = {"full BPTT": [1, 2, 4, 8], "truncated, k = 10": [0.4, 0.4, 0.4, 0.4]}
STATES = {("tanh", 1.0): np.ones(20), ("relu", 1.0): 2.0 ** T, ("tanh", 2.0): np.ones(20)}
GRADS = {("tanh", 1.0): 0.5 ** T, ("relu", 1.0): np.full(20, np.inf),
         ("tanh", 2.0): 0.9 ** T}
LINKS = {"full BPTT": np.ones(12), "truncated, k = 4": np.r_[np.zeros(8), np.ones(4)],
         "randomized truncation": np.r_[np.zeros(6), np.ones(3), 1.5 * np.ones(3)]}
CURVES = {"full BPTT": np.geomspace(1, 0.01, 300), "truncated, k = 3": np.full(300, 0.9)}
ACCURACY = {"full BPTT": [1, 1, 1, 0.9], "truncated, k = 3": [1, 1, 0.3, 0.25]}

CASES = {
    "graph": pb.draw_backward_graph,
    "cost": lambda: pb.plot_bptt_cost(LENGTHS, SECONDS, MEGABYTES),
    "norms": lambda: pb.plot_gradient_norms(NORMS, title="a gradient from the last step"),
    "frame": lambda: pb.plot_gradient_frame(NORMS, "1.00", np.full(20, 0.05)),
    "relu": lambda: pb.plot_activation_comparison(STATES, GRADS),
    "links": lambda: pb.plot_link_weights(LINKS),
    "unbiased": lambda: pb.plot_unbiasedness([10, 100, 1000],
                                             {"randomized truncation": [0.3, 0.1, 0.03]},
                                             reference={"truncated, k = 3": 0.4}),
    "unbiased_expected": lambda: pb.plot_unbiasedness([10, 100], {"r": [0.3, 0.1]},
                                                      expected=[0.3, 0.09]),
    "recall": lambda: pb.plot_recall_experiment(CURVES, [2, 3, 6, 8], ACCURACY, k=3,
                                                chance=0.25, delay_shown=6),
}
FRAMES = {"frame"}


def test_backward_graph_draws_forward_and_backward_arrows():
    fig = pb.draw_backward_graph()
    ax = fig.axes[0]
    red = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"
           and np.allclose(p.get_edgecolor()[:3], matplotlib_rgb(pb.BACKWARD))]
    # per column L→o and o→h; between columns h→h twice; and the two dashed ends
    assert len(red) == 3 * 2 + 2 + 2
    words = all_text(fig)
    for name in (r"$\mathbf{h}_{t-1}$", r"$\mathbf{V}^\top$", r"$\hat{\mathbf{y}}-\mathbf{e}_y$"):
        assert name in words


def matplotlib_rgb(colour):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_cost_draws_counted_operations_and_memory():
    fig = pb.plot_bptt_cost(LENGTHS, SECONDS, MEGABYTES)
    ops, memory = fig.axes
    assert labelled_lines(ops) == list(SECONDS) and labelled_lines(memory) == list(MEGABYTES)
    # the left panel is in millions of multiply-adds
    np.testing.assert_allclose(ops.lines[0].get_ydata(), np.array(SECONDS["numpy BPTT"]) * 1e-6)
    assert ops.get_ylabel() == "millions of multiply-adds per call"
    assert "counted" in ops.get_title() and "counted" in memory.get_title()
    assert memory.get_ylim()[0] == 0 and memory.get_xlim()[1] == pytest.approx(200 * 1.04)


def test_gradient_norms_one_log_line_per_setting():
    fig = pb.plot_gradient_norms(NORMS, floor=1e-3, title="t")
    ax = fig.axes[0]
    assert labelled_lines(ax) == list(NORMS) and legend_labels(fig) == list(NORMS)
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    assert ydata_range(ax)[0] == pytest.approx(1e-3)  # 0.5**20 is drawn at the floor
    assert "back in time" in all_text(fig)


def test_gradient_frame_highlights_the_current_scale_and_accumulates_shares():
    shares = np.full(20, 0.05)
    fig = pb.plot_gradient_frame(NORMS, "1.00", shares)
    left, right = fig.axes
    assert len(left.lines) == 3
    colours = [line.get_color() for line in left.lines]
    assert colours.count("#bbbbbb") == 2  # the other scales in grey
    assert "1.00" in left.get_title()
    np.testing.assert_allclose(right.lines[0].get_ydata(), np.cumsum(shares[::-1])[::-1])
    assert right.get_ylim() == (0, 1.02)


def test_activation_comparison_colours_by_scale_and_dashes_relu():
    fig = pb.plot_activation_comparison(STATES, GRADS)
    left, right = fig.axes
    assert len(left.lines) == len(right.lines) == 3
    styles = {line.get_label(): line.get_linestyle() for line in left.lines}
    assert styles == {"tanh, scale 1": "-", "relu, scale 1": "--", "tanh, scale 2": "-"}
    assert np.isnan(right.lines[1].get_ydata()).all()  # inf is left out, not drawn at the top
    assert legend_labels(fig) == list(styles)


def test_link_weights_draw_bars_and_cuts():
    fig = pb.plot_link_weights(LINKS)
    assert len(fig.axes) == 3
    assert [ax.get_title(loc="left") for ax in fig.axes] == list(LINKS)
    bars = [len(ax.patches) for ax in fig.axes]
    assert bars == [12, 4, 6]
    cuts = [len(ax.lines[0].get_xdata()) for ax in fig.axes]
    assert cuts == [0, 8, 6]


def test_unbiasedness_draws_errors_the_noise_line_and_references():
    fig = pb.plot_unbiasedness([10, 100, 1000], {"r": [0.3, 0.1, 0.03]},
                               reference={"truncated": 0.4})
    ax = fig.axes[0]
    assert labelled_lines(ax) == ["r", r"$\propto 1/\sqrt{M}$", "truncated"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.3 * np.sqrt(10 / np.array([10, 100,
                                                                                       1000])))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    fig = pb.plot_unbiasedness([10, 100], {"r": [0.3, 0.1]}, expected=[0.3, 0.09])
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), [0.3, 0.09])


def test_recall_experiment_smooths_curves_and_marks_chance_and_k():
    fig = pb.plot_recall_experiment(CURVES, [2, 3, 6, 8], ACCURACY, k=3, chance=0.25,
                                    delay_shown=6, smooth=25)
    left, right = fig.axes
    assert len(left.lines[0].get_ydata()) == 300 - 25 + 1
    assert labelled_lines(right) == list(ACCURACY)
    assert legend_labels(fig) == list(CURVES)
    assert "d = 6" in left.get_title()
    words = all_text(fig)
    assert "chance" in words and "k = 3" in words
    assert list(right.get_xticks()) == [2, 3, 6, 8]


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: pb.plot_bptt_cost([10], {"a": [1]}, {"a": [1]}), ValueError),
        (lambda: pb.plot_bptt_cost([10, 20], {"a": [1]}, {"a": [1, 2]}), ValueError),
        (lambda: pb.plot_gradient_norms({}), TypeError),
        (lambda: pb.plot_gradient_norms(NORMS, floor=0), ValueError),
        (lambda: pb.plot_gradient_frame(NORMS, "3.0", np.zeros(20)), ValueError),
        (lambda: pb.plot_gradient_frame(NORMS, "1.00", np.zeros(5)), ValueError),
        (lambda: pb.plot_activation_comparison({"tanh": np.ones(3)}, {"tanh": np.ones(3)}),
         TypeError),
        (lambda: pb.plot_unbiasedness([10], {"r": [0.1]}), ValueError),
        (lambda: pb.plot_recall_experiment({"a": np.ones(5)}, [1, 2], {"a": [1.0]}, k=1,
                                           chance=0.5, delay_shown=1), ValueError),
    ],
)
def test_bad_input_is_rejected(call, error):
    with pytest.raises(error):
        call()
