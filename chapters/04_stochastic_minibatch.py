# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 04 — Stochastic and mini-batch gradient descent
#
# In chapter 03 gradient descent fitted a linear regression by reading *every* example
# at *every* step: the gradient of the mean squared error is an average over the whole
# data set. With a thousand examples that is cheap; with a billion it is not, and it is
# wasteful too, because a few hundred examples already say roughly which way is
# downhill. **Stochastic gradient descent** (SGD) takes a step after looking at a small
# random **mini-batch** of examples. Its steps are noisy, but they are many and cheap.
# Mini-batch SGD and its descendants (chapters 05–06) are the standard way neural
# networks are trained. This chapter measures that noise, shows what it costs and what
# it buys, and how to tame it with a learning rate that decays over time. You need
# chapter 02 (the update rule, the learning rate, the $2/\lambda_{\max}$ limit) and the mean squared
# error of chapter 03. Every number quoted in the text is computed and asserted by the
# notebook; the longer checks and the detours are in the
# [details notebook](04_stochastic_minibatch_details.ipynb).
#
# ## What you will learn
#
# - why a mini-batch gradient is an **unbiased but noisy** estimate of the full
#   gradient, with a variance that falls like $1/b$ in the batch size $b$;
# - the SGD loop (**epochs**, **shuffling**, mini-batches), also for logistic regression;
# - the **batch-size trade-off**: noise against the number of steps, for equal work;
# - the **noise ball**: with a constant learning rate SGD stalls at an excess loss
#   $L - L^\star \approx \eta\,\operatorname{tr}\Sigma^\star/(4b)$ (batches drawn independently,
#   small $\eta$), derived and measured; and ways below it: reshuffled epochs,
#   averaged iterates, a decaying rate;
# - **learning-rate schedules** (step, exponential, $1/t$, cosine, warm-up) compared
#   on one problem, and the Robbins–Monro conditions;
# - and you get a **batch-size explorer** to play with.

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

import math
import time

import matplotlib.pyplot as plt
import numpy as np

from gdlearn import data, models, plotting, schedules, style
from gdlearn.optim import apply_updates, sgd

COLORS = style.PALETTE

# %% [markdown]
# ## 1. The loss is an average, and so is its gradient
#
# Our data set: $n = 1000$ points $(t_i, y_i)$ scattered around a line, and a
# model $\hat y_i = w_1 + w_2 t_i$ with two weights. Writing each example as the
# row $x_i = (1, t_i)$, the mean squared error of chapter 03 and its gradient are
#
# $$L(w) = \frac{1}{n}\sum_{i=1}^n \underbrace{\tfrac12 (x_i^\top w - y_i)^2}_{\ell_i(w)},
# \qquad
# \nabla L(w) = \frac{1}{n}\sum_{i=1}^n \underbrace{x_i\,(x_i^\top w - y_i)}_{\nabla \ell_i(w)} .$$
#
# The loss is an average of one term per example, so its gradient is the average
# of the per-example gradients $\nabla\ell_i$. Each of them is cheap; the full
# gradient costs $n$ of them.

# %%
regression = data.linear(n=1000, seed=0)
X, y = regression.X, regression.y
n = len(y)
w_star = np.linalg.lstsq(X, y, rcond=None)[0]          # the exact minimizer (chapter 03)
L_star = models.mse_loss(w_star, X, y)
H = X.T @ X / n                                        # the Hessian of L (chapter 03)
w0 = np.array([-2.0, -1.0])                            # where we start, far from w*

per_example = X * (X @ w0 - y)[:, None]                # row i: the gradient of the i-th term at w0
full = models.mse_grad(w0, X, y)
print("X has shape", X.shape, " w* =", w_star.round(3), " full gradient at w0:", full.round(3))
assert np.allclose(per_example.mean(axis=0), full)     # the full gradient is their mean
uphill = np.mean(per_example @ full < 0)               # share of single examples that disagree in direction
print(f"{uphill:.0%} of the single-example gradients point more than 90° away from the full gradient")
assert 0.01 < uphill < 0.1                              # "a few per cent"

# %% [markdown]
# A picture of those 1000 gradients, each a point in the plane of
# $(\partial/\partial w_1, \partial/\partial w_2)$, with their average, the full
# gradient:

# %%
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(per_example[:, 0], per_example[:, 1], s=6, alpha=0.35, color=COLORS["orange"],
           label=r"$\nabla \ell_i(w_0)$, one per example")
ax.plot(*full, "o", markersize=10, color=style.color_for("gd"), markeredgecolor="black",
        label=r"their mean: $\nabla L(w_0)$")
ax.axhline(0, color="grey", lw=0.6)
ax.axvline(0, color="grey", lw=0.6)
ax.set(xlabel=r"$\partial \ell_i / \partial w_1$", ylabel=r"$\partial \ell_i / \partial w_2$",
       title="Per-example gradients at $w_0$ and the full gradient")
ax.legend(fontsize=8, loc="lower center");                 # the empty middle, below the arch

# %% [markdown]
# The per-example gradients are spread far and wide: some are many times longer
# than the full gradient, and a few per cent of them even point more than 90° away
# from it, so that a small step along one of those alone would go *uphill*. (They lie
# near a parabola because $\nabla\ell_i(w_0) = r_i\,(1, t_i)$ with a residual $r_i$
# close to linear in $t_i$.) Yet their *average* is exactly the full gradient. That is
# the whole idea of SGD: average a few of them, and you get a rough but honest guess
# of the direction.
#
# ## 2. A mini-batch gradient: unbiased, with a variance that falls like $1/b$
#
# Draw a **mini-batch** $B$ of $b$ distinct examples at random, and average
# their gradients:
#
# $$g_B(w) = \frac{1}{b}\sum_{i \in B} \nabla\ell_i(w).$$
#
# Every example is equally likely to be in the batch, so on average over the
# draws $g_B$ *is* the full gradient: $\mathbb{E}[g_B] = \nabla L$, an
# **unbiased** estimate. How far a single draw lands from it is measured by the
# variance, $\mathbb{E}\|g_B - \nabla L\|^2$. For $b$ examples drawn
# *independently* the variance of an average is the variance of one example
# divided by $b$. Our batches are drawn *without replacement* (no example twice),
# which shrinks it by a further factor, the finite-population correction:
#
# $$\mathbb{E}\,\|g_B - \nabla L\|^2 = \frac{\sigma^2}{b}\cdot\frac{n-b}{n-1},
# \qquad \sigma^2 = \frac1n \sum_{i=1}^n \|\nabla\ell_i - \nabla L\|^2 .$$
#
# For $b \ll n$ the correction is close to 1 and the variance is $\sigma^2/b$; at
# $b = n$ it is 0, since the batch is the whole data set. Let us measure both
# claims: 2,000 random batches for each batch size.

# %%
sigma2 = np.mean(np.sum((per_example - full) ** 2, axis=1))
batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000])
draws = 2000
rng = np.random.default_rng(1)
clouds, measured_var, theory_var, var_se = {}, [], [], []
for b in batch_sizes:
    batches = [rng.choice(n, size=b, replace=False) for _ in range(draws)]      # b distinct examples each
    gs = np.array([models.mse_grad(w0, X[batch], y[batch]) for batch in batches])  # g_B: their mean gradient
    clouds[b] = gs
    theory = sigma2 / b * (n - b) / (n - 1)
    # unbiased: the average of the draws is within 4 standard errors of the full gradient
    standard_error = np.sqrt(gs.var(axis=0) / draws)
    assert np.all(np.abs(gs.mean(axis=0) - full) <= 4 * standard_error + 1e-12)
    squared = np.sum((gs - full) ** 2, axis=1)
    measured_var.append(squared.mean())
    var_se.append(squared.std(ddof=1) / np.sqrt(draws))                          # its Monte-Carlo standard error
    theory_var.append(theory)
measured_var, theory_var, var_se = np.array(measured_var), np.array(theory_var), np.array(var_se)

for b, m, t, se in zip(batch_sizes, measured_var, theory_var, var_se):
    print(f"b = {b:4d}: measured variance {m:10.4f} (standard error {f'{100 * se / m:3.1f}%' if m > 1e-20 else '-'})"
          f"   theory {t:10.4f}   ratio {m / t if t else float('nan'):.3f}")
small = batch_sizes <= 64
slope = np.polyfit(np.log(batch_sizes[small]), np.log(measured_var[small]), 1)[0]
print(f"log-log slope for b <= 64: {slope:.3f} (1/b would be -1)")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
rel_se, z = var_se[:-1] / measured_var[:-1], (measured_var[:-1] - theory_var[:-1]) / var_se[:-1]
assert 0.02 < rel_se.min() and rel_se.max() < 0.07                 # standard errors of 3 to 6%
assert 2.0 < np.abs(z).max() < 2.2                                  # the largest deviation: 2.1 standard errors
assert measured_var[-1] < 1e-20                                     # b = n: no noise at all
assert -1.05 < slope < -0.95                                        # variance ~ 1/b
std_64_256 = np.sqrt(theory_var[batch_sizes == 64][0] / theory_var[batch_sizes == 256][0])
assert 2.0 < std_64_256 < 2.5                                       # 64 -> 256: a little more than halved

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_zoom, ax_var) = plt.subplots(1, 3, figsize=(14, 4.4), gridspec_kw=dict(width_ratios=[1, 1, 1.3]))
cloud_styles = [(1, COLORS["orange"], "o"), (16, COLORS["bluish_green"], "s"), (256, COLORS["reddish_purple"], "^")]
for panel, shown in [(ax, (1, 16, 256)), (ax_zoom, (16, 256))]:
    for b, color, marker in cloud_styles:
        if b in shown:
            gs = clouds[b][:400]
            panel.scatter(gs[:, 0], gs[:, 1], s=6 if b < 256 else 10, alpha=0.5 if b < 256 else 0.8, color=color,
                          marker=marker, label=f"$g_B$, b = {b}", zorder=3 if b == 256 else 2)
    panel.plot(*full, "+", markersize=9, markeredgewidth=1.2, color="black", zorder=5,
               label=r"$\nabla L(w_0)$ (the cross)")
    panel.set(xlabel=r"$\partial / \partial w_1$", ylabel=r"$\partial / \partial w_2$")
    legend = panel.legend(fontsize=8, loc="lower center" if panel is ax else "lower right")
    for handle in legend.legend_handles[:-1]:
        handle.set_sizes([20])
