"""The checkers of the sequence-modelling chapter reject wrong code and accept right code.

Every implementation here is written out the way a reader might write it,
independently of the checker's own list of mistakes: right ones by several
routes (loops, float32, torch, lists), wrong ones with one slip each.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from textbook_rnn import checks, length, sampling, teacher_forcing
from textbook_rnn.checks import _core
from textbook_rnn.checks._equation_numbers import NUMBERS

MARK_FAIL = "✗"


def flat(text) -> str:
    """The report with line wrapping undone, for searching phrases."""
    return " ".join(str(text).split())


def assert_accepted(result):
    text = str(result)
    assert result, text
    assert result.status == "passed"
    assert "All checks passed" in text
    assert MARK_FAIL not in text


# --- softmax_temperature ----------------------------------------------------------------


def softmax_reference(o, temperature):
    return sampling.softmax_temperature(o, temperature)


def softmax_loops(o, temperature):
    """Right: one row at a time, with math.exp (which returns 0.0 for very negative numbers)."""
    out = []
    for row in o:
        top = max(row)
        e = [math.exp((v - top) / temperature) for v in row]
        total = sum(e)
        out.append([v / total for v in e])
    return np.array(out)


def softmax_divide_first(o, temperature):
    """Right: divide by τ, then subtract the largest scaled logit (also stable)."""
    s = o / temperature
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_logsumexp(o, temperature):
    """Right: in the log domain, p = exp(s - logsumexp(s))."""
    s = (o - o.max(axis=-1, keepdims=True)) / temperature
    return np.exp(s - np.logaddexp.reduce(s, axis=-1, keepdims=True))


def softmax_torch_float32(o, temperature):
    """Right, in torch's default dtype (float32)."""
    import torch

    logits = torch.tensor(o, dtype=torch.float32)
    return torch.softmax(logits / temperature, dim=-1).numpy()


def softmax_as_list(o, temperature):
    """Right, returned as nested lists."""
    return softmax_divide_first(o, temperature).tolist()


@pytest.mark.parametrize("fn", [softmax_reference, softmax_loops, softmax_divide_first,
                                softmax_logsumexp, softmax_torch_float32, softmax_as_list])
def test_softmax_right_implementations_pass(fn):
    if fn is softmax_torch_float32:
        pytest.importorskip("torch")
    assert_accepted(checks.softmax_temperature(fn))


