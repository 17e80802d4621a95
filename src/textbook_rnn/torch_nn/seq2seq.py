"""Encoder-decoder networks in torch, with and without attention (chapter "... attention").

Sections *Bidirectional networks*, *Encoder-decoder networks* and *Attention*
of ``chapters/04_attention.md``:

- :class:`Tagger`: a one-layer GRU (one or two directions) with a read-out at
  every step, for the evidence-ahead task.
- :class:`Seq2Seq`: an encoder (GRU or LSTM, one or two directions) reads the
  source; a decoder cell writes the target one token at a time from
  ``[embedding of the previous token ; c_t]``. Without attention c_t is the
  same fixed context C at every step, the encoder's final state(s); with
  attention c_t = Σ_j α_tj h_j over the encoder's states, with Bahdanau's
  additive score of the decoder's previous state (equations ``att-additive``,
  ``att-weights``, ``att-context``, the same as
  :func:`textbook_rnn.attention.additive_attention_forward`). The read-out
  sees ``[s_t ; c_t]``.
- :func:`greedy_decode`: the most likely token at every step, fed back.
- :func:`sequence_batch`: pack a source and the decoder's input into one
  tensor, so that :func:`textbook_rnn.torch_nn.models.train` (seeded, one
  thread, a progress bar) trains these models unchanged.

torch is imported when this module is imported, with an install hint when it
is missing.
"""

from __future__ import annotations

import numpy as np

from .._optional import require
from .._validate import check_positive_int
from ..tasks.translation import BOS, PAD, decoder_input

torch = require("torch")
nn = torch.nn

__all__ = ["Tagger", "Seq2Seq", "AdditiveAttention", "sequence_batch", "seq2seq_loss",
           "greedy_decode", "token_accuracy", "sequence_accuracy"]


class Tagger(nn.Module):
    """A GRU over one-hot bits with a read-out at every step (section *Bidirectional*).

    Parameters
    ----------
    hidden : int
        Units per direction.
    bidirectional : bool
        Add a direction that reads the sequence backwards.
    n_in, n_out : int
        Input symbols (one-hot) and output classes.
    """

    def __init__(self, hidden: int = 16, *, bidirectional: bool = False, n_in: int = 2,
                 n_out: int = 2) -> None:
        super().__init__()
        self.n_in = check_positive_int("n_in", n_in)
        self.cell = "bidirectional GRU" if bidirectional else "GRU"
        self.rnn = nn.GRU(n_in, check_positive_int("hidden", hidden), batch_first=True,
                          bidirectional=bidirectional)
        self.out = nn.Linear(hidden * (2 if bidirectional else 1), n_out)

    def forward(self, x):
        """Logits (N, T, n_out) for integer inputs x (N, T)."""
        h, _ = self.rnn(nn.functional.one_hot(x, self.n_in).float())
        return self.out(h)


class AdditiveAttention(nn.Module):
    """Bahdanau's score w_aᵀ tanh(W_q q + W_k k_j), softmax over the kept keys, context.

    Parameters
    ----------
    query_size, key_size, size : int
        Dq, Dk and A of equation ``att-additive``.
    """

    def __init__(self, query_size: int, key_size: int, size: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_size, size, bias=False)
        self.W_k = nn.Linear(key_size, size, bias=False)
        self.w_a = nn.Linear(size, 1, bias=False)

    def forward(self, q, k_proj, v, mask):
        """Context (N, Dv) and weights (N, T) for one query q (N, Dq).

        ``k_proj`` is ``W_k k`` (N, T, A), computed once per source; ``mask``
        (N, T) is True for real tokens.
        """
        # e_j = w_aᵀ tanh(W_q q + W_k k_j)
        e = self.w_a(torch.tanh(self.W_q(q)[:, None, :] + k_proj)).squeeze(-1)  # (N, T)
        # padding gets -inf before the softmax, so its weight is exactly 0
        alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)
        # c = Σ_j α_j v_j
        return torch.bmm(alpha[:, None, :], v).squeeze(1), alpha


