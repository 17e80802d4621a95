"""book/_ext/merge_streams_copy.py: merged boxes on the page, untouched stored outputs."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import nbformat
import pytest

render = pytest.importorskip("myst_nb.core.render")

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext" / "merge_streams_copy.py"


def load_extension():
    spec = importlib.util.spec_from_file_location("merge_streams_copy", EXT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split_printout():
    """Outputs of a cell that prints, glues quietly, and prints again."""
    stream = nbformat.v4.new_output
    return [
        stream("stream", name="stdout", text="rule    end   \nnone    0.08  \n"),
        nbformat.v4.new_output(
            "display_data", data={"application/papermill.record/text/plain": "'0.08'"},
            metadata={"scrapbook": {"name": "end-none"}},
        ),
        stream("stream", name="stdout", text="norm    0.20  \n"),
    ]


def test_the_installed_coalesce_edits_its_input():
    """The reason for the extension: without it, the stored outputs change."""
    from myst_nb.core.utils import coalesce_streams

    outputs = split_printout()
    before = copy.deepcopy(outputs)
    coalesce_streams(outputs)
    assert outputs != before, (
        "myst-nb's coalesce_streams no longer edits its input: "
        "book/_ext/merge_streams_copy.py may be dropped"
    )


def test_the_wrapped_coalesce_merges_without_editing(monkeypatch):
    module = load_extension()
    monkeypatch.setattr(render, "coalesce_streams", render.coalesce_streams)
    module.setup(app=None)
    outputs = split_printout()
    before = copy.deepcopy(outputs)
    merged = render.coalesce_streams(outputs)
    assert outputs == before
    streams = [o for o in merged if o["output_type"] == "stream"]
    assert len(streams) == 1
    lines = [line.rstrip() for line in streams[0]["text"].splitlines()]
    assert lines == ["rule    end", "none    0.08", "norm    0.20"]


def test_setup_twice_wraps_once(monkeypatch):
    module = load_extension()
    monkeypatch.setattr(render, "coalesce_streams", render.coalesce_streams)
    module.setup(app=None)
    once = render.coalesce_streams
    module.setup(app=None)
    assert render.coalesce_streams is once
