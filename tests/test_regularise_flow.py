"""Pascanu et al.'s gradient-flow regulariser (textbook_rnn.regularise_flow)."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import bptt
from textbook_rnn import regularise_flow as rf
from textbook_rnn.bptt_analysis import state_gradients
from textbook_rnn.rnn import init_params, rnn_forward


def network(seed=0, T=12, N=3, H=4, w_scale=1.0):
    rng = np.random.default_rng(seed)
    p = init_params(2, H, 1, seed=seed, w_scale=w_scale)
    x = rng.normal(size=(N, T, 2))
    h0 = rng.normal(0, 0.3, size=(N, H))
    h, cache = rnn_forward(x, h0, p["U"], p["W"], p["b"])
    dh_out = np.zeros_like(h)
    dh_out[:, -1] = rng.normal(size=(N, H))
    return p, h0, h, cache, dh_out


def test_state_gradients_agree_with_bptt():
    p, h0, h, cache, dh_out = network()
    delta = state_gradients(dh_out, h, p["W"])
    _, dh0, _, dW, db = bptt.rnn_backward(dh_out, cache)
    da = delta * (1 - h**2)
    # what reaches h_0 is δ_1 ∂h_1/∂h_0, and the parameter gradients are sums over t
    np.testing.assert_allclose(da[:, 0] @ p["W"], dh0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(da.sum(axis=(0, 1)), db, rtol=1e-12, atol=1e-15)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    np.testing.assert_allclose(np.einsum("nti,ntj->ij", da, h_prev), dW, rtol=1e-12,
                               atol=1e-15)


def test_with_a_loss_at_the_end_only_the_ratios_multiply_to_the_fade():
    p, _, h, _, dh_out = network(seed=1, T=20)
    delta = state_gradients(dh_out, h, p["W"])
    r = rf.flow_ratios(delta, h, p["W"])
    sizes = np.linalg.norm(delta, axis=2)
    np.testing.assert_allclose(np.prod(r[:, 1:], axis=1), sizes[:, 0] / sizes[:, -1],
                               rtol=1e-10)


def test_one_unit_ratio_is_the_slope_of_the_map():
    h = np.array([[[0.3], [-0.5], [0.9]]])
    delta = np.array([[[2.0], [-1.0], [0.5]]])
    W = np.array([[1.7]])
    np.testing.assert_allclose(rf.flow_ratios(delta, h, W)[0], 1.7 * (1 - h[0, :, 0] ** 2),
                               rtol=1e-15)


def test_omega_is_zero_when_every_step_keeps_the_norm():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))  # orthogonal
    h = np.zeros((2, 6, 5))  # tanh'(0) = 1: the Jacobian is W itself
    delta = rng.normal(size=(2, 6, 5))
    np.testing.assert_allclose(rf.flow_ratios(delta, h, Q), 1.0, rtol=1e-12)
    assert rf.flow_regulariser(delta, h, Q) == pytest.approx(0.0, abs=1e-20)
    assert rf.flow_regulariser(delta, h, 0.5 * Q) == pytest.approx(6 * 0.25, rel=1e-12)


def test_zero_gradients_are_left_out():
    h = np.zeros((1, 3, 2))
    delta = np.zeros((1, 3, 2))
    delta[0, 2] = [1.0, 0.0]
    r = rf.flow_ratios(delta, h, 2 * np.eye(2))
    assert np.isnan(r[0, :2]).all() and r[0, 2] == pytest.approx(2.0)
    assert rf.flow_regulariser(delta, h, 2 * np.eye(2)) == pytest.approx(1.0)


def test_small_weights_make_the_gradient_fade_and_omega_large():
    omegas = []
    for scale in (0.3, 1.0):
        p, _, h, _, dh_out = network(seed=3, T=30, w_scale=scale)
        delta = state_gradients(dh_out, h, p["W"])
        omegas.append(rf.flow_regulariser(delta, h, p["W"]))
    assert omegas[0] > omegas[1]


def test_shapes_are_checked():
    p, _, h, _, dh_out = network()
    with pytest.raises(ValueError, match="W"):
        rf.flow_ratios(dh_out, h, np.ones((3, 3)))
    with pytest.raises(ValueError, match="must have shape"):
        rf.flow_ratios(dh_out[:, :-1], h, p["W"])
