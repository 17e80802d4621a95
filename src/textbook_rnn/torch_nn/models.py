"""Small torch sequence models and a seeded training loop (chapters 8 and 9).

Chapter 8 ("Gated RNNs: LSTM and GRU") trains a vanilla RNN, an LSTM and a
GRU side by side on the same toy tasks; chapter 9 ("Optimisation for
long-term dependencies") reuses the same loop to compare ways of clipping
gradients. Three pieces:

- :class:`SequenceModel`: ``torch.nn.RNN``, ``torch.nn.LSTM`` or
  ``torch.nn.GRU`` (one layer, ``batch_first=True``) followed by a linear
  read-out at every step, ``o_t = c + V h_t``. For the LSTM the forget gate's
  bias can be set at initialisation (chapter 8, *Initialising the forget
  gate*).
- :func:`train`: Adam (or plain SGD) on batches drawn by a function of a
  ``numpy.random.Generator``, with optional clipping of the gradient by its
  global norm or entry by entry (equations ``clip-norm`` and
  ``clip-elementwise`` of :mod:`textbook_rnn.clipping`), and an optional
  progress bar. It is seeded, runs on one CPU thread, and on CPU gives the
  same history on every run. It picks the GPU when there is one, so the
  same call runs there unchanged. It checks its arguments, then runs
  :func:`train_loop`, which calls :func:`train_step` once per batch: the two
  short functions chapter 8 shows.
- :func:`predict` and :func:`gate_trace`: the outputs of a trained model as
  numpy arrays, and its gate values step by step, recomputed with the numpy
  cells of :mod:`textbook_rnn.gated` from the converted weights.

torch is imported when this module is imported, with an install hint when it
is missing.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable

import numpy as np

from .._optional import require
from .._validate import check_positive_int

torch = require("torch")

__all__ = [
    "CELLS", "LOSSES", "SequenceModel", "train", "train_step", "train_loop", "predict",
    "gate_trace", "output_sensitivity", "pick_device",
]

CELLS = ("rnn", "lstm", "gru")
"""The recurrent layers :class:`SequenceModel` can hold."""

_TORCH_CELLS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


def _finite_number(name: str, value, *, positive: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0):
        kind = "a positive finite number" if positive else "a finite number"
        raise ValueError(f"{name} must be {kind}, got {value}")
    return value


class SequenceModel(torch.nn.Module):
    """A recurrent layer with a linear read-out at every step (chapter 8).

    ``model(x)`` maps inputs ``x`` (N, T, D) to outputs ``o`` (N, T, K),
    ``o_t = c + V h_t``, where h_t comes from the chosen recurrent layer.
    A task that needs one answer per sequence (the adding problem) reads
    ``o[:, -1]``.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        ``torch.nn.RNN`` (tanh), ``torch.nn.LSTM`` or ``torch.nn.GRU``.
    D, H, K : int
        Input, hidden and output sizes.
    forget_bias : float, optional
        LSTM only: set the forget gate's total bias (torch's ``bias_ih`` plus
        ``bias_hh``; the book's ``b_f``) to this value in every unit. ``None``
        keeps torch's default initialisation, uniform in ±1/√H for each of
        the two biases.
    seed : int, optional
        Seed for the initial weights. The weights are drawn under a forked
        torch generator, so torch's global random state is left as it was.
        ``None`` draws from the global generator, as torch modules do.

    Attributes
    ----------
    cell : str
        The ``cell`` argument.
    rnn : torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU
        One layer, one direction, ``batch_first=True``.
    readout : torch.nn.Linear
        ``V`` is ``readout.weight`` (K, H) and ``c`` is ``readout.bias`` (K,).
    """

    def __init__(self, cell: str, D: int, H: int, K: int, *, forget_bias: float | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        if not isinstance(cell, str) or cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        D, H, K = check_positive_int("D", D), check_positive_int("H", H), check_positive_int("K", K)
        if forget_bias is not None:
            if cell != "lstm":
                raise ValueError(f"forget_bias applies to the LSTM only, got cell={cell!r}")
            forget_bias = _finite_number("forget_bias", forget_bias)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")
        self.cell = cell
        if seed is None:
            self._build(D, H, K)
        else:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed))
                self._build(D, H, K)
        if forget_bias is not None:
            self._set_forget_bias(forget_bias)

    def _set_forget_bias(self, b_f: float) -> None:
        """Set the LSTM's forget-gate bias to ``b_f`` in every unit (chapter 8)."""
        H = self.rnn.hidden_size
        # torch stacks the gates as i, f, g, o (blocks of H rows) and adds
        # two bias vectors, bias_ih and bias_hh: set one to b_f, the other to 0.
        with torch.no_grad():
            self.rnn.bias_ih_l0[H : 2 * H] = b_f
            self.rnn.bias_hh_l0[H : 2 * H] = 0.0

    def _build(self, D: int, H: int, K: int) -> None:
        self.rnn = _TORCH_CELLS[self.cell](D, H, num_layers=1, batch_first=True)
        self.readout = torch.nn.Linear(H, K)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(D, H, K)``."""
        return self.rnn.input_size, self.rnn.hidden_size, self.readout.out_features

    def hidden(self, x):
        """The hidden states h_1 ... h_T, a tensor of shape (N, T, H)."""
        D = self.rnn.input_size
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[2] != D:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (N, T, D) with D={D}, got {shape}")
        h, _ = self.rnn(x)
        return h

    def forward(self, x):
        """Outputs o (N, T, K) for inputs x (N, T, D), both tensors."""
        return self.readout(self.hidden(x))

    def extra_repr(self) -> str:  # noqa: D102 - shown by print(model)
        return f"cell={self.cell!r}"


def pick_device(device=None):
    """The device to compute on: ``device`` if given, else CUDA when available, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:0', ... or None, "
                         f"got {device!r}") from exc


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


