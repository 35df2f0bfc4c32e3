# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 04 — Stochastic and mini-batch gradient descent
#
# Three exercises on [chapter 04](../chapters/04_stochastic_minibatch.ipynb), 10 points in all.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given.

# %%
# Setup: on Colab this installs the course library; everywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdlearn @ git+https://github.com/gdlearn/gdlearn"], check=True)

# %%
import math

import numpy as np

from gdlearn.grading import check

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Exercise, Mistake

rng = np.random.default_rng(2404)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4.1 — mini-batches, reshuffled every epoch (3 points)
#
# Write `epoch_batches(n, batch_size, epochs, seed)`, which returns the
# mini-batches of `epochs` passes over a data set of `n` examples, as a list of
# 1-D integer arrays of example indices, in the order SGD uses them:
#
# - make **one** random generator, `rng = np.random.default_rng(seed)`, before
#   the first epoch;
# - at the start of **each** epoch draw a fresh order, `order = rng.permutation(n)`;
# - cut that order into consecutive batches `order[0:batch_size]`,
#   `order[batch_size:2*batch_size]`, ...; when `batch_size` does not divide `n`,
#   the last batch of each epoch is smaller (keep it: every example is used once
#   per epoch).
#
# For example `epoch_batches(5, 2, 2, seed=0)` returns six arrays: sizes 2, 2, 1,
# then 2, 2, 1, the first three together holding each of 0..4 once.

# %%
def epoch_batches(n, batch_size, epochs, seed):
    """Index arrays of the mini-batches of `epochs` shuffled passes over n examples."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batches.append(order[start:start + batch_size])
    return batches
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _batches_variant(n, batch_size, epochs, seed, *, reshuffle=True, drop_last=False, shuffle=True):
    """The reference with one classic mistake switched on."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    batches = []
    for epoch in range(epochs):
        if reshuffle and epoch > 0:
            order = rng.permutation(n)
        if not shuffle:
            order = np.arange(n)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            batches.append(order[start:start + batch_size])
    return batches


Exercise(
    "ex04_1", function="epoch_batches", points=3,
    title="Exercise 4.1 — mini-batches, reshuffled every epoch",
    visible=[
        Case(5, 2, 2, seed=0),
        Case(8, 4, 3, seed=1),
        Case(10, 3, 2, seed=42),
        Case(6, 6, 2, seed=7),
    ],
    hidden=[
        Case(12, 5, 3, seed=3),
        Case(7, 1, 2, seed=11),
        Case(20, 8, 2, seed=2024),
        Case(4, 3, 4, seed=0),
    ],
    mistakes=[
        Mistake("every epoch has the same order: draw a fresh rng.permutation(n) at the start of each epoch, "
                "from one generator made once before the loop (np.random.default_rng(seed) inside the loop "
                "restarts the same random stream)",
                lambda *a, **k: _batches_variant(*a, **k, reshuffle=False), name="no reshuffle"),
        Mistake("keep the last, smaller batch when batch_size does not divide n: every example is used "
                "once per epoch", lambda *a, **k: _batches_variant(*a, **k, drop_last=True),
                name="drop last"),
        Mistake("shuffle the examples: the batches must follow rng.permutation(n), not 0, 1, 2, ...",
                lambda *a, **k: _batches_variant(*a, **k, shuffle=False), name="no shuffle"),
    ],
    hint="return a list with one 1-D integer array per batch, all epochs one after the other",
    rtol=0.0, atol=0.0,
)
### END HIDDEN TESTS

# %%
check("ex04_1", epoch_batches)

# %% [markdown]
# ## Exercise 4.2 — a cosine schedule with a linear warm-up (3 points)
#
# Write `warmup_cosine_lr(step, lr, warmup_steps, total_steps)`, the learning
# rate at update number `step` (counted from 0) of this schedule:
#
# $$\eta_t = \begin{cases}
#   \eta \, \dfrac{t}{W} & 0 \le t < W \quad\text{(warm-up from 0)}\\[1.2ex]
#   \dfrac{\eta}{2}\left(1 + \cos\dfrac{\pi\,(t - W)}{T - W}\right) & W \le t \le T \\[1.2ex]
#   0 & t > T
# \end{cases}$$
#
# with $\eta$ = `lr`, $W$ = `warmup_steps` $\ge 1$ and $T$ = `total_steps` $> W$.
# So the rate is $0$ at $t = 0$, reaches its peak $\eta$ exactly at $t = W$, then
# decays along half a cosine to $0$ at $t = T$, and stays there. Return a float.
# (This is `gdlearn.schedules.warmup_cosine_schedule(lr, W, T)(step)`; write it
# yourself with `math.cos` and `math.pi`.)

