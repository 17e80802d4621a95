"""Tests of the chapter 1 checkers: right answers pass, wrong ones are named.

Every wrong implementation below is a mistake a reader could make; each test
asserts that the checker rejects it *and* that the report points at the right
problem.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from textbook_rnn import checks, rnn
from textbook_rnn.checks import recurrence as ch01
from textbook_rnn.checks._equation_numbers import NUMBERS

torch.set_num_threads(1)


def report(result) -> str:
    return str(result)


def flat(text: str) -> str:
    """The report with line wrapping undone, for searching phrases."""
    return " ".join(text.split())


# --------------------------------------------------------------------------
# rnn_step: correct implementations, written differently
# --------------------------------------------------------------------------


def step_einsum(x_t, h_prev, U, W, b):
    return np.tanh(np.einsum("hd,nd->nh", U, x_t) + np.einsum("hk,nk->nh", W, h_prev) + b)


def step_loops(x_t, h_prev, U, W, b):
    N, H = h_prev.shape
    out = np.zeros((N, H))
    for n in range(N):
        for i in range(H):
            a = b[i]
            for j in range(H):
                a += W[i, j] * h_prev[n, j]
            for d in range(x_t.shape[1]):
                a += U[i, d] * x_t[n, d]
            out[n, i] = math.tanh(a)
    return out


def step_columns(x_t, h_prev, U, W, b):
    # column-vector convention, transposed back at the end
    return np.tanh(W @ h_prev.T + U @ x_t.T + b[:, None]).T


def step_torch_roundtrip(x_t, h_prev, U, W, b):
    a = torch.from_numpy(x_t) @ torch.from_numpy(U).T + torch.from_numpy(h_prev) @ \
        torch.from_numpy(W).T + torch.from_numpy(b)
    return torch.tanh(a).numpy()


def step_float32_torch(x_t, h_prev, U, W, b):
    """Right, in torch's default dtype, float32, returned as a float32 numpy array."""
    t = [torch.tensor(v, dtype=torch.float32) for v in (x_t, h_prev, U, W, b)]
    return torch.tanh(t[4] + t[1] @ t[3].T + t[0] @ t[2].T).numpy()


def step_list(x_t, h_prev, U, W, b):
    """Right, returned as nested lists: the exercise does not ask for an array type."""
    return np.tanh(b + h_prev @ W.T + x_t @ U.T).tolist()


def step_tensor(x_t, h_prev, U, W, b):
    """Right, returned as a torch tensor."""
    return torch.tanh(torch.from_numpy(b + h_prev @ W.T + x_t @ U.T))


@pytest.mark.parametrize("fn", [rnn.rnn_step, step_einsum, step_loops, step_columns,
                                step_torch_roundtrip, step_float32_torch, step_list,
                                step_tensor])
def test_rnn_step_accepts_correct_implementations(fn):
    result = checks.rnn_step(fn)
    assert result, report(result)
    assert result.status == "passed"
    assert "All checks passed" in report(result)
    assert MARK_FAIL not in report(result)


MARK_FAIL = "✗"


# --------------------------------------------------------------------------
# rnn_step: wrong implementations
# --------------------------------------------------------------------------


def a_of(x_t, h_prev, U, W, b):
    return b + h_prev @ W.T + x_t @ U.T


def _mutating(x_t, h_prev, U, W, b):
    h_prev += x_t @ U.T + b
    return np.tanh(h_prev)


def _tanh_out(x_t, h_prev, U, W, b):
    return np.tanh(a_of(x_t, h_prev, U, W, b), out=h_prev)


def _raises(x_t, h_prev, U, W, b):
    raise ValueError("shapes do not match")


def _tanh_by_exp(x_t, h_prev, U, W, b):
    a = a_of(x_t, h_prev, U, W, b)
    return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1)