def _mse_last(out, y):
    """Squared error of the last step's output, averaged: the adding problem."""
    return torch.mean((out[:, -1] - y.reshape(out.shape[0], -1)) ** 2)


def _mse(out, y):
    """Squared error at every step, averaged over batch, steps and outputs."""
    return torch.mean((out - y) ** 2)


def _ce(out, y):
    """Cross-entropy at every step: targets are class indices (N, T)."""
    return torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))


def _bce_masked(out, y, mask=None):
    """Logistic loss for multi-hot targets (N, T, K), averaged over the unmasked steps."""
    per = torch.nn.functional.binary_cross_entropy_with_logits(out, y, reduction="none")
    if mask is None:
        return per.mean()
    per = per.mean(dim=-1) * mask
    return per.sum() / mask.sum().clamp(min=1.0)


LOSSES: dict[str, Callable] = {
    "mse_last": _mse_last,
    "mse": _mse,
    "ce": _ce,
    "bce": _bce_masked,
}
"""Losses :func:`train` knows by name. Each is ``loss(out, *targets)``."""


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


def _check_clip(clip):
    if clip is None:
        return None
    if not isinstance(clip, (tuple, list)) or len(clip) != 2:
        raise TypeError(f"clip must be None or a pair such as ('norm', 1.0) or "
                        f"('value', 0.1), got {clip!r}")
    kind, value = clip
    if kind not in ("norm", "value"):
        raise ValueError(f"clip[0] must be 'norm' or 'value', got {kind!r}")
    return kind, _finite_number("clip[1]", value, positive=True)


def _to_tensor(value, device, name: str):
    if isinstance(value, torch.Tensor):
        t = value
    else:
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.is_floating_point() or t.dtype == torch.bool:
        t = t.to(torch.float32)
    elif t.dtype != torch.int64:
        t = t.to(torch.int64)
    return t.to(device)


def _batch(make_batch, rng, device):
    batch = make_batch(rng)
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError("make_batch(rng) must return a tuple (x, y) or (x, y, mask) of arrays, "
                        f"got {type(batch).__name__}")
    names = ["x", "y", "mask"] + [f"batch[{i}]" for i in range(3, len(batch))]
    return [_to_tensor(v, device, n) for v, n in zip(batch, names, strict=False)]


def train_step(model, opt, loss_fn: Callable, batch, clip=None) -> tuple[float, float, bool]:
    """One optimiser step on one batch: the body of :func:`train`'s loop (chapter 8).

    ``batch`` is ``(x, y)`` or ``(x, y, mask)`` as tensors, ``loss_fn(out, y, ...)``
    returns a scalar tensor, and ``clip`` is ``None``, ``("norm", v)`` or
    ``("value", v)``; :func:`train` checks all of these once. Returns the loss,
    the global gradient norm ‖g‖ *before* clipping, and whether clipping
    changed the gradient. A step whose loss is not finite is not taken.
    """
    x, *targets = batch
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), *targets)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise TypeError("loss must return a scalar tensor")
    loss.backward()
    params = [p for group in opt.param_groups for p in group["params"]]
    grads = [p.grad for p in params if p.grad is not None]
    # ‖g‖: the norm of all the parameters' gradients taken together
    norm = float(torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(g) for g in grads])))
    clipped = False
    if clip is not None and clip[0] == "norm":
        # g ← g · v / ‖g‖ when ‖g‖ > v                               (clip-norm)
        clipped = norm > clip[1]
        torch.nn.utils.clip_grad_norm_(params, clip[1])
    elif clip is not None:
        # every entry of g into [-v, v]                              (clip-elementwise)
        clipped = any(bool((g.abs() > clip[1]).any()) for g in grads)
        torch.nn.utils.clip_grad_value_(params, clip[1])
    loss_value = float(loss.detach())
    if math.isfinite(loss_value):
        opt.step()
    return loss_value, norm, clipped


