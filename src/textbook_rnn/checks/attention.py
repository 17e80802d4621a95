"""Checkers for the coding exercises of ``chapters/04_attention.md``.

The chapter "Bidirectional and encoder-decoder networks, attention":

- :func:`bidirectional_states` checks ``bidirectional_states(x, step_f,
  step_b, h0_f, h0_b)``: the states ``[h→_t ; h←_t]`` of a bidirectional
  network built from two given cells (equations ``bi-forward`` to ``bi-concat``).
- :func:`dot_product_attention` checks ``dot_product_attention(q, k, v,
  mask)``: the weights and the contexts of scaled dot-product attention for a
  batch of queries, stable for large scores and with padding masked
  (``att-dot``, ``att-weights``, ``att-context``); it returns ``(c, alpha)``.
- :func:`attention_backward` checks ``attention_backward(dc, q, k, v, mask)``:
  the gradients ``(dq, dk, dv)`` of the same layer.

The expected values come from :mod:`textbook_rnn.bidirectional` and
:mod:`textbook_rnn.attention`. Each case also carries the outputs of common
mistakes (a softmax over the wrong axis, the mask applied after the softmax,
a missing 1/√d, ...), so that the report can name a wrong answer.
"""

from __future__ import annotations

import numpy as np

from .. import attention as ref
from .. import bidirectional as bi
from ._core import Array, Case, CheckResult, Exercise, TupleOf, run_cases

__all__ = ["bidirectional_states", "dot_product_attention", "attention_backward"]

EQ_BI = "`h→_t = step_f(x_t, h→_{t-1})` for t = 1..T, `h←_t = step_b(x_t, h←_{t+1})` " \
    "for t = T..1, then `[h→_t ; h←_t]` (equations bi-forward to bi-concat)"
EQ_ATT = "`e = q kᵀ / √d`, `α = softmax over the keys`, `c = α v` (equations att-dot, " \
    "att-weights, att-context)"

BIDIRECTIONAL = Exercise(
    name="bidirectional_states",
    title="the states of a bidirectional RNN, given its two cells",
    params=("x", "step_f", "step_b", "h0_f", "h0_b"),
    hints={
        "exception": "x is (N, T, D); step_f(x[:, t], h) and step_b(x[:, t], h) take and "
        "return states of shape (N, H). Collect the states in lists and np.stack them on "
        "axis 1.",
        "shape": "Return one array (N, T, 2H): the forward states in the first H columns, the "
        "backward states in the last H, np.concatenate(..., axis=2).",
        "value": f"Compare with {EQ_BI}. The backward direction visits t = T-1, ..., 0, but "
        "h←_t must be stored at position t.",
        "mutation": "Build new arrays; do not write into x or the initial states.",
    },
)

ATTENTION = Exercise(
    name="dot_product_attention",
    title="scaled dot-product attention with a padding mask",
    params=("q", "k", "v", "mask"),
    hints={
        "exception": "q is (N, M, d), k is (N, T, d), v is (N, T, Dv), mask is (N, T) "
        "booleans. `q @ k.transpose(0, 2, 1)` is (N, M, T); mask[:, None, :] broadcasts "
        "over the queries.",
        "type": "Return a tuple (c, alpha).",
        "shape": "Return (c, alpha) with c of shape (N, M, Dv) and alpha (N, M, T).",
        "value": f"Compare with {EQ_ATT}. Set masked scores to -inf (or a very negative "
        "number) *before* the softmax, and subtract each row's maximum before np.exp.",
        "nonfinite": "Either np.exp of a large score overflowed (subtract the largest score of "
        "each row before exponentiating; the softmax does not change), or a whole row was "
        "masked, so every score was -inf and -inf - (-inf) is NaN: mask is True where a key "
        "is real, so keep the scores where it is True and set them to -inf where it is False.",
        "mutation": "Build new arrays; do not write into q, k, v or mask.",
    },
)

