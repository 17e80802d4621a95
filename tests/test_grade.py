"""The grading command, ``python -m textbook_rnn.grade NOTEBOOK``.

Fast tests read verdicts from notebooks built here, with outputs made by real
checkers; the others run notebooks in a fresh kernel, as a reader would: the
shipped stubs must fail with every exercise "not written yet", the solutions
must pass, and a copy with one wrong answer must fail naming that exercise.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from textbook_rnn import checks, grade, rnn
from textbook_rnn.checks._core import METADATA_KEY

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _stub(*args):
    raise NotImplementedError("Not implemented yet. Hint: see the section.")


def _displayed(result) -> dict:
    """The output a notebook stores when a cell ends with a checker call."""
    data, metadata = result._repr_mimebundle_()
    return new_output("execute_result", data=data, metadata=metadata, execution_count=1)


def _checker_cell(name: str, *outputs) -> nbformat.NotebookNode:
    cell = new_code_cell(f"checks.{name}({name})")
    cell.outputs = list(outputs)
    return cell


def _lines(text: str) -> dict[str, str]:
    """``{exercise: verdict}`` from the printed report."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^  (\w+) +(.*)$", text, re.MULTILINE)}


# --------------------------------------------------------------------------
# reading verdicts (no kernel)
# --------------------------------------------------------------------------


def test_verdicts_from_the_output_metadata():
    wrong = checks.rnn_step(lambda x_t, h_prev, U, W, b: np.tanh(h_prev @ W.T + x_t @ U.T))
    nb = new_notebook(cells=[
        new_markdown_cell("# Exercises"),
        _checker_cell("rnn_step", _displayed(wrong)),
        _checker_cell("sequence_nll", _displayed(checks.sequence_nll(rnn.sequence_nll))),
        _checker_cell("rnn_bptt", _displayed(checks.rnn_bptt(_stub))),
    ])
    verdicts = grade.verdicts_of(nb)
    assert [v.exercise for v in verdicts] == ["rnn_step", "sequence_nll", "rnn_bptt"]
    assert [v.status for v in verdicts] == ["failed", "passed", "not written yet"]
    assert verdicts[0].detail.startswith("case 1 of 6 (N=1, D=1, H=1 by hand")
    assert "h_t has wrong values" in verdicts[0].detail
    assert verdicts[1].detail == "8 of 8 cases"
    assert verdicts[1].line(12) == "  sequence_nll  passed (8 of 8 cases)"


def test_a_printed_report_is_read_from_its_text():
    wrong = checks.sequence_nll(lambda o, y: -rnn.sequence_nll(o, y))
    nb = new_notebook(cells=[
        _checker_cell("rnn_step", new_output("stream", name="stdout",
                                             text=str(checks.rnn_step(rnn.rnn_step)) + "\n")),
        _checker_cell("sequence_nll", new_output("stream", name="stdout", text=str(wrong))),
        _checker_cell("rnn_bptt", new_output("stream", name="stdout",
                                             text=str(checks.rnn_bptt(_stub)))),
    ])
    verdicts = grade.verdicts_of(nb)
    assert [v.status for v in verdicts] == ["passed", "failed", "not written yet"]
    assert verdicts[0].detail == "6 of 6 cases"
    assert verdicts[1].detail.startswith("case 1 of 8")
    assert "the loss is wrong" in verdicts[1].detail


def test_an_exercise_without_a_report_fails_and_says_why():
    error = new_output("error", ename="NameError", evalue="name 'rnn_step' is not defined",
                       traceback=[])
    first = new_code_cell("def rnn_step(x_t, h_prev, U, W, b)\n    pass")
    first.outputs = [new_output("error", ename="SyntaxError", evalue="expected ':'",
                                traceback=[])]
    nb = new_notebook(cells=[first, _checker_cell("rnn_step", error),
                             _checker_cell("sequence_nll")])
    nb.metadata["textbook"] = {"exercises": ["rnn_step", "sequence_nll", "rnn_bptt"]}
    by_name = {v.exercise: v for v in grade.verdicts_of(nb)}
    assert not any(v.passed for v in by_name.values())
    assert "its checker cell raised NameError" in by_name["rnn_step"].detail
    assert "the first error was in cell 1: SyntaxError" in by_name["rnn_step"].detail
    assert "no report from checks.sequence_nll" in by_name["sequence_nll"].detail
    # a checker cell the reader deleted still counts, through the notebook's metadata
    assert "no report from checks.rnn_bptt" in by_name["rnn_bptt"].detail


def test_exercises_come_from_metadata_or_from_checker_calls():
    nb = new_notebook(cells=[new_code_cell("from textbook_rnn import checks"),
                             new_code_cell("checks.rnn_step(rnn_step)"),
                             new_code_cell("result = checks.sequence_nll(f)\nresult")])
    assert grade.exercises_of(nb) == ["rnn_step", "sequence_nll"]
    nb.metadata["textbook"] = {"exercises": ["gru_step"]}
    assert grade.exercises_of(nb) == ["gru_step"]


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_shipped_notebooks_list_their_exercises(path):
    nb = nbformat.read(path, as_version=4)
    listed = nb.metadata["textbook"]["exercises"]
    assert listed and listed == grade.exercises_of(new_notebook(cells=nb.cells))
    stored = grade.verdicts_of(nb)
    assert [v.status for v in stored] == ["not written yet"] * len(listed)


def test_the_stored_metadata_is_what_the_checker_reports():
    result = checks.rnn_step(_stub)
    assert _displayed(result)["metadata"] == {METADATA_KEY: result.summary()}


