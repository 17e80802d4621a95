r"""The book's MyST markdown, rewritten as markdown that Jupyter and Colab render.

On the website, Sphinx turns ``{eq}`label``` into "(5.3)", ``{cite:t}`key``` into
"Pollack (1990)" and a ``{solution}`` block into a drop-down. A notebook opened
in JupyterLab or Colab knows none of this and shows the roles as they are
typed. :func:`to_jupyter` rewrites one markdown cell with the numbers, titles
and citations the site would show, taken from a :class:`References` that
:func:`book_references` reads from the chapters' sources and the bibliography:

========================  =================================================
MyST                      in the notebook
========================  =================================================
``{eq}`l```               ``(5.3)``; the equation itself gets ``\tag{5.3}``
``{numref}`fig-l```       ``Fig. 5.2`` (``{number}`` or ``%s`` in a title)
``{ref}`l```              the section's title (or the text given)
``{doc}`t <path>```       ``t`` (or the chapter's title)
``{cite:t}`k```           ``Pollack (1990)``; ``{cite:p}`` gives ``(Pollack, 1990)``
``{glue:text}`name```     the value, when the notebook's outputs hold it;
                          otherwise ``⟨name⟩`` (see ``notebook.glued``)
``(label)=``              dropped
``{exercise}``            ``**Exercise 5.1** (title)``
``{solution}``            a ``<details>`` block, folded like the site's
``{admonition}``          a block quote with a bold title
``{literalinclude}``      the included function's code (``:pyobject:``)
========================  =================================================

The numbering follows the site's (chapter number, then the order in the
chapter); ``tests/site/test_portable_numbers.py`` checks it against the built
pages.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["References", "chapter_references", "book_references", "read_bibliography",
           "to_jupyter", "pyobject_source", "glue_text"]

_ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_LABEL_LINE = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*\n", re.MULTILINE)
_EQUATION = re.compile(r"^\$\$(?P<body>(?:(?!\$\$).)*?)\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$",
                       re.MULTILINE | re.DOTALL)
_FIGURE_NAME = re.compile(r"^(?:\s+name:|:name:)\s*(?P<label>fig-[\w-]+)\s*$", re.MULTILINE)
_EXERCISE = re.compile(r"^`{3,}\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(?P<label>\S+)",
                       re.MULTILINE)
_HEADING = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*\n+(?P<hashes>#+)\s+(?P<title>.+)$",
                      re.MULTILINE)
_TITLE = re.compile(r"^#\s+(?P<title>.+)$", re.MULTILINE)
_FENCE = re.compile(r"^(?P<fence>`{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>[^\n]*)\n",
                    re.MULTILINE)


@dataclass
class References:
    """What the site resolves cross-references with.

    Attributes
    ----------
    numbers : dict
        Label to what a reference shows: ``"5.3"`` for an equation, ``"5.2"``
        for a figure, ``"5.1"`` for an exercise.
    kinds : dict
        Label to ``"eq"``, ``"fig"`` or ``"exercise"``.
    titles : dict
        Section label to its title; document name (``chapters/05_deep_recursive``)
        to the chapter's title.
    bibliography : dict
        Citation key to ``(authors, year)``, the authors as the site writes them
        ("Pollack", "Goller and Küchler", "Socher et al.").
    glue : dict
        Glued name to its text, when the notebook's outputs hold it.
    root : Path or None
        The repository, for ``{literalinclude}`` paths.
    link_docs : bool
        Write ``{doc}`` as a Markdown link to the page's source file
        (``[text](../chapters/05_deep_recursive.md)``), which myst-nb turns into
        a link on the site and JupyterLab opens; needs ``root``.
    """

    numbers: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)
    bibliography: dict = field(default_factory=dict)
    glue: dict = field(default_factory=dict)
    root: Path | None = None
    link_docs: bool = False


def _plain_title(title: str) -> str:
    """A heading without markdown emphasis or roles (their text only)."""
    title = _ROLE.sub(lambda m: _TARGET.sub(r"\g<text>", m["body"]), title)
    return re.sub(r"[*_]{1,2}(\S.*?)[*_]{1,2}", r"\1", title).strip()


def chapter_references(text: str, number: int | str, docname: str) -> References:
    """The labels one chapter defines, numbered as the site numbers them.

    Parameters
    ----------
    text : str
        The chapter's MyST source.
    number : int or str
        The chapter's number in the book (the ``5`` of "Fig. 5.2").
    docname : str
        Its document name, e.g. ``"chapters/05_deep_recursive"``.
    """
    refs = References()
    for kind, pattern in (("eq", _EQUATION), ("fig", _FIGURE_NAME), ("exercise", _EXERCISE)):
        for k, match in enumerate(pattern.finditer(text), start=1):
            refs.numbers[match["label"]] = f"{number}.{k}"
            refs.kinds[match["label"]] = kind
    for match in _HEADING.finditer(text):
        refs.titles[match["label"]] = _plain_title(match["title"])
    first = _TITLE.search(text)
    if first:
        refs.titles[docname] = _plain_title(first["title"])
    return refs


_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
            "c": "\u0327", "v": "\u030c", "=": "\u0304", ".": "\u0307", "H": "\u030b"}
_ACCENT = re.compile(r"\{?\\(?P<mark>[\"'`^~=.]|[cvH](?=[\s{]))\s*\{?(?P<letter>[A-Za-z])\}?\}?")


def _unlatex(name: str) -> str:
    r"""``K{\"u}chler`` as ``Küchler``: BibTeX accents to Unicode, braces dropped."""
    import unicodedata

    name = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", m["letter"] + _ACCENTS[m["mark"]]),
                       name)
    return name.replace("{", "").replace("}", "")


