"""The GRU cell with hand-written forward and backward passes (chapter 8, *The GRU*).

Equations ``gru-u`` to ``gru-h``, in the book's reset-before form or, with
``reset_after=True``, in the form of ``torch.nn.GRU``; the notation and the
difference between the two forms are described in :mod:`textbook_rnn.gated`,
which re-exports everything here.
"""

from __future__ import annotations

import numpy as np

from ._gated_common import (
    GRU_GATES,
    _cast,
    _cast_params,
    _check_dtype,
    _check_mapping,
    _check_missing,
    _sigmoid_,
    _state,
    _vote_sizes,
    sigmoid,
)
from ._validate import Shapes, check_positive_int, float_dtype

__all__ = [
    "gru_init",
    "gru_step_forward",
    "gru_step_backward",
    "gru_step",
    "gru_forward",
    "gru_backward",
]


def _check_reset_after(reset_after) -> bool:
    if not isinstance(reset_after, (bool, np.bool_)):
        raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
    return bool(reset_after)


def gru_init(
    D: int, H: int, *, seed: int = 0, reset_after: bool = False, dtype=np.float64
) -> dict[str, np.ndarray]:
    """Draw the parameters of a GRU cell (chapter 8, *The GRU*).

    ``U_*`` are Gaussian with variance ``1 / D``, ``W_*`` with variance
    ``1 / H``, biases zero.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes.
    seed : int
        Seed of the ``numpy.random.default_rng`` that draws the weights.
    reset_after : bool
        Also create ``b_hn`` (H,), the bias inside the reset product of
        torch's form (see the module docstring).
    dtype : numpy dtype
        ``float64`` (default) or ``float32``.

    Returns
    -------
    dict of str to ndarray
        For k in ``u, r, h``: ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,);
        with ``reset_after`` also ``b_hn`` (H,).
    """
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    dtype = _check_dtype(dtype)
    reset_after = _check_reset_after(reset_after)
    rng = np.random.default_rng(seed)
    params = {}
    for k in GRU_GATES:
        params[f"U_{k}"] = rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D))
        params[f"W_{k}"] = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
        params[f"b_{k}"] = np.zeros(H)
    if reset_after:
        params["b_hn"] = np.zeros(H)
    return {name: value.astype(dtype) for name, value in params.items()}


def _gru_params(params, reset_after: bool, s: Shapes) -> dict[str, np.ndarray]:
    _check_mapping(params)
    if reset_after and "b_hn" not in params:
        raise ValueError(
            "params is missing b_hn, the candidate's hidden-side bias that the "
            "reset_after=True form needs (gru_init(..., reset_after=True) creates it)"
        )
    if not reset_after and "b_hn" in params:
        raise ValueError(
            "params has b_hn, which belongs to the reset_after=True form (torch's); "
            "pass reset_after=True, or drop b_hn for the book's reset-before form"
        )
    _check_missing(params, [f"{w}_{k}" for k in GRU_GATES for w in ("U", "W", "b")])
    _vote_sizes(params, GRU_GATES, s)
    out = {}
    for k in GRU_GATES:
        out[f"W_{k}"] = s.array(f"W_{k}", params[f"W_{k}"], ("H", "H"))
    for k in GRU_GATES:
        out[f"U_{k}"] = s.array(f"U_{k}", params[f"U_{k}"], ("H", "D"))
        out[f"b_{k}"] = s.array(f"b_{k}", params[f"b_{k}"], ("H",))
    if reset_after:
        out["b_hn"] = s.array("b_hn", params["b_hn"], ("H",))
    return out


def gru_step_forward(x_t, h_prev, params, *, reset_after: bool = False):
    """One GRU step, equations ``gru-u`` to ``gru-h`` (chapter 8, *The GRU*).

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Inputs at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    params : dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``u, r, h``;
        with ``reset_after=True`` also ``b_hn`` (H,).
    reset_after : bool
        False: the book's h̃_t = tanh(b_h + U_h x_t + W_h (r_t ⊙ h_{t-1})).
        True: torch's h̃_t = tanh(b_h + U_h x_t + r_t ⊙ (W_h h_{t-1} + b_hn)).

    Returns
    -------
    h_t : ndarray, shape (N, H)
    cache : dict
        What :func:`gru_step_backward` needs.
    """
    reset_after = _check_reset_after(reset_after)
    sh = Shapes()
    p = _gru_params(params, reset_after, sh)
    x_t = sh.array("x_t", x_t, ("N", "D"))
    h_prev = sh.array("h_prev", h_prev, ("N", "H"))
    dt = float_dtype(x_t, h_prev, *p.values())
    x_t, h_prev = _cast(dt, x_t, h_prev)
    p = _cast_params(dt, p)
    return _gru_step(x_t, h_prev, p, reset_after)


