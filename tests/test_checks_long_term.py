"""The chapter 6 checkers reject wrong code and accept right code.

Every wrong implementation here is written out independently of the
checker's own list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import checks

torch.set_num_threads(1)

# --- rescale_spectral_radius ------------------------------------------------------


def rescale_right(W, rho):
    radius = np.abs(np.linalg.eigvals(W)).max()
    return W * (rho / radius)


def rescale_right_torch(W, rho):
    """Same result by another route: torch's eigenvalues and a division last."""
    radius = torch.linalg.eigvals(torch.tensor(W)).abs().max().item()
    return rho * W / radius


def rescale_by_sigma_max(W, rho):
    return W * rho / np.linalg.norm(W, 2)


def rescale_no_modulus(W, rho):
    return W * rho / np.linalg.eigvals(W).real.max()


def rescale_complex_max(W, rho):
    return W * rho / np.max(np.linalg.eigvals(W))


def rescale_frobenius(W, rho):
    return rho * W / np.sqrt((W**2).sum())


def rescale_largest_entry(W, rho):
    return rho * W / np.abs(W).max()


def rescale_in_place(W, rho):
    W *= rho / np.abs(np.linalg.eigvals(W)).max()
    return W


def rescale_only_rho(W, rho):
    return rho * W


def rescale_upside_down(W, rho):
    return W * np.abs(np.linalg.eigvals(W)).max() / rho


def rescale_returns_radius(W, rho):
    return rho


def rescale_stub(W, rho):
    raise NotImplementedError("Not implemented yet.")


def rescale_float32_torch(W, rho):
    """Right, in torch's default dtype: a float32 array comes back."""
    Wt = torch.tensor(W, dtype=torch.float32)
    return (Wt * (rho / torch.linalg.eigvals(Wt).abs().max())).numpy()


def rescale_power_iteration_list(W, rho):
    """Right, by a loop over nested lists: |λ_max| from the characteristic polynomial."""
    radius = max(abs(z) for z in np.roots(np.poly(W)))
    return [[rho / radius * w for w in row] for row in W.tolist()]


@pytest.mark.parametrize("fn", [rescale_right, rescale_right_torch, rescale_float32_torch,
                                rescale_power_iteration_list])
def test_rescale_right_implementations_pass(fn):
    result = checks.rescale_spectral_radius(fn)
    assert result, str(result)
    assert "All checks passed (6 of 6 cases)" in str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (rescale_by_sigma_max, "largest singular value"),
        (rescale_no_modulus, "without taking its modulus"),
        (rescale_complex_max, "without taking its modulus"),
        (rescale_frobenius, "Frobenius norm"),
        (rescale_largest_entry, "largest entry"),
        (rescale_in_place, "modified its argument W in place"),
        (rescale_only_rho, "does not divide by"),
        (rescale_upside_down, "upside down"),
        (rescale_returns_radius, "should be a numpy array"),
    ],
)
def test_rescale_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.rescale_spectral_radius, fn, words)


def test_rescale_stub_is_not_implemented():
    result = checks.rescale_spectral_radius(rescale_stub)
    assert result.status == "not implemented"
    assert "Not implemented yet" in str(result)


# --- jacobian_product_norms -----------------------------------------------------------


def norms_right(h, W):
    T = len(h) - 1
    P = np.eye(W.shape[0])
    out = [1.0]
    for t in range(T, 0, -1):
        P = P @ ((1 - h[t] ** 2)[:, None] * W)
        out.append(np.linalg.norm(P, 2))
    return np.array(out[::-1])


def norms_right_autograd(h, W):
    """A different route: autograd through the composed map, with each step's offset
    recovered from the stored states (a_t = artanh(h_t), so the rest is a_t - W h_{t-1})."""
    ht, Wt = torch.tensor(h), torch.tensor(W)
    T = len(h) - 1
    offsets = [torch.atanh(ht[t]) - Wt @ ht[t - 1] for t in range(1, T + 1)]
    out = np.empty(T + 1)
    for k in range(T + 1):
        def to_end(z, k=k):
            for t in range(k + 1, T + 1):
                z = torch.tanh(Wt @ z + offsets[t - 1])
            return z

        J = torch.autograd.functional.jacobian(to_end, ht[k])
        out[k] = torch.linalg.matrix_norm(J, ord=2).item()
    return out


def norms_derivative_of_previous(h, W):
    T = len(h) - 1
    P = np.eye(len(W))
    out = np.ones(T + 1)
    for t in range(T, 0, -1):
        P = P @ (np.diag(1 - h[t - 1] ** 2) @ W)
        out[t - 1] = np.linalg.svd(P, compute_uv=False)[0]
    return out


