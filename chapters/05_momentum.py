# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 05 — Momentum
#
# Chapter 02 ended with a bill: on a quadratic, gradient descent at its best
# learning rate shrinks the distance to the minimum by $(\kappa - 1)/(\kappa + 1)$
# per step, so the number of steps grows in proportion to the condition number
# $\kappa = L/\mu$. A valley a hundred times steeper across than along costs about
# a hundred times more steps than a round bowl. **Momentum** cuts that cost to
# about $\sqrt{\kappa}$, by letting each step remember the previous one, as a
# heavy ball rolling downhill keeps its speed. It is one line of code, and it is
# in almost every optimizer used to train neural networks.
#
# You need chapter 02: the update rule, the rate $\max_i |1 - \eta\lambda_i|$ on a
# quadratic (one eigen-direction at a time), and `run`.
#
# ## What you will learn
#
# - Polyak's **heavy ball** and **Nesterov's** momentum, each as a five-line loop,
#   and how PyTorch (and `gdlearn.optim.sgd(lr, momentum=β, nesterov=...)`) writes
#   the same iterates with a "momentum buffer";
# - why momentum helps in a narrow valley: each eigen-direction follows a two-term
#   recurrence, and with the right step size $\alpha^\star$ and momentum
#   $\beta^\star$ all of them shrink by $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per
#   step, checked against measurements for $\kappa$ = 10, 100 and 1000;
# - what too little and too much momentum look like;
# - when momentum carries the iterate out of a shallow local minimum, and when it
#   cannot;
# - and you get a **momentum explorer**: sliders for $\alpha$ and $\beta$, a
#   Nesterov switch, and a start point you set by clicking.

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

from gdlearn import plotting, style
from gdlearn.optim import sgd
from gdlearn.run import run
from gdlearn.surfaces import double_well, quadratic, rosenbrock

COLORS = style.PALETTE

# %% [markdown]
# ## 1. Gradient descent in a narrow valley
#
# Our test problem is the quadratic $f(x) = \tfrac12 x^\top A x$ whose Hessian has
# eigenvalues $\mu = 1$ (along the valley, the $x$-axis) and $L = 100$ (across it):
# condition number $\kappa = 100$. Chapter 02's best fixed learning rate is
# $2/(L + \mu)$. We count the steps until the distance to the minimum (the origin)
# is a millionth of what it was at the start.

# %%
bowl = quadratic(condition_number=100)
L, mu = bowl.L, bowl.mu
kappa = L / mu
assert (mu, L) == (1, 100)


def steps_to(xs, eps=1e-6):
    """First step k at which the distance to the minimum (the origin) is <= eps times the start's."""
    distance = np.linalg.norm(xs, axis=1)
    return int(np.argmax(distance <= eps * distance[0]))


gd = run(sgd(lr=2 / (L + mu)), bowl, bowl.start, steps=1000, tol=0)
print(f"gradient descent, lr = 2/(L + mu) = {2 / (L + mu):.4f}: {steps_to(gd.xs)} steps to 1e-6")
assert 650 < steps_to(gd.xs) < 700                       # almost 700 steps
assert np.isclose(1 - 2 / (kappa + 1), 0.98, atol=1e-3)   # the shallow direction's factor

# %% [markdown]
# Almost 700 steps for a two-dimensional bowl. The learning rate is capped by the
# steep direction (above $2/L$ it diverges across the valley), and at that rate the
# shallow direction, along the floor, shrinks by only $1 - 2/(\kappa + 1) \approx
# 0.98$ per step.
#
# Look at the gradients along the way, though. *Across* the valley they alternate
# in sign: the path zig-zags. *Along* the valley they point the same way, step
# after step. So average the recent steps: the zig-zag cancels out and the steady
# drift along the floor adds up. That is momentum.
#
# ## 2. The heavy ball
#
# Polyak (1964) added to each gradient step a fraction $\beta$ of the previous step:
#
# $$\boxed{\,x_{k+1} = x_k - \alpha\,\nabla f(x_k) + \beta\,(x_k - x_{k-1})\,}
# \qquad 0 \le \beta < 1,$$
#
# starting with $x_{-1} = x_0$ (the first step is a plain gradient step). Think of
# a heavy ball rolling in the landscape: $x_k - x_{k-1}$ is its velocity,
# $-\alpha\nabla f$ the push of the slope, and $1 - \beta$ the friction that takes
# away a share of its speed at each step. With $\beta = 0$ the ball has no memory:
# gradient descent. In code:

# %%
def heavy_ball(grad, x0, lr, beta, steps):
    x_prev = x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x, x_prev = x - lr * grad(x) + beta * (x - x_prev), x     # the update rule
        path.append(x)
    return np.array(path)


