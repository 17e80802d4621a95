"""The exercise pipeline: solutions/ is the source, exercises/ is generated.

nbval (run by `make test` over both folders) re-executes the notebooks and
compares every output, checker reports included. These tests cover what nbval
cannot: that exercises/ is in sync with solutions/, that the stored outputs
are those of a real run, and that the generator itself behaves.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_exercises", ROOT / "tools" / "make_exercises.py"
)
make_exercises = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_exercises)

PAIRS = make_exercises.pairs()
CHECKER_CALL = re.compile(r"^checks\.\w+\(\w+\)\s*$", re.MULTILINE)


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    return output.get("data", {}).get("text/plain", "")


def _checker_reports(nb) -> list[str]:
    return [
        "".join(_text(o) for o in cell.outputs)
        for cell in nb.cells
        if cell.cell_type == "code" and CHECKER_CALL.search(cell.source)
    ]


def test_there_are_solution_notebooks():
    assert PAIRS, "solutions/ holds no NN_*.ipynb notebook"


# --- the generator -----------------------------------------------------------


def test_stub_replaces_region_keeps_indent_and_hint():
    source = "\n".join(
        [
            "def f(x):",
            "    '''doc'''",
            "    ### BEGIN SOLUTION",
            "    ### HINT: square it.",
            "    ### HINT: Then add one.",
            "    return x * x + 1",
            "    ### END SOLUTION",
            "print('after')",
        ]
    )
    stub = make_exercises.stub_source(source)
    assert "x * x" not in stub
    expected = "raise NotImplementedError('Not implemented yet. Hint: square it. Then add one.')"
    assert f"    {expected}" in stub
    assert stub.splitlines()[0] == "def f(x):"
    assert stub.splitlines()[-1] == "print('after')"
    namespace = {}
    exec(stub.replace("print('after')", ""), namespace)
    with pytest.raises(NotImplementedError, match="square it"):
        namespace["f"](2)


def test_stub_without_markers_is_unchanged():
    assert make_exercises.stub_source("a = 1\nb = 2") == "a = 1\nb = 2"


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    ],
)
def test_unbalanced_markers_are_an_error(source):
    with pytest.raises(make_exercises.MarkerError):
        make_exercises.stub_source(source, "nb, cell 3")


def test_solution_only_cells_are_dropped_and_title_replaced():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Solutions\ntext"),
            nbformat.v4.new_markdown_cell("only in solutions"),
            nbformat.v4.new_code_cell("x = 1"),
        ]
    )
    nb.cells[1].metadata["tags"] = ["solution-only"]
    nb.metadata["textbook"] = {"exercise_title": "Exercises"}
    ex = make_exercises.exercise_from_solution(nb)
    assert [c.source for c in ex.cells] == ["# Exercises\ntext", "x = 1"]
    assert nb.cells[0].source == "# Solutions\ntext", "the solution notebook must not change"


# --- the committed notebooks ----------------------------------------------------


def _cells(*sources: str, kind=nbformat.v4.new_code_cell):
    nb = nbformat.v4.new_notebook()
    nb.cells = [kind(s) for s in sources]
    return nb


def test_equation_roles_become_numbers_in_code_and_markdown():
    nb = _cells("### HINT: See equations {eq}`a` and {eq}` b `.", "x = 1")
    nb.cells.append(nbformat.v4.new_markdown_cell("As in {eq}`a`, then {eq}`a` again."))
    make_exercises.numbered_equations(nb, {"a": "7.1", "b": "7.12"})
    assert nb.cells[0].source == "### HINT: See equations (7.1) and (7.12)."
    assert nb.cells[2].source == "As in (7.1), then (7.1) again."
    assert nb.cells[0].metadata["textbook"]["equations"] == {"a": "(7.1)", "b": "(7.12)"}
    assert "textbook" not in nb.cells[1].metadata


def test_equation_numbers_follow_a_renumbering():
    nb = _cells("See {eq}`a`, {eq}`b` and (7.2) of another book.")
    make_exercises.numbered_equations(nb, {"a": "7.1", "b": "7.2"})
    # a new equation is inserted before both: a becomes 7.2, b becomes 7.3
    make_exercises.numbered_equations(nb, {"a": "7.2", "b": "7.3"})
    source = nb.cells[0].source
    assert source.startswith("See (7.2), (7.3) and ")
    assert nb.cells[0].metadata["textbook"]["equations"] == {"a": "(7.2)", "b": "(7.3)"}
    # running again with the same numbers changes nothing
    make_exercises.numbered_equations(nb, {"a": "7.2", "b": "7.3"})
    assert nb.cells[0].source == source


@pytest.mark.parametrize("numbers", [{}, {"b": "1.1"}])
def test_an_unknown_equation_label_is_an_error(numbers):
    nb = _cells("See {eq}`a`.")
    with pytest.raises(KeyError, match="'a'"):
        make_exercises.numbered_equations(nb, numbers)


def test_a_label_that_disappeared_is_an_error():
    nb = _cells("See {eq}`a`.")
    make_exercises.numbered_equations(nb, {"a": "7.1"})
    with pytest.raises(KeyError, match="no chapter defines any longer"):
        make_exercises.numbered_equations(nb, {"b": "7.1"})


def test_no_equation_is_cited_by_its_label():
    """A reader sees numbers: a bare label ("see equation res-state") is a broken reference."""
    numbers = make_exercises._references().numbers
    kinds = make_exercises._references().kinds
    labels = {label for label in numbers if kinds.get(label) == "eq"}
    found = []
    for path in sorted(ROOT.glob("solutions/[0-9][0-9]_*.ipynb")) + sorted(
            ROOT.glob("exercises/[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for label in labels:
                if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", cell.source):
                    found.append(f"{path.relative_to(ROOT)}: {label}")
    assert not found, "equations cited by label, not number: " + ", ".join(found)


@pytest.mark.parametrize("solution,exercise", PAIRS, ids=[p[0].name for p in PAIRS])
def test_exercises_in_sync_with_solutions(solution, exercise):
    assert make_exercises.stale(solution, exercise) is None, (
        f"{exercise.name} is out of sync with solutions/{solution.name}: run `make exercises`"
    )


@pytest.mark.parametrize("solution,exercise", PAIRS, ids=[p[0].name for p in PAIRS])
def test_notebooks_store_outputs_of_a_full_run(solution, exercise):
    for path in (solution, exercise):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in code]
        assert counts == list(range(1, len(code) + 1)), (
            f"{path.name} was not executed top to bottom in one run: run `make exercises`"
        )
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{path.name} stores an error: {_text(errors[0])}"


@pytest.mark.parametrize("solution,exercise", PAIRS, ids=[p[0].name for p in PAIRS])
def test_every_exercise_is_checked(solution, exercise):
    sol = nbformat.read(solution, as_version=4)
    ex = nbformat.read(exercise, as_version=4)
    regions = sum(c.source.count("### BEGIN SOLUTION") for c in sol.cells)
    stubs = sum(c.source.count("raise NotImplementedError") for c in ex.cells)
    sol_reports = _checker_reports(sol)
    ex_reports = _checker_reports(ex)
    assert regions >= 2
    assert stubs == regions
    assert len(sol_reports) == len(ex_reports) >= regions
    for report in sol_reports:
        assert "all checks passed" in report.lower(), f"a solution fails its checker:\n{report}"
    for report in ex_reports:
        assert "not implemented yet" in report.lower(), f"a stub is not reported as such:\n{report}"


def test_the_checkers_equation_table_is_current():
    table = make_exercises.EQUATION_TABLE
    assert table.read_text(encoding="utf-8") == make_exercises.equation_table_source(), (
        f"{table.relative_to(ROOT)} is out of date: run `make exercises`")


def test_equation_ranges_run_forwards():
    """ "equations (4.10) to (4.9)" is a range a reader cannot follow."""
    from textbook_rnn.checks._core import cite_equations

    def key(number):
        return tuple(int(part) for part in number.split("."))

    texts = [(p, c.source) for p in sorted(ROOT.glob("[se][ox]*/[0-9][0-9]_*.ipynb"))
             for c in nbformat.read(p, as_version=4).cells]
    texts += [(p, cite_equations(p.read_text(encoding="utf-8")))
              for p in sorted((ROOT / "src" / "textbook_rnn" / "checks").glob("*.py"))]
    assert len({p.parent.name for p, _ in texts}) == 3  # exercises, solutions, checks
    backwards = []
    span = re.compile(r"equations \(?(\d+\.\d+)\)? to \(?(\d+\.\d+)\)?")
    for path, text in texts:
        for m in span.finditer(" ".join(text.split())):
            if key(m[1]) >= key(m[2]):
                backwards.append(f"{path.relative_to(ROOT)}: {m[0]}")
    assert not backwards, backwards


def test_every_equation_number_in_the_solutions_is_tracked():
    """A number typed by hand would not follow a renumbering: cite with {eq} instead."""
    untracked = []
    for path in sorted(ROOT.glob("solutions/[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            written = set(cell.metadata.get("textbook", {}).get("equations", {}).values())
            for m in re.finditer(r"\(\d{1,2}\.\d{1,2}\)", cell.source):
                if m[0] not in written:
                    untracked.append(f"{path.relative_to(ROOT)} cell {index}: {m[0]}")
    assert not untracked, "write these as {eq}`label`: " + ", ".join(untracked)