def _gru_step(x_t, h_prev, p, reset_after: bool):
    """One GRU step on checked arrays, one example per row: what :func:`gru_step_forward` runs.

    ``p`` holds ``U_k``, ``W_k``, ``b_k`` for k in ``u, r, h`` (and ``b_hn``
    when ``reset_after``). Returns ``(h_t, cache)``.
    """
    # u_t = σ(b_u + U_u x_t + W_u h_{t-1})                         (gru-u)
    u = sigmoid(p["b_u"] + x_t @ p["U_u"].T + h_prev @ p["W_u"].T)  # (N, H)
    # r_t = σ(b_r + U_r x_t + W_r h_{t-1})                         (gru-r)
    r = sigmoid(p["b_r"] + x_t @ p["U_r"].T + h_prev @ p["W_r"].T)
    if reset_after:
        # h̃_t = tanh(b_h + U_h x_t + r_t ⊙ (W_h h_{t-1} + b_hn))     (gru-htilde, torch)
        m = h_prev @ p["W_h"].T + p["b_hn"]
        h_tilde = np.tanh(p["b_h"] + x_t @ p["U_h"].T + r * m)
    else:
        # h̃_t = tanh(b_h + U_h x_t + W_h (r_t ⊙ h_{t-1}))            (gru-htilde)
        m = r * h_prev
        h_tilde = np.tanh(p["b_h"] + x_t @ p["U_h"].T + m @ p["W_h"].T)
    # h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ h̃_t                         (gru-h)
    h_t = u * h_prev + (1.0 - u) * h_tilde
    cache = {
        "x_t": x_t, "h_prev": h_prev, "u": u, "r": r, "h_tilde": h_tilde, "m": m,
        "params": p, "reset_after": reset_after,
    }
    return h_t, cache


def gru_step(x_t, h_prev, params, *, reset_after: bool = False):
    """Return only ``h_t`` from :func:`gru_step_forward` (the chapter 8 exercise)."""
    return gru_step_forward(x_t, h_prev, params, reset_after=reset_after)[0]


def gru_step_backward(dh_t, cache):
    """Backward pass of one GRU step (chapter 8, *The GRU*).

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t.
    cache : dict
        From :func:`gru_step_forward`.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    grads : dict of str to ndarray
        ``dU_k`` (H, D), ``dW_k`` (H, H), ``db_k`` (H,) for k in ``u, r, h``,
        and ``db_hn`` (H,) in the reset-after form; summed over the batch.
    """
    c = cache
    p, x_t, h_prev = c["params"], c["x_t"], c["h_prev"]
    u, r, h_tilde, m = c["u"], c["r"], c["h_tilde"], c["m"]
    sh = Shapes(N=h_prev.shape[0], H=h_prev.shape[1])
    dh_t = sh.array("dh_t", dh_t, ("N", "H")).astype(h_prev.dtype, copy=False)
    # h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h̃
    da_u = dh_t * (h_prev - h_tilde) * u * (1.0 - u)  # (N, H)
    da_h = dh_t * (1.0 - u) * (1.0 - h_tilde**2)  # through h̃ = tanh(a_h)
    dh_prev = dh_t * u
    grads = {}
    if c["reset_after"]:
        # a_h = b_h + U_h x + r ⊙ m,  m = W_h h_{t-1} + b_hn
        da_r = da_h * m * r * (1.0 - r)
        dm = da_h * r
        grads["dW_h"] = dm.T @ h_prev
        grads["db_hn"] = dm.sum(axis=0)
        dh_prev = dh_prev + dm @ p["W_h"]
    else:
        # a_h = b_h + U_h x + W_h m,  m = r ⊙ h_{t-1}
        dm = da_h @ p["W_h"]  # (N, H)
        da_r = dm * h_prev * r * (1.0 - r)
        grads["dW_h"] = da_h.T @ m
        dh_prev = dh_prev + dm * r
    da = {"u": da_u, "r": da_r, "h": da_h}
    dx_t = np.zeros_like(x_t)
    for k in GRU_GATES:
        grads[f"dU_{k}"] = da[k].T @ x_t  # (H, D)
        grads[f"db_{k}"] = da[k].sum(axis=0)  # (H,)
        dx_t += da[k] @ p[f"U_{k}"]
    for k in ("u", "r"):
        grads[f"dW_{k}"] = da[k].T @ h_prev  # (H, H)
        dh_prev = dh_prev + da[k] @ p[f"W_{k}"]
    return dx_t, dh_prev, _gru_order(grads)


