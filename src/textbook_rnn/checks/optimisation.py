"""Checkers for the coding exercises of the chapter "Optimisation for long-term dependencies".

- :func:`clip_by_norm` checks the reader's ``clip_by_norm(grads, max_norm)``:
  a new dict in which every gradient is multiplied by the same factor
  min(1, v / ‖g‖), where ‖g‖ is the norm of all of them together
  (equation ``clip-norm``); the input dict and its arrays are left alone.
- :func:`cliff_gradient` checks the reader's
  ``cliff_gradient(w, b, h0, T, target)``: the loss ½ (h_T − y)² of the
  one-unit network h_t = tanh(w h_{t-1} + b) and its derivatives with
  respect to w and b, by back-propagation through time (equations
  ``opt-cliff-map`` to ``opt-cliff-grad``).

Expected values come from :mod:`textbook_rnn.clipping` and
:mod:`textbook_rnn.cliff`. Each case also carries what common mistakes
return (clipping each array by its own norm, clipping entries, rescaling
gradients that are already small, forgetting the tanh derivative or the
factor w on the way back, ...), so that the report can name them.
"""

from __future__ import annotations

import numpy as np

from .. import cliff as ref_cliff
from ..clipping import clip_by_global_norm
from ._core import Array, Case, CheckResult, DictOf, Exercise, Scalar, TupleOf, run_cases

__all__ = ["clip_by_norm", "cliff_gradient"]

EQ_CLIP = "`g ← g · min(1, v / ‖g‖)` (equation clip-norm)"
EQ_NORM = "`‖g‖ = sqrt(Σ_k Σ_j g_kj²)` over all arrays together"
EQ_DELTA = "`δ_{t-1} = w (1 - h_t²) δ_t` (equation opt-cliff-delta)"
EQ_GRAD = ("`∂L/∂w = Σ_t (1 - h_t²) δ_t h_{t-1}`, `∂L/∂b = Σ_t (1 - h_t²) δ_t` "
           "(equation opt-cliff-grad)")

CLIP = Exercise(
    name="clip_by_norm",
    title="clip the gradients by their global norm, g ← g · min(1, v / ‖g‖)",
    params=("grads", "max_norm"),
    hints={
        "exception": "grads is a dict from names to numpy arrays of any shapes and max_norm a "
        "positive float; the result is a dict with the same keys.",
        "type": "Return only a dict with the same keys as grads, each mapped to a numpy array "
        "(not the norm as well, and not a list).",
        "shape": "Each clipped array has the shape of the gradient it comes from: multiply it "
        "by a number.",
        "nonfinite": "When every gradient is zero, ‖g‖ = 0 and v / ‖g‖ divides by zero. "
        "Rescale only when ‖g‖ > v; otherwise return copies of the arrays unchanged.",
        "value": f"Compare with {EQ_CLIP}, where {EQ_NORM}; see the section \"Clipping the "
        "gradient\".",
        "mutation": "Do not scale the arrays of grads in place (`g *= scale`) or store into "
        "grads; build a new dict of new arrays.",
    },
)

CLIFF = Exercise(
    name="cliff_gradient",
    title="the one-unit network's loss ½ (h_T - y)² and its gradient by BPTT",
    params=("w", "b", "h0", "T", "target"),
    hints={
        "exception": "w, b, h0 and target are floats and T an int; the backward pass needs "
        "every state h_0 .. h_T of the forward pass.",
        "type": "Return the three numbers together, as a tuple (loss, dL_dw, dL_db); turn "
        "numpy scalars or one-element arrays into numbers with float(...).",
        "value": f"Compare with {EQ_DELTA} and {EQ_GRAD} (section \"The gradient, by "
        "back-propagation through time\").",
        "mutation": "The arguments are numbers; nothing should change them.",
        "nonfinite": "tanh keeps every h_t in [-1, 1]: use np.tanh, not a formula with exp.",
    },
)


# --------------------------------------------------------------------------
# clip_by_norm
# --------------------------------------------------------------------------


