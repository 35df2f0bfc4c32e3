"""Run an optimizer on a function: one start (:func:`run`) or thousands at once (:func:`run_many`).

A run records every iterate, stops cleanly when it converges or diverges, and
says in one sentence why it stopped. Nothing here prints, plots or warns:
a learning rate that blows up is a result to look at, not an error.

Examples
--------
>>> import numpy as np
>>> from gdlearn import optim, surfaces
>>> from gdlearn.run import run
>>> trace = run(optim.sgd(lr=0.1), surfaces.quadratic(10), x0=[2.0, 1.0], steps=500)
>>> trace.status, trace.steps
('converged', 182)
>>> bool(np.allclose(trace.x, 0.0, atol=1e-8))
True
>>> run(optim.sgd(lr=0.21), surfaces.quadratic(10), x0=[2.0, 1.0]).message
'diverged at step 60: max |x| = 304 exceeded the bound 300'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Trace", "ManyTrace", "run", "run_many"]

STATUSES = ("converged", "max_steps", "diverged")
_FLOAT64 = np.dtype(np.float64)


@dataclass(frozen=True)
class Trace:
    """The record of one optimization run.

    Attributes
    ----------
    xs : ndarray, shape (k + 1, d)
        Every finite iterate, the start ``x0`` first.
    fs : ndarray, shape (k + 1,)
        The function value at each iterate.
    grad_norms : ndarray, shape (k + 1,)
        The Euclidean norm of the gradient at each iterate.
    status : str
        ``"converged"`` (gradient norm at most ``tol``), ``"max_steps"`` or
        ``"diverged"``.
    message : str
        One sentence saying why the run stopped.
    diverged_at : int or None
        The step whose iterate left the finite numbers or the bound.
    states : list or None
        The optimizer state after each step, when ``record_states=True``.
    """

    xs: np.ndarray
    fs: np.ndarray
    grad_norms: np.ndarray
    status: str
    message: str
    diverged_at: int | None = None
    states: list | None = None

    @property
    def steps(self) -> int:
        """The number of steps taken (iterates recorded minus one)."""
        return len(self.xs) - 1

    @property
    def x(self) -> np.ndarray:
        """The last finite iterate."""
        return self.xs[-1]

    @property
    def f(self) -> float:
        """The function value at the last finite iterate."""
        return float(self.fs[-1])

    def __repr__(self) -> str:
        return (f"Trace(status={self.status!r}, steps={self.steps}, "
                f"x={np.array2string(self.x, precision=6)}, f={self.f:.6g})")


@dataclass(frozen=True)
class ManyTrace:
    """The outcome of many runs made in one vectorized pass by :func:`run_many`.

    Attributes
    ----------
    x0s : ndarray, shape (n, d)
        The starting points.
    x : ndarray, shape (n, d)
        The final iterates (rows of ``nan`` where the run diverged).
    f, grad_norm : ndarray, shape (n,)
        Function value and gradient norm at the final iterates.
    status : ndarray of str, shape (n,)
        ``"converged"``, ``"max_steps"`` or ``"diverged"`` for each run.
    diverged_at, converged_at : ndarray of int, shape (n,)
        First step that diverged / first step whose gradient norm was at
        most ``tol``; -1 where that never happened.
    path : ndarray, shape (steps + 1, n, d), or None
        Every iterate of every run, when ``keep_path=True``.
    """

    x0s: np.ndarray
    x: np.ndarray
    f: np.ndarray
    grad_norm: np.ndarray
    status: np.ndarray
    diverged_at: np.ndarray
    converged_at: np.ndarray
    path: np.ndarray | None = None

    def nearest_minimum(self, minima: Any) -> np.ndarray:
        """Index into ``minima`` (shape (k, d)) of the minimum closest to each final iterate.

        Diverged runs get -1.
        """
        minima = np.asarray(minima, dtype=float).reshape(-1, self.x.shape[1])
        with np.errstate(invalid="ignore"):
            distances = np.linalg.norm(self.x[:, None, :] - minima[None, :, :], axis=2)
        index = np.argmin(np.where(np.isnan(distances), np.inf, distances), axis=1)
        return np.where(self.status == "diverged", -1, index)

    def fraction(self, status: str) -> float:
        """Share of the runs that ended with ``status``."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        return float(np.mean(self.status == status))


