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
# Gradient descent and momentum take one learning rate for every coordinate. That
# rate is capped by the steepest direction, so every other direction moves more
# slowly than it could (chapters 02 and 05). **Adaptive methods** give each
# coordinate its own step size, computed from the gradients seen so far: a
# coordinate whose gradients have been small gets a larger step size (the factor
# that multiplies its gradient), one whose gradients have been large a smaller
# one. On a quadratic whose steep and flat directions
# are the coordinate axes, that makes the condition number irrelevant: each
# coordinate moves as if its curvature were 1 ($\epsilon$ aside). When the valley runs diagonally
# through the axes it helps less and less: on a $\kappa = 100$ quadratic turned by
# 45°, Adagrad at its best rate needed more steps than plain gradient descent from
# each of 24 random starts at the same distance (section 4). Adam, the
# best known of these methods, is only a few lines of code.
#
# You need chapter 05: momentum as a running average of gradients, and PyTorch's
# conventions (`gdlearn.optim.sgd(lr, momentum=β)`).
#
# ## What you will learn
#
# - **Adagrad**: divide each coordinate's step by the root of the sum of its squared
#   gradients, and why that helps with **rare features**;
# - **RMSprop**: the same with a moving average, so the step size does not shrink
#   forever;
# - **Adam**: momentum plus RMSprop plus a **bias correction**, and what the first
#   steps look like without it; Adam as a composition of building blocks;
# - **diagonal preconditioning**: why per-coordinate steps remove ill-conditioning
#   that is aligned with the coordinate axes, and help less and less as the valley
#   turns away from them;
# - **AdamW**: why weight decay and an L2 penalty are the same step for plain SGD,
#   the same end point up to a rescaled $\lambda$ for SGD with momentum, and
#   different regularizers for Adam;
# - **AMSGrad**: a small change that fixes a case where Adam converges to the worst
#   point;
# - and you get the **optimizer race**: up to eight optimizers animated side by side.
#
# Six appendices are reference material: `gdlearn.optim.adam` gives
# `torch.optim.Adam`'s numbers, why other frameworks give different ones, the
# longest possible Adam step, where SGD with momentum and weight decay ends,
# why Adam sitting at a minimum eventually bursts away from it, and (F) the
# checks behind the claims of sections 1, 4 and 7.

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
# with $s_0 = 0$ and a tiny $\epsilon$ (PyTorch: $10^{-10}$) that only prevents a
# division by zero. All operations are elementwise. In code:

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
# **The scale of the gradient does not matter.** Multiply a coordinate's gradients
# by 1000 and $\sqrt{s}$ grows by 1000 too: the steps stay the same. In particular
# the very first step is $\eta\, g/|g| = \pm\eta$ in every coordinate with a
# nonzero gradient ($\epsilon$ aside), however
# steep or flat the function is there. On $f(x) = \tfrac12(x_1^2 + 1000^2 x_2^2)$,
# hopeless for gradient descent ($\kappa = 10^6$), Adagrad moves both coordinates
# alike:

# %%
scales = np.array([1.0, 1000.0])
stretched = adagrad_steps(lambda x: scales**2 * x, [1.0, 1.0], lr=0.1, steps=50)
assert (scales[1] / scales[0]) ** 2 == 1e6                           # the condition number
assert np.allclose(stretched[1], [0.9, 0.9])                         # first step: lr in each coordinate
assert np.allclose(stretched[:, 0], stretched[:, 1], rtol=1e-9)      # the same path in both coordinates
print("first steps:", stretched[1], stretched[2].round(6))

gd_lr = 1.9 / scales[1] ** 2                                         # just below gradient descent's limit 2 / 1e6
gd_path = [np.array([1.0, 1.0])]
for _ in range(50):
    gd_path.append(gd_path[-1] - gd_lr * scales**2 * gd_path[-1])
gd_path = np.array(gd_path)
assert gd_path[-1, 0] > 0.9999 and abs(gd_path[-1, 1]) < 1          # GD: x1 has not moved
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
# **The step size shrinks forever.** $s$ never decreases, so the rate
# $\eta/\sqrt{s_t}$ of each coordinate never grows. Under a constant gradient $g$,
# $s_t = t g^2$ and the step is $\eta/\sqrt t$: a tenth of $\eta$ after 100 steps, a
# hundredth after 10,000. (The *step* is the rate times the gradient, so a step can
# still grow: gradients $1, 10^{-3}, 1$ give steps $\eta$, $0.001\,\eta$,
# $0.71\,\eta$.) A decaying rate is good when the gradients are noisy (it damps
# the noise, chapter 04), but slow on a long road to the minimum: section 2
# measures that, and fixes it.

# %%
constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=0.1, steps=10_000)
step_length = -np.diff(constant[:, 0])
assert np.isclose(step_length[99], 0.1 / 10, rtol=1e-8) and np.isclose(step_length[9999], 0.1 / 100, rtol=1e-8)
gradients = iter([1.0, 1e-3, 1.0])
three = -np.diff(adagrad_steps(lambda x: np.array([next(gradients)]), [0.0], lr=1.0, steps=3)[:, 0])
assert np.allclose(three, [1.0, 1e-3, 1 / math.sqrt(2 + 1e-6)], rtol=1e-6)        # the rate shrinks, a step can grow

# %% [markdown]
# ### Rare features
#
# Where Adagrad shines is **sparse data**: inputs where some features are almost
# always zero. Think of words in documents: "the" is in every one, "eigenvalue" in
# one out of a hundred. The weight of a rare feature receives a gradient only from
# the few examples that have it.
#
# Here is a linear regression with three features: two dense ones (standard
# deviation 3) and a rare one, equal to 1 in about 1 % of the 2,000 examples and 0
# elsewhere. The true weights are $(1, -2, 3)$. We train with **one example per
# step** (SGD as in chapter 04), for one pass over the data, with plain SGD and with
# Adagrad, each at the learning rate that gives the lowest loss on a grid.

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
sgd_losses = grid_losses["sgd"]
assert int(X[:, 2].sum()) == 21
worse_than_start = np.array(sgd_losses) > loss(np.zeros(3))               # blew up: diverged
largest_stable = grid[~worse_than_start].max()
assert np.isclose(largest_stable, 0.0548, rtol=1e-3) and worse_than_start[grid > 0.06].all()
assert abs(sgd_path[-1, 2] - 3) > 1.0                                      # SGD: rare weight far off
assert abs(ada_path[-1, 2] - 3) < 0.5                                      # Adagrad: close (this draw; see below)
assert np.all(np.abs(sgd_path[-1, :2] - w_true[:2]) < 0.1)                 # both learn the dense weights
assert np.all(np.abs(ada_path[-1, :2] - w_true[:2]) < 0.1)
rare_data = (X, y, w_true, grid, n, worse_than_start)     # kept for the check in Appendix F

# %% [markdown]
# Both learn the two dense weights. SGD's learning rate is capped: on the grid 0.055
# is the largest rate that does not blow up (from 0.097 on, the loss ends far above
# where it started). The dense features set that cap: with the rare feature
# removed from the data, SGD blows up at exactly the same rates (checked in
# Appendix F). At its best rate
# the rare weight moves only a little at each of its few updates, and after
# one pass it is still far from 3. Adagrad's rate for the rare weight is
# $\eta/\sqrt{s}$, and its $s$ collects only the few rare gradients, so it takes
# large steps exactly there:

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
        effective.append(np.where(s_now > 0, lr_ada / (np.sqrt(s_now) + 1e-10), np.nan))   # eta / sqrt(s)
effective = np.array(effective)
assert np.allclose(w, ada_path[-1])
ratio_end = effective[-1, 2] / effective[-1, :2].max()
print(f"after one pass: effective rate of the rare weight {effective[-1, 2]:.3g}, "
      f"of the dense ones {effective[-1, :2].round(5)} ({ratio_end:.0f} times smaller)")
ratio = effective[:, 2] / effective[:, :2].max(axis=1)              # NaN until the rare feature first appears
defined = ~np.isnan(ratio)
print(f"rare / larger dense rate: smallest {np.nanmin(ratio):.2f} (update {int(np.nanargmin(ratio)) + 1}), "
      f"over the second half at least {ratio[n // 2:].min():.1f}")
