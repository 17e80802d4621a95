"""The harness behind every exercise checker.

A checker (``checks.rnn_step``, ``checks.sequence_nll``, later chapters' ones)
describes its exercise (:class:`Exercise`), builds a list of :class:`Case`
objects whose expected outputs come from the package's reference code, and
hands both to :func:`run_cases` together with the reader's function. The
harness calls the function on copies of each case's arguments, never lets an
exception escape, and returns a :class:`CheckResult` whose text is a short,
deterministic report: one line per case that passed, what went wrong in the
first case that failed (expected against got, shapes, largest error), a hint
that points at the equation to compare with, and a verdict.

Expected outputs are described by small spec objects that compose, so that
later checkers can compare several outputs or dicts of gradients:
:class:`Array`, :class:`Scalar`, :class:`TupleOf`, :class:`DictOf` and
:class:`Anything`, defined in :mod:`textbook_rnn.checks._specs` and
re-exported here.

The report is plain text (``__repr__``, ``__str__`` and IPython's
``_repr_pretty_`` all return it), which is what nbval compares when it re-runs
the exercise notebooks. In a notebook the same output also carries a small
machine-readable summary in its metadata (:meth:`CheckResult.summary`, under
the key :data:`METADATA_KEY`), which nbval ignores and the grading command
``python -m textbook_rnn.grade`` reads.

Each call of the reader's function has a time limit (:data:`TIME_LIMIT_S`
seconds, enforced with ``SIGALRM`` where the platform has it, i.e. in the
main thread on Linux and macOS): code that loops forever or sleeps is stopped
and reported, and the checker moves on.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import re
import signal
import textwrap
import threading
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ._specs import (
    Anything,
    Array,
    DictOf,
    Expected,
    Problem,
    Scalar,
    TupleOf,
    describe_value,
    fmt_error,
)

__all__ = [
    "Anything",
    "Array",
    "Call",
    "Case",
    "CheckResult",
    "DictOf",
    "Exercise",
    "Expected",
    "Problem",
    "Scalar",
    "TupleOf",
    "call_safely",
    "describe_value",
    "run_cases",
]

PASSED = "passed"
FAILED = "failed"
NOT_IMPLEMENTED = "not implemented"

MARK_PASS = "✓"
MARK_FAIL = "✗"
WIDTH = 88

#: Seconds one call of the reader's function may take before it is stopped.
TIME_LIMIT_S = 30.0

#: The key of the machine-readable summary in a notebook output's metadata.
METADATA_KEY = "textbook_rnn_check"

# Hints used when neither the case nor the exercise gives one for a kind of
# problem. "{name}" and "{params}" are filled in with the exercise's names.
DEFAULT_HINTS = {
    "not_callable": "Pass the function itself, without calling it: `checks.{name}({name})`.",
    "signature": "Define it as `def {name}({params}):`, with these arguments in this order.",
    "exception": "Call your function by hand on small arrays and print the shape of each "
    "intermediate result.",
    "mutation": "Build new arrays instead of changing the inputs: write `a = a - m` rather than "
    "`a -= m`, and do not assign into slices of an argument.",
    "timeout": "Look for a loop whose condition never becomes false (a `while` whose variable "
    "is never updated), or a call that waits: `input()`, `time.sleep`. One-time work, such "
    "as an import, belongs outside the function.",
    "type": "Check what your function returns.",
    "shape": "Check the shape of what your function returns.",
    "dtype": "Return floating-point numbers.",
    "nonfinite": "Look for an exp that overflows or a log of zero.",
    "value": "Compare your code with the equations of the exercise, one term at a time.",
}


# --------------------------------------------------------------------------
# Calling the reader's function
# --------------------------------------------------------------------------


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _one_line(text: str, limit: int = 200) -> str:
    text = _ADDRESS.sub("", " ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Call:
    """What happened when the reader's function was called once.

    Attributes
    ----------
    value : object
        The return value (``None`` when the call raised).
    error : str or None
        ``"TypeError: message"`` on one line when the call raised.
    where : str or None
        The line of the reader's code that raised, when it can be found.
    not_implemented : str or None
        The message of a ``NotImplementedError`` (the exercise stub).
    warnings : tuple of str
        Distinct warnings emitted during the call, in order.
    timed_out : bool
        Whether the call was stopped at the time limit.
    """

    value: Any = None
    error: str | None = None
    where: str | None = None
    not_implemented: str | None = None
    warnings: tuple[str, ...] = ()
    timed_out: bool = False


class _TimeLimit(BaseException):
    """Raised inside the reader's code when its time is up.

    A ``BaseException``, so that the reader's own ``except Exception`` cannot
    swallow it.
    """


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _time_limit(seconds: float | None):
    """Raise :class:`_TimeLimit` in the body after ``seconds`` (where SIGALRM exists).

    A timer already running (pytest-timeout, say) is put back afterwards with
    the time it had left, less the time spent here.
    """
    if not seconds or seconds <= 0 or not _can_time():
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeLimit

    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay:
            left = max(old_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def _reader_line(fn, tb) -> str | None:
    """The source line of ``fn``'s own code where an exception was raised."""
    code = getattr(inspect.unwrap(fn), "__code__", None) if callable(fn) else None
    if code is None or tb is None:
        return None
    try:
        frames = traceback.extract_tb(tb)
    except Exception:
        return None
    mine = [f for f in frames if f.filename == code.co_filename and (f.line or "").strip()]
    return _one_line(mine[-1].line.strip(), 120) if mine else None


