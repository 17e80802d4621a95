"""Checkers for the coding exercises of chapter 8 ("Gated RNNs: LSTM and GRU").

- :func:`lstm_step` checks one LSTM step, equations ``lstm-f`` to ``lstm-h``
  (with the optional peephole terms): the reader returns ``(h_t, s_t)``.
- :func:`gru_step` checks one GRU step in the book's reset-before form,
  equations ``gru-u`` to ``gru-h``: the reader returns ``h_t``.

Expected values come from :mod:`textbook_rnn.gated`. Each case also carries
the outputs of common mistakes (the forget and input gates swapped, the tanh
on the cell output missing, the GRU's interpolation reversed, the reset gate
applied after the product with W_h, ...), so that the report can name the
mistake rather than only measure it.
"""

from __future__ import annotations

import numpy as np

from .. import gated as ref
from ._core import Array, Case, CheckResult, Exercise, TupleOf, run_cases

__all__ = ["lstm_step", "gru_step"]

EQ_F = "`f_t = σ(W_f h_{t-1} + U_f x_t + b_f)` (equation lstm-f)"
EQ_G = "`g_t = tanh(W_g h_{t-1} + U_g x_t + b_g)` (equation lstm-g)"
EQ_S = "`s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t` (equation lstm-s)"
EQ_H = "`h_t = o_t ⊙ tanh(s_t)` (equation lstm-h)"
EQ_PEEP = ("with peepholes, f_t and i_t add `p ⊙ s_{t-1}` and o_t adds `p_o ⊙ s_t`, the new "
           "cell state (equation lstm-peep)")
EQ_U = "`u_t = σ(W_u h_{t-1} + U_u x_t + b_u)` (equation gru-u)"
EQ_HT = "`h̃_t = tanh(W_h (r_t ⊙ h_{t-1}) + U_h x_t + b_h)` (equation gru-htilde)"
EQ_GH = "`h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ h̃_t` (equation gru-h)"
ROWS = "with one example per row, `W h_{t-1}` is `h_prev @ W.T` and `U x_t` is `x_t @ U.T`"

LSTM = Exercise(
    name="lstm_step",
    title="one LSTM step, returning (h_t, s_t)",
    params=("x_t", "h_prev", "s_prev", "params"),
    hints={
        "exception": "Shapes: x_t (N, D), h_prev and s_prev (N, H); params['U_f'] (H, D), "
        f"params['W_f'] (H, H), params['b_f'] (H,), likewise for i, g, o; {ROWS}. Peephole "
        "weights p_f, p_i, p_o are present only in some cases: test `'p_f' in params`.",
        "type": "Return a tuple of two numpy arrays, (h_t, s_t), in that order.",
        "shape": "h_t and s_t both have one row per example and one column per unit: (N, H).",
        "value": "Compare with equations lstm-f to lstm-h (section \"The LSTM cell\"), one "
        f"gate at a time; {EQ_PEEP}.",
        "nonfinite": "Write σ(a) so that it cannot overflow for large |a|, e.g. "
        "`0.5 * (1 + np.tanh(a / 2))`, or silence the harmless overflow of "
        "`1 / (1 + np.exp(-a))`.",
        "mutation": "Do not update s_prev, h_prev or params in place (`s_prev *= f`): build "
        "new arrays.",
    },
)

GRU = Exercise(
    name="gru_step",
    title="one GRU step (reset gate before W_h), returning h_t",
    params=("x_t", "h_prev", "params"),
    hints={
        "exception": "Shapes: x_t (N, D), h_prev (N, H); params['U_u'] (H, D), "
        f"params['W_u'] (H, H), params['b_u'] (H,), likewise for r and h; {ROWS}.",
        "type": "Return one numpy array, h_t, of shape (N, H).",
        "shape": "h_t has one row per example and one column per unit: (N, H).",
        "value": "Compare with equations gru-u to gru-h (section \"The gated recurrent "
        f"unit\"), one gate at a time; mind where r_t goes in {EQ_HT}.",
        "nonfinite": "Write σ(a) so that it cannot overflow, e.g. `0.5 * (1 + np.tanh(a / 2))`.",
        "mutation": "Do not update h_prev or params in place: build new arrays.",
    },
)


def _sigmoid(a):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


# --------------------------------------------------------------------------
# lstm_step
# --------------------------------------------------------------------------


