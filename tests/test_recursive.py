"""Tests of textbook_rnn.recursive: trees, the level-batched forward pass, BPTS.

Values by hand, finite differences, hypothesis over tree shapes, the special
trees (a single leaf, a chain, a balanced tree, a forest) and malformed input.
Parity with torch autograd is in test_torch_recursive.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textbook_rnn import recursive as r
from textbook_rnn.gradcheck import numerical_gradient, relative_error

NAMES = ("x", "U", "W_L", "W_R", "b")


def _problem(children, D=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    n = len(children)
    return {"x": rng.normal(size=(n, D)), "U": rng.normal(size=(H, D)),
            "W_L": rng.normal(size=(H, H)) * 0.7, "W_R": rng.normal(size=(H, H)) * 0.7,
            "b": rng.normal(size=H)}


def _node_by_node(x, children, U, W_L, W_R, b):
    """An independent reference: one node at a time, in index order."""
    h = np.zeros((len(children), b.size))
    for n, (left, right) in enumerate(children):
        a = b + U @ x[n]
        if left >= 0:
            a += W_L @ h[left]
        if right >= 0:
            a += W_R @ h[right]
        h[n] = np.tanh(a)
    return h


# --- trees -------------------------------------------------------------------------


def test_parse_tree_lists_children_before_parents():
    tree = r.parse_tree(("+", 3, ("*", 4, 2)))
    assert tree.labels == (3, 4, 2, "*", "+")
    np.testing.assert_array_equal(tree.children, [[-1, -1], [-1, -1], [-1, -1], [1, 2], [0, 3]])
    assert tree.root == 4
    np.testing.assert_array_equal(tree.leaves, [0, 1, 2])


def test_parse_tree_unlabelled_pairs_and_a_single_leaf():
    tree = r.parse_tree((("a", "b"), "c"))
    assert tree.labels == ("a", "b", None, "c", None)
    leaf = r.parse_tree("z")
    assert leaf.children.shape == (1, 2) and leaf.root == 0 and r.tree_depth(leaf) == 0


@pytest.mark.parametrize("nested, where", [((), "path ()"), ((1,), "path ()"),
                                           ((1, 2, 3, 4), "4 item"),
                                           (("+", 1, ("-",)), "path (2,)")])
def test_parse_tree_rejects_malformed_tuples(nested, where):
    with pytest.raises(ValueError, match=re_escape(where)):
        r.parse_tree(nested)


def re_escape(text):
    import re

    return re.escape(text)


def test_from_parents_matches_parse_tree():
    tree = r.from_parents([2, 2, 4, 4, -1], labels=list("abcde"))
    np.testing.assert_array_equal(tree.children, r.parse_tree((("a", "b"), "d")).children)
    assert tree.labels == tuple("abcde")


@pytest.mark.parametrize("parents, message", [
    ([1, 0, -1], "cycle"),
    ([-1, -1], "exactly one root"),
    ([1, 1], "cycle"),
    ([3, -1], "outside"),
    ([-1, 0], "comes after its parent"),
    ([3, 3, 3, -1], "more than two children"),
])
def test_from_parents_rejects_malformed_input(parents, message):
    with pytest.raises(ValueError, match=message):
        r.from_parents(parents)


@pytest.mark.parametrize("children, message", [
    ([[-1, -1], [0, 0]], "node 0 is a child more than once"),
    ([[-1, -1], [-1, -1], [0, 1], [0, -1]], "node 0 is a child more than once"),
    ([[1, -1], [-1, -1]], "node 0's left child is 1, which does not come before it"),
    ([[-1, -1], [-1, 7]], "node 1's right child is 7, outside"),
    ([[-1, -1], [-2, -1]], "outside"),
])
def test_check_children_names_the_bad_node(children, message):
    with pytest.raises(ValueError, match=message):
        r.check_children(children)


def test_check_children_single_root_and_types():
    with pytest.raises(ValueError, match="2 roots"):
        r.check_children([[-1, -1], [-1, -1]], single_root=True)
    with pytest.raises(TypeError, match="integers"):
        r.check_children(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        r.check_children(np.full((2, 3), -1))


@pytest.mark.parametrize("tau", [1, 2, 3, 5, 8, 13, 32])
def test_balanced_and_chain_depths(tau):
    balanced, chain = r.balanced_tree(tau), r.chain_tree(tau)
    assert r.tree_depth(balanced) == int(np.ceil(np.log2(tau)))
    assert r.tree_depth(chain) == tau - 1
    assert balanced.n_nodes == chain.n_nodes == 2 * tau - 1
    assert r.leaf_depths(balanced).max() == r.tree_depth(balanced)
    # the chain's first two leaves are deepest, then one less per leaf
    if tau > 1:
        np.testing.assert_array_equal(r.leaf_depths(chain),
                                      [tau - 1] + list(range(tau - 1, 0, -1)))


def test_forest_shifts_indices_and_keeps_roots():
    trees = [r.parse_tree(1), r.parse_tree((2, 3)), r.balanced_tree(4)]
    f = r.forest(trees)
    np.testing.assert_array_equal(f.roots, [0, 3, 10])
    np.testing.assert_array_equal(f.children[3], [1, 2])
    r.check_children(f.children)
    with pytest.raises(TypeError, match="Tree"):
        r.forest([])


# --- forward ------------------------------------------------------------------------


def test_forward_by_hand_on_a_two_leaf_tree():
    # H = D = 1: leaves tanh(b + u x), root tanh(b + u*0 + wl h0 + wr h1)
    x = np.array([[1.0], [2.0], [0.0]])
    children = [[-1, -1], [-1, -1], [0, 1]]
    U, W_L, W_R, b = np.array([[0.5]]), np.array([[2.0]]), np.array([[-1.0]]), np.array([0.1])
    h, _ = r.recursive_forward(x, children, U, W_L, W_R, b)
    h0, h1 = np.tanh(0.6), np.tanh(1.1)
    np.testing.assert_allclose(h[:, 0], [h0, h1, np.tanh(0.1 + 2 * h0 - h1)])


@pytest.mark.parametrize("tree", [r.parse_tree(0), r.chain_tree(6), r.balanced_tree(7),
                                  r.from_parents([1, 3, 3, -1])])
def test_forward_equals_node_by_node(tree):
    p = _problem(tree.children)
    h, _ = r.recursive_forward(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])
    np.testing.assert_allclose(h, _node_by_node(p["x"], tree.children, p["U"], p["W_L"],
                                                p["W_R"], p["b"]), atol=1e-14)


def test_forward_keeps_float32():
    tree = r.balanced_tree(4)
    p = {k: v.astype(np.float32) for k, v in _problem(tree.children).items()}
    h, _ = r.recursive_forward(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])
    assert h.dtype == np.float32


@pytest.mark.parametrize("bad, message", [
    ({"x": np.zeros((5, 3))}, "x must have shape"),
    ({"U": np.zeros((4, 2))}, "U must have shape"),
    ({"W_R": np.zeros((3, 3))}, "W_R must have shape"),
    ({"b": np.zeros(5)}, "b must have shape"),
])
def test_forward_names_the_bad_argument(bad, message):
    tree = r.balanced_tree(4)
    p = _problem(tree.children)
    p.update(bad)
    with pytest.raises(ValueError, match=message):
        r.recursive_forward(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])


def test_a_forest_computes_each_tree_as_alone():
    trees = [r.chain_tree(3), r.balanced_tree(4), r.parse_tree(5)]
    f = r.forest(trees)
    p = _problem(f.children)
    h, _ = r.recursive_forward(p["x"], f.children, p["U"], p["W_L"], p["W_R"], p["b"])
    start = 0
    for tree in trees:
        stop = start + tree.n_nodes
        alone, _ = r.recursive_forward(p["x"][start:stop], tree.children, p["U"], p["W_L"],
                                       p["W_R"], p["b"])
        np.testing.assert_allclose(h[start:stop], alone, atol=1e-14)
        start = stop


# --- backward -----------------------------------------------------------------------


def _fd_errors(children, seed=0):
    p = _problem(children, seed=seed)
    h, cache = r.recursive_forward(p["x"], children, p["U"], p["W_L"], p["W_R"], p["b"])
    dh = np.random.default_rng(seed + 100).normal(size=h.shape)
    grads = r.recursive_backward(dh, cache)
    errors = {}
    for name, g in zip(NAMES, grads, strict=True):
        def loss(v, name=name):
            q = dict(p, **{name: v})
            return float((r.recursive_forward(q["x"], children, q["U"], q["W_L"], q["W_R"],
                                              q["b"])[0] * dh).sum())
        errors[name] = relative_error(numerical_gradient(loss, p[name]), g)
    return errors


@pytest.mark.parametrize("tree", [r.parse_tree(0), r.chain_tree(5), r.balanced_tree(6),
                                  r.from_parents([2, 2, 3, -1])])
def test_backward_matches_finite_differences(tree):
    errors = _fd_errors(tree.children)
    assert max(errors.values()) < 1e-7, errors


def test_backward_rejects_a_wrong_dh_shape():
    tree = r.balanced_tree(3)
    p = _problem(tree.children)
    _, cache = r.recursive_forward(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])
    with pytest.raises(ValueError, match="dh must have shape"):
        r.recursive_backward(np.zeros((5, 3)), cache)


@st.composite
def parent_lists(draw):
    """Random binary trees as parent lists (children first, at most two children each)."""
    n_leaves = draw(st.integers(1, 9))
    row = list(range(n_leaves))
    parents, n = [None] * n_leaves, n_leaves
    while len(row) > 1:
        i = draw(st.integers(0, len(row) - 2))
        parents.append(None)
        parents[row[i]] = parents[row[i + 1]] = n
        row[i:i + 2] = [n]
        n += 1
    parents[row[0]] = -1
    return parents


@settings(max_examples=25, deadline=None)
@given(parent_lists(), st.integers(1, 4), st.integers(1, 4))
def test_hypothesis_random_trees_forward_and_backward(parents, D, H):
    tree = r.from_parents(parents)
    p = _problem(tree.children, D=D, H=H, seed=len(parents))
    h, cache = r.recursive_forward(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])
    assert h.shape == (tree.n_nodes, H)
    np.testing.assert_allclose(h, _node_by_node(p["x"], tree.children, p["U"], p["W_L"],
                                                p["W_R"], p["b"]), atol=1e-13)
    dx, dU, dW_L, dW_R, db = r.recursive_backward(np.ones_like(h), cache)
    assert dx.shape == p["x"].shape and dU.shape == (H, D) and db.shape == (H,)
    assert dW_L.shape == dW_R.shape == (H, H)
    assert r.leaf_depths(tree).size == (tree.n_nodes + 1) // 2


# --- depth and greedy merging -------------------------------------------------------


def test_leaf_gradient_norms_of_a_single_leaf_is_the_identity():
    tree = r.parse_tree(0)
    p = _problem(tree.children, H=3)
    norms = r.leaf_gradient_norms(p["x"], tree, p["U"], p["W_L"], p["W_R"], p["b"])
    np.testing.assert_allclose(norms, [np.sqrt(3.0)])


def test_leaf_gradient_norms_equal_a_finite_difference_jacobian():
    tree = r.parse_tree(((0, 1), 2))
    p = _problem(tree.children, H=2)
    norms = r.leaf_gradient_norms(p["x"], tree, p["U"], p["W_L"], p["W_R"], p["b"])
    # perturb the leaf state directly: recompute the parents by hand
    h = _node_by_node(p["x"], tree.children, p["U"], p["W_L"], p["W_R"], p["b"])

    def root_from(leaf, value):
        hh = h.copy()
        hh[leaf] = value
        for n in (2, 4):  # the internal nodes, children first
            left, right = tree.children[n]
            hh[n] = np.tanh(p["b"] + p["U"] @ p["x"][n] + p["W_L"] @ hh[left]
                            + p["W_R"] @ hh[right])
        return hh[4]

    for k, leaf in enumerate(tree.leaves):
        jac = np.array([numerical_gradient(lambda v, u=u, leaf=leaf: root_from(leaf, v)[u],
                                           h[leaf])
                        for u in range(2)])
        assert abs(np.linalg.norm(jac) - norms[k]) < 1e-7


def test_a_chain_loses_its_first_leaves_more_than_a_balanced_tree():
    out = r.leaf_gradient_experiment(16, H=8, D=3, seeds=(0, 1, 2))
    assert out["balanced"].shape == out["chain"].shape == (3, 16)
    assert np.median(out["balanced"].min(axis=1)) > np.median(out["chain"].min(axis=1))
    assert out["chain_depth"].max() == 15 and out["balanced_depth"].max() == 4


def test_greedy_merge_picks_the_best_pair_each_time():
    rng = np.random.default_rng(4)
    H = 3
    h_leaves = rng.normal(size=(5, H))
    W_L, W_R, b, s = rng.normal(size=(H, H)), rng.normal(size=(H, H)), rng.normal(size=H), \
        rng.normal(size=H)
    tree, steps = r.greedy_merge(h_leaves, W_L, W_R, b, s, return_steps=True)
    assert tree.n_nodes == 9 and len(steps) == 4
    r.check_children(tree.children, single_root=True)
    first = steps[0]
    scores = [s @ np.tanh(b + W_L @ h_leaves[i] + W_R @ h_leaves[i + 1]) for i in range(4)]
    np.testing.assert_allclose(first["scores"], scores)
    assert first["chosen"] == int(np.argmax(scores))
    np.testing.assert_array_equal(tree.children[5], [first["chosen"], first["chosen"] + 1])


def test_greedy_merge_of_one_leaf_is_that_leaf():
    tree = r.greedy_merge(np.ones((1, 2)), np.eye(2), np.eye(2), np.zeros(2), np.ones(2))
    assert tree.n_nodes == 1 and tree.root == 0


def test_fit_merge_score_learns_the_marked_pairs():
    from textbook_rnn.tasks import phrase_sentences

    rng = np.random.default_rng(0)
    H = 16
    embed = np.tanh(rng.normal(size=(8, H)))
    c = r.random_params(1, H, gain=1.5, seed=1)
    sents, gold = phrase_sentences(120, seed=2)
    w = r.fit_merge_score([embed[s] for s in sents], gold, c["W_L"], c["W_R"], c["b"],
                          steps=300)

    def found(score):
        hits = [r.pair_recall(r.greedy_merge(embed[s], c["W_L"], c["W_R"], c["b"], score), g)
                for s, g in zip(sents, gold, strict=True)]
        return sum(h for h, _ in hits) / sum(t for _, t in hits)

    assert found(w) > 0.85
    assert found(w) > found(np.zeros(H)) + 0.2  # a zero score merges left to right


def test_fit_merge_score_and_pair_recall_reject_bad_input():
    W = np.eye(2)
    with pytest.raises(ValueError, match="row 0"):
        r.fit_merge_score([np.ones((3, 2))], [np.zeros(2, bool)], W, W, np.zeros(2))
    with pytest.raises(ValueError, match="one length"):
        r.fit_merge_score([np.ones((3, 2))], [], W, W, np.zeros(2))
    tree = r.parse_tree(((0, 1), 2))
    assert r.pair_recall(tree, [True, True]) == (1, 2)
    with pytest.raises(TypeError, match="Tree"):
        r.pair_recall("tree", [True])
