# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 02, details — gradient descent: proofs, edge cases and forensics
#
# This notebook holds the longer checks behind [chapter 02](02_gradient_descent.ipynb):
# (A) the hypotheses of the convergence guarantees one at a time, with saddles;
# (B) a linear rate without convexity; (C) Himmelblau's basins in detail; (D) the
# Rosenbrock tuning experiments; (E) which steps the backtracking search accepts;
# (F) exact line search; (G) how the cost grows with the condition number. It is
# reference for the curious, not needed for the exercises. Each lettered section
# recomputes what it needs, so you can run any of them on its own after the two setup
# cells. As in the chapter, every number in the text is computed and asserted by the
# code.

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
import scipy.optimize

from gdlearn import plotting, style
from gdlearn.optim import sgd
from gdlearn.run import run, run_many
from gdlearn.second_order import backtracking
from gdlearn.surfaces import booth, himmelblau, quadratic, rosenbrock, saddle

COLORS = style.PALETTE

# %% [markdown]
# ## A. The hypotheses of the chapter's section 6, one at a time
#
# Section 6 of the chapter states the descent lemma and a table of guarantees, each
# with its hypotheses. Here the lemma is checked on many points of two functions, and
# each convexity hypothesis is broken once, in one dimension.
#
# **The descent lemma**, $f(x - \eta\nabla f(x)) \le f(x) - \eta(1 - L\eta/2)\|\nabla f(x)\|^2$,
# at 401 points of the $\tfrac14$-smooth $\log(1 + e^{-x})$ and 400 random points of
# Booth's function ($L = 18$), for $\eta = 0.5/L$, $1/L$ and $1.9/L$:

# %%
rng_lemma = np.random.default_rng(1)
for f_, grad_, L_, points in [
        (lambda x: np.log1p(np.exp(-x)), lambda x: -1 / (1 + np.exp(x)), 0.25, np.linspace(-20, 20, 401)),
        (booth.f, booth.grad, booth.L, rng_lemma.uniform(-10, 10, (2, 400)))]:
    for eta_ in (0.5 / L_, 1 / L_, 1.9 / L_):
        g_ = grad_(points)
        bound = f_(points) - eta_ * (1 - L_ * eta_ / 2) * np.sum(np.atleast_2d(g_) ** 2, axis=0)
        assert np.all(f_(points - eta_ * g_) <= bound + 1e-9)   # the descent lemma holds at every point

# %% [markdown]
# **When every hypothesis holds.** Booth's function, the chapter's worked example, is a
# convex quadratic ($\mu = 2$, $L = 18$ everywhere, one minimizer): from 10,000 starts
# on a grid over its domain, every run with $\eta = 0.05 < 2/18$ reaches its minimum.

