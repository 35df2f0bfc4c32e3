# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 03 — Linear regression
#
# Chapters 01 and 02 ran gradient descent on functions written down for the
# purpose: bowls, bananas, Himmelblau's four valleys. This chapter gives it its
# first real job: **fitting a model to data**. The model is the simplest one
# there is, a linear one, and its loss, half the mean squared error, is a quadratic
# in the weights. So everything chapter 02 proved about quadratics applies
# exactly, and we can watch theory and practice agree to many digits. Linear
# regression also has a closed-form answer, the normal equations, so for once we
# can check gradient descent against the exact minimum.
#
# Two things go wrong in practice, and both are about the *shape* of the loss.
# Features measured on very different scales make a long, narrow valley, and
# gradient descent zig-zags down it; rescaling the features fixes it.
# Features that repeat each other make a valley with a flat floor, a whole line of
# equally good answers, and gradient descent then picks one particular answer
# for a reason worth understanding.
#
# You need chapter 01 (gradients, finite differences, the Hessian and its
# eigenvalues) and chapter 02 (the update rule, the $2/L$ limit and the rate
# $(\kappa - 1)/(\kappa + 1)$).
#
# Every number quoted in the text is computed and asserted by the notebook; the
# cells that pin them are collapsed, and the longer checks, derivations and edge
# cases are in the [details notebook](03_linear_regression_details.ipynb).
#
# ## What you will learn
#
# - the linear model $\hat y = Xw$, its loss, half the mean squared error
#   $J(w) = \frac1n\sum_i \tfrac12 (x_i^\top w - y_i)^2$, and its gradient
#   $\nabla J(w) = X^\top (Xw - y)/n$, checked with finite differences;
# - that $J$ is a quadratic whose Hessian is $X^\top X / n$, so the $2/L$ limit of
#   chapter 02, with $L = \lambda_{\max}(X^\top X / n)$, tells you the largest usable
#   learning rate;
# - batch gradient descent against the **normal equations** $X^\top X w = X^\top y$:
#   the same answer, found two ways, and the projection picture behind them;
# - **feature scaling**: why features on different scales make gradient descent
#   zig-zag, measured through the condition number $\kappa$ of $X^\top X / n$, and
#   how many steps standardizing the features saves;
# - **collinear features**: a valley of minima, why `np.linalg.solve` cannot be
#   trusted there, and the **minimum-norm solution** that gradient descent from zero
#   finds;
# - **ridge regression**: a penalty on $\|w\|^2$ that makes the minimizer unique and
#   lowers $\kappa$.
#
# A word on notation: $J$ is the loss and $L$ the largest curvature (the smoothness
# constant of chapter 02), never the other way round.

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
from gdlearn.notebook import setup
setup()

import matplotlib.pyplot as plt
import numpy as np

from gdlearn import calculus, data, models, plotting, style
from gdlearn.optim import sgd
from gdlearn.run import run
from gdlearn.surfaces import Surface

COLORS = style.PALETTE
GD_COLOR = style.color_for("gd")

# %% [markdown]
# ## 1. The data and the model
#
# Fifty points $(t_i, y_i)$ scattered around the line $y = 1 + 2t$, from
# `gdlearn.data.linear`. We want to recover the line from the points: find an
# intercept $w_1$ and a slope $w_2$ such that $\hat y_i = w_1 + w_2 t_i$ is close to
# $y_i$ for every $i$.
#
# The trick that makes everything below short is to write each example as a row
# $x_i = (1, t_i)$. The column of ones carries the intercept. Stacking the rows
# gives the **design matrix** $X$, of shape $n \times d$ ($n = 50$ examples,
# $d = 2$ weights), and all fifty predictions at once are one matrix product:
#
# $$\hat y = X w, \qquad \hat y_i = x_i^\top w = w_1 \cdot 1 + w_2 \cdot t_i .$$
#
# Nothing requires the columns to be the raw feature: a column $t_i^2$, or any fixed
# function of $t_i$, lets the model draw a curve, and it stays *linear in the weights*
# $w$, so the loss, the gradient and the normal equations below apply unchanged.

# %%
line = data.linear(n=50, seed=0)          # y = 1 + 2 t + noise, noise ~ N(0, 0.5^2)
X, y = line.X, line.y
n, d = X.shape
print("the first rows of X:\n", X[:3].round(3), "\nthe first targets:", y[:3].round(3))
print("the weights that generated the data:", line.w_true)
assert (n, d) == (50, 2) and np.all(X[:, 0] == 1)      # a column of ones: the intercept

# %%
t = X[:, 1]
grid_t = np.linspace(t.min() - 0.3, t.max() + 0.3, 2)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(t, y, "o", color="0.35", markersize=4, label="data $(t_i, y_i)$")
ax.plot(grid_t, line.w_true[0] + line.w_true[1] * grid_t, "--", color="black", linewidth=1,
        label="the line that generated them, $y = 1 + 2t$")
ax.set(xlabel="feature $t$", ylabel="target $y$", title="Fifty noisy points around a line")
ax.legend(fontsize=8);

# %% [markdown]
# ## 2. The loss and its gradient
#
# How wrong are the weights $w$? Each prediction misses by a **residual**
# $r_i = x_i^\top w - y_i$. The **mean squared error** (MSE) averages the squared
# residuals; we put a factor $\tfrac12$ in front, which changes nothing about where
# the minimum is and removes a factor 2 from every derivative. We call the result
# the **half-MSE**:
#
# $$J(w) = \frac1n \sum_{i=1}^n \tfrac12 \,(x_i^\top w - y_i)^2 = \frac{1}{2n}\,\|Xw - y\|^2 .$$
#
# Why squares, and not, say, absolute values? One reason is statistical: if the
# data are a line plus independent Gaussian noise of the same variance for every
# example, as ours are, the $w$ that
# minimizes $J$ is the $w$ that makes the data most likely, the **maximum-likelihood
# estimate** (Zhang et al. 2023, *Dive into Deep Learning*, §3.1.3; Bishop 2006,
# *Pattern Recognition and Machine Learning*, §3.1.1). The two-line derivation, and
# why Laplace noise leads to absolute values instead, is in the
# [details notebook](03_linear_regression_details.ipynb), section A.
#
# **Its gradient**, one partial derivative at a time. The chain rule on one term
# gives $\frac{\partial}{\partial w_j} \tfrac12 r_i^2 = r_i \, \frac{\partial r_i}{\partial w_j}
# = r_i \, x_{ij}$, because $r_i = \sum_k x_{ik} w_k - y_i$ depends on $w_j$ through the
# single term $x_{ij} w_j$. Averaging over the examples:
#
# $$\frac{\partial J}{\partial w_j} = \frac1n \sum_{i=1}^n x_{ij}\, r_i
# \qquad\Longrightarrow\qquad
# \boxed{\,\nabla J(w) = \frac1n X^\top (Xw - y)\,}$$
#
# The sum over $i$ of $x_{ij} r_i$ is the $j$-th entry of $X^\top r$: column $j$ of $X$
# dotted with the residuals. Read the shapes: $Xw - y$ has one entry per example
# ($n$), $X^\top$ turns it into one entry per weight ($d$), as a gradient must. In
# numpy it is one line. Let us check it against finite differences, as chapter 01
# taught, at a random point (not at the minimum, where the gradient is zero).
#
# Careful with frameworks: `torch.nn.MSELoss()` (default `reduction='mean'`) has no
# $\tfrac12$ ([PyTorch docs](https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html)),
# so its gradient and Hessian are twice ours, and its largest stable learning rate
# half of ours. `models.mse_loss` in this course is the half-MSE.

# %%
def loss(w, X, y):
    residual = X @ w - y
    return 0.5 * np.mean(residual ** 2)


def gradient(w, X, y):
    return X.T @ (X @ w - y) / len(y)


rng = np.random.default_rng(0)
w = rng.normal(size=d)
error = calculus.check_grad(lambda v: loss(v, X, y), lambda v: gradient(v, X, y), w)
print(f"relative error of the analytic gradient: {error:.1e}")
assert error < 1e-8

# from here on, the course library's versions: the same formulas
assert np.isclose(models.mse_loss(w, X, y), loss(w, X, y))
assert np.allclose(models.mse_grad(w, X, y), gradient(w, X, y))

# %% [markdown]
# Three mistakes are classic when writing this gradient by hand. Finite
# differences catch each of them, with a relative error far above $10^{-8}$
# (`check_grad` reports $\|g - g_{\text{fd}}\|/(\|g\| + \|g_{\text{fd}}\|)$, chapter 01;
# a gradient $c$ times the right one gives $|c - 1|/(|c| + 1)$):
#
# - the **sum** instead of the mean (forgetting the $1/n$): the gradient is $n$
#   times too long, relative error $(n-1)/(n+1)$;
# - the **forgotten factor**: differentiating $\frac1n\sum(x_i^\top w - y_i)^2$ (no
#   $\tfrac12$) gives $\frac2n X^\top(Xw - y)$; mixing one loss with the other's
#   gradient is off by a factor 2, relative error $1/3$ (either loss is fine, as
#   long as the gradient matches it);
# - the **sign** of the residual, $y - Xw$: a gradient pointing uphill, relative
#   error 1.
#
# A misplaced transpose, `X @ (X.T @ w - y)`, usually fails loudly instead, with a
# shape error (here $X^\top w$ needs $w$ to have $n = 50$ entries).

# %%
mistakes = {
    "sum instead of mean": lambda v: X.T @ (X @ v - y),
    "factor 2 (loss without 1/2)": lambda v: 2 * X.T @ (X @ v - y) / n,
    "sign of the residual": lambda v: X.T @ (y - X @ v) / n,
}
f = lambda v: loss(v, X, y)
errors = {name: calculus.check_grad(f, g, w) for name, g in mistakes.items()}
for name, value in errors.items():
    print(f"{name:>28}: relative error {value:.4f}")
