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
# ## What you will learn
#
# - the linear model $\hat y = Xw$ and its loss, half the mean squared error
#   $J(w) = \frac1n\sum_i \tfrac12 (x_i^\top w - y_i)^2$, and why squares (Gaussian
#   noise);
# - how to derive its gradient $\nabla J(w) = X^\top (Xw - y)/n$, and how to catch a
#   wrong one with finite differences;
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
# Why squares, and not, say, absolute values? One reason is statistical. Suppose the
# data were made as ours were, $y_i = x_i^\top w + \text{noise}_i$, with independent
# Gaussian noise of variance $\sigma^2$. The probability density of the observed
# targets given $w$ is then $\prod_i (2\pi\sigma^2)^{-1/2}
# \exp\!\big(-(y_i - x_i^\top w)^2 / 2\sigma^2\big)$, and its negative logarithm is
#
# $$\frac n2 \ln(2\pi\sigma^2) + \frac{1}{2\sigma^2} \sum_i (y_i - x_i^\top w)^2
#   = \text{const} + \frac{n}{\sigma^2}\, J(w).$$
#
# So the $w$ that minimizes $J$ is the $w$ that makes the data most likely: the
# **maximum-likelihood estimate** under Gaussian noise (Zhang et al. 2023, *Dive into
# Deep Learning*, §3.1.3; Bishop 2006, *Pattern Recognition and Machine Learning*,
# §3.1.1). Other noise models give other losses: with Laplace noise, of density
# $\propto \exp(-|r|/b)$, the same computation gives $\text{const} + \frac1b \sum_i
# |y_i - x_i^\top w|$, so maximum likelihood minimizes the mean *absolute* error.
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
# Careful when you compare with a framework: `torch.nn.MSELoss()` (default
# `reduction='mean'`) is the mean of the squares *without* the $\tfrac12$
# ([PyTorch docs](https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html)),
# so its gradient is $\tfrac2n X^\top(Xw - y)$ and its Hessian $2X^\top X/n$: twice
# ours, and the largest stable learning rate half of ours. `models.mse_loss` in this
# course is the half-MSE.

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
# differences catch each of them, with a relative error far above $10^{-8}$:
#
# - the **sum** instead of the mean (forgetting the $1/n$): the gradient is $n$
#   times too long, relative error $(n-1)/(n+1)$;
# - the **forgotten factor**: differentiating $\frac1n\sum(x_i^\top w - y_i)^2$ (no
#   $\tfrac12$) gives $\frac2n X^\top(Xw - y)$; mixing one loss with the other's
#   gradient is off by a factor 2, relative error $1/3$ (exercise 1.3 of chapter
#   01 used the loss without $\tfrac12$, hence its factor 2: both are fine, as long
#   as the gradient matches its loss);
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
# To draw this loss and to hand it to `run`, we package it as a `Surface`
# (chapter 01), like the test functions of the course. A `Surface` evaluates on a
# whole grid at once, with the coordinates on axis 0; the quadratic form above
# makes that a pair of `einsum`s. The helper below does it for any two-weight
# regression; its minimum comes from `np.linalg.lstsq` (section 4). Its body is
# plumbing for the plots, and you may skip it: all that matters is that its `f` and
# `grad` are the half-MSE and its gradient, which the cell asserts against
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
assert np.all(np.diff(gaps) < 0) and gaps[-1] < 1e-12 * gaps[0]
assert bowl.L / bowl.mu < 1.5                       # a nearly round bowl: kappa close to 1
slowest = (1 - 0.1 * bowl.mu) ** 2                  # chapter 02: the slow direction's factor, squared
assert np.allclose(gaps[150:] / gaps[149:-1], slowest, rtol=1e-3)   # in the long run
fastest = (1 - 0.1 * bowl.L) ** 2
ratios = gaps[1:] / gaps[:-1]
print(f"factor per step: {ratios[0]:.3f} (step 1), {ratios[49]:.3f} (step 50), {ratios[-1]:.3f} (end); "
      f"(1 - eta L)^2 = {fastest:.3f}, (1 - eta mu)^2 = {slowest:.3f}")
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
ax_loss.set(xlabel="step $k$", ylabel="$J(w_k) - J^\\star$", title="The loss above its minimum (log scale)");

# %% [markdown]
# The contours are nearly round ellipses around the minimum (the star): the
# condition number of $H$ is below 1.5. The path heads almost straight for the
# minimum. The gap $J(w_k) - J^\star$ is a sum of two terms, one per eigen-direction
# of $H$, shrinking by $(1 - \eta\lambda_i)^2$ per step (chapter 02): here
# $(1 - \eta L)^2 \approx 0.80$ and $(1 - \eta\mu)^2 \approx 0.85$. At first both
# terms count and the factor per step drifts from about 0.80 upwards, so the log
# plot bends slightly; after about 150 steps only the slower term is left and the
# line is straight, with factor $(1 - \eta\mu)^2$, set by the flattest direction of
# the bowl. What those steps do to the fitted line:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax = plt.subplots(figsize=(8.6, 4.2), layout="constrained")
ax.plot(t, y, "o", color="0.35", markersize=4, label="data")
shown = [0, 2, 5, 10, 20, 200]
step_styles = [(COLORS["reddish_purple"], (0, (1, 1))), (COLORS["sky_blue"], "-."),
               (COLORS["bluish_green"], (0, (5, 2))), (COLORS["orange"], (0, (3, 1, 1, 1, 1, 1))),
               (COLORS["vermillion"], "--"), (COLORS["blue"], "-")]
for k, (color, linestyle) in zip(shown, step_styles):
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
# on them. The honest test is **held-out data**, points the fit has never seen. Here
# we can draw as many as we like from the same source, 10,000 fresh points:

# %%
fresh = data.linear(n=10_000, seed=1)                # same line, same noise, new points
assert np.array_equal(fresh.w_true, line.w_true)
held_out = {name: models.mse_loss(w_, fresh.X, fresh.y) for name, w_ in
            [("w* (fitted on the 50)", path[-1]), ("w_true (the generating line)", line.w_true)]}
print(f"half-MSE on the 50 training points at w*: {models.mse_loss(path[-1], X, y):.4f}")
for name, value in held_out.items():
    print(f"half-MSE on 10,000 new points at {name}: {value:.4f}")
noise_part = 0.5 ** 2 / 2                            # sigma^2 / 2 = 0.125: the noise alone
assert abs(held_out["w_true (the generating line)"] / noise_part - 1) < 0.05
assert 1 < held_out["w* (fitted on the 50)"] / held_out["w_true (the generating line)"] < 1.05
train_loss = models.mse_loss(path[-1], X, y)
expected_train = noise_part * (1 - d / n)                        # sigma^2 (n - d) / (2n), d = 2 weights
expected_held_out = noise_part * (1 + 1 / n + (1 + 1 / n) / (n - 3))   # Appendix E
print(f"on average over training samples: training {expected_train:.4f}, held-out {expected_held_out:.4f}")
assert abs(expected_train - 0.120) < 1e-9 and abs(expected_held_out - 0.1302) < 1e-4
assert train_loss > expected_train and held_out["w* (fitted on the 50)"] < expected_held_out   # this sample

# %% [markdown]
# On new points no line does much better than $\sigma^2/2 = 0.125$, the part of the
# loss that is pure noise (0.122 for the generating line on these 10,000 points), and
# $w^\star$ is only a few per cent worse than the generating line (Appendix E
# computes by how much, exactly and on average over training samples).
#
# That the training and held-out losses print the same digits is chance. On average
# over training samples the training loss is *below* the noise,
# $\frac{\sigma^2}{2}(1 - d/n) = 0.120$ with $d = 2$ weights (the residual is the
# noise projected onto an $(n - d)$-dimensional subspace), and the held-out loss is
# above it, 0.130 (Appendix E); this sample's training loss happens to sit high and
# its held-out loss low.
#
# Fifty points pin the line down well. With fewer
# points, or many more weights, the gap between the training loss and the held-out
# loss can be large; measuring it on held-out data is how one chooses between models
# (and the penalty $\lambda$ of section 8), a question of **generalization** that
# this course, about optimization, leaves to the machine-learning texts (e.g.
# Zhang et al. 2023, *Dive into Deep Learning*, §3.6).

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
# to `np.linalg.solve` gives the minimizer, up to rounding (the end of this section
# measures how many digits rounding can cost). `np.linalg.lstsq` solves the same
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
# $\tfrac1{2n}\|y - Xw\|^2$, $\tfrac1{2n}$ times the squared distance from the target vector $y$ to a
# point of that plane. The closest point is the foot of the perpendicular from $y$:
# the **orthogonal projection** $\hat y = Xw^\star$, and the residual
# $r = Xw^\star - y$ is perpendicular to the plane, so to each column: $X^\top r = 0$,
# the normal equations. (Pythagoras then gives $\|y\|^2 = \|\hat y\|^2 + \|r\|^2$,
# and every other point of the plane is farther from $y$.) We cannot draw
# $\mathbb{R}^{50}$, so here are three examples, $t = 0, 1, 2$, in $\mathbb{R}^3$. A
# 3-D view cannot show a right angle faithfully, so the right panel looks at the
# same vectors edge-on, along the plane: the plane becomes a line, and $y$ stands
# straight above its projection $\hat y$ (in these coordinates, $y$ and $\hat y$ have
# the same first coordinate, asserted).

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
           (np.zeros(3), y3_hat, COLORS["blue"], "-", r"projection $\hat y = Xw^\star$"),
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
ax3.view_init(elev=20, azim=-110)
for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
    axis.set_major_locator(plt.MaxNLocator(4))                # fewer ticks: no colliding labels
ax3.legend(loc="upper left", fontsize=8)

