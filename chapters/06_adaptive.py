# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 06 — Adaptive methods: Adagrad, RMSprop, Adam
#
# Gradient descent and momentum take one learning rate for every coordinate. That rate is capped by the steepest
# direction, so every other direction moves more slowly than it could (chapters 02 and 05). **Adaptive methods** give
# each coordinate its own **step size**, the number that multiplies its gradient, computed from the gradients seen so
# far: a coordinate whose gradients have been small gets a larger step size, one whose gradients have been large a
# smaller one. On a quadratic whose steep and flat directions are the coordinate axes, Adagrad, RMSprop and Adam take
# the condition number out of the steps: each coordinate moves as if its curvature were 1 ($\epsilon$ aside), though
# one $\eta$ must still suit every coordinate's distance from the minimum. When the valley runs diagonally through the
# axes they help less and less (section 4). Adam, the best known of these methods, is only a few lines of code.
#
# You need chapter 05: momentum as a running average of gradients, and PyTorch's
# conventions (`gdlearn.optim.sgd(lr, momentum=β)`).
#
# ## What you will learn
#
# - **Adagrad**: divide each coordinate's step by the root of the sum of its squared
#   gradients, and why that helps with **rare features**; **RMSprop**: the same with a
#   moving average, so the step size does not shrink forever;
# - **Adam**: momentum plus RMSprop plus a **bias correction**, and what the first
#   steps look like without it; Adam as a composition of building blocks;
# - **diagonal preconditioning**: why per-coordinate steps remove ill-conditioning aligned
#   with the coordinate axes, and help less and less as the valley turns away from them;
# - **AdamW**: why weight decay and an L2 penalty are the same step for plain SGD and
#   different regularizers for Adam;
# - **AMSGrad**: a small change that fixes a case where Adam ends at the worst point;
# - and you get the **optimizer race**: up to eight optimizers animated side by side.
#
# Every number in the text is computed and asserted, by this notebook (most asserts sit
# in collapsed "Checks" cells) or, where the text names a details section, by the [details
# notebook](06_adaptive_details.ipynb): longer checks, worst cases, `gdlearn` against
# `torch.optim`, why frameworks differ. It is reference for the curious, not for the exercises.

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

import inspect
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from IPython.display import Markdown, display

from gdlearn import optim, plotting, style
from gdlearn.optim import (adagrad, adam, adamw, chain, rmsprop, scale_by_adam,
                           scale_by_learning_rate, sgd)
from gdlearn.run import run
from gdlearn.surfaces import quadratic, rosenbrock

COLORS = style.PALETTE


