"""Checkers for the coding exercises of chapter 7 ("Reservoirs and multiple time scales").

- :func:`esn_states` checks the reader's leaky reservoir:
  h̃_t = tanh(W h_{t-1} + U x_t + b), h_t = α h_{t-1} + (1 - α) h̃_t, for
  every step of a batch of sequences (equations ``res-state`` and
  ``res-leaky-esn``).
- :func:`ridge_readout` checks the reader's readout fit by ridge regression,
  with an unpenalised bias (equation ``res-ridge``).
- :func:`leaky_backward` checks the reader's backward pass through leaky
  units u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t (equations ``res-leaky-grad`` and
  ``res-leaky-dalpha``).

Expected values come from :mod:`textbook_rnn.reservoir` and
:mod:`textbook_rnn.leaky`. Each case also carries the outputs of common
mistakes (α and 1 - α swapped, the bias penalised, the carried gradient
forgotten, ...), so that the report can name the mistake.
"""

from __future__ import annotations

import numpy as np

from .. import leaky as leaky_ref
from .. import reservoir as res_ref
from ._core import Array, Case, CheckResult, Exercise, TupleOf, run_cases

__all__ = ["esn_states", "ridge_readout", "leaky_backward"]

EQ_STATE = "`h̃_t = tanh(W h_{t-1} + U x_t + b)` (equation res-state)"
EQ_LEAK = "`h_t = α h_{t-1} + (1 - α) h̃_t` (equation res-leaky-esn)"
EQ_RIDGE = "`(S̄ᵀS̄ + λI) Vᵀ = S̄ᵀȲ`, `c = ȳ - V h̄` (equation res-ridge-solution)"
EQ_CARRY = "`g_t = du_t + α ⊙ g_{t+1}` (equation res-leaky-grad)"
EQ_DALPHA = "`∂L/∂α = Σ_{n,t} g_t ⊙ (u_{t-1} - v_t)` (equation res-leaky-dalpha)"
ROWS = "with one example per row, `W h_{t-1}` is `h_prev @ W.T` and `U x_t` is `x_t @ U.T`"

STATES = Exercise(
    name="esn_states",
    title="the states of a leaky reservoir, h_t = α h_{t-1} + (1 - α) tanh(W h_{t-1} + U x_t + b)",
    params=("x", "h0", "U", "W", "b", "alpha"),
    hints={
        "exception": "Shapes: x is (N, T, D), h0 is (N, H), U is (H, D), W is (H, H), b is (H,), "
        f"alpha a float; {ROWS}.",
        "type": "Return one numpy array of shape (N, T, H) holding h_1 ... h_T.",
        "shape": "Return h_1 ... h_T, one per step, as an array of shape (N, T, H); h0 is not "
        "part of the result.",
        "value": f"Compare with {EQ_STATE} and {EQ_LEAK} (section \"Leaky units and multiple "
        "time scales\"), one step at a time.",
        "mutation": "Do not update h0 or x in place (`h0[:] = ...`, `h += ...` on an argument); "
        "keep the running state in a new variable.",
    },
)

RIDGE = Exercise(
    name="ridge_readout",
    title="the readout ŷ_t = c + V h_t fitted by ridge regression, bias not penalised",
    params=("states", "targets", "ridge"),
    hints={
        "exception": "states is (N, T, H) and targets (N, T, K): every step of every sequence "
        "is one row of the regression, (N·T, H) and (N·T, K).",
        "type": "Return V and c together, as a tuple (V, c).",
        "shape": "V maps a state to an output: shape (K, H); c has one entry per output: (K,).",
        "value": f"Compare with {EQ_RIDGE} (section \"Training the readout: ridge "
        "regression\"): what is centred, over which rows, and where λ goes.",
        "mutation": "Do not centre states or targets in place (`states -= mean`); build new "
        "arrays.",
    },
)

LEAKY = Exercise(
    name="leaky_backward",
    title="the backward pass through leaky units u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t",
    params=("du", "u", "u0", "v", "alpha"),
    hints={
        "exception": "Shapes: du, u and v are (N, T, H), u0 is (N, H), alpha is (H,); "
        "`du[:, t-1]` belongs to u_t. Print the shape of each intermediate result.",
        "type": "Return the three gradients together, as a tuple (dv, du0, dalpha).",
        "shape": "dv has the shape of v, (N, T, H); du0 that of u0, (N, H); dalpha that of "
        "alpha, (H,), summed over the batch and the steps.",
        "value": f"Compare with {EQ_CARRY} and {EQ_DALPHA} (section \"The gradient through "
        "a leaky unit\"); u_0 is u0.",
        "mutation": "Do not accumulate into du in place (`du[:, t-1] += ...`); keep what you "
        "carry back in a new array.",
    },
)


