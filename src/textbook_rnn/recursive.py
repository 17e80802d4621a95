"""Recursive networks over trees: composition by shared weights and its gradient.

The numpy core of the chapter "Deep and recursive networks"
(``chapters/05_deep_recursive.md``), sections *Recursive networks*,
*Back-propagation through structure*, *Depth: log τ against τ* and
*Fixed or learned structure*. Every node ``n`` of a binary tree has an input
vector ``x_n`` and a state computed from its children's states with the same
weights at every node::

    h_n = tanh(b + U x_n + W_L h_left(n) + W_R h_right(n))      (recursive-node)

where an absent child contributes a zero state; a readout ``o = c + V h_root``
sits on the root. A tree, or a forest of trees (how a batch is made), is an
int array ``children`` of shape ``(n, 2)``: row ``n`` holds the indices of
node ``n``'s left and right child, ``-1`` for none, and every child comes
before its parent, so that the nodes can be computed level by level, all the
nodes of one height at once.

Only numpy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import Shapes, as_rng, check_positive_int, float_dtype

__all__ = [
    "Forest",
    "Tree",
    "balanced_tree",
    "chain_tree",
    "check_children",
    "fit_merge_score",
    "forest",
    "from_parents",
    "greedy_merge",
    "leaf_depths",
    "leaf_gradient_experiment",
    "leaf_gradient_norms",
    "merge_scores",
    "node_heights",
    "pair_recall",
    "parse_tree",
    "random_params",
    "recursive_backward",
    "recursive_forward",
    "tree_depth",
]


# ---------------------------------------------------------------------------
# Trees
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """A binary tree with its nodes listed children first.

    Attributes
    ----------
    children : ndarray of int, shape (n, 2)
        Left and right child of each node, ``-1`` for none.
    labels : tuple, length n
        A label per node: the leaf's value, an internal node's operator, or
        ``None`` for an unlabelled internal node.
    root : int
        The index of the root, always ``n - 1``.
    """

    children: np.ndarray
    labels: tuple
    root: int

    @property
    def n_nodes(self) -> int:
        """The number of nodes, ``n``."""
        return int(self.children.shape[0])

    @property
    def leaves(self) -> np.ndarray:
        """The indices of the leaves (nodes without children), in order."""
        return np.flatnonzero((self.children < 0).all(axis=1))


@dataclass(frozen=True)
class Forest:
    """Several trees in one ``children`` array, as :func:`forest` builds it.

    Attributes
    ----------
    children : ndarray of int, shape (n, 2)
        The trees' ``children`` arrays, shifted and stacked.
    labels : tuple, length n
        The trees' labels, concatenated.
    roots : ndarray of int, shape (M,)
        The index of each tree's root, in the order of the trees.
    """

    children: np.ndarray
    labels: tuple
    roots: np.ndarray


def _children_problem(children: np.ndarray) -> str | None:
    """Why ``children`` is not a forest listed children first, or None."""
    n = children.shape[0]
    for node, pair in enumerate(children):
        for side, child in zip(("left", "right"), pair, strict=True):
            if child < -1 or child >= n:
                return (f"node {node}'s {side} child is {child}, outside -1..{n - 1} "
                        "(-1 means no child)")
            if child >= node:
                return (f"node {node}'s {side} child is {child}, which does not come before "
                        "it; list every child before its parent")
    used = children[children >= 0]
    counts = np.bincount(used, minlength=n)
    if (counts > 1).any():
        node = int(np.flatnonzero(counts > 1)[0])
        parents = np.flatnonzero((children == node).any(axis=1)).tolist()
        return (f"node {node} is a child more than once (of nodes {parents}); a tree gives "
                "each node one parent")
    return None


def check_children(children, *, single_root: bool = False) -> np.ndarray:
    """Check a ``children`` array and return it as an int array.

    Parameters
    ----------
    children : array_like of int, shape (n, 2)
        Left and right child of each node, ``-1`` for none, children first.
    single_root : bool
        Also require exactly one root (one tree rather than a forest).

    Returns
    -------
    ndarray of int, shape (n, 2)

    Raises
    ------
    ValueError, TypeError
        A wrong shape or dtype, a child index out of range or not before its
        parent, a node with two parents, or (``single_root``) several roots;
        the message names the node.
    """
    children = Shapes().array("children", children, ("n", "2"), integer=True)
    if children.shape[1] != 2:
        raise ValueError(f"children must have shape (n, 2), got shape {children.shape}")
    children = children.astype(np.intp, copy=False)
    problem = _children_problem(children)
    if problem is not None:
        raise ValueError(f"children is not a tree listed children first: {problem}")
    if single_root:
        roots = _roots(children)
        if roots.size != 1:
            raise ValueError(f"children must hold one tree with one root, got {roots.size} "
                             f"roots (nodes {roots.tolist()})")
    return children


def _roots(children: np.ndarray) -> np.ndarray:
    """The nodes that are nobody's child, in order."""
    is_child = np.zeros(children.shape[0], dtype=bool)
    is_child[children[children >= 0]] = True
    return np.flatnonzero(~is_child)


