"""A one-unit recurrent network whose loss has a cliff, and gradient descent on it.

The chapter "Optimisation for long-term dependencies"
(``chapters/09_optimisation.md``), section *A cliff in the loss*. The
chapter on long-term dependencies showed that the one-unit map
h ↦ tanh(w h + b), composed with itself, turns into a step; here it becomes
a loss surface over the two parameters (w, b), and we walk on that surface
with gradient descent, with and without clipping. The equations::

    h_t = tanh(w h_{t-1} + b),   t = 1 .. T                    (opt-cliff-map)
    L(w, b) = ½ (h_T - y)²                                      (opt-cliff-loss)
    δ_T = h_T - y,   δ_{t-1} = w (1 - h_t²) δ_t                (opt-cliff-delta)
    ∂L/∂w = Σ_t (1 - h_t²) δ_t h_{t-1},  ∂L/∂b = Σ_t (1 - h_t²) δ_t   (opt-cliff-grad)
    b_c(w) = w s - artanh(s),   s = √(1 - 1/w),   w > 1       (opt-fold)
    θ ← θ - η g                                                 (opt-gd)

Here δ_t = ∂L/∂h_t is the gradient that back-propagation through time
(``chapters/02_bptt.md``) carries from h_T back to h_t. For w > 1 the map has two stable
fixed points when |b| < b_c(w); starting from h_0 < 0, the state settles on
the negative one until b crosses b_c(w), where that fixed point disappears
(a saddle-node bifurcation) and h_T jumps to the positive one. Near that
curve L changes by a large amount over a short distance: the cliff. A plain
gradient step (``opt-gd``) that lands on its face is multiplied by an
enormous slope; clipping (``clip-norm``, ``clip-elementwise``, implemented in
:mod:`textbook_rnn.clipping`) bounds it.

Every function broadcasts over arrays of ``w`` and ``b``, so one call
computes a whole loss surface. Only numpy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_positive_float, check_positive_int, check_real, real_array
from .clipping import check_clip_mode, clip_gradients
from .dynamics import _one_unit_orbit

__all__ = [
    "SETUP",
    "cliff_forward",
    "cliff_loss",
    "cliff_loss_and_grad",
    "fold_bias",
    "loss_surface",
    "Trajectory",
    "descend",
]

#: The setting the chapter uses: start h_0, number of steps T, target y.
SETUP = {"h0": -1.0, "T": 20, "target": -0.6}


def _check_setup(h0, T, target=0.0) -> tuple[float, int, float]:
    """Check the chapter's setting (start, length, target) once."""
    return check_real("h0", h0), check_positive_int("T", T), check_real("target", target)


def _check_wb(w, b) -> tuple[np.ndarray, np.ndarray]:
    """Check w and b: finite real numbers or arrays that broadcast together."""
    w, b = real_array("w", w), real_array("b", b)
    try:
        np.broadcast_shapes(w.shape, b.shape)
    except ValueError:
        raise ValueError(f"w and b must broadcast together, got shapes {w.shape} and "
                         f"{b.shape}") from None
    return w, b


def _out(x: np.ndarray):
    """A 0-d array as a Python float, anything else unchanged."""
    return float(x) if x.ndim == 0 else x


def cliff_forward(w, b, *, h0: float = SETUP["h0"], T: int = SETUP["T"]) -> np.ndarray:
    """Iterate the one-unit recurrence ``opt-cliff-map`` for T steps.

    Section *A cliff in the loss*.

    Parameters
    ----------
    w, b : float or ndarray
        Recurrent weight and bias; they broadcast against each other (pass
        a grid to sweep the parameter plane).
    h0 : float
        Initial state.
    T : int
        Number of steps.

    Returns
    -------
    ndarray, shape (T+1,) + broadcast shape of w and b
        ``h_0, h_1, ..., h_T``.
    """
    w, b = _check_wb(w, b)
    h0, T, _ = _check_setup(h0, T)
    # h_t = tanh(w h_{t-1} + b), the map of the chapter on long-term dependencies
    return _one_unit_orbit(h0, w, b, T)


