"""Processing orders: the bidirectional RNN, and what a 2-D scan of an image can see.

The numpy core of the chapter "Bidirectional and encoder-decoder networks,
attention" (``chapters/04_attention.md``), sections *Bidirectional networks*
and *Two dimensions and other orders*::

    h→_t = tanh(b_f + W_f h→_{t-1} + U_f x_t),   t = 1 .. T         (bi-forward)
    h←_t = tanh(b_b + W_b h←_{t+1} + U_b x_t),   t = T .. 1         (bi-backward)
    h_t  = [h→_t ; h←_t]                                              (bi-concat)

The forward direction is the vanilla recurrence of chapter 1; the backward one
is the same recurrence run over the time-reversed sequence. Both directions
therefore call the package's one forward loop, :func:`textbook_rnn.rnn._recurrence`,
and the one BPTT kernel, :func:`textbook_rnn.bptt._rnn_backward`.

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from ._validate import Shapes, check_positive_int, float_dtype
from .bptt import _rnn_backward
from .rnn import _recurrence

__all__ = [
    "birnn_forward",
    "birnn_backward",
    "bidirectional_states",
    "grid_dependencies",
    "scan_costs",
]


def _check_birnn(x, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b):
    s = Shapes()
    arrays = (
        s.array("x", x, ("N", "T", "D")),
        s.array("h0_f", h0_f, ("N", "H")),
        s.array("h0_b", h0_b, ("N", "H")),
        s.array("U_f", U_f, ("H", "D")),
        s.array("W_f", W_f, ("H", "H")),
        s.array("b_f", b_f, ("H",)),
        s.array("U_b", U_b, ("H", "D")),
        s.array("W_b", W_b, ("H", "H")),
        s.array("b_b", b_b, ("H",)),
    )
    dt = float_dtype(*arrays)
    return tuple(a.astype(dt, copy=False) for a in arrays)


def birnn_forward(x, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b):
    """The bidirectional RNN, equations ``bi-forward`` to ``bi-concat``.

    Section *Bidirectional networks*. The same layout as
    ``torch.nn.RNN(bidirectional=True, batch_first=True)``: the first H
    features of ``h[:, t]`` are the forward state, the last H the backward one.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    h0_f, h0_b : ndarray, shape (N, H)
        Initial states of the forward direction (before t = 1) and of the
        backward direction (after t = T).
    U_f, W_f, b_f : ndarray, shapes (H, D), (H, H), (H,)
        Weights of the forward direction.
    U_b, W_b, b_b : ndarray, shapes (H, D), (H, H), (H,)
        Weights of the backward direction.

    Returns
    -------
    h : ndarray, shape (N, T, 2H)
        ``[h→_t ; h←_t]`` for every t.
    cache : tuple
        For :func:`birnn_backward`.
    """
    x, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b = _check_birnn(
        x, h0_f, h0_b, U_f, W_f, b_f, U_b, W_b, b_b)
    # forward direction: the chapter-1 recurrence, t = 1 .. T
    h_f = _recurrence(x @ U_f.T + b_f, h0_f, W_f)  # (N, T, H)
    # backward direction: the same recurrence over the reversed sequence, flipped back
    x_rev = x[:, ::-1]
    h_b_rev = _recurrence(x_rev @ U_b.T + b_b, h0_b, W_b)  # (N, T, H), in reversed time
    h = np.concatenate([h_f, h_b_rev[:, ::-1]], axis=2)  # (N, T, 2H)
    return h, (x, h0_f, h0_b, h_f, h_b_rev, U_f, W_f, U_b, W_b)


def birnn_backward(dh, cache):
    """Backward pass of :func:`birnn_forward`: BPTT in each direction, gradients of x added.

    Parameters
    ----------
    dh : ndarray, shape (N, T, 2H)
        Gradient of the loss with respect to every ``h_t`` (from the outputs).
    cache : tuple
        From :func:`birnn_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0_f, dh0_b : ndarray, shape (N, H)
    dU_f, dW_f, db_f, dU_b, dW_b, db_b : ndarray
        In the order of the arguments of ``birnn_forward``.
    """
    x, h0_f, h0_b, h_f, h_b_rev, U_f, W_f, U_b, W_b = cache
    N, T, H = h_f.shape
    dh = Shapes(N=N, T=T, H2=2 * H).array("dh", dh, ("N", "T", "H2"))
    dx_f, dh0_f, dU_f, dW_f, db_f = _rnn_backward(dh[:, :, :H], x, h0_f, h_f, U_f, W_f)
    # the backward direction is a forward recurrence in reversed time: reverse its gradient too
    dx_b_rev, dh0_b, dU_b, dW_b, db_b = _rnn_backward(
        dh[:, ::-1, H:], x[:, ::-1], h0_b, h_b_rev, U_b, W_b)
    # x_t feeds both directions, so its gradient is the sum of the two
    dx = dx_f + dx_b_rev[:, ::-1]
    return dx, dh0_f, dh0_b, dU_f, dW_f, db_f, dU_b, dW_b, db_b


def bidirectional_states(x, step_f, step_b, h0_f, h0_b) -> np.ndarray:
    """Bidirectional states for any two cells, equations ``bi-forward`` to ``bi-concat``.

    Section *Bidirectional networks*: the reference for the first coding exercise.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    step_f, step_b : callable
        ``step(x_t, h_prev) -> h_t`` with x_t (N, D) and states (N, H): the cells
        of the forward and of the backward direction.
    h0_f, h0_b : ndarray, shape (N, H)
        Initial states of the two directions.

    Returns
    -------
    ndarray, shape (N, T, 2H)
        ``[h→_t ; h←_t]`` for every t.
    """
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    h0_f = s.array("h0_f", h0_f, ("N", "H"))
    h0_b = s.array("h0_b", h0_b, ("N", "H"))
    if not (callable(step_f) and callable(step_b)):
        raise TypeError("step_f and step_b must be callables step(x_t, h_prev) -> h_t")
    T = x.shape[1]
    forward, backward = [None] * T, [None] * T
    h = h0_f
    for t in range(T):  # h→_t depends on x_1 .. x_t
        h = forward[t] = step_f(x[:, t], h)
    h = h0_b
    for t in reversed(range(T)):  # h←_t depends on x_t .. x_T
        h = backward[t] = step_b(x[:, t], h)
    return np.concatenate([np.stack(forward, axis=1), np.stack(backward, axis=1)], axis=2)


# --------------------------------------------------------------------------
# two dimensions: which pixels each output can see
# --------------------------------------------------------------------------

#: The four corners a 2-D scan can start from, as (row step, column step).
DIRECTIONS = {"↘": (1, 1), "↙": (1, -1), "↗": (-1, 1), "↖": (-1, -1)}


def _one_scan(rows: int, cols: int, direction: str) -> np.ndarray:
    """seen[i, j] = the pixels h_ij depends on, for one 2-D scan, by the recursion itself."""
    di, dj = DIRECTIONS[direction]
    seen = np.zeros((rows, cols, rows, cols), dtype=bool)
    row_order = range(rows) if di > 0 else range(rows - 1, -1, -1)
    col_order = range(cols) if dj > 0 else range(cols - 1, -1, -1)
    for i in row_order:
        for j in col_order:
            # h_ij = φ(U x_ij + W_r h_{i-di, j} + W_c h_{i, j-dj} + b)
            seen[i, j, i, j] = True
            if 0 <= i - di < rows:
                seen[i, j] |= seen[i - di, j]
            if 0 <= j - dj < cols:
                seen[i, j] |= seen[i, j - dj]
    return seen


def grid_dependencies(rows: int, cols: int, directions=("↘",)) -> np.ndarray:
    """Which pixels each output of a 2-D RNN depends on (section *Two dimensions*).

    A 2-D RNN scanning from the top-left corner computes
    h_ij = φ(U x_ij + W_r h_{i-1,j} + W_c h_{i,j-1} + b); other corners flip the
    steps. With several directions, the output at (i, j) concatenates their
    states and sees the union of what each sees. The answer is computed by
    running the recursion on sets of pixels, not written down.

    Parameters
    ----------
    rows, cols : int
        Image size.
    directions : sequence of str
        Any of ``"↘"``, ``"↙"``, ``"↗"``, ``"↖"`` (the corner a scan starts from,
        and where it goes).

    Returns
    -------
    ndarray of bool, shape (rows, cols, rows, cols)
        ``out[i, j, k, l]`` is True when output (i, j) depends on pixel (k, l).
    """
    rows = check_positive_int("rows", rows)
    cols = check_positive_int("cols", cols)
    directions = tuple(directions)
    if not directions or any(d not in DIRECTIONS for d in directions):
        raise ValueError(f"directions must be a non-empty sequence of {sorted(DIRECTIONS)}, "
                         f"got {directions!r}")
    seen = np.zeros((rows, cols, rows, cols), dtype=bool)
    for d in directions:
        seen |= _one_scan(rows, cols, d)
    return seen


def scan_costs(n: int, kernel: int = 3) -> dict[str, int]:
    """Sequential steps and receptive fields of 2-D RNNs and of a CNN on an n × n image.

    Section *Two dimensions and other orders*. A 2-D scan can compute every
    anti-diagonal at once (a wavefront), so it needs 2n - 1 sequential steps;
    four scans run side by side. A stack of L convolutions with a k × k kernel
    (stride 1) needs L sequential layers and sees a (L(k-1)+1)² square; for
    every output to see every pixel that square must be (2n - 1) wide.

    Parameters
    ----------
    n : int
        Side of the image.
    kernel : int
        Side k of the convolution kernel (odd, at least 3).

    Returns
    -------
    dict of str to int
        ``scan_steps`` (2n - 1), ``pixel_steps`` (n², one pixel at a time),
        ``cnn_layers_full_view`` (the depth L at which every output sees the
        whole image).
    """
    n = check_positive_int("n", n)
    kernel = check_positive_int("kernel", kernel)
    if kernel < 3 or kernel % 2 == 0:
        raise ValueError(f"kernel must be an odd integer of at least 3, got {kernel}")
    reach = kernel // 2  # pixels one layer adds on each side
    return {
        "scan_steps": 2 * n - 1,
        "pixel_steps": n * n,
        # L·reach ≥ n - 1 so that a pixel n - 1 away on each side is inside the field
        "cnn_layers_full_view": -(-(n - 1) // reach),
    }
