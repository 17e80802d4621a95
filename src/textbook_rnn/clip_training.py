"""Does clipping help training? A vanilla RNN on the adding problem, with plain SGD.

The chapter "Optimisation for long-term dependencies"
(``chapters/09_optimisation.md``), section *Clipping in training*. The
experiment of that section, entirely in numpy:

- :func:`adding_problem`: the adding problem of Hochreiter & Schmidhuber
  (1997), as drawn by :func:`textbook_rnn.tasks.adding.adding_problem`. Each
  step brings a random number in [0, 1) and a marker bit; two steps are
  marked, one in each half of the sequence, and the target is the sum of the
  two marked numbers. Predicting the mean, 1, gives a mean squared error of
  1/6; doing better needs the first marked number to be carried across half
  the sequence.
- :func:`adding_loss_and_grads`: the mean squared error of the read-out
  ŷ = V h_T + c, and its gradients by BPTT (``chapters/02_bptt.md``), reusing
  :func:`textbook_rnn.rnn.rnn_forward` and :func:`textbook_rnn.bptt.rnn_backward`;
- :func:`train_sgd`: plain stochastic gradient descent (``opt-gd``),
  optionally clipping the global norm of the gradient (``clip-norm``) or its
  entries (``clip-elementwise``) before each step; a run whose loss or
  gradient stops being finite is stopped and marked as diverged;
- :func:`initial_params` and :func:`adding_batches`: the starting weights
  and the stream of batches of one seed;
- :func:`clipping_experiment`: the same network, initial weights and batches
  trained with and without clipping, for several seeds.

Everything is seeded: the same call gives the same numbers. The matrix
products are small, so numpy's BLAS is held to one thread while training
(through ``threadpoolctl`` when it is installed): more threads only add
overhead here, and one thread makes the sums, and so the runs, reproducible.
Only numpy is needed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import tasks
from ._validate import Shapes, as_rng, check_positive_float, check_positive_int
from .bptt import rnn_backward
from .clipping import clip_by_global_norm, clip_elementwise, global_norm
from .rnn import init_params, rnn_forward

__all__ = [
    "adding_problem",
    "adding_loss_and_grads",
    "TrainingRun",
    "train_sgd",
    "initial_params",
    "adding_batches",
    "clipping_experiment",
    "moving_average",
]

PARAM_NAMES = ("U", "W", "b", "V", "c")
_MODES = ("norm", "elementwise")

#: A loss above this counts as diverged (the targets lie in [0, 2)).
DIVERGED = 1e4


def _one_thread():
    """Hold numpy's BLAS to one thread, when threadpoolctl is available."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is in requirements.txt
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def adding_problem(n: int, T: int, *, seed=0):
    """Draw a batch of the adding problem, with one target per sequence.

    Section *Clipping in training*. The task is
    :func:`textbook_rnn.tasks.adding.adding_problem` (the same arrays for the
    same seed): input step t carries a number v_t drawn uniformly from
    [0, 1) and a marker m_t ∈ {0, 1}; exactly two steps are marked, one in
    the first half (t < T // 2) and one in the second; the target is
    Σ_t m_t v_t. Here the targets come as a flat array and the seed may also
    be a list of ints, so that batch ``step`` of seed ``s`` can be drawn from
    ``[s, 1, step]``.

    Parameters
    ----------
    n : int
        Number of sequences N.
    T : int
        Sequence length, at least 2.
    seed : int, list of int or numpy.random.Generator
        Where the numbers come from.

    Returns
    -------
    x : ndarray, shape (N, T, 2)
        ``x[..., 0]`` the numbers, ``x[..., 1]`` the markers.
    y : ndarray, shape (N,)
        The sums of the two marked numbers, in [0, 2).

    Examples
    --------
    >>> x, y = adding_problem(3, 10, seed=0)
    >>> bool(np.allclose(y, (x[..., 0] * x[..., 1]).sum(axis=1)))
    True
    """
    x, y = tasks.adding_problem(n, T, seed=as_rng(seed, sequences=True))
    return x, y[:, 0]