# The same picture seen edge-on: the plane becomes a line, y sits straight above y_hat.
ax2 = fig.add_subplot(1, 2, 2)
ax2.axhline(0, color=COLORS["sky_blue"], alpha=0.6, linewidth=8, label="column space of $X$, edge-on")
ax2.plot([0, flat["y"][0]], [0, flat["y"][1]], color="black", linewidth=2, label="target $y$")
ax2.plot([0, flat["y_hat"][0]], [0, 0], color=COLORS["blue"], linewidth=2.5, marker="o", markevery=[1],
         label=r"projection $\hat y = Xw^\star$")
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
#   $10^{12}$ entries. A gradient step needs only two products with $X$.
# - Forming $X^\top X$ squares the condition number (printed above), which costs
#   digits when $X$ is badly conditioned. `lstsq` (which factorizes $X$ itself, by
#   the SVD: numpy calls LAPACK's `gelsd`) avoids that: prefer it to
#   `solve(X.T @ X, X.T @ y)`.
# - Most losses have no closed form: logistic regression (chapter 04) and neural
#   networks (chapter 09) can only be minimized step by step.
#
# The digits lost are easy to see. Fit a degree-7 polynomial to fifty points of
# $[0, 1]$ (a $50 \times 8$ Vandermonde matrix, badly conditioned), with targets made
# exactly by the weights $w = (1, \dots, 1)$, so the right answer is known:

# %%
t_poly = np.linspace(0, 1, 50)
X_poly = np.vander(t_poly, 8, increasing=True)          # columns 1, t, t^2, ..., t^7
w_poly = np.ones(8)
y_poly = X_poly @ w_poly
w_normal = np.linalg.solve(X_poly.T @ X_poly, X_poly.T @ y_poly)
w_lstsq = np.linalg.lstsq(X_poly, y_poly, rcond=None)[0]
err_normal = np.max(np.abs(w_normal - w_poly))
err_lstsq = np.max(np.abs(w_lstsq - w_poly))
print(f"cond(X) = {np.linalg.cond(X_poly):.1e}, cond(X^T X) = {np.linalg.cond(X_poly.T @ X_poly):.1e}")
print(f"largest weight error: normal equations {err_normal:.1e}, lstsq {err_lstsq:.1e}")
assert 1e4 < np.linalg.cond(X_poly) < 1e6
assert 1e-9 < err_normal < 1e-4 and err_lstsq < 1e-9 and err_normal > 100 * err_lstsq

# %% [markdown]
# Double precision carries about sixteen digits (rounding unit $1.1 \times 10^{-16}$).
# With $\text{cond}(X) \approx 10^5$, the error of the normal equations is of the
# order of $\text{cond}(X)^2 \times 10^{-16} \approx 10^{-6}$, that of `lstsq` of the
# order of $\text{cond}(X) \times 10^{-16} \approx 10^{-11}$: about ten digits lost
# against about five. (Here the targets fit exactly; with a large residual, `lstsq`'s
# error also gets a $\text{cond}(X)^2$ term, scaled by the residual. Golub & Van Loan
# 2013, *Matrix Computations*, 4th ed., §5.3, compare the two methods.)
#
# Which solver to use when, with the costs of each, is reference material:
# Appendix A, after the exercises.
#
# ## 5. How large a step? The largest eigenvalue $L$ of $X^\top X / n$
#
# Chapter 02 showed that on a quadratic with Hessian $H$ gradient descent converges
# from every start exactly when $\eta < 2/L$, with $L = \lambda_{\max}(H)$. (A start
# with no component along any eigenvector whose $\lambda_i \ge 2/\eta$ is a knife-edge
# exception: Appendix C.) The loss of linear regression *is* such a quadratic,
# with $H = X^\top X / n$, so the limit carries over as it stands. Just below and
# just above it:

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
ax.set(xlabel="step $k$", ylabel="$J(w_k) - J^\\star$ (log scale)",
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
# $\frac1n\sum_i \|x_i\|^2$. So $\eta < 2 / \text{mean}_i\|x_i\|^2$ is always safe.
# A bound from below says where trouble starts: $L$ is the largest value of
# $v^\top H v$ over unit vectors $v$, and the unit vector $e_j$ along feature $j$
# gives $v^\top H v = H_{jj} = \text{mean}_i\, x_{ij}^2$, so $L \ge H_{jj}$ for every $j$.
# **A feature with large values makes $L$ large and forces a small learning rate on
# every weight.**

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
assert 80 < H_raw[1, 1] / H_raw[0, 0] < 130                   # about 100 times more curved along w2
raw = regression_surface(Xs, ys, domain=((-1.5, 2.5), (-0.35, 0.55)), start=(-1.0, 0.4),
                         name="raw features")
kappa_raw = raw.L / raw.mu
print(f"eigenvalues of X^T X / n: mu = {raw.mu:.3f}, L = {raw.L:.2f};  kappa = {kappa_raw:.1f}")
assert 80 < kappa_raw < 130
assert H_raw[1, 1] <= raw.L < 1.01 * H_raw[1, 1]            # L >= H_22 (section 5), nearly equal here

# %% [markdown]
# The large feature sets $L$: $L \ge H_{22}$ (section 5), and here the two agree to
# the digits printed, 101.45.
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
# have spread 1. This changes the *coordinates*, not the model: with weights
# $v_j = s_j w_j$ the predictions $z_i^\top v = x_i^\top w$ are the same numbers, so the
# best fit is the same line, found in new coordinates. (The full recipe also
# subtracts each feature's mean; our features already have mean about 0 and no
# intercept to absorb it. The end of this section shows why the mean matters when
# there is an intercept.)

# %%
s = Xs.std(axis=0)
Z = Xs / s                                       # every feature now has standard deviation 1
w_test = rng.normal(size=2)
assert np.allclose(Z @ (s * w_test), Xs @ w_test)            # same predictions with v = s * w
standardized = regression_surface(Z, ys, domain=((-2.5, 3.5), (-1.5, 5.0)), start=s * raw.start,
                                  name="standardized features")
assert np.allclose(standardized.minima[0], s * raw.minima[0])  # the same fit, in new coordinates
kappa_std = standardized.L / standardized.mu
std_trace, std_excess, std_steps = steps_to_tolerance(standardized, 2 / (standardized.L + standardized.mu))
print(f"standardized: kappa = {kappa_std:.3f}, {std_steps} steps (predicted: {predicted_steps(kappa_std)})")
print(f"kappa fell by a factor {kappa_raw / kappa_std:.0f}; the number of steps by a factor {raw_steps / std_steps:.0f}")
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
        label="blue iterates 2, 4, 6, ...: on the segment start to $w^\\star$")  # drawn above the orange line
ax.plot([], [], markeredgecolor="0.3", **style.START_STYLE, label="start (hollow circle)")
ax.plot([], [], **dict(style.END_STYLE, markerfacecolor="0.5"),
        label=f"last step drawn (filled diamond): blue step {shown_steps}, orange step {std_steps}")
ax.set(xlabel="$w_1$ (feature of scale 1)", ylabel="$w_2$ (feature of scale 10)")
ax.legend(fontsize=7.5, loc="lower right")
ax = axes[1]
plotting.plot_contours(standardized, ax=ax, levels=25,
                       title=f"Standardized ($\\kappa$ = {kappa_std:.2f}): {std_steps} steps")
plotting.plot_path(std_trace.xs[:std_steps + 1], ax=ax, color=COLORS["orange"])
ax.set(xlabel="$v_1 = s_1 w_1$", ylabel="$v_2 = s_2 w_2$")
inset = ax.inset_axes([0.6, 0.6, 0.32, 0.3])                # steps 2-4 hide under the star: their distances
std_distance = np.linalg.norm(std_trace.xs[:std_steps + 1] - standardized.minima[0], axis=1)
inset.semilogy(std_distance, "o-", color=COLORS["orange"], markersize=4)
inset.set_title("distance to the minimum", fontsize=8)
inset.set_xlabel("step", fontsize=7, labelpad=1)
inset.set_xticks(range(std_steps + 1))
inset.tick_params(labelsize=8, pad=1)
for tick_label in inset.get_xticklabels() + inset.get_yticklabels():     # legible on the contours
    tick_label.set_bbox(dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))
inset.set_facecolor("white");

# %% [markdown]
# Left, in the original weights (the two axes have different scales): the valley is
# long in $w_1$ and narrow in $w_2$. The gradient points mostly across it, so every
# step overshoots the floor and lands on the opposite wall: the **zig-zag**, with
# slow progress along the valley. The orange path, the standardized run drawn in the
# same coordinates, goes almost straight to the minimum. Every second iterate of
# *both* runs lies on the segment from the start to the minimum (asserted below):
# at $\eta^\star = 2/(L + \mu)$ both eigen-directions shrink by the same factor $\rho$
# per step, the steep one changing sign, so after an even number of steps
# $w_k - w^\star = \rho^k (w_0 - w^\star)$ (chapter 02; mapping the orange run back by
# $w = v/s$ is linear and keeps segments).
#
# Right, in the standardized coordinates, the contours are almost circles: the first
# step lands next to the minimum, and steps 2 to 4 hide under the star (the inset
# gives their distances, on a log scale).
#
# The zig-zag is the steep eigen-direction changing sign at every step, and the
# loss gap falls by the predicted $\rho^2$ per step on both problems:

# %%
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

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(raw_excess[:raw_steps + 60] / raw_excess[0], color=GD_COLOR,
            label=f"raw features, $\\kappa$ = {kappa_raw:.0f}: {raw_steps} steps")
ax.semilogy(std_excess[:std_steps + 1] / std_excess[0], "o-", color=COLORS["orange"],
            label=f"standardized, $\\kappa$ = {kappa_std:.2f}: {std_steps} steps")
ax.axhline(TOL, color="black", linestyle="--", linewidth=1, label="target $10^{-10}$")
ax.set_xlim(left=-15)                                 # the orange run, steps 0-4, off the axis line
ax.set(xlabel="step $k$",
       ylabel="$(J(w_k) - J^\\star) / (J(w_0) - J^\\star)$ (log scale)",
       title="Steps to the target, best learning rate for each")
