"""Package the grader as a Gradescope autograder: one chapter per zip.

::

    python -m gdlearn.grading.gradescope 02_gradient_descent autograder.zip
        [--timeout 20] [--memory 768] [--total 420] [--hidden-visibility after_due_date]

The zip holds ``setup.sh`` (run once by Gradescope, as root: a venv with the
course library, every package pinned by ``constraints.txt``, the versions
this zip was built with), ``run_autograder`` (run for each submission), the
library and **only this chapter's** solution, which ``setup.sh`` and
``run_autograder`` make readable by root only.

``run_autograder`` writes a valid ``results/results.json`` before anything
else (score 0, "the autograder did not finish"), then runs
``python -m gdlearn.grading.gradescope run``, which grades **one** notebook:
the one whose name holds the chapter's name (e.g. ``02_gradient_descent``),
else each ``.ipynb`` (up to :data:`MAX_NOTEBOOKS`) keeping the best score of
each exercise — never more than the chapter's points. Student code runs in
the grader's namespaces as another user (see :mod:`gdlearn.grading.isolation`)
when the container allows it; the mode is printed in the autograder's log.

The defaults fit Gradescope's default container (768 MB of memory, a
10-minute limit per submission): 20 s per cell or call, 768 MiB for the
whole submission, 420 s of wall-clock for it in all.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

from .course import SLUG
from .release import SKIP_DIRS, find_root
from .report import VISIBILITIES, to_gradescope, write_atomically

__all__ = ["build_zip", "main", "pins", "select_notebooks", "MAX_NOTEBOOKS"]

MAX_NOTEBOOKS = 3

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-pip python3-venv util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q -c /autograder/source/constraints.txt /autograder/source
chmod -R go-rwx /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root. AUTOGRADER and GDLEARN_PYTHON
# let you try it on your own machine.
set -uo pipefail
AUTOGRADER="${{AUTOGRADER:-/autograder}}"
PYTHON="${{GDLEARN_PYTHON:-$AUTOGRADER/venv/bin/python}}"
mkdir -p "$AUTOGRADER/results"
chmod 700 "$AUTOGRADER/results" "$AUTOGRADER/source" 2>/dev/null
# A valid results.json first: whatever happens next, Gradescope gets one.
printf '%s\\n' '{{"score": 0, "output": "The autograder did not finish: ask your teacher.", "tests": [], "visibility": "visible", "stdout_visibility": "hidden"}}' \\
    > "$AUTOGRADER/results/results.json"
cd "$AUTOGRADER/source"
exec "$PYTHON" -m gdlearn.grading.gradescope run --chapter {chapter} \\
    --submission "$AUTOGRADER/submission" --solutions "$AUTOGRADER/source/solutions" \\
    --out "$AUTOGRADER/results/results.json" --timeout {timeout:g} --memory {memory:g} --total {total:g} \\
    --hidden-visibility {visibility}
"""


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False, private: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same zip for the same course
    mode = 0o755 if executable else (0o600 if private else 0o644)
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def pins() -> str:
    """``name==version`` of every distribution installed here but gdlearn: pip constraints."""
    from importlib import metadata

    lines = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() != "gdlearn":
            lines.add(f"{name}=={dist.version}")
    return "".join(line + "\n" for line in sorted(lines, key=str.lower))


def build_zip(root: Path, dest: Path, chapter: str, timeout: float = 20.0, memory: float = 768.0,
              total: float = 420.0, hidden_visibility: str = "after_due_date") -> list[str]:
    """Write the autograder zip ``dest`` for ``chapter`` of the course at ``root``; return the names it holds."""
    solution = root / "solutions" / f"{chapter}.py"
    if not SLUG.match(chapter) or not solution.is_file():
        known = ", ".join(p.stem for p in sorted((root / "solutions").glob("*.py")) if SLUG.match(p.stem))
        raise ValueError(f"chapter: no solutions/{chapter}.py (one of: {known})")
    files = [root / "pyproject.toml"]
    files += sorted(p for p in (root / "gdlearn").rglob("*")
                    if p.is_file() and not SKIP_DIRS.intersection(p.parts) and p.suffix != ".pyc")
    names = []
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as zf:
        _add(zf, "setup.sh", SETUP.encode(), executable=True)
        _add(zf, "run_autograder", RUN.format(chapter=chapter, timeout=timeout, memory=memory, total=total,
                                              visibility=hidden_visibility).encode(), executable=True)
        _add(zf, "constraints.txt", pins().encode())
        names += ["setup.sh", "run_autograder", "constraints.txt"]
        for path in files:
            name = path.relative_to(root).as_posix()
            _add(zf, name, path.read_bytes())
            names.append(name)
        _add(zf, f"solutions/{chapter}.py", solution.read_bytes(), private=True)
        names.append(f"solutions/{chapter}.py")
    return names


