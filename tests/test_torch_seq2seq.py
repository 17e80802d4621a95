"""Tests of textbook_rnn.torch_nn.seq2seq and of the cached data it produces."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import data
from textbook_rnn.tasks import translation
from textbook_rnn.torch_nn import seq2seq as s2s

V = 20 + translation.N_SPECIAL


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_shapes_and_weights(attention, cell):
    torch.manual_seed(0)
    model = s2s.Seq2Seq(V, embed=8, enc_hidden=6, dec_hidden=10, cell=cell,
                        attention=attention, attention_size=5)
    src, tgt, lengths = translation.copy_pairs(4, 2, 6, seed=0)
    batch = s2s.sequence_batch(src, tgt)  # the source padded to the target's length, 7
    logits, w = model(torch.as_tensor(batch), return_weights=True)
    assert logits.shape == (4, 7, V)
    if attention:
        assert w.shape == (4, 7, 7)
        w = w.detach().numpy()
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-6)
        # padding gets no attention
        pad = batch[:, 0] == translation.PAD
        assert (w.transpose(0, 2, 1)[pad] == 0).all()
    else:
        assert w is None
    tokens, weights = s2s.greedy_decode(model, src, 7)
    assert tokens.shape == (4, 7)
    assert (weights is None) != attention


def test_padding_does_not_change_the_encoding():
    torch.manual_seed(1)
    model = s2s.Seq2Seq(V, embed=8, enc_hidden=6, dec_hidden=10, attention=True)
    src, tgt, _ = translation.copy_pairs(3, 3, 5, seed=1, lengths=np.array([3, 4, 5]))
    wide = np.concatenate([src, np.zeros((3, 4), dtype=src.dtype)], axis=1)
    a, _ = s2s.greedy_decode(model, src, 6)
    b, _ = s2s.greedy_decode(model, wide, 6)
    np.testing.assert_array_equal(a, b)


def test_accuracy_measures():
    tgt = np.array([[5, 6, translation.EOS, 0], [7, translation.EOS, 0, 0]])
    pred = np.array([[5, 6, translation.EOS, 9], [7, 8, 0, 0]])
    np.testing.assert_array_equal(s2s.sequence_accuracy(pred, tgt), [1.0, 0.0])
    assert s2s.token_accuracy(pred, tgt) == pytest.approx(4 / 5)


def test_loss_ignores_padding():
    logits = torch.zeros(1, 3, V)
    logits[0, 2, 5] = 100.0  # a confident wrong answer at a padded step counts for nothing
    y = torch.tensor([[4, 4, translation.PAD]])
    assert float(s2s.seq2seq_loss(logits, y)) == pytest.approx(np.log(V), rel=1e-5)


def test_runs_are_seeded():
    a = s2s.run_evidence(0, 1, True, steps=5)
    b = s2s.run_evidence(0, 1, True, steps=5)
    assert a == b


def test_the_cached_data_has_every_run_the_chapter_reads():
    d = data.load("seq2seq")
    assert "command" in d and d["command"].startswith("python tools/seq2seq_sweep.py")
    for part in ("evidence", "reversal", "attention"):
        assert d[part]["runs"]
    variants = {(r["seed"], r["attention"]) for r in d["attention"]["runs"]}
    assert {a for _, a in variants} == {False, True}
    heat = d["attention"]["heatmaps"]
    assert len(heat["weights"]) == len(heat["checkpoints"])
    for per_input in heat["weights"]:
        for src, w in zip(heat["inputs"], per_input, strict=True):
            assert np.asarray(w).shape == (len(src) + 1, len(src))


def test_the_cache_recomputes_a_small_piece():
    """The first recorded losses of a cached reversal run come back from the same code."""
    d = data.load("seq2seq")
    run = next(r for r in d["reversal"]["runs"] if r["seed"] == 0 and r["reverse"])
    steps = run["steps"][0]
    again = s2s.run_reversal(0, True, steps=steps)
    assert again["loss"][0] == pytest.approx(run["loss"][0], rel=1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        s2s.Seq2Seq(V, cell="rnn")
    with pytest.raises(TypeError, match="steps"):
        s2s.greedy_decode(s2s.Seq2Seq(V, embed=4, enc_hidden=3, dec_hidden=4),
                          np.array([[3, 4]]), 1.5)


def test_the_sweep_runs_the_seeds_and_variants_the_chapter_describes():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "seq2seq_sweep.py"
    spec = importlib.util.spec_from_file_location("seq2seq_sweep", path)
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    jobs = sweep.jobs(quick=False)
    assert {(s, r) for e, s, r, _ in jobs if e == "reversal"} == {
        (s, r) for s in (0, 1, 2) for r in (False, True)}
    assert {(s, a) for e, s, a, _ in jobs if e == "attention"} == {
        (s, a) for s in (0, 1) for a in (False, True)}
    cps = sweep.checkpoints(s2s.COPY["steps"], s2s.COPY["log_every"])
    assert cps[-1] == s2s.COPY["steps"] and all(c % s2s.COPY["log_every"] == 0 for c in cps)
    assert cps == sorted(set(cps))
    inputs = sweep.heatmap_inputs()
    assert [int((row > 0).sum()) for row in inputs] == list(sweep.HEATMAP_LENGTHS)
