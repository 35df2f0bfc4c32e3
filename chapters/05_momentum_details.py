# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 05, details — momentum: conventions, proofs and the longer checks
#
# This notebook holds what [chapter 05](05_momentum.ipynb) leaves out of its story:
# framework conventions, the complex roots and the double root behind the
# heavy ball's rates, the lower bound, Nesterov's best parameters on a quadratic,
# the derivation and checks of the noise floor, the hilltop crossed from below, and the
# rates of the three methods on one eigen-direction.
# It is reference for the curious; you do not need it for the exercises. Each
# section is self-contained: it recomputes what it uses from the course library and
# the definitions cell below, so you can run any of them without the chapter. Every
# number quoted in the text is computed and asserted by a code cell of this notebook.

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

import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from gdlearn import data, plotting, style
from gdlearn.optim import apply_updates, sgd
from gdlearn.run import run
from gdlearn.surfaces import double_well, quadratic

COLORS = style.PALETTE

# %% [markdown]
# The chapter's test problem and its two momentum loops, used by several sections
# (the same code as in chapter 05, sections 1–4):

# %%
bowl = quadratic(condition_number=100)            # f = (mu x^2 + L y^2) / 2, mu = 1, L = 100
L, mu = bowl.L, bowl.mu
kappa = L / mu
lr_star = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2                      # the heavy ball's best pair (section 4)
beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
rho_star, rho_gd = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), (kappa - 1) / (kappa + 1)
assert (mu, L) == (1, 100)


def steps_to(xs, eps=1e-6):
    """First step k at which the distance to the minimum (the origin) is <= eps times the start's."""
    distance = np.linalg.norm(xs, axis=1)
    return int(np.argmax(distance <= eps * distance[0]))


def measured_rate(xs, first=100, last=300):
    """Factor per step by which the distance to the minimum (the origin) shrank from step first to last."""
    distance = np.linalg.norm(xs, axis=1)
    return (distance[last] / distance[first]) ** (1 / (last - first))


def heavy_ball(grad, x0, lr, beta, steps):
    x_prev = x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x, x_prev = x - lr * grad(x) + beta * (x - x_prev), x     # Polyak's update rule
        path.append(x)
    return np.array(path)


def nesterov(grad, x0, lr, beta, steps):
    """Nesterov's look-ahead points y_k (torch's nesterov=True iterates)."""
    x_prev = x = np.array(x0, dtype=float)
    look_ahead = []
    for _ in range(steps + 1):
        y = x + beta * (x - x_prev)
        look_ahead.append(y)
        x, x_prev = y - lr * grad(y), x
    return np.array(look_ahead)


def momentum_rate(lr, beta, eigenvalues):
    """Largest |eigenvalue| of the heavy ball's 2x2 matrix, worst over the Hessian's eigenvalues."""
    return max(np.abs(np.linalg.eigvals([[1 + beta - lr * lam, -beta], [1, 0]])).max()
               for lam in eigenvalues)


def stationary_variance(lr, beta, lam, s2=1.0):
    """E[z^2] of z_{k+1} = (1 + beta - lr lam) z_k - beta z_{k-1} - lr xi_k, Var(xi) = s2 (section F)."""
    return lr * (1 + beta) * s2 / ((1 - beta) * lam * (2 * (1 + beta) - lr * lam))


gd = run(sgd(lr=2 / (L + mu)), bowl, bowl.start, steps=1000, tol=0)
ball = heavy_ball(bowl.grad, bowl.start, lr_star, beta_star, steps=120)
wide_bowl = dataclasses.replace(bowl, domain=((-2.75, 0.25), (-4, 4)))

# %% [markdown]
# ## A. Momentum conventions: averaging, where the learning rate sits, and torch itself
#
# The chapter's buffer (section 2) is a sum, $b \leftarrow \beta b + g$. Some texts and libraries
# average instead, $b \leftarrow \beta b + (1 - \beta)g$, with weights $(1 - \beta)\beta^\tau$ that sum to 1: torch's `dampening=β` does it, and
# so does Adam's first moment (Kingma & Ba, 2015, Algorithm 1; chapter 06), which
# keeps the buffer at the scale of one gradient (Adam then divides it by
# $\sqrt{\hat v}$, chapter 06).
# (At the first step torch, and `gdlearn`, store the first gradient itself,
# undamped; the damping applies from the second step on.)
# Started at zero and damped from the first step, the average stays $1 - \beta$ times our sum (both
# recursions are linear and start at zero), so with a learning rate lr it gives our iterates at lr
# times $1 - \beta$. Same idea, different meaning of the learning rate: compare step sizes only
# within one convention.
#
# A second difference hides in where the learning rate sits. Torch (and `gdlearn`)
# keep it outside the buffer, $p \leftarrow p - \text{lr}_k\, b_k$; Sutskever et
# al. (2013) put it inside, $v \leftarrow \beta v - \text{lr}_k\, g_k$, $p \leftarrow
# p + v$. With a constant rate the two give the same iterates ($v = -\text{lr}\, b$).
# With a schedule they do not: when the rate drops, torch's form shrinks the whole
# remembered velocity at once, Sutskever's only the new gradient's share. The rate
# halved after 5 steps, on the bowl:

# %%
def halved(k):
    return 0.01 if k < 5 else 0.005                           # a step schedule


p_torch, b_torch, p_sutskever, v = bowl.start.copy(), 0.0, bowl.start.copy(), 0.0
for k in range(10):
    b_torch = 0.9 * b_torch + bowl.grad(p_torch)
    p_torch = p_torch - halved(k) * b_torch                   # lr outside the buffer
    v = 0.9 * v - halved(k) * bowl.grad(p_sutskever)
    p_sutskever = p_sutskever + v                             # lr inside the velocity
print("after 10 steps: torch form", p_torch, "Sutskever form", p_sutskever)
assert np.allclose(run(sgd(lr=halved, momentum=0.9), bowl, bowl.start, steps=10, tol=0).x, p_torch)
assert not np.allclose(p_torch, p_sutskever, rtol=1e-3)       # same schedule, different iterates

# %% [markdown]
# Now `gdlearn.optim.sgd` against `torch.optim.SGD` itself, 10 steps on the chapter's bowl: the heavy ball at
# $(\alpha^\star, \beta^\star)$, and `nesterov=True` at lr = 0.012, $\beta = 0.8$ (any
# values would do; the chapter's section 3 checks lr = 0.01, $\beta = 0.8$ against its own loop). When
# PyTorch is installed the cell runs it; otherwise it compares with the values that
# torch 2.13 gave for the same runs (stored below):

# %%
TORCH_SGD_AFTER_10 = {                          # torch.optim.SGD, float64, 10 steps from bowl.start
    (lr_star, beta_star, False): [-0.9471249125519702, 2.5786239554640704],   # heavy ball at (alpha*, beta*)
    (0.012, 0.8, True): [-1.5630007516052469, 0.013275486246204893],          # nesterov=True
}
try:
    import torch
except ImportError:
    torch = None
for (lr_, beta_, nesterov_), stored in TORCH_SGD_AFTER_10.items():
    ours = run(sgd(lr=lr_, momentum=beta_, nesterov=nesterov_), bowl, bowl.start, steps=10, tol=0).x
    reference = np.array(stored)
    if torch is not None:
        p = torch.tensor(bowl.start, dtype=torch.float64, requires_grad=True)
        torch_opt = torch.optim.SGD([p], lr=lr_, momentum=beta_, nesterov=nesterov_)
        for _ in range(10):
            torch_opt.zero_grad()
            (0.5 * (mu * p[0] ** 2 + L * p[1] ** 2)).backward()       # the bowl, f = (mu x^2 + L y^2) / 2
            torch_opt.step()
        reference = p.detach().numpy()
    assert np.allclose(ours, reference, rtol=1e-10, atol=1e-12), (lr_, beta_, nesterov_)
print("gdlearn's sgd matches torch.optim.SGD after 10 steps, heavy ball and nesterov=True"
      + ("" if torch is not None else " (stored torch values; PyTorch is not installed here)"))

# %% [markdown]
# **How long the buffer remembers.** Unrolled, the buffer is $b_k = g_k + \beta g_{k-1} + \beta^2 g_{k-2} + \dots$: the
# gradient from $\tau$ steps ago enters with weight $\beta^\tau$, and the weights sum
# to $1 + \beta + \beta^2 + \dots = 1/(1 - \beta)$. Their half-life is
# $\ln 2/(-\ln\beta)$ steps: about 1 at $\beta = 0.5$, 6.6 at 0.9, 69 at 0.99.

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
taus = np.arange(0, 121)
for beta_, color, ls, marker in [(0.5, COLORS["sky_blue"], ":", "o"), (0.9, style.color_for("heavy_ball"), "-", "s"),
                                 (0.99, COLORS["reddish_purple"], "--", "^")]:
    weights = beta_ ** taus
    assert np.isclose(np.sum(beta_ ** np.arange(100_000)), 1 / (1 - beta_))       # the weights sum to 1/(1 - beta)
    assert np.isclose(np.log(2) / -np.log(beta_), {0.5: 1.0, 0.9: 6.58, 0.99: 68.97}[beta_], atol=0.01)  # half-life
    ax.plot(taus, weights, color=color, linestyle=ls, marker=marker, markevery=10, markersize=5,
            label=f"$\\beta$ = {beta_}: weights sum to {1 / (1 - beta_):.0f}")
ax.set(xlabel="age of the gradient $\\tau$ (steps ago)", ylabel="weight $\\beta^\\tau$ in the buffer",
       title="How much of each past gradient the buffer holds")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# **Nesterov in torch's form.** The chapter's section 3 shows that the iterates of torch's
# `nesterov=True` are Nesterov's look-ahead points $y_k$.
# Sutskever,
# Martens, Dahl & Hinton, 2013, write Nesterov's method as a velocity
# update whose gradient is taken at the look-ahead point $\theta + \mu v$; renaming
# that look-ahead point the iterate gives torch's form. torch's documentation of
# `SGD` cites them and notes that torch keeps `lr` outside the buffer.

# %% [markdown]
# ## B. The two roots in the complex plane
#
# The heavy ball's rate on one eigen-direction is the largest modulus of a root of
# $z^2 - (1 + \beta - a)\,z + \beta$, with $a = \alpha\lambda$ (chapter section 4). Fix $\beta = \beta^\star$ and let
# $a = \alpha\lambda$ grow. At $a = 0$ the polynomial is $(z - 1)(z - \beta)$: two
# real roots, 1 and $\beta$. They move towards each other and meet at $\sqrt\beta$
# when $a = (1 - \sqrt\beta)^2$; across the window they are complex conjugates and
# travel along the circle of radius $\sqrt\beta$; at $a = (1 + \sqrt\beta)^2$ they
# meet again at $-\sqrt\beta$, then split along the negative axis until one reaches
# $-1$ at $a = 2(1 + \beta)$, the edge of the chapter's section 6. The optimal $\alpha^\star$ puts
# $\lambda = \mu$ on the first meeting point and $\lambda = L$ on the second:

# %%
def two_roots(a, beta):
    """The roots (1 + beta - a +- sqrt((1 + beta - a)^2 - 4 beta)) / 2, as complex numbers."""
    c = 1 + beta - a
    root = np.sqrt(complex(c**2 - 4 * beta))
    return (c + root) / 2, (c - root) / 2


