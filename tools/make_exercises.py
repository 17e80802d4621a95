"""Generate the exercise notebooks from the solution notebooks.

``solutions/NN_slug.ipynb`` is the single source of each chapter's coding
exercises. In it, the code a reader must write sits between two marker lines::

    ### BEGIN SOLUTION
    ### HINT: start from the equation a_t = b + W h_{t-1} + U x_t
    ...the worked solution...
    ### END SOLUTION

This script writes ``exercises/NN_slug.ipynb`` with every marked region
replaced by a stub that raises ``NotImplementedError`` carrying the hint (the
``### HINT:`` lines are optional). Cells tagged ``solution-only`` are left
out of the exercise notebook. The first heading of the notebook is replaced by
``metadata.textbook.exercise_title`` when that is set.

Both notebooks get ``metadata.textbook.exercises``, the names of the
exercises their checker calls (``checks.NAME(...)``) check, in order: the
grading command ``python -m textbook_rnn.grade`` reads it, so that an
exercise whose checker cell was deleted still counts.

Both notebooks start with a cell that installs ``textbook_rnn`` where it is
missing (Colab, a downloaded copy), from ``repository.url`` in ``_config.yml``
once that is set (``with_install_cell``; ``textbook_rnn.notebook`` writes it).

Then both notebooks are executed from a clean kernel and saved with their
outputs, so that nbval can re-run them and compare: the solutions must report
success and the stubs "not implemented yet".

Usage::

    python tools/make_exercises.py            # regenerate and execute all
    python tools/make_exercises.py --check    # exit 1 if exercises/ is stale
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

from textbook_rnn.notebook import add_install_cell, readable_markdown
from textbook_rnn.portable_markdown import book_references

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

BEGIN = re.compile(r"^(?P<indent>\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HINT = re.compile(r"^\s*### HINT:\s*(?P<text>.*)$")
SOLUTION_ONLY = "solution-only"
CHECKER_CALL = re.compile(r"^\s*checks\.(\w+)\(", re.MULTILINE)


class MarkerError(ValueError):
    """A solution cell whose markers do not pair up."""


def stub_source(source: str, where: str = "cell") -> str:
    """Replace each marked solution region of one cell's source by a stub.

    Parameters
    ----------
    source : str
        The code of one cell.
    where : str
        Used in error messages (notebook and cell number).

    Returns
    -------
    str
        The code with ``raise NotImplementedError(...)`` in place of each region.
    """
    out: list[str] = []
    inside = False
    indent = ""
    hints: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another region")
            inside, indent, hints = True, begin.group("indent"), []
            continue
        if END.match(line):
            if not inside:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without BEGIN")
            message = "Not implemented yet."
            if hints:
                message += " Hint: " + " ".join(hints)
            out.append(f"{indent}# YOUR CODE HERE")
            out.append(f"{indent}raise NotImplementedError({message!r})")
            inside = False
            continue
        if inside:
            hint = HINT.match(line)
            if hint:
                hints.append(hint.group("text").strip())
            continue
        out.append(line)
    if inside:
        raise MarkerError(f"{where}: BEGIN SOLUTION is never closed")
    return "\n".join(out)


def _retitle(cell, title: str) -> None:
    lines = cell.source.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i] = f"# {title}"
            cell.source = "\n".join(lines)
            return


def checked_exercises(nb: nbformat.NotebookNode) -> list[str]:
    """The names NAME of the checker calls ``checks.NAME(...)`` in a notebook, in order."""
    names: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            names += [n for n in CHECKER_CALL.findall(cell.source) if n not in names]
    return names


def record_exercises(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Store :func:`checked_exercises` in ``nb.metadata.textbook.exercises``; return ``nb``."""
    nb.metadata.setdefault("textbook", {})["exercises"] = checked_exercises(nb)
    return nb


