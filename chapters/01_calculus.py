# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 01 — Calculus for gradient descent
#
# Gradient descent needs one thing from calculus: at any point, **which way is
# downhill, and how steep is it?** The answer is the *gradient*. This chapter
# builds it up from the slope of a line, shows how to compute it with nothing
# but function values, how to test a gradient you derived by hand, and how the
# *second* derivatives tell a valley from a hilltop.
#
# You need high-school calculus (the slope of a line, the power rule, the chain
# rule) and a little linear algebra: vectors, the dot product, a matrix times a
# vector. Section 8 introduces eigenvalues and eigenvectors from a 2×2 example
# before it uses them, and section 5 explains the floating-point rounding it needs.
# Every measured number quoted in the text is computed and asserted by a nearby code
# cell (the others are derived in the text), so rerunning the notebook checks it.
#
# ## What you will learn
#
# - to read a derivative as the slope of a tangent line, the limit of slopes of secants;
# - partial derivatives, and the gradient that collects them;
# - directional derivatives, and why the gradient points in the direction of
#   steepest ascent, with the steepest slope as its length;
# - Taylor expansion: the tangent line and the tangent parabola, and how fast
#   their errors shrink;
# - finite differences: derivatives from function values alone, and why the
#   step size cannot be too small in floating point, and (in an appendix) what to do
#   far from $x \approx 1$ (a larger step, a step the computer can represent exactly);
# - the gradients of vector expressions such as $x^\top A x$, the chain rule with
#   Jacobians, and a reverse-mode (automatic differentiation) pass written by hand;
# - gradient checking: catching a bug in a hand-written gradient;
# - eigenvalues and eigenvectors of a symmetric matrix, from a 2×2 example;
# - the Hessian, whose eigenvalues tell a local minimum from a local maximum and a saddle
#   (and when they cannot).

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
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize

from gdlearn import calculus, plotting, style
from gdlearn.surfaces import double_well, himmelblau, rosenbrock, saddle

COLORS = style.PALETTE

# %% [markdown]
# ## 1. The derivative is a slope
#
# The slope of a straight line is *rise over run*: how much it goes up for each
# step to the right. A curve has no single slope, but it has one at each point.
# Take a point $x_0$ and a second point a step $h$ away. The straight line through
# $(x_0, f(x_0))$ and $(x_0 + h, f(x_0 + h))$ is a **secant**, and its slope is
#
# $$\text{secant slope} = \frac{f(x_0 + h) - f(x_0)}{h}.$$
#
# Now shrink $h$. The second point slides towards the first, and the secant turns
# until it just touches the curve: the **tangent line**. Its slope is the
# **derivative**
#
# $$f'(x_0) = \lim_{h \to 0} \frac{f(x_0 + h) - f(x_0)}{h}.$$
#
# Our running example is the "double well" $f(x) = x^4 - 3x^2 + x$: two valleys
# with a hill between them. The power rule, term by term, gives its derivative
# $f'(x) = 4x^3 - 6x + 1$.

# %%
def f(x):
    return x**4 - 3 * x**2 + x


def df(x):
    return 4 * x**3 - 6 * x + 1            # the power rule, term by term


# The course library holds the same function as `double_well`. Library functions
# take the coordinates on axis 0 (a 1-D point is an array of shape (1,)).
assert np.isclose(f(0.7), double_well.f(np.array([0.7])))
assert np.isclose(df(0.7), double_well.grad(np.array([0.7]))[0])

# %% [markdown]
# Here are the secant slopes at $x_0 = -0.5$, where $f'(x_0) = 4(-0.125) + 3 + 1 = 3.5$,
# for smaller and smaller steps:

# %%
x0 = -0.5
steps = np.array([1.0, 0.5, 0.25, 0.1, 0.01, 0.001])
secant_slopes = (f(x0 + steps) - f(x0)) / steps
secant_errors = np.abs(secant_slopes - df(x0))
for h, slope, error in zip(steps, secant_slopes, secant_errors):
    print(f"h = {h:<6}  secant slope = {slope:8.5f}   error = {error:.1e}")

assert df(x0) == 3.5
assert np.all(np.diff(secant_errors) < 0)        # every smaller step is closer
assert np.isclose(secant_errors[-1] / steps[-1], 1.5, rtol=0.01)
assert np.isclose(secant_errors[-2] / secant_errors[-1], 10, rtol=0.02)   # h / 10 -> error / 10

# %% [markdown]
# The error shrinks with $h$, and in proportion to it: once $h$ is small, a
# ten times smaller step gives a ten times smaller error (error $\approx 1.5\,h$
# here; section 5 explains where the 1.5 comes from). The picture:

# %%
fig, ax = plt.subplots(figsize=style.FIGSIZE["single"], layout="constrained")
xs = np.linspace(-1.8, 1.8, 400)
ax.plot(xs, f(xs), color="black", label="$f(x) = x^4 - 3x^2 + x$")
secant_colors = [COLORS["sky_blue"], COLORS["bluish_green"], COLORS["reddish_purple"]]
for h, color in zip([1.0, 0.5, 0.25], secant_colors):
    slope = (f(x0 + h) - f(x0)) / h
    ax.plot(xs, f(x0) + slope * (xs - x0), color=color, linewidth=1.4,
            label=f"secant, $h$ = {h}: slope {slope:.2f}")
    ax.plot([x0 + h], [f(x0 + h)], "o", color=color, markeredgecolor="black")
ax.plot(xs, f(x0) + df(x0) * (xs - x0), color=COLORS["vermillion"], linewidth=2.4,
        linestyle="--", label=f"tangent: slope $f'(x_0)$ = {df(x0):.2f}")
ax.plot([x0], [f(x0)], "o", color="black", markersize=8, zorder=5)
ax.annotate("$x_0$", (x0, f(x0)), xytext=(-22, 8), textcoords="offset points")
ax.set(xlim=(-1.8, 1.8), ylim=(-4.5, 3.5), xlabel="$x$", ylabel="$f(x)$",
       title=f"Secants shrink to the tangent at $x_0$ = {x0}")
ax.legend(loc="lower right", fontsize=8);

# %% [markdown]
# ### Try it: slide the tangent along the curve
#
# Move the slider. Watch the sign of the slope: it is negative where the curve
# goes down to the right, positive where it goes up, and **zero at the bottom of
# each valley and at the top of the hill**. (On a static page you see one
# position of the slider.)

# %%
from gdlearn import widgets

explorer = widgets.tangent_explorer(double_well, x=-0.8)
explorer

# %% [markdown]
# Two facts to keep from the slider, both checked below:
#
# - at a minimum the tangent is flat, $f'(x) = 0$;
# - where the slope is not zero it points uphill, so a small step *against* it,
#   from $x$ to $x - \eta f'(x)$ with a small $\eta > 0$, goes downhill (where
#   $f'(x) = 0$ the step goes nowhere). That sentence is gradient descent in one
#   dimension.

# %%
minima = double_well.minima[:, 0]
assert np.allclose(df(minima), 0, atol=1e-12)

eta = 0.01
for x in [-1.8, -0.5, 0.5, 1.8]:
    assert f(x - eta * df(x)) < f(x)      # a small step against the slope goes down

# %% [markdown]
# ## 2. Partial derivatives
#
# A loss usually depends on many numbers. Take two: $f(x, y)$ is a landscape, and
# its contour lines are lines of equal height, as on a hiking map. Our example is
# Himmelblau's function
#
# $$f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2,$$
#
# which has four valleys. (In the filled contour maps of the course, darker grey is
# lower and white is higher.) Freeze $y$ and walk only in the $x$ direction: you
# are back to a function of one variable, and its slope is the **partial
# derivative** $\partial f / \partial x$. Freezing $x$ instead gives
# $\partial f / \partial y$. The chain rule does the rest:
#
# $$\frac{\partial f}{\partial x} = 4x\,(x^2 + y - 11) + 2\,(x + y^2 - 7), \qquad
#   \frac{\partial f}{\partial y} = 2\,(x^2 + y - 11) + 4y\,(x + y^2 - 7).$$

# %%
def partials(x, y):
    u, v = x**2 + y - 11, x + y**2 - 7
    return 4 * x * u + 2 * v, 2 * u + 4 * y * v


p = np.array([1.0, 1.0])
df_dx, df_dy = partials(*p)
print(f"at p = (1, 1):  df/dx = {df_dx},  df/dy = {df_dy}")

# The same numbers as secant slopes with a tiny step, walking along x, then along y:
h = 1e-7
slope_x = (himmelblau.f(p + [h, 0]) - himmelblau.f(p)) / h
slope_y = (himmelblau.f(p + [0, h]) - himmelblau.f(p)) / h
assert (df_dx, df_dy) == (-46.0, -38.0)
assert np.isclose(slope_x, df_dx, rtol=1e-5) and np.isclose(slope_y, df_dy, rtol=1e-5)

# %% [markdown]
# In pictures: the two dashed lines through $p$ on the map (left) are the two
# walks; along each one $f$ is an ordinary curve with an ordinary tangent.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
plotting.plot_contours(himmelblau, ax=axes[0], title="Himmelblau: two walks through $p$")
axes[0].axhline(p[1], color=COLORS["blue"], linestyle="--", label="$y = 1$ fixed")
axes[0].axvline(p[0], color=COLORS["orange"], linestyle="--", label="$x = 1$ fixed")
axes[0].plot(*p, "o", color="black", markersize=7, zorder=8)
axes[0].annotate("$p$", p, xytext=(6, 6), textcoords="offset points", fontsize=12)
axes[0].legend(loc="lower center", fontsize=8)

t = np.linspace(-1.5, 3.5, 300)
walks = [(axes[1], "x", "$f(x, 1)$", himmelblau.f(np.stack([t, np.full_like(t, 1.0)])), df_dx,
          COLORS["blue"]),
         (axes[2], "y", "$f(1, y)$", himmelblau.f(np.stack([np.full_like(t, 1.0), t])), df_dy,
          COLORS["orange"])]
for ax, name, ylabel, values, slope, color in walks:
    ax.plot(t, values, color=color)
    near = np.abs(t - 1) < 0.6
    ax.plot(t[near], himmelblau.f(p) + slope * (t[near] - 1), color="black", linewidth=2,
            label=rf"tangent: slope $\partial f/\partial {name}$ = {slope:g}")
    ax.plot([1], [himmelblau.f(p)], "o", color="black", markersize=7)
    ax.set(xlabel=f"${name}$", ylabel=ylabel, ylim=(0, 170))
    ax.legend(loc="lower left", fontsize=8)
axes[1].set_title("walk along $x$ (with $y = 1$)")
axes[2].set_title("walk along $y$ (with $x = 1$)");

# %% [markdown]
# ## 3. The gradient and directional derivatives
#
# The **gradient** collects the partial derivatives into one vector,
#
# $$\nabla f(x, y) = \left(\frac{\partial f}{\partial x},\ \frac{\partial f}{\partial y}\right),$$
#
# so $\nabla f(p) = (-46, -38)$ at $p = (1, 1)$. The partials are the slopes along the
# two axes. What is the slope along any other direction? Walk from $p$ along a unit
# vector $u = (\cos\theta, \sin\theta)$: the height is $g(t) = f(p + t\,u)$, and the
# slope of that walk at $t = 0$ is the **directional derivative** $D_u f(p)$. The
# chain rule gives
#
# $$D_u f(p) = \frac{\partial f}{\partial x} u_x + \frac{\partial f}{\partial y} u_y
#            = \nabla f(p) \cdot u = \|\nabla f(p)\| \cos\alpha,$$
#
# where $\alpha$ is the angle between $u$ and $\nabla f(p)$. Read off the cosine:
#
# - the slope is **largest**, equal to $\|\nabla f(p)\|$, when $u$ points along
#   $\nabla f(p)$: the gradient is the direction of **steepest ascent**, and its
#   length is the steepest slope;
# - it is **smallest**, $-\|\nabla f(p)\|$, along $-\nabla f(p)$: steepest descent;
# - it is **zero** at right angles to the gradient: along the contour line,
#   where the height does not change.
#
# "Steepest" here compares directions of the same *Euclidean* length, $\|u\| = 1$.
# Measure length another way and the answer changes: among steps with every
# $|u_i| \le 1$ the slope $\nabla f \cdot u$ is largest for $u_i = \mathrm{sign}(\partial
# f / \partial x_i)$, each coordinate on its own (checked below). Its negative is the
# step direction of signSGD, the limit of Adam with $\beta_1 = \beta_2 = 0$ and
# $\epsilon \to 0$ (chapter 06).
#
# Let us not take the chain rule's word for it. We measure the slope of the walk in
# 3600 directions using only values of $f$ (a secant with a tiny step), and compare.

# %%
theta = np.linspace(-np.pi, np.pi, 3600, endpoint=False)
U = np.stack([np.cos(theta), np.sin(theta)])            # 3600 unit vectors, one per column
h = 1e-7
measured = (himmelblau.f(p[:, None] + h * U) - himmelblau.f(p[:, None])) / h

gradient = himmelblau.grad(p)
steepest = np.linalg.norm(gradient)
theta_gradient = np.arctan2(gradient[1], gradient[0])
best = np.argmax(measured)
print(f"|grad f(p)| = {steepest:.4f}   largest measured slope = {measured[best]:.4f}")
print(f"direction of the gradient: {np.degrees(theta_gradient):.2f} deg, "
      f"of the steepest walk: {np.degrees(theta[best]):.2f} deg")

# %% [markdown]
# The checks, one per claim above. (A secant slope with a step of $10^{-7}$ is
# accurate to better than $10^{-5}$ here, the tolerance of the first check, and our
# directions are 0.1° apart.)

# %%
assert np.allclose(measured, gradient @ U, rtol=0, atol=1e-5)          # D_u f = grad f . u
assert np.isclose(measured.max(), steepest, rtol=1e-6)                 # largest slope = |grad f|
assert abs(theta[best] - theta_gradient) < np.radians(0.1)             # ... along grad f
assert np.isclose(measured.min(), -steepest, rtol=1e-6)                # smallest = -|grad f|
along_contour = np.array([-gradient[1], gradient[0]]) / steepest       # at right angles to grad f
for u in (along_contour, -along_contour):
    assert abs((himmelblau.f(p + h * u) - himmelblau.f(p)) / h) < 1e-5  # slope 0 along the contour
box_steps = np.random.default_rng(0).uniform(-1, 1, size=(2, 10000))  # steps with every |u_i| <= 1
assert np.all(gradient @ box_steps <= gradient @ np.sign(gradient))     # sign(grad f) is steepest there

