"""Checkers for the coding exercises of chapter 2 ("Back-propagation through time").

- :func:`rnn_step_backward` checks the backward pass of one step,
  h_t = tanh(W h_{t-1} + U x_t + b): the reader returns the gradients in the
  order of the forward step's arguments, ``rnn_step(x_t, h_prev, U, W, b)``,
  that is ``(dx_t, dh_prev, dU, dW, db)``, given ``dh_t``.
- :func:`rnn_bptt` checks full BPTT through the vanilla RNN with the sequence
  loss of chapter 1: the reader returns a dict of the gradients ``dU``, ``dW``,
  ``dV``, ``db``, ``dc``, ``dh0`` (equations ``bptt-do`` to ``bptt-dU``).

The step's expected gradients are computed here, from the equations, so that
the exercise does not depend on the order :mod:`textbook_rnn.bptt` returns
them in; those of BPTT come from :mod:`textbook_rnn.bptt`. Each case also
carries the gradients that common mistakes produce (a missing tanh
derivative, h_t where h_{t-1} belongs, a dropped recurrent term, ...), so the
report can name the mistake.
"""

from __future__ import annotations

import numpy as np

from .. import bptt as ref
from ..rnn import init_params, rnn_forward, softmax
from ._core import Array, Case, CheckResult, DictOf, Exercise, TupleOf, run_cases

__all__ = ["rnn_step_backward", "rnn_bptt"]

SECTION = "the section \"The derivation, one equation per line of code\""
EQ_DA = "`da_t = (1 - h_t²) ⊙ dh_t` (the tanh derivative, read off h_t)"
EQ_DW = "`∇_W L = Σ_t da_t h_{t-1}ᵀ` (equation bptt-dW)"
EQ_DH = ("`∇_{h_t} L = Wᵀ da_{t+1} + Vᵀ ∇_{o_t} L` (equation bptt-dh-t)")
EQ_DO = "`∇_{o_t} L = (ŷ_t - onehot(y_t)) / N` (equation bptt-do)"
EQ_DV = "`∇_V L = Σ_t ∇_{o_t} L h_tᵀ` (equation bptt-dV)"
ORDER = "(dx_t, dh_prev, dU, dW, db)"

STEP = Exercise(
    name="rnn_step_backward",
    title="the backward pass of one step h_t = tanh(W h_{t-1} + U x_t + b)",
    params=("dh_t", "h_t", "h_prev", "x_t", "W", "U"),
    hints={
        "exception": "Shapes: dh_t, h_t, h_prev are (N, H), x_t is (N, D), W is (H, H), U is "
        "(H, D). Print the shape of each intermediate result; each gradient has the shape "
        "of its variable.",
        "type": f"Return the five gradients together, in the order of rnn_step's arguments: "
        f"{ORDER}.",
        "shape": f"Return them in the order of rnn_step's arguments, {ORDER}, each with the "
        "shape of its variable: dx_t (N, D), dh_prev (N, H), dU (H, D), dW (H, H), and db "
        "(H,), summed over the batch.",
        "value": f"Go through {SECTION} one gradient at a time: first the gradient at the "
        f"pre-activation, {EQ_DA}, then one line per variable of a_t = b + W h_{{t-1}} + U x_t.",
        "mutation": "Do not change dh_t or any other argument in place (`dh_t *= ...`); "
        "compute what you need as a new array.",
    },
)

BPTT = Exercise(
    name="rnn_bptt",
    title="back-propagation through time for the vanilla RNN and the sequence loss",
    params=("x", "y", "h0", "U", "W", "V", "b", "c"),
    hints={
        "exception": "Shapes: x (N, T, D), y (N, T) integers, h0 (N, H), U (H, D), W (H, H), "
        "V (K, H), b (H,), c (K,). Print the shape of each intermediate result.",
        "type": "Return a dict with exactly the keys dU, dW, dV, db, dc, dh0.",
        "shape": "Each gradient has the shape of its variable: dU (H, D), dW (H, H), "
        "dV (K, H), db (H,), dc (K,), dh0 (N, H).",
        "value": f"Follow {SECTION}, steps 1 to 4: {EQ_DO}, then {EQ_DH}, and sum each "
        "parameter's terms over t. Your rnn_step_backward does the step's part.",
        "mutation": "Do not change x, h0 or the weights in place; build new arrays for the "
        "states and the gradients.",
    },
)


# --------------------------------------------------------------------------
# rnn_step_backward
# --------------------------------------------------------------------------


