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
# $\kappa = L/\mu$: for large $\kappa$ about $\kappa/2$ steps per factor $e$ of
# accuracy, since $-1/\ln\frac{\kappa - 1}{\kappa + 1} \approx \kappa/2$. A round bowl
# ($\kappa = 1$) is solved in one step; a valley curved a hundred times more sharply
# across than along needs hundreds. **Momentum** lets each step remember the previous one, as a
# heavy ball rolling downhill keeps its speed. On a quadratic, tuned, it cuts that cost
# to the order of $\sqrt{\kappa}$ (about $\sqrt\kappa/2$ steps per factor $e$,
# section 4). Beyond quadratics the same order holds for Nesterov's variant on every
# smooth strongly convex function, whereas the heavy ball, tuned as for a quadratic,
# can fail to converge on some of them (appendix A). It is one line of code, and it is
# part of SGD with momentum and of Adam (chapter 06), both built into PyTorch's
# `torch.optim`.
#
# You need chapter 02: the update rule, the rate $\max_i |1 - \eta\lambda_i|$ on a
# quadratic (one eigen-direction at a time), and `run`. Every number quoted in the
# text is printed and asserted by a nearby code cell (some in collapsed checks cells
# you may skip).
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
# - why the heavy ball's loss first *rises*, one eigen-direction at a time;
# - what too little and too much momentum look like;
# - the **largest stable step** of gradient descent, the heavy ball and Nesterov
#   (Nesterov's is the *smallest* of the three at $\beta = 0.9$);
# - what momentum does with **noisy gradients** (chapter 04's mini-batches): the
#   noise floor is set by the effective step $\alpha/(1 - \beta)$, yet on our
#   ill-conditioned bowl, tuned for the same floor, the heavy ball still gets there sooner;
# - when momentum carries the iterate over a hilltop into another minimum, and why
#   a ball started below the hilltop cannot in continuous time while the discrete
#   iterates, whose energy a coarse step can raise, sometimes do (appendix C);
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
# Polyak (1964, *Some methods of speeding up the convergence of iteration methods*,
# USSR Comput. Math. Math. Phys. 4(5), 1–17) added to each gradient step a fraction $\beta$ of the previous step:
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
wide_bowl = dataclasses.replace(bowl, domain=((-2.75, 0.25), (-4, 4)))   # contours out to the heavy ball's swing
plotting.plot_contours(wide_bowl, ax=ax, filled=False, levels=27,
                       title=f"The first 20 steps on a quadratic with $\\kappa$ = {kappa:.0f}")
ax.set_aspect("auto")                                 # stretch x so gradient descent's zig-zags separate
ax.set_xlabel("$x$ (stretched: axes not to scale)")
plotting.plot_path(gd.xs[:21], ax=ax, color=style.color_for("gd"), legend=False, linewidth=0.7,
                   marker="o", markersize=2.5, zorder=6, label="gradient descent, $2/(L+\\mu)$")
plotting.plot_path(ball[:21], ax=ax, color=style.color_for("heavy_ball"), legend=False, linewidth=1.0,
                   linestyle="--", label=f"heavy ball, $\\alpha^\\star$ = {lr_star:.3f}, $\\beta^\\star$ = {beta_star:.2f}")
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
ax_loss.set_xlabel("step $k$ (linear up to 20, then log scale)")
ax_loss.set_title("Loss: the heavy ball first rises, then is far faster");

# %% [markdown]
# The heavy ball swings across the valley more than gradient descent does (its
# step size $\alpha^\star \approx 0.033$ is above gradient descent's limit
# $2/L = 0.02$: momentum makes larger steps stable), but it races along the floor.
# Its loss, though, is not monotone: it first *rises*, thirteen-fold (peak at step 4,
# the bump in the linear first part of the right panel's step axis), and only after
# that falls, much faster than gradient descent's (which falls at every step: on a quadratic, with a step below
# $2/L$, every eigen-coordinate shrinks at every step). Section 4 explains the rise.

# %%
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
# Unrolled, the buffer is $b_k = g_k + \beta g_{k-1} + \beta^2 g_{k-2} + \dots$: the
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
# Other texts and libraries write the buffer as an *average*, or put the learning
# rate inside it; with a learning-rate schedule that changes the iterates.
# Appendix B compares these conventions. From here on we use
# `gdlearn.optim.sgd(lr, momentum=β)`, torch's form.
#
# ## 3. Nesterov's momentum: look ahead, then step
#
# The heavy ball takes the gradient where it *is*, then adds the momentum.
# Nesterov (1983, *A method of solving a convex programming problem with convergence
# rate $O(1/k^2)$*, Soviet Math. Dokl. 27(2), 372–376) does it the other way round: first let the momentum carry you,
# then take the gradient *there*:
#
# $$y_k = x_k + \beta\,(x_k - x_{k-1}), \qquad x_{k+1} = y_k - \alpha\,\nabla f(y_k).$$
#
# If the momentum is about to carry the ball up the opposite wall, the gradient at
# the look-ahead point $y_k$ already says so and brakes earlier. (Appendix A runs it,
# tuned, on section 1's bowl next to the heavy ball.)

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
# $f = \tfrac12(x^2 + 10y^2)$, with $\alpha = 0.08$ and $\beta = 0.9$ (a picture, not a
# run). The ball has just crossed the valley floor and is heading up the steep
# wall on the other side. The heavy ball adds the gradient step at $x_k$, where
# the slope is still gentle, to the momentum, and lands high on the wall: its $f$
# goes up. Nesterov first moves by the momentum to $y_k$, where the gradient is
# more than three times larger, and the gradient there pulls it back down: its $f$
# goes down (values printed below the cell):

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
# Substituting shows that its iterates $p_k$ are exactly Nesterov's look-ahead
# points $y_k$ (with $\alpha = \text{lr}$): the gradient is always taken at the
# iterate, which is what makes the form convenient for a framework. (Sutskever,
# Martens, Dahl & Hinton, 2013, write Nesterov's method as a velocity
# update whose gradient is taken at the look-ahead point $\theta + \mu v$; renaming
# that look-ahead point the iterate gives the form above. torch's documentation of
# `SGD` cites them and notes that torch keeps `lr` outside the buffer.) Checked:

# %%
lr, beta = 0.01, 0.8
trace = run(sgd(lr=lr, momentum=beta, nesterov=True), bowl, bowl.start, steps=100, tol=0)
assert np.allclose(trace.xs, nesterov(bowl.grad, bowl.start, lr, beta, steps=100), rtol=1e-10, atol=1e-15)
assert not np.allclose(trace.xs, heavy_ball(bowl.grad, bowl.start, lr, beta, steps=100))
print("sgd(nesterov=True) iterates are Nesterov's look-ahead points y_k; the heavy ball's differ")