def parse_tree(nested) -> Tree:
    """Build a :class:`Tree` from nested tuples.

    A leaf is anything that is not a tuple (its label is itself); an internal
    node is ``(label, left, right)``, e.g. an operator with its two operands,
    or ``(left, right)`` without a label. ``("+", 3, ("*", 4, 2))`` has five
    nodes: 3, 4, 2, the ``*`` node, the ``+`` node (the root comes last).

    Parameters
    ----------
    nested : tuple or any leaf value
        The tree.

    Returns
    -------
    Tree

    Raises
    ------
    ValueError
        An empty tuple, a 1-tuple or a tuple of more than three items; the
        message gives the position of the bad node as a path of child indices.
    """
    children: list[tuple[int, int]] = []
    labels: list = []

    def visit(node, path: tuple[int, ...]) -> int:
        if not isinstance(node, tuple):
            children.append((-1, -1))
            labels.append(node)
            return len(labels) - 1
        if len(node) == 3:
            label, kids = node[0], node[1:]
        elif len(node) == 2:
            label, kids = None, node
        else:
            raise ValueError(
                f"nested: the tuple at path {path} has {len(node)} item(s); an internal node "
                "is (label, left, right) or (left, right), a leaf is not a tuple")
        offset = 1 if len(node) == 3 else 0
        left = visit(kids[0], (*path, offset))
        right = visit(kids[1], (*path, offset + 1))
        children.append((left, right))
        labels.append(label)
        return len(labels) - 1

    root = visit(nested, ())
    return Tree(np.array(children, dtype=np.intp).reshape(-1, 2), tuple(labels), root)


def from_parents(parents, labels=None) -> Tree:
    """Build a :class:`Tree` from parent indices (the root's parent is -1).

    Each node's children are taken in the order of their indices (the lower
    one is the left child). The nodes keep their indices, so every node must
    come before its parent.

    Parameters
    ----------
    parents : array_like of int, shape (n,)
        The parent of each node; exactly one ``-1``.
    labels : sequence, length n, optional
        A label per node; ``None`` everywhere by default.

    Returns
    -------
    Tree

    Raises
    ------
    ValueError
        A parent out of range, a cycle, no root or two roots, a node with more
        than two children, or a node after its parent; the message names the node.
    """
    parents = Shapes().array("parents", parents, ("n",), integer=True).astype(np.intp)
    n = parents.size
    bad = np.flatnonzero((parents < -1) | (parents >= n))
    if bad.size:
        raise ValueError(f"parents: node {bad[0]}'s parent is {parents[bad[0]]}, outside "
                         f"-1..{n - 1}")
    roots = np.flatnonzero(parents == -1)
    for node in range(n):  # follow the parents up: a cycle never reaches -1
        seen, at = set(), node
        while at != -1:
            if at in seen:
                raise ValueError(f"parents: node {node} lies on a cycle ({sorted(seen)}); "
                                 "a tree has none")
            seen.add(at)
            at = int(parents[at])
    if roots.size != 1:
        raise ValueError(f"parents must have exactly one root (-1), got {roots.size} "
                         f"(nodes {roots.tolist()})")
    late = np.flatnonzero((parents >= 0) & (parents < np.arange(n)))
    if late.size:
        raise ValueError(f"parents: node {late[0]} comes after its parent {parents[late[0]]}; "
                         "list every child before its parent")
    children = np.full((n, 2), -1, dtype=np.intp)
    for node, parent in enumerate(parents):
        if parent < 0:
            continue
        slot = 0 if children[parent, 0] < 0 else 1
        if children[parent, slot] >= 0:
            raise ValueError(f"parents: node {parent} has more than two children")
        children[parent, slot] = node
    if labels is None:
        labels = (None,) * n
    elif len(labels) != n:
        raise ValueError(f"labels must have one entry per node, n = {n}, got {len(labels)}")
    return Tree(children, tuple(labels), int(roots[0]))


