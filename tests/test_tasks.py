"""textbook_rnn.tasks: shapes, the recall rule, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.tasks import delayed_recall, recall_accuracy


@pytest.mark.parametrize("n, T, delay, A", [(1, 2, 1, 2), (5, 12, 3, 4), (3, 30, 29, 7)])
def test_shapes_one_hot_and_the_recall_rule(n, T, delay, A):
    x, y = delayed_recall(n, T, delay, n_symbols=A, seed=1)
    assert x.shape == (n, T, A) and x.dtype == np.float64
    assert y.shape == (n, T) and y.dtype.kind == "i"
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert np.all(y[:, :delay] == A)                      # blank before anything is due
    np.testing.assert_array_equal(y[:, delay:], x[:, :-delay].argmax(axis=2))
    assert y.min() >= 0 and y.max() <= A


def test_same_seed_same_data_different_seed_different_data():
    a = delayed_recall(4, 10, 2, seed=3)
    b = delayed_recall(4, 10, 2, seed=3)
    c = delayed_recall(4, 10, 2, seed=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    g = np.random.default_rng(0)
    d, e = delayed_recall(4, 10, 2, seed=g), delayed_recall(4, 10, 2, seed=g)
    assert not np.array_equal(d[0], e[0])                # a Generator advances


def test_symbols_are_roughly_uniform():
    x, _ = delayed_recall(200, 50, 1, n_symbols=4, seed=0)
    freq = x.mean(axis=(0, 1))
    assert np.all(np.abs(freq - 0.25) < 0.02)             # 10 000 draws: s.e. ≈ 0.004


def test_recall_accuracy_scores_only_recall_steps():
    x, y = delayed_recall(3, 8, 2, n_symbols=3, seed=0)
    perfect = np.eye(4)[y]                               # logits peaked on the target
    assert recall_accuracy(perfect, y, 2) == 1.0
    wrong = perfect.copy()
    wrong[:, :2] = np.eye(4)[0]                          # errors on blank steps do not count
    assert recall_accuracy(wrong, y, 2) == 1.0
    wrong[:, 2:] = np.eye(4)[(y[:, 2:] + 1) % 4]
    assert recall_accuracy(wrong, y, 2) == 0.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n": 0, "T": 5, "delay": 1}, ValueError, "n must"),
        ({"n": 2, "T": 5, "delay": 5}, ValueError, "T must be longer"),
        ({"n": 2, "T": 5, "delay": 0}, ValueError, "delay"),
        ({"n": 2, "T": 5, "delay": 1.5}, TypeError, "delay"),
        ({"n": 2, "T": 5, "delay": 1, "n_symbols": 1}, ValueError, "n_symbols"),
        ({"n": 2, "T": 5, "delay": 1, "seed": "a"}, TypeError, "seed"),
        ({"n": 2, "T": 5, "delay": 1, "seed": True}, TypeError, "seed"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        delayed_recall(**kwargs)


def test_recall_accuracy_checks_shapes():
    _, y = delayed_recall(2, 6, 2, seed=0)
    with pytest.raises(ValueError, match="y"):
        recall_accuracy(np.zeros((2, 5, 5)), y, 2)
    with pytest.raises(ValueError, match="delay"):
        recall_accuracy(np.zeros((2, 6, 5)), y, 6)
