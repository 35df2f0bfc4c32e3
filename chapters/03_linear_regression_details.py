# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 03, details — linear regression: statistics, solvers, edge cases
#
# This notebook holds what the chapter
# [03_linear_regression.ipynb](03_linear_regression.ipynb) points to but does not
# need for its story, in the order of its sections: the maximum-likelihood reading
# of the squared loss, the held-out loss of the fitted line, which solver to use and
# the digits each one loses, learning rates above $2/L$, two figures of the
# chapter's section 6, what `np.linalg.solve` does on singular normal equations, the
# noise in the weights of correlated features, and early stopping against ridge
# (the filter derivation, the two paths, the pairs). It is reference for the curious, not needed for the
# exercises. Each section is self-contained: it recomputes what it uses, and every
# number in the text is computed and asserted by the cells next to it.

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

from gdlearn import data, models, plotting, style
from gdlearn.surfaces import Surface

COLORS = style.PALETTE
GD_COLOR = style.color_for("gd")

# %% [markdown]
# ## A. Why squares: maximum likelihood
#
# Section 2 of the chapter defines the half-MSE
# $J(w) = \frac{1}{2n}\|Xw - y\|^2$. Why squares, and not, say, absolute values? One
# reason is statistical. Suppose the data were made as the chapter's were,
# $y_i = x_i^\top w + \text{noise}_i$, with independent Gaussian noise of variance $\sigma^2$. The probability density of the observed
# targets given $w$ is then $\prod_i (2\pi\sigma^2)^{-1/2}
# \exp\!\big(-(y_i - x_i^\top w)^2 / 2\sigma^2\big)$, and its negative logarithm is
#
# $$\frac n2 \ln(2\pi\sigma^2) + \frac{1}{2\sigma^2} \sum_i (y_i - x_i^\top w)^2
#   = \text{const} + \frac{n}{\sigma^2}\, J(w).$$
#
# So the $w$ that minimizes $J$ is the $w$ that makes the data most likely: the
# **maximum-likelihood estimate** under Gaussian noise (Zhang et al. 2023, *Dive into
# Deep Learning*, §3.1.3; Bishop 2006, *Pattern Recognition and Machine Learning*,
# §3.1.1). Other noise models give other losses: with Laplace noise, of density
# $\propto \exp(-|r|/b)$, the same computation gives $\text{const} + \frac1b \sum_i
# |y_i - x_i^\top w|$, so maximum likelihood minimizes the mean *absolute* error.

# %% [markdown]
# ## B. The held-out loss of the fitted line
#
# Section 3 of the chapter fits the line to the fifty points of `data.linear(n=50,
# seed=0)`: gradient descent converges to the minimizer $w^\star$ of the loss on
# *these* fifty points (here computed with `lstsq`, the same point), not to the
# weights $(1, 2)$ that generated them.

# %%
line = data.linear(n=50, seed=0)          # y = 1 + 2 t + noise, noise ~ N(0, 0.5^2)
X, y = line.X, line.y
n, d = X.shape
w_fit = np.linalg.lstsq(X, y, rcond=None)[0]        # the chapter's w*
assert np.linalg.norm(w_fit - line.w_true) > 0.03

# %% [markdown]
# What we actually want is a line that predicts *new* points well, and the loss on
# the fifty training points cannot tell us that: $w^\star$ is by construction the best
# on them. The honest test is **held-out data**, points the fit has never seen. Here
# we can draw as many as we like from the same source, 10,000 fresh points:

# %%
fresh = data.linear(n=10_000, seed=1)                # same line, same noise, new points
assert np.array_equal(fresh.w_true, line.w_true)
held_out = {name: models.mse_loss(w_, fresh.X, fresh.y) for name, w_ in
            [("w* (fitted on the 50)", w_fit), ("w_true (the generating line)", line.w_true)]}
print(f"half-MSE on the 50 training points at w*: {models.mse_loss(w_fit, X, y):.4f}")
for name, value in held_out.items():
    print(f"half-MSE on 10,000 new points at {name}: {value:.4f}")
noise_part = 0.5 ** 2 / 2                            # sigma^2 / 2 = 0.125: the noise alone
assert abs(held_out["w_true (the generating line)"] / noise_part - 1) < 0.05
assert abs(held_out["w_true (the generating line)"] - 0.122) < 0.0005          # these 10,000 points
assert 1 < held_out["w* (fitted on the 50)"] / held_out["w_true (the generating line)"] < 1.05
train_loss = models.mse_loss(w_fit, X, y)
expected_train = noise_part * (1 - d / n)                        # sigma^2 (n - d) / (2n), d = 2 weights
expected_held_out = noise_part * (1 + 1 / n + (1 + 1 / n) / (n - 3))   # derived below
print(f"on average over training samples: training {expected_train:.4f}, held-out {expected_held_out:.4f}")
assert abs(expected_train - 0.120) < 1e-9 and abs(expected_held_out - 0.1302) < 1e-4
assert train_loss > expected_train and held_out["w* (fitted on the 50)"] < expected_held_out   # this sample

# %% [markdown]
# On new points no line does much better than $\sigma^2/2 = 0.125$, the part of the
# loss that is pure noise (0.122 for the generating line on these 10,000 points), and
# $w^\star$ is only a few per cent worse than the generating line (the rest of this
# section computes by how much, exactly and on average over training samples).
#
# That the training and held-out losses print the same digits is chance. On average
# over training samples the training loss is *below* the noise,
# $\frac{\sigma^2}{2}(1 - d/n) = 0.120$ with $d = 2$ weights (the residual is the
# noise projected onto an $(n - d)$-dimensional subspace), and the held-out loss is
# above it, 0.130 (derived below); this sample's training loss happens to sit high and
# its held-out loss low.
#
# Fifty points pin the line down well. With fewer
# points, or many more weights, the gap between the training loss and the held-out
# loss can be large; measuring it on held-out data is how one chooses between models
# (and the penalty $\alpha$ of the chapter's section 8), a question of **generalization** that
# this course, about optimization, leaves to the machine-learning texts (e.g.
# Zhang et al. 2023, *Dive into Deep Learning*, §3.6).

# %% [markdown]
# ### Exactly and on average
#
# How much worse is $w^\star$, exactly? The new $t$ are standard normal,
# independent of the noise, so a new point's expected half-MSE at any $w$ is
# $\sigma^2/2 + \tfrac12\|w - w_{\text{true}}\|^2$ (expand the square: $\mathbb E[x x^\top]
# = I$ for $x = (1, t)$): the noise, plus the error of the line. The 10,000 new points
# only *estimate* this: a held-out loss is itself an average over a sample, with its
# own noise.

# %%
excess_per_point = (0.5 * (fresh.X @ w_fit - fresh.y) ** 2
                    - 0.5 * (fresh.X @ line.w_true - fresh.y) ** 2) / noise_part