ax.legend(fontsize=8)
zoom = ax.inset_axes([0.13, 0.24, 0.3, 0.3])             # the first ten steps of both runs, same axes
zoom.semilogy(raw_excess[:11] / raw_excess[0], color=GD_COLOR)
zoom.semilogy(std_excess[:std_steps + 1] / std_excess[0], "o-", color=COLORS["orange"], markersize=4)
zoom.axhline(TOL, color="black", linestyle="--", linewidth=1)
zoom.set_title("zoom: steps 0 to 10", fontsize=8)
zoom.set_xticks(range(0, 11, 2))
zoom.set_xlabel("step $k$", fontsize=7, labelpad=1)
zoom.tick_params(labelsize=7, pad=1);

# %% [markdown]
# With the best learning rate for each, the raw features need
# about $\kappa/4 \cdot \ln 10^{10}$ steps (for large $\kappa$,
# $\ln \rho \approx -2/\kappa$, asserted below to 2%), the standardized ones a
# handful. For large $\kappa$ the step count of gradient descent grows in proportion
# to the condition number. Near $\kappa = 1$ it does not: $\rho$ is close to 0, the
# count is a few steps rounded up, and that is why the step counts above fell by a
# larger factor than $\kappa$ did. In practice
# standardizing the features brought $\kappa$ from about 100 down to about 1 here,
# because the only trouble was the scale of the columns. It fixes scale, not
# correlation: two standardized features with correlation $r$ still give
# $\kappa = (1 + |r|)/(1 - |r|)$ (the matrix $\begin{pmatrix}1 & r\\ r & 1\end{pmatrix}$
# has eigenvalues $1 \pm r$), which is 199 for $r = 0.99$ (section 7 measures 191 on a
# sample whose correlation is 0.9896). It
# costs two lines of numpy, and normalizing the inputs is standard advice when
# gradient descent is slow (LeCun et al. 1998, *Efficient BackProp*). Dividing each
# column by its spread is a *diagonal*
# preconditioning; the full fix for correlated features is **whitening**,
# multiplying $X$ by $H^{-1/2}$, which makes the Hessian the identity and $\kappa = 1$
# (asserted in section 7), at the price of computing $H$ and its eigenvectors: the
# second-order idea of chapter 08. (Chapter 05's momentum and chapter 06's adaptive
# methods attack the same problem inside the optimizer.)

# %%
approx = kappa_raw / 4 * np.log(1 / TOL)
print(f"kappa/4 * ln(1e10) = {approx:.0f} against {raw_steps} measured")
assert abs(approx / raw_steps - 1) < 0.02

# %% [markdown]
# ### And the mean: why centering matters when there is an intercept
#
# Dividing by the standard deviation fixes features on different *scales*. A
# feature whose values sit far from zero (a year, a temperature in kelvin) causes
# the same trouble through its *mean*, when the model has an intercept column of
# ones: the intercept and the slope then play almost the same role on the data,
# and the valley of the loss is long and thin along that trade-off. Take the
# data of section 1 with the feature shifted to $t + 5$. Standardizing means
# subtracting the **training** mean and dividing by the standard deviation, for
# every column *except* the column of ones (its standard deviation is 0, and it
# must stay 1 for the intercept to be an intercept).

# %%
shifted = np.column_stack([np.ones(n), t + 5])
centred = np.column_stack([np.ones(n), (t - t.mean()) / t.std()])
kappa_of = lambda A: np.linalg.cond(A.T @ A / len(A))
print(f"kappa with the feature t + 5: {kappa_of(shifted):.0f};  after standardizing it: {kappa_of(centred):.6f}")
assert 500 < kappa_of(shifted) < 1000 and np.isclose(kappa_of(centred), 1)
assert abs(kappa_of(shifted) - 952) < 1                        # this sample
assert np.allclose(centred.T @ centred / n, np.eye(2))        # the Hessian is the identity

one_step = centred.T @ y / n                                  # one step with lr = 1 from w = 0
assert np.allclose(one_step, np.linalg.lstsq(centred, y, rcond=None)[0])

# %% [markdown]
# After standardizing, the Hessian is exactly the identity matrix, $\kappa = 1$, and
# a single step of gradient descent with $\eta = 1$ from $w = 0$ lands on the
# minimum. With the shifted feature, $\kappa$ is 952 on this sample. In a picture, both
# from $w = 0$ with the best fixed rate $2/(L + \mu)$:

# %%
shifted_surface = regression_surface(shifted, y, domain=((-11.0, 1.5), (-0.5, 3.5)), name="feature t + 5")
centred_surface = regression_surface(centred, y, domain=((-1.0, 3.5), (-1.0, 3.5)), name="standardized")
shifted_trace = run(sgd(lr=2 / (shifted_surface.L + shifted_surface.mu)), shifted_surface, [0.0, 0.0],
                    steps=200, tol=0)
centred_trace = run(sgd(lr=2 / (centred_surface.L + centred_surface.mu)), centred_surface, [0.0, 0.0],
                    steps=1, tol=0)
shifted_gap = excess(shifted_surface, shifted_trace.xs)
print(f"t + 5: after 200 steps the loss gap is {shifted_gap[-1] / shifted_gap[0]:.1%} of the start's;"
      f" standardized: {excess(centred_surface, centred_trace.xs)[-1]:.1e} after 1 step")
assert 0.3 < shifted_gap[-1] / shifted_gap[0] < 0.6                # still far after 200 steps
assert excess(centred_surface, centred_trace.xs)[-1] < 1e-20         # one step

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, (ax_s, ax_c) = plt.subplots(1, 2, figsize=(11, 4.4), width_ratios=[1.4, 1], layout="constrained")
shifted_levels = excess(shifted_surface, np.zeros((1, 2)))[0] * np.geomspace(1e-4, 100, 30) + shifted_surface.f(
    shifted_surface.minima[0])                                # log-spaced in J - J*: the thin valley shows
plotting.plot_contours(shifted_surface, ax=ax_s, levels=shifted_levels,
                       title=f"Feature $t + 5$ ($\\kappa$ = {kappa_of(shifted):.0f}): 200 steps")
plotting.plot_path(shifted_trace, ax=ax_s, color=GD_COLOR, label="gradient descent from $w = 0$",
                   markers=False, linewidth=0.4)
ax_s.set(xlabel="intercept $w_1$", ylabel="slope $w_2$ (note: a different scale)")
hollow_end = dict(style.END_STYLE, markersize=15, markerfacecolor="none", markeredgewidth=2, zorder=12)
for ax_ in (ax_s, ax_c):
    ax_.plot([], [], markeredgecolor="black", **style.START_STYLE, label="start")
ax_s.plot([], [], **dict(style.END_STYLE, markerfacecolor="0.6"), label="end of the run")
ax_c.plot([], [], **hollow_end, label="end of the run (around the star)")
ax_s.legend(fontsize=8, loc="lower left")
plotting.plot_contours(centred_surface, ax=ax_c, levels=20,
                       title="Standardized ($\\kappa$ = 1): one step")
centred_end = plotting.plot_path(centred_trace, ax=ax_c, color=COLORS["orange"],
                                 label="gradient descent from $w = 0$").end
centred_end.set(**{k: v for k, v in hollow_end.items() if k != "linestyle"})   # drawn over the star, hollow
ax_c.set(xlabel="intercept $v_1$", ylabel="slope $v_2$", aspect="equal")
ax_c.legend(fontsize=8, loc="lower right");

# %% [markdown]
# The valley of the shifted problem runs diagonally: raising the slope by 1 raises
# every prediction by about $t + 5 \approx 5$, which lowering the intercept by about
# 5 undoes. At $\eta^\star$ both eigen-directions shrink by only
# $\rho = (\kappa - 1)/(\kappa + 1) \approx 0.998$ per step, the steep one changing
# sign: every step jumps from wall to wall (the blue band), and after 200 steps the
# loss gap is still 43% of where it started. Exercise 3.2 asks you to write the
# standardization, with its traps.
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
# Do not count on that error. `solve` raises only if the elimination meets a pivot
# that is *exactly* zero: numpy calls LAPACK's `gesv`, which by its documentation
# reports failure (`INFO > 0`) only when a diagonal entry $U_{ii}$ of the LU factor is
# exactly zero. Rounding can leave a tiny nonzero pivot instead, when
# $X^\top X$ is exactly singular or only a hair away from it, and then `solve`
# returns an arbitrary point of the valley without a word (Appendix B shows two such
# cases). So on data that may be collinear, do not call `solve` on the normal
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
# The example generalizes. First three terms from linear algebra (Golub & Van Loan
# 2013, §5.5). The **row space** of
# $X$ is the set of all combinations of its rows, a subspace of weight space; the
# **null space** is the set of $v$ with $Xv = 0$, the directions the model cannot
# see; the two are perpendicular, since $Xv = 0$ says $v$ is perpendicular to every
# row. The **pseudo-inverse** $X^+$ (`np.linalg.pinv`) maps $y$ to the minimum-norm
# least-squares solution $X^+ y$.
#
# Then the argument, for **any** $X$ and $0 < \eta < 2/L$, in three lines:
#
# 1. Each step adds a combination of the rows of $X$, so $w_k - w_0$ stays in the row
#    space of $X$. Write $w_k - w^\star$, for any minimizer $w^\star$, in the
#    eigenvectors of $H = X^\top X/n$: the components with $\lambda > 0$ (which span
#    the row space) shrink by $|1 - \eta\lambda| < 1$ per step, the ones with
#    $\lambda = 0$ never change. So $w_k$ converges, and its limit $w_\infty$ has zero
#    gradient: it is a minimizer.
# 2. The minimizers are $w^\star + v$ with $Xv = 0$: the null space of $X$, which is
#    perpendicular to the row space.
# 3. So $w_\infty$ is a minimizer with $w_\infty - w_0$ perpendicular to the set of
#    minimizers: it is the orthogonal projection of $w_0$ onto that set, the minimizer
#    nearest to $w_0$, $w_0 + X^+(y - Xw_0)$ with $X^+$ the pseudo-inverse. From
#    $w_0 = 0$: $X^+ y$, the minimum-norm solution.
#
# Checked on a random $X$ with more weights than examples ($3 \times 6$), from zero
# and from a random start:

