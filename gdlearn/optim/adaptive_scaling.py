r"""The adaptive blocks: :func:`scale_by_adagrad`, :func:`scale_by_rms`, :func:`scale_by_adam`.

Each turns a gradient into a direction whose per-coordinate size is scaled
by a running record of that coordinate's gradients; their states
(:class:`ScaleByAdagradState`, :class:`ScaleByRmsState`,
:class:`ScaleByAdamState`) hold torch's buffers under their torch names.
The named optimizers built from them are in :mod:`gdlearn.optim.adaptive`;
import everything from :mod:`gdlearn.optim`. Introduced in chapter 06.

Examples
--------
>>> import numpy as np
>>> from gdlearn.optim import scale_by_adam
>>> opt = scale_by_adam()
>>> updates, state = opt.update(np.array([0.5, -3.0]), opt.init(np.zeros(2)))
>>> updates.round(6)                       # bias-corrected: the first direction is about sign(g)
array([ 1., -1.])
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, NamedTuple

import numpy as np

from ..schedules import _check_real
from .base import GradientTransformation, Params, Updates, _check_shapes, _check_state, _leaf, _tree_map

__all__ = [
    "ScaleByAdagradState",
    "ScaleByRmsState",
    "ScaleByAdamState",
    "scale_by_adagrad",
    "scale_by_rms",
    "scale_by_adam",
]


class ScaleByAdagradState(NamedTuple):
    """The state of :func:`scale_by_adagrad`: the update count and the running sum of squared
    gradients (torch's ``state["sum"]``)."""

    count: int
    sum_of_squares: Params


class ScaleByRmsState(NamedTuple):
    """The state of :func:`scale_by_rms`: the update count, the average of squared gradients ``nu``
    (torch's ``square_avg``) and, when centered, the average gradient ``mu`` (torch's ``grad_avg``;
    ``None`` otherwise)."""

    count: int
    nu: Params
    mu: Params | None


class ScaleByAdamState(NamedTuple):
    """The state of :func:`scale_by_adam`: the update count, the first moment ``mu`` (torch's
    ``exp_avg``), the second moment ``nu`` (``exp_avg_sq``) and, with AMSGrad, the running maximum
    ``nu_max`` of ``nu`` (``max_exp_avg_sq``; ``None`` otherwise)."""

    count: int
    mu: Params
    nu: Params
    nu_max: Params | None


# --- helpers -----------------------------------------------------------------------------

def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _check_betas(betas: Any) -> tuple[float, float]:
    if isinstance(betas, (str, bytes, dict)) or not hasattr(betas, "__len__"):
        raise TypeError("betas must be a pair (beta1, beta2) of numbers in [0, 1), "
                        f"got {type(betas).__name__} {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {betas!r}")
    return (_check_real("betas[0]", betas[0], "[0, 1)"),
            _check_real("betas[1]", betas[1], "[0, 1)"))


_FLOAT64 = np.dtype(np.float64)


def _grad(g: Any, like: np.ndarray, name: str) -> np.ndarray:
    """The gradient leaf as float64, with the shape of the state leaf ``like`` (copied only if not float64 already)."""
    if type(g) is not np.ndarray or g.dtype != _FLOAT64:
        g = _leaf(g, "grads")
    if g.shape != like.shape:
        _check_shapes(g, like, "grads", name)
    return g


def _map(leaf: Callable, trees: tuple, names: tuple, n: int) -> tuple:
    """``leaf(*arrays)`` for arrays (the fast path), or key by key for dicts; ``n`` trees back."""
    if type(trees[0]) is np.ndarray and type(trees[1]) is np.ndarray:
        return leaf(*trees)
    result = _tree_map(leaf, trees, names)
    if isinstance(result, dict):
        return tuple({key: value[i] for key, value in result.items()} for i in range(n))
    return result


def _zeros(params: Params, fill: float = 0.0) -> Params:
    """New float64 arrays shaped like ``params``, filled with ``fill``."""
    def make(p: Any) -> np.ndarray:
        shape = _leaf(p, "params").shape
        return np.full(shape, fill) if fill else np.zeros(shape)

    return _tree_map(make, (params,), ("params",))


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    r"""A new array :math:`s + w\,(e - s)`, rounded as ``torch.lerp`` does.

    torch computes ``s + w (e - s)`` for :math:`|w| < 0.5` and ``e - (e - s)(1 - w)``
    otherwise; so with :math:`w = 1` the result is exactly ``end``.
    """
    out = np.subtract(end, start)
    if weight < 0.5:
        out *= weight
        out += start
    else:
        out *= 1.0 - weight
        np.subtract(end, out, out=out)
    return out


# --- blocks ------------------------------------------------------------------------------

def scale_by_adagrad(initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                     lr_decay: float = 0.0) -> GradientTransformation:
    r"""Adagrad's scaling: divide by the root of the sum of all squared gradients so far.

    .. math::
        s_t = s_{t-1} + g_t^2, \qquad
        u_t = \frac{1}{1 + (t - 1)\,\delta}\;\frac{g_t}{\sqrt{s_t} + \epsilon}
        \qquad (t = 1, 2, \dots)

    with :math:`s_0` = ``initial_accumulator_value`` and :math:`\delta` =
    ``lr_decay``. A coordinate whose gradients have been large takes small
    steps; a rarely active one (a sparse feature) keeps large steps.

    torch puts the factor :math:`1/(1 + (t-1)\delta)` on the learning rate
    (``clr = lr / (1 + (step - 1) * lr_decay)``); it is here, on the update,
    which gives the same product. The accumulator starts at
    ``initial_accumulator_value`` (:math:`\tau` in torch's documentation),
    not at 0 as in Duchi et al.'s paper.

    Introduced in chapter 06.

    Parameters
    ----------
    initial_accumulator_value : float, default 0.0
        :math:`s_0 \ge 0`, the same for every entry.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added after the square root.
    lr_decay : float, default 0.0
        :math:`\delta \ge 0`.

    Returns
    -------
    GradientTransformation
        With state ``ScaleByAdagradState(count, sum_of_squares)``.

    Examples
    --------
    >>> opt = scale_by_adagrad(eps=0.0)
    >>> state = opt.init(np.zeros(2))
    >>> updates, state = opt.update(np.array([3.0, -4.0]), state)
    >>> updates
    array([ 1., -1.])
    >>> opt.update(np.array([4.0, 3.0]), state)[0]      # 4 / sqrt(9 + 16), 3 / sqrt(16 + 9)
    array([0.8, 0.6])
    """
    initial_accumulator_value = _check_real("initial_accumulator_value", initial_accumulator_value,
                                            "[0, inf)")
    eps = _check_real("eps", eps, "[0, inf)")
    lr_decay = _check_real("lr_decay", lr_decay, "[0, inf)")

    def init(params: Params) -> ScaleByAdagradState:
        return ScaleByAdagradState(count=0, sum_of_squares=_zeros(params, initial_accumulator_value))

    def update(updates: Updates, state: ScaleByAdagradState,
               params: Params | None = None) -> tuple[Updates, ScaleByAdagradState]:
        _check_state(state, ScaleByAdagradState)
        decay = 1.0 + state.count * lr_decay           # torch: 1 + (step - 1) * lr_decay

        def leaf(g: Any, total_old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            g = _grad(g, total_old, "sum_of_squares")
            total = np.multiply(g, g)                  # torch: state_sum.addcmul_(grad, grad)
            total += total_old
            u = np.sqrt(total)                         # torch: std = state_sum.sqrt().add_(eps)
            u += eps
            np.divide(g, u, out=u)
            if lr_decay:
                u /= decay
            return total, u

        total, u = _map(leaf, (updates, state.sum_of_squares), ("grads", "sum_of_squares"), 2)
        return u, ScaleByAdagradState(state.count + 1, total)

    return GradientTransformation(init, update)


def scale_by_rms(alpha: float = 0.99, eps: float = 1e-8, centered: bool = False,
                 bias_correction: bool = False) -> GradientTransformation:
    r"""RMSprop's scaling: divide by the root of a moving average of squared gradients.

    .. math::
        v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
        u_t = \frac{g_t}{\sqrt{v_t} + \epsilon}, \qquad v_0 = 0

    Centered (Graves, 2013) subtracts the squared moving average of the
    gradient, an estimate of its variance instead of its second moment:

    .. math::
        m_t = \alpha\, m_{t-1} + (1 - \alpha)\, g_t, \qquad
        u_t = \frac{g_t}{\sqrt{v_t - m_t^2} + \epsilon}, \qquad m_0 = 0

    As in torch's code, :math:`\epsilon` is added *after* the square root
    (torch's documentation writes the same).

    ``bias_correction=True`` (not in torch's RMSprop) divides the root by
    :math:`\sqrt{1 - \alpha^t}` before adding :math:`\epsilon`, as Adam does:
    :math:`u_t = g_t / (\sqrt{v_t} / \sqrt{1 - \alpha^t} + \epsilon)`. Then
    ``scale_by_rms(alpha=b2, eps=eps, bias_correction=True)`` is exactly
    ``scale_by_adam(betas=(0, b2), eps=eps)``: Adam without momentum.

    Introduced in chapter 06.

    Parameters
    ----------
    alpha : float, default 0.99
        The decay :math:`\alpha \in [0, 1)` (torch accepts any
        :math:`\alpha \ge 0`, but from 1 on the average stops averaging).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    centered : bool, default False
        Use the variance instead of the second moment.
    bias_correction : bool, default False
        Correct the average's bias towards its zero start, as Adam does.

    Returns
    -------
    GradientTransformation
        With state ``ScaleByRmsState(count, nu, mu)`` (``mu`` is ``None`` unless centered).

    Examples
    --------
    >>> opt = scale_by_rms(alpha=0.75, eps=0.0)
    >>> state = opt.init(np.zeros(2))
    >>> updates, state = opt.update(np.array([2.0, -4.0]), state)
    >>> state.nu                                         # 0.25 g^2
    array([1., 4.])
    >>> updates                                          # g / sqrt(0.25 g^2) = 2 sign(g)
    array([ 2., -2.])
    """
    alpha = _check_real("alpha", alpha, "[0, 1)")
    eps = _check_real("eps", eps, "[0, inf)")
    centered = _check_bool("centered", centered)
    bias_correction = _check_bool("bias_correction", bias_correction)

    def init(params: Params) -> ScaleByRmsState:
        return ScaleByRmsState(count=0, nu=_zeros(params), mu=_zeros(params) if centered else None)

    def update(updates: Updates, state: ScaleByRmsState,
               params: Params | None = None) -> tuple[Updates, ScaleByRmsState]:
        _check_state(state, ScaleByRmsState)
        # 1 / sqrt(1 - alpha^t), multiplied as scale_by_adam does (so beta1 = 0 there is this exactly)
        scale = 1.0 / (1.0 - alpha ** (state.count + 1)) ** 0.5 if bias_correction else 1.0

        def leaf(g: Any, nu_old: np.ndarray, mu_old: np.ndarray | None = None) -> tuple:
            g = _grad(g, nu_old, "nu")
            u = np.multiply(g, 1.0 - alpha)            # (1 - alpha) g^2, then the update
            u *= g
            nu = nu_old * alpha                        # torch: square_avg.mul_(alpha)
            nu += u                                    #        .addcmul_(grad, grad, value=1 - alpha)
            if centered:
                mu = _lerp(mu_old, g, 1.0 - alpha)     # torch: grad_avg.lerp_(grad, 1 - alpha)
                np.multiply(mu, mu, out=u)
                np.subtract(nu, u, out=u)              # torch: square_avg.addcmul(grad_avg, grad_avg, value=-1)
                np.sqrt(u, out=u)
            else:
                mu = None
                np.sqrt(nu, out=u)
            if bias_correction:
                u *= scale
            u += eps
            np.divide(g, u, out=u)
            return nu, mu, u

        trees = (updates, state.nu) + ((state.mu,) if centered else ())
        nu, mu, u = _map(leaf, trees, ("grads", "nu", "mu"), 3)
        return u, ScaleByRmsState(state.count + 1, nu, mu if centered else None)

    return GradientTransformation(init, update)


def scale_by_adam(betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                  amsgrad: bool = False) -> GradientTransformation:
    r"""Adam's scaling: a moving average of the gradient over the root of a moving average of its square.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, &
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0 \\
        \hat m_t &= \frac{m_t}{1 - \beta_1^t}, &
        u_t &= \frac{\hat m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    The divisions by :math:`1 - \beta^t` (bias correction) undo the pull of
    the zero start (Kingma & Ba, 2015, section 3): at :math:`t = 1`,
    :math:`m_1 = (1 - \beta_1) g_1` alone would make the step
    :math:`1 - \beta_1` = 0.1 times too small, and :math:`v_1 = (1 -
    \beta_2) g_1^2` alone :math:`1/\sqrt{1 - \beta_2} \approx 32` times too
    large (default betas); corrected, the first step is :math:`\pm 1` per
    coordinate (for :math:`\epsilon = 0`). With ``amsgrad=True`` (Reddi et al., 2018) the
    denominator uses the running maximum
    :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` in place of :math:`v_t`:
    the raw second moment in the denominator never decreases, so a
    coordinate whose gradients shrink keeps the denominator of its largest
    gradients instead of the small one plain Adam would take from the recent
    ones. That does not make the step size monotone in torch's form: the
    bias correction divides :math:`\sqrt{v^{\max}_t}` by
    :math:`\sqrt{1 - \beta_2^t}`, which grows with :math:`t`, so the
    denominator can still decrease (and :math:`\hat m_t` moves freely).

    This follows torch's code, which differs from the published algorithms:

    - :math:`\epsilon` is added *after* the bias-corrected square root,
      :math:`\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon`. torch's documentation
      (and Kingma & Ba) write :math:`\sqrt{\hat v_t} + \epsilon` with
      :math:`\hat v_t = v_t / (1 - \beta_2^t)`: the same in exact arithmetic,
      not in floating point. (Putting :math:`\epsilon` *inside* the root, as
      some libraries do, is a different method.)
    - AMSGrad keeps the maximum of the *raw* :math:`v_t` and bias-corrects
      that maximum with the current :math:`t`, as torch's code and
      documentation do. Reddi et al. have no bias correction, and taking the
      maximum of the bias-corrected :math:`\hat v_t` instead gives other
      numbers, because :math:`1 - \beta_2^t` changes with :math:`t`.

    Introduced in chapter 06.

    Parameters
    ----------
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t`.

    Returns
    -------
    GradientTransformation
        With state ``ScaleByAdamState(count, mu, nu, nu_max)`` (``nu_max`` is
        ``None`` unless ``amsgrad``).

    Examples
    --------
    >>> opt = scale_by_adam(eps=0.0)
    >>> state = opt.init(np.zeros(2))
    >>> updates, state = opt.update(np.array([0.5, -3.0]), state)
    >>> updates                              # bias-corrected: the first step is sign(g)
    array([ 1., -1.])
    >>> state.mu, state.nu                   # (1 - b1) g and (1 - b2) g^2
    (array([ 0.05, -0.3 ]), array([0.00025, 0.009  ]))
    """
    beta1, beta2 = _check_betas(betas)
    eps = _check_real("eps", eps, "[0, inf)")
    amsgrad = _check_bool("amsgrad", amsgrad)
    one_minus_beta1, one_minus_beta2 = 1.0 - beta1, 1.0 - beta2

    def init(params: Params) -> ScaleByAdamState:
        return ScaleByAdamState(count=0, mu=_zeros(params), nu=_zeros(params),
                                nu_max=_zeros(params) if amsgrad else None)

    def leaf(scale: float, eps_scaled: float, g: Any, mu_old: np.ndarray, nu_old: np.ndarray,
             nu_max_old: np.ndarray | None = None) -> tuple:
        g = _grad(g, mu_old, "mu")
        mu = _lerp(mu_old, g, one_minus_beta1)         # torch: exp_avg.lerp_(grad, 1 - beta1)
        u = g * one_minus_beta2                        # (1 - beta2) g^2, then the update
        u *= g
        nu = nu_old * beta2                            # torch: exp_avg_sq.mul_(beta2)
        nu += u                                        #        .addcmul_(grad, grad, value=1 - beta2)
        if amsgrad:
            nu_max = np.maximum(nu_max_old, nu)        # torch: torch.maximum(max_exp_avg_sq, exp_avg_sq)
            np.sqrt(nu_max, out=u)
        else:
            nu_max = None
            np.sqrt(nu, out=u)
        u *= scale                                     # the denominator, times 1 - b1^t
        u += eps_scaled
        np.divide(mu, u, out=u)
        return mu, nu, nu_max, u

    def update(updates: Updates, state: ScaleByAdamState,
               params: Params | None = None) -> tuple[Updates, ScaleByAdamState]:
        if state.__class__ is not ScaleByAdamState:
            _check_state(state, ScaleByAdamState)
        t = state.count + 1
        # m_hat / (sqrt(v) / sqrt(1 - b2^t) + eps) = m / (sqrt(v) * c + eps * (1 - b1^t)),
        # c = (1 - b1^t) / sqrt(1 - b2^t): both corrections in one pass over the array
        # (torch's capturable code folds them the same way; the rest is its arithmetic).
        correction1 = 1.0 - beta1 ** t
        scale = correction1 / (1.0 - beta2 ** t) ** 0.5
        eps_scaled = eps * correction1
        if type(updates) is np.ndarray and type(state.mu) is np.ndarray:    # one array: no mapping
            mu, nu, nu_max, u = leaf(scale, eps_scaled, updates, state.mu, state.nu, state.nu_max)
        else:
            trees = (updates, state.mu, state.nu, state.nu_max) if amsgrad else (updates, state.mu, state.nu)
            mu, nu, nu_max, u = _map(partial(leaf, scale, eps_scaled), trees, ("grads", "mu", "nu", "nu_max"), 4)
        return u, ScaleByAdamState(t, mu, nu, nu_max if amsgrad else None)

    return GradientTransformation(init, update)
