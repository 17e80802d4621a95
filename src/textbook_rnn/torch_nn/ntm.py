"""A Neural Turing Machine and an LSTM baseline for the copy task (chapter "Explicit memory").

The addressing equations are those of :mod:`textbook_rnn.memory`, written a
second time in torch so that autograd can train a whole machine; the tests
check that both give the same values and the same gradients.

- :func:`content_weights`, :func:`interpolate`, :func:`shift`,
  :func:`sharpen`, :func:`address`, :func:`read`, :func:`write`: one
  equation each, batch first; memory ``M`` is ``(N, R, C)`` (R rows of
  width C), weights ``w`` are ``(N, R)``.
- :class:`NTM`: an LSTM controller, one write head and one read head
  (Graves et al., 2014). At each step the controller sees the input and the
  previous read vector; the write head then writes, the read head reads, and
  the output is a linear map of the controller state and the new read vector.
- :func:`copy_lstm`: the baseline, a one-layer LSTM with a read-out, sized to
  the same parameter count (:class:`textbook_rnn.torch_nn.models.SequenceModel`).
- :func:`train_copy`: seeded Adam training on the copy task
  (:mod:`textbook_rnn.tasks.copy`), one CPU thread, optional progress bar;
  :func:`evaluate_copy` counts the bits wrong per sequence at given lengths;
  :func:`head_weights` runs a model on one sequence and returns its read and
  write weights step by step.

torch is imported when this module is imported, with an install hint when it
is missing.
"""

from __future__ import annotations

import numpy as np

from .._optional import require
from .._validate import as_rng, check_positive_int
from ..tasks.copy import copy_batches, copy_bits_wrong, copy_task

torch = require("torch")
F = torch.nn.functional

__all__ = [
    "content_weights", "interpolate", "shift", "sharpen", "address", "read", "write",
    "NTM", "copy_lstm", "n_params", "train_copy", "evaluate_copy", "head_weights",
]

EPS = 1e-8
"""Added to the product of norms in the cosine similarity (``memory.EPS``)."""

FLOOR = 1e-30
"""Shifted weights are raised to at least this before sharpening (a float32 guard)."""


# ---------------------------------------------------------------------------
# Addressing, one equation each (the same as textbook_rnn.memory)
# ---------------------------------------------------------------------------


def content_weights(M, k, beta):
    """w^c_i = softmax_i(beta K(k, M_i)), K the cosine similarity (memory-content)."""
    dot = torch.einsum("nrc,nc->nr", M, k)  # (N, R)
    norms = torch.linalg.vector_norm(M, dim=2) * torch.linalg.vector_norm(k, dim=1)[:, None]
    K = dot / (norms + EPS)
    return torch.softmax(beta[:, None] * K, dim=1)


def interpolate(w_c, w_prev, g):
    """w^g = g w^c + (1 - g) w_prev (memory-interpolate)."""
    return g[:, None] * w_c + (1 - g[:, None]) * w_prev


def shift(w_g, s):
    """w~_i = sum_j s_j w^g_{i - (j - S)}, indices mod R (memory-shift)."""
    S = (s.shape[1] - 1) // 2
    return sum(s[:, j:j + 1] * torch.roll(w_g, j - S, dims=1) for j in range(s.shape[1]))


def sharpen(w_s, gamma):
    """w_i = w~_i^gamma / sum_j w~_j^gamma (memory-sharpen)."""
    p = w_s ** gamma[:, None]
    return p / p.sum(dim=1, keepdim=True)


def address(M, w_prev, k, beta, g, s, gamma):
    """The four addressing steps in order (memory-content to memory-sharpen)."""
    w_s = shift(interpolate(content_weights(M, k, beta), w_prev, g), s)
    return sharpen(torch.clamp(w_s, min=FLOOR), gamma)


def read(M, w):
    """Read vector ``r = sum_i w_i M_i`` (memory-read)."""
    return torch.einsum("nr,nrc->nc", w, M)


def write(M, w, e, a):
    """M_i <- M_i * (1 - w_i e) + w_i a (memory-erase, memory-add)."""
    return M * (1 - w[:, :, None] * e[:, None, :]) + w[:, :, None] * a[:, None, :]


# ---------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------


