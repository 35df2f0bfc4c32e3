# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 02 — Gradient descent
#
# Chapter 01 ended with a promise: a small step against the gradient goes
# downhill. Repeat that step, and you have **gradient descent**, the algorithm
# under most of deep learning and much of machine learning. It has one knob, the **learning rate**,
# and this chapter is mostly about that knob: what goes wrong when it is too
# small or too large, where exactly "too large" begins, how to find a good value,
# and what the starting point decides when a function has several valleys.
#
# You need chapter 01: the gradient $\nabla f$, the first-order Taylor model, and
# the Hessian and its eigenvalues.
#
# ## What you will learn
#
# - the update rule $x \leftarrow x - \eta \nabla f(x)$, where it comes from, and a
#   five-line loop for it;
# - what a learning rate that is too small, about right, too large or far too large
#   looks like, and why, on a quadratic, gradient descent converges from every start
#   exactly when $\eta < 2/L$ ($L$ the largest Hessian eigenvalue); the best fixed rate;
# - when to stop, and why one $\varepsilon$ means three different tolerances;
# - the descent lemma, and what convexity guarantees, under which hypotheses;
# - Himmelblau's four minima and their basins, from 10,000 starts at once;
# - grid search, random search and a backtracking line search for the learning rate;
# - and you get a **learning-rate explorer** to play with.
#
# Plan on two sittings (sections 1–5, then 6–11). Every number quoted in the text
# is computed and asserted by the notebook; the checks sit in collapsed cells you may
# skip. Proofs, edge cases and longer experiments are in the companion
# [details notebook](02_gradient_descent_details.ipynb), which you do not need for the
# exercises.

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

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gdlearn import plotting, style
from gdlearn.optim import sgd
from gdlearn.run import run, run_many
from gdlearn.surfaces import booth, himmelblau, quadratic, rosenbrock, saddle

COLORS = style.PALETTE

# %% [markdown]
# ## 1. The update rule
#
# Stand at a point $x$ and take a step $d$. For a small step, the first-order
# Taylor model of chapter 01 says how $f$ changes:
#
# $$f(x + d) \approx f(x) + \nabla f(x) \cdot d .$$
#
# Of all steps of a given length, the one that lowers $f$ fastest points along
# $-\nabla f(x)$, the direction of steepest descent (by Cauchy–Schwarz,
# $\nabla f(x) \cdot d \ge -\|\nabla f(x)\|\,\|d\|$, with equality only along
# $-\nabla f(x)$; measuring length another way leads to preconditioning and Newton's method,
# chapter 08; Boyd & Vandenberghe 2004, *Convex Optimization*, §9.4). So step that way, with a
# length proportional to the gradient: $d = -\eta \nabla f(x)$ with a small number
# $\eta > 0$, the **learning rate** (or step size). The model predicts
#
# $$f\big(x - \eta \nabla f(x)\big) \approx f(x) - \eta\, \|\nabla f(x)\|^2 ,$$
#
# a decrease, as long as the gradient is not zero and $\eta$ is small enough for
# the model to hold. Now do it again from the new point, and again:
#
# $$\boxed{\,x_{k+1} = x_k - \eta\, \nabla f(x_k)\,} \qquad k = 0, 1, 2, \dots$$
#
# That is all of gradient descent. Let us check the prediction on our first test
# function, a quadratic bowl $f(x) = \tfrac12 x^\top A x$ whose Hessian $A$ has
# eigenvalues $\mu = 1$ and $L = 10$: a long, narrow valley along the $x$-axis.

# %%
bowl = quadratic(condition_number=10)        # f(x) = x^T A x / 2, eigenvalues of A: 1 and 10
print(bowl.f.__doc__.splitlines()[0])
assert (bowl.mu, bowl.L) == (1, 10)

x = bowl.start
g = bowl.grad(x)
for eta in [1e-1, 1e-2, 1e-3, 1e-4]:
    actual = bowl.f(x - eta * g) - bowl.f(x)
    predicted = -eta * g @ g
    print(f"eta = {eta:<6}  actual change {actual:10.6f}   predicted {predicted:10.6f}"
          f"   ratio {actual / predicted:.4f}")
    assert actual < 0                        # every one of these steps goes downhill

assert np.isclose(actual / predicted, 1, rtol=1e-3)   # for a small step the model is right

# %% [markdown]
# Every step goes downhill, and for small $\eta$ the decrease is what the model
# predicts. For large $\eta$ it is less: the model ignores curvature, which is the
# theme of the rest of the chapter.
#
# ### Gradient descent in five lines
#
# Here is the whole algorithm, written out. It keeps every iterate so we can
# draw the path.

# %%
def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)              # the update rule
        path.append(x)
    return np.array(path)

path = gradient_descent(bowl.grad, bowl.start, lr=0.1, steps=60)
print("start", path[0], " after 60 steps", path[-1].round(4))

losses = bowl.f(path.T)
assert path[1, 1] == 0                               # the first step lands on the valley floor y = 0
assert 0.1 * bowl.L == 1                             # ... because eta = 1/L: the steep factor 1 - eta*L is 0
assert np.all(np.diff(losses) < 0)                   # the loss falls at every step
assert np.allclose(losses[2:] / losses[1:-1], 0.81)  # ... by the same factor, after the first step

# %%
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.3, 1])
plotting.plot_contours(bowl, ax=ax, title="60 steps of gradient descent, $\\eta$ = 0.1")
plotting.plot_path(path, ax=ax, label="gd")
ax_loss.semilogy(losses, color=style.color_for("gd"), marker="o", markersize=3)
ax_loss.set(xlabel="step $k$", ylabel="$f(x_k)$", title="The loss falls every step");

# %% [markdown]
# The first step drops straight onto the valley floor $y = 0$ (the steep
# direction). That it lands *exactly* there is special to this learning rate:
# $\eta = 0.1 = 1/L$, and section 3 shows that the steep coordinate is then
# multiplied by $1 - \eta L = 0$. Then the path walks along the valley floor to the
# minimum at the origin, each step a little shorter than the last because the
# gradient shrinks as the bowl flattens. On a log scale the loss falls along a
# straight line: on the floor $f = \tfrac12 \mu x^2$, and each step multiplies $x$ by
# $1 - \eta\mu = 0.9$, so it multiplies the loss by $(1 - \eta\mu)^2 = 0.81$
# (section 3 derives the factor per direction).
#
# ### From here on: `gdlearn.optim.sgd` and `gdlearn.run.run`
#
# The course library does exactly this loop, with bookkeeping: `sgd(lr)` is the
# update rule (named after PyTorch's `torch.optim.SGD`; the "stochastic" part
# comes in chapter 04), and `run` applies it step after step, records every
# iterate, its loss and its gradient norm, and stops on its own when the gradient
# is tiny (*converged*), when the step budget is spent (*max_steps*) or when the
# iterates blow up (*diverged*). It returns a `Trace` that says why it stopped.
# Same start, same learning rate, same iterates:

# %%
trace = run(sgd(lr=0.1), bowl, bowl.start, steps=60, tol=0)   # tol=0: never stop early
print(trace)
print(trace.message)
assert np.allclose(trace.xs, path, rtol=0, atol=1e-15)         # our loop, step for step

# %% [markdown]
# ## 2. The learning rate: too small, about right, too large, far too large
#
# How far to step is the one decision gradient descent leaves to you.
#
# ### First, one dimension
#
# Take the parabola $f(x) = \tfrac12 L x^2$, whose curvature is $f'' = L$. Its
# gradient is $L x$, so one step is
#
# $$x_{k+1} = x_k - \eta L x_k = (1 - \eta L)\, x_k, \qquad x_k = (1 - \eta L)^k x_0 .$$
#
# Only the product $\eta L$ matters, and the factor $1 - \eta L$ tells the whole story:
#
# - $\eta L = 0.5$: factor $+0.5$. Each step halves $x$ and stays on the same side.
# - $\eta L = 1.5$: factor $-0.5$. Each step jumps over the minimum to the other side,
#   and still halves the distance: a zig-zag that converges.
# - $\eta L = 2.1$: factor $-1.1$. Each jump lands farther out than it started:
#   divergence.
#
# The borders are $\eta L = 1$ (factor 0: the minimum in one step) and $\eta L = 2$
# (factor $-1$: bouncing between $x_0$ and $-x_0$ forever). So gradient descent on
# this parabola converges exactly when $0 < \eta < 2/L$. Here with $L = 2$:

# %%
L_1d, x0_1d, steps_1d = 2.0, 1.0, 8
products = [0.5, 1.5, 2.1]                               # eta * L
iterates = {}
for product in products:
    x_k = [x0_1d]
    for _ in range(steps_1d):
        x_k.append(x_k[-1] - (product / L_1d) * L_1d * x_k[-1])   # x - eta * f'(x)
    iterates[product] = np.array(x_k)
    assert np.allclose(iterates[product], (1 - product) ** np.arange(steps_1d + 1) * x0_1d)

assert np.all(iterates[0.5] > 0) and np.all(np.diff(np.abs(iterates[0.5])) < 0)      # one side, shrinking
assert np.all(iterates[1.5][1:] * iterates[1.5][:-1] < 0)                            # side switches ...
assert np.all(np.diff(np.abs(iterates[1.5])) < 0)                                    # ... and shrinks
assert np.all(np.diff(np.abs(iterates[2.1])) > 0)                                    # grows: diverges

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4), layout="constrained")
parabola_x = np.linspace(-2.6, 2.6, 200)
styles_1d = [(COLORS["bluish_green"], "o", "-"), (COLORS["orange"], "s", "--"),
             (COLORS["vermillion"], "^", ":")]
