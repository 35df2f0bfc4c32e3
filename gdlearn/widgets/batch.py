r"""The batch-size explorer (chapter 04): how noisy is a mini-batch gradient?

Linear regression with two weights, :math:`\hat y = w_1 x_1 + w_2 x_2`, and the
mean squared error over the :math:`n` examples,

.. math:: L(w) = \frac{1}{2n} \sum_{i=1}^n (x_i^\top w - y_i)^2 ,
          \qquad
          g_B(w) = \frac{1}{b} \sum_{i \in B} x_i\,(x_i^\top w - y_i) ,

where :math:`g_B` is the gradient on a mini-batch :math:`B` of :math:`b`
examples. The explorer draws, on the contours of :math:`L`:

- the negative gradients :math:`-g_B(w_0)` of 200 mini-batches drawn at random
  (the cloud of arrow tips), around the negative full gradient
  :math:`-\nabla L(w_0)` (the arrow), all from the start :math:`w_0` and scaled
  by one fixed factor, so that the full-gradient arrow covers a third of the
  way to the minimum;
- the path of mini-batch SGD for the chosen batch size, learning rate and
  number of epochs (each epoch a fresh shuffle of the examples);

and, on the right, the loss against the number of epochs (examples seen / n)
for that SGD run and for full-batch gradient descent with the same learning
rate and the same budget of example gradients.

This module imports ipywidgets (through :mod:`gdlearn.widgets.explorers`)::

    from gdlearn.widgets.batch import batch_size_explorer
    ex = batch_size_explorer()
    ex                                   # sliders "batch size", "learning rate", "epochs", "seed"
    ex.update(batch_size=1, lr=0.3)
    ex.spread                            # rms distance of the cloud's gradients from the full one
"""
from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyArrowPatch

from .. import plotting, style
from ..surfaces import Surface
from .explorers import Explorer, _int, _real

__all__ = [
    "BatchSizeExplorer",
    "batch_size_explorer",
    "minibatch_gradients",
    "sgd_epochs",
]

_RED = style.PALETTE["vermillion"]
_SGD = style.color_for("sgd")
_GD = style.PALETTE["black"]
_CLOUD = style.PALETTE["orange"]
MAX_STEPS = 200_000


# ---------------------------------------------------------------- computations (no matplotlib)
def _xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (two weights to draw), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},), got shape {y.shape}")
    if X.shape[0] < 2:
        raise ValueError(f"X must hold at least 2 examples, got {X.shape[0]}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y


def minibatch_gradients(X: Any, y: Any, w: Any, batch_size: int, n_samples: int = 200,
                        seed: int = 0) -> np.ndarray:
    r"""Gradients of the mean squared error on ``n_samples`` random mini-batches.

    Each mini-batch :math:`B` holds ``batch_size`` distinct examples, drawn
    uniformly (without replacement, as within an epoch), and

    .. math:: g_B(w) = \frac{1}{b} \sum_{i \in B} x_i\,(x_i^\top w - y_i) ,

    the gradient of :math:`\frac{1}{2b}\sum_{i \in B}(x_i^\top w - y_i)^2`.
    The batches are the first ``batch_size`` entries of ``argsort`` of
    ``rng.random(n)``, one row per sample, with ``rng = np.random.default_rng(seed)``.

    Introduced in chapter 04.

    Parameters
    ----------
    X : array, shape (n, 2)
    y : array, shape (n,)
    w : array, shape (2,)
        Where to take the gradients.
    batch_size : int
        :math:`b` in ``[1, n]``; ``b = n`` gives the full gradient every time.
    n_samples : int, default 200
    seed : int, default 0

    Returns
    -------
    ndarray, shape (n_samples, 2)

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    >>> y = np.array([1.0, 2.0, 2.0, 5.0])
    >>> g = minibatch_gradients(X, y, np.zeros(2), batch_size=4, n_samples=3)
    >>> g                                   # every batch is the whole set: the full gradient
    array([[-2.5 , -5.25],
           [-2.5 , -5.25],
           [-2.5 , -5.25]])
    >>> g = minibatch_gradients(X, y, np.zeros(2), batch_size=2, n_samples=10_000)
    >>> bool(np.allclose(g.mean(axis=0), [-2.5, -5.25], atol=0.05))   # unbiased: the mean is the full gradient
    True
    """
    X, y = _xy(X, y)
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).reshape(2)
    batch_size = _int("batch_size", batch_size, 1, n)
    n_samples = _int("n_samples", n_samples, 1, 1_000_000)
    rng = np.random.default_rng(seed)
    batches = np.argsort(rng.random((n_samples, n)), axis=1)[:, :batch_size]
    residuals = X[batches] @ w - y[batches]                      # (samples, b)
    return np.einsum("sb,sbj->sj", residuals, X[batches]) / batch_size