assert np.isclose(errors["sum instead of mean"], (n - 1) / (n + 1), atol=1e-6)
assert np.isclose(errors["factor 2 (loss without 1/2)"], 1 / 3, atol=1e-6)
assert np.isclose(errors["sign of the residual"], 1, atol=1e-6)

try:
    X @ (X.T @ w - y)
    transposed = "no error"
except ValueError as exc:
    transposed = f"ValueError: {exc}"
print("a misplaced transpose:", transposed[:70], "...")
assert transposed.startswith("ValueError")

# %% [markdown]
# ### The loss is a quadratic, and its Hessian is $X^\top X / n$
#
# Multiply out the square, $\|Xw - y\|^2 = w^\top X^\top X w - 2\, y^\top X w + y^\top y$:
#
# $$J(w) = \tfrac12\, w^\top H w - b^\top w + c, \qquad
# H = \frac{X^\top X}{n}, \quad b = \frac{X^\top y}{n}, \quad c = \frac{y^\top y}{2n}.$$
#
# So $J$ is a quadratic function of $w$, exactly the kind of function chapter 02
# analysed, with the constant **Hessian** $H = X^\top X / n$ (differentiate the
# gradient $Hw - b$ once more). $H$ is the average of the outer products
# $x_i x_i^\top$; its eigenvalues are never negative, because
# $v^\top H v = \|Xv\|^2/n \ge 0$ for every $v$. The loss is **convex**, so it has no
# local minimum that is not a global one. If the columns of $X$ are linearly
# independent, $Xv \ne 0$ for $v \ne 0$, every eigenvalue is positive, and the loss is
# a bowl with a single lowest point; if they are not, it has a flat valley of
# minimizers (section 7).

# %%
H, b, c = X.T @ X / n, X.T @ y / n, y @ y / (2 * n)
for v in rng.normal(size=(5, d)) * 3:
    assert np.isclose(loss(v, X, y), 0.5 * v @ H @ v - b @ v + c)          # the same function
H_numerical = calculus.numerical_hessian(lambda v: gradient(v, X, y), w)
assert np.allclose(H_numerical, H, atol=1e-8)                            # finite differences agree
eigenvalues = np.linalg.eigvalsh(H)
print("H =\n", H.round(4), "\neigenvalues:", eigenvalues.round(4))
assert np.all(eigenvalues > 0)

# %% [markdown]
# To draw this loss and to hand it to `run`, the helper below packages any
# two-weight regression as a `Surface` (chapter 01), with its minimum from
# `np.linalg.lstsq` (section 4). Its body is plumbing for the plots, and you may skip
# it: its `f` and `grad` are the half-MSE and its gradient, asserted against
# `models.mse_loss` and `models.mse_grad`.

# %%
def regression_surface(X, y, domain, name="half-MSE", start=(0.0, 0.0)):
    """The loss of a linear regression with two weights as a Surface (vectorized on axis 0)."""
    n = len(y)
    H, b, c = X.T @ X / n, X.T @ y / n, y @ y / (2 * n)

    def f(w):
        return 0.5 * np.einsum("i...,ij,j...->...", w, H, w) - np.einsum("i,i...->...", b, w) + c

    def grad(w):
        w = np.asarray(w, dtype=float)
        return np.einsum("ij,j...->i...", H, w) - b.reshape((2,) + (1,) * (w.ndim - 1))

    def hess(w):
        w = np.asarray(w, dtype=float)
        return np.broadcast_to(H.reshape((2, 2) + (1,) * (w.ndim - 1)), (2, 2) + w.shape[1:])

    w_best = np.linalg.lstsq(X, y, rcond=None)[0]
    eig = np.linalg.eigvalsh(H)
    return Surface(name, f, grad, hess, minima=w_best, domain=domain, start=start,
                   L=eig.max(), mu=eig.min())


bowl = regression_surface(X, y, domain=((-2.5, 4.5), (-1.5, 5.5)), start=(-2.0, -1.0))
for v in rng.normal(size=(5, d)) * 3:
    assert np.isclose(bowl.f(v), models.mse_loss(v, X, y))
    assert np.allclose(bowl.grad(v), models.mse_grad(v, X, y))

# %% [markdown]
# ## 3. Batch gradient descent
#
# One more tool before we descend. To watch the loss approach its minimum
# $J^\star = J(w^\star)$ we plot the gap $J(w) - J^\star$ on a log scale. Subtracting two
# nearly equal numbers loses digits, so we use the exact form of that gap for a
# quadratic, its Taylor expansion around $w^\star$ (where the gradient is zero, and
# the Hessian is the same everywhere):
#
# $$J(w) - J^\star = \tfrac12 (w - w^\star)^\top H\, (w - w^\star).$$

# %%
def excess(surface, ws):
    """J(w) - J* for each row of ws, as (w - w*)^T H (w - w*) / 2: accurate down to round-off."""
    diff = np.atleast_2d(ws) - surface.minima[0]
    return 0.5 * np.einsum("ki,ij,kj->k", diff, surface.hess(surface.minima[0]), diff)


J_star = bowl.f(bowl.minima[0])
probe = rng.normal(size=(5, d)) * 3
assert np.allclose(excess(bowl, probe), bowl.f(probe.T) - J_star)

# %% [markdown]
# Gradient descent on $J$ is the loop of chapter 02 with the gradient above. It is
# called **batch** gradient descent because every step uses the whole data set,
# the full "batch" of $n$ examples (chapter 04 uses a few at a time). We start from
# $w_0 = (-2, -1)$, a line that is wrong in both intercept and slope, with
# $\eta = 0.1$.

# %%
def gradient_descent(X, y, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = w - lr * models.mse_grad(w, X, y)       # the update rule
        path.append(w)
    return np.array(path)


path = gradient_descent(X, y, bowl.start, lr=0.1, steps=200)
gaps = excess(bowl, path)                           # how far above the minimum, at each step
print("w after 200 steps:", path[-1].round(6), " the minimum:", bowl.minima[0].round(6))
print(f"J(w_0) - J* = {gaps[0]:.3f},  J(w_200) - J* = {gaps[-1]:.1e}")
fastest, slowest = (1 - 0.1 * bowl.L) ** 2, (1 - 0.1 * bowl.mu) ** 2   # chapter 02: the factors, squared
ratios = gaps[1:] / gaps[:-1]
print(f"factor per step: {ratios[0]:.3f} (step 1), {ratios[49]:.3f} (step 50), {ratios[-1]:.3f} (end); "
      f"(1 - eta L)^2 = {fastest:.3f}, (1 - eta mu)^2 = {slowest:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.diff(gaps) < 0) and gaps[-1] < 1e-12 * gaps[0]
assert bowl.L / bowl.mu < 1.5                       # a nearly round bowl: kappa close to 1
assert np.allclose(gaps[150:] / gaps[149:-1], slowest, rtol=1e-3)   # in the long run
assert np.isclose(fastest, 0.80, atol=0.005) and np.isclose(slowest, 0.85, atol=0.005)
assert fastest < ratios[0] < ratios[49] < slowest                    # the bend: between the two
assert np.all(np.diff(ratios) > -1e-9)                              # drifting up, never down

# %%
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.2, 1])
plotting.plot_contours(bowl, ax=ax, title="The loss $J(w)$ and 200 steps of gradient descent")
path_art = plotting.plot_path(path, ax=ax, color=GD_COLOR, label="gradient descent, $\\eta$ = 0.1")
path_art.start.set_label("start $w_0 = (-2, -1)$")
ax.legend(fontsize=8, loc="lower right")
ax.set(xlabel="intercept $w_1$", ylabel="slope $w_2$")
ax_loss.semilogy(gaps, color=GD_COLOR)
ax_loss.set(xlabel="step $k$", ylabel="$J(w_k) - J^*$", title="The loss above its minimum (log scale)");

# %% [markdown]
# The contours are nearly round ellipses around the minimum (the star): the condition
# number of $H$ is below 1.5. The path heads almost straight for the minimum. The gap
# $J(w_k) - J^\star$ is a sum of two terms, one per eigen-direction of $H$, shrinking by
# $(1 - \eta\lambda_i)^2$ per step (chapter 02): here $(1 - \eta L)^2 \approx 0.80$ and
# $(1 - \eta\mu)^2 \approx 0.85$. At first both terms count and the factor per step
# drifts from about 0.80 upwards, so the log plot bends slightly; after about 150 steps
# only the slower term is left and the line is straight, with factor $(1 - \eta\mu)^2$,
# set by the flattest direction of the bowl. What those steps do to the fitted line:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax = plt.subplots(figsize=(8.6, 4.2), layout="constrained")
ax.plot(t, y, "o", color="0.35", markersize=4, label="data")
shown = [0, 2, 5, 10, 20, 200]
step_styles = zip(["reddish_purple", "sky_blue", "bluish_green", "orange", "vermillion", "blue"],
                  [(0, (1, 1)), "-.", (0, (5, 2)), (0, (3, 1, 1, 1, 1, 1)), "--", "-"])
for k, (color, linestyle) in zip(shown, [(COLORS[c], ls) for c, ls in step_styles]):
    w1, w2 = path[k]
    sign = "+" if w2 >= 0 else "-"
    ax.plot(grid_t, w1 + w2 * grid_t, color=color, linestyle=linestyle, linewidth=1.6 + 0.6 * (k == 200),
            label=f"step {k}: $\\hat y = {w1:.2f} {sign} {abs(w2):.2f}\\,t$")
ax.plot(grid_t, line.w_true[0] + line.w_true[1] * grid_t, ":", color="black", linewidth=1.5,
        label="the line that generated the data, $y = 1 + 2t$")
ax.set(xlabel="feature $t$", ylabel="target $y$", title="The fitted line, step by step")
ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0);

# %% [markdown]
# Gradient descent converges to the minimizer $w^\star$ of the loss on *these* fifty
# points, not to the weights $(1, 2)$ that generated them: the noise moved the
# best fit. The two lines are close, but not the same:

# %%
print("w after 200 steps:", path[-1].round(3), "  the generating weights:", line.w_true)
assert np.allclose(path[-1], bowl.minima[0], rtol=0, atol=1e-6)     # GD reaches w*...
assert np.linalg.norm(path[-1] - line.w_true) > 0.03                 # ...which is not w_true

