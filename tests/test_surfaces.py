"""Tests of gdlearn.surfaces against references that do not reuse its formulas.

Gradients and Hessians are checked against central differences of f and of
the gradient; minima against closed forms, polynomial roots, 50-digit roots
(mpmath) and dense grids.
"""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlearn.calculus import numerical_gradient, numerical_hessian
from gdlearn.surfaces import (
    SURFACES, Surface, beale, booth, double_well, himmelblau, parabola, quadratic,
    rastrigin, rosenbrock, saddle, wavy,
)

NAMED = {
    **SURFACES, "parabola": parabola, "double_well": double_well, "wavy": wavy,
    "quadratic_ill_conditioned": quadratic(condition_number=1000.0, angle=0.7, scale=0.01),
}
ALL_SURFACES, ids = list(NAMED.values()), list(NAMED)
WITH_MINIMA = [s for s in ALL_SURFACES if len(s.minima)]
minima_ids = [key for key, s in NAMED.items() if len(s.minima)]

# The value at each listed minimum; for the 1-D wells the values of the
# roots of f' computed with 50-digit arithmetic.
MINIMUM_VALUES = {
    "Rosenbrock": [0.0], "Beale": [0.0], "Himmelblau": [0.0] * 4, "Booth": [0.0],
    "Rastrigin": [0.0], "Parabola": [0.0],
    "Double well": [-3.513905038934789, -1.0702301817761541],
    "Wavy": [-4.738647129739897, -3.1805019724169266, -1.6441856977954483, -0.28054816909552255],
}

FAST = settings(max_examples=25, deadline=None)


def point_in(surface: Surface) -> st.SearchStrategy:
    """Points of the surface's plotting domain, shape (d,)."""
    return st.tuples(*(st.floats(low, high) for low, high in surface.domain)).map(np.array)


def grid_in(surface: Surface, shape, seed=0) -> np.ndarray:
    """Random points of the domain, coordinate on axis 0: shape (d, *shape)."""
    rng = np.random.default_rng(seed)
    low, high = np.array(surface.domain).T
    unit = rng.random((surface.dim, *shape))
    return low.reshape(-1, 1, 1) + (high - low).reshape(-1, 1, 1) * unit


def short_id(surface: Surface) -> str:
    return surface.name.split()[0].lower()


def minimum_value(surface: Surface) -> list[float]:
    return MINIMUM_VALUES.get(surface.name, [0.0])  # quadratics: 0 at the origin


# --- derivatives against finite differences ----------------------------------

@pytest.mark.parametrize("surface", ALL_SURFACES, ids=ids)
@FAST
@given(data=st.data())
def test_grad_matches_central_differences(surface, data):
    x = data.draw(point_in(surface))
    g = surface.grad(x)
    assert g.shape == (surface.dim,)
    # Central differences with h = 1e-6 err by ~1e-10 relative to |f| + |g|
    # on these domains (round-off eps |f| / h); a wrong term errs by ~|g|.
    scale = 1 + abs(surface.f(x)) + np.max(np.abs(g))
    fd = numerical_gradient(surface.f, x, h=1e-6)
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-7 * scale)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=ids)
@FAST
@given(data=st.data())
def test_hess_matches_differences_of_grad(surface, data):
    x = data.draw(point_in(surface))
    H = surface.hess(x)
    assert H.shape == (surface.dim, surface.dim)
    np.testing.assert_array_equal(H, H.T)
    scale = 1 + np.max(np.abs(surface.grad(x))) + np.max(np.abs(H))
    fd = numerical_hessian(surface.grad, x, h=1e-5)
    np.testing.assert_allclose(H, fd, rtol=0, atol=1e-7 * scale)


# --- vectorization: the coordinate on axis 0 ---------------------------------

@pytest.mark.parametrize("surface", ALL_SURFACES, ids=ids)
def test_vectorized_on_a_grid_equals_pointwise(surface):
    grid = grid_in(surface, (5, 7))
    values, grads, hessians = surface.f(grid), surface.grad(grid), surface.hess(grid)
    assert values.shape == (5, 7)
    assert grads.shape == (surface.dim, 5, 7)
    assert hessians.shape == (surface.dim, surface.dim, 5, 7)
    for i in range(5):
        for j in range(7):
            point = grid[:, i, j]
            np.testing.assert_allclose(values[i, j], surface.f(point), rtol=1e-13)
            np.testing.assert_allclose(grads[:, i, j], surface.grad(point), rtol=1e-13)
            np.testing.assert_allclose(hessians[:, :, i, j], surface.hess(point), rtol=1e-13)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=ids)