assert ratio_end > 10 and np.all(ratio[defined] > 8.5) and np.all(ratio[n // 2:] > 10)

fig, (ax, ax_rate) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
k = np.arange(n + 1)
ax.plot(k, sgd_path[:, 2], color=style.color_for("sgd"), marker="o", markevery=200, markersize=5,
        label=f"SGD, lr = {lr_sgd:.2g}")
ax.plot(k, ada_path[:, 2], color=style.color_for("adagrad"), linestyle="--", marker="^", markevery=(100, 200),
        markersize=6, label=f"Adagrad, lr = {lr_ada:.2g}")
ax.axhline(3.0, color="black", linestyle="--", linewidth=1, label="true weight 3")
ax.set(xlabel="update (one example each)", ylabel="weight of the rare feature",
       title="Learning the rare feature's weight in one pass")
ax.legend(fontsize=8, loc="lower right")
for i, (label, color, ls) in enumerate([("dense feature 1", "#595959", "--"), ("dense feature 2", "#999999", ":"),
                                        ("rare feature", COLORS["black"], "-")]):   # greys: features, not optimizers
    ax_rate.plot(np.arange(1, n + 1), effective[:, i], color=color, linestyle=ls, linewidth=2, label=label)
ax_rate.set_yscale("log")
ax_rate.set(xlabel="update", ylabel=r"$\eta / \sqrt{s_i}$", title="Adagrad's step size per coordinate")
ax_rate.legend(fontsize=8);

# %% [markdown]
# The rare weight's curve (left) moves in jumps, one per example that has the
# feature: SGD's jumps are small, Adagrad's large. On the right, the dense
# coordinates' step sizes fall steadily as their sums of squares grow, while the
# rare coordinate's stays about nine times larger or more from its first example on,
# and more than ten times larger over the second half. Per-coordinate rates of this
# kind were used where most features are rare: GloVe word vectors are trained with
# Adagrad (Pennington, Socher and Manning, 2014, section 4.2), and Google's
# ad-click-prediction models use per-coordinate rates
# $\alpha/(\beta + \sqrt{\sum g_i^2})$ (McMahan et al., 2013, section 3.1).
#
# **Is this one lucky draw?** The data (seed 6) and the order of the examples
# (seed 1) above are one draw. Here are eight draws of both, each method again at
# its best rate on the same grid. To run the 15 rates at once, the cell keeps one
# row of weights per rate and writes the two updates out (the same arithmetic as
# `sgd` and `adagrad`; the first draw reproduces the runs above):

# %%
def rare_weight_after_one_pass(data_seed, order_seed):
    """Final weights of SGD and of Adagrad, each at its best rate of `grid`, for one draw."""
    rng = np.random.default_rng(data_seed)
    Xd = np.zeros((n, 3))
    Xd[:, :2] = 3.0 * rng.normal(size=(n, 2))
    Xd[:, 2] = rng.random(n) < 0.01
    yd = Xd @ w_true + 0.5 * rng.normal(size=n)
    rates = grid[:, None]                                   # one row of weights per learning rate
    best = []
    for method in ("sgd", "adagrad"):
        W, S = np.zeros((len(grid), 3)), np.zeros((len(grid), 3))
        with np.errstate(all="ignore"):
            for i in np.random.default_rng(order_seed).permutation(n):
                G = (W @ Xd[i] - yd[i])[:, None] * Xd[i]   # one gradient per row
                if method == "sgd":
                    W = W - rates * G
                else:
                    S = S + G * G
                    W = W - rates * G / (np.sqrt(S) + 1e-10)
            final_loss = 0.5 * np.mean((W @ Xd.T - yd) ** 2, axis=1)
        best.append(W[np.argmin(np.where(np.isfinite(final_loss), final_loss, np.inf))])
    return best


draws = [(6, 1), (6, 2), (7, 1), (8, 3), (9, 4), (10, 5), (11, 6), (12, 7)]
results = np.array([rare_weight_after_one_pass(*d) for d in draws])       # (draws, method, weight)
assert np.allclose(results[0, 0], sgd_path[-1]) and np.allclose(results[0, 1], ada_path[-1])
rare_sgd, rare_ada = results[:, 0, 2], results[:, 1, 2]
table(["draw (data, order)"] + [f"{d}" for d in draws],
      [("SGD: rare weight",) + tuple(f"{w:.2f}" for w in rare_sgd),
       ("Adagrad: rare weight",) + tuple(f"{w:.2f}" for w in rare_ada)])
err_sgd, err_ada = np.abs(rare_sgd - 3), np.abs(rare_ada - 3)
assert np.all(err_ada < err_sgd - 0.5)                          # Adagrad closer in every draw, by more than 0.5
assert np.all(err_sgd > 1.0)                                    # SGD off by more than 1 in every draw
assert 1.7 < rare_ada.min() < 1.8 and 3.0 < rare_ada.max() < 3.1 and 0.1 < rare_sgd.min() and rare_sgd.max() < 2.0
assert np.all(np.abs(results[:, :, :2] - w_true[:2]) < 0.1)     # the dense weights: both, every draw
more = np.array([rare_weight_after_one_pass(100 + k, 200 + k) for k in range(40)])   # 40 fresh draws
more_err_sgd, more_err_ada = np.abs(more[:, 0, 2] - 3), np.abs(more[:, 1, 2] - 3)
wins = int(np.sum(more_err_ada < more_err_sgd))
print(f"40 fresh draws (data seeds 100-139, order seeds 200-239): Adagrad's rare weight is closer to 3 in {wins}")
assert 36 <= wins <= 39                                          # usually, not always

# %% [markdown]
# In every draw SGD's rare weight is more than 1 away from 3 (it ends between
# 0.11 and 1.92) and Adagrad's is closer, by more than 0.5; but Adagrad's ranges
# from 1.76 to 3.05, and the first draw, where it lands on 3.05, is its best. The
# qualitative result holds; its size varies a lot with the draw. Both methods learn
# the dense weights to within 0.1 every time. Eight draws are a small sample: on 40
# fresh draws Adagrad's rare weight is closer to 3 in 38, so "usually", not "always".
#
# This is the case Adagrad was designed for, and its authors prove it, not just
# measure it. Duchi, Hazan and Singer (2011, section 3, the diagonal case) bound
# Adagrad's **regret**, the total loss of its iterates minus that of the best fixed
# point in hindsight, for convex losses over a bounded set (online learning with a
# projection step, and a suitably chosen $\eta$): it is at most a constant times
# the size of that set times $\sum_i \sqrt{s_{T,i}}$, the sum over coordinates of
# the roots of Adagrad's own accumulators. With bounded gradients that is at most
# of order $\sqrt{T}$ per coordinate, and much less when most coordinates'
# gradients are mostly zero: sparse data. We do not reproduce the proof here.
#
# ## 2. RMSprop: forget the old gradients
#
# Adagrad's sum never forgets. Tieleman and Hinton (2012) replaced it by an
# exponential moving average of the squared gradients, with a decay $\alpha$ close
# to 1 (PyTorch's default: 0.99):
#
# $$v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
# x_t = x_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \epsilon}.$$
#
# $\sqrt{v}$ is now the root mean square (RMS) of the recent gradients, about the
# last $1/(1 - \alpha) = 100$ of them, so the step size follows the current scale of
# the gradient, in both directions.

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
# Under a constant gradient the step settles at $\eta$: no more shrinking. But look
# at the first step: **ten times** $\eta$. The average starts at $v_0 = 0$, so after
# one step $v_1 = (1 - \alpha)\, g^2 = 0.01\, g^2$, whose root is a tenth of $|g|$.
# Under a constant gradient $v_t = (1 - \alpha^t)\, g^2$, so the step is
# $\eta/\sqrt{1 - \alpha^t}$: still 1.26 $\eta$ at step 100, within 5 % of $\eta$
# only from step 237. The average stays biased towards its zero start for a few
# hundred gradients. Adam corrects that. (The "ten times" is PyTorch's RMSprop,
# $\alpha = 0.99$; other frameworks start differently, Appendix B.)
#
# **The long road.** Section 1 said Adagrad's shrinking rate is slow on a long
# road to the minimum. Take $f(x) = \sqrt{1 + x^2} - 1$, whose gradient
# $x/\sqrt{1 + x^2}$ is close to $\pm 1$ far from the minimum at 0, start at
# $x_0 = 100$, and run both methods at $\eta = 0.1$ until $|x| < 1$:

# %%
def road_grad(x):
    return x / np.sqrt(1 + x * x)                  # gradient of sqrt(1 + x^2) - 1: about +-1 far from 0


road_ada = adagrad_steps(road_grad, [100.0], lr=0.1, steps=260_000)[:, 0]
road_rms = rmsprop_steps(road_grad, [100.0], lr=0.1, steps=2000)[:, 0]
arrive_ada, arrive_rms = int(np.argmax(np.abs(road_ada) < 1)), int(np.argmax(np.abs(road_rms) < 1))
print(f"from x0 = 100 at lr = 0.1, |x| < 1 after: Adagrad {arrive_ada:,} steps, RMSprop {arrive_rms} steps; "
      f"Adagrad's prediction (99 / (2 lr))^2 = {(99 / 0.2) ** 2:,.0f}")
assert abs(road_ada[arrive_ada]) < 1 and abs(road_rms[arrive_rms]) < 1
assert abs(arrive_ada / (99 / 0.2) ** 2 - 1) < 0.03            # distance 2 lr sqrt(t) after t steps
assert 860 <= arrive_rms <= 880 and 245_000 < arrive_ada < 251_000 and arrive_ada > 200 * arrive_rms
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
# RMSprop's step settles at $\eta$, so it crosses the 99 units in 870 steps (fewer
# than $99/\eta = 990$, thanks to its long first steps). Adagrad's gradients are
# all about 1, so after $t$ steps $s \approx t$, its step is about $\eta/\sqrt t$,
# and it has covered about $\eta \sum_{k \le t} 1/\sqrt k \approx 2\eta\sqrt t$:
# it needs about $(99/(2\eta))^2 \approx 245{,}000$ steps (measured: 247,857).
# A larger $\eta$ shortens Adagrad's trip, but the distance it covers still grows
# only like $\sqrt t$, so the right $\eta$ depends on how far away the minimum
# is. (Section 7's race has a case, Beale, where at the race's preset rates
# Adagrad ends below RMSprop; with each at its best rate, RMSprop ends lower.)
#
# ## 3. Adam: momentum + RMSprop + bias correction
#
# Kingma and Ba (2015, Algorithm 1) keep two moving averages, of the gradient (the
# momentum of chapter 05, as an average) and of its square (RMSprop's), and divide
# each by the factor that undoes its zero start:
#
# $$\begin{aligned}
# m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, &\qquad
# \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \\
# v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, &
# \hat v_t &= \frac{v_t}{1 - \beta_2^t}, \\
# x_t &= x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, &&
# \end{aligned}$$
#
# with $m_0 = v_0 = 0$ and the defaults (the paper's, and PyTorch's)
# $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$. **Why divide by
# $1 - \beta^t$?** If every gradient were the
# same $g$, then $m_t = (1 - \beta_1)(1 + \beta_1 + \dots + \beta_1^{t-1})\, g =
# (1 - \beta_1^t)\, g$: the average holds only the share $1 - \beta_1^t$ of $g$,
# the rest is still the zero it started from. Dividing by that share gives back
# $g$. The same holds for $v_t$ and $g^2$. In code, with a switch to leave the
# correction out:

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

# %% [markdown]
# (Not bit for bit: `gdlearn` evaluates the same formula in another order, and
# floating-point arithmetic is not associative, so the last bits differ; the gap
# stays at round-off level, about $10^{-15}$ here. Appendix B says which order each
# code uses, and where frameworks differ by more than round-off.)
#
# ### The first steps, with and without bias correction
#
# Leave the correction out and each step is multiplied by
# $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ (ignoring $\epsilon$), whatever the
# gradients are, as long as both runs see the same gradients (on a real function
# the two runs part ways and then see different ones). Under a constant gradient the corrected Adam steps by exactly
# $\eta$ ($\epsilon$ aside) from the first step on; the uncorrected one does this:

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

# %% [markdown]
# Without the correction, the first step is $\sqrt{10} \approx 3.2$ times too long
# (Kingma and Ba, 2015, section 3, say "much larger") and the next ones longer
# still, up to 6.6 times at step 12: early on $v$ is
# much further below its target than $m$ is ($\beta_2$ is closer to 1), so the
# denominator is far too small. It takes a few thousand steps for the factor to
# fade. With the correction the steps are $\eta$ from the start. Under a *constant*
# gradient $\eta$ is exactly the step length per coordinate; otherwise it is only a
# rough scale. Kingma and Ba (2015, section 2.1) give
# $\eta(1 - \beta_1)/\sqrt{1 - \beta_2} \approx 3.16\,\eta$ as an upper bound,
# approached only in "the most severe case of sparsity", a gradient that has been
# zero at every step but the current one (the cell below checks that case), and
# say the step is usually about $\eta$ or smaller. As stated, that inequality does
# not hold (the same section also calls the step only "approximately bounded"): a
# gradient of 1 that jumps
# to 10 at step 1000 (same sign) gives steps up to about $4.5\,\eta$, because
# $\hat m$ follows the jump within a few tens of steps while $\hat v$ needs
# thousands.
#
# How long can a step get? A Cauchy–Schwarz argument (Appendix C) bounds it by
# about $7.27\,\eta$ with the default $\beta$'s, reached by gradients that grow by
# $\beta_2/\beta_1 \approx 1.11$ per step. The jump:


# %%
opt = adam(lr=1.0)
state = opt.init(np.zeros(1))
jump_steps = []
for k in range(1, 3001):
    g = np.array([1.0 if k < 1000 else 10.0])          # the gradient keeps its sign, but jumps at step 1000
    updates, state = opt.update(g, state, np.zeros(1))
    jump_steps.append(abs(updates[0]))
jump_steps = np.array(jump_steps)
peak_at = int(np.argmax(jump_steps)) + 1
print(f"steps in units of eta: {jump_steps[998]:.3f} at step 999, largest {jump_steps.max():.2f} at step {peak_at}, "
      f"{jump_steps[-1]:.3f} at step 3000")
assert np.isclose(jump_steps[998], 1.0, rtol=1e-6) and 4.3 < jump_steps.max() < 4.7 and 1005 <= peak_at <= 1030
assert np.isclose((1 - 0.9) / math.sqrt(1 - 0.999), 3.16, atol=5e-3)
state = opt.init(np.zeros(1))
for k in range(1, 20_001):                             # 19,999 zero gradients, then one of 1
    updates, state = opt.update(np.array([0.0 if k < 20_000 else 1.0]), state, np.zeros(1))
sparse_step = abs(updates[0])
print(f"zero gradients for 19,999 steps, then 1: step {sparse_step:.4f} eta (Kingma & Ba's bound 3.1623)")
assert np.isclose(sparse_step, (1 - 0.9) / math.sqrt(1 - 0.999), rtol=1e-6)     # the sparse case: the bound

# %% [markdown]
# The figure puts the step lengths of this section side by side, in units of
# $\eta$: under a constant gradient (left; RMSprop's thick line runs under Adam's
# dashed one once both are at 1), and (right) for the gradient that jumps from 1 to
# 10 at step 1000, drawn against the number of gradients since the jump (before
# it, the steps are exactly $\eta$):

# %%
ada_constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=1.0, steps=5000)
marks = np.unique(np.geomspace(1, 4000, 12).astype(int))          # a marker every so often on a log axis
fig, (ax, ax_jump) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
ax.plot(t, -np.diff(ada_constant[:, 0]), color=style.color_for("adagrad"), marker="^", markevery=list(marks),
        label=r"Adagrad: $1/\sqrt{t}$")
ax.plot(t[:3000], rms_steps / 0.1, color=style.color_for("rmsprop"), linewidth=4, alpha=0.8, marker="v",
        markevery=list(marks[marks < 3000]), markersize=8, label=r"RMSprop: $1/\sqrt{1-\alpha^t}$")
ax.plot(t, uncorrected / lr, color=style.color_for("adam"), linestyle=":", linewidth=2.2, marker="o",
        markevery=list(marks), markerfacecolor="white", label="Adam without bias correction")
ax.plot(t, corrected / lr, color=style.color_for("adam"), linestyle="--", marker="P", markevery=list(marks + 1),
        label="Adam: exactly 1")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set(xlabel="step $t$", ylabel=r"step length / $\eta$", title="Under a constant gradient")
ax.legend(fontsize=8, loc="lower left")
since_jump = np.arange(1000, 3001) - 999                           # 1 = the first gradient of 10
log_marks = np.unique(np.geomspace(1, 2000, 14).astype(int)) - 1
ax_jump.axhline((1 - 0.9) / math.sqrt(1 - 0.999), color="black", linestyle="--", linewidth=1, zorder=1,
                label=r"Kingma & Ba's $(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16$")
ax_jump.plot(since_jump, jump_steps[999:], color=style.color_for("adam"), marker="P", markevery=list(log_marks),
             zorder=3, label="Adam, gradient 1 jumps to 10")
ax_jump.set_xscale("log")
ax_jump.set(xlabel="gradients since the jump (before it: steps of exactly $\\eta$)", ylabel=r"step length / $\eta$",
            title="A jump in the gradient: steps above the 'bound'", ylim=(0, 6))
ax_jump.legend(fontsize=7.5, loc="upper right");

# %% [markdown]
# ### Adam is a composition
#
# Adam's scaling (everything but the learning rate) is a gradient transformation of
# its own, `scale_by_adam`; the learning rate is another, `scale_by_learning_rate`
# (multiply by $-\eta$). `chain` applies one after the other, so Adam is exactly
# their composition, and the state is a tuple of the blocks' states. The
# moments $m$ and $v$ are in it, named `mu` and `nu`:

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

# %% [markdown]
# `a.states[k]` is the state after step $k + 1$; a chain's state is a tuple with
# one entry per block, so `a.states[0][0]` is `scale_by_adam`'s state after the
# first step: the step counter, $m_1 = (1 - \beta_1)\, g_1$, $v_1$, and
# `nu_max=None`, which only AMSGrad uses (section 6).
#
# `adamw`, `rmsprop` and `adagrad` are built the same way in `gdlearn.optim`;
# read them, each is a few lines. From here on we use `gdlearn.optim.adam` and its
# relatives.

# %% [markdown]
# ## 4. What per-coordinate steps cannot fix: diagonal preconditioning
#
# Section 1 showed Adagrad shrug off a condition number of $10^6$. Look again at
# why. On $f(x) = \tfrac12 \sum_i a_i x_i^2$ the gradient of coordinate $i$ is
# $a_i x_i$: every gradient of that coordinate carries the factor $a_i$, so does
# $\sqrt{s_i}$, and the factor cancels in $g_i/\sqrt{s_i}$. Each coordinate runs
# Adagrad on $\tfrac12 x^2$ from its own start, whatever its curvature. That works
# because the valley's axes *are* the coordinate axes.
#
# Dividing coordinate $i$'s step by a positive number $d_i$ is **diagonal
# preconditioning**: $x \leftarrow x - \eta\, D^{-1} \nabla f(x)$ with
# $D = \operatorname{diag}(d)$. In the variables $y = D^{1/2} x$ this is plain
# gradient descent on $f(D^{-1/2} y)$, whose Hessian is $D^{-1/2} A D^{-1/2}$
# ($A$ the Hessian of $f$). So a diagonal preconditioner helps exactly as much as
# rescaling the axes makes the valley round. For an axis-aligned valley, $d_i = a_i$
# makes it perfectly round ($\kappa = 1$). For a valley turned by an angle
# $\theta$, rescaling the axes stretches a tilted ellipse along the axes and cannot
# make it round; at $\theta = 45°$ the two diagonal entries of $A$ are equal, so
# the natural choice $D = \operatorname{diag}(A)$ is a multiple of the identity
# and changes nothing. A scan over all ratios $d_2/d_1$ confirms that no diagonal
# does better there:

# %%
KAPPA = 100.0
ANGLES = np.array([0, 5, 10, 15, 20, 25, 30, 35, 40, 45])


def valley(angle_deg):
    """The kappa = 100 quadratic turned by angle_deg; its start turns with it (gdlearn.surfaces.quadratic)."""
    return quadratic(KAPPA, angle=math.radians(angle_deg))


def kappa_scaled(A, d):
    """Condition number of D^-1/2 A D^-1/2, the Hessian seen by gradient descent preconditioned by diag(d)."""
    r = 1 / np.sqrt(d)
    return np.linalg.cond(r[:, None] * A * r[None, :])


ratios = np.geomspace(1e-3, 1e3, 4001)                 # d = (1, ratio): every diagonal, up to scale
rows = []
for deg in (0, 15, 30, 45):
    A = valley(deg).hess(np.zeros(2))
    best = min(kappa_scaled(A, np.array([1.0, q])) for q in ratios)
    rows.append((f"{deg}°", f"{np.linalg.cond(A):.0f}", f"{kappa_scaled(A, np.diag(A)):.1f}", f"{best:.1f}"))
    if deg == 0:
        assert np.isclose(kappa_scaled(A, np.diag(A)), 1.0)                 # axis-aligned: perfectly round
    k_diag = kappa_scaled(A, np.diag(A))
    assert k_diag <= best * (1 + 1e-9) and best < 1.01 * k_diag           # diag(A) is the best diagonal, every angle
    if deg == 45:
        assert np.allclose(np.diag(A), (1 + KAPPA) / 2)                     # equal diagonal entries
        assert np.isclose(kappa_scaled(A, np.diag(A)), KAPPA) and best > 0.999 * KAPPA   # nothing helps
table(["valley turned by", "κ of $A$", "κ with $D = \\mathrm{diag}(A)$", "best κ over all diagonal $D$"], rows)
kappa_diag = {deg: kappa_scaled(valley(deg).hess(np.zeros(2)), np.diag(valley(deg).hess(np.zeros(2))))
              for deg in (15, 30)}
assert np.isclose(kappa_diag[15], 26.5, atol=0.05) and np.isclose(kappa_diag[30], 75.5, atol=0.05)

# %% [markdown]
# At every angle the best diagonal is $D = \operatorname{diag}(A)$; for $2 \times 2$
# matrices this is a theorem (Forsythe and Straus, 1955). It helps less and less
# as the valley turns, and not at all at 45°. Below, the level set
# $\tfrac12 x^\top A x = 1$ before and after that rescaling, each drawn to the same
# size (an ellipse's length-to-width ratio is $\sqrt\kappa$). A diagonal rescaling
# stretches along the axes. It rounds an aligned ellipse fully. It rounds a turned
# one only partly, and tilts it: κ drops from 100 to 26.5 at 15°, to 75.5 at 30°.
# A 45° ellipse it leaves unchanged:

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 4.6), layout="constrained")
phi = np.linspace(0, 2 * np.pi, 400)
circle = np.stack([np.cos(phi), np.sin(phi)])
for ax, deg in zip(axes, (0, 15, 30, 45)):
    A = valley(deg).hess(np.zeros(2))
    r = 1 / np.sqrt(np.diag(A))
    kappas = []
    for M, label, color, ls in [(A, "original: $A$", COLORS["blue"], "-"),
                                (r[:, None] * A * r[None, :], r"rescaled: $D^{-1/2} A D^{-1/2}$",
                                 COLORS["vermillion"], "--")]:
        evals, evecs = np.linalg.eigh(M)
        pts = evecs @ (circle / np.sqrt(evals)[:, None])          # x^T M x = 1
        pts /= np.abs(pts).max()                                   # same size in every panel
        ax.plot(pts[0], pts[1], color=color, linestyle=ls, linewidth=2, label=label)
        kappas.append(np.linalg.cond(M))
    ax.set(xlim=(-1.15, 1.15), ylim=(-1.15, 1.15), aspect="equal", xlabel="first coordinate",
           ylabel="second coordinate",
           title=f"turned by {deg}°" + (": they coincide" if deg == 45 else "")
           + f"\nκ {kappas[0]:.0f} → {kappas[1]:.1f}, length/width "
           f"{np.sqrt(kappas[0]):.0f} → {np.sqrt(kappas[1]):.1f}")
    ax.title.set_fontsize(10)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=10)
fig.suptitle(r"Level sets $\frac{1}{2}x^\top A x = 1$ before and after the rescaling $D = \mathrm{diag}(A)$");

# %% [markdown]
# Adagrad's $\sqrt{s_i}$ is such a per-coordinate scale, learned from the
# gradients. (d2l's Adagrad section calls it a proxy for the diagonal of the
# Hessian.) Adam's $\sqrt{\hat v_i}$ is another, but Adam also has momentum. To
# separate the two, we also run Adam with $\beta_1 = 0$ (its scaling alone) and the
# heavy ball (momentum $0.9$, no scaling; chapter 05). The test: on the
# $\kappa = 100$ quadratic turned by $0°$ to $45°$, started at the same place
# relative to the valley, how many steps does each method need to bring $f$ below
# $10^{-8}$ of its start? Each gets its best learning rate on a grid of 46 rates
# from $10^{-3}$ to 30. We count steps in two ways: the **first** step at which $f$
# is below the threshold, and the step from which it **stays** below up to step
# 4,000 (each count with its own best rate). A method that overshoots or hovers
# can dip below the threshold early and come back above it.
#
# That is $10 \times 46$ runs per method, done all at once: every operation in the
# loops of sections 1 and 3 is elementwise, so they work unchanged on an array with
# one row per (angle, rate) pair. The next two cells are this bookkeeping (a reader
# can skip to the table they print, of the first count; the other is in
# Appendix F); the first checks that a row is an ordinary run:

# %%
def heavy_ball_steps(grad, x0, lr, steps, momentum=0.9):
    """Gradient descent with heavy-ball momentum (chapter 05, PyTorch's form: b = momentum b + g)."""
    x = np.array(x0, dtype=float)
    b = np.zeros_like(x)
    path = [x]
    for _ in range(steps):
        b = momentum * b + grad(x)
        x = x - lr * b
        path.append(x)
    return np.array(path)


def gd_steps(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)