# %% [markdown]
# What we actually want is a line that predicts *new* points well, and the loss on
# the fifty training points cannot tell us that: $w^\star$ is by construction the best
# on them. The honest test is **held-out data**, points the fit has never seen, a
# question of **generalization** that this course, about optimization, leaves to the
# machine-learning texts (e.g. Zhang et al. 2023, *Dive into Deep Learning*, §3.6).
# How this $w^\star$ does on 10,000 new points, exactly and on average over training
# samples, is in the [details notebook](03_linear_regression_details.ipynb), section B.

# %% [markdown]
# As in chapter 02, the course library does the loop for us from here on:
# `run(sgd(lr), surface, w0)` records every iterate and says why it stopped. Same
# start, same learning rate, same iterates:

# %%
trace = run(sgd(lr=0.1), bowl, bowl.start, steps=200, tol=0)
print(trace)
assert np.allclose(trace.xs, path, rtol=0, atol=1e-14)

# %% [markdown]
# ## 4. The normal equations: the minimum in one solve
#
# At the minimum of a convex function the gradient is zero. For the mean squared
# error that condition is a linear system, the **normal equations**:
#
# $$\nabla J(w) = \frac1n X^\top (Xw - y) = 0
# \qquad\Longleftrightarrow\qquad
# X^\top X\, w = X^\top y .$$
#
# ($X^\top r = 0$ says the residual vector is perpendicular to every column of
# $X$.) When the $d \times d$ matrix $X^\top X$ is invertible, one call
# to `np.linalg.solve` gives the minimizer, up to rounding. `np.linalg.lstsq` solves the same
# least-squares problem directly from $X$, and gradient descent, run until the
# gradient is tiny, finds the same point:

# %%
w_normal = np.linalg.solve(X.T @ X, X.T @ y)
w_lstsq = np.linalg.lstsq(X, y, rcond=None)[0]
best_lr = 2 / (bowl.L + bowl.mu)                       # the best fixed rate (chapter 02)
gd = run(sgd(lr=best_lr), bowl, bowl.start, steps=1000, tol=1e-12)
print("normal equations:", w_normal, "\nlstsq:           ", w_lstsq, "\ngradient descent:", gd.x)
print(gd.message)
assert gd.status == "converged"
assert np.allclose(w_normal, w_lstsq, rtol=0, atol=1e-8)
assert np.allclose(gd.x, w_normal, rtol=0, atol=1e-8)

cond_X, cond_XtX = np.linalg.cond(X), np.linalg.cond(X.T @ X)
print(f"condition number of X: {cond_X:.3f}, of X^T X: {cond_XtX:.3f} = {cond_X:.3f}^2")
assert np.isclose(cond_XtX, cond_X ** 2)

# %% [markdown]
# The three agree to eight digits and beyond.
#
# ### The picture behind the equations
#
# Look at the problem from the side of the data. The predictions $Xw = w_1 c_1 + w_2
# c_2$ are combinations of the columns $c_1, c_2$ of $X$: as $w$ varies they sweep a
# plane through the origin in $\mathbb{R}^n$, the **column space** of $X$. The loss is
# $\tfrac1{2n}$ times the squared distance $\|y - Xw\|^2$ from the target vector $y$
# to a point of that plane. The closest point is the foot of the perpendicular from $y$:
# the **orthogonal projection** $\hat y = Xw^\star$, and the residual
# $r = Xw^\star - y$ is perpendicular to the plane, so to each column: $X^\top r = 0$,
# the normal equations. (Pythagoras then gives $\|y\|^2 = \|\hat y\|^2 + \|r\|^2$,
# and for any other point $p$ of the plane the triangle $y, \hat y, p$ has a right
# angle at $\hat y$, so $\|y - p\|^2 = \|r\|^2 + \|\hat y - p\|^2$: $p$ is farther from $y$.) We cannot draw
# $\mathbb{R}^{50}$, so here are three examples, $t = 0, 1, 2$, in $\mathbb{R}^3$. A
# 3-D view cannot show a right angle faithfully, so the right panel looks at the
# same vectors edge-on, along the plane: the plane becomes a line, and $y$ stands
# straight above its projection $\hat y$.

# %%
X3 = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])      # intercept and t = 0, 1, 2
y3 = np.array([0.0, 3.0, 1.0])
w3 = np.linalg.lstsq(X3, y3, rcond=None)[0]
y3_hat = X3 @ w3
r3 = y3_hat - y3
print("w* =", w3.round(4), " projection X w* =", y3_hat.round(4), " residual r =", r3.round(4))
assert np.allclose(X3.T @ r3, 0, atol=1e-12)                       # r is perpendicular to both columns
assert np.isclose(y3 @ y3, y3_hat @ y3_hat + r3 @ r3)                # Pythagoras
for v in rng.normal(size=(20, 2)) * 2:                              # every other point is farther
    assert np.linalg.norm(X3 @ v - y3) > np.linalg.norm(r3)
r50 = X @ w_normal - y                                              # and on the 50 examples:
assert np.allclose(X.T @ r50, 0, atol=1e-10 * np.linalg.norm(X) * np.linalg.norm(y))
# The edge-on view of the figure: coordinates along y_hat (in the plane) and along the plane's normal.
in_plane = y3_hat / np.linalg.norm(y3_hat)                # a unit vector in the plane
normal = np.cross(X3[:, 0], X3[:, 1])
normal = normal / np.linalg.norm(normal) * np.sign(normal @ y3)   # unit normal, on y's side
flat = {"y": np.array([y3 @ in_plane, y3 @ normal]), "y_hat": np.array([y3_hat @ in_plane, y3_hat @ normal])}
assert np.isclose(flat["y"][0], flat["y_hat"][0]) and np.isclose(flat["y_hat"][1], 0, atol=1e-12)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig = plt.figure(figsize=(12, 5.6), layout="constrained")
ax3 = fig.add_subplot(1, 2, 1, projection="3d")
a, b_ = np.meshgrid(np.linspace(-0.3, 1.6, 2), np.linspace(-0.3, 1.3, 2))
plane = a[..., None] * X3[:, 0] + b_[..., None] * X3[:, 1]
ax3.plot_surface(plane[..., 0], plane[..., 1], plane[..., 2], color=COLORS["sky_blue"], alpha=0.25)
arrows3 = [(np.zeros(3), y3, "black", "-", "target $y$"),
           (np.zeros(3), y3_hat, COLORS["blue"], "-", r"projection $\hat y = Xw^*$"),
           (y3, y3_hat, COLORS["vermillion"], "--", r"residual $r = \hat y - y$, $\perp$ the plane")]
for start, end, color, linestyle, label in arrows3:
    ax3.quiver(*start, *(end - start), color=color, linestyle=linestyle, linewidth=2,
               arrow_length_ratio=0.08)
    ax3.plot([], [], color=color, linestyle=linestyle, linewidth=2, label=label)
for column, name, marker in [(X3[:, 0], "$c_1$ (ones)", "o"), (X3[:, 1], "$c_2$ ($t$)", "s")]:
    ax3.plot([0, column[0]], [0, column[1]], [0, column[2]], color=COLORS["bluish_green"],
             marker=marker, markevery=[1], linewidth=1.2)
    ax3.text(*(column * 1.08 if marker == "o" else column * 0.55 + [0.12, 0, 0]), name,
             color=COLORS["bluish_green"])
ax3.plot([], [], color=COLORS["sky_blue"], alpha=0.5, linewidth=8, label="column space of $X$")
ax3.set(xlabel="example 1", ylabel="example 2", zlabel="example 3",
        title="Least squares is a projection: $y$ onto the plane of the columns")
ax3.view_init(elev=20, azim=-150)                   # the plane obliquely: y stands off it
for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
    axis.set_major_locator(plt.MaxNLocator(4))                # fewer ticks: no colliding labels
ax3.legend(loc="upper left", fontsize=8)

# The same picture seen edge-on: the plane becomes a line, y sits straight above y_hat.
ax2 = fig.add_subplot(1, 2, 2)
ax2.axhline(0, color=COLORS["sky_blue"], alpha=0.6, linewidth=8, label="column space of $X$, edge-on")
ax2.plot([0, flat["y"][0]], [0, flat["y"][1]], color="black", linewidth=2, label="target $y$")
ax2.plot([0, flat["y_hat"][0]], [0, 0], color=COLORS["blue"], linewidth=2.5, marker="o", markevery=[1],
         label=r"projection $\hat y = Xw^*$")
ax2.plot(*np.transpose([flat["y_hat"], flat["y"]]), "--", color=COLORS["vermillion"], linewidth=2,
         label=r"residual, $\perp$ the plane")
corner = 0.12 * flat["y"][1]                                    # the right-angle mark at y_hat
ax2.plot(flat["y_hat"][0] - corner * np.array([1, 1, 0]), corner * np.array([0, 1, 1]),
         color="black", linewidth=1)
ax2.plot(0, 0, "ko", markersize=4)
ax2.annotate("origin", (0, 0), xytext=(-5, 8), textcoords="offset points", ha="right", fontsize=9)
ax2.set(xlabel=r"along $\hat y$, in the plane", ylabel="across the plane (its normal)",
        title="Seen edge-on: the residual meets the plane at a right angle", aspect="equal",
        xlim=(-0.6, flat["y"][0] + 0.8), ylim=(-0.8, flat["y"][1] + 0.6))
ax2.legend(loc="upper left", fontsize=8);

