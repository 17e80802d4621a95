"""Time numpy BPTT against torch autograd on the same RNN, in the same run.

Forward pass, sequence loss and all gradients of a vanilla RNN with
N=32, T=100, D=64, H=128, K=64, on the CPU, in float32 and float64. The torch
side is ``torch.nn.RNN`` + ``torch.nn.Linear`` + ``cross_entropy`` with
``loss.backward()`` (autograd over the fused RNN kernel), loaded with the same
weights. Both sides use one thread (torch.set_num_threads(1); numpy's BLAS
through threadpoolctl when available), so the ratio compares the algorithms
rather than thread scheduling. Prints the best of several repeats and the
ratio numpy / torch; a ratio below 1 means numpy is faster.

Usage: python benchmarks/bptt_numpy_vs_torch.py [--repeat 7] [--threads 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_time, limit_threads

from textbook_rnn import bptt, init_params
from textbook_rnn.torch_nn.rnn import rnn_to_torch


def measure(np_dtype, torch_dtype, shape, repeat: int) -> tuple[float, float]:
    """Best seconds for numpy BPTT and for torch autograd on the same weights."""
    N, T, D, H, K = shape
    rng = np.random.default_rng(0)
    params = init_params(D, H, K, seed=0, dtype=np_dtype)
    x = rng.normal(size=(N, T, D)).astype(np_dtype)
    y = rng.integers(0, K, size=(N, T))
    h0 = np.zeros((N, H), dtype=np_dtype)

    def numpy_step():
        bptt.rnn_loss_and_grads(x, y, params, h0)

    rnn, linear = rnn_to_torch(params, dtype=torch_dtype)
    tx = torch.tensor(x)
    ty = torch.tensor(y).reshape(-1)
    th0 = torch.tensor(h0).unsqueeze(0).requires_grad_(True)

    def torch_step():
        rnn.zero_grad(set_to_none=True)
        linear.zero_grad(set_to_none=True)
        h, _ = rnn(tx, th0)
        o = linear(h)
        loss = torch.nn.functional.cross_entropy(o.reshape(-1, K), ty, reduction="sum") / N
        loss.backward()

    return best_time(numpy_step, repeat), best_time(torch_step, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    threads = limit_threads(args.threads)

    N, T, D, H, K = 32, 100, 64, 128, 64
    print(f"vanilla RNN forward + backward, N={N} T={T} D={D} H={H} K={K}, "
          f"{threads}, best of {args.repeat}")
    print(f"{'dtype':8s} {'numpy ms':>9s} {'torch ms':>9s} {'numpy/torch':>12s}")
    for np_dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        t_np, t_torch = measure(np_dtype, torch_dtype, (N, T, D, H, K), args.repeat)
        name = np.dtype(np_dtype).name
        print(f"{name:8s} {t_np * 1e3:9.2f} {t_torch * 1e3:9.2f} {t_np / t_torch:12.2f}")


if __name__ == "__main__":
    main()
