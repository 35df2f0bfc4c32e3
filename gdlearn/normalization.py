r"""Batch and layer normalization in numpy: forward and backward passes.

Batch normalization (Ioffe & Szegedy 2015) standardizes each feature over the
mini-batch, then rescales it with two learned vectors :math:`\gamma, \beta`:

.. math:: \mu = \tfrac1n \textstyle\sum_i x_i, \quad
          \sigma^2 = \tfrac1n \textstyle\sum_i (x_i - \mu)^2, \quad
          \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
          y_i = \gamma \odot \hat x_i + \beta .

In training it uses the batch's statistics and keeps running averages of them;
in evaluation it uses the running averages, so one sample's output no longer
depends on the rest of its batch. The conventions follow ``torch.nn.BatchNorm1d``:
``running = (1 - momentum) * running + momentum * batch_statistic`` with
``momentum = 0.1``, and the running variance is updated with the *unbiased*
batch variance (divided by :math:`n - 1`) while the normalization itself uses
the biased one (divided by :math:`n`).

Layer normalization (Ba, Kiros & Hinton 2016) is the same computation over the
features of each sample instead of over the batch: no batch statistics, no
train/eval difference.

The chain helpers (:func:`init_bn_chain`, :func:`bn_chain_forward`,
:func:`bn_chain_loss`, :func:`bn_chain_backprop`) put batch normalization
into the deep chain of :mod:`gdlearn.troubles` (chapter 07):
:math:`z_l = a_{l-1} W_l`, :math:`a_l = \phi(\mathrm{BN}_{\gamma_l,\beta_l}(z_l))`.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> y, cache = batch_norm_forward(x, np.ones(2), np.zeros(2), eps=0.0)
>>> y
array([[-1., -1.],
       [ 1.,  1.]])
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .troubles import ACTIVATIONS, init_chain

__all__ = [
    "NormCache",
    "batch_norm_forward",
    "batch_norm_backward",
    "batch_norm_eval",
    "update_running_stats",
    "layer_norm_forward",
    "layer_norm_backward",
    "init_bn_chain",
    "bn_chain_forward",
    "bn_chain_loss",
    "bn_chain_backprop",
]


class NormCache(NamedTuple):
    """What the backward pass needs: the normalized input, 1/sqrt(var + eps), gamma, the axis."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    axis: int


def _as_2d(name: str, x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n, features), got shape {x.shape}")
    return x


def _vector(name: str, v: Any, size: int) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {v.shape}")
    return v


def _eps(eps: Any) -> float:
    eps = float(eps)
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    return eps


def _normalize(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int):
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)                  # biased: divided by the count
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, NormCache(x_hat, inv_std, gamma, axis)


