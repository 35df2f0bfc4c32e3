# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises 10 — Beyond gradient descent
#
# Four exercises on [chapter 10](../chapters/10_beyond_gradient_descent.ipynb), 9 points in all.
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

from gdlearn import surfaces
from gdlearn.grading import check


# %% [markdown]
# ## Exercise 10.1 — random search in a box (2 points)
#
# Write `random_search_box(f, low, high, n, seed)`. Draw all `n` candidates at once,
#
# ```python
# rng = np.random.default_rng(seed)
# points = rng.uniform(low, high, size=(n, len(low)))
# ```
#
# (row $i$ is candidate $i$), evaluate `f` on each row, and return a tuple of three
# things:
#
# - the best point (the row with the smallest value; the first such row on a tie),
# - its value, a float,
# - the **best value so far** after each evaluation: an array of shape `(n,)` whose
#   entry $k$ is the smallest of the first $k + 1$ values.

# %%
def random_search_box(f, low, high, n, seed):
    """Uniform random search: (best point, best value, best value so far after each evaluation)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex10_1", random_search_box)

# %% [markdown]
# ## Exercise 10.2 — the FedAvg server step (2 points)
#
# After a round, client $k$ sends its weights $w_k$ (row $k$ of `client_weights`, an
# array of shape `(m, d)`) and its number of examples $n_k$ (`sizes`, shape `(m,)`).
# Write `fedavg_aggregate(client_weights, sizes)`, which returns the server's new
# weights, the average **weighted by the data sizes**:
#
# $$w = \sum_{k=1}^{m} \frac{n_k}{\sum_j n_j}\, w_k .$$
#
# (Chapter 10 shows why: with one local step this is exactly gradient descent on
# the pooled data.)

# %%
def fedavg_aggregate(client_weights, sizes):
    """The data-size-weighted average of the clients' weights, shape (d,)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex10_2", fedavg_aggregate)

# %% [markdown]
# ## Exercise 10.3 — one Nelder–Mead iteration (3 points)
#
# Write `nelder_mead_step(f, simplex)`. `simplex` has shape `(d + 1, d)`, one vertex
# per row, **sorted** so that `f(simplex[0]) <= f(simplex[1]) <= ... <= f(simplex[d])`.
# Do one iteration of the standard algorithm (coefficients 1, 2, ½, ½), with
# $\bar x$ the mean of all rows but the last (the worst, $x_w$) and $f_0 \le \dots \le f_d$
# the vertex values:
#
# 1. reflect: $x_r = \bar x + (\bar x - x_w)$.
# 2. if $f(x_r) < f_0$: expand, $x_e = \bar x + 2(x_r - \bar x)$; replace $x_w$ by $x_e$ if
#    $f(x_e) < f(x_r)$, else by $x_r$.
# 3. else if $f(x_r) < f_{d-1}$: replace $x_w$ by $x_r$.
# 4. else if $f(x_r) < f_d$: outside contraction $x_c = \bar x + \tfrac12(x_r - \bar x)$;
#    replace $x_w$ by $x_c$ if $f(x_c) \le f(x_r)$, else shrink.
# 5. else: inside contraction $x_c = \bar x + \tfrac12(x_w - \bar x)$; replace $x_w$ by
#    $x_c$ if $f(x_c) < f_d$, else shrink.
#
# Shrink: every vertex but the best moves halfway towards it,
# $x_i \leftarrow x_0 + \tfrac12(x_i - x_0)$.
#
# Return the new simplex, an array of shape `(d + 1, d)`, **sorted** again by value
# with `np.argsort(values, kind="stable")` (on a tie the earlier row stays first).

# %%
def nelder_mead_step(f, simplex):
    """One Nelder–Mead iteration on a sorted simplex; returns the new simplex, sorted."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex10_3", nelder_mead_step)

# %% [markdown]
# ## Exercise 10.4 — the evolution-strategy gradient estimate (2 points)
#
# Write `es_gradient(f, x, sigma, eps)`: the antithetic estimate of the gradient of
# the smoothed loss at `x`, from the $n$ directions given as the rows of `eps`
# (shape `(n, d)`):
#
# $$\hat g = \frac1n \sum_{i=1}^{n} \frac{f(x + \sigma\varepsilon_i) - f(x - \sigma\varepsilon_i)}{2\sigma}\;\varepsilon_i .$$
#
# Return an array of shape `(d,)`. (On a quadratic, the chapter says, each term is
# exactly $(\nabla f(x)\cdot\varepsilon_i)\,\varepsilon_i$: a good way to test your code.)

# %%
def es_gradient(f, x, sigma, eps):
    """Antithetic evolution-strategy estimate of the gradient of the smoothed f at x, shape (d,)."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")


# %%
check("ex10_4", es_gradient)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
