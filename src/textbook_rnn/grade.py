"""Grade an exercise notebook: run it in a fresh kernel and collect every checker's verdict.

Usage, from the book's folder::

    python -m textbook_rnn.grade exercises/01_recurrence.ipynb
    python -m textbook_rnn.grade exercises/*.ipynb        # or: make grade

The notebook is executed from top to bottom in a new Jupyter kernel, the way
"Restart and run all" would, without changing the file. Every cell runs even
when an earlier one raises, and each cell has a time limit (``--timeout``).
Then one line per exercise says whether it passed, failed (with the checker's
first failure) or is not written yet. The command exits with status 0 only
when every exercise of every notebook passed.

How verdicts are read: a checker's result, shown as a cell's output, carries a
machine-readable summary in the output's metadata
(:meth:`textbook_rnn.checks.CheckResult.summary`, under
``textbook_rnn.checks._core.METADATA_KEY``). A report that was printed instead
(``print(checks.rnn_step(rnn_step))``) is recognised by its text. The
exercises a notebook holds are listed in its metadata
(``metadata.textbook.exercises``, written by ``tools/make_exercises.py``), or
else found from its checker calls, ``checks.NAME(...)``; an exercise whose
checker never reported (its cell raised, or was deleted) counts as failed.

This module needs ``nbformat`` and ``nbclient`` (both in ``requirements.txt``).
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ._optional import require

__all__ = ["Verdict", "exercises_of", "grade_notebook", "main", "verdicts_of"]

PASSED = "passed"
FAILED = "failed"
NOT_WRITTEN = "not written yet"

#: Seconds one cell may run before it is interrupted.
DEFAULT_TIMEOUT_S = 300

CHECKER_CALL = re.compile(r"^\s*(?:\w+\s*=\s*)?(?:print\()?checks\.(\w+)\(", re.MULTILINE)
_REPORT_HEAD = re.compile(r"^Checking (\w+): ", re.MULTILINE)
_FAILED_CASE = re.compile(r"^  ✗ (case \d+ of \d+: .*)$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise.

    Attributes
    ----------
    exercise : str
        The function's name, e.g. ``"rnn_step"``.
    status : str
        ``"passed"``, ``"failed"`` or ``"not written yet"``.
    detail : str
        What passed (``"6 of 6 cases"``), or the first failure, on one line.
    """

    exercise: str
    status: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        """Whether the exercise passed."""
        return self.status == PASSED

    def line(self, width: int = 0) -> str:
        """The verdict as one line of the grading report."""
        text = self.status if not self.detail else (
            f"{self.status} ({self.detail})" if self.status == PASSED
            else f"{self.status}: {self.detail}")
        return f"  {self.exercise:<{width}}  {text}"


def _metadata_key() -> str:
    from .checks._core import METADATA_KEY

    return METADATA_KEY