ax.set_title("400 mini-batch gradients at $w_0$")
ax_zoom.set_title("zoomed in: b = 16 and b = 256")
ax_zoom.set_aspect("equal", adjustable="datalim")              # true shapes of the clouds
ax_var.loglog(batch_sizes[:-1], measured_var[:-1], "o", color=COLORS["vermillion"],
              label="measured (2,000 batches each)")
grid = np.arange(1, n)
ax_var.loglog(grid, sigma2 / grid * (n - grid) / (n - 1), color="black", lw=1.2,
              label=r"$\sigma^2 (n-b) / (b\,(n-1))$")
ax_var.loglog(grid, sigma2 / grid, color="grey", lw=1, ls="--", label=r"$\sigma^2 / b$")
ax_var.set(xlabel="batch size $b$", ylabel=r"$\mathbb{E}\,\|g_B - \nabla L\|^2$",
           title="The variance of a mini-batch gradient")
ax_var.legend(fontsize=8);

# %% [markdown]
# The measured variances sit on the theory within their Monte-Carlo error: with 2,000
# draws each has a standard error of 3 to 6%, and on this sample the largest deviation
# from the formula is 2.1 standard errors. They lie on a line of slope $-1$ in the
# log-log plot: **to halve the noise (the standard deviation), take four times as many
# examples**. The price of a step grows like $b$, its noise shrinks only like
# $1/\sqrt{b}$. That square root is why small batches are so popular: the first examples
# buy the most. Going from 1 to 4 examples halves the standard deviation for 3 extra
# gradients; the next halving, from 4 to 16, costs 12, and from 64 to 256 it costs 192
# and, with the finite-population factor ($n = 1000$), does a little more than halve it.
# Near $b = n$ that factor pulls the variance down to zero, which $\sigma^2/b$ alone
# (dashed) misses.
#
# ## 3. The SGD loop: epochs, shuffling, mini-batches
#
# In practice we do not draw every batch independently. We **shuffle** the data set, cut
# it into consecutive batches of $b$, take one step per batch, and when every example
# has been used once (one **epoch**), shuffle again. That way each example counts
# equally often, and an epoch costs exactly $n$ example gradients, the same as *one*
# step of full-batch gradient descent. Here is the whole algorithm:

# %%
def minibatch_sgd(grad, w0, X, y, lr, batch_size, epochs, seed=0):
    """Mini-batch SGD: `epochs` shuffled passes, one step per batch. Returns every iterate."""
    n = len(y)
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w]
    for epoch in range(epochs):
        order = rng.permutation(n)                      # a fresh shuffle every epoch
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]     # the last batch may be smaller
            w = w - lr * grad(w, X[batch], y[batch])
            path.append(w)
    return np.array(path)

path_b10 = minibatch_sgd(models.mse_grad, w0, X, y, lr=0.1, batch_size=10, epochs=3)
print(f"{len(path_b10) - 1} steps in 3 epochs of batches of 10; "
      f"L - L* went from {models.mse_loss(w0, X, y) - L_star:.2f} to {models.mse_loss(path_b10[-1], X, y) - L_star:.2e}")
assert len(path_b10) - 1 == 3 * n // 10

# %% [markdown]
# ### From here on: `gdlearn.models.minibatches` and `gdlearn.optim.sgd`
#
# The course library splits this loop in two: `models.minibatches(n, batch_size,
# rng=rng)` yields the index arrays of one shuffled epoch, and the step is the optimizer
# `sgd(lr)` of chapter 02 (this is where its name comes from), which also accepts a
# *schedule* for the learning rate (section 8). `train` below keeps every iterate and
# counts the example gradients, the honest measure of work. Same seed, same path:

# %%
def train(grad, w0, X, y, opt, batch_size, epochs, seed=0, shuffle=True):
    """Mini-batch training with the optimizer `opt`.

    Returns the iterates (one per step, w0 first) and, for each, the number of
    example gradients computed so far.
    """
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    state = opt.init(w)
    path, seen = [w], [0]
    for epoch in range(epochs):
        for batch in models.minibatches(len(y), batch_size, rng=rng, shuffle=shuffle):
            updates, state = opt.update(grad(w, X[batch], y[batch]), state, w)
            w = apply_updates(w, updates)
            path.append(w)
            seen.append(seen[-1] + len(batch))
    return np.array(path), np.array(seen)

path, seen = train(models.mse_grad, w0, X, y, sgd(lr=0.1), batch_size=10, epochs=3)
assert np.allclose(path, path_b10, rtol=0, atol=1e-14)       # our loop, step for step
assert seen[-1] == 3 * n                                     # 3 epochs = 3n example gradients

# %% [markdown]
# What does the noise look like on the loss surface? Three epochs each for
# full-batch gradient descent (3 steps), batches of 10 (300 steps) and single
# examples (3,000 steps), same learning rate:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
def loss_on_grid(W1, W2):
    """L(w) on a meshgrid of the two weights (L is a quadratic: expand it once)."""
    c = X.T @ y / n
    return (0.5 * (H[0, 0] * W1**2 + 2 * H[0, 1] * W1 * W2 + H[1, 1] * W2**2)
            - c[0] * W1 - c[1] * W2 + 0.5 * np.mean(y**2))

def draw_contours(ax, center=w_star, radius=3.5, title=""):
    W1, W2 = np.meshgrid(np.linspace(center[0] - radius, center[0] + radius, 200),
                         np.linspace(center[1] - radius, center[1] + radius, 200))
    Z = loss_on_grid(W1, W2)
    levels = L_star + (Z.max() - L_star) * np.linspace(0, 1, 21)[1:] ** 2
    ax.contourf(W1, W2, Z, levels=np.r_[Z.min() - 1, levels, Z.max() + 1], cmap="Greys_r", alpha=0.35)
    ax.contour(W1, W2, Z, levels=levels, colors="#4d4d4d", linewidths=0.6, alpha=0.7)
    ax.plot(*w_star, **{**style.MINIMUM_STYLE, "zorder": 10}, label="$w^*$")   # above any cloud
    ax.set(xlabel="$w_1$ (intercept)", ylabel="$w_2$ (slope)", title=title, aspect="equal")

BATCH_COLORS = {1: COLORS["orange"], 10: COLORS["bluish_green"], 100: COLORS["reddish_purple"],
                n: style.color_for("gd")}
runs3 = {b: train(models.mse_grad, w0, X, y, sgd(lr=0.1), b, epochs=3)[0] for b in (1, 10, n)}  # full batch on top
fig, ax = plt.subplots(figsize=(6.2, 5.2))
draw_contours(ax, title="Three epochs at $\\eta$ = 0.1")
for b, p in runs3.items():
    name = "full batch" if b == n else f"b = {b}"
    art = plotting.plot_path(p, ax=ax, color=BATCH_COLORS[b], markers=b == n, linewidth=1.0 if b == 1 else 1.6,
                             label=f"{name}: {len(p) - 1} steps", legend=False)
    art.end.set(zorder=11, markersize=9 if b == 1 else 6)    # every end above w* (and b = 1's above b = 10)
    if b == n:
        art.line.set(zorder=8)                             # its first step, above the b = 10 path
handles, labels = ax.get_legend_handles_labels()
handles += [plt.Line2D([], [], **{**style.START_STYLE, "markeredgecolor": "grey"}),
            plt.Line2D([], [], **{**style.END_STYLE, "markerfacecolor": "grey"})]
labels += ["start $w_0$ (all runs)", "end of a run (its colour)"]
ax.legend(handles, labels, fontsize=8, loc="lower right");

# %% [markdown]
# Full-batch gradient descent walks straight downhill, but after three epochs it has
# taken only three steps. With batches of 10, the path wobbles around the straight line
# and arrives; with single examples it arrives too (section 4 compares the speeds) and
# then **jitters around the minimum without settling**. That jitter is the subject of
# section 6. First, the trade-off.
#
# ## 4. The batch-size trade-off: noise against the number of steps
#
# A first comparison gives every batch size the same **budget of work**: 20
# epochs, that is $20n = 20{,}000$ example gradients each, and the same, **shared**
# learning rate $\eta = 0.1$ (well below the full batch's stability limit
# $2/\lambda_{\max} = 1.94$). A shared rate is one choice among several: the end of
# this section lets the rate grow with $b$. Single steps are too noisy to read, so
# we plot the loss averaged over each tenth of an epoch.

