"""gdlearn.gradient_free against scipy.optimize and hand-computed steps of the published algorithms.

Nelder–Mead is compared with scipy's implementation (the same standard
coefficients 1, 2, 1/2, 1/2 and the same initial simplex), and its first
iterations with reflections, expansions, contractions and shrinks worked out
by hand. The evolution strategy's first step is recomputed from the published
antithetic estimator; random search from its definition (the best of the
points evaluated).
"""

import warnings

import numpy as np
import pytest
import scipy.optimize

from gdlearn import surfaces
from gdlearn.gradient_free import SearchTrace, evolution_strategy, nelder_mead, random_search

ROSEN = surfaces.rosenbrock.f
QUAD = surfaces.quadratic(condition_number=10.0, angle=0.3)


# ------------------------------------------------------------------ Nelder–Mead
@pytest.mark.parametrize("f, x0, minimum", [
    (ROSEN, [-1.2, 1.0], [1.0, 1.0]),
    (QUAD.f, [2.0, -1.0], [0.0, 0.0]),
    (surfaces.himmelblau.f, [0.0, 0.0], [3.0, 2.0]),
    (scipy.optimize.rosen, [1.3, 0.7, 0.8, 1.9], [1.0, 1.0, 1.0, 1.0]),
])
def test_nelder_mead_matches_scipy(f, x0, minimum):
    tol = 1e-10
    trace = nelder_mead(f, x0, tol=tol, max_iter=5000)
    ref = scipy.optimize.minimize(f, x0, method="Nelder-Mead",
                                  options=dict(xatol=tol, fatol=tol, maxiter=5000, maxfev=10**6))
    assert ref.success
    assert trace.status == "converged"
    np.testing.assert_allclose(trace.x, minimum, atol=1e-6)
    np.testing.assert_allclose(trace.x, ref.x, atol=1e-6)
    # the same algorithm: the same number of evaluations, up to ties in sorting
    assert 0.8 * ref.nfev <= trace.n_evals <= 1.25 * ref.nfev
    assert trace.n_evals == len(trace.values) == len(trace.points)


def test_nelder_mead_default_simplex_is_scipys():
    trace = nelder_mead(ROSEN, [-1.2, 0.0], max_iter=1)
    # scipy: x0, then x0 with coordinate i scaled by 1.05 (0.00025 where it is zero)
    np.testing.assert_array_equal(trace.points[:3], [[-1.2, 0.0], [-1.26, 0.0], [-1.2, 0.00025]])


