"""Attention: scores, masked softmax weights and the context, forward and backward.

The numpy core of the chapter "Bidirectional and encoder-decoder networks,
attention" (``chapters/04_attention.md``), section *Attention*. For a batch of
N examples, M queries ``q_i`` (rows of ``q``, e.g. decoder states) look at T
keys ``k_j`` and values ``v_j`` (rows of ``k`` and ``v``, e.g. encoder states)::

    e_ij  = score(q_i, k_j)                               (att-score)
    α_ij  = exp(e_ij) / Σ_{j' kept} exp(e_ij')  (0 where j is masked)   (att-weights)
    c_i   = Σ_j α_ij v_j                                  (att-context)

with three scores::

    dot (scaled):  e_ij = q_iᵀ k_j / √d                   (att-dot)
    general:       e_ij = q_iᵀ W_a k_j                    (att-general)
    additive:      e_ij = w_aᵀ tanh(W_q q_i + W_k k_j)    (att-additive)

Shapes: ``q`` (N, M, Dq), ``k`` (N, T, Dk), ``v`` (N, T, Dv), ``mask`` (N, T)
booleans, True where a key is real and False where it is padding; scores and
weights are (N, M, T), the context (N, M, Dv). Each ``*_forward`` returns
``(context, cache)`` with the weights in ``cache.alpha``; each ``*_backward``
returns the gradients in the order of its forward's arguments.

Only numpy is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import Shapes, float_dtype

__all__ = [
    "AttentionCache",
    "attention_weights",
    "context",
    "dot_scores",
    "general_scores",
    "additive_scores",
    "dot_attention_forward",
    "dot_attention_backward",
    "general_attention_forward",
    "general_attention_backward",
    "additive_attention_forward",
    "additive_attention_backward",
]


@dataclass
class AttentionCache:
    """What a backward pass needs: the inputs, the weights and the score's own values.

    Attributes
    ----------
    q, k, v : ndarray
        Queries (N, M, Dq), keys (N, T, Dk) and values (N, T, Dv).
    alpha : ndarray, shape (N, M, T)
        The attention weights, equation ``att-weights``.
    extra : tuple
        The score's parameters and intermediate values.
    """

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    alpha: np.ndarray
    extra: tuple


# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------


def _check_qkv(q, k, v, mask, s: Shapes | None = None, *, dq="Dq", dk="Dk"):
    """Check queries, keys, values and mask; return them in one float dtype and the Shapes."""
    s = Shapes() if s is None else s
    q = s.array("q", q, ("N", "M", dq))
    k = s.array("k", k, ("N", "T", dk))
    v = s.array("v", v, ("N", "T", "Dv"))
    mask = _check_mask(mask, s)
    return q, k, v, mask, s


def _check_mask(mask, s: Shapes):
    """A boolean (N, T) mask that keeps at least one key per example, or None."""
    if mask is None:
        return None
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise TypeError(f"mask must be a boolean array of shape (N, T), got dtype {arr.dtype}")
    arr = s.array("mask", arr, ("N", "T"))
    if not arr.any(axis=1).all():
        rows = np.flatnonzero(~arr.any(axis=1)).tolist()
        raise ValueError(f"mask must keep at least one key in every example; "
                         f"examples {rows} keep none")
    return arr


def _cast(*arrays):
    dt = float_dtype(*arrays)
    return tuple(a.astype(dt, copy=False) for a in arrays)


# --------------------------------------------------------------------------
# weights and context: the part every score shares
# --------------------------------------------------------------------------


def _masked_softmax(e, mask):
    """α = softmax(e) over the last axis, 0 where ``mask`` is False; unchecked (``att-weights``).

    Subtracting each row's largest kept score changes nothing mathematically
    and keeps every exponent ≤ 0, so no score, however large, overflows.
    """
    if mask is not None:
        # padding gets a score of -inf *before* the softmax: exp(-inf) = 0
        e = np.where(mask[:, None, :], e, -np.inf)  # (N, M, T)
    e_max = e.max(axis=-1, keepdims=True)
    z = np.exp(e - e_max)
    return z / z.sum(axis=-1, keepdims=True)


def _softmax_backward(dalpha, alpha):
    """∇e from ∇α through α = softmax(e): α ⊙ (∇α - Σ_j α_j ∇α_j); 0 where α is 0."""
    return alpha * (dalpha - (dalpha * alpha).sum(axis=-1, keepdims=True))


def attention_weights(e, mask=None) -> np.ndarray:
    """The attention weights: a softmax of the scores over the keys, equation ``att-weights``.

    Section *Attention*. Stable for scores of any size; masked keys get weight 0.

    Parameters
    ----------
    e : ndarray, shape (N, M, T)
        Scores of M queries against T keys.
    mask : ndarray of bool, shape (N, T), optional
        True for real keys, False for padding; every example keeps at least one.

    Returns
    -------
    ndarray, shape (N, M, T)
        Non-negative weights whose rows sum to one.
    """
    s = Shapes()
    e = s.array("e", e, ("N", "M", "T"))
    mask = _check_mask(mask, s)
    (e,) = _cast(e)
    if not np.isfinite(e).all():
        raise ValueError("e must hold finite scores (mask padding instead of writing -inf)")
    return _masked_softmax(e, mask)


def context(alpha, v) -> np.ndarray:
    """The context vectors c_i = Σ_j α_ij v_j, equation ``att-context``.

    Parameters
    ----------
    alpha : ndarray, shape (N, M, T)
        Attention weights.
    v : ndarray, shape (N, T, Dv)
        Values.

    Returns
    -------
    ndarray, shape (N, M, Dv)
    """
    s = Shapes()
    alpha = s.array("alpha", alpha, ("N", "M", "T"))
    v = s.array("v", v, ("N", "T", "Dv"))
    alpha, v = _cast(alpha, v)
    return alpha @ v


# --------------------------------------------------------------------------
# the three scores
# --------------------------------------------------------------------------


def _dot_scores(q, k, scaled=True):
    # e_ij = q_iᵀ k_j / √d
    e = q @ k.transpose(0, 2, 1)  # (N, M, T)
    return e / math.sqrt(q.shape[-1]) if scaled else e


def dot_scores(q, k, *, scaled: bool = True) -> np.ndarray:
    """Dot-product scores q_iᵀ k_j, divided by √d when ``scaled``, equation ``att-dot``.

    Parameters
    ----------
    q : ndarray, shape (N, M, d)
    k : ndarray, shape (N, T, d)
    scaled : bool
        Divide by √d (the default); False gives Luong's plain "dot" score.

    Returns
    -------
    ndarray, shape (N, M, T)
    """
    s = Shapes()
    q = s.array("q", q, ("N", "M", "d"))
    k = s.array("k", k, ("N", "T", "d"))
    return _dot_scores(*_cast(q, k), scaled=scaled)


def _general_scores(q, k, W_a):
    # e_ij = q_iᵀ W_a k_j
    return (q @ W_a) @ k.transpose(0, 2, 1)  # (N, M, T)


def general_scores(q, k, W_a) -> np.ndarray:
    """Luong's "general" (bilinear) scores q_iᵀ W_a k_j, equation ``att-general``.

    Parameters
    ----------
    q : ndarray, shape (N, M, Dq)
    k : ndarray, shape (N, T, Dk)
    W_a : ndarray, shape (Dq, Dk)

    Returns
    -------
    ndarray, shape (N, M, T)
    """
    s = Shapes()
    q = s.array("q", q, ("N", "M", "Dq"))
    k = s.array("k", k, ("N", "T", "Dk"))
    W_a = s.array("W_a", W_a, ("Dq", "Dk"))
    return _general_scores(*_cast(q, k, W_a))


def _additive_scores(q, k, W_q, W_k, w_a):
    # z_ij = tanh(W_q q_i + W_k k_j): the two projections are computed once each
    z = np.tanh((q @ W_q.T)[:, :, None, :] + (k @ W_k.T)[:, None, :, :])  # (N, M, T, A)
    # e_ij = w_aᵀ z_ij
    return z @ w_a, z  # (N, M, T)


def additive_scores(q, k, W_q, W_k, w_a) -> np.ndarray:
    """Bahdanau's additive scores w_aᵀ tanh(W_q q_i + W_k k_j), equation ``att-additive``.

    Parameters
    ----------
    q : ndarray, shape (N, M, Dq)
    k : ndarray, shape (N, T, Dk)
    W_q : ndarray, shape (A, Dq)
    W_k : ndarray, shape (A, Dk)
    w_a : ndarray, shape (A,)

    Returns
    -------
    ndarray, shape (N, M, T)
    """
    s = Shapes()
    q = s.array("q", q, ("N", "M", "Dq"))
    k = s.array("k", k, ("N", "T", "Dk"))
    W_q = s.array("W_q", W_q, ("A", "Dq"))
    W_k = s.array("W_k", W_k, ("A", "Dk"))
    w_a = s.array("w_a", w_a, ("A",))
    return _additive_scores(*_cast(q, k, W_q, W_k, w_a))[0]


# --------------------------------------------------------------------------
# forward and backward passes of a whole attention layer
# --------------------------------------------------------------------------


def _attend(e, v, mask):
    alpha = _masked_softmax(e, mask)  # (N, M, T)
    # c_i = Σ_j α_ij v_j
    return alpha, alpha @ v  # (N, M, Dv)


def _context_backward(dc, cache):
    """∇α and ∇v from ∇c, then ∇e through the softmax."""
    # c = α v:  ∇α = ∇c vᵀ,  ∇v = αᵀ ∇c
    dalpha = dc @ cache.v.transpose(0, 2, 1)  # (N, M, T)
    dv = cache.alpha.transpose(0, 2, 1) @ dc  # (N, T, Dv)
    return _softmax_backward(dalpha, cache.alpha), dv


def _check_dc(dc, cache):
    N, M, _ = cache.alpha.shape
    return Shapes(N=N, M=M, Dv=cache.v.shape[-1]).array("dc", dc, ("N", "M", "Dv"))


def dot_attention_forward(q, k, v, mask=None, *, scaled: bool = True):
    """Attention with dot-product scores: ``att-dot``, ``att-weights``, ``att-context``.

    Parameters
    ----------
    q : ndarray, shape (N, M, d)
        Queries.
    k : ndarray, shape (N, T, d)
        Keys.
    v : ndarray, shape (N, T, Dv)
        Values.
    mask : ndarray of bool, shape (N, T), optional
        True for real keys, False for padding.
    scaled : bool
        Divide the scores by √d (default True).

    Returns
    -------
    c : ndarray, shape (N, M, Dv)
        The context of each query.
    cache : AttentionCache
        For :func:`dot_attention_backward`; the weights are ``cache.alpha``.
    """
    q, k, v, mask, _ = _check_qkv(q, k, v, mask, dq="d", dk="d")
    q, k, v = _cast(q, k, v)
    alpha, c = _attend(_dot_scores(q, k, scaled), v, mask)
    return c, AttentionCache(q, k, v, alpha, (scaled,))


def dot_attention_backward(dc, cache):
    """Backward pass of :func:`dot_attention_forward`.

    Parameters
    ----------
    dc : ndarray, shape (N, M, Dv)
        Gradient of the loss with respect to the context.
    cache : AttentionCache

    Returns
    -------
    dq : ndarray, shape (N, M, d)
    dk : ndarray, shape (N, T, d)
    dv : ndarray, shape (N, T, Dv)
        In the order of the forward's arguments (the mask has no gradient).
    """
    dc = _check_dc(dc, cache)
    (scaled,) = cache.extra
    de, dv = _context_backward(dc, cache)
    if scaled:
        de = de / math.sqrt(cache.q.shape[-1])
    # e = q kᵀ:  ∇q = ∇e k,  ∇k = ∇eᵀ q
    dq = de @ cache.k  # (N, M, d)
    dk = de.transpose(0, 2, 1) @ cache.q  # (N, T, d)
    return dq, dk, dv


def general_attention_forward(q, k, v, W_a, mask=None):
    """Attention with Luong's general scores: ``att-general``, ``att-weights``, ``att-context``.

    Parameters
    ----------
    q : ndarray, shape (N, M, Dq)
    k : ndarray, shape (N, T, Dk)
    v : ndarray, shape (N, T, Dv)
    W_a : ndarray, shape (Dq, Dk)
    mask : ndarray of bool, shape (N, T), optional

    Returns
    -------
    c : ndarray, shape (N, M, Dv)
    cache : AttentionCache
    """
    q, k, v, mask, s = _check_qkv(q, k, v, mask)
    W_a = s.array("W_a", W_a, ("Dq", "Dk"))
    q, k, v, W_a = _cast(q, k, v, W_a)
    alpha, c = _attend(_general_scores(q, k, W_a), v, mask)
    return c, AttentionCache(q, k, v, alpha, (W_a,))


def general_attention_backward(dc, cache):
    """Backward pass of :func:`general_attention_forward`.

    Parameters
    ----------
    dc : ndarray, shape (N, M, Dv)
    cache : AttentionCache

    Returns
    -------
    dq : ndarray, shape (N, M, Dq)
    dk : ndarray, shape (N, T, Dk)
    dv : ndarray, shape (N, T, Dv)
    dW_a : ndarray, shape (Dq, Dk)
    """
    dc = _check_dc(dc, cache)
    (W_a,) = cache.extra
    q, k = cache.q, cache.k
    de, dv = _context_backward(dc, cache)
    # e = q W_a kᵀ
    dq = de @ k @ W_a.T  # (N, M, Dq)
    dk = de.transpose(0, 2, 1) @ q @ W_a  # (N, T, Dk)
    # ∇W_a = Σ_n qᵀ ∇e k, one batched product then a sum over the batch
    dW_a = (q.transpose(0, 2, 1) @ de @ k).sum(axis=0)  # (Dq, Dk)
    return dq, dk, dv, dW_a


def additive_attention_forward(q, k, v, W_q, W_k, w_a, mask=None):
    """Attention with additive scores: ``att-additive``, ``att-weights``, ``att-context``.

    Parameters
    ----------
    q : ndarray, shape (N, M, Dq)
    k : ndarray, shape (N, T, Dk)
    v : ndarray, shape (N, T, Dv)
    W_q : ndarray, shape (A, Dq)
    W_k : ndarray, shape (A, Dk)
    w_a : ndarray, shape (A,)
    mask : ndarray of bool, shape (N, T), optional

    Returns
    -------
    c : ndarray, shape (N, M, Dv)
    cache : AttentionCache
    """
    q, k, v, mask, s = _check_qkv(q, k, v, mask)
    W_q = s.array("W_q", W_q, ("A", "Dq"))
    W_k = s.array("W_k", W_k, ("A", "Dk"))
    w_a = s.array("w_a", w_a, ("A",))
    q, k, v, W_q, W_k, w_a = _cast(q, k, v, W_q, W_k, w_a)
    e, z = _additive_scores(q, k, W_q, W_k, w_a)
    alpha, c = _attend(e, v, mask)
    return c, AttentionCache(q, k, v, alpha, (W_q, W_k, w_a, z))


def additive_attention_backward(dc, cache):
    """Backward pass of :func:`additive_attention_forward`.

    Parameters
    ----------
    dc : ndarray, shape (N, M, Dv)
    cache : AttentionCache

    Returns
    -------
    dq : ndarray, shape (N, M, Dq)
    dk : ndarray, shape (N, T, Dk)
    dv : ndarray, shape (N, T, Dv)
    dW_q : ndarray, shape (A, Dq)
    dW_k : ndarray, shape (A, Dk)
    dw_a : ndarray, shape (A,)
    """
    dc = _check_dc(dc, cache)
    W_q, W_k, w_a, z = cache.extra
    de, dv = _context_backward(dc, cache)
    # e_ij = w_aᵀ z_ij
    dw_a = np.einsum("nmt,nmta->a", de, z)  # (A,)
    # z = tanh(pre): ∇pre = (1 - z²) ⊙ w_a ∇e
    dpre = (1.0 - z**2) * (de[..., None] * w_a)  # (N, M, T, A)
    # pre_ij = W_q q_i + W_k k_j: each projection collects the sum over the other index
    dq_proj = dpre.sum(axis=2)  # (N, M, A)
    dk_proj = dpre.sum(axis=1)  # (N, T, A)
    dq = dq_proj @ W_q  # (N, M, Dq)
    dk = dk_proj @ W_k  # (N, T, Dk)
    dW_q = np.einsum("nma,nmd->ad", dq_proj, cache.q)  # (A, Dq)
    dW_k = np.einsum("nta,ntd->ad", dk_proj, cache.k)  # (A, Dk)
    return dq, dk, dv, dW_q, dW_k, dw_a
