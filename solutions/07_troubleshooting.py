# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 07 — Troubleshooting
#
# Three exercises on [chapter 07](../chapters/07_troubleshooting.ipynb), 8 points in all:
# the three safety devices of a training loop.
#
# **How to work.** Each exercise asks for one function. Replace the line
# `raise NotImplementedError(...)` with your code, then run the `check(...)` cell
# below it: it runs the visible tests at once and shows, for each case, the input,
# the expected and the received value, and a hint when your answer looks like a
# classic mistake. The grader runs the same tests plus hidden ones, with partial
# credit per test case. Keep the function names and parameters as given, and write
# the functions yourself with numpy (not with `gdlearn.optim` or `gdlearn.troubles`).

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

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Exercise, Mistake

rng = np.random.default_rng(707)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7.1 — clip by global norm, as PyTorch does (3 points)
#
# Write `clip_grad_norm(grads, max_norm)`. `grads` is either one numpy array or a
# dict of numpy arrays (the gradients of all parameters of a model, e.g.
# `{"W1": ..., "b1": ...}`). The **global norm** is the Euclidean norm of all
# entries of all arrays together,
# $\|g\| = \sqrt{\sum_{\text{arrays}} \sum_{\text{entries}} g_i^2}$. Like
# `torch.nn.utils.clip_grad_norm_`, scale every array by the same coefficient
#
# $$\text{coef} = \min\left(1,\ \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\right)$$
#
# and return the pair `(clipped, total_norm)`: the scaled gradients, in the same
# form as `grads` (an array, or a dict with the same keys), and the global norm
# **before** clipping, as a float. Do not modify `grads`.

# %%
def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global norm is at most max_norm (torch's rule)."""
    ### BEGIN SOLUTION
    arrays = list(grads.values()) if isinstance(grads, dict) else [grads]
    total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in arrays)))
    coef = min(1.0, max_norm / (total + 1e-6))
    if isinstance(grads, dict):
        return {k: np.asarray(g, dtype=float) * coef for k, g in grads.items()}, total
    return np.asarray(grads, dtype=float) * coef, total
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _clip_variant(grads, max_norm, *, mistake):
    """The reference with one classic mistake switched on."""
    is_dict = isinstance(grads, dict)
    items = dict(grads) if is_dict else {"_": grads}
    items = {k: np.asarray(g, dtype=float) for k, g in items.items()}
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in items.values())))
    if mistake == "per array":
        out = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in items.items()}
    elif mistake == "by value":
        out = {k: np.clip(g, -max_norm, max_norm) for k, g in items.items()}
    else:
        coef = {"no clamp": max_norm / (total + 1e-6), "no eps": min(1.0, max_norm / total) if total else 1.0,
                "norm after": min(1.0, max_norm / (total + 1e-6))}[mistake]
        out = {k: g * coef for k, g in items.items()}
        if mistake == "norm after":
            total = float(np.sqrt(sum(np.sum(g ** 2) for g in out.values())))
    return (out if is_dict else out["_"]), total


