"""What a checker expects back: specs that compare a result with the reference.

Part of the exercise harness (see :mod:`textbook_rnn.checks._core`). Each spec
has ``compare(got)``, which returns ``None`` when ``got`` is acceptable and
otherwise the first :class:`Problem` found, in the order a reader should fix
them: type, shape, dtype, non-finite entries, values. Specs compose, so a
checker can expect one array (:class:`Array`), a float (:class:`Scalar`),
several outputs (:class:`TupleOf`) or a dict of gradients (:class:`DictOf`).

Every message is deterministic: shapes, counts and numbers in a fixed format,
never an object's address. When an expected and a wrong number would print
alike, they are printed with as many digits as it takes to tell them apart.

Results computed in float32 (numpy arrays of dtype float32, numpy float32
scalars, or torch's default dtype converted to numpy) are judged with a
tolerance that fits float32's precision, :data:`LOW_PRECISION_RTOL`, plus
whatever the case's own sensitivity to rounding requires (``slack32``); a
float32 result that still misses gets a line saying so. Lists, tuples and
other array-likes (a CPU torch tensor) are accepted where an array is
expected, as long as they convert to numbers of the right shape.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
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
    "fmt_pair",
]

#: Relative tolerance for a float32 result: about 1000 float32 roundings
#: (float32 keeps 7 significant digits, so this asks for 4).
LOW_PRECISION_RTOL = 1000 * float(np.finfo(np.float32).eps)

# A float32 result that misses by less than this many times its tolerance gets a
# note about precision; one that misses by more is plainly wrong.
NOTE_FACTOR = 100.0


@dataclass(frozen=True)
class Problem:
    """What went wrong in one case.

    Attributes
    ----------
    kind : str
        One of ``not_callable``, ``signature``, ``exception``, ``timeout``,
        ``mutation``, ``type``, ``shape``, ``dtype``, ``nonfinite``, ``value``;
        it selects the hint.
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


def fmt_pair(expected, got) -> tuple[str, str]:
    """Format two numbers with enough digits that different values print differently.

    Six significant digits, or more (9, 12, then 17) when the two would print
    alike.

    Parameters
    ----------
    expected, got : float
        The numbers to show side by side.

    Returns
    -------
    tuple of str
        The two formatted numbers.
    """
    a, b = float(expected), float(got)
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        return fmt_number(a), fmt_number(b)
    for digits in (6, 9, 12, 17):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            break
    return left, right


def _low_precision(dtype) -> bool:
    """Whether a floating dtype is narrower than float64 (float32, float16)."""
    return dtype.kind == "f" and dtype.itemsize < 8


def _float32_note(tol: float) -> str:
    return ("your result is float32; float32 rounding explains errors up to about "
            f"{fmt_error(tol)} here, and this one is larger. Compute in float64 (numpy's "
            "default; `torch.float64` in torch) to see whether the rest is rounding or a "
            "mistake.")


#: Shown when a float64 result misses only by float32-sized errors.
PROMOTED_NOTE = (
    "every difference is the size of float32 rounding. If you computed in float32 and "
    "a float64 array (a bias, `np.sqrt(...)`) turned the result back into float64, "
    "either return the float32 result (float32 results are checked to float32's "
    "precision) or compute in float64 throughout.")


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


def _as_array(got):
    """``got`` as an ndarray, or a sentence saying why it cannot be one."""
    if isinstance(got, np.ndarray):
        return got, None
    if got is None or isinstance(got, (str, bytes, dict, bool, np.bool_)):
        return None, None
    if isinstance(got, (numbers.Number, np.generic)):
        return None, None  # a single number where an array belongs
    if not (isinstance(got, (list, tuple)) or hasattr(got, "__array__")):
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(got)
    except Exception as exc:  # ragged lists, a torch tensor that requires grad, ...
        message = " ".join(str(exc).split())[:160]
        return None, f"it could not be turned into an array: {type(exc).__name__}: {message}"
    if array.dtype.kind not in "biufc":
        return None, None
    return array, None


