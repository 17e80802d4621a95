"""Recompute chapter 3's longer character-level run, too long to execute with the chapter.

The chapter trains the numpy character-level RNN
(textbook_rnn.charlm.train_char_rnn) for a few seconds; this script trains
the same model, wider and for more passes, on the same split of CPython's
documentation (pydoc_data.topics, the last 10 % held out) and stores its
learning curve in bits per character, with the unigram and Kneser-Ney
baselines of the same split, in src/textbook_rnn/data/char_lm_long.json.

Usage (one BLAS thread; a few minutes on one core):

    python tools/char_lm_long.py [--H 256] [--epochs 10] [--lr 2e-3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "textbook_rnn" / "data" / "char_lm_long.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--H", type=int, default=256)
    parser.add_argument("--epochs", type=float, default=10.0)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--T", type=int, default=25)
    parser.add_argument("--N", type=int, default=32)
    parser.add_argument("--evals", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np
    from threadpoolctl import threadpool_limits

    from textbook_rnn import charlm, ngram
    from textbook_rnn.tasks.text import Vocabulary, load_text, split_ids

    threadpool_limits(1)
    text = load_text("pydoc")
    vocab = Vocabulary(text)
    train_ids, test_ids = split_ids(vocab.encode(text), 0.1)
    start = time.perf_counter()
    params, curve = charlm.train_char_rnn(train_ids, vocab.K, H=args.H, T=args.T, N=args.N,
                                          epochs=args.epochs, lr=args.lr, seed=args.seed,
                                          test_ids=test_ids, evals=args.evals)
    seconds = time.perf_counter() - start
    samples = {f"{t:g}": charlm.sample_text(params, vocab, "The ", 300, temperature=t, seed=0)
               for t in (0.5, 1.0)}
    result = {
        "command": "python tools/char_lm_long.py " + " ".join(sys.argv[1:]),
        "setup": {k: v for k, v in vars(args).items()},
        "corpus": "pydoc", "held_out": 0.1, "K": vocab.K,
        "chars": [int(c) for c in curve.chars],
        "train_bits": [float(b) for b in curve.train_bits],
        "held_out_bits": [float(b) for b in curve.held_out_bits],
        "unigram_bits": ngram.unigram_bits(train_ids, test_ids, vocab.K),
        "kneser_ney_bits": {str(n): ngram.KneserNey(train_ids, vocab.K, order=n).bits(test_ids)
                            for n in (3, 5, 8)},
        "samples": samples,
        "seconds": round(seconds, 1), "numpy": np.__version__, "python": platform.python_version(),
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: held-out {result['held_out_bits'][-1]:.3f} bits/char in {seconds:.0f} s")


if __name__ == "__main__":
    main()
