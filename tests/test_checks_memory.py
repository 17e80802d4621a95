"""Tests of textbook_rnn.checks.memory: the checkers of the chapter "Explicit memory".

They reject wrong code and accept right code. Every wrong implementation is
written out independently of the checker's own list of mistakes, the way a
reader might write it; the right ones are written in different styles
(vectorised, loops, torch).
"""

from __future__ import annotations

import numpy as np
import pytest

from textbook_rnn import checks

# --- content_weights -------------------------------------------------------------


def content_right(M, k, beta):
    dot = np.einsum("nrc,nc->nr", M, k)
    den = np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1, keepdims=True) + 1e-8
    z = beta[:, None] * dot / den
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def content_right_loops(M, k, beta):
    """Sequence by sequence, row by row; a zero norm handled with max(., eps)."""
    N, R, _ = M.shape
    out = np.zeros((N, R))
    for n in range(N):
        sims = [M[n, i] @ k[n] / max(np.linalg.norm(M[n, i]) * np.linalg.norm(k[n]), 1e-12)
                for i in range(R)]
        z = beta[n] * np.array(sims)
        e = np.exp(z - z.max())
        out[n] = e / e.sum()
    return out


def content_right_torch(M, k, beta):
    torch = pytest.importorskip("torch")
    from textbook_rnn.torch_nn import ntm

    return ntm.content_weights(*(torch.tensor(v) for v in (M, k, beta))).numpy()


def content_batch_axis(M, k, beta):
    z = beta[:, None] * np.einsum("nrc,nc->nr", M, k) / (
        np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1, keepdims=True) + 1e-8)
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def content_dot_only(M, k, beta):
    z = beta[:, None] * np.einsum("nrc,nc->nr", M, k)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def content_no_beta(M, k, beta):
    return content_right(M, k, np.ones_like(beta))


def content_unstable(M, k, beta):
    z = beta[:, None] * np.einsum("nrc,nc->nr", M, k) / (
        np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1, keepdims=True) + 1e-8)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def content_no_eps(M, k, beta):
    with np.errstate(all="ignore"):
        z = beta[:, None] * np.einsum("nrc,nc->nr", M, k) / (
            np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1, keepdims=True))
        e = np.exp(z - np.nanmax(z, axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def content_sum_normalised(M, k, beta):
    z = beta[:, None] * np.einsum("nrc,nc->nr", M, k) / (
        np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1, keepdims=True) + 1e-8)
    return z / z.sum(axis=1, keepdims=True)


def content_normalised_over_columns(M, k, beta):
    """Norms taken over the wrong axis of M (over rows instead of across a row)."""
    dot = np.einsum("nrc,nc->nr", M, k)
    den = np.linalg.norm(M, axis=1).sum(axis=1, keepdims=True) * np.linalg.norm(
        k, axis=1, keepdims=True) + 1e-8
    z = beta[:, None] * dot / den
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("fn", [content_right, content_right_loops, content_right_torch])
def test_content_weights_accepts_right_answers(fn):
    result = checks.content_weights(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words, kind", [
    (content_batch_axis, "batch axis", "value"),
    (content_dot_only, "without dividing by the norms", "value"),
    (content_no_beta, "beta is missing", "value"),
    (content_unstable, "overflows for a large beta", "nonfinite"),
    (content_no_eps, "zero row or key", "nonfinite"),
    (content_sum_normalised, "NaN", "nonfinite"),
    (content_normalised_over_columns, "memory-content", "value"),
])
def test_content_weights_rejects_wrong_answers(assert_rejected, fn, words, kind):
    assert_rejected(checks.content_weights, fn, words, kind=kind)


# --- shift_sharpen -----------------------------------------------------------------


def shift_right(w_g, s, gamma):
    S = (s.shape[1] - 1) // 2
    w = sum(s[:, [j]] * np.roll(w_g, j - S, axis=1) for j in range(s.shape[1]))
    p = w ** gamma[:, None]
    return p / p.sum(axis=1, keepdims=True)


def shift_right_loops(w_g, s, gamma):
    """Index arithmetic modulo R, one entry at a time."""
    N, R = w_g.shape
    S = (s.shape[1] - 1) // 2
    out = np.zeros((N, R))
    for n in range(N):
        shifted = np.array([sum(s[n, j + S] * w_g[n, (i - j) % R] for j in range(-S, S + 1))
                            for i in range(R)])
        sharp = np.power(shifted, gamma[n])
        out[n] = sharp / sharp.sum()
    return out


def shift_right_torch(w_g, s, gamma):
    torch = pytest.importorskip("torch")
    from textbook_rnn.torch_nn import ntm

    t = [torch.tensor(v) for v in (w_g, s, gamma)]
    return ntm.sharpen(ntm.shift(t[0], t[1]), t[2]).numpy()


def shift_wrong_direction(w_g, s, gamma):
    S = (s.shape[1] - 1) // 2
    w = sum(s[:, [j]] * np.roll(w_g, S - j, axis=1) for j in range(s.shape[1]))
    p = w ** gamma[:, None]
    return p / p.sum(axis=1, keepdims=True)


def shift_zero_padded(w_g, s, gamma):
    N, R = w_g.shape
    S = (s.shape[1] - 1) // 2
    padded = np.pad(w_g, ((0, 0), (S, S)))
    w = np.zeros_like(w_g)
    for j in range(-S, S + 1):
        w += s[:, [j + S]] * padded[:, S - j:S - j + R]
    p = w ** gamma[:, None]
    return p / p.sum(axis=1, keepdims=True)


