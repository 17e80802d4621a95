"""Gradient clipping (chapter 9, "Optimisation for long-term dependencies").

Section *Clipping gradients* (Goodfellow et al. 2016, §10.11.1). Where the
loss surface of a recurrent network has a cliff, one gradient step can throw
the parameters far away. Clipping bounds the step. Two variants, equations
``clip-norm`` and ``clip-elementwise``::

    g ← g · v / ‖g‖   if ‖g‖ > v                        (clip-norm)
    g_j ← min(max(g_j, -v), v)   for every entry j       (clip-elementwise)

Norm clipping (Pascanu et al. 2013) treats all parameters' gradients as one
vector ``g`` and rescales it: the step keeps its direction and only its
length is bounded. Element-wise clipping (Mikolov 2012) bounds each entry on
its own, which in general changes the direction of the step. Both are
heuristics; in practice they behave similarly.

The functions take and return dicts of gradients named as everywhere in the
package (``dW``, ``dU_f``, ...), never modify their input, and import only
numpy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import Shapes, check_positive_float, real_values

__all__ = [
    "CLIP_MODES",
    "global_norm",
    "clip_by_global_norm",
    "clip_elementwise",
    "clip_gradients",
    "clip_vectors",
    "turn_angle",
]

#: The two ways to clip: ``clip-norm`` and ``clip-elementwise``.
CLIP_MODES = ("norm", "elementwise")


def _check_grads(grads) -> dict[str, np.ndarray]:
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    return {name: real_values(f"grads[{name!r}]", value) for name, value in grads.items()}


def global_norm(grads) -> float:
    """The L2 norm of all gradients taken together as one vector.

    ‖g‖ = sqrt(Σ_name Σ_j grads[name]_j²), computed in float64.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients of any shapes.

    Returns
    -------
    float
        The global norm (0.0 for an empty dict).
    """
    grads = _check_grads(grads)
    squares = [np.sum(np.square(g, dtype=np.float64)) for g in grads.values()]
    return float(np.sqrt(np.sum(squares, dtype=np.float64)))


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most ``max_norm``.

    Equation ``clip-norm`` (Pascanu et al. 2013; Goodfellow et al. 2016,
    §10.11.1): when ‖g‖ > ``max_norm`` every gradient is multiplied by the
    same factor ``max_norm / ‖g‖``, so the update keeps its direction and its
    norm becomes ``max_norm``; otherwise the gradients are returned unchanged.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients of any shapes, e.g. ``{"dW": (H, H), "dU": (H, D), ...}``.
        Not modified.
    max_norm : float
        Threshold v > 0.

    Returns
    -------
    clipped : dict of str to ndarray
        New arrays (never the input's), same keys, shapes and floating types.
    norm : float
        The global norm ‖g‖ *before* clipping, worth logging: how often and
        by how much it exceeds ``max_norm`` tells whether clipping is active.

    Raises
    ------
    ValueError
        If the norm is not finite (a gradient holds inf or nan): rescaling
        cannot repair such a step, and silently turning it into zeros or nans
        would hide the problem.
    """
    max_norm = check_positive_float("max_norm", max_norm)
    grads = _check_grads(grads)
    norm = global_norm(grads)
    if not np.isfinite(norm):
        bad = [k for k, g in grads.items() if not np.all(np.isfinite(g))]
        raise ValueError(f"the gradient norm is {norm}: grads {', '.join(map(repr, bad))} "
                         "hold inf or nan")
    return _rescale(grads, norm, max_norm), norm


def _rescale(grads, norm: float, max_norm: float) -> dict[str, np.ndarray]:
    """Equation ``clip-norm`` on checked gradients of finite global norm ``norm``.

    What :func:`clip_by_global_norm` runs once it has measured ‖g‖.
    """
    scale = max_norm / norm if norm > max_norm else 1.0
    clipped = {}
    for name, g in grads.items():
        dt = g.dtype if g.dtype.kind == "f" else np.dtype(np.float64)
        # g ← g · v / ‖g‖                                        (clip-norm)
        clipped[name] = (g * scale).astype(dt, copy=False) if scale != 1.0 else g.astype(dt)
    return clipped


