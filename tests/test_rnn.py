"""Tests of textbook_rnn.rnn: hand-computed values, torch parity, properties.

The torch reference here is built directly from ``torch.nn`` (not through
``textbook_rnn.torch_nn.rnn``) so that the two are checked independently.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import rnn

torch.set_num_threads(1)

FAST = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def random_problem(N, T, D, H, K, seed=0, scale=1.0):
    """Inputs, initial state, parameters (nonzero biases) and targets."""
    rng = np.random.default_rng(seed)
    params = {
        "U": rng.normal(0, 1 / math.sqrt(D), (H, D)),
        "W": rng.normal(0, 1 / math.sqrt(H), (H, H)),
        "b": rng.normal(0, 0.5, H),
        "V": rng.normal(0, 1 / math.sqrt(H), (K, H)),
        "c": rng.normal(0, 0.5, K),
    }
    x = scale * rng.normal(size=(N, T, D))
    h0 = rng.uniform(-1, 1, (N, H))
    y = rng.integers(0, K, (N, T))
    return x, h0, params, y


def torch_reference(x, h0, params, bias_hh=None):
    """Hidden states and logits from torch.nn.RNN + torch.nn.Linear in float64.

    ``bias_hh`` is torch's second hidden bias; ``bias_ih`` is set to
    ``b - bias_hh`` so that their sum is the book's ``b``.
    """
    U, W, b, V, c = (params[k] for k in ("U", "W", "b", "V", "c"))
    H, D = U.shape
    K = V.shape[0]
    if bias_hh is None:
        bias_hh = np.zeros(H)
    net = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
    lin = torch.nn.Linear(H, K, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(U))
        net.weight_hh_l0.copy_(torch.from_numpy(W))
        net.bias_ih_l0.copy_(torch.from_numpy(b - bias_hh))
        net.bias_hh_l0.copy_(torch.from_numpy(bias_hh))
        lin.weight.copy_(torch.from_numpy(V))
        lin.bias.copy_(torch.from_numpy(c))
        h, h_last = net(torch.from_numpy(x), torch.from_numpy(h0)[None])
        o = lin(h)
    return h.numpy(), o.numpy(), h_last[0].numpy()


def torch_loss(o, y):
    N, T, K = o.shape
    total = torch.nn.functional.cross_entropy(
        torch.from_numpy(o).reshape(N * T, K), torch.from_numpy(y).reshape(-1), reduction="sum"
    )
    return total.item() / N


# --------------------------------------------------------------------------
# values computed by hand
# --------------------------------------------------------------------------


def test_step_one_unit_by_hand():
    # a = 0.1 + (-0.4)(0.5) + (0.3)(1.0) = 0.2
    h = rnn.rnn_step([[1.0]], [[0.5]], [[0.3]], [[-0.4]], [0.1])
    assert h.shape == (1, 1)
    assert h[0, 0] == pytest.approx(math.tanh(0.2), abs=1e-15)


def test_step_identity_weights_by_hand():
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    h_prev = np.array([[0.3, 0.1], [-0.2, 0.4]])
    zero, eye = np.zeros((2, 2)), np.eye(2)
    b = np.array([0.25, -0.5])
    np.testing.assert_allclose(rnn.rnn_step(x, h_prev, eye, zero, np.zeros(2)), np.tanh(x))
    np.testing.assert_allclose(rnn.rnn_step(x, h_prev, zero, eye, np.zeros(2)), np.tanh(h_prev))
    np.testing.assert_allclose(rnn.rnn_step(x, h_prev, zero, zero, b), np.tanh(np.tile(b, (2, 1))))


def test_step_uses_U_times_x_not_x_times_U():
    # D = 3, H = 2: U x_t picks column sums that differ from any transposed use
    U = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    x = np.array([[0.1, 0.2, 0.3]])
    h = rnn.rnn_step(x, np.zeros((1, 2)), U, np.zeros((2, 2)), np.zeros(2))
    np.testing.assert_allclose(h, np.tanh([[0.1, 0.6]]), atol=1e-15)


def test_step_uses_W_times_h_not_h_times_W():
    W = np.array([[0.0, 1.0], [0.0, 0.0]])  # W h = (h_2, 0)
    h_prev = np.array([[0.2, 0.7]])
    h = rnn.rnn_step(np.zeros((1, 1)), h_prev, np.zeros((2, 1)), W, np.zeros(2))
    np.testing.assert_allclose(h, np.tanh([[0.7, 0.0]]), atol=1e-15)


def test_forward_two_steps_by_hand():
    u, w, b, h0 = 0.5, -0.8, 0.1, 0.3
    x = np.array([[[1.0], [-2.0]]])  # (1, 2, 1)
    h1 = math.tanh(b + w * h0 + u * 1.0)
    h2 = math.tanh(b + w * h1 + u * -2.0)
    h, cache = rnn.rnn_forward(x, [[h0]], [[u]], [[w]], [b])
    assert h.shape == (1, 2, 1)
    np.testing.assert_allclose(h[0, :, 0], [h1, h2], atol=1e-15)
    assert len(cache) == 5


def test_forward_matches_repeated_steps():
    x, h0, p, _ = random_problem(3, 6, 4, 5, 2, seed=3)
    h, _ = rnn.rnn_forward(x, h0, p["U"], p["W"], p["b"])
    state = h0
    for t in range(6):
        state = rnn.rnn_step(x[:, t], state, p["U"], p["W"], p["b"])
        np.testing.assert_allclose(h[:, t], state, atol=1e-14)


def test_step_forward_cache_holds_the_inputs():
    x, h0, p, _ = random_problem(2, 1, 3, 4, 2, seed=1)
    h_t, cache = rnn.rnn_step_forward(x[:, 0], h0, p["U"], p["W"], p["b"])
    x_c, h_prev_c, h_c, U_c, W_c = cache
    np.testing.assert_array_equal(x_c, x[:, 0])
    np.testing.assert_array_equal(h_prev_c, h0)
    np.testing.assert_array_equal(h_c, h_t)
    np.testing.assert_array_equal(U_c, p["U"])
    np.testing.assert_array_equal(W_c, p["W"])


def test_output_forward_by_hand():
    h = np.array([[[0.5, -0.25]]])
    o, _ = rnn.output_forward(h, np.eye(2), np.array([1.0, 2.0]))
    np.testing.assert_allclose(o, [[[1.5, 1.75]]])
    o, _ = rnn.output_forward(h, np.array([[2.0, 4.0]]), np.array([0.0]))
    np.testing.assert_allclose(o, [[[0.0]]], atol=1e-15)


def test_softmax_known_values():
    np.testing.assert_allclose(rnn.softmax(np.array([0.0, math.log(3.0)])), [0.25, 0.75])
    np.testing.assert_allclose(rnn.log_softmax(np.zeros(4)), np.full(4, -math.log(4.0)))
    # along axis 0 each column (1, 0) gives (sigmoid(1), sigmoid(-1))
    s1 = 1 / (1 + math.exp(-1.0))
    np.testing.assert_allclose(rnn.softmax(np.array([[1.0, 1.0], [0.0, 0.0]]), axis=0),
                               [[s1, s1], [1 - s1, 1 - s1]])


def test_nll_two_classes_closed_form():
    # with K = 2, -log softmax(o)[y] = log(1 + exp(o_other - o_y))
    rng = np.random.default_rng(5)
    o = rng.normal(size=(3, 4, 2)) * 3
    y = rng.integers(0, 2, (3, 4))
    total = 0.0
    for n in range(3):
        for t in range(4):
            d = o[n, t, 1 - y[n, t]] - o[n, t, y[n, t]]
            total += math.log1p(math.exp(d))
    assert rnn.sequence_nll(o, y) == pytest.approx(total / 3, rel=1e-13)


def test_nll_uniform_logits_is_T_log_K():
    o = np.full((5, 7, 3), 2.5)
    y = np.zeros((5, 7), dtype=int)
    assert rnn.sequence_nll(o, y) == pytest.approx(7 * math.log(3), rel=1e-14)


def test_nll_is_a_float_and_averages_over_the_batch_only():
    _, _, _, y = random_problem(2, 3, 1, 1, 4, seed=2)
    o = np.random.default_rng(0).normal(size=(2, 3, 4))
    loss = rnn.sequence_nll(o, y)
    assert type(loss) is float
    doubled = rnn.sequence_nll(np.concatenate([o, o]), np.concatenate([y, y]))
    assert doubled == pytest.approx(loss, rel=1e-14)  # mean over sequences
    longer = rnn.sequence_nll(np.concatenate([o, o], axis=1), np.concatenate([y, y], axis=1))
    assert longer == pytest.approx(2 * loss, rel=1e-14)  # sum over time


# --------------------------------------------------------------------------
# init_params
# --------------------------------------------------------------------------


def test_init_params_shapes_seed_and_scale():
    p = rnn.init_params(3, 4, 5, seed=7)
    assert {k: v.shape for k, v in p.items()} == {
        "U": (4, 3), "W": (4, 4), "V": (5, 4), "b": (4,), "c": (5,)
    }
    assert not p["b"].any() and not p["c"].any()
    q = rnn.init_params(3, 4, 5, seed=7)
    for k in p:
        np.testing.assert_array_equal(p[k], q[k])
    assert not np.array_equal(rnn.init_params(3, 4, 5, seed=8)["U"], p["U"])
    np.testing.assert_allclose(rnn.init_params(3, 4, 5, seed=7, w_scale=2.5)["W"], 2.5 * p["W"])
    assert all(v.dtype == np.float32 for v in rnn.init_params(2, 2, 2, dtype=np.float32).values())


@pytest.mark.parametrize(
    "kwargs, exc, text",
    [
        ({"D": 0, "H": 2, "K": 2}, ValueError, "D"),
        ({"D": 2, "H": -1, "K": 2}, ValueError, "H"),
        ({"D": 2, "H": 2, "K": 2.0}, TypeError, "K"),
        ({"D": True, "H": 2, "K": 2}, TypeError, "D"),
        ({"D": 2, "H": 2, "K": 2, "dtype": np.int64}, TypeError, "dtype"),
    ],
)
def test_init_params_rejects_bad_sizes(kwargs, exc, text):
    with pytest.raises(exc, match=text):
        rnn.init_params(**kwargs)


# --------------------------------------------------------------------------
# parity with torch.nn
# --------------------------------------------------------------------------

SHAPES = [  # N, T, D, H, K
    (1, 1, 1, 1, 1),
    (1, 1, 3, 2, 4),
    (2, 5, 3, 4, 2),
    (3, 1, 2, 2, 3),
    (4, 7, 1, 1, 2),
    (1, 6, 5, 3, 1),
    (5, 3, 4, 6, 5),
]


@pytest.mark.parametrize("shape", SHAPES, ids=["N{}T{}D{}H{}K{}".format(*s) for s in SHAPES])
def test_parity_with_torch(shape):
    N, T, D, H, K = shape
    x, h0, p, y = random_problem(N, T, D, H, K, seed=sum(shape))
    h, o = rnn.rnn_sequence(x, p, h0)
    th, to, t_last = torch_reference(x, h0, p)
    np.testing.assert_allclose(h, th, rtol=0, atol=1e-10)
    np.testing.assert_allclose(o, to, rtol=0, atol=1e-10)
    np.testing.assert_allclose(h[:, -1], t_last, rtol=0, atol=1e-10)
    assert rnn.sequence_nll(o, y) == pytest.approx(torch_loss(o, y), rel=1e-12, abs=1e-10)


def test_parity_with_torch_when_the_bias_is_split():
    x, h0, p, _ = random_problem(3, 4, 2, 5, 3, seed=9)
    split = np.random.default_rng(1).normal(size=5)
    h, o = rnn.rnn_sequence(x, p, h0)
    th, to, _ = torch_reference(x, h0, p, bias_hh=split)
    np.testing.assert_allclose(h, th, rtol=0, atol=1e-10)
    np.testing.assert_allclose(o, to, rtol=0, atol=1e-10)


def test_parity_default_h0_is_zero():
    x, h0, p, _ = random_problem(2, 3, 2, 3, 2, seed=4)
    h, o = rnn.rnn_sequence(x, p)
    th, to, _ = torch_reference(x, np.zeros_like(h0), p)
    np.testing.assert_allclose(h, th, atol=1e-10)
    np.testing.assert_allclose(o, to, atol=1e-10)


def test_step_parity_with_rnn_cell():
    x, h0, p, _ = random_problem(4, 1, 3, 2, 1, seed=6)
    cell = torch.nn.RNNCell(3, 2, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(p["U"]))
        cell.weight_hh.copy_(torch.from_numpy(p["W"]))
        cell.bias_ih.copy_(torch.from_numpy(p["b"]))
        cell.bias_hh.zero_()
        expected = cell(torch.from_numpy(x[:, 0]), torch.from_numpy(h0)).numpy()
    np.testing.assert_allclose(rnn.rnn_step(x[:, 0], h0, p["U"], p["W"], p["b"]), expected,
                               atol=1e-12)


dims = st.integers(1, 6)


@FAST
@given(N=dims, T=dims, D=dims, H=dims, K=dims, seed=st.integers(0, 2**16),
       scale=st.sampled_from([0.01, 1.0, 30.0]))
def test_property_shapes_finite_and_torch_parity(N, T, D, H, K, seed, scale):
    x, h0, p, y = random_problem(N, T, D, H, K, seed=seed, scale=scale)
    h, o = rnn.rnn_sequence(x, p, h0)
    assert h.shape == (N, T, H) and o.shape == (N, T, K)
    assert h.dtype == o.dtype == np.float64
    assert np.isfinite(h).all() and np.isfinite(o).all()
    assert (np.abs(h) <= 1).all()
    th, to, _ = torch_reference(x, h0, p)
    np.testing.assert_allclose(h, th, rtol=0, atol=1e-10)
    np.testing.assert_allclose(o, to, rtol=0, atol=1e-10)
    loss = rnn.sequence_nll(o, y)
    assert math.isfinite(loss) and loss >= 0
    assert loss == pytest.approx(torch_loss(o, y), rel=1e-12, abs=1e-10)


@FAST
@given(shape=st.lists(dims, min_size=1, max_size=3), seed=st.integers(0, 2**16),
       scale=st.sampled_from([1e-3, 1.0, 1e2, 1e4]))
def test_property_softmax_is_a_distribution(shape, seed, scale):
    o = scale * np.random.default_rng(seed).normal(size=shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = rnn.softmax(o)
        logp = rnn.log_softmax(o)
    assert p.shape == o.shape and logp.shape == o.shape
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    assert (p >= 0).all() and (logp <= 1e-12).all() and np.isfinite(logp).all()
    np.testing.assert_allclose(
        logp, torch.log_softmax(torch.from_numpy(o), dim=-1).numpy(), rtol=1e-12, atol=1e-10
    )


# --------------------------------------------------------------------------
# numerical stability and dtypes
# --------------------------------------------------------------------------


def test_log_softmax_huge_logits_without_warnings():
    o = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logp = rnn.log_softmax(o)
        p = rnn.softmax(o)
    np.testing.assert_allclose(logp[0], [0.0, -1e4, -2e4])
    np.testing.assert_allclose(logp[1], np.full(3, -math.log(3)))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)


def test_sequence_nll_huge_logits_is_finite_and_matches_torch(rng):
    o = 1e4 * rng.normal(size=(2, 3, 4))
    y = rng.integers(0, 4, (2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = rnn.sequence_nll(o, y)
    assert math.isfinite(loss)
    assert loss == pytest.approx(torch_loss(o, y), rel=1e-12)


def test_float32_stays_float32():
    x, h0, p, y = random_problem(2, 3, 2, 3, 4, seed=1)
    x32, h32 = x.astype(np.float32), h0.astype(np.float32)
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    h_t = rnn.rnn_step(x32[:, 0], h32, p32["U"], p32["W"], p32["b"])
    h, _ = rnn.rnn_forward(x32, h32, p32["U"], p32["W"], p32["b"])
    o, _ = rnn.output_forward(h, p32["V"], p32["c"])
    assert h_t.dtype == h.dtype == o.dtype == np.float32
    assert rnn.log_softmax(o).dtype == rnn.softmax(o).dtype == np.float32
    big = np.array([1e4, 0.0], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rnn.log_softmax(big).dtype == np.float32
    assert isinstance(rnn.sequence_nll(o, y), float)
    h64, _ = rnn.rnn_forward(x, h32, p32["U"], p32["W"], p32["b"])  # one float64 input
    assert h64.dtype == np.float64
    np.testing.assert_allclose(h, rnn.rnn_forward(x, h0, p["U"], p["W"], p["b"])[0], atol=1e-5)


def test_integer_inputs_compute_in_float64():
    ones, zeros = np.ones((1, 2), dtype=int), np.zeros((1, 1), dtype=int)
    h = rnn.rnn_step(ones, zeros, ones, zeros, np.zeros(1, dtype=int))
    assert h.dtype == np.float64
    assert h[0, 0] == pytest.approx(math.tanh(2.0))


def test_inputs_are_not_modified():
    x, h0, p, y = random_problem(2, 3, 2, 3, 4, seed=1)
    copies = [a.copy() for a in (x, h0, *p.values(), y)]
    h, o = rnn.rnn_sequence(x, p, h0)
    rnn.sequence_nll(o, y)
    rnn.rnn_step(x[:, 0], h0, p["U"], p["W"], p["b"])
    for before, after in zip(copies, (x, h0, *p.values(), y), strict=True):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------
# malformed inputs: a clear ValueError or TypeError, nothing else
# --------------------------------------------------------------------------

# Each public function, its arguments in order and their axes.
SIGNATURES = {
    "rnn_step": [("x_t", "ND"), ("h_prev", "NH"), ("U", "HD"), ("W", "HH"), ("b", "H")],
    "rnn_step_forward": [("x_t", "ND"), ("h_prev", "NH"), ("U", "HD"), ("W", "HH"), ("b", "H")],
    "rnn_forward": [("x", "NTD"), ("h0", "NH"), ("U", "HD"), ("W", "HH"), ("b", "H")],
    "output_forward": [("h", "NTH"), ("V", "KH"), ("c", "K")],
    "sequence_nll": [("o", "NTK"), ("y", "NT")],
}
CORRUPTIONS = [
    "add_axis", "drop_axis", "grow_shared_axis", "empty_axis", "none", "string",
    "object_array", "complex", "ragged", "transpose", "float_labels", "negative_label",
    "label_too_large",
]


def valid_args(fname, sizes, rng):
    args = []
    for name, letters in SIGNATURES[fname]:
        shape = tuple(sizes[letter] for letter in letters)
        if name == "y":
            args.append(rng.integers(0, sizes["K"], shape))
        else:
            args.append(rng.normal(size=shape))
    return args


def corrupt(fname, args, index, how, sizes, rng):
    """Return (new args, exception types, name that must start the message or None)."""
    name, letters = SIGNATURES[fname][index]
    arr = args[index]
    args = list(args)
    anyname = None  # the message may start with the name of any argument
    if how == "add_axis":
        args[index] = arr[None]
    elif how == "drop_axis":
        args[index] = arr[0]
    elif how == "grow_shared_axis":
        shared = [k for k, ch in enumerate(letters)
                  if sum(ch in lt for _, lt in SIGNATURES[fname]) > 1 or letters.count(ch) > 1]
        if not shared:
            return None
        axis = shared[rng.integers(len(shared))]
        args[index] = np.concatenate([arr, np.take(arr, [0], axis=axis)], axis=axis)
        return args, ValueError, anyname
    elif how == "empty_axis":
        axis = rng.integers(arr.ndim)
        shape = list(arr.shape)
        shape[axis] = 0
        args[index] = np.zeros(shape, dtype=arr.dtype)
    elif how == "none":
        args[index] = None
        return args, TypeError, name
    elif how == "string":
        args[index] = "not an array"
        return args, TypeError, name
    elif how == "object_array":
        obj = np.empty(arr.shape, dtype=object)
        obj[...] = None
        args[index] = obj
        return args, TypeError, name
    elif how == "complex":
        args[index] = arr + 1j
        return args, TypeError, name
    elif how == "ragged":
        args[index] = [[1.0], [1.0, 2.0]]
        return args, (TypeError, ValueError), name
    elif how == "transpose":
        if arr.ndim != 2 or arr.shape[0] == arr.shape[1]:
            return None
        args[index] = arr.T
        return args, ValueError, anyname
    elif how in ("float_labels", "negative_label", "label_too_large"):
        if name != "y":
            return None
        y = arr.copy()
        if how == "float_labels":
            args[index] = y.astype(float)
            return args, TypeError, name
        y.flat[rng.integers(y.size)] = -1 if how == "negative_label" else sizes["K"]
        args[index] = y
    return args, ValueError, name


@settings(max_examples=250, deadline=None)
@given(fname=st.sampled_from(sorted(SIGNATURES)), N=dims, T=dims, D=dims, H=dims, K=dims,
       which=st.integers(0, 4), how=st.sampled_from(CORRUPTIONS), seed=st.integers(0, 2**16))
def test_property_malformed_inputs_raise_clear_errors(fname, N, T, D, H, K, which, how, seed):
    sizes = {"N": N, "T": T, "D": D, "H": H, "K": K}
    rng = np.random.default_rng(seed)
    args = valid_args(fname, sizes, rng)
    index = which % len(args)
    bad = corrupt(fname, args, index, how, sizes, rng)
    if bad is None:
        return
    bad_args, exc_types, name = bad
    fn = getattr(rnn, fname)
    with pytest.raises(exc_types) as info:
        fn(*bad_args)
    message = str(info.value)
    names = [n for n, _ in SIGNATURES[fname]]
    if name is not None:
        assert message.startswith(name + " "), message
    else:
        assert any(message.startswith(n + " ") for n in names), message
        assert "got shape" in message, message


@pytest.mark.parametrize(
    "fname, args, exc, start, shown",
    [
        ("rnn_step", (np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((3, 4)), np.eye(4),
                      np.zeros(4)), ValueError, "U", ["(H, D) = (4, 3)", "(3, 4)"]),
        ("rnn_step", (np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((4, 3)), np.zeros((4, 5)),
                      np.zeros(4)), ValueError, "W", ["(H, H) = (4, 4)", "(4, 5)"]),
        ("rnn_forward", (np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((4, 3)), np.eye(4),
                         np.zeros(4)), ValueError, "x", ["(N, T, D)", "(2, 3)"]),
        ("output_forward", (np.zeros((2, 3, 4)), np.zeros((5, 3)), np.zeros(5)), ValueError,
         "V", ["(K, H)", "(5, 3)"]),
        ("sequence_nll", (np.zeros((2, 3, 4)), np.full((2, 3), 4)), ValueError, "y", ["0..3"]),
        ("sequence_nll", (np.zeros((2, 3, 4)), np.zeros((3, 2), dtype=int)), ValueError, "y",
         ["(N, T) = (2, 3)", "(3, 2)"]),
        ("sequence_nll", (np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=bool)), TypeError, "y",
         ["integers"]),
        ("sequence_nll", (np.zeros((2, 3, 4)), np.zeros((2, 3)) + 0.5), TypeError, "y",
         ["integers", "float64"]),
        ("log_softmax", (np.zeros((2, 0)),), ValueError, "o", ["(2, 0)"]),
        ("log_softmax", (np.array(1.0),), ValueError, "o", ["scalar"]),
        ("log_softmax", (np.array(["a", "b"]),), TypeError, "o", ["real numbers"]),
        ("log_softmax", ([[1.0], [1.0, 2.0]],), TypeError, "o", ["array"]),
        ("softmax", (np.zeros(3), 1), ValueError, "axis", ["(3,)"]),
        ("softmax", (np.zeros(3), 0.5), TypeError, "axis", ["0.5"]),
    ],
)
def test_specific_errors_name_argument_and_shapes(fname, args, exc, start, shown):
    with pytest.raises(exc) as info:
        getattr(rnn, fname)(*args)
    message = str(info.value)
    assert message.startswith(start + " "), message
    for text in shown:
        assert text in message, message


def test_rnn_sequence_argument_errors():
    x, h0, p, _ = random_problem(2, 3, 2, 3, 4)
    with pytest.raises(TypeError, match="^params"):
        rnn.rnn_sequence(x, [p["U"], p["W"]])
    with pytest.raises(ValueError, match="^params is missing V, c"):
        rnn.rnn_sequence(x, {k: p[k] for k in ("U", "W", "b")})
    with pytest.raises(ValueError, match=r"^params\['W'\]"):
        rnn.rnn_sequence(x, {**p, "W": np.zeros((3, 4))})
    with pytest.raises(ValueError, match=r"^params\['V'\]"):
        rnn.rnn_sequence(x, {**p, "V": np.zeros((4, 2))}, h0)
    with pytest.raises(ValueError, match="^h0"):
        rnn.rnn_sequence(x, p, np.zeros((3, 3)))


# --- the hidden state as a dynamical system (state_trajectories, state_gap) ------------------


def _rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


@pytest.fixture
def small_rnn():
    params = rnn.init_params(D=2, H=5, K=3, seed=11, w_scale=0.8)
    x = np.random.default_rng(5).normal(size=(1, 12, 2))
    return params, x


def test_state_trajectories_match_rnn_forward(small_rnn):
    params, x = small_rnn
    h0 = np.random.default_rng(0).normal(size=(1, 5)) * 0.3
    traj = rnn.state_trajectories(params["W"], h0, 12, U=params["U"], b=params["b"], x=x)
    h, _ = rnn.rnn_forward(x, h0, params["U"], params["W"], params["b"])
    assert traj.shape == (1, 13, 5)
    np.testing.assert_array_equal(traj[:, 0], h0)
    np.testing.assert_allclose(traj[:, 1:], h, rtol=0, atol=1e-15)


def test_autonomous_trajectory_is_iterated_tanh():
    W = 0.9 * _rotation(0.4)
    h0 = np.array([[0.5, -0.2], [0.0, 0.9]])
    traj = rnn.state_trajectories(W, h0, 6)
    h = h0
    for t in range(1, 7):
        h = np.tanh(h @ W.T)
        np.testing.assert_allclose(traj[:, t], h, rtol=0, atol=1e-15)


def test_contractive_rotation_shrinks_at_least_at_rate_rho():
    rho = 0.7
    h0 = np.array([[0.9, 0.1]])
    norms = np.linalg.norm(rnn.state_trajectories(rho * _rotation(0.3), h0, 30)[0], axis=1)
    assert np.all(norms[1:] <= rho * norms[:-1] + 1e-15)


def test_expanding_rotation_settles_away_from_zero():
    h0 = np.array([[0.01, 0.0], [0.0, 0.95]])
    norms = np.linalg.norm(rnn.state_trajectories(1.5 * _rotation(np.pi / 8), h0, 200), axis=2)
    assert np.all(norms[:, -20:] > 0.5)
    assert np.all(norms <= np.sqrt(2))  # tanh keeps every unit in (-1, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"W": np.eye(2), "h0": np.zeros((3, 3)), "T": 4}, "h0"),
    ({"W": np.ones((2, 3)), "h0": np.zeros((1, 2)), "T": 4}, "W"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 0}, "T"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "U": np.ones((2, 1))}, "U was given"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "x": np.ones((1, 3, 1))}, "x was given"),
    ({"W": np.eye(2), "h0": np.zeros((1, 2)), "T": 3, "x": np.ones((1, 4, 1)),
      "U": np.ones((2, 1))}, "T=3"),
])
def test_state_trajectories_validates(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rnn.state_trajectories(**kwargs)


def test_state_gap_matches_two_forward_passes(small_rnn):
    params, x = small_rnn
    x_b = x.copy()
    x_b[:, :3] += 1.0
    gap = rnn.state_gap(params, x, x_b)
    h_a, _ = rnn.rnn_sequence(x, params)
    h_b, _ = rnn.rnn_sequence(x_b, params)
    assert gap.shape == (1, 12)
    np.testing.assert_allclose(gap, np.linalg.norm(h_a - h_b, axis=2), rtol=0, atol=1e-15)


def test_state_gap_obeys_the_contraction_bound(small_rnn):
    params, x = small_rnn
    params = {**params, "W": 0.9 * params["W"] / np.linalg.norm(params["W"], ord=2)}
    x_b = x.copy()
    x_b[:, :4] = -x[:, :4]
    gap = rnn.state_gap(params, x, x_b)[0]
    norm_w = np.linalg.norm(params["W"], ord=2)
    assert norm_w == pytest.approx(0.9)
    # Once the inputs agree (from step 5 on), each step shrinks the gap by at least ||W||_2.
    assert np.all(gap[4:] <= norm_w * gap[3:-1] + 1e-15)


def test_state_gap_is_zero_for_identical_histories(small_rnn):
    params, x = small_rnn
    np.testing.assert_array_equal(rnn.state_gap(params, x, x.copy()), 0.0)


def test_state_gap_validates(small_rnn):
    params, x = small_rnn
    with pytest.raises(TypeError, match="params"):
        rnn.state_gap([1, 2], x, x)
    with pytest.raises(ValueError, match="missing W"):
        rnn.state_gap({"U": params["U"], "b": params["b"]}, x, x)
    with pytest.raises(ValueError, match="x_b"):
        rnn.state_gap(params, x, x[:, :5])
