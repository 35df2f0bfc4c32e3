# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 01, details — calculus for gradient descent
#
# This notebook holds the longer measurements and the detours of
# [chapter 01](01_calculus.ipynb): steepest steps under another norm, Taylor models
# where a term vanishes, the round-off of finite differences near 1 and far from 1,
# more on reverse mode, when the gradient-check guide fails, and more on the Hessian.
# It is reference for the curious, not needed for the exercises. Each section
# recomputes what it needs, so you can run any one of them on its own (after the
# two setup cells). Every number quoted here is computed and asserted by the code
# cells.

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

import decimal
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize

from gdlearn import calculus, plotting, style
from gdlearn.surfaces import double_well, himmelblau, rosenbrock, saddle

COLORS = style.PALETTE
eps = np.finfo(float).eps

# %% [markdown]
# ## A. Steepest under another norm: the sign of the gradient
#
# Section 3 of the chapter showed that the gradient is the direction of steepest
# ascent. "Steepest" there compares directions of the same *Euclidean* length,
# $\|u\| = 1$. Measure length another way and the answer changes: among steps with
# every $|u_i| \le 1$ the slope $\nabla f \cdot u$ is largest for
# $u_i = \mathrm{sign}(\partial f / \partial x_i)$, each coordinate on its own
# (checked below on Himmelblau's function at $p = (1, 1)$ against 10,000 random
# steps of that box). Its negative is the step direction of signSGD, the limit of
# Adam with $\beta_1 = \beta_2 = 0$ and $\epsilon \to 0$ (chapter 06's details notebook, section J).

# %%
p = np.array([1.0, 1.0])
gradient = himmelblau.grad(p)
box_steps = np.random.default_rng(0).uniform(-1, 1, size=(2, 10000))  # steps with every |u_i| <= 1
assert np.all(gradient @ box_steps <= gradient @ np.sign(gradient))     # sign(grad f) is steepest there

# %% [markdown]
# (The chapter computes $\nabla f(x) \cdot u$ by hand. The library has it too:
# `calculus.directional_derivative(grad, x, u)`, for many directions at once, one
# per column.)

# %%
U = np.stack([np.cos(np.linspace(-np.pi, np.pi, 12)), np.sin(np.linspace(-np.pi, np.pi, 12))])
assert np.allclose(calculus.directional_derivative(himmelblau.grad, p, U), gradient @ U)

# %% [markdown]
# ## B. Taylor models where the leading term vanishes
#
# Section 4 of the chapter: the tangent line's error shrinks like $h^2$ where
# $f''(x_0) \ne 0$ and the tangent parabola's like $h^3$ where $f'''(x_0) \ne 0$.
# Where the leading term vanishes, the next one leads and the error shrinks faster.
# On the double well $f(x) = x^4 - 3x^2 + x$: at $x_0 = 0$, $f'''(0) = 0$ and the
# parabola's error is the $h^4$ term ($f'''' = 24$); at $x_0 = 1/\sqrt 2$,
# $f'' = 0$ and the tangent line's error is the $h^3$ term. The slope of
# log(error) against log($h$), for $h$ from $10^{-3}$ to $10^{-1}$:

# %%
def f(x):
    return x**4 - 3 * x**2 + x


def df(x):
    return 4 * x**3 - 6 * x + 1


def d2f(x):
    return 12 * x**2 - 6


hs = np.logspace(-3, -1, 21)


def model_error_power(x_special, order):
    """Slope of log(error) against log(h) of the Taylor model of the given order at x_special."""
    model = calculus.taylor(f, df, d2f, x_special, order=order)
    return np.polyfit(np.log10(hs), np.log10(np.abs(f(x_special + hs) - model(x_special + hs))), 1)[0]


power_parabola_0, power_tangent_inflection = model_error_power(0.0, 2), model_error_power(2 ** -0.5, 1)
print(f"at x0 = 0: parabola error ~ h^{power_parabola_0:.2f};  "
      f"at x0 = 1/sqrt(2): tangent error ~ h^{power_tangent_inflection:.2f}")