METHODS = {"gradient descent": lambda grad, x0, lr, n: gd_steps(grad, x0, lr, n),
           "heavy ball (β = 0.9)": lambda grad, x0, lr, n: heavy_ball_steps(grad, x0, lr, n),
           "Adagrad": lambda grad, x0, lr, n: adagrad_steps(grad, x0, lr, n),
           "Adam, β1 = 0": lambda grad, x0, lr, n: adam_steps(grad, x0, lr, n, betas=(0.0, 0.999)),
           "Adam": lambda grad, x0, lr, n: adam_steps(grad, x0, lr, n)}

one = valley(30)                                           # one valley, one rate: a plain run
plain = adam_steps(one.grad, one.start, 0.1, steps=200)
assert np.allclose(plain, run(adam(lr=0.1), one, one.start, steps=200, tol=0).xs, rtol=1e-10, atol=1e-12)


# %%
class ManyValleys:
    """A batch of quadratics f_n(x) = 1/2 x^T A_n x, one row n per (angle, learning rate) pair.

    `grad(x)` takes points of shape (rows, 2) and returns every row's gradient A_n x_n;
    `f(xs)` takes points (rows, 2) or whole paths (steps, rows, 2).
    """

    def __init__(self, angles, rates):
        self.A = np.repeat([valley(deg).hess(np.zeros(2)) for deg in angles], len(rates), axis=0)
        self.start = np.repeat([valley(deg).start for deg in angles], len(rates), axis=0)
        self.lr = np.tile(rates, len(angles))[:, None]      # a column: each row's own rate

    def grad(self, x):
        return (self.A @ x[..., None])[..., 0]              # matrix times vector, row by row

    def f(self, xs):
        return 0.5 * np.sum(xs * self.grad(xs), axis=-1)


def first_below(reached):
    """Each run's (column's) first step with f below the threshold; a huge number if none."""
    return np.where(reached.any(axis=0), reached.argmax(axis=0), np.iinfo(int).max)


def stays_below(reached):
    """Each run's first step from which f stays below the threshold up to the last step computed."""
    above = ~reached
    last_above = len(above) - 1 - above[::-1].argmax(axis=0)      # reached[0] is False: f0 is above
    return np.where(above[-1], np.iinfo(int).max, last_above + 1)


lr_grid = np.geomspace(1e-3, 30, 46)
batch = ManyValleys(ANGLES, lr_grid)
MAX_STEPS, HORIZON = 2000, 4000                            # HORIZON: how long f must stay below
f0 = batch.f(batch.start)
paths, needed, stays, best_lr = {}, {}, {}, {}
with np.errstate(all="ignore"):                            # rates that diverge are results, not errors
    for name, method in METHODS.items():
        xs = method(batch.grad, batch.start, batch.lr, HORIZON)                 # (steps + 1, rows, 2)
        reached = batch.f(xs) < 1e-8 * f0
        first = first_below(reached).reshape(len(ANGLES), -1)
        needed[name], best_lr[name] = first.min(axis=1), lr_grid[first.argmin(axis=1)]
        stays[name] = stays_below(reached).reshape(len(ANGLES), -1).min(axis=1)  # best rate for this count
        if name in ("gradient descent", "Adagrad"):
            paths[name] = xs[: MAX_STEPS + 1].copy()                            # kept for the figure
row = list(ANGLES).index(30) * len(lr_grid) + int(np.argmin(np.abs(lr_grid - 0.1)))   # the plain run above
assert np.isclose(batch.lr[row, 0], 0.1, rtol=0.1)
table(["method"] + [f"{d}°" for d in ANGLES],                         # first step below (stays below: Appendix F)
      [(name,) + tuple(int(k) for k in needed[name]) for name in METHODS])
gd_n, hb_n, ada_n = needed["gradient descent"], needed["heavy ball (β = 0.9)"], needed["Adagrad"]
adam0_n, adam_n = needed["Adam, β1 = 0"], needed["Adam"]
hb_s, adam_s = stays["heavy ball (β = 0.9)"], stays["Adam"]
assert all(counts.max() < MAX_STEPS for counts in needed.values())
assert all(np.array_equal(needed[name], stays[name]) for name in ("gradient descent", "Adagrad"))  # monotone here
assert ada_n[-1] > 1.3 * gd_n[0]                                        # at 45°: more (further checks: Appendix F)

