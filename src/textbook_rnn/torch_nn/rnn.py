"""Move a vanilla RNN between the book's numpy parameters and ``torch.nn``.

Chapter 1 ("Recurrence and unfolding"), section *The forward pass*: the same
network, equations ``rnn-a`` to ``rnn-o``, written once with numpy
(:mod:`textbook_rnn.rnn`) and once with ``torch.nn.RNN`` followed by
``torch.nn.Linear``. The two agree to rounding error once their parameters are
linked as follows::

    book symbol   shape    torch parameter
    -----------   ------   -----------------------------------------------
    U             (H, D)   rnn.weight_ih_l0
    W             (H, H)   rnn.weight_hh_l0
    b             (H,)     rnn.bias_ih_l0 + rnn.bias_hh_l0
    V             (K, H)   linear.weight
    c             (K,)     linear.bias

torch keeps two hidden biases, one added to ``U x_t`` and one to ``W h_{t-1}``;
only their sum enters ``a_t = b + W h_{t-1} + U x_t``, so the book has one.
:func:`rnn_to_torch` puts all of ``b`` in ``bias_ih_l0`` and zeros in
``bias_hh_l0``; :func:`rnn_from_torch` adds the two.

torch is imported only when a function here is called, with an install hint
when it is missing.
"""

from __future__ import annotations

import numpy as np

from .._optional import require
from .._validate import Shapes, float_dtype

__all__ = ["rnn_to_torch", "rnn_from_torch", "torch_rnn_sequence"]


