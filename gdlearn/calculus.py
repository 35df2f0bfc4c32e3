r"""Numerical derivatives: finite differences, gradient checks, Taylor models.

The tools of chapter 01. A finite difference trades two errors: the
truncation error of the formula, :math:`O(h)` for the forward difference
and :math:`O(h^2)` for the central one, against round-off, about
:math:`\varepsilon |f| / h` with :math:`\varepsilon \approx 2.2 \cdot 10^{-16}`.
:func:`difference_errors` measures both for a log-log plot; the default steps
sit near the best trade-offs, :math:`h \approx \varepsilon^{1/2}` (forward) and
:math:`\varepsilon^{1/3}` (central).

Scalar functions of a scalar use :func:`derivative` and
:func:`forward_difference`; functions of a vector ``x`` of shape ``(d,)``
use :func:`numerical_gradient`, :func:`numerical_hessian` and
:func:`check_grad`. ``f`` is called one point at a time, so it need not
accept arrays (unless you pass an array of points ``x`` to the first two).

Examples
--------
>>> import numpy as np
>>> round(float(derivative(np.sin, 0.0)), 9)
1.0
>>> f = lambda x: x[0] ** 2 + 3 * x[0] * x[1]
>>> np.round(numerical_gradient(f, np.array([1.0, 2.0])), 6)
array([8., 3.])
"""
from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "derivative",
    "forward_difference",
    "DifferenceErrors",
    "difference_errors",
    "numerical_gradient",
    "numerical_hessian",
    "relative_step",
    "check_grad",
    "directional_derivative",
    "taylor",
]


def _check_step(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        raise TypeError(f"h must be a real number, got {type(h).__name__}")
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be finite and > 0, got {h}")
    return float(h)


def _vector(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D array of shape (d,), got shape {x.shape}")
    return x


def derivative(f: Callable, x: float | np.ndarray, h: float = 1e-5) -> np.ndarray:
    r"""Central difference :math:`\frac{f(x + h) - f(x - h)}{2h}`, error :math:`O(h^2)`.

    Parameters
    ----------
    f : callable
        A scalar function of a scalar; if it accepts arrays, ``x`` may be an
        array and the derivative is taken pointwise.
    x : float or ndarray
    h : float, default 1e-5
        Step, near :math:`\varepsilon^{1/3}`, which balances truncation and
        round-off for functions of order 1.

    See Also
    --------
    forward_difference, numerical_gradient

    Examples
    --------
    >>> import numpy as np
    >>> np.round(derivative(lambda x: x**3, np.array([0.0, 1.0, 2.0])), 8)
    array([ 0.,  3., 12.])
    """
    h = _check_step(h)
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x - h)) / (2 * h)


def forward_difference(f: Callable, x: float | np.ndarray, h: float = 1e-8) -> np.ndarray:
    r"""Forward difference :math:`\frac{f(x + h) - f(x)}{h}`, error :math:`O(h)`.

    The default step is near :math:`\varepsilon^{1/2}`, its best trade-off.

    See Also
    --------
    derivative : the central difference, more accurate for the same cost.

    Examples
    --------
    >>> float(forward_difference(lambda x: x**2, 1.0, h=0.5))
    2.5
    """
    h = _check_step(h)
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x)) / h


def relative_step(x: float | np.ndarray, order: int = 2) -> np.ndarray:
    r"""A finite-difference step that grows with :math:`|x|`, exactly representable.

    .. math:: h = \varepsilon^{1/(\text{order}+1)} \max(1, |x|)

    ``order=1`` is the forward difference (:math:`h \approx 1.5 \cdot 10^{-8}`
    near :math:`|x| = 1`), ``order=2`` the central one (:math:`6 \cdot 10^{-6}`).
    A fixed step fails far from 1: :math:`x + h` is itself rounded to about
    :math:`\varepsilon |x|`, so at :math:`x = 10^4` a step of :math:`10^{-8}` is
    known to a few digits only. This is the usual rule of thumb (Press et al.
    2007, *Numerical Recipes*, 3rd ed., §5.7), right when :math:`f` varies on the
    scale of :math:`x` itself; a function that wiggles on a fixed scale wherever
    :math:`x` is (such as :math:`\sin`) wants a smaller step. The step is
    replaced by :math:`(x + h) - x`, the step the computer actually takes, so
    that the division uses it.

    Examples
    --------
    >>> import numpy as np
    >>> h = relative_step(1e4, order=1)
    >>> float(h) > 1e-5 and float((1e4 + h) - 1e4) == float(h)
    True
    >>> error = abs(float(forward_difference(np.sqrt, 1e4, float(h))) - 0.005)
    >>> bool(error < 1e-9)
    True
    """
    if isinstance(order, bool) or order not in (1, 2):
        raise ValueError(f"order must be 1 (forward) or 2 (central), got {order!r}")
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x must be finite, got {x}")
    h = np.finfo(float).eps ** (1 / (order + 1)) * np.maximum(1.0, np.abs(x))
    return (x + h) - x


