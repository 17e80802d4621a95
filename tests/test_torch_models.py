"""textbook_rnn.torch_nn.models: the torch sequence model and the seeded training loop."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn import gated  # noqa: E402
from textbook_rnn.tasks import adding_batches, counting_batches  # noqa: E402
from textbook_rnn.torch_nn import gated as gated_torch  # noqa: E402
from textbook_rnn.torch_nn import models  # noqa: E402


def tiny(cell="lstm", **kw):
    return models.SequenceModel(cell, 2, 4, 1, seed=0, **kw)


def run(model, **kw):
    # on the CPU: these tests compare with CPU computations (the GPU test is below)
    args = dict(steps=12, lr=0.01, seed=3, log_every=4, device="cpu")
    args.update(kw)
    return models.train(model, adding_batches(6, 8), **args)


# --- the model -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell, cls", [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM),
                                       ("gru", torch.nn.GRU)])
def test_shapes_and_layers(cell, cls):
    m = models.SequenceModel(cell, 3, 5, 2, seed=1)
    assert isinstance(m.rnn, cls) and m.rnn.batch_first and m.rnn.num_layers == 1
    assert m.sizes == (3, 5, 2)
    x = torch.zeros(4, 7, 3)
    assert m(x).shape == (4, 7, 2)
    assert m.hidden(x).shape == (4, 7, 5)


def test_seed_fixes_the_weights_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = models.SequenceModel("gru", 2, 3, 1, seed=7)
    after = torch.rand(1)
    b = models.SequenceModel("gru", 2, 3, 1, seed=7)
    c = models.SequenceModel("gru", 2, 3, 1, seed=8)
    assert torch.equal(before, after)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


@pytest.mark.parametrize("fb", [1.0, -2.5, 0.0])
def test_forget_bias_is_honoured(fb):
    m = models.SequenceModel("lstm", 2, 6, 1, forget_bias=fb, seed=0)
    params = gated_torch.lstm_from_torch(m.rnn)
    np.testing.assert_allclose(params["b_f"], fb, atol=1e-7)
    # the other gates keep torch's random biases
    assert np.abs(params["b_i"]).max() > 0


def test_forget_bias_none_keeps_torch_default():
    a = models.SequenceModel("lstm", 2, 6, 1, seed=0)
    b = models.SequenceModel("lstm", 2, 6, 1, seed=0, forget_bias=1.0)
    assert not torch.equal(a.rnn.bias_ih_l0, b.rnn.bias_ih_l0)
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)


@pytest.mark.parametrize(
    "args, kwargs, error, words",
    [
        (("lstmx", 2, 3, 1), {}, ValueError, "cell must be one of"),
        (("lstm", 0, 3, 1), {}, ValueError, "D must be a positive integer"),
        (("lstm", 2, 3.5, 1), {}, TypeError, "H must be a positive integer"),
        (("gru", 2, 3, 1), {"forget_bias": 1.0}, ValueError, "LSTM only"),
        (("lstm", 2, 3, 1), {"forget_bias": float("nan")}, ValueError, "forget_bias"),
        (("lstm", 2, 3, 1), {"seed": "a"}, TypeError, "seed"),
    ],
)
def test_bad_model_arguments(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        models.SequenceModel(*args, **kwargs)


def test_wrong_input_shape_is_named():
    with pytest.raises(ValueError, match="D=2"):
        tiny()(torch.zeros(3, 4, 5))


# --- training ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", models.CELLS)
def test_two_runs_give_identical_histories(cell):
    h1 = run(tiny(cell), clip=("norm", 0.5))
    h2 = run(tiny(cell), clip=("norm", 0.5))
    assert h1 == h2
    assert h1["step"] == [4, 8, 12]
    assert len(h1["loss"]) == len(h1["grad_norm"]) == len(h1["clip_rate"]) == 3
    h3 = run(tiny(cell), seed=4)
    assert h3["loss"] != h1["loss"]


def test_training_reduces_the_loss():
    m = models.SequenceModel("gru", 2, 8, 1, seed=0)
    h = models.train(m, adding_batches(5, 32), steps=150, lr=0.02, seed=0, log_every=50)
    assert h["loss"][-1] < 0.5 * h["loss"][0]


def test_last_partial_window_is_logged():
    h = run(tiny(), steps=10, log_every=4)
    assert h["step"] == [4, 8, 10]


def test_training_leaves_thread_count_and_global_rng_alone():
    threads = torch.get_num_threads()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    run(tiny())
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def _grads_after_one_step(clip, threshold):
    """Gradients seen by the optimiser after clipping, captured with a zero learning rate."""
    seen = {}
    m = tiny("rnn")
    h = models.train(m, adding_batches(6, 8), steps=1, lr=1e-12, seed=0, optimizer="sgd",
                     clip=None if clip is None else (clip, threshold), log_every=1)
    for name, p in m.named_parameters():
        seen[name] = p.grad.detach().clone()
    return h, seen


def test_norm_clipping_is_applied():
    h_free, free = _grads_after_one_step(None, None)
    norm = h_free["grad_norm"][0]
    h, clipped = _grads_after_one_step("norm", norm / 4)
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g)
                                                  for g in clipped.values()]))
    assert float(total) == pytest.approx(norm / 4, rel=1e-4)
    assert h["grad_norm"][0] == pytest.approx(norm)  # recorded before clipping
    assert h["clip_rate"] == [1.0]
    for k in free:  # same direction
        torch.testing.assert_close(clipped[k] * 4, free[k], rtol=1e-4, atol=1e-6)


def test_value_clipping_is_applied():
    _, free = _grads_after_one_step(None, None)
    biggest = max(float(g.abs().max()) for g in free.values())
    h, clipped = _grads_after_one_step("value", biggest / 3)
    assert max(float(g.abs().max()) for g in clipped.values()) <= biggest / 3 + 1e-7
    assert h["clip_rate"] == [1.0]
    small = [k for k in free if float(free[k].abs().max()) < biggest / 3]
    for k in small:  # entries under the threshold are untouched
        torch.testing.assert_close(clipped[k], free[k])


def test_clipping_with_a_large_threshold_changes_nothing():
    assert run(tiny(), clip=("norm", 1e9))["loss"] == run(tiny())["loss"]
    assert run(tiny(), clip=("norm", 1e9))["clip_rate"] == [0.0, 0.0, 0.0]


def test_device_argument():
    h = run(tiny(), device="cpu")
    assert h["device"] == "cpu"
    assert models.pick_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert models.pick_device().type == expected
    with pytest.raises(ValueError, match="device"):
        models.pick_device("abacus")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_runs_on_the_gpu():
    m = tiny()
    h = run(m, device="cuda")
    assert h["device"].startswith("cuda") and np.isfinite(h["loss"]).all()
    assert next(m.parameters()).is_cuda


def test_target_loss_stops_early_and_evaluate_is_recorded():
    m = models.SequenceModel("gru", 2, 8, 1, seed=0)
    h = models.train(m, adding_batches(5, 32), steps=400, lr=0.02, seed=0, log_every=20,
                     target_loss=0.1, evaluate=lambda model: 1.5)
    assert h["stopped_early"] and h["step"][-1] < 400 and h["loss"][-1] < 0.1
    assert h["eval"] == [1.5] * len(h["step"])


def test_counting_batches_with_bce_and_mask():
    m = models.SequenceModel("lstm", 3, 4, 3, seed=0, forget_bias=1.0)
    h = models.train(m, counting_batches(4, 8), steps=6, lr=0.01, seed=0, loss="bce",
                     log_every=3)
    assert len(h["loss"]) == 2 and all(np.isfinite(h["loss"]))


def test_divergence_stops_training():
    def nan_batches(rng):
        x = np.full((2, 3, 2), np.nan)
        return x, np.zeros((2, 1))

    h = models.train(tiny(), nan_batches, steps=20, lr=0.01, seed=0, log_every=5)
    assert h["diverged"] and h["step"] == [1]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"lr": "big"}, TypeError, "lr"),
        ({"seed": None}, TypeError, "seed"),
        ({"clip": ("max", 1.0)}, ValueError, "clip"),
        ({"clip": 1.0}, TypeError, "clip"),
        ({"clip": ("norm", 0.0)}, ValueError, "clip"),
        ({"loss": "hinge"}, ValueError, "loss"),
        ({"optimizer": "lbfgs"}, ValueError, "optimizer"),
        ({"log_every": 0}, ValueError, "log_every"),
    ],
)
def test_bad_training_arguments(kwargs, error, words):
    args = dict(steps=3, lr=0.01, seed=0)
    args.update(kwargs)
    with pytest.raises(error, match=words):
        models.train(tiny(), adding_batches(4, 2), **args)


def test_bad_model_and_batch_function():
    with pytest.raises(TypeError, match="model"):
        models.train("lstm", adding_batches(4, 2), steps=1, lr=0.1, seed=0)
    with pytest.raises(TypeError, match="make_batch"):
        models.train(tiny(), 3, steps=1, lr=0.1, seed=0)
    with pytest.raises(TypeError, match="make_batch"):
        models.train(tiny(), lambda rng: np.zeros((2, 3, 2)), steps=1, lr=0.1, seed=0)


def test_progress_bar_only_when_asked(capsys):
    run(tiny())
    assert capsys.readouterr() == ("", "")
    run(tiny(), progress="LSTM on the adding problem")
    out, err = capsys.readouterr()
    # tqdm.auto outside a notebook: one line on stderr, labelled, with no timing in it
    assert out == ""
    assert "LSTM on the adding problem" in err and "12/12 steps" in err
    assert "it/s" not in err and "s/step" not in err and "00:" not in err
    run(tiny("gru"), progress=True)
    assert "training gru" in capsys.readouterr().err


def test_progress_bar_of_a_solved_run_ends_full(capsys):
    # any loss is below 10: the task counts as solved at the first record, step 4
    history = run(tiny(), steps=40, target_loss=10.0, progress="solved early")
    err = capsys.readouterr().err
    assert history["stopped_early"] and history["step"] == [4]
    assert "4/4 steps" in err and "solved" in err


def test_progress_must_be_a_flag_or_a_label():
    with pytest.raises(TypeError, match="progress"):
        run(tiny(), progress=3)


def test_train_is_a_loop_of_train_steps():
    """train_step by hand on the same batches gives train's history and weights."""
    a, b = tiny(), tiny()
    history = run(a, steps=4, log_every=4, clip=("norm", 0.05))
    opt = torch.optim.Adam(b.parameters(), lr=0.01)
    rng, make_batch = np.random.default_rng(3), adding_batches(6, 8)
    steps = []
    for _ in range(4):
        batch = [torch.as_tensor(v, dtype=torch.float32) for v in make_batch(rng)]
        steps.append(models.train_step(b, opt, models.LOSSES["mse_last"], batch, ("norm", 0.05)))
    losses, norms, clipped = zip(*steps, strict=True)
    # float32 on a different number of threads: agreement to float32 rounding, not bits
    assert history["loss"][0] == pytest.approx(np.mean(losses), rel=1e-5)
    assert history["grad_norm"][0] == pytest.approx(np.mean(norms), rel=1e-5)
    assert history["clip_rate"][0] == np.mean(clipped)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


