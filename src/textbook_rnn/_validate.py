"""Argument checking shared by the public functions of the package.

Every public function checks its inputs at the boundary and raises an error
that names the argument, the shape it expected and the shape it was given, so
that a reader who passes ``W`` transposed learns that at once instead of
meeting a broadcasting error three calls deeper.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "Shapes",
    "as_rng",
    "check_params",
    "check_positive_float",
    "check_positive_int",
    "check_real",
    "float_dtype",
    "real_array",
    "real_values",
]


def _describe(spec: tuple[str, ...], dims: dict[str, int]) -> str:
    """Render a shape spec such as ``("N", "H")`` as ``(N, H)`` or ``(N, H) = (4, 3)``."""
    letters = "(" + ", ".join(spec) + ("," if len(spec) == 1 else "") + ")"
    if spec and all(d in dims for d in spec):
        sizes = tuple(dims[d] for d in spec)
        return f"{letters} = {sizes}"
    return letters


class Shapes:
    """Collect named dimensions while checking a group of arrays.

    The first array that mentions a dimension letter fixes its size; every
    later array must agree. ``Shapes().array("W", W, ("H", "H"))`` checks that
    ``W`` is a square, real, two-dimensional array.
    """

    def __init__(self, **known: int) -> None:
        self.dims: dict[str, int] = dict(known)

    def array(
        self,
        name: str,
        value,
        spec: tuple[str, ...],
        *,
        integer: bool = False,
    ) -> np.ndarray:
        """Return ``value`` as an ndarray after checking its type and shape.

        Parameters
        ----------
        name : str
            The argument's name, used in error messages.
        value : array_like
            What the caller passed.
        spec : tuple of str
            One letter per axis, e.g. ``("N", "T", "D")``.
        integer : bool
            Require integer entries (class labels) instead of real numbers.

        Returns
        -------
        numpy.ndarray
            The checked array (not copied when already an ndarray).
        """
        if value is None:
            expected = _describe(spec, self.dims)
            raise TypeError(f"{name} must be an array of shape {expected}, got None")
        try:
            arr = np.asarray(value)
        except Exception as exc:  # ragged lists and other oddities
            raise TypeError(f"{name} could not be converted to an array: {exc}") from None
        kind = arr.dtype.kind
        if integer:
            if kind not in "iu":
                raise TypeError(f"{name} must hold integers (class indices), got dtype {arr.dtype}")
        elif kind not in "fiub":
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
        if arr.ndim != len(spec):
            raise ValueError(
                f"{name} must have {len(spec)} dimension(s) with shape "
                f"{_describe(spec, self.dims)}, got shape {arr.shape}"
            )
        for axis, (letter, size) in enumerate(zip(spec, arr.shape, strict=True)):
            if size == 0:
                raise ValueError(
                    f"{name} has an empty axis {axis} ({letter}); expected shape "
                    f"{_describe(spec, self.dims)}, got shape {arr.shape}"
                )
            expected = self.dims.get(letter)
            if expected is None:
                self.dims[letter] = size
            elif expected != size:
                raise ValueError(
                    f"{name} must have shape {_describe(spec, self.dims)}, got shape "
                    f"{arr.shape} (axis {axis} is {letter}={expected} elsewhere)"
                )
        return arr


def float_dtype(*arrays: np.ndarray) -> np.dtype:
    """Floating dtype to compute in: float32 only when every float input is float32."""
    dt = np.result_type(*[a.dtype for a in arrays])
    if dt.kind != "f":
        return np.dtype(np.float64)
    return dt


def check_positive_int(name: str, value) -> int:
    """Return ``value`` as an int, raising when it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    """Return ``value`` as a float, raising when it is not a positive finite number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def as_rng(seed, *, sequences: bool = False) -> np.random.Generator:
    """A numpy Generator from an int seed (or a list of ints if ``sequences``), or ``seed`` itself.

    Parameters
    ----------
    seed : int, numpy.random.Generator, or list/tuple of ints
        What the caller passed as its ``seed`` argument.
    sequences : bool
        Also accept a list or tuple of ints (``numpy.random.default_rng`` takes them).

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(seed, np.random.Generator):
        return seed
    kinds = (numbers.Integral, list, tuple) if sequences else numbers.Integral
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, kinds):
        what = "an int, a list of ints" if sequences else "an int"
        raise TypeError(f"seed must be {what} or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(seed if sequences and not isinstance(seed, numbers.Integral)
                                 else int(seed))


def check_params(params, names) -> dict:
    """Check that ``params`` is a dict holding every key in ``names``; return it.

    Parameters
    ----------
    params : dict
        What the caller passed as its ``params`` argument.
    names : iterable of str
        The keys that must be present (their shapes are checked by the caller).

    Returns
    -------
    dict
        ``params`` itself.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in names if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    return params


def check_real(name: str, value, *, low=None, high=None, low_open: bool = False,
               high_open: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number in range.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : float
        What the caller passed (a Python or numpy scalar; not a bool).
    low, high : float, optional
        Bounds of the allowed interval; ``None`` for no bound.
    low_open, high_open : bool
        Exclude the bound itself.

    Returns
    -------
    float
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def real_values(name: str, value) -> np.ndarray:
    """Return ``value`` as an ndarray of real numbers (any shape and dtype; inf and nan allowed).

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : array_like
        What the caller passed (not None).

    Returns
    -------
    numpy.ndarray
        Not copied when ``value`` already is an ndarray.
    """
    if value is None:
        raise TypeError(f"{name} must be a real number or an array of them, got None")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and other oddities
        raise TypeError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def real_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a float64 array of finite real numbers, of any shape.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : float or array_like
        What the caller passed (not a bool, not None).

    Returns
    -------
    numpy.ndarray
        A new float64 array.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of them, got {value!r}")
    arr = real_values(name, value).astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers")
    return arr