# %%
fig, ((ax_0, ax_whole), (ax_45, ax_count)) = plt.subplots(2, 2, figsize=(12, 10))
for ax, deg, show in [(ax_0, 0, 40), (ax_45, 45, 10)]:
    v = valley(deg)
    plotting.plot_contours(v, ax=ax)
    i = list(ANGLES).index(deg)
    for name, key, ls, marker, size in [("gradient descent", "gd", "-", "o", 6), ("Adagrad", "adagrad", "--", "^", 7)]:
        j = i * len(lr_grid) + int(np.argmin(np.abs(lr_grid - best_lr[name][i])))
        xs = paths[name][: show + 1, j]
        on_top = key == "adagrad"                 # Adagrad drawn over gradient descent, with a white outline
        ax.plot(xs[:, 0], xs[:, 1], color=style.color_for(key), linestyle=ls, marker=marker, markersize=size,
                markerfacecolor="none" if key == "gd" else None, markeredgecolor="black" if on_top else None,
                linewidth=2.2 if on_top else 1.2, alpha=1.0 if on_top else 0.6, zorder=5 if on_top else 4,
                path_effects=[patheffects.withStroke(linewidth=4, foreground="white")] if on_top else None,
                label=f"{name}, lr = {best_lr[name][i]:.3g}")
        if deg == 45 and on_top:                  # number Adagrad's first steps: the zigzag
            for step in (1, 2, 3):
                ax.annotate(f"{step}", xs[step], xytext=(8, -4), textcoords="offset points", fontsize=10,
                            fontweight="bold", zorder=7,
                            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
            ax.annotate("steps 4 to 10: short zigzags,\nclose together", xs[6], xytext=(40, 60),
                        textcoords="offset points", fontsize=9, zorder=7,
                        arrowprops=dict(arrowstyle="->", color="black", linewidth=0.8),
                        bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.6"))
    ax.plot(*v.start, color="black", **style.START_STYLE, label="start")
    title = (f"κ = 100, turned by 0°: GD's first {show} steps; Adagrad's {int(needed['Adagrad'][0])} (leave the frame)"
             if deg == 0 else f"κ = 100, valley turned by {deg}°: first {show} steps")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    if deg == 45:
        ax.set(xlim=(-2.8, 0.6), ylim=(-2.8, 0.6))                  # zoomed: the two zigzags side by side
    ax.legend(fontsize=8, loc="upper right" if deg == 0 else "upper left")
j = int(np.argmin(np.abs(lr_grid - best_lr["Adagrad"][0])))         # Adagrad at 0°: its whole path, zoomed out
whole = paths["Adagrad"][: int(needed["Adagrad"][0]) + 1, j]
jump = valley(0).f(whole[1]) / valley(0).f(whole[0])                  # the first step's excursion (Summary)
print(f"Adagrad at 0°: lr = {best_lr['Adagrad'][0]:.3g}, {len(whole) - 1} steps; step 1 multiplies f by {jump:.0f}")
assert len(whole) - 1 == 6 and np.isclose(best_lr["Adagrad"][0], 19, rtol=0.05) and 200 < jump < 400
gx, gy = np.meshgrid(np.linspace(-5, 20, 300), np.linspace(-21, 4, 300))
ax_whole.contour(gx, gy, valley(0).f(np.stack([gx, gy])), levels=np.geomspace(0.1, 2e4, 10), colors="0.7",
                 linewidths=0.7)
ax_whole.plot(*valley(0).start, color="black", **style.START_STYLE, label="start")
ax_whole.plot(0, 0, **style.MINIMUM_STYLE, label="minimum")
ax_whole.plot(whole[:, 0], whole[:, 1], color=style.color_for("adagrad"), linestyle="--", marker="^", markersize=7,
              markeredgecolor="black", linewidth=2.2, zorder=8, label=f"Adagrad, lr = {best_lr['Adagrad'][0]:.2g}")
for k, text, offset in [(1, "after step 1", (10, -4)), (2, "after step 2: next to the start", (-20, 14)),
                        (3, "after steps 3 to 6: next to the minimum", (14, -14))]:
    ax_whole.annotate(text, whole[k], xytext=offset, textcoords="offset points", fontsize=8)
ax_whole.set(xlim=(-5, 20), ylim=(-21, 4), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
             title=f"κ = 100, turned by 0°: Adagrad's whole path ({len(whole) - 1} steps), zoomed out")
ax_whole.legend(fontsize=8, loc="lower left")
ax = ax_count
for name, key, marker, ls in [("gradient descent", "gd", "o", "-"), ("heavy ball (β = 0.9)", "momentum", "s", "-."),
                              ("Adagrad", "adagrad", "^", "--"), ("Adam, β1 = 0", "rmsprop", "v", (0, (5, 1, 1, 1))),
                              ("Adam", "adam", "P", ":")]:
    ax.plot(ANGLES, needed[name], color=style.color_for(key), marker=marker, linestyle=ls, label=name)
for name, key, marker in [("heavy ball (β = 0.9)", "momentum", "s"), ("Adam", "adam", "P")]:
    ax.plot(ANGLES, stays[name], color=style.color_for(key), marker=marker, markerfacecolor="white",
            linestyle=(0, (1, 3)), linewidth=1.2, label=f"{name}: stays below")
ax.set_yscale("log")
ax.set(xlabel="angle of the valley to the axes (degrees)",
       ylabel=r"steps to $f < 10^{-8} f_0$ (best rate for each count)",
       title="Per-coordinate steps need aligned axes")
ax.legend(fontsize=8, ncols=2, loc="lower right", title="filled: first step below; hollow: stays below",
          title_fontsize=8);

# %% [markdown]
# Gradient descent and the heavy ball need the same number of steps at every angle:
# they treat all directions alike, so turning the valley (and its start) changes
# nothing. Adagrad is fast on the aligned valley (top row, at $\eta \approx 19$,
# near the top of the grid). Turned by 25°, it needs about as many steps as gradient
# descent; turned by 45°, more. There (bottom left, Adagrad's first three steps
# numbered) it zigzags across the valley instead of running along it, like gradient
# descent drawn lighter underneath. Adam's scaling alone ($\beta_1 = 0$, drawn in
# RMSprop's colour: it is RMSprop with $\alpha = \beta_2 = 0.999$, where PyTorch's
# default is $\alpha = 0.99$, plus bias correction) behaves the same way: more than
# 15 times slower at 45° than aligned. For gradient descent and Adagrad the two
# counts agree; the figure (bottom right) draws the first-step counts, and the
# "stays below" count of the heavy ball and Adam (hollow markers; its table is in
# Appendix F).
#
# Full Adam ($\beta_1 = 0.9$) is much less sensitive to the angle, and gains little
# from alignment (about as many steps at 0° as at 15° by the first count). Which
# of Adam and the heavy ball is faster depends on the count: by the first step
# below the threshold the heavy ball wins at every angle; by "stays below", Adam
# wins at 0°, 5° and 10° (167 to 169 steps against 174) but not at 45° (251). Is the
# insensitivity due to Adam's momentum? On this valley it goes with it: Appendix F
# runs Adam with $\beta_1 = 0, 0.5, 0.7, 0.9$, and by the first count the ratio of
# the steps at 45° to those at 0° falls as $\beta_1$ grows, from 27 to 1.2.
#
# Why is Adagrad at 45° *slower* than gradient descent, not just as slow? At 45°
# each coordinate axis makes the same angle with both axes of the valley. From this
# start the gradients point mostly across the valley, its steep direction: at the
# start, their components along the valley's axes are $\mu \cdot (-2.5) = -2.5$ and
# $L \cdot 1 = 100$. Such a gradient has two coordinates of nearly equal size, so
# the two sums $s_i$ grow alike, and Adagrad is nearly gradient descent with one
# rate for both coordinates. The sums are dominated by the first, largest
# gradients, so that rate soon stops moving. The cell below measures this, and runs
# gradient descent at the rate Adagrad ends with:

# %%
v45, lr45 = valley(45), best_lr["Adagrad"][-1]
x45, s45 = np.array(v45.start, dtype=float), np.zeros(2)
rates45 = []
for _ in range(int(needed["Adagrad"][-1])):                # Adagrad's loop, keeping the rate lr / sqrt(s)
    g45 = v45.grad(x45)
    s45 = s45 + g45 * g45
    x45 = x45 - lr45 * g45 / (np.sqrt(s45) + 1e-10)
    rates45.append(lr45 / np.sqrt(s45))
rates45 = np.array(rates45)
frozen = rates45[-1].mean()
gd_at_frozen = gd_steps(v45.grad, v45.start, frozen, MAX_STEPS)
gd_frozen_n = int(np.argmax(0.5 * np.sum(gd_at_frozen * (gd_at_frozen @ v45.hess(np.zeros(2))), axis=1)
                            < 1e-8 * v45.f(v45.start)))
print(f"Adagrad at 45°, lr = {lr45:.2f}: rates lr/sqrt(s) at step 1 {rates45[0].round(4)}, step 10 "
      f"{rates45[9].round(4)}, step {len(rates45)} {rates45[-1].round(4)} (ratio {rates45[-1, 1] / rates45[-1, 0]:.3f}); "
      f"gradient descent's best rate {best_lr['gradient descent'][-1]:.4f}; "
      f"gradient descent at {frozen:.4f} needs {gd_frozen_n} steps (Adagrad {needed['Adagrad'][-1]})")
assert np.all(np.abs(rates45[9:] / rates45[-1] - 1) < 0.01)             # frozen from step 10 on, within 1 %
assert np.all(np.abs(rates45[9:, 1] / rates45[9:, 0] - 1) < 0.03)        # the two coordinates alike
_, axes45 = np.linalg.eigh(v45.hess(np.zeros(2)))                        # the valley's axes: flat, then steep
assert np.allclose(np.abs(axes45.T @ v45.grad(v45.start)), [2.5, 100])  # the start's gradient: mostly steep
assert 0.6 < frozen / best_lr["gradient descent"][-1] < 0.75             # about 2/3 of gradient descent's best
assert abs(gd_frozen_n - needed["Adagrad"][-1]) <= 0.02 * needed["Adagrad"][-1]   # and that explains the count

# %% [markdown]
# From step 10 on, Adagrad's two rates stay within 1 % of their final values and
# within 3 % of each other. They sit at about two thirds of gradient descent's best
# rate, $\approx 2/(L + \mu) = 2/101$ (chapter 02). Gradient descent run at that
# frozen rate needs as many steps as Adagrad. So at 45° the geometry makes Adagrad
# plain gradient descent, at a rate set by the first gradients.
#
# Then why not give Adagrad a larger $\eta$? The cell below runs Adagrad at every
# rate of the grid at once and records the rate $\eta/\sqrt{s}$ it ends with:

# %%
A45 = v45.hess(np.zeros(2))                             # symmetric: x @ A45 is each row's gradient
with np.errstate(all="ignore"):                         # rates that diverge are results, not errors
    xs = adagrad_steps(lambda x: x @ A45, np.tile(v45.start, (len(lr_grid), 1)), lr_grid[:, None], MAX_STEPS)
    reached = 0.5 * np.sum(xs * (xs @ A45), axis=-1) < 1e-8 * v45.f(v45.start)
    s_all = np.cumsum((xs[:-1] @ A45) ** 2, axis=0)     # s_t for every rate, (steps, rates, 2)
converges = reached.any(axis=0)
end = reached.argmax(axis=0)[converges]                  # the step where each converging rate gets there
s_end = s_all[end - 1, np.flatnonzero(converges)]
rate_end = lr_grid[converges, None] / np.sqrt(s_end)
print(f"Adagrad at 45° converges for lr from {lr_grid[converges].min():.2f} to {lr_grid[converges].max():.0f}; "
      f"the rate lr/sqrt(s) it ends with is at most {rate_end.max():.4f} (at lr = "
      f"{lr_grid[converges][rate_end.max(axis=1).argmax()]:.2f}); gradient descent's best rate "
      f"{best_lr['gradient descent'][-1]:.4f}")
large = lr_grid[converges] >= 1.5
assert converges.sum() >= 15 and np.all(np.diff(np.sqrt(s_end[large, 0])) > 0)   # from 1.5 on: a larger lr, a larger s...
assert np.all(np.diff(rate_end[large].max(axis=1)) < 0)                          # ...so much larger that the rate falls
assert rate_end.max() < 0.75 * best_lr["gradient descent"][-1]              # never near gradient descent's rate
assert np.isclose(lr_grid[converges].min(), 0.39, atol=0.01) and lr_grid[converges].max() == 30
assert np.isclose(lr_grid[converges][rate_end.max(axis=1).argmax()], 1.21, atol=0.01)
assert np.isclose(rate_end.max(), 0.0136, atol=5e-5) and np.isclose(best_lr["gradient descent"][-1], 0.0197, atol=5e-5)

# %% [markdown]
# Whatever $\eta$ Adagrad converges with (0.39 to 30 on the grid), the rate it
# ends with is at most 0.0136 (at $\eta = 1.21$), about two thirds of gradient
# descent's best rate on the grid, 0.0197. Below that $\eta$ the rate is small
# because $\eta$ is. Above it, a larger $\eta$ takes larger first steps and
# collects a larger $s$: from $\eta = 1.5$ on, $\sqrt{s}$ grows faster than $\eta$,
# and $\eta/\sqrt{s}$ falls. So Adagrad's rate is fixed by its first gradients, not
# by tuning $\eta$, and that makes it the slower one.
#
# Is that a property of our start? The next cell draws 24 random starts at the same
# distance from the minimum, gives each method its best rate on the grid from each
# start, and also tries one special start, 1,000 times nearer the valley floor:

# %%
rng_starts = np.random.default_rng(45)
phi = rng_starts.uniform(0, 2 * np.pi, 24)
starts = np.linalg.norm(v45.start) * np.stack([np.cos(phi), np.sin(phi)], axis=1)
floor_start = axes45 @ np.array([2.5, 0.001])           # same flat distance, 1,000 times nearer the valley floor
from_starts = {}
with np.errstate(all="ignore"):
    for name in ("gradient descent", "Adagrad"):
        x0s = np.repeat(np.vstack([starts, floor_start]), len(lr_grid), axis=0)   # (start, rate) rows
        xs = METHODS[name](lambda x: x @ A45, x0s, np.tile(lr_grid, len(starts) + 1)[:, None], MAX_STEPS)
        f_path = 0.5 * np.sum(xs * (xs @ A45), axis=-1)
        reached = f_path < 1e-8 * f_path[0]
        first = np.where(reached.any(axis=0), reached.argmax(axis=0), np.iinfo(int).max)
        from_starts[name] = first.reshape(len(starts) + 1, len(lr_grid)).min(axis=1)   # best rate, each start
slower = from_starts["Adagrad"][:-1] / from_starts["gradient descent"][:-1]
floor_needed = {name: int(counts[-1]) for name, counts in from_starts.items()}
print(f"45°, 24 random starts: Adagrad needs {slower.min():.2f} to {slower.max():.2f} times as many steps as "
      f"gradient descent (median {np.median(slower):.2f}); slower from {np.sum(slower > 1)} of 24")
print(f"started at (2.5, 0.001) in the valley's axes: Adagrad needs {floor_needed['Adagrad']} steps, "
      f"gradient descent {floor_needed['gradient descent']} (best rates)")
assert np.all(from_starts["Adagrad"] < MAX_STEPS) and np.all(from_starts["gradient descent"] < MAX_STEPS)
assert np.all(slower > 1.05)                                                       # slower from every random start
assert np.isclose(slower.min(), 1.2, atol=0.05) and np.isclose(slower.max(), 1.9, atol=0.05)   # this draw's range
assert floor_needed["Adagrad"] < 0.95 * floor_needed["gradient descent"]          # the exception: faster
assert np.allclose(np.abs(axes45.T @ (A45 @ floor_start)), [2.5, 0.1])            # its gradient: along the valley

# %% [markdown]
# From every one of the 24 random starts Adagrad needed more steps than gradient
# descent, in this draw between 1.2 and 1.9 times as many (printed above). The
# start near the valley floor is the exception: there the gradient points mostly
# along the valley (components 2.5 and 0.1 in the valley's axes), not across it,
# and Adagrad needs fewer steps.
#
# So per-coordinate step sizes help with ill-conditioning that lies **along the
# coordinate axes**, such as coordinates whose gradients have very different
# scales, or rare features (section 1); on an aligned quadratic they remove it.
# They do not straighten a valley that runs diagonally through the coordinates.
# For that a method must mix coordinates, as Newton's method does with the full
# Hessian (chapter 08), or full-matrix and block preconditioners such as Shampoo
# and K-FAC (see "What else exists" below). On our $\kappa = 100$ valley the gain
# of per-coordinate steps shrinks as it turns, and at 45°, from a typical start,
# Adagrad is slower than gradient descent.


# %% [markdown]
# ## 5. AdamW: weight decay is not an L2 penalty for Adam
#
# **Weight decay** shrinks every weight a little at each step, towards zero, to keep
# a model simple. The usual way is an **L2 penalty**: add
# $\tfrac{\lambda}{2}\lVert x\rVert^2$ to the loss, so the gradient gets a term
# $\lambda x$. For plain gradient descent (no momentum) the two are the same step:
#
# $$x - \eta\,(g + \lambda x) = (1 - \eta\lambda)\, x - \eta g,$$
#
# a shrink by the factor $1 - \eta\lambda$, then the gradient step. Checked with
# `sgd(weight_decay=λ)`, PyTorch's L2 form, against the decoupled step written out:

# %%
lam, lr = 0.5, 1e-3
l2 = run(sgd(lr=lr, weight_decay=lam), rosenbrock, rosenbrock.start, steps=500, tol=0).xs


def decoupled_sgd(grad, x0, lr, decay, steps, momentum=0.0):
    """Loshchilov & Hutter's SGDW (their Algorithm 1, schedule multiplier 1):
    b <- momentum * b + lr * grad(x);  x <- x - b - decay * x."""
    x = np.array(x0, dtype=float)
    b = np.zeros_like(x)
    path = [x]
    for _ in range(steps):
        b = momentum * b + lr * grad(x)
        x = x - b - decay * x
        path.append(x)
    return np.array(path)


assert np.allclose(l2, decoupled_sgd(rosenbrock.grad, rosenbrock.start, lr, lr * lam, 500), rtol=1e-12)
print("SGD without momentum: the L2 penalty lambda is the decoupled decay lr * lambda, step for step")

l2_momentum = run(sgd(lr=lr, momentum=0.9, weight_decay=lam), rosenbrock, rosenbrock.start, steps=500, tol=0).xs
sgdw = decoupled_sgd(rosenbrock.grad, rosenbrock.start, lr, lr * lam, 500, momentum=0.9)
gap = np.abs(l2_momentum - sgdw).max()
print(f"with momentum 0.9 the paths differ: largest gap over 500 steps {gap:.3f}")
assert gap > 0.01

# %% [markdown]
# **With momentum the steps differ.** PyTorch's `sgd(momentum=β, weight_decay=λ)`
# adds $\lambda x$ to the gradient, so the decay goes into the momentum buffer and
# is accumulated like the gradient; Loshchilov and Hutter's SGDW (2019,
# Algorithm 1) keeps the decay out of the buffer and applies it once per step.
# **Where they end, though, differs only by a factor**: SGDW with decay $\eta\lambda$
# ends where an L2 penalty of strength $(1 - \beta)\lambda$ would (Appendix D
# derives it from the fixed point and checks it).

# %% [markdown]
# Two more details of their paper. They write the decay as $x \leftarrow x -
# \eta_t\lambda x$, where $\eta_t$ is the *schedule multiplier* (1 without a
# schedule), and they do **not** multiply it by the base learning rate $\alpha$:
# their point was to make the best $\lambda$ independent of the best $\alpha$.
# PyTorch (`param.mul_(1 - lr * weight_decay)`), optax and Keras all multiply the
# decay by the learning rate, so there the decay per step is $\eta\lambda$ and a
# learning-rate sweep at fixed `weight_decay` changes the decay too.
#
# **For Adam, L2 and decoupled decay are different regularizers, even without
# momentum.** The penalty's gradient $\lambda x$ goes into $m$ and $v$ and is
# divided by $\sqrt{\hat v}$ like the rest. While $x$ changes slowly, $\hat m$
# holds about $\lambda x$ on top of the averaged loss gradient, so the decay part of
# coordinate $i$'s step is about $\eta\lambda x_i/\sqrt{\hat v_i}$, where
# $\sqrt{\hat v_i}$ is the root mean square of that coordinate's recent
# (penalized) gradients. AdamW's decay, below, is $\eta\lambda x_i$: Adam + L2
# decays a coordinate less than AdamW where that root mean square is above 1, and
# more where it is below 1. **AdamW** (`torch.optim.AdamW`,
# `gdlearn.optim.adamw`) takes the decay out of the adaptive part:
#
# $$x_t = (1 - \eta\lambda)\, x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},$$
#
# with $m$ and $v$ computed from the loss gradient alone. To see what each does,
# take $f(x) = \tfrac12\big(10\,(x_1 - 1)^2 + 0.1\,(x_2 - 1)^2\big)$, steep in $x_1$
# and flat in $x_2$, whose L2-penalized minimum is $a_i/(a_i + \lambda)$ per
# coordinate ($a = (10, 0.1)$), with $\lambda = 0.1$, $\eta = 0.01$, from $(0, 0)$,
# and run long enough to see where each *ends*:

# %%
curvature, target = np.array([10.0, 0.1]), np.array([1.0, 1.0])


def f_demo(x):
    return 0.5 * np.sum(curvature * (x - target) ** 2)


def grad_demo(x):
    return curvature * (x - target)


def penalized_minimum(strength):
    """Where grad f + strength * x = 0 (f_demo's L2-penalized minimum)."""
    return curvature * target / (curvature + strength)


lam = 0.1
LONG = 20_000
adam_l2 = run(adam(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=LONG, tol=0)
adam_w = run(adamw(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=LONG, tol=0)
l2_minimum = penalized_minimum(lam)                         # where grad f + lambda x = 0
late = adam_w.xs[-2000:]
print(f"Adam + L2 ends at {adam_l2.x.round(4)}; the minimum of f + lambda/2 |x|^2 is {l2_minimum.round(4)}")
print(f"AdamW: at step 5000 {adam_w.xs[5000].round(4)}, over the last 2000 of {LONG} steps "
      f"mean {late.mean(axis=0).round(5)}, range {np.ptp(late, axis=0).round(4)}")
assert np.allclose(adam_l2.xs[10_000], l2_minimum, atol=1e-6)         # L2: the penalized minimum by step 10,000
assert np.allclose(adam_l2.xs[-2000:].mean(axis=0), l2_minimum, atol=1e-3)  # and still around it at the end
assert np.all(np.ptp(adam_l2.xs[-2000:], axis=0) < 0.01)
assert np.allclose(adam_w.xs[5000], 0.998, atol=1e-3)                # step 5000: still on its way
assert np.allclose(late.mean(axis=0), 1.0, atol=1e-3)                # then: the minimum of f itself,
assert np.all(np.ptp(late, axis=0) < 0.01)                           # within 0.01
assert np.allclose(adam_w.xs[:5001, 0], adam_w.xs[:5001, 1], atol=1e-6)   # both coordinates alike


# %% [markdown]
# Adam with the L2 penalty ends at the minimum of the penalized loss (to $10^{-6}$
# at step 10,000): the flat coordinate goes to 0.5 and the steep one barely moves
# (0.990), as the penalized loss dictates whatever the optimizer. AdamW passes $(0.998, 0.998)$ at step
# 5,000 and ends within 0.01 of $(1, 1)$, the minimum of the **unregularized** $f$:
# without noise its decay does almost nothing. (Both of its coordinates move alike
# only because Adam's step does not depend on the gradient's scale, section 1.)
#
# Why? AdamW stops where its two terms cancel, $\hat m/(\sqrt{\hat v} + \epsilon) =
# -\lambda x$. With a steady gradient $g$ the left side is about
# $g/(|g| + \epsilon)$, of size nearly 1 whatever $|g|$, while $\lambda x \approx
# 0.1$. They can cancel only where $|g|/(|g| + \epsilon) = 0.1$, i.e. $|g| =
# \epsilon/9 \approx 10^{-9}$: for all practical purposes, at the minimum of $f$.
# (In this run $\hat v$ still remembers the large early gradients, so AdamW only
# creeps towards that point; the thin dash-dot curve in the figure below is its flat
# coordinate.)
#
# **Near the minimum, Adam does not stay still forever.** Once the gradient is about
# zero, $\hat v$ only forgets, so the rate $\eta/\sqrt{\hat v}$ keeps growing. From
# about step 13,000 on, the steep coordinate of both runs leaves its end point in
# rare, short bursts (never more than 0.01 away) and comes back. Appendix E
# measures this and explains it with chapter 05's stability bound for the heavy ball.
#
# **Training gradients are noisy, and then the picture changes.** Let each gradient
# be $\nabla f + \sigma\xi$, with $\xi$ standard normal noise.
#
# - $\hat v$ averages about $1/(1 - \beta_2) = 1000$ squared gradients, so it is
#   close to their mean, $\mathbb{E}[g]^2 + \sigma^2$.
# - $\hat m$ averages about 10 gradients, so its mean is $\mathbb{E}[g]$.
# - The mean normalized step is then about
#   $\mathbb{E}[g]/\sqrt{\mathbb{E}[g]^2 + \sigma^2}$. Near the minimum the mean
#   gradient is small against the noise, and this is $\approx \mathbb{E}[g]/\sigma$.
#
# AdamW's balance becomes $\mathbb{E}[g]/\sigma \approx -\lambda x$, that is
# $\mathbb{E}[g] + \lambda\sigma x \approx 0$. So **AdamW acts like an L2 penalty
# of strength $\lambda\sigma$**, set by the noise. Adam + L2 divides its whole
# gradient $g + \lambda x$ by the same $\sqrt{\hat v}$. Its mean step vanishes
# where $\mathbb{E}[g] + \lambda x = 0$: the penalized minimum, with or without
# noise. With $\sigma = 2$ the predictions are $x_i = a_i/(a_i + \lambda\sigma)$ for
# AdamW ($0.980$ and $0.333$) and $a_i/(a_i + \lambda)$ for Adam + L2 ($0.990$ and
# $0.5$). We check them on 256 independent runs of 20,000 steps, each position
# averaged over the last 10,000 steps:

# %%
sigma, seeds, noisy_steps = 2.0, 256, 20_000


def noisy_run(opt):
    """`seeds` independent runs at once (one row each), gradient = grad f + sigma * noise.

    Returns each run's position averaged over the last half, and the mean over runs at every step."""
    rng = np.random.default_rng(60)
    x = np.zeros((seeds, 2))
    state = opt.init(x)
    total, mean_path = np.zeros((seeds, 2)), []
    for k in range(noisy_steps):
        g = curvature * (x - target) + sigma * rng.normal(size=x.shape)
        updates, state = opt.update(g, state, x)
        x = optim.apply_updates(x, updates)
        mean_path.append(x.mean(axis=0))
        if k >= noisy_steps // 2:
            total += x
    return total / (noisy_steps - noisy_steps // 2), np.array(mean_path)


(per_run_w, mean_path_w) = noisy_run(adamw(lr=0.01, weight_decay=lam))
(per_run_l2, mean_path_l2) = noisy_run(adam(lr=0.01, weight_decay=lam))
noisy_w, noisy_l2 = per_run_w.mean(axis=0), per_run_l2.mean(axis=0)
spread_w, spread_l2 = per_run_w.std(axis=0) / math.sqrt(seeds), per_run_l2.std(axis=0) / math.sqrt(seeds)
predicted_w = penalized_minimum(lam * sigma)
for i, name in [(0, "steep x1"), (1, "flat x2")]:
    print(f"{name}: AdamW {noisy_w[i]:.4f} ± {spread_w[i]:.4f} (predicted {predicted_w[i]:.4f}), "
          f"Adam + L2 {noisy_l2[i]:.4f} ± {spread_l2[i]:.4f} (L2 minimum {l2_minimum[i]:.4f})")
assert np.all(spread_w < [1e-3, 0.01]) and np.all(spread_l2 < [1e-3, 0.01])          # standard errors
assert abs(noisy_w[0] - predicted_w[0]) < 2e-3 and abs(noisy_l2[0] - l2_minimum[0]) < 2e-3
assert abs(noisy_w[1] - predicted_w[1]) < 0.03 and abs(noisy_l2[1] - l2_minimum[1]) < 0.03
assert noisy_l2[0] - noisy_w[0] > 5e-3 and noisy_l2[1] - noisy_w[1] > 0.1     # AdamW pulls harder, both coordinates

# %%
fig, ax2 = plt.subplots(figsize=(11, 4.4), layout="constrained")
k = np.arange(1, LONG + 1)
ax2.plot(k, adam_l2.xs[1:, 1], color=style.color_for("adam"), label="Adam + L2, no noise")
ax2.plot(k, adam_w.xs[1:, 1], color=style.color_for("adamw"), linestyle="-.", label="AdamW, no noise")
ax2.plot(k, mean_path_l2[:, 1], color=style.color_for("adam"), linestyle="-", linewidth=2.5, alpha=0.45,
         marker="o", markevery=0.1, label=rf"Adam + L2, noise $\sigma$ = {sigma:g} (mean of {seeds} runs)")
ax2.plot(k, mean_path_w[:, 1], color=style.color_for("adamw"), linestyle="-", linewidth=2.5, alpha=0.45,
         marker="h", markevery=0.1, label=f"AdamW, noise (mean of {seeds} runs)")
ax2.axhline(1.0, color="black", linestyle=":", linewidth=1.2, label="minimum of $f$: 1")
ax2.axhline(l2_minimum[1], color=COLORS["reddish_purple"], linestyle=(0, (2, 2)), linewidth=1.6, zorder=5,
            label=r"L2 minimum, $\lambda$: 0.5 (drawn on top)")
ax2.axhline(predicted_w[1], color=COLORS["bluish_green"], linestyle=(0, (5, 2)), linewidth=1.6, zorder=5,
            label=r"L2 minimum, $\lambda\sigma$: 0.333 (drawn on top)")
ax2.set_xscale("log")
ax2.set(xlabel="step $t$", ylabel="$x_2$ (flat)", title=r"Flat $x_2$, without and with gradient noise",
        ylim=(0, 1.08), yticks=np.arange(0, 1.01, 0.2))
ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1));

# %% [markdown]
# The flat coordinate, on a log step axis. Without noise (thin lines) the
# difference is plain: L2 at 0.5, AdamW at 1. With noise (thick lines, the mean over
# the 256 runs) L2 still ends at 0.5, while AdamW's mean rises only to about 0.33,
# **below** L2 and far below its noise-free 1. With these noisy gradients
# ($\sigma = 2 > 1$) AdamW regularizes the flat coordinate *more* than the L2
# penalty with the same $\lambda$ (strength $\lambda\sigma$ against $\lambda$), the
# opposite of the noise-free picture; for $\sigma < 1$ the same approximation
# predicts the reverse order.
#
# Neither answer is "right": they are different regularizers. Adam + L2 ends at
# the L2-penalized minimum (the gradient history only changes how fast it gets
# there); AdamW's end point depends on the size of the normalized step, hence on
# the gradient noise. Loshchilov and Hutter (2019) report that with decoupled decay
# the best $\lambda$ depends less on the learning rate, and that AdamW generalized
# better than Adam with L2 on their image-classification experiments; PyTorch,
# optax and Keras all ship it. (Which optimizer *generalizes* better is a question
# this chapter does not measure: Wilson et al. (2017) construct a linearly
# separable problem on which gradient descent and SGD reach zero test error while
# Adagrad, RMSprop and Adam reach test errors close to one half, and report that
# on several deep-learning models the adaptive methods' solutions generalized
# worse than SGD's, even with better training loss.)
#
# When porting, check which of the two a framework's `weight_decay` means:
# `torch.optim.Adam(weight_decay=λ)` is Adam + L2 by default, while
# `keras.optimizers.Adam(weight_decay=λ)` is AdamW (Appendix B).


# %% [markdown]
# ## 6. AMSGrad: a second moment that never decreases
#
# Reddi, Kale and Kumar (2018) found a simple problem on which Adam converges to the
# *worst* point. On the interval $[-1, 1]$ the losses come in a cycle of three:
# $f_t(x) = 3x$ once, then $-x$ twice. On average that is $x/3$, minimized at
# $x = -1$. But the gradient $+3$, which points the right way, comes rarely, and
# with $\beta_2$ small enough Adam's $v$ has forgotten it by the time the two
# $-1$ gradients come: those get large normalized steps and win. **AMSGrad** uses the
# largest $v$ seen so far, $v^{\max}_t = \max(v^{\max}_{t-1}, v_t)$, in the
# denominator (`adam(amsgrad=True)`, `torch.optim.Adam(amsgrad=True)`).
#
# We run both with $\beta_1 = 0$ and $\beta_2 = 1/(1 + 3^2) = 0.1$, the $\beta$'s
# of the paper's example, projecting back onto $[-1, 1]$ after each step. (Their
# Theorem 1 also uses a decaying rate $\alpha/\sqrt t$ and no bias correction; we
# keep a constant rate and Adam's correction, and the outcome is the same.)

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
print(f"average position over the last 300 steps: Adam {adam_online[-300:].mean():+.3f}, "
      f"AMSGrad {ams_online[-300:].mean():+.3f} (the best point is -1)")
assert adam_online[-300:].mean() > 0.99 and ams_online[-300:].mean() < -0.99

fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(adam_online, color=style.color_for("adam"), label="Adam: ends at the worst point, +1")
ax.plot(ams_online, color=style.color_for("amsgrad"), linestyle=":", linewidth=2.5, marker="<", markevery=300,
        markeredgecolor="black", path_effects=[patheffects.withStroke(linewidth=4, foreground="#333333")],
        label="AMSGrad: ends at the best point, -1")
ax.set(xlabel="step $t$", ylabel="$x_t$", title=r"Reddi et al.'s example: $f_t = 3x, -x, -x, 3x, \ldots$ on $[-1, 1]$")
ax.legend(fontsize=8, loc="center right");

# %% [markdown]
# **Does the step size then never grow?** In Reddi et al.'s algorithm, which has
# no bias correction, the per-coordinate rate $\eta/\sqrt{v^{\max}_t}$ can only
# shrink. Frameworks add Adam's bias correction, in two different ways:
#
# - PyTorch (and `gdlearn`, and Keras) keep the maximum of the **raw** $v_t$ and
#   divide it by the *current* $1 - \beta_2^t$: the rate is
#   $\eta\,\sqrt{1 - \beta_2^t}/\sqrt{v^{\max}_t}$ ($\epsilon$ aside). $v^{\max}$
#   never decreases, but $1 - \beta_2^t$ grows from $1 - \beta_2$ to 1, so the
#   rate can **grow**, by up to $1/\sqrt{1 - \beta_2} \approx 31.6$, over the first
#   few thousand steps.
# - optax's `amsgrad` keeps the maximum of the **bias-corrected** $\hat v_t$; its
#   rate $\eta/\sqrt{\max_{s \le t} \hat v_s}$ never grows.
#
# A gradient of 1 at the first step and $10^{-3}$ ever after (with $\beta_1 = 0$, so
# that the step is the rate times the current gradient) shows the difference:

# %%
def amsgrad_rates(steps=6000, beta2=0.999, eps=1e-8):
    """|step| / |gradient| (lr = 1, beta1 = 0) in PyTorch's form (our adam) and in optax's form (by hand)."""
    opt = adam(lr=1.0, betas=(0.0, beta2), amsgrad=True)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    v, v_hat_max = 0.0, 0.0
    torch_form, optax_form = [], []
    for t in range(1, steps + 1):
        g = 1.0 if t == 1 else 1e-3
        updates, state = opt.update(np.array([g]), state, x)
        torch_form.append(abs(updates[0]) / g)
        v = beta2 * v + (1 - beta2) * g * g
        v_hat_max = max(v_hat_max, v / (1 - beta2**t))                 # optax: max of the corrected v
        optax_form.append(1 / (math.sqrt(v_hat_max) + eps))
    return np.array(torch_form), np.array(optax_form)


rate_torch, rate_optax = amsgrad_rates()
t_ams = np.arange(1, 6001)
for k in (1, 100, 1000, 6000):
    print(f"step {k:>4}: PyTorch form {rate_torch[k - 1]:6.2f}   optax form {rate_optax[k - 1]:.2f}")
# PyTorch form: v_max stays v_1 = 1 - beta2, so the rate is sqrt((1 - beta2^t) / (1 - beta2)) (epsilon aside)
assert np.allclose(rate_torch, np.sqrt((1 - 0.999**t_ams) / (1 - 0.999)), rtol=1e-6)
assert np.isclose(rate_torch[0], 1.0, rtol=1e-6) and 31 < rate_torch[-1] < 31.63
assert np.all(np.diff(rate_optax) <= 0)                                # optax form: never grows

fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(t_ams, rate_torch, color=style.color_for("amsgrad"), linewidth=2.5, marker="<", markevery=500,
        markeredgecolor="black", path_effects=[patheffects.withStroke(linewidth=4, foreground="#333333")],
        label=r"PyTorch form: $\sqrt{1-\beta_2^t}\,/\sqrt{v^{\max}_t}$")
ax.plot(t_ams, rate_optax, color="#595959", linestyle="--", marker="o", markevery=(250, 500),
        label=r"optax form: $1/\sqrt{\max_{s \leq t} \hat v_s}$")
ax.axhline(1 / math.sqrt(1 - 0.999), color="black", linestyle=":", linewidth=1, label=r"$1/\sqrt{1-\beta_2} = 31.6$")
ax.set(xlabel="step $t$", ylabel=r"rate $|$step$|$ / $|g|$ ($\eta = 1$)", ylim=(0, 34),
       title="AMSGrad's rate after one large gradient (1, then $10^{-3}$)")
ax.legend(fontsize=8, loc="center right");

# %% [markdown]
# In PyTorch's form the rate grows 31-fold here, exactly as
# $\sqrt{(1 - \beta_2^t)/(1 - \beta_2)}$; in optax's it stays put. (Reddi et
# al.'s example above ran in PyTorch's form.) AMSGrad is an option, off by default, in PyTorch
# (`amsgrad=False`), optax (a separate `optax.amsgrad`) and Keras
# (`amsgrad=False`).


# %% [markdown]
# ## 7. The optimizer race
#
# Time to watch them. Pick a surface, tick the optimizers to race in the list (hold
# Ctrl or Shift to select several), give each a learning rate with its own slider,
# and press **Play**: all paths advance together, with the losses on the right
# (log scale, $f(x_k) - f^\star$). The **step** slider moves through the race by
# hand. Each optimizer has its own colour, marker, line style and line width (a
# thinner line is drawn over a wider one, so paths that share the valley floor
# both show), and its marker every 25 steps of a 300-step race. One that diverges stops at
# its last finite point (kept inside the figure) with a large **X** and the word
# "diverged" above it; its legend entry says so, and the status line below the
# figure gives the step. Each surface opens with moderate learning rates, not each
# optimizer's best; the default race's rates are printed in a table below it.

# %%
from gdlearn.widgets.race import optimizer_race

race = optimizer_race()
race

# %%
table(["optimizer in the default race", "learning rate"],           # the figure above does not show them
      [(name, f"{race.lr(name):g}") for name in race.values["optimizers"]])

# %% [markdown]
# **What the default race shows** (Rosenbrock, 300 steps): momentum ends lowest,
# ahead of Adam, then RMSprop, then SGD. Two facts, both measured in Appendix F, explain
# why Adam loses; the first is also tested as a cause:
#
# 1. **Its steps are far shorter than $\eta$.** $\hat v$ averages squared gradients
#    over about $1/(1 - \beta_2) = 1000$ steps, so after 300 steps it still
#    remembers the steep start (gradients above 200): its $\sqrt{\hat v}$ is more
#    than 10 times the RMS of the last 50 gradients, and the normalized step
#    $\hat m/\sqrt{\hat v}$ is small. The median step is below $\eta/10$.
#    **Test:** give Adam a short memory, $\beta_2 = 0.95$ (about 20 steps). Then
#    $\sqrt{\hat v}$ follows the recent gradients, and at the same rate Adam ends
#    more than 20 times lower, below momentum at its starting rate.
# 2. **Rosenbrock's valley is curved and not aligned with the axes**, so
#    per-coordinate scaling barely helps (section 4): at the minimum the Hessian has
#    $\kappa \approx 2508$, and the best diagonal rescaling, $D = \mathrm{diag}(H)$,
#    only brings it to about 1600. Momentum's gain on a narrow valley (chapter 05)
#    does not depend on its direction (section 4: the heavy ball needed the same
#    number of steps at every angle). This one is not tested as a cause here; it is
#    consistent with what the rate grid shows next.
#
# And it is not just the starting rates: with each at its best rate on a grid of
# 26 rates from $10^{-4}$ to 10, momentum still ends several times lower than Adam,
# and still lower than Adam with $\beta_2 = 0.95$ at *its* best rate, though by a
# smaller factor. So the short steps are most of the gap at the starting rates, and
# not all of it at the best ones.
#
# Appendix F checks these claims, and the numbers of "things to try" below.

# %% [markdown]
# Things to try:
#
# 1. **Rosenbrock**: raise Adam's rate to 1 and watch it overtake momentum (at
#    momentum's starting rate); raise SGD's until it diverges (the X).
# 2. **Beale**: tick Adagrad. Its rate shrinks like $1/\sqrt{s}$ (section 1), yet at
#    the race's preset rates it ends several times lower than RMSprop after 300
#    steps (checked in Appendix F). That is the preset rates' doing: with each at its best
#    rate on a grid of 21 rates from $10^{-3}$ to 10, RMSprop ends about 6 times
#    lower ($f \approx 1.7 \cdot 10^{-6}$ against $1.0 \cdot 10^{-5}$, printed
#    in Appendix F). And lower Adagrad's rate to 0.1: it ends more than 10 times *higher*
#    than RMSprop. Its good showing depends on its rate.
# 3. **The quadratic** with $\kappa = 50$, turned by 30°: section 4 in motion.
#    Tick Adagrad: does it do better than SGD here?
# 4. **The saddle** $x^2 - y^2$, started almost on the ridge ($y_0 = 0.05$): which
#    optimizers escape first? The adaptive ones scale each coordinate's step by its
#    own gradient history, so the tiny gradient along $y$ still gives a step of
#    about their learning rate from the start (RMSprop's first: 10 times it).
# 5. Tick Adam, AdamW and AMSGrad together: with AdamW's default decay
#    ($\lambda = 0.01$) and so few steps, how far apart do they end?
#
# Every comparison in this chapter ran on a function of one or two variables or a
# one-pass linear regression. Chapter 09 compares SGD, momentum, Adam and AdamW
# where they are mostly used, training a small neural network, with the same
# learning-rate search and budget for each and several random seeds.


# %% [markdown]
# ## Summary
#
# - **Adagrad** divides each coordinate's step by the root of the sum of its squared
#   gradients: steps that ignore the gradient's scale, large for rare features
#   (one pass of single-example training learned a feature present in 1 % of the
#   data better than SGD in 38 of 40 fresh draws, by varying margins), but a
#   rate that shrinks forever ($\eta/\sqrt t$ under a constant gradient).
# - **RMSprop** uses a moving average instead, so the step size follows the recent
#   gradients; its zero start makes the first steps too long: under a constant
#   gradient, with PyTorch's $\alpha = 0.99$ (RMSprop has no bias correction), the
#   step is $\eta/\sqrt{1 - 0.99^t}$, 10 η at step 1 and still 1.26 η at step 100.
# - **Adam** averages the gradient too (momentum) and corrects both averages for
#   their zero start. Without the correction the first steps are 3.2 to 6.6 times
#   too long. With it, a constant gradient gives steps of exactly η (ε aside); a gradient that
#   suddenly grows can give several η (at most about 7.27 η with the default β's,
#   Appendix C).
#   Adam is
#   `chain(scale_by_adam(...), scale_by_learning_rate(lr))`.
# - Per-coordinate steps are a **diagonal preconditioner**. On a quadratic whose
#   valley is aligned with the coordinate axes they make the condition number
#   irrelevant (Adagrad: 6 steps on an aligned κ = 100 valley at its best grid rate,
#   η = 19, after a first step that raises f about 300-fold).
#   They do not straighten a valley turned away from the axes: on the same valley
#   turned by 25° or more, Adagrad needs hundreds of steps, as many as gradient
#   descent or more (at 45°, its rate freezes below gradient descent's best
#   whatever η on the grid, and it was slower from all 24 random starts; only from a
#   start near the valley floor was it the faster).
#   We measured one κ = 100 quadratic; on other functions the gain depends on how well
#   the curvature lines up with the axes. Adam's insensitivity to the angle grows
#   with $\beta_1$ (its momentum); whether Adam or the heavy ball needs fewer
#   steps depends on $\beta_1$ and on how steps are counted.
# - **Weight decay**: for plain SGD an L2 penalty and decoupled decay are the same
#   step (with decay $\eta\lambda$); with momentum the steps differ but the end
#   point is that of an L2 penalty $(1 - \beta)\lambda$ (Appendix D); for Adam they are
#   different regularizers. **AdamW** is the decoupled one (`weight_decay=1e-2` by
#   default in PyTorch; Keras's `Adam(weight_decay=…)` is decoupled too). Without
#   gradient noise AdamW ends at the unregularized minimum; with noise $\sigma$ it
#   acts like an L2 penalty $\lambda\sigma$, here stronger than Adam + L2.
# - **Near a minimum, at a constant rate, Adam can burst** (Appendix E). Once the
#   gradient is tiny, $\hat v$ forgets the old gradients and the rate
#   $\eta/\sqrt{\hat v}$ grows until Adam, a heavy ball while $\hat v$ barely
#   changes, passes its stability bound. Section 5's steep coordinate sat at the
#   minimum to rounding error for some 12,000 steps, then left it in rare bursts,
#   never by more than 0.01.
# - **AMSGrad** keeps the largest second moment and fixes Reddi et al.'s example
#   where Adam ends at the worst point. In PyTorch's form (maximum of the raw $v$,
#   then bias correction) its step size can still grow, up to 31.6 times; in
#   optax's it cannot.
# - The race: on Rosenbrock, momentum beats Adam, whose $\hat v$ remembers the
#   steep start (with $\beta_2 = 0.95$ Adam ends more than 20 times lower). Its
#   diagonal scaling also does not straighten the curved valley; that fits the
#   results but was not tested as a cause.
# - Other adaptive methods (Adadelta, Nadam, Adamax, Yogi, RAdam, Lion, Adafactor,
#   and the non-diagonal Shampoo and K-FAC) are variations on these ideas.
#
# ## What else exists
#
# This chapter covers the methods you will meet most. Others, each a short step
# from them:
#
# - **Adadelta** (Zeiler, 2012, Algorithm 1) takes RMSprop's step
#   $\eta\, g_t/\mathrm{RMS}[g]_t$ and replaces the learning rate $\eta$ by the RMS
#   of the recent *updates*: $\Delta x_t = -(\mathrm{RMS}[\Delta x]_{t-1}/
#   \mathrm{RMS}[g]_t)\, g_t$, both RMS moving averages with $\epsilon$ inside
#   the root, so that it needs no learning rate (PyTorch keeps one as a
#   multiplier, default 1.0).
# - **Adamax** (Kingma and Ba, 2015, section 7.1) replaces $\sqrt{v}$ by a decaying
#   maximum of $|g|$ (the $L^\infty$ limit of Adam's $L^2$ average).
# - **Nadam** (Dozat, 2016) uses Nesterov's look-ahead momentum (chapter 05)
#   inside Adam.
# - **Yogi** (Zaheer et al., 2018) changes $v$ additively,
#   $v_t = v_{t-1} - (1 - \beta_2)\operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2$: it
#   falls by $(1 - \beta_2)\, g_t^2$ where Adam's falls by
#   $(1 - \beta_2)(v_{t-1} - g_t^2)$, so after a large gradient it forgets more
#   slowly than Adam while the new gradients are small ($g_t^2 < v_{t-1}/2$;
#   compare AMSGrad).
# - **RAdam** (Liu et al., 2020) turns the adaptive scaling off during the first
#   steps, while $\hat v$ rests on too few gradients, and fades it in: a built-in
#   alternative to a learning-rate **warmup**.
# - **signSGD** (Bernstein et al., 2018) is Adam's limit with $\beta_1 = \beta_2 = 0$
#   and $\epsilon \to 0$: then $\hat v_t = g_t^2$ and the step is
#   $\eta\, g/|g| = \eta \operatorname{sign}(g)$ per coordinate; $\epsilon$ sets
#   where that stops (gradients below about $\epsilon$ get steps $\eta g/\epsilon$).
# - **Lion** (Chen et al., 2023) keeps a single moving average $m$ of the gradient
#   and steps by the sign of a mix of it and the new gradient,
#   $x_t = x_{t-1} - \eta\,\big(\operatorname{sign}(\beta_1 m_{t-1} + (1 - \beta_1) g_t)
#   + \lambda x_{t-1}\big)$, then updates $m_t = \beta_2 m_{t-1} + (1 - \beta_2) g_t$:
#   signSGD with momentum and decoupled decay, one state vector instead of Adam's two.
# - **Adafactor** (Shazeer and Stern, 2018) saves memory: for a weight matrix it
#   keeps only the row and column sums of the moving average of squared gradients,
#   and estimates each entry's second moment from them (`torch.optim.Adafactor`).
# - PyTorch's `RMSprop` has two options this chapter left out: `momentum`, a
#   heavy-ball buffer on the normalized step, and `centered=True`, which divides by
#   an estimate of the *standard deviation*, $\sqrt{v - \bar g^2}$ with $\bar g$ a
#   moving average of the gradient, instead of the root of the second moment.
# - **Shampoo** (Gupta, Koren and Singer, 2018) and **K-FAC** (Martens and Grosse,
#   2015) are not diagonal: they keep one matrix per dimension of each weight
#   tensor (Shampoo) or a Kronecker-factored approximation of each layer's
#   curvature (K-FAC), so they *can* mix
#   coordinates and straighten a diagonal valley (section 4), at more memory and
#   compute than Adam's two extra numbers per weight.
# - `gdlearn.optim.adam` gives `torch.optim.Adam`'s numbers to float64 round-off
#   (Appendix A); TensorFlow 1 and Keras put ε elsewhere (ε̂ on the uncorrected
#   root, 1e-7 in Keras), which matters when gradients are tiny (Appendix B).
#
# ## Exercises
#
# Open [`exercises/06_adaptive.ipynb`](../exercises/06_adaptive.ipynb): write
# Adam with bias correction, AdamW's decoupled weight-decay step, and RMSprop's and
# Adagrad's updates; then two on paper first: which learning rates survive
# multiplying the loss by a constant, and why Adagrad on a valley turned by 45°,
# started on its steep axis, is gradient descent with one rate. Each exercise has a
# `check(...)` cell that tells you at once whether your code is right, with hints
# for the classic mistakes (a forgotten bias correction, ε inside the square root,
# L2 instead of decoupled decay).


# %% [markdown]
# ## Appendix A. `gdlearn.optim.adam` gives `torch.optim.Adam`'s numbers
#
# `gdlearn`'s optimizers take PyTorch's names and defaults and follow its code, so
# they give the same numbers. The cell below runs five of them, and the same five in
# PyTorch when it is installed, on Rosenbrock from $(-1.2, 1)$, and compares the
# iterates after 1, 2, 3 and 100 steps.
#
# Without PyTorch the comparison uses values **stored in this notebook**, which this
# exact code printed with torch 2.13 (CPU, float64):
#
# ```python
# import numpy as np, torch
# def torch_run(make, steps, x0=(-1.2, 1.0)):
#     p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
#     opt = make([p])
#     xs = [p.detach().numpy().copy()]
#     for _ in range(steps):
#         opt.zero_grad()
#         loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2    # Rosenbrock
#         loss.backward()
#         opt.step()
#         xs.append(p.detach().numpy().copy())
#     return np.array(xs)
# TORCH_OPTIMIZERS = {
#     "Adam": lambda ps: torch.optim.Adam(ps, lr=0.05),
#     "AdamW": lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.1),
#     "AMSGrad": lambda ps: torch.optim.Adam(ps, lr=0.05, amsgrad=True),
#     "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
#     "Adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.5),
# }
# ref = {name: torch_run(make, 100)[[1, 2, 3, 100]].tolist() for name, make in TORCH_OPTIMIZERS.items()}
# print(repr(ref))
# ```

# %%
TORCH_REFERENCE = {  # printed by the code above (torch 2.13, float64): iterates after steps 1, 2, 3, 100
    'Adam': [[-1.1500000000023192, 1.0499999999943181], [-1.102111023624808, 1.0980762212585684],
             [-1.0590684779884367, 1.1413537305608294], [-0.907633009069284, 0.8290034093531102]],
    'AdamW': [[-1.1440000000023192, 1.0449999999943183], [-1.0906322239468276, 1.0876430346035257],
              [-1.0429096064790817, 1.1247220543396417], [-0.5835174934970114, 0.34695895931757387]],
    'AMSGrad': [[-1.1500000000023192, 1.0499999999943181], [-1.102111023624808, 1.0980762212585684],
                [-1.0590684779884367, 1.1413537305608294], [-0.9087431636372849, 0.8312171631969153]],
    'RMSprop': [[-1.100000000046382, 1.0999999998863637], [-1.076185508403677, 1.1243685088457427],
                [-1.0677047397249682, 1.1318742774380115], [-0.9788631379184854, 0.9643678863278285]],
    'Adagrad': [[-0.7000000000002318, 1.4999999999994318], [-1.0958480549233394, 1.041609401086917],
                [-0.9932278596269202, 1.1131522293808256], [-0.8747880822177743, 0.7722546258742689]],
}
OURS = {
    "Adam": adam(lr=0.05),
    "AdamW": adamw(lr=0.05, weight_decay=0.1),
    "AMSGrad": adam(lr=0.05, amsgrad=True),
    "RMSprop": rmsprop(lr=0.01),
    "Adagrad": adagrad(lr=0.5),
}
STEPS_SHOWN = [1, 2, 3, 100]
ours = {name: run(opt, rosenbrock, rosenbrock.start, steps=100, tol=0).xs[STEPS_SHOWN] for name, opt in OURS.items()}
for name, xs in ours.items():      # our numbers against the stored ones
    assert np.allclose(xs, TORCH_REFERENCE[name], rtol=1e-12, atol=1e-12), name

try:
    import torch
except ImportError:
    torch = None
    source = "stored reference values (PyTorch is not installed here)"
if torch is not None:
    source = f"torch {torch.__version__}, computed just now"

    def torch_run(make, steps, x0=(-1.2, 1.0)):
        p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        opt = make([p])
        xs = [p.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2    # Rosenbrock
            loss.backward()
            opt.step()
            xs.append(p.detach().numpy().copy())
        return np.array(xs)

    TORCH_OPTIMIZERS = {
        "Adam": lambda ps: torch.optim.Adam(ps, lr=0.05),
        "AdamW": lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.1),
        "AMSGrad": lambda ps: torch.optim.Adam(ps, lr=0.05, amsgrad=True),
        "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
        "Adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.5),
    }
    reference = {name: torch_run(make, 100)[STEPS_SHOWN] for name, make in TORCH_OPTIMIZERS.items()}
    for name in reference:
        assert np.allclose(reference[name], TORCH_REFERENCE[name], rtol=1e-12, atol=1e-12), name
else:
    reference = {name: np.array(xs) for name, xs in TORCH_REFERENCE.items()}

rows = []
for name in OURS:
    for i, k in enumerate(STEPS_SHOWN):
        diff = np.abs(ours[name][i] - reference[name][i]).max()
        rows.append((name if i == 0 else "", k, np.array2string(ours[name][i], precision=12),
                     np.array2string(np.asarray(reference[name][i]), precision=12), f"{diff:.1e}"))
        assert diff < 1e-12
print("PyTorch numbers from:", source)
table(["optimizer", "step", "gdlearn.optim", "torch.optim", "largest difference"], rows)

# %% [markdown]
# The same iterates to 12 digits and more, after 100 steps on a curved valley where
# a difference would grow. (What remains is float64 round-off.) The defaults are
# PyTorch's too. The check runs both ways when PyTorch is installed: every
# hyperparameter of ours exists in torch with the same default, and every torch
# argument we lack is printed (they are code-path switches such as `foreach`, plus
# `maximize` and Adam's `decoupled_weight_decay`, whose `True` is checked to give
# AdamW's numbers). Without PyTorch only the stored defaults below are checked:

# %%
defaults = {name: inspect.signature(fn).parameters for name, fn in
            [("adam", adam), ("adamw", adamw), ("rmsprop", rmsprop), ("adagrad", adagrad)]}
assert defaults["adam"]["eps"].default == 1e-8 and defaults["adam"]["betas"].default == (0.9, 0.999)
assert defaults["adam"]["weight_decay"].default == 0 and defaults["adamw"]["weight_decay"].default == 1e-2
assert defaults["rmsprop"]["alpha"].default == 0.99 and defaults["adagrad"]["eps"].default == 1e-10
if torch is not None:
    SWITCHES = {"params", "foreach", "fused", "capturable", "differentiable", "maximize"}
    for ours_fn, theirs in [(adam, torch.optim.Adam), (adamw, torch.optim.AdamW),
                            (rmsprop, torch.optim.RMSprop), (adagrad, torch.optim.Adagrad)]:
        theirs_params = inspect.signature(theirs).parameters
        ours_params = inspect.signature(ours_fn).parameters
        for p in ours_params.values():                      # ours -> torch: same name, same default
            assert theirs_params[p.name].default == p.default, (ours_fn.__name__, p.name)
        missing = sorted(set(theirs_params) - set(ours_params))   # torch -> ours: what we lack
        print(f"torch.optim.{theirs.__name__} arguments gdlearn's {ours_fn.__name__} lacks: {', '.join(missing)}")
        assert set(missing) <= SWITCHES | {"decoupled_weight_decay"}, missing
    if "decoupled_weight_decay" in inspect.signature(torch.optim.Adam).parameters:
        assert inspect.signature(torch.optim.Adam).parameters["decoupled_weight_decay"].default is False
        adam_decoupled = torch_run(lambda ps: torch.optim.Adam(ps, lr=0.05, weight_decay=0.1,
                                                               decoupled_weight_decay=True), 100)[STEPS_SHOWN]
        assert np.allclose(adam_decoupled, TORCH_REFERENCE["AdamW"], rtol=1e-12, atol=1e-12)
        print("torch.optim.Adam(decoupled_weight_decay=True) gives torch.optim.AdamW's iterates")
    print("every hyperparameter of adam, adamw, rmsprop and adagrad has torch's name and default")


# %% [markdown]
# ## Appendix B. Why frameworks give different numbers
#
# "Adam with lr = 0.001" is not one algorithm. At least three details change the
# numbers from one framework to another: where ε goes and the default values
# (below), and how AMSGrad's maximum is bias-corrected (section 6: PyTorch takes
# the maximum of the raw $v$, optax of $\hat v$). One more separates all of them
# from the paper: PyTorch, optax and Keras multiply the decoupled decay by the
# learning rate, Loshchilov and Hutter's algorithm does not (section 5). Two more
# traps, both below: what `weight_decay` means, and RMSprop's first step.
#
# **Weight decay.** The defaults differ: `torch.optim.Adam` has `weight_decay=0` (an L2
# penalty when set), `torch.optim.AdamW` has `weight_decay=0.01`. And a trap when
# porting: in Keras 3, `weight_decay` is an
# argument of *every* optimizer and is always decoupled (the base class shrinks
# each variable by `lr * weight_decay` before the update), so
# `keras.optimizers.Adam(weight_decay=λ)` is AdamW, while
# `torch.optim.Adam(weight_decay=λ)` is Adam + L2 **by default**: recent PyTorch
# (2.13, the version that produced Appendix A's stored values) gives `Adam` a flag
# `decoupled_weight_decay`, default `False`; set
# to `True`, `Adam` is AdamW (Appendix A checks both when PyTorch is installed).
#
# **RMSprop's start.** PyTorch's `RMSprop` starts its average at 0 with
# $\alpha = 0.99$: first step $10\,\eta$ under a constant gradient (section 2).
# Keras's `RMSprop` also starts at 0 but decays with $\rho = 0.9$ by default, so its
# first step is $\sqrt{10} \approx 3.2\,\eta$. TensorFlow 1's
# `tf.compat.v1.train.RMSPropOptimizer` starts the average at **1** (its `rms` slot
# has a ones initializer), with decay 0.9 and $\epsilon = 10^{-10}$ inside the
# root: its first step is $\eta\, g/\sqrt{0.9 + 0.1\, g^2}$, about $\eta\, g$ for
# small gradients.
#
# **Round-off: the order of operations.** `gdlearn` and PyTorch compute the same
# Adam formula in different orders (section 3). Like PyTorch, `gdlearn` updates $m$
# by a linear interpolation (`lerp`); then it folds both corrections into one
# constant and scales $\epsilon$ by $1 - \beta_1^t$ to match (`scale_by_adam` in
# `gdlearn/optim/adaptive_scaling.py`). PyTorch's default code for CPU tensors
# (`_single_tensor_adam` in `torch/optim/adam.py`, version 2.13) does not fold: it
# computes $\sqrt{v_t}/\sqrt{1 - \beta_2^t} + \epsilon$ and multiplies the step by
# $\eta/(1 - \beta_1^t)$; only its `capturable` and `differentiable` code (for
# graphs captured on a GPU, or differentiated through) regroups the constants. The
# results differ in the last bits only (Appendix A measures the gap).
#
# **Where ε goes.** PyTorch (and optax, JAX's optimizer library) add $\epsilon$ to
# the root of the *bias-corrected* $\hat v$, as in section 3:
# $\eta\,\hat m_t / (\sqrt{\hat v_t} + \epsilon)$. TensorFlow 1's `AdamOptimizer`
# and Keras (`tf.keras.optimizers.Adam`) use the form Kingma and Ba give just before
# their section 2.1: fold both corrections into the learning rate and add their
# $\hat\epsilon$ ("epsilon hat", as the Keras documentation calls it) to the root
# of the *uncorrected* $v$:
#
# $$\eta_t = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
# x_t = x_{t-1} - \eta_t\,\frac{m_t}{\sqrt{v_t} + \hat\epsilon}
#     = x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \hat\epsilon/\sqrt{1 - \beta_2^t}} .$$
#
# So $\hat\epsilon$ acts as a PyTorch $\epsilon$ that is $1/\sqrt{1 - \beta_2^t}$ times
# larger: about 32 times at the first step ($1/\sqrt{0.001} \approx 31.6$), fading
# over thousands of steps.
#
# **Default values.** From each library's documentation or source:

# %%
table(["library", "Adam's ε", "form", "AdamW's weight decay (ε)", "AMSGrad maximum of"],
      [("PyTorch (`torch.optim`)", "1e-8", "ε after the bias-corrected root", "1e-2 (1e-8)", "raw $v$"),
       ("optax (JAX)", "1e-8", "ε after the bias-corrected root", "1e-4 (1e-8)", "corrected $\\hat v$"),
       ("Keras 3 / `tf.keras.optimizers`", "1e-7", "ε̂ (epsilon hat)", "4e-3 (1e-7)", "raw $v$ (ε̂ form)"),
       ("TensorFlow 1 `tf.compat.v1.train.AdamOptimizer`", "1e-8", "ε̂ (epsilon hat)",
        "— (no AdamW in `tf.compat.v1.train`)", "— (no AMSGrad)")])

# %% [markdown]
# Sources: the signatures of `torch.optim.Adam` and `torch.optim.AdamW`, of
# `optax.adam`, `optax.adamw` and `optax.scale_by_amsgrad`, and of
# `keras.optimizers.Adam` and `keras.optimizers.AdamW` (keras.io/api/optimizers).

# %% [markdown]
# With ordinary gradients none of this matters: $\sqrt{\hat v}$ is far larger than
# $\epsilon$. It matters when the gradients are **tiny**, comparable to $\epsilon$:
# a loss multiplied by a small constant, a layer with vanishing gradients (chapter
# 07), or an optimizer state stored in half precision, where $\epsilon = 10^{-8}$
# itself rounds to zero (float16's smallest positive number is about
# $6 \times 10^{-8}$). PyTorch's automatic mixed precision avoids this: `torch.autocast`
# picks a precision per operation, and its documentation says not to call `half()`
# on the model, so the parameters, and the optimizer state made like them, keep
# the float32 they are created in by default. Here is the first Adam step, in
# units of $\eta$, for a
# gradient of size $g$, in PyTorch's form and in the Keras form with Keras's
# default $\hat\epsilon = 10^{-7}$:

# %%
def first_step_torch(g, eps=1e-8, betas=(0.9, 0.999)):
    opt = adam(lr=1.0, betas=betas, eps=eps)
    updates, _ = opt.update(np.array([g]), opt.init(np.zeros(1)), np.zeros(1))
    return -updates[0]


def first_step_eps_hat(g, eps_hat=1e-7, betas=(0.9, 0.999), t=1):
    """Kingma & Ba's 'epsilon hat' form (TF1, Keras), lr = 1, first step from m = v = 0."""
    beta1, beta2 = betas
    m, v = (1 - beta1) * g, (1 - beta2) * g * g
    lr_t = math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return lr_t * m / (math.sqrt(v) + eps_hat)


sizes = [1.0, 1e-3, 1e-6, 1e-8, 1e-9, 1e-10]
rows = [(f"{g:g}", f"{first_step_torch(g):.4g}", f"{first_step_eps_hat(g):.4g}",
         f"{first_step_torch(g) / first_step_eps_hat(g):.3g}") for g in sizes]
table(["gradient $g$", "PyTorch form, ε = 1e-8", "Keras form, ε̂ = 1e-7", "ratio"], rows)
assert abs(first_step_torch(1.0) - 1) < 1e-7 and abs(first_step_eps_hat(1.0) - 1) < 1e-5     # same for normal g
assert np.isclose(first_step_torch(1e-9), 1 / 11)                                         # 1e-9 / (1e-9 + 1e-8)
assert np.isclose(first_step_eps_hat(1e-9), 1e-9 * math.sqrt(1e-3) / (1e-9 * math.sqrt(1e-3) + 1e-7))
assert 250 < first_step_torch(1e-9) / first_step_eps_hat(1e-9) < 300                    # "almost 300 times"
assert 3e-6 < first_step_torch(1.0) - first_step_eps_hat(1.0) < 4e-6                      # 3 parts in a million
assert round(1 / math.sqrt(1 - 0.999), 1) == 31.6
assert np.float16(1e-8) == 0 and np.float16(6e-8) > 0                                # half precision
# the same epsilon value in the two forms: eps_hat acts as eps / sqrt(1 - beta2) at the first step
assert np.isclose(first_step_eps_hat(1e-9, eps_hat=1e-8), first_step_torch(1e-9, eps=1e-8 / math.sqrt(1e-3)))

# %% [markdown]
# In the figure below, the dotted curve separates the two causes: for the tiniest gradients the Keras
# default sits $316$ times below PyTorch, a factor 10 from the value ($10^{-7}$
# against $10^{-8}$) and $1/\sqrt{1 - \beta_2} \approx 31.6$ from the placement.
#
# For a gradient of size 1, the two differ by 3 parts in a million. For $10^{-9}$, PyTorch's
# first step is $\eta/11$ and Keras's almost 300 times smaller: the same model and
# "the same" optimizer train at very different speeds. When you port a model between
# frameworks, or reproduce a paper, check $\epsilon$, its placement, and the weight
# decay (torch's AdamW decays 100 times harder per step than optax's by default:
# after 10,000 steps at $\eta = 10^{-3}$ with no gradient, a weight keeps
# $(1 - 10^{-5})^{10^4} \approx 0.905$ of its value in PyTorch, $0.961$ in Keras
# and $0.999$ in optax).

# %%
assert np.isclose((1 - 1e-3 * 1e-2) ** 10_000, 0.905, atol=5e-4)
assert np.isclose(first_step_torch(1e-12) / first_step_eps_hat(1e-12, eps_hat=1e-8), 31.6, rtol=0.01)   # placement
assert np.isclose(first_step_torch(1e-12) / first_step_eps_hat(1e-12), 316, rtol=0.01)                   # and value
assert np.isclose((1 - 1e-3 * 1e-4) ** 10_000, 0.999, atol=5e-4)
assert np.isclose((1 - 1e-3 * 4e-3) ** 10_000, 0.961, atol=5e-4)
g_curve = np.geomspace(1e-12, 1, 200)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(g_curve, [first_step_torch(g) for g in g_curve], color=style.color_for("adam"),
        label=r"PyTorch / optax form, $\epsilon = 10^{-8}$")
ax.plot(g_curve, [first_step_eps_hat(g) for g in g_curve], color=COLORS["blue"], linestyle="--",
        label=r"TF1 / Keras form, $\hat\epsilon = 10^{-7}$ (Keras default)")
ax.plot(g_curve, [first_step_eps_hat(g, eps_hat=1e-8) for g in g_curve], color=COLORS["bluish_green"],
        linestyle=":", linewidth=2.2, label=r"TF1 / Keras form, $\hat\epsilon = 10^{-8}$ (TF1 default)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set(xlabel="size of the gradient $|g|$", ylabel=r"first step / $\eta$",
       title="Adam's first step for tiny gradients: ε's place and value")
ax.legend(fontsize=8);


# %% [markdown]
# ## Appendix C. The longest possible Adam step
#
# Section 3 showed Adam steps longer than Kingma and Ba's $3.16\,\eta$. How long can
# they get? The Cauchy–Schwarz inequality answers. Write
# $m_t = (1 - \beta_1)\sum_k \beta_1^k g_{t-k}
# = (1 - \beta_1)\sum_k (\beta_1/\sqrt{\beta_2})^k \cdot \beta_2^{k/2} g_{t-k}$;
# then $|m_t| \le (1 - \beta_1)\sqrt{\sum_k (\beta_1^2/\beta_2)^k}\,
# \sqrt{v_t/(1 - \beta_2)}$, so, with the corrections,
#
# $$\frac{|\hat m_t|}{\sqrt{\hat v_t}} \le
# \frac{1 - \beta_1}{1 - \beta_1^t}\sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}
# \sqrt{\frac{1 - (\beta_1^2/\beta_2)^t}{1 - \beta_1^2/\beta_2}}
# \;\xrightarrow{\;t \to \infty\;}\;
# \frac{1 - \beta_1}{\sqrt{1 - \beta_2}\,\sqrt{1 - \beta_1^2/\beta_2}} \approx 7.27 .$$
#
# Equality needs $g_{t-k} \propto (\beta_1/\beta_2)^k$: gradients that grow by
# $\beta_2/\beta_1 \approx 1.11$ per step. A gradient that is 1 for 5000 steps and then grows
# by $\beta_2/\beta_1$ per step comes within 1 % of the bound. In 300 steps that growth
# multiplies the gradient by about $4 \cdot 10^{13}$: the bound is a worst case, not a
# step you should expect.

# %%
b1, b2, t_all = 0.9, 0.999, np.arange(1, 100_001)
bound_t = ((1 - b1) / (1 - b1**t_all) * np.sqrt((1 - b2**t_all) / (1 - b2))
           * np.sqrt((1 - (b1**2 / b2) ** t_all) / (1 - b1**2 / b2)))
bound = (1 - b1) / math.sqrt(1 - b2) / math.sqrt(1 - b1**2 / b2)
assert np.all(np.diff(bound_t) >= -1e-12) and np.isclose(bound_t[-1], bound) and round(bound, 2) == 7.27
opt, growing_steps = adam(lr=1.0), []
state = opt.init(np.zeros(1))
for k in range(1, 5301):                                   # 1 for 5000 steps, then growing by b2 / b1
    g = np.array([1.0 if k <= 5000 else (b2 / b1) ** (k - 5000)])
    updates, state = opt.update(g, state, np.zeros(1))
    growing_steps.append(abs(updates[0]))
growing_steps = np.array(growing_steps)
worst = growing_steps.max()
print(f"worst-case bound {bound:.3f} eta; gradients growing by b2/b1 per step reach {worst:.3f} eta")
assert 0.99 * bound < worst <= bound
assert 3e13 < (b2 / b1) ** 300 < 5e13                       # the growth that takes (checked in the text)

fig, ax = plt.subplots(figsize=(7, 3.6))
since_growth = np.arange(5001, 5301) - 5000                        # 1 = the first grown gradient
ax.axhline(bound, color="#888888", linestyle="-", linewidth=3, alpha=0.6, zorder=1,
           label=f"worst case (Cauchy–Schwarz) {bound:.2f}")
ax.axhline((1 - b1) / math.sqrt(1 - b2), color="black", linestyle="--", linewidth=1, zorder=1,
           label=r"Kingma & Ba's $(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16$")
ax.plot(since_growth, growing_steps[5000:], color=style.color_for("adam"), linestyle=":", linewidth=2, marker="o",
        markevery=[0, 2, 5, 10, 20, 40, 80, 160], markerfacecolor="white", zorder=3,
        label=r"Adam, gradient 1 then growing by $\beta_2/\beta_1$")
ax.set_xscale("log")
ax.set(xlabel="gradients since the growth starts (before it: steps of exactly $\\eta$)",
       ylabel=r"step length / $\eta$", title="Gradients growing by $\\beta_2/\\beta_1$ reach the worst case",
       ylim=(0, 10.5))
ax.legend(fontsize=8, loc="upper left");


# %% [markdown]
# ## Appendix D. SGD with momentum: decoupled decay and L2 end at the same point, up to a factor
#
# Section 5 compared PyTorch's `sgd(momentum=β, weight_decay=λ)` (L2: the decay
# goes into the momentum buffer) with Loshchilov and Hutter's SGDW (decoupled
# decay $\eta\lambda$, outside the buffer). At a fixed point of SGDW
# the buffer is constant, $b = \beta b + \eta g$, so $b = \eta g/(1 - \beta)$, and
# $x$ is constant, $b = -\eta\lambda x$: together $g + (1 - \beta)\lambda x = 0$,
# the minimum of an L2 penalty of strength $(1 - \beta)\lambda$. PyTorch's form
# ends where $g + \lambda x = 0$. So for SGD with momentum, decoupled decay
# $\eta\lambda$ is an L2 penalty with $\lambda$ divided by $1/(1 - \beta) = 10$, as
# far as the end point goes; only the paths there differ. Checked with $\lambda = 0.5$
# on section 5's $f(x) = \tfrac12\big(10\,(x_1 - 1)^2 + 0.1\,(x_2 - 1)^2\big)$, whose
# penalized minimum is $10/(10 + \lambda)$ and $0.1/(0.1 + \lambda)$ per coordinate:

# %%
lam = 0.5
end_sgdw = decoupled_sgd(grad_demo, np.zeros(2), 0.01, 0.01 * lam, 4000, momentum=0.9)[-1]
end_scaled_l2 = run(sgd(lr=0.01, momentum=0.9, weight_decay=0.1 * lam), (f_demo, grad_demo), np.zeros(2),
                    steps=4000, tol=0).x
print(f"SGDW ends at {end_sgdw.round(6)}, sgd(momentum=0.9, weight_decay=0.1 * lambda) at {end_scaled_l2.round(6)}; "
      f"with weight_decay=lambda the end is {penalized_minimum(lam).round(4)}")
assert np.allclose(end_sgdw, penalized_minimum((1 - 0.9) * lam), atol=1e-9)
assert np.allclose(end_scaled_l2, penalized_minimum((1 - 0.9) * lam), atol=1e-9)
assert np.abs(penalized_minimum(lam) - end_sgdw).max() > 0.4


# %% [markdown]
# ## Appendix E. Adam near a minimum: still, then bursts
#
# Section 5's runs without noise ($\lambda = 0.1$, $\eta = 0.01$), looked at
# closely. Take Adam + L2's steep coordinate. By step 1,000 it sits at the
# penalized minimum to rounding error.
# Its gradient is then about zero, so $\hat v$ only forgets: each step multiplies it
# by about $\beta_2$, and the rate $\eta/(\sqrt{\hat v} + \epsilon)$ grows by about
# $1/\sqrt{\beta_2}$. While $\hat v$ barely changes, and late enough that the bias
# corrections are 1, Adam is a heavy ball (chapter 05) with rate
# $(1 - \beta_1)\,\eta/\sqrt{\hat v}$ and momentum $\beta_1$. On the
# curvature $h = 10 + \lambda = 10.1$ that is stable only while
# $(1 - \beta_1)\,\eta/\sqrt{\hat v} \cdot h < 2(1 + \beta_1)$ (chapter 05, section
# 6), that is while $\eta/\sqrt{\hat v} < 2(1 + \beta_1)/((1 - \beta_1)h) \approx
# 3.76$. The cell below records the rate and the distance to the minimum:

# %%
lam = 0.1                                                    # section 5's lambda (Appendix D used 0.5)


def run_recording_rate(opt, k):
    """Rerun `opt` from (0, 0) by hand; return the iterates and the rate eta / (sqrt(v_hat) + eps).

    `k` is where the ScaleByAdamState sits in the chain (1 for adam, 0 for adamw)."""
    beta2, eps = 0.999, 1e-8                                 # the defaults of adam() and adamw()
    x, state = np.zeros(2), opt.init(np.zeros(2))
    xs, rates = [x], [np.full(2, np.nan)]
    for t in range(1, LONG + 1):
        updates, state = opt.update(grad_demo(x), state, x)
        x = optim.apply_updates(x, updates)
        xs.append(x)
        rates.append(0.01 / (np.sqrt(state[k].nu / (1 - beta2 ** t)) + eps))
    return np.array(xs), np.array(rates)


def first_step(mask, start):
    """The first step >= start where mask holds."""
    return start + int(np.argmax(mask[start:]))


beta1 = 0.9
for name, opt, k, h, minimum, reference, leave in [      # leave: the distance that counts as leaving
        ("Adam + L2", adam(lr=0.01, weight_decay=lam), 1, curvature[0] + lam, l2_minimum[0], adam_l2, 1e-9),
        ("AdamW", adamw(lr=0.01, weight_decay=lam), 0, curvature[0], 1.0, adam_w, 1e-3)]:
    xs, rates = run_recording_rate(opt, k)
    assert np.array_equal(xs, reference.xs)                  # the same run as in section 5
    distance, rate = np.abs(xs[:, 0] - minimum), rates[:, 0]
    bound = 2 * (1 + beta1) / ((1 - beta1) * h)
    cross = first_step(rate > bound, 1)                      # the rate passes the heavy ball's bound
    onset = first_step(distance > leave, 10_000)             # the iterate leaves its end point
    far = distance[-10_000:] > 1e-3
    bursts = np.sum(far[1:] & ~far[:-1] & (np.convolve(far, np.ones(100), "full")[:len(far) - 1] == 0))
    print(f"{name}: rate {rate[1000]:.4f} at step 1000, {rate[10_000]:.3f} at step 10,000; passes the bound "
          f"{bound:.2f} at step {cross}; distance > {leave:g} at step {onset}, rate {rate[onset]:.2f}; "
          f"last 10,000 steps: > 1e-3 away in {far.mean():.1%} of them, {bursts} bursts, largest distance "
          f"{distance[cross:].max():.4f}")
    assert 12_500 < cross < 14_000 and cross < onset < cross + 200       # the burst follows the crossing
    print(f"    {onset - cross} steps from crossing to leaving")
    assert bound < rate[onset] < 1.1 * bound
    assert 0.005 < far.mean() < 0.03 and distance[cross:].max() < 0.01 and 8 <= bursts <= 20
    if name == "Adam + L2":
        assert distance[1000:cross].max() < 1e-12                        # at the minimum to rounding error
        ulp = np.spacing(minimum)                                        # the gap between floats near 0.990
        assert distance[1000:cross].max() <= 4 * ulp and np.isclose(ulp, 1.1e-16, rtol=0.01)   # at most 4 floats away...
        late = distance[10_000:cross]
        assert np.any(late == 0) and np.any(late > 0)                    # ...and flickering before the burst
        assert 0.005 < rate[1000] < 0.008 and 0.6 < rate[10_000] < 0.9
        assert rate[onset:].min() < bound                                # refilled v_hat: the rate drops back
        l2_distance, l2_rate, l2_bound, l2_cross = distance, rate, bound, cross
    else:
        assert distance[10_000:cross].max() < 1e-3                     # AdamW: close, and still creeping in
        w_distance, w_rate, w_bound, w_cross = distance, rate, bound, cross
assert np.allclose(w_rate[1000:13_000], l2_rate[1000:13_000], rtol=0.15)  # the two rates grow alike
flat_still_from = int(np.flatnonzero(adam_l2.xs[:, 1] != 0.5)[-1]) + 1
print(f"Adam + L2's flat x2 is exactly 0.5 from step {flat_still_from} on; its gradient there: {grad_demo(adam_l2.x)[1] + lam * 0.5}")
assert flat_still_from < 2000 and grad_demo(adam_l2.x)[1] + lam * 0.5 == 0.0

# %%
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.4), layout="constrained")
k = np.arange(1, LONG + 1)
tiny = 1e-17                                                  # distance 0 drawn at 1e-17
for ax, distance, key, ls, label, low in [(ax1, l2_distance, "adam", "-", r"Adam + L2: $|x_1 - 0.990|$", 1e-18),
                                          (ax2, w_distance, "adamw", "-.", r"AdamW: $|x_1 - 1|$", 1e-12)]:
    ax.plot(k, np.maximum(distance[1:], tiny), color=style.color_for(key), linestyle=ls, linewidth=0.8,
            label=label)
    ax.set_yscale("log")
    ax.set(xlabel="step $t$", ylabel="distance of $x_1$ (steep) from its end point", ylim=(low, 10),
           title=f"No noise, steep $x_1$, {label.split(':')[0]}: still, then bursts")
    ax.legend(fontsize=8, loc="upper right")
ax3.plot(k, l2_rate[1:], color=style.color_for("adam"), linewidth=2.5, label=r"rate of Adam + L2's $x_1$")
ax3.plot(k, w_rate[1:], color=style.color_for("adamw"), linestyle="-.", linewidth=1.2,
         label=r"rate of AdamW's $x_1$ (drawn on top)")
ax3.axhline(l2_bound, color="black", linestyle=":", linewidth=1.2,
            label=rf"heavy-ball bounds (one line here): {l2_bound:.2f} ($h$ = 10.1), {w_bound:.2f} ($h$ = 10)")
ax3.axvline(l2_cross, color=COLORS["reddish_purple"], linestyle=(0, (2, 2)), linewidth=1.2,
            label=f"Adam + L2 passes its bound: step {l2_cross}")
ax3.axvline(w_cross, color="0.4", linestyle=(0, (6, 2)), linewidth=1.2,
            label=f"AdamW passes its bound: step {w_cross}")
ax3.set_yscale("log")
ax3.set(xlabel="step $t$", ylabel=r"rate $\eta/(\sqrt{\hat v}+\epsilon)$ of $x_1$", ylim=(5e-4, 40),
        title=r"$\hat v$ forgets, the rates grow to the bounds")
ax3.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16));   # below the axes, off the curves

