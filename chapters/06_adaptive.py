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
# coordinate whose gradients have been small gets larger steps, one whose gradients
# have been large gets smaller ones. Adam, the most used of them, is the default
# optimizer of much of deep learning, and it is only a few lines of code.
#
# You need chapter 05: momentum as a running average of gradients, and PyTorch's
# conventions (`gdlearn.optim.sgd(lr, momentum=β)`).
#
# ## What you will learn
#
# - **Adagrad**: divide each coordinate's step by the root of the sum of its squared
#   gradients, and why that helps with **rare features**;
# - **RMSprop**: the same with a moving average, so the steps do not shrink forever;
# - **Adam**: momentum plus RMSprop plus a **bias correction**, and what the first
#   steps look like without it; Adam as a composition of building blocks;
# - **AdamW**: why weight decay and an L2 penalty are the same thing for SGD and two
#   different things for Adam;
# - **AMSGrad**: a small change that fixes a case where Adam converges to the worst
#   point;
# - that `gdlearn.optim.adam` *is* `torch.optim.Adam`, number for number, and why
#   TensorFlow/Keras give different numbers (where ε goes, and default values);
# - and you get the **optimizer race**: up to eight optimizers animated side by side.

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
from IPython.display import Markdown, display

from gdlearn import optim, plotting, style
from gdlearn.optim import (adagrad, adam, adamw, chain, rmsprop, scale_by_adam,
                           scale_by_learning_rate, sgd)
from gdlearn.run import run
from gdlearn.surfaces import rosenbrock

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
# the very first step is $\eta\, g/|g| = \pm\eta$ in every coordinate, however
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

# %% [markdown]
# **The steps shrink forever.** $s$ only grows. Under a constant gradient $g$ it
# is $t g^2$ after $t$ steps, so the step is $\eta/\sqrt t$: a tenth of $\eta$
# after 100 steps, a hundredth after 10,000. That is good when the gradients are
# noisy (a decaying rate damps the noise, chapter 04) and bad on a long road to the
# minimum. Section 2 fixes it.

# %%
constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=0.1, steps=10_000)
step_length = -np.diff(constant[:, 0])
assert np.isclose(step_length[99], 0.1 / 10, rtol=1e-8) and np.isclose(step_length[9999], 0.1 / 100, rtol=1e-8)

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
assert abs(ada_path[-1, 2] - 3) < 0.5                                      # Adagrad: close
assert np.all(np.abs(sgd_path[-1, :2] - w_true[:2]) < 0.1)                 # both learn the dense weights
assert np.all(np.abs(ada_path[-1, :2] - w_true[:2]) < 0.1)

