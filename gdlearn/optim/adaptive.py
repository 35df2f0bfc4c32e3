r"""Adaptive optimizers: Adagrad, RMSprop, Adam, AdamW and AMSGrad as gradient transformations.

Each coordinate gets its own step size, scaled by a running record of how large
its gradients have been. The blocks :func:`~gdlearn.optim.scale_by_adagrad`,
:func:`~gdlearn.optim.scale_by_rms` and :func:`~gdlearn.optim.scale_by_adam`
(in :mod:`gdlearn.optim.adaptive_scaling`) turn a gradient into a direction;
the named optimizers are short :func:`~gdlearn.optim.chain`\ s of them with the
blocks of :mod:`gdlearn.optim.base` and :mod:`gdlearn.optim.sgd`, with ``torch.optim``'s hyperparameter names,
defaults and arithmetic, so the trajectories are torch's to float64 round-off::

    adam(lr)   == chain(identity(), scale_by_adam(betas, eps), scale_by_learning_rate(lr))
    adamw(lr)  == chain(scale_by_adam(betas, eps), add_decayed_weights(wd), scale_by_learning_rate(lr))

(a block that would do nothing, such as weight decay 0, is ``identity()``, as
in :func:`~gdlearn.optim.sgd`, so the shape of the state never changes).

The arithmetic follows torch's code (the numbers people actually get), and
each docstring says where that code differs from the published algorithm.

Everything is elementwise and pure, like the rest of :mod:`gdlearn.optim`:
``params`` of shape ``(d, n)`` are ``n`` independent runs, ``lr`` may be an
array of shape ``(n,)`` or a schedule, and ``update`` never mutates its
arguments or an earlier state: each update allocates its new arrays once and
then works on those in place. Introduced in chapter 06.

Examples
--------
>>> import numpy as np
>>> from gdlearn.optim import adam, apply_updates
>>> opt = adam(lr=0.1)
>>> params = np.array([1.0, -2.0])
>>> state = opt.init(params)
>>> updates, state = opt.update(2 * params, state, params)
>>> apply_updates(params, updates)        # the first Adam step is lr * sign(g)
array([ 0.9, -1.9])
"""

from __future__ import annotations

import numpy as np

from ..schedules import Schedule, _check_real
from .adaptive_scaling import scale_by_adagrad, scale_by_adam, scale_by_rms
from .base import (
    GradientTransformation,
    Params,
    ScaleByLearningRateState,
    Updates,
    _check_lr,
    _check_state,
    add_decayed_weights,
    chain,
    identity,
    scale_by_learning_rate,
)
from .sgd import scale_by_momentum

__all__ = ["adagrad", "rmsprop", "adam", "adamw"]


# --- helpers -----------------------------------------------------------------------------

def _scale_by_learning_rate_in_place(lr: float | np.ndarray | Schedule) -> GradientTransformation:
    """:func:`~gdlearn.optim.scale_by_learning_rate` for updates that are new arrays no one else holds.

    The adaptive blocks return freshly allocated updates, so the named
    optimizers below can scale them in place: the same numbers and the same
    state, one array fewer (which matters for 10^7 parameters). It must never
    follow a block that passes on a caller's array or a piece of its state.
    """
    checked = _check_lr(lr)
    pure = scale_by_learning_rate(lr)                  # the same checks, init and state
    schedule = checked if callable(checked) else None
    minus_lr = None if schedule else -checked

    def update(updates: Updates, state: ScaleByLearningRateState,
               params: Params | None = None) -> tuple[Updates, ScaleByLearningRateState]:
        if state.__class__ is not ScaleByLearningRateState:
            _check_state(state, ScaleByLearningRateState)
        factor = -schedule(state.count) if schedule else minus_lr
        if type(updates) is np.ndarray:
            updates *= factor
        else:
            for u in updates.values():
                u *= factor
        return updates, ScaleByLearningRateState(state.count + 1)

    return GradientTransformation(pure.init, update)


# --- optimizers --------------------------------------------------------------------------

def _weight_decay(weight_decay: float) -> GradientTransformation:
    """``add_decayed_weights(weight_decay)``, or ``identity()`` for 0 (torch skips it too)."""
    weight_decay = _check_real("weight_decay", weight_decay, "[0, inf)")
    return add_decayed_weights(weight_decay) if weight_decay else identity()