estimate = excess_per_point.mean()
standard_error = excess_per_point.std(ddof=1) / np.sqrt(len(fresh.y))
exact_excess = 0.5 * np.sum((w_fit - line.w_true) ** 2) / noise_part   # (1/2)|w* - w_true|^2 / (sigma^2/2)
print(f"w* above the noise: {estimate:.1%} estimated on the 10,000 new points "
      f"(standard error {100 * standard_error:.2f} percentage points); exactly {exact_excess:.2%}")
assert 0.0155 < exact_excess < 0.0175                # 1.66%: this w*, exactly
assert 0.02 < estimate < 0.03                         # 2.6%: the estimate on these 10,000 points
assert 0.1 * exact_excess < standard_error < exact_excess    # the estimate is noisy
z_fresh = (estimate - exact_excess) / standard_error
print(f"this fresh sample lands {z_fresh:.1f} standard errors from the exact value")
assert 3.0 < z_fresh < 4.0                                   # a rare draw, about 3.5 SE off
assert abs(standard_error - 0.0026) < 0.0003                 # the SE: about 0.26 percentage points
p_beyond = math.erfc(3.5 / math.sqrt(2))                     # P(|normal| > 3.5) = 4.65e-4
assert 1 / 2500 < p_beyond < 1 / 1800                        # about 1 in 2,000

# %% [markdown]
# For this $w^\star$ the excess is exactly 1.66% of the noise; the 10,000 new points
# estimate 2.6%, about 3.5 standard errors (SE) above (a normal estimate lands 3.5 SE
# or more off about once in 2,000 samples). Is the SE wrong? Redrawing the 10,000 new points
# 2,000 times, with the same $w^\star$, checks it:

# %%
miss_w = w_fit - line.w_true
redraw_rng = np.random.default_rng(2)
z_scores = []
for _ in range(20):                                   # 20 x 100 = 2,000 other fresh samples, same w*
    t_new = redraw_rng.standard_normal((100, 10_000))               # 100 samples of 10,000 new points at once
    noise_new = 0.5 * redraw_rng.standard_normal((100, 10_000))     # y - x.w_true, as in data.linear
    per_point = (0.5 * (miss_w[0] + miss_w[1] * t_new - noise_new) ** 2 - 0.5 * noise_new ** 2) / noise_part
    z_scores.append((per_point.mean(axis=1) - exact_excess) / (per_point.std(axis=1, ddof=1) / np.sqrt(10_000)))
z_scores = np.concatenate(z_scores)
tail = {c: math.erfc(c / math.sqrt(2)) for c in (2, 3, 3.5)}      # P(|normal| > c)
print(f"over {len(z_scores)} other fresh samples: z mean {z_scores.mean():+.3f}, sd {z_scores.std(ddof=1):.3f}")
print(f"beyond 2: {np.mean(np.abs(z_scores) > 2):.1%} (normal: {tail[2]:.1%}); "
      f"beyond 3: {np.sum(np.abs(z_scores) > 3)} (normal: {len(z_scores) * tail[3]:.1f} expected); "
      f"beyond 3.5: {np.sum(np.abs(z_scores) > 3.5)} (normal: {len(z_scores) * tail[3.5]:.1f} expected)")
assert 0.9 < z_scores.std(ddof=1) < 1.1                      # the standard error is calibrated
assert abs(z_scores.mean()) < 0.15                           # and the estimate is unbiased
assert 0.03 < np.mean(np.abs(z_scores) > 2) < 0.065          # about 4.6% beyond 2 SE
assert np.sum(np.abs(z_scores) > 3) <= 15 and np.sum(np.abs(z_scores) > 3.5) <= 6   # tails no heavier than a normal's

# %% [markdown]
# The SE is calibrated (spread and tails as for a normal): the chapter's fresh sample
# is simply an unlucky one. On average
# over training samples, what is the excess $\tfrac12\|w^\star - w_{\text{true}}\|^2$?
# Over noise draws, $w^\star - w_{\text{true}} = (X^\top X)^{-1}X^\top\varepsilon$
# has covariance $\sigma^2 (X^\top X)^{-1}$ (section H), so the expected
# $\|w^\star - w_{\text{true}}\|^2$ is $\sigma^2$ times the trace of $(X^\top X)^{-1}$,
# which for $X = [1, t]$ is $\frac1n + (1 + \bar t^2)/S$ with $S = \sum_i (t_i - \bar t)^2$.
# For standard normal $t_i$, $\bar t$ has variance $1/n$; $S$ is a $\chi^2$ with
# $n - 1$ degrees of freedom, so $\mathbb E[1/S] = 1/(n - 3)$; and $\bar t$ and $S$
# are independent (a property of Gaussian samples, Cochran's theorem), so
# $\mathbb E[(1 + \bar t^2)/S] = (1 + 1/n)/(n - 3)$. On average over training samples
# the held-out loss of $w^\star$ is therefore
#
# $$\frac{\sigma^2}{2}\Big(1 + \frac1n + \frac{1 + 1/n}{n - 3}\Big)
#   = \frac{\sigma^2}{2} \times 1.042 \quad (n = 50),$$
#
# 4.2% above the noise. The chapter's sample, at 1.66%, is luckier than the average (the
# excess is skewed: most samples fall below the mean, a few far above). Checked on
# 1,000 other training samples of fifty points, then drawn as a histogram:

# %%
n_fit = 50
excess_ratios = []
for seed in range(1000, 2000):                     # 1,000 other training samples of 50 points
    sample = data.linear(n=n_fit, seed=seed)
    w_sample = np.linalg.lstsq(sample.X, sample.y, rcond=None)[0]
    excess_ratios.append(np.sum((w_sample - sample.w_true) ** 2) / 0.5 ** 2)   # (1/2)|d|^2 / (sigma^2/2)
expected = 1 / n_fit + (1 + 1 / n_fit) / (n_fit - 3)
print(f"on average over 1,000 samples: {np.mean(excess_ratios):.2%} above the noise; the formula: {expected:.2%}")
print(f"median {np.median(excess_ratios):.2%}; {np.mean(np.array(excess_ratios) < expected):.0%} of the samples "
      f"below the average")
assert np.median(excess_ratios) < 0.8 * expected and np.mean(np.array(excess_ratios) < expected) > 0.55   # skewed
assert abs(expected - 0.0417) < 5e-4
assert abs(np.mean(excess_ratios) / expected - 1) < 0.1

# %% jupyter={"source_hidden": true}
# Plotting code: the 1,000 excess ratios, with their mean, their median and the formula.
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.hist(100 * np.array(excess_ratios), bins=60, color=COLORS["sky_blue"], edgecolor="white",
        label="1,000 training samples of 50 points")
ax.axvline(100 * expected, color="black", linestyle="--", linewidth=1.5,
           label=f"the formula: {expected:.2%}")
ax.axvline(100 * np.mean(excess_ratios), color=COLORS["vermillion"], linestyle="-", linewidth=1.5,
           label=f"the mean of the samples: {np.mean(excess_ratios):.2%}")
ax.axvline(100 * np.median(excess_ratios), color=COLORS["bluish_green"], linestyle=":", linewidth=2,
           label=f"the median: {np.median(excess_ratios):.2%}")
ax.axvline(100 * exact_excess, color=COLORS["orange"], linestyle="-.", linewidth=1.5,
           label=f"the chapter's sample: {exact_excess:.2%}")