class NTM(torch.nn.Module):
    """An NTM with an LSTM controller, one write head and one read head.

    ``model(x)`` maps inputs ``(N, T, D)`` to output logits ``(N, T, K)``.

    Parameters
    ----------
    D, K : int
        Input and output sizes.
    H : int
        Controller (``torch.nn.LSTMCell``) units.
    R, C : int
        Memory rows and row width.
    shifts : int
        Largest shift S; the shift weights cover -S..S.
    seed : int
        Seeds the initial parameters.
    """

    def __init__(self, D: int = 9, K: int = 8, *, H: int = 100, R: int = 64, C: int = 20,
                 shifts: int = 1, seed: int = 0):
        super().__init__()
        D, K, H, R, C = (check_positive_int(n, v) for n, v in
                         zip("DKHRC", (D, K, H, R, C), strict=True))
        self.D, self.K, self.H, self.R, self.C = D, K, H, R, C
        self.S = check_positive_int("shifts", shifts)
        n_addr = C + 1 + 1 + (2 * self.S + 1) + 1  # k, beta, g, s, gamma
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.controller = torch.nn.LSTMCell(D + C, H)
            self.read_head = torch.nn.Linear(H, n_addr)
            self.write_head = torch.nn.Linear(H, n_addr + 2 * C)  # + erase e, add a
            self.readout = torch.nn.Linear(H + C, K)

    def _params(self, z):
        """Head outputs to addressing parameters, each squashed into its range."""
        C, S = self.C, self.S
        k = torch.tanh(z[:, :C])
        beta = F.softplus(z[:, C])  # beta >= 0
        g = torch.sigmoid(z[:, C + 1])  # g in (0, 1)
        s = torch.softmax(z[:, C + 2:C + 3 + 2 * S], dim=1)  # shift weights sum to 1
        gamma = 1 + F.softplus(z[:, C + 3 + 2 * S])  # gamma >= 1
        return k, beta, g, s, gamma

    def forward(self, x, *, weights: bool = False):
        """Run the machine over ``x`` (N, T, D); with ``weights``, also return the heads' weights.

        Returns the logits ``o`` (N, T, K), and with ``weights`` also the read
        and write weights ``(N, T, R)`` of every step.
        """
        N, T, _ = x.shape
        M = torch.full((N, self.R, self.C), 1e-6, dtype=x.dtype, device=x.device)
        w_r = torch.zeros(N, self.R, dtype=x.dtype, device=x.device)
        w_r[:, 0] = 1.0  # both heads start at row 0
        w_w = w_r.clone()
        r = torch.zeros(N, self.C, dtype=x.dtype, device=x.device)
        h = torch.zeros(N, self.H, dtype=x.dtype, device=x.device)
        c = torch.zeros_like(h)
        outs, reads, writes = [], [], []
        n_addr = self.C + 4 + 2 * self.S
        for t in range(T):
            h, c = self.controller(torch.cat([x[:, t], r], dim=1), (h, c))
            zw = self.write_head(h)
            w_w = address(M, w_w, *self._params(zw[:, :n_addr]))
            e = torch.sigmoid(zw[:, n_addr:n_addr + self.C])
            a = torch.tanh(zw[:, n_addr + self.C:])
            M = write(M, w_w, e, a)
            w_r = address(M, w_r, *self._params(self.read_head(h)))
            r = read(M, w_r)
            outs.append(self.readout(torch.cat([h, r], dim=1)))
            if weights:
                reads.append(w_r)
                writes.append(w_w)
        o = torch.stack(outs, dim=1)  # (N, T, K)
        if weights:
            return o, torch.stack(reads, dim=1), torch.stack(writes, dim=1)
        return o


def copy_lstm(D: int = 9, K: int = 8, *, H: int = 119, seed: int = 0):
    """The LSTM baseline: one LSTM layer and a read-out (62.8k parameters by default)."""
    from .models import SequenceModel

    return SequenceModel("lstm", D, H, K, seed=seed)