class Array(Expected):
    """An array equal to ``value`` within ``atol + rtol * |value|`` entrywise.

    A float32 result is compared with a tolerance fitting float32 (see the
    module's docstring). A list, a tuple or another array-like is accepted
    when it converts to numbers of the right shape.

    Parameters
    ----------
    value : array_like
        The reference result.
    name : str
        How the report calls this output, e.g. ``"h_t"``.
    dims : str, optional
        The shape in letters, e.g. ``"(N, H)"``, shown next to the sizes.
    rtol, atol : float
        Relative and absolute tolerance for a float64 result.
    kinds : str
        Accepted dtype kinds (``"f"``: floating point).
    slack32 : float
        Extra absolute tolerance for a float32 result: how far rounding the
        case's inputs to float32 moves the exact answer (an ill-conditioned
        case needs more room than float32's precision alone).
    """

    def __init__(self, value, name: str = "result", dims: str | None = None, *,
                 rtol: float = 1e-6, atol: float = 1e-9, kinds: str = "f",
                 slack32: float = 0.0) -> None:
        self.value = np.array(value, copy=True)
        self.name = name
        self.dims = dims
        self.rtol = rtol
        self.atol = atol
        self.kinds = kinds
        self.slack32 = float(slack32)

    def _shape_text(self) -> str:
        shape = tuple(self.value.shape)
        return f"{self.dims} = {shape}" if self.dims else f"{shape}"

    def tolerance32(self) -> tuple[float, float]:
        """The (rtol, atol) used for a float32 result."""
        exp = np.asarray(self.value, dtype=np.float64)
        finite = exp[np.isfinite(exp)]
        scale = float(np.abs(finite).max()) if finite.size else 0.0
        rtol = max(self.rtol, LOW_PRECISION_RTOL)
        return rtol, max(self.atol, rtol * scale) + 10.0 * self.slack32

    def compare(self, got) -> Problem | None:
        """Check type, shape, dtype, finiteness and values, in that order."""
        name = self.name
        array, why = _as_array(got)
        if array is None:
            return Problem(
                "type",
                f"{name} should be a numpy array of shape {self._shape_text()}, "
                f"got {describe_value(got)}",
                (why,) if why else (),
            )
        if array.shape != self.value.shape:
            return Problem(
                "shape",
                f"{name} has the wrong shape: expected {self._shape_text()}, "
                f"got {tuple(array.shape)}",
            )
        if array.dtype.kind not in self.kinds:
            wanted = "floating-point numbers" if "f" in self.kinds else "integers"
            return Problem("dtype", f"{name} has dtype {array.dtype}; expected {wanted}")
        low = _low_precision(array.dtype)
        got = np.asarray(array, dtype=np.float64)
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
        rtol, atol = self.tolerance32() if low else (self.rtol, self.atol)
        with np.errstate(all="ignore"):
            both = exp_finite & np.isfinite(got)
            err = np.where(both, np.abs(got - exp), 0.0)
            tol = atol + rtol * np.abs(np.where(exp_finite, exp, 0.0))
            # where the reference is not finite, demand the very same value
            same_nonfinite = (got == exp) | (np.isnan(got) & np.isnan(exp))
            wrong = np.where(exp_finite, err > tol, ~same_nonfinite)
        if not wrong.any():
            return None
        where = tuple(np.unravel_index(int(np.argmax(np.where(wrong, err, -1.0))), got.shape))
        if not exp_finite[where]:
            where = tuple(np.argwhere(wrong)[0])
        label = f"{name}{_index(where)}"
        shown_exp, shown_got = fmt_pair(exp[where], got[where])
        details = (f"expected {label} = {shown_exp}", f"got      {label} = {shown_got}")
        if low and err[where] <= NOTE_FACTOR * tol[where]:
            details += (_float32_note(float(tol[where])),)
        elif not low:
            rtol32, atol32 = self.tolerance32()
            tol32 = atol32 + rtol32 * np.abs(np.where(exp_finite, exp, 0.0))
            if np.all(~wrong | (exp_finite & (err <= tol32))):
                details += (PROMOTED_NOTE,)
        return Problem(
            "value",
            f"{name} has wrong values: {int(wrong.sum())} of {got.size} entries differ, "
            f"largest error {fmt_error(err[where])} at {label or name}",
            details,
        )


