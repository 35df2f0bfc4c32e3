# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 03 — Linear regression
#
# Four exercises on [chapter 03](../chapters/03_linear_regression.ipynb), 12 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given.
#
# Throughout, `X` is a design matrix of shape `(n, d)` (one row per example),
# `y` the targets, shape `(n,)`, and `w` the weights, shape `(d,)`. The loss is
# the chapter's half-MSE (the mean squared error with the factor ½),
# $J(w) = \frac1n \sum_i \tfrac12 (x_i^\top w - y_i)^2$.

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


# %% [markdown]
# ## Exercise 3.1 — the gradient with a separate intercept (3 points)
#
# In the chapter the intercept is a column of ones in `X`. Libraries usually keep it
# apart, as a bias $b$: the model is $\hat y_i = x_i^\top w + b$, with `X` holding the
# features only, and the loss is
#
# $$J(w, b) = \frac1n \sum_{i=1}^n \tfrac12 \,(x_i^\top w + b - y_i)^2 .$$
#
# Write `mse_gradients(w, b, X, y)`, which returns the pair
# `(grad_w, grad_b)`: the gradient $\nabla_w J$, a float array of shape `(d,)`, and the
# derivative $\partial J / \partial b$, a float. Derive them first, as the chapter
# derived $X^\top(Xw - y)/n$ (the chain rule on each square; what is
# $\partial r_i / \partial b$?). Use matrix products (`@`), not a loop over the
# examples. The tests use matrices that are not square, so a misplaced transpose
# shows up.

# %%
def mse_gradients(w, b, X, y):
    """Gradients of the half-MSE (the mean squared error with the factor 1/2) of y ≈ X w + b: (grad_w, grad_b)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex03_1", mse_gradients)

# %% [markdown]
# ## Exercise 3.2 — standardize the features (3 points)
#
# Write `standardize(X_train, X_test)`. Both matrices have the same columns; the
# **first column is the intercept**, all ones. Return the pair `(Z_train, Z_test)`
# in which
#
# - the first column is left as it is (ones: its standard deviation is 0, and the
#   intercept must stay an intercept);
# - every other column $j$ becomes $(x_{ij} - m_j) / s_j$, where $m_j$ and $s_j$ are the
#   mean and the standard deviation of column $j$ **of the training set**
#   (`np.std` with its default `ddof=0`), used for **both** matrices: the test set
#   must go through the same transformation as the training set, never its own.
#
# Do not modify the input arrays.

# %%
def standardize(X_train, X_test):
    """Standardize every column but the first (the intercept) with the training mean and std."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex03_2", standardize)

# %% [markdown]
# ## Exercise 3.3 — batch gradient descent, every iterate (3 points)
#
# Write `gd_linear_regression(X, y, lr, steps, w0=None)`: `steps` steps of batch
# gradient descent on the half-MSE,
#
# $$w_{k+1} = w_k - \text{lr}\cdot \frac1n X^\top (X w_k - y),$$
#
# starting from `w0` (from the zero vector when `w0` is `None`). Return **every**
# iterate as one float array of shape `(steps + 1, d)`: row 0 is $w_0$, row $k$ is
# $w_k$. Do not modify `w0`.

# %%
def gd_linear_regression(X, y, lr, steps, w0=None):
    """Iterates of batch gradient descent on the half-MSE: shape (steps + 1, d)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex03_3", gd_linear_regression)

# %% [markdown]
# ## Exercise 3.4 — where gradient descent ends up (3 points)
#
# When the columns of `X` are linearly dependent (collinear features, or more
# weights than examples), the half-MSE has infinitely many minimizers.
# The chapter showed where gradient descent goes, with a learning rate small
# enough to converge: the gradient $X^\top(Xw - y)/n$ always lies in the **row space**
# of `X`, so the part of `w0` perpendicular to the row space (in the null space of
# `X`) never changes, and the iterates converge to the **minimizer closest to
# `w0`**:
#
# $$w_\infty = X^+ y + (I - X^+ X)\, w_0 ,$$
#
# where $X^+$ is the pseudo-inverse, `np.linalg.pinv(X)`: $X^+ y$ is the
# minimum-norm solution (the limit from $w_0 = 0$), and $I - X^+ X$ projects onto
# the null space of `X`.
#
# Write `gd_limit(X, y, w0)`, which returns $w_\infty$ (shape `(d,)`) without running
# gradient descent. When `X` has independent columns the minimizer is unique, and
# the formula gives it whatever `w0` is. (Beware `np.linalg.solve(X.T @ X, X.T @ y)`:
# with dependent columns $X^\top X$ is singular.)

# %%
def gd_limit(X, y, w0):
    """The minimizer of the half-MSE that gradient descent from w0 converges to."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex03_4", gd_limit)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