# %%
budget_epochs = 20
trade = {}
for b in (1, 10, 100, n):
    p, seen = train(models.mse_grad, w0, X, y, sgd(lr=0.1), b, epochs=budget_epochs)
    gaps = np.array([models.mse_loss(w, X, y) for w in p]) - L_star
    if b < n:
        per_tenth = n // (10 * b)                      # steps per tenth of an epoch: 100, 10 or 1
        level = np.r_[gaps[0], gaps[1:].reshape(-1, per_tenth).mean(axis=1)]
        work = np.arange(len(level)) / 10              # epochs: 0, 0.1, 0.2, ...
    else:
        level, work = gaps, seen / n                   # the full batch: one step per epoch
    trade[b] = dict(work=work, level=level, steps=len(p) - 1, seen=seen[-1])
    print(f"b = {b:4d}: {len(p) - 1:6d} steps; L - L* after epoch 1: {level[work == 1][0]:.1e},"
          f" after epoch {budget_epochs}: {level[-1]:.1e}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
for b, r in trade.items():
    name = "full batch" if b == n else f"b = {b}"
    ls, marker = {1: ("-", "o"), 10: ("--", "s"), 100: ("-.", "^")}.get(b, (":", "D"))
    ax.semilogy(r["work"], r["level"], color=BATCH_COLORS[b], lw=1.4, label=name, linestyle=ls,
                marker=marker, markersize=3.5)
ax.set(xlabel="epochs (example gradients / n)",
       ylabel="$L(w) - L^*$ (mean over each 0.1 epoch;\none step for b = 100 and the full batch)",
       title="Same work, different batch sizes, at a shared $\\eta$ = 0.1")
ax.legend(fontsize=8, loc="upper right", ncols=2);

# %% [markdown]
# Read the figure along a vertical line, at a fixed amount of work (all at
# $\eta = 0.1$):
#
# - **Early on, small batches win by far.** During the first epoch, single
#   examples and batches of 10 get more than a hundred times closer to the
#   minimum (in $L - L^\star$) than full-batch gradient descent, which has taken
#   one step, and closer than batches of 100.
# - **Late, the noise bites.** With $b = 1$ the loss stops falling after the first
#   epoch and hovers at a floor set by the noise. Batches of 10 hover from the
#   second epoch on at a floor more than ten times lower, and batches of 100 reach
#   a floor lower again, after about six epochs (60 steps) in this run. The floors are
#   flat: at this shared rate the larger batch wins by a lower floor, not by still
#   descending. Full-batch descent, 20 steps of $\eta = 0.1$ in all, is still on its
#   way.
#
# Why the floors, and how high they are, is the subject of section 6.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert all(r["seen"] == budget_epochs * n for r in trade.values())                # the same work for every b
assert all(trade[b]["steps"] == budget_epochs * math.ceil(n / b) for b in trade)   # steps = epochs x batches
after_one = {b: r["level"][r["work"] == 1][0] for b, r in trade.items()}
final = {b: r["level"][-1] for b, r in trade.items()}
assert max(after_one[1], after_one[10]) < after_one[n] / 100                       # small batches: fast start
assert max(after_one[1], after_one[10]) < after_one[100]
assert min(final, key=final.get) == 100                                            # b = 100 ends lowest
assert final[1] > 10 * final[100] and final[n] > 10 * final[100]                  # noise floor / too few steps
epoch_mean = {b: trade[b]["level"][1:].reshape(budget_epochs, 10).mean(axis=1) for b in (1, 10, 100)}
for b, settled in [(1, 1), (10, 1), (100, 7)]:      # from epoch settled + 1 on: a floor, no more descent
    early, late = epoch_mean[b][settled:13].mean(), epoch_mean[b][13:].mean()
    assert 0.3 < late / early < 3, b
assert trade[100]["level"][50] > 3 * epoch_mean[100][13:].mean() > trade[100]["level"][60]   # b = 100: ~6 epochs
assert epoch_mean[1][13:].mean() > 5 * epoch_mean[10][13:].mean() > 25 * epoch_mean[100][13:].mean()
assert 1.9 < 2 / np.linalg.eigvalsh(H)[1] < 2
assert all(epoch_mean[a][13:].mean() > 10 * epoch_mean[b][13:].mean() for a, b in [(1, 10), (10, 100)])   # section 7

# %% [markdown]
# **The clock.** Counting example gradients is fair to the method, not to the machine:
# a step also has a fixed cost (Python, function calls, memory traffic), so 20,000 steps
# of one example can take far longer than 200 steps of a hundred; on parallel hardware
# such as a GPU the examples of a batch are processed at the same time (d2l, *Minibatch
# Stochastic Gradient Descent*, "Vectorization and Caches"). Wall-clock depends on the
# machine; the [details notebook](04_stochastic_minibatch_details.ipynb), section A,
# times these runs on yours.
#
# **The rate should not be shared.** Holding $\eta$ fixed while $b$ changes also
# changes $\eta/b$, and for small rates $\eta/b$ is what sets the floor (derived in
# section 6). So let the rate grow with the batch, $\eta = b/1000$: $b = 1, 10, 100$ at
# $\eta = 0.001, 0.01, 0.1$, and the full batch at $\eta = 1$. Twenty runs of each
# (reshuffled epochs, as in `train`, computed side by side), the same 20 epochs:

# %%
def epoch_gaps(lr, b, runs=20, epochs=budget_epochs, seed=0):
    """Mean L - L* over each epoch (rows) of `runs` reshuffled mini-batch SGD runs (columns), run side by side."""
    rng = np.random.default_rng(seed)
    W, out = np.tile(w0, (runs, 1)), np.empty((epochs, runs))
    for epoch in range(epochs):
        order, total = rng.permuted(np.tile(np.arange(n), (runs, 1)), axis=1), 0
        for start in range(0, n, b):
            Xb, yb = X[order[:, start:start + b]], y[order[:, start:start + b]]   # (runs, b, 2), (runs, b)
            W = W - lr * np.mean(Xb * (np.einsum("rbj,rj->rb", Xb, W) - yb)[..., None], axis=1)
            E = W - w_star
            total = total + 0.5 * np.einsum("rj,jk,rk->r", E, H, E)              # L - L*, exact for a quadratic
        out[epoch] = total / (n // b)
    return out

scaled = {b: epoch_gaps(b / 1000, b).mean(axis=1) for b in (1, 10, 100, n)}   # mean over the 20 runs
for b, v in scaled.items():
    print(f"b = {b:4d}, lr = {b / 1000:5.3f}: mean L - L* in epoch 1 {v[0]:.2e}, over epochs 14-20 {v[13:].mean():.2e}")
exact_from = 1 + np.argmax(scaled[n] < 1e-12)         # first epoch at which the full batch is at L* to ~1e-12

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7, 4.4), layout="constrained")
epochs_axis = np.arange(1, budget_epochs + 1)
for b, (ls, marker, size, fill) in {1: ("-", "o", 10, "none"), 10: ("--", "s", 7, "none"),
                                    100: ("-.", "^", 4, "full"), n: (":", "D", 4, "full")}.items():
    name = "full batch" if b == n else f"b = {b}"
    ax.semilogy(epochs_axis, scaled[b], color=BATCH_COLORS[b], linestyle=ls, marker=marker, markersize=size,
                fillstyle=fill, markeredgewidth=1.3, label=f"{name}, $\\eta$ = {b / 1000:g}")
ax.set(ylim=(1e-6, 10), xticks=[1, 5, 10, 15, 20], xlabel="epoch (example gradients / n)",
       ylabel="mean $L - L^*$ over the epoch\n(20 runs)",
       title="The rate grown with the batch, $\\eta = b/1000$: b = 1, 10 and 100 share one curve\n"
             f"(the full batch leaves the axis: below $10^{{-12}}$ from epoch {exact_from})")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# The curves of $b = 1$, 10 and 100 lie on top of each other, within 40% (hollow
# markers: all three are there): per example seen, the batch size no longer
# matters, and the larger batch gets there in fewer, bigger steps, which the clock
# rewards. That is the **linear scaling rule**: when the batch is multiplied by $k$,
# multiply the rate by $k$ (Goyal et al., 2017, section 2.1). The full batch, on the
# same line, does far better here: it has no noise at all (the factor
# $(n - b)/(n - 1)$ of section 2 is 0), and with $\eta\lambda \approx 1$ on this
# well-conditioned problem ($\kappa = 1.11$) each step multiplies $L - L^\star$ by at
# most $\max_\lambda (1 - \eta\lambda)^2 \approx 0.006$.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for b in (1, 10):                                     # b = 1, 10, 100: the same curve per example
    assert 0.8 < scaled[b][0] / scaled[100][0] < 1.4 and 0.7 < scaled[b][13:].mean() / scaled[100][13:].mean() < 1.4
assert np.all(scaled[n][exact_from - 1:] < 1e-12) and exact_from <= 10
contraction = np.abs(1 - np.linalg.eigvalsh(H)).max()  # max |1 - lr lambda| at lr = 1: the error's factor per step
assert 1.1 < np.linalg.cond(H) < 1.12 and 0.005 < contraction**2 < 0.0065

# %% [markdown]
# The rule stops where the rate cannot grow any more. For the full batch that is
# chapter 02's limit $\eta\lambda_{\max} < 2$. For batches drawn independently, of any
# size, $\mathbb{E}[g_B] = \nabla L = He$ (with $e = w - w^\star$), so the mean error
# follows the full-batch step, $\mathbb{E}[e_{k+1}] = (I - \eta H)\,\mathbb{E}[e_k]$,
# and diverges beyond the same limit (the spread around it can diverge at smaller
# rates still: the [details notebook](04_stochastic_minibatch_details.ipynb),
# section F). Once $\eta$ sits at that cap, a larger batch only means fewer steps of
# the same size, and **the number of steps becomes the binding constraint** (here the
# line $\eta = b/1000$ ends at the full batch, at $\eta = 1 < 1.94$, before the cap).
# Hence a rule of thumb (not measured here): **use the largest batch that keeps the
# hardware busy and still gives enough steps**, and scale the rate with it while it
# stays well below its stability limit. McCandlish, Kaplan & Amodei (2018, *An
# Empirical Model of Large-Batch Training*): well below a "critical batch size",
# predicted from the gradient noise, doubling the batch about halves the steps; well
# beyond it, it barely helps. (When single examples win over the full batch in theory: the
# [details notebook](04_stochastic_minibatch_details.ipynb), section A.)
#
# ## 5. Logistic regression by mini-batch SGD
#
# The same loop trains any model whose loss is an average over examples. A classifier:
# points in the plane, each labelled 0 or 1, and **logistic regression**, which predicts
# the probability of label 1 as $p_i = \sigma(x_i^\top w)$ with the sigmoid
# $\sigma(z) = 1/(1 + e^{-z})$, and minimizes the mean cross-entropy
#
# $$L(w) = -\frac1n \sum_{i=1}^n \Big(y_i \log p_i + (1 - y_i)\log(1 - p_i)\Big),
# \qquad \nabla L(w) = \frac1n \sum_{i=1}^n (p_i - y_i)\, x_i .$$
#
# The gradient has the same shape as for linear regression: a prediction error times the
# input. `models.logistic_loss` and `models.logistic_grad` compute them; we check the
# gradient against finite differences (chapter 01) before trusting it.

# %%
from gdlearn.calculus import numerical_gradient

classes = data.logistic(n=500, seed=0)
Xc, yc = classes.X, classes.y                   # Xc: a column of ones (the bias), then two features
m = len(yc)
v = np.array([0.3, -0.2, 0.5])
fd = numerical_gradient(lambda w: models.logistic_loss(w, Xc, yc), v)
print("X shape", Xc.shape, " share of label 1:", yc.mean(), " gradient vs finite differences:",
      np.abs(models.logistic_grad(v, Xc, yc) - fd).max())
