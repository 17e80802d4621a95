"""The chapter 2 checkers reject wrong BPTT code and accept right code.

Every wrong implementation here is written out independently of the
checker's own list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import checks

# --- rnn_step_backward -----------------------------------------------------------
# The exercise returns the gradients in the order of rnn_step(x_t, h_prev, U, W, b):
# (dx_t, dh_prev, dU, dW, db).


def step_right(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * (1 - h_t**2)
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_right_einsum(dh_t, h_t, h_prev, x_t, W, U):
    """Same maths, written with einsum and an explicit derivative of tanh."""
    a = np.arctanh(h_t)
    da = dh_t / np.cosh(a) ** 2
    return (
        np.einsum("nh,hd->nd", da, U),
        np.einsum("nh,hk->nk", da, W),
        np.einsum("nh,nd->hd", da, x_t),
        np.einsum("nh,nk->hk", da, h_prev),
        np.einsum("nh->h", da),
    )


def step_right_loops(dh_t, h_t, h_prev, x_t, W, U):
    """One example at a time, outer products added up, returned as a list."""
    N, H = h_t.shape
    dx, dh = np.zeros_like(x_t), np.zeros_like(h_prev)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(H)
    for n in range(N):
        da = dh_t[n] * (1 - h_t[n] ** 2)
        dx[n], dh[n] = U.T @ da, W.T @ da
        dU += np.outer(da, x_t[n])
        dW += np.outer(da, h_prev[n])
        db += da
    return [dx, dh, dU, dW, db]


def step_right_autograd_float32(dh_t, h_t, h_prev, x_t, W, U):
    """torch autograd in torch's default dtype, float32: b recovered from h_t."""
    a = np.arctanh(h_t) - h_prev @ W.T - x_t @ U.T  # every row holds b
    t = {k: torch.tensor(v, dtype=torch.float32, requires_grad=True)
         for k, v in dict(x_t=x_t, h_prev=h_prev, U=U, W=W, b=a[0]).items()}
    h = torch.tanh(t["b"] + t["h_prev"] @ t["W"].T + t["x_t"] @ t["U"].T)
    (h * torch.tensor(dh_t, dtype=torch.float32)).sum().backward()
    return tuple(t[k].grad.numpy() for k in ("x_t", "h_prev", "U", "W", "b"))