a_path = np.linspace(0, 2 * (1 + beta_star), 1201)
plus, minus = np.array([two_roots(a, beta_star) for a in a_path]).T
in_window = (a_path > (1 - np.sqrt(beta_star)) ** 2) & (a_path < (1 + np.sqrt(beta_star)) ** 2)
assert np.allclose(np.abs(plus[in_window]), np.sqrt(beta_star)) and np.allclose(np.abs(minus[in_window]), np.sqrt(beta_star))
assert np.all(np.maximum(np.abs(plus), np.abs(minus))[~in_window] >= np.sqrt(beta_star) - 1e-9)
assert np.allclose(two_roots(lr_star * mu, beta_star), rho_star) and np.allclose(two_roots(lr_star * L, beta_star), -rho_star)
assert np.isclose(plus[0], 1) and np.isclose(minus[0], beta_star) and np.isclose(minus[-1], -1)

fig, ax = plt.subplots(figsize=(6.2, 5.2))
theta = np.linspace(0, 2 * np.pi, 400)
ax.plot(np.cos(theta), np.sin(theta), color="black", linewidth=0.8, linestyle=":", label="unit circle (stability)")
ax.plot(rho_star * np.cos(theta), rho_star * np.sin(theta), color=COLORS["bluish_green"], linewidth=7,
        alpha=0.35, label=f"circle of radius $\\sqrt{{\\beta^*}}$ = {rho_star:.3f} (wide band)")
ax.plot(plus.real, plus.imag, color=style.color_for("heavy_ball"), linewidth=2, marker="o", markevery=100,
        markersize=4, label="root $z_+$ as $a = \\alpha\\lambda$ grows")
ax.plot(minus.real, minus.imag, color=COLORS["reddish_purple"], linewidth=2, linestyle="--", marker="s",
        markevery=100, markersize=4, label="root $z_-$")
ax.plot([rho_star], [0], "D", color="white", markeredgecolor="black", markersize=9, zorder=6,
        label=f"double root for $\\lambda = \\mu$ ($a$ = {lr_star * mu:.3f})")
ax.plot([-rho_star], [0], "^", color="white", markeredgecolor="black", markersize=10, zorder=6,
        label=f"double root for $\\lambda = L$ ($a$ = {lr_star * L:.2f})")
ax.plot([1, beta_star, -1], [0, 0, 0], "x", color="black", markersize=7, label="$a = 0$: roots 1 and $\\beta$; edge: $-1$")
ax.set(xlabel="real part", ylabel="imaginary part", aspect="equal", xlim=(-1.15, 1.15), ylim=(-1.15, 1.15),
       title=f"Roots of $z^2 - (1 + \\beta - a) z + \\beta$, $\\beta = \\beta^*$ = {beta_star:.3f}")
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5));

# %% [markdown]
# ## C. The double root: where the heavy ball's rise comes from, and the step counts
#
# Our bowl is diagonal, so its eigen-coordinates are the coordinates themselves:
# $x_k[0]$ along the valley ($\lambda = \mu = 1$) and $x_k[1]$ across it
# ($\lambda = L = 100$). Plotting $|z_k|$ for each on a log scale, as Goh does in
# *Why Momentum Really Works* (Distill, 2017), separates what the loss mixes up.
#
# At $(\alpha^\star, \beta^\star)$ the window of complex roots (chapter section 4) touches both
# eigenvalues, so both have a **double root**: $1 + \beta^\star - \alpha^\star L =
# -2\sqrt{\beta^\star}$, the polynomial is $(z + \rho^\star)^2$. A double root $r$
# gives $z_k = (c_1 + c_2 k)\,r^k$, not just a multiple of $r^k$. Why the factor $k$:
# $z_k = k r^k$ solves $z_{k+1} = 2r\,z_k - r^2 z_{k-1}$ too, since
# $2r\cdot k r^k - r^2 (k - 1) r^{k-1} = (k + 1) r^{k+1}$; with a single root $r$ the
# two solutions $r^k$ and $k r^k$ take the place of $r_1^k$ and $r_2^k$. Across the valley
# the first step is a plain gradient step, $z_1 = (1 - \alpha^\star L)\,z_0 = -2.31\,z_0$
# (that step alone multiplies this part of the loss by $2.31^2 = 5.3$). Matching
# $k = 0$ and $k = 1$ gives $c_1 = z_0$ and $c_2 = (2.31/\rho^\star - 1)\,z_0 = 1.82\,z_0$:
#
# $$|z_k| = (1 + 1.82\,k)\,(\rho^\star)^k\,|z_0| ,$$
#
# which *grows* until $k = 4$, to $3.7\,|z_0|$, before $(\rho^\star)^k$ wins. That
# coordinate carries 94% of the loss at the start ($\tfrac12 L z^2$), hence the rise
# by about $0.94 \cdot 3.7^2 \approx 13$. Along the valley the same formula gives
# $(1 + 0.18k)(\rho^\star)^k$, which only falls.

# %%
def double_root_solution(z0, z1, r, k):
    """z_k = (c1 + c2 k) r^k through z_0 and z_1: the solution of a recurrence with a double root r."""
    c1, c2 = z0, z1 / r - z0
    return (c1 + c2 * k) * r**k


k = np.arange(len(ball))
for axis, lam, r in [(0, mu, rho_star), (1, L, -rho_star)]:
    assert np.isclose(1 + beta_star - lr_star * lam, 2 * r)                 # a double root at r
    z0 = ball[0, axis]
    closed = double_root_solution(z0, (1 - lr_star * lam) * z0, r, k)
    assert np.allclose(ball[:, axis], closed, rtol=1e-9, atol=1e-12)         # the formula, step for step
growth = np.abs(ball[:, 1] / ball[0, 1])
print(f"across the valley: |z_k|/|z_0| peaks at {growth.max():.2f} at step {np.argmax(growth)}")
assert np.argmax(growth) == 4 and 3.6 < growth.max() < 3.8
share = 0.5 * L * ball[0, 1] ** 2 / bowl.f(ball[0])                         # across-valley share of the start's loss
rise = bowl.f(ball.T).max() / bowl.f(ball[0])
print(f"across the valley: {share:.0%} of the start's loss; {share:.2f} * {growth.max():.2f}^2 = "
      f"{share * growth.max() ** 2:.1f}; measured rise of the loss: {rise:.1f}")
assert 0.93 < share < 0.95 and abs(share * growth.max() ** 2 - rise) < 0.3
assert np.all(np.diff(np.abs(ball[:, 0])) < 0)                              # along the valley: only falls

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, axis, name in zip(axes, (0, 1), ("along the valley, $\\lambda = \\mu = 1$",
                                         "across the valley, $\\lambda = L = 100$")):
    ax.semilogy(np.abs(gd.xs[:121, axis]), color=style.color_for("gd"), marker="o", markersize=3,
                markevery=5, label="gradient descent, $2/(L+\\mu)$")
    ax.semilogy(np.abs(ball[:, axis]), color=style.color_for("heavy_ball"), marker="s", markersize=3,
                markevery=5, label="heavy ball, $(\\alpha^*, \\beta^*)$")
    ax.semilogy(k, np.abs(ball[0, axis]) * rho_star**k, color="black", linestyle=":", linewidth=1,
                label="$(\\rho^*)^k |z_0|$")
    ax.set(xlabel="step $k$", title=name)
axes[0].set_ylabel("$|z_k|$, the error along one eigenvector")
axes[0].legend(fontsize=8, loc="lower left");

# %% [markdown]
# Two things show. Across the valley, gradient descent at $2/(L + \mu)$ shrinks the
# error by $0.98$ per step too, but in alternating sign (its factor is
# $1 - 200/101 = -0.98$); the heavy ball's error first grows, then falls at a slope
# slightly less steep than $(\rho^\star)^k$ (dotted) would predict: the factor
# $1 + 1.82k$ keeps it above that line for ever. Along the valley, where gradient
# descent crawls at $0.98$ per step, the heavy ball falls at nearly $\rho^\star =
# 0.82$. The two coordinates of the heavy ball fall at the same rate, which was
# the point of choosing $\alpha^\star$ and $\beta^\star$.
#
# **Step counts.** The chapter's section 4 measures the heavy ball at $(\alpha^\star, \beta^\star)$
# for $\kappa$ = 10, 100 and 1000 (rate between steps 100 and 300, steps to $10^{-6}$ of the
# start's distance), against gradient descent at $2/(L + \mu)$. Recomputed here:

# %%
kappas = [10, 100, 1000]
table = {}
print(" kappa   alpha*    beta*   rate theory   measured    steps: gd   heavy ball   ratio   sqrt(kappa)")
for k in kappas:
    q = quadratic(condition_number=k)
    a_k = 4 / (np.sqrt(q.L) + np.sqrt(q.mu)) ** 2
    b_k = ((np.sqrt(k) - 1) / (np.sqrt(k) + 1)) ** 2
    theory = (np.sqrt(k) - 1) / (np.sqrt(k) + 1)
    hb = run(sgd(lr=a_k, momentum=b_k), q, q.start, steps=400, tol=0)
    plain = run(sgd(lr=2 / (q.L + q.mu)), q, q.start, steps=8000, tol=0)
    measured = measured_rate(hb.xs)
    n_gd, n_hb = steps_to(plain.xs), steps_to(hb.xs)
    table[k] = dict(theory=theory, measured=measured, gd=n_gd, hb=n_hb)
    print(f"{k:6} {a_k:9.5f} {b_k:8.4f} {theory:12.4f} {measured:10.4f} {n_gd:12} {n_hb:12}"
          f" {n_gd / n_hb:7.1f} {np.sqrt(k):11.1f}")
    assert abs(measured / theory - 1) < 0.01           # within 1% of the theory ...
    assert measured >= theory                          # ... and never faster (see below)

# %%
ratios = {k: table[k]["gd"] / table[k]["hb"] for k in kappas}
for small, large in zip(kappas, kappas[1:]):
    assert 9 < table[large]["gd"] / table[small]["gd"] < 11        # gradient descent: 10x kappa, 10x the steps
    assert 2.8 < table[large]["hb"] / table[small]["hb"] < 3.7     # heavy ball: about sqrt(10) = 3.16x
    assert ratios[large] > ratios[small]                           # the advantage grows with kappa ...
for k in kappas:
    assert 0.65 * np.sqrt(k) < ratios[k] < 0.9 * np.sqrt(k)        # ... like sqrt(kappa), but below it
print("speed-up of the heavy ball:", {k: round(float(r), 1) for k, r in ratios.items()},
      " as a share of sqrt(kappa):", {k: round(float(r / np.sqrt(k)), 2) for k, r in ratios.items()})
assert np.allclose([ratios[k] for k in kappas], [2.7, 7.7, 22.7], atol=0.06)
hb_growth = [table[large]["hb"] / table[small]["hb"] for small, large in zip(kappas, kappas[1:])]
print("heavy ball, steps at 10x the condition number:", [f"{g:.2f}x" for g in hb_growth])
assert np.allclose(hb_growth, [3.46, 3.38], atol=0.01) and min(hb_growth) > np.sqrt(10)
assert np.allclose([ratios[k] / np.sqrt(k) for k in kappas], [0.84, 0.77, 0.72], atol=0.006)
for k in kappas:                     # steps predicted from k rho^k: ln(1e6 k) / (-ln rho) instead of ln(1e6) / (-ln rho)
    rho_k = (np.sqrt(k) - 1) / (np.sqrt(k) + 1)
    n_hb = table[k]["hb"]
    assert abs(np.log(1e6 * n_hb) / -np.log(rho_k) / n_hb - 1) < 0.1

