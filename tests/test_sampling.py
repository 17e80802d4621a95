"""textbook_rnn.sampling: temperature softmax, categorical and ancestral sampling, bits."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import sampling
from textbook_rnn.rnn import softmax


def test_temperature_one_is_the_plain_softmax():
    o = np.random.default_rng(0).normal(size=(4, 7)) * 3
    np.testing.assert_allclose(sampling.softmax_temperature(o, 1.0), softmax(o), rtol=1e-14)


def test_temperature_divides_the_logits():
    o = np.array([[1.0, 2.0, -0.5]])
    for tau in (0.3, 2.0, 7.5):
        np.testing.assert_allclose(sampling.softmax_temperature(o, tau), softmax(o / tau),
                                   rtol=1e-13)


def test_limits_without_overflow():
    o = np.array([[1000.0, -1000.0, 999.0, 1000.0]])  # huge logits, a tie at the top
    with np.errstate(all="raise"):
        cold = sampling.softmax_temperature(o, 1e-300)
        hot = sampling.softmax_temperature(o, math.inf)
        warm = sampling.softmax_temperature(o, 1e300)
    np.testing.assert_array_equal(cold, [[0.5, 0.0, 0.0, 0.5]])  # ties share the mass
    np.testing.assert_allclose(hot, 0.25)
    np.testing.assert_allclose(warm, 0.25, rtol=1e-12)


def test_float32_stays_float32_and_integers_work():
    o32 = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    assert sampling.softmax_temperature(o32, 0.5).dtype == np.float32
    np.testing.assert_allclose(sampling.softmax_temperature(np.array([[1, 2, 3]]), 1.0),
                               softmax(np.array([[1.0, 2.0, 3.0]])))


@pytest.mark.parametrize("tau", [0, -1.0, float("nan"), "1", True])
def test_bad_temperature(tau):
    with pytest.raises((ValueError, TypeError), match="temperature"):
        sampling.softmax_temperature([[1.0, 2.0]], tau)


def test_bad_logits():
    with pytest.raises(ValueError, match="finite"):
        sampling.softmax_temperature([[1.0, np.inf]], 1.0)
    with pytest.raises(ValueError, match="non-empty"):
        sampling.softmax_temperature(np.zeros((2, 0)), 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=12),
       st.floats(1e-30, 1e30))
def test_rows_are_distributions(logits, tau):
    p = sampling.softmax_temperature(np.array([logits]), tau)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    assert abs(p.sum() - 1) < 1e-12
    # the most likely symbol never changes with the temperature
    assert np.argmax(logits) in np.flatnonzero(p[0] == p[0].max())


def test_sample_categorical_frequencies_and_determinism():
    p = np.tile([0.1, 0.6, 0.3], (20000, 1))
    a = sampling.sample_categorical(p, 3)
    b = sampling.sample_categorical(p, 3)
    np.testing.assert_array_equal(a, b)
    freq = np.bincount(a, minlength=3) / a.size
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.3], atol=0.015)  # 3+ standard errors
    # a one-hot row is always drawn, even at the edges of the CDF
    one_hot = np.eye(4)[[0, 3, 3, 1]]
    np.testing.assert_array_equal(sampling.sample_categorical(one_hot, 0), [0, 3, 3, 1])


def test_sample_categorical_rejects_non_distributions():
    with pytest.raises(ValueError, match="sum to 1"):
        sampling.sample_categorical([[0.5, 0.6]], 0)
    with pytest.raises(ValueError, match="shape"):
        sampling.sample_categorical([0.5, 0.5], 0)


def test_ancestral_sampling_feeds_each_draw_back():
    """A deterministic chain: the next symbol is (previous + 1) mod K at low temperature."""
    K = 5

    def step(state, y_prev):
        o = np.full((y_prev.size, K), -50.0)
        o[np.arange(y_prev.size), (y_prev + 1) % K] = 50.0
        return state + 1, o

    out = sampling.ancestral_sample(step, 0, np.array([0, 2]), 7, temperature=0.5, seed=0)
    np.testing.assert_array_equal(out, [[1, 2, 3, 4, 0, 1, 2], [3, 4, 0, 1, 2, 3, 4]])


def test_ancestral_sampling_is_seeded():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(4, 4))

    def step(state, y_prev):
        return state, table[y_prev]

    a = sampling.ancestral_sample(step, None, np.zeros(3, dtype=int), 20, seed=11)
    b = sampling.ancestral_sample(step, None, np.zeros(3, dtype=int), 20, seed=11)
    c = sampling.ancestral_sample(step, None, np.zeros(3, dtype=int), 20, seed=12)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(TypeError, match="callable"):
        sampling.ancestral_sample(None, None, np.zeros(3, dtype=int), 2)
    with pytest.raises(ValueError, match="first"):
        sampling.ancestral_sample(step, None, np.zeros(3), 2)


def test_bits_per_symbol():
    assert sampling.bits_per_symbol(10 * math.log(4), 10) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="non-negative"):
        sampling.bits_per_symbol(-1.0, 3)
    with pytest.raises(ValueError, match="n_symbols"):
        sampling.bits_per_symbol(1.0, 0)