def forest(trees) -> Forest:
    """Put several trees into one ``children`` array (how a batch is made).

    Parameters
    ----------
    trees : sequence of Tree
        The trees, in order.

    Returns
    -------
    Forest
        Tree ``m``'s node ``j`` becomes node ``offset_m + j``.
    """
    trees = list(trees)
    if not trees or not all(isinstance(t, Tree) for t in trees):
        raise TypeError("trees must be a non-empty sequence of Tree objects")
    blocks, labels, roots, offset = [], [], [], 0
    for tree in trees:
        kids = tree.children
        blocks.append(np.where(kids >= 0, kids + offset, -1))
        labels.extend(tree.labels)
        roots.append(tree.root + offset)
        offset += tree.n_nodes
    return Forest(np.concatenate(blocks).astype(np.intp), tuple(labels),
                  np.array(roots, dtype=np.intp))


def balanced_tree(n_leaves: int) -> Tree:
    """A balanced binary tree over ``n_leaves`` leaves (labels 0..τ-1).

    Adjacent nodes are paired level by level; an odd node out moves up
    unpaired. Its depth is ``ceil(log2 τ)``.

    Parameters
    ----------
    n_leaves : int
        τ, the number of leaves.

    Returns
    -------
    Tree
    """
    n_leaves = check_positive_int("n_leaves", n_leaves)
    children = [(-1, -1)] * n_leaves
    level = list(range(n_leaves))
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            children.append((level[i], level[i + 1]))
            nxt.append(len(children) - 1)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    labels = tuple(range(n_leaves)) + (None,) * (len(children) - n_leaves)
    return Tree(np.array(children, dtype=np.intp), labels, len(children) - 1)


def chain_tree(n_leaves: int) -> Tree:
    """A left-branching chain ``((((0, 1), 2), 3), ...)`` over ``n_leaves`` leaves.

    It is a recurrent network read as a tree: its depth is ``τ - 1``.

    Parameters
    ----------
    n_leaves : int
        τ, the number of leaves.

    Returns
    -------
    Tree
    """
    n_leaves = check_positive_int("n_leaves", n_leaves)
    children = [(-1, -1)] * n_leaves
    if n_leaves > 1:
        children.append((0, 1))
        for leaf in range(2, n_leaves):
            children.append((len(children) - 1, leaf))
    labels = tuple(range(n_leaves)) + (None,) * (len(children) - n_leaves)
    return Tree(np.array(children, dtype=np.intp), labels, len(children) - 1)


def _heights(children: np.ndarray) -> np.ndarray:
    """Height of every node (leaves 0), one vectorised pass per level."""
    n = children.shape[0]
    height = np.zeros(n + 1, dtype=np.intp)  # slot n: the absent child, height -1
    height[n] = -1
    kids = np.where(children >= 0, children, n)
    internal = np.flatnonzero((children >= 0).any(axis=1))
    for _ in range(n):
        new = np.maximum(height[kids[internal, 0]], height[kids[internal, 1]]) + 1
        if np.array_equal(new, height[internal]):
            break
        height[internal] = new
    return height[:n]


def node_heights(children) -> np.ndarray:
    """The height of every node: 0 for a leaf, 1 + the larger child height above.

    Parameters
    ----------
    children : array_like of int, shape (n, 2)

    Returns
    -------
    ndarray of int, shape (n,)
    """
    return _heights(check_children(children))