def _step_grads(dh_t, h_t, h_prev, x_t, W, U, *, deriv="h_t", dW_with="h_prev",
                dh_prev_transposed=False, scale=1.0):
    """The step's gradients, or those of a named mistake."""
    with np.errstate(all="ignore"):
        if deriv == "h_t":
            da = dh_t * (1.0 - h_t**2)
        elif deriv == "none":
            da = dh_t
        elif deriv == "h_prev":
            da = dh_t * (1.0 - h_prev**2)
        else:  # "tanh_of_h": differentiates tanh at h_t instead of at a_t
            da = dh_t * (1.0 - np.tanh(h_t) ** 2)
        da = da * scale
        if dW_with == "h_prev":
            dW = da.T @ h_prev
        elif dW_with == "h_t":
            dW = da.T @ h_t
        else:  # "transposed"
            dW = h_prev.T @ da
        dh_prev = da @ (W.T if dh_prev_transposed else W)
        # in the order of rnn_step(x_t, h_prev, U, W, b)
        return da @ U, dh_prev, da.T @ x_t, dW, da.sum(axis=0)


def _step_spec(grads):
    dx_t, dh_prev, dU, dW, db = grads
    return TupleOf(
        Array(dx_t, "dx_t", "(N, D)"),
        Array(dh_prev, "dh_prev", "(N, H)"),
        Array(dU, "dU", "(H, D)"),
        Array(dW, "dW", "(H, H)"),
        Array(db, "db", "(H,)"),
    )


def _step_case(label, N, D, H, seed) -> Case:
    rng = np.random.default_rng(seed)
    x_t = rng.normal(size=(N, D))
    h_prev = rng.uniform(-0.9, 0.9, size=(N, H))
    U = rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D))
    W = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    b = rng.normal(0.0, 0.5, size=H)
    h_t = np.tanh(b + h_prev @ W.T + x_t @ U.T)
    dh_t = rng.normal(size=(N, H))
    args = (dh_t, h_t, h_prev, x_t, W, U)
    expected = _step_grads(*args)
    misses = [
        (f"the tanh derivative is missing: {EQ_DA}.", {"deriv": "none"}),
        ("the tanh derivative uses h_{t-1}; it belongs to this step's output h_t: "
         f"{EQ_DA}.", {"deriv": "h_prev"}),
        ("the derivative is 1 - tanh(h_t)², but h_t is already tanh(a_t): use 1 - h_t², "
         f"{EQ_DA}.", {"deriv": "tanh_of_h"}),
        (f"dW uses h_t where h_{{t-1}} belongs: {EQ_DW}.", {"dW_with": "h_t"}),
        ("dW is transposed: for rows, `Σ_n da h_{t-1}ᵀ` is `da.T @ h_prev`, of shape "
         "(H, H) with rows indexed by the unit that receives.", {"dW_with": "transposed"}),
        ("dh_prev uses W untransposed in the math: `Wᵀ da` is `da @ W` for rows, not "
         "`da @ W.T`.", {"dh_prev_transposed": True}),
        ("the gradients are averaged over the batch; the step's gradients are sums over the "
         "N examples (the 1/N of the loss is already inside dh_t).", {"scale": 1.0 / N}),
    ]
    dx_t, dh_prev, dU, dW, db = expected
    old_order = TupleOf(Array(dh_prev, "dh_prev"), Array(dW, "dW"), Array(dU, "dU"),
                        Array(db, "db"), Array(dx_t, "dx_t"))
    return Case(
        label=label,
        args=args,
        expected=_step_spec(expected),
        near_misses=tuple((s, _step_spec(_step_grads(*args, **kw))) for s, kw in misses) + (
            ("the gradients are right but in the order (dh_prev, dW, dU, db, dx_t); return "
             f"them in the order of rnn_step's arguments, {ORDER}.", old_order),),
    )


def step_cases() -> list[Case]:
    """The cases of :func:`rnn_step_backward`: D ≠ H, N = 1, H = 1, and a square one."""
    return [
        _step_case("N=1, D=1, H=1, the smallest network", 1, 1, 1, seed=31),
        _step_case("N=3, D=2, H=4, random (D differs from H)", 3, 2, 4, seed=32),
        _step_case("N=2, D=3, H=3, random (U is square)", 2, 3, 3, seed=33),
        _step_case("N=1, D=4, H=2, a single example", 1, 4, 2, seed=34),
        _step_case("N=5, D=3, H=1, a single hidden unit", 5, 3, 1, seed=35),
    ]