BACKWARD = Exercise(
    name="attention_backward",
    title="the backward pass of scaled dot-product attention",
    params=("dc", "q", "k", "v", "mask"),
    hints={
        "exception": "dc is (N, M, Dv), q (N, M, d), k (N, T, d), v (N, T, Dv), mask (N, T). "
        "Recompute alpha first, then go backwards: c = alpha v, alpha = softmax(e), "
        "e = q kᵀ / √d.",
        "type": "Return a tuple (dq, dk, dv), in the order of the forward's arguments.",
        "shape": "Return (dq, dk, dv) with the shapes of q (N, M, d), k (N, T, d) and "
        "v (N, T, Dv).",
        "value": "Three steps: dalpha = dc vᵀ and dv = alphaᵀ dc; through the softmax, "
        "de = alpha ⊙ (dalpha - Σ_j alpha_j dalpha_j); then dq = de k / √d and "
        "dk = deᵀ q / √d.",
        "mutation": "Build new arrays; do not write into the arguments.",
    },
)


# --------------------------------------------------------------------------
# bidirectional_states
# --------------------------------------------------------------------------


def _rnn_cell(U, W, b):
    """A vanilla RNN cell step(x_t, h_prev) as a closure (a plain function)."""
    def step(x_t, h_prev):
        return np.tanh(x_t @ U.T + h_prev @ W.T + b)
    return step


def _leaky_cell(U, W, rate):
    """A leaky cell: h_t = (1 - rate) h_{t-1} + rate tanh(W h_{t-1} + U x_t)."""
    def step(x_t, h_prev):
        return (1 - rate) * h_prev + rate * np.tanh(x_t @ U.T + h_prev @ W.T)
    return step


def _bi_variant(x, step_f, step_b, h0_f, h0_b, *, reverse=True, restore=True, swap=False,
                same_cell=False, same_h0=False):
    """The states, or those of a named mistake."""
    step_b = step_f if same_cell else step_b
    h0_b = h0_f if same_h0 else h0_b
    T = x.shape[1]
    fwd, h = [], h0_f
    for t in range(T):
        h = step_f(x[:, t], h)
        fwd.append(h)
    bwd, h = [], h0_b
    for t in (reversed(range(T)) if reverse else range(T)):
        h = step_b(x[:, t], h)
        bwd.append(h)
    if reverse and restore:
        bwd = bwd[::-1]
    f, b = np.stack(fwd, axis=1), np.stack(bwd, axis=1)
    return np.concatenate([b, f] if swap else [f, b], axis=2)


def _bi_case(label, N, T, D, H, seed, *, leaky=False) -> Case:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, T, D))
    h0_f = rng.uniform(-0.5, 0.5, size=(N, H))
    h0_b = rng.uniform(-0.5, 0.5, size=(N, H))
    weights = [(rng.normal(0, 1 / np.sqrt(D), (H, D)), rng.normal(0, 1 / np.sqrt(H), (H, H)))
               for _ in range(2)]
    if leaky:
        step_f, step_b = _leaky_cell(*weights[0], 0.5), _leaky_cell(*weights[1], 0.3)
    else:
        step_f = _rnn_cell(*weights[0], rng.normal(0, 0.3, H))
        step_b = _rnn_cell(*weights[1], rng.normal(0, 0.3, H))
    args = (x, step_f, step_b, h0_f, h0_b)
    expected = bi.bidirectional_states(*args)

    def spec(value):
        return Array(value, "h", "(N, T, 2H)")

    misses = [
        ("the backward direction reads the sequence left to right; it must start at the last "
         "step, t = T-1, and go back to t = 0.", {"reverse": False}),
        ("the backward states are in the order they were computed (last step first); store "
         "h←_t at position t, e.g. reverse the list before stacking.", {"restore": False}),
        ("the two halves are swapped: the forward states come first, [h→_t ; h←_t].",
         {"swap": True}),
        ("the backward direction uses step_f; it has a cell of its own, step_b.",
         {"same_cell": True}),
        ("the backward direction starts from h0_f; its initial state is h0_b.",
         {"same_h0": True}),
    ]
    return Case(label=label, args=args, expected=spec(expected),
                near_misses=tuple((s, spec(_bi_variant(*args, **kw))) for s, kw in misses))


def bidirectional_cases() -> list[Case]:
    """Cases of :func:`bidirectional_states`: one step, then longer sequences, then leaky cells."""
    return [
        _bi_case("N=1, T=1, D=1, H=1: one step, both directions see the same x", 1, 1, 1, 1, 41),
        _bi_case("N=2, T=4, D=3, H=2, tanh cells", 2, 4, 3, 2, 42),
        _bi_case("N=3, T=6, D=2, H=3, tanh cells", 3, 6, 2, 3, 43),
        _bi_case("N=2, T=5, D=2, H=2, two leaky cells with different rates", 2, 5, 2, 2, 44,
                 leaky=True),
    ]


