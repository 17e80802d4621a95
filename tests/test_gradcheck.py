"""The finite-difference helper itself."""

import numpy as np
import pytest

from textbook_rnn.gradcheck import numerical_gradient, relative_error


def test_quadratic_gradient_is_exact_to_rounding():
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    x = np.array([0.5, -1.5])
    g = numerical_gradient(lambda v: float(v @ A @ v), x)
    np.testing.assert_allclose(g, (A + A.T) @ x, atol=1e-8)


def test_does_not_mutate_its_input():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    seen = []
    numerical_gradient(lambda v: seen.append(v is x) or float(np.sum(v**2)), x)
    assert np.array_equal(x, before)
    assert not any(seen), "f must be called on a private copy"


def test_integer_input_is_promoted():
    g = numerical_gradient(lambda v: float(np.sum(v**3)), np.array([1, 2]))
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)


def test_relative_error_scale():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert 1e-9 < relative_error(a, a * (1 + 1e-8)) < 1e-8


@pytest.mark.parametrize(
    "args, error",
    [
        ((None, np.ones(2)), TypeError),
        ((lambda v: 0.0, np.array(["a"])), TypeError),
    ],
)
def test_bad_arguments(args, error):
    with pytest.raises(error):
        numerical_gradient(*args)


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))
