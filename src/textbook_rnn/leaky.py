"""Leaky units and skip connections through time: forward/backward pairs.

Chapter 7 ("Reservoirs and multiple time scales"), sections *Leaky units*
and *Skip connections through time*, equations ``res-leaky`` to
``res-skip``::

    u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t                       (res-leaky)
    u_t = α^t ⊙ u_0 + Σ_{k<t} (1 - α) ⊙ α^k ⊙ v_{t-k}        (res-leaky-unrolled)
    g_t = ∂L/∂u_t (direct) + α ⊙ g_{t+1}                     (res-leaky-grad)
    ∂L/∂v_t = (1 - α) ⊙ g_t,    ∂L/∂u_0 = α ⊙ g_1
    ∂L/∂α  = Σ_t g_t ⊙ (u_{t-1} - v_t)                       (res-leaky-dalpha)
    h_t = tanh(b + W h_{t-1} + W_d h_{t-d} + U x_t)          (res-skip)

A leaky unit keeps an exponential moving average of its input ``v``: the
retention α (one value per unit, or one for all) sets its time scale,
about 1 / (1 - α) steps. Its backward pass is a linear recurrence with
factor α and no weight matrix or derivative of a nonlinearity in the way,
which is why α close to 1 lets gradients travel far.

A skip connection of delay ``d`` adds a path from ``h_{t-d}`` to ``h_t``,
so that a dependency ``τ`` steps long needs only about τ / d
multiplications by a Jacobian. With ``W = None`` the connections of length
one are *removed* and only the delayed ones remain.

Shapes are the book's, batch first: ``v`` and ``u`` are ``(N, T, H)``,
``u0`` and ``h0`` are ``(N, H)``, ``x`` is ``(N, T, D)``, ``U`` is
``(H, D)``, ``W`` and ``W_skip`` are ``(H, H)``.

Only numpy is imported here.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import Shapes, check_positive_int, check_real, float_dtype

__all__ = [
    "leaky_forward",
    "leaky_backward",
    "leaky_impulse_response",
    "skip_rnn_forward",
    "skip_rnn_backward",
]


def _alpha(alpha, H: int) -> tuple[np.ndarray, bool]:
    """Return α as an (H,) float array and whether it was given as one number."""
    if isinstance(alpha, (numbers.Real, bool, np.bool_)):
        return np.full(H, check_real("alpha", alpha)), True
    arr = Shapes(H=H).array("alpha", alpha, ("H",))
    if not np.all(np.isfinite(arr)):
        raise ValueError("alpha must be finite, got an array with NaN or infinite entries")
    return arr.astype(np.float64, copy=False), False


# --------------------------------------------------------------------------
# leaky units
# --------------------------------------------------------------------------


def leaky_forward(v, u0, alpha):
    """Run leaky units over a sequence (chapter 7, equation ``res-leaky``).

    u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t for t = 1 .. T.

    Parameters
    ----------
    v : ndarray, shape (N, T, H)
        What each unit receives at each step (e.g. the output of a layer).
    u0 : ndarray, shape (N, H)
        The units' state before the first step.
    alpha : float or ndarray, shape (H,)
        Retention of each unit, usually in [0, 1): one time scale per
        unit, or one number for all of them.

    Returns
    -------
    u : ndarray, shape (N, T, H)
        u_1 ... u_T (u0 is not included).
    cache : tuple
        ``(v, u0, u, alpha, scalar)``, what :func:`leaky_backward` needs.
    """
    s = Shapes()
    v = s.array("v", v, ("N", "T", "H"))
    u0 = s.array("u0", u0, ("N", "H"))
    alpha, scalar = _alpha(alpha, v.shape[2])
    dt = float_dtype(v, u0)
    v, u0, alpha = (arr.astype(dt, copy=False) for arr in (v, u0, alpha))
    N, T, H = v.shape
    u = np.empty((N, T, H), dtype=dt)
    u_prev = u0
    for t in range(T):
        # u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t          (N, H)
        u_prev = alpha * u_prev + (1.0 - alpha) * v[:, t]
        u[:, t] = u_prev
    return u, (v, u0, u, alpha, scalar)


def leaky_backward(du, cache):
    """Backward pass of :func:`leaky_forward` (``res-leaky-grad``, ``res-leaky-dalpha``).

    Parameters
    ----------
    du : ndarray, shape (N, T, H)
        ∂L/∂u_t for every step, the *direct* part only (e.g. from an output
        layer at each step); what flows back from u_{t+1} is added here.
    cache : tuple
        From :func:`leaky_forward`.

    Returns
    -------
    dv : ndarray, shape (N, T, H)
        ∂L/∂v_t = (1 - α) ⊙ g_t.
    du0 : ndarray, shape (N, H)
        ∂L/∂u_0 = α ⊙ g_1.
    dalpha : float or ndarray, shape (H,)
        ∂L/∂α = Σ_{n,t} g_t ⊙ (u_{t-1} - v_t), summed over the batch; a
        float when α was given as one number.
    """
    if not isinstance(cache, tuple) or len(cache) != 5:
        raise TypeError("cache must be the tuple returned by leaky_forward")
    v, u0, u, alpha, scalar = cache
    N, T, H = v.shape
    du = Shapes(N=N, T=T, H=H).array("du", du, ("N", "T", "H"))
    # u_{t-1} for every step                  (N, T, H)
    u_prev_all = np.concatenate([u0[:, None], u[:, :-1]], axis=1)
    g = np.empty_like(u, dtype=np.result_type(du, u))
    carry = np.zeros((N, H), dtype=g.dtype)
    for t in reversed(range(T)):
        # g_t = ∂L/∂u_t (direct) + α ⊙ g_{t+1}
        carry = du[:, t] + alpha * carry
        g[:, t] = carry
    # ∂L/∂v_t = (1 - α) ⊙ g_t
    dv = (1.0 - alpha) * g
    # ∂L/∂u_0 = α ⊙ g_1
    du0 = alpha * g[:, 0]
    # ∂L/∂α = Σ_t g_t ⊙ (u_{t-1} - v_t)
    dalpha = (g * (u_prev_all - v)).sum(axis=(0, 1))  # (H,)
    return dv, du0, (float(dalpha.sum()) if scalar else dalpha)


def leaky_impulse_response(alpha, K: int) -> np.ndarray:
    """Weights with which a leaky unit averages its past inputs (``res-leaky-unrolled``).

    Unrolling ``res-leaky`` gives u_t = α^t u_0 + Σ_{k=0}^{t-1} (1 - α) α^k v_{t-k}:
    the input k steps back enters with weight (1 - α) α^k, which is also
    ∂u_t/∂v_{t-k}.

    Parameters
    ----------
    alpha : float
        Retention.
    K : int
        Number of weights, k = 0 .. K-1.

    Returns
    -------
    ndarray, shape (K,)
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number, got {alpha!r}")
    alpha = _alpha(alpha, 1)[0][0]
    K = check_positive_int("K", K)
    # ∂u_t/∂v_{t-k} = (1 - α) α^k
    return (1.0 - alpha) * alpha ** np.arange(K)


