"""Time-delay networks: sharing weights across time without recurrence.

Chapter 1 ("Recurrence and unfolding"), section *Time-delay networks*,
equations ``tdn-layer`` and ``tdn-rf``::

    z_t = tanh(b + Σ_{j=0}^{k-1} F_j z'_{t-j})      (tdn-layer, one layer)
    receptive field = M (k - 1) + 1                (tdn-rf, M layers of width k)

A time-delay network (TDN) is a stack of causal one-dimensional convolutions
over time: the output of a layer at step t looks at the k most recent outputs
of the layer below, through the same kernel at every t. Inputs before the
start of the sequence are taken to be zero (causal zero padding). Every time
step of a layer is computed in one matrix product, which is what makes these
networks fast to train; the price is a receptive field of fixed, finite size.

Shapes are batch first, as in :mod:`textbook_rnn.rnn`: sequences are
``(N, T, D)``; a layer's kernel is ``(H_out, k, H_in)`` with ``kernel[:, j]``
the weight on the input ``j`` steps in the past; its bias is ``(H_out,)``.

Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import Shapes, check_positive_int, float_dtype

__all__ = ["init_tdn", "tdn_layer", "tdn_forward", "receptive_field", "sensitivity"]


def init_tdn(D: int, H: int, layers: int, width: int, *, seed: int = 0) -> list[dict]:
    """Draw the kernels and biases of a time-delay network (chapter 1, *Time-delay networks*).

    Kernels are Gaussian with variance ``1 / (width * fan_in)``, so that each
    pre-activation starts with entries of order one; biases start at zero.

    Parameters
    ----------
    D : int
        Input size.
    H : int
        Channels of every layer.
    layers : int
        Number of stacked convolutions, M.
    width : int
        Kernel width k: how many consecutive steps one layer looks at.
    seed : int
        Seed of the ``numpy.random.default_rng`` that draws the kernels.

    Returns
    -------
    list of dict
        One dict per layer with ``kernel`` (H, width, fan_in) and ``b`` (H,).
    """
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    layers = check_positive_int("layers", layers)
    width = check_positive_int("width", width)
    rng = np.random.default_rng(seed)
    params = []
    fan_in = D
    for _ in range(layers):
        scale = 1.0 / np.sqrt(width * fan_in)
        params.append({
            "kernel": rng.normal(0.0, scale, size=(H, width, fan_in)),
            "b": np.zeros(H),
        })
        fan_in = H
    return params


def tdn_layer(z, kernel, b):
    """One causal convolution over time followed by tanh, equation ``tdn-layer``.

    Parameters
    ----------
    z : ndarray, shape (N, T, D)
        The layer's input sequence.
    kernel : ndarray, shape (H, k, D)
        ``kernel[:, j]`` multiplies the input ``j`` steps in the past.
    b : ndarray, shape (H,)
        Bias.

    Returns
    -------
    ndarray, shape (N, T, H)
        ``tanh(b + Σ_j kernel[:, j] @ z_{t-j})`` for every t, with zeros
        standing in for steps before the start.
    """
    s = Shapes()
    z = s.array("z", z, ("N", "T", "D"))
    kernel = s.array("kernel", kernel, ("H", "k", "D"))
    b = s.array("b", b, ("H",))
    dt = float_dtype(z, kernel, b)
    return _tdn_layer(z.astype(dt), kernel.astype(dt), b.astype(dt))


def _tdn_layer(z, kernel, b):
    """Equation ``tdn-layer`` on checked arrays of one floating type: what :func:`tdn_layer` runs.

    ``z`` is (N, T, D), ``kernel`` (H, k, D) and ``b`` (H,); returns (N, T, H).
    """
    N, T, D = z.shape
    k = kernel.shape[1]
    # Causal zero padding: k - 1 zero steps in front of the sequence.
    zeros = np.zeros((N, k - 1, D), dtype=z.dtype)
    padded = np.concatenate([zeros, z], axis=1)  # (N, k-1+T, D)
    # window[:, t, j] is z_{t-j}: row t holds z_t, z_{t-1}, ..., z_{t-k+1}.
    window = np.stack(
        [padded[:, k - 1 - j : k - 1 - j + T] for j in range(k)], axis=2
    )  # (N, T, k, D)
    # z'_t = tanh(b + Σ_j F_j z_{t-j}) for every t in ONE product: no step
    # waits for another.                                     (N, T, H)
    a = np.einsum("ntkd,hkd->nth", window, kernel) + b
    return np.tanh(a)


def tdn_forward(x, params: list[dict]):
    """Run a stack of :func:`tdn_layer` over ``x``.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    params : list of dict
        One dict per layer with ``kernel`` and ``b``, as from :func:`init_tdn`.

    Returns
    -------
    ndarray, shape (N, T, H)
        The output of the last layer at every step.
    """
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError("params must be a non-empty list of layer dicts (see init_tdn)")
    z = Shapes().array("x", x, ("N", "T", "D"))
    for index, layer in enumerate(params):
        if not isinstance(layer, dict) or "kernel" not in layer or "b" not in layer:
            raise ValueError(f"params[{index}] must be a dict with 'kernel' and 'b'")
        z = tdn_layer(z, layer["kernel"], layer["b"])
    return z


def receptive_field(layers: int, width: int) -> int:
    """How many input steps one output of the network can see, equation ``tdn-rf``.

    Each layer of width k reaches k - 1 steps further into the past, so M
    layers see ``M * (k - 1) + 1`` steps: the current one and ``M (k - 1)``
    before it.

    Parameters
    ----------
    layers : int
        Number of stacked convolutions, M.
    width : int
        Kernel width k.

    Returns
    -------
    int
        The receptive field, in time steps.
    """
    layers = check_positive_int("layers", layers)
    width = check_positive_int("width", width)
    return layers * (width - 1) + 1


def sensitivity(forward: Callable, x, *, eps: float = 1e-5) -> np.ndarray:
    """How strongly each output step depends on each input step, by central differences.

    Chapter 1, section *Time-delay networks*: the receptive field of
    equation ``tdn-rf`` made visible (drawn by
    :func:`textbook_rnn.figures.recurrence.plot_sensitivity`), for a
    time-delay network or any other sequence map.

    ``S[t, s] = ‖∂z_t / ∂x_s‖_F``, where ``z = forward(x)``; the derivative is
    estimated by nudging each input coordinate by ``±eps``. Entries that are
    exactly zero mean that ``z_t`` does not depend on ``x_s`` at all.

    Parameters
    ----------
    forward : callable
        Maps an array of shape (1, T, D) to one of shape (1, T, H).
    x : ndarray, shape (1, T, D)
        The input sequence at which to measure.
    eps : float
        The nudge.

    Returns
    -------
    ndarray, shape (T, T)
        Row t, column s: the sensitivity of output step t to input step s.
    """
    if not callable(forward):
        raise TypeError(f"forward must be callable, got {type(forward).__name__}")
    x = Shapes(N=1).array("x", x, ("N", "T", "D")).astype(float)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    T, D = x.shape[1:]
    z = np.asarray(forward(x))
    if z.ndim != 3 or z.shape[:2] != (1, T):
        raise ValueError(f"forward(x) must return shape (1, {T}, H), got {z.shape}")
    jac = np.zeros((T, z.shape[2], T, D))
    for s in range(T):
        for d in range(D):
            up, down = x.copy(), x.copy()
            up[0, s, d] += eps
            down[0, s, d] -= eps
            diff = np.asarray(forward(up))[0] - np.asarray(forward(down))[0]  # (T, H)
            jac[:, :, s, d] = diff / (2 * eps)
    return np.sqrt((jac ** 2).sum(axis=(1, 3)))
