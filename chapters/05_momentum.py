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
# Chapter 02 ended with a bill: on a quadratic, gradient descent at its best learning rate shrinks
# the distance to the minimum by $(\kappa - 1)/(\kappa + 1)$ per step, so the number of steps grows
# in proportion to the condition number $\kappa = L/\mu$: for large $\kappa$ about $\kappa/2$ steps
# per factor $e$ of accuracy, since $-1/\ln\frac{\kappa - 1}{\kappa + 1} \approx \kappa/2$. A round
# bowl ($\kappa = 1$) is solved in one step; a valley curved a hundred times more sharply across
# than along needs hundreds. **Momentum** lets each step remember the previous one, as a heavy ball
# rolling downhill keeps its speed. On a quadratic, tuned, it cuts that cost to the order of
# $\sqrt{\kappa}$ (about $\sqrt\kappa/2$ steps per factor $e$, section 4). Beyond quadratics the
# same order holds for Nesterov's variant on every smooth strongly convex function, whereas the
# heavy ball, tuned as for a quadratic, can fail to converge on some of them ([details
# notebook](05_momentum_details.ipynb), section E). It is one line of code, and it is part of SGD
# with momentum and of Adam (chapter 06), both built into PyTorch's `torch.optim`.
#
# You need chapter 02: the update rule, the rate $\max_i |1 - \eta\lambda_i|$ on a quadratic (one
# eigen-direction at a time), and `run`; section 7 also uses chapter 04's noise floor. Every number
# in the text is computed and asserted by the notebook, in collapsed "Checks" cells you may skip;
# the longer checks, proofs and conventions are in the [details
# notebook](05_momentum_details.ipynb).
#
# ## What you will learn
#
# - Polyak's **heavy ball** and **Nesterov's** momentum, each as a five-line loop,
#   and how PyTorch (and `gdlearn.optim.sgd(lr, momentum=β, nesterov=...)`) writes
#   the same iterates with a "momentum buffer";
# - why momentum helps in a narrow valley: each eigen-direction follows a two-term
#   recurrence, and with the right step size $\alpha^\star$ and momentum
#   $\beta^\star$ all of them shrink by $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per
#   step, checked against measurements for $\kappa$ = 10, 100 and 1000, and why the
#   heavy ball's loss first *rises*;
# - what too little and too much momentum look like;
# - the **largest stable step** of gradient descent, the heavy ball and Nesterov
#   (Nesterov's is the *smallest* of the three at $\beta = 0.9$);
# - what momentum does with **noisy gradients** (chapter 04's mini-batches): the
#   noise floor is set, to first order (away from the stability edge), by the effective step
#   $\alpha/(1 - \beta)$, yet on our ill-conditioned bowl, tuned for the same floor, the heavy ball
#   still gets there sooner: about 10 times at a high floor, about 2 times at a low one;
# - when momentum carries the iterate over a hilltop into another minimum;
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

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import PowerNorm

from gdlearn import data, plotting, style
from gdlearn.optim import apply_updates, sgd
from gdlearn.run import run
from gdlearn.surfaces import double_well, quadratic, rosenbrock

COLORS = style.PALETTE

# %% [markdown]
# ## 1. Gradient descent in a narrow valley
#
# Our test problem is the quadratic $f(x) = \tfrac12 x^\top A x$ whose Hessian has eigenvalues
# $\mu = 1$ (along the valley, the $x$-axis) and $L = 100$ (across it): condition number $\kappa = 100$.
# Chapter 02's best fixed learning rate is $2/(L + \mu)$. We count the steps until the distance to
# the minimum (the origin) is a millionth of what it was at the start.

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
# Almost 700 steps for a two-dimensional bowl. The learning rate is capped by the steep direction
# (above $2/L$ it diverges across the valley), and at that rate the shallow direction, along the
# floor, shrinks by only $1 - 2/(\kappa + 1) \approx 0.98$ per step.
#
# Look at the gradients along the way, though. *Across* the valley they alternate in sign: the path
# zig-zags. *Along* the valley they point the same way, step after step. So average the recent
# steps: the zig-zag cancels out and the steady drift along the floor adds up. That is momentum.
#
# ## 2. The heavy ball
#
# Polyak (1964, *Some methods of speeding up the convergence of iteration methods*,
# USSR Comput. Math. Math. Phys. 4(5), 1–17) added to each gradient step a fraction $\beta$ of the previous step:
#
# $$\boxed{\,x_{k+1} = x_k - \alpha\,\nabla f(x_k) + \beta\,(x_k - x_{k-1})\,}
# \qquad 0 \le \beta < 1,$$
#
# starting with $x_{-1} = x_0$ (the first step is a plain gradient step). Think of a heavy ball
# rolling in the landscape: $x_k - x_{k-1}$ is its velocity, $-\alpha\nabla f$ the push of the
# slope, and $1 - \beta$ the friction that takes away a share of its speed at each step. With
# $\beta = 0$ the ball has no memory: gradient descent. In code:

# %%
def heavy_ball(grad, x0, lr, beta, steps):
    x_prev = x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x, x_prev = x - lr * grad(x) + beta * (x - x_prev), x     # the update rule
        path.append(x)
    return np.array(path)

# %% [markdown]
# Section 4 derives the best step size and momentum for a quadratic; here are the values,
# $\alpha^\star = 4/(\sqrt L + \sqrt\mu)^2$ and
# $\beta^\star = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$, against gradient descent at *its* best rate:

# %%
lr_star = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
print(f"alpha* = {lr_star:.4f}   beta* = {beta_star:.4f}")

ball = heavy_ball(bowl.grad, bowl.start, lr_star, beta_star, steps=120)
print(f"heavy ball: {steps_to(ball)} steps to 1e-6 (gradient descent: {steps_to(gd.xs)})")
assert steps_to(ball) < steps_to(gd.xs) / 7          # more than seven times fewer steps
assert lr_star > 2 / L                                # a step size that would make gradient descent diverge

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.3, 1])
wide_bowl = dataclasses.replace(bowl, domain=((-2.75, 0.25), (-4, 4)))   # contours out to the heavy ball's swing
plotting.plot_contours(wide_bowl, ax=ax, filled=False, levels=27,
                       title=f"The first 20 steps on a quadratic with $\\kappa$ = {kappa:.0f}")
ax.set_aspect("auto")                                 # stretch x so gradient descent's zig-zags separate
ax.set_xlabel("$x$ (stretched: axes not to scale)")
plotting.plot_path(gd.xs[:21], ax=ax, color=style.color_for("gd"), legend=False, linewidth=0.7,
                   marker="o", markersize=2.5, zorder=6, label="gradient descent, $2/(L+\\mu)$")
plotting.plot_path(ball[:21], ax=ax, color=style.color_for("heavy_ball"), legend=False, linewidth=1.0,
                   linestyle="--", label=f"heavy ball, $\\alpha^*$ = {lr_star:.3f}, $\\beta^*$ = {beta_star:.2f}")
ax.plot([], [], **{**style.START_STYLE, "markeredgecolor": style.color_for("heavy_ball")},
        label="start (hollow circle, both paths)")
ax.plot([], [], **{**style.END_STYLE, "color": "white"}, label="step 20 (diamond, path's colour)")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
loss_lines = plotting.plot_loss([gd.fs[:121], bowl.f(ball.T)], ax=ax_loss, f_star=0.0,
                                labels=["gradient descent", "heavy ball"],
                                colors=[style.color_for("gd"), style.color_for("heavy_ball")])
for line, marker, ls in zip(loss_lines, ["o", "s"], ["-", "--"]):
    line.set(marker=marker, markevery=10, markersize=4, linestyle=ls)
ax_loss.legend(fontsize=8, loc="lower left")
assert np.abs(ball[:21, 1]).max() < 4 and -2.75 < ball[:21, 0].min() and ball[:21, 0].max() < 0.25   # inside the contours
ax.set_ylim(-4, 4)                                    # the heavy ball swings out to |y| = 3.7
ax_loss.set_xscale("symlog", linthresh=20)            # room for the first steps, where the heavy ball's loss rises
ax_loss.set_xlim(0, 120)
ax_loss.set_xticks([0, 5, 10, 15, 20, 50, 100], labels=["0", "5", "10", "15", "20", "50", "100"])  # no 10^1 label in the linear part
ax_loss.set(xlabel="step $k$ (linear up to 20, then log scale)", ylabel="$f(x_k) - f^*$")
ax_loss.set_title("Loss: the heavy ball first rises, then is far faster");

# %% [markdown]
# The heavy ball swings across the valley more than gradient descent does, but it races along the
# floor. Its step size $\alpha^\star \approx 0.033$ is above gradient descent's limit $2/L = 0.02$:
# momentum makes larger steps stable. Its loss is not monotone: it first *rises*, thirteen-fold,
# peaking at step 4 (the bump in the linear part of the right panel's step axis), and only then
# falls, much faster than gradient descent's. Gradient descent's loss falls at every step: on a
# quadratic, with a step below $2/L$, every eigen-coordinate shrinks at every step. Section 4
# explains the rise.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
f_ball = bowl.f(ball.T)
first_below = int(np.argmax(f_ball[1:] < f_ball[0])) + 1
print(f"heavy ball: f = {f_ball[0]:.0f} at the start, {f_ball.max():.0f} at step {np.argmax(f_ball)} "
      f"({f_ball.max() / f_ball[0]:.1f} times), back below the start at step {first_below}")
assert np.argmax(f_ball) == 4 and 12 < f_ball.max() / f_ball[0] < 14 and first_below == 18
assert np.all(np.diff(gd.fs) <= 0)                  # gradient descent's loss never rises here

