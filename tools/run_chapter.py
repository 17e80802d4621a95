"""Execute one chapter (or notebook) in a fresh kernel and report where the time goes.

For authors: check that a chapter runs, and how long each cell takes, without
building the whole book. The chapter is executed from its own folder, as the
build does; nothing is written back unless ``--save`` is given.

Usage: python tools/run_chapter.py chapters/01_recurrence.md [--slowest 5] [--save OUT.ipynb]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a MyST chapter (.md) or a notebook (.ipynb)")
    parser.add_argument("--slowest", type=int, default=5, help="how many slow cells to list")
    parser.add_argument("--save", type=Path, help="write the executed notebook here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args()

    nb = jupytext.read(args.path)
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(args.path.parent.resolve())}})
    times: list[tuple[float, int, str]] = []
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:
                print(f"cell {index} failed:\n{err}", file=sys.stderr)
                return 1
            first = cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""
            times.append((time.perf_counter() - t0, index, first))
    total = time.perf_counter() - start
    print(f"{args.path}: {total:.1f} s in {len(times)} code cells (kernel start-up included)")
    for seconds, index, first in sorted(times, reverse=True)[: args.slowest]:
        print(f"  {seconds:6.1f} s  cell {index:3d}  {first}")
    if args.save:
        nbformat.write(nb, args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