# %% [markdown]
# Section 4 derives the best step size and momentum for a quadratic; here are the
# values, $\alpha^\star = 4/(\sqrt L + \sqrt\mu)^2$ and
# $\beta^\star = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$, against gradient
# descent at *its* best rate:

# %%
lr_star = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
print(f"alpha* = {lr_star:.4f}   beta* = {beta_star:.4f}")

ball = heavy_ball(bowl.grad, bowl.start, lr_star, beta_star, steps=120)
print(f"heavy ball: {steps_to(ball)} steps to 1e-6 (gradient descent: {steps_to(gd.xs)})")
assert steps_to(ball) < steps_to(gd.xs) / 7          # more than seven times fewer steps
assert lr_star > 2 / L                                # a step size that would make gradient descent diverge

# %%
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.3, 1])
plotting.plot_contours(bowl, ax=ax, filled=False,
                       title=f"The first 40 steps on a quadratic with $\\kappa$ = {kappa:.0f}")
plotting.plot_path(gd.xs[:41], ax=ax, color=style.color_for("gd"), legend=False,
                   label="gradient descent, $2/(L+\\mu)$")
plotting.plot_path(ball[:41], ax=ax, color=style.color_for("heavy_ball"), legend=False,
                   label=f"heavy ball, $\\alpha^\\star$, $\\beta^\\star$ = {beta_star:.2f}")
ax.legend(fontsize=8, loc="lower right")
plotting.plot_loss([gd.fs[:121], bowl.f(ball.T)], ax=ax_loss, f_star=0.0,
                   labels=["gradient descent", "heavy ball"],
                   colors=[style.color_for("gd"), style.color_for("heavy_ball")])
ax_loss.set_title("Loss: the heavy ball is far faster");

# %% [markdown]
# The heavy ball swings across the valley more than gradient descent does (its
# step size $\alpha^\star \approx 0.033$ is above gradient descent's limit
# $2/L = 0.02$: momentum makes larger steps stable), but it races along the floor.
# Its loss curve is a straight line on the log scale again, only much steeper.
#
# ### The same thing in PyTorch's form: a momentum buffer
#
# PyTorch's `torch.optim.SGD(params, lr, momentum)` and the course's
# `gdlearn.optim.sgd(lr, momentum=β)` do not store the previous iterate. They keep
# a **momentum buffer** $b$, a running sum of gradients, and step along it:
#
# $$b_k = \beta\, b_{k-1} + \nabla f(x_k), \qquad x_{k+1} = x_k - \text{lr}\cdot b_k ,$$
#
# with $b_0 = \nabla f(x_0)$ (torch initializes the buffer with the first
# gradient). It is the heavy ball in disguise: the step just taken is
# $x_k - x_{k-1} = -\text{lr}\cdot b_{k-1}$, so
#
# $$x_{k+1} = x_k - \text{lr}\,\big(\beta b_{k-1} + \nabla f(x_k)\big)
#          = x_k - \text{lr}\,\nabla f(x_k) + \beta\,(x_k - x_{k-1}),$$
#
# Polyak's rule with $\alpha = \text{lr}$. The first step agrees too:
# $b_0 = \nabla f(x_0)$ makes it a plain gradient step, like $x_{-1} = x_0$.
# Same start, same parameters, same iterates:

# %%
trace = run(sgd(lr=lr_star, momentum=beta_star), bowl, bowl.start, steps=120, tol=0)
assert np.allclose(trace.xs, ball, rtol=1e-10, atol=1e-15)
print("sgd(lr, momentum=beta) follows Polyak's heavy ball with alpha = lr, step for step")

# %% [markdown]
# **A word on conventions.** The buffer is a sum, not an average: on a long slope
# where the gradient $g$ stays the same it grows to $g/(1 - \beta)$, so with
# $\beta = 0.9$ the steps become ten times as long as plain gradient descent's with
# the same `lr`:

# %%
opt = sgd(lr=0.1, momentum=0.9)
state = opt.init(np.zeros(1))
for _ in range(300):
    updates, state = opt.update(np.ones(1), state)          # a constant gradient g = 1
buffer = state[1].momentum_buffer
print(f"buffer after 300 steps: {buffer[0]:.6f}; step: {updates[0]:.6f} (gradient descent: -0.1)")
assert np.isclose(buffer[0], 1 / (1 - 0.9)) and np.isclose(updates[0], -1.0)

# %% [markdown]
# Some texts and libraries average instead, $b \leftarrow \beta b + (1 - \beta)g$
# (torch's `dampening=β`), which keeps the step at the size of a gradient step.
# Same idea, different meaning of the learning rate: compare step sizes only within
# one convention. From here on we use `gdlearn.optim.sgd(lr, momentum=β)`, torch's
# form.
#
# ## 3. Nesterov's momentum: look ahead, then step
#
# The heavy ball takes the gradient where it *is*, then adds the momentum.
# Nesterov (1983) does it the other way round: first let the momentum carry you,
# then take the gradient *there*:
#
# $$y_k = x_k + \beta\,(x_k - x_{k-1}), \qquad x_{k+1} = y_k - \alpha\,\nabla f(y_k).$$
#
# If the momentum is about to carry the ball up the opposite wall, the gradient at
# the look-ahead point $y_k$ already says so and brakes earlier.

