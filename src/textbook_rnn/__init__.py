"""textbook_rnn: the code behind the open textbook on recurrent networks.

Each module implements one chapter's ideas; the chapters import it and show
its source rather than redefining it. The numpy core (``rnn``) imports only
numpy; plotting, widgets and torch live in their own modules and are
imported on demand.
"""

from . import rnn
from .rnn import init_params, rnn_forward, rnn_step, sequence_nll

__version__ = "0.1.0"

__all__ = ["rnn", "init_params", "rnn_forward", "rnn_step", "sequence_nll", "__version__"]
