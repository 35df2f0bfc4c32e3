"""The solution notebooks as the grader and the release step see them.

* :func:`student_source` turns a solution cell into the student's cell:
  ``### BEGIN SOLUTION`` … ``### END SOLUTION`` becomes a stub (same
  indentation), ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS``
  disappears.
* :func:`load_chapter` runs a solution notebook in this process (quietly,
  ``check`` silenced), collects its :class:`~gdlearn.grading.spec.Exercise`
  declarations and keeps the namespace: the reference functions.
* :meth:`Chapter.table` computes, here and only here, the reference's output
  and the mistakes' outputs on every case, as plain data.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import feedback
from .spec import Exercise, collecting
from .values import DICT, compare, decode, encode, show

__all__ = ["Chapter", "load_chapter", "load_course", "student_source", "hidden_blocks",
           "read_cells", "MarkerError", "SolutionError", "find_solutions_dir", "STUB"]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ('# YOUR CODE HERE', 'raise NotImplementedError("replace this line with your code")')
SLUG = re.compile(r"^(\d\d)_[A-Za-z0-9_]+$")


class MarkerError(ValueError):
    """Unbalanced or nested ``### BEGIN/END`` markers in a solution notebook."""


class SolutionError(RuntimeError):
    """A solution notebook failed to run, or declares inconsistent exercises."""


# --- markers --------------------------------------------------------------------

def _scan(source: str, where: str = "cell"):
    """Yield ``(kind, line)`` with kind in {"code", "solution", "hidden", "marker"}."""
    state, begin_line = None, 0
    for n, line in enumerate(source.splitlines(), start=1):
        mark = line.strip()
        if mark in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            if state is not None:
                raise MarkerError(f"{where}, line {n}: {mark!r} inside a block opened at line {begin_line}")
            state, begin_line = ("solution" if mark == BEGIN_SOLUTION else "hidden"), n
            yield "begin-" + state, line
        elif mark in (END_SOLUTION, END_HIDDEN):
            expected = END_SOLUTION if state == "solution" else END_HIDDEN
            if state is None or mark != expected:
                raise MarkerError(f"{where}, line {n}: {mark!r} without its BEGIN")
            yield "end-" + state, line
            state = None
        else:
            yield state or "code", line
    if state is not None:
        raise MarkerError(f"{where}: the block opened at line {begin_line} is never closed")


def student_source(source: str, where: str = "cell") -> str:
    """The student's version of a cell: solutions stubbed, hidden tests removed.

    Examples
    --------
    >>> src = '''def square(x):
    ...     ### BEGIN SOLUTION
    ...     return x * x
    ...     ### END SOLUTION
    ... ### BEGIN HIDDEN TESTS
    ... assert square(3) == 9
    ... ### END HIDDEN TESTS'''
    >>> print(student_source(src))
    def square(x):
        # YOUR CODE HERE
        raise NotImplementedError("replace this line with your code")
    """
    out = []
    for kind, line in _scan(source, where):
        if kind == "code":
            out.append(line)
        elif kind == "begin-solution":
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
    return "\n".join(out).rstrip()


def hidden_blocks(source: str) -> list[str]:
    """The text of each hidden-tests block of a cell (markers excluded)."""
    blocks, current = [], None
    for kind, line in _scan(source):
        if kind == "begin-hidden":
            current = []
        elif kind == "end-hidden":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def has_markers(source: str) -> bool:
    return any(kind != "code" for kind, _ in _scan(source))


# --- notebooks --------------------------------------------------------------------

