"""textbook_rnn.teacher_forcing: forced inputs, scheduled-sampling schedules and mixing."""

import numpy as np
import pytest

from textbook_rnn import teacher_forcing as tf


def test_forced_inputs_shift_right_ids_and_vectors():
    y = np.array([[3, 1, 2], [0, 0, 4]])
    x = tf.forced_inputs(y, 9)
    np.testing.assert_array_equal(x, [[9, 3, 1], [9, 0, 0]])
    np.testing.assert_array_equal(y, [[3, 1, 2], [0, 0, 4]])  # untouched
    yv = np.arange(12.0).reshape(2, 3, 2)
    xv = tf.forced_inputs(yv, np.array([-1.0, -2.0]))
    np.testing.assert_array_equal(xv[:, 0], [[-1, -2], [-1, -2]])
    np.testing.assert_array_equal(xv[:, 1:], yv[:, :-1])


def test_forced_inputs_errors():
    with pytest.raises(ValueError, match="shape"):
        tf.forced_inputs(np.zeros(3, dtype=int), 0)
    with pytest.raises(ValueError, match=r"\(D,\)"):
        tf.forced_inputs(np.zeros((2, 3, 2)), np.zeros(3))
    with pytest.raises(TypeError, match="start"):
        tf.forced_inputs(np.zeros((2, 3), dtype=int), 0.5)


def test_schedules():
    steps = np.array([0, 50, 100, 1000])
    np.testing.assert_allclose(tf.forcing_probability(steps, "constant"), 1.0)
    np.testing.assert_allclose(tf.forcing_probability(steps, "linear", k=100),
                               [1.0, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(tf.forcing_probability(steps, "linear", k=100, floor=0.2),
                               [1.0, 0.5, 0.2, 0.2])
    np.testing.assert_allclose(tf.forcing_probability(steps, "exponential", k=50),
                               np.exp(-steps / 50))
    inv = tf.forcing_probability(np.arange(0, 5000, 10), "inverse_sigmoid", k=200)
    assert np.all(np.diff(inv) <= 0) and inv[0] < 1 and inv[-1] < 1e-6
    # the inverse sigmoid crosses one half at k ln k
    k = 200.0
    assert tf.forcing_probability(k * np.log(k), "inverse_sigmoid", k=k) == pytest.approx(0.5)
    assert tf.forcing_probability(1e9, "inverse_sigmoid", k=1.0) == 0.0  # no overflow error


def test_schedule_errors():
    with pytest.raises(ValueError, match="schedule"):
        tf.forcing_probability(1, "cosine")
    with pytest.raises(ValueError, match="k must be positive"):
        tf.forcing_probability(1, "linear", k=0)
    with pytest.raises(ValueError, match="step"):
        tf.forcing_probability(-1, "linear")


def test_mix_inputs_frequency_and_seed():
    truth = np.zeros((200, 50), dtype=int)
    pred = np.ones((200, 50), dtype=int)
    mixed, used = tf.mix_inputs(truth, pred, 0.3, 5)
    np.testing.assert_array_equal(mixed, np.where(used, 0, 1))
    assert abs(used.mean() - 0.3) < 0.02
    again, _ = tf.mix_inputs(truth, pred, 0.3, 5)
    np.testing.assert_array_equal(mixed, again)
    assert np.all(tf.mix_inputs(truth, pred, 1.0, 0)[0] == 0)
    assert np.all(tf.mix_inputs(truth, pred, 0.0, 0)[0] == 1)
    vec, used = tf.mix_inputs(np.zeros((3, 4, 2)), np.ones((3, 4, 2)), 0.5, 1)
    np.testing.assert_array_equal(vec[..., 0], vec[..., 1])
    with pytest.raises(ValueError, match="same shape"):
        tf.mix_inputs(truth, pred[:, :3], 0.5, 0)
    with pytest.raises(ValueError, match="p_truth"):
        tf.mix_inputs(truth, pred, 1.5, 0)
