"""``check(exercise_id, function)``: instant feedback in an exercise notebook.

The visible cases of each exercise, the reference's outputs on them and the
outputs of the classic mistakes ship with the library as data
(``gdlearn/grading/checks/NN_slug.json``, written by the release step), so
``check`` works anywhere the library is installed — JupyterLab, Binder,
Colab — without the solutions. It never raises: an unfilled exercise shows
"not attempted yet", so a blank exercise notebook runs top to bottom.
"""

from __future__ import annotations

import contextlib
import html
import json
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .values import ARRAY, compare, decode, encode, show

__all__ = ["check", "CheckResult", "CaseOutcome", "judge", "CHECKS_DIR", "parameter_names", "changed_inputs_text"]

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
_silent = False  # set while the grader executes a solution notebook


@dataclass
class CaseOutcome:
    """One visible case as ``check`` saw it."""

    index: int
    label: str
    passed: bool
    expected: Any = None          # plain data
    received: Any = None          # plain data, or None if the call raised
    reason: str = ""              # why it failed, in plain words
    hint: str = ""                # the matching classic mistake's hint, if any
    points: float = 0.0


@dataclass
class CheckResult:
    """What ``check`` returns: shown as a table under the cell.

    ``status`` is ``"passed"``, ``"failed"``, ``"not attempted"`` or
    ``"error"`` (an unknown exercise id, or something that is not a function).
    """

    exercise_id: str
    title: str = ""
    function: str = ""
    status: str = "error"
    score: float = 0.0
    max_score: float = 0.0
    hidden_points: float = 0.0
    message: str = ""
    cases: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _summary(self) -> str:
        if self.status in ("not attempted", "error"):
            return self.message
        n_ok = sum(c.passed for c in self.cases)
        text = (f"{n_ok} of {len(self.cases)} visible tests passed "
                f"({_pts(self.score)} of {_pts(self.max_score)} points)")
        if self.hidden_points:
            text += f"; the grader also runs hidden tests worth {_pts(self.hidden_points)} points"
        return text

    def __repr__(self) -> str:
        mark = {"passed": "✓", "failed": "✗", "not attempted": "…"}.get(self.status, "!")
        lines = [f"{mark} {self.title or self.exercise_id}: {self._summary()}"]
        for c in self.cases:
            lines.append(f"  {'✓' if c.passed else '✗'} case {c.index}: {c.label}")
            if c.passed and c.reason:
                lines.append(f"      note: {c.reason}")
            if not c.passed:
                lines.append(f"      expected: {show(c.expected)}")
                lines.append(f"      got:      {show(c.received) if c.received is not None or not c.reason.startswith('raised') else '—'}")
                lines.append(f"      {c.reason}")
                if c.hint:
                    lines.append(f"      hint: {c.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "failed": "#cf222e", "not attempted": "#6e7781"}.get(self.status, "#9a6700")
        mark = {"passed": "✓", "failed": "✗", "not attempted": "…"}.get(self.status, "!")
        e = html.escape
        out = [f'<div style="font-family: sans-serif; font-size: 13px; margin: 4px 0">'
               f'<div style="color: {colour}; font-weight: bold">{mark} {e(self.title or self.exercise_id)}</div>'
               f'<div style="margin: 2px 0 4px 0">{e(self._summary())}</div>']
        all_passed = all(c.passed for c in self.cases)
        if self.cases:
            td = 'style="padding: 2px 8px; text-align: left; vertical-align: top; font-family: monospace"'
            heads = ["", "input"] + ([] if all_passed else ["expected", "got", "what to look at"])
            out.append('<table style="border-collapse: collapse; margin: 0"><tr>'
                       + "".join(f"<th {td}>{h}</th>" for h in heads) + "</tr>")
            for c in self.cases:
                sign = ('<span style="color: #1a7f37">✓</span>' if c.passed
                        else '<span style="color: #cf222e">✗</span>')
                got = "" if c.passed else e(show(c.received) if not c.reason.startswith("raised") else "—")
                note = "" if c.passed else e(c.reason) + (f"<br><b>hint:</b> {e(c.hint)}" if c.hint else "")
                label = e(c.label) + (f"<br><i>note: {e(c.reason)}</i>" if c.passed and c.reason else "")
                row = f"<tr><td {td}>{sign}</td><td {td}>{label}</td>"
                if not all_passed:
                    row += (f"<td {td}>{'' if c.passed else e(show(c.expected))}</td><td {td}>{got}</td>"
                            f'<td style="padding: 2px 8px; vertical-align: top">{note}</td>')
                out.append(row + "</tr>")
            out.append("</table>")
        out.append("</div>")
        return "".join(out)


def _pts(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=None)
def _chapter_data(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def exercise_data(exercise_id: str) -> dict | None:
    """The published data of one exercise (visible cases, expected outputs), or None."""
    if not isinstance(exercise_id, str) or not exercise_id.startswith("ex") or len(exercise_id) < 4:
        return None
    for path in sorted(CHECKS_DIR.glob(f"{exercise_id[2:4]}_*.json")):
        data = _chapter_data(path).get("exercises", {}).get(exercise_id)
        if data is not None:
            return data
    return None


def known_exercises() -> list[str]:
    """Every exercise id that ``check`` knows."""
    return sorted(k for p in CHECKS_DIR.glob("*.json") for k in _chapter_data(p).get("exercises", {}))


def parameter_names(function) -> list[str]:
    """The names of `function`'s parameters ([] when it has no signature), for messages."""
    import inspect

    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


def changed_inputs_text(changed: list, names: list[str]) -> str:
    """The feedback for a function that changed its inputs in place (positions or names in `changed`)."""
    which = [f"`{names[c]}`" if isinstance(c, int) and c < len(names) else str(c) for c in changed]
    return (f"your function changed its input {', '.join(which)} in place: the caller's values must stay "
            "unchanged (work on a copy, e.g. `x = np.array(x0, dtype=float)`, or for a dict of arrays "
            "`params = {k: np.array(v, dtype=float) for k, v in params.items()}`)")


# --- judging a received value (shared with the grader) --------------------------

def _as_array(plain: Any) -> np.ndarray | None:
    if isinstance(plain, dict) and ARRAY in plain:
        arr = decode(plain)
        return arr.astype(float) if isinstance(arr, np.ndarray) else None
    if isinstance(plain, (int, float)) and not isinstance(plain, bool):
        return np.array(float(plain))
    return None


def _generic_hint(expected: Any, received: Any) -> str:
    """Hints that need no exercise-specific knowledge: no return, a flipped sign, a constant factor."""
    if received is None and expected is not None:
        return "your function returned None: did you forget the `return` statement?"
    want, got = _as_array(expected), _as_array(received)
    if want is None or got is None or want.shape != got.shape or want.size == 0:
        return ""
    with np.errstate(all="ignore"):
        if not (np.all(np.isfinite(want)) and np.all(np.isfinite(got))) or np.any(want == 0):
            return ""
        ratio = got / want
    r = float(np.median(ratio))
    if not np.allclose(ratio, r, rtol=1e-6) or np.isclose(r, 1.0):
        return ""
    if np.isclose(r, -1.0):
        return "the sign is flipped: every value is minus the expected one"
    # One number is always some multiple of another: only a clean factor means something.
    if want.size >= 2 or any(np.isclose(r, c) for c in (2.0, 0.5, -2.0, -0.5)):
        return f"every value is {r:.4g} × the expected one: look for a missing or extra constant factor"
    return ""


def judge(expected: Any, received: Any, mistakes: list, rtol: float, atol: float,
          general_hint: str = "") -> tuple[bool, str, str]:
    """Compare plain values; return ``(passed, reason, hint)``.

    ``mistakes`` is a list of ``(hint, output)`` pairs (outputs as plain data):
    the hint of the first mistake whose output the received value matches.
    """
    ok, reason = compare(expected, received, rtol, atol)
    if ok:
        return True, reason, ""  # a note (e.g. float32's tolerance), or ""
    for hint, output in mistakes:
        if compare(output, received, rtol, atol)[0]:
            return False, reason, hint
    return False, reason, _generic_hint(expected, received) or general_hint


def _error_text(exc: BaseException, function: Callable) -> str:
    """``raised ValueError: ... (line 4 of your function)``, without a traceback."""
    text = f"raised {type(exc).__name__}"
    message = str(exc).strip().splitlines()
    if message:
        text += f": {message[0][:200]}"
    code = getattr(function, "__code__", None)
    if code is not None:
        lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code is code]
        if lines:
            text += f" (line {lines[-1] - code.co_firstlineno + 1} of your function)"
    return text


CHECK_TIMEOUT = 10.0  # seconds per visible case in check()


class _CheckTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the student's call after ``seconds`` (main thread only: elsewhere, no limit)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise _CheckTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(values) -> str:
    return json.dumps(encode(values), allow_nan=True, sort_keys=True)


def _changed_positions(case: dict, args: list) -> list:
    original = case["args"]
    out = [i for i, value in enumerate(args)
           if i < len(original) and json.dumps(encode(value), allow_nan=True, sort_keys=True)
           != json.dumps(original[i], allow_nan=True, sort_keys=True)]
    return out or ["an argument"]


class _Forbidden:
    """While the student's function runs, the library functions the exercise forbids raise."""

    def __init__(self, names: list, namespace: dict, function=None):
        from .sandbox import _Forbidden as Impl

        self._impl = Impl(list(names), namespace if isinstance(namespace, dict) else {}, function)

    def __enter__(self):
        self._impl.__enter__()
        return self

    def __exit__(self, *exc):
        return False

    def restore(self) -> None:
        self._impl.restore()


def _not_attempted(function: Any) -> bool:
    return function is None or function is Ellipsis


def check(exercise_id: str, function: Callable | None = None) -> CheckResult:
    """Run the visible tests of an exercise on your function and show the result.

    Parameters
    ----------
    exercise_id : str
        The id given in the exercise, e.g. ``"ex01_2"``.
    function : callable
        Your function (the name, without calling it).

    Returns
    -------
    CheckResult
        Displayed under the cell as a table: each case with its input, and for
        a failed case the expected and the received value and a hint.
        ``.score``, ``.max_score``, ``.passed``, ``.status`` hold the outcome.
        Never raises.

    Examples
    --------
    >>> result = check("ex99_1", print)     # an unknown id: a message, no exception
    >>> result.status, result.score
    ('error', 0.0)
    """
    try:
        return _check(exercise_id, function)
    except Exception as exc:  # noqa: BLE001 - check must never break a notebook
        return CheckResult(exercise_id=str(exercise_id),
                           message=f"check could not run: {type(exc).__name__}: {exc}")


def _check(exercise_id: str, function: Any) -> CheckResult:
    result = CheckResult(exercise_id=str(exercise_id))
    if _silent:
        result.status, result.message = "not attempted", "skipped while grading"
        return result
    data = exercise_data(exercise_id)
    if data is None:
        known = ", ".join(known_exercises()) or "none"
        result.message = f"there is no exercise {exercise_id!r} (check the id); known exercises: {known}"
        return result
    result.title, result.function = data["title"], data["function"]
    result.max_score = sum(c["points"] for c in data["cases"])
    result.hidden_points = data.get("hidden_points", 0.0)
    if _not_attempted(function):
        result.status = "not attempted"
        result.message = f"not attempted yet: define `{data['function']}` and run this cell again"
        return result
    if not callable(function):
        result.message = (f"check needs your function itself, e.g. check({exercise_id!r}, {data['function']}), "
                          f"not {type(function).__name__}")
        return result
    for i, case in enumerate(data["cases"], start=1):
        outcome = CaseOutcome(index=i, label=case["label"], passed=False,
                              expected=case["expected"], points=case["points"])
        forbidden = _Forbidden(data.get("forbidden", []), getattr(function, "__globals__", {}), function)
        try:
            args = decode(case["args"], allow_code=True)
            kwargs = decode(case["kwargs"], allow_code=True)
            before = _snapshot([args, kwargs])
            with _time_limit(CHECK_TIMEOUT), forbidden:
                received = encode(function(*args, **kwargs))
            changed = _snapshot([args, kwargs]) != before
        except NotImplementedError:
            result.status = "not attempted"
            result.message = (f"not attempted yet: `{getattr(function, '__name__', data['function'])}` "
                              "still raises NotImplementedError — replace that line with your code "
                              "and run this cell again")
            result.cases, result.score = [], 0.0
            return result
        except _CheckTimeout:
            outcome.reason = (f"raised no error but did not return within {CHECK_TIMEOUT:g} s (an endless loop? "
                              "a stopping rule that never holds?); check stopped it")
            result.cases.append(outcome)
            continue
        except Exception as exc:  # noqa: BLE001 - the student's error is feedback, not a crash
            outcome.reason = _error_text(exc, function)
            result.cases.append(outcome)
            continue
        finally:
            forbidden.restore()
        outcome.received = received
        mistakes = [(m["hint"], m["output"]) for m in case.get("mistakes", [])]
        outcome.passed, outcome.reason, outcome.hint = judge(
            case["expected"], received, mistakes, data["rtol"], data["atol"], data.get("hint", ""))
        if changed and data.get("keep_inputs", True):

            names = parameter_names(function)
            outcome.passed, outcome.hint = False, ""
            outcome.reason = changed_inputs_text(_changed_positions(case, args), names)
        result.cases.append(outcome)
    result.score = round(sum(c.points for c in result.cases if c.passed), 6)
    result.status = "passed" if all(c.passed for c in result.cases) else "failed"
    return result
