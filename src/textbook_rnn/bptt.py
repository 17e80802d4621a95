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
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, check_positive_int, float_dtype
from .rnn import log_softmax, output_forward, rnn_forward, sequence_nll

__all__ = [
    "rnn_step_backward",
    "rnn_backward",
    "output_backward",
    "sequence_nll_backward",
    "rnn_loss_and_grads",
    "truncated_bptt",
]

PARAM_NAMES = ("U", "W", "b", "V", "c")


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
    dh_prev : ndarray, shape (N, H)
    dW : ndarray, shape (H, H)
    dU : ndarray, shape (H, D)
    db : ndarray, shape (H,)
    dx_t : ndarray, shape (N, D)
        Gradients summed over the batch (the loss is a sum over examples of
        whatever ``dh_t`` came from).
    """
    x_t, h_prev, h_t, U, W = cache
    dh_t = Shapes(N=h_t.shape[0], H=h_t.shape[1]).array("dh_t", dh_t, ("N", "H"))
    # ∂h/∂a = 1 - tanh(a)² = 1 - h²: the tanh derivative, read off the output
    da = dh_t * (1.0 - h_t**2)  # (N, H)
    # a_t = b + W h_{t-1} + U x_t, so each weight's gradient is an outer product
    dW = da.T @ h_prev  # (H, H)
    dU = da.T @ x_t  # (H, D)
    db = da.sum(axis=0)  # (H,)
    dh_prev = da @ W  # (N, H): Wᵀ da for column vectors
    dx_t = da @ U  # (N, D)
    return dh_prev, dW, dU, db, dx_t


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
    """
    x, h0, h, U, W = cache
    N, T, H = h.shape
    D = x.shape[2]
    dh = Shapes(N=N, T=T, H=H).array("dh", dh, ("N", "T", "H"))
    # Only the recursion for ∇h is sequential. Store da_t = diag(1 - h_t²) ∇_{h_t} L
    # for every t; the parameter gradients are then sums over t of outer products,
    # which one matrix product over all N·T rows computes at once.
    tanh_grad = 1.0 - h**2  # (N, T, H)
    da = np.empty_like(h)  # (N, T, H)
    dh_next = np.zeros((N, H), dtype=h.dtype)  # W^T da_{t+1}: what reaches h_t from h_{t+1}
    for t in reversed(range(T)):
        # ∇_{h_t} L = (from o_t) + (from h_{t+1});  da_t = (1 - h_t²) ⊙ ∇_{h_t} L
        da[:, t] = (dh[:, t] + dh_next) * tanh_grad[:, t]
        dh_next = da[:, t] @ W  # (N, H)
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # h_{t-1} for every t
    da_rows = da.reshape(N * T, H)
    # ∇_W L = Σ_t da_t h_{t-1}ᵀ,  ∇_U L = Σ_t da_t x_tᵀ,  ∇_b L = Σ_t da_t
    dW = da_rows.T @ h_prev.reshape(N * T, H)  # (H, H)
    dU = da_rows.T @ x.reshape(N * T, D)  # (H, D)
    db = da_rows.sum(axis=0)  # (H,)
    dx = da @ U  # (N, T, D)
    return dx, dh_next, dU, dW, db


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
    """
    h, V = cache
    N, T, H = h.shape
    do = Shapes(N=N, T=T, K=V.shape[0]).array("do", do, ("N", "T", "K"))
    N, T, K = do.shape
    dh = do @ V  # (N, T, H)
    dV = do.reshape(N * T, K).T @ h.reshape(N * T, H)  # Σ_n Σ_t ∇_{o_t} L h_tᵀ, (K, H)
    dc = do.sum(axis=(0, 1))
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
    s = Shapes()
    o = s.array("o", o, ("N", "T", "K"))
    y = s.array("y", y, ("N", "T"), integer=True)
    K = o.shape[2]
    if y.min() < 0 or y.max() >= K:
        raise ValueError(f"y must hold class indices in 0..{K - 1}, got {y.min()}..{y.max()}")
    do = np.exp(log_softmax(o))  # ŷ
    np.put_along_axis(do, y[..., None], np.take_along_axis(do, y[..., None], -1) - 1.0, -1)
    return do / o.shape[0]


def _check_params(params: dict, x: np.ndarray, h0) -> tuple[dict, np.ndarray]:
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    checked = {
        "U": s.array("U", params["U"], ("H", "D")),
        "W": s.array("W", params["W"], ("H", "H")),
        "b": s.array("b", params["b"], ("H",)),
        "V": s.array("V", params["V"], ("K", "H")),
        "c": s.array("c", params["c"], ("K",)),
    }
    if h0 is None:
        h0 = np.zeros((s.dims["N"], s.dims["H"]), dtype=float_dtype(x, *checked.values()))
    else:
        h0 = s.array("h0", h0, ("N", "H"))
    return checked, h0


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
    p, h0 = _check_params(params, x, h0)
    h, rnn_cache = rnn_forward(x, h0, p["U"], p["W"], p["b"])
    o, out_cache = output_forward(h, p["V"], p["c"])
    loss = sequence_nll(o, y)
    do = sequence_nll_backward(o, y)
    dh, dV, dc = output_backward(do, out_cache)
    _, dh0, dU, dW, db = rnn_backward(dh, rnn_cache)
    return loss, {"dU": dU, "dW": dW, "db": db, "dV": dV, "dc": dc, "dh0": dh0}


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
    p, h0 = _check_params(params, x, h0)
    x = np.asarray(x)
    y = Shapes(N=x.shape[0], T=x.shape[1]).array("y", y, ("N", "T"), integer=True)
    T = x.shape[1]
    grads = {f"d{name}": np.zeros_like(value) for name, value in p.items()}
    loss, h_start, dh0 = 0.0, h0, None
    for start in range(0, T, k):
        stop = min(start + k, T)
        chunk_loss, g = rnn_loss_and_grads(x[:, start:stop], y[:, start:stop], p, h_start)
        loss += chunk_loss
        for name in grads:
            grads[name] += g[name]
        if dh0 is None:
            dh0 = g["dh0"]
        # carry the state forward; the gradient stops here
        h_start = rnn_forward(x[:, start:stop], h_start, p["U"], p["W"], p["b"])[0][:, -1]
    grads["dh0"] = dh0
    return loss, grads, h_start
