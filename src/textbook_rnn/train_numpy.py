"""Training the numpy networks with their own gradients: the one training loop of the book.

Chapter 2, section *Truncation*, and chapter 9, section *Clipping in
training*. A few dozen lines are enough to train the network of chapter 1
with the gradients of chapter 2, and seeing every line is the point:

- :class:`SGD`, plain gradient descent θ ← θ − η g (``opt-gd``), and
  :class:`Adam`, the optimiser of Kingma & Ba (2015), each updating a dict of
  parameter arrays in place;
- gradient clipping, by global norm or entry by entry, from
  :mod:`textbook_rnn.clipping`;
- :func:`train`, a loop that draws a batch, asks a gradient function for the
  loss and gradients (full BPTT, truncated, randomized...), stops if they
  stop being finite, clips them and takes a step.

Everything is seeded: the same call gives the same numbers. The matrix
products are small, so numpy's BLAS is held to one thread while training
(through ``threadpoolctl`` when it is installed): more threads only add
overhead here, and one thread makes the sums, and so the runs, reproducible.
Only numpy is imported; nothing is printed unless ``log_every`` asks for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_params, check_positive_float, check_positive_int
from .clipping import check_clip_mode, clip_gradients, global_norm

__all__ = ["SGD", "Adam", "OPTIMISERS", "TrainingRun", "train", "METHODS", "recall_experiment"]


def _one_thread():
    """Hold numpy's BLAS to one thread, when threadpoolctl is available."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is in requirements.txt
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _check_grads(params: dict, grads: dict) -> None:
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    for name, value in params.items():
        key = f"d{name}"
        if key not in grads:
            raise ValueError(f"grads is missing {key} (the gradient of {name})")
        if np.shape(grads[key]) != value.shape:
            raise ValueError(f"grads[{key!r}] must have shape {value.shape} like {name}, "
                             f"got shape {np.shape(grads[key])}")


def _check_trainable(params) -> None:
    if not isinstance(params, dict) or not params:
        raise TypeError("params must be a non-empty dict of float arrays")
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a float ndarray (updated in place), "
                            f"got {type(value).__name__}")


class SGD:
    """Plain gradient descent, θ ← θ − η g for every parameter (``opt-gd``).

    Parameters
    ----------
    params : dict of str to ndarray
        The arrays to train; they are updated in place by :meth:`step`.
    lr : float
        The learning rate η.
    """

    def __init__(self, params: dict, lr: float = 1e-2):
        _check_trainable(params)
        self.params = params
        self.lr = check_positive_float("lr", lr)

    def step(self, grads: dict) -> None:
        """Update every parameter in place from ``grads`` (keys ``d`` + name)."""
        _check_grads(self.params, grads)
        for name, theta in self.params.items():
            # θ ← θ − η g                                             (opt-gd)
            theta -= self.lr * grads[f"d{name}"]


class Adam:
    """Adam: per-coordinate steps scaled by running moments of the gradient.

    For each parameter θ with gradient g, at step s = 1, 2, ...::

        m ← β₁ m + (1 - β₁) g          v ← β₂ v + (1 - β₂) g²
        θ ← θ - lr · m̂ / (√v̂ + ε),     m̂ = m / (1 - β₁ˢ),  v̂ = v / (1 - β₂ˢ)

    Parameters
    ----------
    params : dict of str to ndarray
        The arrays to train (e.g. ``U``, ``W``, ``b``, ``V``, ``c``); they are
        updated in place by :meth:`step`.
    lr : float
        Step size.
    betas : tuple of float
        Decay rates β₁, β₂ of the two moment estimates, in [0, 1).
    eps : float
        Keeps the division finite.
    """

    def __init__(self, params: dict, lr: float = 1e-2, betas=(0.9, 0.999), eps: float = 1e-8):
        _check_trainable(params)
        lr = check_positive_float("lr", lr)
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps}")
        self.params = params
        self.lr, self.b1, self.b2, self.eps = float(lr), float(b1), float(b2), float(eps)
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.steps = 0

    def step(self, grads: dict) -> None:
        """Update every parameter in place from ``grads`` (keys ``d`` + name)."""
        _check_grads(self.params, grads)
        self.steps += 1
        c1 = 1.0 - self.b1**self.steps
        c2 = 1.0 - self.b2**self.steps
        for name, theta in self.params.items():
            g = grads[f"d{name}"]
            # m ← β₁ m + (1 - β₁) g,   v ← β₂ v + (1 - β₂) g²
            self.m[name] = self.b1 * self.m[name] + (1.0 - self.b1) * g
            self.v[name] = self.b2 * self.v[name] + (1.0 - self.b2) * g * g
            # θ ← θ - lr m̂ / (√v̂ + ε)
            theta -= self.lr * (self.m[name] / c1) / (np.sqrt(self.v[name] / c2) + self.eps)