assert np.allclose(models.logistic_grad(v, Xc, yc), fd, rtol=1e-6, atol=1e-8)

# %% [markdown]
# The best weights have no closed form here, so for reference we let
# full-batch gradient descent run for a long time (20,000 steps). Then mini-batch
# SGD, batches of 20, 30 epochs:

# %%
v_ref = np.zeros(3)
for _ in range(20_000):
    v_ref = v_ref - 2.0 * models.logistic_grad(v_ref, Xc, yc)
Lc_star = models.logistic_loss(v_ref, Xc, yc)
assert np.linalg.norm(models.logistic_grad(v_ref, Xc, yc)) < 1e-8     # converged

def accuracy(w, X, y):
    return np.mean((X @ w > 0) == (y == 1))

clf_epochs, per_epoch = 30, math.ceil(m / 20)             # 25 steps per epoch
clf_path, clf_seen = train(models.logistic_grad, np.zeros(3), Xc, yc, sgd(lr=0.5), 20, epochs=clf_epochs)
clf_gaps = np.array([models.logistic_loss(w, Xc, yc) for w in clf_path]) - Lc_star
print(f"after {clf_epochs} epochs ({len(clf_path) - 1} steps): loss {models.logistic_loss(clf_path[-1], Xc, yc):.4f}"
      f" (best {Lc_star:.4f}), accuracy {accuracy(clf_path[-1], Xc, yc):.1%} (best {accuracy(v_ref, Xc, yc):.1%})")
assert clf_gaps[-1] < 5e-3                                                      # within 0.005 of the best loss
assert abs(accuracy(clf_path[-1], Xc, yc) - accuracy(v_ref, Xc, yc)) <= 0.01   # and as accurate

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.6), width_ratios=[1.1, 1], layout="constrained")
for label, color, marker in [(0, COLORS["sky_blue"], "o"), (1, COLORS["orange"], "s")]:
    pts = Xc[yc == label]
    ax.scatter(pts[:, 1], pts[:, 2], s=12, color=color, marker=marker, alpha=0.7, label=f"label {label}")
t = np.linspace(Xc[:, 1].min(), Xc[:, 1].max(), 2)
for k, color, ls in [(1, COLORS["vermillion"], ":"), (5, COLORS["bluish_green"], "-."),
                     (per_epoch, COLORS["blue"], "-")]:
    w = clf_path[k]
    ax.plot(t, -(w[0] + w[1] * t) / w[2], color=color, linestyle=ls, lw=1.8,
            label=f"SGD, after {k} step{'s' if k > 1 else ''}" + (" (1 epoch)" if k == per_epoch else ""))
ax.plot(t, -(v_ref[0] + v_ref[1] * t) / v_ref[2], "k--", lw=1.0, label="best boundary")
ax.set(xlabel="feature 1", ylabel="feature 2", title="Logistic regression: where $p = 1/2$",
       ylim=(Xc[:, 2].min() - 0.3, Xc[:, 2].max() + 0.3))
ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)   # below the axes: no data hidden
ax_loss.semilogy(clf_seen / m, clf_gaps, color=style.color_for("sgd"), lw=1)
ax_loss.set(xlabel="epochs", ylabel="$L(w) - L^*$", title="Cross-entropy above the best, batches of 20");

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
after_epoch = {1: clf_path[per_epoch]}                                                 # 25 steps: one epoch
assert per_epoch == 25
assert abs(accuracy(after_epoch[1], Xc, yc) - 0.838) < 0.0015 and abs(accuracy(v_ref, Xc, yc) - 0.836) < 0.0015
assert models.logistic_loss(after_epoch[1], Xc, yc) - Lc_star < 0.01                   # within 0.01 of the best
late_gaps = clf_gaps[-10 * per_epoch:]                                                 # the last 10 epochs
assert 2e-4 < np.median(late_gaps) < 5e-3                                              # a floor near 1e-3

# %% [markdown]
# The boundary turns into place within the first few steps (after 1 and 5 steps,
# left); after one epoch (25 steps) it is already close to the best one (the
# lines almost coincide) and classifies as well (83.8% against 83.6%), with the
# cross-entropy within 0.01 of the best. The later epochs bring the loss to
# within about $10^{-3}$, and there it hovers (right panel): with a constant rate
# it cannot do better, the noise ball of section 6.
#
# **Shuffle the data.** Data often arrive sorted, all the negatives and then all the
# positives. Trained in that order and never shuffled, every epoch ends with a long
# run of one class, and the model ends each epoch biased towards it; the
# [details notebook](04_stochastic_minibatch_details.ipynb), section G, shows it on
# this data set. A fresh shuffle every epoch, as in `train`, removes this order effect.
#
# ## 6. The noise ball: a constant learning rate cannot settle
#
# Back to the regression. Near the minimum the full gradient is tiny, but a
# mini-batch gradient is not: at $w^\star$ the per-example gradients
# $\nabla\ell_i(w^\star) = x_i\,(x_i^\top w^\star - y_i)$ average to zero, yet each one
# is the input times a residual, and the noise in the data keeps the residuals
# away from zero. So with a constant learning rate SGD keeps taking steps in random
# directions, and settles into a cloud around the minimum, the **noise ball**,
# instead of converging. Smaller steps, smaller ball. Single examples ($b = 1$),
# five epochs (5,000 steps), three learning rates, three seeds each; the
# "plateau" is the average of $L - L^\star$ over the last two epochs:

# %%
noise_lrs = [0.1, 0.05, 0.025]
noise_epochs, seeds = 5, range(3)
plateau, noise_runs = {}, {}
for lr in noise_lrs:
    levels = []
    for seed in seeds:
        p, _ = train(models.mse_grad, w0, X, y, sgd(lr=lr), 1, noise_epochs, seed=seed)
        gaps = np.array([models.mse_loss(w, X, y) for w in p]) - L_star
        levels.append(gaps[-2 * n:].mean())
        noise_runs.setdefault(lr, (p, gaps))
    plateau[lr] = np.mean(levels)
    print(f"constant lr = {lr:<6}: plateau of L - L* = {plateau[lr]:.2e}")

# %% [markdown]
# A learning rate that *decays* takes big steps while far away and ever smaller
# ones as it approaches: the ball shrinks as it goes. The classic choice from
# stochastic approximation is $\eta_t = \eta_0/(1 + d\,t)$, which falls like
# $1/t$. From `gdlearn.schedules` (also importable from `gdlearn.optim`), with
# the same start $\eta_0 = 0.1$:

# %%
decaying = schedules.inverse_time_schedule(0.1, decay=0.01)
print("the decaying rate at steps 0, 100, 1000, 5000:", [round(decaying(t), 5) for t in (0, 100, 1000, 5000)])
decay_final = []
for seed in seeds:
    p, _ = train(models.mse_grad, w0, X, y, sgd(lr=decaying), 1, noise_epochs, seed=seed)
    gaps = np.array([models.mse_loss(w, X, y) for w in p]) - L_star
    decay_final.append(gaps[-2 * n:].mean())                  # scored like the constant rates: the last two epochs
    if seed == 0:
        decay_run = (p, gaps)
print(f"1/t decay: mean of L - L* over the last two epochs = {np.mean(decay_final):.2e} (mean over {len(seeds)} seeds)")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
ratios = [plateau[a] / plateau[b] for a, b in zip(noise_lrs, noise_lrs[1:])]
print("plateau ratios when the rate is halved:", np.round(ratios, 2))
assert all(1.6 < r < 2.5 for r in ratios)                     # halve the rate, halve the plateau
assert max(decay_final) < plateau[min(noise_lrs)] / 3         # the decaying rate gets lower than all of them
assert 1e-4 < np.mean(decay_final) < 2e-4 and 2.5e-3 < plateau[min(noise_lrs)] < 3.3e-3   # 1-2e-4 against 2.9e-3
assert all(decay_run[1][e * n - 99:e * n + 1].mean() < 0.8 * decay_run[1][e * n - n + 1:e * n + 1].mean() for e in range(2, 6))
reach = {}
for lr in noise_lrs:                                          # first step where the 100-step mean is within 2x of the plateau
    running = np.convolve(noise_runs[lr][1], np.ones(100) / 100, mode="valid")
    reach[lr] = int(np.argmax(running < 2 * plateau[lr])) + 100
print("steps to reach twice the plateau:", reach)
assert reach[0.1] < reach[0.05] < reach[0.025]                # the smallest rate takes the longest
close = (np.convolve(decay_run[1], np.ones(100), "valid") / np.convolve(noise_runs[0.1][1], np.ones(100), "valid"))[:51]
assert np.all((1 / 1.5 < close[:41]) & (close[:41] < 1.5)) and close[50] < 0.7   # figure, steps 100-140: within 1.5x
tail_decay = decay_run[0][-n:] - w_star                       # the last 1,000 iterates of 1/t, minus w*
lag_one = [np.corrcoef(tail_decay[:-1, j], tail_decay[1:, j])[0, 1] for j in (0, 1)]   # 0.99
assert min(lag_one) > 0.98 and 0.7 < tail_decay[:, 1].mean() / tail_decay[:, 1].std() < 2   # ~1 std above, in w2

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_zoom, ax_loss) = plt.subplots(1, 3, figsize=(16, 5.6), width_ratios=[1, 1, 1.25])
radius, zoom = 0.5, 0.05
draw_contours(ax, radius=radius, title="The last 1,000 iterates (dots) and their spread")
draw_contours(ax_zoom, radius=zoom, title="Zoomed in 10x: the last 1,000 iterates of $1/t$")
from matplotlib.patches import Ellipse
rate_styles = list(zip(noise_lrs, (COLORS["orange"], COLORS["bluish_green"], COLORS["reddish_purple"]), ("-", "--", ":")))
for lr, color, ls in rate_styles:
    p = noise_runs[lr][0][-n:]
    ax.scatter(p[:, 0], p[:, 1], s=5, alpha=0.3, color=color, zorder=3)
    spread_eig, axes_eig = np.linalg.eigh(np.cov(p.T))                # the cloud's principal axes
    shape = dict(xy=p.mean(axis=0), width=4 * np.sqrt(spread_eig[1]), height=4 * np.sqrt(spread_eig[0]),
                 angle=np.degrees(np.arctan2(axes_eig[1, 1], axes_eig[0, 1])), fill=False)
    ax.add_patch(Ellipse(**shape, zorder=9, lw=4.5, edgecolor="white"))    # a white halo under each ellipse
    ax.add_patch(Ellipse(**shape, zorder=10, lw=2.2, edgecolor=color, linestyle=ls,
                         label=f"constant $\\eta$ = {lr}: 2$\\sigma$ ellipse"))