# %% [markdown]
# The measured rates sit within 1% of $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$. They are
# never quite as fast: at $(\alpha^\star, \beta^\star)$ both roots for $\mu$ and for
# $L$ are *double* roots, and a repeated root makes the coordinates shrink like
# $k\,\rho^k$ rather than $\rho^k$; the extra factor $k$ costs a fraction of a
# percent per step.
#
# Step counts tell the same story. Multiply $\kappa$ by ten and gradient descent
# needs ten times as many steps, while the heavy ball needs a little more than
# $\sqrt{10} \approx 3.16$ times as many (3.46 and 3.38 here, printed; the factor
# $k$ below is why). The speed-up grows like $\sqrt\kappa$ but stays well below it: 2.7 at $\kappa = 10$, 7.7 at 100 and 22.7 at 1000, against $\sqrt\kappa$ =
# 3.2, 10 and 31.6 (84%, 77% and 72% of it, printed above). The factor $k$ is the reason: to bring
# $k\rho^k$ down to $10^{-6}$ takes about $\ln(10^6 k)/(-\ln\rho)$ steps instead of
# $\ln(10^6)/(-\ln\rho)$ (checked above to 10% for the three runs), and $\ln k$ grows
# with the length of the run, so the share lost grows slowly with $\kappa$.

# %% [markdown]
# ## D. Why no gradient method beats the order $\sqrt\kappa$
#
# Call the points where a method evaluates the gradient its *query points*
# $q_0, q_1, \dots$. Nesterov (*Introductory Lectures on Convex Optimization*, 2004,
# Theorem 2.1.13, stated in $\ell_2$) considers every method whose query points satisfy
# $q_k \in q_0 + \operatorname{span}\{\nabla f(q_0), \dots, \nabla f(q_{k-1})\}$, and builds
# strongly convex quadratics, in infinite dimension and with their eigenvalues in
# $[\mu, L]$, on which the distance to the minimum after $k$ steps is at least
# $\big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^k$ times the start's.
#
# - Gradient descent and the heavy ball query at their iterates $x_k$, and $x_{k+1}$ is
#   $x_k$ plus multiples of $\nabla f(x_k)$ and of $x_k - x_{k-1}$, so by induction
#   $x_k \in x_0 + \operatorname{span}\{\nabla f(x_0), \dots, \nabla f(x_{k-1})\}$.
# - Nesterov's method queries at the look-ahead points $y_k = x_k + \beta(x_k - x_{k-1})$
#   (chapter section 3), not at $x_k$. With $y_0 = x_0$, the step
#   $x_{k+1} = y_k - \alpha\nabla f(y_k)$ and the look-ahead
#   $y_{k+1} = x_{k+1} + \beta(x_{k+1} - x_k)$ only add multiples of gradients already
#   queried, so by induction both $x_k$ and $y_k$ lie in
#   $x_0 + \operatorname{span}\{\nabla f(y_0), \dots, \nabla f(y_{k-1})\}$: the query points
#   satisfy the theorem's assumption whatever $f$ is, so Nesterov's method is among the
#   methods the theorem covers: on the theorem's quadratics it cannot beat the bound.
#
# The heavy ball's rate on quadratics meets that bound, and the bound proves that
# $(\alpha^\star, \beta^\star)$ is the best heavy-ball pair in the worst case over
# quadratics with eigenvalues in $[\mu, L]$: a pair whose rate (the largest root modulus
# over $\lambda \in [\mu, L]$) were $\rho < \rho^\star$ would shrink the distance by at most
# $C(\rho + \varepsilon)^k$ on every such quadratic (for any $\varepsilon > 0$, with one constant
# $C$ for all $\lambda \in [\mu, L]$, by compactness of $[\mu, L]$ and continuity of the
# one-direction iteration matrix in $\lambda$), less than $(\rho^\star)^k$ for large $k$, on the
# bound's quadratic too, which is impossible (the chapter's section 4 grid of $(\alpha, \beta)$
# checks a stronger, two-eigenvalue version at $\kappa = 100$: no pair beats $\rho^\star$ even
# when only $\lambda \in \{\mu, L\}$ count).

# %% [markdown]
# ## E. Nesterov's best parameters on a quadratic
#
# The chapter's section 4 found the heavy ball's best $(\alpha, \beta)$ on a quadratic. The same
# question for Nesterov's method: which
# $(\alpha, \beta)$ make the worst root over $[\mu, L]$ smallest? Its answer is not
# the heavy ball's. Lessard, Recht & Packard (2016, *Analysis and design of
# optimization algorithms via integral quadratic constraints*, SIAM J. Optim. 26(1))
# give the tuned values
#
# $$\alpha = \frac{4}{3L + \mu}, \qquad
# \beta = \frac{\sqrt{3\kappa + 1} - 2}{\sqrt{3\kappa + 1} + 2}, \qquad
# \text{rate } 1 - \frac{2}{\sqrt{3\kappa + 1}},$$
#
# 0.8847 for $\kappa = 100$, between the heavy ball's 0.818 and gradient descent's
# 0.980. The familiar choice $\alpha = 1/L$, $\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$
# is Nesterov's constant-step scheme for *every* $L$-smooth, $\mu$-strongly convex
# function (Nesterov, *Introductory Lectures on Convex Optimization*, 2004,
# section 2.2, the constant step scheme); on a quadratic it gives $1 - 1/\sqrt\kappa = 0.9$,
# a little slower. Below, a grid search over $(\alpha, \beta)$ with Nesterov's
# $2\times2$ iteration matrix on one eigen-direction (derived in the chapter's section 6:
# $z_{k+1} = (1 + \beta)(1 - \alpha\lambda) z_k - \beta(1 - \alpha\lambda) z_{k-1}$)
# checks the closed form, and runs of both choices check the rates:

# %%
def nesterov_rate(lr, beta, eigenvalues):
    """Largest |eigenvalue| of Nesterov's 2x2 matrix, worst over the given Hessian eigenvalues."""
    return max(np.abs(np.linalg.eigvals([[(1 + beta) * (1 - lr * lam), -beta * (1 - lr * lam)], [1, 0]])).max()
               for lam in eigenvalues)


q3 = np.sqrt(3 * kappa + 1)
lr_nag, beta_nag, rho_nag = 4 / (3 * L + mu), (q3 - 2) / (q3 + 2), 1 - 2 / q3
best = min((nesterov_rate(a, b, [mu, L]), a, b)
           for a in np.linspace(0.010, 0.016, 61) for b in np.linspace(0.70, 0.90, 201))
print(f"grid search: best rate {best[0]:.4f} at alpha = {best[1]:.5f}, beta = {best[2]:.3f}")
print(f"closed form: rate {rho_nag:.4f} at alpha = {lr_nag:.5f}, beta = {beta_nag:.3f}")
assert np.isclose(nesterov_rate(lr_nag, beta_nag, [mu, L]), rho_nag, atol=1e-6) and round(rho_nag, 3) == 0.885
assert rho_nag <= best[0] < rho_nag + 2e-3                       # no grid point beats the closed form
assert abs(best[1] - lr_nag) < 2e-4 and abs(best[2] - beta_nag) < 0.01
assert np.isclose(nesterov_rate(lr_nag, beta_nag, np.linspace(mu, L, 501)), rho_nag, atol=1e-6)  # worst at mu, L

beta_const = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
for name, lr_, beta_, theory in [("tuned (Lessard et al.)", lr_nag, beta_nag, rho_nag),
                                 ("1/L, (sqrt k-1)/(sqrt k+1)", 1 / L, beta_const, 1 - 1 / np.sqrt(kappa))]:
    nag = run(sgd(lr=lr_, momentum=beta_, nesterov=True), bowl, bowl.start, steps=300, tol=0)
    print(f"Nesterov {name}: measured {measured_rate(nag.xs):.4f} per step, theory {theory:.4f}")
    assert abs(measured_rate(nag.xs) / theory - 1) < 0.01
    assert rho_star < measured_rate(nag.xs) < rho_gd

# %% [markdown]
# The three tuned runs on the chapter's bowl, drawn as in its first figure
# (Nesterov's path is its look-ahead points $y_k$, torch's iterates). The loss is quadratic in
# the error, so in the long run each loss falls by a factor $\rho^2$ per step, with the rates
# $\rho$ = 0.818, 0.885 and 0.980.

# %%
nag_tuned = run(sgd(lr=lr_nag, momentum=beta_nag, nesterov=True), bowl, bowl.start, steps=300, tol=0)
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.3, 1])
plotting.plot_contours(wide_bowl, ax=ax, filled=False, levels=27,
                       title=f"The first 20 steps on $\\kappa$ = {kappa:.0f}, with Nesterov's")
ax.set_aspect("auto")
ax.set_xlabel("$x$ (stretched: axes not to scale)")
three = [("gradient descent, $2/(L+\\mu)$", gd.xs, "gd", "-", "o"),
         (f"heavy ball, $\\alpha^*$ = {lr_star:.3f}, $\\beta^*$ = {beta_star:.2f}", ball, "heavy_ball", "--", "s"),
         (f"Nesterov (tuned), $\\alpha$ = {lr_nag:.4f}, $\\beta$ = {beta_nag:.2f}", nag_tuned.xs, "nesterov", "-.", "^")]
for label, xs, key, ls, marker in three:
    plotting.plot_path(xs[:21], ax=ax, color=style.color_for(key), legend=False, linewidth=1.0, linestyle=ls,
                       marker=marker, markersize=3, label=label)
ax.plot([], [], **{**style.START_STYLE, "markeredgecolor": style.color_for("nesterov")},
        label="start (hollow circle, shared)")
ax.plot([], [], **{**style.END_STYLE, "color": "white"}, label="step 20 (diamond, path's colour)")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
loss_lines = plotting.plot_loss([gd.fs[:121], bowl.f(ball.T), bowl.f(nag_tuned.xs[:121].T)], ax=ax_loss, f_star=0.0,
                                labels=["gradient descent", "heavy ball", "Nesterov (tuned)"],
                                colors=[style.color_for(k) for k in ("gd", "heavy_ball", "nesterov")])
for line, (_, _, _, ls, marker) in zip(loss_lines, three):
    line.set(marker=marker, markevery=10, markersize=4, linestyle=ls)
ax_loss.legend(fontsize=8, loc="lower left")
assert np.abs(nag_tuned.xs[:21, 1]).max() < 4 and -2.75 < nag_tuned.xs[:21, 0].min() and nag_tuned.xs[:21, 0].max() < 0.25
ax.set_ylim(-4, 4)
ax_loss.set_xscale("symlog", linthresh=20)
ax_loss.set_xlim(0, 120)
ax_loss.set_xticks([0, 5, 10, 15, 20, 50, 100], labels=["0", "5", "10", "15", "20", "50", "100"])
ax_loss.set(xlabel="step $k$ (linear up to 20, then log scale)", ylabel="$f(x_k) - f^*$")
ax_loss.set_title("Loss: in the long run, heavy ball fastest,\nthen Nesterov, then gradient descent");
print(f"steps to 1e-6: heavy ball {steps_to(ball)}, Nesterov (tuned) {steps_to(nag_tuned.xs)}, "
      f"gradient descent {steps_to(gd.xs)}")
assert steps_to(ball) < steps_to(nag_tuned.xs) < steps_to(gd.xs)

