"""MyST markdown rewritten for Jupyter and Colab (textbook_rnn.portable_markdown).

The numbering against the built site is checked in tests/site/test_portable_numbers.py;
here each rewrite is checked on small sources, and every launch copy is checked to
hold no MyST role, label line or directive fence that Colab would show as typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from textbook_rnn import notebook
from textbook_rnn import portable_markdown as pm

ROOT = Path(__file__).resolve().parents[1]

CHAPTER = r"""# Deep things

(sec-one)=
## The *first* section

$$
a = b
$$

$$
h = \tanh(a)
$$ (eq-h)

```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-one
    caption: One.
---
plot()
```

$$ y = 2 $$ (eq-y)

```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-two
---
plot()
```

```{exercise} A question
:label: ex-q

Why?
```
"""


@pytest.fixture
def refs():
    refs = pm.chapter_references(CHAPTER, 5, "chapters/05_deep")
    refs.bibliography = {"pollack1990": ("Pollack", "1990"),
                         "socher2011": ("Socher et al.", "2011")}
    refs.root = ROOT
    return refs


def test_labels_are_numbered_by_chapter_and_order(refs):
    assert refs.numbers == {"eq-h": "5.1", "eq-y": "5.2", "fig-one": "5.1", "fig-two": "5.2",
                            "ex-q": "5.1"}
    assert refs.kinds["eq-y"] == "eq" and refs.kinds["fig-two"] == "fig"
    assert refs.titles == {"sec-one": "The first section", "chapters/05_deep": "Deep things"}


@pytest.mark.parametrize("myst, shown", [
    ("see {eq}`eq-y`", "see (5.2)"),
    ("{numref}`fig-two` shows", "Fig. 5.2 shows"),
    ("{numref}`Figure {number} <fig-one>`", "Figure 5.1"),
    ("{numref}`Figure %s <fig-one>`", "Figure 5.1"),
    ("in {ref}`sec-one`", "in “The first section”"),
    ("in {ref}`that part <sec-one>`", "in that part"),
    ("{doc}`../chapters/05_deep`", "Deep things"),
    ("{doc}`the chapter <../chapters/05_deep>`", "the chapter"),
    ("{cite:t}`pollack1990`", "Pollack (1990)"),
    ("{cite:p}`pollack1990,socher2011`", "(Pollack, 1990; Socher et al., 2011)"),
    ("{cite:t}`pollack1990, socher2011`", "Pollack (1990), Socher et al. (2011)"),
    ("{glue:text}`n-steps` steps", "⟨n-steps⟩ steps"),
    ("{math}`x^2`", "$x^2$"),
    ("{eq}`nowhere`", "`nowhere`"),
])
def test_each_role_shows_what_the_site_shows(refs, myst, shown):
    assert pm.to_jupyter(myst, refs) == shown


def test_a_glued_value_replaces_its_role(refs):
    refs.glue = {"n-steps": "80"}
    assert pm.to_jupyter("{glue:text}`n-steps` steps", refs) == "80 steps"
    assert pm.to_jupyter("{glue:text}`n-steps:.2f`", refs) == "80"


def test_labelled_equations_get_their_number_as_a_tag_and_others_stay(refs):
    out = pm.to_jupyter(CHAPTER, refs)
    assert "(sec-one)=" not in out
    assert "$$\nh = \\tanh(a)\n\\tag{5.1}\n$$" in out
    assert "$$ y = 2\n\\tag{5.2}\n$$" in out
    assert "$$\na = b\n$$" in out, "an unlabelled equation is left as it is"
    assert "(eq-h)" not in out and "(eq-y)" not in out
    assert "**Exercise 5.1** (A question)\n\nWhy?" in out


def test_directives_become_markdown_that_jupyter_renders(refs):
    src = ("````{solution} ex-q\n:class: dropdown\n\nBecause {eq}`eq-h`.\n\n"
           "```{note}\nInner.\n```\n````\n\n"
           "```{admonition} Learning goals\n:class: tip\n\n- one\n- two\n```")
    out = pm.to_jupyter(src, refs)
    assert out.startswith("<details>\n<summary>Solution</summary>\n\nBecause (5.1).")
    assert "> **Note**\n>\n> Inner." in out and out.count("</details>") == 1
    assert out.endswith("> **Learning goals**\n>\n> - one\n> - two")
    assert "```{" not in out and ":class:" not in out


def test_literalinclude_shows_the_function_it_names(refs):
    src = ("```{literalinclude} ../src/textbook_rnn/notebook.py\n:language: python\n"
           ":pyobject: glued\n```")
    out = pm.to_jupyter(src, refs)
    assert out.startswith("```python\ndef glued() -> dict[str, Any]:")
    assert out.rstrip().endswith("return dict(_GLUED)\n```")
    missing = src.replace("glued", "no_such_function")
    assert "the site shows" in pm.to_jupyter(missing, refs)


def test_pyobject_source_finds_methods_and_rejects_unknown_names(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("class A:\n    @staticmethod\n    def f(x):\n        return x\n")
    assert pm.pyobject_source(path, "A.f") == "@staticmethod\ndef f(x):\n    return x"
    with pytest.raises(ValueError, match="defines no 'A.g'"):
        pm.pyobject_source(path, "A.g")


def test_the_bibliography_reads_authors_years_and_accents(tmp_path):
    bib = tmp_path / "r.bib"
    bib.write_text("@article{g96,\n  author = {Goller, Christoph and K{\\\"u}chler, "
                   "Andreas},\n  year = {1996}\n}\n\n@book{three,\n  author = {A, B and "
                   "C, D and E, F},\n  year = {2001}\n}\n\n@misc{one,\n  author = {Luko"
                   "\\v{s}evi\\v{c}ius, Mantas},\n  year = {2012}\n}\n", encoding="utf-8")
    assert pm.read_bibliography(bib) == {"g96": ("Goller and Küchler", "1996"),
                                         "three": ("A et al.", "2001"),
                                         "one": ("Lukoševičius", "2012")}


def test_glue_text_undoes_the_repr_of_strings():
    data = {"a": {"data": {"text/plain": "'3 of 3'"}}, "b": {"data": {"text/plain": "0.25"}},
            "c": {"data": {"text/plain": "\"it's\""}}, "d": {"data": {"image/png": "..."}}}
    assert pm.glue_text(data) == {"a": "3 of 3", "b": "0.25", "c": "it's"}


def test_glued_keeps_every_value_for_a_reader_without_the_site():
    notebook.glue("test-portable-key", 42, display=False)
    assert notebook.glued()["test-portable-key"] == 42


def test_readable_markdown_adds_the_note_only_when_a_value_is_missing(refs):
    nb = {"cells": [{"cell_type": "markdown", "source": "# T\n\n{glue:text}`x`"},
                    {"cell_type": "code", "source": "glue('x', 1)"}]}
    notebook.readable_markdown(nb, refs)
    assert "⟨x⟩" in nb["cells"][0]["source"] and notebook.GLUE_NOTE in nb["cells"][0]["source"]
    assert nb["cells"][1]["source"] == "glue('x', 1)"
    refs.glue = {"x": "1"}
    nb = {"cells": [{"cell_type": "markdown", "source": "{glue:text}`x`"}]}
    notebook.readable_markdown(nb, refs)
    assert nb["cells"][0]["source"] == "1"


LEFTOVER = [re.compile(r"\{[a-z]+(?::[a-z]+)?\}`"), re.compile(r"^\([\w-]+\)=\s*$", re.M),
            re.compile(r"^`{3,}\{", re.M), re.compile(r"^:(?:class|label|pyobject):", re.M)]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_launch_copies_hold_no_myst_that_colab_would_show_as_typed(path):
    _assert_no_leftover_myst(path)


def _assert_no_leftover_myst(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for pattern in LEFTOVER:
            found = pattern.search(text)
            assert not found, f"{path.name}: {text[max(0, found.start() - 60):found.end() + 60]!r}"


def test_every_reference_of_the_chapters_resolves():
    refs = pm.book_references(ROOT)
    missing = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        for match in re.finditer(r"\{(eq|numref|ref|cite:t|cite:p|doc)\}`([^`]*)`",
                                 path.read_text(encoding="utf-8")):
            role, body = match.groups()
            label = re.sub(r"^.*<(.+)>$", r"\1", body).strip()
            if role == "eq" or role == "numref":
                ok = label in refs.numbers
            elif role == "ref":
                ok = label in refs.titles or label in refs.numbers
            elif role == "doc":
                ok = re.sub(r"^(\.\./)+", "", label) in refs.titles or "<" in body
            else:
                ok = all(k.strip() in refs.bibliography for k in body.split(","))
            if not ok:
                missing.append(f"{path.name}: {match.group(0)}")
    assert not missing, missing


def test_doc_roles_become_links_to_the_source_when_asked(refs):
    refs.link_docs = True
    assert (pm.to_jupyter("{doc}`the notes <../chapters/01_recurrence>`", refs)
            == "[the notes](../chapters/01_recurrence.md)")
    refs.titles["solutions/05_deep_recursive"] = "Solutions"
    assert (pm.to_jupyter("{doc}`../solutions/05_deep_recursive`", refs)
            == "[Solutions](../solutions/05_deep_recursive.ipynb)")
    assert pm.to_jupyter("{doc}`../nowhere/x`", refs) == "nowhere/x"


@pytest.mark.parametrize("path", sorted([*(ROOT / "exercises").glob("*.ipynb"),
                                         *(ROOT / "solutions").glob("*.ipynb")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exercise_notebooks_hold_no_myst_that_jupyter_would_show_as_typed(path):
    _assert_no_leftover_myst(path)
