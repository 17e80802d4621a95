"""Tests of the checker harness, textbook_rnn.checks._core and ._specs.

A toy exercise ("double": return 2 * x) drives the harness so that these tests
do not depend on any chapter's checker.
"""

from __future__ import annotations

import math
import re
import sys
import warnings

import numpy as np
import pytest

from textbook_rnn import checks
from textbook_rnn.checks import CheckResult, _core
from textbook_rnn.checks._core import (
    METADATA_KEY,
    Anything,
    Array,
    Case,
    DictOf,
    Exercise,
    Scalar,
    TupleOf,
    call_safely,
    cite_equations,
    describe_value,
    run_cases,
)
from textbook_rnn.checks._equation_numbers import NUMBERS
from textbook_rnn.checks._specs import fmt_pair

DOUBLE = Exercise(
    name="double",
    title="twice the input, y = 2 x",
    params=("x",),
    hints={"value": "Multiply by two: `y = 2 x` (equation toy)."},
)


def double_cases():
    xs = [np.array([1.0, -2.0]), np.arange(6.0).reshape(2, 3), np.array([[0.5]])]
    return [
        Case(
            label=f"x of shape {x.shape}",
            args=(x,),
            expected=Array(2 * x, "y", "(N,)" if x.ndim == 1 else "(N, M)"),
            near_misses=(("you returned x itself.", Array(x, "y")),
                         ("you squared x.", Array(x * x, "y"))),
        )
        for x in xs
    ]


def check(fn):
    return run_cases(DOUBLE, fn, double_cases())


# --------------------------------------------------------------------------
# the three states and the report
# --------------------------------------------------------------------------


def test_passing_report_verbatim():
    result = check(lambda x: 2 * x)
    assert isinstance(result, CheckResult)
    assert bool(result) and result.passed and result.status == "passed"
    assert str(result) == (
        "Checking double: twice the input, y = 2 x\n"
        "  ✓ case 1 of 3: x of shape (2,)\n"
        "  ✓ case 2 of 3: x of shape (2, 3)\n"
        "  ✓ case 3 of 3: x of shape (1, 1)\n"
        "All checks passed (3 of 3 cases)."
    )


def test_failing_report_verbatim():
    def wrong(x):
        out = 2 * x
        out[..., -1] = 7.0
        return out

    result = check(wrong)
    assert not result and result.status == "failed"
    assert result.problem.kind == "value"
    assert str(result) == (
        "Checking double: twice the input, y = 2 x\n"
        "  ✗ case 1 of 3: x of shape (2,)\n"
        "      y has wrong values: 1 of 2 entries differ, largest error 1.10e+01 at y[1]\n"
        "      expected y[1] = -4\n"
        "      got      y[1] = 7\n"
        "  Hint: Multiply by two: `y = 2 x` (equation toy).\n"
        "Failed: 0 of 3 cases passed before the first failure. Fix it and run this check again."
    )


def test_not_implemented_report_verbatim():
    def stub(x):
        raise NotImplementedError("Not implemented yet. Hint: double it.")

    result = check(stub)
    assert not result and result.status == "not implemented"
    assert result.stub_message == "Not implemented yet. Hint: double it."
    assert str(result) == (
        "Checking double: twice the input, y = 2 x\n"
        "  double is not written yet: it raises NotImplementedError.\n"
        "  Its message: Not implemented yet. Hint: double it.\n"
        "  Replace the `raise NotImplementedError(...)` line with your code, run that cell, then\n"
        "  run this check again.\n"
        "Not implemented yet (3 cases waiting)."
    )
    assert "Traceback" not in str(result)


def test_stops_at_the_first_failure_and_lists_passed_cases():
    result = check(lambda x: 2 * x if x.ndim == 1 else 2 * x + 1)
    assert [c.passed for c in result.cases] == [True, False]
    assert result.n_passed == 1
    text = str(result)
    assert "✓ case 1 of 3" in text and "✗ case 2 of 3" in text and "case 3" not in text
    assert text.endswith("Failed: 1 of 3 cases passed before the first failure. "
                         "Fix it and run this check again.")


