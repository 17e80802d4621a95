"""The built site serves everything it loads itself (read from the files on disk).

A reader's browser should fetch nothing from another host: no CDN, no web
font service, no analytics. Hyperlinks that a reader clicks (``<a href>`` to
a paper) are fine; what a page loads by itself (scripts, stylesheets, images,
fonts, frames) must come from the site. The browser test checks the same
thing live; these checks are fast, need no browser and name the file and the
offending URL.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.site

VENDOR = "_static/npm"  # where tools/vendor_assets.py puts MathJax & co. in the site

# A URL that leaves the site: a scheme with a host, or protocol-relative.
FOREIGN = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# Harmless absolute URLs that are identifiers, never fetched.
ALLOWED = (
    "http://www.w3.org/",  # XML namespaces (SVG, MathML, XLink)
)
# Hosts that only ever serve code, fonts or tracking; none may be named anywhere
# in a page, even in an inline script that does not load it right away.
CDN_HOSTS = (
    "unpkg.com", "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "ajax.googleapis.com",
    "fonts.googleapis.com", "fonts.gstatic.com", "code.jquery.com", "polyfill.io",
    "stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "use.fontawesome.com",
    "kit.fontawesome.com", "googletagmanager.com", "google-analytics.com",
    "plausible.io", "hypothes.is", "utteranc.es",
)

# Attributes whose URL the browser fetches by itself.
RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "xlink:href"}
# <link rel=...> values that only describe navigation and are never fetched.
NAV_RELS = {"index", "search", "next", "prev", "author", "license", "help", "canonical",
            "alternate", "copyright", "top", "up", "first", "last"}

# References inside JavaScript and CSS text: url(...), @import, import(...)/from,
# importScripts, fetch, and src/href attributes written into markup or set on
# elements. Group 1 is the URL.
CODE_REFERENCES = [
    re.compile(r"""url\(\s*\\?["']?\s*((?:[a-z][a-z0-9+.-]*:)?//[^"')\s\\]+)""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*\\?["']\s*((?:[a-z][a-z0-9+.-]*:)?//[^"'\\]+)""",
               re.I),
    re.compile(r"""\bimport\s*\(\s*["'`]((?:[a-z][a-z0-9+.-]*:)?//[^"'`]+)"""),
    re.compile(r"""\bfrom\s*["']((?:https?:)?//[^"']+)"""),
    re.compile(r"""\bimportScripts\(\s*["']((?:[a-z][a-z0-9+.-]*:)?//[^"']+)"""),
    re.compile(r"""\bfetch\(\s*["'`]((?:[a-z][a-z0-9+.-]*:)?//[^"'`]+)"""),
    re.compile(r"""\b(?:src|srcset)\s*[=:]\s*\\?["']((?:[a-z][a-z0-9+.-]*:)?//[^"'\\]+)"""),
]


def is_foreign(url: str) -> bool:
    return bool(FOREIGN.match(url)) and not url.strip().startswith(ALLOWED)


def _in_comment(text: str, pos: int) -> bool:
    """Whether ``pos`` sits inside a ``/* ... */`` comment (looks back 2000 chars)."""
    start = max(0, pos - 2000)
    opened = text.rfind("/*", start, pos)
    return opened != -1 and text.rfind("*/", opened, pos) == -1


def code_references(text: str) -> list[str]:
    """Foreign URLs that JavaScript or CSS text would load (comments ignored)."""
    found = []
    for pattern in CODE_REFERENCES:
        for match in pattern.finditer(text):
            url = match.group(1)
            if is_foreign(url) and not _in_comment(text, match.start()):
                found.append(url)
    return found


