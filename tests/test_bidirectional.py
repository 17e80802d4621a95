"""Tests of textbook_rnn.bidirectional: the bidirectional RNN and the 2-D scans."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import bidirectional as bi
from textbook_rnn.gradcheck import numerical_gradient, relative_error
from textbook_rnn.rnn import rnn_forward

NAMES = ["h0_f", "h0_b", "U_f", "W_f", "b_f", "U_b", "W_b", "b_b"]


def _problem(N=2, T=5, D=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(N, H), (N, H), (H, D), (H, H), (H,), (H, D), (H, H), (H,)]
    return rng.normal(size=(N, T, D)), {n: 0.6 * rng.normal(size=s)
                                        for n, s in zip(NAMES, shapes, strict=True)}


def test_each_direction_is_the_chapter_one_recurrence():
    x, p = _problem()
    h, _ = bi.birnn_forward(x, **p)
    H = p["W_f"].shape[0]
    fwd, _ = rnn_forward(x, p["h0_f"], p["U_f"], p["W_f"], p["b_f"])
    bwd, _ = rnn_forward(x[:, ::-1], p["h0_b"], p["U_b"], p["W_b"], p["b_b"])
    np.testing.assert_allclose(h[:, :, :H], fwd)
    np.testing.assert_allclose(h[:, :, H:], bwd[:, ::-1])


def test_one_step_by_hand():
    x = np.array([[[1.0]]])
    p = {"h0_f": [[0.5]], "h0_b": [[-0.5]], "U_f": [[1.0]], "W_f": [[2.0]], "b_f": [0.0],
         "U_b": [[3.0]], "W_b": [[1.0]], "b_b": [0.1]}
    h, _ = bi.birnn_forward(x, **p)
    np.testing.assert_allclose(h, [[[np.tanh(1.0 + 1.0), np.tanh(3.0 - 0.5 + 0.1)]]])


def test_backward_matches_finite_differences():
    x, p = _problem(seed=1)
    G = np.random.default_rng(9).normal(size=(2, 5, 8))
    h, cache = bi.birnn_forward(x, **p)
    grads = bi.birnn_backward(G, cache)
    assert len(grads) == 9
    args = {"x": x, **p}
    for (name, value), g in zip(args.items(), grads, strict=True):
        def f(v, name=name):
            return float((G * bi.birnn_forward(**{**args, name: v})[0]).sum())
        assert relative_error(g, numerical_gradient(f, value)) < 1e-6, name


def test_parity_with_torch_bidirectional_rnn():
    x, p = _problem(N=3, T=7, seed=2)
    D, H = x.shape[2], p["W_f"].shape[0]
    rnn = torch.nn.RNN(D, H, batch_first=True, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for suffix, d in (("", "f"), ("_reverse", "b")):
            getattr(rnn, f"weight_ih_l0{suffix}").copy_(torch.tensor(p[f"U_{d}"]))
            getattr(rnn, f"weight_hh_l0{suffix}").copy_(torch.tensor(p[f"W_{d}"]))
            getattr(rnn, f"bias_ih_l0{suffix}").copy_(torch.tensor(p[f"b_{d}"]))
            getattr(rnn, f"bias_hh_l0{suffix}").zero_()
    xt = torch.tensor(x, requires_grad=True)
    out, _ = rnn(xt, torch.tensor(np.stack([p["h0_f"], p["h0_b"]])))
    h, cache = bi.birnn_forward(x, **p)
    np.testing.assert_allclose(out.detach().numpy(), h, atol=1e-12)
    G = np.random.default_rng(3).normal(size=h.shape)
    (out * torch.tensor(G)).sum().backward()
    dx, *_, dU_b, dW_b, db_b = bi.birnn_backward(G, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dW_b, rnn.weight_hh_l0_reverse.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(db_b, rnn.bias_ih_l0_reverse.grad.numpy(), atol=1e-10)


def test_generic_cells_reproduce_the_vanilla_network():
    x, p = _problem(seed=4)

    def cell(U, W, b):
        return lambda x_t, h: np.tanh(x_t @ U.T + h @ W.T + b)

    h = bi.bidirectional_states(x, cell(p["U_f"], p["W_f"], p["b_f"]),
                                cell(p["U_b"], p["W_b"], p["b_b"]), p["h0_f"], p["h0_b"])
    np.testing.assert_allclose(h, bi.birnn_forward(x, **p)[0])


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 6), D=st.integers(1, 3), H=st.integers(1, 3),
       seed=st.integers(0, 1000))
def test_the_output_at_t_depends_on_the_whole_sequence(N, T, D, H, seed):
    x, p = _problem(N, T, D, H, seed)
    h, _ = bi.birnn_forward(x, **p)
    assert h.shape == (N, T, 2 * H)
    x2 = x.copy()
    x2[:, -1] += 1.0  # change the last input: the backward half of every step moves
    h2, _ = bi.birnn_forward(x2, **p)
    np.testing.assert_allclose(h2[:, :, :H][:, :-1], h[:, :, :H][:, :-1])
    assert (np.abs(h2[:, :, H:] - h[:, :, H:]).max(axis=(0, 2)) > 0).all() or np.allclose(
        p["U_b"], 0)


def test_bad_shapes_name_the_argument():
    x, p = _problem()
    with pytest.raises(ValueError, match="W_b"):
        bi.birnn_forward(x, **{**p, "W_b": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="h0_b"):
        bi.birnn_forward(x, **{**p, "h0_b": np.zeros((3, 4))})
    _, cache = bi.birnn_forward(x, **p)
    with pytest.raises(ValueError, match="dh"):
        bi.birnn_backward(np.zeros((2, 5, 4)), cache)
    with pytest.raises(TypeError, match="step_f"):
        bi.bidirectional_states(x, None, None, p["h0_f"], p["h0_b"])


def test_grid_dependencies_by_hand():
    seen = bi.grid_dependencies(3, 4, ["↘"])
    np.testing.assert_array_equal(seen[1, 2], [[1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(bi.grid_dependencies(3, 4, ["↖"])[1, 2],
                                  [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    assert bi.grid_dependencies(3, 4, ["↘", "↙", "↗", "↖"]).all()
    # two opposite corners miss the off-diagonal quadrants of an inner pixel
    assert not bi.grid_dependencies(5, 5, ["↘", "↖"])[2, 2].all()


def test_scan_costs():
    assert bi.scan_costs(32) == {"scan_steps": 63, "pixel_steps": 1024,
                                 "cnn_layers_full_view": 31}
    assert bi.scan_costs(32, kernel=5)["cnn_layers_full_view"] == 16
    with pytest.raises(ValueError, match="kernel"):
        bi.scan_costs(8, kernel=4)
    with pytest.raises(ValueError, match="directions"):
        bi.grid_dependencies(3, 3, ["→"])