def bidirectional_states(fn) -> CheckResult:
    """Check the reader's ``bidirectional_states(x, step_f, step_b, h0_f, h0_b)``.

    Parameters
    ----------
    fn : callable
        The reader's function; returns an array (N, T, 2H).

    Returns
    -------
    CheckResult
    """
    return run_cases(BIDIRECTIONAL, fn, bidirectional_cases())


# --------------------------------------------------------------------------
# dot_product_attention
# --------------------------------------------------------------------------


def _att_variant(q, k, v, mask, *, axis=-1, mask_after=False, scaled=True, use_mask=True,
                 keys_as_values=False):
    """(c, alpha) of scaled dot-product attention, or of a named mistake."""
    d = q.shape[-1]
    e = q @ k.transpose(0, 2, 1) / (np.sqrt(d) if scaled else 1.0)
    keep = mask[:, None, :] if (mask is not None and use_mask) else None
    with np.errstate(all="ignore"):
        if keep is not None and not mask_after:
            e = np.where(keep, e, -np.inf)
        z = np.exp(e - e.max(axis=axis, keepdims=True))
        alpha = z / z.sum(axis=axis, keepdims=True)
        alpha = np.nan_to_num(alpha)
        if keep is not None and mask_after:
            alpha = np.where(keep, alpha, 0.0)
        c = alpha @ (k if keys_as_values else v)
    return c, alpha


def _att_spec(c, alpha):
    return TupleOf(Array(c, "c", "(N, M, Dv)"), Array(alpha, "alpha", "(N, M, T)"))


def _att_case(label, N, M, T, d, Dv, seed, *, pad=0, size=1.0) -> Case:
    rng = np.random.default_rng(seed)
    q = size * rng.normal(size=(N, M, d))
    k = size * rng.normal(size=(N, T, d))
    v = rng.normal(size=(N, T, Dv))
    mask = np.ones((N, T), dtype=bool)
    if pad:
        lengths = np.maximum(1, T - rng.integers(0, pad + 1, size=N))
        lengths[0] = T - pad
        mask = np.arange(T)[None, :] < lengths[:, None]
    args = (q, k, v, mask)
    c, cache = ref.dot_attention_forward(q, k, v, mask)
    expected = _att_spec(c, cache.alpha)
    misses = [
        ("the softmax runs over the queries (axis 1); each query's weights must sum to one "
         "over the keys, the last axis.", {"axis": 1}),
        ("the mask is applied after the softmax, so the kept weights no longer sum to one; "
         "give padding a score of -inf before the softmax.", {"mask_after": True}),
        ("the scores are not divided by √d: `e = q kᵀ / √d`.", {"scaled": False}),
        ("the mask is ignored: padding keys get weight.", {"use_mask": False}),
    ]
    if Dv == d:
        misses.append(("the context averages the keys; it averages the values, `c = α v`.",
                       {"keys_as_values": True}))
    near = [(s, _att_spec(*_att_variant(*args, **kw))) for s, kw in misses]
    # α used as is, but c computed with the transposed weights
    if M == T:
        near.append(("the context uses αᵀ; with one query per row, `c = α @ v`.",
                     _att_spec(cache.alpha.transpose(0, 2, 1) @ v, cache.alpha)))
        e_t = q @ k.transpose(0, 2, 1)
        near.append(("the scores are transposed (keys against queries); `e = q @ kᵀ` has a row "
                     "per query.", _att_spec(*_softmax_context(e_t.transpose(0, 2, 1)
                                                               / np.sqrt(d), v, mask))))
    return Case(label=label, args=args, expected=expected, near_misses=tuple(near))


def _softmax_context(e, v, mask):
    alpha = ref._masked_softmax(e, mask)
    return alpha @ v, alpha


def attention_cases() -> list[Case]:
    """Cases of :func:`dot_product_attention`: by hand, random, padded, and large scores."""
    return [
        _att_case("N=1, M=1, T=2, d=1, no padding", 1, 1, 2, 1, 1, 51),
        _att_case("N=2, M=3, T=3, d=2, Dv=2, no padding", 2, 3, 3, 2, 2, 52),
        _att_case("N=3, M=2, T=5, d=4, Dv=3, padded to different lengths", 3, 2, 5, 4, 3, 53,
                  pad=3),
        _att_case("N=2, M=4, T=4, d=3, Dv=2, padded", 2, 4, 4, 3, 2, 54, pad=2),
        _att_case("N=2, M=2, T=6, d=2, Dv=2, scores in the thousands (np.exp overflows "
                  "without the max trick)", 2, 2, 6, 2, 2, 55, pad=2, size=40.0),
    ]


