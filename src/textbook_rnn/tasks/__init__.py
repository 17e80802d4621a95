"""Toy tasks and data sets, one module per task family; only numpy is imported.

- :mod:`.recall`: delayed recall of a symbol (chapter "Back-propagation through time");
- :mod:`.adding`: the adding problem (chapters "Gated RNNs" and "Optimisation");
- :mod:`.counting`: the counting languages aⁿbⁿ and aⁿbⁿcⁿ (chapter "Gated RNNs");
- :mod:`.copy`: the copy task of the Neural Turing Machine (chapter "Explicit memory");
- :mod:`.expressions`: arithmetic expressions modulo 7 as trees and strings (chapter
  "Deep and recursive networks");
- :mod:`.phrases`: sentences of two-word phrases with known brackets (same chapter).
- :mod:`.binary_counter`: a binary counter of pulses (chapter "Deep and recursive networks").

Every generator takes a seed or a ``numpy.random.Generator`` and returns
arrays in the book's batch-first layout, ``(N, T, D)``.
"""

from .adding import ADDING_BASELINE_MSE, adding_batches, adding_problem, constant_guess_mse
from .binary_counter import counter_batches, counter_task
from .copy import copy_batches, copy_bits_wrong, copy_capacity_bits, copy_task
from .counting import (
    accepted,
    counter_unit,
    counting_batches,
    counting_language,
    counting_symbols,
    generalisation_range,
)
from .expressions import (
    evaluate,
    expression_dataset,
    majority_rates,
    random_expression,
    to_tokens,
)
from .phrases import phrase_sentences
from .recall import delayed_recall, recall_accuracy

__all__ = [
    "ADDING_BASELINE_MSE",
    "accepted",
    "adding_batches",
    "adding_problem",
    "constant_guess_mse",
    "copy_batches",
    "copy_bits_wrong",
    "copy_capacity_bits",
    "copy_task",
    "counter_unit",
    "counting_batches",
    "counting_language",
    "counting_symbols",
    "delayed_recall",
    "evaluate",
    "expression_dataset",
    "generalisation_range",
    "majority_rates",
    "phrase_sentences",
    "random_expression",
    "recall_accuracy",
    "to_tokens",
]
__all__ += ["counter_batches", "counter_task"]
