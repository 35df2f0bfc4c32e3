r"""Gradient clipping: :func:`clip_by_global_norm` and :func:`clip_by_value` (``torch.nn.utils``).

Blocks to put first in a :func:`~gdlearn.optim.chain`, before an optimizer;
introduced in chapter 07. Import them from :mod:`gdlearn.optim`.

Examples
--------
>>> import numpy as np
>>> from gdlearn.optim import chain, clip_by_global_norm, sgd
>>> opt = chain(clip_by_global_norm(1.0), sgd(lr=0.1))
>>> updates, state = opt.update(np.array([30.0, 40.0]), opt.init(np.zeros(2)))
>>> updates.round(6)                    # the gradient rescaled to norm 1, then -lr times it
array([-0.06, -0.08])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..schedules import _check_real
from .base import EmptyState, GradientTransformation, Params, Updates, _leaf, _tree_map

__all__ = ["clip_by_global_norm", "clip_by_value"]

_FLOAT64 = np.dtype(np.float64)


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
        if type(updates) is np.ndarray and updates.dtype == _FLOAT64:
            # One leaf: the same arithmetic as np.linalg.norm below (sqrt of x.dot(x) on the
            # flattened array, then of the one-entry list), without its overhead.
            flat = updates.ravel(order="K")
            leaf_norm = np.sqrt(flat.dot(flat))
            norm = np.sqrt(leaf_norm * leaf_norm)
        else:
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

    low = -clip_value

    def update(updates: Updates, state: EmptyState, params: Params | None = None) -> tuple:
        if type(updates) is np.ndarray and updates.dtype == _FLOAT64:
            # np.clip's own arithmetic, min(max(g, -c), c) with nan kept, without its overhead
            clipped = np.maximum(updates, low)
            return np.minimum(clipped, clip_value, out=clipped), state
        return _tree_map(lambda g: np.clip(_leaf(g, "grads"), low, clip_value),
                         (updates,), ("grads",)), state

    return GradientTransformation(init, update)
