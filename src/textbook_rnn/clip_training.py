"""Does clipping help training? A vanilla RNN on the adding problem, with plain SGD.

The chapter "Optimisation for long-term dependencies"
(``chapters/09_optimisation.md``), section *Clipping in training*. The
experiment of that section, entirely in numpy:

- the task is the later, simplified variant of Hochreiter & Schmidhuber's
  (1997) adding problem drawn by :func:`textbook_rnn.tasks.adding.adding_problem`:
  each step brings a random number in [0, 1) and a marker bit; two steps are
  marked, one in each half of the sequence, and the target is the sum of the
  two marked numbers. Predicting the mean, 1, gives a mean squared error of
  1/6; doing better needs the first marked number to be carried across half
  the sequence.
- :func:`adding_loss_and_grads`: the mean squared error of the read-out
  ŷ = V h_T + c, and its gradients by BPTT (``chapters/02_bptt.md``), through
  the kernels of :mod:`textbook_rnn.rnn` and :mod:`textbook_rnn.bptt`;
- the training loop is the one of chapter 2,
  :func:`textbook_rnn.train_numpy.train`, with plain SGD (``opt-gd``),
  optionally clipping the gradient, and stopping a run whose loss or
  gradient stops being finite (or exceeds :data:`DIVERGED`);
- :func:`initial_params` and :func:`adding_batches`: the starting weights
  and the stream of batches of one seed;
- :func:`clipping_experiment`: the same network, initial weights and batches
  trained with and without clipping, for several seeds.

Everything is seeded: the same call gives the same numbers. Only numpy is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validate import Shapes, check_positive_int
from .bptt import _rnn_backward
from .clipping import check_clip_mode
from .rnn import _check_rnn_args, _recurrence, init_params
from .tasks import adding_problem
from .train_numpy import _one_thread, train

__all__ = [
    "DIVERGED",
    "adding_loss_and_grads",
    "initial_params",
    "adding_batches",
    "clipping_experiment",
    "moving_average",
]

#: A loss above this counts as diverged (the targets lie in [0, 2)).
DIVERGED = 1e4


def adding_loss_and_grads(x, y, params: dict, h0=None):
    """Mean squared error of the last step's read-out, and its gradients by BPTT.

    Section *Clipping in training*. The network is the vanilla RNN,
    h_t = tanh(W h_{t-1} + U x_t + b) with one linear output at the end,
    ŷ = V h_T + c (V of shape (1, H)), and the loss is
    L = (1/N) Σ_n (ŷ_n − y_n)². Only h_T receives a gradient from the
    output; the BPTT of :func:`textbook_rnn.bptt.rnn_backward` carries it
    back through time.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Inputs.
    y : ndarray, shape (N, 1)
        Targets, as from :func:`textbook_rnn.tasks.adding.adding_problem`.
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
    x, h0, p = _check_rnn_args(x, params, h0)
    N, K = x.shape[0], p["V"].shape[0]
    if K != 1:
        raise ValueError(f"params['V'] must have shape (1, H): one output, got {p['V'].shape}")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (N, 1):
        raise ValueError(f"y must have shape (N, 1) = ({N}, 1), got shape {y.shape}")
    V, c = p["V"][0], p["c"][0]
    h = _recurrence(x @ p["U"].T + p["b"], h0, p["W"])  # (N, T, H)
    h_T = h[:, -1]  # (N, H)
    # ŷ = V h_T + c
    y_hat = h_T @ V + c  # (N,)
    err = y_hat - y[:, 0]
    loss = float(np.mean(err**2))
    # ∂L/∂ŷ = 2 (ŷ - y) / N
    d_y_hat = 2.0 * err / N  # (N,)
    dh = np.zeros_like(h)  # (N, T, H): only the last step sees the output
    dh[:, -1] = d_y_hat[:, None] * V
    _, _, dU, dW, db = _rnn_backward(dh, x, h0, h, p["U"], p["W"])
    grads = {"dU": dU, "dW": dW, "db": db,
             "dV": (d_y_hat @ h_T)[None, :], "dc": np.array([d_y_hat.sum()])}
    return loss, grads


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
        ``batch(step) -> (x, y)`` for :func:`textbook_rnn.train_numpy.train`.
    """
    T = check_positive_int("T", T)
    batch_size = check_positive_int("batch_size", batch_size)

    def batch(step: int):
        return adding_problem(batch_size, T, seed=np.random.default_rng([seed, 1, step]))

    return batch


def clipping_experiment(*, lr: float, clip: float, seeds: Sequence[int] = (0, 1, 2, 3, 4),
                        steps: int = 600, T: int = 20, H: int = 32, batch_size: int = 32,
                        n_test: int = 1000, mode: str = "norm") -> dict:
    """Train the same RNNs on the adding problem with and without clipping.

    Section *Clipping in training*. For each seed, one set of
    initial weights (:func:`initial_params`) and one stream of batches
    (:func:`adding_batches`) are trained twice with plain SGD at
    the same learning rate: once as they are, once with the gradient clipped
    at ``clip``, by :func:`textbook_rnn.train_numpy.train`. Only clipping
    differs between the two runs of a pair.

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
    check_clip_mode(mode)
    x_test, y_test = adding_problem(n_test, T, seed=12345)
    out: dict[str, list] = {"plain": [], "clipped": []}
    for seed in seeds:
        init = initial_params(H, seed)
        batch = adding_batches(seed, T=T, batch_size=batch_size)
        for key, threshold in (("plain", None), ("clipped", clip)):
            run = train(init, batch, adding_loss_and_grads, steps=steps, optimiser="sgd",
                        lr=lr, clip=threshold, clip_mode=mode, max_loss=DIVERGED)
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
