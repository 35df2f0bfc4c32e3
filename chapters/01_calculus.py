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
# Every number in the text is computed and asserted by the notebook (in collapsed
# "Checks" cells); the longer measurements and the detours are in the
# [details notebook](01_calculus_details.ipynb).
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
#   step size cannot be too small in floating point;
# - the gradients of vector expressions such as $x^\top A x$, the chain rule with
#   Jacobians, and reverse-mode automatic differentiation written by hand;
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert df(x0) == 3.5
assert np.all(np.diff(secant_errors) < 0)        # every smaller step is closer
assert np.isclose(secant_errors[-1] / steps[-1], 1.5, rtol=0.01)
assert np.isclose(secant_errors[-2] / secant_errors[-1], 10, rtol=0.02)   # h / 10 -> error / 10

# %% [markdown]
# The error shrinks with $h$, and in proportion to it: once $h$ is small, a
# ten times smaller step gives a ten times smaller error (error $\approx 1.5\,h$
# here; section 5 explains where the 1.5 comes from). The picture:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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
# Two facts to keep from the slider:
#
# - at a minimum the tangent is flat, $f'(x) = 0$;
# - where the slope is not zero it points uphill, so a small step *against* it,
#   from $x$ to $x - \eta f'(x)$ with a small $\eta > 0$, goes downhill (where
#   $f'(x) = 0$ the step goes nowhere). That sentence is gradient descent in one
#   dimension.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
# The same numbers as secant slopes with a tiny step, walking along x, then along y:
h = 1e-7
slope_x = (himmelblau.f(p + [h, 0]) - himmelblau.f(p)) / h
slope_y = (himmelblau.f(p + [0, h]) - himmelblau.f(p)) / h
assert (df_dx, df_dy) == (-46.0, -38.0)
assert np.isclose(slope_x, df_dx, rtol=1e-5) and np.isclose(slope_y, df_dy, rtol=1e-5)

# %% [markdown]
# In pictures: the two dashed lines through $p$ on the map (left) are the two
# walks; along each one $f$ is an ordinary curve with an ordinary tangent.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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
# "Steepest" here compares directions of the same *Euclidean* length, $\|u\| = 1$;
# under another measure of length the answer changes ([details notebook](01_calculus_details.ipynb), section A).
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
# One per claim above. A secant slope with a step of 1e-7 is accurate to better than
# 1e-5 here, the tolerance of the first check, and the directions are 0.1 degree apart.
assert np.allclose(measured, gradient @ U, rtol=0, atol=1e-5)          # D_u f = grad f . u
assert np.isclose(measured.max(), steepest, rtol=1e-6)                 # largest slope = |grad f|
assert abs(theta[best] - theta_gradient) < np.radians(0.1)             # ... along grad f
assert np.isclose(measured.min(), -steepest, rtol=1e-6)                # smallest = -|grad f|
along_contour = np.array([-gradient[1], gradient[0]]) / steepest       # at right angles to grad f
for u in (along_contour, -along_contour):
    assert abs((himmelblau.f(p + h * u) - himmelblau.f(p)) / h) < 1e-5  # slope 0 along the contour

# %% [markdown]
# On the left, arrows in 12 directions around $p$, coloured by the slope of $f$ along
# each; the thin black arrow, drawn under them and longer, points in the direction of
# $\nabla f(p)$. On the right, all 3600 measured slopes against the direction: a
# cosine, whose peak sits at the gradient's direction.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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
ax_map.annotate(r"direction of $\nabla f(p)$", p + 1.15 * gradient / steepest, fontsize=11,
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
# solves grad f = 0; the signs of the Hessian's eigenvalues (section 8) tell which kind each is.
rough = {"hilltop": (-0.3, -0.9), "saddles": [(0.1, 2.9), (-3.1, -0.1), (3.4, 0.1), (-0.1, -2.0)]}
hilltop = scipy.optimize.root(himmelblau.grad, rough["hilltop"], jac=himmelblau.hess).x
saddles = np.array([scipy.optimize.root(himmelblau.grad, guess, jac=himmelblau.hess).x
                    for guess in rough["saddles"]])
print("hilltop", hilltop.round(4), "\nsaddles", saddles.round(4).tolist())
ax.plot(*hilltop, linestyle="none", marker="^", markersize=11, color=COLORS["vermillion"],
        markeredgecolor="white", label="hilltop (local maximum)")
ax.plot(*saddles.T, linestyle="none", marker="X", markersize=10, color=COLORS["orange"],
        markeredgecolor="black", label="saddle points")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize=8);

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(np.linalg.norm(himmelblau.grad(np.vstack([hilltop, saddles]).T), axis=0) < 1e-6)
assert np.all(np.linalg.norm(himmelblau.grad(himmelblau.minima.T), axis=0) < 1e-10)
assert len(np.unique(saddles.round(3), axis=0)) == 4
assert np.all(np.linalg.eigvalsh(himmelblau.hess(hilltop)) < 0)                  # a hilltop
assert all(np.prod(np.linalg.eigvalsh(himmelblau.hess(s))) < 0 for s in saddles)  # saddles