# %% [markdown]
# Now against `torch.optim.SGD` itself, 10 steps on the bowl: the heavy ball at
# $(\alpha^\star, \beta^\star)$, and `nesterov=True` at lr = 0.012, $\beta = 0.8$ (any
# values would do; these differ from the check above only to test a second setting). When
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
# $\beta$ so that this window just holds the whole spectrum (that no pair does better
# in the worst case follows from a lower bound, at the end of this section):
# $\alpha\mu = (1 - \sqrt\beta)^2$ and $\alpha L = (1 + \sqrt\beta)^2$. Taking
# square roots, adding and subtracting:
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
assert np.isclose(momentum_rate(lr_star, beta_star, [mu, L]), rho_star, rtol=1e-6)
assert np.isclose(np.sqrt(beta_star), rho_star)
assert np.isclose(rho_star, 9 / 11) and np.isclose(rho_gd, 99 / 101)
print(f"steps per factor e: heavy ball {-1 / np.log(rho_star):.2f}, gradient descent {-1 / np.log(rho_gd):.2f}")
assert np.isclose(-1 / np.log(rho_star), 4.98, atol=0.01) and np.isclose(-1 / np.log(rho_gd), 50.0, atol=0.01)

lr_grid = np.geomspace(1e-3, 0.1, 241)
beta_grid = np.linspace(0, 0.99, 199)
rates = np.array([[momentum_rate(a, b, [mu, L]) for a in lr_grid] for b in beta_grid])
best = np.unravel_index(np.argmin(rates), rates.shape)
print(f"best on the grid: rate {rates[best]:.4f} at alpha = {lr_grid[best[1]]:.4f}, beta = {beta_grid[best[0]]:.3f}")
print(f"theory:           rate {rho_star:.4f} at alpha = {lr_star:.4f}, beta = {beta_star:.3f}")
assert np.isclose(lr_star * L, 3.306, atol=1e-3) and np.isclose(2 * (1 + beta_star), 3.339, atol=1e-3)
assert rates.min() >= rho_star - 1e-6                                      # nothing on the grid beats it
assert rates[best] < rho_star * 1.01                                       # and the grid gets close to it
assert abs(np.log(lr_grid[best[1]] / lr_star)) < 0.05 and abs(beta_grid[best[0]] - beta_star) < 0.02
window_09 = ((1 - np.sqrt(0.9)) ** 2 / mu, (1 + np.sqrt(0.9)) ** 2 / L)              # beta = 0.9: complex roots in here
assert np.isclose(momentum_rate(0.01, 0.9, [mu, L]), np.sqrt(0.9)) and window_09[0] < 0.01 < window_09[1]
assert 0.002 < window_09[0] and momentum_rate(0.002, 0.9, [mu, L]) > np.sqrt(0.9) + 0.02   # left of it: slower

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
shown = np.ma.masked_where(rates >= 1, rates)
mesh = ax.pcolormesh(lr_grid, beta_grid, shown, cmap=style.FIELD_CMAP, shading="auto",
                     norm=PowerNorm(gamma=4, vmin=rho_star, vmax=1))      # spreads the colours near 1
ax.contourf(lr_grid, beta_grid, rates >= 1, levels=[0.5, 1.5], colors=[style.DIVERGED_COLOR])
rate_levels = ax.contour(lr_grid, beta_grid, rates, levels=[0.9, 0.95, 0.98, 0.99], colors="white", linewidths=0.7)
ax.clabel(rate_levels, fmt="%.2f", fontsize=7,               # one label per level, inside the axes
          manual=[(0.0168, 0.749), (0.0062, 0.832), (0.0133, 0.33), (0.0063, 0.365)])
ax.set_xscale("log")
ax.plot(lr_star, beta_star, **style.MINIMUM_STYLE, label=f"$(\\alpha^\\star, \\beta^\\star)$: rate {rho_star:.3f}")
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
# $\mu$ are real and the rate is worse, which is why the contours bend down there. The star sits close to the edge of
# divergence: $\alpha^\star L = 3.306$ against the edge $2(1 + \beta^\star) = 3.339$, 1%
# further (dark grey: the edge is $\alpha L = 2(1 + \beta)$, section 6; momentum *raises* the
# largest stable step). Step 1% too far right and the run diverges; step left and the
# rate rises quickly. (The colour scale is stretched near 1, so that the slow rates
# along the bottom edge, gradient descent's, show their structure.)
#
# **The two roots in the complex plane.** Fix $\beta = \beta^\star$ and let
# $a = \alpha\lambda$ grow. At $a = 0$ the polynomial is $(z - 1)(z - \beta)$: two
# real roots, 1 and $\beta$. They move towards each other and meet at $\sqrt\beta$
# when $a = (1 - \sqrt\beta)^2$; across the window they are complex conjugates and
# travel along the circle of radius $\sqrt\beta$; at $a = (1 + \sqrt\beta)^2$ they
# meet again at $-\sqrt\beta$, then split along the negative axis until one reaches
# $-1$ at $a = 2(1 + \beta)$, section 6's edge. The optimal $\alpha^\star$ puts
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
        alpha=0.35, label=f"circle of radius $\\sqrt{{\\beta^\\star}}$ = {rho_star:.3f} (wide band)")
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
       title=f"Roots of $z^2 - (1 + \\beta - a) z + \\beta$, $\\beta = \\beta^\\star$ = {beta_star:.3f}")
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5));

# %% [markdown]
# ### One coordinate at a time: where the rise of section 2 comes from
#
# Our bowl is diagonal, so its eigen-coordinates are the coordinates themselves:
# $x_k[0]$ along the valley ($\lambda = \mu = 1$) and $x_k[1]$ across it
# ($\lambda = L = 100$). Plotting $|z_k|$ for each on a log scale, as Goh does in
# *Why Momentum Really Works* (Distill, 2017), separates what the loss mixes up.
#
# At $(\alpha^\star, \beta^\star)$ the window of the last paragraph touches both
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
                markevery=5, label="heavy ball, $(\\alpha^\\star, \\beta^\\star)$")
    ax.semilogy(k, np.abs(ball[0, axis]) * rho_star**k, color="black", linestyle=":", linewidth=1,
                label="$(\\rho^\\star)^k |z_0|$")
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
#
# No method that moves only along the gradients it has computed can beat this
# order in the worst case (Nesterov, 2004, Theorem 2.1.13); appendix E states the
# bound precisely, explains why it covers Nesterov's look-ahead method too, and why it
# makes $(\alpha^\star, \beta^\star)$ the best heavy-ball pair.

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
# **Nesterov on a quadratic** has best parameters of its own, given in closed form
# by Lessard, Recht & Packard (2016); its best rate at $\kappa = 100$, 0.885, lies
# between the heavy ball's 0.818 and gradient descent's 0.980. Appendix A at the
# end of the chapter checks them and says where Nesterov's method earns its fame
# (functions that are not quadratics).
# On a quadratic, Nesterov's method stays stable only below a smaller step-size limit
# than the heavy ball's (section 6). Sutskever, Martens, Dahl & Hinton (2013, *On the importance
# of initialization and momentum in deep learning*, ICML) raise $\beta$
# during training up to a cap that they tune, with nonzero values from 0.9 to 0.999.
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
assert 4e-6 < distance_150[0.81] < 8e-6
assert 0.115 < distance_150[0.5] < 0.125 and 0.165 < distance_150[0.97] < 0.175   # 0.12 and 0.17, quoted below

# %%
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
for b, name, color, ls in zip(examples, ["overdamped", "critically damped", "underdamped"],
                              [COLORS["sky_blue"], style.color_for("heavy_ball"), COLORS["reddish_purple"]],
                              ["--", "-", ":"]):
    ax.semilogy(np.linalg.norm(paths[b].xs, axis=1), color=color, linestyle=ls, linewidth=1.6,
                label=f"$\\beta$ = {b}: {name}")
