"""Offer every executed chapter as a notebook that runs on its own; aim Colab at a notebook.

The chapters are MyST markdown notebooks. myst-nb executes them at build time
and keeps the executed notebook in ``_build/jupyter_execute``. This extension
puts a copy into the site's ``_sources`` folder and tells sphinx-book-theme
about it, so the download menu of each chapter offers ``.ipynb`` (with all
outputs) next to the ``.md`` source. The copy is made portable on the way
(``textbook_rnn.notebook.portable``): its first cell installs ``textbook_rnn``
where it is missing, from ``repository.url`` when that is set, and it imports
``glue`` from the package instead of myst-nb, so it runs without the book's
build stack (in Colab, or in any Jupyter). Its markdown cells are rewritten by
``textbook_rnn.portable_markdown``: equation and figure numbers, section
titles, citations and the glued values (from myst-nb's ``<page>.glue.json``)
appear as the site shows them, not as MyST roles.

sphinx-book-theme copies the same notebook into ``_sources`` itself when launch
buttons are on, and points every launch button at ``chapters/NN_slug.md``.
Colab cannot open that; JupyterLab on Binder can (through jupytext), but it
would show the MyST roles as typed. So, after the theme, this extension writes
its own copy again and points the Colab and Binder buttons at
``notebooks/NN_slug.ipynb``, the launch copy that
``tools/make_launch_notebooks.py`` generates and the repository holds, whose
markdown reads as the site does.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

from sphinx.util import logging

from textbook_rnn.notebook import portable
from textbook_rnn.portable_markdown import book_references, glue_text

logger = logging.getLogger(__name__)

#: Where the launch copies of the chapters live, relative to the book's root.
LAUNCH_FOLDER = "notebooks"


def _is_markdown_notebook(app, pagename: str, context) -> bool:
    if not context.get("sourcename", "").endswith((".md", ".md.txt")):
        return False
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return executed.is_file()


def _offer_notebook(app, pagename, templatename, context, doctree):
    """Before the theme's buttons: tell the download menu about the notebook."""
    if _is_markdown_notebook(app, pagename, context):
        context["ipynb_source"] = f"{pagename}.ipynb"


@functools.cache
def _book_references(srcdir: str):
    """Numbers, titles and citations of the whole book, read once per build."""
    return book_references(Path(srcdir))


def _repository(app) -> tuple[str | None, str | None]:
    options = app.config.html_theme_options or {}
    return options.get("repository_url") or None, options.get("repository_branch") or None


def _write_portable_notebook(app, pagename, templatename, context, doctree):
    """After the theme (which may have copied the raw notebook): write the portable one."""
    if not _is_markdown_notebook(app, pagename, context):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    nb = json.loads(executed.read_text(encoding="utf-8"))
    url, branch = _repository(app)
    references = copy.copy(_book_references(app.srcdir))
    glue_file = executed.with_name(f"{executed.stem}.glue.json")
    if glue_file.is_file():  # myst-nb's record of the page's glued values
        references.glue = glue_text(json.loads(glue_file.read_text(encoding="utf-8")))
    portable(nb, url, branch, references=references)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _aim_colab_at_launch_copy(app, pagename, context)


def _aim_colab_at_launch_copy(app, pagename, context):
    source = f"{pagename}.md"
    copy = f"{LAUNCH_FOLDER}/{Path(pagename).name}.ipynb"
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") not in ("Colab", "Binder") or not button.get(
                    "url", "").endswith(source):
                continue
            if not (Path(app.srcdir) / copy).is_file():
                logger.warning(
                    f"{pagename}: no launch copy {copy} for the Colab button; "
                    "run `python tools/make_launch_notebooks.py`"
                )
                continue
            button["url"] = button["url"][: -len(source)] + copy


def setup(app):
    """Register the extension with Sphinx."""
    # sphinx-book-theme builds its header buttons at priority 501
    app.connect("html-page-context", _offer_notebook, priority=400)
    app.connect("html-page-context", _write_portable_notebook, priority=600)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
