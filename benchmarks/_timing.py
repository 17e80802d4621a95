"""Timing helpers shared by the benchmark scripts.

:func:`limit_threads` gives numpy's BLAS (through threadpoolctl) and torch
the same number of threads, so that a ratio compares algorithms rather than
thread scheduling; :func:`best_time` keeps the fastest of several runs.
"""

from __future__ import annotations

import os
import time


def best_time(fn, repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn``, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def limit_threads(threads: int) -> str:
    """Give torch and numpy's BLAS ``threads`` threads; say what was done."""
    import torch

    torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return (f"torch {threads} thread(s); threadpoolctl not installed: numpy BLAS threads "
                f"from OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    threadpool_limits(threads)
    return f"torch and numpy BLAS {threads} thread(s)"