def test_a_missing_notebook_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        grade.main([str(tmp_path / "nothing.ipynb")])
    assert stop.value.code == 2
    assert "no such notebook" in capsys.readouterr().err


# --------------------------------------------------------------------------
# running notebooks in a fresh kernel
# --------------------------------------------------------------------------


def _replace_solution(nb, name: str, new_body: str) -> None:
    """Put ``new_body`` in place of the marked solution of function ``name``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {name}(" in c.source)
    head, rest = cell.source.split("### BEGIN SOLUTION", 1)
    _, tail = rest.split("### END SOLUTION", 1)
    cell.source = head + new_body + "\n" + tail


def test_a_copy_with_one_wrong_answer_fails_naming_that_exercise(tmp_path, capsys):
    nb = nbformat.read(ROOT / "solutions" / "01_recurrence.ipynb", as_version=4)
    _replace_solution(nb, "rnn_step", "return np.tanh(h_prev @ W.T + x_t @ U.T)  # no bias")
    path = tmp_path / "01_recurrence.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    assert grade.main([str(path)]) == 1
    out = capsys.readouterr().out
    verdicts = _lines(out)
    assert verdicts["rnn_step"].startswith("failed: case 1 of 6"), out
    assert "h_t has wrong values" in verdicts["rnn_step"]
    assert verdicts["sequence_nll"] == "passed (8 of 8 cases)", out
    assert out.rstrip().endswith("1 of 2 exercises passed.")
    assert path.read_bytes() == before, "grading must not change the notebook"


def test_hanging_cells_printed_reports_and_errors(tmp_path, capsys):
    """A cell that hangs is stopped; the cells after it still run and report."""
    nb = new_notebook(cells=[
        new_code_cell("import time\nfrom textbook_rnn import checks, rnn"),
        new_code_cell("time.sleep(600)"),
        new_code_cell("def rnn_step(x_t, h_prev, U, W, b):\n"
                      "    raise NotImplementedError('Not implemented yet.')"),
        new_code_cell("checks.rnn_step(rnn_step)"),
        new_code_cell("print(checks.sequence_nll(rnn.sequence_nll))"),
        new_code_cell("checks.rnn_bptt(rnn_bptt)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "mixed.ipynb"
    nbformat.write(nb, path)
    assert grade.main([str(path), "--timeout", "5"]) == 1
    verdicts = _lines(capsys.readouterr().out)
    assert verdicts["rnn_step"] == "not written yet"
    assert verdicts["sequence_nll"] == "passed (8 of 8 cases)"
    assert verdicts["rnn_bptt"].startswith("failed: its checker cell raised NameError")
    assert "the first error was in cell 2: TimeoutError" in verdicts["rnn_bptt"]


@pytest.mark.slow
def test_the_shipped_stubs_fail_with_every_exercise_not_written_yet(capsys):
    assert grade.main([str(p) for p in EXERCISES]) == 1
    out = capsys.readouterr().out
    names = [n for p in EXERCISES
             for n in nbformat.read(p, as_version=4).metadata["textbook"]["exercises"]]
    verdicts = re.findall(r"^  (\w+) +(.*)$", out, re.MULTILINE)
    assert [n for n, _ in verdicts] == names
    assert all(v == "not written yet" for _, v in verdicts), out
    assert out.rstrip().endswith(f"0 of {len(names)} exercises passed.")


@pytest.mark.slow
def test_the_solutions_pass(capsys, tmp_path):
    # graded from a copy, to show that grading needs nothing but the notebook
    copies = [shutil.copy(p, tmp_path / p.name) for p in SOLUTIONS]
    assert grade.main([str(p) for p in copies]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "failed" not in out and "not written yet" not in out


# --------------------------------------------------------------------------
# what the site shows on an exercise page
# --------------------------------------------------------------------------


def _solution_lines(nb) -> list[str]:
    """The code lines between the solution markers (long enough to be telling)."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION")[0]
            lines += [ln.strip() for ln in body.splitlines()
                      if len(ln.strip()) > 20 and not ln.strip().startswith("#")]
    return lines


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_exercise_pages_show_no_solution_code(path):
    exercise = nbformat.read(path, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / path.name, as_version=4)
    shown = "\n".join(grade._text_of(o) for c in exercise.cells if c.cell_type == "code"
                      for o in c.outputs)
    sources = "\n".join(c.source for c in exercise.cells)
    for line in _solution_lines(solution):
        assert line not in shown and line not in sources, line
    for cell in exercise.cells:
        for output in cell.get("outputs", []):
            message = re.search(r"Its message: (.*?)\n  Replace", grade._text_of(output), re.S)
            if message:  # the stub's hint says where to look, in a sentence or two
                assert len(" ".join(message.group(1).split())) < 260, message.group(1)
                assert "See " in message.group(1)


def test_next_from_an_exercise_page_never_leads_to_its_solution():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    order = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    captions = [part["caption"] for part in toc["parts"]]
    assert captions.index("Solutions") == captions.index("Coding exercises") + 1
    for page, following in zip(order, order[1:], strict=False):
        if page.startswith("exercises/"):
            assert following != page.replace("exercises/", "solutions/"), page
    exercises = [p for p in order if p.startswith("exercises/")]
    solutions = [p for p in order if p.startswith("solutions/")]
    assert [p.split("/")[1] for p in solutions] == [p.split("/")[1] for p in exercises]
