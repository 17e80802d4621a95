"""The checkers of the optimisation chapter reject wrong code and accept right code.

Every wrong implementation here is written out independently of the
checker's own list of mistakes, the way a reader might write it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from textbook_rnn import checks

# --- clip_by_norm -----------------------------------------------------------------------


def global_norm(grads):
    return np.sqrt(sum(np.sum(g**2) for g in grads.values()))


def clip_right(grads, max_norm):
    total = global_norm(grads)
    factor = max_norm / total if total > max_norm else 1.0
    return {k: g * factor for k, g in grads.items()}


def clip_right_flattened(grads, max_norm):
    """Same maths: concatenate everything, clip the long vector, cut it back up."""
    flat = np.concatenate([np.ravel(g) for g in grads.values()])
    norm = np.linalg.norm(flat)
    if norm > max_norm:
        flat = flat * (max_norm / norm)
    out, start = {}, 0
    for k, g in grads.items():
        out[k] = flat[start:start + g.size].reshape(g.shape)
        start += g.size
    return out


def clip_right_torch(grads, max_norm):
    """torch's own clip_grad_norm_ (which divides by the norm plus 1e-6)."""
    import torch

    tensors = []
    for g in grads.values():
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g)
        tensors.append(t)
    torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return {k: t.grad.numpy() for k, t in zip(grads, tensors, strict=True)}


def clip_per_array(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = np.linalg.norm(g)
        out[k] = g * (max_norm / n) if n > max_norm else g.copy()
    return out


def clip_entries(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def clip_when_small(grads, max_norm):
    total = global_norm(grads)
    factor = max_norm / total if total < max_norm and total > 0 else 1.0
    return {k: g * factor for k, g in grads.items()}


def clip_without_min(grads, max_norm):
    total = global_norm(grads)
    return {k: g * (max_norm / total) if total > 0 else g for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    total = global_norm(grads)
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return grads


def clip_squared_norm(grads, max_norm):
    total = sum(np.sum(g**2) for g in grads.values())
    factor = max_norm / total if total > max_norm else 1.0
    return {k: g * factor for k, g in grads.items()}


def clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads.values())
    factor = max_norm / total if total > max_norm else 1.0
    return {k: g * factor for k, g in grads.items()}


def clip_upside_down(grads, max_norm):
    total = global_norm(grads)
    factor = total / max_norm if total > max_norm else 1.0
    return {k: g * factor for k, g in grads.items()}


def clip_returns_norm_too(grads, max_norm):
    return clip_right(grads, max_norm), float(global_norm(grads))


def clip_nan_at_zero(grads, max_norm):
    total = global_norm(grads)
    return {k: g * (min(total, max_norm) / total) for k, g in grads.items()}


def clip_python_division(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))
    factor = min(1.0, max_norm / total)
    return {k: g * factor for k, g in grads.items()}


def clip_stub(grads, max_norm):
    raise NotImplementedError("Not implemented yet. Hint: one factor for every array.")


def clip_float32_loop(grads, max_norm):
    """Right, in float32, with an explicit loop over every entry for the norm."""
    total = np.float32(0.0)
    for g in grads.values():
        for v in np.asarray(g, dtype=np.float32).ravel():
            total += v * v
    total = np.sqrt(total)
    factor = np.float32(max_norm / total) if total > max_norm else np.float32(1.0)
    return {k: np.asarray(g, dtype=np.float32) * factor for k, g in grads.items()}


@pytest.mark.parametrize("fn", [clip_right, clip_right_flattened, clip_right_torch,
                                clip_float32_loop])
def test_clip_right_implementations_pass(fn):
    if fn is clip_right_torch:
        pytest.importorskip("torch")
    result = checks.clip_by_norm(fn)
    assert result, str(result)
    assert "All checks passed" in str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (clip_per_array, "each array is clipped by its own norm"),
        (clip_entries, "every entry is clipped to [-v, v] on its own"),
        (clip_when_small, "came back unchanged although their norm exceeds max_norm"),
        (clip_without_min, "rescaled although their norm is below max_norm"),
        (clip_in_place, "modified its argument grads in place"),
        (clip_squared_norm, "squared norm"),
        (clip_sum_of_norms, "norms of the arrays are added"),
        (clip_upside_down, "upside down"),
        (clip_returns_norm_too, "should be a dict"),
        (clip_nan_at_zero, "NaN"),
        (clip_python_division, "ZeroDivisionError"),
    ],
)
def test_clip_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.clip_by_norm, fn, words)


@pytest.mark.parametrize("fn", [clip_nan_at_zero, clip_python_division])
def test_clip_zero_norm_gets_its_own_hint(fn):
    text = " ".join(str(checks.clip_by_norm(fn)).split())
    assert "case 4 of 7" in text and "divides by zero" in text, text


def test_clip_stub_is_not_implemented():
    result = checks.clip_by_norm(clip_stub)
    assert not result
    assert result.status == "not implemented"
    assert "one factor for every array" in str(result)