# %% [markdown]
# Why then use gradient descent at all?
#
# - The normal equations need the $d \times d$ matrix $X^\top X$ and a solve with it.
#   That is cheap for $d = 2$, but with a million weights the matrix alone has
#   $10^{12}$ entries. A gradient step needs only two products with $X$. (So do
#   conjugate gradients and LSQR, iterative solvers for least squares whose step
#   count grows like $\sqrt\kappa$ rather than $\kappa$.)
# - Forming $X^\top X$ squares the condition number, which costs
#   digits when $X$ is badly conditioned. `lstsq` (which factorizes $X$ itself, by
#   the SVD: numpy's `linalg` source calls LAPACK's `gelsd`, an SVD-based solver) avoids that when the
#   residual is small ([details](03_linear_regression_details.ipynb), section C): prefer it to
#   `solve(X.T @ X, X.T @ y)`.
# - Most losses have no closed form: logistic regression (chapter 04) and neural
#   networks (chapter 09) can only be minimized step by step.
#
# What squaring $\kappa$ costs in digits, and which solver to use when: the
# [details notebook](03_linear_regression_details.ipynb), section C.
#
# ## 5. How large a step? The largest eigenvalue $L$ of $X^\top X / n$
#
# Chapter 02 showed that on a quadratic with Hessian $H$ gradient descent converges
# from every start exactly when $0 < \eta < 2/L$, with $L = \lambda_{\max}(H)$. (A start
# whose error $w_0 - w^\star$ has no component along any eigenvector with $\lambda_i \ge 2/\eta$
# is a knife-edge exception: [details](03_linear_regression_details.ipynb), section D.) The loss of
# linear regression *is* such a quadratic, with $H = X^\top X / n$, so the limit
# carries over as it stands. Just below and just above it:

# %%
L = bowl.L
assert np.isclose(L, np.linalg.eigvalsh(X.T @ X / n).max())
below = run(sgd(lr=0.98 * 2 / L), bowl, bowl.start, steps=2000)
above = run(sgd(lr=1.02 * 2 / L), bowl, bowl.start, steps=2000)
print(f"L = {L:.4f}, 2/L = {2 / L:.4f}")
print(f"lr = 0.98 * 2/L: {below.message}\nlr = 1.02 * 2/L: {above.message}")
assert below.status == "converged" and above.status == "diverged"
for tr, eta in [(below, 0.98 * 2 / L), (above, 1.02 * 2 / L)]:
    ratios = excess(bowl, tr.xs)[1:] / excess(bowl, tr.xs)[:-1]
    assert np.allclose(ratios[60:120], (1 - eta * L) ** 2, rtol=1e-3)   # 0.96^2 and 1.04^2 per step

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(excess(bowl, below.xs), color=COLORS["bluish_green"], label=f"$\\eta$ = 0.98 · 2/L: {below.status}")
ax.semilogy(excess(bowl, above.xs), color=COLORS["vermillion"], label=f"$\\eta$ = 1.02 · 2/L: {above.status}")
ax.set(xlabel="step $k$", ylabel="$J(w_k) - J^*$ (log scale)",
       title=f"Two per cent either side of $2/L$ = {2 / L:.3f}")
ax.legend(fontsize=8);

# %% [markdown]
# Two per cent below the limit the loss falls, slowly: the steep direction is
# multiplied by $1 - \eta L = -0.96$ per step, so it zig-zags across the bowl and
# the gap shrinks by $0.96^2$ per step. Two per cent above, that factor is $-1.04$,
# and the gap *grows* by $1.04^2$ per step until `run` declares divergence.
#
# You rarely compute eigenvalues of $X^\top X / n$ in practice, but there is a cheap
# bound: $L$ is at most the trace of $H$, the average squared length of an example,
# $\frac1n\sum_i \|x_i\|^2$. So $\eta < 2 / \text{mean}_i\|x_i\|^2$ is always safe. A
# bound from below says where trouble starts: $L$ is the largest value of $v^\top H v$
# over unit vectors $v$, and the unit vector $e_j$ along feature $j$ gives $v^\top H v =
# H_{jj} = \text{mean}_i\, x_{ij}^2$, so $L \ge H_{jj}$ for every $j$. **A feature with
# large values makes $L$ large and forces a small learning rate on every weight.**

# %%
mean_sq_norm = np.mean(np.sum(X ** 2, axis=1))
print(f"max_j H_jj = {np.diag(H).max():.4f} <= L = {L:.4f} <= mean ||x_i||^2 = {mean_sq_norm:.4f}")
assert np.diag(H).max() <= L * (1 + 1e-12) and L <= mean_sq_norm

# %% [markdown]
# ## 6. Feature scaling and the condition number
#
# Real features come in their own units: a house's floor area in square metres
# (hundreds), its number of rooms (a handful). Take two features with standard
# deviations 1 and 10, from `data.linear_features(scales=(1, 10))`, and a model
# without intercept, $\hat y = w_1 x_1 + w_2 x_2$ (the features have mean about 0).
# The Hessian $X^\top X / n$ has diagonal entries about $1^2$ and $10^2$: the loss
# is a hundred times more curved along $w_2$ than along $w_1$. The ratio of its
# extreme eigenvalues is the **condition number** $\kappa = L / \mu$ of chapter 02.

# %%
scaled = data.linear_features(n=200, scales=(1.0, 10.0), seed=0)
Xs, ys = scaled.X, scaled.y
print("feature means:", Xs.mean(axis=0).round(3), " standard deviations:", Xs.std(axis=0).round(3))
H_raw = Xs.T @ Xs / len(ys)
print("diagonal of X^T X / n:", np.diag(H_raw).round(2))
raw = regression_surface(Xs, ys, domain=((-1.5, 2.5), (-0.35, 0.55)), start=(-1.0, 0.4),
                         name="raw features")
kappa_raw = raw.L / raw.mu
print(f"eigenvalues of X^T X / n: mu = {raw.mu:.3f}, L = {raw.L:.2f};  kappa = {kappa_raw:.1f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 80 < H_raw[1, 1] / H_raw[0, 0] < 130                   # about 100 times more curved along w2
assert 80 < kappa_raw < 130
assert H_raw[1, 1] <= raw.L < 1.01 * H_raw[1, 1]            # L >= H_22 (section 5), nearly equal here
assert abs(raw.L - 101.45) < 0.005 and abs(H_raw[1, 1] - 101.45) < 0.005   # both 101.45 to two decimals

# %% [markdown]
# The large feature sets $L$: $L \ge H_{22}$ (section 5), and here the two agree to
# two decimals, 101.45.
#
# Gradient descent with the best fixed learning rate of chapter 02,
# $\eta^\star = 2/(L + \mu)$. We count the steps until the loss is within
# $10^{-10}$ of its minimum, relative to where it started:
# $J(w_k) - J^\star \le 10^{-10}\,(J(w_0) - J^\star)$. A relative target does not care in
# which units the loss is measured, so it will let us compare problems fairly.
#
# Chapter 02 predicts the count. At $\eta^\star$ both eigen-directions shrink by
# exactly $\rho = (\kappa - 1)/(\kappa + 1)$ per step, so the gap, a sum of squares
# of the two, shrinks by $\rho^2$, and the target is reached after
# $k = \lceil \ln 10^{-10} / (2 \ln \rho) \rceil$ steps.

# %%
TOL = 1e-10


def steps_to_tolerance(surface, lr, max_steps=5000):
    """Run gradient descent; return the trace and the first step where the loss gap is <= TOL times the first."""
    trace = run(sgd(lr=lr), surface, surface.start, steps=max_steps, tol=0)
    gaps = excess(surface, trace.xs)
    reached = np.flatnonzero(gaps <= TOL * gaps[0])
    return trace, gaps, int(reached[0])


def predicted_steps(kappa):
    rho = (kappa - 1) / (kappa + 1)
    return int(np.ceil(np.log(TOL) / (2 * np.log(rho))))


raw_trace, raw_excess, raw_steps = steps_to_tolerance(raw, 2 / (raw.L + raw.mu))
print(f"raw features: {raw_steps} steps (predicted from kappa: {predicted_steps(kappa_raw)})")
assert abs(raw_steps - predicted_steps(kappa_raw)) <= 1

# %% [markdown]
# ### Standardize the features
#
# Divide each feature by its standard deviation, $z_{ij} = x_{ij} / s_j$, so that both
# have spread 1. This changes the *coordinates*, not the model: with weights $v_j = s_j
# w_j$ the predictions $z_i^\top v = x_i^\top w$ are the same numbers, so the best fit
# is the same line, found in new coordinates. (The full recipe also subtracts each
# feature's mean; our features already have mean about 0 and no intercept to absorb it.
# The end of this section shows why the mean matters when there is an intercept.)

# %%
s = Xs.std(axis=0)
Z = Xs / s                                       # every feature now has standard deviation 1
standardized = regression_surface(Z, ys, domain=((-2.5, 3.5), (-1.5, 5.0)), start=s * raw.start,
                                  name="standardized features")
kappa_std = standardized.L / standardized.mu
std_trace, std_excess, std_steps = steps_to_tolerance(standardized, 2 / (standardized.L + standardized.mu))
print(f"standardized: kappa = {kappa_std:.3f}, {std_steps} steps (predicted: {predicted_steps(kappa_std)})")
print(f"kappa fell by a factor {kappa_raw / kappa_std:.0f}; the number of steps by a factor {raw_steps / std_steps:.0f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
w_test = rng.normal(size=2)
assert np.allclose(Z @ (s * w_test), Xs @ w_test)            # same predictions with v = s * w
assert np.allclose(standardized.minima[0], s * raw.minima[0])  # the same fit, in new coordinates
assert kappa_std < 1.5 and abs(std_steps - predicted_steps(kappa_std)) <= 1   # 1.108 on this sample
assert raw_steps / std_steps > kappa_raw / kappa_std        # the steps fell by more than kappa did

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
std_in_w = std_trace.xs / s                      # the standardized run, mapped back to w = v / s
shown_steps = 40
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), width_ratios=[1.3, 1])
ax = axes[0]
plotting.plot_contours(raw, ax=ax, levels=25,
                       title=f"Raw features ($\\kappa$ = {kappa_raw:.0f}): the first {shown_steps} of {raw_steps} steps")
raw_artists = plotting.plot_path(raw_trace.xs[:shown_steps + 1], ax=ax, color=GD_COLOR,
                                 label="gd on the raw features")
