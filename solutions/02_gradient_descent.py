# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 02 — Gradient descent
#
# Three exercises on [chapter 02](../chapters/02_gradient_descent.ipynb), 9 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given.

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
import numpy as np

from gdlearn import surfaces
from gdlearn.grading import check

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Code, Exercise, Mistake

rng = np.random.default_rng(2025)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2.1 — a gradient-descent loop with stopping rules (4 points)
#
# Write `gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6)`. Starting from
# a copy of `x0` (a 1-D float array), repeat the update
#
# $$x \leftarrow x - \text{lr} \cdot \nabla f(x)$$
#
# with these three stopping rules:
#
# 1. **converged** — *before* each step, if $\|\nabla f(x)\| \le$ `tol`, stop;
# 2. **diverged** — *after* each step, if `x` holds a value that is not finite or
#    $\|x\| > 10^6$, stop;
# 3. **budget** — stop after `max_steps` steps.
#
# Return the pair `(x, steps)`: the last iterate and the number of updates made
# (0 if `x0` already satisfies the tolerance). `grad(x)` returns the gradient as
# an array; $\|\cdot\|$ is the Euclidean norm, `np.linalg.norm`.

# %%
def gradient_descent(grad, x0, lr, max_steps=1000, tol=1e-6):
    """Plain gradient descent from x0; returns (last iterate, number of steps)."""
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    for step in range(max_steps):
        g = grad(x)
        if np.linalg.norm(g) <= tol:
            return x, step
        x = x - lr * g
        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:
            return x, step + 1
    return x, max_steps
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _gd_variant(grad, x0, lr, max_steps=1000, tol=1e-6, *, sign=-1.0, lr_power=1,
                check_after=False, divergence=True, size=np.linalg.norm):
    """The reference loop with one classic mistake switched on."""
    x = np.array(x0, dtype=float)
    with np.errstate(all="ignore"):
        for step in range(max_steps):
            if not check_after and np.linalg.norm(grad(x)) <= tol:
                return x, step
            x = x + sign * lr ** lr_power * grad(x)
            if divergence and (not np.all(np.isfinite(x)) or size(x) > 1e6):
                return x, step + 1
            if check_after and np.linalg.norm(grad(x)) <= tol:
                return x, step + 1
    return x, max_steps


Exercise(
    "ex02_1", function="gradient_descent", points=4,
    title="Exercise 2.1 — a gradient-descent loop with stopping rules",
    visible=[
        Case(Code("surfaces.quadratic(10).grad"), np.array([1.0, 1.0]), 0.1),
        Case(Code("lambda x: 2 * x"), np.array([3.0]), 1.1),
        Case(Code("surfaces.booth.grad"), np.array([1.0, 3.0]), 0.05),
        Case(Code("surfaces.rosenbrock.grad"), np.array([-1.0, 1.0]), 1e-3, max_steps=50),
        Case(Code("lambda x: 2 * x"), np.array([1.0, 1.0]), 1.1),   # ‖x‖ > 1e6 two steps before max|x|
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.grad"), np.array([0.5, 0.5]), 0.01, tol=1e-8),
        Case(Code("surfaces.quadratic(4, angle=0.5).grad"), rng.normal(size=2), 0.45),
        Case(Code("lambda x: 4 * x ** 3"), np.array([1.5]), 0.05, max_steps=200),
        Case(Code("surfaces.quadratic(100).grad"), np.array([2.0, 1.0]), 0.0199, max_steps=300),
        Case(Code("lambda x: 2 * x"), np.array([1.0, 1.0, 1.0]), 1.05, max_steps=400),
    ],
    mistakes=[
        Mistake("gradient descent steps *against* the gradient: x ← x − lr·∇f(x); with + it climbs",
                lambda *a, **k: _gd_variant(*a, **k, sign=+1.0), name="sign of the step"),
        Mistake("the learning rate is applied twice (lr²·∇f): scale the gradient by lr once",
                lambda *a, **k: _gd_variant(*a, **k, lr_power=2), name="lr twice"),
        Mistake("test the gradient *before* each step: when x0 already satisfies the tolerance "
                "the answer is 0 steps", lambda *a, **k: _gd_variant(*a, **k, check_after=True),
                name="test after the step"),
        Mistake("stop as soon as x is not finite or ‖x‖ > 1e6 (rule 2), after each step",
                lambda *a, **k: _gd_variant(*a, **k, divergence=False), name="no divergence rule"),
        Mistake("rule 2 tests the Euclidean norm ‖x‖ = np.linalg.norm(x), not the largest entry max|x|",
                lambda *a, **k: _gd_variant(*a, **k, size=lambda x: np.max(np.abs(x))), name="max norm"),
    ],
    hint="return a pair (x, steps); check the order of the three rules and the count of steps",
    rtol=1e-6, atol=1e-9,
)
### END HIDDEN TESTS