# --------------------------------------------------------------------------
# esn_states
# --------------------------------------------------------------------------


def _states_variant(x, h0, U, W, b, alpha, *, mistake=None):
    """The reservoir's states, or those of a named mistake."""
    a = 1.0 - alpha if mistake == "swapped" else alpha
    h = h0
    out = []
    with np.errstate(all="ignore"):
        for t in range(x.shape[1]):
            Wt = W if mistake == "W_untransposed" else W.T
            if mistake == "leak_inside":
                h_new = np.tanh(a * h + (1.0 - a) * (b + h @ Wt + x[:, t] @ U.T))
            else:
                h_tilde = np.tanh(b + h @ Wt + x[:, t] @ U.T)
                h_new = h_tilde if mistake == "no_leak" else a * h + (1.0 - a) * h_tilde
            if mistake == "stale_state":
                out.append(h)  # records h_{t-1} instead of h_t
            else:
                out.append(h_new)
            h = h_new
    return np.stack(out, axis=1)


def _states_case(label, N, T, D, H, alpha, seed) -> Case:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(N, T, D))
    h0 = rng.uniform(-0.5, 0.5, size=(N, H))
    U = rng.uniform(-1.0, 1.0, size=(H, D))
    W = rng.normal(0.0, 1.0, size=(H, H))
    W = W * (0.9 / res_ref.spectral_radius(W))
    b = rng.uniform(-0.2, 0.2, size=H)
    args = (x, h0, U, W, b, float(alpha))
    expected = res_ref.reservoir_states(x, U, W, b, alpha=alpha, h0=h0)

    def spec(value):
        return Array(value, "h", "(N, T, H)")

    misses = [
        (f"α and 1 - α are swapped: α is the share of the old state that is kept, {EQ_LEAK}.",
         "swapped"),
        (f"the leak is applied inside the tanh; it mixes the old state with the new one after "
         f"the nonlinearity: {EQ_STATE}, then {EQ_LEAK}.", "leak_inside"),
        (f"alpha is ignored, as if α = 0: {EQ_LEAK}.", "no_leak"),
        (f"W is used untransposed: {ROWS}.", "W_untransposed"),
        ("each row holds the state before the step, h_{t-1}, instead of h_t: the result must "
         "start with h_1 and end with h_T.", "stale_state"),
    ]
    return Case(label=label, args=args, expected=spec(expected),
                near_misses=tuple((s, spec(_states_variant(*args, mistake=m)))
                                  for s, m in misses))


def states_cases() -> list[Case]:
    """The cases of :func:`esn_states`: no leak, a leak, a long leak, D ≠ H, one unit."""
    return [
        _states_case("N=1, T=3, D=1, H=2, α=0 (no leak)", 1, 3, 1, 2, 0.0, seed=71),
        _states_case("N=2, T=5, D=2, H=4, α=0.3", 2, 5, 2, 4, 0.3, seed=72),
        _states_case("N=3, T=6, D=3, H=5, α=0.9 (slow units)", 3, 6, 3, 5, 0.9, seed=73),
        _states_case("N=1, T=8, D=4, H=3, α=0.6 (D differs from H)", 1, 8, 4, 3, 0.6, seed=74),
        _states_case("N=4, T=4, D=2, H=1, α=0.5 (a single unit)", 4, 4, 2, 1, 0.5, seed=75),
    ]


