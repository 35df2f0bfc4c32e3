"""Tests of gdlearn.run against closed forms of gradient descent on quadratics."""

import re
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


# ---------------------------------------------------------------- the loop against the plain one

def reference_run(opt, surface, x0, steps=200, *, tol=1e-8, bound=None, record_states=False):
    """gdlearn.run.run as it was before its loop was made lean (commit b74c231), kept verbatim."""
    import math

    from gdlearn.run import _as_start, _check_run_args, _default_bound, _functions

    _check_run_args(opt, steps, tol, bound)
    f, grad = _functions(surface)
    x = np.atleast_1d(_as_start(x0, "x0"))
    if x.ndim != 1:
        raise ValueError(f"x0 must be a scalar or have shape (d,), got shape {x.shape}")
    bound = _default_bound(surface, x) if bound is None else float(bound)
    bound_squared = bound * bound                    # inf for a huge bound: then the exact test runs

    def evaluate(point: np.ndarray) -> tuple[float, np.ndarray]:
        # A 1-D function may map shape (1,) to shape () or (1,): accept both.
        # (The checks are cheap on purpose: this runs once per step.)
        value = f(point)
        if not isinstance(value, float):                # np.float64 is a float
            value = np.asarray(value, dtype=float).reshape(-1)[0]
        g = np.asarray(grad(point), dtype=float)
        if g.shape != point.shape:
            g = g.reshape(point.shape)
        return float(value), g

    xs, fs, grad_norms, states = [x], [], [], [] if record_states else None
    status, message, diverged_at = "max_steps", f"stopped after the maximum of {steps} steps", None
    with np.errstate(all="ignore"):
        value, g = evaluate(x)
        state = opt.init(x)
        for step in range(steps + 1):
            gnorm = math.sqrt(float(np.dot(g, g)))
            if not (math.isfinite(value) and math.isfinite(gnorm)):
                if step == 0:
                    raise ValueError(f"f or its gradient is not finite at x0 = {x0!r}")
                # The iterate itself is finite but f or its gradient overflowed there.
                status, diverged_at = "diverged", step
                message = f"diverged at step {step}: f or its gradient is not finite at x"
                break
            fs.append(value)
            grad_norms.append(gnorm)
            if gnorm <= tol:
                status = "converged"
                message = f"converged at step {step}: |grad f| = {gnorm:.2g} <= tol = {tol:.2g}"
                break
            if step == steps:
                break
            updates, state = opt.update(g, state, x)
            x = x + updates
            if record_states:
                states.append(state)
            # |x| < bound (false for nan and inf) means no coordinate is past it: one cheap
            # test per step; only otherwise look at the largest coordinate.
            if not float(np.dot(x, x)) < bound_squared:
                largest = float(np.abs(x).max())     # nan or inf if any coordinate is
                if not math.isfinite(largest):
                    status, diverged_at = "diverged", step + 1
                    message = f"diverged at step {step + 1}: the iterate is no longer a finite number"
                    break
                if largest > bound:
                    status, diverged_at = "diverged", step + 1
                    shown = next(text for d in range(3, 18)
                                 if float(text := f"{largest:.{d}g}") > float(f"{bound:.3g}"))
                    message = f"diverged at step {step + 1}: max |x| = {shown} exceeded the bound {bound:.3g}"
                    break
            xs.append(x)
            value, g = evaluate(x)
    return Trace(np.array(xs[:len(fs)]), np.array(fs), np.array(grad_norms), status,
                 message, diverged_at, states)


def _one_d(x):
    return np.float64(0.25 * x[0] ** 4 - x[0] ** 2)            # a scalar for a (1,) point


def _one_d_grad(x):
    return [x[0] ** 3 - 2.0 * x[0]]                            # a list: converted by run


def _overflowing(x):
    return np.cosh(50.0 * x[0]) + x[1] ** 2                      # f overflows before x leaves the bound


def _overflowing_grad(x):
    return np.array([50.0 * np.sinh(50.0 * x[0]), 2.0 * x[1]])


