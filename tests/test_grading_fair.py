"""The honest student's side of issue 13: right answers score, wrong ones do not, in check() and the grader.

Each case is a first try a student made: a numerically right answer in
another container or float dtype (it must pass), or an answer that breaks a
rule the exercise's text states (it must fail, saying which rule).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from gdlearn.grading import check, feedback
from gdlearn.grading.grader import Grader, Limits
from gdlearn.grading.report import to_csv
from gdlearn.grading.values import compare, encode

ROOT = Path(__file__).resolve().parent.parent


def _solution_function(slug: str, name: str):
    from gdlearn.grading.course import load_chapter

    return load_chapter(ROOT / "solutions" / f"{slug}.py").namespace[name]


# --- right answers in other containers and dtypes --------------------------------------------

def test_float32_result_passes_with_a_note():
    def largest_stable_lr(A):   # ex02_2 checks with rtol 1e-9: float32 is off by ~3e-9
        return np.float32(2 / np.linalg.eigvalsh(np.asarray(A, dtype=float)).max())

    result = check("ex02_2", largest_stable_lr)
    assert result.passed, repr(result)
    assert all("float32" in c.reason for c in result.cases)
    assert "float32" in repr(result)


def test_float32_does_not_rescue_a_wrong_answer():
    assert not compare(0.2, encode(np.float32(0.21)), 1e-9, 1e-12)[0]
    assert not check("ex02_2", lambda A: np.float32(1 / np.linalg.eigvalsh(A).max())).passed


def test_list_of_arrays_for_an_array_of_iterates():
    reference = _solution_function("05_momentum", "heavy_ball_sgd")

    def heavy_ball_sgd(grad, x0, lr, momentum, steps, dampening=0.0):
        return list(reference(grad, x0, lr, momentum, steps, dampening))   # `return path`, a list of arrays

    assert check("ex05_1", heavy_ball_sgd).passed


def test_array_for_a_tuple_of_numbers():
    reference = _solution_function("05_momentum", "optimal_heavy_ball")
    assert check("ex05_3", lambda A: np.array(reference(A))).passed


def test_a_tuple_that_matters_is_said_clearly():
    ok, reason = compare([encode(np.zeros(2)), 3], encode(np.zeros(3)))
    assert not ok and "expected a tuple of 2 items" in reason and "return them as a tuple" in reason


# --- what the text requires ---------------------------------------------------------------------

def _gd(copy=True, size=np.linalg.norm):
    def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):
        x = np.array(x0, dtype=float) if copy else x0
        for step in range(max_steps):
            g = grad(x)
            if np.linalg.norm(g) <= tol:
                return x.copy(), step
            x -= lr * g
            if not np.all(np.isfinite(x)) or size(x) > 1e6:
                return x.copy(), step + 1
        return x.copy(), max_steps
    return gradient_descent


def test_right_loop_passes_2_1():
    assert check("ex02_1", _gd()).passed


def test_changing_the_callers_x0_fails_2_1():
    result = check("ex02_1", _gd(copy=False))
    assert not result.passed
    assert any("changed its input `x0`" in c.reason for c in result.cases), repr(result)


def test_largest_entry_instead_of_the_norm_fails_2_1():
    result = check("ex02_1", _gd(size=lambda x: np.max(np.abs(x))))
    assert not result.passed
    assert any("Euclidean norm" in c.hint for c in result.cases if not c.passed), repr(result)


def test_a_stopping_rule_in_2_3_fails():
    def best_learning_rate(f, grad, x0, lrs, steps=100):
        losses = []
        for lr in lrs:
            x = np.array(x0, dtype=float)
            for _ in range(steps):
                g = grad(x)
                if np.linalg.norm(g) <= 1e-6:
                    break
                x = x - lr * g
            loss = f(x)
            losses.append(loss if np.isfinite(loss) else np.inf)
        return lrs[int(np.argmin(losses))]

    result = check("ex02_3", best_learning_rate)
    assert not result.passed
    assert any("no stopping rule" in c.hint for c in result.cases if not c.passed), repr(result)


def test_do_not_modify_H_in_8_3():
    reference = _solution_function("08_second_order", "bfgs_inverse_update")

    def bfgs_inverse_update(H, s, y):
        H[...] = reference(H, s, y)
        return H

    result = check("ex08_3", bfgs_inverse_update)
    assert not result.passed and any("`H`" in c.reason for c in result.cases)


def test_forbidden_library_function_raises_in_check():
    from gdlearn.second_order import bfgs_update

    result = check("ex08_3", lambda H, s, y: bfgs_update(H, s, y))
    assert not result.passed and "is not allowed in this exercise" in result.cases[0].reason
    from gdlearn import second_order
    assert second_order.bfgs_update is bfgs_update   # restored afterwards


def _torch_backprop_source():
    return ("import torch\n"
            "def two_layer_backprop(params, X, y):\n"
            "    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}\n"
            "    H = torch.tanh(torch.tensor(X) @ P['W1'] + P['b1'])\n"
            "    z = H @ P['W2'][:, 0] + P['b2'][0]\n"
            "    loss = torch.mean(torch.nn.functional.softplus(z) - torch.tensor(y) * z)\n"
            "    loss.backward()\n"
            "    return {k: P[k].grad.numpy() for k in P}\n")


def test_torch_autograd_is_forbidden_in_backprop_exercise():
    torch = pytest.importorskip("torch", reason="torch not installed: its autograd cannot answer 9.2 there")
    namespace = {}
    exec(_torch_backprop_source(), namespace)
    params = {"W1": np.ones((2, 3)), "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)}
    allowed = namespace["two_layer_backprop"](params, np.ones((4, 2)), np.ones(4))   # outside check: it works
    assert allowed["W1"].shape == (2, 3)
    backward, grad = torch.autograd.backward, torch.autograd.grad
    result = check("ex09_2", namespace["two_layer_backprop"])
    assert not result.passed and all("torch.autograd.backward is not allowed" in c.reason for c in result.cases)
    assert torch.autograd.backward is backward and torch.autograd.grad is grad        # restored afterwards


def test_check_has_a_time_limit(monkeypatch):
    monkeypatch.setattr(feedback, "CHECK_TIMEOUT", 0.3)

    def armijo_backtracking(f, x, g, p, c1=1e-4, rho=0.5):
        while True:
            pass

    result = check("ex08_2", armijo_backtracking)
    assert result.status == "failed" and all("did not return within" in c.reason for c in result.cases)


# --- the grader: the same rules, the remaining cases after a hang, reasons in the CSV ----------------

@pytest.fixture(scope="module")
def grader():
    return Grader(ROOT / "solutions", Limits(timeout=2, total=60), chapters=["02_gradient_descent", "08_second_order"])


def _notebook(slug: str, replace: dict) -> dict:
    cells = json.loads((ROOT / "solutions" / f"{slug}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        name = re.search(r"^def (\w+)\(", src, re.M)
        if cell["cell_type"] == "code" and name and name.group(1) in replace:
            cell["source"] = replace[name.group(1)]
            cell["outputs"] = []
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_grader_fairness_and_rules(grader, tmp_path):
    reference = (ROOT / "solutions" / "02_gradient_descent.py").read_text(encoding="utf-8")
    assert "def largest_stable_lr" in reference
    nb = _notebook("02_gradient_descent", {
        # right, in float32: full marks
        "largest_stable_lr": "import numpy as np\ndef largest_stable_lr(A):\n"
                             "    return np.float32(2 / np.linalg.eigvalsh(np.asarray(A, dtype=float)).max())",
        # right values, but the caller's x0 is changed: no marks
        "gradient_descent": "import numpy as np\ndef gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):\n"
                            "    x = x0\n    for step in range(max_steps):\n        g = grad(x)\n"
                            "        if np.linalg.norm(g) <= tol:\n            return x.copy(), step\n"
                            "        x -= lr * g\n"
                            "        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:\n"
                            "            return x.copy(), step + 1\n    return x.copy(), max_steps",
    })
    path = tmp_path / "02_gradient_descent.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    sub = grader.grade(path)
    scores = {e.id: e.score for e in sub.exercises}
    # ex02_1: only the case that starts at the minimum (0 steps, x0 untouched) scores
    assert scores == {"ex02_1": 0.4, "ex02_2": 2.0, "ex02_3": 3.0}, [(e.id, e.message) for e in sub.exercises]
    rows = list(csv.DictReader(io.StringIO(to_csv([sub]))))
    ex1 = next(r for r in rows if r["exercise"] == "ex02_1")
    assert "changed its input `x0` in place" in ex1["message"]        # the CSV carries the reason
    ex2 = next(r for r in rows if r["exercise"] == "ex02_2")
    assert "float32" in " ".join(c.output for e in sub.exercises if e.id == "ex02_2" for c in e.cases)
    assert ex2["status"] == "passed"


def test_grader_runs_the_remaining_cases_after_a_hang(grader, tmp_path):
    """A call that ignores the timer on one input kills that run; the other cases still score."""
    nb = _notebook("02_gradient_descent", {
        "largest_stable_lr": "import numpy as np, signal\ndef largest_stable_lr(A):\n"
                             "    A = np.asarray(A, dtype=float)\n"
                             "    if A.shape == (3, 3):\n"
                             "        signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                             "        while True:\n            pass\n"
                             "    return float(2 / np.linalg.eigvalsh(A).max())",
    })
    path = tmp_path / "02_gradient_descent.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    sub = grader.grade(path)
    ex = next(e for e in sub.exercises if e.id == "ex02_2")
    chapter = grader.course["02_gradient_descent"]
    rows = chapter.table()["ex02_2"]
    expected = sum(r["points"] for r in rows if np.asarray(r["args"][0]["__ndarray__"]["shape"]).tolist() != [3, 3])
    assert ex.score == pytest.approx(round(expected, 4)) and 0 < ex.score < 2, ex.message
    hung = [c for c in ex.cases if not c.passed]
    assert hung and all("timed out" in c.output or "did not return" in c.output for c in hung)


def test_grader_enforces_forbidden_functions(grader, tmp_path):
    nb = _notebook("08_second_order", {
        "bfgs_inverse_update": "from gdlearn.second_order import bfgs_update\n"
                               "def bfgs_inverse_update(H, s, y):\n    return bfgs_update(H, s, y)",
    })
    path = tmp_path / "08_second_order.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    sub = grader.grade(path)
    ex = next(e for e in sub.exercises if e.id == "ex08_3")
    assert ex.score == 0 and "is not allowed in this exercise" in ex.message
    assert sub.score == sub.max_score - ex.max_score


def test_grader_forbids_torch_autograd_in_backprop_exercise(tmp_path):
    pytest.importorskip("torch", reason="torch not installed: its autograd cannot answer 9.2 there")
    nb = _notebook("09_neural_network", {"two_layer_backprop": _torch_backprop_source()})
    path = tmp_path / "09_neural_network.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    sub = Grader(ROOT / "solutions", Limits(timeout=10, total=120), chapters=["09_neural_network"]).grade(path)
    ex = next(e for e in sub.exercises if e.id == "ex09_2")
    assert ex.score == 0 and "torch.autograd.backward is not allowed" in ex.message


def test_every_exercise_notebook_ends_with_how_to_hand_in():
    for path in sorted((ROOT / "exercises").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "## Done?" in text[-600:] and "hand in" in text[-600:], path.name


def test_student_copy_has_a_students_readme(tmp_path):
    from gdlearn.grading.release import student_copy

    student_copy(ROOT, tmp_path / "student")
    readme = (tmp_path / "student" / "README.md").read_text(encoding="utf-8")
    assert "Hand in" in readme and "check(" in readme and "gdlearn.grade" not in readme
    assert "solutions" not in readme and not (tmp_path / "student" / "tests" / "test_grader_hostile.py").exists()
