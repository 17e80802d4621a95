"""Generating a sequence from a fixed context vector (chapter "Sequence modelling").

:class:`CaptionRNN` is a GRU that describes a context vector x (the toy
"image" of :mod:`textbook_rnn.tasks.captions`) word by word. It can be
conditioned on x in the two ways of the chapter:

- ``condition="input"``: x is an extra input at every step, U' x added to
  the pre-activation (equation ``seq-context-input``);
- ``condition="initial"``: x sets the initial state, h(0) = tanh(R x + d), and
  is not seen again (equation ``seq-context-h0``), the image-captioning
  pattern;

and with or without the output-to-state connection (``feedback``): with it,
the previous word is an input too, so the words are generated one given the
others and the model can represent any distribution over sentences given x;
without it, the words are independent given x.

:func:`train_caption` fits a model by maximum likelihood (teacher forcing),
:meth:`CaptionRNN.sample` draws descriptions. torch is imported on first use
of this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._optional import require
from .._validate import check_positive_int

torch = require("torch")
F = torch.nn.functional

__all__ = ["CONDITIONS", "CaptionRNN", "train_caption"]

CONDITIONS = ("input", "initial")
"""Where :class:`CaptionRNN` feeds the context: every step's input, or h(0)."""


class CaptionRNN(torch.nn.Module):
    """A GRU that generates word ids 0..K-1 (0 = <end>) given a context x of D numbers.

    Parameters
    ----------
    D : int
        Size of the context vector.
    K : int
        Vocabulary size, <end> (id 0) included.
    H : int
        Hidden units.
    condition : str
        ``"input"`` or ``"initial"``, see :data:`CONDITIONS`.
    feedback : bool
        Feed the previous word back as an input (output-to-state connection).
    seed : int
        Seeds the initial weights.
    """

    def __init__(self, D: int, K: int, H: int = 32, *, condition: str = "input",
                 feedback: bool = True, seed: int = 0) -> None:
        super().__init__()
        if condition not in CONDITIONS:
            raise ValueError(f"condition must be one of {CONDITIONS}, got {condition!r}")
        self.D, self.K, self.H = (check_positive_int(n, v) for n, v in
                                  (("D", D), ("K", K), ("H", H)))
        self.condition, self.feedback = condition, bool(feedback)
        n_in = (K + 1 if self.feedback else 0) + (D if condition == "input" else 0)
        self._constant_input = n_in == 0  # neither words nor x: a constant 1 drives the steps
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        self.gru = torch.nn.GRU(max(n_in, 1), H, batch_first=True)
        self.init = torch.nn.Linear(D, H) if condition == "initial" else None
        self.head = torch.nn.Linear(H, K)
        torch.random.set_rng_state(gen_state)

    def _h0(self, x):
        if self.init is None:
            return None
        return torch.tanh(self.init(x))[None]  # (1, N, H)

    def _inputs(self, x, prev):
        """Step inputs (N, T, ·): [one-hot previous word (start = K)] [x]."""
        N, T = prev.shape
        parts = []
        if self.feedback:
            parts.append(F.one_hot(prev, self.K + 1).float())
        if self.condition == "input":
            parts.append(x[:, None, :].expand(N, T, self.D))
        if not parts:
            parts.append(torch.ones((N, T, 1)))
        return torch.cat(parts, dim=-1)

    def forward(self, x, captions):
        """Teacher-forced logits, shape (N, L, K), for contexts x (N, D) and captions (N, L)."""
        start = torch.full((captions.shape[0], 1), self.K, dtype=torch.long)
        prev = torch.cat([start, captions[:, :-1]], dim=1)
        out, _ = self.gru(self._inputs(x, prev), self._h0(x))
        return self.head(out)

    def nll(self, x, captions):
        """Minus log P(caption | x) per sequence (N,), words up to and including the first <end>."""
        lp = torch.gather(F.log_softmax(self(x, captions), -1), 2, captions[..., None])[..., 0]
        ended_before = torch.cumsum((captions == 0).long(), dim=1) - (captions == 0).long()
        return -(lp * (ended_before == 0).float()).sum(1)

    @torch.no_grad()
    def sample(self, x, length: int, *, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
        """Draw one description per context, ancestrally; shape (N, length), 0 after <end>."""
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
        if x.ndim != 2 or x.shape[1] != self.D:
            raise ValueError(f"x must have shape (N, D) = (N, {self.D}), got {tuple(x.shape)}")
        length = check_positive_int("length", length)
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        gen = torch.Generator().manual_seed(seed)
        N = x.shape[0]
        out_ids = torch.zeros((N, length), dtype=torch.long)
        prev, h = torch.full((N, 1), self.K, dtype=torch.long), self._h0(x)
        done = torch.zeros(N, dtype=torch.bool)
        for t in range(length):
            out, h = self.gru(self._inputs(x, prev), h)
            p = torch.softmax(self.head(out[:, 0]) / temperature, -1)
            word = torch.multinomial(p, 1, generator=gen)[:, 0]
            word = torch.where(done, 0, word)
            out_ids[:, t] = word
            done |= word == 0
            prev = word[:, None]
        return out_ids.numpy()


def train_caption(model: CaptionRNN, images, captions, *, steps: int = 300, batch: int = 64,
                  lr: float = 1e-2, seed: int = 0,
                  progress: Callable | None = None) -> np.ndarray:
    """Minimise the mean -log P(caption | image) with Adam on random minibatches.

    Parameters
    ----------
    model : CaptionRNN
    images : ndarray, shape (n, D)
    captions : ndarray of int, shape (n, L)
    steps, batch : int
        Adam updates and pairs per update.
    lr : float
        Adam's step size.
    seed : int
        Seeds the minibatches.
    progress : callable, optional
        Called as ``progress(1)`` after each update.

    Returns
    -------
    ndarray, shape (steps,)
        The loss at every update, in nats per description.
    """
    images, captions = np.asarray(images), np.asarray(captions)
    if images.ndim != 2 or images.shape[1] != model.D:
        raise ValueError(f"images must have shape (n, D) = (n, {model.D}), got {images.shape}")
    if captions.ndim != 2 or captions.shape[0] != images.shape[0]:
        raise ValueError(f"captions must have shape (n, L) with n = {images.shape[0]}, got "
                         f"{captions.shape}")
    steps, batch = check_positive_int("steps", steps), check_positive_int("batch", batch)
    x_all = torch.as_tensor(images, dtype=torch.float32)
    c_all = torch.as_tensor(captions, dtype=torch.long)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    for i in range(steps):
        idx = torch.from_numpy(rng.integers(0, images.shape[0], batch))
        loss = model.nll(x_all[idx], c_all[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
        if progress is not None:
            progress(1)
    return losses
