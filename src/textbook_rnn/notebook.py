"""Run the book's notebooks outside the book: in Colab, on Binder, after a download.

The chapters are executed by the book's build (Jupyter Book and myst-nb), but a
reader may also open them elsewhere: the executed ``.ipynb`` offered on every
page, the exercise notebooks, or the launch copies that Colab opens. Two things
would break there, and this module holds what fixes them:

``glue``
    The chapters put computed numbers into their prose with myst-nb's ``glue``.
    They import it from here: with myst-nb installed (the build) it is myst-nb's
    own function; without it (Colab, a plain Jupyter) it shows the value, or
    nothing when ``display=False``, so that the notebook runs without the book's
    build stack.
``portable``
    Makes a notebook runnable on its own: puts the install cell first (see
    ``install_cell_source``) and rewrites ``from myst_nb import glue`` into an
    import of the fallback above. Used by ``book/_ext/download_ipynb.py`` (the
    downloads), ``tools/make_exercises.py`` (exercises and solutions) and
    ``tools/make_launch_notebooks.py`` (the copies Colab opens).

This module imports only the standard library (IPython and myst-nb on demand).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from typing import Any

__all__ = [
    "INSTALL_TAG",
    "add_install_cell",
    "extras_for",
    "glue",
    "glued",
    "install_cell_source",
    "portable",
    "readable_markdown",
    "without_build_stack",
]

#: Tag that marks the install cell (with ``remove-cell``, which hides it on the site).
INSTALL_TAG = "install-textbook-rnn"
_INSTALL_ID = "install-textbook-rnn"
_GLUE_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from[ \t]+myst_nb[ \t]+import[ \t]+glue\b",
                          re.MULTILINE)
_USES_TORCH = re.compile(r"\btorch")


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` under ``name`` for the prose, as ``myst_nb.glue`` does.

    Inside the book's build this is ``myst_nb.glue`` itself: the value can then
    be cited in the text with ``{glue:text}`name```. Without myst-nb (Colab, a
    downloaded notebook) the value is only shown, when ``display`` is true.

    Parameters
    ----------
    name : str
        The key the text refers to.
    variable : object
        The value to store (and show).
    display : bool, default True
        Whether to show the value in the cell's output as well.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    _GLUED[name] = variable
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(variable)
        return
    myst_glue(name, variable, display=display)


_GLUED: dict[str, Any] = {}


def glued() -> dict[str, Any]:
    """Every value glued so far in this kernel, by name (what ``⟨name⟩`` in the text stands for).

    Returns
    -------
    dict
        A copy: name to value, in the order the cells glued them.
    """
    return dict(_GLUED)


def _check_url(repository_url: str | None) -> str | None:
    if repository_url is None or repository_url == "":
        return None
    if not isinstance(repository_url, str):
        raise TypeError(f"repository_url must be a str or None, got {type(repository_url)}")
    if not repository_url.startswith("https://"):
        raise ValueError(
            f"repository_url must be an https:// address, got {repository_url!r}"
        )
    return repository_url.rstrip("/")


def extras_for(code: Iterable[str]) -> tuple[str, ...]:
    """The optional parts of ``textbook-rnn`` a notebook's code needs.

    Parameters
    ----------
    code : iterable of str
        The sources of the notebook's code cells.

    Returns
    -------
    tuple of str
        ``("notebooks",)`` (matplotlib, ipywidgets, threadpoolctl), plus
        ``"torch"`` when the code mentions torch (``import torch``,
        ``textbook_rnn.torch_nn``).
    """
    extras = ["notebooks"]
    if any(_USES_TORCH.search(source) for source in code):
        extras.append("torch")
    return tuple(extras)


def install_cell_source(
    repository_url: str | None = None,
    branch: str | None = None,
    extras: Iterable[str] = ("notebooks",),
) -> str:
    """The code of the cell that installs ``textbook_rnn`` where it is missing.

    Where the package imports (a local checkout, Binder, the build) the cell
    does nothing and prints nothing, so it leaves the stored outputs alone.

    Parameters
    ----------
    repository_url : str or None
        The book's public repository (``repository.url`` in ``_config.yml``).
        When given, the cell pip-installs the package from it; when None, the
        cell prints how to install the package from a copy of the repository.
    branch : str or None
        The branch to install from (``repository.branch``); None for the default.
    extras : iterable of str
        Optional parts of the package to install with it (see ``extras_for``).

    Returns
    -------
    str
        Python source for one notebook cell.
    """
    url = _check_url(repository_url)
    lines = [
        "# Makes this notebook run on its own (Colab, a downloaded copy): installs the",
        "# book's package, textbook_rnn, when it is missing; does nothing otherwise.",
        "try:",
        "    import textbook_rnn  # noqa: F401",
        "except ImportError:",
    ]
    extra = ",".join(extras)
    if url is None:
        local = f"pip install -e '.[{extra}]'" if extra else "pip install -e ."
        lines += [
            "    print(",
            "        \"This notebook needs the book's Python package, textbook_rnn, which is \"",
            "        \"not installed here. In the root folder of a copy of the book's \"",
            f"        \"repository, run\\n\\n    {local}\\n\\n\"",
            "        \"then restart the kernel and run this notebook again (the README of \"",
            "        \"the repository says more).\"",
            "    )",
        ]
    else:
        target = f"git+{url}" + (f"@{branch}" if branch else "")
        requirement = f"textbook-rnn[{extra}] @ {target}" if extra else f"textbook-rnn @ {target}"
        lines += [
            "    import importlib",
            "    import subprocess",
            "    import sys",
            "",
            f'    requirement = "{requirement}"',
            '    print(f"Installing {requirement} ...")',
            '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]',
            "    subprocess.check_call([*pip, requirement])",
            "    importlib.invalidate_caches()",
            "    import textbook_rnn  # noqa: F401",
        ]
    return "\n".join(lines)


def _code_sources(nb: MutableMapping) -> list[str]:
    return [_text(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code"]


def _text(source) -> str:
    return source if isinstance(source, str) else "".join(source)


def add_install_cell(
    nb: MutableMapping, repository_url: str | None = None, branch: str | None = None
) -> MutableMapping:
    """Put the install cell first in ``nb``, replacing an older one.

    Parameters
    ----------
    nb : dict-like
        A notebook (``nbformat.NotebookNode`` or the parsed JSON), changed in place.
    repository_url, branch : str or None
        As in ``install_cell_source``.

    Returns
    -------
    dict-like
        ``nb`` itself.
    """
    if not isinstance(nb, MutableMapping) or not isinstance(nb.get("cells"), list):
        raise TypeError("nb must be a notebook: a mapping with a 'cells' list")
    cells = [c for c in nb["cells"] if INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    source = install_cell_source(repository_url, branch, extras_for(_code_sources(
        {"cells": cells})))
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": [INSTALL_TAG, "remove-cell"]},
        "outputs": [],
        "source": source,
    }
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = _INSTALL_ID
    try:  # keep attribute access working when nb is an nbformat NotebookNode
        from nbformat import from_dict

        cell = from_dict(cell)
    except ImportError:
        pass
    nb["cells"] = [cell, *cells]
    return nb


def without_build_stack(nb: MutableMapping) -> MutableMapping:
    """Import ``glue`` from this module instead of myst-nb, in every code cell of ``nb``.

    Parameters
    ----------
    nb : dict-like
        A notebook, changed in place.

    Returns
    -------
    dict-like
        ``nb`` itself.
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", ""))
        if _GLUE_IMPORT.search(source):
            cell["source"] = _GLUE_IMPORT.sub(
                r"\g<indent>from textbook_rnn.notebook import glue", source
            )
    return nb