def read_cells(path: str | Path) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` of a notebook: an ``.ipynb`` or a py:percent ``.py``."""
    path = Path(path)
    if path.suffix == ".ipynb":
        import json

        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise ValueError("it is not a Jupyter notebook (no list of cells)")
        out = []
        for cell in cells:
            if not isinstance(cell, dict):
                raise ValueError("it is not a Jupyter notebook (a cell is not an object)")
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(str(s) for s in source)
            out.append((str(cell.get("cell_type", "code")), str(source)))
        return out
    return parse_percent(path.read_text(encoding="utf-8"))


_MARKER = re.compile(r"^# %%(?:\s+\[(\w+)\])?(?:\s.*)?$")


def parse_percent(text: str) -> list[tuple[str, str]]:
    """The cells of a py:percent script, as ``[(cell_type, source)]``.

    A light reader (no jupytext, which is slow to import): markdown cells keep
    their ``# `` prefixes, which is enough to run the code cells.

    Examples
    --------
    >>> parse_percent("# %% [markdown]\\n# # Title\\n\\n# %%\\nx = 1\\n\\n\\n# %%\\ny = 2\\n")
    [('markdown', '# # Title'), ('code', 'x = 1'), ('code', 'y = 2')]
    """
    lines = text.splitlines()
    if lines and lines[0].strip() == "# ---":  # the jupytext header
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "# ---"), 0)
        lines = lines[end + 1:]
    cells: list[tuple[str, list[str]]] = []
    for line in lines:
        m = _MARKER.match(line)
        if m:
            kind = {"markdown": "markdown", "md": "markdown", "raw": "raw"}.get((m.group(1) or "").lower(), "code")
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip():
            cells.append(("code", [line]))
    return [(kind, "\n".join(body).strip("\n")) for kind, body in cells]


def _without_magics(source: str) -> str:
    """Solutions run as plain Python here: IPython magics and shell lines are dropped."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


# --- a chapter of exercises -----------------------------------------------------------

@dataclass
class Chapter:
    """A solution notebook, run: its exercises and their reference functions."""

    slug: str
    path: Path
    exercises: dict                       # id -> Exercise, in notebook order
    namespace: dict = field(repr=False)
    _table: dict | None = field(default=None, repr=False)

    def reference(self, exercise: Exercise):
        return self.namespace[exercise.function]

    def table(self) -> dict:
        """``{exercise id: [case row, ...]}`` for all cases, visible first.

        A row holds ``args``/``kwargs`` (plain data, what the student's
        function is called with), ``label``, ``visible``, ``points``,
        ``expected`` (the reference's output) and ``mistakes`` — ``[(hint,
        output)]`` for the mistakes whose output differs from ``expected``.
        """
        if self._table is None:
            self._table = {ex.id: self._rows(ex) for ex in self.exercises.values()}
        return self._table

    def _rows(self, ex: Exercise) -> list[dict]:
        reference = self.reference(ex)
        rows = []
        for (case, visible), points in zip(ex.cases(), ex.case_points()):
            args, kwargs = encode(tuple(case.args)), encode(dict(case.kwargs))
            where = f"{self.slug}: {ex.id}, {'visible' if visible else 'hidden'} case {case!r}"
            expected = _call(reference, args, kwargs, where, keep_inputs=ex.keep_inputs)
            mistakes = []
            for m in ex.mistakes:
                output = _call(m.variant, args, kwargs, f"{where}, mistake {m.name or m.hint[:30]!r}",
                               strict=False)
                if output is not None and not compare(expected, output, ex.rtol, ex.atol)[0]:
                    mistakes.append((m.hint, output))
            rows.append({"args": args, "kwargs": kwargs, "visible": visible, "points": points,
                         "label": case.label or _label(reference, args, kwargs),
                         "expected": expected, "mistakes": mistakes})
        return rows

    def check_data(self) -> dict:
        """What ``check`` needs in the student's copy: visible cases only."""
        exercises = {}
        for ex in self.exercises.values():
            rows = self.table()[ex.id]
            exercises[ex.id] = {
                "title": ex.title, "function": ex.function, "points": ex.points,
                "rtol": ex.rtol, "atol": ex.atol, "hint": ex.hint,
                "keep_inputs": ex.keep_inputs, "forbidden": ex.forbidden,
                "hidden_points": round(sum(r["points"] for r in rows if not r["visible"]), 6),
                "cases": [{"label": r["label"], "args": r["args"], "kwargs": r["kwargs"],
                           "points": round(r["points"], 6), "expected": r["expected"],
                           "mistakes": [{"hint": h, "output": o} for h, o in r["mistakes"]]}
                          for r in rows if r["visible"]],
            }
        return {"chapter": self.slug,
                "note": "Generated by `python -m gdlearn.grading.release` from "
                        f"solutions/{self.slug}.py; do not edit.",
                "exercises": exercises}


def _call(function, args, kwargs, where: str, strict: bool = True, keep_inputs: bool = False):
    try:
        with np.errstate(all="ignore"):
            a, k = decode(args, allow_code=True), decode(kwargs, allow_code=True)
            output = encode(function(*a, **k))
    except Exception as exc:
        if strict:
            raise SolutionError(f"{where}: the reference raised {type(exc).__name__}: {exc}") from exc
        return None
    if keep_inputs and json.dumps(encode([a, k]), sort_keys=True) != json.dumps([args, kwargs], sort_keys=True):
        raise SolutionError(f"{where}: the reference changes its inputs; fix it, or declare keep_inputs=False")
    return output


def _label(function, args: list, kwargs: dict) -> str:
    """``f = lambda x: ..., x = [1. 2.]``: each argument named after the reference's parameter."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    parts = [f"{names[i]} = {show(a, 60)}" if i < len(names) else show(a, 60) for i, a in enumerate(args)]
    parts += [f"{k} = {show(v, 60)}" for k, v in kwargs.get(DICT, [])]
    return ", ".join(parts)


def load_chapter(path: str | Path) -> Chapter:
    """Run the solution notebook ``path`` here and collect its exercises."""
    path = Path(path)
    slug = path.stem
    if not SLUG.match(slug):
        raise SolutionError(f"{path}: a solution notebook is named NN_slug.py, e.g. 01_calculus.py")
    namespace: dict[str, Any] = {"__name__": f"gdlearn_solution_{slug}"}
    os.environ.setdefault("MPLBACKEND", "Agg")
    previous, feedback._silent = feedback._silent, True
    sink = io.StringIO()
    try:
        with collecting() as found, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            for i, (kind, source) in enumerate(read_cells(path), start=1):
                if kind != "code":
                    continue
                _scan(source, f"{path.name}, cell {i}")  # marker errors name the cell
                try:
                    exec(compile(_without_magics(source), f"{path.name}[cell {i}]", "exec"), namespace)
                except Exception as exc:
                    raise SolutionError(f"{path}: cell {i} raised {type(exc).__name__}: {exc}\n"
                                        + traceback.format_exc(limit=-3)) from exc
    finally:
        feedback._silent = previous
    exercises: dict[str, Exercise] = {}
    for ex in found:
        if ex.id in exercises:
            raise SolutionError(f"{path}: exercise {ex.id} is declared twice")
        if ex.chapter != slug[:2]:
            raise SolutionError(f"{path}: exercise {ex.id} belongs to chapter {ex.chapter}, not {slug[:2]}")
        if not callable(namespace.get(ex.function)):
            raise SolutionError(f"{path}: {ex.id} names the function {ex.function!r}, "
                                "which the notebook does not define")
        exercises[ex.id] = ex
    names = [ex.function for ex in exercises.values()]
    if len(set(names)) != len(names):
        raise SolutionError(f"{path}: two exercises name the same function")
    return Chapter(slug=slug, path=path, exercises=exercises, namespace=namespace)


def find_solutions_dir(explicit: str | Path | None = None) -> Path | None:
    """``explicit``, else ``$GDLEARN_SOLUTIONS``, else ``./solutions``, else the repository's."""
    candidates = [explicit, os.environ.get("GDLEARN_SOLUTIONS"), Path.cwd() / "solutions",
                  Path(__file__).resolve().parents[2] / "solutions"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def load_course(solutions_dir: str | Path) -> dict[str, Chapter]:
    """Every ``NN_slug.py`` of ``solutions_dir``, run: ``{slug: Chapter}``."""
    paths = sorted(p for p in Path(solutions_dir).glob("*.py") if SLUG.match(p.stem))
    return {p.stem: load_chapter(p) for p in paths}
