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

This package only re-exports; the code lives in modules that read top-down,
each importing only those above it:

=====================================  =================================================
:mod:`gdlearn.optim.base`              :class:`GradientTransformation`, :func:`chain`,
                                       :func:`apply_updates`, :func:`identity`,
                                       :func:`scale_by_learning_rate`,
                                       :func:`add_decayed_weights`, the params helpers
:mod:`gdlearn.optim.sgd`               :func:`scale_by_momentum`, :func:`sgd`
:mod:`gdlearn.optim.clipping`          :func:`clip_by_global_norm`, :func:`clip_by_value`
:mod:`gdlearn.optim.adaptive_scaling`  the adaptive blocks :func:`scale_by_adagrad`,
                                       :func:`scale_by_rms`, :func:`scale_by_adam`
:mod:`gdlearn.optim.adaptive`          :func:`adagrad`, :func:`rmsprop`, :func:`adam`,
                                       :func:`adamw` (chapter 06)
=====================================  =================================================

Import every name from ``gdlearn.optim`` itself (``from gdlearn.optim import
adam``): that path is the public one.

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

from ..schedules import (
    Schedule,
    constant_schedule,
    cosine_schedule,
    exponential_schedule,
    inverse_time_schedule,
    join_schedules,
    linear_warmup,
    step_schedule,
    warmup_cosine_schedule,
)
from .adaptive import adagrad, adam, adamw, rmsprop
from .adaptive_scaling import (
    ScaleByAdagradState,
    ScaleByAdamState,
    ScaleByRmsState,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_rms,
)
from .base import (
    EmptyState,
    GradientTransformation,
    Params,
    ScaleByLearningRateState,
    Updates,
    add_decayed_weights,
    apply_updates,
    chain,
    identity,
    scale_by_learning_rate,
)
from .clipping import clip_by_global_norm, clip_by_value
from .sgd import MomentumState, scale_by_momentum, sgd

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
    "ScaleByAdagradState",
    "ScaleByRmsState",
    "ScaleByAdamState",
    "scale_by_adagrad",
    "scale_by_rms",
    "scale_by_adam",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
]
