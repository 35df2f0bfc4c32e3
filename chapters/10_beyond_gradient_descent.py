# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 10 — Beyond gradient descent
#
# Every method this course used to fit a model's parameters needed the
# gradient. This last chapter
# looks at two places where plain gradient descent is not the whole story, and
# then at where to go from here.
#
# - **No useful gradient.** Some losses are flat almost everywhere: the share of
#   misclassified points, for example, jumps when a point changes side and is
#   constant in between, so its gradient is zero wherever it exists. Gradient
#   descent does not move. Methods that only *evaluate* the loss do: random
#   search, the Nelder–Mead simplex and an evolution strategy.
# - **Data that cannot be pooled.** When the training data sit on many devices
#   that may not share them (phones, hospitals), gradient descent is run as
#   **federated averaging**: each client takes a few steps on its own data, a
#   server averages the results. With one local step, all clients taking part
#   and the average weighted by data size, it *is* gradient descent; with more
#   steps and clients whose data differ, it drifts.
#
# You need chapter 01 (finite differences), chapter 02 (the update rule),
# chapter 04 (logistic regression and losses as averages), and, in passing,
# chapter 08 (second-order conditions, Newton's step), chapter 09 (backprop) and
# chapter 06 (for the last section). Every number in the text is computed and
# asserted by the notebook, in collapsed "Checks" cells you may skip; the longer
# checks, seed sweeps and side roads are in the [details notebook](10_beyond_gradient_descent_details.ipynb).
#
# ## What you will learn
#
# - why gradient descent stops dead on a piecewise-constant loss, and how the
#   finite-difference gradient of chapter 01 shows it;
# - three gradient-free methods and what each one needs: **random search**,
#   **Nelder–Mead** and an **evolution strategy** that estimates the gradient of
#   a *smoothed* loss from function values alone;
# - how to compare methods by **function evaluations**, and what no gradient
#   costs as the dimension grows;
# - **federated averaging**: why one local step with data-size weights equals
#   gradient descent on the pooled data, what more local steps buy, and the
#   **client drift** of non-IID data;
# - where to go next: automatic differentiation, the names of this course's
#   optimizers in PyTorch, further reading, and the whole course in one table.

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

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon
from scipy.optimize import linprog, minimize
from scipy.special import ndtr        # the standard normal CDF, for the smoothed loss

from gdlearn import calculus, data, models, plotting, style
from gdlearn.federated import aggregate, fedavg, partition_non_iid, pool
from gdlearn.gradient_free import evolution_strategy, nelder_mead, random_search
from gdlearn.optim import sgd
from gdlearn.run import run

COLORS = style.PALETTE
METHOD_COLORS = {"gradient descent": style.color_for("gd"), "random search": COLORS["bluish_green"],
                 "Nelder–Mead": COLORS["orange"], "evolution strategy": COLORS["reddish_purple"]}

# %% [markdown]
# ## 1. A loss without a useful gradient
#
# Take two-class data from the generator of chapter 04 (`data.logistic`), here a
# different draw: 200 points in the plane, with the classes further apart
# (separation 3 instead of 2), and a linear classifier: predict class 1 where
#
# $$\cos\theta\; x_1 + \sin\theta\; x_2 > b ,$$
#
# a line whose normal $(\cos\theta, \sin\theta)$ makes the angle $\theta$ with the
# $x_1$-axis, at signed distance $b$ from the origin (the line itself runs at
# $\theta - 90°$). What we actually care about is the
# **0-1 loss**, the share of points on the wrong side:
#
# $$L(\theta, b) = \frac1N \sum_{i=1}^N \mathbb 1\big[\text{point } i \text{ is misclassified}\big].$$
#
# Move the line a little: unless it crosses a point, no prediction changes, and
# neither does $L$. So $L$ is **piecewise constant**, a staircase with one step
# per point crossed. Its gradient is zero wherever it exists, and undefined on
# the step edges.

# %%
dataset = data.logistic(n=200, seed=1, separation=3.0)
points, is_one = dataset.X[:, 1:], dataset.y == 1


def zero_one_loss(p):
    """Share of misclassified points for the line (theta, b) = p; p of shape (2,) or (2, ...)."""
    theta, b = np.asarray(p, dtype=float)
    score = (np.multiply.outer(np.cos(theta), points[:, 0]) + np.multiply.outer(np.sin(theta), points[:, 1])
             - np.expand_dims(b, -1))
    return np.mean((score > 0) != is_one, axis=-1)


domain = np.array([(-np.pi, np.pi), (-3.0, 3.0)])
thetas, offsets = np.linspace(*domain[0], 361), np.linspace(*domain[1], 241)
T, B = np.meshgrid(thetas, offsets)
landscape = zero_one_loss(np.stack([T, B]))
best_on_grid = landscape.min()
start = np.array([-2.0, 1.5])
print(f"loss at the start {zero_one_loss(start):.3f}; best on a {T.shape[1]} x {T.shape[0]} grid "
      f"{best_on_grid:.3f}; distinct values on the grid: {len(np.unique(landscape))}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert zero_one_loss(start) == 0.725 and best_on_grid == 0.03
theta_best, b_best = T.flat[landscape.argmin()], B.flat[landscape.argmin()]
assert abs(theta_best - 0.85) < 0.1 and abs(b_best - 0.1) < 0.15 and abs(np.degrees(theta_best) - 50) < 5
# a count divided by N = 200: every value is a multiple of 1/200
assert np.allclose(landscape * 200, np.round(landscape * 200))

# %% [markdown]
# From a distance the landscape looks smooth: a dark valley around
# $\theta \approx 0.85$ (a normal at about 50°, so a line at about −40°), $b \approx 0.1$, where only 3 % of
# the points are misclassified. The close-up on the right tells the truth: flat
# terraces with sharp edges.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_data, ax_far, ax_near) = plt.subplots(1, 3, figsize=(13, 4.6), width_ratios=[1, 1.25, 1.25])
ax_data.scatter(*points[~is_one].T, s=12, color=COLORS["blue"], label="class 0")
ax_data.scatter(*points[is_one].T, s=12, color=COLORS["vermillion"], marker="^", label="class 1")
u = np.linspace(-4, 4, 2)
for (theta, b), name, ls in [(start, "start", "--"), (np.array([0.86, 0.13]), "a good line", "-")]:
    # the line cos(theta) x1 + sin(theta) x2 = b, through b (cos, sin) along (-sin, cos)
    centre, direction = b * np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
    ax_data.plot(*(centre[:, None] + direction[:, None] * u), "k", linestyle=ls, linewidth=1.2,
                 label=f"{name}: loss {zero_one_loss(np.array([theta, b])):.3f}")
ax_data.set(xlim=(-4, 4), ylim=(-4, 4), xlabel="$x_1$", ylabel="$x_2$", title="The data and two lines")
ax_data.set_aspect("equal")
ax_data.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)

mesh = ax_far.pcolormesh(T, B, landscape, cmap="viridis", shading="auto", rasterized=True)
ax_far.plot(*start, **dict(style.START_STYLE, markeredgecolor="white"))
ax_far.annotate("start", start, xytext=(8, 6), textcoords="offset points", color="white", fontsize=9)
ax_far.add_patch(plt.Rectangle((0.6, -0.2), 0.5, 0.6, fill=False, edgecolor="white", linewidth=1.2))
ax_far.set(xlabel=r"angle $\theta$", ylabel="offset $b$", title="0-1 loss $L(\\theta, b)$")
fig.colorbar(mesh, ax=ax_far, label="share misclassified")
zt, zb = np.meshgrid(np.linspace(0.6, 1.1, 250), np.linspace(-0.2, 0.4, 250))
zoom = zero_one_loss(np.stack([zt, zb]))
mesh = ax_near.pcolormesh(zt, zb, zoom, cmap="viridis", shading="auto", rasterized=True)
ax_near.set(xlabel=r"angle $\theta$", ylabel="offset $b$", title="Close-up of the white box: terraces")
fig.colorbar(mesh, ax=ax_near, label="share misclassified");

# %% [markdown]
# ### Gradient descent does not move
#
# We have no formula for the gradient, but chapter 01 gave us one from function
# values: central differences, $\partial L/\partial\theta \approx
# (L(\theta + h, b) - L(\theta - h, b))/2h$. Moving $b$ by $h$ moves every
# point's score $s_i = \cos\theta\, x_{i1} + \sin\theta\, x_{i2} - b$ by exactly $h$;
# turning the line by $h$ moves it by about $h\,|{-\sin\theta}\, x_{i1} + \cos\theta\, x_{i2}|
# \le h\,\|x_i\|$, at most $4.4 \times 10^{-6}$ here (the farthest point is at
# distance 4.39). So unless a point's score is within $10^{-6}$ (for the
# $b$-difference) or $4.4 \times 10^{-6}$ (for the $\theta$-difference) of zero,
# both values are equal and the difference is exactly zero. On a grid of 20,000 points:

# %%
h = 1e-6
grid = np.stack(np.meshgrid(np.linspace(*domain[0], 160), np.linspace(*domain[1], 125)))
d_theta = zero_one_loss(grid + np.array([h, 0])[:, None, None]) - zero_one_loss(grid - np.array([h, 0])[:, None, None])
d_b = zero_one_loss(grid + np.array([0, h])[:, None, None]) - zero_one_loss(grid - np.array([0, h])[:, None, None])
share_zero = np.mean((d_theta == 0) & (d_b == 0))
assert 4.3 < np.linalg.norm(points, axis=1).max() < 4.4          # the theta-difference's reach: h * 4.39
print(f"the finite-difference gradient is exactly zero at {share_zero:.2%} of {grid[0].size} grid points")
assert share_zero > 0.999


def numerical_grad(p):
    return calculus.numerical_gradient(zero_one_loss, p, h=h)


stuck = run(sgd(lr=1.0), (zero_one_loss, numerical_grad), start, steps=500)
print(stuck.message)
assert stuck.status == "converged" and stuck.steps == 0 and stuck.f == 0.725