# %% [markdown]
# Right: the rate starts small (0.0066 at step 1,000), grows (a straight line on
# this log scale after the first few thousand steps) and passes the bound near step
# 13,200. Fewer than 200 steps later (76 here) the rounding error has grown into a
# burst (left panel; a distance of exactly 0 is drawn at $10^{-17}$). From step
# 1,000 until then the distance is rounding error: at most 4 gaps between
# neighbouring floats near 0.990 (each $1.1 \times 10^{-16}$), and the solid band
# from about step 9,800 is the iterate flickering between 0 and a few such gaps. The
# burst's large gradients refill $\hat v$, so the rate drops back below the bound,
# the iterate returns towards the minimum, and the cycle repeats: 13 bursts in the
# last 10,000 steps. AdamW's steep coordinate (middle panel), still creeping towards
# 1, does the same after its own crossing, near step 13,500 (right panel: its rate
# is almost the same curve; its bound, with $h = 10$, is 3.80). So at a constant
# rate Adam does not oscillate steadily: it stays put for a long time, then bursts,
# here more than $10^{-3}$ from its end point in under 3 % of the last 10,000 steps
# and never more than 0.01. (Adam + L2's flat coordinate lands exactly on 0.5, where
# its gradient is zero in floating point; with nothing to amplify, it never moves
# again.) The rate can never exceed $\eta/\epsilon$, but with the default
# $\epsilon = 10^{-8}$ that cap is $10^6$, far above the bound.