def _lstm_variant(x, h, s, p, *, swap_fi=False, cell_tanh=True, h_from="s_t", cand="tanh",
                  transpose_W=True, forget=True, o_inside=False, peep_o="s_t", peep=True,
                  bias_f=True):
    """One LSTM step written out, with switches that reproduce common mistakes."""
    with np.errstate(all="ignore"):
        def affine(k, bias=True):
            W = p[f"W_{k}"].T if transpose_W else p[f"W_{k}"]
            return (p[f"b_{k}"] if bias else 0.0) + x @ p[f"U_{k}"].T + h @ W

        has_peep = "p_f" in p and peep
        a_f, a_i, a_o = affine("f", bias_f), affine("i"), affine("o")
        if has_peep:
            a_f = a_f + p["p_f"] * s
            a_i = a_i + p["p_i"] * s
        f, i = _sigmoid(a_f), _sigmoid(a_i)
        if swap_fi:
            f, i = i, f
        g = np.tanh(affine("g")) if cand == "tanh" else _sigmoid(affine("g"))
        s_t = (f * s if forget else s) + i * g
        if has_peep:
            a_o = a_o + p["p_o"] * (s_t if peep_o == "s_t" else s)
        o = _sigmoid(a_o)
        source = s_t if h_from == "s_t" else s
        if o_inside:
            h_t = np.tanh(o * source)
        else:
            h_t = o * (np.tanh(source) if cell_tanh else source)
        return h_t, s_t


def _lstm_spec(h_t, s_t):
    return TupleOf(Array(h_t, "h_t", "(N, H)"), Array(s_t, "s_t", "(N, H)"))


def _lstm_case(label, N, D, H, seed, *, peepholes=False, scale=1.0, bias=0.5) -> Case:
    rng = np.random.default_rng(seed)
    p = ref.lstm_init(D, H, seed=seed, peepholes=peepholes)
    for k in ref.LSTM_GATES:  # random biases, so that each gate's own bias matters
        p[f"b_{k}"] = rng.normal(0.0, bias, size=H) + (1.0 if k == "f" else 0.0)
    if peepholes:
        for k in ("p_f", "p_i", "p_o"):
            p[k] = rng.normal(0.0, 1.0, size=H)
    x_t = scale * rng.normal(size=(N, D))
    h_prev = rng.uniform(-0.9, 0.9, size=(N, H))
    s_prev = rng.normal(0.0, 1.5, size=(N, H))
    h_t, s_t = ref.lstm_step(x_t, h_prev, s_prev, p)
    args = (x_t, h_prev, s_prev, p)
    misses = [
        (f"the forget and input gates are swapped: f_t multiplies s_{{t-1}} and i_t the "
         f"candidate, {EQ_S}.", {"swap_fi": True}),
        (f"the tanh on the cell output is missing: {EQ_H}.", {"cell_tanh": False}),
        (f"h_t is computed from the old cell state s_{{t-1}}; use the new one, {EQ_H}.",
         {"h_from": "s_prev"}),
        (f"the output gate is inside the tanh; it multiplies tanh(s_t), {EQ_H}.",
         {"o_inside": True}),
        ("the candidate uses σ; like torch, the book uses tanh, so that the cell state can "
         f"move down as well as up: {EQ_G}.", {"cand": "sigmoid"}),
        (f"there is no forget gate (the cell keeps all of s_{{t-1}}); {EQ_S}.",
         {"forget": False}),
        (f"the forget gate's bias b_f is missing: {EQ_F}.", {"bias_f": False}),
        (f"W is used untransposed: for rows, `W h_{{t-1}}` is `h_prev @ W.T`; {ROWS}.",
         {"transpose_W": False}),
    ]
    if peepholes:
        misses += [
            ("the output gate's peephole looks at s_{t-1}; it sees the new cell state s_t, "
             f"since o_t is computed after it: {EQ_PEEP}.", {"peep_o": "s_prev"}),
            (f"the peephole weights p_f, p_i, p_o are ignored: {EQ_PEEP}.", {"peep": False}),
        ]
    return Case(
        label=label,
        args=args,
        expected=_lstm_spec(h_t, s_t),
        near_misses=tuple((sentence, _lstm_spec(*_lstm_variant(*args, **kw)))
                          for sentence, kw in misses),
    )


def lstm_cases() -> list[Case]:
    """The cases of :func:`lstm_step`: small and random ones, saturated gates, peepholes."""
    return [
        _lstm_case("N=1, D=1, H=1, the smallest cell", 1, 1, 1, seed=81),
        _lstm_case("N=3, D=2, H=4, random (D differs from H)", 3, 2, 4, seed=82),
        _lstm_case("N=2, D=3, H=3, random (U is square)", 2, 3, 3, seed=83),
        _lstm_case("N=4, D=3, H=2, inputs of size 50 (the gates saturate)", 4, 3, 2, seed=84,
                   scale=50.0),
        _lstm_case("N=2, D=2, H=3, with peephole weights p_f, p_i, p_o", 2, 2, 3, seed=85,
                   peepholes=True),
        _lstm_case("N=1, D=4, H=5, with peepholes, a single example", 1, 4, 5, seed=86,
                   peepholes=True),
    ]