class Seq2Seq(nn.Module):
    """An encoder-decoder, with a fixed context C or with attention (sections 3 and 4).

    Parameters
    ----------
    n_tokens : int
        Vocabulary size, special tokens included.
    embed : int
        Embedding size.
    enc_hidden : int
        Encoder units per direction.
    dec_hidden : int
        Decoder units.
    cell : {"gru", "lstm"}
        Encoder and decoder cell.
    bidirectional : bool
        A bidirectional encoder.
    attention : bool
        Attend over the encoder's states (else the fixed context C).
    attention_size : int
        A in equation ``att-additive``.
    feed_context : bool
        Without attention, give C to the decoder at every step (the default,
        as Cho et al. 2014 do) or only through its initial state (as
        Sutskever et al. 2014 do).
    """

    def __init__(self, n_tokens: int, *, embed: int = 32, enc_hidden: int = 64,
                 dec_hidden: int = 128, cell: str = "gru", bidirectional: bool = True,
                 attention: bool = True, attention_size: int = 64,
                 feed_context: bool = True) -> None:
        super().__init__()
        if cell not in ("gru", "lstm"):
            raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}")
        self.kind, self.attention = cell, bool(attention)
        self.feed_context = bool(feed_context) or self.attention
        self.cell = f"{cell.upper()} {'with' if attention else 'without'} attention"
        directions = 2 if bidirectional else 1
        enc_out = directions * enc_hidden
        self.embed = nn.Embedding(n_tokens, embed, padding_idx=PAD)
        layer = nn.GRU if cell == "gru" else nn.LSTM
        self.encoder = layer(embed, enc_hidden, batch_first=True, bidirectional=bidirectional)
        self.bridge = nn.Linear(enc_out, dec_hidden)  # s_0 = tanh(B C + b)
        step = nn.GRUCell if cell == "gru" else nn.LSTMCell
        self.decoder = step(embed + enc_out, dec_hidden)
        self.attend = AdditiveAttention(dec_hidden, enc_out, attention_size) if attention \
            else None
        self.readout = nn.Linear(dec_hidden + enc_out, n_tokens)

    # -- the encoder ---------------------------------------------------------
    def encode(self, src):
        """Encoder states (N, S, Dk), mask (N, S) and the fixed context C (N, Dk)."""
        mask = src != PAD
        lengths = mask.sum(dim=1).clamp(min=1)
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(src), lengths.cpu(),
                                                   batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True,
                                                  total_length=src.shape[1])
        h_n = final[0] if self.kind == "lstm" else final  # (directions, N, H)
        # C: the forward direction's last state, and the backward one's state at t = 1
        C = torch.cat(list(h_n), dim=-1)  # (N, Dk)
        return out, mask, C

    def _start(self, C):
        s = torch.tanh(self.bridge(C))
        return (s, torch.zeros_like(s)) if self.kind == "lstm" else s

    def _step(self, token, state, enc):
        """One decoder step: token (N,) → logits (N, V), new state, weights (N, S) or None."""
        out, mask, C, k_proj = enc
        s_prev = state[0] if self.kind == "lstm" else state
        if self.attention:
            c, alpha = self.attend(s_prev, k_proj, out, mask)  # uses s_{t-1}
        else:
            c, alpha = (C if self.feed_context else torch.zeros_like(C)), None
        state = self.decoder(torch.cat([self.embed(token), c], dim=-1), state)
        s = state[0] if self.kind == "lstm" else state
        return self.readout(torch.cat([s, c], dim=-1)), state, alpha

    def _prepare(self, src):
        out, mask, C = self.encode(src)
        k_proj = self.attend.W_k(out) if self.attention else None
        return (out, mask, C, k_proj), self._start(C)

    def forward(self, x, return_weights: bool = False):
        """Logits (N, T, V) under teacher forcing; x is :func:`sequence_batch`'s (N, 2, T)."""
        src, dec_in = x[:, 0], x[:, 1]
        enc, state = self._prepare(src)
        logits, weights = [], []
        for t in range(dec_in.shape[1]):
            o, state, alpha = self._step(dec_in[:, t], state, enc)
            logits.append(o)
            weights.append(alpha)
        logits = torch.stack(logits, dim=1)
        if return_weights:
            return logits, (torch.stack(weights, dim=1) if self.attention else None)
        return logits


def sequence_batch(src, tgt) -> np.ndarray:
    """One int array (N, 2, T) holding the source (row 0) and the decoder's input (row 1).

    The source is padded with ``PAD`` (or cut, when it is longer, only if the
    cut part is padding) to the target's length T.

    Parameters
    ----------
    src : ndarray of int, shape (N, S)
    tgt : ndarray of int, shape (N, T)

    Returns
    -------
    ndarray of int, shape (N, 2, max(S, T))
    """
    src, tgt = np.asarray(src), np.asarray(tgt)
    T = max(src.shape[1], tgt.shape[1])
    out = np.full((src.shape[0], 2, T), PAD, dtype=np.int64)
    out[:, 0, : src.shape[1]] = src
    out[:, 1, : tgt.shape[1]] = decoder_input(tgt)
    return out


def seq2seq_loss(logits, y):
    """Cross-entropy per target token, padding left out; logits (N, T, V), y (N, T')."""
    T = y.shape[1]
    return nn.functional.cross_entropy(logits[:, :T].reshape(-1, logits.shape[-1]),
                                       y.reshape(-1), ignore_index=PAD)