def train_loop(model, opt, loss_fn: Callable, batches, *, steps: int, clip=None,
               log_every: int = 10, evaluate: Callable | None = None,
               target_loss: float | None = None, bar=None) -> dict:
    """The loop of :func:`train`: a step per batch, a record every ``log_every`` steps.

    ``batches()`` returns the next batch as tensors; ``bar``, when given, is a
    tqdm progress bar of ``steps`` steps. The other arguments are those of
    :func:`train`, already checked. Returns the history (see :func:`train`).
    """
    history = {"step": [], "loss": [], "grad_norm": [], "clip_rate": []}
    if evaluate is not None:
        history["eval"] = []
    history["diverged"] = history["stopped_early"] = False
    model.train()
    window = []  # (loss, ‖g‖, clipped) of every step since the last record
    for step in range(1, steps + 1):
        window.append(train_step(model, opt, loss_fn, batches(), clip))
        history["diverged"] = not math.isfinite(window[-1][0])
        if step % log_every == 0 or step == steps or history["diverged"]:
            losses, norms, clipped = zip(*window, strict=True)
            history["step"].append(step)
            history["loss"].append(sum(losses) / len(window))
            history["grad_norm"].append(sum(norms) / len(window))
            history["clip_rate"].append(sum(clipped) / len(window))
            window = []
            if evaluate is not None:
                history["eval"].append(_evaluate(model, evaluate))
            if target_loss is not None and history["loss"][-1] < target_loss:
                history["stopped_early"] = step < steps
        if bar is not None:
            _show_progress(bar, step, history)
        if history["diverged"] or history["stopped_early"]:
            break
    return history


def _progress_bar(progress, steps: int, model):
    """A tqdm bar labelled with what is trained, or None when ``progress`` is False.

    In a notebook ``tqdm.auto`` draws a widget, whose saved state the static
    site shows; elsewhere a line on stderr. The bar shows no elapsed time and
    no rate, so what a reader sees does not change from one run to the next.
    """
    if progress is False or progress is None:
        return None
    if isinstance(progress, str):
        label = progress
    elif progress is True:
        cell = getattr(model, "cell", type(model).__name__)
        label = f"training {cell}"
    else:
        raise TypeError(f"progress must be True, False or a label (str), got {progress!r}")
    tqdm = require("tqdm.auto").tqdm
    return tqdm(total=steps, desc=label, unit="step", leave=True, mininterval=0.5,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} steps{postfix}")


def _show_progress(bar, step: int, history: dict) -> None:
    """Move ``bar`` to ``step``, with the latest recorded loss and whether it is solved."""
    bar.update(step - bar.n)
    if history["step"] and history["step"][-1] == step:
        solved = ", solved" if history["stopped_early"] else ""
        bar.set_postfix_str(f"loss {history['loss'][-1]:.4f}{solved}", refresh=False)
    if history["stopped_early"]:
        # a run that solved its task early ends full (green), not cut short (red)
        bar.total = step


