"""Back-propagation through time for the vanilla RNN (chapter 2).

The backward halves of :mod:`textbook_rnn.rnn`, as forward/backward pairs
with caches. In the book's column-vector notation (chapter 2, equations
``bptt-do`` to ``bptt-dU``)::

    ∇_{o_t} L   = ŷ_t - e_{y_t}                                   (bptt-do)
    ∇_{h_τ} L   = Vᵀ ∇_{o_τ} L                                    (bptt-dh-tau)
    ∇_{h_t} L   = Wᵀ diag(1 - h_{t+1}²) ∇_{h_{t+1}} L + Vᵀ ∇_{o_t} L   (bptt-dh-t)
    ∇_c L = Σ_t ∇_{o_t} L,     ∇_V L = Σ_t ∇_{o_t} L h_tᵀ               (bptt-dc, bptt-dV)
    ∇_b L = Σ_t diag(1 - h_t²) ∇_{h_t} L                                 (bptt-db)
    ∇_W L = Σ_t diag(1 - h_t²) ∇_{h_t} L h_{t-1}ᵀ                        (bptt-dW)
    ∇_U L = Σ_t diag(1 - h_t²) ∇_{h_t} L x_tᵀ                            (bptt-dU)

In code each example is a row, so ``diag(1 - h²) g`` is ``(1 - h**2) * g``
and the outer products summed over the batch are ``da.T @ h_prev``. The loss
is averaged over the batch, which puts a factor 1/N into ∇_o.

Truncated BPTT (chapter 2, *Truncation*) splits the sequence into chunks of
``k`` steps, carries the hidden state forward across chunk boundaries but
stops the gradient there.

**One return order for every backward function of the package.** A
``*_backward(dout, cache)`` returns the gradients of its forward function's
arguments, in the order of those arguments, each named ``d`` + the
argument's name: ``rnn_step_forward(x_t, h_prev, U, W, b)`` goes with
``rnn_step_backward -> (dx_t, dh_prev, dU, dW, db)``, ``rnn_forward(x, h0,
U, W, b)`` with ``rnn_backward -> (dx, dh0, dU, dW, db)``,
``output_forward(h, V, c)`` with ``output_backward -> (dh, dV, dc)``.

Every public function checks its arguments once and then calls the
unchecked kernels below (``_hidden_gradients``, ``_rnn_backward``,
``_loss_and_grads``), which :mod:`textbook_rnn.bptt_analysis` and
:mod:`textbook_rnn.clip_training` share (chapter 9's regulariser gets its
δ_t from ``bptt_analysis.state_gradients``): the recursion ``bptt-dh-t`` is
written once, here.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, check_positive_int
from .rnn import (
    _check_logits_and_targets,
    _check_rnn_args,
    _check_targets,
    _log_softmax,
    _readout,
    _recurrence,
    _sequence_nll,
)

__all__ = [
    "rnn_step_backward",
    "rnn_backward",
    "output_backward",
    "sequence_nll_backward",
    "rnn_loss_and_grads",
    "truncated_bptt",
]


def rnn_step_backward(dh_t, cache):
    """Backward pass of one step h_t = tanh(W h_{t-1} + U x_t + b).

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t (everything that reaches h_t).
    cache : tuple
        From :func:`textbook_rnn.rnn.rnn_step_forward`: ``(x_t, h_prev, h_t, U, W)``.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    dU : ndarray, shape (H, D)
    dW : ndarray, shape (H, H)
    db : ndarray, shape (H,)
        In the order of the arguments of ``rnn_step_forward(x_t, h_prev, U, W, b)``;
        the weight gradients are summed over the batch.
    """
    x_t, h_prev, h_t, U, W = cache
    dh_t = Shapes(N=h_t.shape[0], H=h_t.shape[1]).array("dh_t", dh_t, ("N", "H"))
    # ∂h/∂a = 1 - tanh(a)² = 1 - h²: the tanh derivative, read off the output
    da = dh_t * (1.0 - h_t**2)  # (N, H)
    # a_t = b + W h_{t-1} + U x_t, so each weight's gradient is an outer product
    dU = da.T @ x_t  # (H, D)
    dW = da.T @ h_prev  # (H, H)
    db = da.sum(axis=0)  # (H,)
    dx_t = da @ U  # (N, D)
    dh_prev = da @ W  # (N, H): Wᵀ da for column vectors
    return dx_t, dh_prev, dU, dW, db


def _hidden_gradients(dh, h, W, dphi, link_weights=None):
    """The recursion ``bptt-dh-t``, unchecked: ∇_{h_t} L for every t, going back in time.

    The one loop of the package that carries a gradient back through the
    recurrence h_t = φ(b + W h_{t-1} + U x_t).

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Gradient reaching each h_t directly from the output at that step
        (Vᵀ ∇_{o_t} L); what arrives from h_{t+1} is added here.
    h : ndarray, shape (N, T, H)
        Hidden states h_1 ... h_T.
    W : ndarray, shape (H, H)
        Recurrent weights.
    dphi : ndarray, shape (N, T, H)
        φ'(a_t) for every step, e.g. 1 - h² for tanh.
    link_weights : ndarray, shape (T,), optional
        ``link_weights[t]`` multiplies the gradient crossing the link
        h_{t-1} → h_t (section *Truncation*); all ones (the default) is exact BPTT.

    Returns
    -------
    dh_total : ndarray, shape (N, T, H)
        ∇_{h_t} L, everything that reaches h_t.
    da : ndarray, shape (N, T, H)
        ∇_{a_t} L = diag(φ'(a_t)) ∇_{h_t} L.
    dh0 : ndarray, shape (N, H)
        What reaches h_0.
    """
    N, T, H = h.shape
    if link_weights is None:
        link_weights = np.ones(T, dtype=h.dtype)
    dh_total = np.empty_like(h)  # ∇_{h_t} L for every t
    da = np.empty_like(h)  # ∇_{a_t} L for every t
    dh_next = np.zeros((N, H), dtype=h.dtype)  # what reaches h_t from h_{t+1}
    for t in reversed(range(T)):
        # ∇_{h_t} L = (from o_t) + (from h_{t+1})
        dh_total[:, t] = dh[:, t] + dh_next
        # ∇_{a_t} L = diag(φ'(a_t)) ∇_{h_t} L
        da[:, t] = dh_total[:, t] * dphi[:, t]
        # Wᵀ ∇_{a_t} L goes on to h_{t-1}, scaled by the link's weight
        dh_next = link_weights[t] * (da[:, t] @ W)  # (N, H)
    return dh_total, da, dh_next


def rnn_backward(dh, cache):
    """BPTT through the recurrence, equations ``bptt-dh-t`` to ``bptt-dU``.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Gradient of the loss with respect to each h_t *from the outputs only*
        (Vᵀ ∇_{o_t} L); the recurrent part is added here, going back in time.
    cache : tuple
        From :func:`textbook_rnn.rnn.rnn_forward`: ``(x, h0, h, U, W)``.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dU : ndarray, shape (H, D)
    dW : ndarray, shape (H, H)
    db : ndarray, shape (H,)
        In the order of the arguments of ``rnn_forward(x, h0, U, W, b)``.
    """
    x, h0, h, U, W = cache
    N, T, H = h.shape
    dh = Shapes(N=N, T=T, H=H).array("dh", dh, ("N", "T", "H"))
    return _rnn_backward(dh, x, h0, h, U, W)


def _rnn_backward(dh, x, h0, h, U, W, link_weights=None):
    """The body of :func:`rnn_backward`, unchecked; ``link_weights`` as in ``_hidden_gradients``."""
    N, T, H = h.shape
    D = x.shape[2]
    # Only the recursion for ∇h is sequential; it stores da_t = diag(1 - h_t²) ∇_{h_t} L
    # for every t. The parameter gradients are then sums over t of outer products,
    # which one matrix product over all N·T rows computes at once.
    _, da, dh0 = _hidden_gradients(dh, h, W, 1.0 - h**2, link_weights)
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # h_{t-1} for every t
    da_rows = da.reshape(N * T, H)
    # ∇_U L = Σ_t da_t x_tᵀ,  ∇_W L = Σ_t da_t h_{t-1}ᵀ,  ∇_b L = Σ_t da_t
    dU = da_rows.T @ x.reshape(N * T, D)  # (H, D)
    dW = da_rows.T @ h_prev.reshape(N * T, H)  # (H, H)
    db = da_rows.sum(axis=0)  # (H,)
    dx = da @ U  # (N, T, D)
    return dx, dh0, dU, dW, db


def output_backward(do, cache):
    """Backward pass of o_t = c + V h_t at every step (``bptt-dc``, ``bptt-dV``).

    Parameters
    ----------
    do : ndarray, shape (N, T, K)
    cache : tuple
        From :func:`textbook_rnn.rnn.output_forward`: ``(h, V)``.

    Returns
    -------
    dh : ndarray, shape (N, T, H)
    dV : ndarray, shape (K, H)
    dc : ndarray, shape (K,)
        In the order of the arguments of ``output_forward(h, V, c)``.
    """
    h, V = cache
    N, T, H = h.shape
    do = Shapes(N=N, T=T, K=V.shape[0]).array("do", do, ("N", "T", "K"))
    return _output_backward(do, h, V)


def _output_backward(do, h, V):
    """The body of :func:`output_backward`, unchecked."""
    N, T, K = do.shape
    H = h.shape[2]
    dh = do @ V  # (N, T, H): Vᵀ ∇_{o_t} L for every t
    dV = do.reshape(N * T, K).T @ h.reshape(N * T, H)  # Σ_n Σ_t ∇_{o_t} L h_tᵀ, (K, H)
    dc = do.sum(axis=(0, 1))  # Σ_n Σ_t ∇_{o_t} L, (K,)
    return dh, dV, dc


def sequence_nll_backward(o, y):
    """Gradient of :func:`textbook_rnn.rnn.sequence_nll` with respect to the logits.

    ``∇_{o_t} L = (ŷ_t - e_{y_t}) / N`` (equation ``bptt-do``; the 1/N is the
    batch average).

    Parameters
    ----------
    o : ndarray, shape (N, T, K)
    y : ndarray of int, shape (N, T)

    Returns
    -------
    do : ndarray, shape (N, T, K)
    """
    return _sequence_nll_backward(*_check_logits_and_targets(o, y))


def _sequence_nll_backward(o, y):
    """The body of :func:`sequence_nll_backward`, unchecked."""
    do = np.exp(_log_softmax(o))  # ŷ_t = softmax(o_t)
    # ŷ_t - e_{y_t}: subtract 1 at each target class
    np.put_along_axis(do, y[..., None], np.take_along_axis(do, y[..., None], -1) - 1.0, -1)
    return do / o.shape[0]  # the batch average


def _loss_and_grads(x, y, p, h0, link_weights=None):
    """Forward, loss and full (or link-weighted) BPTT, unchecked.

    Parameters
    ----------
    x, y, h0
        Checked arrays, as from :func:`textbook_rnn.rnn._check_rnn_args` and
        :func:`textbook_rnn.rnn._check_logits_and_targets`.
    p : dict of str to ndarray
        The checked ``U``, ``W``, ``b``, ``V``, ``c``.
    link_weights : ndarray, shape (T,), optional
        As in :func:`_hidden_gradients`.

    Returns
    -------
    loss : float
    grads : dict
        ``dU``, ``dW``, ``db``, ``dV``, ``dc``, ``dh0``.
    h : ndarray, shape (N, T, H)
        The hidden states of the forward pass.
    """
    h = _recurrence(x @ p["U"].T + p["b"], h0, p["W"])  # (rnn-a, rnn-h)
    o = _readout(h, p["V"], p["c"])  # (rnn-o)
    loss = _sequence_nll(o, y)  # (rnn-loss)
    do = _sequence_nll_backward(o, y)  # (bptt-do)
    dh, dV, dc = _output_backward(do, h, p["V"])  # (bptt-dc, bptt-dV)
    _, dh0, dU, dW, db = _rnn_backward(dh, x, h0, h, p["U"], p["W"], link_weights)
    return loss, {"dU": dU, "dW": dW, "db": db, "dV": dV, "dc": dc, "dh0": dh0}, h


def _check_loss_args(x, y, params, h0):
    """Check the arguments of a loss-and-gradient function once; return them checked."""
    x, h0, p = _check_rnn_args(x, params, h0)
    y = _check_targets(y, Shapes(N=x.shape[0], T=x.shape[1], K=p["V"].shape[0]))
    return x, y, p, h0


def rnn_loss_and_grads(x, y, params: dict, h0=None):
    """Loss and every gradient of the vanilla RNN by full BPTT.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,).
    h0 : ndarray, shape (N, H), optional
        Initial state, zeros when omitted.

    Returns
    -------
    loss : float
        :func:`textbook_rnn.rnn.sequence_nll` of the outputs.
    grads : dict
        ``dU``, ``dW``, ``db``, ``dV``, ``dc``, ``dh0``, each shaped like its
        variable.
    """
    loss, grads, _ = _loss_and_grads(*_check_loss_args(x, y, params, h0))
    return loss, grads


def truncated_bptt(x, y, params: dict, k: int, h0=None):
    """Truncated BPTT: chunks of ``k`` steps, state carried, gradient cut.

    The sequence is cut into consecutive chunks of at most ``k`` steps. Each
    chunk starts from the last hidden state of the previous one, treated as a
    constant: no gradient flows back across a chunk boundary. The per-chunk
    losses and gradients are summed. With ``k >= T`` there is one chunk and the
    result equals :func:`rnn_loss_and_grads` exactly.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        As in :func:`rnn_loss_and_grads`.
    k : int
        Truncation length (steps per chunk), at least 1.
    h0 : ndarray, shape (N, H), optional

    Returns
    -------
    loss : float
        The full sequence loss (truncation changes gradients, not the loss).
    grads : dict
        ``dU``, ``dW``, ``db``, ``dV``, ``dc`` summed over chunks, and ``dh0``,
        the gradient reaching the initial state through the first chunk.
    h_last : ndarray, shape (N, H)
        The final hidden state, to carry into the next batch of the stream.
    """
    k = check_positive_int("k", k)
    x, y, p, h0 = _check_loss_args(x, y, params, h0)
    T = x.shape[1]
    grads = {f"d{name}": np.zeros_like(value) for name, value in p.items()}
    loss, h_start, dh0 = 0.0, h0, None
    for start in range(0, T, k):
        stop = min(start + k, T)
        chunk_loss, g, h = _loss_and_grads(x[:, start:stop], y[:, start:stop], p, h_start)
        loss += chunk_loss
        for name in grads:
            grads[name] += g[name]
        if dh0 is None:
            dh0 = g["dh0"]
        # carry the state forward; the gradient stops here
        h_start = h[:, -1]
    grads["dh0"] = dh0
    return loss, grads, h_start
