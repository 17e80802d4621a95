"""textbook_rnn.bptt_analysis against torch autograd, bptt and statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from problems import rnn_problem, torch_rnn_autograd
from textbook_rnn import bptt
from textbook_rnn import bptt_analysis as ba


@pytest.mark.parametrize("where", ["all", "last"])
def test_hidden_state_gradients_match_autograd(where):
    p, x, y, h0 = rnn_problem()
    dh = ba.hidden_state_gradients(x, y, p, h0, where=where)
    _, _, ref = torch_rnn_autograd(p, x, y, h0, where=where)
    assert dh.shape == x.shape[:2] + (p["W"].shape[0],)
    np.testing.assert_allclose(dh, ref, rtol=0, atol=1e-10)


def test_last_step_gradient_vanishes_for_small_w_and_is_exactly_local_at_tau():
    p, x, y, h0 = rnn_problem(T=30, w_scale=0.3)
    dh = ba.hidden_state_gradients(x, y, p, h0, where="last")
    norms = ba.gradient_norms(dh)
    assert norms.shape == (30,)
    assert norms[0] < 1e-8 * norms[-1]
    # the last step: V^T (y_hat - e_y) / N, equation bptt-dh-tau
    from textbook_rnn.rnn import rnn_sequence, softmax
    _, o = rnn_sequence(x, p, h0)
    do = softmax(o[:, -1])
    do[np.arange(3), y[:, -1]] -= 1.0
    np.testing.assert_allclose(dh[:, -1], do @ p["V"] / 3, atol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_state_gradients_match_autograd_for_every_activation(activation):
    p, x, _, h0 = rnn_problem(T=6, w_scale=1.5)
    rng = np.random.default_rng(5)
    weights = rng.uniform(0.0, 2.0, size=6)
    h = ba.recurrence_forward(x, h0, p["U"], p["W"], p["b"], activation=activation)
    g_out = rng.normal(size=h.shape)
    dh = ba.state_gradients(g_out, h, p["W"], activation=activation, link_weights=weights)
    # autograd: L = sum_t <g_out_t, h_t>
    th0 = torch.tensor(h0, requires_grad=True)
    W, U, b = (torch.tensor(p[k]) for k in ("W", "U", "b"))
    phi = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
           "linear": lambda a: a}[activation]
    hs, hcur, loss = [], th0, 0.0
    for t in range(6):
        hcur = weights[t] * hcur + (1 - weights[t]) * hcur.detach() if t else hcur
        hcur = phi(b + hcur @ W.T + torch.tensor(x[:, t]) @ U.T)
        hcur.retain_grad()
        hs.append(hcur)
        loss = loss + (hcur * torch.tensor(g_out[:, t])).sum()
    loss.backward()
    ref = np.stack([s.grad.numpy() for s in hs], axis=1)
    np.testing.assert_allclose(dh, ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(h, np.stack([s.detach().numpy() for s in hs], axis=1), atol=1e-12)


def test_relu_forward_is_the_rectified_recurrence_and_tanh_is_rnn_forward():
    p, x, _, h0 = rnn_problem(T=5)
    h = ba.recurrence_forward(x, h0, p["U"], p["W"], p["b"], activation="relu")
    hp = h0
    for t in range(5):
        hp = np.maximum(0, p["b"] + hp @ p["W"].T + x[:, t] @ p["U"].T)
        np.testing.assert_allclose(h[:, t], hp, atol=1e-14)
    from textbook_rnn.rnn import rnn_forward
    np.testing.assert_array_equal(
        ba.recurrence_forward(x, h0, p["U"], p["W"], p["b"]),
        rnn_forward(x, h0, p["U"], p["W"], p["b"])[0],
    )


def test_relu_state_explodes_where_tanh_stays_bounded():
    p, x, _, _ = rnn_problem(N=4, T=60, D=4, H=32, w_scale=2.5)
    h0 = np.zeros((4, 32))
    relu = ba.recurrence_forward(x, h0, p["U"], p["W"], p["b"], activation="relu")
    tanh = ba.recurrence_forward(x, h0, p["U"], p["W"], p["b"], activation="tanh")
    assert np.abs(tanh).max() < 1.0
    assert np.linalg.norm(relu[:, -1], axis=1).min() > 1e6


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7, 20])
def test_truncation_weights_reproduce_truncated_bptt(k):
    p, x, y, h0 = rnn_problem()
    loss, grads, _ = bptt.truncated_bptt(x, y, p, k, h0)
    loss2, grads2 = ba.weighted_bptt(x, y, p, ba.truncation_weights(7, k), h0)
    assert loss2 == pytest.approx(loss, rel=1e-13)
    for name in grads:
        np.testing.assert_allclose(grads2[name], grads[name], rtol=0, atol=1e-13, err_msg=name)


def test_unit_weights_are_full_bptt_and_any_weights_match_autograd():
    p, x, y, h0 = rnn_problem()
    loss, grads = bptt.rnn_loss_and_grads(x, y, p, h0)
    loss1, grads1 = ba.weighted_bptt(x, y, p, np.ones(7), h0)
    for name in grads:
        np.testing.assert_allclose(grads1[name], grads[name], rtol=0, atol=1e-13)
    weights = np.random.default_rng(3).uniform(0, 3, size=7)
    lw, gw = ba.weighted_bptt(x, y, p, weights, h0)
    lref, ref, _ = torch_rnn_autograd(p, x, y, h0, weights=weights)
    assert lw == pytest.approx(lref, rel=1e-12)
    for name, value in ref.items():
        np.testing.assert_allclose(gw[name], value, rtol=0, atol=1e-10, err_msg=name)


def test_weight_gradient_by_step_sums_to_dW():
    p, x, y, h0 = rnn_problem()
    terms = ba.weight_gradient_by_step(x, y, p, h0)
    assert terms.shape == (7, 5, 5)
    np.testing.assert_allclose(terms.sum(axis=0), bptt.rnn_loss_and_grads(x, y, p, h0)[1]["dW"],
                               atol=1e-13)
    last = ba.weight_gradient_by_step(x, y, p, h0, where="last")
    _, ref, _ = torch_rnn_autograd(p, x, y, h0, where="last")
    np.testing.assert_allclose(last.sum(axis=0), ref["dW"], atol=1e-10)


def test_randomized_weights_have_mean_one_and_the_right_cut_rate(rng):
    w = np.stack([ba.randomized_truncation_weights(50, 0.25, rng) for _ in range(4000)])
    assert np.all(w[:, 0] == 1.0)
    assert set(np.unique(w[:, 1:])) == {0.0, 4.0 / 3.0}
    # 4000 * 49 Bernoulli(0.25) draws: the standard error of the rate is ~0.001
    assert abs((w[:, 1:] == 0).mean() - 0.25) < 0.005
    assert abs(w[:, 1:].mean() - 1.0) < 0.01


def _mc_errors(p, x, y, h0, p_cut, M, *, rescale=True):
    """Relative error of the mean of M randomized estimates, and its standard error."""
    _, full = bptt.rnn_loss_and_grads(x, y, p, h0)
    rng = np.random.default_rng(2024)
    names = ("dU", "dW", "db", "dV", "dc")
    draws = []
    for _ in range(M):
        w = ba.randomized_truncation_weights(x.shape[1], p_cut, rng)
        if not rescale:
            w = (w > 0).astype(float)
        g = ba.weighted_bptt(x, y, p, w, h0)[1]
        draws.append(np.concatenate([g[n].ravel() for n in names]))
    draws = np.array(draws)
    target = np.concatenate([full[n].ravel() for n in names])
    err = np.linalg.norm(draws.mean(axis=0) - target)
    # E‖mean − E[mean]‖² = Σ_i Var_i / M: the typical size of pure Monte-Carlo noise
    noise = np.sqrt(draws.var(axis=0, ddof=1).sum() / M)
    return err, noise, target


def test_randomized_truncation_is_unbiased_and_plain_truncation_is_not():
    p, x, y, h0 = rnn_problem(N=2, T=8, D=3, H=4, K=3, w_scale=1.5)
    err, noise, target = _mc_errors(p, x, y, h0, 0.3, M=3000)
    # Unbiased: the error of the average is Monte-Carlo noise. With hundreds of
    # coordinates the squared error concentrates around noise², so 3 × noise is
    # a generous bound (fixed seed: the test is deterministic).
    assert err < 3 * noise
    assert noise < 0.05 * np.linalg.norm(target)
    # Plain truncation with the same mean chunk length keeps a bias far above that.
    _, trunc, _ = bptt.truncated_bptt(x, y, p, 3, h0)
    names = ("dU", "dW", "db", "dV", "dc")
    bias = np.linalg.norm(np.concatenate([trunc[n].ravel() for n in names]) - target)
    assert bias > 10 * noise
    # And the test has power: cutting at random *without* the 1/(1 - p) rescaling is biased.
    err_plain, noise_plain, _ = _mc_errors(p, x, y, h0, 0.3, M=3000, rescale=False)
    assert err_plain > 10 * noise_plain


def test_randomized_truncation_grads_returns_its_weights():
    p, x, y, h0 = rnn_problem()
    loss, grads, w = ba.randomized_truncation_grads(x, y, p, 0.5, 11, h0)
    loss2, grads2 = ba.weighted_bptt(x, y, p, w, h0)
    assert loss == loss2
    for name in grads:
        np.testing.assert_array_equal(grads[name], grads2[name])
    _, _, w_again = ba.randomized_truncation_grads(x, y, p, 0.5, 11, h0)
    np.testing.assert_array_equal(w, w_again)


def test_forward_cache_grows_linearly_in_T():
    b = [ba.forward_cache_nbytes(2, T, 3, 4, 5) for T in (10, 20, 40)]
    per_step = 8 * 2 * (3 + 4 + 5)  # x, h and o for one step, float64
    assert b[1] - b[0] == 10 * per_step
    assert b[2] - b[1] == 20 * per_step
    fixed = 8 * (2 * 4 + 4 * 3 + 4 * 4 + 5 * 4)  # h0, U, W, V (the biases are not cached)
    assert b[0] == 10 * per_step + fixed
    assert ba.forward_cache_nbytes(2, 10, 3, 4, 5, dtype=np.float32) * 2 == b[0]


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: ba.truncation_weights(0, 2), ValueError),
        (lambda: ba.truncation_weights(5, 2.5), TypeError),
        (lambda: ba.randomized_truncation_weights(5, 1.0, 0), ValueError),
        (lambda: ba.randomized_truncation_weights(5, -0.1, 0), ValueError),
        (lambda: ba.randomized_truncation_weights(5, np.ones(4) * 0.1, 0), ValueError),
        (lambda: ba.state_gradients(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)), np.eye(2),
                                    activation="softplus"), ValueError),
        (lambda: ba.state_gradients(np.zeros((1, 3, 2)), np.zeros((1, 4, 2)), np.eye(2)),
         ValueError),
        (lambda: ba.state_gradients(np.zeros((1, 3, 2)), np.zeros((1, 3, 2)), np.eye(2),
                                    link_weights=np.ones(2)), ValueError),
        (lambda: ba.gradient_norms(np.zeros((3, 2))), ValueError),
        (lambda: ba.forward_cache_nbytes(1, 2, 3, 4, 5, dtype=int), TypeError),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error):
    with pytest.raises(error):
        call()


def test_weighted_bptt_names_the_bad_argument():
    p, x, y, h0 = rnn_problem()
    with pytest.raises(ValueError, match="link_weights"):
        ba.weighted_bptt(x, y, p, np.ones(6), h0)
    with pytest.raises(ValueError, match="where"):
        ba.hidden_state_gradients(x, y, p, h0, where="first")
    with pytest.raises(ValueError, match="W"):
        ba.weighted_bptt(x, y, {**p, "W": p["W"][:, :3]}, np.ones(7), h0)