Exercise(
    "ex07_1", function="clip_grad_norm", points=3,
    title="Exercise 7.1 — clip by global norm, as PyTorch does",
    visible=[
        Case(np.array([3.0, 4.0]), 1.0),
        Case(np.array([0.3, -0.4]), 1.0),
        Case({"W": np.array([[1.0, 2.0], [2.0, 0.0]]), "b": np.array([4.0])}, 2.5),
        Case({"W": np.array([[0.1, 0.0]]), "b": np.array([-0.2, 0.2])}, 10.0),
    ],
    hidden=[
        Case(np.array([2.0, 0.0]), 2.0, _label="norm exactly max_norm: the 1e-6 still scales a little"),
        Case(rng.normal(size=(4, 3)) * 100, 5.0),
        Case({"W1": rng.normal(size=(3, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(3, 1)) * 20,
              "b2": np.zeros(1)}, 1.0),
        Case(np.zeros(3), 1.0),
        Case({"w": np.array([1e6, -1e6])}, 0.5),
    ],
    mistakes=[
        Mistake("clip the **global** norm: one coefficient for all arrays together, computed from the norm "
                "of all their entries, not one norm per array",
                lambda g, m: _clip_variant(g, m, mistake="per array"), name="per array"),
        Mistake("that is clipping by value (each entry cut to [-max_norm, max_norm]); scale the whole "
                "gradient instead, so that its direction is kept",
                lambda g, m: _clip_variant(g, m, mistake="by value"), name="by value"),
        Mistake("the coefficient is clamped at 1: gradients whose norm is below max_norm are left "
                "unchanged, never scaled up",
                lambda g, m: _clip_variant(g, m, mistake="no clamp"), name="no clamp"),
        Mistake("torch divides by norm + 1e-6, not by the norm itself",
                lambda g, m: _clip_variant(g, m, mistake="no eps"), name="no eps"),
        Mistake("return the total norm *before* clipping (what torch's clip_grad_norm_ returns)",
                lambda g, m: _clip_variant(g, m, mistake="norm after"), name="norm after"),
    ],
    hint="return a pair (clipped, total_norm): clipped in the form of grads (array or dict), "
         "total_norm a float",
    rtol=1e-10, atol=1e-13,
)
### END HIDDEN TESTS

# %%
check("ex07_1", clip_grad_norm)

# %% [markdown]
# ## Exercise 7.2 — spot a loss spike (2 points)
#
# A training loop records the loss after every step. Write
# `first_divergence(losses, factor=10.0)`, which returns the first step $k \ge 1$
# at which the run has clearly gone wrong:
#
# - `losses[k]` is not a finite number (`nan`, `inf` or `-inf`), or
# - `losses[k]` is more than `factor` times the **smallest loss seen before it**,
#   $\min(\text{losses}[0], \dots, \text{losses}[k-1])$.
#
# Return that step as an `int`, or `None` if there is no such step. (Comparing with
# the best loss so far, not with the first one, catches a run that went well for a
# while and then blew up. Beware: `np.nan > 3.0` is `False`.)

# %%
def first_divergence(losses, factor=10.0):
    """First step k >= 1 whose loss is not finite or exceeds factor times the best loss before it; else None."""
    ### BEGIN SOLUTION
    losses = np.asarray(losses, dtype=float)
    best = losses[0]
    for k in range(1, len(losses)):
        if not np.isfinite(losses[k]) or losses[k] > factor * best:
            return k
        best = min(best, losses[k])
    return None
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _div_variant(losses, factor=10.0, *, mistake):
    losses = np.asarray(losses, dtype=float)
    best = losses[0]
    for k in range(1, len(losses)):
        if mistake == "first loss":
            bad = (not np.isfinite(losses[k])) or losses[k] > factor * losses[0]
        elif mistake == "nan slips":
            bad = losses[k] > factor * best or np.isinf(losses[k])
        else:
            bad = (not np.isfinite(losses[k])) or losses[k] > factor * best
        if bad:
            return k - 1 if mistake == "off by one" else k
        best = min(best, losses[k])
    return None


Exercise(
    "ex07_2", function="first_divergence", points=2,
    title="Exercise 7.2 — spot a loss spike",
    visible=[
        Case(np.array([4.0, 2.0, 1.0, 0.5, 0.25])),
        Case(np.array([4.0, 2.0, 1.0, 0.5, 6.0, 1e3])),
        Case(np.array([1.0, 0.9, np.nan, 0.8])),
        Case(np.array([1.0, 3.0, 9.0, 27.0]), factor=2.0),
    ],
    hidden=[
        Case(np.array([1.0, 0.5, np.inf])),
        Case(np.array([1.0, 0.5, 0.4, np.nan, 100.0])),
        Case(np.array([2.0, 1.0, 0.1, 0.05, 0.4, 0.6])),
        Case(np.array([5.0])),
        Case(np.array([1.0, 10.0, 10.5]), factor=10.0, _label="exactly factor times is not more"),
        Case(np.array([3.0, 1.0, 0.1, 5.0, -np.inf])),
        Case(np.concatenate([np.geomspace(1.0, 1e-4, 50), [2e-3]])),
    ],
    mistakes=[
        Mistake("compare with the smallest loss seen *before* step k, not with the first loss: a run "
                "that first improved a lot and then jumps up has diverged too",
                lambda losses, factor=10.0: _div_variant(losses, factor, mistake="first loss"),
                name="first loss"),
        Mistake("nan compares False with everything (np.nan > x is False): test np.isfinite(losses[k]) too",
                lambda losses, factor=10.0: _div_variant(losses, factor, mistake="nan slips"),
                name="nan slips"),
        Mistake("return the step of the bad loss itself (k), not the one before it",
                lambda losses, factor=10.0: _div_variant(losses, factor, mistake="off by one"),
                name="off by one"),
    ],
    hint="return an int (the step), or None when the run never diverged",
)
### END HIDDEN TESTS

# %%
check("ex07_2", first_divergence)

# %% [markdown]
# ## Exercise 7.3 — early stopping with patience (3 points)
#
# `val_losses[e]` is the validation loss after epoch `e` (epoch 0 is the start).
# Write `early_stop(val_losses, patience, min_delta=0.0)`, which replays what a
# training loop with early stopping does, epoch by epoch:
#
# - keep the **best epoch** so far (epoch 0 at first). An epoch `e` is a new best
#   when `val_losses[e] < val_losses[best] - min_delta`: it must improve by more
#   than `min_delta` (ties and tiny improvements do not count);
# - **stop** at the first epoch `e` with `e - best >= patience` (that many epochs
#   without a new best); if that never happens, training runs to the last epoch.
#
# Return the pair `(best, stop)` of ints: the epoch whose weights you keep and the
# epoch at which training stopped.

# %%
def early_stop(val_losses, patience, min_delta=0.0):
    """Replay early stopping: (best epoch, stop epoch)."""
    ### BEGIN SOLUTION
    losses = np.asarray(val_losses, dtype=float)
    best = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best] - min_delta:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(losses) - 1
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _stop_variant(val_losses, patience, min_delta=0.0, *, mistake):
    v = np.asarray(val_losses, dtype=float)
    b = 0
    for e in range(1, len(v)):
        improved = (v[e] <= v[b] - min_delta if mistake == "ties"
                    else v[e] < v[b] - (0.0 if mistake == "no delta" else min_delta))
        if improved:
            b = e
        elif (e - b > patience) if mistake == "patience off by one" else (e - b >= patience):
            return (e, e) if mistake == "keep last" else (b, e)
    last = len(v) - 1
    return (last, last) if mistake == "keep last" else (b, last)