def cliff_loss(w, b, *, h0: float = SETUP["h0"], T: int = SETUP["T"],
               target: float = SETUP["target"]):
    """The loss ``opt-cliff-loss``, L(w, b) = ½ (h_T − y)², at one point or a grid.

    Section *A cliff in the loss*.

    Parameters
    ----------
    w, b : float or ndarray
        Parameters; they broadcast against each other.
    h0 : float
        Initial state.
    T : int
        Number of steps.
    target : float
        The target y for the last state.

    Returns
    -------
    float or ndarray
        A float for scalar ``w`` and ``b``, else an array of their broadcast shape.
    """
    w, b = _check_wb(w, b)
    return _out(_loss_and_grad(w, b, *_check_setup(h0, T, target), grad=False)[0])


def cliff_loss_and_grad(w, b, *, h0: float = SETUP["h0"], T: int = SETUP["T"],
                        target: float = SETUP["target"]):
    """The loss and its exact gradient by back-propagation through time.

    Section *A cliff in the loss*, equations ``opt-cliff-delta`` and
    ``opt-cliff-grad``: run the recurrence forward keeping every h_t, then
    carry δ_t = ∂L/∂h_t backwards from δ_T = h_T − y, adding each step's
    contribution to the two sums. The same algorithm as the BPTT of ``chapters/02_bptt.md``,
    for one unit, no input and a loss on the last state only.

    Parameters
    ----------
    w, b : float or ndarray
        Parameters; they broadcast against each other.
    h0 : float
        Initial state.
    T : int
        Number of steps.
    target : float
        The target y.

    Returns
    -------
    loss, dw, db : float or ndarray
        L, ∂L/∂w and ∂L/∂b; floats for scalar ``w`` and ``b``, else arrays of
        their broadcast shape.
    """
    w, b = _check_wb(w, b)
    loss, dw, db = _loss_and_grad(w, b, *_check_setup(h0, T, target))
    return _out(loss), _out(dw), _out(db)


def _loss_and_grad(w, b, h0: float, T: int, target: float, grad: bool = True):
    """The body of :func:`cliff_loss_and_grad`, unchecked; ``grad=False`` skips the gradient."""
    h = _one_unit_orbit(h0, w, b, T)  # h_0 .. h_T                    (opt-cliff-map)
    loss = 0.5 * (h[-1] - target) ** 2  # L = ½ (h_T - y)²            (opt-cliff-loss)
    if not grad:
        return loss, None, None
    delta = h[-1] - target  # δ_T = ∂L/∂h_T
    dw = np.zeros_like(delta)
    db = np.zeros_like(delta)
    for t in range(T, 0, -1):
        # ∂L/∂a_t, where a_t = w h_{t-1} + b
        da = (1.0 - h[t] ** 2) * delta
        # one term of each sum                        (opt-cliff-grad)
        dw = dw + da * h[t - 1]
        db = db + da
        # δ_{t-1} = w (1 - h_t²) δ_t                  (opt-cliff-delta)
        delta = w * da
    return loss, dw, db


def fold_bias(w):
    """Where the negative fixed point of h ↦ tanh(w h + b) disappears: b_c(w), ``opt-fold``.

    Section *A cliff in the loss*. For w > 1 the map has a stable fixed
    point on each side of zero as long as |b| < b_c(w). At b = b_c(w) the
    negative one merges with the unstable fixed point in between (there
    h = tanh(w h + b) and the slope w (1 − h²) equals 1, so
    h = −√(1 − 1/w)) and vanishes. A state that starts below zero then jumps
    to the positive fixed point: for a long sequence, h_T, and with it the
    loss, changes abruptly across the curve b = b_c(w).

    Parameters
    ----------
    w : float or ndarray
        Recurrent weights.

    Returns
    -------
    float or ndarray
        b_c(w) = w s − artanh(s) with s = √(1 − 1/w); nan where w ≤ 1 (one
        fixed point only, no fold).
    """
    w = real_array("w", w)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sqrt(np.where(w > 1, 1.0 - 1.0 / w, np.nan))
        bc = w * s - np.arctanh(s)
    return _out(np.where(w > 1, bc, np.nan))


