"""Create the skeleton of a new chapter: every file it needs, and its entries in _toc.yml.

Usage::

    make chapter N=03 SLUG=sequence_modelling TITLE="Sequence modelling"
    python tools/new_chapter.py 03 sequence_modelling --title "Sequence modelling"

From the templates in ``tools/templates/`` (placeholders ``{{NN}}``,
``{{NUMBER}}``, ``{{SLUG}}``, ``{{LABEL}}``, ``{{TITLE}}``, ``{{TITLE_LOWER}}``,
``{{FUNC}}``) it writes

- ``chapters/NN_slug.md``: the MyST notebook, with learning goals, a labelled
  equation, code cells importing the package, a figure, a summary, a
  conceptual exercise with a hidden solution, and the link to the coding
  exercises, every passage to rewrite marked ``SKELETON``;
- ``src/textbook_rnn/slug.py`` (the numpy core), ``src/textbook_rnn/figures/slug.py``
  (drawing) and ``src/textbook_rnn/checks/slug.py`` (one example checker),
  and adds the checker to ``src/textbook_rnn/checks/__init__.py``;
- ``solutions/NN_slug.ipynb`` with ``### BEGIN SOLUTION``/``### END SOLUTION``
  markers and the metadata ``tools/make_exercises.py`` reads, and the
  ``exercises/NN_slug.ipynb`` generated from it (not executed: run
  ``make exercises``);
- ``tests/test_slug.py``, ``tests/test_checks_slug.py`` and
  ``tests/test_figures_slug.py``;

and adds three entries to ``_toc.yml``, each in its part (found by caption)
and in chapter order: the chapter in its part of the book (``--part``, or
the part the plan assigns to chapter N), the exercises in "Coding exercises",
the solutions in "Solutions" when that part exists, else right after the
exercises. It refuses to overwrite anything: when a file exists, or the
number or the slug is taken, it stops before writing a single file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]

# The plan of the book (GUIDE.md and the comment at the top of _toc.yml).
PLAN_PARTS = (
    (range(1, 4), "Foundations"),
    (range(4, 6), "Architectures"),
    (range(6, 11), "Long-term dependencies"),
)
EXERCISES_PART = "Coding exercises"
SOLUTIONS_PART = "Solutions"

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Longer names would push the generated code past the line length of 100.
MAX_SLUG = 30
MAX_TITLE = 60
NUMBERED_FILE = re.compile(r"^(?:chapters|exercises|solutions)/(\d\d)_")

# Names that already mean something inside the package or to Python.
RESERVED = {"checks", "figures", "tasks", "torch_nn", "widgets", "style", "core", "specs",
            "grade", "test", "tests", "torch", "numpy", "matplotlib"}


class ChapterError(ValueError):
    """The chapter cannot be created as asked (bad argument, or something exists)."""


@dataclass(frozen=True)
class Chapter:
    """The names a new chapter is known by.

    Attributes
    ----------
    number : int
        The chapter number, 1 to 99.
    slug : str
        Lower-case words joined by underscores: the module name.
    title : str
        The chapter's title.
    """

    number: int
    slug: str
    title: str

    @property
    def nn(self) -> str:
        """The two-digit number, ``"03"``."""
        return f"{self.number:02d}"

    @property
    def stem(self) -> str:
        """``NN_slug``, the file name of the chapter and its notebooks."""
        return f"{self.nn}_{self.slug}"

    @property
    def label(self) -> str:
        """The slug with hyphens: the stem of the chapter's labels."""
        return self.slug.replace("_", "-")

    @property
    def func(self) -> str:
        """The name of the skeleton's example function and checker."""
        return f"{self.slug}_example"

    def substitutions(self) -> dict[str, str]:
        """Placeholder to value, for the templates."""
        lower = self.title if self.title[:2].isupper() else self.title[0].lower() + self.title[1:]
        return {
            "{{NN}}": self.nn,
            "{{NUMBER}}": str(self.number),
            "{{SLUG}}": self.slug,
            "{{LABEL}}": self.label,
            "{{TITLE}}": self.title,
            "{{TITLE_LOWER}}": lower,
            "{{FUNC}}": self.func,
        }


