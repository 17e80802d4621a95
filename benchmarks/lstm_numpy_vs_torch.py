"""Time the numpy LSTM (forward + BPTT) against torch autograd on the same weights.

An LSTM layer with N=32, T=100, D=64, H=128 on the CPU, in float32 and
float64. The numpy side is textbook_rnn.gated.lstm_forward followed by
lstm_backward; the torch side is ``torch.nn.LSTM`` (built by
textbook_rnn.torch_nn.gated.lstm_to_torch, so the weights are the same) and
``backward`` of the same upstream gradient. Both compute the same gradients:
every weight and bias, the inputs x and both initial states. Both sides use
one thread (torch.set_num_threads(1); numpy's BLAS through threadpoolctl when
it is installed, else through OPENBLAS_NUM_THREADS / MKL_NUM_THREADS set
before numpy loads), so the ratio compares the algorithms rather than thread
scheduling. Prints the best of several repeats and the ratio numpy / torch;
a ratio below 1 means numpy is faster.

Usage: python benchmarks/lstm_numpy_vs_torch.py [--repeat 7] [--threads 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_time, limit_threads

from textbook_rnn import gated
from textbook_rnn.torch_nn.gated import lstm_to_torch


def measure(np_dtype, torch_dtype, shape, repeat: int) -> tuple[float, float, float]:
    """Best seconds for numpy and torch, and the largest gradient difference."""
    N, T, D, H = shape
    rng = np.random.default_rng(0)
    params = gated.lstm_init(D, H, seed=0, dtype=np_dtype)
    x = rng.normal(size=(N, T, D)).astype(np_dtype)
    h0 = rng.normal(0, 0.5, size=(N, H)).astype(np_dtype)
    s0 = rng.normal(0, 0.5, size=(N, H)).astype(np_dtype)
    dh = rng.normal(size=(N, T, H)).astype(np_dtype)  # upstream gradient: loss = Σ dh ⊙ h

    def numpy_step():
        _, cache = gated.lstm_forward(x, h0, s0, params)
        return gated.lstm_backward(dh, cache)

    lstm = lstm_to_torch(params, dtype=torch_dtype)
    tx, th0, ts0 = (torch.tensor(a).requires_grad_(True) for a in (x, h0, s0))
    tdh = torch.tensor(dh)

    def torch_step():
        lstm.zero_grad(set_to_none=True)
        for t in (tx, th0, ts0):
            t.grad = None
        h, _ = lstm(tx, (th0[None], ts0[None]))
        h.backward(tdh)

    t_np, t_torch = best_time(numpy_step, repeat), best_time(torch_step, repeat)
    # the two did the same work: compare one gradient
    dW_i = numpy_step()[3]["dW_i"]
    diff = float(np.abs(dW_i - lstm.weight_hh_l0.grad[:H].numpy()).max())
    return t_np, t_torch, diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    blas = limit_threads(args.threads)

    N, T, D, H = 32, 100, 64, 128
    print(f"LSTM forward + backward, N={N} T={T} D={D} H={H}, {blas}, best of {args.repeat}")
    header = ("dtype", "numpy ms", "torch ms", "numpy/torch", "max |ΔdW_i|")
    print(f"{header[0]:8s} {header[1]:>9s} {header[2]:>9s} {header[3]:>12s} {header[4]:>12s}")
    for np_dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        t_np, t_torch, diff = measure(np_dtype, torch_dtype, (N, T, D, H), args.repeat)
        name = np.dtype(np_dtype).name
        print(f"{name:8s} {t_np * 1e3:9.2f} {t_torch * 1e3:9.2f} {t_np / t_torch:12.2f} "
              f"{diff:12.1e}")


if __name__ == "__main__":
    main()