def test_repr_and_ipython_display_are_the_report():
    result = check(lambda x: x)
    assert repr(result) == str(result) == result.report
    from IPython.lib.pretty import pretty

    assert pretty(result) == str(result)
    assert not hasattr(result, "_repr_html_")


def test_jupyter_shows_exactly_the_report_as_text():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    for result in (check(lambda x: 2 * x), check(lambda x: x), check(3)):
        data, metadata = shell.display_formatter.format(result)
        assert data == {"text/plain": str(result)}
        assert metadata == {METADATA_KEY: result.summary()}


def test_summary_is_machine_readable():
    passed, failed = check(lambda x: 2 * x), check(lambda x: 2 * x if x.ndim == 1 else x)
    stub = check(lambda x: (_ for _ in ()).throw(NotImplementedError("later")))
    assert passed.summary() == {"exercise": "double", "status": "passed", "passed": 3,
                                "cases": 3, "failure": None}
    assert failed.summary()["status"] == "failed"
    assert failed.first_failure == ("case 2 of 3 (x of shape (2, 3)): y has wrong values: "
                                    "5 of 6 entries differ, largest error 5.00e+00 at y[1, 2]")
    assert stub.summary()["status"] == "not implemented" and stub.first_failure is None
    assert check(3).first_failure.startswith("checks.double needs your function")
    import json

    assert json.loads(json.dumps(failed.summary())) == failed.summary()


def test_reports_are_deterministic():
    def crash(x):
        raise RuntimeError(f"bad object {object()!r} and {crash!r}")

    for fn in (lambda x: 2 * x, lambda x: x, crash, lambda x: [1.0], lambda x: x * np.nan):
        first, second = str(check(fn)), str(check(fn))
        assert first == second
        assert "0x" not in first


def test_near_miss_is_named():
    text = str(check(lambda x: x * x))
    assert "Your result matches a common mistake: you squared x." in text


def test_near_miss_equal_to_the_reference_is_not_reported():
    # x = 2: x * x == 2 * x, so the "squared" near miss must not be named there
    case = Case("x = 2", (np.array([2.0]),), Array(np.array([4.0]), "y"),
                near_misses=(("you squared x.", Array(np.array([4.0]), "y")),))
    result = run_cases(DOUBLE, lambda x: x + 3, [case])
    assert "common mistake" not in str(result)


# --------------------------------------------------------------------------
# what the reader's function may do wrong
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, kind, text",
    [
        (lambda x: ["a"] * len(x), "type", "y should be a numpy array of shape (N,) = (2,), "
                                           "got a list of length 2"),
        (lambda x: [[1.0], [2.0, 3.0]], "type", "could not be turned into an array"),
        (lambda x: None, "type", "got None"),
        (lambda x: 2 * x[..., None], "shape", "y has the wrong shape: expected (N,) = (2,), "
                                              "got (2, 1)"),
        (lambda x: (2 * x).astype(int), "dtype", "dtype int64"),
        (lambda x: np.where(x > 0, np.nan, np.inf), "nonfinite",
         "y contains 1 NaN and 1 infinite entries (of 2), e.g. y[0] = nan"),
        (lambda x: x, "value", "you returned x itself"),
        (lambda x: 1 / 0, "exception", "double raised ZeroDivisionError: division by zero"),
        (lambda x: sys.exit(3), "exception",
         "raised SystemExit: sys.exit() or exit() was called (3)"),
        (lambda: 0, "signature", "double cannot be called as double(x): too many positional"),
        (lambda x, y: 0, "signature", "missing a required argument: 'y'"),
        (np.array([1.0]), "not_callable", "checks.double needs your function, got a numpy array"),
    ],
)
def test_problems_are_reported(fn, kind, text):
    result = check(fn)
    assert not result
    assert result.problem.kind == kind
    assert text in str(result), str(result)
    assert "All checks passed" not in str(result)