# %% [markdown]
# ### The same thing in PyTorch's form: a momentum buffer
#
# PyTorch's `torch.optim.SGD(params, lr, momentum)` and the course's
# `gdlearn.optim.sgd(lr, momentum=β)` do not store the previous iterate. They keep
# a **momentum buffer** $b$, a discounted sum of gradients, and step along it:
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
# **A word on conventions.** The buffer is a sum, not an average: on a long slope where the gradient
# $g$ stays the same it grows to $g/(1 - \beta)$, so with $\beta = 0.9$ the steps become ten times
# as long as plain gradient descent's with the same `lr`:

# %%
opt = sgd(lr=0.1, momentum=0.9)
state = opt.init(np.zeros(1))
for _ in range(300):
    updates, state = opt.update(np.ones(1), state)          # a constant gradient g = 1
buffer = state[1].momentum_buffer
print(f"buffer after 300 steps: {buffer[0]:.6f}; step: {updates[0]:.6f} (gradient descent: -0.1)")
assert np.isclose(buffer[0], 1 / (1 - 0.9)) and np.isclose(updates[0], -1.0)

# %% [markdown]
# Other texts average the buffer, $\beta b + (1 - \beta)g$, or put the learning rate inside it:
# section A of the [details notebook](05_momentum_details.ipynb) compares these conventions and
# checks `sgd` against `torch.optim.SGD`. From here on we use `sgd(lr, momentum=β)`, torch's form.
#
# ## 3. Nesterov's momentum: look ahead, then step
#
# The heavy ball takes the gradient where it *is*, then adds the momentum. Nesterov (1983, *A method for
# solving the convex programming problem with convergence rate $O(1/k^2)$*, Soviet Math. Dokl. 27(2),
# 372–376) does it the other way round: first let the momentum carry you, then take the gradient *there*
# (with a constant $\beta$, the strongly convex form of his 2004 book, section 2.2; in 1983 $\beta$ grows with $k$):
#
# $$y_k = x_k + \beta\,(x_k - x_{k-1}), \qquad x_{k+1} = y_k - \alpha\,\nabla f(y_k).$$
#
# If the momentum is about to carry the ball up the opposite wall, the gradient at
# the look-ahead point $y_k$ already says so and brakes earlier. (Section E of the
# [details notebook](05_momentum_details.ipynb) runs it, tuned, on section 1's bowl next to the heavy ball.)

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
# One step of each, drawn from the same two points $x_{k-1}$ and $x_k$ on
# $f = \tfrac12(x^2 + 10y^2)$, with $\alpha = 0.08$ and $\beta = 0.9$ (a picture, not a run). The ball has just crossed
# the valley floor and is heading up the steep wall on the other side. The heavy ball adds the
# gradient step at $x_k$, where the slope is still gentle, to the momentum, and lands high on the
# wall: its $f$ goes up. Nesterov first moves by the momentum to $y_k$, where the gradient is more
# than three times larger, and the gradient there pulls it back down: its $f$ goes down:

# %%
wall = quadratic(condition_number=10)
alpha_pic, beta_pic = 0.08, 0.9
x_before, x_now = np.array([-2.0, -0.6]), np.array([-1.5, 0.3])
momentum_step = beta_pic * (x_now - x_before)
hb_next = x_now - alpha_pic * wall.grad(x_now) + momentum_step          # gradient where the ball is, plus momentum
y_look = x_now + momentum_step                                           # momentum first...
nag_next = y_look - alpha_pic * wall.grad(y_look)                        # ...then the gradient there
print(f"heavy ball lands at {hb_next.round(2)} (f = {wall.f(hb_next):.2f}); Nesterov looks ahead to "
      f"{y_look.round(2)} and lands at {nag_next.round(2)} (f = {wall.f(nag_next):.2f}); f(x_k) = {wall.f(x_now):.2f}")
assert wall.f(nag_next) < wall.f(x_now) < wall.f(hb_next)              # Nesterov brakes, the heavy ball climbs
assert np.linalg.norm(wall.grad(y_look)) > 3 * np.linalg.norm(wall.grad(x_now))    # the wall is steeper at y_k

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.6))
plotting.plot_contours(wall, ax=ax, filled=False, levels=30, mark_minima=False,
                       title="One step from $x_k$: heavy ball and Nesterov")
hb_color, nag_color = style.color_for("heavy_ball"), style.color_for("nesterov")


def arrow(start, end, color, ls="-", lw=2.2):
    ax.annotate("", xy=end, xytext=start, zorder=6,
                arrowprops=dict(arrowstyle="-|>", color=color, linestyle=ls, linewidth=lw, shrinkA=0, shrinkB=0,
                                mutation_scale=14))


arrow(x_before, x_now, "#595959", ls=":", lw=1.6)                                    # the last step
arrow(x_now, x_now - alpha_pic * wall.grad(x_now), hb_color)                         # heavy ball: gradient at x_k
arrow(x_now - alpha_pic * wall.grad(x_now), hb_next, hb_color, ls="--")              # ...plus momentum
arrow(x_now, y_look, nag_color, ls="--")                                             # Nesterov: momentum first
arrow(y_look, nag_next, nag_color)                                                   # ...then gradient at y_k
for point, text, offset, color, marker in [
        (x_before, "$x_{k-1}$", (-8, -14), "#595959", "o"), (x_now, "$x_k$", (-20, 4), "black", "o"),
        (hb_next, "heavy ball $x_{k+1}$", (8, 4), hb_color, "s"),
        (y_look, "look-ahead $y_k = x_k + \\beta(x_k - x_{k-1})$", (8, 4), nag_color, "D"),
        (nag_next, "Nesterov $x_{k+1}$", (8, -12), nag_color, "D")]:
    ax.plot(*point, marker=marker, markersize=8, color=color, markeredgecolor="black", linestyle="none", zorder=7,
            markerfacecolor="white" if text.startswith("look") else color)
    ax.annotate(text, point, xytext=offset, textcoords="offset points", fontsize=8, zorder=8,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))
ax.legend(handles=[
    plt.Line2D([], [], color=hb_color, linestyle="-", label=r"heavy ball: $-\alpha\nabla f(x_k)$, then momentum (dashed)"),
    plt.Line2D([], [], color=nag_color, linestyle="--", label=r"Nesterov: momentum, then $-\alpha\nabla f(y_k)$ (solid)"),
    plt.Line2D([], [], color="#595959", linestyle=":", label="the last step, $x_k - x_{k-1}$")],
    fontsize=8, loc="lower right")
ax.set(xlim=(-2.6, 0.6), ylim=(-1.0, 1.6), aspect="equal");

# %% [markdown]
# PyTorch's `nesterov=True` (and `sgd(lr, momentum=β, nesterov=True)`) keeps the
# same buffer as before but steps along $\nabla f + \beta b$, the gradient plus the
# momentum *after* this step's update:
#
# $$b_k = \beta b_{k-1} + \nabla f(p_k), \qquad p_{k+1} = p_k - \text{lr}\,\big(\nabla f(p_k) + \beta b_k\big).$$
#
# Its iterates $p_k$ are exactly Nesterov's look-ahead points $y_k$ (with $\alpha = \text{lr}$), by
# induction on $k$ ($b_{-1} = 0$, $x_0 = p_0$). Suppose $p_k = y_k = x_k - \text{lr}\,\beta b_{k-1}$.
# Nesterov's step from it is $x_{k+1} = p_k - \text{lr}\,\nabla f(p_k)$, so
# $p_{k+1} = x_{k+1} - \text{lr}\,\beta b_k$ (the second half of the hypothesis at $k + 1$), and
#
# $$x_{k+1} - x_k = -\text{lr}\,\big(\nabla f(p_k) + \beta b_{k-1}\big) = -\text{lr}\, b_k,
# \qquad\text{so}\qquad p_{k+1} = x_{k+1} + \beta\,(x_{k+1} - x_k),$$
#
# Nesterov's $y_{k+1}$. The gradient is taken at the iterate, which suits a framework. Checked:

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
# So $z_k$ shrinks like $\rho^k$ (times a factor $k$ when the two roots coincide, as at the
# optimum below), where $\rho$ is the largest modulus of an eigenvalue of $T_\lambda$, a root of $z^2 - (1 + \beta - \alpha\lambda)\,z + \beta = 0$.
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
# **The best parameters.** When the two roots are complex they are conjugates, so both have modulus
# $\sqrt\beta$, *whatever* $\lambda$ is. That happens when
# $(1 + \beta - \alpha\lambda)^2 \le 4\beta$, i.e. for $(1 - \sqrt\beta)^2 \le \alpha\lambda \le (1 + \sqrt\beta)^2$. Choose $\alpha$
# and $\beta$ so that this window just holds the whole spectrum (that no pair does better in the
# worst case follows from a lower bound: section D of the [details
# notebook](05_momentum_details.ipynb)): $\alpha\mu = (1 - \sqrt\beta)^2$ and
# $\alpha L = (1 + \sqrt\beta)^2$. Taking square roots, adding and subtracting:
#
# $$\alpha^\star = \frac{4}{(\sqrt L + \sqrt \mu)^2}, \qquad
# \sqrt{\beta^\star} = \frac{\sqrt L - \sqrt\mu}{\sqrt L + \sqrt\mu} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},
# \qquad \boxed{\,\rho^\star = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\,}$$
#
# against gradient descent's $(\kappa - 1)/(\kappa + 1)$: $\kappa$ has become
# $\sqrt\kappa$. For $\kappa = 100$: $9/11 \approx 0.818$ per step instead of
# $99/101 \approx 0.980$, that is $-1/\ln\rho^\star \approx 5.0$ steps per factor $e$
# instead of 50.0 (for large $\kappa$, about $\sqrt\kappa/2$ against $\kappa/2$). A map of the rate over all $(\alpha, \beta)$ shows where
# the optimum sits:

# %%
rho_star = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
rho_gd = (kappa - 1) / (kappa + 1)
print(f"steps per factor e: heavy ball {-1 / np.log(rho_star):.2f}, gradient descent {-1 / np.log(rho_gd):.2f}")

lr_grid = np.geomspace(1e-3, 0.1, 241)
beta_grid = np.linspace(0, 0.99, 199)
rates = np.array([[momentum_rate(a, b, [mu, L]) for a in lr_grid] for b in beta_grid])
best = np.unravel_index(np.argmin(rates), rates.shape)
print(f"best on the grid: rate {rates[best]:.4f} at alpha = {lr_grid[best[1]]:.4f}, beta = {beta_grid[best[0]]:.3f}")
print(f"theory:           rate {rho_star:.4f} at alpha = {lr_star:.4f}, beta = {beta_star:.3f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(momentum_rate(lr_star, beta_star, [mu, L]), rho_star, rtol=1e-6)
assert np.isclose(np.sqrt(beta_star), rho_star)
assert np.isclose(rho_star, 9 / 11) and np.isclose(rho_gd, 99 / 101)
assert np.isclose(-1 / np.log(rho_star), 4.98, atol=0.01) and np.isclose(-1 / np.log(rho_gd), 50.0, atol=0.01)
assert np.isclose(lr_star * L, 3.306, atol=1e-3) and np.isclose(2 * (1 + beta_star), 3.339, atol=1e-3)
assert rates.min() >= rho_star - 1e-6                                      # nothing on the grid beats it
assert rates[best] < rho_star * 1.01                                       # and the grid gets close to it
assert abs(np.log(lr_grid[best[1]] / lr_star)) < 0.05 and abs(beta_grid[best[0]] - beta_star) < 0.02
window_09 = ((1 - np.sqrt(0.9)) ** 2 / mu, (1 + np.sqrt(0.9)) ** 2 / L)              # beta = 0.9: complex roots in here
assert np.isclose(momentum_rate(0.01, 0.9, [mu, L]), np.sqrt(0.9)) and window_09[0] < 0.01 < window_09[1]
assert 0.002 < window_09[0] and momentum_rate(0.002, 0.9, [mu, L]) > np.sqrt(0.9) + 0.02   # left of it: slower

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.8))
shown = np.ma.masked_where(rates >= 1, rates)
mesh = ax.pcolormesh(lr_grid, beta_grid, shown, cmap=style.FIELD_CMAP, shading="auto",
                     norm=PowerNorm(gamma=4, vmin=rho_star, vmax=1))      # spreads the colours near 1
ax.contourf(lr_grid, beta_grid, rates >= 1, levels=[0.5, 1.5], colors=[style.DIVERGED_COLOR])
rate_levels = ax.contour(lr_grid, beta_grid, rates, levels=[0.9, 0.95, 0.98, 0.99], colors="white", linewidths=0.7)
ax.clabel(rate_levels, fmt="%.2f", fontsize=7,               # one label per level, inside the axes
          manual=[(0.0168, 0.749), (0.0062, 0.832), (0.0133, 0.33), (0.0063, 0.365)])
ax.set_xscale("log")
ax.plot(lr_star, beta_star, **style.MINIMUM_STYLE, label=f"$(\\alpha^*, \\beta^*)$: rate {rho_star:.3f}")
ax.plot(2 / (L + mu), 0, "o", color=style.color_for("gd"), markersize=9, markeredgecolor="white",
        clip_on=False, zorder=8, label=f"best gradient descent: rate {rho_gd:.3f}")
fig.colorbar(mesh, ax=ax, label="rate $\\rho$ per step (lower is faster)", ticks=[0.82, 0.95, 0.98, 0.99, 1.0])
ax.set(xlabel="step size $\\alpha$ (log scale)", ylabel="momentum $\\beta$",
       title=f"Heavy-ball rate on the quadratic with $\\kappa$ = {kappa:.0f} (dark grey: diverges)")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2);

# %% [markdown]
# Gradient descent lives on the bottom edge ($\beta = 0$), where the best it can do
# is 0.980. Raising $\beta$ opens a region of much faster rates, reaching the star
# at $(\alpha^\star, \beta^\star)$; the white lines are levels 0.9, 0.95, 0.98 and
# 0.99. Above the star they turn horizontal: there, for every $\alpha$ in the window
# $(1 - \sqrt\beta)^2/\mu \le \alpha \le (1 + \sqrt\beta)^2/L$, every root is complex
# and the rate is $\sqrt\beta$. Left of the window (small $\alpha$) the roots for
# $\mu$ are real and the rate is worse, which is why the contours bend down there.
# The star sits close to the edge of divergence (dark grey), $\alpha L = 2(1 + \beta)$
# (section 6): $\alpha^\star L = 3.306$ against $2(1 + \beta^\star) = 3.339$, 1% further.
# Step more than 1% to the right and the run diverges; step left and the rate rises quickly. Along
# that edge the rate climbs to 1 so steeply that the white levels it passes merge into one jagged line. The
# colour scale is stretched near 1, so that the slow rates along the bottom edge,
# gradient descent's, show their structure.
#
# How the two roots travel through the complex plane as $\alpha\lambda$ grows, and why
# the optimum puts $\mu$ and $L$ on the points where they meet, is drawn in section B of
# the [details notebook](05_momentum_details.ipynb).

# %% [markdown]
# ### Where the rise of section 2 comes from
#
# Our bowl is diagonal, so its eigen-coordinates are the coordinates themselves: $x_k[0]$ along the
# valley ($\lambda = \mu$) and $x_k[1]$ across it ($\lambda = L$). Across the valley the first step
# is a plain gradient step with $\alpha^\star L = 3.31$, above 2, so it overshoots:
# $z_1 = -2.31\,z_0$. At $(\alpha^\star, \beta^\star)$ the two roots for $L$ coincide at
# $-\rho^\star$. With a double root $r$ the recurrence is $z_{k+1} = 2r\,z_k - r^2 z_{k-1}$, which
# $k\,r^k$ solves too (substitute it: $k + 1 = 2k - (k - 1)$), so the coordinate behaves like
# $|z_k| = (1 + 1.82\,k)\,(\rho^\star)^k\,|z_0|$, not a multiple of $(\rho^\star)^k$ (section C of
# the [details notebook](05_momentum_details.ipynb) works out the constants and plots each
# coordinate). It *grows* until $k = 4$, to $3.7\,|z_0|$, before $(\rho^\star)^k$ wins. That
# coordinate carries 94% of the loss at the start ($\tfrac12 L z^2$), hence the rise by about
# $0.94 \cdot 3.7^2 \approx 13$. Along the valley the coordinate only falls.

# %%
k = np.arange(len(ball))
growth = np.abs(ball[:, 1] / ball[0, 1])                                    # across the valley
share = 0.5 * L * ball[0, 1] ** 2 / bowl.f(ball[0])                         # its share of the start's loss
rise = bowl.f(ball.T).max() / bowl.f(ball[0])
print(f"across the valley |z_k|/|z_0| peaks at {growth.max():.2f} (step {np.argmax(growth)}); "
      f"share of the loss {share:.0%}; {share:.2f} * {growth.max():.2f}^2 = {share * growth.max() ** 2:.1f}, "
      f"measured rise {rise:.1f}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
c2 = (1 - lr_star * L) / -rho_star - 1                                     # z_k = (1 + c2 k) (-rho*)^k z_0
assert np.isclose(1 + beta_star - lr_star * L, -2 * rho_star)               # a double root at -rho*
assert np.isclose(1 - lr_star * L, -2.31, atol=0.005) and np.isclose(c2, 1.82, atol=0.005)
assert np.allclose(ball[:, 1], (1 + c2 * k) * (-rho_star) ** k * ball[0, 1], rtol=1e-9, atol=1e-12)
assert np.argmax(growth) == 4 and 3.6 < growth.max() < 3.8
assert 0.93 < share < 0.95 and abs(share * growth.max() ** 2 - rise) < 0.3
assert np.all(np.diff(np.abs(ball[:, 0])) < 0)                              # along the valley: only falls

# %% [markdown]
# ### Theory against measurement: rates and step counts for κ = 10, 100, 1000
#
# Now run the heavy ball at $(\alpha^\star, \beta^\star)$ and measure the factor by which the
# distance to the minimum shrinks per step, between steps 100 and 300. Then count the steps to
# $10^{-6}$, for the heavy ball and for gradient descent, each at its best parameters.

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

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
ratios = {k: table[k]["gd"] / table[k]["hb"] for k in kappas}
for small, large in zip(kappas, kappas[1:]):
    assert 9 < table[large]["gd"] / table[small]["gd"] < 11        # gradient descent: 10x kappa, 10x the steps
    assert np.sqrt(10) < table[large]["hb"] / table[small]["hb"] < 3.7   # heavy ball: a little more than sqrt(10)
assert np.allclose([ratios[k] for k in kappas], [2.7, 7.7, 22.7], atol=0.06)
assert all(ratios[k] < np.sqrt(k) for k in kappas)
q3 = np.sqrt(3 * kappa + 1)
assert round(1 - 2 / q3, 3) == 0.885                               # Nesterov's best rate on the bowl (Lessard et al.)

# %% [markdown]
# The measured rates sit within 1% of $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$, never quite as fast
# (the factor $k$ of the double root costs a little). Multiply $\kappa$ by ten and gradient descent
# needs ten times as many steps, while the heavy ball needs a little more than $\sqrt{10} \approx
# 3.16$ times as many. The speed-up grows like $\sqrt\kappa$ but stays below it: 2.7 at $\kappa =
# 10$, 7.7 at 100 and 22.7 at 1000, against $\sqrt\kappa$ = 3.2, 10 and 31.6 (the factor $k$ again;
# section C of the details notebook counts it).
#
# No method that moves only along the gradients it has computed can beat this order in the worst
# case over quadratics of unbounded dimension (Nesterov, 2004, Theorem 2.1.13, stated in $\ell_2$); in
# few dimensions one can do better: conjugate gradients solve a 2-D bowl in two steps (Nocedal &
# Wright, 2006, Theorem 5.1). Section D of the [details notebook](05_momentum_details.ipynb) states
# the bound precisely, explains why it covers Nesterov's look-ahead method too, and why it makes
# $(\alpha^\star, \beta^\star)$ the best heavy-ball pair.

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(6.5, 4))
ks = np.array(kappas, dtype=float)
ax.loglog(ks, [table[k]["gd"] for k in kappas], "o-", color=style.color_for("gd"),
          label="gradient descent, $2/(L+\\mu)$")
