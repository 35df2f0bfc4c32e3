# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 01 — Calculus
#
# Five exercises on [chapter 01](../chapters/01_calculus.ipynb), 12 points in all.
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

rng = np.random.default_rng(2024)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 1.1 — a central-difference gradient (3 points)
#
# Write `central_difference_gradient(f, x, h=1e-4)`, the gradient of a scalar
# function `f` at the point `x` (a 1-D array of length $d$) by central
# differences, one coordinate at a time:
#
# $$g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h}, \qquad i = 1, \dots, d,$$
#
# where $e_i$ is the $i$-th unit vector. Return a float array of shape `(d,)`.
# Use only calls to `f` (no library gradient).

# %%
def central_difference_gradient(f, x, h=1e-4):
    """Gradient of ``f`` at ``x`` by central differences with step ``h``."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _forward_difference(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    return np.array([(f(x + h * e) - f(x)) / h for e in np.eye(len(x))])


def _divided_by_h(f, x, h=1e-4):
    return 2 * central_difference_gradient(f, x, h)


def _all_coordinates_at_once(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


Exercise(
    "ex01_1", function="central_difference_gradient", points=3,
    title="Exercise 1.1 — a central-difference gradient",
    visible=[
        Case(Code("lambda x: x[0] ** 2 * x[1] + np.sin(x[1])"), np.array([1.0, 2.0])),
        Case(Code("lambda x: np.sum(x ** 2)"), np.array([1.0, -2.0, 3.0])),
        Case(Code("surfaces.rosenbrock.f"), np.array([-1.0, 1.5])),
    ],
    hidden=[
        Case(Code("lambda x: np.exp(x[0]) * np.cos(x[1])"), np.array([0.5, -1.0])),
        Case(Code("lambda x: np.prod(x)"), np.array([1.0, 2.0, 3.0, 4.0]), h=1e-3),
        Case(Code("surfaces.himmelblau.f"), rng.normal(size=2)),
    ],
    mistakes=[
        Mistake("this is the forward difference (f(x + h·eᵢ) − f(x)) / h, accurate only to O(h): "
                "use both neighbours, (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h)", _forward_difference,
                name="forward difference"),
        Mistake("the points x + h·eᵢ and x − h·eᵢ are 2h apart: divide by 2h, not by h",
                _divided_by_h, name="divided by h"),
        Mistake("move one coordinate at a time: x + h·eᵢ changes only coordinate i "
                "(eᵢ is the i-th unit vector, np.eye(d)[i]); x + h moves all of them",
                _all_coordinates_at_once, name="all coordinates at once"),
    ],
    rtol=1e-7, atol=1e-8,
)
### END HIDDEN TESTS

# %%
check("ex01_1", central_difference_gradient)

# %% [markdown]
# ## Exercise 1.2 — an analytic gradient (2 points)
#
# For $f(x, y) = x^2 y + \sin y$, derive the two partial derivatives by hand and
# write `gradient_xy(p)`, which returns $\nabla f(p) = \left(\partial f/\partial x,\;
# \partial f/\partial y\right)$ at the point `p = (x, y)` as an array of shape `(2,)`.

# %%
def gradient_xy(p):
    """Gradient of f(x, y) = x**2 * y + sin(y) at p = (x, y)."""
    ### BEGIN SOLUTION
    x, y = p
    return np.array([2 * x * y, x ** 2 + np.cos(y)])
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
Exercise(
    "ex01_2", function="gradient_xy", points=2,
    title="Exercise 1.2 — the gradient of x²y + sin y",
    visible=[Case(np.array([1.0, 2.0])), Case(np.array([0.0, 0.0])), Case(np.array([-1.5, 0.5]))],
    hidden=[Case(np.array([2.0, -1.0])), Case(np.array([0.3, 3.0])), Case(rng.normal(size=2))],
    mistakes=[
        Mistake("∂/∂x of x²y treats y as a constant: it is 2xy, not 2x",
                lambda p: np.array([2 * p[0], p[0] ** 2 + np.cos(p[1])])),
        Mistake("the derivative of sin y is +cos y", lambda p: np.array([2 * p[0] * p[1], p[0] ** 2 - np.cos(p[1])])),
        Mistake("∂/∂y of x²y treats x as a constant: it is x², not 2x",
                lambda p: np.array([2 * p[0] * p[1], 2 * p[0] + np.cos(p[1])])),
        Mistake("the components are swapped: the first is ∂f/∂x, the second ∂f/∂y",
                lambda p: np.array([p[0] ** 2 + np.cos(p[1]), 2 * p[0] * p[1]])),
    ],
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex01_2", gradient_xy)

# %% [markdown]
# ## Exercise 1.3 — the gradient of the mean squared error (3 points)
#
# A linear model with weights $w$ (shape `(d,)`) on data `X` (shape `(n, d)`) and
# targets `y` (shape `(n,)`) has the loss
#
# $$J(w) = \frac1n \sum_{k=1}^n \left(x_k^\top w - y_k\right)^2 = \frac1n \|Xw - y\|^2 .$$
#
# Write `mse_gradient(w, X, y)`, which returns $\nabla J(w)$, shape `(d,)`, without
# a Python loop over the samples. (Derive it first: the chain rule on each square.)

# %%
def mse_gradient(w, X, y):
    """Gradient of the mean squared error (1/n)·||X w − y||² with respect to w."""
    ### BEGIN SOLUTION
    X, y, w = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    return 2 / len(y) * X.T @ (X @ w - y)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _mse_pieces(w, X, y):
    X, y, w = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    return X, X @ w - y, len(y)


Exercise(
    "ex01_3", function="mse_gradient", points=3,
    title="Exercise 1.3 — the gradient of the mean squared error",
    visible=[
        Case(np.array([0.0, 0.0]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([1.0, 2.0, 3.0])),
        Case(np.array([1.0, -1.0]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]]),
             np.array([0.5, 0.0, 2.0, 1.0])),
        Case(np.array([0.5]), np.array([[1.0], [2.0]]), np.array([1.0, 1.0])),
    ],
    hidden=[
        Case(rng.normal(size=3), rng.normal(size=(20, 3)), rng.normal(size=20)),
        Case(rng.normal(size=1), rng.normal(size=(5, 1)), rng.normal(size=5)),
        Case(rng.normal(size=4), rng.normal(size=(50, 4)), rng.normal(size=50)),
    ],
    mistakes=[
        Mistake("that is the gradient of the *sum* of squares: the mean divides by n = len(y)",
                lambda w, X, y: (lambda X, r, n: 2 * X.T @ r)(*_mse_pieces(w, X, y)), name="sum"),
        Mistake("the factor 2 is missing: the derivative of r² is 2r",
                lambda w, X, y: (lambda X, r, n: X.T @ r / n)(*_mse_pieces(w, X, y)), name="factor 2"),
        Mistake("the sign is flipped: the residual is Xw − y (with y − Xw the chain rule gives a minus)",
                lambda w, X, y: (lambda X, r, n: -2 * X.T @ r / n)(*_mse_pieces(w, X, y)), name="sign"),
        Mistake("the sum *and* the factor 2 are wrong: it should be (2/n)·Xᵀ(Xw − y)",
                lambda w, X, y: (lambda X, r, n: X.T @ r)(*_mse_pieces(w, X, y)), name="sum, no 2"),
    ],
    hint="the gradient is (2/n) · Xᵀ(Xw − y): check each of the 2, the 1/n, the transpose and the sign",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex01_3", mse_gradient)

# %% [markdown]
# ## Exercise 1.4 — a gradient check (2 points)
#
# Write `gradient_check(f, grad, x, h=1e-6)`, which compares a hand-written
# gradient `g = grad(x)` with the central-difference gradient $g_{fd}$ of `f` at `x`
# (step `h`) and returns the relative error
#
# $$\frac{\|g - g_{fd}\|}{\|g\| + \|g_{fd}\|}$$
#
# as a float (return `0.0` when both norms are 0). You may call your
# `central_difference_gradient` from Exercise 1.1. A correct gradient gives a
# tiny number (near $10^{-10}$, as in section 7 of the chapter); a wrong one a number
# of order 1.

# %%
def gradient_check(f, grad, x, h=1e-6):
    """Relative error between grad(x) and the central-difference gradient of f at x."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad(x), dtype=float)
    g_fd = central_difference_gradient(f, x, h)
    scale = np.linalg.norm(g) + np.linalg.norm(g_fd)
    return 0.0 if scale == 0 else float(np.linalg.norm(g - g_fd) / scale)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _absolute_error(f, grad, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    return float(np.linalg.norm(np.asarray(grad(x)) - central_difference_gradient(f, x, h)))


def _relative_to_fd(f, grad, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g_fd = central_difference_gradient(f, x, h)
    return float(np.linalg.norm(np.asarray(grad(x)) - g_fd) / np.linalg.norm(g_fd))


Exercise(
    "ex01_4", function="gradient_check", points=2,
    title="Exercise 1.4 — a gradient check",
    visible=[
        Case(Code("lambda x: np.sum(x ** 2)"), Code("lambda x: 2 * x"), np.array([1.0, 2.0])),
        Case(Code("lambda x: np.sum(x ** 2)"), Code("lambda x: x"), np.array([1.0, 2.0])),
        Case(Code("lambda x: x[0] ** 2 * x[1] + np.sin(x[1])"),
             Code("lambda x: np.array([2 * x[0] * x[1], x[0] ** 2 - np.cos(x[1])])"), np.array([1.0, 2.0])),
    ],
    hidden=[
        Case(Code("surfaces.rosenbrock.f"), Code("surfaces.rosenbrock.grad"), np.array([-1.0, 1.5])),
        Case(Code("surfaces.himmelblau.f"), Code("lambda x: -surfaces.himmelblau.grad(x)"), np.array([1.0, 1.0])),
        Case(Code("lambda x: np.exp(x[0]) + x[1] ** 3"), Code("lambda x: np.array([np.exp(x[0]), 3 * x[1]])"),
             np.array([0.3, 2.0]), h=1e-5),
    ],
    mistakes=[
        Mistake("that is the absolute error ‖g − g_fd‖: divide by ‖g‖ + ‖g_fd‖ so that the "
                "answer does not depend on the scale of f", _absolute_error, name="absolute"),
        Mistake("divide by the sum of both norms, ‖g‖ + ‖g_fd‖, not by one of them",
                _relative_to_fd, name="one norm"),
    ],
    # A correct gradient's relative error is round-off noise (1e-12 .. 1e-8): any
    # value below 1e-6 matches it.
    rtol=1e-3, atol=1e-6,
)
### END HIDDEN TESTS

# %%
check("ex01_4", gradient_check)

# %% [markdown]
# ## Exercise 1.5 — classify a stationary point (2 points)
#
# At a stationary point $p$ ($\nabla f(p) = 0$) with a symmetric Hessian `H` (shape
# `(d, d)`), write `classify_stationary(H)`, which returns the string
# `"local minimum"` when all eigenvalues of `H` are $> 0$, `"local maximum"` when all
# are $< 0$, `"saddle"` when some are $> 0$ and some $< 0$, and `"cannot tell"`
# otherwise (chapter 01, section 8). Count an eigenvalue $\lambda$ with
# $|\lambda| \le 10^{-9}$ as 0. (`np.linalg.eigvalsh` gives the eigenvalues of a
# symmetric matrix.)

# %%
def classify_stationary(H):
    """Kind of the stationary point whose symmetric Hessian is H."""
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    positive, negative = eigenvalues > 1e-9, eigenvalues < -1e-9
    if np.all(positive):
        return "local minimum"
    if np.all(negative):
        return "local maximum"
    if np.any(positive) and np.any(negative):
        return "saddle"
    return "cannot tell"
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _signs_of_diagonal(H):
    return classify_stationary(np.diag(np.diag(np.asarray(H, dtype=float))))


def _zero_counts_as_positive(H):
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    kinds = ["saddle", "local maximum", "local minimum"]          # 0 counted on either side
    return kinds[2 if np.all(lam >= -1e-9) else int(np.all(lam <= 1e-9))]


Exercise(
    "ex01_5", function="classify_stationary", points=2,
    title="Exercise 1.5 — classify a stationary point",
    visible=[
        Case(np.array([[2.0, 1.0], [1.0, 2.0]])),
        Case(np.array([[1.0, 2.0], [2.0, 1.0]])),
        Case(np.array([[2.0, 0.0], [0.0, 0.0]])),
    ],
    hidden=[
        Case(np.array([[-3.0, 1.0], [1.0, -2.0]])),
        Case(np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 0.0]])),
        Case(np.array([[0.0, 0.0], [0.0, -5.0]])),
        Case(np.array([[4.0, 3.0], [3.0, 4.0]])),
    ],
    mistakes=[
        Mistake("the signs of the diagonal entries are not the eigenvalues: [[1, 2], [2, 1]] has a "
                "positive diagonal but eigenvalues -1 and 3 (a saddle); use np.linalg.eigvalsh(H)",
                _signs_of_diagonal, name="diagonal"),
        Mistake("a zero eigenvalue with the others of one sign decides nothing: x² + y⁴ (a minimum) and "
                "x² − y⁴ (a saddle) both have the Hessian diag(2, 0) at 0; return \"cannot tell\"",
                _zero_counts_as_positive, name="zero as positive"),
    ],
    hint="classify by the signs of the eigenvalues of H, with |λ| ≤ 1e-9 counted as 0",
)
### END HIDDEN TESTS

# %%
check("ex01_5", classify_stationary)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
