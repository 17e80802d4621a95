"""Offer every executed chapter as a notebook download.

The chapters are MyST markdown notebooks. myst-nb executes them at build time
and keeps the executed notebook in ``_build/jupyter_execute``. This extension
copies it into the site's ``_sources`` folder and tells sphinx-book-theme
about it, so the download menu of each chapter offers ``.ipynb`` (with all
outputs) next to the ``.md`` source. sphinx-book-theme does the same only when
launch buttons are configured, which needs the public repository URL.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def _offer_notebook(app, pagename, templatename, context, doctree):
    if not context.get("sourcename", "").endswith((".md", ".md.txt")):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    """Register the extension with Sphinx."""
    # before sphinx-book-theme builds its header buttons (priority 500)
    app.connect("html-page-context", _offer_notebook, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
