# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 06 — Adaptive methods
#
# Four exercises on [chapter 06](../chapters/06_adaptive.ipynb), 10 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given, and use
# numpy only (no `gdlearn.optim`: the point is to write the update yourself).

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
# ## Exercise 6.1 — Adam with bias correction (3 points)
#
# Write `adam_iterates(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8)`, which
# runs `steps` steps of Adam from a copy of `x0` (a 1-D float array) and returns
# **every iterate**, an array of shape `(steps + 1, d)` that starts with `x0`. At
# step $t = 1, 2, \dots$, with $g_t$ = `grad(x)` at the current iterate and
# $(\beta_1, \beta_2)$ = `betas`:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
# v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0,$$
#
# $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t},
# \qquad x_t = x_{t-1} - \text{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# All operations are elementwise. (This is `torch.optim.Adam`; the test compares
# with a tolerance, so $\sqrt{v_t}/\sqrt{1-\beta_2^t}$ and $\sqrt{v_t/(1-\beta_2^t)}$
# both pass.)

# %%
def adam_iterates(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8):
    """Iterates of Adam with bias correction: an array of shape (steps + 1, d)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_1", adam_iterates)

# %% [markdown]
# ## Exercise 6.2 — one AdamW step (3 points)
#
# Write `adamw_step(x, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`:
# one step of `torch.optim.AdamW` at step number `t` (1 for the first step), from the
# parameters `x`, the gradient `g` of the loss at `x`, and the moments `m`, `v` of the
# previous step (zeros before the first). Return the tuple `(x_new, m_new, v_new)`.
#
# The weight decay $\lambda$ = `weight_decay` is **decoupled**: it shrinks the
# parameters directly and never enters $m$ or $v$:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g^2,$$
#
# $$x_{\text{new}} = x - \text{lr}\,\lambda\, x - \text{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},$$
#
# with the bias-corrected $\hat m_t$, $\hat v_t$ of exercise 6.1. Do not modify the
# input arrays.

# %%
def adamw_step(x, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One AdamW step: returns (x_new, m_new, v_new)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_2", adamw_step)

# %% [markdown]
# ## Exercise 6.3 — Adagrad's step sizes (2 points)
#
# Adagrad divides each coordinate's learning rate by the root of the running sum of
# its squared gradients. Write `adagrad_step_sizes(grads, lr, eps=1e-10,
# initial_accumulator_value=0.0)`: given the gradients of $T$ steps as an array
# `grads` of shape `(T, d)` (row $t-1$ is $g_t$), return the array of shape `(T, d)`
# of the step sizes that Adagrad applies at each step,
#
# $$s_t = s_{t-1} + g_t^2, \quad s_0 = \texttt{initial\_accumulator\_value}, \qquad
# \text{row } t-1: \ \frac{\text{lr}}{\sqrt{s_t} + \epsilon},$$
#
# all elementwise (the step at $t$ is this size times $g_t$). Look at what happens to
# a coordinate whose gradient is mostly zero, like a rare feature's.

# %%
def adagrad_step_sizes(grads, lr, eps=1e-10, initial_accumulator_value=0.0):
    """Adagrad's per-coordinate step size lr / (sqrt(s_t) + eps) at each step: shape (T, d)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_3", adagrad_step_sizes)

# %% [markdown]
# ## Exercise 6.4 — RMSprop (2 points)
#
# Write `rmsprop_iterates(grad, x0, lr, steps, alpha=0.99, eps=1e-8)`: the iterates
# of `torch.optim.RMSprop` (no momentum, not centered), an array of shape
# `(steps + 1, d)` starting with `x0`:
#
# $$v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \quad v_0 = 0, \qquad
# x_t = x_{t-1} - \text{lr}\,\frac{g_t}{\sqrt{v_t} + \epsilon}.$$
#
# (No bias correction here: PyTorch's RMSprop has none, which is why its first step
# is $1/\sqrt{1 - \alpha} = 10$ times lr.)

# %%
def rmsprop_iterates(grad, x0, lr, steps, alpha=0.99, eps=1e-8):
    """Iterates of RMSprop: an array of shape (steps + 1, d)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_4", rmsprop_iterates)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
