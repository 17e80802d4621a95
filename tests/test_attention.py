"""Tests of textbook_rnn.attention: scores, masked softmax weights, contexts, backward passes.

Values by hand, finite differences, torch autograd, hypothesis over shapes, and
the errors for malformed input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import attention as att
from textbook_rnn.gradcheck import numerical_gradient, relative_error


def _problem(N=2, M=3, T=5, d=4, Dv=3, A=6, seed=0, pad=True):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(N, M, d)), rng.normal(size=(N, T, d)), rng.normal(size=(N, T, Dv))
    mask = np.ones((N, T), dtype=bool)
    if pad and N > 1:
        mask[1, T // 2 + 1:] = False
    extra = {"dot": {}, "general": {"W_a": rng.normal(size=(d, d + 0))},
             "additive": {"W_q": rng.normal(size=(A, d)), "W_k": rng.normal(size=(A, d)),
                          "w_a": rng.normal(size=A)}}
    dc = rng.normal(size=(N, M, Dv))
    return q, k, v, mask, extra, dc


LAYERS = {"dot": (att.dot_attention_forward, att.dot_attention_backward),
          "general": (att.general_attention_forward, att.general_attention_backward),
          "additive": (att.additive_attention_forward, att.additive_attention_backward)}


def test_weights_by_hand():
    # two keys with scores 0 and log 3: weights 1/4 and 3/4
    e = np.array([[[0.0, np.log(3.0)]]])
    np.testing.assert_allclose(att.attention_weights(e), [[[0.25, 0.75]]])


def test_masked_keys_get_zero_weight_and_rows_sum_to_one():
    e = np.array([[[1.0, 2.0, 3.0]]])
    alpha = att.attention_weights(e, np.array([[True, True, False]]))
    np.testing.assert_allclose(alpha, [[[1 / (1 + np.e), np.e / (1 + np.e), 0.0]]])


def test_weights_are_stable_for_huge_scores():
    e = np.array([[[1e4, 1e4 + 1.0, -1e4]]])
    alpha = att.attention_weights(e)
    assert np.isfinite(alpha).all()
    np.testing.assert_allclose(alpha[0, 0, :2], [1 / (1 + np.e), np.e / (1 + np.e)])


def test_context_is_the_weighted_sum():
    alpha = np.array([[[0.25, 0.75]]])
    v = np.array([[[1.0, 0.0], [0.0, 2.0]]])
    np.testing.assert_allclose(att.context(alpha, v), [[[0.25, 1.5]]])


def test_scores_by_hand():
    q = np.array([[[1.0, 2.0]]])
    k = np.array([[[3.0, 4.0], [0.0, 1.0]]])
    np.testing.assert_allclose(att.dot_scores(q, k, scaled=False), [[[11.0, 2.0]]])
    np.testing.assert_allclose(att.dot_scores(q, k), [[[11.0, 2.0]]] / np.sqrt(2))
    np.testing.assert_allclose(att.general_scores(q, k, np.eye(2)), [[[11.0, 2.0]]])
    W_q, W_k, w_a = np.eye(2), np.eye(2), np.array([1.0, -1.0])
    expected = np.tanh(q + k[:, :, None, :].squeeze(2)[:, :, :]) @ w_a
    np.testing.assert_allclose(att.additive_scores(q, k, W_q, W_k, w_a), expected[:, None, :])


def test_forward_contexts_match_the_separate_pieces():
    q, k, v, mask, extra, _ = _problem()
    c, cache = att.general_attention_forward(q, k, v, extra["general"]["W_a"], mask)
    alpha = att.attention_weights(att.general_scores(q, k, extra["general"]["W_a"]), mask)
    np.testing.assert_allclose(cache.alpha, alpha)
    np.testing.assert_allclose(c, att.context(alpha, v))


@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_matches_finite_differences(name):
    q, k, v, mask, extra, dc = _problem(seed=1)
    forward, backward = LAYERS[name]
    args = {"q": q, "k": k, "v": v, **extra[name]}
    _, cache = forward(**args, mask=mask)
    grads = backward(dc, cache)
    assert len(grads) == len(args)
    for (a, value), g in zip(args.items(), grads, strict=True):
        assert g.shape == value.shape, a

        def f(x, a=a):
            return float((dc * forward(**{**args, a: x}, mask=mask)[0]).sum())

        assert relative_error(g, numerical_gradient(f, value)) < 1e-6, a


@pytest.mark.parametrize("name", list(LAYERS))
def test_backward_equals_torch_autograd(name):
    q, k, v, mask, extra, dc = _problem(seed=2)
    forward, backward = LAYERS[name]
    args = {"q": q, "k": k, "v": v, **extra[name]}
    c, cache = forward(**args, mask=mask)
    grads = dict(zip(args, backward(dc, cache), strict=True))
    t = {a: torch.tensor(x, requires_grad=True) for a, x in args.items()}
    if name == "dot":
        e = t["q"] @ t["k"].transpose(1, 2) / np.sqrt(q.shape[-1])
    elif name == "general":
        e = t["q"] @ t["W_a"] @ t["k"].transpose(1, 2)
    else:
        z = torch.tanh((t["q"] @ t["W_q"].T)[:, :, None] + (t["k"] @ t["W_k"].T)[:, None])
        e = z @ t["w_a"]
    alpha = torch.softmax(e.masked_fill(~torch.tensor(mask)[:, None], float("-inf")), -1)
    ct = alpha @ t["v"]
    np.testing.assert_allclose(ct.detach().numpy(), c, atol=1e-12)
    (ct * torch.tensor(dc)).sum().backward()
    for a in args:
        np.testing.assert_allclose(grads[a], t[a].grad.numpy(), atol=1e-10, err_msg=a)


def test_torch_additive_attention_module_computes_the_same_weights():
    from textbook_rnn.torch_nn.seq2seq import AdditiveAttention
    q, k, v, mask, extra, _ = _problem(M=1, seed=3)
    p = extra["additive"]
    _, cache = att.additive_attention_forward(q, k, v, **p, mask=mask)
    module = AdditiveAttention(q.shape[-1], k.shape[-1], p["W_q"].shape[0]).double()
    with torch.no_grad():
        module.W_q.weight.copy_(torch.tensor(p["W_q"]))
        module.W_k.weight.copy_(torch.tensor(p["W_k"]))
        module.w_a.weight.copy_(torch.tensor(p["w_a"][None]))
        c, alpha = module(torch.tensor(q[:, 0]), module.W_k(torch.tensor(k)), torch.tensor(v),
                          torch.tensor(mask))
    np.testing.assert_allclose(alpha.numpy(), cache.alpha[:, 0], atol=1e-12)


def test_padding_gets_no_gradient():
    q, k, v, mask, _, dc = _problem(seed=4)
    _, cache = att.dot_attention_forward(q, k, v, mask)
    _, dk, dv = att.dot_attention_backward(dc, cache)
    assert not dk[~mask].any() and not dv[~mask].any()


def test_float32_in_float32_out():
    q, k, v, mask, _, _ = _problem()
    c, _ = att.dot_attention_forward(*(a.astype(np.float32) for a in (q, k, v)), mask)
    assert c.dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 3), M=st.integers(1, 4), T=st.integers(1, 5), d=st.integers(1, 4),
       Dv=st.integers(1, 3), seed=st.integers(0, 10_000), scale=st.floats(0.0, 300.0))
def test_weights_are_a_distribution_for_any_shape_and_scale(N, M, T, d, Dv, seed, scale):
    rng = np.random.default_rng(seed)
    q, k, v = scale * rng.normal(size=(N, M, d)), rng.normal(size=(N, T, d)), \
        rng.normal(size=(N, T, Dv))
    mask = rng.random((N, T)) < 0.7
    mask[:, 0] = True
    c, cache = att.dot_attention_forward(q, k, v, mask)
    assert c.shape == (N, M, Dv) and np.isfinite(c).all()
    np.testing.assert_allclose(cache.alpha.sum(-1), 1.0)
    assert (cache.alpha[np.broadcast_to(~mask[:, None, :], cache.alpha.shape)] == 0).all()


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4))
def test_malformed_queries_raise_clear_errors(shape):
    k, v = np.zeros((2, 3, 4)), np.zeros((2, 3, 5))
    q = np.zeros(shape)
    if q.shape[:1] == (2,) and q.ndim == 3 and q.shape[2] == 4:
        att.dot_attention_forward(q, k, v)
        return
    with pytest.raises((ValueError, TypeError), match=r"^(q|k) "):
        att.dot_attention_forward(q, k, v)


def test_errors_name_the_argument():
    q, k, v = np.zeros((2, 1, 4)), np.zeros((2, 3, 4)), np.zeros((2, 3, 5))
    with pytest.raises(ValueError, match="v"):
        att.dot_attention_forward(q, k, np.zeros((2, 4, 5)))
    with pytest.raises(TypeError, match="mask must be a boolean"):
        att.dot_attention_forward(q, k, v, np.ones((2, 3)))
    with pytest.raises(ValueError, match="at least one key"):
        att.dot_attention_forward(q, k, v, np.array([[True, False, False], [False] * 3]))
    with pytest.raises(ValueError, match="W_a"):
        att.general_attention_forward(q, k, v, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="w_a"):
        att.additive_attention_forward(q, k, v, np.zeros((5, 4)), np.zeros((5, 4)),
                                       np.zeros(6))
    with pytest.raises(ValueError, match="finite"):
        att.attention_weights(np.array([[[0.0, -np.inf]]]))
    _, cache = att.dot_attention_forward(q, k, v)
    with pytest.raises(ValueError, match="dc"):
        att.dot_attention_backward(np.zeros((2, 1, 4)), cache)
