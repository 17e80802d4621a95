"""textbook_rnn.figures.bptt: every function returns a figure, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.figures import bptt as pb
from textbook_rnn.widgets import figure_to_png

T = np.arange(1, 21)
NORMS = {"0.5": 0.5**T[::-1], "1.00": np.ones(20), "2.0": 2.0**T[::-1] / 1e3}

CALLS = {
    "graph": lambda: pb.draw_backward_graph(),
    "cost": lambda: pb.plot_bptt_cost([10, 20, 40], {"full": [1e-3, 2e-3, 4e-3]},
                                      {"full": [1, 2, 4], "truncated": [1, 1, 1]}),
    "norms": lambda: pb.plot_gradient_norms(NORMS, title="t"),
    "frame": lambda: pb.plot_gradient_frame(NORMS, "1.00", np.full(20, 0.05)),
    "relu": lambda: pb.plot_activation_comparison(
        {("tanh", 1.0): np.ones(20), ("relu", 1.0): 2.0**T},
        {("tanh", 1.0): 0.5**T, ("relu", 1.0): np.full(20, np.inf)}),
    "links": lambda: pb.plot_link_weights({"a": np.array([1, 0, 1, 1.0]),
                                           "b": np.array([1, 1.5, 0, 1.5])}),
    "unbiased": lambda: pb.plot_unbiasedness([10, 100, 1000], {"r": [0.3, 0.1, 0.03]},
                                             reference={"truncated": 0.4}),
    "unbiased_expected": lambda: pb.plot_unbiasedness([10, 100], {"r": [0.3, 0.1]},
                                                      expected=[0.3, 0.09]),
    "recall": lambda: pb.plot_recall_experiment(
        {"full": np.linspace(1, 0.01, 100), "trunc": np.ones(100)}, [1, 2, 4],
        {"full": [1, 1, 1], "trunc": [1, 0.3, 0.25]}, k=2, chance=0.25, delay_shown=4),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_returns_a_figure_and_the_same_png_twice(name):
    from matplotlib.figure import Figure

    fig = CALLS[name]()
    assert isinstance(fig, Figure)
    assert fig.axes
    assert figure_to_png(fig) == figure_to_png(CALLS[name]())


def test_figures_do_not_touch_pyplot_or_global_style():
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    before = dict(mpl.rcParams)
    n = len(plt.get_fignums())
    for call in CALLS.values():
        call()
    assert len(plt.get_fignums()) == n
    assert dict(mpl.rcParams) == before


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
