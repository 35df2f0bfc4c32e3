"""Grade reports: JSON, CSV (a gradebook), Gradescope's ``results.json``; and the grader's command line.

::

    python -m gdlearn.grade NOTEBOOK... [--timeout S] [--jobs N] [--memory MB]
                            [--format json|csv|gradescope] [--out PATH] [--solutions DIR]

The command exits 0 whenever it could grade (a broken submission is a score,
not an error); 2 for a usage error or when no solutions are found.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
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


def _summary(sub: Submission) -> str:
    lines = [f"{Path(sub.path).name}: {sub.score:g} / {sub.max_score:g} points"]
    if sub.error:
        lines.append(f"  {sub.error}")
    for ex in sub.exercises:
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
            writer.writerow({"submission": sub.path, "exercise": e.id, "title": e.title, "function": e.function,
                             "score": e.score, "max_score": e.max_score, "status": e.status, "message": e.message})
        if not sub.exercises:
            writer.writerow({"submission": sub.path, "exercise": "", "title": "", "function": "", "score": 0,
                             "max_score": 0, "status": "error", "message": sub.error or ""})
    return out.getvalue()


def to_gradescope(subs: list[Submission], hidden_visibility: str = "after_due_date") -> dict:
    """Gradescope's ``results.json`` for one student whose files are ``subs``."""
    several = len(subs) > 1
    tests = [t for sub in subs for t in _tests(sub, hidden_visibility, f"{Path(sub.path).name}: " if several else "")]
    return {
        "score": round(sum(sub.score for sub in subs), 4),
        "execution_time": round(sum(sub.seconds for sub in subs), 3),
        "output": "\n\n".join(_summary(sub) for sub in subs),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


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
    parser.add_argument("--quiet", action="store_true", help="no summary on standard error")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.memory < 256 or args.jobs < 1:
        parser.error("--timeout must be > 0, --memory >= 256 and --jobs >= 1")
    try:
        grader = Grader(args.solutions, Limits(timeout=args.timeout, memory_mb=args.memory))
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = time.monotonic()
    subs = grader.grade_many(args.notebooks, jobs=args.jobs)
    if args.format == "json":
        text = json.dumps(to_json(subs, args.hidden_visibility), indent=1, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = to_csv(subs)
    else:
        text = json.dumps(to_gradescope(subs, args.hidden_visibility), indent=1, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if not args.quiet:
        for sub in subs:
            print(_summary(sub), file=sys.stderr)
        print(f"graded {len(subs)} notebook(s) in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return 0
