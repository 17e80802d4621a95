"""Gated recurrent cells, LSTM and GRU, with hand-written backward passes.

Chapter 8 ("Gated RNNs: LSTM and GRU"). Forward/backward pairs with caches,
batch first, in the book's notation: ``U`` multiplies the input, ``W`` the
previous hidden state, ``b`` is a bias, and a suffix names the gate (``U_f``
is the forget gate's input weights). Each example is a row, so ``W h`` for a
batch is ``h @ W.T``; σ is the logistic sigmoid and ⊙ the element-wise product.

LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
2000), equations ``lstm-f`` to ``lstm-h``::

    f_t = σ(b_f + U_f x_t + W_f h_{t-1} [+ p_f ⊙ s_{t-1}])   (lstm-f)  forget gate
    i_t = σ(b_i + U_i x_t + W_i h_{t-1} [+ p_i ⊙ s_{t-1}])   (lstm-i)  input gate
    g_t = tanh(b_g + U_g x_t + W_g h_{t-1})                  (lstm-g)  candidate
    s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t                          (lstm-s)  cell state
    o_t = σ(b_o + U_o x_t + W_o h_{t-1} [+ p_o ⊙ s_t])       (lstm-o)  output gate
    h_t = o_t ⊙ tanh(s_t)                                    (lstm-h)  hidden state

The bracketed terms are the optional peephole connections of Gers &
Schmidhuber (2000): diagonal weights ``p_f``, ``p_i``, ``p_o`` through which
the gates see the cell state (f and i the previous one, o the new one).

The cell state is called ``s``, not ``c``: in the book ``c`` is already the
output bias of ``o_t = c + V h_t``. Likewise ``o_t`` here is the output gate,
not the logits of chapter 1. How the names map::

    this module          Goodfellow et al. (2016) §10.10.1        torch.nn.LSTM
    -----------------    -------------------------------------    -------------
    f, U_f, W_f, b_f     forget gate f, U^f, W^f, b^f              f
    i, U_i, W_i, b_i     external input gate g, U^g, W^g, b^g      i
    g, U_g, W_g, b_g     the gated input, σ(b + U x + W h)         g
    o, U_o, W_o, b_o     output gate q, U^o, W^o, b^o              o
    s                    internal state s                          c

Beware the two g's: Goodfellow's superscript g marks the *input gate*
(here ``i``), while here and in torch ``g`` is the *candidate* that the input
gate lets through. Goodfellow writes a sigmoid for the candidate; this module,
like torch and most implementations, uses tanh, so that ``s`` can move in
both directions.

GRU (Cho et al. 2014; Goodfellow et al. 2016, §10.10.2), equations ``gru-u``
to ``gru-h``::

    u_t = σ(b_u + U_u x_t + W_u h_{t-1})                      (gru-u)  update gate
    r_t = σ(b_r + U_r x_t + W_r h_{t-1})                      (gru-r)  reset gate
    h̃_t = tanh(b_h + U_h x_t + W_h (r_t ⊙ h_{t-1}))           (gru-htilde)
    h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ h̃_t                     (gru-h)

That is the *reset-before* form of the book and of Cho et al.: the reset gate
scales ``h_{t-1}`` before the product with ``W_h``. ``torch.nn.GRU`` places
it *after* that product, together with a second candidate bias ``b_hn``::

    h̃_t = tanh(b_h + U_h x_t + r_t ⊙ (W_h h_{t-1} + b_hn))   (reset_after=True)

The two forms compute different functions in general (they agree only
when r_t = 1 and b_hn = 0), so every GRU function takes ``reset_after``:
``False`` for the book's form, ``True`` for torch's, which needs the extra
parameter ``b_hn`` (H,). In the reset-before form a hidden-side candidate bias would
simply add to ``b_h``, so there is none. Both forms interpolate the same way:
torch's ``h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}`` is (gru-h) with ``u = z``
and ``h̃ = n``::

    this module              Goodfellow §10.10.2            torch.nn.GRU
    ---------------------    ---------------------------    -------------------
    u, U_u, W_u, b_u         update gate u                  z
    r, U_r, W_r, b_r         reset gate r                   r
    h̃, U_h, W_h, b_h         the term σ(b + U x +           n, W_in, W_hn, b_in
                             W (r ⊙ h)); tanh here
    b_hn (reset_after only)  -                              b_hn

Goodfellow indexes the gates of step t with t - 1; here every quantity
computed at step t carries the index t.

Two implementations live side by side. The step functions
(:func:`lstm_step_forward`, :func:`gru_step_forward` and their backward
halves) follow the equations gate by gate and are the ones to read. The
sequence functions (:func:`lstm_forward`, :func:`lstm_backward`,
:func:`gru_forward`, :func:`gru_backward`) do the same arithmetic faster:
they stack the gates' weights into one ``(4H, D)``/``(4H, H)`` matrix (three
blocks for the GRU), compute every input term ``U x_t`` with one product
before the loop, keep only the recursion sequential, and compute the weight
gradients afterwards with one product over all N·T rows. The tests check
that both give the same numbers.

The code lives in :mod:`textbook_rnn.lstm` and :mod:`textbook_rnn.gru`
(shared pieces in ``_gated_common``); this module gathers them under one
name. Only numpy is imported; the torch converters are in
:mod:`textbook_rnn.torch_nn.gated`.
"""


from __future__ import annotations

from ._gated_common import GRU_GATES, LSTM_GATES, PEEPHOLES, sigmoid
from .gru import gru_backward, gru_forward, gru_init, gru_step, gru_step_backward, gru_step_forward
from .lstm import (
    cell_path_gain,
    lstm_backward,
    lstm_forward,
    lstm_init,
    lstm_step,
    lstm_step_backward,
    lstm_step_forward,
)

__all__ = [
    "LSTM_GATES",
    "GRU_GATES",
    "PEEPHOLES",
    "sigmoid",
    "lstm_init",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "cell_path_gain",
    "gru_init",
    "gru_step_forward",
    "gru_step_backward",
    "gru_step",
    "gru_forward",
    "gru_backward",
]
