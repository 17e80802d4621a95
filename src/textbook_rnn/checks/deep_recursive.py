"""Checkers for the coding exercises of ``chapters/05_deep_recursive.md``.

The chapter "Deep and recursive networks":

- :func:`tree_forward` checks the reader's ``tree_forward(x, children, U, W_L,
  W_R, b)``: the state of every node of a tree (equation ``recursive-node``);
- :func:`tree_backward` checks ``tree_backward(dh, x, children, h, U, W_L,
  W_R)``: back-propagation through structure (equations ``bpts-state`` and
  ``bpts-weights``), returning ``(dx, dU, dW_L, dW_R, db)``;
- :func:`leaf_depths` checks ``leaf_depths(children)``: the number of edges
  from the root down to each leaf;
- :func:`path_length` checks ``path_length(k, transition_depth, shortcut)``:
  the fewest tanh layers between x(t) and y(t+k) in a deep-transition RNN
  (equation ``deep-path``), against a breadth-first search over the unrolled
  graph (:func:`textbook_rnn.deep.shortest_path`).

The expected values come from :mod:`textbook_rnn.recursive` and
:mod:`textbook_rnn.deep`. Each case also
carries the outputs of common mistakes, so that the report can name a wrong
answer ("the children are swapped") rather than only measure it. The
harness, which calls the reader's function safely and writes the report, is
:mod:`textbook_rnn.checks._core`.
"""

from __future__ import annotations

import numpy as np

from .. import recursive as ref
from ._core import Array, Case, CheckResult, Exercise, Scalar, TupleOf, run_cases

__all__ = ["leaf_depths", "path_length", "tree_backward", "tree_forward"]

NODE = "`h_n = tanh(b + U x_n + W_L h_left + W_R h_right)` (equation recursive-node)"
ORDER = "children come before their parents, so one pass in index order finds them ready"

FORWARD = Exercise(
    name="tree_forward",
    title="the state of every node of a tree",
    params=("x", "children", "U", "W_L", "W_R", "b"),
    hints={
        "exception": f"x is (n, D), children (n, 2) with -1 for no child; {ORDER}. "
        "An absent child contributes a zero vector: do not index h with -1.",
        "shape": "The result has one row per node and one column per unit: (n, H).",
        "value": f"Compare with {NODE}; the left child goes through W_L, the right "
        "through W_R, and an absent child adds nothing.",
        "mutation": "Build a new array of states; do not write into x or children.",
    },
)

BACKWARD = Exercise(
    name="tree_backward",
    title="back-propagation through structure",
    params=("dh", "x", "children", "h", "U", "W_L", "W_R"),
    hints={
        "exception": "Walk the nodes from the last (the root) to the first, so that a "
        "node's gradient is complete before you use it.",
        "shape": "Return (dx, dU, dW_L, dW_R, db), shaped like x, U, W_L, W_R and b.",
        "value": "Each node's total gradient is its own dh plus what its parent sends "
        "down (equation bpts-state); the shared weights collect one term per node "
        "(equation bpts-weights). Check the order of the returned gradients.",
        "mutation": "Keep the running gradients in a copy; do not write into dh or h.",
    },
)

DEPTHS = Exercise(
    name="leaf_depths",
    title="how many edges from the root down to each leaf",
    params=("children",),
    hints={
        "exception": "The root is the last node; walk from it towards the leaves, "
        "parents before children (decreasing index).",
        "shape": "One number per leaf, in the order of the leaves' indices.",
        "value": "Count edges, not nodes: the root of a single-leaf tree is at depth 0, "
        "and a child is one deeper than its parent.",
        "mutation": "Do not write into children.",
    },
)


# ---------------------------------------------------------------------------
# Trees the cases use: a single leaf, a chain, a balanced tree, a lopsided one
# ---------------------------------------------------------------------------


#: (D, H) of the cases built on each of :func:`_trees`, in order.
TREE_SIZES = [(2, 3), (3, 3), (4, 2), (3, 4), (2, 3)]