# %%
def nesterov(grad, x0, lr, beta, steps):
    x_prev = x = np.array(x0, dtype=float)
    look_ahead = []
    for _ in range(steps + 1):
        y = x + beta * (x - x_prev)                  # where the momentum carries us
        look_ahead.append(y)
        x, x_prev = y - lr * grad(y), x              # a gradient step from there
    return np.array(look_ahead)


# %% [markdown]
# PyTorch's `nesterov=True` (and `sgd(lr, momentum=β, nesterov=True)`) keeps the
# same buffer as before but steps along $\nabla f + \beta b$, the gradient plus the
# momentum *after* this step's update:
#
# $$b_k = \beta b_{k-1} + \nabla f(p_k), \qquad p_{k+1} = p_k - \text{lr}\,\big(\nabla f(p_k) + \beta b_k\big).$$
#
# Substituting shows that its iterates $p_k$ are exactly Nesterov's look-ahead
# points $y_k$ (with $\alpha = \text{lr}$): the gradient is always taken at the
# iterate, which is what makes the form convenient for a framework. Checked:

# %%
lr, beta = 0.01, 0.8
trace = run(sgd(lr=lr, momentum=beta, nesterov=True), bowl, bowl.start, steps=100, tol=0)
assert np.allclose(trace.xs, nesterov(bowl.grad, bowl.start, lr, beta, steps=100), rtol=1e-10, atol=1e-15)
assert not np.allclose(trace.xs, heavy_ball(bowl.grad, bowl.start, lr, beta, steps=100))
print("sgd(nesterov=True) iterates are Nesterov's look-ahead points y_k; the heavy ball's differ")

# %% [markdown]
# ## 4. Why momentum works: one eigen-direction at a time
#
# Chapter 02's trick again. Write the iterate in the eigenvector coordinates of $A$;
# a coordinate $z$ with eigenvalue $\lambda$ has gradient $\lambda z$, so the heavy
# ball moves it by
#
# $$z_{k+1} = (1 + \beta - \alpha\lambda)\, z_k - \beta\, z_{k-1}.$$
#
# Each step now depends on the last *two* values. Stack them into a vector and it
# is a $2\times2$ matrix, applied over and over:
#
# $$\begin{pmatrix} z_{k+1} \\ z_k \end{pmatrix} =
# \underbrace{\begin{pmatrix} 1 + \beta - \alpha\lambda & -\beta \\ 1 & 0 \end{pmatrix}}_{T_\lambda}
# \begin{pmatrix} z_k \\ z_{k-1} \end{pmatrix}.$$
#
# So $z_k$ shrinks like $\rho^k$, where $\rho$ is the largest modulus of an
# eigenvalue of $T_\lambda$, a root of $z^2 - (1 + \beta - \alpha\lambda)\,z + \beta = 0$.
# Gradient descent ($\beta = 0$) had one factor $1 - \alpha\lambda$ per direction;
# now there are two roots, and their product is $\beta$. The overall rate is the
# worst over the eigenvalues, here $\mu$ and $L$:

# %%
def momentum_rate(lr, beta, eigenvalues):
    """Largest |eigenvalue| of the heavy ball's 2x2 matrix, worst over the Hessian's eigenvalues."""
    return max(np.abs(np.linalg.eigvals([[1 + beta - lr * lam, -beta], [1, 0]])).max()
               for lam in eigenvalues)


assert np.isclose(momentum_rate(2 / (L + mu), 0.0, [mu, L]), (kappa - 1) / (kappa + 1))  # beta = 0: chapter 02

# %% [markdown]
# **The best parameters.** When the two roots are complex they are conjugates, so
# both have modulus $\sqrt\beta$, *whatever* $\lambda$ is. That happens when
# $(1 + \beta - \alpha\lambda)^2 \le 4\beta$, i.e. for
# $(1 - \sqrt\beta)^2 \le \alpha\lambda \le (1 + \sqrt\beta)^2$. Choose $\alpha$ and
# $\beta$ so that this window just holds the whole spectrum:
# $\alpha\mu = (1 - \sqrt\beta)^2$ and $\alpha L = (1 + \sqrt\beta)^2$. Taking
# square roots, adding and subtracting:
#
# $$\alpha^\star = \frac{4}{(\sqrt L + \sqrt \mu)^2}, \qquad
# \sqrt{\beta^\star} = \frac{\sqrt L - \sqrt\mu}{\sqrt L + \sqrt\mu} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},
# \qquad \boxed{\,\rho^\star = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\,}$$
#
# against gradient descent's $(\kappa - 1)/(\kappa + 1)$: $\kappa$ has become
# $\sqrt\kappa$. For $\kappa = 100$: $9/11 \approx 0.818$ per step instead of
# $99/101 \approx 0.980$. A map of the rate over all $(\alpha, \beta)$ shows where
# the optimum sits:

# %%
rho_star = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
rho_gd = (kappa - 1) / (kappa + 1)
assert np.isclose(momentum_rate(lr_star, beta_star, [mu, L]), rho_star, rtol=1e-6)
assert np.isclose(np.sqrt(beta_star), rho_star)
assert np.isclose(rho_star, 9 / 11) and np.isclose(rho_gd, 99 / 101)

lr_grid = np.geomspace(1e-3, 0.1, 241)
beta_grid = np.linspace(0, 0.99, 199)
rates = np.array([[momentum_rate(a, b, [mu, L]) for a in lr_grid] for b in beta_grid])
best = np.unravel_index(np.argmin(rates), rates.shape)
print(f"best on the grid: rate {rates[best]:.4f} at alpha = {lr_grid[best[1]]:.4f}, beta = {beta_grid[best[0]]:.3f}")
print(f"theory:           rate {rho_star:.4f} at alpha = {lr_star:.4f}, beta = {beta_star:.3f}")
assert rates.min() >= rho_star - 1e-6                                      # nothing on the grid beats it
assert rates[best] < rho_star * 1.01                                       # and the grid gets close to it
assert abs(np.log(lr_grid[best[1]] / lr_star)) < 0.05 and abs(beta_grid[best[0]] - beta_star) < 0.02

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
shown = np.ma.masked_where(rates >= 1, rates)
mesh = ax.pcolormesh(lr_grid, beta_grid, shown, cmap=style.FIELD_CMAP, vmin=rho_star, vmax=1, shading="auto")
ax.contourf(lr_grid, beta_grid, rates >= 1, levels=[0.5, 1.5], colors=[style.DIVERGED_COLOR])
ax.contour(lr_grid, beta_grid, rates, levels=[0.9, 0.95, 0.98, 0.99], colors="white", linewidths=0.7)
ax.set_xscale("log")
ax.plot(lr_star, beta_star, **style.MINIMUM_STYLE, label=f"$(\\alpha^\\star, \\beta^\\star)$: rate {rho_star:.3f}")
ax.plot(2 / (L + mu), 0, "o", color=style.color_for("gd"), markersize=9, markeredgecolor="white",
        clip_on=False, zorder=8, label=f"best gradient descent: rate {rho_gd:.3f}")
fig.colorbar(mesh, ax=ax, label="rate $\\rho$ per step (lower is faster)")
ax.set(xlabel="step size $\\alpha$ (log scale)", ylabel="momentum $\\beta$",
       title=f"Heavy-ball rate on the quadratic with $\\kappa$ = {kappa:.0f} (dark grey: diverges)")
ax.legend(loc="lower left", fontsize=8);

# %% [markdown]
# Gradient descent lives on the bottom edge ($\beta = 0$), where the best it can do
# is 0.980. Raising $\beta$ opens a region of much faster rates, reaching the star
# at $(\alpha^\star, \beta^\star)$; the white lines are levels 0.9, 0.95, 0.98 and
# 0.99. Above the star they turn horizontal: there every root is complex, and the
# rate is $\sqrt\beta$ whatever $\alpha$. The region is narrow: step too far right of the star and the run diverges
# (dark grey: the edge is $\alpha L = 2(1 + \beta)$, momentum *raises* the
# largest stable step), step left and the rate rises quickly.
#
# ### Theory against measurement: rates and step counts for κ = 10, 100, 1000
#
# Now run the heavy ball at $(\alpha^\star, \beta^\star)$ and measure the factor by
# which the distance to the minimum shrinks per step, between steps 100 and 300.
# Then count the steps to $10^{-6}$, for the heavy ball and for gradient descent,
# each at its best parameters.

# %%
def measured_rate(xs, first=100, last=300):
    """Factor per step by which the distance to the minimum (the origin) shrank from step first to last."""
    distance = np.linalg.norm(xs, axis=1)
    return (distance[last] / distance[first]) ** (1 / (last - first))


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
    assert 0.6 * np.sqrt(k) < ratios[k] < 1.1 * np.sqrt(k)         # ... like sqrt(kappa)
print("speed-up of the heavy ball:", {k: round(r, 1) for k, r in ratios.items()})
assert [round(ratios[k]) for k in kappas] == [3, 8, 23]

