# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 05 — Momentum
#
# Three exercises on [chapter 05](../chapters/05_momentum.ipynb), 8 points in all.
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

rng = np.random.default_rng(505)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5.1 — the heavy ball in PyTorch's form (3 points)
#
# Write `heavy_ball_sgd(grad, x0, lr, momentum, steps, dampening=0.0)`, which runs
# `steps` steps of `torch.optim.SGD` with momentum from a copy of `x0` (a 1-D float
# array) and returns **every iterate**, an array of shape `(steps + 1, d)` that
# starts with `x0`. At step $k = 0, 1, \dots$, with $g_k = \nabla f(x_k)$ = `grad(x)`:
#
# $$b_k = \begin{cases} g_0 & k = 0 \\ \beta\, b_{k-1} + (1 - \tau)\, g_k & k > 0 \end{cases}
# \qquad x_{k+1} = x_k - \text{lr}\cdot b_k ,$$
#
# where $\beta$ = `momentum` and $\tau$ = `dampening`. Note the first step: torch
# puts the first gradient itself in the buffer, undamped.
#
# (With `dampening=0` this is Polyak's heavy ball of chapter 05,
# $x_{k+1} = x_k - \text{lr}\,\nabla f(x_k) + \beta (x_k - x_{k-1})$.)
#
# *Write the loop yourself with numpy: `gdlearn.optim.sgd`, `gdlearn.optim.scale_by_momentum` and
# `gdlearn.run.run` answer this exercise, so they raise an error while `check` and the
# grader run your function.*

# %%
def heavy_ball_sgd(grad, x0, lr, momentum, steps, dampening=0.0):
    """Iterates of torch's SGD with momentum (and dampening): an array of shape (steps + 1, d)."""
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    xs = [x]
    buffer = None
    for _ in range(steps):
        g = grad(x)
        buffer = g if buffer is None else momentum * buffer + (1 - dampening) * g
        x = x - lr * buffer
        xs.append(x)
    return np.array(xs)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _hb_variant(grad, x0, lr, momentum, steps, dampening=0.0, *, zero_init=False, lr_in_buffer=False,
                sign=-1.0, average=False):
    """The reference loop with one classic mistake switched on."""
    x = np.array(x0, dtype=float)
    xs = [x]
    buffer = np.zeros_like(x) if zero_init else None
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = grad(x) * (lr if lr_in_buffer else 1.0)
            new_share = (1 - momentum) if average else (1 - dampening)
            buffer = g if buffer is None else momentum * buffer + new_share * g
            x = x + sign * lr * buffer
            xs.append(x)
    return np.array(xs)


Exercise(
    "ex05_1", function="heavy_ball_sgd", points=3,
    title="Exercise 5.1 — the heavy ball in PyTorch's form",
    visible=[
        Case(Code("surfaces.quadratic(10).grad"), np.array([2.0, 1.0]), 0.1, 0.5, 20),
        Case(Code("surfaces.rosenbrock.grad"), np.array([-1.2, 1.0]), 1e-3, 0.9, 50),
        Case(Code("lambda x: 2 * x"), np.array([1.0]), 0.1, 0.9, 10, dampening=0.5),
        Case(Code("surfaces.booth.grad"), np.array([0.0, 0.0]), 0.02, 0.8, 30, dampening=0.1),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.grad"), np.array([0.5, -0.5]), 0.005, 0.7, 40),
        Case(Code("surfaces.quadratic(100, angle=0.3).grad"), rng.normal(size=2), 0.033, 0.669, 60),
        Case(Code("lambda x: 4 * x ** 3 - 6 * x + 1"), np.array([1.75]), 0.02, 0.9, 100, dampening=0.3),
        Case(Code("surfaces.rosenbrock.grad"), np.array([0.0, 2.0]), 5e-4, 0.95, 80, dampening=0.9),
        Case(Code("lambda x: x"), np.array([3.0, -1.0, 2.0]), 0.5, 0.0, 5),
    ],
    forbidden=["gdlearn.optim.sgd", "gdlearn.optim.scale_by_momentum", "gdlearn.run.run"],
    mistakes=[
        Mistake("the learning rate is applied twice: the buffer sums plain gradients "
                "(b ← β·b + g), and lr scales the step once (x ← x − lr·b)",
                lambda *a, **k: _hb_variant(*a, **k, lr_in_buffer=True), name="lr twice"),
        Mistake("torch starts the buffer at the first gradient, b = ∇f(x0), undamped; a buffer that "
                "starts at zero makes the first step (1 − dampening) times too short",
                lambda *a, **k: _hb_variant(*a, **k, zero_init=True), name="zero init"),
        Mistake("step *against* the buffer: x ← x − lr·b",
                lambda *a, **k: _hb_variant(*a, **k, sign=+1.0), name="sign"),
        Mistake("torch's buffer is a sum, b ← β·b + (1 − dampening)·g, not the average "
                "b ← β·b + (1 − β)·g",
                lambda *a, **k: _hb_variant(*a, **k, average=True), name="average"),
    ],
    hint="return every iterate, x0 first: an array of shape (steps + 1, d)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex05_1", heavy_ball_sgd)

