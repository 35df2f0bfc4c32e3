"""Package the grader as a Gradescope autograder (a zip to upload as the assignment's autograder).

::

    python -m gdlearn.grading.gradescope autograder.zip [--timeout 60] [--memory 2048]
                                         [--hidden-visibility after_due_date]

The zip holds ``setup.sh`` (run once by Gradescope: a venv with the course
library), ``run_autograder`` (run for each submission: grades every
``.ipynb`` the student uploaded and writes ``results/results.json``), the
library and ``solutions/*.py``. The solutions sit in the autograder's image,
out of the students' reach but not out of their code's: Gradescope runs the
submission in the same container, as every notebook autograder does.
"""

from __future__ import annotations

import argparse
import stat
import sys
import zipfile
from pathlib import Path

from .course import SLUG
from .release import SKIP_DIRS, find_root
from .report import VISIBILITIES

__all__ = ["build_zip", "main"]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: it grades every notebook the student
# uploaded and writes results/results.json. AUTOGRADER and GDLEARN_PYTHON let you
# try it on your own machine.
set -uo pipefail
AUTOGRADER="${{AUTOGRADER:-/autograder}}"
PYTHON="${{GDLEARN_PYTHON:-$AUTOGRADER/venv/bin/python}}"
mkdir -p "$AUTOGRADER/results"
notebooks=()
while IFS= read -r -d '' path; do notebooks+=("$path"); done < <(
    find "$AUTOGRADER/submission" -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z)
if [ ${{#notebooks[@]}} -eq 0 ]; then
    notebooks=("$AUTOGRADER/submission/no notebook (.ipynb) was submitted")
fi
cd "$AUTOGRADER/source"
exec "$PYTHON" -m gdlearn.grade "${{notebooks[@]}}" --solutions "$AUTOGRADER/source/solutions" \\
    --format gradescope --out "$AUTOGRADER/results/results.json" --timeout {timeout:g} --memory {memory:g} \\
    --hidden-visibility {visibility}
"""


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same zip for the same course
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_zip(root: Path, dest: Path, timeout: float = 60.0, memory: float = 2048.0,
              hidden_visibility: str = "after_due_date") -> list[str]:
    """Write the autograder zip ``dest`` for the course at ``root``; return the names it holds."""
    files = [root / "pyproject.toml"]
    files += sorted(p for p in (root / "gdlearn").rglob("*")
                    if p.is_file() and not SKIP_DIRS.intersection(p.parts) and p.suffix != ".pyc")
    files += sorted(p for p in (root / "solutions").glob("*.py") if SLUG.match(p.stem))
    names = []
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as zf:
        _add(zf, "setup.sh", SETUP.encode(), executable=True)
        _add(zf, "run_autograder", RUN.format(timeout=timeout, memory=memory, visibility=hidden_visibility).encode(), executable=True)
        names += ["setup.sh", "run_autograder"]
        for path in files:
            name = path.relative_to(root).as_posix()
            _add(zf, name, path.read_bytes())
            names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gdlearn.grading.gradescope",
                                     description="Write a Gradescope autograder zip for this course.")
    parser.add_argument("dest", help="the zip to write, e.g. autograder.zip")
    parser.add_argument("--root", help="the course repository (default: here, or the package's)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    parser.add_argument("--memory", type=float, default=2048.0, help="MiB per submission (default 2048)")
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_due_date",
                        help="when students see the hidden tests' results (default after_due_date)")
    args = parser.parse_args(argv)
    root = find_root(args.root)
    if not (root / "solutions").is_dir():
        print(f"error: {root} has no solutions/ folder", file=sys.stderr)
        return 2
    names = build_zip(root, Path(args.dest), args.timeout, args.memory, args.hidden_visibility)
    print(f"wrote {args.dest} ({len(names)} files): upload it as the assignment's autograder on Gradescope")
    return 0


if __name__ == "__main__":
    sys.exit(main())
