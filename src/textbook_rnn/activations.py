"""The nonlinearities φ of the book's recurrences, and φ' read off their output.

Chapter 1 (``rnn-h``) uses tanh; chapter 2 (section *Why tanh and not ReLU*)
compares it with ReLU; chapter 6 (``ltd-rnn``, ``ltd-jacobian``,
``ltd-bound``) adds the logistic sigmoid and the identity::

    tanh:     φ(a) = tanh(a),              φ'(a) = 1 - h²
    relu:     φ(a) = max(a, 0),            φ'(a) = [h > 0]
    sigmoid:  φ(a) = 1 / (1 + e^{-a}),     φ'(a) = h (1 - h)
    linear:   φ(a) = a,                    φ'(a) = 1

Every derivative is written in terms of the output h = φ(a), which is what a
forward pass keeps, so a backward pass never needs the pre-activation a.
:data:`GAMMA` holds the bound γ ≥ |φ'| that chapter 6's bound
``ltd-bound`` uses. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACTIVATIONS", "GAMMA", "check_activation", "phi", "phi_prime"]

#: The names every function of the package with an ``activation`` argument accepts.
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")

#: The bound γ on |φ'| for each activation, as in Pascanu et al. (2013).
GAMMA = {"tanh": 1.0, "relu": 1.0, "sigmoid": 0.25, "linear": 1.0}


def check_activation(activation) -> str:
    """Return ``activation`` after checking that it is one of :data:`ACTIVATIONS`."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^{-a}) written through tanh, which never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _identity(a: np.ndarray) -> np.ndarray:
    return a


_PHI = {"tanh": np.tanh, "relu": _relu, "sigmoid": _sigmoid, "linear": _identity}


def phi(activation: str):
    """The function φ named ``activation`` (one of :data:`ACTIVATIONS`), applied elementwise.

    Parameters
    ----------
    activation : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    callable
        ``φ(a)`` for an ndarray ``a``, same shape.
    """
    return _PHI[check_activation(activation)]


def phi_prime(h: np.ndarray, activation: str) -> np.ndarray:
    """φ'(a) written in terms of the output h = φ(a).

    Parameters
    ----------
    h : ndarray, any shape
        Outputs of φ, e.g. hidden states.
    activation : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    ndarray, shape of ``h``
        1 - h² (tanh), [h > 0] (ReLU), h (1 - h) (sigmoid) or ones (identity).
    """
    activation = check_activation(activation)
    if activation == "tanh":
        return 1.0 - h**2
    if activation == "relu":
        return (h > 0).astype(h.dtype)
    if activation == "sigmoid":
        return h * (1.0 - h)
    return np.ones_like(h)
