"""Gated recurrent cells, LSTM and GRU, with hand-written backward passes.

Chapter 8 ("Gated RNNs: LSTM and GRU"). Forward/backward pairs with caches,
batch first, in the book's notation: ``U`` multiplies the input, ``W`` the
previous hidden state, ``b`` is a bias, and a suffix names the gate (``U_f``
is the forget gate's input weights). Each example is a row, so ``W h`` for a
batch is ``h @ W.T``; σ is the logistic sigmoid and ⊙ the element-wise product.

LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
2000), equations ``lstm-f`` to ``lstm-h``::

    f_t = σ(b_f + U_f x_t + W_f h_{t-1} [+ p_f ⊙ s_{t-1}])   (lstm-f)  forget gate
    i_t = σ(b_i + U_i x_t + W_i h_{t-1} [+ p_i ⊙ s_{t-1}])   (lstm-i)  input gate
    g_t = tanh(b_g + U_g x_t + W_g h_{t-1})                  (lstm-g)  candidate
    s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t                          (lstm-s)  cell state
    o_t = σ(b_o + U_o x_t + W_o h_{t-1} [+ p_o ⊙ s_t])       (lstm-o)  output gate
    h_t = o_t ⊙ tanh(s_t)                                    (lstm-h)  hidden state

The bracketed terms are the optional peephole connections of Gers &
Schmidhuber (2000): diagonal weights ``p_f``, ``p_i``, ``p_o`` through which
the gates see the cell state (f and i the previous one, o the new one).

The cell state is called ``s``, not ``c``: in the book ``c`` is already the
output bias of ``o_t = c + V h_t``. Likewise ``o_t`` here is the output gate,
not the logits of chapter 1. How the names map::

    this module          Goodfellow et al. (2016) §10.10.1        torch.nn.LSTM
    -----------------    -------------------------------------    -------------
    f, U_f, W_f, b_f     forget gate f, U^f, W^f, b^f              f
    i, U_i, W_i, b_i     external input gate g, U^g, W^g, b^g      i
    g, U_g, W_g, b_g     the gated input, σ(b + U x + W h)         g
    o, U_o, W_o, b_o     output gate q, U^o, W^o, b^o              o
    s                    internal state s                          c

Beware the two g's: Goodfellow's superscript g marks the *input gate*
(here ``i``), while here and in torch ``g`` is the *candidate* that the input
gate lets through. Goodfellow writes a sigmoid for the candidate; this module,
like torch and most implementations, uses tanh, so that ``s`` can move in
both directions.

GRU (Cho et al. 2014; Goodfellow et al. 2016, §10.10.2), equations ``gru-u``
to ``gru-h``::

    u_t = σ(b_u + U_u x_t + W_u h_{t-1})                      (gru-u)  update gate
    r_t = σ(b_r + U_r x_t + W_r h_{t-1})                      (gru-r)  reset gate
    h̃_t = tanh(b_h + U_h x_t + W_h (r_t ⊙ h_{t-1}))           (gru-htilde)
    h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ h̃_t                     (gru-h)

That is the *reset-before* form of the book and of Cho et al.: the reset gate
scales ``h_{t-1}`` before the product with ``W_h``. ``torch.nn.GRU`` places
it *after* that product, together with a second candidate bias ``b_hn``::

    h̃_t = tanh(b_h + U_h x_t + r_t ⊙ (W_h h_{t-1} + b_hn))   (reset_after=True)

The two forms compute different functions in general (they agree only
when r_t = 1 and b_hn = 0), so every GRU function takes ``reset_after``:
``False`` for the book's form, ``True`` for torch's, which needs the extra
parameter ``b_hn`` (H,). In the reset-before form a hidden-side candidate bias would
simply add to ``b_h``, so there is none. Both forms interpolate the same way:
torch's ``h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}`` is (gru-h) with ``u = z``
and ``h̃ = n``::

    this module              Goodfellow §10.10.2            torch.nn.GRU
    ---------------------    ---------------------------    -------------------
    u, U_u, W_u, b_u         update gate u                  z
    r, U_r, W_r, b_r         reset gate r                   r
    h̃, U_h, W_h, b_h         the term σ(b + U x +           n, W_in, W_hn, b_in
                             W (r ⊙ h)); tanh here
    b_hn (reset_after only)  -                              b_hn

Goodfellow indexes the gates of step t with t - 1; here every quantity
computed at step t carries the index t.

Two implementations live side by side. The step functions
(:func:`lstm_step_forward`, :func:`gru_step_forward` and their backward
halves) follow the equations gate by gate and are the ones to read. The
sequence functions (:func:`lstm_forward`, :func:`lstm_backward`,
:func:`gru_forward`, :func:`gru_backward`) do the same arithmetic faster:
they stack the gates' weights into one ``(4H, D)``/``(4H, H)`` matrix (three
blocks for the GRU), compute every input term ``U x_t`` with one product
before the loop, keep only the recursion sequential, and compute the weight
gradients afterwards with one product over all N·T rows. The tests check
that both give the same numbers.

Only numpy is imported here; the torch converters are in
:mod:`textbook_rnn.gated_torch`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import Shapes, check_positive_int, float_dtype

__all__ = [
    "LSTM_GATES",
    "GRU_GATES",
    "sigmoid",
    "lstm_init",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "gru_init",
    "gru_step_forward",
    "gru_step_backward",
    "gru_step",
    "gru_forward",
    "gru_backward",
]

LSTM_GATES = ("f", "i", "g", "o")
"""The LSTM's gate suffixes, in the order parameters are drawn and listed."""

