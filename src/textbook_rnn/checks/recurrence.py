"""Checkers for the coding exercises of chapter 1 ("Recurrence and unfolding").

- :func:`rnn_step` checks the reader's one step of the recurrence, equations
  ``rnn-a`` and ``rnn-h``: h_t = tanh(a_t) where a_t = b + W h_{t-1} + U x_t.
- :func:`sequence_nll` checks the reader's sequence loss, equation ``rnn-loss``:
  L = (1/N) Σ_n Σ_t -log softmax(o_t)[y_t], computed without overflow.

The expected values come from :mod:`textbook_rnn.rnn`. Each case also carries
the outputs of a few common mistakes, so that a wrong answer can be named
("the bias b is missing") rather than only measured.
"""

from __future__ import annotations

import numpy as np

from .. import rnn as ref
from ._core import Array, Case, CheckResult, Exercise, Scalar, run_cases

__all__ = ["rnn_step", "sequence_nll"]

# Equations as the report quotes them; backticks keep each on one line.
EQ_A = "`a_t = b + W h_{t-1} + U x_t` (equation rnn-a)"
EQ_H = "`h_t = tanh(a_t)` (equation rnn-h)"
EQ_LOSS = "`L = (1/N) Σ_n Σ_t -log softmax(o_t)[y_t]` (equation rnn-loss)"
EQ_LOGSM = "`log softmax(o)_k = (o_k - m) - log Σ_j exp(o_j - m)` (equation log-softmax)"
ROWS = "with one example per row, `W h_{t-1}` is `h_prev @ W.T` and `U x_t` is `x_t @ U.T`"

FORWARD = "the section \"The forward pass of a recurrent network\""
STABLE = "the section \"A numerically stable softmax\" (equation log-softmax)"

STEP = Exercise(
    name="rnn_step",
    title="one step of the recurrence, h_t = tanh(W h_{t-1} + U x_t + b)",
    params=("x_t", "h_prev", "U", "W", "b"),
    hints={
        "exception": "Mind the shapes: x_t is (N, D), h_prev is (N, H), U is (H, D) and W is "
        f"(H, H). In {EQ_A}, {ROWS}; both terms are (N, H).",
        "shape": f"h_t has one row per example and one column per hidden unit: (N, H). In {EQ_A}, "
        f"{ROWS}.",
        "type": f"Return the array of {EQ_H}, shape (N, H).",
        "dtype": f"Return floating-point numbers, the values of {EQ_H}.",
        "nonfinite": "A tanh written with np.exp overflows once |a_t| passes a few hundred; "
        f"numpy's own tanh does not, {EQ_H}.",
        "value": f"Compare your code with {EQ_A} and {EQ_H} in {FORWARD}, one term at a time.",
        "mutation": "Do not update h_prev or any other argument in place (`h_prev += ...`, "
        f"`np.tanh(a, out=h_prev)`): compute {EQ_A} and {EQ_H} as new arrays.",
    },
)

LOSS = Exercise(
    name="sequence_nll",
    title="the sequence loss, L = (1/N) Σ_n Σ_t -log softmax(o_t)[y_t]",
    params=("o", "y"),
    hints={
        "exception": "o is (N, T, K) and y is (N, T), integers in 0..K-1: one target class "
        "per sequence and step. Print the shape of each intermediate result; numpy's "
        f"take_along_axis picks one entry per row. See {EQ_LOSS}.",
        "type": f"Return one Python number, `float(...)`, for {EQ_LOSS}.",
        "nonfinite": f"An exp overflowed or a log met 0. Re-read {STABLE}: the loss can be "
        "computed without ever forming a probability.",
        "value": f"Compare with {EQ_LOSS}: sum over the T steps, average over the N sequences.",
        "mutation": "Do not shift or change o in place (`o -= ...`); compute the terms of "
        f"{EQ_LOGSM} as new arrays.",
    },
)


