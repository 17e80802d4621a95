"""Token sequences for encoder-decoder networks: a translation-like task and the copy task.

Sections *Encoder-decoder networks* and *Attention* of ``chapters/04_attention.md``.
Every sequence uses one vocabulary of integer tokens: ``PAD`` (0) fills the
end of short sequences, ``BOS`` (1) starts the decoder's input, ``EOS`` (2)
ends a target, and the ``n_symbols`` content tokens are 3, 4, ...

- :func:`translation_pairs`: a made-up language pair. Each source word has one
  translation (a fixed random dictionary); the target is the source translated
  word by word, so the first target word depends on the first source word.
  Reversing the source puts these words next to each other in time
  (Sutskever et al., 2014).
- :func:`copy_pairs`: the target is the source itself, of a random length,
  the task on which attention's advantage over a fixed-size context grows
  with the length (Bahdanau et al., 2015).

Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["PAD", "BOS", "EOS", "N_SPECIAL", "copy_pairs", "translation_pairs",
           "decoder_input"]

PAD, BOS, EOS = 0, 1, 2
#: The tokens below this are special; content tokens start here.
N_SPECIAL = 3


def translation_pairs(n: int, length: int, *, n_symbols: int = 20, reverse: bool = False,
                      seed=0, language_seed: int = 1234):
    """Source sentences and their word-by-word translations (section *Encoder-decoder*).

    Parameters
    ----------
    n : int
        Number of pairs N.
    length : int
        Words per sentence L (source and target alike).
    n_symbols : int
        Words in each language.
    reverse : bool
        Give the source in reversed order (the target keeps its order).
    seed : int or numpy.random.Generator
        Draws the sentences.
    language_seed : int
        Draws the dictionary; the same for every batch, so that there is
        one language pair to learn.

    Returns
    -------
    src : ndarray of int, shape (N, L)
        Source tokens (content tokens only, no padding).
    tgt : ndarray of int, shape (N, L + 1)
        The translation followed by ``EOS``.
    """
    n = check_positive_int("n", n)
    length = check_positive_int("length", length)
    n_symbols = check_positive_int("n_symbols", n_symbols)
    dictionary = np.random.default_rng(language_seed).permutation(n_symbols)
    words = as_rng(seed).integers(0, n_symbols, size=(n, length))
    src = words + N_SPECIAL
    tgt = np.concatenate([dictionary[words] + N_SPECIAL, np.full((n, 1), EOS)], axis=1)
    return (src[:, ::-1].copy() if reverse else src), tgt


def copy_pairs(n: int, min_length: int, max_length: int, *, n_symbols: int = 20, seed=0,
               lengths=None):
    """Random sequences of random lengths and their copies (section *Attention*).

    Parameters
    ----------
    n : int
        Number of pairs N.
    min_length, max_length : int
        The range of lengths, both included.
    n_symbols : int
        Content tokens.
    seed : int or numpy.random.Generator
    lengths : ndarray of int, shape (N,), optional
        Use these lengths instead of drawing them.

    Returns
    -------
    src : ndarray of int, shape (N, max_length)
        Sources, padded with ``PAD``.
    tgt : ndarray of int, shape (N, max_length + 1)
        The copies followed by ``EOS``, padded with ``PAD``.
    lengths : ndarray of int, shape (N,)
        The source lengths.
    """
    n = check_positive_int("n", n)
    min_length = check_positive_int("min_length", min_length)
    max_length = check_positive_int("max_length", max_length)
    if min_length > max_length:
        raise ValueError(f"min_length must not exceed max_length, got {min_length} > "
                         f"{max_length}")
    rng = as_rng(seed)
    if lengths is None:
        lengths = rng.integers(min_length, max_length + 1, size=n)
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.shape != (n,) or lengths.min() < 1 or lengths.max() > max_length:
        raise ValueError(f"lengths must have shape ({n},) with entries in 1 .. {max_length}")
    tokens = rng.integers(0, n_symbols, size=(n, max_length)) + N_SPECIAL
    keep = np.arange(max_length)[None, :] < lengths[:, None]
    src = np.where(keep, tokens, PAD)
    tgt = np.full((n, max_length + 1), PAD)
    tgt[:, :max_length] = src
    tgt[np.arange(n), lengths] = EOS
    return src, tgt, lengths


def decoder_input(tgt) -> np.ndarray:
    """The decoder's input under teacher forcing: ``BOS`` then the target shifted right.

    Parameters
    ----------
    tgt : ndarray of int, shape (N, T)

    Returns
    -------
    ndarray of int, shape (N, T)
    """
    tgt = np.asarray(tgt)
    return np.concatenate([np.full((tgt.shape[0], 1), BOS), tgt[:, :-1]], axis=1)
