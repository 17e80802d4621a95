"""The LSTM cell with hand-written forward and backward passes (chapter 8, *The LSTM*).

Equations ``lstm-f`` to ``lstm-h`` with optional peepholes; the notation and
its mapping to Goodfellow et al. (2016) and to ``torch.nn.LSTM`` are in the
docstring of :mod:`textbook_rnn.gated`, which re-exports everything here.
The step functions follow the equations gate by gate; the sequence functions
stack the four gates into one matrix product per step and compute the weight
gradients with one product over all N·T rows.
"""

from __future__ import annotations

import numpy as np

from ._gated_common import (
    _LSTM_STACK,
    LSTM_GATES,
    PEEPHOLES,
    _cast,
    _cast_params,
    _check_dtype,
    _check_mapping,
    _check_missing,
    _state,
    _vote_sizes,
    sigmoid,
)
from ._validate import Shapes, check_positive_int, float_dtype

__all__ = [
    "lstm_init",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "cell_path_gain",
]


def lstm_init(
    D: int,
    H: int,
    *,
    seed: int = 0,
    forget_bias: float = 1.0,
    peepholes: bool = False,
    dtype=np.float64,
) -> dict[str, np.ndarray]:
    """Draw the parameters of an LSTM cell (chapter 8, *The LSTM*).

    Input weights ``U_*`` are Gaussian with variance ``1 / D`` and recurrent
    weights ``W_*`` with variance ``1 / H``. Biases start at zero except the
    forget gate's, ``b_f = forget_bias``: a positive value keeps the forget
    gate near one at first, so the cell remembers by default and gradients
    pass through ``s`` (recommended by Jozefowicz et al. 2015).

    Parameters
    ----------
    D, H : int
        Input and hidden sizes.
    seed : int
        Seed of the ``numpy.random.default_rng`` that draws the weights.
    forget_bias : float
        Initial value of every entry of ``b_f``.
    peepholes : bool
        Add the diagonal peephole weights ``p_f``, ``p_i``, ``p_o`` (H,),
        initialised to zero (so the cell starts as one without peepholes).
    dtype : numpy dtype
        ``float64`` (default) or ``float32``.

    Returns
    -------
    dict of str to ndarray
        For each gate k in ``f, i, g, o``: ``U_k`` (H, D), ``W_k`` (H, H),
        ``b_k`` (H,); with peepholes also ``p_f``, ``p_i``, ``p_o`` (H,).
    """
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    dtype = _check_dtype(dtype)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for k in LSTM_GATES:
        params[f"U_{k}"] = rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D))
        params[f"W_{k}"] = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
        params[f"b_{k}"] = np.zeros(H)
    params["b_f"][:] = forget_bias
    if peepholes:
        for name in PEEPHOLES:
            params[name] = np.zeros(H)
    return {name: value.astype(dtype) for name, value in params.items()}


def _lstm_params(params, s: Shapes) -> tuple[dict[str, np.ndarray], bool]:
    """Check an LSTM parameter dict; return its arrays and whether it has peepholes."""
    _check_mapping(params)
    peep = [k for k in PEEPHOLES if k in params]
    if peep and len(peep) < len(PEEPHOLES):
        absent = [k for k in PEEPHOLES if k not in params]
        raise ValueError(
            f"params has peephole weights {', '.join(peep)} but is missing "
            f"{', '.join(absent)}: give all three or none"
        )
    _check_missing(params, [f"{w}_{k}" for k in LSTM_GATES for w in ("U", "W", "b")])
    _vote_sizes(params, LSTM_GATES, s)
    out = {}
    # the W's first: they alone fix H, so a transposed U is reported as U's fault
    for k in LSTM_GATES:
        out[f"W_{k}"] = s.array(f"W_{k}", params[f"W_{k}"], ("H", "H"))
    for k in LSTM_GATES:
        out[f"U_{k}"] = s.array(f"U_{k}", params[f"U_{k}"], ("H", "D"))
        out[f"b_{k}"] = s.array(f"b_{k}", params[f"b_{k}"], ("H",))
    for name in peep:
        out[name] = s.array(name, params[name], ("H",))
    return out, bool(peep)


