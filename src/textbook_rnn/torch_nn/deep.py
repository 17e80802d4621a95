"""A stack of recurrent layers against one wide layer (chapter "Deep and recursive networks").

- :class:`StackedRNN`: ``layers`` recurrent layers (tanh RNN or GRU) of width
  H, each reading the states of the one below (equation ``deep-stacked``),
  with a linear readout from the top; it returns every layer's states, which
  :func:`layer_time_scales` needs. ``layers=1`` is the wide single layer.
- :func:`parameter_count` and :func:`matching_width`: the width of one layer
  whose parameter count is nearest to that of a given stack.
- :func:`train_counter`: trains one network on the binary counter
  (:func:`textbook_rnn.tasks.binary_counter.counter_task`), seeded, with
  :func:`textbook_rnn.torch_nn.models.train`, and scores it on fresh sequences.
- :func:`layer_time_scales`: the autocorrelation of each layer's state on a
  trained network and its time scale (:func:`textbook_rnn.deep.autocorrelation`).

``tools/deep_sweep.py`` runs the comparison over seeds and stores it in
``src/textbook_rnn/data/deep_rnn.json``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import deep
from .._optional import require
from .._validate import check_positive_int
from ..tasks.binary_counter import counter_batches, counter_task
from . import models

torch = require("torch")

__all__ = ["StackedRNN", "layer_time_scales", "matching_width", "parameter_count",
           "train_counter"]

CELLS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU}


class StackedRNN(torch.nn.Module):
    """``layers`` recurrent layers of width H and a linear readout from the top one.

    Parameters
    ----------
    cell : {"rnn", "gru"}
        A tanh RNN (``torch.nn.RNN``) or a GRU in every layer.
    D, H, K : int
        Input size, width of every layer, number of outputs.
    layers : int
        How many layers are stacked (1: a single layer).
    seed : int, optional
        Seeds the initial weights (torch's global generator is left untouched).

    Attributes
    ----------
    rnns : torch.nn.ModuleList
        One single-layer module per layer, bottom first, ``batch_first=True``.
    readout : torch.nn.Linear
        ``V`` (K, H) and ``c`` (K,).
    """

    def __init__(self, cell: str, D: int, H: int, K: int, layers: int = 1, *,
                 seed: int | None = None) -> None:
        super().__init__()
        if not isinstance(cell, str) or cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        D, H, K, layers = (check_positive_int(n, v) for n, v in
                           (("D", D), ("H", H), ("K", K), ("layers", layers)))
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")
        self.cell = cell
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(int(seed))
            self.rnns = torch.nn.ModuleList(
                CELLS[cell](D if i == 0 else H, H, batch_first=True) for i in range(layers))
            self.readout = torch.nn.Linear(H, K)

    def states(self, x) -> list:
        """Every layer's states for inputs x (N, T, D): a list of tensors (N, T, H)."""
        D = self.rnns[0].input_size
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[2] != D:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (N, T, D) with D={D}, got {shape}")
        out, h = [], x
        for rnn in self.rnns:
            # h^(l)_t = tanh(W h^(l)_{t-1} + U h^(l-1)_t + b) (or the GRU's update)
            h, _ = rnn(h)  # (N, T, H)
            out.append(h)
        return out

    def forward(self, x):
        """Outputs o (N, T, K) read from the top layer, for inputs x (N, T, D)."""
        return self.readout(self.states(x)[-1])

    def extra_repr(self) -> str:  # noqa: D102 - shown by print(model)
        return f"cell={self.cell!r}, layers={len(self.rnns)}"


def parameter_count(cell: str, D: int, H: int, K: int, layers: int = 1) -> int:
    """The number of trainable parameters of ``StackedRNN(cell, D, H, K, layers)``.

    Parameters
    ----------
    cell : {"rnn", "gru"}
        The recurrent cell.
    D, H, K, layers : int
        As in :class:`StackedRNN`.

    Returns
    -------
    int
        Weights and biases of every layer (torch keeps two bias vectors per
        gate block) and of the readout.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    D, H, K, layers = (check_positive_int(n, v) for n, v in
                       (("D", D), ("H", H), ("K", K), ("layers", layers)))
    gates = 3 if cell == "gru" else 1
    first = gates * (H * D + H * H + 2 * H)
    later = gates * (H * H + H * H + 2 * H)
    return first + (layers - 1) * later + K * H + K


def matching_width(cell: str, D: int, H: int, K: int, layers: int, *, to_layers: int = 1) -> int:
    """The width of a ``to_layers``-layer network whose parameter count is nearest a stack's.

    Parameters
    ----------
    cell : {"rnn", "gru"}
        The recurrent cell.
    D, H, K : int
        Input size, width of each layer of the given stack, outputs.
    layers : int
        Layers in the given stack.
    to_layers : int
        Layers of the network to size (1: one wide layer).

    Returns
    -------
    int
        The H' that minimises ``|parameter_count(cell, D, H', K, to_layers) -
        parameter_count(cell, D, H, K, layers)|`` (the smaller on a tie).
    """
    target = parameter_count(cell, D, H, K, layers)
    to_layers = check_positive_int("to_layers", to_layers)

    def count(width):
        return parameter_count(cell, D, width, K, to_layers)

    width = 1
    while count(width + 1) <= target:
        width += 1
    return width + 1 if abs(count(width + 1) - target) < abs(target - count(width)) else width


def train_counter(cell: str, layers: int, H: int, *, bits: int = 4, T: int = 64,
                  batch: int = 32, steps: int = 1500, lr: float = 0.01, seed: int = 0,
                  test_size: int = 128, long_T: int = 256, log_every: int = 50,
                  progress: bool | str = False) -> dict:
    """Train one network on the binary counter and score it on fresh sequences.

    Adam on the binary cross-entropy of every bit at every step, gradient
    norm clipped at 1, on one CPU thread (:func:`textbook_rnn.torch_nn.models.train`),
    so that a seed gives the same numbers on every run.

    Parameters
    ----------
    cell : {"rnn", "gru"}
        The recurrent cell.
    layers, H : int
        Layers and width of each (``layers=1``: one layer).
    bits, T, batch : int
        The counter's bits, the training sequences' length, the batch size.
    steps : int
        Optimiser steps.
    lr : float
        Learning rate.
    seed : int
        Seeds the weights, the batches and the test sets (seed + 10,000 and + 20,000).
    test_size : int
        Number of test sequences, of length T (and as many of length ``long_T``).
    long_T : int
        Length of the longer test sequences: does the count survive past
        the lengths seen in training?
    log_every : int
        Steps between records; at each, the fraction of steps of the test
        set at which every bit is right is recorded (``history["eval"]``).
    progress : bool or str
        A tqdm bar (see :func:`textbook_rnn.torch_nn.models.train`).

    Returns
    -------
    dict
        ``model``; ``history`` (of ``models.train``); ``bit_accuracy`` (B,):
        the fraction of test steps at which each bit is right;
        ``accuracy``: the fraction of test steps at which every bit is;
        ``long_accuracy``: the same on the longer sequences;
        ``parameters``: the parameter count.
    """
    model = StackedRNN(cell, 1, H, bits, layers, seed=seed)
    x, y = counter_task(test_size, T, bits, seed=seed + 10_000)
    x_long, y_long = counter_task(test_size, long_T, bits, seed=seed + 20_000)

    def right(x, y):
        with torch.no_grad():
            o = model(torch.from_numpy(x.astype(np.float32))).numpy()
        return (o > 0) == (y > 0.5)  # (N, T, B)

    history = models.train(model, counter_batches(batch, T, bits), steps=steps, lr=lr, seed=seed,
                           loss="bce", clip=("norm", 1.0), device="cpu", log_every=log_every,
                           evaluate=lambda m: float(right(x, y).all(axis=2).mean()),
                           progress=progress)
    with torch.no_grad():
        hits = right(x, y)
        hits_long = right(x_long, y_long)
    return {"model": model, "history": history,
            "bit_accuracy": hits.mean(axis=(0, 1)),
            "accuracy": float(hits.all(axis=2).mean()),
            "long_accuracy": float(hits_long.all(axis=2).mean()),
            "parameters": sum(p.numel() for p in model.parameters())}


def layer_time_scales(model: StackedRNN, x, max_lag: int = 40) -> dict:
    """The autocorrelation of each layer's state and its time scale, on inputs x.

    Parameters
    ----------
    model : StackedRNN
        A (trained) network.
    x : ndarray or Tensor, shape (N, T, D)
        Inputs to run it on (moved to the model's device).
    max_lag : int
        The largest lag, < T.

    Returns
    -------
    dict
        ``acf`` (layers, max_lag + 1): the autocorrelation of each layer, the
        mean over its units; ``time_scale`` (layers,): the lag at which that
        mean falls below 1/e (:func:`textbook_rnn.deep.time_scale`);
        ``unit_time_scale`` (layers, H): the same for every unit.
    """
    if not isinstance(model, StackedRNN):
        raise TypeError(f"model must be a StackedRNN, got {type(model).__name__}")
    if torch.is_tensor(x):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=np.float32)
    with torch.no_grad():
        inputs = torch.from_numpy(x).to(next(model.parameters()).device)
        states = [h.double().cpu().numpy() for h in model.states(inputs)]
    acfs = [deep.autocorrelation(h, max_lag) for h in states]  # each (max_lag + 1, H)
    # a unit that never moves has no autocorrelation (NaN): leave it out of the mean
    mean = np.array([np.nanmean(a, axis=1) for a in acfs])  # (layers, max_lag + 1)
    return {"acf": mean, "time_scale": deep.time_scale(mean.T),
            "unit_time_scale": np.array([deep.time_scale(a) for a in acfs])}