def tree_depth(tree) -> int:
    """The depth of a tree: the number of edges from the root to its deepest leaf.

    Parameters
    ----------
    tree : Tree

    Returns
    -------
    int
        0 for a single leaf, ``ceil(log2 τ)`` for :func:`balanced_tree`,
        ``τ - 1`` for :func:`chain_tree`.
    """
    if not isinstance(tree, Tree):
        raise TypeError(f"tree must be a Tree, got {type(tree).__name__}")
    return int(_heights(tree.children)[tree.root])


def leaf_depths(tree) -> np.ndarray:
    """The number of edges from the root down to each leaf, in leaf order.

    Parameters
    ----------
    tree : Tree

    Returns
    -------
    ndarray of int, shape (n_leaves,)
    """
    if not isinstance(tree, Tree):
        raise TypeError(f"tree must be a Tree, got {type(tree).__name__}")
    depth = np.zeros(tree.n_nodes, dtype=np.intp)
    for node in range(tree.n_nodes - 1, -1, -1):  # parents first: reverse order
        for child in tree.children[node]:
            if child >= 0:
                depth[child] = depth[node] + 1
    return depth[tree.leaves]


# ---------------------------------------------------------------------------
# Forward and backward passes
# ---------------------------------------------------------------------------


def _levels(children: np.ndarray) -> list[np.ndarray]:
    """The nodes of each height, lowest first."""
    height = _heights(children)
    order = np.argsort(height, kind="stable")
    cuts = np.flatnonzero(np.diff(height[order])) + 1
    return np.split(order, cuts)


def _forward(x, children, U, W_L, W_R, b):
    """The unchecked kernel of :func:`recursive_forward`."""
    n, H = x.shape[0], b.shape[0]
    kids = np.where(children >= 0, children, n)  # n: a zero row, the absent child
    h = np.zeros((n + 1, H), dtype=x.dtype)
    levels = _levels(children)
    for idx in levels:
        # h_n = tanh(b + U x_n + W_L h_left + W_R h_right), all nodes of one height at once
        a = b + x[idx] @ U.T + h[kids[idx, 0]] @ W_L.T + h[kids[idx, 1]] @ W_R.T  # (m, H)
        h[idx] = np.tanh(a)
    cache = (x, kids, U, W_L, W_R, h, levels)
    return h[:n], cache


def _backward(dh, cache):
    """Gradients and the total gradient on every node's state (n, H)."""
    x, kids, U, W_L, W_R, h, levels = cache
    n = x.shape[0]
    g = np.zeros_like(h)  # dL/dh_n, summed over the node's own loss and its parent's use
    g[:n] = dh
    dx = np.zeros_like(x)
    dU, dW_L, dW_R = np.zeros_like(U), np.zeros_like(W_L), np.zeros_like(W_R)
    db = np.zeros(h.shape[1], dtype=h.dtype)
    for idx in reversed(levels):  # parents before children
        da = g[idx] * (1.0 - h[idx] ** 2)  # through tanh, (m, H)
        left, right = kids[idx, 0], kids[idx, 1]
        # the same weights at every node: their gradients add up over the nodes
        dU += da.T @ x[idx]
        dW_L += da.T @ h[left]
        dW_R += da.T @ h[right]
        db += da.sum(axis=0)
        dx[idx] = da @ U
        # hand the gradient down to the children (slot n collects the absent ones)
        np.add.at(g, left, da @ W_L)
        np.add.at(g, right, da @ W_R)
    return (dx, dU, dW_L, dW_R, db), g[:n]


def _check_forward_args(x, children, U, W_L, W_R, b):
    """Validate the forward's arguments once; return them as arrays of one dtype."""
    children = check_children(children)
    shapes = Shapes(n=children.shape[0])
    x = shapes.array("x", x, ("n", "D"))
    U = shapes.array("U", U, ("H", "D"))
    W_L = shapes.array("W_L", W_L, ("H", "H"))
    W_R = shapes.array("W_R", W_R, ("H", "H"))
    b = shapes.array("b", b, ("H",))
    dtype = float_dtype(x, U, W_L, W_R, b)
    x, U, W_L, W_R, b = (a.astype(dtype, copy=False) for a in (x, U, W_L, W_R, b))
    return x, children, U, W_L, W_R, b


