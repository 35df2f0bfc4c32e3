"""The grader: score notebooks on the visible and hidden cases, each in its own process.

For each submission the grader

1. reads the notebook's code cells (an ``.ipynb``, or a py:percent ``.py``);
2. tells which chapter it answers (its file name, else its ``check("exNN_k", ...)``
   calls, else the exercise functions it defines);
3. starts a fresh ``python -m gdlearn.grading.sandbox`` for it, with a
   per-cell wall-clock limit and a memory limit, which runs the cells and
   returns the outputs of the student's functions on every probe as plain data;
4. if that process dies or hangs in a cell (``os._exit``, a crash, a loop that
   ignores the timer), runs it again without that cell, so the other
   exercises still score;
5. compares, here, each output with the reference solution's (computed here,
   from ``solutions/``), with partial credit per case.

Nothing a submission does in its own process — patching numpy, ``check`` or
the comparison, returning objects that equal anything — reaches the
comparison, which sees plain numbers only.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .course import Chapter, find_solutions_dir, load_course, read_cells
from .feedback import judge
from .values import show

__all__ = ["Limits", "CaseResult", "ExerciseResult", "Submission", "Grader", "grade_notebooks"]

GRACE = 2.0              # seconds past the per-cell limit before the process is killed
STARTUP = 60.0           # seconds for the process to start and import numpy and IPython
MAX_ATTEMPTS = 5         # runs of one submission (each crash or hang removes one cell or call)
MAX_EVENTS_BYTES = 64 * 2**20
MAX_NOTEBOOK_BYTES = 100 * 2**20


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: seconds per cell (and per call of a function), memory in MiB."""

    timeout: float = 30.0
    memory_mb: float = 2048.0


@dataclass
class CaseResult:
    name: str
    visible: bool
    score: float
    max_score: float
    passed: bool
    output: str


@dataclass
class ExerciseResult:
    id: str
    title: str
    function: str
    score: float
    max_score: float
    status: str          # passed | partial | failed | not attempted | missing
    message: str
    cases: list = field(default_factory=list)


@dataclass
class Submission:
    path: str
    chapters: list = field(default_factory=list)
    exercises: list = field(default_factory=list)
    notes: list = field(default_factory=list)   # cell-level problems, in plain words
    error: str | None = None                    # the notebook could not be graded at all
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 4)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 4)


# --- running one submission -------------------------------------------------------------

_SIGNALS = {signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGKILL: "was killed",
            signal.SIGABRT: "aborted", signal.SIGXFSZ: "wrote a file larger than 256 MiB",
            signal.SIGBUS: "crashed (bus error)", signal.SIGFPE: "crashed (floating-point exception)"}


