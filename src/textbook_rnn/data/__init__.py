"""Results the book ships, too long to recompute while a chapter executes.

Each file ``<name>.json`` here was written by a script in ``tools/`` whose
name and command line the file records (key ``"command"``). :func:`load`
reads one. Only the standard library is imported.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["load", "available"]


def available() -> list[str]:
    """The names :func:`load` accepts, sorted."""
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".json"))


def load(name: str) -> dict:
    """Read the stored result ``<name>.json``.

    Parameters
    ----------
    name : str
        The file's name without ``.json``, e.g. ``"teacher_forcing"``.

    Returns
    -------
    dict
        The parsed JSON object.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    names = available()
    if name not in names:
        raise ValueError(f"name must be one of {names}, got {name!r}")
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))