def _clip_variant(grads, v, *, how="right"):
    """Clipped gradients, or what a named mistake gives."""
    arrays = {k: np.asarray(g, dtype=np.float64) for k, g in grads.items()}
    # numpy scalars, so that a division by a zero norm gives inf or nan instead of raising
    norms = {k: np.sqrt(np.sum(g**2)) for k, g in arrays.items()}
    total = np.sqrt(np.float64(sum(n**2 for n in norms.values())))
    with np.errstate(all="ignore"):
        if how == "per_array":
            return {k: g * (v / norms[k] if norms[k] > v else 1.0) for k, g in arrays.items()}
        if how == "elementwise":
            return {k: np.clip(g, -v, v) for k, g in arrays.items()}
        if how == "unchanged":
            return {k: g.copy() for k, g in arrays.items()}
        if how == "always":
            return {k: g * (v / total) for k, g in arrays.items()}
        if how == "squared":
            sq = total**2
            return {k: g * (v / sq if sq > v else 1.0) for k, g in arrays.items()}
        if how == "sum_of_norms":
            s = np.float64(sum(norms.values()))
            return {k: g * (v / s if s > v else 1.0) for k, g in arrays.items()}
        if how == "upside_down":
            return {k: g * (total / v if total > v else 1.0) for k, g in arrays.items()}
        if how == "to_zero":
            return {k: g * (0.0 if total > v else 1.0) for k, g in arrays.items()}
    return dict(clip_by_global_norm(arrays, v)[0])


def _clip_spec(clipped: dict) -> DictOf:
    # rtol 1e-5 accepts torch.nn.utils.clip_grad_norm_, which divides by ‖g‖ + 1e-6
    return DictOf({k: Array(g, k, None, rtol=1e-5, atol=1e-9) for k, g in clipped.items()},
                  name="the clipped gradients")


_CLIP_MISSES = (
    ("each array is clipped by its own norm; clipping by norm treats all the arrays as one "
     f"vector: {EQ_NORM}, and one common factor.", "per_array"),
    ("every entry is clipped to [-v, v] on its own (element-wise clipping, which turns the "
     f"step); rescale the whole gradient instead: {EQ_CLIP}.", "elementwise"),
    ("the gradients came back unchanged although their norm exceeds max_norm; a gradient "
     f"longer than max_norm must be shortened: {EQ_CLIP}.", "unchanged"),
    ("the gradients were rescaled although their norm is below max_norm (the factor "
     f"v / ‖g‖ is used without the min with 1); clipping only ever shortens: {EQ_CLIP}.",
     "always"),
    ("the squared norm Σ g² is used where its square root belongs: "
     f"{EQ_NORM}.", "squared"),
    (f"the norms of the arrays are added; the global norm adds their squares: {EQ_NORM}.",
     "sum_of_norms"),
    (f"the factor is upside down: multiply by v / ‖g‖, not ‖g‖ / v; {EQ_CLIP}.",
     "upside_down"),
    ("a gradient above the threshold is replaced by zeros; clipping keeps its direction and "
     f"sets its length to v: {EQ_CLIP}.", "to_zero"),
)


def _clip_case(label: str, grads: dict, max_norm: float, hints=None) -> Case:
    grads = {k: np.asarray(g, dtype=np.float64) for k, g in grads.items()}
    expected, _ = clip_by_global_norm(grads, max_norm)
    return Case(
        label=label,
        args=(grads, float(max_norm)),
        expected=_clip_spec(expected),
        near_misses=tuple((sentence, _clip_spec(_clip_variant(grads, max_norm, how=how)))
                          for sentence, how in _CLIP_MISSES),
        hints=hints or {},
    )


