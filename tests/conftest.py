"""Fixtures shared by the tests in this folder (tests/site has its own conftest.py).

The shared problems and torch references are plain functions in problems.py,
imported by name. Here: an ``rng`` fixture, and (below) the helpers of the
checker tests.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with seed 0 for each test."""
    return np.random.default_rng(0)


# --------------------------------------------------------------------------- checkers
# Shared helpers of the checker tests (tests/test_checks_*.py) go in this section.
