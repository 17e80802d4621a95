"""Tests of textbook_rnn.multiplicative and the swap task."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import multiplicative as mu
from textbook_rnn.tasks.swaps import all_swap_sequences, ball_position


def test_ball_position_by_hand():
    np.testing.assert_array_equal(ball_position(np.array([[0, 1], [1, 0], [0, 0]])), [2, 1, 0])


def test_the_multiplicative_rnn_tracks_the_ball_exactly():
    for T in (1, 4, 9):
        x, y = all_swap_sequences(T)
        h = mu.multiplicative_forward(np.eye(2)[x], np.tile([1.0, 0, 0], (len(x), 1)),
                                      mu.swap_transitions())
        np.testing.assert_array_equal(h[:, -1].argmax(axis=1), y)


def test_the_least_squares_additive_model_fails_on_long_sequences():
    x, y = all_swap_sequences(9)
    assert mu.least_squares_additive_accuracy(x, y, 2, 3) < 0.6
    x, y = all_swap_sequences(2)
    assert mu.least_squares_additive_accuracy(x, y, 2, 3) == 1.0


def test_factored_transition_equals_the_product():
    rng = np.random.default_rng(0)
    W_fh, W_fx, W_hf = rng.normal(size=(5, 3)), rng.normal(size=(5, 2)), rng.normal(size=(3, 5))
    x = np.array([[1.0, 0.0], [0.3, 0.7]])
    W = mu.factored_transition(x, W_fh, W_fx, W_hf)
    for n in range(2):
        np.testing.assert_allclose(W[n], W_hf @ np.diag(W_fx @ x[n]) @ W_fh)


def test_errors():
    with pytest.raises(ValueError, match="W"):
        mu.multiplicative_forward(np.zeros((1, 2, 2)), np.zeros((1, 3)), np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="x"):
        ball_position(np.array([[2]]))