def parse_number(value) -> int:
    """The chapter number from ``"03"``, ``"3"`` or ``3``; 1 to 99."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,2}", text) or not 1 <= int(text) <= 99:
        raise ChapterError(f"N must be a chapter number from 01 to 99, got {value!r}")
    return int(text)


def check_slug(slug: str) -> str:
    """Return ``slug`` when it can name a chapter file and a Python module."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise ChapterError(
            "SLUG must be lower-case words of letters and digits joined by single underscores, "
            f"starting with a letter (e.g. sequence_modelling), got {slug!r}"
        )
    if len(slug) > MAX_SLUG:
        raise ChapterError(f"SLUG must have at most {MAX_SLUG} characters, got {len(slug)}")
    if keyword.iskeyword(slug) or slug in RESERVED:
        raise ChapterError(f"SLUG {slug!r} is reserved (a Python keyword or a package name)")
    return slug


def default_title(slug: str) -> str:
    """``sequence_modelling`` -> ``Sequence modelling``."""
    words = slug.replace("_", " ")
    return words[0].upper() + words[1:]


def make_chapter(number, slug: str, title: str | None = None) -> Chapter:
    """Validate the arguments and return the :class:`Chapter` they describe."""
    slug = check_slug(slug)
    title = default_title(slug) if title is None else " ".join(str(title).split())
    if not title or "{{" in title or '"' in title or "\\" in title:
        raise ChapterError(f"TITLE must be a non-empty line of text without quotes (\") or "
                           f"backslashes, got {title!r}")
    if len(title) > MAX_TITLE:
        raise ChapterError(f"TITLE must have at most {MAX_TITLE} characters, got {len(title)}")
    return Chapter(parse_number(number), slug, title)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def planned_files(ch: Chapter) -> dict[str, str]:
    """Repository path of each file to write -> its template in tools/templates."""
    return {
        f"chapters/{ch.stem}.md": "chapter.md.tmpl",
        f"src/textbook_rnn/{ch.slug}.py": "module.py.tmpl",
        f"src/textbook_rnn/figures/{ch.slug}.py": "figures.py.tmpl",
        f"src/textbook_rnn/checks/{ch.slug}.py": "checks.py.tmpl",
        f"solutions/{ch.stem}.ipynb": "solutions.ipynb.tmpl",
        f"tests/test_{ch.slug}.py": "test_module.py.tmpl",
        f"tests/test_checks_{ch.slug}.py": "test_checks.py.tmpl",
        f"tests/test_figures_{ch.slug}.py": "test_figures.py.tmpl",
    }


def fill(text: str, ch: Chapter, *, json_strings: bool = False) -> str:
    """Replace every placeholder of a template; ``json_strings`` escapes for JSON."""
    for key, value in ch.substitutions().items():
        text = text.replace(key, json.dumps(value)[1:-1] if json_strings else value)
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        raise ChapterError(f"unknown placeholders in a template: {sorted(set(left))}")
    return text


def render(root: Path, template: str, ch: Chapter) -> str:
    """The text of one generated file."""
    source = (root / "tools" / "templates" / template).read_text(encoding="utf-8")
    if template.endswith(".ipynb.tmpl"):
        text = fill(source, ch, json_strings=True)
        nbformat.validate(nbformat.reads(text, as_version=4))
        return text
    return fill(source, ch)


