"""textbook_rnn.tasks_gated: the adding problem and the counting languages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import tasks as tg

# --- the adding problem ----------------------------------------------------------------------


@pytest.mark.parametrize("n, T", [(1, 2), (5, 3), (7, 20), (3, 101)])
def test_adding_problem_structure(n, T):
    x, y = tg.adding_problem(n, T, seed=2)
    assert x.shape == (n, T, 2) and y.shape == (n, 1)
    values, marks = x[..., 0], x[..., 1]
    assert values.min() >= 0 and values.max() < 1
    np.testing.assert_array_equal(marks.sum(axis=1), 2.0)
    assert set(np.unique(marks)) <= {0.0, 1.0}
    first = marks.argmax(axis=1)
    second = T - 1 - marks[:, ::-1].argmax(axis=1)
    assert np.all(first < T // 2) and np.all(second >= T // 2)
    np.testing.assert_allclose(y[:, 0], (values * marks).sum(axis=1))


def test_adding_problem_is_seeded():
    a = tg.adding_problem(4, 10, seed=3)
    b = tg.adding_problem(4, 10, seed=3)
    c = tg.adding_problem(4, 10, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    np.testing.assert_array_equal(tg.adding_problem(2, 5, seed=g1)[0],
                                  tg.adding_batches(5, 2)(g2)[0])


def test_constant_guess_baseline_is_one_sixth():
    assert tg.ADDING_BASELINE_MSE == pytest.approx(0.1667, abs=1e-4)
    _, y = tg.adding_problem(200_000, 10, seed=0)
    assert tg.constant_guess_mse(y) == pytest.approx(1 / 6, abs=3e-3)
    assert y.mean() == pytest.approx(1.0, abs=5e-3)
    assert tg.constant_guess_mse([[1.0], [1.0]]) == 0.0


@pytest.mark.parametrize(
    "args, kwargs, error",
    [((0, 5), {}, ValueError), ((2, 1), {}, ValueError), ((2, 5.0), {}, TypeError),
     ((2, 5), {"seed": "x"}, TypeError), ((2, 5), {"seed": 1.5}, TypeError)],
)
def test_adding_problem_bad_input(args, kwargs, error):
    with pytest.raises(error):
        tg.adding_problem(*args, **kwargs)


def test_bad_batch_arguments():
    with pytest.raises(ValueError):
        tg.adding_batches(1, 4)
    with pytest.raises(ValueError):
        tg.counting_batches(3, 4, n_min=5)
    with pytest.raises(ValueError):
        tg.counting_batches(3, 4, k=4)
    with pytest.raises(ValueError):
        tg.constant_guess_mse([])


# --- counting languages ----------------------------------------------------------------------


def decode(x, y, mask, k):
    inputs, outputs = tg.counting_symbols(k)
    L = int(mask.sum())
    string = "".join(inputs[i] for i in x[:L].argmax(axis=1))
    sets = ["".join(o for o, v in zip(outputs, row, strict=True) if v) for row in y[:L]]
    return string, sets


def test_counting_symbols():
    assert tg.counting_symbols(2) == (("S", "a", "b"), ("a", "b", "E"))
    assert tg.counting_symbols(3) == (("S", "a", "b", "c"), ("a", "b", "c", "E"))


def test_anbn_by_hand():
    x, y, mask = tg.counting_language([3, 1])
    assert x.shape == y.shape == (2, 7, 3) and mask.shape == (2, 7)
    assert decode(x[0], y[0], mask[0], 2) == ("Saaabbb", ["a", "ab", "ab", "ab", "b", "b", "E"])
    assert decode(x[1], y[1], mask[1], 2) == ("Sab", ["a", "ab", "E"])
    np.testing.assert_array_equal(mask[1], [1, 1, 1, 0, 0, 0, 0])
    assert not x[1, 3:].any() and not y[1, 3:].any()


def test_anbncn_by_hand():
    x, y, mask = tg.counting_language(2, k=3)
    assert decode(x[0], y[0], mask[0], 3) == ("Saabbcc", ["a", "ab", "ab", "b", "c", "c", "E"])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 30), k=st.sampled_from([2, 3]))
def test_counting_targets_follow_the_grammar(n, k):
    x, y, mask = tg.counting_language([n], k=k)
    string, sets = decode(x[0], y[0], mask[0], k)
    letters = "abc"[:k]
    assert string == "S" + "".join(c * n for c in letters)
    for t in range(len(string)):
        seen = string[1 : t + 1]
        # the allowed continuations of the prefix, by brute force over the language
        allowed = set()
        for m in range(1, 2 * n + 2):
            word = "".join(c * m for c in letters) + "E"
            if word.startswith(seen):
                allowed.add(word[len(seen)])
        assert set(sets[t]) == allowed, (t, seen)


def test_counting_batches_draw_the_range():
    mb = tg.counting_batches(5, 200, n_min=2)
    x, y, mask = mb(np.random.default_rng(0))
    ns = (mask.sum(axis=1) - 1) / 2
    assert ns.min() == 2 and ns.max() == 5
    assert x.shape[1] == 11


@pytest.mark.parametrize("ns, k, error", [([0], 2, ValueError), ([1.5], 2, TypeError),
                                          ([[1, 2]], 2, TypeError), ([2], 1, ValueError)])
def test_counting_bad_input(ns, k, error):
    with pytest.raises(error):
        tg.counting_language(ns, k=k)


def test_accepted_and_range():
    x, y, mask = tg.counting_language([1, 2, 3, 4])
    logits = np.where(y > 0.5, 5.0, -5.0)
    assert tg.accepted(logits, y, mask).all()
    # a wrong prediction on padding does not count, on a real step it does
    logits[0, -1, 0] = 5.0
    logits[2, 5, 2] = 5.0  # string n=3 says "E" one step early
    np.testing.assert_array_equal(tg.accepted(logits, y, mask), [True, True, False, True])
    assert tg.generalisation_range([1, 2, 3, 4], [True, True, False, True]) == 2
    assert tg.generalisation_range([3, 1, 2], [True, True, True]) == 3
    assert tg.generalisation_range([1, 2], [False, True]) == 0
    with pytest.raises(ValueError):
        tg.generalisation_range([1, 2], [True])
    with pytest.raises(ValueError):
        tg.accepted(logits[:, :3], y, mask)


def test_counter_unit_finds_the_count():
    x, _, _ = tg.counting_language([5])
    x = x[0]
    count = np.cumsum(x[:, 1] - x[:, 2])
    rng = np.random.default_rng(1)
    values = rng.normal(size=(len(count), 4))
    values[:, 2] = 0.3 * count + 0.01 * rng.normal(size=len(count))
    assert tg.counter_unit(values, x) == 2
    values[:, 2] *= -1  # anti-correlated counts too
    assert tg.counter_unit(values, x) == 2
    with pytest.raises(ValueError, match=r"x must have shape \(T, D\)"):
        tg.counter_unit(values[:-1], x)
    with pytest.raises(ValueError, match="at least 3 symbols"):
        tg.counter_unit(values, x[:, :2])

