"""The chapter 5 checkers reject wrong tree code and accept right code.

Every wrong implementation is written out independently of the checker's own
list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import checks

# --- tree_forward -------------------------------------------------------------------


def fwd_loops(x, children, U, W_L, W_R, b):
    n, H = children.shape[0], b.shape[0]
    h = np.zeros((n, H))
    for node in range(n):
        a = b + U @ x[node]
        left, right = children[node]
        if left >= 0:
            a = a + W_L @ h[left]
        if right >= 0:
            a = a + W_R @ h[right]
        h[node] = np.tanh(a)
    return h


def fwd_padded_float32(x, children, U, W_L, W_R, b):
    """Rows, a zero row at the end for -1, computed in float32."""
    x, U, W_L, W_R, b = (np.asarray(v, dtype=np.float32) for v in (x, U, W_L, W_R, b))
    h = np.zeros((len(children) + 1, b.size), dtype=np.float32)
    for node, (left, right) in enumerate(children):
        h[node] = np.tanh(b + x[node] @ U.T + h[left] @ W_L.T + h[right] @ W_R.T)
    return h[:-1]


def fwd_torch(x, children, U, W_L, W_R, b):
    t = [torch.tensor(v) for v in (x, U, W_L, W_R, b)]
    states = []
    zero = torch.zeros(b.shape[0], dtype=torch.float64)
    for node, (left, right) in enumerate(children.tolist()):
        hl = states[left] if left >= 0 else zero
        hr = states[right] if right >= 0 else zero
        states.append(torch.tanh(t[4] + t[1] @ t[0][node] + t[2] @ hl + t[3] @ hr))
    return torch.stack(states).numpy()


def fwd_swapped(x, children, U, W_L, W_R, b):
    return fwd_loops(x, children, U, W_R, W_L, b)


def fwd_one_matrix(x, children, U, W_L, W_R, b):
    return fwd_loops(x, children, U, W_L, W_L, b)


def fwd_no_tanh(x, children, U, W_L, W_R, b):
    n, H = children.shape[0], b.shape[0]
    h = np.zeros((n, H))
    for node, (left, right) in enumerate(children):
        h[node] = b + U @ x[node] + (W_L @ h[left] if left >= 0 else 0) + (
            W_R @ h[right] if right >= 0 else 0)
    return h


def fwd_no_bias(x, children, U, W_L, W_R, b):
    return fwd_loops(x, children, U, W_L, W_R, np.zeros_like(b))


def fwd_leaf_input_only(x, children, U, W_L, W_R, b):
    """Uses U x_n at the leaves only."""
    n, H = children.shape[0], b.shape[0]
    h = np.zeros((n, H))
    for node, (left, right) in enumerate(children):
        if left < 0 and right < 0:
            h[node] = np.tanh(b + U @ x[node])
        else:
            h[node] = np.tanh(b + (W_L @ h[left] if left >= 0 else 0)
                              + (W_R @ h[right] if right >= 0 else 0))
    return h


def fwd_u_transposed(x, children, U, W_L, W_R, b):
    n, H = children.shape[0], b.shape[0]
    h = np.zeros((n, H))
    for node, (left, right) in enumerate(children):
        h[node] = np.tanh(b + x[node] @ U + (W_L @ h[left] if left >= 0 else 0)
                          + (W_R @ h[right] if right >= 0 else 0))
    return h


def fwd_in_place(x, children, U, W_L, W_R, b):
    children[children < 0] = 0
    return fwd_loops(x, children, U, W_L, W_R, b)


@pytest.mark.parametrize("fn", [fwd_loops, fwd_padded_float32, fwd_torch])
def test_tree_forward_accepts_right_answers(fn):
    result = checks.tree_forward(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (fwd_swapped, "children are swapped"),
    (fwd_one_matrix, "W_L is used for both children"),
    (fwd_no_tanh, "tanh is missing"),
    (fwd_no_bias, "bias b is missing"),
    (fwd_leaf_input_only, "U x_n is missing at internal nodes"),
    (fwd_u_transposed, "raised ValueError"),
    (fwd_in_place, "modified its argument children"),
])
def test_tree_forward_rejects_wrong_answers(assert_rejected, fn, words):
    assert_rejected(checks.tree_forward, fn, words)


# --- tree_backward ------------------------------------------------------------------


def bwd_loops(dh, x, children, h, U, W_L, W_R):
    n, H = h.shape
    g = dh.copy()
    dx, dU, dW_L, dW_R, db = (np.zeros_like(x), np.zeros_like(U), np.zeros_like(W_L),
                              np.zeros_like(W_R), np.zeros(H))
    for node in range(n - 1, -1, -1):
        da = g[node] * (1 - h[node] ** 2)
        left, right = children[node]
        dx[node] = U.T @ da
        dU += np.outer(da, x[node])
        db += da
        if left >= 0:
            dW_L += np.outer(da, h[left])
            g[left] += W_L.T @ da
        if right >= 0:
            dW_R += np.outer(da, h[right])
            g[right] += W_R.T @ da
    return dx, dU, dW_L, dW_R, db


def bwd_torch(dh, x, children, h, U, W_L, W_R):
    """Autograd, with b recovered from the root's pre-activation."""
    n, H = h.shape
    zero = np.zeros(H)
    left = np.array([h[c] if c >= 0 else zero for c in children[:, 0]])
    right = np.array([h[c] if c >= 0 else zero for c in children[:, 1]])
    b = np.arctanh(h[0]) - U @ x[0] - W_L @ left[0] - W_R @ right[0]
    t = {k: torch.tensor(v, requires_grad=True)
         for k, v in dict(x=x, U=U, W_L=W_L, W_R=W_R, b=b).items()}
    states = []
    zt = torch.zeros(H, dtype=torch.float64)
    for node, (lc, rc) in enumerate(children.tolist()):
        hl = states[lc] if lc >= 0 else zt
        hr = states[rc] if rc >= 0 else zt
        states.append(torch.tanh(t["b"] + t["U"] @ t["x"][node] + t["W_L"] @ hl
                                 + t["W_R"] @ hr))
    (torch.stack(states) * torch.tensor(dh)).sum().backward()
    return [t[k].grad.numpy() for k in ("x", "U", "W_L", "W_R", "b")]