def adding_loss_and_grads(x, y, params: dict, h0=None):
    """Mean squared error of the last step's read-out, and its gradients by BPTT.

    Section *Clipping in training*. The network is the vanilla RNN,
    h_t = tanh(W h_{t-1} + U x_t + b) with one linear output at the end,
    ŷ = V h_T + c (V of shape (1, H)), and the loss is
    L = (1/N) Σ_n (ŷ_n − y_n)². Only h_T receives a gradient from the
    output; :func:`textbook_rnn.bptt.rnn_backward` carries it back through
    time.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Inputs.
    y : ndarray, shape (N,)
        Targets.
    params : dict
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (1, H), ``c`` (1,).
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray
        ``dU``, ``dW``, ``db``, ``dV``, ``dc``, each shaped like its parameter.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    s = Shapes(K=1)
    x = s.array("x", x, ("N", "T", "D"))
    y = s.array("y", y, ("N",))
    W = s.array("params['W']", params["W"], ("H", "H"))
    V = s.array("params['V']", params["V"], ("K", "H"))
    c = s.array("params['c']", params["c"], ("K",))
    N, H = x.shape[0], W.shape[0]
    h0 = np.zeros((N, H)) if h0 is None else s.array("h0", h0, ("N", "H"))
    h, cache = rnn_forward(x, h0, params["U"], W, params["b"])  # (N, T, H)
    h_T = h[:, -1]  # (N, H)
    # ŷ = V h_T + c
    y_hat = h_T @ V[0] + c[0]  # (N,)
    err = y_hat - y
    loss = float(np.mean(err**2))
    # ∂L/∂ŷ = 2 (ŷ - y) / N
    d_y_hat = 2.0 * err / N  # (N,)
    dh = np.zeros_like(h)  # (N, T, H): only the last step sees the output
    dh[:, -1] = d_y_hat[:, None] * V[0]
    _, _, dU, dW, db = rnn_backward(dh, cache)
    grads = {"dU": dU, "dW": dW, "db": db,
             "dV": (d_y_hat @ h_T)[None, :], "dc": np.array([d_y_hat.sum()])}
    return loss, grads


@dataclass
class TrainingRun:
    """What :func:`train_sgd` returns.

    Attributes
    ----------
    losses : ndarray, shape (steps,)
        The training loss of each step's batch; nan from the step where the
        run diverged on.
    grad_norms : ndarray, shape (steps,)
        The global gradient norm ‖g‖ before clipping; nan after divergence.
    diverged_at : int or None
        The first step whose loss or gradient was not finite (or whose loss
        exceeded ``DIVERGED``); None when the run finished.
    params : dict of str to ndarray
        The parameters at the end (or where the run stopped).
    """

    losses: np.ndarray = field(repr=False)
    grad_norms: np.ndarray = field(repr=False)
    diverged_at: int | None
    params: dict = field(repr=False)


def train_sgd(params: dict, batch: Callable[[int], tuple], *, lr: float, steps: int,
              clip: float | None = None, mode: str = "norm",
              grad_fn: Callable = adding_loss_and_grads) -> TrainingRun:
    """Plain SGD, θ ← θ − η g (``opt-gd``), with optional clipping of g.

    Section *Clipping in training*.

    Parameters
    ----------
    params : dict of str to ndarray
        Initial parameters; copied, never modified.
    batch : callable
        ``batch(step)`` returns ``(x, y)`` for that step.
    lr : float
        Learning rate η.
    steps : int
        Number of updates.
    clip : float, optional
        Threshold v; ``None`` for no clipping.
    mode : {"norm", "elementwise"}
        ``"norm"``: rescale the gradient of all parameters together when its
        global norm exceeds v (``clip-norm``); ``"elementwise"``: clip every
        entry to [−v, v] (``clip-elementwise``).
    grad_fn : callable
        ``grad_fn(x, y, params)`` returns ``(loss, grads)`` with ``grads``
        holding ``d`` + name for every parameter.

    Returns
    -------
    TrainingRun
    """
    if not isinstance(params, dict) or not params:
        raise TypeError("params must be a non-empty dict of arrays")
    if not callable(batch) or not callable(grad_fn):
        raise TypeError("batch and grad_fn must be callable")
    lr = check_positive_float("lr", lr)
    steps = check_positive_int("steps", steps)
    if clip is not None:
        clip = check_positive_float("clip", clip)
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    current = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses = np.full(steps, np.nan)
    norms = np.full(steps, np.nan)
    diverged_at = None
    with _one_thread(), np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            x, y = batch(step)
            loss, grads = grad_fn(x, y, current)
            grads = {f"d{k}": grads[f"d{k}"] for k in current}
            norm = global_norm(grads)
            if not (np.isfinite(loss) and np.isfinite(norm)) or loss > DIVERGED:
                diverged_at = step
                break
            losses[step], norms[step] = loss, norm
            if clip is not None and mode == "norm":
                grads, _ = clip_by_global_norm(grads, clip)  # (clip-norm)
            elif clip is not None:
                grads = clip_elementwise(grads, clip)  # (clip-elementwise)
            for k in current:
                # θ ← θ − η g                                    (opt-gd)
                current[k] = current[k] - lr * grads[f"d{k}"]
    return TrainingRun(losses=losses, grad_norms=norms, diverged_at=diverged_at, params=current)


def initial_params(H: int, seed: int) -> dict:
    """The starting weights of the experiment: 2 inputs, ``H`` tanh units, 1 output.

    Section *Clipping in training*. :func:`textbook_rnn.rnn.init_params`
    with ``D=2``, ``K=1``, and the read-out bias ``c`` set to 1, the mean
    target, so that the first steps are not spent learning the mean.

    Parameters
    ----------
    H : int
        Hidden units.
    seed : int
        Seed of the weights.

    Returns
    -------
    dict of str to ndarray
        ``U`` (H, 2), ``W`` (H, H), ``b`` (H,), ``V`` (1, H), ``c`` (1,).
    """
    params = init_params(2, check_positive_int("H", H), 1, seed=seed)
    params["c"] = np.array([1.0])
    return params


def adding_batches(seed: int, *, T: int, batch_size: int) -> Callable[[int], tuple]:
    """The stream of training batches of one seed: ``batch(step)`` gives ``(x, y)``.

    Section *Clipping in training*. Batch ``step`` is drawn from the seed
    ``[seed, 1, step]``, so every run with the same seed sees the same data.

    Parameters
    ----------
    seed : int
        Seed of the stream.
    T, batch_size : int
        Sequence length and sequences per batch.

    Returns
    -------
    callable
        ``batch(step) -> (x, y)`` for :func:`train_sgd`.
    """
    T = check_positive_int("T", T)
    batch_size = check_positive_int("batch_size", batch_size)

    def batch(step: int):
        return adding_problem(batch_size, T, seed=[seed, 1, step])

    return batch


def clipping_experiment(*, lr: float, clip: float, seeds: Sequence[int] = (0, 1, 2, 3, 4),
                        steps: int = 600, T: int = 20, H: int = 32, batch_size: int = 32,
                        n_test: int = 1000, mode: str = "norm") -> dict:
    """Train the same RNNs on the adding problem with and without clipping.

    Section *Clipping in training*. For each seed, one set of
    initial weights (:func:`initial_params`) and one stream of batches
    (:func:`adding_batches`) are trained twice with plain SGD at
    the same learning rate: once as they are, once with the gradient clipped
    at ``clip``. Only clipping differs between the two runs of a pair.

    Parameters
    ----------
    lr : float
        Learning rate of both runs.
    clip : float
        Threshold of the clipped run.
    seeds : sequence of int
        One pair of runs per seed (weights from the seed, batches from
        ``[seed, 1, step]``).
    steps, T, H, batch_size : int
        Updates, sequence length, hidden units, sequences per batch.
    n_test : int
        Size of a fixed test set (drawn from seed 12345) for the final error.
    mode : {"norm", "elementwise"}
        Which clipping the clipped run uses.

    Returns
    -------
    dict
        ``{"plain": [...], "clipped": [...]}``, one dict per seed with
        ``losses`` (steps,), ``grad_norms`` (steps,), ``diverged_at`` (int or
        None) and ``test_mse`` (float; nan for a run that diverged).
    """
    T = check_positive_int("T", T)
    H = check_positive_int("H", H)
    batch_size = check_positive_int("batch_size", batch_size)
    n_test = check_positive_int("n_test", n_test)
    seeds = [int(s) for s in seeds]
    if not seeds or any(s < 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of non-negative ints, got {seeds}")
    x_test, y_test = adding_problem(n_test, T, seed=12345)
    out: dict[str, list] = {"plain": [], "clipped": []}
    for seed in seeds:
        init = initial_params(H, seed)
        batch = adding_batches(seed, T=T, batch_size=batch_size)
        for key, threshold in (("plain", None), ("clipped", clip)):
            run = train_sgd(init, batch, lr=lr, steps=steps, clip=threshold, mode=mode)
            if run.diverged_at is None:
                with _one_thread():
                    test = adding_loss_and_grads(x_test, y_test, run.params)[0]
            else:
                test = float("nan")
            out[key].append({"losses": run.losses, "grad_norms": run.grad_norms,
                             "diverged_at": run.diverged_at, "test_mse": test})
    return out


def moving_average(x, window: int) -> np.ndarray:
    """Trailing mean over ``window`` steps, ignoring nan; nan where all are nan.

    Chapter 9, section on clipping in training: smooths the noisy loss of
    :func:`clipping_experiment` before it is drawn.

    Parameters
    ----------
    x : ndarray, shape (S,)
    window : int
        At least 1.

    Returns
    -------
    ndarray, shape (S,)
        Entry k is the mean of the finite values among ``x[k - window + 1 .. k]``.
    """
    x = Shapes().array("x", x, ("S",)).astype(np.float64, copy=False)
    window = check_positive_int("window", window)
    ok = np.isfinite(x)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(ok)])
    hi = np.arange(1, x.size + 1)
    lo = np.maximum(hi - window, 0)
    count = ccount[hi] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (csum[hi] - csum[lo]) / count
    out[count == 0] = np.nan
    out[~ok] = np.nan  # nothing after a run stopped
    return out