def _functions(surface: Any) -> tuple[Callable, Callable]:
    """Return ``(f, grad)`` from a Surface, any object with ``.f`` and ``.grad``, or a pair."""
    if hasattr(surface, "f") and hasattr(surface, "grad"):
        return surface.f, surface.grad
    if isinstance(surface, (tuple, list)) and len(surface) == 2 and all(map(callable, surface)):
        return surface[0], surface[1]
    raise TypeError("surface must be a Surface, an object with .f and .grad, "
                    f"or a pair (f, grad) of callables; got {type(surface).__name__}")


def _default_bound(surface: Any, x0: np.ndarray) -> float:
    """100 times the size of the surface's domain (or of the start), else 1e6."""
    domain = getattr(surface, "domain", None)
    scale = np.max(np.abs(np.asarray(domain, dtype=float))) if domain is not None else 0.0
    scale = max(scale, float(np.max(np.abs(x0), initial=0.0)))
    return 100.0 * scale if scale > 0 else 1e6


def _check_run_args(opt: Any, steps: Any, tol: Any, bound: Any) -> None:
    if not (hasattr(opt, "init") and hasattr(opt, "update")):
        raise TypeError("opt must be a gradient transformation with .init and .update, "
                        f"such as gdlearn.optim.sgd(lr=0.1); got {type(opt).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an integer >= 0, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be a finite number >= 0, got {tol}")
    if bound is not None and not (np.isfinite(bound) and bound > 0):
        raise ValueError(f"bound must be a finite number > 0, got {bound}")


def _as_start(x0: Any, name: str) -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {x0!r}") from None
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x0!r}")
    return x


def _past_bound(largest: float, bound: float) -> str:
    """'max |x| = … exceeded the bound …', with enough digits to read as larger.

    Three significant digits, more if they would round ``largest`` down to the
    bound as printed ("3e+02 exceeded 300" read as a contradiction).
    """
    shown_bound = f"{bound:.3g}"
    for digits in range(3, 18):
        shown = f"{largest:.{digits}g}"
        if float(shown) > float(shown_bound):
            break
    return f"max |x| = {shown} exceeded the bound {shown_bound}"