WRONG_STEPS = {
    "no tanh": (lambda x, h, U, W, b: a_of(x, h, U, W, b), "value", "apply tanh"),
    "sigmoid": (lambda x, h, U, W, b: 1 / (1 + np.exp(-a_of(x, h, U, W, b))), "value", "sigmoid"),
    "bias dropped": (lambda x, h, U, W, b: np.tanh(h @ W.T + x @ U.T), "value",
                     "the bias b is missing"),
    "h_prev ignored": (lambda x, h, U, W, b: np.tanh(b + x @ U.T), "value", "h_prev is ignored"),
    "input ignored": (lambda x, h, U, W, b: np.tanh(b + h @ W.T), "value", "input term"),
    "x @ U": (lambda x, h, U, W, b: np.tanh(b + h @ W.T + x @ U), "value",
              "U is used untransposed"),
    "h @ W": (lambda x, h, U, W, b: np.tanh(b + h @ W + x @ U.T), "value",
              "W is used untransposed"),
    "both untransposed": (lambda x, h, U, W, b: np.tanh(b + h @ W + x @ U), "value",
                          "U and W are both used untransposed"),
    "relu": (lambda x, h, U, W, b: np.maximum(a_of(x, h, U, W, b), 0), "value", "tanh(a_t)"),
    "drops the batch axis": (lambda x, h, U, W, b: np.tanh(a_of(x, h, U, W, b))[0], "shape",
                             "expected (N, H) = (1, 1), got (1,)"),
    "sums over the batch": (lambda x, h, U, W, b: np.tanh(a_of(x, h, U, W, b)).sum(0), "shape",
                            "h_t has the wrong shape"),
    "transposed result": (lambda x, h, U, W, b: np.tanh(a_of(x, h, U, W, b)).T, "value",
                          "h_t has wrong values"),
    "mutates h_prev": (_mutating, "mutation", "modified its argument h_prev in place"),
    "tanh into h_prev": (_tanh_out, "mutation", "modified its argument h_prev in place"),
    "raises": (_raises, "exception", "rnn_step raised ValueError: shapes do not match"),
    "returns NaN": (lambda x, h, U, W, b: np.full(h.shape, np.nan), "nonfinite", "NaN"),
    "tanh by exp": (_tanh_by_exp, "nonfinite", "NaN"),
    "returns a list of strings": (lambda x, h, U, W, b: [["h"]] * len(x), "type",
                                  "got a list"),
    "returns None": (lambda x, h, U, W, b: None, "type", "got None"),
    "returns a tensor that requires grad": (
        lambda x, h, U, W, b: torch.tanh(torch.tensor(a_of(x, h, U, W, b), requires_grad=True)),
        "type", "requires grad"),
    "float32 and wrong": (lambda x, h, U, W, b: np.tanh(a_of(x, h, U, W, b) - b)
                          .astype(np.float32), "value", "the bias b is missing"),
    "returns ints": (lambda x, h, U, W, b: np.rint(a_of(x, h, U, W, b)).astype(np.int64), "dtype",
                     "dtype int64"),
    "four parameters": (lambda x, h, U, W: 0, "signature", "too many positional arguments"),
    "calls sys.exit": (lambda x, h, U, W, b: sys.exit(1), "exception", "SystemExit"),
}


@pytest.mark.parametrize("name", sorted(WRONG_STEPS))
def test_rnn_step_rejects_wrong_implementations(name, assert_rejected):
    fn, kind, text = WRONG_STEPS[name]
    result = assert_rejected(checks.rnn_step, fn, text, kind=kind)
    if kind != "signature":
        cited = {f"(equation {NUMBERS[label]})" for label in ("rnn-a", "rnn-h")}
        assert any(c in report(result) for c in cited), report(result)


def test_rnn_step_wrong_values_show_expected_and_got():
    text = report(checks.rnn_step(WRONG_STEPS["bias dropped"][0]))
    assert "expected h_t[0, 0] = 0.197375" in text
    assert "got      h_t[0, 0] = 0.099668" in text
    assert "largest error 9.77e-02" in text


