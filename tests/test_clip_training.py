"""The clipping experiment on the adding problem (textbook_rnn.clip_training)."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import clip_training as ct
from textbook_rnn.rnn import init_params
from textbook_rnn.tasks import adding_problem
from textbook_rnn.train_numpy import train


def train_sgd(params, batch, *, grad_fn=ct.adding_loss_and_grads, **kwargs):
    """The settings of the chapter's experiment: plain SGD, a diverged run stops."""
    return train(params, batch, grad_fn, optimiser="sgd", max_loss=ct.DIVERGED, **kwargs)


def adding(n, T, seed):
    return adding_problem(n, T, seed=np.random.default_rng(seed))


def small_case(seed=0):
    rng = np.random.default_rng(seed)
    p = init_params(2, 3, 1, seed=seed)
    p["b"] = rng.normal(0, 0.3, size=3)
    p["c"] = rng.normal(0, 0.3, size=1)
    x, y = adding_problem(4, 5, seed=seed)
    return p, x, y


def test_gradients_match_central_differences():
    p, x, y = small_case()
    _, grads = ct.adding_loss_and_grads(x, y, p)
    eps = 1e-6
    for name, value in p.items():
        for idx in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in p.items()}
            down = {k: v.copy() for k, v in p.items()}
            up[name][idx] += eps
            down[name][idx] -= eps
            fd = (ct.adding_loss_and_grads(x, y, up)[0]
                  - ct.adding_loss_and_grads(x, y, down)[0]) / (2 * eps)
            assert grads[f"d{name}"][idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    p, x, y = small_case(1)
    loss, grads = ct.adding_loss_and_grads(x, y, p)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    h = torch.zeros(x.shape[0], 3, dtype=torch.float64)
    xt = torch.tensor(x)
    for s in range(x.shape[1]):
        h = torch.tanh(xt[:, s] @ t["U"].T + h @ t["W"].T + t["b"])
    y_hat = h @ t["V"][0] + t["c"][0]
    loss_t = torch.mean((y_hat - torch.tensor(y[:, 0])) ** 2)
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    for k in p:
        np.testing.assert_allclose(grads[f"d{k}"], t[k].grad.numpy(), rtol=1e-10, atol=1e-13)


def test_train_sgd_leaves_params_alone_and_is_deterministic():
    p, _, _ = small_case()
    before = {k: v.copy() for k, v in p.items()}

    def batch(step):
        return adding(8, 5, [0, step])

    a = train_sgd(p, batch, lr=0.1, steps=20, clip=1.0)
    b = train_sgd(p, batch, lr=0.1, steps=20, clip=1.0)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
        np.testing.assert_array_equal(a.params[k], b.params[k])
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.diverged_at is None and np.isfinite(a.losses).all()


def test_norm_clipping_bounds_every_update():
    p, _, _ = small_case()
    seen = []

    def grad_fn(x, y, params):
        seen.append({k: v.copy() for k, v in params.items()})
        return ct.adding_loss_and_grads(x, y, params)

    def batch(step):
        return adding(8, 5, [1, step])

    train_sgd(p, batch, lr=2.0, steps=15, clip=0.5, grad_fn=grad_fn)
    for before, after in zip(seen[:-1], seen[1:], strict=True):
        step = np.sqrt(sum(np.sum((after[k] - before[k]) ** 2) for k in before))
        assert step <= 2.0 * 0.5 * (1 + 1e-9)


def test_a_huge_learning_rate_diverges_without_clipping_and_is_flagged():
    p, _, _ = small_case()

    def batch(step):
        return adding(8, 5, [2, step])

    run = train_sgd(p, batch, lr=1e3, steps=50)
    assert run.diverged_at is not None
    assert np.isnan(run.losses[run.diverged_at:]).all()
    assert np.isfinite(run.losses[:run.diverged_at]).all()
    clipped = train_sgd(p, batch, lr=1e3, steps=50, clip=1e-3)
    assert clipped.diverged_at is None


def test_experiment_pairs_runs_that_differ_only_by_clipping():
    out = ct.clipping_experiment(lr=0.1, clip=0.5, seeds=(0, 1), steps=6, T=4, H=3,
                                 batch_size=4, n_test=10)
    assert set(out) == {"plain", "clipped"}
    for plain, clipped in zip(out["plain"], out["clipped"], strict=True):
        assert plain["losses"][0] == clipped["losses"][0]  # same weights, same first batch
        assert plain["grad_norms"][0] == clipped["grad_norms"][0]
        assert np.isfinite(plain["test_mse"]) and np.isfinite(clipped["test_mse"])
    again = ct.clipping_experiment(lr=0.1, clip=0.5, seeds=(0, 1), steps=6, T=4, H=3,
                                   batch_size=4, n_test=10)
    np.testing.assert_array_equal(out["clipped"][1]["losses"], again["clipped"][1]["losses"])


def test_experiment_rejects_an_unknown_clipping_mode():
    with pytest.raises(ValueError, match="mode"):
        ct.clipping_experiment(lr=0.1, clip=1.0, mode="max", steps=2, T=4, H=3)


def test_loss_and_grads_reject_bad_shapes():
    p, x, y = small_case()
    with pytest.raises(ValueError, match="y"):
        ct.adding_loss_and_grads(x, y[:-1], p)
    with pytest.raises(ValueError, match="y must have shape"):
        ct.adding_loss_and_grads(x, y[:, 0], p)
    with pytest.raises(ValueError, match="missing"):
        ct.adding_loss_and_grads(x, y, {"U": p["U"]})


def test_initial_params_and_batches_are_those_of_the_experiment():
    p = ct.initial_params(5, seed=3)
    ref = init_params(2, 5, 1, seed=3)
    np.testing.assert_array_equal(p["W"], ref["W"])
    np.testing.assert_array_equal(p["c"], [1.0])  # the mean target
    batch = ct.adding_batches(3, T=6, batch_size=4)
    x, y = batch(7)
    x2, y2 = adding(4, 6, [3, 1, 7])
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    run = train_sgd(p, batch, lr=0.1, steps=3)
    out = ct.clipping_experiment(lr=0.1, clip=100.0, seeds=(3,), steps=3, T=6, H=5,
                                 batch_size=4, n_test=5)
    np.testing.assert_array_equal(out["plain"][0]["losses"], run.losses)


def test_moving_average():
    x = np.array([1.0, 3.0, 5.0, np.nan, np.nan])
    out = ct.moving_average(x, 2)
    np.testing.assert_allclose(out[:3], [1.0, 2.0, 4.0])
    assert np.isnan(out[3:]).all()
    np.testing.assert_allclose(ct.moving_average(np.arange(5.0), 1), np.arange(5.0))
    with pytest.raises(ValueError, match="window"):
        ct.moving_average(x, 0)


def test_moving_average_is_a_trailing_mean():
    x = np.random.default_rng(3).normal(size=40)
    out = ct.moving_average(x, 7)
    for k in range(40):
        assert out[k] == pytest.approx(x[max(0, k - 6): k + 1].mean(), rel=1e-12)

