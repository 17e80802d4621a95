"""Soft addressing of an external memory, forward and backward, in numpy.

The numpy core of the chapter "Explicit memory" (``chapters/10_memory.md``),
section *Soft addressing, step by step*. A memory ``M`` holds, for each of N
sequences, R rows of width C: shape ``(N, R, C)``. A head addresses it with
weights ``w`` of shape ``(N, R)``, non-negative and summing to one, computed
from the head's parameters in four steps (Graves et al., 2014)::

    K_i   = M_i . k / (|M_i| |k| + eps)           cosine similarity
    w^c   = softmax(beta K)                       (memory-content)
    w^g   = g w^c + (1 - g) w_prev                (memory-interpolate)
    w~_i  = sum_j s_j w^g_{(i - j + S) mod R}     (memory-shift)
    w_i   = w~_i^gamma / sum_l w~_l^gamma         (memory-sharpen)

then reads and writes with them::

    r     = sum_i w_i M_i                         (memory-read)
    M_i  <- M_i * (1 - w_i e) + w_i a             (memory-erase, memory-add)

Each step is a ``*_forward`` returning ``(out, cache)`` and a
``*_backward(dout, cache)`` returning the gradients in the order of the
forward's arguments. The public forwards check their arguments once; the
backwards trust the cache. :func:`hard_read_gradients` compares the exact
gradient of a sampled (hard) read with REINFORCE estimates of it (section
*Why soft addresses*). Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, as_rng, check_positive_int, float_dtype

__all__ = [
    "EPS",
    "content_weights_forward", "content_weights_backward",
    "interpolate_forward", "interpolate_backward",
    "shift_forward", "shift_backward",
    "sharpen_forward", "sharpen_backward",
    "address_forward", "address_backward", "address_steps",
    "read_forward", "read_backward",
    "write_forward", "write_backward",
    "hard_read_gradients",
]

EPS = 1e-8
"""Added to ``|M_i| |k|``: a zero key or a zero row has similarity 0 with everything."""


def _arrays(specs, **arrays):
    """Check named arrays against shape specs; cast them to one float dtype."""
    shapes = Shapes()
    out = [shapes.array(name, arrays[name], spec) for name, spec in specs]
    dtype = float_dtype(*out)
    for name, arr in zip((n for n, _ in specs), out, strict=True):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must hold finite numbers")
    return [a.astype(dtype, copy=False) for a in out], shapes.dims


def _softmax(z):
    """Softmax over the last axis, stable for large entries."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_backward(dw, w):
    """Gradient through w = softmax(z): dz = w * (dw - sum(dw * w))."""
    return w * (dw - (dw * w).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------------------
# Content-based addressing                                     (memory-content)
# ---------------------------------------------------------------------------


def _content_forward(M, k, beta):
    dot = np.einsum("nrc,nc->nr", M, k)  # M_i . k, (N, R)
    nM = np.linalg.norm(M, axis=2)  # |M_i|, (N, R)
    nk = np.linalg.norm(k, axis=1)  # |k|, (N,)
    den = nM * nk[:, None] + EPS
    # K_i = M_i . k / (|M_i| |k| + eps)
    K = dot / den
    # w^c = softmax(beta K)
    w = _softmax(beta[:, None] * K)
    return w, (M, k, beta, dot, nM, nk, den, K, w)


def content_weights_forward(M, k, beta):
    """Content-based weights: a softmax of beta times the cosine similarity to the key.

    Section *Content-based addressing*, equation ``memory-content``.
    A zero row (or a zero key) has similarity 0, because ``eps`` is added to
    the product of the norms; large ``beta`` is safe (a stable softmax).

    Parameters
    ----------
    M : ndarray, shape (N, R, C)
        The memory.
    k : ndarray, shape (N, C)
        The key.
    beta : ndarray, shape (N,)
        The key strength, beta >= 0.

    Returns
    -------
    w : ndarray, shape (N, R)
        The weights, each row summing to one.
    cache : tuple
        What :func:`content_weights_backward` needs.
    """
    (M, k, beta), _ = _arrays(
        [("M", ("N", "R", "C")), ("k", ("N", "C")), ("beta", ("N",))], M=M, k=k, beta=beta)
    return _content_forward(M, k, beta)


def content_weights_backward(dw, cache):
    """Gradients of :func:`content_weights_forward`: ``(dM, dk, dbeta)``.

    Parameters
    ----------
    dw : ndarray, shape (N, R)
        Gradient of the loss with respect to the weights.
    cache : tuple
        From the forward pass.

    Returns
    -------
    dM : ndarray, shape (N, R, C)
    dk : ndarray, shape (N, C)
    dbeta : ndarray, shape (N,)
    """
    M, k, beta, dot, nM, nk, den, K, w = cache
    dz = _softmax_backward(dw, w)  # (N, R)
    dbeta = (dz * K).sum(axis=1)
    dK = dz * beta[:, None]
    ddot = dK / den
    dden = -dK * dot / den**2
    # d|M_i| / dM_i = M_i / |M_i| (0 at a zero row); the same for k
    uM = M / np.where(nM > 0, nM, 1.0)[:, :, None]
    uk = k / np.where(nk > 0, nk, 1.0)[:, None]
    dM = ddot[:, :, None] * k[:, None, :] + (dden * nk[:, None])[:, :, None] * uM
    dk = np.einsum("nr,nrc->nc", ddot, M) + (dden * nM).sum(axis=1)[:, None] * uk
    return dM, dk, dbeta


# ---------------------------------------------------------------------------
# Interpolation with the previous weights                  (memory-interpolate)
# ---------------------------------------------------------------------------


def _interpolate_forward(w_c, w_prev, g):
    # w^g = g w^c + (1 - g) w_prev
    return g[:, None] * w_c + (1 - g[:, None]) * w_prev, (w_c, w_prev, g)


def interpolate_forward(w_c, w_prev, g):
    """Blend the content weights with the previous weights through the gate ``g``.

    Section *Interpolation*, equation ``memory-interpolate``.

    Parameters
    ----------
    w_c, w_prev : ndarray, shape (N, R)
        Content weights and the head's weights at the previous step.
    g : ndarray, shape (N,)
        The interpolation gate, in [0, 1].

    Returns
    -------
    w_g : ndarray, shape (N, R)
    cache : tuple
    """
    (w_c, w_prev, g), _ = _arrays(
        [("w_c", ("N", "R")), ("w_prev", ("N", "R")), ("g", ("N",))],
        w_c=w_c, w_prev=w_prev, g=g)
    return _interpolate_forward(w_c, w_prev, g)


def interpolate_backward(dw_g, cache):
    """Gradients of :func:`interpolate_forward`: ``(dw_c, dw_prev, dg)``.

    Parameters
    ----------
    dw_g : ndarray, shape (N, R)
    cache : tuple

    Returns
    -------
    dw_c, dw_prev : ndarray, shape (N, R)
    dg : ndarray, shape (N,)
    """
    w_c, w_prev, g = cache
    return g[:, None] * dw_g, (1 - g[:, None]) * dw_g, (dw_g * (w_c - w_prev)).sum(axis=1)


# ---------------------------------------------------------------------------
# Circular shift                                                 (memory-shift)
# ---------------------------------------------------------------------------


def _shift_forward(w_g, s):
    S = (s.shape[1] - 1) // 2
    # w~_i = sum_j s_j w^g_{(i - (j - S)) mod R}: shift weight j moves the focus by j - S
    w_s = sum(s[:, j:j + 1] * np.roll(w_g, j - S, axis=1) for j in range(s.shape[1]))
    return w_s, (w_g, s)


def shift_forward(w_g, s):
    """Circular convolution of the weights with the shift weights ``s``.

    Section *Circular shift*, equation ``memory-shift``. ``s`` has 2S + 1
    entries for the shifts -S, ..., S; shift +1 moves the focus from row i to
    row i + 1, and the last row's neighbour is the first.

    Parameters
    ----------
    w_g : ndarray, shape (N, R)
    s : ndarray, shape (N, 2S + 1)
        Shift weights, non-negative and summing to one; 2S + 1 <= R.

    Returns
    -------
    w_s : ndarray, shape (N, R)
    cache : tuple
    """
    (w_g, s), dims = _arrays([("w_g", ("N", "R")), ("s", ("N", "J"))], w_g=w_g, s=s)
    if dims["J"] % 2 == 0 or dims["J"] > dims["R"]:
        raise ValueError(f"s must have an odd number 2S + 1 <= R = {dims['R']} of columns "
                         f"(shifts -S..S), got shape {s.shape}")
    return _shift_forward(w_g, s)


def shift_backward(dw_s, cache):
    """Gradients of :func:`shift_forward`: ``(dw_g, ds)``.

    Parameters
    ----------
    dw_s : ndarray, shape (N, R)
    cache : tuple

    Returns
    -------
    dw_g : ndarray, shape (N, R)
    ds : ndarray, shape (N, 2S + 1)
    """
    w_g, s = cache
    S = (s.shape[1] - 1) // 2
    dw_g = sum(s[:, j:j + 1] * np.roll(dw_s, -(j - S), axis=1) for j in range(s.shape[1]))
    ds = np.stack([(dw_s * np.roll(w_g, j - S, axis=1)).sum(axis=1)
                   for j in range(s.shape[1])], axis=1)
    return dw_g, ds


# ---------------------------------------------------------------------------
# Sharpening                                                   (memory-sharpen)
# ---------------------------------------------------------------------------


def _sharpen_forward(w_s, gamma):
    # w_i = w~_i^gamma / sum_l w~_l^gamma
    p = w_s ** gamma[:, None]
    Z = p.sum(axis=1, keepdims=True)
    return p / Z, (w_s, gamma, p, Z, p / Z)


def sharpen_forward(w_s, gamma):
    """Raise the weights to the power ``gamma`` and renormalise them.

    Section *Sharpening*, equation ``memory-sharpen``.

    Parameters
    ----------
    w_s : ndarray, shape (N, R)
        Shifted weights, non-negative, not all zero.
    gamma : ndarray, shape (N,)
        The sharpening exponent, gamma >= 1.

    Returns
    -------
    w : ndarray, shape (N, R)
    cache : tuple
    """
    (w_s, gamma), _ = _arrays([("w_s", ("N", "R")), ("gamma", ("N",))], w_s=w_s, gamma=gamma)
    if np.any(w_s < 0) or np.any(w_s.sum(axis=1) <= 0):
        raise ValueError("w_s must be non-negative with a positive sum in every row")
    return _sharpen_forward(w_s, gamma)


def sharpen_backward(dw, cache):
    """Gradients of :func:`sharpen_forward`: ``(dw_s, dgamma)``.

    Parameters
    ----------
    dw : ndarray, shape (N, R)
    cache : tuple

    Returns
    -------
    dw_s : ndarray, shape (N, R)
    dgamma : ndarray, shape (N,)
    """
    w_s, gamma, p, Z, w = cache
    dp = (dw - (dw * w).sum(axis=1, keepdims=True)) / Z
    # d w~^gamma / d w~ = gamma w~^(gamma - 1); d w~^gamma / d gamma = w~^gamma log w~
    dw_s = dp * gamma[:, None] * w_s ** (gamma[:, None] - 1)
    logw = np.log(np.where(w_s > 0, w_s, 1.0))
    dgamma = (dp * p * logw).sum(axis=1)
    return dw_s, dgamma


# ---------------------------------------------------------------------------
# The four steps together
# ---------------------------------------------------------------------------


def address_forward(M, w_prev, k, beta, g, s, gamma):
    """A head's weights from its parameters: content, interpolation, shift, sharpening.

    Section *Soft addressing, step by step*, equations ``memory-content`` to
    ``memory-sharpen`` in order.

    Parameters
    ----------
    M : ndarray, shape (N, R, C)
    w_prev : ndarray, shape (N, R)
    k : ndarray, shape (N, C)
    beta, g, gamma : ndarray, shape (N,)
    s : ndarray, shape (N, 2S + 1)

    Returns
    -------
    w : ndarray, shape (N, R)
    cache : tuple
    """
    (M, w_prev, k, beta, g, s, gamma), dims = _arrays(
        [("M", ("N", "R", "C")), ("w_prev", ("N", "R")), ("k", ("N", "C")), ("beta", ("N",)),
         ("g", ("N",)), ("s", ("N", "J")), ("gamma", ("N",))],
        M=M, w_prev=w_prev, k=k, beta=beta, g=g, s=s, gamma=gamma)
    if dims["J"] % 2 == 0 or dims["J"] > dims["R"]:
        raise ValueError(f"s must have an odd number 2S + 1 <= R = {dims['R']} of columns "
                         f"(shifts -S..S), got shape {s.shape}")
    w_c, c1 = _content_forward(M, k, beta)
    w_g, c2 = _interpolate_forward(w_c, w_prev, g)
    w_s, c3 = _shift_forward(w_g, s)
    w, c4 = _sharpen_forward(w_s, gamma)
    return w, (c1, c2, c3, c4)


def address_backward(dw, cache):
    """Gradients of :func:`address_forward`: ``(dM, dw_prev, dk, dbeta, dg, ds, dgamma)``.

    Parameters
    ----------
    dw : ndarray, shape (N, R)
    cache : tuple

    Returns
    -------
    tuple of ndarray
        ``dM`` (N, R, C), ``dw_prev`` (N, R), ``dk`` (N, C), ``dbeta`` (N,),
        ``dg`` (N,), ``ds`` (N, 2S + 1), ``dgamma`` (N,).
    """
    c1, c2, c3, c4 = cache
    dw_s, dgamma = sharpen_backward(dw, c4)
    dw_g, ds = shift_backward(dw_s, c3)
    dw_c, dw_prev, dg = interpolate_backward(dw_g, c2)
    dM, dk, dbeta = content_weights_backward(dw_c, c1)
    return dM, dw_prev, dk, dbeta, dg, ds, dgamma


def address_steps(M, w_prev, k, beta, g, s, gamma) -> dict:
    """The weights after each addressing step, for one head (for figures and widgets).

    Section *Soft addressing, step by step*. The arguments are those of
    :func:`address_forward` for a single sequence, without the batch axis.

    Parameters
    ----------
    M : ndarray, shape (R, C)
    w_prev : ndarray, shape (R,)
    k : ndarray, shape (C,)
    beta, g, gamma : float
    s : ndarray, shape (2S + 1,)

    Returns
    -------
    dict of str to ndarray, shape (R,)
        ``"content"``, ``"interpolated"``, ``"shifted"`` and ``"sharpened"``:
        w^c, w^g, w~ and w.
    """
    batch = [np.asarray(v, dtype=np.float64)[None] for v in (M, w_prev, k, beta, g, s, gamma)]
    w, (c1, c2, c3, c4) = address_forward(*batch)
    return {"content": c1[-1][0], "interpolated": c3[0][0], "shifted": c4[0][0],
            "sharpened": w[0]}


# ---------------------------------------------------------------------------
# Reading and writing                        (memory-read, memory-erase, memory-add)
# ---------------------------------------------------------------------------


def read_forward(M, w):
    """The read vector: the rows of the memory averaged with the weights.

    Section *Reading and writing*, equation ``memory-read``.

    Parameters
    ----------
    M : ndarray, shape (N, R, C)
    w : ndarray, shape (N, R)

    Returns
    -------
    r : ndarray, shape (N, C)
    cache : tuple
    """
    (M, w), _ = _arrays([("M", ("N", "R", "C")), ("w", ("N", "R"))], M=M, w=w)
    # r = sum_i w_i M_i
    return np.einsum("nr,nrc->nc", w, M), (M, w)


def read_backward(dr, cache):
    """Gradients of :func:`read_forward`: ``(dM, dw)``.

    Parameters
    ----------
    dr : ndarray, shape (N, C)
    cache : tuple

    Returns
    -------
    dM : ndarray, shape (N, R, C)
    dw : ndarray, shape (N, R)
    """
    M, w = cache
    return w[:, :, None] * dr[:, None, :], np.einsum("nrc,nc->nr", M, dr)


def write_forward(M, w, e, a):
    """Erase, then add: the memory after one write.

    Section *Reading and writing*, equations ``memory-erase`` and ``memory-add``.

    Parameters
    ----------
    M : ndarray, shape (N, R, C)
    w : ndarray, shape (N, R)
    e : ndarray, shape (N, C)
        The erase vector, entries in [0, 1].
    a : ndarray, shape (N, C)
        The add vector.

    Returns
    -------
    M_new : ndarray, shape (N, R, C)
    cache : tuple
    """
    (M, w, e, a), _ = _arrays(
        [("M", ("N", "R", "C")), ("w", ("N", "R")), ("e", ("N", "C")), ("a", ("N", "C"))],
        M=M, w=w, e=e, a=a)
    keep = 1 - w[:, :, None] * e[:, None, :]  # 1 - w_i e, (N, R, C)
    # M_i <- M_i * (1 - w_i e) + w_i a
    return M * keep + w[:, :, None] * a[:, None, :], (M, w, e, a, keep)


def write_backward(dM_new, cache):
    """Gradients of :func:`write_forward`: ``(dM, dw, de, da)``.

    Parameters
    ----------
    dM_new : ndarray, shape (N, R, C)
    cache : tuple

    Returns
    -------
    dM : ndarray, shape (N, R, C)
    dw : ndarray, shape (N, R)
    de, da : ndarray, shape (N, C)
    """
    M, w, e, a, keep = cache
    dM = dM_new * keep
    dw = np.einsum("nrc,nrc->nr", dM_new, a[:, None, :] - M * e[:, None, :])
    de = -np.einsum("nrc,nrc,nr->nc", dM_new, M, w)
    da = np.einsum("nrc,nr->nc", dM_new, w)
    return dM, dw, de, da


# ---------------------------------------------------------------------------
# Why soft addresses: the gradient of a sampled read                  (REINFORCE)
# ---------------------------------------------------------------------------


def hard_read_gradients(M, z, target, *, n: int = 1000, baseline: bool = False, seed=0):
    """Exact and sampled gradients of a hard read whose address is drawn from softmax(z).

    Section *Why soft addresses*. One memory (R, C), address scores ``z``
    (R,), and the loss ``L_i = |M_i - target|^2 / 2`` of reading row i. The
    address i is drawn with probability ``p = softmax(z)``; the expected loss
    is ``sum_i p_i L_i`` and its exact gradient ``p * (L - sum_i p_i L_i)``.
    REINFORCE estimates it from one draw as ``(L_i - b) (onehot(i) - p)``,
    with ``b = sum_i p_i L_i`` when ``baseline`` (the best constant) else 0.

    Parameters
    ----------
    M : ndarray, shape (R, C)
    z : ndarray, shape (R,)
    target : ndarray, shape (C,)
    n : int
        Number of draws.
    baseline : bool
        Subtract the expected loss from each draw's loss.
    seed : int or numpy.random.Generator

    Returns
    -------
    exact : ndarray, shape (R,)
        The gradient of the expected loss with respect to ``z``.
    samples : ndarray, shape (n, R)
        One REINFORCE estimate per draw; their mean tends to ``exact``.
    """
    (M, z, target), _ = _arrays([("M", ("R", "C")), ("z", ("R",)), ("target", ("C",))],
                                M=M, z=z, target=target)
    n = check_positive_int("n", n)
    rng = as_rng(seed)
    p = _softmax(z)
    L = 0.5 * ((M - target) ** 2).sum(axis=1)  # (R,)
    expected = float(p @ L)
    exact = p * (L - expected)
    i = rng.choice(p.size, size=n, p=p)
    b = expected if baseline else 0.0
    samples = (L[i] - b)[:, None] * (np.eye(p.size)[i] - p)
    return exact, samples