# %% [markdown]
# `run` reports *converged* at step 0: the gradient norm is zero, which is its
# stopping rule, and it is right that no step can be taken. Even for a smooth
# function a zero gradient certifies only a **stationary point** (a minimum, a
# maximum or a saddle; telling them apart needs convexity or the second-order
# conditions of chapter 08, and even those can be inconclusive, as for $x^3$
# and $x^4$ at 0); here it says only that the terrace is flat. A larger
# learning rate does not help either: zero times any number is zero.
#
# In practice this is why classifiers are trained on a **smooth surrogate**, the
# logistic loss of chapter 04, whose gradient points somewhere, and evaluated on
# the 0-1 loss. But sometimes there is no surrogate: the loss is a simulation, a
# count, a measurement, a black box. Then we need methods that use values only.
# (A loss with kinks but no flat steps, such as the hinge loss or an $L_1$
# penalty, is a milder case: it has subgradients, and subgradient and proximal
# methods use them; see Parikh and Boyd, 2014, *Proximal Algorithms*,
# Foundations and Trends in Optimization 1(3).)
#
# ## 2. Random search
#
# The simplest idea: try points at random and keep the best one. It comes in two
# flavours.
#
# - **Global**: draw each candidate uniformly from a box. It ignores everything
#   learned so far, but it cannot get stuck.
# - **Local**: draw each candidate around the best point so far,
#   $x_\text{best} + s\,\varepsilon$ with $\varepsilon \sim N(0, I)$, and move when it
#   is better. This is a $(1+1)$ evolution strategy with a fixed step $s$
#   (accepting only strict improvements).
#
# `gdlearn.gradient_free.random_search` does both; like every method of this
# chapter it returns a record of the **best point found so far** after each
# evaluation, and counts the evaluations. Without gradients, evaluations are the
# currency.

# %%
f = lambda p: float(zero_one_loss(p))
budget = 300
global_rs = random_search(f, start, domain=domain, n_iter=budget, seed=0)
local_rs = random_search(f, start, n_iter=budget, step=0.5, seed=0)
for name, tr in [("global", global_rs), ("local", local_rs)]:
    print(f"{name:>6}: {tr.message}")
    assert tr.n_evals == budget + 1
    assert np.all(np.diff(tr.fs) <= 0) and tr.f == tr.values.min()    # best so far, never worse
assert global_rs.f <= 0.06 and local_rs.f <= 0.04 and local_rs.f < global_rs.f
bad = {name: np.mean(tr.values > 0.2) for name, tr in [("global", global_rs), ("local", local_rs)]}
print("share of the evaluations with a loss above 20 %: " + ", ".join(f"{k} {v:.2f}" for k, v in bad.items()))
assert bad["global"] > 0.5 > bad["local"]                                    # in this run

# %% [markdown]
# With seed 0 both find a good line within 300 evaluations, the local search a
# slightly better one. Where their draws land shows why: more
# than half of the global search's evaluations score worse than 20 %, the
# bad regions of the box, and fewer than half of the local search's, whose
# small steps stay near the best point (section 5 runs both on 40
# seeds).
#
# ## 3. Nelder–Mead: a simplex that walks
#
# Nelder and Mead (1965) keep $d + 1$ points, a **simplex** (a triangle in two
# dimensions), and at each iteration replace the worst vertex (or, in a shrink step, all
# vertices but the best). The rules below are
# the standard modern form (Lagarias, Reeds, Wright and Wright, 1998, *Convergence
# Properties of the Nelder–Mead Simplex Method in Low Dimensions*, SIAM J. Optim.
# 9(1), 112–147; scipy's), not necessarily the 1965 paper's in every detail. Let $\bar x$ be the
# centroid of the others:
#
# 1. **reflect** the worst vertex through $\bar x$: $x_r = \bar x + (\bar x - x_\text{worst})$;
# 2. if $x_r$ is the best point yet, **expand**: try twice as far,
#    $\bar x + 2(x_r - \bar x)$, and keep the better one;
# 3. else, if $x_r$ beats the second-worst vertex, **accept** it: it replaces
#    the worst vertex;
# 4. else **contract** halfway between $\bar x$ and $x_r$ (if $x_r$ at least beats
#    the worst vertex) or $x_\text{worst}$ (if not), and keep that point if it
#    improves on the one it was built from (a tie with $x_r$ counts; exercise 10.3
#    has the exact comparisons);
# 5. if even that fails, **shrink** every vertex halfway towards the best one.
#
# Reflecting moves the triangle downhill like a tumbling stone; expanding
# stretches it along a good direction; contracting and shrinking make it small
# enough to settle into a minimum. Its moves only ask which of two values is
# lower, never by how much (only its stopping test looks at value differences),
# so the jumps of a staircase do not confuse it (its flat
# terraces can, as we will see). `gdlearn.gradient_free.nelder_mead` is
# this algorithm with these coefficients (1, 2, ½, ½), the same as
# `scipy.optimize.minimize(method="Nelder-Mead")`, with scipy's initial simplex
# by default; on Rosenbrock the two take the same number of evaluations to reach
# the same point ([details notebook](10_beyond_gradient_descent_details.ipynb), section A).