def shift_not_renormalised(w_g, s, gamma):
    S = (s.shape[1] - 1) // 2
    w = sum(s[:, [j]] * np.roll(w_g, j - S, axis=1) for j in range(s.shape[1]))
    return w ** gamma[:, None]


def shift_no_sharpening(w_g, s, gamma):
    S = (s.shape[1] - 1) // 2
    return sum(s[:, [j]] * np.roll(w_g, j - S, axis=1) for j in range(s.shape[1]))


def shift_sharpen_first(w_g, s, gamma):
    p = w_g ** gamma[:, None]
    p = p / p.sum(axis=1, keepdims=True)
    S = (s.shape[1] - 1) // 2
    return sum(s[:, [j]] * np.roll(p, j - S, axis=1) for j in range(s.shape[1]))


def shift_times_gamma(w_g, s, gamma):
    """Multiplies by gamma instead of raising to its power: renormalised, no sharpening."""
    S = (s.shape[1] - 1) // 2
    w = sum(s[:, [j]] * np.roll(w_g, j - S, axis=1) for j in range(s.shape[1]))
    p = w * gamma[:, None]
    return p / p.sum(axis=1, keepdims=True)


def shift_s_reversed(w_g, s, gamma):
    """Reads s as shifts +S..-S: the same as shifting the wrong way."""
    return shift_right(w_g, s[:, ::-1], gamma)


@pytest.mark.parametrize("fn", [shift_right, shift_right_loops, shift_right_torch])
def test_shift_sharpen_accepts_right_answers(fn):
    result = checks.shift_sharpen(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (shift_wrong_direction, "wrong way"),
    (shift_s_reversed, "wrong way"),
    (shift_zero_padded, "not circular"),
    (shift_not_renormalised, "not renormalised"),
    (shift_no_sharpening, "Sharpening is missing"),
    (shift_sharpen_first, "sharpened before they are shifted"),
    (shift_times_gamma, "Sharpening is missing"),
])
def test_shift_sharpen_rejects_wrong_answers(assert_rejected, fn, words):
    assert_rejected(checks.shift_sharpen, fn, words, kind="value")


# --- memory_write ------------------------------------------------------------------


def write_right(M, w, e, a):
    return M * (1 - w[:, :, None] * e[:, None, :]) + w[:, :, None] * a[:, None, :]


def write_right_einsum(M, w, e, a):
    """Erase and add as outer products, in two statements, returned as nested lists."""
    erased = M - M * np.einsum("nr,nc->nrc", w, e)
    return (erased + np.einsum("nr,nc->nrc", w, a)).tolist()


def write_right_torch(M, w, e, a):
    torch = pytest.importorskip("torch")
    from textbook_rnn.torch_nn import ntm

    return ntm.write(*(torch.tensor(v, dtype=torch.float32) for v in (M, w, e, a))).numpy()


def write_add_first(M, w, e, a):
    added = M + w[:, :, None] * a[:, None, :]
    return added * (1 - w[:, :, None] * e[:, None, :])


def write_erase_unweighted(M, w, e, a):
    return M * (1 - e[:, None, :]) + w[:, :, None] * a[:, None, :]


def write_add_unweighted(M, w, e, a):
    return M * (1 - w[:, :, None] * e[:, None, :]) + a[:, None, :]


def write_no_erase(M, w, e, a):
    return M + w[:, :, None] * a[:, None, :]


def write_keeps_erased(M, w, e, a):
    return M * (w[:, :, None] * e[:, None, :]) + w[:, :, None] * a[:, None, :]


def write_subtracts(M, w, e, a):
    return M - w[:, :, None] * e[:, None, :] + w[:, :, None] * a[:, None, :]


def write_in_place(M, w, e, a):
    M *= 1 - w[:, :, None] * e[:, None, :]
    M += w[:, :, None] * a[:, None, :]
    return M


@pytest.mark.parametrize("fn", [write_right, write_right_einsum, write_right_torch])
def test_memory_write_accepts_right_answers(fn):
    result = checks.memory_write(fn)
    assert result, str(result)


@pytest.mark.parametrize("fn, words", [
    (write_add_first, "add comes before the erase"),
    (write_erase_unweighted, "erase ignores the weights"),
    (write_add_unweighted, "add ignores the weights"),
    (write_no_erase, "erase is missing"),
    (write_keeps_erased, "instead of by 1 - w_i e"),
    (write_subtracts, "subtracts w_i e"),
])
def test_memory_write_rejects_wrong_answers(assert_rejected, fn, words):
    assert_rejected(checks.memory_write, fn, words, kind="value")


def test_memory_write_reports_writing_into_M(assert_rejected):
    assert_rejected(checks.memory_write, write_in_place, "modified its argument M",
                    kind="mutation")


@pytest.mark.parametrize("checker", [checks.content_weights, checks.shift_sharpen,
                                     checks.memory_write])
def test_stubs_are_not_implemented_and_nothing_raises(checker):
    def stub(*args):
        raise NotImplementedError("Not implemented yet.")

    result = checker(stub)
    assert not result
    assert result.status == "not implemented"
    assert not checker(None)


def content_global_max(M, k, beta):
    """Shifts by the largest score of the whole batch, not of each row."""
    dot = np.einsum("nrc,nc->nr", M, k)
    norms = np.linalg.norm(M, axis=2) * np.linalg.norm(k, axis=1)[:, None] + 1e-8
    z = beta[:, None] * dot / norms
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def test_content_weights_rejects_a_batch_wide_shift(assert_rejected):
    result = assert_rejected(checks.content_weights, content_global_max, "its own shift",
                             kind="nonfinite")
    assert "key strengths 2000 and 1" in str(result)
