# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 08 — Second-order methods
#
# Three exercises on [chapter 08](../chapters/08_second_order.ipynb), 9 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given.
#
# Use numpy only: `gdlearn.second_order` has these functions, but the point is to
# write them yourself.

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

rng = np.random.default_rng(808)


def _spd(d, seed):
    M = np.random.default_rng(seed).normal(size=(d, d))
    return M.T @ M + 0.5 * np.eye(d)   # symmetric positive definite
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8.1 — the Newton step (3 points)
#
# Write `newton_step(grad, hess, x)`, which returns the Newton step $p$ at the point `x`
# (a 1-D float array): the stationary point of the quadratic model
# $m(p) = f(x) + g^\top p + \tfrac12 p^\top H p$ (its minimizer when $H$ is positive
# definite), with $g$ = `grad(x)` and
# $H$ = `hess(x)`, i.e. the solution of
#
# $$H\, p = -g .$$
#
# Return the **step** $p$ (an array of the shape of `x`), not the new point $x + p$.
# Solve the linear system with `np.linalg.solve`; do not form the inverse of $H$
# (it is slower and less accurate, and unnecessary).

# %%
def newton_step(grad, hess, x):
    """The Newton step p at x: the solution of hess(x) p = -grad(x)."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.linalg.solve(hess(x), -grad(x))
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _step_sign(grad, hess, x):
    return np.linalg.solve(hess(np.asarray(x, float)), grad(np.asarray(x, float)))


def _new_point(grad, hess, x):
    x = np.asarray(x, float)
    return x + np.linalg.solve(hess(x), -grad(x))


def _gradient_step(grad, hess, x):
    return -grad(np.asarray(x, float))


def _diagonal(grad, hess, x):
    x = np.asarray(x, float)
    return -grad(x) / np.diag(hess(x))


def _transposed_product(grad, hess, x):
    x = np.asarray(x, float)
    return -hess(x) @ grad(x)


Exercise(
    "ex08_1", function="newton_step", points=3,
    title="Exercise 8.1 — the Newton step",
    visible=[
        Case(Code("surfaces.quadratic(10, angle=0.3).grad"), Code("surfaces.quadratic(10, angle=0.3).hess"),
             np.array([2.0, -1.0])),
        Case(Code("surfaces.rosenbrock.grad"), Code("surfaces.rosenbrock.hess"), np.array([-1.2, 1.0])),
        Case(Code("surfaces.himmelblau.grad"), Code("surfaces.himmelblau.hess"), np.array([-0.5, -0.5])),
    ],
    hidden=[
        Case(Code("surfaces.rosenbrock.grad"), Code("surfaces.rosenbrock.hess"), np.array([0.5, -0.3])),
        Case(Code("surfaces.booth.grad"), Code("surfaces.booth.hess"), rng.normal(size=2)),
        Case(Code("surfaces.saddle.grad"), Code("surfaces.saddle.hess"), np.array([-0.5, 1.0])),
        Case(Code("lambda x: np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]) @ x - 1.0"),
             Code("lambda x: np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])"),
             np.array([1.5, -2.0, 0.25])),
        Case(Code("surfaces.beale.grad"), Code("surfaces.beale.hess"), np.array([2.5, 0.3])),
    ],
    mistakes=[
        Mistake("sign: the step goes against the gradient, H p = -g (you solved H p = +g)", _step_sign,
                name="sign"),
        Mistake("return the step p, not the new point x + p", _new_point, name="new point"),
        Mistake("that is a gradient step -g; the Newton step also uses the Hessian: solve H p = -g",
                _gradient_step, name="gradient step"),
        Mistake("dividing by the diagonal of H ignores its off-diagonal entries: solve the full "
                "system with np.linalg.solve(H, -g)", _diagonal, name="diagonal"),
        Mistake("multiplying by H is the wrong way round: p = -H^{-1} g, i.e. solve H p = -g",
                _transposed_product, name="times H"),
    ],
    hint="np.linalg.solve(A, b) returns the solution of A x = b",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex08_1", newton_step)

# %% [markdown]
# ## Exercise 8.2 — Armijo backtracking (3 points)
#
# Write `armijo_backtracking(f, x, g, p, c1=1e-4, rho=0.5)`, which returns the step
# length $\alpha$ chosen by backtracking along the descent direction $p$ from the
# point $x$, where $g = \nabla f(x)$ (so $g^\top p < 0$). Start with $\alpha = 1$ and,
# while the **Armijo condition**
#
# $$f(x + \alpha p) \le f(x) + c_1\, \alpha\, g^\top p$$
#
# does not hold, multiply $\alpha$ by `rho`. Return the first $\alpha$ that satisfies
# it, as a float. (All test cases succeed within 60 reductions; you may stop there.)
#
# *Write the loop yourself: `gdlearn.second_order.backtracking` answers this exercise, so
# it raises an error while `check` and the grader run your function.*

# %%
def armijo_backtracking(f, x, g, p, c1=1e-4, rho=0.5):
    """The first alpha in 1, rho, rho^2, ... with f(x + alpha p) <= f(x) + c1 alpha g.p."""
    ### BEGIN SOLUTION
    x, g, p = (np.asarray(v, dtype=float) for v in (x, g, p))
    fx = f(x)
    slope = g @ p
    alpha = 1.0
    for _ in range(60):
        if f(x + alpha * p) <= fx + c1 * alpha * slope:
            break
        alpha *= rho
    return float(alpha)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _armijo_variant(f, x, g, p, c1=1e-4, rho=0.5, *, mistake):
    x, g, p = (np.asarray(v, dtype=float) for v in (x, g, p))
    fx = f(x)
    slope = g @ p
    alpha = 1.0
    with np.errstate(all="ignore"):
        for _ in range(60):
            new = f(x + alpha * p)
            if mistake == "simple decrease":
                ok = new < fx
            elif mistake == "no alpha":
                ok = new <= fx + c1 * slope
            elif mistake == "abs slope":
                ok = new <= fx + c1 * alpha * abs(slope)
            elif mistake == "no c1":
                ok = new <= fx + alpha * slope
            if ok:
                break
            alpha *= rho
    return float(alpha)


def _one_halving_too_many(f, x, g, p, c1=1e-4, rho=0.5):
    x, g, p = (np.asarray(v, dtype=float) for v in (x, g, p))
    alpha = 1.0
    for _ in range(60):
        alpha *= rho
        if f(x + alpha * p) <= f(x) + c1 * alpha * (g @ p):
            break
    return float(alpha)


def _armijo_case(surface_name, x, direction="newton", **kw):
    s = getattr(surfaces, surface_name)
    x = np.asarray(x, dtype=float)
    g = s.grad(x)
    p = np.linalg.solve(s.hess(x), -g) if direction == "newton" else -g
    return Case(Code(f"surfaces.{surface_name}.f"), x, g, p, **kw)


Exercise(
    "ex08_2", function="armijo_backtracking", points=3,
    title="Exercise 8.2 — Armijo backtracking",
    visible=[
        _armijo_case("rosenbrock", [-1.175281, 1.380674]),                    # the wild second Newton step
        _armijo_case("rosenbrock", [-1.2, 1.0], direction="gradient"),
        Case(Code("lambda x: float(x @ x)"), np.array([1.0]), np.array([2.0]), np.array([-2.0])),
        Case(Code("lambda x: float(x @ x)"), np.array([1.0]), np.array([2.0]), np.array([-2.0]), c1=0.9),
        Case(Code("lambda x: float(x @ x)"), np.array([1.0]), np.array([2.0]), np.array([-1.0])),   # the Newton step
    ],
    hidden=[
        _armijo_case("himmelblau", [0.5, 0.5], direction="gradient"),
        _armijo_case("rosenbrock", [0.0, 0.0]),
        _armijo_case("beale", [1.0, 1.5], direction="gradient", rho=0.3),
        _armijo_case("rosenbrock", [1.5, 1.0], direction="gradient", c1=0.5),
        Case(Code("lambda x: float(x @ x)"), np.array([1.0]), np.array([2.0]), np.array([-2.0]), rho=0.1),
        Case(Code("lambda x: float(np.sum(x ** 4))"), np.array([1.0, -2.0]), np.array([4.0, -32.0]),
             np.array([-4.0, 32.0]), c1=0.3),
    ],
    forbidden=["gdlearn.second_order.backtracking"],
    mistakes=[
        Mistake("a plain decrease f(x + αp) < f(x) is not enough: Armijo asks for a decrease of at "
                "least c1·α·|g·p|", lambda *a, **k: _armijo_variant(*a, **k, mistake="simple decrease"),
                name="simple decrease"),
        Mistake("the promised decrease scales with the step: f(x) + c1·α·(g·p), with α",
                lambda *a, **k: _armijo_variant(*a, **k, mistake="no alpha"), name="no alpha"),
        Mistake("sign: g·p is negative for a descent direction, and the bound is f(x) + c1·α·(g·p), "
                "below f(x)", lambda *a, **k: _armijo_variant(*a, **k, mistake="abs slope"),
                name="abs slope"),
        Mistake("c1 is missing: the bound is f(x) + c1·α·(g·p), a small fraction c1 of the "
                "tangent line's decrease", lambda *a, **k: _armijo_variant(*a, **k, mistake="no c1"),
                name="no c1"),
        Mistake("try α = 1 first (the full step), and reduce it only while the condition fails",
                _one_halving_too_many, name="halved first"),
    ],
    hint="start at alpha = 1.0; compare f(x + alpha * p) with f(x) + c1 * alpha * (g @ p)",
    rtol=1e-12, atol=0.0,
)
### END HIDDEN TESTS

# %%
check("ex08_2", armijo_backtracking)

# %% [markdown]
# ## Exercise 8.3 — the BFGS update of the inverse Hessian (3 points)
#
# Write `bfgs_inverse_update(H, s, y)`, which returns the BFGS update of the
# inverse-Hessian approximation `H` (a symmetric positive definite $d \times d$ array)
# after a step $s = x_{k+1} - x_k$ that changed the gradient by
# $y = \nabla f(x_{k+1}) - \nabla f(x_k)$, with $y^\top s > 0$:
#
# $$H_{\text{new}} = (I - \rho\, s y^\top)\, H\, (I - \rho\, y s^\top) + \rho\, s s^\top,
# \qquad \rho = \frac{1}{y^\top s}.$$
#
# Return a new array; do not modify `H`. (Your result should satisfy the secant
# condition $H_{\text{new}}\, y = s$: a good way to test it yourself.)
#
# *Write it with numpy: `gdlearn.second_order.bfgs_update` answers this exercise, so it
# raises an error while `check` and the grader run your function.*

# %%
def bfgs_inverse_update(H, s, y):
    """BFGS: (I - rho s y^T) H (I - rho y s^T) + rho s s^T with rho = 1 / (y^T s)."""
    ### BEGIN SOLUTION
    H, s, y = (np.asarray(v, dtype=float) for v in (H, s, y))
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _direct_formula(H, s, y):
    """The BFGS update of the Hessian B, applied to H: the right formula for the wrong matrix."""
    H, s, y = (np.asarray(v, dtype=float) for v in (H, s, y))
    Hs = H @ s
    return H - np.outer(Hs, Hs) / (s @ Hs) + np.outer(y, y) / (y @ s)


def _swapped(H, s, y):
    H, s, y = (np.asarray(v, dtype=float) for v in (H, s, y))
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(y, s)) @ H @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s)


def _no_last_term(H, s, y):
    H, s, y = (np.asarray(v, dtype=float) for v in (H, s, y))
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s))


def _rho_ss(H, s, y):
    H, s, y = (np.asarray(v, dtype=float) for v in (H, s, y))
    rho = 1.0 / (s @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)


def _bfgs_case(d, seed, H=None):
    r = np.random.default_rng(seed)
    s = r.normal(size=d)
    y = _spd(d, seed + 1) @ s                                # positive curvature: y.s > 0
    H = np.eye(d) if H is None else H
    return Case(H, s, y)


Exercise(
    "ex08_3", function="bfgs_inverse_update", points=3,
    title="Exercise 8.3 — the BFGS update of the inverse Hessian",
    visible=[
        Case(np.eye(2), np.array([1.0, 0.0]), np.array([2.0, 1.0])),
        Case(np.diag([0.5, 2.0]), np.array([0.3, -0.4]), np.array([1.0, -1.5])),
        _bfgs_case(3, 1),
    ],
    hidden=[
        _bfgs_case(2, 5, H=np.linalg.inv(_spd(2, 6))),
        _bfgs_case(4, 7, H=np.linalg.inv(_spd(4, 8))),
        _bfgs_case(6, 9, H=0.1 * np.eye(6)),
        Case(np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([-1.0, 2.0]), np.array([-0.5, 3.0])),
    ],
    forbidden=["gdlearn.second_order.bfgs_update"],
    mistakes=[
        Mistake("that is the BFGS update of the Hessian B (B − Bss^TB/s^TBs + yy^T/y^Ts), not of its "
                "inverse H", _direct_formula, name="direct formula"),
        Mistake("s and y are swapped in the brackets: (I − ρ s y^T) H (I − ρ y s^T)", _swapped,
                name="swapped"),
        Mistake("the last term + ρ s s^T is missing (without it H_new y = 0, not s)", _no_last_term,
                name="no ss term"),
        Mistake("ρ = 1/(y^T s), the curvature along the step, not 1/(s^T s)", _rho_ss, name="rho"),
    ],
    hint="np.outer(a, b) is the matrix a b^T; check your answer with H_new @ y == s",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex08_3", bfgs_inverse_update)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