# %% [markdown]
# ## Exercise 5.2 — Nesterov's momentum in PyTorch's form (3 points)
#
# Write `nesterov_sgd(grad, x0, lr, momentum, steps)`: the iterates of
# `torch.optim.SGD(..., momentum=β, nesterov=True)`, again an array of shape
# `(steps + 1, d)` starting with `x0`. The buffer is the heavy ball's (no dampening,
# $b_0 = g_0$), but the step adds the gradient to the momentum **after** this step's
# buffer update:
#
# $$b_k = \begin{cases} g_0 & k = 0 \\ \beta\, b_{k-1} + g_k & k > 0 \end{cases}
# \qquad x_{k+1} = x_k - \text{lr}\,\big(g_k + \beta\, b_k\big).$$
#
# (The chapter shows that these iterates are the look-ahead points $y_k$ of
# Nesterov's $y_k = x_k + \beta(x_k - x_{k-1})$, $x_{k+1} = y_k - \alpha \nabla f(y_k)$.)
#
# *Write the loop yourself with numpy: `gdlearn.optim.sgd`, `gdlearn.optim.scale_by_momentum` and
# `gdlearn.run.run` answer this exercise, so they raise an error while `check` and the
# grader run your function.*

# %%
def nesterov_sgd(grad, x0, lr, momentum, steps):
    """Iterates of torch's SGD with Nesterov momentum: an array of shape (steps + 1, d)."""
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    xs = [x]
    buffer = None
    for _ in range(steps):
        g = grad(x)
        buffer = g if buffer is None else momentum * buffer + g
        x = x - lr * (g + momentum * buffer)
        xs.append(x)
    return np.array(xs)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _nag_variant(grad, x0, lr, momentum, steps, *, mistake):
    x = np.array(x0, dtype=float)
    xs = [x]
    buffer = None
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = grad(x)
            buffer = g if buffer is None else momentum * buffer + g
            if mistake == "heavy ball":
                step = buffer
            elif mistake == "lr twice":
                step = lr * g + momentum * lr * buffer
            x = x - lr * step
            xs.append(x)
    return np.array(xs)


def _textbook_x(grad, x0, lr, momentum, steps):
    """Nesterov's textbook sequence x_k (gradient at the look-ahead point), not torch's y_k."""
    x_prev = x = np.array(x0, dtype=float)
    xs = [x]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            y = x + momentum * (x - x_prev)
            x, x_prev = y - lr * grad(y), x
            xs.append(x)
    return np.array(xs)