def loss_surface(w_values, b_values, *, h0: float = SETUP["h0"], T: int = SETUP["T"],
                 target: float = SETUP["target"]) -> np.ndarray:
    """The loss ``opt-cliff-loss`` on the grid spanned by two 1-D arrays.

    Section *A cliff in the loss*.

    Parameters
    ----------
    w_values : ndarray, shape (P,)
        Values of w (the horizontal axis of a picture).
    b_values : ndarray, shape (Q,)
        Values of b (the vertical axis).
    h0, T, target
        As in :func:`cliff_loss`.

    Returns
    -------
    ndarray, shape (Q, P)
        ``L[i, j] = L(w_values[j], b_values[i])``: rows follow b, columns w,
        ready for ``imshow`` or ``contourf``.
    """
    w_values = real_array("w_values", w_values)
    b_values = real_array("b_values", b_values)
    for name, arr in (("w_values", w_values), ("b_values", b_values)):
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    return cliff_loss(w_values[None, :], b_values[:, None], h0=h0, T=T, target=target)


@dataclass(frozen=True)
class Trajectory:
    """A run of gradient descent on the cliff loss (see :func:`descend`).

    Attributes
    ----------
    params : ndarray, shape (S+1, 2)
        (w, b) before the first step and after each of the S steps.
    losses : ndarray, shape (S+1,)
        The loss at each of those points.
    grad_norms : ndarray, shape (S,)
        ‖∇L‖ at the point each step starts from, before any clipping.
    steps : ndarray, shape (S, 2)
        The update actually taken, −η times the (clipped) gradient.
    clipped : ndarray of bool, shape (S,)
        Whether clipping changed the gradient at that step.
    """

    params: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    steps: np.ndarray
    clipped: np.ndarray

    @property
    def longest_step(self) -> float:
        """The length of the longest update, ‖θ_{k+1} − θ_k‖."""
        return float(np.max(np.linalg.norm(self.steps, axis=1))) if len(self.steps) else 0.0


def descend(start, *, lr: float, steps: int, clip: float | None = None, mode: str = "norm",
            h0: float = SETUP["h0"], T: int = SETUP["T"],
            target: float = SETUP["target"]) -> Trajectory:
    """Plain gradient descent ``opt-gd`` on the cliff loss, optionally with clipping.

    Sections *Why a gradient step falls off* and *Clipping the gradient*. Each step
    computes (∂L/∂w, ∂L/∂b) with :func:`cliff_loss_and_grad`, clips it with
    :func:`textbook_rnn.clipping.clip_by_global_norm` (``mode="norm"``,
    equation ``clip-norm``) or :func:`textbook_rnn.clipping.clip_elementwise`
    (``mode="elementwise"``, ``clip-elementwise``) when ``clip`` is given,
    and moves (w, b) by −``lr`` times the result.

    Parameters
    ----------
    start : sequence of two floats
        The initial (w, b).
    lr : float
        Learning rate η > 0.
    steps : int
        Number of updates.
    clip : float, optional
        The threshold v; ``None`` (default) for no clipping.
    mode : {"norm", "elementwise"}
        Which clipping, when ``clip`` is given.
    h0, T, target
        As in :func:`cliff_loss`.

    Returns
    -------
    Trajectory
        Points visited, their losses, the gradient norms and the steps taken.
    """
    theta = real_array("start", start)
    if theta.shape != (2,):
        raise ValueError(f"start must hold two numbers (w, b), got shape {theta.shape}")
    lr = check_positive_float("lr", lr)
    steps = check_positive_int("steps", steps)
    if clip is not None:
        clip = check_positive_float("clip", clip)
    check_clip_mode(mode)
    setup = _check_setup(h0, T, target)
    params = np.empty((steps + 1, 2))
    losses = np.empty(steps + 1)
    norms = np.empty(steps)
    taken = np.empty((steps, 2))
    clipped = np.zeros(steps, dtype=bool)
    params[0] = theta
    for k in range(steps):
        loss, dw, db = _loss_and_grad(theta[0], theta[1], *setup)
        losses[k] = loss
        grads = {"dw": np.array(dw), "db": np.array(db)}
        norms[k] = np.hypot(dw, db)
        if clip is not None:
            new = clip_gradients(grads, clip, mode)  # (clip-norm) or (clip-elementwise)
            clipped[k] = not all(np.array_equal(new[key], grads[key]) for key in grads)
            grads = new
        # θ ← θ − η g                                                        (opt-gd)
        taken[k] = -lr * np.array([grads["dw"], grads["db"]], dtype=np.float64)
        theta = theta + taken[k]
        params[k + 1] = theta
    losses[steps] = _loss_and_grad(theta[0], theta[1], *setup, grad=False)[0]
    return Trajectory(params=params, losses=losses, grad_norms=norms, steps=taken,
                      clipped=clipped)
