"""The prose of every built page shows no unrendered LaTeX.

Markdown can swallow math before MathJax sees it: a line of a paragraph that
starts with ``+ `` or ``- `` inside ``$...$`` begins a list item, and the
``$`` pair is broken. The page then shows ``\\boldsymbol{c}$`` as text. This
test reads the text a reader sees (outside math, code, scripts and styles) and
fails on any LaTeX command or a ``$`` that touches one, naming the page and
the passage.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

# Elements whose text is not prose: MathJax's own input, code, scripts.
SKIP_TAGS = {"script", "style", "pre", "code", "textarea", "svg", "math", "kbd", "samp"}
SKIP_CLASSES = {"math", "MathJax", "highlight", "cell_output"}
LATEX = re.compile(r"\\(?:[A-Za-z]{2,}|[{}()\[\]])|\$\s*\\|\\[A-Za-z]+\$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}


class ProseText(HTMLParser):
    """The text of a page outside math, code, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        hidden = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def prose(path: Path) -> str:
    parser = ProseText()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return " ".join(parser.text)


def unrendered_latex(text: str) -> list[str]:
    """Passages of ``text`` (40 characters either side) that hold LaTeX."""
    return [" ".join(text[max(0, m.start() - 40): m.end() + 40].split())
            for m in LATEX.finditer(text)]


@pytest.mark.parametrize("text, found", [
    (r"reads the top layer, $\boldsymbol{o}_t = \boldsymbol{V}", True),
    (r"\boldsymbol{c}$. El Hihi and Bengio", True),
    (r"a step of \(x\)", True),
    ("a plain sentence with a price of $5 and a path C:/x", False),
])
def test_the_detector_finds_latex_and_only_latex(text, found):
    assert bool(unrendered_latex(text)) == found


def test_the_parser_skips_math_code_and_scripts():
    page = ('<p>ok <span class="math notranslate">\\(\\boldsymbol{h}\\)</span> and '
            '<code>\\n</code></p><div class="cell_output"><pre>\\alpha</pre></div>'
            '<script>var s = "\\\\frac";</script><p>end<br>line</p>')
    parser = ProseText()
    parser.feed(page)
    assert unrendered_latex(" ".join(parser.text)) == []
    assert "end" in " ".join(parser.text) and "line" in " ".join(parser.text)


def test_no_page_shows_unrendered_latex(site_dir, pages):
    bad = {}
    for page in pages:
        path = site_dir / f"{page}.html"
        if path.is_file():
            found = unrendered_latex(prose(path))
            if found:
                bad[page] = found[:3]
    assert not bad, ("LaTeX shown as text (a line of a paragraph that starts with '+ ' or "
                     f"'- ' inside $...$ starts a list; rewrap it): {bad}")
