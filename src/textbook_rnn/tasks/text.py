"""Text for character-level language models (chapter "Sequence modelling").

Nothing is downloaded and no text written elsewhere is shipped:

- :func:`load_text` reads CPython's own English documentation
  (``pydoc_data.topics``, about 460 KB, installed with every Python), the
  book's own chapters, or any UTF-8 file a reader points it at;
- :class:`Vocabulary` maps characters to ids and back;
- :func:`split_ids` cuts an id sequence into a training and a held-out part;
- :func:`stream_batches` cuts a long id sequence into N parallel streams and
  walks them T characters at a time, so that the state at the end of one
  chunk is the right initial state for the next (truncated BPTT with carried
  state).

Only numpy is imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._validate import check_positive_int

__all__ = ["load_text", "Vocabulary", "split_ids", "stream_batches"]

_CHAPTERS = Path(__file__).resolve().parents[3] / "chapters"


def load_text(source: str | os.PathLike = "pydoc", *, max_chars: int | None = None) -> str:
    """Return a corpus as one string.

    Parameters
    ----------
    source : str or path
        ``"pydoc"`` for CPython's documentation topics (joined in sorted order
        of their keys, so the text is the same on every run), ``"chapters"``
        for this book's chapter sources (available in a checkout), or the path
        of any UTF-8 text file.
    max_chars : int, optional
        Keep only the first ``max_chars`` characters.

    Returns
    -------
    str
    """
    if source == "pydoc":
        import pydoc_data.topics

        topics = pydoc_data.topics.topics
        text = "\n".join(topics[key] for key in sorted(topics))
    elif source == "chapters":
        files = sorted(_CHAPTERS.glob("*.md"))
        if not files:
            raise FileNotFoundError(f"no chapter sources found in {_CHAPTERS}; pass a file path")
        text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"source must be 'pydoc', 'chapters' or a text file; "
                                    f"{str(path)!r} is not a file")
        text = path.read_text(encoding="utf-8")
    else:
        raise TypeError(f"source must be a string or a path, got {type(source).__name__}")
    if max_chars is not None:
        text = text[: check_positive_int("max_chars", max_chars)]
    if not text:
        raise ValueError("the corpus is empty")
    return text


class Vocabulary:
    """The set of characters of a text, with ids in sorted order.

    Parameters
    ----------
    text : str
        Every character that may be encoded must occur in it.

    Attributes
    ----------
    chars : tuple of str
        The characters, sorted; ``chars[i]`` has id ``i``.
    K : int
        The vocabulary size.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        self.chars = tuple(sorted(set(text)))
        self.K = len(self.chars)
        self._index = {ch: i for i, ch in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``, an int64 array of shape (len(text),)."""
        try:
            return np.fromiter((self._index[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError as err:
            raise ValueError(f"character {err.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        """The text whose character ids are ``ids`` (any iterable of ints in 0..K-1)."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and (ids.min() < 0 or ids.max() >= self.K)):
            raise ValueError(f"ids must be a 1-D array of ids in 0..{self.K - 1}")
        return "".join(self.chars[i] for i in ids)

    def __repr__(self) -> str:
        return f"Vocabulary(K={self.K})"


def split_ids(ids, held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split a sequence into its first ``1 - held_out`` part and the rest (no shuffling).

    A language model is judged on text it was not trained on; the held-out
    part is the end of the corpus, so no training window overlaps it.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D integer array, got {ids.dtype} {ids.shape}")
    if not 0.0 < float(held_out) < 1.0:
        raise ValueError(f"held_out must lie strictly between 0 and 1, got {held_out}")
    cut = int(round(len(ids) * (1.0 - float(held_out))))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"{len(ids)} ids are too few to split with held_out={held_out}")
    return ids[:cut], ids[cut:]


def stream_batches(ids, N: int, T: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Walk N parallel streams through ``ids``, T characters at a time.

    The sequence is cut into N equal, contiguous streams. Chunk j of stream n
    holds characters ``n·L + j·T .. n·L + (j+1)·T`` as inputs and the next
    character at each position as targets, so the hidden state left by chunk
    j is the correct start for chunk j+1 of the same stream.

    Parameters
    ----------
    ids : ndarray of int, shape (M,)
    N : int
        Number of streams (the batch size).
    T : int
        Characters per chunk (the truncation length).

    Yields
    ------
    x : ndarray of int64, shape (N, T)
        Input ids.
    y : ndarray of int64, shape (N, T)
        Target ids: the character after each input.
    """
    ids = np.asarray(ids)
    N, T = check_positive_int("N", N), check_positive_int("T", T)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D integer array, got {ids.dtype} {ids.shape}")
    L = (len(ids) - 1) // N  # characters per stream, one spare for the last target
    chunks = L // T
    if chunks < 1:
        raise ValueError(f"{len(ids)} ids are too few for N={N} streams of T={T} characters")
    starts = np.arange(N)[:, None] * L  # (N, 1)
    for j in range(chunks):
        pos = starts + j * T + np.arange(T)  # (N, T)
        yield ids[pos].astype(np.int64), ids[pos + 1].astype(np.int64)
