"""RNNs as directed graphical models: what the factorisation costs (chapter "Sequence modelling").

The chain rule writes any distribution over y(1..τ) as
Π_t P(y(t) | y(1), ..., y(t-1)), equation ``seq-chain``. How many numbers a
model needs to represent those conditionals depends on how it summarises
the past:

- :func:`table_parameters`: one probability table per full history (the
  fully connected graph): K^τ - 1 free numbers, exponential in τ;
- :func:`markov_parameters`: a table per history of the last n-1 symbols
  (an n-gram model);
- :func:`rnn_parameters`: the RNN's shared U, W, V, b, c: independent of τ.

Counts are exact Python integers (they overflow int64 quickly). Nothing beyond
the standard library is imported.
"""

from __future__ import annotations

from ._validate import check_positive_int

__all__ = ["table_parameters", "markov_parameters", "rnn_parameters"]


def table_parameters(K: int, tau: int) -> int:
    """Free parameters of the full conditional tables over τ steps: Σ_t K^(t-1)(K-1) = K^τ - 1.

    Step t has K^(t-1) histories, each with a distribution over K symbols
    (K - 1 free numbers).
    """
    K, tau = check_positive_int("K", K), check_positive_int("tau", tau)
    return K**tau - 1


def markov_parameters(K: int, order: int, tau: int) -> int:
    """Free parameters of an order-n Markov chain (n-gram) over τ steps, shared across time.

    The first n-1 steps keep their full tables (histories of length < n-1);
    from step n on, one shared table per context of n-1 symbols.
    """
    K, order, tau = (check_positive_int(k, v) for k, v in
                     (("K", K), ("order", order), ("tau", tau)))
    head = sum(K ** (t - 1) * (K - 1) for t in range(1, min(order, tau + 1)))
    shared = K ** (order - 1) * (K - 1) if tau >= order else 0
    return head + shared


def rnn_parameters(K: int, H: int, D: int | None = None) -> int:
    """Parameters of the RNN of equation ``rnn-a``-``rnn-o``: H(D + H + 1) + K(H + 1).

    Parameters
    ----------
    K : int
        Output symbols.
    H : int
        Hidden units.
    D : int, optional
        Input size; K by default (the previous symbol, one-hot).
    """
    K, H = check_positive_int("K", K), check_positive_int("H", H)
    D = K if D is None else check_positive_int("D", D)
    return H * (D + H + 1) + K * (H + 1)