# --- cliff_gradient ---------------------------------------------------------------------


def make_cliff(*, deriv=True, dw_prev=True, recurrent=True, carry_w=True, carry_deriv=True,
               sign=1.0, factor=1.0, steps=0, as_arrays=False, two_outputs=False):
    """A BPTT for the one-unit network, written by a reader, with one possible slip."""

    def cliff_gradient(w, b, h0, T, target):
        h = [h0]
        for _ in range(T + steps):
            h.append(np.tanh(w * h[-1] + b))
        n = len(h) - 1
        loss = 0.5 * (h[n] - target) ** 2
        delta = sign * factor * (h[n] - target)
        dw = db = 0.0
        for t in range(n, 0, -1):
            da = delta * (1 - h[t] ** 2) if deriv else delta
            dw += da * (h[t - 1] if dw_prev else h[t])
            db += da
            if not recurrent:
                break
            step = da if carry_deriv else delta
            delta = step * w if carry_w else step
        if two_outputs:
            return float(dw), float(db)
        if as_arrays:
            return np.array(loss), np.array(dw), np.array(db)
        return float(loss), float(dw), float(db)

    return cliff_gradient


def cliff_autograd(w, b, h0, T, target):
    """A correct answer by a different route: torch autograd."""
    import torch

    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(h0, dtype=torch.float64)
    for _ in range(T):
        h = torch.tanh(wt * h + bt)
    loss = 0.5 * (h - target) ** 2
    loss.backward()
    return loss.item(), wt.grad.item(), bt.grad.item()


def cliff_forward_mode(w, b, h0, T, target):
    """Another correct route: carry dh/dw and dh/db forward with the state."""
    h, hw, hb = h0, 0.0, 0.0
    for _ in range(T):
        h_new = np.tanh(w * h + b)
        s = 1 - h_new**2
        hw, hb = s * (h + w * hw), s * (1 + w * hb)
        h = h_new
    return 0.5 * (h - target) ** 2, (h - target) * hw, (h - target) * hb


def cliff_stub(w, b, h0, T, target):
    raise NotImplementedError("Not implemented yet. Hint: delta_T = h_T - y.")


def cliff_autograd_float32(w, b, h0, T, target):
    """Right, by torch autograd in torch's default dtype: float(...) holds float32 values."""
    import torch

    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    h = torch.tensor(h0)
    for _ in range(T):
        h = torch.tanh(wt * h + bt)
    loss = 0.5 * (h - target) ** 2
    loss.backward()
    assert wt.dtype == torch.float32
    return [float(loss), float(wt.grad), float(bt.grad)]


@pytest.mark.parametrize("fn", [make_cliff(), cliff_autograd, cliff_forward_mode,
                                cliff_autograd_float32])
def test_cliff_right_implementations_pass(fn):
    if fn is cliff_autograd:
        pytest.importorskip("torch")
    result = checks.cliff_gradient(fn)
    assert result, str(result)


@pytest.mark.parametrize(
    "fn, words",
    [
        (make_cliff(deriv=False), "the tanh derivative 1 - h_t² is missing"),
        (make_cliff(dw_prev=False), "∂L/∂w uses h_t where h_{t-1} belongs"),
        (make_cliff(recurrent=False), "only the last step contributes"),
        (make_cliff(carry_w=False), "the factor w is missing"),
        (make_cliff(carry_deriv=False), "derivative is missing when the gradient goes back"),
        (make_cliff(sign=-1.0), "the sign is flipped"),
        (make_cliff(factor=2.0), "twice too large"),
        (make_cliff(steps=-1), "runs T - 1 steps"),
        (make_cliff(as_arrays=True), "should be a float"),
        (make_cliff(two_outputs=True), "tuple of 3 items"),
    ],
)
def test_cliff_wrong_implementations_are_rejected(fn, words, assert_rejected):
    assert_rejected(checks.cliff_gradient, fn, words)


def test_cliff_stub_is_not_implemented():
    result = checks.cliff_gradient(cliff_stub)
    assert result.status == "not implemented"
    assert "delta_T = h_T - y" in str(result)


# --- both -------------------------------------------------------------------------------


def test_reports_are_deterministic():
    for checker, fn in [(checks.clip_by_norm, clip_per_array),
                        (checks.cliff_gradient, make_cliff(carry_w=False))]:
        assert str(checker(fn)) == str(checker(fn))


@pytest.mark.parametrize("odd", [None, 42, "grads", lambda: None, lambda *a: None,
                                 lambda *a: 1 / 0, lambda *a: {"dW": np.nan},
                                 lambda *a: (np.nan, np.inf, None), lambda *a: [1, 2, 3]])
def test_checkers_never_raise(odd):
    for checker in (checks.clip_by_norm, checks.cliff_gradient):
        result = checker(odd)
        assert not result
        assert result.status == "failed"
        assert str(result)