ax.loglog(ks, [table[k]["hb"] for k in kappas], "s-", color=style.color_for("heavy_ball"),
          label="heavy ball, $(\\alpha^*, \\beta^*)$")
ax.loglog(ks, 2 * table[10]["gd"] * ks / 10, ":", color="black", linewidth=1, label="slope 1: $\\propto \\kappa$")
ax.loglog(ks, 2 * table[10]["hb"] * np.sqrt(ks / 10), "--", color="black", linewidth=1,
          label="slope 1/2: $\\propto \\sqrt{\\kappa}$")
ax.set(xlabel="condition number $\\kappa$", ylabel="steps to reach $10^{-6}$ of the start's distance",
       title="Steps against the condition number")
ax.legend(fontsize=8);

# %% [markdown]
# **Nesterov on a quadratic** has best parameters of its own, given in closed form by Lessard, Recht
# & Packard (2016); its best rate at $\kappa = 100$, 0.885, lies between the heavy ball's 0.818 and
# gradient descent's 0.980. Section E of the [details notebook](05_momentum_details.ipynb) checks
# them, runs the three methods side by side on this bowl, and says where Nesterov's method earns its
# fame (functions that are not quadratics). On convex functions that are not strongly convex,
# Nesterov's method brings $f(x_k) - f^\star$ down like $O(1/k^2)$, against gradient descent's
# $O(1/k)$ (Nesterov, 1983; the simpler schedule $\beta_k = (k - 1)/(k + 2)$ has the same
# $O(1/k^2)$ rate: Su, Boyd & Candès, 2016). Sutskever, Martens, Dahl & Hinton (2013, *On
# the importance of initialization and momentum in deep learning*, ICML) raise $\beta$ during
# training up to a cap that they tune, with nonzero values from 0.9 to 0.999.
#
# ## 5. Too little, too much: what β does
#
# Fix the step size at $\alpha = 1/L = 0.01$ and turn the momentum up. With little momentum, the shallow
# direction still crawls: its two roots are real, the ball is *overdamped* along the valley (across it,
# at $\alpha L = 1$, they are complex). With a lot, the roots are complex with modulus $\sqrt\beta$: the
# ball is *underdamped*, overshoots the minimum and spirals in. In between, where the roots for $\mu$
# meet ($\sqrt\beta = 1 - \sqrt{\alpha\mu}$, here $\beta = 0.81$), it is critically damped and fastest.

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

examples = [0.5, 0.81, 0.97]
paths = {b: run(sgd(lr=lr, momentum=b), bowl, bowl.start, steps=150, tol=0) for b in examples}
along = {b: paths[b].xs[:, 0] for b in examples}                     # the coordinate along the valley
distance_150 = {b: np.linalg.norm(paths[b].xs[-1]) for b in examples}
print("distance to the minimum after 150 steps:", {b: f"{d:.1e}" for b, d in distance_150.items()})

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert np.isclose(beta_critical, 0.81)
assert np.allclose(measured, theory, rtol=5e-3)                      # measurement on the theory curve
assert abs(betas[np.argmin(theory)] - beta_critical) < 0.02          # fastest near beta = 0.81
assert np.isclose(momentum_rate(lr, beta_critical, [mu, L]), 0.9, rtol=1e-6)
assert np.all(np.diff(along[0.5]) > 0) and np.all(along[0.5] < 0)    # overdamped: creeps, never overshoots
assert np.sum(np.diff(np.sign(along[0.97])) != 0) >= 4               # underdamped: crosses the minimum again and again
assert distance_150[0.81] < 1e-3 * min(distance_150[0.5], distance_150[0.97])
assert 4e-6 < distance_150[0.81] < 8e-6
assert 0.115 < distance_150[0.5] < 0.125 and 0.165 < distance_150[0.97] < 0.175   # 0.12 and 0.17, quoted below

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig = plt.figure(figsize=(11, 6.2))
top, bottom = fig.subfigures(2, 1, height_ratios=[1.1, 0.9])
ax = top.subplots()
fine = np.linspace(0, 0.98, 981)
ax.plot(fine, [momentum_rate(lr, b, [mu, L]) for b in fine], color="black", linewidth=1,
        label="theory: largest $|$root$|$")
ax.plot(betas, measured, "o", color=style.color_for("heavy_ball"), markersize=4, label="measured (steps 300 to 600, envelope)")
ax.axvline(beta_critical, color=COLORS["bluish_green"], linestyle="-.", linewidth=1,
           label=f"critical damping $\\beta$ = {beta_critical:.2f}")
ax.set(xlabel="momentum $\\beta$", ylabel="rate per step",
       title=f"Heavy ball with $\\alpha$ = 1/L = {lr}: rate against momentum")
ax.legend(fontsize=8)
ax = bottom.subplots()
for i, (b, name, color, ls) in enumerate(zip(examples, ["overdamped along the valley", "critically damped", "underdamped"],
                                            [COLORS["sky_blue"], style.color_for("heavy_ball"),
                                             COLORS["reddish_purple"]], ["--", "-", ":"])):
    ax.semilogy(np.linalg.norm(paths[b].xs, axis=1), color=color, linestyle=ls, linewidth=1.6 + 0.6 * (i == 2),
                marker="osD"[i], markevery=(5 * i, 15), markersize=5, label=f"$\\beta$ = {b}: {name}")
ax.set(xlabel="step $k$", ylabel="distance to the minimum",
       title=f"Three values of $\\beta$ at $\\alpha$ = {lr}: the distance $\\|x_k\\|$")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# The measured rates lie on the theory curve, V-shaped (a curved left branch, a $\sqrt\beta$ right
# branch) with its tip at critical damping. Left of it, more momentum helps; right of it, the rate
# is $\sqrt\beta$ and every bit of extra momentum costs. The distances (bottom) show the three
# regimes: at $\beta = 0.5$ the ball creeps towards the minimum along the valley without ever
# passing it (its coordinate along the valley never changes sign), 0.12 away after 150 steps; at
# $0.81$ it is about $5.5\times10^{-6}$ away; at $0.97$ it swings past the minimum again and again,
# the distance rising and falling in long waves, 0.17 away after 150 steps. A rule of thumb, not a
# theorem: when a loss curve oscillates in long waves, too much momentum is one possible cause (on a
# quadratic these are the complex roots of section 4, of modulus $\sqrt\beta$, so close to 1 that
# the swings die out slowly).
#
# ## 6. How large a step is stable? Gradient descent, heavy ball, Nesterov
#
# The rate map's dark edge, $\alpha L = 2(1 + \beta)$, is one of three stability limits worth
# knowing exactly. On one eigen-direction (write $a = \alpha\lambda$) each method is a two-term
# recurrence $z_{k+1} = -a_1 z_k - a_0 z_{k-1}$ with characteristic polynomial $z^2 + a_1 z + a_0$:
#
# - heavy ball: $a_1 = -(1 + \beta - a)$, $a_0 = \beta$ (section 4); gradient descent
#   is $\beta = 0$;
# - Nesterov: in a direction, $y_k = x_k + \beta(x_k - x_{k-1})$ and
#   $x_{k+1} = (1 - a)\,y_k$, so $x_{k+1} = (1 + \beta)(1 - a)\,x_k - \beta(1 - a)\,x_{k-1}$:
#   $a_1 = -(1 + \beta)(1 - a)$, $a_0 = \beta(1 - a)$. (The look-ahead points $y_k$ are
#   combinations of two $x$'s, so they converge or diverge with them.)
#
# Both roots of a real $z^2 + a_1 z + a_0$ lie inside the unit circle exactly when $|a_0| < 1$ and
# $|a_1| < 1 + a_0$ (the Jury, or Schur–Cohn, test for degree 2; E. I. Jury, 1964, *Theory and
# Application of the z-Transform Method*, Wiley; the code below also checks it numerically). For
# the heavy ball that reads $|1 + \beta - a| < 1 + \beta$, i.e. $0 < a < 2(1 + \beta)$. For
# Nesterov, with $s = 1 - a$: if $s \ge 0$ the condition is $(1 + \beta)s < 1 + \beta s$, i.e.
# $a > 0$; if $s < 0$ it is $-(1 + \beta)s < 1 + \beta s$, i.e. $s > -1/(1 + 2\beta)$; and
# $|a_0| < 1$ then holds by itself. So
#
# | method | stable when ($a = \alpha\lambda$ for every eigenvalue $\lambda$) | at $\beta = 0.9$ |
# | --- | --- | --- |
# | gradient descent | $0 < a < 2$ | 2 |
# | heavy ball | $0 < a < 2(1 + \beta)$ | 3.8 |
# | Nesterov | $0 < a < 2(1 + \beta)/(1 + 2\beta)$ | 1.357 |
#
# Momentum *raises* the heavy ball's limit, but it *lowers* Nesterov's:
# $2(1 + \beta)/(1 + 2\beta) < 2$ for every $\beta > 0$, falling to $4/3$ as $\beta \to 1$. (In torch's form, $\alpha$ is `lr`.)
# Checked by the eigenvalues of the $2\times2$ iteration matrices, on a fine grid of $a$:

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
a_grid = np.linspace(1e-4, 4.5, 45_001)                       # spacing 1e-4
for beta in [0.3, 0.6, 0.9, 0.99]:
    for method, formula in limit_formula.items():
        b = 0.0 if method == "gd" else beta
        stable = np.array([spectral_radius(method, a, b) < 1 for a in a_grid])
        edge = a_grid[np.argmin(stable)]                         # the first unstable a on the grid
        assert stable[: np.argmin(stable)].all() and not stable[np.argmin(stable):].any()
        assert abs(edge - formula(b)) <= 2e-4, (method, beta, edge)