ax.set(xlabel="step $k$", ylabel="distance to the minimum",
       title=f"Three values of $\\beta$ at $\\alpha$ = {lr}: the distance $\\|x_k\\|$")
ax.legend(fontsize=8, loc="lower left");

# %% [markdown]
# The measured rates lie on the theory curve, V-shaped (a curved left branch, a
# $\sqrt\beta$ right branch) with its tip at critical damping.
# Left of it, more momentum helps; right of it, the rate is $\sqrt\beta$ and every bit
# of extra momentum costs. The distances (bottom) show the three regimes: at
# $\beta = 0.5$ the ball creeps towards the minimum along the valley without ever
# passing it (its coordinate along the valley never changes sign, asserted above),
# 0.12 away after 150 steps; at $0.81$ it is about $5.5\times10^{-6}$ away; at $0.97$ it swings
# past the minimum again and again, the distance rising and falling in long
# waves, 0.17 away after 150 steps.
# A rule of thumb, not a theorem: when a loss curve oscillates in long waves, too much
# momentum is one possible cause, besides a learning rate near the edge of stability (on a quadratic these are the complex roots of section 4,
# of modulus $\sqrt\beta$, so close to 1 that the swings die out slowly).
#
# ## 6. How large a step is stable? Gradient descent, heavy ball, Nesterov
#
# The rate map's dark edge, $\alpha L = 2(1 + \beta)$, is one of three stability
# limits worth knowing exactly. On one eigen-direction (write $a = \alpha\lambda$)
# each method is a two-term recurrence $z_{k+1} = -a_1 z_k - a_0 z_{k-1}$ with
# characteristic polynomial $z^2 + a_1 z + a_0$:
#
# - heavy ball: $a_1 = -(1 + \beta - a)$, $a_0 = \beta$ (section 4); gradient descent
#   is $\beta = 0$;
# - Nesterov: in a direction, $y_k = x_k + \beta(x_k - x_{k-1})$ and
#   $x_{k+1} = (1 - a)\,y_k$, so $x_{k+1} = (1 + \beta)(1 - a)\,x_k - \beta(1 - a)\,x_{k-1}$:
#   $a_1 = -(1 + \beta)(1 - a)$, $a_0 = \beta(1 - a)$. (The look-ahead points $y_k$ are
#   combinations of two $x$'s, so they converge or diverge with them.)
#
# Both roots of a real $z^2 + a_1 z + a_0$ lie inside the unit circle exactly when
# $|a_0| < 1$ and $|a_1| < 1 + a_0$ (the Jury, or Schur–Cohn, test for degree 2;
# E. I. Jury, 1964, *Theory and Application of the z-Transform Method*, Wiley; the code below
# also checks it numerically).
# For the heavy ball that reads $|1 + \beta - a| < 1 + \beta$, i.e.
# $0 < a < 2(1 + \beta)$. For Nesterov, with $s = 1 - a$: if $s \ge 0$ the condition
# is $(1 + \beta)s < 1 + \beta s$, i.e. $a > 0$; if $s < 0$ it is
# $-(1 + \beta)s < 1 + \beta s$, i.e. $s > -1/(1 + 2\beta)$; and $|a_0| < 1$ then
# holds by itself. So
#
# | method | stable when ($a = \alpha\lambda$ for every eigenvalue $\lambda$) | at $\beta = 0.9$ |
# | --- | --- | --- |
# | gradient descent | $0 < a < 2$ | 2 |
# | heavy ball | $0 < a < 2(1 + \beta)$ | 3.8 |
# | Nesterov | $0 < a < 2(1 + \beta)/(1 + 2\beta)$ | 1.357 |
#
# Momentum *raises* the heavy ball's limit, but it *lowers* Nesterov's:
# $2(1 + \beta)/(1 + 2\beta) < 2$ for every $\beta > 0$, falling to $4/3$ as
# $\beta \to 1$. (In torch's form, $\alpha$ is `lr`.) Checked by the eigenvalues of
# the $2\times2$ iteration matrices, on a fine grid of $a$:

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

a_pays = 1 - np.sqrt(0.9)                                      # below it, |1 - a| > sqrt(0.9): gradient descent is worse
assert np.isclose(a_pays, 0.0513, atol=1e-4)
assert all(spectral_radius("heavy_ball", a, 0.9) < spectral_radius("gd", a, 0.0) for a in np.geomspace(1e-3, 0.05, 50))
assert all(np.isclose(spectral_radius("heavy_ball", a, 0.9), np.sqrt(0.9)) for a in np.linspace(0.003, 3.78, 50))
fig, ax = plt.subplots(figsize=(7.5, 4.2))
a_plot = np.geomspace(0.001, 4.2, 2000)
ax.axvspan(0.001, a_pays, color="0.9", zorder=0, label=f"$a$ < {a_pays:.3f}: the heavy ball beats gradient descent")
inset = ax.inset_axes([0.1, 0.07, 0.36, 0.34])               # zoom on the small steps, below the curves
for method, name, ls, lw in [("gd", "gradient descent", "-", 1.6), ("heavy_ball", "heavy ball, $\\beta$ = 0.9", "--", 2.6),
                             ("nesterov", "Nesterov, $\\beta$ = 0.9", "-.", 1.4)]:
    b = 0.0 if method == "gd" else 0.9
    rates = [spectral_radius(method, a, b) for a in a_plot]
    ax.plot(a_plot, rates, color=style.color_for(method), linestyle=ls, linewidth=lw,
            label=f"{name}: stable below {limit_formula[method](b):.3g}")
    inset.plot(a_plot, rates, color=style.color_for(method), linestyle=ls, linewidth=lw)
inset.axvspan(0.001, a_pays, color="0.9", zorder=0)
inset.set(xscale="log", xlim=(0.001, 0.2), ylim=(0.9, 1.005))
inset.set_title("zoom: $a$ from 0.001 to 0.2, rate from 0.9 to 1", fontsize=8)
inset.tick_params(labelsize=7)
ax.axhline(1, color="black", linewidth=0.8, linestyle=":")
ax.set(xlabel="$a = \\alpha\\lambda$ (step size times eigenvalue, log scale)", ylabel="rate: largest $|$root$|$",
       xscale="log", xlim=(0.001, 4.2), ylim=(0, 2), title="Stable steps on one eigen-direction (above 1: diverges)")
ax.legend(fontsize=8, loc="upper left");

