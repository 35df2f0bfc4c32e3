# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 06 — Adaptive methods
#
# Six exercises on [chapter 06](../chapters/06_adaptive.ipynb), 15 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given, and use
# numpy only (no `gdlearn.optim`: the point is to write the update yourself).

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
import numpy as np

from gdlearn import surfaces
from gdlearn.grading import check

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Code, Exercise, Mistake

rng = np.random.default_rng(606)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6.1 — Adam with bias correction (3 points)
#
# Write `adam_iterates(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8)`, which
# runs `steps` steps of Adam from a copy of `x0` (a 1-D float array) and returns
# **every iterate**, an array of shape `(steps + 1, d)` that starts with `x0`. At
# step $t = 1, 2, \dots$, with $g_t$ = `grad(x)` at the current iterate and
# $(\beta_1, \beta_2)$ = `betas`:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
# v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0,$$
#
# $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t},
# \qquad x_t = x_{t-1} - \text{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# All operations are elementwise. (This is `torch.optim.Adam`; the test compares
# with a tolerance, so $\sqrt{v_t}/\sqrt{1-\beta_2^t}$ and $\sqrt{v_t/(1-\beta_2^t)}$
# both pass.)

# %%
def adam_iterates(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8):
    """Iterates of Adam with bias correction: an array of shape (steps + 1, d)."""
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    xs = [x]
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        xs.append(x)
    return np.array(xs)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _adam_variant(grad, x0, lr, steps, betas=(0.9, 0.999), eps=1e-8, *, mistake):
    """The reference loop with one classic mistake switched on (names unlike the chapter's on purpose)."""
    b1, b2 = betas
    if mistake == "swapped":
        b1, b2 = b2, b1
    point = np.array(x0, dtype=float)
    first, second = np.zeros_like(point), np.zeros_like(point)
    out = [point]
    with np.errstate(all="ignore"):
        for k in range(steps):
            n_done = k + 1
            gr = grad(point)
            first = b1 * first + (1.0 - b1) * gr
            second = b2 * second + (1.0 - b2) * gr**2
            c1, c2 = 1.0 - b1**n_done, 1.0 - b2**n_done
            if mistake == "no correction":
                c1 = c2 = 1.0
            elif mistake == "only m":
                c2 = 1.0
            if mistake == "eps inside":
                direction = (first / c1) / np.sqrt(second / c2 + eps)
            elif mistake == "eps hat":       # TF1/Keras: eps added to the uncorrected root
                direction = (first / c1) * np.sqrt(c2) / (np.sqrt(second) + eps)
            else:
                direction = (first / c1) / (np.sqrt(second / c2) + eps)
            point = point - lr * direction
            out.append(point)
    return np.array(out)


def _adam_mistake(name):
    return lambda *a, **k: _adam_variant(*a, **k, mistake=name)


