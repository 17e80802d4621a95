"""Write the launch copies: each chapter as an .ipynb that Colab can open.

The chapters are MyST markdown notebooks (``chapters/NN_slug.md``). Binder
opens them as they are (JupyterLab reads them through jupytext), but Colab only
opens ``.ipynb`` files from a GitHub repository. This script converts every
chapter into ``notebooks/NN_slug.ipynb``, without outputs, made portable by
``textbook_rnn.notebook.portable``: the first cell installs ``textbook_rnn``
when it is missing (from ``repository.url`` in ``_config.yml`` once that is
set) and ``glue`` is imported from the package rather than from myst-nb; the markdown
cells are rewritten by ``textbook_rnn.portable_markdown``, so that Colab shows
"(5.3)", "Fig. 5.2" and "Pollack (1990)" where the source has MyST roles. The
Colab button of each chapter page points at its copy
(``book/_ext/download_ipynb.py``).

The copies are generated, never edited by hand; cell ids are numbered so that
regenerating an unchanged chapter changes nothing. Regenerate them whenever a
chapter or ``repository.url`` changes (``tests/test_launch_notebooks.py``
fails until you do).

Usage::

    python tools/make_launch_notebooks.py            # write notebooks/*.ipynb
    python tools/make_launch_notebooks.py --check    # exit 1 if any copy is stale
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

from textbook_rnn.notebook import INSTALL_TAG, portable
from textbook_rnn.portable_markdown import book_references

ROOT = Path(__file__).resolve().parents[1]


def repository(config: Path | None = None) -> tuple[str | None, str | None]:
    """``repository.url`` and ``repository.branch`` from the book's config (None if unset)."""
    config = config or ROOT / "_config.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    repo = data.get("repository") or {}
    return repo.get("url") or None, repo.get("branch") or None


@functools.cache
def references():
    """The book's numbers, titles and citations, read once per run."""
    return book_references(ROOT)


def launch_copy(chapter: Path, url: str | None = None, branch: str | None = None) -> str:
    """The text of the launch copy of one MyST chapter (an .ipynb, as JSON)."""
    nb = jupytext.read(chapter)
    nb.metadata.pop("jupytext", None)
    nb.metadata.setdefault("language_info", {"name": "python"})
    portable(nb, url, branch, references=references())
    for index, cell in enumerate(nb.cells):
        if INSTALL_TAG not in cell.metadata.get("tags", []):
            cell.id = f"cell-{index}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def pairs() -> list[tuple[Path, Path]]:
    """(chapter, launch copy) for every ``chapters/NN_slug.md``."""
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    return [(p, ROOT / "notebooks" / f"{p.stem}.ipynb") for p in chapters]


def stale() -> list[str]:
    """Why each launch copy is out of date (empty when all are current)."""
    url, branch = repository()
    problems = []
    expected = {copy for _, copy in pairs()}
    for chapter, copy in pairs():
        if not copy.is_file():
            problems.append(f"{copy.relative_to(ROOT)} is missing")
        elif copy.read_text(encoding="utf-8") != launch_copy(chapter, url, branch):
            problems.append(f"{copy.relative_to(ROOT)} differs from what "
                            f"{chapter.relative_to(ROOT)} generates")
    for extra in sorted(set((ROOT / "notebooks").glob("*.ipynb")) - expected):
        problems.append(f"{extra.relative_to(ROOT)} has no chapter")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale copies")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for message in problems:
            print(message)
        if problems:
            print("run `python tools/make_launch_notebooks.py` to regenerate them")
        return 1 if problems else 0
    url, branch = repository()
    (ROOT / "notebooks").mkdir(exist_ok=True)
    for extra in set((ROOT / "notebooks").glob("*.ipynb")) - {copy for _, copy in pairs()}:
        extra.unlink()
    for chapter, copy in pairs():
        copy.write_text(launch_copy(chapter, url, branch), encoding="utf-8")
        print(f"wrote {copy.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
