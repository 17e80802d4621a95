"""The one-unit cliff network (textbook_rnn.cliff): values, exact gradients, descent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import cliff

# points on the plain, in the valley, on the cliff face, with a negative weight
POINTS = [(2.0, -0.3), (1.2, 0.0), (1.8, 0.425), (1.5, 0.1), (-1.2, 0.05), (0.3, -0.9)]


def forward_by_hand(w, b, h0, T):
    h = [h0]
    for _ in range(T):
        h.append(np.tanh(w * h[-1] + b))
    return np.array(h)


def complex_step(w, b, h0, T, target, eps=1e-30):
    """dL/dw and dL/db by the complex-step method: exact to rounding, no subtraction."""

    def loss(wc, bc):
        h = complex(h0)
        for _ in range(T):
            h = np.tanh(wc * h + bc)
        return 0.5 * (h - target) ** 2

    return (loss(w + 1j * eps, b).imag / eps, loss(w, b + 1j * eps).imag / eps)


def test_forward_matches_a_plain_loop_and_broadcasts():
    h = cliff.cliff_forward(1.7, 0.2, h0=-0.4, T=7)
    # an ulp of tanh in one step (scalar and array loops may differ) grows by up to
    # |w (1 - h²)| ≤ 1.7 a step: 1.7⁷ ≈ 41 ulps ≈ 1e-14 after 7 steps; 1e-15 was 4.5 ulps
    np.testing.assert_allclose(h, forward_by_hand(1.7, 0.2, -0.4, 7), rtol=1e-13)
    grid = cliff.cliff_forward(np.array([0.5, 1.5, 2.5])[None, :], np.array([-0.1, 0.3])[:, None],
                               T=5)
    assert grid.shape == (6, 2, 3)
    np.testing.assert_allclose(grid[:, 1, 2], forward_by_hand(2.5, 0.3, -1.0, 5), rtol=1e-13)


def test_loss_and_its_defaults():
    h = forward_by_hand(1.8, 0.3, cliff.SETUP["h0"], cliff.SETUP["T"])
    assert cliff.cliff_loss(1.8, 0.3) == pytest.approx(0.5 * (h[-1] - cliff.SETUP["target"]) ** 2,
                                                       rel=1e-14)
    assert isinstance(cliff.cliff_loss(1.8, 0.3), float)


@pytest.mark.parametrize("w, b", POINTS)
@pytest.mark.parametrize("T", [1, 3, 20])
def test_gradient_matches_torch_autograd(w, b, T):
    torch = pytest.importorskip("torch")
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(-1.0, dtype=torch.float64)
    for _ in range(T):
        h = torch.tanh(wt * h + bt)
    loss_t = 0.5 * (h + 0.6) ** 2
    loss_t.backward()
    loss, dw, db = cliff.cliff_loss_and_grad(w, b, h0=-1.0, T=T, target=-0.6)
    assert loss == pytest.approx(loss_t.item(), rel=1e-12, abs=1e-300)
    scale = max(abs(wt.grad.item()), abs(bt.grad.item()))
    assert abs(dw - wt.grad.item()) <= 1e-10 * scale
    assert abs(db - bt.grad.item()) <= 1e-10 * scale


@pytest.mark.parametrize("w, b", POINTS)
def test_gradient_matches_complex_step_differentiation(w, b):
    _, dw, db = cliff.cliff_loss_and_grad(w, b, h0=0.3, T=15, target=0.2)
    cw, cb = complex_step(w, b, 0.3, 15, 0.2)
    scale = max(abs(cw), abs(cb))
    assert abs(dw - cw) <= 1e-10 * scale
    assert abs(db - cb) <= 1e-10 * scale


@pytest.mark.parametrize("w, b", [(2.0, -0.3), (1.2, 0.0), (0.3, -0.9)])
def test_gradient_matches_central_differences_away_from_the_cliff(w, b):
    eps = 1e-6
    _, dw, db = cliff.cliff_loss_and_grad(w, b)
    fw = (cliff.cliff_loss(w + eps, b) - cliff.cliff_loss(w - eps, b)) / (2 * eps)
    fb = (cliff.cliff_loss(w, b + eps) - cliff.cliff_loss(w, b - eps)) / (2 * eps)
    np.testing.assert_allclose([dw, db], [fw, fb], rtol=1e-6, atol=1e-10)


def test_gradient_broadcasts_like_the_points_one_by_one():
    w = np.array([0.8, 1.8, 2.2])
    b = np.array([[0.0], [0.4]])
    loss, dw, db = cliff.cliff_loss_and_grad(w, b)
    assert loss.shape == dw.shape == db.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = cliff.cliff_loss_and_grad(w[j], b[i, 0])
            np.testing.assert_allclose([loss[i, j], dw[i, j], db[i, j]], one, rtol=1e-14)


def test_fold_is_a_double_fixed_point_and_the_loss_jumps_across_it():
    for w in (1.2, 1.8, 3.0):
        bc = cliff.fold_bias(w)
        h = -np.sqrt(1 - 1 / w)
        assert np.tanh(w * h + bc) == pytest.approx(h, abs=1e-12)  # a fixed point
        assert w * (1 - h**2) == pytest.approx(1.0, abs=1e-12)     # where the slope is 1
        below = cliff.cliff_forward(w, bc - 0.02, h0=-1.0, T=400)[-1]
        above = cliff.cliff_forward(w, bc + 0.02, h0=-1.0, T=400)[-1]
        assert below < 0 < above
    assert np.isnan(cliff.fold_bias(1.0)) and np.isnan(cliff.fold_bias(0.5))
    assert cliff.fold_bias(np.array([0.5, 2.0])).shape == (2,)


def test_the_cliff_steepens_with_T():
    b = np.linspace(0.0, 0.6, 1201)
    steepest = []
    for T in (10, 20, 40):
        _, dw, db = cliff.cliff_loss_and_grad(1.8, b, T=T)
        steepest.append(np.max(np.hypot(dw, db)))
    assert steepest[0] < steepest[1] / 3 < steepest[2] / 9


def test_loss_surface_is_the_loss_on_the_grid():
    w = np.linspace(0.5, 2.0, 4)
    b = np.linspace(-0.5, 0.5, 3)
    L = cliff.loss_surface(w, b)
    assert L.shape == (3, 4)
    assert L[2, 1] == pytest.approx(cliff.cliff_loss(w[1], b[2]), rel=1e-14)
    with pytest.raises(ValueError, match="w_values"):
        cliff.loss_surface(np.ones((2, 2)), b)


def test_descent_without_clipping_is_plain_gradient_descent():
    run = cliff.descend((1.2, -0.3), lr=0.5, steps=5)
    theta = np.array([1.2, -0.3])
    for k in range(5):
        _, dw, db = cliff.cliff_loss_and_grad(*theta)
        theta = theta - 0.5 * np.array([dw, db])
        np.testing.assert_allclose(run.params[k + 1], theta, rtol=1e-14)
    assert not run.clipped.any()
    assert run.params.shape == (6, 2) and run.losses.shape == (6,) and run.steps.shape == (5, 2)


@pytest.mark.parametrize("mode", ["norm", "elementwise"])
def test_clipped_steps_are_bounded(mode):
    run = cliff.descend((1.8, 0.0), lr=0.2, steps=80, clip=1.0, mode=mode)
    lengths = np.linalg.norm(run.steps, axis=1)
    if mode == "norm":
        assert lengths.max() <= 0.2 * 1.0 * (1 + 1e-12)
        np.testing.assert_array_equal(run.clipped, run.grad_norms > 1.0)
    else:
        assert np.abs(run.steps).max() <= 0.2 * (1 + 1e-12)
    assert run.clipped.any()


def test_the_chapter_story_unclipped_is_thrown_off_clipped_survives():
    plain = cliff.descend((1.8, 0.0), lr=0.2, steps=80)
    clipped = cliff.descend((1.8, 0.0), lr=0.2, steps=80, clip=1.0)
    assert plain.longest_step > 5.0
    assert plain.losses[-1] == pytest.approx(0.08, abs=1e-3)  # stuck on the far plateau
    assert clipped.losses[-1] < 0.01
    assert clipped.longest_step <= 0.2 + 1e-12


def test_descent_is_deterministic():
    a = cliff.descend((1.7, 0.2), lr=0.2, steps=30, clip=0.5, mode="elementwise")
    b = cliff.descend((1.7, 0.2), lr=0.2, steps=30, clip=0.5, mode="elementwise")
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"start": (1.0,), "lr": 0.1, "steps": 3}, ValueError, "start"),
    ({"start": (1.0, 0.0), "lr": -0.1, "steps": 3}, ValueError, "lr"),
    ({"start": (1.0, 0.0), "lr": 0.1, "steps": 0}, ValueError, "steps"),
    ({"start": (1.0, 0.0), "lr": 0.1, "steps": 3, "clip": 0.0}, ValueError, "clip"),
    ({"start": (1.0, 0.0), "lr": 0.1, "steps": 3, "clip": 1.0, "mode": "max"}, ValueError,
     "mode"),
    ({"start": "ab", "lr": 0.1, "steps": 3}, TypeError, "start"),
    ({"start": (1.0, 0.0), "lr": True, "steps": 3}, TypeError, "lr"),
])
def test_descend_rejects_bad_arguments(kwargs, error, words):
    start = kwargs.pop("start")
    with pytest.raises(error, match=words):
        cliff.descend(start, **kwargs)


@pytest.mark.parametrize("args, error", [
    ((None, 0.0), TypeError), (("w", 0.0), TypeError), ((np.nan, 0.0), ValueError),
    ((np.ones(3), np.ones(2)), ValueError), ((1.0, 0.0, 0), ValueError),
])
def test_forward_rejects_bad_arguments(args, error):
    w, b, *rest = args
    with pytest.raises(error):
        cliff.cliff_forward(w, b, T=rest[0] if rest else 5)


@settings(max_examples=60, deadline=None)
@given(w=st.floats(-20, 20), b=st.floats(-20, 20), h0=st.floats(-5, 5),
       T=st.integers(1, 60), target=st.floats(-2, 2))
def test_loss_and_gradient_are_finite_everywhere(w, b, h0, T, target):
    loss, dw, db = cliff.cliff_loss_and_grad(w, b, h0=h0, T=T, target=target)
    assert np.isfinite([loss, dw, db]).all()
    assert 0.0 <= loss <= 0.5 * (1 + abs(target) + abs(h0)) ** 2