def run(opt: Any, surface: Any, x0: Any, steps: int = 200, *, tol: float = 1e-8,
        bound: float | None = None, record_states: bool = False) -> Trace:
    """Minimize ``surface`` with the optimizer ``opt`` from ``x0``, recording every iterate.

    Parameters
    ----------
    opt : GradientTransformation
        An optimizer from :mod:`gdlearn.optim`, e.g. ``sgd(lr=0.1)``.
    surface : Surface, object with ``.f`` and ``.grad``, or pair ``(f, grad)``
        The function to minimize; ``f(x)`` and ``grad(x)`` take ``x`` of shape (d,).
    x0 : array_like, shape (d,) or scalar
        The start (a scalar for a 1-D function).
    steps : int, default 200
        The largest number of steps.
    tol : float, default 1e-8
        Stop as converged once the gradient norm is at most ``tol`` (0 never stops).
    bound : float, optional
        Stop as diverged once an iterate's largest coordinate exceeds ``bound`` in
        absolute value. Default: 100 times the largest coordinate of the surface's
        domain (or of ``x0``), else 1e6.
    record_states : bool, default False
        Keep the optimizer state after each step in ``Trace.states``.

    Returns
    -------
    Trace
        ``status`` is ``"converged"``, ``"max_steps"`` or ``"diverged"``; a
        diverged run keeps its finite iterates and says at which step it left.

    Examples
    --------
    >>> from gdlearn import optim, surfaces
    >>> trace = run(optim.sgd(lr=0.4), surfaces.parabola, x0=1.0, steps=100)
    >>> trace.message
    'converged at step 12: |grad f| = 8.2e-09 <= tol = 1e-08'
    >>> trace.xs[:3, 0]
    array([1.  , 0.2 , 0.04])
    """
    _check_run_args(opt, steps, tol, bound)
    f, grad = _functions(surface)
    x = np.atleast_1d(_as_start(x0, "x0"))
    if x.ndim != 1:
        raise ValueError(f"x0 must be a scalar or have shape (d,), got shape {x.shape}")
    bound = _default_bound(surface, x) if bound is None else float(bound)
    bound_squared = bound * bound                    # inf for a huge bound: then the exact test runs
    shape = x.shape

    def evaluate(point: np.ndarray) -> tuple[float, np.ndarray]:
        # A 1-D function may map shape (1,) to shape () or (1,): accept both.
        value = f(point)
        if not isinstance(value, float):                # np.float64 is a float
            value = np.asarray(value, dtype=float).reshape(-1)[0]
        g = grad(point)
        if type(g) is not np.ndarray or g.dtype != _FLOAT64:
            g = np.asarray(g, dtype=float)
        if g.shape != shape:
            g = g.reshape(shape)
        return float(value), g

    # The loop below runs once per step and is most of a slider update, so it is
    # lean on purpose: bound methods looked up once, the evaluation inlined, one
    # dot product per test. tests/test_run.py checks it against the plain loop.
    xs, fs, grad_norms, states = [x], [], [], [] if record_states else None
    add_x, add_f, add_norm = xs.append, fs.append, grad_norms.append
    update, sqrt, isfinite = opt.update, math.sqrt, math.isfinite
    status, message, diverged_at = "max_steps", f"stopped after the maximum of {steps} steps", None
    with np.errstate(all="ignore"):
        value, g = evaluate(x)
        state = opt.init(x)
        gnorm = sqrt(float(g.dot(g)))          # g.dot: np.dot's arithmetic, less overhead
        if not (isfinite(value) and isfinite(gnorm)):
            raise ValueError(f"f or its gradient is not finite at x0 = {x0!r}")
        step = 0
        while True:
            add_f(value)
            add_norm(gnorm)
            if gnorm <= tol:
                status = "converged"
                message = f"converged at step {step}: |grad f| = {gnorm:.2g} <= tol = {tol:.2g}"
                break
            if step == steps:
                break
            updates, state = update(g, state, x)
            x = x + updates
            step += 1
            if record_states:
                states.append(state)
            # |x| < bound (false for nan and inf) means no coordinate is past it: one cheap
            # test per step; only otherwise look at the largest coordinate.
            if not float(x.dot(x)) < bound_squared:
                largest = float(np.abs(x).max())     # nan or inf if any coordinate is
                if not isfinite(largest):
                    status, diverged_at = "diverged", step
                    message = f"diverged at step {step}: the iterate is no longer a finite number"
                    break
                if largest > bound:
                    status, diverged_at = "diverged", step
                    message = f"diverged at step {step}: {_past_bound(largest, bound)}"
                    break
            add_x(x)
            value = f(x)
            if not isinstance(value, float):
                value = np.asarray(value, dtype=float).reshape(-1)[0]
            value = float(value)
            g = grad(x)
            if type(g) is not np.ndarray or g.dtype != _FLOAT64:
                g = np.asarray(g, dtype=float)
            if g.shape != shape:
                g = g.reshape(shape)
            gnorm = sqrt(float(g.dot(g)))          # g.dot: np.dot's arithmetic, less overhead
            if not (isfinite(value) and isfinite(gnorm)):
                # The iterate itself is finite but f or its gradient overflowed there.
                status, diverged_at = "diverged", step
                message = f"diverged at step {step}: f or its gradient is not finite at x"
                break
    return Trace(np.array(xs[:len(fs)]), np.array(fs), np.array(grad_norms), status,
                 message, diverged_at, states)


