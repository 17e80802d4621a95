"""The numpy core imports only numpy: no torch, matplotlib, ipywidgets or tqdm behind it.

Each top-level module of ``textbook_rnn`` (all but ``widgets``, which exists to
wire ipywidgets) and the ``tasks`` package are imported one after another in a
fresh interpreter, which reports which heavy packages each import pulled in.
A fresh process is needed: in this one, other tests have imported torch long
ago.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import textbook_rnn

FORBIDDEN = ("torch", "matplotlib", "ipywidgets", "tqdm")
NOT_CORE = {"widgets"}

CORE = ["textbook_rnn", "textbook_rnn.tasks"] + [
    f"textbook_rnn.{m.name}"
    for m in pkgutil.iter_modules(textbook_rnn.__path__)
    if not m.ispkg and m.name not in NOT_CORE
]

PROBE = """
import importlib, json, sys
forbidden, pulled = {forbidden!r}, {{}}
for name in {modules!r}:
    importlib.import_module(name)
    new = [f for f in forbidden if f in sys.modules and f not in sum(pulled.values(), [])]
    if new:
        pulled[name] = new
print(json.dumps(pulled))
"""


def test_the_core_lists_the_numpy_modules():
    # a guard against an empty or mis-named list, which would make the next test vacuous
    for name in ("rnn", "bptt", "gated", "lstm", "gru", "dynamics", "reservoir", "clipping"):
        assert f"textbook_rnn.{name}" in CORE


def test_numpy_core_imports_neither_torch_nor_matplotlib():
    code = PROBE.format(forbidden=FORBIDDEN, modules=CORE)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    pulled = json.loads(done.stdout.strip().splitlines()[-1])
    assert pulled == {}, f"the numpy core imports optional packages: {pulled}"