# %%
nm = nelder_mead(f, start, initial_step=0.5, tol=1e-6)
print(nm.message, f"\nbest loss {nm.f:.3f} at theta = {nm.x[0]:.3f}, b = {nm.x[1]:.3f}")
shown = [k for k in (0, 1, 2, 4, 6, 8, 11) if k <= nm.steps]      # the simplices drawn below
size_after = max(np.ptp(nm.simplices[k], axis=0).max() for k in range(shown[-1] + 1, nm.steps + 1))
print(f"largest side (theta or b extent) of the simplices after iteration {shown[-1]}: {size_after:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert nm.status == "converged" and nm.f <= 0.04 and nm.n_evals < 150
assert size_after < 0.45                     # later simplices: small, piling up around the final vertex

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
from matplotlib import patheffects

fig, ax = plt.subplots(figsize=(7.6, 5))
background = ax.pcolormesh(T, B, landscape, cmap="Greys_r", shading="auto", rasterized=True, alpha=0.85)
# one colour (and line style) per simplex drawn: dark ones on the light, early part of the map, light on the dark
simplex_colors = [COLORS[c] for c in ("black", "blue", "reddish_purple", "vermillion", "bluish_green",
                                      "sky_blue", "yellow")][:len(shown)]
simplex_cmap = plt.matplotlib.colors.ListedColormap(simplex_colors)
iteration_color = plt.cm.ScalarMappable(plt.matplotlib.colors.BoundaryNorm(np.arange(len(shown) + 1) - 0.5,
                                                                            len(shown)), simplex_cmap)
# consecutive simplices share an edge: earlier ones are drawn wider and below, so a shared edge shows
# as a wide band of the earlier colour with the later colour inside it, and every simplex stays a triangle
for rank, k in enumerate(shown):
    ax.add_patch(Polygon(nm.simplices[k], closed=True, fill=False, linewidth=4.2 - 0.45 * rank, zorder=5 + rank,
                         linestyle=["-", (0, (4, 1.5))][rank % 2], edgecolor=iteration_color.to_rgba(rank)))
path_art = plotting.plot_path(np.vstack([start, nm.xs]), ax=ax, color=METHOD_COLORS["Nelder–Mead"], markers=False,
                              label="best vertex so far", linestyle=(0, (2, 1)), linewidth=2.2, legend=False,
                              marker="o", markersize=4.5, zorder=4,  # under the simplices: hides no edge
                              path_effects=[patheffects.withStroke(linewidth=4, foreground="white")])
path_art.start.set_zorder(13)
path_art.end.set_zorder(13)
path_art.start.set_label("start")
path_art.end.set_label("final best vertex")
colorbar = fig.colorbar(iteration_color, ax=ax, label="iteration of the simplex drawn", ticks=range(len(shown)))
colorbar.ax.set_yticklabels([str(k) for k in shown])
fig.colorbar(background, ax=ax, label="0-1 loss (background)")
ax.set(xlim=(-2.6, 1.8), ylim=(-1.0, 3.0), xlabel=r"angle $\theta$", ylabel="offset $b$",
       title=f"Nelder–Mead on the 0-1 loss: the simplex at iterations {', '.join(map(str, shown))}")
ax.legend(loc="lower left");

# %% [markdown]
# The triangle starts large (we asked for sides of 0.5), tumbles and stretches
# towards the valley, then contracts around the best line (we draw seven of
# its simplices; the later ones, less than 0.45 wide in $\theta$ and $b$ after
# iteration 11 and shrinking to nothing, would pile up on the final vertex). One warning: with a
# small simplex all three vertices can sit on the **same terrace**. Then every
# vertex has the same value, nothing is "better", each contraction fails, and
# the simplex shrinks to a point where it started, reporting convergence. Even
# scipy's default simplex (sides of 5 % of the start's coordinates) gets stuck,
# on a terrace with almost half the points wrong:

# %%
tiny = nelder_mead(f, start, initial_step=0.005, tol=1e-6)
default = nelder_mead(f, start, tol=1e-6)             # scipy's initial simplex
print("sides 0.005: ", tiny.message, f"\n              best loss {tiny.f}")
print("scipy's sides:", default.message, f"\n              best loss {default.f}")
assert tiny.status == "converged" and tiny.f == zero_one_loss(start)
assert np.max(np.abs(tiny.x - start)) <= 0.005           # it never left its terrace
assert default.status == "converged" and default.f > 0.4

# %% [markdown]
# On a staircase, a derivative-free method also needs to *look far enough* to
# see a difference. Looking far does not suffice, though: the side 0.5 above
# was our choice, and the size of the first simplex plays the part a seed plays
# for the random methods: some larger first simplices also land on a poor
# terrace and stop there (the [details notebook](10_beyond_gradient_descent_details.ipynb), section A, tries 29 sizes).
#
# ## 4. An evolution strategy: the gradient of a smoothed loss
#
# The staircase has no useful gradient, but a blurred copy of it does. Average the
# loss over a cloud of random points around $x$:
#
# $$L_\sigma(x) = \mathbb E_{\varepsilon \sim N(0, I)}\big[L(x + \sigma\varepsilon)\big].$$
#
# Each step of the staircase becomes a smooth ramp of width about $\sigma$, so
# $L_\sigma$ has a gradient everywhere, and a small step along $-\nabla L_\sigma$
# lowers the smoothed loss. That is all it promises: it is a *local* descent
# direction, not an arrow to the valley. At the start it is
# $-\nabla L_\sigma \approx (0.11, 0.18)$ (estimated below): it
# turns the angle towards the valley's $\theta \approx 0.85$, but it pushes the
# offset *up*, away from the valley's $b \approx 0.1$. To *see* the blur, smooth in one coordinate only: fix the angle
# $\theta$ and blur only the offset,
# $\ell_\sigma(b) = \mathbb E_{\varepsilon \sim N(0, 1)}\big[L(\theta, b + \sigma\varepsilon)\big]$.
# (This is not the restriction of the two-dimensional $L_\sigma$ to a fixed
# $\theta$, which would also blur the angle; it shows the same effect in a form
# we can write down with the normal distribution function $\Phi$, as the
# [details notebook](10_beyond_gradient_descent_details.ipynb), section I, derives.)

# %%
theta_slice = 0.3
scores = np.cos(theta_slice) * points[:, 0] + np.sin(theta_slice) * points[:, 1]
b_line = np.linspace(-3, 3, 1201)
staircase = zero_one_loss(np.stack([np.full_like(b_line, theta_slice), b_line]))


def smoothed(b, sigma):
    """ell_sigma(b), the loss smoothed along b only: class 1 is wrong where b >= s_i, class 0 where b < s_i."""
    z = (b[:, None] - scores[None, :]) / sigma
    return np.mean(np.where(is_one, ndtr(z), ndtr(-z)), axis=1)


# the closed form agrees with a Monte Carlo average over random offsets (theta fixed)
rng = np.random.default_rng(0)
b0 = 1.5
mc = np.mean(zero_one_loss(np.stack([np.full(50_000, theta_slice), b0 + 0.3 * rng.standard_normal(50_000)])))
assert abs(mc - smoothed(np.array([b0]), 0.3)[0]) < 3e-3
# flat for L, sloped for ell_sigma at b0
slope = np.diff(smoothed(np.array([b0 - 1e-4, b0 + 1e-4]), 0.3))[0] / 2e-4
assert zero_one_loss(np.array([theta_slice, b0 - 1e-4])) == zero_one_loss(np.array([theta_slice, b0 + 1e-4]))
assert slope > 0.05
print(f"at b = {b0}: L is flat, ell_sigma (sigma = 0.3) has slope {slope:.3f}; Monte Carlo check {mc:.4f}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, inset) = plt.subplots(1, 2, figsize=(12, 3.8), width_ratios=[2, 1])
ax.plot(b_line, staircase, color="black", linewidth=1, drawstyle="steps-post", label="0-1 loss $L$")
for sigma, color, ls in [(0.1, COLORS["sky_blue"], "--"), (0.3, COLORS["reddish_purple"], "-")]:
    ax.plot(b_line, smoothed(b_line, sigma), color=color, linewidth=2, linestyle=ls, label=f"smoothed along $b$: $\\ell_\\sigma$, $\\sigma$ = {sigma}")
ax.axvline(b0, color="grey", linestyle=":", linewidth=1)
ax.text(b0 + 0.05, 0.12, f"$b_0$ = {b0}: zoomed on the right", fontsize=8)
ax.set(xlabel="offset $b$ (angle fixed at $\\theta$ = 0.3)", ylabel="share misclassified",
       title="Smoothing turns the staircase into a slope")
ax.legend(loc="upper center", fontsize=8)
near = (b_line > b0 - 0.12) & (b_line < b0 + 0.12)
inset.plot(b_line[near], staircase[near], color="black", linewidth=1, drawstyle="steps-post")
inset.plot(b_line[near], smoothed(b_line[near], 0.3), color=COLORS["reddish_purple"], linewidth=2)
inset.plot(b_line[near], smoothed(b_line[near], 0.1), color=COLORS["sky_blue"], linewidth=2, linestyle="--")
inset.axvline(b0, color="grey", linestyle=":", linewidth=1)
inset.set(xlabel="offset $b$", ylabel="share misclassified",
          title=f"Zoom at $b_0$: $L$ flat, $\\ell_\\sigma$ sloped")
inset.text(b0 + 0.005, inset.get_ylim()[0] + 0.002, "$b_0$", fontsize=8);

# %% [markdown]
# We cannot compute $L_\sigma$ or its gradient exactly in general, but we can
# *estimate* the gradient from a few evaluations. For a direction $\varepsilon$,
# the difference $L(x + \sigma\varepsilon) - L(x - \sigma\varepsilon)$ says how the loss
# changes along $\varepsilon$; averaging over random directions gives
#
# $$\hat g = \frac1n \sum_{i=1}^{n} \frac{L(x + \sigma\varepsilon_i) - L(x - \sigma\varepsilon_i)}{2\sigma}\;\varepsilon_i ,
# \qquad \mathbb E[\hat g] = \nabla L_\sigma(x),$$
#
# an **unbiased estimate of the smoothed gradient** from $2n$ evaluations. The
# proof differentiates only the Gaussian density, never $L$, so it holds for the
# staircase too ([details notebook](10_beyond_gradient_descent_details.ipynb), section I; the estimate is the score-function, or
# REINFORCE, gradient of section H there).
#
# The pairs $x \pm \sigma\varepsilon_i$ (**antithetic sampling**) do not make $\hat g$
# unbiased (one-sided samples $L(x + \sigma\varepsilon_i)\,\varepsilon_i/\sigma$ are too:
# section I there); they cut its noise. The difference cancels the even part of
# $\varepsilon \mapsto L(x + \sigma\varepsilon)$ for any $L$: the constant level $L(x)$ always,
# the even-order Taylor terms of a smooth $L$ (a quadratic's curvature exactly). At
# the start, for the same 10 evaluations, 5 pairs spread several times less than 10
# one-sided samples, and a little more than those minus $L(x)$ (which average 10 directions,
# not 5): here the gain comes from removing the constant level (printed below).
# They do not remove the noise of drawing random *directions*: even on a
# quadratic, where $\hat g = \frac1n\sum_i\varepsilon_i\varepsilon_i^\top\nabla L$, its
# variance grows like $d/n$ (section 6 works it out).
#
# Then take a gradient
# step, $x \leftarrow x - \eta\, \hat g$. This is the core of the evolution strategy
# with which Salimans et al. (2017, *Evolution Strategies as a Scalable
# Alternative to Reinforcement Learning*, arXiv:1703.03864) trained
# neural-network policies on "over a thousand parallel workers" (their
# abstract). Their method adds rank-based fitness shaping (the returns are
# replaced by their ranks before averaging), and their released code
# (openai/evolution-strategies-starter, `configurations/humanoid.json`) steps
# with Adam and adds weight decay; ours is the
# plain version, `gdlearn.gradient_free.evolution_strategy`, with $n = 5$ pairs
# (population 10).
#
# What one estimate looks like, at the start $(\theta, b) = (-2, 1.5)$ with
# $\sigma = 0.3$: 300 independent estimates $\hat g$ with $n = 5$ pairs each, their
# mean, and $\nabla L_\sigma$ itself, estimated with $n = 20{,}000$ pairs:

# %%
def es_estimates(x, pairs, repeats, sigma, rng):
    """`repeats` independent antithetic estimates of grad L_sigma at x, each from `pairs` directions."""
    eps = rng.standard_normal((repeats, pairs, 2))
    points_plus, points_minus = (x + sigma * eps).reshape(-1, 2).T, (x - sigma * eps).reshape(-1, 2).T
    diffs = (zero_one_loss(points_plus) - zero_one_loss(points_minus)).reshape(repeats, pairs) / (2 * sigma)
    return np.mean(diffs[..., None] * eps, axis=1)


rng = np.random.default_rng(1)
estimates = es_estimates(start, 5, 300, 0.3, rng)
smoothed_grad = es_estimates(start, 20_000, 1, 0.3, rng)[0]
standard_error = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
print(f"grad L_sigma ~ {smoothed_grad.round(3)}; mean of the 300 estimates {estimates.mean(axis=0).round(3)} "
      f"(standard error {standard_error.round(3)}); one estimate's spread (std) {estimates.std(axis=0).round(3)}")

# The same budget of 10 evaluations, one-sided: L(x + sigma eps) eps / sigma, without and with L(x) subtracted
eps = np.random.default_rng(2).standard_normal((4000, 10, 2))
one_sided = zero_one_loss((start + 0.3 * eps).reshape(-1, 2).T).reshape(4000, 10)
spread = {"5 pairs": es_estimates(start, 5, 4000, 0.3, np.random.default_rng(3)).std(axis=0)}
for name, values in [("10 one-sided", one_sided), ("10 one-sided - L(x)", one_sided - zero_one_loss(start))]:
    spread[name] = np.mean(values[..., None] * eps / 0.3, axis=1).std(axis=0)
print("spread (std of each component) over 4000 estimates:", {k: v.round(3).tolist() for k, v in spread.items()})

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.abs(estimates.mean(axis=0) - smoothed_grad) < 4 * standard_error + 0.01)   # unbiased
assert np.all(estimates.std(axis=0) > np.abs(smoothed_grad) / 2)                            # but noisy
# -grad L_sigma at the start: theta up (towards 0.85), but b up too (away from 0.1)
assert np.all(np.abs(smoothed_grad - [-0.11, -0.18]) < 0.03)
assert np.all(spread["10 one-sided"] > 4 * spread["5 pairs"])           # the pairs cut the spread
assert np.all(spread["10 one-sided - L(x)"] < 1.5 * spread["5 pairs"])    # ... mostly by removing L(x)
assert np.all(spread["10 one-sided - L(x)"] < spread["5 pairs"])          # pairs a little noisier than that here

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(6, 4.6))
ax.scatter(*estimates.T, s=10, color=COLORS["sky_blue"], alpha=0.6, label="300 estimates, 5 pairs each")
ax.plot(*estimates.mean(axis=0), "D", color=COLORS["orange"], markersize=10, markeredgecolor="black",
        label="their mean")