# %% [markdown]
# Each curve stays under 1 below its limit and crosses 1 there (the $a$-axis is
# logarithmic, so that small steps get room). The heavy ball's curve sits at
# $\sqrt\beta \approx 0.95$ for $a$ between $(1 - \sqrt\beta)^2 \approx 0.003$ and
# $(1 + \sqrt\beta)^2 \approx 3.79$ (complex roots, section 4), while gradient descent
# does better than 0.95 for $a$ between 0.05 and 1.95. In the shaded strip (the inset
# zooms in on it),
# $a < 1 - \sqrt{0.9} \approx 0.051$, the heavy ball is the faster one (and above
# 1.95, where gradient descent nears or passes its limit): momentum pays on the
# directions with small $\alpha\lambda$, the shallow ones, and that is why $\beta$
# has to be matched to the spectrum.
#
# **What it means for a real function.** Near a minimum the Hessian is what
# matters: a run can only settle at a minimum where $\alpha\lambda_{\max}$ is inside
# the method's interval. At Rosenbrock's minimum $(1, 1)$ (section 9) the Hessian's
# largest eigenvalue is about 1001.6, so the largest learning rates that can settle
# there are:

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
# Gradient descent can settle there with `lr` up to 0.0020, the heavy ball with
# $\beta = 0.9$ up to 0.0038, Nesterov with $\beta = 0.9$ only up to 0.00135. So if
# you keep a learning rate that gradient descent tolerates and add $\beta = 0.9$,
# the minimum stays stable for the heavy ball but **may not for Nesterov**: take at most
# $(1 + \beta)/(1 + 2\beta) \approx 0.68$ of gradient descent's limit. Section 9
# tries `lr` = 0.0015, between the two. These limits are about the minimum: at the
# start $(-1.2, 1)$ the largest eigenvalue is about 1506 (printed), so there the same
# steps are less safe.
#
# ## 7. Momentum with noisy gradients
#
# Chapter 04 trained with mini-batch gradients $g = \nabla L + \xi$, where the noise
# $\xi$ has mean 0 and, near the minimum, covariance $\Sigma^\star/b$ for batches of
# $b$ examples drawn at random. With a constant step, SGD settled into a noise ball
# with $\mathbb{E}[L - L^\star] \approx \eta\,\operatorname{tr}\Sigma^\star/(4b)$.
# What does momentum do to it?
#
# *Roadmap.* After a formula for the noise floor, three comparisons: at a **fixed noise
# floor**, which method is faster (the frontier on the noisy bowl); three single
# settings on the same bowl, one of them at gradient descent's **fixed effective step**;
# and on chapter 04's regression, a **fixed learning rate** against a fixed effective
# step.
#
# On one eigen-direction of the Hessian (eigenvalue $\lambda$, noise variance $s^2$
# per step along it), the heavy ball becomes
# $z_{k+1} = (1 + \beta - \alpha\lambda) z_k - \beta z_{k-1} - \alpha\xi_k$, a linear
# recurrence driven by independent kicks. Its stationary variance (derived from two
# moments in appendix D, and checked numerically below) is
#
# $$\mathbb{E}[z^2] = \frac{\alpha (1 + \beta)\, s^2}{(1 - \beta)\,\lambda\,\big(2(1 + \beta) - \alpha\lambda\big)}
# \;\approx\; \frac{\alpha\, s^2}{2(1 - \beta)\,\lambda} \quad (\alpha\lambda \ll 1),$$
#
# so this direction adds $\tfrac12\lambda\,\mathbb{E}[z^2] \approx \alpha s^2 / (4(1 - \beta))$
# to the loss. Summed over the directions:
#
# $$\mathbb{E}[L - L^\star] \approx \frac{\alpha}{1 - \beta}\cdot\frac{\operatorname{tr}\Sigma^\star}{4b},$$
#
# chapter 04's noise ball with $\eta$ replaced by the **effective step**
# $\alpha/(1 - \beta)$. The reason is the buffer of section 2: it sums the
# gradients, noise included, so each noise kick is eventually applied
# $1/(1 - \beta)$ times. Two consequences:
#
# - at a **fixed** $\alpha$, raising $\beta$ raises the noise floor by $1/(1 - \beta)$:
#   ten times at $\beta = 0.9$;
# - at a fixed **effective** step $\alpha/(1 - \beta)$, the floor is the same as plain
#   SGD's with $\eta = \alpha/(1 - \beta)$: momentum neither helps nor hurts against
#   the noise (to first order in $\alpha\lambda$). Its gain is against ill
#   conditioning, sections 1–5.
#
# Which comparison is fair, then? At a fixed $\alpha$ momentum pays a floor
# $1/(1 - \beta)$ times higher; at a fixed effective step it can lose its speed
# (below). Neither is the question a user faces: **for a given noise floor, how fast
# can each method get there?** We answer that first, then look at single settings
# that show where the answer comes from. But first an independent check of the
# variance formula: sum the squared impulse response of the $2\times2$ recurrence (a
# kick of size 1 at step 0, followed for 20,000 steps), which is
# $\mathbb{E}[z^2]/(\alpha^2 s^2)$:

# %%
def stationary_variance(lr, beta, lam, s2=1.0):
    """E[z^2] of z_{k+1} = (1 + beta - lr lam) z_k - beta z_{k-1} - lr xi_k, Var(xi) = s2 (the formula above)."""
    return lr * (1 + beta) * s2 / ((1 - beta) * lam * (2 * (1 + beta) - lr * lam))


for lr_, beta_, lam_ in [(0.02, 0.0, 1.0), (0.02, 0.9, 1.0), (0.005, 0.9, 0.5), (0.3, 0.5, 3.0)]:
    T = iteration_matrix("heavy_ball", lr_ * lam_, beta_)
    kick, total = np.array([1.0, 0.0]), 0.0
    for _ in range(20_000):
        total += kick[0] ** 2
        kick = T @ kick
    assert np.isclose(lr_**2 * total, stationary_variance(lr_, beta_, lam_), rtol=1e-9)

# %% [markdown]
# ### The fair comparison: for a given floor, how fast?
#
# Back to the bowl ($\kappa = 100$), now with a unit Gaussian kick added to each
# gradient coordinate at every step. For any $(\alpha, \beta)$, the formula above
# summed over $\lambda = \mu$ and $\lambda = L$ gives the floor (no
# small-$\alpha\lambda$ approximation needed), and section 4 gives the rate. So over a
# grid of $(\alpha, \beta)$ (only $\beta = 0$ for gradient descent), keep the stable
# settings whose floor is at most a target, and take the one with the best rate. Two
# targets: 0.505, the floor of gradient descent at $2/(L + \mu)$, and 0.011, a lower
# floor met again below. Then simulate the chosen pairs (200 runs of 800 steps, floor =
# mean loss over steps 400–800, on three seeds) and count the steps until the mean
# loss is below twice the target. The simulator and the grid search sit in a collapsed
# helper cell; the cells after it run the comparison:

# %% jupyter={"source_hidden": true}
# Helper code for the fair comparison (the noisy bowl, the floor formula, the grid search): you may skip it.
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


A_, B_ = np.meshgrid(np.geomspace(1e-4, 0.04, 600), np.linspace(0, 0.99, 500))
stable_ = A_ * L < 2 * (1 + B_)                                    # section 6's edge
rate_ = np.where(stable_, np.maximum(root_modulus(A_, B_, mu), root_modulus(A_, B_, L)), np.inf)
with np.errstate(divide="ignore", invalid="ignore"):
    floor_ = np.where(stable_, sum(0.5 * lam * stationary_variance(A_, B_, lam) for lam in curvatures), np.inf)
assert np.isclose(rate_[0, np.argmin(np.abs(A_[0] - 0.01))], 0.99, atol=1e-3)   # beta = 0: rate 1 - alpha mu