# %% [markdown]
# From here on we use `calculus.directional_derivative(grad, x, u)`, which computes
# $\nabla f(x) \cdot u$ (for many directions at once, one per column):

# %%
assert np.allclose(calculus.directional_derivative(himmelblau.grad, p, U), gradient @ U)

# %% [markdown]
# On the left, arrows in 12 directions around $p$, coloured by the slope of $f$ along
# each; the thin black arrow, drawn under them and longer, is $\nabla f(p)$. On the right, all 3600 measured slopes
# against the direction: a cosine, whose peak sits at the gradient's direction.

# %%
fig, (ax_map, ax_slope) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plotting.plot_contours(himmelblau, ax=ax_map, levels=np.linspace(5, 300, 30), mark_minima=False,
                       title=r"Slope of $f$ along 12 directions at $p$")
fan = np.linspace(-np.pi, np.pi, 12, endpoint=False)
fan_u = np.stack([np.cos(fan), np.sin(fan)])
arrows = ax_map.quiver(np.full(12, p[0]), np.full(12, p[1]), fan_u[0], fan_u[1],
                       gradient @ fan_u, cmap="RdBu_r", clim=(-steepest, steepest),
                       angles="xy", scale_units="xy", scale=1.6, width=0.012, zorder=4,
                       edgecolor="#333333", linewidth=0.5)
ax_map.quiver(*p, *(gradient / steepest), angles="xy", scale_units="xy", scale=0.9,
              width=0.009, color="black", zorder=3)           # thin, under the fan: it extends past it
ax_map.annotate(r"$\nabla f(p)$", p + 1.15 * gradient / steepest, fontsize=11,
                xytext=(-12, -16), textcoords="offset points")
ax_map.set(xlim=(-0.5, 2.5), ylim=(-0.5, 2.5))
fig.colorbar(arrows, ax=ax_map, shrink=0.8, label="slope along $u$")
fig.get_layout_engine().set(wspace=0.12)

degrees = np.degrees(theta)
ax_slope.plot(degrees, measured, color=COLORS["blue"], label="measured slope along $u$")
ax_slope.plot(degrees[::120], (gradient @ U)[::120], "o", color=COLORS["orange"],
              markersize=5, label=r"$\nabla f(p) \cdot u$")
ax_slope.axvline(np.degrees(theta_gradient), color="black", linestyle="--",
                 label=f"direction of $\\nabla f(p)$: {np.degrees(theta_gradient):.1f}°")
ax_slope.axhline(steepest, color=COLORS["vermillion"], linewidth=1,
                 label=rf"$\|\nabla f(p)\|$ = {steepest:.1f}")
ax_slope.axhline(-steepest, color=COLORS["vermillion"], linewidth=1, linestyle=":",
                 label=rf"$-\|\nabla f(p)\|$ (steepest descent)")
ax_slope.set(xlabel=r"direction $\theta$ of $u$ (degrees)", ylabel="slope $D_u f(p)$",
             title="The slope is largest along the gradient", xlim=(-180, 180),
             xticks=range(-180, 181, 90), ylim=(-1.15 * steepest, 1.15 * steepest))
ax_slope.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8);

# %% [markdown]
# ### The gradient field
#
# Draw the gradient at every point of a grid and you see the whole landscape at
# once. Below, the arrows show the *direction* of $\nabla f$ (all drawn the same
# length) and their colour its *size*. Each arrow crosses the contour lines at a
# right angle and points uphill; the arrows fade to dark where the gradient
# vanishes: in the four valleys (stars), on the hilltop near $(-0.3, -0.9)$ where
# they converge, and at four saddle points between the valleys.

# %%
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
plotting.plot_gradient_field(himmelblau, ax=ax, density=20, negative=False)
# Where the gradient vanishes, from rough guesses read off the map: scipy.optimize.root
# solves grad f = 0 (section 8 explains how, and checks which point is which kind).
rough = {"hilltop": (-0.3, -0.9), "saddles": [(0.1, 2.9), (-3.1, -0.1), (3.4, 0.1), (-0.1, -2.0)]}
hilltop = scipy.optimize.root(himmelblau.grad, rough["hilltop"], jac=himmelblau.hess).x
saddles = np.array([scipy.optimize.root(himmelblau.grad, guess, jac=himmelblau.hess).x
                    for guess in rough["saddles"]])
print("hilltop", hilltop.round(4), "\nsaddles", saddles.round(4).tolist())
assert np.all(np.linalg.norm(himmelblau.grad(np.vstack([hilltop, saddles]).T), axis=0) < 1e-6)
assert len(np.unique(saddles.round(3), axis=0)) == 4
ax.plot(*hilltop, linestyle="none", marker="^", markersize=11, color=COLORS["vermillion"],
        markeredgecolor="white", label="hilltop (local maximum)")
ax.plot(*saddles.T, linestyle="none", marker="X", markersize=10, color=COLORS["orange"],
        markeredgecolor="black", label="saddle points")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize=8);

# %% [markdown]
# The gradient is zero at every stationary point: the four minima, and also the
# hilltop and the saddles (checked here for the minima):

# %%
assert np.all(np.linalg.norm(himmelblau.grad(himmelblau.minima.T), axis=0) < 1e-10)

# %% [markdown]
# Turn every arrow around and you get $-\nabla f$, the direction of steepest
# **descent**. Taking a small step along it, again and again, is gradient descent:
# [chapter 02](02_gradient_descent.ipynb).
#
# ## 4. Taylor expansion: a function under a magnifying glass
#
# Zoom in far enough on a smooth curve and it looks like its tangent line. That is
# the **first-order Taylor model** around $x_0$:
#
# $$f(x_0 + h) \approx f(x_0) + f'(x_0)\, h.$$
#
# Add the curvature, and the tangent line becomes a tangent *parabola*, the
# **second-order model**:
#
# $$f(x_0 + h) \approx f(x_0) + f'(x_0)\, h + \tfrac12 f''(x_0)\, h^2.$$
#
# What each model leaves out is led by the first term it drops: $\tfrac12 f''(x_0)\,h^2$
# for the tangent line, $\tfrac16 f'''(x_0)\, h^3$ for the parabola. So the error of
# the tangent line shrinks like $h^2$ (provided $f''(x_0) \ne 0$) and that of the
# parabola like $h^3$ (provided $f'''(x_0) \ne 0$): halve the step and the errors drop by
# factors of 4 and 8. (Where the leading term vanishes, the next one leads and the
# error shrinks faster; we check that below.) The leading term also gives a
# guarantee, not just a rate: by Taylor's theorem with the Lagrange remainder, the
# tangent line's error is exactly $\tfrac12 f''(\xi)\,h^2$ for some $\xi$ between
# $x_0$ and $x_0 + h$, so if $|f''| \le L$ there, the error is at most
# $\tfrac12 L h^2$. Chapter 02 builds its step-size rule on that bound (the
# descent lemma). Back to the double well, with $f''(x) = 12x^2 - 6$, around
# $x_0 = -0.5$:

# %%
def d2f(x):
    return 12 * x**2 - 6


x0 = -0.5


def tangent_line(x):
    return f(x0) + df(x0) * (x - x0)


def tangent_parabola(x):
    return tangent_line(x) + 0.5 * d2f(x0) * (x - x0) ** 2


# From here on we use calculus.taylor, which builds the same models (in n-D too):
model_1 = calculus.taylor(f, df, d2f, x0, order=1)
model_2 = calculus.taylor(f, df, d2f, x0, order=2)
xs = np.linspace(-2, 2, 9)
assert np.allclose(model_1(xs), tangent_line(xs)) and np.allclose(model_2(xs), tangent_parabola(xs))
# the remainder bound: on [-1.5, 0.5], |f''| <= L = 21, and the tangent line is off by at most L h^2 / 2
near_x0 = np.linspace(-1.5, 0.5, 401)
L_local = np.abs(d2f(near_x0)).max()
assert np.isclose(L_local, 21)
assert np.all(np.abs(f(near_x0) - tangent_line(near_x0)) <= 0.5 * L_local * (near_x0 - x0) ** 2 + 1e-12)

# %% [markdown]
# Now measure the errors for steps from $10^{-3}$ to $10^{-1}$ and fit the slope of
# log(error) against log($h$): that slope is the power of $h$.

# %%
hs = np.logspace(-3, -1, 21)
error_1 = np.abs(f(x0 + hs) - model_1(x0 + hs))
error_2 = np.abs(f(x0 + hs) - model_2(x0 + hs))
power_1 = np.polyfit(np.log10(hs), np.log10(error_1), 1)[0]
power_2 = np.polyfit(np.log10(hs), np.log10(error_2), 1)[0]
print(f"tangent line:     error ~ h^{power_1:.3f}")
print(f"tangent parabola: error ~ h^{power_2:.3f}")

assert abs(power_1 - 2) < 0.05 and abs(power_2 - 3) < 0.05

h = 0.01                                                       # halve h: errors / 4 and / 8
for model, factor in [(model_1, 4), (model_2, 8)]:
    ratio = abs(f(x0 + h) - model(x0 + h)) / abs(f(x0 + h / 2) - model(x0 + h / 2))
    assert abs(ratio / factor - 1) < 0.02
# and the parabola's error is led by f'''(x0)/6 h^3, with f'''(x) = 24x:
assert np.isclose(error_2[0] / hs[0] ** 3, abs(24 * x0) / 6, rtol=0.01)


def model_error_power(x_special, order):
    """Slope of log(error) against log(h) of the Taylor model of the given order at x_special."""
    model = calculus.taylor(f, df, d2f, x_special, order=order)
    return np.polyfit(np.log10(hs), np.log10(np.abs(f(x_special + hs) - model(x_special + hs))), 1)[0]


# Where a term vanishes, the next one leads: at x0 = 0, f'''(0) = 0 and the parabola's
# error is the h^4 term (f'''' = 24); at x0 = 1/sqrt(2), f'' = 0 and the tangent's is h^3.
power_parabola_0, power_tangent_inflection = model_error_power(0.0, 2), model_error_power(2 ** -0.5, 1)
print(f"at x0 = 0: parabola error ~ h^{power_parabola_0:.2f};  "
      f"at x0 = 1/sqrt(2): tangent error ~ h^{power_tangent_inflection:.2f}")
assert abs(power_parabola_0 - 4) < 0.05 and abs(power_tangent_inflection - 3) < 0.05

# %%
fig, (ax_f, ax_err) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], layout="constrained")
xs = np.linspace(-2, 2, 400)
ax_f.plot(xs, f(xs), color="black", label="$f(x)$")
ax_f.plot(xs, model_1(xs), color=COLORS["blue"], linestyle="--", label="first order (tangent line)")
ax_f.plot(xs, model_2(xs), color=COLORS["vermillion"], linestyle="-.",
          label="second order (tangent parabola)")
ax_f.plot([x0], [f(x0)], "o", color="black", markersize=7)
ax_f.set(xlim=(-2, 2), ylim=(-5, 4), xlabel="$x$", ylabel="$f(x)$",
         title=f"Taylor models of $f$ around $x_0$ = {x0}")
ax_f.legend(loc="lower right", fontsize=8)                     # empty space below the curves

ax_err.loglog(hs, error_1, "o-", color=COLORS["blue"], markersize=4,
              label=f"first order: slope {power_1:.2f}")
ax_err.loglog(hs, error_2, "s-", color=COLORS["vermillion"], markersize=4,
              label=f"second order: slope {power_2:.2f}")
ax_err.set(xlabel="step $h$", ylabel=r"error $|f(x_0 + h) - \mathrm{model}|$",
           title="Model error against step size (log–log)")
ax_err.legend(loc="lower right");

# %% [markdown]
# This is why gradient descent works, and also why it must take small steps: it
# trusts the first-order model, which is good near $x_0$ and wrong farther away.
# Newton's method (chapter 08) trusts the parabola instead.
#
# ## 5. Finite differences: derivatives from function values
#
# If you can evaluate $f$ you can estimate $f'$ without any calculus: the secant
# slope is the **forward difference**. Taylor tells us how wrong it is. Write the
# expansions one step to each side:
#
# $$f(x \pm h) = f(x) \pm f'(x)\,h + \tfrac12 f''(x)\,h^2 \pm \tfrac16 f'''(x)\,h^3 + \dots$$
#
# - Forward difference: $\dfrac{f(x + h) - f(x)}{h} = f'(x) + \tfrac12 f''(x)\,h + \dots$
#   The error is proportional to $h$ (if $f''(x) \ne 0$). (At $x_0 = -0.5$ in section 1,
#   $\tfrac12 |f''(x_0)| = 1.5$: that was the 1.5.)
# - **Central difference**: subtract the two expansions, and the $h^2$ terms cancel:
#   $\dfrac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac16 f'''(x)\,h^2 + \dots$
#   The error is proportional to $h^2$ (if $f'''(x) \ne 0$), for the same two
#   evaluations of $f$.

# %%
def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# The library has both: calculus.forward_difference and calculus.derivative (central).
assert forward_difference(f, 0.3, 1e-4) == calculus.forward_difference(f, 0.3, 1e-4)
assert central_difference(f, 0.3, 1e-4) == calculus.derivative(f, 0.3, 1e-4)
assert abs(d2f(-0.5)) / 2 == 1.5                                # the 1.5 of section 1

# %% [markdown]
# ### How small should $h$ be?
#
# The formulas say "smaller is better". The computer disagrees. A float64 number
# keeps about 16 significant digits: each basic operation ($+$, $-$, $\times$, $/$,
# $\sqrt{\ }$) rounds its result by a relative amount up to $\varepsilon / 2$, with
# $\varepsilon \approx 2.2 \cdot 10^{-16}$ (the IEEE 754 standard; Goldberg 1991,
# "What every computer scientist should know about floating-point arithmetic";
# Higham 2002, *Accuracy and Stability of Numerical Algorithms*). Library functions
# such as $e^x$ are not covered by that rule; we measure below how $e^x$ behaves.
# When $h$ is tiny, $f(x + h)$ and $f(x)$ share most of their digits, the
# subtraction cancels them, and what is left is mostly rounding noise, up to
# $\varepsilon |f|$, which the difference then divides by $h$ (or $2h$). So the
# error has two parts: a **truncation** error that falls with $h$ and a
# **round-off** error that grows as $h$ shrinks (for $x$ near 1; appendix 9 treats
# $x$ far from 1):
#
# $$\text{forward: } \approx \tfrac12 |f''|\, h + \frac{\varepsilon |f|}{h}, \qquad
#   \text{central: } \approx \tfrac16 |f'''|\, h^2 + \frac{\varepsilon |f|}{2h}.$$
#
# The best step balances them. Setting the derivative in $h$ to zero, $a h + b/h$ is
# smallest at $h^* = \sqrt{b/a}$ (error $2\sqrt{ab}$) and $a h^2 + b/h$ at
# $h^* = (b/2a)^{1/3}$ (error of order $a^{1/3} b^{2/3}$). With $f$, $f''$, $f'''$ of
# size 1:
#
# | difference | best step $h^*$ | error there |
# | --- | --- | --- |
# | forward | $\sqrt{2\varepsilon} \approx 2 \cdot 10^{-8}$ | $\sqrt{2\varepsilon} \approx 2 \cdot 10^{-8}$: half the digits lost |
# | central | $(1.5\,\varepsilon)^{1/3} \approx 7 \cdot 10^{-6}$ | of order $\varepsilon^{2/3} \approx 4 \cdot 10^{-11}$ |
#
# Let us measure it on $f(x) = e^x$, whose derivative is known exactly (it is $e^x$
# again), over steps from $10^{-14}$ to $10^{-1}$. The round-off part is noise that
# changes from one $x$ to the next, so we average the errors over 41 points
# $x \in [0.5, 1.5]$ to see the trend.

