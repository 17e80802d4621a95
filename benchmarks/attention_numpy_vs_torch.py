"""Time the numpy attention layers (forward + backward) against torch autograd.

For each score of ``textbook_rnn.attention`` (scaled dot product, general,
additive), the forward pass and the hand-written backward pass on a padded
batch, against the same computation in torch with ``backward()``, on the same
arrays, one thread on each side (as for BPTT). Prints the best of several
repeats and the ratio numpy / torch; below 1 means numpy is faster.

Usage: python benchmarks/attention_numpy_vs_torch.py [--repeat 7] [--threads 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_time, limit_threads

from textbook_rnn import attention as att


def problem(np_dtype, shape):
    N, M, T, d, A = shape
    rng = np.random.default_rng(0)
    arrays = {"q": rng.normal(size=(N, M, d)), "k": rng.normal(size=(N, T, d)),
              "v": rng.normal(size=(N, T, d)), "W_a": rng.normal(size=(d, d)) / np.sqrt(d),
              "W_q": rng.normal(size=(A, d)) / np.sqrt(d),
              "W_k": rng.normal(size=(A, d)) / np.sqrt(d), "w_a": rng.normal(size=A)}
    arrays = {k: v.astype(np_dtype) for k, v in arrays.items()}
    lengths = rng.integers(T // 2, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]
    dc = rng.normal(size=(N, M, d)).astype(np_dtype)
    return arrays, mask, dc


def measure(name, np_dtype, torch_dtype, shape, repeat):
    a, mask, dc = problem(np_dtype, shape)
    keys = {"dot": ("q", "k", "v"), "general": ("q", "k", "v", "W_a"),
            "additive": ("q", "k", "v", "W_q", "W_k", "w_a")}[name]
    forward = getattr(att, f"{name}_attention_forward")
    backward = getattr(att, f"{name}_attention_backward")
    args = [a[k] for k in keys]

    def numpy_step():
        _, cache = forward(*args, mask=mask)
        backward(dc, cache)

    t = {k: torch.tensor(a[k], dtype=torch_dtype, requires_grad=True) for k in keys}
    tmask = ~torch.tensor(mask)[:, None, :]
    tdc = torch.tensor(dc, dtype=torch_dtype)
    d = shape[3]

    def torch_step():
        for v in t.values():
            v.grad = None
        if name == "dot":
            e = t["q"] @ t["k"].transpose(1, 2) / d**0.5
        elif name == "general":
            e = t["q"] @ t["W_a"] @ t["k"].transpose(1, 2)
        else:
            z = torch.tanh((t["q"] @ t["W_q"].T)[:, :, None] + (t["k"] @ t["W_k"].T)[:, None])
            e = z @ t["w_a"]
        c = torch.softmax(e.masked_fill(tmask, float("-inf")), -1) @ t["v"]
        c.backward(tdc)

    return best_time(numpy_step, repeat), best_time(torch_step, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    threads = limit_threads(args.threads)
    shape = (32, 20, 40, 64, 64)
    print(f"attention forward + backward, N, M, T, d, A = {shape}, padded, {threads}, "
          f"best of {args.repeat}")
    print(f"{'score':9s} {'dtype':8s} {'numpy ms':>9s} {'torch ms':>9s} {'numpy/torch':>12s}")
    for name in ("dot", "general", "additive"):
        for np_dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
            t_np, t_torch = measure(name, np_dtype, torch_dtype, shape, args.repeat)
            print(f"{name:9s} {np.dtype(np_dtype).name:8s} {t_np * 1e3:9.2f} "
                  f"{t_torch * 1e3:9.2f} {t_np / t_torch:12.2f}")


if __name__ == "__main__":
    main()