class DifferenceErrors(NamedTuple):
    """Absolute errors of the forward and central differences, one per step ``h``."""

    forward: np.ndarray
    central: np.ndarray


def difference_errors(f: Callable, df: Callable, x: float, hs: np.ndarray) -> DifferenceErrors:
    r"""Errors of the forward and central differences of ``f`` at ``x`` for each step in ``hs``.

    On a log-log plot against ``hs`` the forward errors fall with slope 1
    and the central ones with slope 2, until round-off, growing like
    :math:`\varepsilon |f(x)| / h`, takes over for small steps.

    Parameters
    ----------
    f, df : callable
        A scalar function of a scalar and its exact derivative.
    x : float
    hs : array_like
        Steps, all > 0, e.g. ``np.logspace(-16, 0, 65)``.

    Returns
    -------
    DifferenceErrors
        ``(forward, central)``, arrays shaped like ``hs``.

    Examples
    --------
    >>> import numpy as np
    >>> hs = np.array([1e-2, 1e-3])
    >>> errors = difference_errors(np.exp, np.exp, 1.0, hs)
    >>> np.round(errors.forward / (np.e * hs / 2), 2)   # error ~ f''(x) h / 2
    array([1., 1.])
    >>> np.round(errors.central / (np.e * hs**2 / 6), 2)   # error ~ f'''(x) h^2 / 6
    array([1., 1.])
    """
    hs = np.asarray(hs, dtype=float)
    if not np.all(np.isfinite(hs) & (hs > 0)):
        raise ValueError(f"hs must hold finite steps > 0, got {hs}")
    exact = df(x)
    # A loop rather than f(x + hs), so that f need not accept arrays.
    forward = [abs(forward_difference(f, x, h) - exact) for h in hs.ravel()]
    central = [abs(derivative(f, x, h) - exact) for h in hs.ravel()]
    return DifferenceErrors(np.reshape(forward, hs.shape), np.reshape(central, hs.shape))


def numerical_gradient(f: Callable, x: np.ndarray, h: float | np.ndarray = 1e-6) -> np.ndarray:
    r"""Gradient of a scalar function of ``x`` by central differences along each axis.

    .. math:: g_i = \frac{f(x + h_i e_i) - f(x - h_i e_i)}{(x_i + h_i) - (x_i - h_i)}

    The denominator is the distance between the two points the computer
    actually uses, :math:`2 h_i` up to the rounding of :math:`x_i \pm h_i`
    (Press et al. 2007, *Numerical Recipes*, 3rd ed., §5.7).

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for ``x`` of shape ``(d,)``.
    x : ndarray, shape (d,)
    h : float or ndarray of shape (d,), default 1e-6
        The step, one for all coordinates or one per coordinate. When the
        coordinates have very different scales, pass one step per coordinate,
        e.g. ``relative_step(x)``: a single step sized for the largest
        coordinate is far too large for the others.

    Returns
    -------
    ndarray, shape (d,)

    See Also
    --------
    check_grad : compare an analytic gradient with this one.
    relative_step : a step per coordinate that grows with :math:`|x_i|`.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(numerical_gradient(lambda x: x @ x, np.array([1.0, -2.0, 0.5])), 6)
    array([ 2., -4.,  1.])

    Mixed scales: :math:`\sqrt{x_0} + e^{x_1}` at :math:`(10^4, 1)`, gradient
    :math:`(0.005, e)`. One step per coordinate serves both:

    >>> f = lambda x: np.sqrt(x[0]) + np.exp(x[1])
    >>> x = np.array([1e4, 1.0])
    >>> error = np.abs(numerical_gradient(f, x, relative_step(x)) - [0.005, np.e])
    >>> bool(np.all(error < 1e-9))
    True
    """
    x = _vector(x)
    if np.ndim(h) == 0:
        h = np.full(len(x), _check_step(h))
    else:
        h = np.asarray(h, dtype=float)
        if h.shape != x.shape:
            raise ValueError(f"h must be a number or have the shape of x, {x.shape}, got shape {h.shape}")
        if not np.all(np.isfinite(h) & (h > 0)):
            raise ValueError(f"h must be finite and > 0, got {h}")
    gradient = np.empty(len(x))
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += h[i]
        minus[i] -= h[i]
        if plus[i] == minus[i]:
            raise ValueError(f"h is too small for x: x[{i}] + h[{i}] rounds to x[{i}] - h[{i}] "
                             f"(x[{i}] = {x[i]}, h[{i}] = {h[i]})")
        gradient[i] = (f(plus) - f(minus)) / (plus[i] - minus[i])
    return gradient


