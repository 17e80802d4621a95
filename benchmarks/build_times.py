"""Print how long the book takes to build and each chapter to execute.

A figure, not a test: the numbers depend on the machine. Two measurements:

1. a clean build of the whole site (`jupyter-book build`, fresh output folder,
   so every chapter and exercise notebook is executed), in seconds;
2. each chapter executed alone in a fresh kernel (nbclient), in seconds,
   next to the time of an empty notebook measured in the same run, so that
   the kernel's start-up cost can be read off.

Usage: python benchmarks/build_times.py [--no-build] [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute_seconds(nb, cwd: Path) -> float:
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="skip the clean build")
    parser.add_argument("--repeat", type=int, default=1, help="runs per chapter (best is kept)")
    args = parser.parse_args()

    if not args.no_build:
        out = Path(tempfile.mkdtemp(prefix="book-bench-"))
        jb = Path(sys.executable).with_name("jupyter-book")
        start = time.perf_counter()
        subprocess.run(
            [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        build = time.perf_counter() - start
        shutil.rmtree(out, ignore_errors=True)
        print(f"clean build of the site: {build:7.1f} s")

    empty = min(
        execute_seconds(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), ROOT)
        for _ in range(args.repeat)
    )
    print(f"empty notebook (kernel start-up): {empty:7.2f} s")
    print(f"{'notebook':40s} {'seconds':>8s} {'minus start-up':>15s}")
    notebooks = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    notebooks += sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    for path in notebooks:
        seconds = min(execute_seconds(jupytext.read(path), path.parent) for _ in range(args.repeat))
        name = str(path.relative_to(ROOT))
        print(f"{name:40s} {seconds:8.2f} {seconds - empty:15.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
