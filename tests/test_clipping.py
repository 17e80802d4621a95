"""Gradient clipping (textbook_rnn.clipping)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from textbook_rnn.clipping import (
    CLIP_MODES,
    clip_by_global_norm,
    clip_elementwise,
    clip_gradients,
    clip_vectors,
    global_norm,
    turn_angle,
)


def grads_example(scale=1.0):
    rng = np.random.default_rng(0)
    return {"dW": scale * rng.normal(size=(3, 3)), "dU": scale * rng.normal(size=(3, 2)),
            "db": scale * rng.normal(size=3)}


def flat(grads):
    return np.concatenate([np.ravel(g) for g in grads.values()])


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_global_norm_is_the_norm_of_everything_together():
    g = grads_example()
    assert global_norm(g) == pytest.approx(np.linalg.norm(flat(g)), rel=1e-14)
    assert global_norm({}) == 0.0
    assert global_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}) == 5.0


def test_large_gradients_are_rescaled_to_max_norm_keeping_direction():
    g = grads_example(scale=10.0)
    before = np.linalg.norm(flat(g))
    clipped, norm = clip_by_global_norm(g, 2.0)
    assert norm == pytest.approx(before, rel=1e-14)  # the norm *before* clipping
    assert global_norm(clipped) == pytest.approx(2.0, rel=1e-13)
    assert cosine(flat(clipped), flat(g)) == pytest.approx(1.0, abs=1e-14)
    for k in g:  # one common factor for every array
        np.testing.assert_allclose(clipped[k], g[k] * 2.0 / before, rtol=1e-14)
    assert list(clipped) == list(g)


def test_small_gradients_are_left_alone_but_copied():
    g = grads_example(scale=0.01)
    clipped, norm = clip_by_global_norm(g, 5.0)
    assert norm < 5.0
    for k in g:
        np.testing.assert_array_equal(clipped[k], g[k])
        assert not np.shares_memory(clipped[k], g[k])
    # exactly at the threshold: nothing to do
    exact = {"a": np.array([3.0, 4.0])}
    np.testing.assert_array_equal(clip_by_global_norm(exact, 5.0)[0]["a"], exact["a"])


@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_input_is_never_modified(max_norm):
    g = grads_example(scale=3.0)
    saved = {k: v.copy() for k, v in g.items()}
    clipped, _ = clip_by_global_norm(g, max_norm)
    for k in clipped:
        clipped[k] += 1.0  # writing into the result must not reach the input
    elementwise = clip_elementwise(g, 0.5)
    for k in elementwise:
        elementwise[k] += 1.0
    for k in g:
        np.testing.assert_array_equal(g[k], saved[k])


def test_elementwise_clipping_changes_the_direction():
    g = {"dW": np.array([[10.0, 1.0]]), "db": np.array([-0.5])}
    clipped = clip_elementwise(g, 1.0)
    np.testing.assert_array_equal(clipped["dW"], [[1.0, 1.0]])
    np.testing.assert_array_equal(clipped["db"], [-0.5])  # inside the bounds: unchanged
    c = cosine(flat(clipped), flat(g))
    assert c < 0.8  # (10, 1, -0.5) and (1, 1, -0.5) are about 39 degrees apart
    # norm clipping of the same gradient keeps the direction exactly
    assert cosine(flat(clip_by_global_norm(g, 1.0)[0]), flat(g)) == pytest.approx(1.0, abs=1e-14)


def test_dtypes():
    g32 = {k: v.astype(np.float32) for k, v in grads_example(5.0).items()}
    assert all(v.dtype == np.float32 for v in clip_by_global_norm(g32, 1.0)[0].values())
    assert all(v.dtype == np.float32 for v in clip_elementwise(g32, 1.0).values())
    ints = {"a": np.array([3, -4])}
    np.testing.assert_allclose(clip_by_global_norm(ints, 1.0)[0]["a"], [0.6, -0.8], rtol=1e-15)
    assert clip_elementwise(ints, 2.0)["a"].dtype == np.float64
    # float32 gradients whose squares overflow float32 still get a finite norm
    big = {"a": np.full(4, 1e30, dtype=np.float32)}
    clipped, norm = clip_by_global_norm(big, 1.0)
    assert norm == pytest.approx(2e30, rel=1e-6)
    np.testing.assert_allclose(clipped["a"], 0.5, rtol=1e-6)


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf])
def test_bad_thresholds_are_values_errors(bad):
    with pytest.raises(ValueError, match="^max_norm must be a positive finite number"):
        clip_by_global_norm(grads_example(), bad)
    with pytest.raises(ValueError, match="^threshold must be a positive finite number"):
        clip_elementwise(grads_example(), bad)


@pytest.mark.parametrize("bad", ["1", None, True, [1.0], np.array([1.0])])
def test_bad_threshold_types_are_type_errors(bad):
    with pytest.raises(TypeError, match="^max_norm must be a positive number"):
        clip_by_global_norm(grads_example(), bad)
    with pytest.raises(TypeError, match="^threshold must be a positive number"):
        clip_elementwise(grads_example(), bad)


def test_bad_gradients():
    with pytest.raises(TypeError, match="^grads must be a dict"):
        clip_by_global_norm([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match="^grads must be a dict"):
        clip_elementwise(np.ones(2), 1.0)
    with pytest.raises(TypeError, match=r"^grads\['dW'\] must hold real numbers"):
        clip_by_global_norm({"dW": np.array(["a"])}, 1.0)
    with pytest.raises(TypeError, match=r"^grads\[.db.\] must be a real number or an array"):
        clip_elementwise({"db": None}, 1.0)
    with pytest.raises(ValueError, match=r"gradient norm is inf: grads 'db' hold inf or nan"):
        clip_by_global_norm({"dW": np.ones(2), "db": np.array([np.inf])}, 1.0)
    with pytest.raises(ValueError, match="gradient norm is nan"):
        clip_by_global_norm({"dW": np.array([np.nan])}, 1.0)
    assert clip_by_global_norm({}, 1.0) == ({}, 0.0)


arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                    elements=st.floats(-1e6, 1e6))


@settings(max_examples=50, deadline=None)
@given(grads=st.dictionaries(st.sampled_from(["dU", "dW", "db", "dV", "dc"]), arrays,
                             max_size=5),
       max_norm=st.floats(1e-3, 1e3))
def test_properties(grads, max_norm):
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(global_norm(grads), rel=1e-12)
    assert global_norm(clipped) <= max_norm * (1 + 1e-12) or global_norm(clipped) == norm
    if norm > max_norm:
        assert global_norm(clipped) == pytest.approx(max_norm, rel=1e-12)
        assert cosine(flat(clipped), flat(grads)) == pytest.approx(1.0, abs=1e-12)
    else:
        assert all(np.array_equal(clipped[k], grads[k]) for k in grads)
    elementwise = clip_elementwise(grads, max_norm)
    for k, g in grads.items():
        e = elementwise[k]
        assert e.shape == g.shape and np.all(np.abs(e) <= max_norm)
        inside = np.abs(g) <= max_norm
        np.testing.assert_array_equal(e[inside], g[inside])


def test_clip_gradients_switches_between_the_two_rules():
    grads = {"dW": np.array([[10.0, 1.0]]), "db": np.array([-0.5])}
    by_norm = clip_gradients(grads, 1.0, "norm")
    for k in grads:
        np.testing.assert_array_equal(by_norm[k], clip_by_global_norm(grads, 1.0)[0][k])
    by_entry = clip_gradients(grads, 1.0, "elementwise")
    for k in grads:
        np.testing.assert_array_equal(by_entry[k], clip_elementwise(grads, 1.0)[k])
    assert set(CLIP_MODES) == {"norm", "elementwise"}
    with pytest.raises(ValueError, match="mode"):
        clip_gradients(grads, 1.0, "max")


# --- many two-dimensional gradients at once (the chapter's geometry figure) ------------------


def test_clip_vectors_norm_keeps_direction_and_bounds_length():
    G = np.array([[3.0, 4.0], [0.3, 0.4], [-10.0, 1.0], [0.0, 0.0]])
    C = clip_vectors(G, 1.0, "norm")
    np.testing.assert_allclose(C[0], [0.6, 0.8])
    np.testing.assert_array_equal(C[1], G[1])  # short gradients are left alone
    np.testing.assert_array_equal(C[3], [0.0, 0.0])
    assert np.all(np.linalg.norm(C, axis=1) <= 1.0 + 1e-12)
    np.testing.assert_allclose(turn_angle(G[:3], C[:3]), 0.0, atol=1e-6)


def test_clip_vectors_rows_agree_with_clipping_a_dict():
    rng = np.random.default_rng(4)
    G = 3 * rng.normal(size=(5, 2))
    for mode, clip in (("norm", lambda g: clip_by_global_norm(g, 1.5)[0]),
                       ("elementwise", lambda g: clip_elementwise(g, 1.5))):
        C = clip_vectors(G, 1.5, mode)
        for g, c in zip(G, C, strict=True):
            by_dict = clip({"da": g[:1], "db": g[1:]})
            np.testing.assert_allclose(c, np.r_[by_dict["da"], by_dict["db"]], rtol=1e-14)


def test_clip_vectors_elementwise_turns_the_step():
    G = np.array([[10.0, 1.0], [4.0, 4.0], [0.5, -0.2]])
    C = clip_vectors(G, 1.0, "elementwise")
    np.testing.assert_array_equal(C, [[1.0, 1.0], [1.0, 1.0], [0.5, -0.2]])
    angles = turn_angle(G, C)
    assert angles[0] == pytest.approx(np.degrees(np.pi / 4 - np.arctan(0.1)), rel=1e-12)
    assert angles[1] == pytest.approx(0.0, abs=1e-6) and angles[2] == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(turn_angle(np.zeros((1, 2)), np.zeros((1, 2))))[0]
    with pytest.raises(ValueError, match="mode"):
        clip_vectors(G, 1.0, "max")
    with pytest.raises(ValueError, match="threshold"):
        clip_vectors(G, 0.0, "norm")
    with pytest.raises(ValueError, match="clipped"):
        turn_angle(G, C[:2])