def numerical_hessian(f_or_grad: Callable, x: np.ndarray, h: float | None = None) -> np.ndarray:
    r"""Hessian by central differences, of a gradient or of the function itself.

    If ``f_or_grad(x)`` returns a vector it is taken as the gradient, and
    column ``j`` is :math:`(g(x + h e_j) - g(x - h e_j)) / 2h` (default
    ``h = 1e-5``). If it returns a scalar, second differences of ``f`` are
    used (default ``h = 1e-4``, larger because dividing by :math:`h^2`
    magnifies round-off more):

    .. math:: H_{ij} = \frac{f(x + he_i + he_j) - f(x + he_i - he_j)
                             - f(x - he_i + he_j) + f(x - he_i - he_j)}{4h^2}

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> grad = lambda x: np.array([2 * x[0] * x[1], x[0] ** 2])
    >>> np.round(numerical_hessian(grad, np.array([1.0, 3.0])), 6)
    array([[6., 2.],
           [2., 0.]])
    >>> np.round(numerical_hessian(f, np.array([1.0, 3.0])), 6)
    array([[6., 2.],
           [2., 0.]])
    """
    x = _vector(x)
    d = len(x)
    value = np.asarray(f_or_grad(x), dtype=float)
    if value.shape == (d,):
        h = _check_step(1e-5 if h is None else h)
        steps = h * np.eye(d)
        columns = [(f_or_grad(x + step) - f_or_grad(x - step)) / (2 * h) for step in steps]
        jacobian = np.array(columns).T
        # A Hessian is symmetric; averaging with the transpose makes the
        # estimate exactly so (eigvalsh and Cholesky assume it).
        return (jacobian + jacobian.T) / 2
    if value.shape != ():
        raise ValueError(
            f"f_or_grad must return a scalar (f) or a vector of shape ({d},) (grad), "
            f"got shape {value.shape}"
        )
    h = _check_step(1e-4 if h is None else h)
    steps = h * np.eye(d)
    hessian = np.empty((d, d))
    for i in range(d):
        for j in range(i, d):
            hessian[i, j] = hessian[j, i] = (
                f_or_grad(x + steps[i] + steps[j]) - f_or_grad(x + steps[i] - steps[j])
                - f_or_grad(x - steps[i] + steps[j]) + f_or_grad(x - steps[i] - steps[j])
            ) / (4 * h * h)
    return hessian


def check_grad(f: Callable, grad: Callable, x: np.ndarray, h: float | np.ndarray = 1e-6) -> float:
    r"""Relative error between ``grad(x)`` and the central-difference gradient of ``f``.

    .. math:: \frac{\|g - g_{fd}\|}{\max(\|g\| + \|g_{fd}\|, \text{tiny})}

    About 1e-8 or less for a correct gradient; a wrong one gives a number of
    order 1: 1/3 if ``grad`` is off by a factor 2, 1 if its sign is flipped.
    The relative form makes the threshold independent of the scale of ``f``.

    Notes
    -----
    Check at a generic point, not at a minimum: where the gradient is below
    the resolution of the differences, about :math:`\varepsilon |f| / h`,
    ``g_fd`` is noise and the relative error means nothing. ``h`` is passed to
    :func:`numerical_gradient` (one step, or one per coordinate).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.sum(x**2)
    >>> check_grad(f, lambda x: 2 * x, np.array([1.0, 2.0])) < 1e-8
    True
    >>> round(check_grad(f, lambda x: x, np.array([1.0, 2.0])), 6)   # forgot the 2
    0.333333
    """
    x = _vector(x)
    g = np.asarray(grad(x), dtype=float)
    if g.shape != x.shape:
        raise ValueError(f"grad(x) must have the shape of x, {x.shape}, got {g.shape}")
    g_fd = numerical_gradient(f, x, h)
    scale = max(np.linalg.norm(g) + np.linalg.norm(g_fd), np.finfo(float).tiny)
    return float(np.linalg.norm(g - g_fd) / scale)