ax.set(xlabel="held-out loss of $w^*$ above the noise, % of $\\sigma^2/2$", ylabel="number of samples",
       title="The excess is skewed: most samples below the mean, a few far above")
ax.legend(fontsize=8, loc="upper right")
close = ax.inset_axes([0.5, 0.12, 0.45, 0.28])        # the formula and the mean are 0.16 points apart: zoomed in
close.axvline(100 * expected, color="black", linestyle="--", linewidth=1.5)
close.axvline(100 * np.mean(excess_ratios), color=COLORS["vermillion"], linestyle="-", linewidth=1.5)
close.text(100 * expected + 0.02, 0.5, "formula", fontsize=7, va="center", ha="left")
close.text(100 * np.mean(excess_ratios) - 0.02, 0.5, "mean", fontsize=7, va="center", ha="right",
           color=COLORS["vermillion"])
close.set_xlim(100 * expected - 0.5, 100 * expected + 0.5)
close.set_yticks([])
close.tick_params(labelsize=7, pad=1)
close.set_title("zoom: formula and mean (%)", fontsize=7.5, pad=2);

# %% [markdown]
# ## C. Which solver, and what it costs
#
# Section 4 of the chapter says that forming $X^\top X$ squares the condition number,
# which costs digits when $X$ is badly conditioned, and that `np.linalg.lstsq`, which
# factorizes $X$ itself, avoids it. The digits lost are easy to see. Fit a degree-7 polynomial to fifty points of
# $[0, 1]$ (a $50 \times 8$ Vandermonde matrix, badly conditioned), with targets made
# exactly by the weights $w = (1, \dots, 1)$, so the right answer is known:

# %%
t_poly = np.linspace(0, 1, 50)
X_poly = np.vander(t_poly, 8, increasing=True)          # columns 1, t, t^2, ..., t^7
w_poly = np.ones(8)
y_poly = X_poly @ w_poly
w_normal = np.linalg.solve(X_poly.T @ X_poly, X_poly.T @ y_poly)
w_lstsq = np.linalg.lstsq(X_poly, y_poly, rcond=None)[0]
err_normal = np.max(np.abs(w_normal - w_poly))
err_lstsq = np.max(np.abs(w_lstsq - w_poly))
print(f"cond(X) = {np.linalg.cond(X_poly):.1e}, cond(X^T X) = {np.linalg.cond(X_poly.T @ X_poly):.1e}")
print(f"largest weight error: normal equations {err_normal:.1e}, lstsq {err_lstsq:.1e}")
assert 1e4 < np.linalg.cond(X_poly) < 1e6
assert 1e-9 < err_normal < 1e-4 and err_lstsq < 1e-9 and err_normal > 100 * err_lstsq

# %% [markdown]
# Double precision carries about sixteen digits (rounding unit $1.1 \times 10^{-16}$).
# With $\text{cond}(X) \approx 10^5$, the error of the normal equations is of the
# order of $\text{cond}(X)^2 \times 10^{-16} \approx 10^{-6}$, that of `lstsq` of the
# order of $\text{cond}(X) \times 10^{-16} \approx 10^{-11}$: about ten digits lost
# against about five. (Here the targets fit exactly; with a large residual, `lstsq`'s
# error also gets a $\text{cond}(X)^2$ term, scaled by the residual. Golub & Van Loan
# 2013, *Matrix Computations*, 4th ed., §5.3, compare the two methods.)

# %% [markdown]
# ### The costs of each
#
# The costs, for $n$ examples and $d$ weights (dense $X$; $\kappa$ the condition
# number of $X^\top X$, the chapter's section 6):
#
# | method | work | memory |
# | --- | --- | --- |
# | normal equations (form $X^\top X$, Cholesky) | $\approx n d^2 + d^3/3$ once | $d^2$ |
# | `lstsq` (QR or SVD of $X$) | $\approx 2 n d^2$ once, or more | $n d$ |
# | gradient descent, $\eta = 2/(L + \mu)$ | $\approx 4nd$ per step, about $\tfrac{\kappa}{4} \ln \tfrac{1}{\text{tol}}$ steps | $d$ (besides $X$) |
# | conjugate gradients | $\approx 4nd$ per step, at most about $\tfrac{\sqrt\kappa}{4} \ln \tfrac{4}{\text{tol}}$ steps | $d$ (besides $X$) |
#
# (Golub & Van Loan 2013, *Matrix Computations*, 4th ed., §5.3, for the direct
# methods; Nocedal & Wright 2006, *Numerical Optimization*, §5.1, for the
# conjugate-gradient bound with $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$; the
# gradient-descent count is the one measured in the chapter's section 6. "tol" is the
# reduction of the loss gap $J(w_k) - J^\star$ asked for; both iterative counts are
# for large $\kappa$.) An iterative step costs two products with $X$; the direct
# methods pay about $nd^2$ once.
#
# **Conjugate gradients** (CG) is the method of choice for a quadratic among the
# iterative ones. Like gradient descent it needs only products with $H$ (here, two
# with $X$), but each search direction combines the new gradient with the previous
# direction so that the directions are *$H$-conjugate*, $p_i^\top H p_j = 0$ for
# $i \ne j$; the step along each is exact, and in exact arithmetic CG finds the
# minimum of a $d$-dimensional quadratic in at most $d$ steps (Nocedal & Wright
# 2006, §5.1). **LSQR** (Paige & Saunders 1982, ACM TOMS 8) is a method
# mathematically equivalent to CG on the normal equations that works with $X$ and
# $X^\top$, never forms $X^\top X$, and behaves better in floating point. (This course does not use either; chapter 08 meets CG again
# inside Newton's method.)
#
# Our reading of the table, not a quotation: for small and medium dense problems a
# direct solve (`lstsq`, QR, Cholesky) is the natural choice, since its cost is
# fixed and known in advance and its accuracy does not depend on a learning rate
# or a stopping rule (Golub & Van Loan 2013, §5.3, derive and compare these
# direct methods). For large or sparse problems, CG or LSQR beat plain gradient
# descent: their iteration count grows like $\sqrt\kappa$ rather than $\kappa$.
# Memory alone does not separate them: CG and LSQR, like gradient descent, need only
# products with $X$ and $X^\top$, which can be streamed from disk. Gradient descent
# and its stochastic variants take over when the loss is not quadratic, or when $n$
# is very large and the examples redundant, so that a stochastic step on a few
# examples costs far less than one pass over all of them (chapter 04 compares the
# two at equal numbers of example gradients). Linear regression is where we can have
# all of them, and check one against another.

