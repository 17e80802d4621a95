"""Results the chapters quote but cannot afford to compute on every build.

``seed_sweeps.json`` holds the seed sweeps of chapters 2 ("Back-propagation
through time") and 8 ("Gated RNNs: LSTM and GRU"): the same experiments as
the chapters, run with the seeds the chapters do not run. It is written by
``python tools/seed_sweeps.py`` (the command is stored in the file), and
``tests/test_claims.py`` recomputes a few of its entries and compares.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["load", "runs"]


def load(name: str = "seed_sweeps") -> dict:
    """The stored results of one data file of the book.

    Parameters
    ----------
    name : str
        The file's name without ``.json``.

    Returns
    -------
    dict
        The parsed file; ``"command"`` says how to recompute it.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a plain file name without extension, got {name!r}")
    path = resources.files(__name__).joinpath(f"{name}.json")
    if not path.is_file():
        raise FileNotFoundError(f"no data file {name}.json in textbook_rnn.data")
    return json.loads(path.read_text(encoding="utf-8"))


def runs(sweep: str, **match) -> list[dict]:
    """The runs of one sweep of ``seed_sweeps.json`` whose fields equal ``match``.

    Parameters
    ----------
    sweep : str
        ``"recall"``, ``"adding"``, ``"forget_bias"``, ``"counting"`` or
        ``"counting3"``.
    **match
        Field values to select, e.g. ``cell="lstm"``.

    Returns
    -------
    list of dict
        One dict per run, in the stored order.
    """
    data = load("seed_sweeps")
    if sweep not in data or sweep == "command":
        names = sorted(k for k in data if k != "command")
        raise ValueError(f"sweep must be one of {names}, got {sweep!r}")
    return [r for r in data[sweep] if all(r.get(k) == v for k, v in match.items())]