#: The optimisers :func:`train` knows, by name.
OPTIMISERS = {"sgd": SGD, "adam": Adam}


@dataclass
class TrainingRun:
    """What :func:`train` returns.

    Attributes
    ----------
    params : dict of str to ndarray
        The parameters at the end, or where the run stopped (new arrays; the
        initial ones are untouched).
    losses : ndarray, shape (steps,)
        The loss of each step's batch; nan from the step where the run diverged on.
    grad_norms : ndarray, shape (steps,)
        The global gradient norm ‖g‖ before clipping; nan after divergence.
    diverged_at : int or None
        The first step whose loss or gradient was not finite (or whose loss
        exceeded ``max_loss``); None when the run finished.
    """

    params: dict = field(repr=False)
    losses: np.ndarray = field(repr=False)
    grad_norms: np.ndarray = field(repr=False)
    diverged_at: int | None


def train(params: dict, batch: Callable[[int], tuple], grad_fn: Callable, *, steps: int,
          optimiser: str = "adam", lr: float = 1e-2, clip: float | None = None,
          clip_mode: str = "norm", keep: tuple[str, ...] | None = None,
          max_loss: float = np.inf, log_every: int | None = None) -> TrainingRun:
    """Draw a batch, get the loss and gradients, stop if they blow up, clip, step.

    Chapter 2, section *Truncation* (Adam on delayed recall), and chapter 9,
    section *Clipping in training* (SGD on the adding problem).

    Parameters
    ----------
    params : dict of str to ndarray
        Initial parameters; copied, never modified.
    batch : callable
        ``batch(step)`` returns ``(x, y)`` for that step (seed it with the step
        to make the run reproducible).
    grad_fn : callable
        ``grad_fn(x, y, params)`` returns ``(loss, grads)`` with ``grads``
        holding ``d`` + name for every trained parameter, e.g.
        :func:`textbook_rnn.bptt.rnn_loss_and_grads`; extra return values are ignored.
    steps : int
        Number of updates.
    optimiser : {"adam", "sgd"}
        :class:`Adam` or :class:`SGD`.
    lr : float
        The optimiser's step size.
    clip : float, optional
        Threshold v of gradient clipping; ``None`` (default) for no clipping.
    clip_mode : {"norm", "elementwise"}
        Clip the global norm (``clip-norm``) or every entry (``clip-elementwise``).
    keep : tuple of str, optional
        Which entries of ``params`` are trained (default: all).
    max_loss : float
        A larger loss counts as diverged and stops the run, like a loss or
        gradient that is not finite.
    log_every : int, optional
        Print the mean loss every this many steps (nothing is printed by default).

    Returns
    -------
    TrainingRun
        Final parameters, the loss and gradient norm of every step, and where
        the run diverged.
    """
    check_params(params, () if keep is None else keep)
    keep = tuple(params) if keep is None else tuple(keep)
    if not callable(batch) or not callable(grad_fn):
        raise TypeError("batch and grad_fn must be callable")
    steps = check_positive_int("steps", steps)
    if optimiser not in OPTIMISERS:
        raise ValueError(f"optimiser must be one of {tuple(OPTIMISERS)}, got {optimiser!r}")
    if clip is not None:
        clip = check_positive_float("clip", clip)
    check_clip_mode(clip_mode)
    if log_every is not None:
        log_every = check_positive_int("log_every", log_every)
    current = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    opt = OPTIMISERS[optimiser]({k: current[k] for k in keep}, lr=lr)
    losses, norms = np.full(steps, np.nan), np.full(steps, np.nan)
    diverged_at = None
    with _one_thread(), np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            x, y = batch(step)
            loss, grads = grad_fn(x, y, current)[:2]
            grads = {f"d{k}": grads[f"d{k}"] for k in keep}
            norm = global_norm(grads)
            if not (np.isfinite(loss) and np.isfinite(norm)) or loss > max_loss:
                diverged_at = step  # no step can repair this: stop
                break
            losses[step], norms[step] = loss, norm
            if clip is not None:
                grads = clip_gradients(grads, clip, clip_mode)  # (clip-norm, clip-elementwise)
            opt.step(grads)
            if log_every and (step + 1) % log_every == 0:
                recent = losses[step + 1 - log_every:step + 1].mean()
                print(f"step {step + 1:5d}   loss {recent:.3f}")
    return TrainingRun(params=current, losses=losses, grad_norms=norms, diverged_at=diverged_at)


