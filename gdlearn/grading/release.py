"""Release: the students' exercises from the teacher's solutions, in one command.

::

    python -m gdlearn.grading.release                     # write exercises/ and the check data
    python -m gdlearn.grading.release --check             # exit 1 if exercises/ is stale or leaks
    python -m gdlearn.grading.release --student-copy DIR  # the course without solutions/hidden tests

For each ``solutions/NN_slug.py`` (py:percent; its ``.ipynb`` twin is kept by
jupytext) it writes

* ``exercises/NN_slug.py`` and its ``.ipynb`` twin (no outputs): every
  ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block replaced by a stub
  with the same indentation, every ``### BEGIN HIDDEN TESTS`` …
  ``### END HIDDEN TESTS`` block removed (a cell left empty disappears),
  everything else identical;
* ``gdlearn/grading/checks/NN_slug.json``: the visible cases, the
  reference's outputs on them and the classic mistakes' outputs, which
  :func:`gdlearn.grading.check` reads (no hidden case, no solution code).

The output is deterministic: the same solutions give the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import shutil
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

from .course import (MarkerError, SolutionError, _scan, hidden_blocks, load_chapter,
                     student_source, SLUG)

__all__ = ["build", "stale", "write", "check_data_differences", "find_leaks", "secret_lines", "student_copy", "main"]

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CHECKS = Path("gdlearn") / "grading" / "checks"
# Never in a student copy: the sources of the answers, and what grades against them.
PRIVATE = ("solutions/", "tests/test_grading", "tests/test_grader_hostile", "tests/test_release.py",
           "tests/fixtures/grading/", "benchmarks/grade_bench.py")

STUDENT_README = """\
# gdlearn — gradient descent, hands on (your copy)

This is the course without its answers: the chapters (`chapters/`), the exercise
notebooks (`exercises/`) and the `gdlearn` library they use.

## Start

```bash
make lab        # installs the course in .venv and opens JupyterLab
```

(or open a chapter in Binder or Colab from its first cell). Read a chapter in
`chapters/`, then do its exercises in `exercises/NN_slug.ipynb` (same number).

## Work on an exercise

Each exercise asks for one function. Replace the two lines

```python
# YOUR CODE HERE
raise NotImplementedError("replace this line with your code")
```

with your code, and run the cell below it: `check("exNN_k", your_function)`
runs the **visible tests** and shows a table — each input, what was expected,
what your function returned, and a hint for the classic mistakes. It stops a
case after 10 seconds (an endless loop is reported, not hung). Some rules it
checks besides the value:

- your function must not change its inputs (work on a copy: `x = np.array(x0, dtype=float)`);
- a float32 result is accepted with a tolerance that fits float32 (you are told so);
- where an exercise says a library function is not allowed (e.g. `gdlearn.optim.sgd`
  for the momentum exercises), that function raises an error while your function is checked.

The grader runs the same visible tests and **hidden tests** besides (other inputs
of the same kind), so a function that only passes the visible ones may lose points.

## Hand in

1. *Run ▸ Restart Kernel and Run All Cells*: the notebook must run top to bottom;
   every `check` should show ✓.
2. Save, and hand in the `.ipynb` file **under its own name** (e.g.
   `02_gradient_descent.ipynb`), one notebook per chapter, as your teacher asks
   (on Gradescope: upload just that file).

Your notebook is graded in a fresh process, with a time limit per cell and per
call and a memory limit: a cell that loops forever or crashes costs only the
exercises it breaks. Keep long experiments out of the notebook you hand in.
"""
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints",
             "build", "dist", "node_modules", ".mypy_cache", ".ruff_cache"}


def find_root(explicit: str | Path | None = None) -> Path:
    """The course repository: ``explicit``, else the current folder if it has solutions/, else the package's."""
    if explicit:
        return Path(explicit).resolve()
    if (Path.cwd() / "solutions").is_dir():
        return Path.cwd()
    return PACKAGE_ROOT


def solution_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "solutions").glob("*.py") if SLUG.match(p.stem))


def _jupytext_config(path: Path):
    from jupytext.config import load_jupytext_config

    return load_jupytext_config(str(path.resolve()))


def exercise_notebook(solution: Path, root: Path) -> tuple[str, str]:
    """``(py_text, ipynb_text)`` of the student's version of ``solution``."""
    import jupytext

    slug = solution.stem
    config = _jupytext_config(root / "exercises" / f"{slug}.py")
    nb = jupytext.read(solution, config=_jupytext_config(solution))
    cells = []
    for n, cell in enumerate(nb.cells, start=1):
        where = f"{solution.name}, cell {n}"
        if cell.cell_type == "code":
            source = student_source(cell.source, where)
        else:
            if any(kind.endswith("solution") for kind, _ in _scan(cell.source, where)):
                raise MarkerError(f"{where}: solution markers belong in code cells")
            source = student_source(cell.source, where)
        if not source.strip() and source != cell.source:
            continue  # the cell held only hidden tests
        cell.source = source
        cell.id = f"{slug.replace('_', '-')}-{len(cells) + 1:02d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    py_text = jupytext.writes(nb, "py:percent", config=config)
    ipynb_text = jupytext.writes(nb, "ipynb", config=config)
    return py_text, ipynb_text if ipynb_text.endswith("\n") else ipynb_text + "\n"


