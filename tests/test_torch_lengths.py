"""textbook_rnn.torch_nn.lengths: the three length models against textbook_rnn.length."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn import length  # noqa: E402
from textbook_rnn.tasks import lengths as tasks_lengths  # noqa: E402
from textbook_rnn.torch_nn import lengths as lm  # noqa: E402

torch.set_num_threads(1)  # tiny models: more threads only add overhead
K, T_MAX = 3, 6


@pytest.fixture
def batch():
    y, tau = tasks_lengths.variable_length_sequences(5, T_max=T_MAX, seed=1)
    return torch.from_numpy(y), torch.from_numpy(tau)


def _log_softmax(o):
    return torch.log_softmax(o, -1).detach().numpy().astype(np.float64)


def test_eos_log_likelihood_matches_the_numpy_formula(batch):
    y, tau = batch
    model = lm.LengthModel("eos", K, T_MAX, H=8, seed=0)
    got = model.log_likelihood(y, tau).detach().numpy()
    lp = _log_softmax(model.outputs(y, tau))
    for i in range(y.shape[0]):
        t = int(tau[i])
        want = length.eos_log_likelihood(lp[i], y[i, :t].numpy(), eos=K)
        assert got[i] == pytest.approx(want, rel=1e-5)


def test_halt_log_likelihood_matches_the_numpy_formula(batch):
    y, tau = batch
    model = lm.LengthModel("halt", K, T_MAX, H=8, seed=0)
    got = model.log_likelihood(y, tau).detach().numpy()
    o = model.outputs(y, tau)
    lp = _log_softmax(o[..., :K])
    z = o[..., K].detach().numpy().astype(np.float64)
    for i in range(y.shape[0]):
        symbol_lp = lp[i, np.arange(T_MAX), y[i].numpy()]
        want = length.halt_log_likelihood(symbol_lp, z[i], int(tau[i]))
        assert got[i] == pytest.approx(want, rel=1e-5)


def test_length_first_log_likelihood_matches_the_numpy_formula(batch):
    y, tau = batch
    model = lm.LengthModel("length", K, T_MAX, H=8, seed=0)
    with torch.no_grad():
        model.length_logits.copy_(torch.linspace(-1, 1, T_MAX))
    got = model.log_likelihood(y, tau).detach().numpy()
    lp = _log_softmax(model.outputs(y, tau))
    lq = _log_softmax(model.length_logits)
    for i in range(y.shape[0]):
        t = int(tau[i])
        want = length.length_log_likelihood(lq, lp[i, np.arange(t), y[i, :t].numpy()], t)
        assert got[i] == pytest.approx(want, rel=1e-5)


def test_length_model_sees_the_steps_left():
    """Only the length-first model's outputs depend on τ; the remaining-steps input is τ - t."""
    y = torch.zeros((2, T_MAX), dtype=torch.long)
    tau = torch.tensor([2, 5])
    for method in lm.LENGTH_METHODS:
        model = lm.LengthModel(method, K, T_MAX, H=8, seed=0)
        o = model.outputs(y, tau)
        differs = not torch.allclose(o[0], o[1])
        assert differs == (method == "length"), method


@pytest.mark.parametrize("method", lm.LENGTH_METHODS)
def test_sampling_is_deterministic_and_in_range(method):
    model = lm.LengthModel(method, K, T_MAX, H=8, seed=0)
    y1, t1 = model.sample(50, seed=3)
    y2, t2 = model.sample(50, seed=3)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(t1, t2)
    assert y1.shape == (50, T_MAX) and t1.min() >= 1 and t1.max() <= T_MAX
    assert np.all(y1[np.arange(T_MAX)[None, :] >= t1[:, None]] == 0)
    assert y1.max() < K


@pytest.mark.slow
@pytest.mark.parametrize("method", lm.LENGTH_METHODS)
def test_training_learns_the_length_distribution(method):
    y, tau = tasks_lengths.variable_length_sequences(1000, T_max=T_MAX, seed=0)
    model = lm.LengthModel(method, K, T_MAX, H=16, seed=0)
    _, tau0 = model.sample(1000, seed=1)
    p = tasks_lengths.length_prior(T_MAX)
    before = length.length_divergence(p, length.length_distribution(tau0, T_MAX))
    losses = lm.train_length_model(model, y, tau, steps=150, seed=0)
    _, tau1 = model.sample(1000, seed=1)
    after = length.length_divergence(p, length.length_distribution(tau1, T_MAX))
    assert losses[-20:].mean() < losses[:20].mean()
    assert after < 0.5 * before and after < 0.05


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="method"):
        lm.LengthModel("stop", K, T_MAX)
    model = lm.LengthModel("halt", K, T_MAX, H=4)
    with pytest.raises(ValueError, match="T_max"):
        lm.train_length_model(model, np.zeros((3, T_MAX + 1), int), np.ones(3, int), steps=1)
    with pytest.raises(ValueError, match="tau"):
        lm.train_length_model(model, np.zeros((3, T_MAX), int), np.zeros(3, int), steps=1)
