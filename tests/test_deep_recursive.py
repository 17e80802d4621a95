"""Tests of textbook_rnn.deep_recursive.

The numpy core of the chapter "Deep and recursive networks".

SKELETON: test values on fixed inputs, gradients against finite differences
(textbook_rnn.gradcheck), parity with torch where a torch.nn counterpart
exists, and clear errors for malformed input.
"""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.deep_recursive import deep_recursive_example


def test_deep_recursive_example_on_a_value_worked_by_hand():
    x, W = np.full((1, 1, 2), 0.5), np.array([[1.0, 1.0]])
    z = deep_recursive_example(x, W)
    np.testing.assert_allclose(z, np.full((1, 1, 1), np.tanh(1.0)))


def test_deep_recursive_example_treats_every_step_alike():
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=(2, 5, 3)), rng.normal(size=(4, 3))
    z = deep_recursive_example(x, W)
    assert z.shape == (2, 5, 4)
    for t in range(5):
        np.testing.assert_allclose(z[:, t], np.tanh(x[:, t] @ W.T))


@pytest.mark.parametrize(
    "x, W, message",
    [
        (np.zeros((2, 3)), np.zeros((4, 3)), "x must have 3 dimension"),
        (np.zeros((2, 3, 3)), np.zeros((4, 2)), "W must have shape"),
        (np.zeros((2, 3, 3), dtype=object), np.zeros((4, 3)), "x must hold real numbers"),
    ],
)
def test_deep_recursive_example_names_the_bad_argument(x, W, message):
    with pytest.raises((ValueError, TypeError), match=message):
        deep_recursive_example(x, W)
