"""Checkers for the coding exercises of ``chapters/10_memory.md``.

The chapter "Explicit memory":

- :func:`content_weights` checks ``content_weights(M, k, beta)``: a softmax
  over the rows of beta times the cosine similarity (equation
  ``memory-content``), stable for a large beta, with similarity 0 for a zero
  key or a zero row;
- :func:`shift_sharpen` checks ``shift_sharpen(w_g, s, gamma)``: the circular
  shift ``memory-shift`` followed by the sharpening ``memory-sharpen``;
- :func:`memory_write` checks ``memory_write(M, w, e, a)``: erase, then add
  (equations ``memory-erase`` and ``memory-add``).

The expected values come from :mod:`textbook_rnn.memory`. Each case also
carries the outputs of common mistakes, so that the report can name a wrong
answer ("the shift goes the wrong way") rather than only measure it. The
harness, which calls the reader's function safely and writes the report, is
:mod:`textbook_rnn.checks._core`.
"""

from __future__ import annotations

import numpy as np

from .. import memory as ref
from ._core import Array, Case, CheckResult, Exercise, run_cases

__all__ = ["content_weights", "shift_sharpen", "memory_write"]

# Equations as reports quote them; backticks keep each on one line.
EQ_CONTENT = ("`w_i = softmax_i(beta * (k . M_i) / (|k| |M_i| + eps))` "
              "(equation memory-content)")
EQ_SHIFT = "`w~_i = sum_j s_j w_g[(i - j) mod R]`, j = -S..S (equation memory-shift)"
EQ_SHARPEN = "`w_i = w~_i**gamma / sum_l w~_l**gamma` (equation memory-sharpen)"
EQ_WRITE = "`M'_i = M_i * (1 - w_i e) + w_i a` (equations memory-erase, memory-add)"


def _softmax(z, axis):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------
# Exercise 1: content-based weights
# ---------------------------------------------------------------------------

CONTENT = Exercise(
    name="content_weights",
    title="content-based weights, softmax(beta * cosine similarity)",
    params=("M", "k", "beta"),
    hints={
        "exception": "M is (N, R, C), k is (N, C), beta is (N,); `np.einsum('nrc,nc->nr', M, k)` "
        "gives the dot products, `np.linalg.norm(M, axis=2)` the row norms.",
        "shape": "One weight per row of each memory: the result is (N, R); the softmax runs "
        "over the rows (axis 1), not over the batch.",
        "nonfinite": "Two things give NaN or inf here: a zero row or key makes the cosine 0/0 "
        "(add eps = 1e-8 to the product of the norms, so it is 0), and exp(beta * K) "
        "overflows for a large beta (subtract the largest entry of each row before exp).",
        "value": f"Compare with {EQ_CONTENT}; the softmax runs over the rows of each memory.",
        "mutation": "Build new arrays; do not normalise M or k in place.",
    },
)


def _content_case(label, M, k, beta, hints=None) -> Case:
    M, k, beta = (np.asarray(v, dtype=np.float64) for v in (M, k, beta))
    expected, _ = ref.content_weights_forward(M, k, beta)

    def spec(value):
        return Array(value, "w", "(N, R)", rtol=1e-5, atol=1e-7)

    dot = np.einsum("nrc,nc->nr", M, k)
    norms = np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1)[:, None] + ref.EPS
    cos = dot / norms
    with np.errstate(all="ignore"):  # some mistakes overflow or divide by zero
        misses = [
            ("The softmax runs over the batch axis (axis 0) instead of over the rows "
             f"(axis 1): {EQ_CONTENT}.", _softmax(beta[:, None] * cos, axis=0)),
            (f"The dot product is used without dividing by the norms: {EQ_CONTENT}.",
             _softmax(beta[:, None] * dot, axis=1)),
            ("beta is missing: the similarities must be scaled by the key strength, "
             f"{EQ_CONTENT}.", _softmax(cos, axis=1)),
            (f"The exponentials are not normalised: {EQ_CONTENT}.", np.exp(beta[:, None] * cos)),
        ]
    return Case(label=label, args=(M, k, beta), expected=spec(expected),
                near_misses=tuple((s, spec(v)) for s, v in misses), hints=hints or {})