# %% [markdown]
# ## Appendix F. Checks of sections 1, 4 and 7
#
# These cells only verify claims made in the main text; a reader who trusts the
# numbers can skip them.
#
# ### Section 1: the dense features set SGD's cap
#
# With the rare feature removed from the data, plain SGD blows up at exactly the
# same rates of the grid:

# %%
X_r, y_r, w_true_r, grid_r, n_r, worse_r = rare_data
dense_X, dense_y = X_r.copy(), y_r - X_r[:, 2] * w_true_r[2]          # the same data without the rare feature
dense_X[:, 2] = 0
W = np.zeros((len(grid_r), 3))                                       # plain SGD, one row per rate, same order
with np.errstate(all="ignore"):
    for i in np.random.default_rng(1).permutation(n_r):
        W = W - grid_r[:, None] * ((W @ dense_X[i] - dense_y[i])[:, None] * dense_X[i])
    dense_final = 0.5 * np.mean((W @ dense_X.T - dense_y) ** 2, axis=1)
assert np.array_equal(~(dense_final <= 0.5 * np.mean(dense_y**2)), worse_r)   # the dense features set the cap

# %% [markdown]
# ### Section 4: steps against the angle
#
# Both counts of steps against the valley's angle (the first is section 4's
# table), and the statements made about them:

# %%
table(["method", "count"] + [f"{d}°" for d in ANGLES],
      [(name, count) + tuple(int(k) for k in counts[name]) for name in METHODS
       for count, counts in [("first", needed), ("stays", stays)]])
assert gd_n.max() - gd_n.min() <= 1 and hb_n.max() - hb_n.min() <= 1      # no scaling: the angle does not matter
assert ada_n[0] == 6 and np.isclose(best_lr["Adagrad"][0], 19, rtol=0.01)   # Adagrad, aligned: a handful of long steps
assert ada_n[ANGLES >= 25].min() >= 100                                 # turned by 25° or more: hundreds
assert np.all(np.diff(ada_n) > 0)                                       # the more it turns, the more steps
assert abs(ada_n[ANGLES == 25][0] - gd_n[0]) < 0.1 * gd_n[0]            # at 25°: about as many as gradient descent
assert ada_n[-1] > 1.3 * gd_n[0]                                        # at 45°: more
assert adam0_n[0] <= 20 and adam0_n[-1] > 15 * adam0_n[0]              # Adam's scaling alone: like Adagrad
assert adam_n.max() < 1.6 * adam_n.min()                                # Adam: hardly sensitive to the angle...
assert hb_n.max() < adam_n.min()                                        # first count: the heavy ball everywhere
assert adam_s[:3].max() < hb_s.min() and adam_s[-1] > hb_s[-1]          # stays below: Adam at 0-10°, not at 45°
assert np.all(np.abs(adam_s[:3] - 168) <= 3) and hb_s.min() == hb_s.max() == 174 and abs(adam_s[-1] - 251) <= 5
assert adam_n[0] > 0.9 * adam_n[ANGLES == 15][0]                        # with momentum, alignment hardly helps