p = decay_run[0][-n:]
for panel, r in [(ax, radius), (ax_zoom, zoom)]:
    panel.scatter(p[:, 0], p[:, 1], s=4, alpha=0.6, color="black", zorder=8, label="$\\eta_t = 0.1/(1 + 0.01t)$")
    panel.set(xlim=(w_star[0] - r, w_star[0] + r), ylim=(w_star[1] - r, w_star[1] + r))
    for line in panel.get_lines():                                     # w*: under the 1/t dots, above the others
        line.set(zorder=7)
legend = ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)   # below the axes
legend.legend_handles[-1].set_sizes([25])                              # the 1/t dot, larger
ax_zoom.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14))

smooth = np.ones(100) / 100                                            # running mean over 100 steps
for lr, color, ls in rate_styles:                                      # the styles of the ellipses
    ax_loss.loglog(np.arange(100, len(noise_runs[lr][1]) + 1), np.convolve(noise_runs[lr][1], smooth, "valid"),
                   color=color, ls=ls, label=f"constant $\\eta$ = {lr}")
ax_loss.loglog(np.arange(100, len(decay_run[1]) + 1), np.convolve(decay_run[1], smooth, "valid"), color="black",
               ls="-.", label="$1/t$ decay from 0.1")
for lr in noise_lrs:
    ax_loss.axhline(plateau[lr], color="grey", lw=1.0, ls=(0, (8, 4)), zorder=1,
                    label="plateau (mean of the last two epochs)" if lr == noise_lrs[0] else None)
ax_loss.set(xlabel="step", ylabel="$L(w) - L^*$ (running mean of 100 steps)",
            title="Constant rates stall, a decaying rate keeps going")
ax_loss.legend(fontsize=8, loc="lower left");              # no curve is there before step 300

# %% [markdown]
# Each halving of the constant rate about halves the plateau (grey dashed lines) and
# shrinks the ball (the ellipses, two standard deviations along each principal axis of a
# cloud; the middle panel zooms in on the $1/t$ cloud), but also slows the way down: the
# smallest rate takes the longest to reach its floor. The decaying rate gets the best of
# both, fast at first and precise at the end, and finishes below every constant rate:
# scored the same way (the mean over the last two epochs), $1$–$2\times10^{-4}$ against
# $2.9\times10^{-3}$ for $\eta = 0.025$. In this run its curve nearly hides the
# $\eta = 0.1$ curve up to step 140 (same start rate and seed, within a factor 1.5) and
# dips towards each epoch's end (the end of a reshuffled epoch is special, section 7).
# Its cloud (middle panel) sits about one standard deviation above $w^\star$ in $w_2$: at
# so small a rate consecutive iterates are correlated 0.99, so the last 1,000 are one
# slowly moving walk, not 1,000 independent draws around $w^\star$.
#
# ### How big is the noise ball?
#
# Write $e_k = w_k - w^\star$ for the error. $L$ is quadratic, so $\nabla L(w) = He$
# exactly, and a mini-batch gradient is $g = He + \xi$ with a noise $\xi$ of mean 0.
# Near the minimum the noise is close to its value at $w^\star$: the per-example
# gradients there average to 0 and have the covariance
# $\Sigma^\star = \frac1n\sum_i \nabla\ell_i(w^\star)\nabla\ell_i(w^\star)^\top$, so for a
# batch of $b$ examples drawn independently $\operatorname{Cov}\xi \approx \Sigma^\star/b$.
#
# In one dimension: curvature $\lambda$, noise variance $s^2$ per step,
# $e_{k+1} = (1 - \eta\lambda)\,e_k - \eta\,\xi_k$. The kick $\xi_k$ is independent of
# $e_k$, so once the spread has settled its variance $v$ satisfies
# $v = (1 - \eta\lambda)^2 v + \eta^2 s^2$, i.e. $v = \eta s^2/\big(\lambda(2 - \eta\lambda)\big)$,
# and the mean loss is $\tfrac12\lambda v = \eta s^2/\big(2(2 - \eta\lambda)\big) \approx \eta s^2/4$:
# proportional to $\eta$, and free of $\lambda$ when $\eta\lambda \ll 1$. The same
# bookkeeping with matrices ([details notebook](04_stochastic_minibatch_details.ipynb),
# section B) gives, for a small rate,
#
# $$\boxed{\;\mathbb{E}[L - L^\star] \approx \frac{\eta\,\operatorname{tr}\Sigma^\star}{4b}\;}$$
#
# In words: every step adds noise of variance $\eta^2\operatorname{tr}\Sigma^\star/b$, and
# the pull of the gradient removes a share of about $2\eta\lambda$ of the error's
# variance; the balance is proportional to $\eta$, not $\eta^2$, and the curvature
# cancels from the loss, to first order in $\eta\lambda$. (Our regression barely tests
# that: its two curvatures, 0.925 and 1.031, differ by 11%. Chapter 05, section 7,
# measures a floor at $\kappa = 100$.) This small-rate picture of SGD near a minimum
# is the Ornstein–Uhlenbeck approximation of Mandt, Hoffman & Blei (*Stochastic
# Gradient Descent as Approximate Bayesian Inference*, JMLR 2017). Note *which*
# noise: the $\sigma^2$ of section 2 was measured at $w_0$, far from the minimum,
# where the residuals are large.
#
# **The linear scaling rule, explained.** The floor depends on $\eta$ and $b$ only
# through $\eta/b$: double the batch and double the rate, and the noise ball stays the
# same size while each epoch takes half as many steps, as section 4 measured. Goyal et
# al. (2017, *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*, section
# 2.1 and Figure 1) report the rule failing early in training, when the network
# changes fast (their remedy: a warm-up), and for batches beyond about 8,000 examples.
# Our derivation has a limit of its own: the boxed formula assumes $\eta\lambda$ small.

# %%
at_minimum = X * (X @ w_star - y)[:, None]                    # the per-example gradients at w*
trace_sigma = np.mean(np.sum(at_minimum**2, axis=1))         # tr Sigma*: they average to 0
print(f"tr Sigma* = {trace_sigma:.3f} at the minimum; sigma^2 = {sigma2:.1f} at w0 ({sigma2 / trace_sigma:.0f} times more)")
assert np.allclose(at_minimum.mean(axis=0), 0, atol=1e-10)
assert 60 < sigma2 / trace_sigma < 75
assert np.allclose(np.linalg.eigvalsh(H), [0.925, 1.031], atol=1e-3)     # the two curvatures: 11% apart

def gap(ws):
    """L(w) - L* = (w - w*)^T H (w - w*) / 2, exact for the quadratic L; for one w or a stack of them."""
    e = np.asarray(ws) - w_star
    return 0.5 * np.sum((e @ H) * e, axis=-1)

assert np.allclose(gap(path_b10), [models.mse_loss(w, X, y) - L_star for w in path_b10], rtol=1e-8, atol=1e-12)

# %% [markdown]
# To measure the ball precisely we need many runs, and independent batches (the
# hypothesis of the derivation: each step draws $b$ examples with replacement,
# independently of the other steps). `parallel_sgd` runs 20 copies of SGD side by
# side, one row of an array each; the floor is the mean of $L - L^\star$ over steps
# 1,000 to 4,000 and the 20 runs. Three batch sizes, three rates:

# %%
def parallel_sgd(lr, batch_size, steps=4000, runs=20, seed=0, reshuffle=False):
    """`runs` SGD runs from w0 side by side (row r of W is run r); returns L - L*, shape (steps, runs).

    lr: a number or a schedule. Batches: drawn with replacement, independently at every step; or, with
    reshuffle=True, consecutive pieces of a fresh permutation every epoch, as in `train` (n % batch_size == 0).
    """
    rng = np.random.default_rng(seed)
    W = np.tile(w0, (runs, 1))
    gaps = np.empty((steps, runs))
    for k in range(steps):
        if reshuffle:
            start = k * batch_size % n
            if start == 0:
                order = rng.permuted(np.tile(np.arange(n), (runs, 1)), axis=1)
            idx = order[:, start:start + batch_size]
        else:
            idx = rng.integers(n, size=(runs, batch_size))
        rate = lr(k) if callable(lr) else lr                   # a number or a schedule
        W = W - rate * batch_gradients(W, idx)                 # the SGD step, for every run
        gaps[k] = gap(W)
    return gaps

def batch_gradients(W, idx):
    """Row r: the mean-squared-error gradient of weights W[r] on the batch of examples idx[r]."""
    Xb, yb = X[idx], y[idx]                                   # shapes (runs, b, 2) and (runs, b)
    residual = np.sum(Xb * W[:, None, :], axis=2) - yb         # (runs, b): x_i . w_r - y_i
    return np.mean(Xb * residual[:, :, None], axis=1)          # (runs, 2): the mean of residual_i * x_i

ball_bs, burn_in = (1, 10, 100), 1000
floors, predicted = {}, {}
for b in ball_bs:
    for lr in noise_lrs:
        floors[b, lr] = parallel_sgd(lr, b)[burn_in:].mean()
        predicted[b, lr] = lr * trace_sigma / (4 * b)
        print(f"b = {b:3d}, lr = {lr:<5}: floor {floors[b, lr]:.2e}, predicted {predicted[b, lr]:.2e}"
              f" (ratio {floors[b, lr] / predicted[b, lr]:.2f})")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for key in floors:
    assert 0.8 < floors[key] / predicted[key] < 1.25, key                       # eta tr(Sigma*)/(4b), within 25%
