r"""Test functions for optimization: value, gradient and Hessian side by side.

Every :class:`Surface` bundles a function with its analytic gradient and
Hessian, the minima worth marking on a plot, a plotting domain and a default
start point. All three callables follow the convention of
:func:`scipy.optimize.rosen`: the coordinate is on axis 0, so a point has
shape ``(d,)`` and a whole meshgrid has shape ``(d, ny, nx)``.

======================  ===  ==============================================
surface                 d    what it shows
======================  ===  ==============================================
:func:`quadratic`       2    conditioning: the zig-zag of gradient descent
``rosenbrock``          2    a curved, flat-bottomed valley
``beale``               2    steep walls, flat plateaus, sharp corners
``himmelblau``          2    four global minima, four basins
``booth``               2    a plain convex quadratic with a known L and mu
``rastrigin``           2    a grid of local minima around the global one
``saddle``              2    :math:`x^2 - y^2`: a saddle point, no minimum
``parabola``            1    :math:`x^2`, the first example of everything
``double_well``         1    a global and a local minimum
``wavy``                1    :math:`x\cos 2x`: several local minima
======================  ===  ==============================================

Examples
--------
>>> import numpy as np
>>> from gdlearn.surfaces import rosenbrock, SURFACES
>>> print(rosenbrock.f(np.array([1.0, 1.0])))
0.0
>>> X, Y = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5))
>>> rosenbrock.f(np.stack([X, Y])).shape
(5, 7)
>>> sorted(SURFACES)
['beale', 'booth', 'himmelblau', 'quadratic', 'rastrigin', 'rosenbrock', 'saddle']
"""
from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Surface",
    "quadratic",
    "rosenbrock",
    "beale",
    "himmelblau",
    "booth",
    "rastrigin",
    "saddle",
    "parabola",
    "double_well",
    "wavy",
    "SURFACES",
]

ArrayFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False, repr=False)
class Surface:
    """A test function with its gradient, Hessian, minima and plotting domain.

    Parameters
    ----------
    name : str
        Title for plots, e.g. ``"Rosenbrock"``.
    f, grad, hess : callable
        Map ``x`` of shape ``(d, ...)`` to values of shape ``(...)``,
        gradients of shape ``(d, ...)`` and Hessians of shape ``(d, d, ...)``.
    minima : array_like, shape (k, d)
        The minima worth marking, global first (``k = 0`` is allowed).
    domain : tuple of (low, high) pairs
        The plotting box, one pair per coordinate.
    start : array_like, shape (d,)
        A default start point for demos.
    L, mu : float or None
        Largest and smallest Hessian eigenvalue, where they are constants
        (the smoothness and strong-convexity constants).
    log_scale : bool
        Whether contour plots should use log-spaced levels.
    latex : str
        The formula, for titles and legends.

    Calling a surface evaluates ``f``. The docstring of ``f`` describes the
    function and is also the surface's ``__doc__`` (``rosenbrock?`` in
    Jupyter).

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn.surfaces import himmelblau
    >>> himmelblau.dim, himmelblau.minima.shape
    (2, (4, 2))
    >>> print(himmelblau(np.array([3.0, 2.0])))
    0.0
    """

    name: str
    f: ArrayFunction
    grad: ArrayFunction
    hess: ArrayFunction
    minima: np.ndarray
    domain: tuple
    start: np.ndarray
    L: float | None = None
    mu: float | None = None
    log_scale: bool = False
    latex: str = ""

    def __post_init__(self) -> None:
        domain = tuple((float(low), float(high)) for low, high in self.domain)
        if not all(low < high for low, high in domain):
            raise ValueError(f"domain must be (low, high) pairs with low < high, got {self.domain}")
        minima = np.array(self.minima, dtype=float).reshape(-1, len(domain))
        start = np.array(self.start, dtype=float).reshape(len(domain))
        # Surfaces are shared module-level objects: a student writing into
        # `surface.minima` must not silently change every later plot.
        minima.flags.writeable = False
        start.flags.writeable = False
        object.__setattr__(self, "domain", domain)
        object.__setattr__(self, "minima", minima)
        object.__setattr__(self, "start", start)
        if self.f.__doc__:
            object.__setattr__(self, "__doc__", self.f.__doc__)

    @property
    def dim(self) -> int:
        """Number of coordinates ``d``."""
        return len(self.domain)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.f(x)

    def __repr__(self) -> str:
        return f"Surface({self.name!r}, dim={self.dim})"