def step_in_place_on_its_own_copy(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t.copy()
    da *= 1 - h_t**2
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_old_order(dh_t, h_t, h_prev, x_t, W, U):
    """Right gradients in the order (dh_prev, dW, dU, db, dx_t) of an earlier version."""
    dx, dh, dU, dW, db = step_right(dh_t, h_t, h_prev, x_t, W, U)
    return dh, dW, dU, db, dx


def step_no_tanh_derivative(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_h_t_for_h_prev(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * (1 - h_t**2)
    return da @ U, da @ W, da.T @ x_t, da.T @ h_t, da.sum(axis=0)


def step_wrong_transpose(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * (1 - h_t**2)
    return da @ U, da @ W.T, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_db_not_summed(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * (1 - h_t**2)
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da


def step_batch_mean(dh_t, h_t, h_prev, x_t, W, U):
    n = len(dh_t)
    da = dh_t * (1 - h_t**2) / n
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_swapped_dU_dW(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * (1 - h_t**2)
    return da @ U, da @ W, da.T @ h_prev, da.T @ x_t, da.sum(axis=0)


def step_in_place(dh_t, h_t, h_prev, x_t, W, U):
    dh_t *= 1 - h_t**2
    return dh_t @ U, dh_t @ W, dh_t.T @ x_t, dh_t.T @ h_prev, dh_t.sum(axis=0)


def step_sigmoid_derivative(dh_t, h_t, h_prev, x_t, W, U):
    da = dh_t * h_t * (1 - h_t)
    return da @ U, da @ W, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def step_raises(dh_t, h_t, h_prev, x_t, W, U):
    return dh_t @ U  # (N, H) @ (H, D) is fine, but one array is not five


def step_stub(dh_t, h_t, h_prev, x_t, W, U):
    raise NotImplementedError("Not implemented yet.")


@pytest.mark.parametrize("fn", [step_right, step_right_einsum, step_right_loops,
                                step_right_autograd_float32, step_in_place_on_its_own_copy])
def test_step_right_implementations_pass(fn):
    result = checks.rnn_step_backward(fn)
    assert result, str(result)
    assert "All checks passed" in str(result)


def test_step_reference_is_the_package_s_reordered_by_name():
    """The checker computes its own reference; it must agree with textbook_rnn.bptt."""
    from textbook_rnn import bptt
    from textbook_rnn.checks import bptt as ch02

    names = ("dx_t", "dh_prev", "dU", "dW", "db")
    for case in ch02.step_cases():
        dh_t, h_t, h_prev, x_t, W, U = case.args
        package = bptt.rnn_step_backward(dh_t, (x_t, h_prev, h_t, U, W))
        # the package's docstring names its outputs; reorder by those names
        doc = bptt.rnn_step_backward.__doc__.split("Returns")[1]
        order = [line.split(":")[0].strip() for line in doc.splitlines()
                 if line.strip().startswith("d") and ":" in line]
        by_name = dict(zip(order, package, strict=True))
        for name, spec in zip(names, case.expected.items, strict=True):
            np.testing.assert_allclose(spec.value, by_name[name], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "fn, words",
    [
        (step_no_tanh_derivative, "tanh derivative is missing"),
        (step_h_t_for_h_prev, "dW uses h_t where h_{t-1} belongs"),
        (step_wrong_transpose, "dh_prev uses W untransposed"),
        (step_db_not_summed, "db has the wrong shape"),
        (step_batch_mean, "averaged over the batch"),
        (step_swapped_dU_dW, "dU"),
        (step_old_order, "in the order (dh_prev, dW, dU, db, dx_t)"),
        (step_in_place, "dh_t"),
        (step_sigmoid_derivative, "wrong values"),
        (step_raises, "tuple"),
    ],
)
def test_step_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.rnn_step_backward, fn, words)


def test_step_mutation_is_named():
    text = str(checks.rnn_step_backward(step_in_place))
    assert "modified" in text or "changed" in text, text


def test_step_stub_is_not_implemented():
    result = checks.rnn_step_backward(step_stub)
    assert not result
    assert result.status == "not implemented"
    assert "Not implemented yet" in str(result)


# --- rnn_bptt ----------------------------------------------------------------------


def _forward(x, h0, U, W, b):
    hs = [h0]
    for t in range(x.shape[1]):
        hs.append(np.tanh(b + hs[-1] @ W.T + x[:, t] @ U.T))
    return hs  # hs[t + 1] is h_t


def _softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_bptt(*, deriv=True, dW_prev=True, recurrent=True, every_step=True, per_batch=True,
              dV_h_t=True):
    """A BPTT written by a reader, with one of several possible slips."""

    def bptt(x, y, h0, U, W, V, b, c):
        N, T, _ = x.shape
        hs = _forward(x, h0, U, W, b)
        g = {"dU": np.zeros_like(U), "dW": np.zeros_like(W), "dV": np.zeros_like(V),
             "db": np.zeros_like(b), "dc": np.zeros_like(c)}
        carry = np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            h_t, h_prev = hs[t + 1], hs[t]
            do = _softmax(h_t @ V.T + c)
            do[np.arange(N), y[:, t]] -= 1
            do /= N if per_batch else 1
            if not every_step and t != T - 1:
                do[:] = 0
            dh = do @ V + (carry if recurrent else 0)
            da = dh * (1 - h_t**2) if deriv else dh
            g["dW"] += da.T @ (h_prev if dW_prev else h_t)
            g["dU"] += da.T @ x[:, t]
            g["db"] += da.sum(axis=0)
            g["dV"] += do.T @ (h_t if dV_h_t else h_prev)
            g["dc"] += do.sum(axis=0)
            carry = da @ W
        g["dh0"] = carry
        return g

    return bptt


def bptt_autograd(x, y, h0, U, W, V, b, c):
    """A correct answer by a different route: torch autograd."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in
         dict(U=U, W=W, V=V, b=b, c=c, h0=h0).items()}
    h, loss = t["h0"], 0
    for s in range(x.shape[1]):
        h = torch.tanh(t["b"] + h @ t["W"].T + torch.tensor(x[:, s]) @ t["U"].T)
        o = t["c"] + h @ t["V"].T
        loss = loss + torch.nn.functional.cross_entropy(o, torch.tensor(y[:, s]), reduction="sum")
    (loss / x.shape[0]).backward()
    return {f"d{k}": v.grad.numpy() for k, v in t.items()}


def bptt_returns_tuple(x, y, h0, U, W, V, b, c):
    g = make_bptt()(x, y, h0, U, W, V, b, c)
    return tuple(g.values())


def bptt_missing_key(x, y, h0, U, W, V, b, c):
    g = make_bptt()(x, y, h0, U, W, V, b, c)
    del g["dh0"]
    return g


def bptt_mutates_h0(x, y, h0, U, W, V, b, c):
    g = make_bptt()(x, y, h0, U, W, V, b, c)
    h0[:] = 0
    return g


@pytest.mark.parametrize("fn", [make_bptt(), bptt_autograd])
def test_bptt_right_implementations_pass(fn):
    result = checks.rnn_bptt(fn)
    assert result, str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (make_bptt(deriv=False), "tanh derivative is missing"),
        (make_bptt(dW_prev=False), "dW uses h_t where h_{t-1} belongs"),
        (make_bptt(recurrent=False), "recurrent term is dropped"),
        (make_bptt(every_step=False), "only the last step"),
        (make_bptt(per_batch=False), "1/N of the batch average is missing"),
        (make_bptt(dV_h_t=False), "dV uses h_{t-1}"),
        (bptt_returns_tuple, "dict"),
        (bptt_missing_key, "missing dh0"),
        (bptt_mutates_h0, "h0"),
    ],
)
def test_bptt_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.rnn_bptt, fn, words)


def test_reports_are_deterministic():
    for checker, fn in [(checks.rnn_step_backward, step_no_tanh_derivative),
                        (checks.rnn_bptt, make_bptt(recurrent=False))]:
        assert str(checker(fn)) == str(checker(fn))


@pytest.mark.parametrize("odd", [None, 42, lambda: None, lambda *a: None, lambda *a: 1 / 0])
def test_checkers_never_raise(odd):
    for checker in (checks.rnn_step_backward, checks.rnn_bptt):
        result = checker(odd)
        assert not result