# %%
eps = np.finfo(float).eps
hs = np.logspace(-14, -1, 131)
points = np.linspace(0.5, 1.5, 41)
errors = [calculus.difference_errors(np.exp, np.exp, x, hs) for x in points]
forward_error = np.mean([e.forward for e in errors], axis=0)
central_error = np.mean([e.central for e in errors], axis=0)


def loglog_slope(hs, errors, low, high):
    """Slope of log10(error) against log10(h) for low <= h <= high."""
    keep = (hs >= low) & (hs <= high)
    return np.polyfit(np.log10(hs[keep]), np.log10(errors[keep]), 1)[0]


slope_forward = loglog_slope(hs, forward_error, 1e-5, 1e-1)
slope_central = loglog_slope(hs, central_error, 1e-3, 1e-1)
slope_roundoff = loglog_slope(hs, forward_error, 1e-14, 1e-10)
best_forward, best_central = hs[np.argmin(forward_error)], hs[np.argmin(central_error)]
print(f"truncation: forward error ~ h^{slope_forward:.2f}, central error ~ h^{slope_central:.2f}")
print(f"round-off:  error ~ h^{slope_roundoff:.2f}")
print(f"best h: forward {best_forward:.1e} (error {forward_error.min():.1e}), "
      f"central {best_central:.1e} (error {central_error.min():.1e})")

# The two models, with f = f'' = f''' = e^x (e on average over the 41 points, near enough):
model_forward = np.e * hs / 2 + eps * np.e / hs
model_central = np.e * hs**2 / 6 + eps * np.e / (2 * hs)
truncation_f, truncation_c = (hs >= 1e-4), (hs >= 1e-2)
ratio_truncation = np.concatenate([model_forward[truncation_f] / forward_error[truncation_f],
                                   model_central[truncation_c] / central_error[truncation_c]])
print(f"model / measured on the truncation side: {ratio_truncation.min():.2f} to {ratio_truncation.max():.2f}")

# %%
assert abs(slope_forward - 1) < 0.1 and abs(slope_central - 2) < 0.1
assert abs(slope_roundoff + 1) < 0.2                          # round-off grows like 1/h
assert 3e-9 < best_forward < 1e-7                              # ~2e-8 = sqrt(2 eps)
assert 1e-6 < best_central < 3e-5                              # ~7e-6 = (1.5 eps)**(1/3)
assert 0.1 < forward_error.min() / np.sqrt(eps) < 10           # the floor: ~1e-8
assert 0.1 < central_error.min() / eps ** (2 / 3) < 10         # the floor: ~1e-11
assert np.all(np.abs(ratio_truncation - 1) < 0.1)              # truncation: on the model

# %% [markdown]
# The thin black lines are the two models (dotted: forward, dash-dotted: central).
# On the truncation side (right) the measurements lie on them, within 10%, so each
# model runs through the middle of its thick measured curve. On the round-off side
# (left) the averaged curves run parallel to them (slope $-1$), below them: the
# model is an order of magnitude, not a bound (appendix 9 compares them point by
# point). There the two measured curves nearly coincide (the markers tell them
# apart), although the models differ by a factor 2: the computer also rounds $x \pm
# h$ itself, which the models leave out (appendix 9 explains and measures it). The
# measured best steps, $1.3 \cdot 10^{-8}$ and $5 \cdot 10^{-6}$, are within a factor
# of two of the model's $2 \cdot 10^{-8}$ and $7 \cdot 10^{-6}$ (not closer: the
# minimum of a noisy curve moves).

# %%
fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
for mean, model, best, name, color, marker, model_label in [
        (forward_error, model_forward, best_forward, "forward", COLORS["blue"], "o",
         r"model $\frac{1}{2}|f''|h + \varepsilon |f| / h$"),
        (central_error, model_central, best_central, "central", COLORS["vermillion"], "s",
         r"model $\frac{1}{6}|f'''|h^2 + \varepsilon |f| / 2h$")]:
    ax.loglog(hs, mean, color=color, marker=marker, markersize=4, markevery=(5 if marker == "o" else 0, 10),
              linewidth=2.5, alpha=0.8, zorder=2, label=f"{name} difference (measured, mean of 41 $x$)")
    ax.loglog(hs, model, color="black", linestyle=(0, (1, 1.5)) if name == "forward" else (0, (4, 1.5, 1, 1.5)),
              linewidth=1.0, zorder=4, label=model_label)   # thin, dark, on top of the measured curve
    ax.plot([best], [mean.min()], marker, color=color, markeredgecolor="black", markersize=9, zorder=6)
    ax.annotate(f"best $h$ = {best:.1e}", (best, mean.min()),
                xytext=(-70, -45) if name == "forward" else (30, -30), textcoords="offset points",
                ha="center", color=color, fontsize=9,
                arrowprops=dict(arrowstyle="->", color=color, linewidth=1))
ax.text(1e-3, 1e-2, f"slope {slope_forward:.2f}", color=COLORS["blue"], ha="right")
ax.text(2e-3, 1e-7, f"slope {slope_central:.2f}", color=COLORS["vermillion"])
ax.text(3e-13, 1e-1, "round-off\n(slope −1)", ha="center")
ax.set(xlabel="step $h$ (log scale)", ylabel="absolute error of $f'(x)$ (log scale)",
       ylim=(1e-13, 10), title="Finite-difference error against step size, $f(x) = e^x$")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8);

# %% [markdown]
# The library's defaults sit at these sweet spots, rounded to a power of ten:
# `calculus.forward_difference` uses $h = 10^{-8}$, `calculus.derivative` (central)
# $h = 10^{-5}$. Both assume $x$ of size about 1, which is the next point.

# %%
assert inspect.signature(calculus.forward_difference).parameters["h"].default == 1e-8
assert inspect.signature(calculus.derivative).parameters["h"].default == 1e-5

# %% [markdown]
# ### The gradient by finite differences
#
# A partial derivative is an ordinary derivative along one axis, so the same
# central difference along each coordinate direction $e_i$ gives the gradient:
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2h_i}.$$
#
# That costs two evaluations of $f$ per coordinate: fine for checking, hopeless for
# a network with millions of parameters (see automatic differentiation below).
# Writing it is the first exercise; from here on we use
# `calculus.numerical_gradient(f, x, h=1e-6)`, which divides by the distance between
# the two points it actually evaluates (the exact step), and accepts one step per
# coordinate (`h` an array of shape $(d,)$) for coordinates on different scales.
# Appendix 9 shows why both matter and why the default $10^{-6}$ sits a
# little below the central sweet spot. At $x$ of size 1, the default:

# %%
numerical = calculus.numerical_gradient(himmelblau.f, p)
print("numerical gradient at p:", numerical, "  analytic:", himmelblau.grad(p))
assert np.allclose(numerical, [-46, -38], rtol=1e-8)
assert inspect.signature(calculus.numerical_gradient).parameters["h"].default == 1e-6

# %% [markdown]
# ## 6. Vector gradients, the chain rule and automatic differentiation
#
# ### Gradients of vector expressions
#
# Losses are usually written with vectors and matrices, and three rules cover
# most of what this course needs (they follow from writing the sums out and taking
# partial derivatives; see Zhang et al. 2023, *Dive into Deep Learning*, §2.4.3).
# For $x, a \in \mathbb{R}^d$, $A$ a $d \times d$ matrix, $X$ an $n \times d$ matrix
# and $y \in \mathbb{R}^n$:
#
# $$\nabla_x\, (a^\top x) = a, \qquad
#   \nabla_x\, (x^\top A x) = (A + A^\top)\,x \;\;(= 2Ax \text{ if } A \text{ is symmetric}), \qquad
#   \nabla_x\, \tfrac12 \|Xx - y\|^2 = X^\top (Xx - y).$$
#
# For the middle one, $x^\top A x = \sum_{i,j} A_{ij} x_i x_j$, and
# $\partial / \partial x_k$ picks up $\sum_j A_{kj} x_j + \sum_i A_{ik} x_i$, the
# $k$-th entries of $Ax$ and $A^\top x$. The last one is the middle one with
# $A = \tfrac12 X^\top X$ (since $\tfrac12\|Xx - y\|^2 = \tfrac12 x^\top X^\top X x - y^\top X x + \tfrac12 y^\top y$), plus the linear term $-y^\top X x$, plus a constant; it is the
# gradient of linear regression in chapter 03. The shapes are a free check:
# a gradient has the shape of $x$. Numerically, at a random point:

# %%
rng = np.random.default_rng(1)
d, n = 3, 5
a, A = rng.normal(size=d), rng.normal(size=(d, d))          # A deliberately not symmetric
X, y, x = rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)
rules = [(lambda x: a @ x, a),
         (lambda x: x @ A @ x, (A + A.T) @ x),
         (lambda x: 0.5 * np.sum((X @ x - y) ** 2), X.T @ (X @ x - y))]
for loss, gradient_rule in rules:
    assert gradient_rule.shape == x.shape
    assert np.allclose(calculus.numerical_gradient(loss, x), gradient_rule, rtol=1e-7, atol=1e-9)
assert not np.allclose(calculus.numerical_gradient(rules[1][0], x), 2 * A @ x)  # 2Ax needs symmetry

# %% [markdown]
# ### The chain rule in several variables, and automatic differentiation
#
# Sections 2, 3 and the rule above used the chain rule for functions of several
# variables without stating it. Here it is. A map $g: \mathbb{R}^d \to \mathbb{R}^m$
# has a **Jacobian**, the $m \times d$ matrix of its partial derivatives,
# $J_g(x)_{ij} = \partial g_i / \partial x_j$: row $i$ is the gradient of the output
# $g_i$. For a linear map $x \mapsto Xx$ the Jacobian is $X$ itself. The **chain
# rule**: the Jacobian of a composition is the product of the Jacobians,
# $J_{h \circ g}(x) = J_h(g(x))\, J_g(x)$; for a scalar loss $f(x) = \ell(g(x))$ that
# reads
#
# $$\nabla f(x) = J_g(x)^\top\, \nabla \ell(g(x))$$
#
# (Zhang et al. 2023, *Dive into Deep Learning*, §2.4.4). With $g(x) = Xx - y$ and
# $\ell(r) = \tfrac12\|r\|^2$, $\nabla\ell(r) = r$ and $J_g = X$: this is
# $X^\top(Xx - y)$ again.
#
# Frameworks such as PyTorch and JAX compute gradients neither by hand nor by
# finite differences. A program is a chain of elementary operations (add,
# multiply, `exp`, matrix product), each with a known Jacobian. **Reverse-mode
# automatic differentiation** (backpropagation) runs the program forward and keeps
# the intermediate results the backward pass will need (the *tape*), then applies
# the chain rule backwards,
# from the loss to the inputs: each operation multiplies the incoming gradient by
# its own transposed Jacobian. By hand, for $\tfrac12\|Xx - y\|^2$:

# %%
def loss_and_gradient(x, X, y):
    """Reverse mode by hand: a forward pass that keeps its intermediates, then a backward pass."""
    z = X @ x                  # forward, step 1: z = Xx
    r = z - y                  # forward, step 2: r = z - y         (kept on the tape)
    loss = 0.5 * (r @ r)       # forward, step 3: the loss
    loss_bar = 1.0             # backward: d loss / d loss
    r_bar = loss_bar * r       # step 3 backwards: the gradient of r.r/2 is r
    z_bar = r_bar              # step 2 backwards: the Jacobian of z - y is I
    x_bar = X.T @ z_bar        # step 1 backwards: the Jacobian of Xx is X, transposed
    return loss, x_bar


value, x_bar = loss_and_gradient(x, X, y)
x_bar_fd = calculus.numerical_gradient(lambda v: loss_and_gradient(v, X, y)[0], x)
print("reverse mode:", x_bar.round(8), "\nfinite diff.:", x_bar_fd.round(8))
assert np.isclose(value, rules[2][0](x))
assert np.allclose(x_bar, x_bar_fd, rtol=1e-7, atol=1e-9)            # agrees with finite differences
assert np.allclose(x_bar, X.T @ (X @ x - y), rtol=1e-14)              # and with the rule above

# %% [markdown]
# The same gradient from a framework's automatic differentiation, if PyTorch is
# installed (`pip install torch`; the cell skips itself otherwise):

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print("PyTorch is not installed: nothing to compare.")
else:
    x_torch = torch.tensor(x, requires_grad=True)                    # float64, like x
    loss_torch = 0.5 * ((torch.tensor(X) @ x_torch - torch.tensor(y)) ** 2).sum()
    loss_torch.backward()                                            # reverse mode, by the framework
    print("torch.autograd:", x_torch.grad.numpy().round(8))
    assert np.allclose(x_torch.grad.numpy(), x_bar, rtol=1e-12)      # the same numbers as our pass

