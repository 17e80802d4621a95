"""Checkers for the coding exercises of ``chapters/05_deep_recursive.md``.

The chapter "Deep and recursive networks":

- :func:`deep_recursive_example` checks the reader's
  ``deep_recursive_example(x, W)``: z_t = tanh(W x_t) at every step of a
  batch of sequences (equation ``deep-recursive-example``).
  SKELETON: replace by the chapter's exercises, one checker each.

The expected values come from :mod:`textbook_rnn.deep_recursive`. Each case also
carries the outputs of common mistakes, so that the report can name a wrong
answer ("W is used untransposed") rather than only measure it. The harness,
which calls the reader's function safely and writes the report, is
:mod:`textbook_rnn.checks._core`.
"""

from __future__ import annotations

import numpy as np

from .. import deep_recursive as ref
from ._core import Array, Case, CheckResult, Exercise, run_cases

__all__ = ["deep_recursive_example"]

# The equation as reports quote it; backticks keep it on one line.
EQ = "`z_t = tanh(W x_t)` (equation deep-recursive-example)"
ROWS = "with one example per row, `W x_t` is `x @ W.T`"

EXAMPLE = Exercise(
    name="deep_recursive_example",
    title="SKELETON: z_t = tanh(W x_t) at every step",
    params=("x", "W"),
    hints={
        "exception": f"x is (N, T, D) and W is (H, D); {ROWS}, which is (N, T, H).",
        "shape": f"The result has one row per sequence, one per step, one column per unit: "
        f"(N, T, H); {ROWS}.",
        "value": f"Compare with {EQ}; {ROWS}.",
        "mutation": "Build a new array; do not write into x or W.",
    },
)


def _case(label: str, x, W) -> Case:
    """A case with its reference output and the outputs of common mistakes."""
    x, W = (np.asarray(v, dtype=np.float64) for v in (x, W))
    expected = ref.deep_recursive_example(x, W)

    def spec(value):
        return Array(value, "z", "(N, T, H)")

    misses = [(f"tanh is missing: {EQ}.", x @ W.T)]
    if W.shape[0] == W.shape[1]:
        misses.append((f"W is used untransposed; {ROWS}.", np.tanh(x @ W)))
    return Case(label=label, args=(x, W), expected=spec(expected),
                near_misses=tuple((sentence, spec(value)) for sentence, value in misses))


def deep_recursive_example_cases() -> list[Case]:
    """The cases of :func:`deep_recursive_example`, simplest first.

    Returns
    -------
    list of Case
        One step by hand, then random batches (seeded) of growing size.
    """
    rng = np.random.default_rng(5)
    return [
        _case("N=1, T=1, D=H=1 by hand: x = 0.5, W = 2, z = tanh(1) = 0.76159",
              [[[0.5]]], [[2.0]]),
        _case("N=2, T=3, D=H=2, random (a square W)", rng.normal(size=(2, 3, 2)),
              rng.normal(size=(2, 2))),
        _case("N=3, T=4, D=3, H=5, random (D differs from H)", rng.normal(size=(3, 4, 3)),
              rng.normal(size=(5, 3))),
    ]


def deep_recursive_example(fn) -> CheckResult:
    """Check the reader's ``deep_recursive_example(x, W)`` (exercise 1).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(EXAMPLE, fn, deep_recursive_example_cases())