@torch.no_grad()
def greedy_decode(model: Seq2Seq, src, steps: int):
    """Decode greedily: feed back the most likely token, ``steps`` times.

    Parameters
    ----------
    model : Seq2Seq
    src : ndarray of int, shape (N, S)
    steps : int
        Tokens to produce.

    Returns
    -------
    tokens : ndarray of int, shape (N, steps)
    weights : ndarray, shape (N, steps, S), or None without attention
    """
    was = model.training
    model.eval()
    try:
        src = torch.as_tensor(np.asarray(src), dtype=torch.int64)
        enc, state = model._prepare(src)
        token = torch.full((src.shape[0],), BOS, dtype=torch.int64)
        tokens, weights = [], []
        for _ in range(check_positive_int("steps", steps)):
            o, state, alpha = model._step(token, state, enc)
            token = o.argmax(dim=-1)
            tokens.append(token)
            weights.append(alpha)
    finally:
        model.train(was)
    w = torch.stack(weights, dim=1).numpy() if model.attention else None
    return torch.stack(tokens, dim=1).numpy(), w


def token_accuracy(pred, tgt) -> float:
    """Fraction of the target's non-padding tokens predicted at their position."""
    pred, tgt = np.asarray(pred), np.asarray(tgt)
    keep = tgt != PAD
    return float((pred[:, : tgt.shape[1]] == tgt)[keep].mean())


def sequence_accuracy(pred, tgt) -> np.ndarray:
    """Per example: 1.0 when every token up to and including ``EOS`` is right, else 0.0."""
    pred, tgt = np.asarray(pred), np.asarray(tgt)
    keep = tgt != PAD
    right = (pred[:, : tgt.shape[1]] == tgt) | ~keep
    return right.all(axis=1).astype(float)


# ---------------------------------------------------------------------------
# The chapter's experiments: one seeded run each (tools/seq2seq_sweep.py runs many)
# ---------------------------------------------------------------------------

#: Settings of the three experiments, as the chapter and the sweep use them.
EVIDENCE = {"T": 24, "hidden": 16, "batch": 64, "lr": 1e-2, "steps": 400}
REVERSAL = {"length": 12, "n_symbols": 20, "embed": 32, "hidden": 128, "batch": 64,
            "lr": 3e-3, "steps": 600, "test": 500, "feed_context": False}
COPY = {"min_length": 5, "max_length": 20, "n_symbols": 20, "embed": 32, "enc_hidden": 64,
        "dec_hidden": 128, "batch": 64, "lr": 3e-3, "steps": 2000, "test": 100,
        "log_every": 50}


def _cpu_train(model, make_batch, steps, lr, seed, loss, **kw):
    """:func:`models.train` on the CPU (the same numbers on every machine), one thread."""
    from .models import train
    return train(model, make_batch, steps=steps, lr=lr, seed=seed, loss=loss, device="cpu",
                 **kw)


def run_evidence(seed: int, k: int, bidirectional: bool, *, steps: int | None = None,
                 progress=False) -> dict:
    """Train a :class:`Tagger` on :func:`~textbook_rnn.tasks.evidence.evidence_ahead`.

    Returns
    -------
    dict
        ``accuracy`` on 1,000 fresh sequences (steps with a defined label only),
        and the training ``loss`` history.
    """
    from ..tasks.evidence import evidence_ahead, masked_accuracy
    cfg = EVIDENCE
    steps = cfg["steps"] if steps is None else steps
    torch.manual_seed(seed)
    model = Tagger(cfg["hidden"], bidirectional=bidirectional)

    def batch(rng):
        return evidence_ahead(cfg["batch"], cfg["T"], k, seed=rng)

    def loss(out, y, mask):
        ce = nn.functional.cross_entropy(out.transpose(1, 2), y, reduction="none")
        return (ce * mask).sum() / mask.sum()

    hist = _cpu_train(model, batch, steps, cfg["lr"], seed, loss, log_every=50,
                      progress=progress)
    x, y, mask = evidence_ahead(1000, cfg["T"], k, seed=10_000 + seed)
    with torch.no_grad():
        pred = model(torch.as_tensor(x)).argmax(-1).numpy()
    return {"accuracy": masked_accuracy(pred, y, mask), "steps": hist["step"],
            "loss": hist["loss"]}


