"""Checkers for the coding exercises of the chapter "Sequence modelling".

- :func:`softmax_temperature` checks the reader's
  ``softmax_temperature(o, temperature)``: the softmax of the logits divided
  by a temperature, p_k = exp(o_k / τ) / Σ_j exp(o_j / τ) (equation
  ``seq-temperature``), row by row for logits (N, K), finite for
  temperatures from 1e-8 to 1e8 and logits in the thousands, with tied
  largest logits sharing the mass as τ → 0.
- :func:`teacher_forced_inputs` checks the reader's
  ``teacher_forced_inputs(y, start)``: the inputs of teacher forcing, the
  start symbol and then the true previous targets, x(1) = start and
  x(t) = y(t-1) (equation ``seq-forced``), for ids y (N, T); y itself is left
  alone.
- :func:`halt_log_likelihood` checks the reader's
  ``halt_log_likelihood(symbol_log_probs, halt_logits, tau)``: the
  log-likelihood of one sequence and its length under a model with a
  Bernoulli halt output (equation ``seq-halt``), finite for halt logits of
  any size.

Expected values come from :mod:`textbook_rnn.sampling`,
:mod:`textbook_rnn.teacher_forcing` and :mod:`textbook_rnn.length`. Each
case also carries what common mistakes return (multiplying by τ, shifting
the targets the wrong way, dropping the halting term, ...), so that the
report can name them; the mistakes that end in overflow (no max-subtraction,
log σ by way of exp) are named by the hint of the case that triggers them.
"""

from __future__ import annotations

import numpy as np

from .. import length as ref_length
from .. import sampling as ref_sampling
from .. import teacher_forcing as ref_forcing
from ._core import Array, Case, CheckResult, Exercise, Scalar, run_cases

__all__ = ["softmax_temperature", "teacher_forced_inputs", "halt_log_likelihood"]

# Equations as the report quotes them; backticks keep each on one line.
EQ_TEMP = "`p_k = exp(o_k / τ) / Σ_j exp(o_j / τ)` (equation seq-temperature)"
EQ_FORCED = "`x(1) = start` and `x(t) = y(t-1)` for t ≥ 2 (equation seq-forced)"
EQ_HALT = ("`log P = Σ_{t≤τ} log P(y(t)|…) + Σ_{t<τ} log(1 - σ(z_t)) + log σ(z_τ)` "
           "(equation seq-halt)")
EQ_LOGSIG = "`log σ(z) = -log(1 + e^(-z))` and `log(1 - σ(z)) = log σ(-z)`"

SOFTMAX = Exercise(
    name="softmax_temperature",
    title="the softmax at temperature τ, softmax(o / τ) per row",
    params=("o", "temperature"),
    hints={
        "exception": "o is (N, K), one row of K logits per example, and temperature a positive "
        "float. Reduce along the last axis (`axis=-1, keepdims=True`) so that the row's "
        "maximum and sum broadcast back over its K entries.",
        "type": "Return one numpy array of probabilities, shape (N, K).",
        "shape": "The result has the shape of o, (N, K): one distribution per row, "
        f"{EQ_TEMP}. Keep the reduced axis with `keepdims=True`.",
        "dtype": "Return floating-point probabilities, not class ids.",
        "nonfinite": f"An exp overflowed or a sum was 0. {EQ_TEMP} does not change when the "
        "same number is subtracted from every logit of a row.",
        "value": f"Compare with {EQ_TEMP}: each row is one distribution over the K classes.",
        "mutation": "Do not shift or scale o in place (`o -= ...`, `o /= temperature`); "
        "compute new arrays.",
    },
)

FORCED = Exercise(
    name="teacher_forced_inputs",
    title="teacher forcing's inputs, start then y(1) .. y(τ-1)",
    params=("y", "start"),
    hints={
        "exception": "y is (N, T), integer ids, one sequence per row, time along axis 1; start "
        "is one int. Print the shapes of the pieces you put together.",
        "type": "Return one numpy array of integer ids with the shape of y, (N, T).",
        "shape": f"x has the shape of y, (N, T): one input per target. See {EQ_FORCED}.",
        "dtype": "Return integer ids, like y: `np.zeros((N, T))` makes floats, while "
        "`np.empty_like(y)` or `np.zeros_like(y)` keep y's dtype.",
        "value": f"Compare with {EQ_FORCED}: the input at each step is the target one step "
        "earlier, along the time axis (axis 1).",
        "mutation": "Build a new array instead of shifting y in place (`y[:, 1:] = y[:, :-1]`): "
        "the targets are still needed for the loss.",
    },
)

