"""Pascanu et al.'s regulariser, which asks the gradient to keep its size going back in time.

The chapter "Optimisation for long-term dependencies"
(``chapters/09_optimisation.md``), section *Keeping the gradient flowing*.
With δ_t = ∂L/∂h_t, the total gradient reaching the hidden state of step t
(a row vector, as in the code of ``bptt.py``), one step of back-propagation
through a tanh network maps δ_t to its share at h_{t-1},
δ_t ∂h_t/∂h_{t-1} = δ_t diag(1 − h_t²) W. Pascanu, Mikolov & Bengio (2013)
measure how much that step shrinks or stretches the gradient and penalise
any change::

    r_t = ‖δ_t ∂h_t/∂h_{t-1}‖ / ‖δ_t‖                       (opt-flow-ratio)
    Ω = Σ_t (r_t − 1)²                                      (opt-regulariser)

r_t < 1 means the gradient fades by that factor over step t (a long run of
them makes it vanish); r_t > 1 means it grows. Ω is zero when every step
passes the gradient on at its full size. Note that Ω measures the norm
only in the direction δ_t actually has, not for every direction, which is
what makes it cheap: one extra vector-Jacobian product per step, the one
BPTT computes anyway.

In code each example is a row: δ_t diag(1 − h_t²) W is
``(delta[:, t] * (1 - h[:, t]**2)) @ W``. The δ_t themselves come from the
BPTT recursion of chapter 2, :func:`textbook_rnn.bptt_analysis.state_gradients`.
Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes

__all__ = ["flow_ratios", "flow_regulariser"]


def flow_ratios(delta, h, W) -> np.ndarray:
    """How much each step of back-propagation scales the gradient: r_t, ``opt-flow-ratio``.

    Section *Keeping the gradient flowing*.

    Parameters
    ----------
    delta : ndarray, shape (N, T, H)
        δ_t = ∂L/∂h_t for t = 1 .. T, e.g. from
        :func:`textbook_rnn.bptt_analysis.state_gradients`.
    h : ndarray, shape (N, T, H)
        Hidden states h_1 .. h_T.
    W : ndarray, shape (H, H)
        Recurrent weights.

    Returns
    -------
    ndarray, shape (N, T)
        r_t = ‖δ_t diag(1 − h_t²) W‖ / ‖δ_t‖; nan where δ_t is zero (the
        ratio is then undefined, and Ω leaves the step out).
    """
    s = Shapes()
    delta = s.array("delta", delta, ("N", "T", "H")).astype(np.float64, copy=False)
    h = s.array("h", h, ("N", "T", "H")).astype(np.float64, copy=False)
    W = s.array("W", W, ("H", "H")).astype(np.float64, copy=False)
    passed = (delta * (1.0 - h**2)) @ W  # (N, T, H): δ_t ∂h_t/∂h_{t-1}
    top = np.linalg.norm(passed, axis=2)
    bottom = np.linalg.norm(delta, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom > 0, top / bottom, np.nan)


def flow_regulariser(delta, h, W) -> float:
    """Pascanu et al.'s Ω = Σ_t (r_t − 1)² (``opt-regulariser``), averaged over the batch.

    Section *Keeping the gradient flowing*. Steps where δ_t = 0
    are left out of the sum.

    Parameters
    ----------
    delta : ndarray, shape (N, T, H)
        δ_t = ∂L/∂h_t for t = 1 .. T.
    h : ndarray, shape (N, T, H)
        Hidden states h_1 .. h_T.
    W : ndarray, shape (H, H)
        Recurrent weights.

    Returns
    -------
    float
        (1/N) Σ_n Σ_t (r_t − 1)².
    """
    r = flow_ratios(delta, h, W)
    return float(np.nansum((r - 1.0) ** 2) / r.shape[0])