std_artists = plotting.plot_path(std_in_w[:std_steps + 1], ax=ax, color=COLORS["orange"], linewidth=1.2,
                                 label=f"gd on standardized features ({std_steps} steps), drawn in $w$")
std_artists[0].set(zorder=13, markersize=3.5)                 # the thin orange line on top of the blue dots
std_artists[1].set(zorder=13, markersize=std_artists[1].get_markersize() * 0.6)   # a ring inside the blue start
std_artists[2].set(zorder=14, markersize=std_artists[2].get_markersize() * 0.6)   # the orange end, on the star
raw_artists[2].set_zorder(12)                                 # the raw end marker above the orange line
even_shown = np.arange(2, shown_steps + 1, 2)
ax.plot(*raw_trace.xs[even_shown].T, "o", markersize=5, color=GD_COLOR, markeredgecolor="white", zorder=11,
        label="blue iterates 2, 4, 6, ...")                                      # drawn above the orange line
ax.set(xlabel="$w_1$ (feature of scale 1)", ylabel="$w_2$ (feature of scale 10)")
ax.legend(fontsize=7.5, loc="lower right")
ax = axes[1]
plotting.plot_contours(standardized, ax=ax, levels=25,
                       title=f"Standardized ($\\kappa$ = {kappa_std:.2f}): {std_steps} steps")
plotting.plot_path(std_trace.xs[:std_steps + 1], ax=ax, color=COLORS["orange"])
ax.set(xlabel="$v_1 = s_1 w_1$", ylabel="$v_2 = s_2 w_2$");

# %% [markdown]
# Left, in the original weights (the two axes have different scales; hollow circle: the
# start, filled diamond: the last step drawn): the valley is long in $w_1$ and narrow in
# $w_2$. The gradient points mostly across it, so every step overshoots the floor and
# lands on the opposite wall: the **zig-zag**, with slow progress along the valley. The
# orange path, the standardized run drawn in the same coordinates, goes almost straight
# to the minimum. Every second iterate of *both* runs lies on the segment from the start
# to the minimum: at $\eta^\star = 2/(L + \mu)$ both eigen-directions shrink by the same
# factor $\rho$ per step, the steep one changing sign, so after an even number of steps
# $w_k - w^\star = \rho^k (w_0 - w^\star)$ (chapter 02; mapping the orange run back by
# $w = v/s$ is linear and keeps segments).
#
# Right, in the standardized coordinates, the contours are almost circles: the first
# step lands next to the minimum, and steps 2 to 4 hide under the star (their loss gaps
# are drawn in the [details notebook](03_linear_regression_details.ipynb), section E).
#
# The zig-zag is the steep eigen-direction changing sign at every step, and the
# loss gap falls by the predicted $\rho^2$ per step on both problems:

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
rho_raw = (kappa_raw - 1) / (kappa_raw + 1)
even = np.arange(0, 41, 2)
assert np.allclose(raw_trace.xs[even] - raw.minima[0],
                   rho_raw ** even[:, None] * (raw_trace.xs[0] - raw.minima[0]), rtol=1e-9, atol=1e-12)
segment = (raw.minima[0] - raw.start) / np.linalg.norm(raw.minima[0] - raw.start)
offsets = std_in_w[:std_steps + 1] - raw.start
orange_off = np.abs(segment[0] * offsets[:, 1] - segment[1] * offsets[:, 0])   # 2-D cross product: distance off the line
print("the orange iterates' distances off the segment start to w*:", orange_off.round(6))
assert np.allclose(orange_off[::2], 0, atol=1e-9)             # even iterates: on it, exactly
assert orange_off[1] > 1e-3                                    # the first step: slightly off (kappa = 1.11, not 1)
steep = np.linalg.eigh(raw.hess(raw.start))[1][:, 1]          # eigenvector of the largest eigenvalue
across = (raw_trace.xs - raw.minima[0]) @ steep
assert np.all(across[1:200] * across[:200 - 1] < 0)           # it changes side at every step
for name, gap_curve, kappa in [("raw", raw_excess, kappa_raw), ("standardized", std_excess, kappa_std)]:
    rho = (kappa - 1) / (kappa + 1)
    per_step = gap_curve[1:4] / gap_curve[:3]
    print(f"{name:>12}: gap ratio per step {per_step.round(6)}, rho^2 = {rho ** 2:.6f}")
    assert np.allclose(per_step, rho ** 2, rtol=1e-6)

# %% [markdown]
# With the best learning rate for each, the raw features need about
# $\kappa/4 \cdot \ln 10^{10}$ steps (for large $\kappa$, $\ln \rho \approx -2/\kappa$; here
# 604.5 against the 605 measured), the standardized ones a handful (the
# [details notebook](03_linear_regression_details.ipynb), section E, draws both loss
# curves). For large $\kappa$ the step count of gradient descent grows in proportion to
# the condition number. Near $\kappa = 1$ it does not: $\rho$ is close to 0, the count
# is a few steps rounded up, and that is why the step count fell by a larger factor
# than $\kappa$ did. Standardizing fixes scale, not correlation: two standardized
# features with correlation $r$ still give $\kappa = (1 + |r|)/(1 - |r|)$ (the matrix
# $\begin{pmatrix}1 & r\\ r & 1\end{pmatrix}$ has eigenvalues $1 \pm r$), which is 199
# for $r = 0.99$ (section 7 measures 191 on a sample whose correlation is 0.9896).
# Normalizing the inputs is standard advice when gradient descent is slow (LeCun et
# al. 1998, *Efficient BackProp*). Dividing each column by its spread is a *diagonal*
# preconditioning; the full fix for correlated features is **whitening**, multiplying
# $X$ by $H^{-1/2}$, which makes the Hessian the identity and $\kappa = 1$ (section 7),
# at the price of computing $H$ and its eigenvectors: the second-order idea of
# chapter 08. (Chapter 05's momentum and chapter 06's adaptive methods attack the same
# problem inside the optimizer.)

# %%
approx = kappa_raw / 4 * np.log(1 / TOL)
print(f"kappa/4 * ln(1e10) = {approx:.1f} against {raw_steps} measured")
assert abs(approx - 604.5) < 0.05 and raw_steps == 605         # 0.1% apart
r_99 = 0.99                                                    # two standardized features, correlation r
assert np.allclose(np.linalg.eigvalsh([[1, r_99], [r_99, 1]]), [1 - r_99, 1 + r_99])
assert abs(np.linalg.cond(np.array([[1, r_99], [r_99, 1]])) - 199) < 1e-6    # (1 + r)/(1 - r) = 199

# %% [markdown]
# ### And the mean: why centering matters when there is an intercept
#
# Dividing by the standard deviation fixes features on different *scales*. A feature
# whose values sit far from zero (a year, a temperature in kelvin) causes the same
# trouble through its *mean*, when the model has an intercept column of ones: the
# intercept and the slope then play almost the same role on the data, and the valley of
# the loss is long and thin along that trade-off. Take the data of section 1 with the
# feature shifted to $t + 5$. Standardizing means subtracting the **training** mean and
# dividing by the standard deviation, for every column *except* the column of ones (its
# standard deviation is 0, and it must stay 1 for the intercept to be an intercept).

# %%
shifted = np.column_stack([np.ones(n), t + 5])
centred = np.column_stack([np.ones(n), (t - t.mean()) / t.std()])
kappa_of = lambda A: np.linalg.cond(A.T @ A / len(A))
print(f"kappa with the feature t + 5: {kappa_of(shifted):.0f};  after standardizing it: {kappa_of(centred):.6f}")
assert 500 < kappa_of(shifted) < 1000 and np.isclose(kappa_of(centred), 1)
assert abs(kappa_of(shifted) - 952) < 1                        # this sample
kappa_shifted = kappa_of(shifted)
assert abs((kappa_shifted - 1) / (kappa_shifted + 1) - 0.998) < 5e-4    # rho, about 0.998
assert np.allclose(centred.T @ centred / n, np.eye(2))        # the Hessian is the identity

one_step = centred.T @ y / n                                  # one step with lr = 1 from w = 0
assert np.allclose(one_step, np.linalg.lstsq(centred, y, rcond=None)[0])

# %% [markdown]
# After standardizing, the Hessian is exactly the identity matrix, $\kappa = 1$, and a
# single step of gradient descent with $\eta = 1$ from $w = 0$ lands on the minimum.
# With the shifted feature, $\kappa$ is 952 on this sample. Its valley runs diagonally:
# raising the slope by 1 raises every prediction by about $t + 5 \approx 5$, which
# lowering the intercept by about 5 undoes. At $\eta^\star$ both eigen-directions shrink
# by only $\rho = (\kappa - 1)/(\kappa + 1) \approx 0.998$ per step, the steep one
# changing sign: every step jumps from wall to wall (the
# [details notebook](03_linear_regression_details.ipynb), section F, draws 200 such
# steps against the single one after standardizing). Exercise 3.2 asks you to write
# the standardization, with its traps.
#
# ## 7. Collinear features: a valley of minima
#
# A three-line example shows what happens when two features repeat each other:
# fit $\hat y = Xw$ by gradient descent to
#
# $$X = \begin{pmatrix} 1 & 1 \\ 2 & 2 \\ 3 & 3 \end{pmatrix}, \qquad
# y = \begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix},$$
#
# with the gradient of the half-MSE, a learning rate of 0.05 and 1000 iterations
# from $w = 0$:

# %%
X_c = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
y_c = np.array([1.0, 2.0, 3.0])

w = np.zeros(2)
learning_rate = 0.05
for iteration in range(1000):
    gradient_c = X_c.T @ (X_c @ w - y_c) / len(y_c)
    w = w - learning_rate * gradient_c
print(w)
assert np.allclose(w, [0.5, 0.5], rtol=0, atol=1e-8)