HALT = Exercise(
    name="halt_log_likelihood",
    title="log P(y(1..τ), τ) with a Bernoulli halt output",
    params=("symbol_log_probs", "halt_logits", "tau"),
    hints={
        "exception": "symbol_log_probs and halt_logits are both (T,), one entry per step, and "
        "tau an int with 1 ≤ tau ≤ T. Python indices start at 0: step t is index t - 1.",
        "type": "Return one Python number, `float(...)`.",
        "nonfinite": f"A sigmoid rounded to 0 or 1, and its log became -inf. Use {EQ_LOGSIG}, "
        "computed without exp overflowing (np.logaddexp does it).",
        "value": f"Compare with {EQ_HALT}, one sum at a time; step t is index t - 1.",
        "mutation": "Do not change the arrays you are given; compute new ones.",
    },
)


# --------------------------------------------------------------------------
# softmax_temperature
# --------------------------------------------------------------------------


def _softmax_variant(o, tau, how):
    """What a named mistake returns for logits ``o`` (N, K) at temperature ``tau``."""
    with np.errstate(all="ignore"):
        m = o.max(axis=-1, keepdims=True)
        if how == "multiply":  # softmax(o * τ)
            return ref_sampling.softmax_temperature(o, 1.0 / tau)
        if how == "ignored":
            return ref_sampling.softmax_temperature(o, 1.0)
        if how == "power_unnormalised":  # softmax(o) ** (1/τ)
            return ref_sampling.softmax_temperature(o, 1.0) ** (1.0 / tau)
        if how == "unnormalised":
            return np.exp((o - m) / tau)
        if how == "axis0":
            return ref_sampling.softmax_temperature(o, tau, axis=0)
        if how == "argmax":
            return np.eye(o.shape[1])[np.argmax(o, axis=-1)]
        if how == "exp_first":  # exp(o - m) ** (1/τ), renormalised
            e = np.exp(o - m) ** (1.0 / tau)
            return e / e.sum(axis=-1, keepdims=True)
        if how == "squared":
            return ref_sampling.softmax_temperature(o, tau**2)
    raise ValueError(how)


_SOFTMAX_MISSES = (
    (f"the logits are multiplied by τ; {EQ_TEMP} divides them by τ, so that a small τ "
     "sharpens the distribution.", "multiply"),
    (f"the temperature is ignored: this is the plain softmax, {EQ_TEMP} at τ = 1.", "ignored"),
    ("this is softmax(o) ** (1/τ) without renormalising: raising the probabilities to the power "
     f"1/τ leaves rows that do not sum to 1. Divide the logits instead, {EQ_TEMP}.",
     "power_unnormalised"),
    (f"the rows do not sum to 1: the division by Σ_j of {EQ_TEMP} is missing.", "unnormalised"),
    ("the softmax runs down the columns (axis 0): each row of o, one example, must become one "
     f"distribution; normalise along axis -1, {EQ_TEMP}.", "axis0"),
    ("all the mass went to the first largest logit (an argmax): at a tiny τ, logits tied for "
     f"the largest share the mass equally, which {EQ_TEMP} gives by itself.", "argmax"),
    ("the exponential (or the softmax) is taken before the temperature: a logit more than about "
     "745 below the row's largest has exp = 0 in float64, and no power 1/τ brings it back. "
     f"Divide by τ first, then exponentiate, {EQ_TEMP}.", "exp_first"),
    (f"the logits are divided by τ²; {EQ_TEMP} divides them by τ once.", "squared"),
)


