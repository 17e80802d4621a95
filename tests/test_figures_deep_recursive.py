"""Tests of textbook_rnn.figures.deep_recursive.

The figures of the chapter "Deep and recursive networks".
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn.figures import deep_recursive as fig  # noqa: E402


def test_plot_example_draws_one_line_per_series():
    out = fig.plot_example({"a": np.arange(4.0), "b": np.ones(4)})
    assert isinstance(out, Figure)
    assert len(out.axes[0].lines) == 2


def test_plot_example_rejects_an_empty_mapping():
    with pytest.raises(TypeError, match="series"):
        fig.plot_example({})