def adagrad(lr: float | np.ndarray | Schedule = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> GradientTransformation:
    r"""Adagrad (Duchi, Hazan & Singer, 2011): ``torch.optim.Adagrad`` as a gradient transformation.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda\, \theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta_t}{1 + (t - 1)\,\delta}\;
                    \frac{g_t}{\sqrt{s_t} + \epsilon}

    It is ``chain(add_decayed_weights(weight_decay),
    scale_by_adagrad(initial_accumulator_value, eps, lr_decay),
    scale_by_learning_rate(lr))`` (``identity()`` for ``weight_decay=0``), so
    ``state[1]`` is the ``ScaleByAdagradState``. The accumulator starts at
    :math:`s_0` = ``initial_accumulator_value``, as in torch (Duchi et al.
    start at 0). With a schedule, :math:`\eta_t` is the
    schedule's value and the ``lr_decay`` factor multiplies it, as when a
    torch scheduler sets the group's ``lr``.

    Introduced in chapter 06.

    Parameters
    ----------
    lr : float, ndarray or callable, default 1e-2
        :math:`\eta > 0`, an array of them (one per run), or a schedule ``step -> lr``.
    lr_decay : float, default 0.0
        :math:`\delta \ge 0`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.
    initial_accumulator_value : float, default 0.0
        :math:`s_0 \ge 0`.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added after the square root.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> from gdlearn.optim import apply_updates
    >>> opt = adagrad(lr=0.5)
    >>> params = np.array([1.0, 1.0])
    >>> state = opt.init(params)
    >>> for g in [np.array([1.0, 100.0]), np.array([1.0, 100.0])]:
    ...     updates, state = opt.update(g, state, params)
    ...     params = apply_updates(params, updates)
    >>> params.round(6)                      # the same steps, whatever the gradient's scale
    array([0.146447, 0.146447])
    """
    decay = _weight_decay(weight_decay)
    scale = scale_by_adagrad(initial_accumulator_value, eps, lr_decay)
    return chain(decay, scale, _scale_by_learning_rate_in_place(lr))


def rmsprop(lr: float | np.ndarray | Schedule = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
            weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> GradientTransformation:
    r"""RMSprop (Tieleman & Hinton, 2012): ``torch.optim.RMSprop`` as a gradient transformation.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda\, \theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \tilde v_t &= v_t - m_t^2 \ \text{with}\ m_t = \alpha\, m_{t-1} + (1-\alpha)\, g_t
            \quad \text{(centered; else } \tilde v_t = v_t) \\
        b_t &= \mu\, b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}, \qquad b_0 = 0 \\
        \theta_t &= \theta_{t-1} - \eta_t\, b_t

    with :math:`v_0 = m_0 = 0`; without momentum (:math:`\mu = 0`) the step is
    :math:`\eta_t\, g_t / (\sqrt{\tilde v_t} + \epsilon)`. There is no bias
    correction: for a constant gradient the :math:`t`-th step is
    :math:`\eta/\sqrt{1 - \alpha^t}`, so with the default :math:`\alpha` and
    :math:`\epsilon \approx 0` the first steps are 10, 7.1 and 5.8 times
    :math:`\eta` (:math:`v_t = (1 - \alpha^t)\, g^2`).

    It is ``chain(add_decayed_weights(weight_decay), scale_by_rms(alpha, eps,
    centered), scale_by_momentum(momentum), scale_by_learning_rate(lr))``, with
    ``identity()`` for a block that does nothing, so ``state[1]`` is the
    ``ScaleByRmsState`` and ``state[2]`` the momentum state. (torch's
    momentum buffer starts at zero, which gives :math:`b_1` = the first
    scaled gradient: the same as :func:`~gdlearn.optim.scale_by_momentum`,
    whose buffer starts as the first input.)

    Introduced in chapter 06.

    Parameters
    ----------
    lr : float, ndarray or callable, default 1e-2
        :math:`\eta > 0`, an array of them (one per run), or a schedule.
    alpha : float, default 0.99
        :math:`\alpha \in [0, 1)`.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added after the square root.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`.
    momentum : float, default 0.0
        :math:`\mu \in [0, 1)` (torch also accepts :math:`\mu \ge 1`, where
        the buffer grows without bound).
    centered : bool, default False
        Normalize by the estimated variance of the gradient.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> from gdlearn.optim import apply_updates
    >>> opt = rmsprop(lr=0.01)
    >>> params = np.array([1.0, -1.0])
    >>> state = opt.init(params)
    >>> updates, state = opt.update(np.array([2.0, -0.2]), state, params)
    >>> (updates / 0.01).round(4)            # g / sqrt(0.01 g^2) = 10 sign(g)
    array([-10.,  10.])
    """
    decay = _weight_decay(weight_decay)
    scale = scale_by_rms(alpha, eps, centered)
    momentum = _check_real("momentum", momentum, "[0, 1)")
    if momentum:
        # The momentum buffer is the update *and* the state: scale a copy (the pure block).
        return chain(decay, scale, scale_by_momentum(momentum), scale_by_learning_rate(lr))
    return chain(decay, scale, identity(), _scale_by_learning_rate_in_place(lr))


def adam(lr: float | np.ndarray | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
         eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> GradientTransformation:
    r"""Adam (Kingma & Ba, 2015): ``torch.optim.Adam`` as a gradient transformation.

    .. math::
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda\, \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta_t}{1 - \beta_1^t}\;
            \frac{m_t}{\sqrt{v_t}/\sqrt{1 - \beta_2^t} + \epsilon}

    with :math:`m_0 = v_0 = 0`; with AMSGrad, :math:`v_t` in the denominator is
    replaced by its running maximum :math:`\max(v_1, \dots, v_t)`.

    It is ``chain(add_decayed_weights(weight_decay), scale_by_adam(betas, eps,
    amsgrad), scale_by_learning_rate(lr))`` (``identity()`` for
    ``weight_decay=0``), so ``state[1]`` is the ``ScaleByAdamState``. The
    weight decay is an L2 penalty *added to the gradient*, which Adam then
    rescales; for the decoupled kind use :func:`adamw`. See
    :func:`scale_by_adam` for where torch's code differs from the published
    algorithm (:math:`\epsilon` placement, AMSGrad's maximum): this follows
    the code.
    (The last block multiplies the new array made by :func:`scale_by_adam`
    in place instead of making another one: same numbers, same state, less
    memory traffic.)

    Introduced in chapter 06.

    Parameters
    ----------
    lr : float, ndarray or callable, default 1e-3
        :math:`\eta > 0`, an array of them (one per run), or a schedule.
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`.
    amsgrad : bool, default False
        AMSGrad's running maximum of the second moment.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> from gdlearn.optim import apply_updates
    >>> opt = adam(lr=0.1)
    >>> params = np.array([1.0, -2.0])
    >>> state = opt.init(params)
    >>> for _ in range(3):
    ...     updates, state = opt.update(2 * params, state, params)   # f(x) = |x|^2
    ...     params = apply_updates(params, updates)
    >>> params.round(6)                      # about lr * sign(g) per step while g keeps its sign
    array([ 0.701586, -1.700623])
    >>> state[1].count
    3
    """
    decay = _weight_decay(weight_decay)
    scale = scale_by_adam(betas, eps, amsgrad)
    return chain(decay, scale, _scale_by_learning_rate_in_place(lr))


def adamw(lr: float | np.ndarray | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
          eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> GradientTransformation:
    r"""AdamW (Loshchilov & Hutter, 2019): ``torch.optim.AdamW``, Adam with decoupled weight decay.

    .. math::
        \theta_t = \theta_{t-1} - \eta_t \lambda\, \theta_{t-1}
            - \frac{\eta_t}{1 - \beta_1^t}\; \frac{m_t}{\sqrt{v_t}/\sqrt{1 - \beta_2^t} + \epsilon}

    with :math:`m_t, v_t` from the plain gradient, as in :func:`adam`. torch
    first shrinks the weights, :math:`\theta \leftarrow (1 - \eta_t
    \lambda)\,\theta_{t-1}`, then adds the Adam step. That step does not
    depend on :math:`\theta`, so the order does not matter and the result is
    the formula above: the decay term uses the weights *before* the step
    (:math:`\theta_{t-1}`, the ``params`` every block of a chain sees), and is
    multiplied by :math:`\eta_t` but *not* divided by
    :math:`\sqrt{\hat v_t}`: every weight shrinks by the same factor, unlike
    Adam's L2 ``weight_decay``.

    So the chain order is ``chain(scale_by_adam(betas, eps, amsgrad),
    add_decayed_weights(weight_decay), scale_by_learning_rate(lr))``: the decay
    comes *after* the Adam scaling (which must not see it) and *before* the
    learning rate (which multiplies it). ``identity()`` replaces the decay
    for ``weight_decay=0``; ``state[0]`` is the ``ScaleByAdamState`` (not
    ``state[1]`` as in :func:`adam`). Note the default ``weight_decay=1e-2``
    (torch's).

    Introduced in chapter 06.

    Parameters
    ----------
    lr : float, ndarray or callable, default 1e-3
        :math:`\eta > 0`, an array of them (one per run), or a schedule.
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\lambda \ge 0`.
    amsgrad : bool, default False
        AMSGrad's running maximum of the second moment.

    Returns
    -------
    GradientTransformation

    Examples
    --------
    >>> from gdlearn.optim import apply_updates
    >>> opt = adamw(lr=0.1, weight_decay=0.5)
    >>> params = np.array([2.0, -4.0])
    >>> updates, state = opt.update(np.zeros(2), opt.init(params), params)
    >>> apply_updates(params, updates)       # a zero gradient: only the decay, 5 % of each weight
    array([ 1.9, -3.8])
    """
    scale = scale_by_adam(betas, eps, amsgrad)
    decay = _weight_decay(weight_decay)
    return chain(scale, decay, _scale_by_learning_rate_in_place(lr))