def _cases():
    O = optim
    quad, ros, him = surfaces.quadratic(10.0, angle=0.3), surfaces.rosenbrock, surfaces.himmelblau
    cases = []
    for lr in (1e-4, 1e-3, 2e-3, 5e-3, 0.05, 0.19, 0.21, 0.5, 3.0):
        cases.append((O.sgd(lr=lr), quad, [2.0, 1.0], 300, {}))
        cases.append((O.sgd(lr=lr * 1e-2, momentum=0.9), ros, ros.start, 200, {}))
        cases.append((O.adam(lr=lr * 10), ros, ros.start, 200, {"tol": 0.0}))
        cases.append((O.rmsprop(lr=lr), him, [0.5, -0.5], 150, {"bound": 50.0}))
        cases.append((O.chain(O.clip_by_global_norm(1.0), O.sgd(lr=lr)), ros, [-1.5, 2.0], 150, {}))
        cases.append((O.sgd(lr=lr, nesterov=True, momentum=0.5), (_one_d, _one_d_grad), 1.7, 100,
                      {"record_states": True}))
        cases.append((O.sgd(lr=lr * 1e-2), (_overflowing, _overflowing_grad), [0.1, 1.0], 80,
                      {"bound": 1e6}))
        cases.append((O.adagrad(lr=lr), quad, [2.0, 1.0], 100, {}))
    cases.append((O.sgd(lr=0.1), quad, [1e-12, 0.0], 10, {}))            # converged at step 0
    cases.append((O.sgd(lr=0.1), quad, [2.0, 1.0], 0, {}))               # no step at all
    cases.append((O.sgd(lr=1e150), quad, [2.0, 1.0], 10, {"bound": 1e300}))
    cases.append((O.sgd(lr=1e308), quad, [2.0, 1.0], 10, {"bound": 1e307}))   # x overflows to inf
    cases.append((O.adamw(lr=0.3, amsgrad=True), him, [4.0, 4.0], 120, {"tol": 1e-3,
                                                                         "record_states": True}))
    return cases


@pytest.mark.parametrize("case", range(len(_cases())))
def test_run_is_the_plain_loop(case):
    """Same iterates, values, norms, status, message, step of divergence and states; no warning."""
    opt, surface, x0, steps, kwargs = _cases()[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = run(opt, surface, x0, steps, **kwargs)
    want = reference_run(opt, surface, x0, steps, **kwargs)
    np.testing.assert_array_equal(got.xs, want.xs)
    np.testing.assert_array_equal(got.fs, want.fs)
    np.testing.assert_array_equal(got.grad_norms, want.grad_norms)
    assert (got.status, got.message, got.diverged_at) == (want.status, want.message, want.diverged_at)
    assert (got.states is None) == (want.states is None)
    if got.states is not None:
        assert len(got.states) == len(want.states)
        for a, b in zip(got.states, want.states):
            assert repr(a) == repr(b)


def test_the_cases_cover_every_ending():
    """The comparison above could fail on each kind of ending: every one occurs."""
    endings = set()
    for opt, surface, x0, steps, kwargs in _cases():
        trace = reference_run(opt, surface, x0, steps, **kwargs)
        endings.add(trace.message.split(":")[1].split()[0] if trace.status == "diverged" else trace.status)
    assert endings == {"converged", "max_steps", "max", "the", "f"}, endings


def test_run_raises_at_a_bad_start_as_before():
    bad = (lambda x: float("nan"), lambda x: np.zeros(2))
    for fn in (run, reference_run):
        with pytest.raises(ValueError, match="not finite at x0"):
            fn(optim.sgd(lr=0.1), bad, [1.0, 2.0])


@pytest.mark.parametrize("largest", [300.04, 300.0000001, 304.2, 2.5e5, 1e300])
def test_a_divergence_message_reads_as_past_the_bound(largest):
    """The printed size is larger than the printed bound ('3e+02 exceeded the bound 300' did not)."""
    from gdlearn.run import _past_bound

    text = _past_bound(largest, 300.0)
    shown, bound = (float(t) for t in re.findall(r"= (\S+) exceeded the bound (\S+)$", text)[0])
    assert shown > bound == 300.0 and abs(shown / largest - 1) < 5e-3