def _gru_order(grads: dict) -> dict:
    """Gradients listed in a fixed order: per gate dU, dW, db, then db_hn."""
    keys = [f"d{w}_{k}" for k in GRU_GATES for w in ("U", "W", "b")]
    if "db_hn" in grads:
        keys.append("db_hn")
    return {k: grads[k] for k in keys}


def gru_forward(x, h0, params, *, reset_after: bool = False):
    """Run a GRU over whole sequences, equations ``gru-u`` to ``gru-h``.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    h0 : ndarray, shape (N, H), or None
        Initial state (zeros when None).
    params : dict of str to ndarray
        As in :func:`gru_step_forward`.
    reset_after : bool
        Placement of the reset gate, as in :func:`gru_step_forward`.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states h_1 ... h_T.
    cache : dict
        What :func:`gru_backward` needs; ``cache["h_last"]`` (N, H) is h_T.
    """
    reset_after = _check_reset_after(reset_after)
    sh = Shapes()
    p = _gru_params(params, reset_after, sh)
    x = sh.array("x", x, ("N", "T", "D"))
    N, T, D = x.shape
    H = sh.dims["H"]
    h0 = _state(sh, "h0", h0, N, float_dtype(x, *p.values()))
    dt = float_dtype(x, h0, *p.values())
    x, h0 = _cast(dt, x, h0)
    p = _cast_params(dt, p)
    # u, r and h̃ stacked: (3H, D), (3H, H), (3H,)
    U = np.concatenate([p[f"U_{k}"] for k in GRU_GATES])
    W = np.concatenate([p[f"W_{k}"] for k in GRU_GATES])
    b = np.concatenate([p[f"b_{k}"] for k in GRU_GATES])
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, N, D)
    # b_k + U_k x_t for every gate and step; overwritten in place with u, r, h̃
    gates = xs @ U.T + b  # (T, N, 3H)
    m_all = np.empty((T, N, H), dtype=dt)  # W_h h_{t-1} + b_hn, or r_t ⊙ h_{t-1}
    h_all = np.empty((T, N, H), dtype=dt)
    if reset_after:
        WT = np.ascontiguousarray(W.T)  # (H, 3H): all three products in one
        c_hn = np.concatenate([np.zeros(2 * H, dtype=dt), p["b_hn"]])
    else:
        WT = np.ascontiguousarray(W[: 2 * H].T)  # (H, 2H): u and r
        WhT = np.ascontiguousarray(p["W_h"].T)  # (H, H)
    h_t = h0
    for t in range(T):
        a = gates[t]  # (N, 3H)
        if reset_after:
            rec = h_t @ WT + c_hn  # (N, 3H)
            a[:, : 2 * H] += rec[:, : 2 * H]
            # u_t = σ(...), r_t = σ(...)                     (gru-u), (gru-r)
            _sigmoid_(a[:, : 2 * H])
            u, r = a[:, :H], a[:, H : 2 * H]
            m_all[t] = rec[:, 2 * H :]
            # h̃_t = tanh(b_h + U_h x_t + r_t ⊙ (W_h h_{t-1} + b_hn))
            a[:, 2 * H :] += r * m_all[t]
        else:
            a[:, : 2 * H] += h_t @ WT
            _sigmoid_(a[:, : 2 * H])
            u, r = a[:, :H], a[:, H : 2 * H]
            m = np.multiply(r, h_t, out=m_all[t])
            # h̃_t = tanh(b_h + U_h x_t + W_h (r_t ⊙ h_{t-1}))  (gru-htilde)
            a[:, 2 * H :] += m @ WhT
        h_tilde = np.tanh(a[:, 2 * H :], out=a[:, 2 * H :])
        # h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ h̃_t = h̃_t + u_t ⊙ (h_{t-1} - h̃_t)   (gru-h)
        h_new = np.subtract(h_t, h_tilde, out=h_all[t])
        h_new *= u
        h_new += h_tilde
        h_t = h_new
    cache = {
        "xs": xs, "h0": h0, "gates": gates, "m": m_all, "h": h_all, "U": U, "W": W,
        "params": p, "reset_after": reset_after, "h_last": h_all[-1],
    }
    return np.ascontiguousarray(h_all.transpose(1, 0, 2)), cache


