"""Echo state networks: a fixed random reservoir and a trained linear readout.

Chapter 7 ("Reservoirs and multiple time scales"), section *Echo state
networks*, equations ``res-state`` to ``res-mc``::

    h̃_t = tanh(W h_{t-1} + U x_t + b)                      (res-state)
    h_t = α h_{t-1} + (1 - α) h̃_t                          (res-leaky-esn; α = 0: no leak)
    ŷ_t = c + V h_t                                         (res-readout)
    W ← ρ W / max_i |λ_i(W)|                                (res-rho)
    ‖h_t(h_0) - h_t(h'_0)‖ → 0 for every input               (res-esp, the echo-state property)
    min Σ_t ‖c + V h_t - y_t‖² + λ ‖V‖²_F                   (res-ridge)
    (S̄ᵀS̄ + λI) Vᵀ = S̄ᵀȲ,  c = ȳ - V h̄                      (res-ridge-solution)
    NRMSE = sqrt(mean((ŷ - y)²) / var(y))                   (res-nrmse)
    y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i<10} y_{t-i}
              + 1.5 x_{t-9} x_t + 0.1                       (res-narma)
    MC = Σ_{k ≥ 1} r²(x_{t-k}, ŷ_{k,t}) ≤ H                  (res-mc)

Only ``V`` and ``c`` are learnt, by one linear solve; ``U``, ``W`` and ``b``
are drawn at random and never changed. The reservoir's recurrent matrix is
rescaled to a chosen spectral radius ρ; its inputs are multiplied by an
input scaling.

The retention α is the same symbol as in the leaky units of
:mod:`textbook_rnn.leaky`; the reservoir-computing literature calls
``1 - α`` the *leaking rate*.

The spectral radius and the rescaling come from :mod:`textbook_rnn.dynamics`
(chapter 6); :func:`spectral_radius` is re-exported here for convenience.
The module also generates the NARMA10 benchmark (:func:`narma10`) and
measures a reservoir's short-term memory capacity (:func:`memory_curve`).

Shapes are the book's, batch first: inputs ``x`` are ``(N, T, D)``, states
``(N, T, H)``, targets and predictions ``(N, T, K)``; ``U`` is ``(H, D)``,
``W`` is ``(H, H)``, ``V`` is ``(K, H)``.

Only numpy is imported here.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import Shapes, as_rng, check_positive_int, check_real, float_dtype
from .dynamics import rescale_spectral_radius, spectral_radius
from .rnn import _readout

__all__ = [
    "spectral_radius",
    "init_reservoir",
    "reservoir_states",
    "ridge_readout",
    "readout_predict",
    "nrmse",
    "narma10",
    "delayed_inputs",
    "memory_curve",
    "memory_capacity",
    "initial_state_gap",
]


# --------------------------------------------------------------------------
# the reservoir
# --------------------------------------------------------------------------


def init_reservoir(
    D: int,
    H: int,
    *,
    spectral_radius: float = 0.9,
    input_scaling: float = 1.0,
    bias_scaling: float = 0.0,
    density: float = 1.0,
    kind: str = "gaussian",
    seed=0,
) -> dict[str, np.ndarray]:
    """Draw a random reservoir (chapter 7, *Echo state networks*).

    With ``kind="gaussian"``, ``W`` has Gaussian entries, a fraction
    ``density`` of them non-zero; with ``kind="orthogonal"`` it is a random
    orthogonal matrix (all eigenvalues on the unit circle). Either way it is
    then rescaled so that its spectral radius is exactly ``spectral_radius``
    (equation ``res-rho``). ``U`` and ``b`` are uniform in
    ``[-input_scaling, input_scaling]`` and ``[-bias_scaling, bias_scaling]``.

    Parameters
    ----------
    D, H : int
        Input size and number of reservoir units.
    spectral_radius : float
        The target ρ ≥ 0 of ``W``.
    input_scaling : float
        Half-width of the uniform distribution of ``U``'s entries.
    bias_scaling : float
        Half-width of the uniform distribution of ``b``'s entries.
    density : float
        Fraction of non-zero entries of ``W``, in (0, 1] (Gaussian kind only).
    kind : {"gaussian", "orthogonal"}
        How ``W`` is drawn before rescaling.
    seed : int or numpy.random.Generator
        Seeds the draw.

    Returns
    -------
    dict of str to ndarray
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), all float64.
    """
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    rho = check_real("spectral_radius", spectral_radius, low=0.0)
    input_scaling = check_real("input_scaling", input_scaling, low=0.0)
    bias_scaling = check_real("bias_scaling", bias_scaling, low=0.0)
    density = check_real("density", density, low=0.0, high=1.0, low_open=True)
    if kind not in ("gaussian", "orthogonal"):
        raise ValueError(f"kind must be 'gaussian' or 'orthogonal', got {kind!r}")
    if kind == "orthogonal" and density < 1.0:
        raise ValueError("density < 1 applies to kind='gaussian' only; an orthogonal W is dense")
    rng = as_rng(seed)
    W = rng.normal(size=(H, H))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(W)
        W = Q * np.sign(np.diag(R))  # uniformly distributed over the orthogonal group
    elif density < 1.0:
        W = W * (rng.random((H, H)) < density)
    # W ← ρ W / max|λ(W)|   (the helper of chapter 6)
    W = rescale_spectral_radius(W, rho)
    U = rng.uniform(-input_scaling, input_scaling, size=(H, D))
    b = rng.uniform(-bias_scaling, bias_scaling, size=H)
    return {"U": U, "W": W, "b": b}


def reservoir_states(x, U, W, b=None, *, alpha: float = 0.0, h0=None, washout: int = 0):
    """Drive a reservoir with inputs and collect its states (equations ``res-state``).

    h̃_t = tanh(W h_{t-1} + U x_t + b), then h_t = α h_{t-1} + (1 - α) h̃_t.
    With ``alpha = 0`` (the default) the units do not leak and h_t = h̃_t.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    U : ndarray, shape (H, D)
        Input weights.
    W : ndarray, shape (H, H)
        Recurrent weights.
    b : ndarray, shape (H,), optional
        Bias; zero when omitted.
    alpha : float
        Retention α in [0, 1) of the leaky-integrator units.
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.
    washout : int
        How many initial states to drop (0 ≤ washout < T): they still
        depend on ``h0`` rather than on the inputs alone.

    Returns
    -------
    ndarray, shape (N, T - washout, H)
        The states h_{washout+1}, ..., h_T.
    """
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    U = s.array("U", U, ("H", "D"))
    W = s.array("W", W, ("H", "H"))
    N, T, _ = x.shape
    H = W.shape[0]
    given = [x, U, W]
    if b is not None:
        b = s.array("b", b, ("H",))
        given.append(b)
    if h0 is not None:
        h0 = s.array("h0", h0, ("N", "H"))
        given.append(h0)
    dt = float_dtype(*given)
    b = np.zeros(H, dtype=dt) if b is None else b
    h0 = np.zeros((N, H), dtype=dt) if h0 is None else h0
    alpha = check_real("alpha", alpha, low=0.0, high=1.0, high_open=True)
    if isinstance(washout, bool) or not isinstance(washout, numbers.Integral):
        raise TypeError(f"washout must be an integer, got {washout!r}")
    if not 0 <= washout < T:
        raise ValueError(f"washout must be in 0..{T - 1} for x of shape {x.shape} (T={T}), "
                         f"got {washout}")
    W = W.astype(dt, copy=False)
    # The input term does not depend on the state: one matmul for every step.
    drive = x.astype(dt, copy=False) @ U.T.astype(dt, copy=False) + b.astype(dt)  # (N, T, H)
    h = np.empty((N, T, H), dtype=dt)
    h_prev = h0.astype(dt, copy=True)
    for t in range(T):
        # h̃_t = tanh(W h_{t-1} + U x_t + b)
        h_tilde = np.tanh(drive[:, t] + h_prev @ W.T)  # (N, H)
        # h_t = α h_{t-1} + (1 - α) h̃_t
        h_prev = h_tilde if alpha == 0.0 else alpha * h_prev + (1.0 - alpha) * h_tilde
        h[:, t] = h_prev
    return h[:, washout:]


def initial_state_gap(x, U, W, b=None, *, alpha: float = 0.0, h0_a=None, h0_b=None):
    """Distance between two runs of a reservoir that differ only in their initial state.

    The echo-state property (chapter 7, equation ``res-esp``) says that this
    distance goes to zero whatever the two starting points.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        The common input.
    U : ndarray, shape (H, D)
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,), optional
    alpha : float
        Retention of the leaky units.
    h0_a, h0_b : ndarray, shape (N, H)
        The two initial states.

    Returns
    -------
    ndarray, shape (N, T)
        ``‖h_t - h'_t‖`` (Euclidean) at every step.
    """
    if h0_a is None or h0_b is None:
        raise TypeError("initial_state_gap needs both initial states h0_a and h0_b, shape (N, H)")
    h_a = reservoir_states(x, U, W, b, alpha=alpha, h0=h0_a)
    h_b = reservoir_states(x, U, W, b, alpha=alpha, h0=h0_b)
    return np.linalg.norm(h_a - h_b, axis=2)


# --------------------------------------------------------------------------
# the readout
# --------------------------------------------------------------------------


def ridge_readout(states, targets, ridge: float = 1e-6):
    """Fit the readout ŷ_t = c + V h_t by ridge regression (``res-ridge-solution``).

    Minimises Σ_{n,t} ‖c + V h_{n,t} - y_{n,t}‖² + λ ‖V‖²_F. The bias ``c``
    is not penalised: with S̄ and Ȳ the centred states and targets, one
    row per step, V solves (S̄ᵀS̄ + λI) Vᵀ = S̄ᵀȲ, and c = ȳ - V h̄ with the
    column means h̄ and ȳ.

    Parameters
    ----------
    states : ndarray, shape (N, T, H)
        Reservoir states (washout already removed).
    targets : ndarray, shape (N, T, K)
        What the readout must produce at each step.
    ridge : float
        The penalty λ ≥ 0. With λ = 0 this is ordinary least squares
        (the minimum-norm solution when the states are rank deficient).

    Returns
    -------
    V : ndarray, shape (K, H)
    c : ndarray, shape (K,)
    """
    s = Shapes()
    states = s.array("states", states, ("N", "T", "H"))
    targets = s.array("targets", targets, ("N", "T", "K"))
    lam = check_real("ridge", ridge, low=0.0)
    H, K = states.shape[2], targets.shape[2]
    X = states.reshape(-1, H).astype(np.float64)  # (N T, H)
    Y = targets.reshape(-1, K).astype(np.float64)  # (N T, K)
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - x_mean, Y - y_mean
    if lam > 0:
        # (S̄ᵀ S̄ + λ I) Vᵀ = S̄ᵀ Ȳ
        # (H, K)
        Vt = np.linalg.solve(Xc.T @ Xc + lam * np.eye(H), Xc.T @ Yc)
    else:
        Vt = np.linalg.lstsq(Xc, Yc, rcond=None)[0]
    V = Vt.T  # (K, H)
    # c = ȳ - V h̄
    c = y_mean - V @ x_mean
    return V, c


def readout_predict(states, V, c):
    """The readout ŷ_t = c + V h_t at every step (equation ``res-readout``).

    Parameters
    ----------
    states : ndarray, shape (N, T, H)
    V : ndarray, shape (K, H)
    c : ndarray, shape (K,)

    Returns
    -------
    ndarray, shape (N, T, K)
    """
    s = Shapes()
    states = s.array("states", states, ("N", "T", "H"))
    V = s.array("V", V, ("K", "H"))
    c = s.array("c", c, ("K",))
    # ŷ_t = c + V h_t: the read-out of chapter 1 (rnn-o)      (N, T, K)
    return _readout(states, V, c)


def nrmse(y_hat, y) -> float:
    """Normalised root-mean-square error (equation ``res-nrmse``).

    sqrt(mean((ŷ - y)²) / var(y)), pooled over every entry: 0 is perfect,
    1 is what predicting the mean of ``y`` achieves.

    Parameters
    ----------
    y_hat, y : ndarray, same shape, e.g. (N, T, K)

    Returns
    -------
    float
    """
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat must have the shape of y, {y.shape}, got {y_hat.shape}")
    if y.size < 2:
        raise ValueError(f"y must hold at least two values, got shape {y.shape}")
    var = float(np.var(y))
    if var == 0.0:
        raise ValueError("y is constant, so its variance is zero and the NRMSE is undefined")
    return float(np.sqrt(np.mean((y_hat - y) ** 2) / var))


# --------------------------------------------------------------------------
# benchmarks
# --------------------------------------------------------------------------


def narma10(T: int, *, N: int = 1, seed=0, max_tries: int = 20):
    """The NARMA10 benchmark of Atiya & Parlos (2000) (chapter 7, equation ``res-narma``).

    Inputs x_t are i.i.d. uniform in [0, 0.5]; the target obeys

        y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i=0}^{9} y_{t-i} + 1.5 x_{t-9} x_t + 0.1,

    with y_t = 0 for t ≤ 10. The recursion occasionally runs away to
    infinity for an unlucky input sequence; a sequence whose target leaves
    [0, 1] is therefore drawn again (the draws stay deterministic for a
    given seed).

    Parameters
    ----------
    T : int
        Length of each sequence.
    N : int
        Number of independent sequences.
    seed : int or numpy.random.Generator
        Seeds the inputs.
    max_tries : int
        How many draws a sequence may take before giving up.

    Returns
    -------
    x : ndarray, shape (N, T, 1)
        Inputs.
    y : ndarray, shape (N, T, 1)
        Targets: y[:, t] depends on x[:, t-10 .. t-1].
    """
    T = check_positive_int("T", T)
    N = check_positive_int("N", N)
    max_tries = check_positive_int("max_tries", max_tries)
    rng = as_rng(seed)
    xs = np.empty((N, T))
    ys = np.zeros((N, T))
    for n in range(N):
        for _ in range(max_tries):
            x = rng.uniform(0.0, 0.5, size=T)
            y = np.zeros(T)
            ok = True
            for t in range(9, T - 1):
                # y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i=0}^{9} y_{t-i} + 1.5 x_{t-9} x_t + 0.1
                y[t + 1] = (0.3 * y[t] + 0.05 * y[t] * y[t - 9:t + 1].sum()
                            + 1.5 * x[t - 9] * x[t] + 0.1)
                if not 0.0 <= y[t + 1] <= 1.0:
                    ok = False
                    break
            if ok:
                break
        else:
            raise RuntimeError(f"NARMA10 diverged in {max_tries} draws of sequence {n}")
        xs[n], ys[n] = x, y
    return xs[..., None], ys[..., None]


def delayed_inputs(x, k_max: int):
    """Targets of the memory task: x delayed by 1, 2, ..., k_max steps.

    Parameters
    ----------
    x : ndarray, shape (N, T, 1)
        A scalar input sequence.
    k_max : int
        The longest delay, smaller than T.

    Returns
    -------
    ndarray, shape (N, T - k_max, k_max)
        Entry ``[n, t, k - 1]`` is ``x[n, t + k_max - k, 0]``: the input k steps before
        step ``t + k_max``.
    """
    x = Shapes().array("x", x, ("N", "T", "D"))
    if x.shape[2] != 1:
        raise ValueError(f"x must be a scalar sequence of shape (N, T, 1), got {x.shape}")
    k_max = check_positive_int("k_max", k_max)
    T = x.shape[1]
    if k_max >= T:
        raise ValueError(f"k_max must be smaller than T={T}, got {k_max}")
    cols = [x[:, k_max - k:T - k, 0] for k in range(1, k_max + 1)]
    return np.stack(cols, axis=2)


def memory_curve(
    U,
    W,
    b=None,
    *,
    alpha: float = 0.0,
    k_max: int | None = None,
    T_train: int = 2000,
    T_test: int = 1000,
    washout: int = 200,
    ridge: float = 1e-8,
    seed=0,
):
    """Jaeger's short-term memory curve r²_k of a reservoir (equation ``res-mc``).

    The reservoir is driven by i.i.d. inputs uniform in [-1, 1]. For each
    delay k = 1 .. k_max a linear readout is trained (all at once, by
    :func:`ridge_readout`) to output x_{t-k} from h_t; r²_k is the squared
    correlation between its output and x_{t-k} on fresh test steps. The
    memory capacity is ``memory_curve(...).sum()``; for i.i.d. input it is
    at most H (Jaeger 2002).

    Parameters
    ----------
    U : ndarray, shape (H, 1)
        Input weights (a scalar input).
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,), optional
    alpha : float
        Retention of the leaky units.
    k_max : int, optional
        Longest delay; 2 H when omitted.
    T_train, T_test, washout : int
        Steps used to fit the readouts, to score them, and dropped at the start.
    ridge : float
        Penalty λ of the readout.
    seed : int or numpy.random.Generator
        Seeds the input sequence.

    Returns
    -------
    ndarray, shape (k_max,)
        r²_k for k = 1 .. k_max, each in [0, 1].
    """
    s = Shapes(D=1)
    U = s.array("U", U, ("H", "D"))
    W = s.array("W", W, ("H", "H"))
    H = W.shape[0]
    k_max = 2 * H if k_max is None else check_positive_int("k_max", k_max)
    T_train = check_positive_int("T_train", T_train)
    T_test = check_positive_int("T_test", T_test)
    if isinstance(washout, bool) or not isinstance(washout, numbers.Integral) or washout < 0:
        raise ValueError(f"washout must be a non-negative integer, got {washout!r}")
    washout = max(int(washout), k_max)  # every target x_{t-k} must exist
    T = washout + T_train + T_test
    x = as_rng(seed).uniform(-1.0, 1.0, size=(1, T, 1))
    h = reservoir_states(x, U, W, b, alpha=alpha)[:, washout:]  # (1, T_train + T_test, H)
    targets = delayed_inputs(x, k_max)[:, washout - k_max:]  # aligned with h
    V, c = ridge_readout(h[:, :T_train], targets[:, :T_train], ridge)
    y_hat = readout_predict(h[:, T_train:], V, c)[0]  # (T_test, k_max)
    y = targets[0, T_train:]  # (T_test, k_max)
    y_hat = y_hat - y_hat.mean(axis=0)
    y = y - y.mean(axis=0)
    denom = (y_hat**2).sum(axis=0) * (y**2).sum(axis=0)
    r2 = np.where(denom > 0, (y_hat * y).sum(axis=0) ** 2 / np.where(denom > 0, denom, 1.0), 0.0)
    return np.clip(r2, 0.0, 1.0)


def memory_capacity(U, W, b=None, **kwargs) -> float:
    """Jaeger's memory capacity MC = Σ_k r²_k of a reservoir (equation ``res-mc``).

    Parameters
    ----------
    U : ndarray, shape (H, 1)
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,), optional
    **kwargs
        Passed on to :func:`memory_curve` (``alpha``, ``k_max``, ``T_train``,
        ``T_test``, ``washout``, ``ridge``, ``seed``).

    Returns
    -------
    float
        The sum of the memory curve; at most H for i.i.d. input.
    """
    return float(memory_curve(U, W, b, **kwargs).sum())
