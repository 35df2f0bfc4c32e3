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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex01_5", classify_stationary)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