# %% [markdown]
# The measured rates sit within 1% of $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$. They are
# never quite as fast: at $(\alpha^\star, \beta^\star)$ both roots for $\mu$ and for
# $L$ are *double* roots, and a repeated root makes the coordinates shrink like
# $k\,\rho^k$ rather than $\rho^k$; the extra factor $k$ costs a fraction of a
# percent per step.
#
# Step counts tell the same story. Multiply $\kappa$ by ten and gradient descent
# needs ten times as many steps, while the heavy ball needs about $\sqrt{10} \approx
# 3.2$ times as many. The speed-up is about $\sqrt\kappa$ (a little less, from the
# factor $k$): 3 at $\kappa = 10$, 8 at $\kappa = 100$, 23 at $\kappa = 1000$.

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
ks = np.array(kappas, dtype=float)
ax.loglog(ks, [table[k]["gd"] for k in kappas], "o-", color=style.color_for("gd"),
          label="gradient descent, $2/(L+\\mu)$")
ax.loglog(ks, [table[k]["hb"] for k in kappas], "s-", color=style.color_for("heavy_ball"),
          label="heavy ball, $(\\alpha^\\star, \\beta^\\star)$")
ax.loglog(ks, 2 * table[10]["gd"] * ks / 10, ":", color="black", linewidth=1, label="slope 1: $\\propto \\kappa$")
ax.loglog(ks, 2 * table[10]["hb"] * np.sqrt(ks / 10), "--", color="black", linewidth=1,
          label="slope 1/2: $\\propto \\sqrt{\\kappa}$")
ax.set(xlabel="condition number $\\kappa$", ylabel="steps to reach $10^{-6}$ of the start's distance",
       title="Steps against the condition number")
ax.legend(fontsize=8);

# %% [markdown]
# **Nesterov on a quadratic.** The same analysis for Nesterov's method suggests
# $\alpha = 1/L$ and $\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$, with rate
# $1 - 1/\sqrt\kappa$: 0.9 for $\kappa = 100$, between the heavy ball's 0.818 and
# gradient descent's 0.980. Measured:

# %%
beta_nag = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
nag = run(sgd(lr=1 / L, momentum=beta_nag, nesterov=True), bowl, bowl.start, steps=300, tol=0)
print(f"Nesterov: measured {measured_rate(nag.xs):.4f} per step, theory {1 - 1 / np.sqrt(kappa):.4f}")
assert abs(measured_rate(nag.xs) / (1 - 1 / np.sqrt(kappa)) - 1) < 0.01
assert rho_star < measured_rate(nag.xs) < rho_gd

# %% [markdown]
# On quadratics a tuned heavy ball is the faster of the two. Nesterov's method earns
# its fame elsewhere: its $\sqrt\kappa$ guarantee holds for every smooth strongly
# convex function, while the heavy ball's tuned parameters can fail to converge on
# some of them (Lessard, Recht & Packard, 2016). In practice, both are used with a
# $\beta$ around 0.9 and a tuned learning rate.
#
# ## 5. Too little, too much: what β does
#
# Fix the step size at $\alpha = 1/L = 0.01$ and turn the momentum up. With little
# momentum, the shallow direction still crawls: both roots are real, the ball is
# *overdamped*. With a lot, the roots are complex with modulus $\sqrt\beta$: the
# ball is *underdamped*, overshoots the minimum and spirals in. In between, at the
# value where the roots for $\mu$ meet ($\sqrt\beta = 1 - \sqrt{\alpha\mu}$, here
# $\beta = 0.81$), it is critically damped and fastest.

# %%
lr = 1 / L
betas = np.linspace(0, 0.98, 50)
theory = np.array([momentum_rate(lr, b, [mu, L]) for b in betas])


def envelope_rate(xs):
    """Rate per step of the largest distance in a window of 100 steps (from steps 300-399 to 500-599).

    With much momentum the distance oscillates as it shrinks; the largest value over a
    window longer than one swing follows the envelope.
    """
    distance = np.linalg.norm(xs, axis=1)
    return (distance[500:600].max() / distance[300:400].max()) ** (1 / 200)


runs = {b: run(sgd(lr=lr, momentum=b), bowl, bowl.start, steps=600, tol=0) for b in betas}
measured = np.array([envelope_rate(runs[b].xs) for b in betas])
beta_critical = (1 - np.sqrt(lr * mu)) ** 2
assert np.isclose(beta_critical, 0.81)
assert np.allclose(measured, theory, rtol=5e-3)                      # measurement on the theory curve
assert abs(betas[np.argmin(theory)] - beta_critical) < 0.02          # fastest near beta = 0.81
assert np.isclose(momentum_rate(lr, beta_critical, [mu, L]), 0.9, rtol=1e-6)