def test_rnn_step_overflowing_tanh_gets_the_tanh_hint():
    text = report(checks.rnn_step(_tanh_by_exp))
    assert "✓ case 5 of 6" in text and "✗ case 6 of 6" in text
    assert "numpy warned: overflow encountered in exp" in text
    assert "numpy's own tanh does not" in flat(text)


def test_rnn_step_exception_from_x_times_U_when_D_differs_from_H():
    # a reader who only fixes the square case and then meets D != H
    def fn(x_t, h_prev, U, W, b):
        if U.shape[0] == U.shape[1]:
            return rnn.rnn_step(x_t, h_prev, U, W, b)
        return np.tanh(b + h_prev @ W.T + x_t @ U)

    result = checks.rnn_step(fn)
    text = report(result)
    assert result.problem.kind == "exception"
    assert "✗ case 3 of 6: N=2, D=4, H=3" in text
    assert "rnn_step raised ValueError: matmul" in text
    assert "at: return np.tanh(b + h_prev @ W.T + x_t @ U)" in text
    assert "`x_t @ U.T`" in text


def test_rnn_step_not_implemented_stub():
    def stub(x_t, h_prev, U, W, b):
        """One step of a vanilla RNN."""
        raise NotImplementedError("Not implemented yet. Hint: add b and apply np.tanh.")

    result = checks.rnn_step(stub)
    text = report(result)
    assert not result and result.status == "not implemented"
    assert "not implemented yet" in text.lower()
    assert "Hint: add b and apply np.tanh." in text
    assert MARK_FAIL not in text and "Traceback" not in text and "Failed" not in text


def test_rnn_step_passing_report_lists_every_case():
    text = report(checks.rnn_step(rnn.rnn_step))
    lines = text.splitlines()
    assert lines[0] == ("Checking rnn_step: one step of the recurrence, "
                        "h_t = tanh(W h_{t-1} + U x_t + b)")
    assert [line.split(":")[0] for line in lines[1:-1]] == [
        f"  ✓ case {i} of 6" for i in range(1, 7)
    ]
    assert lines[-1] == "All checks passed (6 of 6 cases)."


def test_rnn_step_cases_cover_the_required_shapes():
    shapes = [(c.args[0].shape[0], c.args[2].shape[1], c.args[2].shape[0])
              for c in ch01.step_cases()]  # (N, D, H)
    assert (1, 1, 1) in shapes
    assert any(n == 1 for n, _, _ in shapes) and any(h == 1 and n > 1 for n, _, h in shapes)
    assert any(d != h for _, d, h in shapes) and any(d == h > 1 for _, d, h in shapes)


def test_rnn_step_cases_are_fresh_each_time():
    a, b = ch01.step_cases(), ch01.step_cases()
    for ca, cb in zip(a, b, strict=True):
        for x, y in zip(ca.args, cb.args, strict=True):
            np.testing.assert_array_equal(x, y)
            assert x is not y


# --------------------------------------------------------------------------
# sequence_nll: correct implementations, written differently
# --------------------------------------------------------------------------


def nll_logaddexp(o, y):
    lse = np.logaddexp.reduce(o, axis=-1)  # (N, T)
    target = o[np.arange(o.shape[0])[:, None], np.arange(o.shape[1]), y]
    return float((lse - target).sum() / len(o))


def nll_loops(o, y):
    N, T, K = o.shape
    total = 0.0
    for n in range(N):
        for t in range(T):
            m = max(o[n, t])
            lse = m + math.log(sum(math.exp(v - m) for v in o[n, t]))
            total += lse - o[n, t, y[n, t]]
    return total / N


def nll_torch(o, y):
    N, T, K = o.shape
    loss = torch.nn.functional.cross_entropy(torch.from_numpy(o).reshape(N * T, K),
                                             torch.from_numpy(y).reshape(-1), reduction="sum")
    return loss.item() / N


def nll_numpy_scalar(o, y):
    return -np.take_along_axis(rnn.log_softmax(o), y[..., None], -1).sum() / o.shape[0]


