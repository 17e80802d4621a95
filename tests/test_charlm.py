"""textbook_rnn.charlm: the numpy character-level language model."""

import math

import numpy as np
import pytest

from textbook_rnn import charlm
from textbook_rnn.rnn import init_params, rnn_sequence, softmax
from textbook_rnn.tasks.text import Vocabulary


def test_one_hot():
    np.testing.assert_array_equal(charlm.one_hot(np.array([[2, 0]]), 3),
                                  [[[0, 0, 1], [1, 0, 0]]])
    with pytest.raises(ValueError, match="0..2"):
        charlm.one_hot(np.array([3]), 3)


def test_hello_is_learnt():
    """The four-letter example: after 'l' the model must use its state to choose 'l' or 'o'."""
    v = Vocabulary("helo")
    ids = v.encode("hello" * 100)
    params, curve = charlm.train_char_rnn(ids, v.K, H=8, T=5, N=4, epochs=20, lr=1e-2,
                                          seed=0, evals=4)
    assert curve.train_bits[-1] < 0.05 < curve.train_bits[0]
    assert charlm.sample_text(params, v, "h", 14, temperature=0.5, seed=0) == "hellohellohello"


def test_held_out_bits_matches_a_direct_computation():
    K = 5
    params = init_params(K, 6, K, seed=1)
    ids = np.random.default_rng(0).integers(0, K, size=41)
    got = charlm.held_out_bits(params, ids, K, N=2, T=5)
    # two streams of 20 characters, read from a zero state in one go
    L = 20
    total = 0.0
    for n in range(2):
        seg = ids[n * L : n * L + L + 1]
        _, o = rnn_sequence(charlm.one_hot(seg[None, :-1], K), params)
        p = softmax(o[0])
        total -= np.log(p[np.arange(L), seg[1:]]).sum()
    assert got == pytest.approx(total / (2 * L * math.log(2)), rel=1e-12)


def test_step_matches_the_sequence_forward_and_sampling_is_seeded():
    K = 4
    params = init_params(K, 3, K, seed=2)
    ids = np.array([[0, 3, 1, 2]])
    _, o = rnn_sequence(charlm.one_hot(ids, K), params)
    step, h = charlm.char_step(params), np.zeros((1, 3))
    for t in range(4):
        h, o_t = step(h, ids[:, t])
        np.testing.assert_allclose(o_t, o[:, t], rtol=1e-12)
    v = Vocabulary("abcd")
    a = charlm.sample_text(params, v, "ab", 30, temperature=1.3, seed=4)
    assert a == charlm.sample_text(params, v, "ab", 30, temperature=1.3, seed=4)
    assert a.startswith("ab") and len(a) == 32
    with pytest.raises(ValueError, match="prime"):
        charlm.sample_text(params, v, "", 3)