for ax, product, (color, marker, linestyle) in zip(axes[:3], products, styles_1d):
    x_k = iterates[product]
    ax.plot(parabola_x, 0.5 * L_1d * parabola_x**2, color="black", linewidth=1)
    ax.plot(x_k, 0.5 * L_1d * x_k**2, marker=marker, linestyle=linestyle, color=color, markersize=5)
    ax.plot(x_k[:1], 0.5 * L_1d * x_k[:1] ** 2, "o", color="white", markeredgecolor="black",
            markersize=9, zorder=5)
    ax.set(xlim=(-2.6, 2.6), ylim=(-0.3, 6.8), xlabel="$x$", ylabel=r"$f(x) = \frac{1}{2}Lx^2$",
           title=f"$\\eta L$ = {product}: factor {1 - product:+.1f}")
for product, (color, marker, linestyle) in zip(products, styles_1d):
    axes[3].semilogy(np.abs(iterates[product]), marker=marker, linestyle=linestyle, color=color,
                     markersize=5, label=f"$\\eta L$ = {product}" + (" (same $|x_k|$ as 0.5)" if product == 1.5 else ""))
axes[3].set(xlabel="step $k$", ylabel="$|x_k|$ (log scale)", title="Distance to the minimum")
axes[3].legend(fontsize=8)
fig.suptitle("Gradient descent on a parabola, $x_{k+1} = (1 - \\eta L)\\,x_k$ "
             "(white circle: the start $x_0 = 1$)");

# %% [markdown]
# ### Then two dimensions
#
# A 2-D bowl has a curvature per direction, and section 3 shows that each
# eigen-direction of the Hessian behaves like its own parabola. Here are four
# learning rates on the bowl of section 1 ($\mu = 1$, $L = 10$), from the same
# start, each with a budget of 200 steps. Each panel is titled with the status
# `run` reports.