_curve = np.array([1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.74, 0.76, 0.8, 0.9])
Exercise(
    "ex07_3", function="early_stop", points=3,
    title="Exercise 7.3 — early stopping with patience",
    visible=[
        Case(np.array([5.0, 3.0, 2.0, 2.5, 2.1, 2.2, 1.0]), 3),
        Case(np.array([5.0, 3.0, 2.0]), 3),
        Case(_curve, 2),
        Case(_curve, 2, min_delta=0.05),
        Case(np.array([2.0, 1.0, 1.0, 1.0, 0.5]), 2),
    ],
    hidden=[
        Case(_curve, 3),
        Case(np.array([1.0, 1.0, 1.0, 1.0]), 2, _label="a flat curve: ties are not improvements"),
        Case(np.concatenate([np.linspace(1, 0.2, 30), 0.2 + 0.01 * np.arange(1, 30)]), 5),
        Case(0.5 + 0.1 * np.cos(np.arange(60) / 3) + 0.002 * np.arange(60), 12, min_delta=0.01),
        Case(np.array([3.0, 2.0, 1.0, 2.0]), 1),
    ],
    mistakes=[
        Mistake("an epoch that only ties the best (or improves by min_delta or less) is not a new best: "
                "use <, not <=", lambda v, p, min_delta=0.0: _stop_variant(v, p, min_delta, mistake="ties"),
                name="ties"),
        Mistake("stop as soon as epoch - best >= patience (patience epochs without improvement), not one later",
                lambda v, p, min_delta=0.0: _stop_variant(v, p, min_delta, mistake="patience off by one"),
                name="patience off by one"),
        Mistake("a new best must beat the best by more than min_delta: val_losses[e] < val_losses[best] - min_delta",
                lambda v, p, min_delta=0.0: _stop_variant(v, p, min_delta, mistake="no delta"),
                name="no delta"),
        Mistake("keep the weights of the *best* epoch, not of the epoch where training stopped",
                lambda v, p, min_delta=0.0: _stop_variant(v, p, min_delta, mistake="keep last"),
                name="keep last"),
    ],
    hint="return a pair of ints (best, stop)",
)
### END HIDDEN TESTS

# %%
check("ex07_3", early_stop)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
