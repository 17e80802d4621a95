"""The checkers of the chapter "... attention" reject wrong code and accept right code.

Every wrong implementation is written out independently of the checker's own list
of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import checks

# --- bidirectional_states ------------------------------------------------------------


def bi_right(x, step_f, step_b, h0_f, h0_b):
    T = x.shape[1]
    fwd, bwd, h = [], [], h0_f
    for t in range(T):
        h = step_f(x[:, t], h)
        fwd.append(h)
    h = h0_b
    for t in range(T - 1, -1, -1):
        h = step_b(x[:, t], h)
        bwd.append(h)
    return np.concatenate([np.stack(fwd, 1), np.stack(bwd[::-1], 1)], axis=2)


def bi_right_flip(x, step_f, step_b, h0_f, h0_b):
    """Reverse the input, run a forward loop, flip the result back, into one array."""
    N, T, _ = x.shape
    H = h0_f.shape[1]
    out = np.empty((N, T, 2 * H))
    h = h0_f
    for t in range(T):
        h = out[:, t, :H] = step_f(x[:, t], h)
    xr, h = x[:, ::-1], h0_b
    back = []
    for t in range(T):
        h = step_b(xr[:, t], h)
        back.append(h)
    out[:, :, H:] = np.stack(back, 1)[:, ::-1]
    return out


def bi_forward_twice(x, step_f, step_b, h0_f, h0_b):
    T = x.shape[1]
    fwd, bwd, hf, hb = [], [], h0_f, h0_b
    for t in range(T):
        hf, hb = step_f(x[:, t], hf), step_b(x[:, t], hb)
        fwd.append(hf)
        bwd.append(hb)
    return np.concatenate([np.stack(fwd, 1), np.stack(bwd, 1)], axis=2)


def bi_not_restored(x, step_f, step_b, h0_f, h0_b):
    T = x.shape[1]
    fwd, bwd, h = [], [], h0_f
    for t in range(T):
        h = step_f(x[:, t], h)
        fwd.append(h)
    h = h0_b
    for t in reversed(range(T)):
        h = step_b(x[:, t], h)
        bwd.append(h)
    return np.concatenate([np.stack(fwd, 1), np.stack(bwd, 1)], axis=2)


def bi_swapped(x, step_f, step_b, h0_f, h0_b):
    h = bi_right(x, step_f, step_b, h0_f, h0_b)
    H = h0_f.shape[1]
    return np.concatenate([h[:, :, H:], h[:, :, :H]], axis=2)


def bi_one_cell(x, step_f, step_b, h0_f, h0_b):
    return bi_right(x, step_f, step_f, h0_f, h0_b)


def bi_wrong_start(x, step_f, step_b, h0_f, h0_b):
    return bi_right(x, step_f, step_b, h0_f, h0_f)


def bi_stacked_on_axis0(x, step_f, step_b, h0_f, h0_b):
    h = bi_right(x, step_f, step_b, h0_f, h0_b)
    H = h0_f.shape[1]
    return np.stack([h[:, :, :H], h[:, :, H:]])


def bi_skips_last(x, step_f, step_b, h0_f, h0_b):
    """The backward loop runs range(T - 1, 0, -1) and misses t = 0; the last state is repeated."""
    T = x.shape[1]
    fwd, h = [], h0_f
    for t in range(T):
        h = step_f(x[:, t], h)
        fwd.append(h)
    bwd, h = [None] * T, h0_b
    for t in range(T - 1, 0, -1):
        h = step_b(x[:, t], h)
        bwd[t] = h
    bwd[0] = h
    return np.concatenate([np.stack(fwd, 1), np.stack(bwd, 1)], axis=2)


@pytest.mark.parametrize("fn", [bi_right, bi_right_flip])
def test_bidirectional_right_answers_pass(fn):
    result = checks.bidirectional_states(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (bi_forward_twice, "reads the sequence left to right"),
    (bi_not_restored, "in the order they were computed"),
    (bi_swapped, "halves are swapped"),
    (bi_one_cell, "uses step_f"),
    (bi_wrong_start, "starts from h0_f"),
    (bi_stacked_on_axis0, "(N, T, 2H)"),
    (bi_skips_last, ()),
])
def test_bidirectional_wrong_answers_are_rejected(assert_rejected, fn, words):
    assert_rejected(checks.bidirectional_states, fn, words)


# --- dot_product_attention -------------------------------------------------------------


def att_right(q, k, v, mask):
    e = np.einsum("nmd,ntd->nmt", q, k) / np.sqrt(q.shape[-1])
    e = np.where(mask[:, None, :], e, -1e30)
    e = e - e.max(-1, keepdims=True)
    alpha = np.exp(e)
    alpha /= alpha.sum(-1, keepdims=True)
    return np.einsum("nmt,ntv->nmv", alpha, v), alpha


def att_right_torch(q, k, v, mask):
    """torch's own scaled dot-product attention, in float32, returned as a list."""
    qt, kt, vt = (torch.tensor(a, dtype=torch.float32) for a in (q, k, v))
    m = torch.tensor(mask)[:, None, :]
    alpha = torch.softmax((qt @ kt.transpose(1, 2) / q.shape[-1] ** 0.5).masked_fill(
        ~m, float("-inf")), dim=-1)
    c = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, attn_mask=m)
    return [c.numpy(), alpha.numpy()]


