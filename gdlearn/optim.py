r"""Optimizers as gradient transformations: a pair of pure functions ``init`` and ``update``.

The optax idea in plain numpy. An optimizer holds no hidden state; you keep the
state and pass it back in::

    opt = sgd(lr=0.1, momentum=0.9)
    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = apply_updates(params, updates)          # params + updates

``params`` is a float64 numpy array or a dict of them (nothing deeper).
``update`` never mutates its arguments or an earlier state, so a run can keep
every state and plot it. Every transformation here except
:func:`clip_by_global_norm` acts elementwise, so ``params`` of shape ``(d, n)``
hold ``n`` independent runs, and ``lr`` may be an array of shape ``(n,)``
(one learning rate per run).

Small blocks compose with :func:`chain`; the named optimizers are short
compositions of them, with torch's hyperparameter names, defaults and update
equations. The learning-rate schedules of :mod:`gdlearn.schedules` are
re-exported here.

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

from collections.abc import Mapping   # not typing.Mapping: isinstance is 10x slower there
from typing import Any, Callable, NamedTuple, Union

import numpy as np

from .schedules import (
    Schedule,
    _check_real,
    constant_schedule,
    cosine_schedule,
    exponential_schedule,
    inverse_time_schedule,
    join_schedules,
    linear_warmup,
    step_schedule,
    warmup_cosine_schedule,
)

__all__ = [
    "Params",
    "Updates",
    "GradientTransformation",
    "EmptyState",
    "ScaleByLearningRateState",
    "MomentumState",
    "apply_updates",
    "chain",
    "identity",
    "scale_by_learning_rate",
    "scale_by_momentum",
    "add_decayed_weights",
    "clip_by_global_norm",
    "clip_by_value",
    "sgd",
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

Params = Union[np.ndarray, dict[str, np.ndarray]]
Updates = Params


class GradientTransformation(NamedTuple):
    """An optimizer, or a block of one: two pure functions.

    ``init(params) -> state`` builds the first state;
    ``update(grads, state, params=None) -> (updates, new_state)`` turns
    gradients into updates (to be *added* to the params).
    """

    init: Callable[[Params], Any]
    update: Callable[..., tuple[Updates, Any]]


class EmptyState(NamedTuple):
    """The state of a transformation that remembers nothing."""


class ScaleByLearningRateState(NamedTuple):
    """The state of :func:`scale_by_learning_rate`: the number of updates done."""

    count: int


class MomentumState(NamedTuple):
    """The state of :func:`scale_by_momentum`: the update count and torch's ``momentum_buffer``."""

    count: int
    momentum_buffer: Params


# --- params: an array or a flat dict of arrays -------------------------------------------

def _leaf(x: Any, name: str) -> np.ndarray:
    """One leaf as a float64 array (no copy when it already is one)."""
    if isinstance(x, Mapping):
        raise TypeError(f"{name} must be a numpy array or a dict of numpy arrays (nothing deeper), "
                        "got a nested dict")
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numpy array or a dict of numpy arrays, "
                        f"got {type(x).__name__} {x!r}") from None


def _tree_map(fn: Callable, trees: tuple, names: tuple) -> Any:
    """Apply ``fn`` leaf by leaf to arrays, or to dicts with the same keys."""
    first = trees[0]
    for tree, name in zip(trees[1:], names[1:]):
        if isinstance(first, Mapping) != isinstance(tree, Mapping) or (
                isinstance(first, Mapping) and first.keys() != tree.keys()):
            describe = [sorted(t) if isinstance(t, Mapping) else "an array" for t in (tree, first)]
            raise ValueError(f"{name} ({describe[0]}) does not match {names[0]} ({describe[1]})")
    if isinstance(first, Mapping):
        return {key: fn(*(tree[key] for tree in trees)) for key in first}
    return fn(*trees)


def _check_shapes(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} shape {a.shape} does not match {name_b} shape {b.shape}")


def _check_state(state: Any, cls: type) -> None:
    if not isinstance(state, cls):
        raise TypeError(f"state must be a {cls.__name__} from this transformation's init, "
                        f"got {type(state).__name__}")


def apply_updates(params: Params, updates: Updates) -> Params:
    r"""Return ``params + updates`` as new arrays: :math:`\theta_{t+1} = \theta_t + u_t`.

    Introduced in chapter 02.

    Parameters
    ----------
    params : ndarray or dict of ndarray
        The current parameters (not modified).
    updates : ndarray or dict of ndarray
        The updates from an optimizer's ``update``, same structure and shapes.

    Returns
    -------
    ndarray or dict of ndarray

    Examples
    --------
    >>> apply_updates({"w": np.array([1.0, 2.0]), "b": np.array([0.5])},
    ...               {"w": np.array([-0.5, 0.5]), "b": np.array([-0.5])})
    {'w': array([0.5, 2.5]), 'b': array([0.])}
    """
    def add(p: Any, u: Any) -> np.ndarray:
        p, u = _leaf(p, "params"), _leaf(u, "updates")
        _check_shapes(u, p, "updates", "params")
        return p + u

    return _tree_map(add, (params, updates), ("params", "updates"))