for lr in noise_lrs:
    assert 70 < floors[1, lr] / floors[100, lr] < 140                          # 100x the batch: about 1/100
for b in ball_bs:
    assert all(1.6 < floors[b, hi] / floors[b, lo] < 2.5 for hi, lo in zip(noise_lrs, noise_lrs[1:]))
assert sum(abs(floors[key] / predicted[key] - 1) < 0.1 for key in floors) >= 5                # most within 10%

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(6.8, 4.4))
lr_line = np.array([0.02, 0.12])
for b, color, marker in zip(ball_bs, (COLORS["orange"], COLORS["bluish_green"], COLORS["reddish_purple"]),
                            ("o", "s", "^")):
    ax.loglog(noise_lrs, [floors[b, lr] for lr in noise_lrs], marker, color=color, markersize=8,
              label=f"measured, b = {b}")
    ax.loglog(lr_line, lr_line * trace_sigma / (4 * b), color=color, linestyle="--", linewidth=1)
ax.plot([], [], color="grey", linestyle="--", label=r"$\eta\,\mathrm{tr}\,\Sigma^*/(4b)$")
ax.set(xlabel="learning rate $\\eta$", ylabel="floor: mean $L - L^*$ (20 runs, steps 1000-4000)",
       title="The noise ball against $\\eta$ and $b$ (independent batches)")
ax.legend(fontsize=8, loc="lower right");

# %% [markdown]
# Every measured floor sits within 25% of $\eta\operatorname{tr}\Sigma^\star/(4b)$, most
# within 10%: halve the rate, halve the floor; a hundred times the batch, a hundredth of
# the floor. The boxed formula makes two approximations: it is first order in
# $\eta\lambda$, and it takes the noise at $w^\star$, whereas away from $w^\star$ the
# noise grows with the error (the per-example curvatures $x_ix_i^\top$ differ from $H$).
# For independent batches both can be removed: the
# [details notebook](04_stochastic_minibatch_details.ipynb), section B, computes the
# floor exactly and finds each of the nine measured floors within 6% of it.
#
# **What a theorem guarantees.** For a smooth, strongly convex loss, independent batches
# and a small enough constant rate, Bottou, Curtis & Nocedal (2018, SIAM Review, Theorem
# 4.6) bound the expected gap by a term proportional to $\eta$ plus one that shrinks
# geometrically ([details notebook](04_stochastic_minibatch_details.ipynb), section B).
#
# ## 7. Below the noise ball: reshuffled epochs, averaged iterates
#
# A decaying rate is one way below the noise ball (section 8 compares schedules).
# Two others cost nothing extra.
#
# **Reshuffled epochs do better than independent batches.** Section 4's runs,
# and `train`, do not draw batches independently: they reshuffle every epoch, so
# that within an epoch every example is used exactly once, and the epoch's noise
# terms sum to zero at $w^\star$. How much that helps depends on how long the ball
# remembers. A rough argument, not a proof: in one dimension the error obeys
# $e_{k+1} = (1 - \eta\lambda)\,e_k - \eta\,\xi_k$, so a kick made $m$ steps ago still
# weighs $(1 - \eta\lambda)^m \approx e^{-m\eta\lambda}$ in the current error. If an
# epoch of $K$ steps has $K\eta\lambda$ small, all its kicks weigh about the same at its
# end, and their sum, zero at $w^\star$, cancels; if $K\eta\lambda$ is large, only the
# last $1/(\eta\lambda)$ or so kicks still count, a small part of the epoch, and they
# behave almost like independent draws. At $\eta = 0.1$ ($\lambda \approx 1$)
# $K\eta\lambda$ is about 100 for $b = 1$ (1,000 steps per epoch), 10 for $b = 10$ and 1
# for $b = 100$ (10 steps per epoch). Measured, same settings and seed (the ratio is
# the reshuffled floor over the independent one):

# %%
shuffled_floors = {b: parallel_sgd(0.1, b, reshuffle=True)[burn_in:].mean() for b in ball_bs}
for b in ball_bs:
    print(f"b = {b:3d}, K lr lambda ~ {n // b * 0.1:.0f}: reshuffled epochs {shuffled_floors[b]:.2e},"
          f" independent batches {floors[b, 0.1]:.2e} (ratio {shuffled_floors[b] / floors[b, 0.1]:.2f})")
independent_steps = [floors[1, 0.1] / floors[10, 0.1], floors[10, 0.1] / floors[100, 0.1]]
shuffled_steps = [shuffled_floors[1] / shuffled_floors[10], shuffled_floors[10] / shuffled_floors[100]]
print("floor ratios b = 1 : 10 and 10 : 100, independent:", np.round(independent_steps, 1),
      " reshuffled:", np.round(shuffled_steps, 1))

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 0.85 < shuffled_floors[1] / floors[1, 0.1] < 1.15                     # 1,000 steps per epoch: no difference
assert 0.65 < shuffled_floors[10] / floors[10, 0.1] < 0.95                   # 100 steps per epoch: a little lower
assert 0.2 < shuffled_floors[100] / floors[100, 0.1] < 0.4                   # 10 steps per epoch: far lower
assert 10 < independent_steps[0] < 12 and 9.5 < independent_steps[1] < 11.5
assert 12 < shuffled_steps[0] < 15 and 25 < shuffled_steps[1] < 37

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
ax.loglog(ball_bs, [0.1 * trace_sigma / (4 * b) for b in ball_bs], color="grey", ls=":", lw=1.4, zorder=4,
          label=r"$\eta\,\mathrm{tr}\,\Sigma^*/(4b)$, falls like $1/b$")
ax.loglog(ball_bs, [floors[b, 0.1] for b in ball_bs], "o-", color=COLORS["orange"], markersize=6,
          label="independent batches")
ax.loglog(ball_bs, [shuffled_floors[b] for b in ball_bs], "s--", color=COLORS["blue"], markersize=11,
          fillstyle="none", markeredgewidth=1.5, label="reshuffled epochs")      # hollow: the b = 1 points coincide
ax.set(xlabel="batch size $b$", ylabel="floor: mean $L - L^*$ (20 runs, steps 1000-4000)",
       xticks=ball_bs, xticklabels=[str(b) for b in ball_bs], title="The floor against $b$ at $\\eta$ = 0.1")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# The ratio falls from about 1 to about 0.8 to about 0.3 as $K\eta\lambda$ falls from
# 100 to 10 to 1, as the argument says (figure). That is also why the floors of
# section 4 differ by more than the factor 10 between the batch sizes: with
# reshuffled epochs the ratios are 13 (from $b = 1$ to 10) and 31 (from 10 to 100),
# against 11 and 10 for independent batches (the 11 rather than 10 is the noise
# that grows with the error, larger for $b = 1$:
# [details notebook](04_stochastic_minibatch_details.ipynb), section B). The advantage
# of reshuffling ("random reshuffling") over independent sampling is a result of its
# own (Gürbüzbalaban, Ozdaglar & Parrilo, *Why random reshuffling beats stochastic
# gradient descent*, Math. Programming 2021; Mishchenko, Khaled & Richtárik, NeurIPS 2020).
#
# **A second way below the ball: average the iterates.** The iterates in the ball
# scatter *around* $w^\star$, so their average is much closer to it than any one of
# them. This is iterate averaging (Ruppert, 1988; Polyak & Juditsky, 1992, who
# analyse it with slowly decaying rates); with a constant rate on least squares, as
# here, it is analysed by Bach & Moulines (2013, *Non-strongly-convex smooth
# stochastic approximation with convergence rate O(1/n)*, NeurIPS). First the
# single runs of section 6, averaged over their last two epochs:

# %%
for lr in noise_lrs:
    averaged = noise_runs[lr][0][-2 * n:].mean(axis=0)
    print(f"lr = {lr:<5}: plateau {plateau[lr]:.1e}; L - L* at the average of the last 2,000 iterates {gap(averaged):.1e}"
          f" ({plateau[lr] / gap(averaged):.0f} times lower, in this run)")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
tail = noise_runs[0.1][0][-2 * n:]                                   # the last 2,000 iterates of the lr = 0.1 run
running_average = np.cumsum(tail, axis=0) / np.arange(1, len(tail) + 1)[:, None]
fig, ax = plt.subplots(figsize=(6, 5.4), layout="constrained")
draw_contours(ax, radius=0.3, title="One run ($\\eta$ = 0.1, b = 1): the last 2,000 iterates\nand their running average")
ax.scatter(tail[:, 0], tail[:, 1], s=4, alpha=0.3, color=COLORS["orange"], zorder=3, label="iterates")
ax.plot(running_average[:, 0], running_average[:, 1], color=COLORS["blue"], lw=1.6, zorder=9,
        label="running average")
ax.plot(*running_average[-1], "D", color=COLORS["blue"], markeredgecolor="black", zorder=11,
        label="average of all 2,000")
ax.set(xlim=(w_star[0] - 0.3, w_star[0] + 0.3), ylim=(w_star[1] - 0.3, w_star[1] + 0.3))
ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2);

# %% [markdown]
# In these three runs $L - L^\star$ at the average is one to three thousand times below
# the plateau, at no extra gradient cost. Over 200 runs the mean of $L - L^\star$ at the
# average is about 800 times below the floor; single runs vary widely (median gain about
# 1,300, 5% and 95% quantiles a few hundred and about 20,000: the
# [details notebook](04_stochastic_minibatch_details.ipynb), section D). Why it works:
# $L$ is quadratic, so the gradient is linear in $w$, and if each batch is drawn
# independently of the past the mean error obeys
# $\mathbb{E}[e_{k+1}] = (I - \eta H)\,\mathbb{E}[e_k] \to 0$: the centre of the noise
# ball is exactly $w^\star$, and averaging only removes the spread. How much: in one
# dimension, summing $e_{k+1} = (1 - \eta\lambda)e_k - \eta\xi_k$ over $N$ steps gives
# an average error of about $-\frac{1}{\lambda N}\sum_k \xi_k$, of mean loss
# $s^2/(2\lambda N)$, against the floor $\eta s^2/4$: a factor $\eta\lambda N/2$, that
# is about 100 for $N = 2000$, $\eta = 0.1$, and a gap that falls like $1/N$. With
# reshuffled epochs, as in these runs, the kicks at $w^\star$ sum to exactly zero over
# each whole epoch, and so does their share of $-\frac{1}{\lambda N}\sum_k \xi_k$. The
# [details notebook](04_stochastic_minibatch_details.ipynb), section D, measures both
# sampling schemes over 200 runs, with the $1/N$ law, and says what changes on a loss
# that is not quadratic.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
single = [plateau[lr] / gap(noise_runs[lr][0][-2 * n:].mean(axis=0)) for lr in noise_lrs]
assert 1000 < min(single) and max(single) < 3500                                   # one to three thousand
assert abs(0.1 * np.mean(np.linalg.eigvalsh(H)) * 2000 / 2 - 100) < 5             # eta lambda N / 2: about 100