ax.plot(*smoothed_grad, "*", color=COLORS["reddish_purple"], markersize=16, markeredgecolor="black",
        label=r"$\nabla L_\sigma$ (20,000 pairs)")
ax.axhline(0, color="black", linewidth=0.6)
ax.axvline(0, color="black", linewidth=0.6)
ax.set(xlabel=r"$\hat g_\theta$", ylabel=r"$\hat g_b$",
       title=r"The ES estimate at the start: unbiased, noisy ($\sigma$ = 0.3)")
ax.legend(fontsize=8, loc="best");

# %% [markdown]
# The estimates scatter widely around $\nabla L_\sigma$, and their mean (the
# orange diamond, half under the star) sits on it, within its standard error: an
# unbiased but noisy estimate, like a mini-batch gradient (chapter 04), which a
# constant $\eta$ does not average away (section 5).

# %%
es = evolution_strategy(f, start, sigma=0.3, population=10, lr=1.0, n_iter=50, seed=0)
print(es.message)
assert es.n_evals == 1 + 50 * 11 and es.f <= 0.04

# %% [markdown]
# ## 5. The race, counted in evaluations
#
# Four methods from the same start, drawn on the loss landscape, and the best
# loss each has found against the function evaluations it has spent (log scales,
# so that 3 % and 3.5 % can be told apart). Gradient descent gave up after one
# evaluation and one gradient (four values for central differences): a flat band.
# One count throughout the chapter: a method "reaches 5 %" at the first
# evaluation (numbered from 1) of a point with a loss at or below 5 %, whatever
# that point is (a random-search try, a simplex vertex, an ES sample).

# %%
def evaluations_to(values, level):
    """The number of the first evaluation whose value is <= `level`, counting from 1 (None if never).

    `values`: every value a method evaluated, in order (a trace's `.values`), perturbed samples included.
    """
    reached = np.flatnonzero(np.asarray(values) <= level)
    return int(reached[0]) + 1 if len(reached) else None


level = 0.05
traces = {"random search": local_rs, "Nelder–Mead": nm, "evolution strategy": es}
needed = {name: evaluations_to(tr.values, level) for name, tr in traces.items()}
print(f"evaluations to reach a 0-1 loss of {level} (from {zero_one_loss(start)}):", needed)
es_mean_loss = f(es.path[-1])
print(f"evolution strategy: best point evaluated {es.f}, its mean (the iterate) at the end {es_mean_loss}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert all(n is not None and n <= es.n_evals for n in needed.values())
assert needed["Nelder–Mead"] < needed["random search"] < needed["evolution strategy"]
assert all(tr.f <= 0.035 for tr in traces.values())          # 3.5 % or better; the grid's best is 3 %
assert max(tr.n_evals for tr in traces.values()) == 551       # all within 551 evaluations
assert abs(es_mean_loss - 0.045) < 1e-9

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax_map, ax_curve) = plt.subplots(1, 2, figsize=(12.5, 4.8), width_ratios=[1.15, 1])
ax_map.pcolormesh(T, B, landscape, cmap="Greys_r", shading="auto", rasterized=True, alpha=0.85)
ax_map.scatter(*local_rs.points.T, s=4, color=METHOD_COLORS["random search"], alpha=0.35,
               label="local random search: every point tried")
for xs, name, ls, label in [(local_rs.xs, "random search", "-", "local random search: best so far"),
                             (np.vstack([start, nm.xs]), "Nelder–Mead", "-.", "Nelder–Mead: best vertex"),
                             (es.path, "evolution strategy", "--", "evolution strategy: the mean")]:
    plotting.plot_path(xs, ax=ax_map, color=METHOD_COLORS[name], markers=False, label=label, linestyle=ls,
                       linewidth=1.8)          # the right panel's line styles
ax_map.plot(*start, "X", color=METHOD_COLORS["gradient descent"], markersize=12, markeredgecolor="white",
            zorder=10, label="gradient descent: stuck at the start")
ax_map.set(xlim=domain[0], ylim=domain[1], xlabel=r"angle $\theta$", ylabel="offset $b$",
           title="Paths on the 0-1 loss (dark = low)")
ax_map.legend(fontsize=7.5, loc="lower right")
# the three best points nearly coincide: a zoom on a finer grid, with one marker shape per method
# (like with like: the best point each method evaluated, the ES's being one of its perturbed samples)
ends = {"random search": (local_rs.x, "o"), "Nelder–Mead": (nm.x, "s"), "evolution strategy": (es.x, "D")}
centre = np.mean([x for x, _ in ends.values()], axis=0)
half = max(0.15, 1.6 * max(np.max(np.abs(x - centre)) for x, _ in ends.values()))
inset = ax_map.inset_axes([0.07, 0.07, 0.3, 0.36])
inset_t, inset_b = np.meshgrid(np.linspace(centre[0] - half, centre[0] + half, 200),
                               np.linspace(centre[1] - half, centre[1] + half, 200))
inset.pcolormesh(inset_t, inset_b, zero_one_loss(np.stack([inset_t, inset_b])), cmap="Greys_r", shading="auto", rasterized=True,
                 alpha=0.85, vmin=best_on_grid, vmax=0.07)        # a narrow grey scale, so the terraces show
for (name, (x, marker)), size in zip(ends.items(), [18, 8, 8]):   # hollow, the circle around the square: none hides another
    inset.plot(*x, marker=marker, markersize=size, markerfacecolor="none", markeredgecolor=METHOD_COLORS[name],
               markeredgewidth=2.2, linestyle="none", zorder=5)
inset.set(xlim=(centre[0] - half, centre[0] + half), ylim=(centre[1] - half, centre[1] + half))
inset.tick_params(labelsize=6)
inset.text(0.5, 0.97, "best points evaluated, zoomed\n(grey scale: 3 % to 7 %)", transform=inset.transAxes,
           ha="center", va="top", fontsize=6.5, color="black", bbox=dict(facecolor="white", alpha=0.8, pad=1.5))
ax_map.indicate_inset_zoom(inset, edgecolor="white")

# gradient descent as a wide pale band underneath, so the curves that start at its 0.725 stay visible
ax_curve.hlines(stuck.f, 1, 600, color=METHOD_COLORS["gradient descent"], linewidth=6, alpha=0.35, zorder=1,
                label="gradient descent (stuck at 0.725)")
for (name, tr), ls in zip(traces.items(), ["-", "-.", "--"]):
    ax_curve.step(np.arange(1, len(tr.values) + 1), np.minimum.accumulate(tr.values), where="post",
                  color=METHOD_COLORS[name], linestyle=ls, linewidth=1.8,
                  zorder=3, label="local random search" if name == "random search" else name)
ax_curve.axhline(best_on_grid, color="black", linewidth=0.8, linestyle=":", label=f"best on the grid ({best_on_grid})")
ax_curve.set(xscale="log", yscale="log", xlim=(1, 600), ylim=(0.025, 0.9), xlabel="function evaluations (log scale)",
             ylabel="best 0-1 loss so far (log scale)", title="Best loss against evaluations")
ax_curve.set_yticks([0.03, 0.05, 0.1, 0.2, 0.4, 0.725], ["0.03", "0.05", "0.1", "0.2", "0.4", "0.725"])
ax_curve.yaxis.set_minor_formatter(plt.NullFormatter())
ax_curve.legend(fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16));     # below: no curve hidden

# %% [markdown]
# In this run (seed 0 for the random methods), all three gradient-free methods
# find a line that misclassifies 3.5 % of the points (the best on the grid: 3 %),
# within 551 evaluations (the inset zooms on these three best points), while
# gradient descent never leaves the start's 72.5 %. Their styles differ:
#
# - **Nelder–Mead** (no random numbers, but it depends on the size of its first
#   simplex, 0.5 here) makes few, well-aimed evaluations and is first to reach 5 %.
# - **Local random search** wanders; the cloud of its rejected tries is the price.
# - **The evolution strategy** is last: 11 evaluations per step is a lot for two
#   parameters, but every step is an averaged gradient step of the smoothed loss,
#   and its evaluations could all run in parallel.
#
# Each method reports the best point it has *evaluated*, for the ES its samples
# $x \pm \sigma\varepsilon$ included; its mean ends at 4.5 % and does not settle: with
# $\eta = 1$ and a noisy estimate it keeps jumping, like SGD in its noise ball
# (chapter 04; [details notebook](10_beyond_gradient_descent_details.ipynb), section B, measures the jitter).
#
# One seed is an anecdote. The same three random methods, same settings, seeds 0–39:

# %%
SEEDS = range(40)
local_runs = [random_search(f, start, n_iter=budget, step=0.5, seed=s) for s in SEEDS]
global_runs = [random_search(f, start, domain=domain, n_iter=budget, seed=s) for s in SEEDS]
es_runs_2d = [evolution_strategy(f, start, sigma=0.3, population=10, lr=1.0, n_iter=50, seed=s) for s in SEEDS]
local_f, global_f, es_f = (np.array([tr.f for tr in runs]) for runs in (local_runs, global_runs, es_runs_2d))
es_mean_f = np.array([f(tr.path[-1]) for tr in es_runs_2d])      # the ES iterate, not its best sample
for label, finals in [("local random search", local_f), ("global random search", global_f),
                      ("evolution strategy", es_f), ("evolution strategy, its mean", es_mean_f)]:
    print(f"{label:>28}: final 0-1 loss <= 4 % in {np.sum(finals <= 0.04)}/40 seeds, worst {finals.max():.3f}")