def train(
    model,
    make_batch: Callable,
    *,
    steps: int,
    lr: float,
    seed: int,
    loss="mse_last",
    clip=None,
    optimizer: str = "adam",
    device=None,
    log_every: int = 10,
    evaluate: Callable | None = None,
    target_loss: float | None = None,
    progress: bool | str = False,
) -> dict:
    """Train ``model`` on batches from ``make_batch`` (chapter 8; reused in chapter 9).

    At each step (:func:`train_step`): draw a batch with ``make_batch(rng)``,
    compute the loss, back-propagate, measure the global gradient norm ‖g‖,
    clip if asked, and take an optimiser step. Every ``log_every`` steps (and
    after the last) the mean loss and mean ‖g‖ since the previous record are
    appended to the history (:func:`train_loop`).

    The run is reproducible: ``rng`` is ``numpy.random.default_rng(seed)``
    and torch's generator is seeded with ``seed`` inside a fork, so the global
    random state is untouched. On CPU torch runs on one thread (restored
    afterwards), which makes two runs give identical histories.

    Parameters
    ----------
    model : torch.nn.Module
        Usually a :class:`SequenceModel`; moved to ``device`` in place.
    make_batch : callable
        ``make_batch(rng) -> (x, y)`` or ``(x, y, mask)``: numpy arrays or
        tensors, x of shape (N, T, D). Floating arrays become float32 and
        integer arrays int64 tensors on ``device``.
    steps : int
        Number of optimiser steps.
    lr : float
        Learning rate.
    seed : int
        Seeds the batches' generator and torch.
    loss : str or callable
        ``"mse_last"`` (default; y is (N, K) or (N,), compared with the last
        step's output), ``"mse"`` (y (N, T, K)), ``"ce"`` (class indices
        y (N, T)), ``"bce"`` (multi-hot y (N, T, K), optional mask (N, T));
        or a callable ``loss(out, y, ...)`` returning a scalar tensor.
    clip : None or (str, float)
        ``("norm", v)``: rescale the whole gradient when ‖g‖ > v
        (``torch.nn.utils.clip_grad_norm_``). ``("value", v)``: clip every
        entry to [-v, v] (``torch.nn.utils.clip_grad_value_``).
    optimizer : {"adam", "sgd"}
        ``torch.optim.Adam`` with default betas, or plain SGD.
    device : str or torch.device, optional
        Defaults to ``"cuda"`` when available, else ``"cpu"``.
    log_every : int
        Steps between records of the history.
    evaluate : callable, optional
        ``evaluate(model) -> float`` (or a dict of floats), called at every
        record with gradients off and the model in eval mode; its results go
        to ``history["eval"]``.
    target_loss : float, optional
        Stop early, at a record, once the mean loss since the previous
        record is below this value (a task counts as solved).
    progress : bool or str
        Show a progress bar (``tqdm.auto``: a widget in a notebook, a line
        on stderr elsewhere) labelled with this string, or with the model's
        cell when True. It shows steps and the latest recorded loss, never
        times, so notebook outputs stay the same from run to run. Off by
        default.

    Returns
    -------
    dict
        ``step`` (list of int): the step of each record; ``loss`` (list of
        float): the mean training loss since the previous record;
        ``grad_norm`` (list of float): the mean ‖g‖ before clipping;
        ``clip_rate`` (list of float): the fraction of those steps whose
        gradient clipping changed; ``eval`` (list): ``evaluate``'s results,
        when given; ``diverged`` (bool): whether training stopped early on a
        non-finite loss; ``stopped_early`` (bool): whether ``target_loss`` was
        reached before ``steps``; ``device`` (str).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(make_batch):
        raise TypeError(f"make_batch must be a function of a numpy Generator, "
                        f"got {type(make_batch).__name__}")
    steps = check_positive_int("steps", steps)
    lr = _finite_number("lr", lr, positive=True)
    log_every = check_positive_int("log_every", log_every)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r}")
    loss_fn = _check_loss(loss)
    clip = _check_clip(clip)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    if target_loss is not None:
        target_loss = _finite_number("target_loss", target_loss)
    if evaluate is not None and not callable(evaluate):
        raise TypeError(f"evaluate must be callable or None, got {type(evaluate).__name__}")
    if not isinstance(progress, (bool, str)):
        raise TypeError(f"progress must be True, False or a label (str), got {progress!r}")
    device = pick_device(device)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters")

    model.to(device)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(params, lr=lr)
    rng = np.random.default_rng(int(seed))
    threads = torch.get_num_threads()
    fork_devices = [device.index or 0] if device.type == "cuda" else []
    bar = _progress_bar(progress, steps, model)
    try:
        if device.type == "cpu":
            torch.set_num_threads(1)
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(int(seed))
            history = train_loop(
                model, opt, loss_fn, lambda: _batch(make_batch, rng, device), steps=steps,
                clip=clip, log_every=log_every, evaluate=evaluate, target_loss=target_loss,
                bar=bar)
    finally:
        torch.set_num_threads(threads)
        if bar is not None:
            bar.close()
    history["device"] = str(device)
    return history


def _check_loss(loss) -> Callable:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)} or a callable, "
                             f"got {loss!r}")
        return LOSSES[loss]
    if callable(loss):
        return loss
    raise TypeError(f"loss must be a name or a callable, got {type(loss).__name__}")


def _evaluate(model, evaluate):
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            result = evaluate(model)
    finally:
        model.train(was_training)
    if isinstance(result, dict):
        return {k: float(v) for k, v in result.items()}
    return float(result)


# ---------------------------------------------------------------------------
# Looking inside a trained model
# ---------------------------------------------------------------------------


def predict(model, x, *, device=None) -> np.ndarray:
    """The outputs of ``model`` for numpy inputs ``x`` (N, T, D), as float64 numpy (N, T, K).

    Runs with gradients off and on one CPU thread when on CPU; the model is
    left on the device it was on, unless ``device`` is given.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if device is None:
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    device = pick_device(device)
    model.to(device)
    xt = _to_tensor(x, device, "x")
    threads = torch.get_num_threads()
    was_training = model.training
    try:
        if device.type == "cpu":
            torch.set_num_threads(1)
        model.eval()
        with torch.no_grad():
            out = model(xt)
    finally:
        torch.set_num_threads(threads)
        model.train(was_training)
    return out.detach().cpu().numpy().astype(np.float64)


