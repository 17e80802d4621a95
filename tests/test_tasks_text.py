"""textbook_rnn.tasks.text: corpora, vocabulary, splits and carried-state streams."""

import numpy as np
import pytest

from textbook_rnn.tasks import text


def test_pydoc_corpus_is_the_same_every_time():
    a = text.load_text("pydoc", max_chars=5000)
    assert a == text.load_text("pydoc", max_chars=5000)
    assert len(a) == 5000


def test_any_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello hello", encoding="utf-8")
    assert text.load_text(path) == "hello hello"
    with pytest.raises(FileNotFoundError, match="not a file"):
        text.load_text(tmp_path / "missing.txt")
    with pytest.raises(TypeError, match="source"):
        text.load_text(3)


def test_vocabulary_round_trip():
    v = text.Vocabulary("hello")
    assert v.chars == ("e", "h", "l", "o") and v.K == 4
    ids = v.encode("hell")
    np.testing.assert_array_equal(ids, [1, 0, 2, 2])
    assert v.decode(ids) == "hell"
    with pytest.raises(ValueError, match="'z'"):
        v.encode("z")
    with pytest.raises(ValueError, match="ids"):
        v.decode([4])


def test_split_keeps_order():
    ids = np.arange(100)
    train, held = text.split_ids(ids, 0.2)
    np.testing.assert_array_equal(np.concatenate([train, held]), ids)
    assert len(held) == 20
    with pytest.raises(ValueError, match="held_out"):
        text.split_ids(ids, 1.0)


def test_streams_continue_across_chunks():
    ids = np.arange(103)
    chunks = list(text.stream_batches(ids, N=4, T=5))
    L = 102 // 4
    assert len(chunks) == L // 5
    x0, y0 = chunks[0]
    x1, _ = chunks[1]
    np.testing.assert_array_equal(x0[:, 0], np.arange(4) * L)
    np.testing.assert_array_equal(y0, x0 + 1)  # targets are the next character
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # chunk 2 continues chunk 1
    with pytest.raises(ValueError, match="too few"):
        list(text.stream_batches(np.arange(10), N=4, T=5))