# %%
X_wide, y_wide = rng.normal(size=(3, 6)), rng.normal(size=3)           # 6 weights, 3 examples
eta_wide = 1 / np.linalg.eigvalsh(X_wide.T @ X_wide / 3).max()
for w0 in [np.zeros(6), rng.normal(size=6)]:
    w = w0.copy()
    for _ in range(3000):
        w = w - eta_wide * models.mse_grad(w, X_wide, y_wide)
    assert np.allclose(w, w0 + np.linalg.pinv(X_wide) @ (y_wide - X_wide @ w0), atol=1e-8)

# %% [markdown]
# Two lessons, beyond this example:
#
# - When a model has more freedom than the data pin down (collinear or duplicated
#   features, more weights than examples), the *algorithm* chooses among the equally
#   good answers. Gradient descent from zero chooses the minimum-norm one: a quiet
#   preference for small weights, an **implicit regularization**. For linear models
#   this is exactly what we proved; for neural networks, whose weights far
#   outnumber their training examples, such implicit biases of the optimizer are an
#   active research topic (Zhang et al. 2017, "Understanding deep learning requires
#   rethinking generalization", ICLR, §5; Gunasekar et al. 2018, "Implicit bias of
#   gradient descent on linear convolutional networks", NeurIPS).
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
      f"bound ln(1e10) / (-2 ln rho) = {np.log(1 / TOL) / (-2 * np.log(rho_nc)):.0f}")
assert np.isclose(kappa_nc, (1 + correlation) / (1 - correlation), rtol=1e-6)   # 2 standardized columns
assert 150 < kappa_nc < 250 and near_steps > 500
assert abs(correlation - 0.9896) < 5e-5 and abs(kappa_nc - 191) < 0.5 and abs(near_steps - 1100) <= 1   # this sample
assert abs(near_steps - np.log(1 / TOL) / (-2 * np.log(rho_nc))) <= 1          # the rate of chapter 02

# %% [markdown]
# At the best fixed learning rate, $\kappa = 191$ costs 1100 steps, the count that
# the rate $\rho = (\kappa - 1)/(\kappa + 1)$ of chapter 02 predicts (printed above),
# against a handful for uncorrelated standardized features. Whitening the two
# features (section 6) brings $\kappa$ to 1, checked in the next cell.
# Collinearity also makes the two weights noisy from one sample to the next, while
# their sum stays precise (appendix D).

# %%
evals_nc, evecs_nc = np.linalg.eigh(X_nc.T @ X_nc / len(y_nc))
whitened = X_nc @ evecs_nc @ np.diag(evals_nc ** -0.5) @ evecs_nc.T       # X H^(-1/2)
print(f"kappa after whitening: {kappa_of(whitened):.12f}")
assert np.isclose(kappa_of(whitened), 1, rtol=1e-9)

# %% [markdown]
# ## 8. Ridge regression: an explicit preference for small weights
#
# Gradient descent from zero prefers small weights without being asked. **Ridge
# regression** asks: it adds a penalty on the size of $w$,
#
# $$J_\lambda(w) = J(w) + \frac{\lambda}{2}\|w\|^2, \qquad
#   \nabla J_\lambda(w) = \frac1n X^\top(Xw - y) + \lambda w, \qquad
#   w_\lambda = \Big(\frac{X^\top X}{n} + \lambda I\Big)^{-1} \frac{X^\top y}{n}.$$
#
# The Hessian becomes $X^\top X/n + \lambda I$: every eigenvalue moves up by
# $\lambda$, so the smallest is at least $\lambda$, the minimizer is unique and the
# solve is safe even for collinear features, and the condition number falls to
# $\kappa_\lambda = (L + \lambda)/(\mu + \lambda)$. The price: $w_\lambda$ is not a
# minimizer of $J$ any more, it is pulled towards 0. (Usually there is no penalty on
# the intercept: Hastie, Tibshirani & Friedman 2009, *The Elements of Statistical
# Learning*, 2nd ed., §3.4.1, leave it out of the ridge penalty; our ridge examples
# here have no intercept. Standardize the features first: the penalty $\|w\|^2$ is
# not scale-invariant, so measuring a feature in other units
# changes which fit ridge prefers, where plain least squares just rescales its
# weight (asserted below).)
# A gradient step on $J_\lambda$ is $w \leftarrow w - \eta(\nabla J(w) + \lambda w)
# = (1 - \eta\lambda)\,w - \eta\nabla J(w)$: it shrinks the weights by the factor
# $1 - \eta\lambda$ before the usual step, which is why this penalty is also called
# **weight decay** (chapter 06, section 5, shows that for Adam the two are no longer
# the same).
# On the correlated features, with $\lambda = 0.1$:

# %%
lam = 0.1
H_nc = X_nc.T @ X_nc / len(y_nc)
w_ridge = np.linalg.solve(H_nc + lam * np.eye(2), X_nc.T @ y_nc / len(y_nc))
kappa_ridge = np.linalg.cond(H_nc + lam * np.eye(2))
ridge_surface = Surface("ridge", lambda w: near.f(w) + lam / 2 * np.sum(np.square(w), axis=0),
                        lambda w: near.grad(w) + lam * np.asarray(w),
                        lambda w: near.hess(w) + lam * np.eye(2).reshape((2, 2) + (1,) * (np.ndim(w) - 1)),
                        minima=w_ridge,
                        domain=near.domain, start=np.zeros(2), L=near.L + lam, mu=near.mu + lam)
ridge_trace = run(sgd(lr=2 / (near.L + near.mu + 2 * lam)), ridge_surface, np.zeros(2), steps=20000, tol=0)
ridge_gaps = ridge_surface.f(ridge_trace.xs.T) - ridge_surface.f(w_ridge)
ridge_steps = int(np.argmax(ridge_gaps < TOL * ridge_gaps[0]))
print(f"kappa: {kappa_nc:.0f} -> {kappa_ridge:.1f} = (L + lambda)/(mu + lambda); steps: {near_steps} -> {ridge_steps}")
print(f"w* = {near.minima[0].round(3)}, w_ridge = {w_ridge.round(3)}; "
      f"J(w_ridge) - J(w*) = {near.f(w_ridge) - near.f(near.minima[0]):.1e}")
assert np.isclose(kappa_ridge, (near.L + lam) / (near.mu + lam))
assert kappa_ridge < kappa_nc / 5 and ridge_steps < near_steps / 5
assert abs(kappa_ridge - 18.9) < 0.05                               # this sample: 191 -> 18.9
assert abs(np.sqrt(kappa_nc) - 13.8) < 0.1 and abs(np.sqrt(kappa_ridge) - 4.35) < 0.02   # the ellipses' axis ratios
assert np.allclose(ridge_trace.x, w_ridge, atol=1e-6)                    # GD finds w_ridge
assert np.linalg.norm(w_ridge) < np.linalg.norm(near.minima[0])          # pulled towards 0
assert near.f(w_ridge) > near.f(near.minima[0])                          # at a price in J

# Units matter for ridge, not for least squares: feature 2 measured 10 times larger
scale_2 = np.diag([1.0, 10.0])
X_units = X_nc @ scale_2
w_ls_units = np.linalg.lstsq(X_units, y_nc, rcond=None)[0]
w_ridge_units = np.linalg.solve(X_units.T @ X_units / len(y_nc) + lam * np.eye(2), X_units.T @ y_nc / len(y_nc))
assert np.allclose(scale_2 @ w_ls_units, np.linalg.lstsq(X_nc, y_nc, rcond=None)[0])   # just rescaled
assert not np.allclose(scale_2 @ w_ridge_units, w_ridge, rtol=1e-2)                 # a different fit

# On the exactly collinear data, a small penalty picks the minimum-norm solution:
for lam_small in [1e-3, 1e-6]:
    w_small = np.linalg.solve(X_c.T @ X_c / 3 + lam_small * np.eye(2), X_c.T @ y_c / 3)
    assert np.allclose(w_small, [0.5, 0.5], atol=lam_small)

# %% [markdown]
# The penalty made the problem ten times better conditioned, and gradient descent
# needed about ten times fewer steps; the weights shrank and the data loss rose a
# little. On the collinear example, ridge with a small $\lambda$ lands next to
# $(0.5, 0.5)$, the minimum-norm solution that gradient descent from zero found
# with no penalty at all: the explicit and the implicit preference agree there.
#
# ### Stopping early is much like ridge
#
# Gradient descent from $w_0 = 0$ on $J$ is, written in the eigenvectors $q_i$ of $H$
# (eigenvalues $\lambda_i$), a filter on the least-squares solution. The step is
# $w_{k+1} - w^\star = (I - \eta H)(w_k - w^\star)$, and $q_i^\top(I - \eta H) =
# (1 - \eta\lambda_i)\,q_i^\top$, so $q_i^\top(w_k - w^\star) = (1 - \eta\lambda_i)^k\,
# q_i^\top(0 - w^\star)$. For ridge, $X^\top y/n = Hw^\star$ turns the formula for $w_\lambda$
# into $(H + \lambda I)\,w_\lambda = Hw^\star$, so $(\lambda_i + \lambda)\,q_i^\top w_\lambda =
# \lambda_i\, q_i^\top w^\star$. Summing over $i$:
#
# $$w_k = \sum_i \big[1 - (1 - \eta\lambda_i)^k\big]\,(q_i^\top w^\star)\,q_i,
# \qquad
# w_\lambda = \sum_i \frac{\lambda_i}{\lambda_i + \lambda}\,(q_i^\top w^\star)\,q_i .$$
#
# Both keep the directions of large curvature almost whole and shrink those of
# small curvature: after $k$ steps gradient descent has barely moved along a
# direction with $\eta\lambda_i k \ll 1$, and ridge shrinks a direction with
# $\lambda_i \ll \lambda$. Roughly, stopping after $k$ steps acts like a penalty
# $\lambda \approx 1/(\eta k)$ (Goodfellow et al. 2016, *Deep Learning*, §7.8, derive
# this equivalence for a quadratic). On the correlated features, the path of
# gradient descent with a small rate, $\eta = 0.1$ (a tenth of the limit $2/L$), against the path of ridge
# solutions $w_\lambda$ as $\lambda$ goes from $10^3$ down to $10^{-4}$:

# %%
assert 0.09 < 0.1 / (2 / near.L) < 0.11                                 # a tenth of 2/L
gd_small = [np.zeros(2)]
for _ in range(6000):
    gd_small.append(gd_small[-1] - 0.1 * models.mse_grad(gd_small[-1], X_nc, y_nc))
gd_small = np.array(gd_small)
ks = np.array([10, 100, 1000])
filters = 1 - (1 - 0.1 * evals_nc) ** ks[:, None]                          # one row per k
assert np.allclose(gd_small[ks], (filters * (near.minima[0] @ evecs_nc)) @ evecs_nc.T, atol=1e-12)
lambdas = np.geomspace(1e3, 1e-4, 400)
ridge_path = np.array([np.linalg.solve(H_nc + l * np.eye(2), X_nc.T @ y_nc / len(y_nc)) for l in lambdas])
distance = np.array([np.min(np.linalg.norm(ridge_path - w_k, axis=1)) for w_k in gd_small])
print(f"every gradient-descent iterate lies within {distance.max():.3f} of the ridge path"
      f" ({distance.max() / np.linalg.norm(near.minima[0]):.1%} of |w*|); |w_6000 - w*| = "
      f"{np.linalg.norm(gd_small[-1] - near.minima[0]):.1e}")
assert distance.max() < 0.03 * np.linalg.norm(near.minima[0])        # 2.4% on this sample

# %% [markdown]
# The two filters side by side, as functions of the curvature $\lambda_i$ of a
# direction, for three pairings $\lambda = 1/(\eta k)$:

# %%
shown_k = 2 ** np.arange(13)                                     # steps 1, 2, 4, ..., 4096
curvatures = np.geomspace(1e-4, near.L, 400)                     # lambda_i, from flat to the steepest of H_nc
pairings = [8, 64, 1024]                                         # k, paired with lambda = 1/(eta k)
gd_filter = {k: 1 - (1 - 0.1 * curvatures) ** k for k in pairings}
ridge_filter = {k: curvatures / (curvatures + 1 / (0.1 * k)) for k in pairings}
for k in pairings:
    lam_k = 1 / (0.1 * k)
    at_lam = 1 - (1 - 0.1 * lam_k) ** k                          # GD's filter at lambda_i = lambda (ridge's: 1/2)
    gap = np.max(np.abs(gd_filter[k] - ridge_filter[k]))
    print(f"k = {k:4d}, lambda = {lam_k:.4f}: at lambda_i = lambda GD keeps {at_lam:.3f}, ridge 0.500;"
          f" largest difference {gap:.3f}")
    assert 0.62 < at_lam < 0.67 and gap < 0.22                    # about 1 - 1/e = 0.632; at most 0.22 apart
ridge_at_k = {k: np.linalg.solve(H_nc + np.eye(2) / (0.1 * k), X_nc.T @ y_nc / len(y_nc))   # lambda = 1/(eta k)
              for k in shown_k}
k_gap = {k: np.linalg.norm(gd_small[k] - ridge_at_k[k]) / np.linalg.norm(near.minima[0]) for k in shown_k}
print("|w_k - w_lambda| / |w*| at lambda = 1/(eta k):", {int(k): f"{g:.1%}" for k, g in k_gap.items()})
assert 0.15 < max(k_gap.values()) < 0.3                          # up to 22% at the bend, on this sample

# %% jupyter={"source_hidden": true}
# Checks of the figure below and of the text (no new idea: you may skip this cell).
for k in pairings:
    lam_k = 1 / (0.1 * k)
    gap = np.max(np.abs(gd_filter[k] - ridge_filter[k]))
    if k == 8:
        assert 0.21 < gap < 0.22                                  # 0.216 for k = 8, at the right edge (lambda_i = L)
    widest = curvatures[np.argmax(np.abs(gd_filter[k] - ridge_filter[k]))]
    assert lam_k <= widest <= 10 * lam_k                          # furthest apart between lambda and 10 lambda
    if 10 * lam_k <= near.L:                                      # 10 lambda inside the plotted range
        assert 1 - (1 - 0.1 * 10 * lam_k) ** k > 0.999            # early stopping: practically whole there
    assert np.all(np.diff(gd_filter[k]) >= 0) and np.all(np.diff(ridge_filter[k]) > 0)   # both rise with lambda_i
assert evals_nc[0] < 0.011 and evals_nc[1] > 1.9                 # mu ~ 0.01, L ~ 2
steep_kept = {k: (1 - (1 - 0.1 * evals_nc[1]) ** k, evals_nc[1] / (evals_nc[1] + 1 / (0.1 * k))) for k in pairings}
assert steep_kept[8][0] > 0.8 and steep_kept[8][1] > 0.6          # steep direction mostly kept at k = 8 (0.83, 0.61)
assert all(min(steep_kept[k]) > 0.9 for k in (64, 1024))        # ... practically whole from k = 64 on
x_grid = np.linspace(1e-3, 20, 200_001)                          # x = eta k lambda_i; (1 - x/k)^k -> e^-x as k grows
limit_gap = (1 - np.exp(-x_grid)) - x_grid / (1 + x_grid)       # the two filters for large k, lambda = 1/(eta k)
assert abs(limit_gap.max() - 0.204) < 0.001 and abs(x_grid[np.argmax(limit_gap)] - 2.51) < 0.01
assert max(k_gap[k] for k in shown_k if k >= 256) < 0.03          # 1.9% on this sample (other seeds: up to 5.4%)
assert max(k_gap[k] for k in shown_k if k >= 256) < 0.5 * max(k_gap.values())   # closer than at the bend

