r"""Line searches: Armijo backtracking and a strong Wolfe search (Nocedal & Wright 2006, ch. 3).

Given a point :math:`x`, a descent direction :math:`p` (:math:`\nabla f(x)^\top p < 0`)
and :math:`\phi(\alpha) = f(x + \alpha p)`, a line search picks the step length
:math:`\alpha`:

- :func:`backtracking` halves a trial step until the **sufficient decrease**
  (Armijo) condition :math:`\phi(\alpha) \le \phi(0) + c_1 \alpha \phi'(0)` holds
  (N&W Algorithm 3.1); it needs only :math:`f`.
- :func:`wolfe_line_search` also enforces the **strong curvature** condition
  :math:`|\phi'(\alpha)| \le c_2 |\phi'(0)|` (N&W Algorithms 3.5 and 3.6), which
  guarantees :math:`y^\top s > 0` for a BFGS update; it needs the gradient too.

:mod:`gdlearn.second_order` uses both and re-exports them, so
``from gdlearn.second_order import backtracking`` keeps working.

Examples
--------
>>> import numpy as np
>>> from gdlearn.line_search import backtracking, wolfe_line_search
>>> f = lambda x: float(x @ x)
>>> backtracking(f, np.array([1.0]), 1.0, np.array([2.0]), np.array([-2.0])).alpha
0.5
>>> search = wolfe_line_search(f, lambda x: 2 * x, np.array([1.0]), 1.0, np.array([2.0]), np.array([-1.0]))
>>> search.success, search.alpha
(True, 1.0)
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, NamedTuple

import numpy as np

__all__ = ["LineSearch", "WolfeSearch", "backtracking", "wolfe_line_search"]


class LineSearch(NamedTuple):
    """The outcome of :func:`backtracking`: step length, f there, evaluations, success."""

    alpha: float
    f: float
    n_f: int
    success: bool


def _descent_setup(x, g, direction):
    """``(x, g, p, g·p)`` as float arrays; ValueError unless the shapes agree and ``g·p < 0``."""
    x = np.asarray(x, dtype=float)
    g = np.asarray(g, dtype=float)
    p = np.asarray(direction, dtype=float)
    if not (x.shape == g.shape == p.shape):
        raise ValueError(f"x, g and direction must have the same shape, got {x.shape}, {g.shape}, {p.shape}")
    slope = float(g @ p)
    if not slope < 0:
        raise ValueError(f"direction must be a descent direction (g·p < 0), got g·p = {slope:.3g}")
    return x, g, p, slope


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)



def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)



# ---------------------------------------------------------------- line search
def backtracking(f: Callable[[np.ndarray], Any], x: Any, fx: float, g: Any, direction: Any, *,
                 alpha0: float = 1.0, c1: float = 1e-4, rho: float = 0.5,
                 max_halvings: int = 50) -> LineSearch:
    r"""Backtracking line search with the Armijo (sufficient decrease) condition.

    Try :math:`\alpha = \alpha_0, \rho\alpha_0, \rho^2\alpha_0, \dots` and accept the
    first step length with

    .. math:: f(x + \alpha p) \le f(x) + c_1\, \alpha\, \nabla f(x)^\top p ,

    i.e. a decrease of at least a fraction :math:`c_1` of what the tangent line
    promises. A trial where :math:`f` is ``nan`` or ``+inf`` counts as too long
    (one where it is ``-inf`` passes, and the caller sees that :math:`f` is unbounded below). Since
    :math:`p` is a descent direction (:math:`\nabla f^\top p < 0`) a small enough
    :math:`\alpha` always passes (Nocedal & Wright, *Numerical Optimization*,
    Algorithm 3.1).

    Parameters
    ----------
    f : callable
        The function, ``f(x)`` for ``x`` of shape (d,).
    x : array_like, shape (d,)
        The current point.
    fx : float
        ``f(x)`` (already known: not evaluated again).
    g : array_like, shape (d,)
        The gradient at ``x``.
    direction : array_like, shape (d,)
        The search direction :math:`p`, a descent direction.
    alpha0 : float, default 1
        The first trial (1 is the full Newton or quasi-Newton step).
    c1 : float, default 1e-4
        Sufficient-decrease constant, in (0, 1).
    rho : float, default 0.5
        Shrink factor per trial, in (0, 1) (0.5 halves the step).
    max_halvings : int, default 50
        Give up after this many reductions.

    Returns
    -------
    LineSearch
        ``(alpha, f, n_f, success)``: the accepted step length and :math:`f` there,
        the number of evaluations of ``f``, and whether the condition was met (if
        not, ``alpha`` and ``f`` are those of the last trial).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: float(x @ x)
    >>> x = np.array([1.0, 0.0]); g = 2 * x
    >>> backtracking(f, x, f(x), g, -g)        # alpha = 1 overshoots to (-1, 0): halve once
    LineSearch(alpha=0.5, f=0.0, n_f=2, success=True)
    """
    alpha = _real("alpha0", alpha0)
    if not (math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha0 must be a finite number > 0, got {alpha0}")
    c1, rho = _real("c1", c1), _real("rho", rho)
    if not 0 < c1 < 1:
        raise ValueError(f"c1 must be in (0, 1), got {c1}")
    if not 0 < rho < 1:
        raise ValueError(f"rho must be in (0, 1), got {rho}")
    max_halvings = _check_int("max_halvings", max_halvings, 0)
    x, g, p, slope = _descent_setup(x, g, direction)
    fx = float(fx)
    n_f = 0
    value = math.nan
    with np.errstate(all="ignore"):
        for _ in range(max_halvings + 1):
            value = float(np.asarray(f(x + alpha * p), dtype=float).reshape(-1)[0])
            n_f += 1
            # -inf passes (f is unbounded below: the caller sees a diverged run); nan and +inf do not
            if value <= fx + c1 * alpha * slope:
                return LineSearch(alpha, value, n_f, True)
            alpha *= rho
    return LineSearch(alpha / rho, value, n_f, False)


class WolfeSearch(NamedTuple):
    """The outcome of :func:`wolfe_line_search`.

    ``alpha`` and ``f`` as in :class:`LineSearch`; ``g`` is the gradient at
    ``x + alpha * p`` (computed anyway, so the caller need not evaluate it again),
    ``n_f`` and ``n_grad`` the evaluations made, ``success`` whether both strong
    Wolfe conditions hold at ``alpha``.
    """

    alpha: float
    f: float
    g: np.ndarray
    n_f: int
    n_grad: int
    success: bool


def wolfe_line_search(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any], x: Any, fx: float,
                      g: Any, direction: Any, *, alpha0: float = 1.0, c1: float = 1e-4, c2: float = 0.9,
                      alpha_max: float = 1e10, max_iter: int = 50) -> WolfeSearch:
    r"""Line search for a step length that satisfies the strong Wolfe conditions.

    With :math:`\phi(\alpha) = f(x + \alpha p)` and :math:`0 < c_1 < c_2 < 1`, find
    :math:`\alpha > 0` with (Nocedal & Wright, *Numerical Optimization*, 2nd ed.,
    eqs. 3.7a and 3.7b)

    .. math::
        \phi(\alpha) \le \phi(0) + c_1\, \alpha\, \phi'(0) \quad\text{(sufficient decrease)},
        \qquad |\phi'(\alpha)| \le c_2\, |\phi'(0)| \quad\text{(curvature)},

    where :math:`\phi'(\alpha) = \nabla f(x + \alpha p)^\top p`. The curvature
    condition rules out steps so short that the slope has hardly changed; with it
    :math:`y^\top s = \alpha(\phi'(\alpha) - \phi'(0)) \ge \alpha (1 - c_2) |\phi'(0)| > 0`,
    which is what the BFGS update needs.

    Algorithm 3.5 of Nocedal & Wright: try :math:`\alpha_0`, then double the trial
    (up to ``alpha_max``) until it satisfies both conditions or brackets such a step;
    then Algorithm 3.6 (*zoom*) shrinks the bracket, each trial the minimizer of
    the quadratic through :math:`\phi(\alpha_{lo})`, :math:`\phi'(\alpha_{lo})`,
    :math:`\phi(\alpha_{hi})`, safeguarded to the middle 80 % of the bracket
    (otherwise bisection). A trial where :math:`f` is ``nan`` or ``+inf`` counts as
    too long.

    Parameters
    ----------
    f, grad : callable
        The function and its gradient, for ``x`` of shape (d,).
    x : array_like, shape (d,)
        The current point.
    fx : float
        ``f(x)`` (already known: not evaluated again).
    g : array_like, shape (d,)
        The gradient at ``x``.
    direction : array_like, shape (d,)
        The search direction :math:`p`, a descent direction (:math:`g^\top p < 0`).
    alpha0 : float, default 1
        The first trial.
    c1 : float, default 1e-4
        Sufficient-decrease constant.
    c2 : float, default 0.9
        Curvature constant, ``c1 < c2 < 1`` (0.9 is N&W's choice for quasi-Newton).
    alpha_max : float, default 1e10
        The largest step length tried.
    max_iter : int, default 50
        Give up after this many trials in each phase.

    Returns
    -------
    WolfeSearch
        ``(alpha, f, g, n_f, n_grad, success)``; if ``success`` is False, the best
        trial that satisfied sufficient decrease (or the last trial).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: float(x @ x); grad = lambda x: 2 * x
    >>> x = np.array([1.0, 0.0])
    >>> search = wolfe_line_search(f, grad, x, f(x), grad(x), np.array([-0.01, 0.0]))
    >>> search.alpha, round(search.f, 4), search.success   # alpha = 1 is too short: still steep
    (16.0, 0.7056, True)
    """
    alpha = _real("alpha0", alpha0)
    if not (math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha0 must be a finite number > 0, got {alpha0}")
    c1, c2 = _real("c1", c1), _real("c2", c2)
    if not 0 < c1 < c2 < 1:
        raise ValueError(f"c1 and c2 must satisfy 0 < c1 < c2 < 1, got c1 = {c1}, c2 = {c2}")
    alpha_max = _real("alpha_max", alpha_max)
    if not alpha_max >= alpha:
        raise ValueError(f"alpha_max must be >= alpha0, got {alpha_max}")
    max_iter = _check_int("max_iter", max_iter, 1)
    x, g, p, dphi0 = _descent_setup(x, g, direction)
    phi0 = float(fx)
    counts = {"f": 0, "g": 0}

    def phi(a):
        counts["f"] += 1
        return float(np.asarray(f(x + a * p), dtype=float).reshape(-1)[0])

    def gradient(a):
        counts["g"] += 1
        return np.reshape(np.asarray(grad(x + a * p), dtype=float), x.shape)

    def armijo(a, value):
        return value <= phi0 + c1 * a * dphi0          # False for nan and +inf

    def done(a, value, grad_a, ok):
        return WolfeSearch(float(a), float(value), grad_a, counts["f"], counts["g"], ok)

    def zoom(lo, phi_lo, dphi_lo, g_lo, hi, phi_hi):
        a = lo
        for _ in range(max_iter):
            width = hi - lo
            a = lo + 0.5 * width                        # bisection, unless the quadratic is safe
            denom = phi_hi - phi_lo - dphi_lo * width
            if math.isfinite(phi_hi) and denom > 0:
                q = lo - dphi_lo * width * width / (2 * denom)
                if min(lo, hi) + 0.1 * abs(width) <= q <= max(lo, hi) - 0.1 * abs(width):
                    a = q
            value = phi(a)
            if not armijo(a, value) or value >= phi_lo:
                hi, phi_hi = a, value
                continue
            g_a = gradient(a)
            dphi_a = float(g_a @ p)
            if abs(dphi_a) <= -c2 * dphi0:
                return done(a, value, g_a, True)
            if dphi_a * (hi - lo) >= 0:
                hi, phi_hi = lo, phi_lo
            lo, phi_lo, dphi_lo, g_lo = a, value, dphi_a, g_a
        # the bracket collapsed: return the best point that satisfies sufficient decrease
        if lo > 0:
            return done(lo, phi_lo, g_lo, False)
        return done(a, value, gradient(a), False)

    prev, phi_prev, dphi_prev, g_prev = 0.0, phi0, dphi0, g
    with np.errstate(all="ignore"):
        for i in range(max_iter):
            value = phi(alpha)
            if value == -math.inf:                      # unbounded below: the caller sees it
                return done(alpha, value, gradient(alpha), True)
            if not armijo(alpha, value) or (i > 0 and value >= phi_prev):
                return zoom(prev, phi_prev, dphi_prev, g_prev, alpha, value)
            g_a = gradient(alpha)
            dphi_a = float(g_a @ p)
            if abs(dphi_a) <= -c2 * dphi0:
                return done(alpha, value, g_a, True)
            if dphi_a >= 0:
                return zoom(alpha, value, dphi_a, g_a, prev, phi_prev)
            if alpha >= alpha_max:
                return done(alpha, value, g_a, False)
            prev, phi_prev, dphi_prev, g_prev = alpha, value, dphi_a, g_a
            alpha = min(2.0 * alpha, alpha_max)
        return done(prev, phi_prev, g_prev, False)
