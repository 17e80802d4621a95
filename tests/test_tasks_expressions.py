"""Tests of textbook_rnn.tasks.expressions: expressions modulo 7 as trees and strings."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import recursive
from textbook_rnn.tasks import expressions as ex


def test_evaluate_by_hand():
    assert ex.evaluate(("*", ("+", 3, 4), 2)) == 0          # 7 * 2 = 14 = 0 mod 7
    assert ex.evaluate(("-", 2, 5)) == 4                    # -3 = 4 mod 7
    assert ex.evaluate(("*", ("-", 6, 2), ("+", 5, 5))) == 5  # 4 * 10 = 40 = 5 mod 7
    assert ex.evaluate(6) == 6


@pytest.mark.parametrize("bad", [7, -1, 2.5, ("/", 1, 2), ("+", 1), True])
def test_evaluate_rejects_what_is_not_an_expression(bad):
    with pytest.raises(ValueError, match="expr"):
        ex.evaluate(bad)


def test_to_tokens_brackets_every_operation():
    assert " ".join(ex.to_tokens(("*", ("+", 3, 4), 2))) == "( ( 3 + 4 ) * 2 )"
    assert ex.to_tokens(5) == ["5"]
    np.testing.assert_array_equal(ex.token_ids(["(", "3", "+", "4", ")"]), [10, 3, 7, 4, 11])
    with pytest.raises(ValueError, match="tokens"):
        ex.token_ids(["8"])


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 6])
def test_random_expressions_have_the_exact_depth(depth):
    rng = np.random.default_rng(depth)
    for _ in range(20):
        tree = recursive.parse_tree(ex.random_expression(depth, seed=rng))
        assert recursive.tree_depth(tree) == depth


def test_random_expression_is_seeded_and_checks_depth():
    assert ex.random_expression(4, seed=3) == ex.random_expression(4, seed=3)
    with pytest.raises(ValueError, match="depth"):
        ex.random_expression(-1)


def test_node_inputs_are_one_hot_digits_and_operators():
    tree = recursive.parse_tree(("-", 3, 0))
    x = ex.node_inputs(tree.labels)
    assert x.shape == (3, 10)
    np.testing.assert_array_equal(x.argmax(axis=1), [3, 0, 8])
    np.testing.assert_array_equal(x.sum(axis=1), 1.0)


def test_dataset_and_majority_rates():
    exprs, values, depth = ex.expression_dataset(200, [1, 4], seed=0)
    assert len(exprs) == values.size == depth.size == 400
    assert values.min() >= 0 and values.max() <= 6
    assert all(ex.evaluate(e) == v for e, v in zip(exprs, values, strict=True))
    rates = ex.majority_rates(values, depth)
    assert set(rates) == {1, 4}
    for d, rate in rates.items():
        assert rate == np.bincount(values[depth == d]).max() / 200
        assert 1 / 7 <= rate < 0.5
    with pytest.raises(ValueError, match="values and depth"):
        ex.majority_rates(values, depth[:-1])


def test_phrase_sentences_mark_modifier_noun_pairs():
    from textbook_rnn.tasks import phrase_sentences

    sents, gold = phrase_sentences(50, seed=0)
    assert len(sents) == len(gold) == 50
    for s, g in zip(sents, gold, strict=True):
        assert g.shape == (s.size - 1,) and g.any()
        for i in np.flatnonzero(g):
            assert s[i] < 4 <= s[i + 1]
        # a modifier is always followed by its noun
        for i in np.flatnonzero(s < 4):
            assert g[i]
    with pytest.raises(ValueError, match="p_pair"):
        phrase_sentences(3, p_pair=0.0)
