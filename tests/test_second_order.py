"""Tests of gdlearn.second_order: Newton, Armijo backtracking, BFGS, L-BFGS.

References are independent of the code under test: scipy's rosen/rosen_der/rosen_hess
and scipy.optimize.minimize, closed forms on quadratics, the *direct* BFGS update of
the Hessian (whose inverse the inverse update must be), the published maximum of
Himmelblau's function, and evaluation counters kept by the test's own wrapper.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gdlearn import surfaces
from gdlearn.run import Trace
from gdlearn.second_order import (LineSearch, SecondOrderTrace, backtracking, bfgs, bfgs_update, lbfgs,
                                  modified_hessian, newton, two_loop, wolfe_line_search)

scipy_optimize = pytest.importorskip("scipy.optimize")
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess  # noqa: E402

CLASSIC_STARTS = [(-1.2, 1.0), (2.0, -2.0), (-2.0, 2.0), (0.0, 0.0), (1.2, 1.2), (-1.5, 2.5), (0.5, -0.5)]
# Himmelblau's local maximum (published: f = 181.617 at (-0.270845, -0.923039))
HIMMELBLAU_MAX = np.array([-0.270845, -0.923039])


class ScipyRosen:
    """Rosenbrock from scipy, with the test's own evaluation counters."""

    def __init__(self):
        self.calls = {"f": 0, "grad": 0, "hess": 0}

    def f(self, x):
        self.calls["f"] += 1
        return rosen(x)

    def grad(self, x):
        self.calls["grad"] += 1
        return rosen_der(x)

    def hess(self, x):
        self.calls["hess"] += 1
        return rosen_hess(x)


class Quadratic:
    """f(x) = 1/2 x^T A x - b^T x, minimum at A^{-1} b."""

    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, float), np.asarray(b, float)

    def f(self, x):
        return 0.5 * x @ self.A @ x - self.b @ x

    def grad(self, x):
        return self.A @ x - self.b

    def hess(self, x):
        return self.A


