"""Tests of textbook_rnn._validate: the argument checks behind every error message."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn._validate import (
    Shapes,
    check_params,
    check_positive_int,
    check_real,
    float_dtype,
    real_array,
)


def test_first_array_fixes_the_sizes_later_ones_must_agree():
    s = Shapes()
    x = s.array("x", np.zeros((2, 3)), ("N", "D"))
    assert s.dims == {"N": 2, "D": 3}
    assert isinstance(x, np.ndarray)
    s.array("U", np.zeros((4, 3)), ("H", "D"))
    assert s.dims == {"N": 2, "D": 3, "H": 4}
    with pytest.raises(ValueError) as info:
        s.array("W", np.zeros((4, 5)), ("H", "H"))
    assert str(info.value) == (
        "W must have shape (H, H) = (4, 4), got shape (4, 5) (axis 1 is H=4 elsewhere)"
    )


def test_known_sizes_can_be_given_up_front():
    s = Shapes(H=3)
    with pytest.raises(ValueError, match=r"^b must have shape \(H,\) = \(3,\), got shape \(2,\)"):
        s.array("b", np.zeros(2), ("H",))


def test_lists_are_converted_and_arrays_are_not_copied():
    arr = np.zeros((2, 2))
    assert Shapes().array("a", arr, ("N", "N")) is arr
    out = Shapes().array("a", [[1, 2], [3, 4]], ("N", "M"))
    assert out.shape == (2, 2)


@pytest.mark.parametrize(
    "value, exc, text",
    [
        (None, TypeError, "h must be an array of shape (N, H), got None"),
        ("abc", TypeError, "h must hold real numbers, got dtype <U3"),
        (np.array([[1j]]), TypeError, "h must hold real numbers, got dtype complex128"),
        (np.array([[None]]), TypeError, "h must hold real numbers, got dtype object"),
        ([[1.0], [1.0, 2.0]], TypeError, "h could not be converted to an array"),
        (np.zeros(3), ValueError, "h must have 2 dimension(s) with shape (N, H), got shape (3,)"),
        (np.zeros((1, 2, 3)), ValueError, "got shape (1, 2, 3)"),
        (np.zeros((0, 3)), ValueError, "h has an empty axis 0 (N); expected shape (N, H), "
                                       "got shape (0, 3)"),
        (np.zeros((2, 0)), ValueError, "h has an empty axis 1 (H)"),
    ],
)
def test_bad_values_give_clear_messages(value, exc, text):
    with pytest.raises(exc) as info:
        Shapes().array("h", value, ("N", "H"))
    assert str(info.value).startswith("h ")
    assert text in str(info.value)


def test_integer_arrays_for_labels():
    s = Shapes()
    assert s.array("y", np.array([[0, 2]]), ("N", "T"), integer=True).dtype.kind == "i"
    small = np.array([[0, 2]], dtype=np.uint8)
    assert s.array("y", small, ("N", "T"), integer=True).shape == (1, 2)
    for bad in (np.array([[0.0, 1.0]]), np.array([[True, False]])):
        with pytest.raises(TypeError, match="^y must hold integers"):
            Shapes().array("y", bad, ("N", "T"), integer=True)


def test_bools_and_ints_are_accepted_as_real_numbers():
    assert Shapes().array("m", np.array([True]), ("K",)).dtype == bool
    assert Shapes().array("m", np.array([3]), ("K",)).dtype.kind == "i"


def test_float_dtype():
    f32, f64 = np.zeros(1, np.float32), np.zeros(1)
    assert float_dtype(f32) == np.float32
    assert float_dtype(f32, f32) == np.float32
    assert float_dtype(f32, f64) == np.float64
    assert float_dtype(np.zeros(1, int)) == np.float64
    assert float_dtype(f32, np.zeros(1, int)) == np.float64
    assert float_dtype(f32, np.zeros(1, bool)) == np.float32


@pytest.mark.parametrize("good", [1, 7, np.int64(3)])
def test_check_positive_int_accepts(good):
    assert check_positive_int("n", good) == int(good)
    assert type(check_positive_int("n", good)) is int


@pytest.mark.parametrize(
    "bad, exc", [(0, ValueError), (-2, ValueError), (1.0, TypeError), (True, TypeError),
                 ("3", TypeError), (None, TypeError)]
)
def test_check_positive_int_rejects(bad, exc):
    with pytest.raises(exc, match="^n must be a positive integer"):
        check_positive_int("n", bad)


def test_check_params_names_what_is_missing():
    p = {"U": 1, "W": 2}
    assert check_params(p, ("U", "W")) is p
    with pytest.raises(TypeError, match="^params must be a dict of arrays, got list"):
        check_params([1, 2], ("U",))
    with pytest.raises(ValueError, match="^params is missing b, V$"):
        check_params(p, ("U", "b", "V"))


@pytest.mark.parametrize("kwargs, value, ok", [
    ({}, -3.5, True), ({"low": 0.0}, 0.0, True), ({"low": 0.0, "low_open": True}, 0.0, False),
    ({"high": 1.0, "high_open": True}, 1.0, False), ({"low": 0.0, "high": 1.0}, 0.5, True),
    ({"low": 0.0}, -1e-9, False),
])
def test_check_real_range(kwargs, value, ok):
    if ok:
        assert check_real("a", value, **kwargs) == value
    else:
        with pytest.raises(ValueError, match="^a must be"):
            check_real("a", value, **kwargs)


@pytest.mark.parametrize("bad, exc", [(True, TypeError), ("1", TypeError), (None, TypeError),
                                      (np.nan, ValueError), (np.inf, ValueError)])
def test_check_real_rejects(bad, exc):
    with pytest.raises(exc, match="^a "):
        check_real("a", bad)


def test_real_array_gives_float64_and_clear_errors():
    out = real_array("w", [1, 2])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0]
    assert real_array("w", 3).shape == ()
    for bad, exc in [(True, TypeError), (None, TypeError), ("ab", TypeError),
                     ([[1.0], [1.0, 2.0]], TypeError), ([1.0, np.nan], ValueError)]:
        with pytest.raises(exc, match="^w "):
            real_array("w", bad)