GRU_GATES = ("u", "r", "h")
"""The GRU's suffixes: update gate, reset gate, candidate h̃."""

PEEPHOLES = ("p_f", "p_i", "p_o")

# The sequence functions stack the LSTM gates in the order i, f, o, g: the
# three sigmoid gates side by side, and first the two that see s_{t-1}
# through peepholes (the output gate sees s_t, so it must wait for it).
_LSTM_STACK = ("i", "f", "o", "g")


def sigmoid(a):
    """The logistic function σ(a) = 1 / (1 + exp(-a)).

    For large negative ``a`` the intermediate ``exp(-a)`` overflows to inf,
    and 1 / (1 + inf) = 0 is the correctly rounded answer, so the overflow
    warning is silenced. The same function written as
    ``(1 + tanh(a / 2)) / 2``, which :func:`lstm_forward` uses for speed, is
    as accurate in absolute terms but not relative to σ(a) where σ(a) is tiny.

    Parameters
    ----------
    a : ndarray, any shape

    Returns
    -------
    ndarray, shape of ``a``
        Values in [0, 1].
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(a)))


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ applied in place (no temporary arrays), returning ``a``."""
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    return dtype


def _check_mapping(params) -> None:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")


def _check_missing(params, required) -> None:
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")


def _vote_sizes(params, gates, s: Shapes) -> None:
    """Fix H and D by majority over the gates, so that the odd matrix out is the one blamed."""
    for letter, prefix, axis in (("H", "W", 0), ("D", "U", 1)):
        sizes = []
        for k in gates:
            try:
                shape = np.shape(params[f"{prefix}_{k}"])
            except Exception:  # ragged lists: Shapes.array reports them below
                continue
            if len(shape) == 2:
                sizes.append(shape[axis])
        if sizes and letter not in s.dims:
            values, counts = np.unique(sizes, return_counts=True)
            if counts.max() > len(sizes) // 2 and values[counts.argmax()] > 0:
                s.dims[letter] = int(values[counts.argmax()])


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


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


def _cast(dt, *arrays):
    return tuple(a.astype(dt, copy=False) for a in arrays)


def _cast_params(dt, p: dict) -> dict:
    return {k: v.astype(dt, copy=False) for k, v in p.items()}


def _state(s: Shapes, name: str, value, N: int, dt) -> np.ndarray:
    """An initial state, zeros when ``value`` is None."""
    if value is None:
        return np.zeros((N, s.dims["H"]), dtype=dt)
    return s.array(name, value, ("N", "H"))


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
    p, peep = _lstm_params(params, sh)
    x_t = sh.array("x_t", x_t, ("N", "D"))
    h_prev = sh.array("h_prev", h_prev, ("N", "H"))
    s_prev = sh.array("s_prev", s_prev, ("N", "H"))
    dt = float_dtype(x_t, h_prev, s_prev, *p.values())
    x_t, h_prev, s_prev = _cast(dt, x_t, h_prev, s_prev)
    p = _cast_params(dt, p)

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
    gates, s_all, tanh_s, h_all = c["gates"], c["s"], c["tanh_s"], c["h"]
    p, peep = c["params"], c["peepholes"]
    T, N, H4 = gates.shape
    H = H4 // 4
    D = c["xs"].shape[2]
    dt = gates.dtype
    sh = Shapes(N=N, T=T, H=H)
    dh = sh.array("dh", dh, ("N", "T", "H")).astype(dt, copy=False)
    dh = np.ascontiguousarray(dh.transpose(1, 0, 2))  # (T, N, H)
    ds_t = np.zeros((N, H), dtype=dt)  # ∇_{s_t} L, accumulated in place
    if ds_last is not None:
        ds_t += sh.array("ds_last", ds_last, ("N", "H"))
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
    rows = da.reshape(T * N, H4)
    h_prev = np.concatenate([c["h0"][None], h_all[:-1]])  # h_{t-1} for every t
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
    return np.ascontiguousarray(dx), dh_next, ds_t, grads


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------


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