def _check_params(params) -> dict[str, np.ndarray]:
    """Check a parameter dict against the book's shapes and return its arrays."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in ("U", "W", "b", "V", "c") if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    s = Shapes()
    # W first: it alone fixes H, so a transposed U is reported as U's fault
    W = s.array("W", params["W"], ("H", "H"))
    return {
        "U": s.array("U", params["U"], ("H", "D")),
        "W": W,
        "b": s.array("b", params["b"], ("H",)),
        "V": s.array("V", params["V"], ("K", "H")),
        "c": s.array("c", params["c"], ("K",)),
    }


def rnn_to_torch(params, dtype=None):
    """Build ``torch.nn.RNN`` and ``torch.nn.Linear`` holding the book's parameters.

    The recurrent layer has ``nonlinearity='tanh'`` and ``batch_first=True``,
    so ``rnn(x, h0[None])`` with ``x`` of shape ``(N, T, D)`` returns the hidden
    states ``h`` of :func:`textbook_rnn.rnn.rnn_forward`, and ``linear(h)`` the
    logits ``o`` of :func:`textbook_rnn.rnn.output_forward`. Building the
    modules leaves torch's global random state untouched.

    Parameters
    ----------
    params : dict of str to ndarray
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,), as
        returned by :func:`textbook_rnn.rnn.init_params`.
    dtype : torch.dtype, optional
        Floating type of the modules; ``torch.float64`` when omitted, so that
        parity with numpy holds to about 1e-12.

    Returns
    -------
    rnn : torch.nn.RNN
        ``weight_ih_l0 = U``, ``weight_hh_l0 = W``, ``bias_ih_l0 = b``,
        ``bias_hh_l0 = 0``.
    linear : torch.nn.Linear
        ``weight = V``, ``bias = c``.
    """
    torch = require("torch")
    p = _check_params(params)
    if dtype is None:
        dtype = torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
    H, D = p["U"].shape
    K = p["V"].shape[0]
    # torch.nn initialises its parameters from the global generator; fork it so
    # that a reader's torch.manual_seed is not disturbed by building these.
    with torch.random.fork_rng(devices=[]):
        rnn = torch.nn.RNN(
            input_size=D,
            hidden_size=H,
            num_layers=1,
            nonlinearity="tanh",
            bias=True,
            batch_first=True,
            dtype=dtype,
        )
        linear = torch.nn.Linear(H, K, bias=True, dtype=dtype)

    def tensor(a):
        return torch.as_tensor(np.asarray(a, dtype=np.float64), dtype=dtype)

    with torch.no_grad():
        rnn.weight_ih_l0.copy_(tensor(p["U"]))
        rnn.weight_hh_l0.copy_(tensor(p["W"]))
        rnn.bias_ih_l0.copy_(tensor(p["b"]))
        rnn.bias_hh_l0.zero_()
        linear.weight.copy_(tensor(p["V"]))
        linear.bias.copy_(tensor(p["c"]))
    return rnn, linear


def rnn_from_torch(rnn, linear) -> dict[str, np.ndarray]:
    """Read the book's parameters out of ``torch.nn.RNN`` and ``torch.nn.Linear``.

    The inverse of :func:`rnn_to_torch`, also for modules trained in torch:
    ``b`` is the sum of torch's two hidden biases.

    Parameters
    ----------
    rnn : torch.nn.RNN
        One layer, one direction, ``nonlinearity='tanh'``; with or without biases.
    linear : torch.nn.Linear
        Read-out with ``in_features`` equal to ``rnn.hidden_size``.

    Returns
    -------
    dict of str to ndarray
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,), new
        arrays (not views of the torch tensors) in the modules' floating type.
    """
    torch = require("torch")
    if not isinstance(rnn, torch.nn.RNN):
        raise TypeError(f"rnn must be a torch.nn.RNN, got {type(rnn).__name__}")
    if not isinstance(linear, torch.nn.Linear):
        raise TypeError(f"linear must be a torch.nn.Linear, got {type(linear).__name__}")
    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError(
            "rnn must have one layer and one direction, got "
            f"num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}"
        )
    if rnn.nonlinearity != "tanh":
        raise ValueError(f"rnn must use nonlinearity='tanh', got {rnn.nonlinearity!r}")
    if linear.in_features != rnn.hidden_size:
        raise ValueError(
            f"linear.weight must have shape (K, H) with H = rnn.hidden_size = {rnn.hidden_size}, "
            f"got shape {tuple(linear.weight.shape)}"
        )

    def array(t):
        return t.detach().cpu().numpy().copy()

    U = array(rnn.weight_ih_l0)  # (H, D)
    W = array(rnn.weight_hh_l0)  # (H, H)
    if rnn.bias:
        # b = b_ih + b_hh: torch adds both to a_t
        b = array(rnn.bias_ih_l0) + array(rnn.bias_hh_l0)
    else:
        b = np.zeros(rnn.hidden_size, dtype=U.dtype)
    V = array(linear.weight)  # (K, H)
    c = array(linear.bias) if linear.bias is not None else np.zeros(V.shape[0], dtype=V.dtype)
    return {"U": U, "W": W, "b": b, "V": V, "c": c}


def torch_rnn_sequence(x, params, h0=None):
    """Run the torch modules of :func:`rnn_to_torch` and return numpy arrays.

    The torch twin of :func:`textbook_rnn.rnn.rnn_sequence`, computed in the
    floating type of the inputs (float64 unless every input is float32).

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    params : dict of str to ndarray
        ``U``, ``W``, ``b``, ``V``, ``c``.
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        Hidden states from ``torch.nn.RNN``.
    o : ndarray, shape (N, T, K)
        Logits from ``torch.nn.Linear``.
    """
    torch = require("torch")
    p = _check_params(params)
    s = Shapes(H=p["W"].shape[0], D=p["U"].shape[1])
    x = s.array("x", x, ("N", "T", "D"))
    if h0 is None:
        h0 = np.zeros((x.shape[0], p["W"].shape[0]))
        arrays = (x, *p.values())
    else:
        h0 = s.array("h0", h0, ("N", "H"))
        arrays = (x, h0, *p.values())
    dt = float_dtype(*arrays)
    tdtype = torch.float32 if dt == np.float32 else torch.float64
    rnn, linear = rnn_to_torch(p, dtype=tdtype)
    with torch.no_grad():
        xt = torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=tdtype)
        h0t = torch.as_tensor(np.asarray(h0, dtype=np.float64), dtype=tdtype)[None]  # (1, N, H)
        h, _ = rnn(xt, h0t)  # (N, T, H)
        o = linear(h)  # (N, T, K)
    return h.numpy().astype(dt), o.numpy().astype(dt)
