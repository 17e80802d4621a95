"""The recursive network in torch, an LSTM over bracketed strings, and their race.

Chapter 5 ("Deep and recursive networks"), sections *Recursive networks* and
*Reproduction: expressions as trees*.

- :func:`torch_recursive_forward`: equation ``recursive-node`` with torch
  tensors, batched by level over a forest exactly as
  :func:`textbook_rnn.recursive.recursive_forward` is; autograd through it is
  the reference for the numpy back-propagation through structure.
- :class:`TreeNet`: that network with a readout ``o = c + V h_root``, trained
  on expression trees (:mod:`textbook_rnn.tasks.expressions`).
- :class:`TokenLSTM`: an embedding, ``torch.nn.LSTM`` (``batch_first=True``)
  and a linear readout of the state after the last token.
- :func:`expressions_run`: one seed of the reproduction. The tree network
  makes a fixed number of Adam updates; the LSTM then trains for the same
  wall time, measured in the same process, and both are tested at depths 1 to 6.

torch is imported when this module is imported, with an install hint when it
is missing.
"""

from __future__ import annotations

import time

import numpy as np

from .._optional import require
from .._validate import check_positive_int
from ..recursive import _check_forward_args, _heights, parse_tree
from ..tasks.expressions import (
    MODULUS,
    OPERATORS,
    TOKENS,
    expression_dataset,
    majority_rates,
    node_inputs,
    to_tokens,
    token_ids,
)

torch = require("torch")

__all__ = [
    "TokenLSTM",
    "TreeNet",
    "encode_tokens",
    "encode_trees",
    "expressions_run",
    "torch_recursive_forward",
]


def _level_states(x, kids, levels, U, W_L, W_R, b, M=None, b_M=None):
    """The states of every node (n, H); ``kids`` maps an absent child to row n.

    With ``M`` and ``b_M`` the composition has a second layer:
    h_n = tanh(b_M + M tanh(a_n)), a deep transition from children to parent.
    """
    n = x.shape[0]
    h = x.new_zeros((n + 1, U.shape[0] if M is None else M.shape[0]))
    for idx in levels:
        # h_n = tanh(b + U x_n + W_L h_left + W_R h_right), one level at a time
        z = torch.tanh(b + x[idx] @ U.T + h[kids[idx, 0]] @ W_L.T + h[kids[idx, 1]] @ W_R.T)
        if M is not None:
            z = torch.tanh(b_M + z @ M.T)
        h = h.index_put((idx,), z)
    return h[:n]


def _levels_of(heights: np.ndarray) -> list:
    """Index tensors of the nodes of each height, lowest first."""
    return [torch.from_numpy(np.flatnonzero(heights == k)) for k in range(heights.max() + 1)]


def torch_recursive_forward(x, children, U, W_L, W_R, b):
    """Equation ``recursive-node`` in torch, level by level; the numpy shapes.

    Parameters
    ----------
    x : array_like or Tensor, shape (n, D)
    children : array_like of int, shape (n, 2)
    U : array_like or Tensor, shape (H, D)
    W_L, W_R : array_like or Tensor, shape (H, H)
    b : array_like or Tensor, shape (H,)

    Returns
    -------
    Tensor, shape (n, H)
        Differentiable with respect to every tensor argument that requires grad.
    """
    plain = [v.detach().cpu().numpy() if torch.is_tensor(v) else v for v in (x, U, W_L, W_R, b)]
    _, children, *_ = _check_forward_args(plain[0], children, *plain[1:])
    tensors = [v if torch.is_tensor(v) else torch.as_tensor(np.asarray(v, dtype=np.float64))
               for v in (x, U, W_L, W_R, b)]
    n = children.shape[0]
    kids = torch.from_numpy(np.where(children >= 0, children, n)).to(tensors[0].device)
    levels = [idx.to(tensors[0].device) for idx in _levels_of(_heights(children))]
    return _level_states(tensors[0], kids, levels, *tensors[1:])


# ---------------------------------------------------------------------------
# Encoding expressions
# ---------------------------------------------------------------------------