# %% [markdown]
# The answer is $w = (0.5, 0.5)$, a perfect fit. But why $(0.5, 0.5)$, and
# not $(1, 0)$ or $(0, 1)$, which fit just as well? The two
# columns of $X$ are equal: the features are **collinear**. The model only ever
# sees their sum, $\hat y_i = i\,(w_1 + w_2)$, so **every** $w$ with $w_1 + w_2 = 1$
# fits the data perfectly. The loss has no single minimum but a whole line of them,
# a valley with a flat floor. Algebraically, $X^\top X$ is singular, its eigenvalue
# 0 belongs to the direction $(1, -1)$ along the valley floor, and the normal
# equations have infinitely many solutions. With these integer data $X^\top X$ is
# *exactly* singular, and here `np.linalg.solve` raises an error (its LU
# factorization meets a pivot that is exactly zero):

# %%
for candidate in ([1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [0.5, 0.5]):
    assert models.mse_loss(np.array(candidate), X_c, y_c) == 0    # all perfect fits
eig_c, vec_c = np.linalg.eigh(X_c.T @ X_c / 3)
print("eigenvalues of X^T X / n:", eig_c.round(12), " eigenvector of 0:", vec_c[:, 0].round(4))
assert np.isclose(eig_c[0], 0, atol=1e-12) and np.isclose(abs(vec_c[:, 0] @ [1, -1]), np.sqrt(2))
try:
    np.linalg.solve(X_c.T @ X_c, X_c.T @ y_c)
    solve_says = "a solution"
except np.linalg.LinAlgError as exc:
    solve_says = f"LinAlgError: {exc}"
print("np.linalg.solve(X^T X, X^T y):", solve_says)
assert solve_says.startswith("LinAlgError")

# %% [markdown]
# Do not count on that error: numpy calls LAPACK's `gesv`, which reports failure only
# when a pivot is *exactly* zero, and rounding can leave a tiny nonzero one instead;
# `solve` then returns an arbitrary point of the valley without a word (the
# [details notebook](03_linear_regression_details.ipynb), section G, shows two such
# cases on the machine that wrote this; another LAPACK may raise there instead). So on data that may be collinear, do not call `solve` on the normal
# equations: use `np.linalg.lstsq(X, y)` (or `np.linalg.pinv(X) @ y`), which works
# from $X$ itself, treats singular values below a cutoff as zero, and returns a
# reproducible answer, the minimum-norm solution.

# %% [markdown]
# Back to $X$ with two equal columns. Of all the minimizers, $(0.5, 0.5)$ is the one
# **closest to the origin**, the **minimum-norm solution**. It is what the
# pseudo-inverse and `lstsq` return for a problem with many solutions:

# %%
w_pinv = np.linalg.pinv(X_c) @ y_c
w_lstsq_c = np.linalg.lstsq(X_c, y_c, rcond=None)[0]
print("pinv(X) @ y:", w_pinv, "  lstsq:", w_lstsq_c)
assert np.allclose(w_pinv, [0.5, 0.5], atol=1e-12) and np.allclose(w_lstsq_c, [0.5, 0.5], atol=1e-12)

# %% [markdown]
# Gradient descent finds the same point for a simple reason: **the gradient
# $X^\top (Xw - y)/n$ is always a combination of the rows of $X$**, $\frac1n\sum_i r_i x_i$,
# and every row of this $X$ is a multiple of $(1, 1)$. So every step moves along
# $(1, 1)$, across the valley, never along it. Starting from $w = 0$ the iterates
# stay on the diagonal $w_1 = w_2$, and the only minimizer on it is $(0.5, 0.5)$.
#
# From any other start $w_0$, the part of $w_0$ along the valley floor, the
# direction $(1, -1)$, is never touched, and gradient descent walks straight
# across to the minimizer **nearest to its start**: the orthogonal projection of
# $w_0$ onto the line $w_1 + w_2 = 1$,
#
# $$w_\infty = w_0 + \frac{1 - (w_{0,1} + w_{0,2})}{2}\,(1, 1).$$
#
# Checked from five starts, and drawn:

# %%
for v in rng.normal(size=(5, 2)) * 3:
    g = models.mse_grad(v, X_c, y_c)
    assert np.isclose(g[0], g[1])                 # the gradient is a multiple of (1, 1)

collinear = regression_surface(X_c, y_c, domain=((-1.0, 2.2), (-1.0, 2.2)), name="collinear features")
starts = np.array([[0.0, 0.0], [2.0, -0.5], [-0.8, -0.2], [1.8, 1.2], [-0.6, 1.9]])
landings = {}
for w0 in starts:
    tr = run(sgd(lr=0.05), collinear, w0, steps=500, tol=1e-12)
    projection = w0 + (1 - w0.sum()) / 2 * np.ones(2)
    print(f"start {w0} -> {tr.x.round(10)}, projection onto w1 + w2 = 1: {projection}")
    assert tr.status == "converged" and np.allclose(tr.x, projection, rtol=0, atol=1e-8)
    assert np.allclose(tr.xs @ [1, -1], w0 @ [1, -1])     # the part along the valley never changes
    landings[tuple(w0)] = tr
assert np.allclose(landings[(0.0, 0.0)].x, [0.5, 0.5], rtol=0, atol=1e-8)
along = np.array([1.0, -1.0])
for v in rng.normal(size=(5, 2)) * 3:              # the loss depends on w1 + w2 only:
    assert np.isclose(collinear.f(v + 0.7 * along), collinear.f(v))   # flat along the valley

# %%
fig, ax = plt.subplots(figsize=(6.6, 6))
plotting.plot_contours(collinear, ax=ax, levels=15, mark_minima=False,
                       title="Collinear features: a line of minima, $w_1 + w_2 = 1$")
valley = np.linspace(-1.0, 2.2, 2)
ax.plot(valley, 1 - valley, "--", color="black", linewidth=1.5, label="every $w$ here fits perfectly")
for w0, tr in landings.items():
    from_origin = not np.any(w0)
    plotting.plot_path(tr, ax=ax, color=COLORS["bluish_green"] if from_origin else GD_COLOR, legend=False,
                       label="gradient descent from $w = 0$" if from_origin else None)
ax.plot([], [], color=GD_COLOR, marker="o", markersize=3, label="... and from four other starts")
ax.plot([], [], markeredgecolor="black", **style.START_STYLE, label="start")
ax.plot([], [], **dict(style.END_STYLE, markerfacecolor="0.6"), label="end of the run")
ax.plot(0.5, 0.5, **style.MINIMUM_STYLE, label="minimum-norm solution (0.5, 0.5)")
ax.set(xlabel="$w_1$", ylabel="$w_2$")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# The contours are straight lines parallel to the valley: the loss depends on
# $w_1 + w_2$ only. Each path is a straight segment perpendicular to the valley,
# from its start (hollow circle) to the nearest point of the line of minima. The
# path from the origin (green) ends at the star, the minimum-norm solution.
#
# ### The same for any $X$
#
# The example generalizes. It takes three terms from linear algebra (Golub & Van Loan
# 2013, §5.5), each shown on the collinear example:
#
# - The **row space** of $X$ is the set of all combinations of its rows. In the
#   example it is the line along $(1, 1)$: every gradient step moves along it.
# - The **null space** of $X$ is the set of $v$ with $Xv = 0$, the directions the
#   model cannot see. In the example it is the valley floor along $(1, -1)$, which no
#   step touches.
# - The **pseudo-inverse** $X^+$ (`np.linalg.pinv`) maps $y$ to the minimum-norm
#   least-squares solution $X^+ y$. In the example that is $(0.5, 0.5)$, the star.
#
# The row space and the null space are perpendicular: $Xv = 0$ says that $v$ is
# perpendicular to every row.
#
# Then the argument, for **any** $X$ and $0 < \eta < 2/L$, in three lines:
#
# 1. Each step adds a combination of the rows of $X$, so $w_k - w_0$ stays in the row
#    space of $X$. Write $w_k - w^\star$, for any minimizer $w^\star$, in the
#    eigenvectors of $H = X^\top X/n$: the components with $\lambda > 0$ shrink by
#    $|1 - \eta\lambda| < 1$ per step, the ones with $\lambda = 0$ never change.
#    (The eigenvectors with $\lambda = 0$ span the null space, since $Hv = 0$ gives
#    $\|Xv\|^2 = n\,v^\top H v = 0$; those with $\lambda > 0$ lie in the row space,
#    since $Hv = \lambda v$ gives $v = X^\top (Xv)/(n\lambda)$, a combination of the
#    rows, and so span it.) So $w_k$ converges, and its limit $w_\infty$ has zero
#    gradient: it is a minimizer.
# 2. The minimizers are $w^\star + v$ with $Xv = 0$: the null space of $X$, which is
#    perpendicular to the row space.
# 3. So $w_\infty$ is a minimizer with $w_\infty - w_0$ perpendicular to the set of
#    minimizers: it is the orthogonal projection of $w_0$ onto that set, the minimizer
#    nearest to $w_0$, $w_0 + X^+(y - Xw_0)$ with $X^+$ the pseudo-inverse. From
#    $w_0 = 0$: $X^+ y$, the minimum-norm solution.
#
# Checked on a random $X$ with more weights than examples ($3 \times 6$), from zero
# and from a random start: the move $w - w_0$ has no null-space part (round-off only),
# and from zero $\|w\| = \|X^+ y\|$:

# %%
X_wide, y_wide = rng.normal(size=(3, 6)), rng.normal(size=3)           # 6 weights, 3 examples
eta_wide = 1 / np.linalg.eigvalsh(X_wide.T @ X_wide / 3).max()
eig_wide, vec_wide = np.linalg.eigh(X_wide.T @ X_wide / 3)
row_projector = np.linalg.pinv(X_wide) @ X_wide                         # projection onto the row space
assert np.sum(eig_wide > 1e-10) == 3                                     # rank 3: three eigenvalues > 0
assert np.allclose(row_projector @ vec_wide[:, eig_wide > 1e-10], vec_wide[:, eig_wide > 1e-10])  # in the row space
assert np.allclose(X_wide @ vec_wide[:, eig_wide <= 1e-10], 0)           # the others: the null space
for w0 in [np.zeros(6), rng.normal(size=6)]:
    w = w0.copy()
    for _ in range(3000):
        w = w - eta_wide * models.mse_grad(w, X_wide, y_wide)
    assert np.allclose(w, w0 + np.linalg.pinv(X_wide) @ (y_wide - X_wide @ w0), atol=1e-8)
    moved, null_part = w - w0, (np.eye(6) - row_projector) @ (w - w0)
    print(f"from |w0| = {np.linalg.norm(w0):.2f}: |w - w0| = {np.linalg.norm(moved):.3f}, its null-space part "
          f"{np.linalg.norm(null_part):.0e}; |w| = {np.linalg.norm(w):.3f}, |pinv(X) y| = "
          f"{np.linalg.norm(np.linalg.pinv(X_wide) @ y_wide):.3f}")
    assert np.linalg.norm(null_part) < 1e-8                                 # w - w0 stays in the row space

# %% [markdown]
# Two lessons, beyond this example:
#
# - When a model has more freedom than the data pin down (collinear or duplicated
#   features, more weights than examples), the *algorithm* chooses among the equally
#   good answers. Gradient descent from zero chooses the minimum-norm one, an
#   **implicit regularization**. For linear models we proved it; for neural
#   networks such implicit biases of the optimizer are an active research topic
#   (Zhang et al. 2017, "Understanding deep learning requires rethinking
#   generalization", ICLR, §5; Gunasekar et al. 2018, "Implicit bias of gradient
#   descent on linear convolutional networks", NeurIPS).
# - Features that are *nearly* collinear give a Hessian with a tiny eigenvalue
#   instead of a zero one: a large $\kappa$, a valley floor that is almost flat, and,
#   as in section 6, a slow descent along it. Measured below on two standardized
#   features with correlation 0.99.

# %%
rng_nc = np.random.default_rng(3)
u1, u2 = rng_nc.standard_normal((2, 500))
X_nc = np.stack([u1, 0.99 * u1 + np.sqrt(1 - 0.99**2) * u2], axis=1)
X_nc = (X_nc - X_nc.mean(axis=0)) / X_nc.std(axis=0)                    # standardized
y_nc = X_nc @ [1.0, 1.0] + 0.5 * rng_nc.standard_normal(500)
near = regression_surface(X_nc, y_nc, domain=((-3.0, 5.0), (-3.0, 5.0)), name="correlation 0.99")
correlation = np.corrcoef(X_nc.T)[0, 1]
kappa_nc = near.L / near.mu
near_trace = run(sgd(lr=2 / (near.L + near.mu)), near, np.zeros(2), steps=20000, tol=0)
near_gaps = excess(near, near_trace.xs)
near_steps = int(np.argmax(near_gaps < TOL * near_gaps[0]))
rho_nc = (kappa_nc - 1) / (kappa_nc + 1)
print(f"correlation {correlation:.4f}: kappa = {kappa_nc:.0f} (1 + r)/(1 - r) = "
      f"{(1 + correlation) / (1 - correlation):.0f}; {near_steps} steps to a gap of 1e-10, "
      f"predicted ln(1e10) / (-2 ln rho) = {np.log(1 / TOL) / (-2 * np.log(rho_nc)):.0f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(kappa_nc, (1 + correlation) / (1 - correlation), rtol=1e-6)   # 2 standardized columns
assert 150 < kappa_nc < 250 and near_steps > 500
assert abs(correlation - 0.9896) < 5e-5 and abs(kappa_nc - 191) < 0.5 and abs(near_steps - 1100) <= 1   # this sample
assert abs(near_steps - np.log(1 / TOL) / (-2 * np.log(rho_nc))) <= 1          # the rate of chapter 02
evals_nc, evecs_nc = np.linalg.eigh(X_nc.T @ X_nc / len(y_nc))
whitened = X_nc @ evecs_nc @ np.diag(evals_nc ** -0.5) @ evecs_nc.T       # X H^(-1/2)
assert np.isclose(kappa_of(whitened), 1, rtol=1e-9)                      # whitening: kappa = 1

# %% [markdown]
# At the best fixed learning rate, $\kappa = 191$ costs 1100 steps, the count that
# the rate $\rho = (\kappa - 1)/(\kappa + 1)$ of chapter 02 predicts,
# against a handful for uncorrelated standardized features. Whitening the two
# features (section 6) brings $\kappa$ to 1.
# Collinearity also makes the two weights noisy from one sample to the next, while
# their sum stays precise ([details](03_linear_regression_details.ipynb), section H).

# %% [markdown]
# ## 8. Ridge regression: an explicit preference for small weights
#
# When the data leave the weights undetermined (section 7), gradient descent from zero
# picks the smallest ones without being asked. **Ridge
# regression** asks: it adds a penalty on the size of $w$,
#
# $$J_\alpha(w) = J(w) + \frac{\alpha}{2}\|w\|^2, \qquad
#   \nabla J_\alpha(w) = \frac1n X^\top(Xw - y) + \alpha w, \qquad
#   w_\alpha = \Big(\frac{X^\top X}{n} + \alpha I\Big)^{-1} \frac{X^\top y}{n}.$$
#
# The Hessian becomes $X^\top X/n + \alpha I$: every eigenvalue moves up by
# $\alpha$, so the smallest is at least $\alpha$, the minimizer is unique and the
# solve is safe even for collinear features, and the condition number falls to
# $\kappa_\alpha = (L + \alpha)/(\mu + \alpha)$. The price: $w_\alpha$ is not a
# minimizer of $J$ any more, it is pulled towards 0. (The intercept is usually left
# out of the penalty: Hastie, Tibshirani & Friedman 2009, *The Elements of
# Statistical Learning*, 2nd ed., §3.4.1; our ridge examples have no intercept.
# Standardize the features first: measuring a feature in other units changes which
# fit ridge prefers, where plain least squares just rescales its weight.)
#
# A gradient step on $J_\alpha$ is $w \leftarrow w - \eta(\nabla J(w) + \alpha w)
# = (1 - \eta\alpha)\,w - \eta\nabla J(w)$: it shrinks the weights by the factor
# $1 - \eta\alpha$ before the usual step, which is why this penalty is also called
# **weight decay** (chapter 06, section 5, shows that for Adam the two are no longer
# the same). We call the penalty $\alpha$ because $\lambda$ already names the
# eigenvalues of $H$. How scikit-learn's `alpha` and PyTorch's `weight_decay` relate to
# ours: [details notebook](03_linear_regression_details.ipynb), section I.
# On the correlated features, with $\alpha = 0.1$:

# %%
alpha = 0.1
H_nc = X_nc.T @ X_nc / len(y_nc)
w_ridge = np.linalg.solve(H_nc + alpha * np.eye(2), X_nc.T @ y_nc / len(y_nc))
kappa_ridge = np.linalg.cond(H_nc + alpha * np.eye(2))
ridge_xs = [np.zeros(2)]                                  # gradient descent on J_alpha, best fixed rate
for _ in range(2000):
    ridge_xs.append(ridge_xs[-1] - 2 / (near.L + near.mu + 2 * alpha)
                    * (models.mse_grad(ridge_xs[-1], X_nc, y_nc) + alpha * ridge_xs[-1]))
off = np.array(ridge_xs) - w_ridge                        # the gap J_alpha(w) - J_alpha(w_alpha), exactly:
ridge_gaps = 0.5 * np.einsum("ki,ij,kj->k", off, H_nc + alpha * np.eye(2), off)
ridge_steps = int(np.argmax(ridge_gaps < TOL * ridge_gaps[0]))
print(f"kappa: {kappa_nc:.0f} -> {kappa_ridge:.1f} = (L + alpha)/(mu + alpha); steps: {near_steps} -> {ridge_steps}")
print(f"w* = {near.minima[0].round(3)}, w_ridge = {w_ridge.round(3)}; "
      f"J(w_ridge) - J(w*) = {near.f(w_ridge) - near.f(near.minima[0]):.1e}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(kappa_ridge, (near.L + alpha) / (near.mu + alpha))
assert kappa_ridge < kappa_nc / 5 and 8 < near_steps / ridge_steps < 12          # about 10x, this sample
assert abs(kappa_ridge - 18.9) < 0.05                               # this sample: 191 -> 18.9
assert np.allclose(ridge_xs[-1], w_ridge, atol=1e-6)                     # GD finds w_ridge
assert np.linalg.norm(w_ridge) < np.linalg.norm(near.minima[0]) and w_ridge[1] > near.minima[0][1]   # norm down, w2 up
assert np.linalg.norm(w_ridge) < np.linalg.norm(near.minima[0])          # pulled towards 0
assert near.f(w_ridge) > near.f(near.minima[0])                          # at a price in J

# Units matter for ridge, not for least squares: feature 2 measured 10 times larger
scale_2 = np.diag([1.0, 10.0])
X_units = X_nc @ scale_2
w_ls_units = np.linalg.lstsq(X_units, y_nc, rcond=None)[0]
w_ridge_units = np.linalg.solve(X_units.T @ X_units / len(y_nc) + alpha * np.eye(2), X_units.T @ y_nc / len(y_nc))
assert np.allclose(scale_2 @ w_ls_units, np.linalg.lstsq(X_nc, y_nc, rcond=None)[0])   # just rescaled
assert not np.allclose(scale_2 @ w_ridge_units, w_ridge, rtol=1e-2)                 # a different fit

# On the exactly collinear data, a small penalty picks the minimum-norm solution:
for alpha_small in [1e-3, 1e-6]:
    w_small = np.linalg.solve(X_c.T @ X_c / 3 + alpha_small * np.eye(2), X_c.T @ y_c / 3)
    assert np.allclose(w_small, [0.5, 0.5], atol=alpha_small)

# %% [markdown]
# Here the penalty made the problem ten times better conditioned, and gradient descent
# needed about ten times fewer steps; the norm of the weights shrank (not each weight:
# here $w_2$ grew, since ridge shrinks along the eigen-directions of $H$ and pulls
# the weights of positively correlated features towards each other) and the data loss rose a little. On the collinear example, ridge with a small $\alpha$ lands next to
# $(0.5, 0.5)$, the minimum-norm solution that gradient descent from zero found
# with no penalty at all: the explicit and the implicit preference agree there.
#
# ### Stopping early is much like ridge
#
# Gradient descent from $w_0 = 0$, stopped after $k$ steps, also pulls the answer
# towards 0, and much as ridge does. Written in the eigenvectors $q_i$ of $H$
# (eigenvalues $\lambda_i$), both are filters on the least-squares solution $w^\star$:
# each keeps a share of every direction. The derivation takes four lines.
#
# - Gradient descent: the step is $w_{k+1} - w^\star = (I - \eta H)(w_k - w^\star)$, and
#   $q_i^\top(I - \eta H) = (1 - \eta\lambda_i)\,q_i^\top$, so from $w_0 = 0$,
#   $q_i^\top(w_k - w^\star) = -(1 - \eta\lambda_i)^k\, q_i^\top w^\star$.
# - Ridge: $X^\top y/n = Hw^\star$ turns the formula for $w_\alpha$ into
#   $(H + \alpha I)\,w_\alpha = Hw^\star$, so
#   $(\lambda_i + \alpha)\,q_i^\top w_\alpha = \lambda_i\, q_i^\top w^\star$.
#
# Summing over $i$ (the
# [details notebook](03_linear_regression_details.ipynb), section I, checks both against
# the iterates):
#
# $$w_k = \sum_i \big[1 - (1 - \eta\lambda_i)^k\big]\,(q_i^\top w^\star)\,q_i,
# \qquad
# w_\alpha = \sum_i \frac{\lambda_i}{\lambda_i + \alpha}\,(q_i^\top w^\star)\,q_i .$$
#
# For a learning rate $\eta \le 1/L$ (so that $0 \le 1 - \eta\lambda_i < 1$ for every $\lambda_i > 0$: above it the
# gradient-descent filter swings around 1 in the steep directions), both keep the directions of
# large curvature almost whole and shrink those of small curvature: after $k$ steps gradient descent has barely moved along a
# direction with $\eta\lambda_i k \ll 1$, and ridge shrinks a direction with
# $\lambda_i \ll \alpha$. Roughly, stopping after $k$ steps acts like a penalty
# $\alpha \approx 1/(\eta k)$ (Goodfellow et al. 2016, *Deep Learning*, §7.8, derive
# this equivalence for a quadratic, with $\eta\lambda_i \ll 1$). The two filters on the correlated features, with
# a small rate, $\eta = 0.1$ (a tenth of the limit $2/L$):

# %%
curvatures = np.geomspace(1e-4, near.L, 400)                  # lambda_i, from flat to the steepest of H_nc
pairings = [8, 64, 1024]                                      # k, paired with alpha = 1/(eta k)
gd_filter = {k: 1 - (1 - 0.1 * curvatures) ** k for k in pairings}
ridge_filter = {k: curvatures / (curvatures + 1 / (0.1 * k)) for k in pairings}
for k in pairings:
    at_alpha = 1 - (1 - 0.1 / (0.1 * k)) ** k                   # GD's filter at lambda_i = alpha (ridge's: 1/2)
    print(f"k = {k:4d}, alpha = {1 / (0.1 * k):.4f}: at lambda_i = alpha GD keeps {at_alpha:.3f}, ridge 0.500;"
          f" largest difference {np.max(np.abs(gd_filter[k] - ridge_filter[k])):.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 0.09 < 0.1 / (2 / near.L) < 0.11                                 # a tenth of 2/L
assert 0.1 <= 1 / near.L                                                 # eta <= 1/L: the filters compare
eta_big = 0.98 * 2 / near.L                                              # above 1/L, GD's filter swings around 1
assert 1 - (1 - eta_big * near.L) ** 8 < 0.5 and 1 - (1 - eta_big * near.L) ** 9 > 1.5
for k in pairings:
    at_alpha = 1 - (1 - 0.1 / (0.1 * k)) ** k
    assert 0.62 < at_alpha < 0.67                                           # about 1 - 1/e = 0.632
    assert np.max(np.abs(gd_filter[k] - ridge_filter[k])) < 0.22          # at most 0.22 apart
    assert np.all(np.diff(gd_filter[k]) >= 0) and np.all(np.diff(ridge_filter[k]) > 0)   # both rise
assert evals_nc[0] < 0.011 and evals_nc[1] > 1.9                         # mu ~ 0.01, L ~ 2
assert all(min(1 - (1 - 0.1 * evals_nc[1]) ** k, evals_nc[1] / (evals_nc[1] + 1 / (0.1 * k))) > 0.9
           for k in (64, 1024))                                          # steep direction whole from k = 64

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax_f = plt.subplots(figsize=(7.6, 5.2), layout="constrained")
pair_colors = dict(zip(pairings, [COLORS["blue"], COLORS["orange"], COLORS["bluish_green"]]))
for k, color in pair_colors.items():
    ax_f.semilogx(curvatures, gd_filter[k], color=color, linewidth=2)
    ax_f.semilogx(curvatures, ridge_filter[k], color=color, linewidth=2, linestyle="--")
    ax_f.plot([], [], color=color, linewidth=6, label=f"$k$ = {k}, $\\alpha = 1/(\\eta k)$ = {1 / (0.1 * k):.3g}")
ax_f.plot([], [], color="0.3", linewidth=2, label="early stopping: $1 - (1 - \\eta\\lambda_i)^k$")
ax_f.plot([], [], color="0.3", linewidth=2, linestyle="--", label="ridge: $\\lambda_i/(\\lambda_i + \\alpha)$")
for value, name in zip(evals_nc, ["$\\mu$", "$L$"]):
    ax_f.axvline(value, color="0.5", linestyle=":", linewidth=1)
    ax_f.text(value * (1.08 if name == "$\\mu$" else 1 / 1.08), 1.03, f"{name} = {value:.3g}",
              ha="left" if name == "$\\mu$" else "right", fontsize=8, color="0.3")
ax_f.set(xlabel="curvature $\\lambda_i$ of an eigen-direction of $H$ (log scale)",
         ylabel="share of $q_i^\\top w^*$ kept", ylim=(-0.02, 1.09),
         title="Early stopping and ridge: how much of each direction is kept ($\\eta$ = 0.1)")
ax_f.legend(fontsize=8, loc="upper left");

# %% [markdown]
# Each filter rises from 0 (a direction left out) to 1 (kept whole) as the
# curvature $\lambda_i$ grows, and the pair with the same colour rises at the same
# place, $\lambda_i \approx \alpha = 1/(\eta k)$: that is the pairing. Early stopping
# is the sharper filter: at $\lambda_i = \alpha$ ridge keeps exactly half, early
# stopping about $1 - 1/e \approx 0.63$; on the plotted range the two differ by at
# most 0.22. The steep direction ($L \approx 2$) is nearly whole from $k = 64$ on, so
# $k$ or $\alpha$ decides how much of the flat direction ($\mu \approx 0.01$) gets in.
# The [details notebook](03_linear_regression_details.ipynb), section I, draws the
# two paths in weight space and pairs them point by point: $\alpha \approx 1/(\eta k)$
# is an order of magnitude, not an identity. Choosing $\alpha$ (or when to stop) is a
# question of generalization, on held-out data, beyond this chapter.
#
# ## Summary
#
# - Linear regression predicts $\hat y = Xw$, with a column of ones in $X$ for the
#   intercept. Its loss, the half-MSE $J(w) = \frac1n\sum_i \tfrac12 (x_i^\top w - y_i)^2$
#   (`torch.nn.MSELoss` has no $\tfrac12$: twice the gradient), has the gradient
#   $\nabla J(w) = X^\top (Xw - y)/n$: check it (and catch the sum for the mean, a
#   forgotten factor 2, a flipped sign) with finite differences.
# - $J$ is a convex quadratic with Hessian $X^\top X/n$. Batch gradient descent
#   converges for $0 < \eta < 2/L$ with $L = \lambda_{\max}(X^\top X/n) \le \text{mean}_i\|x_i\|^2$,
#   and finds the same weights as the normal equations $X^\top X w = X^\top y$, which
#   say that the residual is perpendicular to the columns of $X$: $Xw^\star$ is the
#   projection of $y$ (prefer `np.linalg.lstsq` to forming $X^\top X$).
# - Features on different scales make $\kappa$ large and gradient descent zig-zag:
#   with $\kappa \approx 100$ it needed hundreds of steps at its best learning rate,
#   the number predicted by $\rho = (\kappa - 1)/(\kappa + 1)$. Standardizing the features
#   (training mean and standard deviation, every column but the intercept) brought
#   $\kappa$ near 1 and the step count down to a handful.
# - Collinear features make $X^\top X$ singular and give a line of minimizers;
#   `solve` on the normal equations may raise an error (here: two equal integer
#   columns) or may return an arbitrary minimizer without a word:
#   use `lstsq` or `pinv`. Every gradient is a combination of the rows of $X$, so
#   gradient descent moves only along the row space ($w_k - w_0$ stays in it); with $0 < \eta < 2/L$ it
#   converges, to the minimizer nearest to its start; from zero, the minimum-norm
#   solution `np.linalg.pinv(X) @ y`: $(0.5, 0.5)$ in the three-line example.
#   Nearly collinear features make $\kappa$ large and gradient descent slow.
# - The squared loss is the negative log-likelihood under Gaussian noise. What
#   matters in the end is the loss on held-out data, not on the training set.
#   Ridge regression adds $\tfrac{\alpha}{2}\|w\|^2$: a unique minimizer, a condition
#   number $(L + \alpha)/(\mu + \alpha)$, weights pulled towards zero; stopping
#   gradient descent early from zero acts much like it.
#
# ## Exercises
#
# Open [`exercises/03_linear_regression.ipynb`](../exercises/03_linear_regression.ipynb):
# derive the gradient of the half-MSE when the intercept is a separate
# bias, standardize a design matrix with an intercept column, run batch gradient descent and return its iterates, and
# find the minimizer that gradient descent reaches from a given start. Each
# exercise has a `check(...)` cell that tells you at once whether your code is
# right.
