r"""What goes wrong in training, as small models you can take apart (chapter 07).

Three groups of helpers, each with its gradient written by hand:

- **A deep chain of layers** (:func:`init_chain`, :func:`chain_forward`,
  :func:`chain_backprop`, :func:`layer_grad_norms`): ``depth`` fully connected
  layers of the same ``width`` with a sigmoid, tanh or ReLU activation after each.
  Backpropagation multiplies the error by one weight matrix and one activation
  derivative per layer, so the gradient norm per layer shows gradients
  vanishing (sigmoid: :math:`\sigma' \le 1/4`) or not (ReLU with He's initialization).
- **A scalar recurrence** :math:`h_t = w\,h_{t-1} + x_t` (:func:`recurrence`,
  :func:`recurrence_grad`, :func:`recurrence_surface`): :math:`h_T` contains
  :math:`w^T`, so the gradient with respect to :math:`w` explodes for
  :math:`|w| > 1` and vanishes for :math:`|w| < 1`.
- **Regularized polynomial regression** (:func:`regularized_loss`,
  :func:`regularized_grad`, :func:`soft_threshold`, :func:`fit_regularized`,
  :func:`early_stopping`): L2 (ridge) and L1 (lasso, by subgradient or
  proximal steps), a training/validation history and early stopping.

Clipping itself is :func:`gdlearn.optim.clip_by_global_norm` and
:func:`gdlearn.optim.clip_by_value`; divergence detection on a loss history
is :func:`divergence_step`.

Examples
--------
>>> params = init_chain(depth=10, width=4, init="xavier", seed=0)
>>> X, Y = np.ones((3, 4)), np.zeros((3, 4))
>>> norms = layer_grad_norms(chain_backprop(params, X, Y, "sigmoid"))
>>> bool(norms[0] < 1e-3 * norms[-1])          # the first layer learns far more slowly
True
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

from .models import mse_grad, mse_loss
from .schedules import _check_int, _check_real
from .surfaces import Surface

__all__ = [
    "ACTIVATIONS",
    "init_chain",
    "chain_forward",
    "chain_loss",
    "chain_backprop",
    "layer_grad_norms",
    "recurrence",
    "recurrence_grad",
    "recurrence_surface",
    "regularized_loss",
    "regularized_grad",
    "soft_threshold",
    "FitHistory",
    "fit_regularized",
    "early_stopping",
    "divergence_step",
]


# ---------------------------------------------------------------- activations
def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))                      # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _dsigmoid(z: np.ndarray) -> np.ndarray:
    s = _sigmoid(z)
    return s * (1.0 - s)


#: name -> (activation, its derivative), both elementwise.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (_sigmoid, _dsigmoid),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "linear": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float)),
}

_INITS = ("xavier", "he", "normal", "constant")


def _activation(name: Any) -> tuple[Callable, Callable]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


# ---------------------------------------------------------------- a deep chain
def init_chain(depth: int, width: int, *, init: str = "xavier", scale: float = 1.0,
               seed: int = 0) -> dict[str, np.ndarray]:
    r"""Weights and biases of ``depth`` layers of ``width`` units: ``{"W1": ..., "b1": ..., ...}``.

    ``W_l`` has shape ``(width, width)``, ``b_l`` shape ``(width,)`` (zeros). The
    weights are drawn from :math:`N(0, s^2)` with

    - ``"xavier"`` (Glorot & Bengio 2010): :math:`s = \text{scale}/\sqrt{\text{width}}`,
      Glorot's :math:`2/(\text{fan-in} + \text{fan-out})` for square layers; it keeps
      the variance of tanh layers' inputs roughly steady (tanh has slope 1 at 0), and
      is too small for the sigmoid, whose slope at 0 is 1/4 (chapter 07);
    - ``"he"`` (He et al. 2015): :math:`s = \text{scale}\sqrt{2/\text{width}}`, the
      same for ReLU, which zeroes half its inputs;
    - ``"normal"``: :math:`s = \text{scale}`;
    - ``"constant"``: every weight equals ``scale`` (``scale=0``: all zeros), the
      symmetric start that chapter 07 warns about.

    The dict is a valid ``params`` for every optimizer of :mod:`gdlearn.optim`.

    Examples
    --------
    >>> p = init_chain(depth=3, width=2, init="constant", scale=0.5)
    >>> sorted(p), p["W2"]
    (['W1', 'W2', 'W3', 'b1', 'b2', 'b3'], array([[0.5, 0.5],
           [0.5, 0.5]]))
    """
    depth = _check_int("depth", depth, 1)
    width = _check_int("width", width, 1)
    if init not in _INITS:
        raise ValueError(f"init must be one of {list(_INITS)}, got {init!r}")
    scale = _check_real("scale", scale, "[0, inf)")
    rng = np.random.default_rng(seed)
    std = {"xavier": scale / math.sqrt(width), "he": scale * math.sqrt(2.0 / width),
           "normal": scale, "constant": 0.0}[init]
    params: dict[str, np.ndarray] = {}
    for layer in range(1, depth + 1):
        if init == "constant":
            params[f"W{layer}"] = np.full((width, width), scale)
        else:
            params[f"W{layer}"] = std * rng.standard_normal((width, width))
        params[f"b{layer}"] = np.zeros(width)
    return params


def _depth(params: dict[str, np.ndarray]) -> int:
    if not isinstance(params, dict) or "W1" not in params:
        raise TypeError("params must be a dict {'W1': ..., 'b1': ..., ...} as made by init_chain")
    depth = 0
    while f"W{depth + 1}" in params:
        depth += 1
    return depth


def chain_forward(params: dict[str, np.ndarray], X: np.ndarray,
                  activation: str = "sigmoid") -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Forward pass: :math:`z_l = a_{l-1} W_l + b_l`, :math:`a_l = \phi(z_l)`, :math:`a_0 = X`.

    Returns
    -------
    zs, activations : lists of arrays of shape ``(n, width)``
        ``zs[l - 1]`` is :math:`z_l`; ``activations[l]`` is :math:`a_l`
        (``activations[0]`` is ``X``, ``activations[-1]`` the output).

    Examples
    --------
    >>> p = init_chain(2, 1, init="constant", scale=2.0)
    >>> zs, acts = chain_forward(p, np.array([[1.0]]), "linear")
    >>> [float(a[0, 0]) for a in acts]
    [1.0, 2.0, 4.0]
    """
    phi, _ = _activation(activation)
    depth = _depth(params)
    a = np.asarray(X, dtype=float)
    if a.ndim != 2 or a.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"X must have shape (n, {params['W1'].shape[0]}), got {a.shape}")
    zs, acts = [], [a]
    for layer in range(1, depth + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        a = phi(z)
        zs.append(z)
        acts.append(a)
    return zs, acts


def chain_loss(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
               activation: str = "sigmoid") -> float:
    r"""Mean squared error of the chain's output: :math:`\frac1n\sum_i \tfrac12\lVert a_L^{(i)} - Y_i\rVert^2`.

    Examples
    --------
    >>> p = init_chain(1, 1, init="constant", scale=0.0)
    >>> chain_loss(p, np.array([[3.0]]), np.array([[1.0]]), "sigmoid")   # sigmoid(0) = 0.5
    0.125
    """
    _, acts = chain_forward(params, X, activation)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != acts[-1].shape:
        raise ValueError(f"Y must have the output's shape {acts[-1].shape}, got {Y.shape}")
    return float(0.5 * np.sum((acts[-1] - Y) ** 2) / len(Y))


def chain_backprop(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                   activation: str = "sigmoid") -> dict[str, np.ndarray]:
    r"""The gradient of :func:`chain_loss` by backpropagation, a dict shaped like ``params``.

    With :math:`\delta_L = (a_L - Y)/n \odot \phi'(z_L)` and, going down,
    :math:`\delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(z_{l-1})`:

    .. math:: \frac{\partial \mathcal L}{\partial W_l} = a_{l-1}^\top \delta_l, \qquad
              \frac{\partial \mathcal L}{\partial b_l} = \textstyle\sum_i \delta_l^{(i)} .

    Each layer down multiplies the error by :math:`W_l^\top` and by
    :math:`\phi'`, and the sigmoid's :math:`\phi' \le 1/4`: that product is why
    gradients vanish in deep sigmoid chains.

    Examples
    --------
    >>> p = init_chain(2, 1, init="constant", scale=3.0)      # y = 9 x, loss (9x - y)^2 / 2
    >>> g = chain_backprop(p, np.array([[1.0]]), np.array([[0.0]]), "linear")
    >>> float(g["W1"][0, 0]), float(g["W2"][0, 0])             # 9 * 3 and 9 * 3
    (27.0, 27.0)
    """
    _, dphi = _activation(activation)
    zs, acts = chain_forward(params, X, activation)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != acts[-1].shape:
        raise ValueError(f"Y must have the output's shape {acts[-1].shape}, got {Y.shape}")
    depth = len(zs)
    grads: dict[str, np.ndarray] = {}
    delta = (acts[-1] - Y) / len(Y) * dphi(zs[-1])
    for layer in range(depth, 0, -1):
        grads[f"W{layer}"] = acts[layer - 1].T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * dphi(zs[layer - 2])
    return {k: grads[k] for k in params}


def layer_grad_norms(grads: dict[str, np.ndarray]) -> np.ndarray:
    """The Frobenius norm of each layer's weight gradient, first layer first: shape ``(depth,)``.

    Examples
    --------
    >>> layer_grad_norms({"W1": np.array([[3.0, 4.0]]), "b1": np.zeros(2), "W2": np.eye(2)}).round(4)
    array([5.    , 1.4142])
    """
    return np.array([np.linalg.norm(grads[f"W{layer}"]) for layer in range(1, _depth(grads) + 1)])


# ---------------------------------------------------------------- a recurrence
def recurrence(w: Any, h0: Any, inputs: Any) -> np.ndarray:
    r"""The states of :math:`h_t = w\,h_{t-1} + x_t`, :math:`t = 1, \dots, T`.

    ``w`` and ``h0`` may be arrays (a grid of values: the states broadcast);
    ``inputs`` is the sequence :math:`x_1, \dots, x_T` (a scalar is a constant
    input, repeated: then pass ``T`` as its length, ``np.full(T, x)``).

    Without inputs, :math:`h_T = w^T h_0`: it explodes for :math:`|w| > 1` and
    vanishes for :math:`|w| < 1`.

    Returns
    -------
    ndarray, shape ``(T + 1, *broadcast shape)``
        :math:`h_0, h_1, \dots, h_T`.

    Examples
    --------
    >>> recurrence(2.0, 1.0, np.zeros(4))
    array([ 1.,  2.,  4.,  8., 16.])
    """
    w = np.asarray(w, dtype=float)
    h = np.broadcast_to(np.asarray(h0, dtype=float), np.broadcast(w, np.asarray(h0)).shape).copy()
    xs = np.asarray(inputs, dtype=float)
    if xs.ndim < 1:
        raise ValueError("inputs must be a sequence x_1, ..., x_T (an array with T on axis 0)")
    states = [h]
    with np.errstate(over="ignore", invalid="ignore"):
        for x in xs:
            h = w * h + x
            states.append(h)
    return np.array(states)


def recurrence_grad(w: Any, h0: Any, inputs: Any, target: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Loss :math:`\tfrac12 (h_T - y)^2` and its gradients by backpropagation through time.

    Going back from :math:`g_T = h_T - y` with :math:`g_{t-1} = w\,g_t`:

    .. math:: \frac{\partial \mathcal L}{\partial w} = \sum_{t=1}^{T} g_t\, h_{t-1}
              = (h_T - y) \sum_{t=1}^{T} w^{T-t} h_{t-1}, \qquad
              \frac{\partial \mathcal L}{\partial x_t} = g_t = (h_T - y)\, w^{T-t}.

    With no inputs :math:`h_T = w^T h_0` and
    :math:`\partial h_T/\partial w = T w^{T-1} h_0`: it grows like
    :math:`T|w|^{T-1}` for :math:`|w| > 1` (exploding) and dies away for
    :math:`|w| < 1` (vanishing).

    Returns
    -------
    loss, dloss_dw, dloss_dinputs
        ``dloss_dinputs`` has the shape of ``inputs`` broadcast with ``w``
        (shape ``(T, ...)``); ``dloss_dinputs.sum(axis=0)`` is the gradient with
        respect to a constant input (a bias) ``b``.

    Examples
    --------
    >>> loss, dw, dx = recurrence_grad(1.5, 1.0, np.zeros(10), target=0.0)
    >>> bool(np.isclose(dw, 1.5 ** 10 * 10 * 1.5 ** 9))          # (h_T - y) T w^(T-1) h_0
    True
    """
    target = _check_real("target", target, "(-inf, inf)")
    w = np.asarray(w, dtype=float)
    hs = recurrence(w, h0, inputs)
    T = len(hs) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        g = hs[-1] - target
        loss = 0.5 * g * g
        dw = np.zeros_like(g)
        dx = np.empty((T,) + g.shape)
        for t in range(T, 0, -1):           # g holds dL/dh_t
            dw = dw + g * hs[t - 1]
            dx[t - 1] = g
            g = g * w
    return loss, dw, dx


def recurrence_surface(T: int = 20, h0: float = 1.0, target: float = 3.0,
                       domain: tuple = ((-1.3, 1.3), (-1.5, 1.5)),
                       start: tuple = (1.12, -0.6)) -> Surface:
    r"""The loss of the recurrence :math:`h_t = w\,h_{t-1} + b` as a 2-D surface over :math:`(w, b)`.

    :math:`f(w, b) = \tfrac12 (h_T - y)^2`, with
    :math:`h_T = w^T h_0 + b\,(1 + w + \dots + w^{T-1})`. Inside
    :math:`|w| < 1` it is a gentle valley; at :math:`|w| \approx 1` the
    :math:`w^T` term rises into a steep wall (Pascanu, Mikolov & Bengio 2013),
    where the gradient is thousands of times larger than in the valley: the
    landscape of the clipping explorer (chapter 07). ``grad`` is
    :func:`recurrence_grad` (backpropagation through time); ``hess`` uses
    forward-mode derivatives of :math:`h_t`.

    Examples
    --------
    >>> s = recurrence_surface(T=3, h0=1.0, target=0.0)
    >>> float(s.f(np.array([2.0, 1.0])))          # h_3 = 8 + (1 + 2 + 4) = 15
    112.5
    >>> s.grad(np.array([2.0, 1.0]))              # 15 * (3 w^2 h0 + b (1 + 2 w)), 15 * 7
    array([255., 105.])
    """
    T = _check_int("T", T, 1)
    h0 = _check_real("h0", h0, "(-inf, inf)")
    target = _check_real("target", target, "(-inf, inf)")

    def coords(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=float)
        if x.shape[:1] != (2,):
            raise ValueError(f"x must have shape (2, ...) (w on row 0, b on row 1), got {x.shape}")
        return x[0], x[1]

    last: list = [None, None]   # run() asks for f, then grad, at the same point: compute once

    def scalar(w: float, b: float) -> tuple[float, float, float]:
        """Loss and gradient at one point in plain floats: 50 times faster than arrays of size 1."""
        if last[0] == (w, b):
            return last[1]
        last[0], last[1] = (w, b), _scalar(w, b)
        return last[1]

    def _scalar(w: float, b: float) -> tuple[float, float, float]:
        hs = [h0]
        try:
            for _ in range(T):
                hs.append(w * hs[-1] + b)
            g = hs[-1] - target
            loss = 0.5 * g * g
            dw = db = 0.0
            for t in range(T, 0, -1):
                dw += g * hs[t - 1]
                db += g
                g *= w
        except OverflowError:
            return math.inf, math.inf, math.inf
        return loss, dw, db

    def f(x: np.ndarray) -> np.ndarray:
        w, b = coords(x)
        if w.ndim == 0:
            return np.float64(scalar(float(w), float(b))[0])
        return recurrence_grad(w, h0, np.broadcast_to(b, (T,) + np.shape(b)), target)[0]

    def grad(x: np.ndarray) -> np.ndarray:
        w, b = coords(x)
        if w.ndim == 0:
            return np.array(scalar(float(w), float(b))[1:])
        _, dw, dx = recurrence_grad(w, h0, np.broadcast_to(b, (T,) + np.broadcast(w, b).shape), target)
        return np.array([dw, dx.sum(axis=0)])

    def hess(x: np.ndarray) -> np.ndarray:
        w, b = coords(x)
        shape = np.broadcast(w, b).shape
        h, hw, hb, hww, hwb = (np.full(shape, v) for v in (h0, 0.0, 0.0, 0.0, 0.0))
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(T):   # forward mode: h_t = w h_{t-1} + b, differentiated
                h, hw, hb, hww, hwb = (w * h + b, h + w * hw, 1.0 + w * hb,
                                       2.0 * hw + w * hww, hb + w * hwb)
            r = h - target
            return np.array([[hw * hw + r * hww, hw * hb + r * hwb], [hw * hb + r * hwb, hb * hb]])

    f.__doc__ = recurrence_surface.__doc__
    return Surface(name=f"Recurrence loss, T = {T}", f=f, grad=grad, hess=hess, minima=np.empty((0, 2)),
                   domain=domain, start=start, log_scale=True,
                   latex=r"$\frac12 (h_T - y)^2,\ h_t = w h_{t-1} + b$")


# ---------------------------------------------------------------- regularized regression
_PENALTIES = ("l2", "l1")


def _penalty(penalty: Any) -> str:
    if penalty not in _PENALTIES:
        raise ValueError(f"penalty must be one of {list(_PENALTIES)}, got {penalty!r}")
    return penalty


def regularized_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float,
                     penalty: str = "l2") -> float:
    r"""Mean squared error plus a penalty on every weight but the intercept ``w[0]``.

    .. math:: \mathcal L(w) = \frac1n \sum_i \tfrac12 (x_i^\top w - y_i)^2
              + \begin{cases} \tfrac{\lambda}2 \sum_{j\ge1} w_j^2 & \text{L2 (ridge)} \\
                              \lambda \sum_{j\ge1} |w_j| & \text{L1 (lasso)} \end{cases}

    The intercept (the column of ones of :func:`gdlearn.data.poly_features`) is
    not penalized: shifting every target by a constant should shift the fit,
    not change it.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0]]); w = np.array([1.0, -3.0])
    >>> regularized_loss(w, X, np.array([0.0]), 0.5, "l2"), regularized_loss(w, X, np.array([0.0]), 0.5, "l1")
    (14.75, 14.0)
    """
    lam = _check_real("lam", lam, "[0, inf)")
    w = np.asarray(w, dtype=float)
    pen = 0.5 * np.sum(w[1:] ** 2) if _penalty(penalty) == "l2" else np.sum(np.abs(w[1:]))
    return mse_loss(w, X, y) + lam * float(pen)


def regularized_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float,
                     penalty: str = "l2") -> np.ndarray:
    r"""Gradient of :func:`regularized_loss` (for L1 the subgradient :math:`\lambda\,\mathrm{sign}(w_j)`).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0]]); w = np.array([1.0, -3.0])
    >>> regularized_grad(w, X, np.array([0.0]), 0.5, "l1")       # (x.w) x + 0.5 (0, sign(-3))
    array([ -5. , -10.5])
    """
    lam = _check_real("lam", lam, "[0, inf)")
    w = np.asarray(w, dtype=float)
    pen = w.copy() if _penalty(penalty) == "l2" else np.sign(w)
    pen[0] = 0.0
    return mse_grad(w, X, y) + lam * pen


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    r"""The proximal map of :math:`t\lVert\cdot\rVert_1`: :math:`\mathrm{sign}(w)\max(|w| - t, 0)`.

    A proximal gradient step for L1 is a gradient step on the squared error
    followed by this shrinkage (with :math:`t = \text{lr}\cdot\lambda`): small
    weights become exactly zero, where the subgradient makes them jitter
    around zero instead.

    Examples
    --------
    >>> soft_threshold(np.array([3.0, -0.5, 1.0]), 1.0)
    array([ 2., -0.,  0.])
    """
    t = _check_real("threshold", threshold, "[0, inf)")
    w = np.asarray(w, dtype=float)
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


class FitHistory(NamedTuple):
    """The record of :func:`fit_regularized`: weights and losses after each epoch (epoch 0 = start).

    ``train_loss`` and ``val_loss`` are the plain mean squared errors (without
    the penalty), so runs with different λ compare on the same scale;
    ``val_loss`` is ``None`` without validation data.
    """

    ws: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray | None


def fit_regularized(X: np.ndarray, y: np.ndarray, lam: float = 0.0, *, penalty: str = "l2",
                    method: str = "gradient", lr: float = 0.1, epochs: int = 1000,
                    X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
                    w0: np.ndarray | None = None) -> FitHistory:
    r"""Full-batch gradient descent on :func:`regularized_loss`, recording every epoch.

    ``method="gradient"`` steps along :func:`regularized_grad`,
    :math:`w \leftarrow w - \eta \nabla \mathcal L(w)` (``sgd(lr)`` on the full batch);
    ``method="proximal"`` (L1 only) takes a gradient
    step on the squared error, then :func:`soft_threshold` with
    :math:`\text{lr}\cdot\lambda` on every weight but the intercept (ISTA).

    Parameters
    ----------
    X, y : arrays (n, d), (n,)
        Training data, e.g. ``poly_features(t, degree)`` and the targets.
    lam : float
        :math:`\lambda \ge 0`.
    X_val, y_val : arrays, optional
        Validation data: ``val_loss`` records the fit's error on it each epoch.
    w0 : array (d,), optional
        Start (default zeros).

    Examples
    --------
    >>> from gdlearn.data import poly_features
    >>> t = np.linspace(-1, 1, 20); X = poly_features(t, 1)
    >>> h = fit_regularized(X, 1 + 2 * t, lam=0.0, lr=0.5, epochs=300)
    >>> h.ws[-1].round(6), h.val_loss is None
    (array([1., 2.]), True)
    """
    lam = _check_real("lam", lam, "[0, inf)")
    _penalty(penalty)
    if method not in ("gradient", "proximal"):
        raise ValueError(f"method must be 'gradient' or 'proximal', got {method!r}")
    if method == "proximal" and penalty != "l1":
        raise ValueError("method='proximal' is for penalty='l1' (the L2 proximal step is a plain decay)")
    lr = _check_real("lr", lr, "(0, inf)")
    epochs = _check_int("epochs", epochs, 0)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    regularized_grad(w, X, y, lam, penalty)          # checks the shapes once
    XtX, Xty = X.T @ X / len(y), X.T @ y / len(y)    # mse_grad(w) = XtX w - Xty, fast in the loop
    mask = np.ones_like(w)
    mask[0] = 0.0                                    # the intercept is not penalized
    ws = [w]
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            if method == "proximal":
                w = w - lr * (XtX @ w - Xty)
                w = np.concatenate([w[:1], soft_threshold(w[1:], lr * lam)])
            else:
                penalty_grad = w if penalty == "l2" else np.sign(w)
                w = w - lr * (XtX @ w - Xty + lam * mask * penalty_grad)
            ws.append(w)
        ws_arr = np.array(ws)
        train = 0.5 * np.mean((ws_arr @ X.T - y) ** 2, axis=1)
        val = None if X_val is None else 0.5 * np.mean((ws_arr @ np.asarray(X_val, float).T - y_val) ** 2, axis=1)
    return FitHistory(ws_arr, train, val)


def early_stopping(val_losses: Any, patience: int = 10) -> tuple[int, int]:
    """Where to stop training, and which epoch's weights to keep.

    Walk through the validation losses; stop at the first epoch that is
    ``patience`` epochs after the best one so far (no improvement for that
    long), or at the last epoch. Keep the weights of the best epoch.

    Returns
    -------
    best, stop : int
        The epoch with the lowest validation loss seen until ``stop`` (the
        first one on ties), and the epoch at which training stops.

    Examples
    --------
    >>> early_stopping([5.0, 3.0, 2.0, 2.5, 2.1, 2.2, 1.0], patience=3)
    (2, 5)
    >>> early_stopping([5.0, 3.0, 2.0], patience=3)
    (2, 2)
    """
    losses = np.asarray(val_losses, dtype=float).reshape(-1)
    if losses.size == 0:
        raise ValueError("val_losses must not be empty")
    patience = _check_int("patience", patience, 1)
    best = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(losses) - 1


def divergence_step(losses: Any, factor: float = 1e3) -> int | None:
    """The first step at which a loss history is not finite or exceeds ``factor`` times its start.

    ``None`` when it never does (a start of 0 has no scale: then only
    non-finite values count). A training loop can check this after each
    step and stop with a clear message instead of a screen of ``nan``.

    Examples
    --------
    >>> divergence_step([1.0, 0.5, 3.0, float("inf"), float("nan")])
    3
    >>> divergence_step([1.0, 0.5, 2e3], factor=1e3), divergence_step([1.0, 0.9])
    (2, None)
    """
    factor = _check_real("factor", factor, "(0, inf)")
    losses = np.asarray(losses, dtype=float).reshape(-1)
    if losses.size == 0:
        return None
    start = abs(losses[0]) if np.isfinite(losses[0]) and losses[0] != 0 else math.inf
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(losses) | (np.abs(losses) > factor * start)
    return int(np.argmax(bad)) if bad.any() else None
