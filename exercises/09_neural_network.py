# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 09 — Capstone: a neural network
#
# Five exercises on [chapter 09](../chapters/09_neural_network.ipynb), 14 points in all.
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

from gdlearn.grading import check
from gdlearn.mlp import mlp_loss_and_grad


# %% [markdown]
# ## Exercise 9.1 — the cross-entropy and its gradient, from the logits (3 points)
#
# Write `bce_from_logits(z, y)`, which takes the logits `z` (shape `(n,)`) and the
# labels `y` (shape `(n,)`, values in [0, 1]) and returns the tuple
# `(loss, dz)`:
#
# $$\text{loss} = \frac1n \sum_i \big(\log(1 + e^{z_i}) - y_i z_i\big), \qquad
# \text{dz}_i = \frac{\partial\,\text{loss}}{\partial z_i} = \frac{\sigma(z_i) - y_i}{n},$$
#
# `loss` a float and `dz` an array of shape `(n,)`. It must work for huge logits
# too ($|z| = 1000$): no `inf`, no `nan`. `np.logaddexp(0, z)` computes
# $\log(1 + e^z)$ safely, and $\sigma(z) = 1/(1 + e^{-z})$ may be written as
# `np.exp(-np.logaddexp(0, -z))`. Derive `dz` by hand: PyTorch's autograd and
# `gdlearn.calculus.numerical_gradient` raise an error while `check` and the grader run your function.

# %%
def bce_from_logits(z, y):
    """Mean binary cross-entropy from the logits, and its gradient with respect to the logits."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex09_1", bce_from_logits)

# %% [markdown]
# ## Exercise 9.2 — backpropagation through a two-layer network (4 points)
#
# The network of the chapter, with one hidden layer of $h$ tanh units:
#
# $$a = X W_1 + b_1, \quad H = \tanh(a), \quad z = H W_2 + b_2, \quad
# L = \frac1n \sum_i \big(\log(1 + e^{z_i}) - y_i z_i\big) ,$$
#
# with `params = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}`, `X` of
# shape `(n, d)` and `y` of shape `(n,)`. Write `two_layer_backprop(params, X, y)`,
# which returns the gradient of $L$ as a dict with the same four keys, each array
# with the shape of its parameter. (Take the steps of the chapter's section 3:
# $\delta_2 = (\sigma(z) - y)/n$, then the second layer, then back through the
# $\tanh$, then the first layer.)
#
# *Write the backward pass yourself with numpy: `gdlearn.mlp.mlp_loss_and_grad`, PyTorch's
# autograd and `gdlearn.calculus.numerical_gradient` answer this exercise, so they raise an
# error while `check` and the grader run your function.*

# %%
def two_layer_backprop(params, X, y):
    """Gradient of the mean cross-entropy of a one-hidden-layer tanh network: a dict like params."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex09_2", two_layer_backprop)

# %% [markdown]
# ## Exercise 9.3 — one epoch of mini-batch SGD (3 points)
#
# Write `sgd_epoch(params, X, y, lr, batch_size, seed)`, which trains a network
# (a dict of arrays, any number of layers, tanh) for **one epoch** of mini-batch
# SGD and returns the new params (a new dict; do not change the one you were given):
#
# 1. shuffle: `order = np.random.default_rng(seed).permutation(n)`;
# 2. cut `order` into consecutive batches of `batch_size` indices (the last batch
#    is smaller when `batch_size` does not divide `n`);
# 3. for each batch in turn: `loss, grads = mlp_loss_and_grad(params, X[batch], y[batch])`
#    (imported above from `gdlearn.mlp`), then `params[k] - lr * grads[k]` for every key.
#
# *Write the loop yourself: `gdlearn.mlp.train` with `gdlearn.optim.sgd` answers this
# exercise, so both raise an error while `check` and the grader run your function.*

# %%
def sgd_epoch(params, X, y, lr, batch_size, seed):
    """One epoch of mini-batch SGD on a gdlearn.mlp network; returns the new params."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex09_3", sgd_epoch)


# %% [markdown]
# ## Exercise 9.4 — choosing a learning rate by a stated rule (2 points)
#
# Section 6a of the chapter chooses each optimizer's learning rate by one stated rule,
# the same for every optimizer. Write `choose_rate(rates, correct, val_loss)`, which
# applies it to a finished search:
#
# - `rates`: the grid of learning rates tried, shape `(r,)`;
# - `correct`: how many validation points each run gets right, shape `(seeds, r)`
#   (row: a seed; column: a rate);
# - `val_loss`: each run's validation loss, shape `(seeds, r)` (`np.inf` for a run that
#   diverged).
#
# Return the rate (a number from `rates`) whose runs get the **most validation points
# right in total over the seeds**; among rates tied on that total, the one with the
# **lower mean validation loss** over the seeds; if still tied, the **smaller rate**.
# (`np.lexsort` does a sort by several keys at once; a loop over the rates works too.)

# %%
def choose_rate(rates, correct, val_loss):
    """The rate with the most validation points right over the seeds; ties: lower mean loss, then smaller rate."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex09_4", choose_rate)


# %% [markdown]
# ## Exercise 9.5 — is a gap noise? The paired standard error (2 points)
#
# Section 6b of the chapter scores every optimizer on the *same* test points, so part of a
# gap between two optimizers comes from which points were drawn. The chapter measures that
# part with the **paired standard error**. Write `paired_gap(right_a, right_b)`:
#
# - `right_a`: which test points each run of optimizer A gets right, a boolean array of
#   shape `(points, seeds)` (row: a test point; column: a seed);
# - `right_b`: the same for optimizer B, with the same seeds and the same shape.
#
# For each test point $i$, let $d_i$ be A's share of the seeds that get point $i$ right
# minus B's share. Return the tuple `(gap, se)`: `gap` is the mean of the $d_i$ over the
# points (which equals A's mean accuracy minus B's), and `se` is the sample standard
# deviation of the $d_i$ (`ddof=1`) over $\sqrt{\text{points}}$. The ratio `gap / se` then
# says how many paired standard errors the gap is from zero.

# %%
def paired_gap(right_a, right_b):
    """Gap in mean accuracy, A − B, and its paired standard error over the shared test points."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex09_5", paired_gap)


# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
