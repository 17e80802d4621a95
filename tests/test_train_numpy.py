"""textbook_rnn.train_numpy: Adam's update, clipping, and a loop that learns."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import bptt, init_params
from textbook_rnn.tasks import delayed_recall
from textbook_rnn.train_numpy import SGD, Adam, TrainingRun, recall_experiment, train


def test_adam_first_steps_by_hand():
    theta = np.array([1.0, -2.0])
    opt = Adam({"w": theta}, lr=0.1)
    g = np.array([0.5, -3.0])
    opt.step({"dw": g})
    # after one step m̂ = g and v̂ = g², so each coordinate moves by lr·sign(g)
    np.testing.assert_allclose(theta, [0.9, -1.9], atol=1e-7)
    opt.step({"dw": 2 * g})
    m = 0.9 * 0.1 * g + 0.1 * 2 * g
    v = 0.999 * 0.001 * g**2 + 0.001 * 4 * g**2
    step = 0.1 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(theta, np.array([0.9, -1.9]) - step, atol=1e-12)


def test_adam_minimises_a_quadratic():
    theta = np.array([3.0, -4.0])
    opt = Adam({"w": theta}, lr=0.05)
    for _ in range(2000):
        opt.step({"dw": 2 * theta})
    assert np.linalg.norm(theta) < 1e-2


def test_adam_rejects_bad_input():
    with pytest.raises(TypeError):
        Adam({"w": [1.0, 2.0]})
    with pytest.raises(ValueError):
        Adam({"w": np.zeros(2)}, lr=0)
    opt = Adam({"w": np.zeros(2)})
    with pytest.raises(ValueError, match="dw"):
        opt.step({"dv": np.zeros(2)})
    with pytest.raises(ValueError, match="shape"):
        opt.step({"dw": np.zeros(3)})


def test_training_loop_decreases_the_loss_and_is_reproducible():
    p0 = init_params(3, 8, 4, seed=0)
    before = {k: v.copy() for k, v in p0.items()}

    def batch(step):
        return delayed_recall(16, 8, 1, n_symbols=3, seed=step)

    a = train(p0, batch, bptt.rnn_loss_and_grads, steps=150, lr=0.02)
    b = train(p0, batch, bptt.rnn_loss_and_grads, steps=150, lr=0.02)
    assert a.losses.shape == (150,)
    assert a.losses[-20:].mean() < 0.3 * a.losses[:20].mean()
    np.testing.assert_array_equal(a.losses, b.losses)
    for k in p0:
        np.testing.assert_array_equal(p0[k], before[k])    # the initial parameters are copied


def test_training_loop_prints_only_when_asked(capsys):
    p0 = init_params(3, 4, 4, seed=0)

    def batch(step):
        return delayed_recall(4, 5, 1, n_symbols=3, seed=step)

    train(p0, batch, bptt.rnn_loss_and_grads, steps=4)
    assert capsys.readouterr().out == ""
    train(p0, batch, bptt.rnn_loss_and_grads, steps=4, log_every=2)
    assert capsys.readouterr().out.count("loss") == 2


def test_keep_freezes_the_other_parameters():
    p0 = init_params(3, 4, 4, seed=0)

    def batch(step):
        return delayed_recall(4, 5, 1, n_symbols=3, seed=step)

    r = train(p0, batch, bptt.rnn_loss_and_grads, steps=5, keep=("V", "c"))
    np.testing.assert_array_equal(r.params["W"], p0["W"])
    assert not np.array_equal(r.params["V"], p0["V"])
    with pytest.raises(ValueError, match="Z"):
        train(p0, batch, bptt.rnn_loss_and_grads, steps=5, keep=("Z",))


def test_recall_experiment_full_learns_a_short_delay_and_truncation_cannot_bridge_k():
    kw = {"T": 10, "H": 16, "steps": 250, "lr": 0.02, "n_test": 200, "k": 2}
    full = recall_experiment("full", 2, **kw)
    trunc = recall_experiment("truncated", 2, **kw)
    assert full["accuracy"] > 0.9
    assert trunc["accuracy"] < 0.5                        # chance is 0.25
    again = recall_experiment("full", 2, **kw)
    np.testing.assert_array_equal(full["losses"], again["losses"])
    readout = recall_experiment("readout", 2, **{**kw, "steps": 20})
    start = recall_experiment("full", 2, **{**kw, "steps": 1})
    assert not np.array_equal(readout["params"]["V"], start["params"]["V"])
    from textbook_rnn import init_params
    np.testing.assert_array_equal(readout["params"]["W"], init_params(4, 16, 5, seed=0)["W"])
    with pytest.raises(ValueError, match="method"):
        recall_experiment("greedy", 2)


def test_sgd_takes_the_plain_gradient_step():
    theta = np.array([1.0, -2.0])
    SGD({"w": theta}, lr=0.5).step({"dw": np.array([2.0, 4.0])})
    np.testing.assert_array_equal(theta, [0.0, -4.0])
    with pytest.raises(ValueError, match="lr"):
        SGD({"w": np.zeros(2)}, lr=0.0)
    with pytest.raises(ValueError, match="dw"):
        SGD({"w": np.zeros(2)}).step({"dv": np.zeros(2)})


def test_a_run_that_stops_being_finite_is_stopped_and_flagged():
    p0 = init_params(3, 4, 4, seed=0)

    def batch(step):
        return delayed_recall(4, 5, 1, n_symbols=3, seed=step)

    def grad_fn(x, y, params):
        loss, grads = bptt.rnn_loss_and_grads(x, y, params)
        return (np.inf if len(calls) == 3 else loss), grads

    calls = []

    def counting(x, y, params):
        calls.append(1)
        return grad_fn(x, y, params)

    run = train(p0, batch, counting, steps=6, optimiser="sgd", lr=0.1)
    assert isinstance(run, TrainingRun)
    assert run.diverged_at == 2
    assert np.isfinite(run.losses[:2]).all() and np.isnan(run.losses[2:]).all()
    capped = train(p0, batch, bptt.rnn_loss_and_grads, steps=3, max_loss=1e-3)
    assert capped.diverged_at == 0


@pytest.mark.parametrize("mode", ["norm", "elementwise"])
def test_clipping_bounds_the_gradient_that_reaches_the_optimiser(mode):
    p0 = init_params(3, 4, 4, seed=0)
    seen = []

    def batch(step):
        return delayed_recall(4, 5, 1, n_symbols=3, seed=step)

    def grad_fn(x, y, params):
        seen.append({k: v.copy() for k, v in params.items()})
        return bptt.rnn_loss_and_grads(x, y, params)

    train(p0, batch, grad_fn, steps=4, optimiser="sgd", lr=1.0, clip=1e-3, clip_mode=mode)
    for before, after in zip(seen[:-1], seen[1:], strict=True):
        moved = np.array([np.abs(after[k] - before[k]).max() for k in before])
        assert moved.max() <= 1e-3 * (1 + 1e-9)


@pytest.mark.parametrize("kwargs, error", [
    ({"lr": 0.0}, ValueError), ({"steps": 0}, ValueError), ({"clip": -1.0}, ValueError),
    ({"clip_mode": "x"}, ValueError), ({"lr": "0.1"}, TypeError),
    ({"optimiser": "rmsprop"}, ValueError), ({"keep": ("Z",)}, ValueError),
    ({"log_every": 0}, ValueError),
])
def test_train_rejects_bad_arguments(kwargs, error):
    p0 = init_params(3, 4, 4, seed=0)
    kwargs.setdefault("steps", 2)
    with pytest.raises(error):
        train(p0, lambda s: delayed_recall(2, 4, 1, n_symbols=3, seed=s),
              bptt.rnn_loss_and_grads, **kwargs)
    with pytest.raises(TypeError, match="params"):
        train([p0["W"]], lambda s: None, bptt.rnn_loss_and_grads, steps=1)
