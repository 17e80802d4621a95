"""Recompute the cached trainings of the chapter "Bidirectional ... attention".

Writes ``src/textbook_rnn/data/seq2seq.json``, which ``chapters/04_attention.md``
reads. Three experiments, each run a seeded function of
:mod:`textbook_rnn.torch_nn.seq2seq` on the CPU with one thread:

- evidence: seeds 0-2 × k in EVIDENCE_KS × {one direction, two directions}
  (:func:`run_evidence`);
- reversal: seeds 0-2 × {source as given, source reversed}, an LSTM
  encoder-decoder with a fixed context (:func:`run_reversal`);
- attention: seeds 0-1 × {fixed context, attention}, the copy task with a
  bidirectional GRU encoder (:func:`run_copy`); seed 0's attention model also
  records its attention weights on a few inputs at several checkpoints.

Usage::

    python tools/seq2seq_sweep.py --jobs 16          # the full run (about 2-4 min on 16 cores)
    python tools/seq2seq_sweep.py --quick --jobs 2   # a small run, to test the pipeline

Independent runs go to separate processes (``--jobs``), each with one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "textbook_rnn" / "data" / "seq2seq.json"
EVIDENCE_KS = (0, 1, 2, 4, 8, 12)
#: Lengths of the inputs whose attention weights the widget shows.
HEATMAP_LENGTHS = (7, 12, 16, 20)
#: Fractions of training at which the weights are recorded.
HEATMAP_FRACTIONS = (0.05, 0.1, 0.2, 0.4, 1.0)


def heatmap_inputs() -> np.ndarray:
    """The sources whose attention weights are recorded (one per length, fixed seed)."""
    from textbook_rnn.torch_nn.seq2seq import copy_test_set
    rows = [copy_test_set(L, 1, seed=7)[0][0] for L in HEATMAP_LENGTHS]
    return np.stack(rows)


def checkpoints(steps: int, log_every: int) -> list[int]:
    """Steps at which to record weights: multiples of ``log_every`` near each fraction."""
    out = []
    for f in HEATMAP_FRACTIONS:
        s = max(log_every, int(round(f * steps / log_every)) * log_every)
        if s not in out:
            out.append(min(s, steps))
    return out


def jobs(quick: bool) -> list[tuple]:
    """Every run of the sweep as (experiment, seed, variant, extra)."""
    seeds3 = (0,) if quick else (0, 1, 2)
    seeds2 = (0,) if quick else (0, 1)
    ks = (0, 2) if quick else EVIDENCE_KS
    out = [("attention", s, a, None) for s in seeds2 for a in (False, True)]
    out += [("reversal", s, r, None) for s in seeds3 for r in (False, True)]
    out += [("evidence", s, b, k) for s in seeds3 for k in ks for b in (False, True)]
    return out


def steps_for(experiment: str, quick: bool) -> int:
    """Updates per run: the module's settings, or a few for ``--quick``."""
    from textbook_rnn.torch_nn import seq2seq as s2s
    full = {"attention": s2s.COPY, "reversal": s2s.REVERSAL, "evidence": s2s.EVIDENCE}
    return {"attention": 100, "reversal": 50, "evidence": 50}[experiment] if quick \
        else full[experiment]["steps"]


def run(job: tuple, quick: bool) -> tuple[tuple, dict, float]:
    """One run in a worker process; returns the job, its result and its seconds."""
    import torch

    from textbook_rnn.torch_nn import seq2seq as s2s
    torch.set_num_threads(1)
    experiment, seed, variant, extra = job
    steps = steps_for(experiment, quick)
    t0 = time.perf_counter()
    if experiment == "evidence":
        result = s2s.run_evidence(seed, extra, variant, steps=steps)
    elif experiment == "reversal":
        result = s2s.run_reversal(seed, variant, steps=steps)
    else:
        record = variant and seed == 0
        result = s2s.run_copy(
            seed, variant, steps=steps,
            checkpoints=checkpoints(steps, s2s.COPY["log_every"]) if record else (),
            inputs=heatmap_inputs() if record else None)
    return job, result, time.perf_counter() - t0


def _round(values, digits=4):
    return [round(float(v), digits) for v in values]


def assemble(results, quick: bool, command: str) -> dict:
    """The JSON document from the runs' results."""
    from textbook_rnn.torch_nn import seq2seq as s2s
    data = {
        "command": command,
        "quick": quick,
        "evidence": {"config": dict(s2s.EVIDENCE, steps=steps_for("evidence", quick)),
                     "runs": []},
        "reversal": {"config": dict(s2s.REVERSAL, steps=steps_for("reversal", quick)),
                     "runs": []},
        "attention": {"config": dict(s2s.COPY, steps=steps_for("attention", quick)),
                      "runs": []},
    }
    for (experiment, seed, variant, extra), result, seconds in results:
        entry = {"seed": seed, "seconds": round(seconds, 1),
                 "steps": result["steps"], "loss": _round(result["loss"])}
        if experiment == "evidence":
            entry.update(k=extra, bidirectional=variant, accuracy=round(result["accuracy"], 4))
        elif experiment == "reversal":
            entry.update(reverse=variant, token_accuracy=round(result["token_accuracy"], 4))
        else:
            entry.update(attention=variant, lengths=result["lengths"],
                         accuracy=_round(result["accuracy"]))
            if "weights" in result:
                data["attention"]["heatmaps"] = {
                    "inputs": [row[row > 0].tolist() for row in heatmap_inputs()],
                    "checkpoints": checkpoints(steps_for("attention", quick),
                                               s2s.COPY["log_every"]),
                    "weights": result["weights"],
                    "outputs": result["outputs"],
                }
        data[experiment]["runs"].append(entry)
    for part in ("evidence", "reversal", "attention"):
        data[part]["runs"].sort(key=lambda r: json.dumps(
            [r.get("k"), r["seed"], r.get("bidirectional"), r.get("reverse"),
             r.get("attention")]))
    return data


def main(argv=None) -> int:
    """Run the sweep and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes running side by side")
    parser.add_argument("--quick", action="store_true", help="few seeds and updates")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    todo = jobs(args.quick)
    # longest first, so that the pool ends together
    todo.sort(key=lambda j: {"attention": 0, "reversal": 1, "evidence": 2}[j[0]])
    t0 = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for job, result, seconds in pool.map(run, todo, [args.quick] * len(todo)):
            results.append((job, result, seconds))
            print(f"{job[0]:9s} seed {job[1]} {job[2]!s:5s} {job[3]!s:4s} "
                  f"{seconds:6.1f} s", flush=True)
    command = "python tools/seq2seq_sweep.py" + (" --quick" if args.quick else "") + \
        f" --jobs {args.jobs}"
    data = assemble(results, args.quick, command)
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
