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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex02_3", best_learning_rate)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