def nll_torch_float32(o, y):
    """Right, in torch's default dtype: float(loss) holds a float32 value."""
    N, T, K = o.shape
    logits = torch.tensor(o.reshape(N * T, K), dtype=torch.float32)
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y).reshape(-1),
                                             reduction="sum")
    return float(loss) / N


def nll_shifts_a_copy_in_place(o, y):
    """Right: shifts its own copy in place, which leaves the argument alone."""
    z = o.copy()
    z -= z.max(axis=-1, keepdims=True)
    z -= np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(z, y[..., None], -1).sum() / len(o))


@pytest.mark.parametrize("fn", [rnn.sequence_nll, nll_logaddexp, nll_loops, nll_torch,
                                nll_numpy_scalar, nll_torch_float32,
                                nll_shifts_a_copy_in_place])
def test_sequence_nll_accepts_correct_implementations(fn):
    result = checks.sequence_nll(fn)
    assert result, report(result)
    assert "All checks passed (8 of 8 cases)." in report(result)


# --------------------------------------------------------------------------
# sequence_nll: wrong implementations
# --------------------------------------------------------------------------


def _picked(logp, y):
    return np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]  # (N, T)


def _naive(o, y):
    p = np.exp(o) / np.exp(o).sum(axis=-1, keepdims=True)
    return float(-np.log(_picked(p, y)).sum() / o.shape[0])


def _log_of_stable_softmax(o, y):
    return float(-np.log(_picked(rnn.softmax(o), y)).sum() / o.shape[0])


def _shift_in_place(o, y):
    o -= o.max(axis=-1, keepdims=True)
    return float(-_picked(o - np.log(np.exp(o).sum(-1, keepdims=True)), y).sum() / o.shape[0])


def _per_sequence(o, y):
    return -_picked(rnn.log_softmax(o), y).sum(axis=1)


def _good(o, y):
    return -_picked(rnn.log_softmax(o), y).sum()  # summed over the batch


WRONG_NLLS = {
    "mean over time as well": (lambda o, y: _good(o, y) / o.shape[0] / o.shape[1], "value",
                               "averaged over time as well"),
    "np.mean over everything": (lambda o, y: float(-_picked(rnn.log_softmax(o), y).mean()),
                                "value", "averaged over time as well"),
    "sum over the batch": (lambda o, y: float(_good(o, y)), "value", "summed over the batch"),
    "naive exp": (_naive, "nonfinite", "overflows"),
    "off by one": (lambda o, y: rnn.sequence_nll(o, (y + 1) % o.shape[2]), "value", "off by one"),
    "minus one": (lambda o, y: float(-_picked(rnn.log_softmax(o), y - 1).sum() / len(o)), "value",
                  "off by one"),
    "array of shape ()": (lambda o, y: np.array(_good(o, y) / len(o)), "type",
                          "the loss should be a float, got a numpy array of shape ()"),
    "per-sequence losses": (_per_sequence, "type", "got a numpy array of shape (1,)"),
    "list": (lambda o, y: [rnn.sequence_nll(o, y)], "type", "got a list"),
    "softmax, not log": (lambda o, y: float(-_picked(rnn.softmax(o), y).sum() / len(o)), "value",
                         "probabilities, not their logarithm"),
    "sign flipped": (lambda o, y: -rnn.sequence_nll(o, y), "value", "the sign is flipped"),
    "raw logits": (lambda o, y: float(-_picked(o, y).sum() / len(o)), "value", "raw logits"),
    "log10": (lambda o, y: rnn.sequence_nll(o, y) / math.log(10), "value", "log base 10"),
    "log of stable softmax": (_log_of_stable_softmax, "nonfinite", "never take the log of a"),
    "shifts o in place": (_shift_in_place, "mutation", "modified its argument o in place"),
    "raises IndexError": (lambda o, y: o[y], "exception", "raised IndexError"),
    "returns NaN": (lambda o, y: float("nan"), "nonfinite", "the loss is nan"),
    "one parameter": (lambda o: 0.0, "signature", "too many positional arguments"),
}


