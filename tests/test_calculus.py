"""Tests of gdlearn.calculus against functions whose derivatives are known in closed form."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlearn import calculus
from gdlearn.calculus import (
    DifferenceErrors, check_grad, derivative, difference_errors, directional_derivative,
    forward_difference, numerical_gradient, numerical_hessian, taylor,
)

FAST = settings(max_examples=30, deadline=None)
coordinate = st.floats(-2.0, 2.0)
vectors = st.lists(coordinate, min_size=1, max_size=4).map(np.array)
points_2d = st.tuples(coordinate, coordinate).map(np.array)


# A smooth test function of two variables with its derivatives by hand.
def smooth(x):
    return np.exp(x[0]) * np.sin(x[1]) + x[0] ** 2 * x[1]


def smooth_grad(x):
    return np.array([np.exp(x[0]) * np.sin(x[1]) + 2 * x[0] * x[1],
                     np.exp(x[0]) * np.cos(x[1]) + x[0] ** 2])


def smooth_hess(x):
    e, s, c = np.exp(x[0]), np.sin(x[1]), np.cos(x[1])
    return np.array([[e * s + 2 * x[1], e * c + 2 * x[0]],
                     [e * c + 2 * x[0], -e * s]])


# --- one variable ------------------------------------------------------------

@FAST
@given(x=st.floats(-5, 5))
def test_derivative_of_sin_and_exp(x):
    assert derivative(np.sin, x) == pytest.approx(np.cos(x), abs=1e-9)
    assert derivative(np.exp, x) == pytest.approx(np.exp(x), rel=1e-9)
    assert forward_difference(np.sin, x) == pytest.approx(np.cos(x), abs=1e-7)


def test_derivative_is_vectorized_over_x():
    x = np.linspace(-3, 3, 11)
    np.testing.assert_allclose(derivative(np.sin, x), np.cos(x), atol=1e-9)
    np.testing.assert_allclose(forward_difference(np.sin, x), np.cos(x), atol=1e-7)


def test_central_difference_is_second_order_and_forward_first_order():
    # Steps from 1e-2 down, halving: far above the round-off floor for exp at 1.
    hs = 1e-2 / 2.0 ** np.arange(6)
    errors = difference_errors(np.exp, np.exp, 1.0, hs)
    central_ratios = errors.central[:-1] / errors.central[1:]
    forward_ratios = errors.forward[:-1] / errors.forward[1:]
    np.testing.assert_allclose(central_ratios, 4.0, rtol=0.01)
    np.testing.assert_allclose(forward_ratios, 2.0, rtol=0.01)
    # The leading error terms: f''(x) h / 2 and f'''(x) h^2 / 6.
    np.testing.assert_allclose(errors.forward, np.e * hs / 2, rtol=0.02)
    np.testing.assert_allclose(errors.central, np.e * hs**2 / 6, rtol=0.01)


def test_difference_errors_show_the_round_off_floor():
    hs = np.logspace(-15, -1, 57)
    forward, central = difference_errors(np.sin, np.cos, 1.0, hs)
    assert forward.shape == central.shape == hs.shape
    # Best steps near eps^(1/2) and eps^(1/3); below them round-off (~eps/h) grows.
    assert 1e-10 <= hs[np.argmin(forward)] <= 1e-6
    assert 1e-7 <= hs[np.argmin(central)] <= 1e-3
    assert central.min() < 1e-10 and forward.min() < 1e-7
    assert central[0] > 100 * central.min() and forward[0] > 100 * forward.min()


def test_difference_errors_named_fields_and_any_scalar_function():
    errors = difference_errors(lambda x: x**2, lambda x: 2 * x, 3.0, [0.5])
    assert isinstance(errors, DifferenceErrors)
    np.testing.assert_allclose(errors.forward, [0.5])   # ((3.5² − 9) / 0.5) − 6 = h
    np.testing.assert_allclose(errors.central, [0.0], atol=1e-14)   # exact for parabolas


# --- gradients -----------------------------------------------------------------

@FAST
@given(x=points_2d)
def test_numerical_gradient_matches_analytic(x):
    np.testing.assert_allclose(numerical_gradient(smooth, x), smooth_grad(x), rtol=1e-7, atol=1e-8)


@FAST
@given(x=vectors)
def test_numerical_gradient_in_any_dimension(x):
    weights = np.arange(1.0, len(x) + 1)
    g = numerical_gradient(lambda v: np.sum(weights * v**3), x)
    np.testing.assert_allclose(g, 3 * weights * x**2, rtol=1e-7, atol=1e-8)


@FAST
@given(x=points_2d)
def test_check_grad_small_for_right_gradients_large_for_wrong_ones(x):
    assert check_grad(smooth, smooth_grad, x) < 1e-7
    # Near x = 0 the gradient of |x|² is below the differences' resolution
    # and a relative error means nothing (see check_grad's Notes).
    if np.linalg.norm(x) > 1e-3:
        assert check_grad(lambda v: np.sum(v**2), lambda v: 2 * v, x) < 1e-7
        assert check_grad(lambda v: np.sum(v**2), lambda v: v, x) == pytest.approx(1 / 3, rel=1e-6)
    g = smooth_grad(x)
    if np.linalg.norm(g) > 1e-3:
        assert check_grad(smooth, lambda v: -smooth_grad(v), x) == pytest.approx(1.0, rel=1e-6)
    if abs(g[0] - g[1]) > 1e-3 * np.linalg.norm(g):
        assert check_grad(smooth, lambda v: smooth_grad(v)[::-1], x) > 1e-4   # components swapped


def test_check_grad_of_a_flat_function_is_zero():
    assert check_grad(lambda v: 0.0, lambda v: np.zeros(2), np.ones(2)) == 0.0


def test_check_grad_is_scale_free():
    x = np.array([0.3, -1.2])
    for c in (1e-6, 1.0, 1e6):
        assert check_grad(lambda v: c * smooth(v), lambda v: c * smooth_grad(v), x) < 1e-7


def test_check_grad_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match="grad"):
        check_grad(smooth, lambda v: np.zeros(3), np.zeros(2))


# --- Hessians -------------------------------------------------------------------

@FAST
@given(x=points_2d)
def test_numerical_hessian_from_grad_or_from_f_matches_analytic(x):
    H = smooth_hess(x)
    from_grad = numerical_hessian(smooth_grad, x)
    from_f = numerical_hessian(smooth, x)
    np.testing.assert_allclose(from_grad, H, atol=1e-8 * (1 + np.abs(H).max()))
    np.testing.assert_allclose(from_f, H, atol=1e-6 * (1 + np.abs(H).max()))
    for estimate in (from_grad, from_f):
        np.testing.assert_array_equal(estimate, estimate.T)


def test_numerical_hessian_of_a_quadratic_form():
    A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -2.0], [0.5, -2.0, 6.0]])
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(numerical_hessian(lambda v: 0.5 * v @ A @ v, x), A, atol=1e-6)
    np.testing.assert_allclose(numerical_hessian(lambda v: A @ v, x), A, atol=1e-9)


def test_numerical_hessian_rejects_other_outputs():
    with pytest.raises(ValueError, match="f_or_grad"):
        numerical_hessian(lambda v: np.zeros((2, 2)), np.zeros(2))


# --- directional derivatives ------------------------------------------------------

@FAST
@given(x=points_2d, angle=st.floats(0, 2 * np.pi))
def test_directional_derivative_is_the_slope_along_v(x, angle):
    v = np.array([np.cos(angle), np.sin(angle)])
    slope = derivative(lambda t: smooth(x + t * v), 0.0)   # d/dt f(x + t v) at t = 0
    assert directional_derivative(smooth_grad, x, v) == pytest.approx(slope, abs=1e-8)


def test_steepest_ascent_is_along_the_gradient():
    x = np.array([0.5, 1.0])
    angles = np.linspace(0, 2 * np.pi, 3601)
    slopes = directional_derivative(smooth_grad, x, np.stack([np.cos(angles), np.sin(angles)]))
    g = smooth_grad(x)
    assert slopes.shape == angles.shape
    assert slopes.max() == pytest.approx(np.linalg.norm(g), rel=1e-6)
    best = angles[np.argmax(slopes)]
    np.testing.assert_allclose([np.cos(best), np.sin(best)], g / np.linalg.norm(g), atol=2e-3)


# --- Taylor models -----------------------------------------------------------------

@FAST
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4))
def test_second_order_taylor_is_exact_for_a_quadratic(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    A, b, c = M + M.T, rng.normal(size=d), rng.normal()
    f = lambda x: c + b @ x + 0.5 * x @ A @ x  # noqa: E731
    model = taylor(f, lambda x: b + A @ x, lambda x: A, rng.normal(size=d), order=2)
    points = 3 * rng.normal(size=(d, 6))
    exact = [f(p) for p in points.T]
    np.testing.assert_allclose(model(points), exact, atol=1e-10 * (1 + np.abs(exact).max()))


def test_taylor_errors_shrink_like_the_next_power():
    x0, direction = np.array([0.2, -0.4]), np.array([0.6, 0.8])
    steps = 0.1 / 2.0 ** np.arange(4)
    points = x0[:, None] + direction[:, None] * steps   # shape (2, 4): the coordinate on axis 0
    exact = np.array([smooth(p) for p in points.T])
    for order, power in [(1, 2), (2, 3)]:
        model = taylor(smooth, smooth_grad, smooth_hess, x0, order=order)
        errors = np.abs(model(points) - exact)
        np.testing.assert_allclose(errors[:-1] / errors[1:], 2.0**power, rtol=0.1)


def test_taylor_of_a_scalar_function_and_on_a_grid():
    quadratic_model = taylor(np.exp, np.exp, np.exp, 0.0)
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(quadratic_model(x), 1 + x + x**2 / 2)
    model = taylor(smooth, smooth_grad, smooth_hess, np.array([0.1, 0.2]))
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5)))
    values = model(grid)
    assert values.shape == (5, 7)
    assert values[2, 3] == pytest.approx(model(grid[:, 2, 3]), rel=1e-14)


def test_first_order_taylor_needs_no_hessian():
    tangent = taylor(np.sin, np.cos, None, np.pi, order=1)
    np.testing.assert_allclose(tangent(np.array([np.pi, np.pi + 1])), [0.0, -1.0], atol=1e-15)


# --- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize("h", [0.0, -1e-6, np.nan, np.inf])
def test_bad_steps_raise_value_error(h):
    calls = [
        lambda: derivative(np.sin, 1.0, h),
        lambda: forward_difference(np.sin, 1.0, h),
        lambda: numerical_gradient(smooth, np.zeros(2), h),
        lambda: numerical_hessian(smooth, np.zeros(2), h),
        lambda: numerical_hessian(smooth_grad, np.zeros(2), h),
        lambda: check_grad(smooth, smooth_grad, np.zeros(2), h),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="h must be finite and > 0"):
            call()
    with pytest.raises(ValueError, match="hs"):
        difference_errors(np.sin, np.cos, 1.0, [1e-3, h])


def test_non_numeric_step_raises_type_error():
    with pytest.raises(TypeError, match="h must be a real number"):
        derivative(np.sin, 1.0, "small")


def test_wrong_shapes_and_orders_raise():
    with pytest.raises(ValueError, match=r"x must be a 1-D array"):
        numerical_gradient(smooth, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="v must have shape"):
        directional_derivative(smooth_grad, np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        taylor(smooth, smooth_grad, smooth_hess, np.zeros(2), order=3)
    with pytest.raises(ValueError, match="hess is required"):
        taylor(smooth, smooth_grad, None, np.zeros(2), order=2)
    with pytest.raises(ValueError, match=r"x must have shape \(2, \.\.\.\)"):
        taylor(smooth, smooth_grad, smooth_hess, np.zeros(2))(np.zeros(3))


@pytest.mark.parametrize("x", [1e-3, 1.0, -7.5, 1e4, 3e8])
def test_relative_step_grows_with_x_and_is_exact(x):
    """h = eps**(1/(order+1)) * max(1, |x|), rounded so that x + h - x == h exactly."""
    eps = np.finfo(float).eps
    for order in (1, 2):
        h = float(calculus.relative_step(x, order=order))
        assert np.isclose(h, eps ** (1 / (order + 1)) * max(1.0, abs(x)), rtol=1e-6)
        assert (x + h) - x == h


def test_relative_step_beats_a_fixed_step_far_from_one():
    """sqrt at x = 1e4 (exact derivative 0.005): the fixed default loses digits, the scaled step not."""
    x, exact = 1e4, 0.005
    fixed = abs(float(calculus.forward_difference(np.sqrt, x)) - exact)
    scaled = abs(float(calculus.forward_difference(np.sqrt, x, float(calculus.relative_step(x, 1))))
                 - exact)
    assert scaled < 1e-9 and fixed > 100 * scaled
    central = calculus.derivative(np.sqrt, x, float(calculus.relative_step(x, 2)))
    assert abs(float(central) - exact) < 1e-12


@pytest.mark.parametrize("order", [0, 3, True, 1.5])
def test_relative_step_rejects_bad_orders(order):
    with pytest.raises(ValueError, match="order"):
        calculus.relative_step(1.0, order=order)


# --- one step per coordinate ---------------------------------------------------------

def mixed(x):
    return np.sqrt(x[0]) + np.exp(x[1])


MIXED_X = np.array([1e4, 1.0])
MIXED_GRAD = np.array([0.5 / np.sqrt(1e4), np.e])    # exact: (0.005, e)


def test_numerical_gradient_per_coordinate_step_on_mixed_scales():
    """sqrt(x0) + exp(x1) at (1e4, 1): a step per coordinate beats any single step."""
    per_coordinate = np.abs(numerical_gradient(mixed, MIXED_X, calculus.relative_step(MIXED_X))
                            - MIXED_GRAD)
    assert np.all(per_coordinate < 1e-9)
    # One step sized for the large coordinate ruins the small one (truncation e h^2 / 6).
    h_max = float(calculus.relative_step(MIXED_X).max())
    single_large = np.abs(numerical_gradient(mixed, MIXED_X, h_max) - MIXED_GRAD)
    assert single_large[1] > 1e5 * per_coordinate[1]
    assert np.isclose(single_large[1], np.e * h_max**2 / 6, rtol=0.01)
    # The default step is fine on both, but the per-coordinate one is better on x0.
    default = np.abs(numerical_gradient(mixed, MIXED_X) - MIXED_GRAD)
    assert per_coordinate[0] < default[0] / 100


def test_numerical_gradient_array_step_agrees_with_a_scalar_step():
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(numerical_gradient(smooth, x, np.full(2, 1e-5)),
                               numerical_gradient(smooth, x, 1e-5), rtol=1e-12)
    np.testing.assert_allclose(numerical_gradient(smooth, x, np.array([1e-5, 1e-4])),
                               smooth_grad(x), rtol=1e-7)


def test_numerical_gradient_rejects_bad_step_arrays():
    with pytest.raises(ValueError, match=r"h must be a number or have the shape of x"):
        numerical_gradient(smooth, np.zeros(2), np.ones(3) * 1e-6)
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        numerical_gradient(smooth, np.zeros(2), np.array([1e-6, 0.0]))
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        check_grad(smooth, smooth_grad, np.zeros(2), np.array([np.nan, 1e-6]))


def test_numerical_gradient_rejects_a_step_lost_in_rounding():
    """At x = 1e4 float64 numbers are 1.8e-12 apart: a step of 1e-13 does not move x."""
    with pytest.raises(ValueError, match=r"h is too small for x"):
        numerical_gradient(mixed, MIXED_X, 1e-13)
