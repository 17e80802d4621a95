"""Shared test helpers.

Each section below is self-contained; keep them apart so that sections added
by different changes merge cleanly.
"""

from __future__ import annotations

import pytest

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
        assert _flat(phrase) in _flat(text), f"{phrase!r} is not in the report:\n{text}"
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