# %%
def grid_of_starts(surface, n):
    """An n x n grid of starting points covering the surface's domain, shape (n*n, 2)."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    return np.column_stack([X.ravel(), Y.ravel()])


convex = run_many(sgd(lr=0.05), booth, grid_of_starts(booth, 100), steps=500)
assert (booth.mu, booth.L) == (2, 18) and 0.05 < 2 / booth.L
assert np.all(convex.status == "converged")
assert np.allclose(convex.x, booth.minima[0], atol=1e-8)
print(f"Booth: {convex.fraction('converged'):.0%} of {len(convex.x0s)} starts converged to {booth.minima[0]}")

# %% [markdown]
# Now each hypothesis broken once, in one dimension.
#
# - *No minimizer.* $f(x) = \log(1 + e^{-x})$ is convex and $\tfrac14$-smooth, but it
#   has no minimum: it only approaches its infimum 0 as $x \to \infty$. With
#   $\eta = 4 = 1/L$ the *values* still converge: $f(x_k) \to 0$ (the bound that still
#   holds is proved below). What fails is the *iterates*: $x_k$ walks to the right for
#   ever, ever more slowly. For large $x$ the step is $\eta/(1 + e^{x}) \approx \eta e^{-x}$,
#   so $e^{x_k}$ grows by about $\eta$ per step: $x_k \approx \log(\eta k)$ and
#   $f(x_k) \approx e^{-x_k} \approx 1/(\eta k)$. There is no point for the iterates to
#   converge to, and the bounds in terms of $\|x_0 - x^\star\|$ have no $x^\star$.
# - *No global $L$.* $f(x) = x^4$ is convex with a minimum at 0, but its curvature
#   $12x^2$ has no upper bound. With $\eta = 0.1$, a start at $x_0 = 3$ diverges: no
#   single $\eta$ is safe from every start. A start at $x_0 = 0.5$ converges, but
#   slowly: the curvature at the minimum is 0, so $f$ is not strongly convex
#   ($\mu = 0$) and there is no linear rate; $x_{k+1} = x_k(1 - 0.4x_k^2)$ shrinks only
#   like $1/\sqrt{0.8k}$.

# %%
x_walk, eta_walk = 0.0, 4.0
walk_path = np.empty(100_001)
walk_path[0] = x_walk
for k in range(1, 100_001):
    x_walk -= eta_walk * (-1 / (1 + np.exp(x_walk)))          # f'(x) = -1 / (1 + e^x)
    walk_path[k] = x_walk
walk = {k: walk_path[k] for k in (1_000, 10_000, 100_000)}
for k, x_k in walk.items():
    print(f"log(1 + e^-x), eta = 4: after {k:7,} steps x = {x_k:5.2f}, f(x) = {np.log1p(np.exp(-x_k)):.1e}")
assert walk[1_000] < walk[10_000] < walk[100_000]               # the iterates keep moving right ...
assert walk[100_000] - walk[10_000] > 1                         # ... without settling
assert np.log1p(np.exp(-walk[100_000])) < 1e-5
for k in (10_000, 100_000):
    assert np.isclose(walk[k], np.log(eta_walk * k), atol=0.05)               # x_k ~ log(eta k)
    assert np.isclose(np.log1p(np.exp(-walk[k])) * eta_walk * k, 1, rtol=0.05)  # f(x_k) ~ 1/(eta k)


def quartic_descent(x0, eta=0.1, steps=1000):
    x = x0
    for _ in range(steps):
        x = x - eta * 4 * x**3
        if abs(x) > 1e6:
            return np.inf
    return x


print(f"x^4, eta = 0.1: from 0.5 -> {quartic_descent(0.5):.3f} after 1000 steps, from 3 -> {quartic_descent(3.0)}")
assert quartic_descent(3.0) == np.inf
assert np.isclose(quartic_descent(0.5), 1 / np.sqrt(0.8 * 1000), rtol=0.1)   # ~ 1/sqrt(0.8 k): sublinear

# %%
quartic_paths = {}
for x0 in (0.5, 3.0):
    xq = [x0]
    while len(xq) <= 1000 and abs(xq[-1]) <= 1e6:
        xq.append(xq[-1] - 0.1 * 4 * xq[-1] ** 3)
    quartic_paths[x0] = np.abs(np.array(xq))
fig, (ax_w, ax_q) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
k_all = np.arange(1, walk_path.size)
k_ref = k_all[k_all >= 10]
ax_w.loglog(k_ref, np.log(eta_walk * k_ref), color=COLORS["sky_blue"], linewidth=8, alpha=0.45,
            label="reference $\\log(\\eta k)$ (wide, pale)")
ax_w.loglog(k_ref, 1 / (eta_walk * k_ref), color=COLORS["orange"], linewidth=8, alpha=0.45,
            label="reference $1/(\\eta k)$ (wide, pale)")
ax_w.loglog(k_all, walk_path[1:], color=COLORS["blue"], linewidth=1.5, label="$x_k$: keeps growing")
ax_w.loglog(k_all, np.log1p(np.exp(-walk_path[1:])), color=COLORS["vermillion"], linestyle="--", linewidth=1.5,
            label="$f(x_k)$: tends to $\\inf f = 0$")
ax_w.set(xlabel="step $k$ (log scale)", ylabel="$x_k$ and $f(x_k)$ (log scale)",
         title="$\\log(1 + e^{-x})$, $\\eta = 4 = 1/L$: no minimizer")
ax_w.legend(fontsize=8)
ax_q.loglog(1 + np.arange(quartic_paths[0.5].size), quartic_paths[0.5], color=COLORS["bluish_green"], linewidth=4, label="$|x_k|$ from $x_0 = 0.5$")
ax_q.loglog(1 + np.arange(quartic_paths[0.5].size), 1 / np.sqrt(4 + 0.8 * np.arange(quartic_paths[0.5].size)),
            color="black", linestyle=":",
              label="$1/\\sqrt{4 + 0.8k}$ (sublinear)")
ax_q.loglog(1 + np.arange(quartic_paths[3.0].size), quartic_paths[3.0], "X-", color=COLORS["vermillion"], markersize=7,
              label=f"$|x_k|$ from $x_0 = 3$: diverges in {quartic_paths[3.0].size - 1} steps")
ax_q.set(xlabel="step $k + 1$ (log scale)", ylabel="$|x_k|$ (log scale)", title="$x^4$, $\\eta = 0.1$: no global $L$, and $\\mu = 0$")
ax_q.legend(fontsize=8);

# %% [markdown]
# **Saddles.** The gradient rule of the chapter's section 5 (stop once
# $\|\nabla f\| \le$ `tol`) has a blind spot: a point where the gradient vanishes need
# not be a minimum. On the saddle $f = x^2 - y^2$, start a hair off the ridge line
# $y = 0$, with the loose tolerance `tol` = $10^{-3}$:

# %%
stuck = run(sgd(lr=0.1), saddle, [-1.8, 1e-8], steps=500, tol=1e-3)
print(stuck.message, " at x =", stuck.x)
curvatures = np.linalg.eigvalsh(saddle.hess(stuck.x))
print("Hessian eigenvalues there:", curvatures)
onwards = run(sgd(lr=0.1), saddle, stuck.x, steps=500, tol=0)
print("continuing:", onwards.message, f" f = {onwards.f:.3g}")
assert stuck.status == "converged"                       # the gradient rule fired ...
assert curvatures.min() < 0 < curvatures.max()           # ... at a saddle, not a minimum
assert onwards.status == "diverged" and onwards.f < -1e4 # f has no minimum at all

# %%
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
plotting.plot_contours(saddle, ax=ax, filled=False)
plotting.plot_path(stuck, ax=ax, color=style.color_for("gd"), label="until the gradient rule fires")
continuing = plotting.plot_path(onwards.xs[: np.argmax(np.abs(onwards.xs[:, 1]) > 2)], ax=ax,
                                color=COLORS["vermillion"],
                                label=f"continuing: leaves the picture, diverges at step {onwards.diverged_at}")
continuing.end.set_visible(False)                        # the run does not end there
ax.plot(0, 0, "o", color="black", markersize=20, markerfacecolor="none", markeredgewidth=1.5,
        linestyle="none", label="saddle point (0, 0), ringed", zorder=5)
ax.set(title="Saddle $x^2 - y^2$, tol = $10^{-3}$: the gradient rule stops at the saddle point",
       xlabel="$x$", ylabel="$y$")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# Whether the rule fires depends on `tol`. With $\eta = 0.1$ the iterates are
# $x_k = 0.8^k x_0$ and $y_k = 1.2^k y_0$, and the gradient is $(2x_k, -2y_k)$: the
# on-ridge part shrinks while the off-ridge part grows, so the gradient norm is
# smallest near the step where the two are equal,
# $k \approx \ln(1.8/10^{-8})/\ln 1.5 \approx 47$, and it is about $1.5 \cdot 10^{-4}$
# there. The smaller the off-ridge component $y_0$, the later the two parts meet and
# the smaller that norm: how close the run gets to the saddle depends on $y_0$, and
# whether the rule fires depends on $y_0$ against `tol`. A `tol` above that smallest norm
# stops the run near the saddle; a `tol` below it, such as `run`'s default $10^{-8}$,
# never fires, and the run slides off the saddle and diverges:

# %%
closest = np.linalg.norm(saddle.grad(run(sgd(lr=0.1), saddle, [-1.8, 1e-8], steps=60, tol=0).xs.T), axis=0)
default = run(sgd(lr=0.1), saddle, [-1.8, 1e-8], steps=500)     # the default tol = 1e-8
print(f"smallest gradient norm {closest.min():.2g} at step {closest.argmin()}; default tol: {default.message}")
assert np.isclose(closest.min(), 1.5e-4, rtol=0.05) and abs(closest.argmin() - 47) <= 1
assert default.status == "diverged"                      # the default tol never fires here

# %% [markdown]
# On a non-convex $f$ the first row of the chapter's table only promises a small
# gradient, which may be a saddle point. But with $\eta < 1/L$, for $f$ twice
# continuously differentiable with an $L$-Lipschitz gradient, the set of starts
# from which gradient descent converges to a *strict* saddle (one with a negative
# Hessian eigenvalue) has measure zero. Lee et al. 2016 ("Gradient descent only
# converges to minimizers", COLT) prove it when the strict saddles are isolated
# (hence countably many), as on Himmelblau's function and $x^2 - y^2$; Panageas &
# Piliouras 2017 ("Gradient descent only converges to minimizers: non-isolated
# critical points and invariant regions", ITCS) prove it in general. The start $y_0 = 10^{-8}$ above was close to that set on purpose.
#
# **No minimizer.** For $\log(1 + e^{-x})$ the values still converge because the
# proof of the $O(1/k)$ bound works with any point $u$ in place of $x^\star$:
# $f(x_k) - f(u) \le \|x_0 - u\|^2/(2\eta k)$ for a convex $L$-smooth $f$ and
# $\eta \le 1/L$. The proof, with $g_k = \nabla f(x_k)$: the descent lemma (above)
# with $\eta \le 1/L$ gives $f(x_{k+1}) \le f(x_k) - \tfrac{\eta}{2}\|g_k\|^2$, and
# convexity gives $f(x_k) \le f(u) + g_k^\top(x_k - u)$. Together, since
# $x_{k+1} = x_k - \eta g_k$,
# $f(x_{k+1}) - f(u) \le g_k^\top(x_k - u) - \tfrac{\eta}{2}\|g_k\|^2
# = \big(\|x_k - u\|^2 - \|x_{k+1} - u\|^2\big)/(2\eta)$. Summed over the first $k$
# steps the right side telescopes to at most $\|x_0 - u\|^2/(2\eta)$, and $f(x_k)$ is
# the smallest of the $k$ values on the left, since $f$ decreases at every step.
# (Beck 2017, *First-Order Methods in Optimization*, SIAM, proves the bound with a
# minimizer $x^\star$ in place of $u$, for the more general proximal gradient method.)
# Checked below on the run above, with $u = x_k + 5$. The logistic loss behaves like this
# when a line separates the data perfectly: the weights grow without bound
# (Soudry et al. 2018, "The implicit bias of gradient descent on separable
# data", JMLR).

# %%
for k, x_k in walk.items():                                     # the run above, x_0 = 0, eta = 4 = 1/L
    u = x_k + 5
    assert np.log1p(np.exp(-x_k)) - np.log1p(np.exp(-u)) <= u**2 / (2 * eta_walk * k)   # the O(1/k) bound
# %% [markdown]
# ## B. A linear rate without convexity: the Polyak–Łojasiewicz inequality
#
# Section 6's linear rate assumed strong convexity. A weaker condition suffices:
# $f$ is $L$-smooth, has a minimum value $f^\star$, and satisfies the
# **Polyak–Łojasiewicz (PL) inequality**
#
# $$\tfrac12\|\nabla f(x)\|^2 \ge \mu\,\big(f(x) - f^\star\big) \quad\text{for all } x,$$
#
# which says that wherever $f$ is high, the gradient is not small. Put it into the
# descent lemma: for $0 < \eta < 2/L$,
# $f(x_{k+1}) - f^\star \le f(x_k) - f^\star - \eta(1 - L\eta/2)\|\nabla f(x_k)\|^2
# \le q\,\big(f(x_k) - f^\star\big)$ with $q = 1 - 2\mu\eta(1 - L\eta/2)$, so
#
# $$f(x_k) - f^\star \le q^k\,\big(f(x_0) - f^\star\big), \qquad q = 1 - \mu/L \text{ at } \eta = 1/L$$
#
# (Karimi, Nutini & Schmidt 2016, "Linear convergence of gradient and
# proximal-gradient methods under the Polyak-Łojasiewicz condition", ECML PKDD, prove
# it for $\eta = 1/L$; the inequality goes back to Polyak 1963). Strongly convex
# functions satisfy it, but so do some non-convex ones, such as
# $f(x) = x^2 + 3\sin^2 x$: its curvature $f'' = 2 + 6\cos 2x$ ranges over $[-4, 8]$
# (not convex, $L = 8$), its only stationary point is the minimum $x = 0$
# ($f'(x) = 2x + 3\sin 2x = 0$ means $\sin t = -t/3$ with $t = 2x$, which forces
# $|t| \le 3$; on $0 < |t| \le 3 < \pi$ the sine has the sign of $t$ and $-t/3$ the
# opposite one, so $t = 0$), and $\tfrac12 f'^2 / f$ has the positive minimum
# $\mu \approx 0.176$ (over a fine grid), reached near $x = \pm 2.2$.
#
# Gradient descent with $\eta = 1/(2L) = 1/16$, from $x_0 = 3$. (Not $\eta = 1/L$: here
# $f''(0) = L$, so near the minimum the step $1/L$ is the exact Newton step and the
# convergence is faster than linear, which would show nothing about the rate.)

# %%
pl_f = lambda x: x**2 + 3 * np.sin(x) ** 2
pl_df = lambda x: 2 * x + 3 * np.sin(2 * x)
pl_grid = np.linspace(-50, 50, 2_000_001)
pl_grid = pl_grid[np.abs(pl_grid) > 1e-6]
pl_ratio = 0.5 * pl_df(pl_grid) ** 2 / pl_f(pl_grid)
mu_pl, x_mu = pl_ratio.min(), abs(pl_grid[pl_ratio.argmin()])      # the PL constant, estimated, and where
curvature_pl = 2 + 6 * np.cos(2 * pl_grid)
L_pl, eta_pl = 8.0, 1 / 16
q_pl = 1 - 2 * 0.99 * mu_pl * eta_pl * (1 - L_pl * eta_pl / 2)     # 0.99: mu is a grid estimate
x_pl, xs_pl, f_pl = 3.0, [3.0], [pl_f(3.0)]
for _ in range(40):
    x_pl -= eta_pl * pl_df(x_pl)
    xs_pl.append(x_pl)
    f_pl.append(pl_f(x_pl))
xs_pl, f_pl = np.array(xs_pl), np.array(f_pl)
bound_pl = q_pl ** np.arange(f_pl.size) * f_pl[0]
per_step = f_pl[1:] / f_pl[:-1]
slowest = per_step.argmax()
print(f"mu ~ {mu_pl:.3f} at |x| = {x_mu:.2f}; bound factor q = {q_pl:.4f} per step; measured: slowest"
      f" {per_step[slowest]:.3f} (step {slowest + 1}, at x = {xs_pl[slowest]:.2f}), last {per_step[-1]:.4f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(curvature_pl.min(), -4, atol=1e-6) and np.isclose(curvature_pl.max(), L_pl, atol=1e-6)
assert 0.17 < mu_pl < 0.18 and 2.1 < x_mu < 2.3
assert np.all(f_pl <= bound_pl)                                      # the linear bound holds at every step ...
assert np.any(curvature_pl < 0)                                      # ... on a non-convex function
assert 0.97 < per_step.max() < q_pl and 2.0 < xs_pl[slowest] < 2.4   # near x = 2.2 the rate is close to q
assert np.isclose(per_step.max(), 0.978, atol=1e-3) and np.isclose(q_pl, 0.984, atol=1e-3)
assert np.allclose(per_step[-10:], (1 - eta_pl * L_pl) ** 2, rtol=1e-6)   # near 0: exactly 0.25, linear
assert 1e-18 < f_pl[-1] < 1e-14                                      # no underflow: a straight line on a log scale

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
x_show = np.linspace(-6, 6, 2401)
x_show = x_show[np.abs(x_show) > 1e-9]                              # the ratio is 0/0 at the minimum
ratio_show = 0.5 * pl_df(x_show) ** 2 / pl_f(x_show)
assert ratio_show.min() >= 0.99 * mu_pl                             # this window contains the grid's minimum
fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
for ax in axes[:2]:
    ax.fill_between(x_show, 0, 1, where=2 + 6 * np.cos(2 * x_show) < 0, transform=ax.get_xaxis_transform(),
                    color=COLORS["orange"], alpha=0.25, linewidth=0, label="$f'' < 0$: not convex there")
axes[0].plot(x_show, pl_f(x_show), color=COLORS["blue"], linewidth=2, label=r"$f(x) = x^2 + 3\sin^2 x$")
axes[0].plot(x_show, x_show**2, color="0.4", linestyle="--", linewidth=1.2, label="$x^2$, for comparison")
axes[0].set(title="A non-convex function with one stationary point", xlabel="$x$", ylabel="$f(x)$")
axes[0].legend(loc="upper center", fontsize=8.5)
axes[1].semilogy(x_show, ratio_show, color=COLORS["blue"], linewidth=2, label=r"$\frac{1}{2}f'(x)^2 / f(x)$")
axes[1].axhline(mu_pl, color=COLORS["vermillion"], linestyle=":", linewidth=1.8,
                label=f"$\\mu$ = {mu_pl:.3f}, its minimum on the grid")
axes[1].plot([-x_mu, x_mu], [mu_pl, mu_pl], "o", color=COLORS["vermillion"], markeredgecolor="black",
             markersize=8, linestyle="none", label=f"touches $\\mu$ at $x = \\pm${x_mu:.1f}")
axes[1].set(title="The PL ratio never falls below $\\mu > 0$", xlabel="$x$",
            ylabel=r"$\frac{1}{2}f'^2 / f$ (log scale)", ylim=(0.08, 200))
axes[1].legend(loc="upper center", fontsize=8.5)
k_pl = np.arange(f_pl.size)
axes[2].semilogy(k_pl, f_pl, "o-", color=COLORS["blue"], markersize=4, label="$f(x_k)$, gradient descent")
axes[2].semilogy(k_pl, bound_pl, color=COLORS["vermillion"], linestyle="--", linewidth=1.8,
                 label=f"PL bound $q^k f(x_0)$, $q$ = {q_pl:.3f}")
axes[2].semilogy(k_pl[15:], 100 * f_pl[15] * 0.25 ** (k_pl[15:] - 15), color="black", linestyle=":", linewidth=1.5,
                 label="slope $(1 - \\eta f''(0))^2 = 0.25$ per step (shifted up 100x)")
axes[2].set(title=f"$\\eta = 1/(2L)$ from $x_0 = 3$: linear, below the bound", xlabel="step $k$",
            ylabel="$f(x_k) - f^*$ (log scale)")
axes[2].legend(loc="lower left", fontsize=8.5);

# %% [markdown]
# Right: on a log scale $f(x_k)$ falls along straight lines, a linear rate, and stays
# below the PL bound at every step. The rate changes along the way. While the iterate
# passes $x \approx 2.2$, where the PL ratio touches $\mu$ (middle panel), $f$ falls by
# only about 0.978 per step, close to the worst-case factor $q \approx 0.984$ the
# bound allows. Near the minimum the curvature $f''(0) = 8$ takes over and $f$ falls
# by exactly $(1 - 8\eta)^2 = 0.25$ per step. Karimi et al. show that every
# $f(x) = g(Ax)$ with a strongly convex $g$ satisfies PL for any matrix $A$, so least
# squares $\tfrac12\|Ax - b\|^2$ converges linearly even when it has many minimizers.

# %% [markdown]
# ## C. Himmelblau's basins in detail
#
# Section 7 of the chapter maps which of Himmelblau's four minima gradient descent
# reaches from 10,000 starts. First the same map ($\eta = 0.01$, 500 steps) and the
# one at $\eta = 0.016$:

# %%
def grid_of_starts(surface, n):
    """An n x n grid of starting points covering the surface's domain, shape (n*n, 2)."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    return np.column_stack([X.ravel(), Y.ravel()])


