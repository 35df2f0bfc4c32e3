# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 08 — Second-order methods
#
# Gradient descent knows the slope and nothing else. It has to be *told* how far to
# step, and on a narrow valley (chapter 02) or a curved one (chapter 05) it pays for
# that ignorance with thousands of steps. The curvature, the second derivative, says
# how fast the slope changes, and so how far away the bottom is. **Newton's method**
# uses it: it fits the second-order Taylor model of chapter 01 at the current point
# and jumps to the model's minimum. Near a minimum where the Hessian is positive definite,
# this doubles the number of correct digits at every step. Far from one, on a non-convex surface, the same jump
# can land on a saddle point or a maximum, and we will repair that. Finally,
# the Hessian costs $d^2$ numbers and a solve costs $d^3$ operations, so for large
# problems we build an approximation from gradients alone: **BFGS** and **L-BFGS**, the
# methods behind `scipy.optimize.minimize` and `torch.optim.LBFGS`.
#
# You need chapter 01 (Taylor models, the Hessian and its eigenvalues) and chapter
# 02 (gradient descent, `run`). Chapters 05 and 06 (momentum, Adam) come back for the
# final comparison. Every number quoted in the text is computed and asserted by the
# notebook; longer checks and reference material are in the [details notebook](08_second_order_details.ipynb).
#
# ## What you will learn
#
# - the Newton step $H p = -g$, derived from the quadratic model, and why it minimizes any
#   strictly convex quadratic in **one step** (in exact arithmetic; in floating point, up to
#   an error that grows with the condition number);
# - **quadratic convergence**: near a minimum with a positive definite Hessian the digits
#   double at each step, measured on Rosenbrock;
# - how pure Newton walks to a saddle point or a maximum where the Hessian is not positive
#   definite, and the fix: **damped Newton** (a modified Hessian, **Armijo backtracking**);
# - what a Newton step costs: $O(d^2)$ memory, $O(d^3)$ time;
# - **BFGS**, which learns the inverse Hessian from gradients, the **Wolfe conditions** it
#   needs, superlinear convergence, and **L-BFGS**, which keeps only the last $m$ gradient
#   pairs (and what `torch.optim.LBFGS` does by default);
# - a comparison with `scipy.optimize.minimize` and with gradient descent, momentum and
#   Adam, in iterations and evaluations;
# - a **Newton vs gradient descent explorer** that plays both methods step by step with
#   Newton's quadratic model drawn on the contours.

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

from gdlearn import calculus, plotting, style
from gdlearn.optim import adam, sgd
from gdlearn.run import run
from gdlearn.second_order import (backtracking, bfgs, bfgs_update, lbfgs, modified_hessian, newton, two_loop,
                                   wolfe_line_search)
from gdlearn.surfaces import himmelblau, quadratic, rosenbrock, saddle

COLORS = style.PALETTE

# %% [markdown]
# ## 1. The Newton step: minimize the quadratic model
#
# Chapter 01 built the second-order Taylor model of $f$ around a point $x$: for a
# step $p$,
#
# $$f(x + p) \approx m(p) = f(x) + g^\top p + \tfrac12\, p^\top H p,
# \qquad g = \nabla f(x),\; H = \nabla^2 f(x).$$
#
# Gradient descent uses only the first two terms, a plane, which has no minimum: that is why it
# needs a learning rate. The model with curvature is a bowl (when $H$ is positive definite) and
# its bottom is where its gradient vanishes, $g + H p = 0$. So the **Newton step** is the
# solution of a linear system:
#
# $$\boxed{\;H\, p = -g, \qquad x_{\text{new}} = x + p\;}$$
#
# In one dimension it reads $x_{\text{new}} = x - f'(x)/f''(x)$: the slope divided by how fast
# the slope changes. Two details in the code. We **solve** the system (`np.linalg.solve`, a
# factorization) rather than forming the inverse $H^{-1}$, which costs about three times as many
# operations and in general leaves a larger residual (Higham 2002, *Accuracy and Stability of
# Numerical Algorithms*, section 14.1). And the **sign**: the step goes *against* the gradient,
# $p = -H^{-1} g$.

# %%
def newton_step(surface, x):
    """The step p that minimizes the quadratic model of surface at x: solve H p = -g."""
    return np.linalg.solve(surface.hess(x), -surface.grad(x))

# %% [markdown]
# `gdlearn.second_order.newton(surface, x0)` repeats this step until the gradient norm
# is below `tol` and records a `Trace` like `run` does (plus counts of function, gradient
# and Hessian evaluations).
#
# On a quadratic $f(x) = \tfrac12 x^\top A x$ the model *is* the function, so if $A$
# is positive definite (the quadratic is *strictly* convex) one step lands on the
# minimum, whatever the start and, in exact arithmetic, however badly conditioned $A$
# is. In floating point the step carries an error that grows with the condition
# number $\kappa$ (section B of the [details notebook](08_second_order_details.ipynb) measures it). (If $A$ is
# only positive semidefinite, as for $f = x_1^2$ in the plane, $A p = -g$ has no unique
# solution and `newton` stops with `singular_hessian`.) Gradient descent, at its best learning rate $2/(L+\mu)$, needs about
# $\tfrac{\kappa}{2} \ln(10^6)$ steps to shrink the distance a million-fold (chapter
# 02):

# %%
def gd_steps_to(surface, x0, eps=1e-6, budget=10_000):
    """Steps of gradient descent at lr = 2/(L + mu) until |x_k| <= eps |x_0| (minimum at 0)."""
    trace = run(sgd(lr=2 / (surface.L + surface.mu)), surface, x0, steps=budget, tol=0)   # tol=0: all steps
    distance = np.linalg.norm(trace.xs, axis=1)
    return int(np.argmax(distance <= eps * distance[0]))