def encode_trees(exprs) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each expression as ``(x, children, heights)`` for :func:`_batch_forest`.

    Parameters
    ----------
    exprs : sequence of expressions (nested tuples)

    Returns
    -------
    list of (ndarray (n, 10), ndarray of int (n, 2), ndarray of int (n,))
    """
    out = []
    for expr in exprs:
        tree = parse_tree(expr)
        out.append((node_inputs(tree.labels), tree.children, _heights(tree.children)))
    return out


def _batch_forest(encoded, pick):
    """Stack the chosen encoded trees into one forest: x, kids, levels, roots."""
    xs, kids, heights, roots, offset = [], [], [], [], 0
    for i in pick:
        x, children, height = encoded[i]
        xs.append(x)
        kids.append(np.where(children >= 0, children + offset, -1))
        heights.append(height)
        offset += x.shape[0]
        roots.append(offset - 1)
    children = np.concatenate(kids)
    n = offset
    kid_t = torch.from_numpy(np.where(children >= 0, children, n))
    x_t = torch.from_numpy(np.concatenate(xs)).float()
    return x_t, kid_t, _levels_of(np.concatenate(heights)), torch.tensor(roots)


def encode_tokens(exprs) -> tuple[np.ndarray, np.ndarray]:
    """The bracketed strings as padded token ids and their lengths.

    Parameters
    ----------
    exprs : sequence of expressions

    Returns
    -------
    ids : ndarray of int, shape (N, T_max)
        Token ids (:data:`textbook_rnn.tasks.expressions.TOKENS`), padded with 0.
    lengths : ndarray of int, shape (N,)
    """
    seqs = [token_ids(to_tokens(e)) for e in exprs]
    lengths = np.array([s.size for s in seqs], dtype=np.int64)
    ids = np.zeros((len(seqs), lengths.max()), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, :s.size] = s
    return ids, lengths


# ---------------------------------------------------------------------------
# The two models
# ---------------------------------------------------------------------------


class TreeNet(torch.nn.Module):
    """A recursive network with a readout on each root: ``o = c + V h_root``.

    Parameters
    ----------
    D, H, K : int
        Input, state and output sizes.
    seed : int
        Seeds the initial weights (normal, standard deviation 1/sqrt(fan-in)).
    """

    def __init__(self, D: int, H: int, K: int, *, deep: bool = False, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(int(seed))

        def init(*shape, fan):
            return torch.nn.Parameter(torch.randn(*shape, generator=g) / fan ** 0.5)

        self.U, self.W_L, self.W_R = init(H, D, fan=D), init(H, H, fan=H), init(H, H, fan=H)
        self.b = torch.nn.Parameter(torch.zeros(H))
        self.V, self.c = init(K, H, fan=H), torch.nn.Parameter(torch.zeros(K))
        self.deep = bool(deep)
        if self.deep:
            self.M, self.b_M = init(H, H, fan=H), torch.nn.Parameter(torch.zeros(H))

    def forward(self, x, kids, levels, roots):
        """Logits (M, K) at the roots of a forest (arguments from :func:`_batch_forest`)."""
        extra = (self.M, self.b_M) if self.deep else ()
        h = _level_states(x, kids, levels, self.U, self.W_L, self.W_R, self.b, *extra)
        return self.c + h[roots] @ self.V.T


class TokenLSTM(torch.nn.Module):
    """An LSTM reading token ids, read out after each sequence's last token.

    Parameters
    ----------
    n_tokens, H, K : int
        Vocabulary, state and output sizes (the embedding has H entries too).
    seed : int
        Seeds the initial weights.
    """

    def __init__(self, n_tokens: int, H: int, K: int, *, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(int(seed))
        self.embed = torch.nn.Embedding(n_tokens, H)
        self.lstm = torch.nn.LSTM(H, H, batch_first=True)
        self.out = torch.nn.Linear(H, K)

    def forward(self, ids, lengths):
        """Logits (N, K) from padded ids (N, T) and their lengths (N,)."""
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.out(h_n[-1])


# ---------------------------------------------------------------------------
# The reproduction: train on depth <= 3, test on depths 1..6
# ---------------------------------------------------------------------------


def _accuracy(predict, n_items: int, values: np.ndarray, depth: np.ndarray,
              chunk: int = 256) -> dict[int, float]:
    """Accuracy per depth of ``predict(indices) -> logits``."""
    with torch.no_grad():
        guess = np.concatenate([
            predict(np.arange(i, min(i + chunk, n_items))).argmax(1).cpu().numpy()
            for i in range(0, n_items, chunk)])
    return {int(d): float((guess[depth == d] == values[depth == d]).mean())
            for d in np.unique(depth)}


def _progress(progress, total: int, label: str):
    """A tqdm bar (no timings shown) or None."""
    if not progress:
        return None
    tqdm = require("tqdm.auto").tqdm
    return tqdm(total=total, desc=label, unit="step", leave=True, mininterval=0.5,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} steps")


def expressions_run(seed: int = 0, *, H: int = 64, steps: int = 2000, batch: int = 64,
                    lr: float = 3e-3, n_train: int = 4000, n_test: int = 500,
                    train_depths=(1, 2, 3), test_depths=(1, 2, 3, 4, 5, 6),
                    deep: bool = False, lstm: bool = True, lstm_max_steps: int | None = None,
                    lstm_steps: int | None = None, progress: bool = False) -> dict:
    """One seed of the reproduction: a tree network against an LSTM on expressions.

    Both models see the same training expressions (``n_train`` of each depth
    in ``train_depths``) in batches of ``batch`` and are trained with Adam at
    rate ``lr`` on the cross-entropy of the value (7 classes). The tree
    network makes ``steps`` updates; the LSTM is then trained for the same
    wall time (its update count is reported), or for at most
    ``lstm_max_steps`` updates. Accuracy is measured on ``n_test`` fresh
    expressions of each depth in ``test_depths``.

    Parameters
    ----------
    seed : int
        Seeds the data, the weights and the batches.
    H, steps, batch, lr, n_train, n_test, train_depths, test_depths
        As described above.
    lstm : bool
        Also train the LSTM.
    lstm_max_steps : int, optional
        A cap on the LSTM's updates (tests use it to stay short).
    lstm_steps : int, optional
        Train the LSTM for exactly this many updates instead of the tree
        network's wall time (to see what a larger budget buys it).
    progress : bool
        Show tqdm bars.

    Returns
    -------
    dict
        ``seed``, ``majority`` (rate per depth), and per model (``tree``,
        ``lstm``) ``accuracy`` per depth, ``updates`` and ``seconds``.
        Depths are string keys, as JSON stores them.
    """
    steps, batch = check_positive_int("steps", steps), check_positive_int("batch", batch)
    rng = np.random.default_rng(seed)
    train_exprs, train_values, _ = expression_dataset(n_train, train_depths, seed=rng)
    test_exprs, test_values, test_depth = expression_dataset(n_test, test_depths, seed=rng)
    y_train = torch.from_numpy(train_values)
    loss_fn = torch.nn.CrossEntropyLoss()
    result = {"seed": int(seed),
              "majority": {str(k): v for k, v in majority_rates(test_values, test_depth).items()}}

    # the tree network
    enc_train, enc_test = encode_trees(train_exprs), encode_trees(test_exprs)
    tree = TreeNet(MODULUS + len(OPERATORS), H, MODULUS, deep=deep, seed=seed)
    opt = torch.optim.Adam(tree.parameters(), lr=lr)
    bar = _progress(progress, steps, "tree network")
    start = time.perf_counter()
    for _ in range(steps):
        pick = rng.integers(len(enc_train), size=batch)
        loss = loss_fn(tree(*_batch_forest(enc_train, pick)), y_train[pick])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if bar is not None:
            bar.update(1)
    budget = time.perf_counter() - start
    if bar is not None:
        bar.close()
    acc = _accuracy(lambda idx: tree(*_batch_forest(enc_test, idx)), len(enc_test),
                    test_values, test_depth)
    result["tree"] = {"accuracy": {str(k): v for k, v in acc.items()}, "updates": steps,
                      "seconds": budget}
    if not lstm:
        return result

    # the LSTM, for the same wall time
    ids_train, len_train = (torch.from_numpy(a) for a in encode_tokens(train_exprs))
    ids_test, len_test = (torch.from_numpy(a) for a in encode_tokens(test_exprs))
    model = TokenLSTM(len(TOKENS), H, MODULUS, seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    cap = lstm_max_steps if lstm_max_steps is not None else 10 ** 9
    if lstm_steps is not None:  # a fixed number of updates, not the same time
        cap, budget = check_positive_int("lstm_steps", lstm_steps), float("inf")
    bar = _progress(progress, steps, "LSTM (same time)")
    updates, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget and updates < cap:
        pick = torch.from_numpy(rng.integers(len(train_exprs), size=batch))
        lengths = len_train[pick]
        loss = loss_fn(model(ids_train[pick, :int(lengths.max())], lengths), y_train[pick])
        opt.zero_grad()
        loss.backward()
        opt.step()
        updates += 1
        if bar is not None and lstm_steps is None:
            bar.n = min(steps, round(steps * (time.perf_counter() - start) / budget))
            bar.refresh()
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()

    def lstm_logits(idx):
        lengths = len_test[idx]
        return model(ids_test[idx, :int(lengths.max())], lengths)

    acc = _accuracy(lstm_logits, len(test_exprs), test_values, test_depth)
    result["lstm"] = {"accuracy": {str(k): v for k, v in acc.items()}, "updates": updates,
                      "seconds": seconds}
    return result
