"""Cached results of trainings too long to run while the book builds.

Each ``<name>.json`` here is written by a script in ``tools/`` whose command
the file records under ``"command"``; :func:`load` reads one back.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["load"]


def load(name: str) -> dict:
    """Read the cached result ``<name>.json`` shipped with the package.

    Parameters
    ----------
    name : str
        The file's name without ``.json``, e.g. ``"ntm_copy"``.

    Returns
    -------
    dict
        The decoded JSON.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a plain file name such as 'ntm_copy', got {name!r}")
    path = resources.files(__name__) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no cached data named {name!r} in textbook_rnn.data")
    return json.loads(path.read_text(encoding="utf-8"))