# --- blocks ------------------------------------------------------------------------------

def chain(*transforms: GradientTransformation) -> GradientTransformation:
    r"""Apply transformations one after the other; the state is the tuple of their states.

    .. math:: u_t = T_k(\dots T_2(T_1(g_t)))

    Introduced in chapter 02.

    Parameters
    ----------
    *transforms : GradientTransformation
        The blocks, in the order they act on the gradient.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> opt = chain(clip_by_value(1.0), scale_by_learning_rate(0.1))
    >>> state = opt.init(np.zeros(2))
    >>> state
    (EmptyState(), ScaleByLearningRateState(count=0))
    >>> updates, state = opt.update(np.array([3.0, -0.5]), state)
    >>> updates
    array([-0.1 ,  0.05])
    """
    for t in transforms:
        if not isinstance(t, GradientTransformation):
            raise TypeError(f"transforms must be GradientTransformations, got {type(t).__name__}")

    def init(params: Params) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(updates: Updates, state: tuple, params: Params | None = None) -> tuple[Updates, tuple]:
        if not isinstance(state, tuple) or len(state) != len(transforms):
            raise ValueError(f"state must be the tuple of {len(transforms)} states made by this "
                             f"chain's init, got {state!r}")
        new_state = []
        for t, inner in zip(transforms, state):
            updates, inner = t.update(updates, inner, params)
            new_state.append(inner)
        return updates, tuple(new_state)

    return GradientTransformation(init, update)


def identity() -> GradientTransformation:
    """Pass the gradient through unchanged (a placeholder block).

    Introduced in chapter 02.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> opt = identity()
    >>> opt.update(np.array([1.0, 2.0]), opt.init(np.zeros(2)))
    (array([1., 2.]), EmptyState())
    """
    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
        return updates, state

    return GradientTransformation(init, update)


def _check_lr(lr: Any) -> float | np.ndarray | Schedule:
    """A learning rate: a number > 0, an array of them (a sweep), or a schedule."""
    if callable(lr):
        return lr
    if isinstance(lr, (np.ndarray, list, tuple)):
        try:
            lrs = np.array(lr, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"lr must be a number, an array of numbers or a schedule, got {lr!r}") from None
        if lrs.size == 0 or not np.all((lrs > 0) & np.isfinite(lrs)):
            raise ValueError(f"lr must be > 0 (and finite) everywhere, got {lrs}")
        return lrs
    try:
        return _check_real("lr", lr, "(0, inf)")
    except TypeError:
        raise TypeError("lr must be a number > 0, an array of them (a sweep) or a schedule "
                        f"(a callable step -> lr), got {type(lr).__name__} {lr!r}") from None


def scale_by_learning_rate(lr: float | np.ndarray | Schedule) -> GradientTransformation:
    r"""Scale by minus the learning rate: :math:`u_t = -\eta_t \, g_t`.

    Introduced in chapter 02.

    Parameters
    ----------
    lr : float, ndarray or callable
        A number :math:`\eta > 0`; an array of them that broadcasts against the
        params (shape ``(n,)`` against params ``(d, n)``: one rate per run);
        or a schedule ``step -> lr``, called with ``step = 0`` at the first update.

    Returns
    -------
    GradientTransformation
        With state ``ScaleByLearningRateState(count)``.

    Examples
    --------
    >>> opt = scale_by_learning_rate(lambda step: 0.1 / (step + 1))
    >>> state = opt.init(np.zeros(1))
    >>> updates, state = opt.update(np.array([1.0]), state)
    >>> updates, state
    (array([-0.1]), ScaleByLearningRateState(count=1))
    >>> opt.update(np.array([1.0]), state)[0]
    array([-0.05])
    """
    lr = _check_lr(lr)

    def check_broadcast(p: Any) -> None:
        p = _leaf(p, "params")
        try:
            shape = np.broadcast_shapes(lr.shape, p.shape)
        except ValueError:
            shape = None
        if shape != p.shape:
            raise ValueError(f"lr shape {lr.shape} does not broadcast against params shape {p.shape} "
                             "(for a sweep: lr of shape (n,) with params of shape (d, n))")

    def init(params: Params) -> ScaleByLearningRateState:
        if isinstance(lr, np.ndarray):
            _tree_map(check_broadcast, (params,), ("params",))
        return ScaleByLearningRateState(count=0)

    def update(updates: Updates, state: ScaleByLearningRateState,
               params: Params | None = None) -> tuple[Updates, ScaleByLearningRateState]:
        _check_state(state, ScaleByLearningRateState)
        minus_lr = -(lr(state.count) if callable(lr) else lr)
        updates = _tree_map(lambda g: _leaf(g, "grads") * minus_lr, (updates,), ("grads",))
        return updates, ScaleByLearningRateState(count=state.count + 1)

    return GradientTransformation(init, update)


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

    def update(updates: Updates, state: MomentumState,
               params: Params | None = None) -> tuple[Updates, MomentumState]:
        _check_state(state, MomentumState)

        def next_buffer(g: Any, buffer: np.ndarray) -> np.ndarray:
            g = _leaf(g, "grads")
            _check_shapes(g, buffer, "grads", "momentum_buffer")
            if state.count == 0:
                return g.copy()
            new = buffer * momentum
            new += g if dampening == 0 else (1.0 - dampening) * g
            return new

        def look_ahead(g: Any, buffer: np.ndarray) -> np.ndarray:
            new = buffer * momentum
            new += _leaf(g, "grads")
            return new

        buffer = _tree_map(next_buffer, (updates, state.momentum_buffer), ("grads", "momentum_buffer"))
        # Without Nesterov the update is the new buffer itself: no block mutates its input.
        if nesterov:
            updates = _tree_map(look_ahead, (updates, buffer), ("grads", "momentum_buffer"))
        else:
            updates = buffer
        return updates, MomentumState(count=state.count + 1, momentum_buffer=buffer)

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    r"""Add L2 weight decay to the gradient: :math:`u_t = g_t + \lambda\, \theta_t`.

    This is the gradient of :math:`f(\theta) + \tfrac{\lambda}{2}\lVert\theta\rVert^2`
    (torch's ``weight_decay`` in SGD). ``update`` needs ``params``.

    Introduced in chapter 07.

    Parameters
    ----------
    weight_decay : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    GradientTransformation
        With state ``EmptyState()``.

    Examples
    --------
    >>> opt = add_decayed_weights(0.1)
    >>> params = np.array([1.0, -2.0])
    >>> opt.update(np.array([0.5, 0.5]), opt.init(params), params)[0]
    array([0.6, 0.3])
    """
    weight_decay = _check_real("weight_decay", weight_decay, "[0, inf)")

    def decay(g: Any, p: Any) -> np.ndarray:
        g, p = _leaf(g, "grads"), _leaf(p, "params")
        _check_shapes(g, p, "grads", "params")
        new = p * weight_decay
        new += g
        return new

    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
        if params is None:
            raise TypeError("add_decayed_weights needs params: call update(grads, state, params)")
        return _tree_map(decay, (updates, params), ("grads", "params")), state

    return GradientTransformation(init, update)