# %% [markdown]
# ## D. Above $2/L$: a knife-edge
#
# Section 5 of the chapter says gradient descent on a quadratic converges *from every
# start* exactly when $0 < \eta < 2/L$. From a start whose error $w_0 - w^\star$ has no
# component along any eigenvector with $\lambda_i \ge 2/\eta$, a larger $\eta$ can still
# converge: those components of the error are zero and stay zero, in exact arithmetic.
# (In the examples below $w^\star = 0$, so the error is the start itself.) (Having no component along the top
# eigenvector alone is not enough: on $\mathrm{diag}(1, 4)$ with $\eta = 2.5$, even the start
# $(1, 0)$ diverges, by $|1 - 2.5| = 1.5$ per step, asserted below.) It is a
# knife-edge, not a recipe. Take $\eta = 0.6 > 2/L = 0.5$ on
# $H = \mathrm{diag}(1, 4)$. A start exactly on the slow axis converges (the axis is
# exact in floating point, and the factor is $|1 - 0.6| = 0.4$ per step); a start
# $10^{-3}$ off it diverges, by $|1 - 0.6 \cdot 4| = 1.4$ per step. On the same $H$
# rotated by half a radian the slow eigenvector is exact only up to rounding: the
# start, and every product with $H$, carry tiny errors along the steep eigenvector,
# and those grow by 1.4 per step too:

# %%
H_toy, eta_toy = np.diag([1.0, 4.0]), 0.6                      # eta > 2/L = 0.5
turn = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
H_turned = turn @ H_toy @ turn.T                                # the same eigenvalues, eigenvectors turned
knife = {"slow axis of diag(1, 4)": (H_toy, np.array([1.0, 0.0])),
         "slow axis, 1e-3 off": (H_toy, np.array([1.0, 1e-3])),
         "slow eigenvector of the turned H": (H_turned, turn[:, 0])}
for name, (H_k, w_k) in knife.items():
    for _ in range(300):
        w_k = w_k - eta_toy * H_k @ w_k
    knife[name] = np.linalg.norm(w_k)
    print(f"{name:>33}: |w_300| = {knife[name]:.1e}")
assert knife["slow axis of diag(1, 4)"] < 1e-100                # 0.4^300: exactly on the axis, it converges
assert knife["slow axis, 1e-3 off"] > 1e30                      # 1e-3 x 1.4^300
assert knife["slow eigenvector of the turned H"] > 1e10         # rounding alone was enough
w_big = np.array([1.0, 0.0])                                    # eta = 2.5 >= 2/1: the slow axis too
for _ in range(100):
    w_big = w_big - 2.5 * H_toy @ w_big
print(f"eta = 2.5, start (1, 0): |w_100| = {np.linalg.norm(w_big):.1e} (1.5^100 = {1.5 ** 100:.1e})")
assert np.isclose(np.linalg.norm(w_big), 1.5 ** 100, rtol=1e-9)  # |1 - 2.5 x 1| = 1.5 per step

# %% [markdown]
# ## E. Steps to the target, drawn
#
# Section 6 of the chapter runs gradient descent at the best fixed rate
# $2/(L + \mu)$ on two features of scales 1 and 10 (`data.linear_features(n=200,
# scales=(1, 10), seed=0)`), raw and standardized, and counts the steps until the
# loss gap is $10^{-10}$ of the first. The two loss curves:

# %%
scaled = data.linear_features(n=200, scales=(1.0, 10.0), seed=0)
Xs, ys = scaled.X, scaled.y
s = Xs.std(axis=0)
TOL = 1e-10
curves = {}
for name, A, w0 in [("raw", Xs, np.array([-1.0, 0.4])), ("standardized", Xs / s, s * np.array([-1.0, 0.4]))]:
    H_A = A.T @ A / len(ys)
    mu_A, L_A = np.linalg.eigvalsh(H_A)
    w_min = np.linalg.solve(H_A, A.T @ ys / len(ys))
    w, gaps = w0, []
    for _ in range(800):
        gaps.append(0.5 * (w - w_min) @ H_A @ (w - w_min))
        w = w - 2 / (L_A + mu_A) * models.mse_grad(w, A, ys)
    gaps = np.array(gaps) / gaps[0]
    curves[name] = (gaps, L_A / mu_A, int(np.flatnonzero(gaps <= TOL)[0]))
    print(f"{name}: kappa = {L_A / mu_A:.2f}, {curves[name][2]} steps to 1e-10")
assert 80 < curves["raw"][1] < 130 and 400 < curves["raw"][2] < 800
assert curves["standardized"][1] < 1.5 and curves["standardized"][2] < 10

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
(raw_excess, kappa_raw, raw_steps), (std_excess, kappa_std, std_steps) = curves["raw"], curves["standardized"]
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(raw_excess[:raw_steps + 60], color=GD_COLOR,
            label=f"raw features, $\\kappa$ = {kappa_raw:.0f}: {raw_steps} steps")
ax.semilogy(std_excess[:std_steps + 1], "o-", color=COLORS["orange"],
            label=f"standardized, $\\kappa$ = {kappa_std:.2f}: {std_steps} steps")
ax.axhline(TOL, color="black", linestyle="--", linewidth=1, label="target $10^{-10}$")
ax.set_xlim(left=-15)                                 # the orange run, steps 0-4, off the axis line
ax.set(xlabel="step $k$",
       ylabel="$(J(w_k) - J^*) / (J(w_0) - J^*)$ (log scale)",
       title="Steps to the target, best learning rate for each")
ax.legend(fontsize=8)
zoom = ax.inset_axes([0.13, 0.24, 0.3, 0.3])             # the first ten steps of both runs, same axes
zoom.semilogy(raw_excess[:11], color=GD_COLOR)
zoom.semilogy(std_excess[:std_steps + 1], "o-", color=COLORS["orange"], markersize=4)
zoom.axhline(TOL, color="black", linestyle="--", linewidth=1)
zoom.set_ylim(bottom=min(TOL, std_excess[std_steps]) / 5)      # the last orange point clear of the spine
zoom.set_title("zoom: steps 0 to 10", fontsize=8)
zoom.set_xticks(range(0, 11, 2))
zoom.set_xlabel("step $k$", fontsize=7, labelpad=1)
zoom.tick_params(labelsize=7, pad=1);

# %% [markdown]
# ## F. A shifted feature, drawn
#
# Section 6 of the chapter shifts the feature of its fifty points to $t + 5$: with an
# intercept column, $\kappa$ is 952 on that sample, and gradient descent at the best
# fixed rate $2/(L + \mu)$ from $w = 0$ still has 43% of its loss gap after 200
# steps; after standardizing the feature, $\kappa = 1$ and one step lands on the
# minimum. The two runs, in a picture (the inset magnifies the first ten steps of the
# shifted run: each one crosses the narrow valley from wall to wall):

# %%
line = data.linear(n=50, seed=0)
t, y = line.X[:, 1], line.y
runs = {}
for name, A, steps in [("t + 5", np.column_stack([np.ones(50), t + 5]), 200),
                       ("standardized", np.column_stack([np.ones(50), (t - t.mean()) / t.std()]), 1)]:
    H_A, b_A = A.T @ A / 50, A.T @ y / 50
    mu_A, L_A = np.linalg.eigvalsh(H_A)
    w, ws = np.zeros(2), [np.zeros(2)]
    for _ in range(steps):
        w = w - 2 / (L_A + mu_A) * models.mse_grad(w, A, y)
        ws.append(w)
    w_min = np.linalg.solve(H_A, b_A)
    gap = lambda v: 0.5 * (v - w_min) @ H_A @ (v - w_min)
    runs[name] = (H_A, w_min, np.array(ws), L_A / mu_A, gap(ws[-1]) / gap(ws[0]))
    print(f"{name}: kappa = {L_A / mu_A:.0f}, loss gap after {steps} step(s): {runs[name][4]:.1%} of the start's")
