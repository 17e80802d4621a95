"""A GRU that feeds its own output back: teacher forcing vs scheduled sampling.

Chapter "Sequence modelling", section on teacher forcing. The model predicts
the next value of a signal, ŷ(t) = c + V h(t), from h(t) = GRU(h(t-1), x(t)),
where the input x(t) is the previous value: the true y(t-1) under teacher
forcing (equation ``seq-forced``), its own ŷ(t-1) when it runs free.

- :class:`FeedbackGRU`: the model, with :meth:`~FeedbackGRU.forced` (all
  steps at once, inputs given) and :meth:`~FeedbackGRU.step` (one step);
- :func:`scheduled_loss`: the training loss when each input is the truth
  with probability ε and the model's own previous output otherwise
  (Bengio et al. 2015); ε = 1 is teacher forcing;
- :func:`train_feedback`: Adam on fresh batches with an ε schedule from
  :func:`textbook_rnn.teacher_forcing.forcing_probability`;
- :func:`continuation_errors`: one-step (forced) and free-running mean
  squared errors on held-out signals after a true prefix.

torch is imported on first use of this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._optional import require
from .._validate import check_positive_int
from ..teacher_forcing import forcing_probability

torch = require("torch")

__all__ = ["FeedbackGRU", "scheduled_loss", "train_feedback", "continuation_errors"]


class FeedbackGRU(torch.nn.Module):
    """GRU with H units and a linear read-out of one value per step.

    Parameters
    ----------
    H : int
        Hidden units.
    seed : int
        Seeds the initial weights.
    """

    def __init__(self, H: int = 32, *, seed: int = 0) -> None:
        super().__init__()
        H = check_positive_int("H", H)
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        self.gru = torch.nn.GRU(1, H, batch_first=True, dtype=torch.float64)
        self.head = torch.nn.Linear(H, 1, dtype=torch.float64)
        torch.random.set_rng_state(gen_state)  # leave the global generator as it was

    def forced(self, x, h0=None):
        """All steps at once for given inputs x (N, T, 1): returns (ŷ (N, T, 1), h (1, N, H))."""
        out, h = self.gru(x, h0)
        return self.head(out), h

    def step(self, x_t, h):
        """One step: input x_t (N, 1), state h (1, N, H) or None -> (ŷ_t (N, 1), h)."""
        out, h = self.gru(x_t[:, None, :], h)
        return self.head(out[:, 0]), h


def _shifted(y):
    """Teacher-forced inputs: 0 as the start value, then y(1) .. y(T-1)."""
    return torch.cat([torch.zeros_like(y[:, :1]), y[:, :-1]], dim=1)


def scheduled_loss(model: FeedbackGRU, y, eps: float, generator):
    """Mean squared one-step error when each input is the truth with probability ``eps``.

    With ``eps >= 1`` every input is the truth (teacher forcing) and all steps
    run in one call; otherwise the steps run one by one and, per sequence and
    step, a coin decides between y(t-1) and the model's own ŷ(t-1) (fed as a
    value: no gradient flows through the choice or through the fed-back value).

    Parameters
    ----------
    model : FeedbackGRU
    y : torch.Tensor, shape (N, T, 1)
    eps : float
        Probability of feeding the truth.
    generator : torch.Generator
        Draws the coins.

    Returns
    -------
    torch.Tensor
        The loss, a scalar.
    """
    if eps >= 1.0:
        y_hat, _ = model.forced(_shifted(y))
        return torch.mean((y_hat - y) ** 2)
    N, T, _ = y.shape
    h, x_t, losses = None, torch.zeros_like(y[:, 0]), []
    for t in range(T):
        y_hat, h = model.step(x_t, h)
        losses.append((y_hat - y[:, t]) ** 2)
        coin = torch.rand((N, 1), generator=generator, dtype=y.dtype) < eps
        x_t = torch.where(coin, y[:, t], y_hat.detach())
    return torch.mean(torch.stack(losses))


def train_feedback(model: FeedbackGRU, make_batch: Callable, *, steps: int, schedule: str,
                   k: float = 200.0, lr: float = 3e-3, seed: int = 0,
                   progress: Callable | None = None) -> np.ndarray:
    """Train with Adam on fresh batches; return the loss at every update, shape (steps,).

    Parameters
    ----------
    model : FeedbackGRU
    make_batch : callable
        ``make_batch(rng) -> ndarray (N, T, 1)``, a fresh batch of signals.
    steps : int
        Adam updates.
    schedule : str
        ε schedule, see :func:`textbook_rnn.teacher_forcing.forcing_probability`
        (``"constant"`` is teacher forcing).
    k : float
        The schedule's time scale.
    lr : float
        Adam's step size.
    seed : int
        Seeds the batches and the coins.
    progress : callable, optional
        Called as ``progress(step)`` after each update (e.g. a tqdm bar's update).
    """
    steps = check_positive_int("steps", steps)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    eps = forcing_probability(np.arange(steps), schedule, k=k)
    losses = np.empty(steps)
    for i in range(steps):
        y = torch.from_numpy(np.asarray(make_batch(rng), dtype=np.float64))
        loss = scheduled_loss(model, y, float(eps[i]), gen)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses[i] = loss.item()
        if progress is not None:
            progress(1)
    return losses


@torch.no_grad()
def continuation_errors(model: FeedbackGRU, y, prefix: int) -> tuple[float, float, np.ndarray]:
    """One-step and free-running errors on the continuation of held-out signals.

    The model reads the true first ``prefix`` values. Then (a) one-step: it
    keeps getting the true previous value; (b) free running: it gets its own
    previous prediction.

    Parameters
    ----------
    model : FeedbackGRU
    y : ndarray, shape (N, T, 1)
    prefix : int
        1 ≤ prefix < T.

    Returns
    -------
    one_step : float
        Mean squared error of the forced predictions after the prefix.
    free : float
        Mean squared error of the free-running continuation.
    free_path : ndarray, shape (N, T - prefix, 1)
        The free-running continuation itself.
    """
    y = torch.from_numpy(np.asarray(y, dtype=np.float64))
    N, T, _ = y.shape
    prefix = check_positive_int("prefix", prefix)
    if prefix >= T:
        raise ValueError(f"prefix must be shorter than the signals (T={T}), got {prefix}")
    y_hat, _ = model.forced(_shifted(y))
    one_step = float(torch.mean((y_hat[:, prefix:] - y[:, prefix:]) ** 2))
    _, h = model.forced(_shifted(y[:, :prefix]))
    x_t, path = y[:, prefix - 1], []
    for _ in range(prefix, T):
        x_t, h = model.step(x_t, h)
        path.append(x_t)
    free_path = torch.stack(path, dim=1)
    free = float(torch.mean((free_path - y[:, prefix:]) ** 2))
    return one_step, free, free_path.numpy()
