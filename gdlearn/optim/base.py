r"""The foundation of :mod:`gdlearn.optim`: the gradient-transformation type, ``chain``, the params helpers.

An optimizer is a pair of pure functions ``init`` and ``update``
(:class:`GradientTransformation`); ``params`` is a float64 array or a flat
dict of them. This module holds what every other optimizer module builds on
and imports nothing from them: the type, :func:`apply_updates`,
:func:`chain`, :func:`identity`, the two blocks every optimizer ends with
(:func:`scale_by_learning_rate`, :func:`add_decayed_weights`) and the
private helpers that map a function over the leaves of ``params``.

Import from :mod:`gdlearn.optim`, which re-exports everything here.

Examples
--------
>>> import numpy as np
>>> from gdlearn.optim import chain, identity, scale_by_learning_rate, apply_updates
>>> opt = chain(identity(), scale_by_learning_rate(0.5))
>>> params = np.array([1.0, -2.0])
>>> updates, state = opt.update(2 * params, opt.init(params), params)
>>> apply_updates(params, updates)
array([0., 0.])
"""

from __future__ import annotations

from collections.abc import Mapping   # not typing.Mapping: isinstance is 10x slower there
from typing import Any, Callable, NamedTuple, Union

import numpy as np

from ..schedules import Schedule, _check_real

__all__ = [
    "Params",
    "Updates",
    "GradientTransformation",
    "EmptyState",
    "ScaleByLearningRateState",
    "apply_updates",
    "chain",
    "identity",
    "scale_by_learning_rate",
    "add_decayed_weights",
]

Params = Union[np.ndarray, dict[str, np.ndarray]]
_FLOAT64 = np.dtype(np.float64)
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
    >>> from gdlearn.optim import clip_by_value
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

    n = len(transforms)
    # identity() hands back its input and its state untouched: skip the call (a run makes
    # thousands of them, and sgd has two identities when momentum and weight decay are 0).
    acting = tuple((i, t.update) for i, t in enumerate(transforms) if t.update is not _identity_update)

    def init(params: Params) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(updates: Updates, state: tuple, params: Params | None = None) -> tuple[Updates, tuple]:
        if not isinstance(state, tuple) or len(state) != n:
            raise ValueError(f"state must be the tuple of {n} states made by this "
                             f"chain's init, got {state!r}")
        new_state = list(state)
        for i, block_update in acting:
            updates, new_state[i] = block_update(updates, state[i], params)
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
    return GradientTransformation(_identity_init, _identity_update)


def _identity_init(params: Params) -> EmptyState:
    return EmptyState()


def _identity_update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
    return updates, state


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
        if state.__class__ is not ScaleByLearningRateState:
            _check_state(state, ScaleByLearningRateState)
        minus_lr = -(lr(state.count) if callable(lr) else lr)
        if type(updates) is np.ndarray and updates.dtype == _FLOAT64:   # the common case, fast
            updates = updates * minus_lr
        else:
            updates = _tree_map(lambda g: _leaf(g, "grads") * minus_lr, (updates,), ("grads",))
        return updates, ScaleByLearningRateState(count=state.count + 1)

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
