"""Two builds give the same text in every cell.

`make test` builds the book first; myst-nb leaves each executed chapter in
_build/jupyter_execute. Here every chapter is executed once more, in a fresh
kernel, and each cell's text outputs are compared with the build's. Pictures
are not compared (their bytes may depend on font rendering), nor the random
ids that ipywidgets give their models; everything a reader reads is.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "jupyter_execute"


def toc_chapters() -> list[Path]:
    """The chapter sources listed in _toc.yml (drafts not in the toc are not built)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [ROOT / f"{f}.md" for f in files if f.startswith("chapters/")]


CHAPTERS = toc_chapters()
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Pictures inside HTML (a frame slider's <noscript> frame) are pictures too.
DATA_URI = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")

pytestmark = [pytest.mark.site, pytest.mark.slow]


def text_outputs(nb) -> list[list[str]]:
    """Per code cell, the text a reader sees, in order."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                # how a stream is cut into messages depends on timing: join them
                if texts and texts[-1].startswith(f"{out.name}: "):
                    texts[-1] += out.text
                else:
                    texts.append(f"{out.name}: {out.text}")
            elif out.output_type == "error":
                texts.append(f"error: {out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                if WIDGET_VIEW in data:
                    texts.append("<widget>")
                    continue
                texts.extend(f"{k}: {DATA_URI.sub('data:image', str(data[k]))}"
                             for k in TEXT_TYPES if k in data)
        cells.append(texts)
    return cells


def test_chapters_exist():
    assert CHAPTERS, "chapters/ holds no NN_*.md chapter"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_outputs_are_reproducible(chapter):
    from nbclient import NotebookClient

    built = EXECUTED / "chapters" / f"{chapter.stem}.ipynb"
    if not built.exists():
        pytest.fail(f"{built.relative_to(ROOT)} is missing: run `make book` first")
    first = jupytext.read(built)
    nb = jupytext.read(chapter)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(chapter.parent)}},
    ).execute()
    a, b = text_outputs(first), text_outputs(nb)
    assert len(a) == len(b)
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == y, f"{chapter.name}: code cell {index} printed different text in two runs"
