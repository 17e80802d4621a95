"""Toy tasks and data sets, one module per task family; only numpy is imported.

- :mod:`.recall`: delayed recall of a symbol (chapter "Back-propagation through time");
- :mod:`.adding`: the adding problem (chapters "Gated RNNs" and "Optimisation");
- :mod:`.counting`: the counting languages aⁿbⁿ and aⁿbⁿcⁿ (chapter "Gated RNNs").

Every generator takes a seed or a ``numpy.random.Generator`` and returns
arrays in the book's batch-first layout, ``(N, T, D)``.
"""

from .adding import ADDING_BASELINE_MSE, adding_batches, adding_problem, constant_guess_mse
from .counting import (
    accepted,
    counter_unit,
    counting_batches,
    counting_language,
    counting_symbols,
    generalisation_range,
)
from .recall import delayed_recall, recall_accuracy

__all__ = [
    "ADDING_BASELINE_MSE",
    "accepted",
    "adding_batches",
    "adding_problem",
    "constant_guess_mse",
    "counter_unit",
    "counting_batches",
    "counting_language",
    "counting_symbols",
    "delayed_recall",
    "generalisation_range",
    "recall_accuracy",
]