assert abs(power_parabola_0 - 4) < 0.05 and abs(power_tangent_inflection - 3) < 0.05

# %% [markdown]
# ## C. Finite differences near 1: how `np.exp` rounds, and the round-off side
#
# Section 5 of the chapter modelled the round-off of a difference quotient by
# allowing the difference of two values of $f$ a rounding of up to
# $\varepsilon |f|$ (half of it for each value), and measured the
# error on $f(x) = e^x$ at 41 points $x \in [0.5, 1.5]$. This section looks closer:
# first at how `np.exp` itself rounds, then at the round-off side of that
# measurement.
#
# **How `np.exp` rounds.** The IEEE 754 standard asks $+$, $-$, $\times$, $/$ and
# $\sqrt{\ }$ to round correctly, to within half a unit in the last place (ulp) of
# the result. Library functions such as $e^x$ are not covered by that rule. We
# compare `np.exp` at 2000 random points of $[0.5, 1.5]$ with $e^x$ computed to 40
# significant digits by Python's `decimal` module, and express the difference in
# ulps of the result (`np.spacing`).

# %%
decimal.getcontext().prec = 40
x_random = np.random.default_rng(0).uniform(0.5, 1.5, 2000)
exp_numpy = np.exp(x_random)
ulps_off = np.array([float(abs(decimal.Decimal(float(v)) - decimal.Decimal(float(x)).exp())
                           / decimal.Decimal(float(np.spacing(v))))
                     for x, v in zip(x_random, exp_numpy)])
print(f"np.exp on [0.5, 1.5]: largest error {ulps_off.max():.3f} ulp; "
      f"{np.mean(ulps_off > 0.5):.1%} of the points beyond the correctly rounded 0.5 ulp")
assert ulps_off.max() < 1                 # within one unit in the last place ...
assert ulps_off.max() > 0.4               # ... and the measurement sees the rounding at all

# %% [markdown]
# So `np.exp` is accurate to within one ulp here, a relative error below
# $\varepsilon$ (the largest error is printed). Whether it also stays within the
# correctly rounded half ulp of the basic operations depends on the implementation
# numpy uses on your CPU. The round-off model of section 5 allows up to
# $\tfrac12\varepsilon|f|$ for each value of $f$, the correctly rounded case; a
# library function that rounds a little worse is one more reason to read that model
# as an order of magnitude, not a bound.
#
# **The round-off side of section 5's figure.** We redo the measurement of
# section 5 and compare it with the models
# $\tfrac12 |f''|\, h + \varepsilon |f| / h$ (forward) and
# $\tfrac16 |f'''|\, h^2 + \varepsilon |f| / 2h$ (central) for $h \le 10^{-11}$,
# where round-off leads. Three numbers: the model against the averaged error; the
# model against the error at single points; and the two differences recomputed
# over the step the computer actually takes, $(x + h) - x$ and $(x + h) - (x - h)$,
# instead of $h$ and $2h$.

# %%
hs = np.logspace(-14, -1, 131)
points = np.linspace(0.5, 1.5, 41)
errors = [calculus.difference_errors(np.exp, np.exp, x, hs) for x in points]
forward_error = np.mean([e.forward for e in errors], axis=0)
central_error = np.mean([e.central for e in errors], axis=0)
model_forward = np.e * hs / 2 + eps * np.e / hs            # f = f'' = f''' = e^x, e on average
model_central = np.e * hs**2 / 6 + eps * np.e / (2 * hs)

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
# The model leaves out one rounding: that of $x \pm h$ itself. If that is why single
# points exceed the model, dividing by the step actually taken should turn the model
# back into a bound at every single point. It does (the largest ratios, printed):

# %%
def worst_single_point(difference_taken, model):
    """Largest measured / model over the round-off side and the 41 points, dividing by the step taken."""
    return max((np.abs(difference_taken(x) - np.exp(x)) / model(x))[roundoff].max() for x in points)


single_f_taken = worst_single_point(lambda x: (np.exp(x + hs) - np.exp(x)) / ((x + hs) - x),
                                    lambda x: np.exp(x) * hs / 2 + eps * np.exp(x) / hs)