def _float32_like(got, value: float) -> bool:
    """Whether a number looks computed in float32: its type, or a float32 value."""
    if isinstance(got, np.floating):
        return _low_precision(got.dtype)
    # float(torch_tensor) is a Python float holding a float32 value; a float64
    # computation lands on such a value with a chance of about 2**-29
    if not math.isfinite(value) or abs(value) > float(np.finfo(np.float32).max):
        return False
    return float(np.float32(value)) == value


class Scalar(Expected):
    """A real number (a Python float or a numpy scalar) close to ``value``.

    A number computed in float32 (a ``np.float32``, or a Python float holding
    a float32 value, as ``float(tensor)`` gives) is compared with a tolerance
    fitting float32.

    Parameters
    ----------
    value : float
        The reference result.
    name : str
        How the report calls this output, e.g. ``"the loss"``.
    rtol, atol : float
        Relative and absolute tolerance for a float64 result.
    slack32 : float
        Extra absolute tolerance for a float32 result (see :class:`Array`).
    """

    def __init__(self, value, name: str = "result", *, rtol: float = 1e-6,
                 atol: float = 1e-9, slack32: float = 0.0) -> None:
        self.value = float(value)
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.slack32 = float(slack32)

    def tolerance32(self) -> float:
        """The absolute tolerance used for a float32 result."""
        rtol = max(self.rtol, LOW_PRECISION_RTOL)
        return max(self.atol, rtol * abs(self.value)) + 10.0 * self.slack32

    def compare(self, got) -> Problem | None:
        """Check the type, finiteness and value of ``got``."""
        name = self.name
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
            extra = ()
            if getattr(got, "size", None) == 1 or (hasattr(got, "item") and
                                                    not isinstance(got, np.ndarray)):
                extra = ("turn a one-element array or tensor into a number with float(...)",)
            return Problem("type", f"{name} should be a float, got {describe_value(got)}", extra)
        low = _float32_like(got, float(got))
        got = float(got)
        exp = self.value
        if not math.isfinite(got) and math.isfinite(exp):
            return Problem("nonfinite", f"{name} is {fmt_number(got)}; expected {fmt_number(exp)}")
        details: tuple[str, ...] = ()
        if math.isfinite(exp):
            err = abs(got - exp)
            if err <= self.atol + self.rtol * abs(exp):
                return None
            if low:
                tol = self.tolerance32()
                if err <= tol:
                    return None
                if err <= NOTE_FACTOR * tol:
                    details = (_float32_note(tol),)
        elif got == exp or (math.isnan(got) and math.isnan(exp)):
            return None
        else:
            err = math.inf
        shown_exp, shown_got = fmt_pair(exp, got)
        return Problem(
            "value",
            f"{name} is wrong: expected {shown_exp}, got {shown_got} (error {fmt_error(err)})",
            details,
        )


class TupleOf(Expected):
    """A tuple (or a list) whose items are checked by the given specs, in order.

    Parameters
    ----------
    *items : Expected
        One spec per item; each spec's ``name`` labels the item in the report.
    """

    def __init__(self, *items: Expected) -> None:
        self.items = items
        self.name = "(" + ", ".join(item.name for item in items) + ")"

    def compare(self, got) -> Problem | None:
        """Check that ``got`` is a tuple or list of the right length, then each item."""
        n = len(self.items)
        if not isinstance(got, (tuple, list)):
            return Problem("type", f"expected a tuple of {n} items {self.name}, "
                                   f"got {describe_value(got)}")
        if len(got) != n:
            return Problem("type", f"expected a tuple of {n} items {self.name}, "
                                   f"got a {type(got).__name__} of {len(got)}")
        for item, value in zip(self.items, got, strict=True):
            problem = item.compare(value)
            if problem is not None:
                return self._reordered(got) or problem
        return None

    def _reordered(self, got) -> Problem | None:
        """A problem naming the order, when the right items came back in another order."""
        if len(self.items) > 6:
            return None
        for order in itertools.permutations(range(len(self.items))):
            if order == tuple(range(len(self.items))):
                continue
            if all(self.items[k].compare(value) is None
                   for k, value in zip(order, got, strict=True)):
                given = ", ".join(self.items[k].name for k in order)
                return Problem("value", f"the results are right but in the wrong order: "
                                        f"expected {self.name}, got ({given})")
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
