"""The vanilla recurrent network: forward pass and sequence loss.

Chapter 1 ("Recurrence and unfolding"), section *The forward pass*, equations
``rnn-a`` to ``rnn-loss``::

    a_t   = b + W h_{t-1} + U x_t          (rnn-a)
    h_t   = tanh(a_t)                      (rnn-h)
    o_t   = c + V h_t                      (rnn-o)
    ŷ_t   = softmax(o_t)                   (rnn-yhat)
    L     = -Σ_t log ŷ_t[y_t]              (rnn-loss, averaged over the batch)

Shapes are batch first: ``x`` is ``(N, T, D)``, states are ``(N, H)``,
``U`` is ``(H, D)``, ``W`` is ``(H, H)``, ``V`` is ``(K, H)``, ``b`` is ``(H,)``
and ``c`` is ``(K,)``. Row vectors are stored per example, so ``W h`` for a
batch is computed as ``h @ W.T``.

Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import Shapes, check_params, check_positive_int, float_dtype

__all__ = [
    "init_params",
    "rnn_step",
    "rnn_step_forward",
    "rnn_forward",
    "output_forward",
    "log_softmax",
    "softmax",
    "sequence_nll",
    "rnn_sequence",
    "state_trajectories",
    "state_gap",
]

#: The parameters of the vanilla RNN, in the order of the equations.
PARAM_NAMES = ("U", "W", "b", "V", "c")


def init_params(
    D: int,
    H: int,
    K: int,
    *,
    seed: int = 0,
    w_scale: float = 1.0,
    dtype=np.float64,
) -> dict[str, np.ndarray]:
    """Draw the parameters of a vanilla RNN (chapter 1, *The forward pass*).

    ``U``, ``W`` and ``V`` are Gaussian with variance ``1 / fan_in`` (so that
    ``a_t`` starts with entries of order one); ``W`` is then multiplied by
    ``w_scale``, the knob that chapter 1's widget turns. Biases start at zero.

    Parameters
    ----------
    D, H, K : int
        Input, hidden and output sizes.
    seed : int
        Seed of the ``numpy.random.default_rng`` that draws the weights.
    w_scale : float
        Multiplier applied to the recurrent matrix ``W``.
    dtype : numpy dtype
        ``float64`` (default) or ``float32``.

    Returns
    -------
    dict of str to ndarray
        ``U`` (H, D), ``W`` (H, H), ``V`` (K, H), ``b`` (H,), ``c`` (K,).
    """
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    K = check_positive_int("K", K)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    rng = np.random.default_rng(seed)
    params = {
        "U": rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D)),
        "W": w_scale * rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H)),
        "V": rng.normal(0.0, 1.0 / np.sqrt(H), size=(K, H)),
        "b": np.zeros(H),
        "c": np.zeros(K),
    }
    return {name: value.astype(dtype) for name, value in params.items()}


def rnn_step_forward(x_t, h_prev, U, W, b):
    """One step of the recurrence, equations ``rnn-a`` and ``rnn-h``.

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Inputs at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    U : ndarray, shape (H, D)
        Input-to-hidden weights.
    W : ndarray, shape (H, H)
        Hidden-to-hidden weights.
    b : ndarray, shape (H,)
        Hidden bias.

    Returns
    -------
    h_t : ndarray, shape (N, H)
        The new hidden state.
    cache : tuple
        ``(x_t, h_prev, h_t, U, W)``, what the backward pass of chapter 2 needs.
    """
    x_t, h_prev, U, W, b = _check_recurrence_args(x_t, h_prev, U, W, b, step=True)
    h_t = _step(x_t @ U.T + b, h_prev, W)  # (N, H)
    return h_t, (x_t, h_prev, h_t, U, W)


def rnn_step(x_t, h_prev, U, W, b):
    """Return only ``h_t`` from :func:`rnn_step_forward` (the chapter 1 exercise)."""
    return rnn_step_forward(x_t, h_prev, U, W, b)[0]


def rnn_forward(x, h0, U, W, b):
    """Run the recurrence over a whole sequence (unfolding, chapter 1).

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    U : ndarray, shape (H, D)
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,)

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states h_1 ... h_T (h0 is not included).
    cache : tuple
        ``(x, h0, h, U, W)``.
    """
    x, h0, U, W, b = _check_recurrence_args(x, h0, U, W, b)
    # The input term U x_t + b does not depend on the recurrence: one matmul for all t.
    drive = x @ U.T + b  # (N, T, H)
    h = _recurrence(drive, h0, W)  # (N, T, H)
    return h, (x, h0, h, U, W)


def _check_recurrence_args(x, h0, U, W, b, *, step: bool = False):
    """Check the arguments of a forward pass (one step if ``step``); cast them to one dtype."""
    s = Shapes()
    x = s.array("x_t" if step else "x", x, ("N", "D") if step else ("N", "T", "D"))
    h0 = s.array("h_prev" if step else "h0", h0, ("N", "H"))
    U = s.array("U", U, ("H", "D"))
    W = s.array("W", W, ("H", "H"))
    b = s.array("b", b, ("H",))
    dt = float_dtype(x, h0, U, W, b)
    return tuple(arr.astype(dt, copy=False) for arr in (x, h0, U, W, b))


def _recurrence(drive, h0, W, phi=np.tanh):
    """h_t = φ(W h_{t-1} + drive_t) for t = 1 .. T, unchecked (``rnn-a``, ``rnn-h``).

    The one loop of the package that runs a recurrence forward: ``drive`` holds
    the input term U x_t + b of every step, computed by the caller.

    Parameters
    ----------
    drive : ndarray, shape (N, T, H)
        U x_t + b for every step.
    h0 : ndarray, shape (N, H)
        Initial state.
    W : ndarray, shape (H, H)
        Hidden-to-hidden weights.
    phi : callable
        The nonlinearity, elementwise (tanh unless chapter 2 or 6 asks otherwise;
        see :mod:`textbook_rnn.activations`).

    Returns
    -------
    ndarray, shape (N, T, H)
        h_1 ... h_T.
    """
    h = np.empty(drive.shape, dtype=np.result_type(drive, h0, W))
    h_prev = h0
    for t in range(drive.shape[1]):
        h_prev = _step(drive[:, t], h_prev, W, phi)
        h[:, t] = h_prev
    return h


def _step(drive_t, h_prev, W, phi=np.tanh):
    """One step h_t = φ(W h_{t-1} + U x_t + b), unchecked; ``drive_t`` is U x_t + b, (N, H)."""
    # a_t = b + W h_{t-1} + U x_t          (N, H)
    a_t = drive_t + h_prev @ W.T
    # h_t = φ(a_t)
    return phi(a_t)


def output_forward(h, V, c):
    """Affine read-out at every step, equation ``rnn-o``: o_t = c + V h_t.

    Parameters
    ----------
    h : ndarray, shape (N, T, H)
    V : ndarray, shape (K, H)
    c : ndarray, shape (K,)

    Returns
    -------
    o : ndarray, shape (N, T, K)
        Logits.
    cache : tuple
        ``(h, V)``.
    """
    s = Shapes()
    h = s.array("h", h, ("N", "T", "H"))
    V = s.array("V", V, ("K", "H"))
    c = s.array("c", c, ("K",))
    dt = float_dtype(h, V, c)
    h, V, c = (arr.astype(dt, copy=False) for arr in (h, V, c))
    return _readout(h, V, c), (h, V)


def _readout(h, V, c):
    """o_t = c + V h_t at every step, unchecked (``rnn-o``); shapes as in :func:`output_forward`."""
    # o_t = c + V h_t          (N, T, K)
    return h @ V.T + c


def log_softmax(o, axis: int = -1):
    """Numerically stable log of the softmax, equation ``rnn-yhat``.

    Subtracting the largest logit before exponentiating leaves the result
    unchanged (softmax is shift invariant) and keeps ``exp`` from overflowing.

    Parameters
    ----------
    o : ndarray, any shape
        Logits.
    axis : int
        The axis holding the K classes.

    Returns
    -------
    ndarray, same shape as ``o``
        ``log softmax(o)`` along ``axis``.
    """
    try:
        o = np.asarray(o)
    except Exception as exc:  # ragged nested lists
        raise TypeError(f"o could not be converted to an array: {exc}") from None
    if o.dtype.kind not in "fiub":
        raise TypeError(f"o must hold real numbers, got dtype {o.dtype}")
    if o.ndim == 0:
        raise ValueError("o must have at least one dimension (the classes), got a scalar")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -o.ndim <= axis < o.ndim:
        raise ValueError(f"axis {axis} is out of range for o of shape {o.shape}")
    if o.shape[axis] == 0:
        raise ValueError(f"o has no classes: axis {axis} of o is empty, got shape {o.shape}")
    return _log_softmax(o.astype(float_dtype(o), copy=False), axis)


def _log_softmax(o, axis: int = -1):
    """Log softmax(o) along ``axis``, unchecked: the arithmetic of :func:`log_softmax`."""
    # log softmax(o) = (o - max o) - log Σ exp(o - max o): nothing overflows
    shifted = o - o.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(o, axis: int = -1):
    """Softmax along ``axis`` (equation ``rnn-yhat``), computed from :func:`log_softmax`."""
    return np.exp(log_softmax(o, axis=axis))


def sequence_nll(o, y) -> float:
    """Sequence negative log-likelihood, equation ``rnn-loss``.

    L = (1/N) Σ_n Σ_t -log softmax(o[n, t])[y[n, t]]: summed over time,
    averaged over the batch.

    Parameters
    ----------
    o : ndarray, shape (N, T, K)
        Logits.
    y : ndarray of int, shape (N, T)
        Target classes in ``0 .. K-1``.

    Returns
    -------
    float
        The loss.
    """
    o, y = _check_logits_and_targets(o, y)
    return _sequence_nll(o, y)


def _check_logits_and_targets(o, y):
    """Check logits ``o`` (N, T, K) and class targets ``y`` (N, T); return both."""
    s = Shapes()
    o = s.array("o", o, ("N", "T", "K"))
    y = _check_targets(y, s)
    return o.astype(float_dtype(o), copy=False), y


def _check_targets(y, s: Shapes):
    """Check class targets ``y`` (N, T) in 0 .. K-1, with N, T and K known to ``s``."""
    y = s.array("y", y, ("N", "T"), integer=True)
    K = s.dims["K"]
    if y.min() < 0 or y.max() >= K:
        raise ValueError(f"y must hold class indices in 0..{K - 1} (K={K}), got values "
                         f"from {y.min()} to {y.max()}")
    return y


def _sequence_nll(o, y) -> float:
    """The loss ``rnn-loss``, unchecked; shapes as in :func:`sequence_nll`."""
    logp = _log_softmax(o, axis=-1)  # (N, T, K)
    # L = (1/N) Σ_n Σ_t -log ŷ_t[y_t]
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]  # (N, T)
    return float(-picked.sum() / o.shape[0])


def rnn_sequence(x, params: dict, h0=None):
    """Unfold the whole network over ``x``: hidden states and logits.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    params : dict
        ``U``, ``W``, ``b``, ``V``, ``c`` as returned by :func:`init_params`.
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    h : ndarray, shape (N, T, H)
    o : ndarray, shape (N, T, K)
    """
    x, h0, p = _check_rnn_args(x, params, h0)
    h = _recurrence(x @ p["U"].T + p["b"], h0, p["W"])
    return h, _readout(h, p["V"], p["c"])


def _check_rnn_args(x, params: dict, h0=None):
    """Check the arguments of the whole network once, for every function that runs it.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    params : dict
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,).
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    x : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
    params : dict of str to ndarray
        The five checked arrays, all of one floating dtype (as are ``x`` and ``h0``).
    """
    check_params(params, PARAM_NAMES)
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    p = {
        "U": s.array("params['U']", params["U"], ("H", "D")),
        "W": s.array("params['W']", params["W"], ("H", "H")),
        "b": s.array("params['b']", params["b"], ("H",)),
        "V": s.array("params['V']", params["V"], ("K", "H")),
        "c": s.array("params['c']", params["c"], ("K",)),
    }
    if h0 is not None:
        h0 = s.array("h0", h0, ("N", "H"))
    dt = float_dtype(x, *p.values(), *([] if h0 is None else [h0]))
    if h0 is None:
        h0 = np.zeros((s.dims["N"], s.dims["H"]), dtype=dt)
    p = {name: value.astype(dt, copy=False) for name, value in p.items()}
    return x.astype(dt, copy=False), h0.astype(dt, copy=False), p


# --- the hidden state as a dynamical system (drawn in chapter 1) ----------------------------

def state_trajectories(W, h0, T: int, *, U=None, b=None, x=None) -> np.ndarray:
    """Iterate the recurrence (equations ``rnn-a`` and ``rnn-h``) from several initial states.

    Chapter 1, section *Dynamical systems and unfolding*: the paths drawn by
    :func:`textbook_rnn.figures.recurrence.plot_phase_portrait`.

    With no input (the default) this is the autonomous system
    ``h_t = f(h_{t-1})`` of equation ``dyn-free``. The work is done by
    :func:`rnn_forward`, with the initial states as the batch.

    Parameters
    ----------
    W : ndarray, shape (H, H)
        Recurrent weights.
    h0 : ndarray, shape (N, H)
        N initial states.
    T : int
        Number of steps.
    U : ndarray, shape (H, D), optional
        Input weights; needed only with ``x``.
    b : ndarray, shape (H,), optional
        Bias; zero when omitted.
    x : ndarray, shape (N, T, D), optional
        Inputs; none (zeros) when omitted.

    Returns
    -------
    ndarray, shape (N, T + 1, H)
        ``h_0, h_1, ..., h_T`` for each initial state.
    """
    T = check_positive_int("T", T)
    s = Shapes()
    W = s.array("W", W, ("H", "H"))
    h0 = s.array("h0", h0, ("N", "H"))
    N, H = h0.shape
    if x is None:
        if U is not None:
            raise ValueError("U was given without x; pass both or neither")
        x = np.zeros((N, T, 1))
        U = np.zeros((H, 1))
    elif U is None:
        raise ValueError("x was given without U; pass both or neither")
    else:
        x = s.array("x", x, ("N", "T", "D"))
        if x.shape[1] != T:
            raise ValueError(f"x must have T={T} steps, got shape {x.shape}")
    b = np.zeros(H) if b is None else b
    h, _ = rnn_forward(x, h0, U, W, b)
    return np.concatenate([h0[:, None, :].astype(h.dtype), h], axis=1)


def state_gap(params: Mapping, x_a, x_b, h0=None) -> np.ndarray:
    """Distance between the states reached from two input histories, step by step.

    Chapter 1, section *Dynamical systems and unfolding*: how fast a network
    forgets where it came from (drawn by
    :func:`textbook_rnn.figures.recurrence.plot_state_gap`).

    Parameters
    ----------
    params : dict
        ``U``, ``W``, ``b`` of a recurrent network (``V`` and ``c`` are ignored).
    x_a, x_b : ndarray, shape (N, T, D)
        Two batches of input sequences.
    h0 : ndarray, shape (N, H), optional
        Common initial state; zeros when omitted.

    Returns
    -------
    ndarray, shape (N, T)
        ``‖h_t(x_a) − h_t(x_b)‖`` (Euclidean norm) for every sequence and step.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in ("U", "W", "b") if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    s = Shapes()
    x_a = s.array("x_a", x_a, ("N", "T", "D"))
    x_b = s.array("x_b", x_b, ("N", "T", "D"))
    W = s.array("params['W']", params["W"], ("H", "H"))
    if h0 is None:
        h0 = np.zeros((x_a.shape[0], W.shape[0]))
    h_a, _ = rnn_forward(x_a, h0, params["U"], W, params["b"])
    h_b, _ = rnn_forward(x_b, h0, params["U"], W, params["b"])
    return np.linalg.norm(h_a - h_b, axis=2)