def esn_states(fn) -> CheckResult:
    """Check the reader's ``esn_states(x, h0, U, W, b, alpha)`` (chapter 7, exercise 1).

    The function returns the states h_1 ... h_T, shape (N, T, H), of a leaky
    reservoir driven by ``x`` (N, T, D) from ``h0`` (N, H), with ``U`` (H, D),
    ``W`` (H, H), ``b`` (H,) and a retention ``alpha`` in [0, 1).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(STATES, fn, states_cases())


# --------------------------------------------------------------------------
# ridge_readout
# --------------------------------------------------------------------------


def _ridge_variant(states, targets, ridge, *, mistake=None):
    """The readout of a named mistake."""
    H, K = states.shape[2], targets.shape[2]
    X = states.reshape(-1, H)
    Y = targets.reshape(-1, K)
    M = X.shape[0]
    if mistake == "penalised_bias":
        Xa = np.c_[X, np.ones(M)]
        sol = np.linalg.solve(Xa.T @ Xa + ridge * np.eye(H + 1), Xa.T @ Y)
        return sol[:H].T, sol[H]
    if mistake == "no_bias":
        Vt = np.linalg.solve(X.T @ X + ridge * np.eye(H), X.T @ Y)
        return Vt.T, np.zeros(K)
    lam = {"no_ridge": 0.0, "ridge_times_M": ridge * M, "ridge_over_M": ridge / M}.get(
        mistake, ridge)
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    Vt = np.linalg.lstsq(Xc.T @ Xc + lam * np.eye(H), Xc.T @ Yc, rcond=None)[0]
    V = Vt.T
    return V, Y.mean(axis=0) - V @ X.mean(axis=0)


def _ridge_case(label, N, T, H, K, ridge, seed, *, offset=1.0) -> Case:
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(H, H)) / np.sqrt(H)
    states = np.tanh(rng.normal(size=(N, T, H)) @ mix + offset * rng.uniform(-0.5, 0.5, H))
    V_true = rng.normal(size=(K, H))
    targets = states @ V_true.T + rng.normal(size=K) + 0.3 * rng.normal(size=(N, T, K))
    args = (states, targets, float(ridge))
    V, c = res_ref.ridge_readout(states, targets, ridge)

    def spec(pair):
        return TupleOf(Array(pair[0], "V", "(K, H)", rtol=1e-6, atol=1e-8),
                       Array(pair[1], "c", "(K,)", rtol=1e-6, atol=1e-8))

    misses = [
        ("the bias c is penalised too: a column of ones with λ on its diagonal entry shrinks "
         f"c towards 0; centre instead, {EQ_RIDGE}.", "penalised_bias"),
        (f"the bias c is left out (c = 0 and no centring): {EQ_RIDGE}.", "no_bias"),
        (f"the penalty λ is missing (ordinary least squares): {EQ_RIDGE}.", "no_ridge"),
        ("λ is multiplied by the number of steps N·T, as for a mean-squared loss; here the "
         f"squared errors are summed: {EQ_RIDGE}.", "ridge_times_M"),
        (f"λ is divided by the number of steps N·T; use it as it is: {EQ_RIDGE}.",
         "ridge_over_M"),
    ]
    return Case(label=label, args=args, expected=spec((V, c)),
                near_misses=tuple((s, spec(_ridge_variant(*args, mistake=m)))
                                  for s, m in misses))


def ridge_cases() -> list[Case]:
    """The cases of :func:`ridge_readout`, from one output to several, with weak and strong λ."""
    return [
        _ridge_case("N=1, T=40, H=3, K=1, λ=0.5", 1, 40, 3, 1, 0.5, seed=81),
        _ridge_case("N=2, T=30, H=5, K=2, λ=2 (two sequences)", 2, 30, 5, 2, 2.0, seed=82),
        _ridge_case("N=3, T=20, H=4, K=6, λ=10 (more outputs than units)", 3, 20, 4, 6, 10.0,
                    seed=83),
        _ridge_case("N=1, T=60, H=8, K=3, λ=1e-3 (almost no penalty)", 1, 60, 8, 3, 1e-3,
                    seed=84),
    ]


def ridge_readout(fn) -> CheckResult:
    """Check the reader's ``ridge_readout(states, targets, ridge)`` (chapter 7, exercise 2).

    The function returns ``(V, c)``, V of shape (K, H) and c of shape (K,),
    minimising Σ_{n,t} ‖c + V h_{n,t} - y_{n,t}‖² + λ ‖V‖²_F, for ``states``
    (N, T, H), ``targets`` (N, T, K) and ``ridge`` = λ > 0.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(RIDGE, fn, ridge_cases())


# --------------------------------------------------------------------------
# leaky_backward
# --------------------------------------------------------------------------


def _leaky_variant(du, u, u0, v, alpha, *, mistake=None):
    """The leaky unit's gradients, or those of a named mistake."""
    N, T, H = u.shape
    u_prev = np.concatenate([u0[:, None], u[:, :-1]], axis=1)
    g = np.zeros_like(du)
    carry = np.zeros((N, H))
    order = range(T) if mistake == "forward_loop" else reversed(range(T))
    for t in order:
        # forward_loop: the right recurrence, run in the wrong direction
        carry = du[:, t] if mistake == "no_carry" else du[:, t] + alpha * carry
        g[:, t] = carry
    dv = g if mistake == "no_one_minus" else (1.0 - alpha) * g
    du0 = g[:, 0] if mistake == "du0_no_alpha" else alpha * g[:, 0]
    if mistake == "dalpha_u_t":
        dalpha = (g * (u - v)).sum(axis=(0, 1))
    elif mistake == "dalpha_wrap":  # u[:, t-1] at t = 0 is u[:, -1], the last state
        dalpha = (g * (np.roll(u, 1, axis=1) - v)).sum(axis=(0, 1))
    elif mistake == "dalpha_sign":
        dalpha = (g * (v - u_prev)).sum(axis=(0, 1))
    elif mistake == "dalpha_mean":
        dalpha = (g * (u_prev - v)).mean(axis=(0, 1))
    else:
        dalpha = (g * (u_prev - v)).sum(axis=(0, 1))
    return dv, du0, dalpha