# --------------------------------------------------------------------------
# rnn_step
# --------------------------------------------------------------------------


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _step_case(label, x_t, h_prev, U, W, b) -> Case:
    """A case for rnn_step with its reference output and common mistakes."""
    x_t, h_prev, U, W, b = (np.asarray(v, dtype=np.float64) for v in (x_t, h_prev, U, W, b))
    h_t = ref.rnn_step(x_t, h_prev, U, W, b)

    def spec(value):
        return Array(value, "h_t", "(N, H)")

    with np.errstate(all="ignore"):
        a_t = b + h_prev @ W.T + x_t @ U.T
        misses = [
            (f"you returned a_t itself; apply tanh, {EQ_H}.", a_t),
            (f"these are sigmoid(a_t) values; the book's RNN uses tanh, {EQ_H}.", _sigmoid(a_t)),
            (f"the bias b is missing from {EQ_A}.", np.tanh(a_t - b)),
            (f"h_prev is ignored: the term `W h_{{t-1}}` of {EQ_A} is missing.",
             np.tanh(b + x_t @ U.T)),
            (f"the input term `U x_t` of {EQ_A} is missing.", np.tanh(b + h_prev @ W.T)),
            ("W is used untransposed: for rows, `W h_{t-1}` is `h_prev @ W.T`, not "
             f"`h_prev @ W`; see {EQ_A}.", np.tanh(b + h_prev @ W + x_t @ U.T)),
        ]
        if U.shape[0] == U.shape[1]:
            misses += [
                ("U is used untransposed: for rows, `U x_t` is `x_t @ U.T`, not `x_t @ U`; "
                 f"see {EQ_A}.", np.tanh(b + h_prev @ W.T + x_t @ U)),
                (f"U and W are both used untransposed; in {EQ_A}, {ROWS}.",
                 np.tanh(b + h_prev @ W + x_t @ U)),
            ]
    return Case(
        label=label,
        args=(x_t, h_prev, U, W, b),
        expected=spec(h_t),
        near_misses=tuple((sentence, spec(value)) for sentence, value in misses),
    )


def _random_step(label, N, D, H, seed, scale=1.0) -> Case:
    rng = np.random.default_rng(seed)
    return _step_case(
        label,
        scale * rng.normal(size=(N, D)),
        rng.uniform(-1.0, 1.0, size=(N, H)),
        rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D)),
        rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H)),
        rng.normal(0.0, 0.5, size=H),
    )


def step_cases() -> list[Case]:
    """The cases of :func:`rnn_step`, simplest first.

    Returns
    -------
    list of Case
        A hand-checkable 1x1 case, then random ones covering D = H, D ≠ H,
        N = 1, H = 1 and saturated units.
    """
    return [
        _step_case(
            "N=1, D=1, H=1 by hand: a_t = 0.1 + (-0.4)(0.5) + (0.3)(1) = 0.2, h_t = tanh(0.2)",
            [[1.0]], [[0.5]], [[0.3]], [[-0.4]], [0.1],
        ),
        _random_step("N=3, D=3, H=3, random (U is square)", 3, 3, 3, seed=11),
        _random_step("N=2, D=4, H=3, random (U is not square)", 2, 4, 3, seed=12),
        _random_step("N=1, D=5, H=2, a single example", 1, 5, 2, seed=13),
        _random_step("N=4, D=2, H=1, a single hidden unit", 4, 2, 1, seed=14),
        _random_step("N=3, D=2, H=4, |a_t| in the hundreds (tanh saturates)", 3, 2, 4,
                     seed=15, scale=300.0),
    ]