# %%
def warmup_cosine_lr(step, lr, warmup_steps, total_steps):
    """The learning rate at `step` of a linear warm-up to `lr` followed by a cosine decay to 0."""
    ### BEGIN SOLUTION
    if step < warmup_steps:
        return lr * step / warmup_steps
    progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return 0.5 * lr * (1 + math.cos(math.pi * progress))
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _warmup_plus_one(step, lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    return warmup_cosine_lr(step, lr, warmup_steps, total_steps)


def _cosine_over_total(step, lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return lr * step / warmup_steps
    return 0.5 * lr * (1 + math.cos(math.pi * min(step - warmup_steps, total_steps) / total_steps))


def _cosine_from_zero(step, lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return lr * step / warmup_steps
    return 0.5 * lr * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))


def _no_clamp(step, lr, warmup_steps, total_steps):
    if step < warmup_steps:
        return lr * step / warmup_steps
    return 0.5 * lr * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))


def _no_warmup(step, lr, warmup_steps, total_steps):
    return 0.5 * lr * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))


Exercise(
    "ex04_2", function="warmup_cosine_lr", points=3,
    title="Exercise 4.2 — a cosine schedule with a linear warm-up",
    visible=[
        Case(0, 0.1, 10, 110),
        Case(4, 0.1, 10, 110),
        Case(10, 0.1, 10, 110),
        Case(60, 0.1, 10, 110),
        Case(85, 0.1, 10, 110),
        Case(110, 0.1, 10, 110),
        Case(150, 0.1, 10, 110),
    ],
    hidden=[
        Case(1, 2.0, 4, 20),
        Case(3, 2.0, 4, 20),
        Case(4, 2.0, 4, 20),
        Case(7, 2.0, 4, 20),
        Case(19, 2.0, 4, 20),
        Case(25, 2.0, 4, 20),
        Case(0, 0.5, 1, 3),
        Case(2, 0.5, 1, 3),
        Case(int(rng.integers(100, 900)), 3e-4, 100, 1000),
    ],
    mistakes=[
        Mistake("off by one in the warm-up: the rate at step t < W is lr·t/W, so it is 0 at the first step "
                "and reaches lr exactly at step W (not lr·(t+1)/W)", _warmup_plus_one, name="warm-up off by one"),
        Mistake("the cosine runs over the T − W steps *after* the warm-up: use (t − W)/(T − W), "
                "not (t − W)/T", _cosine_over_total, name="cosine over T"),
        Mistake("start the cosine where the warm-up ends: its argument is π(t − W)/(T − W), not πt/T",
                _cosine_from_zero, name="cosine from step 0"),
        Mistake("after T the rate stays at 0: clamp the progress at 1, otherwise the cosine rises again",
                _no_clamp, name="no clamp"),
        Mistake("the first W steps are a warm-up from 0 to lr, before the cosine", _no_warmup,
                name="no warm-up"),
    ],
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex04_2", warmup_cosine_lr)

# %% [markdown]
# ## Exercise 4.3 — one epoch of mini-batch SGD for logistic regression (4 points)
#
# Logistic regression predicts $p_i = \sigma(x_i^\top w)$ with
# $\sigma(z) = 1/(1 + e^{-z})$, for labels $y_i \in \{0, 1\}$, and minimizes the
# mean cross-entropy. On a mini-batch $B$ its gradient is the **mean** over the
# batch,
#
# $$g_B(w) = \frac{1}{|B|} \sum_{i \in B} \big(\sigma(x_i^\top w) - y_i\big)\, x_i .$$
#
# Write `logistic_sgd_epoch(w, X, y, lr, batch_size, seed)`, which makes **one
# epoch** of mini-batch SGD from `w` and returns the new weights (a new array;
# do not change `w` in place):
#
# - `order = np.random.default_rng(seed).permutation(n)`, with `n = len(y)`;
# - for each batch `B = order[k:k + batch_size]`, `k = 0, batch_size, ...` (the
#   last one may be smaller), one step $w \leftarrow w - \text{lr}\cdot g_B(w)$,
#   with the gradient at the *current* `w`.
#
# `X` has shape `(n, d)` (a column of ones already in it for the bias), `y` has
# shape `(n,)`. Write $\sigma$ as `1 / (1 + np.exp(-z))`.

# %%
def logistic_sgd_epoch(w, X, y, lr, batch_size, seed):
    """The weights after one shuffled epoch of mini-batch SGD on the mean cross-entropy."""
    ### BEGIN SOLUTION
    w = np.array(w, dtype=float)
    order = np.random.default_rng(seed).permutation(len(y))
    for start in range(0, len(y), batch_size):
        batch = order[start:start + batch_size]
        p = 1 / (1 + np.exp(-X[batch] @ w))
        w = w - lr * X[batch].T @ (p - y[batch]) / len(batch)
    return w
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _epoch_variant(w, X, y, lr, batch_size, seed, *, mean=True, divide_by_batch_size=False,
                   shuffle=True, sign=-1.0, stale=False):
    w = np.array(w, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    order = np.random.default_rng(seed).permutation(len(y)) if shuffle else np.arange(len(y))
    w_start = w.copy()
    with np.errstate(all="ignore"):
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            at = w_start if stale else w
            g = X[batch].T @ (1 / (1 + np.exp(-X[batch] @ at)) - y[batch])
            if mean:
                g = g / (batch_size if divide_by_batch_size else len(batch))
            w = w + sign * lr * g
    return w


def _logistic_problem(n, d, seed, bias=0.0):
    r = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), r.normal(size=(n, d - 1))])
    w_true = r.normal(size=d) * 1.5
    w_true[0] += bias
    y = (r.random(n) < 1 / (1 + np.exp(-X @ w_true))).astype(float)
    return X, y


