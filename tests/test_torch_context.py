"""textbook_rnn.torch_nn.context: conditioning a generator on a fixed vector."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn.tasks import captions  # noqa: E402
from textbook_rnn.torch_nn import context  # noqa: E402

torch.set_num_threads(1)  # tiny models: more threads only add overhead
V = len(captions.CAPTION_WORDS)


@pytest.fixture(scope="module")
def data():
    images, caps, attrs = captions.caption_task(40, seed=0)
    return images, caps, attrs


def test_nll_sums_the_word_log_probabilities_up_to_end(data):
    images, caps, _ = data
    model = context.CaptionRNN(64, V, 8, seed=0)
    x = torch.as_tensor(images[:4], dtype=torch.float32)
    c = torch.as_tensor(caps[:4])
    lp = torch.log_softmax(model(x, c), -1).detach().numpy()
    got = model.nll(x, c).detach().numpy()
    for i in range(4):
        end = int(np.argmax(caps[i] == 0))  # the first <end> is scored, later padding not
        want = -sum(lp[i, t, caps[i, t]] for t in range(end + 1))
        assert got[i] == pytest.approx(want, rel=1e-5)


def test_without_feedback_the_words_do_not_see_each_other(data):
    images, caps, _ = data
    x = torch.as_tensor(images[:2], dtype=torch.float32)
    other = torch.as_tensor(caps[[1, 0]])
    for feedback, same in ((False, True), (True, False)):
        model = context.CaptionRNN(64, V, 8, feedback=feedback, seed=0)
        a, b = model(x, torch.as_tensor(caps[:2])), model(x, other)
        assert torch.allclose(a, b) == same


def test_initial_conditioning_uses_x_only_through_h0(data):
    images, caps, _ = data
    model = context.CaptionRNN(64, V, 8, condition="initial", seed=0)
    assert model.gru.input_size == V + 1  # previous word (with <start>) only
    x = torch.as_tensor(images[:2], dtype=torch.float32)
    c = torch.as_tensor(caps[:1]).repeat(2, 1)
    out = model(x, c)
    assert not torch.allclose(out[0], out[1])  # different images, same words


@pytest.mark.parametrize("condition", context.CONDITIONS)
def test_sampling_is_deterministic_and_stops_at_end(condition, data):
    images, _, _ = data
    model = context.CaptionRNN(64, V, 8, condition=condition, seed=0)
    a = model.sample(images, 6, seed=2)
    np.testing.assert_array_equal(a, model.sample(images, 6, seed=2))
    assert a.shape == (40, 6)
    for row in a:
        if 0 in row:
            assert np.all(row[int(np.argmax(row == 0)):] == 0)


@pytest.mark.slow
def test_training_learns_to_describe():
    images, caps, attrs = captions.caption_task(800, seed=0)
    model = context.CaptionRNN(64, V, 24, seed=0)
    losses = context.train_caption(model, images, caps, steps=150, seed=0)
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    test_images, _, test_attrs = captions.caption_task(200, seed=1)
    assert captions.describes(model.sample(test_images, 6, seed=0), test_attrs).mean() > 0.6


def test_bad_arguments_are_rejected(data):
    images, caps, _ = data
    with pytest.raises(ValueError, match="condition"):
        context.CaptionRNN(64, V, condition="both")
    model = context.CaptionRNN(64, V, 4)
    with pytest.raises(ValueError, match="x must have shape"):
        model.sample(images[:, :10], 6)
    with pytest.raises(ValueError, match="images must have shape"):
        context.train_caption(model, images[:, :10], caps, steps=1)
    with pytest.raises(ValueError, match="captions must have shape"):
        context.train_caption(model, images, caps[:5], steps=1)
