"""Tests of textbook_rnn.deep: the three deep RNNs, path lengths, time scales.

Values by hand, parity with torch (``torch.nn.RNN`` for the stack, a small
autograd reimplementation for the others), hypothesis over architectures and
shapes, AR(1) signals of known decay, and clear errors for bad input.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import deep
from textbook_rnn.deep import Architecture


def _stack(rng, D, sizes):
    layers, below = [], D
    for H in sizes:
        layers.append({"U": rng.normal(size=(H, below)) * 0.7, "W": rng.normal(size=(H, H)) * 0.5,
                       "b": rng.normal(size=H) * 0.3})
        below = H
    return layers


def _transition(rng, D, H, L, shortcut=False):
    p = {"U": rng.normal(size=(H, D)), "W": [rng.normal(size=(H, H)) * 0.6 for _ in range(L)],
         "b": [rng.normal(size=H) * 0.3 for _ in range(L)]}
    if shortcut:
        p["S"] = rng.normal(size=(H, H)) * 0.6
    return p


def _io(rng, D, H, K, widths_in, widths_out):
    p = {"U_in": [], "b_in": [], "V_out": [], "c_out": []}
    below = D
    for w in widths_in:
        p["U_in"].append(rng.normal(size=(w, below)))
        p["b_in"].append(rng.normal(size=w))
        below = w
    p.update(U=rng.normal(size=(H, below)), W=rng.normal(size=(H, H)) * 0.5,
             b=rng.normal(size=H))
    below = H
    for w in widths_out:
        p["V_out"].append(rng.normal(size=(w, below)))
        p["c_out"].append(rng.normal(size=w))
        below = w
    p.update(V=rng.normal(size=(K, below)), c=rng.normal(size=K))
    return p


# --- forward passes: values by hand ----------------------------------------------------------


def test_stacked_by_hand():
    # one unit per layer, one step: h1 = tanh(2 * 0.5) and h2 = tanh(-1 * h1 + 0.1)
    layers = [{"U": [[2.0]], "W": [[0.3]], "b": [0.0]}, {"U": [[-1.0]], "W": [[0.5]], "b": [0.1]}]
    h1, h2 = deep.stacked_forward([[[0.5]]], layers)
    assert h1[0, 0, 0] == pytest.approx(np.tanh(1.0))
    assert h2[0, 0, 0] == pytest.approx(np.tanh(-np.tanh(1.0) + 0.1))


def test_one_layer_stack_and_depth_one_transition_are_the_rnn(rng):
    from textbook_rnn import rnn

    x = rng.normal(size=(2, 5, 3))
    (layer,) = _stack(rng, 3, [4])
    h0 = rng.normal(size=(2, 4))
    h_rnn, _ = rnn.rnn_forward(x, h0, layer["U"], layer["W"], layer["b"])
    np.testing.assert_allclose(deep.stacked_forward(x, [layer], [h0])[0], h_rnn)
    p = {"U": layer["U"], "W": [layer["W"]], "b": [layer["b"]]}
    np.testing.assert_allclose(deep.deep_transition_forward(x, p, h0), h_rnn)
    io = {"U_in": [], "b_in": [], "V_out": [], "c_out": [], "V": np.eye(4), "c": np.zeros(4),
          **layer}
    h, o = deep.deep_io_forward(x, io, h0)
    np.testing.assert_allclose(h, h_rnn)
    np.testing.assert_allclose(o, h_rnn)


def test_transition_by_hand():
    # L = 2, one unit, h0 = 0.5, x = 1, shortcut S = 2
    p = {"U": [[1.0]], "W": [[0.4], [3.0]], "b": [[0.0], [0.2]], "S": [[2.0]]}
    p["W"] = [np.array([[0.4]]), np.array([[3.0]])]
    p["b"] = [np.array([0.0]), np.array([0.2])]
    h = deep.deep_transition_forward([[[1.0]]], p, [[0.5]])
    z1 = np.tanh(0.4 * 0.5 + 1.0)
    assert h[0, 0, 0] == pytest.approx(np.tanh(3.0 * z1 + 2.0 * 0.5 + 0.2))


# --- torch parity ---------------------------------------------------------------------------


def test_stacked_equals_torch_rnn(rng):
    N, T, D, H, L = 3, 6, 4, 5, 3
    x = rng.normal(size=(N, T, D))
    net = torch.nn.RNN(D, H, num_layers=L, batch_first=True).double()
    layers = []
    for lay in range(L):
        g = {n: getattr(net, f"{n}_l{lay}").detach().numpy() for n in
             ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        layers.append({"U": g["weight_ih"], "W": g["weight_hh"], "b": g["bias_ih"] + g["bias_hh"]})
    h0 = rng.normal(size=(L, N, H))
    ours = deep.stacked_forward(x, layers, list(h0))
    out, h_last = net(torch.from_numpy(x), torch.from_numpy(h0))
    np.testing.assert_allclose(ours[-1], out.detach().numpy(), atol=1e-12)
    for lay in range(L):
        np.testing.assert_allclose(ours[lay][:, -1], h_last[lay].detach().numpy(), atol=1e-12)


def _torch_transition(p, x, h0):
    """A direct autograd reimplementation of deep-transition (and its shortcut)."""
    t = {k: ([torch.tensor(a) for a in v] if isinstance(v, list) else torch.tensor(v))
         for k, v in p.items()}
    h, out = torch.tensor(h0), []
    for step in range(x.shape[1]):
        z = torch.tanh(h @ t["W"][0].T + torch.tensor(x[:, step]) @ t["U"].T + t["b"][0])
        for j in range(1, len(t["W"])):
            a = z @ t["W"][j].T + t["b"][j]
            if "S" in t and j == len(t["W"]) - 1:
                a = a + h @ t["S"].T
            z = torch.tanh(a)
        h = z
        out.append(h)
    return torch.stack(out, 1).numpy()


@pytest.mark.parametrize(("L", "shortcut"), [(1, False), (2, False), (3, False), (2, True),
                                             (4, True)])
def test_transition_equals_torch(rng, L, shortcut):
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    p = _transition(rng, 3, 4, L, shortcut)
    np.testing.assert_allclose(deep.deep_transition_forward(x, p, h0),
                               _torch_transition(p, x, h0), atol=1e-12)


def test_io_equals_torch(rng):
    x, h0 = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5))
    p = _io(rng, 3, 5, 2, [6, 4], [3])
    tt = torch.tensor
    u = tt(x)
    for A, a in zip(p["U_in"], p["b_in"], strict=True):
        u = torch.tanh(u @ tt(A).T + tt(a))
    rnn = torch.nn.RNN(4, 5, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(tt(p["U"]))
        rnn.weight_hh_l0.copy_(tt(p["W"]))
        rnn.bias_ih_l0.copy_(tt(p["b"]))
        rnn.bias_hh_l0.zero_()
    h, _ = rnn(u, tt(h0)[None])
    g = torch.tanh(h @ tt(p["V_out"][0]).T + tt(p["c_out"][0]))
    o = g @ tt(p["V"]).T + tt(p["c"])
    h_ours, o_ours = deep.deep_io_forward(x, p, h0)
    np.testing.assert_allclose(h_ours, h.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(o_ours, o.detach().numpy(), atol=1e-12)


# --- hypothesis over shapes --------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 3), T=st.integers(1, 5), D=st.integers(1, 4),
       sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3), L=st.integers(1, 3),
       seed=st.integers(0, 10))
def test_shapes_and_range(N, T, D, sizes, L, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, T, D))
    states = deep.stacked_forward(x, _stack(rng, D, sizes))
    assert [s.shape for s in states] == [(N, T, H) for H in sizes]
    h = deep.deep_transition_forward(x, _transition(rng, D, sizes[0], L, shortcut=L > 1))
    assert h.shape == (N, T, sizes[0])
    assert np.all(np.abs(h) < 1) and all(np.all(np.abs(s) < 1) for s in states)
    h, o = deep.deep_io_forward(x, _io(rng, D, sizes[0], 2, sizes[1:], sizes[:1]))
    assert h.shape == (N, T, sizes[0]) and o.shape == (N, T, 2)


def test_float32_stays_float32(rng):
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    layers = [{k: v.astype(np.float32) for k, v in lay.items()} for lay in _stack(rng, 2, [3, 2])]
    assert all(s.dtype == np.float32 for s in deep.stacked_forward(x, layers))
    p32 = {k: ([a.astype(np.float32) for a in v] if isinstance(v, list) else v.astype(np.float32))
           for k, v in _transition(rng, 2, 3, 2, shortcut=True).items()}
    assert deep.deep_transition_forward(x, p32).dtype == np.float32
    q32 = {k: ([a.astype(np.float32) for a in v] if isinstance(v, list) else v.astype(np.float32))
           for k, v in _io(rng, 2, 3, 2, [4], [2]).items()}
    h, o = deep.deep_io_forward(x, q32)
    assert h.dtype == o.dtype == np.float32
    # a float64 initial state makes the whole computation float64
    assert deep.deep_transition_forward(x, p32, np.zeros((2, 3))).dtype == np.float64


# --- bad input -------------------------------------------------------------------------------


def test_forward_errors_name_the_argument(rng):
    x = rng.normal(size=(2, 3, 4))
    layers = _stack(rng, 4, [5, 3])
    bad = [dict(layers[0]), dict(layers[1])]
    bad[1]["U"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"layers\[1\]\['U'\].*\(3, 4\)"):
        deep.stacked_forward(x, bad)
    with pytest.raises(TypeError, match="layers must be a non-empty list"):
        deep.stacked_forward(x, [])
    with pytest.raises(ValueError, match="h0 must hold one state per layer"):
        deep.stacked_forward(x, layers, [np.zeros((2, 5))])
    with pytest.raises(ValueError, match="x must have 3 dimension"):
        deep.stacked_forward(x[0], layers)
    p = _transition(rng, 4, 3, 1)
    p["S"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="shortcut.*L >= 2"):
        deep.deep_transition_forward(x, p)
    p = _transition(rng, 4, 3, 2)
    p["b"] = p["b"][:1]
    with pytest.raises(ValueError, match="one entry per layer"):
        deep.deep_transition_forward(x, p)
    with pytest.raises(ValueError, match="missing"):
        deep.deep_io_forward(x, {"U": 1})
    q = _io(rng, 4, 3, 2, [2], [])
    q["U"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"params\['U'\] must have shape"):
        deep.deep_io_forward(x, q)


# --- path lengths ----------------------------------------------------------------------------


def test_path_lengths_by_hand():
    rnn = Architecture()
    assert [deep.shortest_path(rnn, k) for k in range(4)] == [1, 2, 3, 4]
    dt = Architecture(transition_depth=3)
    assert [deep.shortest_path(dt, k) for k in range(3)] == [3, 6, 9]  # (k + 1) L
    dts = Architecture(transition_depth=3, shortcut=True)
    assert [deep.shortest_path(dts, k) for k in range(3)] == [3, 4, 5]  # L + k
    stack = Architecture(layers=3)
    assert [deep.shortest_path(stack, k) for k in range(3)] == [3, 4, 5]
    io = Architecture(input_depth=2, output_depth=1)
    assert deep.shortest_path(io, 2) == 2 + 3 + 1


def test_path_nodes_are_a_path():
    arch = Architecture(layers=2, transition_depth=2, input_depth=1, shortcut=True)
    succ = deep.unrolled_graph(arch, 4)["successors"]
    nodes = deep.path_nodes(arch, 3)
    assert nodes[0] == ("x", 0) and nodes[-1] == ("y", 3)
    assert all(b in succ[a] for a, b in itertools.pairwise(nodes))
    assert len(nodes) - 2 == deep.shortest_path(arch, 3)


def test_skips_shorten_the_climb():
    stack = Architecture(layers=4, transition_depth=2)
    for field in ("input_to_all", "all_to_output"):
        skip = Architecture(layers=4, transition_depth=2, **{field: True})
        assert deep.shortest_path(skip, 3) == deep.shortest_path(stack, 3) - 3 * 2


architectures = st.builds(
    Architecture, layers=st.integers(1, 3), transition_depth=st.integers(1, 3),
    input_depth=st.integers(0, 2), output_depth=st.integers(0, 2), input_to_all=st.booleans(),
    all_to_output=st.booleans(), shortcut=st.booleans())


@settings(max_examples=150, deadline=None)
@given(arch=architectures, k=st.integers(0, 5))
def test_formula_equals_search(arch, k):
    assert deep.path_length_formula(arch, k) == deep.shortest_path(arch, k)


@settings(max_examples=40, deadline=None)
@given(arch=architectures, k=st.integers(0, 4))
def test_longer_horizon_never_shorter(arch, k):
    assert deep.shortest_path(arch, k + 1) > deep.shortest_path(arch, k)


def test_graph_nodes_and_positions():
    arch = Architecture(layers=2, transition_depth=2, input_depth=1, output_depth=1)
    g = deep.unrolled_graph(arch, 3)
    assert set(g["successors"]) == set(g["position"])
    # per step: x, 1 input layer, 2 x 2 transition layers, 1 output layer, y
    assert len(g["position"]) == 3 * (1 + 1 + 4 + 1 + 1)


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"layers": 0}, ValueError, "layers must be >= 1, got 0"),
    ({"transition_depth": 1.5}, TypeError, "transition_depth must be an int"),
    ({"input_depth": -1}, ValueError, "input_depth must be >= 0"),
    ({"shortcut": 1}, TypeError, "shortcut must be True or False"),
])
def test_architecture_errors(kwargs, error, words):
    with pytest.raises(error, match=words):
        Architecture(**kwargs)


def test_path_errors():
    with pytest.raises(ValueError, match="k must be >= 0, got -1"):
        deep.shortest_path(Architecture(), -1)
    with pytest.raises(TypeError, match="k must be an int"):
        deep.path_length_formula(Architecture(), 1.0)
    with pytest.raises(TypeError, match="arch must be an Architecture"):
        deep.shortest_path({"layers": 2}, 1)
    with pytest.raises(ValueError, match="T must be"):
        deep.unrolled_graph(Architecture(), 0)


# --- autocorrelation and time scales ---------------------------------------------------------


def _ar1(phis, T=20000, N=2, seed=0):
    """AR(1) signals h_t = phi h_{t-1} + noise, one unit per phi, started stationary."""
    rng = np.random.default_rng(seed)
    phis = np.asarray(phis)
    h = np.empty((N, T, phis.size))
    h[:, 0] = rng.normal(size=(N, phis.size)) / np.sqrt(1 - phis**2)
    for t in range(1, T):
        h[:, t] = phis * h[:, t - 1] + rng.normal(size=(N, phis.size))
    return h


def test_autocorrelation_of_ar1():
    phis = np.array([0.5, 0.8, 0.95])
    acf = deep.autocorrelation(_ar1(phis), 40)
    assert acf.shape == (41, 3)
    np.testing.assert_allclose(acf[0], 1.0)
    np.testing.assert_allclose(acf[:6], phis ** np.arange(6)[:, None], atol=0.04)
    tau = deep.time_scale(acf)
    np.testing.assert_allclose(tau, -1 / np.log(phis), rtol=0.12)
    assert np.all(np.diff(tau) > 0)
    integ = deep.time_scale(acf, method="integrated")
    np.testing.assert_allclose(integ[:2], (1 + phis[:2]) / (2 * (1 - phis[:2])), rtol=0.12)


def test_time_scale_exact_on_a_geometric_acf():
    lags = np.arange(200)
    for tau in (0.7, 3.0, 12.5):
        assert deep.time_scale(np.exp(-lags / tau)) == pytest.approx(tau, rel=0.02)
    assert deep.time_scale(np.ones(5)) == np.inf
    assert deep.time_scale(np.r_[1.0, 0.0]) == pytest.approx(1 - np.exp(-1))


def test_time_scale_and_acf_errors():
    with pytest.raises(ValueError, match="max_lag must be < T = 4"):
        deep.autocorrelation(np.zeros((1, 4, 2)), 4)
    with pytest.raises(ValueError, match="h must have 3 dimension"):
        deep.autocorrelation(np.zeros((4, 2)), 1)
    with pytest.raises(ValueError, match="acf must have shape"):
        deep.time_scale(np.ones(1))
    with pytest.raises(ValueError, match="method must be"):
        deep.time_scale(np.ones(3), method="e-folding")


def test_acf_period_of_an_oscillation_and_of_a_decay():
    rng = np.random.default_rng(1)
    t = np.arange(4000)
    for P in (12, 32):
        h = np.cos(2 * np.pi * t / P + rng.uniform(0, 2 * np.pi, size=(3, 1)))
        h = h + 0.3 * rng.normal(size=h.shape)
        acf = deep.autocorrelation(h[..., None], 2 * P + 5)
        assert deep.acf_period(acf[:, 0]) == P
    decay = deep.autocorrelation(_ar1([0.9, 0.5]), 60)
    assert np.all(np.isnan(deep.acf_period(decay, min_height=0.15)))
    both = np.stack([np.cos(2 * np.pi * np.arange(50) / 20), 0.8 ** np.arange(50)], axis=1)
    got = deep.acf_period(both)
    assert got[0] == 20 and np.isnan(got[1])


def test_acf_period_errors():
    with pytest.raises(ValueError, match="acf must have shape"):
        deep.acf_period(np.ones(2))
    with pytest.raises(TypeError, match="real numbers"):
        deep.acf_period(np.array(["a", "b", "c"]))