def norms_linear(h, W):
    T = len(h) - 1
    return np.array([np.linalg.norm(np.linalg.matrix_power(W, T - k), 2)
                     for k in range(T + 1)])


def norms_transposed(h, W):
    T = len(h) - 1
    P = np.eye(len(W))
    out = np.ones(T + 1)
    for t in range(T, 0, -1):
        P = P @ (np.diag(1 - h[t] ** 2) @ W.T)
        out[t - 1] = np.linalg.norm(P, 2)
    return out


def norms_wrong_order(h, W):
    T = len(h) - 1
    P = np.eye(len(W))
    out = np.ones(T + 1)
    for t in range(T, 0, -1):
        P = (np.diag(1 - h[t] ** 2) @ W) @ P
        out[t - 1] = np.linalg.norm(P, 2)
    return out


def norms_frobenius(h, W):
    T = len(h) - 1
    P = np.eye(len(W))
    out = np.ones(T + 1)
    for t in range(T, 0, -1):
        P = P @ (np.diag(1 - h[t] ** 2) @ W)
        out[t - 1] = np.linalg.norm(P)
    return out


def norms_product_of_step_norms(h, W):
    steps = [np.linalg.norm(np.diag(1 - h[t] ** 2) @ W, 2) for t in range(1, len(h))]
    return np.array([np.prod(steps[k:]) for k in range(len(h))])


def norms_reversed(h, W):
    return norms_right(h, W)[::-1]


def norms_missing_last(h, W):
    return norms_right(h, W)[:-1]


def norms_as_list(h, W):
    return list(norms_right(h, W))


def norms_float32_torch(h, W):
    """Right, in torch's default dtype, float32."""
    h, W = torch.tensor(h, dtype=torch.float32), torch.tensor(W, dtype=torch.float32)
    T = h.shape[0] - 1
    P = torch.eye(W.shape[0])
    out = [torch.tensor(1.0)]
    for t in range(T, 0, -1):
        P = P @ ((1 - h[t] ** 2)[:, None] * W)
        out.append(torch.linalg.matrix_norm(P, ord=2))
    return torch.stack(out[::-1]).numpy()


def norms_in_place(h, W):
    h **= 2
    T = len(h) - 1
    P = np.eye(len(W))
    out = np.ones(T + 1)
    for t in range(T, 0, -1):
        P = P @ ((1 - h[t])[:, None] * W)
        out[t - 1] = np.linalg.norm(P, 2)
    return out


def norms_stub(h, W):
    raise NotImplementedError("Not implemented yet. Hint: J_t = diag(1 - h_t^2) W.")


@pytest.mark.parametrize("fn", [norms_right, norms_right_autograd, norms_as_list,
                                norms_float32_torch])
def test_norms_right_implementations_pass(fn):
    result = checks.jacobian_product_norms(fn)
    assert result, str(result)
    assert "All checks passed (6 of 6 cases)" in str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (norms_derivative_of_previous, "taken at h_{t-1}"),
        (norms_linear, "tanh derivative is missing"),
        (norms_transposed, "W is transposed"),
        (norms_wrong_order, "wrong order"),
        (norms_frobenius, "Frobenius norm"),
        (norms_product_of_step_norms, "product of the norms of the single steps"),
        (norms_reversed, "reverse order"),
        (norms_missing_last, "wrong shape"),
        (norms_in_place, "modified its argument h in place"),
    ],
)
def test_norms_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.jacobian_product_norms, fn, words)


def test_norms_stub_is_not_implemented():
    result = checks.jacobian_product_norms(norms_stub)
    assert result.status == "not implemented"
    assert "J_t = diag(1 - h_t^2) W" in str(result)


# --- both -------------------------------------------------------------------------------


def test_reports_are_deterministic():
    for checker, fn in [(checks.rescale_spectral_radius, rescale_by_sigma_max),
                        (checks.jacobian_product_norms, norms_wrong_order)]:
        assert str(checker(fn)) == str(checker(fn))


@pytest.mark.parametrize("odd", [None, 42, "W", lambda: None, lambda *a: None,
                                 lambda *a: 1 / 0, lambda *a: np.full((3, 3), np.nan)])
def test_checkers_never_raise(odd):
    for checker in (checks.rescale_spectral_radius, checks.jacobian_product_norms):
        result = checker(odd)
        assert not result
        assert result.status == "failed"
