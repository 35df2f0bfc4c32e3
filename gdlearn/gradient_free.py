r"""Minimize without gradients: random search, Nelder–Mead and an evolution strategy (chapter 10).

Gradient descent needs :math:`\nabla f`. When the loss is piecewise constant
(a count of misclassified points), has kinks everywhere, is noisy, or is a
black box, the gradient is zero, undefined or unavailable. The three methods
here only *evaluate* ``f``:

==========================  =====================================================
:func:`random_search`       try random points, keep the best (uniform in a box, or
                            Gaussian steps around the best point so far)
:func:`nelder_mead`         a simplex of d + 1 points that reflects, expands,
                            contracts and shrinks (Nelder & Mead 1965)
:func:`evolution_strategy`  estimate the gradient of a Gaussian-smoothed ``f`` from
                            antithetic pairs of random perturbations and step
                            along it (the "OpenAI" ES of Salimans et al. 2017)
==========================  =====================================================

Each returns a :class:`SearchTrace`. It follows :class:`gdlearn.run.Trace`
(``xs``, ``fs``, ``status``, ``message``, ``x``, ``f``, ``steps``) so
:func:`gdlearn.plotting.plot_path` draws it, but it records the **best point
found so far** after each iteration, and it counts function evaluations
(``evals``): without gradients, evaluations are the currency.

``f`` is called with one point of shape ``(d,)`` and must return a number.
A value that is not finite counts as :math:`+\infty` (never the best).

Examples
--------
>>> import numpy as np
>>> from gdlearn.gradient_free import nelder_mead
>>> trace = nelder_mead(lambda x: abs(x[0] - 1) + abs(x[1] + 2), x0=[0.0, 0.0], tol=1e-10)
>>> trace.status, bool(np.allclose(trace.x, [1, -2], atol=1e-8))
('converged', True)
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["SearchTrace", "random_search", "nelder_mead", "evolution_strategy"]


@dataclass(frozen=True)
class SearchTrace:
    """The record of a gradient-free search.

    Attributes
    ----------
    xs : ndarray, shape (k + 1, d)
        The best point found so far, after each iteration (iteration 0 is the
        initialization).
    fs : ndarray, shape (k + 1,)
        Its value: never increases.
    evals : ndarray of int, shape (k + 1,)
        The number of function evaluations spent up to each iteration.
    status : str
        ``"converged"`` (Nelder–Mead's tolerance met), ``"max_steps"`` or
        ``"diverged"`` (the evolution strategy's mean left the finite numbers).
    message : str
        One sentence saying why the search stopped.
    points : ndarray, shape (n_evals, d)
        Every point at which ``f`` was evaluated, in order.
    values : ndarray, shape (n_evals,)
        ``f`` at those points (``inf`` where it was not finite).
    method : str
        ``"random_search"``, ``"nelder_mead"`` or ``"evolution_strategy"``.
    path : ndarray, shape (k + 1, d), or None
        The iterate the method moves (the evolution strategy's mean), when it
        differs from the best point.
    simplices : ndarray, shape (k + 1, d + 1, d), or None
        Nelder–Mead's simplex after each iteration, best vertex first.
    """

    xs: np.ndarray
    fs: np.ndarray
    evals: np.ndarray
    status: str
    message: str
    points: np.ndarray
    values: np.ndarray
    method: str
    path: np.ndarray | None = None
    simplices: np.ndarray | None = None

    @property
    def steps(self) -> int:
        """The number of iterations (records minus one)."""
        return len(self.xs) - 1

    @property
    def x(self) -> np.ndarray:
        """The best point found."""
        return self.xs[-1]

    @property
    def f(self) -> float:
        """The best value found."""
        return float(self.fs[-1])

    @property
    def n_evals(self) -> int:
        """The total number of function evaluations."""
        return int(self.evals[-1])

    def __repr__(self) -> str:
        return (f"SearchTrace(method={self.method!r}, status={self.status!r}, steps={self.steps}, "
                f"n_evals={self.n_evals}, x={np.array2string(self.x, precision=6)}, f={self.f:.6g})")


# ------------------------------------------------------------------ helpers
class _Counter:
    """Wrap ``f``: count the calls, keep every point and value, map non-finite values to inf."""

    def __init__(self, f: Callable) -> None:
        if not callable(f):
            raise TypeError(f"f must be a callable taking a point of shape (d,), got {type(f).__name__}")
        self.f = f
        self.points: list[np.ndarray] = []
        self.values: list[float] = []

    def __call__(self, x: np.ndarray) -> float:
        x = np.array(x, dtype=float)
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(self.f(x), dtype=float)
        except OverflowError:         # Python floats raise where numpy would give inf
            value = np.asarray(math.inf)
        if value.size != 1:
            raise ValueError(f"f must return one number, got an array of shape {value.shape}")
        value = float(value.reshape(-1)[0])
        if not math.isfinite(value):
            value = math.inf
        self.points.append(x)
        self.values.append(value)
        return value

    @property
    def count(self) -> int:
        return len(self.values)

    def arrays(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.points, dtype=float).reshape(-1, d), np.array(self.values, dtype=float)


def _as_point(x0: Any, name: str = "x0") -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {x0!r}") from None
    x = np.atleast_1d(x)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a scalar or have shape (d,) with d >= 1, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x0!r}")
    return x


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _positive(value: Any, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and ok):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, got {value}")
    return value


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"seed must be an integer >= 0 or a numpy Generator, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _best_so_far(values: np.ndarray, points: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best point and value among the first ``ends[k]`` evaluations, for each k."""
    running = np.minimum.accumulate(values)
    # index of the first evaluation reaching the running minimum
    best_index = np.zeros(len(values), dtype=int)
    for i in range(1, len(values)):
        best_index[i] = i if values[i] < running[i - 1] else best_index[i - 1]
    picks = best_index[ends - 1]
    return points[picks], values[picks]


# ------------------------------------------------------------------ random search
def random_search(f: Callable, x0: Any = None, *, domain: Any = None, n_iter: int = 1000,
                  step: float = 1.0, seed: Any = 0) -> SearchTrace:
    r"""Random search: evaluate random points, keep the best.

    Two flavours:

    - **global** (``domain`` given): each candidate is drawn uniformly from the
      box ``domain``; the search ignores where the best point is.
    - **local** (only ``x0`` given): each candidate is the best point so far plus
      a Gaussian step, :math:`x_\text{best} + \text{step}\cdot\varepsilon`,
      :math:`\varepsilon \sim N(0, I)`; a candidate replaces the best point when
      it is strictly better (a (1+1) evolution strategy with a fixed step).

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape (d,), returning a number.
    x0 : array_like, shape (d,), optional
        The first point evaluated. Required without ``domain``.
    domain : array_like, shape (d, 2), optional
        ``(low, high)`` per coordinate: sample uniformly in this box.
    n_iter : int, default 1000
        The number of candidates after the first point; ``n_iter + 1`` evaluations.
    step : float, default 1.0
        Standard deviation of the local search's Gaussian steps.
    seed : int or numpy Generator, default 0

    Returns
    -------
    SearchTrace
        ``xs[k]``, ``fs[k]``: the best of the first ``k + 1`` evaluations;
        ``evals[k] = k + 1``; ``status`` is ``"max_steps"``.

    Examples
    --------
    >>> import numpy as np
    >>> trace = random_search(lambda x: float(x @ x), domain=[(-1, 1), (-1, 1)], n_iter=500, seed=0)
    >>> trace.n_evals, bool(trace.f < 1e-2)
    (501, True)
    >>> bool(trace.f == trace.values.min())
    True
    """
    counter = _Counter(f)
    n_iter = _positive_int(n_iter, "n_iter", 0)
    step = _positive(step, "step")
    rng = _rng(seed)
    box = None
    if domain is not None:
        try:
            box = np.array(domain, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"domain must be (low, high) pairs of numbers, got {domain!r}") from None
        if box.ndim != 2 or box.shape[1] != 2 or box.shape[0] < 1:
            raise ValueError(f"domain must have shape (d, 2): one (low, high) pair per coordinate, "
                             f"got shape {box.shape}")
        if not (np.all(np.isfinite(box)) and np.all(box[:, 0] < box[:, 1])):
            raise ValueError(f"domain must hold finite pairs with low < high, got {domain!r}")
    if x0 is None and box is None:
        raise ValueError("give x0 (local search around the best point) or domain (uniform in a box)")
    x = _as_point(x0) if x0 is not None else None
    d = len(box) if box is not None else len(x)
    if x is not None and len(x) != d:
        raise ValueError(f"x0 has {len(x)} coordinates but domain has {d}")

    if x is None:
        x = rng.uniform(box[:, 0], box[:, 1])
    best_x, best_f = x, counter(x)
    for _ in range(n_iter):
        if box is not None:
            candidate = rng.uniform(box[:, 0], box[:, 1])
        else:
            candidate = best_x + step * rng.standard_normal(d)
        value = counter(candidate)
        if value < best_f:
            best_x, best_f = candidate, value
    points, values = counter.arrays(d)
    ends = np.arange(1, counter.count + 1)
    xs, fs = _best_so_far(values, points, ends)
    kind = "uniform in the domain" if box is not None else f"Gaussian steps of size {step:g}"
    return SearchTrace(xs, fs, ends, "max_steps",
                       f"evaluated {counter.count} points ({kind}); best f = {best_f:.6g}",
                       points, values, "random_search")


# ------------------------------------------------------------------ Nelder–Mead
def nelder_mead(f: Callable, x0: Any, *, tol: float = 1e-8, max_iter: int | None = None,
                initial_step: float | None = None) -> SearchTrace:
    r"""The Nelder–Mead simplex method, with the standard coefficients.

    A simplex of :math:`d + 1` vertices, sorted so that
    :math:`f(x_1) \le \dots \le f(x_{d+1})`. With :math:`\bar x` the centroid of all
    but the worst vertex, each iteration tries

    - reflection :math:`x_r = \bar x + \alpha(\bar x - x_{d+1})`, :math:`\alpha = 1`;
    - if :math:`x_r` beats the best: expansion
      :math:`x_e = \bar x + \gamma(x_r - \bar x)`, :math:`\gamma = 2` (keep the better of the two);
    - if :math:`x_r` is no better than the second worst: contraction with
      :math:`\rho = 1/2`, outside (:math:`\bar x + \rho(x_r - \bar x)`) when :math:`x_r` beats the
      worst, inside (:math:`\bar x + \rho(x_{d+1} - \bar x)`) otherwise;
    - if the contraction fails too: shrink every vertex halfway towards the
      best, :math:`\sigma = 1/2`.

    This is the variant of :func:`scipy.optimize.minimize` (``method="Nelder-Mead"``,
    non-adaptive): the same initial simplex, steps and stopping rule.

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape (d,).
    x0 : array_like, shape (d,)
        The first vertex.
    tol : float, default 1e-8
        Stop when every vertex is within ``tol`` of the best in every coordinate
        *and* every vertex value is within ``tol`` of the best value (scipy's
        ``xatol`` and ``fatol``).
    max_iter : int, optional
        The largest number of iterations, default ``200 * d`` (scipy's default).
        An iteration costs one evaluation (reflection), two (expansion or
        contraction) or ``d + 2`` (a contraction that fails, then a shrink).
    initial_step : float, optional
        The other vertices are ``x0 + initial_step * e_i``. Default: scipy's rule,
        5 % of ``x0[i]`` (0.00025 where ``x0[i] = 0``).

    Returns
    -------
    SearchTrace
        ``xs``/``fs``: the best vertex after each iteration; ``simplices``: every simplex.

    Examples
    --------
    >>> from gdlearn.surfaces import rosenbrock
    >>> trace = nelder_mead(rosenbrock.f, [-1.2, 1.0], tol=1e-10)
    >>> trace.status, trace.x.round(6).tolist()
    ('converged', [1.0, 1.0])
    """
    counter = _Counter(f)
    x = _as_point(x0)
    tol = _positive(tol, "tol", allow_zero=True)
    d = len(x)
    max_iter = 200 * d if max_iter is None else _positive_int(max_iter, "max_iter", 1)
    simplex = np.empty((d + 1, d))
    simplex[0] = x
    for i in range(d):
        vertex = x.copy()
        if initial_step is None:
            vertex[i] = 1.05 * vertex[i] if vertex[i] != 0 else 0.00025
        else:
            vertex[i] += _positive(initial_step, "initial_step")
        simplex[i + 1] = vertex
    values = np.array([counter(v) for v in simplex])
    order = np.argsort(values, kind="stable")
    simplex, values = simplex[order], values[order]

    alpha, gamma, rho, sigma = 1.0, 2.0, 0.5, 0.5
    best_xs, best_fs, evals, simplices = [simplex[0].copy()], [values[0]], [counter.count], [simplex.copy()]
    status, message = "max_steps", f"stopped after the maximum of {max_iter} iterations"
    iteration = 0
    while True:
        spread_x = np.max(np.abs(simplex[1:] - simplex[0]))
        spread_f = np.max(np.abs(values[1:] - values[0])) if np.isfinite(values[0]) else math.inf
        if spread_x <= tol and spread_f <= tol:
            status = "converged"
            message = (f"converged after {iteration} iterations and {counter.count} evaluations: "
                       f"simplex size {spread_x:.2g} and value spread {spread_f:.2g} <= tol = {tol:.2g}")
            break
        if iteration >= max_iter:
            break
        centroid = simplex[:-1].mean(axis=0)
        worst = simplex[-1]
        xr = centroid + alpha * (centroid - worst)
        fr = counter(xr)
        shrink = False
        if fr < values[0]:
            xe = centroid + gamma * (xr - centroid)
            fe = counter(xe)
            simplex[-1], values[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = xr, fr
        elif fr < values[-1]:                       # outside contraction
            xc = centroid + rho * (xr - centroid)
            fc = counter(xc)
            if fc <= fr:
                simplex[-1], values[-1] = xc, fc
            else:
                shrink = True
        else:                                       # inside contraction
            xc = centroid + rho * (worst - centroid)
            fc = counter(xc)
            if fc < values[-1]:
                simplex[-1], values[-1] = xc, fc
            else:
                shrink = True
        if shrink:
            for j in range(1, d + 1):
                simplex[j] = simplex[0] + sigma * (simplex[j] - simplex[0])
                values[j] = counter(simplex[j])
        iteration += 1
        order = np.argsort(values, kind="stable")
        simplex, values = simplex[order], values[order]
        best_xs.append(simplex[0].copy())
        best_fs.append(values[0])
        evals.append(counter.count)
        simplices.append(simplex.copy())
    points, all_values = counter.arrays(d)
    return SearchTrace(np.array(best_xs), np.array(best_fs), np.array(evals), status, message,
                       points, all_values, "nelder_mead", simplices=np.array(simplices))


# ------------------------------------------------------------------ evolution strategy
def evolution_strategy(f: Callable, x0: Any, *, sigma: float = 0.1, population: int = 20,
                       lr: float = 0.1, n_iter: int = 100, seed: Any = 0) -> SearchTrace:
    r"""An evolution strategy with antithetic sampling (Salimans et al. 2017, "OpenAI ES").

    Each iteration draws ``population // 2`` directions :math:`\varepsilon_i \sim N(0, I)`,
    evaluates ``f`` at the mean :math:`x` and at the antithetic pairs
    :math:`x \pm \sigma\varepsilon_i`, and steps along the estimate

    .. math::

        \hat g = \frac{1}{n}\sum_{i=1}^{n}
                 \frac{f(x + \sigma\varepsilon_i) - f(x - \sigma\varepsilon_i)}{2\sigma}\,\varepsilon_i,
        \qquad x \leftarrow x - \text{lr}\,\hat g ,

    an unbiased estimate of the gradient of the **smoothed** function
    :math:`f_\sigma(x) = \mathbb E\, f(x + \sigma\varepsilon)`. That function has a
    gradient even where ``f`` is piecewise constant. On a quadratic the
    antithetic difference equals :math:`\nabla f(x)\cdot\varepsilon_i` exactly, so the
    estimate is unbiased for :math:`\nabla f` itself, whatever :math:`\sigma`.
    No fitness shaping, no adaptation of :math:`\sigma`.

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape (d,).
    x0 : array_like, shape (d,)
        The first mean.
    sigma : float, default 0.1
        Size of the perturbations (the smoothing radius).
    population : int, default 20
        Perturbed points per iteration: an even number >= 2 (``population // 2`` pairs).
    lr : float, default 0.1
        Step size along the estimated gradient.
    n_iter : int, default 100
    seed : int or numpy Generator, default 0

    Returns
    -------
    SearchTrace
        ``xs``/``fs``: best point evaluated so far; ``path``: the mean after each
        iteration; ``evals[k] = 1 + k (population + 1)``. ``status`` is
        ``"max_steps"``, or ``"diverged"`` when the mean, or ``f`` there, leaves the
        finite numbers.

    Examples
    --------
    >>> import numpy as np
    >>> trace = evolution_strategy(lambda x: float(x @ x), [1.0, -1.0], lr=0.2, n_iter=60, seed=1)
    >>> trace.n_evals, bool(trace.f < 1e-8)
    (1261, True)
    """
    counter = _Counter(f)
    x = _as_point(x0)
    sigma = _positive(sigma, "sigma")
    lr = _positive(lr, "lr")
    population = _positive_int(population, "population", 2)
    if population % 2:
        raise ValueError(f"population must be an even integer >= 2 (antithetic pairs), got {population}")
    n_iter = _positive_int(n_iter, "n_iter", 0)
    rng = _rng(seed)
    d, pairs = len(x), population // 2
    means, ends = [x.copy()], []
    status, message = "max_steps", f"stopped after the maximum of {n_iter} iterations"
    counter(x)
    ends.append(counter.count)
    for k in range(n_iter):
        eps = rng.standard_normal((pairs, d))
        up = np.array([counter(x + sigma * e) for e in eps])
        down = np.array([counter(x - sigma * e) for e in eps])
        with np.errstate(all="ignore"):
            differences = np.where(np.isfinite(up - down), up - down, 0.0)
            g = differences @ eps / (2 * sigma * pairs)
            x_new = x - lr * g
        if not np.all(np.isfinite(x_new)):
            # keep the last finite mean; the evaluations of this iteration still count
            status, message = "diverged", f"diverged at iteration {k + 1}: the mean is no longer finite"
            means.append(x.copy())
            ends.append(counter.count)
            break
        x = x_new
        value = counter(x)
        means.append(x.copy())
        ends.append(counter.count)
        if math.isinf(value):
            status = "diverged"
            message = f"diverged at iteration {k + 1}: f is not finite at the mean"
            break
    points, values = counter.arrays(d)
    ends_arr = np.array(ends)
    xs, fs = _best_so_far(values, points, ends_arr)
    if status == "max_steps":
        message += f"; {counter.count} evaluations, best f = {fs[-1]:.6g}"
    return SearchTrace(xs, fs, ends_arr, status, message, points, values, "evolution_strategy",
                       path=np.array(means))