def bwd_vectorised_float32(dh, x, children, h, U, W_L, W_R):
    """Deltas by a reverse loop, weight gradients as stacked products, in float32."""
    dh, x, h, U, W_L, W_R = (np.asarray(v, dtype=np.float32) for v in (dh, x, h, U, W_L, W_R))
    n, H = h.shape
    g = np.vstack([dh, np.zeros((1, H), np.float32)])  # row n: the absent child
    delta = np.zeros((n, H), np.float32)
    for node in range(n - 1, -1, -1):
        delta[node] = g[node] * (1 - h[node] ** 2)
        g[children[node, 0]] += delta[node] @ W_L
        g[children[node, 1]] += delta[node] @ W_R
    padded = np.vstack([h, np.zeros((1, H), np.float32)])
    return (delta @ U, delta.T @ x, delta.T @ padded[children[:, 0]],
            delta.T @ padded[children[:, 1]], delta.sum(axis=0))


def bwd_swapped(dh, x, children, h, U, W_L, W_R):
    dx, dU, dW_L, dW_R, db = bwd_loops(dh, x, children[:, ::-1].copy(), h, U, W_L, W_R)
    return dx, dU, dW_L, dW_R, db


def bwd_no_derivative(dh, x, children, h, U, W_L, W_R):
    return bwd_loops(dh, x, children, np.zeros_like(h), U, W_L, W_R)


def bwd_not_passed_down(dh, x, children, h, U, W_L, W_R):
    da = dh * (1 - h ** 2)
    zero = np.zeros((1, h.shape[1]))
    padded = np.vstack([h, zero])
    return (da @ U, da.T @ x, da.T @ padded[children[:, 0]], da.T @ padded[children[:, 1]],
            da.sum(0))


def bwd_assigned_not_added(dh, x, children, h, U, W_L, W_R):
    """Child gradient set to its parent's message, dropping its own dh."""
    n, H = h.shape
    g = dh.copy()
    dx, dU, dW_L, dW_R, db = (np.zeros_like(x), np.zeros_like(U), np.zeros_like(W_L),
                              np.zeros_like(W_R), np.zeros(H))
    for node in range(n - 1, -1, -1):
        da = g[node] * (1 - h[node] ** 2)
        left, right = children[node]
        dx[node], db = U.T @ da, db + da
        dU += np.outer(da, x[node])
        if left >= 0:
            dW_L += np.outer(da, h[left])
            g[left] = W_L.T @ da
        if right >= 0:
            dW_R += np.outer(da, h[right])
            g[right] = W_R.T @ da
    return dx, dU, dW_L, dW_R, db


def bwd_root_weights_only(dh, x, children, h, U, W_L, W_R):
    dx, _, _, _, _ = bwd_loops(dh, x, children, h, U, W_L, W_R)
    single = np.zeros_like(dh)
    n = h.shape[0]
    single[n - 1] = dh[n - 1]
    _, dU, dW_L, dW_R, db = bwd_loops(single, x, children, h, U, W_L, W_R)
    # only the root's own term: undo what was sent down by recomputing on the root alone
    da = dh[n - 1] * (1 - h[n - 1] ** 2)
    zero = np.zeros(h.shape[1])
    left, right = children[n - 1]
    return (dx, np.outer(da, x[n - 1]), np.outer(da, h[left] if left >= 0 else zero),
            np.outer(da, h[right] if right >= 0 else zero), da)


def bwd_wrong_order(dh, x, children, h, U, W_L, W_R):
    dx, dU, dW_L, dW_R, db = bwd_loops(dh, x, children, h, U, W_L, W_R)
    return dU, dx, dW_L, dW_R, db