def clip_cases() -> list[Case]:
    """The cases of :func:`clip_by_norm`, simplest first.

    Returns
    -------
    list of Case
        Both sides of the threshold, several times each. Above it: one array
        by hand; several arrays that are each below the threshold but
        together above it; arrays of many shapes. Not above it: two small
        arrays; all zeros; the many-shaped arrays with a larger threshold; a
        norm exactly at the threshold.
    """
    rng = np.random.default_rng(91)
    several = {"dW": np.full((2, 2), 1.5), "dU": np.array([[2.0, -1.0, 1.0]]),
               "db": np.array([0.5, -0.5])}  # each below 4, together sqrt(15.5) ≈ 3.9 > 3
    many = {"dW": rng.normal(size=(4, 4)), "dU": rng.normal(size=(4, 3)),
            "db": rng.normal(size=4), "dV": rng.normal(size=(2, 4)), "dc": rng.normal(size=2)}
    return [
        _clip_case("one array by hand: {'dW': [[3, 4]]}, max_norm 1, answer [[0.6, 0.8]]",
                   {"dW": [[3.0, 4.0]]}, 1.0),
        _clip_case("norm about 0.45, below max_norm 2: the gradients come back unchanged",
                   {"dW": [[0.3, 0.0], [0.0, 0.3]], "db": [0.1, -0.1]}, 2.0),
        _clip_case("three arrays, each shorter than max_norm 3 but together longer", several,
                   3.0),
        _clip_case("every gradient zero (norm 0): nothing to do, nothing to divide by",
                   {"dW": np.zeros((2, 3)), "db": np.zeros(3)}, 1.0, hints={
                       "exception": "Here ‖g‖ = 0, so `max_norm / ‖g‖` divides by zero. "
                       "Compute the factor only when ‖g‖ > max_norm; otherwise it is 1."}),
        _clip_case("five arrays of the shapes of a small RNN, max_norm 2.5", many, 2.5),
        _clip_case("the same five arrays below max_norm 50: they come back unchanged", many,
                   50.0),
        _clip_case("norm exactly max_norm: {'dW': [[3, 4]]}, max_norm 5, unchanged",
                   {"dW": [[3.0, 4.0]]}, 5.0),
    ]


