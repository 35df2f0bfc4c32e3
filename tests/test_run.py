"""Tests of gdlearn.run against closed forms of gradient descent on quadratics."""

import warnings

import numpy as np
import pytest

from gdlearn import optim, surfaces
from gdlearn.run import ManyTrace, Trace, run, run_many


def gd_on_quadratic(A, x0, lr, k):
    """Closed form of k gradient-descent steps on f(x) = x^T A x / 2: (I - lr A)^k x0."""
    return np.linalg.matrix_power(np.eye(len(x0)) - lr * A, k) @ x0


@pytest.fixture
def quad():
    return surfaces.quadratic(condition_number=10.0, angle=0.3)


def hessian_at_zero(surface):
    return surface.hess(np.zeros(2))


def test_iterates_follow_the_closed_form(quad):
    A = hessian_at_zero(quad)
    x0 = np.array([2.0, -1.0])
    trace = run(optim.sgd(lr=0.05), quad, x0, steps=40, tol=0)
    assert trace.status == "max_steps" and trace.steps == 40
    expected = np.array([gd_on_quadratic(A, x0, 0.05, k) for k in range(41)])
    np.testing.assert_allclose(trace.xs, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(trace.fs, 0.5 * np.einsum("ki,ij,kj->k", expected, A, expected),
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(trace.grad_norms, np.linalg.norm(expected @ A, axis=1), rtol=1e-12)


def test_converges_at_the_first_step_below_tol(quad):
    A = hessian_at_zero(quad)
    x0 = np.array([1.0, 1.0])
    trace = run(optim.sgd(lr=0.1), quad, x0, steps=1000, tol=1e-6)
    norms = [np.linalg.norm(A @ gd_on_quadratic(A, x0, 0.1, k)) for k in range(1000)]
    first = next(k for k, g in enumerate(norms) if g <= 1e-6)
    assert trace.status == "converged"
    assert trace.steps == first
    assert trace.grad_norms[-1] <= 1e-6 < trace.grad_norms[-2]
    assert trace.message.startswith(f"converged at step {first}:")


def test_divergence_above_two_over_L_is_reported_without_warnings(quad):
    A = hessian_at_zero(quad)
    L = quad.L
    x0 = np.array([1.0, 1.0])
    lr = 1.05 * 2 / L
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # any RuntimeWarning fails the test
        trace = run(optim.sgd(lr=lr), quad, x0, steps=10_000, bound=1e3)
    # The first k whose closed-form iterate leaves the bound.
    k = next(k for k in range(1, 10_000) if np.max(np.abs(gd_on_quadratic(A, x0, lr, k))) > 1e3)
    assert trace.status == "diverged"
    assert trace.diverged_at == k
    assert trace.steps == k - 1                  # every recorded iterate is inside the bound
    assert np.all(np.abs(trace.xs) <= 1e3)
    assert trace.message.startswith(f"diverged at step {k}:")


def test_overflow_is_diverged_not_an_error():
    # f = -exp(x): descent runs to +inf, and exp overflows long before x leaves any bound.
    f = lambda x: -np.exp(x[0])                  # noqa: E731
    grad = lambda x: -np.exp(x)                  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace = run(optim.sgd(lr=1.0), (f, grad), x0=[1.0], steps=100, bound=1e300)
    # x1 = 1 + e, x2 = x1 + exp(x1) ~ 44, x3 ~ 1.3e19 where exp(x3) = inf.
    assert trace.status == "diverged" and trace.diverged_at == 3
    assert trace.steps == 2 and np.all(np.isfinite(trace.fs))
    assert "not finite" in trace.message


def test_below_two_over_L_converges_and_above_diverges(quad):
    for factor, status in [(0.99, "converged"), (1.01, "diverged")]:
        trace = run(optim.sgd(lr=factor * 2 / quad.L), quad, [1.0, 1.0], steps=20_000, tol=1e-8)
        assert trace.status == status, factor


def test_one_dimensional_scalar_start():
    trace = run(optim.sgd(lr=0.1), surfaces.parabola, x0=2.0, steps=5, tol=0)
    # x <- x - 0.1 * 2x = 0.8 x
    np.testing.assert_allclose(trace.xs[:, 0], 2.0 * 0.8 ** np.arange(6), rtol=1e-14)


def test_record_states_keeps_one_state_per_step(quad):
    trace = run(optim.sgd(lr=0.01, momentum=0.9), quad, [1.0, 1.0], steps=7, tol=0,
                record_states=True)
    assert len(trace.states) == 7
    # The momentum buffer of step k is the difference of iterates divided by -lr.
    buffers = [s for state in trace.states for s in _leaves(state)
               if isinstance(s, np.ndarray) and s.shape == (2,)]
    assert len(buffers) == 7
    np.testing.assert_allclose(buffers[-1], (trace.xs[-2] - trace.xs[-1]) / 0.01, rtol=1e-10)


def _leaves(state):
    if isinstance(state, tuple):
        for item in state:
            yield from _leaves(item)
    else:
        yield state


def test_run_accepts_a_pair_and_an_object():
    f = lambda x: float(x @ x)                   # noqa: E731
    grad = lambda x: 2 * x                       # noqa: E731

    class Bowl:
        pass
    bowl = Bowl()
    bowl.f, bowl.grad = f, grad
    a = run(optim.sgd(lr=0.1), (f, grad), [1.0, 2.0], steps=10)
    b = run(optim.sgd(lr=0.1), bowl, [1.0, 2.0], steps=10)
    np.testing.assert_array_equal(a.xs, b.xs)
    np.testing.assert_allclose(a.x, np.array([1.0, 2.0]) * 0.8 ** 10, rtol=1e-14)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(steps=-1), ValueError, "steps"),
    (dict(steps=2.5), TypeError, "steps"),
    (dict(tol=-1.0), ValueError, "tol"),
    (dict(bound=0.0), ValueError, "bound"),
    (dict(x0=[np.nan, 1.0]), ValueError, "x0"),
    (dict(x0=[np.inf, 1.0]), ValueError, "x0"),
    (dict(x0="start"), TypeError, "x0"),
])
def test_bad_arguments_are_named(quad, kwargs, error, match):
    args = dict(x0=[1.0, 1.0], steps=10) | kwargs
    x0 = args.pop("x0")
    with pytest.raises(error, match=match):
        run(optim.sgd(lr=0.1), quad, x0, **args)