# %% [markdown]
# ## 8. Learning-rate schedules
#
# A **schedule** is a function from the step number $t = 0, 1, 2, \dots$ to the
# learning rate. `gdlearn.schedules` has the common ones, and every optimizer in
# `gdlearn.optim` accepts one in place of a number: `sgd(lr=schedule)`.
#
# | schedule | $\eta_t$ | idea |
# | --- | --- | --- |
# | constant | $\eta$ | simple; stalls in the noise ball |
# | step | $\eta\,\gamma^{\lfloor t/s \rfloor}$ | divide by $1/\gamma$ every $s$ steps; a *multi-step* variant divides at chosen milestones instead (e.g. by 10 at epochs 30, 60 and 80 for ResNet-50 on ImageNet in Goyal et al., 2017) |
# | exponential | $\eta\,\gamma^t$ | a smooth version of the step |
# | $1/t$ (inverse time) | $\eta/(1 + d\,t)$ | the classic of stochastic approximation (see below) |
# | cosine | $\tfrac{\eta}{2}\big(1 + \cos(\pi t/T)\big)$ | large for long, then gently to 0 at $T$ (Loshchilov & Hutter, 2017, SGDR) |
# | warm-up + cosine | linear from 0 to $\eta$ over $W$ steps, then cosine | avoids huge first steps when $\eta$ is large (after Goyal et al., 2017, section 2.2, whose warm-up starts at the small-batch rate, not 0, and is followed by step decay) |
#
# (Their PyTorch names are in the [details notebook](04_stochastic_minibatch_details.ipynb), section E.) All start from
# $\eta = 0.2$ here, for $T = 2000$ steps $t = 0, \dots, 1999$. The last step uses
# about $\eta/100$ for the exponential and $1/t$ schedules, $\eta/125$ for the step
# schedule (divided by 5 at $t = 500$, 1000 and 1500), and about $10^{-7}$ for cosine
# and warm-up + cosine (0 at $t = T$):

# %%
T, peak = 2000, 0.2
schedule_set = {
    "constant": schedules.constant_schedule(peak),
    "step": schedules.step_schedule(peak, step_size=500, gamma=0.2),
    "exponential": schedules.exponential_schedule(peak, gamma=0.01 ** (1 / T)),
    "1/t": schedules.inverse_time_schedule(peak, decay=99 / T),
    "cosine": schedules.cosine_schedule(peak, total_steps=T),
    "warm-up + cosine": schedules.warmup_cosine_schedule(peak, warmup_steps=100, total_steps=T),
}
SCHEDULE_COLORS = dict(zip(schedule_set, [COLORS[c] for c in (
    "black", "sky_blue", "bluish_green", "orange", "reddish_purple", "vermillion")]))
steps = np.arange(T)                                     # the steps taken: t = 0, ..., T - 1
last = {name: float(s(T - 1)) for name, s in schedule_set.items()}        # the rate of the last step taken
print("rates at the last step, t = 1999:", {name: f"{r:.2e}" for name, r in last.items()})

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert all(s(0) == (0.0 if name == "warm-up + cosine" else peak) for name, s in schedule_set.items())
assert schedule_set["warm-up + cosine"](100) == peak and schedule_set["cosine"](T) == schedule_set["warm-up + cosine"](T) == 0
assert np.isclose(last["step"], peak / 125) and schedule_set["step"](1500) == last["step"] < schedule_set["step"](1499)
assert all(abs(last[name] / (peak / 100) - 1) < 0.01 for name in ("exponential", "1/t"))
assert 5e-8 < last["cosine"] < 5e-7 and 5e-8 < last["warm-up + cosine"] < 5e-7

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
line_styles = {"constant": ("-", "x"), "step": ("--", "s"), "exponential": ("-.", "^"), "1/t": (":", "o"),
               "cosine": ("-", "D"), "warm-up + cosine": ("--", "v")}
fig, (ax, ax_log) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
for axis in (ax, ax_log):
    for name, s in schedule_set.items():
        ls, marker = line_styles[name]
        shown = steps[1:] if axis is ax_log and name == "warm-up + cosine" else steps   # log(0) at t = 0: from t = 1
        axis.plot(shown, s(shown), color=SCHEDULE_COLORS[name], label=name, lw=1.6, linestyle=ls,
                  marker=marker, markevery=(50 * list(schedule_set).index(name), 300), markersize=6,
                  fillstyle="none" if name == "warm-up + cosine" else "full")
    axis.set(xlabel="step $t$", ylabel="learning rate $\\eta_t$")
ax.set(title="Six learning-rate schedules, peak 0.2")
ax_log.set_yscale("log")                                   # the warm-up's 0 at t = 0 has no logarithm
ax_log.set(ylim=(1e-8, 0.5), title="The same, log scale: the last rates differ by orders of magnitude")
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=6, fontsize=8);

# %% [markdown]
# Compared on one problem: the regression, batches of 10, 20 epochs (exactly
# $T = 2000$ steps) with a fresh shuffle every epoch as in `train`, each schedule
# on the same 40 runs (`parallel_sgd` of section 6 runs them side by side). The score
# is the mean of $L - L^\star$ over the last epoch (100 steps), not the last iterate
# alone: with reshuffled epochs the last step of an epoch is a special point (the
# epoch's noise terms sum to zero at $w^\star$). To see how much depends on the runs,
# we also split the 40 into four sets of ten.

# %%
schedule_runs, schedule_results = 40, {}
for name, s in schedule_set.items():
    gaps = parallel_sgd(s, 10, steps=T, runs=schedule_runs, reshuffle=True)   # (T, runs): L - L* after each step
    last_epoch = gaps[-100:].mean(axis=0)                                       # one score per run
    schedule_results[name] = (last_epoch.mean(), gaps.mean(axis=1), last_epoch)
    print(f"{name:>23}: last-epoch mean of L - L* = {last_epoch.mean():.2e}"
          f" (standard error {last_epoch.std(ddof=1) / np.sqrt(schedule_runs):.1e}); over the four sets of ten:"
          f" {np.array2string(last_epoch.reshape(4, 10).mean(axis=1), precision=1, formatter={'float': '{:.1e}'.format})}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), sharey=True, layout="constrained")
panels = [["constant", "step", "exponential", "1/t"], ["constant", "cosine", "warm-up + cosine"]]
for ax, names in zip(axes, panels):
    for name in names:
        final_gap, curve, _ = schedule_results[name]
        epoch_means = curve.reshape(20, -1).mean(axis=1)                # the mean of L - L* over each epoch
        ls, marker = line_styles[name]
        ax.semilogy(np.arange(1, 21), epoch_means, color=SCHEDULE_COLORS[name], lw=1.4, linestyle=ls,
                    marker=marker, markersize=6, fillstyle="none" if name == "warm-up + cosine" else "full",
                    zorder=3 if name == "constant" else 2,             # its x markers above step's squares
                    label=f"{name}: {final_gap:.1e}")
    ax.set(xlabel="epoch (100 steps each)", xticks=[1, 5, 10, 15, 20])   # whole epochs
    ax.legend(fontsize=8, title="last-epoch mean of $L - L^*$", title_fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.16), ncols=2)
axes[0].set(ylabel="$L(w) - L^*$ (40 runs, mean over each epoch)",
            title="Step-wise and smooth decays, batches of 10")
axes[1].set(title="Cosine with and without warm-up (the first epoch holds the warm-up)");

# %% [markdown]
# Two pairs of curves overlap by construction. Left: the step schedule uses the
# constant rate for its first five epochs, on the same batches, so the two curves
# are the same there (the crosses drawn over the squares). Right: after the warm-up
# epoch, warm-up + cosine (hollow markers) follows a cosine only slightly squeezed,
# and its curve lies almost on the cosine's.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
decaying_names = ["step", "exponential", "1/t", "cosine", "warm-up + cosine"]
per_set = {name: schedule_results[name][2].reshape(4, 10).mean(axis=1) for name in ["constant", *decaying_names]}
decayed_sets = np.array([per_set[name] for name in decaying_names])              # (schedules, sets)
below_constant = per_set["constant"] / decayed_sets
spread_sets = decayed_sets.max(axis=0) / decayed_sets.min(axis=0)
assert np.all(below_constant > 300)                                  # every decaying schedule, every set: 300x lower
final = {name: schedule_results[name][0] for name in schedule_results}
cosine_above = {name: final["cosine"] / final[name] for name in ("step", "exponential", "1/t")}
assert all(r > 1 for r in cosine_above.values())                     # the direction only: cosine ends higher
over_one_t = {name: final[name] / final["1/t"] for name in ("step", "exponential")}
assert all(r > 1 for r in over_one_t.values())                       # the direction only: 1/t ends lowest
assert min(decaying_names, key=final.get) == "1/t" and final["warm-up + cosine"] > final["cosine"]
assert 500 < below_constant.min() < 650 and 1800 < below_constant.max() < 2100     # 570 to 2,000
assert 1.6 < spread_sets.min() < 1.75 and 2.85 < spread_sets.max() < 3.0           # 1.7 to 2.9: below 3