def lstm_step_forward(x_t, h_prev, s_prev, params):
    """One LSTM step, equations ``lstm-f`` to ``lstm-h`` (chapter 8, *The LSTM*).

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Inputs at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    s_prev : ndarray, shape (N, H)
        Cell state s_{t-1}.
    params : dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``f, i, g, o``;
        optionally the peepholes ``p_f``, ``p_i``, ``p_o`` (H,), all three or
        none. Other keys are ignored.

    Returns
    -------
    h_t : ndarray, shape (N, H)
        New hidden state.
    s_t : ndarray, shape (N, H)
        New cell state.
    cache : dict
        What :func:`lstm_step_backward` needs: the inputs, the gate values and
        the parameters.
    """
    sh = Shapes()
    p, _ = _lstm_params(params, sh)
    x_t = sh.array("x_t", x_t, ("N", "D"))
    h_prev = sh.array("h_prev", h_prev, ("N", "H"))
    s_prev = sh.array("s_prev", s_prev, ("N", "H"))
    dt = float_dtype(x_t, h_prev, s_prev, *p.values())
    x_t, h_prev, s_prev = _cast(dt, x_t, h_prev, s_prev)
    p = _cast_params(dt, p)
    return _lstm_step(x_t, h_prev, s_prev, p)


def _lstm_step(x_t, h_prev, s_prev, p):
    """One LSTM step on checked arrays, one example per row: what :func:`lstm_step_forward` runs.

    ``p`` holds ``U_k``, ``W_k``, ``b_k`` for k in ``f, i, g, o`` and, for a
    cell with peepholes, ``p_f``, ``p_i``, ``p_o``. Returns ``(h_t, s_t, cache)``.
    """
    peep = "p_f" in p

    def affine(k):  # b_k + U_k x_t + W_k h_{t-1}, (N, H)
        return p[f"b_{k}"] + x_t @ p[f"U_{k}"].T + h_prev @ p[f"W_{k}"].T

    a_f, a_i, a_g, a_o = (affine(k) for k in LSTM_GATES)
    if peep:
        a_f = a_f + p["p_f"] * s_prev
        a_i = a_i + p["p_i"] * s_prev
    # f_t = σ(b_f + U_f x_t + W_f h_{t-1} [+ p_f ⊙ s_{t-1}])      (lstm-f)
    f = sigmoid(a_f)
    # i_t = σ(b_i + U_i x_t + W_i h_{t-1} [+ p_i ⊙ s_{t-1}])      (lstm-i)
    i = sigmoid(a_i)
    # g_t = tanh(b_g + U_g x_t + W_g h_{t-1})                     (lstm-g)
    g = np.tanh(a_g)
    # s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t                             (lstm-s)
    s_t = f * s_prev + i * g
    if peep:
        a_o = a_o + p["p_o"] * s_t
    # o_t = σ(b_o + U_o x_t + W_o h_{t-1} [+ p_o ⊙ s_t])          (lstm-o)
    o = sigmoid(a_o)
    # h_t = o_t ⊙ tanh(s_t)                                       (lstm-h)
    tanh_s = np.tanh(s_t)
    h_t = o * tanh_s
    cache = {
        "x_t": x_t, "h_prev": h_prev, "s_prev": s_prev, "s_t": s_t, "tanh_s": tanh_s,
        "f": f, "i": i, "g": g, "o": o, "params": p, "peepholes": peep,
    }
    return h_t, s_t, cache


def lstm_step(x_t, h_prev, s_prev, params):
    """Return only ``(h_t, s_t)`` from :func:`lstm_step_forward` (the chapter 8 exercise)."""
    h_t, s_t, _ = lstm_step_forward(x_t, h_prev, s_prev, params)
    return h_t, s_t


