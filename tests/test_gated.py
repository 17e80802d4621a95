"""LSTM and GRU (textbook_rnn.gated) against finite differences and autograd.

Parity with torch.nn.LSTM / torch.nn.GRU is in test_gated_torch.py; here the
references are finite differences and torch autograd over the equations
written out independently (for the forms torch.nn lacks: peephole LSTMs and
the reset-before GRU).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from problems import gru_problem, lstm_problem
from textbook_rnn import gated
from textbook_rnn.gradcheck import numerical_gradient, relative_error

torch.set_num_threads(1)

SHAPES = [  # N, T, D, H
    (2, 4, 3, 2),
    (1, 1, 1, 1),
    (1, 3, 2, 1),
    (3, 1, 2, 3),
]


# --------------------------------------------------------------------------- problems


def lstm_loss(p, x, h0, s0, R, Q):
    h, cache = gated.lstm_forward(x, h0, s0, p)
    return float(np.sum(R * h) + np.sum(Q * cache["s_last"]))


def lstm_grads(p, x, h0, s0, R, Q):
    _, cache = gated.lstm_forward(x, h0, s0, p)
    dx, dh0, ds0, grads = gated.lstm_backward(R, cache, ds_last=Q)
    return {**grads, "dx": dx, "dh0": dh0, "ds0": ds0}


def gru_loss(p, x, h0, R, reset_after):
    h, _ = gated.gru_forward(x, h0, p, reset_after=reset_after)
    return float(np.sum(R * h))


def gru_grads(p, x, h0, R, reset_after):
    _, cache = gated.gru_forward(x, h0, p, reset_after=reset_after)
    dx, dh0, grads = gated.gru_backward(R, cache)
    return {**grads, "dx": dx, "dh0": dh0}


# ------------------------------------------------- independent autograd references


def torch_lstm_grads(p, x, h0, s0, R, Q):
    """The LSTM equations written out in torch (with peepholes when p has them)."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    tx, th0, ts0 = (torch.tensor(a, requires_grad=True) for a in (x, h0, s0))
    peep = "p_f" in p

    def pre(k, h):
        return t[f"b_{k}"] + tx_t @ t[f"U_{k}"].T + h @ t[f"W_{k}"].T

    h, s, hs = th0, ts0, []
    for step in range(x.shape[1]):
        tx_t = tx[:, step]
        f = torch.sigmoid(pre("f", h) + (t["p_f"] * s if peep else 0))
        i = torch.sigmoid(pre("i", h) + (t["p_i"] * s if peep else 0))
        g = torch.tanh(pre("g", h))
        s = f * s + i * g
        o = torch.sigmoid(pre("o", h) + (t["p_o"] * s if peep else 0))
        h = o * torch.tanh(s)
        hs.append(h)
    hseq = torch.stack(hs, dim=1)
    loss = (torch.tensor(R) * hseq).sum() + (torch.tensor(Q) * s).sum()
    loss.backward()
    grads = {f"d{k}": v.grad.numpy() for k, v in t.items()}
    grads.update(dx=tx.grad.numpy(), dh0=th0.grad.numpy(), ds0=ts0.grad.numpy())
    return hseq.detach().numpy(), grads


