r"""Losses of simple models with their analytic gradients, and mini-batches.

Linear regression (chapter 03) and logistic regression (chapter 04) as plain
functions of the weights ``w`` (shape ``(d,)``), the design matrix ``X``
(shape ``(n, d)``) and the targets ``y`` (shape ``(n,)``):

=====================  ============================================================
:func:`mse_loss`       :math:`L(w) = \frac1n \sum_i \tfrac12 (x_i^\top w - y_i)^2`
:func:`mse_grad`       :math:`\nabla L(w) = \frac1n X^\top (Xw - y)`
:func:`logistic_loss`  :math:`L(w) = -\frac1n \sum_i y_i \log p_i + (1 - y_i)\log(1 - p_i)`, :math:`p_i = \sigma(x_i^\top w)`
:func:`logistic_grad`  :math:`\nabla L(w) = \frac1n X^\top (p - y)`
=====================  ============================================================

Chapter 09's small neural network (``init_mlp``, ``mlp_loss_and_grad`` with
hand-written backprop, ``train``, ...) lives in :mod:`gdlearn.mlp`, which
builds on this module (never the other way round).

The factor ½ in the mean squared error makes its Hessian :math:`X^\top X/n`
with no stray factor 2. :func:`minibatches` yields the index sets of one epoch
of mini-batch SGD. The gradients are checked against finite differences in the
test suite.

Examples
--------
>>> import numpy as np
>>> from gdlearn import models
>>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
>>> y = np.array([1.0, 3.0, 5.0])                   # exactly y = 1 + 2t
>>> models.mse_loss(np.array([1.0, 2.0]), X, y)
0.0
>>> models.mse_grad(np.array([0.0, 0.0]), X, y)     # -X^T y / n
array([-3.        , -4.33333333])
"""

from __future__ import annotations

import numbers
from typing import Iterator

import numpy as np

__all__ = ["mse_loss", "mse_grad", "sigmoid", "logistic_loss", "logistic_grad", "minibatches"]


def _xyw(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = np.asarray(w, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (examples x features), got shape {X.shape}")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},), one weight per column of X, got {w.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one target per row of X, got {y.shape}")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples (0 rows): the mean over examples is undefined")
    return w, X, y


def mse_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    r"""Mean squared error with a factor ½: :math:`\frac1n \sum_i \tfrac12 (x_i^\top w - y_i)^2`.

    Examples
    --------
    >>> mse_loss(np.array([0.0]), np.array([[1.0], [1.0]]), np.array([1.0, 3.0]))
    2.5
    """
    w, X, y = _xyw(w, X, y)
    r = X @ w - y
    return float(0.5 * np.mean(r * r))


def mse_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Gradient of :func:`mse_loss`: :math:`\frac1n X^\top (Xw - y)`, shape ``(d,)``.

    Examples
    --------
    >>> mse_grad(np.array([0.0]), np.array([[1.0], [1.0]]), np.array([1.0, 3.0]))
    array([-2.])
    """
    w, X, y = _xyw(w, X, y)
    return X.T @ (X @ w - y) / X.shape[0]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, without overflow warnings.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))                  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    r"""Mean cross-entropy of logistic regression, computed stably from the logits.

    With :math:`z_i = x_i^\top w`, :math:`-y\log\sigma(z) - (1-y)\log(1-\sigma(z))
    = \log(1 + e^{z}) - y z`, evaluated as ``logaddexp(0, z) - y * z`` so that
    large :math:`|z|` neither overflows nor takes the log of 0.

    Examples
    --------
    >>> X = np.array([[1.0], [1.0]])
    >>> round(logistic_loss(np.array([0.0]), X, np.array([0.0, 1.0])), 6)   # log 2
    0.693147
    >>> logistic_loss(np.array([800.0]), X, np.array([1.0, 1.0]))            # confident and right
    0.0
    """
    w, X, y = _xyw(w, X, y)
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Gradient of :func:`logistic_loss`: :math:`\frac1n X^\top (\sigma(Xw) - y)`.

    Examples
    --------
    >>> logistic_grad(np.array([0.0]), np.array([[1.0], [1.0]]), np.array([1.0, 1.0]))
    array([-0.5])
    """
    w, X, y = _xyw(w, X, y)
    return X.T @ (sigmoid(X @ w) - y) / X.shape[0]


def minibatches(n: int, batch_size: int, *, rng: np.random.Generator | int | None = None,
                shuffle: bool = True, drop_last: bool = False) -> Iterator[np.ndarray]:
    """The index arrays of the mini-batches of one epoch over ``n`` examples.

    Each call is one pass (epoch): with ``shuffle`` a fresh random permutation
    of ``range(n)`` cut into consecutive pieces of ``batch_size``; without, the
    examples in order. The last batch is smaller when ``batch_size`` does not
    divide ``n`` (dropped with ``drop_last=True``). Every example appears
    exactly once per epoch.

    Parameters
    ----------
    n : int
        Number of examples, ``>= 1``.
    batch_size : int
        In ``[1, n]``.
    rng : numpy Generator or int seed, optional
        Source of the shuffles; pass the same Generator to successive epochs
        (a new permutation each time). Default: a fresh ``default_rng()``.
    shuffle : bool, default True
    drop_last : bool, default False

    Examples
    --------
    >>> [b.tolist() for b in minibatches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> rng = np.random.default_rng(0)
    >>> sorted(np.concatenate(list(minibatches(5, 2, rng=rng))).tolist())
    [0, 1, 2, 3, 4]
    """
    for name, value, low in (("n", n, 1), ("batch_size", batch_size, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer >= {low}, got {type(value).__name__} {value!r}")
    if n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, n] = [1, {n}], got {batch_size}")
    if shuffle:
        order = np.random.default_rng(rng).permutation(n)
    else:
        order = np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return (order[i:i + batch_size] for i in range(0, stop, batch_size))