# %% jupyter={"source_hidden": true}
# Plotting code for the next figure: nothing new to learn here, you may skip it.
def plot_early_stopping_vs_ridge():
    fig, axes = plt.subplots(2, 2, figsize=(13, 12), layout="constrained")
    (ax_f, ax_j), (ax_z, ax_r) = axes
    # (a) the two filters against lambda_i
    circle_size = {8: 7, 64: 18, 1024: 6}          # at L the k = 64 and 1024 circles coincide: a wide ring, a dot
    for (k, color) in zip(pairings, [COLORS["blue"], COLORS["orange"], COLORS["bluish_green"]]):
        ax_f.semilogx(curvatures, gd_filter[k], color=color, linewidth=2,
                      label=f"early stopping, $k$ = {k}: $1 - (1 - \\eta\\lambda_i)^k$")
        ax_f.semilogx(curvatures, ridge_filter[k], color=color, linewidth=2, linestyle="--",
                      label=f"ridge, $\\lambda = 1/(\\eta k)$ = {1 / (0.1 * k):.3g}: $\\lambda_i/(\\lambda_i + \\lambda)$")
        ax_f.plot(evals_nc, 1 - (1 - 0.1 * evals_nc) ** k, "o", color=color, markersize=circle_size[k],
                  markerfacecolor="none" if k == 64 else color, markeredgewidth=2.5, zorder=5 + (k == 1024))
        ax_f.plot(evals_nc, evals_nc / (evals_nc + 1 / (0.1 * k)), "s", color=color, markersize=10,
                  markerfacecolor="none", markeredgewidth=1.5, zorder=6)   # hollow: a circle can show inside
    for value, name in zip(evals_nc, ["$\\mu$", "$L$"]):
        ax_f.axvline(value, color="0.5", linestyle=":", linewidth=1)
        ax_f.text(value * (1.08 if name == "$\\mu$" else 1 / 1.08), 1.03, f"{name} = {value:.3g}",
                  ha="left" if name == "$\\mu$" else "right", fontsize=8, color="0.3")   # beside the line
    ax_f.set(xlabel="curvature $\\lambda_i$ of an eigen-direction of $H$ (log scale)",
             ylabel="share of $q_i^\\top w^\\star$ kept", ylim=(-0.02, 1.09),
             title="(a) How much of each direction is kept ($\\eta$ = 0.1)")
    ax_f.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3,
                title="circles: early stopping, squares: ridge, at the two curvatures of the correlated features",
                title_fontsize=7.5)
    # (b, c) the two paths on J, whole and zoomed in
    gap_levels = lambda surface, top: surface.f(surface.minima[0]) + top * np.geomspace(1e-5, 1, 24)
    zoom_labels = {16: ((-6, -3), "right"), 32: ((-7, -2), "right"),     # 32 and 64 nearly coincide,
                   64: ((0, 10), "center"), 128: ((6, 3), "left"),       # so on different sides
                   256: ((7, -4), "left"), 512: ((7, 0), "left"), 1024: ((7, 0), "left"),
                   2048: ((7, 2), "left"), 4096: ((9, -9), "left")}     # every dot of the zoom, 4096 under the star
    for ax_, domain, title, paired in [
            (ax_j, ((-0.6, 2.2), (-0.6, 2.2)),
             f"(b) $J$, correlation {correlation:.2f} ($\\kappa$ = {kappa_nc:.0f}): the two paths", []),
            (ax_z, ((0.9, 1.15), (0.85, 1.05)), "(c) zoomed in near $w^\\star$, with pairs $k$, $\\lambda = 1/(\\eta k)$",
             [64, 256, 1024])]:
        view = regression_surface(X_nc, y_nc, domain=domain, name=title)
        plotting.plot_contours(view, ax=ax_, levels=gap_levels(view, 2.0), mark_minima=False, title=title)
        ax_.plot(*ridge_path.T, color=COLORS["vermillion"], linewidth=4, alpha=0.5,
                 label="ridge solutions $w_\\lambda$, $\\lambda$ from $10^3$ to $10^{-4}$")
        ax_.plot(*gd_small[shown_k].T, "o", color=GD_COLOR, markersize=5, markeredgecolor="white", zorder=8,
                 label="gradient descent from 0, $\\eta$ = 0.1: steps 1, 2, 4, ..., 4096")
        if paired:
            ax_.plot(*np.array([ridge_at_k[k] for k in paired]).T, "s", color=COLORS["vermillion"],
                     markerfacecolor="none", markeredgewidth=1.5, markersize=8, zorder=8,
                     label="$w_\\lambda$ at $\\lambda = 1/(\\eta k)$, dotted to the $k$-th dot")
            for k in paired:
                ax_.plot(*np.transpose([gd_small[k], ridge_at_k[k]]), ":", color="black", linewidth=1, zorder=7)
            for k, (offset, side) in zoom_labels.items():
                ax_.annotate(f"$k$={k}", gd_small[k], xytext=offset, textcoords="offset points", fontsize=7.5,
                             ha=side, va="center", color=GD_COLOR, zorder=10,
                             bbox=dict(facecolor="white", edgecolor="none", pad=0.3, alpha=0.7))
        if not paired:                              # in (c) the k = 64 pair's dotted line would cross it
            ax_.plot(*w_ridge, "D", color=COLORS["vermillion"], markeredgecolor="black", markersize=8, zorder=9,
                     label=f"$w_\\lambda$, $\\lambda$ = {lam}")
        ax_.plot(*near.minima[0], **style.MINIMUM_STYLE, label="$w^\\star$")
        ax_.set(xlim=domain[0], ylim=domain[1], xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
    ax_j.legend(fontsize=7.5, loc="lower right")
    ax_z.legend(fontsize=7.5, loc="lower left")
    # (d) the penalized loss
    ridge_view = Surface("ridge", ridge_surface.f, ridge_surface.grad, ridge_surface.hess, minima=w_ridge,
                         domain=((-0.6, 2.2), (-0.6, 2.2)), start=np.zeros(2), L=near.L + lam, mu=near.mu + lam)
    plotting.plot_contours(ridge_view, ax=ax_r, levels=gap_levels(ridge_view, 2.0), mark_minima=False,
                           title=f"(d) $J_\\lambda$, $\\lambda$ = {lam}: rounder ($\\kappa$ {kappa_nc:.0f} → {kappa_ridge:.1f})")
    ax_r.plot(*w_ridge, "D", color=COLORS["vermillion"], markeredgecolor="black", markersize=8, zorder=9,
              label=f"its minimum $w_\\lambda$")
    ax_r.plot(*near.minima[0], **style.MINIMUM_STYLE, label="$w^\\star$ (minimum of $J$)")
    ax_r.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
    ax_r.legend(fontsize=8, loc="lower left")
    return fig


# %%
plot_early_stopping_vs_ridge();

# %% [markdown]
# **(a)** Each filter rises from 0 (a direction left out) to 1 (kept whole) as the
# curvature $\lambda_i$ grows, and the pair with the same colour rises at the same
# place, $\lambda_i \approx \lambda = 1/(\eta k)$: that is the pairing. Early stopping
# is the sharper filter: at $\lambda_i = \lambda$ ridge keeps exactly half, early
# stopping about $1 - 1/e \approx 0.63$; on the plotted range the two differ by at
# most 0.22 (printed above). The steep direction ($L \approx 2$) is nearly whole from $k = 64$
# on (the wide ring and the dot at $L$), so $k$ or $\lambda$ decides how much of the flat
# direction ($\mu \approx 0.01$) gets in.
#
# **(b)** Gradient descent from 0 (blue dots) first runs across the thin valley,
# then slowly along it; the ridge solutions (the pale band) do much the same as
# $\lambda$ falls, and on this sample every iterate lies within a few per cent of
# $\|w^\star\|$ of that path. **(c)** Zoomed in, point by point the pairing is
# rougher: each hollow square (ridge at $\lambda = 1/(\eta k)$) is dotted to its
# iterate, and the distances, printed above, are largest at the bend. $\lambda
# \approx 1/(\eta k)$ is an order of magnitude, not an identity. **(d)** The penalty
# adds $\lambda$ to both curvatures: the contours of $J_\lambda$ are rounder ($\kappa$
# 191 → 18.9, still elongated), and its minimum $w_\lambda$ lies on the path, short
# of $w^\star$. Choosing $\lambda$ (or when to stop) is a question of generalization,
# on held-out data (section 3), beyond this chapter.
#
# ## Summary
#
# - Linear regression predicts $\hat y = Xw$, with a column of ones in $X$ for the
#   intercept. Its loss, the half-MSE $J(w) = \frac1n\sum_i \tfrac12 (x_i^\top w - y_i)^2$
#   (`torch.nn.MSELoss` has no $\tfrac12$: twice the gradient), has the gradient
#   $\nabla J(w) = X^\top (Xw - y)/n$: check it (and catch the sum for the mean, a
#   forgotten factor 2, a flipped sign) with finite differences.
# - $J$ is a convex quadratic with Hessian $X^\top X/n$. Batch gradient descent
#   converges for $\eta < 2/L$ with $L = \lambda_{\max}(X^\top X/n) \le \text{mean}_i\|x_i\|^2$,
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
#   columns) or may return an arbitrary minimizer without a word (Appendix B):
#   use `lstsq` or `pinv`. Every gradient is a combination of the rows of $X$, so
#   gradient descent moves only along the row space ($w_k - w_0$ stays in it); with $0 < \eta < 2/L$ it
#   converges, to the minimizer nearest to its start; from zero, the minimum-norm
#   solution `np.linalg.pinv(X) @ y`: $(0.5, 0.5)$ in the three-line example.
#   Nearly collinear features make $\kappa$ large (gradient descent slow) and the
#   individual weights imprecise, with covariance $\sigma^2 (X^\top X)^{-1}$, while
#   their sum stays precise.
# - The squared loss is the negative log-likelihood under Gaussian noise. What
#   matters in the end is the loss on held-out data, not on the training set.
#   Ridge regression adds $\tfrac{\lambda}{2}\|w\|^2$: a unique minimizer, a condition
#   number $(L + \lambda)/(\mu + \lambda)$, weights pulled towards zero; stopping
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

# %% [markdown]
# ## Appendix A. Which solver, and what it costs
#
# The costs, for $n$ examples and $d$ weights (dense $X$; $\kappa$ the condition
# number of $X^\top X$, section 6):
#
# | method | work | memory |
# | --- | --- | --- |
# | normal equations (form $X^\top X$, Cholesky) | $\approx n d^2 + d^3/3$ once | $d^2$ |
# | `lstsq` (QR or SVD of $X$) | $\approx 2 n d^2$ once, or more | $n d$ |
# | gradient descent, $\eta = 2/(L + \mu)$ | $\approx 4nd$ per step, about $\tfrac{\kappa}{4} \ln \tfrac{1}{\text{tol}}$ steps | $d$ (besides $X$) |
# | conjugate gradients | $\approx 4nd$ per step, at most about $\tfrac{\sqrt\kappa}{4} \ln \tfrac{4}{\text{tol}}$ steps | $d$ (besides $X$) |
#
# (Golub & Van Loan 2013, *Matrix Computations*, 4th ed., §5.3, for the direct
# methods; Nocedal & Wright 2006, *Numerical Optimization*, §5.1, for the
# conjugate-gradient bound with $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$; the
# gradient-descent count is the one measured in section 6. "tol" is the
# reduction of the loss gap $J(w_k) - J^\star$ asked for; both iterative counts are
# for large $\kappa$.) An iterative step costs two products with $X$; the direct
# methods pay about $nd^2$ once.
#
# **Conjugate gradients** (CG) is the method of choice for a quadratic among the
# iterative ones. Like gradient descent it needs only products with $H$ (here, two
# with $X$), but each search direction combines the new gradient with the previous
# direction so that the directions are *$H$-conjugate*, $p_i^\top H p_j = 0$ for
# $i \ne j$; the step along each is exact, and in exact arithmetic CG finds the
# minimum of a $d$-dimensional quadratic in at most $d$ steps (Nocedal & Wright
# 2006, §5.1). **LSQR** (Paige & Saunders 1982, ACM TOMS 8) is a method
# mathematically equivalent to CG on the normal equations that works with $X$ and
# $X^\top$, never forms $X^\top X$, and behaves better in floating point. (This course does not use either; chapter 08 meets CG again
# inside Newton's method.)
#
# Our reading of the table, not a quotation: for small and medium dense problems a
# direct solve (`lstsq`, QR, Cholesky) is the natural choice, since its cost is
# fixed and known in advance and its accuracy does not depend on a learning rate
# or a stopping rule (Golub & Van Loan 2013, §5.3, derive and compare these
# direct methods). For large or sparse problems, CG or LSQR beat plain gradient
# descent: their iteration count grows like $\sqrt\kappa$ rather than $\kappa$.
# Memory alone does not separate them: CG and LSQR, like gradient descent, need only
# products with $X$ and $X^\top$, which can be streamed from disk. Gradient descent
# and its stochastic variants take over when the loss is not quadratic, or when $n$
# is very large and the examples redundant, so that a stochastic step on a few
# examples costs far less than one pass over all of them (chapter 04 compares the
# two at equal numbers of example gradients). Linear regression is where we can have
# all of them, and check one against another.
#
# ## Appendix B. `solve` on singular and nearly singular normal equations
#
# Section 7 said that `solve` raises only if the elimination meets a pivot that is
# *exactly* zero, and that rounding can leave a tiny nonzero one instead. Two cases.
#
# **Columns $c$ times each other.** Make the second column $c$ times the first,
# $t = (1, 2, 3)$, with a $c$ that float64 cannot hold exactly (0.1, 0.3, 0.7). The
# stored columns are collinear only up to rounding: $c$ is rounded when stored, and
# so is the product $3c$ (the products $1 \cdot c$ and $2c$ are exact, since doubling
# only changes the exponent), so the stored second column is not exactly a multiple
# of the first (checked in exact rational arithmetic), and $X^\top X$ is a hair away from singular.
# `solve` returns an answer without a word (on the machine that wrote this; the cell
# accepts an error too). Each answer is a perfect fit, and an arbitrary point of the
# valley $w_1 + c\,w_2 = 1$, set by the rounding; `lstsq` returns the minimum-norm
# point $(1, c)/(1 + c^2)$, on the line through 0 perpendicular to the valley:

# %%
from fractions import Fraction

t_c = np.array([1.0, 2.0, 3.0])
silent = {}
for c in [0.1, 0.3, 0.7]:
    X_silent = np.stack([t_c, c * t_c], axis=1)
    ratios_exact = {Fraction(a) / Fraction(b) for a, b in zip(X_silent[:, 1], t_c)}
    assert len(ratios_exact) > 1                            # the stored columns: collinear up to rounding
    w_min_norm = np.linalg.lstsq(X_silent, t_c, rcond=None)[0]
    assert np.allclose(w_min_norm, np.linalg.pinv(X_silent) @ t_c)
    assert np.isclose(w_min_norm @ [c, -1], 0, atol=1e-12)                 # minimum norm: along (1, c)
    assert np.allclose(w_min_norm, np.array([1, c]) / (1 + c**2))
    assert np.linalg.cond(X_silent.T @ X_silent) > 1e12
    try:
        w_solve = np.linalg.solve(X_silent.T @ X_silent, X_silent.T @ t_c)
    except np.linalg.LinAlgError as exc:                                    # possible with another LAPACK
        print(f"c = {c}: solve raised here: {exc}")
        continue
    silent[c] = (w_solve, w_min_norm)
    print(f"c = {c}: solve -> {w_solve.round(4)}, lstsq -> {w_min_norm.round(4)}")
    assert np.allclose(X_silent @ w_solve, t_c, atol=1e-6)                  # a perfect fit, silently
if silent:
    assert max(np.linalg.norm(w_s - w_m) for w_s, w_m in silent.values()) > 0.5   # far from lstsq's

# %% [markdown]
# **An exactly singular matrix.** Rounding in the elimination can leave a tiny
# nonzero pivot even when the matrix is exactly singular. Take the rank-2 integer matrix with rows
# $(1,2,3), (4,5,6), (7,8,9), (1,1,1)$: $X^\top X$ has integer entries and
# determinant exactly 0 (the third column is twice the second minus the first),
# yet on the machine that wrote this `solve` returns an answer (another LAPACK may
# raise; the cell accepts both, and checks the answer if there is one):

# %%
X_int = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]], dtype=float)
gram_int = (X_int.T @ X_int).astype(int)
det_int = (                                                 # the 3x3 determinant in exact integers
    gram_int[0, 0] * (gram_int[1, 1] * gram_int[2, 2] - gram_int[1, 2] * gram_int[2, 1])
    - gram_int[0, 1] * (gram_int[1, 0] * gram_int[2, 2] - gram_int[1, 2] * gram_int[2, 0])
    + gram_int[0, 2] * (gram_int[1, 0] * gram_int[2, 1] - gram_int[1, 1] * gram_int[2, 0]))
