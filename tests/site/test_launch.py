"""With repository.url set, every launch button opens a notebook the repository holds.

The book ships without a repository URL (a placeholder would give dead
buttons). This test builds the site once, into a temporary folder, from a copy
of _config.yml that sets a dummy URL and turns Binder and Colab on, with
execution off (the links do not depend on outputs), and then follows every
launch link back into this checkout:

- Binder opens ``lab/tree/<path>``: the path must exist; for a chapter it is
  the launch copy in notebooks/ (its markdown reads as the site does), and a
  MyST file opened there must be a jupytext notebook (see tests/test_binder.py);
- Colab opens ``github/<org>/<repo>/blob/<branch>/<path>``: the path must be
  an ``.ipynb`` that exists (for chapters, the launch copy in notebooks/).

It also checks that each chapter's download is portable: its first cell
installs the package from the dummy URL, and nothing imports myst-nb.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
URL = "https://github.com/example/textbook-rnn"
BRANCH = "main"
BINDER = "https://mybinder.org"
COLAB = "https://colab.research.google.com"
HREF = re.compile(r'href="([^"]+)"')


def _launch_config(target: Path) -> Path:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": URL, "branch": BRANCH}
    config["launch_buttons"] = {**(config.get("launch_buttons") or {}),
                                "binderhub_url": BINDER, "colab_url": COLAB}
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    sphinx = config.setdefault("sphinx", {})
    # local extensions are found relative to the config file: make them absolute
    sphinx["local_extensions"] = {name: str((REPO / path).resolve())
                                  for name, path in (sphinx.get("local_extensions") or {}).items()}
    path = target / "_config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def launch_site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("launch-site")
    config = _launch_config(target)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(REPO), "--config", str(config),
         "--path-output", str(target)],
        capture_output=True, text=True, timeout=900,
    )
    site = target / "_build" / "html"
    assert result.returncode == 0 and (site / "index.html").is_file(), (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    return site


def _launch_links(page_html: str) -> dict[str, str]:
    links = {}
    for href in (html.unescape(h) for h in HREF.findall(page_html)):
        if href.startswith(BINDER):
            links["binder"] = href
        elif href.startswith(COLAB):
            links["colab"] = href
    return links


def _toc_files() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    return [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


NOTEBOOK_PAGES = [f for f in _toc_files() if f.split("/")[0] in {"chapters", "exercises",
                                                                  "solutions"}]
CHAPTER_PAGES = [f for f in NOTEBOOK_PAGES if f.startswith("chapters/")]


def test_the_toc_lists_chapters():
    assert CHAPTER_PAGES


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_launch_links_open_notebooks_of_the_repository(launch_site, page):
    links = _launch_links((launch_site / f"{page}.html").read_text(encoding="utf-8"))
    assert set(links) == {"binder", "colab"}, f"{page}: launch links {sorted(links)}"

    binder = urlsplit(links["binder"])
    assert binder.path == f"/v2/gh/example/textbook-rnn/{BRANCH}"
    urlpath = parse_qs(binder.query)["urlpath"][0]
    assert urlpath.startswith("lab/tree/"), urlpath
    opened = REPO / urlpath.removeprefix("lab/tree/")
    assert opened.is_file(), f"{page}: Binder opens {opened.relative_to(REPO)}, which is missing"
    if page.startswith("chapters/"):
        assert opened == REPO / "notebooks" / f"{Path(page).name}.ipynb", (
            f"{page}: Binder opens {opened.relative_to(REPO)}, not the launch copy")
    if opened.suffix == ".md":
        assert opened.read_text(encoding="utf-8").startswith("---\njupytext:"), (
            f"{opened.name} is not a jupytext notebook, so JupyterLab opens it as text"
        )

    prefix = f"{COLAB}/github/example/textbook-rnn/blob/{BRANCH}/"
    assert links["colab"].startswith(prefix), links["colab"]
    target = REPO / links["colab"].removeprefix(prefix)
    assert target.suffix == ".ipynb", f"{page}: Colab cannot open {target.name}"
    assert target.is_file(), f"{page}: Colab opens {target.relative_to(REPO)}, which is missing"


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_chapter_download_installs_from_the_repository(launch_site, page):
    nb = json.loads((launch_site / "_sources" / f"{page}.ipynb").read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert f"git+{URL}@{BRANCH}" in first, first
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any("myst_nb" in source for source in code), f"{page}: imports myst_nb"