def _softmax_case(label, o, tau, hints=None) -> Case:
    o = np.asarray(o, dtype=np.float64)
    tau = float(tau)
    p = ref_sampling.softmax_temperature(o, tau)
    # how far rounding the inputs to float32 moves the answer: the room a float32 result needs
    moved = ref_sampling.softmax_temperature(o.astype(np.float32).astype(np.float64),
                                             float(np.float32(tau)))
    slack32 = float(np.max(np.abs(moved - p)))

    def spec(value):
        return Array(value, "p", "(N, K)", slack32=slack32)

    misses = tuple((sentence, spec(_softmax_variant(o, tau, how)))
                   for sentence, how in _SOFTMAX_MISSES)
    return Case(label=label, args=(o, tau), expected=spec(p), near_misses=misses,
                hints=hints or {})


_OVERFLOW_HINT = (
    "exp(1000) overflows to inf in float64 (anything above about exp(709) does), and inf / inf "
    f"is NaN. {EQ_TEMP} does not change when the same number is subtracted from every logit "
    "of a row: subtract the row's largest, so that the largest exponent is 0."
)
_ROWWISE_HINT = (
    "Here one row's logits are near +1000 and another's near -1000. Subtracting one maximum "
    "for the whole array sends every exponent of the second row below -745: all its exp are "
    "0, and 0 / 0 is NaN. Subtract each row's own maximum (`axis=-1, keepdims=True`), "
    f"{EQ_TEMP}."
)
_TINY_HINT = (
    "At τ = 1e-8, a logit of 3 divided by τ is 3e8, and its exp overflows; a probability "
    "raised to the power 1/τ = 1e8 underflows to 0, even the largest, and 0 / 0 is NaN. "
    "Subtract the row's largest logit before dividing by τ: the largest exponent is then "
    f"exactly 0, the others go to very negative numbers whose exp is 0, {EQ_TEMP}."
)


def softmax_cases() -> list[Case]:
    """The cases of :func:`softmax_temperature`, simplest first.

    Returns
    -------
    list of Case
        A hand-checkable two-class case; random ones at τ = 1, below 1 and
        above 1 (with N ≠ K); logits near 1000 (a naive exp overflows);
        rows at very different offsets (one maximum for the whole array
        underflows a row); a tiny τ with ties; a huge τ with a spread of
        logits (exponentiating first underflows).
    """
    rng = np.random.default_rng(301)
    near_1000 = 1000.0 + 3.0 * rng.normal(size=(2, 4))
    offsets = np.array([[1000.0], [-1000.0], [0.0]]) + rng.normal(size=(3, 4))
    ties = np.array([[1.0, 3.0, 3.0, 0.0],
                     [2.0, -1.0, 0.5, 2.0 - 1e-6],
                     [-4.0, -4.0, -4.0, -4.0]])
    spread = np.array([[1000.0, -1000.0, 500.0, 900.0], [-3.0, 997.0, -999.0, 5.0]])
    return [
        _softmax_case("N=1, K=2, τ=2 by hand: o / τ = (0, log 3), p = (0.25, 0.75)",
                      [[0.0, 2.0 * np.log(3.0)]], 2.0),
        _softmax_case("N=3, K=4, τ=1 (the plain softmax), random", rng.normal(size=(3, 4)), 1.0),
        _softmax_case("N=2, K=5, τ=0.5 (sharper), random", 2.0 * rng.normal(size=(2, 5)), 0.5),
        _softmax_case("N=4, K=3, τ=3 (flatter), random", 2.0 * rng.normal(size=(4, 3)), 3.0),
        _softmax_case("N=2, K=4, τ=1, logits near 1000 (a naive exp overflows)", near_1000, 1.0,
                      hints={"nonfinite": _OVERFLOW_HINT}),
        _softmax_case("N=3, K=4, τ=0.7, rows near +1000, -1000 and 0", offsets, 0.7,
                      hints={"nonfinite": _ROWWISE_HINT}),
        _softmax_case("N=3, K=4, τ=1e-8 (almost an argmax), tied largest logits", ties, 1e-8,
                      hints={"nonfinite": _TINY_HINT}),
        _softmax_case("N=2, K=4, τ=1e8 (almost uniform), logits from -1000 to 1000", spread,
                      1e8),
    ]


