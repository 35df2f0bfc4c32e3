"""The release step: exercises/ is exactly what it makes of solutions/, and nothing hidden leaks.

If a test here fails after you edited a solution notebook, regenerate with::

    .venv/bin/python -m gdlearn.grading.release
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gdlearn.grading.course import MarkerError, hidden_blocks, parse_percent, student_source
from gdlearn.grading.release import (CHECKS, build, find_leaks, hidden_cases_published, secret_lines, stale,
                                     student_copy)

ROOT = Path(__file__).resolve().parent.parent
FIX = "run `.venv/bin/python -m gdlearn.grading.release` to regenerate exercises/"


@pytest.fixture(scope="module")
def outputs():
    return build(ROOT)


def test_every_solution_has_its_exercise(outputs):
    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("*.py"))
    assert solutions, "no solution notebooks"
    assert sorted(p.stem for p in outputs if p.suffix == ".py") == solutions
    assert {p.name for p in outputs if p.suffix == ".json"} == {f"{s}.json" for s in solutions}


def test_exercises_are_what_release_makes(outputs):
    problems = stale(ROOT, outputs)
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def test_release_is_deterministic(outputs):
    assert build(ROOT) == outputs


def test_no_hidden_test_text_in_exercises_or_gdlearn():
    hidden, solution = secret_lines(ROOT)
    assert len(hidden) > 20 and len(solution) > 5, "the leak scan has nothing to look for"
    leaks = find_leaks(ROOT)
    assert not leaks, "\n".join(leaks)
    assert not hidden_cases_published(ROOT)


def test_leak_scan_finds_a_planted_leak(tmp_path):
    hidden, solution = secret_lines(ROOT)
    planted = tmp_path / "exercises" / "99_leaky.py"
    planted.parent.mkdir()
    planted.write_text("x = 1\n" + sorted(hidden)[0] + "\n" + sorted(solution)[0] + "\n", encoding="utf-8")
    leaks = find_leaks(ROOT, [tmp_path / "exercises"])
    assert len(leaks) == 2 and "hidden-test text" in " ".join(leaks) and "solution text" in " ".join(leaks)


def test_exercise_cells_equal_solution_cells_except_answers():
    for solution in sorted((ROOT / "solutions").glob("*.py")):
        sol_cells = parse_percent(solution.read_text(encoding="utf-8"))
        ex_cells = parse_percent((ROOT / "exercises" / solution.name).read_text(encoding="utf-8"))
        expected = [(kind, student_source(src)) for kind, src in sol_cells]
        expected = [(k, s) for (k, s), (_, orig) in zip(expected, sol_cells) if s.strip() or not orig.strip()]
        assert ex_cells == expected
        assert any("# Setup: on Colab" in src for _, src in ex_cells)
        text = (ROOT / "exercises" / solution.name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert text.count('raise NotImplementedError("replace this line with your code")') >= 3


def test_check_data_holds_visible_cases_only(outputs):
    for rel, text in outputs.items():
        if rel.suffix != ".json":
            continue
        data = json.loads(text)
        for ex in data["exercises"].values():
            assert ex["cases"] and all(set(c) == {"label", "args", "kwargs", "points", "expected", "mistakes"}
                                       for c in ex["cases"])
            assert ex["hidden_points"] > 0


def test_stub_keeps_indentation_and_drops_hidden_blocks():
    src = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
           "### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS")
    assert student_source(src) == ('def f(x):\n    y = 1\n    # YOUR CODE HERE\n'
                                   '    raise NotImplementedError("replace this line with your code")')
    assert hidden_blocks(src) == ["assert f(1) == 2"]
    for broken in ("### BEGIN SOLUTION\nx = 1", "### END SOLUTION",
                   "### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION"):
        with pytest.raises(MarkerError):
            student_source(broken)


def _mini_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    for folder in ("solutions", "exercises", CHECKS):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "jupytext.toml", root / "jupytext.toml")
    return root


def _release(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdlearn.grading.release", *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_release_check_fails_on_stale_exercises_and_release_fixes_them(tmp_path):
    root = _mini_course(tmp_path)
    assert _release("--check", "--root", str(root)).returncode == 0
    target = root / "exercises" / "02_gradient_descent.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# a hand edit\n", encoding="utf-8")
    (root / CHECKS / "01_calculus.json").unlink()
    proc = _release("--check", "--root", str(root))
    assert proc.returncode == 1
    assert "02_gradient_descent.py: differs" in proc.stdout and "01_calculus.json: missing" in proc.stdout
    assert _release("--root", str(root)).returncode == 0
    assert _release("--check", "--root", str(root)).returncode == 0


def test_student_copy_has_no_solutions_and_no_hidden_tests(tmp_path):
    dest = tmp_path / "student"
    files = student_copy(ROOT, dest)
    names = {p.as_posix() for p in files}
    assert not (dest / "solutions").exists()
    assert not (dest / "tests" / "test_grading.py").exists() and not (dest / "tests" / "test_release.py").exists()
    assert "exercises/01_calculus.ipynb" in names and "gdlearn/grading/checks/01_calculus.json" in names
    assert (dest / "gdlearn" / "__init__.py").exists() and (dest / "pyproject.toml").exists()
    hidden, solution = secret_lines(ROOT)
    assert not find_leaks(ROOT, [dest], (hidden, set()))
    assert not find_leaks(ROOT, [dest / "exercises"], (set(), solution))
    for rel in ("exercises/02_gradient_descent.py", "gdlearn/grading/checks/02_gradient_descent.json"):
        assert (dest / rel).read_text(encoding="utf-8") == (ROOT / rel).read_text(encoding="utf-8")
    with pytest.raises(FileExistsError):
        student_copy(ROOT, dest)


# --- check data compared as numbers (issue 9) ---------------------------------------------------

def _perturb(text: str, factor: float) -> str:
    """Every float of a check-data file multiplied by ``factor`` (structure and text unchanged)."""
    def walk(v):
        if isinstance(v, float):
            return v * factor
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v
    return json.dumps(walk(json.loads(text)))


def test_check_data_compared_as_numbers_not_text():
    from gdlearn.grading.release import check_data_differences

    text = (ROOT / CHECKS / "09_neural_network.json").read_text(encoding="utf-8")
    # the last digits, as another CPU's SIMD kernels round them: still the same data
    assert check_data_differences(text, _perturb(text, 1 + 3e-15)) == []
    # a real change: named with its exercise, case and the largest difference
    problems = check_data_differences(text, _perturb(text, 1 + 1e-6))
    assert any(re.match(r"ex09_\d+, case \d+: numbers differ by up to [0-9.e-]+ \(relative", p) for p in problems)
    changed = json.loads(text)
    first = next(iter(changed["exercises"].values()))
    first["cases"][0]["label"] += " (edited)"
    assert "differs (not only in its numbers)" in check_data_differences(text, json.dumps(changed))[0]


def test_release_check_passes_with_numpy_baseline_kernels(tmp_path):
    """Another SIMD level (as on another CPU, or an ARM Mac) changes last digits, not the verdict."""
    import os

    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL"}
    proc = subprocess.run([sys.executable, "-m", "gdlearn.grading.release", "--check", "--root", str(ROOT)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
