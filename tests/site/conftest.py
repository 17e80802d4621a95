"""Shared fixtures for the tests of the built website.

The tests read a site that `make book` has already built. By default that is
``_build/html`` next to ``_toc.yml`` in this repository; two environment
variables point them elsewhere (handy for a throwaway book while developing):

``TEXTBOOK_SITE_DIR``
    the built HTML folder (default ``<repo>/_build/html``);
``TEXTBOOK_TOC``
    the table of contents that lists the pages (default ``<repo>/_toc.yml``).

Screenshots go to ``_build/screenshots`` beside the site folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SITE_DIR = Path(os.environ.get("TEXTBOOK_SITE_DIR", REPO / "_build" / "html")).resolve()
TOC_FILE = Path(os.environ.get("TEXTBOOK_TOC", REPO / "_toc.yml")).resolve()
LOCKFILE = REPO / "package-lock.json"


def toc_pages(toc_file: Path = TOC_FILE) -> list[str]:
    """Return the documents listed in a Jupyter Book ``_toc.yml``, root first.

    Each is a path without suffix relative to the book root, e.g.
    ``"chapters/01_recurrence"``; its page is that path plus ``.html``.
    """
    data = yaml.safe_load(toc_file.read_text(encoding="utf-8")) or {}
    pages: list[str] = []

    def add(name: str) -> None:
        stem = str(Path(name).with_suffix("")) if Path(name).suffix in {
            ".md", ".ipynb", ".rst"} else name
        if stem not in pages:
            pages.append(stem)

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                add(node["file"])
            for key in ("parts", "chapters", "sections", "subtrees", "entries"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    if data.get("root"):
        add(data["root"])
    walk(data)
    return pages


PAGES = toc_pages() if TOC_FILE.is_file() else []


def pytest_generate_tests(metafunc):
    """Run a test that takes ``toc_page`` once for each page in the table of contents."""
    if "toc_page" in metafunc.fixturenames:
        metafunc.parametrize("toc_page", PAGES or [None], ids=str)


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site; fails (not skips) when it is missing: build it first."""
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"no built site at {SITE_DIR}: run `make book` first "
                    "(or point TEXTBOOK_SITE_DIR at a built _build/html)")
    return SITE_DIR


@pytest.fixture(scope="session")
def pages() -> list[str]:
    """Every page listed in the table of contents."""
    if not PAGES:
        pytest.fail(f"{TOC_FILE} lists no pages (or is missing)")
    return PAGES


@pytest.fixture(scope="session")
def locked_versions() -> dict[str, str]:
    """Versions of the vendored npm packages pinned in package-lock.json."""
    lock = json.loads(LOCKFILE.read_text(encoding="utf-8"))
    return {key.removeprefix("node_modules/"): entry["version"]
            for key, entry in lock.get("packages", {}).items()
            if key.startswith("node_modules/") and "version" in entry}


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = SITE_DIR.parent / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