Exercise(
    "ex05_2", function="nesterov_sgd", points=3,
    title="Exercise 5.2 — Nesterov's momentum in PyTorch's form",
    visible=[
        Case(Code("surfaces.quadratic(10).grad"), np.array([2.0, 1.0]), 0.05, 0.8, 20),
        Case(Code("surfaces.rosenbrock.grad"), np.array([-1.2, 1.0]), 1e-3, 0.9, 50),
        Case(Code("lambda x: 2 * x"), np.array([1.0, -2.0]), 0.1, 0.5, 8),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.grad"), np.array([-0.5, 0.5]), 0.004, 0.85, 40),
        Case(Code("surfaces.quadratic(100, angle=0.7).grad"), rng.normal(size=2), 0.01, 0.818, 80),
        Case(Code("lambda x: 4 * x ** 3 - 6 * x + 1"), np.array([1.75]), 0.01, 0.95, 120),
        Case(Code("surfaces.booth.grad"), np.array([5.0, -5.0]), 0.02, 0.6, 25),
    ],
    forbidden=["gdlearn.optim.sgd", "gdlearn.optim.scale_by_momentum", "gdlearn.run.run"],
    mistakes=[
        Mistake("that is the heavy ball: Nesterov steps along g + β·b with the buffer *after* this "
                "step's update (b alone, or g + β·b with the old buffer, is the heavy ball's step)",
                lambda *a, **k: _nag_variant(*a, **k, mistake="heavy ball"), name="heavy ball"),
        Mistake("the learning rate is applied twice: the step is lr·(g + β·b)",
                lambda *a, **k: _nag_variant(*a, **k, mistake="lr twice"), name="lr twice"),
        Mistake("those are the x_k of the textbook form; torch's iterates are the look-ahead points "
                "y_k, and torch takes the gradient at its own iterate", _textbook_x, name="textbook x"),
    ],
    hint="return every iterate, x0 first: an array of shape (steps + 1, d)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex05_2", nesterov_sgd)

# %% [markdown]
# ## Exercise 5.3 — the best heavy ball for a quadratic (2 points)
#
# On $f(x) = \tfrac12 x^\top A x$, with $A$ symmetric positive definite, let $L$ and
# $\mu$ be the largest and smallest eigenvalues of $A$ and $\kappa = L/\mu$. Write
# `optimal_heavy_ball(A)`, which returns the tuple `(lr, momentum, rate)` of three
# floats: Polyak's optimal step size and momentum and the rate they achieve,
#
# $$\text{lr} = \frac{4}{(\sqrt L + \sqrt\mu)^2}, \qquad
# \text{momentum} = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2, \qquad
# \text{rate} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.$$
#
# (`np.linalg.eigvalsh` gives the eigenvalues of a symmetric matrix.)

# %%
def optimal_heavy_ball(A):
    """Polyak's optimal (lr, momentum) for 1/2 x^T A x, and the rate per step they give."""
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(np.asarray(A, dtype=float))
    mu, L = eigenvalues.min(), eigenvalues.max()
    root_kappa = np.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return float(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2), float(rate ** 2), float(rate)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _mu_L(A):
    e = np.linalg.eigvalsh(np.asarray(A, dtype=float))
    return e.min(), e.max()


def _with_kappa(A):
    mu, L = _mu_L(A)
    k = L / mu
    r = (k - 1) / (k + 1)
    return float(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2), float(r ** 2), float(r)


def _unsquared(A):
    mu, L = _mu_L(A)
    r = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
    return float(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2), float(r), float(r)


def _gd_lr(A):
    mu, L = _mu_L(A)
    r = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
    return float(2 / (L + mu)), float(r ** 2), float(r)


Exercise(
    "ex05_3", function="optimal_heavy_ball", points=2,
    title="Exercise 5.3 — the best heavy ball for a quadratic",
    visible=[
        Case(np.diag([1.0, 100.0])),
        Case(np.diag([2.0, 8.0])),
        Case(np.array([[3.0, 1.0], [1.0, 3.0]])),
    ],
    hidden=[
        Case(surfaces.quadratic(1000, angle=0.4).hess(np.zeros(2))),
        Case(np.diag([0.5, 4.5, 2.0])),
        Case((lambda M: M @ M.T + 0.5 * np.eye(4))(rng.normal(size=(4, 4)))),
    ],
    mistakes=[
        Mistake("momentum's formulas use the square root of the condition number: "
                "(√κ − 1)/(√κ + 1), not (κ − 1)/(κ + 1) (that is gradient descent's rate)",
                _with_kappa, name="kappa for sqrt(kappa)"),
        Mistake("the optimal momentum is the *square* of the rate: β* = ((√κ − 1)/(√κ + 1))²",
                _unsquared, name="beta not squared"),
        Mistake("2/(L + μ) is gradient descent's best step; the heavy ball's is 4/(√L + √μ)²",
                _gd_lr, name="gd step"),
    ],
    hint="return a tuple of three floats (lr, momentum, rate)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex05_3", optimal_heavy_ball)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
