"""Tests of textbook_rnn.tasks.binary_counter: the targets are the bits of the running count."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.tasks.binary_counter import counter_batches, counter_task


def test_bits_by_hand():
    x, y = counter_task(1, 6, 2, p=1.0)  # a pulse at every step: counts 1, 2, 3, 0, 1, 2
    assert x[0, :, 0].tolist() == [1.0] * 6
    assert y[0].tolist() == [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]]


def test_bits_decode_to_the_count_and_flip_at_halving_rates():
    x, y = counter_task(8, 400, 4, seed=3)
    count = np.cumsum(x[..., 0], axis=1) % 16
    np.testing.assert_array_equal((y * 2 ** np.arange(4)).sum(axis=2), count)
    flips = np.abs(np.diff(y, axis=1)).mean(axis=(0, 1))  # bit j flips every 2^j pulses
    np.testing.assert_allclose(flips, 0.5 / 2 ** np.arange(4), rtol=0.15)


def test_seeded_and_batches():
    a, b = counter_task(2, 5, 3, seed=1), counter_task(2, 5, 3, seed=1)
    np.testing.assert_array_equal(a[1], b[1])
    x, y = counter_batches(3, 7, 2)(np.random.default_rng(0))
    assert x.shape == (3, 7, 1) and y.shape == (3, 7, 2)


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"N": 0, "T": 3, "bits": 2}, ValueError, "N"),
    ({"N": 2, "T": 3, "bits": 0}, ValueError, "bits"),
    ({"N": 2, "T": 3, "bits": 2, "p": 0.0}, ValueError, "p"),
    ({"N": 2, "T": 3, "bits": 2.5}, TypeError, "bits"),
])
def test_errors(kwargs, error, words):
    with pytest.raises(error, match=words):
        counter_task(**kwargs)
