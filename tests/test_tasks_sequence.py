"""textbook_rnn.tasks.lengths and tasks.captions: the toy data of chapter "Sequence modelling"."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn.tasks import captions, lengths


def test_length_prior_is_a_bimodal_distribution():
    p = lengths.length_prior(12)
    assert p.shape == (12,) and np.isclose(p.sum(), 1.0) and np.all(p > 0)
    # two local maxima, one in each half
    peaks = [t for t in range(1, 11) if p[t] > p[t - 1] and p[t] > p[t + 1]]
    assert len(peaks) == 2 and peaks[0] < 6 <= peaks[1]


def test_sequences_follow_the_prior_and_the_cycle():
    y, tau = lengths.variable_length_sequences(20000, T_max=12, stay=1.0, seed=3)
    counts = np.bincount(tau - 1, minlength=12) / tau.size
    np.testing.assert_allclose(counts, lengths.length_prior(12), atol=0.01)
    # stay=1: every next symbol is the successor in the cycle, zeros after the end
    for row, t in zip(y[:50], tau[:50], strict=True):
        np.testing.assert_array_equal(np.diff(row[:t]) % 3, np.ones(t - 1) % 3)
        assert np.all(row[t:] == 0)


def test_sequences_are_deterministic_given_a_seed():
    a = lengths.variable_length_sequences(30, seed=7)
    b = lengths.variable_length_sequences(30, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("kwargs", [dict(T_max=1), dict(stay=1.5), dict(T_max=0)])
def test_length_task_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        lengths.variable_length_sequences(5, **kwargs)


def test_draw_image_puts_the_shape_where_it_says():
    img = captions.draw_image("cross", "bottom", "dim", column=4)
    assert img.shape == (8, 8)
    assert img[:5].sum() == 0 and np.isclose(img.max(), 0.5)
    np.testing.assert_array_equal(img[5:8, 4:7] > 0, [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    with pytest.raises(ValueError, match="shape"):
        captions.draw_image("circle", "top", "dim")
    with pytest.raises(ValueError, match="column"):
        captions.draw_image("bar", "top", "dim", column=6)


def test_every_generated_caption_describes_its_image():
    images, caps, attrs = captions.caption_task(300, seed=0)
    assert images.shape == (300, 64) and caps.shape == (300, captions.CAPTION_LENGTH)
    assert captions.describes(caps, attrs).all()
    said = [captions.decode_caption(c) for c in caps]
    assert any(len(s.split()) == 5 for s in said) and any(len(s.split()) == 4 for s in said)


def test_describes_rejects_wrong_sentences():
    attrs = np.array([[0, 0, 1]] * 4)  # square, top, bright
    ids = {w: i for i, w in enumerate(captions.CAPTION_WORDS)}

    def sentence(*words):
        row = [ids[w] for w in words] + [0] * (captions.CAPTION_LENGTH - len(words))
        return row[: captions.CAPTION_LENGTH]

    caps = np.array([sentence("a", "bright", "square", "at", "top"),
                     sentence("a", "dim", "square", "at", "top"),       # wrong shade
                     sentence("a", "square", "square", "at", "top"),    # repeated word
                     sentence("a", "bright", "square", "at", "top", "top")])  # no <end>
    np.testing.assert_array_equal(captions.describes(caps, attrs), [True, False, False, False])


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 2**16))
def test_caption_task_shapes_for_any_n(n, seed):
    images, caps, attrs = captions.caption_task(n, seed=seed, noise=0.0)
    assert images.shape == (n, 64) and caps.shape == (n, 6) and attrs.shape == (n, 3)
    assert set(np.unique(images)) <= {0.0, 0.5, 1.0}
    assert captions.describes(caps, attrs).all()


@pytest.mark.parametrize("kwargs", [dict(noise=-1.0), dict(p_shade=2.0)])
def test_caption_task_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        captions.caption_task(3, **kwargs)
