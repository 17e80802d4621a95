"""textbook_rnn.figures.long_term: what each figure of chapter 6 draws, read back from it.

:data:`CASES` is also read by test_figures_style.py (style, text size, overlaps).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")


from figure_checks import all_text, labelled_lines, legend_labels, ydata_range  # noqa: E402
from textbook_rnn import dynamics as dy  # noqa: E402
from textbook_rnn.figures import long_term as pdyn  # noqa: E402


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


def _init(kind="orthogonal"):
    W = 1.1 * (np.eye(6) if kind == "identity" else dy.random_recurrent_matrix(6, seed=1,
                                                                              kind=kind))
    singular = {}
    for label, act in (("tanh network", "tanh"), ("linear network", "linear")):
        h = dy.recurrence(W, np.full(6, 0.3), 12, activation=act)
        singular[label] = np.linalg.svd(dy.jacobian_products(h, W, activation=act),
                                        compute_uv=False)
    return pdyn.plot_init_frame(dy.spectrum(W), singular, sigma_max=dy.sigma_max(W),
                                title=f"{kind}, g = 1.1")


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


def _eigen_explorer(coupling=3.0):
    pair = 0.9 * np.exp(1j * np.pi / 4)
    W = dy.block_triangular([pair, np.conj(pair), 0.7], coupling)
    h = dy.linear_recurrence(W, np.array([0.6, 0.0, 0.8]), 30)
    lam, c = dy.modal_coordinates(W, h)
    return pdyn.plot_eigen_explorer(lam, c, np.linalg.norm(h, axis=1), sigma=dy.sigma_max(W))


CASES = {"modes": _modes, "spectrum": _spectrum, "forward_backward": _forward_backward,
         "rates": _rates, "cross": _cross, "cliff": _cliff, "pascanu": _pascanu, "lags": _lags,
         "eigen_explorer": _eigen_explorer, "init": _init}
FRAMES = {"spectrum", "forward_backward", "eigen_explorer", "init"}


def test_eigen_explorer_draws_each_mode_the_spiral_and_the_norm():
    fig = _eigen_explorer()
    left, right = fig.axes
    # one line per conjugate pair and per real eigenvalue, then ‖h_t‖ and ρ^t ‖h_0‖
    labels = labelled_lines(right)
    assert labels[:2] == ["|λ| = 0.90, angle ±45°", "λ = +0.70"] and len(labels) == 4
    assert right.get_yscale() == "log" and right.get_title().startswith("ρ = 0.90")
    norm = right.lines[2].get_ydata()
    assert norm.max() > 1.5 * norm[0], "the coupling makes the state grow for a while"
    # the spiral: each step turns by θ = 45° and shrinks by r = 0.9
    spiral = left.lines[1]
    z = spiral.get_xdata() + 1j * spiral.get_ydata()
    np.testing.assert_allclose(z[1:] / z[:-1], 0.9 * np.exp(1j * np.pi / 4), rtol=1e-9)
    # the same axes in every frame, whatever the coupling
    other = _eigen_explorer(0.0)
    for a, b in zip(fig.axes, other.axes, strict=True):
        assert a.get_position().bounds == pytest.approx(b.get_position().bounds)


def test_modes_draw_one_line_per_eigenvalue_and_the_alignment():
    fig = _modes()
    left, right = fig.axes
    assert len(labelled_lines(left)) == 4 + 1  # four modes and ‖h_t‖
    assert labelled_lines(left)[0] == r"$\lambda_1 = +1.05$"
    assert left.get_yscale() == "log"
    low, high = ydata_range(right)
    assert 0 <= low and high <= 1 + 1e-12 and right.get_ylim() == (0, 1.05)


def test_forward_backward_frame_dashes_the_linear_network():
    fig = _forward_backward()
    left, right = fig.axes[:2]
    styles = {line.get_label(): line.get_linestyle() for line in left.lines
              if not line.get_label().startswith("_")}
    assert styles == {"tanh on": "-", "tanh off (linear)": "--"}
    assert right.get_ylim() == pytest.approx((1e-16, 1e16))
    assert legend_labels(fig) == ["tanh on", "tanh off (linear)"]
    assert fig._suptitle.get_text() == "ρ = 1.5"


def test_rates_shade_the_two_regimes():
    fig = _rates()
    left, right = fig.axes
    assert labelled_lines(left) == ["tanh on", "tanh off (linear)"]
    words = all_text(fig)
    assert "gradient vanishes" in words and "gradient explodes" in words
    assert len(left.patches) == 2 and right.get_yscale() == "log"


def test_cliff_draws_three_panels_with_one_line_per_step():
    fig = _cliff()
    a1, a2, a3 = fig.axes
    assert labelled_lines(a1) == ["$t=1$", "$t=4$", "$t=8$"]
    assert labelled_lines(a3) == ["$T=4$", "$T=8$"] and a3.get_yscale() == "log"
    assert ydata_range(a2)[0] >= -1 and ydata_range(a2)[1] <= 1


def test_pascanu_draws_the_bound_above_the_norms():
    fig = _pascanu()
    for ax in fig.axes:
        bound = ax.lines[0]
        assert bound.get_label().startswith("bound")
        norms = [line for line in ax.lines[1:] if len(line.get_ydata()) == 11]
        assert len(norms) == 2  # two trajectories
        for line in norms:
            assert np.all(line.get_ydata() <= bound.get_ydata() * (1 + 1e-9))
    assert [ax.get_title() for ax in fig.axes] == [r"$\sigma_{\max}(\boldsymbol{W}) = 0.8$",
                                                   r"$\sigma_{\max}(\boldsymbol{W}) = 1.2$"]


def test_lags_draw_weights_and_truncation_errors():
    fig = _lags()
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), 0.8 ** np.arange(10))
    assert right.get_ylim() == pytest.approx((1e-17, 10))


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


def test_forward_backward_frame_draws_every_singular_value_above_the_floor():
    W = dy.random_recurrent_matrix(6, seed=1, spectral_radius=1.5)
    fw, bw, sv = {}, {}, {}
    for label, act in (("tanh on", "tanh"), ("tanh off (linear)", "linear")):
        h = dy.recurrence(W, np.full(6, 0.3), 12, activation=act)
        sv[label] = np.linalg.svd(dy.jacobian_products(h, W, activation=act), compute_uv=False)
        fw[label] = np.linalg.norm(h, axis=-1)
        bw[label] = sv[label][:, 0]
    sv["tanh on"][3, -1] = 1e-20 * sv["tanh on"][3, 0]  # lost in rounding: not drawn
    fig = pdyn.plot_forward_backward_frame(fw, bw, singular=sv)
    assert len(fig.axes) == 3
    bottom = fig.axes[2]
    curves = [line for line in bottom.lines if np.asarray(line.get_xdata()).size == 13]
    assert len(curves) == 2 * 6, "one line per singular value and network"
    tanh_lines = [line for line in curves if line.get_linestyle() == "-"]
    assert len(tanh_lines) == 6
    smallest = np.asarray(tanh_lines[-1].get_ydata())
    assert np.isnan(smallest[3]) and np.isfinite(smallest[4])
    top = np.asarray(tanh_lines[0].get_ydata())
    np.testing.assert_allclose(top, np.maximum(bw["tanh on"], 1e-16))
    # the top panels are those of the two-panel frame
    assert fig.axes[1].get_ylim() == pytest.approx((1e-16, 1e16))


def test_forward_backward_frame_rejects_singular_values_of_the_wrong_length():
    fw = {"tanh on": np.ones(5)}
    with pytest.raises(ValueError, match="one row per step"):
        pdyn.plot_forward_backward_frame(fw, fw, singular={"tanh on": np.ones((4, 3))})
    with pytest.raises(ValueError, match="labels that forward lacks"):
        pdyn.plot_forward_backward_frame(fw, fw, singular={"other": np.ones((5, 3))})


def test_init_frame_draws_the_spectrum_and_one_line_per_singular_value():
    fig = _init("orthogonal")
    left, right = fig.axes
    dots = [line for line in left.lines if line.get_label() == "eigenvalues"][0]
    radii = np.hypot(dots.get_xdata(), dots.get_ydata())
    np.testing.assert_allclose(radii, 1.1, rtol=1e-9)  # an orthogonal W times 1.1
    ring = [line for line in left.lines if "sigma" in line.get_label()][0]
    np.testing.assert_allclose(np.hypot(ring.get_xdata(), ring.get_ydata()), 1.1, rtol=1e-9)
    fans = [line for line in right.lines if np.asarray(line.get_xdata()).size == 13]
    assert len(fans) == 2 * 6
    linear = [line for line in fans if line.get_linestyle() == "--"]
    # the linear product is 1.1^(T-k) times an orthogonal matrix: every singular value on it
    for line in linear:
        back = np.asarray(line.get_xdata())
        np.testing.assert_allclose(line.get_ydata(), 1.1 ** back, rtol=1e-9)
    assert legend_labels(fig)[-2:] == ["tanh network", "linear network"]
    assert fig._suptitle.get_text() == "orthogonal, g = 1.1"


def test_init_frame_rejects_bad_input():
    with pytest.raises(ValueError, match="sigma_max"):
        pdyn.plot_init_frame(np.ones(3), {"a": np.ones((4, 3))}, sigma_max=float("nan"))
    with pytest.raises(TypeError, match="singular"):
        pdyn.plot_init_frame(np.ones(3), {}, sigma_max=1.0)
