r"""A small multilayer perceptron with hand-written backpropagation (chapter 09).

The network is a plain dict of float64 arrays, so every optimizer of
:mod:`gdlearn.optim` trains it as it is::

    params = {"W1": (d_in, h1), "b1": (h1,), "W2": (h1, h2), "b2": (h2,), ..., "WL": (h, 1), "bL": (1,)}

Layer :math:`l` computes :math:`Z_l = A_{l-1} W_l + b_l` with :math:`A_0 = X`;
hidden layers apply an activation :math:`A_l = \phi(Z_l)` (``"tanh"`` or
``"relu"``), the last layer returns one **logit** per example,
:math:`z = Z_L`, and :math:`p = \sigma(z)` is the probability of label 1.
The loss is the mean binary cross-entropy computed from the logits,

.. math::
    L = \frac1n \sum_i \log(1 + e^{z_i}) - y_i z_i
        \;+\; \frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2 ,

(``logaddexp``: no overflow, no ``log(0)``, however large the logits), and
backpropagation runs the chain rule layer by layer, from the top down:

.. math::
    \frac{\partial L}{\partial z} = \frac{\sigma(z) - y}{n}, \quad
    \frac{\partial L}{\partial W_l} = A_{l-1}^\top \delta_l + \lambda W_l, \quad
    \frac{\partial L}{\partial b_l} = \textstyle\sum_i \delta_{l,i}, \quad
    \delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(Z_{l-1}).

The gradients are checked against central differences and against torch's
autograd in the test suite.

Examples
--------
>>> import numpy as np
>>> from gdlearn.mlp import init_mlp, mlp_loss_and_grad
>>> params = init_mlp([2, 8, 1], seed=0)
>>> sorted(params), params["W1"].shape, params["b2"].shape
(['W1', 'W2', 'b1', 'b2'], (2, 8), (1,))
>>> X = np.array([[0.0, 1.0], [1.0, 0.0], [-1.0, 0.5]])
>>> loss, grads = mlp_loss_and_grad(params, X, np.array([1.0, 0.0, 1.0]))
>>> sorted(grads) == sorted(params) and grads["W1"].shape == (2, 8)
True
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .models import minibatches, sigmoid
from .optim import apply_updates

__all__ = [
    "ACTIVATIONS",
    "TrainHistory",
    "init_mlp",
    "layer_sizes",
    "stack_params",
    "unstack_params",
    "mlp_forward",
    "mlp_loss",
    "mlp_loss_and_grad",
    "predict_proba",
    "predict",
    "accuracy",
    "global_norm",
    "train",
]

ACTIVATIONS = ("tanh", "relu")


# --- checks ----------------------------------------------------------------------------------

def _check_activation(activation: Any) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)


def _runs(params: Mapping[str, np.ndarray]) -> int | None:
    """The number of stacked runs (the trailing axis of every array), or None for one network."""
    W1 = params["W1"]
    return W1.shape[-1] if W1.ndim == 3 else None


def layer_sizes(params: Mapping[str, np.ndarray]) -> list[int]:
    """The layer widths ``[d_in, h1, ..., 1]`` of a network, after checking its arrays.

    Raises ``TypeError`` for anything but a dict of arrays and ``ValueError`` for
    missing keys or shapes that do not chain. Works for stacked networks too
    (see :func:`stack_params`).

    Examples
    --------
    >>> layer_sizes(init_mlp([2, 16, 16, 1]))
    [2, 16, 16, 1]
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays {{'W1', 'b1', ...}}, got {type(params).__name__}")
    n_layers = len(params) // 2
    expected = {f"{p}{l}" for l in range(1, n_layers + 1) for p in "Wb"}
    if n_layers < 1 or set(params) != expected:
        raise ValueError(f"params must hold W1, b1, ..., WL, bL for L >= 1 layers, got keys {sorted(params)}")
    if not all(isinstance(v, np.ndarray) for v in params.values()):
        raise TypeError("params must be a dict of numpy arrays, got " +
                        ", ".join(f"{k}: {type(v).__name__}" for k, v in params.items()))
    runs = _runs(params)
    tail = () if runs is None else (runs,)
    sizes = []
    for l in range(1, n_layers + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        if W.ndim != 2 + len(tail) or W.shape[2:] != tail or b.shape != (W.shape[1], *tail):
            want = "(fan_in, fan_out) and (fan_out,)" if runs is None else \
                f"(fan_in, fan_out, {runs}) and (fan_out, {runs}) (stacked runs)"
            raise ValueError(f"params['W{l}'] and params['b{l}'] must have shapes {want}, "
                             f"got {W.shape} and {b.shape}")
        if sizes and W.shape[0] != sizes[-1]:
            raise ValueError(f"params['W{l}'] has {W.shape[0]} rows but layer {l - 1} has {sizes[-1]} units")
        if not sizes:
            sizes.append(W.shape[0])
        sizes.append(W.shape[1])
    if sizes[-1] != 1:
        raise ValueError(f"the last layer must have 1 unit (one logit per example), got {sizes[-1]}")
    return sizes


def stack_params(networks: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack networks of the same shape into one dict whose arrays end with a *runs* axis.

    ``W1`` of shape ``(d_in, h1)`` becomes ``(d_in, h1, R)``, ``b1`` becomes
    ``(h1, R)``. Every function of this module accepts stacked params and then
    computes all ``R`` networks at once (logits ``(n, R)``, one loss per run),
    and the elementwise optimizers of :mod:`gdlearn.optim` train them side by
    side, with ``lr`` an array of shape ``(R,)`` for one learning rate per run:
    the convention of :func:`gdlearn.run.run_many`.

    Examples
    --------
    >>> stacked = stack_params([init_mlp([2, 8, 1], seed=s) for s in range(5)])
    >>> stacked["W1"].shape, stacked["b1"].shape
    ((2, 8, 5), (8, 5))
    >>> bool(np.array_equal(unstack_params(stacked, 3)["W2"], init_mlp([2, 8, 1], seed=3)["W2"]))
    True
    """
    networks = list(networks)
    if not networks:
        raise ValueError("networks must hold at least one network")
    sizes = [layer_sizes(p) for p in networks]
    if any(_runs(p) is not None for p in networks) or any(s != sizes[0] for s in sizes):
        raise ValueError(f"networks must be single networks of the same sizes, got sizes {sizes}")
    return {key: np.stack([np.asarray(p[key], dtype=np.float64) for p in networks], axis=-1)
            for key in networks[0]}


def unstack_params(params: Mapping[str, np.ndarray], run: int) -> dict[str, np.ndarray]:
    """Network number ``run`` of stacked params (a copy).

    Examples
    --------
    >>> stacked = stack_params([init_mlp([2, 3, 1], seed=s) for s in range(2)])
    >>> unstack_params(stacked, 1)["W1"].shape
    (2, 3)
    """
    runs = _runs(params) if layer_sizes(params) else None
    if runs is None:
        raise ValueError("params are a single network, not stacked runs")
    if isinstance(run, bool) or not isinstance(run, numbers.Integral) or not -runs <= run < runs:
        raise ValueError(f"run must be an integer in [0, {runs}), got {run!r}")
    return {key: np.array(value[..., run]) for key, value in params.items()}


def _check_X(params: Mapping[str, np.ndarray], X: Any) -> np.ndarray:
    sizes = layer_sizes(params)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != sizes[0]:
        raise ValueError(f"X must have shape (n, {sizes[0]}) (one row per example), got {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples (0 rows)")
    if not np.isfinite(X).all():
        raise ValueError("X must hold finite numbers only (found nan or inf)")
    return X


def _check_y(X: np.ndarray, y: Any) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got {y.shape}")
    if not ((y >= 0) & (y <= 1)).all():
        raise ValueError("y must hold labels in [0, 1] (0/1 classes, or probabilities)")
    return y


# --- the network ------------------------------------------------------------------------------

def init_mlp(sizes: Sequence[int], *, seed: int = 0, activation: str = "tanh",
             scale: str | None = None) -> dict[str, np.ndarray]:
    r"""Random weights and zero biases for a network with layer widths ``sizes``.

    :math:`W_l \sim \mathcal N(0, s_l^2)` with He scaling :math:`s_l^2 = 2/\text{fan\_in}`
    (made for ReLU) or Xavier/Glorot :math:`s_l^2 = 2/(\text{fan\_in} + \text{fan\_out})`
    (made for tanh), so that the activations keep their size from layer to layer.

    Parameters
    ----------
    sizes : sequence of int
        ``[d_in, h1, ..., 1]``: at least two entries, each >= 1, the last 1.
    seed : int
        Seed of ``numpy.random.default_rng``.
    activation : {"tanh", "relu"}
        Picks the default ``scale``.
    scale : {"he", "xavier"}, optional
        Default ``"xavier"`` for tanh and ``"he"`` for relu.

    Returns
    -------
    dict
        ``{"W1": (sizes[0], sizes[1]), "b1": (sizes[1],), ...}``, float64.

    Examples
    --------
    >>> params = init_mlp([2, 16, 16, 1], seed=0)
    >>> [params[k].shape for k in ("W1", "b1", "W2", "W3", "b3")]
    [(2, 16), (16,), (16, 16), (16, 1), (1,)]
    >>> float(params["b2"].sum())
    0.0
    """
    activation = _check_activation(activation)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths like [2, 16, 1], got {type(sizes).__name__}")
    sizes = [_check_int(f"sizes[{i}]", s, 1) for i, s in enumerate(sizes)]
    if len(sizes) < 2 or sizes[-1] != 1:
        raise ValueError(f"sizes must be [d_in, ..., 1] (at least 2 widths, the last 1), got {sizes}")
    if scale is None:
        scale = "xavier" if activation == "tanh" else "he"
    if scale not in ("he", "xavier"):
        raise ValueError(f"scale must be 'he' or 'xavier', got {scale!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = np.sqrt(2.0 / fan_in) if scale == "he" else np.sqrt(2.0 / (fan_in + fan_out))
        params[f"W{l}"] = std * rng.standard_normal((fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


def _act(Z: np.ndarray, activation: str) -> np.ndarray:
    return np.tanh(Z) if activation == "tanh" else np.maximum(Z, 0.0)


def _act_grad(Z: np.ndarray, A: np.ndarray, activation: str) -> np.ndarray:
    """phi'(Z), from the already computed A = phi(Z) where that is cheaper."""
    return 1.0 - A * A if activation == "tanh" else (Z > 0).astype(np.float64)


def _front(params: Mapping[str, np.ndarray], runs: int | None) -> dict[str, np.ndarray]:
    """Stacked params with the runs axis moved to the front (views): W (R, a, b), b (R, 1, b)."""
    if runs is None:
        return params
    return {key: (np.moveaxis(v, -1, 0) if key[0] == "W" else v.T[:, None, :]) for key, v in params.items()}


def _forward(params: Mapping[str, np.ndarray], X: np.ndarray, activation: str,
             n_layers: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Logits ((n,) or, runs first, (R, n)) and the cache, for params in runs-first layout."""
    cache = {"A0": X}
    A = X
    for l in range(1, n_layers + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]        # matmul broadcasts over the runs axis
        cache[f"Z{l}"] = Z
        if l < n_layers:
            A = _act(Z, activation)
            cache[f"A{l}"] = A
    return Z[..., 0], cache


def mlp_forward(params: Mapping[str, np.ndarray], X: np.ndarray, *,
                activation: str = "tanh") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    r"""The forward pass: logits of shape ``(n,)``, and the cache backpropagation needs.

    Parameters
    ----------
    params : dict
        From :func:`init_mlp` (or trained).
    X : array (n, d_in)
    activation : {"tanh", "relu"}
        Of the hidden layers (the output layer is linear: logits).

    Returns
    -------
    logits : ndarray (n,)
        ``(n, R)`` for stacked params (:func:`stack_params`).
    cache : dict
        ``"A0"`` (the input), ``"Z1"``, ``"A1"``, ..., ``"ZL"``: every layer's
        pre-activation :math:`Z_l` and activation :math:`A_l`, shape ``(n, width)``
        (``(R, n, width)``, runs first, for stacked params).

    Examples
    --------
    >>> params = {"W1": np.array([[1.0], [2.0]]), "b1": np.array([0.5])}   # one layer: logistic regression
    >>> logits, cache = mlp_forward(params, np.array([[1.0, 1.0]]))
    >>> logits, sorted(cache)
    (array([3.5]), ['A0', 'Z1'])
    """
    activation = _check_activation(activation)
    X = _check_X(params, X)
    runs = _runs(params)
    z, cache = _forward(_front(params, runs), X, activation, len(params) // 2)
    return (z if runs is None else z.T), cache


def _loss_and_grad(params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, activation: str,
                   weight_decay: float, n_layers: int, runs: int | None = None
                   ) -> tuple[Any, Any, dict[str, np.ndarray], np.ndarray]:
    """Backpropagation on checked inputs: (cross-entropy, penalty, grads, logits).

    With stacked runs the losses are arrays (R,), the logits (R, n) and the grads
    stacked like the params (runs last).
    """
    n = X.shape[-2]                                       # X is (n, d_in), or (R, n, d_in) per run
    front = _front(params, runs)
    z, cache = _forward(front, X, activation, n_layers)
    loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)
    delta = ((sigmoid(z) - y) / n)[..., None]             # dL/dZ_L, shape (n, 1) or (R, n, 1)
    grads = {}
    for l in range(n_layers, 0, -1):
        A_prev = cache[f"A{l - 1}"]
        grads[f"W{l}"] = np.swapaxes(A_prev, -1, -2) @ delta
        grads[f"b{l}"] = delta.sum(axis=-2)
        if l > 1:                                         # dL/dZ_{l-1}: back through W_l, then phi
            delta = (delta @ np.swapaxes(front[f"W{l}"], -1, -2)) * _act_grad(cache[f"Z{l - 1}"], A_prev,
                                                                             activation)
    if runs is not None:                                  # back to runs last
        grads = {key: np.moveaxis(g, 0, -1) if key[0] == "W" else g.T for key, g in grads.items()}
    penalty = 0.0 if runs is None else np.zeros(runs)
    if weight_decay:
        for l in range(1, n_layers + 1):
            W = params[f"W{l}"]
            penalty = penalty + 0.5 * weight_decay * np.sum(W * W, axis=(0, 1))
            grads[f"W{l}"] = grads[f"W{l}"] + weight_decay * W
    if runs is None:
        loss, penalty = float(loss), float(penalty)
    return loss, penalty, {key: grads[key] for key in params}, z


def mlp_loss_and_grad(params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, *,
                      activation: str = "tanh", weight_decay: float = 0.0
                      ) -> tuple[float, dict[str, np.ndarray]]:
    r"""Mean binary cross-entropy from the logits, and its gradient by backpropagation.

    Parameters
    ----------
    params : dict
    X : array (n, d_in)
    y : array (n,)
        Labels in [0, 1].
    activation : {"tanh", "relu"}
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`: adds :math:`\frac\lambda2 \sum_l \lVert W_l\rVert^2`
        (weights only, not biases) to the loss.

    Returns
    -------
    loss : float
        An array ``(R,)``, one loss per run, for stacked params.
    grads : dict
        Same keys and shapes as ``params``.

    Examples
    --------
    >>> params = {"W1": np.zeros((2, 1)), "b1": np.zeros(1)}
    >>> loss, grads = mlp_loss_and_grad(params, np.array([[1.0, 2.0]]), np.array([1.0]))
    >>> round(loss, 6), grads["W1"].ravel(), grads["b1"]       # log 2; (sigma(0) - 1) x
    (0.693147, array([-0.5, -1. ]), array([-0.5]))
    """
    activation = _check_activation(activation)
    X = _check_X(params, X)
    y = _check_y(X, y)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real) or not (
            0 <= weight_decay < np.inf):
        raise ValueError(f"weight_decay must be a number in [0, inf), got {weight_decay!r}")
    loss, penalty, grads, _ = _loss_and_grad(params, X, y, activation, weight_decay, len(params) // 2,
                                             _runs(params))
    return loss + penalty, grads


def mlp_loss(params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, *,
             activation: str = "tanh", weight_decay: float = 0.0) -> float:
    """The loss of :func:`mlp_loss_and_grad` alone (one forward pass).

    Examples
    --------
    >>> params = {"W1": np.zeros((1, 1)), "b1": np.array([800.0])}   # a huge logit, and right
    >>> mlp_loss(params, np.array([[0.0]]), np.array([1.0]))
    0.0
    """
    activation = _check_activation(activation)
    X = _check_X(params, X)
    y = _check_y(X, y)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real) or not (
            0 <= weight_decay < np.inf):
        raise ValueError(f"weight_decay must be a number in [0, inf), got {weight_decay!r}")
    runs = _runs(params)
    z, _ = _forward(_front(params, runs), X, activation, len(params) // 2)
    loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)
    if weight_decay:
        loss = loss + 0.5 * weight_decay * sum(np.sum(params[k] ** 2, axis=(0, 1)) for k in params if k[0] == "W")
    return float(loss) if runs is None else loss


def predict_proba(params: Mapping[str, np.ndarray], X: np.ndarray, *, activation: str = "tanh") -> np.ndarray:
    r"""The probability of label 1, :math:`\sigma(z)`, shape ``(n,)``.

    Examples
    --------
    >>> params = {"W1": np.array([[1.0]]), "b1": np.array([0.0])}
    >>> predict_proba(params, np.array([[0.0], [1000.0], [-1000.0]]))
    array([0.5, 1. , 0. ])
    """
    return sigmoid(mlp_forward(params, X, activation=activation)[0])


def predict(params: Mapping[str, np.ndarray], X: np.ndarray, *, activation: str = "tanh") -> np.ndarray:
    """The predicted labels, 1.0 where the logit is > 0 (probability > ½), else 0.0.

    Examples
    --------
    >>> predict({"W1": np.array([[1.0]]), "b1": np.array([0.0])}, np.array([[-2.0], [3.0]]))
    array([0., 1.])
    """
    return (mlp_forward(params, X, activation=activation)[0] > 0).astype(np.float64)


def accuracy(params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, *,
             activation: str = "tanh") -> float:
    """The share of examples whose predicted label equals ``y`` (an array ``(R,)`` for stacked params).

    Examples
    --------
    >>> accuracy({"W1": np.array([[1.0]]), "b1": np.array([0.0])},
    ...          np.array([[-2.0], [3.0], [1.0]]), np.array([0.0, 1.0, 0.0]))
    0.6666666666666666
    """
    X = _check_X(params, X)
    y = _check_y(X, y)
    hits = predict(params, X, activation=activation) == (y[:, None] if _runs(params) else y)
    return float(np.mean(hits)) if _runs(params) is None else hits.mean(axis=0)


def global_norm(tree: Mapping[str, np.ndarray] | np.ndarray) -> float:
    """The Euclidean norm of all entries of an array or a dict of arrays (what clipping measures).

    Examples
    --------
    >>> global_norm({"a": np.array([3.0]), "b": np.array([[4.0]])})
    5.0
    """
    leaves = tree.values() if isinstance(tree, Mapping) else [tree]
    return float(np.sqrt(sum(float(np.sum(np.square(np.asarray(v, dtype=np.float64)))) for v in leaves)))


# --- training ---------------------------------------------------------------------------------

class TrainHistory(NamedTuple):
    """What :func:`train` records.

    ``loss``, ``accuracy`` (on the training set) and ``val_loss``,
    ``val_accuracy`` (on the validation set, or ``None``) have ``epochs + 1``
    entries: before training, then after each epoch (the cross-entropy without a
    weight-decay penalty). ``grad_norm`` has one
    entry per epoch: the mean global norm of the mini-batch gradients the
    optimizer received. ``status`` is ``"ok"`` or ``"diverged"`` (a loss or
    gradient left the finite numbers; ``diverged_at`` is that epoch, the
    remaining entries are nan). ``snapshots`` maps each epoch asked for in
    ``snapshot_epochs`` to a copy of the params at that moment.
    """

    loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None
    status: str
    diverged_at: int | None
    snapshots: dict


def train(params: Mapping[str, np.ndarray], X: np.ndarray, y: np.ndarray, opt: Any, *, epochs: int,
          batch_size: int | None = None, seed: int | Sequence[int] = 0, X_val: np.ndarray | None = None,
          y_val: np.ndarray | None = None, activation: str = "tanh", weight_decay: float = 0.0,
          snapshot_epochs: Sequence[int] = ()) -> tuple[dict[str, np.ndarray], TrainHistory]:
    r"""Train a network with mini-batch gradients and any optimizer of :mod:`gdlearn.optim`.

    Each epoch visits every example once, in the mini-batches of
    :func:`gdlearn.models.minibatches` (a fresh shuffle per epoch from ``seed``);
    each mini-batch is one step::

        loss, grads = mlp_loss_and_grad(params, X[batch], y[batch])
        updates, state = opt.update(grads, state, params)
        params = apply_updates(params, updates)

    A run whose loss or gradient stops being finite halts cleanly, with
    ``history.status == "diverged"``.

    With stacked params (:func:`stack_params`) the ``R`` networks train side by
    side on the same mini-batches, each with its own optimizer state (the
    optimizer must act elementwise: not :func:`~gdlearn.optim.clip_by_global_norm`,
    whose norm would mix the runs); every series of the history gets a
    trailing runs axis, and a run that diverges turns nan while the others go on.
    Give ``seed`` as a sequence of ``R`` seeds and each stacked run draws its
    own mini-batches (run ``r`` sees exactly the batches of an unstacked run
    with ``seed=seed[r]``); an int gives all runs the same batches.

    Parameters
    ----------
    params : dict
        The starting network (not modified).
    X, y : arrays (n, d_in) and (n,)
        The training set.
    opt : GradientTransformation
        E.g. ``optim.sgd(lr=0.5, momentum=0.9)`` or ``optim.adam(lr=0.01)``.
    epochs : int
        >= 1.
    batch_size : int, optional
        In ``[1, n]``; default ``n`` (full batch: one step per epoch).
    seed : int or sequence of int
        Seed of the shuffles; for stacked params, optionally one seed per run.
    X_val, y_val : arrays, optional
        A validation set, evaluated after every epoch (not trained on).
    activation : {"tanh", "relu"}
    weight_decay : float
        The L2 penalty inside the loss (see :func:`mlp_loss_and_grad`); for
        decoupled decay use ``optim.adamw``.
    snapshot_epochs : sequence of int
        Epochs (0 = before training) at which to keep a copy of the params.

    Returns
    -------
    params : dict
        The trained network.
    history : TrainHistory

    Examples
    --------
    >>> from gdlearn import optim
    >>> X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])
    >>> y = np.array([0.0, 1.0, 0.0, 1.0])
    >>> params, history = train(init_mlp([2, 4, 1]), X, y, optim.adam(lr=0.1), epochs=50)
    >>> history.status, bool(history.loss[-1] < 0.1 * history.loss[0]), float(history.accuracy[-1])
    ('ok', True, 1.0)
    """
    activation = _check_activation(activation)
    X = _check_X(params, X)
    y = _check_y(X, y)
    epochs = _check_int("epochs", epochs, 1)
    n = X.shape[0]
    batch_size = n if batch_size is None else _check_int("batch_size", batch_size, 1)
    if batch_size > n:
        raise ValueError(f"batch_size must be in [1, n] = [1, {n}], got {batch_size}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = _check_X(params, X_val)
        y_val = _check_y(X_val, y_val)
    if not hasattr(opt, "init") or not hasattr(opt, "update"):
        raise TypeError(f"opt must be a GradientTransformation (init, update), got {type(opt).__name__}")
    keep = {_check_int("snapshot_epochs entry", e, 0) for e in snapshot_epochs}
    n_layers = len(params) // 2
    params = {key: np.array(value, dtype=np.float64) for key, value in params.items()}

    runs = _runs(params)
    per_run = not isinstance(seed, (numbers.Integral, np.random.Generator)) and seed is not None
    if per_run:
        seeds = list(seed)
        if runs is None or len(seeds) != runs:
            raise ValueError(f"seed must be an int, or one seed per stacked run ({runs} runs); got {len(seeds)} seeds")
        seeds = [_check_int("seed entry", s, 0) for s in seeds]
    shape = (epochs + 1,) if runs is None else (epochs + 1, runs)
    loss, acc = np.full(shape, np.nan), np.full(shape, np.nan)
    grad_norm = np.full((epochs, *shape[1:]), np.nan)
    val_loss, val_acc = (np.full(shape, np.nan), np.full(shape, np.nan)) if X_val is not None else (None, None)
    snapshots: dict[int, dict[str, np.ndarray]] = {}
    full_batch = batch_size == n

    def metrics(Xs: np.ndarray, ys: np.ndarray, z: np.ndarray | None) -> tuple:
        if z is None:
            z, _ = _forward(_front(params, runs), Xs, activation, n_layers)
        return np.mean(np.logaddexp(0.0, z) - ys * z, axis=-1), np.mean((z > 0) == (ys > 0.5), axis=-1)

    def record(epoch: int, z: np.ndarray | None = None) -> None:
        """Training metrics at the params after `epoch` epochs (z: their logits, if known)."""
        loss[epoch], acc[epoch] = metrics(X, y, z)

    def record_val(epoch: int) -> None:
        if X_val is not None:
            val_loss[epoch], val_acc[epoch] = metrics(X_val, y_val, None)
        if epoch in keep:
            snapshots[epoch] = {key: value.copy() for key, value in params.items()}

    rngs = [np.random.default_rng(s) for s in seeds] if per_run else None
    rng = None if per_run else np.random.default_rng(seed)

    def epoch_batches() -> Any:
        """This epoch's mini-batches: index arrays (b,), or (R, b) with one order per run."""
        if full_batch:
            return [slice(None)]
        if not per_run:
            return minibatches(n, batch_size, rng=rng)
        return zip(*(minibatches(n, batch_size, rng=r) for r in rngs))

    state = opt.init(params)
    status, diverged_at = "ok", None
    with np.errstate(all="ignore"):
        record_val(0)
        if not full_batch:
            record(0)
        for epoch in range(1, epochs + 1):
            norms = []
            for batch in epoch_batches():
                if per_run and not full_batch:
                    batch = np.stack(batch)         # (R, b): X[batch] is (R, b, d_in), runs first
                _, _, grads, z = _loss_and_grad(params, X[batch], y[batch], activation, weight_decay, n_layers,
                                                runs)
                if full_batch:          # the logits of the params at the end of the last epoch: free metrics
                    record(epoch - 1, z)
                norms.append(np.sqrt(sum(np.sum(g * g, axis=None if runs is None else tuple(range(g.ndim - 1)))
                                         for g in grads.values())))
                if runs is None and not np.isfinite(norms[-1]):
                    break
                updates, state = opt.update(grads, state, params)
                params = apply_updates(params, updates)
            grad_norm[epoch - 1] = np.mean(norms, axis=0)
            recorded = not full_batch or epoch == epochs
            if recorded:
                record(epoch)
            record_val(epoch)
            finite = np.isfinite(grad_norm[epoch - 1]) & (np.isfinite(loss[epoch]) if recorded else True)
            if not np.all(finite) and status == "ok":
                status, diverged_at = "diverged", epoch
            if runs is None and status == "diverged":
                loss[epoch:] = acc[epoch:] = np.nan
                if X_val is not None:
                    val_loss[epoch:] = val_acc[epoch:] = np.nan
                break
        if runs is not None and status == "diverged":       # nan from the first non-finite epoch of each run
            bad = np.cumsum(~np.isfinite(np.vstack([grad_norm, grad_norm[-1:]])) | ~np.isfinite(loss), axis=0) > 0
            for series in (loss, acc, val_loss, val_acc):
                if series is not None:
                    series[bad] = np.nan
    return params, TrainHistory(loss, acc, grad_norm, val_loss, val_acc, status, diverged_at, snapshots)