def directional_derivative(grad: Callable, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""Rate of change of ``f`` at ``x`` along ``v``: :math:`\nabla f(x) \cdot v`.

    ``v`` is used as given: pass a unit vector to get the slope per unit of
    distance, which is largest, :math:`\|\nabla f(x)\|`, along the gradient.
    ``v`` may hold several directions, shape ``(d, ...)``, one per column.

    Examples
    --------
    >>> import numpy as np
    >>> grad = lambda x: np.array([2 * x[0], 4 * x[1]])
    >>> float(directional_derivative(grad, np.array([1.0, 1.0]), np.array([0.6, 0.8])))
    4.4
    >>> theta = np.linspace(0, 2 * np.pi, 4, endpoint=False)
    >>> directions = np.stack([np.cos(theta), np.sin(theta)])   # shape (2, 4)
    >>> np.round(directional_derivative(grad, np.array([1.0, 1.0]), directions), 12)
    array([ 2.,  4., -2., -4.])
    """
    g = np.asarray(grad(_vector(x)), dtype=float)
    v = np.asarray(v, dtype=float)
    if v.ndim == 0 or v.shape[0] != len(g):
        raise ValueError(f"v must have shape ({len(g)}, ...), got shape {v.shape}")
    return np.tensordot(g, v, axes=(0, 0))


def taylor(f: Callable, grad: Callable, hess: Callable | None, x0: float | np.ndarray,
           order: int = 2) -> Callable[[np.ndarray], np.ndarray]:
    r"""The Taylor model of ``f`` around ``x0``, of order 1 (tangent) or 2.

    .. math:: m(x) = f(x_0) + \nabla f(x_0)^\top (x - x_0)
                     + \tfrac12 (x - x_0)^\top \nabla^2 f(x_0) (x - x_0)

    Parameters
    ----------
    f, grad, hess : callable
        The function and its derivatives, e.g. a Surface's ``f``, ``grad``,
        ``hess``, or ``np.sin, np.cos, lambda x: -np.sin(x)``. ``hess`` may
        be None for ``order=1``.
    x0 : float or ndarray, shape (d,)
        A scalar for a function of a scalar; then the model accepts an array
        of any shape. Otherwise the model accepts ``x`` of shape ``(d, ...)``
        (coordinate on axis 0, like a Surface) and returns shape ``(...)``.
    order : {1, 2}, default 2

    Returns
    -------
    callable
        The model ``m(x)``; the derivatives are evaluated once, at ``x0``.

    Examples
    --------
    >>> import numpy as np
    >>> tangent = taylor(np.exp, np.exp, None, 0.0, order=1)
    >>> tangent(np.array([-1.0, 0.0, 1.0]))
    array([0., 1., 2.])
    >>> parabola = taylor(np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), 0.0)
    >>> parabola(np.array([0.0, 1.0, 2.0]))
    array([ 1. ,  0.5, -1. ])
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    if order == 2 and hess is None:
        raise ValueError("hess is required for order=2, got None")
    x0 = np.asarray(x0, dtype=float)
    f0 = f(x0)
    g0 = np.asarray(grad(x0), dtype=float)
    h0 = np.asarray(hess(x0), dtype=float) if order == 2 else None

    if x0.ndim == 0:
        def model(x):
            dx = np.asarray(x, dtype=float) - x0
            value = f0 + g0 * dx
            return value if order == 1 else value + 0.5 * h0 * dx**2
        return model

    x0 = _vector(x0)

    def model(x):
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[0] != len(x0):
            raise ValueError(f"x must have shape ({len(x0)}, ...), got shape {x.shape}")
        dx = x - x0.reshape((-1,) + (1,) * (x.ndim - 1))
        value = f0 + np.tensordot(g0, dx, axes=(0, 0))
        if order == 1:
            return value
        return value + 0.5 * np.einsum("i...,ij,j...->...", dx, h0, dx)
    return model
