"""Tests of the deep-RNN figures in textbook_rnn.figures.deep_recursive (what is drawn)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from figure_checks import MIN_TEXT_PX, legend_labels, smallest_text  # noqa: E402
from textbook_rnn import deep  # noqa: E402
from textbook_rnn.deep import Architecture  # noqa: E402
from textbook_rnn.figures import deep_recursive as fig  # noqa: E402
from textbook_rnn.figures.style import PALETTE  # noqa: E402

ARCHS = {"stack": Architecture(layers=3), "DT": Architecture(transition_depth=3),
         "DT(S)": Architecture(transition_depth=3, shortcut=True)}


def _unrolled(k=2):
    graphs = [deep.unrolled_graph(a, k + 1) for a in ARCHS.values()]
    paths = [deep.path_nodes(a, k) for a in ARCHS.values()]
    return fig.plot_unrolled(graphs, paths, list(ARCHS)), graphs, paths


def test_unrolled_draws_every_node_and_highlights_the_path():
    out, graphs, paths = _unrolled()
    assert isinstance(out, Figure) and len(out.axes) == 3
    for ax, g, path in zip(out.axes, graphs, paths, strict=True):
        assert len(ax.collections) == len(g["position"])  # one marker per node
        arrows = [a for a in ax.texts if a.arrow_patch is not None]
        assert len(arrows) == sum(len(s) for s in g["successors"].values())
        thick = [a for a in arrows if a.arrow_patch.get_linewidth() > 2]
        assert len(thick) == len(path) - 1
        assert ax.get_title().endswith(f": {len(path) - 2} tanh")
    assert [ax.get_title() for ax in out.axes] == ["stack: 5 tanh", "DT: 9 tanh", "DT(S): 5 tanh"]
    assert smallest_text(out)[0] >= MIN_TEXT_PX


def test_unrolled_in_a_grid_hides_the_spare_panel():
    _, graphs, paths = _unrolled()
    out = fig.plot_unrolled(graphs, paths, list(ARCHS), columns=2)
    assert len(out.axes) == 4
    assert [ax.get_visible() for ax in out.axes] == [True, True, True, False]
    with pytest.raises(ValueError, match="columns must be a positive int"):
        fig.plot_unrolled(graphs, paths, list(ARCHS), columns=0)


def test_unrolled_rejects_mismatched_inputs():
    _, graphs, paths = _unrolled()
    with pytest.raises(ValueError, match="one entry per panel"):
        fig.plot_unrolled(graphs, paths[:2], list(ARCHS))
    with pytest.raises(ValueError, match="not in the graph"):
        fig.plot_unrolled(graphs[:1], [[("x", 0), ("z", 9, 0, 1)]], ["a"])


def test_path_lengths_one_line_per_network():
    k = np.arange(5)
    lengths = {n: [deep.shortest_path(a, int(i)) for i in k] for n, a in ARCHS.items()}
    out = fig.plot_path_lengths(k, lengths)
    ax = out.axes[0]
    assert legend_labels(ax) == list(ARCHS)
    for line, values in zip(ax.lines, lengths.values(), strict=True):
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert len({line.get_linestyle() for line in ax.lines}) == 3  # coinciding lines stay visible
    with pytest.raises(ValueError, match="must have 5 values"):
        fig.plot_path_lengths(k, {"a": [1, 2]})


def test_layer_acf_curves_band_and_threshold():
    lags = np.arange(10)
    out = fig.plot_layer_acf(lags, {"layer 1": 0.5**lags, "layer 2": 0.9**lags},
                             {"layer 2": np.stack([0.8**lags, 0.95**lags])})
    ax = out.axes[0]
    assert legend_labels(ax) == ["layer 1", "layer 2"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.9**lags)
    assert any(np.allclose(line.get_ydata(), np.exp(-1)) for line in ax.lines[2:])
    assert len(ax.collections) == 1  # the band
    with pytest.raises(ValueError, match="spread"):
        fig.plot_layer_acf(lags, {"a": lags}, {"a": lags})


def test_wide_vs_stacked_one_dot_per_seed():
    scores = {"length 64": {"1 x 35": [0.9, 1.0, 0.95], "3 x 16": [1.0, 1.0, 0.99]},
              "length 256": {"1 x 35": [0.5, 0.9, 0.7], "3 x 16": [0.9, 1.0, 0.99]}}
    out = fig.plot_wide_vs_stacked(scores)
    assert [ax.get_title() for ax in out.axes] == list(scores)
    for ax, nets in zip(out.axes, scores.values(), strict=True):
        assert [t.get_text() for t in ax.get_xticklabels()] == list(nets)
        dots = [c.get_offsets()[:, 1] for c in ax.collections if isinstance(c, PathCollection)]
        means = [c.get_segments()[0][0, 1] for c in ax.collections if isinstance(c, LineCollection)]
        np.testing.assert_allclose(means, [np.mean(v) for v in nets.values()])
        assert len(dots) == len(nets)
        for got, want in zip(dots, nets.values(), strict=True):
            np.testing.assert_allclose(got, want)
    with pytest.raises(TypeError, match="scores must be"):
        fig.plot_wide_vs_stacked({})


def test_colours_come_from_the_palette():
    out, _, _ = _unrolled()
    thick = [a for a in out.axes[0].texts if a.arrow_patch.get_linewidth() > 2]
    colour = thick[0].arrow_patch.get_edgecolor()
    from matplotlib.colors import to_rgba
    assert np.allclose(colour, to_rgba(PALETTE["vermillion"]))
