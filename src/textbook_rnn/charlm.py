"""A character-level language model in numpy (chapter "Sequence modelling").

The vanilla RNN of chapter "Recurrence and unfolding" with one-hot
characters in and a softmax over the next character out, trained with the
book's own truncated BPTT (:func:`textbook_rnn.bptt.truncated_bptt`) on N
parallel streams whose state is carried from chunk to chunk
(:func:`textbook_rnn.tasks.text.stream_batches`):

- :func:`one_hot`, ids to one-hot rows;
- :func:`train_char_rnn`, Adam with global-norm clipping, returning the
  parameters and a learning curve in bits per character;
- :func:`held_out_bits`, bits per character on text the model has not seen,
  the state carried across the whole text;
- :func:`char_step` and :func:`sample_text`, generation at a temperature
  through :func:`textbook_rnn.sampling.ancestral_sample`.

Only numpy is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_positive_float, check_positive_int
from .bptt import truncated_bptt
from .clipping import clip_by_global_norm
from .rnn import init_params, output_forward, rnn_forward, rnn_step, sequence_nll
from .sampling import ancestral_sample
from .tasks.text import Vocabulary, stream_batches
from .train_numpy import Adam

__all__ = ["one_hot", "CharCurve", "train_char_rnn", "held_out_bits", "char_step",
           "sample_text"]


def one_hot(ids, K: int, dtype=np.float64) -> np.ndarray:
    """Rows of the K × K identity picked by ``ids``: shape ``ids.shape + (K,)``."""
    ids = np.asarray(ids)
    K = check_positive_int("K", K)
    if ids.dtype.kind not in "iu" or (ids.size and (ids.min() < 0 or ids.max() >= K)):
        raise ValueError(f"ids must be integers in 0..{K - 1}")
    return np.eye(K, dtype=dtype)[ids]


@dataclass
class CharCurve:
    """The learning curve :func:`train_char_rnn` returns.

    Attributes
    ----------
    chars : list of int
        Training characters seen at each evaluation.
    train_bits : list of float
        Mean bits per character of the training chunks since the last evaluation.
    held_out_bits : list of float
        Bits per character on the held-out text (empty without held-out text).
    """

    chars: list = field(default_factory=list)
    train_bits: list = field(default_factory=list)
    held_out_bits: list = field(default_factory=list)


def held_out_bits(params: dict, ids, K: int, *, N: int = 16, T: int = 100) -> float:
    """Bits per character of ``ids`` under the model, state carried across the text.

    The text is cut into N streams (as in training) that are read chunk by
    chunk from a zero state; every predicted character is scored once.
    """
    total, count = 0.0, 0
    h = None
    for x_ids, y_ids in stream_batches(ids, N, T):
        x = one_hot(x_ids, K, params["W"].dtype)
        if h is None:
            h = np.zeros((N, params["W"].shape[0]), dtype=params["W"].dtype)
        hs, _ = rnn_forward(x, h, params["U"], params["W"], params["b"])
        o, _ = output_forward(hs, params["V"], params["c"])
        total += sequence_nll(o, y_ids) * N  # sequence_nll averages over the batch
        count += y_ids.size
        h = hs[:, -1]
    return total / (count * math.log(2.0))


def train_char_rnn(train_ids, K: int, *, H: int = 128, T: int = 25, N: int = 32,
                   epochs: float = 1.0, lr: float = 2e-3, clip: float = 5.0, seed: int = 0,
                   dtype=np.float32, test_ids=None, evals: int = 10,
                   progress: Callable | None = None) -> tuple[dict, CharCurve]:
    """Train the character-level RNN with truncated BPTT and carried state.

    Parameters
    ----------
    train_ids : ndarray of int, shape (M,)
        The training text as ids in 0..K-1.
    K : int
        Vocabulary size (inputs and outputs).
    H : int
        Hidden units.
    T : int
        Truncation length: characters per chunk.
    N : int
        Parallel streams (the batch).
    epochs : float
        Passes over the text (a fraction trains on the first part of each stream).
    lr, clip : float
        Adam's step size and the global-norm clipping threshold.
    seed : int
        Seeds the initial weights.
    dtype : numpy dtype
        float32 (fast) or float64.
    test_ids : ndarray of int, optional
        Held-out text, scored ``evals`` times during training.
    evals : int
        Number of points on the learning curve.
    progress : callable, optional
        Called as ``progress(1)`` after each update.

    Returns
    -------
    params : dict
        ``U``, ``W``, ``b``, ``V``, ``c``.
    curve : CharCurve
    """
    K, H, T, N = (check_positive_int(n, v) for n, v in (("K", K), ("H", H), ("T", T), ("N", N)))
    epochs, lr = check_positive_float("epochs", epochs), check_positive_float("lr", lr)
    params = {k: v.astype(dtype) for k, v in init_params(K, H, K, seed=seed).items()}
    opt = Adam(params, lr=lr)
    chunks_per_epoch = ((len(train_ids) - 1) // N) // T
    updates = max(1, int(round(epochs * chunks_per_epoch)))
    eval_at = set(np.linspace(0, updates, check_positive_int("evals", evals) + 1)[1:].astype(int))
    curve, h, seen, running, done = CharCurve(), np.zeros((N, H), dtype=dtype), 0, [], 0
    while done < updates:
        for x_ids, y_ids in stream_batches(train_ids, N, T):
            loss, grads, h = truncated_bptt(one_hot(x_ids, K, dtype), y_ids, params, T, h)
            del grads["dh0"]  # the carried state is data, not a parameter
            grads, _ = clip_by_global_norm(grads, clip)
            opt.step(grads)
            done, seen = done + 1, seen + y_ids.size
            running.append(loss / (T * math.log(2.0)))
            if progress is not None:
                progress(1)
            if done in eval_at:
                curve.chars.append(seen)
                curve.train_bits.append(float(np.mean(running)))
                running = []
                if test_ids is not None:
                    curve.held_out_bits.append(held_out_bits(params, test_ids, K))
            if done >= updates:
                break
        h = np.zeros((N, H), dtype=dtype)  # a new pass starts from a clean state
    return params, curve


def char_step(params: dict) -> Callable:
    """The one-step model ``(h, y_prev) -> (h, o)`` for :func:`ancestral_sample`."""
    U, W, b, V, c = (params[k] for k in ("U", "W", "b", "V", "c"))
    K = V.shape[0]

    def step(h, y_prev):
        h = rnn_step(one_hot(y_prev, K, W.dtype), h, U, W, b)  # (N, H)
        o, _ = output_forward(h[:, None], V, c)  # (N, 1, K)
        return h, o[:, 0]

    return step


def sample_text(params: dict, vocab: Vocabulary, prime: str, length: int, *,
                temperature: float = 1.0, seed: int = 0) -> str:
    """Read ``prime``, then draw ``length`` characters at ``temperature``.

    Returns the prime followed by the drawn characters.
    """
    if not prime:
        raise ValueError("prime must hold at least one character")
    ids = vocab.encode(prime)
    step = char_step(params)
    h = np.zeros((1, params["W"].shape[0]), dtype=params["W"].dtype)
    for i in ids[:-1]:  # read the prime; the last character is fed by the sampler
        h, _ = step(h, np.array([i]))
    drawn = ancestral_sample(step, h, ids[-1:], length, temperature=temperature, seed=seed)
    return prime + vocab.decode(drawn[0])