# %% [markdown]
# On quadratics the tuned heavy ball is the faster of the two at every $\kappa > 1$:
# with $q = \sqrt{3\kappa+1}$, $\;1 - 2/q > 1 - 2/(\sqrt\kappa + 1) = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$
# because $q > \sqrt\kappa + 1$ exactly when $3\kappa + 1 > \kappa + 2\sqrt\kappa + 1$,
# i.e. $\kappa > 1$. Nesterov's method earns
# its fame elsewhere: its $\sqrt\kappa$ guarantee holds for every smooth strongly
# convex function, while the heavy ball's tuned parameters can fail to converge on
# some of them (Lessard, Recht & Packard, 2016, give such a function; it is run in
# the next cell). For convex functions that are not
# strongly convex, Nesterov's method brings $f(x_k) - f^\star$ down like $O(1/k^2)$,
# against gradient descent's $O(1/k)$ (Nesterov, 1983; *Introductory Lectures*, 2004,
# section 2.2; Beck & Teboulle, 2009, FISTA). Nesterov (1983) builds $\beta_k$ from the
# sequence $a_{k+1} = (1 + \sqrt{4a_k^2 + 1})/2$; the simpler $\beta_k = (k - 1)/(k + 2)$ has the same $O(1/k^2)$ rate (Su, Boyd &
# Candès, 2016). Two further
# views, for the curious: as $\alpha \to 0$ that scheme follows the differential
# equation $\ddot x + (3/t)\,\dot x + \nabla f(x) = 0$ (Su, Boyd & Candès, 2016, JMLR),
# and restarting the momentum whenever $f$ goes up removes the need to know $\mu$ in
# practice (O'Donoghue & Candès, 2015, *Adaptive restart for accelerated gradient
# schemes*, Found. Comput. Math.).

# %%
def lrp_grad(x):
    """Gradient of Lessard, Recht & Packard's piecewise quadratic: 25x below 1, x + 24 up to 2, 25x - 24 above (L = 25, mu = 1)."""
    return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


lrp_L, lrp_mu = 25.0, 1.0
for x_start in (3.3, 1.0):
    hb = heavy_ball(lrp_grad, x_start, 4 / (np.sqrt(lrp_L) + np.sqrt(lrp_mu)) ** 2,
                    ((np.sqrt(lrp_L / lrp_mu) - 1) / (np.sqrt(lrp_L / lrp_mu) + 1)) ** 2, steps=300)
    nag = nesterov(lrp_grad, x_start, 1 / lrp_L, (np.sqrt(lrp_L / lrp_mu) - 1) / (np.sqrt(lrp_L / lrp_mu) + 1), steps=300)
    print(f"from x0 = {x_start}: heavy ball (alpha*, beta*) ends cycling through {np.round(hb[-3:], 3)}; "
          f"Nesterov (1/L, (sqrt(kappa)-1)/(sqrt(kappa)+1)) ends at {nag[-1]:.1e}")
    assert np.allclose(hb[-3:], hb[-6:-3], atol=1e-6) and np.abs(hb[-3:]).min() > 0.5   # a 3-cycle, not the minimum
    assert np.allclose(np.sort(hb[-3:]), [-1.802, 0.647, 2.116], atol=2e-3)           # the cycle's three points
    assert abs(nag[-1]) < 1e-6                                                          # converged to x* = 0

starts = np.linspace(-5, 5, 201)                 # heavy_ball works elementwise: all starts at once
ends = heavy_ball(lrp_grad, starts, 4 / (np.sqrt(lrp_L) + np.sqrt(lrp_mu)) ** 2,
                  ((np.sqrt(lrp_L / lrp_mu) - 1) / (np.sqrt(lrp_L / lrp_mu) + 1)) ** 2, steps=300)[-1]
converged_share = float(np.mean(np.abs(ends) < 1e-6))
print(f"over {starts.size} starts in [-5, 5] the tuned heavy ball converges from {converged_share:.0%} of them")
assert 0.3 < converged_share < 1.0                                                      # some starts cycle, not all
q_lrp, L_safe = np.sqrt(3 * lrp_L / lrp_mu + 1), 1.25 * lrp_L    # L' = 1.25 L is a valid smoothness constant too
for name, lr_, beta_ in [("1/L' with L' = 1.25 L", 1 / L_safe, (np.sqrt(L_safe / lrp_mu) - 1) / (np.sqrt(L_safe / lrp_mu) + 1)),
                         ("Lessard et al.'s tuning", 4 / (3 * lrp_L + lrp_mu), (q_lrp - 2) / (q_lrp + 2))]:
    nag_ends = nesterov(lrp_grad, starts, lr_, beta_, steps=300)[-1]
    print(f"Nesterov, {name} (alpha = {lr_:.4f}, beta = {beta_:.3f}): largest |x| after 300 steps over all starts "
          f"{np.abs(nag_ends).max():.1e}")
    assert np.abs(nag_ends).max() < 1e-6                                                # every start converges

# %% [markdown]
# On this function ($L = 25$, $\mu = 1$, $\kappa = 25$) the heavy ball with the
# parameters that are best in the worst case over quadratics with these $\mu$ and $L$ never
# converges from either start: it ends in the cycle $-1.802 \to 2.116 \to 0.647$
# (asserted). Not every start fails: over 201 starts in $[-5, 5]$ it converges
# from the share printed (asserted: some, not all). These two were picked to show
# the cycle; one failing start is enough to break a guarantee. Nesterov's method with $\alpha = 1/L$ and
# $\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ ends exactly at $x^\star = 0$, but
# that is a coincidence of $\alpha = 1/L$: the inner piece has curvature exactly
# $L$, so one gradient step from any look-ahead point $y < 1$ lands on 0. With a
# step that does not divide out, $\alpha = 1/L'$ for $L' = 1.25L$ (the constant-step
# scheme for $L'$, which is also a valid smoothness constant), and with Lessard et
# al.'s tuning, Nesterov's method converges from all 201 starts ($|x| < 10^{-6}$
# after 300 steps).

# %% [markdown]
# ## F. The stationary variance of the noisy heavy ball
#
# The chapter's section 7 recurrence on one eigen-direction is
# $z_{k+1} = (1 + \beta - \alpha\lambda) z_k - \beta z_{k-1} - \alpha\xi_k$, with independent
# kicks $\xi_k$ of mean 0 and variance $s^2$, and a stable $(\alpha, \beta)$ (both roots
# inside the unit circle, chapter section 6), so that the run settles into a stationary
# spread. Write $c = 1 + \beta - \alpha\lambda$, $v = \mathbb{E}[z_k^2]$ and
# $u = \mathbb{E}[z_k z_{k-1}]$, the same at every step once the run has settled. The
# kick $\xi_k$ is independent of $z_k$ and $z_{k-1}$, so multiplying the recurrence by
# $z_k$ and taking means gives $u = c\,v - \beta u$, i.e. $u = c\,v/(1 + \beta)$; squaring
# it gives $v = c^2 v + \beta^2 v - 2c\beta u + \alpha^2 s^2$. Substituting $u$,
# $v\,\big(1 - \beta^2 - c^2 + 2c^2\beta/(1 + \beta)\big) = \alpha^2 s^2$, and the bracket is
# $\frac{1 - \beta}{1 + \beta}\big((1 + \beta)^2 - c^2\big)$, where
# $(1 + \beta)^2 - c^2 = \alpha\lambda\,(2(1 + \beta) - \alpha\lambda)$. Dividing gives the
# chapter's formula,
#
# $$\mathbb{E}[z^2] = v = \frac{\alpha (1 + \beta)\, s^2}{(1 - \beta)\,\lambda\,\big(2(1 + \beta) - \alpha\lambda\big)}.$$
#
# An independent check of the formula: sum the squared impulse response of the
# $2\times2$ recurrence (a kick of size 1 at step 0, followed for 20,000 steps), which is
# $\mathbb{E}[z^2]/(\alpha^2 s^2)$:

# %%
for lr_, beta_, lam_ in [(0.02, 0.0, 1.0), (0.02, 0.9, 1.0), (0.005, 0.9, 0.5), (0.3, 0.5, 3.0)]:
    T = np.array([[1 + beta_ - lr_ * lam_, -beta_], [1, 0]])       # the heavy ball's 2x2 matrix
    kick, total = np.array([1.0, 0.0]), 0.0
    for _ in range(20_000):
        total += kick[0] ** 2
        kick = T @ kick
    assert np.isclose(lr_**2 * total, stationary_variance(lr_, beta_, lam_), rtol=1e-9)
print("impulse response and formula agree to 1e-9 at four settings")

# %% [markdown]
# ## G. The noisy bowl: three single settings, and the gain as the floor goes to 0
#
# The chapter's section 7 adds a unit Gaussian kick to each gradient coordinate of the
# bowl ($\kappa = 100$) at every step and compares, for a given noise floor, the fastest
# heavy ball with the fastest gradient descent. Its helper code again: a simulator (200
# runs side by side), the floor of section F's formula summed over $\lambda = \mu, L$,
# and the grid search over $(\alpha, \beta)$:

# %%
curvatures = np.array([mu, L])                   # the bowl's Hessian is diag(mu, L), its minimum at 0


def noisy_bowl(lr, beta, runs=200, steps=800, seed=1):
    """Mean loss over `runs` runs on the bowl, gradients plus N(0, 1) noise per coordinate, at every step."""
    rng = np.random.default_rng(seed)
    opt = sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr)
    P = np.tile(bowl.start, (runs, 1))           # one row per run
    state = opt.init(P)
    losses = np.empty(steps)
    for k in range(steps):
        noisy_gradient = curvatures * P + rng.standard_normal(P.shape)
        updates, state = opt.update(noisy_gradient, state, P)
        P = apply_updates(P, updates)
        losses[k] = np.mean(0.5 * np.sum(curvatures * P**2, axis=1))
    return losses


def root_modulus(lr, beta, lam):
    """Largest |root| of z^2 - (1 + beta - lr lam) z + beta, elementwise (the rate of the chapter's section 4)."""
    c = 1 + beta - lr * lam
    disc = c**2 - 4 * beta
    return np.where(disc <= 0, np.sqrt(beta), (np.abs(c) + np.sqrt(np.maximum(disc, 0))) / 2)


alphas_ = np.union1d(np.geomspace(1e-4, 0.04, 600), [2 / (L + mu)])   # gradient descent's best step included
A_, B_ = np.meshgrid(alphas_, np.linspace(0, 0.99, 500))
stable_ = A_ * L < 2 * (1 + B_)                                    # the edge of the chapter's section 6
rate_ = np.where(stable_, np.maximum(root_modulus(A_, B_, mu), root_modulus(A_, B_, L)), np.inf)
with np.errstate(divide="ignore", invalid="ignore"):
    floor_ = np.where(stable_, sum(0.5 * lam * stationary_variance(A_, B_, lam) for lam in curvatures), np.inf)
assert np.isclose(rate_[0, np.argmin(np.abs(A_[0] - 0.01))], 0.99, atol=1e-3)   # beta = 0: rate 1 - alpha mu


def fastest(target, gradient_descent=False):
    """(alpha, beta, rate, floor) of the best rate on the grid among floors <= target."""
    allowed = (floor_ <= target * (1 + 1e-9)) & ((B_ == 0) if gradient_descent else True)   # margin: rounding
    i = np.unravel_index(np.argmin(np.where(allowed, rate_, np.inf)), rate_.shape)
    return A_[i], B_[i], rate_[i], floor_[i]


def steps_per_e(rate):
    return -1 / np.log(rate)


def bowl_floor(lr, beta):
    """The formula's floor on the noisy bowl: sum over its two eigenvalues of lambda E[z^2] / 2."""
    return sum(0.5 * lam * stationary_variance(lr, beta, lam) for lam in curvatures)