def select_notebooks(folder: Path, chapter: str) -> list[Path]:
    """The notebook to grade: the one named like ``chapter``, else up to :data:`MAX_NOTEBOOKS` ``.ipynb``.

    Symbolic links and anything but regular files are left out; so are checkpoints.
    """
    found: list[Path] = []
    seen = 0
    for top, dirs, files in os.walk(folder, followlinks=False):   # never follows a link out of the folder
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for name in sorted(files):
            seen += 1
            path = Path(top) / name
            if name.endswith(".ipynb") and not path.is_symlink() and path.is_file():
                found.append(path)
        if seen > 10_000 or len(found) > 200:
            break
    found.sort()
    named = [p for p in found if chapter in p.name]
    if named:
        return named[:1]
    return found[:MAX_NOTEBOOKS]


def best_of(subs: list) -> "object":
    """One submission made of the best result of each exercise among ``subs`` (same chapter)."""
    from .grader import Submission

    graded = [s for s in subs if s.exercises]
    if not graded:
        return subs[0]
    best = {}
    for sub in graded:
        for ex in sub.exercises:
            if ex.id not in best or ex.score > best[ex.id].score:
                best[ex.id] = ex
    first = graded[0]
    merged = Submission(path=", ".join(Path(s.path).name for s in subs), chapters=first.chapters,
                        exercises=[best[e.id] for e in first.exercises], isolation=first.isolation,
                        seconds=round(sum(s.seconds for s in subs), 3))
    merged.notes = [n for s in graded for n in s.notes][:10]
    merged.error = None
    return merged


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gdlearn.grading.gradescope run",
                                     description="Grade one Gradescope submission (what run_autograder calls).")
    parser.add_argument("--chapter", required=True)
    parser.add_argument("--submission", required=True)
    parser.add_argument("--solutions", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory", type=float, default=768.0)
    parser.add_argument("--total", type=float, default=420.0)
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_due_date")
    parser.add_argument("--isolation", choices=("auto", "namespaces", "process"), default="auto")
    args = parser.parse_args(argv)
    from .grader import Grader, Limits, Submission

    try:
        grader = Grader(args.solutions, Limits(timeout=args.timeout, memory_mb=args.memory, total=args.total),
                        None if args.isolation == "auto" else args.isolation, [args.chapter])
        print(grader.isolation.describe(), file=sys.stderr)
        paths = select_notebooks(Path(args.submission), args.chapter)
        if not paths:
            sub = Submission(path="(no notebook)", chapters=[args.chapter],
                             error=f"no .ipynb notebook was submitted (name it {args.chapter}.ipynb)")
            subs = [sub]
        else:
            subs = [best_of(grader.grade_many(paths, jobs=1))]
        results = to_gradescope(subs, args.hidden_visibility)
        chapter_points = sum(ex.points for ex in grader.course[args.chapter].exercises.values())
        results["score"] = round(min(results["score"], chapter_points), 4)
        if len(paths) > 1:
            results["output"] = (f"No notebook named {args.chapter}.ipynb: graded {len(paths)} notebooks, "
                                 "the best result of each exercise counts.\n\n" + results["output"])
    except Exception as exc:  # noqa: BLE001 - Gradescope must get a valid results.json
        results = {"score": 0, "tests": [], "visibility": "visible", "stdout_visibility": "hidden",
                   "output": f"The autograder failed ({type(exc).__name__}); your teacher has the details."}
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        write_atomically(args.out, json.dumps(results, indent=1) + "\n")
        return 1
    write_atomically(args.out, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        return run(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m gdlearn.grading.gradescope",
                                     description="Write a Gradescope autograder zip for one chapter.")
    parser.add_argument("chapter", help="the chapter, e.g. 02_gradient_descent")
    parser.add_argument("dest", help="the zip to write, e.g. autograder-02.zip")
    parser.add_argument("--root", help="the course repository (default: here, or the package's)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per cell or call (default 20)")
    parser.add_argument("--memory", type=float, default=768.0, help="MiB for the submission (default 768)")
    parser.add_argument("--total", type=float, default=420.0,
                        help="wall-clock seconds for the whole submission (default 420; Gradescope stops at 600)")
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_due_date",
                        help="when students see the hidden tests' results (default after_due_date)")
    args = parser.parse_args(argv)
    root = find_root(args.root)
    if not (root / "solutions").is_dir():
        print(f"error: {root} has no solutions/ folder", file=sys.stderr)
        return 2
    try:
        names = build_zip(root, Path(args.dest), args.chapter, args.timeout, args.memory, args.total,
                          args.hidden_visibility)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.dest} ({len(names)} files, chapter {args.chapter}): upload it as the assignment's "
          "autograder on Gradescope")
    return 0


if __name__ == "__main__":
    sys.exit(main())
