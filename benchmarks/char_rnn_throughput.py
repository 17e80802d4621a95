"""Characters per second of a numpy character-level RNN, batched against batch 1.

Both loops train the same vanilla RNN (H hidden units, one-hot characters in
and out, truncated BPTT over chunks of T characters, the state carried from
chunk to chunk) on the same text: the English documentation that ships with
CPython (``pydoc_data.topics``), so nothing is downloaded.

- **book**: the package's own path. N parallel streams through the text,
  ``textbook_rnn.bptt.rnn_loss_and_grads`` for the gradients (the recursion
  over time is the only loop; the weight gradients are one matrix product over
  all N·T rows), gradient clipping and Adam from the package.
- **chapter**: the same, as chapter 3 trains it: ``textbook_rnn.charlm.train_char_rnn``
  in float32 (its default) and in float64.
- **batch 1**: the classic minimal character-level RNN: one stream, column
  vectors, a Python loop over time for the forward pass and another for the
  backward pass that accumulates every weight gradient step by step, element-
  wise clipping and Adagrad. It is written here, in a dozen lines, as the
  reference.

Each loop runs for a fixed number of characters; the script prints characters
per second for each and their ratio, measured in the same run, with numpy's
BLAS held to one thread. A figure, not a test.

Usage: python benchmarks/char_rnn_throughput.py [--chars 60000] [--H 128] [--T 25] [--N 32]
"""

from __future__ import annotations

import argparse
import pydoc_data.topics
import time

import numpy as np
from _timing import limit_threads

from textbook_rnn import bptt, charlm, init_params
from textbook_rnn.clipping import clip_by_global_norm
from textbook_rnn.train_numpy import Adam


def corpus() -> tuple[np.ndarray, int]:
    """The text as an array of character ids, and the vocabulary size."""
    text = "".join(pydoc_data.topics.topics[k] for k in sorted(pydoc_data.topics.topics))
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}
    return np.array([index[ch] for ch in text], dtype=np.int64), len(vocab)


def book_loop(ids: np.ndarray, K: int, H: int, T: int, N: int, chars: int) -> tuple[float, float]:
    """Seconds and final chunk loss for ``chars`` characters, N streams at once."""
    params = init_params(K, H, K, seed=0)
    opt = Adam(params, lr=2e-3)
    eye = np.eye(K)
    stream = len(ids) // N
    starts = np.arange(N) * stream
    h = np.zeros((N, H))
    steps = max(1, chars // (N * T))
    start = time.perf_counter()
    for s in range(steps):
        pos = (starts[:, None] + s * T + np.arange(T + 1)) % len(ids)  # (N, T + 1)
        x, y = eye[ids[pos[:, :-1]]], ids[pos[:, 1:]]  # (N, T, K), (N, T)
        loss, grads, h = bptt.truncated_bptt(x, y, params, T, h)
        del grads["dh0"]  # the carried state is not trained
        grads, _ = clip_by_global_norm(grads, 5.0)
        opt.step(grads)
    return time.perf_counter() - start, loss / T


def chapter_loop(ids: np.ndarray, K: int, H: int, T: int, N: int, chars: int,
                 dtype) -> float:
    """Seconds for ``chars`` characters of chapter 3's training function."""
    start = time.perf_counter()
    charlm.train_char_rnn(ids, K, H=H, T=T, N=N, epochs=chars / (len(ids) - 1), dtype=dtype,
                          evals=1)
    return time.perf_counter() - start


def batch1_loop(ids: np.ndarray, K: int, H: int, T: int, chars: int) -> tuple[float, float]:
    """Seconds and final chunk loss for ``chars`` characters, one stream, step by step."""
    p = init_params(K, H, K, seed=0)
    U, W, V, b, c = p["U"], p["W"], p["V"], p["b"][:, None], p["c"][:, None]
    cache = [np.zeros_like(a) for a in (U, W, V, b, c)]
    h = np.zeros((H, 1))
    steps = max(1, chars // T)
    start = time.perf_counter()
    for s in range(steps):
        i0 = (s * T) % (len(ids) - T - 1)
        xs, hs, ps, loss = {}, {-1: h}, {}, 0.0
        for t in range(T):
            xs[t] = np.zeros((K, 1))
            xs[t][ids[i0 + t]] = 1.0
            hs[t] = np.tanh(U @ xs[t] + W @ hs[t - 1] + b)
            o = V @ hs[t] + c
            e = np.exp(o - o.max())
            ps[t] = e / e.sum()
            loss -= float(np.log(ps[t][ids[i0 + t + 1], 0]))
        dU, dW, dV, db, dc = (np.zeros_like(a) for a in (U, W, V, b, c))
        dh_next = np.zeros((H, 1))
        for t in reversed(range(T)):
            do = ps[t].copy()
            do[ids[i0 + t + 1]] -= 1.0
            dV += do @ hs[t].T
            dc += do
            da = (1.0 - hs[t] ** 2) * (V.T @ do + dh_next)
            db += da
            dU += da @ xs[t].T
            dW += da @ hs[t - 1].T
            dh_next = W.T @ da
        for param, grad, mem in zip((U, W, V, b, c), (dU, dW, dV, db, dc), cache, strict=True):
            np.clip(grad, -5.0, 5.0, out=grad)
            mem += grad * grad
            param -= 0.1 * grad / np.sqrt(mem + 1e-8)
        h = hs[T - 1]
    return time.perf_counter() - start, loss / T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument("--H", type=int, default=128)
    parser.add_argument("--T", type=int, default=25)
    parser.add_argument("--N", type=int, default=32)
    args = parser.parse_args()
    threads = limit_threads(1)
    ids, K = corpus()
    print(f"character-level RNN on {len(ids):,} characters of CPython's documentation, "
          f"K={K} symbols, H={args.H}, T={args.T}; {threads}")
    book_s, book_loss = book_loop(ids, K, args.H, args.T, args.N, args.chars)
    ch32 = args.chars / chapter_loop(ids, K, args.H, args.T, args.N, args.chars, np.float32)
    ch64 = args.chars / chapter_loop(ids, K, args.H, args.T, args.N, args.chars, np.float64)
    one_s, one_loss = batch1_loop(ids, K, args.H, args.T, args.chars)
    book_rate, one_rate = args.chars / book_s, args.chars / one_s
    print(f"{'loop':34s} {'chars/s':>10s} {'last loss/char':>15s}")
    print(f"{f'book, N={args.N} streams':34s} {book_rate:10,.0f} {book_loss:15.3f}")
    print(f"{'chapter 3 (charlm), float32':34s} {ch32:10,.0f}")
    print(f"{'chapter 3 (charlm), float64':34s} {ch64:10,.0f}")
    print(f"{'batch 1, step by step':34s} {one_rate:10,.0f} {one_loss:15.3f}")
    print(f"ratio book / batch 1: {book_rate / one_rate:.1f}x; chapter 3 float32 / batch 1: "
          f"{ch32 / one_rate:.1f}x, float64: {ch64 / one_rate:.1f}x")


if __name__ == "__main__":
    main()