# --------------------------------------------------------------------------
# skip connections through time
# --------------------------------------------------------------------------


def skip_rnn_forward(x, h0, U, W, W_skip, b, delay: int):
    """A tanh RNN with connections of length one and of length ``delay`` (equation ``res-skip``).

    h_t = tanh(b + W h_{t-1} + W_skip h_{t-d} + U x_t), with h_s = h0 for
    every s ≤ 0. Either recurrent matrix may be ``None``: ``W_skip=None`` is
    the vanilla RNN of chapter 1, ``W=None`` removes the connections of
    length one, leaving d interleaved chains that each advance every d
    steps.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
        The state before the first step (and at every earlier step).
    U : ndarray, shape (H, D)
    W : ndarray, shape (H, H), or None
        Weights of the connections from h_{t-1}.
    W_skip : ndarray, shape (H, H), or None
        Weights of the connections from h_{t-d}.
    b : ndarray, shape (H,)
    delay : int
        The delay d ≥ 1 of the skip connections.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        h_1 ... h_T.
    cache : tuple
        ``(x, h0, h, U, W, W_skip, delay)``.
    """
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    h0 = s.array("h0", h0, ("N", "H"))
    U = s.array("U", U, ("H", "D"))
    if W is not None:
        W = s.array("W", W, ("H", "H"))
    if W_skip is not None:
        W_skip = s.array("W_skip", W_skip, ("H", "H"))
    b = s.array("b", b, ("H",))
    d = check_positive_int("delay", delay)
    dt = float_dtype(*(a for a in (x, h0, U, W, W_skip, b) if a is not None))
    x, h0, U, b = (a.astype(dt, copy=False) for a in (x, h0, U, b))
    W = None if W is None else W.astype(dt, copy=False)
    W_skip = None if W_skip is None else W_skip.astype(dt, copy=False)
    N, T, _ = x.shape
    H = h0.shape[1]
    drive = x @ U.T + b  # U x_t + b for every step, (N, T, H)
    h = np.empty((N, T, H), dtype=dt)
    for t in range(T):
        a_t = drive[:, t].copy()
        if W is not None:
            a_t += (h[:, t - 1] if t >= 1 else h0) @ W.T
        if W_skip is not None:
            a_t += (h[:, t - d] if t >= d else h0) @ W_skip.T
        # h_t = tanh(b + W h_{t-1} + W_skip h_{t-d} + U x_t)
        h[:, t] = np.tanh(a_t)
    return h, (x, h0, h, U, W, W_skip, d)


