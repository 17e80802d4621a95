"""Recompute the seed sweeps that chapters 2 and 8 quote but cannot afford to run.

A chapter is executed on every build, on two CPU cores, so it trains each
network once, with one seed. What other seeds give is measured here, once,
and stored in ``src/textbook_rnn/data/seed_sweeps.json``; the chapters read
the numbers with :func:`textbook_rnn.data.load` and glue them into the text,
and ``tests/test_claims.py`` recomputes a few entries and compares.

Usage (about ten minutes on two cores; everything runs on the CPU, one thread,
so the numbers are the same on every machine that runs the same library
versions):

    python tools/seed_sweeps.py            # every sweep, rewrites the file
    python tools/seed_sweeps.py recall     # one sweep, the others kept

Sweeps:

- ``recall``: chapter 2's delayed-recall grid (four gradients, delays 2-8)
  with the seeds the chapter does not run;
- ``adding``: chapter 8's adding problem at T = 100 (vanilla RNN, LSTM with
  forget bias 1, GRU) for seeds 0-3 with a budget of 1,500 steps;
- ``forget_bias``: the LSTM at T = 100 with forget biases 0 and 3, seeds 0-3;
- ``counting``: aⁿbⁿ (LSTM and GRU) with seeds 1 and 2;
- ``counting3``: aⁿbⁿcⁿ (LSTM and GRU), training n ≤ 10, 2,000 steps, seed 0.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "textbook_rnn" / "data" / "seed_sweeps.json"

# The settings of the chapters, copied from their cells.
ADDING = dict(steps=1500, lr=0.01, clip=("norm", 1.0), log_every=50, target_loss=0.005)
COUNT = dict(steps=800, lr=0.01, clip=("norm", 1.0), loss="bce", log_every=100)
COUNT3 = dict(COUNT, steps=2000)
RECALL_DELAYS = (2, 3, 6, 8)
RECALL_METHODS = ("full", "truncated", "randomized", "readout")


def recall_run(method: str, delay: int, seed: int) -> dict:
    """Chapter 2: test accuracy of one delayed-recall run (k = 3, 450 steps)."""
    from textbook_rnn import train_numpy

    run = train_numpy.recall_experiment(method, delay, k=3, steps=450, seed=seed)
    return {"method": method, "delay": delay, "seed": seed,
            "accuracy": round(float(run["accuracy"]), 4)}


def adding_run(cell: str, seed: int, *, T: int = 100, forget_bias=None) -> dict:
    """Chapter 8: one adding-problem run; the step it was solved at, and its test MSE."""
    from textbook_rnn import tasks
    from textbook_rnn.torch_nn import models

    x_test, y_test = tasks.adding_problem(1000, T, seed=1000 + T)
    model = models.SequenceModel(cell, D=2, H=16, K=1, seed=seed, forget_bias=forget_bias)
    h = models.train(model, tasks.adding_batches(T, batch=32), seed=seed, device="cpu",
                     **ADDING)
    y_hat = models.predict(model, x_test, device="cpu")[:, -1]
    return {"cell": cell, "seed": seed, "T": T, "forget_bias": forget_bias,
            "solved_at": int(h["step"][-1]) if h["stopped_early"] else None,
            "test_mse": round(float(np.mean((y_hat - y_test) ** 2)), 4)}


def counting_run(cell: str, seed: int, *, k: int = 2) -> dict:
    """Chapter 8: the largest n up to which every counting string is recognised."""
    from textbook_rnn import tasks
    from textbook_rnn.torch_nn import models

    n_train, settings = (16, COUNT) if k == 2 else (10, COUNT3)
    ns = np.arange(1, 121 if k == 2 else 61)
    x, y, mask = tasks.counting_language(ns, k=k)
    model = models.SequenceModel(cell, D=k + 1, H=16, K=k + 1, seed=seed,
                                 forget_bias=1.0 if cell == "lstm" else None)
    models.train(model, tasks.counting_batches(n_train, batch=32, k=k), seed=seed,
                 device="cpu", **settings)
    ok = tasks.accepted(models.predict(model, x, device="cpu"), y, mask)
    return {"cell": cell, "seed": seed, "k": k, "n_train": n_train,
            "reach": int(tasks.generalisation_range(ns, ok))}


SWEEPS = {
    "recall": lambda: [recall_run(m, d, s) for s in (1, 2)
                       for d in RECALL_DELAYS for m in RECALL_METHODS],
    "adding": lambda: [adding_run(c, s, forget_bias=1.0 if c == "lstm" else None)
                       for s in range(4) for c in ("rnn", "lstm", "gru")],
    "forget_bias": lambda: [adding_run("lstm", s, forget_bias=b)
                            for b in (0.0, 3.0) for s in range(4)],
    "counting": lambda: [counting_run(c, s) for s in (1, 2) for c in ("lstm", "gru")],
    "counting3": lambda: [counting_run(c, 0, k=3) for c in ("lstm", "gru")],
}


def main(names: list[str]) -> int:
    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    data["command"] = "python tools/seed_sweeps.py"
    for name in names or list(SWEEPS):
        start = time.perf_counter()
        data[name] = SWEEPS[name]()
        print(f"{name}: {len(data[name])} runs in {time.perf_counter() - start:.0f} s",
              flush=True)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