local_stuck = [s for s in SEEDS if local_f[s] > 0.04]
print(f"local random search above 4 %: seeds {local_stuck}, at offsets b = "
      f"{[round(float(local_runs[s].x[1]), 2) for s in local_stuck]}, loss {[float(local_f[s]) for s in local_stuck]}")
print(f"local vs global random search, seed by seed: local better in {np.sum(local_f < global_f)}, "
      f"worse in {np.sum(local_f > global_f)}")
local_to_5 = [evaluations_to(tr.values, level) for tr in local_runs]
nm_first = sum(n is None or n >= needed["Nelder–Mead"] for n in local_to_5)
print(f"Nelder–Mead ({needed['Nelder–Mead']} evaluations) reaches {level} no later than local random search "
      f"in {nm_first}/40 seeds")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert local_stuck == [10, 15] and np.sum(local_f <= 0.04) == 38
assert all(abs(local_f[s] - 0.5) < 0.01 and local_runs[s].x[1] > 3.5 for s in local_stuck)  # off the data
assert np.sum(local_f < global_f) >= 28 and np.sum(local_f > global_f) >= 1    # local beats global, mostly
assert nm_first >= 36                                                          # Nelder–Mead almost always first
assert 12 <= np.sum(es_f <= 0.04) <= 24 and es_f.max() > 0.3                    # ES: about half the seeds
assert 8 <= np.sum(es_mean_f <= 0.04) <= np.sum(es_f <= 0.04)                  # fewer still for the iterate

# %% [markdown]
# - **Local random search** ends at 4 % or better in 38 of the 40 seeds and beats
#   global random search on most seeds, not all. The two others (seeds 10 and 15)
#   wander onto an offset $b$ beyond the data, where the line puts every point in
#   one class (loss 0.5), and stay stranded there.
# - **Nelder–Mead** with sides 0.5 reaches 5 % no later than local random search
#   in almost every seed; but that is one simplex we chose (section 3).
# - **The evolution strategy** with these settings (σ = 0.3, population 10,
#   η = 1, 50 iterations) is less reliable still: only about half the seeds find
#   a point at 4 % or better, and its mean ends there in fewer still. The
#   seed-0 success in the figure above is its good case.
#
# Why the stranded seeds stay stranded, and what 300 iterations give the
# evolution strategy, is in the [details notebook](10_beyond_gradient_descent_details.ipynb), section B.
#
# ### A baseline with gradients: the smooth surrogate
#
# Section 1 said that in practice one trains on the logistic loss of chapter 04
# and evaluates on the 0-1 loss. On these 200 points, gradient descent on the
# logistic loss ($\eta = 1$, from $w = 0$, the model of chapter 04 with its bias
# column) gives:

# %%
w_surrogate, surrogate_01 = np.zeros(3), []
for _ in range(200):
    w_surrogate = w_surrogate - 1.0 * models.logistic_grad(w_surrogate, dataset.X, dataset.y)
    surrogate_01.append(np.mean((dataset.X @ w_surrogate > 0) != is_one))
surrogate_01 = np.array(surrogate_01)
print(f"0-1 loss of the logistic-loss iterate after steps 1-5: {surrogate_01[:5]}, "
      f"after 200 steps: {surrogate_01[-1]}")
assert np.all(np.abs(surrogate_01 - 0.045) < 1e-9)      # from the first step to the 200th
assert surrogate_01[-1] > max(local_rs.f, nm.f, es.f)    # the value-only methods' best points do better on it
assert abs(surrogate_01[-1] - es_mean_loss) < 1e-9       # ... but not the ES mean
# the surrogate's own minimizer (BFGS), not just the 200-step iterate
w_logistic = minimize(models.logistic_loss, np.zeros(3), args=(dataset.X, dataset.y), jac=models.logistic_grad,
                      method="BFGS", options={"gtol": 1e-10}).x
minimizer_01 = np.mean((dataset.X @ w_logistic > 0) != is_one)
print(f"0-1 loss at the logistic loss's minimizer (BFGS): {minimizer_01}")
assert abs(minimizer_01 - 0.045) < 1e-9 and minimizer_01 > best_on_grid + 0.01

# %% [markdown]
# One gradient step reaches a 0-1 loss of 4.5 %, and 199 more do not change it;
# the surrogate's own minimizer (BFGS) is at 4.5 % too. Cheap and good, but the
# surrogate's minimizer is not the 0-1 loss's: the three methods above found
# 3.5 % (for the ES, its best sample), the grid 3 %. When that gap matters, or
# there is no surrogate, value-only methods optimize the loss you care about.
#
# ## 6. The price of no gradient: dimension
#
# On two parameters all of this is cheap. Neural networks have millions. How do
# these methods scale? Take the simplest bowl, $f(x) = \tfrac12\|x\|^2$, in $d$
# dimensions, start at $(1, \dots, 1)$, and count the evaluations until $f$ falls
# by a factor $10^6$.
#
# For a fair count the evolution strategy gets good settings. Its population
# stays **fixed** at 4 ($n = 2$ antithetic pairs) whatever $d$, the simplest case
# to analyse; we charge it 5 evaluations per iteration (the 4 samples and one at
# the mean, which only reports $f$; charging 4 changes no conclusion: details,
# section C); and it gets the best step size for each $d$, derived in three steps.
#
# 1. **The estimate.** On a quadratic the antithetic difference is exact,
#    $\big(f(x + \sigma\varepsilon) - f(x - \sigma\varepsilon)\big)/2\sigma = x \cdot \varepsilon$, so
#    $\hat g = \frac1n\sum_i \varepsilon_i\varepsilon_i^\top x$, and since
#    $\mathbb E[\varepsilon\varepsilon^\top] = I$, $\mathbb E[\hat g] = x = \nabla f(x)$.
# 2. **Its noise.** Averaging $n$ random directions gives
#
#    $$\mathbb E\|\hat g\|^2 = \Big(1 + \frac{d + 1}{n}\Big)\|x\|^2 ,$$
#
#    the squared gradient plus a noise term that grows like $(d + 1)/n$ (the
#    Gaussian's fourth moment does it: the [details notebook](10_beyond_gradient_descent_details.ipynb), section K, derives it and
#    checks it by simulation).
#
# 3. **One step** $x - \eta\hat g$ then gives
#
#    $$\mathbb E\,\|x - \eta\hat g\|^2 = \Big(1 - 2\eta + \eta^2\big(1 + \tfrac{d+1}{n}\big)\Big)\|x\|^2 ,$$
#
#    smallest at $\eta^\star = n/(n + d + 1)$, where the factor is $(d + 1)/(n + d + 1)$.
#
# That factor is close to 1 when $d \gg n$: since $\log\frac{d+1}{n+d+1} \approx -\frac{n}{n+d+1}$
# for large $d$, the iterations, and evaluations, grow about like $n + d + 1$:
# affinely in $d$, not in proportion (from $d = 2$ to 16 the counts below,
# measured and predicted, grow less than eightfold). This is the zeroth-order
# penalty of Nesterov and Spokoiny (*Random Gradient-Free Minimization of Convex
# Functions*, Found. Comput. Math., 2017): about $d$ times more iterations than
# gradient descent. Measured, with $\eta^\star$, the median over 5 seeds, and half
# and twice $\eta^\star$ at $d = 16$ to check that it is the better choice:

# %%
PAIRS = 2                                       # n, the antithetic pairs: population 4
print("evaluations to reach f(x0) / 1e6; evolution strategy: population 4, step n/(n+d+1), median of 5 seeds")
print("  d   Nelder–Mead   evolution strategy   predicted")
cost, predicted = {}, {}
for d in [2, 4, 8, 16]:
    bowl = lambda x: 0.5 * float(x @ x)
    x0 = np.ones(d)
    target = 1e-6 * bowl(x0)

    def es_cost(step, seed):
        trace = evolution_strategy(bowl, x0, sigma=0.1, population=2 * PAIRS, lr=step, n_iter=4000, seed=seed)
        return evaluations_to(trace.values, target)

    eta = PAIRS / (PAIRS + d + 1)
    es_runs = [es_cost(eta, seed) for seed in range(5)]
    assert None not in es_runs
    cost[d] = (evaluations_to(nelder_mead(bowl, x0, tol=1e-12, max_iter=10_000).values, target), np.median(es_runs))
    # the expected squared distance shrinks by (d+1)/(n+d+1) per iteration of 2n + 1 evaluations
    predicted[d] = 1 + (2 * PAIRS + 1) * math.log(1e-6) / math.log((d + 1) / (PAIRS + d + 1))
    print(f"{d:3}   {cost[d][0]:11}   {cost[d][1]:18.0f}   {predicted[d]:9.0f}")
nm_growth, es_growth = cost[16][0] / cost[2][0], cost[16][1] / cost[2][1]
assert nm_growth > 100 and 3 < es_growth < 8 and 3 < predicted[16] / predicted[2] < 8
print("measured / predicted:", " ".join(f"{cost[d][1] / predicted[d]:.2f}" for d in cost))
assert all(0.6 < cost[d][1] / predicted[d] < 1.0 for d in cost)     # the derivation's count, a little pessimistic
off_step = [np.median([es_cost(m * PAIRS / (PAIRS + 17), seed) for seed in range(5)]) for m in (0.5, 2.0)]
print(f"d = 16 with half and twice that step: {off_step[0]:.0f} and {off_step[1]:.0f} evaluations")
assert min(off_step) > 1.3 * cost[16][1]

# %% [markdown]
# The evolution strategy's bill grows several-fold, as the derivation predicts: with
# a fixed population, the estimate's noise grows like $(d+1)/n$ (step 2 above),
# so it takes about $d$ times more iterations. The measured
# counts are a little *below* the prediction at every $d$ for these five seeds;
# why a median run beats a prediction made for the mean square is in the
# [details notebook](10_beyond_gradient_descent_details.ipynb), section C.
#
# From 2 to 16 dimensions, Nelder–Mead's bill grows more than a hundredfold (the
# table above; the steepest line in the log-log figure below). Part of it is the
# fixed coefficients (1, 2, ½, ½) that we and scipy's default use; Gao and Han (2012) make them depend
# on $d$ (scipy's `adaptive=True`), which the [details notebook](10_beyond_gradient_descent_details.ipynb), section C, measures.