def run_many(opt: Any, surface: Any, x0s: Any, steps: int = 500, *, tol: float = 1e-8,
             bound: float | None = None, keep_path: bool = False) -> ManyTrace:
    """Run ``opt`` from many starts at once, in one vectorized pass.

    Each run is independent: the optimizer sees parameters of shape (d, n),
    one column per start, and every gdlearn optimizer acts elementwise. To sweep
    learning rates instead of starts, build the optimizer with an array ``lr`` of
    shape (n,) and pass ``n`` copies of the start.

    Parameters
    ----------
    opt : GradientTransformation
        An elementwise optimizer (clipping by global norm would couple the runs).
    surface : Surface, object with ``.f`` and ``.grad``, or pair ``(f, grad)``
        Vectorized along axis 0: ``grad`` maps (d, n) to (d, n).
    x0s : array_like, shape (n, d)
        The starting points.
    steps : int, default 500
        Steps per run (every run takes all of them; converged runs simply stay).
    tol : float, default 1e-8
        A run counts as converged once its gradient norm is at most ``tol``.
    bound : float, optional
        As in :func:`run`.
    keep_path : bool, default False
        Also return every iterate, shape (steps + 1, n, d).

    Returns
    -------
    ManyTrace

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn import optim, surfaces
    >>> starts = np.array([[3.0, 3.0], [-3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]])
    >>> result = run_many(optim.sgd(lr=0.01), surfaces.himmelblau, starts, steps=300)
    >>> result.status.tolist()
    ['converged', 'converged', 'converged', 'converged']
    >>> result.nearest_minimum(surfaces.himmelblau.minima).tolist()
    [0, 1, 2, 3]
    >>> lrs = np.array([0.05, 0.15, 0.25])          # a sweep over learning rates
    >>> sweep = run_many(optim.sgd(lr=lrs), surfaces.quadratic(10), np.tile([1.0, 1.0], (3, 1)))
    >>> sweep.status.tolist()
    ['converged', 'converged', 'diverged']
    """
    _check_run_args(opt, steps, tol, bound)
    f, grad = _functions(surface)
    x0s = _as_start(x0s, "x0s")
    if x0s.ndim != 2:
        raise ValueError(f"x0s must have shape (n, d), got shape {x0s.shape}")
    n, d = x0s.shape
    bound = _default_bound(surface, x0s) if bound is None else float(bound)

    x = np.ascontiguousarray(x0s.T)                     # (d, n): the coordinate on axis 0
    diverged_at = np.full(n, -1)
    converged_at = np.full(n, -1)
    path = np.empty((steps + 1, n, d)) if keep_path else None
    with np.errstate(all="ignore"):
        state = opt.init(x)
        for step in range(steps + 1):
            g = np.reshape(np.asarray(grad(x), dtype=float), (d, n))
            gnorm = np.sqrt(np.einsum("dn,dn->n", g, g))
            bad = ~(np.isfinite(gnorm) & np.all(np.isfinite(x), axis=0)
                    & (np.max(np.abs(x), axis=0) <= bound))
            newly = bad & (diverged_at < 0)
            diverged_at[newly] = step
            if newly.any():
                # Freeze a diverged run at nan so it costs nothing and overflows nowhere.
                x[:, newly] = np.nan
                g[:, newly] = np.nan
            converged_at[(gnorm <= tol) & (converged_at < 0) & (diverged_at < 0)] = step
            if keep_path:
                path[step] = x.T
            if step == steps:
                break
            updates, state = opt.update(g, state, x)
            x = x + updates
        fx = np.asarray(f(x), dtype=float).reshape(n)
    status = np.where(diverged_at >= 0, "diverged",
                      np.where(gnorm <= tol, "converged", "max_steps"))
    return ManyTrace(x0s, x.T.copy(), fx, gnorm, status, diverged_at, converged_at, path)
