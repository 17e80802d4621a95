"""textbook_rnn.notebook: the glue fallback and the install cell."""

from __future__ import annotations

import ast
import sys
import types

import nbformat
import pytest

import textbook_rnn
from textbook_rnn import notebook

URL = "https://github.com/example/textbook-rnn"


# --- glue --------------------------------------------------------------------


def test_glue_uses_myst_nb_when_present(monkeypatch):
    calls = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, variable, display=True: calls.append((name, variable, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    notebook.glue("add-rnn-20", "0.123", display=False)
    assert calls == [("add-rnn-20", "0.123", False)]


@pytest.mark.parametrize("display", [True, False])
def test_glue_without_myst_nb_shows_the_value_or_nothing(monkeypatch, display):
    import IPython.display

    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb now fails
    monkeypatch.setattr(IPython.display, "display", shown.append)
    notebook.glue("x", 42, display=display)
    assert shown == ([42] if display else [])


@pytest.mark.parametrize("name", ["", None, 3])
def test_glue_rejects_a_bad_name(name):
    with pytest.raises(TypeError, match="name"):
        notebook.glue(name, 1)


# --- the install cell --------------------------------------------------------


def _run(source: str, monkeypatch, importable: bool, pip_calls: list | None = None):
    """Execute an install cell as if textbook_rnn were (not) installed."""
    if not importable:
        monkeypatch.setitem(sys.modules, "textbook_rnn", None)

    def fake_check_call(command):
        pip_calls.append(command)
        monkeypatch.setitem(sys.modules, "textbook_rnn", textbook_rnn)  # "installed"
        return 0

    import subprocess

    monkeypatch.setattr(subprocess, "check_call", fake_check_call)
    exec(compile(source, "<install cell>", "exec"), {})


@pytest.mark.parametrize("url", [None, URL])
def test_install_cell_is_silent_where_the_package_imports(url, monkeypatch, capsys):
    calls = []
    _run(notebook.install_cell_source(url), monkeypatch, importable=True, pip_calls=calls)
    assert capsys.readouterr().out == ""
    assert calls == []


def test_install_cell_without_url_says_how_to_install(monkeypatch, capsys):
    source = notebook.install_cell_source(None, extras=("notebooks", "torch"))
    calls = []
    _run(source, monkeypatch, importable=False, pip_calls=calls)
    out = capsys.readouterr().out
    assert "textbook_rnn" in out and "not installed" in out
    assert "pip install -e '.[notebooks,torch]'" in out
    assert calls == []


def test_install_cell_with_url_installs_from_the_repository(monkeypatch, capsys):
    calls = []
    _run(notebook.install_cell_source(URL + "/", "main"), monkeypatch, importable=False,
         pip_calls=calls)
    assert len(calls) == 1
    command = calls[0]
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-1] == f"textbook-rnn[notebooks] @ git+{URL}@main"
    assert "Installing" in capsys.readouterr().out


def test_install_cell_is_valid_python_in_every_variant():
    for url in (None, URL):
        for extras in ((), ("plots",), ("plots", "widgets", "torch")):
            ast.parse(notebook.install_cell_source(url, "main", extras))


@pytest.mark.parametrize(
    ("url", "error"),
    [("http://github.com/x/y", ValueError), ("github.com/x/y", ValueError), (3, TypeError)],
)
def test_install_cell_rejects_a_bad_url(url, error):
    with pytest.raises(error, match="repository_url"):
        notebook.install_cell_source(url)


def test_extras_follow_the_code():
    assert notebook.extras_for(["import numpy as np"]) == ("notebooks",)
    assert notebook.extras_for(["import torch"]) == ("notebooks", "torch")
    assert notebook.extras_for(["from textbook_rnn.torch_nn import models"])[-1] == "torch"


# --- whole notebooks ---------------------------------------------------------


def _notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_add_install_cell_puts_one_cell_first_and_replaces_an_old_one():
    nb = _notebook("import torch\nx = 1")
    notebook.add_install_cell(nb)
    notebook.add_install_cell(nb, URL, "main")  # again, now with a URL
    installs = [c for c in nb.cells if notebook.INSTALL_TAG in c.metadata.get("tags", [])]
    assert len(installs) == 1 and nb.cells[0] is installs[0]
    assert "remove-cell" in nb.cells[0].metadata.tags
    assert f"git+{URL}@main" in nb.cells[0].source
    assert "[notebooks,torch]" in nb.cells[0].source  # the notebook imports torch
    assert [c.cell_type for c in nb.cells[1:]] == ["markdown", "code"]
    nbformat.validate(nb)


def test_add_install_cell_rejects_what_is_not_a_notebook():
    with pytest.raises(TypeError, match="nb must be a notebook"):
        notebook.add_install_cell({"no": "cells"})


def test_without_build_stack_rewrites_only_the_glue_import():
    nb = _notebook("import numpy as np\nfrom myst_nb import glue\nglue('a', 1)",
                   "if True:\n    from myst_nb import glue  # indented")
    notebook.without_build_stack(nb)
    first, second = nb.cells[1].source, nb.cells[2].source
    assert first == "import numpy as np\nfrom textbook_rnn.notebook import glue\nglue('a', 1)"
    assert second == "if True:\n    from textbook_rnn.notebook import glue  # indented"


def test_portable_notebook_runs_without_myst_nb(monkeypatch, capsys):
    import IPython.display

    nb = _notebook("from myst_nb import glue\nglue('answer', 42)")
    notebook.portable(nb)
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert shown == [42]
    assert capsys.readouterr().out == ""


def test_joined_streams_joins_consecutive_pieces_of_one_stream_only():
    out = nbformat.v4.new_output
    nb = _notebook("print('a'); glue('x', 1, display=False); print('b')")
    cell = nb.cells[1]
    cell.outputs = [
        out("stream", name="stdout", text="rule   end  \n"),
        out("stream", name="stdout", text=["none   0.08 \n", "norm   0.20 \n"]),
        out("stream", name="stderr", text="warning\n"),
        out("stream", name="stdout", text="after\n"),
        out("display_data", data={"text/plain": "1"}),
        out("stream", name="stdout", text="last\n"),
    ]
    notebook.joined_streams(nb)
    kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
    assert kinds == [("stream", "stdout"), ("stream", "stderr"), ("stream", "stdout"),
                     ("display_data", None), ("stream", "stdout")]
    assert cell.outputs[0].text == "rule   end  \nnone   0.08 \nnorm   0.20 \n"
    assert [o.get("text") for o in cell.outputs[1:]] == ["warning\n", "after\n", None, "last\n"]


def test_portable_joins_the_pieces_of_a_printout():
    nb = _notebook("print('a'); print('b')")
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=t)
                           for t in ("a\n", "b\n")]
    notebook.portable(nb)
    printed = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert [o.text for o in printed] == ["a\nb\n"]