# %% [markdown]
# Both learn the two dense weights. SGD's learning rate is capped: on the grid 0.055
# is the largest rate that does not blow up (from 0.097 on, the loss ends far above
# where it started), because the dense features, with their large values, make
# larger steps overshoot. At its best rate
# rate the rare weight moves only a little at each of its few updates, and after
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
assert ratio_end > 10 and np.all(effective[n // 2:, 2] > 10 * effective[n // 2:, :2].max(axis=1))

fig, (ax, ax_rate) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
k = np.arange(n + 1)
ax.plot(k, sgd_path[:, 2], color=style.color_for("sgd"), label=f"SGD, lr = {lr_sgd:.2g}")
ax.plot(k, ada_path[:, 2], color=style.color_for("adagrad"), label=f"Adagrad, lr = {lr_ada:.2g}")
ax.axhline(3.0, color="black", linestyle="--", linewidth=1, label="true weight 3")
ax.set(xlabel="update (one example each)", ylabel="weight of the rare feature",
       title="Learning the rare feature's weight in one pass")
ax.legend(fontsize=8, loc="lower right")
for i, (label, color) in enumerate([("dense feature 1", COLORS["blue"]), ("dense feature 2", COLORS["sky_blue"]),
                                    ("rare feature", COLORS["bluish_green"])]):
    ax_rate.plot(np.arange(1, n + 1), effective[:, i], color=color, label=label)
ax_rate.set_yscale("log")
ax_rate.set(xlabel="update", ylabel=r"$\eta / \sqrt{s_i}$", title="Adagrad's step size per coordinate")
ax_rate.legend(fontsize=8);

# %% [markdown]
# The rare weight's curve (left) moves in jumps, one per example that has the
# feature: SGD's jumps are small, Adagrad's large. On the right, the dense
# coordinates' step sizes fall steadily as their sums of squares grow, while the
# rare coordinate's stays more than ten times larger. This is why Adagrad was
# a favourite for word embeddings and click prediction, where most features are
# rare.
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

# %% [markdown]
# Under a constant gradient the step settles at $\eta$: no more shrinking. But look
# at the first step: **ten times** $\eta$. The average starts at $v_0 = 0$, so after
# one step $v_1 = (1 - \alpha)\, g^2 = 0.01\, g^2$, whose root is a tenth of $|g|$.
# The average is biased towards its zero start until it has seen about a hundred
# gradients. Adam corrects that.
#
# ## 3. Adam: momentum + RMSprop + bias correction
#
# Kingma and Ba (2015) keep two moving averages, of the gradient (the momentum of
# chapter 05, as an average) and of its square (RMSprop's), and divide each by the
# factor that undoes its zero start:
#
# $$\begin{aligned}
# m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, &\qquad
# \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \\
# v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, &
# \hat v_t &= \frac{v_t}{1 - \beta_2^t}, \\
# x_t &= x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, &&
# \end{aligned}$$
#
# with $m_0 = v_0 = 0$ and the defaults $\beta_1 = 0.9$, $\beta_2 = 0.999$,
# $\epsilon = 10^{-8}$. **Why divide by $1 - \beta^t$?** If every gradient were the
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
assert np.allclose(ours, library, rtol=1e-10, atol=1e-12)
print(f"our Adam loop and gdlearn.optim.adam: largest difference {np.abs(ours - library).max():.1e} over 300 steps")

# %% [markdown]
# (Not exactly equal: PyTorch, and so `gdlearn`, computes
# $\sqrt{v_t}/\sqrt{1 - \beta_2^t}$ rather than $\sqrt{v_t/(1 - \beta_2^t)}$; the
# two differ in the last bits. Section 7 returns to such details.)
#
# ### The first steps, with and without bias correction
#
# Leave the correction out and each step is multiplied by
# $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$ (ignoring $\epsilon$), whatever the
# gradients are. Under a constant gradient the corrected Adam steps by exactly
# $\eta$ from the first step on; the uncorrected one does this:

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
# and the next ones longer still, up to 6.6 times at step 12: early on $v$ is
# much further below its target than $m$ is ($\beta_2$ is closer to 1), so the
# denominator is far too small. It takes a few thousand steps for the factor to
# fade. With the correction the steps are $\eta$ from the start: in Adam, $\eta$
# really is the step length per coordinate (when the gradient keeps its sign).
#
# The figure puts the step lengths of this section side by side, under a constant
# gradient, in units of $\eta$:

# %%
ada_constant = adagrad_steps(lambda x: np.ones_like(x), [0.0], lr=1.0, steps=5000)
fig, ax = plt.subplots(figsize=(7.5, 4))
ax.plot(t, -np.diff(ada_constant[:, 0]), color=style.color_for("adagrad"), label=r"Adagrad: $1/\sqrt{t}$")
ax.plot(t[:3000], rms_steps / 0.1, color=style.color_for("rmsprop"), label=r"RMSprop: $1/\sqrt{1-\alpha^t}$")
ax.plot(t, uncorrected / lr, color=style.color_for("adam"), linestyle=":", linewidth=2.2,
        label="Adam without bias correction")
ax.plot(t, corrected / lr, color=style.color_for("adam"), label="Adam")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set(xlabel="step $t$", ylabel=r"step length / $\eta$", title="Step length under a constant gradient")
ax.legend(fontsize=8);

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
print(a.states[0][0])

# %% [markdown]
# `adamw`, `rmsprop` and `adagrad` are built the same way in `gdlearn/adaptive.py`;
# read it, each is a few lines. From here on we use `gdlearn.optim.adam` and its
# relatives.
#
# ## 4. AdamW: weight decay is not an L2 penalty for Adam
#
# **Weight decay** shrinks every weight a little at each step, towards zero, to keep
# a model simple. The usual way is an **L2 penalty**: add
# $\tfrac{\lambda}{2}\lVert x\rVert^2$ to the loss, so the gradient gets a term
# $\lambda x$. For gradient descent the two are the same thing:
#
# $$x - \eta\,(g + \lambda x) = (1 - \eta\lambda)\, x - \eta g,$$
#
# a shrink by the factor $1 - \eta\lambda$, then the gradient step. (Loshchilov and
# Hutter, 2019, write the decoupled shrink as $x - \lambda' x$ with its own
# $\lambda'$; that is the same step with $\lambda' = \eta\lambda$, a rescaling.
# PyTorch multiplies the decay by the learning rate, as here.) Checked with
# `sgd(weight_decay=λ)`, PyTorch's L2 form, against the decoupled step written out:

# %%
lam, lr = 0.5, 1e-3
l2 = run(sgd(lr=lr, weight_decay=lam), rosenbrock, rosenbrock.start, steps=500, tol=0).xs


def decoupled_sgd(grad, x0, lr, decay, steps):
    """Loshchilov & Hutter's form: x <- x - decay * x - lr * grad(x), decay not multiplied by lr."""
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - decay * x - lr * grad(x)
        path.append(x)
    return np.array(path)


assert np.allclose(l2, decoupled_sgd(rosenbrock.grad, rosenbrock.start, lr, lr * lam, 500), rtol=1e-12)
assert not np.allclose(l2, decoupled_sgd(rosenbrock.grad, rosenbrock.start, lr, lam, 500))
print("SGD: the L2 penalty lambda is decoupled decay lambda' = lr * lambda, step for step")

# %% [markdown]
# For Adam they differ. The penalty's gradient $\lambda x$ goes into $m$ and $v$ and
# is divided by $\sqrt{\hat v}$ like the rest: in a coordinate whose gradients are
# large, the decay is divided by a large number and almost vanishes; in one whose
# gradients are small, it is magnified. **AdamW** (`torch.optim.AdamW`,
# `gdlearn.optim.adamw`) takes the decay out of the adaptive part:
#
# $$x_t = (1 - \eta\lambda)\, x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},$$
#
# with $m$ and $v$ computed from the loss gradient alone, so every weight shrinks by
# the same factor. To see the difference, take
# $f(x) = \tfrac12\big(10\,(x_1 - 1)^2 + 0.1\,(x_2 - 1)^2\big)$, minimum at $(1, 1)$,
# with a steep first coordinate and a flat second one, and $\lambda = 0.1$:

# %%
curvature, target, lam = np.array([10.0, 0.1]), np.array([1.0, 1.0]), 0.1


def f_demo(x):
    """f on a point of shape (2,) or on a grid of shape (2, ...), coordinates on axis 0."""
    x = np.asarray(x, dtype=float)
    shape = (2,) + (1,) * (x.ndim - 1)
    return 0.5 * np.sum(curvature.reshape(shape) * (x - target.reshape(shape)) ** 2, axis=0)


def grad_demo(x):
    return curvature * (x - target)


adam_l2 = run(adam(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=5000, tol=0)
adam_w = run(adamw(lr=0.01, weight_decay=lam), (f_demo, grad_demo), np.zeros(2), steps=5000, tol=0)
l2_minimum = curvature * target / (curvature + lam)        # where grad f + lambda x = 0
print(f"Adam + L2 ends at {adam_l2.x.round(4)}; the minimum of f + lambda/2 |x|^2 is {l2_minimum.round(4)}")
print(f"AdamW     ends at {adam_w.x.round(4)}")
assert np.allclose(adam_l2.x, l2_minimum, atol=1e-6)
assert abs(adam_w.x[0] - adam_w.x[1]) < 1e-6 and round(adam_w.x[0], 3) == 0.998   # the same shrink in both
assert abs(adam_l2.x[1] - adam_w.x[1]) > 0.4

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.5))
g1, g2 = np.meshgrid(np.linspace(-0.1, 1.2, 200), np.linspace(-0.1, 1.2, 200))
ax.contour(g1, g2, f_demo(np.stack([g1, g2])), levels=np.geomspace(1e-3, 10, 12), colors="#888888",
           linewidths=0.7)
ax.plot(*adam_l2.xs.T, color=style.color_for("adam"), label=r"Adam, L2 penalty ($\lambda$ in the gradient)")
ax.plot(*adam_w.xs.T, color=style.color_for("adamw"), linestyle="--", label="AdamW (decoupled decay)")
ax.plot(*target, **style.MINIMUM_STYLE, label="minimum of $f$")
ax.plot(*l2_minimum, "s", color="black", markersize=7, label=r"minimum of $f + \frac{\lambda}{2}\|x\|^2$")
ax.plot(0, 0, color="black", **{k: v for k, v in style.START_STYLE.items()}, label="start")
ax.set(xlabel="$x_1$ (steep)", ylabel="$x_2$ (flat)", title=r"Weight decay $\lambda$ = 0.1: L2 penalty vs AdamW",
       aspect="equal")
ax.legend(fontsize=8, loc="lower right");

# %% [markdown]
# Adam with the L2 penalty ends at the minimum of the penalized loss: the flat
# coordinate, whose gradients are small, is pulled down to 0.5, the steep one barely
# moves (0.99). AdamW shrinks both coordinates by the same amount; it ends near
# $(0.998, 0.998)$, on the diagonal. Neither answer is "right": they are different
# regularizers, and no choice of $\lambda$ turns one into the other, because the L2
# term's effect depends on each coordinate's gradient history. In practice AdamW's
# decay has proved easier to tune for neural networks, which is why it is the usual
# choice. Note the different defaults: `torch.optim.Adam` has `weight_decay=0` (an
# L2 penalty when set), `torch.optim.AdamW` has `weight_decay=0.01`.
#
# ## 5. AMSGrad: a step size that never grows
#
# Reddi, Kale and Kumar (2018) found a simple problem on which Adam converges to the
# *worst* point. On the interval $[-1, 1]$ the losses come in a cycle of three:
# $f_t(x) = 3x$ once, then $-x$ twice. On average that is $x/3$, minimized at
# $x = -1$. But the gradient $+3$, which points the right way, comes rarely, and
# with $\beta_2$ small enough Adam's $v$ has forgotten it by the time the two
# $-1$ gradients come: those get large normalized steps and win. **AMSGrad** uses the
# largest $v$ seen so far, $v^{\max}_t = \max(v^{\max}_{t-1}, v_t)$, so a
# coordinate's step size can only shrink. (`adam(amsgrad=True)`; PyTorch, and
# `gdlearn`, keep the maximum of the raw $v_t$ and bias-correct it.)
#
# We run both with $\beta_1 = 0$ and $\beta_2 = 1/(1 + 3^2) = 0.1$, the setting of
# the paper, projecting back onto $[-1, 1]$ after each step:

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
ax.plot(ams_online, color=style.color_for("amsgrad"), linestyle=":", linewidth=2.2,
        label="AMSGrad: ends at the best point, -1")
ax.set(xlabel="step $t$", ylabel="$x_t$", title=r"Reddi et al.'s example: $f_t = 3x, -x, -x, 3x, \ldots$ on $[-1, 1]$")
ax.legend(fontsize=8, loc="center right");

# %% [markdown]
# In everyday training AMSGrad rarely changes much (with $\beta_2 = 0.999$, $v$
# remembers large gradients for thousands of steps anyway), which is why it is an
# option and not the default.
#
# ## 6. `gdlearn.optim.adam` is `torch.optim.Adam`
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
# PyTorch's too:

# %%
defaults = {name: inspect.signature(fn).parameters for name, fn in
            [("adam", adam), ("adamw", adamw), ("rmsprop", rmsprop), ("adagrad", adagrad)]}
assert defaults["adam"]["eps"].default == 1e-8 and defaults["adam"]["betas"].default == (0.9, 0.999)
assert defaults["adam"]["weight_decay"].default == 0 and defaults["adamw"]["weight_decay"].default == 1e-2
assert defaults["rmsprop"]["alpha"].default == 0.99 and defaults["adagrad"]["eps"].default == 1e-10
if torch is not None:
    for ours_fn, theirs in [(adam, torch.optim.Adam), (adamw, torch.optim.AdamW),
                            (rmsprop, torch.optim.RMSprop), (adagrad, torch.optim.Adagrad)]:
        theirs_params = inspect.signature(theirs).parameters
        for p in inspect.signature(ours_fn).parameters.values():
            assert theirs_params[p.name].default == p.default, (ours_fn.__name__, p.name)
    print("every hyperparameter of adam, adamw, rmsprop and adagrad has torch's name and default")

# %% [markdown]
# ## 7. Why frameworks give different numbers
#
# "Adam with lr = 0.001" is not one algorithm. Two details change the numbers.
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
table(["library", "Adam's ε", "form", "AdamW's weight decay"],
      [("PyTorch (`torch.optim`)", "1e-8", "ε after the bias-corrected root", "1e-2"),
       ("optax (JAX)", "1e-8", "ε after the bias-corrected root", "1e-4"),
       ("Keras / `tf.keras.optimizers.Adam`", "1e-7", "ε̂ (epsilon hat)", "—"),
       ("TensorFlow 1 `tf.compat.v1.train.AdamOptimizer`", "1e-8", "ε̂ (epsilon hat)", "—")])

# %% [markdown]
# With ordinary gradients none of this matters: $\sqrt{\hat v}$ is far larger than
# $\epsilon$. It matters when the gradients are **tiny**, comparable to $\epsilon$:
# a loss multiplied by a small constant, a layer with vanishing gradients (chapter
# 07), mixed precision. Here is the first Adam step, in units of $\eta$, for a
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
# the same epsilon value in the two forms: eps_hat acts as eps / sqrt(1 - beta2) at the first step
assert np.isclose(first_step_eps_hat(1e-9, eps_hat=1e-8), first_step_torch(1e-9, eps=1e-8 / math.sqrt(1e-3)))

# %% [markdown]
# For a gradient of size 1, the two differ by 3 parts in a million. For $10^{-9}$, PyTorch's
# first step is $\eta/11$ and Keras's almost 300 times smaller: the same model and
# "the same" optimizer train at very different speeds. When you port a model between
# frameworks, or reproduce a paper, check $\epsilon$, its placement, and the weight
# decay (torch's AdamW decays 100 times harder per step than optax's by default:
# after 10,000 steps at $\eta = 10^{-3}$ with no gradient, a weight keeps
# $(1 - 10^{-5})^{10^4} \approx 0.905$ of its value in PyTorch and $0.999$ in optax).

# %%
assert np.isclose((1 - 1e-3 * 1e-2) ** 10_000, 0.905, atol=5e-4)
assert np.isclose((1 - 1e-3 * 1e-4) ** 10_000, 0.999, atol=5e-4)
g_curve = np.geomspace(1e-12, 1, 200)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(g_curve, [first_step_torch(g) for g in g_curve], color=style.color_for("adam"),
        label=r"PyTorch / optax form, $\epsilon = 10^{-8}$")
ax.plot(g_curve, [first_step_eps_hat(g) for g in g_curve], color=COLORS["blue"], linestyle="--",
        label=r"TF1 / Keras form, $\hat\epsilon = 10^{-7}$")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set(xlabel="size of the gradient $|g|$", ylabel=r"first step / $\eta$",
       title="Adam's first step: where ε goes matters for tiny gradients")
ax.legend(fontsize=8);

# %% [markdown]
# ## 8. The optimizer race
#
# Time to watch them. Pick a surface, tick the optimizers to race in the list (hold
# Ctrl or Shift to select several), give each a learning rate with its own slider,
# and press **Play**: all paths advance together, with the losses on the right
# (log scale, $f(x_k) - f^\star$). The **step** slider moves through the race by
# hand. An optimizer that diverges stops with a cross, and the status line below the
# figure says at which step. Each surface opens with learning rates that make a
# fair race.

# %%
from gdlearn.widgets.race import optimizer_race

race = optimizer_race()
race

# %% [markdown]
# Things to try:
#
# 1. **Rosenbrock**: Adam and RMSprop run along the valley floor with steps of about
#    their learning rate; SGD crawls. Raise SGD's rate until it diverges.
# 2. **Beale**: tick Adagrad. It starts fast and then slows down, as section 1
#    predicts. Compare with RMSprop.
# 3. **The quadratic** with $\kappa = 50$: does per-coordinate scaling help when the
#    valley is turned by 30° and not aligned with the axes?
# 4. **The saddle** $x^2 - y^2$, started almost on the ridge ($y_0 = 0.05$): which
#    optimizers escape first? The adaptive ones scale each coordinate's step by its
#    own gradient history, so the tiny gradient along $y$ still gives a full-size
#    step.
# 5. Tick Adam and AdamW together and increase their learning rates: where does the
#    decoupled decay pull AdamW?
#
# What the race computed, checked:

# %%
print(race.status_text)
assert race.values["surface"] == "rosenbrock" and race.values["optimizers"] == ("SGD", "momentum", "RMSprop", "Adam")
for name in race.values["optimizers"]:
    direct = run(race.optimizers[name](race.lr(name)), rosenbrock, rosenbrock.start, steps=race.steps)
    assert np.array_equal(race.traces[name].xs, direct.xs)
assert race.traces["SGD"].f > 1 and race.traces["Adam"].f < 1 and race.traces["momentum"].f < 0.1

# %% [markdown]
# ## Summary
#
# - **Adagrad** divides each coordinate's step by the root of the sum of its squared
#   gradients: steps that ignore the gradient's scale, large for rare features
#   (one pass of single-example training learned a feature present in 1 % of the
#   data far better than SGD could), but shrinking like $1/\sqrt t$ forever.
# - **RMSprop** uses a moving average instead, so the step size follows the recent
#   gradients; its zero start makes the first steps too long (10 η at step 1).
# - **Adam** averages the gradient too (momentum) and corrects both averages for
#   their zero start. Without the correction the first steps are 3.2 to 6.6 times
#   too long. Adam is `chain(scale_by_adam(...), scale_by_learning_rate(lr))`.
# - **Weight decay**: for SGD an L2 penalty and decoupled decay are the same step
#   (with $\lambda' = \eta\lambda$); for Adam they are different regularizers, and
#   **AdamW** is the decoupled one (`weight_decay=1e-2` by default in PyTorch).
# - **AMSGrad** keeps the largest second moment, so step sizes never grow; it fixes
#   Reddi et al.'s example where Adam ends at the worst point.
# - `gdlearn.optim.adam` gives `torch.optim.Adam`'s numbers to float64 round-off;
#   TensorFlow 1 and Keras put ε elsewhere (ε̂ on the uncorrected root, 1e-7 in
#   Keras), which matters when gradients are tiny.
#
# ## Exercises
#
# Open [`exercises/06_adaptive.ipynb`](../exercises/06_adaptive.ipynb): write
# Adam with bias correction, AdamW's decoupled weight-decay step, and RMSprop's and
# Adagrad's updates. Each exercise has a `check(...)` cell that tells you at once
# whether your code is right, with hints for the classic mistakes (a forgotten bias
# correction, ε inside the square root, L2 instead of decoupled decay).
