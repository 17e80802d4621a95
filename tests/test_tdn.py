"""Time-delay networks and the sensitivity of outputs to inputs (textbook_rnn.tdn).

The receptive field of equation ``tdn-rf`` is checked exactly, through
:func:`textbook_rnn.tdn.sensitivity`, whose own values are checked against
maps with a known Jacobian.
"""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import rnn, tdn


@pytest.fixture
def small_rnn():
    params = rnn.init_params(D=2, H=5, K=3, seed=11, w_scale=0.8)
    x = np.random.default_rng(5).normal(size=(1, 12, 2))
    return params, x


def test_sensitivity_of_a_linear_map_is_exact():
    # z_t = 2 x_t + 3 x_{t-1}: the Jacobian is known.
    def forward(x):
        shifted = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
        return 2 * x + 3 * shifted

    S = tdn.sensitivity(forward, np.zeros((1, 6, 1)))
    expected = 2 * np.eye(6) + 3 * np.eye(6, k=-1)
    np.testing.assert_allclose(S, expected, rtol=1e-9, atol=1e-9)


def test_sensitivity_of_rnn_is_causal_and_sees_everything(small_rnn):
    params, x = small_rnn

    def forward(x):
        return rnn.rnn_sequence(x, params)[0]

    S = tdn.sensitivity(forward, x)
    assert S.shape == (12, 12)
    assert np.all(np.triu(S, k=1) == 0)      # no output depends on a later input
    assert np.all(S[np.tril_indices(12)] > 0)  # every output depends on every earlier input


def test_sensitivity_matches_the_exact_rnn_jacobian_at_one_step(small_rnn):
    params, x = small_rnn
    S = tdn.sensitivity(lambda x: rnn.rnn_sequence(x, params)[0], x)
    h, _ = rnn.rnn_sequence(x, params)
    # dh_1/dx_1 = diag(1 - h_1^2) U
    exact = np.linalg.norm((1 - h[0, 0] ** 2)[:, None] * params["U"])
    assert S[0, 0] == pytest.approx(exact, rel=1e-8)


@pytest.mark.parametrize("layers, width", [(1, 1), (1, 4), (2, 3), (3, 2)])
def test_tdn_receptive_field_is_exact(layers, width):
    params = tdn.init_tdn(D=2, H=3, layers=layers, width=width, seed=1)
    x = np.random.default_rng(3).normal(size=(1, 15, 2))
    S = tdn.sensitivity(lambda x: tdn.tdn_forward(x, params), x)
    r = tdn.receptive_field(layers, width)
    assert r == layers * (width - 1) + 1
    for t in range(15):
        seen = np.flatnonzero(S[t] > 0)
        assert seen.tolist() == list(range(max(0, t - r + 1), t + 1))


def test_tdn_layer_matches_a_loop_over_time():
    rng = np.random.default_rng(8)
    z = rng.normal(size=(2, 7, 3))
    kernel = rng.normal(size=(4, 3, 3))
    b = rng.normal(size=4)
    out = tdn.tdn_layer(z, kernel, b)
    for t in range(7):
        a = b.copy()
        for j in range(3):
            if t - j >= 0:
                a = a + z[:, t - j] @ kernel[:, j].T
        np.testing.assert_allclose(out[:, t], np.tanh(a), rtol=0, atol=1e-14)


def test_tdn_validates():
    with pytest.raises(ValueError, match="kernel"):
        tdn.tdn_layer(np.zeros((1, 4, 3)), np.zeros((2, 2, 5)), np.zeros(2))
    with pytest.raises(TypeError, match="params"):
        tdn.tdn_forward(np.zeros((1, 4, 3)), [])
    with pytest.raises(ValueError, match="params\\[0\\]"):
        tdn.tdn_forward(np.zeros((1, 4, 3)), [{"kernel": np.zeros((2, 2, 3))}])
    with pytest.raises(ValueError, match="layers"):
        tdn.receptive_field(0, 3)
    with pytest.raises(TypeError, match="width"):
        tdn.init_tdn(1, 2, 1, 2.0)


def test_sensitivity_validates():
    with pytest.raises(TypeError, match="callable"):
        tdn.sensitivity(3, np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="x"):
        tdn.sensitivity(lambda x: x, np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="eps"):
        tdn.sensitivity(lambda x: x, np.zeros((1, 4, 1)), eps=0)
    with pytest.raises(ValueError, match=r"\(1, 4, H\)"):
        tdn.sensitivity(lambda x: x[:, :2], np.zeros((1, 4, 1)))
