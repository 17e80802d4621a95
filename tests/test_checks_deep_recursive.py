"""Tests of textbook_rnn.checks.deep_recursive.

The checkers of the chapter "Deep and recursive networks":
they reject wrong code and accept right code.

Every wrong implementation is written out independently of the checker's own
list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np

from textbook_rnn import checks


def right(x, W):
    return np.tanh(np.einsum("ntd,hd->nth", x, W))


def no_tanh(x, W):
    return x @ W.T


def transposed(x, W):
    return np.tanh(x @ W)


def in_place(x, W):
    x *= 1.0
    x[...] = 0.0
    return np.tanh(x @ W.T)


def stub(x, W):
    raise NotImplementedError("Not implemented yet.")


def test_the_right_answer_passes():
    result = checks.deep_recursive_example(right)
    assert result, str(result)
    assert result.status == "passed"


def test_a_missing_tanh_is_named():
    result = checks.deep_recursive_example(no_tanh)
    assert not result
    assert "tanh is missing" in str(result)


def test_a_transposed_weight_is_rejected():
    assert not checks.deep_recursive_example(transposed)


def test_writing_into_an_argument_is_reported():
    result = checks.deep_recursive_example(in_place)
    assert not result
    assert "modified its argument x" in str(result)


def test_the_stub_is_not_implemented_and_nothing_raises():
    result = checks.deep_recursive_example(stub)
    assert not result
    assert result.status == "not implemented"
    assert not checks.deep_recursive_example(None)
