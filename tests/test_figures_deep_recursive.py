"""Tests of textbook_rnn.figures.deep_recursive (the recursive-network figures)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import recursive  # noqa: E402
from textbook_rnn.figures import deep_recursive as fig  # noqa: E402


def test_plot_tree_draws_one_edge_per_child_and_every_label():
    tree = recursive.parse_tree(("*", ("+", 3, 4), 2))
    out = fig.plot_tree(tree.children, tree.labels)
    assert isinstance(out, Figure)
    ax = out.axes[0]
    assert len(ax.lines) == 4
    assert sorted(t.get_text() for t in ax.texts) == sorted(["3", "4", "+", "2", "*"])


def test_plot_tree_writes_the_scores_of_a_merge_step():
    tree = recursive.balanced_tree(3)
    out = fig.plot_tree(tree.children[:3], [None] * 3, row=[0, 1, 2], scores=[0.5, -1.0],
                        chosen=0)
    assert [t.get_text() for t in out.axes[0].texts] == ["+0.50", "-1.00"]
    with pytest.raises(ValueError, match="scores"):
        fig.plot_tree(tree.children[:3], row=[0, 1, 2], scores=[1.0])
    with pytest.raises(ValueError, match="children"):
        fig.plot_tree(np.zeros((3, 3), dtype=int))


def test_plot_leaf_gradients_one_mean_line_per_shape():
    out = fig.plot_leaf_gradients({"a": np.array([1, 2, 2]), "b": np.array([1, 1, 1])},
                                  {"a": np.ones((2, 3)), "b": np.full((2, 3), 0.5)})
    assert len(out.axes[0].lines) == 2
    assert out.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="labels"):
        fig.plot_leaf_gradients({"a": np.ones(3)}, {"b": np.ones((1, 3))})
    with pytest.raises(ValueError, match="one column per leaf"):
        fig.plot_leaf_gradients({"a": np.ones(3)}, {"a": np.ones((1, 2))})


def test_plot_expressions_seeds_means_and_majority():
    acc = {"tree": np.full((3, 4), 0.9), "lstm": np.full((3, 4), 0.2)}
    out = fig.plot_expressions([1, 2, 3, 4], acc, [0.2] * 4)
    # three seeds + one mean per model, and the majority line
    assert len(out.axes[0].lines) == 2 * 4 + 1
    with pytest.raises(ValueError, match="one column per depth"):
        fig.plot_expressions([1, 2], acc, [0.2, 0.2])