def random_spd(d, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    return M @ M.T + 0.5 * np.eye(d)


# ---------------------------------------------------------------- the Trace
def test_traces_are_traces_with_consistent_records():
    s = ScipyRosen()
    for method in (newton, bfgs, lbfgs):
        trace = method(s, [-1.2, 1.0])
        assert isinstance(trace, Trace) and isinstance(trace, SecondOrderTrace)
        np.testing.assert_array_equal(trace.xs[0], [-1.2, 1.0])
        assert trace.xs.shape == (trace.steps + 1, 2) == (len(trace.fs), 2) == (len(trace.grad_norms), 2)
        np.testing.assert_allclose(trace.fs, [rosen(x) for x in trace.xs], rtol=1e-12)
        np.testing.assert_allclose(trace.grad_norms, [np.linalg.norm(rosen_der(x)) for x in trace.xs],
                                   rtol=1e-12)
        assert trace.step_sizes.shape == (trace.steps,)
        assert trace.status == "converged" and trace.grad_norms[-1] <= 1e-8
        assert trace.message.startswith(f"converged at step {trace.steps}")


@pytest.mark.parametrize("method", [newton, bfgs, lbfgs])
def test_evaluation_counts_match_an_independent_counter(method):
    s = ScipyRosen()
    trace = method(s, [-1.2, 1.0])
    assert (trace.n_f, trace.n_grad, trace.n_hess) == (s.calls["f"], s.calls["grad"], s.calls["hess"])
    if method is newton:
        assert trace.n_grad == trace.steps + 1        # one gradient per iterate
    else:                                             # the Wolfe search also evaluates gradients at trials
        assert trace.steps + 1 <= trace.n_grad <= trace.n_f
        armijo = method(ScipyRosen(), [-1.2, 1.0], line_search="armijo")
        assert armijo.n_grad == armijo.steps + 1      # Armijo backtracking: one gradient per iterate
    assert trace.n_f >= trace.steps + 1
    if method is not newton:
        assert trace.n_hess == 0


def test_accepts_a_tuple_of_functions():
    trace = newton((rosen, rosen_der, rosen_hess), [-1.2, 1.0])
    assert trace.status == "converged"
    assert bfgs((rosen, rosen_der), [0.0, 0.0]).status == "converged"


# ---------------------------------------------------------------- Newton
def test_newton_one_step_on_a_quadratic():
    for d, seed in [(2, 0), (5, 1), (20, 2)]:
        A = random_spd(d, seed)
        b = np.random.default_rng(seed + 10).normal(size=d)
        x0 = np.random.default_rng(seed + 20).normal(size=d)
        trace = newton(Quadratic(A, b), x0)
        x_star = np.linalg.lstsq(A, b, rcond=None)[0]
        assert trace.status == "converged" and trace.steps == 1
        np.testing.assert_allclose(trace.x, x_star, rtol=1e-9, atol=1e-12)
        assert trace.step_sizes.tolist() == [1.0]
    q = surfaces.quadratic(1000, angle=0.7)
    assert newton(q, q.start).steps == 1


def test_pure_newton_iterates_are_the_textbook_ones():
    x = np.array([-1.2, 1.0])
    expected = [x]
    for _ in range(5):
        x = x - np.linalg.inv(rosen_hess(x)) @ rosen_der(x)
        expected.append(x)
    trace = newton(surfaces.rosenbrock, [-1.2, 1.0], tol=1e-12)
    np.testing.assert_allclose(trace.xs[:6], np.array(expected), rtol=1e-9, atol=1e-12)


def test_newton_converges_quadratically():
    trace = newton(surfaces.rosenbrock, [-1.2, 1.0], tol=1e-12)
    errors = np.linalg.norm(trace.xs - 1.0, axis=1)
    errors = errors[errors > 1e-14]
    near = errors[errors < 0.1]                          # the last steps, near the minimum
    assert len(near) >= 3
    ratios = near[1:] / near[:-1] ** 2
    assert np.all(ratios < 10.0)                          # e_{k+1} <= C e_k^2
    assert np.all(near[1:] / near[:-1] < 1e-2)           # far faster than any linear rate
    # digits roughly double per step at the end
    digits = -np.log10(near)
    assert digits[-1] >= 1.8 * digits[-2]


@pytest.mark.parametrize("x0", CLASSIC_STARTS)
def test_newton_on_rosenbrock(x0):
    for damped in (False, True):
        trace = newton(surfaces.rosenbrock, x0, damped=damped)
        assert trace.status == "converged", trace.message
        np.testing.assert_allclose(trace.x, [1.0, 1.0], atol=1e-6)
        assert trace.steps <= 30


def test_pure_newton_walks_to_the_saddle():
    trace = newton(surfaces.saddle, [-1.8, 0.05])
    assert trace.status == "saddle" and trace.steps == 1
    np.testing.assert_allclose(trace.x, [0.0, 0.0], atol=1e-15)
    assert "saddle" in trace.message and "eigenvalues [-2.  2.]" in trace.message
    # from (-0.5, 1) the Newton direction (0.5, -1) points uphill: g·p = -0.5 + 2 > 0
    uphill = newton(surfaces.saddle, [-0.5, 1.0])
    assert uphill.status == "saddle" and uphill.fs[1] > uphill.fs[0]
    assert "not a descent direction (g·p = 1.5 >= 0)" in uphill.message
    assert "negative curvature" in uphill.message


def test_pure_newton_walks_to_a_maximum_and_damped_newton_to_a_minimum():
    pure = newton(surfaces.himmelblau, [-0.5, -0.5])
    assert pure.status == "maximum"
    np.testing.assert_allclose(pure.x, HIMMELBLAU_MAX, atol=1e-5)
    assert pure.fs[-1] > pure.fs[0]                      # it went uphill
    damped = newton(surfaces.himmelblau, [-0.5, -0.5], damped=True)
    assert damped.status == "converged"
    distances = np.linalg.norm(surfaces.himmelblau.minima - damped.x, axis=1)
    assert distances.min() < 1e-6
    assert np.all(np.diff(damped.fs) < 0)                # a descent method
    assert any("added" in note for note in damped.notes)  # the Hessian was modified
    assert np.all(damped.step_sizes <= 1.0)


def test_damped_newton_satisfies_armijo_at_every_step():
    s = surfaces.himmelblau
    rng = np.random.default_rng(3)
    for x0 in rng.uniform(-4, 4, size=(20, 2)):
        trace = newton(s, x0, damped=True)
        assert trace.status == "converged", (x0, trace.message)
        assert np.linalg.norm(s.minima - trace.x, axis=1).min() < 1e-6
        for k in range(trace.steps):
            x, x_next, alpha = trace.xs[k], trace.xs[k + 1], trace.step_sizes[k]
            p = (x_next - x) / alpha
            g = s.grad(x)
            assert g @ p < 0                               # descent direction
            assert s.f(x_next) <= s.f(x) + 1e-4 * alpha * (g @ p) + 1e-12


def test_singular_hessian_is_reported():
    # f(x, y) = x^2 + y^4: at y = 0 the Hessian diag(2, 12 y^2) is singular
    f = (lambda x: x[0] ** 2 + x[1] ** 4, lambda x: np.array([2 * x[0], 4 * x[1] ** 3]),
         lambda x: np.diag([2.0, 12 * x[1] ** 2]))
    trace = newton(f, [1.0, 0.0])
    assert trace.status == "singular_hessian" and trace.steps == 0
    assert "singular Hessian at step 0" in trace.message
    # damped Newton adds a multiple of the identity and carries on
    damped = newton(f, [1.0, 0.0], damped=True)
    assert damped.status == "converged" and abs(damped.x[0]) < 1e-8


def test_newton_in_one_dimension():
    trace = newton(surfaces.double_well, 1.5)
    assert trace.status == "converged" and trace.xs.shape[1] == 1
    assert abs(float(surfaces.double_well.grad(trace.x).reshape(-1)[0])) <= 1e-8


def test_modified_hessian():
    M, tau = modified_hessian(np.diag([3.0, 1.0]))
    assert tau == 0.0 and np.array_equal(M, np.diag([3.0, 1.0]))
    for seed in range(5):
        A = np.random.default_rng(seed).normal(size=(4, 4))
        H = A + A.T
        M, tau = modified_hessian(H)
        np.testing.assert_allclose(M, H + tau * np.eye(4))
        eig = np.linalg.eigvalsh(H)
        assert np.linalg.eigvalsh(M).min() > 0 and tau > -eig.min()


# ---------------------------------------------------------------- line search
def test_backtracking_hand_computed():
    f = lambda x: float(x @ x)
    x = np.array([1.0])
    g = 2 * x
    # alpha = 1 lands on f = 1, not below 1 - 1e-4 * 4; alpha = 0.5 lands on 0
    assert backtracking(f, x, 1.0, g, -g) == LineSearch(0.5, 0.0, 2, True)
    # with rho = 0.1: alpha = 1, 0.1 -> f(0.8) = 0.64 <= 1 - 1e-4 * 0.1 * 4
    res = backtracking(f, x, 1.0, g, -g, rho=0.1)
    assert res.alpha == pytest.approx(0.1) and res.f == pytest.approx(0.64) and res.n_f == 2
    # c1 = 0.9 asks for 90% of the linear decrease 4 alpha: alpha = 0.125 gives f = 0.5625 > 0.55,
    # alpha = 0.0625 gives f = 0.765625 <= 1 - 0.225
    res = backtracking(f, x, 1.0, g, -g, c1=0.9)
    assert res.alpha == 0.0625 and res.n_f == 5 and res.f == 0.765625
    assert f(x + res.alpha * -g) <= 1 - 0.9 * res.alpha * 4


def test_backtracking_treats_overflow_as_too_long_and_can_fail():
    f = lambda x: math.inf if abs(x[0]) > 2 else float(x[0] ** 2)
    x, g = np.array([1.0]), np.array([2.0])
    res = backtracking(f, x, 1.0, g, np.array([-100.0]))
    assert res.success and math.isfinite(res.f) and res.f < 1.0
    fail = backtracking(f, x, 1.0, g, np.array([-100.0]), max_halvings=2)
    assert not fail.success and fail.n_f == 3 and fail.alpha == 0.25


def test_backtracking_bad_input():
    f = lambda x: float(x @ x)
    x, g = np.array([1.0]), np.array([2.0])
    with pytest.raises(ValueError, match="descent direction"):
        backtracking(f, x, 1.0, g, g)
    with pytest.raises(ValueError, match=r"c1 must be in \(0, 1\)"):
        backtracking(f, x, 1.0, g, -g, c1=1.0)
    with pytest.raises(ValueError, match=r"rho must be in \(0, 1\)"):
        backtracking(f, x, 1.0, g, -g, rho=0.0)
    with pytest.raises(ValueError, match="alpha0 must be"):
        backtracking(f, x, 1.0, g, -g, alpha0=-1.0)
    with pytest.raises(TypeError, match="max_halvings"):
        backtracking(f, x, 1.0, g, -g, max_halvings=2.5)
    with pytest.raises(ValueError, match="same shape"):
        backtracking(f, x, 1.0, g, np.array([-1.0, 0.0]))


# ---------------------------------------------------------------- BFGS
def test_bfgs_update_secant_condition_and_direct_update():
    rng = np.random.default_rng(7)
    for d in (2, 3, 6):
        B = random_spd(d, d)                     # a Hessian approximation
        H = np.linalg.inv(B)
        s = rng.normal(size=d)
        y = random_spd(d, d + 100) @ s           # y^T s > 0
        H_new = bfgs_update(H, s, y)
        np.testing.assert_allclose(H_new @ y, s, rtol=1e-10, atol=1e-12)   # secant condition
        np.testing.assert_allclose(H_new, H_new.T, atol=1e-12)
        assert np.linalg.eigvalsh(H_new).min() > 0
        # the direct BFGS update of B (Nocedal & Wright 6.19); H_new must be its inverse
        Bs = B @ s
        B_new = B - np.outer(Bs, Bs) / (s @ Bs) + np.outer(y, y) / (y @ s)
        np.testing.assert_allclose(H_new, np.linalg.inv(B_new), rtol=1e-9, atol=1e-11)
    with pytest.raises(ValueError, match="curvature"):
        bfgs_update(np.eye(2), np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
    with pytest.raises(ValueError, match="shape"):
        bfgs_update(np.eye(3), np.ones(2), np.ones(2))


def test_two_loop_equals_bfgs_matrix_times_gradient():
    d = 6
    A = random_spd(d, 11)
    quad = Quadratic(A, np.zeros(d))
    rng = np.random.default_rng(12)
    x = rng.normal(size=d)
    gamma = 0.37
    H = gamma * np.eye(d)
    S, Y = [], []
    for _ in range(5):                            # m >= iterations: every pair kept
        p = -H @ quad.grad(x)
        s = 0.5 * p
        y = quad.grad(x + s) - quad.grad(x)
        np.testing.assert_allclose(y, A @ s)
        x = x + s
        S.append(s)
        Y.append(y)
        H = bfgs_update(H, s, y)
        for g in (quad.grad(x), rng.normal(size=d)):
            np.testing.assert_allclose(two_loop(g, S, Y, h0=gamma), H @ g, rtol=1e-9, atol=1e-12)
    assert np.array_equal(two_loop(np.ones(3), [], []), np.ones(3))   # no pairs: H0 g


def test_lbfgs_with_enough_memory_matches_two_loop_on_its_own_pairs():
    trace = lbfgs(surfaces.quadratic(50, angle=0.3), [2.0, -1.0], m=100)
    assert trace.status == "converged" and not trace.notes


def test_bfgs_skips_updates_without_positive_curvature():
    # started near Himmelblau's maximum the first steps see negative curvature (Armijo-only search)
    for method in (bfgs, lbfgs):
        trace = method(surfaces.himmelblau, [-0.3, -0.9], line_search="armijo")
        assert any("skipped the update" in note for note in trace.notes)
        assert trace.status == "converged"
        assert np.linalg.norm(surfaces.himmelblau.minima - trace.x, axis=1).min() < 1e-6
        assert np.all(np.diff(trace.fs) < 0)


# ---------------------------------------------------------------- against scipy
@pytest.mark.parametrize("x0", CLASSIC_STARTS)
def test_bfgs_and_lbfgs_against_scipy(x0):
    ours_b = bfgs(surfaces.rosenbrock, x0)
    ours_l = lbfgs(surfaces.rosenbrock, x0)
    ref_b = minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-8})
    ref_l = minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-15})
    for ours, ref in ((ours_b, ref_b), (ours_l, ref_l)):
        assert ours.status == "converged", ours.message
        np.testing.assert_allclose(ours.x, [1.0, 1.0], atol=1e-6)
        np.testing.assert_allclose(ref.x, [1.0, 1.0], atol=1e-6)    # the reference did its job
        assert ours.steps <= 2 * ref.nit, (ours.steps, ref.nit)
        assert ours.n_f <= 4 * ref.nfev