def test_exception_report_shows_the_line_of_the_reader_code():
    def reader(x):
        y = x @ np.ones((5, 5))
        return y

    text = str(check(reader))
    assert "double raised ValueError: matmul" in text
    assert "at: y = x @ np.ones((5, 5))" in text


def test_in_place_mutation_is_caught_and_named():
    def sneaky(x):
        x *= 2
        return x

    result = check(sneaky)
    assert result.problem.kind == "mutation"
    assert "double modified its argument x in place: 2 of 2 entries changed" in str(result)
    assert "`a -= m`" in str(result)  # the default hint


def test_mutation_of_a_case_never_leaks_into_the_next_run():
    cases = double_cases()
    run_cases(DOUBLE, lambda x: x.fill(0.0), cases)
    np.testing.assert_array_equal(cases[0].args[0], [1.0, -2.0])
    assert check(lambda x: 2 * x)


def test_numpy_warnings_are_captured_and_reported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak out of the checker
        result = check(lambda x: np.exp(1000 * (x - x) + 1e3))
    assert "numpy warned: overflow encountered in exp" in str(result)


def test_global_numpy_error_state_does_not_change_the_outcome():
    old = np.seterr(all="raise")
    try:
        result = check(lambda x: np.log(x - x))
    finally:
        np.seterr(**old)
    assert result.problem.kind == "nonfinite"
    assert "divide by zero encountered in log" in str(result)


def test_keyboard_interrupt_is_not_swallowed():
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check(interrupted)


def test_weird_return_values_never_crash_the_checker():
    class Hostile:
        def __eq__(self, other):
            raise RuntimeError("no")

        def __len__(self):
            raise RuntimeError("no")

        def __array__(self, *a, **k):
            raise RuntimeError("no")

    for value in (Hostile(), (x for x in range(2)), {"y": 1}, "text", 3.0, True):
        result = check(lambda x, v=value: v)
        assert not result and result.problem.kind == "type"


def test_case_hint_beats_exercise_hint_beats_default():
    case = double_cases()[0]
    special = Case(case.label, case.args, case.expected, hints={"value": "case hint"})
    assert run_cases(DOUBLE, lambda x: x, [special]).hint == "case hint"
    assert run_cases(DOUBLE, lambda x: x, [case]).hint.startswith("Multiply by two")
    bare = Exercise("double", "twice", ("x",))
    assert "equations" in run_cases(bare, lambda x: x, [case]).hint
    assert run_cases(bare, 3, [case]).hint == "Pass the function itself, without calling it: " \
                                             "`checks.double(double)`."


def test_long_lines_wrap_without_breaking_backticked_code():
    long = "word " * 30 + "`a_t = b + W h_{t-1} + U x_t` (equation rnn-a)"
    case = Case("c", (np.ones(1),), Array(np.full(1, 2.0), "y"), hints={"value": long})
    text = str(run_cases(DOUBLE, lambda x: x, [case]))
    assert "`a_t = b + W h_{t-1} + U x_t`" in text
    assert all(len(line) <= 88 for line in text.splitlines()
               if "`" not in line and "case" not in line)


def test_reports_cite_equations_by_number():
    case = Case("c", (np.ones(1),), Array(np.full(1, 2.0), "y"),
                hints={"value": "Compare with equations lstm-f to lstm-h (not lstm-fx)."})
    result = run_cases(DOUBLE, lambda x: x, [case])
    first, last = NUMBERS["lstm-f"], NUMBERS["lstm-h"]
    assert f"Compare with equations {first} to {last} (not lstm-fx)." in " ".join(
        str(result).split())
    assert cite_equations("rnn-a, gru-htilde; gru-h") == ", ".join(
        [NUMBERS["rnn-a"], NUMBERS["gru-htilde"]]) + "; " + NUMBERS["gru-h"]


