"""Move LSTM and GRU cells between the book's numpy parameters and ``torch.nn``.

Chapter 8 ("Gated RNNs: LSTM and GRU"): the cells of
:mod:`textbook_rnn.gated` (equations ``lstm-f`` to ``lstm-h`` and ``gru-u``
to ``gru-h``) written once with numpy and once as ``torch.nn.LSTM`` /
``torch.nn.GRU`` (one layer, one direction, ``batch_first=True``). torch
stacks the gates of a layer into one matrix, in its own order::

    torch.nn.LSTM, gate order i, f, g, o (blocks of H rows)
    weight_ih_l0   (4H, D)   [U_i; U_f; U_g; U_o]
    weight_hh_l0   (4H, H)   [W_i; W_f; W_g; W_o]
    bias_ih_l0 + bias_hh_l0  [b_i; b_f; b_g; b_o]

    torch.nn.GRU, gate order r, z, n (z is the book's u, n its h̃)
    weight_ih_l0   (3H, D)   [U_r; U_u; U_h]
    weight_hh_l0   (3H, H)   [W_r; W_u; W_h]
    bias_ih_l0     (3H,)     [b_r; b_u; b_h]       (all of b_r, b_u here, ...)
    bias_hh_l0     (3H,)     [0;   0;   b_hn]      (... none there)

For the LSTM and the GRU's two gates only the sum of torch's two biases
matters, so :func:`lstm_to_torch` and :func:`gru_to_torch` put the whole bias
in ``bias_ih_l0``, and the ``*_from_torch`` functions add the two. The GRU's
candidate is different: torch computes
``n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))``, so ``b_hn`` is
multiplied by the reset gate and cannot be merged with ``b_in``. It is kept
as the separate parameter ``b_hn`` of the book's ``reset_after=True`` form;
``torch.nn.GRU`` has no reset-before form, so :func:`gru_to_torch` accepts
only reset-after parameters. torch has no peephole LSTM either:
:func:`lstm_to_torch` rejects parameters with ``p_f``, ``p_i``, ``p_o``.

torch is imported only when a function here is called, with an install hint
when it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._optional import require
from .._validate import Shapes

__all__ = ["lstm_to_torch", "lstm_from_torch", "gru_to_torch", "gru_from_torch"]

LSTM_TORCH_ORDER = ("i", "f", "g", "o")
"""Order of the LSTM gates in torch's stacked weights."""

GRU_TORCH_ORDER = ("r", "u", "h")
"""Order of the book's GRU blocks in torch's stacked weights (torch's r, z, n)."""


def _check_params(params, gates, extra=()) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    required = [f"{w}_{k}" for k in gates for w in ("U", "W", "b")] + list(extra)
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    s = Shapes()
    out = {f"W_{k}": s.array(f"W_{k}", params[f"W_{k}"], ("H", "H")) for k in gates}
    for k in gates:
        out[f"U_{k}"] = s.array(f"U_{k}", params[f"U_{k}"], ("H", "D"))
        out[f"b_{k}"] = s.array(f"b_{k}", params[f"b_{k}"], ("H",))
    for name in extra:
        out[name] = s.array(name, params[name], ("H",))
    return out


def _torch_dtype(torch, dtype):
    if dtype is None:
        return torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    return dtype


def _fill(torch, module, stacks: dict[str, list[np.ndarray]], dtype) -> None:
    """Copy stacked numpy blocks into the module's parameters."""
    with torch.no_grad():
        for name, blocks in stacks.items():
            value = np.concatenate([np.asarray(b, dtype=np.float64) for b in blocks])
            getattr(module, name).copy_(torch.as_tensor(value, dtype=dtype))