@pytest.mark.parametrize("name", sorted(WRONG_NLLS))
def test_sequence_nll_rejects_wrong_implementations(name, assert_rejected):
    fn, kind, text = WRONG_NLLS[name]
    result = assert_rejected(checks.sequence_nll, fn, text, kind=kind)
    if kind != "signature":
        assert "(equation " in report(result)


def test_naive_nll_is_reported_as_an_overflow_at_the_large_logit_case():
    result = checks.sequence_nll(_naive)
    text = report(result)
    assert result.n_passed == 5
    assert "✗ case 6 of 8: N=2, T=3, K=4, logits near 1000" in text
    assert "the loss is nan" in text
    assert "numpy warned: overflow encountered in exp" in text
    assert "moves by the same amount" in flat(text)
    assert 'A numerically stable softmax' in text
    assert "o.max(" not in text, "the hint points at the section; it does not hand over code"


def test_sequence_nll_not_implemented_stub():
    def stub(o, y):
        raise NotImplementedError("Not implemented yet. Hint: subtract the max first.")

    result = checks.sequence_nll(stub)
    assert not result and result.status == "not implemented"
    assert "not implemented yet" in report(result).lower()
    assert "Hint: subtract the max first." in report(result)


def test_sequence_nll_cases_contain_hand_and_large_cases():
    cases = ch01.loss_cases()
    o, y = cases[0].args
    assert cases[0].expected.value == pytest.approx(math.log(4 / 3))
    assert any(c.args[0].shape[0] == 1 for c in cases) and any(c.args[0].shape[1] == 1
                                                                for c in cases)
    assert any(np.abs(c.args[0]).min() > 900 for c in cases)  # every logit near 1000
    assert all(c.args[1].dtype.kind == "i" for c in cases)


# --------------------------------------------------------------------------
# the checker itself never raises
# --------------------------------------------------------------------------


class Weird:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("cannot convert")

    def __float__(self):
        raise RuntimeError("cannot convert")


ODD_FUNCTIONS = [
    None,
    42,
    "rnn_step",
    lambda *args: None,
    lambda *args, **kwargs: Weird(),
    lambda *args: (_ for _ in ()),
    lambda *args: sys.exit(0),
    lambda *args: 1 / 0,
    lambda *args: args[0],
    lambda *args: np.zeros((10**3,)),
    lambda *args: {"h_t": 1},
    lambda *args: float("inf"),
    print,
    np.tanh,
    max,
]


@pytest.mark.parametrize("fn", ODD_FUNCTIONS, ids=range(len(ODD_FUNCTIONS)))
@pytest.mark.parametrize("checker", [checks.rnn_step, checks.sequence_nll],
                         ids=["rnn_step", "sequence_nll"])
def test_checkers_never_raise(checker, fn, capsys):
    result = checker(fn)
    assert isinstance(result, checks.CheckResult)
    assert not result
    text = str(result)
    assert text.splitlines()[-1].startswith("Failed")
    assert "Hint:" in text and "0x" not in text


returned = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.tuples(st.integers(), st.floats()),
    hnp.arrays(
        dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    ),
)


@settings(max_examples=60, deadline=None)
@given(value=returned, checker=st.sampled_from([checks.rnn_step, checks.sequence_nll]))
def test_property_any_return_value_gives_a_report(value, checker):
    result = checker(lambda *args: value)
    text = str(result)
    assert isinstance(result, checks.CheckResult)
    assert text.startswith("Checking ") and "0x" not in text
    if not result:
        assert text.splitlines()[-1].startswith("Failed")


def test_sequence_nll_names_a_shift_by_the_global_maximum(assert_rejected):
    def global_shift(o, y):
        z = o - o.max()  # one shift for the whole array
        logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
        return float(-picked.sum() / o.shape[0])

    result = assert_rejected(checks.sequence_nll, global_shift, "its own shift",
                             kind="nonfinite")
    assert "one step's logits near 1000" in str(result)
