"""Checkers for the coding exercises: ``checks.rnn_step(my_rnn_step)``.

Each checker takes the reader's function, runs it on several small cases
against the reference code of :mod:`textbook_rnn`, and returns a
:class:`CheckResult`. Put the call last in a notebook cell: the cell then
shows a short plain-text report (what passed, the first failure, a hint), and
``bool(result)`` says whether everything passed. A checker never raises,
whatever the function does.

One module per chapter, named by the chapter's slug (``recurrence`` for
``chapters/01_recurrence.md``, ...); the harness they share
is in ``_core``.
"""

from ._core import CheckResult
from .attention import attention_backward, bidirectional_states, dot_product_attention
from .bptt import rnn_bptt, rnn_step_backward
from .deep_recursive import leaf_depths, path_length, tree_backward, tree_forward
from .gated import gru_step, lstm_step
from .long_term import jacobian_product_norms, rescale_spectral_radius
from .memory import content_weights, memory_write, shift_sharpen
from .optimisation import cliff_gradient, clip_by_norm
from .recurrence import rnn_step, sequence_nll
from .reservoirs import esn_states, leaky_backward, ridge_readout
from .sequence_modelling import halt_log_likelihood, softmax_temperature, teacher_forced_inputs

__all__ = ["CheckResult", "rnn_bptt", "rnn_step", "rnn_step_backward", "sequence_nll"]
__all__ += ["halt_log_likelihood", "softmax_temperature", "teacher_forced_inputs"]
__all__ += ["esn_states", "leaky_backward", "ridge_readout"]
__all__ += ["jacobian_product_norms", "rescale_spectral_radius"]
__all__ += ["gru_step", "lstm_step"]
__all__ += ["cliff_gradient", "clip_by_norm"]
__all__ += ["bidirectional_states", "dot_product_attention", "attention_backward"]
__all__ += ["content_weights", "shift_sharpen", "memory_write"]
__all__ += ["leaf_depths", "path_length", "tree_backward", "tree_forward"]


def _docs_cite_numbers() -> None:
    """Show equation numbers, not labels, in each checker's help (``checks.rnn_step?``).

    The docstrings in the source name equations by label (``rnn-a``), which the
    maintainers grep for; a reader asking for help sees "(1.10)", as in the book.
    """
    import re

    from ._core import cite_equations

    quoted = re.compile(r"``([\w-]+)``")
    for name in __all__:
        fn = globals()[name]
        if name != "CheckResult" and fn.__doc__:
            fn.__doc__ = quoted.sub(
                lambda m: f"({cited})" if (cited := cite_equations(m[1])) != m[1] else m[0],
                fn.__doc__)


_docs_cite_numbers()