def test_check_result_rejects_an_unknown_status():
    with pytest.raises(ValueError):
        CheckResult("f", "t", "maybe", [], 0)


# --------------------------------------------------------------------------
# call_safely
# --------------------------------------------------------------------------


def test_call_safely_outcomes():
    assert call_safely(lambda a, b: a + b, (1, 2)).value == 3
    assert call_safely(lambda a, b=0: a - b, (5,), {"b": 2}).value == 3
    stub = call_safely(lambda: (_ for _ in ()).throw(NotImplementedError("later")), ())
    assert stub.not_implemented == "later" and stub.error is None
    err = call_safely(lambda: int("x"), ())
    assert err.error == "ValueError: invalid literal for int() with base 10: 'x'"
    assert call_safely(sys.exit, ()).error == "SystemExit: sys.exit() or exit() was called"


def test_call_safely_flattens_long_messages():
    err = call_safely(lambda: (_ for _ in ()).throw(ValueError("line one\nline two " + "x" * 400)),
                      ())
    assert "\n" not in err.error and len(err.error) < 230 and err.error.endswith("...")


# --------------------------------------------------------------------------
# the specs
# --------------------------------------------------------------------------


def test_array_tolerance():
    spec = Array(np.array([1.0, 1000.0]), "v", rtol=1e-6, atol=1e-9)
    assert spec.compare(np.array([1.0 + 5e-7, 1000.0 + 5e-4])) is None
    assert spec.compare(np.array([1.0 + 5e-6, 1000.0])).kind == "value"
    assert spec.compare(np.array([1.0, 1000.0], dtype=np.float32)) is None


def test_array_with_non_finite_reference():
    spec = Array(np.array([-np.inf, 0.0, np.nan]), "v")
    assert spec.compare(np.array([-np.inf, 0.0, np.nan])) is None
    assert spec.compare(np.array([np.inf, 0.0, np.nan])).kind == "value"
    assert spec.compare(np.array([-np.inf, np.nan, np.nan])).kind == "nonfinite"
    assert spec.compare(np.array([0.0, 0.0, np.nan])).kind == "value"


@pytest.mark.parametrize("good", [2.5, np.float64(2.5), np.float32(2.5), 2.5 + 1e-9])
def test_scalar_accepts_real_numbers(good):
    assert Scalar(2.5, "loss").compare(good) is None


@pytest.mark.parametrize(
    "bad, kind, text",
    [
        (np.array(2.5), "type", "a numpy array of shape () and dtype float64"),
        (np.array([2.5]), "type", "float(...)"),
        ([2.5], "type", "a list of length 1"),
        (None, "type", "got None"),
        (True, "type", "a bool"),
        (float("nan"), "nonfinite", "loss is nan; expected 2.5"),
        (-math.inf, "nonfinite", "loss is -inf"),
        (2.6, "value", "loss is wrong: expected 2.5, got 2.6 (error 1.00e-01)"),
    ],
)
def test_scalar_rejects(bad, kind, text):
    problem = Scalar(2.5, "loss").compare(bad)
    assert problem.kind == kind
    assert text in " ".join((problem.summary, *problem.details))


def test_tuple_of():
    spec = TupleOf(Array(np.zeros(2), "h"), Anything("cache"))
    assert spec.compare((np.zeros(2), object())) is None
    assert spec.compare([np.zeros(2), 1]) is None, "a list is as good as a tuple"
    assert "tuple of 2 items (h, cache)" in spec.compare(np.zeros(2)).summary
    assert "got a list of 3" in spec.compare([np.zeros(2), 1, 2]).summary
    assert "got a tuple of 3" in spec.compare((np.zeros(2), 1, 2)).summary
    assert spec.compare((np.ones(2), None)).summary.startswith("h has wrong values")