def gru_backward(dh, cache):
    """Back-propagation through time for the GRU (chapter 8, *The GRU*).

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Gradient of the loss with respect to each h_t from outside the
        recurrence; the recurrent part is added here.
    cache : dict
        From :func:`gru_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    grads : dict of str to ndarray
        ``dU_k`` (H, D), ``dW_k`` (H, H), ``db_k`` (H,) for k in ``u, r, h``,
        and ``db_hn`` (H,) in the reset-after form.
    """
    c = cache
    gates, m, h_all = c["gates"], c["m"], c["h"]
    T, N, H3 = gates.shape
    H = H3 // 3
    D = c["xs"].shape[2]
    dt = gates.dtype
    dh = Shapes(N=N, T=T, H=H).array("dh", dh, ("N", "T", "H")).astype(dt, copy=False)
    dh = np.ascontiguousarray(dh.transpose(1, 0, 2))  # (T, N, H)
    u, r, h_tilde = (gates[..., n * H : (n + 1) * H] for n in range(3))
    h_prev = np.concatenate([c["h0"][None], h_all[:-1]])  # (T, N, H)
    # Local derivatives for all t at once (the incoming gradient multiplies them)
    dh_dah = (1.0 - u) * (1.0 - h_tilde**2)  # ∂h_t/∂a_h
    dh_dau = (h_prev - h_tilde) * u * (1.0 - u)  # ∂h_t/∂a_u
    da = np.empty_like(gates)  # (T, N, 3H): ∂L/∂a_u, ∂L/∂a_r, ∂L/∂a_h
    dh_next = np.zeros((N, H), dtype=dt)
    W = c["W"]
    if c["reset_after"]:
        # ∂h_t/∂a_r and ∂h_t/∂m with m = W_h h_{t-1} + b_hn, stacked with ∂h_t/∂a_u
        k3 = np.empty((T, N, 3, H), dtype=dt)
        k3[:, :, 0] = dh_dau
        k3[:, :, 1] = dh_dah * m * r * (1.0 - r)
        k3[:, :, 2] = dh_dah * r
        dz = np.empty((T, N, 3, H), dtype=dt)  # ∂L/∂a_u, ∂L/∂a_r, ∂L/∂m
        dz_rows = dz.reshape(T, N, H3)
        dh_total = np.empty((T, N, H), dtype=dt)
        for t in reversed(range(T)):
            dh_t = np.add(dh[t], dh_next, out=dh_total[t])
            np.multiply(dh_t[:, None, :], k3[t], out=dz[t])
            # h_{t-1} reaches h_t directly (weight u) and through W_u, W_r, W_h
            dh_next = dh_t * u[t] + dz_rows[t] @ W
        da[..., : 2 * H] = dz_rows[..., : 2 * H]
        da[..., 2 * H :] = dh_total * dh_dah
        dW = dz_rows.reshape(T * N, H3).T @ h_prev.reshape(T * N, H)  # (3H, H)
        extra = {"db_hn": dz[:, :, 2].sum(axis=(0, 1))}
    else:
        dr_dar = h_prev * r * (1.0 - r)  # ∂(r ⊙ h_{t-1})/∂a_r, divided by the gradient
        W_ur, W_h = W[: 2 * H], c["params"]["W_h"]
        for t in reversed(range(T)):
            dh_t = dh[t] + dh_next
            da_h = np.multiply(dh_t, dh_dah[t], out=da[t, :, 2 * H :])
            np.multiply(dh_t, dh_dau[t], out=da[t, :, :H])
            dm = da_h @ W_h  # ∂L/∂(r ⊙ h_{t-1}), (N, H)
            np.multiply(dm, dr_dar[t], out=da[t, :, H : 2 * H])
            dh_next = dh_t * u[t] + dm * r[t] + da[t, :, : 2 * H] @ W_ur
        rows = da.reshape(T * N, H3)
        dW = np.concatenate([
            rows[:, : 2 * H].T @ h_prev.reshape(T * N, H),  # (2H, H): u and r
            rows[:, 2 * H :].T @ m.reshape(T * N, H),  # (H, H): W_h sees r ⊙ h_{t-1}
        ])
        extra = {}
    rows = da.reshape(T * N, H3)
    dU = rows.T @ c["xs"].reshape(T * N, D)  # (3H, D)
    db = rows.sum(axis=0)  # (3H,)
    dx = (da @ c["U"]).transpose(1, 0, 2)  # (N, T, D)
    grads = {}
    for n, k in enumerate(GRU_GATES):
        block = slice(n * H, (n + 1) * H)
        grads[f"dU_{k}"] = dU[block]
        grads[f"dW_{k}"] = dW[block]
        grads[f"db_{k}"] = db[block]
    grads.update(extra)
    return np.ascontiguousarray(dx), dh_next, grads