_X1, _y1 = _logistic_problem(10, 3, 1)
_X2, _y2 = _logistic_problem(13, 2, 2)
_X3, _y3 = _logistic_problem(16, 4, 3)
_X4, _y4 = _logistic_problem(25, 3, 4, bias=-2.0)
_X5, _y5 = _logistic_problem(11, 5, 5)
Exercise(
    "ex04_3", function="logistic_sgd_epoch", points=4,
    title="Exercise 4.3 — one epoch of mini-batch SGD for logistic regression",
    visible=[
        Case(np.zeros(3), _X1, _y1, 0.5, 4, seed=0),
        Case(np.array([0.5, -1.0]), _X2, _y2, 0.3, 5, seed=1),
        Case(np.zeros(4), _X3, _y3, 1.0, 16, seed=2),
        Case(np.array([0.1, 0.2, -0.3]), _X1, _y1, 0.2, 1, seed=3),
    ],
    hidden=[
        Case(np.zeros(3), _X4, _y4, 0.8, 7, seed=4),
        Case(rng.normal(size=5), _X5, _y5, 0.1, 3, seed=5),
        Case(np.zeros(2), _X2, _y2, 2.0, 13, seed=6),
        Case(np.array([1.0, 0.0, 0.0, -1.0]), _X3, _y3, 0.5, 6, seed=7),
    ],
    mistakes=[
        Mistake("use the *mean* gradient over the batch, divided by |B|: the gradient of the sum makes the "
                "step |B| times larger, so the right learning rate would depend on the batch size",
                lambda *a, **k: _epoch_variant(*a, **k, mean=False), name="sum, not mean"),
        Mistake("divide by the size of *this* batch, len(batch): the last batch of an epoch can be smaller "
                "than batch_size", lambda *a, **k: _epoch_variant(*a, **k, divide_by_batch_size=True),
                name="last batch"),
        Mistake("visit the examples in the order np.random.default_rng(seed).permutation(n), not 0, 1, 2, ...",
                lambda *a, **k: _epoch_variant(*a, **k, shuffle=False), name="no shuffle"),
        Mistake("step against the gradient: w ← w − lr·g_B (the gradient is (σ(Xw) − y)·x, not (y − σ(Xw))·x)",
                lambda *a, **k: _epoch_variant(*a, **k, sign=+1.0), name="sign"),
        Mistake("take each batch's gradient at the *current* w, updated after every batch, not at the w the "
                "epoch started from", lambda *a, **k: _epoch_variant(*a, **k, stale=True), name="stale w"),
    ],
    hint="return the weights after the whole epoch, an array of the same shape as w",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex04_3", logistic_sgd_epoch)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