def test_lbfgs_memory_one_still_converges():
    trace = lbfgs(surfaces.rosenbrock, [-1.2, 1.0], m=1)
    assert trace.status == "converged"
    np.testing.assert_allclose(trace.x, [1.0, 1.0], atol=1e-6)


def test_in_higher_dimension_against_scipy():
    x0 = np.zeros(10)                              # 10-D Rosenbrock (scipy's is n-D)
    ref = minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-8})
    np.testing.assert_allclose(ref.x, np.ones(10), atol=1e-6)
    s = (rosen, rosen_der, rosen_hess)
    for trace in (bfgs(s, x0), lbfgs(s, x0), newton(s, x0, damped=True)):
        assert trace.status == "converged", trace.message
        np.testing.assert_allclose(trace.x, ref.x, atol=1e-6)
        assert trace.steps <= 2 * ref.nit


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, match", [
    (lambda: newton(surfaces.rosenbrock, [np.nan, 1.0]), ValueError, "x0 must be finite"),
    (lambda: newton(surfaces.rosenbrock, "ab"), TypeError, "x0 must be an array"),
    (lambda: newton(surfaces.rosenbrock, [[1.0, 2.0]]), ValueError, "shape"),
    (lambda: newton(surfaces.rosenbrock, [1.0, 2.0], tol=-1.0), ValueError, "tol must be"),
    (lambda: newton(surfaces.rosenbrock, [1.0, 2.0], max_iter=2.5), TypeError, "max_iter"),
    (lambda: newton(surfaces.rosenbrock, [1.0, 2.0], max_iter=-1), ValueError, "max_iter"),
    (lambda: newton(surfaces.rosenbrock, [1.0, 2.0], damped="yes"), TypeError, "damped"),
    (lambda: newton((rosen, rosen_der), [1.0, 2.0]), TypeError, "Hessian"),
    (lambda: bfgs(42, [1.0, 2.0]), TypeError, "surface must be"),
    (lambda: lbfgs(surfaces.rosenbrock, [1.0, 2.0], m=0), ValueError, "m must be"),
    (lambda: lbfgs(surfaces.rosenbrock, [1.0, 2.0], m=True), TypeError, "m must be"),
    (lambda: bfgs((lambda x: np.inf, lambda x: x), [1.0]), ValueError, "not finite at x0"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_max_iter_and_divergence():
    trace = bfgs(surfaces.rosenbrock, [-1.2, 1.0], max_iter=5)
    assert trace.status == "max_steps" and trace.steps == 5
    assert newton(surfaces.rosenbrock, [-1.2, 1.0], max_iter=0).steps == 0
    # f(x) = -x^4 is unbounded below: pure Newton's iterates shrink towards the maximum at 0,
    # damped Newton (a descent method) runs away until f overflows
    neg = (lambda x: -x[0] ** 4, lambda x: np.array([-4 * x[0] ** 3]), lambda x: np.array([[-12 * x[0] ** 2]]))
    damped = newton(neg, [1.0], damped=True, max_iter=2000)
    assert damped.status == "diverged" and "not finite" in damped.message
    assert damped.diverged_at == damped.steps + 1 and np.all(np.isfinite(damped.xs))
    pure = newton(neg, [1.0], max_iter=20, tol=0.0)
    np.testing.assert_allclose(pure.xs[:, 0], (2 / 3) ** np.arange(21))    # x - x/3 each step
    assert pure.status == "max_steps" and "not a descent direction" in pure.message
    # f(x) = -x has no curvature at all: y = 0, every update skipped, steps of 1 forever
    lin = bfgs((lambda x: -x[0], lambda x: np.array([-1.0])), [0.0], max_iter=50, line_search="armijo")
    assert lin.status == "max_steps" and lin.x[0] == 50.0 and len(lin.notes) == 50


# ---------------------------------------------------------------- strong Wolfe line search
def _strong_wolfe_holds(f, grad, x, p, alpha, c1, c2):
    """Both conditions of N&W eq. 3.7, evaluated here from f and grad (not from the search's output)."""
    slope0 = float(grad(x) @ p)
    decrease = f(x + alpha * p) <= f(x) + c1 * alpha * slope0
    curvature = abs(float(grad(x + alpha * p) @ p)) <= c2 * abs(slope0)
    return decrease and curvature


def _wolfe_cases():
    ros = surfaces.rosenbrock
    quad = surfaces.quadratic(50, angle=0.3)
    cases = []
    for x in [(-1.2, 1.0), (2.0, -2.0), (0.0, 0.0), (-0.5, 1.5)]:      # Rosenbrock, steepest descent
        x = np.array(x)
        cases.append((rosen, rosen_der, x, -rosen_der(x)))
    for x in [(-1.2, 1.0), (0.3, 0.2)]:                                  # Rosenbrock, Newton direction
        x = np.array(x)
        cases.append((rosen, rosen_der, x, -np.linalg.solve(rosen_hess(x), rosen_der(x))))
    x = np.array([2.0, -1.0])
    cases.append((quad.f, quad.grad, x, -quad.grad(x)))                  # a narrow quadratic
    cases.append((quad.f, quad.grad, x, -1e-3 * quad.grad(x)))           # a much too short direction
    him = surfaces.himmelblau
    for x in [(0.0, 0.0), (-3.0, 3.0), (1.0, -1.0)]:                     # non-convex
        x = np.array(x)
        cases.append((him.f, him.grad, x, -him.grad(x)))
    # 1-D: f(t) = t^4 - 2t^2 + t (two wells), and log-cosh
    cases.append((lambda v: float(v[0] ** 4 - 2 * v[0] ** 2 + v[0]),
                  lambda v: np.array([4 * v[0] ** 3 - 4 * v[0] + 1]), np.array([0.5]), np.array([1.0])))
    cases.append((lambda v: float(np.log(np.cosh(v[0]))), lambda v: np.tanh(v), np.array([3.0]), np.array([-1.0])))
    return cases


@pytest.mark.parametrize("c2", [0.9, 0.1])
@pytest.mark.parametrize("case", range(13))
def test_wolfe_line_search_returns_a_step_satisfying_both_conditions(case, c2):
    f, grad, x, p = _wolfe_cases()[case]
    calls = {"f": 0, "g": 0}

    def f_counted(v):
        calls["f"] += 1
        return f(v)

    def g_counted(v):
        calls["g"] += 1
        return grad(v)

    out = wolfe_line_search(f_counted, g_counted, x, f(x), grad(x), p, c1=1e-4, c2=c2)
    assert out.success and out.alpha > 0
    assert _strong_wolfe_holds(f, grad, x, p, out.alpha, 1e-4, c2)
    np.testing.assert_allclose(out.f, f(x + out.alpha * p), rtol=1e-12)
    np.testing.assert_allclose(out.g, grad(x + out.alpha * p), rtol=1e-12)
    assert (out.n_f, out.n_grad) == (calls["f"], calls["g"])


def test_wolfe_line_search_hand_computed_on_a_parabola():
    # f = x^2 along p = -0.01 from x = 1: phi'(a) = -0.02 (1 - 0.01 a), the curvature condition
    # |phi'(a)| <= 0.9 * 0.02 needs a >= 10; the doubling trials 1, 2, 4, 8, 16 stop at 16
    f, grad = (lambda v: float(v @ v)), (lambda v: 2 * v)
    x = np.array([1.0])
    out = wolfe_line_search(f, grad, x, 1.0, grad(x), np.array([-0.01]))
    assert out.success and out.alpha == 16.0 and out.n_f == 5 and out.n_grad == 5
    # the full step alpha = 1 of a Newton-length direction satisfies both at once
    out = wolfe_line_search(f, grad, x, 1.0, grad(x), np.array([-1.0]))
    assert out.alpha == 1.0 and out.f == 0.0 and out.n_f == 1


def test_wolfe_line_search_bad_input():
    f, grad = (lambda v: float(v @ v)), (lambda v: 2 * v)
    x = np.array([1.0])
    with pytest.raises(ValueError, match="descent direction"):
        wolfe_line_search(f, grad, x, 1.0, grad(x), np.array([1.0]))
    with pytest.raises(ValueError, match="c1 and c2"):
        wolfe_line_search(f, grad, x, 1.0, grad(x), np.array([-1.0]), c1=0.5, c2=0.4)
    with pytest.raises(ValueError, match="alpha0"):
        wolfe_line_search(f, grad, x, 1.0, grad(x), np.array([-1.0]), alpha0=0.0)
    with pytest.raises(ValueError, match="line_search"):
        bfgs(surfaces.rosenbrock, [0.0, 0.0], line_search="exact")


@pytest.mark.parametrize("x0", CLASSIC_STARTS)
def test_bfgs_with_wolfe_never_skips_and_has_positive_curvature(x0):
    for method in (bfgs, lbfgs):
        trace = method(surfaces.rosenbrock, x0)
        assert trace.status == "converged" and not any("skipped" in n for n in trace.notes), trace.notes
        # y^T s > 0 at every step, recomputed from the iterates with scipy's gradient
        s = np.diff(trace.xs, axis=0)
        y = np.diff([rosen_der(x) for x in trace.xs], axis=0)
        assert np.all(np.sum(s * y, axis=1) > 0)
        # and every step satisfied both strong Wolfe conditions (c1 = 1e-4, c2 = 0.9)
        for k in range(trace.steps):
            p = s[k] / trace.step_sizes[k]
            assert _strong_wolfe_holds(rosen, rosen_der, trace.xs[k], p, trace.step_sizes[k], 1e-4, 0.9)


def test_bfgs_converges_superlinearly_with_wolfe():
    # Dennis-More: e_{k+1}/e_k -> 0. The tail's largest ratio falls, and the last is tiny,
    # which no linear rate (a constant ratio) would do
    for x0 in [(-1.2, 1.0), (2.0, -2.0), (0.0, 0.0)]:
        trace = bfgs(surfaces.rosenbrock, x0, tol=1e-10)
        e = np.linalg.norm(trace.xs - 1.0, axis=1)
        e = e[e > 0]
        r = e[1:] / e[:-1]
        assert r[-1] < 0.05 and r[-3:].max() < r[-9:-3].max()


def test_line_searches_live_in_line_search_and_are_re_exported():
    import gdlearn.line_search as ls
    import gdlearn.second_order as so
    for name in ls.__all__:
        assert getattr(so, name) is getattr(ls, name)