def n_params(model) -> int:
    """Number of trainable parameters of a torch module."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


# ---------------------------------------------------------------------------
# Training and evaluation
# ---------------------------------------------------------------------------


def _masked_bce(o, y, mask):
    """Binary cross-entropy summed over bits, averaged over scored steps."""
    per_bit = F.binary_cross_entropy_with_logits(o, y, reduction="none")  # (N, T, K)
    return (per_bit.sum(dim=2) * mask).sum() / mask.sum()


def train_copy(model, *, steps: int = 5000, batch: int = 16, lengths=(1, 10), bits: int = 8,
               lr: float = 1e-3, clip: float = 10.0, seed: int = 0, every: int = 50,
               progress=False):
    """Train ``model`` on the copy task with Adam; return its history.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`NTM` or the LSTM of :func:`copy_lstm` (logits out).
    steps, batch : int
        Number of Adam updates and sequences per update.
    lengths : tuple of two int
        Training lengths, smallest and largest.
    bits : int
        Bits per vector.
    lr, clip : float
        Adam's learning rate; the gradient's global norm is clipped to ``clip``.
    seed : int
        Seeds the batches.
    every : int
        Record the mean loss and bits wrong over each block of ``every`` updates.
    progress : bool or str
        Show a tqdm bar (with a label when a str).

    Returns
    -------
    dict
        ``step`` (the last update of each block), ``loss`` (mean BCE in bits
        summed per step, averaged over the block) and ``bits_wrong`` (per
        sequence, averaged over the block).
    """
    steps = check_positive_int("steps", steps)
    every = check_positive_int("every", every)
    make = copy_batches(batch, lengths, bits=bits)
    rng = as_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    bar = None
    if progress:
        tqdm = require("tqdm.auto").tqdm
        bar = tqdm(total=steps, desc=progress if isinstance(progress, str) else "copy task",
                   unit="step", mininterval=0.5)
    hist = {"step": [], "loss": [], "bits_wrong": []}
    acc_loss, acc_bits = 0.0, 0.0
    model.train()
    for step in range(1, steps + 1):
        x, y, mask = (torch.as_tensor(v, dtype=torch.float32) for v in make(rng))
        opt.zero_grad(set_to_none=True)
        o = model(x)
        loss = _masked_bce(o, y, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        acc_loss += float(loss.detach())
        with torch.no_grad():
            acc_bits += copy_bits_wrong(torch.sigmoid(o).numpy(), y.numpy(), mask.numpy())
        if step % every == 0:
            hist["step"].append(step)
            hist["loss"].append(acc_loss / every)
            hist["bits_wrong"].append(acc_bits / every)
            acc_loss, acc_bits = 0.0, 0.0
        if bar is not None:
            bar.update(1)
            if step % every == 0:
                bar.set_postfix(loss=f"{hist['loss'][-1]:.3f}")
    if bar is not None:
        bar.close()
    return hist


def evaluate_copy(model, lengths=(10, 20, 30, 40), *, n: int = 64, bits: int = 8,
                  seed: int = 1234) -> dict:
    """Bits wrong per sequence at each test length (``n`` sequences, seeded).

    Returns
    -------
    dict of int to float
        Test length -> bits wrong per sequence.
    """
    out = {}
    model.eval()
    with torch.no_grad():
        for L in lengths:
            x, y, mask = copy_task(n, L, bits=bits, seed=seed + L)
            o = model(torch.as_tensor(x, dtype=torch.float32))
            out[int(L)] = copy_bits_wrong(torch.sigmoid(o).numpy(), y, mask)
    return out


def head_weights(model, length: int = 20, *, bits: int = 8, seed: int = 7):
    """Run an :class:`NTM` on one copy sequence; return its inputs, outputs and head weights.

    Returns
    -------
    dict of ndarray
        ``x`` (T, D), ``y`` (T, K) targets, ``y_hat`` (T, K) probabilities,
        ``read`` and ``write`` (T, R), the weights of each head at each step.
    """
    x, y, _ = copy_task(1, length, bits=bits, seed=seed)
    model.eval()
    with torch.no_grad():
        o, w_r, w_w = model(torch.as_tensor(x, dtype=torch.float32), weights=True)
    return {"x": x[0], "y": y[0], "y_hat": torch.sigmoid(o)[0].numpy().astype(np.float64),
            "read": w_r[0].numpy().astype(np.float64),
            "write": w_w[0].numpy().astype(np.float64)}
