r"""Learning-rate schedules: functions ``step -> lr`` (introduced in chapter 04).

A schedule is a plain function of the step count :math:`t = 0, 1, 2, \dots`
(the first update uses ``schedule(0)``). Pass one as the ``lr`` of any optimizer
in :mod:`gdlearn.optim`. Every schedule accepts an ``int`` (and returns a
``float``) or an integer numpy array of steps (and returns an array), so a
whole schedule can be plotted in one call.

Examples
--------
>>> import numpy as np
>>> from gdlearn.schedules import cosine_schedule
>>> schedule = cosine_schedule(0.1, total_steps=100)
>>> schedule(0), schedule(50), schedule(100)
(0.1, 0.05, 0.0)
>>> schedule(np.array([0, 50, 100])).round(3)
array([0.1 , 0.05, 0.  ])
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Sequence, Union

import numpy as np

__all__ = [
    "Schedule",
    "constant_schedule",
    "step_schedule",
    "exponential_schedule",
    "inverse_time_schedule",
    "cosine_schedule",
    "linear_warmup",
    "join_schedules",
    "warmup_cosine_schedule",
]

Step = Union[int, np.ndarray]
Schedule = Callable[[Step], Union[float, np.ndarray]]


def _check_real(name: str, value: object, interval: str) -> float:
    """Check that ``value`` is a real number in ``interval``, written like ``"[0, 1)"``.

    Returns the value as a float; raises TypeError for a non-number (bools
    included) and ValueError outside the interval, naming the argument.
    """
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}, got {type(value).__name__} {value!r}")
    value = float(value)
    above = value >= low if interval[0] == "[" else value > low
    below = value <= high if interval[-1] == "]" else value < high
    if not (above and below):  # also catches nan
        if high == math.inf:
            raise ValueError(f"{name} must be {'>=' if interval[0] == '[' else '>'} {low:g}, got {value}")
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def _check_int(name: str, value: object, low: int) -> int:
    """Check that ``value`` is an integer >= ``low``; return it as an int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)


def _as_steps(step: Step) -> np.ndarray:
    """The step count(s) as an integer array; steps are integers >= 0."""
    steps = np.asarray(step)
    if steps.dtype.kind not in "iu":
        raise TypeError(f"step must be an integer or an integer array, got {steps.dtype} {step!r}")
    if np.any(steps < 0):
        raise ValueError(f"step must be >= 0, got {step!r}")
    return steps


def _result(values: np.ndarray, steps: np.ndarray) -> float | np.ndarray:
    """A float for a single step, a float64 array for an array of steps."""
    values = np.asarray(values, dtype=np.float64)
    return float(values) if steps.ndim == 0 else np.broadcast_to(values, steps.shape).copy()


def constant_schedule(lr: float) -> Schedule:
    r"""The same learning rate at every step: :math:`\eta_t = \eta`.

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = constant_schedule(0.1)
    >>> schedule(0), schedule(1000)
    (0.1, 0.1)
    """
    lr = _check_real("lr", lr, "(0, inf)")

    def schedule(step: Step) -> float | np.ndarray:
        return _result(lr, _as_steps(step))

    return schedule


