# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 09 — Capstone: a neural network
#
# Five exercises on [chapter 09](../chapters/09_neural_network.ipynb), 14 points in all.
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
import numpy as np

from gdlearn.grading import check
from gdlearn.mlp import mlp_loss_and_grad

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
import warnings

from gdlearn.grading import Case, Exercise, Mistake

rng = np.random.default_rng(909)
AUTOGRAD = ["torch.autograd.backward", "torch.autograd.grad", "torch.func.grad", "torch.func.grad_and_value",
            "torch.func.vjp", "torch.func.jacrev",          # where torch is installed, its autograd is forbidden too
            "gdlearn.calculus.numerical_gradient"]          # and finite differences: derive the gradient by hand


def _net(sizes, seed, bias=0.3):
    """A network with random weights *and* biases (zero biases would hide bias mistakes)."""
    r = np.random.default_rng(seed)
    params = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = r.normal(size=(a, b)) / np.sqrt(a)
        params[f"b{l}"] = bias * r.normal(size=b)
    return params


def _points(n, seed):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)          # an XOR-like pattern
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 9.1 — the cross-entropy and its gradient, from the logits (3 points)
#
# Write `bce_from_logits(z, y)`, which takes the logits `z` (shape `(n,)`) and the
# labels `y` (shape `(n,)`, values in [0, 1]) and returns the tuple
# `(loss, dz)`:
#
# $$\text{loss} = \frac1n \sum_i \big(\log(1 + e^{z_i}) - y_i z_i\big), \qquad
# \text{dz}_i = \frac{\partial\,\text{loss}}{\partial z_i} = \frac{\sigma(z_i) - y_i}{n},$$
#
# `loss` a float and `dz` an array of shape `(n,)`. It must work for huge logits
# too ($|z| = 1000$): no `inf`, no `nan`. `np.logaddexp(0, z)` computes
# $\log(1 + e^z)$ safely, and $\sigma(z) = 1/(1 + e^{-z})$ may be written as
# `np.exp(-np.logaddexp(0, -z))`. Derive `dz` by hand: PyTorch's autograd and
# `gdlearn.calculus.numerical_gradient` raise an error while `check` and the grader run your function.

