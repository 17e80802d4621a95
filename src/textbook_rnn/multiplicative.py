"""Multiplicative modules: a transition matrix chosen by the input (chapter "... attention").

The numpy core of section *Multiplicative modules* of ``chapters/04_attention.md``.
An additive RNN adds the input's contribution to that of the state,
``a_t = W h_{t-1} + U x_t + b``; a multiplicative one lets the input pick
the matrix that acts on the state::

    h_t = φ(W^{(x_t)} h_{t-1} + b),   W^{(x)} = Σ_k x_k W_k           (mult-rnn)

with one matrix ``W_k`` per input symbol (x one-hot), or, with fewer
parameters, the factored form W^{(x)} = W_hf diag(W_fx x) W_fh of Sutskever,
Martens and Hinton (2011) (:func:`factored_transition`).

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, float_dtype

__all__ = ["multiplicative_forward", "factored_transition", "swap_transitions",
           "least_squares_additive_accuracy"]


def multiplicative_forward(x, h0, W, b=None, phi=None) -> np.ndarray:
    """Run the multiplicative recurrence ``mult-rnn`` over sequences of one-hot inputs.

    Parameters
    ----------
    x : ndarray, shape (N, T, K)
        Inputs (one-hot, or any weights of the K matrices).
    h0 : ndarray, shape (N, H)
    W : ndarray, shape (K, H, H)
        One transition matrix per input symbol.
    b : ndarray, shape (H,), optional
        Bias (zero by default).
    phi : callable, optional
        Elementwise nonlinearity; None (the default) keeps the recurrence linear.

    Returns
    -------
    ndarray, shape (N, T, H)
        h_1 ... h_T.
    """
    s = Shapes()
    x = s.array("x", x, ("N", "T", "K"))
    h0 = s.array("h0", h0, ("N", "H"))
    W = s.array("W", W, ("K", "H", "H"))
    b = np.zeros(W.shape[1]) if b is None else s.array("b", b, ("H",))
    dt = float_dtype(x, h0, W, b)
    h = np.empty(x.shape[:2] + (W.shape[1],), dtype=dt)
    h_prev = h0.astype(dt)
    for t in range(x.shape[1]):
        # W^{(x_t)} = Σ_k x_tk W_k, one matrix per example: (N, H, H)
        W_t = np.einsum("nk,kij->nij", x[:, t], W)
        a = np.einsum("nij,nj->ni", W_t, h_prev) + b  # (N, H)
        h_prev = a if phi is None else phi(a)
        h[:, t] = h_prev
    return h


def factored_transition(x, W_fh, W_fx, W_hf) -> np.ndarray:
    """W^{(x)} = W_hf diag(W_fx x) W_fh for each input row of ``x`` (N, K); shape (N, H, H).

    Parameters
    ----------
    x : ndarray, shape (N, K)
    W_fh : ndarray, shape (F, H)
    W_fx : ndarray, shape (F, K)
    W_hf : ndarray, shape (H, F)
    """
    s = Shapes()
    x = s.array("x", x, ("N", "K"))
    W_fh = s.array("W_fh", W_fh, ("F", "H"))
    W_fx = s.array("W_fx", W_fx, ("F", "K"))
    W_hf = s.array("W_hf", W_hf, ("H", "F"))
    gains = x @ W_fx.T  # (N, F): the input sets a gain on each factor
    return np.einsum("hf,nf,fj->nhj", W_hf, gains, W_fh)


def swap_transitions(n_cups: int = 3) -> np.ndarray:
    """The exact weights of ``mult-rnn`` for the swap task: W_s permutes cups s and s + 1.

    Returns
    -------
    ndarray, shape (n_cups - 1, n_cups, n_cups)
    """
    W = np.stack([np.eye(n_cups) for _ in range(n_cups - 1)])
    for s in range(n_cups - 1):
        W[s][[s, s + 1]] = W[s][[s + 1, s]]
    return W


def least_squares_additive_accuracy(x, y, n_symbols: int, n_classes: int) -> float:
    """Accuracy of an *additive linear* model fitted to (x, y) by least squares.

    An additive linear RNN, h_t = W h_{t-1} + U x_t + b, ends in
    h_T = Σ_t W^{T-t} U x_t + const: a linear function of the one-hot inputs,
    with a separate matrix for each step. This fits the most general such
    function, ``o = Σ_t A_t x_t + c``, to the one-hot answers by least squares
    and scores it by the arg-max. Least squares does not maximise accuracy, so
    this is a reference point for additive linear RNNs with a linear read-out,
    not an upper bound on what they can reach.

    Parameters
    ----------
    x : ndarray of int, shape (N, T)
        Symbols in ``0 .. n_symbols - 1``.
    y : ndarray of int, shape (N,)
        Classes in ``0 .. n_classes - 1``.
    n_symbols, n_classes : int

    Returns
    -------
    float
    """
    x, y = np.asarray(x), np.asarray(y)
    N, T = x.shape
    features = np.concatenate([np.eye(n_symbols)[x].reshape(N, T * n_symbols),
                               np.ones((N, 1))], axis=1)
    targets = np.eye(n_classes)[y]
    coef, *_ = np.linalg.lstsq(features, targets, rcond=None)
    return float(((features @ coef).argmax(axis=1) == y).mean())