# %%
# gradient descent with lr = 0.5 multiplies f by (1 - 0.5)^2 = 1/4 per step, in any dimension
gd_steps = math.ceil(math.log(1e-6) / math.log(0.25))
assert gd_steps == 10
for d in cost:
    gd = run(sgd(lr=0.5), (lambda x: 0.5 * float(x @ x), lambda x: x), np.ones(d), steps=50, tol=0)
    assert np.flatnonzero(gd.fs <= 1e-6 * gd.fs[0])[0] == gd_steps      # measured: 10 steps in every d


# a value-only baseline that is not random: gradient descent (lr = 0.5) with forward differences,
# f(x) and f(x + h e_j) for j = 1..d, so d + 1 evaluations per step
def forward_difference_cost(d, h=1e-7):
    bowl, x = (lambda x: 0.5 * float(x @ x)), np.ones(d)
    f0 = fx = bowl(x)
    evals = 1
    while fx > 1e-6 * f0:
        g = np.array([(bowl(x + h * e) - fx) / h for e in np.eye(d)])
        x = x - 0.5 * g
        fx = bowl(x)
        evals += d + 1
    return evals


fd_cost = {d: forward_difference_cost(d) for d in cost}
print("forward-difference gradient descent:", ", ".join(f"{fd_cost[d]} at d = {d}" for d in fd_cost))
assert all(fd_cost[d] == 1 + gd_steps * (d + 1) for d in fd_cost)   # 10 steps of d + 1 evaluations
assert all(fd_cost[d] < cost[d][1] for d in cost)                   # fewer than the ES at every d

# %% [markdown]
# Gradient descent with $\eta = 0.5$ needs 10 steps in *any* dimension ($\eta = 1$,
# Newton's step for this Hessian $I$, would need one; 0.5 stands for a step chosen
# without knowing the curvature). Nor is the ES the best value-only method here:
# gradient descent with a forward-difference gradient ($d + 1$ evaluations per
# step, $h = 10^{-7}$) takes the same 10 steps, $1 + 10(d + 1)$ evaluations (31,
# 51, 91, 171), fewer than the ES at every $d$, even when the ES is not charged
# for its evaluation at the mean ([details notebook](10_beyond_gradient_descent_details.ipynb), section C). On this
# smooth, noise-free bowl, finite differences win; both bills grow affinely in $d$.
#
# All these bills in one figure:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
dims = np.array(list(cost))
fig, ax = plt.subplots(figsize=(9.5, 4.4))
series = [("Nelder–Mead", [cost[d][0] for d in dims], dims, dict(color=METHOD_COLORS["Nelder–Mead"], marker="s")),
          ("evolution strategy (median of 5 seeds)", [cost[d][1] for d in dims], dims,
           dict(color=METHOD_COLORS["evolution strategy"], marker="D")),
          ("evolution strategy, predicted", [predicted[d] for d in dims], dims,
           dict(color=METHOD_COLORS["evolution strategy"], marker="x", linestyle=":")),
          ("forward-difference gradient descent", [fd_cost[d] for d in dims], dims,
           dict(color=METHOD_COLORS["random search"], marker="^", linestyle="-.")),
          ("gradient descent: gradients, not values", [gd_steps] * len(dims), dims,
           dict(color=METHOD_COLORS["gradient descent"], marker="o", linestyle="--"))]
for label, counts, ds, kw in series:
    ax.plot(ds, counts, label=label, **{"markersize": 6, **kw})
ax.set(xscale="log", yscale="log", xticks=dims, xticklabels=[str(d) for d in dims], xlabel="dimension $d$ (log scale)",
       ylabel="evaluations to reach f(x0) / 10⁶ (log scale)", title="The bill on the bowl $f(x) = \\|x\\|^2/2$, by dimension")
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0));

# %% [markdown]
# And on the staircase? There, differences over a *tiny* $h$ are exactly zero
# (section 1). What the ES brings is a smoothing *scale*, $\sigma = 0.3$, more
# than its randomness: plain central differences over $h = 0.3$ also reach across
# the terraces and get below 5 % ([details notebook](10_beyond_gradient_descent_details.ipynb), section D). What a staircase needs
# is a method that looks far enough.
#
# With automatic
# differentiation (section 8) a gradient costs a small constant times one
# evaluation of $f$, however many parameters there are: the **cheap gradient
# principle** of reverse-mode differentiation (Andreas Griewank and Andrea
# Walther, *Evaluating Derivatives*, 2nd ed., SIAM, 2008), paid for
# in memory, since the reverse pass needs the intermediate values of the
# evaluation (the activations that chapter 09's backprop keeps). That is why gradients train the millions of weights of a
# network, and value-only methods are kept for problems with few parameters
# (hyperparameters, chapter 02's random search of learning rates), no gradient,
# or massive parallel hardware.
#
# ## 7. Federated averaging: gradient descent without pooling the data
#
# Now a different limit: the gradient exists, but the data may not move. Ten
# clients (think: ten hospitals) each hold part of a data set; the model should
# be trained on all of it without anybody sending their data. McMahan et al.
# (2017) proposed **federated averaging** (FedAvg). Each round:
#
# 1. the server sends the current weights $w$ to the clients;
# 2. each client $k$ runs $E$ steps of gradient descent on its **own** loss
#    $L_k$ (the mean over its $n_k$ examples), starting from $w$, and sends back
#    its weights $w_k$;
# 3. the server averages them, **weighted by the data sizes**:
#    $w \leftarrow \sum_k \frac{n_k}{N}\, w_k$, with $N = \sum_k n_k$.
#
# Only weights travel, never examples. That is not the same as privacy: weights
# and updates are computed from the examples and can leak them (Zhu, Liu and
# Han, *Deep Leakage from Gradients*, NeurIPS 2019, reconstruct training images
# from shared gradients), which is why deployments add secure aggregation (the
# server only sees the sum; Bonawitz et al., CCS 2017) or differential privacy
# (McMahan et al., ICLR 2018). This chapter is about the optimization only. (Our
# $E$ full-batch local steps are McMahan et al.'s $E$ epochs with $B = \infty$:
# [details notebook](10_beyond_gradient_descent_details.ipynb), section E.)
#
# Why weight by $n_k$? With $E = 1$, each
# $w_k = w - \eta \nabla L_k(w)$, and
#
# $$\sum_k \frac{n_k}{N}\big(w - \eta\nabla L_k(w)\big)
# = w - \eta \sum_k \frac{n_k}{N}\,\frac{1}{n_k}\sum_{i \in k} \nabla\ell_i(w)
# = w - \eta\, \frac1N \sum_{i=1}^{N} \nabla \ell_i(w) ,$$
#
# **exactly one step of gradient descent on the pooled data**: the loss is an
# average over examples (chapter 04), so each client's average must count as
# many times as it has examples. A plain mean of the $w_k$ over-counts the small
# clients.
#
# The data: 1000 points of the same two-class problem, shared among 10 clients in
# two ways. **IID**: shuffled and dealt out evenly, so every client's data look
# like the whole. **Non-IID**: a label skew drawn from a Dirichlet distribution
# with $\alpha = 0.1$: for each class, the shares of its examples that go to the
# ten clients are drawn from $\text{Dirichlet}(\alpha, \dots, \alpha)$. With small
# $\alpha$ most clients hold almost only one class, and their sizes differ. (We
# redraw the split until every client holds at least 5 examples, `min_size=5`,
# so the shares are a Dirichlet draw conditioned on that; where the scheme comes
# from: [details notebook](10_beyond_gradient_descent_details.ipynb), section E.)

# %%
fed_data = data.logistic(n=1000, seed=0, separation=3.0)
X_all, y_all = fed_data.X, fed_data.y
clients = {"IID": partition_non_iid(X_all, y_all, 10, alpha=math.inf, seed=0),
           "non-IID": partition_non_iid(X_all, y_all, 10, alpha=0.1, seed=0, min_size=5)}
for name, cl in clients.items():
    print(f"{name:>8}: sizes {[len(c.y) for c in cl]}\n          share of class 1 "
          f"{[round(float(c.y.mean()), 2) for c in cl]}")
shares = np.array([c.y.mean() for c in clients["non-IID"]])
one_class = np.mean((shares < 0.1) | (shares > 0.9))
assert one_class >= 0.5                     # most clients: (almost) one class
assert max(abs(c.y.mean() - y_all.mean()) for c in clients["IID"]) < 0.15

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharey=True)
for ax, (name, cl) in zip(axes, clients.items()):
    ones = np.array([c.y.sum() for c in cl])
    zeros = np.array([len(c.y) for c in cl]) - ones
    ax.bar(np.arange(10), zeros, color=COLORS["blue"], label="class 0")
    ax.bar(np.arange(10), ones, bottom=zeros, color=COLORS["vermillion"], label="class 1")
    ax.set(xticks=np.arange(10), xlabel="client", title=f"{name} split")
axes[0].set_ylabel("examples")
axes[0].legend();

# %% [markdown]
# First the identity. With one local step, all clients, and weights by data size,
# FedAvg must reproduce gradient descent on the pooled data to round-off, on the
# skewed split too; the plain mean must not. (The same averaging is what
# synchronous data-parallel training does at every step: each worker takes the
# gradient on its shard, and the weighted average of the gradients is applied.
# Averaging the weights after one step of size $\eta$ from a common $w$ is
# averaging the gradients.)

# %%
# one round by hand: every client steps from w = 0 on its own data, the server averages
pooled = pool(clients["non-IID"])
w = np.zeros(3)
local = [w - 1.0 * models.logistic_grad(w, c.X, c.y) for c in clients["non-IID"]]
sizes = [len(c.y) for c in clients["non-IID"]]
one_gd_step = w - 1.0 * models.logistic_grad(w, pooled.X, pooled.y)
assert np.allclose(aggregate(local, sizes), one_gd_step, rtol=1e-12, atol=1e-15)