def recursive_forward(x, children, U, W_L, W_R, b):
    """The states of every node of a tree or forest (section *Recursive networks*).

    Equation ``recursive-node``: h_n = tanh(b + U x_n + W_L h_left(n) + W_R h_right(n)),
    an absent child contributing zero. All the nodes of one height are
    computed at once, so the loop runs over the levels, not the nodes.

    Parameters
    ----------
    x : ndarray, shape (n, D)
        The input of every node (a leaf's symbol, an internal node's operator
        or zeros).
    children : ndarray of int, shape (n, 2)
        Left and right child of each node, ``-1`` for none; children first.
    U : ndarray, shape (H, D)
        Input-to-hidden weights, shared by all nodes.
    W_L, W_R : ndarray, shape (H, H)
        Weights applied to the left and to the right child's state.
    b : ndarray, shape (H,)
        Bias.

    Returns
    -------
    h : ndarray, shape (n, H)
        The state of every node.
    cache : tuple
        What :func:`recursive_backward` needs.

    Raises
    ------
    ValueError, TypeError
        Shapes that do not agree, or ``children`` that is not a forest listed
        children first (see :func:`check_children`).
    """
    return _forward(*_check_forward_args(x, children, U, W_L, W_R, b))


def recursive_backward(dh, cache):
    """Back-propagation through structure (section *Back-propagation through structure*).

    Walks the levels from the roots down. A node's state gets the gradient of
    its own loss term ``dh[n]`` plus what its parent hands down through
    ``W_L`` or ``W_R``; the shared weights collect one term per node.
    ``children`` is a structure, not a parameter: it has no gradient, so the
    result holds the gradients of the forward's other arguments in their order.

    Parameters
    ----------
    dh : ndarray, shape (n, H)
        The gradient of the loss with respect to each node's state (often
        zero everywhere except at the roots).
    cache : tuple
        From :func:`recursive_forward`.

    Returns
    -------
    dx : ndarray, shape (n, D)
    dU : ndarray, shape (H, D)
    dW_L, dW_R : ndarray, shape (H, H)
    db : ndarray, shape (H,)
    """
    n, H = cache[0].shape[0], cache[5].shape[1]
    dh = Shapes(n=n, H=H).array("dh", dh, ("n", "H")).astype(cache[0].dtype, copy=False)
    grads, _ = _backward(dh, cache)
    return grads


def random_params(D: int, H: int, *, gain: float = 1.0, seed=0) -> dict:
    """Random weights for :func:`recursive_forward`: ``U``, ``W_L``, ``W_R``, ``b``.

    Entries are normal with standard deviation ``gain / sqrt(fan-in)``;
    ``b`` is zero.

    Parameters
    ----------
    D, H : int
        Input and state sizes.
    gain : float
        Scale of the weights.
    seed : int or numpy.random.Generator

    Returns
    -------
    dict of str to ndarray
    """
    D, H = check_positive_int("D", D), check_positive_int("H", H)
    rng = as_rng(seed)
    return {"U": rng.normal(0.0, gain / np.sqrt(D), size=(H, D)),
            "W_L": rng.normal(0.0, gain / np.sqrt(H), size=(H, H)),
            "W_R": rng.normal(0.0, gain / np.sqrt(H), size=(H, H)),
            "b": np.zeros(H)}


# ---------------------------------------------------------------------------
# Depth and gradient paths
# ---------------------------------------------------------------------------


def leaf_gradient_norms(x, tree, U, W_L, W_R, b) -> np.ndarray:
    """How strongly each leaf's state reaches the root: ‖∂h_root/∂h_leaf‖.

    Section *Depth: log τ against τ*. The Frobenius norm of the Jacobian of
    the root's state with respect to each leaf's state, obtained by
    back-propagating each unit of ``h_root`` in turn (H backward passes).

    Parameters
    ----------
    x : ndarray, shape (n, D)
        Node inputs.
    tree : Tree
        One tree; its root is the output.
    U, W_L, W_R, b
        As in :func:`recursive_forward`.

    Returns
    -------
    ndarray, shape (n_leaves,)
        One norm per leaf, in leaf order.
    """
    if not isinstance(tree, Tree):
        raise TypeError(f"tree must be a Tree, got {type(tree).__name__}")
    args = _check_forward_args(x, tree.children, U, W_L, W_R, b)
    h, cache = _forward(*args)
    H = h.shape[1]
    leaves = tree.leaves
    jac = np.zeros((H, leaves.size, H))
    for unit in range(H):
        dh = np.zeros_like(h)
        dh[tree.root, unit] = 1.0
        _, g = _backward(dh, cache)
        jac[unit] = g[leaves]
    return np.sqrt((jac ** 2).sum(axis=(0, 2)))