def test_bad_optimizer_and_surface_are_named(quad):
    with pytest.raises(TypeError, match="opt"):
        run(0.1, quad, [1.0, 1.0])
    with pytest.raises(TypeError, match="surface"):
        run(optim.sgd(lr=0.1), "rosenbrock", [1.0, 1.0])


def test_run_many_equals_separate_runs():
    rng = np.random.default_rng(0)
    starts = rng.uniform(-4, 4, size=(25, 2))
    many = run_many(optim.sgd(lr=0.01, momentum=0.5), surfaces.himmelblau, starts, steps=60,
                    tol=0, keep_path=True)
    assert isinstance(many, ManyTrace) and many.path.shape == (61, 25, 2)
    for i, start in enumerate(starts):
        single = run(optim.sgd(lr=0.01, momentum=0.5), surfaces.himmelblau, start, steps=60, tol=0)
        assert isinstance(single, Trace)
        np.testing.assert_allclose(many.path[:, i], single.xs, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(many.f[i], single.f, rtol=1e-10, atol=1e-12)


def test_run_many_learning_rate_sweep_matches_two_over_L(quad):
    lrs = np.linspace(0.015, 0.295, 29)          # none within 1e-3 of 2/L = 0.2
    starts = np.tile([1.0, -0.5], (len(lrs), 1))
    sweep = run_many(optim.sgd(lr=lrs), quad, starts, steps=3000, tol=1e-8)
    stable = lrs < 2 / quad.L
    assert np.all(sweep.status[stable] == "converged")
    assert np.all(sweep.status[~stable] == "diverged")
    assert np.all(np.isnan(sweep.x[~stable]))
    assert np.all(sweep.diverged_at[stable] == -1) and np.all(sweep.diverged_at[~stable] > 0)


def test_run_many_basins_of_himmelblau():
    minima = surfaces.himmelblau.minima
    rng = np.random.default_rng(1)
    starts = np.concatenate([m + rng.normal(scale=0.3, size=(20, 2)) for m in minima])
    result = run_many(optim.sgd(lr=0.01), surfaces.himmelblau, starts, steps=500)
    assert np.all(result.status == "converged")
    np.testing.assert_array_equal(result.nearest_minimum(minima), np.repeat(np.arange(4), 20))
    assert result.fraction("converged") == 1.0
    # converged_at is the first step below tol: the final gradient norm is below it too.
    assert np.all(result.grad_norm <= 1e-8) and np.all(result.converged_at > 0)


def test_run_many_bad_shape():
    with pytest.raises(ValueError, match="x0s"):
        run_many(optim.sgd(lr=0.1), surfaces.booth, [1.0, 2.0])
