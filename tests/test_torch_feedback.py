"""textbook_rnn.torch_nn.feedback and tasks.waves: teacher forcing vs scheduled sampling."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn.tasks.waves import signal_variance, waves  # noqa: E402
from textbook_rnn.torch_nn.feedback import (  # noqa: E402
    FeedbackGRU,
    continuation_errors,
    scheduled_loss,
    train_feedback,
)


def test_waves_are_seeded_and_bounded():
    a = waves(5, 30, seed=1)
    np.testing.assert_array_equal(a, waves(5, 30, seed=1))
    assert a.shape == (5, 30, 1) and np.abs(a).max() <= 1
    b = waves(5, 30, kind="two_sines", seed=1)
    assert np.abs(b).max() <= 1 and not np.allclose(a, b)
    assert 0.3 < signal_variance(waves(200, 100, seed=0)) < 0.7  # a sine's variance is 1/2
    with pytest.raises(ValueError, match="kind"):
        waves(2, 3, kind="square")


def test_forced_loss_equals_step_by_step_with_eps_one_and_zero_coins():
    model = FeedbackGRU(6, seed=0)
    y = torch.from_numpy(waves(3, 12, seed=2))
    gen = torch.Generator().manual_seed(0)
    forced = scheduled_loss(model, y, 1.0, gen)
    # eps just below 1: every coin falls on the truth, but the steps run one by one
    stepwise = scheduled_loss(model, y, 1.0 - 1e-12, gen)
    assert forced.item() == pytest.approx(stepwise.item(), rel=1e-12)


def test_model_seed_and_global_generator():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = FeedbackGRU(4, seed=5), FeedbackGRU(4, seed=5)
    assert torch.equal(torch.rand(1), before)  # building a model leaves the global stream alone
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_training_reduces_the_one_step_error_and_free_running_is_consistent():
    model = FeedbackGRU(8, seed=0)
    test = waves(16, 30, seed=99)
    before, _, _ = continuation_errors(model, test, 10)
    losses = train_feedback(model, lambda rng: waves(16, 30, seed=rng), steps=25,
                            schedule="constant", lr=1e-2, seed=0)
    one, free, path = continuation_errors(model, test, 10)
    assert losses.shape == (25,) and losses[-5:].mean() < losses[:5].mean()
    assert one < before
    assert path.shape == (16, 20, 1) and free >= 0
    # the first free-running prediction uses only true inputs: it equals the forced one
    y = torch.from_numpy(test)
    forced, _ = model.forced(torch.cat([torch.zeros_like(y[:, :1]), y[:, :-1]], 1))
    np.testing.assert_allclose(path[:, 0], forced[:, 10].detach().numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="prefix"):
        continuation_errors(model, test, 30)
