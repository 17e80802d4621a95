"""textbook_rnn.ngram: add-one unigram and interpolated Kneser-Ney baselines."""

import itertools
import math

import numpy as np
import pytest

from textbook_rnn.ngram import KneserNey, unigram_bits


def _brute_force_kn(train, K, order, context, w):
    """Interpolated Kneser-Ney written with dictionaries and loops, as a reference."""
    grams = {n: {} for n in range(1, order + 1)}
    top = [tuple(train[i:i + order]) for i in range(len(train) - order + 1)]
    for g in top:
        grams[order][g] = grams[order].get(g, 0) + 1
    for n in range(order - 1, 0, -1):
        for g in grams[n + 1]:
            grams[n][g[1:]] = grams[n].get(g[1:], 0) + 1  # distinct left neighbours
    discount = {}
    for n, table in grams.items():
        n1 = sum(1 for c in table.values() if c == 1)
        n2 = sum(1 for c in table.values() if c == 2)
        discount[n] = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
    p = 1.0 / K
    history = tuple(context)
    for n in range(1, order + 1):
        if len(history) < n - 1:
            break
        h = history[len(history) - (n - 1):] if n > 1 else ()
        followers = {g[-1]: c for g, c in grams[n].items() if g[:-1] == h}
        total = sum(followers.values())
        if total == 0:
            continue
        D = discount[n]
        p = max(followers.get(w, 0) - D, 0) / total + D * len(followers) / total * p
    return p


def test_matches_a_loop_reference():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 4, size=300)
    train[::7] = 2  # some structure, so higher orders matter
    model = KneserNey(train, 4, order=3)
    test = rng.integers(0, 4, size=40)
    p = model.probabilities(test)
    for t in range(2, 40):
        expected = _brute_force_kn(list(train), 4, 3, test[t - 2:t], test[t])
        assert p[t] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("order", [1, 2, 4])
def test_every_conditional_sums_to_one(order):
    rng = np.random.default_rng(1)
    train = rng.integers(0, 5, size=500)
    model = KneserNey(train, 5, order=order)
    for context in itertools.islice(itertools.product(range(5), repeat=order - 1), 12):
        total = sum(model.probabilities(np.array(list(context) + [w]))[-1] for w in range(5))
        assert total == pytest.approx(1.0, abs=1e-12)


def test_unseen_symbols_keep_probability_and_context_helps():
    text = np.array([0, 1, 2] * 200)  # a deterministic cycle
    model = KneserNey(text, 4, order=3)
    p = model.probabilities(np.array([0, 1, 2, 0, 1, 3]))
    assert p[2] > 0.9 and p[3] > 0.9  # the cycle is learnt
    assert 0 < p[5] < 0.01  # symbol 3 never occurs, yet is not impossible
    assert model.bits(np.array([0, 1, 2] * 10)) < 0.2
    assert unigram_bits(text, np.array([0, 1, 2] * 10), 4) > 1.5


def test_unigram_bits_value():
    train = np.array([0, 0, 0, 1])
    # add-one: p = (3+1)/(4+2), (1+1)/(4+2)
    expected = -(math.log2(4 / 6) + math.log2(2 / 6)) / 2
    assert unigram_bits(train, np.array([0, 1]), 2) == pytest.approx(expected)


def test_bad_input():
    with pytest.raises(ValueError, match="ids in 0..2"):
        KneserNey(np.array([0, 1, 3]), 3, order=2)
    with pytest.raises(ValueError, match="longer than order"):
        KneserNey(np.array([0, 1]), 3, order=2)
    with pytest.raises(ValueError, match="overflow"):
        KneserNey(np.arange(200) % 100, 100, order=10)
    with pytest.raises(ValueError, match="1-D integer"):
        unigram_bits(np.array([0.5]), np.array([0]), 2)