# %% [markdown]
# ### Section 4: does the insensitivity come with momentum?
#
# Adam with $\beta_1 = 0, 0.5, 0.7, 0.9$ on the same batch of valleys, each count
# with its best rate, at 0° and 45°:

# %%
beta1s = [0.0, 0.5, 0.7, 0.9]
sweep_first, sweep_stays = {}, {}
with np.errstate(all="ignore"):
    for b1 in beta1s:
        xs = adam_steps(batch.grad, batch.start, batch.lr, HORIZON, betas=(b1, 0.999))
        reached = batch.f(xs) < 1e-8 * f0
        sweep_first[b1] = first_below(reached).reshape(len(ANGLES), -1).min(axis=1)
        sweep_stays[b1] = stays_below(reached).reshape(len(ANGLES), -1).min(axis=1)
ratio_first = np.array([sweep_first[b1][-1] / sweep_first[b1][0] for b1 in beta1s])
ratio_stays = np.array([sweep_stays[b1][-1] / sweep_stays[b1][0] for b1 in beta1s])
table(["β1", "first: 0°", "first: 45°", "45° / 0°", "stays: 0°", "stays: 45°", "45° / 0°"],
      [(b1, sweep_first[b1][0], sweep_first[b1][-1], f"{r1:.1f}", sweep_stays[b1][0], sweep_stays[b1][-1], f"{r2:.1f}")
       for b1, r1, r2 in zip(beta1s, ratio_first, ratio_stays)])
print(f"Adam, beta1 = 0.7, first step below: {sweep_first[0.7].min()} to {sweep_first[0.7].max()} over the angles; "
      f"heavy ball {hb_n.min()}")
assert np.array_equal(sweep_first[0.0], adam0_n) and np.array_equal(sweep_first[0.9], adam_n)   # the table's runs
assert np.all(np.diff(ratio_first) < 0)                            # the larger beta1, the smaller the ratio...
assert ratio_stays[-1] < 0.25 * ratio_stays[:-1].min()             # ...by both counts, most between 0.7 and 0.9
assert ratio_stays[0] > ratio_stays[1:].max() and np.allclose(ratio_stays[2:], [12, 1.5], rtol=0.05)
assert np.isclose(ratio_first[0], 27, rtol=0.05) and np.isclose(ratio_first[-1], 1.2, rtol=0.05)
assert sweep_first[0.7].max() < hb_n.min()                         # beta1 = 0.7: first below before the heavy ball
assert abs(sweep_first[0.7].min() - 38) <= 2 and abs(sweep_first[0.7].max() - 79) <= 2 and hb_n.min() == 95
assert sweep_stays[0.7][-1] > hb_s[-1]                             # but at 45° it stays below later

# %% [markdown]
# By the first count, the larger $\beta_1$, the less Adam's steps depend on the
# angle: 45° costs 27 times as many steps as 0° with $\beta_1 = 0$ and 1.2 times
# with $\beta_1 = 0.9$. By the "stays below" count the ratio also falls, but mostly
# from $\beta_1 = 0.7$ to $0.9$ (12 to 1.5). So on this valley Adam's insensitivity
# to the angle comes with its momentum. These runs do not show that the scaling is
# useless once there is momentum: with $\beta_1 = 0.7$, Adam is first below the
# threshold before the heavy ball at every angle (38 to 79 steps, against 95),
# though at 45° it stays below later; and the heavy ball's $\beta$ was not tuned.

# %% [markdown]
# ### Section 7: the optimizer race
#
# The race's paths are ordinary runs, and they end in the order stated:

# %%
print(race.status_text)
assert race.values["surface"] == "rosenbrock" and race.values["optimizers"] == ("SGD", "momentum", "RMSprop", "Adam")
for name in race.values["optimizers"]:
    direct = run(race.optimizers[name](race.lr(name)), rosenbrock, rosenbrock.start, steps=race.steps)
    assert np.array_equal(race.traces[name].xs, direct.xs)
final = {name: race.traces[name].fs[-1] for name in race.values["optimizers"]}
assert final["momentum"] < final["Adam"] / 5 and final["Adam"] < final["RMSprop"] < final["SGD"]   # the order

# %% [markdown]
# Reason 1, the short steps, measured and tested ($\beta_2 = 0.95$):

# %%
adam_race = run(adam(lr=race.lr("Adam")), rosenbrock, rosenbrock.start, steps=race.steps, record_states=True)
median_step = np.median(np.abs(np.diff(adam_race.xs, axis=0)), axis=0)
moments = next(st for st in adam_race.states[-1] if hasattr(st, "nu"))   # scale_by_adam's block, after the last step
root_v_hat = np.sqrt(moments.nu / (1 - 0.999 ** moments.count))
recent = np.array([rosenbrock.grad(x) for x in adam_race.xs[-51:-1]])
recent_rms = np.sqrt(np.mean(recent**2, axis=0))
print(f"Adam, lr = {race.lr('Adam')}: median step per coordinate {median_step.round(4)}; "
      f"sqrt(v_hat) at the end {root_v_hat.round(1)}, RMS of the last 50 gradients {recent_rms.round(2)}")
assert np.all(median_step < 0.1 * race.lr("Adam"))                    # steps far shorter than eta
assert np.all(root_v_hat > 10 * recent_rms)                            # v_hat remembers the steep start
assert np.abs(rosenbrock.grad(rosenbrock.start)).max() > 200                 # the steep start

short = run(adam(lr=race.lr("Adam"), betas=(0.9, 0.95)), rosenbrock, rosenbrock.start, steps=race.steps,
            record_states=True)
moments_short = next(st for st in short.states[-1] if hasattr(st, "nu"))
root_v_short = np.sqrt(moments_short.nu / (1 - 0.95 ** moments_short.count))
recent_short = np.array([rosenbrock.grad(x) for x in short.xs[-51:-1]])
ratio_short = root_v_short / np.sqrt(np.mean(recent_short**2, axis=0))
print(f"Adam, lr = {race.lr('Adam')}, beta2 = 0.95: f = {short.fs[-1]:.2g} after {race.steps} steps "
      f"(beta2 = 0.999: {final['Adam']:.2g}; momentum {final['momentum']:.2g}); "
      f"sqrt(v_hat) / RMS of the last 50 gradients {ratio_short.round(2)}")
assert np.all((0.8 < ratio_short) & (ratio_short < 1.25))             # a short memory follows the recent gradients
assert short.fs[-1] < final["Adam"] / 20 and short.fs[-1] < final["momentum"]   # reason 1, tested

# %% [markdown]
# Reason 2, the Hessian at the minimum and its best diagonal rescaling:

# %%
H_min = rosenbrock.hess(np.ones(2))
scaled = H_min / np.sqrt(np.outer(np.diag(H_min), np.diag(H_min)))
assert round(np.linalg.cond(H_min)) == 2508 and 1550 < np.linalg.cond(scaled) < 1650
assert min(kappa_scaled(H_min, np.array([1.0, q])) for q in ratios) > 1500    # no diagonal does much better

# %% [markdown]
# Each method at its best rate on the grid, and the numbers behind "things to try" below:

# %%
best_final = {}
for name, make in [("momentum", lambda lr: sgd(lr=lr, momentum=0.9)), ("Adam", lambda lr: adam(lr=lr)),
                   ("Adam, beta2 = 0.95", lambda lr: adam(lr=lr, betas=(0.9, 0.95)))]:
    finals = []
    for lr_try in np.geomspace(1e-4, 10, 26):
        with np.errstate(all="ignore"):
            trace = run(make(lr_try), rosenbrock, rosenbrock.start, steps=race.steps)
        finals.append(trace.fs[-1] if trace.status != "diverged" else np.inf)
    best_final[name] = min(finals)
print(f"best on the grid after {race.steps} steps: momentum f = {best_final['momentum']:.2g}, "
      f"Adam f = {best_final['Adam']:.2g}, Adam with beta2 = 0.95 f = {best_final['Adam, beta2 = 0.95']:.2g}")
assert best_final["momentum"] < best_final["Adam"] / 3
assert best_final["Adam, beta2 = 0.95"] < best_final["Adam"] / 1.5          # the short memory narrows the gap...
assert best_final["momentum"] < best_final["Adam, beta2 = 0.95"] / 1.3      # ...but does not close it
adam_at_1 = run(adam(lr=1.0), rosenbrock, rosenbrock.start, steps=race.steps).fs[-1]
assert adam_at_1 < final["momentum"]                  # "things to try" 1: Adam at lr = 1 overtakes
from gdlearn.widgets.race import RACE_OPTIMIZERS, default_lr, race_style, race_surfaces
for name in RACE_OPTIMIZERS:                  # one colour and marker per optimizer, in the race and in the figures
    assert {k: race_style(name)[k] for k in ("color", "marker")} == \
        {k: style.optimizer_style(name)[k] for k in ("color", "marker")}, name
beale = race_surfaces()["beale"]
beale_final = {name: run(RACE_OPTIMIZERS[name](default_lr("beale", name)), beale, beale.start, steps=300).fs[-1]
               for name in ("Adagrad", "RMSprop")}
print(f"Beale, 300 steps at the starting rates: Adagrad f = {beale_final['Adagrad']:.2g}, "
      f"RMSprop f = {beale_final['RMSprop']:.2g}")
assert beale_final["Adagrad"] < beale_final["RMSprop"] / 3          # "things to try" 2
assert run(adagrad(lr=0.1), beale, beale.start, steps=300).fs[-1] > 10 * beale_final["RMSprop"]
beale_best = {}
for name in ("Adagrad", "RMSprop"):                   # each at its best rate: the order reverses
    finals = []
    for lr_try in np.geomspace(1e-3, 10, 21):
        with np.errstate(all="ignore"):
            trace = run(RACE_OPTIMIZERS[name](lr_try), beale, beale.start, steps=300)
        finals.append(trace.fs[-1] if trace.status != "diverged" and np.isfinite(trace.fs[-1]) else np.inf)
    beale_best[name] = min(finals)
print(f"Beale, 300 steps, each at its best rate on 21 rates from 1e-3 to 10: Adagrad f = {beale_best['Adagrad']:.2g}, "
      f"RMSprop f = {beale_best['RMSprop']:.2g}")
assert 4 < beale_best["Adagrad"] / beale_best["RMSprop"] < 9                  # "about 6 times lower"
assert 1.4e-6 < beale_best["RMSprop"] < 2e-6 and 0.8e-5 < beale_best["Adagrad"] < 1.2e-5
