r"""Gradient descent with momentum: :func:`scale_by_momentum` and :func:`sgd` (``torch.optim.SGD``).

Built on :mod:`gdlearn.optim.base`; import both from :mod:`gdlearn.optim`.

Examples
--------
>>> import numpy as np
>>> from gdlearn.optim import sgd, apply_updates
>>> opt = sgd(lr=0.25)
>>> params = np.array([1.0, -2.0])
>>> state = opt.init(params)
>>> updates, state = opt.update(2 * params, state, params)   # the gradient of |x|^2
>>> apply_updates(params, updates)
array([ 0.5, -1. ])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..schedules import Schedule, _check_real
from .base import (
    GradientTransformation,
    Params,
    Updates,
    _check_shapes,
    _check_state,
    _leaf,
    _tree_map,
    add_decayed_weights,
    apply_updates,  # noqa: F401  (the examples below use it)
    chain,
    identity,
    scale_by_learning_rate,
)

__all__ = ["MomentumState", "scale_by_momentum", "sgd"]


class MomentumState(NamedTuple):
    """The state of :func:`scale_by_momentum`: the update count and torch's ``momentum_buffer``."""

    count: int
    momentum_buffer: Params



def scale_by_momentum(momentum: float, dampening: float = 0.0,
                      nesterov: bool = False) -> GradientTransformation:
    r"""Heavy-ball or Nesterov momentum, with torch's ``momentum_buffer``.

    .. math::
        b_t = \begin{cases} g_t & t = 0 \\ \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 0 \end{cases}
        \qquad
        u_t = \begin{cases} g_t + \mu\, b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases}

    The buffer starts as the first gradient (torch's code), not as zero.

    Introduced in chapter 05.

    Parameters
    ----------
    momentum : float
        :math:`\mu \in [0, 1)`.
    dampening : float, default 0.0
        :math:`\tau \in [0, 1]`.
    nesterov : bool, default False
        Nesterov's look-ahead; requires ``momentum > 0`` and ``dampening == 0``
        (torch's rule).

    Returns
    -------
    GradientTransformation
        With state ``MomentumState(count, momentum_buffer)``.

    Examples
    --------
    >>> opt = scale_by_momentum(0.9)
    >>> state = opt.init(np.zeros(2))
    >>> for g in [np.array([1.0, 0.0]), np.array([1.0, 1.0])]:
    ...     updates, state = opt.update(g, state)
    >>> state
    MomentumState(count=2, momentum_buffer=array([1.9, 1. ]))
    """
    momentum = _check_real("momentum", momentum, "[0, 1)")
    dampening = _check_real("dampening", dampening, "[0, 1]")
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {type(nesterov).__name__} {nesterov!r}")
    if nesterov and (momentum == 0 or dampening != 0):
        raise ValueError("nesterov=True requires momentum > 0 and dampening = 0 (torch's rule), "
                         f"got momentum={momentum}, dampening={dampening}")

    def init(params: Params) -> MomentumState:
        return MomentumState(count=0, momentum_buffer=_tree_map(
            lambda p: np.zeros_like(_leaf(p, "params")), (params,), ("params",)))

    def next_buffer(first: bool, g: Any, buffer: np.ndarray) -> np.ndarray:
        g = _leaf(g, "grads")
        if g.shape != buffer.shape:
            _check_shapes(g, buffer, "grads", "momentum_buffer")
        if first:
            return g.copy()
        new = buffer * momentum
        new += g if dampening == 0 else (1.0 - dampening) * g
        return new

    def look_ahead(g: Any, buffer: np.ndarray) -> np.ndarray:
        new = buffer * momentum
        new += _leaf(g, "grads")
        return new

    def update(updates: Updates, state: MomentumState,
               params: Params | None = None) -> tuple[Updates, MomentumState]:
        if state.__class__ is not MomentumState:
            _check_state(state, MomentumState)
        first = state.count == 0
        if type(updates) is np.ndarray and type(state.momentum_buffer) is np.ndarray:   # one array: fast
            buffer = next_buffer(first, updates, state.momentum_buffer)
            new_updates = look_ahead(updates, buffer) if nesterov else buffer
        else:
            buffer = _tree_map(lambda g, b: next_buffer(first, g, b), (updates, state.momentum_buffer),
                               ("grads", "momentum_buffer"))
            new_updates = (_tree_map(look_ahead, (updates, buffer), ("grads", "momentum_buffer"))
                           if nesterov else buffer)
        # Without Nesterov the update is the new buffer itself: no block mutates its input.
        return new_updates, MomentumState(state.count + 1, buffer)

    return GradientTransformation(init, update)



# --- optimizers --------------------------------------------------------------------------

def sgd(lr: float | np.ndarray | Schedule = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        nesterov: bool = False, weight_decay: float = 0.0) -> GradientTransformation:
    r"""Stochastic gradient descent with momentum: ``torch.optim.SGD`` as a gradient transformation.

    .. math::
        g_t &\leftarrow \nabla f(\theta_t) + \lambda\, \theta_t \\
        b_t &= \begin{cases} g_t & t = 0 \\ \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 0 \end{cases} \\
        d_t &= \begin{cases} g_t + \mu\, b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases} \\
        \theta_{t+1} &= \theta_t - \eta_t\, d_t

    With ``momentum=0`` this is plain gradient descent,
    :math:`\theta_{t+1} = \theta_t - \eta_t \nabla f(\theta_t)`. The trajectory is
    torch's to float64 round-off.

    It is ``chain(add_decayed_weights(weight_decay), scale_by_momentum(momentum,
    dampening, nesterov), scale_by_learning_rate(lr))``, where a block that
    would do nothing (``weight_decay=0``, ``momentum=0``) is ``identity()``,
    as torch skips it. So the state is always a 3-tuple and ``state[1]`` is
    the momentum state.

    Introduced in chapter 02 (momentum in chapter 05).

    Parameters
    ----------
    lr : float, ndarray or callable, default 1e-3
        The learning rate :math:`\eta > 0`, an array of them (one per run), or a
        schedule ``step -> lr`` (step counts from 0).
    momentum : float, default 0.0
        :math:`\mu \in [0, 1)`.
    dampening : float, default 0.0
        :math:`\tau \in [0, 1]`; ignored when ``momentum=0``.
    nesterov : bool, default False
        Nesterov momentum; requires ``momentum > 0`` and ``dampening = 0``.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> opt = sgd(lr=0.1, momentum=0.9)
    >>> params = np.array([1.0, -2.0])
    >>> state = opt.init(params)
    >>> for _ in range(3):
    ...     grads = 2 * params                       # f(x) = |x|^2
    ...     updates, state = opt.update(grads, state, params)
    ...     params = apply_updates(params, updates)
    >>> params
    array([ 0.062, -0.124])
    >>> state[1]
    MomentumState(count=3, momentum_buffer=array([ 3.98, -7.96]))
    """
    momentum_block = scale_by_momentum(momentum, dampening, nesterov)
    decay_block = add_decayed_weights(weight_decay)
    return chain(decay_block if weight_decay else identity(),
                 momentum_block if momentum else identity(),
                 scale_by_learning_rate(lr))
