"""What a checker expects back: specs that compare a result with the reference.

Part of the exercise harness (see :mod:`textbook_rnn.checks._core`). Each spec
has ``compare(got)``, which returns ``None`` when ``got`` is acceptable and
otherwise the first :class:`Problem` found, in the order a reader should fix
them: type, shape, dtype, non-finite entries, values. Specs compose, so a
checker can expect one array (:class:`Array`), a float (:class:`Scalar`),
several outputs (:class:`TupleOf`) or a dict of gradients (:class:`DictOf`).

Every message is deterministic: shapes, counts and numbers in a fixed format,
never an object's address.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Mapping

import numpy as np

__all__ = [
    "Anything",
    "Array",
    "DictOf",
    "Expected",
    "Problem",
    "Scalar",
    "TupleOf",
    "describe_value",
    "fmt_error",
    "fmt_number",
]


@dataclass(frozen=True)
class Problem:
    """What went wrong in one case.

    Attributes
    ----------
    kind : str
        One of ``not_callable``, ``signature``, ``exception``, ``mutation``,
        ``type``, ``shape``, ``dtype``, ``nonfinite``, ``value``; it selects
        the hint.
    summary : str
        One line saying what went wrong.
    details : tuple of str
        Further lines: expected against got, the diagnosis of a common
        mistake, warnings numpy emitted.
    """

    kind: str
    summary: str
    details: tuple[str, ...] = ()

    def with_details(self, *lines: str) -> Problem:
        """Return a copy with ``lines`` appended to the details."""
        return Problem(self.kind, self.summary, self.details + tuple(lines))


def fmt_number(x) -> str:
    """Format a number the same way on every run and every platform."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def fmt_error(x) -> str:
    """Format an error size, e.g. ``3.21e-02``."""
    return f"{float(x):.2e}"


def _index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if idx else ""


def describe_value(value) -> str:
    """Describe a value by its type and shape, without its address or contents.

    Parameters
    ----------
    value : object
        Anything a reader's function may return.

    Returns
    -------
    str
        e.g. ``"a numpy array of shape (2, 3) and dtype float64"``, ``"a list of
        length 4"``, ``"None"``.
    """
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})"
    if isinstance(value, (list, tuple, dict)):
        try:
            n = len(value)
        except Exception:
            n = "?"
        return f"a {type(value).__name__} of length {n}"
    if isinstance(value, numbers.Number):
        return f"a number of type {type(value).__name__}"
    if callable(value):
        return f"a {type(value).__name__} (something callable)"
    kind = type(value)
    module = kind.__module__
    qual = kind.__qualname__
    if module not in ("builtins", "__main__"):
        qual = f"{module}.{qual}"
    return f"an object of type {qual}"


class Expected:
    """Base class of the expected-output specs; ``compare`` returns a Problem or None."""

    name = "result"

    def compare(self, got) -> Problem | None:  # pragma: no cover - abstract
        """Return ``None`` when ``got`` is acceptable, else the first :class:`Problem`."""
        raise NotImplementedError

    def matches(self, got) -> bool:
        """Whether ``got`` is acceptable (used to recognise common mistakes)."""
        try:
            return self.compare(got) is None
        except Exception:
            return False


class Anything(Expected):
    """Accept any value (an output that is not checked, e.g. a cache)."""

    def __init__(self, name: str = "result") -> None:
        self.name = name

    def compare(self, got) -> Problem | None:
        """Accept ``got`` whatever it is."""
        return None


class Array(Expected):
    """An ndarray equal to ``value`` within ``atol + rtol * |value|`` entrywise.

    Parameters
    ----------
    value : array_like
        The reference result.
    name : str
        How the report calls this output, e.g. ``"h_t"``.
    dims : str, optional
        The shape in letters, e.g. ``"(N, H)"``, shown next to the sizes.
    rtol, atol : float
        Relative and absolute tolerance.
    kinds : str
        Accepted dtype kinds (``"f"``: floating point).
    """

    def __init__(self, value, name: str = "result", dims: str | None = None, *,
                 rtol: float = 1e-6, atol: float = 1e-9, kinds: str = "f") -> None:
        self.value = np.array(value, copy=True)
        self.name = name
        self.dims = dims
        self.rtol = rtol
        self.atol = atol
        self.kinds = kinds

    def _shape_text(self) -> str:
        shape = tuple(self.value.shape)
        return f"{self.dims} = {shape}" if self.dims else f"{shape}"

    def compare(self, got) -> Problem | None:
        """Check type, shape, dtype, finiteness and values, in that order."""
        name = self.name
        if not isinstance(got, np.ndarray):
            return Problem(
                "type",
                f"{name} should be a numpy array of shape {self._shape_text()}, "
                f"got {describe_value(got)}",
            )
        if got.shape != self.value.shape:
            return Problem(
                "shape",
                f"{name} has the wrong shape: expected {self._shape_text()}, "
                f"got {tuple(got.shape)}",
            )
        if got.dtype.kind not in self.kinds:
            return Problem("dtype",
                           f"{name} has dtype {got.dtype}; expected floating-point numbers")
        got = np.asarray(got, dtype=np.float64)
        exp = np.asarray(self.value, dtype=np.float64)
        exp_finite = np.isfinite(exp)
        bad = ~np.isfinite(got) & exp_finite
        if bad.any():
            n_nan = int(np.isnan(got[bad]).sum())
            n_inf = int(bad.sum()) - n_nan
            parts = [f"{n} {what}" for n, what in ((n_nan, "NaN"), (n_inf, "infinite")) if n]
            first = tuple(np.argwhere(bad)[0])
            return Problem(
                "nonfinite",
                f"{name} contains {' and '.join(parts)} entries (of {got.size}), "
                f"e.g. {name}{_index(first)} = {fmt_number(got[first])}",
                (f"expected {name}{_index(first)} = {fmt_number(exp[first])}",),
            )
        with np.errstate(all="ignore"):
            both = exp_finite & np.isfinite(got)
            err = np.where(both, np.abs(got - exp), 0.0)
            tol = self.atol + self.rtol * np.abs(np.where(exp_finite, exp, 0.0))
            # where the reference is not finite, demand the very same value
            same_nonfinite = (got == exp) | (np.isnan(got) & np.isnan(exp))
            wrong = np.where(exp_finite, err > tol, ~same_nonfinite)
        if not wrong.any():
            return None
        where = tuple(np.unravel_index(int(np.argmax(np.where(wrong, err, -1.0))), got.shape))
        if not exp_finite[where]:
            where = tuple(np.argwhere(wrong)[0])
        label = f"{name}{_index(where)}"
        return Problem(
            "value",
            f"{name} has wrong values: {int(wrong.sum())} of {got.size} entries differ, "
            f"largest error {fmt_error(err[where])} at {label or name}",
            (
                f"expected {label} = {fmt_number(exp[where])}",
                f"got      {label} = {fmt_number(got[where])}",
            ),
        )