# %%
def bce_from_logits(z, y):
    """Mean binary cross-entropy from the logits, and its gradient with respect to the logits."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(z)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, (np.exp(-np.logaddexp(0.0, -z)) - y) / n
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _sigma(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def _bce_naive(z, y):
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        loss = float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))
    return loss, (p - y) / len(z)


def _bce_sum(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), _sigma(z) - y


def _bce_sign(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (y - _sigma(z)) / len(z)


_CLIPPED = ("clipping sigma(z) keeps the logs finite but changes the loss wherever sigma(z) rounds to 0 or 1 "
            "(at z = 1000 the loss is 1000, not -log(eps)); compute log(1 + e^z) - y·z with np.logaddexp(0, z)")


def _bce_clipped(z, y, eps):
    """Clip sigma(z) into [eps, 1 - eps] before the logs: finite, but wrong at large logits."""
    p = np.clip(_sigma(z), eps, 1 - eps)
    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))), (p - y) / len(z)


def _bce_hard(z, y):
    """Labels rounded to 0 or 1: right for hard labels only."""
    y = np.round(y)
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (_sigma(z) - y) / len(z)


def _bce_log1p(z, y):
    """log1p(exp(z)) for log(1 + e^z): exp overflows first."""
    with np.errstate(all="ignore"):
        return float(np.mean(np.log1p(np.exp(z)) - y * z)), (_sigma(z) - y) / len(z)


def _bce_dp(z, y):
    """The derivative with respect to p instead of z."""
    p = _sigma(z)
    with np.errstate(all="ignore"):
        return float(np.mean(np.logaddexp(0.0, z) - y * z)), (-y / p + (1 - y) / (1 - p)) / len(z)


Exercise(
    "ex09_1", function="bce_from_logits", points=3,
    title="Exercise 9.1 — the cross-entropy and its gradient, from the logits",
    visible=[
        Case(np.array([0.0, 0.0]), np.array([0.0, 1.0])),
        Case(np.array([2.0, -1.0, 0.5]), np.array([1.0, 0.0, 0.0])),
        Case(np.array([1000.0, -1000.0, 1000.0]), np.array([0.0, 0.0, 1.0]), _label="huge logits"),
        Case(np.array([0.5, -2.0, 3.0]), np.array([0.3, 0.9, 0.5]), _label="soft labels: y anywhere in [0, 1]"),
    ],
    hidden=[
        Case(rng.normal(size=20) * 3, (rng.random(20) < 0.5).astype(float)),
        Case(np.array([-800.0, 800.0]), np.array([1.0, 0.0])),
        Case(rng.normal(size=7), rng.random(7), _label="soft labels"),
        Case(np.array([40.0]), np.array([0.0])),
    ],
    mistakes=[
        Mistake("the loss is inf or nan at large logits: computing sigma(z) first and then log(1 - sigma(z)) "
                "takes the log of 0 once sigma(z) rounds to 1; use log(1 + e^z) - y·z with np.logaddexp",
                _bce_naive, name="naive log"),
        Mistake(_CLIPPED,
                lambda z, y: _bce_clipped(z, y, 1e-7), name="clip 1e-7"),
        Mistake(_CLIPPED,
                lambda z, y: _bce_clipped(z, y, 1e-15), name="clip 1e-15"),
        Mistake("np.log1p(np.exp(z)) still overflows: exp(1000) is inf before log1p sees it; np.logaddexp(0, z) "
                "computes log(1 + e^z) without forming e^z", _bce_log1p, name="log1p(exp)"),
        Mistake("y can be any number in [0, 1] (a soft label): use it as it is, in log(1 + e^z) - y·z and in "
                "sigma(z) - y", _bce_hard, name="hard labels"),
        Mistake("dz is the gradient of the *mean*: divide sigma(z) - y by n", _bce_sum, name="no 1/n"),
        Mistake("the sign: d/dz [log(1 + e^z) - y·z] = sigma(z) - y, not y - sigma(z)", _bce_sign, name="sign"),
        Mistake("that is the derivative with respect to p = sigma(z); with respect to the logit z the "
                "two factors cancel to sigma(z) - y", _bce_dp, name="d/dp"),
    ],
    forbidden=AUTOGRAD,
    hint="the line above says which part differs: loss = mean(log(1 + e^z) - y·z), with np.logaddexp(0, z), "
         "and dz = (sigma(z) - y) / n; return the tuple (loss, dz), a float and an array of shape (n,)",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex09_1", bce_from_logits)

# %% [markdown]
# ## Exercise 9.2 — backpropagation through a two-layer network (4 points)
#
# The network of the chapter, with one hidden layer of $h$ tanh units:
#
# $$a = X W_1 + b_1, \quad H = \tanh(a), \quad z = H W_2 + b_2, \quad
# L = \frac1n \sum_i \big(\log(1 + e^{z_i}) - y_i z_i\big) ,$$
#
# with `params = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}`, `X` of
# shape `(n, d)` and `y` of shape `(n,)`. Write `two_layer_backprop(params, X, y)`,
# which returns the gradient of $L$ as a dict with the same four keys, each array
# with the shape of its parameter. (Take the steps of the chapter's section 3:
# $\delta_2 = (\sigma(z) - y)/n$, then the second layer, then back through the
# $\tanh$, then the first layer.)
#
# *Write the backward pass yourself with numpy: `gdlearn.mlp.mlp_loss_and_grad`, PyTorch's
# autograd and `gdlearn.calculus.numerical_gradient` answer this exercise, so they raise an
# error while `check` and the grader run your function.*

# %%
def two_layer_backprop(params, X, y):
    """Gradient of the mean cross-entropy of a one-hidden-layer tanh network: a dict like params."""
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    H = np.tanh(X @ params["W1"] + params["b1"])
    z = H @ params["W2"][:, 0] + params["b2"][0]
    delta2 = (np.exp(-np.logaddexp(0.0, -z)) - y) / len(y)   # sigma(z), the stable form of 9.1
    delta1 = np.outer(delta2, params["W2"][:, 0]) * (1 - H ** 2)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0),
            "W2": H.T @ delta2[:, None], "b2": np.array([delta2.sum()])}
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _backprop_variant(params, X, y, *, mistake):
    a = X @ params["W1"] + (0 if mistake == "no b1" else params["b1"])
    H = np.tanh(a)
    z = params["b2"][0] + H @ params["W2"][:, 0]
    n = 1 if mistake == "no 1/n" else len(y)
    delta2 = (_sigma(z) - y) / n
    if mistake == "sigma'":
        delta2 = delta2 * _sigma(z) * (1 - _sigma(z))
    slope = {"1 - a^2": 1 - a ** 2, "no tanh'": np.ones_like(H)}.get(mistake, 1 - H ** 2)
    delta1 = np.outer(delta2, params["W2"][:, 0]) * slope
    reduce = np.mean if mistake == "bias mean" else np.sum
    return {"W1": X.T @ delta1, "b1": reduce(delta1, axis=0),
            "W2": H.T @ delta2[:, None], "b2": np.array([reduce(delta2)])}


Exercise(
    "ex09_2", function="two_layer_backprop", points=4,
    title="Exercise 9.2 — backpropagation through a two-layer network",
    visible=[
        Case(_net([2, 3, 1], seed=1), *_points(5, seed=2)),
        Case(_net([2, 16, 1], seed=3), *_points(40, seed=4)),
        Case(_net([3, 4, 1], seed=5), np.random.default_rng(6).normal(size=(6, 3)),
             np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])),
    ],
    hidden=[
        Case(_net([2, 8, 1], seed=7, bias=1.0), *_points(30, seed=8)),
        Case(_net([5, 2, 1], seed=9), np.random.default_rng(10).normal(size=(12, 5)),
             np.random.default_rng(11).random(12), _label="soft labels"),
        Case(_net([2, 1, 1], seed=12), *_points(3, seed=13)),
        Case({k: 4 * v for k, v in _net([2, 6, 1], seed=14).items()}, *_points(25, seed=15),
             _label="saturated hidden units"),
    ],
    mistakes=[
        Mistake("tanh'(a) = 1 - tanh(a)^2 = 1 - H^2, not 1 - a^2: use the hidden *outputs* H",
                lambda p, X, y: _backprop_variant(p, X, y, mistake="1 - a^2"), name="1 - a^2"),
        Mistake("the error must pass through the tanh on its way down: multiply by tanh'(a) = 1 - H^2",
                lambda p, X, y: _backprop_variant(p, X, y, mistake="no tanh'"), name="no tanh'"),
        Mistake("the loss is a mean over the n examples: delta2 = (sigma(z) - y) / n",
                lambda p, X, y: _backprop_variant(p, X, y, mistake="no 1/n"), name="no 1/n"),
        Mistake("a bias is added to every example, so its gradient is the *sum* of the deltas over "
                "the examples (the 1/n is already in delta2), not their mean",
                lambda p, X, y: _backprop_variant(p, X, y, mistake="bias mean"), name="bias mean"),
        Mistake("the cross-entropy's derivative with respect to the logit is already sigma(z) - y (exercise 9.1: "
                "the sigma' cancels); do not multiply it by sigma(z)(1 - sigma(z))",
                lambda p, X, y: _backprop_variant(p, X, y, mistake="sigma'"), name="sigma'"),
        Mistake("the forward pass needs the bias: a = X W1 + b1 (the backward pass uses H and z from the "
                "true forward pass)", lambda p, X, y: _backprop_variant(p, X, y, mistake="no b1"), name="no b1"),
    ],
    forbidden=["gdlearn.mlp.mlp_loss_and_grad", "gdlearn.mlp._loss_and_grad", *AUTOGRAD],
    hint="the line above names the key that differs: W2 and b2 come from delta2 = (sigma(z) - y) / n, W1 and b1 "
         "from delta1 = (delta2 W2^T) * (1 - H^2); each result has its parameter's shape (W2 (h, 1), b2 (1,))",
    rtol=1e-8, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex09_2", two_layer_backprop)

# %% [markdown]
# ## Exercise 9.3 — one epoch of mini-batch SGD (3 points)
#
# Write `sgd_epoch(params, X, y, lr, batch_size, seed)`, which trains a network
# (a dict of arrays, any number of layers, tanh) for **one epoch** of mini-batch
# SGD and returns the new params (a new dict; do not change the one you were given):
#
# 1. shuffle: `order = np.random.default_rng(seed).permutation(n)`;
# 2. cut `order` into consecutive batches of `batch_size` indices (the last batch
#    is smaller when `batch_size` does not divide `n`);
# 3. for each batch in turn: `loss, grads = mlp_loss_and_grad(params, X[batch], y[batch])`
#    (imported above from `gdlearn.mlp`), then `params[k] - lr * grads[k]` for every key.
#
# *Write the loop yourself: `gdlearn.mlp.train` with `gdlearn.optim.sgd` answers this
# exercise, so both raise an error while `check` and the grader run your function.*

# %%
def sgd_epoch(params, X, y, lr, batch_size, seed):
    """One epoch of mini-batch SGD on a gdlearn.mlp network; returns the new params."""
    ### BEGIN SOLUTION
    order = np.random.default_rng(seed).permutation(len(y))
    for start in range(0, len(y), batch_size):
        batch = order[start:start + batch_size]
        _, grads = mlp_loss_and_grad(params, X[batch], y[batch])
        params = {k: params[k] - lr * grads[k] for k in params}
    return params
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _epoch_variant(params, X, y, lr, batch_size, seed, *, mistake):
    n = len(y)
    order = np.arange(n) if mistake == "no shuffle" else np.random.default_rng(seed).permutation(n)
    stop = n - n % batch_size if mistake == "drop last" else n
    if mistake == "one step":
        _, grads = mlp_loss_and_grad(params, X, y)
        return {k: params[k] - lr * grads[k] for k in params}
    for start in range(0, stop, batch_size):
        batch = order[start:start + batch_size]
        _, grads = mlp_loss_and_grad(params, X[batch], y[batch])
        sign = 1.0 if mistake == "ascent" else -1.0
        params = {k: params[k] + sign * lr * grads[k] for k in params}
    return params


Exercise(
    "ex09_3", function="sgd_epoch", points=3,
    title="Exercise 9.3 — one epoch of mini-batch SGD",
    visible=[
        Case(_net([2, 4, 1], seed=20), *_points(12, seed=21), 0.5, 4, 0),
        Case(_net([2, 8, 8, 1], seed=22), *_points(50, seed=23), 0.2, 16, 7, _label="last batch of 2"),
        Case(_net([2, 3, 1], seed=24), *_points(6, seed=25), 0.1, 1, 3, _label="batch size 1"),
    ],
    hidden=[
        Case(_net([2, 16, 1], seed=26), *_points(40, seed=27), 1.0, 40, 1, _label="full batch"),
        Case(_net([2, 5, 4, 1], seed=28), *_points(33, seed=29), 0.3, 10, 11),
        Case(_net([2, 6, 1], seed=30), *_points(20, seed=31), 0.05, 7, 2),
    ],
    mistakes=[
        Mistake("shuffle first: order = np.random.default_rng(seed).permutation(n), then cut it into batches",
                lambda *a: _epoch_variant(*a, mistake="no shuffle"), name="no shuffle"),
        Mistake("step *against* the gradient: params[k] - lr * grads[k]",
                lambda *a: _epoch_variant(*a, mistake="ascent"), name="ascent"),
        Mistake("one epoch is one step *per mini-batch*, not one full-batch step",
                lambda *a: _epoch_variant(*a, mistake="one step"), name="one step"),
        Mistake("keep the last, smaller batch: every example is used once per epoch",
                lambda *a: _epoch_variant(*a, mistake="drop last"), name="drop last"),
    ],
    forbidden=["gdlearn.mlp.train", "gdlearn.optim.sgd"],
    hint="the line above names the key that differs: shuffle once with np.random.default_rng(seed)"
         ".permutation(n), then take one step per mini-batch in that order, each from the current parameters; "
         "return a dict with the same keys and shapes as params",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex09_3", sgd_epoch)


# %% [markdown]
# ## Exercise 9.4 — choosing a learning rate by a stated rule (2 points)
#
# Section 6a of the chapter chooses each optimizer's learning rate by one stated rule,
# the same for every optimizer. Write `choose_rate(rates, correct, val_loss)`, which
# applies it to a finished search:
#
# - `rates`: the grid of learning rates tried, shape `(r,)`;
# - `correct`: how many validation points each run gets right, shape `(seeds, r)`
#   (row: a seed; column: a rate);
# - `val_loss`: each run's validation loss, shape `(seeds, r)` (`np.inf` for a run that
#   diverged).
#
# Return the rate (a number from `rates`) whose runs get the **most validation points
# right in total over the seeds**; among rates tied on that total, the one with the
# **lower mean validation loss** over the seeds; if still tied, the **smaller rate**.
# (`np.lexsort` does a sort by several keys at once; a loop over the rates works too.)

# %%
def choose_rate(rates, correct, val_loss):
    """The rate with the most validation points right over the seeds; ties: lower mean loss, then smaller rate."""
    ### BEGIN SOLUTION
    rates, correct, val_loss = np.asarray(rates, float), np.asarray(correct), np.asarray(val_loss, float)
    total = correct.sum(axis=0)
    mean_loss = val_loss.mean(axis=0)
    best = np.lexsort((rates, mean_loss, -total))[0]     # the last key sorts first
    return float(rates[best])
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
_TIE_BY_MEAN = "break a tie by the *mean* validation loss over the seeds, not the median, the best or the worst seed's"


def _choose_variant(rates, correct, val_loss, *, mistake):
    rates, correct, val_loss = np.asarray(rates, float), np.asarray(correct), np.asarray(val_loss, float)
    total, mean_loss = correct.sum(axis=0), val_loss.mean(axis=0)
    if mistake == "best seed":
        return float(rates[np.argmax(correct.max(axis=0))])
    if mistake == "seed 0":
        return float(rates[np.argmax(correct[0])])
    if mistake == "no tie-break":
        return float(rates[np.argmax(total)])
    if mistake == "higher loss":
        return float(rates[np.lexsort((rates, -mean_loss, -total))[0]])
    if mistake == "loss first":
        return float(rates[np.argmin(mean_loss)])
    if mistake in ("median loss", "best-seed loss", "worst-seed loss"):
        tie = {"median loss": np.median, "best-seed loss": np.min, "worst-seed loss": np.max}[mistake](val_loss, axis=0)
        return float(rates[np.lexsort((rates, tie, -total))[0]])
    if mistake == "diverged ignored":
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            kept = np.nanmean(np.where(np.isfinite(val_loss), val_loss, np.nan), axis=0)
        return float(rates[np.lexsort((rates, kept, -total))[0]])
    if mistake == "position":
        return float(rates[np.lexsort((mean_loss, -total))[0]])    # a full tie goes to the first in the list
    if mistake == "index":
        return int(np.lexsort((rates, mean_loss, -total))[0])
    raise ValueError(mistake)


def _search(seeds, rates, seed):
    """A made-up finished search: counts out of 75, losses, some near-ties."""
    rng = np.random.default_rng(seed)
    correct = rng.integers(60, 76, size=(seeds, len(rates)))
    return list(rates), correct, rng.uniform(0.05, 0.6, size=(seeds, len(rates))).round(3)


Exercise(
    "ex09_4", function="choose_rate", points=2,
    title="Exercise 9.4 — choosing a learning rate by a stated rule",
    visible=[
        Case([0.001, 0.003, 0.01, 0.03, 0.1, 1.0],
             np.array([[74, 60, 70, 55, 68, 40], [50, 61, 69, 75, 71, 38], [51, 62, 70, 50, 70, 39]]),
             np.array([[0.31, 0.16, 0.27, 0.45, 0.23, np.inf], [0.30, 0.15, 0.29, 0.35, 0.25, 0.9],
                       [0.29, 0.14, 0.28, 0.40, 0.24, 0.8]]),
             _label="0.01 and 0.1 tie on 209 points right; one lucky seed at 0.03; a diverged run at 1"),
        Case([0.03, 0.3, 3.0], np.array([[60, 70, 70], [64, 72, 72]]),
             np.array([[0.5, 0.2, 0.4], [0.5, 0.2, 0.4]]), _label="0.3 and 3 tie on points; 0.3 has the lower loss"),
        Case([0.1, 1.0, 10.0], np.array([[70, 70, 40], [70, 70, 40]]),
             np.array([[0.2, 0.2, np.inf], [0.3, 0.3, np.inf]]), _label="a full tie: the smaller rate"),
        Case([1.0, 0.1, 0.01], np.array([[74, 70, 70], [60, 72, 72]]), np.array([[0.3, 0.25, 0.25], [0.35, 0.2, 0.2]]),
             _label="a grid in decreasing order, a full tie: the smaller rate is the last"),
        Case([0.1, 1.0], np.array([[70, 71], [70, 70], [70, 69]]), np.array([[0.1, 0.2], [0.1, 0.2], [0.7, 0.25]]),
             _label="a tie on points: the lower *mean* loss (not the median, not the best seed's)"),
        Case([0.1, 1.0], np.array([[72, 70], [70, 72]]), np.array([[0.2, 0.1], [0.2, np.inf]]),
             _label="a tie on points, one diverged run: its loss inf counts in the mean"),
        Case([0.1, 1.0], np.array([[70, 70], [70, 70], [70, 70]]), np.array([[0.1, 0.3], [0.1, 0.3], [0.5, 0.3]]),
             _label="a tie on points: the lower mean loss, though one seed's loss is the highest"),
    ],
    hidden=[
        Case(*_search(3, 10.0 ** np.arange(-3, 1.01, 0.5), seed=40)),
        Case(*_search(1, [0.01, 0.1, 1.0], seed=41), _label="one seed"),
        Case([3.0, 0.3, 0.03, 0.003], np.array([[60, 71, 71, 50], [62, 70, 70, 52]]),
             np.array([[0.4, 0.2, 0.2, 0.5], [0.4, 0.3, 0.3, 0.6]]), _label="a decreasing grid, two seeds"),
        Case(*_search(5, 10.0 ** np.arange(-4, 0.01, 0.25), seed=42)),
    ],
    mistakes=[
        Mistake("add up the points right over all the seeds: one lucky seed is an anecdote",
                lambda *a: _choose_variant(*a, mistake="best seed"), name="best seed"),
        Mistake("use every seed, not only the first row: sum the points right over the seeds",
                lambda *a: _choose_variant(*a, mistake="seed 0"), name="seed 0"),
        Mistake("a full tie goes to the smaller rate, which need not come first in the list: compare the rates "
                "themselves", lambda *a: _choose_variant(*a, mistake="position"), name="position"),
        Mistake("a diverged run counts: its loss is inf, so the mean over the seeds is inf (np.mean, not "
                "np.nanmean or a mean over the finite losses only)",
                lambda *a: _choose_variant(*a, mistake="diverged ignored"), name="diverged ignored"),
        Mistake(_TIE_BY_MEAN,
                lambda *a: _choose_variant(*a, mistake="median loss"), name="median loss"),
        Mistake(_TIE_BY_MEAN,
                lambda *a: _choose_variant(*a, mistake="best-seed loss"), name="best-seed loss"),
        Mistake(_TIE_BY_MEAN,
                lambda *a: _choose_variant(*a, mistake="worst-seed loss"), name="worst-seed loss"),
        Mistake("rates tied on the points right: take the one with the lower mean validation loss",
                lambda *a: _choose_variant(*a, mistake="no tie-break"), name="no tie-break"),
        Mistake("a lower loss is better: break ties by the smaller mean validation loss",
                lambda *a: _choose_variant(*a, mistake="higher loss"), name="higher loss"),
        Mistake("choose on the points right first; the validation loss only breaks ties",
                lambda *a: _choose_variant(*a, mistake="loss first"), name="loss first"),
        Mistake("return the rate itself, rates[i], not its index i",
                lambda *a: _choose_variant(*a, mistake="index"), name="index"),
    ],
    hint="return one number: the chosen learning rate",
    rtol=0, atol=0,
)
### END HIDDEN TESTS

# %%
check("ex09_4", choose_rate)


# %% [markdown]
# ## Exercise 9.5 — is a gap noise? The paired standard error (2 points)
#
# Section 6b of the chapter scores every optimizer on the *same* test points, so part of a
# gap between two optimizers comes from which points were drawn. The chapter measures that
# part with the **paired standard error**. Write `paired_gap(right_a, right_b)`:
#
# - `right_a`: which test points each run of optimizer A gets right, a boolean array of
#   shape `(points, seeds)` (row: a test point; column: a seed);
# - `right_b`: the same for optimizer B, with the same seeds and the same shape.
#
# For each test point $i$, let $d_i$ be A's share of the seeds that get point $i$ right
# minus B's share. Return the tuple `(gap, se)`: `gap` is the mean of the $d_i$ over the
# points (which equals A's mean accuracy minus B's), and `se` is the sample standard
# deviation of the $d_i$ (`ddof=1`) over $\sqrt{\text{points}}$. The ratio `gap / se` then
# says how many paired standard errors the gap is from zero.

# %%
def paired_gap(right_a, right_b):
    """Gap in mean accuracy, A − B, and its paired standard error over the shared test points."""
    ### BEGIN SOLUTION
    d = np.mean(right_a, axis=1) - np.mean(right_b, axis=1)      # per test point, over the seeds
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _paired_variant(right_a, right_b, *, mistake):
    a, b = np.mean(right_a, axis=1), np.mean(right_b, axis=1)
    d, n = a - b, len(a)
    if mistake == "unpaired":
        return float(d.mean()), float(np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n))
    if mistake == "over seeds":
        per_seed = np.mean(right_a, axis=0) - np.mean(right_b, axis=0)
        with np.errstate(all="ignore"), warnings.catch_warnings():     # one seed: no spread, nan
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(d.mean()), float(per_seed.std(ddof=1) / np.sqrt(len(per_seed)))
    if mistake == "ddof 0":
        return float(d.mean()), float(d.std() / np.sqrt(n))
    if mistake == "sqrt seeds":
        return float(d.mean()), float(d.std(ddof=1) / np.sqrt(right_a.shape[1]))
    if mistake == "no sqrt":
        return float(d.mean()), float(d.std(ddof=1))
    if mistake == "sign":
        return float(-d.mean()), float(d.std(ddof=1) / np.sqrt(n))
    if mistake == "abs":
        return float(abs(d.mean())), float(d.std(ddof=1) / np.sqrt(n))
    if mistake == "binomial":                  # each accuracy as a share of n independent points, then unpaired
        acc_a, acc_b = a.mean(), b.mean()
        return float(d.mean()), float(np.sqrt(acc_a * (1 - acc_a) / n + acc_b * (1 - acc_b) / n))
    raise ValueError(mistake)


def _runs(points, seeds, seed, shared=0.8):
    """Two optimizers' right/wrong on shared test points: a point's difficulty is common to both."""
    r = np.random.default_rng(seed)
    easy = r.random(points) < shared                               # easy points: mostly right for both
    p_a = np.where(easy, 0.97, 0.55)[:, None]
    p_b = np.where(easy, 0.95, 0.45)[:, None]
    return r.random((points, seeds)) < p_a, r.random((points, seeds)) < p_b


Exercise(
    "ex09_5", function="paired_gap", points=2,
    title="Exercise 9.5 — is a gap noise? The paired standard error",
    visible=[
        Case(np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 1]], bool),
             np.array([[1, 1, 1], [1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 0, 0], [1, 1, 0]], bool),
             _label="6 test points, 3 seeds"),
        Case(*_runs(100, 10, seed=50), _label="100 test points, 10 seeds, as in the chapter"),
        Case(np.array([[True], [False], [True], [True]]), np.array([[True], [False], [False], [True]]),
             _label="one seed"),
        Case(*_runs(100, 10, seed=50)[::-1], _label="case 2 with A and B swapped: B is ahead"),
    ],
    hidden=[
        Case(*_runs(100, 10, seed=51)),
        Case(*_runs(40, 3, seed=52, shared=0.5)),
        Case(np.ones((5, 4), bool), np.eye(5, 4, dtype=bool), _label="A gets everything right"),
        Case(*_runs(250, 7, seed=53)),
        Case(*_runs(60, 5, seed=54)[::-1], _label="B ahead"),
    ],
    mistakes=[
        Mistake("pair the two optimizers point by point: take the standard error of the differences d_i, not "
                "combine each optimizer's own standard error (a hard point is hard for both; pairing cancels that)",
                lambda *a: _paired_variant(*a, mistake="unpaired"), name="unpaired"),
        Mistake("that is the standard error of two *independent* accuracies, sqrt(p(1-p)/n) each; the same test "
                "points are shared, so pair them: the standard error of the per-point differences d_i",
                lambda *a: _paired_variant(*a, mistake="binomial"), name="binomial"),
        Mistake("the standard error is over the test points: average each point over the seeds first (axis=1), "
                "then take the standard deviation of the d_i over the points",
                lambda *a: _paired_variant(*a, mistake="over seeds"), name="over seeds"),
        Mistake("use the sample standard deviation of the d_i: np.std(d, ddof=1)",
                lambda *a: _paired_variant(*a, mistake="ddof 0"), name="ddof 0"),
        Mistake("divide by the square root of the number of test points (the d_i are one per point), not of "
                "the number of seeds", lambda *a: _paired_variant(*a, mistake="sqrt seeds"), name="sqrt seeds"),
        Mistake("the standard error of a mean is the standard deviation divided by the square root of the "
                "number of points", lambda *a: _paired_variant(*a, mistake="no sqrt"), name="no sqrt"),
        Mistake("keep the gap's sign: it is negative when B is ahead of A",
                lambda *a: _paired_variant(*a, mistake="abs"), name="abs"),
        Mistake("the gap is A minus B: right_a's mean accuracy minus right_b's",
                lambda *a: _paired_variant(*a, mistake="sign"), name="sign"),
    ],
    hint="d_i = right_a[i].mean() - right_b[i].mean() for each test point i; gap = mean of the d_i, "
         "se = np.std(d, ddof=1) / sqrt(number of points); return the tuple (gap, se) of two floats",
    rtol=1e-9, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex09_5", paired_gap)


# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