def _trees() -> list[tuple[str, ref.Tree]]:
    """Labelled trees shared by the cases."""
    return [
        ("a single leaf", ref.parse_tree(0)),
        ("a chain of 4 leaves", ref.chain_tree(4)),
        ("a balanced tree of 5 leaves", ref.balanced_tree(5)),
        ("a tree of 2 leaves with a chain of one-child nodes (each child on the left)",
         ref.from_parents([3, 2, 3, 4, 5, -1])),
        ("a tree whose node 2 has only a right child (children [[-1, -1], [-1, -1], "
         "[-1, 0], [1, 2]])",
         ref.Tree(children=np.array([[-1, -1], [-1, -1], [-1, 0], [1, 2]]),
                  labels=(None,) * 4, root=3)),
    ]


def _forward_misses(x, children, U, W_L, W_R, b):
    """Outputs of common mistakes in the forward pass."""
    def run(step):
        n, H = children.shape[0], b.shape[0]
        h = np.zeros((n, H))
        for node in range(n):
            left, right = children[node]
            hl = h[left] if left >= 0 else np.zeros(H)
            hr = h[right] if right >= 0 else np.zeros(H)
            h[node] = step(node, hl, hr)
        return h

    misses = [
        ("the children are swapped: the left child goes through W_L, the right through W_R.",
         run(lambda n, hl, hr: np.tanh(b + U @ x[n] + W_L @ hr + W_R @ hl))),
        ("W_L is used for both children: the right child has its own weights W_R.",
         run(lambda n, hl, hr: np.tanh(b + U @ x[n] + W_L @ hl + W_L @ hr))),
        (f"tanh is missing: {NODE}.",
         run(lambda n, hl, hr: b + U @ x[n] + W_L @ hl + W_R @ hr)),
        ("the node's own input U x_n is missing at internal nodes.",
         run(lambda n, hl, hr: np.tanh(b + (U @ x[n] if (children[n] < 0).all() else 0.0)
                                       + W_L @ hl + W_R @ hr))),
        ("the bias b is missing.",
         run(lambda n, hl, hr: np.tanh(U @ x[n] + W_L @ hl + W_R @ hr))),
    ]
    if U.shape[0] == U.shape[1]:
        misses.append(("U is used transposed: with one node per row, U x_n is x @ U.T.",
                       run(lambda n, hl, hr: np.tanh(b + U.T @ x[n] + W_L @ hl + W_R @ hr))))
    return misses


def _params(rng, D: int, H: int):
    return (rng.normal(0, 0.8, size=(H, D)), rng.normal(0, 0.8, size=(H, H)),
            rng.normal(0, 0.8, size=(H, H)), rng.normal(0, 0.5, size=H))


def tree_forward_cases() -> list[Case]:
    """The cases of :func:`tree_forward`: a leaf, a chain, a balanced and a lopsided tree."""
    rng = np.random.default_rng(50)
    cases = []
    for (label, tree), (D, H) in zip(_trees(), TREE_SIZES, strict=True):
        U, W_L, W_R, b = _params(rng, D, H)
        x = rng.normal(size=(tree.n_nodes, D))
        h, _ = ref.recursive_forward(x, tree.children, U, W_L, W_R, b)

        def spec(value):
            return Array(value, "h", "(n, H)")

        misses = _forward_misses(x, tree.children, U, W_L, W_R, b)
        cases.append(Case(
            label=f"{label}: n={tree.n_nodes}, D={D}, H={H}",
            args=(x, tree.children.copy(), U, W_L, W_R, b), expected=spec(h),
            near_misses=tuple((s, spec(v)) for s, v in misses if v.shape == h.shape)))
    return cases