single_c_taken = worst_single_point(lambda x: (np.exp(x + hs) - np.exp(x - hs)) / ((x + hs) - (x - hs)),
                                    lambda x: np.exp(x) * hs**2 / 6 + eps * np.exp(x) / (2 * hs))
print(f"largest measured / model at a single point, dividing by the step taken: "
      f"forward {single_f_taken:.2f}, central {single_c_taken:.2f}")
assert single_f_taken < 1 and single_c_taken < 1               # the exact step: the model bounds every point

# %%
assert 1.1 < single_f < 1.5 and 1.4 < single_c < 2.0           # at single points: above the model

# %% [markdown]
# On average the round-off lies a few times below the model, which gives each value
# of $f$ the full rounding $\tfrac12\varepsilon|f|$. But the model is not a bound as it
# stands: it leaves out the rounding of $x \pm h$, so at single points the error
# exceeds it, by up to about 1.3 times for the forward difference and 1.7 times for
# the central one; divided by the step actually taken, no point exceeds it. That
# same rounding is why section 5's two measured curves nearly coincide: as
# computed, the forward error is only about 1.4 times the central one; divided by
# the step actually taken, it is about 2 times, the models' factor. Dividing by the
# step taken lowers the central error about 2 times and the forward error only
# about 1.3 times. This is why `calculus.numerical_gradient` divides by the step
# actually taken.
#
# **The default step of `numerical_gradient`.** It is $h = 10^{-6}$, a little below
# the central sweet spot $h \approx 7 \cdot 10^{-6}$. At $x$ of size 1 that costs a
# factor of about 7 in round-off ($\varepsilon |f| / 2h$ grows as $1/h$) and buys
# $7^2 = 49$ times less truncation ($h^2 |f'''| / 6$). (Against the `derivative`
# default $10^{-5}$ the factors are 10 and 100.) That trade loses where round-off
# leads, as at section 7's check point, and wins where truncation leads: for
# $f = \sin 10x$ ($|f'''|$ up to 1000) on $[0.5, 1.5]$, $h = 10^{-6}$ is about 15
# times more accurate than $7 \cdot 10^{-6}$ and 30 times more than $10^{-5}$
# (mean of 41 points).

# %%
xs_wiggle = np.linspace(0.5, 1.5, 41)
wiggle_error = {step: np.mean([abs(calculus.derivative(lambda t: np.sin(10 * t), x, h=step) - 10 * np.cos(10 * x))
                               for x in xs_wiggle]) for step in (1e-6, 7e-6, 1e-5)}
print("sin 10x, mean error of the central difference:",
      ", ".join(f"h = {step:.0e}: {err:.1e}" for step, err in wiggle_error.items()))
assert 8 < wiggle_error[7e-6] / wiggle_error[1e-6] < 25        # truncation leads: the smaller step wins
assert 15 < wiggle_error[1e-5] / wiggle_error[1e-6] < 50

# %% [markdown]
# ## D. Finite differences far from 1: two separate problems, two separate fixes
#
# Section 5 of the chapter sized the step for $x$, $f$ and its derivatives of size
# 1. At $x = 10^4$ the defaults fail, for two different reasons. Section C
# compares the model $\tfrac12 |f''|\, h + \varepsilon |f| / h$ with measurements
# near 1; here we keep the model and change the sizes.
#
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
def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


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
neighbours_dip = sorted([sin_central[dip - 1] / sin_central[dip], sin_central[dip + 1] / sin_central[dip]])
assert 6 < neighbours_dip[0] < 8.5 and 11 < neighbours_dip[1] < 15    # a lucky single point: 7 and 13
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
# point: its neighbours on the grid, a factor $10^{0.1} \approx 1.26$ (26%) away, are about 7 and 13 times worse, so it is no optimum
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
# ## E. Reverse mode: cost, memory, forward mode, and a layer
#
# Section 6 of the chapter ran reverse-mode automatic differentiation by hand. Its
# first example: the loss $\tfrac12\|Xx - y\|^2$, with a forward pass $z = Xx$,
# $r = z - y$, loss $= \tfrac12 r \cdot r$, and a backward pass that carries the
# adjoints $\bar v = \partial\,\text{loss} / \partial v$ from the loss back to $x$.
# We repeat it here, then compare with PyTorch if it is installed.