assert abs(runs["t + 5"][3] - 952) < 1 and 0.42 < runs["t + 5"][4] < 0.44
assert np.isclose(runs["standardized"][3], 1) and runs["standardized"][4] < 1e-20
H_A, w_min, ws = runs["t + 5"][:3]
across = (ws[:11] - w_min) @ np.linalg.eigh(H_A)[1][:, 1]       # along the steep eigenvector
assert np.all(across[1:] * across[:-1] < 0)                        # the first 10 steps: wall to wall

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), width_ratios=[1.4, 1], layout="constrained")
for ax, name, domain, color in [(axes[0], "t + 5", ((-11.0, 1.5), (-0.5, 3.5)), GD_COLOR),
                                (axes[1], "standardized", ((-1.0, 3.5), (-1.0, 3.5)), COLORS["orange"])]:
    H_A, w_min, ws, kappa, _ = runs[name]
    g1, g2 = np.meshgrid(np.linspace(*domain[0], 300), np.linspace(*domain[1], 300))
    d1, d2 = g1 - w_min[0], g2 - w_min[1]
    gap_grid = 0.5 * (H_A[0, 0] * d1**2 + 2 * H_A[0, 1] * d1 * d2 + H_A[1, 1] * d2**2)
    top = 0.5 * w_min @ H_A @ w_min                             # the gap at the start w = 0
    ax.contour(g1, g2, gap_grid, levels=top * np.geomspace(1e-4, 100, 30) if name == "t + 5" else 20,
               colors="0.7", linewidths=0.8)
    ax.plot(*ws.T, "-", color=color, linewidth=0.4 if name == "t + 5" else 1.5,
            label=f"gradient descent from $w = 0$, {len(ws) - 1} step(s)")
    if name == "t + 5":                                         # the first 10 steps, magnified in an inset
        zoom = ax.inset_axes([0.6, 0.44, 0.38, 0.45])
        z1, z2 = np.meshgrid(np.linspace(-0.25, 0.15, 200), np.linspace(-0.05, 0.65, 200))
        zoom.contour(z1, z2, 0.5 * (H_A[0, 0] * (z1 - w_min[0])**2 + 2 * H_A[0, 1] * (z1 - w_min[0]) * (z2 - w_min[1])
                                    + H_A[1, 1] * (z2 - w_min[1])**2), levels=20, colors="0.7", linewidths=0.8)
        zoom.plot(*ws[:11].T, "o-", color=color, linewidth=1.2, markersize=3.5)
        zoom.plot(0, 0, **dict(style.START_STYLE, markeredgecolor="black"))
        zoom.set(xticks=[], yticks=[], title="its first 10 steps, magnified")
        zoom.title.set_fontsize(9)
        zoom.spines[:].set_visible(True)
        ax.indicate_inset_zoom(zoom, edgecolor="0.3")
    ax.plot(0, 0, **dict(style.START_STYLE, markeredgecolor="black"), label="start")
    ax.plot(*ws[-1], **dict(style.END_STYLE, markersize=15, markerfacecolor="none", markeredgewidth=2,
                            markeredgecolor=color, zorder=12), label="end of the run")
    ax.plot(*w_min, **style.MINIMUM_STYLE, label="minimum")
    ax.set(xlim=domain[0], ylim=domain[1], xlabel=f"intercept", ylabel="slope",
           title=f"Feature {name} ($\\kappa$ = {kappa:.0f})")
    ax.legend(fontsize=8, loc="lower left" if name == "t + 5" else "lower right")
axes[1].set_aspect("equal");

# %% [markdown]
# ## G. `solve` on singular and nearly singular normal equations
#
# Section 7 of the chapter says that `solve` raises only if the elimination meets a
# pivot that is *exactly* zero: numpy calls LAPACK's `gesv`, which by its
# documentation reports failure (`INFO > 0`) only when a diagonal entry $U_{ii}$ of the
# LU factor is exactly zero. Rounding can leave a tiny nonzero pivot instead, when
# $X^\top X$ is exactly singular or only a hair away from it. Two cases.
#
# **Columns $c$ times each other.** Make the second column $c$ times the first,
# $t = (1, 2, 3)$, with a $c$ that float64 cannot hold exactly (0.1, 0.3, 0.7). The
# stored columns are collinear only up to rounding: $c$ is rounded when stored, and
# so is the product $3c$ (the products $1 \cdot c$ and $2c$ are exact, since doubling
# only changes the exponent), so the stored second column is not exactly a multiple
# of the first (checked in exact rational arithmetic), and $X^\top X$ is a hair away from singular.
# `solve` returns an answer without a word (on the machine that wrote this; the cell
# accepts an error too). Each answer is a perfect fit, and an arbitrary point of the
# valley $w_1 + c\,w_2 = 1$, set by the rounding; `lstsq` returns the minimum-norm
# point $(1, c)/(1 + c^2)$, on the line through 0 perpendicular to the valley:

# %%
from fractions import Fraction

t_c = np.array([1.0, 2.0, 3.0])
silent = {}
for c in [0.1, 0.3, 0.7]:
    X_silent = np.stack([t_c, c * t_c], axis=1)
    ratios_exact = {Fraction(a) / Fraction(b) for a, b in zip(X_silent[:, 1], t_c)}
    assert len(ratios_exact) > 1                            # the stored columns: collinear up to rounding
    w_min_norm = np.linalg.lstsq(X_silent, t_c, rcond=None)[0]
    assert np.allclose(w_min_norm, np.linalg.pinv(X_silent) @ t_c)
    assert np.isclose(w_min_norm @ [c, -1], 0, atol=1e-12)                 # minimum norm: along (1, c)
    assert np.allclose(w_min_norm, np.array([1, c]) / (1 + c**2))
    assert np.linalg.cond(X_silent.T @ X_silent) > 1e12
    try:
        w_solve = np.linalg.solve(X_silent.T @ X_silent, X_silent.T @ t_c)
    except np.linalg.LinAlgError as exc:                                    # possible with another LAPACK
        print(f"c = {c}: solve raised here: {exc}")
        continue
    silent[c] = (w_solve, w_min_norm)
    print(f"c = {c}: solve -> {w_solve.round(4)}, lstsq -> {w_min_norm.round(4)}")
    assert np.allclose(X_silent @ w_solve, t_c, atol=1e-6)                  # a perfect fit, silently
if silent:
    assert max(np.linalg.norm(w_s - w_m) for w_s, w_m in silent.values()) > 0.5   # far from lstsq's