def _leaky_case(label, N, T, H, seed, *, alpha=None) -> Case:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.2, 0.95, size=H) if alpha is None else np.asarray(alpha, dtype=float)
    v = rng.normal(size=(N, T, H))
    u0 = rng.normal(size=(N, H))
    u, cache = leaky_ref.leaky_forward(v, u0, a)
    du = rng.normal(size=(N, T, H))
    args = (du, u, u0, v, a)
    expected = leaky_ref.leaky_backward(du, cache)

    def spec(grads):
        dv, du0, dalpha = grads
        return TupleOf(Array(dv, "dv", "(N, T, H)"), Array(du0, "du0", "(N, H)"),
                       Array(dalpha, "dalpha", "(H,)"))

    misses = [
        ("the gradient carried back from u_{t+1} is missing: each g_t must add "
         f"α ⊙ g_{{t+1}}, {EQ_CARRY}.", "no_carry"),
        ("the loop runs forwards in time; g_t depends on g_{t+1}, so start at t = T and go "
         f"back: {EQ_CARRY}.", "forward_loop"),
        ("dv lacks the factor (1 - α): `dv_t = (1 - α) ⊙ g_t`.", "no_one_minus"),
        ("du0 lacks the factor α: u_0 reaches u_1 through α ⊙ u_0, so `du0 = α ⊙ g_1`.",
         "du0_no_alpha"),
        ("dalpha uses the wrong previous state: u_{t-1} belongs there, not u_t, and at "
         "the first step u_{t-1} is u0 (`u[:, t-1]` at t = 0 would wrap round to the last "
         f"step): {EQ_DALPHA}.", "dalpha_u_t"),
        ("dalpha takes the wrong previous state at the first step: there u_{t-1} is u0, "
         "but `u[:, t-1]` at t = 0 wraps round to the last step, u[:, -1]; "
         f"{EQ_DALPHA}.", "dalpha_wrap"),
        (f"dalpha has the wrong sign: ∂u_t/∂α = u_{{t-1}} - v_t, {EQ_DALPHA}.", "dalpha_sign"),
        (f"dalpha is averaged over the batch and the steps; it is a sum: {EQ_DALPHA}.",
         "dalpha_mean"),
    ]
    return Case(label=label, args=args, expected=spec(expected),
                near_misses=tuple((s, spec(_leaky_variant(*args, mistake=m)))
                                  for s, m in misses))


def leaky_cases() -> list[Case]:
    """The cases of :func:`leaky_backward`: one step, one unit, mixed time scales, a batch."""
    return [
        _leaky_case("N=1, T=1, H=1, one step of one unit", 1, 1, 1, seed=91, alpha=[0.7]),
        _leaky_case("N=1, T=4, H=2, α = (0.5, 0.9)", 1, 4, 2, seed=92, alpha=[0.5, 0.9]),
        _leaky_case("N=2, T=6, H=3, random α", 2, 6, 3, seed=93),
        _leaky_case("N=3, T=10, H=4, random α, a longer batch", 3, 10, 4, seed=94),
        _leaky_case("N=2, T=5, H=2, α = (0, 1) (no memory; no input)", 2, 5, 2, seed=95,
                    alpha=[0.0, 1.0]),
    ]


def leaky_backward(fn) -> CheckResult:
    """Check the reader's ``leaky_backward(du, u, u0, v, alpha)`` (chapter 7, exercise 3).

    For leaky units u_t = α ⊙ u_{t-1} + (1 - α) ⊙ v_t run from ``u0`` (N, H)
    over inputs ``v`` (N, T, H), with states ``u`` (N, T, H), retentions
    ``alpha`` (H,) and the direct gradients ``du`` (N, T, H) of a loss with
    respect to each u_t, the function returns ``(dv, du0, dalpha)``.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(LEAKY, fn, leaky_cases())