# %% [markdown]
# ### Three single settings: where the speed goes
#
#
# Three fixed settings on the same noisy bowl show the trade at work: gradient
# descent at $2/(L + \mu)$; the heavy ball at its deterministic optimum
# $(\alpha^\star, \beta^\star)$, whose effective step $\alpha^\star/(1 - \beta^\star)$ is
# 0.1; and the heavy ball with the same $\beta^\star$ but gradient descent's effective
# step, 0.0198:

# %%
ill = {}
for name, lr_, beta_ in [("gradient descent, $2/(L+\\mu)$", 2 / (L + mu), 0.0),
                         ("heavy ball, $(\\alpha^*, \\beta^*)$", lr_star, beta_star),
                         ("heavy ball, $\\beta^*$, effective step $2/(L+\\mu)$", (1 - beta_star) * 2 / (L + mu),
                          beta_star)]:
    losses = noisy_bowl(lr_, beta_)
    floor = losses[400:].mean()
    predicted = sum(0.5 * lam * stationary_variance(lr_, beta_, lam) for lam in curvatures)
    reach = int(np.argmax(losses < 2 * floor)) + 1            # first step within 2x of its own floor
    ill[name] = dict(losses=losses, floor=floor, predicted=predicted, reach=reach, lr=lr_, beta=beta_)
    print(f"{name:55}: effective step {lr_ / (1 - beta_):.4f}, floor {floor:.3f} (formula {predicted:.3f}),"
          f" within 2x of it after {reach} steps")

gd_, hb_, matched_ = ill.values()
slow_gd = 1 - gd_["lr"] * mu                                               # along the valley, per step
slow_matched = momentum_rate(matched_["lr"], matched_["beta"], [mu])
print(f"along the valley: gradient descent {slow_gd:.4f} per step, heavy ball at the same effective step"
      f" {slow_matched:.4f}, at (alpha*, beta*) {momentum_rate(lr_star, beta_star, [mu]):.4f}")
floor_one_over_L = bowl_floor(1 / L, 0.0)
print(f"gradient descent's floor at lr = 1/L: {floor_one_over_L:.4f} (formula)")
lower_floor = bowl_floor((1 - beta_star) * 2 / (L + mu), beta_star)     # the lower target below
print(f"the heavy ball at beta* and gradient descent's effective step: floor {lower_floor:.4f} (formula)")

for r in ill.values():
    assert abs(r["floor"] / r["predicted"] - 1) < 0.1                  # the formula, within 10%
assert 4 < hb_["floor"] / gd_["floor"] < 6                                 # fast, but a 5x higher floor
assert hb_["reach"] < gd_["reach"] / 3 and gd_["reach"] > 100
assert np.isclose(matched_["predicted"], lower_floor)      # the lower target below
assert abs(slow_matched - slow_gd) < 0.005                                 # no sqrt(kappa) speed-up left
assert abs(floor_one_over_L - 0.0075) < 1e-4 and matched_["floor"] < gd_["floor"] / 10
assert np.isclose(lower_floor, 0.011, atol=0.0005)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for (name, r), color, ls, marker in zip(ill.items(), [style.color_for("gd"), style.color_for("heavy_ball"),
                                                        COLORS["vermillion"]], ["-", "--", "-."], ["o", "s", "^"]):
    ax.semilogy(np.arange(1, len(r["losses"]) + 1), r["losses"], color=color, linestyle=ls, linewidth=1.4,
                marker=marker, markevery=(20, 80), markersize=5, label=name)
    ax.axhline(r["predicted"], color=color, linestyle=":", linewidth=1)
ax.set(xlabel="step $k$", ylabel="mean loss over 200 runs", ylim=(3e-3, 2e3),
       title="$\\kappa$ = 100 with noisy gradients (dotted: the formula's floors)")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# The heavy ball at $(\alpha^\star, \beta^\star)$ gets near its floor about four
# times sooner than gradient descent (which needs more than 100 steps), but its floor
# is five times higher (2.5 against 0.5): a large effective step lets in more noise.
# With gradient descent's effective step instead, it converges along the valley at
# 0.979 per step against gradient descent's 0.980: at *that* setting the
# $\sqrt\kappa$ advantage is gone. Its floor is then lower, 0.011 (the lower target
# below), but not thanks to momentum as such: gradient descent at
# $2/(L + \mu)$ sits at the edge of stability across the valley ($\alpha L = 1.98$),
# where each kick echoes for a long time; a smaller step would lower its floor too (to
# 0.0075 at $1/L$, by the formula, at half the speed along the valley).
#
# **A lower target: 0.011.** The chapter's section 7 compares the fastest pairs for the floor
# 0.505. The same search and simulation (200 runs, seeds 1–3, steps until the mean loss is below
# twice the target) for the floor 0.011:

# %%
low = {m: fastest(lower_floor, m == "gd") for m in ("gd", "hb")}
low_reach = {m: [int(np.argmax(noisy_bowl(*low[m][:2], seed=seed) < 2 * lower_floor)) + 1 for seed in (1, 2, 3)]
             for m in low}
for m, (a_, b_, r_, f_) in low.items():
    print(f"{m}: alpha {a_:.4f}, beta {b_:.3f}, rate {r_:.4f}, floor {f_:.4f}, below 2x after {low_reach[m]} steps")
assert np.allclose(low["hb"][:3], (0.0018, 0.92, 0.957), atol=(0.0003, 0.02, 0.005))
assert np.isclose(low["gd"][0], 0.0123, atol=0.0002) and low["gd"][1] == 0
assert 180 <= min(low_reach["gd"]) and max(low_reach["hb"]) <= 125              # 227 against 106
assert 1.8 < min(low_reach["gd"]) / max(low_reach["hb"]) and max(low_reach["gd"]) / min(low_reach["hb"]) < 2.5

# %% [markdown]
# The fastest heavy ball, $(\alpha, \beta) \approx (0.0017, 0.92)$, gets there after 106 steps,
# the fastest gradient descent (lr 0.0123) after 227: about 2 times sooner.
#
# **The gain as the floor goes to 0.** In the chapter's plot of the fastest setting for
# each floor, the ratio of steps per factor $e$ (gradient descent's best over the heavy
# ball's best) shrinks as the floor goes down. By the formulas it tends to 2 as the floor
# goes to 0 (2.10, 2.01 and 2.00 at floors $10^{-3}$, $10^{-4}$, $10^{-6}$; computed below
# by bisection on $\alpha$ for each $\beta$, not on the grid): for a small effective step
# $\eta$ gradient descent converges at about $1 - \eta\mu$ per step, and the fastest heavy
# ball with the same floor has about the same effective step and is critically damped along
# $\mu$, $(1 - \sqrt\beta)^2 = \alpha\mu$; with $\alpha = \eta(1 - \beta)$ that gives
# $1 - \sqrt\beta = \eta\mu(1 + \sqrt\beta) \approx 2\eta\mu$, twice as fast.

# %%
def floor_matched(target, betas=1 - np.geomspace(1e-9, 1, 40001)):
    """For each beta, the alpha whose floor is `target` (bisection: the floor rises with alpha), and the rates."""
    lo, hi = np.full(betas.shape, 1e-12), 2 * (1 + betas) / L * (1 - 1e-9)
    for _ in range(100):
        mid = np.sqrt(lo * hi)
        over = bowl_floor(mid, betas) > target
        hi, lo = np.where(over, mid, hi), np.where(over, lo, mid)
    return betas, lo, np.maximum(root_modulus(lo, betas, mu), root_modulus(lo, betas, L))


low_gains = []
for target in (1e-3, 1e-4, 1e-6):                                  # the gain as the floor goes to 0
    betas, alphas, rates = floor_matched(target)                   # gradient descent is the last, beta = 0
    i = np.argmin(rates)
    low_gains.append(steps_per_e(rates[-1]) / steps_per_e(rates[i]))
print("floor-matched gain at floors 1e-3, 1e-4, 1e-6:", np.round(low_gains, 3))
assert np.allclose(low_gains, [2.10, 2.01, 2.00], atol=0.015)
assert abs(alphas[i] * mu / (1 - np.sqrt(betas[i])) ** 2 - 1) < 0.05          # the best heavy ball: critically damped
assert abs(alphas[i] / (1 - betas[i]) / alphas[-1] - 1) < 0.05                 # at gradient descent's step

# %% [markdown]
# **Why the first-order floors disagree near the edge.** In the chapter's section 7, both pairs for
# 0.505 sit close to their stability edges along $L$: $\alpha L$ = 1.98 against 2 for gradient
# descent at $2/(L + \mu)$, 3.18 against $2(1 + \beta) = 3.35$ for the heavy ball. There a kick
# along $L$ echoes for long, and the floor climbs steeply with the step: gradient descent's floor is
# 0.505 at $2/(L + \mu) \approx 0.0198$ but only 0.25 at 0.0196, about 1% smaller. The
# first-order floor, effective step × 2 directions / 4, misses this: it gives 0.0099 and 0.049,
# about 50 and 10 times too low, for effective steps 0.020 and 0.098, five times apart. The
# chapter's grid search uses the exact variance, not this small-step approximation.

# %%
a_g = 2 / (L + mu)                                                # the chapter's two pairs for 0.505
a_h, b_h = fastest(bowl_floor(a_g, 0.0))[:2]
exact_first = [(bowl_floor(a, b), a / (1 - b) * len(curvatures) / 4) for a, b in [(a_g, 0.0), (a_h, b_h)]]
print("exact and first-order floors (gradient descent, heavy ball):", np.round(exact_first, 4))
assert np.allclose([a_g * L, a_h * L, 2 * (1 + b_h)], [1.98, 3.18, 3.35], atol=(0.006, 0.03, 0.03))
assert np.isclose(bowl_floor(0.0196, 0.0), 0.25, atol=0.005) and 1 < a_g / 0.0196 < 1.011
assert np.allclose(exact_first, [(0.505, 0.0099), (0.495, 0.049)], atol=(0.001, 0.0005))
assert 48 < exact_first[0][0] / exact_first[0][1] < 53 and 9 < exact_first[1][0] / exact_first[1][1] < 11
assert np.allclose([a_g, a_h / (1 - b_h)], [0.020, 0.098], atol=0.0015) and 4.5 < a_h / (1 - b_h) / a_g < 5.5

# %% [markdown]
# ## H. The floor follows the effective step: chapter 04's regression
#
# The two consequences of the noise-floor formula (the chapter's section 7: at a fixed
# $\alpha$ the floor rises $1/(1 - \beta)$-fold; at a fixed effective step $\alpha/(1 - \beta)$
# it stays that of gradient descent), measured on chapter 04's regression (1000
# examples, two weights, $L = \frac1n\sum\frac12(x_i^\top w - y_i)^2$, start $w_0 = (-2, -1)$). Batches of
# $b = 10$ examples drawn independently at random, 20 independent runs side by side
# (one row of an array each, so that one loop runs them all), 4,000 steps; the floor
# is the mean of $L - L^\star$ over steps 1,000–4,000 and the 20 runs. Since $L$ is
# quadratic, $L(w) - L^\star = \tfrac12 (w - w^\star)^\top H (w - w^\star)$ exactly.

# %%
regression = data.linear(n=1000, seed=0)
X, y = regression.X, regression.y
n = len(y)
w_star = np.linalg.lstsq(X, y, rcond=None)[0]
H = X.T @ X / n
at_minimum = X * (X @ w_star - y)[:, None]            # per-example gradients at w*; their mean is 0
trace_sigma = np.mean(np.sum(at_minimum**2, axis=1))  # tr Sigma*
w0, batch, parallel_runs, noisy_steps, burn_in = np.array([-2.0, -1.0]), 10, 20, 4000, 1000