# %% [markdown]
# **An exactly singular matrix.** Rounding in the elimination can leave a tiny
# nonzero pivot even when the matrix is exactly singular. Take the rank-2 integer matrix with rows
# $(1,2,3), (4,5,6), (7,8,9), (1,1,1)$: $X^\top X$ has integer entries and
# determinant exactly 0 (the third column is twice the second minus the first),
# yet on the machine that wrote this `solve` returns an answer (another LAPACK may
# raise; the cell accepts both, and checks the answer if there is one):

# %%
X_int = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]], dtype=float)
gram_int = (X_int.T @ X_int).astype(int)
det_int = (                                                 # the 3x3 determinant in exact integers
    gram_int[0, 0] * (gram_int[1, 1] * gram_int[2, 2] - gram_int[1, 2] * gram_int[2, 1])
    - gram_int[0, 1] * (gram_int[1, 0] * gram_int[2, 2] - gram_int[1, 2] * gram_int[2, 0])
    + gram_int[0, 2] * (gram_int[1, 0] * gram_int[2, 1] - gram_int[1, 1] * gram_int[2, 0]))
assert det_int == 0 and np.array_equal(X_int @ [1, -2, 1], np.zeros(4))   # exactly singular, in integers
try:
    w_int = np.linalg.solve(X_int.T @ X_int, X_int.T @ np.ones(4))
    print("np.linalg.solve on an exactly singular X^T X: no error, w =", w_int.round(4))
    w_int_min = np.linalg.lstsq(X_int, np.ones(4), rcond=None)[0]
    assert np.allclose(X_int.T @ (X_int @ w_int - 1), 0, atol=1e-6)     # a minimizer, silently
    assert np.allclose(np.cross(w_int - w_int_min, [1, -2, 1]), 0, atol=1e-6)   # off by a null vector
except np.linalg.LinAlgError as exc:                                    # possible with another LAPACK
    print("np.linalg.solve raised here:", exc)

# %% [markdown]
# ## H. Collinearity and the noise in the weights
#
# Section 7 of the chapter uses two standardized features with correlation 0.99. They
# have a statistical face too. With $y = Xw_{\text{true}} + \varepsilon$ and
# independent noise of variance $\sigma^2$ (section A), the fitted weights are
# $w^\star = (X^\top X)^{-1}X^\top y = w_{\text{true}} + (X^\top X)^{-1}X^\top\varepsilon$, so they
# vary from one noisy sample to the next with covariance $\sigma^2 (X^\top X)^{-1}$.
# For two standardized features with correlation $r$, $X^\top X = n\begin{pmatrix}1 & r\\ r & 1\end{pmatrix}$
# and each weight has standard deviation $\sigma/\sqrt{n(1 - r^2)}$: about 7 times
# that of uncorrelated features at $r = 0.99$. Their sum, the combination the data
# pin down, does not suffer: $\mathbf 1^\top \begin{pmatrix}1 & r\\ r & 1\end{pmatrix}^{-1}\mathbf 1
# = 2/(1 + r)$, so it has standard deviation $\sigma\sqrt{2/(n(1 + r))}$, a factor
# $\sqrt{1 + r} \approx 1.41$ *smaller* than the sum of two uncorrelated features'
# weights ($\sigma\sqrt{2/n}$). Measured on 4,000 fresh draws of the noise:

# %%
rng_nc = np.random.default_rng(3)
u1, u2 = rng_nc.standard_normal((2, 500))
X_nc = np.stack([u1, 0.99 * u1 + np.sqrt(1 - 0.99**2) * u2], axis=1)
X_nc = (X_nc - X_nc.mean(axis=0)) / X_nc.std(axis=0)                    # standardized
y_nc = X_nc @ [1.0, 1.0] + 0.5 * rng_nc.standard_normal(500)
correlation = np.corrcoef(X_nc.T)[0, 1]
assert abs(correlation - 0.9896) < 5e-5                   # the chapter's sample
noise = 0.5 * np.random.default_rng(11).standard_normal((len(y_nc), 4000))   # sigma = 0.5, 4,000 samples
w_samples = np.linalg.solve(X_nc.T @ X_nc, X_nc.T @ (X_nc @ [1.0, 1.0] + noise.T).T)   # one fit per column
sd_formula = 0.5 * np.sqrt(np.diag(np.linalg.inv(X_nc.T @ X_nc)))
sd_uncorrelated = 0.5 / np.sqrt(len(y_nc))                                  # one weight, r = 0
sd_sum_formula = 0.5 * np.sqrt(2 / (len(y_nc) * (1 + correlation)))
sd_sum_uncorrelated = 0.5 * np.sqrt(2 / len(y_nc))                          # w1 + w2, r = 0
print(f"standard deviation of w1, w2: measured {w_samples.std(axis=1).round(4)}, formula {sd_formula.round(4)};"
      f" uncorrelated features: {sd_uncorrelated:.4f}")
print(f"of w1 + w2: measured {w_samples.sum(axis=0).std():.4f}, formula {sd_sum_formula:.4f};"
      f" uncorrelated features: {sd_sum_uncorrelated:.4f}")
assert np.allclose(w_samples.std(axis=1), sd_formula, rtol=0.05)
assert 6 < sd_formula.mean() / sd_uncorrelated < 8
assert np.isclose(0.25 * np.ones(2) @ np.linalg.inv(X_nc.T @ X_nc) @ np.ones(2), sd_sum_formula ** 2)
assert abs(w_samples.sum(axis=0).std() / sd_sum_formula - 1) < 0.05
assert np.isclose(sd_sum_uncorrelated / sd_sum_formula, np.sqrt(1 + correlation))   # 1.41 times more precise
spread = {"w1 - w2": (w_samples[0] - w_samples[1]).std(), "w1 + w2": w_samples.sum(axis=0).std()}
print(f"spread along (1, -1) / along (1, 1): {spread['w1 - w2'] / spread['w1 + w2']:.1f}"
      f" (formula sqrt((1 + r)/(1 - r)) = {np.sqrt((1 + correlation) / (1 - correlation)):.1f})")
assert spread["w1 - w2"] > 10 * spread["w1 + w2"]                  # about 13.8 at r = 0.9896

# %% [markdown]
# In a picture: the 4,000 fits form a cloud stretched along $(1, -1)$ (the individual
# weights are noisy) and narrow along $(1, 1)$ (their sum is precise).

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
fig, ax = plt.subplots(figsize=(6, 5.2), layout="constrained")
ax.plot(*w_samples, ".", color=COLORS["blue"], markersize=2, alpha=0.4, label="4,000 fits, one per noise draw")
ax.plot(1.0, 1.0, **style.MINIMUM_STYLE, label="$w_{\\text{true}} = (1, 1)$")
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal",
       title=f"Correlated features (r = {correlation:.2f}): noisy weights, precise sum")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# ## I. Early stopping and ridge: the filters, the paths, the pairs