print("stability edges at beta = 0.9:", {m: round(f(0.9), 4) for m, f in limit_formula.items()})

# %% [markdown]
# Below its limit, how fast each method is depends on $a$: section J of the [details
# notebook](05_momentum_details.ipynb) plots the three rates against $a$ and shows that momentum
# pays on the directions with small $\alpha\lambda$, the shallow ones, which is why $\beta$ has to
# be matched to the spectrum.
#
# **What it means for a real function.** Near a minimum the Hessian is what matters: a run can only
# settle stably at a minimum where $\alpha\lambda_{\max}$ is inside the method's interval. At Rosenbrock's
# minimum $(1, 1)$ (section 9) the Hessian's largest eigenvalue is about 1001.6, so the largest
# learning rates that can settle there are:

# %%
lam_max = np.linalg.eigvalsh(rosenbrock.hess(np.array([1.0, 1.0]))).max()
lr_limit = {m: limit_formula[m](0.0 if m == "gd" else 0.9) / lam_max for m in limit_formula}
print(f"lambda_max = {lam_max:.1f};", {m: f"{v:.5f}" for m, v in lr_limit.items()})
assert np.isclose(lam_max, 1001.6, atol=0.05)
assert lr_limit["nesterov"] < 1.5e-3 < lr_limit["gd"] < lr_limit["heavy_ball"]   # 0.00135 < 0.0015 < 0.0020 < 0.0038
assert 1e-3 < min(lr_limit.values())                                              # lr = 0.001 is safe for all three
lam_start = np.linalg.eigvalsh(rosenbrock.hess(np.array(rosenbrock.start, dtype=float))).max()
assert np.allclose(rosenbrock.start, (-1.2, 1.0))
print(f"at the start (-1.2, 1) lambda_max is larger: {lam_start:.0f}")
assert np.isclose(lam_start, 1506.4, atol=0.5)

# %% [markdown]
# Gradient descent can settle there with `lr` up to 0.0020, the heavy ball with $\beta = 0.9$ up to
# 0.0038, Nesterov with $\beta = 0.9$ only up to 0.00135. So if you keep a learning rate that
# gradient descent tolerates and add $\beta = 0.9$, the minimum stays stable for the heavy ball but
# **may not for Nesterov**: take at most $(1 + \beta)/(1 + 2\beta) \approx 0.68$ of gradient
# descent's limit. Section 9 tries `lr` = 0.0015, between the two. These limits are about the
# minimum: at the start $(-1.2, 1)$ the largest eigenvalue is about 1506, so there the same steps
# are less safe.
#
# ## 7. Momentum with noisy gradients
#
# Chapter 04 trained with mini-batch gradients $g = \nabla L + \xi$, where the noise $\xi$ has mean
# 0 and, near the minimum, covariance $\Sigma^\star/b$ for batches of $b$ examples drawn
# independently (with replacement). With a constant step, SGD settled into a noise ball with
# $\mathbb{E}[L - L^\star] \approx \eta\,\operatorname{tr}\Sigma^\star/(4b)$. What does momentum do to it?
#
# *Roadmap.* A formula for the noise floor, then the comparison that matters: at a **fixed noise
# floor**, which method is faster (on the noisy bowl of section 1)?
#
# On one eigen-direction of the Hessian (eigenvalue $\lambda$, noise variance $s^2$
# per step along it), the heavy ball becomes
# $z_{k+1} = (1 + \beta - \alpha\lambda) z_k - \beta z_{k-1} - \alpha\xi_k$, a linear
# recurrence driven by independent kicks. Its stationary variance (derived, and checked
# by an independent computation, in section F of the [details notebook](05_momentum_details.ipynb)) is
#
# $$\mathbb{E}[z^2] = \frac{\alpha (1 + \beta)\, s^2}{(1 - \beta)\,\lambda\,\big(2(1 + \beta) - \alpha\lambda\big)}
# \;\approx\; \frac{\alpha\, s^2}{2(1 - \beta)\,\lambda} \quad (\alpha\lambda \ll 1),$$
#
# so this direction adds $\tfrac12\lambda\,\mathbb{E}[z^2] \approx \alpha s^2 / (4(1 - \beta))$ to
# the loss. Summed over the directions:
#
# $$\mathbb{E}[L - L^\star] \approx \frac{\alpha}{1 - \beta}\cdot\frac{\operatorname{tr}\Sigma^\star}{4b},$$
#
# chapter 04's noise ball with $\eta$ replaced by the **effective step** $\alpha/(1 - \beta)$. The
# reason is the buffer of section 2: it sums the gradients, noise included, so each noise kick enters the
# displacement with total weight $1 + \beta + \beta^2 + \dots = 1/(1 - \beta)$ (curvature's pull aside). Two consequences:
#
# - at a **fixed** $\alpha$, raising $\beta$ raises the noise floor by $1/(1 - \beta)$: ten times at
#   $\beta = 0.9$;
# - at a fixed **effective** step $\alpha/(1 - \beta)$, the floor is the same as plain SGD's with
#   $\eta = \alpha/(1 - \beta)$: momentum neither helps nor hurts against the noise (to first order
#   in $\alpha\lambda$). Its gain is against ill conditioning, sections 1–5.
#
# Neither comparison answers the question a user faces (at a fixed effective step
# momentum can lose its speed: section G of the details notebook shows it on the bowl):
# **for a given noise floor, how fast can each method get there?**

# %% [markdown]
# ### The fair comparison: for a given floor, how fast?
#
# Back to the bowl ($\kappa = 100$), now with a unit Gaussian kick added to each gradient coordinate
# at every step. For any $(\alpha, \beta)$, the formula above summed over $\lambda = \mu$ and
# $\lambda = L$ gives the floor, and section 4 gives the rate. So over a grid of $(\alpha, \beta)$
# (only $\beta = 0$ for gradient descent), keep the stable settings whose floor is at most a target,
# and take the one with the best rate. The target: 0.505, the floor of gradient descent at its best
# step $2/(L + \mu)$ (a point of the grid). Then simulate the two chosen pairs (200 runs of 800
# steps, on three seeds) and count the steps until the mean loss is below twice the target. The
# simulator and the grid search sit in a collapsed helper cell:

# %% jupyter={"source_hidden": true}
# Helper code for the fair comparison (the noisy bowl, the floor formula, the grid search): nothing new to learn here.
def stationary_variance(lr, beta, lam, s2=1.0):
    """E[z^2] of z_{k+1} = (1 + beta - lr lam) z_k - beta z_{k-1} - lr xi_k, Var(xi) = s2 (the formula above)."""
    return lr * (1 + beta) * s2 / ((1 - beta) * lam * (2 * (1 + beta) - lr * lam))


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
    """Largest |root| of z^2 - (1 + beta - lr lam) z + beta, elementwise (the rate of section 4)."""
    c = 1 + beta - lr * lam
    disc = c**2 - 4 * beta
    return np.where(disc <= 0, np.sqrt(beta), (np.abs(c) + np.sqrt(np.maximum(disc, 0))) / 2)


alphas_ = np.union1d(np.geomspace(1e-4, 0.04, 600), [2 / (L + mu)])   # gradient descent's best step included
A_, B_ = np.meshgrid(alphas_, np.linspace(0, 0.99, 500))
stable_ = A_ * L < 2 * (1 + B_)                                    # section 6's edge
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

# %%
target = bowl_floor(2 / (L + mu), 0.0)                    # gradient descent's floor at 2/(L + mu)
settings = {"gd": fastest(target, True), "hb": fastest(target)}
reach, floor_ratios, curves = {m: [] for m in settings}, {m: [] for m in settings}, {}
for m, (lr_, beta_, rate_m, floor_m) in settings.items():
    for seed in (1, 2, 3):
        losses = noisy_bowl(lr_, beta_, seed=seed)
        curves.setdefault(m, losses)                                    # seed 1, for the figure
        floor_ratios[m].append(losses[400:].mean() / floor_m)          # simulated floor / the formula's
        reach[m].append(int(np.argmax(losses < 2 * target)) + 1)       # first step below twice the target