def test_single_point_gives_scalar_and_call_is_f(surface):
    value = surface.f(surface.start)
    assert np.ndim(value) == 0
    assert surface(surface.start) == value
    assert surface.f(surface.start.tolist()) == value  # lists work too


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((3, 4)), 1.0])
def test_wrong_number_of_coordinates_raises(bad):
    with pytest.raises(ValueError, match=r"x must have shape \(2, \.\.\.\)"):
        rosenbrock.f(bad)


# --- minima ------------------------------------------------------------------

@pytest.mark.parametrize("surface", WITH_MINIMA, ids=minima_ids)
def test_minima_values_zero_gradient_positive_definite_hessian(surface):
    for point, expected in zip(surface.minima, minimum_value(surface), strict=True):
        assert surface.f(point) == pytest.approx(expected, rel=1e-14, abs=1e-14)
        # At a root rounded to float64 the gradient is round-off: ~eps * |H| * |x|.
        curvature = np.max(np.abs(surface.hess(point)))
        assert np.max(np.abs(surface.grad(point))) < 1e-12 * (1 + curvature)
        assert np.max(np.abs(numerical_gradient(surface.f, point))) < 1e-7
        assert np.all(np.linalg.eigvalsh(surface.hess(point)) > 0)


@pytest.mark.parametrize("surface", WITH_MINIMA, ids=minima_ids)
def test_global_minimum_first_and_lowest_on_the_domain(surface):
    values = surface.f(surface.minima.T)
    assert values[0] == values.min()
    n = 2001 if surface.dim == 1 else 201
    axes = [np.linspace(low, high, n) for low, high in surface.domain]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"))
    assert surface.f(grid).min() >= values[0] - 1e-12


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=ids)
def test_start_and_minima_lie_in_the_domain(surface):
    low, high = np.array(surface.domain).T
    assert surface.dim == len(surface.domain) == surface.start.shape[0]
    assert surface.minima.shape[1] == surface.dim
    assert np.all((low < surface.start) & (surface.start < high))
    assert np.all((low <= surface.minima) & (surface.minima <= high))
    assert surface.minima.flags.writeable is False
    assert np.linalg.norm(surface.grad(surface.start)) > 1e-3  # a demo must move


def himmelblau_grad_by_hand(x, y):
    """Re-derived here, not imported: d/dx and d/dy of (x²+y−11)² + (x+y²−7)²."""
    return np.array([2 * (x**2 + y - 11) * 2 * x + 2 * (x + y**2 - 7),
                     2 * (x**2 + y - 11) + 2 * (x + y**2 - 7) * 2 * y])


def test_himmelblau_four_minima_to_full_precision():
    published = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(himmelblau.minima, published, atol=1e-6)
    for x, y in himmelblau.minima:
        assert np.max(np.abs(himmelblau_grad_by_hand(x, y))) < 1e-12
    assert len({tuple(np.round(m, 3)) for m in himmelblau.minima}) == 4


@pytest.mark.parametrize("surface", [himmelblau, double_well, wavy], ids=short_id)
def test_irrational_minima_are_correctly_rounded_roots(surface):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    grads = {
        "Himmelblau": lambda x, y: [2 * (x**2 + y - 11) * 2 * x + 2 * (x + y**2 - 7),
                                    2 * (x**2 + y - 11) + 2 * (x + y**2 - 7) * 2 * y],
        "Double well": lambda x: 4 * x**3 - 6 * x + 1,
        "Wavy": lambda x: mpmath.cos(2 * x) - 2 * x * mpmath.sin(2 * x),
    }
    for point in surface.minima:
        start = [mpmath.mpf(float(c)) for c in point]
        root = mpmath.findroot(grads[surface.name], start if surface.dim > 1 else start[0])
        root = [root] if surface.dim == 1 else list(root)
        # The listed minimum is the exact root rounded to the nearest float.
        np.testing.assert_array_equal([float(r) for r in root], point)


def test_double_well_minima_are_roots_of_the_cubic():
    roots = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)  # f'(x) = 4x³ − 6x + 1
    np.testing.assert_allclose(double_well.minima.ravel(), roots[[0, 2]], rtol=1e-12)


def test_wavy_has_four_local_minima_on_its_domain():
    x = np.linspace(*wavy.domain[0], 100_001)
    values = wavy.f(x[None])
    is_local_min = (values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])
    found = x[1:-1][is_local_min]
    np.testing.assert_allclose(np.sort(found), np.sort(wavy.minima.ravel()), atol=1e-4)


