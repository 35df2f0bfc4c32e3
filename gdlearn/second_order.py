r"""Second-order methods: Newton (pure and damped), BFGS, L-BFGS.

Gradient descent steps along :math:`-\nabla f` with a step size it must be
told. The methods here also use curvature, the Hessian :math:`\nabla^2 f`
(Newton) or an approximation of its inverse built from gradients (BFGS,
L-BFGS), and choose the step size themselves with a line search (Armijo
backtracking or a strong Wolfe search, in :mod:`gdlearn.line_search`, re-exported
here). Chapter 08 introduces them.

Every method returns a :class:`SecondOrderTrace`: a :class:`gdlearn.run.Trace`
(one row of ``xs`` per iterate, ``x0`` first; ``fs``; ``grad_norms``;
``status``; ``message``) that also counts the evaluations of :math:`f`, of
the gradient and of the Hessian, and keeps the step length of each step. So
plotting helpers and chapter code treat it like any run.

``status`` is ``"converged"`` (gradient norm at most ``tol``, at a minimum),
``"max_steps"`` or ``"diverged"`` as for :func:`gdlearn.run.run`, or says what
went wrong:

- ``"saddle"`` / ``"maximum"`` — the gradient vanished, but the Hessian there has
  a negative eigenvalue (pure Newton walks to any stationary point);
- ``"singular_hessian"`` — the Newton system :math:`H p = -g` has no unique solution;
- ``"line_search_failed"`` — no step along the direction decreased :math:`f` enough.

Examples
--------
>>> import numpy as np
>>> from gdlearn.surfaces import rosenbrock, saddle
>>> from gdlearn.second_order import newton, bfgs, lbfgs
>>> newton(rosenbrock, [-1.2, 1.0], tol=1e-10).message
'converged at step 7: |grad f| = 0 <= tol = 1e-10'
>>> trace = bfgs(rosenbrock, [-1.2, 1.0])
>>> trace.status, bool(np.allclose(trace.x, 1.0, atol=1e-6))
('converged', True)
>>> newton(saddle, [-1.8, 0.05]).status        # x^2 - y^2: one step to the saddle point
'saddle'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .line_search import LineSearch, WolfeSearch, _check_int, _real, backtracking, wolfe_line_search
from .run import Trace

__all__ = [
    "SecondOrderTrace",
    "LineSearch",
    "newton",
    "bfgs",
    "lbfgs",
    "backtracking",
    "wolfe_line_search",
    "WolfeSearch",
    "bfgs_update",
    "two_loop",
    "modified_hessian",
]


@dataclass(frozen=True, repr=False)
class SecondOrderTrace(Trace):
    """A :class:`gdlearn.run.Trace` with evaluation counts and step lengths.

    Attributes
    ----------
    n_f, n_grad, n_hess : int
        How many times :math:`f`, its gradient and its Hessian were evaluated
        (line-search trials included).
    step_sizes : ndarray, shape (k,)
        The step length :math:`\\alpha_k` of each step (1 for a full Newton step).
    notes : tuple of str
        What happened along the way: non-descent Newton directions, skipped
        BFGS updates, Hessian modifications.
    """

    n_f: int = 0
    n_grad: int = 0
    n_hess: int = 0
    step_sizes: np.ndarray | None = None
    notes: tuple = ()


# ---------------------------------------------------------------- checks and helpers

def _check_tol(tol: Any) -> float:
    tol = _real("tol", tol)
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol}")
    return tol


def _start(x0: Any) -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x0 must be an array of numbers, got {x0!r}") from None
    x = np.atleast_1d(x)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a scalar or have shape (d,) with d >= 1, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite, got {x0!r}")
    return x


class _Counted:
    """f, grad (and hess) of a surface, with evaluation counters; x of shape (d,)."""

    def __init__(self, surface: Any, need_hess: bool = False) -> None:
        if isinstance(surface, (tuple, list)) and len(surface) in (2, 3) and all(map(callable, surface)):
            parts = list(surface) + [None] * (3 - len(surface))
        elif callable(getattr(surface, "f", None)) and callable(getattr(surface, "grad", None)):
            parts = [surface.f, surface.grad, getattr(surface, "hess", None)]
        else:
            raise TypeError("surface must be a Surface, an object with .f and .grad (and .hess), "
                            f"or a tuple (f, grad[, hess]) of callables; got {type(surface).__name__}")
        self._f, self._grad, self._hess = parts
        if need_hess and not callable(self._hess):
            raise TypeError("newton needs the Hessian: surface must have a callable .hess "
                            "(or be a tuple (f, grad, hess))")
        self.n_f = self.n_grad = self.n_hess = 0

    def f(self, x: np.ndarray) -> float:
        self.n_f += 1
        return float(np.asarray(self._f(x), dtype=float).reshape(-1)[0])

    def grad(self, x: np.ndarray) -> np.ndarray:
        self.n_grad += 1
        return np.reshape(np.asarray(self._grad(x), dtype=float), x.shape)

    def hess(self, x: np.ndarray) -> np.ndarray:
        self.n_hess += 1
        d = x.shape[0]
        return np.reshape(np.asarray(self._hess(x), dtype=float), (d, d))


def _finish(xs, fs, gnorms, status, message, counted, alphas, notes, diverged_at=None):
    return SecondOrderTrace(np.array(xs), np.array(fs, dtype=float), np.array(gnorms, dtype=float),
                            status, message, diverged_at, None, n_f=counted.n_f,
                            n_grad=counted.n_grad, n_hess=counted.n_hess,
                            step_sizes=np.array(alphas, dtype=float), notes=tuple(notes))


def _converged(step: int, gnorm: float, tol: float) -> str:
    return f"converged at step {step}: |grad f| = {gnorm:.2g} <= tol = {tol:.2g}"


# ---------------------------------------------------------------- Newton
def modified_hessian(H: Any, beta: float = 1e-3) -> tuple[np.ndarray, float]:
    r"""Make a symmetric matrix positive definite by adding a multiple of the identity.

    Nocedal & Wright's Algorithm 3.3 (Cholesky with added multiple of the identity):
    try the Cholesky factorization of :math:`H + \tau I` with :math:`\tau = 0` (or
    :math:`\beta - \min_i H_{ii}` when a diagonal entry is not positive), doubling
    :math:`\tau` (at least to :math:`\beta`) until it succeeds.

    Returns
    -------
    (ndarray, float)
        :math:`H + \tau I` and :math:`\tau` (0 when :math:`H` was already positive definite).

    Examples
    --------
    >>> import numpy as np
    >>> modified_hessian(np.diag([2.0, 3.0]))[1]
    0.0
    >>> M, tau = modified_hessian(np.diag([2.0, -2.0]))
    >>> bool(np.all(np.linalg.eigvalsh(M) > 0)), tau
    (True, 2.002)
    """
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("H must be finite")
    beta = _real("beta", beta)
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    scale = max(1.0, float(np.max(np.abs(H))))  # beta relative to the size of H's entries
    smallest = float(np.min(np.diag(H)))
    tau = 0.0 if smallest > 0 else beta * scale - smallest
    identity = np.eye(len(H))
    while True:
        try:
            np.linalg.cholesky(H + tau * identity)
            return H + tau * identity, tau
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, beta * scale)


def _kind_of_stationary_point(H: np.ndarray) -> str | None:
    """None for a minimum (or an undecided semidefinite case), else 'saddle' or 'maximum'."""
    eig = np.linalg.eigvalsh(H)
    size = max(float(np.max(np.abs(eig))), 1e-300)
    negative = eig < -1e-10 * size
    if not negative.any():
        return None
    return "maximum" if negative.all() else "saddle"


def newton(surface: Any, x0: Any, *, damped: bool = False, tol: float = 1e-8,
           max_iter: int = 100) -> SecondOrderTrace:
    r"""Newton's method: jump to the minimum of the local quadratic model.

    At :math:`x_k`, with :math:`g_k = \nabla f(x_k)` and :math:`H_k = \nabla^2 f(x_k)`,
    the second-order Taylor model
    :math:`m_k(p) = f(x_k) + g_k^\top p + \tfrac12 p^\top H_k p` is stationary where
    :math:`H_k p = -g_k`. So

    .. math:: \text{solve } H_k\, p_k = -g_k, \qquad x_{k+1} = x_k + \alpha_k\, p_k .

    *Pure* Newton (``damped=False``) takes :math:`\alpha_k = 1`: one step to the
    minimum of a convex quadratic, quadratic convergence near a minimum with a
    positive definite Hessian. But it goes to *any* stationary point of the model:
    where :math:`H_k` has a negative eigenvalue, :math:`p_k` may point uphill
    (:math:`g_k^\top p_k \ge 0`) and the iterates may settle on a saddle point or a
    maximum. Pure Newton still takes those steps, records them in ``notes`` and
    ends with status ``"saddle"`` or ``"maximum"`` if it stops at such a point;
    a singular :math:`H_k` ends the run with ``"singular_hessian"``.

    *Damped* Newton (``damped=True``) first makes :math:`H_k` positive definite by
    adding a multiple of the identity, :math:`H_k + \tau_k I`
    (:func:`modified_hessian`; :math:`\tau_k = 0` where :math:`H_k` is already
    positive definite), so :math:`p_k` is a descent direction; then chooses
    :math:`\alpha_k` by Armijo backtracking from :math:`\alpha = 1`
    (:func:`backtracking`). Near a minimum it takes full steps and converges just as fast.

    Parameters
    ----------
    surface : Surface, object with ``.f``, ``.grad``, ``.hess``, or tuple ``(f, grad, hess)``
        ``hess(x)`` returns the (d, d) Hessian at ``x`` of shape (d,).
    x0 : array_like, shape (d,) or scalar
        The start.
    damped : bool, default False
        Modified Hessian and line search (see above).
    tol : float, default 1e-8
        Stop once :math:`\|\nabla f(x_k)\| \le` ``tol``.
    max_iter : int, default 100
        The largest number of steps.

    Returns
    -------
    SecondOrderTrace

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn.surfaces import quadratic, himmelblau
    >>> q = quadratic(100, angle=0.5)
    >>> trace = newton(q, [2.0, -1.0])              # one step on a quadratic
    >>> trace.steps, float(np.abs(trace.x).max()) < 1e-12
    (1, True)
    >>> pure = newton(himmelblau, [-0.5, -0.5])
    >>> pure.status, np.round(pure.x, 3)
    ('maximum', array([-0.271, -0.923]))
    >>> newton(himmelblau, [-0.5, -0.5], damped=True).status
    'converged'
    """
    if not isinstance(damped, (bool, np.bool_)):
        raise TypeError(f"damped must be True or False, got {damped!r}")
    tol = _check_tol(tol)
    max_iter = _check_int("max_iter", max_iter, 0)
    fun = _Counted(surface, need_hess=True)
    x = _start(x0)
    xs, fs, gnorms, alphas, notes = [x], [], [], [], []
    with np.errstate(all="ignore"):
        fx, g = fun.f(x), fun.grad(x)
        if not (math.isfinite(fx) and np.all(np.isfinite(g))):
            raise ValueError(f"f or its gradient is not finite at x0 = {x0!r}")
        for step in range(max_iter + 1):
            gnorm = float(np.linalg.norm(g))
            fs.append(fx)
            gnorms.append(gnorm)
            H = fun.hess(x) if gnorm <= tol or step < max_iter else None
            if gnorm <= tol:
                kind = _kind_of_stationary_point(H) if np.all(np.isfinite(H)) else None
                if kind is None:
                    return _finish(xs, fs, gnorms, "converged", _converged(step, gnorm, tol), fun, alphas, notes)
                eig = np.linalg.eigvalsh(H)
                message = (f"stopped at step {step} on a {kind}, not a minimum: |grad f| = {gnorm:.2g} "
                           f"but the Hessian has eigenvalues {np.array2string(eig, precision=3)}")
                if notes:
                    message += f"; {notes[0]}"
                return _finish(xs, fs, gnorms, kind, message, fun, alphas, notes)
            if step == max_iter:
                message = f"stopped after the maximum of {max_iter} steps"
                if notes:
                    message += f"; {notes[0]}"
                return _finish(xs, fs, gnorms, "max_steps", message, fun, alphas, notes)
            if not np.all(np.isfinite(H)):
                return _finish(xs, fs, gnorms, "diverged", f"diverged at step {step}: the Hessian is not finite",
                               fun, alphas, notes, diverged_at=step)
            if damped:
                M, tau = modified_hessian(H)
                if tau > 0:
                    notes.append(f"step {step}: Hessian not positive definite, added {tau:.4g}·I")
                p = np.linalg.solve(M, -g)
            else:
                eig = np.linalg.eigvalsh(H)
                size = float(np.max(np.abs(eig)))
                if size == 0 or float(np.min(np.abs(eig))) <= 1e-12 * size:
                    message = (f"singular Hessian at step {step}, x = {np.array2string(x, precision=4)}: "
                               f"eigenvalues {np.array2string(eig, precision=3)}, so H p = -g has no "
                               "unique solution")
                    return _finish(xs, fs, gnorms, "singular_hessian", message, fun, alphas, notes)
                p = np.linalg.solve(H, -g)
                slope = float(g @ p)
                if slope >= 0:
                    notes.append(f"step {step}: the Newton direction is not a descent direction "
                                 f"(g·p = {slope:.3g} >= 0) — negative curvature, Hessian eigenvalue "
                                 f"{eig.min():.3g}")
            alpha = 1.0
            if damped:
                search = backtracking(fun.f, x, fx, g, p)
                if not search.success:
                    message = (f"line search failed at step {step}: no step along the direction "
                               f"decreased f enough (last trial alpha = {search.alpha:.2g})")
                    return _finish(xs, fs, gnorms, "line_search_failed", message, fun, alphas, notes)
                alpha, x_new, fx = search.alpha, x + search.alpha * p, search.f
            else:
                x_new = x + p
                fx = fun.f(x_new) if np.all(np.isfinite(x_new)) else math.nan
            g = fun.grad(x_new) if np.all(np.isfinite(x_new)) else np.full_like(x, np.nan)
            if not (math.isfinite(fx) and np.all(np.isfinite(g))):
                return _finish(xs, fs, gnorms, "diverged",
                               f"diverged at step {step + 1}: f or its gradient is not finite at x",
                               fun, alphas, notes, diverged_at=step + 1)
            x = x_new
            xs.append(x)
            alphas.append(alpha)
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- BFGS
def bfgs_update(H: Any, s: Any, y: Any) -> np.ndarray:
    r"""The BFGS update of an inverse-Hessian approximation.

    With the step :math:`s = x_{k+1} - x_k`, the change of gradient
    :math:`y = \nabla f(x_{k+1}) - \nabla f(x_k)` and :math:`\rho = 1/(y^\top s)`,

    .. math:: H_{k+1} = (I - \rho\, s y^\top)\, H_k\, (I - \rho\, y s^\top) + \rho\, s s^\top .

    It satisfies the secant condition :math:`H_{k+1} y = s` (on a quadratic
    :math:`y = A s`, so :math:`H_{k+1}` acts like :math:`A^{-1}` along :math:`y`) and
    keeps :math:`H` symmetric positive definite when :math:`y^\top s > 0`.

    Parameters
    ----------
    H : array_like, shape (d, d)
        The current approximation of the inverse Hessian.
    s, y : array_like, shape (d,)
        The step and the change of gradient; :math:`y^\top s` must be > 0.

    Returns
    -------
    ndarray, shape (d, d)
        The new approximation (a new array; ``H`` is not modified).

    Examples
    --------
    >>> import numpy as np
    >>> s, y = np.array([1.0, 0.0]), np.array([2.0, 1.0])
    >>> H = bfgs_update(np.eye(2), s, y)
    >>> H @ y                                    # the secant condition
    array([1., 0.])
    """
    H = np.asarray(H, dtype=float)
    s = np.asarray(s, dtype=float)
    y = np.asarray(y, dtype=float)
    if H.ndim != 2 or H.shape != (s.size, s.size) or s.shape != (s.size,) or y.shape != s.shape:
        raise ValueError(f"H must have shape (d, d) and s, y shape (d,), got {H.shape}, {s.shape}, {y.shape}")
    sy = float(s @ y)
    if not sy > 0:
        raise ValueError(f"the curvature y·s must be > 0 for the BFGS update, got {sy:.3g}")
    rho = 1.0 / sy
    Hy = H @ y
    return H - rho * (np.outer(s, Hy) + np.outer(Hy, s)) + (rho * rho * float(y @ Hy) + rho) * np.outer(s, s)


def two_loop(g: Any, s_list: Sequence[Any], y_list: Sequence[Any], h0: float = 1.0) -> np.ndarray:
    r"""L-BFGS two-loop recursion: :math:`H g` without forming :math:`H`.

    :math:`H` is what :func:`bfgs_update` makes of :math:`H_0 = h_0 I` with the pairs
    :math:`(s_i, y_i)`, oldest first (Nocedal & Wright, Algorithm 7.4)::

        q = g
        for i = newest ... oldest:  a_i = rho_i s_i·q;  q = q - a_i y_i
        r = h0 q
        for i = oldest ... newest:  b = rho_i y_i·r;  r = r + s_i (a_i - b)
        return r

    :math:`O(m d)` work and memory for :math:`m` pairs, instead of the :math:`O(d^2)`
    of the matrix.

    Parameters
    ----------
    g : array_like, shape (d,)
    s_list, y_list : sequences of arrays of shape (d,)
        The stored pairs, oldest first, each with :math:`y_i^\top s_i > 0`.
    h0 : float, default 1
        The initial inverse Hessian is :math:`h_0 I`.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> s, y = np.array([1.0, 0.0]), np.array([2.0, 1.0])
    >>> two_loop(y, [s], [y])                    # H y = s, without H
    array([1., 0.])
    """
    h0 = _real("h0", h0)
    if not (math.isfinite(h0) and h0 > 0):
        raise ValueError(f"h0 must be a finite number > 0, got {h0}")
    if len(s_list) != len(y_list):
        raise ValueError(f"s_list and y_list must have the same length, got {len(s_list)} and {len(y_list)}")
    q = np.array(g, dtype=float)
    rhos = [1.0 / float(np.dot(s, y)) for s, y in zip(s_list, y_list)]
    alphas = []
    for s, y, rho in zip(reversed(s_list), reversed(y_list), reversed(rhos)):
        a = rho * float(np.dot(s, q))
        q -= a * np.asarray(y, dtype=float)
        alphas.append(a)
    r = h0 * q
    for s, y, rho, a in zip(s_list, y_list, rhos, reversed(alphas)):
        b = rho * float(np.dot(y, r))
        r += (a - b) * np.asarray(s, dtype=float)
    return r


def _quasi_newton(surface: Any, x0: Any, tol: float, max_iter: int, memory: int | None,
                  line_search: str = "wolfe") -> SecondOrderTrace:
    """BFGS (memory None: the full matrix) or L-BFGS with `memory` pairs."""
    if line_search not in ("wolfe", "armijo"):
        raise ValueError(f"line_search must be 'wolfe' or 'armijo', got {line_search!r}")
    tol = _check_tol(tol)
    max_iter = _check_int("max_iter", max_iter, 0)
    fun = _Counted(surface)
    x = _start(x0)
    d = x.size
    H = np.eye(d)                       # BFGS: the inverse-Hessian approximation
    pairs_s: list[np.ndarray] = []      # L-BFGS: the last `memory` pairs
    pairs_y: list[np.ndarray] = []
    h0 = 1.0
    first_update = True
    xs, fs, gnorms, alphas, notes = [x], [], [], [], []
    with np.errstate(all="ignore"):
        fx, g = fun.f(x), fun.grad(x)
        if not (math.isfinite(fx) and np.all(np.isfinite(g))):
            raise ValueError(f"f or its gradient is not finite at x0 = {x0!r}")
        for step in range(max_iter + 1):
            gnorm = float(np.linalg.norm(g))
            fs.append(fx)
            gnorms.append(gnorm)
            if gnorm <= tol:
                return _finish(xs, fs, gnorms, "converged", _converged(step, gnorm, tol), fun, alphas, notes)
            if step == max_iter:
                return _finish(xs, fs, gnorms, "max_steps", f"stopped after the maximum of {max_iter} steps",
                               fun, alphas, notes)
            p = -(H @ g) if memory is None else -two_loop(g, pairs_s, pairs_y, h0)
            if not float(g @ p) < 0:    # round-off only: H stays positive definite
                notes.append(f"step {step}: not a descent direction, restarted from H = I")
                H, pairs_s, pairs_y, h0, p = np.eye(d), [], [], 1.0, -g
            # Before any curvature is known, a first step longer than 1 is scaled to length 1.
            alpha0 = 1.0 if (step > 0 and not first_update) or gnorm <= 1 else 1.0 / gnorm
            if line_search == "wolfe":
                search = wolfe_line_search(fun.f, fun.grad, x, fx, g, p, alpha0=alpha0)
                # a failed Wolfe search still returns a step with sufficient decrease if it found one
                ok = search.success or (search.alpha > 0 and search.f <= fx + 1e-4 * search.alpha * float(g @ p))
                if not search.success and ok:
                    notes.append(f"step {step}: the curvature condition was not met; Armijo step taken")
            else:
                search = backtracking(fun.f, x, fx, g, p, alpha0=alpha0)
                ok = search.success
            if not ok:
                message = (f"line search failed at step {step}: no step along the direction "
                           f"decreased f enough (last trial alpha = {search.alpha:.2g})")
                return _finish(xs, fs, gnorms, "line_search_failed", message, fun, alphas, notes)
            s = search.alpha * p
            x_new = x + s
            if line_search == "wolfe":
                g_new = search.g
            else:
                g_new = fun.grad(x_new) if np.all(np.isfinite(x_new)) else np.full_like(x, np.nan)
            if not (math.isfinite(search.f) and np.all(np.isfinite(g_new))):
                return _finish(xs, fs, gnorms, "diverged",
                               f"diverged at step {step + 1}: f or its gradient is not finite at x",
                               fun, alphas, notes, diverged_at=step + 1)
            y = g_new - g
            sy = float(s @ y)
            if sy > 1e-12 * float(np.linalg.norm(s) * np.linalg.norm(y)):
                if memory is None:
                    if first_update:    # Nocedal & Wright (6.20): scale H0 before the first update
                        H = (sy / float(y @ y)) * np.eye(d)
                    H = bfgs_update(H, s, y)
                else:
                    pairs_s.append(s)
                    pairs_y.append(y)
                    if len(pairs_s) > memory:
                        pairs_s.pop(0)
                        pairs_y.pop(0)
                    h0 = sy / float(y @ y)   # Nocedal & Wright (7.20)
                first_update = False
            else:
                notes.append(f"step {step}: skipped the update, y·s = {sy:.3g} is not > 0 "
                                 "(> 1e-12·|s||y|)")
            x, fx, g = x_new, search.f, g_new
            xs.append(x)
            alphas.append(search.alpha)
    raise AssertionError("unreachable")  # pragma: no cover


def bfgs(surface: Any, x0: Any, *, tol: float = 1e-8, max_iter: int = 1000,
         line_search: str = "wolfe") -> SecondOrderTrace:
    r"""BFGS: a quasi-Newton method that learns the inverse Hessian from gradients.

    Keeps :math:`H_k \approx \nabla^2 f(x_k)^{-1}` (Nocedal & Wright's notation:
    :math:`B_k` approximates the Hessian, :math:`H_k = B_k^{-1}` its inverse) and steps
    along :math:`p_k = -H_k \nabla f(x_k)` with a line search, first trial
    :math:`\alpha = 1`: by default one that enforces the strong Wolfe conditions
    (:func:`wolfe_line_search`, :math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`), which
    guarantees :math:`y_k^\top s_k > 0`; with ``line_search="armijo"``, Armijo
    backtracking (:func:`backtracking`), which does not. After each step
    :math:`s_k = x_{k+1} - x_k`, :math:`y_k = \nabla f(x_{k+1}) - \nabla f(x_k)`:

    .. math:: H_{k+1} = (I - \rho_k s_k y_k^\top) H_k (I - \rho_k y_k s_k^\top)
              + \rho_k s_k s_k^\top, \qquad \rho_k = \frac{1}{y_k^\top s_k}

    (:func:`bfgs_update`), so that :math:`H_{k+1} y_k = s_k` (the secant condition).

    Details: :math:`H_0 = I`, and the first step is scaled to length 1 when the
    gradient is longer; before the first update :math:`H_0` is rescaled to
    :math:`(y^\top s / y^\top y)\, I` (Nocedal & Wright, eq. 6.20). The update is
    **skipped** when :math:`y_k^\top s_k \le 0` (numerically: not above
    :math:`10^{-12} \|s_k\|\|y_k\|`): it would make :math:`H` indefinite. With the
    Armijo search this happens on non-convex stretches; with the Wolfe search only
    if the search fails to meet the curvature condition (then a step with sufficient
    decrease is still taken). Skips are listed in ``notes``.

    Parameters
    ----------
    surface : Surface, object with ``.f`` and ``.grad``, or pair ``(f, grad)``
    x0 : array_like, shape (d,) or scalar
    tol : float, default 1e-8
        Stop once :math:`\|\nabla f(x_k)\| \le` ``tol``.
    max_iter : int, default 1000
    line_search : {"wolfe", "armijo"}, default "wolfe"
        The strong Wolfe search or Armijo backtracking (the default before 2026-12).

    Returns
    -------
    SecondOrderTrace
        ``n_hess`` is 0: BFGS never evaluates the Hessian.

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn.surfaces import rosenbrock
    >>> trace = bfgs(rosenbrock, [-1.2, 1.0])
    >>> trace.status, trace.steps, trace.n_hess
    ('converged', 39, 0)
    """
    return _quasi_newton(surface, x0, tol, max_iter, None, line_search)


def lbfgs(surface: Any, x0: Any, *, m: int = 10, tol: float = 1e-8, max_iter: int = 1000,
          line_search: str = "wolfe") -> SecondOrderTrace:
    r"""L-BFGS: BFGS with only the last ``m`` pairs :math:`(s_i, y_i)` kept.

    The direction :math:`p_k = -H_k \nabla f(x_k)` comes from the two-loop
    recursion (:func:`two_loop`), with :math:`H_k` the BFGS matrix built from
    :math:`H^0_k = \gamma_k I`, :math:`\gamma_k = s_{k-1}^\top y_{k-1} / y_{k-1}^\top y_{k-1}`
    (Nocedal & Wright, eq. 7.20), and the stored pairs: :math:`O(m d)` memory and
    work per step instead of :math:`O(d^2)`. Line search, first step and skipped
    updates (:math:`y^\top s \le 0`) as in :func:`bfgs`.

    Parameters
    ----------
    surface : Surface, object with ``.f`` and ``.grad``, or pair ``(f, grad)``
    x0 : array_like, shape (d,) or scalar
    m : int, default 10
        Number of pairs kept (>= 1).
    tol : float, default 1e-8
    max_iter : int, default 1000
    line_search : {"wolfe", "armijo"}, default "wolfe"

    Returns
    -------
    SecondOrderTrace

    Examples
    --------
    >>> import numpy as np
    >>> from gdlearn.surfaces import rosenbrock
    >>> trace = lbfgs(rosenbrock, [-1.2, 1.0], m=5)
    >>> trace.status, bool(np.allclose(trace.x, 1.0, atol=1e-6))
    ('converged', True)
    """
    m = _check_int("m", m, 1)
    return _quasi_newton(surface, x0, tol, max_iter, m, line_search)
