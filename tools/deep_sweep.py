"""Recompute the deep-RNN comparison of chapter 5: one wide layer against stacks, several seeds.

Three GRU networks with (nearly) the same number of parameters learn the
binary pulse counter (textbook_rnn.tasks.binary_counter, 4 bits, sequences of
64 steps): one wide layer, a stack of two and a stack of three layers of 16
units (textbook_rnn.torch_nn.deep.StackedRNN, widths from matching_width).
For each run the file stores the test accuracy (every bit right) at the
training length and on sequences four times longer, the learning curve, and
the autocorrelation of each layer's state with its time scale. A small
``check`` entry (a few updates) is recomputed by tests/test_torch_deep.py.

Usage (one thread per run, runs in separate processes):

    python tools/deep_sweep.py --seeds 0 1 2 3 4 --jobs 15     # the book's file
    python tools/deep_sweep.py --quick --seeds 0 1 --jobs 2     # a smoke test

The full sweep is 15 runs of 1,500 updates; each takes one to two minutes
on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "textbook_rnn" / "data" / "deep_rnn.json"

SETUP = dict(cell="gru", bits=4, T=64, batch=32, lr=0.01, long_T=256, test_size=128,
             stack_H=16, stack_layers=3, log_every=50, max_lag=60, acf_T=256, acf_N=32,
             acf_seed=777)
LAYERS = (1, 2, 3)
CHECK = dict(layers=2, seed=0, steps=20, log_every=10)


def widths() -> dict[int, int]:
    """The width of each depth, matched to the parameter count of the 3 x 16 stack."""
    from textbook_rnn.torch_nn.deep import matching_width

    return {L: matching_width(SETUP["cell"], 1, SETUP["stack_H"], SETUP["bits"],
                              SETUP["stack_layers"], to_layers=L) for L in LAYERS}


def one_run(layers: int, seed: int, steps: int, log_every: int | None = None) -> dict:
    """Train one network, score it, and measure each layer's time scale."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np
    import torch

    from textbook_rnn.tasks.binary_counter import counter_task
    from textbook_rnn.torch_nn.deep import layer_time_scales, train_counter

    torch.set_num_threads(1)
    start = time.perf_counter()
    S = SETUP
    H = widths()[layers]
    r = train_counter(S["cell"], layers, H, bits=S["bits"], T=S["T"], batch=S["batch"],
                      steps=steps, lr=S["lr"], seed=seed, test_size=S["test_size"],
                      long_T=S["long_T"], log_every=log_every or S["log_every"])
    hist = r["history"]
    curve = [float(v) for v in hist["eval"]]
    solved = next((s for s, v in zip(hist["step"], curve, strict=True) if v >= 0.99), None)
    x, _ = counter_task(S["acf_N"], S["acf_T"], S["bits"], seed=S["acf_seed"])
    ts = layer_time_scales(r["model"], x, S["max_lag"])
    return {
        "layers": layers, "H": H, "seed": seed, "steps": steps, "parameters": r["parameters"],
        "accuracy": round(r["accuracy"], 6), "long_accuracy": round(r["long_accuracy"], 6),
        "bit_accuracy": [round(float(v), 6) for v in r["bit_accuracy"]],
        "curve_step": [int(s) for s in hist["step"]], "curve": [round(v, 6) for v in curve],
        "final_loss": round(float(hist["loss"][-1]), 6), "solved_at": solved,
        "acf": [[round(float(v), 4) for v in row] for row in ts["acf"]],
        "time_scale": [None if not np.isfinite(v) else round(float(v), 3)
                       for v in np.atleast_1d(ts["time_scale"])],
        "seconds": round(time.perf_counter() - start, 1), "torch": torch.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="300 updates per run: a smoke test, not the book's numbers")
    args = parser.parse_args()
    steps = 300 if args.quick else args.steps
    jobs = [(L, seed, steps) for L in LAYERS for seed in args.seeds]
    jobs.append((CHECK["layers"], CHECK["seed"], CHECK["steps"], CHECK["log_every"]))
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(one_run, *zip(*[j + (None,) * (4 - len(j)) for j in jobs],
                                           strict=True)))
    check = runs.pop()
    for r in runs:
        print(f"layers {r['layers']} (H={r['H']}, {r['parameters']} parameters) seed {r['seed']}: "
              f"accuracy {r['accuracy']:.3f}, x4 length {r['long_accuracy']:.3f}, "
              f"time scales {r['time_scale']} ({r['seconds']} s)")
    command = "python tools/deep_sweep.py " + " ".join(
        (["--quick"] if args.quick else [f"--steps {args.steps}"])
        + ["--seeds " + " ".join(map(str, args.seeds))])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"command": command, "quick": args.quick, "setup": SETUP,
                               "check": check, "runs": runs}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
