"""Grade reports: JSON, CSV (a gradebook), Gradescope's ``results.json``; and the grader's command line.

::

    python -m gdlearn.grade NOTEBOOK... [--timeout S] [--total S] [--jobs N] [--memory MB]
                            [--format json|csv|gradescope] [--out PATH] [--solutions DIR]
                            [--chapter NN_slug] [--isolation auto|namespaces|process]

The command prints its isolation mode first, writes ``--out`` at once (every
submission "not graded" yet) and again, atomically, after each submission,
so a grader stopped mid-batch leaves a valid report with the grades so far.
It exits 0 whenever it could grade (a broken submission is a score, not an
error); 2 for a usage error, when no solutions are found, or when
``--isolation namespaces`` cannot be had.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from .grader import Grader, Limits, Submission

__all__ = ["to_json", "to_csv", "to_gradescope", "main", "CSV_COLUMNS", "VISIBILITIES"]

CSV_COLUMNS = ["submission", "exercise", "title", "function", "score", "max_score", "status", "message"]
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def _tests(sub: Submission, hidden_visibility: str, prefix: str = "") -> list[dict]:
    tests = []
    for ex in sub.exercises:
        if not ex.cases:  # the notebook could not be run at all
            tests.append({"name": prefix + ex.title, "score": 0.0, "max_score": ex.max_score, "status": "failed",
                          "output": ex.message, "visibility": "visible"})
        for case in ex.cases:
            tests.append({"name": prefix + case.name, "score": round(case.score, 6),
                          "max_score": round(case.max_score, 6),
                          "status": "passed" if case.passed else "failed", "output": case.output,
                          "visibility": "visible" if case.visible else hidden_visibility})
    if sub.error and not sub.exercises:
        tests.append({"name": prefix + "the notebook", "score": 0.0, "max_score": 0.0, "status": "failed",
                      "output": sub.error, "visibility": "visible"})
    return tests


def _summary(sub: Submission, public: bool = False) -> str:
    """The text summary; ``public``: what a student may see before hidden results are released
    (visible tests' points only, no count or total that includes hidden tests)."""
    if public:
        cases = [c for e in sub.exercises for c in e.cases if c.visible]
        got = sum(c.score for c in cases)
        lines = [f"{Path(sub.path).name}: visible tests {got:g} / {sum(c.max_score for c in cases):g} points "
                 "(hidden tests are graded too; their results come later)"]
    else:
        lines = [f"{Path(sub.path).name}: {sub.score:g} / {sub.max_score:g} points"]
    if sub.error:
        lines.append(f"  {sub.error}")
    for ex in sub.exercises:
        if public:
            lines.append(f"  {ex.title}: {ex.public_message or ex.message}")
        else:
            lines.append(f"  {ex.title}: {ex.score:g} / {ex.max_score:g} — {ex.message}")
    lines += [f"  note: {note}" for note in sub.notes]
    return "\n".join(lines)


def to_json(subs: list[Submission], hidden_visibility: str = "after_due_date") -> list[dict]:
    """One object per submission: ``submission``, ``score``, ``max_score``, ``tests``, ..."""
    return [{
        "submission": sub.path,
        "chapters": sub.chapters,
        "score": sub.score,
        "max_score": sub.max_score,
        "execution_time": sub.seconds,
        "error": sub.error,
        "notes": sub.notes,
        "exercises": [{"id": e.id, "title": e.title, "function": e.function, "score": e.score,
                       "max_score": e.max_score, "status": e.status, "message": e.message}
                      for e in sub.exercises],
        "isolation": sub.isolation,
        "tests": _tests(sub, hidden_visibility),
        "output": _summary(sub),
    } for sub in subs]


def to_csv(subs: list[Submission]) -> str:
    """One row per submission and exercise (:data:`CSV_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for sub in subs:
        for e in sub.exercises:
            writer.writerow({"submission": sub.path, "exercise": e.id, "title": e.title, "function": e.function,  # noqa: E501
                             "score": e.score, "max_score": e.max_score, "status": e.status, "message": e.message})
        if not sub.exercises:
            writer.writerow({"submission": sub.path, "exercise": "", "title": "", "function": "", "score": 0,
                             "max_score": 0, "status": "error", "message": sub.error or ""})
    return out.getvalue()


def to_gradescope(subs: list[Submission], hidden_visibility: str = "after_due_date") -> dict:
    """Gradescope's ``results.json`` for one student whose files are ``subs``.

    The visible ``output`` names visible tests only: with hidden tests not yet
    visible, the total score is left to Gradescope's own ``score`` handling
    and the summary shows no count of hidden tests.
    """
    several = len(subs) > 1
    public = hidden_visibility != "visible"
    tests = [t for sub in subs for t in _tests(sub, hidden_visibility, f"{Path(sub.path).name}: " if several else "")]
    return {
        "score": round(sum(sub.score for sub in subs), 4),
        "execution_time": round(sum(sub.seconds for sub in subs), 3),
        "output": "\n\n".join(_summary(sub, public) for sub in subs),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def pending(paths: list, done: list) -> list[Submission]:
    """``done`` with a placeholder for each submission not graded yet."""
    return [sub if sub is not None else Submission(path=str(path), error="not graded: the grader stopped before it")
            for path, sub in zip(paths, done)]


def render(subs: list[Submission], fmt: str, hidden_visibility: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(subs, hidden_visibility), indent=1, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(subs)
    return json.dumps(to_gradescope(subs, hidden_visibility), indent=1, ensure_ascii=False) + "\n"


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, readable by its owner only.

    A reader sees the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gdlearn.grade",
        description="Grade exercise notebooks on the visible and hidden tests of solutions/.")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help=".ipynb (or py:percent .py) files")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S",
                        help="wall-clock limit per cell and per call of a function, in seconds (default 30)")
    parser.add_argument("--memory", type=float, default=2048.0, metavar="MB",
                        help="memory limit of each submission's process, in MiB (default 2048)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="submissions graded at once (default 1)")
    parser.add_argument("--format", choices=("json", "csv", "gradescope"), default="json")
    parser.add_argument("--out", metavar="PATH", help="write the report there (default: standard output)")
    parser.add_argument("--solutions", metavar="DIR", help="the solution notebooks (default: ./solutions)")
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_due_date",
                        help="Gradescope visibility of the hidden tests (default after_due_date)")
    parser.add_argument("--isolation", choices=("auto", "namespaces", "process"), default="auto",
                        help="how student code is isolated (default auto: namespaces when root, see "
                             "gdlearn.grading.isolation); `namespaces` fails if it cannot be had")
    parser.add_argument("--chapter", action="append", metavar="NN_slug",
                        help="grade against this chapter only (repeatable)")
    parser.add_argument("--total", type=float, default=0.0, metavar="S",
                        help="wall-clock budget of each submission, all its runs (default 10 × --timeout, >= 60)")
    parser.add_argument("--quiet", action="store_true", help="no summary on standard error")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.memory < 256 or not 1 <= args.jobs <= 16:
        parser.error("--timeout must be > 0, --memory >= 256 and --jobs from 1 to 16")
    limits = Limits(timeout=args.timeout, memory_mb=args.memory, total=args.total)
    fmt, visibility = args.format, args.hidden_visibility
    if args.out:  # a report at once: a grader stopped before the end leaves a valid file
        write_atomically(args.out, render(pending(args.notebooks, [None] * len(args.notebooks)), fmt, visibility))
    try:
        grader = Grader(args.solutions, limits, None if args.isolation == "auto" else args.isolation, args.chapter)
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(grader.isolation.describe(), file=sys.stderr)
    start = time.monotonic()

    def progress(done: list) -> None:
        if args.out:
            write_atomically(args.out, render(pending(args.notebooks, done), fmt, visibility))

    subs = grader.grade_many(args.notebooks, jobs=args.jobs, on_done=progress)
    text = render(subs, fmt, visibility)
    if args.out:
        write_atomically(args.out, text)
    else:
        sys.stdout.write(text)
    if not args.quiet:
        for sub in subs:
            print(_summary(sub), file=sys.stderr)
        print(f"graded {len(subs)} notebook(s) in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return 0