def _coords(x: np.ndarray, dim: int) -> np.ndarray:
    """``x`` as a float array whose axis 0 holds the ``dim`` coordinates."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[0] != dim:
        raise ValueError(
            f"x must have shape ({dim}, ...) with the coordinate on axis 0, got shape {x.shape}"
        )
    return x


def _matrix(rows: list, shape: tuple) -> np.ndarray:
    """Stack Hessian entries (arrays or constants) into shape ``(d, d, *shape)``."""
    return np.array([[np.broadcast_to(entry, shape) for entry in row] for row in rows])


def _check_real(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


# --- quadratic ---------------------------------------------------------------

def quadratic(condition_number: float = 10.0, angle: float = 0.0, scale: float = 1.0) -> Surface:
    r"""A 2-D convex quadratic with a chosen condition number and orientation.

    .. math:: f(x) = \tfrac12 x^\top A x, \qquad
              A = R_\theta \operatorname{diag}(s, s\kappa) R_\theta^\top

    so ``mu = s`` and ``L = s * kappa`` are the eigenvalues of the Hessian
    ``A``, and the steep direction is :math:`R_\theta e_2 = (-\sin\theta,
    \cos\theta)`. The minimum is 0 at the origin.

    Parameters
    ----------
    condition_number : float, default 10
        :math:`\kappa = L/\mu \ge 1`.
    angle : float, default 0
        Rotation :math:`\theta` of the axes of the ellipses, in radians.
    scale : float, default 1
        :math:`s = \mu > 0`.

    Returns
    -------
    Surface
        Its ``start`` is :math:`R_\theta (-2.5, 1)`, so rotated quadratics
        start at the same place relative to their valley.

    Examples
    --------
    >>> import numpy as np
    >>> q = quadratic(condition_number=4, scale=0.5)
    >>> q.L, q.mu
    (2.0, 0.5)
    >>> q.hess(np.zeros(2))
    array([[0.5, 0. ],
           [0. , 2. ]])
    >>> print(q.f(np.array([2.0, 1.0])))
    2.0
    >>> quadratic(condition_number=0.5)
    Traceback (most recent call last):
    ...
    ValueError: condition_number must be >= 1, got 0.5
    """
    condition_number = _check_real("condition_number", condition_number)
    angle = _check_real("angle", angle)
    scale = _check_real("scale", scale)
    if condition_number < 1:
        raise ValueError(f"condition_number must be >= 1, got {condition_number}")
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, -sin], [sin, cos]])
    A = rotation @ np.diag([scale, scale * condition_number]) @ rotation.T
    A = (A + A.T) / 2  # exactly symmetric, so eigvalsh and x^T A x agree to round-off

    def f(x):
        x = _coords(x, 2)
        return 0.5 * np.einsum("i...,ij,j...->...", x, A, x)

    def grad(x):
        return np.einsum("ij,j...->i...", A, _coords(x, 2))

    def hess(x):
        return _matrix(A, _coords(x, 2).shape[1:])

    # Becomes the surface's __doc__, so `q?` in Jupyter shows this quadratic's A.
    f.__doc__ = (
        f"The quadratic 1/2 x^T A x with A = {np.round(A, 6).tolist()}: "
        f"mu = {scale:g}, L = {scale * condition_number:g}, minimum 0 at the origin.\n\n"
        "Made by gdlearn.surfaces.quadratic(condition_number, angle, scale)."
    )
    name = f"Quadratic (κ = {condition_number:g}" + (f", θ = {angle:.3g})" if angle else ")")
    return Surface(
        name=name, f=f, grad=grad, hess=hess,
        minima=[[0.0, 0.0]], domain=((-3, 3), (-3, 3)), start=rotation @ [-2.5, 1.0],
        L=scale * condition_number, mu=scale, latex=r"$\frac{1}{2}\,x^\top A x$",
    )


# --- Rosenbrock --------------------------------------------------------------

def _rosenbrock(x):
    r"""Rosenbrock's banana function, :math:`f(x, y) = (1 - x)^2 + 100 (y - x^2)^2`.

    The minimum, 0 at (1, 1), lies in a long, curved, nearly flat valley:
    finding the valley is easy, following it is slow (the Hessian at the
    minimum has condition number about 2500). Domain [-2, 2] x [-1, 3];
    the start (-1.2, 1) is Rosenbrock's own (1960). Plots use log levels.

    Examples
    --------
    >>> import numpy as np
    >>> print(rosenbrock.f(np.array([1.0, 1.0])))
    0.0
    >>> rosenbrock.grad(np.array([0.0, 0.0]))
    array([-2.,  0.])
    >>> rosenbrock.hess(np.array([1.0, 1.0]))
    array([[ 802., -400.],
           [-400.,  200.]])
    """
    x, y = _coords(x, 2)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x):
    x, y = _coords(x, 2)
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def _rosenbrock_hess(x):
    x, y = _coords(x, 2)
    return _matrix([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]], x.shape)


rosenbrock = Surface(
    name="Rosenbrock", f=_rosenbrock, grad=_rosenbrock_grad, hess=_rosenbrock_hess,
    minima=[[1.0, 1.0]], domain=((-2, 2), (-1, 3)), start=[-1.2, 1.0],
    log_scale=True, latex=r"$(1 - x)^2 + 100\,(y - x^2)^2$",
)


# --- Beale -------------------------------------------------------------------

# f = sum_i t_i^2 with t_i = c_i - x + x y^i, i = 1, 2, 3.
_BEALE_C = (1.5, 2.25, 2.625)


def _beale(x):
    r"""Beale's function, :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2`, c = (1.5, 2.25, 2.625).

    The minimum is 0 at (3, 0.5). On the domain [-4.5, 4.5]^2 values range
    from 0 to about 1.8e5 (plots use log levels): flat plateaus where the
    gradient nearly vanishes, steep walls near the corners. From the start
    (1, 1.5) plain gradient descent reaches the minimum.

    Examples
    --------
    >>> import numpy as np
    >>> print(beale.f(np.array([3.0, 0.5])))
    0.0
    >>> print(beale.f(np.array([0.0, 0.0])))
    14.203125
    """
    x, y = _coords(x, 2)
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, start=1))


def _beale_grad(x):
    x, y = _coords(x, 2)
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C, start=1):
        t = c - x + x * y**i
        gx = gx + 2 * t * (y**i - 1)
        gy = gy + 2 * t * i * x * y ** (i - 1)
    return np.array([gx, gy])


def _beale_hess(x):
    # Hessian of t^2 is 2 (grad t grad t^T + t Hess t).
    x, y = _coords(x, 2)
    hxx = hxy = hyy = 0.0
    for i, c in enumerate(_BEALE_C, start=1):
        t = c - x + x * y**i
        tx, ty = y**i - 1, i * x * y ** (i - 1)
        # max(i - 2, 0): for i = 1 the coefficient i (i - 1) is 0, and y**-1
        # would divide by zero at y = 0.
        txy, tyy = i * y ** (i - 1), i * (i - 1) * x * y ** max(i - 2, 0)
        hxx = hxx + 2 * tx * tx
        hxy = hxy + 2 * (tx * ty + t * txy)
        hyy = hyy + 2 * (ty * ty + t * tyy)
    return _matrix([[hxx, hxy], [hxy, hyy]], x.shape)


beale = Surface(
    name="Beale", f=_beale, grad=_beale_grad, hess=_beale_hess,
    minima=[[3.0, 0.5]], domain=((-4.5, 4.5), (-4.5, 4.5)), start=[1.0, 1.5],
    log_scale=True, latex=r"$(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$",
)


# --- Himmelblau --------------------------------------------------------------

def _himmelblau(x):
    r"""Himmelblau's function, :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    Four minima, all with value 0, so which one gradient descent finds
    depends only on the start: a map of the four basins. One minimum is
    (3, 2); the other three are irrational and listed here to full float
    precision (roots of the gradient, computed with 50-digit arithmetic).
    Domain [-5, 5]^2; from the start (0, 0) gradient descent reaches (3, 2).

    Examples
    --------
    >>> import numpy as np
    >>> np.round(himmelblau.f(himmelblau.minima.T), 12)
    array([0., 0., 0., 0.])
    >>> bool(np.all(np.abs(himmelblau.grad(himmelblau.minima.T)) < 1e-12))
    True
    """
    x, y = _coords(x, 2)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x):
    x, y = _coords(x, 2)
    u, v = x**2 + y - 11, x + y**2 - 7
    return np.array([4 * x * u + 2 * v, 2 * u + 4 * y * v])


def _himmelblau_hess(x):
    x, y = _coords(x, 2)
    u, v = x**2 + y - 11, x + y**2 - 7
    hxy = 4 * (x + y)
    return _matrix([[4 * u + 8 * x**2 + 2, hxy], [hxy, 4 * v + 8 * y**2 + 2]], x.shape)


himmelblau = Surface(
    name="Himmelblau", f=_himmelblau, grad=_himmelblau_grad, hess=_himmelblau_hess,
    minima=[
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.2831859912861696],
        [3.5844283403304917, -1.8481265269644036],
    ],
    domain=((-5, 5), (-5, 5)), start=[0.0, 0.0],
    latex=r"$(x^2 + y - 11)^2 + (x + y^2 - 7)^2$",
)


# --- Booth -------------------------------------------------------------------

def _booth(x):
    r"""Booth's function, :math:`(x + 2y - 7)^2 + (2x + y - 5)^2`.

    A convex quadratic in disguise: the Hessian is the constant
    [[10, 8], [8, 10]] with eigenvalues ``mu = 2`` and ``L = 18``. The
    minimum is 0 at (1, 3); the domain [-4, 6] x [-2, 8] is centred on it.

    Examples
    --------
    >>> import numpy as np
    >>> print(booth.f(np.array([1.0, 3.0])))
    0.0
    >>> booth.L, booth.mu
    (18.0, 2.0)
    """
    x, y = _coords(x, 2)
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_grad(x):
    x, y = _coords(x, 2)
    u, v = x + 2 * y - 7, 2 * x + y - 5
    return np.array([2 * u + 4 * v, 4 * u + 2 * v])


def _booth_hess(x):
    x = _coords(x, 2)
    return _matrix([[10.0, 8.0], [8.0, 10.0]], x.shape[1:])


booth = Surface(
    name="Booth", f=_booth, grad=_booth_grad, hess=_booth_hess,
    minima=[[1.0, 3.0]], domain=((-4, 6), (-2, 8)), start=[-3.0, -1.0],
    L=18.0, mu=2.0, latex=r"$(x + 2y - 7)^2 + (2x + y - 5)^2$",
)


# --- Rastrigin ---------------------------------------------------------------

_RASTRIGIN_A = 10.0


def _rastrigin(x):
    r"""Rastrigin's function, :math:`20 + \sum_i (x_i^2 - 10 \cos 2\pi x_i)`.

    A bowl covered by a grid of local minima near the integer points;
    the global minimum is 0 at the origin. Gradient descent stops in the
    nearest dimple. Domain [-5.12, 5.12]^2, the customary one.

    Examples
    --------
    >>> import numpy as np
    >>> print(rastrigin.f(np.zeros(2)))
    0.0
    >>> print(rastrigin.f(np.array([1.0, 0.0])))
    1.0
    """
    x = _coords(x, 2)
    return _RASTRIGIN_A * len(x) + np.sum(x**2 - _RASTRIGIN_A * np.cos(2 * np.pi * x), axis=0)


def _rastrigin_grad(x):
    x = _coords(x, 2)
    return 2 * x + 2 * np.pi * _RASTRIGIN_A * np.sin(2 * np.pi * x)


def _rastrigin_hess(x):
    x = _coords(x, 2)
    hess = np.zeros((len(x),) + x.shape)
    diagonal = np.arange(len(x))
    hess[diagonal, diagonal] = 2 + 4 * np.pi**2 * _RASTRIGIN_A * np.cos(2 * np.pi * x)
    return hess


rastrigin = Surface(
    name="Rastrigin", f=_rastrigin, grad=_rastrigin_grad, hess=_rastrigin_hess,
    minima=[[0.0, 0.0]], domain=((-5.12, 5.12), (-5.12, 5.12)), start=[2.6, -3.4],
    latex=r"$20 + \sum_i \left(x_i^2 - 10\cos 2\pi x_i\right)$",
)


# --- saddle ------------------------------------------------------------------

def _saddle(x):
    r"""The saddle :math:`x^2 - y^2`: a stationary point at the origin, no minimum.

    The gradient vanishes at (0, 0), where the Hessian diag(2, -2) is
    indefinite. From the start (-1.8, 0.05), close to the attracting
    x-axis, gradient descent slows down near the saddle before the small
    y-component grows and carries it away. ``L = 2`` bounds the Hessian.

    Examples
    --------
    >>> import numpy as np
    >>> saddle.grad(np.zeros(2))
    array([ 0., -0.])
    >>> saddle.minima.shape
    (0, 2)
    """
    x, y = _coords(x, 2)
    return x**2 - y**2


def _saddle_grad(x):
    x, y = _coords(x, 2)
    return np.array([2 * x, -2 * y])


def _saddle_hess(x):
    x = _coords(x, 2)
    return _matrix([[2.0, 0.0], [0.0, -2.0]], x.shape[1:])


saddle = Surface(
    name="Saddle", f=_saddle, grad=_saddle_grad, hess=_saddle_hess,
    minima=np.empty((0, 2)), domain=((-2, 2), (-2, 2)), start=[-1.8, 0.05],
    L=2.0, latex=r"$x^2 - y^2$",
)


# --- 1-D ---------------------------------------------------------------------

def _parabola(x):
    r"""The parabola :math:`x^2`: minimum 0 at 0, ``L = mu = 2``.

    Gradient descent with step ``lr`` multiplies x by ``1 - 2 lr``: it
    converges for ``lr < 2/L = 1``. Domain [-2, 2], start 1.5.

    Examples
    --------
    >>> import numpy as np
    >>> parabola.f(np.array([[-1.0, 0.0, 3.0]]))
    array([1., 0., 9.])
    >>> parabola.grad(np.array([1.5]))
    array([3.])
    """
    (x,) = _coords(x, 1)
    return x**2


def _parabola_grad(x):
    (x,) = _coords(x, 1)
    return np.array([2 * x])


def _parabola_hess(x):
    x = _coords(x, 1)
    return _matrix([[2.0]], x.shape[1:])


parabola = Surface(
    name="Parabola", f=_parabola, grad=_parabola_grad, hess=_parabola_hess,
    minima=[[0.0]], domain=((-2, 2),), start=[1.5], L=2.0, mu=2.0, latex=r"$x^2$",
)


def _double_well(x):
    r"""A tilted double well, :math:`x^4 - 3x^2 + x`.

    Global minimum -3.5139 at x = -1.3008, local minimum -1.0702 at
    x = 1.1309, a maximum in between at x = 0.1699 (the roots of
    :math:`4x^3 - 6x + 1`). From the start 1.75 gradient descent settles in
    the local minimum; momentum can carry it over. Domain [-2, 2].

    Examples
    --------
    >>> import numpy as np
    >>> np.round(double_well.minima.ravel(), 4)
    array([-1.3008,  1.1309])
    >>> np.round(double_well.f(double_well.minima.T), 4)
    array([-3.5139, -1.0702])
    """
    (x,) = _coords(x, 1)
    return x**4 - 3 * x**2 + x


def _double_well_grad(x):
    (x,) = _coords(x, 1)
    return np.array([4 * x**3 - 6 * x + 1])


def _double_well_hess(x):
    (x,) = _coords(x, 1)
    return np.array([[12 * x**2 - 6]])


double_well = Surface(
    name="Double well", f=_double_well, grad=_double_well_grad, hess=_double_well_hess,
    minima=[[-1.3008395659415772], [1.1309011226299859]],
    domain=((-2, 2),), start=[1.75], latex=r"$x^4 - 3x^2 + x$",
)

# f = x cos(c x); c = 2 gives four local minima on [-5, 5].
_WAVY_C = 2.0


def _wavy(x):
    r"""A wavy line, :math:`x \cos 2x`, on [-5, 5].

    Four local minima (ordered by value, lowest first): x = 4.7647, -3.2186,
    1.7128 and -0.4302; both ends of the domain lie higher than the lowest.
    From the start 0.5 gradient descent finds the minimum at 1.7128, not the
    lowest one.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(wavy.minima.ravel(), 4)
    array([ 4.7647, -3.2186,  1.7128, -0.4302])
    >>> np.round(wavy.f(wavy.minima.T), 4)
    array([-4.7386, -3.1805, -1.6442, -0.2805])
    """
    (x,) = _coords(x, 1)
    return x * np.cos(_WAVY_C * x)


def _wavy_grad(x):
    (x,) = _coords(x, 1)
    c = _WAVY_C
    return np.array([np.cos(c * x) - c * x * np.sin(c * x)])


def _wavy_hess(x):
    (x,) = _coords(x, 1)
    c = _WAVY_C
    return np.array([[-2 * c * np.sin(c * x) - c**2 * x * np.cos(c * x)]])


wavy = Surface(
    name="Wavy", f=_wavy, grad=_wavy_grad, hess=_wavy_hess,
    # Roots of the derivative, computed with 50-digit arithmetic.
    minima=[[4.7646672026809815], [-3.2186490895859734],
            [1.7128092297408641], [-0.43016679450968986]],
    domain=((-5, 5),), start=[0.5], latex=r"$x\cos 2x$",
)


SURFACES: dict[str, Surface] = {
    "quadratic": quadratic(10.0),
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "booth": booth,
    "rastrigin": rastrigin,
    "saddle": saddle,
}
