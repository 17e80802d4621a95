"""Cached results of long computations, shipped with the package as JSON.

Each ``<name>.json`` is written by a script in ``tools/`` that says, in the
file's ``"command"`` entry, how to recompute it; chapters read it with
:func:`load` instead of training for minutes during the build.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["load"]


def load(name: str) -> dict:
    """The cached results ``<name>.json`` of this package, as a dict.

    Parameters
    ----------
    name : str
        The file's name without ``.json``, e.g. ``"seq2seq"``.

    Returns
    -------
    dict
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a data set's name such as 'seq2seq', got {name!r}")
    path = resources.files(__name__) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no cached data named {name!r} in textbook_rnn.data")
    return json.loads(path.read_text(encoding="utf-8"))