def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    r"""Rescale the gradient when its norm exceeds ``max_norm`` (``torch.nn.utils.clip_grad_norm_``).

    .. math::
        u_t = g_t \min\left(1, \frac{c}{\lVert g_t \rVert + 10^{-6}}\right)

    The norm runs over every entry of every leaf, as torch's does over all
    parameters. So unlike the other blocks it is not elementwise: with params
    of shape ``(d, n)`` (``run_many``) it couples the ``n`` runs.

    Introduced in chapter 07.

    Parameters
    ----------
    max_norm : float
        :math:`c > 0`.

    Returns
    -------
    GradientTransformation
        With state ``EmptyState()``.

    Examples
    --------
    >>> opt = clip_by_global_norm(1.0)
    >>> state = opt.init(np.zeros(2))
    >>> opt.update(np.array([3.0, 4.0]), state)[0].round(6)
    array([0.6, 0.8])
    >>> opt.update(np.array([0.3, 0.4]), state)[0]
    array([0.3, 0.4])
    """
    max_norm = _check_real("max_norm", max_norm, "(0, inf)")

    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
        leaves = updates.values() if isinstance(updates, Mapping) else [updates]
        # torch: the norm of the per-tensor norms.
        norm = np.linalg.norm([np.linalg.norm(_leaf(g, "grads")) for g in leaves])
        scale = min(max_norm / (norm + 1e-6), 1.0)
        return _tree_map(lambda g: _leaf(g, "grads") * scale, (updates,), ("grads",)), state

    return GradientTransformation(init, update)


def clip_by_value(clip_value: float) -> GradientTransformation:
    r"""Clip every entry of the gradient to :math:`[-c, c]` (``torch.nn.utils.clip_grad_value_``).

    .. math:: u_t = \max(-c, \min(c, g_t))

    Introduced in chapter 07.

    Parameters
    ----------
    clip_value : float
        :math:`c > 0`.

    Returns
    -------
    GradientTransformation
        With state ``EmptyState()``.

    Examples
    --------
    >>> opt = clip_by_value(1.0)
    >>> opt.update(np.array([3.0, -0.5, -4.0]), opt.init(np.zeros(3)))[0]
    array([ 1. , -0.5, -1. ])
    """
    clip_value = _check_real("clip_value", clip_value, "(0, inf)")

    def init(params: Params) -> EmptyState:
        return EmptyState()

    def update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
        return _tree_map(lambda g: np.clip(_leaf(g, "grads"), -clip_value, clip_value),
                         (updates,), ("grads",)), state

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


# --- adaptive methods (chapter 06), defined in gdlearn/adaptive.py -------------------------
from .adaptive import (  # noqa: E402
    ScaleByAdagradState,
    ScaleByAdamState,
    ScaleByRmsState,
    adagrad,
    adam,
    adamw,
    rmsprop,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_rms,
)

__all__ += ["ScaleByAdagradState", "ScaleByRmsState", "ScaleByAdamState", "scale_by_adagrad",
            "scale_by_rms", "scale_by_adam", "adagrad", "rmsprop", "adam", "adamw"]