def call_safely(fn: Callable, args: Sequence, kwargs: Mapping | None = None, *,
                time_limit: float | None = None) -> Call:
    """Call ``fn(*args, **kwargs)`` and record the outcome instead of raising.

    ``Exception`` and ``SystemExit`` are caught (``KeyboardInterrupt`` is not,
    so a reader can still stop a runaway cell). numpy floating-point errors are
    set to warn, whatever the global setting, and every warning is recorded
    rather than printed, so that the notebook output is the report alone. A
    call that runs longer than ``time_limit`` seconds is stopped (see
    :func:`_time_limit`) and recorded with ``timed_out=True``.

    Parameters
    ----------
    fn : callable
        The reader's function.
    args : sequence
        Positional arguments, passed as they are (copy them first).
    kwargs : mapping, optional
        Keyword arguments.
    time_limit : float, optional
        Seconds the call may take; ``None`` or 0 for no limit.

    Returns
    -------
    Call
        The value, or the one-line error, or the stub's message.
    """
    kwargs = dict(kwargs or {})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            try:
                with _time_limit(time_limit):
                    value = fn(*args, **kwargs)
            except _TimeLimit:
                return Call(timed_out=True, warnings=_distinct(caught))
            except NotImplementedError as exc:
                return Call(not_implemented=_one_line(exc, 600) or "")
            except (Exception, SystemExit) as exc:
                message = _one_line(exc)
                if isinstance(exc, SystemExit):
                    code = f" ({message})" if message else ""
                    message = f"sys.exit() or exit() was called{code}"
                error = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
                return Call(error=error, where=_reader_line(fn, exc.__traceback__),
                            warnings=_distinct(caught))
    return Call(value=value, warnings=_distinct(caught))


def _distinct(caught) -> tuple[str, ...]:
    seen: list[str] = []
    for w in caught:
        text = _one_line(w.message, 120)
        if text not in seen:
            seen.append(text)
    return tuple(seen[:3])


