"""Arithmetic expressions modulo 7 given as trees, the reproduction of chapter 5.

The chapter "Deep and recursive networks" compares a recursive network, which
reads an expression along its tree, with an LSTM that reads the same
expression as a bracketed string, e.g. ``( ( 3 + 4 ) * 2 )``. Both are
trained on shallow expressions (depth ≤ 3) and tested on deeper ones, in the
spirit of Bowman et al. (2015). An expression is nested tuples,
``(op, left, right)`` with ``op`` one of ``+ - *`` and leaves the digits
0..6; its value is computed modulo 7.

Generators take a seed or a ``numpy.random.Generator``. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = [
    "MODULUS",
    "OPERATORS",
    "TOKENS",
    "expression_dataset",
    "evaluate",
    "majority_rates",
    "node_inputs",
    "random_expression",
    "to_tokens",
    "token_ids",
]

MODULUS = 7
"""Values live in 0..6; every operation is taken modulo 7."""

OPERATORS = ("+", "-", "*")
"""The operators, in the order of their one-hot inputs (after the seven digits)."""

TOKENS = tuple(str(d) for d in range(MODULUS)) + OPERATORS + ("(", ")")
"""The vocabulary of the bracketed strings: digits, operators, brackets (12 tokens)."""

_APPLY = {"+": lambda a, b: (a + b) % MODULUS,
          "-": lambda a, b: (a - b) % MODULUS,
          "*": lambda a, b: (a * b) % MODULUS}


def random_expression(depth: int, *, seed=0):
    """A random expression of depth exactly ``depth`` (a leaf has depth 0).

    The root's operator is uniform; one child (left or right at random) has
    depth ``depth - 1`` and the other a depth drawn uniformly from
    ``0..depth-1``; leaves are uniform over 0..6.

    Parameters
    ----------
    depth : int
        0 or more.
    seed : int or numpy.random.Generator

    Returns
    -------
    int or tuple
        A digit, or ``(op, left, right)``.
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(f"depth must be an integer ≥ 0, got {depth!r}")
    rng = as_rng(seed)

    def draw(d: int):
        if d == 0:
            return int(rng.integers(MODULUS))
        op = OPERATORS[int(rng.integers(len(OPERATORS)))]
        deep, other = draw(d - 1), draw(int(rng.integers(d)))
        return (op, deep, other) if rng.random() < 0.5 else (op, other, deep)

    return draw(int(depth))


def evaluate(expr) -> int:
    """The value of an expression modulo 7.

    Parameters
    ----------
    expr : int or tuple
        A digit 0..6 or ``(op, left, right)``.

    Returns
    -------
    int
    """
    if isinstance(expr, tuple):
        if len(expr) != 3 or expr[0] not in _APPLY:
            raise ValueError(f"expr: expected (op, left, right) with op in {OPERATORS}, "
                             f"got {expr!r}")
        return _APPLY[expr[0]](evaluate(expr[1]), evaluate(expr[2]))
    if isinstance(expr, bool) or not isinstance(expr, (int, np.integer)) or not (
            0 <= expr < MODULUS):
        raise ValueError(f"expr: a leaf must be a digit 0..{MODULUS - 1}, got {expr!r}")
    return int(expr)


def to_tokens(expr) -> list[str]:
    """The bracketed string of an expression as a list of tokens.

    ``("*", ("+", 3, 4), 2)`` becomes ``( ( 3 + 4 ) * 2 )``; a lone digit
    has no brackets.

    Parameters
    ----------
    expr : int or tuple

    Returns
    -------
    list of str
    """
    if isinstance(expr, tuple):
        return ["(", *to_tokens(expr[1]), expr[0], *to_tokens(expr[2]), ")"]
    return [str(expr)]


def token_ids(tokens) -> np.ndarray:
    """Indices of tokens in :data:`TOKENS`.

    Parameters
    ----------
    tokens : sequence of str

    Returns
    -------
    ndarray of int, shape (T,)
    """
    index = {t: i for i, t in enumerate(TOKENS)}
    try:
        return np.array([index[t] for t in tokens], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(f"tokens: {exc.args[0]!r} is not one of {TOKENS}") from None


def node_inputs(labels) -> np.ndarray:
    """One-hot inputs x_n for the nodes of an expression tree.

    A leaf's input marks its digit (columns 0..6), an internal node's its
    operator (columns 7..9).

    Parameters
    ----------
    labels : sequence
        Node labels as :func:`textbook_rnn.recursive.parse_tree` gives them.

    Returns
    -------
    ndarray, shape (n, 10)
    """
    x = np.zeros((len(labels), MODULUS + len(OPERATORS)))
    for n, label in enumerate(labels):
        col = MODULUS + OPERATORS.index(label) if label in OPERATORS else int(label)
        x[n, col] = 1.0
    return x


def expression_dataset(n: int, depths, *, seed=0) -> tuple[list, np.ndarray, np.ndarray]:
    """``n`` expressions of each depth in ``depths``, with their values.

    Parameters
    ----------
    n : int
        Expressions per depth.
    depths : sequence of int
    seed : int or numpy.random.Generator

    Returns
    -------
    exprs : list
        The expressions, depth by depth.
    values : ndarray of int, shape (n * len(depths),)
    depth : ndarray of int, shape (n * len(depths),)
    """
    n = check_positive_int("n", n)
    rng = as_rng(seed)
    exprs, depth = [], []
    for d in depths:
        exprs.extend(random_expression(int(d), seed=rng) for _ in range(n))
        depth.extend([int(d)] * n)
    values = np.array([evaluate(e) for e in exprs], dtype=np.int64)
    return exprs, values, np.array(depth, dtype=np.int64)


def majority_rates(values, depth) -> dict[int, float]:
    """Accuracy of always answering the most common value, per depth.

    Parameters
    ----------
    values, depth : ndarray of int, shape (N,)

    Returns
    -------
    dict of int to float
    """
    values, depth = np.asarray(values), np.asarray(depth)
    if values.shape != depth.shape or values.ndim != 1:
        raise ValueError(f"values and depth must be 1-d of one length, got shapes "
                         f"{values.shape} and {depth.shape}")
    return {int(d): float(np.bincount(values[depth == d], minlength=MODULUS).max()
                          / (depth == d).sum()) for d in np.unique(depth)}
