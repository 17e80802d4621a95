"""Fixtures shared by the tests in this folder (tests/site has its own conftest.py).

The shared problems and torch references are plain functions in problems.py,
imported by name. Here: an ``rng`` fixture and the ``assert_rejected`` helper
of the checker tests. Each section is self-contained.
"""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn.checks._core import cite_equations


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with seed 0 for each test."""
    return np.random.default_rng(0)


# --------------------------------------------------------------------------
# checkers: one way to assert that a wrong implementation is rejected
# --------------------------------------------------------------------------


def _flat(text: str) -> str:
    """Undo the report's line wrapping, so that phrases can be searched."""
    return " ".join(text.split())


def _assert_rejected(checker, fn, words, *, kind=None):
    """Assert that ``checker(fn)`` fails, names the problem and gives a hint.

    Parameters
    ----------
    checker : callable
        e.g. ``checks.rnn_step``.
    fn : callable
        A wrong implementation.
    words : str or sequence of str
        Phrases the report must contain (line wrapping is ignored).
    kind : str, optional
        The kind of the first problem (``"value"``, ``"mutation"``, ...).

    Returns
    -------
    CheckResult
        For further assertions.
    """
    result = checker(fn)
    text = str(result)
    assert not result, f"a wrong implementation was accepted:\n{text}"
    assert result.status == "failed", text
    for phrase in [words] if isinstance(words, str) else words:
        # an equation named by its label is shown by its number
        phrase = cite_equations(phrase)
        assert _flat(phrase) in _flat(text), f"{phrase!r} is not in the report:\n{text}"
    assert cite_equations(text) == text, f"the report names an equation by its label:\n{text}"
    assert "Hint:" in text, text
    assert "All checks passed" not in text
    if kind is not None:
        assert result.problem.kind == kind, text
    assert str(checker(fn)) == text, "the report must be deterministic"
    return result


@pytest.fixture
def assert_rejected():
    """``assert_rejected(checker, fn, words, kind=None)``: see :func:`_assert_rejected`."""
    return _assert_rejected