class Scalar(Expected):
    """A real number (a Python float or a numpy scalar) close to ``value``.

    Parameters
    ----------
    value : float
        The reference result.
    name : str
        How the report calls this output, e.g. ``"the loss"``.
    rtol, atol : float
        Relative and absolute tolerance.
    """

    def __init__(self, value, name: str = "result", *, rtol: float = 1e-6,
                 atol: float = 1e-9) -> None:
        self.value = float(value)
        self.name = name
        self.rtol = rtol
        self.atol = atol

    def compare(self, got) -> Problem | None:
        """Check the type, finiteness and value of ``got``."""
        name = self.name
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
            extra = ()
            if isinstance(got, np.ndarray) and got.size == 1:
                extra = ("turn a one-element array into a number with float(...)",)
            return Problem("type", f"{name} should be a float, got {describe_value(got)}", extra)
        got = float(got)
        exp = self.value
        if not math.isfinite(got) and math.isfinite(exp):
            return Problem("nonfinite", f"{name} is {fmt_number(got)}; expected {fmt_number(exp)}")
        if math.isfinite(exp):
            err = abs(got - exp)
            if err <= self.atol + self.rtol * abs(exp):
                return None
        elif got == exp or (math.isnan(got) and math.isnan(exp)):
            return None
        else:
            err = math.inf
        return Problem(
            "value",
            f"{name} is wrong: expected {fmt_number(exp)}, got {fmt_number(got)} "
            f"(error {fmt_error(err)})",
        )


class TupleOf(Expected):
    """A tuple whose items are checked by the given specs, in order.

    Parameters
    ----------
    *items : Expected
        One spec per item; each spec's ``name`` labels the item in the report.
    """

    def __init__(self, *items: Expected) -> None:
        self.items = items
        self.name = "(" + ", ".join(item.name for item in items) + ")"

    def compare(self, got) -> Problem | None:
        """Check that ``got`` is a tuple of the right length, then each item."""
        n = len(self.items)
        if not isinstance(got, tuple):
            return Problem("type", f"expected a tuple of {n} items {self.name}, "
                                   f"got {describe_value(got)}")
        if len(got) != n:
            return Problem("type", f"expected a tuple of {n} items {self.name}, "
                                   f"got a tuple of {len(got)}")
        for item, value in zip(self.items, got, strict=True):
            problem = item.compare(value)
            if problem is not None:
                return problem
        return None


class DictOf(Expected):
    """A dict with exactly the given keys, each value checked by its spec.

    Parameters
    ----------
    items : mapping of str to Expected
        e.g. ``{"dW": Array(dW, "dW"), "db": Array(db, "db")}``.
    name : str
        How the report calls the whole dict.
    """

    def __init__(self, items: Mapping[str, Expected], name: str = "result") -> None:
        self.items = dict(items)
        self.name = name

    def compare(self, got) -> Problem | None:
        """Check the keys of ``got`` (none missing, none extra), then each value."""
        keys = ", ".join(self.items)
        if not isinstance(got, Mapping):
            return Problem("type", f"{self.name} should be a dict with keys {keys}, "
                                   f"got {describe_value(got)}")
        missing = [k for k in self.items if k not in got]
        extra = sorted(repr(k) for k in got if k not in self.items)
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if extra:
                parts.append("unexpected " + ", ".join(extra))
            return Problem("type", f"{self.name} should have keys {keys}: {'; '.join(parts)}")
        for key, spec in self.items.items():
            problem = spec.compare(got[key])
            if problem is not None:
                return problem
        return None
