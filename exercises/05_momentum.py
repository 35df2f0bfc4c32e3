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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex05_3", optimal_heavy_ball)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
