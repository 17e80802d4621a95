"""Looking inside back-propagation through time (chapter 2).

:mod:`textbook_rnn.bptt` computes the gradients; this module opens the
backward pass up so that a chapter can look at it:

- :func:`state_gradients` runs the recursion of equation ``bptt-dh-t`` and
  returns ∇_{h_t} L for *every* t, not only the parameter gradients
  (section *How the gradient travels back in time*);
- :func:`recurrence_forward` runs the recurrence with ``tanh`` or ``relu``, to
  compare the two nonlinearities (section *Why tanh and not ReLU*);
- :func:`weighted_bptt` multiplies the gradient that crosses each link
  h_{t-1} → h_t by a number. Weights 0 and 1 give truncated BPTT
  (:func:`truncation_weights`); random cuts with the surviving gradient
  scaled by 1/(1 - p) give randomized truncation in the spirit of Tallec &
  Ollivier (2017) (:func:`randomized_truncation_weights`,
  :func:`randomized_truncation_grads`), whose expectation is the full
  gradient (section *Truncation*);
- :func:`forward_cache_nbytes` counts the bytes a forward pass keeps for the
  backward pass (section *What BPTT costs*).

Column-vector equations, row-vector code: for a batch, ``Wᵀ g`` is
``g @ W`` and ``diag(φ'(a)) g`` is ``φ'(a) * g``. The loops themselves are
not repeated here: the forward recurrence is :func:`textbook_rnn.rnn._recurrence`
and the backward recursion :func:`textbook_rnn.bptt._hidden_gradients`, with
φ and φ' from :mod:`textbook_rnn.activations`. Only numpy is imported.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import activations
from ._validate import Shapes, check_positive_int, float_dtype
from .bptt import (
    _check_loss_args,
    _hidden_gradients,
    _loss_and_grads,
    _output_backward,
    _sequence_nll_backward,
)
from .rnn import _check_recurrence_args, _readout, _recurrence, output_forward, rnn_forward

__all__ = [
    "recurrence_forward",
    "state_gradients",
    "hidden_state_gradients",
    "gradient_norms",
    "weight_gradient_by_step",
    "truncation_weights",
    "randomized_truncation_weights",
    "weighted_bptt",
    "randomized_truncation_grads",
    "forward_cache_nbytes",
]

def recurrence_forward(x, h0, U, W, b, *, activation: str = "tanh") -> np.ndarray:
    """Run h_t = φ(b + W h_{t-1} + U x_t) with φ = tanh or ReLU.

    With ``activation="tanh"`` this is :func:`textbook_rnn.rnn.rnn_forward`
    (equations ``rnn-a`` and ``rnn-h``). Chapter 2, section *Why tanh and not ReLU*.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
    U : ndarray, shape (H, D)
    W : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    activation : {"tanh", "relu", "sigmoid", "linear"}
        See :mod:`textbook_rnn.activations`.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        h_1 ... h_T. A ReLU recurrence may overflow to ``inf``; no warning is
        raised, since showing that is the point of the comparison.
    """
    phi = activations.phi(activation)
    x, h0, U, W, b = _check_recurrence_args(x, h0, U, W, b)
    with np.errstate(over="ignore", invalid="ignore"):
        # h_t = φ(b + W h_{t-1} + U x_t)
        return _recurrence(x @ U.T + b, h0, W, phi)


def _check_link_weights(link_weights, T: int, dtype) -> np.ndarray:
    if link_weights is None:
        return np.ones(T, dtype=dtype)
    w = np.asarray(link_weights)
    if w.dtype.kind not in "fiub":
        raise TypeError(f"link_weights must hold real numbers, got dtype {w.dtype}")
    if w.shape != (T,):
        raise ValueError(f"link_weights must have shape (T,) = ({T},), got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("link_weights must be finite")
    return w.astype(dtype)


def state_gradients(dh_out, h, W, *, activation: str = "tanh", link_weights=None) -> np.ndarray:
    """∇_{h_t} L for every step t, by the backward recursion ``bptt-dh-t``.

    Starting from ∇_{h_τ} L = ``dh_out[:, τ]`` (equation ``bptt-dh-tau``), each
    earlier step adds what reaches h_t through h_{t+1}::

        ∇_{h_t} L = dh_out_t + w_{t+1} Wᵀ diag(φ'(a_{t+1})) ∇_{h_{t+1}} L

    where ``dh_out_t = Vᵀ ∇_{o_t} L`` is the gradient arriving from the output
    at step t. Chapter 2, sections *The derivation* and *How the gradient
    travels back in time*.

    Parameters
    ----------
    dh_out : ndarray, shape (N, T, H)
        Gradient reaching each h_t directly from the output at that step.
    h : ndarray, shape (N, T, H)
        Hidden states h_1 ... h_T of the forward pass.
    W : ndarray, shape (H, H)
        Recurrent weights.
    activation : {"tanh", "relu", "sigmoid", "linear"}
        The nonlinearity φ of the forward pass; φ'(a_t) is read off h_t.
    link_weights : ndarray, shape (T,), optional
        ``link_weights[t]`` multiplies the gradient flowing from h_t back to
        h_{t-1} (entry 0: to h_0). All ones (the default) is exact BPTT.

    Returns
    -------
    ndarray, shape (N, T, H)
        ∇_{h_t} L, batch first like ``h``.
    """
    activations.check_activation(activation)
    s = Shapes()
    h = s.array("h", h, ("N", "T", "H"))
    dh_out = s.array("dh_out", dh_out, ("N", "T", "H"))
    W = s.array("W", W, ("H", "H"))
    dt = float_dtype(h, dh_out, W)
    h, dh_out, W = (a.astype(dt, copy=False) for a in (h, dh_out, W))
    w = _check_link_weights(link_weights, h.shape[1], dt)
    with np.errstate(over="ignore", invalid="ignore"):
        # the recursion bptt-dh-t, with φ'(a_t) read off h_t
        return _hidden_gradients(dh_out, h, W, activations.phi_prime(h, activation), w)[0]


def _output_gradients(x, y, params, h0, where: str):
    """Check once, run the network, and return (h, h0, W, ∇_h L from the outputs only)."""
    if where not in ("all", "last"):
        raise ValueError(f"where must be 'all' or 'last', got {where!r}")
    x, y, p, h0 = _check_loss_args(x, y, params, h0)
    h = _recurrence(x @ p["U"].T + p["b"], h0, p["W"])
    o = _readout(h, p["V"], p["c"])
    do = _sequence_nll_backward(o, y)  # (N, T, K), includes the 1/N
    if where == "last":
        do[:, :-1] = 0.0
    dh_out, _, _ = _output_backward(do, h, p["V"])
    return h, h0, p["W"], dh_out


def hidden_state_gradients(x, y, params: dict, h0=None, *, where: str = "all") -> np.ndarray:
    """∇_{h_t} L at every step for the vanilla RNN of chapter 1.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,).
    h0 : ndarray, shape (N, H), optional
        Initial state, zeros when omitted.
    where : {"all", "last"}
        ``"all"``: L is the sequence loss ``rnn-loss`` (a sum over steps).
        ``"last"``: L is the loss of the final step only, so that ∇_{h_t} L is
        one product of Jacobians, the quantity the chapter plots.

    Returns
    -------
    ndarray, shape (N, T, H)
        ∇_{h_t} L; the batch mean in L puts a factor 1/N in every row.
    """
    h, _, W, dh_out = _output_gradients(x, y, params, h0, where)
    return _hidden_gradients(dh_out, h, W, 1.0 - h**2)[0]


def gradient_norms(dh) -> np.ndarray:
    """‖∇_{h_t} L‖ at every step, averaged over the batch.

    Parameters
    ----------
    dh : ndarray, shape (N, T, H)
        From :func:`state_gradients` or :func:`hidden_state_gradients`.

    Returns
    -------
    ndarray, shape (T,)
        Mean over the batch of the Euclidean norm of each ∇_{h_t} L.
    """
    dh = Shapes().array("dh", dh, ("N", "T", "H"))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.norm(dh.astype(float_dtype(dh)), axis=2).mean(axis=0)


def weight_gradient_by_step(x, y, params: dict, h0=None, *, where: str = "all") -> np.ndarray:
    """The term each step contributes to ∇_W L, equation ``bptt-dW`` split by t.

    ∇_W L = Σ_t diag(1 - h_t²) ∇_{h_t} L h_{t-1}ᵀ: the copy of W used at step
    t receives the t-th term. Summing the result over its first axis gives
    ``dW`` of :func:`textbook_rnn.bptt.rnn_loss_and_grads` (for ``where="all"``).

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        ``U``, ``W``, ``b``, ``V``, ``c``.
    h0 : ndarray, shape (N, H), optional
    where : {"all", "last"}
        As in :func:`hidden_state_gradients`.

    Returns
    -------
    ndarray, shape (T, H, H)
        Entry t is the step-t term of ∇_W L (summed over the batch).
    """
    h, h0, W, dh_out = _output_gradients(x, y, params, h0, where)
    _, da, _ = _hidden_gradients(dh_out, h, W, 1.0 - h**2)
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # (N, T, H)
    # term_t = Σ_n da_{n,t} h_{n,t-1}ᵀ
    return np.einsum("nti,ntj->tij", da, h_prev)


def truncation_weights(T: int, k: int) -> np.ndarray:
    """Link weights of truncated BPTT with chunks of ``k`` steps.

    The gradient is cut (weight 0) on the links into steps k, 2k, ... (0-based),
    where :func:`textbook_rnn.bptt.truncated_bptt` starts a new chunk, and
    passes unchanged (weight 1) everywhere else.

    Parameters
    ----------
    T : int
        Sequence length.
    k : int
        Truncation length.

    Returns
    -------
    ndarray, shape (T,)
        Zeros and ones for :func:`weighted_bptt`.
    """
    T = check_positive_int("T", T)
    k = check_positive_int("k", k)
    w = np.ones(T)
    w[k::k] = 0.0
    return w


def _check_probability(p_cut, T: int) -> np.ndarray:
    if isinstance(p_cut, numbers.Real) and not isinstance(p_cut, bool):
        p = np.full(T, float(p_cut))
    else:
        p = np.asarray(p_cut, dtype=float) if not isinstance(p_cut, bool) else None
        if p is None or p.shape != (T,):
            raise ValueError(f"p_cut must be a number or an array of shape (T,) = ({T},), "
                             f"got {p_cut!r}")
    if not np.all((p >= 0) & (p < 1)):
        raise ValueError(f"p_cut must lie in [0, 1), got values from {p.min()} to {p.max()}")
    return p


def randomized_truncation_weights(T: int, p_cut, rng) -> np.ndarray:
    """Random link weights whose expectation is 1 on every link.

    Each link into step t ≥ 1 (0-based) is cut independently with probability
    ``p_t``; a link that survives carries weight ``1 / (1 - p_t)``, so that

        E[w_t] = (1 - p_t) · 1/(1 - p_t) + p_t · 0 = 1.

    A gradient path that crosses m links is multiplied by the product of their
    weights, whose expectation is 1 because the cuts are independent: the
    estimator is unbiased. Long paths survive rarely and are then scaled up a
    lot, which is where its variance comes from. This is the reweighting idea
    of Tallec & Ollivier (2017), with fixed cut probabilities. The link into
    step 0 (from h_0) is never cut.

    Parameters
    ----------
    T : int
        Sequence length.
    p_cut : float or ndarray, shape (T,)
        Cut probability per link, in [0, 1).
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).

    Returns
    -------
    ndarray, shape (T,)
        Weights for :func:`weighted_bptt`.
    """
    T = check_positive_int("T", T)
    p = _check_probability(p_cut, T)
    rng = np.random.default_rng(rng)
    cut = rng.random(T) < p
    cut[0] = False
    # w_t = 1{kept} / (1 - p_t): zero where cut, compensated where kept
    w = np.where(cut, 0.0, 1.0 / (1.0 - p))
    w[0] = 1.0
    return w


def weighted_bptt(x, y, params: dict, link_weights, h0=None):
    """BPTT in which the gradient crossing link h_{t-1} → h_t is multiplied by w_t.

    The forward pass and the loss are exact; only the backward recursion
    ``bptt-dh-t`` changes. All ones gives :func:`textbook_rnn.bptt.rnn_loss_and_grads`,
    :func:`truncation_weights` gives :func:`textbook_rnn.bptt.truncated_bptt`
    (from a zero or given h0), and :func:`randomized_truncation_weights` gives
    randomized truncation. The parameter gradients ``bptt-db``, ``bptt-dW`` and
    ``bptt-dU`` are then formed from the modified ∇_{h_t} L exactly as in
    :func:`textbook_rnn.bptt.rnn_backward`. Chapter 2, section *Truncation*.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        ``U`` (H, D), ``W`` (H, H), ``b`` (H,), ``V`` (K, H), ``c`` (K,).
    link_weights : ndarray, shape (T,)
        ``link_weights[t]`` scales the gradient flowing from h_t to h_{t-1}.
    h0 : ndarray, shape (N, H), optional
        Initial state, zeros when omitted.

    Returns
    -------
    loss : float
        The sequence loss (unchanged by the weights).
    grads : dict
        ``dU``, ``dW``, ``db``, ``dV``, ``dc``, ``dh0``.
    """
    x, y, p, h0 = _check_loss_args(x, y, params, h0)
    w = _check_link_weights(link_weights, x.shape[1], x.dtype)
    loss, grads, _ = _loss_and_grads(x, y, p, h0, w)
    return loss, grads


def randomized_truncation_grads(x, y, params: dict, p_cut, rng, h0=None):
    """One draw of the randomized-truncation gradient (unbiased for full BPTT).

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    y : ndarray of int, shape (N, T)
    params : dict
        ``U``, ``W``, ``b``, ``V``, ``c``.
    p_cut : float or ndarray, shape (T,)
        Probability of cutting each link; ``1 / p_cut`` is the mean distance
        between cuts, the analogue of the truncation length k.
    rng : numpy.random.Generator or int
        Where the cuts come from.
    h0 : ndarray, shape (N, H), optional

    Returns
    -------
    loss : float
    grads : dict
        As in :func:`weighted_bptt`.
    weights : ndarray, shape (T,)
        The link weights drawn (zeros mark the cuts).
    """
    x, y, p, h0 = _check_loss_args(x, y, params, h0)
    w = randomized_truncation_weights(x.shape[1], p_cut, rng).astype(x.dtype)
    loss, grads, _ = _loss_and_grads(x, y, p, h0, w)
    return loss, grads, w


def forward_cache_nbytes(N: int, T: int, D: int, H: int, K: int, *, dtype=np.float64) -> int:
    """Bytes the forward pass keeps for the backward pass of full BPTT.

    Runs :func:`textbook_rnn.rnn.rnn_forward` and
    :func:`textbook_rnn.rnn.output_forward` on zeros and adds up the arrays in
    their caches, plus the logits o (which ∇_o L needs), counting every array
    once. The count grows linearly in T: x, h and o have a time axis; the
    parameters and h_0 do not. Chapter 2, section *What BPTT costs*.

    Parameters
    ----------
    N, T, D, H, K : int
        Batch, length, input, hidden and output sizes.
    dtype : numpy dtype
        Floating type of the arrays.

    Returns
    -------
    int
        Number of bytes.
    """
    N, T, D, H, K = (check_positive_int(name, v) for name, v in
                     zip("NTDHK", (N, T, D, H, K), strict=True))
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    x = np.zeros((N, T, D), dtype)
    h0 = np.zeros((N, H), dtype)
    p = {"U": np.zeros((H, D), dtype), "W": np.zeros((H, H), dtype), "b": np.zeros(H, dtype),
         "V": np.zeros((K, H), dtype), "c": np.zeros(K, dtype)}
    h, cache = rnn_forward(x, h0, p["U"], p["W"], p["b"])
    o, out_cache = output_forward(h, p["V"], p["c"])
    seen: dict[int, int] = {}
    for arr in (*cache, *out_cache, o):
        seen[id(arr)] = arr.nbytes
    return int(sum(seen.values()))

