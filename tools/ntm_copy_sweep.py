"""Reproduce the copy task of Graves et al. (2014): NTM against an LSTM of equal size.

Trains, for each seed, an NTM (an LSTM controller of 100 units, a 64 x 20
memory, one read and one write head, 62.7k parameters) and an LSTM of 119
units (62.8k parameters) on copy sequences of lengths 1-10 of 8-bit vectors,
then counts the bits wrong per sequence at test lengths 10, 20, 30 and 40.
Writes ``src/textbook_rnn/data/ntm_copy.json``, which the chapter "Explicit
memory" loads: the training curves, the bits wrong by test length for every
run, and the read and write weights over time of the best NTM on one
sequence of length 20.

Every run is independent and uses one torch thread, so ``--jobs N`` runs N of
them in separate processes. The full run (3 seeds, 5,000 updates) takes about
4 minutes per NTM seed on one core::

    python tools/ntm_copy_sweep.py --jobs 6          # the book's data
    python tools/ntm_copy_sweep.py --quick           # a smoke test, seconds
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OUT = ROOT / "src" / "textbook_rnn" / "data" / "ntm_copy.json"
TEST_LENGTHS = (10, 20, 30, 40)


def run_one(kind: str, seed: int, cfg: dict) -> dict:
    """Train one model; return its curve, its errors by test length and (NTM) its weights."""
    import torch

    torch.set_num_threads(1)
    from textbook_rnn.torch_nn import ntm

    model = ntm.NTM(seed=seed) if kind == "ntm" else ntm.copy_lstm(seed=seed)
    start = time.perf_counter()
    hist = ntm.train_copy(model, steps=cfg["steps"], batch=cfg["batch"],
                          lengths=tuple(cfg["lengths"]), lr=cfg["lr"], clip=cfg["clip"],
                          seed=1000 + seed, every=cfg["every"])
    seconds = time.perf_counter() - start
    errors = ntm.evaluate_copy(model, TEST_LENGTHS, n=cfg["test_n"])
    run = {"model": kind, "seed": seed, "params": ntm.n_params(model), "seconds": seconds,
           "curve": hist, "bits_wrong": {str(L): errors[L] for L in TEST_LENGTHS}}
    if kind == "ntm":
        w = ntm.head_weights(model, cfg["heat_length"])
        run["heads"] = {k: v.round(4).tolist() for k, v in w.items()}
    print(f"{kind} seed {seed}: {seconds:.0f} s, bits wrong "
          + ", ".join(f"L={L}: {errors[L]:.2f}" for L in TEST_LENGTHS), flush=True)
    return run


def main(argv=None) -> int:
    """Parse the arguments, run the sweep, write the JSON."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--jobs", type=int, default=1, help="processes (one torch thread each)")
    p.add_argument("--quick", action="store_true", help="60 updates per run: a smoke test")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    cfg = {"steps": 60 if args.quick else args.steps, "batch": args.batch, "lengths": [1, 10],
           "bits": 8, "lr": args.lr, "clip": 10.0, "every": 10 if args.quick else 50,
           "test_n": 16 if args.quick else 64, "heat_length": 20, "quick": args.quick,
           "test_lengths": list(TEST_LENGTHS)}
    tasks = [(kind, s) for s in args.seeds for kind in ("ntm", "lstm")]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            runs = list(pool.map(run_one, *zip(*tasks, strict=True), [cfg] * len(tasks)))
    else:
        runs = [run_one(kind, s, cfg) for kind, s in tasks]
    for run in runs:
        run.pop("seconds")  # keep the JSON the same on every machine but for the numbers
    command = "python tools/ntm_copy_sweep.py " + " ".join(argv if argv is not None
                                                            else sys.argv[1:])
    data = {"config": cfg, "command": command.strip(), "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