def softmax_temperature(fn) -> CheckResult:
    """Check the reader's ``softmax_temperature(o, temperature)`` (exercise 1).

    The function returns p with p[n, k] = exp(o[n, k] / τ) / Σ_j exp(o[n, j] / τ),
    equation ``seq-temperature``, for logits ``o`` (N, K) and a temperature
    τ > 0, finite for τ from 1e-8 to 1e8 and logits in the thousands, and
    leaves ``o`` unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(SOFTMAX, fn, softmax_cases())


# --------------------------------------------------------------------------
# teacher_forced_inputs
# --------------------------------------------------------------------------


def _forced_variant(y, start, how):
    """What a named mistake returns for targets ``y`` (N, T) and a start id."""
    N = y.shape[0]
    first = np.full((N, 1), start, dtype=y.dtype)
    if how == "unshifted":
        return y.copy()
    if how == "left_start_end":
        return np.concatenate([y[:, 1:], first], axis=1)
    if how == "left_keep_last":
        return np.concatenate([y[:, 1:], y[:, -1:]], axis=1)
    if how == "roll":
        return np.roll(y, 1, axis=1)
    if how == "first_target":  # start missing: y(1) fed at step 1
        return np.concatenate([y[:, :1], y[:, :-1]], axis=1)
    if how == "zero_start":
        return np.concatenate([np.zeros_like(first), y[:, :-1]], axis=1)
    if how == "keep_last":  # start prepended, y(τ) kept: one step too many
        return np.concatenate([first, y], axis=1)
    if how == "no_start":  # y(1) .. y(τ-1) only
        return y[:, :-1].copy()
    if how == "batch_axis":  # shifted along axis 0
        x = np.empty_like(y)
        x[0] = start
        x[1:] = y[:-1]
        return x
    raise ValueError(how)


_FORCED_MISSES = (
    (f"x is y itself: the targets are not shifted. The input at step t is the previous target, "
     f"{EQ_FORCED}.", "unshifted"),
    ("the targets are shifted the wrong way (to the left) and the start symbol is put at the "
     f"end: that feeds each step the target it must predict, y(t+1) at step t. See {EQ_FORCED}.",
     "left_start_end"),
    ("the targets are shifted the wrong way (to the left), the last one repeated: that feeds "
     f"each step the target it must predict. See {EQ_FORCED}.", "left_keep_last"),
    ("the start symbol is missing: np.roll wraps the last target y(τ) round to step 1, where "
     f"the start symbol belongs, {EQ_FORCED}.", "roll"),
    ("the start symbol is missing: step 1 is fed y(1), the very target it must predict; it "
     f"gets the start symbol, {EQ_FORCED}.", "first_target"),
    ("step 1 gets 0 instead of the start id passed in (an array of zeros whose first column "
     f"was never filled): {EQ_FORCED}.", "zero_start"),
    ("x has one step too many: the start symbol is prepended but the last target y(τ) is kept. "
     f"y(τ) is never an input, nothing comes after it; x has the shape of y, {EQ_FORCED}.",
     "keep_last"),
    ("the start symbol is missing and x is one step short: prepend start to y(1) .. y(τ-1), "
     f"{EQ_FORCED}.", "no_start"),
    ("the shift runs along the batch axis (axis 0): the sequences of y are its rows, and time "
     f"runs along axis 1, `y[:, :-1]`. See {EQ_FORCED}.", "batch_axis"),
)


def _forced_case(label, y, start, dtype=np.int64) -> Case:
    y = np.asarray(y, dtype=dtype)
    x = ref_forcing.forced_inputs(y, np.int64(start))

    def spec(value):
        return Array(value, "x", "(N, T)", kinds="iu", rtol=0.0, atol=0.0)

    misses = tuple((sentence, spec(_forced_variant(y, start, how)))
                   for sentence, how in _FORCED_MISSES)
    return Case(label=label, args=(y, int(start)), expected=spec(x), near_misses=misses)


def forced_cases() -> list[Case]:
    """The cases of :func:`teacher_forced_inputs`, simplest first.

    Returns
    -------
    list of Case
        One sequence by hand; a batch with N ≠ T; a single step (only the
        start symbol is fed); start id 0, the usual convention; int32 ids; a
        taller batch.
    """
    rng = np.random.default_rng(302)
    return [
        _forced_case("N=1, T=3 by hand: y = [[3, 1, 2]], start = 4, x = [[4, 3, 1]]",
                     [[3, 1, 2]], 4),
        _forced_case("N=2, T=5, ids 0..5, start = 6", rng.integers(0, 6, size=(2, 5)), 6),
        _forced_case("N=3, T=1, a single step: x is the start symbol alone",
                     rng.integers(0, 4, size=(3, 1)), 4),
        _forced_case("N=3, T=4, start = 0 (its id also occurs among the targets)",
                     rng.integers(0, 3, size=(3, 4)), 0),
        _forced_case("N=2, T=6, ids of dtype int32, start = 27",
                     rng.integers(0, 27, size=(2, 6)), 27, dtype=np.int32),
        _forced_case("N=5, T=3, start = 10", rng.integers(0, 10, size=(5, 3)), 10),
    ]


def teacher_forced_inputs(fn) -> CheckResult:
    """Check the reader's ``teacher_forced_inputs(y, start)`` (exercise 2).

    The function returns the teacher-forced inputs x, shape (N, T) like the
    targets ``y``, with x[:, 0] = start and x[:, t] = y[:, t-1] for t ≥ 1,
    equation ``seq-forced``, as integer ids, and leaves ``y`` unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(FORCED, fn, forced_cases())