def run_reversal(seed: int, reverse: bool, *, steps: int | None = None,
                 progress=False) -> dict:
    """Train an LSTM encoder-decoder (fixed context) on the translation-like task.

    Returns
    -------
    dict
        ``token_accuracy`` of greedy decoding on fresh sentences, and the loss history.
    """
    from ..tasks.translation import N_SPECIAL, translation_pairs
    cfg = REVERSAL
    steps = cfg["steps"] if steps is None else steps
    torch.manual_seed(seed)
    model = Seq2Seq(cfg["n_symbols"] + N_SPECIAL, embed=cfg["embed"], enc_hidden=cfg["hidden"],
                    dec_hidden=cfg["hidden"], cell="lstm", bidirectional=False,
                    attention=False, feed_context=cfg["feed_context"])

    def batch(rng):
        src, tgt = translation_pairs(cfg["batch"], cfg["length"], n_symbols=cfg["n_symbols"],
                                     reverse=reverse, seed=rng)
        return sequence_batch(src, tgt), tgt

    hist = _cpu_train(model, batch, steps, cfg["lr"], seed, seq2seq_loss, log_every=25,
                      progress=progress)
    src, tgt = translation_pairs(cfg["test"], cfg["length"], n_symbols=cfg["n_symbols"],
                                 reverse=reverse, seed=10_000 + seed)
    pred, _ = greedy_decode(model, src, tgt.shape[1])
    return {"token_accuracy": token_accuracy(pred, tgt), "steps": hist["step"],
            "loss": hist["loss"]}


def copy_test_set(length: int, n: int, seed: int = 0):
    """The copy task's test sources and targets of one length (the same for every model)."""
    from ..tasks.translation import copy_pairs
    cfg = COPY
    return copy_pairs(n, cfg["min_length"], cfg["max_length"], n_symbols=cfg["n_symbols"],
                      seed=20_000 + 100 * seed + length, lengths=np.full(n, length))[:2]


def accuracy_by_length(model, lengths, n: int) -> list[float]:
    """Greedy whole-sequence accuracy of ``model`` on ``n`` test copies of each length."""
    out = []
    for L in lengths:
        src, tgt = copy_test_set(L, n)
        pred, _ = greedy_decode(model, src, tgt.shape[1])
        out.append(float(sequence_accuracy(pred, tgt).mean()))
    return out


def run_copy(seed: int, attention: bool, *, steps: int | None = None, checkpoints=(),
             inputs=None, progress=False) -> dict:
    """Train a bidirectional-GRU encoder-decoder on the copy task, with or without attention.

    Parameters
    ----------
    seed : int
    attention : bool
    steps : int, optional
        Updates (default ``COPY["steps"]``).
    checkpoints : sequence of int
        Steps (multiples of ``COPY["log_every"]``) at which to record the
        attention weights of greedy decoding on ``inputs``.
    inputs : ndarray of int, shape (n, S), optional
        Sources whose weights are recorded.
    progress : bool or str

    Returns
    -------
    dict
        ``lengths``, ``accuracy`` (greedy whole-sequence accuracy per length),
        the loss history (``steps``, ``loss``) and, with checkpoints,
        ``weights[c][i]``: the weights (T_out, S) for input i at checkpoint c,
        and ``outputs[c][i]``: the decoded tokens.
    """
    from ..tasks.translation import N_SPECIAL, copy_pairs
    cfg = COPY
    steps = cfg["steps"] if steps is None else steps
    torch.manual_seed(seed)
    model = Seq2Seq(cfg["n_symbols"] + N_SPECIAL, embed=cfg["embed"],
                    enc_hidden=cfg["enc_hidden"], dec_hidden=cfg["dec_hidden"], cell="gru",
                    bidirectional=True, attention=attention)

    def batch(rng):
        src, tgt, _ = copy_pairs(cfg["batch"], cfg["min_length"], cfg["max_length"],
                                 n_symbols=cfg["n_symbols"], seed=rng)
        return sequence_batch(src, tgt), tgt

    record = {"weights": [], "outputs": []}
    done = iter(sorted(checkpoints))
    want = [next(done, None)]
    calls = [0]

    def evaluate(m):
        calls[0] += 1
        step = calls[0] * cfg["log_every"]
        if want[0] is not None and step >= want[0] and inputs is not None:
            lengths = (np.asarray(inputs) != PAD).sum(axis=1)
            pred, w = greedy_decode(m, inputs, int(lengths.max()) + 1)
            record["weights"].append([w[i, : L + 1, :L].round(3).tolist()
                                      for i, L in enumerate(lengths)])
            record["outputs"].append([pred[i, : L + 1].tolist() for i, L in enumerate(lengths)])
            want[0] = next(done, None)
        return 0.0

    hist = _cpu_train(model, batch, steps, cfg["lr"], seed, seq2seq_loss,
                      log_every=cfg["log_every"], progress=progress,
                      evaluate=evaluate if (checkpoints and attention) else None)
    lengths = list(range(cfg["min_length"], cfg["max_length"] + 1))
    out = {"lengths": lengths, "accuracy": accuracy_by_length(model, lengths, cfg["test"]),
           "steps": hist["step"], "loss": hist["loss"]}
    if checkpoints and attention:
        out.update(record)
    return out