# thirty rounds with the library against thirty steps of gradient descent on the pooled data
w_gd = np.zeros(3)
for _ in range(30):
    w_gd = w_gd - 1.0 * models.logistic_grad(w_gd, pooled.X, pooled.y)
fed_one = fedavg(clients["non-IID"], np.zeros(3), rounds=30, local_steps=1, lr=1.0)
fed_plain = fedavg(clients["non-IID"], np.zeros(3), rounds=30, local_steps=1, lr=1.0, weighted=False)
print("pooled GD", w_gd.round(6), "\nFedAvg   ", fed_one.w.round(6), "\nplain mean", fed_plain.w.round(6))
assert np.allclose(fed_one.w, w_gd, rtol=1e-12, atol=1e-14)
assert np.linalg.norm(fed_plain.w - w_gd) > 0.1

# %% [markdown]
# ### More local steps: fewer rounds, but drift
#
# Communication is the expensive part: "in federated optimization communication
# costs dominate", McMahan et al. (2017) write in their introduction, with
# clients typically limited to "an upload bandwidth of 1 MB/s or less", while
# the computation on each device is nearly free by comparison. So
# we want few rounds, which suggests more local work per round. We measure the
# pooled loss above its minimum $L^\star$ (found by BFGS on the pooled data, with
# `scipy.optimize`) for $E = 1, 5, 20, 50$ local steps, $\eta = 0.5$, over 40 rounds.

# %%
opt = minimize(models.logistic_loss, np.zeros(3), args=(X_all, y_all), jac=models.logistic_grad,
               method="BFGS", options={"gtol": 1e-10})
w_star, loss_star = opt.x, opt.fun
local_steps = [1, 5, 20, 50]
runs = {(name, E): fedavg(cl, np.zeros(3), rounds=40, local_steps=E, lr=0.5)
        for name, cl in clients.items() for E in local_steps}
