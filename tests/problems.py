"""Small seeded problems and independent torch references that several test files share.

Imported by name (``from problems import rnn_problem``): pytest puts tests/ on
the path. (Not ``from conftest import ...``: tests/site has a conftest.py of
its own, and both would be the module ``conftest``.) Each problem is drawn
from its own seeded ``numpy.random.Generator``, so a test that builds one gets
the same arrays on every machine. The torch references write the book's
equations out with torch autograd in float64, independently of
``textbook_rnn.torch_nn``; torch is imported only when one of them is called,
so numpy-only test files do not pay for it.
"""

from __future__ import annotations

import numpy as np

from textbook_rnn import gated
from textbook_rnn.rnn import init_params


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


# --------------------------------------------------------------------------- vanilla RNN


def rnn_problem(N=3, T=7, D=4, H=5, K=6, seed=0, w_scale=1.2):
    """A vanilla RNN with nonzero biases, inputs, class targets and an initial state.

    Returns ``(p, x, y, h0)``: ``p`` from :func:`textbook_rnn.rnn.init_params`
    (seed ``seed + 1``) with biases ``b``, ``c`` drawn N(0, 0.5²); ``x``
    (N, T, D) standard normal; ``y`` (N, T) integers in [0, K); ``h0`` (N, H).
    """
    rng = np.random.default_rng(seed)
    p = init_params(D, H, K, seed=seed + 1, w_scale=w_scale)
    p["b"] = rng.normal(0, 0.5, size=H)
    p["c"] = rng.normal(0, 0.5, size=K)
    x = rng.normal(size=(N, T, D))
    y = rng.integers(0, K, size=(N, T))
    h0 = rng.normal(0, 0.5, size=(N, H))
    return p, x, y, h0


def torch_rnn_autograd(p, x, y, h0, *, chunk=None, weights=None, where="all",
                       activation="tanh"):
    """Loss, parameter gradients and ∂L/∂h_t of a vanilla RNN by torch autograd.

    The loss is the softmax cross-entropy summed over steps (at every step, or
    only the last with ``where="last"``) and averaged over the batch.
    ``chunk`` detaches the state every ``chunk`` steps (truncated BPTT).
    ``weights[t]`` scales the gradient through the link into step t but not
    the value: h_prev enters as w·h_prev + (1 - w)·h_prev.detach().

    Returns ``(loss, grads, dh)``: ``grads`` has ``dU``, ``dW``, ``db``,
    ``dV``, ``dc``, ``dh0``; ``dh`` (N, T, H) is the gradient on each h_t.
    """
    torch = _torch()
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    th0 = torch.tensor(h0, requires_grad=True)
    tx, ty = torch.tensor(x), torch.tensor(y)
    N, T, _ = x.shape
    phi = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
           "linear": lambda a: a}[activation]
    h, states, loss = th0, [], 0.0
    for step in range(T):
        if chunk is not None and step > 0 and step % chunk == 0:
            h = h.detach()
        if weights is not None:
            w = float(weights[step])
            h = w * h + (1.0 - w) * h.detach()
        h = phi(t["b"] + h @ t["W"].T + tx[:, step] @ t["U"].T)
        h.retain_grad()
        states.append(h)
        if where == "all" or step == T - 1:
            o = t["c"] + h @ t["V"].T
            loss = loss + torch.nn.functional.cross_entropy(o, ty[:, step], reduction="sum") / N
    loss.backward()
    grads = {f"d{k}": v.grad.numpy() for k, v in t.items()}
    grads["dh0"] = th0.grad.numpy()
    dh = np.stack([s.grad.numpy() for s in states], axis=1)
    return float(loss.detach()), grads, dh


# --------------------------------------------------------------------------- LSTM and GRU


def randomise_biases(p, rng):
    """Nonzero biases (and peepholes) N(0, 0.5²), so that every path carries a gradient."""
    H = p["W_" + ("f" if "W_f" in p else "u")].shape[0]
    return {k: (rng.normal(0, 0.5, size=H) if k[0] in "bp" else v) for k, v in p.items()}


def lstm_problem(N, T, D, H, seed=0, peepholes=False):
    """An LSTM problem: ``(p, x, h0, s0, R, Q)`` for the loss Σ R ⊙ h + Σ Q ⊙ s_T."""
    rng = np.random.default_rng(seed)
    p = randomise_biases(gated.lstm_init(D, H, seed=seed + 1, peepholes=peepholes), rng)
    x = rng.normal(size=(N, T, D))
    h0, s0 = rng.normal(0, 0.5, (N, H)), rng.normal(0, 0.5, (N, H))
    R, Q = rng.normal(size=(N, T, H)), rng.normal(size=(N, H))
    return p, x, h0, s0, R, Q


def gru_problem(N, T, D, H, seed=0, reset_after=False):
    """A GRU problem: ``(p, x, h0, R)`` for the loss Σ R ⊙ h."""
    rng = np.random.default_rng(seed)
    p = randomise_biases(gated.gru_init(D, H, seed=seed + 1, reset_after=reset_after), rng)
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(0, 0.5, (N, H))
    R = rng.normal(size=(N, T, H))
    return p, x, h0, R
