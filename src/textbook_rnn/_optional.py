"""Import optional dependencies with an install hint when they are missing."""

from __future__ import annotations

import importlib

_HINTS = {
    "torch": "pip install torch==2.13.0   (or: pip install -r requirements.txt)",
    "matplotlib": "pip install matplotlib   (or: pip install -r requirements.txt)",
    "ipywidgets": "pip install ipywidgets   (or: pip install -r requirements.txt)",
}


def require(module: str):
    """Import ``module`` or raise ImportError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        hint = _HINTS.get(top, f"pip install {top}")
        raise ImportError(
            f"this part of textbook_rnn needs {top}; install it with: {hint}"
        ) from exc