examples = [0.5, 0.81, 0.97]
paths = {b: run(sgd(lr=lr, momentum=b), bowl, bowl.start, steps=150, tol=0) for b in examples}
along = {b: paths[b].xs[:, 0] for b in examples}                     # the coordinate along the valley
assert np.all(np.diff(along[0.5]) > 0) and np.all(along[0.5] < 0)    # overdamped: creeps, never overshoots
assert np.sum(np.diff(np.sign(along[0.97])) != 0) >= 4               # underdamped: crosses the minimum again and again
distance_150 = {b: np.linalg.norm(paths[b].xs[-1]) for b in examples}
assert distance_150[0.81] < 1e-3 * min(distance_150[0.5], distance_150[0.97])
print("distance to the minimum after 150 steps:", {b: f"{d:.1e}" for b, d in distance_150.items()})

# %%
fig = plt.figure(figsize=(11, 6.2))
top, bottom = fig.subfigures(2, 1, height_ratios=[1.1, 0.9])
ax = top.subplots()
ax.plot(betas, theory, color="black", linewidth=1, label="theory: largest $|$root$|$")
ax.plot(betas, measured, "o", color=style.color_for("heavy_ball"), markersize=4, label="measured (steps 300 to 600, envelope)")
ax.axvline(beta_critical, color=COLORS["bluish_green"], linestyle="-.", linewidth=1,
           label=f"critical damping $\\beta$ = {beta_critical:.2f}")
ax.set(xlabel="momentum $\\beta$", ylabel="rate per step",
       title=f"Heavy ball with $\\alpha$ = 1/L = {lr}: rate against momentum")
ax.legend(fontsize=8)
for ax, b, name in zip(bottom.subplots(1, 3), examples, ["overdamped", "critically damped", "underdamped"]):
    plotting.plot_contours(bowl, ax=ax, filled=False, mark_minima=True, title=f"$\\beta$ = {b}: {name}")
    plotting.plot_path(paths[b], ax=ax, color=style.color_for("heavy_ball"), markers=False)
    ax.set_ylim(-1.5, 1.5)

# %% [markdown]
# The measured rates lie on the theory curve, a V with its tip at critical damping.
# Left of it, more momentum helps; right of it, the rate is $\sqrt\beta$ and every bit
# of extra momentum costs. The paths show the three regimes: at $\beta = 0.5$ the
# ball creeps towards the minimum without ever passing it; at $0.81$ it arrives; at
# $0.97$ it swings past the minimum again and again, a spiral that shrinks slowly.
# When a loss curve oscillates in long waves, too much momentum is a likely cause.
#
# ## 6. Momentum and local minima
#
# A ball with momentum can roll over a small bump that would stop gradient descent.
# The double well $f(x) = x^4 - 3x^2 + x$ has a shallow local minimum at
# $x \approx 1.13$ and the global one at $x \approx -1.30$, with a hilltop in between
# at $x \approx 0.17$. From the start $x_0 = 1.75$, high up the right wall, plain
# gradient descent settles in the local minimum. With momentum:

# %%
lr = 0.02
x0 = double_well.start
local_min, global_min = double_well.minima[1, 0], double_well.minima[0, 0]


def final_minimum(beta, x0=x0, steps=5000):
    """Which minimum the heavy ball (lr = 0.02) ends in: 'global' or 'local'."""
    opt = sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr)
    trace = run(opt, double_well, x0, steps=steps, tol=1e-8)
    assert trace.status != "diverged"
    return "global" if abs(trace.x[0] - global_min) < 1e-3 else "local"


for beta in [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]:
    print(f"beta = {beta:<4}: ends in the {final_minimum(beta)} minimum")
assert [final_minimum(b) for b in [0.0, 0.5, 0.8]] == ["local"] * 3
assert [final_minimum(b) for b in [0.9, 0.95]] == ["global"] * 2
assert final_minimum(0.99) == "local"

# %% [markdown]
# No momentum, or a little: the local minimum. Enough momentum ($\beta = 0.9$): the
# ball rolls over the hilltop into the global minimum. But $\beta = 0.99$ ends in the
# *local* minimum again. Scanning $\beta$ from 0 to 0.99 shows the pattern:

# %%
scan = np.round(np.arange(0, 1, 0.01), 2)
ends = np.array([final_minimum(b) for b in scan])
escaping = scan[ends == "global"]
print(f"escapes for beta from {escaping.min()} to {escaping.max()} ({len(escaping)} of {len(scan)} values)")
assert np.array_equal(escaping, scan[(scan >= 0.88) & (scan <= 0.97)])   # one window of beta