def torch_gru_grads(p, x, h0, R, reset_after):
    """The GRU equations written out in torch, in either reset placement."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    tx, th0 = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    h, hs = th0, []
    for step in range(x.shape[1]):
        xt = tx[:, step]
        u = torch.sigmoid(t["b_u"] + xt @ t["U_u"].T + h @ t["W_u"].T)
        r = torch.sigmoid(t["b_r"] + xt @ t["U_r"].T + h @ t["W_r"].T)
        if reset_after:
            cand = torch.tanh(t["b_h"] + xt @ t["U_h"].T + r * (h @ t["W_h"].T + t["b_hn"]))
        else:
            cand = torch.tanh(t["b_h"] + xt @ t["U_h"].T + (r * h) @ t["W_h"].T)
        h = u * h + (1 - u) * cand
        hs.append(h)
    hseq = torch.stack(hs, dim=1)
    (torch.tensor(R) * hseq).sum().backward()
    grads = {f"d{k}": v.grad.numpy() for k, v in t.items()}
    grads.update(dx=tx.grad.numpy(), dh0=th0.grad.numpy())
    return hseq.detach().numpy(), grads


def assert_same(grads, ref, atol=1e-10):
    assert set(grads) == set(ref)
    for name, value in ref.items():
        assert grads[name].shape == value.shape, name
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=atol, err_msg=name)


# ------------------------------------------------------------------------ LSTM


def test_lstm_init_shapes_names_and_forget_bias():
    p = gated.lstm_init(3, 5, forget_bias=2.5)
    assert list(p) == [f"{w}_{k}" for k in "figo" for w in "UWb"]
    for k in "figo":
        assert p[f"U_{k}"].shape == (5, 3) and p[f"W_{k}"].shape == (5, 5)
        assert p[f"b_{k}"].shape == (5,)
    np.testing.assert_array_equal(p["b_f"], np.full(5, 2.5))
    for k in "igo":
        assert not p[f"b_{k}"].any()
    # at zero input and state the forget gate opens to σ(forget_bias)
    _, _, cache = gated.lstm_step_forward(np.zeros((2, 3)), np.zeros((2, 5)), np.zeros((2, 5)), p)
    # two routes to σ(2.5), each a few roundings plus libm's exp (a few ulps in numpy's
    # SIMD builds): 1e-14 (~45 ulps) holds on any machine; 1e-15 was ~4 ulps
    np.testing.assert_allclose(cache["f"], 1 / (1 + np.exp(-2.5)), rtol=1e-14)
    assert not gated.lstm_init(3, 5, forget_bias=0.0)["b_f"].any()


def test_lstm_init_peepholes_start_at_zero_and_dtype():
    p = gated.lstm_init(2, 4, peepholes=True, dtype=np.float32)
    assert all(p[k].shape == (4,) and not p[k].any() for k in ("p_f", "p_i", "p_o"))
    assert all(v.dtype == np.float32 for v in p.values())
    a, b = gated.lstm_init(2, 4, seed=3), gated.lstm_init(2, 4, seed=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W_f"], gated.lstm_init(2, 4, seed=4)["W_f"])


@pytest.mark.parametrize("peepholes", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lstm_matches_autograd_of_the_equations(shape, peepholes):
    p, x, h0, s0, R, Q = lstm_problem(*shape, seed=2, peepholes=peepholes)
    h, _ = gated.lstm_forward(x, h0, s0, p)
    ref_h, ref = torch_lstm_grads(p, x, h0, s0, R, Q)
    np.testing.assert_allclose(h, ref_h, rtol=0, atol=1e-12)
    assert_same(lstm_grads(p, x, h0, s0, R, Q), ref)


@pytest.mark.parametrize("peepholes", [False, True])
@pytest.mark.parametrize("shape", SHAPES[:3], ids=str)
def test_lstm_gradients_match_finite_differences(shape, peepholes):
    p, x, h0, s0, R, Q = lstm_problem(*shape, seed=5, peepholes=peepholes)
    grads = lstm_grads(p, x, h0, s0, R, Q)
    inputs = {**p, "x": x, "h0": h0, "s0": s0}
    for name, value in inputs.items():
        def loss_of(v, name=name):
            args = {**inputs, name: v}
            q = {k: args[k] for k in p}
            return lstm_loss(q, args["x"], args["h0"], args["s0"], R, Q)

        err = relative_error(grads[f"d{name}"], numerical_gradient(loss_of, value))
        assert err < 1e-7, f"d{name}: relative error {err:.2e}"


# Tolerances: the sequence functions stack the gates, precompute the input terms and
# (LSTM) take σ(a) = (1 + tanh(a/2))/2, so each step rounds differently from the step
# functions: ~11-term sums of size ~2 give a few 1e-15 per step, carried along s and h
# for T = 5 steps, and the weight gradients add N·T = 15 such rows. 1e-13 (states) and
# 1e-12 (gradients) bound that on any machine; a wrong derivative is off by ~1e-2.
STATE_TOL, GRAD_TOL = 1e-13, 1e-12


@pytest.mark.parametrize("peepholes", [False, True])
def test_lstm_sequence_equals_the_step_functions(peepholes):
    p, x, h0, s0, R, Q = lstm_problem(3, 5, 4, 6, seed=7, peepholes=peepholes)
    h, cache = gated.lstm_forward(x, h0, s0, p)
    dx, dh0, ds0, grads = gated.lstm_backward(R, cache, ds_last=Q)
    h_t, s_t, caches = h0, s0, []
    for t in range(x.shape[1]):
        h_ref, s_ref = gated.lstm_step(x[:, t], h_t, s_t, p)
        h_t, s_t, c = gated.lstm_step_forward(x[:, t], h_t, s_t, p)
        np.testing.assert_array_equal(h_ref, h_t)
        np.testing.assert_array_equal(s_ref, s_t)
        np.testing.assert_allclose(h[:, t], h_t, rtol=0, atol=STATE_TOL)
        caches.append(c)
    np.testing.assert_allclose(cache["s_last"], s_t, rtol=0, atol=STATE_TOL)
    np.testing.assert_allclose(cache["h_last"], h_t, rtol=0, atol=STATE_TOL)
    dh_next, ds_next, total = np.zeros_like(h0), Q, {}
    for t in reversed(range(x.shape[1])):
        dx_t, dh_next, ds_next, g = gated.lstm_step_backward(R[:, t] + dh_next, ds_next, caches[t])
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=0, atol=GRAD_TOL)
        for k, v in g.items():
            total[k] = total.get(k, 0) + v
    assert list(total) == list(grads)
    assert_same(grads, total, atol=GRAD_TOL)
    np.testing.assert_allclose(dh0, dh_next, rtol=0, atol=GRAD_TOL)
    np.testing.assert_allclose(ds0, ds_next, rtol=0, atol=GRAD_TOL)


def test_lstm_step_backward_against_finite_differences():
    p, x, h0, s0, R, Q = lstm_problem(3, 1, 4, 5, seed=11, peepholes=True)
    x_t = x[:, 0]
    dh, ds = R[:, 0], Q

    def loss(args):
        h_t, s_t, _ = gated.lstm_step_forward(args["x_t"], args["h_prev"], args["s_prev"],
                                              {k: args[k] for k in p})
        return float(np.sum(dh * h_t) + np.sum(ds * s_t))

    args = {**p, "x_t": x_t, "h_prev": h0, "s_prev": s0}
    _, _, cache = gated.lstm_step_forward(x_t, h0, s0, p)
    dx_t, dh_prev, ds_prev, grads = gated.lstm_step_backward(dh, ds, cache)
    got = {**{k[1:]: v for k, v in grads.items()}, "x_t": dx_t, "h_prev": dh_prev,
           "s_prev": ds_prev}
    assert set(got) == set(args)
    for name in args:
        num = numerical_gradient(lambda v, name=name: loss({**args, name: v}), args[name])
        assert relative_error(got[name], num) < 1e-8, name
    # ds_t=None means no gradient arrives from s_{t+1}
    a = gated.lstm_step_backward(dh, None, cache)
    b = gated.lstm_step_backward(dh, np.zeros_like(ds), cache)
    np.testing.assert_array_equal(a[2], b[2])


def test_zero_peepholes_give_the_plain_lstm():
    p, x, h0, s0, R, _ = lstm_problem(2, 4, 3, 5, seed=1)
    peep = {**p, "p_f": np.zeros(5), "p_i": np.zeros(5), "p_o": np.zeros(5)}
    np.testing.assert_array_equal(gated.lstm_forward(x, h0, s0, p)[0],
                                  gated.lstm_forward(x, h0, s0, peep)[0])
    # but their gradients are not zero: the peepholes would learn
    _, cache = gated.lstm_forward(x, h0, s0, peep)
    grads = gated.lstm_backward(R, cache)[3]
    assert all(np.abs(grads[k]).max() > 1e-3 for k in ("dp_f", "dp_i", "dp_o"))


def test_lstm_default_states_are_zeros_and_float32_stays_float32():
    p, x, *_ = lstm_problem(2, 3, 2, 3)
    zeros = np.zeros((2, 3))
    np.testing.assert_array_equal(gated.lstm_forward(x, None, None, p)[0],
                                  gated.lstm_forward(x, zeros, zeros, p)[0])
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    h, cache = gated.lstm_forward(x.astype(np.float32), None, None, p32)
    dx, dh0, ds0, grads = gated.lstm_backward(np.ones_like(h), cache)
    assert h.dtype == dx.dtype == dh0.dtype == ds0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    np.testing.assert_allclose(h, gated.lstm_forward(x, None, None, p)[0], atol=1e-6)


def test_lstm_forward_does_not_modify_its_inputs():
    p, x, h0, s0, R, Q = lstm_problem(2, 3, 2, 3, peepholes=True)
    saved = {k: v.copy() for k, v in {**p, "x": x, "h0": h0, "s0": s0, "R": R, "Q": Q}.items()}
    _, cache = gated.lstm_forward(x, h0, s0, p)
    gated.lstm_backward(R, cache, ds_last=Q)
    for k, v in {**p, "x": x, "h0": h0, "s0": s0, "R": R, "Q": Q}.items():
        np.testing.assert_array_equal(v, saved[k], err_msg=k)


# ------------------------------------------------------------------------- GRU


def test_gru_init_names():
    assert list(gated.gru_init(2, 3)) == [f"{w}_{k}" for k in "urh" for w in "UWb"]
    p = gated.gru_init(2, 3, reset_after=True)
    assert list(p)[-1] == "b_hn" and p["b_hn"].shape == (3,)


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gru_matches_autograd_of_the_equations(shape, reset_after):
    p, x, h0, R = gru_problem(*shape, seed=3, reset_after=reset_after)
    h, _ = gated.gru_forward(x, h0, p, reset_after=reset_after)
    ref_h, ref = torch_gru_grads(p, x, h0, R, reset_after)
    np.testing.assert_allclose(h, ref_h, rtol=0, atol=1e-12)
    assert_same(gru_grads(p, x, h0, R, reset_after), ref)


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("shape", SHAPES[:3], ids=str)
def test_gru_gradients_match_finite_differences(shape, reset_after):
    p, x, h0, R = gru_problem(*shape, seed=6, reset_after=reset_after)
    grads = gru_grads(p, x, h0, R, reset_after)
    inputs = {**p, "x": x, "h0": h0}
    for name, value in inputs.items():
        def loss_of(v, name=name):
            args = {**inputs, name: v}
            return gru_loss({k: args[k] for k in p}, args["x"], args["h0"], R, reset_after)

        err = relative_error(grads[f"d{name}"], numerical_gradient(loss_of, value))
        assert err < 1e-7, f"d{name}: relative error {err:.2e}"


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_sequence_equals_the_step_functions(reset_after):
    p, x, h0, R = gru_problem(3, 5, 4, 6, seed=8, reset_after=reset_after)
    h, cache = gated.gru_forward(x, h0, p, reset_after=reset_after)
    dx, dh0, grads = gated.gru_backward(R, cache)
    h_t, caches = h0, []
    for t in range(x.shape[1]):
        np.testing.assert_array_equal(
            gated.gru_step(x[:, t], h_t, p, reset_after=reset_after),
            gated.gru_step_forward(x[:, t], h_t, p, reset_after=reset_after)[0])
        h_t, c = gated.gru_step_forward(x[:, t], h_t, p, reset_after=reset_after)
        np.testing.assert_allclose(h[:, t], h_t, rtol=0, atol=STATE_TOL)
        caches.append(c)
    np.testing.assert_allclose(cache["h_last"], h_t, rtol=0, atol=STATE_TOL)
    dh_next, total = np.zeros_like(h0), {}
    for t in reversed(range(x.shape[1])):
        dx_t, dh_next, g = gated.gru_step_backward(R[:, t] + dh_next, caches[t])
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=0, atol=GRAD_TOL)
        for k, v in g.items():
            total[k] = total.get(k, 0) + v
    assert list(total) == list(grads)
    assert_same(grads, total, atol=GRAD_TOL)
    np.testing.assert_allclose(dh0, dh_next, rtol=0, atol=GRAD_TOL)


def test_the_two_reset_placements_differ():
    p, x, h0, _ = gru_problem(2, 4, 3, 5, seed=4)
    before = gated.gru_forward(x, h0, p, reset_after=False)[0]
    after = gated.gru_forward(x, h0, {**p, "b_hn": np.zeros(5)}, reset_after=True)[0]
    assert np.abs(before - after).max() > 1e-3
    # with the reset gate forced open (r = 1) they coincide
    shut = {**p, "b_r": np.full(5, 50.0)}
    np.testing.assert_allclose(
        gated.gru_forward(x, h0, shut)[0],
        gated.gru_forward(x, h0, {**shut, "b_hn": np.zeros(5)}, reset_after=True)[0],
        rtol=0, atol=1e-12)


def test_gru_update_gate_interpolates_as_in_the_book():
    # u = 1 keeps the old state (h_t = h_{t-1}); u = 0 takes the candidate
    p = gated.gru_init(2, 3, seed=0)
    x, h0 = np.ones((1, 2)), np.array([[0.3, -0.2, 0.9]])
    np.testing.assert_allclose(gated.gru_step(x, h0, {**p, "b_u": np.full(3, 60.0)}), h0,
                               atol=1e-15)
    _, cache = gated.gru_step_forward(x, h0, {**p, "b_u": np.full(3, -60.0)})
    np.testing.assert_allclose(gated.gru_step(x, h0, {**p, "b_u": np.full(3, -60.0)}),
                               cache["h_tilde"], atol=1e-15)


def test_gru_float32_and_default_state():
    p, x, h0, R = gru_problem(2, 3, 2, 3, reset_after=True)
    np.testing.assert_array_equal(gated.gru_forward(x, None, p, reset_after=True)[0],
                                  gated.gru_forward(x, np.zeros((2, 3)), p, reset_after=True)[0])
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    h, cache = gated.gru_forward(x.astype(np.float32), None, p32, reset_after=True)
    dx, dh0, grads = gated.gru_backward(R, cache)
    assert h.dtype == dx.dtype == dh0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


# ------------------------------------------------------------------ hypothesis


@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 4), T=st.integers(1, 5), D=st.integers(1, 4), H=st.integers(1, 4),
       seed=st.integers(0, 2**16), peepholes=st.booleans(), reset_after=st.booleans())
def test_random_shapes_match_autograd(N, T, D, H, seed, peepholes, reset_after):
    p, x, h0, s0, R, Q = lstm_problem(N, T, D, H, seed=seed, peepholes=peepholes)
    h, _ = gated.lstm_forward(x, h0, s0, p)
    assert h.shape == (N, T, H)
    assert_same(lstm_grads(p, x, h0, s0, R, Q), torch_lstm_grads(p, x, h0, s0, R, Q)[1])
    p, x, h0, R = gru_problem(N, T, D, H, seed=seed, reset_after=reset_after)
    assert_same(gru_grads(p, x, h0, R, reset_after), torch_gru_grads(p, x, h0, R, reset_after)[1])


LSTM_KEYS = [f"{w}_{k}" for k in "figo" for w in "UWb"] + ["p_f", "p_i", "p_o"]
GRU_KEYS = [f"{w}_{k}" for k in "urh" for w in "UWb"] + ["b_hn"]


def wrong_shape(arr, axis, delta):
    axis = axis % arr.ndim
    shape = list(arr.shape)
    shape[axis] = max(1, shape[axis] + delta)
    if tuple(shape) == arr.shape:
        shape[axis] += 1
    return np.zeros(shape), axis


@settings(max_examples=30, deadline=None)
@given(key=st.sampled_from(GRU_KEYS + ["x", "h0"]), axis=st.integers(0, 2),
       delta=st.sampled_from([-1, 1, 2]))
def test_a_wrong_gru_shape_is_named(key, axis, delta):
    p, x, h0, _ = gru_problem(2, 3, 4, 5, reset_after=True)
    args = {**p, "x": x, "h0": h0}
    args[key], axis = wrong_shape(args[key], axis, delta)
    if (key, axis) == ("x", 1):  # any length T is fine
        return
    blamed = "h0" if (key, axis) == ("x", 0) else key
    with pytest.raises(ValueError, match=f"^{blamed} must have"):
        gated.gru_forward(args["x"], args["h0"], {k: args[k] for k in p}, reset_after=True)


@settings(max_examples=30, deadline=None)
@given(key=st.sampled_from(LSTM_KEYS + ["x", "h0", "s0"]), axis=st.integers(0, 2),
       delta=st.sampled_from([-1, 1, 2]))
def test_a_wrong_shape_is_named(key, axis, delta):
    p, x, h0, s0, _, _ = lstm_problem(2, 3, 4, 5, peepholes=True)
    args = {**p, "x": x, "h0": h0, "s0": s0}
    args[key], axis = wrong_shape(args[key], axis, delta)
    # x alone sets N before h0 and s0 are read, so a wrong N in x is h0's mismatch
    if (key, axis) == ("x", 1):  # any length T is fine
        return
    blamed = "h0" if (key, axis) == ("x", 0) else key
    with pytest.raises(ValueError, match=f"^{blamed} must have"):
        gated.lstm_forward(args["x"], args["h0"], args["s0"], {k: args[k] for k in p})


@pytest.mark.parametrize(
    "change, error, pattern",
    [
        (lambda p: [p["U_f"]], TypeError, "^params must be a dict"),
        (lambda p: {k: v for k, v in p.items() if k not in ("W_g", "b_o")}, ValueError,
         "^params is missing W_g, b_o$"),
        (lambda p: {**p, "p_f": np.zeros(5)}, ValueError, "p_i, p_o"),
        (lambda p: {**p, "U_f": p["U_f"].T}, ValueError, r"^U_f must have shape \(H, D\)"),
        (lambda p: {**p, "W_o": np.zeros((5, 4))}, ValueError, r"^W_o must have shape \(H, H\)"),
        (lambda p: {**p, "b_i": np.zeros((5, 1))}, ValueError, r"^b_i must have 1 dimension"),
        (lambda p: {**p, "b_g": None}, TypeError, "^b_g must be an array"),
        (lambda p: {**p, "W_f": np.full((5, 5), "a")}, TypeError, "^W_f must hold real numbers"),
    ],
)
def test_lstm_bad_params_get_a_clear_error(change, error, pattern):
    p, x, h0, s0, _, _ = lstm_problem(2, 3, 4, 5)
    with pytest.raises(error, match=pattern):
        gated.lstm_forward(x, h0, s0, change(p))
    with pytest.raises(error, match=pattern):
        gated.lstm_step_forward(x[:, 0], h0, s0, change(p))


def test_lstm_bad_arrays_get_a_clear_error():
    p, x, h0, s0, R, _ = lstm_problem(2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"^x must have 3 dimension\(s\) with shape \(N, T, D\)"):
        gated.lstm_forward(x[0], h0, s0, p)
    with pytest.raises(ValueError, match=r"^s0 must have shape \(N, H\) = \(2, 5\), got shape"):
        gated.lstm_forward(x, h0, s0[:1], p)
    with pytest.raises(ValueError, match=r"^x_t must have shape \(N, D\)"):
        gated.lstm_step_forward(x[:, 0, :2], h0, s0, p)
    _, cache = gated.lstm_forward(x, h0, s0, p)
    with pytest.raises(ValueError, match=r"^dh must have shape \(N, T, H\) = \(2, 3, 5\)"):
        gated.lstm_backward(R[:, :2], cache)
    with pytest.raises(ValueError, match="^ds_last"):
        gated.lstm_backward(R, cache, ds_last=np.zeros((2, 4)))
    _, _, step_cache = gated.lstm_step_forward(x[:, 0], h0, s0, p)
    with pytest.raises(ValueError, match="^dh_t"):
        gated.lstm_step_backward(R, None, step_cache)
    with pytest.raises(ValueError, match="^ds_t"):
        gated.lstm_step_backward(R[:, 0], R, step_cache)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"D": 0, "H": 3}, ValueError, "^D must be a positive integer"),
        ({"D": 2, "H": 2.0}, TypeError, "^H must be a positive integer"),
        ({"D": 2, "H": 3, "dtype": np.int64}, TypeError, "^dtype must be a floating type"),
        ({"D": 2, "H": 3, "forget_bias": np.nan}, ValueError, "^forget_bias"),
    ],
)
def test_lstm_init_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        gated.lstm_init(**kwargs)


def test_gru_bad_input_gets_a_clear_error():
    p, x, h0, R = gru_problem(2, 3, 4, 5)
    with pytest.raises(ValueError, match="^params is missing b_hn"):
        gated.gru_forward(x, h0, p, reset_after=True)
    with pytest.raises(ValueError, match="^params has b_hn.*reset_after=True"):
        gated.gru_forward(x, h0, {**p, "b_hn": np.zeros(5)})
    with pytest.raises(TypeError, match="^reset_after must be True or False"):
        gated.gru_forward(x, h0, p, reset_after="yes")
    with pytest.raises(ValueError, match="^params is missing U_r$"):
        gated.gru_step_forward(x[:, 0], h0, {k: v for k, v in p.items() if k != "U_r"})
    with pytest.raises(ValueError, match=r"^U_h must have shape \(H, D\)"):
        gated.gru_forward(x, h0, {**p, "U_h": p["U_h"].T})
    with pytest.raises(ValueError, match=r"^h0 must have shape \(N, H\)"):
        gated.gru_forward(x, h0.T, p)
    with pytest.raises(TypeError, match="^params must be a dict"):
        gated.gru_forward(x, h0, None)
    _, cache = gated.gru_forward(x, h0, p)
    with pytest.raises(ValueError, match="^dh must have shape"):
        gated.gru_backward(R[:, :, :2], cache)
    _, step_cache = gated.gru_step_forward(x[:, 0], h0, p)
    with pytest.raises(ValueError, match=r"^dh_t must have 2 dimension\(s\) with shape \(N, H\)"):
        gated.gru_step_backward(R, step_cache)
    with pytest.raises(ValueError, match="^H must be a positive integer"):
        gated.gru_init(3, -1)


def test_sigmoid_is_stable_and_exact():
    a = np.array([-1000.0, -30.0, 0.0, 2.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from exp(1000)
        s = gated.sigmoid(a)
    # relative accuracy also where σ is tiny: σ(-30) = exp(-30) / (1 + exp(-30))
    # (rtol 1e-14, ~45 ulps: both sides round a few times and call exp, which numpy's SIMD
    # builds compute to a few ulps; a naive (1 + tanh(a/2))/2 is off by ~1e-3 at a = -30)
    np.testing.assert_allclose(s[1:4], np.exp(a[1:4]) / (1 + np.exp(a[1:4])), rtol=1e-14)
    assert s[0] == 0.0 and s[-1] == 1.0


# --- the cell-state path (chapter 8, figure of the two paths) ----------------------------------


def test_cell_path_gain_is_a_product_of_forget_gates():
    f = np.array([[0.5, 1.0], [0.5, 0.9], [0.5, 0.8], [0.1, 0.1]])  # (T=4, H=2)
    gain = gated.cell_path_gain(f)
    # entry t: mean over units of prod_{k>t} f_k
    expected = [np.mean([0.5 * 0.5 * 0.1, 0.9 * 0.8 * 0.1]), np.mean([0.05, 0.08]),
                np.mean([0.1, 0.1]), 1.0]
    np.testing.assert_allclose(gain, expected)
    np.testing.assert_allclose(gated.cell_path_gain(np.ones((5, 3))), 1.0)
    with pytest.raises(ValueError, match="f"):
        gated.cell_path_gain(np.ones(4))


def test_cell_path_gain_is_the_cell_state_jacobian_of_lstm_backward():
    # With only the direct path (no h), ds_{t-1} = f_t ⊙ ds_t: the product of forget gates.
    rng = np.random.default_rng(2)
    f = rng.uniform(0.2, 1.0, size=(7, 3))
    ds = np.ones(3)
    by_hand = [ds.mean()]
    for t in range(6, 0, -1):
        ds = f[t] * ds
        by_hand.append(ds.mean())
    np.testing.assert_allclose(gated.cell_path_gain(f), by_hand[::-1], rtol=1e-14)

