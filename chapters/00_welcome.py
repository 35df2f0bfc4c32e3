# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Welcome: gradient descent, felt and proved
#
# Almost every model you have heard of — a linear fit, a spam filter, a large
# language model — is trained by the same idea: **look at the slope, take a
# small step downhill, repeat.** This course builds that idea from the ground
# up, one chapter at a time, until you can read `torch.optim.Adam` and know
# what every line of it does and why.
#
# **What you will learn in this chapter**
#
# - how to run the course: in JupyterLab on your machine, on Binder, or on Colab;
# - how a chapter is built: prose, short code cells, pictures you can move;
# - that the live figures work in *your* browser (a thirty-second check);
# - your first gradient descent, five lines long;
# - how the exercises and their instant `check()` feedback work.

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
import numpy as np

from gdlearn.notebook import setup

backend = setup()
backend

# %% [markdown]
# ## How to use this course
#
# Each chapter is a notebook. Read the text, then run the code cell beneath it
# with **Shift + Enter**: the cell runs and the cursor moves to the next one.
# To run a whole chapter at once, use *Run → Run All Cells*. If something gets
# into a strange state, *Kernel → Restart Kernel and Run All Cells* starts over.
#
# You can run the course in three places:
#
# | where | how | live sliders |
# | --- | --- | --- |
# | your machine | `make lab` in the course folder (see the README) | yes |
# | Binder | the *launch binder* badge in the README: nothing to install | yes |
# | Colab | the *Open in Colab* link of a chapter; the first cell installs the course | yes, via Colab's widget manager |
#
# The cell above printed which plotting **backend** this notebook uses:
#
# - `'widget'` — live, interactive figures (ipympl). Sliders move plots instantly.
# - `'inline'` — static pictures. Everything still teaches, but moving a slider
#   redraws a new picture instead of animating the old one. You get this when
#   `ipympl` is not installed, or when `GDLEARN_STATIC=1` is set (handy for
#   exporting a chapter to HTML).
#
# Every number the text quotes is computed in the notebook and checked by an
# `assert` right after it. When you see a cell ending in `assert ...`, it is the
# notebook proving its own claim; the course's test suite runs every notebook,
# so a claim that stopped being true would fail the tests.

# %% [markdown]
# ## Check that the live figures work
#
# Below is a curve with its tangent line. **Drag the slider.** The orange
# tangent should slide along the curve and the title should report the slope.
# If the figure follows the slider, everything is set up.
#
# If you see a picture but the slider does nothing, your notebook front end
# cannot show live widgets: on your own machine, install the course with
# `make lab` (it installs `ipympl`) and restart JupyterLab; on Colab, rerun the
# first cell. You can still follow the whole course with static figures.

# %%
from gdlearn import surfaces
from gdlearn.widgets import tangent_explorer

check_widgets = tangent_explorer(surfaces.double_well, x=-1.5)
check_widgets

# %% [markdown]
# Where the slope is negative, the curve goes *down* to the right, so a step to
# the right decreases the function. Where it is positive, a step to the left
# does. That sentence is the whole of gradient descent in one dimension.
#
# The explorer is an ordinary Python object: the course's tests drive it
# without a browser, and so can you.

# %%
check_widgets.update(x=1.0)
slope_at_1 = check_widgets.slope
# double_well is f(x) = x^4 - 3x^2 + x, so f'(x) = 4x^3 - 6x + 1 and f'(1) = -1.
print(f"slope of the tangent at x = 1: {slope_at_1:.6f}")
assert abs(slope_at_1 - (-1.0)) < 1e-6

# %% [markdown]
# ## Your first gradient descent
#
# Take $f(x) = x^2$. Its derivative is $f'(x) = 2x$. Start at $x_0 = 3$ and
# repeat
#
# $$x_{k+1} = x_k - \eta\, f'(x_k)$$
#
# with a **learning rate** $\eta = 0.1$. Each step multiplies $x$ by
# $1 - 2\eta = 0.8$, so after 20 steps $x_{20} = 3 \cdot 0.8^{20} \approx 0.0346$.
# Here it is, in five lines:

# %%
x = 3.0
learning_rate = 0.1
for step in range(20):
    slope = 2 * x                    # f'(x) for f(x) = x^2
    x = x - learning_rate * slope    # a step downhill
print(f"after 20 steps: x = {x:.4f}")
assert np.isclose(x, 3 * 0.8**20)
assert round(x, 4) == 0.0346

# %% [markdown]
# The same run with the course library. `gdlearn.optim.sgd` is the update rule
# above (with the same name and arguments as PyTorch's `torch.optim.SGD`), and
# `gdlearn.run.run` repeats it and records every step in a `Trace`:

# %%
from gdlearn import optim
from gdlearn.run import run

trace = run(optim.sgd(lr=0.1), surfaces.parabola, x0=3.0, steps=20, tol=0)
print(trace)
print("first iterates:", trace.xs[:4, 0])
assert np.isclose(trace.x[0], x)       # the library agrees with the five lines

# %% [markdown]
# Try a learning rate of `1.1` in the five-line loop: each step now multiplies
# $x$ by $1 - 2.2 = -1.2$, and the iterates swing further out every time.
# `run` notices and stops with a message instead of a wall of overflow
# warnings:

# %%
too_big = run(optim.sgd(lr=1.1), surfaces.parabola, x0=3.0, steps=500)
print(too_big.message)
assert too_big.status == "diverged"

# %% [markdown]
# Why exactly $\eta = 1$ is the edge for $x^2$ (and $2/L$ in general) is the
# subject of chapter 02.

# %% [markdown]
# ## The map of the course
#
# Each chapter is meant to be read in one sitting: the idea, a picture, the numbers.
# Most have a **details** notebook beside them, for when you want more: the longer
# derivations, the edge cases, and the extra runs behind the chapter's claims. You
# do not need it for the exercises.
#
# | chapter | what you will be able to do |
# | --- | --- |
# | [00 welcome](00_welcome.ipynb) | run the course, check the widgets, take a first step |
# | [01 calculus](01_calculus.ipynb) · [details](01_calculus_details.ipynb) | read a derivative as a slope, compute and check gradients, use Taylor and the Hessian |
# | [02 gradient descent](02_gradient_descent.ipynb) · [details](02_gradient_descent_details.ipynb) | choose a learning rate, know why $2/L$ is the limit, map the basins of a non-convex function |
# | [03 linear regression](03_linear_regression.ipynb) · [details](03_linear_regression_details.ipynb) | fit a line by descent and by the normal equations; see why scaling features matters |
# | [04 stochastic and mini-batch](04_stochastic_minibatch.ipynb) · [details](04_stochastic_minibatch_details.ipynb) | trade noise for speed; schedule the learning rate |
# | [05 momentum](05_momentum.ipynb) · [details](05_momentum_details.ipynb) | roll through narrow valleys; the $\sqrt{\kappa}$ speed-up |
# | [06 adaptive methods](06_adaptive.ipynb) · [details](06_adaptive_details.ipynb) | Adagrad, RMSprop, Adam and AdamW, and why they equal `torch.optim` |
# | [07 troubleshooting](07_troubleshooting.ipynb) · [details](07_troubleshooting_details.ipynb) | diagnose vanishing, exploding and stuck runs from their curves |
# | [08 second-order methods](08_second_order.ipynb) · [details](08_second_order_details.ipynb) | Newton, line searches, BFGS and L-BFGS |
# | [09 capstone](09_neural_network.ipynb) · [details](09_neural_network_details.ipynb) | train a neural network from scratch with everything above |
# | [10 beyond gradient descent](10_beyond_gradient_descent.ipynb) · [details](10_beyond_gradient_descent_details.ipynb) | gradient-free search and federated averaging |
#
# Each chapter from 01 on has an exercise notebook with the same name in `../exercises/`.

# %% [markdown]
# ## Exercises and instant feedback
#
# Each chapter has an exercise notebook in `exercises/` with the same number.
# An exercise asks you to write a small function, for example the gradient of
# a given function. Under it, a cell like
#
# ```python
# check("ex01_2", analytic_gradient)
# ```
#
# runs a few test cases on your function and shows, right there, which cases
# pass, and for a failure the input, the expected and the received value, and
# a hint for the classic mistakes (a wrong sign, a forgotten factor 2, ...).
# An exercise you have not started shows "not attempted yet", so the whole
# exercise notebook always runs top to bottom.
#
# A teacher can collect the notebooks and grade them automatically, with
# hidden test cases on top of the visible ones; the README explains how.

# %% [markdown]
# ## Summary
#
# - Run cells with Shift + Enter; *Run All* runs a chapter; the first cell sets
#   the course up wherever you are.
# - Figures are live with the `widget` backend and static otherwise; both teach.
# - Every number in the text is checked by an `assert` in the notebook.
# - Gradient descent is $x \leftarrow x - \eta\, f'(x)$: five lines of Python,
#   or `run(optim.sgd(lr=...), surface, x0)` with the course library.
#
# **Next:** [01 · Calculus](01_calculus.ipynb) — what a gradient is, and how to
# be sure you computed it right.