def _normalize_backward(dy: np.ndarray, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x_hat, inv_std, gamma, axis = cache
    dy = np.asarray(dy, dtype=float)
    if dy.shape != x_hat.shape:
        raise ValueError(f"dy must have the output's shape {x_hat.shape}, got {dy.shape}")
    dgamma = np.sum(dy * x_hat, axis=0)
    dbeta = np.sum(dy, axis=0)
    d_hat = dy * gamma
    # x_hat = (x - mean) * inv_std, with mean and inv_std functions of x along `axis`
    dx = inv_std * (d_hat - d_hat.mean(axis=axis, keepdims=True)
                    - x_hat * np.mean(d_hat * x_hat, axis=axis, keepdims=True))
    return dx, dgamma, dbeta


def batch_norm_forward(x: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> tuple[np.ndarray, NormCache]:
    r"""Batch normalization in training mode: normalize each feature over the batch.

    Parameters
    ----------
    x : array_like, shape (n, features)
        A mini-batch, ``n >= 2``.
    gamma, beta : array_like, shape (features,)
        The learned scale and shift.
    eps : float, default 1e-5
        Added to the variance (torch's default).

    Returns
    -------
    y : ndarray, shape (n, features)
    cache : NormCache
        For :func:`batch_norm_backward`.

    Examples
    --------
    >>> import numpy as np
    >>> y, _ = batch_norm_forward(np.array([[0.0], [2.0]]), np.array([3.0]), np.array([1.0]), eps=0.0)
    >>> y.ravel()                     # x_hat = -1, +1; then 3 x_hat + 1
    array([-2.,  4.])
    """
    x = _as_2d("x", x)
    if x.shape[0] < 2:
        raise ValueError(f"x must hold a batch of at least 2 samples, got {x.shape[0]}")
    gamma, beta = _vector("gamma", gamma, x.shape[1]), _vector("beta", beta, x.shape[1])
    return _normalize(x, gamma, beta, _eps(eps), axis=0)


def batch_norm_backward(dy: Any, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`batch_norm_forward`: the gradients with respect to x, gamma, beta.

    With :math:`\hat g_i = \gamma \odot \partial L/\partial y_i` (per feature, over the batch),

    .. math:: \frac{\partial L}{\partial x_i} = \frac{1}{\sqrt{\sigma^2 + \epsilon}}
              \Big(\hat g_i - \overline{\hat g} - \hat x_i\, \overline{\hat g \odot \hat x}\Big),
              \quad \frac{\partial L}{\partial \gamma} = \sum_i \frac{\partial L}{\partial y_i} \odot \hat x_i,
              \quad \frac{\partial L}{\partial \beta} = \sum_i \frac{\partial L}{\partial y_i},

    bars being means over the batch. The two subtracted terms are the paths through
    the batch mean and variance: every sample's gradient depends on the whole batch.

    Examples
    --------
    >>> import numpy as np
    >>> y, cache = batch_norm_forward(np.array([[0.0], [2.0]]), np.ones(1), np.zeros(1))
    >>> dx, dgamma, dbeta = batch_norm_backward(np.ones((2, 1)), cache)
    >>> dx.ravel(), dbeta                # shifting every output equally: nothing flows back to x
    (array([0., 0.]), array([2.]))
    """
    return _normalize_backward(dy, cache)


def update_running_stats(running_mean: Any, running_var: Any, x: Any,
                         momentum: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    r"""One update of the running statistics, as ``torch.nn.BatchNorm1d`` does in training.

    ``running = (1 - momentum) * running + momentum * batch``, with the batch mean and the
    **unbiased** batch variance :math:`\frac{1}{n-1}\sum_i (x_i - \mu)^2`. (torch starts
    from ``running_mean = 0``, ``running_var = 1``.)

    Examples
    --------
    >>> import numpy as np
    >>> update_running_stats(np.zeros(1), np.ones(1), np.array([[0.0], [2.0]]))
    (array([0.1]), array([1.1]))
    """
    x = _as_2d("x", x)
    if x.shape[0] < 2:
        raise ValueError(f"x must hold a batch of at least 2 samples, got {x.shape[0]}")
    momentum = float(momentum)
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    mean = _vector("running_mean", running_mean, x.shape[1])
    var = _vector("running_var", running_var, x.shape[1])
    return ((1 - momentum) * mean + momentum * x.mean(axis=0),
            (1 - momentum) * var + momentum * x.var(axis=0, ddof=1))


def batch_norm_eval(x: Any, gamma: Any, beta: Any, running_mean: Any, running_var: Any,
                    eps: float = 1e-5) -> np.ndarray:
    r"""Batch normalization in evaluation mode: the running statistics, not the batch's.

    Each sample is transformed on its own: :math:`y = \gamma (x - \hat\mu)/\sqrt{\hat\sigma^2 + \epsilon} + \beta`.

    Examples
    --------
    >>> import numpy as np
    >>> batch_norm_eval(np.array([[3.0]]), np.ones(1), np.zeros(1), np.array([1.0]), np.array([4.0]), eps=0.0)
    array([[1.]])
    """
    x = _as_2d("x", x)
    d = x.shape[1]
    gamma, beta = _vector("gamma", gamma, d), _vector("beta", beta, d)
    mean, var = _vector("running_mean", running_mean, d), _vector("running_var", running_var, d)
    return gamma * (x - mean) / np.sqrt(var + _eps(eps)) + beta


def layer_norm_forward(x: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> tuple[np.ndarray, NormCache]:
    r"""Layer normalization: normalize each sample over its features (Ba, Kiros & Hinton 2016).

    The same in training and evaluation; ``gamma``, ``beta`` of shape (features,).

    Examples
    --------
    >>> import numpy as np
    >>> y, _ = layer_norm_forward(np.array([[1.0, 3.0], [10.0, 30.0]]), np.ones(2), np.zeros(2), eps=0.0)
    >>> y
    array([[-1.,  1.],
           [-1.,  1.]])
    """
    x = _as_2d("x", x)
    if x.shape[1] < 2:
        raise ValueError(f"x must have at least 2 features, got {x.shape[1]}")
    gamma, beta = _vector("gamma", gamma, x.shape[1]), _vector("beta", beta, x.shape[1])
    return _normalize(x, gamma, beta, _eps(eps), axis=1)


def layer_norm_backward(dy: Any, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`layer_norm_forward`: gradients with respect to x, gamma, beta.

    The formula of :func:`batch_norm_backward` with the means taken over the features.
    """
    return _normalize_backward(dy, cache)


# ---------------------------------------------------------------- the deep chain of chapter 07
def init_bn_chain(depth: int, width: int, *, init: str = "xavier", scale: float = 1.0,
                  seed: int = 0) -> dict[str, np.ndarray]:
    """Weights of :func:`gdlearn.troubles.init_chain` (same seed, same ``W_l``), with
    ``gamma_l = 1`` and ``beta_l = 0`` instead of the biases (which the batch mean would cancel).

    Examples
    --------
    >>> sorted(init_bn_chain(2, 3))
    ['W1', 'W2', 'beta1', 'beta2', 'gamma1', 'gamma2']
    """
    base = init_chain(depth, width, init=init, scale=scale, seed=seed)
    params: dict[str, np.ndarray] = {}
    for layer in range(1, depth + 1):
        params[f"W{layer}"] = base[f"W{layer}"]
        params[f"gamma{layer}"] = np.ones(width)
        params[f"beta{layer}"] = np.zeros(width)
    return params


def _bn_depth(params: dict[str, np.ndarray]) -> int:
    if not isinstance(params, dict) or "gamma1" not in params:
        raise TypeError("params must be a dict {'W1': ..., 'gamma1': ..., 'beta1': ...} as made by init_bn_chain")
    depth = 0
    while f"W{depth + 1}" in params:
        depth += 1
    return depth


def bn_chain_forward(params: dict[str, np.ndarray], X: Any, activation: str = "sigmoid",
                     eps: float = 1e-5) -> tuple[list[np.ndarray], list[NormCache]]:
    r"""Forward pass :math:`a_l = \phi(\mathrm{BN}(a_{l-1} W_l))` in training mode.

    Returns
    -------
    activations : list of arrays, ``activations[0]`` is ``X``
    caches : list of (z_hat_l, NormCache) per layer, for :func:`bn_chain_backprop`
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    phi, _ = ACTIVATIONS[activation]
    a = _as_2d("X", X)
    acts, caches = [a], []
    for layer in range(1, _bn_depth(params) + 1):
        u, cache = batch_norm_forward(a @ params[f"W{layer}"], params[f"gamma{layer}"], params[f"beta{layer}"], eps)
        a = phi(u)
        acts.append(a)
        caches.append((u, cache))
    return acts, caches


def bn_chain_loss(params: dict[str, np.ndarray], X: Any, Y: Any, activation: str = "sigmoid") -> float:
    """Mean squared error ``sum((a_L - Y)^2) / (2 n)`` of the normalized chain (as ``troubles.chain_loss``)."""
    acts, _ = bn_chain_forward(params, X, activation)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != acts[-1].shape:
        raise ValueError(f"Y must have the output's shape {acts[-1].shape}, got {Y.shape}")
    return float(0.5 * np.sum((acts[-1] - Y) ** 2) / len(Y))


def bn_chain_backprop(params: dict[str, np.ndarray], X: Any, Y: Any,
                      activation: str = "sigmoid") -> dict[str, np.ndarray]:
    r"""The gradient of :func:`bn_chain_loss` by backpropagation, a dict shaped like ``params``.

    Going down, the error passes :math:`\phi'`, then the normalization
    (:func:`batch_norm_backward`), then :math:`W_l^\top`.

    Examples
    --------
    >>> import numpy as np
    >>> p = init_bn_chain(3, 4, seed=0)
    >>> X, Y = np.random.default_rng(0).normal(size=(8, 4)), np.zeros((8, 4))
    >>> sorted(bn_chain_backprop(p, X, Y)) == sorted(p)
    True
    """
    _, dphi = ACTIVATIONS[activation] if activation in ACTIVATIONS else (None, None)
    acts, caches = bn_chain_forward(params, X, activation)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != acts[-1].shape:
        raise ValueError(f"Y must have the output's shape {acts[-1].shape}, got {Y.shape}")
    grads: dict[str, np.ndarray] = {}
    da = (acts[-1] - Y) / len(Y)
    for layer in range(len(caches), 0, -1):
        u, cache = caches[layer - 1]
        dz, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batch_norm_backward(da * dphi(u), cache)
        grads[f"W{layer}"] = acts[layer - 1].T @ dz
        da = dz @ params[f"W{layer}"].T
    return {k: grads[k] for k in params}