Exercise(
    "ex06_1", function="adam_iterates", points=3,
    title="Exercise 6.1 — Adam with bias correction",
    visible=[
        Case(Code("surfaces.rosenbrock.grad"), np.array([-1.2, 1.0]), 0.05, 30),
        Case(Code("lambda x: 2 * x"), np.array([1.0, -3.0]), 0.1, 10, betas=(0.8, 0.99)),
        Case(Code("lambda x: 1e-6 * x"), np.array([1.0, 2.0]), 0.01, 5, eps=1e-8,
             _label="tiny gradients: grad = 1e-6 x, x0 = [1, 2], lr = 0.01, 5 steps"),
        Case(Code("surfaces.quadratic(50).grad"), np.array([2.0, 1.0]), 0.1, 40, eps=0.1),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.grad"), np.array([0.5, -0.5]), 0.1, 60),
        Case(Code("surfaces.beale.grad"), np.array([1.0, 1.5]), 0.02, 50, betas=(0.5, 0.9)),
        Case(Code("lambda x: 3e-7 * (x - 1)"), rng.normal(size=3), 0.05, 8),
        Case(Code("lambda x: 4 * x ** 3 - 6 * x + 1"), np.array([1.75]), 0.05, 25, betas=(0.0, 0.99)),
        Case(Code("surfaces.rosenbrock.grad"), np.array([0.0, 2.0]), 0.01, 100, eps=1e-3),
    ],
    mistakes=[
        Mistake("the bias correction is missing: divide m by (1 − β1^t) and v by (1 − β2^t), where t counts "
                "the steps from 1 (without it the first steps are 3 to 7 times too long)",
                _adam_mistake("no correction"), name="no bias correction"),
        Mistake("only the first moment is corrected: v needs its own correction, v̂ = v / (1 − β2^t)",
                _adam_mistake("only m"), name="only m corrected"),
        Mistake("ε goes outside the square root: lr · m̂ / (√v̂ + ε), not lr · m̂ / √(v̂ + ε) "
                "(the two differ a lot when the gradients are tiny)",
                _adam_mistake("eps inside"), name="eps inside sqrt"),
        Mistake("that is the TF1/Keras form, with ε added to √v before the bias correction (\"epsilon hat\"); "
                "here ε is added to √v̂, the corrected root",
                _adam_mistake("eps hat"), name="eps hat"),
        Mistake("β1 and β2 are swapped: betas = (β1, β2), β1 (0.9) for the gradient's average m, "
                "β2 (0.999) for the squared gradient's average v",
                _adam_mistake("swapped"), name="betas swapped"),
    ],
    hint="return every iterate, x0 first: an array of shape (steps + 1, d); t starts at 1",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex06_1", adam_iterates)

# %% [markdown]
# ## Exercise 6.2 — one AdamW step (3 points)
#
# Write `adamw_step(x, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`:
# one step of `torch.optim.AdamW` at step number `t` (1 for the first step), from the
# parameters `x`, the gradient `g` of the loss at `x`, and the moments `m`, `v` of the
# previous step (zeros before the first). Return the tuple `(x_new, m_new, v_new)`.
#
# The weight decay $\lambda$ = `weight_decay` is **decoupled**: it shrinks the
# parameters directly and never enters $m$ or $v$:
#
# $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g^2,$$
#
# $$x_{\text{new}} = x - \text{lr}\,\lambda\, x - \text{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},$$
#
# with the bias-corrected $\hat m_t$, $\hat v_t$ of exercise 6.1. Do not modify the
# input arrays.

# %%
def adamw_step(x, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One AdamW step: returns (x_new, m_new, v_new)."""
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    x, g = np.asarray(x, dtype=float), np.asarray(g, dtype=float)
    m_new = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
    v_new = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g
    m_hat = m_new / (1 - beta1**t)
    v_hat = v_new / (1 - beta2**t)
    x_new = x - lr * weight_decay * x - lr * m_hat / (np.sqrt(v_hat) + eps)
    return x_new, m_new, v_new
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _adamw_variant(x, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, *, mistake):
    b1, b2 = betas
    x, gr, m, v = (np.asarray(a, dtype=float) for a in (x, g, m, v))
    if mistake == "l2":                       # Adam's weight_decay: the penalty's gradient in the moments
        gr = gr + weight_decay * x
    first = b1 * m + (1.0 - b1) * gr
    second = b2 * v + (1.0 - b2) * gr**2
    c1, c2 = (1.0, 1.0) if mistake == "no correction" else (1.0 - b1**t, 1.0 - b2**t)
    direction = (first / c1) / (np.sqrt(second / c2) + eps)
    if mistake == "l2":
        new_x = x - lr * direction
    elif mistake == "decay without lr":
        new_x = (1.0 - weight_decay) * x - lr * direction
    elif mistake == "decay after":
        new_x = (x - lr * direction) * (1.0 - lr * weight_decay)
    else:
        new_x = (1.0 - lr * weight_decay) * x - lr * direction
    return new_x, first, second


def _adamw_mistake(name):
    return lambda *a, **k: _adamw_variant(*a, **k, mistake=name)


_m1, _v1 = np.array([0.05, -0.2, 0.0]), np.array([0.0025, 0.04, 1e-4])
Exercise(
    "ex06_2", function="adamw_step", points=3,
    title="Exercise 6.2 — one AdamW step",
    visible=[
        Case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), 1, 0.1, weight_decay=0.5),
        Case(np.array([3.0, 1.0, -1.0]), np.array([1.0, -1.0, 0.2]), _m1, _v1, 2, 0.05, weight_decay=0.2),
        Case(np.array([2.0]), np.array([4.0]), np.array([0.4]), np.array([0.016]), 10, 0.01,
             betas=(0.8, 0.99), weight_decay=1.0),
        Case(np.array([1.0, 1.0]), np.array([1e-3, 100.0]), np.zeros(2), np.zeros(2), 1, 0.01),
    ],
    hidden=[
        Case(rng.normal(size=4), rng.normal(size=4), 0.1 * rng.normal(size=4), 0.01 * rng.random(4), 5, 0.02,
             weight_decay=0.3),
        Case(np.array([5.0, -5.0]), np.array([0.0, 0.0]), np.zeros(2), np.zeros(2), 1, 0.1, weight_decay=0.1),
        Case(np.array([0.5, 0.25]), np.array([-2.0, 3.0]), np.array([-0.1, 0.2]), np.array([0.01, 0.02]), 100,
             0.001, betas=(0.95, 0.999), eps=1e-6, weight_decay=0.05),
    ],
    mistakes=[
        Mistake("that is Adam with an L2 penalty (λx added to the gradient, so it goes through m and v); "
                "AdamW's decay is decoupled: x − lr·λ·x, and m, v see only the loss gradient",
                _adamw_mistake("l2"), name="L2 instead of decoupled"),
        Mistake("the decay is multiplied by the learning rate in torch's AdamW: x − lr·λ·x, not x − λ·x",
                _adamw_mistake("decay without lr"), name="decay without lr"),
        Mistake("the decay shrinks the old x (before the Adam step): x_new = x − lr·λ·x − lr·m̂/(√v̂ + ε)",
                _adamw_mistake("decay after"), name="decay after the step"),
        Mistake("the bias correction is missing: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)",
                _adamw_mistake("no correction"), name="no bias correction"),
    ],
    hint="return a tuple of three arrays (x_new, m_new, v_new); the moments without bias correction",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex06_2", adamw_step)

# %% [markdown]
# ## Exercise 6.3 — Adagrad's step sizes (2 points)
#
# Adagrad divides each coordinate's learning rate by the root of the running sum of
# its squared gradients. Write `adagrad_step_sizes(grads, lr, eps=1e-10,
# initial_accumulator_value=0.0)`: given the gradients of $T$ steps as an array
# `grads` of shape `(T, d)` (row $t-1$ is $g_t$), return the array of shape `(T, d)`
# of the step sizes that Adagrad applies at each step,
#
# $$s_t = s_{t-1} + g_t^2, \quad s_0 = \texttt{initial\_accumulator\_value}, \qquad
# \text{row } t-1: \ \frac{\text{lr}}{\sqrt{s_t} + \epsilon},$$
#
# all elementwise (the step at $t$ is this size times $g_t$). Look at what happens to
# a coordinate whose gradient is mostly zero, like a rare feature's.

# %%
def adagrad_step_sizes(grads, lr, eps=1e-10, initial_accumulator_value=0.0):
    """Adagrad's per-coordinate step size lr / (sqrt(s_t) + eps) at each step: shape (T, d)."""
    ### BEGIN SOLUTION
    grads = np.asarray(grads, dtype=float)
    s = initial_accumulator_value + np.cumsum(grads**2, axis=0)
    return lr / (np.sqrt(s) + eps)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _ada_variant(grads, lr, eps=1e-10, initial_accumulator_value=0.0, *, mistake):
    grads = np.asarray(grads, dtype=float)
    with np.errstate(all="ignore"):
        if mistake == "abs":
            s = initial_accumulator_value + np.cumsum(np.abs(grads), axis=0)
            return lr / (np.sqrt(s) + eps)
        s = initial_accumulator_value + np.cumsum(grads**2, axis=0)
        if mistake == "mean":
            s = s / np.arange(1, len(grads) + 1)[:, None]
        if mistake == "no sqrt":
            return lr / (s + eps)
        if mistake == "eps inside":
            return lr / np.sqrt(s + eps)
        if mistake == "previous":           # the sum before this step's gradient
            s = s - grads**2
        return lr / (np.sqrt(s) + eps)


def _ada_mistake(name):
    return lambda *a, **k: _ada_variant(*a, **k, mistake=name)


Exercise(
    "ex06_3", function="adagrad_step_sizes", points=2,
    title="Exercise 6.3 — Adagrad's step sizes",
    visible=[
        Case(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 2.0], [1.0, 0.0]]), 0.5, eps=1e-3,
             _label="a dense and a rare coordinate, lr = 0.5, eps = 1e-3"),
        Case(np.array([[3.0], [4.0]]), 1.0),
        Case(np.array([[0.1, -10.0], [0.2, 10.0], [-0.1, 5.0]]), 0.01, initial_accumulator_value=0.1),
    ],
    hidden=[
        Case(rng.normal(size=(20, 3)), 0.1),
        Case(np.where(rng.random((50, 4)) < 0.05, 1.0, 0.0) + np.array([1.0, 0.0, 0.0, 0.0]), 0.3, eps=1e-6,
             initial_accumulator_value=0.01),
        Case(np.array([[2.0, 1e-3]]), 2.0),
    ],
    mistakes=[
        Mistake("square the gradients: s_t = s_{t−1} + g_t², not a sum of |g_t|", _ada_mistake("abs"),
                name="abs instead of square"),
        Mistake("Adagrad keeps the *sum* of the squares, not their mean (the mean is an RMSprop-like average)",
                _ada_mistake("mean"), name="mean"),
        Mistake("divide by the square root of the sum: lr / (√s_t + ε)", _ada_mistake("no sqrt"), name="no sqrt"),
        Mistake("ε goes outside the square root: lr / (√s_t + ε), not lr / √(s_t + ε)",
                _ada_mistake("eps inside"), name="eps inside sqrt"),
        Mistake("include this step's gradient in the sum before dividing: s_t = s_{t−1} + g_t², then lr / (√s_t + ε)",
                _ada_mistake("previous"), name="previous sum"),
    ],
    hint="return an array with the shape of grads; np.cumsum(..., axis=0) gives the running sums",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex06_3", adagrad_step_sizes)

