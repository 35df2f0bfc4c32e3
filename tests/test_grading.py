"""The grader and check(): full marks for solutions, zero for blanks, hostile notebooks contained.

The hostile notebooks are built from the chapter-02 solution by replacing or
adding cells, so each one breaks a known set of exercises and the expected
score is exact. They are graded in ONE batch, through the command line, with
the solution itself, which must still get full marks.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdlearn.grading import check
from gdlearn.grading.feedback import known_exercises
from gdlearn.grading.grader import Grader, Limits
from gdlearn.grading.report import CSV_COLUMNS, to_csv, to_gradescope, to_json
from gdlearn.grading.values import compare, encode

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
CH02 = ROOT / "solutions" / "02_gradient_descent.ipynb"
TIMEOUT = 4.0      # seconds per cell in the hostile batch
MEMORY = 1024      # MiB


# --- building notebooks -----------------------------------------------------------------

def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def variant(base: Path, replace: dict | None = None, before: dict | None = None, drop=()) -> dict:
    """A copy of the notebook ``base``: the cell defining each function in ``replace``
    replaced by the given source, cells inserted before the cell defining a function
    (``before``; key ``None`` = after the imports), and defining cells dropped."""
    cells = []
    for cell in _cells(base):
        src = _source(cell)
        name = re.search(r"^def (\w+)\(", src, re.M)
        name = name.group(1) if name and cell["cell_type"] == "code" else None
        if name and name in (before or {}):
            cells += [_code(s) for s in before[name]]
        if name in drop:
            continue
        cells.append(_code(replace[name]) if name and name in (replace or {}) else dict(cell))
        if "from gdlearn.grading import check" in src and None in (before or {}):
            cells += [_code(s) for s in before[None]]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


ALWAYS_EQUAL = '''
class AlwaysEqual(float):
    """Equal to anything, close to anything."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, *a, **k): raise TypeError("no")

class Anything:
    def __eq__(self, other): return True
    def __float__(self): return 0.2
    def __len__(self): return 2
    def __getitem__(self, i): return self