def _check_module(torch, module, cls, name: str) -> None:
    if not isinstance(module, cls):
        raise TypeError(f"{name} must be a torch.nn.{cls.__name__}, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional:
        raise ValueError(
            f"{name} must have one layer and one direction, got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}"
        )


def _array(t) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def lstm_to_torch(params, dtype=None):
    """Build a ``torch.nn.LSTM`` holding the book's LSTM parameters (chapter 8).

    ``lstm(x, (h0[None], s0[None]))`` with ``x`` of shape (N, T, D) then
    returns the ``h`` of :func:`textbook_rnn.gated.lstm_forward`, and its
    final cell state is the book's s_T. Building the module leaves torch's
    global random state untouched.

    Parameters
    ----------
    params : dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``f, i, g, o``,
        as from :func:`textbook_rnn.gated.lstm_init`. Peephole weights are
        rejected: ``torch.nn.LSTM`` has none.
    dtype : torch.dtype, optional
        ``torch.float64`` when omitted.

    Returns
    -------
    torch.nn.LSTM
        One layer, ``batch_first=True``, gates stacked in torch's order i, f,
        g, o; ``bias_ih_l0`` holds the book's biases and ``bias_hh_l0`` zeros.
    """
    torch = require("torch")
    if isinstance(params, Mapping):
        peep = [k for k in ("p_f", "p_i", "p_o") if k in params]
        if peep:
            raise ValueError(
                f"params has peephole weights ({', '.join(peep)}); torch.nn.LSTM has no "
                "peephole connections, so this cell has no torch equivalent"
            )
    p = _check_params(params, LSTM_TORCH_ORDER)
    dtype = _torch_dtype(torch, dtype)
    H, D = p["U_f"].shape
    with torch.random.fork_rng(devices=[]):
        lstm = torch.nn.LSTM(D, H, num_layers=1, bias=True, batch_first=True, dtype=dtype)
    order = LSTM_TORCH_ORDER
    _fill(torch, lstm, {
        "weight_ih_l0": [p[f"U_{k}"] for k in order],
        "weight_hh_l0": [p[f"W_{k}"] for k in order],
        "bias_ih_l0": [p[f"b_{k}"] for k in order],
        "bias_hh_l0": [np.zeros(4 * H)],
    }, dtype)
    return lstm


def lstm_from_torch(lstm) -> dict[str, np.ndarray]:
    """Read the book's LSTM parameters out of a ``torch.nn.LSTM`` (chapter 8).

    The inverse of :func:`lstm_to_torch`, also for modules trained in torch:
    each ``b_k`` is the sum of torch's two biases for gate k.

    Parameters
    ----------
    lstm : torch.nn.LSTM
        One layer, one direction, no projection (``proj_size=0``); with or
        without biases; ``batch_first`` either way (it does not change the
        weights).

    Returns
    -------
    dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``f, i, g, o``,
        new arrays in the module's floating type.
    """
    torch = require("torch")
    _check_module(torch, lstm, torch.nn.LSTM, "lstm")
    if lstm.proj_size:
        raise ValueError(f"lstm must have proj_size=0, got proj_size={lstm.proj_size}")
    H = lstm.hidden_size
    U = _array(lstm.weight_ih_l0)  # (4H, D)
    W = _array(lstm.weight_hh_l0)  # (4H, H)
    if lstm.bias:
        b = _array(lstm.bias_ih_l0) + _array(lstm.bias_hh_l0)  # (4H,)
    else:
        b = np.zeros(4 * H, dtype=U.dtype)
    blocks = {k: slice(n * H, (n + 1) * H) for n, k in enumerate(LSTM_TORCH_ORDER)}
    params = {}
    for k in ("f", "i", "g", "o"):
        params[f"U_{k}"] = U[blocks[k]].copy()
        params[f"W_{k}"] = W[blocks[k]].copy()
        params[f"b_{k}"] = b[blocks[k]].copy()
    return params


def gru_to_torch(params, dtype=None):
    """Build a ``torch.nn.GRU`` holding the book's reset-after GRU parameters (chapter 8).

    ``gru(x, h0[None])`` then returns the ``h`` of
    :func:`textbook_rnn.gated.gru_forward` with ``reset_after=True``.

    Parameters
    ----------
    params : dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``u, r, h``, and
        ``b_hn`` (H,), as from ``gru_init(D, H, reset_after=True)``. Without
        ``b_hn`` (the book's reset-before form) there is no torch equivalent
        and a ValueError is raised.
    dtype : torch.dtype, optional
        ``torch.float64`` when omitted.

    Returns
    -------
    torch.nn.GRU
        One layer, ``batch_first=True``, blocks in torch's order r, z, n.
    """
    torch = require("torch")
    if isinstance(params, Mapping) and "b_hn" not in params:
        raise ValueError(
            "params is missing b_hn: torch.nn.GRU computes the reset-after form "
            "h̃ = tanh(b_h + U_h x + r ⊙ (W_h h + b_hn)), so it needs reset_after=True "
            "parameters (gru_init(..., reset_after=True)); the book's reset-before "
            "GRU has no torch.nn equivalent"
        )
    p = _check_params(params, GRU_TORCH_ORDER, extra=("b_hn",))
    dtype = _torch_dtype(torch, dtype)
    H, D = p["U_u"].shape
    with torch.random.fork_rng(devices=[]):
        gru = torch.nn.GRU(D, H, num_layers=1, bias=True, batch_first=True, dtype=dtype)
    order = GRU_TORCH_ORDER
    _fill(torch, gru, {
        "weight_ih_l0": [p[f"U_{k}"] for k in order],
        "weight_hh_l0": [p[f"W_{k}"] for k in order],
        "bias_ih_l0": [p[f"b_{k}"] for k in order],
        "bias_hh_l0": [np.zeros(2 * H), p["b_hn"]],
    }, dtype)
    return gru


def gru_from_torch(gru) -> dict[str, np.ndarray]:
    """Read the book's reset-after GRU parameters out of a ``torch.nn.GRU`` (chapter 8).

    The inverse of :func:`gru_to_torch`: ``b_r`` and ``b_u`` are sums of
    torch's two biases, ``b_h`` is torch's ``b_in`` and ``b_hn`` its
    ``b_hn``. Use the result with ``reset_after=True``.

    Parameters
    ----------
    gru : torch.nn.GRU
        One layer, one direction; with or without biases.

    Returns
    -------
    dict of str to ndarray
        ``U_k`` (H, D), ``W_k`` (H, H), ``b_k`` (H,) for k in ``u, r, h``, and
        ``b_hn`` (H,), new arrays in the module's floating type.
    """
    torch = require("torch")
    _check_module(torch, gru, torch.nn.GRU, "gru")
    H = gru.hidden_size
    U = _array(gru.weight_ih_l0)  # (3H, D)
    W = _array(gru.weight_hh_l0)  # (3H, H)
    if gru.bias:
        b_ih, b_hh = _array(gru.bias_ih_l0), _array(gru.bias_hh_l0)
    else:
        b_ih = b_hh = np.zeros(3 * H, dtype=U.dtype)
    blocks = {k: slice(n * H, (n + 1) * H) for n, k in enumerate(GRU_TORCH_ORDER)}
    params = {}
    for k in ("u", "r", "h"):
        params[f"U_{k}"] = U[blocks[k]].copy()
        params[f"W_{k}"] = W[blocks[k]].copy()
        # only for the gates do the two biases add up; the candidate keeps b_hn apart
        params[f"b_{k}"] = b_ih[blocks[k]] + (b_hh[blocks[k]] if k != "h" else 0.0)
    params["b_hn"] = b_hh[blocks["h"]].copy()
    return params