def skip_rnn_backward(dh, cache):
    """Backward pass of :func:`skip_rnn_forward`.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Direct gradient of the loss with respect to each h_t.
    cache : tuple
        From :func:`skip_rnn_forward`.

    Returns
    -------
    dict
        ``dx`` (N, T, D), ``dh0`` (N, H), ``dU`` (H, D), ``dW`` (H, H) or None,
        ``dW_skip`` (H, H) or None, ``db`` (H,), and ``dh_all`` (N, T, H): the
        total gradient reaching each h_t, through every later step.
    """
    if not isinstance(cache, tuple) or len(cache) != 7:
        raise TypeError("cache must be the tuple returned by skip_rnn_forward")
    x, h0, h, U, W, W_skip, d = cache
    N, T, H = h.shape
    dh = Shapes(N=N, T=T, H=H).array("dh", dh, ("N", "T", "H"))
    total = np.array(dh, dtype=np.result_type(dh, h), copy=True)  # grows as gradients arrive
    da = np.empty_like(total)
    dh0 = np.zeros((N, H), dtype=total.dtype)
    for t in reversed(range(T)):
        # da_t = (1 - h_t²) ⊙ ∂L/∂h_t
        da[:, t] = (1.0 - h[:, t] ** 2) * total[:, t]
        if W is not None:
            back = da[:, t] @ W  # Wᵀ da_t, sent to h_{t-1}
            if t >= 1:
                total[:, t - 1] += back
            else:
                dh0 += back
        if W_skip is not None:
            back = da[:, t] @ W_skip  # W_skipᵀ da_t, sent to h_{t-d}
            if t >= d:
                total[:, t - d] += back
            else:
                dh0 += back
    flat_da = da.reshape(-1, H)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # h_{t-1}
    idx = np.arange(T) - d
    h_back = np.where((idx >= 0)[None, :, None], h[:, np.maximum(idx, 0)], h0[:, None])
    return {
        "dx": da @ U,
        "dh0": dh0,
        "dU": flat_da.T @ x.reshape(-1, x.shape[2]),
        "dW": None if W is None else flat_da.T @ h_prev.reshape(-1, H),
        "dW_skip": None if W_skip is None else flat_da.T @ h_back.reshape(-1, H),
        "db": flat_da.sum(axis=0),
        "dh_all": total,
    }