minima = himmelblau.minima
starts = grid_of_starts(himmelblau, 100)
basins = run_many(sgd(lr=0.01), himmelblau, starts, steps=500)
map_16 = run_many(sgd(lr=0.016), himmelblau, starts, steps=500)
hilltop = np.array([-0.270845, -0.923039])                     # the local maximum
thresholds = np.array([2 / np.linalg.eigvalsh(himmelblau.hess(m)).max() for m in minima])
sharpest = np.argmin(thresholds)                               # the most curved minimum
assert np.isclose(thresholds[sharpest], 0.0149, atol=5e-5)
steepest_at_start = np.linalg.eigvalsh(np.moveaxis(himmelblau.hess(starts.T), (0, 1), (-2, -1)))[..., -1]
ends_10 = basins.nearest_minimum(minima)
assert basins.fraction("converged") == 1.0


def flow_end(points):
    """The minimum the downhill path (gradient flow) from each point reaches: eta = 0.0005, 20,000 steps."""
    flow = run_many(sgd(lr=0.0005), himmelblau, points, steps=20_000)
    assert np.all(flow.status == "converged")
    return flow.nearest_minimum(minima)

# %% [markdown]
# **The borders pass through the hilltop and the saddles.** `scipy.optimize.root`
# (MINPACK's Powell hybrid method, Newton-like), from 100 starting guesses, finds nine
# distinct points where $\nabla f = 0$: minima, saddles and maxima alike. That is all
# of them: the two components of $\nabla f$ are cubic polynomials with no common factor
# (checked below), so they share at most $3 \times 3 = 9$ zeros (Bézout's theorem). Around each one with a negative Hessian eigenvalue,
# 16 runs started on a circle of radius 0.05 end in at least two different minima:

# %%
flat_points = []
for guess in grid_of_starts(himmelblau, 10):
    solution = scipy.optimize.root(himmelblau.grad, x0=guess, jac=himmelblau.hess)
    if solution.success and not any(np.allclose(solution.x, q, atol=1e-6) for q in flat_points):
        flat_points.append(solution.x)
assert len(flat_points) == 9 and all(any(np.allclose(m, q, atol=1e-6) for q in flat_points) for m in minima)
x_line = np.linspace(-3, 3, 7)                                 # no common factor: on the line y = 0 the two
g_line = himmelblau.grad(np.array([x_line, 0 * x_line]))       # components are 4x^3 - 42x - 14 and 2x^2 - 22,
assert np.allclose(g_line, [np.polyval([4, 0, -42, -14], x_line), np.polyval([2, 0, -22], x_line)])
assert np.abs(np.roots([4, 0, -42, -14])[:, None] - np.roots([2, 0, -22])).min() > 0.05   # with no common root.
# The x^3 coefficient of the first is the constant 4, so each of its factors has degree >= 1 in x, also on the
# line y = 0: a common factor would give a common root there.
border_points = [q for q in flat_points if np.linalg.eigvalsh(himmelblau.hess(q)).min() < 0]
assert len(border_points) == 5                                 # 4 saddles and the hilltop
circle = 0.05 * np.column_stack([np.cos(np.arange(16) * np.pi / 8), np.sin(np.arange(16) * np.pi / 8)])
for q in border_points:
    around = run_many(sgd(lr=0.01), himmelblau, q + circle, steps=2000)
    assert np.all(around.status == "converged")
    assert len(set(around.nearest_minimum(minima))) >= 2       # the circle straddles a border
print(np.array(border_points).round(3))

# %% [markdown]
# **Starts that miss their nearest minimum** ($\eta = 0.01$). To tell the downhill
# path from the effect of the step size, each is followed again along the *gradient
# flow* $\dot x = -\nabla f(x)$, of which gradient descent is Euler's method with time
# step $\eta$: approximated by $\eta = 0.0005$ (halving it once more changes no
# destination, checked below).

# %%
nearest_to_start = np.linalg.norm(starts[:, None] - minima[None], axis=2).argmin(axis=1)
elsewhere = ends_10 != nearest_to_start
careful = flow_end(starts[elsewhere])
same_end = careful == ends_10[elsewhere]
halved = run_many(sgd(lr=0.00025), himmelblau, starts[elsewhere], steps=40_000).nearest_minimum(minima)
moved = starts[elsewhere][~same_end]                           # the step-size effect
moved_end = ends_10[elsewhere][~same_end]                      # where eta = 0.01 takes them
on_wall, near_top = steepest_at_start[elsewhere][~same_end] > 140, steepest_at_start[elsewhere][~same_end] < 0
first_step = moved[on_wall] - 0.01 * himmelblau.grad(moved[on_wall].T).T
after_10 = run_many(sgd(lr=0.01), himmelblau, moved[near_top], steps=10, keep_path=True).path[-1]
print(f"{elsewhere.sum()} starts miss their nearest minimum; the flow takes {same_end.sum()} to the same one;"
      f" the other {len(moved)}: {on_wall.sum()} on steep walls, {near_top.sum()} near the hilltop")