# %%
check("ex02_1", gradient_descent)

# %% [markdown]
# ## Exercise 2.2 — the largest stable learning rate of a quadratic (2 points)
#
# On $f(x) = \tfrac12 x^\top A x$ with a symmetric positive-definite matrix $A$,
# gradient descent converges from every start exactly when
# $0 < \text{lr} < 2/\lambda_{\max}$, where $\lambda_{\max} = L$ is the largest
# eigenvalue of $A$ (chapter 02, section 3, "Where too large begins"). Write
# `largest_stable_lr(A)`, which returns that threshold $2/\lambda_{\max}$ as a float.
# (`np.linalg.eigvalsh` gives the eigenvalues of a symmetric matrix.)

# %%
def largest_stable_lr(A):
    """The learning rate 2 / lambda_max above which gradient descent diverges on 1/2 x^T A x."""
    ### BEGIN SOLUTION
    return float(2 / np.linalg.eigvalsh(np.asarray(A, dtype=float)).max())
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _eig(A):
    return np.linalg.eigvalsh(np.asarray(A, dtype=float))


Exercise(
    "ex02_2", function="largest_stable_lr", points=2,
    title="Exercise 2.2 — the largest stable learning rate",
    visible=[
        Case(np.diag([1.0, 10.0])),
        Case(np.array([[2.0, 1.0], [1.0, 2.0]])),
        Case(np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])),
    ],
    hidden=[
        Case(surfaces.quadratic(25, angle=0.3).hess(np.zeros(2))),
        Case(np.diag([0.5, 0.5])),
        Case((lambda M: M @ M.T + 0.1 * np.eye(4))(rng.normal(size=(4, 4)))),
    ],
    mistakes=[
        Mistake("1/L is the step that is best on a 1-D parabola, but the stability threshold is 2/L: "
                "each step multiplies the error along an eigenvector by (1 − lr·λ), which must stay in (−1, 1)",
                lambda A: float(1 / _eig(A).max()), name="1/L"),
        Mistake("the *largest* eigenvalue limits the step: the steepest direction diverges first",
                lambda A: float(2 / _eig(A).min()), name="lambda_min"),
        Mistake("use the eigenvalues of A, not its entries: for a non-diagonal A the largest entry is not λ_max",
                lambda A: float(2 / np.max(np.abs(A))), name="largest entry"),
        Mistake("the threshold is 2/λ_max, not λ_max/2 (or 2·λ_max)",
                lambda A: float(_eig(A).max() / 2), name="inverted"),
    ],
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex02_2", largest_stable_lr)

# %% [markdown]
# ## Exercise 2.3 — a learning-rate search (3 points)
#
# Write `best_learning_rate(f, grad, x0, lrs, steps=100)`. For each learning rate
# in the list `lrs`, run exactly `steps` steps of plain gradient descent from `x0`
# (no stopping rule) and record the final loss `f(x)`. A run whose final loss is
# not finite (it diverged to `inf` or `nan`) counts as $+\infty$. Return the
# learning rate (an element of `lrs`, not its index) with the lowest final loss;
# on a tie, the first one.
#
# Diverging runs overflow: wrap the loop in `with np.errstate(all="ignore"):` to
# silence numpy's warnings.