#
# Section 8 of the chapter shows that $k$ steps of gradient descent from $w_0 = 0$
# (rate $\eta$) and ridge with penalty $\alpha$ are both filters on the
# least-squares solution $w^\star$, and pairs them at $\alpha = 1/(\eta k)$. The
# derivation again, so that this section stands alone, in the eigenvectors $q_i$ of $H = X^\top X/n$ (eigenvalues $\lambda_i$).
# The step is $w_{k+1} - w^\star = (I - \eta H)(w_k - w^\star)$, and
# $q_i^\top(I - \eta H) = (1 - \eta\lambda_i)\,q_i^\top$, so
# $q_i^\top(w_k - w^\star) = (1 - \eta\lambda_i)^k\, q_i^\top(0 - w^\star)$. For ridge,
# $X^\top y/n = Hw^\star$ turns the formula for $w_\alpha$ into
# $(H + \alpha I)\,w_\alpha = Hw^\star$, so
# $(\lambda_i + \alpha)\,q_i^\top w_\alpha = \lambda_i\, q_i^\top w^\star$. Summing over $i$:
#
# $$w_k = \sum_i \big[1 - (1 - \eta\lambda_i)^k\big]\,(q_i^\top w^\star)\,q_i,
# \qquad
# w_\alpha = \sum_i \frac{\lambda_i}{\lambda_i + \alpha}\,(q_i^\top w^\star)\,q_i .$$
#
# Checked below on the chapter's correlated features (correlation 0.99), with
# $\eta = 0.1$, where we also run gradient descent for 6,000 steps and measure how far
# each iterate is from the path of ridge solutions $w_\alpha$ as $\alpha$ goes from
# $10^3$ down to $10^{-4}$, and from the ridge solution paired with it:

# %%
rng_nc = np.random.default_rng(3)
u1, u2 = rng_nc.standard_normal((2, 500))
X_nc = np.stack([u1, 0.99 * u1 + np.sqrt(1 - 0.99**2) * u2], axis=1)
X_nc = (X_nc - X_nc.mean(axis=0)) / X_nc.std(axis=0)                    # standardized
y_nc = X_nc @ [1.0, 1.0] + 0.5 * rng_nc.standard_normal(500)
H_nc, b_nc = X_nc.T @ X_nc / 500, X_nc.T @ y_nc / 500
w_star = np.linalg.solve(H_nc, b_nc)
evals_nc, evecs_nc = np.linalg.eigh(H_nc)
L_nc = evals_nc.max()
gd_small = [np.zeros(2)]                                         # eta = 0.1, from w = 0, 6000 steps
for _ in range(6000):
    gd_small.append(gd_small[-1] - 0.1 * models.mse_grad(gd_small[-1], X_nc, y_nc))
gd_small = np.array(gd_small)
alphas = np.geomspace(1e3, 1e-4, 400)                           # the ridge path w_alpha
ridge_path = np.array([np.linalg.solve(H_nc + a * np.eye(2), b_nc) for a in alphas])
distance = np.array([np.min(np.linalg.norm(ridge_path - w_k, axis=1)) for w_k in gd_small])
print(f"every gradient-descent iterate lies within {distance.max():.3f} of the ridge path"
      f" ({distance.max() / np.linalg.norm(w_star):.1%} of |w*|)")
shown_k = 2 ** np.arange(13)                                     # steps 1, 2, 4, ..., 4096
ridge_at_k = {k: np.linalg.solve(H_nc + np.eye(2) / (0.1 * k), b_nc) for k in shown_k}   # alpha = 1/(eta k)
k_gap = {k: np.linalg.norm(gd_small[k] - ridge_at_k[k]) / np.linalg.norm(w_star) for k in shown_k}
print("|w_k - w_alpha| / |w*| at alpha = 1/(eta k):", {int(k): f"{g:.1%}" for k, g in k_gap.items()})

# %% jupyter={"source_hidden": true}
# Checks: the formulas and the numbers quoted in the text (nothing new to learn here).
assert np.isclose(np.corrcoef(X_nc.T)[0, 1], 0.9896, atol=5e-5)          # the chapter's sample
ks = np.array([10, 100, 1000])
filters = 1 - (1 - 0.1 * evals_nc) ** ks[:, None]                        # the formula for w_k, one row per k
assert np.allclose(gd_small[ks], (filters * (w_star @ evecs_nc)) @ evecs_nc.T, atol=1e-12)
for alpha_test in (1e-2, 1.0):                                              # the formula for w_alpha
    shares = evals_nc / (evals_nc + alpha_test)
    assert np.allclose(np.linalg.solve(H_nc + alpha_test * np.eye(2), b_nc), (shares * (w_star @ evecs_nc)) @ evecs_nc.T)
assert abs(distance.max() / np.linalg.norm(w_star) - 0.024) < 0.0005    # 2.4% on this sample
assert max(k_gap, key=k_gap.get) == 8 and 0.21 < k_gap[8] < 0.22          # 21.5% at k = 8
assert 0.2 < k_gap[16] < 0.215                                            # 20.9% at k = 16
assert max(k_gap[k] for k in shown_k if k >= 256) < 0.03                  # below 3% from k = 256 on
assert all(np.linalg.norm(ridge_at_k[k]) < np.linalg.norm(gd_small[k]) for k in (8, 16))   # ridge lags
q_steep = evecs_nc[:, 1]                                                  # the steep direction, across the valley
q_steep = q_steep * np.sign(q_steep @ w_star)
assert all(gd_small[k] @ q_steep > ridge_at_k[k] @ q_steep for k in (8, 16))   # GD further across

# %% [markdown]
# The two paths in weight space: gradient descent from 0 (blue dots) first runs
# across the thin valley, then slowly along it (the inset magnifies steps 16 to
# 4096); the ridge solutions (the pale band) do much the same as $\alpha$ falls, and
# on this sample every iterate lies within 2.4% of $\|w^\star\|$ of that path.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
n_nc = len(y_nc)
f_grid = lambda w: (0.5 * np.einsum("i...,ij,j...->...", w, H_nc, w) - np.einsum("i,i...->...", b_nc, w)
                    + y_nc @ y_nc / (2 * n_nc))
J_star = f_grid(w_star)
fig, ax_j = plt.subplots(figsize=(7.5, 6.6), layout="constrained")
zoom = ax_j.inset_axes([0.03, 0.58, 0.5, 0.37])                # the along-the-valley phase, magnified
for axis, domain, size, title in [(ax_j, ((-0.6, 2.2), (-0.6, 2.2)), 1.0,
                                   f"$J$, correlation {np.corrcoef(X_nc.T)[0, 1]:.2f}: early stopping and ridge paths"),
                                  (zoom, ((0.94, 1.13), (0.9, 1.03)), 0.7, "steps 16 to 4096, magnified")]:
    w1g, w2g = np.meshgrid(np.linspace(*domain[0], 300), np.linspace(*domain[1], 300))
    axis.contour(w1g, w2g, f_grid(np.array([w1g, w2g])) - J_star, levels=2.0 * np.geomspace(1e-5, 1, 24),
                 colors="0.75", linewidths=0.8)
    axis.plot(*ridge_path.T, color=COLORS["vermillion"], linewidth=4 * size, alpha=0.5,
              label="ridge solutions $w_\\alpha$, $\\alpha$ from $10^3$ to $10^{-4}$")
    axis.plot(*gd_small[shown_k].T, "o", color=GD_COLOR, markersize=5, markeredgecolor="white",
              zorder=8, label="gradient descent from 0, $\\eta$ = 0.1: steps 1, 2, 4, ..., 4096")
    axis.plot(*w_star, **(style.MINIMUM_STYLE | {"markersize": 16 * size}), label="$w^*$")
    axis.set(xlim=domain[0], ylim=domain[1], aspect="equal")
    axis.set_title(title, fontsize=10 if size == 1 else 8)