def att_wrong_axis(q, k, v, mask):
    e = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    e = np.where(mask[:, None, :], e, -np.inf)
    z = np.exp(e - e.max(1, keepdims=True))
    alpha = np.nan_to_num(z / z.sum(1, keepdims=True))
    return alpha @ v, alpha


def att_mask_after(q, k, v, mask):
    e = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    z = np.exp(e - e.max(-1, keepdims=True))
    alpha = z / z.sum(-1, keepdims=True) * mask[:, None, :]
    return alpha @ v, alpha


def att_unscaled(q, k, v, mask):
    e = q @ k.transpose(0, 2, 1)
    e = np.where(mask[:, None, :], e, -np.inf)
    z = np.exp(e - e.max(-1, keepdims=True))
    alpha = z / z.sum(-1, keepdims=True)
    return alpha @ v, alpha


def att_no_mask(q, k, v, mask):
    e = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    z = np.exp(e - e.max(-1, keepdims=True))
    alpha = z / z.sum(-1, keepdims=True)
    return alpha @ v, alpha


def att_overflows(q, k, v, mask):
    e = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    z = np.exp(e) * mask[:, None, :]
    alpha = z / z.sum(-1, keepdims=True)
    return alpha @ v, alpha


def att_transposed_keys(q, k, v, mask):
    """Scores keys against queries, e = k qᵀ, then softmax over its last axis."""
    e = (k @ q.transpose(0, 2, 1)).transpose(0, 2, 1) if q.shape[1] != k.shape[1] else \
        k @ q.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    e = np.where(mask[:, None, :], e, -np.inf)
    z = np.exp(e - e.max(-1, keepdims=True))
    alpha = z / z.sum(-1, keepdims=True)
    return alpha @ v, alpha


def att_keys_as_values(q, k, v, mask):
    c, alpha = att_right(q, k, v, mask)
    return alpha @ k, alpha


def att_order(q, k, v, mask):
    c, alpha = att_right(q, k, v, mask)
    return alpha, c


@pytest.mark.parametrize("fn", [att_right, att_right_torch])
def test_attention_right_answers_pass(fn):
    result = checks.dot_product_attention(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (att_wrong_axis, "over the queries"),
    (att_mask_after, "applied after the softmax"),
    (att_unscaled, "not divided by √d"),
    (att_no_mask, "mask is ignored"),
    (att_overflows, "NaN"),
    (att_transposed_keys, ()),
    (att_keys_as_values, ()),
    (att_order, ()),
])
def test_attention_wrong_answers_are_rejected(assert_rejected, fn, words):
    assert_rejected(checks.dot_product_attention, fn, words)


