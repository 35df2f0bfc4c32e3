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

# %%
### BEGIN HIDDEN TESTS
# The grading specification of this notebook (teacher only: the release step
# removes every hidden block from the student's copy).
from gdlearn.grading import Case, Code, Exercise, Mistake

rng = np.random.default_rng(1010)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    rng = np.random.default_rng(seed)
    points = rng.uniform(low, high, size=(n, len(low)))
    values = np.array([f(p) for p in points], dtype=float)
    best = int(np.argmin(values))
    return points[best], float(values[best]), np.minimum.accumulate(values)
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _rs_variant(f, low, high, n, seed, *, mistake):
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    points = np.random.default_rng(seed).uniform(low, high, size=(n, len(low)))
    values = np.array([f(p) for p in points], dtype=float)
    if mistake == "max":
        best = int(np.argmax(values))
        return points[best], float(values[best]), np.maximum.accumulate(values)
    best = int(np.argmin(values))
    if mistake == "raw values":
        return points[best], float(values[best]), values
    if mistake == "last":
        return points[-1], float(values[-1]), np.minimum.accumulate(values)


Exercise(
    "ex10_1", function="random_search_box", points=2,
    title="Exercise 10.1 — random search in a box",
    visible=[
        Case(Code("surfaces.rosenbrock.f"), [-2.0, -1.0], [2.0, 3.0], 50, 0),
        Case(Code("lambda x: float(np.sum(np.abs(x)))"), [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0], 20, 1),
        Case(Code("lambda x: float(np.floor(4 * x[0]) ** 2)"), [-1.0], [1.0], 10, 2),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.f"), [-5.0, -5.0], [5.0, 5.0], 200, 7),
        Case(Code("surfaces.rastrigin.f"), [-3.0, -3.0], [3.0, 3.0], 100, 3),
        Case(Code("lambda x: float(np.round(x @ x))"), [0.0, 0.0], [2.0, 2.0], 30, 11),
        Case(Code("lambda x: -float(x[0])"), [0.0], [1.0], 1, 5),
    ],
    mistakes=[
        Mistake("we minimize: keep the smallest value (np.argmin), and a running minimum",
                lambda *a: _rs_variant(*a, mistake="max"), name="max"),
        Mistake("the third output is the best value *so far*, a running minimum "
                "(np.minimum.accumulate), not the values themselves",
                lambda *a: _rs_variant(*a, mistake="raw values"), name="raw values"),
        Mistake("return the best point tried, not the last one",
                lambda *a: _rs_variant(*a, mistake="last"), name="last"),
    ],
    hint="draw all candidates with one call rng.uniform(low, high, size=(n, len(low))) and "
         "return a tuple (point, value, running minimum)",
    rtol=1e-12, atol=1e-14,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    W = np.asarray(client_weights, dtype=float)
    n = np.asarray(sizes, dtype=float)
    return (n / n.sum()) @ W
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _plain_mean(client_weights, sizes):
    return np.asarray(client_weights, dtype=float).mean(axis=0)


def _unnormalized(client_weights, sizes):
    return np.asarray(sizes, dtype=float) @ np.asarray(client_weights, dtype=float)


def _per_client(client_weights, sizes):
    W = np.asarray(client_weights, dtype=float)
    return np.asarray(sizes, dtype=float) @ W / len(W)


Exercise(
    "ex10_2", function="fedavg_aggregate", points=2,
    title="Exercise 10.2 — the FedAvg server step",
    visible=[
        Case(np.array([[0.0, 0.0], [4.0, 8.0]]), np.array([300, 100])),
        Case(np.array([[1.0, -1.0, 2.0], [3.0, 1.0, 0.0], [-2.0, 0.5, 1.0]]), np.array([10, 10, 10])),
        Case(np.array([[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]), np.array([1, 0, 3])),
    ],
    hidden=[
        Case(rng.normal(size=(10, 3)), rng.integers(1, 500, size=10)),
        Case(rng.normal(size=(4, 6)), np.array([7, 1, 1, 1])),
        Case(np.array([[2.5]]), np.array([42])),
        Case(rng.normal(size=(3, 2)), np.array([1000, 10, 1])),
    ],
    mistakes=[
        Mistake("that is the plain mean: it counts a client with 10 examples as much as one with "
                "1000; weight client k by n_k / sum(n)", _plain_mean, name="unweighted"),
        Mistake("divide by the total number of examples sum(n): the weights n_k / sum(n) add up to 1",
                _unnormalized, name="unnormalized"),
        Mistake("divide by the total number of examples sum(n), not by the number of clients",
                _per_client, name="per client"),
    ],
    hint="np.average(client_weights, axis=0, weights=sizes) is one way to write it",
    rtol=1e-12, atol=1e-14,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    simplex = np.array(simplex, dtype=float)
    values = np.array([f(v) for v in simplex], dtype=float)
    centroid = simplex[:-1].mean(axis=0)
    worst = simplex[-1].copy()
    xr = centroid + (centroid - worst)
    fr = f(xr)
    shrink = False
    if fr < values[0]:
        xe = centroid + 2 * (xr - centroid)
        fe = f(xe)
        simplex[-1], values[-1] = (xe, fe) if fe < fr else (xr, fr)
    elif fr < values[-2]:
        simplex[-1], values[-1] = xr, fr
    elif fr < values[-1]:
        xc = centroid + 0.5 * (xr - centroid)
        fc = f(xc)
        if fc <= fr:
            simplex[-1], values[-1] = xc, fc
        else:
            shrink = True
    else:
        xc = centroid + 0.5 * (worst - centroid)
        fc = f(xc)
        if fc < values[-1]:
            simplex[-1], values[-1] = xc, fc
        else:
            shrink = True
    if shrink:
        simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
        values[1:] = [f(v) for v in simplex[1:]]
    return simplex[np.argsort(values, kind="stable")]
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _nm_variant(f, simplex, *, mistake):
    """The reference step with one classic mistake (written differently from the library on purpose)."""
    S = np.array(simplex, dtype=float)
    fv = np.array([f(v) for v in S], dtype=float)
    c = S.mean(axis=0) if mistake == "centroid with worst" else S[:-1].mean(axis=0)
    w = S[-1].copy()
    r = w + (w - c) if mistake == "reflect wrong way" else 2 * c - w
    f_r = f(r)
    candidate, f_candidate, do_shrink = r, f_r, False
    if mistake == "reflect only":
        pass
    elif f_r < fv[0]:
        if mistake != "no expansion":
            e = c + 2 * (r - c)
            f_e = f(e)
            if f_e < f_r:
                candidate, f_candidate = e, f_e
    elif f_r >= fv[-2]:
        outside = f_r < fv[-1]
        k = c + 0.5 * ((r if outside else w) - c)
        f_k = f(k)
        accepted = f_k <= f_r if outside else f_k < fv[-1]
        if accepted:
            candidate, f_candidate = k, f_k
        else:
            do_shrink = True
    if do_shrink:
        for i in range(1, len(S)):
            S[i] = S[0] + 0.5 * (S[i] - S[0])
            fv[i] = f(S[i])
    else:
        S[-1], fv[-1] = candidate, f_candidate
    return S if mistake == "unsorted" else S[np.argsort(fv, kind="stable")]


def _sorted_simplex(f, simplex):
    simplex = np.asarray(simplex, dtype=float)
    return simplex[np.argsort([f(v) for v in simplex], kind="stable")]


_shift = lambda c: (lambda x: float((x - c) @ (x - c)))
Exercise(
    "ex10_3", function="nelder_mead_step", points=3,
    title="Exercise 10.3 — one Nelder–Mead iteration",
    visible=[
        # reflection then expansion
        Case(Code("lambda x: float((x[0] - 3) ** 2 + (x[1] + 2) ** 2)"),
             np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), _label="expansion"),
        # plain reflection
        Case(Code("lambda x: float((x[0] - 0.9) ** 2 + (x[1] + 0.2) ** 2)"),
             np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), _label="reflection"),
        # outside contraction
        Case(Code("lambda x: float((x[0] - 0.3) ** 2 + (x[1] + 0.3) ** 2)"),
             np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), _label="outside contraction"),
        # inside contraction
        Case(Code("lambda x: float(x @ x)"), np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
             _label="inside contraction"),
        # shrink: a flat function
        Case(Code("lambda x: 1.0"), np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), _label="shrink"),
    ],
    hidden=[
        Case(Code("surfaces.rosenbrock.f"),
             _sorted_simplex(surfaces.rosenbrock.f, [[-1.2, 1.0], [-1.0, 1.0], [-1.2, 1.2]])),
        Case(Code("surfaces.himmelblau.f"),
             _sorted_simplex(surfaces.himmelblau.f, [[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]])),
        Case(Code("lambda x: float(np.sum(np.abs(x - np.array([0.2, -0.1, 0.4]))))"),
             _sorted_simplex(lambda x: float(np.sum(np.abs(x - np.array([0.2, -0.1, 0.4])))),
                             [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
        Case(Code("lambda x: float(np.floor(3 * x[0]) + np.floor(3 * x[1]) ** 2)"),
             _sorted_simplex(lambda x: float(np.floor(3 * x[0]) + np.floor(3 * x[1]) ** 2),
                             [[0.1, 0.1], [0.2, 0.1], [0.1, 0.2]])),
        Case(Code("lambda x: float(x[0] ** 2)"), np.array([[0.5], [1.5]])),
        Case(Code("lambda x: float(x[0] + 2 * x[1])"), np.array([[1.0, 1.0], [2.0, 1.0], [1.0, 2.0]])),
        Case(Code("surfaces.quadratic(10, angle=0.4).f"),
             _sorted_simplex(surfaces.quadratic(10, angle=0.4).f, [[2.0, 1.0], [2.5, 1.0], [2.0, 1.5]])),
    ],
    mistakes=[
        Mistake("reflect the worst vertex *through* the centroid: x_r = x̄ + (x̄ − x_w), "
                "not x_w + (x_w − x̄)", lambda f, s: _nm_variant(f, s, mistake="reflect wrong way"),
                name="reflect wrong way"),
        Mistake("the centroid x̄ is the mean of all vertices *except the worst*",
                lambda f, s: _nm_variant(f, s, mistake="centroid with worst"), name="centroid"),
        Mistake("when the reflection beats the best vertex, try the expansion x̄ + 2(x_r − x̄) too",
                lambda f, s: _nm_variant(f, s, mistake="no expansion"), name="no expansion"),
        Mistake("a reflection that is no better than the second-worst vertex is not accepted: "
                "contract (and shrink if that fails)",
                lambda f, s: _nm_variant(f, s, mistake="reflect only"), name="reflect only"),
        Mistake("sort the new simplex by value, best first (np.argsort(values, kind='stable'))",
                lambda f, s: _nm_variant(f, s, mistake="unsorted"), name="unsorted"),
    ],
    hint="return an array of shape (d + 1, d): the new simplex, best vertex first",
    rtol=1e-12, atol=1e-14,
)
### END HIDDEN TESTS

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
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    eps = np.asarray(eps, dtype=float)
    differences = np.array([f(x + sigma * e) - f(x - sigma * e) for e in eps])
    return differences @ eps / (2 * sigma * len(eps))
    ### END SOLUTION


# %%
### BEGIN HIDDEN TESTS
def _es_variant(f, x, sigma, eps, *, mistake):
    x, eps = np.asarray(x, dtype=float), np.asarray(eps, dtype=float)
    if mistake == "one-sided":
        differences = np.array([f(x + sigma * e) - f(x) for e in eps])
        return differences @ eps / (sigma * len(eps))
    differences = np.array([f(x + sigma * e) - f(x - sigma * e) for e in eps])
    if mistake == "no 2":
        return differences @ eps / (sigma * len(eps))
    if mistake == "sum":
        return differences @ eps / (2 * sigma)
    if mistake == "sign":
        return -differences @ eps / (2 * sigma * len(eps))


Exercise(
    "ex10_4", function="es_gradient", points=2,
    title="Exercise 10.4 — the evolution-strategy gradient estimate",
    visible=[
        Case(Code("lambda x: float(x @ x)"), np.array([1.0, -2.0]), 0.1,
             np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])),
        Case(Code("surfaces.rosenbrock.f"), np.array([-1.2, 1.0]), 0.05,
             np.array([[0.3, -1.1], [1.4, 0.2], [-0.7, 0.9]])),
        Case(Code("lambda x: float(abs(x[0]) + abs(x[1]))"), np.array([0.05, -0.3]), 0.2,
             np.array([[1.0, 1.0], [-0.5, 2.0], [0.3, -1.0]])),
    ],
    hidden=[
        Case(Code("surfaces.himmelblau.f"), np.array([0.5, 1.5]), 0.3, rng.standard_normal((10, 2))),
        Case(Code("lambda x: float(np.mean(x > 0.5))"), np.array([0.4, 0.6, 0.5]), 0.5,
             rng.standard_normal((20, 3))),
        Case(Code("surfaces.quadratic(100, angle=0.2).f"), np.array([1.0, 1.0]), 1.0, rng.standard_normal((6, 2))),
        Case(Code("lambda x: float(np.sin(3 * x[0]))"), np.array([0.2]), 0.01, np.array([[1.0], [-2.0]])),
    ],
    mistakes=[
        Mistake("use the antithetic pair: f(x + σε) − f(x − σε), divided by 2σ",
                lambda *a: _es_variant(*a, mistake="one-sided"), name="one-sided"),
        Mistake("the difference of the pair spans 2σ: divide by 2σ, not σ",
                lambda *a: _es_variant(*a, mistake="no 2"), name="no 2"),
        Mistake("average over the n directions: divide the sum by n",
                lambda *a: _es_variant(*a, mistake="sum"), name="sum"),
        Mistake("that points downhill: the estimate of the gradient points uphill, "
                "f(x + σε) − f(x − σε), not the reverse", lambda *a: _es_variant(*a, mistake="sign"),
                name="sign"),
    ],
    hint="return an array of shape (d,): a weighted average of the directions eps[i]",
    rtol=1e-10, atol=1e-12,
)
### END HIDDEN TESTS

# %%
check("ex10_4", es_gradient)

# %% [markdown]
# ## Done?
#
# Run the whole notebook (*Run ▸ Run All Cells*): every `check` should show ✓.
# Then save it and hand in the `.ipynb` file.