def build(root: Path) -> dict[Path, str]:
    """Every generated file (path relative to ``root``) and its content."""
    out: dict[Path, str] = {}
    for solution in solution_paths(root):
        slug = solution.stem
        py_text, ipynb_text = exercise_notebook(solution, root)
        out[Path("exercises") / f"{slug}.py"] = py_text
        out[Path("exercises") / f"{slug}.ipynb"] = ipynb_text
        data = load_chapter(solution).check_data()
        out[CHECKS / f"{slug}.json"] = dump_check_data(data)
    return out


def dump_check_data(data: dict) -> str:
    """JSON with one line per case, so that a changed case is a one-line diff."""
    def one(value) -> str:
        return json.dumps(value, ensure_ascii=True)

    lines = ["{", f' "chapter": {one(data["chapter"])},', f' "note": {one(data["note"])},', ' "exercises": {']
    exercises = list(data["exercises"].items())
    for i, (ex_id, ex) in enumerate(exercises):
        lines.append(f"  {one(ex_id)}: {{")
        for key, value in ex.items():
            if key != "cases":
                lines.append(f"   {one(key)}: {one(value)},")
        lines.append('   "cases": [')
        lines += [f"    {one(case)}" + ("," if j < len(ex["cases"]) - 1 else "") for j, case in enumerate(ex["cases"])]
        lines.append("   ]")
        lines.append("  }" + ("," if i < len(exercises) - 1 else ""))
    lines += [" }", "}"]
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == json.loads(json.dumps(data)), "dump_check_data lost something"
    return text


def _generated_files(root: Path) -> set[Path]:
    """Files in the generated places now (to find stale ones without a solution)."""
    found = {p.relative_to(root) for p in (root / "exercises").glob("*.py") if SLUG.match(p.stem)}
    found |= {p.relative_to(root) for p in (root / "exercises").glob("*.ipynb") if SLUG.match(p.stem)}
    found |= {p.relative_to(root) for p in (root / CHECKS).glob("*.json")}
    return found


RTOL, ATOL = 1e-9, 1e-12   # check data: numbers agree to 9 digits (another CPU rounds the last ones)


def _float_gaps(old, new, where: str, out: list) -> bool:
    """Walk two JSON values; collect ``(gap, where)`` for numbers that differ; False if anything
    else (a key, a string, a length, a type) differs."""
    if isinstance(old, bool) or isinstance(new, bool) or old is None or new is None:
        return old == new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        if old == new or (old != old and new != new):  # equal, or both NaN
            return True
        gap = abs(old - new)
        if gap != gap or gap == float("inf"):
            return False
        out.append((gap / max(abs(old), abs(new)), gap, where, old, new))
        return True
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_float_gaps(a, b, where, out) for a, b in zip(old, new))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_float_gaps(old[k], new[k], where, out) for k in old)
    return old == new


def check_data_differences(committed: str, regenerated: str) -> list[str]:
    """How two check-data files differ, numbers compared with :data:`RTOL` / :data:`ATOL`.

    Returns plain-words problems, each naming the exercise, the case and the largest
    difference; an empty list when they agree.

    Examples
    --------
    >>> a = '{"exercises": {"ex01_1": {"cases": [{"expected": 0.1}]}}}'
    >>> check_data_differences(a, a.replace("0.1", "0.10000000000000003"))
    []
    >>> check_data_differences(a, a.replace("0.1", "0.2"))
    ['ex01_1, case 1: numbers differ by up to 0.1 (relative 0.5; 0.1 vs 0.2)']
    """
    try:
        old, new = json.loads(committed), json.loads(regenerated)
    except ValueError as exc:
        return [f"not JSON ({exc})"]
    problems = []
    old_ex, new_ex = old.get("exercises", {}), new.get("exercises", {})
    if old_ex.keys() != new_ex.keys() or {k: v for k, v in old.items() if k != "exercises"} != \
            {k: v for k, v in new.items() if k != "exercises"}:
        problems.append(f"the exercises differ: {sorted(old_ex)} vs {sorted(new_ex)}")
    for ex_id in sorted(old_ex.keys() & new_ex.keys()):
        a, b = old_ex[ex_id], new_ex[ex_id]
        gaps: list = []
        same = _float_gaps({k: v for k, v in a.items() if k != "cases"}, {k: v for k, v in b.items() if k != "cases"},
                           ex_id, gaps)
        if not same or any(g[1] > ATOL + RTOL * max(abs(g[3]), abs(g[4])) for g in gaps):
            problems.append(f"{ex_id}: its settings (title, points, tolerances, hints) differ")
        cases_a, cases_b = a.get("cases", []), b.get("cases", [])
        if len(cases_a) != len(cases_b):
            problems.append(f"{ex_id}: {len(cases_a)} cases committed, {len(cases_b)} made")
        for n, (ca, cb) in enumerate(zip(cases_a, cases_b), start=1):
            gaps: list = []
            if not _float_gaps(ca, cb, f"{ex_id}, case {n}", gaps):
                problems.append(f"{ex_id}, case {n}: differs (not only in its numbers)")
                continue
            bad = [g for g in gaps if g[1] > ATOL + RTOL * max(abs(g[3]), abs(g[4]))]
            if bad:
                rel, gap, where, x, y = max(bad, key=lambda g: g[1])
                problems.append(f"{where}: numbers differ by up to {gap:.3g} (relative {rel:.3g}; {x!r} vs {y!r})")
    return problems