# --- looking inside ----------------------------------------------------------------------


def test_predict_matches_forward():
    m = tiny("gru")
    x = np.random.default_rng(0).normal(size=(3, 5, 2))
    out = models.predict(m, x)
    assert out.dtype == np.float64 and out.shape == (3, 5, 1)
    with torch.no_grad():
        ref = m(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_trace_reproduces_torch(cell):
    m = models.SequenceModel(cell, 2, 5, 1, seed=2)
    x = np.random.default_rng(1).normal(size=(3, 6, 2))
    trace = models.gate_trace(m, x)
    with torch.no_grad():
        h = m.hidden(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(trace["h"], h, atol=1e-5)
    keys = {"lstm": {"f", "i", "g", "o", "s", "h"}, "gru": {"u", "r", "h_tilde", "h"}}[cell]
    assert set(trace) == keys
    for k in keys - {"h", "s", "g", "h_tilde"}:
        assert trace[k].min() >= 0 and trace[k].max() <= 1


def test_gate_trace_cell_state_follows_lstm_s():
    m = models.SequenceModel("lstm", 2, 3, 1, seed=4)
    x = np.random.default_rng(2).normal(size=(2, 4, 2))
    t = models.gate_trace(m, x)
    s_prev = np.concatenate([np.zeros((2, 1, 3)), t["s"][:, :-1]], axis=1)
    np.testing.assert_allclose(t["s"], t["f"] * s_prev + t["i"] * t["g"], atol=1e-12)
    p = gated_torch.lstm_from_torch(m.rnn)
    h, _ = gated.lstm_forward(x, None, None, {k: v.astype(float) for k, v in p.items()})
    np.testing.assert_allclose(t["h"], h, atol=1e-12)


def test_gate_trace_rejects_rnn():
    with pytest.raises(TypeError, match="lstm"):
        models.gate_trace(tiny("rnn"), np.zeros((1, 2, 2)))


def test_output_sensitivity():
    m = models.SequenceModel("lstm", 2, 4, 1, seed=0, forget_bias=-3.0)
    before = [p.detach().clone() for p in m.parameters()]
    x = np.random.default_rng(0).normal(size=(3, 40, 2))
    sens = models.output_sensitivity(m, x)
    assert sens.shape == (3, 40) and sens.dtype == np.float64
    assert sens[:, -1].min() > 0 and (sens > 0).all()  # float64: no underflow to zero
    assert sens[:, 0].max() < 1e-6 * sens[:, -1].min()  # a short memory forgets the start
    for p, q in zip(before, m.parameters(), strict=True):
        assert torch.equal(p, q) and q.grad is None
    # finite differences on one input of one sequence
    eps, t = 1e-5, 37
    xp, xm = x.copy(), x.copy()
    xp[0, t, 0] += eps
    xm[0, t, 0] -= eps
    fd0 = (models.predict(m, xp)[0, -1, 0] - models.predict(m, xm)[0, -1, 0]) / (2 * eps)
    assert abs(fd0) <= sens[0, t] * 1.01
