"""Recompute chapter 3's reproduction: teacher forcing against scheduled sampling, several seeds.

A GRU with 32 units (textbook_rnn.torch_nn.feedback.FeedbackGRU) learns to
predict the next value of a signal (textbook_rnn.tasks.waves), once with
teacher forcing and once with scheduled sampling (inverse-sigmoid decay of
the probability of feeding the truth, Bengio et al. 2015). Each trained model
reads a 20-step prefix of 256 held-out signals and continues them on its own;
the one-step (forced) and free-running mean squared errors are stored, with
the signals' variance for scale, in src/textbook_rnn/data/teacher_forcing.json.
The chapter loads that file; tests/test_teacher_forcing_data.py retrains one
entry with fewer updates and checks the code path and file agree.

Usage (one thread per run; runs go to separate processes):

    python tools/teacher_forcing_sweep.py [--steps 1500] [--seeds 0 1 2] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "textbook_rnn" / "data" / "teacher_forcing.json"

SETUP = dict(H=32, T=80, prefix=20, batch=32, lr=3e-3, test_signals=256, test_seed=12345)
SCHEDULES = {"teacher forcing": ("constant", 1.0), "scheduled sampling": ("inverse_sigmoid", None)}


def one_run(kind: str, label: str, seed: int, steps: int) -> dict:
    """Train one model and measure it; the schedule's k is steps / 12 (ε = 1/2 near 40 %)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    from textbook_rnn.tasks.waves import signal_variance, waves
    from textbook_rnn.torch_nn.feedback import FeedbackGRU, continuation_errors, train_feedback

    torch.set_num_threads(1)
    schedule, k = SCHEDULES[label]
    k = steps / 12 if k is None else k
    test = waves(SETUP["test_signals"], SETUP["T"], kind=kind, seed=SETUP["test_seed"])
    model = FeedbackGRU(SETUP["H"], seed=seed)
    start = time.perf_counter()
    losses = train_feedback(model, lambda rng: waves(SETUP["batch"], SETUP["T"], kind=kind,
                                                     seed=rng),
                            steps=steps, schedule=schedule, k=k, lr=SETUP["lr"], seed=seed)
    one_step, free, _ = continuation_errors(model, test, SETUP["prefix"])
    return {"signal": kind, "method": label, "seed": seed, "steps": steps, "k": k,
            "one_step_mse": one_step, "free_mse": free,
            "variance": signal_variance(test[:, SETUP["prefix"]:]),
            "final_train_loss": float(losses[-50:].mean()),
            "seconds": round(time.perf_counter() - start, 1), "torch": torch.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [(kind, label, seed, args.steps) for kind in ("sine", "two_sines")
            for label in SCHEDULES for seed in args.seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(one_run, *zip(*jobs, strict=True)))
    for r in runs:
        print(f"{r['signal']:10s} {r['method']:19s} seed {r['seed']}: one-step "
              f"{r['one_step_mse']:.4f}  free {r['free_mse']:.4f}  ({r['seconds']} s)")
    command = "python tools/teacher_forcing_sweep.py " + " ".join(
        [f"--steps {args.steps}", "--seeds " + " ".join(map(str, args.seeds))])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"command": command, "setup": SETUP, "runs": runs}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
