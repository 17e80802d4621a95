"""Tests of textbook_rnn.figures.attention.

The figures of the chapter "Bidirectional and encoder-decoder networks, attention".
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn.figures import attention as fig  # noqa: E402


def test_plot_example_draws_one_line_per_series():
    out = fig.plot_example({"a": np.arange(4.0), "b": np.ones(4)})
    assert isinstance(out, Figure)
    assert len(out.axes[0].lines) == 2


def test_plot_example_rejects_an_empty_mapping():
    with pytest.raises(TypeError, match="series"):
        fig.plot_example({})