# %% [markdown]
# The backward pass cost about as much as the forward one (one product with $X^\top$
# against one with $X$), and it gave all $d$ partial derivatives at once, where
# central differences need $2d$ evaluations. In general the result is exact up to
# rounding and costs a small constant multiple of one evaluation of $f$, however
# many inputs there are: the *cheap gradient principle* (Griewank & Walther 2008,
# *Evaluating Derivatives*, 2nd ed., SIAM; also Baydin et al. 2018,
# "Automatic differentiation in machine learning: a survey", JMLR 18, §3.2). The price is **memory**: the tape keeps every
# intermediate of the forward pass that the backward pass needs (here only $r$,
# $n$ numbers, since the Jacobians of $z - y$ and of $Xx$ do not depend on $z$;
# in a neural network, the activations of every layer), so the
# storage grows with the number of operations in the program (same reference,
# §3.2). (The other order, *forward mode*, pushes a direction $v$ through the
# program with the Jacobians untransposed and returns one directional derivative
# $\nabla f \cdot v$ per pass: $d$ passes for a full gradient, like finite
# differences but without their rounding trade-off; same survey, §3.1. In the
# frameworks' terms, reverse mode computes vector-Jacobian products (VJPs, $u^\top
# J$) and forward mode Jacobian-vector products (JVPs, $Jv$).)
#
# **A Jacobian that depends on the point.** Above, every Jacobian was a constant
# matrix. A neural-network layer $s = \sigma(Wx)$, with $W$ an $n \times d$ matrix
# and the sigmoid $\sigma(z) = 1/(1 + e^{-z})$ applied to each entry, is $z = Wx$
# (Jacobian $W$) followed by the elementwise $\sigma$, whose Jacobian is diagonal:
# $\partial s_i / \partial z_j = \sigma'(z_i)$ if $i = j$ and $0$ otherwise, with
# $\sigma'(z) = e^{-z}/(1 + e^{-z})^2 = \sigma(z)(1 - \sigma(z))$. The chain rule
# gives $J_s(x) = \operatorname{diag}(\sigma'(Wx))\, W$, and the backward pass
# multiplies an incoming gradient $\bar s$ by its transpose, $\bar x = W^\top
# \operatorname{diag}(\sigma'(z))\, \bar s = W^\top (\sigma'(z) \odot \bar s)$: an
# elementwise product, then a product with $W^\top$ (the diagonal matrix is never
# formed). This time the tape must keep $z$ or $s$, since the Jacobian depends on
# it. With the loss $\tfrac12\|s - t\|^2$ on top ($\bar s = s - t$), checked
# against central differences:

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


layer_rng = np.random.default_rng(2)
W, target = layer_rng.normal(size=(n, d)), layer_rng.uniform(size=n)    # a layer R^3 -> R^5, a target t


def layer_loss_and_gradient(x):
    """Reverse mode by hand through s = sigmoid(W x) and the loss |s - t|^2 / 2."""
    z = W @ x                              # forward (z, or s, is kept on the tape)
    s = sigmoid(z)
    loss = 0.5 * np.sum((s - target) ** 2)
    s_bar = s - target                     # backward through the loss
    z_bar = s * (1 - s) * s_bar            # through sigma: times diag(sigma'(z)), elementwise
    return loss, W.T @ z_bar               # through Wx: times W transposed


s_x = sigmoid(W @ x)
jacobian_layer = (s_x * (1 - s_x))[:, None] * W                      # diag(sigma'(Wx)) W
jacobian_layer_fd = np.array([calculus.numerical_gradient(lambda v: sigmoid(W @ v)[i], x)
                              for i in range(n)])                    # row i: gradient of s_i
layer_bar = layer_loss_and_gradient(x)[1]
layer_bar_fd = calculus.numerical_gradient(lambda v: layer_loss_and_gradient(v)[0], x)
print(f"Jacobian, largest difference to finite differences: {np.abs(jacobian_layer - jacobian_layer_fd).max():.1e}")
print("reverse mode:", layer_bar.round(8), "\nfinite diff.:", layer_bar_fd.round(8))
assert np.allclose(jacobian_layer, jacobian_layer_fd, rtol=1e-6, atol=1e-9)
assert np.allclose(layer_bar, layer_bar_fd, rtol=1e-6, atol=1e-9)
assert np.allclose(layer_bar, jacobian_layer.T @ (s_x - target), rtol=1e-12)   # x_bar = J^T s_bar

# %% [markdown]
# **When a value is used twice.** The pass above was a straight chain. Often an
# intermediate feeds several later operations, and then its gradient is a *sum*
# over the paths to the loss: $f$ depends on it through each consumer, and
# the multivariate chain rule adds the contributions. Take $f(x, y) = \sin(xy) +
# (xy)^2$, where $a = xy$ fans out to two nodes:
#
# ```
# x --+                +--> b = sin(a) --+
#     +--> a = x * y --+                 +--> f = b + c
# y --+                +--> c = a ** 2 --+
# ```
#
# Backwards, $\bar f = 1$ gives $\bar b = \bar c = 1$, and $a$ collects from both
# branches: $\bar a = \bar b \cos a + \bar c\, 2a$; then $\bar x = \bar a\, y$ and
# $\bar y = \bar a\, x$. Forgetting to add, keeping only the last branch's term, is a
# backpropagation bug that a gradient check catches:

# %%
def fan_out_and_gradient(p, accumulate=True):
    """f = sin(a) + a^2 with a = x y; reverse mode by hand."""
    x, y = p
    a = x * y                                  # forward: a fans out to b and c
    b, c = np.sin(a), a**2
    f_value = b + c
    b_bar = c_bar = 1.0                        # backward through f = b + c
    a_bar = 0.0
    a_bar += b_bar * np.cos(a)                 # path through b
    if accumulate:
        a_bar += c_bar * 2 * a                 # path through c: ADD it
    else:
        a_bar = c_bar * 2 * a                  # BUG: overwrites the first path
    return f_value, np.array([a_bar * y, a_bar * x])   # a = x y: da/dx = y, da/dy = x


fan_point = np.array([0.7, -1.3])
errors_fan = {accumulate: calculus.check_grad(lambda q: fan_out_and_gradient(q)[0],
                                              lambda q: fan_out_and_gradient(q, accumulate)[1], fan_point)
              for accumulate in (True, False)}
print(f"gradient check, accumulated: {errors_fan[True]:.1e};  overwritten: {errors_fan[False]:.2f}")
a_fan = fan_point.prod()
assert np.allclose(fan_out_and_gradient(fan_point)[1], (np.cos(a_fan) + 2 * a_fan) * fan_point[::-1])
assert errors_fan[True] < 1e-8 and errors_fan[False] > 0.1

# %% [markdown]
# You write backpropagation by hand for a small network in chapter 09; finite
# differences stay the tool to *check* such code, which is the next section.

# %% [markdown]
# ## 7. Gradient checking
#
# Deriving a gradient by hand is error-prone, and a wrong gradient fails quietly:
# gradient descent still runs, just badly. The cure is to **check** the analytic
# gradient $g$ against the numerical one $g_{\text{fd}}$ at a random point, with
# the relative error
#
# $$\frac{\|g - g_{\text{fd}}\|}{\|g\| + \|g_{\text{fd}}\|}.$$
#
# Relative, so that multiplying $f$ by a constant does not change the verdict. A
# correct gradient gives a tiny number (near $10^{-10}$ for a well-scaled problem
# in float64; how tiny is discussed below). A bug that scales the whole gradient by
# a factor $c$ gives $|c - 1| / (|c| + 1)$: $1/3$ for $c = 1/2$, $1$ for a flipped
# sign, but only $0.005$ for $c = 1.01$.
#
# Our example is the gradient of Himmelblau's function from section 2. The function
# is a sum of two squares, $f = u^2 + v^2$ with $u = x^2 + y - 11$ and
# $v = x + y^2 - 7$, so the chain rule gives $\nabla f = 2u\,\nabla u + 2v\,\nabla v$.
# Below are two hand-written versions of it. The second has a common bug: it forgot
# the 2 that comes down from each square.

# %%
def grad_himmelblau(p):
    x, y = p
    u, v = x**2 + y - 11, x + y**2 - 7
    return np.array([2 * u * 2 * x + 2 * v,      # 2u du/dx + 2v dv/dx
                     2 * u + 2 * v * 2 * y])     # 2u du/dy + 2v dv/dy


def grad_himmelblau_buggy(p):
    x, y = p
    u, v = x**2 + y - 11, x + y**2 - 7
    return np.array([u * 2 * x + v,              # BUG: the 2 from each square is missing
                     u + v * 2 * y])


rng = np.random.default_rng(0)
point = rng.uniform(-4, 4, size=2)              # a random point: no special cancellations
check_point = point.copy()                      # (appendix 10 checks here again, in float32)
error_correct = calculus.check_grad(himmelblau.f, grad_himmelblau, point)
error_buggy = calculus.check_grad(himmelblau.f, grad_himmelblau_buggy, point)
print(f"at ({point[0]:.3f}, {point[1]:.3f}):")
print(f"relative error, correct gradient: {error_correct:.1e}")
print(f"relative error, buggy gradient:   {error_buggy:.4f}")

assert error_correct < 1e-8
assert np.isclose(error_buggy, 1 / 3, atol=1e-6)

# %% [markdown]
# Why exactly $1/3$? The buggy gradient is half the true one: $\|g/2 - g\| /
# (\|g/2\| + \|g\|) = \tfrac12 / \tfrac32$. Flipping the sign of the whole vector
# gives exactly 1; flipping one component $g_i$ gives $2|g_i| / 2\|g\| = |g_i| /
# \|g\|$, which is small when that component is (measured below).
#
# **How tiny is "tiny"?** The figure below repeats the check at this point for
# every step $h$. For the correct gradient the relative error is the V of section 5:
# round-off on the left (it grows as $1/h$), truncation on the right (as $h^2$), and
# at the default $h = 10^{-6}$ it is near $10^{-10}$. The dashed line is the
# round-off model of section 5 divided by the gradient, $\varepsilon |f| / (2h\|g\|)$:
# an **order-of-magnitude guide**, not a bound (appendix 10 measures correct
# gradients above it: a large $|f|$, a point near a minimum, 300 dimensions,
# float32). The buggy gradient gives $1/3$ at every step. So read anything many
# orders of magnitude above $10^{-10}$ as a bug to look for, and when in doubt check
# at a second step: a correct gradient's error moves with $h$, a bug's stays put.

# %%
hs_check = np.logspace(-10, -1, 91)
check_correct = np.array([calculus.check_grad(himmelblau.f, grad_himmelblau, point, h=s) for s in hs_check])
check_buggy = np.array([calculus.check_grad(himmelblau.f, grad_himmelblau_buggy, point, h=s) for s in hs_check])
gradient_point = himmelblau.grad(point)
guide_check = eps * himmelblau.f(point) / (2 * hs_check * np.linalg.norm(gradient_point))

fig, ax = plt.subplots(figsize=style.FIGSIZE["single"], layout="constrained")
ax.loglog(hs_check, check_buggy, color=COLORS["vermillion"], marker="s", markevery=10,
          label="buggy gradient (the 2 forgotten)")
ax.loglog(hs_check, check_correct, color=COLORS["blue"], marker="o", markevery=10, label="correct gradient")
ax.loglog(hs_check, guide_check, color="black", linestyle="--", linewidth=1,
          label=r"guide $\varepsilon |f| / (2h\|g\|)$")
ax.axvline(1e-6, color="grey", linestyle=":", label="default $h = 10^{-6}$")
ax.set(xlabel="step $h$ (log scale)", ylabel="relative error of the check (log scale)",
       title=f"Gradient check at ({point[0]:.2f}, {point[1]:.2f}) against the step", ylim=(1e-13, 3))
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=8);   # outside: off the V

# %%
i_default = np.argmin(np.abs(np.log(hs_check / 1e-6)))
print(f"correct gradient: error {check_correct[i_default]:.1e} at h = 1e-6, smallest {check_correct.min():.1e} "
      f"at h = {hs_check[check_correct.argmin()]:.0e}; {check_correct[0]:.1e} at h = 1e-10, "
      f"{check_correct[-1]:.1e} at h = 1e-1")
print(f"buggy gradient: from {check_buggy.min():.4f} to {check_buggy.max():.4f}")
one_sign_flipped = gradient_point * [1, -1]
error_one_sign = calculus.check_grad(himmelblau.f, lambda q: one_sign_flipped, point)
print(f"sign of g_y flipped: {error_one_sign:.4f}  (|g_y| / |g| = "
      f"{abs(gradient_point[1]) / np.linalg.norm(gradient_point):.4f})")
assert 1e-11 < check_correct[i_default] < 1e-9                    # near 1e-10 at the default step
assert check_correct[0] > 10 * check_correct[i_default]           # left arm: round-off
assert check_correct[-1] > 1e4 * check_correct[i_default]         # right arm: truncation
assert 0.1 < guide_check[i_default] / check_correct[i_default] < 10   # guide: the same order here
assert np.allclose(check_buggy, 1 / 3, atol=0.01)                 # the bug: 1/3 at every step
assert np.isclose(error_one_sign, abs(gradient_point[1]) / np.linalg.norm(gradient_point), rtol=1e-6)
assert np.isclose(error_one_sign, 0.085, atol=0.001)
for c in [0.5, 1.01]:                                            # a wrong factor c: |c - 1| / (|c| + 1)
    error_c = calculus.check_grad(himmelblau.f, lambda q: c * grad_himmelblau(q), point)
    assert np.isclose(error_c, abs(c - 1) / (abs(c) + 1), rtol=1e-4)

# %% [markdown]
# A factor far from 1 or a flipped sign of the whole gradient gives an error near
# $10^{-1}$ to $1$; a factor close to 1 gives less ($0.005$ for $c = 1.01$), and a
# wrong sign in one component gives $|g_i| / \|g\|$ ($0.085$ here).
#
# Check at a random point, not at a special one. At the minimum the gradient is
# zero and any relative error is noise; at a point such as $w = 0$ every term that
# is multiplied by $w$ vanishes, so a bug in such a term goes unseen. Stay away
# from kinks too ($|w|$ at 0, a ReLU at 0): there is no derivative there, and a
# difference that straddles the kink averages the two slopes (for $|x|$ at
# $x = 10^{-7}$ with $h = 10^{-6}$ the central difference gives $0.1$, not 1). (At a kink a convex function such as $|w|$ still has
# *subgradients*: the slopes $g$ with $f(y) \ge f(x) + g\,(y - x)$ for all $y$, here
# every $g$ in $[-1, 1]$ at $w = 0$; chapter 07 takes steps with one.) And check every gradient you write: it takes one line. In the exercises you derive the gradient
# of the linear-regression loss (chapter 03) and check it the same way.

# %%
kink_difference = calculus.derivative(np.abs, 1e-7, h=1e-6)
print(f"central difference of |x| at x = 1e-7, h = 1e-6: {kink_difference:.3g}")
assert np.isclose(kink_difference, 0.1)   # a step across the kink of |x|: 0.1, not 1