def test_dict_of_gradients():
    spec = DictOf({"dW": Array(np.eye(2), "dW"), "db": Array(np.zeros(2), "db")}, "grads")
    assert spec.compare({"dW": np.eye(2), "db": np.zeros(2)}) is None
    problem = spec.compare({"dW": np.eye(2), "dB": np.zeros(2)})
    assert problem.kind == "type" and "missing db" in problem.summary
    assert "unexpected 'dB'" in problem.summary
    assert spec.compare({"dW": np.eye(2).T * 2, "db": np.zeros(2)}).summary.startswith("dW")
    assert "should be a dict with keys dW, db" in spec.compare((1, 2)).summary


def test_describe_value():
    assert describe_value(None) == "None"
    assert describe_value(np.zeros((2, 3))) == "a numpy array of shape (2, 3) and dtype float64"
    assert describe_value((1, 2)) == "a tuple of length 2"
    assert describe_value(3) == "a number of type int"
    assert describe_value(np.float32(1)) == "a number of type float32"
    assert "0x" not in describe_value(object())


# --------------------------------------------------------------------------
# fair verdicts: float32, lists, digits, time limits
# --------------------------------------------------------------------------


def test_float32_results_are_judged_at_float32_precision():
    exact = np.array([0.6, -1.7, 1e-3])
    spec = Array(exact, "v", rtol=1e-8, atol=1e-12)
    assert spec.compare(exact.astype(np.float32)) is None
    problem = spec.compare((exact * (1 + 1e-3)).astype(np.float32))
    assert problem.kind == "value"
    assert "your result is float32" in " ".join(problem.details)
    # float64 keeps its own, tighter tolerance
    assert spec.compare(exact.astype(np.float32).astype(np.float64)).kind == "value"


def test_a_plainly_wrong_float32_result_gets_no_precision_note():
    problem = Array(np.array([0.6]), "v").compare(np.array([0.9], dtype=np.float32))
    assert problem.kind == "value"
    assert "float32" not in " ".join(problem.details)


@pytest.mark.parametrize("got", [np.float32(0.6), float(np.float32(0.6))])
def test_float32_scalars_are_accepted(got):
    spec = Scalar(0.6, "the loss", rtol=1e-8, atol=1e-12)
    assert spec.compare(got) is None
    assert spec.compare(0.6000001) is not None, "a float64 number keeps the tight tolerance"


def test_numbers_that_print_alike_are_shown_with_more_digits():
    problem = Scalar(0.6, "the loss", rtol=1e-12, atol=0).compare(0.6000000001)
    assert "expected 0.6, got 0.6000000001" in problem.summary
    problem = Array(np.array([0.6]), "v", rtol=1e-12, atol=0).compare(np.array([0.6000001]))
    assert problem.details[:2] == ("expected v[0] = 0.6", "got      v[0] = 0.6000001")
    for a, b in [(0.6, 0.6 + 1e-16), (1.0, 2.0), (0.1, float(np.float32(0.1)))]:
        left, right = fmt_pair(a, b)
        assert (left != right) == (a != b)


@pytest.mark.parametrize("make", [list, tuple, lambda a: [float(v) for v in a]])
def test_lists_and_tuples_are_accepted_where_an_array_is_expected(make):
    assert check(lambda x: make(2 * x) if x.ndim == 1 else 2 * x)
    assert TupleOf(Array(np.zeros(2), "a"), Array(np.ones(1), "b")).compare(
        [[0.0, 0.0], (1.0,)]) is None


def test_a_function_that_never_returns_is_stopped(monkeypatch):
    import time

    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.2)

    def hangs(x):
        while True:
            try:
                time.sleep(10)
            except Exception:  # a reader's blanket except cannot swallow the stop
                pass

    started = time.monotonic()
    result = check(hangs)
    assert time.monotonic() - started < 5
    assert result.problem.kind == "timeout"
    assert "did not return within 0.2 seconds" in str(result)
    assert "`time.sleep`" in str(result)