def noisy_run(opt, seed=0):
    """`parallel_runs` independent runs of `opt` (one row of W each); L - L* at every step, shape (steps, runs)."""
    rng = np.random.default_rng(seed)
    W = np.tile(w0, (parallel_runs, 1))
    state = opt.init(W)
    gaps = np.empty((noisy_steps, parallel_runs))
    for step in range(noisy_steps):
        idx = rng.integers(n, size=(parallel_runs, batch))        # each run draws its own batch
        Xb, yb = X[idx], y[idx]                                     # shapes (runs, batch, 2), (runs, batch)
        residual = np.sum(Xb * W[:, None, :], axis=2) - yb          # (runs, batch): x_i . w_r - y_i
        gradients = np.mean(Xb * residual[:, :, None], axis=1)      # (runs, 2): each run's batch gradient
        updates, state = opt.update(gradients, state, W)
        W = apply_updates(W, updates)
        E = W - w_star
        gaps[step] = 0.5 * np.sum((E @ H) * E, axis=1)              # (w - w*)^T H (w - w*) / 2, per run
    return gaps


settings = {"fixed step $\\alpha$ = 0.02": [(0.02, 0.0), (0.02, 0.5), (0.02, 0.9)],
            "fixed effective step $\\alpha/(1-\\beta)$ = 0.05": [(0.05, 0.0), (0.025, 0.5), (0.005, 0.9)]}
noisy = {}
for group, pairs in settings.items():
    for lr_, beta_ in pairs:
        gaps = noisy_run(sgd(lr=lr_, momentum=beta_) if beta_ else sgd(lr=lr_))
        curve = gaps.mean(axis=1)
        floor = curve[burn_in:].mean()
        predicted = lr_ / (1 - beta_) * trace_sigma / (4 * batch)
        reach = int(np.argmax(curve < 2 * floor)) + 1            # first step within 2x of its own floor
        noisy[lr_, beta_] = dict(curve=curve, floor=floor, predicted=predicted, reach=reach)
        print(f"alpha = {lr_:<6} beta = {beta_:<4} effective {lr_ / (1 - beta_):.3f}: floor {floor:.2e},"
              f" predicted {predicted:.2e} (ratio {floor / predicted:.2f}), within 2x of it after {reach} steps")

# %%
for (lr_, beta_), r in noisy.items():
    assert 0.8 < r["floor"] / r["predicted"] < 1.25, (lr_, beta_)          # the formula, within 25%
fixed = [noisy[0.02, b]["floor"] for b in (0.0, 0.5, 0.9)]
assert 1.6 < fixed[1] / fixed[0] < 2.5 and 8 < fixed[2] / fixed[0] < 12.5  # fixed alpha: x 1/(1 - beta)
reach_fixed = [noisy[0.02, b]["reach"] for b in (0.0, 0.5, 0.9)]
assert reach_fixed[0] > 1.5 * reach_fixed[1] > 2.25 * reach_fixed[2]      # fixed alpha: more momentum, sooner there
same_effective = settings["fixed effective step $\\alpha/(1-\\beta)$ = 0.05"]
effective = [noisy[p]["floor"] for p in same_effective]
assert max(effective) / min(effective) < 1.2                              # fixed effective step: the same floor
reach_effective = [noisy[p]["reach"] for p in same_effective]
assert max(reach_effective) / min(reach_effective) < 1.25                 # ... reached after about as many steps
spreads = {}
for seed in (1, 2, 3):                                                    # the same comparison on other batches
    curves = [noisy_run(sgd(lr=lr_, momentum=beta_) if beta_ else sgd(lr=lr_), seed).mean(axis=1)
              for lr_, beta_ in same_effective]
    floors = [c[burn_in:].mean() for c in curves]
    reaches = [int(np.argmax(c < 2 * f)) + 1 for c, f in zip(curves, floors)]
    spreads[seed] = max(floors) / min(floors) - 1
    assert spreads[seed] < 0.05 and max(reaches) / min(reaches) < 1.25
spreads[0] = max(effective) / min(effective) - 1
assert all(v < 0.05 for v in spreads.values())                            # within 5% on each of the four seeds
at_50 = [noisy[p]["curve"][49] for p in same_effective]                  # L - L* after 50 steps
print("fixed effective step, L - L* at step 50:", ", ".join(f"{v:.1e}" for v in at_50))
assert at_50[2] < 0.25 * min(at_50[:2])                                   # beta = 0.9 about 10x lower at step 50...
a_lams = same_effective[2][0] * np.linalg.eigvalsh(H)
print(f"alpha = 0.005: alpha lambda = {a_lams.round(4)}, (1 - sqrt 0.9)^2 = {(1 - np.sqrt(0.9)) ** 2:.4f}")
assert a_lams.min() > (1 - np.sqrt(0.9)) ** 2                             # ...its roots are complex: underdamped
assert same_effective[1][0] * np.linalg.eigvalsh(H).max() < (1 - np.sqrt(0.5)) ** 2   # beta = 0.5: real roots
lam_reg = np.linalg.eigvalsh(H)
print(f"regression Hessian: eigenvalues {lam_reg.round(3)}, kappa = {lam_reg.max() / lam_reg.min():.3f}")
assert abs(lam_reg.max() / lam_reg.min() - 1.114) < 0.01                 # well-conditioned: kappa about 1.1
print("fixed effective step: spread of the three floors per seed:", {k: f"{v:.1%}" for k, v in sorted(spreads.items())})

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
window = 100
for ax, (group, pairs) in zip(axes, settings.items()):
    for i, ((lr_, beta_), color, ls, marker) in enumerate(zip(
            pairs, [style.color_for("gd"), COLORS["bluish_green"], style.color_for("heavy_ball")],
            ["-", "--", "-."], ["o", "s", "^"])):
        r = noisy[lr_, beta_]
        widths = np.minimum(window, np.maximum(1, np.arange(1, noisy_steps + 1) // 10))  # k/10, at most 100
        cumulative = np.concatenate([[0.0], np.cumsum(r["curve"])])
        ends = np.arange(1, noisy_steps + 1)
        shown_curve = (cumulative[ends] - cumulative[ends - widths]) / widths        # mean of the last `widths`
        marks = np.unique(np.geomspace(3 + 2 * i, noisy_steps - 1, 9).astype(int))   # evenly spread on log-x
        ax.loglog(np.arange(1, noisy_steps + 1), shown_curve, color=color, linestyle=ls, linewidth=1.5,
                  marker=marker, markevery=list(marks), markersize=6,
                  label=f"$\\alpha$ = {lr_}, $\\beta$ = {beta_}: $2\\times$ floor at step {r['reach']}")
        if group.startswith("fixed step"):
            ax.axhline(r["predicted"], color=color, linestyle=":", linewidth=1)
        elif i == 0:                                      # the three formula floors are equal here: one line
            ax.axhline(r["predicted"], color="black", linestyle=":", linewidth=1)
    ax.set(xlabel="step $k$ (log scale)", title=group)
    ax.legend(fontsize=8, loc="upper right", title="dotted: the formula, $\\alpha\\,\\mathrm{tr}\\,\\Sigma^* / (4b(1-\\beta))$",
              title_fontsize=8)
axes[0].set_ylabel("$L - L^*$, mean of 20 runs\n(running mean over the last $k/10$ steps, at most 100)")
axes[0].set_ylim(1e-4, 20);

# %% [markdown]
# At a fixed $\alpha$ the floor rises with $\beta$, by about $2\times$ at
# $\beta = 0.5$ and $10\times$ at $0.9$, and the runs get there sooner (the steps in
# the legend). At a fixed effective step the three curves end on top of one another
# from about step 100 on (the markers tell them apart): on each of four seeds the floors
# agree within 5%, and each run gets within
# $2\times$ of its floor after about as many steps as the others (within 25%). The
# way down differs: in this run, at step 50 the $\beta = 0.9$
# run is about 10 times lower than the other two (the dip in the right panel). With $\alpha = 0.005$ both $\alpha\lambda$ lie above
# $(1 - \sqrt{0.9})^2 = 0.0026$, so its roots are complex (chapter section 4): it is
# underdamped and overshoots (chapter section 5), while $\beta = 0.5$ has real roots. On this
# well-conditioned problem ($\kappa = 1.1$), once that transient has passed, momentum
# gives the noise floor of gradient descent with the same effective step. So when you
# add momentum to SGD, multiply the learning rate by $1 - \beta$ to keep the same
# noise level; to shrink the ball, decay the step or grow the batch, as in chapter 04.
#
# **Takeaway (fixed learning rate against fixed effective step):** adding momentum at
# a fixed $\alpha$ raises the floor about $1/(1 - \beta)$-fold; at a fixed effective
# step $\alpha/(1 - \beta)$ the floor stays that of gradient descent.

# %% [markdown]
# ## I. Crossing the hilltop from below: the discrete energy
#
# The chapter's section 8 runs the heavy ball (lr = 0.02) on the double well
# $f(x) = x^4 - 3x^2 + x$. Released *below* the height of the hilltop, it never got past it:
# from three such starts, for all 100 values of $\beta$ from 0 to 0.99, every run comes to
# rest in the local minimum and no iterate of any path is left of $x = 0.3$ (the hilltop is
# at 0.17), along the whole path, not just at its end:

# %%
lr, x0 = 0.02, double_well.start                          # the chapter's step and start
local_min, global_min = double_well.minima[1, 0], double_well.minima[0, 0]
scan = np.round(np.arange(0, 1, 0.01), 2)

starts_below_rim = [0.3, 0.6, 0.9]
rim = 0.1699                                               # the hilltop between the wells
assert abs(double_well.grad(np.array([rim]))[0]) < 1e-3 and double_well.hess(np.array([rim]))[0, 0] < 0
assert double_well.f(np.array([x0])) > double_well.f(np.array([rim]))   # the start is above the hilltop
assert all(double_well.f(np.array([s])) < double_well.f(np.array([rim])) for s in starts_below_rim)


def path_from(beta, x0, steps=5000):
    """The heavy ball's whole path (lr = 0.02) from x0, until it stops (gradient below 1e-8) or 5000 steps."""
    opt = sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr)
    return run(opt, double_well, np.array([x0]), steps=steps, tol=1e-8)


below = [path_from(b, s) for s in starts_below_rim for b in scan]
leftmost = min(tr.xs[:, 0].min() for tr in below)
print(f"from starts {starts_below_rim}, below the hilltop, {len(below)} runs: the leftmost iterate of any path "
      f"is x = {leftmost:.3f} (hilltop at {rim})")
assert all(tr.status == "converged" for tr in below)                  # every run comes to rest...
assert len(below) == 300 and np.isclose(leftmost, min(starts_below_rim))   # no path goes left of x = 0.3,
assert leftmost > rim + 0.1                                            # ...so no iterate ever passes the hilltop
assert all(abs(tr.x[0] - local_min) < 1e-3 for tr in below)           # all in the local minimum

def hilltop_crossings(beta):
    """How many times the heavy ball (lr = 0.02, from x0) passes the hilltop, either way."""
    xs = run(sgd(lr=lr, momentum=beta), double_well, x0, steps=5000, tol=1e-8).xs[:, 0]
    side = np.sign(xs - rim)
    return int(np.sum(side[1:] != side[:-1]))


crossings = {b: hilltop_crossings(b) for b in (0.9, 0.97, 0.98, 0.985)}
print("hilltop crossings:", crossings)
assert crossings[0.9] == crossings[0.97] == 1 and crossings[0.98] == 2 and crossings[0.985] == 3
for b, n in crossings.items():                  # an even number of crossings ends in the local minimum, odd in the global
    end = run(sgd(lr=lr, momentum=b), double_well, x0, steps=5000, tol=1e-8).x[0]
    assert abs(end - (global_min if n % 2 else local_min)) < 1e-3

# %% [markdown]
# Released *above* the hilltop, at the chapter's start $x_0 = 1.75$, the ball with
# $\beta = 0.9$ or 0.97 crosses the hilltop once; with more momentum it swings back over it,
# twice at $\beta = 0.98$ (it ends in the local minimum) and three times at 0.985 (the global
# one): where it comes to rest depends on how many times it crosses, a matter of timing.
#
# Why can a ball released below the hilltop not cross, and is that a law? The
# heavy ball is a discretization of a ball with friction, $\ddot x = -\nabla f(x) - \gamma\dot x$: with a time step
# $h$, $x_{k+1} - 2x_k + x_{k-1} = -h^2\nabla f(x_k) - \gamma h\,(x_k - x_{k-1})$ is
# Polyak's rule with $\alpha = h^2$ and $\beta = 1 - \gamma h$. The continuous
# ball's energy $E = \tfrac12\dot x^2 + f(x)$ only decreases, $\dot E =
# -\gamma\dot x^2 \le 0$. Released at rest below the hilltop, it starts with
# $E < f(\text{hilltop})$; to reach the other side its path would have to pass
# through the hilltop, where $E \ge f(\text{hilltop})$. For the discrete heavy ball
# this energy need not decrease. With larger steps the
# scan's observation fails: from $x_0 = 1.52$, below the hilltop, lr = 0.09
# ($h = 0.3$), measuring $E_k = \tfrac12\big((x_k - x_{k-1})/h\big)^2 + f(x_k)$:

# %%
x_low, lr_big = 1.52, 0.09
f_low, f_rim = double_well.f(np.array([x_low])), double_well.f(np.array([rim]))
assert f_low < f_rim - 0.1                                          # well below the hilltop


def energy(xs, lr_):
    """E_k = (x_k - x_{k-1})^2 / (2 h^2) + f(x_k) with the time step h = sqrt(lr); E_0 = f(x_0) (at rest)."""
    speed2 = np.concatenate([[0.0], np.diff(xs) ** 2 / lr_])
    return 0.5 * speed2 + np.array([double_well.f(np.array([x])) for x in xs])


low_runs = {}
for beta_ in (0.94, 0.95, 0.96):
    xs = run(sgd(lr=lr_big, momentum=beta_), double_well, np.array([x_low]), steps=5000, tol=1e-8).xs[:, 0]
    E = energy(xs, lr_big)
    k = int(np.argmax(xs < rim))                                    # first iterate left of the hilltop
    low_runs[beta_] = xs, E
    print(f"lr = {lr_big}, beta = {beta_}: ends at {xs[-1]:.4f}; x_1..x_{k} = {np.round(xs[1:k + 1], 3)} "
          f"(last hop {xs[k - 1] - xs[k]:.2f}); E_0 = {E[0]:.3f}, E_1 = {E[1]:.3f}, E_{k - 1} = {E[k - 1]:.3f}")
    assert abs(xs[-1] - global_min) < 1e-3                          # crossed the hilltop from below...
    assert 0 < xs[k - 1] - rim < 0.2 and 0.08 < xs[k - 1] - xs[k] < 0.18   # ...in a short hop, not a leap
    assert abs(E[0] - (-0.073)) < 0.002 and abs(E[1] - 0.595) < 0.005       # the first step adds energy
    assert abs(xs[0] - xs[1] - 0.533) < 0.002
    assert f_rim + 0.07 < E[k - 1] and 0.15 < E[k - 1] < 0.38       # still above the hilltop just before crossing
print(f"hilltop height f = {f_rim:.3f}")

gamma = (1 - 0.95) / np.sqrt(lr_big)                                # friction of the beta = 0.95 run: 1/6
small_runs = {}
for lr_ in (0.02, 0.005, 0.001):                                    # same friction, smaller time steps
    beta_ = 1 - gamma * np.sqrt(lr_)
    xs = run(sgd(lr=lr_, momentum=beta_), double_well, np.array([x_low]), steps=20_000, tol=1e-8).xs[:, 0]
    small_runs[lr_] = xs, energy(xs, lr_)
    print(f"lr = {lr_}, beta = {beta_:.4f}: ends at {xs[-1]:.4f}, leftmost x = {xs.min():.3f}, "
          f"largest E after the start = {small_runs[lr_][1][1:].max():.3f}")
    assert abs(xs[-1] - local_min) < 1e-3 and xs.min() > 0.49       # stays in the local minimum
    assert small_runs[lr_][1][1:].max() < f_rim - 0.05                # its energy never reaches the hilltop's
assert all(small_runs[lr_][1][1:].max() < small_runs[lr_][1][0] for lr_ in (0.005, 0.001))   # nor its start's

# %%
fig, (ax_x, ax_e) = plt.subplots(1, 2, figsize=(11, 4.4))
t_max = 2.1                                                         # the crossing happens by t = 1.5
series = [(f"lr = 0.09, $\\beta$ = {b}", low_runs[b], lr_big, c, ls, m) for b, c, ls, m in zip(
    (0.94, 0.95, 0.96), [style.color_for("heavy_ball"), COLORS["vermillion"], COLORS["sky_blue"]],
    ["-", "--", "-."], "os^")]
series.append((f"lr = 0.005, $\\beta$ = {1 - gamma * np.sqrt(0.005):.3f}", small_runs[0.005], 0.005,
               COLORS["bluish_green"], (0, (5, 2, 1, 2)), "D"))          # its own colour: not gradient descent's
for label, (xs, E), lr_, color, ls, marker in series:
    n_shown = int(t_max / np.sqrt(lr_)) + 1
    t = np.arange(n_shown) * np.sqrt(lr_)                            # time t = k h
    for ax_, ys in ((ax_x, xs[:n_shown]), (ax_e, E[:n_shown])):
        ax_.plot(t, ys, color=color, linestyle=ls, marker=marker, markersize=4, linewidth=1.5, label=label,
                 markevery=1 if lr_ == lr_big else 5)
ax_x.axhline(rim, color="black", linestyle=":", linewidth=1, label="hilltop, $x$ = 0.17")
ax_x.set(xlabel="time $t = k\\sqrt{\\mathrm{lr}}$", ylabel="$x_k$", title=f"From $x_0$ = {x_low}, below the hilltop")
ax_e.axhline(f_rim, color="black", linestyle=":", linewidth=1, label=f"height of the hilltop, {f_rim:.3f}")
ax_e.set(xlabel="time $t = k\\sqrt{\\mathrm{lr}}$", ylabel="$E_k$", ylim=(-1.2, 1.0),
         title="Energy $E_k = \\frac{1}{2}((x_k - x_{k-1})/h)^2 + f(x_k)$, $h = \\sqrt{\\mathrm{lr}}$")
for ax_ in (ax_x, ax_e):
    ax_.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2)