# %% [markdown]
# ## 8. The Hessian: curvature in several dimensions
#
# ### First, eigenvalues and eigenvectors of a 2×2 matrix
#
# A matrix $A$ turns a vector $v$ into a new vector $Av$, in general pointing
# somewhere else. An **eigenvector** is a direction the matrix does not turn, only
# stretches: $Av = \lambda v$, and the stretch factor $\lambda$ is its
# **eigenvalue**. Take
#
# $$A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}: \qquad
#   A \begin{pmatrix} 1 \\ 1 \end{pmatrix} = \begin{pmatrix} 3 \\ 3 \end{pmatrix}
#   = 3 \begin{pmatrix} 1 \\ 1 \end{pmatrix}, \qquad
#   A \begin{pmatrix} 1 \\ -1 \end{pmatrix} = \begin{pmatrix} 1 \\ -1 \end{pmatrix}
#   = 1 \cdot \begin{pmatrix} 1 \\ -1 \end{pmatrix},$$
#
# so $(1, 1)$ is an eigenvector with $\lambda = 3$ and $(1, -1)$ one with
# $\lambda = 1$, while $A(1, 0) = (2, 1)$ is turned. (To find them without a guess:
# $Av = \lambda v$ has a nonzero solution only if $\det(A - \lambda I) = (2 -
# \lambda)^2 - 1 = 0$, i.e. $\lambda = 1$ or $3$.) A **symmetric** matrix, like this
# one and like every Hessian below, has real eigenvalues, and its eigenvectors can be
# chosen at right angles to each other (the spectral theorem; Strang 2016, *Introduction to Linear
# Algebra*, 5th ed., §6.4). In the coordinates of its unit eigenvectors $q_i$ it is
# just a stretch: $A = Q \Lambda Q^\top$ ($Q$ has the $q_i$ as columns, $\Lambda$
# the $\lambda_i$ on its diagonal), so $x^\top A x = (Q^\top x)^\top \Lambda (Q^\top x)
# = \sum_i \lambda_i (q_i \cdot x)^2$. So when $A$ is
# **positive definite** (all $\lambda_i > 0$), the curve $x^\top A x = 1$ is an
# ellipse whose half-axes point along the $q_i$ and have lengths $1/\sqrt{\lambda_i}$:
# short where $\lambda$ is large. (With eigenvalues of both signs it is a hyperbola:
# $\begin{pmatrix} 1 & 2 \\ 2 & 1 \end{pmatrix}$ has $\lambda = -1, 3$.) `np.linalg.eigh`
# computes the eigenvalues (in increasing order) and unit eigenvectors (the columns):

# %%
A = np.array([[2.0, 1.0], [1.0, 2.0]])
lambdas, Q = np.linalg.eigh(A)
print("eigenvalues:", lambdas, "\neigenvectors (columns):\n", Q)

assert np.allclose(lambdas, [1, 3])
assert np.allclose(A @ Q, Q * lambdas)                       # A q_i = lambda_i q_i
assert np.isclose(Q[:, 0] @ Q[:, 1], 0)                      # at right angles
assert np.allclose(np.abs(Q[:, 1]), [1 / np.sqrt(2)] * 2)    # along (1, 1)
x = np.array([0.3, -1.7])                                    # x^T A x = sum lambda_i (q_i . x)^2
assert np.isclose(x @ A @ x, np.sum(lambdas * (Q.T @ x) ** 2))

# %% [markdown]
# In a picture: the unit circle (left, dotted) and its image under $A$ (solid). Each
# dashed arrow is a unit vector $u$ (its hollow head on the circle), the solid arrow
# of the same colour is $Au$. The eigenvectors keep their direction and are
# stretched by 1 (so $Au = u$: one arrow) and 3; $(1, 0)$ is turned. Right: the ellipse $x^\top A x = 1$, with half-axes $1/\sqrt{3}$ and $1$.

# %%
fig, (ax_map, ax_ell) = plt.subplots(1, 2, figsize=(9, 4.3), layout="constrained")
angles = np.linspace(0, 2 * np.pi, 200)
circle = np.stack([np.cos(angles), np.sin(angles)])
ax_map.plot(*circle, color="grey", linestyle=":", label="unit vectors $u$")
ax_map.plot(*(A @ circle), color="black", label="their images $Au$")
arrow_specs = [(Q[:, 1], COLORS["blue"], f"eigenvector $q_2$, $\\lambda_2$ = {lambdas[1]:g}"),
               (Q[:, 0], COLORS["bluish_green"], f"eigenvector $q_1$, $\\lambda_1$ = {lambdas[0]:g}"),
               (np.array([1.0, 0.0]), COLORS["vermillion"], "$u = (1, 0)$: turned")]
for v, color, label in arrow_specs:
    same = np.allclose(A @ v, v)
    ax_map.annotate("", A @ v, (0, 0), zorder=3, arrowprops=dict(   # Au: solid, tip exactly at A u
        arrowstyle="-|>", color=color, lw=2, shrinkA=0, shrinkB=0))
    if not same:                                             # u: dashed, hollow head on the unit circle
        ax_map.annotate("", v, (0, 0), zorder=4, arrowprops=dict(
            arrowstyle="-|>,head_width=0.4,head_length=0.8", ec=color, fc="white", lw=1.5,
            linestyle="--", shrinkA=0, shrinkB=0))
    ax_map.plot([], [], color=color, lw=2,
                label=label + (" ($Au = u$: one arrow)" if same else " (dashed $u$, hollow head; solid $Au$)"))
ax_map.set(xlim=(-3.2, 3.2), ylim=(-3.2, 3.2), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
           title="$A$ stretches its eigenvectors, turns the rest")
ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=7)   # outside: off the ellipse

ax_ell.plot(*(Q @ (circle / np.sqrt(lambdas)[:, None])), color="black",
            label=r"$x^\top A x = 1$")
for lam, q, color, marker in [(lambdas[1], Q[:, 1], COLORS["blue"], "o"),
                              (lambdas[0], Q[:, 0], COLORS["bluish_green"], "s")]:
    end = q / np.sqrt(lam)
    ax_ell.plot([0, end[0]], [0, end[1]], color=color, lw=2, marker=marker, markevery=[1],
                label=f"half-axis $1/\\sqrt{{{lam:g}}}$ = {1 / np.sqrt(lam):.2f}")
ax_ell.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
           title=r"The level curve $x^\top A x = 1$")
ax_ell.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=8);   # outside: off the ellipse

# %% [markdown]
# ### The Hessian
#
# In one dimension $f''$ says how the slope changes: positive, the curve bends up
# (a valley); negative, it bends down (a hill). With several variables there is a
# second derivative for every pair of them, collected in the **Hessian** matrix
#
# $$H = \nabla^2 f = \begin{pmatrix} \partial^2 f / \partial x^2 & \partial^2 f / \partial x \partial y \\
#                     \partial^2 f / \partial y \partial x & \partial^2 f / \partial y^2 \end{pmatrix},$$
#
# which is symmetric when the second partial derivatives are continuous (then the
# order of differentiation does not matter: Schwarz's theorem), as they are for
# the test functions and losses of chapters 02–09, with two exceptions: the L1 penalty
# $\lambda \sum_j |w_j|$ of chapter 07 has no derivative at $w_j = 0$, and the ReLU
# activation $\max(0, a)$ used in chapters 07 and 09 has none at $a = 0$. (Chapter 10
# goes further: its 0-1 loss is piecewise constant, with jumps, and the hinge loss it
# mentions has a kink.) The Hessian is the $f''$ of the second-order Taylor model in
# several dimensions:
#
# $$f(p + d) \approx f(p) + \nabla f(p) \cdot d + \tfrac12\, d^\top H d.$$
#
# At a **stationary point**, where $\nabla f(p) = 0$, only the last term is left.
# Step a distance $t$ along a unit eigenvector $v$ of $H$ ($Hv = \lambda v$) and
# $f$ changes by $\tfrac12 \lambda t^2$: each eigenvalue is the curvature along its
# eigenvector, and near $p$ the contour lines are ellipses as in the primer above
# (hyperbolas when the eigenvalues have both signs). So the signs of the eigenvalues
# classify the point. The test is *local*: it compares $p$ with the points near it
# only. A **strict local minimum** is lower than every other point of some
# neighbourhood; a **global minimum** is lowest everywhere. The double well's right
# valley (section 1) is a local minimum but not the global one: the left valley is
# lower.
#
# | eigenvalues | every direction... | the point is |
# | --- | --- | --- |
# | all $> 0$ | curves up | a strict local minimum |
# | all $< 0$ | curves down | a strict local maximum |
# | some $> 0$, some $< 0$ | up in some, down in others | a saddle |
#
# The third row holds even if other eigenvalues are 0. The one case second
# derivatives cannot settle is some eigenvalues 0 and all the others of one sign:
# then the higher-order terms decide, as in $x^2 + y^4$ (a minimum at the origin)
# and $x^2 - y^4$ (a saddle), whose Hessians at the origin are both
# $\mathrm{diag}(2, 0)$.
#
# Read the other way round, this gives the **necessary conditions** for a local
# minimum of a function with continuous second derivatives: $\nabla f(p) = 0$ (else
# a small step along $-\nabla f$ goes down, section 3) and no eigenvalue of $H$ is
# negative (else $f$ changes by $\tfrac12 \lambda t^2 < 0$, to second order, along its
# eigenvector: a small step that way goes down). The table's first row is a *sufficient* condition; $x^2 + y^4$ shows it is not a
# necessary one.
#
# The same test, applied everywhere instead of at one point, decides **convexity**
# (by definition: every chord of the graph lies on or above the graph; chapter 02
# draws it), which chapters 02 and 03 use: a twice-differentiable function (on an open convex
# domain such as $\mathbb{R}^d$) is convex exactly when its Hessian has no negative
# eigenvalue anywhere (Boyd & Vandenberghe 2004, *Convex Optimization*, §3.1.4).
# A quadratic $\tfrac12 x^\top A x - b^\top x$ with a symmetric $A$ has the Hessian $A$
# everywhere, so it is convex exactly when the eigenvalues of $A$ are $\ge 0$. (For
# a non-symmetric $A$ the Hessian is the symmetric part $\tfrac12(A + A^\top)$, and
# the eigenvalues of $A$ itself can mislead: $A = \begin{pmatrix} 1 & 10 \\ 0 & 1
# \end{pmatrix}$ has eigenvalues 1 and 1, its symmetric part $-4$ and $6$, and
# $\tfrac12 x^\top A x = -4$ at $x = (1, -1)$: not convex.)
#
# Three stationary points to classify: Rosenbrock's minimum
# $(1, 1)$, the centre of the saddle $x^2 - y^2$, and the hilltop of Himmelblau's
# function, which we locate by asking `scipy.optimize.root` where the gradient is
# zero.

# %%
def classify(eigenvalues):
    if np.all(eigenvalues > 0):
        return "local minimum"
    if np.all(eigenvalues < 0):
        return "local maximum"
    if np.any(eigenvalues > 0) and np.any(eigenvalues < 0):
        return "saddle"
    return "cannot tell (an eigenvalue is 0, the others share a sign)"


assert classify(np.array([2.0, -2.0, 0.0])) == "saddle"          # mixed signs: a saddle anyway
left_valley, right_valley = np.sort(double_well.minima[:, 0])
assert f(left_valley) < f(right_valley) - 2                      # the right valley is only local
A_skew = np.array([[1.0, 10.0], [0.0, 1.0]])                     # not symmetric
assert np.allclose(np.linalg.eigvals(A_skew), [1, 1])            # its eigenvalues look convex ...
assert np.allclose(np.linalg.eigvalsh((A_skew + A_skew.T) / 2), [-4, 6])   # ... its Hessian's do not:
assert 0.5 * np.array([1, -1]) @ A_skew @ np.array([1, -1]) == -4          # below the value 0 at 0
bowl_quartic = lambda q: q[0] ** 2 + q[1] ** 4                   # a minimum at the origin
saddle_quartic = lambda q: q[0] ** 2 - q[1] ** 4                 # a saddle at the origin
origin = np.zeros(2)
for g in (bowl_quartic, saddle_quartic):
    hessian = calculus.numerical_hessian(g, origin)
    assert np.allclose(hessian, np.diag([2.0, 0.0]), atol=1e-6)   # the same Hessian, diag(2, 0)
    assert classify(np.round(np.linalg.eigvalsh(hessian), 6)).startswith("cannot tell")
t = np.array([-0.3, -0.1, 0.1, 0.3])
assert np.all(bowl_quartic(np.stack([0 * t, t])) > 0)            # up along y: a minimum
assert np.all(saddle_quartic(np.stack([0 * t, t])) < 0)          # down along y, up along x:
assert np.all(saddle_quartic(np.stack([t, 0 * t])) > 0)          # a saddle

hilltop = scipy.optimize.root(himmelblau.grad, x0=[-0.3, -0.9], jac=himmelblau.hess).x
stationary = {"Rosenbrock": (rosenbrock, np.array([1.0, 1.0])),
              "Saddle": (saddle, np.array([0.0, 0.0])),
              "Himmelblau": (himmelblau, hilltop)}
kinds = {}
for name, (surface, point) in stationary.items():
    assert np.linalg.norm(surface.grad(point)) < 1e-10       # it is a stationary point
    eigenvalues, eigenvectors = np.linalg.eigh(surface.hess(point))
    kinds[name] = classify(eigenvalues)
    print(f"{name:10} at ({point[0]:+.4f}, {point[1]:+.4f}): eigenvalues "
          f"{np.array2string(eigenvalues, precision=4)} -> {kinds[name]}")
    for lam, v in zip(eigenvalues, eigenvectors.T):   # curvature along each eigenvector
        t = 1e-3
        assert np.isclose(surface.f(point + t * v) - surface.f(point), 0.5 * lam * t**2, rtol=1e-3)

assert kinds == {"Rosenbrock": "local minimum", "Saddle": "saddle", "Himmelblau": "local maximum"}

# %% [markdown]
# The same test finds every flat point of Himmelblau's function promised in
# section 3: start `scipy.optimize.root` from a grid of points, keep the distinct
# solutions, classify each.

# %%
found = []
for start in np.stack(np.meshgrid(np.linspace(-4.5, 4.5, 10), np.linspace(-4.5, 4.5, 10))).reshape(2, -1).T:
    solution = scipy.optimize.root(himmelblau.grad, x0=start, jac=himmelblau.hess)
    if solution.success and not any(np.allclose(solution.x, q, atol=1e-6) for q in found):
        found.append(solution.x)
counts = {}
for q in found:
    kind = classify(np.linalg.eigvalsh(himmelblau.hess(q)))
    counts[kind] = counts.get(kind, 0) + 1
print(f"{len(found)} stationary points:", counts)
assert counts == {"local minimum": 4, "saddle": 4, "local maximum": 1}