# %% [markdown]
# ## Exercise 6.4 — RMSprop (2 points)
#
# Write `rmsprop_iterates(grad, x0, lr, steps, alpha=0.99, eps=1e-8)`: the iterates
# of `torch.optim.RMSprop` (no momentum, not centered), an array of shape
# `(steps + 1, d)` starting with `x0`:
#
# $$v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \quad v_0 = 0, \qquad
# x_t = x_{t-1} - \text{lr}\,\frac{g_t}{\sqrt{v_t} + \epsilon}.$$
#
# (No bias correction here: PyTorch's RMSprop has none, which is why its first step
# is $1/\sqrt{1 - \alpha} = 10$ times lr.)

# %%
def rmsprop_iterates(grad, x0, lr, steps, alpha=0.99, eps=1e-8):
    """Iterates of RMSprop: an array of shape (steps + 1, d)."""
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        v = alpha * v + (1 - alpha) * g * g
        x = x - lr * g / (np.sqrt(v) + eps)
        xs.append(x)
    return np.array(xs)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _rms_variant(grad, x0, lr, steps, alpha=0.99, eps=1e-8, *, mistake):
    point = np.array(x0, dtype=float)
    second = np.zeros_like(point)
    out = [point]
    with np.errstate(all="ignore"):
        for k in range(steps):
            gr = grad(point)
            keep = 1.0 - alpha if mistake == "swapped" else alpha
            second = keep * second + (1.0 - keep) * gr**2
            if mistake == "eps inside":
                denominator = np.sqrt(second + eps)
            elif mistake == "corrected":
                denominator = np.sqrt(second / (1.0 - alpha ** (k + 1))) + eps
            elif mistake == "no sqrt":
                denominator = second + eps
            else:
                denominator = np.sqrt(second) + eps
            point = point - lr * gr / denominator
            out.append(point)
    return np.array(out)