def read_bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """Citation key to ``(authors, year)`` from a BibTeX file (author and year fields only)."""
    entries: dict[str, tuple[str, str]] = {}
    text = Path(path).read_text(encoding="utf-8")
    for match in re.finditer(r"^@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)^\}", text,
                             re.MULTILINE | re.DOTALL):
        fields = dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", match["body"], re.MULTILINE))
        names = [n.strip() for n in fields.get("author", "").split(" and ") if n.strip()]
        last = [n.split(",")[0].strip().strip("{}") if "," in n else n.split()[-1].strip("{}")
                for n in names]
        if len(last) > 2:
            authors = f"{last[0]} et al."
        elif len(last) == 2:
            authors = f"{last[0]} and {last[1]}"
        else:
            authors = last[0] if last else match["key"]
        entries[match["key"]] = (_unlatex(authors), fields.get("year", "n.d."))
    return entries


def book_references(root: Path) -> References:
    """References for the whole book, read from the files under ``root``.

    The chapters (numbers and titles), the exercise and solution notebooks and
    the pages of ``book/`` (titles), and the bibliography.
    """
    root = Path(root)
    refs = References(root=root)
    for path in sorted((root / "chapters").glob("[0-9][0-9]_*.md")):
        one = chapter_references(path.read_text(encoding="utf-8"), int(path.name[:2]),
                                 f"chapters/{path.stem}")
        refs.numbers.update(one.numbers)
        refs.kinds.update(one.kinds)
        refs.titles.update(one.titles)
    for folder in ("exercises", "solutions"):
        for path in sorted((root / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells
                             if c.get("cell_type") == "markdown")
            first = _TITLE.search(text)
            if first:
                refs.titles[f"{folder}/{path.stem}"] = _plain_title(first["title"])
    for path in sorted((root / "book").glob("*.md")):
        first = _TITLE.search(path.read_text(encoding="utf-8"))
        if first:
            refs.titles[f"book/{path.stem}"] = _plain_title(first["title"])
    bib = root / "book" / "references.bib"
    if bib.is_file():
        refs.bibliography = read_bibliography(bib)
    return refs


def pyobject_source(path: Path, name: str) -> str:
    """The source of the function or class ``name`` (``Class.method`` too) in a Python file."""
    source = Path(path).read_text(encoding="utf-8")
    nodes = ast.parse(source).body
    node = None
    for part in name.split("."):
        node = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef,
                                                        ast.AsyncFunctionDef))
                     and n.name == part), None)
        if node is None:
            raise ValueError(f"{path} defines no {name!r}")
        nodes = node.body
    lines = source.splitlines()
    start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    block = lines[start:node.end_lineno]
    indent = len(block[0]) - len(block[0].lstrip())
    return "\n".join(line[indent:] for line in block)


def _cite(body: str, refs: References, parenthetical: bool) -> str:
    keys = [k.strip() for k in body.split(",") if k.strip()]
    found = [refs.bibliography.get(k, (k, "")) for k in keys]
    if parenthetical:
        return "(" + "; ".join(f"{a}, {y}" if y else a for a, y in found) + ")"
    return ", ".join(f"{a} ({y})" if y else a for a, y in found)