def fastest(target, gradient_descent=False):
    """(alpha, beta, rate, floor) of the best rate on the grid among floors <= target."""
    allowed = (floor_ <= target) & ((B_ == 0) if gradient_descent else True)
    i = np.unravel_index(np.argmin(np.where(allowed, rate_, np.inf)), rate_.shape)
    return A_[i], B_[i], rate_[i], floor_[i]


def steps_per_e(rate):
    return -1 / np.log(rate)


def bowl_floor(lr, beta):
    """The formula's floor on the noisy bowl: sum over its two eigenvalues of lambda E[z^2] / 2."""
    return sum(0.5 * lam * stationary_variance(lr, beta, lam) for lam in curvatures)


# %%
matches = {"gradient descent's floor at $2/(L+\\mu)$": bowl_floor(2 / (L + mu), 0.0),
           "the lower floor": bowl_floor((1 - beta_star) * 2 / (L + mu), beta_star)}
assert np.allclose(list(matches.values()), [0.505, 0.011], atol=(0.001, 0.0005))
measured_match = {}
for what, target in matches.items():
    settings_ = {"gd": fastest(target, True), "hb": fastest(target)}
    reach_, floors_ = {m: [] for m in settings_}, {m: [] for m in settings_}
    for m, (lr_, beta_, rate_m, floor_m) in settings_.items():
        for seed in (1, 2, 3):
            losses = noisy_bowl(lr_, beta_, seed=seed)
            floors_[m].append(losses[400:].mean() / floor_m)            # simulated floor / the formula's
            reach_[m].append(int(np.argmax(losses < 2 * target)) + 1)   # first step below twice the target
    measured_match[what] = dict(settings=settings_, reach=reach_, floor_ratios=floors_)
    (a_g, _, r_g, f_g), (a_h, b_h, r_h, f_h) = settings_["gd"], settings_["hb"]
    print(f"floor <= {target:.3f}: gradient descent lr {a_g:.4f} (floor {f_g:.3f}), rate {r_g:.4f},"
          f" {steps_per_e(r_g):.0f} steps per factor e, below 2x the target after {reach_['gd']} steps (seeds 1-3)")
    print(f"{'':17} heavy ball alpha {a_h:.4f}, beta {b_h:.3f} (floor {f_h:.3f}), rate {r_h:.4f},"
          f" {steps_per_e(r_h):.1f} steps per factor e, after {reach_['hb']} steps")


# %%
targets = np.geomspace(0.003, 1.0, 40)
frontier = {m: np.array([steps_per_e(fastest(t, m == "gd")[2]) for t in targets]) for m in ("gd", "hb")}
gain = frontier["gd"] / frontier["hb"]
print(f"speed-up in steps per factor e, from floor {targets[-1]:.1f} down to {targets[0]:.3f}:"
      f" {gain[-1]:.1f}x ... {gain[0]:.1f}x")

fig, ax = plt.subplots(figsize=(7.5, 4.2))
ax.loglog(targets, frontier["gd"], color=style.color_for("gd"), marker="o", markevery=4, markersize=5,
          label="gradient descent, best lr for the floor")
ax.loglog(targets, frontier["hb"], color=style.color_for("heavy_ball"), linestyle="--", marker="s", markevery=4,
          markersize=5, label="heavy ball, best $(\\alpha, \\beta)$ for the floor")
for (what, r), marker in zip(measured_match.items(), ["D", "^"]):
    for m, color in [("gd", style.color_for("gd")), ("hb", style.color_for("heavy_ball"))]:
        _, _, rate_m, floor_m = r["settings"][m]
        ax.plot(floor_m, steps_per_e(rate_m), marker, color=color, markersize=9, markeredgecolor="black",
                zorder=5)
    ax.plot([], [], marker, color="white", markeredgecolor="black", markersize=9, linestyle="none",
            label=f"simulated pair, floor $\\leq$ {matches[what]:.3g}")
ax.set(xlabel="noise floor: stationary mean loss (formula)", ylabel="steps per factor $e$ (slowest direction)",
       title="$\\kappa$ = 100, unit noise: the fastest setting for each floor")
ax.legend(fontsize=8, loc="upper right");

# %% [markdown]
# At every floor in the range, the heavy ball's best setting is faster than gradient
# descent's best. For a floor of at most 0.505, the heavy ball with
# $(\alpha, \beta) \approx (0.032, 0.68)$ converges at 0.82 per step, gradient descent
# at best at 0.98 (with lr 0.0197, a hair below $2/(L + \mu)$, where its floor is
# already down to 0.30). In the simulation (seeds 1–3) the heavy ball's mean loss
# falls below twice the target after 14 steps, gradient descent's after 67–69. For the
# floor 0.011, the best heavy ball, $(0.0017, 0.92)$, needs 106 steps and gradient
# descent 227 (the big markers are these pairs, in each
# method's colour). The gain shrinks as the floor goes down (the ratio of steps per
# factor $e$ falls from about 10 to about 2 over the plot), because a low
# floor needs a small effective step, and that slows the heavy ball too. By the
# formulas the ratio tends to 2 as the floor goes to 0 (2.10, 2.01 and 2.00 at
# floors $10^{-3}$, $10^{-4}$, $10^{-6}$): for a small effective step $\eta$ gradient
# descent converges at about $1 - \eta\mu$ per step, and the fastest heavy ball with
# the same floor has about the same effective step and is critically damped along
# $\mu$, $(1 - \sqrt\beta)^2 = \alpha\mu$; with $\alpha = \eta(1 - \beta)$ that gives
# $1 - \sqrt\beta = \eta\mu(1 + \sqrt\beta) \approx 2\eta\mu$, twice as fast. So with
# noisy gradients the heavy ball still trades speed against the floor, but on this
# ill-conditioned problem it trades along a better curve.
#
# **Takeaway (fixed floor):** on this ill-conditioned bowl, for the same noise floor
# the best heavy ball is faster than the best gradient descent, by a factor that
# shrinks towards 2 as the floor goes to 0.

# %% jupyter={"source_hidden": true}
# Checks of the numbers quoted above (regression pins): you may skip this cell.
first, second = measured_match.values()
for r in measured_match.values():
    assert all(abs(q - 1) < 0.1 for m in r["floor_ratios"] for q in r["floor_ratios"][m])   # formula's floor, simulated
assert np.allclose(first["settings"]["hb"][:3], (0.032, 0.68, 0.82), atol=(0.002, 0.02, 0.01))
assert np.allclose(second["settings"]["hb"][:3], (0.0018, 0.92, 0.957), atol=(0.0003, 0.02, 0.005))
assert max(first["reach"]["hb"]) <= 18 and 55 <= min(first["reach"]["gd"])      # 14 against about 68
assert 180 <= min(second["reach"]["gd"]) and max(second["reach"]["hb"]) <= 125  # 227 against 106
assert np.allclose(first["settings"]["gd"], (0.0197, 0.0, 0.980, 0.30), atol=(0.0002, 0, 0.001, 0.01))
assert 4 < min(first["reach"]["gd"]) / max(first["reach"]["hb"]) and max(first["reach"]["gd"]) / min(first["reach"]["hb"]) < 6
assert 1.8 < min(second["reach"]["gd"]) / max(second["reach"]["hb"]) and max(second["reach"]["gd"]) / min(second["reach"]["hb"]) < 2.5
assert np.all(frontier["hb"] < frontier["gd"])                   # at every floor in range, momentum is faster
assert 9 < gain[-1] < 11 and 1.8 < gain[0] < 2.6


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
# ### Three single settings: where the speed goes
#
# Three fixed settings on the same noisy bowl show the trade at work: gradient
# descent at $2/(L + \mu)$; the heavy ball at its deterministic optimum
# $(\alpha^\star, \beta^\star)$, whose effective step $\alpha^\star/(1 - \beta^\star)$ is
# 0.1; and the heavy ball with the same $\beta^\star$ but gradient descent's effective
# step, 0.0198:

# %%
ill = {}
for name, lr_, beta_ in [("gradient descent, $2/(L+\\mu)$", 2 / (L + mu), 0.0),
                         ("heavy ball, $(\\alpha^\\star, \\beta^\\star)$", lr_star, beta_star),
                         ("heavy ball, $\\beta^\\star$, effective step $2/(L+\\mu)$", (1 - beta_star) * 2 / (L + mu),
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

# %% jupyter={"source_hidden": true}
# Checks of the numbers quoted below (regression pins): you may skip this cell.
for r in ill.values():
    assert abs(r["floor"] / r["predicted"] - 1) < 0.1                  # the formula, within 10%
assert 4 < hb_["floor"] / gd_["floor"] < 6                                 # fast, but a 5x higher floor
assert hb_["reach"] < gd_["reach"] / 3 and gd_["reach"] > 100
assert np.isclose(matched_["predicted"], matches["the lower floor"])      # the second target of the frontier
assert abs(slow_matched - slow_gd) < 0.005                                 # no sqrt(kappa) speed-up left
assert abs(floor_one_over_L - 0.0075) < 1e-4 and matched_["floor"] < gd_["floor"] / 10

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for (name, r), color, ls, marker in zip(ill.items(), [style.color_for("gd"), style.color_for("heavy_ball"),
                                                        COLORS["reddish_purple"]], ["-", "--", "-."], ["o", "s", "^"]):
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
# $\sqrt\kappa$ advantage is gone. Its floor is then lower, 0.011 (the frontier's
# second target), but not thanks to momentum as such: gradient descent at
# $2/(L + \mu)$ sits at the edge of stability across the valley ($\alpha L = 1.98$),
# where each kick echoes for a long time; a smaller step would lower its floor too (to
# 0.0075 at $1/L$, by the formula, at half the speed along the valley).
#
# **Takeaway (single settings):** the tuned heavy ball nears its floor sooner, but its
# floor is higher; with gradient descent's effective step its speed along the valley
# is gradient descent's.
#
# ### A check of the formula: the floor follows the effective step
#
# The formula's second consequence, measured on chapter 04's regression (1000
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

# %% jupyter={"source_hidden": true}
# Checks of the claims below, and the same comparison on three more seeds: you may skip reading this cell.
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
    ax.legend(fontsize=8, loc="upper right", title="dotted: the formula, $\\alpha\\,\\mathrm{tr}\\,\\Sigma^\\star / (4b(1-\\beta))$",
              title_fontsize=8)
axes[0].set_ylabel("$L - L^\\star$, mean of 20 runs\n(running mean over the last $k/10$ steps, at most 100)")
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
# $(1 - \sqrt{0.9})^2 = 0.0026$, so its roots are complex (section 4): it is
# underdamped and overshoots (section 5), while $\beta = 0.5$ has real roots. On this
# well-conditioned problem ($\kappa = 1.1$), once that transient has passed, momentum
# gives the noise floor of gradient descent with the same effective step. So when you
# add momentum to SGD, multiply the learning rate by $1 - \beta$ to keep the same
# noise level; to shrink the ball, decay the step or grow the batch, as in chapter 04.
#
# **Takeaway (fixed learning rate against fixed effective step):** adding momentum at
# a fixed $\alpha$ raises the floor about $1/(1 - \beta)$-fold; at a fixed effective
# step $\alpha/(1 - \beta)$ the floor stays that of gradient descent.
#
# What momentum cannot do, then, is lower the floor for free: to first order in
# $\alpha\lambda$ the floor depends only on the effective step. Its gain is speed on
# an ill-conditioned problem, at a given floor. The noise here is *additive*: a kick of the
# same size whatever the iterate. Kidambi, Netrapalli, Jain & Kakade (2018, *On the
# insufficiency of existing momentum schemes for stochastic optimization*, ICLR)
# study a different model, stochastic least squares with gradients from sampled
# examples, where the noise depends on the data and the iterate, and show instances
# there on which the heavy ball and Nesterov, with their best parameters, do no
# better than SGD. Which of the two pictures a given training run resembles is not
# something these small problems settle.
#
# ## 8. Momentum and local minima
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


crossings = {b: hilltop_crossings(b) for b in (0.9, 0.97, 0.98, 0.99)}
print("hilltop crossings:", crossings)
assert crossings[0.9] == crossings[0.97] == 1 and crossings[0.98] == 2 and crossings[0.99] == 4

# %%
fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.3])
plotting.plot_function(double_well, ax=ax)
ax.plot(x0, double_well.f(np.array([x0])), color="black", markerfacecolor="white", markeredgecolor="black",
        **{k: v for k, v in style.START_STYLE.items() if k != "markerfacecolor"}, label="start $x_0$ = 1.75")
ax.axhline(double_well.f(np.array([rim])), color="black", linestyle=":", linewidth=1, label="height of the hilltop")
ax.legend(fontsize=8, loc="upper center")
shades = {0.0: style.color_for("gd"), 0.8: COLORS["sky_blue"], 0.9: style.color_for("heavy_ball"),
          0.99: COLORS["reddish_purple"]}
for i, (beta, color) in enumerate(shades.items()):
    tr = run(sgd(lr=lr, momentum=beta) if beta else sgd(lr=lr), double_well, x0, steps=400, tol=0)
    ax_t.plot(tr.xs[:, 0], color=color, linestyle=["-", "--", "-.", ":"][i], marker="osD^"[i],
              markevery=(10 + 12 * i, 50), markersize=5, label=f"$\\beta$ = {beta}: {final_minimum(beta)}")
ax_t.axhline(local_min, color="black", linewidth=0.8, linestyle="--")
ax_t.axhline(global_min, color="black", linewidth=0.8, linestyle="--")
ax_t.axhline(rim, color="black", linewidth=0.8, linestyle=":")
for height, text in [(local_min, "local min."), (global_min, "global min."), (rim, "hilltop")]:
    ax_t.text(1.01, height, text, ha="left", va="center", fontsize=8, transform=ax_t.get_yaxis_transform())
ax_t.set(xlabel="step $k$", ylabel="$x_k$", title=f"Heavy ball from $x_0$ = 1.75, lr = {lr}")
ax_t.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2);