def _rms_mistake(name):
    return lambda *a, **k: _rms_variant(*a, **k, mistake=name)


Exercise(
    "ex06_4", function="rmsprop_iterates", points=2,
    title="Exercise 6.4 — RMSprop",
    visible=[
        Case(Code("surfaces.rosenbrock.grad"), np.array([-1.2, 1.0]), 0.01, 30),
        Case(Code("lambda x: 2 * x"), np.array([1.0, -3.0]), 0.01, 10, alpha=0.9),
        Case(Code("lambda x: 1e-5 * x"), np.array([1.0, 2.0]), 0.001, 5,
             _label="tiny gradients: grad = 1e-5 x, x0 = [1, 2], lr = 0.001, 5 steps"),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.grad"), np.array([0.5, -0.5]), 0.02, 60),
        Case(Code("surfaces.quadratic(50, angle=0.3).grad"), rng.normal(size=2), 0.005, 80, alpha=0.95),
        Case(Code("lambda x: 1e-6 * (x - 1)"), rng.normal(size=3), 0.01, 8, eps=1e-8),
    ],
    mistakes=[
        Mistake("α weighs the *old* average: v ← α·v + (1 − α)·g², not (1 − α)·v + α·g²",
                _rms_mistake("swapped"), name="alpha swapped"),
        Mistake("ε goes outside the square root: g / (√v + ε), not g / √(v + ε)",
                _rms_mistake("eps inside"), name="eps inside sqrt"),
        Mistake("PyTorch's RMSprop has no bias correction: divide by √v + ε, not by √(v / (1 − α^t)) + ε",
                _rms_mistake("corrected"), name="bias corrected"),
        Mistake("divide by the square root of the average, √v + ε", _rms_mistake("no sqrt"), name="no sqrt"),
    ],
    hint="return every iterate, x0 first: an array of shape (steps + 1, d)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex06_4", rmsprop_iterates)