def _role(match: re.Match, refs: References) -> str:
    role, body = match["role"], match["body"]
    target = _TARGET.match(body)
    text, label = (target["text"], target["target"]) if target else (None, body.strip())
    if role == "eq":
        number = refs.numbers.get(label)
        return f"({number})" if number else f"`{label}`"
    if role == "numref":
        number = refs.numbers.get(label)
        if number is None:
            return text or f"`{label}`"
        if text:
            return text.replace("{number}", number).replace("%s", number)
        return {"fig": "Fig.", "exercise": "Exercise", "eq": "Eq."}.get(
            refs.kinds.get(label), "") + f" {number}"
    if role == "ref":
        # a section title inside a sentence needs quotes to read as one ("see “Leaky
        # units”"), where the site has a link
        return text or (f"“{refs.titles[label]}”" if label in refs.titles else (
            f"({refs.numbers[label]})" if label in refs.numbers else f"`{label}`"))
    if role == "doc":
        name = re.sub(r"^(\.\./)+", "", label)
        shown = text or refs.titles.get(name, name)
        if refs.link_docs and refs.root is not None:
            suffix = next((x for x in (".md", ".ipynb") if (refs.root / (name + x)).is_file()),
                          None)
            if suffix:
                return f"[{shown}]({label}{suffix})"
        return shown
    if role in ("cite:t", "cite"):
        return _cite(body, refs, parenthetical=role == "cite")
    if role == "cite:p":
        return _cite(body, refs, parenthetical=True)
    if role == "glue:text":
        name = body.split(":")[0]
        return refs.glue.get(name, f"⟨{name}⟩")
    if role == "math":
        return f"${body}$"
    return f"`{body}`"


def _options(block: str) -> tuple[dict, str]:
    """Split a directive's body into its ``:key: value`` options and the rest."""
    options, lines = {}, block.split("\n")
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        key, _, value = lines.pop(0)[1:].partition(":")
        options[key] = value.strip()
    return options, "\n".join(lines).strip("\n")


def _directive(name: str, arg: str, block: str, refs: References) -> str:
    options, body = _options(block)
    body = _directives(body, refs)
    if name == "exercise":
        number = refs.numbers.get(options.get("label", ""))
        head = "**Exercise" + (f" {number}" if number else "") + "**" + (
            f" ({arg.strip()})" if arg.strip() else "")
        return f"{head}\n\n{body}"
    if name == "solution":
        return f"<details>\n<summary>Solution</summary>\n\n{body}\n\n</details>"
    if name == "literalinclude":
        path = (refs.root / re.sub(r"^(\.\./)+", "", arg.strip())) if refs.root else None
        try:
            code = (pyobject_source(path, options["pyobject"]) if "pyobject" in options
                    else path.read_text(encoding="utf-8").rstrip("\n"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return f"*(the site shows `{arg.strip()}` here)*"
        return f"```{options.get('language', 'python')}\n{code}\n```"
    if name in ("admonition", "note", "tip", "warning", "important", "hint", "seealso"):
        title = arg.strip() or name.capitalize()
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
        return f"> **{title}**\n>\n{quoted}"
    return body


def _directives(text: str, refs: References) -> str:
    """Rewrite every fenced directive of ``text``, the outermost first (they may nest)."""
    out, pos = [], 0
    while True:
        match = _FENCE.search(text, pos)
        if match is None:
            out.append(text[pos:])
            return "".join(out)
        close = re.compile(rf"^{match['fence']}[ \t]*$", re.MULTILINE).search(text, match.end())
        if close is None:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:match.start()])
        out.append(_directive(match["name"], match["arg"], text[match.end():close.start()],
                              refs))
        pos = close.end()


def to_jupyter(markdown: str, refs: References) -> str:
    """One markdown cell of the book, as markdown that Jupyter and Colab render.

    Parameters
    ----------
    markdown : str
        The cell's MyST source.
    refs : References
        Numbers, titles, citations and glued values (see :func:`book_references`).

    Returns
    -------
    str
        The cell with every role and directive replaced by what the site shows.
    """
    text = _LABEL_LINE.sub("", markdown)
    text = _EQUATION.sub(
        lambda m: f"$${m['body'].rstrip()}"
                  + (f"\n\\tag{{{refs.numbers[m['label']]}}}" if m["label"] in refs.numbers
                     else "") + "\n$$", text)
    text = _directives(text, refs)
    return _ROLE.sub(lambda m: _role(m, refs), text)


def glue_text(glue_data: Mapping) -> dict[str, str]:
    """Glued name to the text the site shows, from myst-nb's ``<page>.glue.json``.

    myst-nb takes the glued values out of the executed notebook's outputs and
    writes them next to it, name to output (``{"data": {"text/plain": ...}}``);
    the text of a string is its ``repr``, which is undone here.
    """
    values = {}
    for name, output in glue_data.items():
        plain = ((output or {}).get("data") or {}).get("text/plain")
        if plain is None:
            continue
        text = plain if isinstance(plain, str) else "".join(plain)
        if text[:1] in "'\"" and text[:1] == text[-1:]:
            try:
                text = str(ast.literal_eval(text))
            except (ValueError, SyntaxError):
                pass
        values[name] = text
    return values