# %% [markdown]
# The energy picture explains it. The start is higher than the hilltop (dotted line),
# so a ball *without friction* would roll over it. Gradient descent is all friction:
# it forgets its speed after every step and stops in the first dip. The heavy ball
# loses a share $1 - \beta$ of its speed per step: with $\beta \ge 0.88$ it keeps
# enough to cross. With $\beta$ above 0.97 it keeps so much that it swings back
# over the hilltop (it crosses it twice at $\beta = 0.98$, four times at 0.99), and
# where it finally comes to rest is a matter of timing.
#
# And a ball released *below* the height of the hilltop never got past it: from
# three such starts, for all 100 values of $\beta$ in the scan, every run comes to
# rest in the local minimum and no iterate of any path is left of $x = 0.3$ (the
# hilltop is at 0.17; asserted above along the whole path, not just at its end).
# For a ball in continuous time with friction that is a law: its energy only
# decreases, so released at rest below the hilltop it can never climb over it. The
# discrete heavy ball has a guarantee of this kind for small enough steps
# (Appendix C), not for every step. Our scan is an observation about this
# function and this step size, not a theorem; Appendix C shows a larger step with
# which iterates started below the hilltop do get past it, because a coarse step can
# add energy.
#
# So momentum is not a method for finding global minima. It helps on long slopes
# and narrow valleys, and it may carry the iterate over small bumps; which minimum it
# ends in still depends on the start, the step size and $\beta$.
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
assert all(abs(tr.xs[50, 1] - tr.xs[50, 0] ** 2) < 0.03 for tr in races.values())  # near its floor y = x^2

# %%
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
ax_loss.set_xlabel("step $k$ (linear up to 100, then log scale)")
ax_loss.set_title(f"Loss, 20,000-step budget (lr = {lr}, $\\beta$ = {beta})");

# %% [markdown]
# All three drop into the valley within 50 steps (the loss falls five-fold, and at
# step 50 each iterate is within 0.03 of the valley floor $y = x^2$); the
# difference is the walk along it. The marks show it: at step 1000 both momentum
# methods are at the minimum (on the star), and already at step 300 they are near
# $(0.85, 0.75)$, where gradient descent arrives only at step 3,000; at step 1000
# gradient descent has only just rounded the bend, at about $(0.33, 0.10)$. Both momentum methods meet the tolerance in about
# 3,000 steps; gradient descent has not met it after 20,000 (its $f$ is about
# $2\cdot10^{-8}$ and still falling).
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
# Move the **step size α** and **momentum β** sliders, tick **Nesterov**, and pick
# the surface: the quadratic with $\kappa = 100$ or Rosenbrock. The orange path is
# the heavy ball (reddish purple with Nesterov ticked), the faint blue one plain
# gradient descent with the same step size. At the opening step $\alpha^\star = 0.033$,
# above its limit $2/L = 0.02$, gradient descent diverges and leaves the plot within a
# few steps: that is expected (section 6). On
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
# 1. **Quadratic**: the explorer opens at $(\alpha^\star, \beta^\star)$. Lower β
#    below $\alpha^\star L/2 - 1 = 0.65$ (printed below): the run diverges
#    ($\alpha^\star L = 3.31$ is stable only while $2(1 + \beta) > 3.31$, section 6). Raise it: the spiral of too much momentum,
#    and the measured rate follows $\sqrt\beta$.
# 2. **Quadratic**: set β = 0 and find gradient descent's best α; then add momentum
#    with that α and watch the number of steps fall.
# 3. **Quadratic**: click a start on the $x$-axis, then one on the $y$-axis. Which
#    eigen-direction is the slow one, and does momentum help both?
# 4. **Rosenbrock**: keep β = 0.9 and raise α until the run no longer converges,
#    with and without Nesterov. Compare with section 6's limits at the minimum,
#    0.0038 and 0.00135 (on the way there the curvature can be larger, 1506 at the
#    start against 1001.6 at the minimum, section 6, so a run can fail below them).
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
#   The heavy ball's loss can rise first (13-fold here): a double root makes an
#   eigen-coordinate behave like $(c_1 + c_2 k)\rho^k$. In the worst case no method
#   that steps in the span of past gradients beats the $\sqrt\kappa$ order
#   (Nesterov 2004, Theorem 2.1.13).
# - Too little momentum crawls (overdamped), too much spirals (underdamped, rate
#   $\sqrt\beta$); the best is in between.
# - Stable steps on a quadratic: $\alpha\lambda_{\max} < 2$ (gradient descent),
#   $< 2(1 + \beta)$ (heavy ball), $< 2(1 + \beta)/(1 + 2\beta)$ (Nesterov, 1.357 at
#   $\beta = 0.9$: smaller than gradient descent's).
# - With noisy gradients the noise floor is chapter 04's with the effective step
#   $\alpha/(1 - \beta)$: at a fixed $\alpha$ momentum raises it by $1/(1 - \beta)$, at
#   a fixed effective step it leaves it unchanged. On the ill-conditioned bowl with
#   additive noise, tuned for the same floor, the heavy ball still gets there
#   sooner (about 5 times at a floor of 0.5, 2 times at 0.011).
# - Tuning, from what this chapter derived: when you change $\beta$, keep the
#   effective step $\alpha/(1 - \beta)$ to keep the noise floor (section 7); with
#   Nesterov, take at most $(1 + \beta)/(1 + 2\beta)$ of gradient descent's largest
#   stable lr (section 6); on a quadratic whose $\mu$ and $L$ you know,
#   $(\alpha^\star, \beta^\star)$ is the best heavy-ball pair (section 4). (On a
#   quadratic, conjugate gradients, chapter 03, reach the same $\sqrt\kappa$ order
#   without being told $\mu$ and $L$; Nocedal & Wright 2006, §5.1.) Chapter 09
#   trains a small network with `sgd(lr, momentum=0.9)`.
# - Momentum can carry an iterate over a bump that stops gradient descent; with
#   too much of it the final minimum is a matter of timing. A ball in continuous
#   time released below the hilltop can never cross it (its energy only
#   decreases). None of our 300 heavy-ball runs from below the hilltop at
#   lr = 0.02 did either, but the discrete energy can rise: with a coarse step
#   (lr = 0.09) the iterates do cross from below. For small steps,
#   $\alpha \le 2(1 - \beta)/L$, a discrete energy never rises (appendix C).
#
# ## Exercises
#
# Open [`exercises/05_momentum.ipynb`](../exercises/05_momentum.ipynb): write the
# heavy-ball update in PyTorch's form, Nesterov's update, and the optimal heavy-ball
# parameters for a quadratic. Each exercise has a `check(...)` cell that tells you at
# once whether your code is right.


# %% [markdown]
# ## Appendix A. Nesterov's best parameters on a quadratic
#
# Section 4 found the heavy ball's best $(\alpha, \beta)$ on a quadratic. The same
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
# $2\times2$ iteration matrix on one eigen-direction (derived in section 6:
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
# The three tuned runs on section 1's bowl, drawn as in section 2's first figure
# (Nesterov's path is its look-ahead points $y_k$, torch's iterates): the slopes of the
# losses are the rates 0.818, 0.885 and 0.980.

# %%
nag_tuned = run(sgd(lr=lr_nag, momentum=beta_nag, nesterov=True), bowl, bowl.start, steps=300, tol=0)
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=style.FIGSIZE["wide"], width_ratios=[1.3, 1])
plotting.plot_contours(wide_bowl, ax=ax, filled=False, levels=27,
                       title=f"The first 20 steps on $\\kappa$ = {kappa:.0f}, with Nesterov's")