# %%
rng = np.random.default_rng(1)
d, n = 3, 5
a, A = rng.normal(size=d), rng.normal(size=(d, d))          # drawn as in the chapter (unused here)
X, y, x = rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)


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
assert np.allclose(x_bar, X.T @ (X @ x - y), rtol=1e-14)

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
# **Cost and memory.**
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
# §3.2), unless the program stores only some intermediates and recomputes the
# others during the backward pass (*checkpointing*, which trades memory for
# recomputation; Griewank & Walther 2008 treat it at length). (The other order, *forward mode*, pushes a direction $v$ through the
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
# ## F. When the gradient-check guide fails, and float32
#
# Section 7 of the chapter checked a hand-written gradient of Himmelblau's function
# $f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2$ at a random point, with the relative
# error $\|g - g_{\text{fd}}\| / (\|g\| + \|g_{\text{fd}}\|)$, and used
# $\varepsilon |f| / (2h\|g\|)$ as an order-of-magnitude guide to the error of a
# correct gradient. The same gradients again (the second forgets the 2 that comes
# down from each square), and the same point:

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


check_point = np.random.default_rng(0).uniform(-4, 4, size=2)     # section 7's point

# %% [markdown]
# First, how well the guide does at section 7's point and at 20 other random
# points, for $f$ and for $f + 10^8$ (a constant changes no derivative, but it
# raises $|f|$ and with it the round-off of the differences).

# %%
point = check_point
h = 1e-6
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
print(f"near the minimum: |g| = {np.linalg.norm(grad_himmelblau(near_min)):.2f}, "
      f"error {error_near:.1e}, guide {guide_near:.1e}")
print(f"d = 300 quadratic: error {error_big:.1e}, guide {guide_big:.1e}")
assert error_near > 100 * guide_near and error_near < 1e-8     # far above the guide, still small
assert abs(np.linalg.norm(grad_himmelblau(near_min)) - 0.11) < 0.005   # the small gradient, |g| = 0.11
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
assert 0.8 < truncation_part / error_near < 0.88                # mostly truncation (about 84%)
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

# %% [markdown]
# **Kinks.** Stay away from kinks when you check a gradient ($|w|$ at 0, a ReLU at
# 0): there is no derivative there, and a difference that straddles the kink
# averages the two slopes. For $|x|$ at $x = 10^{-7}$ with $h = 10^{-6}$ the central
# difference gives $(1.1 \cdot 10^{-6} - 0.9 \cdot 10^{-6}) / (2 \cdot 10^{-6}) = 0.1$,
# not 1. (At a kink a convex function such as $|w|$ still has *subgradients*: the
# slopes $g$ with $f(y) \ge f(x) + g\,(y - x)$ for all $y$, here every $g$ in
# $[-1, 1]$ at $w = 0$; chapter 07 takes steps with one.)

# %%
kink_difference = calculus.derivative(np.abs, 1e-7, h=1e-6)
print(f"central difference of |x| at x = 1e-7, h = 1e-6: {kink_difference:.3g}")
assert np.isclose(kink_difference, 0.1)   # a step across the kink of |x|: 0.1, not 1