def content_weights_cases() -> list[Case]:
    """The cases of :func:`content_weights`, simplest first.

    Returns
    -------
    list of Case
        A case by hand, random batches (seeded), a large beta, a zero row, a
        zero key, and key strengths far apart in one batch.
    """
    rng = np.random.default_rng(100)
    M_zero = rng.normal(size=(2, 5, 3))
    M_zero[0, 1] = 0.0
    mixed = np.random.default_rng(101)
    return [
        _content_case("N=1, R=3, C=2 by hand: rows (1,0), (0,1), (-1,0), key (2,0), beta 1",
                      [[[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]], [[2.0, 0.0]], [1.0]),
        _content_case("N=3, R=6, C=4, random", rng.normal(size=(3, 6, 4)),
                      rng.normal(size=(3, 4)), rng.uniform(0.5, 5, 3)),
        _content_case("N=2, R=8, C=3, a large key strength (beta = 2000)",
                      rng.normal(size=(2, 8, 3)), rng.normal(size=(2, 3)), [2000.0, 800.0]),
        _content_case("N=2, R=5, C=3, row 1 of the first memory is all zeros",
                      M_zero, rng.normal(size=(2, 3)), [2.0, 3.0]),
        _content_case("N=2, R=4, C=3, the second key is all zeros", rng.normal(size=(2, 4, 3)),
                      np.vstack([rng.normal(size=3), np.zeros(3)]), [2.0, 4.0]),
        _content_case(
            "N=2, R=6, C=3, key strengths 2000 and 1 in one batch", mixed.normal(size=(2, 6, 3)),
            mixed.normal(size=(2, 3)), [2000.0, 1.0], hints={
                "nonfinite": "Each memory needs its own shift: subtract the largest entry of "
                             "each row of beta * K (axis 1), not the largest of the whole batch, "
                             "which leaves only exp() of very negative numbers in a row with a "
                             "small beta."}),
    ]


def content_weights(fn) -> CheckResult:
    """Check the reader's ``content_weights(M, k, beta)`` (exercise 1).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(CONTENT, fn, content_weights_cases())


# ---------------------------------------------------------------------------
# Exercise 2: circular shift, then sharpening
# ---------------------------------------------------------------------------

SHIFT = Exercise(
    name="shift_sharpen",
    title="circular shift of the weights, then sharpening",
    params=("w_g", "s", "gamma"),
    hints={
        "exception": "w_g is (N, R), s is (N, 2S + 1) for the shifts -S..S, gamma is (N,); "
        "`np.roll(w_g, j, axis=1)` moves every weight j rows down, circularly.",
        "shape": "The result has one weight per row: (N, R), like w_g.",
        "value": f"Compare with {EQ_SHIFT}, then {EQ_SHARPEN}; column j of s is the shift "
        "j - S, and a shift of +1 moves weight from row i to row i + 1.",
        "mutation": "Build new arrays; do not write into w_g or s.",
    },
)


def _shift_np(w, s, *, sign=1, circular=True):
    S = (s.shape[1] - 1) // 2
    out = np.zeros_like(w)
    for j in range(s.shape[1]):
        d = sign * (j - S)
        if circular:
            moved = np.roll(w, d, axis=1)
        else:
            moved = np.zeros_like(w)
            if d >= 0:
                moved[:, d:] = w[:, :w.shape[1] - d]
            else:
                moved[:, :d] = w[:, -d:]
        out = out + s[:, j:j + 1] * moved
    return out


def _sharpen_np(w, gamma):
    p = w ** gamma[:, None]
    return p / p.sum(axis=1, keepdims=True)


def _shift_case(label, w_g, s, gamma) -> Case:
    w_g, s, gamma = (np.asarray(v, dtype=np.float64) for v in (w_g, s, gamma))
    w_s, _ = ref.shift_forward(w_g, s)
    expected, _ = ref.sharpen_forward(w_s, gamma)

    def spec(value):
        return Array(value, "w", "(N, R)")

    misses = [
        (f"The shift goes the wrong way: a shift of +1 must move weight from row i to row "
         f"i + 1, {EQ_SHIFT}.", _sharpen_np(_shift_np(w_g, s, sign=-1), gamma)),
        (f"The shift is not circular: weight shifted past the last row must reappear at the "
         f"first, {EQ_SHIFT}.", _sharpen_np(_shift_np(w_g, s, circular=False), gamma)),
        (f"The sharpened weights are not renormalised: divide by their sum, {EQ_SHARPEN}.",
         w_s ** gamma[:, None]),
        (f"Sharpening is missing: raise the shifted weights to the power gamma, {EQ_SHARPEN}.",
         w_s),
        (f"The weights are sharpened before they are shifted: shift first, {EQ_SHIFT}.",
         _shift_np(_sharpen_np(w_g, gamma), s)),
    ]
    return Case(label=label, args=(w_g, s, gamma), expected=spec(expected),
                near_misses=tuple((t, spec(v)) for t, v in misses))


def shift_sharpen_cases() -> list[Case]:
    """The cases of :func:`shift_sharpen`, simplest first.

    Returns
    -------
    list of Case
        A shift by hand across the ring's end, then random weights with one
        and two shifts each way.
    """
    rng = np.random.default_rng(101)
    return [
        _shift_case("N=1, R=4 by hand: all weight on the last row, shift +1, gamma 1 "
                    "(the weight wraps round to row 0)",
                    [[0.0, 0.0, 0.1, 0.9]], [[0.0, 0.0, 1.0]], [1.0]),
        _shift_case("N=2, R=6, shifts -1..1, random", rng.dirichlet(np.ones(6), 2),
                    rng.dirichlet(np.ones(3), 2), rng.uniform(1, 4, 2)),
        _shift_case("N=3, R=7, shifts -2..2, random", rng.dirichlet(np.ones(7), 3),
                    rng.dirichlet(np.ones(5), 3), rng.uniform(1, 4, 3)),
    ]


def shift_sharpen(fn) -> CheckResult:
    """Check the reader's ``shift_sharpen(w_g, s, gamma)`` (exercise 2).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(SHIFT, fn, shift_sharpen_cases())


# ---------------------------------------------------------------------------
# Exercise 3: erase, then add
# ---------------------------------------------------------------------------

WRITE = Exercise(
    name="memory_write",
    title="writing to memory: erase, then add",
    params=("M", "w", "e", "a"),
    hints={
        "exception": "M is (N, R, C), w is (N, R), e and a are (N, C); "
        "`w[:, :, None] * e[:, None, :]` is the (N, R, C) array of the products w_i e_c.",
        "shape": "The new memory has the shape of M: (N, R, C).",
        "value": f"Compare with {EQ_WRITE}: each row is erased in proportion to its weight, "
        "then the add vector is added with the same weight.",
        "mutation": "Return a new memory; do not write into M (the caller may still need it).",
    },
)


def _write_case(label, M, w, e, a) -> Case:
    M, w, e, a = (np.asarray(v, dtype=np.float64) for v in (M, w, e, a))
    expected, _ = ref.write_forward(M, w, e, a)

    def spec(value):
        return Array(value, "M_new", "(N, R, C)")

    we, wa = w[:, :, None] * e[:, None, :], w[:, :, None] * a[:, None, :]
    misses = [
        (f"The add comes before the erase: the erase must not remove what was just added, "
         f"{EQ_WRITE}.", (M + wa) * (1 - we)),
        (f"The erase ignores the weights: row i loses the fraction w_i e, not e, {EQ_WRITE}.",
         M * (1 - e[:, None, :]) + wa),
        (f"The add ignores the weights: row i gains w_i a, not a, {EQ_WRITE}.",
         M * (1 - we) + a[:, None, :]),
        (f"The erase is missing: {EQ_WRITE}.", M + wa),
        (f"The erase multiplies by w_i e instead of by 1 - w_i e: {EQ_WRITE}.", M * we + wa),
        (f"The erase subtracts w_i e instead of multiplying by 1 - w_i e: {EQ_WRITE}.",
         M - we + wa),
    ]
    return Case(label=label, args=(M, w, e, a), expected=spec(expected),
                near_misses=tuple((t, spec(v)) for t, v in misses))


def memory_write_cases() -> list[Case]:
    """The cases of :func:`memory_write`, simplest first.

    Returns
    -------
    list of Case
        A full overwrite of one row by hand, then random batches (seeded).
    """
    rng = np.random.default_rng(102)
    return [
        _write_case("N=1, R=2, C=2 by hand: weight 1 on row 0, erase all, add (5, 5)",
                    [[[1.0, 2.0], [3.0, 4.0]]], [[1.0, 0.0]], [[1.0, 1.0]], [[5.0, 5.0]]),
        _write_case("N=2, R=5, C=3, random", rng.normal(size=(2, 5, 3)),
                    rng.dirichlet(np.ones(5), 2), rng.uniform(size=(2, 3)),
                    rng.normal(size=(2, 3))),
        _write_case("N=3, R=4, C=6, random (C differs from R)", rng.normal(size=(3, 4, 6)),
                    rng.dirichlet(np.ones(4), 3), rng.uniform(size=(3, 6)),
                    rng.normal(size=(3, 6))),
    ]


def memory_write(fn) -> CheckResult:
    """Check the reader's ``memory_write(M, w, e, a)`` (exercise 3).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(WRITE, fn, memory_write_cases())