def test_the_time_limit_puts_back_a_timer_already_running(monkeypatch):
    import signal

    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.2)
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        assert check(lambda x: 2 * x)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 1.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_ARITY = {"rnn_step": 5, "sequence_nll": 2, "rnn_step_backward": 6, "rnn_bptt": 8,
          "rescale_spectral_radius": 2, "jacobian_product_norms": 2, "esn_states": 6,
          "ridge_readout": 3, "leaky_backward": 5, "lstm_step": 4, "gru_step": 3,
          "clip_by_norm": 2, "cliff_gradient": 5, "softmax_temperature": 2,
          "teacher_forced_inputs": 2, "halt_log_likelihood": 3}
_ARITY.update({"bidirectional_states": 5, "dot_product_attention": 4, "attention_backward": 5})
_ARITY.update({"content_weights": 3, "shift_sharpen": 3, "memory_write": 4})  # Explicit memory
_ARITY.update({"tree_forward": 6, "tree_backward": 7, "leaf_depths": 1})  # Deep and recursive
_ARITY.update({"path_length": 3})  # Deep and recursive networks (the deep-RNN half)


def test_every_checker_is_listed_here():
    assert sorted(_ARITY) == sorted(n for n in checks.__all__ if n != "CheckResult")


@pytest.mark.parametrize("name", sorted(_ARITY))
def test_every_checker_stops_a_sleeping_function(name, monkeypatch):
    import time

    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.1)
    namespace = {"time": time}
    params = ", ".join(f"a{i}" for i in range(_ARITY[name]))
    exec(f"def sleeper({params}):\n    time.sleep(60)", namespace)
    result = getattr(checks, name)(namespace["sleeper"])
    assert not result and result.problem.kind == "timeout", str(result)
    assert "✗ case 1 of" in str(result)


def test_checker_help_cites_equations_by_number():
    label = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, NUMBERS)) + r")(?![\w-])")
    for name in checks.__all__:
        doc = getattr(checks, name).__doc__ or ""
        assert not label.search(doc), f"checks.{name}'s help names an equation by label"
    assert f"equations ({NUMBERS['lstm-f']})" in " ".join(checks.lstm_step.__doc__.split())


def test_float32_work_returned_as_float64_gets_a_note():
    def promoted(x_t, h_prev, U, W, b):
        f32 = np.float32
        return np.tanh(b + h_prev.astype(f32) @ W.astype(f32).T + x_t.astype(f32) @ U.astype(f32).T)

    result = checks.rnn_step(promoted)
    text = " ".join(str(result).split())
    if result:  # float32 rounding happened to stay within float64's tolerance
        return
    assert "the size of float32 rounding" in text

    def wrong(x_t, h_prev, U, W, b):
        return np.tanh(h_prev @ W.T + x_t @ U.T)  # no bias: a real mistake

    assert "float32 rounding" not in " ".join(str(checks.rnn_step(wrong)).split())


def test_results_in_the_wrong_order_are_named():
    def swapped(dh_t, h_t, h_prev, x_t, W, U):
        da = dh_t * (1.0 - h_t**2)
        return da @ U, da @ W, da.T @ h_prev, da.T @ x_t, da.sum(axis=0)  # dW before dU

    result = checks.rnn_step_backward(swapped)
    text = " ".join(str(result).split())
    assert not result
    assert "right but in the wrong order" in text
    assert "(dx_t, dh_prev, dW, dU, db)" in text


def test_a_missing_return_is_suggested():
    def forgot(x_t, h_prev, U, W, b):
        np.tanh(h_prev @ W.T + x_t @ U.T + b)

    text = " ".join(str(checks.rnn_step(forgot)).split())
    assert "returned None: does it end with a `return` statement?" in text
