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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


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
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex07_3", early_stop)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
