"""Recompute chapter 5's reproduction: a tree network against an LSTM on expressions.

Expressions over + - * modulo 7 (textbook_rnn.tasks.expressions) are given to
a recursive network as trees and to an LSTM as bracketed strings. Both train
on depths 1-3 and are tested on depths 1-6; the tree network makes --steps
Adam updates and the LSTM then trains for the same wall time in the same
process (textbook_rnn.torch_nn.recursive.expressions_run). The accuracies per
depth, update counts and the majority-class rates are written to
src/textbook_rnn/data/expressions.json, which the chapter loads;
tests/test_torch_recursive.py reruns a short piece and compares.

Usage (one thread per run; seeds go to separate processes):

    python tools/expressions_sweep.py --seeds 0 1 2 --jobs 3
    python tools/expressions_sweep.py --quick      # a tiny run, to test the pipeline

With ``--lstm-steps N`` the LSTM trains for exactly N updates rather than for
the tree network's time, and the result goes to expressions_lstm_long.json
(what a larger budget buys the LSTM):

    python tools/expressions_sweep.py --seeds 0 1 2 --jobs 3 --lstm-steps 8000
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "textbook_rnn" / "data"

SETUP = dict(H=64, batch=64, lr=3e-3, n_train=4000, n_test=500, deep=True,
             train_depths=[1, 2, 3], test_depths=[1, 2, 3, 4, 5, 6])


def one_run(seed: int, steps: int, setup: dict) -> dict:
    """Train both models for one seed, on one thread."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    from textbook_rnn.torch_nn.recursive import expressions_run

    torch.set_num_threads(1)
    run = expressions_run(seed, steps=steps, **setup)
    run["torch"] = torch.__version__
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--lstm-steps", type=int, default=None,
                        help="train the LSTM for this many updates, not for the same time")
    parser.add_argument("--quick", action="store_true",
                        help="200 updates, 300 training and 100 test expressions per depth")
    args = parser.parse_args()
    setup = dict(SETUP)
    steps = args.steps
    if args.quick:
        steps, setup["n_train"], setup["n_test"] = 200, 300, 100
    if args.lstm_steps is not None:
        setup["lstm_steps"] = args.lstm_steps
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(one_run, args.seeds, [steps] * len(args.seeds),
                             [setup] * len(args.seeds)))
    for r in runs:
        for model in ("tree", "lstm"):
            acc = " ".join(f"{v:.2f}" for v in r[model]["accuracy"].values())
            print(f"seed {r['seed']} {model:4s}: {acc}  ({r[model]['updates']} updates, "
                  f"{r[model]['seconds']:.1f} s)")
    command = ("python tools/expressions_sweep.py " + ("--quick " if args.quick else "")
               + f"--steps {args.steps} --seeds " + " ".join(map(str, args.seeds))
               + (f" --lstm-steps {args.lstm_steps}" if args.lstm_steps is not None else ""))
    out = DATA / ("expressions.json" if args.lstm_steps is None else
                  "expressions_lstm_long.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": command, "quick": args.quick, "steps": steps,
                               "setup": setup, "runs": runs}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
