"""Tests of the tasks of the chapter "... attention": evidence ahead, translation, copy."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.tasks import evidence, translation


def test_evidence_labels_compare_with_the_future():
    x, y, mask = evidence.evidence_ahead(4, 10, 3, seed=0)
    assert mask[:, :7].all() and not mask[:, 7:].any()
    np.testing.assert_array_equal(y[:, :7], (x[:, :7] == x[:, 3:]).astype(int))
    x0, y0, _ = evidence.evidence_ahead(2, 5, 0, seed=1)
    assert (y0 == 1).all()
    assert evidence.masked_accuracy(y, y, mask) == 1.0
    with pytest.raises(ValueError, match="k"):
        evidence.evidence_ahead(1, 4, 4)


def test_translation_is_word_by_word_and_reversal_only_reverses_the_source():
    src, tgt = translation.translation_pairs(50, 6, seed=0)
    rsrc, rtgt = translation.translation_pairs(50, 6, seed=0, reverse=True)
    np.testing.assert_array_equal(rsrc, src[:, ::-1])
    np.testing.assert_array_equal(rtgt, tgt)
    assert (tgt[:, -1] == translation.EOS).all()
    # one dictionary: the same source word always gets the same translation
    pairs = {}
    for s, t in zip(src.ravel(), tgt[:, :-1].ravel(), strict=True):
        assert pairs.setdefault(s, t) == t


def test_copy_pairs():
    src, tgt, lengths = translation.copy_pairs(20, 2, 6, seed=3)
    assert src.shape == (20, 6) and tgt.shape == (20, 7)
    for s, t, n in zip(src, tgt, lengths, strict=True):
        assert (s[:n] >= translation.N_SPECIAL).all() and (s[n:] == translation.PAD).all()
        np.testing.assert_array_equal(t[:n], s[:n])
        assert t[n] == translation.EOS
    dec = translation.decoder_input(tgt)
    assert (dec[:, 0] == translation.BOS).all()
    np.testing.assert_array_equal(dec[:, 1:], tgt[:, :-1])
    with pytest.raises(ValueError, match="min_length"):
        translation.copy_pairs(2, 5, 3)