def test_nelder_mead_reflection_and_expansion_by_hand():
    # f(x) = x1 + 2 x2, simplex (1,1), (2,1), (1,2) with values 3, 4, 5.
    # centroid of the best two (1.5, 1); reflection 2*(1.5, 1) - (1, 2) = (2, 0), f = 2 < 3:
    # expansion (1.5, 1) + 2*((2, 0) - (1.5, 1)) = (2.5, -1), f = 0.5 < 2: accepted.
    trace = nelder_mead(lambda x: x[0] + 2 * x[1], [1.0, 1.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.simplices[0], [[1, 1], [2, 1], [1, 2]])
    np.testing.assert_allclose(trace.simplices[1], [[2.5, -1.0], [1, 1], [2, 1]])
    np.testing.assert_allclose(trace.points[3:], [[2.0, 0.0], [2.5, -1.0]])
    assert trace.evals.tolist() == [3, 5] and trace.fs.tolist() == [3.0, 0.5]


def test_nelder_mead_inside_contraction_by_hand():
    # f = |x|^2, simplex (0,0), (1,0), (0,1): values 0, 1, 1; centroid (0.5, 0);
    # reflection (1, -1), f = 2 >= worst: inside contraction (0.5,0) + 0.5*((0,1) - (0.5,0))
    # = (0.25, 0.5), f = 0.3125 < 1: accepted.
    trace = nelder_mead(lambda x: x @ x, [0.0, 0.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.points[3:], [[1.0, -1.0], [0.25, 0.5]])
    np.testing.assert_allclose(trace.simplices[1], [[0, 0], [0.25, 0.5], [1, 0]])


def test_nelder_mead_reflection_kept_when_expansion_is_worse_by_hand():
    # f = |x - (0.5, -0.6)|^2 on (0,0), (1,0), (0,1): values 0.61, 0.61, 2.81; centroid (0.5, 0);
    # reflection (1, -1): f = 0.41 < 0.61 -> expansion (1.5, -2): f = 2.96 > 0.41, so keep the reflection.
    c = np.array([0.5, -0.6])
    trace = nelder_mead(lambda x: (x - c) @ (x - c), [0.0, 0.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.points[3:], [[1.0, -1.0], [1.5, -2.0]])
    np.testing.assert_allclose(trace.simplices[1][0], [1.0, -1.0])


def test_nelder_mead_plain_reflection_by_hand():
    # f = |x - (0.9, -0.2)|^2: (1,0) 0.05, (0,0) 0.85, (0,1) 2.25; centroid (0.5, 0);
    # reflection (1, -1): f = 0.65, not better than the best, better than the second worst: accepted.
    c = np.array([0.9, -0.2])
    trace = nelder_mead(lambda x: (x - c) @ (x - c), [0.0, 0.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.points[3:], [[1.0, -1.0]])
    np.testing.assert_allclose(trace.simplices[1], [[1, 0], [1, -1], [0, 0]])


def test_nelder_mead_outside_contraction_by_hand():
    # f = |x - (0.3, -0.3)|^2: (0,0) 0.18, (1,0) 0.58, (0,1) 1.78; centroid (0.5, 0);
    # reflection (1, -1): f = 0.98, worse than the second worst, better than the worst:
    # outside contraction (0.5, 0) + 0.5 * ((1, -1) - (0.5, 0)) = (0.75, -0.5), f = 0.2425: accepted.
    c = np.array([0.3, -0.3])
    trace = nelder_mead(lambda x: (x - c) @ (x - c), [0.0, 0.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.points[3:], [[1.0, -1.0], [0.75, -0.5]])
    np.testing.assert_allclose(trace.simplices[1], [[0, 0], [0.75, -0.5], [1, 0]])


def test_nelder_mead_shrinks_on_a_flat_function():
    # a constant: the reflection is no better, the inside contraction is no better: shrink halfway
    trace = nelder_mead(lambda x: 1.0, [0.0, 0.0], initial_step=1.0, max_iter=1)
    np.testing.assert_allclose(trace.simplices[1], [[0, 0], [0.5, 0], [0, 0.5]])
    assert trace.evals.tolist() == [3, 7]     # reflection, contraction, two re-evaluated vertices


def test_nelder_mead_on_a_kink():
    trace = nelder_mead(lambda x: abs(x[0] - 1) + abs(x[1] + 2), [0.0, 0.0], tol=1e-12)
    assert trace.status == "converged"
    np.testing.assert_allclose(trace.x, [1.0, -2.0], atol=1e-9)


def test_nelder_mead_stops_at_max_iter():
    trace = nelder_mead(ROSEN, [-1.2, 1.0], max_iter=10)
    assert trace.status == "max_steps" and trace.steps == 10
    assert np.all(np.diff(trace.fs) <= 0)


# ------------------------------------------------------------------ random search
@pytest.mark.parametrize("kwargs", [
    dict(domain=[(-2, 2), (-1, 3)]),
    dict(x0=[-1.2, 1.0], step=0.3),
    dict(x0=[0.0, 0.0], domain=[(-2, 2), (-1, 3)]),
])
def test_random_search_keeps_the_best_point_evaluated(kwargs):
    trace = random_search(ROSEN, n_iter=400, seed=3, **kwargs)
    assert isinstance(trace, SearchTrace) and trace.status == "max_steps"
    assert trace.n_evals == 401 and trace.evals.tolist() == list(range(1, 402))
    assert np.all(np.diff(trace.fs) <= 0)                                  # monotone
    np.testing.assert_array_equal(trace.fs, np.minimum.accumulate(trace.values))
    values_at_xs = np.array([ROSEN(x) for x in trace.xs])
    np.testing.assert_array_equal(trace.fs, values_at_xs)                   # xs[k] has value fs[k]
    assert trace.f == min(ROSEN(p) for p in trace.points)
    if "domain" in kwargs:
        box = np.array(kwargs["domain"], dtype=float)
        assert np.all((trace.points[1:] >= box[:, 0]) & (trace.points[1:] <= box[:, 1]))
    if "x0" in kwargs:
        np.testing.assert_array_equal(trace.points[0], kwargs["x0"])


def test_random_search_uniform_samples_are_uniform():
    trace = random_search(lambda x: 0.0, domain=[(-1, 3)], n_iter=20000, seed=0)
    u = trace.points[:, 0]
    assert abs(u.mean() - 1.0) < 0.03 and abs(u.var() - 16 / 12) < 0.05


def test_random_search_local_steps_are_gaussian_around_the_best():
    # f constant: no candidate is strictly better, so every candidate is x0 + step * N(0, I)
    trace = random_search(lambda x: 1.0, x0=[5.0, -5.0], n_iter=20000, step=0.5, seed=1)
    steps = trace.points[1:] - [5.0, -5.0]
    assert np.all(abs(steps.mean(axis=0)) < 0.02) and np.all(abs(steps.std(axis=0) - 0.5) < 0.02)
    np.testing.assert_array_equal(trace.x, [5.0, -5.0])


def test_random_search_is_reproducible():
    a = random_search(ROSEN, domain=[(-2, 2), (-1, 3)], n_iter=50, seed=7)
    b = random_search(ROSEN, domain=[(-2, 2), (-1, 3)], n_iter=50, seed=7)
    c = random_search(ROSEN, domain=[(-2, 2), (-1, 3)], n_iter=50, seed=8)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)
    d = random_search(ROSEN, domain=[(-2, 2), (-1, 3)], n_iter=50, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.points, d.points)


def test_random_search_ignores_non_finite_values():
    trace = random_search(lambda x: np.nan if x[0] > 0 else x[0] ** 2, domain=[(-1, 1)], n_iter=200, seed=0)
    assert np.isfinite(trace.f) and trace.x[0] <= 0


# ------------------------------------------------------------------ evolution strategy
def test_es_first_step_is_the_antithetic_estimate():
    A = QUAD.hess(np.zeros(2))
    f = lambda x: 0.5 * x @ A @ x
    x0, sigma, lr, population = np.array([2.0, -1.0]), 0.7, 0.05, 8
    trace = evolution_strategy(f, x0, sigma=sigma, population=population, lr=lr, n_iter=1, seed=11)
    eps = np.random.default_rng(11).standard_normal((population // 2, 2))
    estimate = np.mean([(f(x0 + sigma * e) - f(x0 - sigma * e)) / (2 * sigma) * e for e in eps], axis=0)
    np.testing.assert_allclose(trace.path[1], x0 - lr * estimate, rtol=1e-12)
    # on a quadratic the antithetic difference is exactly grad . eps, whatever sigma
    exact = np.mean([(A @ x0 @ e) * e for e in eps], axis=0)
    np.testing.assert_allclose(estimate, exact, rtol=1e-12)
    # evaluations: the mean, the pairs, the new mean
    assert trace.n_evals == 1 + population + 1
    np.testing.assert_allclose(trace.points[1:1 + population // 2], x0 + sigma * eps)
    np.testing.assert_allclose(trace.points[1 + population // 2:1 + population], x0 - sigma * eps)


def test_es_estimate_is_unbiased():
    # many pairs at one point: the estimate approaches the gradient (here of a smooth quadratic)
    x0 = np.array([1.0, 2.0])
    trace = evolution_strategy(QUAD.f, x0, sigma=0.1, population=40000, lr=1.0, n_iter=1, seed=0)
    estimate = x0 - trace.path[1]
    np.testing.assert_allclose(estimate, QUAD.grad(x0), rtol=0.05, atol=0.05)


def test_es_converges_on_a_quadratic():
    trace = evolution_strategy(QUAD.f, [2.0, -1.0], sigma=0.5, population=10, lr=0.05, n_iter=300, seed=0)
    assert trace.status == "max_steps"
    assert trace.f < 1e-8 and QUAD.f(trace.path[-1]) < 1e-8
    assert np.all(np.diff(trace.fs) <= 0)
    np.testing.assert_array_equal(trace.evals, 1 + 11 * np.arange(301))
    np.testing.assert_array_equal(trace.fs, [trace.values[:e].min() for e in trace.evals])


def test_es_divergence_is_reported_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace = evolution_strategy(lambda x: float(np.exp(x @ x)), [3.0, 3.0], sigma=0.1, lr=1e3,
                                   n_iter=50, seed=0)
    assert trace.status in ("diverged", "max_steps")
    assert np.all(np.isfinite(trace.path)) and np.isfinite(trace.f)
    trace = evolution_strategy(lambda x: -float(np.sum(x * x)), [1.0, 1.0], sigma=0.1, lr=1e200,
                               n_iter=100, seed=0)
    assert trace.status == "diverged" and "diverged at iteration" in trace.message
    assert len(trace.path) == len(trace.xs) == len(trace.evals)
    assert trace.n_evals == len(trace.values)


def test_es_is_reproducible():
    a = evolution_strategy(ROSEN, [0.0, 0.0], lr=1e-3, n_iter=20, seed=5)
    b = evolution_strategy(ROSEN, [0.0, 0.0], lr=1e-3, n_iter=20, seed=5)
    c = evolution_strategy(ROSEN, [0.0, 0.0], lr=1e-3, n_iter=20, seed=6)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call, error, words", [
    (lambda: random_search(ROSEN), ValueError, "x0"),
    (lambda: random_search("rosen", x0=[0, 0]), TypeError, "f must be"),
    (lambda: random_search(ROSEN, domain=[(1, 0), (0, 1)]), ValueError, "low < high"),
    (lambda: random_search(ROSEN, domain=[0, 1]), ValueError, "shape (d, 2)"),
    (lambda: random_search(ROSEN, x0=[0, 0, 0], domain=[(0, 1), (0, 1)]), ValueError, "coordinates"),
    (lambda: random_search(ROSEN, x0=[0, 0], n_iter=-1), ValueError, "n_iter"),
    (lambda: random_search(ROSEN, x0=[0, 0], n_iter=2.5), TypeError, "n_iter"),
    (lambda: random_search(ROSEN, x0=[0, 0], step=0), ValueError, "step"),
    (lambda: random_search(ROSEN, x0=[0, 0], seed=-1), ValueError, "seed"),
    (lambda: random_search(ROSEN, x0=[0, 0], seed="a"), TypeError, "seed"),
    (lambda: nelder_mead(ROSEN, [np.nan, 0]), ValueError, "x0"),
    (lambda: nelder_mead(ROSEN, [[0, 0]]), ValueError, "x0"),
    (lambda: nelder_mead(ROSEN, ["a", 0]), TypeError, "x0"),
    (lambda: nelder_mead(ROSEN, [0, 0], tol=-1), ValueError, "tol"),
    (lambda: nelder_mead(ROSEN, [0, 0], max_iter=0), ValueError, "max_iter"),
    (lambda: nelder_mead(ROSEN, [0, 0], initial_step=0), ValueError, "initial_step"),
    (lambda: nelder_mead(lambda x: x, [0, 0]), ValueError, "one number"),
    (lambda: evolution_strategy(ROSEN, [0, 0], sigma=0), ValueError, "sigma"),
    (lambda: evolution_strategy(ROSEN, [0, 0], lr=-1), ValueError, "lr"),
    (lambda: evolution_strategy(ROSEN, [0, 0], population=3), ValueError, "even"),
    (lambda: evolution_strategy(ROSEN, [0, 0], population=0), ValueError, "population"),
    (lambda: evolution_strategy(ROSEN, [0, 0], population=True), TypeError, "population"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()