def dot_product_attention(fn) -> CheckResult:
    """Check the reader's ``dot_product_attention(q, k, v, mask) -> (c, alpha)``.

    Parameters
    ----------
    fn : callable

    Returns
    -------
    CheckResult
    """
    return run_cases(ATTENTION, fn, attention_cases())


# --------------------------------------------------------------------------
# attention_backward
# --------------------------------------------------------------------------


def _bwd_variant(dc, q, k, v, mask, *, jacobian="full", scale=True):
    """(dq, dk, dv), or those of a named mistake."""
    d = q.shape[-1]
    alpha = ref._masked_softmax(q @ k.transpose(0, 2, 1) / np.sqrt(d), mask)
    dalpha = dc @ v.transpose(0, 2, 1)
    dv = alpha.transpose(0, 2, 1) @ dc
    if jacobian == "full":
        de = alpha * (dalpha - (alpha * dalpha).sum(-1, keepdims=True))
    elif jacobian == "diagonal":
        de = alpha * dalpha
    else:  # "identity": the softmax is skipped
        de = dalpha
    if scale:
        de = de / np.sqrt(d)
    dq = de @ k
    dk = de.transpose(0, 2, 1) @ q
    return dq, dk, dv


def _bwd_spec(dq, dk, dv):
    return TupleOf(Array(dq, "dq", "(N, M, d)"), Array(dk, "dk", "(N, T, d)"),
                   Array(dv, "dv", "(N, T, Dv)"))


def _bwd_case(label, N, M, T, d, Dv, seed, *, pad=0) -> Case:
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(N, M, d)), rng.normal(size=(N, T, d))
    v, dc = rng.normal(size=(N, T, Dv)), rng.normal(size=(N, M, Dv))
    mask = np.ones((N, T), dtype=bool)
    if pad:
        mask[:, T - pad:] = False
    args = (dc, q, k, v, mask)
    _, cache = ref.dot_attention_forward(q, k, v, mask)
    expected = _bwd_spec(*ref.dot_attention_backward(dc, cache))
    misses = [
        ("the softmax's Jacobian is missing its second term: `de = α ⊙ (dα - Σ_j α_j dα_j)`, "
         "not `α ⊙ dα`.", {"jacobian": "diagonal"}),
        ("the gradient skips the softmax: dα is not de; `de = α ⊙ (dα - Σ_j α_j dα_j)`.",
         {"jacobian": "identity"}),
        ("dq and dk miss the factor 1/√d of `e = q kᵀ / √d`.", {"scale": False}),
    ]
    near = [(s, _bwd_spec(*_bwd_variant(*args, **kw))) for s, kw in misses]
    dq, dk, dv = ref.dot_attention_backward(dc, cache)
    near.append(("the gradients are right but in the order (dv, dk, dq); return them in the "
                 "order of the forward's arguments, (dq, dk, dv).",
                 TupleOf(Array(dv, "dv"), Array(dk, "dk"), Array(dq, "dq"))))
    return Case(label=label, args=args, expected=expected, near_misses=tuple(near))


def backward_cases() -> list[Case]:
    """Cases of :func:`attention_backward`: small, rectangular, padded."""
    return [
        _bwd_case("N=1, M=1, T=2, d=1, Dv=1", 1, 1, 2, 1, 1, 61),
        _bwd_case("N=2, M=3, T=4, d=2, Dv=3", 2, 3, 4, 2, 3, 62),
        _bwd_case("N=2, M=2, T=5, d=3, Dv=2, the last two keys padded", 2, 2, 5, 3, 2, 63,
                  pad=2),
        _bwd_case("N=3, M=4, T=3, d=4, Dv=2", 3, 4, 3, 4, 2, 64),
    ]


def attention_backward(fn) -> CheckResult:
    """Check the reader's ``attention_backward(dc, q, k, v, mask) -> (dq, dk, dv)``.

    Parameters
    ----------
    fn : callable

    Returns
    -------
    CheckResult
    """
    return run_cases(BACKWARD, fn, backward_cases())