def tree_forward(fn) -> CheckResult:
    """Check the reader's ``tree_forward(x, children, U, W_L, W_R, b)`` (exercise 1).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(FORWARD, fn, tree_forward_cases())


def _backward_misses(dh, x, children, h, U, W_L, W_R):
    """Outputs of common mistakes in back-propagation through structure."""
    n, H = h.shape

    def run(*, swap=False, no_tanh=False, no_pass=False, overwrite=False, no_transpose=False,
            root_only=False):
        g = dh.copy()
        dx, dU = np.zeros_like(x), np.zeros_like(U)
        dW_L, dW_R, db = np.zeros_like(W_L), np.zeros_like(W_R), np.zeros(H)
        zero = np.zeros(H)
        for node in range(n - 1, -1, -1):
            da = g[node] if no_tanh else g[node] * (1 - h[node] ** 2)
            left, right = children[node]
            hl = h[left] if left >= 0 else zero
            hr = h[right] if right >= 0 else zero
            if not root_only or node == n - 1:
                dU += np.outer(da, x[node])
                dW_L += np.outer(da, hl)
                dW_R += np.outer(da, hr)
                db += da
            dx[node] = U.T @ da
            if no_pass:
                continue
            WL, WR = (W_L, W_R) if not swap else (W_R, W_L)
            to_l = WL @ da if no_transpose else WL.T @ da
            to_r = WR @ da if no_transpose else WR.T @ da
            for child, send in ((left, to_l), (right, to_r)):
                if child >= 0:
                    g[child] = (dh[child] + send) if overwrite else g[child] + send
        return dx, dU, dW_L, dW_R, db

    right = run()
    misses = [
        ("the children's gradients are swapped: the left child gets W_L.T times the "
         "parent's delta.", run(swap=True)),
        ("the derivative of tanh, 1 - h_n², is missing.", run(no_tanh=True)),
        ("nothing is sent down to the children: each node must add its parent's "
         "W_L.T delta or W_R.T delta to its own dh (equation bpts-state).", run(no_pass=True)),
        ("W_L and W_R are used untransposed when sending the gradient down.",
         run(no_transpose=True)),
        ("the shared weights' gradients hold only the root's term: they are sums over "
         "all nodes (equation bpts-weights).", run(root_only=True)),
        ("dW_L and dW_R are returned in the wrong order.",
         (right[0], right[1], right[3], right[2], right[4])),
    ]
    return right, misses


def tree_backward_cases() -> list[Case]:
    """The cases of :func:`tree_backward`, on the same trees as the forward pass."""
    rng = np.random.default_rng(51)
    cases = []
    for (label, tree), (D, H) in zip(_trees(), TREE_SIZES, strict=True):
        U, W_L, W_R, b = _params(rng, D, H)
        x = rng.normal(size=(tree.n_nodes, D))
        h, cache = ref.recursive_forward(x, tree.children, U, W_L, W_R, b)
        dh = rng.normal(size=h.shape)
        dx, dU, dW_L, dW_R, db = ref.recursive_backward(dh, cache)

        def spec(grads):
            names = (("dx", "(n, D)"), ("dU", "(H, D)"), ("dW_L", "(H, H)"),
                     ("dW_R", "(H, H)"), ("db", "(H,)"))
            return TupleOf(*(Array(g, nm, dims) for g, (nm, dims) in
                             zip(grads, names, strict=True)))

        _, misses = _backward_misses(dh, x, tree.children, h, U, W_L, W_R)
        cases.append(Case(
            label=f"{label}: n={tree.n_nodes}, D={D}, H={H}, a random dh on every node",
            args=(dh, x, tree.children.copy(), h, U, W_L, W_R),
            expected=spec((dx, dU, dW_L, dW_R, db)),
            near_misses=tuple((s, spec(v)) for s, v in misses)))
    return cases


def tree_backward(fn) -> CheckResult:
    """Check the reader's ``tree_backward(dh, x, children, h, U, W_L, W_R)`` (exercise 2).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
    """
    return run_cases(BACKWARD, fn, tree_backward_cases())


def _depths_misses(tree: ref.Tree):
    """Outputs of common mistakes in counting leaf depths."""
    depth = ref.leaf_depths(tree)
    height = ref.node_heights(tree.children)
    every = np.zeros(tree.n_nodes, dtype=int)
    for node in range(tree.n_nodes - 1, -1, -1):
        for child in tree.children[node]:
            if child >= 0:
                every[child] = every[node] + 1
    return [
        ("nodes are counted instead of edges: the root itself is at depth 0.", depth + 1),
        ("that is the depth of every node; only the leaves' depths are asked for.", every),
        ("those are the nodes' heights (distance down to the deepest leaf), not the "
         "leaves' depths.", height),
    ]


def leaf_depths_cases() -> list[Case]:
    """The cases of :func:`leaf_depths`."""
    cases = []
    trees = _trees() + [("a chain of 7 leaves", ref.chain_tree(7)),
                        ("a balanced tree of 8 leaves", ref.balanced_tree(8))]
    for label, tree in trees:
        depth = ref.leaf_depths(tree)

        def spec(value):
            return Array(value, "depths", "(n_leaves,)", kinds="iuf", rtol=0.0, atol=0.0)

        misses = [(s, spec(v)) for s, v in _depths_misses(tree)
                  if np.shape(v) == depth.shape]
        cases.append(Case(label=f"{label}: n={tree.n_nodes}",
                          args=(tree.children.copy(),), expected=spec(depth),
                          near_misses=tuple(misses)))
    return cases


def leaf_depths(fn) -> CheckResult:
    """Check the reader's ``leaf_depths(children)`` (exercise 3).

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
    """
    return run_cases(DEPTHS, fn, leaf_depths_cases())


# --- Deep RNNs: the path length in a deep-transition network --------------------------------

PATH_EQ = "`(k + 1) L` without the shortcut, `L + k` with it (equation deep-path)"

PATH_LENGTH = Exercise(
    name="path_length",
    title="the fewest tanh layers from x(t) to y(t+k) in a deep-transition RNN",
    params=("k", "transition_depth", "shortcut"),
    hints={
        "exception": "k and transition_depth are ints (k >= 0, transition_depth >= 1) and "
        "shortcut is True or False; return an int.",
        "type": "Return one number, the count of tanh layers (an int).",
        "value": "Draw the unrolled graph for k = 1 and follow the path by hand: x(t) enters "
        "the first of the L layers of the step-t transition, each later step's transition "
        "is crossed once (all of it, or only its last layer through the shortcut), and the "
        "linear readout counts 0. Compare with " + PATH_EQ + ".",
    },
)


def _path_case(k: int, L: int, shortcut: bool) -> Case:
    """A case with its reference (a breadth-first search) and the usual wrong counts."""
    from ..deep import Architecture, shortest_path

    expected = shortest_path(Architecture(transition_depth=L, shortcut=shortcut), k)
    step = 1 if shortcut else L
    misses = []
    if shortcut:  # first: where two mistakes give one number, the likelier is named
        misses += [
            ("the shortcut was ignored: through it, each later step crosses only the last "
             "layer of the transition.", (k + 1) * L),
            ("the shortcut was used at step t too: x(t) still climbs all L layers there.",
             1 + k),
            ("the shortcut was counted as free: it ends in the last layer's tanh, which is "
             "crossed at every step.", L),
            ("the shortcut was taken to skip one layer only: it skips all but the last.",
             L + k * (L - 1)),
        ]
    misses += [
        ("only the k later steps were counted: x(t) must first cross all L layers of the "
         "transition at step t itself.", k * step),
        ("the readout was counted: y = V h + c is linear and counts 0.", expected + 1),
        ("off by one: the last layer of the transition is h(t+k) itself, a tanh that the "
         "path crosses.", expected - 1),
        ("x(t) was taken to enter the last layer: it enters the first one, so the path "
         "climbs all L layers at step t.", 1 + k * step),
    ]
    seen, near = {expected}, []
    for sentence, value in misses:
        if value not in seen:  # only mistakes that give another number can be named
            seen.add(value)
            near.append((sentence, Scalar(value, "the path length", rtol=0, atol=1e-9)))
    label = f"k={k}, transition_depth={L}, shortcut={shortcut}"
    return Case(label=label, args=(k, L, shortcut),
                expected=Scalar(expected, "the path length", rtol=0, atol=1e-9),
                near_misses=tuple(near))


def path_length_cases() -> list[Case]:
    """The cases of :func:`path_length`.

    Returns
    -------
    list of Case
        Deep transitions without the shortcut (the first is the example of
        the text, where every usual mistake gives a different number), the
        ordinary RNN, then with the shortcut, and the shortcut in a depth-1
        transition (where it changes nothing).
    """
    return [_path_case(k, L, s) for k, L, s in [
        (2, 3, False), (0, 3, False), (1, 1, False), (5, 4, False), (0, 1, False),
        (3, 3, True), (2, 5, True), (1, 2, True), (4, 1, True)]]


def path_length(fn) -> CheckResult:
    """Check the reader's ``path_length(k, transition_depth, shortcut)``.

    Parameters
    ----------
    fn : callable
        The reader's function.

    Returns
    -------
    CheckResult
        Truthy when every case passes; shown in a notebook as a short report.
    """
    return run_cases(PATH_LENGTH, fn, path_length_cases())
