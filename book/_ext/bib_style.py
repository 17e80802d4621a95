"""Bibliography labels that match the book's author–year citations.

The chapters cite with ``bibtex_reference_style: author_year`` ("Pascanu et
al. [2013]"), but pybtex's stock styles label the bibliography with numbers
([1], [2], ...) or abbreviations ([PMB13]), so a reader cannot find a citation
by its label. This extension registers a formatting style, ``authoryear``,
that formats entries like ``plain`` and labels each one as it is cited:
"Hochreiter and Schmidhuber, 1997", "Pascanu et al., 2013", with a, b, ...
appended when two works share a label. ``_config.yml`` selects it with
``bibtex_default_style: authoryear``.
"""

from __future__ import annotations

import codecs
from collections import Counter

import latexcodec  # noqa: F401 - registers the "ulatex" codec
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _plain(latex: str) -> str:
    """LaTeX name text as plain text: accents decoded, braces dropped."""
    text = codecs.decode(latex, "ulatex")
    return text.replace("{", "").replace("}", "")


def _names(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [_plain(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not last:
        return _plain(entry.fields.get("organization", entry.fields.get("title", "?")))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Surname, 2001", "A and B, 2001", "A et al., 2001" (a, b on clashes)."""

    def format_labels(self, sorted_entries):
        """Yield one label per entry, in the order given."""
        entries = list(sorted_entries)
        labels = [f"{_names(e)}, {e.fields.get('year', 'n.d.')}" for e in entries]
        clashes = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if clashes[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` formatting with author–year labels."""

    default_label_style = "authoryear"


def setup(app):
    """Register the label style and the formatting style with pybtex."""
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