class PageScan(HTMLParser):
    """Collect what an HTML page loads: attribute URLs, inline code, scripts, styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str]] = []  # (where, url) fetched automatically
        self.scripts: list[str] = []  # src of <script src>
        self.stylesheets: list[str] = []  # href of <link rel=stylesheet>
        self.inline: list[str] = []  # bodies of <script> and <style>, style="" values
        self._open: str | None = None
        self._widget_cdn: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value is None:
                continue
            if name in RESOURCE_ATTRS:
                for url in value.split(",") if name == "srcset" else [value]:
                    self.loads.append((f"<{tag} {name}>", url.strip().split(" ")[0]))
            elif name == "style":
                self.inline.append(value)
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if not rels or not rels <= NAV_RELS:
                self.loads.append((f"<link rel={attrs.get('rel')}>", attrs["href"]))
            if "stylesheet" in rels:
                self.stylesheets.append(attrs["href"])
        if tag in {"use", "image", "feimage"} and attrs.get("href"):
            self.loads.append((f"<{tag} href>", attrs["href"]))
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            target = re.search(r"url\s*=\s*(.+)", attrs.get("content") or "", re.I)
            if target:
                self.loads.append(("<meta refresh>", target.group(1).strip("'\" ")))
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            if "data-jupyter-widgets-cdn" in attrs:
                self._widget_cdn.append(attrs["data-jupyter-widgets-cdn"])
        if tag in {"script", "style"}:
            self._open = tag
            self.inline.append("")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open:
            self.inline[-1] += data


def scan(path: Path) -> PageScan:
    parser = PageScan()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def local_file(site: Path, page: Path, url: str) -> Path | None:
    """The file in the site that a page-relative URL names, or None if it is not local."""
    if is_foreign(url) or url.startswith(("data:", "blob:", "#", "mailto:", "javascript:")):
        return None
    path = unquote(urlsplit(url).path)
    if not path:
        return None
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    return target.resolve()


@pytest.fixture(scope="module")
def html_files(site_dir) -> list[Path]:
    # Pages only: _static holds theme template fragments (Jinja macros), not pages.
    files = sorted(p for p in site_dir.rglob("*.html")
                   if p.relative_to(site_dir).parts[0] != "_static")
    assert files, f"no HTML pages under {site_dir}"
    return files


@pytest.fixture(scope="module")
def scans(html_files) -> dict[Path, PageScan]:
    return {path: scan(path) for path in html_files}


def test_every_toc_page_was_built(site_dir, pages):
    missing = [p for p in pages if not (site_dir / f"{p}.html").is_file()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


def test_pages_load_nothing_from_other_hosts(site_dir, scans):
    offenders = []
    for path, page in scans.items():
        rel = path.relative_to(site_dir)
        offenders += [f"{rel}: {where} {url}" for where, url in page.loads if is_foreign(url)]
        for code in page.inline:
            offenders += [f"{rel}: inline code loads {url}" for url in code_references(code)]
    assert not offenders, "pages load resources from other hosts:\n" + "\n".join(offenders)


def test_pages_name_no_cdn(site_dir, html_files):
    offenders = []
    for path in html_files:
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(site_dir)}: {host}" for host in CDN_HOSTS
                      if host in text]
    assert not offenders, "pages mention CDN or tracking hosts:\n" + "\n".join(offenders)


def test_local_references_exist(site_dir, scans):
    """Every script, stylesheet, image and font a page loads is in the site."""
    missing = set()
    for path, page in scans.items():
        for _, url in page.loads:
            target = local_file(site_dir, path, url)
            if target is not None and not target.exists():
                missing.add(f"{path.relative_to(site_dir)}: {url}")
    assert not missing, "pages load files that the site lacks:\n" + "\n".join(sorted(missing))


def _referenced_code(site_dir, scans) -> dict[Path, set[str]]:
    """The .js and .css files the pages load, and the pages that load each."""
    files: dict[Path, set[str]] = {}
    for path, page in scans.items():
        for url in page.scripts + page.stylesheets:
            target = local_file(site_dir, path, url)
            if target is not None and target.is_file():
                files.setdefault(target, set()).add(path.relative_to(site_dir).as_posix())
    # Follow local @import in stylesheets.
    todo = [p for p in files if p.suffix == ".css"]
    while todo:
        css = todo.pop()
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", text):
            target = local_file(site_dir, css, match.group(1))
            if target is not None and target.is_file() and target not in files:
                files[target] = files[css]
                todo.append(target)
    return files


def test_scripts_and_stylesheets_load_nothing_from_other_hosts(site_dir, scans):
    files = _referenced_code(site_dir, scans)
    assert any(p.suffix == ".js" for p in files), "found no scripts loaded by the pages"
    offenders = []
    for path, used_by in sorted(files.items()):
        text = path.read_text(encoding="utf-8", errors="replace")
        for url in sorted(set(code_references(text))):
            offenders.append(f"{path.relative_to(site_dir)} (used by {min(used_by)}): {url}")
    assert not offenders, "scripts or stylesheets load from other hosts:\n" + "\n".join(
        offenders)


# --- the build used the site's own copies, not the CDN defaults -------------------------


def test_vendored_assets_match_package_lock(site_dir, locked_versions):
    manifest_path = site_dir / VENDOR / "manifest.json"
    assert manifest_path.is_file(), (
        f"{manifest_path} is missing: the site does not carry its own MathJax and widget "
        "manager; run `make vendor` (tools/vendor_assets.py) before building")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    for name, entry in manifest["packages"].items():
        if locked_versions.get(name) != entry["version"]:
            problems.append(f"{name}: site has {entry['version']}, "
                            f"package-lock.json pins {locked_versions.get(name)}")
        for rel, size in entry["files"].items():
            path = site_dir / VENDOR / name / rel
            if not path.is_file() or path.stat().st_size != size:
                problems.append(f"{name}: {path.relative_to(site_dir)} missing or changed")
    assert not problems, "\n".join(problems[:20])
    assert {"mathjax", "requirejs", "@jupyter-widgets/html-manager"} <= set(
        manifest["packages"])


def _defaults() -> list[str]:
    """The CDN URLs Sphinx and myst-nb use unless told otherwise."""
    from myst_nb.core.config import ipywidgets_js_factory
    from sphinx.ext.mathjax import MATHJAX_URL

    urls = [MATHJAX_URL, *ipywidgets_js_factory()]
    for attrs in ipywidgets_js_factory().values():
        urls += [v for v in attrs.values() if is_foreign(v)]
    return urls


def test_no_cdn_defaults(site_dir, html_files):
    defaults = _defaults()
    offenders = [f"{p.relative_to(site_dir)}: {url}" for p in html_files
                 for url in defaults if url in p.read_text(encoding="utf-8", errors="replace")]
    assert not offenders, "pages still use the CDN defaults:\n" + "\n".join(offenders)


def _script_targets(site_dir, path, page: PageScan) -> list[str]:
    out = []
    for url in page.scripts:
        target = local_file(site_dir, path, url)
        out.append(target.relative_to(site_dir).as_posix() if target else url)
    return out


def test_math_pages_use_the_sites_mathjax(site_dir, scans):
    with_math = 0
    for path, page in scans.items():
        text = path.read_text(encoding="utf-8", errors="replace")
        if 'class="math' not in text:
            continue
        with_math += 1
        assert f"{VENDOR}/mathjax/es5/tex-mml-chtml.js" in _script_targets(site_dir, path, page), (
            f"{path.relative_to(site_dir)} has math but does not load the site's MathJax")
    if with_math == 0:
        pytest.skip("no page has math")


def test_widget_pages_use_the_sites_widget_manager(site_dir, scans):
    with_widgets = 0
    for path, page in scans.items():
        rel = path.relative_to(site_dir)
        text = path.read_text(encoding="utf-8", errors="replace")
        if "application/vnd.jupyter.widget-state+json" not in text:
            continue
        with_widgets += 1
        targets = _script_targets(site_dir, path, page)
        rjs = f"{VENDOR}/requirejs/require.js"
        embed = f"{VENDOR}/@jupyter-widgets/html-manager/dist/embed-amd.js"
        assert rjs in targets and embed in targets, (
            f"{rel} has widgets but loads {targets}, not the site's require.js and manager")
        assert targets.index(rjs) < targets.index(embed), f"{rel}: require.js must load first"
        cdns = [c for c in page._widget_cdn if c is not None]
        assert cdns and not any(is_foreign(c) for c in cdns), (
            f"{rel}: data-jupyter-widgets-cdn is {cdns}; it must be set and local")
    if with_widgets == 0:
        pytest.skip("no page has widgets")
