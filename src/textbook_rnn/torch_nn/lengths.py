"""Three ways for a generator to choose the length τ (chapter "Sequence modelling").

One small GRU generator, :class:`LengthModel`, in three variants that differ
only in how they end a sequence (the factorisations of
:mod:`textbook_rnn.length`):

- ``"eos"``: the output alphabet has one more symbol, <end>; the sequence
  stops when it is drawn;
- ``"halt"``: a sigmoid unit beside the softmax gives, after each step, the
  probability of stopping there (equation ``seq-halt``);
- ``"length"``: τ is drawn first from a learned categorical distribution,
  then the symbols, with the steps still to come, τ - t, fed in at each step.

All three are trained by maximum likelihood with teacher forcing (every step
in one call) by :func:`train_length_model`, and sampled ancestrally by
:meth:`LengthModel.sample`. torch is imported on first use of this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._optional import require
from .._validate import check_positive_int

torch = require("torch")
F = torch.nn.functional

__all__ = ["LENGTH_METHODS", "LengthModel", "train_length_model"]

LENGTH_METHODS = ("eos", "halt", "length")
"""The three ways of ending a sequence :class:`LengthModel` implements."""


class LengthModel(torch.nn.Module):
    """A GRU generator over K symbols that also chooses its length.

    Parameters
    ----------
    method : str
        One of :data:`LENGTH_METHODS`.
    K : int
        Number of symbols (the end symbol of ``"eos"`` not counted).
    T_max : int
        The longest sequence the model generates.
    H : int
        Hidden units.
    seed : int
        Seeds the initial weights.
    """

    def __init__(self, method: str, K: int, T_max: int, H: int = 32, *, seed: int = 0) -> None:
        super().__init__()
        if method not in LENGTH_METHODS:
            raise ValueError(f"method must be one of {LENGTH_METHODS}, got {method!r}")
        self.method = method
        self.K, self.T_max = check_positive_int("K", K), check_positive_int("T_max", T_max)
        H = check_positive_int("H", H)
        extra = 1 if method == "length" else 0  # (τ - t) / T_max
        n_out = K + 1 if method in ("eos", "halt") else K  # + <end>, or + the halt logit
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        self.gru = torch.nn.GRU(K + 1 + extra, H, batch_first=True)  # K symbols + <start>
        self.head = torch.nn.Linear(H, n_out)
        self.length_logits = torch.nn.Parameter(torch.zeros(T_max)) if method == "length" else None
        torch.random.set_rng_state(gen_state)

    # ----------------------------------------------------------------- inputs
    def _inputs(self, prev, remaining=None):
        """One-hot previous symbols (start symbol = K), with (τ - t)/T_max for ``"length"``."""
        x = F.one_hot(prev, self.K + 1).float()
        if self.method == "length":
            x = torch.cat([x, (remaining.float() / self.T_max)[..., None]], dim=-1)
        return x

    def outputs(self, y, tau):
        """Teacher-forced outputs for all steps at once.

        Parameters
        ----------
        y : torch.LongTensor, shape (N, T_max)
            Symbols; entries after τ are ignored.
        tau : torch.LongTensor, shape (N,)

        Returns
        -------
        torch.Tensor
            ``"eos"``: logits over K + 1 (shape (N, T_max + 1, K + 1));
            ``"halt"``: symbol logits and halt logit (N, T_max, K + 1), the
            halt logit last; ``"length"``: symbol logits (N, T_max, K).
        """
        N = y.shape[0]
        start = torch.full((N, 1), self.K, dtype=torch.long)
        steps = self.T_max + 1 if self.method == "eos" else self.T_max
        prev = torch.cat([start, y], dim=1)[:, :steps]
        t = torch.arange(1, steps + 1)[None, :]
        remaining = (tau[:, None] - t).clamp(min=0)
        out, _ = self.gru(self._inputs(prev, remaining))
        return self.head(out)

    def log_likelihood(self, y, tau):
        """Log P(y(1..τ), τ) of each sequence under the model, shape (N,)."""
        o = self.outputs(y, tau)
        t = torch.arange(1, o.shape[1] + 1)[None, :]
        inside = (t <= tau[:, None]).float()  # steps 1..τ
        if self.method == "eos":
            targets = torch.cat([y, torch.zeros_like(y[:, :1])], dim=1)
            targets = torch.where(t == tau[:, None] + 1, self.K, targets)  # <end> at τ + 1
            lp = torch.gather(F.log_softmax(o, -1), 2, targets[..., None])[..., 0]
            return (lp * (t <= tau[:, None] + 1).float()).sum(1)
        if self.method == "halt":
            lp = torch.gather(F.log_softmax(o[..., :-1], -1), 2, y[..., None])[..., 0]
            z = o[..., -1]
            stop = (t == tau[:, None]).float()
            # log σ(z) at t = τ, log(1 - σ(z)) = log σ(-z) before
            halt = F.logsigmoid(z) * stop + F.logsigmoid(-z) * (inside - stop)
            return ((lp + halt) * inside).sum(1)
        lp = torch.gather(F.log_softmax(o, -1), 2, y[..., None])[..., 0]
        return (lp * inside).sum(1) + F.log_softmax(self.length_logits, 0)[tau - 1]

    @torch.no_grad()
    def sample(self, n: int, *, seed: int = 0):
        """Draw ``n`` sequences ancestrally.

        Returns
        -------
        y : ndarray of int64, shape (n, T_max)
            The symbols, 0 after the end.
        tau : ndarray of int64, shape (n,)
            The lengths, 1..T_max (a sequence that has not ended after T_max
            symbols is cut there; for ``"eos"`` the end symbol is not allowed
            as the first draw, since sequences are not empty).
        """
        n = check_positive_int("n", n)
        gen = torch.Generator().manual_seed(seed)
        K, T_max = self.K, self.T_max
        y = torch.zeros((n, T_max), dtype=torch.long)
        tau = torch.full((n,), T_max, dtype=torch.long)
        done = torch.zeros(n, dtype=torch.bool)
        if self.method == "length":
            p = torch.softmax(self.length_logits, 0).expand(n, -1)
            tau = torch.multinomial(p, 1, generator=gen)[:, 0] + 1
        prev, h = torch.full((n,), K, dtype=torch.long), None
        for t in range(1, T_max + 1):
            out, h = self.gru(self._inputs(prev[:, None], (tau - t).clamp(min=0)[:, None]), h)
            o = self.head(out[:, 0])
            if self.method == "eos":
                if t == 1:
                    o[:, K] = -torch.inf
                draw = torch.multinomial(torch.softmax(o, -1), 1, generator=gen)[:, 0]
                ends = (draw == K) & ~done
                tau = torch.where(ends, t - 1, tau)
                done |= ends
            else:
                logits = o[:, :K]
                draw = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)[:, 0]
            draw = torch.where(done, 0, draw)
            y[:, t - 1] = draw
            if self.method == "halt":
                stops = (torch.rand(n, generator=gen) < torch.sigmoid(o[:, K])) & ~done
                tau = torch.where(stops, t, tau)
                done |= stops
            elif self.method == "length":
                done |= t >= tau
            prev = draw
        y[torch.arange(T_max)[None, :] >= tau[:, None]] = 0
        return y.numpy(), tau.numpy()


def train_length_model(model: LengthModel, y, tau, *, steps: int = 400, batch: int = 64,
                       lr: float = 1e-2, seed: int = 0,
                       progress: Callable | None = None) -> np.ndarray:
    """Maximise the mean log-likelihood with Adam on random minibatches.

    Parameters
    ----------
    model : LengthModel
    y : ndarray of int, shape (n, T_max)
    tau : ndarray of int, shape (n,)
    steps, batch : int
        Adam updates and sequences per update.
    lr : float
        Adam's step size.
    seed : int
        Seeds the minibatches.
    progress : callable, optional
        Called as ``progress(1)`` after each update.

    Returns
    -------
    ndarray, shape (steps,)
        The loss, -log P(y, τ) per sequence, at every update.
    """
    y, tau = np.asarray(y), np.asarray(tau)
    if y.ndim != 2 or y.shape[1] != model.T_max or tau.shape != (y.shape[0],):
        raise ValueError(f"y must have shape (n, T_max) = (n, {model.T_max}) and tau (n,), got "
                         f"{y.shape} and {tau.shape}")
    if tau.min() < 1 or tau.max() > model.T_max:
        raise ValueError(f"tau must lie in 1..{model.T_max}")
    steps, batch = check_positive_int("steps", steps), check_positive_int("batch", batch)
    y_t, tau_t = torch.from_numpy(y.astype(np.int64)), torch.from_numpy(tau.astype(np.int64))
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    for i in range(steps):
        idx = torch.from_numpy(rng.integers(0, y.shape[0], batch))
        loss = -model.log_likelihood(y_t[idx], tau_t[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
        if progress is not None:
            progress(1)
    return losses
