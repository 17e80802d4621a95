"""Tests of textbook_rnn.torch_nn.recursive: parity with the numpy core, the models, the run."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from textbook_rnn import data, recursive  # noqa: E402
from textbook_rnn.tasks import expressions as ex  # noqa: E402
from textbook_rnn.torch_nn import recursive as tr  # noqa: E402

NAMES = ("x", "U", "W_L", "W_R", "b")


@pytest.mark.parametrize("trees", [
    [recursive.parse_tree(0)],
    [recursive.chain_tree(7)],
    [recursive.balanced_tree(9)],
    [recursive.chain_tree(3), recursive.balanced_tree(5), recursive.parse_tree((1, (2, 3)))],
])
def test_torch_forward_and_autograd_equal_numpy_in_float64(trees):
    f = recursive.forest(trees)
    rng = np.random.default_rng(0)
    n, D, H = f.children.shape[0], 3, 5
    args = {"x": rng.normal(size=(n, D)), **recursive.random_params(D, H, seed=1)}
    args["b"] = rng.normal(size=H)
    h, cache = recursive.recursive_forward(args["x"], f.children, *(args[k] for k in NAMES[1:]))
    dh = rng.normal(size=h.shape)
    grads = recursive.recursive_backward(dh, cache)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in args.items()}
    out = tr.torch_recursive_forward(t["x"], f.children, *(t[k] for k in NAMES[1:]))
    np.testing.assert_allclose(out.detach().numpy(), h, rtol=0, atol=1e-12)
    (out * torch.from_numpy(dh)).sum().backward()
    for name, g in zip(NAMES, grads, strict=True):
        np.testing.assert_allclose(t[name].grad.numpy(), g, rtol=0, atol=1e-12)


def test_torch_forward_rejects_a_malformed_tree():
    with pytest.raises(ValueError, match="more than once"):
        tr.torch_recursive_forward(np.zeros((2, 1)), [[-1, -1], [0, 0]], np.zeros((2, 1)),
                                   np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(2))


def test_the_tree_net_batches_a_forest_like_single_trees():
    exprs = [("+", 1, 2), 5, ("*", ("-", 3, 4), 6)]
    enc = tr.encode_trees(exprs)
    model = tr.TreeNet(10, 6, 7, seed=0)
    together = model(*tr._batch_forest(enc, [0, 1, 2]))
    for i in range(3):
        alone = model(*tr._batch_forest(enc, [i]))
        torch.testing.assert_close(together[i:i + 1], alone)
    deep = tr.TreeNet(10, 6, 7, deep=True, seed=0)
    assert deep(*tr._batch_forest(enc, [0, 2])).shape == (2, 7)


def test_the_lstm_reads_each_string_to_its_own_end():
    exprs = [("+", 1, 2), 5]
    ids, lengths = tr.encode_tokens(exprs)
    assert ids.shape == (2, 5) and lengths.tolist() == [5, 1]
    model = tr.TokenLSTM(len(ex.TOKENS), 4, 7, seed=0)
    both = model(torch.from_numpy(ids), torch.from_numpy(lengths))
    alone = model(torch.from_numpy(ids[1:, :1]), torch.from_numpy(lengths[1:]))
    torch.testing.assert_close(both[1:], alone)


def test_a_short_run_reports_per_depth_and_gives_the_lstm_the_same_time():
    torch.set_num_threads(1)
    out = tr.expressions_run(0, H=8, steps=5, batch=8, n_train=20, n_test=10,
                             test_depths=(1, 4), lstm_max_steps=3)
    assert set(out["tree"]["accuracy"]) == set(out["lstm"]["accuracy"]) == {"1", "4"}
    assert out["tree"]["updates"] == 5 and 1 <= out["lstm"]["updates"] <= 3
    assert all(0 <= v <= 1 for v in out["tree"]["accuracy"].values())
    again = tr.expressions_run(0, H=8, steps=5, batch=8, n_train=20, n_test=10,
                               test_depths=(1, 4), lstm=False)
    assert again["tree"]["accuracy"] == out["tree"]["accuracy"]


def test_the_stored_file_recomputes_its_majority_rates():
    stored = data.load("expressions")
    setup, run = stored["setup"], stored["runs"][0]
    rng = np.random.default_rng(run["seed"])
    ex.expression_dataset(setup["n_train"], setup["train_depths"], seed=rng)
    _, values, depth = ex.expression_dataset(setup["n_test"], setup["test_depths"], seed=rng)
    rates = ex.majority_rates(values, depth)
    assert {str(k): v for k, v in rates.items()} == run["majority"]
    assert "expressions_sweep.py" in stored["command"]
    for model in ("tree", "lstm"):
        assert set(run[model]["accuracy"]) == {str(d) for d in setup["test_depths"]}


def test_the_long_lstm_file_matches_the_equal_time_file_but_for_the_lstm_budget():
    equal_time, long = data.load("expressions"), data.load("expressions_lstm_long")
    assert "--lstm-steps" in long["command"]
    assert {k: v for k, v in long["setup"].items() if k != "lstm_steps"} == equal_time["setup"]
    assert [r["seed"] for r in long["runs"]] == [r["seed"] for r in equal_time["runs"]]
    for a, b in zip(equal_time["runs"], long["runs"], strict=True):
        assert a["majority"] == b["majority"]
        # the tree network is trained identically (same seed, same steps)
        assert a["tree"]["accuracy"] == b["tree"]["accuracy"]
        assert b["lstm"]["updates"] == long["setup"]["lstm_steps"] > a["lstm"]["updates"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_recursive_forward_runs_on_the_gpu():
    tree = recursive.forest([recursive.balanced_tree(16), recursive.chain_tree(9)])
    p = recursive.random_params(D=3, H=5, seed=1)
    x = np.random.default_rng(0).normal(size=(tree.children.shape[0], 3))
    h_np, _ = recursive.recursive_forward(x, tree.children, **p)
    on_gpu = [torch.tensor(v, device="cuda") for v in (x, p["U"], p["W_L"], p["W_R"], p["b"])]
    h = tr.torch_recursive_forward(on_gpu[0], tree.children, *on_gpu[1:])
    assert h.is_cuda
    np.testing.assert_allclose(h.cpu().numpy(), h_np, rtol=0, atol=1e-12)