def lstm_step_backward(dh_t, ds_t, cache):
    """Backward pass of one LSTM step (chapter 8, *Gradients through the cell*).

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t.
    ds_t : ndarray, shape (N, H), or None
        Gradient with respect to s_t coming from later steps (from s_{t+1});
        None means zero.
    cache : dict
        From :func:`lstm_step_forward`.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    ds_prev : ndarray, shape (N, H)
    grads : dict of str to ndarray
        ``dU_k`` (H, D), ``dW_k`` (H, H), ``db_k`` (H,) for k in
        ``f, i, g, o``, and ``dp_f``, ``dp_i``, ``dp_o`` (H,) with peepholes;
        summed over the batch.
    """
    c = cache
    p, x_t, h_prev, s_prev = c["params"], c["x_t"], c["h_prev"], c["s_prev"]
    f, i, g, o, tanh_s = c["f"], c["i"], c["g"], c["o"], c["tanh_s"]
    N, H = h_prev.shape
    sh = Shapes(N=N, H=H)
    dt = h_prev.dtype
    dh_t = sh.array("dh_t", dh_t, ("N", "H")).astype(dt, copy=False)
    ds = np.zeros_like(h_prev) if ds_t is None else sh.array("ds_t", ds_t, ("N", "H"))
    # h_t = o_t ⊙ tanh(s_t): two paths, through o_t and through s_t
    da = {"o": dh_t * tanh_s * o * (1.0 - o)}  # σ'(a) = σ(a)(1 - σ(a))
    ds = ds + dh_t * o * (1.0 - tanh_s**2)  # (N, H)
    if c["peepholes"]:
        ds = ds + da["o"] * p["p_o"]  # o_t also sees s_t
    # s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t
    da["f"] = ds * s_prev * f * (1.0 - f)
    da["i"] = ds * g * i * (1.0 - i)
    da["g"] = ds * i * (1.0 - g**2)
    ds_prev = ds * f
    if c["peepholes"]:
        ds_prev = ds_prev + da["f"] * p["p_f"] + da["i"] * p["p_i"]
    grads = {}
    dx_t = np.zeros_like(x_t)
    dh_prev = np.zeros_like(h_prev)
    for k in LSTM_GATES:
        # a_k = b_k + U_k x_t + W_k h_{t-1}: outer products summed over the batch
        grads[f"dU_{k}"] = da[k].T @ x_t  # (H, D)
        grads[f"dW_{k}"] = da[k].T @ h_prev  # (H, H)
        grads[f"db_{k}"] = da[k].sum(axis=0)  # (H,)
        dx_t += da[k] @ p[f"U_{k}"]  # (N, D)
        dh_prev += da[k] @ p[f"W_{k}"]  # (N, H)
    if c["peepholes"]:
        grads["dp_f"] = (da["f"] * s_prev).sum(axis=0)
        grads["dp_i"] = (da["i"] * s_prev).sum(axis=0)
        grads["dp_o"] = (da["o"] * c["s_t"]).sum(axis=0)
    return dx_t, dh_prev, ds_prev, grads