def test_saddle_has_no_minimum_and_an_indefinite_hessian():
    assert saddle.minima.shape == (0, 2)
    np.testing.assert_array_equal(saddle.grad(np.zeros(2)), 0.0)
    np.testing.assert_array_equal(np.linalg.eigvalsh(saddle.hess(np.zeros(2))), [-2.0, 2.0])


# --- known curvature constants -----------------------------------------------

@pytest.mark.parametrize("surface", [booth, parabola, saddle, SURFACES["quadratic"]], ids=short_id)
def test_constant_hessian_matches_L_and_mu(surface):
    eigenvalues = np.linalg.eigvalsh(surface.hess(grid_in(surface, (1, 1))[:, 0, 0]))
    assert surface.L == pytest.approx(np.max(np.abs(eigenvalues)), rel=1e-12)
    if surface.mu is not None:
        assert surface.mu == pytest.approx(eigenvalues.min(), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(condition_number=st.floats(1, 1e4), angle=st.floats(-np.pi, np.pi),
       scale=st.floats(1e-3, 1e3), data=st.data())
def test_quadratic_eigenvalues_are_mu_and_L(condition_number, angle, scale, data):
    q = quadratic(condition_number=condition_number, angle=angle, scale=scale)
    x = data.draw(point_in(q))
    eigenvalues = np.linalg.eigvalsh(q.hess(x))
    np.testing.assert_allclose(eigenvalues, [q.mu, q.L], rtol=1e-10, atol=1e-12 * q.L)
    assert (q.mu, q.L) == (scale, scale * condition_number)
    H = q.hess(x)
    assert q.f(x) == pytest.approx(0.5 * x @ H @ x, rel=1e-10, abs=1e-12 * q.L)
    # The steep axis is the second axis rotated by `angle`.
    steep = np.array([-np.sin(angle), np.cos(angle)])
    np.testing.assert_allclose(H @ steep, q.L * steep, atol=1e-10 * q.L)


@FAST
@given(angle=st.floats(-np.pi, np.pi), data=st.data())
def test_quadratic_rotation_rotates_the_level_sets(angle, data):
    upright, rotated = quadratic(7.0), quadratic(7.0, angle=angle)
    point = data.draw(point_in(upright))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    assert rotated.f(rotation @ point) == pytest.approx(upright.f(point), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(rotated.start, rotation @ upright.start, atol=1e-12)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"condition_number": 0.5}, ValueError, "condition_number"),
    ({"condition_number": np.nan}, ValueError, "condition_number"),
    ({"condition_number": np.inf}, ValueError, "condition_number"),
    ({"condition_number": "10"}, TypeError, "condition_number"),
    ({"scale": 0.0}, ValueError, "scale"),
    ({"scale": -1.0}, ValueError, "scale"),
    ({"scale": np.nan}, ValueError, "scale"),
    ({"scale": None}, TypeError, "scale"),
    ({"angle": np.inf}, ValueError, "angle"),
    ({"angle": True}, TypeError, "angle"),
])
def test_quadratic_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        quadratic(**kwargs)


def test_quadratic_accepts_numpy_and_integer_arguments():
    q = quadratic(condition_number=np.float32(4), angle=0, scale=np.int64(2))
    assert (q.mu, q.L) == (2.0, 8.0)


# --- the collection ------------------------------------------------------------

def test_surfaces_dict_holds_the_two_dimensional_surfaces():
    assert list(SURFACES) == ["quadratic", "rosenbrock", "beale", "himmelblau", "booth",
                              "rastrigin", "saddle"]
    for key, surface in SURFACES.items():
        assert surface.dim == 2
        assert surface.name.lower().startswith(key)
    assert SURFACES["quadratic"].L == 10.0
    log_scaled = [s.name for s in ALL_SURFACES if s.log_scale]
    assert log_scaled == ["Rosenbrock", "Beale"]
    assert all(s.latex.startswith("$") and s.latex.endswith("$") for s in ALL_SURFACES)


def test_surface_validates_its_domain():
    with pytest.raises(ValueError, match="domain"):
        Surface("bad", rosenbrock.f, rosenbrock.grad, rosenbrock.hess,
                minima=[[1, 1]], domain=((2, -2), (0, 1)), start=[0, 0])


def test_surface_doc_describes_the_function():
    assert "Rosenbrock" in rosenbrock.__doc__
    assert "four minima" in himmelblau.__doc__.lower()
    assert repr(beale) == "Surface('Beale', dim=2)"


def test_core_modules_do_not_import_matplotlib():
    code = ("import sys, gdlearn.surfaces, gdlearn.calculus; "
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
