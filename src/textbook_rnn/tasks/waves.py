"""Waves to continue: the exposure-bias task of chapter "Sequence modelling".

:func:`waves` draws N signals of length T: a sine with a random phase and a
frequency drawn from a band (``kind="sine"``), or the sum of two such sines
with different frequencies (``kind="two_sines"``, harder: the model must
track two phases). A model sees the first ``prefix`` values and must
continue the signal on its own. :func:`signal_variance` is the error of the
best constant guess, the level a free-running model that has lost track
falls to. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["WAVE_KINDS", "waves", "signal_variance"]

WAVE_KINDS = ("sine", "two_sines")
"""The signal families :func:`waves` draws."""


def waves(n: int, T: int, *, kind: str = "sine", seed=0) -> np.ndarray:
    """Draw ``n`` signals of length ``T``.

    Parameters
    ----------
    n, T : int
        Number of signals and their length.
    kind : str
        ``"sine"``: sin(ω t + φ), ω uniform in [0.15, 0.35] rad per step, φ
        uniform in [0, 2π). ``"two_sines"``: the mean of two such sines, the
        second with ω uniform in [0.45, 0.75].
    seed : int or numpy.random.Generator
        The random source.

    Returns
    -------
    ndarray, shape (n, T, 1)
        The signals, batch first with one feature.
    """
    n, T = check_positive_int("n", n), check_positive_int("T", T)
    if kind not in WAVE_KINDS:
        raise ValueError(f"kind must be one of {WAVE_KINDS}, got {kind!r}")
    rng = as_rng(seed)
    t = np.arange(T)[None, :]  # (1, T)
    omega = rng.uniform(0.15, 0.35, size=(n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    y = np.sin(omega * t + phase)
    if kind == "two_sines":
        omega2 = rng.uniform(0.45, 0.75, size=(n, 1))
        phase2 = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
        y = 0.5 * (y + np.sin(omega2 * t + phase2))
    return y[..., None]


def signal_variance(y) -> float:
    """Mean squared error of predicting each signal's overall mean: Var over all values.

    Parameters
    ----------
    y : array_like, shape (n, T, 1)

    Returns
    -------
    float
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        raise ValueError("y must not be empty")
    return float(np.var(y))
