"""Time the numpy NTM addressing (forward + backward) against torch autograd on the same inputs.

One head's full addressing chain (content, interpolation, shift, sharpening:
textbook_rnn.memory.address_forward and address_backward) followed by a read
(read_forward / read_backward) and an erase-and-add write (write_forward /
write_backward), for a batch of N=32 memories of R=128 rows of width C=20,
in float32 and float64. The torch side runs the same equations
(textbook_rnn.torch_nn.ntm) and ``backward`` of the same upstream gradients.
Both sides use one thread. Prints the best of several repeats and the ratio
numpy / torch, measured in the same run; a ratio below 1 means numpy is
faster.

Usage: python benchmarks/memory_numpy_vs_torch.py [--repeat 21] [--threads 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import best_time, limit_threads

from textbook_rnn import memory
from textbook_rnn.torch_nn import ntm


def measure(np_dtype, torch_dtype, shape, repeat: int) -> tuple[float, float, float]:
    """Best seconds for numpy and torch, and the largest difference in dM."""
    N, R, C = shape
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(N, R, C)), rng.dirichlet(np.ones(R), N), rng.normal(size=(N, C)),
            rng.uniform(0.5, 4, N), rng.uniform(0.1, 0.9, N), rng.dirichlet(np.ones(3), N),
            rng.uniform(1, 3, N)]
    e, a = rng.uniform(size=(N, C)), rng.normal(size=(N, C))
    dr, dM_new = rng.normal(size=(N, C)), rng.normal(size=(N, R, C))
    args, e, a, dr, dM_new = ([v.astype(np_dtype) for v in args], e.astype(np_dtype),
                              a.astype(np_dtype), dr.astype(np_dtype), dM_new.astype(np_dtype))

    def numpy_step():
        w, c_addr = memory.address_forward(*args)
        r, c_read = memory.read_forward(args[0], w)
        _, c_write = memory.write_forward(args[0], w, e, a)
        dM_r, dw_r = memory.read_backward(dr, c_read)
        dM_w, dw_w, _, _ = memory.write_backward(dM_new, c_write)
        grads = memory.address_backward(dw_r + dw_w, c_addr)
        return grads[0] + dM_r + dM_w

    tensors = [torch.tensor(v, dtype=torch_dtype, requires_grad=True) for v in args]
    te, ta = (torch.tensor(v, dtype=torch_dtype, requires_grad=True) for v in (e, a))
    tdr, tdM = torch.tensor(dr, dtype=torch_dtype), torch.tensor(dM_new, dtype=torch_dtype)

    def torch_step():
        for t in (*tensors, te, ta):
            t.grad = None
        w = ntm.address(*tensors)
        r = ntm.read(tensors[0], w)
        M_new = ntm.write(tensors[0], w, te, ta)
        torch.autograd.backward([r, M_new], [tdr, tdM])

    t_np, t_torch = best_time(numpy_step, repeat), best_time(torch_step, repeat)
    torch_step()
    diff = float(np.abs(numpy_step() - tensors[0].grad.numpy()).max())
    return t_np, t_torch, diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    blas = limit_threads(args.threads)
    torch.set_num_threads(args.threads)

    N, R, C = 32, 128, 20
    print(f"NTM addressing + read + write, forward + backward, N={N} R={R} C={C}, {blas}, "
          f"best of {args.repeat}")
    header = ("dtype", "numpy ms", "torch ms", "numpy/torch", "max |ΔdM|")
    print(f"{header[0]:8s} {header[1]:>9s} {header[2]:>9s} {header[3]:>12s} {header[4]:>12s}")
    for np_dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        t_np, t_torch, diff = measure(np_dtype, torch_dtype, (N, R, C), args.repeat)
        name = np.dtype(np_dtype).name
        print(f"{name:8s} {t_np * 1e3:9.3f} {t_torch * 1e3:9.3f} {t_np / t_torch:12.2f} "
              f"{diff:12.1e}")


if __name__ == "__main__":
    main()
