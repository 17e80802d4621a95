"""Sentences of two-word phrases, whose known brackets a merge score can learn.

Chapter 5 ("Deep and recursive networks"), section *Fixed or learned
structure*. A sentence is a run of 3 to 5 phrases; a phrase is either a
modifier followed by a noun (symbols ``0..3`` then ``4..7``), which the known
tree brackets together, or a lone noun. Greedy merging with a learned score
(:func:`textbook_rnn.recursive.fit_merge_score`) should learn to merge each
modifier with the noun after it first.

Generators take a seed or a ``numpy.random.Generator``. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["N_SYMBOLS", "phrase_sentences"]

N_SYMBOLS = 8
"""Symbols 0..3 are modifiers, 4..7 nouns."""


def phrase_sentences(n: int, *, p_pair: float = 0.6, seed=0):
    """Draw ``n`` sentences with the positions of their two-word phrases.

    Parameters
    ----------
    n : int
        Number of sentences.
    p_pair : float
        Probability that a phrase is a modifier-noun pair (else a lone noun).
    seed : int or numpy.random.Generator

    Returns
    -------
    sentences : list of ndarray of int, shape (m_k,)
        The symbols of each sentence.
    gold : list of ndarray of bool, shape (m_k - 1,)
        ``gold[k][i]`` is True when symbols ``i`` and ``i + 1`` of sentence
        ``k`` form a phrase. Every sentence has at least one.
    """
    n = check_positive_int("n", n)
    if not 0 < p_pair <= 1:
        raise ValueError(f"p_pair must lie in (0, 1], got {p_pair}")
    rng = as_rng(seed)
    sentences, gold = [], []
    while len(sentences) < n:
        symbols, starts = [], []
        for _ in range(int(rng.integers(3, 6))):
            if rng.random() < p_pair:
                starts.append(len(symbols))
                symbols += [int(rng.integers(4)), 4 + int(rng.integers(4))]
            else:
                symbols.append(4 + int(rng.integers(4)))
        if not starts:
            continue
        mask = np.zeros(len(symbols) - 1, dtype=bool)
        mask[starts] = True
        sentences.append(np.array(symbols))
        gold.append(mask)
    return sentences, gold