METHODS = ("full", "truncated", "randomized", "readout")


def recall_experiment(
    method: str,
    delay: int,
    *,
    k: int = 3,
    T: int = 24,
    H: int = 32,
    n_symbols: int = 4,
    batch_size: int = 32,
    steps: int = 450,
    lr: float = 1e-2,
    seed: int = 0,
    n_test: int = 500,
) -> dict:
    """Train an RNN on :func:`textbook_rnn.tasks.recall.delayed_recall` with one gradient method.

    The experiment of chapter 2, section *Truncation*: the same network, data
    and optimiser, trained with the gradient of

    - ``"full"``: full BPTT, :func:`textbook_rnn.bptt.rnn_loss_and_grads`;
    - ``"truncated"``: chunks of ``k`` steps, :func:`textbook_rnn.bptt.truncated_bptt`;
    - ``"randomized"``: random cuts with probability ``1/k`` per link and the
      surviving gradient reweighted,
      :func:`textbook_rnn.bptt_analysis.randomized_truncation_grads` (on
      average one cut every k steps, like truncation, but unbiased);
    - ``"readout"``: only ``V`` and ``c`` are trained (their gradient is the
      same under any truncation); ``U``, ``W`` and ``b`` keep their random
      initial values, as in an echo-state network (chapter 7).

    Parameters
    ----------
    method : {"full", "truncated", "randomized", "readout"}
    delay : int
        How far back the target looks.
    k : int
        Truncation length (mean distance between cuts for ``"randomized"``).
    T, H, n_symbols, batch_size : int
        Sequence length, hidden size, alphabet size, sequences per batch.
    steps : int
        Adam updates.
    lr : float
        Adam's step size.
    seed : int
        Seeds the weights, the batches, the cuts and the test set.
    n_test : int
        Number of fresh test sequences for the accuracy.

    Returns
    -------
    dict
        ``losses`` (steps,): training loss per sequence step; ``accuracy``:
        fraction of recall steps right on the test set; ``params``: the
        trained parameters.
    """
    from . import bptt, bptt_analysis
    from .rnn import init_params, rnn_sequence
    from .tasks import delayed_recall, recall_accuracy

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    k = check_positive_int("k", k)
    delay = check_positive_int("delay", delay)
    batch_size = check_positive_int("batch_size", batch_size)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative int, got {seed!r}")
    x_test, y_test = delayed_recall(n_test, T, delay, n_symbols=n_symbols,
                                    seed=np.random.default_rng([seed, 1]))
    cuts = np.random.default_rng([seed, 2])
    keep = ("V", "c") if method == "readout" else ("U", "W", "b", "V", "c")
    if method in ("full", "readout"):
        grad_fn = bptt.rnn_loss_and_grads
    elif method == "truncated":
        def grad_fn(x, y, p):
            return bptt.truncated_bptt(x, y, p, k)[:2]
    else:
        def grad_fn(x, y, p):
            return bptt_analysis.randomized_truncation_grads(x, y, p, 1.0 / k, cuts)[:2]

    def batch(step):
        return delayed_recall(batch_size, T, delay, n_symbols=n_symbols,
                              seed=np.random.default_rng([seed, 0, step]))

    params = init_params(n_symbols, H, n_symbols + 1, seed=seed)
    run = train(params, batch, grad_fn, steps=steps, optimiser="adam", lr=lr, clip=1.0,
                keep=keep)
    _, o = rnn_sequence(x_test, run.params)
    return {"losses": run.losses / T, "accuracy": recall_accuracy(o, y_test, delay),
            "params": run.params}