# %% [markdown]
# ## Exercise 6.5 — multiply the loss by a constant (2 points)
#
# You multiply your loss by a constant $c > 0$ (say, you switch from a mean to a sum
# over a batch), so every gradient is multiplied by $c$. Before running anything,
# work out on paper which learning rate gives **exactly the same iterates** as the
# rate `lr` did on the original loss, for
#
# - Adam with $\epsilon = 0$ (look at what $c$ does to $\hat m_t$ and to $\sqrt{\hat v_t}$),
# - Adagrad with $\epsilon = 0$,
# - plain gradient descent (SGD without momentum).
#
# Write `same_iterates_lr(lr, c)` returning the tuple `(adam_lr, adagrad_lr, sgd_lr)`.
# Then check your answer for Adam with your `adam_iterates` of exercise 6.1 (with
# `eps=0.0`): run it on `grad` and on `lambda x: c * grad(x)`. With the default
# $\epsilon = 10^{-8}$ the answer is only approximately right: when is the
# difference visible?

# %%
def same_iterates_lr(lr, c):
    """Learning rates that reproduce lr's iterates after the loss is multiplied by c: (adam, adagrad, sgd)."""
    ### BEGIN SOLUTION
    return float(lr), float(lr), float(lr) / c
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
Exercise(
    "ex06_5", function="same_iterates_lr", points=2,
    title="Exercise 6.5 — multiply the loss by a constant",
    visible=[
        Case(0.1, 10.0),
        Case(0.001, 0.5),
    ],
    hidden=[
        Case(0.03, 1000.0),
        Case(2.0, 1e-3),
        Case(0.5, 1.0),
    ],
    mistakes=[
        Mistake("Adam's m̂ and √v̂ are both multiplied by c, so their ratio, and Adam's step, do not change: "
                "keep lr for Adam", lambda lr, c: (lr / c, lr, lr / c), name="adam like sgd"),
        Mistake("Adagrad divides g by √s, and both are multiplied by c: keep lr for Adagrad too",
                lambda lr, c: (lr, lr / c, lr / c), name="adagrad like sgd"),
        Mistake("gradient descent's step is lr·c·g: divide its rate by c to get the old step back",
                lambda lr, c: (lr, lr, lr), name="sgd invariant"),
        Mistake("divide, do not multiply: the new step lr'·c·g must equal lr·g, so lr' = lr / c",
                lambda lr, c: (lr, lr, lr * c), name="sgd times c"),
        Mistake("no square root is left over: √v̂ is multiplied by c, not by √c",
                lambda lr, c: (lr * c ** 0.5, lr * c ** 0.5, lr / c), name="sqrt c"),
    ],
    hint="return a tuple of three numbers (adam_lr, adagrad_lr, sgd_lr)",
    rtol=1e-12, atol=0.0,
)
### END HIDDEN TESTS

# %%
check("ex06_5", same_iterates_lr)

# %% [markdown]
# ## Exercise 6.6 — Adagrad on a valley turned by 45° (3 points)
#
# Chapter 06 (section 4) found Adagrad no better than gradient descent on a valley
# turned by 45°. Take the quadratic $f(x) = \tfrac12 x^\top A x$ with
# $A = R\,\mathrm{diag}(\mu, L)\,R^\top$, where $R$ turns by 45°, so that its steep
# axis is $u = (1, -1)/\sqrt2$ (with eigenvalue $L$), and start **on the steep
# axis**, at $x_0 = r_0\, u$.
#
# On paper first: show that the gradient at any point $r\,u$ is $L\,r\,u$, whose two
# coordinates have the same size; that Adagrad's two sums $s_1, s_2$ are therefore
# equal at every step, so its iterates stay on the steep axis; and that Adagrad is
# then gradient descent along $u$ with one rate $\eta/\sqrt{s_t}$ for both
# coordinates. Watch the size of a *coordinate* of the gradient: it is not $L r$.
#
# Then write `adagrad_on_steep_axis(L, r0, lr, steps)`, which returns the tuple
# `(r, rates)`: `r` of shape `(steps + 1,)`, the positions $r_0, r_1, \dots$ along
# $u$ (so $x_t = r_t\,u$), and `rates` of shape `(steps,)`, the common rate
# $\eta/\sqrt{s_t}$ of step $t = 1, \dots,$ `steps` (take $\epsilon = 0$). Use one
# number per step, not a 2-D run: the check compares with Adagrad run in 2-D.
# What happens to the rate when the first step overshoots ($\eta$ large)?