# %% [markdown]
# A point where the gradient is zero is a **stationary point**: here the four minima,
# the hilltop and the saddles. Turn every arrow around and you get $-\nabla f$, the direction of steepest
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
# error shrinks faster: [details notebook](01_calculus_details.ipynb), section B.) The leading term also gives a
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(power_1 - 2) < 0.05 and abs(power_2 - 3) < 0.05

h = 0.01                                                       # halve h: errors / 4 and / 8
for model, factor in [(model_1, 4), (model_2, 8)]:
    ratio = abs(f(x0 + h) - model(x0 + h)) / abs(f(x0 + h / 2) - model(x0 + h / 2))
    assert abs(ratio / factor - 1) < 0.02
# and the parabola's error is led by f'''(x0)/6 h^3, with f'''(x) = 24x:
assert np.isclose(error_2[0] / hs[0] ** 3, abs(24 * x0) / 6, rtol=0.01)

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
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
# such as $e^x$ are not covered by that rule (the [details notebook](01_calculus_details.ipynb), section C,
# measures how `np.exp` rounds). When $h$ is tiny, $f(x + h)$ and $f(x)$ share most
# of their digits, the subtraction cancels them, and what is left is mostly
# rounding noise, of order
# $\varepsilon |f|$, which the difference then divides by $h$ (or $2h$). So the
# error has two parts: a **truncation** error that falls with $h$ and a
# **round-off** error that grows as $h$ shrinks (for $x$ near 1; $x$ far from 1 is
# in the [details notebook](01_calculus_details.ipynb), section D):
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
truncation_f, truncation_c = (hs >= 1e-4), (hs >= 1e-2)
ratio_truncation = np.concatenate([model_forward[truncation_f] / forward_error[truncation_f],
                                   model_central[truncation_c] / central_error[truncation_c]])
assert abs(slope_forward - 1) < 0.1 and abs(slope_central - 2) < 0.1
assert abs(slope_roundoff + 1) < 0.2                          # round-off grows like 1/h
assert 0.5 < best_forward / np.sqrt(2 * eps) < 2               # within 2x of sqrt(2 eps) ~ 2e-8
assert 0.5 < best_central / (1.5 * eps) ** (1 / 3) < 2          # within 2x of (1.5 eps)^(1/3) ~ 7e-6
assert 0.1 < forward_error.min() / np.sqrt(eps) < 10           # the floor: ~1e-8
assert 0.1 < central_error.min() / eps ** (2 / 3) < 10         # the floor: ~1e-11
assert np.all(np.abs(ratio_truncation - 1) < 0.1)              # truncation: on the model