# --- attention_backward -------------------------------------------------------------------


def _alpha(q, k, mask):
    e = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    e = np.where(mask[:, None, :], e, -np.inf)
    z = np.exp(e - e.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)


def bwd_right(dc, q, k, v, mask):
    a = _alpha(q, k, mask)
    da = dc @ v.transpose(0, 2, 1)
    de = a * (da - (a * da).sum(-1, keepdims=True)) / np.sqrt(q.shape[-1])
    return de @ k, de.transpose(0, 2, 1) @ q, a.transpose(0, 2, 1) @ dc


def bwd_right_autograd(dc, q, k, v, mask):
    t = {n: torch.tensor(a, requires_grad=True) for n, a in dict(q=q, k=k, v=v).items()}
    e = (t["q"] @ t["k"].transpose(1, 2) / q.shape[-1] ** 0.5).masked_fill(
        ~torch.tensor(mask)[:, None], float("-inf"))
    c = torch.softmax(e, -1) @ t["v"]
    (c * torch.tensor(dc)).sum().backward()
    return tuple(t[n].grad.numpy() for n in "qkv")


def bwd_diagonal(dc, q, k, v, mask):
    a = _alpha(q, k, mask)
    de = a * (dc @ v.transpose(0, 2, 1)) / np.sqrt(q.shape[-1])
    return de @ k, de.transpose(0, 2, 1) @ q, a.transpose(0, 2, 1) @ dc


def bwd_no_softmax(dc, q, k, v, mask):
    a = _alpha(q, k, mask)
    de = (dc @ v.transpose(0, 2, 1)) / np.sqrt(q.shape[-1])
    return de @ k, de.transpose(0, 2, 1) @ q, a.transpose(0, 2, 1) @ dc


def bwd_unscaled(dc, q, k, v, mask):
    a = _alpha(q, k, mask)
    da = dc @ v.transpose(0, 2, 1)
    de = a * (da - (a * da).sum(-1, keepdims=True))
    return de @ k, de.transpose(0, 2, 1) @ q, a.transpose(0, 2, 1) @ dc


def bwd_order(dc, q, k, v, mask):
    dq, dk, dv = bwd_right(dc, q, k, v, mask)
    return dv, dk, dq


def bwd_dv_without_alpha(dc, q, k, v, mask):
    dq, dk, _ = bwd_right(dc, q, k, v, mask)
    return dq, dk, np.repeat(dc.sum(1, keepdims=True), k.shape[1], axis=1)


def bwd_mask_ignored(dc, q, k, v, mask):
    return bwd_right(dc, q, k, v, np.ones_like(mask))


def bwd_dk_from_k(dc, q, k, v, mask):
    dq, _, dv = bwd_right(dc, q, k, v, mask)
    a = _alpha(q, k, mask)
    da = dc @ v.transpose(0, 2, 1)
    de = a * (da - (a * da).sum(-1, keepdims=True)) / np.sqrt(q.shape[-1])
    return dq, (de @ k).sum(1, keepdims=True) * np.ones_like(k), dv


@pytest.mark.parametrize("fn", [bwd_right, bwd_right_autograd])
def test_backward_right_answers_pass(fn):
    result = checks.attention_backward(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (bwd_diagonal, "second term"),
    (bwd_no_softmax, "skips the softmax"),
    (bwd_unscaled, "1/√d"),
    (bwd_order, "(dq, dk, dv)"),
    (bwd_dv_without_alpha, ()),
    (bwd_mask_ignored, ()),
    (bwd_dk_from_k, ()),
])
def test_backward_wrong_answers_are_rejected(assert_rejected, fn, words):
    assert_rejected(checks.attention_backward, fn, words)


def test_stubs_are_not_implemented_and_nothing_raises():
    def stub(*args):
        raise NotImplementedError("Not implemented yet.")

    for checker in (checks.bidirectional_states, checks.dot_product_attention,
                    checks.attention_backward):
        result = checker(stub)
        assert not result and result.status == "not implemented"
        assert not checker(None)
