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
# Six exercises on [chapter 06](../chapters/06_adaptive.ipynb), 15 points in all.
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
# ## Exercise 6.5 — multiply the loss by a constant (2 points)
#
# You multiply your loss by a constant $c > 0$ (say, you switch from a mean to a sum
# over a batch), so every gradient is multiplied by $c$. Before running anything,
# work out on paper which learning rate gives **exactly the same iterates** as the
# rate `lr` did on the original loss, for
#
# - Adam with $\epsilon = 0$ (look at what $c$ does to $\hat m_t$ and to $\sqrt{\hat v_t}$),
# - Adagrad with $\epsilon = 0$,
# - plain gradient descent (SGD without momentum).
#
# Write `same_iterates_lr(lr, c)` returning the tuple `(adam_lr, adagrad_lr, sgd_lr)`.
# Then check your answer for Adam with your `adam_iterates` of exercise 6.1 (with
# `eps=0.0`): run it on `grad` and on `lambda x: c * grad(x)`. With the default
# $\epsilon = 10^{-8}$ the answer is only approximately right: when is the
# difference visible?

# %%
def same_iterates_lr(lr, c):
    """Learning rates that reproduce lr's iterates after the loss is multiplied by c: (adam, adagrad, sgd)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_5", same_iterates_lr)

# %% [markdown]
# ## Exercise 6.6 — Adagrad on a valley turned by 45° (3 points)
#
# Chapter 06 (section 4) found Adagrad no better than gradient descent on a valley
# turned by 45°. Take the quadratic $f(x) = \tfrac12 x^\top A x$ with
# $A = R\,\mathrm{diag}(\mu, L)\,R^\top$, where $R$ turns by 45°, so that its steep
# axis is $u = (1, -1)/\sqrt2$ (with eigenvalue $L$), and start **on the steep
# axis**, at $x_0 = r_0\, u$.
#
# On paper first: show that the gradient at any point $r\,u$ is $L\,r\,u$, whose two
# coordinates have the same size; that Adagrad's two sums $s_1, s_2$ are therefore
# equal at every step, so its iterates stay on the steep axis; and that Adagrad is
# then gradient descent along $u$ with one rate $\eta/\sqrt{s_t}$ for both
# coordinates. Watch the size of a *coordinate* of the gradient: it is not $L r$.
#
# Then write `adagrad_on_steep_axis(L, r0, lr, steps)`, which returns the tuple
# `(r, rates)`: `r` of shape `(steps + 1,)`, the positions $r_0, r_1, \dots$ along
# $u$ (so $x_t = r_t\,u$), and `rates` of shape `(steps,)`, the common rate
# $\eta/\sqrt{s_t}$ of step $t = 1, \dots,$ `steps` (take $\epsilon = 0$). Use one
# number per step, not a 2-D run: the check compares with Adagrad run in 2-D.
# What happens to the rate when the first step overshoots ($\eta$ large)?

# %%
def adagrad_on_steep_axis(L, r0, lr, steps):
    """Adagrad started on the steep axis of a 45° valley, as a 1-D recursion: (r of shape (steps+1,), rates (steps,))."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex06_6", adagrad_on_steep_axis)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