# %% [markdown]
# Every schedule that decays ends hundreds of times below the constant rate with the
# same number of steps (570 to 2,000 times over four sets of ten runs in this draw),
# while among themselves they differ by a few times within a set (less than 3 on this draw). What
# matters most is *that* the rate decays, and to roughly how low. Two differences have
# a reason behind them. Over the 40 runs **$1/t$ ends lowest** and the **cosine ends
# above** step, exponential and $1/t$ (only the direction is claimed: the size changes
# from draw to draw). The cosine's rate stays high long and falls steeply at the very
# end, so its last epoch moves little (its rates sum to 0.04 there, against 0.16 to 0.23
# for the others). A recursion for the error's second moment (independent batches:
# [details notebook](04_stochastic_minibatch_details.ipynb), section C) predicts both orders.
#
# Warm-up + cosine ends a little higher still in this draw, not because of the warm-up
# but because the cosine is squeezed into the 1,900 steps after it (a control run:
# [details notebook](04_stochastic_minibatch_details.ipynb), section C). On this convex
# problem the first steps are safe at full rate. A warm-up is for problems where they
# are not: Goyal et al. (2017, section 2.2) needed a linear warm-up over five epochs to
# train a deep network at the large rates of large batches, and with adaptive methods
# (chapters 06 and 09) it also covers the first steps, where the optimizer's statistics
# rest on few gradients (Liu et al., 2020, *On the variance of the adaptive learning
# rate and beyond*, ICLR).
#
# These rankings belong to this problem: a convex quadratic in two weights, judged
# by the training loss. Cosine and warm-up are at home on deep networks, where
# schedules are compared by held-out accuracy after a fixed budget, and there the
# order need not be the same (d2l, *Learning Rate Scheduling*, compares several
# schedules on a small convolutional network).

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
last_epoch_sum = {name: float(np.sum(schedule_set[name](np.arange(T - 100, T)))) for name in decaying_names}
assert abs(last_epoch_sum["cosine"] - 0.042) < 0.002 and all(0.15 < last_epoch_sum[name] < 0.235 for name in ("step", "exponential", "1/t"))

# %% [markdown]
# ### Which decaying rates converge? The Robbins–Monro conditions
#
# A constant rate stops at the noise ball. What must a decaying rate do to reach
# the minimum itself? Robbins and Monro (*A stochastic approximation method*,
# 1951) gave the classic sufficient conditions:
#
# $$\sum_{t=0}^\infty \eta_t = \infty \qquad\text{and}\qquad \sum_{t=0}^\infty \eta_t^2 < \infty .$$
#
# They are sufficient together with hypotheses on the function and the noise. On
# our quadratic, with batches drawn independently, the first condition lets the
# steps cover any distance (the mean error along an eigenvector is multiplied by
# $\prod_t (1 - \eta_t\lambda)$, which stays above a positive number when
# $\sum\eta_t < \infty$ and every $\eta_t\lambda < 1$), and it lets the noise of
# each step be forgotten by the later ones; with a summable schedule the noise of
# the last large steps stays for good. The second condition makes the total noise
# injected, $\sum \eta_t^2\operatorname{tr}\Sigma/b$, finite. For the schedules of
# the table (as sequences continued for ever):
#
# | schedule | $\sum\eta_t$ | $\sum\eta_t^2$ | conditions |
# | --- | --- | --- | --- |
# | constant | $\infty$ | $\infty$ | no: the noise ball |
# | step, exponential | finite: $\eta s/(1 - \gamma)$, $\eta/(1 - \gamma)$ | finite | no: they freeze |
# | $1/t$ | $\infty$ (like $(\eta/d)\ln t$) | finite (below $\eta^2(1 + 1/d)$) | yes |
# | cosine, warm-up + cosine | finite (0 after $T$) | finite | no: built for a fixed budget $T$ |
#
# The conditions are about the limit $t \to \infty$; a schedule for a fixed budget of
# steps, like cosine, ends where it ends, and as the comparison shows it can end very
# low. How fast $1/t$ gets there: under the hypotheses of Bottou, Curtis & Nocedal
# (2018, Theorem 4.7), among them strong convexity with curvature at least $c$ and
# $\eta_0/d > 1/c$, $\mathbb{E}[L - L^\star]$ falls like $O(1/t)$; with a smaller
# $\eta_0/d$ it can be far slower
# ([details notebook](04_stochastic_minibatch_details.ipynb), section E; section C there
# runs the exponential schedule and $1/t$ ten times longer and watches the exponential
# freeze). The sums of the table, checked:

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
t_big = np.arange(10**6)
one_over_t = schedules.inverse_time_schedule(peak, decay=99 / T)(t_big)
assert np.sum(one_over_t[: 10**6]) > 1.9 * np.sum(one_over_t[: 10**3])          # the sum keeps growing (like ln t)
assert np.sum(one_over_t**2) < peak**2 * (1 + T / 99)                            # the squares' sum is bounded
exp_rates = schedule_set["exponential"](t_big)
assert np.isclose(np.sum(exp_rates), peak / (1 - 0.01 ** (1 / T)), rtol=1e-6)    # a finite total distance

# %% [markdown]
# ## 9. Your turn: the batch-size explorer
#
# The explorer puts the whole chapter in one figure, on a regression with 100
# examples. Left: the loss contours; at the start $w_0$, the cloud of 200
# mini-batch gradients $-g_B$ (orange; scaled to fit) around the full gradient
# $-\nabla L$ (the arrow); and the SGD path. Right: the loss against epochs for that
# run and for full-batch gradient descent with the same rate and budget. Move the
# **batch size**, the **learning rate**, the **epochs** and the **seed**. (On a
# static page you see one setting; run the notebook to play.)

# %%
from gdlearn.widgets.batch import batch_size_explorer

explorer = batch_size_explorer(batch_size=10)
explorer

# %% [markdown]
# Things to try:
#
# 1. Batch size 1, then 4, 16, 64: by what factor does the cloud shrink each time?
#    Section 2's formula, with $n = 100$ examples here, says
#    $\sqrt{4\,(n - b)/(n - 4b)}$: 2.03, 2.14 and 3.06 (the finite-population factor
#    matters when the batch is a large share of the data). At 100 the cloud
#    collapses onto the arrow.
# 2. Batch size 1 and a larger learning rate: where does the path end up after 5
#    epochs compared with batch size 10? Then raise the epochs.
# 3. Find the largest learning rate at which batch size 100 (full batch) still
#    converges, then try it with batch size 1. Why does it diverge?
# 4. Change the seed at batch size 1: a different path every time, the same cloud
#    spread.
#
# The explorer exposes what it computed (`explorer.spread` is the spread of its
# cloud); the [details notebook](04_stochastic_minibatch_details.ipynb), section F,
# uses it to check task 1's factors.
#
# **About task 3.** Full-batch descent converges while $\eta < 2/\lambda_{\max}(H) = 1.90$
# here (chapter 02). A single example has curvature $\|x_i\|^2$ along $x_i$: 1.4 times
# $\lambda_{\max}(H)$ for the median example, up to about six times for the largest,
# whose steps overshoot long before that limit: try
# $\eta \approx 1.15$–$1.2$ with $b = 1$ (why, and where a typical path diverges:
# [details notebook](04_stochastic_minibatch_details.ipynb), section F).

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
n_explorer = len(explorer.y)
factors = [np.sqrt(4 * (n_explorer - b) / (n_explorer - 4 * b)) for b in (1, 4, 16)]   # task 1
assert n_explorer == 100 and np.allclose(factors, [2.03, 2.14, 3.06], atol=0.005)
H_explorer = explorer.X.T @ explorer.X / n_explorer
assert abs(2 / np.linalg.eigvalsh(H_explorer).max() - 1.90) < 0.01
curvature_ratio = np.sum(explorer.X**2, axis=1) / np.linalg.eigvalsh(H_explorer).max()   # ||x_i||^2 / lambda_max
assert 1.3 < np.median(curvature_ratio) < 1.5 and 5.5 < curvature_ratio.max() < 6.5      # 1.4; about six

# %% [markdown]
# ## Summary
#
# - A loss that is an average over examples has a gradient that is an average of
#   per-example gradients. A **mini-batch** gradient averages $b$ of them: it is
#   an **unbiased** estimate of the full gradient with variance
#   $\frac{\sigma^2}{b}\frac{n-b}{n-1} \approx \sigma^2/b$. Four times the batch,
#   half the noise.
# - **SGD** shuffles the data every epoch, cuts it into batches and steps once per
#   batch: an epoch costs $n$ example gradients, the price of one full-batch step.
# - **Batch size**: at a shared rate $\eta$, small batches make fast early progress
#   per example seen but stall at a higher noise floor (it grows with $\eta/b$). With
#   the rate grown with the batch (the linear scaling rule) the curves per example
#   coincide here, until the stability limit $\eta\lambda_{\max} < 2$ caps the rate
#   (lower for small batches: [details notebook](04_stochastic_minibatch_details.ipynb),
#   section F); then the number of steps is what limits a large batch.
# - The same loop trains **logistic regression**. Forgetting to shuffle sorted
#   data biases the model towards the last class.
# - With a constant rate SGD ends in a **noise ball**: for small rates and
#   independent batches $\mathbb{E}[L - L^\star] \approx \eta\operatorname{tr}\Sigma^\star/(4b)$,
#   with $\Sigma^\star$ the covariance of the per-example gradients *at the minimum*
#   (measured within 25%). Reshuffled epochs do better here, the more so the fewer
#   steps an epoch has compared with $1/(\eta\lambda)$ (at the three batch sizes
#   measured). Averaging the iterates, or a **decaying** rate, gets below it.
# - **Schedules** (`gdlearn.schedules`: step, exponential, $1/t$, cosine, warm-up)
#   all beat a constant rate here by hundreds of times, and differ among themselves
#   by much less: that the rate decays matters more than exactly how. Only $1/t$
#   meets the Robbins–Monro conditions $\sum\eta_t = \infty$, $\sum\eta_t^2 < \infty$.
#
# ## Exercises
#
# Open [`exercises/04_stochastic_minibatch.ipynb`](../exercises/04_stochastic_minibatch.ipynb):
# write a mini-batch iterator that reshuffles every epoch, a cosine schedule with
# a warm-up, and one epoch of mini-batch SGD for logistic regression. Each
# exercise has a `check(...)` cell that tells you at once whether your code is
# right.