'''

# name -> (the notebook, the expected score out of 9, words the report must contain)
HOSTILE = {
    "infinite_loop": (variant(CH02, before={None: ["while True:\n    pass"]},
                              replace={"gradient_descent": "def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n"
                                                           "    while True:\n        pass"}),
                      5.0, ["timed out after 4 s", "did not return within 4 s"]),
    "ignores_the_timer": (variant(CH02, before={None: ["import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                                      "while True:\n    pass"]}),
                          9.0, ["timed out (more than 4 s)", "graded again without it"]),
    "raises": (variant(CH02, before={None: ["raise RuntimeError('boom')"]},
                       replace={"largest_stable_lr": "def largest_stable_lr(A):\n    raise ValueError('no idea')"}),
               7.0, ["raised RuntimeError: boom", "raised ValueError: no idea"]),
    "sys_exit": (variant(CH02, before={None: ["import sys\nsys.exit(3)"]},
                         replace={"largest_stable_lr": "import sys\ndef largest_stable_lr(A):\n    sys.exit(0)"}),
                 7.0, ["called sys.exit(3)", "called sys.exit(0)"]),
    "os_exit": (variant(CH02, before={"largest_stable_lr": ["import os\nos._exit(0)"]},
                        replace={"best_learning_rate": "import os\ndef best_learning_rate(f, grad, x0, lrs, steps=100):\n"
                                                       "    os._exit(1)"}),
                6.0, ["ended the process (exit code 0", "graded again without it", "exit code 1"]),
    "prints_megabytes": (variant(CH02, before={None: ["print('x' * 50_000_000)\nfor i in range(100_000):\n    print(i)"]},
                                 replace={"largest_stable_lr": "import numpy as np\ndef largest_stable_lr(A):\n"
                                          "    print('y' * 10_000_000)\n"
                                          "    return float(2 / np.linalg.eigvalsh(A).max())"}),
                         9.0, []),
    "eats_memory": (variant(CH02, before={None: ["import numpy as np\nbig = np.ones(1_250_000_000)  # 10 GB"]},
                            replace={"largest_stable_lr": "def largest_stable_lr(A):\n    hoard = []\n"
                                     "    while True:\n        hoard.append(bytearray(10**7))"}),
                    7.0, ["ran out of memory"]),
    "patches_the_checkers": (variant(CH02, before={None: [
        "import numpy, gdlearn.grading, gdlearn.grading.values as v, gdlearn.grading.feedback as fb\n"
        "numpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(a), bool)\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "v.compare = lambda *a, **k: (True, '')\nfb.judge = lambda *a, **k: (True, '', '')\n"
        "gdlearn.grading.check = lambda *a, **k: 'passed'"]},
        replace={"gradient_descent": "def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n    return x0, 0",
                 "largest_stable_lr": "def largest_stable_lr(A):\n    return 0.0",
                 "best_learning_rate": "def best_learning_rate(f, grad, x0, lrs, steps=100):\n    return lrs[0]"}),
        0.4 + 3 / 7, []),  # (x0, 0) is right where x0 is already the minimum: 1 case of 10 (4 points);
                           # lrs[0] is the best rate in 1 case of 7 of ex02_3 (3 points)
    "always_equal": (variant(CH02, before={None: [ALWAYS_EQUAL]},
                             replace={"gradient_descent": "def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n"
                                                          "    return Anything()",
                                      "largest_stable_lr": "def largest_stable_lr(A):\n    return AlwaysEqual(0.0)",
                                      "best_learning_rate": "def best_learning_rate(f, grad, x0, lrs, steps=100):\n"
                                                            "    return Anything()"}),
                     0.0, ["a value of type Anything"]),
    "wrong_shapes": (variant(CH02, replace={
        "gradient_descent": "import numpy as np\ndef gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n"
                            "    return np.zeros((2, 2)), 0",
        "largest_stable_lr": "import numpy as np\ndef largest_stable_lr(A):\n    return np.array([0.2, 0.2])"}),
        3.0, ["wrong shape", "expected a number, got an array of shape (2,)"]),
    "missing_function": (variant(CH02, drop=("best_learning_rate",)), 6.0, ["no function named `best_learning_rate`"]),
    "syntax_error": (variant(CH02, replace={"largest_stable_lr": "def largest_stable_lr(A):\n    return 2 / (\n"}),
                     7.0, ["no function named `largest_stable_lr`", "SyntaxError"]),
}


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """Grade every hostile notebook, a broken file and the solution in ONE command."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, (nb, _, _) in HOSTILE.items():
        path = folder / f"{name}_02_gradient_descent.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        paths.append(path)
    garbage = folder / "not_a_notebook_02_gradient_descent.ipynb"
    garbage.write_text("{this is not json", encoding="utf-8")
    solution = folder / "solution_02_gradient_descent.ipynb"
    solution.write_bytes(CH02.read_bytes())
    out = folder / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gdlearn.grade", *map(str, paths), str(garbage), str(solution),
         "--timeout", str(TIMEOUT), "--memory", str(MEMORY), "--jobs", "2", "--format", "json",
         "--out", str(out), "--solutions", str(ROOT / "solutions")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return proc, {Path(r["submission"]).name.replace("_02_gradient_descent.ipynb", ""): r for r in report or []}


def test_hostile_batch_exits_zero(hostile_batch):
    proc, report = hostile_batch
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(report) == len(HOSTILE) + 2


def test_solution_in_the_hostile_batch_gets_full_marks(hostile_batch):
    sub = hostile_batch[1]["solution"]
    assert sub["score"] == sub["max_score"] == 9, sub["output"]
    assert sub["notes"] == []


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_submission_is_graded(hostile_batch, name):
    sub = hostile_batch[1][name]
    _, expected, words = HOSTILE[name]
    assert sub["max_score"] == 9
    assert sub["score"] == pytest.approx(expected, abs=1e-3), sub["output"]
    text = sub["output"] + "\n".join(t["output"] for t in sub["tests"])
    for word in words:
        assert word in text, f"{word!r} not in:\n{text}"
    assert "Traceback" not in text and 'File "' not in text  # plain words, never a traceback
    if name == "prints_megabytes":
        assert sub["notes"] == []  # 50 MB of output is dropped, fast: no cell even times out


def test_broken_file_is_reported_in_plain_words(hostile_batch):
    sub = hostile_batch[1]["not_a_notebook"]
    assert sub["score"] == 0 and sub["max_score"] == 9  # its name tells the chapter: a row per exercise
    assert sub["error"].startswith("could not read the notebook")
    assert len(sub["exercises"]) == 3 and all(t["max_score"] > 0 for t in sub["tests"])


# --- solutions and blank exercises --------------------------------------------------------

@pytest.fixture(scope="module")
def grader():
    return Grader(ROOT / "solutions", Limits(timeout=20, memory_mb=2048))


def test_course_has_exercises():
    assert len(SOLUTIONS) >= 2 and len(EXERCISES) == len(SOLUTIONS)
    ids = known_exercises()
    for chapter in ("01", "02"):
        assert sum(i.startswith(f"ex{chapter}_") for i in ids) >= 3


def test_solutions_score_full_marks(grader):
    for sub in grader.grade_many(SOLUTIONS, jobs=2):
        assert sub.error is None and sub.notes == []
        assert sub.score == sub.max_score > 0, [(e.id, e.message) for e in sub.exercises]
        assert all(e.status == "passed" for e in sub.exercises)


def test_blank_exercises_score_zero(grader):
    for sub in grader.grade_many(EXERCISES, jobs=2):
        assert sub.error is None
        assert sub.notes == [], sub.notes    # every cell runs without an error
        assert sub.score == 0 and sub.max_score > 0
        assert {e.status for e in sub.exercises} == {"not attempted"}


def test_notebook_named_otherwise_is_recognised_by_its_checks(grader, tmp_path):
    renamed = tmp_path / "homework_alice.ipynb"
    renamed.write_bytes(CH02.read_bytes())
    sub = grader.grade(renamed)
    assert sub.chapters == ["02_gradient_descent"] and sub.score == 9


def test_function_renamed_in_its_check_call_is_found(grader, tmp_path):
    nb = variant(CH02)
    for cell in nb["cells"]:
        src = _source(cell).replace("def largest_stable_lr(", "def my_threshold(")
        cell["source"] = src.replace('check("ex02_2", largest_stable_lr)', 'check("ex02_2", my_threshold)')
    path = tmp_path / "02_gradient_descent.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert grader.grade(path).score == 9


# --- report formats ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_batch(grader):
    return grader.grade_many([CH02, ROOT / "exercises" / "02_gradient_descent.ipynb", ROOT / "nowhere.ipynb"], jobs=2)


def _check_test_entry(test: dict) -> None:
    assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
    assert isinstance(test["name"], str) and isinstance(test["output"], str)
    assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
    assert 0 <= test["score"] <= test["max_score"] + 1e-9
    assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")


def test_json_schema(small_batch):
    data = json.loads(json.dumps(to_json(small_batch)))
    assert isinstance(data, list) and len(data) == 3
    for sub in data:
        assert isinstance(sub["submission"], str)
        assert isinstance(sub["score"], (int, float)) and isinstance(sub["max_score"], (int, float))
        assert isinstance(sub["tests"], list)
        for test in sub["tests"]:
            _check_test_entry(test)
        assert sub["score"] == pytest.approx(sum(t["score"] for t in sub["tests"]))
    solved, blank, missing = data
    assert solved["score"] == 9 and blank["score"] == 0 and missing["error"] == "the file does not exist"
    assert {t["visibility"] for t in solved["tests"]} == {"visible", "after_due_date"}


def test_csv_schema(small_batch):
    rows = list(csv.DictReader(io.StringIO(to_csv(small_batch))))
    assert rows and list(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3 + 3 + 1  # one row per submission and exercise; one for the missing file
    assert {r["exercise"] for r in rows[:3]} == {"ex02_1", "ex02_2", "ex02_3"}
    assert sum(float(r["score"]) for r in rows[:3]) == 9


def test_gradescope_schema(small_batch):
    results = json.loads(json.dumps(to_gradescope(small_batch[:1])))
    assert isinstance(results["score"], (int, float)) and results["score"] == 9
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        _check_test_entry(test)
        assert test["status"] in ("passed", "failed")
    assert results.get("visibility", "visible") in ("hidden", "after_due_date", "after_published", "visible")


def test_cli_writes_csv_and_gradescope(tmp_path):
    for fmt, name in (("csv", "grades.csv"), ("gradescope", "results.json")):
        out = tmp_path / name
        proc = subprocess.run([sys.executable, "-m", "gdlearn.grade", str(CH02), "--format", fmt, "--out", str(out),
                               "--solutions", str(ROOT / "solutions"), "--quiet"],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        text = out.read_text(encoding="utf-8")
        if fmt == "csv":
            assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
        else:
            assert json.loads(text)["score"] == 9


def test_cli_usage_errors_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gdlearn.grade", str(CH02), "--solutions", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and "error:" in proc.stderr and "Traceback" not in proc.stderr


# --- check() ---------------------------------------------------------------------------------

def _mse_sum(w, X, y):
    return 2 * np.asarray(X).T @ (np.asarray(X) @ w - y)


def _mse_no_two(w, X, y):
    return np.asarray(X).T @ (np.asarray(X) @ w - y) / len(y)


def _gd(sign=-1.0, lr_power=1):
    def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):
        x = np.array(x0, dtype=float)
        with np.errstate(all="ignore"):
            for step in range(max_steps):
                g = grad(x)
                if np.linalg.norm(g) <= tol:
                    return x, step
                x = x + sign * lr ** lr_power * g
                if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:
                    return x, step + 1
        return x, max_steps
    return gradient_descent


def _forward(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    return np.array([(f(x + h * e) - f(x)) / h for e in np.eye(len(x))])


def _classify(values, zero_is_positive=False):
    """A stationary point's kind from the signs of `values` (a planted-mistake helper)."""
    values = np.asarray(values, dtype=float)
    pos = values >= -1e-9 if zero_is_positive else values > 1e-9
    neg = values < -1e-9
    if pos.all():
        return "local minimum"
    if neg.all():
        return "local maximum"
    return "saddle" if pos.any() and neg.any() else "cannot tell"


PLANTED = [
    ("ex01_1", _forward, "forward difference"),
    ("ex01_1", lambda f, x, h=1e-4: np.array([(f(x + h * e) - f(x - h * e)) / h for e in np.eye(len(x))]), "divide by 2h"),
    ("ex01_2", lambda p: np.array([2 * p[0], p[0] ** 2 + np.cos(p[1])]), "it is 2xy"),
    ("ex01_3", _mse_sum, "the mean divides by n"),
    ("ex01_3", _mse_no_two, "the factor 2 is missing"),
    ("ex01_5", lambda H: _classify(np.diag(np.asarray(H, dtype=float))), "signs of the diagonal entries"),
    ("ex01_5", lambda H: _classify(np.linalg.eigvalsh(np.asarray(H, dtype=float)), zero_is_positive=True),
     "a zero eigenvalue"),
    ("ex02_1", _gd(sign=+1.0), "steps *against* the gradient"),
    ("ex02_1", _gd(lr_power=2), "learning rate is applied twice"),
    ("ex02_2", lambda A: float(1 / np.linalg.eigvalsh(A).max()), "threshold is 2/L"),
]


@pytest.mark.parametrize("exercise, function, hint", PLANTED, ids=[f"{e}-{h}" for e, _, h in PLANTED])
def test_check_explains_classic_mistakes(exercise, function, hint):
    result = check(exercise, function)
    assert result.status == "failed" and result.score < result.max_score
    failed = [c for c in result.cases if not c.passed]
    assert failed and all(hint in c.hint for c in failed), [c.hint for c in failed]
    text, page = repr(result), result._repr_html_()
    assert "expected:" in text and "got:" in text and hint in text
    assert "expected" in page and "hint:" in page and hint.replace("*", "") in page.replace("*", "")


def test_check_not_attempted_and_never_raises():
    def stub(A):
        raise NotImplementedError("replace this line with your code")

    assert check("ex02_2", stub).status == "not attempted"
    assert "not attempted yet" in repr(check("ex02_2", stub))
    assert check("ex02_2", ...).status == "not attempted"
    assert check("ex02_2", 42).status == "error"
    assert check("ex99_9", stub).status == "error"
    broken = check("ex02_2", lambda A: 1 / 0)
    assert broken.status == "failed" and "ZeroDivisionError" in broken.cases[0].reason
    assert check("ex02_2", lambda A: float(2 / np.linalg.eigvalsh(A).max())).passed


def test_comparison_sees_plain_data_only(monkeypatch):
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    assert compare(encode(np.array([1.0, 2.0])), encode(AlwaysEqual()))[0] is False
    assert compare(0.2, encode(AlwaysEqual()))[0] is False
    assert compare(encode(np.array([1.0, 2.0])), encode(np.array([1.0, 2.0, 3.0])))[0] is False
    assert compare([encode(np.zeros(2)), 3], encode((np.zeros(2), 3)))[0] is True
    assert compare(encode(np.array([1.0, np.nan])), encode(np.array([1.0, np.nan])))[0] is True


def test_gradescope_autograder_zip_grades_a_submission(tmp_path):
    """The zip's run_autograder, run as Gradescope would (with /autograder moved to tmp_path)."""
    import os
    import zipfile

    from gdlearn.grading.gradescope import build_zip

    names = build_zip(ROOT, tmp_path / "autograder.zip", "02_gradient_descent", timeout=20)
    assert {"setup.sh", "run_autograder", "pyproject.toml", "gdlearn/grade.py", "constraints.txt",
            "gdlearn/grading/checks/02_gradient_descent.json", "solutions/02_gradient_descent.py"} <= set(names)
    assert [n for n in names if n.startswith("solutions/")] == ["solutions/02_gradient_descent.py"]
    source = tmp_path / "autograder" / "source"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        zf.extractall(source)
        assert (zf.getinfo("run_autograder").external_attr >> 16) & 0o111
    os.chmod(source / "run_autograder", 0o755)
    submission = tmp_path / "autograder" / "submission"
    submission.mkdir()
    (submission / "02_gradient_descent.ipynb").write_bytes(CH02.read_bytes())
    env = {**os.environ, "AUTOGRADER": str(tmp_path / "autograder"), "GDLEARN_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)  # the library comes from the zip
    proc = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "autograder" / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 9 and len(results["tests"]) == 10 + 6 + 7