(a_g, _, r_g, f_g), (a_h, b_h, r_h, f_h) = settings["gd"], settings["hb"]
print(f"floor <= {target:.3f}: gradient descent lr {a_g:.4f} (floor {f_g:.3f}), rate {r_g:.4f},"
      f" {steps_per_e(r_g):.0f} steps per factor e, below 2x the target after {reach['gd']} steps (seeds 1-3)")
print(f"{'':17} heavy ball alpha {a_h:.4f}, beta {b_h:.3f} (floor {f_h:.3f}), rate {r_h:.4f},"
      f" {steps_per_e(r_h):.1f} steps per factor e, after {reach['hb']} steps")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.0))
for m, name, ls, marker in [("gd", "gradient descent, lr = $2/(L+\\mu)$", "-", "o"),
                            ("hb", f"heavy ball, $\\alpha$ = {a_h:.3f}, $\\beta$ = {b_h:.2f}", "--", "s")]:
    color = style.color_for("gd" if m == "gd" else "heavy_ball")
    ax.semilogy(np.arange(1, 801), curves[m], color=color, linestyle=ls, marker=marker, markevery=(10, 60),
                markersize=5, label=name)
ax.axhline(target, color="0.2", linestyle=":", linewidth=1.4,        # the two floors are 2% apart: one line
           label=f"the formula's floors, {settings['gd'][3]:.3f} and {settings['hb'][3]:.3f}")
ax.axhline(2 * target, color="0.4", linestyle="-.", linewidth=1, label="twice the target")
ax.set(xlabel="step $k$", ylabel="mean loss over 200 noisy runs", xlim=(0, 400), ylim=(0.2, 2e3),
       title="$\\kappa$ = 100, unit noise: both methods tuned for the same floor")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# Both settle at the same floor, the heavy ball much sooner. With a floor of at most 0.505, the
# heavy ball's best $(\alpha, \beta) \approx (0.032, 0.68)$ converges at 0.82 per step, gradient
# descent's best (lr $2/(L + \mu)$) at 0.98. In the simulation (seeds 1–3) the heavy ball's mean
# loss falls below twice the target after 14 steps, gradient descent's after about 116: about 8
# times sooner. Both pairs sit near their stability edge ($\alpha L$ = 1.98 against 2, 3.18 against
# 3.35), where the exact formula, not the first-order one, sets the floor: their effective steps are
# five times apart ([details notebook](05_momentum_details.ipynb), section G, "Why the first-order
# floors disagree near the edge"). Is that luck of the chosen floor? The search for every floor:

# %%
targets = np.geomspace(0.003, 1.0, 40)
frontier = {m: np.array([steps_per_e(fastest(t, m == "gd")[2]) for t in targets]) for m in ("gd", "hb")}
gain = frontier["gd"] / frontier["hb"]
print(f"speed-up in steps per factor e, from floor {targets[-1]:.1f} down to {targets[0]:.3f}:"
      f" {gain[-1]:.1f}x ... {gain[0]:.1f}x")

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, ax = plt.subplots(figsize=(7.5, 4.2))
ax.loglog(targets, frontier["gd"], color=style.color_for("gd"), marker="o", markevery=4, markersize=5,
          label="gradient descent, best lr for the floor")
ax.loglog(targets, frontier["hb"], color=style.color_for("heavy_ball"), linestyle="--", marker="s", markevery=4,
          markersize=5, label="heavy ball, best $(\\alpha, \\beta)$ for the floor")
for m, color, what in [("gd", style.color_for("gd"), "gradient descent"),
                       ("hb", style.color_for("heavy_ball"), "heavy ball")]:
    ax.plot(settings[m][3], steps_per_e(settings[m][2]), "D", color=color, markersize=9, markeredgecolor="black",
            linestyle="none", zorder=5, label=f"{what}, pair simulated above")
ax.set(xlabel="noise floor: stationary mean loss (formula)", ylabel="steps per factor $e$ (slowest direction)",
       title="$\\kappa$ = 100, unit noise: the fastest setting for each floor")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# At every floor in the range, the heavy ball's best setting is faster than gradient descent's best:
# 10 times in steps per factor $e$ at the 0.5 floor (the simulated counts above also depend on each
# run's first steps). The gain shrinks as the floor goes down, to about 2 at the lowest floor of the
# plot, because a low floor needs a small effective step, and that slows the heavy ball too (section
# G of the [details notebook](05_momentum_details.ipynb) simulates a lower floor and shows
# why the ratio tends to 2). So with noisy gradients the heavy ball still trades speed against the
# floor, but on this ill-conditioned problem it trades along a better curve.

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert all(abs(q - 1) < 0.1 for m in floor_ratios for q in floor_ratios[m])      # formula's floor, simulated
assert np.allclose(settings["gd"], (2 / (L + mu), 0.0, (L - mu) / (L + mu), target))   # on the grid: closed form
assert np.isclose(target, 0.505, atol=0.001) and np.isclose(settings["gd"][2], 0.98, atol=0.001)
assert np.allclose(settings["hb"][:3], (0.032, 0.68, 0.82), atol=(0.002, 0.02, 0.01))
assert max(reach["hb"]) <= 18 and 100 <= min(reach["gd"]) and max(reach["gd"]) <= 135   # 14 against about 116
assert 6.5 < min(reach["gd"]) / max(reach["hb"]) and max(reach["gd"]) / min(reach["hb"]) < 9.5   # about 8
assert np.all(frontier["hb"] < frontier["gd"])                   # at every floor in range, momentum is faster
assert 9 < gain[-1] < 11 and 1.8 < gain[0] < 2.6
assert np.isclose(steps_per_e(settings["gd"][2]) / steps_per_e(settings["hb"][2]), 10, atol=0.5)
assert np.allclose([a_g * L, a_h * L, 2 * (1 + b_h)], [1.98, 3.18, 3.35], atol=(0.006, 0.03, 0.03))   # at the edge
assert 4.5 < a_h / (1 - b_h) / a_g < 5.5                              # effective steps five times apart

# %% [markdown]
# **Takeaway:** on this ill-conditioned bowl, for the same noise floor, the best heavy ball is
# faster than the best gradient descent. What momentum cannot do is lower the floor for free: to
# first order in $\alpha\lambda$ the floor depends only on the effective step $\alpha/(1 - \beta)$.
# So when you add momentum to SGD, multiply the learning rate by $1 - \beta$ to keep the same noise
# level (away from the stability edge); to shrink the ball, decay the step or grow the batch
# (chapter 04). Section H of the [details notebook](05_momentum_details.ipynb) measures the formula's two
# consequences above (a fixed $\alpha$, a fixed effective step) on chapter 04's regression.
#
# The noise here is *additive*: a kick of the same size whatever the iterate. Kidambi, Netrapalli,
# Jain & Kakade (2018, *On the insufficiency of existing momentum schemes for stochastic
# optimization*, ICLR) study a different model, stochastic least squares with gradients from sampled
# examples, where the noise depends on the data and the iterate, and show instances there on which
# the heavy ball and Nesterov, with their best parameters, do no better than SGD. Which of the two
# pictures a given training run resembles is not something these small problems settle.
#
# ## 8. Momentum and local minima
#
# A ball with momentum can roll over a small bump that would stop gradient descent.
# The double well $f(x) = x^4 - 3x^2 + x$ has a shallow local minimum at
# $x \approx 1.13$ and the global one at $x \approx -1.30$, with a hilltop in between
# at $x \approx 0.17$. From the start $x_0 = 1.75$, high up the right wall, plain
# gradient descent settles in the local minimum. Where does the heavy ball (lr = 0.02) end?

# %%
lr = 0.02
x0 = double_well.start
local_min, global_min = double_well.minima[1, 0], double_well.minima[0, 0]
rim = 0.1699                                               # the hilltop between the wells


def final_minimum(beta, x0=x0, steps=5000):
    """Where the heavy ball (lr = 0.02) ends, 'global' or 'local', and how often it crossed the hilltop."""
    trace = run(sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr), double_well, x0, steps=steps, tol=1e-8)
    assert trace.status == "converged"
    side = np.sign(trace.xs[:, 0] - rim)
    return ("global" if abs(trace.x[0] - global_min) < 1e-3 else "local"), int(np.sum(side[1:] != side[:-1]))

# %% [markdown]
# Scanning $\beta$ from 0 to 0.99 in steps of 0.01: up to 0.87 the ball ends in the local minimum;
# from 0.88 to 0.97 it rolls over the hilltop once and ends in the global one. Above 0.97 it can
# swing back over the hilltop, and both ends occur: with $\beta = 0.98$ it crosses twice and ends in
# the *local* minimum, with 0.985 three times and ends in the global one.

# %%
scan = np.round(np.arange(0, 1, 0.01), 2)
ends, crossings = map(np.array, zip(*[final_minimum(b) for b in scan]))
escaping = scan[ends == "global"]
print(f"escapes for beta from {escaping.min()} to {escaping.max()} in the scan; "
      f"beta = 0.98: {final_minimum(0.98)}, beta = 0.985: {final_minimum(0.985)}")

