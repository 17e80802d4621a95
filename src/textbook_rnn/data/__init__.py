"""Results the book ships, too long to recompute while a chapter executes.

Each file ``<name>.json`` here was written by a script in ``tools/`` whose
command line the file records (key ``"command"``), and a test recomputes a
piece of it and compares:

- ``seed_sweeps``: the seeds chapters 2 and 8 do not run (``tools/seed_sweeps.py``);
- ``teacher_forcing``: chapter 3's teacher forcing against scheduled sampling
  (``tools/teacher_forcing_sweep.py``);
- ``char_lm_long``: chapter 3's longer character-model run (``tools/char_lm_long.py``);
- ``expressions``: chapter 5's tree network against an LSTM on arithmetic
  expressions (``tools/expressions_sweep.py``).
- ``deep_rnn``: chapter 5's wide layer against stacks of GRU layers on the binary
  pulse counter (``tools/deep_sweep.py``).

:func:`load` reads one file, :func:`available` lists them, :func:`runs`
selects runs of a seed sweep. Only the standard library is imported.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["available", "load", "runs"]


def available() -> list[str]:
    """The names :func:`load` accepts, sorted."""
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".json"))


def load(name: str = "seed_sweeps") -> dict:
    """Read the stored result ``<name>.json``.

    Parameters
    ----------
    name : str
        The file's name without ``.json``, e.g. ``"teacher_forcing"``.

    Returns
    -------
    dict
        The parsed JSON object; ``"command"`` says how to recompute it.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    names = available()
    if name not in names:
        raise ValueError(f"name must be one of {names}, got {name!r}")
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))


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