def _unchanged(before, after) -> bool:
    """Whether ``after`` still equals the pristine copy ``before``."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return False
        if after.dtype != before.dtype:
            return False
        return bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, dict):
        return (isinstance(after, dict) and list(before) == list(after)
                and all(_unchanged(before[k], after[k]) for k in before))
    if isinstance(before, (list, tuple)):
        return (type(after) is type(before) and len(after) == len(before)
                and all(_unchanged(a, b) for a, b in zip(before, after, strict=True)))
    try:
        return bool(before == after)
    except Exception:
        return False


def _change(before, after) -> str:
    """A few words on how an argument changed."""
    if isinstance(before, np.ndarray) and isinstance(after, np.ndarray):
        if after.shape != before.shape:
            return f"its shape changed from {tuple(before.shape)} to {tuple(after.shape)}"
        if after.dtype != before.dtype:
            return f"its dtype changed from {before.dtype} to {after.dtype}"
        if before.dtype.kind in "fiu":
            with np.errstate(all="ignore"):
                diff = np.abs(after.astype(np.float64) - before.astype(np.float64))
            n = int(np.sum(~(diff == 0)))
            biggest = np.nanmax(diff) if np.isfinite(diff).any() else math.inf
            return f"{n} of {before.size} entries changed, by up to {fmt_error(biggest)}"
    return "its contents changed"


# --------------------------------------------------------------------------
# Exercises, cases and results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """What a checker needs to know about the function the reader writes.

    Attributes
    ----------
    name : str
        The function's name, e.g. ``"rnn_step"``.
    title : str
        A few words on what it computes, shown in the report's first line.
    params : tuple of str
        The book's names of its arguments, in order (used to name a mutated
        argument and in the signature hint).
    hints : mapping of str to str
        Hints by kind of problem (see :class:`Problem`); ``DEFAULT_HINTS`` fill
        the gaps.
    """

    name: str
    title: str
    params: tuple[str, ...]
    hints: Mapping[str, str] = field(default_factory=dict)

    def hint(self, kind: str, case: Case | None = None) -> str:
        """The hint for a kind of problem: the case's, else the exercise's, else a default."""
        text = None
        if case is not None:
            text = case.hints.get(kind)
        if text is None:
            text = self.hints.get(kind, DEFAULT_HINTS.get(kind, DEFAULT_HINTS["value"]))
        return text.replace("{name}", self.name).replace("{params}", ", ".join(self.params))


@dataclass(frozen=True)
class Case:
    """One call of the reader's function and what it must return.

    Attributes
    ----------
    label : str
        Shown in the report, e.g. ``"N=2, D=3, H=4 (D differs from H)"``.
    args : tuple
        Positional arguments; the reader's function gets deep copies.
    expected : Expected
        The spec of the correct output, built from the package's reference.
    near_misses : tuple of (str, Expected)
        Outputs of common mistakes with the sentence that names each; when a
        wrong result matches one, the report says so.
    hints : mapping of str to str
        Hints for this case only, by kind of problem.
    """

    label: str
    args: tuple
    expected: Expected
    near_misses: tuple[tuple[str, Expected], ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseReport:
    """The outcome of one case: its label and whether it passed."""

    label: str
    passed: bool


class CheckResult:
    """The outcome of a checker, shown as a short plain-text report.

    ``bool(result)`` is True exactly when every case passed. ``str(result)``,
    ``repr(result)`` and the notebook display are the same report.

    Attributes
    ----------
    name : str
        The exercise's function name.
    title : str
        What the function computes.
    status : str
        ``"passed"``, ``"failed"`` or ``"not implemented"``.
    cases : list of CaseReport
        The cases that ran, in order.
    n_cases : int
        How many cases the checker has.
    problem : Problem or None
        The first problem found.
    hint : str or None
        The hint for that problem.
    stub_message : str or None
        The message of the stub's ``NotImplementedError``.
    """

    def __init__(self, name: str, title: str, status: str, cases: Sequence[CaseReport],
                 n_cases: int, problem: Problem | None = None, hint: str | None = None,
                 stub_message: str | None = None) -> None:
        if status not in (PASSED, FAILED, NOT_IMPLEMENTED):
            raise ValueError(f"status must be passed, failed or not implemented, got {status!r}")
        self.name = name
        self.title = title
        self.status = status
        self.cases = list(cases)
        self.n_cases = n_cases
        self.problem = problem
        self.hint = hint
        self.stub_message = stub_message

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return self.status == PASSED

    @property
    def n_passed(self) -> int:
        """How many cases passed."""
        return sum(c.passed for c in self.cases)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def report(self) -> str:
        """The text of the report (also ``str(result)``)."""
        lines = [f"Checking {self.name}: {self.title}"]
        n = self.n_cases
        for i, case in enumerate(self.cases, start=1):
            mark = MARK_PASS if case.passed else MARK_FAIL
            lines.append(f"  {mark} case {i} of {n}: {case.label}")
            if not case.passed and self.problem is not None:
                lines.extend(_wrap(self.problem.summary, "      "))
                for detail in self.problem.details:
                    lines.extend(_wrap(detail, "      "))
        if self.status == FAILED and not any(not c.passed for c in self.cases):
            # a problem found before any case ran (not callable, wrong signature)
            lines.append(f"  {MARK_FAIL} {self.problem.summary if self.problem else 'failed'}")
            for detail in self.problem.details if self.problem else ():
                lines.extend(_wrap(detail, "      "))
        if self.status == NOT_IMPLEMENTED:
            lines.append(f"  {self.name} is not written yet: it raises NotImplementedError.")
            if self.stub_message:
                lines.extend(_wrap(f"Its message: {self.stub_message}", "  "))
            lines.extend(_wrap(
                "Replace the `raise NotImplementedError(...)` line with your code, run that "
                "cell, then run this check again.", "  "))
        elif self.status == FAILED and self.hint:
            lines.extend(_wrap(f"Hint: {self.hint}", "  ", "        "))
        if self.status == PASSED:
            lines.append(f"All checks passed ({n} of {n} cases).")
        elif self.status == FAILED and not self.cases:
            lines.append("Failed before any case could run. Fix it and run this check again.")
        elif self.status == FAILED:
            lines.append(f"Failed: {self.n_passed} of {n} cases passed before the first failure. "
                         "Fix it and run this check again.")
        else:
            lines.append(f"Not implemented yet ({n} cases waiting).")
        return "\n".join(lines)

    @property
    def first_failure(self) -> str | None:
        """The first failure on one line (which case, what went wrong), or None."""
        if self.status != FAILED:
            return None
        summary = self.problem.summary if self.problem else "failed"
        failed = [i for i, c in enumerate(self.cases, start=1) if not c.passed]
        if not failed:
            return cite_equations(summary)
        i = failed[0]
        return cite_equations(f"case {i} of {self.n_cases} ({self.cases[i - 1].label}): {summary}")

    def summary(self) -> dict:
        """A machine-readable summary: what the grading command reads.

        Returns
        -------
        dict
            ``exercise`` (the function's name), ``status`` (``"passed"``,
            ``"failed"`` or ``"not implemented"``), ``passed`` and ``cases``
            (counts), ``failure`` (:attr:`first_failure`).
        """
        return {"exercise": self.name, "status": self.status, "passed": self.n_passed,
                "cases": self.n_cases, "failure": self.first_failure}

    def __str__(self) -> str:
        return self.report

    def __repr__(self) -> str:
        return self.report

    def _repr_pretty_(self, p, cycle) -> None:
        """Show the report as the plain-text output of a notebook cell."""
        p.text(self.report)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The report as plain text, with :meth:`summary` in the output's metadata."""
        return {"text/plain": self.report}, {METADATA_KEY: self.summary()}


