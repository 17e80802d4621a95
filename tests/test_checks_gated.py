"""The chapter 8 checkers reject wrong LSTM and GRU steps and accept right ones.

Every implementation here is written out independently of the checker's own
list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import checks, gated


def sig(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


# --- lstm_step ---------------------------------------------------------------------------------


def make_lstm(*, swap=False, tanh_out=True, cand=np.tanh, forget_on_candidate=False,
              peep_o_old=False, use_peep=True, bias_f=True, no_forget=False, h_old=False,
              transpose=True, returns_h_only=False, swapped_outputs=False, in_place=False):
    """An LSTM step as a reader might write it, with one slip switched on."""

    def lstm_step(x_t, h_prev, s_prev, params):
        def pre(k, with_bias=True):
            W = params[f"W_{k}"]
            out = x_t @ params[f"U_{k}"].T + h_prev @ (W.T if transpose else W)
            return out + params[f"b_{k}"] if with_bias else out

        peep = use_peep and "p_f" in params
        af, ai = pre("f", bias_f), pre("i")
        if peep:
            af = af + params["p_f"] * s_prev
            ai = ai + params["p_i"] * s_prev
        f, i, g = sig(af), sig(ai), cand(pre("g"))
        if swap:
            f, i = i, f
        if no_forget:
            s_t = s_prev + i * g
        elif forget_on_candidate:
            s_t = i * s_prev + f * g
        elif in_place:
            s_prev *= f
            s_t = s_prev + i * g
        else:
            s_t = f * s_prev + i * g
        ao = pre("o")
        if peep:
            ao = ao + params["p_o"] * (s_prev if peep_o_old else s_t)
        o = sig(ao)
        source = s_prev if h_old else s_t
        h_t = o * (np.tanh(source) if tanh_out else source)
        if returns_h_only:
            return h_t
        if swapped_outputs:
            return s_t, h_t
        return h_t, s_t

    return lstm_step


def lstm_stacked(x_t, h_prev, s_prev, params):
    """Correct, written differently: the four gates stacked into one matrix product."""
    gates = ("i", "f", "o", "g")
    U = np.concatenate([params[f"U_{k}"] for k in gates])
    W = np.concatenate([params[f"W_{k}"] for k in gates])
    b = np.concatenate([params[f"b_{k}"] for k in gates])
    H = h_prev.shape[1]
    a = np.concatenate([x_t, h_prev], axis=1) @ np.concatenate([U, W], axis=1).T + b
    i, f, o, g = (a[:, n * H:(n + 1) * H] for n in range(4))
    if "p_f" in params:
        i = i + params["p_i"] * s_prev
        f = f + params["p_f"] * s_prev
    s_t = sig(f) * s_prev + sig(i) * np.tanh(g)
    if "p_o" in params:
        o = o + params["p_o"] * s_t
    return sig(o) * np.tanh(s_t), s_t


def lstm_torch(x_t, h_prev, s_prev, params):
    """Correct by another route for the cases without peepholes: torch.nn.LSTMCell."""
    import torch

    if "p_f" in params:
        return lstm_stacked(x_t, h_prev, s_prev, params)
    H, D = params["U_f"].shape
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    order = ("i", "f", "g", "o")
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(np.concatenate([params[f"U_{k}"] for k in order])))
        cell.weight_hh.copy_(torch.tensor(np.concatenate([params[f"W_{k}"] for k in order])))
        cell.bias_ih.copy_(torch.tensor(np.concatenate([params[f"b_{k}"] for k in order])))
        cell.bias_hh.zero_()
        h, s = cell(torch.tensor(x_t), (torch.tensor(h_prev), torch.tensor(s_prev)))
    return h.numpy(), s.numpy()


def lstm_stub(x_t, h_prev, s_prev, params):
    raise NotImplementedError("Not implemented yet.")


def lstm_float32_list(x_t, h_prev, s_prev, params):
    """Correct, computed in float32 and returned as a list [h_t, s_t]."""
    p = {k: v.astype(np.float32) for k, v in params.items()}
    x, h, s = (a.astype(np.float32) for a in (x_t, h_prev, s_prev))
    h_t, s_t = lstm_stacked(x, h, s, p)
    assert h_t.dtype == np.float32
    return [h_t, s_t]


@pytest.mark.parametrize("fn", [make_lstm(), lstm_stacked, lstm_torch, lstm_float32_list])
def test_lstm_right_implementations_pass(fn):
    result = checks.lstm_step(fn)
    assert result, str(result)
    assert "All checks passed (6 of 6 cases)" in str(result)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"swap": True}, "forget and input gates are swapped"),
        ({"forget_on_candidate": True}, "forget and input gates are swapped"),
        ({"tanh_out": False}, "tanh on the cell output is missing"),
        ({"cand": sig}, "candidate uses σ"),
        ({"bias_f": False}, "forget gate's bias b_f is missing"),
        ({"no_forget": True}, "there is no forget gate"),
        ({"h_old": True}, "old cell state"),
        ({"transpose": False}, "W is used untransposed"),
        ({"peep_o_old": True}, "output gate's peephole looks at s_{t-1}"),
        ({"use_peep": False}, "peephole weights p_f, p_i, p_o are ignored"),
        ({"returns_h_only": True}, "tuple of 2 items"),
        ({"swapped_outputs": True}, "right but in the wrong order"),
        ({"in_place": True}, "modified its argument s_prev"),
    ],
)
def test_lstm_wrong_implementations_are_rejected(kwargs, words, assert_rejected):
    assert_rejected(checks.lstm_step, make_lstm(**kwargs), words)


def test_lstm_peephole_mistakes_pass_the_plain_cases_first():
    text = str(checks.lstm_step(make_lstm(peep_o_old=True)))
    assert "✓ case 4 of 6" in text and "✗ case 5 of 6" in text, text


def test_lstm_stub_is_not_implemented():
    result = checks.lstm_step(lstm_stub)
    assert result.status == "not implemented"
    assert "Not implemented yet" in str(result)


# --- gru_step ----------------------------------------------------------------------------------


def make_gru(*, reverse=False, reset="before", swap=False, cand=np.tanh, bias_h=True,
             weight_candidate=True, transpose=True, returns_tuple=False, in_place=False):
    """A GRU step as a reader might write it, with one slip switched on."""

    def gru_step(x_t, h_prev, params):
        def lin(k):
            W = params[f"W_{k}"]
            return W.T if transpose else W

        u = sig(x_t @ params["U_u"].T + h_prev @ lin("u") + params["b_u"])
        r = sig(x_t @ params["U_r"].T + h_prev @ lin("r") + params["b_r"])
        if swap:
            u, r = r, u
        a = x_t @ params["U_h"].T + (params["b_h"] if bias_h else 0)
        if reset == "before":
            a = a + (r * h_prev) @ lin("h")
        elif reset == "after":
            a = a + r * (h_prev @ lin("h"))
        elif reset == "output":  # the reset gate scales the candidate instead
            a = a + h_prev @ lin("h")
        else:
            a = a + h_prev @ lin("h")
        h_tilde = cand(a)
        if reset == "output":
            h_tilde = r * h_tilde
        if reverse:
            h_t = u * h_tilde + (1 - u) * h_prev
        elif not weight_candidate:
            h_t = u * h_prev + h_tilde
        elif in_place:
            h_prev *= u
            h_t = h_prev + (1 - u) * h_tilde
        else:
            h_t = u * h_prev + (1 - u) * h_tilde
        return (h_t, h_t) if returns_tuple else h_t

    return gru_step


def gru_convex(x_t, h_prev, params):
    """Correct, written as a step from h_{t-1} towards the candidate."""
    z = {k: x_t @ params[f"U_{k}"].T + params[f"b_{k}"] for k in ("u", "r", "h")}
    u = 1 / (1 + np.exp(-(z["u"] + np.einsum("ij,nj->ni", params["W_u"], h_prev))))
    r = 1 / (1 + np.exp(-(z["r"] + np.einsum("ij,nj->ni", params["W_r"], h_prev))))
    h_tilde = np.tanh(z["h"] + np.einsum("ij,nj->ni", params["W_h"], r * h_prev))
    return h_tilde + u * (h_prev - h_tilde)


def gru_torch_float32(x_t, h_prev, params):
    """Correct, in torch's default dtype, float32."""
    import torch

    p = {k: torch.tensor(v, dtype=torch.float32) for k, v in params.items()}
    x, h = torch.tensor(x_t, dtype=torch.float32), torch.tensor(h_prev, dtype=torch.float32)
    u = torch.sigmoid(x @ p["U_u"].T + h @ p["W_u"].T + p["b_u"])
    r = torch.sigmoid(x @ p["U_r"].T + h @ p["W_r"].T + p["b_r"])
    h_tilde = torch.tanh(x @ p["U_h"].T + (r * h) @ p["W_h"].T + p["b_h"])
    return (u * h + (1 - u) * h_tilde).numpy()


