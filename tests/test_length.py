"""textbook_rnn.length: the three ways of choosing the sequence length."""

import math

import numpy as np
import pytest

from textbook_rnn import length


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_halt_likelihood_by_hand():
    lp = np.log([0.5, 0.25, 0.8, 0.1])
    z = np.array([-1.0, 0.3, 2.0, 5.0])
    tau = 3
    expected = (math.log(0.5 * 0.25 * 0.8) + math.log(1 - _sigmoid(-1.0))
                + math.log(1 - _sigmoid(0.3)) + math.log(_sigmoid(2.0)))
    assert length.halt_log_likelihood(lp, z, tau) == pytest.approx(expected, rel=1e-13)


def test_halt_lengths_form_a_distribution():
    """Σ_τ P(τ) = 1 when the last step always halts (the symbols' terms set to 0)."""
    z = np.array([-0.5, 0.2, -1.0, 1.5, 60.0])
    total = sum(math.exp(length.halt_log_likelihood(np.zeros(5), z, tau)) for tau in range(1, 6))
    assert total == pytest.approx(1.0, abs=1e-12)


def test_halt_likelihood_is_stable_for_large_logits():
    z = np.array([-800.0, 800.0])
    assert length.halt_log_likelihood(np.zeros(2), z, 2) == pytest.approx(0.0, abs=1e-12)
    assert length.halt_log_likelihood(np.zeros(2), z, 1) == pytest.approx(-800.0)


def test_eos_likelihood():
    lp = np.log(np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]]))
    # y = (0, 1), then the end symbol 2
    assert length.eos_log_likelihood(lp, np.array([0, 1]), 2) == pytest.approx(
        math.log(0.7 * 0.6 * 0.6))
    with pytest.raises(ValueError, match="end symbol"):
        length.eos_log_likelihood(lp, np.array([2]), 2)
    with pytest.raises(ValueError, match="rows"):
        length.eos_log_likelihood(lp, np.array([0, 1, 0]), 2)


def test_length_first_likelihood_and_remaining():
    lq = np.log([0.2, 0.5, 0.3])
    assert length.length_log_likelihood(lq, np.log([0.5, 0.5]), 2) == pytest.approx(
        math.log(0.5 * 0.25))
    with pytest.raises(ValueError, match="τ"):
        length.length_log_likelihood(lq, np.log([0.5]), 2)
    np.testing.assert_array_equal(length.remaining_steps(np.array([3, 1]), 4),
                                  [[2, 1, 0, 0], [0, 0, 0, 0]])


def test_length_distribution_and_divergence():
    p = length.length_distribution(np.array([1, 2, 2, 3, 9]), 4)
    np.testing.assert_allclose(p, [0.2, 0.4, 0.2, 0.2])
    assert length.length_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    q = np.array([0.25, 0.25, 0.25, 0.25])
    expected = sum(pi * math.log2(pi / 0.25) for pi in p)
    assert length.length_divergence(p, q) == pytest.approx(expected)
    assert math.isfinite(length.length_divergence(p, np.array([1.0, 0, 0, 0])))
    with pytest.raises(ValueError, match="positive"):
        length.length_distribution(np.array([0, 1]), 3)