def exercise_from_solution(solution: nbformat.NotebookNode, name: str = "notebook"):
    """Build the exercise notebook (without outputs) from a solution notebook."""
    nb = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(nb.cells):
        if SOLUTION_ONLY in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = stub_source(cell.source, f"{name}, cell {index}")
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    title = nb.metadata.get("textbook", {}).get("exercise_title")
    if title:
        first_markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
        if first_markdown is not None:
            _retitle(first_markdown, title)
    return nb


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with outputs, counts and run metadata removed."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def sources(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What must agree between two notebooks: cell types, sources and tags."""
    return [
        (c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))) for c in nb.cells
    ]


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel; cell errors abort."""
    from nbclient import NotebookClient

    nb = strip_outputs(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
        store_widget_state=False,
    )
    client.execute()
    return nb


def pairs() -> list[tuple[Path, Path]]:
    """(solution, exercise) paths for every chapter that has a solution notebook."""
    return [(p, EXERCISES / p.name) for p in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))]


@functools.cache
def _references():
    references = book_references(ROOT)
    references.link_docs = True
    return references


EQ_ROLE = re.compile(r"\{eq\}`(?P<label>[^`]+)`")


def numbered_equations(nb: nbformat.NotebookNode, numbers: dict) -> nbformat.NotebookNode:
    """Write every ``{eq}`label``` of ``nb`` as its number, and keep those numbers current.

    Roles may stand in markdown and in code (a ``### HINT:`` line, a docstring),
    since readers see both. Each cell remembers what it wrote for which label in
    ``metadata.textbook.equations`` (label -> ``"(7.1)"``), so that a run after
    the chapter's equations are renumbered rewrites the old numbers. ``nb`` is
    changed in place and returned.

    Raises
    ------
    KeyError
        A role names a label that no chapter defines.
    """
    for index, cell in enumerate(nb.cells):
        textbook = cell.metadata.get("textbook", {})
        written = dict(textbook.get("equations", {}))
        source = cell.source
        for label in list(written):
            if label not in numbers:
                raise KeyError(f"cell {index} cites equation {label!r}, which no chapter "
                               "defines any longer")
        changed = {label: shown for label, shown in written.items()
                   if shown != f"({numbers[label]})"}
        for label, shown in changed.items():  # two passes: a new number may be an old one
            source = source.replace(shown, f"\0{label}\0")
        for label in changed:
            written[label] = f"({numbers[label]})"
            source = source.replace(f"\0{label}\0", written[label])

        def number(match, index=index, written=written):
            label = match["label"].strip()
            if label not in numbers:
                raise KeyError(f"cell {index} cites equation {label!r}, which no chapter defines")
            written[label] = f"({numbers[label]})"
            return written[label]

        source = EQ_ROLE.sub(number, source)
        cell.source = source
        if written:
            cell.metadata.setdefault("textbook", {})["equations"] = dict(sorted(written.items()))
    return nb


EQUATION_TABLE = ROOT / "src" / "textbook_rnn" / "checks" / "_equation_numbers.py"


def equation_table_source() -> str:
    """The text of ``checks/_equation_numbers.py``: every equation's number, by label.

    The checkers' hints name equations by label; a report shows the number
    the site shows instead (``checks._core.cite_equations``).
    """
    references = _references()
    rows = "".join(f"    {json.dumps(label)}: {json.dumps(number)},\n" for label, number in sorted(
        references.numbers.items()) if references.kinds.get(label) == "eq")
    return ('"""The book\'s equation numbers by label, for the checkers\' reports.\n\n'
            "Generated by tools/make_exercises.py from the chapters; do not edit by hand\n"
            '(`make exercises` rewrites it, `--check` says when it is stale).\n"""\n\n'
            f"NUMBERS = {{\n{rows}}}\n")


def readable(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with markdown that Jupyter and Colab render, where readers work in it.

    MyST roles become what the site shows (equation numbers, titles) and
    ``{doc}`` a Markdown link that myst-nb resolves too. Equation numbers go
    through :func:`numbered_equations`, in code cells as well, so that they
    follow a renumbering.
    """
    references = _references()
    return readable_markdown(numbered_equations(nb, references.numbers), references)


def with_install_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with the install cell first, for the repository in ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    return add_install_cell(nb, repo.get("url") or None, repo.get("branch") or None)


def stale(solution_path: Path, exercise_path: Path) -> str | None:
    """Say why ``exercise_path`` is out of date with ``solution_path``, or None."""
    if not exercise_path.exists():
        return f"{exercise_path.relative_to(ROOT)} is missing"
    solution = nbformat.read(solution_path, as_version=4)
    if sources(solution) != sources(with_install_cell(readable(copy.deepcopy(solution)))):
        return (f"{solution_path.relative_to(ROOT)} lacks the current install cell "
                "or holds MyST roles")
    expected = exercise_from_solution(solution, solution_path.name)
    found = nbformat.read(exercise_path, as_version=4)
    if sources(expected) != sources(found):
        return f"{exercise_path.relative_to(ROOT)} differs from what {solution_path.name} generates"
    listed = found.metadata.get("textbook", {}).get("exercises")
    if listed != checked_exercises(expected):
        return f"{exercise_path.relative_to(ROOT)} lists exercises {listed} in its metadata"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    if args.check:
        problems = [msg for s, e in pairs() if (msg := stale(s, e))]
        if (not EQUATION_TABLE.exists()
                or EQUATION_TABLE.read_text(encoding="utf-8") != equation_table_source()):
            problems.append(f"{EQUATION_TABLE.relative_to(ROOT)} is out of date")
        for msg in problems:
            print(msg)
        if problems:
            print("run `make exercises` to regenerate them")
        return 1 if problems else 0
    EQUATION_TABLE.write_text(equation_table_source(), encoding="utf-8")
    EXERCISES.mkdir(exist_ok=True)
    for solution_path, exercise_path in pairs():
        solution = record_exercises(with_install_cell(readable(
            nbformat.read(solution_path, as_version=4))))
        exercise = record_exercises(exercise_from_solution(solution, solution_path.name))
        print(f"executing {solution_path.relative_to(ROOT)}", flush=True)
        nbformat.write(execute(solution, SOLUTIONS), solution_path)
        print(f"executing {exercise_path.relative_to(ROOT)}", flush=True)
        nbformat.write(execute(exercise, EXERCISES), exercise_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