# spans kept on one line: `code` and "(equation label)"
_CODE = re.compile(r"`[^`]*`|\(equations? [^()]*\)")
_KEEP = "\u00a0"  # no-break space: textwrap does not split on it


@functools.cache
def _equation_label():
    from textbook_rnn.checks._equation_numbers import NUMBERS

    labels = sorted(NUMBERS, key=len, reverse=True)  # "lstm-h" after "lstm-htilde"
    return NUMBERS, re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, labels)) + r")(?![\w-])")


def cite_equations(text: str) -> str:
    """``text`` with every equation label the book defines replaced by its number.

    The checkers' hints name equations by their labels (``"(equation rnn-a)"``);
    readers see numbers on the site and in the notebooks, so the report says
    ``"(equation 1.10)"``. The numbers come from ``_equation_numbers``, which
    ``tools/make_exercises.py`` generates from the chapters.
    """
    numbers, label = _equation_label()
    return label.sub(lambda m: numbers[m.group(1)], text)


def _wrap(text: str, indent: str, subsequent: str | None = None) -> list[str]:
    """Wrap ``text`` to the report's width, never inside `code` or "(equation ...)".

    Equation labels become numbers first (:func:`cite_equations`).
    """
    text = cite_equations(text)
    text = _CODE.sub(lambda m: m.group(0).replace(" ", _KEEP), text)
    lines = textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]
    return [line.replace(_KEEP, " ") for line in lines]