def lstm_forward(x, h0, s0, params):
    """Run an LSTM over whole sequences, equations ``lstm-f`` to ``lstm-h``.

    The arithmetic of :func:`lstm_step_forward`, organised for speed (see
    the module docstring): the gates are stacked into one ``(4H, D)`` and one
    ``(4H, H)`` matrix, all input terms are computed before the loop, and
    each step calls ``tanh`` once for all four gates, using
    σ(a) = (1 + tanh(a / 2)) / 2 with the halving folded into the stacked
    weights of the three sigmoid gates (halving is exact in floating point).
    The results agree with :func:`lstm_step_forward` to rounding error.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    h0 : ndarray, shape (N, H), or None
        Initial hidden state (zeros when None).
    s0 : ndarray, shape (N, H), or None
        Initial cell state (zeros when None).
    params : dict of str to ndarray
        As in :func:`lstm_step_forward`.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states h_1 ... h_T.
    cache : dict
        What :func:`lstm_backward` needs. ``cache["h_last"]`` and
        ``cache["s_last"]`` (N, H) hold h_T and s_T, the states to carry into
        a following chunk of the sequence.
    """
    sh = Shapes()
    p, peep = _lstm_params(params, sh)
    x = sh.array("x", x, ("N", "T", "D"))
    N, T, D = x.shape
    H = sh.dims["H"]
    dt = float_dtype(x, *p.values())
    h0 = _state(sh, "h0", h0, N, dt)
    s0 = _state(sh, "s0", s0, N, dt)
    dt = float_dtype(x, h0, s0, *p.values())
    x, h0, s0 = _cast(dt, x, h0, s0)
    p = _cast_params(dt, p)
    # Stack the gates in the order i, f, o, g, halving the rows of the three
    # sigmoid gates: then tanh of one (N, 4H) block gives tanh(a_k / 2) for
    # i, f, o and tanh(a_g) for g.
    half = {"i": 0.5, "f": 0.5, "o": 0.5, "g": 1.0}
    U = np.concatenate([half[k] * p[f"U_{k}"] for k in _LSTM_STACK])  # (4H, D)
    WT = np.concatenate([half[k] * p[f"W_{k}"] for k in _LSTM_STACK]).T.copy()  # (H, 4H)
    b = np.concatenate([half[k] * p[f"b_{k}"] for k in _LSTM_STACK])  # (4H,)
    if peep:
        p_i, p_f, p_o = (0.5 * p[k] for k in ("p_i", "p_f", "p_o"))
    # Time-major inside (T, N, ...), so that each step reads contiguous rows.
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, N, D)
    # The input terms b + U x_t for every t at once; each step adds W h_{t-1}
    # and then overwrites its slice with the gate values i, f, o, g.
    gates = (xs.reshape(T * N, D) @ U.T + b).reshape(T, N, 4 * H)
    s_all = np.empty((T, N, H), dtype=dt)
    tanh_s_all = np.empty((T, N, H), dtype=dt)
    h_all = np.empty((T, N, H), dtype=dt)
    h_t, s_t = h0, s0
    for t in range(T):
        a = gates[t]  # (N, 4H): halved pre-activations, then gate values in place
        a += h_t @ WT
        i, f, o, g = (a[:, n * H : (n + 1) * H] for n in range(4))
        if peep:
            # the peephole terms p_i ⊙ s_{t-1} and p_f ⊙ s_{t-1} (halved too)
            i += p_i * s_t
            f += p_f * s_t
            np.tanh(a[:, : 2 * H], out=a[:, : 2 * H])  # i, f
            # g_t = tanh(b_g + U_g x_t + W_g h_{t-1})                     (lstm-g)
            np.tanh(g, out=g)
            sig = a[:, : 2 * H]
        else:
            # g_t = tanh(...) (lstm-g), and tanh(a_k / 2) for k = i, f, o
            np.tanh(a, out=a)
            sig = a[:, : 3 * H]
        # i_t, f_t [and o_t] = σ(a) = (1 + tanh(a/2)) / 2        (lstm-i, lstm-f, lstm-o)
        sig *= 0.5
        sig += 0.5
        # s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t                             (lstm-s)
        s_t = np.multiply(f, s_t, out=s_all[t])  # (N, H)
        s_t += i * g
        if peep:
            # o_t = σ(b_o + U_o x_t + W_o h_{t-1} + p_o ⊙ s_t)           (lstm-o)
            o += p_o * s_t
            np.tanh(o, out=o)
            o *= 0.5
            o += 0.5
        # h_t = o_t ⊙ tanh(s_t)                                       (lstm-h)
        tanh_s = np.tanh(s_t, out=tanh_s_all[t])
        h_t = np.multiply(o, tanh_s, out=h_all[t])
    cache = {
        "xs": xs, "h0": h0, "s0": s0, "gates": gates, "s": s_all, "tanh_s": tanh_s_all,
        "h": h_all, "params": p, "peepholes": peep, "h_last": h_all[-1], "s_last": s_all[-1],
    }
    return np.ascontiguousarray(h_all.transpose(1, 0, 2)), cache