def _epoch_orders(n: int, epochs: int, seed: int, shuffle: bool = True) -> np.ndarray:
    """The order in which SGD visits the examples: one permutation per epoch, concatenated."""
    if not shuffle:
        return np.tile(np.arange(n), epochs)
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(n) for _ in range(epochs)])


def sgd_epochs(X: Any, y: Any, w0: Any, lr: float, batch_size: int, epochs: int, seed: int = 0,
               *, bound: float = 1e6) -> tuple[np.ndarray, np.ndarray, int | None]:
    r"""Mini-batch SGD on the mean squared error, ``epochs`` passes over the data.

    Each epoch visits the examples in a fresh random order
    (``rng.permutation(n)`` with ``rng = np.random.default_rng(seed)``, one call
    per epoch) and cuts it into batches of ``batch_size`` (the last one smaller
    when ``batch_size`` does not divide ``n``). One step per batch:

    .. math:: w_{k+1} = w_k - \eta\, g_{B_k}(w_k)
              = w_k - \frac{\eta}{|B_k|} \sum_{i \in B_k} x_i\,(x_i^\top w_k - y_i) .

    The step is linear in :math:`w`, so the sums :math:`\sum x_i x_i^\top` and
    :math:`\sum x_i y_i` of all batches are computed at once, and the loop runs
    on five floats per step: fast enough for a slider.

    Introduced in chapter 04.

    Parameters
    ----------
    X, y : arrays of shape (n, 2) and (n,)
    w0 : array, shape (2,)
    lr : float
        :math:`\eta > 0`.
    batch_size : int
        In ``[1, n]``.
    epochs : int
        Passes over the data (``>= 1``).
    seed : int, default 0
    bound : float, default 1e6
        The run stops as diverged once ``|w_1| + |w_2|`` exceeds it (or is not finite).

    Returns
    -------
    ws : ndarray, shape (k + 1, 2)
        The iterates, ``w0`` first.
    seen : ndarray, shape (k + 1,)
        How many example gradients had been computed at each iterate.
    diverged_at : int or None
        The step at which the run left the bound, else None.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    >>> y = np.array([1.0, 2.0, 2.0, 5.0])
    >>> ws, seen, diverged_at = sgd_epochs(X, y, [0.0, 0.0], lr=0.1, batch_size=4, epochs=2)
    >>> ws                                 # full batches: plain gradient descent
    array([[0.     , 0.     ],
           [0.25   , 0.525  ],
           [0.39625, 0.82875]])
    >>> seen.tolist(), diverged_at
    ([0, 4, 8], None)
    """
    X, y = _xy(X, y)
    n = X.shape[0]
    w0 = np.asarray(w0, dtype=np.float64).reshape(2)
    lr = _real("lr", lr, positive=True)
    batch_size = _int("batch_size", batch_size, 1, n)
    epochs = _int("epochs", epochs, 1, MAX_STEPS)
    per_epoch = -(-n // batch_size)
    if epochs * per_epoch > MAX_STEPS:
        raise ValueError(f"epochs = {epochs} with batch_size = {batch_size} makes {epochs * per_epoch} "
                         f"steps; at most {MAX_STEPS} are allowed")
    order = _epoch_orders(n, epochs, seed)
    starts = (np.arange(epochs)[:, None] * n + np.arange(0, n, batch_size)[None, :]).ravel()
    sizes = np.diff(np.append(starts, epochs * n))
    Xo, yo = X[order], y[order]
    # per-batch means of x x^T and x y, so that the step is w <- w - lr (H_B w - c_B)
    h = np.add.reduceat(Xo[:, :, None] * Xo[:, None, :], starts, axis=0) / sizes[:, None, None]
    c = np.add.reduceat(Xo * yo[:, None], starts, axis=0) / sizes[:, None]
    a11, a12, a22 = (lr * h[:, 0, 0]).tolist(), (lr * h[:, 0, 1]).tolist(), (lr * h[:, 1, 1]).tolist()
    b1, b2 = (lr * c[:, 0]).tolist(), (lr * c[:, 1]).tolist()
    u, v = float(w0[0]), float(w0[1])
    out = [(u, v)]
    diverged_at = None
    for k in range(len(starts)):
        u, v = u - (a11[k] * u + a12[k] * v) + b1[k], v - (a12[k] * u + a22[k] * v) + b2[k]
        if not abs(u) + abs(v) <= bound:           # also catches nan
            diverged_at = k + 1
            break
        out.append((u, v))
    ws = np.array(out)
    seen = np.concatenate([[0], np.cumsum(sizes)])[: len(ws)]
    return ws, seen, diverged_at


# ---------------------------------------------------------------- the explorer
def _default_data() -> tuple[np.ndarray, np.ndarray]:
    from ..data import linear

    d = linear(n=100, seed=0)
    return d.X, d.y


class BatchSizeExplorer(Explorer):
    """Mini-batch gradients and SGD on a two-weight linear regression; see :func:`batch_size_explorer`."""

    def __init__(self, data: Any = None, batch_size: int = 10, lr: float | None = None,
                 epochs: int = 5, seed: int = 0, *, w0: Any = None, n_samples: int = 200,
                 max_epochs: int = 30, figsize: tuple[float, float] | None = None) -> None:
        super().__init__()
        if data is None:
            X, y = _default_data()
        elif hasattr(data, "X") and hasattr(data, "y"):
            X, y = data.X, data.y
        elif isinstance(data, (tuple, list)) and len(data) == 2:
            X, y = data
        else:
            raise TypeError(f"data must be None, a Dataset (with .X and .y) or a pair (X, y), "
                            f"got {type(data).__name__}")
        self.X, self.y = _xy(X, y)
        n = self.n = self.X.shape[0]
        self.n_samples = _int("n_samples", n_samples, 1, 100_000)
        self.max_epochs = _int("max_epochs", max_epochs, 1, 10_000)
        H = self.hessian = self.X.T @ self.X / n
        eig = np.linalg.eigvalsh(H)
        if eig[0] <= 1e-12 * eig[1]:
            raise ValueError("X must have two linearly independent columns (X^T X singular)")
        self.L, self.mu = float(eig[1]), float(eig[0])
        self.w_star = np.linalg.solve(H, self.X.T @ self.y / n)
        self.loss_star = self._losses(self.w_star[None, :])[0]
        w0 = self.w_star + np.array([-2.0, 1.5]) * max(1.0, float(np.abs(self.w_star).max())) \
            if w0 is None else np.asarray(w0, dtype=np.float64).reshape(2)
        if not np.all(np.isfinite(w0)):
            raise ValueError(f"w0 must be finite, got {w0}")
        self.w0 = w0
        self.surface = self._surface()
        self.gap0 = float(self._losses(w0[None, :])[0] - self.loss_star)
        full = self.surface.grad(w0)
        # one fixed scale for the arrow and the cloud: the full-gradient arrow spans a third of
        # the way to the minimum, whatever the units of the problem
        self.display_scale = float(np.linalg.norm(w0 - self.w_star) / (3 * np.linalg.norm(full)))
        if lr is None:
            lr = 0.5 / self.L
        self.values = self._validate(dict(batch_size=batch_size, lr=lr, epochs=epochs, seed=seed))
        self.cloud = self.ws = self.gd_ws = None
        self.spread = math.nan
        self.diverged_at: int | None = None
        self._build_controls()
        self._build_figure(figsize or style.FIGSIZE["wide"])
        self._connect()
        self.update()
        if self.error is not None:
            raise self.error

    # -- the problem
    def _losses(self, ws: np.ndarray) -> np.ndarray:
        """L(w) for each row of ``ws`` (shape (k, 2))."""
        r = self.X @ ws.T - self.y[:, None]
        return 0.5 * np.einsum("ik,ik->k", r, r) / self.n

    def _surface(self) -> Surface:
        X, y, n = self.X, self.y, self.n
        H, w_star = self.hessian, self.w_star
        loss_star = self.loss_star

        def f(w):
            d = np.asarray(w, dtype=float) - w_star.reshape((2,) + (1,) * (np.ndim(w) - 1))
            return loss_star + 0.5 * np.einsum("i...,ij,j...->...", d, H, d)

        def grad(w):
            d = np.asarray(w, dtype=float) - w_star.reshape((2,) + (1,) * (np.ndim(w) - 1))
            return np.einsum("ij,j...->i...", H, d)

        def hess(w):
            shape = np.shape(w)[1:]
            return np.broadcast_to(H.reshape((2, 2) + (1,) * len(shape)), (2, 2) + shape).copy()

        reach = 1.3 * float(np.abs(self.w0 - w_star).max())
        domain = tuple((float(c - reach), float(c + reach)) for c in w_star)
        del X, y, n
        return Surface("mean squared error", f, grad, hess, w_star[None, :], domain, self.w0,
                       L=self.L, mu=self.mu, latex=r"\frac{1}{2n}\|Xw - y\|^2")

    # -- parts
    def _build_controls(self) -> None:
        v, d = self.values, style.SLIDER_DEFAULTS
        common = dict(style=d["style"], continuous_update=d["continuous_update"])
        lr_kw = dict(d["lr"])
        lr_kw["min"] = min(math.floor(math.log10(0.01 / self.L)), math.floor(math.log10(v["lr"])))
        lr_kw["max"] = max(math.ceil(math.log10(10.0 / self.L)), math.ceil(math.log10(v["lr"])))
        self.controls = {
            "batch_size": widgets.IntSlider(value=v["batch_size"], min=1, max=self.n, step=1,
                                            description="batch size", **common),
            "lr": widgets.FloatLogSlider(value=v["lr"], description="learning rate", **lr_kw, **common),
            "epochs": widgets.IntSlider(value=v["epochs"], min=1, max=self.max_epochs, step=1,
                                        description="epochs", **common),
            "seed": widgets.BoundedIntText(value=v["seed"], min=0, max=2**31 - 1, description="seed",
                                           layout=widgets.Layout(width="150px"), style=d["style"]),
        }

    def _build_figure(self, figsize: tuple[float, float]) -> None:
        fig = self.fig = plotting.new_figure(figsize)
        ax, lax = fig.subplots(1, 2, width_ratios=[1, 1])
        self.ax, self.loss_ax = ax, lax
        plotting.plot_contours(self.surface, ax=ax, title="Mini-batch gradients at $w_0$ and the SGD path")
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.plot(*self.w0, markeredgecolor=_SGD, **style.START_STYLE, label="start $w_0$")
        (cloud,) = ax.plot([], [], "o", color=_CLOUD, markersize=3, alpha=0.5, linestyle="none",
                           zorder=3, label=f"$-g_B$, {self.n_samples} batches (scaled)")
        arrow = FancyArrowPatch(tuple(self.w0), tuple(self.w0), arrowstyle="-|>", mutation_scale=14,
                                color=_GD, linewidth=1.8, zorder=6)
        ax.add_patch(arrow)
        (arrow_key,) = ax.plot([], [], color=_GD, linewidth=1.8, marker=">", markersize=5,
                               label=r"$-\nabla L$ (scaled)")
        (path,) = ax.plot([], [], color=_SGD, linewidth=1.0, alpha=0.8, zorder=4, label="SGD path")
        (end,) = ax.plot([], [], markerfacecolor=_SGD, **style.END_STYLE)
        ax.legend(loc="lower right", fontsize=7.5)
        msg = ax.text(0.98, 0.98, "", transform=ax.transAxes, va="top", ha="right", fontsize=9,
                      zorder=10, bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0))
        (loss,) = lax.plot([], [], color=_SGD, linewidth=1.2, label="mini-batch SGD")
        (gd_loss,) = lax.plot([], [], color=_GD, linewidth=1.8, marker="o", markersize=3,
                              label="full batch, same $\\eta$")
        lax.set_yscale("log")
        lax.set_ylim(self.gap0 * 1e-6, self.gap0 * 5)     # a diverging run leaves at the top; the status says so
        lax.set_xlim(0, self.values["epochs"])
        lax.set_xlabel("epochs (example gradients / n)")
        lax.set_ylabel(r"$L(w) - L^*$")
        lax.set_title("Loss against work done")
        lax.legend(loc="upper right", fontsize=8)
        self.artists = {"cloud": cloud, "arrow": arrow, "path": path, "end": end, "loss": loss,
                        "gd_loss": gd_loss, "message": msg}
        for a in self.artists.values():
            a.set_animated(True)

    # -- values
    def _validate(self, v: dict[str, Any]) -> dict[str, Any]:
        b = _int("batch size", v["batch_size"], 1, self.n)
        epochs = _int("epochs", v["epochs"], 1, self.max_epochs)
        seed = _int("seed", v["seed"], 0, 2**63 - 1)
        lr = _real("lr", v["lr"], positive=True)
        return dict(batch_size=b, lr=lr, epochs=epochs, seed=seed)

    def _redraw(self) -> None:
        v = self.values
        b, lr, epochs, seed = v["batch_size"], v["lr"], v["epochs"], v["seed"]
        a = self.artists
        full = self.surface.grad(self.w0)
        cloud = self.cloud = minibatch_gradients(self.X, self.y, self.w0, b, self.n_samples, seed)
        self.spread = float(np.sqrt(np.mean(np.sum((cloud - full) ** 2, axis=1))))
        tips = self.w0 - self.display_scale * cloud
        a["cloud"].set_data(tips[:, 0], tips[:, 1])
        a["arrow"].set_positions(tuple(self.w0), tuple(self.w0 - self.display_scale * full))
        # diverged: 100 times farther from the minimum than the start (the loss 10^4 times higher)
        bound = float(np.abs(self.w_star).sum() + 100 * np.abs(self.w0 - self.w_star).sum())
        ws, seen, self.diverged_at = sgd_epochs(self.X, self.y, self.w0, lr, b, epochs, seed, bound=bound)
        self.ws, self.seen = ws, seen
        a["path"].set_data(ws[:, 0], ws[:, 1])
        a["end"].set_data(ws[-1:, 0], ws[-1:, 1])
        a["end"].set_marker("X" if self.diverged_at else style.END_STYLE["marker"])
        gd_ws, _, gd_div = sgd_epochs(self.X, self.y, self.w0, lr, self.n, epochs, seed, bound=bound)
        self.gd_ws = gd_ws
        with np.errstate(all="ignore"):
            gap = self._losses(ws) - self.loss_star
            gd_gap = self._losses(gd_ws) - self.loss_star
        self.gaps, self.gd_gaps = gap, gd_gap
        a["loss"].set_data(seen / self.n, gap)
        a["gd_loss"].set_data(np.arange(len(gd_gap)), gd_gap)
        if self.loss_ax.get_xlim() != (0.0, float(epochs)):
            self.loss_ax.set_xlim(0.0, float(epochs))
            self._full_draw_needed = True
        steps = len(seen) - 1 if self.diverged_at is None else self.diverged_at
        if self.diverged_at is not None:
            message = (f"diverged at step {self.diverged_at} (epoch {1 + (self.diverged_at - 1) * b // self.n}): "
                       f"lr = {lr:.3g} is too large for batches of {b}"
                       + (f" (full batch: 2/L = {2 / self.L:.3g})" if lr > 2 / self.L else ""))
            a["message"].set_text(message)
            a["message"].set_color(_RED)
            a["message"].set_visible(True)
            self._set_status(message, _RED)
            return
        summary = (f"batch size {b}: {steps} steps in {epochs} epochs ({int(seen[-1])} example gradients), "
                   f"L - L* = {gap[-1]:.2e} (full batch: {gd_gap[-1]:.2e}); "
                   f"spread of g_B = {self.spread:.3g}, |grad L(w0)| = {np.linalg.norm(full):.3g}")
        a["message"].set_text(f"batch size {b}: {steps} steps\n$L - L^*$ = {gap[-1]:.1e}")
        a["message"].set_color("black")
        a["message"].set_visible(self._static_display)
        self._set_status(summary)