# %% jupyter={"source_hidden": true}
# Checks: the numbers quoted in the text (nothing new to learn here).
assert abs(double_well.grad(np.array([rim]))[0]) < 1e-3 and double_well.hess(np.array([rim]))[0, 0] < 0
assert double_well.f(np.array([x0])) > double_well.f(np.array([rim]))   # the start is above the hilltop
low, middle, high = scan <= 0.87, (scan >= 0.88) & (scan <= 0.97), scan > 0.97
assert np.all(ends[low] == "local") and np.all(crossings[low] == 0)     # up to 0.87: never crosses
assert np.all(ends[middle] == "global") and np.all(crossings[middle] == 1)   # 0.88 to 0.97: crosses once
assert np.all(crossings[high] >= 2)                                     # above 0.97: swings back over it
assert final_minimum(0.98) == ("local", 2) and final_minimum(0.985) == ("global", 3)   # both ends occur
assert np.array_equal(ends == "global", crossings % 2 == 1)             # an odd number of crossings: global

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.3])
plotting.plot_function(double_well, ax=ax)
ax.plot(x0, double_well.f(np.array([x0])), color="black", markerfacecolor="white", markeredgecolor="black",
        **{k: v for k, v in style.START_STYLE.items() if k != "markerfacecolor"}, label="start $x_0$ = 1.75")
ax.axhline(double_well.f(np.array([rim])), color="black", linestyle=":", linewidth=1, label="height of the hilltop")
ax.legend(fontsize=8, loc="upper center")
shades = {0.0: style.color_for("gd"), 0.8: COLORS["sky_blue"], 0.9: style.color_for("heavy_ball"),
          0.98: COLORS["reddish_purple"], 0.985: COLORS["bluish_green"]}
for i, (beta, color) in enumerate(shades.items()):
    tr = run(sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr), double_well, x0, steps=150, tol=0)
    end, n = final_minimum(beta)
    ax_t.plot(tr.xs[:, 0], color=color, linestyle=["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1))][i],
              marker="osD^v"[i], markevery=(3 + 5 * i, 25), markersize=6 if i else 8, linewidth=3 if i == 0 else 1.5,
              label=f"$\\beta$ = {beta}: {end}, {n} crossing{'s' if n != 1 else ''}"
              + (" (thick: under 0.8 once both settle)" if i == 0 else ""))
for height, text in [(local_min, "local min."), (global_min, "global min."), (rim, "hilltop")]:
    ax_t.axhline(height, color="black", linewidth=0.8, linestyle=":" if text == "hilltop" else "--")
    ax_t.text(1.01, height, text, ha="left", va="center", fontsize=8, transform=ax_t.get_yaxis_transform())
ax_t.set(xlabel="step $k$", ylabel="$x_k$", title=f"Heavy ball from $x_0$ = 1.75, lr = {lr}: the first 150 steps")
ax_t.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2);

# %% [markdown]
# The energy picture explains it. The start is higher than the hilltop (dotted line), so a ball
# *without friction* would roll over it. Gradient descent is all friction: it forgets its speed
# after every step and stops in the first dip. The heavy ball loses a share $1 - \beta$ of its speed
# per step: with $\beta \ge 0.88$ it keeps enough to cross. With $\beta$ above 0.97 it keeps so much
# that it swings back over the hilltop, and where it comes to rest depends on how many times it
# crosses (an odd number: the global minimum), a matter of timing rather than of "more is better".
#
# A ball released at rest *below* the hilltop is another matter. In continuous time, a ball with
# friction cannot cross: its energy only decreases. The discrete heavy ball has a guarantee of this
# kind for small enough steps, not for every step: with a coarse step its energy can rise, and
# iterates started below the hilltop do get past it (section I of the [details
# notebook](05_momentum_details.ipynb)).
#
# So momentum is not a method for finding global minima. It helps on long slopes and narrow valleys,
# and it may carry the iterate over small bumps; which minimum it ends in still depends on the
# start, the step size and $\beta$.
#
# ## 9. A curved valley: Rosenbrock
#
# On Rosenbrock's banana the valley bends, so there are no fixed eigen-directions and
# no formula for the best parameters. We take $\beta = 0.9$, the smallest nonzero cap of
# Sutskever et al., and lr = 0.001, a round value below all three stability limits at
# the minimum (section 6), not a tuned one. A budget of 20,000 steps, stopping once $\|\nabla f\| \le 10^{-6}$:

# %%
lr, beta, budget = 1e-3, 0.9, 20_000
races = {
    "gd": run(sgd(lr=lr), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
    "heavy_ball": run(sgd(lr=lr, momentum=beta), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
    "nesterov": run(sgd(lr=lr, momentum=beta, nesterov=True), rosenbrock, rosenbrock.start, steps=budget, tol=1e-6),
}
for name, tr in races.items():
    print(f"{name:>10}: {tr.message}, f = {tr.f:.1e}")
assert races["gd"].status == "max_steps" and 1e-9 < races["gd"].f < 1e-7
assert races["gd"].fs[-1] < races["gd"].fs[-1000]                               # still falling
for name in ["heavy_ball", "nesterov"]:
    assert races[name].status == "converged" and 2500 < races[name].steps < 3500   # about 3,000 steps
assert all(tr.fs[50] < 0.2 * tr.fs[0] for tr in races.values())                   # in the valley early on:
assert np.mean(np.abs(np.log10(races["heavy_ball"].fs[:2000] / races["nesterov"].fs[:2000])) < 0.3) > 0.9
assert all(abs(tr.xs[50, 1] - tr.xs[50, 0] ** 2) < 0.03 for tr in races.values())  # near its floor y = x^2

# %% jupyter={"source_hidden": true}
# Plotting code for the figure: nothing new to learn here.
fig = plt.figure(figsize=(12, 8), layout="constrained")
grid = fig.add_gridspec(2, 3, height_ratios=[1, 0.9])
path_axes = [fig.add_subplot(grid[0, i]) for i in range(3)]
ax_loss = fig.add_subplot(grid[1, :])
names = {"gd": "gradient descent", "heavy_ball": "heavy ball", "nesterov": "Nesterov"}
styles = {"gd": "-", "heavy_ball": "--", "nesterov": "-."}
marks = {"gd": "o", "heavy_ball": "s", "nesterov": "^"}
mark_steps = [100, 300, 1000]
label_offsets = {"gd": {100: (-16, -6), 300: (-16, -6), 1000: (4, -20), 3000: (-18, 6)},   # step numbers, placed
                 "heavy_ball": {100: (14, -8), 300: (14, -8), 1000: (12, -8)},           # off the paths, none
                 "nesterov": {100: (14, -8), 300: (14, -8), 1000: (12, -8)}}             # on another
for ax, (name, tr) in zip(path_axes, races.items()):
    plotting.plot_contours(rosenbrock, ax=ax, title=f"{names[name]}: first 3,000 steps")
    for other, tr_other in races.items():                                    # the other two, faint, for comparison
        if other != name:
            ax.plot(*tr_other.xs[:3001].T, color="0.45", linestyle=styles[other], linewidth=0.9, alpha=0.7)
    ax.plot(*tr.xs[:3001].T, color=style.color_for(name), linestyle=styles[name], linewidth=2.2, zorder=6)
    shown = mark_steps + ([3000] if name == "gd" else [])
    ax.plot(*tr.xs[shown].T, linestyle="none", marker=marks[name], markersize=8, zorder=8,
            color=style.color_for(name), markeredgecolor="black", markeredgewidth=0.8)
    for k in shown:
        offset = label_offsets[name][k]
        ax.annotate(f"{k}", tr.xs[k], xytext=offset, textcoords="offset points", fontsize=9, fontweight="bold",
                    ha="right" if offset[0] < 0 else "left", zorder=9,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="0.3", alpha=0.9),
                    arrowprops=dict(arrowstyle="-", color="black", linewidth=0.7, shrinkA=0, shrinkB=5))
    ax.plot(*rosenbrock.start, **{**style.START_STYLE, "markeredgecolor": "black", "zorder": 9})
    ax.plot(*rosenbrock.minima[0], **{**style.MINIMUM_STYLE, "zorder": 10})   # the star, on top of the marks
    ax.set(xlim=(-1.6, 1.4), ylim=(-0.5, 1.5))                                 # zoomed on the paths
handles = [plt.Line2D([], [], color=style.color_for(n), linestyle=styles[n], linewidth=2.2, marker=marks[n],
                      markersize=8, markeredgecolor="black", label=f"{names[n]} (marks: steps 100, 300, 1000{', 3000' if n == 'gd' else ''})")
           for n in races]
handles += [plt.Line2D([], [], color="0.45", linewidth=0.9, alpha=0.7, label="the other two methods (faint)"),
            plt.Line2D([], [], **{**style.START_STYLE, "markeredgecolor": "black"}, label="start (-1.2, 1)"),
            path_axes[0].get_legend_handles_labels()[0][0]]
fig.legend(handles=handles, loc="outside upper center", ncol=3, fontsize=8)
assert np.linalg.norm(races["heavy_ball"].xs[1000] - 1) < 0.05 and np.linalg.norm(races["nesterov"].xs[1000] - 1) < 0.05
assert np.linalg.norm(races["gd"].xs[1000] - [0.33, 0.10]) < 0.01             # gradient descent: just round the bend
for name in ["heavy_ball", "nesterov"]:                                       # step 300 near gd's step 3000
    assert np.linalg.norm(races[name].xs[300] - races["gd"].xs[3000]) < 0.1 and np.linalg.norm(races["gd"].xs[3000] - [0.85, 0.75]) < 0.06
plotting.plot_loss(list(races.values()), ax=ax_loss, f_star=0.0, labels=list(names.values()),
                   colors=[style.color_for(name) for name in races])
for line, ls in zip(ax_loss.get_lines(), [styles[n] for n in races]):
    line.set_linestyle(ls)                                   # as in the path panels
ax_loss.legend(fontsize=8, loc="lower left")
ax_loss.set_xscale("symlog", linthresh=100)
ax_loss.set_xlim(0, budget)
ax_loss.set(xlabel="step $k$ (linear up to 100, then log scale)", ylabel="$f(x_k) - f^*$")
ax_loss.set_title(f"Loss, 20,000-step budget (lr = {lr}, $\\beta$ = {beta})");

# %% [markdown]
# All three drop into the valley within 50 steps (the loss falls five-fold, and at step 50 each
# iterate is within 0.03 of the valley floor $y = x^2$); the difference is the walk along it. At
# step 300 both momentum methods are near $(0.85, 0.75)$, where gradient descent arrives only at
# step 3,000; at step 1000 they are at the minimum (the star), while gradient descent has only just
# rounded the bend, at about $(0.33, 0.10)$. Both momentum methods meet the tolerance in about 3,000
# steps (their loss curves nearly coincide: within a factor 2 over most of the first 2,000 steps);
# gradient descent has not met it after 20,000 (its $f$ is about $2\cdot10^{-8}$ and still falling).
#
# This race gives all three the same `lr`, so the momentum methods move with an
# effective step $\text{lr}/(1 - \beta)$ ten times larger (section 7), and part of the
# gap is that. Gradient descent cannot take a ten-times larger step (its limit at the
# minimum is 0.0020, section 6), but it can take almost twice this one: at lr = 0.0019 it
# still needs far more steps than the momentum methods did at 0.001:

# %%
gd_near_limit = run(sgd(lr=1.9e-3), rosenbrock, rosenbrock.start, steps=2 * budget, tol=1e-6)
print(f"gradient descent, lr = 0.0019: {gd_near_limit.message}")
assert gd_near_limit.status == "converged" and gd_near_limit.steps > 4 * races["heavy_ball"].steps   # about 16,900

# %% [markdown]
# Now lr = 0.0015, between Nesterov's limit at the minimum (0.00135) and gradient
# descent's (0.0020), section 6. The heavy ball still converges. Nesterov cannot
# settle: the minimum is an unstable fixed point of its iteration at this step, so
# each time it gets close it is thrown out again, and its loss keeps jumping.

# %%
faster = {name: run(sgd(lr=1.5e-3, momentum=beta, nesterov=name == "nesterov"), rosenbrock,
                    rosenbrock.start, steps=budget, tol=1e-6) for name in ["heavy_ball", "nesterov"]}
for name, tr in faster.items():
    print(f"lr = 0.0015, {name:>10}: {tr.message}")
assert faster["heavy_ball"].status == "converged" and faster["nesterov"].status == "max_steps"
late = faster["nesterov"].fs[-2000:]
print(f"Nesterov, last 2,000 steps: f between {late.min():.1e} and {late.max():.1e}")
assert late.max() > 100 * late.min() and late.max() > 1e-2 and np.isfinite(late).all()   # jumps, neither settles nor blows up

# %% [markdown]
# ## 10. Your turn: the momentum explorer
#
# Move the **step size α** and **momentum β** sliders, tick **Nesterov**, and pick the surface: the
# quadratic with $\kappa = 100$ or Rosenbrock. The orange path is the heavy ball (reddish purple
# with Nesterov ticked), the faint blue one plain gradient descent with the same step size. At the
# opening step $\alpha^\star = 0.033$, above its limit $2/L = 0.02$, gradient descent diverges and
# leaves the plot within a few steps: that is expected (section 6). On the quadratic the status line
# below the figure gives the measured rate per step next to the theory (the dashed line on the loss
# plot has the theoretical slope).
#
# **Click on the contour plot to choose the start point.** That works when the figure is live
# (`%matplotlib widget`, as in JupyterLab). On a static page, or with the inline backend, use the
# $x_0$ and $y_0$ sliders, or pass `x0=(x, y)` to `momentum_explorer`.

# %%
from gdlearn.widgets.momentum import momentum_explorer

explorer = momentum_explorer()
explorer

# %% [markdown]
# Things to try:
#
# 1. **Quadratic**: the explorer opens at $(\alpha^\star, \beta^\star)$. Lower β
#    below $\alpha^\star L/2 - 1 = 0.65$: the run diverges
#    ($\alpha^\star L = 3.31$ is stable only while $2(1 + \beta) > 3.31$, section 6). Raise it: the spiral of too much momentum,
#    and the measured rate follows $\sqrt\beta$.
# 2. **Quadratic**: set β = 0 and find gradient descent's best α; then add momentum
#    with that α and watch the number of steps fall.
# 3. **Quadratic**: click a start on the $x$-axis, then one on the $y$-axis. Which
#    eigen-direction is the slow one, and does momentum help both?
# 4. **Rosenbrock**: keep β = 0.9 and raise α until the run no longer converges,
#    with and without Nesterov. Compare with section 6's limits at the minimum,
#    0.0038 and 0.00135 (the curvature at the start is larger, so a run can fail
#    below them).
# 5. **Rosenbrock**: click a start on the far side of the valley, at the top right.
#    Compare β = 0 and β = 0.9 with the same α.
#
# The explorer reports what it computed, so the status line can be checked:

# %%
print(explorer.status_text)
beta_edge = lr_star * L / 2 - 1                                      # below it, alpha* L > 2(1 + beta): unstable
print(f"at alpha* the heavy ball is stable only for beta > {beta_edge:.3f}")
assert np.isclose(beta_edge, 0.653, atol=0.005)
assert momentum_rate(lr_star, beta_edge - 0.01, [mu, L]) > 1 > momentum_rate(lr_star, beta_edge + 0.01, [mu, L])
assert np.isclose(explorer.rate_theory, rho_star)                    # it opens at (alpha*, beta*) on kappa = 100
assert abs(explorer.rate_measured / explorer.rate_theory - 1) < 0.03
assert np.isclose(explorer.values["lr"], lr_star) and np.isclose(explorer.values["momentum"], beta_star)

# %% [markdown]
# ## Summary
#
# - The heavy ball adds a share of the last step to each gradient step:
#   $x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta(x_k - x_{k-1})$. PyTorch and
#   `gdlearn.optim.sgd(lr, momentum=β)` write it with a buffer, $b \leftarrow \beta b + \nabla f$,
#   $x \leftarrow x - \text{lr}\cdot b$: the same iterates with $\alpha = \text{lr}$. The buffer
#   sums gradients, so a constant gradient makes steps $1/(1 - \beta)$ times longer.
# - Nesterov's momentum takes the gradient at the look-ahead point $x_k + \beta(x_k - x_{k-1})$;
#   torch's `nesterov=True` iterates are those points.
# - On a quadratic each eigen-direction follows a two-term recurrence. With
#   $\alpha^\star = 4/(\sqrt L + \sqrt\mu)^2$ and
#   $\beta^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2$ every direction shrinks by
#   $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step, so the number of steps grows like $\sqrt\kappa$
#   instead of $\kappa$: measured, 23 times fewer steps than gradient descent at $\kappa = 1000$.
#   The heavy ball's loss can rise first (13-fold here): a double root makes an eigen-coordinate
#   behave like $(c_1 + c_2 k)\rho^k$. In the worst case over quadratics in $\ell_2$ (infinite
#   dimension), no method that steps in the span of past gradients beats the $\sqrt\kappa$ order
#   (Nesterov 2004, Theorem 2.1.13; details D).
# - Too little momentum crawls (overdamped), too much spirals (underdamped, rate $\sqrt\beta$); the
#   best is in between.
# - Stable steps on a quadratic: $\alpha\lambda_{\max} < 2$ (gradient descent), $< 2(1 + \beta)$
#   (heavy ball), $< 2(1 + \beta)/(1 + 2\beta)$ (Nesterov, 1.357 at $\beta = 0.9$: smaller than
#   gradient descent's).
# - With noisy gradients the noise floor is chapter 04's with the effective step
#   $\alpha/(1 - \beta)$ (to first order in $\alpha\lambda$): at a fixed $\alpha$ momentum raises it
#   by $1/(1 - \beta)$, at a fixed effective step it leaves it unchanged. On the ill-conditioned
#   bowl with additive noise, for the same floor, the heavy ball's best setting is faster (steps per
#   factor $e$): about 10 times at a high floor, about 2 times at a low one (in the simulation at a
#   floor of 0.5, 8 times sooner).
# - Tuning, from what this chapter derived: when you change $\beta$, keep the effective step
#   $\alpha/(1 - \beta)$ to keep the noise floor (section 7); with Nesterov, take at most
#   $(1 + \beta)/(1 + 2\beta)$ of gradient descent's largest stable lr (section 6); on a quadratic
#   whose $\mu$ and $L$ you know, $(\alpha^\star, \beta^\star)$ is the best heavy-ball pair (section
#   4). (On a quadratic, conjugate gradients (chapter 03's details notebook, section C) reach the same $\sqrt\kappa$ order without
#   being told $\mu$ and $L$; Nocedal & Wright 2006, §5.1.) Chapter 09 trains a small network with
#   `sgd(lr, momentum=0.9)`.
# - Momentum can carry an iterate over a bump that stops gradient descent; with too much of it the
#   final minimum is a matter of timing. A ball in continuous time released at rest below the hilltop
#   can never cross it (its energy only decreases); the discrete heavy ball's energy can rise with a
#   coarse step, and then its iterates sometimes do cross (details notebook, section I).
#
# ## Exercises
#
# Open [`exercises/05_momentum.ipynb`](../exercises/05_momentum.ipynb): write the heavy-ball update
# in PyTorch's form, Nesterov's update, and the optimal heavy-ball parameters for a quadratic. Each
# exercise has a `check(...)` cell that tells you at once whether your code is right.