def table(header, rows):
    """Show rows of strings as a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))

# %% [markdown]
# ## 1. Adagrad: a step size for each coordinate
#
# Duchi, Hazan and Singer (2011) keep, for every coordinate $i$, the running sum of
# its squared gradients, and divide the step by its square root:
#
# $$s_{t,i} = s_{t-1,i} + g_{t,i}^2, \qquad
# x_{t,i} = x_{t-1,i} - \eta\,\frac{g_{t,i}}{\sqrt{s_{t,i}} + \epsilon},$$
#
# with $s_0 = 0$ and a tiny $\epsilon$ (PyTorch: $10^{-10}$, details section H) that mainly prevents a
# division by zero. All operations are elementwise. The factor $\eta/(\sqrt{s_{t,i}} + \epsilon)$ is coordinate
# $i$'s **step size** (gradient descent's is $\eta$ itself); the **step** is the move, step size times $g_{t,i}$.
# (Adam, section 3, multiplies its step size by an averaged gradient instead of $g_{t,i}$.) In code:

# %%
def adagrad_steps(grad, x0, lr, steps, eps=1e-10):
    x = np.array(x0, dtype=float)
    s = np.zeros_like(x)                       # sum of squared gradients, per coordinate
    path = [x]
    for _ in range(steps):
        g = grad(x)
        s = s + g * g
        x = x - lr * g / (np.sqrt(s) + eps)    # the update rule
        path.append(x)
    return np.array(path)


ours = adagrad_steps(rosenbrock.grad, rosenbrock.start, 0.5, steps=200)
library = run(adagrad(lr=0.5), rosenbrock, rosenbrock.start, steps=200, tol=0).xs
assert np.allclose(ours, library, rtol=1e-12, atol=1e-14)
print("our loop and gdlearn.optim.adagrad agree for 200 steps on Rosenbrock")

# %% [markdown]
# Two consequences follow from the formula.
#
# **The scale of the gradient does not matter.** Multiply a coordinate's gradients by 1000 and $\sqrt{s}$
# grows by 1000 too: the steps stay the same. In particular the very first step is $\eta\, g/|g| = \pm\eta$
# in every coordinate with a nonzero gradient ($\epsilon$ aside), however steep or flat the function is
# there. On $f(x) = \tfrac12(x_1^2 + 1000^2 x_2^2)$, hopeless for gradient descent ($\kappa = 10^6$),
# Adagrad moves both coordinates alike:

# %%
scales = np.array([1.0, 1000.0])
stretched = adagrad_steps(lambda x: scales**2 * x, [1.0, 1.0], lr=0.1, steps=50)
print("first steps:", stretched[1], stretched[2].round(6))
gd_lr = 1.9 / scales[1] ** 2                                         # just below gradient descent's limit 2 / 1e6
gd_path = [np.array([1.0, 1.0])]
for _ in range(50):
    gd_path.append(gd_path[-1] - gd_lr * scales**2 * gd_path[-1])
gd_path = np.array(gd_path)

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert (scales[1] / scales[0]) ** 2 == 1e6                           # the condition number
assert np.allclose(stretched[1], [0.9, 0.9])                         # first step: lr in each coordinate
assert np.allclose(stretched[:, 0], stretched[:, 1], rtol=1e-9)      # the same path in both coordinates
assert gd_path[-1, 0] > 0.9999 and abs(gd_path[-1, 1]) < 1          # GD: x1 has not moved

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(stretched[:, 0], color=style.color_for("adagrad"), marker="^", markevery=5, label="Adagrad, $x_1$ (flat)")
ax.plot(stretched[:, 1], color=style.color_for("adagrad"), linestyle="none", marker="o", markerfacecolor="white",
        markevery=(2, 5), label="Adagrad, $x_2$ (steep): the same (hollow circles on the line)")
ax.plot(gd_path[:, 0], color=style.color_for("gd"), marker="o", markevery=5, linestyle="--",
        label=f"gradient descent, lr = {gd_lr:.1e}, $x_1$")
ax.plot(gd_path[:, 1], color=style.color_for("gd"), linestyle="-.", label="gradient descent, $x_2$ (zigzags)")
ax.set(xlabel="step", ylabel="coordinate", title=r"$f = \frac{1}{2}(x_1^2 + 10^6 x_2^2)$, $\kappa = 10^6$, from (1, 1)")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1));

# %% [markdown]
# **The step size shrinks forever.** $s$ never decreases, so the step size $\eta/\sqrt{s_t}$ of each
# coordinate never grows. Under a constant gradient $g$, $s_t = t g^2$ and the step is $\eta/\sqrt t$: a
# tenth of $\eta$ after 100 steps, a hundredth after 10,000. (The step is the step size times the
# gradient, so a step can still grow: gradients $1, 10^{-3}, 1$ give steps $\eta$, $0.001\,\eta$,
# $0.71\,\eta$.) A decaying step size is good when the gradients are noisy (it damps the noise, chapter
# 04), but slow on a long road to the minimum: section 2 measures that, and fixes it.

# %%
constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=0.1, steps=10_000)
step_length = -np.diff(constant[:, 0])
assert np.isclose(step_length[99], 0.1 / 10, rtol=1e-8) and np.isclose(step_length[9999], 0.1 / 100, rtol=1e-8)
gradients = iter([1.0, 1e-3, 1.0])
three = -np.diff(adagrad_steps(lambda x: np.array([next(gradients)]), [0.0], lr=1.0, steps=3)[:, 0])
assert np.allclose(three, [1.0, 1e-3, 1 / math.sqrt(2 + 1e-6)], rtol=1e-6)   # the step size shrinks, a step can grow

# %% [markdown]
# ### Rare features
#
# Where Adagrad shines is **sparse data**: inputs where some features are almost always zero. Think of words in
# documents: "the" is in every one, "eigenvalue" in one out of a hundred. The weight of a rare feature receives a
# gradient only from the few examples that have it.
#
# Here is a linear regression with three features: two dense ones (standard deviation 3) and a rare one, equal to 1 in
# about 1 % of the 2,000 examples and 0 elsewhere. The true weights are $(1, -2, 3)$. We train with **one example per
# step** (SGD as in chapter 04), for one pass over the data, with plain SGD and with Adagrad, each at the learning
# rate that gives the lowest loss on a grid.

# %%
rng = np.random.default_rng(6)
n = 2000
X = np.zeros((n, 3))
X[:, :2] = 3.0 * rng.normal(size=(n, 2))          # two dense features
X[:, 2] = rng.random(n) < 0.01                    # a rare one: 1 in about 1 % of the rows
w_true = np.array([1.0, -2.0, 3.0])
y = X @ w_true + 0.5 * rng.normal(size=n)
print(f"the rare feature is present in {int(X[:, 2].sum())} of {n} examples")


def one_epoch(opt, seed=1):
    """One pass of single-example updates on the squared error; returns every weight vector."""
    w = np.zeros(3)
    state = opt.init(w)
    path = [w]
    with np.errstate(all="ignore"):                # a diverging run is a result, not an error
        for i in np.random.default_rng(seed).permutation(n):
            g = (X[i] @ w - y[i]) * X[i]           # gradient of 1/2 (x_i.w - y_i)^2
            updates, state = opt.update(g, state, w)
            w = optim.apply_updates(w, updates)
            path.append(w)
    return np.array(path)


def loss(w):
    with np.errstate(all="ignore"):
        value = 0.5 * np.mean((X @ w - y) ** 2)
    return value if np.isfinite(value) else np.inf


grid = np.geomspace(1e-3, 3, 15)
tuned, grid_losses = {}, {}
for name, make in [("sgd", lambda lr: sgd(lr=lr)), ("adagrad", lambda lr: adagrad(lr=lr))]:
    paths = [one_epoch(make(lr)) for lr in grid]
    grid_losses[name] = [loss(path[-1]) for path in paths]
    best = int(np.argmin(grid_losses[name]))
    tuned[name] = (grid[best], paths[best])
    print(f"{name:>8}: best lr = {grid[best]:.3g}, loss {grid_losses[name][best]:.3f}, "
          f"weights {paths[best][-1].round(2)}")

(lr_sgd, sgd_path), (lr_ada, ada_path) = tuned["sgd"], tuned["adagrad"]

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
sgd_losses = grid_losses["sgd"]
assert int(X[:, 2].sum()) == 21
worse_than_start = np.array(sgd_losses) > loss(np.zeros(3))               # blew up: diverged
largest_stable = grid[~worse_than_start].max()
assert np.isclose(largest_stable, 0.0548, rtol=1e-3) and worse_than_start[grid > 0.06].all()
assert np.all(np.array(sgd_losses)[grid > 0.06] > 1e6 * loss(np.zeros(3)))  # "far above" (inf counts)
cap_path, dense_cost = one_epoch(sgd(lr=largest_stable)), lambda p: loss(np.r_[p[-1, :2], 3.0])   # rare weight set to 3
assert np.allclose([lr_sgd, min(sgd_losses), loss(cap_path[-1]), sgd_path[-1, 2], cap_path[-1, 2]],   # best; cap: loss
                   [0.031, 0.140, 0.188, 1.48, 2.36], atol=[5e-4] * 3 + [5e-3] * 2)                                   # higher, rare weight
assert dense_cost(cap_path) > dense_cost(sgd_path) + 0.04 and dense_cost(cap_path) > min(sgd_losses)   # the dense weights' noise
assert abs(ada_path[-1, 2] - 3) < 0.5                                      # Adagrad: close (this draw; see below)
assert np.all(np.abs(sgd_path[-1, :2] - w_true[:2]) < 0.1)                 # both learn the dense weights
assert np.all(np.abs(ada_path[-1, :2] - w_true[:2]) < 0.1)

# %% [markdown]
# Both learn the two dense weights. SGD's learning rate is capped by the dense features: on the grid, 0.055 is the
# largest that does not blow up (from 0.097 on, the loss ends far above where it started). Its best rate lies below
# that cap, because single-example steps leave noise in the dense weights, more at a larger rate:
#
# | SGD's learning rate | loss after one pass | rare weight (true value 3) |
# |---|---|---|
# | 0.031 (the best on the grid) | 0.140 | 1.48 |
# | 0.055 (the cap) | 0.188 | 2.36 |
#
# At either rate the rare weight moves only a little at each of its few updates and ends short of 3. Adagrad's step size for the rare weight is $\eta/\sqrt{s}$, and its $s$
# collects only the few rare gradients, so it takes large steps exactly there. (That the dense features set SGD's
# cap holds on this draw; details section A removes the rare feature to check.)

# %%
ada = adagrad(lr=lr_ada)
w, state = np.zeros(3), ada.init(np.zeros(3))
effective = []
for i in np.random.default_rng(1).permutation(n):
    g = (X[i] @ w - y[i]) * X[i]
    updates, state = ada.update(g, state, w)
    w = optim.apply_updates(w, updates)
    s_now = state[1].sum_of_squares
    with np.errstate(divide="ignore"):                # s = 0: no gradient yet, no rate to show
        effective.append(np.where(s_now > 0, lr_ada / (np.sqrt(s_now) + 1e-10), np.nan))   # step size eta / sqrt(s)
effective = np.array(effective)
assert np.allclose(w, ada_path[-1])
ratio_end = effective[-1, 2] / effective[-1, :2].max()
print(f"after one pass: step size of the rare weight {effective[-1, 2]:.3g}, "
      f"of the dense ones {effective[-1, :2].round(5)} ({ratio_end:.0f} times smaller)")
ratio = effective[:, 2] / effective[:, :2].max(axis=1)              # NaN until the rare feature first appears
defined = ~np.isnan(ratio)
print(f"rare / larger dense step size: smallest {np.nanmin(ratio):.2f} (update {int(np.nanargmin(ratio)) + 1}), "
      f"over the second half at least {ratio[n // 2:].min():.1f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert ratio_end > 10 and np.all(ratio[defined] > 8.9) and np.all(ratio[n // 2:] > 10)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_rate) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
k = np.arange(n + 1)
ax.plot(k, sgd_path[:, 2], color=style.color_for("sgd"), marker="o", markevery=200, markersize=5,
        label=f"SGD, lr = {lr_sgd:.2g}")
ax.plot(k, ada_path[:, 2], color=style.color_for("adagrad"), linestyle="--", marker="^", markevery=(100, 200),
        markersize=6, label=f"Adagrad, lr = {lr_ada:.2g}")
ax.axhline(3.0, color="black", linestyle="--", linewidth=1, label="true weight 3")
ax.set(xlabel="update (one example each)", ylabel="weight of the rare feature",
       title="The rare feature's weight in one pass (a draw favourable to Adagrad)")
ax.legend(fontsize=8, loc="lower right")
for i, (label, color, ls) in enumerate([("dense feature 1", "#595959", "--"), ("dense feature 2", "#999999", ":"),
                                        ("rare feature (from its 1st example)", COLORS["black"], "-")]):   # greys: features, not optimizers
    ax_rate.plot(np.arange(1, n + 1), effective[:, i], color=color, linestyle=ls, linewidth=2, label=label)
lo, hi = effective[-1, :2].max(), effective[-1, 2]                   # the arrow spans the last update's gap
ax_rate.annotate("", (n, lo), (n, hi), arrowprops=dict(arrowstyle="<->"))
ax_rate.text(0.97 * n, np.sqrt(lo * hi), f"{ratio_end:.0f} times larger\nafter one pass", ha="right", va="center")
ax_rate.set(xlabel="update", ylabel=r"$\eta / \sqrt{s_i}$", title="Adagrad's step size per coordinate", yscale="log")
ax_rate.legend(fontsize=8);

# %% [markdown]
# The rare weight's curve (left) moves in jumps, one per example that has the feature: SGD's jumps are small,
# Adagrad's large. On the right, the dense coordinates' step sizes fall steadily as their sums of squares grow, while
# the rare coordinate's (drawn from its first example: before it, $s = 0$) stays, on this draw, at least 8.9 times
# larger, and more than ten times larger over the second half. Per-coordinate step sizes of this kind were used where
# most features are rare: GloVe word vectors are trained with Adagrad (Pennington, Socher and Manning, 2014, section
# 4.2), and Google's ad-click-prediction models use per-coordinate step sizes $\alpha/(\beta + \sqrt{\sum g_i^2})$
# (McMahan et al., 2013, section 3.1).
#
# **Is this one lucky draw?** It is the luckiest of eight. The [details notebook](06_adaptive_details.ipynb), section
# A, reruns the experiment on eight draws of the data and the order. In every draw Adagrad's rare weight ends closer to
# 3 than SGD's, by more than 0.5; SGD's ends between 0.11 and 1.92, Adagrad's between 1.76 and 3.05, and the draw
# above is the one where it lands closest to 3. On 40 further draws Adagrad's is the closer one in 38. So the direction
# holds; the size of the gap varies a lot from draw to draw.
#
# What is proven is a bound, for convex losses over a bounded set, with a projection step and $\eta$ chosen in
# proportion to the set's size $D_\infty$ (the largest difference between two of its points in any one coordinate).
# Under these hypotheses Duchi, Hazan and Singer (2011, section 3, the diagonal case) bound Adagrad's **regret**, its
# total loss over the steps minus that of the best fixed point in hindsight, by a constant times
# $D_\infty \sum_i \sqrt{s_{T,i}}$, the roots of its own accumulators. With bounded gradients each root grows at most
# like $\sqrt{T}$, and much more slowly for a coordinate whose gradients are mostly zero: sparse data.
#
# ## 2. RMSprop: forget the old gradients
#
# Adagrad's sum never forgets. Read from Adagrad, RMSprop is the fix: an exponential moving average of the
# squared gradients, with a decay $\alpha$ close to 1. Its authors, Tieleman and Hinton (2012, lecture 6e of
# the Coursera course *Neural Networks for Machine Learning*: slides, not a paper), present it as "a
# mini-batch version of rprop", which steps by the sign of the gradient, each weight with its own adapted
# step size; dividing by the root mean square is a smoothed sign. Their slides use $\alpha = 0.9$, PyTorch's default is 0.99 (details section H):
#
# $$v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
# x_t = x_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \epsilon}.$$
#
# $\sqrt{v}$ is now the root mean square (RMS) of the recent gradients, with $\alpha = 0.99$ about the last
# $1/(1 - \alpha) = 100$ of them, so the step size $\eta/\sqrt{v}$ adapts to the recent scale of the
# gradient, in both directions: it falls when the gradients grow and rises again when they shrink. If the
# gradient drops from 1 to 0.01, the next step is only about $0.01\,\eta$, but as $v$ forgets the large
# gradients the step size rises and the steps grow back, to $0.84\,\eta$ by the 1,000th step at the small
# gradient. Adagrad's steps, on the same gradients, stay below $0.001\,\eta$ (figure below).

# %%
# The step (step size times gradient), in units of eta, when the gradient is 1 for 300 steps, then 0.01:
grad_sequence = np.r_[np.ones(300), np.full(1000, 0.01)]
v_avg, steps_eta = 0.0, []
for g_t in grad_sequence:
    v_avg = 0.99 * v_avg + 0.01 * g_t * g_t
    steps_eta.append(g_t / (np.sqrt(v_avg) + 1e-8))
print(f"last step at gradient 1: {steps_eta[299]:.2f} eta; first at 0.01: {steps_eta[300]:.3f} eta; "
      f"1,000th at 0.01: {steps_eta[-1]:.2f} eta")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(steps_eta[300] - 0.01) < 1e-3 and abs(steps_eta[-1] - 0.84) < 5e-3
assert np.all(np.diff(steps_eta[300:]) > 0)                 # the steps grow back, every step
ada_eta = grad_sequence / np.sqrt(np.cumsum(grad_sequence**2))  # Adagrad's step on the same gradients (epsilon aside)
assert ada_eta[300:].max() < 1e-3 and np.all(np.diff(ada_eta[300:]) < 0)   # figure: Adagrad's stays small, falls

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
for y, key, marker, ls, name in [(steps_eta, "rmsprop", "v", "-", r"RMSprop ($\alpha$ = 0.99): drops, grows back"),
                                 (ada_eta, "adagrad", "^", "--", "Adagrad: drops, stays below 0.001")]:
    ax.plot(np.arange(1, len(y) + 1), y, color=style.color_for(key), marker=marker, markevery=100, linestyle=ls,
            label=name)
ax.axvline(300.5, color="0.4", linestyle=":", label="the gradient drops from 1 to 0.01 after step 300")
ax.set(yscale="log", xlabel="step $t$", ylabel=r"step length, in units of $\eta$",
       title="Step length when the gradient drops from 1 to 0.01 (epsilon aside)")
ax.legend(fontsize=8, loc="upper right");

# %%
def rmsprop_steps(grad, x0, lr, steps, alpha=0.99, eps=1e-8):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)                       # moving average of squared gradients
    path = [x]
    for _ in range(steps):
        g = grad(x)
        v = alpha * v + (1 - alpha) * g * g
        x = x - lr * g / (np.sqrt(v) + eps)
        path.append(x)
    return np.array(path)


assert np.allclose(rmsprop_steps(rosenbrock.grad, rosenbrock.start, 0.01, 200),
                   run(rmsprop(lr=0.01), rosenbrock, rosenbrock.start, steps=200, tol=0).xs, rtol=1e-12, atol=1e-14)

constant = rmsprop_steps(lambda x: np.ones_like(x), [0.0], lr=0.1, steps=3000)
rms_steps = -np.diff(constant[:, 0])
print(f"RMSprop under a constant gradient: step 1 = {rms_steps[0]:.4f}, step 3000 = {rms_steps[-1]:.4f} (lr = 0.1)")
assert np.isclose(rms_steps[0], 0.1 / np.sqrt(0.01), rtol=1e-6)      # 10 lr
assert np.isclose(rms_steps[-1], 0.1, rtol=1e-6)                     # lr, no more shrinking
bias = 1 / np.sqrt(1 - 0.99 ** np.arange(1, 3001))                   # the step in units of lr
assert np.allclose(rms_steps / 0.1, bias, rtol=1e-6)
assert round(bias[99], 2) == 1.26 and int(np.argmax(bias < 1.05)) + 1 == 237   # step 100: 26 % too long

# %% [markdown]
# Under a constant gradient the step settles at $\eta$: no more shrinking. But look at the first step: **ten times**
# $\eta$. The average starts at $v_0 = 0$, so after one step $v_1 = (1 - \alpha)\, g^2 = 0.01\, g^2$, whose root is a
# tenth of $|g|$. Under a constant gradient $v_t = (1 - \alpha^t)\, g^2$, so the step is $\eta/\sqrt{1 - \alpha^t}$:
# still 1.26 $\eta$ at step 100, within 5 % of $\eta$ only from step 237. The average stays biased towards its zero
# start for a few hundred gradients. Adam corrects that. (The "ten times" is PyTorch's RMSprop, $\alpha = 0.99$; Keras
# also starts at 0 but with $\rho = 0.9$, and TensorFlow 1 starts the average at 1: details section I.)
#
# **The long road.** Section 1 said Adagrad's shrinking step size is slow on a long road to the minimum.
# Take $f(x) = \sqrt{1 + x^2} - 1$, whose gradient $x/\sqrt{1 + x^2}$ is close to $\pm 1$ far from the
# minimum at 0, start at $x_0 = 100$, and run both methods at $\eta = 0.1$ until $|x| < 1$:

# %%
def road_grad(x):
    return x / np.sqrt(1 + x * x)                  # gradient of sqrt(1 + x^2) - 1: about +-1 far from 0


road_ada = adagrad_steps(road_grad, [100.0], lr=0.1, steps=260_000)[:, 0]
road_rms = rmsprop_steps(road_grad, [100.0], lr=0.1, steps=2000)[:, 0]
arrive_ada, arrive_rms = int(np.argmax(np.abs(road_ada) < 1)), int(np.argmax(np.abs(road_rms) < 1))
print(f"from x0 = 100 at lr = 0.1, |x| < 1 after: Adagrad {arrive_ada:,} steps, RMSprop {arrive_rms} steps; "
      f"Adagrad's prediction (99 / (2 lr))^2 = {(99 / 0.2) ** 2:,.0f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(road_ada[arrive_ada]) < 1 and abs(road_rms[arrive_rms]) < 1
assert abs(arrive_ada / (99 / 0.2) ** 2 - 1) < 0.03            # distance 2 lr sqrt(t) after t steps
assert 860 <= arrive_rms <= 880 and 245_000 < arrive_ada < 251_000 and arrive_ada > 200 * arrive_rms

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(np.arange(1, len(road_ada)), road_ada[1:], color=style.color_for("adagrad"), linestyle="--",
        marker="^", markevery=[10**k for k in range(6) if 10**k < len(road_ada) - 1], label="Adagrad")
ax.plot(np.arange(1, len(road_rms)), road_rms[1:], color=style.color_for("rmsprop"), marker="v",
        markevery=[10**k for k in range(4) if 10**k < len(road_rms) - 1], label="RMSprop")
ax.axhline(0, color="black", linewidth=1, linestyle=":", label="minimum, x = 0")
ax.set_xscale("log")
ax.set(xlabel="step $t$", ylabel="$x_t$", title=r"$f = \sqrt{1 + x^2} - 1$ from $x_0 = 100$, $\eta = 0.1$")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# RMSprop's step settles at $\eta$, so it crosses the 99 units in about 870 steps (fewer than $99/\eta = 990$, thanks
# to its long first steps). Adagrad's gradients are all about 1, so after $t$ steps $s \approx t$, its step is about
# $\eta/\sqrt t$, and it has covered about $\eta \sum_{k \le t} 1/\sqrt k \approx 2\eta\sqrt t$: it needs about
# $(99/(2\eta))^2 \approx 245{,}000$ steps; the run takes about 248,000. A larger $\eta$ shortens Adagrad's trip, but
# the distance it covers still grows only like $\sqrt t$, so the right $\eta$ depends on how far away the minimum is.
#
# ## 3. Adam: momentum + RMSprop + bias correction
#
# Kingma and Ba (2015, Algorithm 1) keep two moving averages, of the gradient (the momentum of chapter 05,
# as an average) and of its square (RMSprop's), and divide each by the factor that undoes its zero start:
#
# $$\begin{aligned}
# m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, &\qquad
# \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \\
# v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, &
# \hat v_t &= \frac{v_t}{1 - \beta_2^t}, \\
# x_t &= x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, &&
# \end{aligned}$$
#
# with $m_0 = v_0 = 0$ and the defaults (the paper's, and PyTorch's: details section H) $\beta_1 = 0.9$,
# $\beta_2 = 0.999$, $\epsilon = 10^{-8}$. **Why divide by $1 - \beta^t$?** If every gradient were the same $g$, then
# $m_t = (1 - \beta_1)(1 + \beta_1 + \dots + \beta_1^{t-1})\, g = (1 - \beta_1^t)\, g$: the average holds only the
# share $1 - \beta_1^t$ of $g$, the rest is still the zero it started from. Dividing by that share gives back $g$. The
# same holds for $v_t$ and $g^2$. In code, with a switch to leave the correction out:

# %%
def adam_steps(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8, bias_correction=True):
    beta1, beta2 = betas
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    path = [x]
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if bias_correction:
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        else:
            m_hat, v_hat = m, v
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(x)
    return np.array(path)


ours = adam_steps(rosenbrock.grad, rosenbrock.start, 0.05, steps=300)
library = run(adam(lr=0.05), rosenbrock, rosenbrock.start, steps=300, tol=0).xs
assert np.allclose(ours, library, rtol=1e-10, atol=1e-12) and np.abs(ours - library).max() < 1e-14
print(f"our Adam loop and gdlearn.optim.adam: largest difference {np.abs(ours - library).max():.1e} over 300 steps")
# not bit for bit: gdlearn evaluates the same formula in another order (details notebook, section I)

# %% [markdown]
# ### The first steps, with and without bias correction
#
# Leave the correction out and, for the same gradients, each step is multiplied by
# $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ ($\epsilon$ aside). Under a constant gradient the corrected Adam steps by
# exactly $\eta$ ($\epsilon$ aside) from the first step on; the uncorrected one does this:

# %%
lr = 0.01
corrected = -np.diff(adam_steps(lambda x: np.ones_like(x), [0.0], lr, 5000)[:, 0])
uncorrected = -np.diff(adam_steps(lambda x: np.ones_like(x), [0.0], lr, 5000, bias_correction=False)[:, 0])
t = np.arange(1, 5001)
factor = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
assert np.allclose(corrected, lr, rtol=1e-6)
assert np.allclose(uncorrected / corrected, factor, rtol=1e-6)
table(["step $t$", "with correction", "without", "ratio"],
      [(k, f"{corrected[k - 1]:.5f}", f"{uncorrected[k - 1]:.5f}", f"{factor[k - 1]:.2f}")
       for k in (1, 2, 3, 4, 5, 10, 100, 1000)])
peak = int(np.argmax(factor)) + 1
settled = int(np.argmax((np.abs(factor - 1) < 0.05) & (t > peak))) + 1
print(f"without correction: the first step is {factor[0]:.2f} times too long; the factor peaks at "
      f"{factor.max():.2f} at step {peak} and is within 5 % of 1 from step {settled}")
assert np.isclose(factor[0], math.sqrt(10)) and round(factor.max(), 1) == 6.6 and peak == 12
assert 2000 < settled < 3500
v, noisy = np.zeros(2000), np.random.default_rng(0).normal(1.0, 1.0, (100, 2000))   # 2000 runs of noisy gradients
spread = [np.std(v := 0.999 * v + 0.001 * g**2) / np.mean(v) for g in noisy]          # std / mean of v-hat over runs
print(f"noisy gradients 1 + N(0, 1): spread of v-hat {spread[0]:.2f} at t = 1, {spread[99]:.2f} at t = 100")
assert round(spread[0], 1) == 1.2 and round(spread[99], 2) == 0.12
assert np.isclose(-np.diff(adam_steps(lambda x: np.full_like(x, 1e-9), [0.0], 1.0, 1)[:, 0])[0], 1 / 11)  # tiny g

# %% [markdown]
# Without the correction, the first step is $\sqrt{10} \approx 3.2$ times too long (Kingma and Ba, 2015,
# section 3, say "much larger") and the next ones longer still, up to 6.6 times at step 12: early on $v$
# is much further below its target than $m$ is ($\beta_2$ is closer to 1), so the denominator is far too
# small. It takes a few thousand steps for the factor to fade. With the correction the first step is
# $\eta$ per coordinate for any gradient ($\epsilon$ aside), and every later one too when the gradient is
# constant; Kingma and Ba (2015, section 2.1) state $\eta(1 - \beta_1)/\sqrt{1 - \beta_2} \approx 3.16\,\eta$
# as a bound on the step and say it is usually about $\eta$ or smaller, but the bound can be exceeded: a
# gradient jumping from 1 to 10 at step 1,000 gives steps up to about $4.5\,\eta$, and with the default $\beta$'s no
# gradient sequence gives more than $7.28\,\eta$ ([details notebook](06_adaptive_details.ipynb), section
# B). The "$\epsilon$ aside" matters for tiny gradients: where $\sqrt{\hat v}$ is comparable to $\epsilon$
# the step shrinks below $\eta$ (a first gradient of $10^{-9}$ gives $\eta/11$; details section I).
#
# **Bias correction is not a warm-up.** The correction fixes the *mean* of $\hat v$ over the first steps, not its
# noise: $\hat v_1 = g_1^2$, a single squared gradient, and $\hat v_t$ averages only $t$ of them, so with noisy
# gradients the first step sizes are noisy too (for gradients $1 + \mathcal N(0, 1)$, the spread, standard deviation
# over mean, of $\hat v_t$ across 2000 runs is 1.2 at $t = 1$, 0.12 at $t = 100$). Two common remedies: a learning
# rate that starts small and grows, a **warm-up** (chapter 09 uses a linear one, after Goyal et al., 2017, section
# 2.2; Liu et al., 2020, section 3, trace its need to this noise), and RAdam (details section J).
#
# The figure puts the step lengths of this section side by side, in units of $\eta$, under a
# constant gradient (RMSprop's thick line runs under Adam's dashed one once both are at 1):

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
ada_constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=1.0, steps=5000)
marks = np.unique(np.geomspace(1, 4000, 12).astype(int))          # a marker every so often on a log axis
fig, ax = plt.subplots(figsize=(7.5, 4))
ax.plot(t, -np.diff(ada_constant[:, 0]), color=style.color_for("adagrad"), marker="^", markevery=list(marks),
        label=r"Adagrad: $1/\sqrt{t}$")
rms_constant = -np.diff(rmsprop_steps(lambda x: np.ones_like(x), [0.0], lr=0.1, steps=5000)[:, 0])  # to 5000 too
ax.plot(t, rms_constant / 0.1, color=style.color_for("rmsprop"), linewidth=4, alpha=0.8, marker="v",
        markevery=list(marks), markersize=8, label=r"RMSprop: $1/\sqrt{1-\alpha^t}$")
ax.plot(t, uncorrected / lr, color=style.color_for("adam"), linestyle=":", linewidth=2.2, marker="o",
        markevery=list(marks), markerfacecolor="white", label="Adam without bias correction")
ax.plot(t, corrected / lr, color=style.color_for("adam"), linestyle="--", marker="P", markevery=list(marks + 1),
        label="Adam: exactly 1")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set(xlabel="step $t$", ylabel=r"step length / $\eta$", title="Under a constant gradient")
ax.legend(fontsize=8, loc="lower left");

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose((1 - 0.9) / math.sqrt(1 - 0.999), 3.16, atol=5e-3)              # Kingma & Ba's bound

# %% [markdown]
# ### Adam is a composition
#
# Adam's scaling (everything but the learning rate) is a gradient transformation of its own,
# `scale_by_adam`; the learning rate is another, `scale_by_learning_rate` (multiply by $-\eta$). `chain`
# applies one after the other, so Adam is exactly their composition, and the state is a tuple of the
# blocks' states. The moments $m$ and $v$ are in it, named `mu` and `nu`:

# %%
composed = chain(scale_by_adam(betas=(0.9, 0.999), eps=1e-8), scale_by_learning_rate(0.05))
a = run(composed, rosenbrock, rosenbrock.start, steps=300, tol=0, record_states=True)
b = run(adam(lr=0.05), rosenbrock, rosenbrock.start, steps=300, tol=0)
assert np.array_equal(a.xs, b.xs)                      # bit for bit
after_step_1 = a.states[0]           # run(record_states=True) keeps the state after each step: states[0] = step 1
adam_block, lr_block = after_step_1  # chain's state: one entry per block, in the order of the chain
print(adam_block)
print(lr_block)
assert adam_block.count == 1 and np.allclose(adam_block.mu, 0.1 * rosenbrock.grad(rosenbrock.start))
assert adam_block.mu.shape == adam_block.nu.shape == np.shape(rosenbrock.start)     # two arrays the size of x;
assert sum(isinstance(a, np.ndarray) for st in sgd(lr=0.1, momentum=0.9).init(np.zeros(2)) for a in st) == 1  # one

# %% [markdown]
# Printed: `scale_by_adam`'s state after the first step (the step counter, $m_1 = (1 - \beta_1)\, g_1$, $v_1$, and
# `nu_max=None`, which only AMSGrad uses, section 6), then the learning-rate block's. So Adam stores two arrays the
# size of the weights ($m$, $v$), where momentum stores one. `adamw`, `rmsprop` and `adagrad` are built the same way
# in `gdlearn.optim`; from here on we use them (section 4 also runs short numpy loops, to batch hundreds of small runs
# at once).

# %% [markdown]
# ## 4. What per-coordinate steps cannot fix: diagonal preconditioning
#
# **The answer first.** Per-coordinate step sizes take out curvature that lies along the coordinate axes, and help
# less and less as the valley turns away from them. At 45°, from this section's start, Adagrad behaves like plain
# gradient descent, with one step size (from step 10 on the two coordinates' agree within 3 %) frozen by its first
# gradients.
#
# **Why.** On $f(x) = \tfrac12 \sum_i a_i x_i^2$ the gradient of coordinate $i$ is $a_i x_i$: every gradient of that
# coordinate carries the factor $a_i$, so does $\sqrt{s_i}$, and the factor cancels in $g_i/\sqrt{s_i}$. Each
# coordinate runs Adagrad on $\tfrac12 x^2$ from its own start, whatever its curvature (this is how section 1's
# Adagrad shrugged off $\kappa = 10^6$). That works because the valley's axes *are* the coordinate axes.
#
# Dividing coordinate $i$'s step by a positive number $d_i$ is **diagonal preconditioning**:
# $x \leftarrow x - \eta\, D^{-1} \nabla f(x)$ with $D = \operatorname{diag}(d)$. In the variables $y = D^{1/2} x$
# this is plain gradient descent on $f(D^{-1/2} y)$, whose Hessian is $D^{-1/2} A D^{-1/2}$ ($A$ the Hessian of $f$).
# So a diagonal preconditioner helps exactly as much as rescaling the axes makes the valley round. For an axis-aligned
# valley, $d_i = a_i$ makes it perfectly round ($\kappa = 1$). For a valley turned by an angle $\theta$, rescaling the
# axes stretches a tilted ellipse along the axes and cannot make it round; at $\theta = 45°$ the two diagonal entries
# of $A$ are equal, so the natural choice $D = \operatorname{diag}(A)$ is a multiple of the identity and changes
# nothing. For $2 \times 2$ matrices no diagonal does better than $\operatorname{diag}(A)$ (Forsythe and Straus, 1955;
# details section C checks it by a scan).

# %%
KAPPA = 100.0
ANGLES = np.array([0, 5, 10, 15, 20, 25, 30, 35, 40, 45])


def valley(angle_deg):
    """The kappa = 100 quadratic turned by angle_deg; its start turns with it (gdlearn.surfaces.quadratic)."""
    return quadratic(KAPPA, angle=math.radians(angle_deg))


def rescaled(A):
    """D^-1/2 A D^-1/2 with D = diag(A): the Hessian after the rescaling."""
    r = 1 / np.sqrt(np.diag(A))
    return r[:, None] * A * r[None, :]

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
kappas_after = {deg: np.linalg.cond(rescaled(valley(deg).hess(np.zeros(2)))) for deg in (0, 15, 30, 45)}
assert np.isclose(kappas_after[0], 1.0) and np.isclose(kappas_after[45], KAPPA)     # aligned: round; 45°: unchanged
assert np.isclose(kappas_after[15], 26.5, atol=0.05) and np.isclose(kappas_after[30], 75.5, atol=0.05)
assert np.allclose(np.diag(valley(45).hess(np.zeros(2))), (1 + KAPPA) / 2)         # 45°: equal diagonal entries
for deg in (15, 30):                           # rescaled: diagonal entries 1, axes (eigenvectors) at +-45°
    assert np.allclose(np.abs(np.linalg.eigh(rescaled(valley(deg).hess(np.zeros(2))))[1]), 1 / math.sqrt(2))

# %% [markdown]
# Below, the level set $\tfrac12 x^\top A x = 1$ before and after that rescaling, each drawn to the same size (an
# ellipse's length-to-width ratio is $\sqrt\kappa$). The rescaling rounds an aligned ellipse fully, a turned one only
# partly (κ drops from 100 to 26.5 at 15°, to 75.5 at 30°), and tilts it to exactly 45°: the rescaled matrix has both
# diagonal entries 1, and a symmetric $2 \times 2$ matrix with equal diagonal entries has its axes at ±45°. A 45°
# ellipse it leaves unchanged:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(2, 2, figsize=(8.6, 9), layout="constrained")
phi = np.linspace(0, 2 * np.pi, 400)
circle = np.stack([np.cos(phi), np.sin(phi)])
for ax, deg in zip(axes.flat, (0, 15, 30, 45)):
    A = valley(deg).hess(np.zeros(2))
    kappas = []
    for M, label, color, ls in [(A, "original: $A$", COLORS["blue"], "-"),
                                (rescaled(A), r"rescaled: $D^{-1/2} A D^{-1/2}$", COLORS["vermillion"], "--")]:
        evals, evecs = np.linalg.eigh(M)
        pts = evecs @ (circle / np.sqrt(evals)[:, None])          # x^T M x = 1
        pts /= np.abs(pts).max()                                   # same size in every panel
        ax.plot(pts[0], pts[1], color=color, linestyle=ls, linewidth=2, label=label)
        kappas.append(np.linalg.cond(M))
    ax.set(xlim=(-1.15, 1.15), ylim=(-1.15, 1.15), aspect="equal", xlabel="first coordinate", ylabel="second coordinate",
           title=f"turned by {deg}°" + (": they coincide" if deg == 45 else "")
           + f"\nκ {kappas[0]:.0f} → {kappas[1]:.1f}, length/width "
           f"{np.sqrt(kappas[0]):.0f} → {np.sqrt(kappas[1]):.1f}")
    ax.title.set_fontsize(10)
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=10)
fig.suptitle(r"Level sets $\frac{1}{2}x^\top A x = 1$ before and after the rescaling $D = \mathrm{diag}(A)$");

# %% [markdown]
# Adagrad's $\sqrt{s_i}$ is such a per-coordinate scale, learned from the gradients (d2l's Adagrad section calls it a
# proxy for the diagonal of the Hessian; it tracks the size of coordinate $i$'s gradients, curvature times distance on
# an aligned noise-free quadratic). Adam's $\sqrt{\hat v_i}$ is another, but Adam also has momentum; to separate the
# two we also run Adam with $\beta_1 = 0$ (its scaling alone) and the heavy ball (momentum $0.9$, no scaling; chapter
# 05). **The test**: on the $\kappa = 100$ quadratic turned by $0°$ to $45°$, started at the same place relative to the
# valley (2.5 along its flat axis, 1 along its steep one), how many steps does each method need to bring $f$ below $10^{-8}$ of its start and keep it there (checked up
# to step 4,000)? Each method gets its best learning rate on a grid of 46 rates from $10^{-3}$ to 30. A collapsed
# helper runs every (angle, rate) pair at once:

# %% jupyter={"source_hidden": true}
def race_every_angle_and_rate(method):
    """Run `method` on every (angle, rate) pair, 2 * MAX_STEPS steps; per angle, the best first and stays counts and the
    rate of each (the first count's: the path panels' rates, Adagrad's 45° check, the first-count panel)."""
    A_rows = np.repeat([valley(deg).hess(np.zeros(2)) for deg in ANGLES], len(lr_grid), axis=0)  # one per (angle, rate)
    x0_rows = np.repeat([valley(deg).start for deg in ANGLES], len(lr_grid), axis=0)
    batch_grad = lambda x: (A_rows @ x[..., None])[..., 0]             # every row's gradient A x
    batch_f = lambda xs: 0.5 * np.sum(xs * batch_grad(xs), axis=-1)
    with np.errstate(all="ignore"):                                    # rates that diverge are results, not errors
        xs = method(batch_grad, x0_rows, np.tile(lr_grid, len(ANGLES))[:, None], 2 * MAX_STEPS)   # (steps + 1, rows, 2)
        below = batch_f(xs) < 1e-8 * batch_f(x0_rows)
    never = np.iinfo(int).max
    first = np.where(below.any(axis=0), below.argmax(axis=0), never).reshape(len(ANGLES), -1)
    last_above = len(below) - 1 - np.argmax(~below[::-1], axis=0)      # below[0] is False: f0 is above
    stays = np.where(below[-1], last_above + 1, never).reshape(len(ANGLES), -1)   # below up to step 2 * MAX_STEPS
    best = lambda counts: (counts.min(axis=1), lr_grid[counts.argmin(axis=1)])
    return (xs[: MAX_STEPS + 1].copy(),) + best(first) + best(stays)


# %%
def heavy_ball_steps(grad, x0, lr, steps, momentum=0.9):      # chapter 05; momentum 0: gradient descent
    x, b, path = np.array(x0, dtype=float), 0.0, [np.array(x0, dtype=float)]
    for _ in range(steps):
        b = momentum * b + grad(x)
        x = x - lr * b
        path.append(x)
    return np.array(path)


gd_steps = lambda *args: heavy_ball_steps(*args, momentum=0.0)
METHODS = {"gradient descent": gd_steps, "heavy ball (β = 0.9)": heavy_ball_steps, "Adagrad": adagrad_steps,
           "Adam, β1 = 0": lambda *args: adam_steps(*args, betas=(0.0, 0.999)), "Adam": adam_steps}
lr_grid, MAX_STEPS = np.geomspace(1e-3, 30, 46), 2000
paths, needed, best_lr, stays, stays_lr = {}, {}, {}, {}, {}
for name, method in METHODS.items():
    paths[name], needed[name], best_lr[name], stays[name], stays_lr[name] = race_every_angle_and_rate(method)
table(["method: steps to stay below", "0° (aligned)", "45°"],       # every angle: the figure; as a table: details C
      [(name, stays[name][0], stays[name][-1]) for name in METHODS])

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
row = list(ANGLES).index(30) * len(lr_grid) + 20                      # Adam on the 30° valley, one rate: a plain run
assert np.allclose(paths["Adam"][:201, row], run(adam(lr=lr_grid[20]), valley(30), valley(30).start, steps=200, tol=0).xs,
                   rtol=1e-10, atol=1e-12)
gd_n, ada_n, adam0_n = (needed[name] for name in ("gradient descent", "Adagrad", "Adam, β1 = 0"))   # first below
gd_s, hb_s, ada_s, adam0_s, adam_s = (stays[name] for name in METHODS)   # the count of the text: stays below
assert np.array_equal(ada_n, ada_s) and np.array_equal(gd_n, gd_s)      # Adagrad, GD: f never comes back up
assert ada_s[0] == 6 and best_lr["Adagrad"][0] > 10                   # Adagrad, aligned: a handful of long steps
assert abs(ada_s[ANGLES == 25][0] - gd_s[0]) < 0.1 * gd_s[0]            # at 25°: about as many as gradient descent
assert all(np.all(np.diff(c) > 0) for c in (ada_s, adam0_s))            # they slow down as the valley turns
assert all(stays[name].max() < 2 * MAX_STEPS for name in METHODS)
assert all(c.max() - c.min() <= 1 for c in (gd_s, hb_s))                # no scaling: the angle does not matter
assert adam0_s[0] < gd_s[0] / 4 and adam0_s[-1] / adam0_s[0] > 15       # Adam, beta1 = 0: fast aligned, 15x slower at 45°
assert 4.5 < adam0_s[-1] / gd_s[-1] < 5.5                              # ~5x gradient descent at 45°
assert adam_s.max() < 1.6 * adam_s.min() and abs(adam_s.min() - 167) <= 3 and abs(adam_s.max() - 251) <= 5   # Adam
assert all(np.all(needed[n] < stays[n]) for n in ("heavy ball (β = 0.9)", "Adam, β1 = 0", "Adam"))   # first: lower
for name, quoted in [("gradient descent", (393, 393)), ("heavy ball (β = 0.9)", (174, 174)), ("Adagrad", (6, 577)),
                     ("Adam, β1 = 0", (94, 1934)), ("Adam", (167, 251))]:              # the table's numbers, quoted
    assert np.abs(stays[name][[0, -1]] - quoted).max() <= 5, name
assert abs(adam0_n[-1] - 381) <= 5 and abs(adam0_n[-1] / gd_n[-1] - 1) < 0.1   # 45°, first below: as fast as GD ...
lr_dip, v45 = best_lr["Adam, β1 = 0"][-1], valley(45)                  # ... at a rate where it does not stay below:
f_dip = v45.f(adam_steps(v45.grad, v45.start, lr_dip, 2 * MAX_STEPS, betas=(0.0, 0.999)).T)
crossings = np.flatnonzero(np.diff(f_dip < 1e-8 * f_dip[0]))
assert len(crossings) == 6 and f_dip[-1] > 1e-3 * f_dip[0]             # three dips below, each time back above
assert abs(crossings[0] + 1 - adam0_n[-1]) <= 5                          # the first: the count of the right panel
assert np.isclose(lr_dip, 0.24, atol=0.005) and 9 < lr_dip / stays_lr["Adam, β1 = 0"][-1] < 11   # stays: 10x smaller
assert np.all(np.abs(adam_s[ANGLES <= 25] / hb_s[0] - 1) < 0.1)       # figure: "nearly equal" (0-25°)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_0, ax_45) = plt.subplots(1, 2, figsize=(11, 5.8), layout="constrained")   # left: 0°; right: 45°
for ax, deg, show, lim in [(ax_0, 0, 40, None), (ax_45, 45, 10, (-2.8, 0.6))]:   # 45°: zoomed, the two zigzags side by side
    v = valley(deg)
    plotting.plot_contours(v, ax=ax)
    i = list(ANGLES).index(deg)
    for name, key, ls, marker, size in [("gradient descent", "gd", "-", "o", 6), ("Adagrad", "adagrad", "--", "^", 7)]:
        j = i * len(lr_grid) + int(np.argmin(np.abs(lr_grid - best_lr[name][i])))
        xs = paths[name][: show + 1, j]
        on_top = key == "adagrad"                 # Adagrad drawn over gradient descent (no outline: it doubles dashes)
        ax.plot(xs[:, 0], xs[:, 1], color=style.color_for(key), linestyle=ls, marker=marker, markersize=size,
                markerfacecolor="none" if key == "gd" else None, markeredgecolor="black" if on_top else None,
                linewidth=2.2 if on_top else 1.2, alpha=1.0 if on_top else 0.6, zorder=5 if on_top else 4,
                label=f"{name}, lr = {best_lr[name][i]:.3g}")
        for step in ((1, 2, 3) if deg == 45 else (2, 3)) if on_top else ():   # number Adagrad's first steps
            back = deg == 0 and step == 2                 # 0°: step 2 lands next to the start; say so, with an arrow
            ax.annotate("step 2: back near the start" if back else f"{step}", xs[step], textcoords="offset points",
                        xytext=(8, -4) if deg == 45 else (10, 40) if back else (2, 6), fontsize=10, fontweight="bold",
                        zorder=7, path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
                        arrowprops=dict(arrowstyle="->", linewidth=0.8) if back else None)
        if deg == 0 and on_top:                          # steps 4 to 6 land on the minimum, under its star
            assert np.abs(xs[4:7]).max() < 0.1
            ax.annotate("steps 4 to 6: under the star", xs[5], xytext=(0.55, -1.3), zorder=8, fontsize=9,
                        arrowprops=dict(arrowstyle="->", linewidth=0.8),
                        bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.6"))
        if deg == 45 and on_top:
            ax.annotate("steps 4 to 10: short zigzags,\nclose together", xs[6], xytext=(40, 60), zorder=7,
                        textcoords="offset points", fontsize=9, arrowprops=dict(arrowstyle="->", linewidth=0.8),
                        bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.6"))
    ax.plot(*v.start, color="black", **style.START_STYLE, label="start")
    title = (f"κ = 100, turned by 0°: GD's first {show} steps;\nAdagrad's {int(needed['Adagrad'][0])} (step 1 leaves the frame)"
             if deg == 0 else f"κ = 100, valley turned by {deg}°:\nfirst {show} steps")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal", xlim=lim, ylim=lim)
    ax.legend(fontsize=8, loc="upper right" if deg == 0 else "upper left")
fig, (ax, ax_first) = plt.subplots(1, 2, figsize=(11, 5.4), sharey=True, layout="constrained")
fig.suptitle("Per-coordinate steps need aligned axes: steps needed against the valley's angle")
for a, counts, until in [(ax, stays, r"stays below $10^{-8} f_0$ (checked to step 4,000)"),
                         (ax_first, needed, r"first gets below $10^{-8} f_0$")]:
    for name, key, marker, ls in [("gradient descent", "gd", "o", "-"), ("heavy ball (β = 0.9)", "momentum", "s", "-."),
                                  ("Adagrad", "adagrad", "^", "--"), ("Adam, β1 = 0", "0.45", "v", (0, (5, 1, 1, 1))),
                                  ("Adam", "adam", "P", ":")]:      # GD and Adagrad never come back up: the same counts
        a.plot(ANGLES, counts[name], color=style.OPTIMIZER_COLORS.get(key, key), marker=marker, ms=7, ls=ls,
               label=name + (" (same in both panels)" if name in ("gradient descent", "Adagrad") else ""))
    a.set(yscale="log", xticks=ANGLES, xlabel="angle of the valley to the axes (degrees)", title=f"steps until $f$ {until}",
          ylabel="steps needed (best rate of the grid for each)" if a is ax else "")
ax.annotate("heavy ball and Adam\nnearly equal at 0–25°", (10, stays["Adam"][2]), xytext=(0, -55), fontsize=9,
            textcoords="offset points", bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.6"),
            arrowprops=dict(arrowstyle="->", linewidth=0.8))
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=9);

# %% [markdown]
# **The paths** (first figure; gradient descent drawn lighter). Aligned (left), Adagrad needs 6 steps, at an
# $\eta$ near the top of the grid: its first step leaves the frame and the huge second gradient then sets its step
# sizes, an artefact of this noise-free, exactly aligned quadratic (details section C draws the whole path and
# explains it). At 45° (right) Adagrad's crossings of the valley shrink within a few steps, while gradient descent's
# keep nearly the valley's width.
#
# **The counts** (second figure; the left panel counts the step from which $f$ stays below). Gradient descent and the
# heavy ball treat all directions alike: 393 and 174 steps at every angle (the heavy ball's $\beta = 0.9$ is not
# tuned). Adagrad and Adam with $\beta_1 = 0$ slow down as the valley turns: Adagrad from 6 steps to about gradient
# descent's count at 25° and 577 at 45°, Adam with $\beta_1 = 0$ from 94 to 1,934, about 5 times gradient descent's.
# Full Adam ($\beta_1 = 0.9$) varies less than 1.6-fold (167 to 251), and at 0° it barely beats the untuned heavy
# ball (167 against 174). Its insensitivity to the angle comes with its momentum: with $\beta_1 = 0$, 0.7 and 0.9,
# the 45°/0° ratio of this count is about 21, 12 and 1.5 (details section C).
#
# The right panel counts the first step below instead, which differs only for the methods whose $f$ comes back up (gradient descent zigzags, but its $f$ only
# falls). By it Adam with $\beta_1 = 0$ at 45° is as fast as gradient descent (381 steps), but at a rate (0.24) where
# it does not stay: it dips below three times, comes back above each time, and ends step 4,000 above $10^{-3} f_0$.
# The rate that stays below is 10 times smaller.
#
# **Why is Adagrad at 45° slower than gradient descent?** Because there it behaves like gradient descent, with one
# step size for both coordinates (within 3 % from step 10 on) that the first gradients freeze below gradient descent's
# best. At 45° each coordinate axis makes the same angle with both axes of the valley. From this start the gradients
# point mostly across the valley, its steep direction: at the start their components along the valley's axes are
# $\mu \cdot 2.5 = 2.5$ and $L \cdot 1 = 100$ in size ($\mu = 1$ and $L = 100$, the valley's two curvatures, as in
# chapter 02). Such a gradient has two coordinates of nearly equal size, so the two sums $s_i$ grow alike; the first,
# largest gradients dominate them, so the step size soon stops moving. The cell below measures it:

# %%
v45, lr45 = valley(45), best_lr["Adagrad"][-1]
x45, s45 = np.array(v45.start, dtype=float), np.zeros(2)
rates45 = []
for _ in range(int(needed["Adagrad"][-1])):                # Adagrad's loop, keeping the step size lr / sqrt(s)
    g45 = v45.grad(x45)
    s45 = s45 + g45 * g45
    x45 = x45 - lr45 * g45 / (np.sqrt(s45) + 1e-10)
    rates45.append(lr45 / np.sqrt(s45))
rates45 = np.array(rates45)
frozen = rates45[-1].mean()
gd_at_frozen = gd_steps(v45.grad, v45.start, frozen, MAX_STEPS)
gd_frozen_n = int(np.argmax(v45.f(gd_at_frozen.T) < 1e-8 * v45.f(v45.start)))
print(f"Adagrad's step sizes at steps 1, 10, {len(rates45)}: {rates45[[0, 9, -1]].round(4).tolist()}; gradient descent: "
      f"best rate {best_lr['gradient descent'][-1]:.4f}, at {frozen:.4f} needs {gd_frozen_n} steps (Adagrad {len(rates45)})")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.abs(rates45[9:] / rates45[-1] - 1) < 0.01)             # frozen from step 10 on, within 1 %
assert np.all(np.abs(rates45[9:, 1] / rates45[9:, 0] - 1) < 0.03)        # the two coordinates alike
_, axes45 = np.linalg.eigh(v45.hess(np.zeros(2)))                        # the valley's axes: flat, then steep
assert np.allclose(np.abs(axes45.T @ v45.start), [2.5, 1])              # the start, along the valley's axes
assert np.allclose(np.abs(axes45.T @ v45.grad(v45.start)), [2.5, 100])  # the start's gradient: mostly steep
assert 0.6 < frozen / best_lr["gradient descent"][-1] < 0.75             # about 2/3 of gradient descent's best
assert abs(gd_frozen_n - needed["Adagrad"][-1]) <= 0.02 * needed["Adagrad"][-1]   # and that explains the count

# %% [markdown]
# From step 10 on, Adagrad's two step sizes stay within 1 % of their final values and within 3 % of each other, at
# about two thirds of gradient descent's best learning rate, $\approx 2/(L + \mu) = 2/101$ (chapter 02). Gradient
# descent run at that frozen step size needs as many steps as Adagrad. No $\eta$ of the grid lifts the frozen step size
# to gradient descent's best, and from each of 24 random starts at the same distance Adagrad was slower too (details
# section C, counting the first step below; a start near the valley floor is an exception).
#
# So per-coordinate step sizes help with ill-conditioning that lies **along the coordinate axes**, such as coordinates
# whose gradients have very different scales, or rare features (section 1). They do not straighten a valley that runs
# diagonally through the coordinates: for that a method must mix coordinates, as Newton's method does with the full
# Hessian (chapter 08), or full-matrix and block preconditioners such as Shampoo and K-FAC (details section J). And
# aligned, they take out the curvature, not the distances: one $\eta$ moves every coordinate by about the same amount
# (Adam's first step is $\eta$ in each, section 3), so from a start near the minimum in one coordinate and far in
# the other, Adam with $\beta_1 = 0$ is slow even on the aligned valley (details section C).

# %% [markdown]
# ## 5. AdamW: weight decay is not an L2 penalty for Adam
#
# **Weight decay** shrinks every weight a little at each step, towards zero, to keep a model simple. The usual way is
# an **L2 penalty**: add $\tfrac{\lambda}{2}\lVert x\rVert^2$ to the loss, so the gradient gets a term $\lambda x$.
# For plain gradient descent (no momentum) the two are the same step:
#
# $$x - \eta\,(g + \lambda x) = (1 - \eta\lambda)\, x - \eta g,$$
#
# a shrink by the factor $1 - \eta\lambda$, then the gradient step (PyTorch's `torch.optim.SGD(weight_decay=λ)`, like
# `gdlearn`'s `sgd`, is the L2 form). With momentum the two forms differ (details section D).
#
# **For Adam, L2 and decoupled decay are different regularizers, even without momentum.** The penalty's gradient
# $\lambda x$ goes into $m$ and $v$ and is divided by $\sqrt{\hat v}$ like the rest, so the decay part of coordinate
# $i$'s step is about $\eta\lambda x_i/\sqrt{\hat v_i}$ while $x$ changes slowly: weaker than a plain decay
# $\eta\lambda x_i$ where the root mean square of that coordinate's recent gradients is above 1, stronger where it is
# below 1. **AdamW** (`torch.optim.AdamW`, `gdlearn.optim.adamw`) takes the decay out of the adaptive part:
#
# $$x_t = (1 - \eta\lambda)\, x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},$$
#
# with $m$ and $v$ computed from the loss gradient alone. This is PyTorch's (and `gdlearn`'s) form; Loshchilov and
# Hutter (2019, Algorithm 2) multiply the decay by the schedule multiplier $\eta_t$ (1 without a schedule), not by the
# learning rate $\alpha$:
# $x_t = x_{t-1} - \eta_t\big(\alpha\,\hat m_t/(\sqrt{\hat v_t} + \epsilon) + \lambda x_{t-1}\big)$ (details section D).
#
# To see what each does, take $f(x) = \tfrac12\big(10\,(x_1 - 1)^2 + 0.1\,(x_2 - 1)^2\big)$, steep in $x_1$ and flat
# in $x_2$, whose L2-penalized minimum is $a_i/(a_i + \lambda)$ per coordinate ($a = (10, 0.1)$), with
# $\lambda = 0.1$, $\eta = 0.01$, from $(0, 0)$, and run long enough to see where each *ends*:

# %%
curvature, target = np.array([10.0, 0.1]), np.array([1.0, 1.0])
f_demo = lambda x: 0.5 * np.sum(curvature * (x - target) ** 2)
grad_demo = lambda x: curvature * (x - target)
penalized_minimum = lambda strength: curvature * target / (curvature + strength)   # where grad f + strength * x = 0
lam, LONG = 0.1, 20_000
adam_l2 = run(adam(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=LONG, tol=0)
adam_w = run(adamw(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=LONG, tol=0)
l2_minimum = penalized_minimum(lam)                         # where grad f + lambda x = 0
late = adam_w.xs[-2000:]

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
l2_gap = np.abs(adam_l2.xs[300:] - l2_minimum)                       # L2: near the penalized minimum from step 300
assert np.all(l2_gap[:, 1] < 1e-6) and np.all(l2_gap[:, 0] < 0.003) and l2_gap[:, 0].max() > 1e-3   # steep: hovers
assert np.allclose(adam_w.xs[5000], 0.998, atol=1e-3)                # step 5000: still on its way
assert np.allclose(late.mean(axis=0), 1.0, atol=1e-3)                # then: the minimum of f itself,
assert np.all(np.ptp(late, axis=0) < 0.01)                           # within 0.01
assert np.allclose(adam_w.xs[:5001, 0], adam_w.xs[:5001, 1], atol=1e-6)   # both coordinates alike
assert np.allclose(l2_minimum, [0.990, 0.5], atol=5e-4)
g_w = grad_demo(adam_w.xs[:-1])                                      # the gradient AdamW used at steps 1, 2, ...
v_w, v_now = np.empty_like(g_w), np.zeros(2)
for t, g_t in enumerate(g_w):                                        # Adam's v, by its published recursion
    v_now = 0.999 * v_now + 0.001 * g_t**2
    v_w[t] = v_now / (1 - 0.999 ** (t + 1))                           # bias-corrected
memory = np.sqrt(v_w[299:10_000]) / np.abs(g_w[299:10_000])          # steps 300 to 10,000
assert np.all((memory > 9.5) & (memory < 10.5))                      # sqrt(v hat) within 5 % of 10 |g|
shrink = (np.abs(g_w[9_000]) / np.abs(g_w[3_000])) ** (1 / 6_000)    # per step, steps 3,000 to 9,000
assert np.allclose(shrink, np.sqrt(0.999), atol=1e-4)

# %% [markdown]
# **Without noise, AdamW ends at the minimum of the unregularized $f$.** Adam with the L2 penalty reaches the penalized
# minimum by step 300 and stays near it (flat coordinate to $10^{-6}$, steep within 0.003, details section E): the
# flat coordinate at 0.5, the steep one barely below 1 (0.990). AdamW passes $(0.998, 0.998)$ at step 5,000 and ends
# within 0.01 of $(1, 1)$: its decay does almost nothing. (Its two coordinates move alike: the steep one's gradient is
# 100 times the flat one's at every step, and multiplying every gradient by $c > 0$ leaves $\hat m/\sqrt{\hat v}$
# unchanged up to $\epsilon$; exercise 6.5 uses this.)
#
# Why? AdamW stops where its two terms cancel, $\hat m/(\sqrt{\hat v} + \epsilon) = -\lambda x$. With a steady
# gradient $g$ the left side is about $g/(|g| + \epsilon)$, of size nearly 1 whatever $|g|$, while $\lambda x \approx
# 0.1$. They cancel only where $|g|/(|g| + \epsilon) = 0.1$, i.e. $|g| = \epsilon/9 \approx 10^{-9}$: for all practical
# purposes, at the minimum of $f$. (Here $\hat v$ still remembers the large early gradients: from step 300 to 10,000
# its root stays within 5 % of $10\,|g|$, so the step's $\hat m/\sqrt{\hat v} \approx 0.1$ just cancels the decay's
# $\lambda x \approx 0.1$, and $|g|$ shrinks only as fast as $\hat v$ forgets, by a factor of about
# $\sqrt{\beta_2} = \sqrt{0.999}$ per step. So AdamW only creeps towards that point: the dash-dot curve in the
# figure below. What Adam does once the gradient is about zero:
# [details notebook](06_adaptive_details.ipynb), section E.)
#
# **With noisy gradients AdamW acts like an L2 penalty set by the noise.** Let coordinate $i$'s gradient be
# $\partial_i f + \sigma_i\xi$, with $\xi$ standard normal noise (the demo uses one $\sigma$ for both). The argument,
# step by step:
#
# 1. *Assumption: $\hat v_i$ is nearly constant.* With $\beta_2 = 0.999$ it averages about $1/(1 - \beta_2) = 1000$
#    squared gradients, so it is close to their mean, $\mathbb{E}[g_i]^2 + \sigma_i^2$ (at the end of the noisy runs
#    below, $\sqrt{\hat v_i}$ varies across runs by under 2 %). $\hat m_i$ averages only about 10 gradients: its mean
#    is $\mathbb{E}[g_i]$, but its spread across runs is larger than that mean.
# 2. *Assumption: near the minimum the noise dominates*, $\sigma_i \gg |\mathbb{E}[g_i]|$.
# 3. *First approximation* (from 1): the mean of a quantity divided by a near-constant is its mean divided by that
#    constant, $\mathbb{E}[\hat m_i/\sqrt{\hat v_i}] \approx \mathbb{E}[\hat m_i]/\sqrt{\mathbb{E}[\hat v_i]}$
#    (to 2 % at the end of the runs below) $= \mathbb{E}[g_i]/\sqrt{\mathbb{E}[g_i]^2 + \sigma_i^2}$.
# 4. *Second approximation* (from 2): $\sqrt{\mathbb{E}[g_i]^2 + \sigma_i^2} \approx \sigma_i$, so
#    $\mathbb{E}[\hat m_i/\sqrt{\hat v_i}] \approx \mathbb{E}[g_i]/\sigma_i$.
# 5. *Result.* AdamW's mean step, $-\eta$ times $\lambda x_i + \mathbb{E}[g_i]/\sigma_i$, vanishes where
#    $\mathbb{E}[g_i] + \lambda\sigma_i\, x_i = 0$: the minimum of an L2 penalty of strength $\lambda\sigma_i$, here
#    $x_i = a_i/(a_i + \lambda\sigma_i)$. Adam + L2 divides its whole gradient $g + \lambda x$ by the same
#    $\sqrt{\hat v}$, so its mean step vanishes where $\mathbb{E}[g_i] + \lambda x_i = 0$: $x_i = a_i/(a_i + \lambda)$,
#    the penalized minimum.
#
# So AdamW decays noisier coordinates harder. With $\sigma_1 = \sigma_2 = \sigma = 2$ the predictions are $0.980$ and
# $0.333$ for AdamW, $0.990$ and $0.5$ for Adam + L2. We check them on 256 independent runs of 20,000 steps, each
# position averaged over the last 10,000 steps:

# %%
sigma, seeds, noisy_steps = 2.0, 256, 20_000


def noisy_run(opt, sigmas=sigma, seed=60):
    """`seeds` runs at once (a row each; one block of rows per entry of an array `sigmas`), gradient grad f + sigma *
    noise: each run's position averaged over the last half, the mean over runs at every step, the final state."""
    rng, x = np.random.default_rng(seed), np.zeros(np.shape(sigmas) + (seeds, 2))
    state, total, mean_path = opt.init(x), np.zeros_like(x), []
    for k in range(noisy_steps):
        g = curvature * (x - target) + np.asarray(sigmas)[..., None, None] * rng.normal(size=x.shape)
        updates, state = opt.update(g, state, x)
        x = optim.apply_updates(x, updates)
        mean_path.append(x.mean(axis=-2))
        total += x if k >= noisy_steps // 2 else 0
    return total / (noisy_steps - noisy_steps // 2), np.array(mean_path), state


(per_run_w, mean_path_w, end_state_w) = noisy_run(adamw(lr=0.01, weight_decay=lam))
(per_run_l2, mean_path_l2, _) = noisy_run(adam(lr=0.01, weight_decay=lam))
noisy_w, noisy_l2 = per_run_w.mean(axis=0), per_run_l2.mean(axis=0)
spread_w, spread_l2 = per_run_w.std(axis=0) / math.sqrt(seeds), per_run_l2.std(axis=0) / math.sqrt(seeds)
predicted_w = penalized_minimum(lam * sigma)
for i, name in [(0, "steep x1"), (1, "flat x2")]:
    print(f"{name}: AdamW {noisy_w[i]:.4f} ± {spread_w[i]:.4f} (predicted {predicted_w[i]:.4f}), "
          f"Adam + L2 {noisy_l2[i]:.4f} ± {spread_l2[i]:.4f} (L2 minimum {l2_minimum[i]:.4f})")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.allclose(predicted_w, [0.9804, 0.3333], atol=5e-5)                          # the predictions quoted
assert np.all(np.abs(curvature * (predicted_w - target)) < 0.1 * sigma)              # step 2 there: |E g| << sigma
assert np.all(spread_w < [1e-3, 0.01]) and np.all(spread_l2 < [1e-3, 0.01])          # standard errors
assert abs(noisy_w[0] - predicted_w[0]) < 2e-3 and abs(noisy_l2[0] - l2_minimum[0]) < 2e-3
assert 1e-4 < predicted_w[0] - noisy_w[0] < 1e-3 and spread_w[0] < 1.5e-4   # a few 1e-4 below the prediction
assert abs(noisy_w[1] - predicted_w[1]) < 0.03 and abs(noisy_l2[1] - l2_minimum[1]) < 0.03
assert noisy_l2[0] - noisy_w[0] > 5e-3 and noisy_l2[1] - noisy_w[1] > 0.1     # AdamW pulls harder, both coordinates
moments = end_state_w[0]                                   # scale_by_adam's state, after the last step
m_hat = moments.mu / (1 - 0.9**moments.count)
root_v_hat = np.sqrt(moments.nu / (1 - 0.999**moments.count))
assert np.all(root_v_hat.std(axis=0) < 0.02 * root_v_hat.mean(axis=0))      # sqrt(v_hat): spread under 2 %
assert np.all(m_hat.std(axis=0) > np.abs(m_hat.mean(axis=0)))                # m_hat: spread above its mean
assert np.allclose((m_hat / root_v_hat).mean(axis=0),                         # the ratio of means, to 2 %
                   m_hat.mean(axis=0) / np.sqrt((root_v_hat**2).mean(axis=0)), rtol=0.02)
fixed_point = lambda c, strength: c * curvature * target / (c * curvature + strength)   # loss times c: E[g] times c
assert np.allclose(fixed_point(10, lam * 10 * sigma), predicted_w)                   # AdamW: unchanged
assert np.allclose(fixed_point(10, lam), penalized_minimum(lam / 10))                 # Adam + L2: penalty lambda / c

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_clean, ax_noisy) = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True, layout="constrained")
k = np.arange(1, LONG + 1)
ax_clean.plot(k, adam_l2.xs[1:, 1], color=style.color_for("adam"), linewidth=3.5, label="Adam + L2")  # wide, beneath
ax_clean.plot(k, adam_w.xs[1:, 1], color=style.color_for("adamw"), linestyle="-.", label="AdamW")
ax_clean.axhline(1.0, color=COLORS["blue"], linestyle=":", linewidth=2, zorder=0, label="minimum of $f$: 1")
ax_noisy.plot(k, mean_path_l2[:, 1], color=style.color_for("adam"), linewidth=5, alpha=0.45, marker="o", markersize=8,
              markevery=0.1, label="Adam + L2")
ax_noisy.plot(k, mean_path_w[:, 1], color=style.color_for("adamw"), linestyle=(0, (4, 2)), linewidth=1.8,
              marker="h", markevery=0.1, label="AdamW")
ax_noisy.axhline(predicted_w[1], color=COLORS["bluish_green"], linestyle=(0, (6, 2, 1, 2)), linewidth=1.6,
                 label=rf"AdamW predicted: L2 minimum, $\lambda\sigma$: {predicted_w[1]:.3f}")
for ax, title in [(ax_clean, "no noise"), (ax_noisy, rf"noise $\sigma$ = {sigma:g}: mean of {seeds} runs")]:
    ax.axhline(l2_minimum[1], color=COLORS["reddish_purple"], linestyle=(0, (2, 2)), linewidth=1.6, zorder=5,
               label=rf"L2 minimum, $\lambda$: {l2_minimum[1]:.1f}")
    ax.set(xscale="log", xlabel="step $t$", title=f"Flat $x_2$, {title}", ylim=(0, 1.08), yticks=np.arange(0, 1.01, 0.2))
    ax.legend(fontsize=8, loc="lower right" if ax is ax_clean else "upper left")
ax_clean.set_ylabel("$x_2$ (flat)");

# %% [markdown]
# **With noise, AdamW regularizes the flat coordinate more than L2 does** (strength $\lambda\sigma$ against $\lambda$),
# the opposite of the noise-free picture. The figure shows the flat coordinate on a log step axis. Without noise
# (left): L2 at 0.5, AdamW at 1. With $\sigma = 2$ (right, means of 256 runs) L2 still ends near 0.5, while AdamW's
# mean rises only to about 0.33. The predictions are close, not exact: on the steep coordinate AdamW ends a few
# $10^{-4}$ below its 0.9804. Other noise seeds, and why the noisy runs start far slower: details section D.
#
# **The crossover.** For $\sigma < 1$ the prediction reverses the order ($\lambda\sigma$ below L2's $\lambda$). Below,
# the flat $x_2$'s end point at five noise levels (computed as above; noise seed 61):

# %%
SIGMAS, a2 = np.array([0.25, 0.5, 1, 2, 4]), curvature[1]            # a2: the flat coordinate's curvature


def flat_ends(opt, seed=61):
    """Flat x2 averaged over the last half of each run, then over `seeds` runs (and its standard error), per sigma."""
    per_run = noisy_run(opt, SIGMAS, seed)[0][..., 1]                              # every sigma at once
    return per_run.mean(axis=1), per_run.std(axis=1) / math.sqrt(seeds)


(flat_w, se_w), (flat_l2, se_l2) = flat_ends(adamw(lr=0.01, weight_decay=lam)), flat_ends(adam(lr=0.01, weight_decay=lam))
print("σ:", SIGMAS, "\nAdamW:", flat_w.round(3), "\nAdam + L2:", flat_l2.round(3))

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.abs(flat_w - a2 / (a2 + lam * SIGMAS)) < 0.03) and np.all(np.abs(flat_l2 - a2 / (a2 + lam)) < 0.03)
assert max(se_w.max(), se_l2.max()) < 0.012     # 0.03 (section 5's flat tolerance) is over 2.5 standard errors
assert np.all((flat_w - flat_l2)[SIGMAS < 1] > 0.1) and np.all((flat_l2 - flat_w)[SIGMAS > 1] > 0.1)   # the order
assert abs(flat_w - flat_l2)[SIGMAS == 1][0] < 0.03 and np.all(np.diff(flat_w) < 0)   # reverses; AdamW falls with sigma

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
(fig, ax), s_line = plt.subplots(figsize=(7.5, 4.2), layout="constrained"), np.geomspace(0.2, 5, 100)
ax.plot(s_line, a2 / (a2 + lam * s_line), color=style.color_for("adamw"), ls="-.", label=r"AdamW predicted: $a_2/(a_2 + \lambda\sigma)$")
ax.axhline(a2 / (a2 + lam), color=style.color_for("adam"), ls=":", lw=2, label=r"Adam + L2 predicted: $a_2/(a_2 + \lambda)$")
for ends, se, key, marker, name, size in [(flat_w, se_w, "adamw", "h", "AdamW", 7),   # small on top: both show at 1
                                          (flat_l2, se_l2, "adam", "o", "Adam + L2", 13)]:
    ax.errorbar(SIGMAS, ends, yerr=2 * se, color=style.color_for(key), marker=marker, ms=size, ls="none", capsize=3, mew=2,
                zorder=4 if key == "adamw" else 3, mfc="none" if key == "adam" else None,   # open: its bar shows
                label=f"{name}: mean of {seeds} runs (± 2 standard errors)")
ax.set(xscale="log", xlabel=r"gradient noise $\sigma$", ylabel="$x_2$ (flat) at the end", ylim=(0, 1),
       title=rf"Flat $x_2$'s end point against the noise ($\lambda$ = {lam:g}, $\eta$ = 0.01)")
ax.set_xticks(SIGMAS, [f"{s:g}" for s in SIGMAS], minor=False), ax.minorticks_off(), ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# At every $\sigma$ tried, from 0.25 to 4, both end points lie within 0.03 of their predictions: AdamW's flat
# coordinate ends above Adam + L2's for $\sigma < 1$, within 0.03 of it at 1, below it for $\sigma > 1$. Where the
# crossover lies depends on the loss's units: multiplying the loss by $c$ multiplies its gradients and their noise by
# $c$, which leaves AdamW's $a_i/(a_i + \lambda\sigma)$ unchanged and turns Adam + L2's into $ca_i/(ca_i + \lambda)$,
# an effective penalty $\lambda/c$ (exercise 6.5 rescales a loss).
#
# Neither answer is "right": they are different regularizers, and AdamW's end point depends on the gradient noise.
# Loshchilov and Hutter (2019, abstract) report that decoupled decay makes the best $\lambda$ depend less on the
# learning rate, and that AdamW generalized better than Adam + L2 in their image-classification experiments; this
# chapter tests neither claim (PyTorch's form, decay times $\eta$, couples $\lambda$ and $\eta$ again: details section
# D). When porting, check which one `weight_decay` means: `torch.optim.Adam(weight_decay=λ)` is Adam + L2 by default,
# `keras.optimizers.Adam(weight_decay=λ)` is AdamW (details section I).

# %% [markdown]
# ## 6. AMSGrad: a second moment that never decreases
#
# Reddi, Kale and Kumar (2018) found a simple problem on which Adam converges to the *worst* point. On the interval
# $[-1, 1]$ the losses come in a cycle of three: $f_t(x) = 3x$ once, then $-x$ twice. On average that is $x/3$,
# minimized at $x = -1$. But the gradient $+3$, which points the right way, comes rarely, and with $\beta_2$ small
# enough Adam's $v$ has forgotten it by the time the two $-1$ gradients come: those get large normalized steps and
# win. **AMSGrad** uses the largest $v$ seen so far, $v^{\max}_t = \max(v^{\max}_{t-1}, v_t)$, in the denominator
# (`adam(amsgrad=True)`, `torch.optim.Adam(amsgrad=True)`).
#
# We run both with $\beta_1 = 0$ and $\beta_2 = 1/(1 + 3^2) = 0.1$, the $\beta$'s of the paper's example,
# projecting back onto $[-1, 1]$ after each step. (Their Theorem 1 also uses a decaying rate
# $\alpha/\sqrt t$ and no bias correction; we keep a constant rate and Adam's correction: same outcome.)
# On this example Adam with the default $\beta$'s $(0.9, 0.999)$ does reach $-1$ (checked below), but
# that is no guarantee: the paper's Theorems 2 and 3 build an online and a stochastic convex problem
# on which Adam fails for any $\beta_1 < \sqrt{\beta_2}$, the defaults included.

# %%
def online_run(opt, steps=3000):
    x = np.array([0.0])
    state = opt.init(x)
    path = [x]
    for t in range(1, steps + 1):
        g = np.array([3.0 if t % 3 == 1 else -1.0])       # the gradient of f_t
        updates, state = opt.update(g, state, x)
        x = np.clip(x + updates, -1.0, 1.0)               # stay in [-1, 1]
        path.append(x)
    return np.array(path)[:, 0]


adam_online = online_run(adam(lr=0.01, betas=(0.0, 0.1)))
ams_online = online_run(adam(lr=0.01, betas=(0.0, 0.1), amsgrad=True))
assert online_run(adam(lr=0.01))[-300:].mean() < -0.99             # default betas: -1 on this example
print(f"average position over the last 300 steps: Adam {adam_online[-300:].mean():+.3f}, "
      f"AMSGrad {ams_online[-300:].mean():+.3f} (the best point is -1)")

# %% [markdown]
# Why? The gradients do not depend on $x$, so neither do the steps: the next cell records the first 15 steps of each
# method, in units of the learning rate, and each step's denominator $\sqrt{\hat v_t} = \eta\,|g_t| / |\text{step}_t|$.

# %%
def cycle_steps(opt, steps=15):
    """The first steps on the gradients 3, -1, -1, 3, ... (they do not depend on x)."""
    x, state, out = np.zeros(1), opt.init(np.zeros(1)), []
    for t in range(1, steps + 1):
        updates, state = opt.update(np.array([3.0 if t % 3 == 1 else -1.0]), state, x)
        out.append(updates[0])
    return np.array(out)


g_cycle = np.where(np.arange(1, 16) % 3 == 1, 3.0, -1.0)
moves = {name: cycle_steps(adam(lr=1.0, betas=(0.0, 0.1), amsgrad=ams)) for name, ams in [("Adam", False), ("AMSGrad", True)]}
denominators = {name: np.abs(g_cycle / m) for name, m in moves.items()}      # sqrt(v-hat) = eta |g| / |step|, eta = 1
for name, m in moves.items():
    print(f"{name:>7}: steps 13-15 (gradients 3, -1, -1): {m[12:].round(3)}, sum {m[12:].sum():+.3f} per cycle; "
          f"denominators {denominators[name][12:].round(3)}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert adam_online[-300:].mean() > 0.99 and ams_online[-300:].mean() < -0.99
a_fix = (0.1 * (0.1 * 0.9 + 0.9) + 0.9 * 9) / (1 - 0.1**3)       # v after the 3 in the periodic regime: v = 0.1 v + 0.9 g^2
v_cycle = np.sqrt([a_fix, 0.1 * a_fix + 0.9, 0.1 * (0.1 * a_fix + 0.9) + 0.9])   # after 3, then -1, then -1
assert np.allclose(denominators["Adam"][12:], v_cycle, rtol=1e-4)           # bias correction ~ 1 - 0.1^t: negligible
assert np.allclose(v_cycle, [2.86, 1.31, 1.04], atol=0.005)                # as the text rounds them
assert np.allclose(denominators["AMSGrad"][:3], [3.0, 2.86, 2.85], atol=0.005)   # step 1: |g| = 3; then it falls
assert np.all(np.diff(denominators["AMSGrad"][:3]) < 0)
assert np.allclose(denominators["AMSGrad"][3:], v_cycle[0], rtol=1e-4)      # the maximum: v after a 3, from step 4 on
assert np.isclose(moves["Adam"][12:].sum(), 0.681, atol=0.001) and np.isclose(moves["AMSGrad"][12:].sum(), -0.349, atol=0.001)
assert np.allclose(moves["Adam"][12:], [-1.047, 0.762, 0.966], atol=0.001)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_v) = plt.subplots(1, 2, figsize=(11, 3.6))
ax.plot(adam_online, color=style.color_for("adam"), label="Adam: ends at the worst point, +1")
ax.plot(ams_online, color=style.color_for("amsgrad"), linestyle=":", linewidth=2.5, marker="<", markevery=300,
        markeredgecolor="black", path_effects=[patheffects.withStroke(linewidth=4, foreground="#333333")],
        label="AMSGrad: ends at the best point, -1")
ax.set(xlabel="step $t$", ylabel="$x_t$", title=r"Reddi et al.'s example: $f_t = 3x, -x, -x, 3x, \ldots$ on $[-1, 1]$")
ax.legend(fontsize=8, loc="center right")
t15 = np.arange(1, 16)
ax_v.plot(t15, denominators["Adam"], color=style.color_for("adam"), marker="o", zorder=3,   # on top: its peaks show
          label=r"Adam: $\sqrt{\hat v_t}$")
ax_v.plot(t15, denominators["AMSGrad"], color=style.color_for("amsgrad"), linestyle=":", linewidth=2.5, marker="<",
          markersize=4, markeredgecolor="black", path_effects=[patheffects.withStroke(linewidth=4, foreground="#333333")],
          label=r"AMSGrad: $\sqrt{\hat v^{\max}_t}$")
for t in t15[g_cycle > 0]:
    ax_v.axvline(t, color="#bbbbbb", linewidth=1, zorder=0)
ax_v.set(xlabel="step $t$ (grey lines: gradient 3; other steps: gradient $-1$)", ylabel="denominator of the step",
         ylim=(0, 3.3), title=r"Each step is $\eta\, g_t\, /$ this denominator")
ax_v.legend(fontsize=8, loc="lower right");

# %% [markdown]
# From the second cycle on, Adam's denominator after each gradient 3 is 2.86; the two $-1$ gradients that follow find
# it at 1.31 and 1.04, because $\beta_2 = 0.1$ keeps only a tenth of the old $v$ per step. So they move $x$ by
# $0.76\eta$ and $0.97\eta$ towards $+1$, more than the $1.05\eta$ by which the 3 moves it back: $+0.68\eta$ per
# cycle. AMSGrad keeps the largest raw $v$ seen and divides by its bias-corrected root: 3.0 at step 1, and from step 4
# on 2.86 at every step (the value after a 3). So the 3 moves $x$ by $1.05\eta$ towards $-1$, each $-1$ by $0.35\eta$
# back, and it gains $0.35\eta$ per cycle towards the best point.
#
# In PyTorch's form of AMSGrad (the maximum of the raw $v$, then the bias correction; `gdlearn` and Keras do the same)
# the step size can still grow: in the right panel AMSGrad's denominator falls from 3.0 at step 1 to 2.86 and 2.85 at
# steps 2 and 3, as the bias correction fades while the largest raw $v$ stays put. In optax's form it cannot ([details notebook](06_adaptive_details.ipynb), section F).

# %% [markdown]
# ## 7. The optimizer race
#
# Without a live kernel, the figure below is the default race: SGD, momentum, RMSprop and Adam for 300 steps on
# Rosenbrock's function, from the ringed circle at $(-1.2, 1)$ towards the minimum, the star at $(1, 1)$, at the rates
# in the table below; on the right, their losses (log scale, $f(x_k) - f^\star$). Each optimizer keeps its colour,
# marker and line style on both panels (thinner lines on top, so paths sharing a valley floor both show); one that
# diverges stops with a large **X** at its last finite point (at the panel's edge if that point lies outside it); the
# large marker is each one's position after the last step shown. A live kernel adds controls: a surface menu,
# optimizer ticks (Ctrl or Shift for several), a learning-rate slider each (moderate at first, not each one's best),
# **Play**, and a **step** slider.

# %%
from gdlearn.widgets.race import optimizer_race

race = optimizer_race()
race

# %%
table(["optimizer in the default race", "learning rate"],           # the figure above does not show them
      [(name, f"{race.lr(name):g}") for name in race.values["optimizers"]])

# %% [markdown]
# **What the default race shows** (Rosenbrock, 300 steps): the preset rates are not tuned; Adam at rate 1 instead of
# its preset 0.1 ends below momentum (try 1 below). At the preset rates, momentum ends lowest, then Adam, RMSprop,
# SGD. Why does Adam lose there? **Its steps are far shorter than $\eta$** (median step per coordinate 0.006 and 0.005
# at $\eta = 0.1$). $\hat v$ averages squared gradients over about $1/(1 - \beta_2) = 1000$ steps; after 300 it still
# remembers the steep start, so $\hat m/\sqrt{\hat v}$ is small. With $\beta_2 = 0.95$ (a memory of about 20 steps),
# Adam at the same rate ends below momentum at momentum's preset rate. With each at its best rate, momentum still ends
# lower (details section G, which also gives a second candidate reason: near the minimum the valley is not aligned
# with the axes).

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert race.values["surface"] == "rosenbrock" and race.values["optimizers"] == ("SGD", "momentum", "RMSprop", "Adam")
assert race.steps == 300 and (race.values["x0"], race.values["y0"]) == (-1.2, 1.0)   # the static figure's caption
final = {name: race.traces[name].fs[-1] for name in race.values["optimizers"]}
assert final["momentum"] < final["Adam"] and final["Adam"] < final["RMSprop"] < final["SGD"]        # the order
short = run(adam(lr=race.lr("Adam"), betas=(0.9, 0.95)), rosenbrock, rosenbrock.start, steps=race.steps)
assert short.fs[-1] < final["momentum"]                                              # reason 1, tested
median_step = np.median(np.abs(np.diff(race.traces["Adam"].xs, axis=0)), axis=0)   # its steps, far below eta = 0.1
assert race.lr("Adam") == 0.1 and np.allclose(median_step, [0.006, 0.005], atol=5e-4)   # as the text rounds them
assert run(adam(lr=1.0), rosenbrock, rosenbrock.start, steps=race.steps).fs[-1] < final["momentum"]  # try 1
from gdlearn.widgets.race import RACE_OPTIMIZERS, default_lr, race_surfaces           # try 3: a near tie
quad_name = next(k for k in race_surfaces() if k.startswith("quadratic"))
quad_end = {n: run(RACE_OPTIMIZERS[n](default_lr(quad_name, n)), race_surfaces()[quad_name],
                   race_surfaces()[quad_name].start, steps=race.steps).fs[-1] for n in ("SGD", "Adagrad")}
assert np.allclose([quad_end["Adagrad"], quad_end["SGD"]], [2.95e-8, 3.61e-8], rtol=0.02)

# %% [markdown]
# Things to try:
#
# 1. **Rosenbrock**: raise Adam's rate to 1 and watch it overtake momentum (at momentum's starting rate);
#    raise SGD's until it diverges (the X).
# 2. **Beale**: tick Adagrad. At the preset rates it ends below RMSprop after 300 steps; with each at its
#    best rate, RMSprop ends lower ([details notebook](06_adaptive_details.ipynb), section G).
# 3. **The quadratic** with $\kappa = 50$, turned by 30°, like section 4's turned valleys, in motion. At
#    the preset rates Adagrad and SGD end 300 steps in a near tie ($f - f^\star = 2.95 \times 10^{-8}$ and
#    $3.61 \times 10^{-8}$); section 4 compared each at its best rate. Tune both: which wins?
# 4. **The saddle** $x^2 - y^2$, started almost on the ridge ($y_0 = 0.05$): which escape first? The
#    adaptive ones scale each coordinate's step by its own gradient history, so the tiny gradient along $y$
#    gives a step of about $\eta$ at once (RMSprop's first: $10\eta$).
# 5. Tick Adam, AdamW and AMSGrad together: with AdamW's default decay ($\lambda = 0.01$) and so few
#    steps, how far apart do they end?
#
# Every comparison in this chapter ran on a function of one or two variables or a one-pass linear
# regression. Chapter 09 compares SGD, momentum, Adam and AdamW where they are mostly used, training a small
# neural network, with the same learning-rate search and budget for each and several random seeds.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the Summary (nothing new to learn here). gdlearn's Adam and AdamW default to 1e-3.
assert inspect.signature(adam).parameters["lr"].default == inspect.signature(adamw).parameters["lr"].default == 1e-3

# %% [markdown]
# ## Summary
#
# - **Adagrad** divides each coordinate's step by the root of the sum of its squared
#   gradients: steps that ignore the gradient's scale, large for rare features, but
#   step sizes that never grow (they shrink like $\eta/\sqrt t$ under a constant gradient).
# - **RMSprop** uses a moving average instead, so the step size adapts to the recent
#   gradients; with PyTorch's $\alpha = 0.99$ and no bias correction its first step
#   under a constant gradient is 10 η, still 1.26 η at step 100.
# - **Adam** adds momentum and corrects both averages for their zero start (without the
#   correction the first step is 3.2 times too long, up to 6.6 at step 12); a constant
#   gradient then gives steps of exactly η (ε aside). Adam is
#   `chain(scale_by_adam(...), scale_by_learning_rate(lr))`.
# - Per-coordinate steps are a **diagonal preconditioner**. On a quadratic aligned with the
#   coordinate axes they take the curvature out of every coordinate's step, but not the
#   distances: one η moves every coordinate about as much. They do not straighten a turned
#   valley: on the κ = 100 quadratic turned by 25° or more, Adagrad needed, from section 4's start,
#   about as many steps as gradient descent, or more (at 45° its step size freezes at about two thirds of gradient
#   descent's best). Elsewhere the gain depends on how well the curvature lines up with the axes.
# - **Weight decay**: for plain SGD an L2 penalty and decoupled decay are the same step; with
#   momentum they differ; for Adam they are different regularizers. **AdamW** is the decoupled
#   one. Without gradient noise its fixed point is the unregularized minimum (up to
#   $\epsilon$), which it creeps towards (section 5); with noise $\sigma_i$
#   on coordinate $i$ it acts, approximately and near the minimum, like a diagonal L2 penalty $\lambda\sigma_i$ (noisier
#   coordinates decayed harder), here ($\sigma = 2$) stronger than Adam + L2.
# - **AMSGrad** keeps the largest second moment and fixes Reddi et al.'s example
#   where Adam ends at the worst point.
# - The race: on Rosenbrock from its start $(-1.2, 1)$, after 300 steps, momentum beats Adam, whose $\hat v$
#   remembers the steep start (with $\beta_2 = 0.95$ Adam ends below momentum at the
#   race's preset rates). Other adaptive methods (Adadelta, Nadam, Adamax, Yogi, RAdam,
#   Lion, Adafactor; the non-diagonal Shampoo and K-FAC): [details notebook](06_adaptive_details.ipynb), section J.
# - **In practice**: Adam or AdamW at η = 10⁻³ (the default of Kingma and Ba, 2015,
#   Algorithm 1, and of PyTorch, Keras and `gdlearn`: details section H) is the frameworks' default
#   starting point, and η is still worth tuning (chapter 09 tunes it, with a schedule). No optimizer wins everywhere:
#   the race is one case where momentum does better, and Wilson et al. (2017) report SGD
#   generalizing better than adaptive methods on several models.
#
# ## Exercises
#
# Open [`exercises/06_adaptive.ipynb`](../exercises/06_adaptive.ipynb): write Adam with bias correction,
# AdamW's decoupled weight-decay step, Adagrad's step sizes and RMSprop's update; then two on paper first:
# which learning rates survive multiplying the loss by a constant, and why Adagrad on a valley turned by
# 45°, started on its steep axis, is gradient descent with one rate. Each exercise has a `check(...)` cell
# that tells you at once whether your code is right, with hints for the classic mistakes (a forgotten bias
# correction, ε inside the square root, L2 instead of decoupled decay).