# %% [markdown]
# The thin black lines are the two models (dotted: forward, dash-dotted: central).
# On the truncation side (right) the measurements lie on them, within 10%. On the
# round-off side (left) the averaged curves run parallel to them (slope $-1$),
# below them: the model is an order of magnitude, not a bound. There the two
# measured curves nearly coincide, although the models differ by a factor 2: the
# computer also rounds $x \pm h$ itself, which the models leave out (details
# notebook, section C). The measured best steps are within a factor of two of the
# model's $2 \cdot 10^{-8}$ and $7 \cdot 10^{-6}$ (not closer: the minimum of a
# noisy curve moves).

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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
    ax.annotate(f"best $h$ = {best:.1e}", (best, mean.min()), xytext=(-70, -45) if name == "forward"
                else (30, -30), textcoords="offset points", ha="center", color=color, fontsize=9,
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
# $h = 10^{-5}$. Both assume $x$ of size about 1 (for other sizes, scale $h$ with $|x|$:
# [details notebook](01_calculus_details.ipynb), section D).

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
# Why both matter, and why the default $10^{-6}$ sits a little below the central
# sweet spot, is in the [details notebook](01_calculus_details.ipynb) (sections C and D). At $x$ of size 1, the
# default:

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
# $k$-th entries of $Ax$ and $A^\top x$. The last one follows from the first two,
# since $\tfrac12\|Xx - y\|^2 = \tfrac12 x^\top X^\top X x - y^\top X x + \tfrac12
# y^\top y$; it is the gradient of linear regression in chapter 03. The shapes are a
# free check: a gradient has the shape of $x$. Numerically, at a random point:

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
# the chain rule backwards, from the loss to the inputs.
#
# The backward pass needs a name for what it carries. For every intermediate value
# $v$ of the program, its **adjoint** is
#
# $$\bar v = \frac{\partial\, \text{loss}}{\partial v},$$
#
# how fast the loss changes when $v$ changes (everything after $v$ recomputed from
# it). The pass starts from $\overline{\text{loss}} = 1$ and ends with
# $\bar x = \nabla f(x)$; at each operation $w = g(v)$ on the way it multiplies the
# incoming adjoint by the transposed Jacobian, $\bar v = J_g(v)^\top\, \bar w$ (when
# several operations use $v$, their contributions add: see below). In the code
# below, `r_bar` is $\bar r$ and so on. By hand, for $\tfrac12\|Xx - y\|^2$:

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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(value, rules[2][0](x))
assert np.allclose(x_bar, x_bar_fd, rtol=1e-7, atol=1e-9)            # agrees with finite differences
assert np.allclose(x_bar, X.T @ (X @ x - y), rtol=1e-14)              # and with the rule above

# %% [markdown]
# The backward pass cost about as much as the forward one (one product with $X^\top$
# against one with $X$), and it gave all $d$ partial derivatives at once, where
# central differences need $2d$ evaluations. Why that holds in general, what it
# costs in memory, the other order (forward mode), a layer whose Jacobian depends on
# the point, and the same gradient from PyTorch are in the [details notebook](01_calculus_details.ipynb),
# section E.
#
# **When a value is used twice.** The pass above was a straight chain. Often an
# intermediate feeds several later operations, and then its adjoint is a *sum*
# over the paths to the loss: $f$ depends on it through each consumer, and
# the multivariate chain rule adds the contributions. Take $f(x, y) = \sin(xy) +
# (xy)^2$, where $a = xy$ fans out to two nodes $b = \sin a$ and $c = a^2$, and
# $f = b + c$ (the graph is drawn below). Backwards, $\bar f = 1$ gives
# $\bar b = \bar c = 1$, and $a$ collects from both branches:
# $\bar a = \bar b \cos a + \bar c\, 2a$; then $\bar x = \bar a\, y$ and
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
a_fan = fan_point.prod()
assert np.allclose(fan_out_and_gradient(fan_point)[1], (np.cos(a_fan) + 2 * a_fan) * fan_point[::-1])
assert errors_fan[True] < 1e-8 and errors_fan[False] > 0.1

# %% [markdown]
# The computational graph of this $f$ at $(x, y) = (0.7, -1.3)$: each node shows its
# value from the forward pass (black) and its adjoint from the backward pass
# (vermillion); each arrow is labelled with the local derivative the backward pass
# multiplies by. The two arrows out of $a$ are the two paths whose contributions
# add up in $\bar a$.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
gx, gy = fan_point
ga, ga_bar = gx * gy, np.cos(gx * gy) + 2 * gx * gy
nodes = {"x": ((0, 1), "x", gx, ga_bar * gy), "y": ((0, -1), "y", gy, ga_bar * gx),
         "a": ((2, 0), "a = x y", ga, ga_bar), "b": ((4, 1), "b = sin a", np.sin(ga), 1.0),
         "c": ((4, -1), "c = a²", ga**2, 1.0), "f": ((6, 0), "f = b + c", np.sin(ga) + ga**2, 1.0)}
assert np.allclose([nodes["x"][3], nodes["y"][3]], fan_out_and_gradient(fan_point)[1])
edges = [("x", "a", "∂a/∂x = y"), ("y", "a", "∂a/∂y = x"), ("a", "b", "∂b/∂a = cos a"),
         ("a", "c", "∂c/∂a = 2a"), ("b", "f", "∂f/∂b = 1"), ("c", "f", "∂f/∂c = 1")]
fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
for start, end, label in edges:
    (x1, y1), (x2, y2) = nodes[start][0], nodes[end][0]
    ax.annotate("", (x2, y2), (x1, y1), arrowprops=dict(arrowstyle="-|>", lw=1.4, shrinkA=34, shrinkB=34))
    ax.text((x1 + x2) / 2, (y1 + y2) / 2 + 0.12, label, ha="center", va="bottom", fontsize=9,
            color=COLORS["blue"], bbox=dict(facecolor="white", edgecolor="none", pad=1))
for name, ((px, py), operation, value, adjoint) in nodes.items():
    ax.plot(px, py, "o", markersize=58, markerfacecolor="white", markeredgecolor="black", zorder=3)
    ax.text(px, py + 0.08, operation, ha="center", va="bottom", fontsize=8.5, zorder=4)
    ax.text(px, py - 0.02, f"{value:.3f}", ha="center", va="top", fontsize=9, zorder=4)
    ax.text(px, py - 0.5, f"$\\bar {name}$ = {adjoint:.3f}", ha="center", va="top", fontsize=10,
            color=COLORS["vermillion"], fontweight="bold")
ax.set(xlim=(-0.8, 6.8), ylim=(-1.6, 1.7), title=r"$f = \sin(xy) + (xy)^2$: forward values (black), "
       r"adjoints $\bar v = \partial f / \partial v$ (vermillion), local derivatives (blue)")
ax.axis("off");

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
error_correct = calculus.check_grad(himmelblau.f, grad_himmelblau, point)
error_buggy = calculus.check_grad(himmelblau.f, grad_himmelblau_buggy, point)
print(f"at ({point[0]:.3f}, {point[1]:.3f}):")
print(f"relative error, correct gradient: {error_correct:.1e}")
print(f"relative error, buggy gradient:   {error_buggy:.4f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert error_correct < 1e-8
assert np.isclose(error_buggy, 1 / 3, atol=1e-6)

# %% [markdown]
# Why exactly $1/3$? The buggy gradient is half the true one: $\|g/2 - g\| /
# (\|g/2\| + \|g\|) = \tfrac12 / \tfrac32$. Flipping the sign of the whole vector
# gives exactly 1; flipping one component $g_i$ gives $2|g_i| / 2\|g\| = |g_i| /
# \|g\|$, which is small when that component is ($0.085$ for $g_y$ here).
#
# **How tiny is "tiny"?** The figure below repeats the check at this point for
# every step $h$. For the correct gradient the relative error is the V of section 5:
# round-off on the left (it grows as $1/h$), truncation on the right (as $h^2$), and
# at the default $h = 10^{-6}$ it is near $10^{-10}$. The dashed line is the
# round-off model of section 5 divided by the gradient, $\varepsilon |f| / (2h\|g\|)$:
# an **order-of-magnitude guide**, not a bound (the [details notebook](01_calculus_details.ipynb), section F,
# measures correct gradients above it: a large $|f|$, a point near a minimum, 300
# dimensions, float32). The buggy gradient gives $\approx 1/3$ at every step. So read
# anything many orders of magnitude above $10^{-10}$ as a bug to look for, and when in doubt check
# at a second step: a correct gradient's error moves with $h$, a bug's stays put.

# %%
hs_check = np.logspace(-10, -1, 91)
check_correct = np.array([calculus.check_grad(himmelblau.f, grad_himmelblau, point, h=s) for s in hs_check])
check_buggy = np.array([calculus.check_grad(himmelblau.f, grad_himmelblau_buggy, point, h=s) for s in hs_check])
gradient_point = himmelblau.grad(point)
guide_check = eps * himmelblau.f(point) / (2 * hs_check * np.linalg.norm(gradient_point))
i_default = np.argmin(np.abs(np.log(hs_check / 1e-6)))
print(f"correct gradient: error {check_correct[i_default]:.1e} at h = 1e-6; "
      f"buggy gradient: from {check_buggy.min():.4f} to {check_buggy.max():.4f}")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
one_sign_flipped = gradient_point * [1, -1]
error_one_sign = calculus.check_grad(himmelblau.f, lambda q: one_sign_flipped, point)
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
# Check at a random point, not at a special one. At the minimum the gradient is
# zero and any relative error is noise; at a point such as $w = 0$ every term that
# is multiplied by $w$ vanishes, so a bug in such a term goes unseen. Stay away
# from kinks too ($|w|$ at 0, a ReLU at 0): there is no derivative there, and a
# difference that straddles the kink averages the two slopes (an example, and the
# subgradients of chapter 07, in the [details notebook](01_calculus_details.ipynb), section F). And check every
# gradient you write: it takes one line. In exercise 1.3 you derive the gradient
# of the mean squared error $\frac1n\|Xw - y\|^2$ (twice chapter 03's loss, which
# has a $\frac12$ in front to cancel the 2 of the derivative), and the grader checks it
# against cases with known answers; in exercise 1.4 you write the gradient check itself.

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
# the $\lambda_i$ on its diagonal; the columns are unit vectors at right angles, so
# $Q^\top Q = I$, and $Q^\top x$ lists the coordinates $q_i \cdot x$ of $x$ along them), so $x^\top A x = (Q^\top x)^\top \Lambda (Q^\top x)
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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.allclose(lambdas, [1, 3])
assert np.allclose(A @ Q, Q * lambdas)                       # A q_i = lambda_i q_i
assert np.isclose(Q[:, 0] @ Q[:, 1], 0)                      # at right angles
assert np.allclose(np.abs(Q[:, 1]), [1 / np.sqrt(2)] * 2)    # along (1, 1)
x = np.array([0.3, -1.7])                                    # x^T A x = sum lambda_i (q_i . x)^2
assert np.isclose(x @ A @ x, np.sum(lambdas * (Q.T @ x) ** 2))
assert np.allclose(A @ [1, 0], [2, 1]) and np.allclose(np.linalg.eigvalsh([[1, 2], [2, 1]]), [-1, 3])
assert np.isclose(eps, 2.2e-16, rtol=0.01)                   # float64's epsilon, 2.2e-16

# %% [markdown]
# In a picture: the unit circle (left, dotted) and its image under $A$ (solid). Each
# dashed arrow is a unit vector $u$ (its hollow head on the circle), the solid arrow
# of the same colour is $Au$. The eigenvectors keep their direction and are
# stretched by 1 (so $Au = u$: one arrow) and 3; $(1, 0)$ is turned. Right: the
# ellipse $x^\top A x = 1$, with half-axes $1/\sqrt{3}$ and $1$.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
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
# the test functions and most losses of this course (the exceptions, with kinks or
# jumps, are listed in the [details notebook](01_calculus_details.ipynb), section G).

# %% [markdown]
# ### The second-order model and the classification of stationary points
#
# The Hessian is the $f''$ of the second-order Taylor model in several dimensions:
#
# $$f(p + d) \approx f(p) + \nabla f(p) \cdot d + \tfrac12\, d^\top H d.$$
#
# At a **stationary point**, where $\nabla f(p) = 0$, only the last term is left.
# Step a distance $t$ along a unit eigenvector $v$ of $H$ ($Hv = \lambda v$) and
# $f$ changes by $\tfrac12 \lambda t^2$, to second order: each eigenvalue is the
# curvature along its eigenvector, and near $p$ the contour lines are ellipses as in the primer above
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
# then the higher-order terms decide (an example in the [details notebook](01_calculus_details.ipynb),
# section G).
#
# Three stationary points to classify: Rosenbrock's minimum
# $(1, 1)$, the centre of the saddle $x^2 - y^2$, and the hilltop of Himmelblau's
# function, which we locate by asking `scipy.optimize.root` where the gradient is
# zero. Computed eigenvalues carry round-off (a true 0 comes out as, say, $-7 \cdot 10^{-18}$),
# so `classify` counts $|\lambda| \le 10^{-9}$ as 0, as exercise 1.5 does.

# %%
def classify(eigenvalues, tol=1e-9):
    if np.all(eigenvalues > tol):
        return "local minimum"
    if np.all(eigenvalues < -tol):
        return "local maximum"
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle"
    return "cannot tell (an eigenvalue is 0, the others share a sign)"


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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
for name, (surface, point) in stationary.items():
    eigenvalues, eigenvectors = np.linalg.eigh(surface.hess(point))
    for lam, v in zip(eigenvalues, eigenvectors.T):   # curvature along each eigenvector
        t = 1e-3
        assert np.isclose(surface.f(point + t * v) - surface.f(point), 0.5 * lam * t**2, rtol=1e-3)
assert kinds == {"Rosenbrock": "local minimum", "Saddle": "saddle", "Himmelblau": "local maximum"}
assert classify(np.array([2.0, -2.0, 0.0])) == "saddle"          # mixed signs: a saddle anyway
assert classify(np.linalg.eigvalsh([[0.3, 0.1], [0.1, 1 / 30]])).startswith("cannot tell")  # a 0 with round-off
assert abs(np.linalg.eigvalsh([[0.3, 0.1], [0.1, 1 / 30]])[0]) < 1e-16                    # a true 0, off by round-off (-7e-18 here)
left_valley, right_valley = np.sort(double_well.minima[:, 0])
assert f(left_valley) < f(right_valley) - 2                      # the right valley is only local

# %% [markdown]
# Read the other way round, this gives the **necessary conditions** for a local
# minimum of a function with continuous second derivatives: $\nabla f(p) = 0$ (else
# a small step along $-\nabla f$ goes down, section 3) and no eigenvalue of $H$ is
# negative (else $f$ changes by $\tfrac12 \lambda t^2 < 0$, to second order, along its
# eigenvector: a small step that way goes down). The table's first row is a
# *sufficient* condition, not a necessary one ([details notebook](01_calculus_details.ipynb), section G).
#
# The same test, applied everywhere instead of at one point, decides **convexity**
# (by definition: every chord of the graph lies on or above the graph), which
# chapters 02 and 03 use: a twice-differentiable function (on an open convex
# domain such as $\mathbb{R}^d$) is convex exactly when its Hessian has no negative
# eigenvalue anywhere (Boyd & Vandenberghe 2004, *Convex Optimization*, §3.1.4).
# A quadratic $\tfrac12 x^\top A x - b^\top x$ with a symmetric $A$ has the Hessian $A$
# everywhere, so it is convex exactly when the eigenvalues of $A$ are $\ge 0$ (for
# a non-symmetric $A$, see the [details notebook](01_calculus_details.ipynb), section G).

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
# bend of the valley adds to it. (Close-ups of the quadratic model at the three
# points above, every stationary point of Himmelblau's function, and the Hessian by
# finite differences are in the [details notebook](01_calculus_details.ipynb), section G.)

# %%
eigenvalues = np.linalg.eigvalsh(rosenbrock.hess(np.array([1.0, 1.0])))
condition_number = eigenvalues.max() / eigenvalues.min()
print(f"condition number at Rosenbrock's minimum: {condition_number:.0f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 2400 < condition_number < 2600
assert np.allclose(eigenvalues, [0.4, 1000], rtol=0.01)          # about 0.4 and 1000
assert rosenbrock.f(np.array([1.0, 1.0])) == 0                  # a sum of squares at 0: the global minimum
angles_u = np.linspace(0, np.pi, 1801)                           # unit directions, 0.1 degree apart
units = np.stack([np.cos(angles_u), np.sin(angles_u)])
curvatures = np.einsum("in,ij,jn->n", units, rosenbrock.hess(np.array([1.0, 1.0])), units)
assert np.all((curvatures >= eigenvalues.min() - 1e-9) & (curvatures <= eigenvalues.max() + 1e-9))
assert np.isclose(curvatures.min(), eigenvalues.min(), rtol=0.01)   # reached along the eigenvectors
assert np.isclose(curvatures.max(), eigenvalues.max(), rtol=1e-4)

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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
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
#   derivatives of size 1 the best steps in float64 are, rounded to a power of ten, about
#   $10^{-8}$ (forward) and $10^{-5}$ (central). Far from 1 the step must be rethought ([details notebook](01_calculus_details.ipynb),
#   section D).
# - Three rules cover most losses: $\nabla (a^\top x) = a$, $\nabla (x^\top A x) =
#   (A + A^\top) x$, $\nabla \tfrac12\|Xx - y\|^2 = X^\top(Xx - y)$. The chain
#   rule in several variables multiplies Jacobians: $\nabla (\ell \circ g) =
#   J_g^\top \nabla \ell$. Reverse-mode automatic differentiation applies it
#   backwards through a program, carrying the adjoints $\bar v = \partial\,
#   \text{loss} / \partial v$; a value used twice collects the sum of its paths.
# - Gradient checking compares a hand-written gradient with finite differences. A
#   correct one gives a relative error near $10^{-10}$ for a well-scaled problem in
#   float64 (an order of magnitude, not a bound: [details notebook](01_calculus_details.ipynb), section F); a
#   forgotten factor 2 gives about 1/3 at every step.
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