def bwd_untransposed(dh, x, children, h, U, W_L, W_R):
    return bwd_loops(dh, x, children, h, U, W_L.T.copy(), W_R.T.copy())


@pytest.mark.parametrize("fn", [bwd_loops, bwd_torch, bwd_vectorised_float32])
def test_tree_backward_accepts_right_answers(fn):
    result = checks.tree_backward(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (bwd_swapped, "wrong"),
    (bwd_no_derivative, "derivative of tanh"),
    (bwd_not_passed_down, "nothing is sent down"),
    (bwd_assigned_not_added, "wrong"),
    (bwd_root_weights_only, "only the root's term"),
    (bwd_wrong_order, "dx"),
    (bwd_untransposed, "untransposed"),
])
def test_tree_backward_rejects_wrong_answers(assert_rejected, fn, words):
    assert_rejected(checks.tree_backward, fn, words)


# --- leaf_depths --------------------------------------------------------------------


def depths_loop(children):
    n = len(children)
    depth = [0] * n
    for node in reversed(range(n)):
        for child in children[node]:
            if child >= 0:
                depth[child] = depth[node] + 1
    return [depth[i] for i in range(n) if (children[i] < 0).all()]


def depths_recursive(children):
    """Walk down from the root recursively, then sort by leaf index."""
    found = {}

    def walk(node, d):
        left, right = children[node]
        if left < 0 and right < 0:
            found[node] = d
        for child in (left, right):
            if child >= 0:
                walk(child, d + 1)

    walk(len(children) - 1, 0)
    return np.array([found[k] for k in sorted(found)], dtype=float)


def depths_counting_nodes(children):
    return [d + 1 for d in depths_loop(children)]


def depths_all_nodes(children):
    n = len(children)
    depth = [0] * n
    for node in reversed(range(n)):
        for child in children[node]:
            if child >= 0:
                depth[child] = depth[node] + 1
    return depth


def depths_heights(children):
    height = [0] * len(children)
    for node, (left, right) in enumerate(children):
        kids = [height[c] for c in (left, right) if c >= 0]
        height[node] = max(kids) + 1 if kids else 0
    return height


def depths_left_only(children):
    """Follows only left children: right-hand leaves keep depth 0."""
    n = len(children)
    depth = [0] * n
    for node in reversed(range(n)):
        if children[node][0] >= 0:
            depth[children[node][0]] = depth[node] + 1
    return [depth[i] for i in range(n) if (children[i] < 0).all()]


def depths_forward_order(children):
    """Walks children before parents, so depths are read before they are set."""
    n = len(children)
    depth = [0] * n
    for node in range(n):
        for child in children[node]:
            if child >= 0:
                depth[child] = depth[node] + 1
    return [depth[i] for i in range(n) if (children[i] < 0).all()]


def depths_reversed_leaves(children):
    return depths_loop(children)[::-1]


@pytest.mark.parametrize("fn", [depths_loop, depths_recursive])
def test_leaf_depths_accepts_right_answers(fn):
    result = checks.leaf_depths(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (depths_counting_nodes, "nodes are counted instead of edges"),
    (depths_all_nodes, "wrong"),
    (depths_heights, "wrong"),
    (depths_left_only, "wrong"),
    (depths_forward_order, "wrong"),
    (depths_reversed_leaves, "wrong"),
])
def test_leaf_depths_rejects_wrong_answers(assert_rejected, fn, words):
    assert_rejected(checks.leaf_depths, fn, words)


def test_stubs_are_not_implemented_and_nothing_raises():
    def stub(*args):
        raise NotImplementedError("Not implemented yet.")

    for checker in (checks.tree_forward, checks.tree_backward, checks.leaf_depths):
        result = checker(stub)
        assert not result
        assert result.status == "not implemented"
        assert not checker(None)


# --- a node whose only child is on the right --------------------------------------------


def fwd_left_means_leaf(x, children, U, W_L, W_R, b):
    """Wrong: treats a node without a left child as a leaf."""
    h = np.zeros((len(children), b.size))
    for node, (left, right) in enumerate(children):
        if left < 0:
            h[node] = np.tanh(b + U @ x[node])
            continue
        h[node] = np.tanh(b + U @ x[node] + W_L @ h[left]
                          + (W_R @ h[right] if right >= 0 else 0.0))
    return h


def depths_left_means_leaf(children):
    """Wrong: takes the nodes without a left child for the leaves."""
    n = len(children)
    depth = np.zeros(n, dtype=int)
    for node in range(n - 1, -1, -1):
        for child in children[node]:
            if child >= 0:
                depth[child] = depth[node] + 1
    return depth[children[:, 0] < 0]


def test_a_right_only_child_is_tested(assert_rejected):
    result = assert_rejected(checks.tree_forward, fwd_left_means_leaf, "only a right child")
    assert result.n_passed == 4
    assert_rejected(checks.leaf_depths, depths_left_means_leaf, "only a right child")
