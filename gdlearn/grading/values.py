"""Plain data: how inputs and outputs cross between the grader and a submission.

A student's function may return anything. Before any comparison its result is
*encoded* into plain JSON-able data — numbers, strings, booleans, ``None``,
lists, and two tagged forms::

    {"__ndarray__": {"shape": [2], "dtype": "float", "data": [1.0, 2.0]}}
    {"__dict__": [["key", value], ...]}

Anything else becomes ``{"__opaque__": "a value of type T"}``, which equals nothing.
Probe *inputs* may also hold ``{"__code__": "lambda x: ..."}``, a callable
written by the teacher; it is evaluated only where inputs are decoded (the
student's process, or :func:`gdlearn.grading.check`), never when decoding a
student's output.

Comparison (:func:`compare`) works on the plain data only, so an object
whose ``__eq__`` always says True, or a patched ``numpy.allclose`` in the
student's process, changes nothing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["encode", "decode", "compare", "precision", "describe", "show", "probe_namespace", "Code"]

ARRAY, DICT, CODE, OPAQUE = "__ndarray__", "__dict__", "__code__", "__opaque__"
MAX_ITEMS = 1_000_000   # elements of one array, or items of all lists together
MAX_DEPTH = 20
MAX_STR = 10_000

# Captured at import, before any student code can replace them.
_ndarray, _np_array, _float, _int, _isinstance = np.ndarray, np.array, float, int, isinstance
_float_value, _int_value = float.__float__, int.__int__


class Code:
    """A callable probe input written as source, e.g. ``Code("lambda x: x @ x")``.

    The source is what ``check`` shows and what crosses to the student's
    process; it is evaluated lazily in :func:`probe_namespace`.

    Examples
    --------
    >>> f = Code("lambda x: np.sum(x ** 2)")
    >>> f
    lambda x: np.sum(x ** 2)
    >>> float(f(np.array([1.0, 2.0])))
    5.0
    """

    def __init__(self, source: str):
        if not isinstance(source, str) or not source.strip():
            raise TypeError(f"Code needs a non-empty source string, got {source!r}")
        self.source = source.strip()
        self._value = None

    def __call__(self, *args, **kwargs):
        if self._value is None:
            self._value = eval(self.source, probe_namespace())  # noqa: S307 (teacher's code)
        return self._value(*args, **kwargs)

    def __repr__(self) -> str:
        return self.source

    def __eq__(self, other) -> bool:
        return isinstance(other, Code) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


def probe_namespace() -> dict:
    """The names a :class:`Code` source may use: ``np``, ``math`` and gdlearn's core modules."""
    import gdlearn
    from gdlearn import calculus, optim, surfaces

    return {"np": np, "math": math, "gdlearn": gdlearn, "surfaces": surfaces,
            "calculus": calculus, "optim": optim}


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def take(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _type_name(obj: Any) -> str:
    try:
        name = type.__dict__["__name__"].__get__(type(obj))
        return name if isinstance(name, str) else "object"
    except Exception:  # noqa: BLE001 - a hostile metaclass
        return "object"


def encode(obj: Any, *, _depth: int = 0, _budget: _Budget | None = None) -> Any:
    """Turn a value into plain data (see the module docstring). Never raises.

    Examples
    --------
    >>> encode(np.array([1, 2]))
    {'__ndarray__': {'shape': [2], 'dtype': 'int', 'data': [1, 2]}}
    >>> encode((np.float64(0.5), 3, None))
    [0.5, 3, None]
    >>> encode(object())
    {'__opaque__': 'a value of type object'}
    """
    budget = _budget if _budget is not None else _Budget(MAX_ITEMS)
    try:
        if obj is None or obj is True or obj is False:
            return obj
        if _isinstance(obj, np.bool_):
            return bool(obj)
        if _isinstance(obj, (_int, np.integer)):
            value = _int_value(obj) if _isinstance(obj, _int) else _int(obj)
            return value if abs(value) < 2**63 else _float(value)
        if _isinstance(obj, (np.float32, np.float16)):
            return {ARRAY: {"shape": [], "dtype": str(np.dtype(type(obj))), "data": [_float(obj)]}}
        if _isinstance(obj, (_float, np.floating)):
            return _float_value(obj) if _isinstance(obj, _float) else _float(obj)
        if _isinstance(obj, str):
            return str.__str__(obj)[:MAX_STR]
        if _isinstance(obj, Code):
            return {CODE: obj.source}
        if _isinstance(obj, _ndarray):
            arr = _np_array(obj, copy=True, subok=False)
            if arr.dtype.kind not in "biuf":
                return {OPAQUE: f"an array of dtype {arr.dtype}"}
            if not budget.take(arr.size):
                return {OPAQUE: f"an array of more than {MAX_ITEMS:,} values"}
            kind = {"b": "bool", "i": "int", "u": "int", "f": "float"}[arr.dtype.kind]
            if kind == "float":
                if arr.dtype in (np.float32, np.float16):
                    kind = str(arr.dtype)  # compared with a tolerance that fits its precision
                arr = arr.astype(np.float64)
            return {ARRAY: {"shape": list(arr.shape), "dtype": kind, "data": arr.ravel().tolist()}}
        if _depth >= MAX_DEPTH:
            return {OPAQUE: "a value nested too deeply"}
        if type(obj) in (list, tuple):
            if not budget.take(len(obj)):
                return {OPAQUE: f"a list of more than {MAX_ITEMS:,} items"}
            return [encode(item, _depth=_depth + 1, _budget=budget) for item in obj]
        if type(obj) is dict and all(type(k) is str for k in obj):
            if not budget.take(len(obj)):
                return {OPAQUE: f"a dict of more than {MAX_ITEMS:,} items"}
            return {DICT: [[k, encode(v, _depth=_depth + 1, _budget=budget)] for k, v in obj.items()]}
    except Exception:  # noqa: BLE001 - a hostile object; it simply is not plain data
        pass
    return {OPAQUE: f"a value of type {_type_name(obj)}"}


def decode(plain: Any, *, allow_code: bool = False, _depth: int = 0) -> Any:
    """Turn plain data back into values: arrays, dicts, lists, numbers.

    ``allow_code=True`` evaluates ``__code__`` tags (probe inputs written by
    the teacher). Without it — always for a student's output — a code tag,
    like anything malformed, becomes an opaque value.

    Examples
    --------
    >>> decode({"__ndarray__": {"shape": [2], "dtype": "float", "data": [1.0, 2.0]}})
    array([1., 2.])
    >>> decode({"__code__": "lambda x: 2 * x"}, allow_code=True)(3)
    6
    """
    if _depth > MAX_DEPTH:
        return Opaque("a value nested too deeply")
    if plain is None or isinstance(plain, (bool, int, float, str)):
        return plain
    if isinstance(plain, list):
        return [decode(v, allow_code=allow_code, _depth=_depth + 1) for v in plain]
    if isinstance(plain, dict) and len(plain) == 1:
        (tag, body), = plain.items()
        try:
            if tag == ARRAY:
                dtype = {"bool": bool, "int": np.int64, "float": np.float64, "float32": np.float32,
                         "float16": np.float16}[body["dtype"]]
                return np.array(body["data"], dtype=dtype).reshape(body["shape"])
            if tag == DICT:
                return {str(k): decode(v, allow_code=allow_code, _depth=_depth + 1) for k, v in body}
            if tag == CODE and allow_code:
                return Code(body)
            if tag == OPAQUE:
                return Opaque(str(body))
        except Exception:  # noqa: BLE001 - malformed data
            pass
    return Opaque("a malformed value")


class Opaque:
    """Stands for a value that is not plain data (it equals nothing)."""

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return f"<{self.what}>"


# --- comparison (plain data only) ---------------------------------------------

def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _array_of(v: Any) -> np.ndarray | None:
    """A numeric array from plain data: a tagged array, a number, or a list (nested) of these
    with one shape — a list of arrays is as good as a 2-D array."""
    if isinstance(v, dict) and ARRAY in v:
        arr = decode(v)
        return arr.astype(np.float64) if isinstance(arr, np.ndarray) else None
    if _is_number(v):
        return np.array(float(v))
    if isinstance(v, list):
        items = [_array_of(item) for item in v]
        if any(item is None for item in items) or len({item.shape for item in items}) > 1:
            return None
        return np.stack(items) if items else np.zeros(0)
    return None


def precision(plain: Any) -> str | None:
    """``"float32"`` or ``"float16"`` if a value holds such numbers (the lowest), else None."""
    if isinstance(plain, dict) and ARRAY in plain and isinstance(plain[ARRAY], dict):
        dtype = plain[ARRAY].get("dtype")
        return dtype if dtype in LOW_PRECISION else None
    if isinstance(plain, list):
        found = {precision(item) for item in plain} - {None}
        return "float16" if "float16" in found else ("float32" if found else None)
    if isinstance(plain, dict) and DICT in plain and isinstance(plain[DICT], list):
        return precision([v for _, v in plain[DICT]] if all(isinstance(kv, list) and len(kv) == 2
                                                            for kv in plain[DICT]) else [])
    return None


# float32 and float16 results are compared with a tolerance that fits their precision
LOW_PRECISION = {"float32": (1e-5, 1e-6), "float16": (1e-2, 1e-3)}


def _numeric_list(v: Any) -> bool:
    return isinstance(v, list) and _array_of(v) is not None


def compare(expected: Any, received: Any, rtol: float = 1e-6, atol: float = 1e-9) -> tuple[bool, str]:
    """Compare two plain values; return ``(equal, reason)`` with a plain-words reason.

    Numbers and arrays are compared with ``|received - expected| <= atol +
    rtol * |expected|`` (NaN equals NaN); shapes must match. Containers that
    hold the same numbers are equal — a list of arrays and a 2-D array, a
    tuple of numbers and a 1-D array — unless the expected value mixes kinds
    (e.g. ``(x, steps)``), where the reason says which container is wanted.
    A float32 (float16) result is compared with at least ``rtol=1e-5,
    atol=1e-6`` (``1e-2, 1e-3``), and the reason says so even when it passes.

    Examples
    --------
    >>> compare(encode(np.array([1.0, 2.0])), encode(np.array([1.0, 2.0 + 1e-12])))
    (True, '')
    >>> compare(encode(np.array([1.0, 2.0])), encode(np.array([1.0, 2.0, 3.0])))
    (False, 'wrong shape: expected an array of shape (2,), got an array of shape (3,)')
    >>> compare(2.0, encode(object()))
    (False, 'expected a number, got a value of type object')
    >>> compare(encode(np.zeros((2, 2))), encode([np.zeros(2), np.zeros(2)]))
    (True, '')
    >>> compare(0.2, encode(np.float32(0.2)), rtol=1e-9, atol=1e-12)[0]
    True
    """
    low = precision(received)
    note = ""
    if low is not None:
        lo_rtol, lo_atol = LOW_PRECISION[low]
        if lo_rtol > rtol or lo_atol > atol:
            rtol, atol = max(rtol, lo_rtol), max(atol, lo_atol)
            note = (f"your result is {low}: compared with a relative tolerance of {rtol:g} and an absolute "
                    f"one of {atol:g}, which fit {low}'s precision (float64 gets a tighter one)")
    ok, reason = _compare(expected, received, rtol, atol)
    if note:
        reason = note if ok else f"{reason} ({note})"
    return ok, reason


def _compare(expected: Any, received: Any, rtol: float, atol: float) -> tuple[bool, str]:
    if isinstance(expected, dict) and ARRAY in expected:
        want = _array_of(expected)
        got = _array_of(received)
        if got is None:
            return False, f"expected {describe(expected)}, got {describe(received)}"
        if got.shape != want.shape:
            return False, f"wrong shape: expected {describe(expected)}, got {_describe_as(received, got)}"
        return _close(want, got, rtol, atol)
    if _is_number(expected):
        got = _array_of(received) if not isinstance(received, list) else None
        if got is None or got.shape != ():
            return False, f"expected a number, got {describe(received)}"
        return _close(np.array(float(expected)), got, rtol, atol)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(received) is type(expected) and received == expected:
            return True, ""
        return False, f"expected {show(expected)}, got {show(received)}"
    if isinstance(expected, list):
        if not isinstance(received, list):
            if _numeric_list(expected) and isinstance(received, dict) and ARRAY in received:
                return _compare(encode(_array_of(expected)), received, rtol, atol)  # a tuple of numbers as an array
            kinds = ", ".join(describe(e) for e in expected[:4])
            return False, (f"expected a tuple of {len(expected)} items ({kinds}), got {describe(received)}: "
                           f"return them as a tuple, e.g. `return a, b`")
        if len(received) != len(expected):
            return False, f"expected {len(expected)} values, got {len(received)}"
        for i, (e, r) in enumerate(zip(expected, received)):
            ok, why = _compare(e, r, rtol, atol)
            if not ok:
                return False, f"item {i} of the result: {why}"
        return True, ""
    if isinstance(expected, dict) and DICT in expected:
        if not (isinstance(received, dict) and DICT in received):
            return False, f"expected {describe(expected)}, got {describe(received)}"
        want = dict(map(tuple, expected[DICT]))
        try:
            got = dict(map(tuple, received[DICT]))
        except (TypeError, ValueError):
            return False, "malformed result"
        if sorted(want) != sorted(got):
            return False, f"expected the keys {sorted(want)}, got {sorted(map(str, got))}"
        for key in want:
            ok, why = _compare(want[key], got[key], rtol, atol)
            if not ok:
                return False, f"key {key!r}: {why}"
        return True, ""
    return False, "the expected value is not comparable (a bug in the exercise)"


def _describe_as(received: Any, arr: np.ndarray) -> str:
    kind = describe(received)
    shape = f"an array of shape {arr.shape}"
    return kind if kind == shape else f"{kind} (as an array: shape {arr.shape})"


def _close(want: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> tuple[bool, str]:
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return True, ""
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(got - want)
    largest = float(np.nanmax(np.where(close, 0.0, gap))) if np.any(np.isfinite(gap) & ~close) else float("nan")
    if want.size == 1:
        return False, "the value differs" + (f" (by {largest:.3g})" if math.isfinite(largest) else "")
    bad = int(np.count_nonzero(~close))
    detail = f" (largest difference {largest:.3g})" if math.isfinite(largest) else ""
    return False, f"{bad} of {want.size} values differ{detail}"


# --- display -------------------------------------------------------------------

def _num(x: float) -> str:
    if isinstance(x, bool) or not isinstance(x, float):
        return repr(x)
    return f"{x:.8g}" if math.isfinite(x) else repr(x)


def describe(plain: Any) -> str:
    """A short description of a plain value's kind: "an array of shape (2,)", "a number", ...

    Examples
    --------
    >>> describe(encode(np.zeros((2, 3))))
    'an array of shape (2, 3)'
    >>> describe([1.0, 2])
    'a list of 2 items'
    """
    if plain is None:
        return "None"
    if isinstance(plain, bool):
        return "a boolean"
    if _is_number(plain):
        return "a number"
    if isinstance(plain, str):
        return "a string"
    if isinstance(plain, list):
        return f"a list of {len(plain)} item" + ("" if len(plain) == 1 else "s")
    if isinstance(plain, dict) and ARRAY in plain:
        shape = tuple(plain[ARRAY].get("shape", ())) if isinstance(plain[ARRAY], dict) else ()
        return f"an array of shape {shape}"
    if isinstance(plain, dict) and DICT in plain:
        return "a dict"
    if isinstance(plain, dict) and OPAQUE in plain:
        return str(plain[OPAQUE])
    if isinstance(plain, dict) and CODE in plain:
        return "a function"
    return "something that is not a number or an array"


def show(plain: Any, width: int = 120) -> str:
    """A compact, readable rendering of a plain value (truncated to about ``width`` characters).

    Examples
    --------
    >>> show(encode(np.array([1.0, 2.5])))
    '[1.  2.5]'
    >>> show([encode(np.array([0.1, 0.2])), 57])
    '([0.1 0.2], 57)'
    >>> show({"__code__": "lambda x: x @ x"})
    'lambda x: x @ x'
    """
    text = _show(plain)
    return text if len(text) <= width else text[: width - 1] + "…"


def _show(plain: Any) -> str:
    if _is_number(plain):
        return _num(plain)
    if plain is None or isinstance(plain, (bool, str)):
        return repr(plain)
    if isinstance(plain, list):
        return "(" + ", ".join(_show(v) for v in plain) + ")"
    if isinstance(plain, dict) and len(plain) == 1:
        (tag, body), = plain.items()
        if tag == ARRAY:
            arr = decode(plain)
            if isinstance(arr, np.ndarray):
                return np.array2string(arr, precision=6, threshold=12, separator=" ",
                                       max_line_width=10_000).replace("\n", "")
        if tag == DICT and isinstance(body, list):
            return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in body) + "}"
        if tag == CODE:
            return str(body)
        if tag == OPAQUE:
            return f"<{body}>"
    return "<malformed>"