def lstm_step(fn) -> CheckResult:
    """Check the reader's ``lstm_step(x_t, h_prev, s_prev, params)`` (chapter 8, exercise 1).

    The function returns ``(h_t, s_t)`` for one step of equations ``lstm-f``
    to ``lstm-h``: ``x_t`` (N, D), ``h_prev`` and ``s_prev`` (N, H), and
    ``params`` as from :func:`textbook_rnn.gated.lstm_init` (``U_k`` (H, D),
    ``W_k`` (H, H), ``b_k`` (H,) for k in f, i, g, o; in the last cases also
    the peephole weights ``p_f``, ``p_i``, ``p_o`` (H,)). It must leave its
    arguments unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(LSTM, fn, lstm_cases())


# --------------------------------------------------------------------------
# gru_step
# --------------------------------------------------------------------------


def _gru_variant(x, h, p, *, reverse=False, reset="before", swap_ur=False, cand="tanh",
                 transpose_W=True, bias_h=True, weight_candidate=True):
    """One GRU step written out, with switches that reproduce common mistakes."""
    with np.errstate(all="ignore"):
        def W(k):
            return p[f"W_{k}"].T if transpose_W else p[f"W_{k}"]

        u = _sigmoid(p["b_u"] + x @ p["U_u"].T + h @ W("u"))
        r = _sigmoid(p["b_r"] + x @ p["U_r"].T + h @ W("r"))
        if swap_ur:
            u, r = r, u
        a = (p["b_h"] if bias_h else 0.0) + x @ p["U_h"].T
        if reset == "before":
            a = a + (r * h) @ W("h")
        elif reset == "after":
            a = a + r * (h @ W("h"))
        else:  # no reset gate
            a = a + h @ W("h")
        h_tilde = np.tanh(a) if cand == "tanh" else _sigmoid(a)
        if reverse:
            return (1.0 - u) * h + u * h_tilde
        if not weight_candidate:
            return u * h + h_tilde
        return u * h + (1.0 - u) * h_tilde


def _gru_case(label, N, D, H, seed, *, scale=1.0) -> Case:
    rng = np.random.default_rng(seed)
    p = ref.gru_init(D, H, seed=seed)
    for k in ref.GRU_GATES:
        p[f"b_{k}"] = rng.normal(0.0, 0.5, size=H)
    x_t = scale * rng.normal(size=(N, D))
    h_prev = rng.uniform(-0.9, 0.9, size=(N, H))
    h_t = ref.gru_step(x_t, h_prev, p)
    args = (x_t, h_prev, p)
    misses = [
        (f"the interpolation is reversed: u_t weighs the old state h_{{t-1}} and 1 - u_t the "
         f"candidate, {EQ_GH}.", {"reverse": True}),
        ("the reset gate is applied after the product with W_h, as torch.nn.GRU does; the "
         f"book's form resets h_{{t-1}} first: {EQ_HT}.", {"reset": "after"}),
        (f"the reset gate is missing from the candidate: {EQ_HT}.", {"reset": "none"}),
        ("the update and reset gates are swapped: u_t (weights U_u, W_u, b_u) interpolates "
         f"and r_t (U_r, W_r, b_r) scales h_{{t-1}} inside the candidate; {EQ_GH}.",
         {"swap_ur": True}),
        (f"the candidate uses σ; it uses tanh: {EQ_HT}.", {"cand": "sigmoid"}),
        (f"the candidate's bias b_h is missing: {EQ_HT}.", {"bias_h": False}),
        (f"the candidate is added without the weight 1 - u_t: {EQ_GH}.",
         {"weight_candidate": False}),
        (f"W is used untransposed: for rows, `W h_{{t-1}}` is `h_prev @ W.T`; {ROWS}.",
         {"transpose_W": False}),
    ]
    return Case(
        label=label,
        args=args,
        expected=Array(h_t, "h_t", "(N, H)"),
        near_misses=tuple((sentence, Array(_gru_variant(*args, **kw), "h_t", "(N, H)"))
                          for sentence, kw in misses),
    )


def gru_cases() -> list[Case]:
    """The cases of :func:`gru_step`: small and random ones and saturated gates."""
    return [
        _gru_case("N=1, D=1, H=1, the smallest cell", 1, 1, 1, seed=91),
        _gru_case("N=3, D=2, H=4, random (D differs from H)", 3, 2, 4, seed=92),
        _gru_case("N=2, D=3, H=3, random (U is square)", 2, 3, 3, seed=93),
        _gru_case("N=1, D=4, H=2, a single example", 1, 4, 2, seed=94),
        _gru_case("N=4, D=3, H=3, inputs of size 50 (the gates saturate)", 4, 3, 3, seed=95,
                  scale=50.0),
    ]


def gru_step(fn) -> CheckResult:
    """Check the reader's ``gru_step(x_t, h_prev, params)`` (chapter 8, exercise 2).

    The function returns ``h_t`` (N, H) for one step of equations ``gru-u``
    to ``gru-h`` in the reset-before form: ``x_t`` (N, D), ``h_prev`` (N, H),
    and ``params`` as from :func:`textbook_rnn.gated.gru_init` (``U_k``
    (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in u, r, h). It must leave its
    arguments unchanged.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(GRU, fn, gru_cases())