starts_below_rim = [0.3, 0.6, 0.9]
rim = 0.1699                                               # the hilltop between the wells
assert abs(double_well.grad(np.array([rim]))[0]) < 1e-3 and double_well.hess(np.array([rim]))[0, 0] < 0
assert double_well.f(np.array([x0])) > double_well.f(np.array([rim]))   # the start is above the hilltop
assert all(double_well.f(np.array([s])) < double_well.f(np.array([rim])) for s in starts_below_rim)
assert not any(final_minimum(b, x0=s) == "global" for s in starts_below_rim for b in scan)
print(f"from starts {starts_below_rim}, below the hilltop: no beta escapes")

# %%
fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.3])
plotting.plot_function(double_well, ax=ax)
ax.plot(x0, double_well.f(np.array([x0])), color="black", markerfacecolor="white", markeredgecolor="black",
        **{k: v for k, v in style.START_STYLE.items() if k != "markerfacecolor"}, label="start $x_0$ = 1.75")
ax.axhline(double_well.f(np.array([rim])), color="black", linestyle=":", linewidth=1, label="height of the hilltop")
ax.legend(fontsize=8, loc="upper center")
shades = {0.0: style.color_for("gd"), 0.8: COLORS["sky_blue"], 0.9: style.color_for("heavy_ball"),
          0.99: COLORS["reddish_purple"]}
for beta, color in shades.items():
    tr = run(sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr), double_well, x0, steps=400, tol=0)
    ax_t.plot(tr.xs[:, 0], color=color, label=f"$\\beta$ = {beta}: {final_minimum(beta)}")
ax_t.axhline(local_min, color="black", linewidth=0.8, linestyle="--")
ax_t.axhline(global_min, color="black", linewidth=0.8, linestyle="--")
ax_t.axhline(rim, color="black", linewidth=0.8, linestyle=":")
for height, text in [(local_min, "local minimum"), (global_min, "global minimum"), (rim, "hilltop")]:
    ax_t.text(250, height, text, ha="center", va="center", fontsize=8,
              bbox=dict(boxstyle="round", facecolor="white", edgecolor="none", alpha=0.9))
ax_t.set(xlabel="step $k$", ylabel="$x_k$", title=f"Heavy ball from $x_0$ = 1.75, lr = {lr}")
ax_t.legend(fontsize=8, loc="center right");

# %% [markdown]
# The energy picture explains it. The start is higher than the hilltop (dotted line),
# so a ball *without friction* would roll over it. Gradient descent is all friction:
# it forgets its speed after every step and stops in the first dip. The heavy ball
# loses a share $1 - \beta$ of its speed per step: with $\beta \ge 0.88$ it keeps
# enough to cross. With $\beta$ above 0.97 it keeps so much that it swings back
# over the hilltop, several times, and where it finally comes to rest is a matter of
# timing. And a ball released *below* the height of the hilltop never crosses,
# whatever $\beta$: momentum only spends energy it had to begin with.
#
# So momentum is not a method for finding global minima. It helps on long slopes
# and narrow valleys, and it may carry the iterate over small bumps; which minimum it
# ends in still depends on the start, the step size and $\beta$.
#
# ## 7. A curved valley: Rosenbrock
#
# On Rosenbrock's banana the valley bends, so there are no fixed eigen-directions and
# no formula for the best parameters. The usual recipe, $\beta = 0.9$ with a learning
# rate that gradient descent tolerates, already makes a large difference. A budget of
# 20,000 steps, stopping once $\|\nabla f\| \le 10^{-6}$:

# %%
lr, beta, budget = 1e-3, 0.9, 20_000
races = {
    "gd": run(sgd(lr=lr), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
    "heavy_ball": run(sgd(lr=lr, momentum=beta), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
    "nesterov": run(sgd(lr=lr, momentum=beta, nesterov=True), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
}
for name, tr in races.items():
    print(f"{name:>10}: {tr.message}, f = {tr.f:.1e}")
assert races["gd"].status == "max_steps" and races["gd"].f > 1e-9
for name in ["heavy_ball", "nesterov"]:
    assert races[name].status == "converged" and 2500 < races[name].steps < 3500   # about 3,000 steps
assert all(tr.fs[50] < 0.2 * tr.fs[0] for tr in races.values())                   # in the valley early on

# %%
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1, 1.1])
plotting.plot_contours(rosenbrock, ax=ax, title=f"Rosenbrock: lr = {lr}, $\\beta$ = {beta}, first 3,000 steps")
names = {"gd": "gradient descent", "heavy_ball": "heavy ball", "nesterov": "Nesterov"}
for name, tr in races.items():
    plotting.plot_path(tr.xs[:3001], ax=ax, color=style.color_for(name), label=names[name], markers=False)
plotting.plot_loss(list(races.values()), ax=ax_loss, f_star=0.0, labels=list(names.values()),
                   colors=[style.color_for(name) for name in races])
ax_loss.set_xscale("symlog", linthresh=100)
ax_loss.set_xlim(0, budget)
ax_loss.set_xlabel("step $k$ (linear up to 100, then log scale)")
ax_loss.set_title("Loss, 20,000-step budget");

# %% [markdown]
# All three drop into the valley within 50 steps (the loss falls five-fold); the
# difference is the walk along it. Gradient descent is still on its way after
# 20,000 steps; both momentum methods reach the minimum in about 3,000.
#
# Nesterov's step, $\text{lr}\,(g + \beta b)$, is longer than the heavy ball's
# $\text{lr}\, b$, so it tolerates less: at lr = 0.0015 the heavy ball still converges
# and Nesterov does not.

# %%
faster = {name: run(sgd(lr=1.5e-3, momentum=beta, nesterov=name == "nesterov"), rosenbrock,
                    rosenbrock.start, steps=budget, tol=1e-6) for name in ["heavy_ball", "nesterov"]}
for name, tr in faster.items():
    print(f"lr = 0.0015, {name:>10}: {tr.message}")
assert faster["heavy_ball"].status == "converged" and faster["nesterov"].status != "converged"

# %% [markdown]
# ## 8. Your turn: the momentum explorer
#
# Move the **step size α** and **momentum β** sliders, tick **Nesterov**, and pick
# the surface: the quadratic with $\kappa = 100$ or Rosenbrock. The orange path is
# momentum, the faint blue one plain gradient descent with the same step size. On
# the quadratic the status line below the figure gives the measured rate per step
# next to the theory (the dashed line on the loss plot has the theoretical slope).
#
# **Click on the contour plot to choose the start point.** That works when the figure
# is live (`%matplotlib widget`, as in JupyterLab). On a static page, or with the
# inline backend, use the $x_0$ and $y_0$ sliders, or pass `x0=(x, y)` to
# `momentum_explorer`.

# %%
from gdlearn.widgets.momentum import momentum_explorer

explorer = momentum_explorer()
explorer

# %% [markdown]
# Things to try:
#
# 1. **Quadratic**: the explorer opens at $(\alpha^\star, \beta^\star)$. Lower β a
#    little: the run diverges (α* is only stable with momentum). Raise it: the
#    spiral of too much momentum, and the measured rate follows $\sqrt\beta$.
# 2. **Quadratic**: set β = 0 and find gradient descent's best α; then add momentum
#    with that α and watch the number of steps fall.
# 3. **Quadratic**: click a start on the $x$-axis, then one on the $y$-axis. Which
#    eigen-direction is the slow one, and does momentum help both?
# 4. **Rosenbrock**: keep β = 0.9 and raise α until the run diverges, with and without
#    Nesterov.
# 5. **Rosenbrock**: click a start on the far side of the valley, at the top right.
#    Compare β = 0 and β = 0.9 with the same α.
#
# The explorer reports what it computed, so the status line can be checked:

# %%
print(explorer.status_text)
assert np.isclose(explorer.rate_theory, rho_star)                    # it opens at (alpha*, beta*) on kappa = 100
assert abs(explorer.rate_measured / explorer.rate_theory - 1) < 0.03
assert np.isclose(explorer.values["lr"], lr_star) and np.isclose(explorer.values["momentum"], beta_star)

# %% [markdown]
# ## Summary
#
# - The heavy ball adds a share of the last step to each gradient step:
#   $x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta(x_k - x_{k-1})$. PyTorch and
#   `gdlearn.optim.sgd(lr, momentum=β)` write it with a buffer,
#   $b \leftarrow \beta b + \nabla f$, $x \leftarrow x - \text{lr}\cdot b$: the same
#   iterates with $\alpha = \text{lr}$. The buffer sums gradients, so a constant
#   gradient makes steps $1/(1 - \beta)$ times longer.
# - Nesterov's momentum takes the gradient at the look-ahead point
#   $x_k + \beta(x_k - x_{k-1})$; torch's `nesterov=True` iterates are those points.
# - On a quadratic each eigen-direction follows a two-term recurrence. With
#   $\alpha^\star = 4/(\sqrt L + \sqrt\mu)^2$ and
#   $\beta^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2$ every direction shrinks by
#   $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step, so the number of steps grows like
#   $\sqrt\kappa$ instead of $\kappa$: measured, 23 times fewer steps than gradient
#   descent at $\kappa = 1000$.
# - Too little momentum crawls (overdamped), too much spirals (underdamped, rate
#   $\sqrt\beta$); the best is in between.
# - Momentum can carry an iterate over a bump that stops gradient descent, but only
#   with the energy it started with, and with too much of it the final minimum is a
#   matter of timing.
#
# ## Exercises
#
# Open [`exercises/05_momentum.ipynb`](../exercises/05_momentum.ipynb): write the
# heavy-ball update in PyTorch's form, Nesterov's update, and the optimal heavy-ball
# parameters for a quadratic. Each exercise has a `check(...)` cell that tells you at
# once whether your code is right.