def clip_by_norm(fn) -> CheckResult:
    """Check the reader's ``clip_by_norm(grads, max_norm)`` (exercise 1).

    The function returns a new dict with the keys of ``grads``: when the
    global norm ‖g‖ of all arrays together exceeds ``max_norm`` every array
    is multiplied by ``max_norm / ‖g‖``, otherwise the arrays come back
    unchanged. ``grads`` and its arrays must not be modified.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(CLIP, fn, clip_cases())


# --------------------------------------------------------------------------
# cliff_gradient
# --------------------------------------------------------------------------


def _cliff_variant(w, b, h0, T, target, *, deriv="h_t", dw_with="h_prev", recurrent=True,
                   carry="full", sign=1.0, scale=1.0, steps_off=0):
    """Loss and gradient written out step by step, with switches for common mistakes."""
    h = [float(h0)]
    for _ in range(T + steps_off):
        h.append(float(np.tanh(w * h[-1] + b)))
    n = len(h) - 1
    loss = 0.5 * (h[-1] - target) ** 2
    delta = sign * scale * (h[-1] - target)
    dw = db = 0.0
    for t in range(n, 0, -1):
        if deriv == "h_t":
            d = 1.0 - h[t] ** 2
        elif deriv == "none":
            d = 1.0
        else:  # "tanh_of_h"
            d = 1.0 - np.tanh(h[t]) ** 2
        da = d * delta
        dw += da * (h[t - 1] if dw_with == "h_prev" else h[t])
        db += da
        if not recurrent:
            break
        if carry == "full":
            delta = w * da
        elif carry == "no_w":
            delta = da
        else:  # "no_deriv"
            delta = w * delta
    return loss, dw, db


def _cliff_spec(loss, dw, db, slack32=(0.0, 0.0, 0.0)) -> TupleOf:
    return TupleOf(Scalar(loss, "the loss", rtol=1e-8, atol=1e-12, slack32=slack32[0]),
                   Scalar(dw, "dL_dw", rtol=1e-7, atol=1e-10, slack32=slack32[1]),
                   Scalar(db, "dL_db", rtol=1e-7, atol=1e-10, slack32=slack32[2]))


_CLIFF_MISSES = (
    (f"the tanh derivative 1 - h_t² is missing: {EQ_GRAD}.", {"deriv": "none"}),
    ("the derivative is 1 - tanh(h_t)², but h_t is already tanh(a_t): use 1 - h_t², "
     f"{EQ_GRAD}.", {"deriv": "tanh_of_h"}),
    (f"∂L/∂w uses h_t where h_{{t-1}} belongs (a_t = w h_{{t-1}} + b): {EQ_GRAD}.",
     {"dw_with": "h_t"}),
    ("only the last step contributes: the gradient must also travel back through the "
     f"earlier steps, {EQ_DELTA}, adding each step's term.", {"recurrent": False}),
    (f"the factor w is missing when the gradient goes back one step: {EQ_DELTA}.",
     {"carry": "no_w"}),
    (f"the tanh derivative is missing when the gradient goes back one step: {EQ_DELTA}.",
     {"carry": "no_deriv"}),
    ("the sign is flipped: δ_T = ∂L/∂h_T = h_T - y, not y - h_T.", {"sign": -1.0}),
    ("the gradient is twice too large: the derivative of ½ (h_T - y)² is h_T - y, not "
     "2 (h_T - y).", {"scale": 2.0}),
    ("the network runs T - 1 steps; h_1 .. h_T are T applications of tanh(w h + b).",
     {"steps_off": -1}),
    ("the network runs T + 1 steps; h_1 .. h_T are T applications of tanh(w h + b).",
     {"steps_off": 1}),
)


def _cliff_case(label: str, w: float, b: float, h0: float, T: int, target: float) -> Case:
    loss, dw, db = ref_cliff.cliff_loss_and_grad(w, b, h0=h0, T=T, target=target)
    # how far rounding the inputs to float32 moves the answer: the room a float32 result needs
    w32, b32, h32, y32 = (float(np.float32(v)) for v in (w, b, h0, target))
    moved = ref_cliff.cliff_loss_and_grad(w32, b32, h0=h32, T=T, target=y32)
    slack32 = tuple(abs(float(m) - float(e)) for m, e in zip(moved, (loss, dw, db), strict=True))
    args = (float(w), float(b), float(h0), int(T), float(target))
    misses = tuple((sentence, _cliff_spec(*_cliff_variant(*args, **kw)))
                   for sentence, kw in _CLIFF_MISSES if T + kw.get("steps_off", 0) >= 0)
    return Case(label=label, args=args, expected=_cliff_spec(loss, dw, db, slack32),
                near_misses=misses)


def cliff_cases() -> list[Case]:
    """The cases of :func:`cliff_gradient`, from one step to the face of the cliff.

    Returns
    -------
    list of Case
    """
    bc = float(ref_cliff.fold_bias(1.8))
    return [
        _cliff_case("T=1, one step: w=0.5, b=0.1, h0=0.3, y=0.2", 0.5, 0.1, 0.3, 1, 0.2),
        _cliff_case("T=3: w=0.9, b=-0.2, h0=-0.5, y=0.4", 0.9, -0.2, -0.5, 3, 0.4),
        _cliff_case("T=10, the chapter's start and target: w=1.5, b=0.1, h0=-1, y=-0.6",
                    1.5, 0.1, -1.0, 10, -0.6),
        _cliff_case("T=20 on the face of the cliff: w=1.8, b just past b_c(1.8), h0=-1, y=-0.6",
                    1.8, round(bc + 0.01, 4), -1.0, 20, -0.6),
        _cliff_case("T=25, a negative weight (the state flips sign every step): w=-1.2, "
                    "b=0.05, h0=0.8, y=0", -1.2, 0.05, 0.8, 25, 0.0),
    ]


def cliff_gradient(fn) -> CheckResult:
    """Check the reader's ``cliff_gradient(w, b, h0, T, target)`` (exercise 2).

    The function runs h_t = tanh(w h_{t-1} + b) for t = 1 .. T from ``h0``
    and returns ``(loss, dL_dw, dL_db)`` for L = ½ (h_T − target)², the
    derivatives by back-propagation through time, as floats.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(CLIFF, fn, cliff_cases())