def stale(root: Path, outputs: dict[Path, str]) -> list[str]:
    """What differs between ``outputs`` and the files on disk, in words.

    Notebooks must be identical; check data (``*.json``) must hold the same
    structure and text, and numbers equal within :data:`RTOL` (relative) /
    :data:`ATOL`: another CPU's floating-point kernels change the last digits.
    """
    problems = []
    for rel, text in outputs.items():
        path = root / rel
        if not path.exists():
            problems.append(f"{rel}: missing")
            continue
        on_disk = path.read_text(encoding="utf-8")
        if on_disk == text:
            continue
        if rel.suffix == ".json":
            problems += [f"{rel}: {p}" for p in check_data_differences(on_disk, text)]
        else:
            problems.append(f"{rel}: differs from what the release step makes of solutions/")
    for rel in sorted(_generated_files(root) - set(outputs)):
        problems.append(f"{rel}: has no solution in solutions/ (delete it)")
    return problems


def write(root: Path, outputs: dict[Path, str]) -> list[Path]:
    """Write ``outputs`` under ``root`` and delete generated files without a solution.

    Check data equal to the file on disk within the tolerances is left alone (the
    same data made on another CPU does not churn the repository).
    """
    changed = []
    for rel, text in outputs.items():
        path = root / rel
        if path.exists() and rel.suffix == ".json" and not check_data_differences(
                path.read_text(encoding="utf-8"), text):
            continue
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(rel)
    for rel in sorted(_generated_files(root) - set(outputs)):
        (root / rel).unlink()
        changed.append(rel)
    return changed


# --- leaks ------------------------------------------------------------------------

def _is_secret(line: str, data_only: bool = False) -> bool:
    """Worth looking for: not short, not a comment, an import or a lone string (a hint's words).

    With ``data_only``, the line must also carry data — a number, or a string
    of 8 characters or more — so that a common idiom (``x = np.asarray(x)``)
    is not taken for a hidden test.
    """
    text = line.strip()
    if len(text) < 20 or text.startswith(("#", "import ", "from ")):
        return False
    try:
        node = ast.parse(text.rstrip(",").strip(), mode="eval").body
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return False  # a piece of a hint or a title: published on purpose
    except SyntaxError:
        pass
    if not data_only:
        return True
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(t.type == tokenize.NUMBER or (t.type == tokenize.STRING and len(t.string) >= 10)
               for t in tokens)


def secret_lines(root: Path) -> tuple[set[str], set[str]]:
    """``(hidden, solution)``: the significant lines of the hidden-test and of the solution blocks.

    Lines that the students see anyway (in the exercise notebooks) are left out.
    """
    import jupytext

    hidden, solution, public = set(), set(), ""
    for path in solution_paths(root):
        public += exercise_notebook(path, root)[0]
        for cell in jupytext.read(path, fmt="py:percent").cells:
            for block in hidden_blocks(cell.source):
                hidden |= {line.strip() for line in block.splitlines() if _is_secret(line, data_only=True)}
            solution |= {line.strip() for kind, line in _scan(cell.source)
                         if kind == "solution" and _is_secret(line)}
    return ({line for line in hidden if line not in public},
            {line for line in solution - hidden if line not in public})


def _text_files(folder: Path):
    if folder.is_file():
        yield folder
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not SKIP_DIRS.intersection(path.parts) and path.suffix not in (".pyc", ".png"):
            yield path


