"""textbook_rnn.figures.long_term: every figure draws, deterministically, from checked inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from textbook_rnn import dynamics as dy  # noqa: E402
from textbook_rnn.figures import long_term as pdyn  # noqa: E402
from textbook_rnn.widgets import figure_to_png  # noqa: E402


def _modes():
    W = dy.matrix_with_eigenvalues([1.05, 0.9, -0.75, 0.5], seed=2)
    h = dy.linear_recurrence(W, np.array([1.0, 0.3, -0.5, 0.8]), 20)
    lam, c = dy.modal_coordinates(W, h)
    _, Q = dy.eigendecompose(W)
    return pdyn.plot_modes(c, lam, dy.alignment(h, Q[:, 0]), norms=np.linalg.norm(h, axis=1))


def _spectrum():
    W = dy.random_recurrent_matrix(8, seed=1, spectral_radius=1.2)
    h = dy.linear_recurrence(W, np.eye(8)[:3], 15)
    return pdyn.plot_spectrum_frame(dy.spectrum(W), np.linalg.norm(h, axis=-1), rho=1.2)


def _forward_backward():
    W = dy.random_recurrent_matrix(6, seed=1, spectral_radius=1.5)
    fw, bw = {}, {}
    for label, act in (("tanh on", "tanh"), ("tanh off (linear)", "linear")):
        h = dy.recurrence(W, np.full(6, 0.3), 12, activation=act)
        fw[label] = np.linalg.norm(h, axis=-1)
        bw[label] = dy.jacobian_product_norms(h, W, activation=act)
    return pdyn.plot_forward_backward_frame(fw, bw, title="ρ = 1.5")


def _rates():
    rhos = np.linspace(0.5, 2, 4)
    return pdyn.plot_rates(rhos, {"tanh on": rhos * 0.8, "tanh off (linear)": rhos},
                           {"tanh on": np.ones(4), "tanh off (linear)": 10.0 ** rhos})


def _cross():
    W = dy.random_recurrent_matrix(10, seed=1, spectral_radius=3.0)
    s = np.linspace(-1, 1, 50)
    X = dy.cross_section(W, s, 4, direction=np.eye(10)[0], readout=np.eye(10)[1])
    return pdyn.plot_cross_section(s, X, [0, 1, 2, 4])


def _cliff():
    h0 = np.linspace(-1, 1, 41)
    b = np.linspace(0, 1, 41)
    p = dy.cliff_map(h0, 8, 2.0)
    q = dy.cliff_map(-1.0, 8, 2.0, b)
    return pdyn.plot_cliff(h0, {t: p.h[t] for t in (1, 4, 8)}, b, {t: q.h[t] for t in (4, 8)},
                           {t: q.db[t] for t in (4, 8)}, w=2.0, b_fixed=0.0, h0_fixed=-1.0)


def _pascanu():
    norms, bounds = {}, {}
    for sigma in (0.8, 1.2):
        W = dy.random_recurrent_matrix(5, seed=2, sigma_max=sigma)
        h = dy.recurrence(W, np.ones((2, 5)) * 0.2, 10)
        norms[sigma] = {"tanh": dy.jacobian_product_norms(h, W)}
        bounds[sigma] = dy.pascanu_bound(sigma, np.arange(10, -1, -1))
    return pdyn.plot_pascanu(norms, bounds)


def _lags():
    c = np.full(10, 0.8)
    M = dy.unrolled_weights(c)
    return pdyn.plot_lags({"c = 0.8": M[-1, ::-1]}, {"c = 0.8": 0.8 ** np.arange(1, 11)})


DRAWINGS = {"modes": (_modes, 2), "spectrum": (_spectrum, 2),
            "forward_backward": (_forward_backward, 2), "rates": (_rates, 2),
            "cross": (_cross, 4), "cliff": (_cliff, 3), "pascanu": (_pascanu, 2),
            "lags": (_lags, 2)}


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_figures_draw_without_pyplot_and_deterministically(name):
    draw, n_axes = DRAWINGS[name]
    before = plt.get_fignums()
    fig = draw()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before, "figures must not be registered with pyplot"
    assert len([ax for ax in fig.axes if ax.get_visible()]) >= n_axes
    assert figure_to_png(fig) == figure_to_png(draw())


def test_style_does_not_leak():
    before = dict(matplotlib.rcParams)
    _spectrum()
    assert dict(matplotlib.rcParams) == before


def test_spectrum_frame_marks_eigenvalues_outside_the_unit_circle():
    fig = pdyn.plot_spectrum_frame(np.array([1.2, 0.5j, -0.5j]), np.ones((1, 4)), rho=1.2)
    left = fig.axes[0]
    inside, outside = left.collections
    assert len(inside.get_offsets()) == 2 and len(outside.get_offsets()) == 1
    assert fig.axes[1].get_ylim() == pytest.approx((1e-8, 1e8))


def test_cross_section_has_one_panel_per_step():
    s = np.linspace(0, 1, 5)
    fig = pdyn.plot_cross_section(s, np.zeros((6, 5)), [0, 2, 5])
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["$t = 0$", "$t = 2$", "$t = 5$"]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: pdyn.plot_modes(np.ones((3, 2)), np.ones(3), np.ones(3)), ValueError, "lam"),
        (lambda: pdyn.plot_spectrum_frame(np.ones(2), np.ones(4), rho=1.0), ValueError,
         "norms"),
        (lambda: pdyn.plot_spectrum_frame(np.ones(2), np.ones((1, 4)), rho=1.0, ylim=(1, 0)),
         ValueError, "ylim"),
        (lambda: pdyn.plot_forward_backward_frame({"a": np.ones(3)}, {"b": np.ones(3)}),
         ValueError, "same labels"),
        (lambda: pdyn.plot_forward_backward_frame({}, {}), TypeError, "forward"),
        (lambda: pdyn.plot_rates(np.ones(3), {"a": "x"}, {"a": np.ones(3)}), TypeError,
         "gradient_rates"),
        (lambda: pdyn.plot_cross_section(np.ones(3), np.ones((2, 4)), [0]), ValueError, "X"),
        (lambda: pdyn.plot_cross_section(np.ones(3), np.ones((2, 3)), [5]), ValueError,
         "steps"),
        (lambda: pdyn.plot_pascanu({0.8: {}}, {1.0: np.ones(3)}), ValueError, "same keys"),
        (lambda: pdyn.plot_lags({"a": np.ones((2, 2))}, {"a": np.ones(2)}), ValueError,
         "weights"),
    ],
)
def test_bad_inputs_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()