def clip_elementwise(grads, threshold) -> dict[str, np.ndarray]:
    """Clip every gradient entry to [-threshold, threshold].

    Equation ``clip-elementwise`` (Mikolov 2012; Goodfellow et al. 2016,
    §10.11.1). Unlike :func:`clip_by_global_norm` this changes the direction
    of the update whenever some entries are clipped and others are not: a
    gradient ``(10, 1)`` clipped at 1 becomes ``(1, 1)``, which points
    elsewhere. The norm of the result is at most ``threshold`` times the
    square root of the number of entries.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients of any shapes. Not modified.
    threshold : float
        Bound v > 0 on the absolute value of each entry.

    Returns
    -------
    dict of str to ndarray
        New arrays, same keys, shapes and floating types (integer input
        becomes float64). nan entries stay nan.
    """
    threshold = check_positive_float("threshold", threshold)
    clipped = {}
    for name, g in _check_grads(grads).items():
        dt = g.dtype if g.dtype.kind == "f" else np.dtype(np.float64)
        # g_j ← min(max(g_j, -v), v)                               (clip-elementwise)
        clipped[name] = np.clip(g.astype(dt), -threshold, threshold)
    return clipped


def check_clip_mode(mode) -> str:
    """Return ``mode`` after checking that it is one of :data:`CLIP_MODES`."""
    if mode not in CLIP_MODES:
        raise ValueError(f"mode must be one of {CLIP_MODES}, got {mode!r}")
    return mode


def clip_gradients(grads, threshold, mode: str = "norm") -> dict[str, np.ndarray]:
    """Clip ``grads`` by their global norm (``clip-norm``) or entry by entry (``clip-elementwise``).

    The one switch between the two rules, for the training loops of the
    package (:func:`textbook_rnn.train_numpy.train`, :func:`textbook_rnn.cliff.descend`).

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients of any shapes. Not modified.
    threshold : float
        The threshold v > 0.
    mode : {"norm", "elementwise"}
        Which rule: :func:`clip_by_global_norm` or :func:`clip_elementwise`.

    Returns
    -------
    dict of str to ndarray
        New arrays, same keys and shapes.
    """
    if check_clip_mode(mode) == "norm":
        # g ← g v / ‖g‖ if ‖g‖ > v                                  (clip-norm)
        return clip_by_global_norm(grads, threshold)[0]
    # g_j ← min(max(g_j, −v), v)                                    (clip-elementwise)
    return clip_elementwise(grads, threshold)


# --- many small gradients at once, to draw what clipping does ----------------------------


def clip_vectors(G, threshold: float, mode: str) -> np.ndarray:
    """Clip each row of ``G`` on its own, by norm (``clip-norm``) or entry by entry.

    Chapter 9, section *What each rule does to the direction*. Each row is a
    whole gradient here (unlike :func:`clip_by_global_norm`, which treats a
    whole dict as one gradient), so that many gradients can be drawn at once.

    Parameters
    ----------
    G : ndarray, shape (M, P)
        M gradients with P entries each.
    threshold : float
        v > 0.
    mode : {"norm", "elementwise"}

    Returns
    -------
    ndarray, shape (M, P)
    """
    G = Shapes().array("G", G, ("M", "P")).astype(np.float64, copy=False)
    threshold = check_positive_float("threshold", threshold)
    if mode == "norm":
        norms = np.linalg.norm(G, axis=1, keepdims=True)  # (M, 1)
        # g ← g · v / ‖g‖ where ‖g‖ > v
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(norms > threshold, threshold / norms, 1.0)
        return G * scale
    if mode == "elementwise":
        # g_j ← min(max(g_j, -v), v)
        return np.clip(G, -threshold, threshold)
    raise ValueError(f"mode must be 'norm' or 'elementwise', got {mode!r}")


def turn_angle(G, clipped) -> np.ndarray:
    """The angle, in degrees, between each gradient and its clipped version.

    Chapter 9, section *What each rule does to the direction*.

    Parameters
    ----------
    G, clipped : ndarray, shape (M, P)

    Returns
    -------
    ndarray, shape (M,)
        0 where the direction is kept; nan for a zero gradient.
    """
    s = Shapes()
    G = s.array("G", G, ("M", "P")).astype(np.float64, copy=False)
    clipped = s.array("clipped", clipped, ("M", "P")).astype(np.float64, copy=False)
    a = np.linalg.norm(G, axis=1, keepdims=True)
    b = np.linalg.norm(clipped, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        u, v = G / a, clipped / b
        # 2 atan2(|u - v|, |u + v|): accurate for small angles, where arccos of the cosine is not
        angle = 2.0 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))
    return np.where((a[:, 0] > 0) & (b[:, 0] > 0), np.degrees(angle), np.nan)
