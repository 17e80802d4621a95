"""The chapter 7 checkers reject wrong reservoir and leaky-unit code and accept right code.

Every wrong implementation here is written out independently of the
checker's own list of mistakes, the way a reader might write it; every right
one takes a different route from the package's reference.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textbook_rnn import checks
from textbook_rnn.checks import reservoirs as ch07

torch.set_num_threads(1)


def flat(text: str) -> str:
    """The report with line wrapping undone, for searching phrases."""
    return " ".join(text.split())


# --- esn_states ------------------------------------------------------------------------


def states_loops(x, h0, U, W, b, alpha):
    """Right, unit by unit with explicit sums."""
    N, T, D = x.shape
    H = W.shape[0]
    out = np.zeros((N, T, H))
    for n in range(N):
        h = h0[n].copy()
        for t in range(T):
            new = np.empty(H)
            for i in range(H):
                a = b[i] + sum(W[i, j] * h[j] for j in range(H)) + sum(
                    U[i, d] * x[n, t, d] for d in range(D))
                new[i] = alpha * h[i] + (1 - alpha) * np.tanh(a)
            h = new
            out[n, t] = h
    return out


def states_torch(x, h0, U, W, b, alpha):
    """Right, with torch tensors and a list of states."""
    xs, h = torch.tensor(x), torch.tensor(h0)
    Ut, Wt, bt = torch.tensor(U), torch.tensor(W), torch.tensor(b)
    hs = []
    for t in range(x.shape[1]):
        h = alpha * h + (1 - alpha) * torch.tanh(bt + h @ Wt.T + xs[:, t] @ Ut.T)
        hs.append(h)
    return torch.stack(hs, dim=1).numpy()


def make_states(*, swap=False, inside=False, ignore_alpha=False, W_plain=False,
                with_h0=False, in_place=False, before=False):
    def esn_states(x, h0, U, W, b, alpha):
        a = 1 - alpha if swap else alpha
        h = h0 if in_place else h0.copy()
        out = [h.copy()] if with_h0 else []
        for t in range(x.shape[1]):
            rec = h @ (W if W_plain else W.T)
            if inside:
                new = np.tanh(a * h + (1 - a) * (b + rec + x[:, t] @ U.T))
            else:
                new = np.tanh(b + rec + x[:, t] @ U.T)
                if not ignore_alpha:
                    new = a * h + (1 - a) * new
            if before:
                out.append(h.copy())
            if in_place:
                h[:] = new
            else:
                h = new
            if not before:
                out.append(h.copy())
        return np.stack(out, axis=1)

    return esn_states


def states_float32(x, h0, U, W, b, alpha):
    """Right, computed in float32 throughout."""
    x, h, U, W, b = (np.asarray(a, dtype=np.float32) for a in (x, h0, U, W, b))
    alpha = np.float32(alpha)
    out = []
    for t in range(x.shape[1]):
        h = alpha * h + (1 - alpha) * np.tanh(b + h @ W.T + x[:, t] @ U.T)
        out.append(h)
    return np.stack(out, axis=1)


@pytest.mark.parametrize("fn", [states_loops, states_torch, make_states(), states_float32])
def test_states_right_implementations_pass(fn):
    result = checks.esn_states(fn)
    assert result, str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (make_states(swap=True), "α and 1 - α are swapped"),
        (make_states(inside=True), "leak is applied inside the tanh"),
        (make_states(ignore_alpha=True), "alpha is ignored"),
        (make_states(W_plain=True), "W is used untransposed"),
        (make_states(with_h0=True), "wrong shape"),
        (make_states(in_place=True), "modified its argument h0"),
        (make_states(before=True), "instead of h_t"),
    ],
)
def test_states_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.esn_states, fn, words)


# --- ridge_readout -------------------------------------------------------------------------


def _rows(states, targets):
    H, K = states.shape[2], targets.shape[2]
    return states.reshape(-1, H), targets.reshape(-1, K)


def ridge_lstsq(states, targets, ridge):
    """Right: least squares on the system augmented with sqrt(λ) I rows (bias unpenalised)."""
    X, Y = _rows(states, targets)
    M, H = X.shape
    A = np.block([[X, np.ones((M, 1))], [np.sqrt(ridge) * np.eye(H), np.zeros((H, 1))]])
    B = np.vstack([Y, np.zeros((H, Y.shape[1]))])
    sol = np.linalg.lstsq(A, B, rcond=None)[0]
    return sol[:H].T, sol[H]


def ridge_normal_equations(states, targets, ridge):
    """Right: normal equations with a penalty matrix diag(λ, ..., λ, 0)."""
    X, Y = _rows(states, targets)
    H = X.shape[1]
    Xa = np.c_[X, np.ones(len(X))]
    P = ridge * np.eye(H + 1)
    P[H, H] = 0.0
    sol = np.linalg.solve(Xa.T @ Xa + P, Xa.T @ Y)
    return sol[:H].T, sol[H]


def ridge_penalised_bias(states, targets, ridge):
    X, Y = _rows(states, targets)
    H = X.shape[1]
    Xa = np.c_[X, np.ones(len(X))]
    sol = np.linalg.solve(Xa.T @ Xa + ridge * np.eye(H + 1), Xa.T @ Y)
    return sol[:H].T, sol[H]


def ridge_without_bias(states, targets, ridge):
    X, Y = _rows(states, targets)
    V = np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T @ Y).T
    return V, np.zeros(Y.shape[1])


def ridge_forgets_lambda(states, targets, ridge):
    X, Y = _rows(states, targets)
    Xa = np.c_[X, np.ones(len(X))]
    sol = np.linalg.lstsq(Xa, Y, rcond=None)[0]
    return sol[:-1].T, sol[-1]


def ridge_mean_loss(states, targets, ridge):
    X, Y = _rows(states, targets)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    V = np.linalg.solve(Xc.T @ Xc / len(X) + ridge * np.eye(X.shape[1]), Xc.T @ Yc / len(X)).T
    return V, Y.mean(0) - V @ X.mean(0)


def ridge_transposed(states, targets, ridge):
    V, c = ridge_lstsq(states, targets, ridge)
    return V.T, c


def ridge_first_sequence(states, targets, ridge):
    return ridge_lstsq(states[:1], targets[:1], ridge)


def ridge_centres_in_place(states, targets, ridge):
    mean = states.mean(axis=(0, 1))
    states -= mean
    V, c = ridge_lstsq(states, targets, ridge)
    return V, c - V @ mean


def ridge_returns_list(states, targets, ridge):
    return list(ridge_lstsq(states, targets, ridge))


def ridge_float32_torch(states, targets, ridge):
    """Right, in torch's default dtype, float32."""
    X = torch.tensor(states.reshape(-1, states.shape[2]), dtype=torch.float32)
    Y = torch.tensor(targets.reshape(-1, targets.shape[2]), dtype=torch.float32)
    xm, ym = X.mean(0), Y.mean(0)
    Xc, Yc = X - xm, Y - ym
    V = torch.linalg.solve(Xc.T @ Xc + ridge * torch.eye(X.shape[1]), Xc.T @ Yc).T
    return V.numpy(), (ym - V @ xm).numpy()