def softmax_multiplies(o, temperature):
    s = (o - o.max(axis=-1, keepdims=True)) * temperature
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_no_shift(o, temperature):
    e = np.exp(o / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_exp_then_power(o, temperature):
    e = np.exp(o - o.max(axis=-1, keepdims=True)) ** (1 / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_columns(o, temperature):
    s = o / temperature
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_then_power(o, temperature):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) ** (1 / temperature)


def softmax_then_power_renormalised(o, temperature):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    q = (e / e.sum(axis=-1, keepdims=True)) ** (1 / temperature)
    return q / q.sum(axis=-1, keepdims=True)


def softmax_not_normalised(o, temperature):
    return np.exp((o - o.max(axis=-1, keepdims=True)) / temperature)


def softmax_global_max(o, temperature):
    e = np.exp((o - o.max()) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_argmax_when_cold(o, temperature):
    if temperature < 1e-3:
        return np.eye(o.shape[1])[o.argmax(axis=1)]
    return softmax_divide_first(o, temperature)


def softmax_in_place(o, temperature):
    o -= o.max(axis=-1, keepdims=True)
    o /= temperature
    e = np.exp(o)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_torch_multiplies_float32(o, temperature):
    import torch

    return torch.softmax(torch.tensor(o, dtype=torch.float32) * temperature, dim=-1).numpy()


def softmax_returns_classes(o, temperature):
    return np.argmax(o / temperature, axis=-1)


WRONG_SOFTMAX = [
    (softmax_multiplies, "value", "the logits are multiplied by τ"),
    (softmax_no_shift, "nonfinite", ["exp(1000) overflows", "subtract the row's largest"]),
    (softmax_exp_then_power, "value", "the exponential (or the softmax) is taken before"),
    (softmax_columns, "value", "the softmax runs down the columns (axis 0)"),
    (softmax_then_power, "value", "softmax(o) ** (1/τ) without renormalising"),
    (softmax_then_power_renormalised, "nonfinite", "raised to the power 1/τ = 1e8 underflows"),
    (softmax_not_normalised, "value", "the rows do not sum to 1"),
    (softmax_global_max, "nonfinite", "Subtract each row's own maximum"),
    (softmax_argmax_when_cold, "value", "logits tied for the largest share the mass"),
    (softmax_in_place, "mutation", "modified its argument o in place"),
    (softmax_torch_multiplies_float32, "value", "the logits are multiplied by τ"),
    (softmax_returns_classes, "shape", "p has the wrong shape"),
]


@pytest.mark.parametrize("fn, kind, words", WRONG_SOFTMAX,
                         ids=[w[0].__name__ for w in WRONG_SOFTMAX])
def test_softmax_wrong_implementations_are_rejected(fn, kind, words, assert_rejected):
    if "torch" in fn.__name__:
        pytest.importorskip("torch")
    result = assert_rejected(checks.softmax_temperature, fn, words, kind=kind)
    # the hint points at the equation, by the number the book shows
    assert f"equation {NUMBERS['seq-temperature']}" in str(result) or kind == "mutation"


def test_softmax_wrong_values_show_expected_and_got():
    text = str(checks.softmax_temperature(softmax_multiplies))
    assert "✗ case 1 of 8" in text
    assert "expected p[0, 0] = 0.25" in text
    assert "got      p[0, 0] = 0.0121951" in text  # 1/82: o * τ = (0, 4 log 3)


def test_softmax_exp_first_passes_until_the_huge_temperature():
    text = str(checks.softmax_temperature(softmax_exp_then_power))
    assert "✓ case 7 of 8" in text and "✗ case 8 of 8" in text


# --- teacher_forced_inputs --------------------------------------------------------------


def forced_concatenate(y, start):
    """Right: a column of start ids, then every target but the last."""
    first = np.full((y.shape[0], 1), start, dtype=y.dtype)
    return np.concatenate([first, y[:, :-1]], axis=1)


def forced_loops(y, start):
    """Right, with loops, returned as lists of Python ints."""
    out = []
    for row in y:
        out.append([start] + [int(v) for v in row[:-1]])
    return out


def forced_roll_then_set(y, start):
    """Right: roll along time, then overwrite the wrapped-round first column."""
    x = np.roll(y, 1, axis=1)
    x[:, 0] = start
    return x


def forced_torch(y, start):
    """Right, as a torch tensor of int64."""
    import torch

    t = torch.from_numpy(np.asarray(y, dtype=np.int64))
    return torch.cat([torch.full((t.shape[0], 1), start, dtype=torch.int64), t[:, :-1]], dim=1)


@pytest.mark.parametrize("fn", [teacher_forcing.forced_inputs, forced_concatenate,
                                forced_loops, forced_roll_then_set, forced_torch])
def test_forced_right_implementations_pass(fn):
    if fn is forced_torch:
        pytest.importorskip("torch")
    assert_accepted(checks.teacher_forced_inputs(fn))


def forced_unshifted(y, start):
    return y.copy()


def forced_left(y, start):
    x = np.empty_like(y)
    x[:, :-1] = y[:, 1:]
    x[:, -1] = start
    return x


def forced_roll_only(y, start):
    return np.roll(y, 1, axis=1)


def forced_keeps_last(y, start):
    return np.hstack([np.full((len(y), 1), start), y])


def forced_no_start(y, start):
    return y[:, :-1]


def forced_in_place(y, start):
    y[:, 1:] = y[:, :-1].copy()
    y[:, 0] = start
    return y


def forced_batch_axis(y, start):
    x = y.copy()
    x[1:] = y[:-1]
    x[0] = start
    return x


def forced_floats(y, start):
    x = np.zeros(y.shape)
    x[:, 0] = start
    x[:, 1:] = y[:, :-1]
    return x


def forced_forgot_first_column(y, start):
    x = np.zeros_like(y)
    x[:, 1:] = y[:, :-1]
    return x


def forced_first_target(y, start):
    x = y.copy()
    x[:, 1:] = y[:, :-1]
    return x


def forced_index_error(y, start):
    x = np.empty_like(y)
    x[:, 0] = start
    for t in range(1, y.shape[1] + 1):
        x[:, t] = y[:, t - 1]
    return x


WRONG_FORCED = [
    (forced_unshifted, "value", "the targets are not shifted"),
    (forced_left, "value", "shifted the wrong way (to the left) and the start symbol is put"),
    (forced_roll_only, "value", "np.roll wraps the last target"),
    (forced_keeps_last, "shape", "x has one step too many"),
    (forced_no_start, "shape", "the start symbol is missing and x is one step short"),
    (forced_in_place, "mutation", "modified its argument y in place"),
    (forced_batch_axis, "value", "the shift runs along the batch axis"),
    (forced_floats, "dtype", ["x has dtype float64; expected integers", "`np.empty_like(y)`"]),
    (forced_forgot_first_column, "value", "step 1 gets 0 instead of the start id"),
    (forced_first_target, "value", "step 1 is fed y(1)"),
    (forced_index_error, "exception", "teacher_forced_inputs raised IndexError"),
]


@pytest.mark.parametrize("fn, kind, words", WRONG_FORCED,
                         ids=[w[0].__name__ for w in WRONG_FORCED])
def test_forced_wrong_implementations_are_rejected(fn, kind, words, assert_rejected):
    assert_rejected(checks.teacher_forced_inputs, fn, words, kind=kind)


def test_forced_wrong_values_show_expected_and_got():
    text = str(checks.teacher_forced_inputs(forced_unshifted))
    assert "✗ case 1 of 6" in text
    assert "expected x[0, 0] = 4" in text or "expected x[0, 1] = 3" in text, text


# --- halt_log_likelihood ----------------------------------------------------------------


def halt_vectorised(symbol_log_probs, halt_logits, tau):
    """Right: log σ(z) = -logaddexp(0, -z), log(1 - σ(z)) = -logaddexp(0, z)."""
    z = halt_logits
    go_on = -np.logaddexp(0.0, z[: tau - 1]).sum()
    return float(symbol_log_probs[:tau].sum() + go_on - np.logaddexp(0.0, -z[tau - 1]))


def _log_sigmoid_scalar(z):
    # -log(1 + e^-z), written for each sign so that exp never overflows
    if z >= 0:
        return -math.log1p(math.exp(-z))
    return z - math.log1p(math.exp(z))


def halt_loop(symbol_log_probs, halt_logits, tau):
    """Right: one step at a time, with a branch on the sign of z."""
    total = 0.0
    for t in range(1, tau + 1):
        total += symbol_log_probs[t - 1]
        z = float(halt_logits[t - 1])
        total += _log_sigmoid_scalar(z) if t == tau else _log_sigmoid_scalar(-z)
    return total


def halt_torch_float32(symbol_log_probs, halt_logits, tau):
    """Right, in torch's default dtype (float32): float(...) holds a float32 value."""
    import torch
    import torch.nn.functional as F

    lp = torch.tensor(symbol_log_probs, dtype=torch.float32)
    z = torch.tensor(halt_logits, dtype=torch.float32)
    value = lp[:tau].sum() + F.logsigmoid(-z[: tau - 1]).sum() + F.logsigmoid(z[tau - 1])
    return float(value)


@pytest.mark.parametrize("fn", [length.halt_log_likelihood, halt_vectorised, halt_loop,
                                halt_torch_float32])
def test_halt_right_implementations_pass(fn):
    if fn is halt_torch_float32:
        pytest.importorskip("torch")
    assert_accepted(checks.halt_log_likelihood(fn))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def halt_without_halting(lp, z, tau):
    return float(lp[:tau].sum() - np.logaddexp(0, z[: tau - 1]).sum())


def halt_without_going_on(lp, z, tau):
    return float(lp[:tau].sum() - np.logaddexp(0, -z[tau - 1]))


def halt_go_on_through_tau(lp, z, tau):
    return float(lp[:tau].sum() - np.logaddexp(0, z[:tau]).sum() - np.logaddexp(0, -z[tau - 1]))


def halt_naive_log_sigmoid(lp, z, tau):
    s = sigmoid(z)
    return float(lp[:tau].sum() + np.log(1 - s[: tau - 1]).sum() + np.log(s[tau - 1]))


def halt_swapped(lp, z, tau):
    return float(lp[:tau].sum() - np.logaddexp(0, -z[: tau - 1]).sum()
                 - np.logaddexp(0, z[tau - 1]))


def halt_negated(lp, z, tau):
    return -halt_vectorised(lp, z, tau)


def halt_probability(lp, z, tau):
    return float(np.exp(halt_vectorised(lp, z, tau)))


def halt_adds_sigmoids(lp, z, tau):
    s = sigmoid(z)
    return float(lp[:tau].sum() + (1 - s[: tau - 1]).sum() + s[tau - 1])


def halt_all_symbols(lp, z, tau):
    return float(lp.sum() - np.logaddexp(0, z[: tau - 1]).sum() - np.logaddexp(0, -z[tau - 1]))


def halt_one_based(lp, z, tau):
    # τ used as a Python index: fine when τ < T, an IndexError when τ = T
    return float(lp[:tau].sum() - np.logaddexp(0, z[:tau]).sum() - np.logaddexp(0, -z[tau]))


def halt_log1p_exp(lp, z, tau):
    # log σ(z) = -log1p(exp(-z)): exp(800) overflows for z = -800
    go_on = -np.log1p(np.exp(z[: tau - 1])).sum()
    return float(lp[:tau].sum() + go_on - np.log1p(np.exp(-z[tau - 1])))


def halt_returns_array(lp, z, tau):
    return np.array([halt_vectorised(lp, z, tau)])


WRONG_HALT = [
    (halt_without_halting, "value", "the halting term log σ(z_τ) is missing"),
    (halt_without_going_on, "value", "the continuing terms log(1 - σ(z_t)) for t < τ are missing"),
    (halt_go_on_through_tau, "value", "the continuing terms run up to step τ included"),
    (halt_naive_log_sigmoid, "nonfinite", ["e^800 overflows", "np.logaddexp"]),
    (halt_log1p_exp, "nonfinite", "e^800 overflows"),
    (halt_swapped, "value", "halting and going on are swapped"),
    (halt_negated, "value", "the sign is flipped"),
    (halt_probability, "value", "this is the probability P, not its logarithm"),
    (halt_adds_sigmoids, "value", "are added where their logarithms belong"),
    (halt_all_symbols, "value", "the symbol terms run past step τ"),
    (halt_one_based, "exception", "halt_log_likelihood raised IndexError"),
    (halt_returns_array, "type", "turn a one-element array"),
]


@pytest.mark.parametrize("fn, kind, words", WRONG_HALT, ids=[w[0].__name__ for w in WRONG_HALT])
def test_halt_wrong_implementations_are_rejected(fn, kind, words, assert_rejected):
    assert_rejected(checks.halt_log_likelihood, fn, words, kind=kind)


def test_halt_one_based_index_is_named_where_tau_is_below_T():
    # case 1 has τ = T, where the slip raises; checked on its own from case 4 on
    from textbook_rnn.checks import sequence_modelling as ch

    cases = ch.halt_cases()
    result = _core.run_cases(ch.HALT, halt_one_based, [cases[3]])
    assert "the halt terms are one step late" in flat(result)


def test_halt_wrong_value_shows_expected_and_got():
    text = str(checks.halt_log_likelihood(halt_without_halting))
    assert "✗ case 1 of 7" in text
    assert "expected -2.50066, got -2.36712" in text  # log(21/256), log(3/32)


# --- all three ----------------------------------------------------------------------------

CHECKERS = {
    "softmax_temperature": (checks.softmax_temperature, 2),
    "teacher_forced_inputs": (checks.teacher_forced_inputs, 2),
    "halt_log_likelihood": (checks.halt_log_likelihood, 3),
}


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_a_hanging_implementation_is_stopped(name, monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.2)
    checker, arity = CHECKERS[name]
    namespace = {}
    params = ", ".join(f"a{i}" for i in range(arity))
    exec(f"def hangs({params}):\n    while True:\n        pass", namespace)
    result = checker(namespace["hangs"])
    assert not result and result.problem.kind == "timeout", str(result)
    assert "did not return within 0.2 seconds" in str(result)


def softmax_crashes(o, temperature):
    scaled = o / temperature
    return np.exp(scaled) / np.exp(scaled).sum(axis=2)  # o has two axes, not three


def forced_crashes(y, start):
    return np.concatenate([start, y[:, :-1]], axis=1)  # start is an int, not an array


def halt_crashes(symbol_log_probs, halt_logits, tau):
    return symbol_log_probs[:tau].sum() + sum(halt_logits.tolist()[tau - 1])  # a float


CRASHES = {
    "softmax_temperature": (softmax_crashes, "AxisError", "np.exp(scaled).sum(axis=2)"),
    "teacher_forced_inputs": (forced_crashes, "ValueError", "np.concatenate([start"),
    "halt_log_likelihood": (halt_crashes, "TypeError", "sum(halt_logits.tolist()[tau - 1])"),
}


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_a_crashing_implementation_is_reported(name, assert_rejected):
    fn, error, line = CRASHES[name]
    result = assert_rejected(CHECKERS[name][0], fn, [f"{name} raised", error, "at: return", line],
                             kind="exception")
    assert "✗ case 1 of" in str(result)


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_the_stub_is_not_implemented(name):
    checker, arity = CHECKERS[name]
    namespace = {}
    params = ", ".join(f"a{i}" for i in range(arity))
    exec(f"def stub({params}):\n    raise NotImplementedError('Not implemented yet. Hint: "
         "see the equation.')", namespace)
    result = checker(namespace["stub"])
    assert result.status == "not implemented"
    assert "see the equation" in str(result)


@pytest.mark.parametrize("odd", [None, 42, "o", lambda: None, lambda *a: None,
                                 lambda *a: 1 / 0, lambda *a: np.nan,
                                 lambda *a: (np.nan, np.inf, None), lambda *a: [1, 2, 3]])
def test_checkers_never_raise(odd):
    for checker, _ in CHECKERS.values():
        result = checker(odd)
        assert not result
        assert result.status == "failed"
        assert str(result)


def test_every_case_has_a_distinct_near_miss_or_is_a_stability_case():
    """Each named mistake differs from the right answer in at least one case."""
    from textbook_rnn.checks import sequence_modelling as ch

    for cases in (ch.softmax_cases(), ch.forced_cases(), ch.halt_cases()):
        sentences = {s for case in cases for s, _ in case.near_misses}
        distinct = {s for case in cases for s, spec in case.near_misses
                    if not case.expected.matches(_core._reference_of(spec))}
        assert sentences == distinct
