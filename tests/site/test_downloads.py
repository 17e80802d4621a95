"""Every chapter page offers its executed notebook for download.

book/_ext/download_ipynb.py copies myst-nb's executed notebook of each MyST
chapter into _sources/ and sphinx-book-theme links it from the page's
download menu. The downloaded notebook must carry the outputs a reader saw.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.site


def test_every_chapter_offers_its_executed_notebook(site_dir, pages):
    chapters = [p for p in pages if p.startswith("chapters/")]
    assert chapters, "the toc lists no chapter"
    for page in chapters:
        html = (site_dir / f"{page}.html").read_text(encoding="utf-8")
        assert f"_sources/{page}.ipynb" in html, f"{page}: the download menu lacks the .ipynb"
        nb = json.loads((site_dir / "_sources" / f"{page}.ipynb").read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert code, f"{page}: the notebook has no code cells"
        with_output = sum(bool(c.get("outputs")) for c in code)
        assert with_output >= len(code) // 2, (
            f"{page}: only {with_output} of {len(code)} code cells carry outputs; "
            "the download is not the executed notebook"
        )