assert det_int == 0 and np.array_equal(X_int @ [1, -2, 1], np.zeros(4))   # exactly singular, in integers
try:
    w_int = np.linalg.solve(X_int.T @ X_int, X_int.T @ np.ones(4))
    print("np.linalg.solve on an exactly singular X^T X: no error, w =", w_int.round(4))
    w_int_min = np.linalg.lstsq(X_int, np.ones(4), rcond=None)[0]
    assert np.allclose(X_int.T @ (X_int @ w_int - 1), 0, atol=1e-6)     # a minimizer, silently
    assert np.allclose(np.cross(w_int - w_int_min, [1, -2, 1]), 0, atol=1e-6)   # off by a null vector
except np.linalg.LinAlgError as exc:                                    # possible with another LAPACK
    print("np.linalg.solve raised here:", exc)

# %% [markdown]
# ## Appendix C. Above $2/L$: a knife-edge
#
# Section 5 said gradient descent converges *from every start* exactly when
# $\eta < 2/L$. From a start with no component along any eigenvector whose
# $\lambda_i \ge 2/\eta$, a larger $\eta$ can still converge: those components are
# zero and stay zero, in exact arithmetic. (Having no component along the top
# eigenvector alone is not enough: on $\mathrm{diag}(1, 4)$ with $\eta = 2.5$, even the start
# $(1, 0)$ diverges, by $|1 - 2.5| = 1.5$ per step, asserted below.) It is a
# knife-edge, not a recipe. Take $\eta = 0.6 > 2/L = 0.5$ on
# $H = \mathrm{diag}(1, 4)$. A start exactly on the slow axis converges (the axis is
# exact in floating point, and the factor is $|1 - 0.6| = 0.4$ per step); a start
# $10^{-3}$ off it diverges, by $|1 - 0.6 \cdot 4| = 1.4$ per step. On the same $H$
# rotated by half a radian the slow eigenvector is exact only up to rounding: the
# start, and every product with $H$, carry tiny errors along the steep eigenvector,
# and those grow by 1.4 per step too:

# %%
H_toy, eta_toy = np.diag([1.0, 4.0]), 0.6                      # eta > 2/L = 0.5
turn = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
H_turned = turn @ H_toy @ turn.T                                # the same eigenvalues, eigenvectors turned
knife = {"slow axis of diag(1, 4)": (H_toy, np.array([1.0, 0.0])),
         "slow axis, 1e-3 off": (H_toy, np.array([1.0, 1e-3])),
         "slow eigenvector of the turned H": (H_turned, turn[:, 0])}
for name, (H_k, w_k) in knife.items():
    for _ in range(300):
        w_k = w_k - eta_toy * H_k @ w_k
    knife[name] = np.linalg.norm(w_k)
    print(f"{name:>33}: |w_300| = {knife[name]:.1e}")
assert knife["slow axis of diag(1, 4)"] < 1e-100                # 0.4^300: exactly on the axis, it converges
assert knife["slow axis, 1e-3 off"] > 1e30                      # 1e-3 x 1.4^300
assert knife["slow eigenvector of the turned H"] > 1e10         # rounding alone was enough
w_big = np.array([1.0, 0.0])                                    # eta = 2.5 >= 2/1: the slow axis too
for _ in range(100):
    w_big = w_big - 2.5 * H_toy @ w_big
print(f"eta = 2.5, start (1, 0): |w_100| = {np.linalg.norm(w_big):.1e} (1.5^100 = {1.5 ** 100:.1e})")
assert np.isclose(np.linalg.norm(w_big), 1.5 ** 100, rtol=1e-9)  # |1 - 2.5 x 1| = 1.5 per step

# %% [markdown]
# ## Appendix D. Collinearity and the noise in the weights
#
# Section 7's correlated features (correlation 0.99) have a statistical face too. With $y = Xw_{\text{true}} + \varepsilon$ and
# independent noise of variance $\sigma^2$ (section 2), the fitted weights are
# $w^\star = (X^\top X)^{-1}X^\top y = w_{\text{true}} + (X^\top X)^{-1}X^\top\varepsilon$, so they
# vary from one noisy sample to the next with covariance $\sigma^2 (X^\top X)^{-1}$.
# For two standardized features with correlation $r$, $X^\top X = n\begin{pmatrix}1 & r\\ r & 1\end{pmatrix}$
# and each weight has standard deviation $\sigma/\sqrt{n(1 - r^2)}$: about 7 times
# that of uncorrelated features at $r = 0.99$. Their sum, the combination the data
# pin down, does not suffer: $\mathbf 1^\top \begin{pmatrix}1 & r\\ r & 1\end{pmatrix}^{-1}\mathbf 1
# = 2/(1 + r)$, so it has standard deviation $\sigma\sqrt{2/(n(1 + r))}$, a factor
# $\sqrt{1 + r} \approx 1.41$ *smaller* than the sum of two uncorrelated features'
# weights ($\sigma\sqrt{2/n}$). Measured on 4,000 fresh draws of the noise:

# %%
noise = 0.5 * np.random.default_rng(11).standard_normal((len(y_nc), 4000))   # sigma = 0.5, 4,000 samples
w_samples = np.linalg.solve(X_nc.T @ X_nc, X_nc.T @ (X_nc @ [1.0, 1.0] + noise.T).T)   # one fit per column
sd_formula = 0.5 * np.sqrt(np.diag(np.linalg.inv(X_nc.T @ X_nc)))
sd_uncorrelated = 0.5 / np.sqrt(len(y_nc))                                  # one weight, r = 0
sd_sum_formula = 0.5 * np.sqrt(2 / (len(y_nc) * (1 + correlation)))
sd_sum_uncorrelated = 0.5 * np.sqrt(2 / len(y_nc))                          # w1 + w2, r = 0
print(f"standard deviation of w1, w2: measured {w_samples.std(axis=1).round(4)}, formula {sd_formula.round(4)};"
      f" uncorrelated features: {sd_uncorrelated:.4f}")
print(f"of w1 + w2: measured {w_samples.sum(axis=0).std():.4f}, formula {sd_sum_formula:.4f};"
      f" uncorrelated features: {sd_sum_uncorrelated:.4f}")
assert np.allclose(w_samples.std(axis=1), sd_formula, rtol=0.05)
assert 6 < sd_formula.mean() / sd_uncorrelated < 8
assert np.isclose(0.25 * np.ones(2) @ np.linalg.inv(X_nc.T @ X_nc) @ np.ones(2), sd_sum_formula ** 2)
assert abs(w_samples.sum(axis=0).std() / sd_sum_formula - 1) < 0.05
assert np.isclose(sd_sum_uncorrelated / sd_sum_formula, np.sqrt(1 + correlation))   # 1.41 times more precise
spread = {"w1 - w2": (w_samples[0] - w_samples[1]).std(), "w1 + w2": w_samples.sum(axis=0).std()}
print(f"spread along (1, -1) / along (1, 1): {spread['w1 - w2'] / spread['w1 + w2']:.1f}"
      f" (formula sqrt((1 + r)/(1 - r)) = {np.sqrt((1 + correlation) / (1 - correlation)):.1f})")
assert spread["w1 - w2"] > 10 * spread["w1 + w2"]                  # about 13.8 at r = 0.9896

