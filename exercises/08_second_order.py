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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex08_3", bfgs_inverse_update)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