# %% [markdown]
# Rosenbrock's minimum is a strict local minimum (also the global one: $f$ is a sum of
# squares and $f(1, 1) = 0$), but look at its eigenvalues: about 0.4 and 1000. Along
# any unit direction $u$ the curvature is $u^\top H u = \sum_i \lambda_i (q_i \cdot
# u)^2$ (the primer's formula), an average of the eigenvalues with weights
# $(q_i \cdot u)^2$ that sum to 1: it always lies between $\lambda_{\min}$ and
# $\lambda_{\max}$, reached along the eigenvectors. So the valley is 2500 times more
# curved across than along, a long narrow trough. That ratio
# $\lambda_{\max} / \lambda_{\min}$ is the **condition number**. A large one is one
# reason gradient descent zig-zags and crawls
# ([chapters 02](02_gradient_descent.ipynb) and 05); on Rosenbrock's function the
# bend of the valley adds to it.

# %%
eigenvalues = np.linalg.eigvalsh(rosenbrock.hess(np.array([1.0, 1.0])))
condition_number = eigenvalues.max() / eigenvalues.min()
print(f"condition number at Rosenbrock's minimum: {condition_number:.0f}")
assert 2400 < condition_number < 2600
assert rosenbrock.f(np.array([1.0, 1.0])) == 0                  # a sum of squares at 0: the global minimum
angles_u = np.linspace(0, np.pi, 1801)                           # unit directions, 0.1 degree apart
units = np.stack([np.cos(angles_u), np.sin(angles_u)])
curvatures = np.einsum("in,ij,jn->n", units, rosenbrock.hess(np.array([1.0, 1.0])), units)
assert np.all((curvatures >= eigenvalues.min() - 1e-9) & (curvatures <= eigenvalues.max() + 1e-9))
assert np.isclose(curvatures.min(), eigenvalues.min(), rtol=0.01)   # reached along the eigenvectors
assert np.isclose(curvatures.max(), eigenvalues.max(), rtol=1e-4)

# %% [markdown]
# Below, a close-up of each point: the true contour lines of $f$ (solid black) and
# those of the quadratic model $\tfrac12 d^\top H d$ (dashed orange), at the same
# heights. The arrows are the eigenvectors, each as long as the model's half-axis,
# $\sqrt{2c/|\lambda|}$ for the middle height $c$: blue where the surface curves up,
# vermillion where it curves down. On Rosenbrock the across-arrow is
# $\sqrt{2500} = 50$ times shorter than the along-arrow: drawn to scale, the
# ellipses would be slivers. So that panel is drawn in the coordinates of the
# eigenvectors, along and across the valley, with the vertical axis stretched 25
# times (the across-arrow looks half as long as the along-arrow instead of 50 times
# shorter). The other two panels have equal scales on both axes. In the saddle
# panel the black contours show only in the gaps of the dashed ones: the saddle
# function is itself a quadratic, so its second-order Taylor model is exact and
# the two sets of contours coincide (asserted).

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 4.6), layout="constrained")
windows = {"Rosenbrock": 0.15, "Saddle": 1.0, "Himmelblau": 0.5}
for ax, (name, (surface, point)) in zip(axes, stationary.items()):
    w = windows[name]
    H = surface.hess(point)
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    if name == "Rosenbrock":       # 50 times narrower than long: draw it in eigen-coordinates
        basis, (wx, wy), origin = eigenvectors, (w, w / 25), np.zeros(2)
    else:
        basis, (wx, wy), origin = np.eye(2), (w, w), point
    c = 0.5 * np.abs(eigenvalues).min() * (0.6 * w) ** 2       # middle height: long half-axis 0.6 w
    heights = c * np.array([0.25, 1.0, 2.25])
    levels = np.unique(np.concatenate([heights * np.sign(lam) for lam in eigenvalues]))
    ga, gb = np.meshgrid(np.linspace(-wx, wx, 301), np.linspace(-wy, wy, 301))
    d = np.einsum("ij,j...->i...", basis, np.stack([ga, gb]))  # the step, in x-y coordinates
    true = surface.f(point[:, None, None] + d) - surface.f(point)
    model = 0.5 * np.einsum("i...,ij,j...->...", d, H, d)
    if name == "Saddle":           # a quadratic: its Taylor model is exact, the contours coincide
        assert np.allclose(true, model, atol=1e-12)
    ax.contour(origin[0] + ga, origin[1] + gb, true, levels=levels, colors="black", linewidths=1.2,
               negative_linestyles="solid")
    ax.contour(origin[0] + ga, origin[1] + gb, model, levels=levels, colors=COLORS["orange"],
               linewidths=1.6, linestyles="--")
    for k, (lam, v) in enumerate(zip(eigenvalues, eigenvectors.T)):
        color = COLORS["blue"] if lam > 0 else COLORS["vermillion"]
        half_axis = np.sqrt(2 * c / abs(lam))
        for sign in (1, -1):
            ax.annotate("", origin + sign * half_axis * (basis.T @ v), origin,
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=2.2), zorder=9)
        ax.text(0.5, -0.2 - 0.09 * k, f"λ = {lam:.4g}, half-axis {half_axis:.2g}", color=color,
                transform=ax.transAxes, fontsize=9, fontweight="bold", ha="center", va="top")
    ax.plot(*origin, "o", color="black", markersize=5, zorder=10)
    ax.set(xlim=(origin[0] - wx, origin[0] + wx), ylim=(origin[1] - wy, origin[1] + wy),
           xlabel="$x$", ylabel="$y$", title=f"{name}: a {kinds[name]}")
    if name == "Rosenbrock":
        ax.set(xlabel="along the valley (eigenvector of the small λ)",
               ylabel="across (eigenvector of the large λ)",
               title="Rosenbrock: a minimum\n(eigen-coordinates; vertical scale ×25)")
    else:
        ax.set_aspect("equal")
axes[0].plot([], [], color="black", label="$f - f(p)$")
axes[0].plot([], [], color=COLORS["orange"], linestyle="--", label=r"model $\frac{1}{2} d^\top H d$")
axes[0].legend(loc="upper left", fontsize=8);

# %% [markdown]
# ### The Hessian by finite differences
#
# The Hessian is the derivative of the gradient, so its columns are central
# differences of the gradient: column $j$ is $(\nabla f(x + h e_j) - \nabla f(x - h e_j)) / 2h$.
# When you only have $f$, second differences of $f$ do it too, less accurately
# (dividing by $h^2$ magnifies round-off). `calculus.numerical_hessian` does both:

# %%
for name, (surface, point) in stationary.items():
    exact = surface.hess(point)
    from_gradient = calculus.numerical_hessian(surface.grad, point)
    from_values = calculus.numerical_hessian(surface.f, point)
    error_gradient = np.linalg.norm(from_gradient - exact) / np.linalg.norm(exact)
    error_values = np.linalg.norm(from_values - exact) / np.linalg.norm(exact)
    print(f"{name:10}  relative error: from the gradient {error_gradient:.1e}, "
          f"from f alone {error_values:.1e}")
    assert error_gradient < 1e-9 and error_values < 1e-6

# %% [markdown]
# ## What's next: the gradient tells gradient descent where to go
#
# Put sections 3 and 4 together. A step of length $\eta\|\nabla f\|$ against the
# gradient, $x \to x - \eta \nabla f(x)$, changes $f$, by the first-order model, by
# $\nabla f \cdot (-\eta \nabla f) = -\eta \|\nabla f\|^2$: downhill, as fast as any
# step of that length can go. On Himmelblau at $p$ with $\eta = 10^{-4}$:

# %%
eta = 1e-4
predicted = -eta * steepest**2
actual = himmelblau.f(p - eta * gradient) - himmelblau.f(p)
print(f"predicted change {predicted:.4f}, actual change {actual:.4f}")
assert actual < 0 and np.isclose(actual, predicted, rtol=0.05)

# %% [markdown]
# The prediction holds for small steps. How large may $\eta$ be before the
# first-order model, and the descent with it, breaks down? That is
# [chapter 02](02_gradient_descent.ipynb).
#
# ## Summary
#
# - The derivative $f'(x_0)$ is the slope of the tangent line, the limit of secant
#   slopes; it is zero at a minimum, and where it is not zero a small step against
#   it goes downhill.
# - The gradient $\nabla f$ collects the partial derivatives. The slope along a unit
#   direction $u$ is $\nabla f \cdot u$: largest along $\nabla f$, where it equals
#   $\|\nabla f\|$ (steepest ascent), smallest along $-\nabla f$ (steepest descent),
#   zero along the contour lines.
# - Taylor models: the tangent line has an error $\propto h^2$ where $f''(x_0) \ne 0$,
#   the tangent parabola $\propto h^3$ where $f'''(x_0) \ne 0$ (a higher power
#   otherwise).
# - Finite differences estimate derivatives from values of $f$. The forward
#   difference's error is $\propto h$, the central one's $\propto h^2$, until
#   round-off ($\propto \varepsilon / h$) takes over: for $x$, $f$ and its
#   derivatives of size 1 the best steps in float64 are about $10^{-8}$ (forward) and
#   $10^{-5}$ (central). Far from 1 the step must be rethought (appendix 9).
# - Three rules cover most losses: $\nabla (a^\top x) = a$, $\nabla (x^\top A x) =
#   (A + A^\top) x$, $\nabla \tfrac12\|Xx - y\|^2 = X^\top(Xx - y)$. The chain
#   rule in several variables multiplies Jacobians: $\nabla (\ell \circ g) =
#   J_g^\top \nabla \ell$. Reverse-mode automatic differentiation applies it
#   backwards through a program, at a small multiple of the cost of $f$ and at the
#   price of memory for the intermediates.
# - Gradient checking compares a hand-written gradient with finite differences: a
#   relative error near the floor the problem allows means correct (the guide
#   $\varepsilon |f| / (2h\|g\|)$, near $10^{-10}$ for a well-scaled problem in
#   float64, is an order of magnitude, not a bound: errors exceed it for large $d$,
#   and near a minimum, where the truncation error is large next to the small
#   $\|g\|$; float32 raises it to ~$10^{-5}$: appendix 10); a forgotten factor 2
#   shows up as 1/3 (a factor close to 1, such as 1.01, only as 0.005).
# - An eigenvector of a symmetric matrix is only stretched, by its eigenvalue; the
#   level curves of $x^\top A x$ are, for a positive definite $A$, ellipses with
#   half-axes $1/\sqrt{\lambda_i}$ (hyperbolas when the eigenvalues have both signs).
# - The Hessian holds the second derivatives. At a stationary point the signs of its
#   eigenvalues tell a strict local minimum (all positive), a strict local maximum
#   (all negative) and a saddle (some of each); with zero eigenvalues and the rest of
#   one sign they cannot tell. Local, not global: a lower valley may lie elsewhere.
#   The ratio of the largest to the smallest is the condition number.
#
# ## Exercises
#
# Open [`exercises/01_calculus.ipynb`](../exercises/01_calculus.ipynb): write a
# central-difference gradient, derive two analytic gradients (one of them the
# gradient of the linear-regression loss), write your own gradient check, and
# classify stationary points by the eigenvalues of their Hessian.
# A `check(...)` call after each exercise tells you at once whether your code is
# right.

# %% [markdown]
# ## 9. Appendix: finite-difference round-off near 1 and far from 1
#
# Section 5 sized the step for $x$, $f$ and its derivatives of size 1. This appendix,
# for a second reading, first looks closer at section 5's round-off measurement,
# then shows what changes when the sizes are not 1.
#
# First, a detail of section 5: `calculus.numerical_gradient` uses $h = 10^{-6}$,
# a little below the central sweet spot $h \approx 7 \cdot 10^{-6}$. At $x$ of size 1
# that costs a factor of about 7 in round-off ($\varepsilon |f| / 2h$ grows as $1/h$)
# and buys $7^2 = 49$ times less truncation ($h^2 |f'''| / 6$). (Against the
# `derivative` default $10^{-5}$ the factors are 10 and 100.) That trade loses where
# round-off leads, as at section 7's check point, and wins where truncation leads:
# for $f = \sin 10x$ ($|f'''|$ up to 1000) on $[0.5, 1.5]$, $h = 10^{-6}$ is about 15
# times more accurate than $7 \cdot 10^{-6}$ and 30 times more than $10^{-5}$
# (measured below, mean of 41 points).

# %%
xs_wiggle = np.linspace(0.5, 1.5, 41)
wiggle_error = {step: np.mean([abs(calculus.derivative(lambda t: np.sin(10 * t), x, h=step) - 10 * np.cos(10 * x))
                               for x in xs_wiggle]) for step in (1e-6, 7e-6, 1e-5)}
print("sin 10x, mean error of the central difference:",
      ", ".join(f"h = {step:.0e}: {err:.1e}" for step, err in wiggle_error.items()))
assert 8 < wiggle_error[7e-6] / wiggle_error[1e-6] < 25        # truncation leads: the smaller step wins
assert 15 < wiggle_error[1e-5] / wiggle_error[1e-6] < 50

# %% [markdown]
# ### Near 1: the round-off side of section 5's figure
#
# Three numbers for the round-off side ($h \le 10^{-11}$) of section 5's
# measurement on $e^x$: the model against the averaged error; the model against the
# error at single points; and the two differences recomputed over the step the
# computer actually takes, $(x + h) - x$ and $(x + h) - (x - h)$, instead of $h$
# and $2h$.

# %%
roundoff = hs <= 1e-11
ratio_roundoff_f = np.median(model_forward[roundoff] / forward_error[roundoff])
ratio_roundoff_c = np.median(model_central[roundoff] / central_error[roundoff])
print(f"model / measured, round-off side (median): forward {ratio_roundoff_f:.1f}, central {ratio_roundoff_c:.1f}")
# at single points (not averaged), with each point's own f = f'' = f''' = e^x:
single_f = max((e.forward / (np.exp(x) * hs / 2 + eps * np.exp(x) / hs))[roundoff].max()
               for e, x in zip(errors, points))
single_c = max((e.central / (np.exp(x) * hs**2 / 6 + eps * np.exp(x) / (2 * hs)))[roundoff].max()
               for e, x in zip(errors, points))
print(f"largest measured / model at a single point: forward {single_f:.2f}, central {single_c:.2f}")
# the same 41 points, dividing by the step actually taken:
forward_taken = np.mean([np.abs((np.exp(x + hs) - np.exp(x)) / ((x + hs) - x) - np.exp(x)) for x in points], axis=0)
central_taken = np.mean([np.abs((np.exp(x + hs) - np.exp(x - hs)) / ((x + hs) - (x - hs)) - np.exp(x))
                         for x in points], axis=0)