def batch_size_explorer(data: Any = None, batch_size: int = 10, lr: float | None = None,
                        epochs: int = 5, seed: int = 0, *, w0: Any = None, n_samples: int = 200,
                        max_epochs: int = 30,
                        figsize: tuple[float, float] | None = None) -> BatchSizeExplorer:
    r"""Explore how the batch size makes gradients noisy and SGD paths wander (chapter 04).

    Left: the contours of the mean squared error :math:`L(w) = \frac{1}{2n}\|Xw - y\|^2`
    over the two weights; at the start :math:`w_0`, the negative gradients
    :math:`-g_B(w_0)` of ``n_samples`` random mini-batches (the cloud of points, drawn
    at ``w0 - display_scale * g_B``; its spread shrinks like :math:`1/\sqrt{b}`) and
    the negative full gradient (the arrow); and the mini-batch SGD path. Right: :math:`L - L^\star` against epochs for that run
    and for full-batch gradient descent with the same learning rate.

    Parameters
    ----------
    data : Dataset or (X, y), optional
        Two features (``X`` of shape ``(n, 2)``); default
        ``gdlearn.data.linear(n=100, seed=0)``.
    batch_size : int, default 10
        Initial batch size, in ``[1, n]``.
    lr : float, optional
        Initial learning rate (default ``0.5 / L``, L the largest eigenvalue of
        :math:`X^\top X / n`).
    epochs : int, default 5
        Passes over the data (the budget: ``epochs * n`` example gradients for every batch size).
    seed : int, default 0
        Seeds the cloud's batches and the shuffles of the SGD run.
    w0 : (2,) array, optional
        The start (default: away from the minimum, up and to the left).
    n_samples : int, default 200
        Mini-batches in the cloud.
    max_epochs : int, default 30
        Upper end of the epochs slider.

    Returns
    -------
    BatchSizeExplorer
        Display it in a notebook; drive it with ``.update(batch_size=..., lr=..., epochs=..., seed=...)``.
        After an update, ``.cloud`` holds the mini-batch gradients, ``.spread`` their rms
        distance from the full gradient, ``.ws`` the SGD iterates.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> X = np.column_stack([np.ones(50), np.linspace(-1, 1, 50)])
    >>> y = 2 + 3 * X[:, 1] + np.sin(7 * np.arange(50))
    >>> ex = batch_size_explorer((X, y), batch_size=1, lr=0.2, figsize=(8, 3.5))
    >>> wide = ex.spread
    >>> ex.update(batch_size=25)
    >>> bool(ex.spread < wide / 3)
    True
    >>> ex.update(batch_size=50)
    >>> bool(ex.spread < 1e-12)       # the whole data set: every batch gives the full gradient
    True
    >>> ex.update(batch_size=0)       # shown under the widget, not raised
    >>> ex.status_text
    '⚠ ValueError: batch size must be in [1, 50], got 0'
    >>> ex.close()
    """
    return BatchSizeExplorer(data, batch_size, lr, epochs, seed, w0=w0, n_samples=n_samples,
                             max_epochs=max_epochs, figsize=figsize)