ax.set_aspect("auto")
ax.set_xlabel("$x$ (stretched: axes not to scale)")
three = [("gradient descent, $2/(L+\\mu)$", gd.xs, "gd", "-", "o"),
         (f"heavy ball, $\\alpha^\\star$ = {lr_star:.3f}, $\\beta^\\star$ = {beta_star:.2f}", ball, "heavy_ball", "--", "s"),
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
ax_loss.set_xlabel("step $k$ (linear up to 20, then log scale)")
ax_loss.set_title("Loss: heavy ball fastest, then Nesterov, then GD");
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
# strongly convex, Nesterov's method with $\beta_k = (k - 1)/(k + 2)$ brings
# $f(x_k) - f^\star$ down like $O(1/k^2)$, against gradient descent's $O(1/k)$
# (Nesterov, 1983; *Introductory Lectures*, 2004, section 2.2; Beck & Teboulle, 2009,
# FISTA): this is the form most people mean by "accelerated gradient". Two further
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
# ## Appendix B. Momentum conventions: averaging, and where the learning rate sits
#
# Section 2's buffer is a sum, $b \leftarrow \beta b + g$. Some texts and libraries
# average instead, $b \leftarrow \beta b + (1 - \beta)g$, with weights $(1 - \beta)\beta^\tau$ that sum to 1: torch's `dampening=β` does it, and
# so does Adam's first moment (Kingma & Ba, 2015, Algorithm 1; chapter 06), which
# keeps the buffer at the scale of one gradient (Adam then divides it by
# $\sqrt{\hat v}$, chapter 06).
# (At the first step torch, and `gdlearn`, store the first gradient itself,
# undamped; the damping applies from the second step on.)
# Same idea, different meaning of the learning rate: compare step sizes only within
# one convention.
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
# ## Appendix C. Crossing the hilltop from below: the discrete energy
#
# Section 8's balls released below the hilltop (lr = 0.02) never got past it. The
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
    (0.94, 0.95, 0.96), [style.color_for("heavy_ball"), COLORS["vermillion"], COLORS["reddish_purple"]],
    ["-", "--", "-."], "os^")]
series.append((f"lr = 0.005, $\\beta$ = {1 - gamma * np.sqrt(0.005):.3f}", small_runs[0.005], 0.005,
               COLORS["bluish_green"], (0, (5, 2, 1, 2)), "D"))          # its own colour: not gradient descent's
for label, (xs, E), lr_, color, ls, marker in series:
    n = int(t_max / np.sqrt(lr_)) + 1
    t = np.arange(n) * np.sqrt(lr_)                                  # time t = k h
    for ax_, ys in ((ax_x, xs[:n]), (ax_e, E[:n])):
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
# with norms, for $\nabla f$ $L$-Lipschitz.) Two limits: it bounds where the iterates
# land, not the segment between two of them, and the runs above that cross are far
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
H = np.array([double_well.f(np.array([x])) for x in xs]) + beta_small / (2 * lr_small) * np.concatenate([[0.0], np.diff(xs) ** 2])
print(f"lr = {lr_small}, beta = {beta_small}: |f''| <= {L_path:.1f} on the path, 2(1 - beta)/L = {2 * (1 - beta_small) / L_path:.4f}; "
      f"largest rise of H: {np.diff(H).max():.1e}; ends at {xs[-1]:.4f}")
assert np.isclose(L_path, 21.72, atol=0.01) and lr_small <= 2 * (1 - beta_small) / L_path   # inside the condition
assert np.all(np.diff(H) <= 1e-12) and H.max() <= H[0] + 1e-12                             # H never increases
xs_big = low_runs[0.94][0]
H_big = np.array([double_well.f(np.array([x])) for x in xs_big[:3]]) + 0.94 / (2 * lr_big) * np.concatenate([[0.0], np.diff(xs_big[:3]) ** 2])
assert H_big[1] > H_big[0] + 0.5 and np.isclose(2 * (1 - 0.94) / lr_big, 1.33, atol=0.01)     # outside: H rises
h_max = 2 * gamma / f_dd_max(np.array([x_low, 1.0]))                                        # h <= 2 gamma / L
assert np.isclose(h_max, 0.01534, atol=1e-4) and np.isclose(h_max**2, 2.35e-4, atol=0.01e-4)   # lr <= 2.35e-4

# %% [markdown]
# ## Appendix D. The stationary variance of the noisy heavy ball
#
# Section 7's recurrence on one eigen-direction is
# $z_{k+1} = (1 + \beta - \alpha\lambda) z_k - \beta z_{k-1} - \alpha\xi_k$, with independent
# kicks $\xi_k$ of mean 0 and variance $s^2$, and a stable $(\alpha, \beta)$ (both roots
# inside the unit circle, section 6), so that the run settles into a stationary
# spread. Write $c = 1 + \beta - \alpha\lambda$, $v = \mathbb{E}[z_k^2]$ and
# $u = \mathbb{E}[z_k z_{k-1}]$, the same at every step once the run has settled. The
# kick $\xi_k$ is independent of $z_k$ and $z_{k-1}$, so multiplying the recurrence by
# $z_k$ and taking means gives $u = c\,v - \beta u$, i.e. $u = c\,v/(1 + \beta)$; squaring
# it gives $v = c^2 v + \beta^2 v - 2c\beta u + \alpha^2 s^2$. Substituting $u$,
# $v\,\big(1 - \beta^2 - c^2 + 2c^2\beta/(1 + \beta)\big) = \alpha^2 s^2$, and the bracket is
# $\frac{1 - \beta}{1 + \beta}\big((1 + \beta)^2 - c^2\big)$, where
# $(1 + \beta)^2 - c^2 = \alpha\lambda\,(2(1 + \beta) - \alpha\lambda)$. Dividing gives section
# 7's formula,
#
# $$\mathbb{E}[z^2] = v = \frac{\alpha (1 + \beta)\, s^2}{(1 - \beta)\,\lambda\,\big(2(1 + \beta) - \alpha\lambda\big)}.$$

# %% [markdown]
# ## Appendix E. Why no gradient method beats the order $\sqrt\kappa$
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
#   (section 3), not at $x_k$. With $y_0 = x_0$, the step
#   $x_{k+1} = y_k - \alpha\nabla f(y_k)$ and the look-ahead
#   $y_{k+1} = x_{k+1} + \beta(x_{k+1} - x_k)$ only add multiples of gradients already
#   queried, so by induction both $x_k$ and $y_k$ lie in
#   $x_0 + \operatorname{span}\{\nabla f(y_0), \dots, \nabla f(y_{k-1})\}$: the query points
#   satisfy the theorem's assumption, and the bound applies to Nesterov's method on any
#   function, not only on quadratics.
#
# The heavy ball's rate on quadratics meets that bound, and the bound proves that
# $(\alpha^\star, \beta^\star)$ is the best heavy-ball pair in the worst case over
# quadratics with eigenvalues in $[\mu, L]$: a pair whose rate (the largest root modulus
# over $\lambda \in [\mu, L]$) were $\rho < \rho^\star$ would shrink the distance by at most
# $C(\rho + \varepsilon)^k$ on every such quadratic (for any $\varepsilon > 0$), less than
# $(\rho^\star)^k$ for large $k$, on the bound's quadratic too, which is impossible
# (section 4's grid of $(\alpha, \beta)$ checks the same at $\kappa = 100$).