def _ended(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        return _SIGNALS.get(-returncode, f"was stopped by signal {-returncode}")
    return f"ended the process (exit code {returncode}: os._exit, or a crash)"


def _sandbox_env() -> dict:
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    env.update(MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", GDLEARN_STATIC="1")
    env.pop("PYTHONSTARTUP", None)
    return env


def _attempt(job: dict, limits: Limits, workdir: str) -> tuple[list[dict], str | None, tuple | None]:
    """Run the sandbox once. Returns (events, how it ended if not cleanly, what it was doing)."""
    read_fd, write_fd = os.pipe()
    env = _sandbox_env()
    env["IPYTHONDIR"] = os.path.join(workdir, ".ipython")
    with open(os.path.join(workdir, ".stderr"), "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gdlearn.grading.sandbox", str(write_fd)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, pass_fds=(write_fd,),
            cwd=workdir, env=env, start_new_session=True)
    os.close(write_fd)
    events, buffer, total, current, ended = [], b"", 0, None, None
    try:
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + STARTUP
        done = False
        while not done:
            left = deadline - time.monotonic()
            if left <= 0:
                ended = "hang"
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break  # the process closed the channel: it has ended
            total += len(chunk)
            if total > MAX_EVENTS_BYTES:
                ended = "flood"
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                event = _parse(line)
                if event is None:
                    continue
                events.append(event)
                kind = event["event"]
                if kind in ("cell", "probe"):
                    current = (kind, event["index"])
                elif kind in ("cell_done", "probe_done"):
                    current = None
                elif kind == "done":
                    done = True
                if kind != "done":
                    deadline = time.monotonic() + limits.timeout + GRACE
        if not done and ended is None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            ended = "exit"
    finally:
        os.close(read_fd)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the process and anything it started
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    if ended == "exit":
        ended = _ended(proc.returncode)
        if not any(e["event"] == "ready" for e in events):
            lines = Path(workdir, ".stderr").read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()
            ended = f"could not be run: its process did not start ({lines[-1] if lines else ended})"
    elif ended == "hang":
        ended = f"timed out (more than {limits.timeout:g} s)"
    elif ended == "flood":
        ended = "sent far too much data"
    return events, ended, current


def _parse(line: bytes) -> dict | None:
    try:
        event = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(event, dict) and isinstance(event.get("event"), str)):
        return None
    if event["event"] != "ready" and event["event"] != "done" and not isinstance(event.get("index"), int):
        return None
    return event


def run_notebook(cells: list[tuple[int, str]], probes: list[dict], limits: Limits) -> tuple[dict, dict]:
    """Run a submission in the sandbox until every probe has an answer.

    Returns ``(probe results by index, cell reports by index)``.
    """
    results: dict[int, dict] = {}
    reports: dict[int, dict] = {}
    skip: set[int] = set()
    by_index = {p["index"]: p for p in probes}
    with tempfile.TemporaryDirectory(prefix="gdlearn-grade-") as workdir:
        for _ in range(MAX_ATTEMPTS):
            pending = [p for p in probes if p["index"] not in results]
            if not pending:
                break
            job = {"cells": cells, "skip": sorted(skip), "probes": pending,
                   "timeout": limits.timeout, "memory_mb": limits.memory_mb}
            events, ended, current = _attempt(job, limits, workdir)
            for event in events:
                if event["event"] == "cell_done" and event["index"] not in skip:
                    reports[event["index"]] = event
                elif event["event"] == "probe_done" and event["index"] in by_index:
                    results.setdefault(event["index"], event)
            if ended is None:
                break
            if current is None:
                if not any(e["event"] == "ready" for e in events):
                    for p in pending:
                        results.setdefault(p["index"], {"status": "error", "error": f"the notebook {ended}"})
                    break
                # died between two steps: try again as it is
                continue
            kind, index = current
            if kind == "cell":
                reports[index] = {"index": index, "status": "killed", "error": ended}
                skip.add(index)
            else:
                hung = ended.startswith("timed out")
                results[index] = {"status": "timeout" if hung else "error", "error": f"the call {ended}"}
                # Calling it again would most likely do the same: its other cases score zero.
                name = by_index[index]["function"]
                for p in pending:
                    if p["function"] == name and p["index"] not in results:
                        results[p["index"]] = {"status": "skipped", "error": "not run: an earlier call of "
                                               f"`{name}` {'hung' if hung else 'ended the process'}"}
        for p in probes:
            results.setdefault(p["index"], {"status": "error",
                                            "error": "not run: the notebook failed too many times"})
    return results, reports


# --- scoring ----------------------------------------------------------------------------------

def _chapters_of(path: Path, sources: str, course: dict[str, Chapter]) -> list[str]:
    named = [slug for slug in course if slug in path.name]
    if named:
        return named[:1]
    ids = set(re.findall(r"""check\(\s*["'](ex\d\d_\d+)["']""", sources))
    by_ids = [slug for slug, ch in course.items() if ids & set(ch.exercises)]
    if by_ids:
        return by_ids
    defined = set(re.findall(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", sources, flags=re.M))
    return [slug for slug, ch in course.items() if defined & {e.function for e in ch.exercises.values()}]


def _cell_note(report: dict, cells: dict[int, str], timeout: float) -> str | None:
    index, status = report["index"], report.get("status")
    first = next((line.strip() for line in cells.get(index, "").splitlines() if line.strip()), "")
    where = f"cell {index} (`{first[:50]}`)"
    if status == "ok":
        return None
    if status == "timeout":
        return f"{where} timed out after {timeout:g} s and was interrupted"
    if status == "killed":
        return f"{where} {report.get('error')}; the notebook was graded again without it"
    if status == "memory":
        return f"{where} ran out of memory"
    line = f", line {report['line']}" if report.get("line") else ""
    return f"{where} {'raised ' if status == 'error' else ''}{report.get('error')}{line}"


def _defining_cell(name: str, cells: dict[int, str]) -> int | None:
    pattern = re.compile(rf"^\s*(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=)", re.M)
    return next((i for i, src in cells.items() if pattern.search(src)), None)


def _score_exercise(chapter: Chapter, ex, probe_ids: list[int], results: dict, cells: dict[int, str],
                    reports: dict, limits: Limits) -> ExerciseResult:
    rows = chapter.table()[ex.id]
    cases, counts = [], {"visible": 0, "hidden": 0}
    statuses = [results[i]["status"] for i in probe_ids]
    for row, i in zip(rows, probe_ids):
        kind = "visible" if row["visible"] else "hidden"
        counts[kind] += 1
        name = f"{ex.title}: {kind} test {counts[kind]}"
        r = results[i]
        passed, text = False, ""
        if r["status"] == "ok":
            passed, reason, hint = judge(row["expected"], r.get("output"), row["mistakes"], ex.rtol, ex.atol, ex.hint)
            text = "passed" if passed else (f"expected {show(row['expected'])}, got {show(r.get('output'))}: {reason}"
                                            + (f". Hint: {hint}" if hint else ""))
        elif r["status"] == "not attempted":
            text = f"not attempted: `{ex.function}` still raises NotImplementedError"
        elif r["status"] == "missing":
            text = f"no function named `{ex.function}` is defined"
        elif r["status"] == "timeout":
            text = f"did not return within {limits.timeout:g} s"
        else:
            line = f" (line {r['line']} of the function)" if r.get("line") else ""
            text = f"{r.get('error') or 'failed'}{line}"
        output = f"{'✓' if passed else '✗'} input: {row['label']}\n{text}"
        points = row["points"]
        cases.append(CaseResult(name=name, visible=row["visible"], score=points if passed else 0.0,
                                max_score=points, passed=passed, output=output))
    score = round(sum(c.score for c in cases), 4)
    n_passed = sum(c.passed for c in cases)
    if all(s == "missing" for s in statuses):
        status = "missing"
        message = f"no function named `{ex.function}` is defined"
        problems = [_cell_note(r, cells, limits.timeout) for r in reports.values()]
        problems = [p for p in problems if p]
        cell = _defining_cell(ex.function, cells)
        if cell is not None and cell in reports and _cell_note(reports[cell], cells, limits.timeout):
            message += f": {_cell_note(reports[cell], cells, limits.timeout)}"
        elif problems:
            message += f" (the notebook had problems: {problems[0]})"
    elif all(s == "not attempted" for s in statuses):
        status, message = "not attempted", f"not attempted: `{ex.function}` still raises NotImplementedError"
    else:
        status = "passed" if n_passed == len(cases) else ("partial" if n_passed else "failed")
        message = f"{n_passed} of {len(cases)} tests passed"
        if "timeout" in statuses:
            message += f"; some calls did not return within {limits.timeout:g} s"
    return ExerciseResult(id=ex.id, title=ex.title, function=ex.function, score=score,
                          max_score=round(ex.points, 4), status=status, message=message, cases=cases)


class Grader:
    """Grades notebooks against the solutions of a course (loaded once, reused for every submission)."""

    def __init__(self, solutions: str | Path | None = None, limits: Limits = Limits()):
        folder = find_solutions_dir(solutions)
        if folder is None:
            raise FileNotFoundError("no solutions/ folder found: pass --solutions PATH")
        self.solutions = folder
        self.course = load_course(folder)
        if not self.course:
            raise FileNotFoundError(f"{folder} holds no solution notebook (NN_slug.py)")
        for chapter in self.course.values():
            chapter.table()  # every expected value, computed once, here
        self.limits = limits

    def grade(self, path: str | Path) -> Submission:
        start = time.monotonic()
        path = Path(path)
        sub = Submission(path=str(path))
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise ValueError(f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB (clear its outputs)")
            all_cells = read_cells(path)
        except FileNotFoundError:
            sub.error = "the file does not exist"
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
            sub.error = f"could not read the notebook: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
        if sub.error is not None:  # still a row per exercise in the gradebook, if the name tells the chapter
            sub.chapters = [slug for slug in self.course if slug in path.name][:1]
            sub.exercises = [_zero(ex, sub.error) for slug in sub.chapters
                             for ex in self.course[slug].exercises.values()]
        else:
            cells = [(i, src) for i, (kind, src) in enumerate(all_cells, start=1) if kind == "code"]
            sub.chapters = _chapters_of(path, "\n".join(src for _, src in cells), self.course)
            if not sub.chapters:
                sub.error = ("could not tell which exercises this notebook answers "
                             f"(name it like one of: {', '.join(self.course)})")
        if sub.error is not None:
            sub.seconds = round(time.monotonic() - start, 3)
            return sub
        # check("ex02_1", my_gd): the student named the function otherwise; accept that name too.
        aliases: dict[str, list[str]] = {}
        for ex_id, name in re.findall(r"""check\(\s*["'](ex\d\d_\d+)["']\s*,\s*([A-Za-z_]\w*)\s*\)""",
                                      "\n".join(src for _, src in cells)):
            aliases.setdefault(ex_id, []).append(name)
        probes, plan = [], []
        for slug in sub.chapters:
            chapter = self.course[slug]
            for ex in chapter.exercises.values():
                ids = []
                for row in chapter.table()[ex.id]:
                    ids.append(len(probes))
                    probes.append({"index": len(probes), "function": ex.function,
                                   "aliases": aliases.get(ex.id, []), "args": row["args"], "kwargs": row["kwargs"]})
                plan.append((chapter, ex, ids))
        # A cell that only calls check() does not change the grade: skip it, it would
        # only run the student's functions once more.
        runnable = [(i, src) for i, src in cells if not _only_checks(src)]
        results, reports = run_notebook(runnable, probes, self.limits)
        cell_map = dict(cells)
        sub.exercises = [_score_exercise(ch, ex, ids, results, cell_map, reports, self.limits)
                         for ch, ex, ids in plan]
        sub.notes = [n for n in (_cell_note(r, cell_map, self.limits.timeout)
                                 for _, r in sorted(reports.items())) if n]
        sub.seconds = round(time.monotonic() - start, 3)
        return sub

    def grade_many(self, paths: list, jobs: int = 1) -> list[Submission]:
        """Grade ``paths``, ``jobs`` at a time; results in the order of ``paths``."""
        with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            return list(pool.map(self._grade_safely, paths))

    def _grade_safely(self, path) -> Submission:
        try:
            return self.grade(path)
        except Exception as exc:  # noqa: BLE001 - one broken submission never stops the batch
            return Submission(path=str(path), error=f"the grader could not grade it: {type(exc).__name__}: {exc}")


def _zero(ex, message: str) -> ExerciseResult:
    return ExerciseResult(id=ex.id, title=ex.title, function=ex.function, score=0.0,
                          max_score=round(ex.points, 4), status="missing", message=message)


def _only_checks(source: str) -> bool:
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
        for node in body)


def grade_notebooks(paths: list, *, solutions=None, timeout: float = 30.0, memory_mb: float = 2048.0,
                    jobs: int = 1) -> list[Submission]:
    """Grade notebooks; see :class:`Grader`."""
    return Grader(solutions, Limits(timeout=timeout, memory_mb=memory_mb)).grade_many(paths, jobs)