def rnn_step(fn) -> CheckResult:
    """Check the reader's ``rnn_step(x_t, h_prev, U, W, b)`` (chapter 1, exercise 1).

    The function must return h_t = tanh(W h_{t-1} + U x_t + b), equations
    ``rnn-a`` and ``rnn-h``, for a batch: ``x_t`` (N, D), ``h_prev`` (N, H),
    ``U`` (H, D), ``W`` (H, H), ``b`` (H,) give ``h_t`` (N, H). It must leave
    its arguments unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(STEP, fn, step_cases())


# --------------------------------------------------------------------------
# sequence_nll
# --------------------------------------------------------------------------


OFF_BY_ONE = (f"the targets are off by one (y - 1 or y + 1); pick the log-probability of class "
              f"y_t itself in {EQ_LOSS}.")


def _loss_case(label, o, y, hints=None) -> Case:
    """A case for sequence_nll with its reference loss and common mistakes."""
    o = np.asarray(o, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    N, T, K = o.shape
    loss = ref.sequence_nll(o, y)

    def spec(value):
        return Scalar(value, "the loss")

    def nll_of(targets):
        return ref.sequence_nll(o, targets)

    logp = ref.log_softmax(o)
    picked_p = np.take_along_axis(np.exp(logp), y[..., None], axis=-1)[..., 0]
    picked_o = np.take_along_axis(o, y[..., None], axis=-1)[..., 0]
    misses = [
        (f"it is averaged over time as well (divided by N*T); {EQ_LOSS} sums over the T "
         "steps and divides by N only.", loss / T),
        (f"it is summed over the batch; {EQ_LOSS} divides by the number of sequences N.",
         loss * N),
        (f"the sign is flipped; {EQ_LOSS} is a sum of -log probabilities, a positive number.",
         -loss),
        (OFF_BY_ONE, nll_of((y - 1) % K)),
        (OFF_BY_ONE, nll_of((y + 1) % K)),
        (f"it uses probabilities, not their logarithm; {EQ_LOSS} needs -log softmax.",
         float(-picked_p.sum() / N)),
        (f"it uses the raw logits o_t[y_t]; {EQ_LOSS} needs log softmax(o_t): {EQ_LOGSM}.",
         float(-picked_o.sum() / N)),
        (f"it uses log base 10; {EQ_LOSS} uses the natural logarithm np.log.",
         loss / np.log(10.0)),
        (f"it uses log base 2; {EQ_LOSS} uses the natural logarithm np.log.", loss / np.log(2.0)),
    ]
    return Case(
        label=label,
        args=(o, y),
        expected=spec(loss),
        near_misses=tuple((sentence, spec(value)) for sentence, value in misses),
        hints=hints or {},
    )


def _random_loss(label, N, T, K, seed, loc=0.0, scale=2.0, hints=None) -> Case:
    rng = np.random.default_rng(seed)
    o = loc + scale * rng.normal(size=(N, T, K))
    y = rng.integers(0, K, size=(N, T))
    return _loss_case(label, o, y, hints)


_OVERFLOW_HINT = (
    "exp(1000) overflows to inf in float64 (the largest finite value is about exp(709)), and "
    f"inf / inf is NaN. Softmax does not change when every logit of a step moves by the same "
    f"amount: {STABLE} shows how to use that."
)
_PER_STEP_HINT = (
    "Each step needs its own shift: subtract the largest logit of each step (the maximum over "
    "the last axis, keepdims=True), not the largest of the whole array, which leaves a step "
    f"with small logits with exp() = 0 everywhere and log(0) = -inf. {STABLE} shows the "
    "per-step form."
)
_UNDERFLOW_HINT = (
    "A target whose probability is about exp(-1500) gets softmax = 0 in float64, and "
    f"log(0) = -inf. Stay in the log domain, {EQ_LOGSM}; never take the log of a probability."
)


def loss_cases() -> list[Case]:
    """The cases of :func:`sequence_nll`, simplest first.

    Returns
    -------
    list of Case
        A hand-checkable two-class case, random ones covering N = 1, T = 1 and
        several K, then large logits that overflow a naive exp, steps whose
        logits lie far apart (a shift by the global maximum fails there) and a
        target whose probability underflows to zero.
    """
    rng = np.random.default_rng(26)
    huge = 1000.0 + 5.0 * rng.normal(size=(2, 3, 4))  # every entry near 1000
    y_huge = rng.integers(0, 4, size=(2, 3))
    far = np.array([[[0.0, 1500.0, -20.0], [3.0, -1.0, 0.5]]])  # (1, 2, 3)
    apart = np.array([[[1000.0, 1001.0, 999.0], [0.5, -1.0, 2.0]]])  # (1, 2, 3)
    return [
        _loss_case("N=1, T=1, K=2 by hand: o = (0, log 3), y = 1, L = -log(3/4) = 0.28768",
                   [[[0.0, np.log(3.0)]]], [[1]]),
        _random_loss("N=2, T=3, K=4, random", 2, 3, 4, seed=21),
        _random_loss("N=3, T=1, K=3, a single step", 3, 1, 3, seed=22),
        _random_loss("N=1, T=5, K=2, a single sequence", 1, 5, 2, seed=23),
        _random_loss("N=4, T=2, K=6, random", 4, 2, 6, seed=24),
        _loss_case("N=2, T=3, K=4, logits near 1000 (a naive exp overflows)", huge, y_huge,
                   hints={"nonfinite": _OVERFLOW_HINT}),
        _loss_case("N=1, T=2, K=3, one step's logits near 1000, the next near 0", apart,
                   [[1, 2]], hints={"nonfinite": _PER_STEP_HINT}),
        _loss_case("N=1, T=2, K=3, a target with log-probability near -1500", far, [[0, 2]],
                   hints={"nonfinite": _UNDERFLOW_HINT}),
    ]


def sequence_nll(fn) -> CheckResult:
    """Check the reader's ``sequence_nll(o, y)`` (chapter 1, exercise 2).

    The function must return the float
    L = (1/N) Σ_n Σ_t -log softmax(o[n, t])[y[n, t]], equation ``rnn-loss``,
    for logits ``o`` (N, T, K) and integer targets ``y`` (N, T), stay finite for
    logits in the thousands, and leave its arguments unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(LOSS, fn, loss_cases())