def _signature_problem(exercise: Exercise, fn, args: tuple) -> Problem | None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None  # builtins without a signature: let the call speak
    try:
        signature.bind(*args)
    except TypeError as exc:
        return Problem(
            "signature",
            f"{exercise.name} cannot be called as {exercise.name}({', '.join(exercise.params)}): "
            f"{_one_line(exc)}",
        )
    return None


def _run_case(exercise: Exercise, fn, case: Case) -> tuple[Problem | None, Call]:
    given = copy.deepcopy(case.args)
    call = call_safely(fn, given, time_limit=TIME_LIMIT_S)
    if call.not_implemented is not None:
        return None, call
    if call.timed_out:
        return Problem(
            "timeout",
            f"{exercise.name} did not return within {TIME_LIMIT_S:g} seconds on this small "
            "case, so the checker stopped it",
        ), call
    if call.error is not None:
        details = (f"at: {call.where}",) if call.where else ()
        return Problem("exception", f"{exercise.name} raised {call.error}", details), call
    for name, before, after in zip(exercise.params, case.args, given, strict=False):
        if not _unchanged(before, after):
            return Problem(
                "mutation",
                f"{exercise.name} modified its argument {name} in place: {_change(before, after)}",
            ), call
    problem = case.expected.compare(call.value)
    if problem is None:
        return None, call
    if call.value is None:
        problem = problem.with_details(
            f"{exercise.name} returned None: does it end with a `return` statement?")
    if problem.kind in ("value", "shape"):
        for sentence, spec in case.near_misses:
            # a near miss that equals the reference here tells nothing
            if spec.matches(call.value) and not case.expected.matches(_reference_of(spec)):
                problem = problem.with_details(f"Your result matches a common mistake: {sentence}")
                break
    if call.warnings:
        problem = problem.with_details("numpy warned: " + "; ".join(call.warnings))
    return problem, call


def _reference_of(spec: Expected):
    """The value a spec stands for, to test whether a near miss is distinct."""
    if isinstance(spec, (Array, Scalar)):
        return spec.value
    if isinstance(spec, TupleOf):
        return tuple(_reference_of(s) for s in spec.items)
    if isinstance(spec, DictOf):
        return {k: _reference_of(s) for k, s in spec.items.items()}
    return None


def run_cases(exercise: Exercise, fn, cases: Sequence[Case]) -> CheckResult:
    """Run the reader's function on each case, stopping at the first failure.

    Parameters
    ----------
    exercise : Exercise
        Names, title and hints of the exercise.
    fn : callable
        The reader's function.
    cases : sequence of Case
        The cases, simplest first.

    Returns
    -------
    CheckResult
        Never raises, whatever ``fn`` does (short of ``KeyboardInterrupt``).
    """
    n = len(cases)
    reports: list[CaseReport] = []

    def result(status, problem=None, case=None, stub=None):
        hint = exercise.hint(problem.kind, case) if problem is not None else None
        return CheckResult(exercise.name, exercise.title, status, reports, n, problem, hint, stub)

    if not callable(fn):
        problem = Problem("not_callable",
                          f"checks.{exercise.name} needs your function, got {describe_value(fn)}")
        return result(FAILED, problem)
    if cases:
        problem = _signature_problem(exercise, fn, cases[0].args)
        if problem is not None:
            return result(FAILED, problem)
    for case in cases:
        try:
            problem, call = _run_case(exercise, fn, case)
        except Exception as exc:  # a result so odd that examining it failed
            problem = Problem("type", f"could not examine what {exercise.name} returned: "
                                      f"{type(exc).__name__}: {_one_line(exc)}")
            call = Call()
        if call.not_implemented is not None:
            return result(NOT_IMPLEMENTED, stub=call.not_implemented)
        reports.append(CaseReport(case.label, problem is None))
        if problem is not None:
            return result(FAILED, problem, case)
    return result(PASSED)