@pytest.mark.parametrize("fn", [ridge_lstsq, ridge_normal_equations, ridge_returns_list,
                                ridge_float32_torch])
def test_ridge_right_implementations_pass(fn):
    result = checks.ridge_readout(fn)
    assert result, str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (ridge_penalised_bias, "the bias c is penalised"),
        (ridge_without_bias, "the bias c is left out"),
        (ridge_forgets_lambda, "the penalty λ is missing"),
        (ridge_mean_loss, "λ is multiplied by the number of steps"),
        (ridge_transposed, "V has the wrong shape"),
        (ridge_first_sequence, "wrong values"),
        (ridge_centres_in_place, "modified its argument states"),
        (lambda s, t, r: ridge_lstsq(s, t, r)[0], "expected a tuple"),
    ],
)
def test_ridge_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.ridge_readout, fn, words)


def test_ridge_cases_separate_the_mistakes():
    """Every named mistake differs from the reference in at least one case."""
    for sentence_kind in ("penalised_bias", "no_bias", "no_ridge", "ridge_times_M",
                          "ridge_over_M"):
        differs = False
        for case in ch07.ridge_cases():
            V, c = ch07._ridge_variant(*case.args, mistake=sentence_kind)
            if not case.expected.matches((V, c)):
                differs = True
        assert differs, sentence_kind


# --- leaky_backward --------------------------------------------------------------------


def leaky_autograd(du, u, u0, v, alpha):
    """Right: torch autograd through the forward recurrence."""
    vt = torch.tensor(v, requires_grad=True)
    u0t = torch.tensor(u0, requires_grad=True)
    at = torch.tensor(alpha, requires_grad=True)
    state, loss = u0t, 0.0
    for t in range(v.shape[1]):
        state = at * state + (1 - at) * vt[:, t]
        loss = loss + (state * torch.tensor(du[:, t])).sum()
    loss.backward()
    return vt.grad.numpy(), u0t.grad.numpy(), at.grad.numpy()