def _load_make_exercises(root: Path):
    spec = importlib.util.spec_from_file_location(
        "make_exercises", root / "tools" / "make_exercises.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def register_checker(text: str, ch: Chapter) -> str:
    """``checks/__init__.py`` with the new checker imported and listed in ``__all__``."""
    if re.search(rf"^from \.{ch.slug} import ", text, re.MULTILINE):
        raise ChapterError(f"checks/__init__.py already imports from .{ch.slug}")
    imports = list(re.finditer(r"^from \.\w+ import .*$", text, re.MULTILINE))
    if not imports:
        raise ChapterError("checks/__init__.py imports no checker module; add the import by hand")
    line = f"from .{ch.slug} import {ch.func}\n"
    # keep the import block sorted, as ruff's isort rule wants it
    later = [m for m in imports if m.group(0).split()[1] > f".{ch.slug}"]
    at = later[0].start() if later else imports[-1].end() + 1
    text = text[:at] + line + text[at:]
    all_lines = list(re.finditer(r"^__all__ \+?= .*$", text, re.MULTILINE))
    if not all_lines:
        raise ChapterError("checks/__init__.py has no __all__; add the checker by hand")
    end = all_lines[-1].end()
    return text[:end] + f'\n__all__ += ["{ch.func}"]' + text[end:]


# --------------------------------------------------------------------------
# The table of contents
# --------------------------------------------------------------------------


@dataclass
class Part:
    """Where a part of ``_toc.yml`` sits, by line (0-based)."""

    caption: str
    start: int  # the "- caption:" line
    end: int  # one past its last line
    indent: str  # of "- caption:"
    entries: list[tuple[int, str]]  # (line, file) of each "- file:" entry
    entry_indent: str | None


CAPTION_RE = re.compile(r"^(?P<indent>\s*)- caption:\s*(?P<caption>.+?)\s*$")
ENTRY_RE = re.compile(r"^(?P<indent>\s*)- file:\s*(?P<file>\S+)\s*$")


def toc_parts(lines: list[str]) -> list[Part]:
    """The parts of a jb-book ``_toc.yml``, read line by line (comments are kept)."""
    starts = [(i, m) for i, line in enumerate(lines) if (m := CAPTION_RE.match(line))]
    parts = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        entries = [(j, e.group("file")) for j in range(i + 1, end)
                   if (e := ENTRY_RE.match(lines[j]))]
        indent = ENTRY_RE.match(lines[entries[0][0]]).group("indent") if entries else None
        caption = m.group("caption").strip("'\"")
        parts.append(Part(caption, i, end, m.group("indent"), entries, indent))
    return parts


def _number(file: str) -> int | None:
    m = NUMBERED_FILE.match(file)
    return int(m.group(1)) if m else None


def _insert_at(part: Part, number: int) -> int:
    """The line before which an entry of chapter ``number`` goes, in chapter order."""
    numbered = [(line, n) for line, file in part.entries if (n := _number(file)) is not None]
    before = [line for line, n in numbered if n < number]
    if before:
        return before[-1] + 1
    if numbered:
        return numbered[0][0]
    return part.end


def _entry_line(part: Part, file: str) -> str:
    if part.entry_indent is not None:
        return f"{part.entry_indent}- file: {file}"
    return f"{part.indent}    - file: {file}"


def _add_entry(lines: list[str], caption: str, file: str, number: int,
               after: str | None = None) -> list[str]:
    part = next((p for p in toc_parts(lines) if p.caption == caption), None)
    if part is None:
        raise ChapterError(f"_toc.yml has no part with caption {caption!r}")
    if part.entry_indent is None and not any(
            lines[j].strip() == "chapters:" for j in range(part.start, part.end)):
        lines = lines[:part.end] + [f"{part.indent}  chapters:"] + lines[part.end:]
        part = next(p for p in toc_parts(lines) if p.caption == caption)
    if after is not None:
        at = next(line for line, f in part.entries if f == after) + 1
    else:
        at = _insert_at(part, number)
    return lines[:at] + [_entry_line(part, file)] + lines[at:]


def _add_part(lines: list[str], caption: str, number: int) -> list[str]:
    """A new numbered part for ``caption``, placed by chapter order before the back matter."""
    parts = toc_parts(lines)
    if not parts:
        raise ChapterError("_toc.yml has no parts; add the chapter by hand")
    at = None
    for p in parts:
        numbers = [n for _, f in p.entries if f.startswith("chapters/")
                   and (n := _number(f)) is not None]
        if p.caption == EXERCISES_PART or (numbers and min(numbers) > number):
            at = p.start
            break
    if at is None:
        at = parts[-1].end
    indent = parts[0].indent
    block = [f"{indent}- caption: {caption}", f"{indent}  numbered: true",
             f"{indent}  chapters:"]
    return lines[:at] + block + lines[at:]


def plan_part(number: int) -> str:
    """The caption of the part the book's plan puts chapter ``number`` in."""
    for numbers, caption in PLAN_PARTS:
        if number in numbers:
            return caption
    raise ChapterError(f"the plan of the book has no part for chapter {number}: pass --part")


def add_to_toc(text: str, ch: Chapter, part: str | None = None) -> str:
    """``_toc.yml`` with the chapter, its exercises and its solutions added."""
    lines = text.splitlines()
    files = {f for p in toc_parts(lines) for _, f in p.entries}
    for folder in ("chapters", "exercises", "solutions"):
        taken = sorted(f for f in files if f.startswith(folder + "/") and _number(f) == ch.number)
        if taken:
            raise ChapterError(f"_toc.yml already lists {taken[0]} for chapter {ch.nn}")
    caption = part or plan_part(ch.number)
    if not any(p.caption == caption for p in toc_parts(lines)):
        lines = _add_part(lines, caption, ch.number)
    lines = _add_entry(lines, caption, f"chapters/{ch.stem}", ch.number)
    lines = _add_entry(lines, EXERCISES_PART, f"exercises/{ch.stem}", ch.number)
    if any(p.caption == SOLUTIONS_PART for p in toc_parts(lines)):
        lines = _add_entry(lines, SOLUTIONS_PART, f"solutions/{ch.stem}", ch.number)
    else:
        lines = _add_entry(lines, EXERCISES_PART, f"solutions/{ch.stem}", ch.number,
                           after=f"exercises/{ch.stem}")
    new = "\n".join(lines) + "\n"
    yaml.safe_load(new)  # still valid YAML
    return new


# --------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------


def create(root: Path, ch: Chapter, part: str | None = None) -> list[str]:
    """Write the skeleton of ``ch`` into the repository at ``root``.

    Everything is checked and rendered first; files are written only when
    nothing would be overwritten.

    Parameters
    ----------
    root : Path
        The repository root (holding ``_toc.yml`` and ``tools/templates``).
    ch : Chapter
        The chapter to create.
    part : str, optional
        The caption of the toc part for the chapter; by default the plan's.

    Returns
    -------
    list of str
        The files written or changed, relative to ``root``.
    """
    root = Path(root)
    clash = sorted(p.name for p in (root / "chapters").glob(f"{ch.nn}_*.md"))
    if clash:
        raise ChapterError(f"chapter {ch.nn} exists already: chapters/{clash[0]}")
    clash = sorted(p.name for p in (root / "chapters").glob(f"[0-9][0-9]_{ch.slug}.md"))
    if clash:
        raise ChapterError(f"the slug {ch.slug!r} is taken: chapters/{clash[0]}")
    targets = {**planned_files(ch), f"exercises/{ch.stem}.ipynb": None}
    for rel in (*targets, f"src/textbook_rnn/{ch.slug}"):
        if (root / rel).exists():
            raise ChapterError(f"{rel} exists already; nothing was written")

    texts = {rel: render(root, template, ch) for rel, template in planned_files(ch).items()}
    solution = nbformat.reads(texts[f"solutions/{ch.stem}.ipynb"], as_version=4)
    make_exercises = _load_make_exercises(root)
    exercise = make_exercises.exercise_from_solution(solution, f"{ch.stem}.ipynb")
    texts[f"exercises/{ch.stem}.ipynb"] = nbformat.writes(exercise) + "\n"
    checks_init = root / "src" / "textbook_rnn" / "checks" / "__init__.py"
    texts["src/textbook_rnn/checks/__init__.py"] = register_checker(
        checks_init.read_text(encoding="utf-8"), ch)
    texts["_toc.yml"] = add_to_toc((root / "_toc.yml").read_text(encoding="utf-8"), ch, part)

    written = []
    for rel, text in texts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", help="the chapter number, 01 to 99")
    parser.add_argument("slug", help="lower_case_words: the file and module name")
    parser.add_argument("--title", help="the chapter's title (default: from the slug)")
    parser.add_argument("--part", help="caption of the toc part (default: the plan's)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root")
    args = parser.parse_args(argv)
    try:
        ch = make_chapter(args.number, args.slug, args.title or None)
        written = create(args.root, ch, args.part)
    except ChapterError as exc:
        print(f"new_chapter: {exc}", file=sys.stderr)
        return 2
    print(f"Created the skeleton of chapter {ch.nn}, {ch.title!r}:")
    for rel in written:
        print(f"  {rel}")
    print("Next: replace every SKELETON passage (grep -rn SKELETON chapters src solutions tests),")
    print("then follow the checklist in CONTRIBUTING.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