# %% [markdown]
# All three runs end in the global minimum: their iterates got past the hilltop
# from a start below it, which the continuous ball can never do. They do not leap
# over it: they walk up to it and cross in a hop of 0.09 to 0.16 (printed). What
# the coarse time step breaks is the other half of the argument, that the energy
# only falls. The start has $E_0 = f(1.52) = -0.073$, below the hilltop's 0.084; the
# first step is a plain gradient step of length $0.09\,f'(1.52) = 0.53$, and after
# it $E_1 = 0.595$. The step has *added* energy, and just before the crossing $E$ is
# still 0.165 to 0.36, above the hilltop (right panel). With the same friction
# ($\gamma = 0.05/0.3 = 1/6$) and smaller time steps, lr = 0.02, 0.005 and 0.001
# with $\beta = 1 - \gamma\sqrt{\text{lr}}$, the ball stays in the local minimum and
# never gets left of $x = 0.50$; its energy never reaches the hilltop's, and at the
# two smaller steps it never rises above its start (green curve, lr = 0.005). Here,
# the smaller the step, the more the heavy ball behaves like the continuous ball.
#
# **A discrete energy for small steps.** For small enough steps that is a theorem,
# with a slightly different energy. Write $d_k = x_k - x_{k-1}$ and
# $H_k = f(x_k) + \frac{\beta}{2\alpha} d_k^2$, with $x_{-1} = x_0$ so $H_0 = f(x_0)$.
# If $|f''| \le L$ on an interval that holds the iterates, the descent lemma
# (chapter 02) gives $f(x_{k+1}) \le f(x_k) + f'(x_k)\,d_{k+1} + \frac L2 d_{k+1}^2$; the
# update says $\alpha f'(x_k) = \beta d_k - d_{k+1}$, and
# $\beta d_k d_{k+1} \le \frac\beta2 (d_k^2 + d_{k+1}^2)$, so
#
# $$H_{k+1} \le H_k - \Big(\frac{1 - \beta}{\alpha} - \frac L2\Big)\, d_{k+1}^2 .$$
#
# For $\alpha \le 2(1 - \beta)/L$, $H$ never increases, and $f(x_k) \le H_k \le f(x_0)$:
# no iterate lands higher than the start. (In several dimensions the same lines hold
# with norms, for $\nabla f$ $L$-Lipschitz.) That alone does not stop a hop over the
# hilltop, but $H$ also bounds the step: $\frac{\beta}{2\alpha} d_k^2 = H_k - f(x_k) \le f(x_0) - f_{\min}$,
# so $|d_k| \le D = \sqrt{(2\alpha/\beta)(f(x_0) - f_{\min})}$. The set $\{f \le f(x_0)\}$ has two
# pieces, the right one $R$ holding $x_0$. Induction: if $x_k \in R$ and $H_k \le f(x_0)$, the
# update gives $|d_{k+1}| \le \beta D + \alpha \max_R |f'| =: D'$; with $L'$ the largest $|f''|$ on
# $R$ widened by $D'$ and $\alpha \le 2(1 - \beta)/L'$, $H_{k+1} \le H_k \le f(x_0)$, so $x_{k+1}$ lies
# in $\{f \le f(x_0)\}$ within $D'$ of $R$; if $D'$ is less than the gap between the pieces, it
# lies in $R$: the iterates never leave the start's well. For lr = 0.005 and $\beta = 0.9$ from
# $x_0 = 1.52$ (the run below): gap 0.478, $D' = 0.206$, $L' = 29.7$ and
# $2(1 - \beta)/L' = 0.0067 \ge 0.005$. One limit: the runs above that cross are far
# outside it: at lr = 0.09 and $\beta = 0.94$ it would need $L \le 2(1 - \beta)/\alpha
# = 1.33$, while $f''(1.52) = 21.7$. With the friction fixed, $\beta = 1 - \gamma h$ and
# $\alpha = h^2$, the condition reads $h \le 2\gamma/L$: with $L = 21.7$, lr $\le 2.35\cdot10^{-4}$,
# below all the steps above. Inside it, lr = 0.005 and $\beta = 0.9$ from the
# same start ($|f''| \le 21.7$ along the path, so the condition needs
# $\alpha \le 0.0092$):

# %%
def f_dd_max(xs):
    """max |f''| over [min xs, max xs] for f'' = 12 x^2 - 6 (a parabola: the ends, or -6 at x = 0)."""
    lo, hi = xs.min(), xs.max()
    return max(abs(12 * lo**2 - 6), abs(12 * hi**2 - 6), 6.0 if lo < 0 < hi else 0.0)


