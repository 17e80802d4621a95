"""Tests of the checker checks.path_length (chapter "Deep and recursive networks").

Wrong answers written the way a reader would write them are rejected, each
with the sentence that names the mistake; right answers written three ways
(a loop over the unrolled graph, the closed form, a breadth-first search)
are accepted.
"""

from __future__ import annotations

from collections import deque

import pytest

from textbook_rnn import checks

# --- right answers ----------------------------------------------------------------------------


def by_closed_form(k, transition_depth, shortcut=False):
    per_step = 1 if shortcut else transition_depth
    return transition_depth + k * per_step


def by_walking(k, transition_depth, shortcut=False):
    count = transition_depth  # x(t) climbs the whole transition of step t
    for _ in range(k):
        count += 1 if (shortcut and transition_depth > 1) else transition_depth
    return count


def by_search(k, transition_depth, shortcut=False):
    """Breadth-first search over nodes (t, j): layer j of the transition at step t."""
    L = transition_depth
    start, goal = ("x",), ("y",)

    def successors(node):
        if node == start:
            return [(0, 1)]
        if node == goal:
            return []
        t, j = node
        out = [(t, j + 1)] if j < L else []
        if j == L:
            if t == k:
                out.append(goal)
            elif t < k:
                out.append((t + 1, 1))
                if shortcut:
                    out.append((t + 1, L))
        return out

    dist, queue = {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        for nxt in successors(node):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist[goal] - 1  # edges minus one: the tanh layers between x and y


def numpy_style(k, transition_depth, shortcut):
    import numpy as np

    steps = np.full(k, 1 if shortcut else transition_depth)
    return int(transition_depth + steps.sum())


@pytest.mark.parametrize("fn", [by_closed_form, by_walking, by_search, numpy_style])
def test_right_answers_pass(fn):
    result = checks.path_length(fn)
    assert result, str(result)
    assert "All checks passed" in str(result)


# --- wrong answers ----------------------------------------------------------------------------


def only_later_steps(k, transition_depth, shortcut):
    return k * (1 if shortcut else transition_depth)


def counts_the_readout(k, transition_depth, shortcut):
    return by_closed_form(k, transition_depth, shortcut) + 1


def off_by_one(k, transition_depth, shortcut):
    return by_closed_form(k, transition_depth, shortcut) - 1


def ignores_the_shortcut(k, transition_depth, shortcut):
    return (k + 1) * transition_depth


def shortcut_at_step_t_too(k, transition_depth, shortcut):
    return 1 + k if shortcut else (k + 1) * transition_depth


def free_shortcut(k, transition_depth, shortcut):
    return transition_depth if shortcut else (k + 1) * transition_depth


def skips_one_layer(k, transition_depth, shortcut):
    per_step = transition_depth - 1 if shortcut else transition_depth
    return transition_depth + k * per_step


def enters_last_layer(k, transition_depth, shortcut):
    return 1 + k * (1 if shortcut else transition_depth)


def counts_edges(k, transition_depth, shortcut):
    return by_closed_form(k, transition_depth, shortcut) + 1  # x -> ... -> y has one more edge


@pytest.mark.parametrize(("fn", "words"), [
    (only_later_steps, "only the k later steps were counted"),
    (counts_the_readout, "the readout was counted"),
    (off_by_one, "off by one"),
    (ignores_the_shortcut, "the shortcut was ignored"),
    (shortcut_at_step_t_too, "the shortcut was used at step t too"),
    (free_shortcut, "the shortcut was counted as free"),
    (skips_one_layer, "skip one layer only"),
    (enters_last_layer, "x(t) was taken to enter the last layer"),
    (counts_edges, "the readout was counted"),
])
def test_wrong_answers_are_rejected_and_named(assert_rejected, fn, words):
    assert_rejected(checks.path_length, fn, words, kind="value")


def test_a_string_or_an_exception_is_reported(assert_rejected):
    assert_rejected(checks.path_length, lambda k, L, s: "six", "should be a float", kind="type")

    def crashes(k, transition_depth, shortcut):
        raise ZeroDivisionError("oops")

    assert_rejected(checks.path_length, crashes, "ZeroDivisionError", kind="exception")


def test_not_implemented_is_reported():
    def stub(k, transition_depth, shortcut):
        raise NotImplementedError("Not implemented yet.")

    result = checks.path_length(stub)
    assert not result and "not implemented yet" in str(result).lower()