def leaky_closed_form(du, u, u0, v, alpha):
    """Right: g_t = Σ_{s ≥ t} α^{s-t} du_s written as an explicit double sum."""
    N, T, H = du.shape
    g = np.zeros_like(du)
    for t in range(T):
        for s in range(t, T):
            g[:, t] += alpha ** (s - t) * du[:, s]
    u_prev = np.concatenate([u0[:, None], u[:, :-1]], axis=1)
    return (1 - alpha) * g, alpha * g[:, 0], np.einsum("nth,nth->h", g, u_prev - v)


def make_leaky(*, carry=True, backwards=True, one_minus=True, du0_alpha=True, prev=True,
               sign=1.0, mean=False, in_place=False):
    def leaky_backward(du, u, u0, v, alpha):
        N, T, H = du.shape
        g = du if in_place else du.copy()
        steps = range(T - 2, -1, -1) if backwards else range(1, T)
        for t in steps:
            if carry and backwards:
                g[:, t] += alpha * g[:, t + 1]
            elif carry:
                g[:, t] += alpha * g[:, t - 1]
        if prev == "wrap":  # u[:, t-1] for every t: at t = 0 that is the last state
            u_prev = np.stack([u[:, t - 1] for t in range(T)], axis=1)
        else:
            u_prev = np.concatenate([u0[:, None], u[:, :-1]], axis=1) if prev else u
        terms = sign * g * (u_prev - v)
        dalpha = terms.mean(axis=(0, 1)) if mean else terms.sum(axis=(0, 1))
        dv = (1 - alpha) * g if one_minus else g.copy()
        du0 = alpha * g[:, 0] if du0_alpha else g[:, 0].copy()
        return dv, du0, dalpha

    return leaky_backward


def leaky_autograd_float32(du, u, u0, v, alpha):
    """Right: torch autograd in torch's default dtype, float32, returned as a list."""
    vt = torch.tensor(v, dtype=torch.float32, requires_grad=True)
    u0t = torch.tensor(u0, dtype=torch.float32, requires_grad=True)
    at = torch.tensor(alpha, dtype=torch.float32, requires_grad=True)
    state, loss = u0t, 0.0
    for t in range(v.shape[1]):
        state = at * state + (1 - at) * vt[:, t]
        loss = loss + (state * torch.tensor(du[:, t], dtype=torch.float32)).sum()
    loss.backward()
    return [vt.grad.numpy(), u0t.grad.numpy(), at.grad.numpy()]


@pytest.mark.parametrize("fn", [leaky_autograd, leaky_closed_form, make_leaky(),
                                leaky_autograd_float32])
def test_leaky_right_implementations_pass(fn):
    result = checks.leaky_backward(fn)
    assert result, str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (make_leaky(carry=False), "gradient carried back from u_{t+1} is missing"),
        (make_leaky(backwards=False), "the loop runs forwards in time"),
        (make_leaky(one_minus=False), "dv lacks the factor (1 - α)"),
        (make_leaky(du0_alpha=False), "du0 lacks the factor α"),
        (make_leaky(prev=False), "dalpha uses the wrong previous state"),
        (make_leaky(prev="wrap"), ["wrong previous state", "u[:, t-1]` at t = 0"]),
        (make_leaky(sign=-1.0), "dalpha has the wrong sign"),
        (make_leaky(mean=True), "dalpha is averaged"),
        (make_leaky(in_place=True), "modified its argument du"),
    ],
)
def test_leaky_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.leaky_backward, fn, words)


# --- all three ---------------------------------------------------------------------------


CHECKERS = (checks.esn_states, checks.ridge_readout, checks.leaky_backward)


def stub(*args):
    raise NotImplementedError("Not implemented yet. Hint: see the equation.")


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_implemented(checker):
    result = checker(stub)
    assert not result
    assert result.status == "not implemented"
    assert "Not implemented yet" in str(result)


def test_reports_are_deterministic():
    for checker, fn in [(checks.esn_states, make_states(swap=True)),
                        (checks.ridge_readout, ridge_penalised_bias),
                        (checks.leaky_backward, make_leaky(carry=False))]:
        assert str(checker(fn)) == str(checker(fn))


@pytest.mark.parametrize("odd", [None, 42, lambda: None, lambda *a: None, lambda *a: 1 / 0,
                                 lambda *a: np.full((2, 2), np.nan)])
@pytest.mark.parametrize("checker", CHECKERS)
def test_checkers_never_raise(checker, odd):
    result = checker(odd)
    assert not result
    assert "Hint:" in str(result) or "Failed" in str(result)


def test_checkers_are_exported():
    for name in ("esn_states", "ridge_readout", "leaky_backward"):
        assert name in checks.__all__
        assert getattr(checks, name) is getattr(ch07, name)