fc_computed = np.median(forward_error[roundoff] / central_error[roundoff])
fc_taken = np.median(forward_taken[roundoff] / central_taken[roundoff])
gain_f = np.median(forward_error[roundoff] / forward_taken[roundoff])
gain_c = np.median(central_error[roundoff] / central_taken[roundoff])
print(f"forward / central error (median): {fc_computed:.2f} dividing by h and 2h,"
      f" {fc_taken:.2f} dividing by the step taken")
print(f"dividing by the step taken lowers the forward error {gain_f:.2f} times, the central one {gain_c:.2f} times")

# %%
assert 1 < ratio_roundoff_f < 6 and 1 < ratio_roundoff_c < 6   # round-off: on average below the model
assert single_f > 1.1 and single_c > 1.1                       # ... but not a bound: single points exceed it
assert 1.15 < fc_computed < 1.65                               # as computed: the curves nearly coincide
assert 1.7 < fc_taken < 2.5                                    # over the step taken: the models' factor 2
assert 1.6 < gain_c < 2.5 and 1.1 < gain_f < 1.6               # the rounding of x +- h hurts central more

# %% [markdown]
# On average the round-off lies a few times below the model, which gives each
# value of $f$ the full rounding $\tfrac12\varepsilon|f|$, while presumably the
# actual roundings are on average smaller and partly cancel (not tested here). But the model is not a bound: it leaves out the
# rounding of $x \pm h$, so at single points the error exceeds it (by up to 1.3
# times for the forward difference and 1.7 times for the central one here; printed
# above). That same rounding is why section 5's two measured curves nearly
# coincide: as computed, the forward error is only about 1.4 times the central
# one; divided by the step actually taken, it is about 2 times, the models' factor
# (printed and asserted above). Dividing by the step taken lowers the central
# error about 2 times and the forward error only about 1.3 times. This is why
# `calculus.numerical_gradient` divides by the step actually taken (section 5).
#
# ### Far from 1: two separate problems, two separate fixes
#
# At $x = 10^4$ the defaults fail, for two different reasons.
#
# **The scale of the curvature.** The model above still holds, but its sizes are
# not 1 any more. For $f = \sqrt{x}$ at $10^4$, $|f| = 100$ is large (so the
# round-off $\varepsilon |f| / h$ is large) and $|f''| = \tfrac14 x^{-3/2} =
# 2.5 \cdot 10^{-7}$ is tiny (so the truncation is small): the best forward step
# $h^* = \sqrt{2\varepsilon |f| / |f''|}$ is $4.2 \cdot 10^{-4}$, not $10^{-8}$. For a
# function that changes on the scale of $x$ itself ($\sqrt{x}$, $x^3$:
# $|f''| \sim |f| / x^2$) this is $h^* \sim \sqrt{\varepsilon}\,|x|$. Hence the usual
# rule of thumb: $h = \sqrt{\varepsilon}\,\max(1, |x|)$ for the forward difference and
# $\varepsilon^{1/3} \max(1, |x|)$ for the central one. (Press et al. 2007, *Numerical
# Recipes*, 3rd ed., §5.7, write $h \sim \sqrt{\varepsilon_f}\, x_c$ with $x_c$ the
# scale over which $f$ changes, and suggest $x_c \approx x$ only as a rough choice;
# the $\max(1, |x|)$ is common practice, not theirs.) Fix: **a larger step**.
#
# **The rounding of $x + h$.** Near $10^4$ float64 numbers are $1.8 \cdot 10^{-12}$
# apart, so $x + h$ is rounded by up to half that spacing, $9 \cdot 10^{-13}$ (in
# general at most $\tfrac12 \varepsilon |x|$): the step the computer takes is
# $(x + h) - x$, not $h$, and dividing by $h$ adds an error of up to about
# $|f'|\,\tfrac12 \varepsilon |x| / h$. The fix costs
# nothing and needs no larger step: compute the step actually taken and divide by
# it (*Numerical Recipes* §5.7: `temp = x + h; h = temp - x`). Fix: **an exactly
# representable step**.
#
# Which problem dominates depends on $f$. We measure each fix on its own, on
# $\sqrt{x}$ and $\sin x$, averaged over 41 points near $10^4$ as before.

# %%
def forward_exact_step(f, x, h):
    """Forward difference over the step the computer takes: temp = x + h; h = temp - x."""
    temp = x + h
    return (f(temp) - f(x)) / (temp - x)


def central_exact_step(f, x, h):
    plus, minus = x + h, x - h
    return (f(plus) - f(minus)) / (plus - minus)


far = {"sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x), 1e4 + np.linspace(-500, 500, 41)),
       "sin": (np.sin, np.cos, 1e4 + np.linspace(-0.5, 0.5, 41))}


def mean_error(name, difference, h):
    func, deriv, xs_far = far[name]
    return np.mean([abs(difference(func, x, h) - deriv(x)) for x in xs_far])


x_far = 1e4
h_rel = {order: float(calculus.relative_step(x_far, order)) for order in (1, 2)}
h_star_sqrt = np.sqrt(2 * eps * np.sqrt(x_far) / (0.25 * x_far ** -1.5))    # sqrt(2 eps |f| / |f''|)
fixes = {}
for name in far:
    fixes[name] = dict(
        plain=mean_error(name, forward_difference, 1e-8),                 # h = 1e-8 as it is
        exact=mean_error(name, forward_exact_step, 1e-8),                 # fix 2 only
        larger=mean_error(name, forward_difference, h_rel[1]),            # fix 1 only
        plain_c=mean_error(name, central_difference, 1e-5),
        exact_c=mean_error(name, central_exact_step, 1e-5))
    r = fixes[name]
    print(f"{name:4} forward h = 1e-8: {r['plain']:.1e};  exact step: {r['exact']:.1e};  "
          f"larger step {h_rel[1]:.1e}: {r['larger']:.1e}")
    print(f"{'':4} central h = 1e-5: {r['plain_c']:.1e};  exact step: {r['exact_c']:.1e}")
print(f"sqrt: h* = sqrt(2 eps |f| / |f''|) = {h_star_sqrt:.1e}")
# sqrt at h = 1e-8: the two parts of the forward error, averaged over the 41 points
func, deriv, xs_sqrt = far["sqrt"]
step_taken = (xs_sqrt + 1e-8) - xs_sqrt
part_step = np.mean(np.abs((func(xs_sqrt + 1e-8) - func(xs_sqrt)) * (1 / 1e-8 - 1 / step_taken)))
part_values = np.mean(np.abs(forward_exact_step(func, xs_sqrt, 1e-8) - deriv(xs_sqrt)))
print(f"sqrt, h = 1e-8: (x + h) - x is off from h by a relative {np.abs(step_taken / 1e-8 - 1).max():.1e}; "
      f"error from that {part_step:.1e}, from the rounding of the values {part_values:.1e}")

# %%
sq, sn = fixes["sqrt"], fixes["sin"]
assert np.isclose(np.spacing(x_far), 1.8e-12, rtol=0.02)          # float64 spacing at 1e4
assert np.isclose(h_star_sqrt, 4.2e-4, rtol=0.01)
assert sq["exact"] > sq["plain"] / 2                               # sqrt: the exact step barely helps,
assert 0.5 < part_step / part_values < 2                           # (two parts of the same size)
assert np.allclose(np.abs(step_taken / 1e-8 - 1), 8.0e-5, rtol=0.01)   # the same rounding at all 41 points
assert np.isclose(part_step, 4.0e-7, rtol=0.1) and np.isclose(part_values, 4e-7, rtol=0.25)
assert 1.1 < sq["plain"] / sq["exact"] < 1.6                       # the exact step: only ~1.3 x better
assert sq["larger"] < sq["plain"] / 1000                           # the larger step gains 3+ digits
assert sn["exact"] < sn["plain"] / 1000                            # sin: the exact step gains 3+ digits,
assert sn["exact_c"] < sn["plain_c"] / 100                         # for both differences,
assert sn["larger"] > 100 * sn["exact"]                            # the larger step loses them again

# %% [markdown]
# For $\sqrt{x}$ at $h = 10^{-8}$ the error has two parts of the same size (printed
# above): the rounding of $x + h$ (the step taken is off from $h$ by a relative
# $8 \cdot 10^{-5}$, times $|f'| = 0.005$: about $4 \cdot 10^{-7}$) and the round-off
# of the values themselves (at most about $\varepsilon |f| / h = 2 \cdot 10^{-6}$
# with $|f| = 100$; measured, about $4 \cdot 10^{-7}$ too). The exact step removes
# only the first, so the error drops by a factor of only about 1.3. Both parts are
# at most a constant over $h$ (the first at most $|f'|\,\tfrac12 \varepsilon |x| / h$),
# so a larger step cures both. For $\sin x$ it is the other way round: $|f'|$ is of
# order 1, the rounding of $x + h$ is the whole error, and the exact step cures it at
# the *same* $h$, while the larger step is far too large for a function that bends as fast at $10^4$ as at 1.
#
# `calculus.relative_step(x, order)` applies both fixes: it returns
# $\varepsilon^{1/(\text{order}+1)} \max(1, |x|)$, rounded so that $(x + h) - x = h$
# exactly. That is right for functions that change on the scale of $x$; for one
# that wiggles on a fixed scale, keep the step of $x \approx 1$ and make it exact.
# The whole picture, over all steps:

# %%
hs_far = np.logspace(-14, 0, 141)
far_curves = {}
for name, (func, deriv, xs_far) in far.items():
    runs = [calculus.difference_errors(func, deriv, x, hs_far) for x in xs_far]
    moved = hs_far > np.spacing(x_far)             # below this, x + h and x - h can coincide
    exact = np.full(len(hs_far), np.nan)
    exact[moved] = [mean_error(name, central_exact_step, h) for h in hs_far[moved]]
    far_curves[name] = (np.mean([r.forward for r in runs], axis=0),
                        np.mean([r.central for r in runs], axis=0), exact)


def error_at(errors, h):
    """The measured error at the step of hs_far nearest to h (in log scale)."""
    return errors[np.argmin(np.abs(np.log(hs_far / h)))]


for name, (fwd, cen, exact) in far_curves.items():
    best = np.nanargmin(exact)
    print(f"{name:4} best: forward h = {hs_far[fwd.argmin()]:.0e} -> {fwd.min():.1e}, central h = "
          f"{hs_far[cen.argmin()]:.0e} -> {cen.min():.1e}, exact central h = {hs_far[best]:.0e} "
          f"-> {exact[best]:.1e};  smallest h: {fwd[0]:.3g} = mean |f'|")
_, sin_central, sin_exact = far_curves["sin"]
dip = sin_central.argmin()
print(f"sin central: the dip at h = {hs_far[dip]:.1e} ({sin_central[dip]:.1e}) has neighbours "
          f"{sin_central[dip - 1]:.1e} and {sin_central[dip + 1]:.1e}")
sq_mid = (hs_far >= 1e-10) & (hs_far <= 1e-7)
sqrt_fc = np.median(far_curves["sqrt"][0][sq_mid] / far_curves["sqrt"][1][sq_mid])
print(f"sqrt, h from 1e-10 to 1e-7: forward / central error (median) {sqrt_fc:.2f}")
_, sq_cen, sq_exact = far_curves["sqrt"]
sq_ratio = sq_cen[~np.isnan(sq_exact)] / sq_exact[~np.isnan(sq_exact)]
print(f"sqrt, central / exact-step central error from h = {hs_far[~np.isnan(sq_exact)][0]:.0e} to 1: "
      f"{sq_ratio.min():.2f} to {sq_ratio.max():.2f}")

# %%
sq_f, sq_c, sq_e = far_curves["sqrt"]
assert error_at(sq_f, h_rel[1]) < 3 * sq_f.min() and error_at(sq_c, h_rel[2]) < 3 * sq_c.min()
for name, (fwd, cen, _) in far_curves.items():                    # x + h == x: error = |f'|
    assert np.isclose(fwd[0], np.mean(np.abs(far[name][1](far[name][2]))), rtol=1e-9)
assert min(sin_central[dip - 1], sin_central[dip + 1]) > 5 * sin_central[dip]   # a lucky single point
assert 100 < sin_central.min() / np.nanmin(sin_exact) < 400        # the exact step beats every plain h, ~200x
assert 1e-7 < hs_far[np.nanargmin(sin_exact)] < 1e-4               # near the step of x ~ 1
assert 1.3 < sqrt_fc < 3                                           # sqrt far from 1: the models' factor 2
assert 0.5 < sq_ratio.min() and 2 < sq_ratio.max() < 3.5           # sqrt: central ~ exact step, up to h = 1

# %%
fig, axes = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], layout="constrained", sharey=True)
for ax, name, title in [(axes[0], "sqrt", r"$f(x) = \sqrt{x}$ near $x = 10^4$"),
                        (axes[1], "sin", r"$f(x) = \sin x$ near $x = 10^4$")]:
    fwd, cen, exact = far_curves[name]
    ax.loglog(hs_far, fwd, color=COLORS["blue"], label="forward difference")
    ax.loglog(hs_far, cen, color=COLORS["vermillion"], linestyle="-.", label="central difference")
    ax.loglog(hs_far, exact, color=COLORS["bluish_green"], linestyle="-", linewidth=3, alpha=0.6, zorder=1,
              label="central, exact step ($x + h$ and $x - h$ as taken)")
    ax.axvline(h_rel[1], color=COLORS["blue"], linestyle="--", linewidth=1,
               label=r"relative step for forward, $h = \varepsilon^{1/2}|x|$")
    ax.axvline(h_rel[2], color=COLORS["vermillion"], linestyle="--", linewidth=1,
               label=r"relative step for central, $h = \varepsilon^{1/3}|x|$")
    ax.axvspan(hs_far[0], np.spacing(x_far) / 2, color="0.85", zorder=0)
    ax.text(1.3e-14, 1e-9, "grey: $x + h = x$,\nerror $= |f'|$", fontsize=8)
    ax.set(xlabel="step $h$ (log scale)", title=title, ylim=(1e-15, 10))
axes[0].set_ylabel("absolute error of $f'(x)$, mean of 41 $x$ (log scale)")
axes[1].plot(hs_far[dip], sin_central[dip], linestyle="none", marker="v", markersize=9, zorder=5,
             color=COLORS["vermillion"], markeredgecolor="black",
             label=f"the lucky dip of the plain central curve (sin, $h$ = {hs_far[dip]:.1e})")
axes[1].annotate("lucky dip", (hs_far[dip], sin_central[dip]), xytext=(8, -16), textcoords="offset points",
                 ha="left", fontsize=8, color=COLORS["vermillion"])
fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8);

