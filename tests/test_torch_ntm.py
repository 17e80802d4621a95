"""Tests of textbook_rnn.torch_nn.ntm, the copy task and the cached sweep.

The chapter "Explicit memory".

The NTM and the LSTM baseline have the sizes the chapter states, the
machine's weights are distributions, training is seeded and reproducible,
and the shipped ``data/ntm_copy.json`` agrees with a recomputation of its
first block of updates.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn import data, tasks  # noqa: E402
from textbook_rnn.torch_nn import ntm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_the_two_models_have_the_parameter_counts_of_the_reference():
    assert ntm.n_params(ntm.NTM()) == 62_660
    assert ntm.n_params(ntm.copy_lstm()) == 62_840


def test_ntm_forward_gives_logits_and_probability_weights():
    model = ntm.NTM(H=16, R=12, C=5, seed=1)
    x, _, _ = tasks.copy_task(3, 4, seed=0)
    o, w_r, w_w = model(torch.as_tensor(x, dtype=torch.float32), weights=True)
    assert o.shape == (3, 9, 8)
    for w in (w_r, w_w):
        assert w.shape == (3, 9, 12)
        assert torch.all(w >= 0)
        torch.testing.assert_close(w.sum(dim=2), torch.ones(3, 9))


def test_the_same_seed_gives_the_same_model_and_history():
    runs = []
    for _ in range(2):
        model = ntm.NTM(H=16, R=10, C=4, seed=3)
        runs.append(ntm.train_copy(model, steps=4, batch=4, lengths=(1, 3), seed=5, every=2))
    assert runs[0] == runs[1]
    assert runs[0]["step"] == [2, 4]


def test_a_few_updates_lower_the_loss_of_a_small_machine():
    model = ntm.NTM(H=24, R=12, C=6, seed=0)
    hist = ntm.train_copy(model, steps=60, batch=8, lengths=(1, 3), seed=0, every=20, lr=3e-3)
    assert hist["loss"][-1] < hist["loss"][0]


def test_evaluate_and_head_weights_have_the_documented_shapes():
    model = ntm.NTM(H=16, R=30, C=4, seed=0)
    errors = ntm.evaluate_copy(model, (2, 5), n=4)
    assert set(errors) == {2, 5}
    assert all(0 <= v <= 8 * L for L, v in errors.items())
    heads = ntm.head_weights(model, 5)
    assert heads["read"].shape == heads["write"].shape == (11, 30)
    assert heads["x"].shape == (11, 9) and heads["y_hat"].shape == (11, 8)


def test_copy_task_layout_and_bits_wrong():
    x, y, mask = tasks.copy_task(2, 3, bits=4, seed=1)
    assert x.shape == (2, 7, 5) and y.shape == (2, 7, 4) and mask.shape == (2, 7)
    np.testing.assert_array_equal(y[:, 4:], x[:, :3, :4])
    assert np.all(x[:, 3, 4] == 1) and x[:, :, 4].sum() == 2
    assert mask.sum() == 6
    assert tasks.copy_bits_wrong(y, y, mask) == 0.0
    assert tasks.copy_bits_wrong(1 - y, y, mask) == 12.0  # every scored bit flipped
    assert tasks.copy_capacity_bits(10) == 80
    with pytest.raises(ValueError, match="y_hat, y and mask"):
        tasks.copy_bits_wrong(y[:, :3], y, mask)
    with pytest.raises(TypeError, match="length"):
        tasks.copy_task(1, 2.5)
    with pytest.raises(ValueError, match="lengths"):
        tasks.copy_batches(4, (5, 2))


def _sweep_module():
    spec = importlib.util.spec_from_file_location("ntm_copy_sweep",
                                                  ROOT / "tools" / "ntm_copy_sweep.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_sweep_has_every_run_and_the_stated_sizes():
    sweep = data.load("ntm_copy")
    cfg, runs = sweep["config"], sweep["runs"]
    assert sorted((r["model"], r["seed"]) for r in runs) == sorted(
        (m, s) for m in ("ntm", "lstm") for s in (0, 1, 2))
    for r in runs:
        assert r["params"] == (62_660 if r["model"] == "ntm" else 62_840)
        assert set(r["bits_wrong"]) == {str(L) for L in cfg["test_lengths"]}
        assert len(r["curve"]["step"]) == cfg["steps"] // cfg["every"]
    heads = next(r for r in runs if r["model"] == "ntm")["heads"]
    # stored rounded to 4 decimals: 64 entries of up to 5e-5 each
    np.testing.assert_allclose(np.sum(heads["read"], axis=1), 1.0, atol=64 * 5e-5)


@pytest.mark.parametrize("kind", ["lstm", "ntm"])
def test_the_first_block_of_the_shipped_curve_is_recomputed(kind):
    sweep = data.load("ntm_copy")
    cfg = dict(sweep["config"])
    shipped = next(r for r in sweep["runs"] if r["model"] == kind and r["seed"] == 0)
    torch.set_num_threads(1)
    model = ntm.NTM(seed=0) if kind == "ntm" else ntm.copy_lstm(seed=0)
    hist = ntm.train_copy(model, steps=cfg["every"], batch=cfg["batch"],
                          lengths=tuple(cfg["lengths"]), lr=cfg["lr"], clip=cfg["clip"],
                          seed=1000, every=cfg["every"])
    # another CPU may round differently: the tolerance leaves room for that
    np.testing.assert_allclose(hist["loss"][0], shipped["curve"]["loss"][0], rtol=1e-3)


def test_the_sweep_script_runs_one_tiny_training(tmp_path):
    sweep = _sweep_module()
    cfg = {"steps": 2, "batch": 2, "lengths": [1, 2], "lr": 1e-3, "clip": 10.0, "every": 1,
           "test_n": 2, "heat_length": 3}
    run = sweep.run_one("ntm", 0, cfg)
    assert run["curve"]["step"] == [1, 2]
    assert np.asarray(run["heads"]["write"]).shape == (7, 64)
