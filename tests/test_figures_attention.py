"""The figures of the chapter "... attention" draw what they are given, and reject bad input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from textbook_rnn import bidirectional as bi
from textbook_rnn.figures import attention as fig


def test_every_figure_draws():
    rng = np.random.default_rng(0)
    ks = [0, 1, 2]
    figs = [
        fig.plot_evidence(ks, rng.random((2, 3)), rng.random((2, 3))),
        fig.plot_grid_views({"↘": bi.grid_dependencies(4, 4)[2, 1]}, (2, 1)),
        fig.plot_scan_costs([4, 8], [7, 15], [3, 7], [16, 64]),
        fig.plot_reversal([10, 20], rng.random((2, 2)), rng.random((2, 2)), [0.1, 0.2],
                          [0.3, 0.4]),
        fig.plot_accuracy_by_length([5, 6, 7], rng.random((2, 3)), rng.random((2, 3))),
        fig.plot_attention_map(rng.random((3, 2)), [4, 5], [4, 5, 2], title="t"),
        fig.plot_swap_task([1, 2], [1.0, 1.0], [1.0, 0.5], chance=0.4),
    ]
    assert all(isinstance(f, Figure) for f in figs)


def test_the_grid_view_panel_reports_the_count():
    seen = bi.grid_dependencies(4, 4)[2, 1]
    f = fig.plot_grid_views({"one scan": seen}, (2, 1))
    assert f"{int(seen.sum())} of 16 pixels" in f.axes[0].get_title()


def test_mismatched_input_is_rejected():
    with pytest.raises(ValueError, match="weights"):
        fig.plot_attention_map(np.zeros((2, 2)), [4, 5], [4, 5, 2])
    with pytest.raises(ValueError, match="runs"):
        fig.plot_evidence([0, 1], np.zeros((2, 3)), np.zeros((2, 3)))