# %% [markdown]
# ## G. More on the Hessian
#
# Section 8 of the chapter classifies a stationary point by the signs of the
# eigenvalues of its Hessian: all positive, a strict local minimum; all negative, a
# strict local maximum; some of each, a saddle. Four more looks at it: the case the
# signs cannot settle, a quadratic whose matrix is not symmetric, every stationary
# point of Himmelblau's function, and close-ups of the quadratic model; then the
# Hessian by finite differences.
#
# **Where there is no Hessian.** The Hessian is symmetric when the second partial
# derivatives are continuous (Schwarz's theorem), as they are for the test functions
# and losses of chapters 02–09, with exceptions such as these: the L1 penalty
# $\lambda \sum_j |w_j|$ of chapter 07 has no derivative at $w_j = 0$, and the ReLU
# activation $\max(0, a)$ of chapter 07 (chapter 09 names it and keeps tanh) has
# none at $a = 0$. (Chapter 10
# goes further: its 0-1 loss is piecewise constant, with jumps, and the hinge loss it
# mentions has a kink; and the piecewise quadratic of chapter 05's details notebook,
# Lessard, Recht and Packard's counterexample, has a continuous gradient but jumps in
# its second derivative, from 25 to 1 and back, at $x = 1$ and $x = 2$.)
#
# **Zero eigenvalues.** The one case second derivatives cannot settle is some
# eigenvalues 0 and all the others of one sign: then the higher-order terms decide,
# as in $x^2 + y^4$ (a minimum at the origin) and $x^2 - y^4$ (a saddle), whose
# Hessians at the origin are both $\mathrm{diag}(2, 0)$. The first also shows that
# "all eigenvalues $> 0$" is a sufficient condition for a strict local minimum, not
# a necessary one.
#
# **A non-symmetric matrix.** A quadratic $\tfrac12 x^\top A x - b^\top x$ with a
# symmetric $A$ has the Hessian $A$ everywhere, so it is convex exactly when the
# eigenvalues of $A$ are $\ge 0$. For a non-symmetric $A$ the Hessian is the
# symmetric part $\tfrac12(A + A^\top)$, and the eigenvalues of $A$ itself can
# mislead: $A = \begin{pmatrix} 1 & 10 \\ 0 & 1 \end{pmatrix}$ has eigenvalues 1
# and 1, its symmetric part $-4$ and $6$, and $\tfrac12 x^\top A x = -4$ at
# $x = (1, -1)$: not convex.

# %%
def classify(eigenvalues):
    if np.all(eigenvalues > 0):
        return "local minimum"
    if np.all(eigenvalues < 0):
        return "local maximum"
    if np.any(eigenvalues > 0) and np.any(eigenvalues < 0):
        return "saddle"
    return "cannot tell (an eigenvalue is 0, the others share a sign)"


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

A_skew = np.array([[1.0, 10.0], [0.0, 1.0]])                     # not symmetric
assert np.allclose(np.linalg.eigvals(A_skew), [1, 1])            # its eigenvalues look convex ...
assert np.allclose(np.linalg.eigvalsh((A_skew + A_skew.T) / 2), [-4, 6])   # ... its Hessian's do not:
assert 0.5 * np.array([1, -1]) @ A_skew @ np.array([1, -1]) == -4          # below the value 0 at 0

# %% [markdown]
# **Every stationary point of Himmelblau's function.** Start `scipy.optimize.root`
# (which solves $\nabla f = 0$) from a grid of points, keep the distinct solutions,
# classify each: four minima, four saddles and one hilltop, as section 3 of the
# chapter showed on the gradient field.

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
# **Close-ups of the quadratic model.** Three stationary points: Rosenbrock's
# minimum $(1, 1)$, the centre of the saddle $x^2 - y^2$, and the hilltop of
# Himmelblau's function.

# %%
hilltop = scipy.optimize.root(himmelblau.grad, x0=[-0.3, -0.9], jac=himmelblau.hess).x
stationary = {"Rosenbrock": (rosenbrock, np.array([1.0, 1.0])),
              "Saddle": (saddle, np.array([0.0, 0.0])),
              "Himmelblau": (himmelblau, hilltop)}
kinds = {name: classify(np.linalg.eigvalsh(surface.hess(point)))
         for name, (surface, point) in stationary.items()}
assert kinds == {"Rosenbrock": "local minimum", "Saddle": "saddle", "Himmelblau": "local maximum"}
rosenbrock_eigenvalues = np.linalg.eigvalsh(rosenbrock.hess(np.array([1.0, 1.0])))
assert 2400 < rosenbrock_eigenvalues.max() / rosenbrock_eigenvalues.min() < 2600   # the 2500 below

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
