"""Tests of textbook_rnn.torch_nn.deep: the torch stack, matched widths, training, time scales."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from textbook_rnn import data, deep
from textbook_rnn.torch_nn import deep as tdeep

ROOT = Path(__file__).resolve().parents[1]


def test_tanh_stack_equals_numpy_stack(rng):
    model = tdeep.StackedRNN("rnn", 3, 4, 2, layers=3, seed=1).double()
    layers = [{"U": r.weight_ih_l0.detach().numpy(), "W": r.weight_hh_l0.detach().numpy(),
               "b": (r.bias_ih_l0 + r.bias_hh_l0).detach().numpy()} for r in model.rnns]
    x = rng.normal(size=(2, 5, 3))
    ours = deep.stacked_forward(x, layers)
    theirs = model.states(torch.from_numpy(x))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b.detach().numpy(), atol=1e-12)
    o = model(torch.from_numpy(x)).detach().numpy()
    V, c = model.readout.weight.detach().numpy(), model.readout.bias.detach().numpy()
    np.testing.assert_allclose(o, ours[-1] @ V.T + c, atol=1e-12)


@pytest.mark.parametrize(("cell", "D", "H", "K", "layers"), [
    ("gru", 1, 16, 4, 3), ("rnn", 3, 5, 2, 1), ("rnn", 2, 7, 3, 4), ("gru", 5, 2, 1, 2)])
def test_parameter_count_is_the_models(cell, D, H, K, layers):
    model = tdeep.StackedRNN(cell, D, H, K, layers)
    assert tdeep.parameter_count(cell, D, H, K, layers) == sum(p.numel()
                                                               for p in model.parameters())


@pytest.mark.parametrize(("cell", "H", "layers", "to_layers"), [
    ("gru", 16, 3, 1), ("gru", 16, 3, 2), ("rnn", 20, 2, 1), ("rnn", 8, 4, 2)])
def test_matching_width_is_nearest(cell, H, layers, to_layers):
    target = tdeep.parameter_count(cell, 1, H, 4, layers)
    width = tdeep.matching_width(cell, 1, H, 4, layers, to_layers=to_layers)
    gaps = {w: abs(tdeep.parameter_count(cell, 1, w, 4, to_layers) - target)
            for w in range(1, 4 * H)}
    assert gaps[width] == min(gaps.values())
    assert width >= H  # fewer layers, each wider


def test_seed_fixes_weights_and_keeps_global_state():
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    a = tdeep.StackedRNN("gru", 1, 4, 2, 2, seed=3)
    after = torch.rand(1)
    b = tdeep.StackedRNN("gru", 1, 4, 2, 2, seed=3)
    assert before == after
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_errors():
    with pytest.raises(ValueError, match="cell must be one of"):
        tdeep.StackedRNN("lstm", 1, 2, 1)
    with pytest.raises(ValueError, match="layers"):
        tdeep.StackedRNN("gru", 1, 2, 1, layers=0)
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(N, T, D\) with D=1"):
        tdeep.StackedRNN("gru", 1, 2, 1).states(torch.zeros(2, 3, 2))
    with pytest.raises(TypeError, match="model must be a StackedRNN"):
        tdeep.layer_time_scales(torch.nn.Linear(1, 1), np.zeros((1, 5, 1)))


def test_layer_time_scales_shapes():
    model = tdeep.StackedRNN("gru", 1, 5, 2, 3, seed=0)
    x = np.random.default_rng(0).random((4, 50, 1))
    ts = tdeep.layer_time_scales(model, x, max_lag=10)
    assert ts["acf"].shape == (3, 11) and ts["time_scale"].shape == (3,)
    assert ts["unit_time_scale"].shape == (3, 5)
    np.testing.assert_allclose(ts["acf"][:, 0], 1.0)


def _sweep():
    spec = importlib.util.spec_from_file_location("deep_sweep", ROOT / "tools" / "deep_sweep.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["deep_sweep"] = module
    spec.loader.exec_module(module)
    return module


def test_stored_check_entry_is_recomputed():
    stored = data.load("deep_rnn")
    sweep = _sweep()
    assert stored["setup"] == sweep.SETUP
    c = sweep.CHECK
    run = sweep.one_run(c["layers"], c["seed"], c["steps"], c["log_every"])
    want = stored["check"]
    for key in ("layers", "H", "parameters", "curve_step", "solved_at"):
        assert run[key] == want[key], key
    for key in ("accuracy", "long_accuracy", "final_loss"):
        assert run[key] == pytest.approx(want[key], abs=2e-3), key
    np.testing.assert_allclose(run["acf"], want["acf"], atol=5e-3)


def test_stored_runs_are_consistent():
    stored = data.load("deep_rnn")
    assert stored["command"].startswith("python tools/deep_sweep.py")
    widths = {r["layers"]: r["H"] for r in stored["runs"]}
    for r in stored["runs"]:
        assert r["parameters"] == tdeep.parameter_count("gru", 1, r["H"], 4, r["layers"])
        assert widths[r["layers"]] == r["H"]
        assert len(r["acf"]) == r["layers"] == len(r["time_scale"])
        assert 0 <= r["accuracy"] <= 1 and 0 <= r["long_accuracy"] <= 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_layer_time_scales_of_a_model_on_the_gpu_match_the_cpu():
    x = np.random.default_rng(0).random((4, 30, 1))
    model = tdeep.StackedRNN("gru", 1, 6, 2, layers=2, seed=0)
    cpu = tdeep.layer_time_scales(model, x, max_lag=10)
    gpu = tdeep.layer_time_scales(model.cuda(), x, max_lag=10)
    np.testing.assert_allclose(gpu["acf"], cpu["acf"], atol=1e-4)  # float32, cuDNN vs CPU
