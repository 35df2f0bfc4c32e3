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

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Exercise, Mistake

rng = np.random.default_rng(2303)


def _design(n, d, scales=None, intercept=False):
    """A random design matrix (with a first column of ones if `intercept`)."""
    columns = rng.normal(size=(n, d)) * (1.0 if scales is None else np.asarray(scales))
    return np.column_stack([np.ones(n), columns]) if intercept else columns


_SMALL_X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 4.0]])
_SMALL_Y = np.array([1.0, 2.0, 5.0, 8.0])
_COLLINEAR_X = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
_COLLINEAR_Y = np.array([1.0, 2.0, 3.0])
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    residual = X @ np.asarray(w, dtype=float) + b - np.asarray(y, dtype=float)
    return X.T @ residual / len(residual), float(np.mean(residual))
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _gradients_variant(w, b, X, y, *, mistake):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    residual = X @ np.asarray(w, dtype=float) + (0.0 if mistake == "no b" else b) - y
    n = len(y)
    grad_w, grad_b = X.T @ residual / n, float(np.mean(residual))
    if mistake == "sum":
        return grad_w * n, grad_b * n
    if mistake == "factor 2":
        return 2 * grad_w, 2 * grad_b
    if mistake == "sign":
        return -grad_w, -grad_b
    if mistake == "bias sum":
        return grad_w, grad_b * n
    if mistake == "divide by d":
        return grad_w * n / len(w), grad_b
    return grad_w, grad_b