# %% [markdown]
# In the grey band the step is below half the spacing of float64 near $10^4$: $x + h$
# rounds back to $x$, the difference is 0 and the error is $|f'|$ itself. The
# exact-step curve is drawn only from the full spacing on (a step that rounds to 0
# cannot be divided by), so it starts a factor 2 in $h$ right of the band. For $\sqrt{x}$
# the central and exact-step curves stay within a factor of about 2.6 of each other
# over the whole range, up to $h = 1$ (printed above; on this log scale they look
# like one curve), and the forward curve sits about 2 times above the central one
# for $h$ from $10^{-10}$ to $10^{-7}$ (median ratio printed and asserted above),
# the models' factor 2 that section 5's measurement near 1 hid; the relative steps (dashed
# lines, blue for forward, vermillion for central) land next to the best ones, about four digits better than the defaults. For $\sin x$ the plain
# central curve has a deep dip near $h = 1.6 \cdot 10^{-4}$, but it is a single lucky
# point: its neighbours on the grid, a factor $10^{0.1} \approx 1.26$ (26%) away, are about ten times worse, so it is no optimum
# to aim for. The exact-step curve is smooth, reaches its best near
# $h$ between $10^{-6}$ and $10^{-5}$ (the step of $x \approx 1$) and beats every point
# of the plain curve by a factor of about 200.
# The lesson is the model, not a magic number: know the scale of your $x$, of your $f$
# and of its curvature, and divide by the step you actually took. (For a real-analytic
# $f$ whose code uses only complex-analytic operations, such as $+$, $-$, $\times$,
# $/$, powers, `exp` and `sin`, there is a way around the trade-off altogether, the
# *complex step* $f'(x) \approx \mathrm{Im}\, f(x + ih) / h$, which subtracts nothing: Squire &
# Trapp 1998, "Using complex variables to estimate derivatives of real functions",
# SIAM Review 40(1), 110–112. Code with `abs`, `conj`, real parts or comparisons
# breaks it silently: `np.abs` accepts a complex number, but the complex step of
# $|x|$ at $x = 2$ gives 0 instead of 1, checked below.)

# %%
complex_step = np.sin(x_far + 1e-20j).imag / 1e-20             # h = 1e-20, and no cancellation
print(f"complex step at x = 1e4: error {abs(complex_step - np.cos(x_far)):.1e}")
assert abs(complex_step - np.cos(x_far)) < 1e-15
abs_step = np.abs(2.0 + 1e-20j).imag / 1e-20                   # abs is not complex-analytic:
assert abs_step == 0                                            # 0, where d|x|/dx = 1 at x = 2

# %% [markdown]
# ### Mixed scales: one step per coordinate
#
# The step may differ per coordinate: `h` can be an array of shape $(d,)$. That
# matters when the coordinates live on different scales. Take $f(x) = \sqrt{x_0} +
# e^{x_1}$ at $x = (10^4, 1)$, gradient $(0.005, e)$. One step sized for the large
# coordinate ruins the small one; `h=calculus.relative_step(x)` gives each coordinate
# its own.

# %%
def mixed(x):
    return np.sqrt(x[0]) + np.exp(x[1])


x_mixed = np.array([1e4, 1.0])
exact_mixed = np.array([0.005, np.e])
mixed_steps = {"default h = 1e-6": 1e-6,
         "one step, relative_step(x).max()": float(calculus.relative_step(x_mixed).max()),
         "per coordinate, relative_step(x)": calculus.relative_step(x_mixed)}
mixed_errors = {}
for label, h_mixed in mixed_steps.items():
    mixed_errors[label] = np.abs(calculus.numerical_gradient(mixed, x_mixed, h_mixed) - exact_mixed)
    print(f"{label:34} errors per coordinate: {mixed_errors[label][0]:.1e}, {mixed_errors[label][1]:.1e}")
default_e, single_e, per_e = mixed_errors.values()
assert np.all(per_e < 1e-9) and per_e[0] < default_e[0] / 1000   # per coordinate: best on both
assert single_e[1] > 1e5 * per_e[1]                              # one large step: x1 ruined,
assert np.isclose(single_e[1], np.e * mixed_steps["one step, relative_step(x).max()"] ** 2 / 6, rtol=0.01)

# %% [markdown]
# The single large step ($6 \cdot 10^{-2}$) leaves the truncation error
# $\tfrac16 e\, h^2 \approx 1.7 \cdot 10^{-3}$ on $x_1$; the default is acceptable on
# both; one step per coordinate is best on both.

# %% [markdown]
# ## 10. Appendix: when the gradient-check guide fails, and float32
#
# Section 7 used $\varepsilon |f| / (2h\|g\|)$ as an order-of-magnitude guide to the
# relative error of a correct gradient. First, how well it does at section 7's point
# and at 20 other random points, for $f$ and for $f + 10^8$ (a constant changes no
# derivative, but it raises $|f|$ and with it the round-off of the differences).

# %%
point = check_point
gradient_point = himmelblau.grad(point)
error_correct = calculus.check_grad(himmelblau.f, grad_himmelblau, point)
offset = 1e8
error_offset = calculus.check_grad(lambda q: himmelblau.f(q) + offset, grad_himmelblau, point)
floor_offset = eps * (himmelblau.f(point) + offset) / (2e-6 * np.linalg.norm(gradient_point))
floor_plain = eps * himmelblau.f(point) / (2e-6 * np.linalg.norm(gradient_point))
# truncation: Himmelblau is a quartic, f_xxx = 24x and f_yyy = 24y, h = 1e-6
truncation_plain = np.linalg.norm(24 * point * 1e-12 / 6) / (2 * np.linalg.norm(gradient_point))
print(f"correct gradient of f:       {error_correct:.1e}  (guide {floor_plain:.1e}; "
      f"truncation part {truncation_plain:.1e})")
print(f"correct gradient of f + 1e8: {error_offset:.1e}  (guide {floor_offset:.1e})")
ratios_plain, ratios_offset, error_over_truncation = [], [], []
for q in np.random.default_rng(1).uniform(-4, 4, size=(20, 2)):
    norm_g = np.linalg.norm(grad_himmelblau(q))
    error_q = calculus.check_grad(himmelblau.f, grad_himmelblau, q)
    ratios_plain.append(eps * himmelblau.f(q) / (2e-6 * norm_g) / error_q)
    error_over_truncation.append(error_q / (np.linalg.norm(24 * q * 1e-12 / 6) / (2 * norm_g)))
    ratios_offset.append(eps * (himmelblau.f(q) + offset) / (2e-6 * norm_g)
                         / calculus.check_grad(lambda v: himmelblau.f(v) + offset, grad_himmelblau, q))
print(f"guide / error at 20 points: f from {min(ratios_plain):.2f} to {max(ratios_plain):.1f}, "
      f"f + 1e8 from {min(ratios_offset):.1f} to {max(ratios_offset):.1f}")
assert 1000 * error_correct < error_offset < floor_offset       # correct, yet far above 1e-10
assert 2 < floor_offset / error_offset < 30                      # here the guide is above the error
assert truncation_plain < error_correct / 1000                   # round-off leads at this point
assert 0.1 < floor_plain / error_correct < 10                    # same order as the guide
assert all(1 < r < 100 for r in ratios_offset)                   # f + 1e8: below the guide at all 20
assert min(ratios_plain) < 1 and all(0.1 < r < 100 for r in ratios_plain)   # f: sometimes above it
assert min(error_over_truncation) > 10                           # round-off leads at all 20 points

# %% [markdown]
# At $h = 10^{-6}$ the round-off part leads at all these points (the truncation part
# is more than 10 times smaller, and more than 1000 times at section 7's point). For
# $f + 10^8$ the gradient is correct, yet the error is far above $10^{-10}$; it stays
# below the guide at every point (by the factors printed). For $f$ itself error and
# guide are of the same order, and at some points the error is a few times *above*
# the guide: it is an order of magnitude, no more.
#
# Two more correct gradients measure well *above* it. Near Himmelblau's minimum, at
# $(3.001, 2.001)$, the gradient is small ($\|g\| \approx 0.11$), while the
# truncation error of each coordinate, $\tfrac16 f''' h^2$, does not shrink with it.
# And on a random convex quadratic $\tfrac12 x^\top A x$ in $d = 300$ dimensions the
# round-off errors of 300 coordinates add up (a quadratic has $f''' = 0$: no
# truncation there).

# %%
def gradient_check_guide(f, grad, x, h=1e-6):
    """The order-of-magnitude guide eps |f| / (2 h ||g||) for a correct gradient."""
    return eps * abs(f(x)) / (2 * h * np.linalg.norm(grad(x)))


near_min = np.array([3.0, 2.0]) + 1e-3
error_near = calculus.check_grad(himmelblau.f, grad_himmelblau, near_min)
guide_near = gradient_check_guide(himmelblau.f, grad_himmelblau, near_min)
rng = np.random.default_rng(0)
B = rng.standard_normal((300, 300))
A_big = B.T @ B / 300 + np.eye(300)                  # symmetric positive definite
x_big = rng.standard_normal(300)
f_big, g_big = (lambda v: 0.5 * v @ A_big @ v), (lambda v: A_big @ v)
error_big = calculus.check_grad(f_big, g_big, x_big)
guide_big = gradient_check_guide(f_big, g_big, x_big)
print(f"near the minimum: error {error_near:.1e}, guide {guide_near:.1e}")
print(f"d = 300 quadratic: error {error_big:.1e}, guide {guide_big:.1e}")
assert error_near > 100 * guide_near and error_near < 1e-8     # far above the guide, still small
assert error_big > 3 * guide_big and error_big < 1e-6

# Near the minimum, split the error. Himmelblau is a quartic, so the central difference
# is exact up to its f''' h^2 / 6 term, with f_xxx = 24x and f_yyy = 24y:
h = 1e-6
g_near, g_fd_near = grad_himmelblau(near_min), calculus.numerical_gradient(himmelblau.f, near_min, h)
scale_near = np.linalg.norm(g_near) + np.linalg.norm(g_fd_near)
truncation_near = 24 * near_min * h**2 / 6
truncation_part = np.linalg.norm(truncation_near) / scale_near
roundoff_part = np.linalg.norm(g_fd_near - g_near - truncation_near) / scale_near
error_near_10h = calculus.check_grad(himmelblau.f, grad_himmelblau, near_min, h=10 * h)
print(f"near the minimum, h = 1e-6: truncation part {truncation_part:.1e}, round-off part "
      f"{roundoff_part:.1e} (total {error_near:.1e});  h = 1e-5: error {error_near_10h:.1e}")
assert np.isclose(error_near, np.linalg.norm(g_fd_near - g_near) / scale_near)
assert 0.7 < truncation_part / error_near < 1                  # mostly truncation (about 84%)
assert roundoff_part < 0.3 * error_near and roundoff_part > 30 * guide_near
assert np.isclose(error_near_10h / truncation_part, 100, rtol=0.02)   # 10 h: 100 x the truncation
for step in (h, 10 * h):                                        # a wrong gradient: 1/3 at both steps
    assert np.isclose(calculus.check_grad(himmelblau.f, grad_himmelblau_buggy, near_min, h=step), 1 / 3,
                      atol=1e-6)

# Why the round-off part is above the guide too: f rounds like its intermediates
# (x^2 ~ 9 against 11), not like |f| ~ 7e-5. Exact rational arithmetic shows it:
def himmelblau_exact(q):
    x, y = map(Fraction, q)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


rounding_f = abs(float(Fraction(himmelblau.f(near_min)) - himmelblau_exact(near_min)))
print(f"rounding of f there: {rounding_f:.1e} = {rounding_f / (eps * himmelblau.f(near_min) / 2):.0f} x eps |f| / 2")
assert rounding_f > 50 * eps * himmelblau.f(near_min) / 2

# %% [markdown]
# At $(3.001, 2.001)$ the error is mostly truncation: the part predicted by
# $\tfrac16 (f_{xxx}, f_{yyy})\, h^2$, divided by $\approx 2\|g\|$, is about 84% of
# it, and at a ten times larger step the error is 100 times that truncation part,
# as $h^2$ predicts. The rest is round-off, itself above the guide because $f$
# carries the rounding of its intermediates ($x^2 \approx 9$ against 11), not of the
# tiny $|f|$ (both printed above).
#
# So read the relative error against the floor your problem allows, to within an
# order of magnitude or more. The guide $\varepsilon |f| / (2h\|g\|)$ covers
# round-off at a generic point; where $\|g\|$ is small, add the truncation part
# $\tfrac16 |f'''|\, h^2 / (2\|g\|)$ (or better, check at a point where the gradient
# is not small); allow for growth with $d$. When in doubt, check at a second step:
# a correct gradient's error moves with $h$ as the two parts predict, a wrong
# gradient's stays put (the missing factor 2 gives $1/3$ at both steps, asserted
# above). A factor far from 1 or a flipped sign of the whole gradient gives an error
# near $10^{-1}$ to $1$, many orders above any of these (a factor close to 1 gives
# less: section 7).
#
# In **float32** (single precision, common on GPUs), everything moves:
# $\varepsilon = 1.2 \cdot 10^{-7}$, the central sweet spot $\varepsilon^{1/3}$ is
# near $5 \cdot 10^{-3}$, and the floor of a correct gradient is near $10^{-5}$
# instead of $10^{-10}$. The float64 step $10^{-6}$ is then a disaster: the
# differences are mostly round-off. So check gradients in float64 when you can;
# PyTorch's `torch.autograd.gradcheck`, whose default step is also $10^{-6}$, says
# the same in its documentation: its defaults are designed for double precision and
# the check will likely fail in float32.

# %%
def himmelblau32(q):
    x, y = q
    return (x**2 + y - np.float32(11)) ** 2 + (x + y**2 - np.float32(7)) ** 2


def check_grad32(h):
    """Central differences computed entirely in float32, compared with the exact gradient."""
    p32, g_fd = check_point.astype(np.float32), np.zeros(2)
    for i in range(2):
        step = np.zeros(2, dtype=np.float32)
        step[i] = h
        ahead, behind = p32 + step, p32 - step
        g_fd[i] = (himmelblau32(ahead) - himmelblau32(behind)) / (ahead[i] - behind[i])
    g = grad_himmelblau(p32.astype(float))
    return np.linalg.norm(g - g_fd) / (np.linalg.norm(g) + np.linalg.norm(g_fd))


eps32 = np.finfo(np.float32).eps
print(f"float32: eps {eps32:.1e}, eps^(1/3) = {eps32 ** (1 / 3):.1e}")
print(f"float32 check, h = 5e-3: {check_grad32(5e-3):.1e};  h = 1e-6: {check_grad32(1e-6):.1e}")
assert 1e-7 < check_grad32(5e-3) < 1e-4         # the float32 floor: ~1e-5
assert check_grad32(1e-6) > 1e-3                # the float64 step drowns in float32 round-off