one_step = {}
print(f"{'kappa':>7} {'Newton: |x_1 - x*|':>20} {'gradient descent: steps to 1e-6':>33}")
for kappa in [10, 100, 1000]:
    bowl = quadratic(kappa, angle=0.4)
    x1 = bowl.start + newton_step(bowl, bowl.start)
    one_step[kappa] = (np.linalg.norm(x1), gd_steps_to(bowl, bowl.start))
    print(f"{kappa:>7} {one_step[kappa][0]:>20.1e} {one_step[kappa][1]:>33}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for kappa, (newton_error, gd_steps) in one_step.items():
    assert newton_error < 1e-12                                       # one step, to round-off
    assert abs(gd_steps / (kappa / 2 * np.log(1e6)) - 1) < 0.15       # about kappa/2 ln(1e6) steps
flat_valley = (lambda x: x[0] ** 2, lambda x: np.array([2 * x[0], 0.0]), lambda x: np.diag([2.0, 0.0]))
assert newton(flat_valley, [1.0, 1.0]).status == "singular_hessian"     # convex, not strictly

# %% [markdown]
# One step against thousands. The figure shows the case $\kappa = 100$ with the
# first 10 steps of gradient descent, zig-zagging across the valley and barely down it.
# Its end (the diamond) happens to lie on Newton's segment: with $\text{lr} = 2/(L + \mu)$ both
# eigencomponents of $x_k - x^\star$ are multiplied by $\pm\rho$ per step, $\rho = (\kappa - 1)/(\kappa + 1)$,
# so after an even number of steps $x_{10} - x^\star = \rho^{10}(x_0 - x^\star)$, about $0.82\,(x_0 - x^\star)$:

# %%
bowl = quadratic(100, angle=0.4)
gd_bowl = run(sgd(lr=2 / (bowl.L + bowl.mu)), bowl, bowl.start, steps=10, tol=0)
newton_bowl = newton(bowl, bowl.start)
fig, ax = plt.subplots(figsize=style.FIGSIZE["single"])
plotting.plot_contours(bowl, ax=ax, title="A quadratic with $\\kappa$ = 100: one Newton step")
plotting.plot_path(gd_bowl, ax=ax, color=style.color_for("gd"), label="gradient descent, 10 steps", legend=False)
plotting.plot_path(newton_bowl, ax=ax, color=style.color_for("newton"), label="Newton, 1 step",
                   legend=False, linewidth=2.5)
ax.plot([], [], **{**style.START_STYLE, "markeredgecolor": "0.3"}, label="start of each path")
ax.plot([], [], **{**style.END_STYLE, "markerfacecolor": "0.6"}, label="end of each path")
ax.legend(loc="lower right", fontsize=8);

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert newton_bowl.steps == 1 and newton_bowl.status == "converged"
rho_bowl = (bowl.L - bowl.mu) / (bowl.L + bowl.mu)
assert np.allclose(gd_bowl.xs[-1] - bowl.minima[0], rho_bowl ** 10 * (bowl.start - bowl.minima[0]), atol=1e-10)
assert abs(rho_bowl ** 10 - 0.82) < 0.005

# %% [markdown]
# ## 2. Quadratic convergence: the digits double
#
# On a function that is not quadratic, the model is only right near $x$, so Newton
# needs several steps. But suppose the Hessian is positive definite at the minimum
# $x^\star$ and Lipschitz continuous near it ($\|\nabla^2 f(x) - \nabla^2 f(z)\| \le L_H \|x - z\|$,
# so the model's error is of third order, chapter 01). Then, from any start close
# enough to $x^\star$, the error $e_k = \|x_k - x^\star\|$ obeys (Nocedal & Wright 2006,
# Theorem 3.5)
#
# $$e_{k+1} \le C\, e_k^2 , \qquad \quad C \propto L_H \,\|\nabla^2 f(x^\star)^{-1}\| .$$
#
# In one dimension the reason fits in a line: Taylor's formula around $x_k$ gives
# $0 = f'(x^\star) = f'(x_k) + f''(x_k)(x^\star - x_k) + \tfrac12 f^{(3)}(\xi)(x^\star - x_k)^2$;
# divide by $f''(x_k)$ and use $x_{k+1} = x_k - f'(x_k)/f''(x_k)$ to get
# $x_{k+1} - x^\star = \frac{f^{(3)}(\xi)}{2 f''(x_k)}\,(x_k - x^\star)^2$.
#
# This is **quadratic convergence**: an error of $10^{-3}$ becomes about $10^{-6}$,
# then $10^{-12}$; the number of correct digits doubles at every step. Gradient
# descent converges *linearly*, $e_{k+1} \approx \rho\, e_k$: a fixed number of digits
# per step at best.
#
# The oldest example is Heron's square root: minimizing $f(x) = x^3/3 - 2x$ for $x > 0$
# gives $f' = x^2 - 2$, $f'' = 2x$ and the Newton step
# $x \leftarrow x - (x^2 - 2)/(2x)$, the Babylonian method for $\sqrt 2$:

# %%
x = 1.0
digits = []
for k in range(5):
    correct = -np.log10(abs(x - np.sqrt(2)))
    digits.append(correct)
    print(f"x_{k} = {x:.16f}   correct digits: {correct:5.1f}")
    x = x - (x**2 - 2) / (2 * x)
assert x == np.sqrt(2)                                     # exact to the last bit after 5 steps
assert np.allclose(digits[1:], [1.1, 2.6, 5.7, 11.8], atol=0.06)                      # as quoted
assert all(later > 1.9 * earlier for earlier, later in zip(digits[1:], digits[2:]))   # doubling

# %% [markdown]
# About 1.1, 2.6, 5.7 and 11.8 correct digits, roughly doubling, then (one more step, $x_5$) all of them. Now Rosenbrock's banana from its
# classic start $(-1.2, 1)$, with gradient descent (chapter 02's learning rate
# $10^{-3}$) and the heavy ball of chapter 05 for comparison:

# %%
x_star = np.array([1.0, 1.0])
pure = newton(rosenbrock, rosenbrock.start, tol=1e-12)
errors = np.linalg.norm(pure.xs - x_star, axis=1)
for k, e in enumerate(errors):
    print(f"step {k}: |x_k - x*| = {e:.2e}   f(x_k) = {pure.fs[k]:.2e}")
print(pure.message)
gd_ros = run(sgd(lr=1e-3), rosenbrock, rosenbrock.start, steps=2000, tol=0)
ball_ros = run(sgd(lr=1e-3, momentum=0.9), rosenbrock, rosenbrock.start, steps=2000, tol=0)
gd_errors = np.linalg.norm(gd_ros.xs - x_star, axis=1)
ball_errors = np.linalg.norm(ball_ros.xs - x_star, axis=1)

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
near = errors[(errors < 0.1) & (errors > 0)]
assert len(near) >= 3
assert np.all(near[1:] / near[:-1] ** 2 < 10)
assert -np.log10(near[-1]) > 1.8 * -np.log10(near[-2])
assert pure.status == "converged" and pure.steps == 7
assert pure.fs[1] < 5 and pure.fs[2] > 1000               # the second step sends f from 4.7 to 1,412
assert np.allclose(errors[4:7], [5.6e-2, 9.6e-6, 1.85e-11], rtol=0.05)
assert errors[1] > errors[0] and pure.fs[4] > pure.fs[3]   # error up at step 1, f up again at step 4
assert np.allclose([errors[3], pure.fs[3], pure.fs[4]], [0.48, 0.056, 0.31], rtol=0.02)
assert 0.5 < gd_errors[-1] < 0.6 and 1e-4 < ball_errors[-1] < 3e-4   # after 2,000 steps: 0.56 and 1.7e-4
assert np.allclose(pure.xs[3], [0.76, 0.58], atol=0.005) and np.allclose(gd_ros.x, [0.72, 0.52], atol=0.005)
assert np.linalg.norm(pure.xs[3] - gd_ros.x) < 0.08                    # Newton's x_3 on gradient descent's end
assert np.allclose(pure.xs[2], [0.76, -3.18], atol=0.005)                # the second step, far below the valley

# %% [markdown]
# The path is not monotone. The second step jumps far below the valley, to $(0.76, -3.18)$, and
# *raises* $f$ from 4.7 to 1,412 (the model is poor far from its centre); the fourth raises $f$
# again, from 0.056 to 0.31, while the error falls: pure Newton aims at a zero of the model's
# gradient, not at a lower $f$. Once the iterate is close, the error goes $5.6\cdot10^{-2} \to
# 9.6\cdot10^{-6} \to 1.9\cdot10^{-11} \to 0$. On a log scale:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
import dataclasses

fig, (ax, ax_err) = plt.subplots(1, 2, figsize=(9, 4.8), width_ratios=[1, 1.15])
tall_rosenbrock = dataclasses.replace(rosenbrock, domain=((-2.0, 2.0), (-3.6, 3.0)))   # room for Newton's x_2
plotting.plot_contours(tall_rosenbrock, ax=ax, title="Rosenbrock from $(-1.2, 1)$")
plotting.plot_path(gd_ros, ax=ax, color=style.color_for("gd"), label="gradient descent (wide, dashed)",
                   markers=False, legend=False, linewidth=3.5, linestyle="--")
plotting.plot_path(ball_ros, ax=ax, color=style.color_for("heavy_ball"), zorder=5,   # thin, on top of the wide one
                   label="heavy ball (thin, on top;\n$\\blacktriangle$ every 100 steps)", markers=False, legend=False,
                   linewidth=1.2, marker="^", markevery=100, markersize=5, markeredgecolor="black",
                   markeredgewidth=0.5)
newton_art = plotting.plot_path(pure, ax=ax, color=style.color_for("newton"), label="Newton", legend=False)
for artist in newton_art:                  # Newton's x_3 = (0.76, 0.58) above gradient descent's end diamond
    artist.set_zorder(6.5)                 # (the minimum's star, zorder 7, stays on top)
ax.plot([], [], **{**style.START_STYLE, "markeredgecolor": "0.3"}, label="start of each path")
ax.plot([], [], **{**style.END_STYLE, "markerfacecolor": "0.6"}, label="end of each path")
ax.annotate(f"Newton's $x_2$: f = {pure.fs[2]:,.0f}", xy=pure.xs[2], xytext=(-1.9, -3.2), fontsize=8,
            arrowprops=dict(arrowstyle="->", linewidth=0.8))
assert -3.6 < pure.xs[2][1] < -3 and abs(pure.xs[2][0]) < 1.5   # inside the frame
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7, ncol=2)
with np.errstate(divide="ignore"):
    ax_err.semilogy(gd_errors, color=style.color_for("gd"), linestyle="--", linewidth=2,
                    label="gradient descent, lr = 1e-3")
    ax_err.semilogy(ball_errors, color=style.color_for("heavy_ball"), marker="^", markevery=100, markersize=5,
                    markeredgecolor="black", markeredgewidth=0.5, label="heavy ball, β = 0.9")
    ax_err.semilogy(np.arange(len(errors)), np.where(errors > 0, errors, np.nan), "h-",
                    color=style.color_for("newton"), label="Newton")
ax_err.set_xscale("symlog", linthresh=10)
ax_err.set(xlim=(0, 2000), ylim=(1e-12, 20), xlabel="step $k$ (linear up to 10, then log scale)", ylabel=r"$\|x_k - x^*\|$",
           title="Error: Newton's plunge vs linear convergence")
ax_err.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2);

# %% [markdown]
# (Newton's last points are under the minimum's star; the right panel shows their errors.) Seven
# Newton steps reach the minimum to machine precision; after 2,000 steps gradient descent is
# still about 0.56 away and the heavy ball about $1.7 \cdot 10^{-4}$. Each Newton step costs
# more, a Hessian and a linear solve (section 5), but on small problems that is nothing.
#
# Why the condition number does not slow Newton down: its iterates do not depend on a
# linear change of coordinates (it is *affine invariant*), while gradient descent's do.
# The derivation and a check on a sheared Rosenbrock are in section C of the [details notebook](08_second_order_details.ipynb).

# %% [markdown]
# ## 3. When the Hessian is not positive definite
#
# The Newton step goes to the **stationary point** of the model, and a quadratic model
# has a unique minimum only when $H$ is positive definite. Where $H$ has a negative
# eigenvalue the model is a saddle (or, with all eigenvalues negative, a hill) and
# Newton walks towards *its* top or saddle point. Is the step at least downhill? The
# slope along $p$ is
#
# $$g^\top p = -\,g^\top H^{-1} g ,$$
#
# negative for every $g$ only when $H^{-1}$, hence $H$, is positive definite. With
# negative curvature $g^\top p$ can be positive: **the Newton direction points
# uphill**.
#
# The saddle $f(x, y) = x^2 - y^2$ is its own quadratic model. From any start, one Newton step
# lands exactly on the saddle point $(0, 0)$, where the gradient vanishes: by the gradient test
# alone, "converged". `newton` looks at the Hessian there and reports what it found:

# %%
to_saddle = newton(saddle, [-0.5, 1.0])
print(to_saddle.message)

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert to_saddle.status == "saddle" and to_saddle.steps == 1
assert np.array_equal(to_saddle.x, [0.0, 0.0])
assert to_saddle.fs[1] > to_saddle.fs[0]                  # the step went uphill: f from -0.75 to 0
g0, p0 = saddle.grad(np.array([-0.5, 1.0])), newton_step(saddle, np.array([-0.5, 1.0]))
assert g0 @ p0 > 0                                        # not a descent direction

# %% [markdown]
# Himmelblau's function (chapter 02) has four minima, four saddle points and a local
# maximum near $(-0.27, -0.92)$. Start Newton at $(-0.5, -0.5)$, where the Hessian
# is negative definite:

# %%
x0 = np.array([-0.5, -0.5])
H0 = himmelblau.hess(x0)
print("Hessian eigenvalues at x0:", np.linalg.eigvalsh(H0))
print("slope of f along the Newton direction: g·p =", himmelblau.grad(x0) @ newton_step(himmelblau, x0))
to_max = newton(himmelblau, x0)
print(to_max.message)

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.linalg.eigvalsh(H0) < 0)
assert to_max.status == "maximum"
assert np.allclose(to_max.x, [-0.270845, -0.923039], atol=1e-5)   # the published local maximum
assert np.all(np.diff(to_max.fs) >= 0)                   # every step went uphill, to f = 181.6
assert to_max.steps == 4 and abs(to_max.f - 181.6) < 0.05

# %% [markdown]
# Pure Newton climbed to the maximum in four steps, converging there just as fast as
# it would to a minimum: the method cannot tell them apart. The dashed lines below are
# the contours of the quadratic model at $x_0$ (`calculus.taylor` from chapter 01):
# closed ellipses around a *peak*, and the Newton step goes to that peak.
#
# How often does this happen? From a grid of 225 starts over the plot, pure Newton
# ends at a minimum only about half the time:

# %%
grid = np.linspace(-4.5, 4.5, 15)
starts = np.array([[a, b] for b in grid for a in grid])
pure_runs = [newton(himmelblau, s) for s in starts]
pure_end = np.array([r.status for r in pure_runs])
shares = {k: float(np.mean(pure_end == k)) for k in ("converged", "saddle", "maximum")}
print("pure Newton from 225 starts:", {k: f"{v:.0%}" for k, v in shares.items()})
assert 0.4 < shares["converged"] < 0.7 and shares["saddle"] > 0.25 and shares["maximum"] > 0.03

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
model0 = calculus.taylor(himmelblau.f, himmelblau.grad, himmelblau.hess, x0)
X, Y = np.meshgrid(np.linspace(-2.5, 1.5, 120), np.linspace(-2.5, 1.5, 120))
fig, (ax, ax_map) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"])
plotting.plot_contours(himmelblau, ax=ax, title="Pure Newton climbs to the maximum")
ax.contour(X, Y, model0(np.stack([X, Y])), levels=np.linspace(150, 178, 5), colors=COLORS["vermillion"],
           linestyles="--", linewidths=1)
plotting.plot_path(to_max, ax=ax, color=style.color_for("newton"), label="pure Newton ($x_2$ to $x_4$ under the end)",
                   legend=False)
assert np.all(np.linalg.norm(to_max.xs[2:] - to_max.x, axis=1) < 0.07)   # within the end marker at this scale
ax.plot([], [], "--", color=COLORS["vermillion"], label="quadratic model at $x_0$ (a peak)")
ax.plot([], [], **{**style.START_STYLE, "markeredgecolor": "black"}, label="start $x_0$")
ax.plot([], [], **{**style.END_STYLE, "markerfacecolor": "black"}, label="end: the maximum")
ax.set(xlim=(-2.5, 1.5), ylim=(-2.5, 1.5))
handles = [h for h in ax.get_legend_handles_labels()[0] if h.get_label() != "minima"]   # none in this window
ax.legend(handles=handles, loc="upper left", fontsize=8)

outcome_colors = {"converged": COLORS["bluish_green"], "saddle": COLORS["orange"], "maximum": COLORS["vermillion"]}
outcome_markers = {"converged": "o", "saddle": "s", "maximum": "^"}      # a marker of its own, not only a colour
plotting.plot_contours(himmelblau, ax=ax_map, title="Where pure Newton ends, by start")
for status, color in outcome_colors.items():
    chosen = pure_end == status
    label = {"converged": "a minimum (circle)", "saddle": "a saddle point (square)",
             "maximum": "the maximum (triangle)"}[status]
    ax_map.scatter(starts[chosen, 0], starts[chosen, 1], s=22, color=color, marker=outcome_markers[status],
                   edgecolor="black", linewidth=0.4, zorder=5, label=f"{label} ({np.mean(chosen):.0%})")
saddle_points = np.unique(np.round([r.x for r in pure_runs if r.status == "saddle"], 6), axis=0)
assert len(saddle_points) == 4                                  # Himmelblau's four saddle points, all reached
for point in saddle_points:                                     # a stationary point, Hessian of mixed signs
    eig = np.linalg.eigvalsh(himmelblau.hess(point))
    assert np.linalg.norm(himmelblau.grad(point)) < 1e-4 and eig[0] < 0 < eig[1]
maximum_point = to_max.x
ax_map.plot(saddle_points[:, 0], saddle_points[:, 1], "X", color=COLORS["orange"], markeredgecolor="black",
            markersize=12, markeredgewidth=1.2, zorder=8, linestyle="none", label="the saddle points")
ax_map.plot(*maximum_point, "P", color=COLORS["vermillion"], markeredgecolor="black", markersize=12,
            markeredgewidth=1.2, zorder=8, linestyle="none", label="the maximum")
print("saddle points reached:", saddle_points.round(3).tolist())
ax_map.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8);

# %% [markdown]
# On the map, the crosses are Himmelblau's four saddle points, each reached from some of the
# starts (each with a Hessian of one negative and one positive eigenvalue), and the plus is the
# maximum: the orange squares are starts that end on a cross, the vermillion (red-orange)
# triangles starts that end on the plus, the green circles starts that end at one of the four
# minima. (Where the Hessian is singular, `newton` stops with a message instead of dividing by
# zero: section E of the [details notebook](08_second_order_details.ipynb).)

# %% [markdown]
# ## 4. Damped Newton: a modified Hessian and a line search
#
# Two repairs make Newton go downhill at every step.
#
# **Make the Hessian positive definite.** Replace $H$ by $H + \tau I$ with $\tau \ge 0$
# large enough: adding $\tau$ to every eigenvalue lifts the negative ones above zero.
# `gdlearn.second_order.modified_hessian` follows Nocedal & Wright (Algorithm 3.3): try a
# Cholesky factorization of $H + \tau I$, which succeeds exactly when the matrix is positive
# definite, and double $\tau$ until it does (with one change, given in section D of the [details
# notebook](08_second_order_details.ipynb)). Where $H$ is already positive definite, $\tau = 0$
# and the step is Newton's. Otherwise $\tau$ must exceed $|\lambda_{\min}|$, and $p = -(H + \tau
# I)^{-1} g$ is then a descent direction (section 3's argument, with $H + \tau I$ positive
# definite). At Himmelblau's $(-0.5, -0.5)$ from section 3, $\lambda_{\min} = -41.9$ and
# `modified_hessian` picks $\tau = 82.1$, about twice what is needed: its first trial shift,
# 41.04, falls just short of 41.9, and doubling it gives 82.1. Whenever the first trial fails,
# doubling overshoots the smallest working shift by less than a factor of 2 (when the first
# trial succeeds, near a zero eigenvalue, that trial itself can be far larger than needed). How the step changes with $\tau$, from a long step
# along the negative-curvature direction to a short gradient step, and how trust-region methods
# and Levenberg–Marquardt choose $\tau$, is in section D of the [details
# notebook](08_second_order_details.ipynb).
#
# **Do not trust the full step blindly.** Try $\alpha = 1$, and while the step does not
# decrease $f$ *enough*, halve it. "Enough" is the **Armijo condition**, a fraction
# $c_1$ (typically $10^{-4}$) of the decrease the tangent line promises:
#
# $$f(x + \alpha p) \le f(x) + c_1\, \alpha\, g^\top p .$$
#
# Since $g^\top p < 0$, a small enough $\alpha$ always passes. This is **backtracking**
# (Algorithm 3.1 of Nocedal & Wright), the same `backtracking` that chapter 02's section 9 ran
# with gradient descent on Rosenbrock; here its direction is the Newton step, and the whole
# method is **damped Newton**. Here is the line search on pure Newton's second step on
# Rosenbrock, the one that sent $f$ from 4.7 to 1,412: a descent direction, but far too long
# once the banana bends.

# %%
x = pure.xs[1]
g = rosenbrock.grad(x)
p = newton_step(rosenbrock, x)
search = backtracking(rosenbrock.f, x, rosenbrock.f(x), g, p)        # c1 = 1e-4, halving
print(f"g·p = {g @ p:.2f}; accepted alpha = {search.alpha} after {search.n_f} trials, "
      f"f: {rosenbrock.f(x):.3f} -> {search.f:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert g @ p < 0 and search.success and search.alpha == 0.125 and search.n_f == 4
assert abs(rosenbrock.f(x) - 4.73) < 0.005 and abs(search.f - 4.09) < 0.005             # 4.73 -> 4.09
lam_h = np.linalg.eigvalsh(himmelblau.hess(np.array([-0.5, -0.5])))[0]
tau_h = modified_hessian(himmelblau.hess(np.array([-0.5, -0.5])))[1]
H_h = himmelblau.hess(np.array([-0.5, -0.5]))
first_trial = 1e-3 * max(1, np.abs(H_h).max()) - H_h.diagonal().min()   # N&W Alg. 3.3's first shift, scaled beta
assert abs(first_trial - 41.04) < 0.005 and first_trial < -lam_h and np.isclose(tau_h, 2 * first_trial)
assert abs(lam_h + 41.9) < 0.05 and abs(tau_h - 82.1) < 0.05 and -lam_h < tau_h < -2 * lam_h   # under 2x
assert search.f <= rosenbrock.f(x) + 1e-4 * search.alpha * (g @ p)          # Armijo holds
for alpha in [1.0, 0.5, 0.25]:                                               # the longer trials fail it
    assert rosenbrock.f(x + alpha * p) > rosenbrock.f(x) + 1e-4 * alpha * (g @ p)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
alphas = np.linspace(0, 1.02, 400)
phi = rosenbrock.f(x[:, None] + alphas * p[:, None])
fig, ax = plt.subplots(figsize=(6.5, 3.6))
top = 9.0
ax.plot(alphas, phi, color="black", label=r"$f(x + \alpha p)$")
ax.plot(alphas, rosenbrock.f(x) + alphas * (g @ p), ":", color=COLORS["blue"], label="tangent line")
ax.plot(alphas, rosenbrock.f(x) + 1e-4 * alphas * (g @ p), "--", color=COLORS["vermillion"],
        label="Armijo line, $c_1 = 10^{-4}$")
for alpha in [1.0, 0.5, 0.25]:
    value = rosenbrock.f(x + alpha * p)
    ax.plot([alpha], [min(value, top - 0.3)], "x", color=COLORS["vermillion"], markersize=10, mew=2)
    if value > top:
        ax.annotate(f"f = {value:,.0f}", (alpha, top - 0.3), xytext=(0, -16), textcoords="offset points",
                    ha="center", fontsize=8, color=COLORS["vermillion"])
ax.plot([], [], "x", color=COLORS["vermillion"], mew=2, label="rejected trials")
ax.plot([search.alpha], [search.f], "o", color=COLORS["bluish_green"], markersize=9, markeredgecolor="black",
        label=f"accepted: $\\alpha$ = {search.alpha}")
ax.set(xlabel=r"step length $\alpha$", ylabel="$f$", ylim=(3.0, top),
       title="Backtracking along pure Newton's second step on Rosenbrock")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(0.35, 0.5));   # the empty middle, off the lines

# %% [markdown]
# Three halvings, and $f$ drops from 4.73 to 4.09 instead of jumping to 1,412. (With $c_1 =
# 10^{-4}$ the Armijo line is almost horizontal: nearly any decrease is enough.) Now damped
# Newton on Himmelblau, from the start where pure Newton climbed to the maximum, and then from
# all 225 starts:

# %%
damped = newton(himmelblau, x0, damped=True)
print(damped.message)
print("step lengths:", damped.step_sizes)
print("Hessian modified at the first", sum("added" in n for n in damped.notes), "steps")

damped_end = np.array([newton(himmelblau, s, damped=True).status for s in starts])
print(f"damped Newton from 225 starts: {np.mean(damped_end == 'converged'):.0%} at a minimum")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert damped.status == "converged"
assert np.linalg.norm(himmelblau.minima - damped.x, axis=1).min() < 1e-8
assert np.all(np.diff(damped.fs) < 0)                    # downhill at every step
assert np.all(damped.step_sizes[-5:] == 1.0) and damped.step_sizes[-6] < 1   # the last five: full Newton steps
assert all(f"step {k}:" not in " ".join(damped.notes) for k in range(6, damped.steps))   # Hessian left alone
assert np.all(damped_end == "converged")
rosenbrock_pure, rosenbrock_damped = newton(rosenbrock, rosenbrock.start), newton(rosenbrock, rosenbrock.start, damped=True)
assert rosenbrock_pure.steps == 6 and 15 <= rosenbrock_damped.steps <= 25
on_stable_line = newton(saddle, [1.0, 0.0], damped=True)     # x^2 - y^2, started on its attracting line
assert on_stable_line.status == "saddle"                    # descent guarantees a stationary point, not a minimum

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=style.FIGSIZE["single"])
plotting.plot_contours(himmelblau, ax=ax, title="From the same start: pure vs damped Newton")
damped_art = plotting.plot_path(damped, ax=ax, color=COLORS["bluish_green"], legend=False,
                                label="damped Newton: downhill to a minimum", linestyle="--", marker="s", markersize=4)
pure_art = plotting.plot_path(to_max, ax=ax, color=style.color_for("newton"), label="pure Newton: to the maximum",
                              legend=False, linewidth=2.5, zorder=7)          # on top of the markers, drawn last
for art in (damped_art, pure_art):                                            # small markers: the short path shows
    art[1].set(markersize=6, markeredgecolor="0.3")                          # start: the same grey as the legend
    art[2].set(markersize=5)
ax.plot([], [], **{**style.START_STYLE, "markersize": 6, "markeredgecolor": "0.3"}, label="start $x_0$ (shared)")
zoom = ax.inset_axes([0.40, 0.66, 0.30, 0.30])                                # pure Newton's short path, enlarged
Xz, Yz = np.meshgrid(np.linspace(-0.8, 0.0, 80), np.linspace(-1.2, -0.3, 80))
zoom.contour(Xz, Yz, himmelblau.f(np.stack([Xz, Yz])), levels=12, colors="0.5", linewidths=0.5)
plotting.plot_path(damped, ax=zoom, color=COLORS["bluish_green"], legend=False, linestyle="--", marker="s",
                   markersize=4)
zoom_pure = plotting.plot_path(to_max, ax=zoom, color=style.color_for("newton"), legend=False, linewidth=2, zorder=7)
zoom_pure[1].set(markeredgecolor="0.3")
zoom.set(xlim=(-0.8, 0.0), ylim=(-1.2, -0.3), xticks=[], yticks=[])
zoom.text(0.97, 0.03, "zoom near $x_0$", transform=zoom.transAxes, ha="right", va="bottom", fontsize=7,
          bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))   # not under the path leaving the top
ax.indicate_inset_zoom(zoom, edgecolor="0.2")
ax.plot([], [], **{**style.END_STYLE, "markerfacecolor": "0.6"}, label="end of each path")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, ncol=2)
nearest_min = himmelblau.minima[np.argmin(np.linalg.norm(himmelblau.minima - damped.x, axis=1))]
assert damped.steps == 11 and np.allclose(nearest_min, [-2.805, 3.131], atol=1e-3) and damped.xs[:, 1].max() > 3.5

# %% [markdown]
# From $x_0$ pure Newton takes its short path up to the maximum (inset); damped Newton
# goes downhill instead, in 11 steps, overshooting above $y = 3.5$ before it settles at
# the minimum $(-2.81, 3.13)$.
#
# Every one of these starts now ends at a minimum. That is what happened on this grid, not a
# guarantee: the convergence theorem for this method (N&W Theorem 3.8) promises only a
# stationary point, under hypotheses listed in section F of the [details
# notebook](08_second_order_details.ipynb); and from a start on the saddle $x^2 - y^2$'s
# attracting line, $(1, 0)$, damped Newton stops at the saddle (that $f$, unbounded below, is
# outside the theorem's hypotheses, but it shows what a descent method alone can do). Near a minimum the line search
# accepts $\alpha = 1$ and the Hessian is left alone, so the last steps are pure Newton steps
# with their quadratic convergence. Damped Newton is not always faster: on Rosenbrock it refuses
# pure Newton's wild second step and takes about 20 steps to pure Newton's 6 (to the default
# `tol`, $\|\nabla f\| \le 10^{-8}$; section 2's seventh step was for `tol=1e-12`).
#
# ## 5. What a Newton step costs
#
# For $d$ parameters the Hessian has $d^2$ entries. Solving $Hp = -g$ by Gaussian
# elimination (an LU factorization) costs about $d^3/3$ multiplications, plus $O(d^2)$ for
# the back substitution (Golub & Van Loan 2013, section 3.2; the count is derived in section G
# of the [details notebook](08_second_order_details.ipynb)). Doubling $d$ multiplies the work by $\approx 8$. In float64, 8 bytes per entry:

# %%
def in_bytes(n):
    """A byte count in the largest unit that keeps it at least 1."""
    for unit, size in [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)]:
        if n >= size:
            return f"{n / size:,.0f} {unit}"
    return f"{n:.0f} bytes"

for d, what in [(2, "our surfaces"), (1_000, "a small model"), (100_000, "a small neural network"),
                (10_000_000, "a modest neural network")]:
    print(f"d = {d:>10,} ({what:>23}): Hessian {in_bytes(8 * d**2):>10}, "
          f"solve ~{d**3 / 3:.0e} multiplications")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert in_bytes(8 * 1_000**2) == "8 MB"
assert in_bytes(8 * 100_000**2) == "80 GB"
assert in_bytes(8 * 10_000_000**2) == "800 TB"
assert 3e20 < 1e7 ** 3 / 3 < 3.5e20                              # multiplications of one dense solve at d = 1e7

# %% [markdown]
# Eight megabytes for a thousand parameters, 80 GB for a hundred thousand, 800 TB for
# ten million, and $3\times10^{20}$ multiplications per dense solve at $d = 10^7$. (We
# count operations: a measured time depends on the machine and its load, and on a small
# matrix it is dominated by overheads, not by the $d^3$ arithmetic.)
#
# A gradient costs a small constant times what evaluating $f$ costs, whatever $d$
# (the cheap-gradient principle of reverse-mode differentiation, Griewank & Walther 2008;
# backpropagation, chapter 09).
# That is why deep learning lives on first-order methods, and why the next idea
# matters: get the curvature from gradients.
#
# A cheap middle way keeps only the **diagonal**: $x - D^{-1} g$ with $D$ the diagonal
# of $H$ is gradient descent with a learning rate $1/H_{ii}$ per coordinate, a
# *diagonal preconditioner*; on the quadratic $\mathrm{diag}(1, 100)$ it is exactly
# Newton's step. Adagrad, RMSprop and Adam (chapter 06) also scale each coordinate
# separately, but by the root of a running sum (Adagrad) or an exponential moving
# average (RMSprop, Adam) of squared gradients, not by curvature.
#
# ## 6. BFGS: the inverse Hessian from gradients
#
# **Notation.** From here on we follow Nocedal & Wright (2006, chapter 6): the true
# Hessian is written $\nabla^2 f$ (it was $H$ in sections 1 to 5), $B_k$ is an
# *approximation of the Hessian* and $H_k = B_k^{-1}$ an *approximation of its inverse*.
#
# After a step $s_k = x_{k+1} - x_k$ the gradient changed by $y_k = \nabla f(x_{k+1}) - \nabla
# f(x_k)$. For a quadratic, $y_k = A s_k$ exactly; in general $y_k \approx \nabla^2 f\, s_k$ for
# short steps (Taylor, chapter 01): **the change of the gradient measures the curvature along
# the step**. A quasi-Newton method keeps a matrix $B_k$, or directly its inverse $H_k$, steps
# along $p_k = -B_k^{-1} \nabla f(x_k) = -H_k \nabla f(x_k)$ with a line search, and then
# corrects the matrix so that it reproduces what it just measured, the **secant condition**
#
# $$B_{k+1}\, s_k = y_k, \qquad\text{equivalently}\qquad H_{k+1}\, y_k = s_k .$$
#
# The secant condition is one vector equation, $d$ scalar equations, while a symmetric $d \times
# d$ matrix has $d(d+1)/2$ unknowns: for $d \ge 2$ it does not determine the matrix. BFGS
# (Broyden, Fletcher, Goldfarb, Shanno, 1970) picks, among the symmetric matrices that satisfy
# it, the one closest to $H_k$ in a weighted Frobenius norm $\|W^{1/2}(H - H_k)W^{1/2}\|_F$,
# with any weight $W$ that maps $s_k$ to $y_k$ (N&W eqs. 6.16 and 6.17; N&W choose this weight
# because it makes the norm non-dimensional, so the answer does not depend on the units of the
# problem). The solution is
#
# $$H_{k+1} = (I - \rho_k s_k y_k^\top)\, H_k\, (I - \rho_k y_k s_k^\top) + \rho_k s_k s_k^\top,
# \qquad \rho_k = \frac{1}{y_k^\top s_k}.$$
#
# Read it from the right: the bracket products remove what $H_k$ said along $y_k$, and the last
# term puts in the measured answer, $H_{k+1} y_k = s_k$ (multiply out to check). It costs
# $O(d^2)$ per step, no Hessian and no solve. If $H_k$ is positive definite and $y_k^\top s_k >
# 0$ (positive curvature along the step), $H_{k+1}$ is positive definite too (N&W, section 6.1);
# if $y_k^\top s_k \le 0$, no symmetric positive definite matrix satisfies the secant condition,
# and `bfgs` has to skip the update. The next subsection shows how the line search prevents
# that.
#
# Each requirement has a reason. Symmetry, because a Hessian is symmetric; positive
# definiteness, because then $p_k = -H_k \nabla f(x_k)$ is a descent direction (section 3);
# the secant condition, because it is the one piece of curvature just measured; and
# "closest to $H_k$", so that the update keeps what the earlier steps taught and changes
# the matrix only as much as the new pair demands. (On a strictly convex quadratic with exact
# line searches it even learns the whole inverse Hessian in $d$ steps, if no gradient vanishes
# before step $d$: section I of the
# [details notebook](08_second_order_details.ipynb).) One update on numbers, checked:

# %%
H_old = np.array([[1.0, 0.2], [0.2, 0.5]])
s_new, y_new = np.array([0.3, -0.1]), np.array([0.8, 0.1])        # y^T s = 0.23 > 0
rho_new = 1.0 / (y_new @ s_new)
V_new = np.eye(2) - rho_new * np.outer(y_new, s_new)
H_new = V_new.T @ H_old @ V_new + rho_new * np.outer(s_new, s_new)
print("H_new y =", H_new @ y_new, " s =", s_new, " eigenvalues of H_new:", np.linalg.eigvalsh(H_new))
assert np.allclose(H_new @ y_new, s_new) and np.allclose(H_new, H_new.T)
assert np.linalg.eigvalsh(H_new).min() > 0

# %% [markdown]
# ### The Wolfe conditions: a line search for BFGS
#
# On Rosenbrock, with the Armijo backtracking of section 4 as its line search,
# `bfgs(..., line_search="armijo")` converges, but look at $y_k^\top s_k$ along the way,
# computed from the iterates it visited:

# %%
def curvature_pairs(trace, surface=rosenbrock):
    """y_k . s_k for every step of a trace, recomputed from its iterates."""
    s = np.diff(trace.xs, axis=0)
    y = np.diff([surface.grad(x) for x in trace.xs], axis=0)
    return np.sum(s * y, axis=1)

armijo_only = bfgs(rosenbrock, rosenbrock.start, line_search="armijo")
sy_armijo = curvature_pairs(armijo_only)
skipped = [note for note in armijo_only.notes if "skipped" in note]
print(armijo_only.message)
print("steps with y·s <= 0:", np.flatnonzero(sy_armijo <= 0), "|", *skipped, sep="\n  ")
assert list(np.flatnonzero(sy_armijo <= 0)) == [6, 7] and len(skipped) == 2

# %% [markdown]
# At steps 6 and 7 the step went downhill, as Armijo demands, but the slope along
# it got *steeper* instead of flatter, so $y_k^\top s_k < 0$ and the update had to be
# skipped: two steps' worth of curvature information thrown away. Backtracking only
# shortens steps, and nothing in the Armijo condition forbids a step that stops while
# the function is still falling steeply.
#
# The **Wolfe conditions** (Nocedal & Wright 2006, section 3.1, eq. 3.6) add a
# second requirement. With $\phi(\alpha) = f(x_k + \alpha p_k)$, so that
# $\phi'(\alpha) = \nabla f(x_k + \alpha p_k)^\top p_k$, and constants $0 < c_1 < c_2 < 1$:
#
# $$\phi(\alpha) \le \phi(0) + c_1\, \alpha\, \phi'(0) \quad\text{(3.6a, sufficient decrease, Armijo's)},
# \qquad \phi'(\alpha) \ge c_2\, \phi'(0) \quad\text{(3.6b, curvature)}.$$
#
# The curvature condition asks the slope at the new point to be no steeper than
# $c_2$ times the slope at the start (it may be flatter, or positive). The **strong** Wolfe conditions
# (eq. 3.7) replace 3.6b by $|\phi'(\alpha)| \leq c_2\, |\phi'(0)|$, which also rules out
# steps that overshoot to where the slope is steeply positive. For quasi-Newton methods
# N&W recommend $c_1 = 10^{-4}$, $c_2 = 0.9$. Why this fixes BFGS, in one line: with
# $s_k = \alpha p_k$,
#
# $$y_k^\top s_k = \alpha\,\big(\phi'(\alpha) - \phi'(0)\big) \ge \alpha\,(c_2 - 1)\,\phi'(0) > 0,$$
#
# since $c_2 < 1$ and $\phi'(0) < 0$. Such steps exist whenever $f$ is smooth and
# bounded below along the ray (N&W, Lemma 3.1). Here is the slice along step 6 of the
# Armijo run:

# %%
k6 = 6
x6 = armijo_only.xs[k6]
p6 = (armijo_only.xs[k6 + 1] - x6) / armijo_only.step_sizes[k6]       # the search direction of step 6
f6, g6 = rosenbrock.f(x6), rosenbrock.grad(x6)
c1, c2 = 1e-4, 0.9
wolfe6 = wolfe_line_search(rosenbrock.f, rosenbrock.grad, x6, f6, g6, p6, c1=c1, c2=c2)
dphi_armijo = rosenbrock.grad(x6 + p6) @ p6
print(f"phi'(0) = {g6 @ p6:.3f}; Armijo accepted alpha = 1, where phi'(1) = {dphi_armijo:.3f} (steeper)")
print(f"strong Wolfe search: alpha = {wolfe6.alpha}, phi'(alpha) = {wolfe6.g @ p6:.3f}, "
      f"{wolfe6.n_f} evaluations of f and {wolfe6.n_grad} of the gradient")
alphas_w = np.linspace(0, 6, 601)                                      # the slice, for the figure
phi_w = np.array([rosenbrock.f(x6 + a * p6) for a in alphas_w])
dphi_w = np.array([rosenbrock.grad(x6 + a * p6) @ p6 for a in alphas_w])

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
armijo_ok = phi_w <= f6 + c1 * alphas_w * (g6 @ p6)
curvature_ok = np.abs(dphi_w) <= c2 * abs(g6 @ p6)
assert armijo_only.step_sizes[k6] == 1.0 and dphi_armijo < g6 @ p6 < 0        # the slope got steeper
early = alphas_w <= 1
flattest, dphi_flat = alphas_w[early][np.argmax(dphi_w[early])], dphi_w[early].max()   # first it flattens a little
back = alphas_w[(alphas_w > flattest) & (dphi_w < g6 @ p6)][0]                      # steeper than at 0 from here
steep_end = alphas_w[(alphas_w > back) & (dphi_w >= g6 @ p6)][0]                   # flatter than at 0 again here
print(f"phi' is flattest at alpha = {flattest:.2f} ({dphi_flat:.4f}), steeper than phi'(0) from alpha = {back:.2f}"
      f" to {steep_end:.2f}")
assert 3.7 < steep_end < 4.0 and np.all(dphi_w[(alphas_w >= back) & (alphas_w < steep_end)] < g6 @ p6)
assert 0.15 < flattest < 0.35 and 0 < dphi_flat - g6 @ p6 < 0.03 * abs(g6 @ p6)
assert 0.4 < back < 0.6 and np.all(np.diff(dphi_w[(alphas_w >= 0.6) & (alphas_w <= 2)]) < 0)
assert wolfe6.success and wolfe6.alpha == 4.0 and wolfe6.n_f == wolfe6.n_grad == 3   # 1, 2, 4
assert wolfe6.f <= f6 + c1 * wolfe6.alpha * (g6 @ p6)                          # 3.7a
assert abs(rosenbrock.grad(x6 + wolfe6.alpha * p6) @ p6) <= c2 * abs(g6 @ p6)  # 3.7b
assert (rosenbrock.grad(x6 + wolfe6.alpha * p6) - g6) @ (wolfe6.alpha * p6) > 0  # y·s > 0
assert np.all(armijo_ok[alphas_w <= 4.0]) and not np.any(curvature_ok[(alphas_w > 0) & (alphas_w <= 3.0)])

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_d) = plt.subplots(2, 1, figsize=(7.5, 5.6), sharex=True, height_ratios=[1.4, 1])
ax.plot(alphas_w, phi_w, color="black", label=r"$\phi(\alpha) = f(x_6 + \alpha p_6)$")
ax.plot(alphas_w, f6 + c1 * alphas_w * (g6 @ p6), "--", color=COLORS["vermillion"],
        label=r"Armijo line, $c_1 = 10^{-4}$ (3.7a holds below it)")
ax.plot([1.0], [rosenbrock.f(x6 + p6)], "X", color=COLORS["vermillion"], markersize=10,
        label=r"Armijo backtracking: $\alpha = 1$")
ax.plot([wolfe6.alpha], [wolfe6.f], "o", color=COLORS["bluish_green"], markeredgecolor="black", markersize=9,
        label=f"strong Wolfe search: $\\alpha$ = {wolfe6.alpha:g}")
ax.set(ylabel=r"$\phi(\alpha)$", title="The Armijo-only BFGS run's step 6, from $(-1.2, 1)$: Rosenbrock along its direction")
ax.legend(fontsize=8, loc="lower left")
ax_d.plot(alphas_w, dphi_w, color="black", label=r"slope $\phi'(\alpha)$")
ax_d.axhspan(-c2 * abs(g6 @ p6), c2 * abs(g6 @ p6), color=COLORS["sky_blue"], alpha=0.35,
             label=r"$|\phi'(\alpha)| \leq c_2 |\phi'(0)|$, $c_2 = 0.9$ (3.7b)")
ax_d.axhline(g6 @ p6, color=COLORS["blue"], linestyle=":", label=r"$\phi'(0)$")
ax_d.plot([1.0], [dphi_armijo], "X", color=COLORS["vermillion"], markersize=10)
ax_d.plot([wolfe6.alpha], [wolfe6.g @ p6], "o", color=COLORS["bluish_green"], markeredgecolor="black", markersize=9)
ax_d.set(xlabel=r"step length $\alpha$", ylabel=r"$\phi'(\alpha)$")
ax_d.legend(fontsize=8, loc="upper left");

# %% [markdown]
# Along this direction $f$ keeps falling for a long way. Its slope first flattens a little (by
# under 3 %, up to $\alpha \approx 0.25$), then steepens again, and from $\alpha \approx 0.5$ to
# about 3.9 it is steeper than at the start (bottom panel): at $\alpha = 1$, where backtracking
# stopped because the Armijo condition already held, the slope is steeper than at $\alpha = 0$,
# which is exactly $y^\top s < 0$. The strong curvature condition holds only where the slope is
# at most $c_2 = 0.9$ times as steep as at the start, inside the blue band.
#
# `gdlearn.second_order.wolfe_line_search` enforces both strong Wolfe conditions
# (N&W's Algorithm 3.5: it doubles $\alpha$ from 1 until an acceptable step is bracketed,
# then zooms in; section H of the [details notebook](08_second_order_details.ipynb) has the steps). Here it doubled
# twice, $1 \to 2 \to 4$: three trials, each with $f$ and its gradient. `bfgs` and `lbfgs`
# use it by default (`line_search="wolfe"`). From the four classic starts of Rosenbrock:

# %%
four_starts = {}
for x0 in [(-1.2, 1.0), (2.0, -2.0), (-2.0, 2.0), (0.0, 0.0)]:
    by_armijo, by_wolfe = bfgs(rosenbrock, x0, line_search="armijo"), bfgs(rosenbrock, x0)
    four_starts[x0] = by_wolfe
    print(f"{str(x0):>12}: Armijo {by_armijo.steps} steps, {sum('skipped' in n for n in by_armijo.notes)} "
          f"skipped | Wolfe {by_wolfe.steps} steps, {sum('skipped' in n for n in by_wolfe.notes)} skipped, "
          f"min y·s = {curvature_pairs(by_wolfe).min():.1e}")

quasi = bfgs(rosenbrock, rosenbrock.start)
print(quasi.message, f"| f evaluations: {quasi.n_f}, gradients: {quasi.n_grad}, Hessians: {quasi.n_hess}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for by_wolfe in four_starts.values():
    assert by_wolfe.status == "converged" and np.all(curvature_pairs(by_wolfe) > 0)
    assert not any("skipped" in note for note in by_wolfe.notes)
assert quasi.status == "converged" and quasi.n_hess == 0
assert np.allclose(quasi.x, x_star, atol=1e-6)
assert pure.steps < quasi.steps < 50

# %% [markdown]
# No update skipped, $y_k^\top s_k > 0$ at every step. BFGS needs more steps than Newton but evaluates no Hessian.
#
# How fast does it converge at the end? Newton's error ratio $e_{k+1}/e_k$ goes to 0 like $e_k$
# itself; gradient descent's tends to a constant $\rho < 1$ (linear). BFGS is in between:
# **superlinear**, $e_{k+1}/e_k \to 0$, under assumptions (a Lipschitz Hessian, positive
# definite at the minimum, iterates converging fast enough): N&W, Theorem 6.6, through the
# Dennis–Moré characterization (Theorem 3.7). The ratios need not fall monotonically; the claim
# is about their limit. Measured, to a tighter tolerance so that there are more of them:

# %%
tight = bfgs(rosenbrock, rosenbrock.start, tol=1e-12)
e = np.linalg.norm(tight.xs - x_star, axis=1)
e = e[e > 0]
ratios = e[1:] / e[:-1]
print("BFGS, last ratios e_{k+1}/e_k:", ratios[-8:].round(4))
print("BFGS, last four errors:", ", ".join(f"{v:.1e}" for v in e[-4:]),
      "| last three ratios:", ", ".join(f"{v:.1e}" for v in ratios[-3:]))
lam_min = np.linalg.eigvalsh(rosenbrock.hess(x_star))[0]
gd_limit = 1 - 1e-3 * lam_min                                     # gradient descent's: 1 - lr * lambda_min
print(f"gradient descent (lr = 1e-3): ratio -> 1 - lr*lambda_min = {gd_limit:.4f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.allclose(e[-4:-1], [2.6e-6, 2.8e-10, 2.0e-13], rtol=0.05)          # as quoted below
assert np.allclose(ratios[-3:-1], [1.1e-4, 7.1e-4], rtol=0.05) and 0.67 < ratios[-8] < 0.69
assert ratios[-1] < 0.05 and ratios[-2:].max() < 0.05                  # far below any fixed linear rate here
assert ratios[-3:].max() < 0.5 * ratios[-9:-3].max()                   # the tail's largest ratio falls
assert ratios[-3:].max() < 0.01 and ratios[-9:-3].max() > 0.5 and e[-1] < 1e-15
assert ratios[-2] > ratios[-3] and ratios[-1] > ratios[-2]              # the last three are not monotone falling
assert np.sum(ratios > 1) == 2 and 0.04 < ratios[:-3].min() < 0.06
assert abs(lam_min - 0.39936) < 1e-5 and abs(gd_limit - 0.9996) < 1e-5
assert 0.85 < ratios[:25].min() and ratios[:25].max() < 1.05 and np.sum(ratios[:25] > 1) == 2   # the first 25
assert abs(e[0] - 2.2) < 0.05 and abs(e[25] - 0.78) < 0.01 and gd_limit ** 25 > 0.99          # 2.2 -> 0.78, vs 1 %
assert np.allclose(ratios[-3:], [1.1e-4, 7.1e-4, 2.5e-3], rtol=0.05)                         # rising again

# %% [markdown]
# The last three ratios are below 0.01, against 0.68 a few steps earlier, though they rise
# again over those three steps (1.1e-4, 7.1e-4, 2.5e-3): the theorem is about the limit, and the last error, under $10^{-15}$, is at
# the rounding level of numbers near 1, so that last ratio says more about rounding than
# about BFGS.
#
# Gradient descent's ratio, on the same problem, tends to a constant: $1 - \eta\lambda_{\min} =
# 0.9996$, with $\lambda_{\min} = 0.39936$ the smaller eigenvalue of the Hessian at $x^\star$
# (linear convergence; section J of the [details notebook](08_second_order_details.ipynb) derives
# it and follows the ratio over 20,000 steps). The two second-order methods, step by step:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
newton_ratios = errors[1:][errors[1:] > 0] / errors[:-1][errors[1:] > 0]
fig, ax_z = plt.subplots(figsize=(7, 4.2))
for rs, color, ls, marker, label in [(ratios, style.PALETTE["bluish_green"], "--", "s", "BFGS"),
                                     (newton_ratios, style.PALETTE["black"], "-", "h", "Newton")]:
    ax_z.plot(np.arange(1, len(rs) + 1), rs, color=color, linestyle=ls, marker=marker, markersize=5, label=label)
ax_z.axhline(gd_limit, color=style.PALETTE["blue"], linewidth=1.2, linestyle="-.", zorder=0,
             label=f"gradient descent's limit, {gd_limit:.4f}")
ax_z.set(yscale="log", xlabel="step $k$ + 1", ylabel="$e_{k+1}/e_k$ (log scale)",
         title="Error ratios on Rosenbrock from $(-1.2, 1)$")
ax_z.legend(fontsize=8, loc="lower center")
assert newton_ratios[-1] < 1e-5 and ratios[-1] < 0.05

# %% [markdown]
# BFGS's ratios stay between 0.85 and 1.05 for the first 25 steps (above 1 at two of them):
# on this log axis they look like gradient descent's 0.9996, but together they cut the error
# by a factor of about 3 (from 2.2 to 0.78), where 25 steps at 0.9996 would cut 1 %. They
# fall to about 0.05 over the next dozen, then below 0.01 for the last three steps (rising
# again over those three); Newton's last ratio is below $10^{-5}$, because $e_{k+1}/e_k
# \approx C e_k$ shrinks with the error itself.
#
# ## 7. L-BFGS: only the last $m$ pairs
#
# For $d$ = ten million even $H_k$ does not fit in memory. But $H_k$ is $H_0$ plus a sequence of
# updates made from the pairs $(s_i, y_i)$, and the product $H_k g$ can be computed from the
# pairs directly, by the **two-loop recursion**, in $O(md)$ time and memory for $m$ pairs. Why
# it works: one update is $H \leftarrow V^\top H V + \rho\, s s^\top$ with $V = I - \rho\, y
# s^\top$, and $V q = q - \rho (s^\top q)\, y$ needs only a dot product, so unrolling the $m$
# updates applied to $g$ gives a first loop (the $V$s, newest first), a multiplication by $H_0$,
# and a second loop (the $V^\top$s and the $\rho\, s s^\top$ terms, oldest first), without ever
# forming the matrix. **L-BFGS** keeps only the last $m$ pairs ("between 3 and 20, say", Nocedal
# & Wright 2006, §7.2) and starts each product from $H_0 = \gamma I$ with $\gamma = s^\top y /
# y^\top y$ from the newest pair. Here is the recursion (Nocedal & Wright 2006, Algorithm 7.4),
# with $\rho_i = 1/(y_i^\top s_i)$; each pair costs two dot products and two vector updates:

# %%
def two_loop_recursion(g, S, Y, h0):
    """H_k g from the pairs S[i], Y[i] (oldest first) and H_0 = h0 * I."""
    rhos = [1.0 / (y @ s) for s, y in zip(S, Y)]
    q, alphas = g.copy(), []
    for s, y, rho in zip(reversed(S), reversed(Y), reversed(rhos)):   # newest to oldest
        alpha = rho * (s @ q)
        q = q - alpha * y
        alphas.append(alpha)
    r = h0 * q                                                        # H_0 q
    for s, y, rho, alpha in zip(S, Y, rhos, reversed(alphas)):         # oldest to newest
        beta = rho * (y @ r)
        r = r + (alpha - beta) * s
    return r

rng_pairs = np.random.default_rng(1)
S_random = [rng_pairs.normal(size=6) for _ in range(4)]
Y_random = [s + 0.3 * rng_pairs.normal(size=6) for s in S_random]
assert all(y @ s > 0 for s, y in zip(S_random, Y_random))          # valid pairs
g_random = rng_pairs.normal(size=6)
assert np.allclose(two_loop_recursion(g_random, S_random, Y_random, 0.7),
                   two_loop(g_random, S_random, Y_random, h0=0.7), rtol=1e-12)
print("two_loop_recursion == gdlearn's two_loop on a random example")

# %% [markdown]
# How many pairs are enough? L-BFGS on Rosenbrock, then on Rosenbrock chained through $d = 100$ variables:

# %%
print(f"{'m':>3} {'steps':>6} {'f evals':>8}")
memory_runs = {m: lbfgs(rosenbrock, rosenbrock.start, m=m) for m in [1, 3, 5, 10, 20]}
for m, trace in memory_runs.items():
    print(f"{m:>3} {trace.steps:>6} {trace.n_f:>8}")


def chained_rosenbrock(x):
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 and its gradient: Rosenbrock in d dimensions."""
    d = x[1:] - x[:-1] ** 2
    grad = np.zeros_like(x)
    grad[:-1] += -400 * x[:-1] * d - 2 * (1 - x[:-1])
    grad[1:] += 200 * d
    return float(np.sum(100 * d ** 2 + (1 - x[:-1]) ** 2)), grad

x0_100 = np.tile([-1.2, 1.0], 50)                                 # d = 100
memory_100 = {m: lbfgs((lambda x: chained_rosenbrock(x)[0], lambda x: chained_rosenbrock(x)[1]), x0_100, m=m,
                       max_iter=3000) for m in [1, 3, 10, 20]}
print("d = 100, steps for m = 1, 3, 10, 20:", [t.steps for t in memory_100.values()])

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for m, trace in memory_runs.items():
    assert trace.status == "converged" and np.allclose(trace.x, x_star, atol=1e-6)
assert memory_runs[1].steps > 1.15 * memory_runs[5].steps and memory_runs[1].n_f > 2 * memory_runs[5].n_f
assert memory_runs[1].n_f / memory_runs[1].steps > 1.5 * memory_runs[5].n_f / memory_runs[5].steps   # trials per step
steps_3_to_20 = [memory_runs[m].steps for m in [3, 5, 10, 20]]
assert max(steps_3_to_20) < 1.2 * min(steps_3_to_20)                # m = 3 does about as well as m = 20
probe = x0_100 + 0.1
fd = np.array([(chained_rosenbrock(probe + 1e-6 * e)[0] - chained_rosenbrock(probe - 1e-6 * e)[0]) / 2e-6
               for e in np.eye(100)])
assert np.allclose(fd, chained_rosenbrock(probe)[1], rtol=1e-6, atol=1e-4)      # gradient vs finite differences
assert all(t.status == "converged" and np.allclose(t.x, 1.0, atol=1e-6) for t in memory_100.values())
steps_100 = [t.steps for t in memory_100.values()]
assert steps_100 == sorted(steps_100, reverse=True) and steps_100[0] > 1.4 * steps_100[-1]   # more pairs, fewer steps
assert np.allclose([memory_100[m].steps for m in (1, 3, 20)], [870, 600, 530], atol=10)   # as quoted

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
for ax, runs, title in [(axes[0], memory_runs, "Rosenbrock, $d = 2$"),
                        (axes[1], memory_100, "chained Rosenbrock, $d = 100$")]:
    ms = list(runs)
    ax.plot(ms, [runs[m].steps for m in ms], "o-", color=COLORS["blue"], label="steps")
    ax.plot(ms, [runs[m].n_f for m in ms], "s--", color=COLORS["vermillion"], label="$f$ evaluations")
    ax.set(xscale="log", xticks=ms, xticklabels=[str(m) for m in ms], ylim=(0, None),
           xlabel="pairs kept $m$ (log scale)", ylabel="count", title=f"L-BFGS on {title}")
    ax.legend(fontsize=8, loc="upper right")
axes[1].set_ylabel("");

# %% [markdown]
# On this 2-D problem, in this table, three pairs did about as well as twenty (but three pairs
# already exceed $d = 2$, so this says little about memory); with a single pair L-BFGS needs
# more steps and more than twice as many function evaluations (its line search needs more
# trials per step). Where $d \gg m$, memory can pay in steps too, as on one problem here:
# Rosenbrock chained through $d = 100$ variables, $\sum_i 100(x_{i+1} - x_i^2)^2 + (1 - x_i)^2$,
# from $(-1.2, 1, -1.2, 1, \dots)$, L-BFGS took about 870 steps with $m = 1$, 600 with $m = 3$
# and 530 with $m = 20$: more pairs, fewer steps, with diminishing returns.
#
# The libraries are the same family, not the same method:
#
# - `torch.optim.LBFGS` (torch 2.13) runs the two-loop recursion with $H^0 = \gamma I$ as
#   here, but by default keeps `history_size=100` pairs and has **no line search**
#   (`line_search_fn=None`: the fixed step $\text{lr}\cdot d$ along the direction $d$,
#   `lr = 1` by default). Because one `.step` runs many iterations, each needing a fresh loss
#   and gradient (several per iteration with a line search), it takes a **closure**, a function that clears the gradients, recomputes the loss,
#   calls `backward()` and returns the loss; one call of `.step(closure)` is a whole run of
#   iterations. `line_search_fn="strong_wolfe"` gives it the same strong Wolfe conditions and
#   constants as ours ($c_1 = 10^{-4}$, $c_2 = 0.9$), found by a different search. Section A
#   of the [details notebook](08_second_order_details.ipynb) runs it on Rosenbrock from
#   $(-1.2, 1)$ with 10 pairs like ours (`history_size=10`): with that setting it takes about
#   as many iterations as ours, without a line search more than twice as many. So
#   `line_search_fn="strong_wolfe"` is a sensible setting to pass explicitly: its steps are
#   checked, and on that run it saved more than half the iterations. It costs extra
#   closure calls per iteration, which matters when each call draws a fresh mini-batch (the
#   search then compares losses of different batches).
# - scipy's `L-BFGS-B` (Byrd, Lu, Nocedal & Zhu 1995) handles bounds on the variables.
#   It uses the *compact* representation of the same limited-memory BFGS matrix
#   (N&W, section 7.2) instead of the two-loop recursion; without bounds its steps follow
#   the limited-memory BFGS direction with a strong-Wolfe line search.
#
# ## 8. Against `scipy.optimize.minimize`
#
# `scipy.optimize.minimize` is what you would use in practice. Its BFGS and L-BFGS-B also search
# for steps that satisfy the strong Wolfe conditions, with a more refined algorithm (Moré &
# Thuente 1994) than our doubling and quadratic-or-bisection zoom, and their stopping tests
# differ a little from ours (section A of the [details
# notebook](08_second_order_details.ipynb)). Both scipy methods get `gtol=1e-8` on the
# gradient's largest component, and L-BFGS-B also `ftol=0`, which switches off its
# relative-reduction test: the gradient decides. In iterations and evaluations we should be
# close. Four classic starts; we compare counts, not times (section 5 says why).

# %%
from scipy.optimize import minimize, rosen, rosen_der

classic = [(-1.2, 1.0), (2.0, -2.0), (-2.0, 2.0), (0.0, 0.0)]
rows = []
for x0 in classic:
    ours_b = bfgs(rosenbrock, x0)
    ref_b = minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-8})
    ours_l = lbfgs(rosenbrock, x0)
    ref_l = minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B", options={"gtol": 1e-8, "ftol": 0})
    rows.append((x0, "BFGS", ours_b, ref_b))
    rows.append((x0, "L-BFGS", ours_l, ref_l))

print(f"{'start':>12} {'method':>7} | {'ours: it':>8} {'f ev':>5} {'g ev':>5} "
      f"| {'scipy: it':>9} {'f ev':>5} | {'|x - x*|':>8}")
for x0, name, ours, ref in rows:
    print(f"{str(x0):>12} {name:>7} | {ours.steps:>8} {ours.n_f:>5} {ours.n_grad:>5} "
          f"| {ref.nit:>9} {ref.nfev:>5} | {np.abs(ours.x - 1).max():>8.0e}")
ratio_it = [ours.steps / ref.nit for _, _, ours, ref in rows]
ratio_f = [ours.n_f / ref.nfev for _, _, ours, ref in rows]
print(f"ours / scipy: iterations {min(ratio_it):.2f} to {max(ratio_it):.2f}, "
      f"f evaluations {min(ratio_f):.2f} to {max(ratio_f):.2f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for x0, name, ours, ref in rows:
    assert ours.status == "converged" and np.abs(ours.x - 1).max() < 1e-6
    assert np.abs(ref.x - 1).max() < 1e-6
    assert np.abs(rosen_der(ref.x)).max() <= 1e-8           # scipy stopped on its gradient test
    assert ours.steps <= 1.5 * ref.nit                    # within half again of scipy in iterations
    assert ours.n_f <= 1.5 * ref.nfev                     # and in f evaluations
default_method = minimize(rosen, classic[0], jac=rosen_der, options={"gtol": 1e-8})   # no method given
assert default_method.nit == rows[0][3].nit and np.array_equal(default_method.x, rows[0][3].x)   # it is BFGS
assert np.allclose([min(ratio_it), max(ratio_it), min(ratio_f), max(ratio_f)], [0.89, 1.30, 0.84, 1.43], atol=0.01)

# %% [markdown]
# Same accuracy, and similar counts: ours take 0.89 to 1.30 times scipy's iterations and 0.84
# to 1.43 times its function evaluations. The two line searches choose different steps,
# and on Rosenbrock's curved valley a different step early on changes the whole path,
# so neither implementation wins everywhere.
#
# ## 9. Against the first-order methods
#
# Finally the question the course has been circling: how do gradient descent, the heavy ball
# (chapter 05) and Adam (chapter 06) compare with the second-order methods on Rosenbrock from
# $(-1.2, 1)$? Every method gets the same goal, a gradient norm of at most $10^{-8}$, and a
# budget of 20,000 steps. Gradient descent and the heavy ball use the learning rate of chapter
# 05, Adam a rate of 0.05 (a sweep after the race shows how its step count depends on the rate;
# chapter 06 is about tuning it).

# %%
tol, budget = 1e-8, 20_000
first_order = {"gd": sgd(lr=1e-3), "heavy_ball": sgd(lr=1e-3, momentum=0.9), "adam": adam(lr=0.05)}
second_order = {"newton": lambda: newton(rosenbrock, rosenbrock.start, tol=tol),
                "damped_newton": lambda: newton(rosenbrock, rosenbrock.start, damped=True, tol=tol),
                "bfgs": lambda: bfgs(rosenbrock, rosenbrock.start, tol=tol),
                "lbfgs": lambda: lbfgs(rosenbrock, rosenbrock.start, tol=tol)}
race = {name: run(opt, rosenbrock, rosenbrock.start, steps=budget, tol=tol) for name, opt in first_order.items()}
race.update({name: method() for name, method in second_order.items()})

print(f"{'method':>14} {'status':>10} {'steps':>6} {'gradients':>9} {'Hessians':>8} {'|x - x*|':>9}")
for name, trace in race.items():
    print(f"{name:>14} {trace.status:>10} {trace.steps:>6} {trace.steps + 1 if name in first_order else trace.n_grad:>9} "
          f"{getattr(trace, 'n_hess', 0):>8} {np.linalg.norm(trace.x - x_star):>9.1e}")

adam_sweep = {lr: run(adam(lr=lr), rosenbrock, rosenbrock.start, steps=budget, tol=tol)
              for lr in [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5]}
print("Adam, steps to |grad| <= 1e-8:", {lr: t.steps if t.status == "converged" else "not in budget"
                                         for lr, t in adam_sweep.items()})
best_adam = min(t.steps for t in adam_sweep.values() if t.status == "converged")
slowest_second = max(race[name].steps for name in second_order)
print(f"best Adam in the sweep: {best_adam} steps, {best_adam / slowest_second:.0f} times the slowest second-order method")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert race["gd"].status == "max_steps"                               # not there after 20,000 steps
assert race["heavy_ball"].status == "converged" and race["adam"].status == "converged"
for name in second_order:
    assert race[name].status == "converged" and np.linalg.norm(race[name].x - x_star) < 1e-6
fastest_first = min(race["heavy_ball"].steps, race["adam"].steps)
assert max(race[name].steps for name in second_order) * 50 < fastest_first   # 50 times fewer steps
assert race["newton"].steps * 300 < fastest_first                         # several hundred for pure Newton
assert adam_sweep[0.5].status == "max_steps" and best_adam < race["adam"].steps
assert best_adam > 20 * slowest_second and 30 < best_adam / slowest_second < 34      # 32 on this machine

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax_k = plt.subplots(figsize=(7.5, 4.4))
names = {"gd": "gradient descent", "heavy_ball": "heavy ball", "adam": "Adam", "newton": "Newton",
         "damped_newton": "damped Newton", "bfgs": "BFGS", "lbfgs": "L-BFGS"}
P = style.PALETTE                       # seven series, seven distinct colours, each with its own line style
looks = {"gd": (P["blue"], "-", None), "heavy_ball": (P["orange"], "--", None),
         "adam": (P["reddish_purple"], "-.", None), "newton": (P["black"], "-", "h"),
         "damped_newton": (P["vermillion"], "--", "D"), "bfgs": (P["bluish_green"], "-", "s"),
         "lbfgs": (P["sky_blue"], ":", "v")}
for name, trace in race.items():
    errors_k = np.linalg.norm(trace.xs - x_star, axis=1)
    errors_k = np.where(errors_k > 0, errors_k, np.nan)
    color, ls, marker = looks[name]
    kw = dict(color=color, linestyle=ls, label=names[name], linewidth=2 if marker is None else 1.3)
    if marker:
        kw.update(marker=marker, markersize=4.5, markevery=1 if name == "newton" else 3,
                  markerfacecolor="white" if name == "lbfgs" else color)
    ax_k.plot(np.arange(1, len(errors_k) + 1), errors_k, **kw)
ax_k.set(xscale="log", yscale="log", xlabel="step $k$ + 1 (log scale)", ylabel=r"$\|x_k - x^*\|$",
         title="Rosenbrock from $(-1.2, 1)$: error against steps")
ax_k.legend(fontsize=7, loc="lower left");

# %% [markdown]
# In steps the second-order methods win by a factor of 50 or more against the heavy ball and
# Adam at rate 0.05, more than 20 against the best Adam of this learning-rate grid (32 in this
# run), and several hundred for pure Newton. A step of theirs costs more (a line search, an
# update or a 2×2 solve), so steps are not time, and at $d = 10^7$ a *dense* Newton solve is out
# of reach (section 5) while Adam's step costs a few vector operations. A Newton step need not
# be dense, though: **truncated Newton** (Newton-CG, N&W section 7.1) solves $Hp = -g$
# approximately by conjugate gradients, which only needs Hessian-vector products, each for a few
# times the cost of a gradient in $O(d)$ memory (Pearlmutter 1994); "Hessian-free" optimization
# applies this to neural networks (Martens 2010). With noisy mini-batch gradients (chapter 04)
# the curvature pairs of BFGS are noisy too. In practice, quasi-Newton and Newton-type methods
# are the usual choice for smooth, deterministic problems of small and medium size (given no
# `method`, bounds or constraints, scipy's `minimize` picks BFGS, section 8), while deep
# learning is trained with first-order methods. Examples and **further reading** (trust regions,
# Gauss–Newton, SR1, the natural gradient, K-FAC, Shampoo) are in section K of the [details
# notebook](08_second_order_details.ipynb).
#
# ## 10. Your turn: Newton vs gradient descent, step by step
#
# Press **Play** or drag the **step k** slider: both methods advance one step at a time. The
# black path is Newton, the blue one gradient descent; the dashed vermillion (red-orange) lines
# are the contours of Newton's **quadratic model** at its current point, and the vermillion plus
# is the model's stationary point, where pure Newton jumps next. The right panel shows both
# errors $f(x_k) - f^\star$ on a log scale, floored at $10^{-16}$. On the quadratic the plus
# *is* the minimum, hidden under its star from step 0; the static picture shows Rosenbrock at
# step 2, where it is not (Newton's $x_2$, at $y \approx -3.2$, is below the frame). Pick the
# surface, move the start, tick **damped Newton**, and change gradient descent's learning rate.

# %%
from gdlearn.widgets.newton import newton_explorer

explorer = newton_explorer()
explorer

# %% [markdown]
# Things to try:
#
# 1. **Quadratic**: one Newton step, whatever the start: the model of a quadratic is
#    the quadratic itself (its dashed contours are ellipses with the same centre and
#    shape as the function's), so its minimum is the function's.
# 2. **Rosenbrock**: step through pure Newton. At step 2 the iterate has left the
#    valley and the error jumps up; three steps later it is at $10^{-11}$ in $f$.
# 3. **Himmelblau** (it starts at $(0, 0)$): the model's contours are ellipses around a
#    *peak*, and pure Newton climbs to the maximum. Tick *damped Newton*.
# 4. **Himmelblau**: move the start to find regions where pure Newton ends on one of the
#    four saddle points (the status line says when the model is a saddle).
# 5. Raise gradient descent's learning rate until it diverges, on each surface.
#
# The explorer reports what it computed:

# %%
explorer.update(surface="himmelblau", step=10)
print(explorer.status_text)
assert explorer.newton_trace.status == "maximum"              # pure Newton from (0, 0)
explorer.update(damped=True)
assert explorer.newton_trace.status == "converged"
explorer.update(surface="quadratic (κ = 20)", damped=False, step=0)
assert explorer.newton_trace.steps == 1
explorer.update(surface="rosenbrock", step=2)   # the picture above: Rosenbrock, first two steps
assert np.linalg.norm(explorer.model_center - np.array([1.0, 1.0])) > 0.3   # the plus is visible

# %% [markdown]
# ## Summary
#
# Here $\nabla^2 f$ is the Hessian, and $H_k$ always BFGS's approximation of its inverse.
#
# - Newton's method minimizes the second-order Taylor model at each step: **solve**
#   $\nabla^2 f(x)\, p = -g$ and step to $x + p$. On a strictly convex quadratic that is the minimum,
#   in one step, whatever the condition number $\kappa$ in exact arithmetic; in floating
#   point the step misses by up to about $\kappa\,\varepsilon$ relative (section B of the
#   [details notebook](08_second_order_details.ipynb): of order $10^{-7}$ at $\kappa = 10^{12}$).
# - Near a minimum with a positive definite, Lipschitz continuous Hessian it converges **quadratically**,
#   $e_{k+1} \le C e_k^2$: the correct digits double at each step (seven steps on
#   Rosenbrock, where gradient descent is still about 0.56 away after 2,000).
# - Pure Newton goes to a stationary point of the model, which is a saddle or a peak
#   where the Hessian is indefinite or negative definite: then $g^\top p$ can be positive and it
#   walks to saddle points and maxima (from almost half of the starts on Himmelblau).
# - **Damped Newton** makes the Hessian positive definite ($\nabla^2 f + \tau I$) and uses the **Armijo
#   backtracking** line search, $f(x + \alpha p) \le f(x) + c_1 \alpha g^\top p$: a descent
#   method. Near a minimum with a positive definite Hessian, and with $c_1 < \tfrac12$,
#   the unit step passes this test once the iterate is close (N&W Theorem 3.6), so it
#   keeps pure Newton's quadratic convergence there (N&W Theorem 3.5; on Himmelblau
#   the last five steps had $\alpha = 1$).
# - A Newton step costs $O(d^2)$ memory and $O(d^3)$ time. **BFGS** builds an
#   approximation $H_k$ of the inverse Hessian (N&W's notation: $B_k$ approximates the
#   Hessian, $H_k = B_k^{-1}$) from gradient changes through the secant condition
#   $H_{k+1} y_k = s_k$ ($O(d^2)$); **L-BFGS** keeps $m$ pairs ($O(md)$).
# - BFGS needs $y_k^\top s_k > 0$. Armijo backtracking alone does not guarantee it
#   (two updates skipped from $(-1.2, 1)$); a line search that enforces the **strong
#   Wolfe conditions**, sufficient decrease and $|\phi'(\alpha)| \le c_2 |\phi'(0)|$, does.
#   Near the minimum BFGS converges superlinearly: $e_{k+1}/e_k \to 0$.
# - Ours match `scipy.optimize.minimize` within half again in iterations and function
#   evaluations. `torch.optim.LBFGS` is the same family with other defaults: 100 pairs and
#   no line search; with 10 pairs and `line_search_fn="strong_wolfe"` it takes about as many
#   iterations on Rosenbrock from $(-1.2, 1)$ as ours, without a line search more than twice as many (section A of the
#   [details notebook](08_second_order_details.ipynb), with its stopping rules).
# - On Rosenbrock from $(-1.2, 1)$, one small smooth problem, the second-order methods
#   needed more than 50 times fewer steps than the heavy ball and Adam (over 20 times
#   fewer than Adam at the best rate of a sweep), and gradient descent had not arrived
#   after 20,000. On large, noisy problems (networks trained on mini-batches) the
#   stochastic first-order methods are the usual choice: a second-order step costs far
#   more, and curvature estimated from noisy gradients is unreliable (Bottou, Curtis &
#   Nocedal 2018, *Optimization Methods for Large-Scale Machine Learning*, in their
#   section on second-order methods).
#
# ## Exercises
#
# Open [`exercises/08_second_order.ipynb`](../exercises/08_second_order.ipynb): write the
# Newton step, the Armijo backtracking line search, and the BFGS update of the inverse
# Hessian. Each exercise has a `check(...)` cell that tells you at once whether your
# code is right.

