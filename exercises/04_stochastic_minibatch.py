# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 04 — Stochastic and mini-batch gradient descent
#
# Three exercises on [chapter 04](../chapters/04_stochastic_minibatch.ipynb), 10 points in all.
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
import math

import numpy as np

from gdlearn.grading import check


# %% [markdown]
# ## Exercise 4.1 — mini-batches, reshuffled every epoch (3 points)
#
# Write `epoch_batches(n, batch_size, epochs, seed)`, which returns the
# mini-batches of `epochs` passes over a data set of `n` examples, as a list of
# 1-D integer arrays of example indices, in the order SGD uses them:
#
# - make **one** random generator, `rng = np.random.default_rng(seed)`, before
#   the first epoch;
# - at the start of **each** epoch draw a fresh order, `order = rng.permutation(n)`;
# - cut that order into consecutive batches `order[0:batch_size]`,
#   `order[batch_size:2*batch_size]`, ...; when `batch_size` does not divide `n`,
#   the last batch of each epoch is smaller (keep it: every example is used once
#   per epoch).
#
# For example `epoch_batches(5, 2, 2, seed=0)` returns six arrays: sizes 2, 2, 1,
# then 2, 2, 1, the first three together holding each of 0..4 once.

# %%
def epoch_batches(n, batch_size, epochs, seed):
    """Index arrays of the mini-batches of `epochs` shuffled passes over n examples."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex04_1", epoch_batches)

# %% [markdown]
# ## Exercise 4.2 — a cosine schedule with a linear warm-up (3 points)
#
# Write `warmup_cosine_lr(step, lr, warmup_steps, total_steps)`, the learning
# rate at update number `step` (counted from 0) of this schedule:
#
# $$\eta_t = \begin{cases}
#   \eta \, \dfrac{t}{W} & 0 \le t < W \quad\text{(warm-up from 0)}\\[1.2ex]
#   \dfrac{\eta}{2}\left(1 + \cos\dfrac{\pi\,(t - W)}{T - W}\right) & W \le t \le T \\[1.2ex]
#   0 & t > T
# \end{cases}$$
#
# with $\eta$ = `lr`, $W$ = `warmup_steps` $\ge 1$ and $T$ = `total_steps` $> W$.
# So the rate is $0$ at $t = 0$, reaches its peak $\eta$ exactly at $t = W$, then
# decays along half a cosine to $0$ at $t = T$, and stays there. Return a float.
# (This is `gdlearn.schedules.warmup_cosine_schedule(lr, W, T)(step)`; write it
# yourself with `math.cos` and `math.pi`.)

# %%
def warmup_cosine_lr(step, lr, warmup_steps, total_steps):
    """The learning rate at `step` of a linear warm-up to `lr` followed by a cosine decay to 0."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex04_2", warmup_cosine_lr)

# %% [markdown]
# ## Exercise 4.3 — one epoch of mini-batch SGD for logistic regression (4 points)
#
# Logistic regression predicts $p_i = \sigma(x_i^\top w)$ with
# $\sigma(z) = 1/(1 + e^{-z})$, for labels $y_i \in \{0, 1\}$, and minimizes the
# mean cross-entropy. On a mini-batch $B$ its gradient is the **mean** over the
# batch,
#
# $$g_B(w) = \frac{1}{|B|} \sum_{i \in B} \big(\sigma(x_i^\top w) - y_i\big)\, x_i .$$
#
# Write `logistic_sgd_epoch(w, X, y, lr, batch_size, seed)`, which makes **one
# epoch** of mini-batch SGD from `w` and returns the new weights (a new array;
# do not change `w` in place):
#
# - `order = np.random.default_rng(seed).permutation(n)`, with `n = len(y)`;
# - for each batch `B = order[k:k + batch_size]`, `k = 0, batch_size, ...` (the
#   last one may be smaller), one step $w \leftarrow w - \text{lr}\cdot g_B(w)$,
#   with the gradient at the *current* `w`.
#
# `X` has shape `(n, d)` (a column of ones already in it for the bias), `y` has
# shape `(n,)`. Write $\sigma$ as `1 / (1 + np.exp(-z))`.

# %%
def logistic_sgd_epoch(w, X, y, lr, batch_size, seed):
    """The weights after one shuffled epoch of mini-batch SGD on the mean cross-entropy."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex04_3", logistic_sgd_epoch)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