def exercises_of(nb) -> list[str]:
    """The exercises a notebook holds, in order.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    list of str
        ``nb.metadata.textbook.exercises`` when set, else the names ``NAME``
        of the calls ``checks.NAME(...)`` in its code cells.
    """
    listed = nb.metadata.get("textbook", {}).get("exercises")
    if listed:
        return list(listed)
    names: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for name in CHECKER_CALL.findall(cell.source):
                if name not in names:
                    names.append(name)
    return names


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text_of(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    return output.get("data", {}).get("text/plain", "")


def _from_summary(summary: dict) -> Verdict:
    name, status = summary["exercise"], summary.get("status")
    if status == "passed":
        return Verdict(name, PASSED, f"{summary['passed']} of {summary['cases']} cases")
    if status == "not implemented":
        return Verdict(name, NOT_WRITTEN)
    return Verdict(name, FAILED, _one_line(summary.get("failure") or "the checker failed"))


def _from_text(name: str, report: str) -> Verdict:
    """Read a verdict from a report's text (a printed report has no metadata)."""
    last = report.rstrip().splitlines()[-1] if report.strip() else ""
    if last.startswith("All checks passed"):
        counts = re.search(r"\((\d+ of \d+) cases\)", last)
        return Verdict(name, PASSED, f"{counts.group(1)} cases" if counts else "")
    if last.startswith("Not implemented yet"):
        return Verdict(name, NOT_WRITTEN)
    case = _FAILED_CASE.search(report)
    if case:
        lines = report[case.end():].splitlines()
        problem = lines[1].strip() if len(lines) > 1 else ""
        return Verdict(name, FAILED, _one_line(f"{case.group(1)}: {problem}"))
    return Verdict(name, FAILED, _one_line(last or "the checker failed"))


def verdicts_of(executed, names: list[str] | None = None) -> list[Verdict]:
    """Read each exercise's verdict from an executed notebook.

    Parameters
    ----------
    executed : nbformat.NotebookNode
        The notebook with the outputs of one run.
    names : list of str, optional
        The exercises to look for; :func:`exercises_of` by default.

    Returns
    -------
    list of Verdict
        One per exercise, in order. The last report of an exercise counts;
        an exercise without any report fails, saying why.
    """
    names = exercises_of(executed) if names is None else names
    key = _metadata_key()
    found: dict[str, Verdict] = {}
    errors: dict[str, str] = {}
    first_error: tuple[int, str] | None = None
    for number, cell in enumerate(executed.cells, start=1):
        if cell.cell_type != "code":
            continue
        called = CHECKER_CALL.findall(cell.source)
        for output in cell.get("outputs", []):
            summary = output.get("metadata", {}).get(key)
            if isinstance(summary, dict) and summary.get("exercise") in names:
                found[summary["exercise"]] = _from_summary(summary)
                continue
            if output.get("output_type") == "error":
                message = _one_line(f"{output.get('ename')}: {output.get('evalue')}", 200)
                if first_error is None:
                    first_error = (number, message)
                for name in called:
                    errors[name] = message
                continue
            text = _text_of(output)
            for match in _REPORT_HEAD.finditer(text):
                name = match.group(1)
                if name in names:
                    rest = text[match.start():]
                    nxt = _REPORT_HEAD.search(rest, 1)
                    found[name] = _from_text(name, rest[: nxt.start()] if nxt else rest)
    verdicts = []
    for name in names:
        if name in found:
            verdicts.append(found[name])
        elif name in errors:
            why = f"its checker cell raised {errors[name]}"
            if first_error is not None and first_error[1] != errors[name]:
                why += f" (the first error was in cell {first_error[0]}: {first_error[1]})"
            verdicts.append(Verdict(name, FAILED, why))
        else:
            verdicts.append(Verdict(name, FAILED, f"no report from checks.{name}: end a cell "
                                                  f"with `checks.{name}({name})` and run it"))
    return verdicts


def _execute(nb, folder: Path, timeout: int, kernel_name: str | None):
    """Run a copy of ``nb`` in a fresh kernel; return it and a problem, if any."""
    nbclient = require("nbclient")
    from nbclient.exceptions import DeadKernelError

    run = copy.deepcopy(nb)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    stopped = {"output_type": "error", "ename": "TimeoutError",
               "evalue": f"the cell ran longer than {timeout} s and was stopped", "traceback": []}

    def name_timeouts(cell, cell_index, execute_reply):
        # the interrupt shows up as a KeyboardInterrupt the reader never typed
        if execute_reply and execute_reply.get("content", {}).get("ename") == "TimeoutError":
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            cell.outputs.append(nbformat.from_dict(stopped))

    nbformat = require("nbformat")
    client = nbclient.NotebookClient(
        run,
        timeout=timeout,
        kernel_name=kernel_name or run.metadata.get("kernelspec", {}).get("name", "python3"),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={k: v for k, v in stopped.items() if k != "output_type"},
        on_cell_executed=name_timeouts,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        # the kernel's own log (not the cells' output) would only clutter the report
        client.execute(stderr=subprocess.DEVNULL)
    except DeadKernelError as exc:
        return run, f"the kernel died ({_one_line(exc, 160)})"
    return run, None


def grade_notebook(path, timeout: int = DEFAULT_TIMEOUT_S,
                   kernel_name: str | None = None) -> list[Verdict]:
    """Execute one notebook in a fresh kernel and return each exercise's verdict.

    Parameters
    ----------
    path : str or Path
        The notebook (it is read, never written).
    timeout : int
        Seconds one cell may run before it is interrupted.
    kernel_name : str, optional
        The Jupyter kernel; the notebook's own by default.

    Returns
    -------
    list of Verdict
        One per exercise, in the notebook's order.
    """
    nbformat = require("nbformat")
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    names = exercises_of(nb)
    executed, problem = _execute(nb, path.resolve().parent, timeout, kernel_name)
    verdicts = verdicts_of(executed, names)
    if problem:
        verdicts = [v if v.passed or v.status == NOT_WRITTEN else Verdict(
            v.exercise, FAILED, f"{problem}; {v.detail}") for v in verdicts]
    return verdicts


def main(argv: list[str] | None = None) -> int:
    """Grade the notebooks named on the command line; 0 when every exercise passed."""
    parser = argparse.ArgumentParser(
        prog="python -m textbook_rnn.grade",
        description="Run exercise notebooks in a fresh kernel and report every checker.")
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
                        help="exercise notebooks, e.g. exercises/01_recurrence.ipynb")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds one cell may run (default {DEFAULT_TIMEOUT_S})")
    parser.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the "
                                                       "notebook's own)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    total = passed = 0
    for path in args.notebooks:
        print(path, flush=True)
        try:
            verdicts = grade_notebook(path, timeout=args.timeout, kernel_name=args.kernel)
        except Exception as exc:  # an unreadable notebook, a kernel that will not start
            print(f"  could not run it: {type(exc).__name__}: {_one_line(exc, 200)}")
            total += 1
            continue
        if not verdicts:
            print("  no exercises found (no `checks.NAME(...)` call)")
            total += 1
            continue
        width = max(len(v.exercise) for v in verdicts)
        for verdict in verdicts:
            print(verdict.line(width), flush=True)
        total += len(verdicts)
        passed += sum(v.passed for v in verdicts)
    print(f"{passed} of {total} exercises passed.")
    return 0 if total and passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