lr_small, beta_small = 0.005, 0.9
xs = run(sgd(lr=lr_small, momentum=beta_small), double_well, np.array([x_low]), steps=5000, tol=1e-8).xs[:, 0]
L_path = f_dd_max(xs)
H_energy = np.array([double_well.f(np.array([x])) for x in xs]) + beta_small / (2 * lr_small) * np.concatenate([[0.0], np.diff(xs) ** 2])
print(f"lr = {lr_small}, beta = {beta_small}: |f''| <= {L_path:.1f} on the path, 2(1 - beta)/L = {2 * (1 - beta_small) / L_path:.4f}; "
      f"largest rise of H: {np.diff(H_energy).max():.1e}; ends at {xs[-1]:.4f}")
assert np.isclose(L_path, 21.72, atol=0.01) and lr_small <= 2 * (1 - beta_small) / L_path   # inside the condition
assert np.all(np.diff(H_energy) <= 1e-12) and H_energy.max() <= H_energy[0] + 1e-12                             # H never increases
xs_big = low_runs[0.94][0]
H_big = np.array([double_well.f(np.array([x])) for x in xs_big[:3]]) + 0.94 / (2 * lr_big) * np.concatenate([[0.0], np.diff(xs_big[:3]) ** 2])
assert H_big[1] > H_big[0] + 0.5 and np.isclose(2 * (1 - 0.94) / lr_big, 1.33, atol=0.01)     # outside: H rises
h_max = 2 * gamma / f_dd_max(np.array([x_low, 1.0]))                                        # h <= 2 gamma / L
assert np.isclose(h_max, 0.01534, atol=1e-4) and np.isclose(h_max**2, 2.35e-4, atol=0.01e-4)   # lr <= 2.35e-4

# Closing the induction for this run (the text's gap, D' and L'): the two pieces of {f <= f(x_0)}.
f_of = lambda x: x**4 - 3 * x**2 + x                                   # the double well, in closed form
assert np.isclose(f_of(x_low), double_well.f(np.array([x_low]))) and np.isclose(f_of(global_min), -3.5139, atol=1e-4)
grid_x = np.linspace(-2.5, 2.5, 500_001)
inside = f_of(grid_x) <= f_of(x_low)
ends = grid_x[1:][np.diff(inside.astype(int)) != 0]                   # left piece [ends 0, ends 1], R = [ends 2, x_low]
gap = ends[2] - ends[1]
D = np.sqrt(2 * lr_small / beta_small * (f_of(x_low) - f_of(global_min)))
R_ = np.linspace(ends[2], x_low, 10_001)
D_prime = beta_small * D + lr_small * np.abs(4 * R_**3 - 6 * R_ + 1).max()
L_prime = f_dd_max(np.array([ends[2] - D_prime, x_low + D_prime]))
print(f"R = [{ends[2]:.3f}, {x_low}], gap to the left piece {gap:.3f}; D = {D:.3f}, D' = {D_prime:.3f}; "
      f"L' = {L_prime:.1f}, 2(1 - beta)/L' = {2 * (1 - beta_small) / L_prime:.4f} >= lr = {lr_small}")
assert len(ends) == 4 and ends[1] < rim < ends[2] and np.isclose(x_low, ends[3], atol=1e-4)
assert np.isclose(gap, 0.478, atol=0.002) and np.isclose(D_prime, 0.206, atol=0.002) and D_prime < gap
assert np.isclose(L_prime, 29.7, atol=0.1) and lr_small <= 2 * (1 - beta_small) / L_prime   # 0.005 <= 0.0067
assert np.all(np.abs(np.diff(xs)) <= D + 1e-12) and xs.min() >= ends[2]                 # the run obeys both

# %% [markdown]
# ## J. Rates on one eigen-direction: gradient descent, heavy ball and Nesterov
#
# The chapter's section 6 derives the stability limits of the three methods on one
# eigen-direction, $a = \alpha\lambda$ below 2, $2(1 + \beta)$ and
# $2(1 + \beta)/(1 + 2\beta)$. Below its limit each method converges at the largest
# modulus of a root of its $2\times2$ iteration matrix:

# %%
def iteration_matrix(method, a, beta):
    """The 2x2 matrix mapping (z_k, z_{k-1}) to (z_{k+1}, z_k) on one eigen-direction; a = alpha * lambda."""
    if method == "nesterov":
        return np.array([[(1 + beta) * (1 - a), -beta * (1 - a)], [1, 0]])
    return np.array([[1 + beta - a, -beta], [1, 0]])          # heavy ball; beta = 0 is gradient descent


def spectral_radius(method, a, beta):
    return np.abs(np.linalg.eigvals(iteration_matrix(method, a, beta))).max()


limit_formula = {"gd": lambda beta: 2.0, "heavy_ball": lambda beta: 2 * (1 + beta),
                 "nesterov": lambda beta: 2 * (1 + beta) / (1 + 2 * beta)}

a_pays = 1 - np.sqrt(0.9)                                      # below it, |1 - a| > sqrt(0.9): gradient descent is worse
assert np.isclose(a_pays, 0.0513, atol=1e-4)
assert all(spectral_radius("heavy_ball", a, 0.9) < spectral_radius("gd", a, 0.0) for a in np.geomspace(1e-3, 0.05, 50))
assert all(np.isclose(spectral_radius("heavy_ball", a, 0.9), np.sqrt(0.9)) for a in np.linspace(0.003, 3.78, 50))
a_nag = np.linspace(0.003, 0.999, 200)                          # Nesterov: complex roots of modulus sqrt(beta (1 - a))
assert np.allclose([spectral_radius("nesterov", a, 0.9) for a in a_nag], np.sqrt(0.9 * (1 - a_nag)))
assert np.allclose([spectral_radius(m, 0.01, b) for m, b in [("nesterov", 0.9), ("heavy_ball", 0.9), ("gd", 0.0)]],
                   [0.944, 0.949, 0.99], atol=5e-4)
assert all(spectral_radius("nesterov", a, 0.9) < min(spectral_radius("gd", a, 0.0), np.sqrt(0.9)) for a in np.geomspace(0.003, 0.099, 50))
assert spectral_radius("nesterov", 0.12, 0.9) > spectral_radius("gd", 0.12, 0.0)   # above 1 - beta, gradient descent wins
a_mid = np.linspace(0.0035, 1.32, 400)                          # Nesterov below the heavy ball from ~0.003 to ~1.33
assert all(spectral_radius("nesterov", a, 0.9) < spectral_radius("heavy_ball", a, 0.9) for a in a_mid)
assert spectral_radius("nesterov", 1.345, 0.9) > spectral_radius("heavy_ball", 1.345, 0.9) and spectral_radius("nesterov", 1.0, 0.9) < 1e-9
a_low = np.geomspace(0.001, 0.002, 20)                          # below about 0.002 the momentum curves coincide:
assert all(abs(spectral_radius("heavy_ball", a, 0.9) - spectral_radius("nesterov", a, 0.9)) < 1e-3 for a in a_low)
assert all(abs(spectral_radius(m, a, 0.9) - (1 - a / 0.1)) < 0.05 * a for m in ("heavy_ball", "nesterov")
           for a in np.geomspace(1e-5, 4e-5, 5))                # first order in a: both 1 - a/(1 - beta)
fig, ax = plt.subplots(figsize=(7.5, 4.2))
a_plot = np.geomspace(0.001, 4.2, 2000)
a_high = 1 + np.sqrt(0.9)                                       # above it gradient descent's |1 - a| exceeds sqrt(0.9)
assert all(spectral_radius("heavy_ball", a, 0.9) < spectral_radius("gd", a, 0.0)
           for a in np.linspace(a_high + 1e-3, 4.2, 200))       # ... and the heavy ball is the faster one there too
ax.axvspan(0.001, a_pays, color="0.8", zorder=0,
           label=f"$a$ < {a_pays:.3f} or $a$ > {a_high:.2f}: the heavy ball beats gradient descent")
ax.axvspan(a_high, 4.2, color="0.8", zorder=0)
inset = ax.inset_axes([0.1, 0.07, 0.36, 0.34])               # zoom on the small steps, below the curves
for method, name, ls, lw in [("gd", "gradient descent", "-", 1.6), ("heavy_ball", "heavy ball, $\\beta$ = 0.9", "--", 2.6),
                             ("nesterov", "Nesterov, $\\beta$ = 0.9", "-.", 1.4)]:
    b = 0.0 if method == "gd" else 0.9
    rates = [spectral_radius(method, a, b) for a in a_plot]
    ax.plot(a_plot, rates, color=style.color_for(method), linestyle=ls, linewidth=lw,
            label=f"{name}: stable below {limit_formula[method](b):.3g}")
    inset.plot(a_plot, rates, color=style.color_for(method), linestyle=ls, linewidth=lw)
inset.axvspan(0.001, a_pays, color="0.8", zorder=0)
inset.set(xscale="log", xlim=(0.001, 0.2), ylim=(0.9, 1.005))
inset.text(0.04, 0.06, "zoom: $a$ 0.001 to 0.2,\nrate 0.9 to 1", transform=inset.transAxes, fontsize=7,
           bbox=dict(facecolor="white", edgecolor="none", pad=1))     # in the empty lower left, off the curves
inset.tick_params(labelsize=7)
ax.axhline(1, color="black", linewidth=0.8, linestyle=":")
ax.set(xlabel="$a = \\alpha\\lambda$ (step size times eigenvalue, log scale)", ylabel="rate: largest $|$root$|$",
       xscale="log", xlim=(0.001, 4.2), ylim=(0, 2), title="Stable steps on one eigen-direction (above 1: diverges)")
ax.legend(fontsize=8, loc="upper left");

# %% [markdown]
# Each curve stays under 1 below its limit and crosses 1 there (the $a$-axis is
# logarithmic, so that small steps get room). The heavy ball's curve sits at
# $\sqrt\beta \approx 0.95$ for $a$ between $(1 - \sqrt\beta)^2 \approx 0.003$ and
# $(1 + \sqrt\beta)^2 \approx 3.79$ (complex roots, chapter section 4), while gradient descent
# does better than 0.95 for $a$ between 0.05 and 1.95. In the two shaded strips the heavy ball is
# the faster one: $a < 1 - \sqrt{0.9} \approx 0.051$ (the inset zooms in on it), and
# $a > 1 + \sqrt{0.9} \approx 1.95$, where gradient descent nears or passes its limit. With a step
# size that keeps gradient descent stable, momentum pays on the directions with small
# $\alpha\lambda$, the shallow ones, and that is why $\beta$ has to be matched to the spectrum.
#
# Nesterov's curve lies below the heavy ball's for $a$ from about 0.003 to 1.33 (at $a = 1$ its
# rate is 0: both roots are 0). Below
# $a \approx 0.002$ the two momentum curves lie within 0.001 of each other, so the heavy ball's
# hides Nesterov's: to first order in $a$ both rates are $1 - a/(1 - \beta)$. Its
# polynomial $z^2 - (1 + \beta)(1 - a)z + \beta(1 - a)$ has the constant term
# $\beta(1 - a) < \beta$, so where its roots are complex their modulus is
# $\sqrt{\beta(1 - a)} < \sqrt\beta$: 0.944 at $a = 0.01$, against the heavy ball's 0.949
# and gradient descent's 0.99. It beats gradient descent too while
# $\sqrt{\beta(1 - a)} < 1 - a$, i.e. $a < 1 - \beta = 0.1$.