for k, offset in zip((16, 64, 256, 1024, 4096), [(-4, -10), (4, 6), (-4, -10), (4, 6), (-4, -10)]):
    zoom.annotate(f"{k}", gd_small[k], xytext=offset, textcoords="offset points", fontsize=7,
                  ha="right" if offset[0] < 0 else "left")
zoom.set(xticks=[], yticks=[])
for spine in zoom.spines.values():
    spine.set_visible(True)
ax_j.set(xlabel="$w_1$", ylabel="$w_2$")
ax_j.indicate_inset_zoom(zoom, edgecolor="0.3")
ax_j.legend(fontsize=7.5, loc="lower right");

# %% [markdown]
# Point by point the pairing is rougher.
# The distances between step $k$ and ridge at $\alpha = 1/(\eta k)$ are largest at
# $k = 8$ and $16$, about 21% of $\|w^\star\|$, while
# the two are still crossing the valley: along its steep direction gradient descent
# is further across than the paired ridge solution (early stopping is the sharper
# filter).
# From $k = 256$ to $4096$ (the largest shown), with both moving along the valley
# floor, the distance stays at a few per cent: under 3% on this sample.
# In a picture, every pair dotted together:

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here, you may skip it.
paired = [8, 16, 64, 256, 1024]
domain = ((0.45, 1.2), (0.45, 1.1))
fig, ax = plt.subplots(figsize=(7.5, 6.6), layout="constrained")
w1g, w2g = np.meshgrid(np.linspace(*domain[0], 300), np.linspace(*domain[1], 300))
ax.contour(w1g, w2g, f_grid(np.array([w1g, w2g])) - J_star, levels=2.0 * np.geomspace(1e-5, 1, 24),
           colors="0.75", linewidths=0.8)
ax.plot(*ridge_path.T, color=COLORS["vermillion"], linewidth=4, alpha=0.5,
        label="ridge solutions $w_\\alpha$, $\\alpha$ from $10^3$ to $10^{-4}$")
ax.plot(*gd_small[paired].T, "o", color=GD_COLOR, markersize=6, markeredgecolor="white", zorder=8,
        label="gradient descent from 0, $\\eta$ = 0.1: step $k$")
ax.plot(*np.array([ridge_at_k[k] for k in paired]).T, "s", color=COLORS["vermillion"], markerfacecolor="none",
        markeredgewidth=1.5, markersize=8, zorder=8, label="ridge at $\\alpha = 1/(\\eta k)$, dotted to step $k$")
for k in paired:                       # k = 8 and 16 run along the same diagonal: bowed to opposite sides
    ax.annotate("", ridge_at_k[k], xytext=gd_small[k], zorder=7,
                arrowprops=dict(arrowstyle="-", linestyle=":", color="black", linewidth=1.2, shrinkA=0, shrinkB=0,
                                connectionstyle=f"arc3,rad={ {8: 0.35, 16: -0.35}.get(k, 0.0) }"))
    ax.annotate(f"$k$ = {k}: {k_gap[k]:.1%}", gd_small[k], xytext=(-8, 10) if k < 256 else (6, 10 if k == 256 else -12),
                textcoords="offset points", fontsize=8, ha="right" if k < 256 else "left", color=GD_COLOR,
                zorder=10, bbox=dict(facecolor="white", edgecolor="none", pad=0.3, alpha=0.8))
for k in paired[:3]:                                        # the squares of the first pairs, labelled too
    ax.annotate(f"$\\alpha$ for $k$ = {k}", ridge_at_k[k], xytext=(8, -8), textcoords="offset points",
                fontsize=8, ha="left", va="top", color=COLORS["vermillion"], zorder=10,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.3, alpha=0.8))
ax.plot(*w_star, **style.MINIMUM_STYLE, label="$w^*$")
ax.set(xlim=domain[0], ylim=domain[1], xlabel="$w_1$", ylabel="$w_2$", aspect="equal",
       title="Early stopping against ridge at $\\alpha = 1/(\\eta k)$:\ndistances in % of $\\|w^*\\|$")
ax.legend(fontsize=8, loc="lower right");

# %% [markdown]
# The filters themselves differ by at most 0.22 on the chapter's plotted range (the
# largest, 0.216, for $k = 8$ at its right edge, $\lambda_i = L$). For large $k$, with
# $x = \eta k \lambda_i$, early stopping's filter tends to $1 - e^{-x}$ and ridge's is
# $x/(1 + x)$; their largest difference is 0.204, at $x \approx 2.51$:

# %%
curvatures = np.geomspace(1e-4, L_nc, 400)
gap_8 = np.max(np.abs((1 - (1 - 0.1 * curvatures) ** 8) - curvatures / (curvatures + 1 / 0.8)))
x_grid = np.linspace(1e-3, 20, 200_001)
limit_gap = (1 - np.exp(-x_grid)) - x_grid / (1 + x_grid)
print(f"k = 8: largest difference {gap_8:.3f}; large k: {limit_gap.max():.3f} at x = {x_grid[np.argmax(limit_gap)]:.2f}")
assert 0.21 < gap_8 < 0.22
assert abs(limit_gap.max() - 0.204) < 0.001 and abs(x_grid[np.argmax(limit_gap)] - 2.51) < 0.01

# %% [markdown]
# **Ridge in the frameworks.** scikit-learn's `Ridge` calls the penalty `alpha` too,
# but on the summed squared error without the $\tfrac12$, $\|y - Xw\|^2 + \alpha\|w\|^2$
# (its user guide, "Ridge regression"): its `alpha` is $n$ times ours. It also fits an
# unpenalized intercept by default (`fit_intercept=True`), so pass it the features
# without a column of ones, or set `fit_intercept=False`. `torch.optim.SGD` with
# `weight_decay` set to $\alpha$ adds $\alpha w$ to the gradient of the loss it is given
# (PyTorch documentation, `torch.optim.SGD`): with our half-MSE as that loss, it takes
# exactly the chapter's step on $J_\alpha$. The first statement, checked on the features
# above with $\alpha = 0.1$:

# %%
alpha, n_nc = 0.1, len(y_nc)                  # scikit-learn's objective |y - Xw|^2 + a |w|^2, a = n alpha:
w_sklearn_form = np.linalg.solve(X_nc.T @ X_nc + n_nc * alpha * np.eye(2), X_nc.T @ y_nc)
w_ours = np.linalg.solve(H_nc + alpha * np.eye(2), b_nc)                # the minimizer of J_alpha
print(f"scikit-learn's form, alpha = n * 0.1: {w_sklearn_form.round(4)}; ours, alpha = 0.1: {w_ours.round(4)}")
assert np.allclose(w_sklearn_form, w_ours)