@pytest.mark.parametrize("fn", [make_gru(), gru_convex, gru_torch_float32])
def test_gru_right_implementations_pass(fn):
    result = checks.gru_step(fn)
    assert result, str(result)
    assert "All checks passed (5 of 5 cases)" in str(result)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"reverse": True}, "interpolation is reversed"),
        ({"reset": "after"}, "reset gate is applied after the product with W_h"),
        ({"reset": "none"}, "reset gate is missing"),
        ({"reset": "output"}, "h_t has wrong values"),
        ({"swap": True}, "update and reset gates are swapped"),
        ({"cand": sig}, "candidate uses σ"),
        ({"bias_h": False}, "candidate's bias b_h is missing"),
        ({"weight_candidate": False}, "without the weight 1 - u_t"),
        ({"transpose": False}, "W is used untransposed"),
        ({"returns_tuple": True}, "h_t has the wrong shape"),
        ({"in_place": True}, "modified its argument h_prev"),
    ],
)
def test_gru_wrong_implementations_are_rejected(kwargs, words, assert_rejected):
    assert_rejected(checks.gru_step, make_gru(**kwargs), words)


def test_reports_are_deterministic():
    for checker, fn in [(checks.lstm_step, make_lstm(swap=True)),
                        (checks.gru_step, make_gru(reverse=True))]:
        assert str(checker(fn)) == str(checker(fn))


@pytest.mark.parametrize("odd", [None, 42, "lstm", lambda: None, lambda *a: None,
                                 lambda *a: 1 / 0, lambda *a: np.full((2, 2), np.nan),
                                 lambda *a: (np.zeros(3), None), lambda *a: {"h": 1},
                                 lambda x, h, s, p, extra: x])
def test_checkers_never_raise(odd):
    for checker in (checks.lstm_step, checks.gru_step):
        result = checker(odd)
        assert not result
        assert isinstance(str(result), str)


def test_exported():
    assert "lstm_step" in checks.__all__ and "gru_step" in checks.__all__


def test_lstm_step_names_results_returned_in_the_wrong_order(assert_rejected):
    def swapped(x_t, h_prev, s_prev, params):
        h_t, s_t = gated.lstm_step(x_t, h_prev, s_prev, params)
        return s_t, h_t

    assert_rejected(checks.lstm_step, swapped, "wrong order", kind="value")