# ---------------------------------------------------------------------------
# Learned structure: greedy merging
# ---------------------------------------------------------------------------


def merge_scores(h_row, W_L, W_R, b, score):
    """The composed state and score of every adjacent pair of a row of states.

    Parameters
    ----------
    h_row : ndarray, shape (m, H)
        The states of the current row of nodes, left to right (m ≥ 2).
    W_L, W_R : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    score : ndarray, shape (H,)
        The scoring vector: a pair's score is ``score · p``.

    Returns
    -------
    p : ndarray, shape (m - 1, H)
        ``p_i = tanh(b + W_L h_i + W_R h_{i+1})`` for each adjacent pair.
    s : ndarray, shape (m - 1,)
        Their scores.
    """
    # p_i = tanh(b + W_L h_i + W_R h_{i+1}): the parent the pair (i, i+1) would make
    p = np.tanh(b + h_row[:-1] @ W_L.T + h_row[1:] @ W_R.T)  # (m - 1, H)
    return p, p @ score


def greedy_merge(h_leaves, W_L, W_R, b, score, *, return_steps: bool = False):
    """Choose a tree from data: repeatedly merge the adjacent pair that scores best.

    Section *Fixed or learned structure*, after Socher et al. (2011): the
    row of nodes starts as the leaves; at each step every adjacent pair is
    composed as in ``recursive-node`` (no node input), scored by
    ``score · p``, and the best pair is replaced by its parent. After τ - 1
    steps one node is left, the root.

    Parameters
    ----------
    h_leaves : ndarray, shape (τ, H)
        The leaves' states, left to right.
    W_L, W_R : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    score : ndarray, shape (H,)
    return_steps : bool
        Also return, per step, the scores of the candidate pairs and the
        position chosen (for drawing the merges one by one).

    Returns
    -------
    tree : Tree
        Leaves ``0..τ-1`` (labels their positions), then the merges in order.
    steps : list of dict, only if ``return_steps``
        ``{"row": node indices, "scores": (m-1,) array, "chosen": int}``.
    """
    shapes = Shapes()
    h_leaves = shapes.array("h_leaves", h_leaves, ("tau", "H")).astype(float)
    W_L = shapes.array("W_L", W_L, ("H", "H"))
    W_R = shapes.array("W_R", W_R, ("H", "H"))
    b = shapes.array("b", b, ("H",))
    score = shapes.array("score", score, ("H",))
    tau = h_leaves.shape[0]
    children = [(-1, -1)] * tau
    row, states, steps = list(range(tau)), h_leaves, []
    while len(row) > 1:
        p, s = merge_scores(states, W_L, W_R, b, score)
        best = int(np.argmax(s))
        steps.append({"row": list(row), "scores": s, "chosen": best})
        children.append((row[best], row[best + 1]))
        row[best:best + 2] = [len(children) - 1]
        states = np.concatenate([states[:best], p[best:best + 1], states[best + 2:]])
    tree = Tree(np.array(children, dtype=np.intp), tuple(range(tau)) + (None,) * (tau - 1),
                len(children) - 1)
    return (tree, steps) if return_steps else tree


