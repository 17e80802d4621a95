"""The numbers the notebooks show for equations, figures and exercises are the site's.

``textbook_rnn.portable_markdown`` numbers labels from the chapters' sources, so
that a launch copy in Colab says "(5.3)" where the site does. This test reads
the numbers Sphinx gave every labelled equation, figure and exercise in the
built pages and compares them with the package's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from textbook_rnn.portable_markdown import book_references

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
EQUATION = re.compile(r'id="equation-([\w-]+)">\s*<span class="eqno">\(([\d.]+)\)')
EXERCISE = re.compile(r'id="([\w-]+)">\s*<p class="admonition-title">'
                      r'<span class="caption-number">Exercise ([\d.]+)')
FIGURE = re.compile(r'<figure[^>]*\bid="(fig-[\w-]+)"(.*?)</figure>', re.DOTALL)
CAPTION = re.compile(r'caption-number">Fig\. ([\d.]+)')


def _html_id(label: str) -> str:
    """The id Sphinx gives a label: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def site_numbers(html: str) -> dict[str, tuple[str, str]]:
    """Label to (kind, number) as the built page shows them."""
    found = {label: ("eq", number) for label, number in EQUATION.findall(html)}
    found |= {label: ("exercise", number) for label, number in EXERCISE.findall(html)}
    for label, body in FIGURE.findall(html):
        caption = CAPTION.search(body)
        found[label] = ("fig", caption.group(1) if caption else "unnumbered")
    return found


def test_the_site_parser_reads_each_kind():
    html = ('<div class="math" id="equation-e"> <span class="eqno">(5.1)<a>#</a></span></div>'
            '<figure class="align-default" id="fig-a"><img/><figcaption><p><span '
            'class="caption-number">Fig. 5.2 </span></p></figcaption></figure>'
            '<div class="exercise admonition" id="ex-q">  <p class="admonition-title"><span '
            'class="caption-number">Exercise 5.3 </span></p></div>')
    assert site_numbers(html) == {"e": ("eq", "5.1"), "fig-a": ("fig", "5.2"),
                                  "ex-q": ("exercise", "5.3")}


def test_notebook_numbers_match_the_built_pages(site_dir):
    refs = book_references(ROOT)
    wrong, missing = [], []
    for page in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        html = (site_dir / "chapters" / f"{page.stem}.html").read_text(encoding="utf-8")
        shown = site_numbers(html)
        text = page.read_text(encoding="utf-8")
        ours = {label for label in refs.numbers
                if re.search(rf"(?:\$\$ ?\({re.escape(label)}\)|(?:name|:label):"
                             rf" {re.escape(label)}(?![\w-]))", text)}
        for label in ours:
            html_id = _html_id(label)
            if html_id not in shown:
                missing.append(f"{page.stem}: {label}")
            elif shown[html_id] != (refs.kinds[label], refs.numbers[label]):
                wrong.append(f"{page.stem}: {label} is {shown[html_id]} on the site, "
                             f"{(refs.kinds[label], refs.numbers[label])} in the notebooks")
        ids = {_html_id(label) for label in refs.numbers}
        for label, (kind, _) in shown.items():
            if label not in ids and kind != "fig":
                missing.append(f"{page.stem}: the site numbers {label}, the package does not")
    assert not wrong, wrong
    assert not missing, missing