# %% [markdown]
# In a picture: the 4,000 fits form a cloud stretched along $(1, -1)$ (the individual
# weights are noisy) and narrow along $(1, 1)$ (their sum is precise).

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax = plt.subplots(figsize=(6, 5.2), layout="constrained")
ax.plot(*w_samples, ".", color=COLORS["blue"], markersize=2, alpha=0.4, label="4,000 fits, one per noise draw")
ax.plot(1.0, 1.0, **style.MINIMUM_STYLE, label="$w_{\\text{true}} = (1, 1)$")
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal",
       title=f"Correlated features (r = {correlation:.2f}): noisy weights, precise sum")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# ## Appendix E. The held-out loss of $w^\star$, exactly and on average
#
# Section 3 compared the fitted $w^\star$ with the generating line on 10,000 new
# points. How much worse is $w^\star$, exactly? The new $t$ are standard normal,
# independent of the noise, so a new point's expected half-MSE at any $w$ is
# $\sigma^2/2 + \tfrac12\|w - w_{\text{true}}\|^2$ (expand the square: $\mathbb E[x x^\top]
# = I$ for $x = (1, t)$): the noise, plus the error of the line. The 10,000 new points
# only *estimate* this: a held-out loss is itself an average over a sample, with its
# own noise.

# %%
import math

w_fit = path[-1]                                     # section 3's w*, fitted on the 50 points
excess_per_point = (0.5 * (fresh.X @ w_fit - fresh.y) ** 2
                    - 0.5 * (fresh.X @ line.w_true - fresh.y) ** 2) / noise_part
estimate = excess_per_point.mean()
standard_error = excess_per_point.std(ddof=1) / np.sqrt(len(fresh.y))
exact_excess = 0.5 * np.sum((w_fit - line.w_true) ** 2) / noise_part   # (1/2)|w* - w_true|^2 / (sigma^2/2)
print(f"w* above the noise: {estimate:.1%} estimated on the 10,000 new points "
      f"(standard error {100 * standard_error:.2f} percentage points); exactly {exact_excess:.2%}")
assert 0.0155 < exact_excess < 0.0175                # 1.66%: this w*, exactly
assert 0.02 < estimate < 0.03                         # 2.6%: the estimate on these 10,000 points
assert 0.1 * exact_excess < standard_error < exact_excess    # the estimate is noisy
z_fresh = (estimate - exact_excess) / standard_error
print(f"this fresh sample lands {z_fresh:.1f} standard errors from the exact value")
assert 3.0 < z_fresh < 4.0                                   # a rare draw, about 3.5 SE off
assert abs(standard_error - 0.0026) < 0.0003                 # the SE: about 0.26 percentage points
p_beyond = math.erfc(3.5 / math.sqrt(2))                     # P(|normal| > 3.5) = 4.65e-4
assert 1 / 2500 < p_beyond < 1 / 1800                        # about 1 in 2,000

# %% [markdown]
# For this $w^\star$ the excess is exactly 1.66% of the noise; the 10,000 new points
# estimate 2.6%, about 3.5 standard errors (SE) above (a normal estimate lands 3.5 SE
# or more off about once in 2,000 samples). Is the SE wrong? Redrawing the 10,000 new points
# 2,000 times, with the same $w^\star$, checks it:

# %%
miss_w = w_fit - line.w_true
redraw_rng = np.random.default_rng(2)
z_scores = []
for _ in range(20):                                   # 20 x 100 = 2,000 other fresh samples, same w*
    t_new = redraw_rng.standard_normal((100, 10_000))               # 100 samples of 10,000 new points at once
    noise_new = 0.5 * redraw_rng.standard_normal((100, 10_000))     # y - x.w_true, as in data.linear
    per_point = (0.5 * (miss_w[0] + miss_w[1] * t_new - noise_new) ** 2 - 0.5 * noise_new ** 2) / noise_part
    z_scores.append((per_point.mean(axis=1) - exact_excess) / (per_point.std(axis=1, ddof=1) / np.sqrt(10_000)))
z_scores = np.concatenate(z_scores)
tail = {c: math.erfc(c / math.sqrt(2)) for c in (2, 3, 3.5)}      # P(|normal| > c)
print(f"over {len(z_scores)} other fresh samples: z mean {z_scores.mean():+.3f}, sd {z_scores.std(ddof=1):.3f}")
print(f"beyond 2: {np.mean(np.abs(z_scores) > 2):.1%} (normal: {tail[2]:.1%}); "
      f"beyond 3: {np.sum(np.abs(z_scores) > 3)} (normal: {len(z_scores) * tail[3]:.1f} expected); "
      f"beyond 3.5: {np.sum(np.abs(z_scores) > 3.5)} (normal: {len(z_scores) * tail[3.5]:.1f} expected)")
assert 0.9 < z_scores.std(ddof=1) < 1.1                      # the standard error is calibrated
assert abs(z_scores.mean()) < 0.15                           # and the estimate is unbiased
assert 0.03 < np.mean(np.abs(z_scores) > 2) < 0.065          # about 4.6% beyond 2 SE
assert np.sum(np.abs(z_scores) > 3) <= 15 and np.sum(np.abs(z_scores) > 3.5) <= 6   # tails no heavier than a normal's

# %% [markdown]
# The SE is calibrated (spread and tails as for a normal): the chapter's fresh sample
# is simply an unlucky one. On average
# over training samples, what is the excess $\tfrac12\|w^\star - w_{\text{true}}\|^2$?
# Over noise draws, $w^\star - w_{\text{true}} = (X^\top X)^{-1}X^\top\varepsilon$
# has covariance $\sigma^2 (X^\top X)^{-1}$ (appendix D), so the expected
# $\|w^\star - w_{\text{true}}\|^2$ is $\sigma^2$ times the trace of $(X^\top X)^{-1}$,
# which for $X = [1, t]$ is $\frac1n + (1 + \bar t^2)/S$ with $S = \sum_i (t_i - \bar t)^2$.
# For standard normal $t_i$, $\bar t$ has variance $1/n$; $S$ is a $\chi^2$ with
# $n - 1$ degrees of freedom, so $\mathbb E[1/S] = 1/(n - 3)$; and $\bar t$ and $S$
# are independent (a property of Gaussian samples, Cochran's theorem), so
# $\mathbb E[(1 + \bar t^2)/S] = (1 + 1/n)/(n - 3)$. On average over training samples
# the held-out loss of $w^\star$ is therefore
#
# $$\frac{\sigma^2}{2}\Big(1 + \frac1n + \frac{1 + 1/n}{n - 3}\Big)
#   = \frac{\sigma^2}{2} \times 1.042 \quad (n = 50),$$
#
# 4.2% above the noise. Section 3's sample, at 1.66%, is luckier than the average (the
# excess is skewed: most samples fall below the mean, a few far above). Checked on
# 1,000 other training samples of fifty points, then drawn as a histogram:

# %%
n_fit = 50
excess_ratios = []
for seed in range(1000, 2000):                     # 1,000 other training samples of 50 points
    sample = data.linear(n=n_fit, seed=seed)
    w_sample = np.linalg.lstsq(sample.X, sample.y, rcond=None)[0]
    excess_ratios.append(np.sum((w_sample - sample.w_true) ** 2) / 0.5 ** 2)   # (1/2)|d|^2 / (sigma^2/2)
expected = 1 / n_fit + (1 + 1 / n_fit) / (n_fit - 3)
print(f"on average over 1,000 samples: {np.mean(excess_ratios):.2%} above the noise; the formula: {expected:.2%}")
print(f"median {np.median(excess_ratios):.2%}; {np.mean(np.array(excess_ratios) < expected):.0%} of the samples "
      f"below the average")
assert np.median(excess_ratios) < 0.8 * expected and np.mean(np.array(excess_ratios) < expected) > 0.55   # skewed
assert abs(expected - 0.0417) < 5e-4
assert abs(np.mean(excess_ratios) / expected - 1) < 0.1

# %% jupyter={"source_hidden": true}
# Plotting code: the 1,000 excess ratios, with their mean, their median and the formula.
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.hist(100 * np.array(excess_ratios), bins=60, color=COLORS["sky_blue"], edgecolor="white",
        label="1,000 training samples of 50 points")
ax.axvline(100 * expected, color="black", linestyle="--", linewidth=1.5,
           label=f"the formula: {expected:.2%}")
ax.axvline(100 * np.mean(excess_ratios), color=COLORS["vermillion"], linestyle="-", linewidth=1.5,
           label=f"the mean of the samples: {np.mean(excess_ratios):.2%}")
ax.axvline(100 * np.median(excess_ratios), color=COLORS["bluish_green"], linestyle=":", linewidth=2,
           label=f"the median: {np.median(excess_ratios):.2%}")
ax.axvline(100 * exact_excess, color=COLORS["orange"], linestyle="-.", linewidth=1.5,
           label=f"section 3's sample: {exact_excess:.2%}")
ax.set(xlabel="held-out loss of $w^\\star$ above the noise, % of $\\sigma^2/2$", ylabel="number of samples",
       title="The excess is skewed: most samples below the mean, a few far above")
ax.legend(fontsize=8, loc="upper right")
close = ax.inset_axes([0.5, 0.12, 0.45, 0.28])        # the formula and the mean are 0.16 points apart: zoomed in
close.axvline(100 * expected, color="black", linestyle="--", linewidth=1.5)
close.axvline(100 * np.mean(excess_ratios), color=COLORS["vermillion"], linestyle="-", linewidth=1.5)
close.text(100 * expected + 0.02, 0.5, "formula", fontsize=7, va="center", ha="left")
close.text(100 * np.mean(excess_ratios) - 0.02, 0.5, "mean", fontsize=7, va="center", ha="right",
           color=COLORS["vermillion"])
close.set_xlim(100 * expected - 0.5, 100 * expected + 0.5)
close.set_yticks([])
close.tick_params(labelsize=7, pad=1)
close.set_title("zoom: formula and mean (%)", fontsize=7.5, pad=2);