# --------------------------------------------------------------------------
# halt_log_likelihood
# --------------------------------------------------------------------------


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def _halt_variant(lp, z, tau, how):
    """What a named mistake returns; ``tau`` is the length, step t is index t - 1."""
    symbols = lp[:tau].sum()
    go_on = _log_sigmoid(-z[: tau - 1]).sum()
    halt = _log_sigmoid(z[tau - 1])
    with np.errstate(all="ignore"):
        if how == "no_halt":
            return symbols + go_on
        if how == "no_go_on":
            return symbols + halt
        if how == "go_on_at_tau":
            return symbols + _log_sigmoid(-z[:tau]).sum() + halt
        if how == "swapped":
            return symbols + _log_sigmoid(z[: tau - 1]).sum() + _log_sigmoid(-z[tau - 1])
        if how == "negated":
            return -(symbols + go_on + halt)
        if how == "probability":
            return np.exp(symbols + go_on + halt)
        if how == "sigmoid_not_log":
            s = 1.0 / (1.0 + np.exp(-z))
            return symbols + (1.0 - s[: tau - 1]).sum() + s[tau - 1]
        if how == "all_symbols":
            return lp.sum() + go_on + halt
        if how == "index_tau":  # 1-based τ used as a 0-based index
            return symbols + _log_sigmoid(-z[:tau]).sum() + _log_sigmoid(z[tau])
        if how == "symbols_short":
            return lp[: tau - 1].sum() + go_on + halt
    raise ValueError(how)


_HALT_MISSES = (
    (f"the halting term log σ(z_τ) is missing: the model must also stop after step τ, "
     f"{EQ_HALT}.", "no_halt"),
    (f"the continuing terms log(1 - σ(z_t)) for t < τ are missing: before stopping after step τ "
     f"the model went on after each earlier step, {EQ_HALT}.", "no_go_on"),
    (f"the continuing terms run up to step τ included; after step τ the model stops instead, "
     f"so they stop at τ - 1, {EQ_HALT}.", "go_on_at_tau"),
    ("halting and going on are swapped: σ(z_t) is the probability of stopping after step t, "
     f"1 - σ(z_t) that of going on, {EQ_HALT}.", "swapped"),
    ("the sign is flipped: this is the negative log-likelihood; return log P itself, a number "
     f"≤ 0, {EQ_HALT}.", "negated"),
    (f"this is the probability P, not its logarithm; return log P, {EQ_HALT}.", "probability"),
    ("the probabilities σ(z) and 1 - σ(z) are added where their logarithms belong: "
     f"{EQ_HALT}.", "sigmoid_not_log"),
    ("the symbol terms run past step τ: the entries after step τ belong to no symbol of this "
     f"sequence, {EQ_HALT}.", "all_symbols"),
    ("the halt terms are one step late (tau used as an index: step t is index t - 1 in Python), "
     f"{EQ_HALT}.", "index_tau"),
    (f"the symbol terms stop at step τ - 1; y(τ) counts too, {EQ_HALT}.", "symbols_short"),
)