def leaf_gradient_experiment(n_leaves: int, *, H: int = 16, D: int = 4, gain: float = 1.0,
                             seeds=(0, 1, 2)) -> dict:
    """Leaf gradient norms of a balanced tree and a chain over the same τ leaves.

    Section *Depth: log τ against τ*. For each seed, one set of random weights
    (:func:`random_params`) and random node inputs are shared by both trees;
    :func:`leaf_gradient_norms` then measures ‖∂h_root/∂h_leaf‖ for every leaf.

    Parameters
    ----------
    n_leaves : int
        τ.
    H, D : int
        State and input sizes.
    gain : float
        Scale of the random weights.
    seeds : sequence of int

    Returns
    -------
    dict
        ``"balanced"`` and ``"chain"``: arrays (S, τ) of norms, and
        ``"balanced_depth"``, ``"chain_depth"``: (τ,) the leaves' depths.
    """
    tau = check_positive_int("n_leaves", n_leaves)
    out = {}
    for name, tree in (("balanced", balanced_tree(tau)), ("chain", chain_tree(tau))):
        rows = []
        for seed in seeds:
            rng = as_rng(seed)
            params = random_params(D, H, gain=gain, seed=rng)
            x = rng.normal(size=(tree.n_nodes, D))
            rows.append(leaf_gradient_norms(x, tree, **params))
        out[name] = np.array(rows)
        out[f"{name}_depth"] = leaf_depths(tree)
    return out


def fit_merge_score(rows, gold, W_L, W_R, b, *, steps: int = 200, lr: float = 0.5,
                    seed=0) -> np.ndarray:
    """Learn the score vector of :func:`greedy_merge` from rows with known merges.

    Section *Fixed or learned structure*. For each row of states, the
    candidate parents ``p_i`` of all adjacent pairs are scored ``w_s · p_i``
    and turned into probabilities by a softmax over the row; training raises
    the total probability of the pairs marked in ``gold`` (gradient ascent on
    its logarithm, full batch). The composition weights stay fixed: only the
    score is learned, the simplest form of the max-margin training of
    Socher et al. (2011).

    Parameters
    ----------
    rows : sequence of ndarray, shape (m_k, H)
        Rows of states (e.g. the leaves of training sentences), m_k ≥ 2.
    gold : sequence of ndarray of bool, shape (m_k - 1,)
        For each row, which adjacent pairs the known trees merge.
    W_L, W_R : ndarray, shape (H, H)
    b : ndarray, shape (H,)
    steps : int
        Gradient steps.
    lr : float
        Step size.
    seed : int or numpy.random.Generator
        Seeds the initial score (small normal entries).

    Returns
    -------
    ndarray, shape (H,)
        The learned score vector ``w_s``.
    """
    steps = check_positive_int("steps", steps)
    rows, gold = list(rows), [np.asarray(g, dtype=bool) for g in gold]
    if len(rows) != len(gold) or not rows:
        raise ValueError(f"rows and gold must be non-empty and of one length, got {len(rows)} "
                         f"and {len(gold)}")
    for k, (row, g) in enumerate(zip(rows, gold, strict=True)):
        if row.ndim != 2 or row.shape[0] < 2 or g.shape != (row.shape[0] - 1,) or not g.any():
            raise ValueError(f"row {k}: expected states (m, H) with m ≥ 2 and a gold mask of "
                             f"m - 1 entries with at least one True, got shapes {row.shape} "
                             f"and {g.shape}")
    feats = [merge_scores(row, W_L, W_R, b, np.zeros(row.shape[1]))[0] for row in rows]
    w = as_rng(seed).normal(0.0, 0.01, size=b.shape[0])
    for _ in range(steps):
        grad = np.zeros_like(w)
        for p, g in zip(feats, gold, strict=True):
            s = p @ w
            prob = np.exp(s - s.max())
            prob /= prob.sum()
            target = np.where(g, prob, 0.0)
            target /= target.sum()
            # d/dw log sum_{gold} softmax = p^T (target - prob)
            grad += p.T @ (target - prob)
        w += lr * grad / len(feats)
    return w


def pair_recall(tree, gold) -> tuple[int, int]:
    """How many of the marked adjacent leaf pairs a tree merges directly.

    Parameters
    ----------
    tree : Tree
        Leaves ``0..τ-1`` first, as :func:`greedy_merge` builds it.
    gold : ndarray of bool, shape (τ - 1,)
        The pairs (i, i + 1) that should be siblings.

    Returns
    -------
    (int, int)
        The number found and the number marked.
    """
    if not isinstance(tree, Tree):
        raise TypeError(f"tree must be a Tree, got {type(tree).__name__}")
    gold = np.asarray(gold, dtype=bool)
    pairs = {tuple(c) for c in tree.children.tolist()}
    marked = np.flatnonzero(gold)
    return sum((int(i), int(i) + 1) in pairs for i in marked), int(marked.size)