def gate_trace(model, x) -> dict[str, np.ndarray]:
    """Every gate of a trained LSTM or GRU at every step, from the numpy cells.

    The weights are read out of ``model.rnn`` with
    :func:`textbook_rnn.torch_nn.gated.lstm_from_torch` (or ``gru_from_torch``)
    and the sequence is run through :func:`textbook_rnn.gated.lstm_step_forward`
    (or ``gru_step_forward`` in torch's reset-after form) in float64, one
    step at a time, keeping what each step computes.

    Parameters
    ----------
    model : SequenceModel
        With ``cell`` "lstm" or "gru".
    x : ndarray, shape (N, T, D)
        Inputs.

    Returns
    -------
    dict of str to ndarray, each (N, T, H)
        LSTM: ``f``, ``i``, ``g``, ``o`` (equations ``lstm-f`` to ``lstm-o``),
        the cell state ``s`` and ``h``. GRU: ``u``, ``r``, ``h_tilde``, ``h``.
    """
    from .. import gated
    from . import gated as gated_torch

    if not isinstance(model, SequenceModel) or model.cell not in ("lstm", "gru"):
        raise TypeError("model must be a SequenceModel with cell 'lstm' or 'gru'")
    x = np.asarray(x, dtype=np.float64)
    D, H, _ = model.sizes
    if x.ndim != 3 or x.shape[2] != D:
        raise ValueError(f"x must have shape (N, T, D) with D={D}, got {x.shape}")
    N, T, _ = x.shape
    h = np.zeros((N, H))

    def float64(params):
        return {k: v.astype(np.float64) for k, v in params.items()}

    if model.cell == "lstm":
        params = float64(gated_torch.lstm_from_torch(model.rnn))
        keys = ("f", "i", "g", "o", "s", "h")
        s = np.zeros((N, H))
        out = {k: np.empty((N, T, H)) for k in keys}
        for t in range(T):
            h, s, cache = gated.lstm_step_forward(x[:, t], h, s, params)
            for k in ("f", "i", "g", "o"):
                out[k][:, t] = cache[k]
            out["s"][:, t] = s
            out["h"][:, t] = h
        return out
    params = float64(gated_torch.gru_from_torch(model.rnn))
    keys = ("u", "r", "h_tilde", "h")
    out = {k: np.empty((N, T, H)) for k in keys}
    for t in range(T):
        h, cache = gated.gru_step_forward(x[:, t], h, params, reset_after=True)
        for k in ("u", "r", "h_tilde"):
            out[k][:, t] = cache[k]
        out["h"][:, t] = h
    return out


def output_sensitivity(model, x) -> np.ndarray:
    """How strongly the last output reacts to each input: ‖∂o_T/∂x_t‖ for every t.

    Used in chapter 8 to compare, at initialisation, how much gradient
    reaches early steps of a sequence for different cells and forget-gate
    biases. Computed with torch autograd on CPU, on a float64 copy of the
    model so that tiny values do not underflow; the model is not touched.

    Parameters
    ----------
    model : SequenceModel
    x : ndarray, shape (N, T, D)

    Returns
    -------
    ndarray, shape (N, T)
        The norm, over the input dimensions, of the gradient of the first
        output unit at the last step with respect to x_t, per sequence.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    twin = copy.deepcopy(model).cpu().double().eval()  # the model itself is untouched
    for p in twin.parameters():
        p.requires_grad_(False)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64)).requires_grad_(True)
    out = twin(xt)
    (grad,) = torch.autograd.grad(out[:, -1, 0].sum(), xt)
    return torch.linalg.vector_norm(grad, dim=2).numpy()