def _halt_case(label, lp, z, tau, hints=None) -> Case:
    lp = np.asarray(lp, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    value = ref_length.halt_log_likelihood(lp, z, tau)
    moved = ref_length.halt_log_likelihood(lp.astype(np.float32), z.astype(np.float32), tau)
    slack32 = abs(moved - value)

    def spec(v):
        return Scalar(v, "log P", rtol=1e-9, atol=1e-12, slack32=slack32)

    misses = tuple((sentence, spec(_halt_variant(lp, z, tau, how)))
                   for sentence, how in _HALT_MISSES
                   if how != "index_tau" or tau < z.size)
    return Case(label=label, args=(lp, z, int(tau)), expected=spec(value), near_misses=misses,
                hints=hints or {})


def _random_halt(label, T, tau, seed, z_scale=2.0) -> Case:
    rng = np.random.default_rng(seed)
    lp = np.log(rng.uniform(0.05, 0.95, size=T))
    z = z_scale * rng.normal(size=T)
    return _halt_case(label, lp, z, tau)


_STOP_HINT = (
    "Here z_τ = -800: σ(-800) = 1 / (1 + e^800), and e^800 overflows to inf, so σ rounds to 0 "
    f"and its log to -inf, while log σ(-800) is about -800. Use {EQ_LOGSIG}, computed without "
    "exp overflowing: np.logaddexp(0, -z) is log(1 + e^(-z))."
)
_GO_ON_HINT = (
    "Here a continuing step has z_t = 800: σ(800) rounds to exactly 1 in float64, so "
    f"1 - σ(800) = 0 and its log is -inf, while log(1 - σ(800)) is about -800. Use {EQ_LOGSIG}: "
    "no sigmoid is ever formed."
)


def halt_cases() -> list[Case]:
    """The cases of :func:`halt_log_likelihood`, simplest first.

    Returns
    -------
    list of Case
        Two steps by hand; τ = 1 (no continuing term); τ = T; τ < T (later
        entries unused); a halting logit of -800 and a continuing logit of
        +800 (a sigmoid formed by exp rounds to 0 or 1); large logits of both
        signs together.
    """
    return [
        _halt_case("T=2, τ=2 by hand: P = (1/2)(1/4)(1 - σ(-log 3)) σ(log 7) = 21/256",
                   np.log([0.5, 0.25]), [-np.log(3.0), np.log(7.0)], 2),
        _random_halt("T=3, τ=1: the model stops after the first step", 3, 1, seed=311),
        _random_halt("T=5, τ=5: the sequence fills every step", 5, 5, seed=312),
        _random_halt("T=6, τ=3: entries after step τ are not used", 6, 3, seed=313),
        _halt_case("T=3, τ=3, halt logit z_τ = -800 (stopping is very unlikely)",
                   np.log([0.3, 0.6, 0.2]), [-2.0, -1.0, -800.0], 3,
                   hints={"nonfinite": _STOP_HINT}),
        _halt_case("T=4, τ=3, a continuing step with z_t = +800", np.log([0.5, 0.7, 0.1, 0.4]),
                   [-1.0, 800.0, 2.0, 0.5], 3, hints={"nonfinite": _GO_ON_HINT}),
        _halt_case("T=5, τ=4, logits of ±800 on both kinds of step",
                   np.log([0.9, 0.2, 0.4, 0.6, 0.5]), [-800.0, 800.0, -3.0, -800.0, 800.0], 4),
    ]


def halt_log_likelihood(fn) -> CheckResult:
    """Check the reader's ``halt_log_likelihood(symbol_log_probs, halt_logits, tau)`` (exercise 3).

    The function returns the float
    log P = Σ_{t≤τ} symbol_log_probs[t-1] + Σ_{t<τ} log(1 - σ(z_t)) + log σ(z_τ),
    with z_t = halt_logits[t-1], equation ``seq-halt``, finite for halt
    logits of any size, and leaves its arguments unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(HALT, fn, halt_cases())