def lstm_backward(dh, cache, ds_last=None):
    """Back-propagation through time for the LSTM (chapter 8, *Gradients through the cell*).

    The arithmetic of :func:`lstm_step_backward`, organised for speed: only
    the recursion for ∇h and ∇s runs step by step; the weight gradients are
    sums over t of outer products, computed afterwards with one matrix
    product over all N·T rows.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        Gradient of the loss with respect to each h_t from outside the
        recurrence (the read-out); the recurrent part is added here.
    cache : dict
        From :func:`lstm_forward`.
    ds_last : ndarray, shape (N, H), optional
        Gradient with respect to the last cell state s_T, when s_T feeds
        something else (a decoder, the next chunk); zeros when omitted.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    ds0 : ndarray, shape (N, H)
    grads : dict of str to ndarray
        ``dU_k`` (H, D), ``dW_k`` (H, H), ``db_k`` (H,) for k in
        ``f, i, g, o``, and ``dp_f``, ``dp_i``, ``dp_o`` (H,) with peepholes.
    """
    c = cache
    T, N, H4 = c["gates"].shape
    H, dt = H4 // 4, c["gates"].dtype
    sh = Shapes(N=N, T=T, H=H)
    dh = sh.array("dh", dh, ("N", "T", "H")).astype(dt, copy=False)
    dh = np.ascontiguousarray(dh.transpose(1, 0, 2))  # (T, N, H)
    ds_T = np.zeros((N, H), dtype=dt)
    if ds_last is not None:
        ds_T += sh.array("ds_last", ds_last, ("N", "H"))
    da, dh0, ds0 = _lstm_backward_in_time(dh, ds_T, c)
    dx, grads = _lstm_input_and_weight_grads(da, c)
    return dx, dh0, ds0, grads