Exercise(
    "ex03_1", function="mse_gradients", points=3,
    title="Exercise 3.1 — the gradient with a separate intercept",
    visible=[
        Case(np.array([0.0]), 0.0, np.array([[0.0], [1.0], [2.0], [4.0]]), np.array([1.0, 2.0, 5.0, 8.0])),
        Case(np.array([2.0]), -1.0, np.array([[0.0], [1.0], [2.0], [4.0]]), np.array([1.0, 2.0, 5.0, 8.0])),
        Case(np.array([1.0, 2.0, -1.0]), 0.5, _design(5, 3), rng.normal(size=5)),
        Case(np.array([0.3, -0.2]), 1.5, _design(3, 2), np.array([2.0, 1.0, 0.0])),
    ],
    hidden=[
        Case(rng.normal(size=4), -0.7, _design(7, 4), rng.normal(size=7)),
        Case(rng.normal(size=3), 0.2, _design(2, 3), rng.normal(size=2)),
        Case(np.array([0.2, -0.1]), 3.0, _design(40, 2, scales=(1.0, 10.0)), rng.normal(size=40)),
        Case(np.array([0.0, 0.0]), 0.0, _COLLINEAR_X, _COLLINEAR_Y),
    ],
    mistakes=[
        Mistake("divide by n, the number of examples: the loss is a mean, so are its derivatives "
                "(without 1/n you get the gradient of the sum, n times too long)",
                lambda *a: _gradients_variant(*a, mistake="sum"), name="sum"),
        Mistake("no factor 2: with the ½ in the loss, d/dθ ½ r² = r · dr/dθ. "
                "A factor 2 belongs to the loss *without* the ½ (exercise 1.3)",
                lambda *a: _gradients_variant(*a, mistake="factor 2"), name="factor 2"),
        Mistake("the residual is prediction minus target, Xw + b − y; with y − Xw − b the gradient points uphill",
                lambda *a: _gradients_variant(*a, mistake="sign"), name="sign"),
        Mistake("∂J/∂b is the *mean* residual: ∂r_i/∂b = 1, then average over the examples like the rest",
                lambda *a: _gradients_variant(*a, mistake="bias sum"), name="bias sum"),
        Mistake("the residual includes the bias: r = Xw + b − y (b shifts every prediction)",
                lambda *a: _gradients_variant(*a, mistake="no b"), name="residual without b"),
        Mistake("divide by n = len(y), the number of examples (rows of X), not by d, the number of weights",
                lambda *a: _gradients_variant(*a, mistake="divide by d"), name="divide by d"),
    ],
    hint="return a pair: Xᵀr / n (one entry per weight) and the mean of r, where r = Xw + b − y",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    mean = X_train[:, 1:].mean(axis=0)
    std = X_train[:, 1:].std(axis=0)
    Z_train, Z_test = X_train.copy(), X_test.copy()
    Z_train[:, 1:] = (X_train[:, 1:] - mean) / std
    Z_test[:, 1:] = (X_test[:, 1:] - mean) / std
    return Z_train, Z_test
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _standardize_variant(X_train, X_test, *, own_test_stats=False, ddof=0, first=1,
                         center=True, scale=True):
    """The reference with one classic mistake switched on."""
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    out = []
    with np.errstate(all="ignore"):
        for A in (X_train, X_test):
            source = A if own_test_stats else X_train
            mean = source[:, first:].mean(axis=0) if center else 0.0
            std = source[:, first:].std(axis=0, ddof=ddof) if scale else 1.0
            Z = A.copy()
            Z[:, first:] = (A[:, first:] - mean) / std
            out.append(Z)
    return tuple(out)


def _split(n_train, n_test, d, scales, shifts):
    A = rng.normal(size=(n_train + n_test, d)) * np.asarray(scales) + np.asarray(shifts)
    A = np.column_stack([np.ones(len(A)), A])
    return A[:n_train], A[n_train:]


Exercise(
    "ex03_2", function="standardize", points=3,
    title="Exercise 3.2 — standardize the features",
    visible=[
        Case(np.array([[1.0, 1.0, 100.0], [1.0, 2.0, 300.0], [1.0, 3.0, 200.0], [1.0, 6.0, 400.0]]),
             np.array([[1.0, 4.0, 250.0], [1.0, 0.0, 500.0]])),
        Case(*_split(10, 4, 2, scales=(1.0, 10.0), shifts=(0.0, 5.0))),
        Case(*_split(8, 3, 1, scales=(0.1,), shifts=(2000.0,))),
    ],
    hidden=[
        Case(*_split(20, 5, 3, scales=(2.0, 0.5, 30.0), shifts=(-1.0, 3.0, 100.0))),
        Case(*_split(5, 5, 2, scales=(1.0, 1.0), shifts=(10.0, -10.0))),
        Case(*_split(30, 2, 4, scales=(1.0, 10.0, 100.0, 0.01), shifts=(0.0, 0.0, 50.0, 1.0))),
    ],
    mistakes=[
        Mistake("the test set uses the *training* mean and standard deviation, not its own: the model "
                "was fitted on the training scale, and new data must be mapped the same way",
                lambda a, b: _standardize_variant(a, b, own_test_stats=True), name="test statistics"),
        Mistake("use np.std's default ddof=0 (divide by n), not ddof=1",
                lambda a, b: _standardize_variant(a, b, ddof=1), name="ddof=1"),
        Mistake("leave the first column (the intercept, all ones) alone: its standard deviation is 0, "
                "so standardizing it divides 0 by 0",
                lambda a, b: _standardize_variant(a, b, first=0), name="intercept standardized"),
        Mistake("also subtract the training mean of each feature (standardize = center, then scale)",
                lambda a, b: _standardize_variant(a, b, center=False), name="no centering"),
        Mistake("also divide by the training standard deviation of each feature",
                lambda a, b: _standardize_variant(a, b, scale=False), name="no scaling"),
    ],
    hint="return a pair (Z_train, Z_test), each of the shape of its input, first column unchanged",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / len(y)
        path.append(w)
    return np.array(path)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _gd_variant(X, y, lr, steps, w0=None, *, mistake):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.array(np.zeros(X.shape[1]) if w0 is None else w0, dtype=float)
    path = [] if mistake == "no start" else [w]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = X.T @ (X @ w - y) / len(y)
            if mistake == "sum":
                g = g * len(y)
            elif mistake == "factor 2":
                g = 2 * g
            elif mistake == "sign":
                g = -g
            w = w - lr * g
            path.append(w)
    path = np.array(path)
    if mistake == "aliased":                 # w -= ...; path.append(w): every row is the last w
        path = np.tile(w, (steps + 1, 1))
    return path


Exercise(
    "ex03_3", function="gd_linear_regression", points=3,
    title="Exercise 3.3 — batch gradient descent, every iterate",
    visible=[
        Case(_SMALL_X, _SMALL_Y, 0.05, 5),
        Case(_SMALL_X, _SMALL_Y, 0.1, 3, w0=np.array([2.0, -1.0])),
        Case(_COLLINEAR_X, _COLLINEAR_Y, 0.05, 10),
        Case(np.array([[1.0, 0.5], [1.0, -0.5]]), np.array([1.0, 0.0]), 0.5, 0),
    ],
    hidden=[
        Case(_design(30, 2, scales=(1.0, 10.0)), rng.normal(size=30), 0.019, 25),
        Case(_COLLINEAR_X, _COLLINEAR_Y, 0.05, 40, w0=np.array([2.0, -0.5])),
        Case(_design(6, 3, intercept=True), rng.normal(size=6), 0.2, 8, w0=rng.normal(size=4)),
        Case(np.array([[2.0]]), np.array([4.0]), 0.1, 6),
    ],
    mistakes=[
        Mistake("every row holds the final weights: `w -= lr * g` changes the array you already put in "
                "the list (in place). Write `w = w - lr * g`, or append `w.copy()`",
                lambda *a, **k: _gd_variant(*a, **k, mistake="aliased"), name="aliased iterates"),
        Mistake("row 0 is the start w0: return steps + 1 rows",
                lambda *a, **k: _gd_variant(*a, **k, mistake="no start"), name="no start"),
        Mistake("the gradient of the *mean* squared error divides by n: with the sum the step is n times too long",
                lambda *a, **k: _gd_variant(*a, **k, mistake="sum"), name="sum"),
        Mistake("with the ½ in the loss the gradient is Xᵀ(Xw − y)/n, without a factor 2",
                lambda *a, **k: _gd_variant(*a, **k, mistake="factor 2"), name="factor 2"),
        Mistake("step *against* the gradient: w ← w − lr·∇J(w), with ∇J(w) = Xᵀ(Xw − y)/n",
                lambda *a, **k: _gd_variant(*a, **k, mistake="sign"), name="sign"),
    ],
    hint="start from zeros (or a copy of w0), keep every iterate, return np.array of shape (steps + 1, d)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    w0 = np.asarray(w0, dtype=float)
    pinv = np.linalg.pinv(X)
    return pinv @ np.asarray(y, dtype=float) + w0 - pinv @ (X @ w0)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _pinv(X):
    return np.linalg.pinv(np.asarray(X, dtype=float))


Exercise(
    "ex03_4", function="gd_limit", points=3,
    title="Exercise 3.4 — where gradient descent ends up",
    visible=[
        Case(_COLLINEAR_X, _COLLINEAR_Y, np.array([0.0, 0.0])),
        Case(_COLLINEAR_X, _COLLINEAR_Y, np.array([2.0, -0.5])),
        Case(_SMALL_X, _SMALL_Y, np.array([3.0, 3.0])),
        Case(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]]), np.array([1.0, -1.0]), np.array([1.0, 1.0, 1.0])),
    ],
    hidden=[
        Case(_design(3, 5), rng.normal(size=3), rng.normal(size=5)),
        Case(np.column_stack([_design(6, 2), np.zeros(6)]), rng.normal(size=6), np.array([0.5, -0.5, 2.0])),
        Case((lambda A: np.column_stack([A, A[:, 0] - A[:, 1]]))(_design(8, 2)), rng.normal(size=8),
             rng.normal(size=3)),
        Case(_design(10, 3, intercept=True), rng.normal(size=10), rng.normal(size=4)),
    ],
    mistakes=[
        Mistake("X⁺y is the limit from w0 = 0 only: from another start gradient descent keeps the part of "
                "w0 in the null space of X, (I − X⁺X) w0",
                lambda X, y, w0: _pinv(X) @ np.asarray(y, dtype=float), name="ignores w0"),
        Mistake("the row-space part of w0 is removed by the descent: add (I − X⁺X) w0, not all of w0",
                lambda X, y, w0: _pinv(X) @ np.asarray(y, dtype=float) + np.asarray(w0, dtype=float),
                name="adds w0"),
        Mistake("I − X⁺X projects onto the null space (what the descent never changes); X⁺X projects onto "
                "the row space",
                lambda X, y, w0: _pinv(X) @ (np.asarray(y, dtype=float) + np.asarray(X, dtype=float) @ w0),
                name="wrong projection"),
    ],
    hint="use np.linalg.pinv(X) (it works when XᵀX is singular, where np.linalg.solve fails)",
    rtol=1e-7, atol=1e-9,
)
### END HIDDEN TESTS

# %%
check("ex03_4", gd_limit)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