def step_schedule(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps (torch's ``StepLR``).

    .. math:: \eta_t = \eta \, \gamma^{\lfloor t / s \rfloor}

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The initial learning rate :math:`\eta > 0`.
    step_size : int
        The number of steps :math:`s \ge 1` between two decays.
    gamma : float, default 0.1
        The decay factor :math:`\gamma > 0`.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = step_schedule(0.1, step_size=10, gamma=0.5)
    >>> schedule(0), schedule(9), schedule(10), schedule(25)
    (0.1, 0.1, 0.05, 0.025)
    """
    lr = _check_real("lr", lr, "(0, inf)")
    step_size = _check_int("step_size", step_size, 1)
    gamma = _check_real("gamma", gamma, "(0, inf)")

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        return _result(lr * gamma ** (steps // step_size), steps)

    return schedule


def exponential_schedule(lr: float, gamma: float) -> Schedule:
    r"""Multiply the learning rate by ``gamma`` at every step (torch's ``ExponentialLR``).

    .. math:: \eta_t = \eta \, \gamma^{t}

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The initial learning rate :math:`\eta > 0`.
    gamma : float
        The factor per step :math:`\gamma > 0` (below 1 it decays; above 1 it
        grows, as in a learning-rate range test).

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = exponential_schedule(1.0, gamma=0.5)
    >>> schedule(0), schedule(1), schedule(3)
    (1.0, 0.5, 0.125)
    """
    lr = _check_real("lr", lr, "(0, inf)")
    gamma = _check_real("gamma", gamma, "(0, inf)")

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        return _result(lr * gamma ** steps.astype(np.float64), steps)

    return schedule


def inverse_time_schedule(lr: float, decay: float) -> Schedule:
    r"""The :math:`1/t` decay of stochastic approximation.

    .. math:: \eta_t = \frac{\eta}{1 + d\,t}

    With :math:`d > 0` it meets the Robbins–Monro conditions
    :math:`\sum_t \eta_t = \infty`, :math:`\sum_t \eta_t^2 < \infty` (Robbins &
    Monro, 1951). Its :math:`O(1/t)` guarantee for SGD needs more: a
    :math:`\mu`-strongly convex objective and :math:`\eta/d > 1/(2\mu)`
    (Nemirovski, Juditsky, Lan & Shapiro, 2009, section 2.1); with a smaller
    :math:`\eta/d` convergence can be arbitrarily slow.

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The initial learning rate :math:`\eta > 0`.
    decay : float
        The decay rate :math:`d \ge 0`.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = inverse_time_schedule(1.0, decay=0.5)
    >>> schedule(0), schedule(2), schedule(6)
    (1.0, 0.5, 0.25)
    """
    lr = _check_real("lr", lr, "(0, inf)")
    decay = _check_real("decay", decay, "[0, inf)")

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        return _result(lr / (1.0 + decay * steps), steps)

    return schedule


def cosine_schedule(lr: float, total_steps: int, min_lr: float = 0.0) -> Schedule:
    r"""Half a cosine from ``lr`` down to ``min_lr`` over ``total_steps``, then ``min_lr``.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                 \left(1 + \cos\frac{\pi \min(t, T)}{T}\right)

    This is torch's ``CosineAnnealingLR`` in closed form for :math:`t \le T`;
    after :math:`T` it stays at :math:`\eta_{\min}` (as optax's
    ``cosine_decay_schedule``) instead of rising again.

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The initial learning rate :math:`\eta > 0`.
    total_steps : int
        The length :math:`T \ge 1` of the decay.
    min_lr : float, default 0.0
        The final learning rate :math:`\eta_{\min}`, in ``[0, lr]``.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = cosine_schedule(1.0, total_steps=4, min_lr=0.2)
    >>> [round(schedule(t), 4) for t in range(6)]
    [1.0, 0.8828, 0.6, 0.3172, 0.2, 0.2]
    """
    lr = _check_real("lr", lr, "(0, inf)")
    total_steps = _check_int("total_steps", total_steps, 1)
    min_lr = _check_real("min_lr", min_lr, f"[0, {lr!r}]")

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        progress = np.minimum(steps, total_steps) / total_steps
        return _result(min_lr + 0.5 * (lr - min_lr) * (1.0 + np.cos(np.pi * progress)), steps)

    return schedule


def linear_warmup(lr: float, warmup_steps: int, start_lr: float = 0.0) -> Schedule:
    r"""Rise linearly from ``start_lr`` to ``lr`` over ``warmup_steps``, then stay at ``lr``.

    .. math::
        \eta_t = \eta_0 + (\eta - \eta_0) \, \frac{\min(t, W)}{W}

    With the default ``start_lr=0`` the first update (``t = 0``) does not move.

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta > 0` reached at step :math:`W`.
    warmup_steps : int
        The length :math:`W \ge 1` of the warm-up.
    start_lr : float, default 0.0
        The learning rate :math:`\eta_0 \ge 0` at step 0.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = linear_warmup(0.1, warmup_steps=4)
    >>> [schedule(t) for t in range(6)]
    [0.0, 0.025, 0.05, 0.075, 0.1, 0.1]
    """
    lr = _check_real("lr", lr, "(0, inf)")
    warmup_steps = _check_int("warmup_steps", warmup_steps, 1)
    start_lr = _check_real("start_lr", start_lr, "[0, inf)")

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        return _result(start_lr + (lr - start_lr) * np.minimum(steps, warmup_steps) / warmup_steps, steps)

    return schedule


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    r"""Run ``schedules[0]`` until ``boundaries[0]``, then ``schedules[1]``, and so on.

    As optax's ``join_schedules``: from step :math:`b_k` on, schedule
    :math:`k+1` is used and sees the step counted from its own start,
    :math:`t - b_k`.

    .. math:: \eta_t = \eta^{(k)}(t - b_{k-1}) \quad\text{for } b_{k-1} \le t < b_k,
              \qquad b_{-1} = 0

    Introduced in chapter 04.

    Parameters
    ----------
    schedules : sequence of callables
        The ``n`` schedules, each ``step -> lr``.
    boundaries : sequence of int
        The ``n - 1`` steps where the next schedule takes over, strictly
        increasing and >= 1.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = join_schedules([constant_schedule(0.1), exponential_schedule(0.1, 0.5)], [3])
    >>> [schedule(t) for t in range(6)]
    [0.1, 0.1, 0.1, 0.1, 0.05, 0.025]
    """
    schedules = tuple(schedules)
    if not schedules or not all(callable(s) for s in schedules):
        raise TypeError(f"schedules must be a non-empty sequence of callables step -> lr, got {schedules!r}")
    boundaries = tuple(_check_int("boundaries", b, 1) for b in boundaries)
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(f"boundaries must hold len(schedules) - 1 = {len(schedules) - 1} steps, "
                         f"got {len(boundaries)}: {boundaries}")
    if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
        raise ValueError(f"boundaries must be strictly increasing, got {boundaries}")
    starts = (0,) + boundaries

    def schedule(step: Step) -> float | np.ndarray:
        steps = _as_steps(step)
        index = np.searchsorted(boundaries, steps, side="right")
        if steps.ndim == 0:
            return float(schedules[index](int(steps) - starts[index]))
        values = np.empty(steps.shape)
        for k, (piece, start) in enumerate(zip(schedules, starts)):
            mask = index == k
            if mask.any():
                values[mask] = piece(steps[mask] - start)
        return values

    return schedule


def warmup_cosine_schedule(lr: float, warmup_steps: int, total_steps: int,
                           min_lr: float = 0.0) -> Schedule:
    r"""Linear warm-up from 0 to ``lr``, then a cosine decay to ``min_lr``.

    ``total_steps`` counts the warm-up too (as optax's
    ``warmup_cosine_decay_schedule``):

    .. math::
        \eta_t = \begin{cases}
            \eta \, t / W & t < W \\
            \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
            \left(1 + \cos\frac{\pi \min(t - W,\, T - W)}{T - W}\right) & t \ge W
        \end{cases}

    Introduced in chapter 04.

    Parameters
    ----------
    lr : float
        The peak learning rate :math:`\eta > 0`, reached at step :math:`W`.
    warmup_steps : int
        The length :math:`W \ge 1` of the warm-up.
    total_steps : int
        The step :math:`T > W` where the decay reaches ``min_lr``.
    min_lr : float, default 0.0
        The final learning rate :math:`\eta_{\min}`, in ``[0, lr]``.

    Returns
    -------
    callable
        ``step -> lr``.

    Examples
    --------
    >>> schedule = warmup_cosine_schedule(1.0, warmup_steps=2, total_steps=6)
    >>> [round(schedule(t), 4) for t in range(8)]
    [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    warmup_steps = _check_int("warmup_steps", warmup_steps, 1)
    total_steps = _check_int("total_steps", total_steps, 2)
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must be > warmup_steps = {warmup_steps}, got {total_steps}")
    return join_schedules(
        [linear_warmup(lr, warmup_steps), cosine_schedule(lr, total_steps - warmup_steps, min_lr)],
        [warmup_steps],
    )