def _lstm_backward_in_time(dh, ds_t, c):
    """The recursion of :func:`lstm_backward` for ∇h and ∇s, from t = T down to 1.

    ``dh`` (T, N, H) is the gradient from outside the recurrence, time-major;
    ``ds_t`` (N, H) the gradient on s_T, updated in place. Returns ``da``
    (T, N, 4H), ∂L/∂a_k for the gates in the stacked order i, f, o, g, and
    the gradients on h_0 and s_0.
    """
    gates, s_all, tanh_s = c["gates"], c["s"], c["tanh_s"]
    p, peep = c["params"], c["peepholes"]
    T, N, H4 = gates.shape
    H, dt = H4 // 4, gates.dtype
    # W stacked in the order of `gates` (i, f, o, g), unscaled: (4H, H)
    W = np.concatenate([p[f"W_{k}"] for k in _LSTM_STACK])
    da = np.empty_like(gates)  # (T, N, 4H): ∂L/∂a_k for every gate and step
    dh_next = np.zeros((N, H), dtype=dt)  # what reaches h_t from step t+1
    tmp = np.empty((N, H), dtype=dt)
    dsig = np.empty((N, 3 * H), dtype=dt)
    for t in reversed(range(T)):
        s_prev = s_all[t - 1] if t > 0 else c["s0"]
        i, f, o, g = (gates[t, :, n * H : (n + 1) * H] for n in range(4))
        di, df, do, dg = (da[t, :, n * H : (n + 1) * H] for n in range(4))
        # σ'(a) = σ(1 - σ) for i, f, o at once
        np.subtract(1.0, gates[t, :, : 3 * H], out=dsig)
        dsig *= gates[t, :, : 3 * H]
        # ∇_{h_t} L: from the read-out and from step t+1
        dh_t = np.add(dh[t], dh_next, out=dh_next)
        # h_t = o_t ⊙ tanh(s_t): to a_o, and to s_t with tanh' = 1 - tanh²
        np.multiply(dh_t, tanh_s[t], out=do)
        do *= dsig[:, 2 * H :]
        np.multiply(tanh_s[t], tanh_s[t], out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= o
        tmp *= dh_t
        ds_t += tmp
        if peep:
            ds_t += do * p["p_o"]  # o_t also sees s_t
        # s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t
        np.multiply(ds_t, g, out=di)
        np.multiply(ds_t, s_prev, out=df)
        da[t, :, : 2 * H] *= dsig[:, : 2 * H]
        np.multiply(g, g, out=dg)
        np.subtract(1.0, dg, out=dg)
        dg *= i
        dg *= ds_t
        # the cell state's own path back in time (and through the peepholes)
        ds_t *= f
        if peep:
            ds_t += df * p["p_f"]
            ds_t += di * p["p_i"]
        dh_next = da[t] @ W  # (N, H): Σ_k W_kᵀ da_k
    return da, dh_next, ds_t


def _lstm_input_and_weight_grads(da, c):
    """∇x and the parameter gradients from ``da`` (T, N, 4H): sums over t, one product each."""
    p, peep, s_all = c["params"], c["peepholes"], c["s"]
    T, N, H4 = da.shape
    H, D = H4 // 4, c["xs"].shape[2]
    rows = da.reshape(T * N, H4)
    h_prev = np.concatenate([c["h0"][None], c["h"][:-1]])  # h_{t-1} for every t
    # ∇_U L = Σ_t da_t x_tᵀ, ∇_W L = Σ_t da_t h_{t-1}ᵀ, ∇_b L = Σ_t da_t, stacked
    dU = rows.T @ c["xs"].reshape(T * N, D)  # (4H, D)
    dW = rows.T @ h_prev.reshape(T * N, H)  # (4H, H)
    db = rows.sum(axis=0)  # (4H,)
    U = np.concatenate([p[f"U_{k}"] for k in _LSTM_STACK])  # (4H, D)
    dx = (rows @ U).reshape(T, N, D).transpose(1, 0, 2)  # (N, T, D)
    grads = {}
    for k in LSTM_GATES:
        block = slice(_LSTM_STACK.index(k) * H, (_LSTM_STACK.index(k) + 1) * H)
        grads[f"dU_{k}"] = dU[block]
        grads[f"dW_{k}"] = dW[block]
        grads[f"db_{k}"] = db[block]
    if peep:
        s_prev = np.concatenate([c["s0"][None], s_all[:-1]])  # s_{t-1} for every t
        grads["dp_f"] = np.einsum("tnh,tnh->h", da[..., H : 2 * H], s_prev)
        grads["dp_i"] = np.einsum("tnh,tnh->h", da[..., :H], s_prev)
        grads["dp_o"] = np.einsum("tnh,tnh->h", da[..., 2 * H : 3 * H], s_all)
    return np.ascontiguousarray(dx), grads


def cell_path_gain(f) -> np.ndarray:
    """The cell-state path's derivative ∂s_T/∂s_t = f_{t+1} ⊙ ... ⊙ f_T, averaged over units.

    Chapter 8, section *Why the cell state keeps gradients alive*: the direct
    path through the self-loop of equation ``lstm-s`` (the paths through h
    are left out), whose Jacobian is diagonal, diag(f_t) per step.

    Parameters
    ----------
    f : ndarray, shape (T, H)
        Forget-gate values of one sequence.

    Returns
    -------
    ndarray, shape (T,)
        Entry t (0-based) is the mean over units of Π_{k > t} f_k; the last is 1.
    """
    f = Shapes().array("f", f, ("T", "H")).astype(np.float64, copy=False)
    tail = np.ones_like(f)
    # Π_{k=t+1}^{T} f_k, accumulated from the end
    tail[:-1] = np.cumprod(f[::-1], axis=0)[::-1][1:]
    return tail.mean(axis=1)  # (T,)