print(f"flow from the first eta = 0.01 step of the wall starts reaches the eta = 0.01 minimum:"
      f" {np.sum(flow_end(first_step) == moved_end[on_wall])} of {on_wall.sum()}; from the 10th iterate of"
      f" the hilltop starts: {np.sum(flow_end(after_10) == moved_end[near_top])} of {near_top.sum()}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(elsewhere.sum() - 176) <= 3 and abs(same_end.sum() - 154) <= 3   # knife-edge counts: a little slack
assert abs(on_wall.sum() - 14) <= 2 and abs(near_top.sum() - 8) <= 2
assert np.all(halved == careful)                                   # eta = 0.0005 is close enough to the flow
assert 0.8 * elsewhere.sum() < same_end.sum() < elsewhere.sum()    # most: the downhill path; some: the step
assert np.all(on_wall | near_top)                                  # every one is of one kind or the other
assert 0.3 * len(moved) < near_top.sum() < 0.5 * len(moved)
assert np.all(np.linalg.norm(moved[near_top] - hilltop, axis=1) < 1.4)
assert np.all(flow_end(first_step) == moved_end[on_wall])          # the first step crosses the ridge
assert np.all(flow_end(moved[on_wall]) != moved_end[on_wall])
assert np.all(flow_end(after_10) == moved_end[near_top])           # the first ten steps decide

# %% [markdown]
# 176 of the 10,000 starts end at a minimum that is not the nearest (the counts can
# move by one or two on another machine: these starts sit on a knife edge, and the
# checks allow that much slack). For 154 of them the flow goes to the same minimum: the
# downhill path leads there. The other 22 are a step-size effect, of two kinds.
#
# - 14 start high on the steep outer walls (largest Hessian eigenvalue above 140).
#   Their first step of $\eta = 0.01$ jumps across a ridge: the flow from where it lands
#   reaches the minimum the $\eta = 0.01$ run reaches, for all 14, and the flow from the
#   start does not.
# - 8 start within 1.4 of the hilltop, where $f$ curves down in every direction. There
#   the first ten steps of $\eta = 0.01$ decide: the flow from the tenth iterate reaches
#   the minimum the $\eta = 0.01$ run reaches, for all 8.
#
# **The map at $\eta = 0.016$**, just above the sharp minimum's threshold $2/\lambda_{\max} = 0.0149$:

# %%
bouncing = map_16.status == "max_steps"
bounce_distance = np.linalg.norm(map_16.x[bouncing] - minima[sharpest], axis=1)
ends_16 = map_16.nearest_minimum(minima)
others = (ends_10 != sharpest) & ((map_16.status != "converged") | (ends_16 != ends_10))
first_16 = starts[others] - 0.016 * himmelblau.grad(starts[others].T).T
decided = np.mean(flow_end(first_16) == ends_16[others])
steep_share = np.mean(steepest_at_start[others] > 2 / 0.016)
bottom_strip, top_strip = np.sum(starts[others][:, 1] < -4), np.sum(starts[others][:, 1] > 4)
print(f"{bouncing.sum()} runs end unconverged, {bounce_distance.min():.2f} to {bounce_distance.max():.2f} from the"
      f" sharp minimum; {others.sum()} starts outside its basin change destination, {steep_share:.0%} of them where"
      f" the curvature exceeds 2/0.016 = 125 (grid: {np.mean(steepest_at_start > 125):.0%}); the flow from their"
      f" first step reaches the eta = 0.016 minimum for {decided:.0%}; {bottom_strip} with y < -4, {top_strip} with y > 4")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.all(map_16.nearest_minimum(minima)[bouncing] == sharpest)             # near it,
assert np.all((0.3 < bounce_distance) & (bounce_distance < 1))                  # not on it
assert 0.04 < np.mean(others) < 0.12                                            # several hundred move too ...
assert steep_share > 0.95 > 0.6 > np.mean(steepest_at_start > 125)              # ... nearly all from steep walls
assert decided > 0.98                                                           # ... decided by the first step
assert np.isclose(bounce_distance.min(), 0.54, atol=0.01) and np.isclose(bounce_distance.max(), 0.64, atol=0.01)
assert abs(others.sum() - 738) <= 10 and steep_share > 0.98                     # 738 (7%), 99% on steep walls
assert 0.45 < np.mean(steepest_at_start > 125) < 0.55                           # half of the grid
assert abs(bottom_strip - 337) <= 10 and abs(top_strip - 278) <= 10              # the two edge strips

# %% [markdown]
# The runs that head for the sharp minimum keep bouncing around it, 0.54 to 0.64 away.
# Outside its basin 738 starts (7% of the grid) change destination, most of them in two
# strips: 337 along the bottom edge ($y < -4$) and 278 along the top edge ($y > 4$); 99% of them start on a steep wall where the curvature exceeds
# $2/0.016 = 125$ (half of the grid does), and for 99% the first step decides: the
# flow from where the first $\eta = 0.016$ step lands reaches the minimum the
# $\eta = 0.016$ run reaches.
#
# **At the threshold $\eta = 2/\lambda_{\max}$ exactly**, the tangent parabola is
# undecided (factor $-1$) and the higher-order terms decide. For $f(x) = Lx^2/2 - x^4$
# near 0, $\eta = 2/L$ gives $x_{k+1} = -x_k(1 - 8x_k^2/L)$: the iterate flips sign and
# creeps inwards, so $1/x_k^2$ grows by about $16/L$ per step and
# $|x_k| \approx 1/\sqrt{1/x_0^2 + 16k/L}$; with $L = 1$ from $x_0 = 0.1$:

# %%
x_edge, L_edge = 0.1, 1.0
edge_path = [x_edge]
for _ in range(100_000):
    x_edge = x_edge - (2 / L_edge) * (L_edge * x_edge - 4 * x_edge**3)
    edge_path.append(x_edge)
edge_path = np.abs(np.array(edge_path))
print(f"eta = 2/L on L x^2/2 - x^4: |x| = {edge_path[1_000]:.2e} after 1,000 steps, {edge_path[-1]:.2e} after 100,000")
assert np.all(np.diff(edge_path) < 0)                              # creeps inwards at every step
assert np.isclose(edge_path[-1], 1 / np.sqrt(100 + 16 * 100_000), rtol=0.02)

# %% [markdown]
# **Far-away starts** above a minimum's threshold could still land exactly on it. For
# a polynomial such as Himmelblau's function that happens only for a set of starts of
# measure zero: the step $g(x) = x - \eta\nabla f(x)$ has the Jacobian
# $I - \eta\nabla^2 f(x)$, whose determinant is a polynomial, not identically zero, so
# $g$ is a local diffeomorphism outside a set of measure zero, and such a map cannot
# squeeze a set of positive measure onto one of measure zero. If also no Hessian
# eigenvalue at $x^\star$ equals $1/\eta$, the points that approach an unstable
# $x^\star$ form such a thin set (the stable-manifold argument of Lee et al. 2016 and
# Panageas & Piliouras 2017, who assume $g$ invertible everywhere: section A). A
# function built for the purpose, equal to $\|x - x^\star\|^2/(2\eta)$ plus a constant
# on some region far away, maps that whole region onto $x^\star$ in one step.

# %% [markdown]
# ## D. Tuning the learning rate on Rosenbrock, in detail
#
# Section 8 of the chapter tunes $\eta$ for gradient descent on Rosenbrock from
# $(-1.2, 1)$ with a budget of 24 runs of 5,000 steps, by grid search (24 log-spaced
# rates from $10^{-5}$ to $10^{-2}$) and by random search (24 log-uniform draws, seed 0).
# Here are the same runs again, then a closer look.

# %%
budget_runs, budget_steps = 24, 5000
low, high = 1e-5, 1e-2


def final_losses(lrs, steps=budget_steps):
    """Loss after the step budget for each learning rate (inf where the run diverged)."""
    result = run_many(sgd(lr=lrs), rosenbrock, np.tile(rosenbrock.start, (len(lrs), 1)), steps=steps, tol=0)
    return np.where(result.status == "diverged", np.inf, result.f)


grid_lrs = np.geomspace(low, high, budget_runs)
grid_losses = final_losses(grid_lrs)
best_grid = np.argmin(grid_losses)
rng = np.random.default_rng(0)
random_lrs = 10 ** rng.uniform(np.log10(low), np.log10(high), budget_runs)   # section 8's one random search
curvature_at_minimum = np.linalg.eigvalsh(rosenbrock.hess(rosenbrock.minima[0])).max()
assert np.isclose(grid_lrs[best_grid], 1.65e-3, rtol=0.01) and np.isclose(2 / curvature_at_minimum, 2e-3, rtol=0.01)

# %% [markdown]
# **Zoom.** Neighbouring grid rates differ by a factor 1.35. Here are 33 rates between
# $1.6 \cdot 10^{-3}$ and $2.4 \cdot 10^{-3}$ with the same budget, then the two most
# interesting rates with ten times the budget:

# %%
fine_lrs = np.linspace(1.6e-3, 2.4e-3, 33)
fine_losses = final_losses(fine_lrs)
best_fine = np.argmin(fine_losses)
long_lrs = np.array([2.0**-9, fine_lrs[best_fine]])           # just below 2/L, and the budget's best
long_runs = run_many(sgd(lr=long_lrs), rosenbrock, np.tile(rosenbrock.start, (2, 1)),
                     steps=10 * budget_steps, tol=0, keep_path=True)
print(f"fine scan: best lr = {fine_lrs[best_fine]:.3e}, final loss {fine_losses[best_fine]:.2e}"
      f" (grid's best: {grid_losses[best_grid]:.2e}; 2/L = {2 / curvature_at_minimum:.4e});"
      f" with {10 * budget_steps} steps: lr = 2^-9 -> f = {long_runs.f[0]:.1e},"
      f" lr = {long_lrs[1]:.3e} -> f = {long_runs.f[1]:.1e}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(fine_lrs[best_fine], 2.05e-3)                       # the budget's best ...
assert fine_lrs[best_fine] > 2 / curvature_at_minimum                  # ... is *above* 2/L
assert fine_losses[best_fine] < 0.25 * grid_losses[best_grid]          # and ends more than 4x lower
assert long_runs.f[0] < 1e-20 and long_runs.f[1] > 1e-3                # with time, 2^-9 settles; 2.05e-3 does not

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax_fine = plt.subplots(figsize=(7.5, 4.4), layout="constrained")
ax_fine.semilogy(fine_lrs, fine_losses, "s-", color=COLORS["reddish_purple"], markersize=4,
                 label=f"fine scan, {budget_steps} steps")
ax_fine.axvline(2 / curvature_at_minimum, color="black", linestyle="--", linewidth=1,
                label=f"$2/L$ at the minimum = {2 / curvature_at_minimum:.3e}")
ax_fine.plot(fine_lrs[best_fine], fine_losses[best_fine], "s", markersize=13, markerfacecolor="none",
             markeredgecolor=COLORS["reddish_purple"], markeredgewidth=2,
             label=f"best: $\\eta$ = {fine_lrs[best_fine]:.3e}")
ax_fine.plot(grid_lrs[best_grid], grid_losses[best_grid], "o", markersize=9, markerfacecolor="none",
             markeredgecolor=style.color_for("gd"), markeredgewidth=2, label="best of grid")
ax_fine.set(xlabel="learning rate $\\eta$ (linear scale)", ylabel="final loss $f(x_T)$ (log scale)",
            title="Zoom: 33 rates around $2/L$, 5,000 steps each")
ax_fine.legend(fontsize=8, loc="upper left");

# %% [markdown]
# The budget's best rate, $2.05 \cdot 10^{-3}$, is slightly *above* $2/L \approx
# 1.997 \cdot 10^{-3}$ and ends more than 4 times lower than the grid's best; just
# above it the final loss jumps up and becomes jagged. With ten times the budget the
# picture flips: $2^{-9} \approx 1.95 \cdot 10^{-3}$, just below $2/L$, reaches
# $f < 10^{-20}$, while $2.05 \cdot 10^{-3}$ ends above $10^{-3}$, bouncing. **The best
# fixed rate depends on the budget.**
#
# **Why can a rate above $2/L$ win a short run?** The limit $2/L$ is about the curvature
# *where the iterate is*. Along the run with $\eta = 2.05 \cdot 10^{-3}$ the largest
# Hessian eigenvalue is compared with $2/\eta \approx 976$:

# %%
path_best = long_runs.path[: budget_steps + 1, 1]                  # the budget's best, first 5000 steps
steep_along_path = np.linalg.eigvalsh(np.moveaxis(rosenbrock.hess(path_best.T), (0, 1), (-2, -1)))[..., -1]
unstable = np.flatnonzero(steep_along_path > 2 / fine_lrs[best_fine])
early, late_unstable = unstable[unstable < 100], unstable[unstable >= 100]
f_late = rosenbrock.f(long_runs.path[-1001:, 1].T)                     # the last 1000 of 50,000 steps
print(f"curvature {steep_along_path[0]:.0f} at the start; above 2/eta at steps {early} and from step"
      f" {late_unstable.min()} to the end; |1 - eta L| at the minimum ="
      f" {abs(1 - fine_lrs[best_fine] * curvature_at_minimum):.3f}; last 1000 of 50,000 steps: f rises in"
      f" {np.mean(np.diff(f_late) > 0):.0%} of them")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert 1500 < steep_along_path[0] < 1510                               # 1506 at the start ...
assert np.all(early < 12)                                              # ... and a few early steps
assert np.all(steep_along_path[12:3500] < 2 / fine_lrs[best_fine])     # below 2/eta along the valley floor
assert 3500 < late_unstable.min() < 4500                               # above it again only near (1, 1),
assert np.all(np.diff(late_unstable) == 1) and late_unstable[-1] == budget_steps   # until the end
assert np.isclose(abs(1 - fine_lrs[best_fine] * curvature_at_minimum), 1.053, atol=1e-3)
assert 0.4 < np.mean(np.diff(f_late) > 0) < 0.6 and f_late.min() > 1e-2   # up every other step: bouncing

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax_s = plt.subplots(figsize=(8, 4), layout="constrained")
steps_axis = np.arange(steep_along_path.size)
ax_s.plot(steps_axis, steep_along_path, color=COLORS["blue"], linewidth=1.5,
          label="$\\lambda_{\\max}(\\nabla^2 f(x_k))$ along the run")
ax_s.plot(unstable, steep_along_path[unstable], "o", color=COLORS["vermillion"], markersize=2.5, linestyle="none",
          label="steps where it is above $2/\\eta$")
ax_s.axhline(2 / fine_lrs[best_fine], color="black", linestyle="--", linewidth=1,
             label=f"$2/\\eta$ = {2 / fine_lrs[best_fine]:.0f}")
ax_s.set(xlabel="step $k$", ylabel="largest Hessian eigenvalue at $x_k$", ylim=(0, 1900),
         title=f"Rosenbrock, $\\eta$ = {fine_lrs[best_fine]:.3g}: the curvature where the iterate is")
ax_s.legend(fontsize=8, loc="lower right")
ax_in = ax_s.inset_axes([0.16, 0.67, 0.4, 0.25])                     # zoom on the first 30 steps
ax_in.plot(steps_axis[:31], steep_along_path[:31], ".-", color=COLORS["blue"], linewidth=1, markersize=4)
ax_in.plot(early, steep_along_path[early], "o", color=COLORS["vermillion"], markersize=4, linestyle="none")
ax_in.axhline(2 / fine_lrs[best_fine], color="black", linestyle="--", linewidth=1)
ax_in.set_title("zoom: steps 0 to 30", fontsize=8)
ax_in.tick_params(labelsize=7);

# %% [markdown]
# The largest eigenvalue is 1,506 at the start, above $2/\eta$, and the first dozen
# steps bounce across the valley (inset). Along the valley floor the curvature stays
# below 976; close to $(1, 1)$, from about step 3,900 to the end, it is above again,
# and the component across the valley grows, by up to $|1 - \eta L| = 1.053$ per step.
# It starts from almost nothing, so it takes over a thousand steps to show, and then
# only just: in this run $f$ still falls until step 5,156 ($f = 3.5 \cdot 10^{-5}$),
# then shoots up, past $10^{-3}$ at step 5,259 and past $0.1$ at step 5,325. The
# 5,000-step budget ends about 150 steps before the loss turns up: this rate wins
# because the run stops just in time.
# With 50,000 steps the run ends bouncing, its loss going up on every other step.

# %%
f_early = rosenbrock.f(long_runs.path[:5501, 1].T)                      # the budget's best, first 5500 steps
turn = f_early.argmin()
later = np.arange(f_early.size) > turn
blow_up = [np.argmax(later & (f_early > level)) for level in (1e-3, 0.1)]
print(f"smallest f {f_early[turn]:.2g} at step {turn}; f passes 1e-3 at step {blow_up[0]}, 0.1 at step {blow_up[1]}")
assert 100 < turn - budget_steps < 250 and f_early[turn] < 1e-4      # the loss turns up ~150 steps after 5000
assert turn - late_unstable.min() > 1000                              # over a thousand steps after the curvature passes 2/eta
assert turn < blow_up[0] < blow_up[1] < 5450                            # ... and shoots up within a few hundred

# %% [markdown]
# **How far is the best rate from the edge of divergence?** A rule of thumb (Bengio
# 2012; Smith 2017, §3.3) says within about a factor 2:

# %%
edge = grid_lrs[np.isfinite(grid_losses)].max()                    # largest grid rate that does not diverge
edge_scan = np.linspace(edge, grid_lrs[grid_lrs > edge].min(), 39)  # between it and the next grid rate
edge_fine = edge_scan[~np.isfinite(final_losses(edge_scan))].min()  # the smallest rate that diverges
print(f"largest non-diverging grid rate {edge:.2e} = {edge / grid_lrs[best_grid]:.1f} x the grid's best;"
      f" the smallest rate that diverges is {edge_fine:.2e}, {edge_fine / fine_lrs[best_fine]:.1f} x the"
      f" budget's best, {edge_fine / grid_lrs[best_grid]:.1f} x the grid's best")
assert np.isclose(edge, 5.5e-3, rtol=0.01) and 3.2 < edge / grid_lrs[best_grid] < 3.4   # on the grid: 3.3x
assert 6.1e-3 < edge_fine < 6.3e-3                                      # the edge: about 6.2e-3
assert 2.9 < edge_fine / fine_lrs[best_fine] < 3.1 and 3.6 < edge_fine / grid_lrs[best_grid] < 3.9

# %% [markdown]
# On this problem it is about 3: the largest grid rate that does not diverge,
# $5.5 \cdot 10^{-3}$, is 3.3 times the grid's best, and the first divergence lies at
# about $6.2 \cdot 10^{-3}$, 3.0 times the budget's best and 3.8 times the grid's.
#
# **How often does random search win, and how badly does it lose?** The final loss
# depends only on the rate, so we can count. On 1,501 log-spaced rates, the ones that
# beat the grid's best fill a narrow window, from about $1.65 \cdot 10^{-3}$ to
# $2.05 \cdot 10^{-3}$: a fraction $p \approx 0.032$ of the log range. One search of 24
# log-uniform draws hits it with probability $1 - (1 - p)^{24} \approx 0.54$. The rates
# within 10 times the grid's best fill a fraction $p_{10} \approx 0.094$, so a search
# misses them all, and loses by more than a factor 10, with probability
# $q_{10} = (1 - p_{10})^{24} \approx 0.09$. Then twenty independent random searches
# (the generator of seed 0, drawn further):

# %%
scan_lrs = np.geomspace(low, high, 1501)
scan_losses = final_losses(scan_lrs)
beats = scan_lrs[scan_losses < grid_losses[best_grid]]
p_win, p_10 = np.mean(scan_losses < grid_losses[best_grid]), np.mean(scan_losses < 10 * grid_losses[best_grid])
q_10 = (1 - p_10) ** budget_runs                                   # one search of 24 draws loses badly
repeats = 20
many_lrs = 10 ** rng.uniform(np.log10(low), np.log10(high), (repeats, budget_runs))
ratio = final_losses(many_lrs.ravel()).reshape(repeats, budget_runs).min(axis=1) / grid_losses[best_grid]
print(f"window {beats.min():.3g} to {beats.max():.3g}, p = {p_win:.3f}, p_10 = {p_10:.3f};"
      f" P(one search wins) = {1 - (1 - p_win) ** budget_runs:.2f}, q_10 = {q_10:.3f},"
      f" P(some of 20 searches loses badly) = 1 - (1 - q_10)^20 = {1 - (1 - q_10) ** repeats:.2f}")
print(f"20 searches: best / grid's best: median {np.median(ratio):.2f}, range {ratio.min():.2f} to {ratio.max():.1f};"
      f" won {np.sum(ratio < 1)}, within 10x {np.sum(ratio < 10)}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(beats.min(), 1.65e-3, rtol=0.02) and np.isclose(beats.max(), 2.05e-3, rtol=0.02)
assert np.all(scan_losses[(scan_lrs >= beats.min()) & (scan_lrs <= beats.max())] < grid_losses[best_grid])  # one window
assert 0.028 < p_win < 0.036 and 0.085 < p_10 < 0.105
assert 0.5 < 1 - (1 - p_win) ** budget_runs < 0.6 and 0.07 < q_10 < 0.11
assert 0.8 < 1 - (1 - q_10) ** repeats < 0.92
assert np.sum(ratio < 10) >= 0.75 * repeats and np.median(ratio) < 3   # comparable, typically
assert 0.25 * repeats <= np.sum(ratio < 1) <= 0.75 * repeats          # wins about as often as it loses
assert abs(np.mean(ratio < 1) - (1 - (1 - p_win) ** budget_runs)) < 0.3   # the counts agree, loosely
assert ratio.max() > 10                                                # this seed: one search loses badly

# %% [markdown]
# In these twenty searches random search wins about as often as it loses, comes within
# a factor 10 of the grid's best in at least 15, and, with this seed, loses badly once
# or more. The count predicts that: at least one of 20 searches loses badly with
# probability $1 - (1 - q_{10})^{20} \approx 0.86$, so another seed fails this last
# check about one time in seven.

# %% [markdown]
# ## E. Which step lengths the backtracking search accepts
#
# Section 9 of the chapter runs gradient descent on Rosenbrock from $(-1.2, 1)$ for
# 5,000 steps, each step length chosen by an Armijo backtracking search: start at
# $\alpha = 1$, halve until $f(x - \alpha g) \le f(x) - c_1\alpha\|g\|^2$ with
# $c_1 = 10^{-4}$. The same run again, and the best fixed rate of the chapter's grid
# for comparison:

# %%
budget_steps = 5000
path_bt, alphas_bt, losses_bt = [np.array(rosenbrock.start, dtype=float)], [], [rosenbrock.f(rosenbrock.start)]
evaluations_bt = 1
for _ in range(budget_steps):
    g = rosenbrock.grad(path_bt[-1])
    search = backtracking(rosenbrock.f, path_bt[-1], losses_bt[-1], g, -g, alpha0=1.0, c1=1e-4, rho=0.5)
    path_bt.append(path_bt[-1] - search.alpha * g)
    alphas_bt.append(search.alpha)
    losses_bt.append(search.f)
    evaluations_bt += search.n_f
path_bt, alphas_bt, losses_bt = np.array(path_bt), np.array(alphas_bt), np.array(losses_bt)
grid_best_lr = np.geomspace(1e-5, 1e-2, 24)[17]                     # section 8's best grid rate
grid_best_loss = run(sgd(lr=grid_best_lr), rosenbrock, rosenbrock.start, steps=budget_steps, tol=0).f
curvature_at_minimum = np.linalg.eigvalsh(rosenbrock.hess(rosenbrock.minima[0])).max()
assert np.isclose(grid_best_lr, 1.65e-3, rtol=0.01) and losses_bt[-1] < grid_best_loss

# %% [markdown]
# Here is the test at two moments of that run: $\varphi(\alpha) = f(x_k - \alpha
# \nabla f(x_k)) - f(x_k)$ against $\alpha$, with the tangent line
# $-\alpha\|\nabla f(x_k)\|^2$ and the Armijo line $-c_1\alpha\|\nabla f(x_k)\|^2$ (with
# $c_1 = 10^{-4}$ it is nearly flat: any real decrease passes). The $\alpha$ axis is
# logarithmic, so each halving is one equal step to the left; for the same reason
# the two lines, straight in $\alpha$, look curved in the figure. The halvings try
# $\alpha = 1, \tfrac12, \tfrac14, \dots$ from the right; the first trial whose
# $\varphi$ lies below the Armijo line is accepted.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, axes = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
moments = {}
for ax, k in zip(axes, (150, 1000)):
    x_k = path_bt[k]
    g = rosenbrock.grad(x_k)
    slope = g @ g
    alphas = np.geomspace(2.0**-11, 1.5, 600)                # log scale: every trial, 1 down to 2^-11
    phi = rosenbrock.f(x_k[:, None] - alphas[None] * g[:, None]) - rosenbrock.f(x_k)
    near = alphas <= 2.0**-7.6                               # the y-range is set by small steps
    trials = 2.0 ** -np.arange(0, 12)
    trials = trials[trials >= alphas_bt[k]]                  # the trials of this step, down to the accepted one
    phi_trials = np.array([rosenbrock.f(x_k - a * g) - rosenbrock.f(x_k) for a in trials])
    passed = phi_trials <= -1e-4 * trials * slope
    assert passed[-1] and not np.any(passed[:-1])            # only the last trial passed: it is accepted
    moments[k] = trials[-1]
    ax.plot(alphas, phi, color="black", linewidth=1.6, label=r"$\varphi(\alpha) = f(x_k - \alpha\nabla f) - f(x_k)$")
    ax.plot(alphas, -alphas * slope, color=COLORS["blue"], linestyle=":", linewidth=1.5,
            label=r"tangent $-\alpha\|\nabla f\|^2$")
    ax.plot(alphas, -1e-4 * alphas * slope, color=COLORS["bluish_green"], linestyle="--", linewidth=1.5,
            label=r"Armijo line $-c_1\alpha\|\nabla f\|^2$, $c_1 = 10^{-4}$")
    y_lo = 1.3 * phi[near].min()
    y_hi = max(-0.6 * phi[near].min(), 1.3 * phi_trials[trials <= 2.0**-7.6].max())
    inside = phi_trials <= y_hi
    ax.plot(trials[inside & ~passed], phi_trials[inside & ~passed], "X", color=COLORS["vermillion"],
            markersize=10, linestyle="none", label="trial rejected")
    ax.plot(trials[~inside], np.full((~inside).sum(), 0.96), "^", color=COLORS["vermillion"],
            markeredgecolor="black", markersize=9, linestyle="none", transform=ax.get_xaxis_transform(),
            clip_on=False, label=r"trial rejected, $\varphi$ above the panel (marked at the top)")
    ax.plot(trials[passed], phi_trials[passed], "o", color=COLORS["bluish_green"], markeredgecolor="black",
            markersize=9, linestyle="none", label="trial accepted")
    ax.axvline(2 / curvature_at_minimum, color="0.5", linestyle="-.", linewidth=1, label="$2/L$ at the minimum")
    ax.set_xscale("log", base=2)
    exponent = int(np.floor(np.log10(max(-y_lo, y_hi))))              # the scale goes into the label
    ax.yaxis.set_major_formatter(plt.FuncFormatter(
        lambda v, _, e=exponent: f"{v / 10.0**e:g}".replace("-", "\u2212")))
    ax.set(xlim=(2.0**-11, alphas[-1]), ylim=(y_lo, y_hi),
           xlabel=r"step length $\alpha$ (log scale)", ylabel=rf"$\varphi(\alpha)$ in units of $10^{{{exponent}}}$",
           title=f"step {k + 1}: $\\alpha$ = $2^{{{int(np.log2(trials[-1]))}}}$ accepted"
                 f" after {len(trials) - 1} rejections")
assert moments == {150: 2.0**-8, 1000: 2.0**-9}             # one long step, one short one
fig.legend(handles=axes[1].get_legend_handles_labels()[0], loc="outside lower center", ncols=3, fontsize=8.5)
fig.suptitle("The Armijo test on Rosenbrock: accept the first halving that lies below the Armijo line");

# %% [markdown]
# On the left (step 151) $\varphi$ is still below the Armijo line at $2^{-8}$, so
# the long step is taken. On the right (step 1001) $\varphi(2^{-8}) > 0$: the step
# would go *up*, and the search halves once more to $2^{-9}$. The tangent is the
# first-order model of the chapter's section 1; for small $\alpha$, $\varphi$ follows it, which is
# why the halving always ends.

# %% [markdown]
# **Why backtracking needs no $L$.** By the descent lemma, if
# $\nabla f$ is $L$-Lipschitz on the segment tried,
# $f(x - \alpha g) \le f(x) - \alpha(1 - \alpha L/2)\|g\|^2$, and
# $1 - \alpha L/2 \ge c_1$ exactly when $\alpha \le 2(1 - c_1)/L$. So every such
# $\alpha$ passes the Armijo test, and halving from $\alpha_0$ stops at the latest
# one halving below that bound: the accepted step is
# $\alpha \ge \min\big(\alpha_0,\ 2\rho(1 - c_1)/L\big)$ with $\rho = \tfrac12$ the
# halving factor (Boyd & Vandenberghe 2004, *Convex Optimization*, §9.3.1, prove
# the same with the weaker bound $\rho/L$ for $c_1 \le \tfrac12$). The search
# never needs to know $L$; it finds a step of the right size by trying.
#
# **The bound on this run.** Plugging in for $L$ the largest curvature
# at the iterates, 1,506 (at the start), gives $\alpha \ge 2\rho(1 - c_1)/L \approx
# 6.6 \cdot 10^{-4}$. That is a heuristic, since the bound needs $L$ along the whole
# segment tried, not only at its start; the shortest accepted step, $2^{-10} \approx
# 9.8 \cdot 10^{-4}$, respects it:

# %%
curvature_on_path = np.linalg.eigvalsh(np.moveaxis(rosenbrock.hess(path_bt.T), (0, 1), (-2, -1)))[..., -1].max()
print(f"largest curvature at the iterates {curvature_on_path:.0f}: guaranteed alpha >="
      f" {2 * 0.5 * (1 - 1e-4) / curvature_on_path:.1e}; shortest accepted: 2^{np.log2(alphas_bt.min()):.0f}")
assert np.isclose(curvature_on_path, 1506, atol=1) and alphas_bt.min() == 2.0**-10
assert alphas_bt.min() >= 2 * 0.5 * (1 - 1e-4) / curvature_on_path

# %% [markdown]
# After its first 100 steps, the backtracking run accepts only two
# lengths: $2^{-9} \approx 1.95 \cdot 10^{-3}$, just below the stability limit
# $2/L \approx 2.00 \cdot 10^{-3}$ at the minimum, and $2^{-8} \approx 3.9 \cdot 10^{-3}$,
# about twice it. It does not alternate between them (a long-short pair would
# multiply the component across the valley by $|1 - 2^{-8}L|\,|1 - 2^{-9}L| \approx 2.8$
# near the minimum, so strict alternation would diverge there):

# %%
late = alphas_bt[100:]                                           # after the first 100 steps
share_8, share_9 = np.mean(late == 2.0**-8), np.mean(late == 2.0**-9)
factor_8, factor_9 = abs(1 - 2.0**-8 * curvature_at_minimum), abs(1 - 2.0**-9 * curvature_at_minimum)
print(f"after step 100: alpha = 2^-9 in {share_9:.1%} of the steps, 2^-8 in {share_8:.1%};"
      f" consecutive steps differ in {np.mean(late[1:] != late[:-1]):.0%} of the pairs;"
      f" |1 - 2^-8 L| |1 - 2^-9 L| = {factor_8 * factor_9:.2f}")
assert share_8 + share_9 == 1                                    # only these two lengths ...
assert 0.85 < share_9 < 0.97 and 0.03 < share_8 < 0.15           # ... mostly the short one
assert np.mean(late[1:] != late[:-1]) < 0.3                      # not alternating
assert factor_8 * factor_9 > 2                                   # (alternation would diverge)
assert 2.0**-9 < 2 / curvature_at_minimum < 2.0**-8              # one below the limit, one above

# %% [markdown]
# Which one, when? Use the local quadratic model of $f$ along the step,
# $f(x - \alpha g) \approx f(x) - \alpha\|g\|^2 + \tfrac12\alpha^2\, g^\top H g$ with
# $H$ the Hessian at $x$. The Armijo test then passes exactly when
# $-\alpha\|g\|^2 + \tfrac12\alpha^2 g^\top H g \le -c_1\alpha\|g\|^2$, that is when
#
# $$R(g) = \frac{g^\top H g}{\|g\|^2} \;\le\; \frac{2(1 - c_1)}{\alpha} .$$
#
# $R(g)$ is the curvature in the direction of the gradient, an average of the Hessian's
# eigenvalues weighted by the squared components of $g$ along their eigenvectors:
# close to the steep eigenvalue ($\approx 1{,}000$) when the gradient points across
# the valley, close to the shallow one ($\approx 0.4$) when it points along it. So
# $2^{-8}$ passes when $R(g) \le 2(1 - c_1) \cdot 2^8 \approx 512$, i.e. when at least
# about half of the gradient's weight lies along the valley floor; $2^{-9}$ passes
# whenever $R(g) \le 1{,}024$, which, after the first 100 steps, is always (the
# largest Hessian eigenvalue at the iterates stays below 1,024 there). Measured on
# the run, with the model's threshold within 1%:

# %%
g_bt = rosenbrock.grad(path_bt[:-1].T).T                        # gradient at the start of each step
H_bt = np.moveaxis(rosenbrock.hess(path_bt[:-1].T), (0, 1), (-2, -1))
rayleigh = np.einsum("ki,kij,kj->k", g_bt, H_bt, g_bt) / np.einsum("ki,ki->k", g_bt, g_bt)
threshold_8 = 2 * (1 - 1e-4) / 2.0**-8
after_100 = np.arange(budget_steps) >= 100
long_steps, short_steps = after_100 & (alphas_bt == 2.0**-8), after_100 & (alphas_bt == 2.0**-9)
print(f"R(g) at the long steps: {rayleigh[long_steps].min():.0f} to {rayleigh[long_steps].max():.1f};"
      f" at the short ones: {rayleigh[short_steps].min():.1f} to {rayleigh[short_steps].max():.0f};"
      f" threshold for 2^-8: {threshold_8:.1f}")
steep_after_100 = np.linalg.eigvalsh(H_bt[after_100])[:, -1].max()
print(f"largest Hessian eigenvalue at the iterates after step 100: {steep_after_100:.0f}")
assert np.all(rayleigh[long_steps] < 1.01 * threshold_8)        # long step accepted: R below ~512
assert np.all(rayleigh[short_steps] > 0.99 * threshold_8)       # halved once more: R above ~512
assert steep_after_100 < 2 * (1 - 1e-4) / 2.0**-9               # 2^-9 always passes after step 100

# %%
fig, (ax_r, ax_hist) = plt.subplots(1, 2, figsize=(12, 4.2), width_ratios=[1.6, 0.7], layout="constrained")
window = np.arange(100, 201)
ax_r.plot(window, rayleigh[window], color="0.6", linewidth=0.8, zorder=1)
for value, marker, color in ((2.0**-8, "^", COLORS["vermillion"]), (2.0**-9, "o", COLORS["blue"])):
    hit = window[alphas_bt[window] == value]
    ax_r.plot(hit, rayleigh[hit], marker, color=color, markersize=5, linestyle="none",
              label=f"accepted $\\alpha_k = 2^{{{int(np.log2(value))}}}$")
ax_r.axhline(threshold_8, color="black", linestyle="--", linewidth=1,
             label=f"$2(1 - c_1)/2^{{-8}}$ = {threshold_8:.0f}")
ax_r.set(xlabel="step $k$", ylabel=r"$R(g_k) = g_k^\top H g_k / \|g_k\|^2$",
         title="Curvature along the gradient, steps 100 to 200", ylim=(250, 850))
ax_r.legend(fontsize=8, loc="lower left")
ax_hist.bar([0, 1], [share_9, share_8], color=[COLORS["blue"], COLORS["vermillion"]],
            hatch=["", "//"], edgecolor="black")
ax_hist.set_xticks([0, 1], ["$2^{-9}$", "$2^{-8}$"])
for i, share in enumerate((share_9, share_8)):
    ax_hist.text(i, share + 0.02, f"{share:.1%}", ha="center", fontsize=9)
ax_hist.set(xlabel=r"accepted $\alpha_k$", ylabel="share of steps 101 to 5000", ylim=(0, 1.08),
            title="How often each length");

# %% [markdown]
# Left: every long step (triangle) is taken where the gradient's curvature $R(g_k)$ is
# below the line, every short one (circle) where it is above. A long step makes
# the component across the valley grow (factor $|1 - 2^{-8}L| \approx 2.9$ near the
# minimum), which pushes $R$ up; the short steps shrink it again until $R$ drops
# below the line. Every accepted step lowers $f$, so the run settles where a fixed
# rate of $2^{-8}$ could not. Right: the short step is taken in 92% of the steps
# after the first 100, the long one in 8%.

# %% [markdown]
# **A cheaper search.** Most trials above are spent halving from $\alpha = 1$ down
# to $2^{-8}$ or $2^{-9}$ at every step. Starting each search from twice the last
# accepted step (a *warm start*, a simple variant of the initial-step rules in
# Nocedal & Wright 2006, §3.5) skips those trials:

# %%
x_warm, alpha_warm = np.array(rosenbrock.start, dtype=float), 1.0
f_warm, evaluations_warm = rosenbrock.f(x_warm), 1
for _ in range(budget_steps):
    g = rosenbrock.grad(x_warm)
    search = backtracking(rosenbrock.f, x_warm, f_warm, g, -g, alpha0=min(1.0, 2 * alpha_warm), c1=1e-4, rho=0.5)
    x_warm, f_warm, alpha_warm = x_warm - search.alpha * g, search.f, search.alpha
    evaluations_warm += search.n_f
print(f"warm start: {evaluations_warm / budget_steps:.1f} values of f per step (cold start:"
      f" {evaluations_bt / budget_steps:.1f}); final loss {f_warm:.1e} (cold start: {losses_bt[-1]:.1e},"
      f" best fixed rate of the grid: {grid_best_loss:.1e})")
assert evaluations_warm < 0.25 * evaluations_bt                   # about 2 per step instead of 10
assert f_warm < 0.1 * grid_best_loss                       # still far below the grid's best

# %% [markdown]
# About 2 values of $f$ per step instead of 10. The final loss is higher than the
# cold start's, but both end far below the best fixed rate of the
# grid.

# %% [markdown]
# ## F. Exact line search on a quadratic
#
# The most expensive line search takes, at every step, the step length that
# minimizes $f$ along $-\nabla f$ exactly. On a quadratic $\tfrac12 x^\top A x$ it has
# a formula: $\alpha_k = g_k^\top g_k / (g_k^\top A g_k)$ with $g_k = A x_k$. Then
# $f$ along the line is flat at the new point, so the new gradient is at right
# angles to the old one: the path zig-zags in right angles. And it is not always
# faster than the best *fixed* rate $\eta^\star = 2/(L + \mu)$ of the chapter's section 4.
# On the chapter's bowl ($\mu = 1$, $L = 10$, the eigenvectors along the axes), from
# the worst starts, a multiple of $(1/\mu, \pm 1/L)$ ($(1, 0.1)$ or $(1, -0.1)$), $f$ falls by
# exactly $\big(\tfrac{\kappa - 1}{\kappa + 1}\big)^2$ per step, the same factor as
# with $\eta^\star$; this is the worst case of the classical bound for steepest
# descent with exact line searches (Nocedal & Wright 2006, chapter 3). From the
# bowl's usual start it is much faster:

# %%
bowl = quadratic(condition_number=10)                       # f(x) = x^T A x / 2, eigenvalues 1 and 10
assert (bowl.mu, bowl.L) == (1, 10) and np.allclose(bowl.start, (-2.5, 1.0))


def exact_line_search(A, x0, tol=1e-8, max_steps=1000):
    """Steepest descent on x'Ax/2 with the exact step g'g / g'Ag; the path, until |g| <= tol."""
    path = [np.array(x0, dtype=float)]
    while np.linalg.norm(A @ path[-1]) > tol and len(path) <= max_steps:
        g = A @ path[-1]
        path.append(path[-1] - (g @ g) / (g @ A @ g) * g)
    return np.array(path)


A_bowl = bowl.hess(bowl.start)
rho_f = ((bowl.L / bowl.mu - 1) / (bowl.L / bowl.mu + 1)) ** 2
exact_paths, fixed_steps = {}, {}
for x0 in ((-2.5, 1.0), (1.0, 0.1)):
    exact_paths[x0] = exact_line_search(A_bowl, x0)
    fixed_steps[x0] = run(sgd(lr=2 / (bowl.L + bowl.mu)), bowl, np.array(x0), steps=5000).steps
    p_ = exact_paths[x0]
    f_ratio = bowl.f(p_[1:].T) / bowl.f(p_[:-1].T)
    g_ = p_ @ A_bowl
    print(f"start {x0}: exact line search {len(p_) - 1} steps (f ratio per step {f_ratio.max():.3f}),"
          f" fixed eta* {fixed_steps[x0]} steps; ((kappa-1)/(kappa+1))^2 = {rho_f:.3f}")
    assert np.allclose(np.sum(g_[1:] * g_[:-1], axis=1), 0, atol=1e-12 * np.linalg.norm(g_[0]) ** 2)   # right angles
    assert np.all(f_ratio <= rho_f * (1 + 1e-9))                          # never worse than the bound
worst = bowl.f(exact_paths[(1.0, 0.1)][1:].T) / bowl.f(exact_paths[(1.0, 0.1)][:-1].T)
assert np.allclose(worst, rho_f, rtol=1e-9)                               # the worst start attains it
assert len(exact_paths[(-2.5, 1.0)]) - 1 < 0.5 * fixed_steps[(-2.5, 1.0)]  # the usual start: much faster
assert abs(len(exact_paths[(1.0, 0.1)]) - 1 - fixed_steps[(1.0, 0.1)]) <= 0.1 * fixed_steps[(1.0, 0.1)]  # worst: no faster

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained", width_ratios=(1.25, 1))
windows = {(-2.5, 1.0): ((-2.8, 0.4), (-0.6, 1.2)), (1.0, 0.1): ((-0.05, 1.1), (-0.12, 0.15))}
for ax, (x0, p_) in zip(axes, exact_paths.items()):
    (x_lo, x_hi), (y_lo, y_hi) = windows[x0]
    levels = np.geomspace(bowl.f(p_[11]), bowl.f(p_[0]), 8)
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, 300), np.linspace(y_lo, y_hi, 300))
    ax.contour(gx, gy, bowl.f(np.stack([gx, gy])), levels=levels, colors="0.6", linewidths=0.8)
    steps_art = plotting.plot_path(p_[:12], ax=ax, color=COLORS["vermillion"],
                                   label="exact line search, first 11 steps")
    steps_art.end.set_visible(False)                       # the run goes on beyond step 11
    ax.plot(0, 0, "*", color="black", markersize=12, linestyle="none", label="minimum (0, 0)")
    ax.set(title=f"from {x0}: {len(p_) - 1} steps to $\\|\\nabla f\\| \\leq 10^{{-8}}$"
                 f" (fixed $\\eta^*$: {fixed_steps[x0]})", xlabel="$x$", ylabel="$y$",
           xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
    if x0 == (-2.5, 1.0):
        ax.set_aspect("equal")                             # to scale: the right angles look square
    else:                                                  # stretched, so the worst case is as tall as the left
        ax.set_ylabel("$y$ (stretched, not to scale)")
    if ax.get_legend() is not None:                        # one shared legend below
        ax.get_legend().remove()
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8)
fig.suptitle("Exact line search on the bowl: each step ends at right angles to the last");

# %% [markdown]
# Outside quadratics exact line search is usually not worth its price (Nocedal &
# Wright 2006, chapter 3, recommend inexact searches such as Armijo's): each step needs
# a one-dimensional minimization, and, as the right panel shows, it still zig-zags
# when the valley is narrow. (The right panel's $y$ axis is stretched about three
# times so the zig-zag shows; there the right angles look oblique, but they are
# exact: each gradient is orthogonal to the previous one, asserted in the cell above.) Curing the zig-zag takes a better *direction*:
# momentum (chapter 05) or Newton's method (chapter 08).

# %% [markdown]
# ## G. The cost of gradient descent grows like $\kappa$
#
# Section 4 of the chapter runs gradient descent at the best fixed rate
# $\eta^\star = 2/(L + \mu)$ on quadratics of condition number $\kappa = L/\mu$ and counts
# the steps to $\|\nabla f\| \le 10^{-8}$: fewer than 20 at $\kappa = 2$, more than a
# thousand at $\kappa = 100$. Over a wider range, ten condition numbers from 2 to 1,000:

# %%
kappas = np.geomspace(2, 1000, 10)
steps_kappa = np.array([run(sgd(lr=2 / (k + 1)), quadratic(condition_number=k), quadratic(condition_number=k).start,
                            steps=20_000).steps for k in kappas])
slope_kappa = np.polyfit(np.log(kappas[3:]), np.log(steps_kappa[3:]), 1)[0]
print(f"steps to |grad f| <= 1e-8 at eta*: from {steps_kappa[0]} (kappa = 2) to {steps_kappa[-1]} (kappa = 1000);"
      f" log-log slope {slope_kappa:.2f}")
assert 0.95 < slope_kappa < 1.15      # about proportional to kappa (a little more: |grad f(x0)| grows with L = kappa)
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
ax.loglog(kappas, steps_kappa, "o-", color=style.color_for("gd"), label="gradient descent at $\\eta^*$ (measured)")
ax.loglog(kappas, steps_kappa[0] * kappas / kappas[0], color="black", linestyle="--", linewidth=1,
          label="proportional to $\\kappa$ (slope guide, from $\\kappa$ = 2)")
ax.loglog(kappas, steps_kappa[0] * np.sqrt(kappas / kappas[0]), color=COLORS["orange"], linestyle=":",
          linewidth=1.5, label="proportional to $\\sqrt{\\kappa}$ (slope guide, from $\\kappa$ = 2;"
                               " momentum's rate, chapter 05)")
ax.set(xlabel="condition number $\\kappa$ (log scale)", ylabel="steps to $\\|\\nabla f\\| \\leq 10^{-8}$ (log scale)",
       title="The cost of gradient descent grows like $\\kappa$")
ax.legend(fontsize=8);

# %% [markdown]
# On log-log axes the step count follows a line of slope about 1 (a little more,
# because the start's gradient norm grows with $L = \kappa$): the cost is about
# proportional to $\kappa$, as $\log \rho^\star \approx -2/\kappa$ predicts. Momentum
# (chapter 05) brings it down to about $\sqrt{\kappa}$.