def rnn_step_backward(fn) -> CheckResult:
    """Check the reader's ``rnn_step_backward(dh_t, h_t, h_prev, x_t, W, U)``.

    Chapter 2, exercise 1. For one step h_t = tanh(W h_{t-1} + U x_t + b) and
    the gradient ``dh_t`` (N, H) of a scalar loss with respect to h_t, the
    function returns ``(dx_t, dh_prev, dU, dW, db)``, in the order of the
    forward step's arguments: gradients with respect to x_t (N, D),
    h_{t-1} (N, H), U (H, D), W (H, H) and b (H,), summed over the batch.
    ``h_t``, ``h_prev`` are (N, H), ``x_t`` is (N, D). A list is accepted in
    place of the tuple.

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
# rnn_bptt
# --------------------------------------------------------------------------


def _bptt_variant(x, y, h0, U, W, V, b, c, *, deriv="h_t", dW_with="h_prev", recurrent=True,
                  outputs="all", scale="N", dV_with="h_t"):
    """BPTT written out step by step, with switches that reproduce common mistakes."""
    N, T, _ = x.shape
    h, _ = rnn_forward(x, h0, U, W, b)  # (N, T, H)
    h_prev_all = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    o = h @ V.T + c  # (N, T, K)
    do = softmax(o)
    np.put_along_axis(do, y[..., None], np.take_along_axis(do, y[..., None], -1) - 1.0, -1)
    do = do / {"N": N, "NT": N * T, "none": 1}[scale]
    if outputs == "last":
        do[:, :-1] = 0.0
    grads = {k: np.zeros_like(v) for k, v in {"dU": U, "dW": W, "dV": V, "db": b, "dc": c}.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_t, h_prev, x_t, do_t = h[:, t], h_prev_all[:, t], x[:, t], do[:, t]
        dh = do_t @ V + (dh_next if recurrent else 0.0)
        da = dh * (1.0 - h_t**2) if deriv == "h_t" else dh
        grads["dW"] += da.T @ (h_prev if dW_with == "h_prev" else h_t)
        grads["dU"] += da.T @ x_t
        grads["db"] += da.sum(axis=0)
        grads["dV"] += do_t.T @ (h_t if dV_with == "h_t" else h_prev)
        grads["dc"] += do_t.sum(axis=0)
        dh_next = da @ W
    grads["dh0"] = dh_next
    return grads


def _bptt_spec(grads):
    dims = {"dU": "(H, D)", "dW": "(H, H)", "dV": "(K, H)", "db": "(H,)", "dc": "(K,)",
            "dh0": "(N, H)"}
    return DictOf({k: Array(grads[k], k, dims[k]) for k in dims}, name="the gradients")


def _bptt_case(label, N, T, D, H, K, seed) -> Case:
    rng = np.random.default_rng(seed)
    p = init_params(D, H, K, seed=seed)
    b = rng.normal(0.0, 0.5, size=H)
    c = rng.normal(0.0, 0.5, size=K)
    x = rng.normal(size=(N, T, D))
    y = rng.integers(0, K, size=(N, T))
    h0 = rng.uniform(-0.5, 0.5, size=(N, H))
    args = (x, y, h0, p["U"], p["W"], p["V"], b, c)
    _, expected = ref.rnn_loss_and_grads(x, y, {**p, "b": b, "c": c}, h0)
    misses = [
        (f"the tanh derivative is missing: {EQ_DA}.", {"deriv": "none"}),
        (f"dW uses h_t where h_{{t-1}} belongs: {EQ_DW}.", {"dW_with": "h_t"}),
        (f"dV uses h_{{t-1}} where h_t belongs (a slip that is easy to make when copying the "
         f"dW formula): {EQ_DV}.", {"dV_with": "h_prev"}),
        (f"the recurrent term is dropped: ∇h_t must also collect what flows back from "
         f"h_{{t+1}}, {EQ_DH}.", {"recurrent": False}),
        (f"only the last step's output contributes; every step has a loss term: {EQ_DO} "
         "for every t.", {"outputs": "last"}),
        (f"the loss is averaged over time as well; it is summed over t and averaged over the "
         f"N sequences only: {EQ_DO}.", {"scale": "NT"}),
        (f"the 1/N of the batch average is missing: {EQ_DO}.", {"scale": "none"}),
    ]
    return Case(
        label=label,
        args=args,
        expected=_bptt_spec(expected),
        near_misses=tuple((s, _bptt_spec(_bptt_variant(*args, **kw))) for s, kw in misses),
    )


def bptt_cases() -> list[Case]:
    """The cases of :func:`rnn_bptt`, from one step of one unit to longer sequences."""
    return [
        _bptt_case("N=1, T=1, D=1, H=1, K=2, one step of one unit", 1, 1, 1, 1, 2, seed=41),
        _bptt_case("N=2, T=4, D=3, H=3, K=4, random", 2, 4, 3, 3, 4, seed=42),
        _bptt_case("N=3, T=5, D=2, H=4, K=3, random (D differs from H)", 3, 5, 2, 4, 3, seed=43),
        _bptt_case("N=1, T=7, D=3, H=2, K=5, a single long sequence", 1, 7, 3, 2, 5, seed=44),
        _bptt_case("N=4, T=2, D=2, H=1, K=3, a single hidden unit", 4, 2, 2, 1, 3, seed=45),
    ]


def rnn_bptt(fn) -> CheckResult:
    """Check the reader's ``rnn_bptt(x, y, h0, U, W, V, b, c)`` (chapter 2, exercise 2).

    The function returns a dict with keys ``dU``, ``dW``, ``dV``, ``db``,
    ``dc``, ``dh0``: the gradients of the sequence loss of chapter 1 (summed
    over time, averaged over the batch) applied to the RNN's outputs, with
    ``x`` (N, T, D), ``y`` (N, T) integers and ``h0`` (N, H).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(BPTT, fn, bptt_cases())