# %%
regimes = {"too small": 0.01, "about right": 0.1, "too large": 0.195, "far too large": 0.21}
traces = {name: run(sgd(lr=lr), bowl, bowl.start, steps=200) for name, lr in regimes.items()}
for name, tr in traces.items():
    print(f"{name:>14} (lr = {regimes[name]:<5}): {tr.message}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(2, 2, figsize=(10, 8.6))
for ax, (name, tr) in zip(axes.flat, traces.items()):
    plotting.plot_contours(bowl, ax=ax, filled=False)
    if tr.status == "diverged":                          # draw up to the first iterate outside the picture,
        shown = tr.xs[: np.argmax(np.abs(tr.xs[:, 1]) > 3) + 1]   # not the later ones piled up at x = 0
        plotting.plot_path(shown, ax=ax, color=style.color_for("gd")).end.set_visible(False)
    else:
        plotting.plot_path(tr, ax=ax, color=style.color_for("gd"))
    when = {"diverged": f"diverged at step {tr.diverged_at}", "converged": f"converged at step {tr.steps}",
            "max_steps": f"not converged after {tr.steps} steps"}[tr.status]
    ax.set_title(f"{name}: $\\eta$ = {regimes[name]}\n{when}", fontsize=9.5)
first = plotting.plot_path(traces["too small"], ax=axes.flat[0], color=style.color_for("gd"))
first.start.set_label("start")
first.end.set_label("last iterate (after 200 steps)")
first.line.set_label("iterates")
axes.flat[0].legend(loc="lower left", fontsize=8)
axes.flat[-1].text(0.03, 0.97, "the iterates leave\nthe picture; the run\nstops once they\nblow up",
                   transform=axes.flat[-1].transAxes, fontsize=8, va="top",
                   bbox=dict(facecolor="white", edgecolor="0.7"))
fig.suptitle("Four learning rates on the same quadratic ($\\mu$ = 1, $L$ = 10), 200 steps each");

# %% [markdown]
# - **Too small** ($\eta = 0.01$): every step goes the right way, but the steps are
#   tiny. After 200 steps the path is still short of the minimum.
# - **About right** ($\eta = 0.1$): down into the valley, along the floor, done.
# - **Too large** ($\eta = 0.195$): every step overshoots the valley floor and lands
#   on the opposite wall, a bit lower than it started. The path zig-zags, and it
#   still converges, but slowly (the zig-zag is so dense that it fills a band).
# - **Far too large** ($\eta = 0.21$): each overshoot lands farther up the opposite
#   wall and, from the second landing on, *higher* than the last (the first one
#   still lands a little lower, because the shallow direction still gains). The
#   zig-zag grows until the iterates leave the
#   picture; `run` stops and reports the step where it diverged.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
small, right, large, huge = (traces[name] for name in regimes)
assert small.status == "max_steps" and np.linalg.norm(small.x) > 0.3   # still far from 0
assert right.status == "converged"
assert large.status == "max_steps" and large.f < large.fs[0] * 1e-3   # slow, but on its way
y = large.xs[:, 1]                                          # across the valley
assert np.all(y[1:] * y[:-1] < 0)                           # it changes side at every step
assert np.all(np.abs(y[1:]) < np.abs(y[:-1]))               # and each bounce is smaller
assert np.all(np.diff(large.fs) < 0)                        # every landing is lower
y = huge.xs[:, 1]
assert np.all(np.abs(y[1:]) > np.abs(y[:-1]))               # far too large: each bounce is bigger
assert np.all(np.diff(huge.fs[1:]) > 0)                     # and the loss climbs (after step 1)
assert huge.fs[1] < huge.fs[0]                                # the first landing is lower
assert huge.status == "diverged"
assert np.isclose(large.fs[-1] / large.fs[-2], (1 - 0.195 * bowl.L) ** 2, rtol=1e-3)   # 0.9025 per step
assert np.isclose(right.fs[-1] / right.fs[-2], (1 - 0.1 * bowl.mu) ** 2, rtol=1e-3)     # 0.81: faster
assert np.isclose(regimes["far too large"] / regimes["too large"], 1.08, atol=0.005)     # 8% more diverges
assert np.isclose((2 / bowl.L) / regimes["too large"], 1.026, atol=0.001)             # the edge 2/L: 2.6% away

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plotting.plot_loss({f"{name} ($\\eta$ = {regimes[name]})": tr for name, tr in traces.items()},
                   ax=ax, colors=[COLORS[c] for c in ("sky_blue", "bluish_green", "orange", "vermillion")])
for line, linestyle in zip(ax.get_lines(), ("-", "--", "-.", ":")):
    line.set_linestyle(linestyle)
ax.legend(fontsize=8)
ax.set_title("Loss against step for the four learning rates");

# %% [markdown]
# The loss curve is the first thing to look at when training anything: a line
# that goes up says *lower* $\eta$. A slowly sloping line is ambiguous: it may say
# *raise* $\eta$ (the "too small" run) or that $\eta$ sits just under the edge and
# the steep direction zig-zags: the "too large" run (loss factor $(1 - 0.195 \cdot 10)^2
# = 0.9025$ per step, once the shallow direction is done) is slower than "about
# right" (factor $0.81$), and raising its $\eta$ by 8% diverges (the edge, section 3, is
# only 2.6% away). Before raising $\eta$, check the path or the iterates for a zig-zag.
#
# ## 3. Where "too large" begins: $\eta < 2/L$
#
# On a quadratic we can follow gradient descent exactly. For
# $f(x) = \tfrac12 x^\top A x$ the gradient is $\nabla f(x) = A x$, so one step is
#
# $$x_{k+1} = x_k - \eta A x_k = (I - \eta A)\, x_k .$$
#
# The symmetric matrix $A$ has orthonormal eigenvectors $q_i$ with eigenvalues
# $\lambda_i$ (chapter 01). Write the iterate in those coordinates,
# $z_i = q_i \cdot x$. Because $A q_i = \lambda_i q_i$, the matrix $I - \eta A$ just
# multiplies each coordinate by a number:
#
# $$z_{i,k+1} = (1 - \eta \lambda_i)\, z_{i,k}
# \qquad\Longrightarrow\qquad z_{i,k} = (1 - \eta\lambda_i)^k\, z_{i,0}.$$
#
# **Each eigen-direction is multiplied by $1 - \eta\lambda_i$ at every step**, on its
# own: it is the parabola of section 2 with curvature $\lambda_i$. That one line
# explains all four panels above:
#
# | $\eta\lambda_i$ | factor $1 - \eta\lambda_i$ | what the coordinate does |
# | --- | --- | --- |
# | between 0 and 1 | between 0 and 1 | shrinks steadily, on one side (slow when $\eta\lambda_i$ is small) |
# | between 1 and 2 | between −1 and 0 | shrinks, switching sides every step: the zig-zag |
# | above 2 | below −1 | grows, switching sides: divergence |
#
# The largest eigenvalue is the smoothness constant $L$ and the smallest the
# strong-convexity constant $\mu$ (section 6 defines both for functions that are
# not quadratics: $L$-smooth and $\mu$-strongly convex). Every coordinate shrinks exactly when
# $|1 - \eta\lambda_i| < 1$ for all $i$, that is
#
# $$\boxed{\,0 < \eta < \frac{2}{L}\,}$$
#
# This is the condition for convergence *from every start*. In exact arithmetic, a start with no
# component along the steep eigenvectors never feels them: from $(-2.5, 0)$ on our bowl even
# $\eta = 0.25 > 2/L$ converges (its eigenvectors are the axes, so that component is exactly 0.0
# in floating point too), while $(-2.5, 10^{-12})$ diverges: any component along the steep
# direction, however tiny, grows by the factor $|1 - \eta L| = 1.5$ per step. On a rotated bowl,
# a start on the shallow eigenvector is exact only up to round-off, which leaves a steep
# component of about $10^{-17}$: with $\eta = 0.25$ it takes about a hundred steps to grow, and
# the run diverges. Below the edge, the distance to the minimum shrinks, in the long run and
# from a generic start (one with a component along the eigen-direction whose factor
# $|1 - \eta\lambda_i|$ is largest), by the factor
# $\rho(\eta) = \max_i |1 - \eta\lambda_i| = \max(|1 - \eta\mu|,\ |1 - \eta L|)$ per step. For
# our bowl $L = 10$, so $2/L = 0.2$: the "too large" $0.195$ sits just below the edge and the
# "far too large" $0.21$ just above.
#
# First, the claim about eigen-directions, checked on a *rotated* bowl, where the
# eigenvectors are not the axes:

# %%
tilted = quadratic(condition_number=10, angle=0.5)
eigenvalues, Q = np.linalg.eigh(tilted.hess(tilted.start))  # columns of Q: eigenvectors q_i
eta = 0.15
tr = run(sgd(lr=eta), tilted, tilted.start, steps=30, tol=0)
z = tr.xs @ Q                                               # z[k, i] = q_i . x_k
k = np.arange(len(z))[:, None]
predicted = (1 - eta * eigenvalues) ** k * z[0]
print("eigenvalues", eigenvalues.round(6), " factors 1 - eta*lambda =", (1 - eta * eigenvalues).round(6))
assert np.allclose(z, predicted, rtol=1e-9, atol=1e-13)
assert np.isclose(tilted.L, eigenvalues.max()) and np.isclose(tilted.mu, eigenvalues.min())
on_axis = run(sgd(lr=0.25), bowl, [-2.5, 0.0], steps=500)         # eta = 0.25 > 2/L, no steep component
off_axis = run(sgd(lr=0.25), bowl, [-2.5, 1e-12], steps=500)      # a tiny steep component
print(f"eta = 0.25 from (-2.5, 0): {on_axis.message};  from (-2.5, 1e-12): {off_axis.message}")
assert on_axis.status == "converged" and off_axis.status == "diverged"
rotated = run(sgd(lr=0.25), tilted, -2.5 * Q[:, 0], steps=500)   # on the shallow eigenvector, up to round-off
steep_part = Q[:, 1] @ rotated.xs[0]
print(f"rotated bowl, start -2.5 q_1: steep component {steep_part:.0e};  eta = 0.25: {rotated.message}")
assert 1e-18 < abs(steep_part) < 1e-16 and rotated.status == "diverged" and 80 < rotated.steps < 140

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for i, color in zip(range(2), (COLORS["blue"], COLORS["vermillion"])):
    ax.semilogy(np.abs(z[:, i]), "o", color=color, markersize=4,
                label=f"measured $|z_{i + 1}|$ ($\\lambda$ = {eigenvalues[i]:.0f})")
    ax.semilogy(np.abs(predicted[:, i]), "-", color=color, linewidth=1,
                label=f"$|1 - \\eta\\lambda|^k\\,|z_{{{i + 1},0}}|$, factor {1 - eta * eigenvalues[i]:+.2f}")
ax.set(xlabel="step $k$", ylabel="size of the coordinate",
       title=f"Each eigen-direction shrinks by its own factor ($\\eta$ = {eta})")
ax.legend(fontsize=8);

# %% [markdown]
# The steep direction ($\lambda = 10$, factor $-0.5$) is gone in a few steps,
# flipping sign each time; the shallow one ($\lambda = 1$, factor $0.85$) sets the
# pace. Now the threshold. `run_many` runs many copies of gradient descent in one
# vectorized pass; given an *array* of learning rates, each copy gets its own.
# Forty learning rates from 0.005 to 0.5, 100 steps each:

# %%
lrs = np.geomspace(0.005, 0.5, 40)
threshold = 2 / bowl.L
assert np.isclose(threshold, 0.2)
assert np.min(np.abs(lrs / threshold - 1)) > 0.02    # no rate sits right on the edge
sweep = run_many(sgd(lr=lrs), bowl, np.tile(bowl.start, (len(lrs), 1)), steps=100,
                 tol=0, keep_path=True)

def contraction_factor(distances):
    """Average factor by which a sequence of distances shrinks per step, over its second half."""
    distances = distances[np.isfinite(distances)]
    end = len(distances) - 1
    middle = end // 2
    return (distances[end] / distances[middle]) ** (1 / (end - middle))

distances = np.linalg.norm(sweep.path, axis=2)      # distance to the minimum, (steps + 1, runs)
measured = np.array([contraction_factor(distances[:, j]) for j in range(len(lrs))])
theory = np.maximum(np.abs(1 - lrs * bowl.mu), np.abs(1 - lrs * bowl.L))

stable = lrs < threshold
assert not np.any(sweep.status[stable] == "diverged")       # below 2/L: none diverges,
assert np.all(measured[stable] < 1)                         # every one contracts,
assert np.all(sweep.status[~stable] == "diverged")          # above 2/L: every one diverges
assert np.all(measured[~stable] > 1)
assert np.allclose(measured, theory, rtol=5e-3, atol=0)     # at the predicted rate
print(f"{stable.sum()} rates below 2/L = {threshold}: none diverged;"
      f" {(~stable).sum()} above: all diverged.\nMeasured factors agree with the theory to"
      f" {np.max(np.abs(measured / theory - 1)):.1e} (relative; a few steps of data for the fastest divergers).")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
def diverged_strip(strip, ax, markers, title):
    """Move the diverged runs' markers from ax into the thin axes strip above it, which has no loss scale."""
    strip.set_xscale(ax.get_xscale())
    strip.sharex(ax)
    strip.set(ylim=(0, 1), yticks=[])
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    strip.set_ylabel("diverged", rotation=0, ha="right", va="center", fontsize=8)
    for art in markers:
        xs = art.get_xdata()
        strip.plot(xs, np.full(len(xs), 0.5), linestyle="none", marker=art.get_marker(),
                   color=art.get_color(), markersize=art.get_markersize(),
                   markeredgewidth=art.get_markeredgewidth(), clip_on=False)
        art.set_data([], [])                              # keep only its legend entry in ax,
        art.set_in_layout(False)                          # and keep the empty artist out of the saved bounding box
    ax.set_title("")
    strip.set_title(title)
    return strip

best_lr = 2 / (bowl.L + bowl.mu)
fig, axd = plt.subplot_mosaic([["strip", "rate"], ["loss", "rate"]], figsize=(11, 4.6),
                              height_ratios=(0.09, 1), gridspec_kw={"hspace": 0.02})
ax_loss, ax_rate = axd["loss"], axd["rate"]
sweep_lines = plotting.plot_lr_sweep(lrs, sweep, ax=ax_loss, L=bowl.L, color=style.color_for("gd"))
sweep_lines.line.set_label("final loss (runs that did not diverge)")
sweep_lines.diverged.set(label="diverged (in the strip above: no loss value)", color=style.color_for("gd"))
ax_loss.axvline(best_lr, color=COLORS["bluish_green"], linestyle="-.", linewidth=1, zorder=0,
                label=f"$2/(L+\\mu)$ = {best_lr:.3f}")
ax_loss.legend(fontsize=8)
ax_loss.set(xlabel="learning rate $\\eta$ (log scale)")
diverged_strip(axd["strip"], ax_loss, [sweep_lines.diverged], "Final loss after 100 steps")
fine = np.linspace(0, 0.52, 1041)
ax_rate.plot(fine, np.maximum(np.abs(1 - fine * bowl.mu), np.abs(1 - fine * bowl.L)),
             color="black", linewidth=1, label=r"theory $\max_i |1 - \eta\lambda_i|$")
ax_rate.plot(lrs, measured, "o", color=style.color_for("gd"), markersize=4, label="measured")
ax_rate.axhline(1, color=COLORS["vermillion"], linewidth=1, linestyle=":", label="factor 1")
ax_rate.axvline(threshold, color="black", linestyle="--", linewidth=1, label=f"$2/L$ = {threshold:.2g}")
ax_rate.axvline(best_lr, color=COLORS["bluish_green"], linestyle="-.", linewidth=1,
                label=f"$2/(L+\\mu)$ = {best_lr:.3f}")
ax_rate.set(xlim=(0, 0.52), ylim=(0.5, 4.2), xlabel="learning rate $\\eta$ (linear scale)",
            ylabel="factor per step (distance to the minimum)", title="Contraction factor per step")
ax_rate.legend(fontsize=8);

# %% [markdown]
# Left: the final loss falls as $\eta$ grows, reaches its lowest point a little
# below $2/L$, near $2/(L + \mu)$ (section 4 says why), and every rate above $2/L$ diverged
# (the crosses in the strip above the axes mark them: they have no loss value).
# Right, on a linear scale: the measured factor per step sits on the theory curve,
# a V. It falls as $\eta$ grows, while the shallow direction (factor $1 - \eta\mu$)
# is the slow one, then rises steeply once the steep direction (factor
# $|1 - \eta L|$) becomes the slow one, and crosses 1 at $2/L$.
#
# ## 4. The best fixed learning rate
#
# The lowest point of that V is where the two factors are equal,
# $1 - \eta\mu = \eta L - 1$:
#
# $$\eta^\star = \frac{2}{L + \mu}, \qquad
# \rho^\star = 1 - \eta^\star \mu = \frac{L - \mu}{L + \mu} = \frac{\kappa - 1}{\kappa + 1},
# \qquad \kappa = \frac{L}{\mu}.$$
#
# For gradient descent with a fixed step, the **condition number** $\kappa$ alone
# sets the best possible speed. (Methods that remember earlier steps can do better.
# The limit for *any* first-order method, on the class of $\mu$-strongly convex,
# $L$-smooth functions defined in section 6, is a factor
# $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step: Nesterov 2004, *Introductory
# Lectures on Convex Optimization*, Thm 2.1.13, proves it for a worst-case
# quadratic in infinite dimension. Momentum reaches that rate on quadratics,
# chapter 05.) At
# $\eta^\star$ both eigen-directions of our 2-D bowls shrink by exactly $\rho^\star$ each
# step (one of them switching sides), so the gradient norm does too, and the number of
# steps to reach $\|\nabla f\| \le \varepsilon$ is predictable (in more dimensions the
# middle eigen-directions shrink faster, so the gradient norm's ratio only tends to
# $\rho^\star$ and the count is an upper estimate):
# $k = \lceil \log(\varepsilon / \|\nabla f(x_0)\|) / \log \rho^\star \rceil$.
# Measured against theory, for three condition numbers:

# %%
print(" kappa   eta*      rho* theory   rho measured   steps predicted   steps measured")
steps_needed = {}
for kappa in [2, 10, 100]:
    q = quadratic(condition_number=kappa)
    eta_star = 2 / (q.L + q.mu)
    rho_star = (kappa - 1) / (kappa + 1)
    tr = run(sgd(lr=eta_star), q, q.start, steps=5000)
    rho_measured = np.exp(np.mean(np.log(tr.grad_norms[1:] / tr.grad_norms[:-1])))
    rho_distance = np.exp(np.mean(np.diff(np.log(np.linalg.norm(tr.xs, axis=1)))))   # the minimum is at 0
    steps_predicted = int(np.ceil(np.log(1e-8 / tr.grad_norms[0]) / np.log(rho_star)))
    print(f"{kappa:6} {eta_star:8.4f} {rho_star:12.6f} {rho_measured:14.6f}"
          f" {steps_predicted:16} {tr.steps:16}")
    assert tr.status == "converged"
    assert np.isclose(rho_measured, rho_star, rtol=1e-9) and np.isclose(rho_distance, rho_star, rtol=1e-9)
    assert abs(tr.steps - steps_predicted) <= 1
    steps_needed[kappa] = tr.steps

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert steps_needed[2] < 20 and steps_needed[100] > 1000
nearest = np.argmin(np.abs(np.log(lrs / best_lr)))             # section 3's sweep: the rate nearest 2/(L + mu)
assert np.argmin(measured) == nearest                           # contracts fastest and ends lowest
assert np.argmin(np.where(np.isfinite(sweep.f), sweep.f, np.inf)) == nearest
assert np.isclose(np.log(99 / 101), -2 / 100, rtol=1e-3)   # log rho* ~ -2/kappa at kappa = 100
round_bowl = quadratic(condition_number=1)
one_step = run(sgd(lr=1 / round_bowl.L), round_bowl, round_bowl.start, steps=10)
assert one_step.status == "converged" and one_step.steps == 1 and np.all(one_step.x == 0)

# %% [markdown]
# The gradient norm shrinks by $(\kappa-1)/(\kappa+1)$ per step, to six
# digits and beyond (so does the distance to the minimum, checked in the same cell),
# and the step count is the predicted one. A nearly round bowl
# ($\kappa = 2$) needs fewer than 20 steps; a valley a hundred times more curved
# across than along needs more than a thousand, since
# $\log \rho^\star = \log\big(1 - \tfrac{2}{\kappa + 1}\big) \approx -2/\kappa$ for
# large $\kappa$: the cost of gradient descent grows in proportion to the condition
# number. (A perfectly round bowl, $\kappa = 1$, is the extreme case: $\eta^\star = 1/L$
# and $\rho^\star = 0$, one step.) Section G of the [details notebook](02_gradient_descent_details.ipynb) follows the step
# count from $\kappa = 2$ to $\kappa = 1000$.
#
# Two consequences shape the rest of the course:
#
# - In practice nobody tells you $L$ and $\mu$. You tune $\eta$ (section 8).
# - Better methods attack $\kappa$: rescaling features (chapter 03), momentum,
#   whose rate depends on $\sqrt{\kappa}$ (chapter 05), and Newton's method, which
#   removes it (chapter 08).
#
# ## 5. When to stop
#
# Except in special cases (the round bowl above, in one step), gradient descent
# does not land exactly on the minimum; it has to be told when to stop. Four rules
# are common, and each misses something:
#
# | stop when | measures | what it misses |
# | --- | --- | --- |
# | $\|\nabla f(x_k)\| \le \varepsilon$ | flatness | units: the same $\varepsilon$ means something else if $f$ is scaled by 1000; and $\nabla f = 0$ at a saddle or a maximum too |
# | $\lvert f(x_k) - f(x_{k-1})\rvert \le \varepsilon$ | progress of $f$ | slow progress looks like arrival: a flat valley, or a tiny $\eta$ |
# | $\|x_k - x_{k-1}\| \le \varepsilon$ | progress of $x$ | the same; for gradient descent the step *is* $\eta\|\nabla f(x_{k-1})\|$, so a tiny $\eta$ stops it at once |
# | $k = N$ | the budget | everything: it only guarantees that the loop ends |
#
# The three thresholds have different units: $\varepsilon$ is a gradient in the
# first rule, a change of $f$ in the second, a distance in the third. Take
# Rosenbrock's banana valley (chapter 01), whose floor is curved and nearly flat,
# with $\eta = 10^{-3}$ and a budget of 10,000 steps, and ask when each rule, with
# the *same number* $\varepsilon = 10^{-5}$, would have stopped, and how far from
# the minimum $(1, 1)$ we were at that moment.

# %%
eps, lr = 1e-5, 1e-3
banana = run(sgd(lr=lr), rosenbrock, rosenbrock.start, steps=10_000, tol=0)
xs, fs = banana.xs, banana.fs
change_in_f = np.r_[np.inf, np.abs(np.diff(fs))]
step_length = np.r_[np.inf, np.linalg.norm(np.diff(xs, axis=0), axis=1)]
criteria = {"gradient norm": banana.grad_norms, "change in f": change_in_f, "step length": step_length}
distance = np.linalg.norm(xs - rosenbrock.minima[0], axis=1)

stops = {}
for name, values in criteria.items():
    fired = np.flatnonzero(values <= eps)
    stops[name] = int(fired[0]) if fired.size else None
    print(f"{name:>13} <= {eps:g}: " + (f"stops at step {stops[name]}, distance to (1, 1) {distance[stops[name]]:.3f}"
                                       if fired.size else f"never fires in {banana.steps} steps"))
print(f"smallest gradient norm in the run: {banana.grad_norms.min():.1e}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
# the step of gradient descent is lr times the gradient norm: 'step <= eps' is '|grad| <= eps/lr'
assert np.allclose(step_length[1:], lr * banana.grad_norms[:-1])
k_step, k_f = stops["step length"], stops["change in f"]
assert banana.grad_norms[k_step - 1] <= eps / lr < banana.grad_norms[k_step - 2]
# the change in f is, to first order, lr * |grad|^2: 'change <= eps' is about '|grad| <= sqrt(eps/lr)'
assert np.isclose(change_in_f[k_f] / (lr * banana.grad_norms[k_f - 1] ** 2), 1, rtol=1e-2)
assert np.isclose(banana.grad_norms[k_f - 1], np.sqrt(eps / lr), rtol=1e-2)
assert banana.grad_norms.min() > 100 * eps                  # the gradient rule's 1e-5 is far stricter
assert np.isclose(banana.grad_norms.min(), 6.9e-3, atol=0.05e-3) and np.isclose(np.sqrt(eps / lr), 0.1)
assert stops["change in f"] < stops["step length"] < banana.steps and stops["gradient norm"] is None
assert distance[stops["change in f"]] > 0.1          # stopped while still far away
assert distance[stops["step length"]] > 0.01
assert banana.status == "max_steps" and distance[-1] < distance[stops["step length"]]

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_dist) = plt.subplots(1, 2, figsize=(11, 4.4), sharex=True)
marks = {"gradient norm": COLORS["blue"], "change in f": COLORS["orange"], "step length": COLORS["bluish_green"]}
as_gradient = {"gradient norm": (eps, ":", r"$\|\nabla f\| \leq \varepsilon$"),
               "change in f": (np.sqrt(eps / lr), "--", r"change in $f \leq \varepsilon$ $\approx$ $\|\nabla f\| \leq \sqrt{\varepsilon/\eta}$"),
               "step length": (eps / lr, "-.", r"step $\leq \varepsilon$ $\Leftrightarrow$ $\|\nabla f\| \leq \varepsilon/\eta$")}
ax.semilogy(banana.grad_norms, color="0.3", linewidth=1.4, label=r"$\|\nabla f(x_k)\|$")
for name, color in marks.items():
    level, linestyle, text = as_gradient[name]
    ax.axhline(level, color=color, linestyle=linestyle, linewidth=1.5, label=f"{text} = {level:g}")
    if stops[name] is not None:
        ax.plot(stops[name], level, "o", color=color, markeredgecolor="black", markersize=8)
ax.set(xlabel="step $k$", ylabel="gradient norm (log scale)",
       title=f"The three rules as thresholds on $\\|\\nabla f\\|$ (Rosenbrock, $\\eta$ = {lr})", ylim=(3e-6, 1e3))
ax.legend(fontsize=8, loc="upper right")
ax_dist.semilogy(distance, color="0.3", linewidth=1.4, label="distance to the minimum")
for name in ("change in f", "step length"):
    k = stops[name]
    ax_dist.plot(k, distance[k], "o", color=marks[name], markeredgecolor="black", markersize=9,
                 label=f"'{name}' stops: step {k}, distance {distance[k]:.3f}")
ax_dist.set(xlabel="step $k$", ylabel="$\\|x_k - (1, 1)\\|$ (log scale)",
            title="How far from the minimum they stop")
ax_dist.legend(fontsize=8, loc="upper right");

# %% [markdown]
# For gradient descent the three rules are really *one* rule with three
# thresholds. The step is $\eta \|\nabla f\|$, so "step $\le \varepsilon$" is
# exactly "$\|\nabla f\| \le \varepsilon/\eta = 10^{-2}$". The change in $f$ is, to
# first order, $\eta \|\nabla f\|^2$ (section 1), so "change $\le \varepsilon$" is
# about "$\|\nabla f\| \le \sqrt{\varepsilon/\eta} = 0.1$" (where the rule fires the two
# agree to 1%). The left panel draws all three as
# thresholds on the gradient norm: $10^{-5}$, $10^{-2}$ and $0.1$. The "progress" rules
# fire first, while the iterate is still crawling towards $(1, 1)$, simply because
# their thresholds are the loosest; the gradient rule never fires in 10,000 steps
# because $10^{-5}$ is the strictest (the gradient norm never gets below $6.9
# \cdot 10^{-3}$). The lesson is about units: the same number $\varepsilon$ means a
# different tolerance in each rule, and the tolerance of the progress rules
# moves with $\eta$. A small change in $f$ or $x$ says little unless you know how
# fast you are moving.
#
# The gradient rule has its own blind spot: the gradient vanishes at a saddle point
# too. Started a hair off the ridge of the saddle $x^2 - y^2$, gradient descent gets
# close to the saddle point, and with a loose `tol` ($10^{-3}$) the gradient rule stops it
# there, at a point that is no minimum. How close it gets depends on how small the off-ridge
# component is, and whether the rule fires depends on that against `tol`: with `run`'s
# default $10^{-8}$ the same run slides off and diverges ([details notebook](02_gradient_descent_details.ipynb), section A).
#
# What to do in practice: stop on a small gradient norm, preferably relative to the
# start ($\|\nabla f(x_k)\| \le \varepsilon \|\nabla f(x_0)\|$, which fixes the units),
# always with a step budget and a divergence check, and look at the loss curve. `run`
# has the budget and the check; its `tol` is absolute (stop once
# $\|\nabla f(x_k)\| \le$ `tol`), so for the relative rule pass
# `tol` $= \varepsilon\|\nabla f(x_0)\|$ yourself.
#
# ## 6. What convexity guarantees
#
# A function is **convex** when the straight segment between any two points of its
# graph lies on or above the graph. For a twice-differentiable $f$ on
# $\mathbb{R}^d$ this means that the Hessian has no negative eigenvalue anywhere
# (Boyd & Vandenberghe 2004, §3.1.4). Then every local minimum is a
# global one (if $f(y) < f(x)$, the segment from $x$ to $y$ goes below $f(x)$
# arbitrarily close to $x$, so $x$ is not a local minimum).
#
# Beyond quadratics, the two constants of section 3 need general definitions, for
# *all* $x, y$:
#
# - $f$ is **$L$-smooth** if $\|\nabla f(x) - \nabla f(y)\| \le L \|x - y\|$; for a
#   twice-differentiable $f$: every Hessian eigenvalue, everywhere, lies between
#   $-L$ and $L$;
# - $f$ is **$\mu$-strongly convex** ($\mu > 0$) if
#   $f(y) \ge f(x) + \nabla f(x) \cdot (y - x) + \tfrac{\mu}{2}\|y - x\|^2$: it curves
#   up at least like a parabola of curvature $\mu$; for a twice-differentiable $f$:
#   every Hessian eigenvalue, everywhere, is at least $\mu$.
#
# For the quadratic $\tfrac12 x^\top A x$ with a positive definite $A$ these are the
# largest and the smallest eigenvalue of $A$ (Nesterov 2004, §2.1.1 and §2.1.3).
#
# ### Why $2/L$ in general: the descent lemma
#
# $L$-smoothness alone, convex or not, bounds how far $f$ can rise above its
# tangent. $f(y) - f(x)$ is the integral of the slope along the segment from $x$ to $y$
# (the 1-D fundamental theorem of calculus applied to $t \mapsto f(x + t(y - x))$, whose
# derivative is $\nabla f(x + t(y-x))\cdot(y - x)$). So writing
# $f(y) - f(x) - \nabla f(x)\cdot(y - x)$ as $\int_0^1 \big(\nabla f(x + t(y-x)) - \nabla f(x)\big)\cdot(y - x)\,dt$ and bounding the
# integrand by $L t \|y - x\|^2$ gives
# $f(y) \le f(x) + \nabla f(x)\cdot(y - x) + \tfrac{L}{2}\|y - x\|^2$
# (Nesterov 2004, Lemma 1.2.3). Put in the gradient step $y = x - \eta \nabla f(x)$:
#
# $$f\big(x - \eta \nabla f(x)\big) \le f(x) - \eta\Big(1 - \frac{L\eta}{2}\Big)\|\nabla f(x)\|^2 .$$
#
# So for **every** $L$-smooth $f$, each step with $0 < \eta < 2/L$ lowers $f$ unless
# $\nabla f(x) = 0$, and the guaranteed decrease $\eta(1 - L\eta/2)$ is largest at
# $\eta = 1/L$, where it is $\|\nabla f(x)\|^2 / (2L)$. That is the general reason for
# the $2/L$ of section 3 and the popular default $\eta = 1/L$. (The lemma is a
# guarantee, not the exact decrease: section 4's best rate $2/(L+\mu)$ is not $1/L$.)
# The picture, along the gradient step from one point: an $L$-smooth $f$ lies below
# the parabola of the lemma.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax_d = plt.subplots(figsize=(7, 4.2), layout="constrained")
x_d = np.array([-2.0, 4.0])                                 # a point on Booth's function
g_d = booth.grad(x_d)
etas_d = np.linspace(0, 2.3 / booth.L, 300)
phi_d = booth.f(x_d[:, None] - etas_d[None] * g_d[:, None])
lemma_d = booth.f(x_d) - etas_d * (1 - booth.L * etas_d / 2) * (g_d @ g_d)
assert np.all(phi_d <= lemma_d + 1e-9)                      # f along the step stays below the bound
assert np.isclose(booth.f(x_d) - (1 / booth.L) * (1 - 0.5) * (g_d @ g_d), booth.f(x_d) - (g_d @ g_d) / (2 * booth.L))
ax_d.plot(etas_d, phi_d, color="black", linewidth=2, label="$f(x - \\eta\\nabla f(x))$")
ax_d.plot(etas_d, lemma_d, color=COLORS["orange"], linestyle="--", linewidth=1.8,
          label="bound $f(x) - \\eta(1 - L\\eta/2)\\|\\nabla f(x)\\|^2$")
ax_d.axhline(booth.f(x_d), color="0.5", linewidth=0.8, linestyle="-", label="$f(x)$: no change")
for eta_mark, marker, text in ((1 / booth.L, "v", "$\\eta = 1/L$: largest guaranteed decrease"),
                               (2 / booth.L, "s", "$\\eta = 2/L$: no decrease guaranteed")):
    ax_d.plot(eta_mark, booth.f(x_d) - eta_mark * (1 - booth.L * eta_mark / 2) * (g_d @ g_d), marker,
              color=COLORS["bluish_green"], markersize=9, markeredgecolor="black", linestyle="none", label=text)
ax_d.set(xlabel="learning rate $\\eta$", ylabel="$f$ after one step",
         title=f"Descent lemma on Booth ($L$ = {booth.L:g}) from $x$ = (-2, 4)")
ax_d.legend(fontsize=8, loc="upper center");

# %% [markdown]
# ### A worked example
#
# Booth's function $f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2$, in the figure, is a
# quadratic: its Hessian is $\begin{pmatrix} 10 & 8 \\ 8 & 10 \end{pmatrix}$ everywhere,
# with eigenvalues $\mu = 2$ and $L = 18$. At $x = (-2, 4)$: $f = 26$,
# $\nabla f = (-22, -14)$, $\|\nabla f\|^2 = 680$. With $\eta = 1/L$ the lemma
# guarantees a decrease of at least $\|\nabla f\|^2/(2L) = 680/36 \approx 18.9$, so
# $f \le 7.1$ after one step. The step lands at $(-0.78, 4.78)$, where $f = 6.3$: the
# guarantee holds, with a little room. Over many steps strong convexity adds a rate:
# $\kappa = 18/2 = 9$, so with $\eta = 2/(L + \mu) = 0.1$ the distance to the minimizer
# $(1, 3)$ is multiplied by at most $(\kappa - 1)/(\kappa + 1) = 0.8$ per step (the third
# row of the table below). On this quadratic it is multiplied by exactly 0.8:

# %%
x_w = np.array([-2.0, 4.0])
g_w = booth.grad(x_w)
x_next = x_w - g_w / booth.L                                   # one step with eta = 1/L
print(f"f = {booth.f(x_w):.0f}, gradient {g_w}, |gradient|^2 = {g_w @ g_w:.0f}: guaranteed"
      f" f <= {booth.f(x_w) - (g_w @ g_w) / (2 * booth.L):.2f}; after the step f = {booth.f(x_next):.2f}")
booth_run = run(sgd(lr=2 / (booth.L + booth.mu)), booth, x_w, steps=30, tol=0)
gaps = np.linalg.norm(booth_run.xs - booth.minima[0], axis=1)    # distance to the minimizer (1, 3)
print(f"eta = 0.1: the distance shrinks by {(gaps[1:] / gaps[:-1]).min():.4f} to"
      f" {(gaps[1:] / gaps[:-1]).max():.4f} per step")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.allclose(booth.hess(x_w), [[10, 8], [8, 10]]) and (booth.mu, booth.L) == (2, 18)
assert np.isclose(booth.f(x_w), 26) and np.allclose(g_w, [-22, -14]) and np.isclose(g_w @ g_w, 680)
assert np.isclose((g_w @ g_w) / (2 * booth.L), 18.9, atol=0.05) and np.isclose(booth.f(x_w) - 680 / 36, 7.1, atol=0.05)
assert np.allclose(x_next, [-0.78, 4.78], atol=0.005) and np.isclose(booth.f(x_next), 6.3, atol=0.05)
assert np.allclose(booth.minima[0], [1, 3]) and np.isclose(2 / (booth.L + booth.mu), 0.1)
assert np.allclose(gaps[1:] / gaps[:-1], 0.8, rtol=1e-9)

# %% [markdown]
# ### The guarantees, with their hypotheses
#
# Gradient descent with a fixed $\eta$, from any start $x_0$, with $f^\star = \min f$
# and $x^\star$ a minimizer:
#
# | hypotheses on $f$ | learning rate | guarantee | source |
# | --- | --- | --- | --- |
# | $L$-smooth, bounded below (may be non-convex) | $\eta = 1/L$ | $\min_{k < N} \|\nabla f(x_k)\|^2 \le 2L\,(f(x_0) - \inf f)/N$: a small gradient somewhere, not a minimum | Nesterov 2004, §1.2.3 (sum the lemma over $N$ steps) |
# | convex, $L$-smooth, has a minimizer | $0 < \eta < 2/L$ | $f(x_k) \to f^\star$, at rate $O(1/k)$; for $\eta = 1/L$: $f(x_k) - f^\star \le 2L\|x_0 - x^\star\|^2/(k + 4)$ | Nesterov 2004, Thm 2.1.14, Cor 2.1.2 |
# | $\mu$-strongly convex, $L$-smooth | $\eta = 2/(L + \mu)$ | $\|x_k - x^\star\| \le \big(\tfrac{\kappa - 1}{\kappa + 1}\big)^k \|x_0 - x^\star\|$: linear, section 4's rate | Nesterov 2004, Thm 2.1.15 |
#
# On a non-convex $f$ a small gradient may also mean a saddle point (section 5;
# for a twice continuously differentiable $f$ with $L$-Lipschitz gradient and
# $\eta < 1/L$, gradient descent converges to a strict saddle only from a
# negligible set of starts: [details notebook](02_gradient_descent_details.ipynb), section A).
#
# Each hypothesis matters. $\log(1 + e^{-x})$ is convex and smooth but has no
# minimizer: with $\eta = 1/L$ the values $f(x_k)$ still tend to 0, while the iterates
# run off to infinity. $x^4$ is convex with a minimum at 0, but its curvature $12x^2$
# has no upper bound: with $\eta = 0.1$ a start at $x_0 = 3$ diverges, and one at
# $x_0 = 0.5$ converges, but more slowly than any linear rate, because the curvature at
# the minimum is 0 ($\mu = 0$). And a linear rate does not need convexity: the
# Polyak–Łojasiewicz inequality is enough. All of this is worked out in the
# [details notebook](02_gradient_descent_details.ipynb), sections A and B.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
def quartic_descent(x, eta=0.1, steps=1000):
    for _ in range(steps):
        x = x - eta * 4 * x**3                                       # f'(x) = 4x^3
        if abs(x) > 1e6:
            return np.inf
    return x

assert quartic_descent(3.0) == np.inf                                         # from 3: diverges
assert np.isclose(quartic_descent(0.5), 1 / np.sqrt(0.8 * 1000), rtol=0.1)   # from 0.5: like 1/sqrt(0.8k)

# %% [markdown]
# ## 7. Non-convex: one valley or many
#
# **Himmelblau's function** $(x^2 + y - 11)^2 + (x + y^2 - 7)^2$ is not convex: its
# Hessian has negative eigenvalues in places (around a hilltop near
# $(-0.27, -0.92)$, for one), and it has four minima, all with the value 0. Which one gradient
# descent finds depends on where it starts (and, we will see, on the learning rate).
# The set of starts that lead to a
# given minimum is that minimum's **basin of attraction**. Let us map the basins:
# 10,000 starts on a 100 × 100 grid, $\eta = 0.01$, 500 steps each, in one
# vectorized call.

# %%
X, Y, _ = plotting.surface_grid(himmelblau, 200)
H = himmelblau.hess(np.stack([X, Y]))                    # (2, 2, 200, 200)
lowest_curvature = np.linalg.eigvalsh(np.moveaxis(H, (0, 1), (-2, -1)))[..., 0]
assert lowest_curvature.min() < 0                        # negative curvature: not convex
hilltop = np.array([-0.270845, -0.923039])               # a local maximum of Himmelblau's function
assert np.linalg.norm(himmelblau.grad(hilltop)) < 1e-4   # flat there ...
assert np.all(np.linalg.eigvalsh(himmelblau.hess(hilltop)) < 0)   # ... and curved downwards both ways
saddles = np.array([[-3.073026, -0.081353], [-0.127961, -1.953715], [0.086678, 2.884255], [3.385154, 0.073852]])
for q in saddles:                                        # the four saddles (details notebook, section C)
    assert np.linalg.norm(himmelblau.grad(q)) < 1e-4     # flat there ...
    assert np.prod(np.linalg.eigvalsh(himmelblau.hess(q))) < 0   # ... curved up one way, down the other
assert np.allclose(himmelblau.f(himmelblau.minima.T), 0, atol=1e-12)   # four minima, all at 0

def grid_of_starts(surface, n):
    """An n x n grid of starting points covering the surface's domain, shape (n*n, 2)."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    return np.column_stack([X.ravel(), Y.ravel()])

starts = grid_of_starts(himmelblau, 100)
basins = run_many(sgd(lr=0.01), himmelblau, starts, steps=500)

def basin_shares(result, surface):
    """Share of all starts that converged to each minimum of the surface."""
    converged = result.status == "converged"
    nearest = result.nearest_minimum(surface.minima)
    return np.array([np.mean(converged & (nearest == i)) for i in range(len(surface.minima))])

shares = basin_shares(basins, himmelblau)
print(f"converged: {basins.fraction('converged'):.0%}; share of each minimum: {shares.round(3)}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
converged = basins.status == "converged"
landed = himmelblau.minima[basins.nearest_minimum(himmelblau.minima)[converged]]
assert np.allclose(basins.x[converged], landed, atol=1e-8)        # each run sits on its minimum
assert np.isclose(shares.sum(), basins.fraction("converged"))     # the basins account for every converged run
assert basins.fraction("converged") == 1.0
assert np.all((0.2 < shares) & (shares < 0.3))                    # roughly a quarter each

# %% [markdown]
# The map, together with the maps for three larger learning rates (the second part
# of this section explains what changes):

# %%
map_lrs = [0.01, 0.016, 0.021, 0.026]
maps = {lr: basins if lr == 0.01 else run_many(sgd(lr=lr), himmelblau, starts, steps=500)
        for lr in map_lrs}                                   # eta = 0.01: the runs just made

fig, axes = plt.subplots(2, 2, figsize=(9, 9))
for ax, (lr, result) in zip(axes.flat, maps.items()):
    plotting.plot_basins(result, himmelblau, ax=ax, radius=0.0, legend=False)
    plotting.plot_contours(himmelblau, ax=ax, filled=False, mark_minima=False)
    ax.plot(*hilltop, "^", color="white", markeredgecolor="black", markersize=9, linestyle="none")
    ax.plot(*saddles.T, "X", color="white", markeredgecolor="black", markersize=9, linestyle="none")
    ax.set_title(f"$\\eta$ = {lr}: {result.fraction('converged'):.0%} converged,"
                 f" {result.fraction('diverged'):.0%} diverged", fontsize=10)
handles = [Patch(color=c, label=l) for c, l in zip(
    [COLORS[k] for k in ("orange", "sky_blue", "bluish_green", "reddish_purple")]
    + [style.UNCONVERGED_COLOR, style.DIVERGED_COLOR],
    [f"→ ({m[0]:.2f}, {m[1]:.2f})" for m in himmelblau.minima] + ["no minimum reached", "diverged"])]
handles += [Line2D([], [], marker=m, color="white", markeredgecolor="black", markersize=9, linestyle="none",
                   label=l) for m, l in (("^", "hilltop (local maximum)"), ("X", "saddle"))]
handles.append(Line2D([], [], label="minimum", **{**style.MINIMUM_STYLE, "markersize": 12}))
fig.legend(handles=handles, loc="lower center", ncols=5, fontsize=9)
fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
fig.suptitle("Himmelblau's basins as the learning rate grows (500 steps)");

# %% [markdown]
# Top left, $\eta = 0.01$: each colour is a basin. The basins are roughly a quarter of the
# square each, but they are not quadrants: their borders run along the ridges between the
# valleys, through the hilltop and the four saddles (chapter 01 draws them in section 3 and
# classifies them by their Hessians in section 8). The nearest minimum is not always the one
# reached: section C of the [details notebook](02_gradient_descent_details.ipynb) counts the
# starts that miss it and tells the two causes apart.
#
# ### The map depends on the learning rate
#
# Near a minimum $x^\star$ a function looks like its tangent parabola (chapter 01), a quadratic
# with Hessian $\nabla^2 f(x^\star)$. So section 3 applies there, with $L$ replaced by the
# largest Hessian eigenvalue *at that minimum*: below $2/\lambda_{\max}(\nabla^2 f(x^\star))$
# (with a positive definite Hessian at $x^\star$) starts close enough to $x^\star$ converge to
# it; above it, almost every start near $x^\star$ is pushed away along the steep direction, so
# gradient descent does not settle there from nearby ([details
# notebook](02_gradient_descent_details.ipynb), section C: the borderline case
# $\eta = 2/\lambda_{\max}$, and what far-away starts can do). Himmelblau's four minima are
# curved differently, so each has its own threshold, and the figure's four rates lie below all
# four, above one, above two and above all four of them:

# %%
local_thresholds = np.array([2 / np.linalg.eigvalsh(himmelblau.hess(m)).max() for m in himmelblau.minima])
for minimum, limit in zip(himmelblau.minima, local_thresholds):
    print(f"minimum ({minimum[0]:6.3f}, {minimum[1]:6.3f}): stable for eta < {limit:.4f}")
for lr, result in maps.items():
    reached = basin_shares(result, himmelblau) > 0
    print(f"eta = {lr:<6} minima reached: {reached.astype(int)}   stable: {(lr < local_thresholds).astype(int)}"
          f"   converged {result.fraction('converged'):6.1%}   diverged {result.fraction('diverged'):5.1%}")
    assert np.array_equal(reached, lr < local_thresholds)   # reached exactly when stable there
    assert np.isclose(basin_shares(result, himmelblau).sum(), result.fraction("converged"))
assert maps[0.01].fraction("diverged") == 0
assert maps[0.026].fraction("converged") == 0 and maps[0.026].fraction("diverged") > 0
sharpest = np.argmin(local_thresholds)                       # the most curved minimum ...
assert np.all(himmelblau.minima[sharpest] < 0)               # (the one at the lower left,
assert 0.014 < local_thresholds[sharpest] < 0.015            #  stable only for eta below 0.015)
assert basin_shares(maps[0.016], himmelblau)[sharpest] == 0  # ... is the first to stop attracting
lost = shares[sharpest]                                      # its share at eta = 0.01
assert maps[0.016].fraction("max_steps") > 0.8 * lost        # most of its basin now bounces

# %% [markdown]
# As $\eta$ passes a minimum's threshold, that minimum stops attracting the starts near it; in
# the maps, none of the 10,000 starts reaches it. The most sharply curved one, at the lower
# left, goes first: at $\eta = 0.016$ most of its basin turns light grey (runs that keep
# bouncing near it without settling: *no minimum reached*), and the rest are thrown into a
# neighbouring basin. Some starts elsewhere change destination too, such as the strips along the
# bottom and the top edge ([details notebook](02_gradient_descent_details.ipynb), section C). Above every
# threshold nothing converges, and some runs are flung out of the square altogether (dark grey).
# Which minimum you find, and whether you find one, is decided by the start *and* the learning
# rate. A large learning rate cannot settle into a sharp minimum from nearby, only into one flat
# enough, with $\lambda_{\max} < 2/\eta$. The same stability argument is used to explain why
# gradient descent and SGD with a large rate select flat minima when training neural networks
# (Wu, Ma & E 2018, "How SGD selects the global minima in over-parameterized learning",
# NeurIPS). A related but different observation: during full-batch training of neural networks
# the largest Hessian eigenvalue along the path rises until it hovers near $2/\eta$, the "edge
# of stability" (Cohen et al. 2021, "Gradient descent on neural networks typically occurs at the
# edge of stability", ICLR).
#
# ## 8. Tuning the learning rate: grid search and random search
#
# For a real problem you do not know $L$, and the loss is not a quadratic. So you
# try learning rates and keep the best: give each candidate the same budget of
# steps, and compare the final losses. Two things matter.
#
# - Search on a **log scale**. The limit $2/L$ moves with the curvature, so good
#   rates differ by orders of magnitude between problems (in this chapter alone, $2/L$
#   is 0.2 on the bowl, 0.015 to 0.025 at Himmelblau's minima and 0.002 at Rosenbrock's). So try
#   $10^{-5}, 10^{-4.9}, \dots$, not $0.001, 0.002, \dots$.
# - Spend the same **budget** for every method you compare: here, 24 runs of
#   5,000 steps each.
#
# **Grid search** tries 24 evenly log-spaced rates between $10^{-5}$ and $10^{-2}$.
# **Random search** draws 24 rates at random, log-uniformly over the same range.
# The problem: Rosenbrock from its standard start $(-1.2, 1)$.

# %%
budget_runs, budget_steps = 24, 5000
low, high = 1e-5, 1e-2

def final_losses(lrs):
    """Loss after the step budget for each learning rate (inf where the run diverged)."""
    result = run_many(sgd(lr=lrs), rosenbrock, np.tile(rosenbrock.start, (len(lrs), 1)),
                      steps=budget_steps, tol=0)
    return np.where(result.status == "diverged", np.inf, result.f)

grid_lrs = np.geomspace(low, high, budget_runs)
grid_losses = final_losses(grid_lrs)

rng = np.random.default_rng(0)
random_lrs = 10 ** rng.uniform(np.log10(low), np.log10(high), budget_runs)
random_losses = final_losses(random_lrs)

best_grid, best_random = np.argmin(grid_losses), np.argmin(random_losses)
print(f"grid search:   best lr = {grid_lrs[best_grid]:.3e}, final loss {grid_losses[best_grid]:.2e}")
print(f"random search: best lr = {random_lrs[best_random]:.3e}, final loss {random_losses[best_random]:.2e}")
print(f"a typical grid rate (the median final loss): {np.median(grid_losses):.2f}")

curvature_at_minimum = np.linalg.eigvalsh(rosenbrock.hess(rosenbrock.minima[0])).max()

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(grid_lrs[best_grid], 1.65e-3, rtol=0.01) and np.isclose(2 / curvature_at_minimum, 2e-3, rtol=0.01)
assert grid_lrs[best_grid] < 2 / curvature_at_minimum < grid_lrs[best_grid + 1]   # the grid's best: last below 2/L
assert np.all(grid_losses[grid_lrs > 2 / curvature_at_minimum] > 10 * grid_losses[best_grid])
assert np.isclose(threshold, 0.2) and np.allclose([local_thresholds.min(), local_thresholds.max()], [0.015, 0.025], atol=6e-4)
assert 3.5 < grid_losses[0] < 4.5 and rosenbrock.f(rosenbrock.start) > 24    # the smallest rate: 24.2 -> about 4

# %% [markdown]
# In the figure below, the grid's curve has three parts. On the left, steps so small
# that the run reaches the valley floor but barely moves along it in the budget
# (from $f = 24.2$ to about 4); then a long slope down as $\eta$ grows; past
# the best grid rate the final loss jumps up, and further up the runs diverge. The
# best grid rate, $1.65 \cdot 10^{-3}$, is the last grid point below
# $2/L \approx 2.00 \cdot 10^{-3}$, with $L$ the largest Hessian eigenvalue at the
# minimum $(1, 1)$ (dashed).

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_strip, ax) = plt.subplots(2, 1, figsize=(8.5, 5.1), layout="constrained", height_ratios=(0.09, 1))
sweep_art = plotting.plot_lr_sweep(grid_lrs, grid_losses, ax=ax, L=curvature_at_minimum,
                                   label="grid search", color=style.color_for("gd"))
sweep_art.threshold.set_label(f"$2/L$ at the minimum = {2 / curvature_at_minimum:.4g}")
sweep_art.diverged.set(label="grid search, diverged (strip above: no loss value)", color=style.color_for("gd"))
ax.plot(random_lrs[np.isfinite(random_losses)], random_losses[np.isfinite(random_losses)], "D",
        color=COLORS["orange"], markersize=6, linestyle="none", zorder=1.5,   # under the grid's dots
        label="random search")
random_div = ax.plot(random_lrs[~np.isfinite(random_losses)], np.ones(int((~np.isfinite(random_losses)).sum())),
                     "+", color=COLORS["orange"], markersize=10, markeredgewidth=2.5, linestyle="none",
                     transform=ax.get_xaxis_transform(),   # y in axes coordinates: no effect on the loss scale
                     label="random search, diverged (strip above)")[0]
ax.plot(grid_lrs[best_grid], grid_losses[best_grid], "o", markersize=13, markerfacecolor="none",
        markeredgecolor=style.color_for("gd"), markeredgewidth=2, label="best of grid")
ax.plot(random_lrs[best_random], random_losses[best_random], "D", markersize=13, markerfacecolor="none",
        markeredgecolor=COLORS["orange"], markeredgewidth=2, label="best of random")
diverged_strip(ax_strip, ax, [sweep_art.diverged, random_div],
               f"Rosenbrock: final loss after {budget_steps} steps against the learning rate")
ax.set_xlabel("learning rate $\\eta$ (log scale)")
ax.set_ylabel("final loss $f(x_T)$ (log scale)")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# The grid is coarse: neighbouring rates differ by a factor 1.35. A finer scan
# ([details notebook](02_gradient_descent_details.ipynb), section D) finds that for this
# budget of 5,000 steps the best rate lies slightly *above* $2/L$, while with ten times
# the budget a rate just below $2/L$ wins by many orders of magnitude. **The best fixed
# rate depends on the budget**, and a coarse grid cannot see the difference.
#
# A rule of thumb says the best rate is within about a factor 2 of the largest one
# that does not diverge (Bengio 2012, "Practical recommendations for gradient-based
# training of deep architectures"; Smith 2017, "Cyclical learning rates for
# training neural networks", WACV, §3.3). Here the largest grid rate that does not
# diverge is 3.3 times the best one, so treat the rule as a first guess. (Smith's
# learning-rate range test finds that edge in one run: raise $\eta$ linearly during
# the run and watch where the accuracy stops improving; Smith 2017, §3.3.)
#
# And random search, with the same budget? With the seed 0 fixed above, its best
# rate is within a factor 2 of the grid's best rate, and its final loss within a
# factor 3 of the grid's best loss. That holds for this seed; repeated twenty times
# ([details notebook](02_gradient_descent_details.ipynb), section D), random search wins about as often as it loses, and
# sometimes loses by more than a factor 10. With one hyperparameter the two are about
# equally good: on a line an even grid already covers the range, so random draws
# have no coverage advantage there. Random search pulls ahead when you tune *several* hyperparameters and
# only some matter: a grid repeats the same few values of the important one, random
# points try a new value every time (Bergstra & Bengio 2012, "Random search for
# hyper-parameter optimization", *JMLR* 13, Figure 1).

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here). The last three are about seed 0.
assert np.allclose(grid_lrs[1:] / grid_lrs[:-1], 1.35, rtol=1e-3)     # neighbouring grid rates: 10^(3/23)
edge = grid_lrs[np.isfinite(grid_losses)].max()                        # largest grid rate that does not diverge
assert 3.2 < edge / grid_lrs[best_grid] < 3.4                          # 3.3x the grid's best
assert 0.5 < random_lrs[best_random] / grid_lrs[best_grid] < 2         # within a factor 2 of the grid's
assert random_losses[best_random] < 3 * grid_losses[best_grid]         # loss within 3x of the grid's
assert random_losses[best_random] < 1e-2 * np.median(grid_losses)      # and far better than a typical rate

# %% [markdown]
# ## 9. Or let each step choose: backtracking line search
#
# Tuning spends whole runs to pick one $\eta$ for every step. The classical
# alternative picks a step length *per step*, by trying: start from a generous
# $\alpha = 1$ and halve it until the step gives a real decrease, at least a
# fraction $c_1$ of what the tangent line promises (the **Armijo condition**):
#
# $$f\big(x - \alpha \nabla f(x)\big) \le f(x) - c_1\, \alpha\, \|\nabla f(x)\|^2,
# \qquad c_1 = 10^{-4}.$$
#
# For a small enough $\alpha$ the first-order model is accurate and the condition
# holds (as long as $\nabla f(x) \ne 0$), so the halving stops (Nocedal & Wright
# 2006, *Numerical Optimization*, §3.1 and Algorithm 3.1). Each step costs one
# gradient, plus one value of $f$ per trial (about ten per step below). The course
# library has this search as
# `gdlearn.second_order.backtracking` (chapter 08 builds on it); here it is inside
# a gradient-descent loop, on the same Rosenbrock problem, with no tuning at all:

# %%
from gdlearn.second_order import backtracking

def gradient_descent_backtracking(f, grad, x0, steps):
    """Gradient descent whose step length is chosen by an Armijo backtracking search."""
    x = np.array(x0, dtype=float)
    fx, evaluations, losses, lengths, path = f(x), 1, [f(x)], [], [x]
    for _ in range(steps):
        g = grad(x)
        search = backtracking(f, x, fx, g, -g, alpha0=1.0, c1=1e-4, rho=0.5)
        x, fx = x - search.alpha * g, search.f
        evaluations += search.n_f
        losses.append(fx)
        lengths.append(search.alpha)
        path.append(x)
    return np.array(path), np.array(losses), evaluations, np.array(lengths)

path_bt, losses_bt, evaluations_bt, alphas_bt = gradient_descent_backtracking(
    rosenbrock.f, rosenbrock.grad, rosenbrock.start, budget_steps)
print(f"backtracking, {budget_steps} steps: final loss {losses_bt[-1]:.1e}, "
      f"{evaluations_bt} values of f ({evaluations_bt / budget_steps:.1f} per step) and {budget_steps} gradients")
print(f"grid search:  best final loss {grid_losses[best_grid]:.1e}, {budget_runs * budget_steps} gradients")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.diff(losses_bt) < 0)                          # every accepted step goes down
assert losses_bt[-1] < grid_losses[best_grid]                  # better than the best tuned rate
assert alphas_bt.min() < 2 / curvature_at_minimum < alphas_bt.max()   # the steps adapt
assert np.isclose(evaluations_bt / budget_steps, 9.9, atol=0.05)     # about ten values of f per step

# %%
fig, ax_bt = plt.subplots(figsize=(7, 4), layout="constrained")
fixed_best = run(sgd(lr=grid_lrs[best_grid]), rosenbrock, rosenbrock.start, steps=budget_steps, tol=0)
k_bt = np.arange(budget_steps + 1) + 1
ax_bt.loglog(k_bt, fixed_best.fs, color=style.color_for("gd"), label=f"fixed $\\eta$ = {grid_lrs[best_grid]:.2e} (best of grid)")
ax_bt.loglog(k_bt, losses_bt, color=COLORS["vermillion"], linestyle="--", label="backtracking (Armijo)")
ax_bt.set(xlabel="step $k + 1$ (log scale)", ylabel="$f(x_k)$ (log scale)", title="Rosenbrock: loss against step")
ax_bt.legend(fontsize=8);

# %% [markdown]
# Without any tuning, the backtracking run ends lower than the best of the 24 tuned
# runs, for the cost of *one* run plus about ten values of $f$ per step (9.9: the
# 5,000 steps took about 50,000 values of $f$; the grid search took 120,000
# gradients). Most of those values come from restarting every search at $\alpha = 1$;
# starting each search at twice the last accepted step needs about 2 per step
# ([details notebook](02_gradient_descent_details.ipynb), section E, which also shows the test at work, trial by trial).
#
# **Why backtracking needs no $L$.** If $\nabla f$ is $L$-Lipschitz, the descent lemma
# (section 6) shows that every $\alpha \le 2(1 - c_1)/L$ passes the Armijo test, so the
# halving stops at the latest one halving below that bound, without ever knowing $L$
# (the bound and its check on this run are in section E of the [details notebook](02_gradient_descent_details.ipynb)).
#
# The price of the line search: extra values of $f$ per step, cheap here and expensive
# when $f$ is a loss over a large data set; and with noisy mini-batch losses (chapter
# 04) the Armijo test itself becomes noisy (stochastic line searches exist, e.g. Vaswani
# et al. 2019, "Painless stochastic gradient", NeurIPS, with guarantees that assume the
# model can fit every sample exactly). Chapter 04 instead tunes a fixed $\eta$, or a
# *schedule* that lowers it over the run (the SGD algorithm in Goodfellow, Bengio &
# Courville 2016, *Deep Learning*, §8.3.1, decays it linearly). Line searches return
# with Newton's method and BFGS in chapter 08; exact line search, the other extreme, is
# in section F of the [details notebook](02_gradient_descent_details.ipynb): on a quadratic it is a formula, and it still
# zig-zags.
#
# ## 10. Your turn: the learning-rate explorer
#
# Move the **learning rate** slider and watch the path (left) and the loss curve
# (right) change. The other sliders move the start point; the dropdown picks the
# surface. When a run diverges you get a message saying at which step, not an
# error. (On a static page, such as GitHub's preview, you see one setting; run the
# notebook to play.)

# %%
from gdlearn.widgets import learning_rate_explorer

explorer = learning_rate_explorer(lr=0.1)
explorer

# %% [markdown]
# Things to try:
#
# 1. **Quadratic**: raise $\eta$ slowly from 0.01 towards 0.2: the zig-zag appears
#    past $1/L = 0.1$ and explodes past $2/L = 0.2$. Where is the loss curve steepest?
# 2. **Quadratic**: move the start onto the $x$-axis ($y_0 = 0$). Why is there no
#    zig-zag now, even at $\eta = 0.19$, and why does $\eta = 0.25$ converge (section 3:
#    this bowl's eigenvectors are the axes, so the steep component stays exactly 0)?
# 3. **Rosenbrock**: find the largest learning rate that does not diverge from the
#    default start. The loss curve: fast at first, then a long crawl along the valley.
# 4. **Himmelblau**: keep $\eta = 0.01$ and move the start across a basin border
#    from the map in section 7. Then start in the lower-left basin and raise $\eta$
#    past 0.015.
# 5. **Saddle**: start at $y_0 = 0$, then at $y_0 = 0.01$. How long does the path
#    hesitate near the saddle point?
#
# The explorer exposes what it computed, so you can check what you see:

# %%
print(explorer.trace.message)
print("learning rate on the slider:", explorer.controls["lr"].value)
assert explorer.surfaces["quadratic"].L == bowl.L        # the explorer's quadratic is our bowl: 2/L = 0.2

# %% [markdown]
# ## 11. One descent, step by step
#
# A replay of one run on Rosenbrock, with the best learning rate of the grid
# search and the same budget of 5,000 steps. Press play, or drag the step slider:
# the first step overshoots across the valley onto the far wall ($f$ from 24.2 to
# 22.1), the second lands near the floor ($f = 6.9$), a few more zig-zags settle
# it, and then it takes thousands of steps to walk along the valley. (Where figures are static, for instance in an HTML export of this
# notebook, the cell shows an animation instead of the Play button; its 24 frames are
# spaced evenly in log(1 + k), so steps 0 to 4 each get a frame and the later ones
# are further and further apart.)

# %%
from IPython.display import display

from gdlearn.animation import animate_trace, to_html
from gdlearn.plotting import ipympl_active
from gdlearn.widgets import descent_player

replay = run(sgd(lr=grid_lrs[best_grid]), rosenbrock, rosenbrock.start, steps=budget_steps)
print(replay.message)
assert np.isclose(replay.f, grid_losses[best_grid])        # the best run of the grid search
if ipympl_active():     # live figures: a Play button linked to a step slider
    display(descent_player(replay, rosenbrock, label="gd", max_frames=100))
else:                   # static figures: a self-contained animation (at most 24 frames)
    display(to_html(animate_trace(replay, rosenbrock, max_frames=24, spacing="log")))

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.allclose(replay.fs[:3], [24.2, 22.1, 6.9], atol=0.05)       # over the valley, then near its floor
assert replay.fs[5] < 0.25 * replay.fs[0] and replay.fs[5] > 1         # a quick drop, still far
assert replay.f < 1e-3                                                # the long walk gets there

# %% [markdown]
# ## Summary
#
# - Gradient descent repeats $x_{k+1} = x_k - \eta \nabla f(x_k)$, a step against the
#   gradient. From here on, `sgd(lr)` is the update and `run` / `run_many` apply it.
# - Too small an $\eta$ crawls, too large zig-zags, far too large diverges; on a parabola
#   the factor $1 - \eta L$ says which. Read the loss curve, and look for a zig-zag
#   before raising $\eta$.
# - On a quadratic each eigen-direction is multiplied by $1 - \eta\lambda_i$ per step:
#   convergence from every start exactly when $\eta < 2/L$; the best fixed rate
#   $2/(L + \mu)$ shrinks the error by $(\kappa - 1)/(\kappa + 1)$ per step, so the
#   number of steps grows with the condition number $\kappa$.
# - Stopping rules: a small gradient norm (beware saddles and units), small changes in
#   $f$ or $x$ (for gradient descent, gradient-norm rules with thresholds
#   $\sqrt{\varepsilon/\eta}$ and $\varepsilon/\eta$), always a step budget and a
#   divergence check.
# - The descent lemma: for any $L$-smooth $f$, a step with $0 < \eta < 2/L$ lowers $f$ by
#   at least $\eta(1 - L\eta/2)\|\nabla f\|^2$. Convexity adds guarantees only with its
#   hypotheses: with a minimizer and a global $L$, $f(x_k) \to f^\star$ at rate $O(1/k)$;
#   with strong convexity ($\mu > 0$), linearly. On a non-convex function the start
#   picks the minimum, and near each minimum its own $2/\lambda_{\max}$ limit lets the
#   learning rate reshape the basins.
# - Tune $\eta$ on a log scale with a fixed budget. The best rate is some way below the
#   largest one that does not diverge (3.3 times below on Rosenbrock's grid; Bengio 2012
#   suggests about 2 as a first guess), and it depends on the budget. With one
#   hyperparameter, grid and random search do about equally well. A backtracking
#   (Armijo) line search chooses each step itself, at the price of extra values of $f$.
#
# ## Exercises
#
# Open [`exercises/02_gradient_descent.ipynb`](../exercises/02_gradient_descent.ipynb):
# write a gradient-descent loop with stopping rules, compute the largest stable
# learning rate of a quadratic, and search for a good learning rate. Each exercise
# has a `check(...)` cell that tells you at once whether your code is right.
