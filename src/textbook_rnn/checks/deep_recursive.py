"""Checkers for the coding exercises of ``chapters/05_deep_recursive.md``.

The chapter "Deep and recursive networks":

- :func:`deep_recursive_example` checks the reader's
  ``deep_recursive_example(x, W)``: z_t = tanh(W x_t) at every step of a
  batch of sequences (equation ``deep-recursive-example``).
  SKELETON: replace by the chapter's exercises, one checker each.
- :func:`path_length` checks the reader's ``path_length(k, transition_depth,
  shortcut)``: the fewest tanh layers between x(t) and y(t+k) in a
  deep-transition RNN (equation ``deep-path``), against a breadth-first
  search over the unrolled graph (:func:`textbook_rnn.deep.shortest_path`).

The expected values come from :mod:`textbook_rnn.deep_recursive`. Each case also
carries the outputs of common mistakes, so that the report can name a wrong
answer ("W is used untransposed") rather than only measure it. The harness,
which calls the reader's function safely and writes the report, is
:mod:`textbook_rnn.checks._core`.
"""

from __future__ import annotations

import numpy as np

from .. import deep_recursive as ref
from ._core import Array, Case, CheckResult, Exercise, Scalar, run_cases

__all__ = ["deep_recursive_example"]
__all__ += ["path_length"]

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


# --- Deep RNNs: the path length in a deep-transition network --------------------------------

PATH_EQ = "`(k + 1) L` without the shortcut, `L + k` with it (equation deep-path)"

PATH_LENGTH = Exercise(
    name="path_length",
    title="the fewest tanh layers from x(t) to y(t+k) in a deep-transition RNN",
    params=("k", "transition_depth", "shortcut"),
    hints={
        "exception": "k and transition_depth are ints (k >= 0, transition_depth >= 1) and "
        "shortcut is True or False; return an int.",
        "type": "Return one number, the count of tanh layers (an int).",
        "value": "Draw the unrolled graph for k = 1 and follow the path by hand: x(t) enters "
        "the first of the L layers of the step-t transition, each later step's transition "
        "is crossed once (all of it, or only its last layer through the shortcut), and the "
        "linear readout counts 0. Compare with " + PATH_EQ + ".",
    },
)


def _path_case(k: int, L: int, shortcut: bool) -> Case:
    """A case with its reference (a breadth-first search) and the usual wrong counts."""
    from ..deep import Architecture, shortest_path

    expected = shortest_path(Architecture(transition_depth=L, shortcut=shortcut), k)
    step = 1 if shortcut else L
    misses = []
    if shortcut:  # first: where two mistakes give one number, the likelier is named
        misses += [
            ("the shortcut was ignored: through it, each later step crosses only the last "
             "layer of the transition.", (k + 1) * L),
            ("the shortcut was used at step t too: x(t) still climbs all L layers there.",
             1 + k),
            ("the shortcut was counted as free: it ends in the last layer's tanh, which is "
             "crossed at every step.", L),
            ("the shortcut was taken to skip one layer only: it skips all but the last.",
             L + k * (L - 1)),
        ]
    misses += [
        ("only the k later steps were counted: x(t) must first cross all L layers of the "
         "transition at step t itself.", k * step),
        ("the readout was counted: y = V h + c is linear and counts 0.", expected + 1),
        ("off by one: the last layer of the transition is h(t+k) itself, a tanh that the "
         "path crosses.", expected - 1),
        ("x(t) was taken to enter the last layer: it enters the first one, so the path "
         "climbs all L layers at step t.", 1 + k * step),
    ]
    seen, near = {expected}, []
    for sentence, value in misses:
        if value not in seen:  # only mistakes that give another number can be named
            seen.add(value)
            near.append((sentence, Scalar(value, "the path length", rtol=0, atol=1e-9)))
    label = f"k={k}, transition_depth={L}, shortcut={shortcut}"
    return Case(label=label, args=(k, L, shortcut),
                expected=Scalar(expected, "the path length", rtol=0, atol=1e-9),
                near_misses=tuple(near))


def path_length_cases() -> list[Case]:
    """The cases of :func:`path_length`.

    Returns
    -------
    list of Case
        Deep transitions without the shortcut (the first is the example of
        the text, where every usual mistake gives a different number), the
        ordinary RNN, then with the shortcut, and the shortcut in a depth-1
        transition (where it changes nothing).
    """
    return [_path_case(k, L, s) for k, L, s in [
        (2, 3, False), (0, 3, False), (1, 1, False), (5, 4, False), (0, 1, False),
        (3, 3, True), (2, 5, True), (1, 2, True), (4, 1, True)]]


def path_length(fn) -> CheckResult:
    """Check the reader's ``path_length(k, transition_depth, shortcut)``.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(PATH_LENGTH, fn, path_length_cases())