gap = {key: r.losses - loss_star for key, r in runs.items()}
for key, g in gap.items():
    print(f"{key[0]:>8}, E = {key[1]:2}: L - L* after 10 rounds {g[10]:.1e}, after 40 rounds {g[-1]:.1e}; "
          f"|w - w*| = {np.linalg.norm(runs[key].w - w_star):.3f}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 2, figsize=(11.5, 4), sharey=True)
step_colors = [COLORS[c] for c in ("sky_blue", "bluish_green", "orange", "reddish_purple")]
for ax, name in zip(axes, clients):
    for E, color in zip(local_steps, step_colors):
        i = local_steps.index(E)
        ax.semilogy(np.maximum(gap[name, E], 1e-12), color=color, linestyle=["-", "--", "-.", ":"][i],
                    marker="osD^"[i], markevery=(i, 4), markersize=5, label=f"E = {E} local step{'s' if E > 1 else ''}")
    ax.set(xlabel="communication round", title=f"{name} clients")
axes[0].set_ylabel("pooled loss above its minimum, $L - L^*$")
axes[1].legend(loc="upper right", fontsize=8)       # the non-IID curves level off low: room at the top right
fig.suptitle("FedAvg: more local steps converge in fewer rounds, but non-IID clients drift");

# %% [markdown]
# Why the two panels differ: compare each client's own minimizer (BFGS on its
# data alone) with the pooled one $w^\star$. A client whose classes a line
# separates has **no** minimizer: if $s_i\,x_i^\top v > 0$ for all its points
# ($s_i = \pm 1$ by class), every term of its logistic loss falls towards 0 as
# $w = t v$ grows with $t$, and 0 is never reached. A linear program
# (`scipy.optimize.linprog`) finds such a $v$ when one exists.

# %%
def separating_direction(c):
    """A v with s_i x_i.v >= 1 for every point of client c (s_i = 2 y_i - 1), or None if there is none."""
    s = 2 * c.y - 1
    lp = linprog(np.zeros(3), A_ub=-s[:, None] * c.X, b_ub=-np.ones(len(s)), bounds=[(None, None)] * 3)
    return lp.x if lp.status == 0 else None


separable = {name: [k for k, c in enumerate(cl) if separating_direction(c) is not None] for name, cl in clients.items()}
own_distance = {name: np.array([np.linalg.norm(minimize(models.logistic_loss, np.zeros(3), args=(c.X, c.y),
                                                        jac=models.logistic_grad, method="BFGS").x - w_star)
                                for k, c in enumerate(cl) if k not in separable[name]]) for name, cl in clients.items()}
print(f"|w*| = {np.linalg.norm(w_star):.2f}")
for name in clients:
    print(f"{name:>8}: separable clients (no minimizer) {separable[name]}; "
          f"the others' own minimizer lies at distance {own_distance[name].round(1)} from w*")
v = separating_direction(clients["non-IID"][0])
along_v = [models.logistic_loss(t * v, clients["non-IID"][0].X, clients["non-IID"][0].y) for t in (1, 2, 4, 8)]
print(f"non-IID client 0, loss at w = t v for t = 1, 2, 4, 8: {np.array(along_v).round(6)}")

# %% [markdown]
# - **IID** (left): more local work pays. After 10 rounds, 20 local steps leave
#   a loss gap more than a hundred times smaller than one step. Every client's
#   data look like the whole, so every client's own minimizer lies within about
#   2 of the pooled one (whose length is 3.1). On the non-IID split 8 of the 10
#   clients have no minimizer at all: their data are separable (the other two lie
#   up to 3.4 away).
# - **Non-IID** (right): more local steps help at first, then the curves for 20
#   and 50 steps level off above zero; by round 40 even 5 steps have overtaken 50.
# - The $E = 1$ curve is the same in both panels: with all clients, one local
#   step and data-size weights, FedAvg is gradient descent on the pooled data
#   whatever the split (the identity above).
# - **Why: client drift.** A client holding only class 1 pulls its weights towards
#   "everything is class 1". After many local steps each $w_k$ has moved far
#   towards its client's own minimizer or, where there is none, ever outwards;
#   their average is **not** the pooled minimum. With 50 local steps FedAvg
#   settles at a fixed point with a loss gap about fifty times larger than on IID
#   data with this split.
# - **How much depends on the split**: redrawn with other seeds, the factor
#   changes and the drift stays ([details notebook](10_beyond_gradient_descent_details.ipynb), section E).
# - **Even IID clients drift a little** (100 examples are not the whole data
#   set): 50 local steps end above 20 on the left, and dip below their final value
#   early on, passing closer to the pooled minimum on the way to their own fixed point.
# - **One local step** has no drift but needs many rounds.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert separable["IID"] == [] and own_distance["IID"].max() < 2.5      # IID: all within about 2 of w* ...
assert abs(np.linalg.norm(w_star) - 3.1) < 0.05                      # ... whose length is 3.1
assert len(separable["non-IID"]) == 8 and np.all(np.diff(along_v) < 0)   # 8 of 10: no minimizer
assert 2.5 < own_distance["non-IID"].max() < 4                        # the other two: up to 3.4
assert gap["IID", 20][10] < gap["IID", 1][10] / 100                   # IID: local work pays
drift_ratio = gap["non-IID", 50][-1] / gap["IID", 50][-1]
print(f"loss gap after 40 rounds with E = 50: non-IID / IID = {drift_ratio:.0f}")
assert 30 < drift_ratio < 80                                          # non-IID: drift
assert gap["IID", 50][-1] > gap["IID", 20][-1]                         # a little drift even for IID
assert gap["IID", 50][:20].min() < 0.7 * gap["IID", 50][-1]            # ... passing closer to w* on its way
assert gap["non-IID", 5][-1] < gap["non-IID", 50][-1] < gap["non-IID", 5][10]
assert np.linalg.norm(runs["non-IID", 50].ws[-1] - runs["non-IID", 50].ws[-10]) < 1e-3   # a fixed point
assert np.linalg.norm(runs["non-IID", 50].w - w_star) > 5 * np.linalg.norm(runs["IID", 50].w - w_star)
assert gap["non-IID", 1][-1] < gap["non-IID", 1][0] and gap["non-IID", 1][-1] > 0   # E = 1 still on its way
assert np.allclose(gap["IID", 1], gap["non-IID", 1], rtol=1e-8, atol=1e-12)     # E = 1: pooled GD, whatever the split

# %% [markdown]
# What drift looks like in weight space, each client pulling its own way from
# FedAvg's fixed point, is drawn in the [details notebook](10_beyond_gradient_descent_details.ipynb), section F.
#
# Real deployments also sample clients, only a fraction of them per round; on
# non-IID data with many local steps the accuracy then swings from round to
# round (section G there).
#
# *Further: remedies for drift.* A learning rate that decays over the rounds
# (Li, Huang, Yang, Wang and Zhang, 2020, *On the Convergence of FedAvg on
# Non-IID Data*, ICLR, show it is necessary for FedAvg with several local steps
# to reach the minimum on non-IID data); a proximal term that keeps $w_k$ near
# $w$ (FedProx: Li et al., 2020, *Federated Optimization in Heterogeneous
# Networks*, MLSys); control variates that correct each client's drift
# (SCAFFOLD: Karimireddy et al., 2020, ICML). The trade-off between
# communication and drift remains a central problem of federated optimization.

# %% [markdown]
# ## 8. Where to go next
#
# ### Automatic differentiation
#
# In this course we wrote every gradient by hand and checked it against finite
# differences. Real projects do not: **automatic differentiation** (autodiff)
# computes exact gradients of any program built from differentiable operations,
# in reverse mode at a cost of a small constant times one evaluation of the
# loss, however many parameters there are (Griewank and Walther 2008, cited in
# section 6), at the price of storing the evaluation's intermediate values.
# PyTorch (`loss.backward()`), JAX
# (`jax.grad`) and TensorFlow do this. The MLP backprop of chapter 09 is exactly
# what they automate.
#
# ### Our first-order optimizers follow `torch.optim`
#
# The first-order optimizers of `gdlearn.optim` (`sgd`, `adagrad`, `rmsprop`,
# `adam`, `adamw`) follow `torch.optim` on purpose: the same hyperparameter names
# and defaults as torch 2.13 (the [details notebook](10_beyond_gradient_descent_details.ipynb), section J, asserts it and
# torch's L-BFGS defaults below when PyTorch is installed) and, where the test files the summary
# lists check them, the same iterates. The rest of the table maps ideas, not signatures:
# the schedule and L-BFGS rows differ in names and defaults (torch's L-BFGS
# keeps `history_size=100` pairs and has no line search by default,
# `line_search_fn=None`, where ours keeps `m=10` and searches: chapter 08). The
# interface is not torch's but optax's: `opt.init(params)`,
# `opt.update(grads, state, params)`, `apply_updates`, `chain`.
#
# | this course (`gdlearn`) | PyTorch | JAX (optax) |
# | --- | --- | --- |
# | `sgd(lr)` | `torch.optim.SGD(params, lr)` | `optax.sgd(lr)` |
# | `sgd(lr, momentum=0.9)` | `SGD(..., momentum=0.9)` | `optax.sgd(lr, momentum=0.9)` |
# | `sgd(lr, momentum=0.9, nesterov=True)` | `SGD(..., nesterov=True)` | `optax.sgd(..., nesterov=True)` |
# | `adagrad(lr)` | `torch.optim.Adagrad` | `optax.adagrad` |
# | `rmsprop(lr)` | `torch.optim.RMSprop` | `optax.rmsprop` |
# | `adam(lr)` | `torch.optim.Adam` | `optax.adam` |
# | `adamw(lr, weight_decay=1e-2)` | `torch.optim.AdamW` | `optax.adamw` |
# | `clip_by_global_norm(m)` | `torch.nn.utils.clip_grad_norm_` | `optax.clip_by_global_norm` |
# | `schedules.cosine_schedule(lr, total_steps, min_lr)` | `lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)` | `optax.cosine_decay_schedule` |
# | `second_order.bfgs`, `second_order.lbfgs(m=10)` | `torch.optim.LBFGS(history_size=100)`: other defaults (chapter 08) | `optax.lbfgs` |
#
# (optax's defaults and ε placement differ slightly from torch's; chapter 06 shows
# why frameworks' numbers can differ.) One check to end with: our `adam` and
# `torch.optim.Adam`, 200 steps on Rosenbrock with the same numbers, in float64.
# When PyTorch is installed, the cell below runs `torch.optim.Adam`, asserts that
# its iterates equal those **stored in this notebook** (recorded once from that
# same loop, torch 2.13, CPU) and prints the largest difference from ours; when
# it is not (as on Binder), it compares ours with the stored ones.

# %%
from gdlearn.optim import adam
from gdlearn.surfaces import rosenbrock

TORCH_STEPS = [1, 2, 3, 50, 100, 200]
TORCH_REFERENCE = [  # recorded from the torch loop below (torch 2.13, float64): the iterates after TORCH_STEPS
    [-1.1500000000023192, 1.0499999999943181], [-1.102111023624808, 1.0980762212585684],
    [-1.0590684779884367, 1.1413537305608294], [-0.9985842631407017, 1.0010263411605043],
    [-0.907633009069284, 0.8290034093531102], [-0.6077687938925047, 0.3745609807292311],
]
ours = run(adam(lr=0.05), rosenbrock, [-1.2, 1.0], steps=200, tol=0).xs[TORCH_STEPS]
try:
    import torch
except ImportError:  # torch is optional: the course runs without it
    torch = None
if torch is not None:
    x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([x], lr=0.05)
    theirs = [x.detach().numpy().copy()]
    for _ in range(200):
        optimizer.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2     # autodiff: no gradient written
        loss.backward()
        optimizer.step()
        theirs.append(x.detach().numpy().copy())
    reference = np.array(theirs)[TORCH_STEPS]
    assert np.allclose(reference, TORCH_REFERENCE, rtol=1e-12, atol=1e-12)   # the stored numbers hold here too
    source = f"torch {torch.__version__}, computed just now"
else:
    reference, source = np.array(TORCH_REFERENCE), "stored reference values (PyTorch is not installed here)"
difference = np.max(np.abs(ours - reference))
print(f"PyTorch numbers from: {source}\nlargest difference at steps {TORCH_STEPS}: {difference:.1e}")
assert difference < 1e-12

# %% [markdown]
# The same iterates to round-off after 200 steps, and torch found the gradient by
# itself.
#
# ### Further reading
#
# - Gabriel Goh, *Why Momentum Really Works*, Distill (2017): chapter 05, with
#   interactive figures.
# - Jorge Nocedal and Stephen Wright, *Numerical Optimization*, 2nd ed., Springer
#   (2006): line searches, Newton, BFGS and L-BFGS and trust regions, rigorously,
#   and (chapter 9) derivative-free methods, Nelder–Mead among them.
# - Léon Bottou, Frank E. Curtis and Jorge Nocedal, *Optimization Methods for
#   Large-Scale Machine Learning*, SIAM Review (2018): SGD, noise, batch sizes and
#   second-order ideas for machine learning.
# - Diederik Kingma and Jimmy Ba, *Adam: A Method for Stochastic Optimization*,
#   ICLR (2015); Ilya Loshchilov and Frank Hutter, *Decoupled Weight Decay
#   Regularization* (AdamW), ICLR (2019).
# - Brendan McMahan et al., *Communication-Efficient Learning of Deep Networks from
#   Decentralized Data*, AISTATS (2017): federated averaging.
# - Beyond the plain methods of this chapter: CMA-ES, the 1/5th success rule, a
#   caution on Nelder–Mead and Bayesian optimization, with their references, in
#   the [details notebook](10_beyond_gradient_descent_details.ipynb), section H.
# - Tim Salimans et al., *Evolution Strategies as a Scalable Alternative to
#   Reinforcement Learning* (2017); John Nelder and Roger Mead, *A Simplex Method
#   for Function Minimization*, The Computer Journal (1965).
#
# ## The whole course in one table
#
# | # | chapter | the one idea to keep |
# | --- | --- | --- |
# | 00 | welcome | look at the slope, step downhill, repeat |
# | 01 | calculus | the gradient is the direction of steepest ascent; check it with finite differences |
# | 02 | gradient descent | $x \leftarrow x - \eta\nabla f(x)$; on a quadratic it converges exactly when $\eta < 2/L$, at a rate set by $\kappa = L/\mu$ |
# | 03 | linear regression | scale your features: the condition number is the speed limit |
# | 04 | stochastic and mini-batch | a mini-batch gradient is unbiased and noisy; decay the learning rate to beat the noise ball |
# | 05 | momentum | remembering the last step turns $\kappa$ into $\sqrt\kappa$ |
# | 06 | adaptive methods | a learning rate per coordinate: Adagrad, RMSprop, Adam, and AdamW's decoupled decay |
# | 07 | troubleshooting | read the loss curve: vanishing, exploding, stuck, overfitting |
# | 08 | second-order methods | curvature (Newton, BFGS, L-BFGS) buys fast convergence near a minimum, at a price per step |
# | 09 | capstone | everything together on a neural network, with a fair comparison |
# | 10 | beyond gradient descent | no gradient: search with values (costly in high dimension); no pooling: FedAvg, with client drift |

# %% [markdown]
# ## Summary
#
# - On a piecewise-constant loss such as the 0-1 loss, the gradient is zero
#   wherever it exists: gradient descent stops at its start, and even calls it
#   converged. Train on a smooth surrogate when you can.
# - **Random search** keeps the best of random tries (here, locally, better than
#   uniform draws on most seeds, but it can strand on a plateau). **Nelder–Mead**
#   tumbles a simplex downhill by comparing values; on a staircase the size of its
#   first simplex matters. An **evolution strategy** estimates the gradient of the
#   Gaussian-smoothed loss from antithetic pairs of evaluations and steps along it.
#   With seed 0 all three found a line with a 3.5 % error (the ES's best sample;
#   its mean ended at 4.5 %) where gradient descent stayed at 72.5 %; over seeds
#   0–39 local random search ended at 4 % or better in 38, the evolution
#   strategy's best point in only about half, its mean in fewer.
# - Count **function evaluations**. Without a gradient, the cost grows with the
#   dimension: on a bowl, from 2 to 16 dimensions, more than a hundredfold for
#   Nelder–Mead and several-fold for the evolution strategy with a fixed population
#   and its best step (the estimate's noise grows like $(d+1)/n$, so the
#   iterations grow affinely in $d$), while gradient
#   descent on the same bowl needs 10 steps in any dimension.
# - **Federated averaging** trains on data that stay on the clients. With one local
#   step, all clients and data-size weights it *is* gradient descent on the pooled
#   data (to round-off); the unweighted mean is not. More local steps save
#   rounds, but on non-IID data they **drift** to a wrong fixed point.
# - Autodiff frameworks compute the gradients for you; the optimizers you built
#   here (`gdlearn.optim`'s SGD, Adagrad, RMSprop, Adam, AdamW) follow
#   `torch.optim`'s names and defaults. This chapter checks Adam's
#   iterates against torch's, and chapter 06's
#   [details notebook](06_adaptive_details.ipynb), section H, the adaptive methods';
#   the other torch checks live in `tests/test_torch_parity*.py`, `tests/test_lbfgs_torch.py`
#   and `tests/test_torch_reference_09_10.py`.
#
# ## Exercises
#
# Open [`exercises/10_beyond_gradient_descent.ipynb`](../exercises/10_beyond_gradient_descent.ipynb):
# write random search, the server's weighted average of FedAvg, one Nelder–Mead
# iteration (reflect, expand, accept, contract or shrink), and the evolution-strategy gradient estimate. Each exercise
# has a `check(...)` cell that tells you at once whether your code is right.
#
# This was the last chapter. Thank you for working through the course.