def find_leaks(root: Path, places: list[Path] | None = None, secrets=None) -> list[str]:
    """Where a line of a hidden-test block (anywhere) or of a solution (in exercises/) shows up.

    ``places`` defaults to ``exercises/`` and ``gdlearn/`` under ``root``.
    """
    hidden, solution = secrets if secrets is not None else secret_lines(root)
    places = places if places is not None else [root / "exercises", root / "gdlearn"]
    leaks = []
    for place in places:
        for path in _text_files(place):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            # A notebook's JSON escapes quotes: look in the decoded cell sources too.
            if path.suffix == ".ipynb":
                try:
                    text += "\n".join("".join(c.get("source", "")) for c in json.loads(text).get("cells", []))
                except (ValueError, AttributeError):
                    pass
            lookup = hidden | (solution if "exercises" in path.parts else set())
            for line in sorted(lookup):
                if line in text:
                    kind = "hidden-test" if line in hidden else "solution"
                    leaks.append(f"{path}: holds {kind} text: {line[:80]}")
    return leaks


def hidden_cases_published(root: Path) -> list[str]:
    """Hidden cases whose inputs appear among the published (visible) cases."""
    problems = []
    for solution in solution_paths(root):
        chapter = load_chapter(solution)
        for ex_id, rows in chapter.table().items():
            visible = [(r["args"], r["kwargs"]) for r in rows if r["visible"]]
            for r in rows:
                if not r["visible"] and (r["args"], r["kwargs"]) in visible:
                    problems.append(f"{solution.name}: {ex_id} has a hidden case equal to a visible one")
    return problems


# --- the student's copy ---------------------------------------------------------------

def _course_files(root: Path) -> list[Path]:
    """The repository's files (git's view when it is a git work tree), relative to ``root``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, check=True).stdout
        files = [Path(p) for p in listed.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(root) for p in root.rglob("*")
                 if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(root).parts)]
    return sorted(f for f in files if (root / f).is_file() and not SKIP_DIRS.intersection(f.parts))


def student_copy(root: Path, dest: Path) -> list[Path]:
    """Copy the course to ``dest`` without solutions, hidden tests or the tests that use them.

    The generated files (exercises, check data) are built fresh from
    ``solutions/``. Every copied file is then searched for hidden-test and
    solution text; any hit aborts the copy (``dest`` is left untouched).
    """
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    outputs = build(root)
    secrets = secret_lines(root)
    with tempfile.TemporaryDirectory(prefix="gdlearn-student-") as tmp:
        staging = Path(tmp) / "course"
        copied = []
        for rel in _course_files(root):
            posix = rel.as_posix()
            if any(posix == p or posix.startswith(p) for p in PRIVATE) or rel in outputs:
                continue
            if rel.parts[0] == "exercises" or rel.parent == CHECKS:
                continue  # generated: written below from solutions/
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, staging / rel)
            copied.append(rel)
        write(staging, outputs)
        copied += list(outputs)
        (staging / "README.md").write_text(STUDENT_README, encoding="utf-8")  # the teacher's README stays home
        if Path("README.md") not in copied:
            copied.append(Path("README.md"))
        hidden, solution = secrets
        leaks = find_leaks(staging, [staging], (hidden, set()))
        leaks += find_leaks(staging, [staging / "exercises"], (set(), solution))
        if leaks:
            raise SolutionError("the student copy would leak:\n  " + "\n  ".join(leaks))
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.rmdir()
        shutil.copytree(staging, dest, symlinks=True)
    return sorted(copied)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gdlearn.grading.release",
        description="Generate exercises/ (and the data of check()) from solutions/.")
    parser.add_argument("--root", help="the course repository (default: here, or the package's)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 if exercises/ or the check data are stale, or leak")
    group.add_argument("--student-copy", metavar="DEST",
                       help="write a copy of the course for students (no solutions/, no hidden tests)")
    args = parser.parse_args(argv)
    root = find_root(args.root)
    if not (root / "solutions").is_dir():
        print(f"error: {root} has no solutions/ folder", file=sys.stderr)
        return 2
    try:
        if args.student_copy:
            files = student_copy(root, Path(args.student_copy))
            print(f"wrote a student copy of the course to {args.student_copy} ({len(files)} files); "
                  "it holds no solutions and no hidden tests")
            return 0
        outputs = build(root)
        if args.check:
            problems = stale(root, outputs) + find_leaks(root) + hidden_cases_published(root)
            for line in problems:
                print(line)
            if problems:
                print("run `python -m gdlearn.grading.release` to regenerate exercises/", file=sys.stderr)
            return 1 if problems else 0
        changed = write(root, outputs)
        leaks = find_leaks(root)
        for rel in changed:
            print(f"wrote {rel}")
        print(f"{len(outputs) // 3} exercise notebooks up to date" + (f", {len(changed)} files changed" if changed else ""))
        for line in leaks:
            print(line, file=sys.stderr)
        return 1 if leaks else 0
    except (MarkerError, SolutionError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