# %%
def adagrad_on_steep_axis(L, r0, lr, steps):
    """Adagrad started on the steep axis of a 45° valley, as a 1-D recursion: (r of shape (steps+1,), rates (steps,))."""
    ### BEGIN SOLUTION
    r, s = float(r0), 0.0
    positions, rates = [r], []
    for _ in range(steps):
        g_coordinate = L * r / np.sqrt(2)        # each coordinate of the gradient L r u
        s = s + g_coordinate**2
        rate = lr / np.sqrt(s)
        r = r - rate * L * r                     # gradient descent along u at that rate
        positions.append(r)
        rates.append(rate)
    return np.array(positions), np.array(rates)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _steep_variant(L, r0, lr, steps, *, mistake):
    r, s = float(r0), 0.0
    positions, rates = [r], []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            size = L * r if mistake == "norm" else L * r / np.sqrt(2)
            previous = s
            s = s + size**2
            rate = lr / np.sqrt(previous if mistake == "previous" else s)
            if mistake == "no L":
                r = r - rate * r
            else:
                r = r - rate * L * r
            positions.append(r)
            rates.append(rate)
    return np.array(positions), np.array(rates)


def _steep_mistake(name):
    return lambda *a, **k: _steep_variant(*a, **k, mistake=name)


def _adagrad_2d(L, mu, r0, lr, steps):          # an independent reference: Adagrad in 2-D, eps = 0
    c = np.sqrt(0.5)
    R = np.array([[c, c], [-c, c]])              # columns: the steep axis u = (1, -1)/√2, then the flat one
    A = R @ np.diag([L, mu]) @ R.T
    x, s = r0 * R[:, 0], np.zeros(2)
    xs, rates = [x], []
    for _ in range(steps):
        g = A @ x
        s = s + g * g
        rates.append(lr / np.sqrt(s))
        x = x - lr * g / np.sqrt(s)
        xs.append(x)
    return np.array(xs), np.array(rates)


_xs, _rates = _adagrad_2d(100.0, 1.0, 2.0, 1.2, 40)
_r, _rate = adagrad_on_steep_axis(100.0, 2.0, 1.2, 40)
assert np.allclose(_xs, _r[:, None] * np.array([np.sqrt(0.5), -np.sqrt(0.5)]), rtol=1e-10, atol=1e-12)
assert np.allclose(_rates, _rate[:, None], rtol=1e-10)  # the solution agrees with Adagrad run in 2-D

Exercise(
    "ex06_6", function="adagrad_on_steep_axis", points=3,
    title="Exercise 6.6 — Adagrad on a valley turned by 45°",
    visible=[
        Case(100.0, 2.0, 1.2, 30, _label="L = 100, r0 = 2, lr = 1.2, 30 steps"),
        Case(10.0, -1.0, 0.05, 10),
        Case(100.0, 1.0, 20.0, 15, _label="a large lr: the first step overshoots (L = 100, r0 = 1, lr = 20)"),
    ],
    hidden=[
        Case(50.0, 0.3, 0.5, 60),
        Case(4.0, 5.0, 1.0, 25),
        Case(1000.0, -0.01, 3.0, 40),
    ],
    mistakes=[
        Mistake("each coordinate of the gradient L·r·u has size L·|r|/√2, not L·|r|: s grows by (L r)²/2 per step",
                _steep_mistake("norm"), name="norm instead of coordinate"),
        Mistake("add this step's squared gradient to s before dividing: rate = lr / √s_t",
                _steep_mistake("previous"), name="previous sum"),
        Mistake("the step along u is rate · (gradient along u) = rate · L · r", _steep_mistake("no L"),
                name="forgot L"),
    ],
    hint="return a tuple (r, rates): r has steps + 1 entries starting with r0, rates has steps entries",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex06_6", adagrad_on_steep_axis)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