# %%
def best_learning_rate(f, grad, x0, lrs, steps=100):
    """The learning rate in lrs whose run of `steps` gradient-descent steps ends lowest."""
    ### BEGIN SOLUTION
    losses = []
    with np.errstate(all="ignore"):
        for lr in lrs:
            x = np.array(x0, dtype=float)
            for _ in range(steps):
                x = x - lr * grad(x)
            loss = f(x)
            losses.append(loss if np.isfinite(loss) else np.inf)
    return lrs[int(np.argmin(losses))]
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _final_losses(f, grad, x0, lrs, steps=100):
    losses = []
    with np.errstate(all="ignore"):
        for lr in lrs:
            x = np.array(x0, dtype=float)
            for _ in range(steps):
                x = x - lr * grad(x)
            losses.append(float(f(x)))
    return np.array(losses)


def _nan_unguarded(f, grad, x0, lrs, steps=100):
    return lrs[int(np.argmin(_final_losses(f, grad, x0, lrs, steps)))]


def _index(f, grad, x0, lrs, steps=100):
    return list(lrs).index(best_learning_rate(f, grad, x0, lrs, steps))


def _stopping_rule(f, grad, x0, lrs, steps=100):
    losses = []
    with np.errstate(all="ignore"):
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


def _largest_loss(f, grad, x0, lrs, steps=100):
    losses = _final_losses(f, grad, x0, lrs, steps)
    return lrs[int(np.argmax(np.where(np.isfinite(losses), losses, -np.inf)))]


_Q = "surfaces.quadratic(10, angle=0.4)"
Exercise(
    "ex02_3", function="best_learning_rate", points=3,
    title="Exercise 2.3 — a learning-rate search",
    visible=[
        Case(Code(f"{_Q}.f"), Code(f"{_Q}.grad"), np.array([2.0, 1.0]), [0.01, 0.05, 0.1, 0.15, 0.25], steps=30),
        Case(Code("surfaces.rosenbrock.f"), Code("surfaces.rosenbrock.grad"), np.array([-1.0, 1.0]),
             [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], steps=200),
        Case(Code("lambda x: np.sum(x ** 2)"), Code("lambda x: 2 * x"), np.array([1.0, -1.0]),
             [1.2, 0.1, 0.3, 1.5]),
        Case(Code("lambda x: np.sum(x ** 2)"), Code("lambda x: 2 * x"), np.array([1.0, -1.0]),
             [0.09, 0.95, 0.07]),   # a stopping rule changes the answer here
    ],
    hidden=[
        Case(Code("surfaces.booth.f"), Code("surfaces.booth.grad"), np.array([0.0, 0.0]),
             [0.2, 0.001, 0.01, 0.05, 0.3], steps=40),
        Case(Code("surfaces.quadratic(50, angle=1.0).f"), Code("surfaces.quadratic(50, angle=1.0).grad"),
             np.array([1.0, 1.0]), [0.045, 0.005, 0.02, 0.04, 0.05], steps=60),
        Case(Code("surfaces.himmelblau.f"), Code("surfaces.himmelblau.grad"), np.array([0.0, 0.0]),
             [0.1, 0.001, 0.005, 0.01, 0.02], steps=50),
    ],
    mistakes=[
        Mistake("a diverged run has a nan (or inf) loss, and np.argmin returns the position of a nan: "
                "replace non-finite losses by np.inf before taking the minimum", _nan_unguarded,
                name="nan in argmin"),
        Mistake("return the learning rate itself, lrs[i], not its index i", _index, name="index"),
        Mistake("pick the run with the *lowest* final loss (np.argmin, not np.argmax)", _largest_loss,
                name="argmax"),
        Mistake("run exactly `steps` steps, with no stopping rule: a run stopped early at a small "
                "gradient keeps a larger loss than one that went on", _stopping_rule, name="stopping rule"),
    ],
    rtol=1e-12, atol=0.0,
)
### END HIDDEN TESTS

# %%
check("ex02_3", best_learning_rate)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
