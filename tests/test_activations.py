"""The nonlinearities of the book and their derivatives (textbook_rnn.activations)."""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import activations as act


@pytest.mark.parametrize("name", act.ACTIVATIONS)
def test_phi_prime_read_off_the_output_matches_finite_differences(name):
    a = np.linspace(-3.0, 3.0, 61)
    a = a[np.abs(a) > 1e-3]  # ReLU has no derivative at 0
    eps = 1e-6
    f = act.phi(name)
    numeric = (f(a + eps) - f(a - eps)) / (2 * eps)
    np.testing.assert_allclose(act.phi_prime(f(a), name), numeric, rtol=1e-6, atol=1e-9)
    assert np.all(np.abs(numeric) <= act.GAMMA[name] * (1 + 1e-6))


def test_sigmoid_never_overflows_and_unknown_names_are_refused():
    with np.errstate(all="raise"):
        out = act.phi("sigmoid")(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(out, [0.0, 0.5, 1.0])
    assert set(act.GAMMA) == set(act.ACTIVATIONS)
    with pytest.raises(ValueError, match="activation must be one of"):
        act.phi("softplus")
    with pytest.raises(ValueError, match="activation"):
        act.phi_prime(np.zeros(2), "elu")