GLUE_NOTE = (
    "In this notebook, numbers that the book's website prints in the text appear as "
    "⟨name⟩: the code cells compute them. Once the cells have run, "
    "`from textbook_rnn.notebook import glued; glued()` lists every one with its value."
)


def readable_markdown(nb: MutableMapping, references) -> MutableMapping:
    """Rewrite the MyST roles and directives of ``nb``'s markdown cells for Jupyter and Colab.

    Parameters
    ----------
    nb : dict-like
        A notebook, changed in place.
    references : portable_markdown.References
        Numbers, titles, citations and glued values (``portable_markdown.book_references``).
        Where it holds no value for a glued name, the text shows ``⟨name⟩`` and a
        note at the top says how to see the values.

    Returns
    -------
    dict-like
        ``nb`` itself.
    """
    from .portable_markdown import to_jupyter

    placeholder = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = to_jupyter(_text(cell.get("source", "")), references)
        placeholder = placeholder or "⟨" in text
        cell["source"] = text
    if placeholder:
        first = next((c for c in nb["cells"] if c.get("cell_type") == "markdown"), None)
        if first is not None and GLUE_NOTE not in _text(first["source"]):
            first["source"] = _text(first["source"]).rstrip("\n") + f"\n\n*{GLUE_NOTE}*"
    return nb


def joined_streams(nb: MutableMapping) -> MutableMapping:
    """Join each run of consecutive stdout (or stderr) outputs of a cell into one output.

    A cell that prints around ``glue(..., display=False)`` calls leaves its
    printout in pieces once the build has dropped the glue records; the site
    shows it as one box (``nb_merge_streams``), and so does Jupyter after a
    rerun. Joining the pieces of a stored notebook gives the same picture. The
    text is kept exactly as printed.

    Parameters
    ----------
    nb : dict-like
        A notebook, changed in place.

    Returns
    -------
    dict-like
        ``nb`` itself.
    """
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        joined = []
        for output in outputs:
            last = joined[-1] if joined else None
            if (output.get("output_type") == "stream" and last is not None
                    and last.get("output_type") == "stream"
                    and last.get("name") == output.get("name")):
                last["text"] = _text(last.get("text", "")) + _text(output.get("text", ""))
            else:
                joined.append(output)
        cell["outputs"] = joined
    return nb


def portable(
    nb: MutableMapping, repository_url: str | None = None, branch: str | None = None,
    references=None,
) -> MutableMapping:
    """Make ``nb`` run outside the book: install cell first, no myst-nb import.

    Printouts split into pieces are joined as well (``joined_streams``).

    Parameters
    ----------
    nb : dict-like
        A notebook, changed in place.
    repository_url, branch : str or None
        As in ``install_cell_source``.
    references : portable_markdown.References, optional
        When given, the markdown cells are also rewritten for Jupyter and Colab
        (see ``readable_markdown``).

    Returns
    -------
    dict-like
        ``nb`` itself.
    """
    if references is not None:
        readable_markdown(nb, references)
    return add_install_cell(without_build_stack(joined_streams(nb)), repository_url, branch)
