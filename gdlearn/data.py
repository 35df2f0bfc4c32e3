r"""Seeded synthetic data sets for the chapters on models (03 onwards).

Every generator takes a ``seed`` and returns the same numbers for the same
arguments on every machine (``numpy.random.default_rng``), so a chapter's
printed results and its asserts do not change from run to run. Each returns a
:class:`Dataset`: the design matrix ``X`` (one row per example, float64), the
targets ``y``, the weights that generated them (when there are such weights)
and a name.

====================  ==========================================  ===========
generator             ``X``                                       ``y``
====================  ==========================================  ===========
:func:`linear`        ``[1, t]``: intercept column, one feature    real
:func:`linear_features`  ``d`` features with chosen scales         real
:func:`logistic`      ``[1, x1, x2]``: intercept, two features     0 / 1
:func:`moons`         two interleaved half circles (no intercept)  0 / 1
:func:`spirals`       two interleaved spirals (no intercept)       0 / 1
:func:`polynomial`    ``t`` in [-1, 1] (one column)                real
====================  ==========================================  ===========

Examples
--------
>>> from gdlearn import data
>>> d = data.linear(n=5, seed=0)
>>> d.X.shape, d.y.shape
((5, 2), (5,))
>>> d.X[:, 0]                        # the intercept column
array([1., 1., 1., 1., 1.])
>>> bool((data.linear(n=5, seed=0).y == d.y).all())   # same seed, same data
True
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .schedules import _check_real

__all__ = ["Dataset", "linear", "linear_features", "logistic", "moons", "spirals", "polynomial",
           "poly_features", "train_val_split"]


class Dataset(NamedTuple):
    """A data set: ``X`` of shape ``(n, d)``, ``y`` of shape ``(n,)``, the generating weights
    ``w_true`` (shape ``(d,)``, or ``None`` where no weights generated ``y``) and a ``name``."""

    X: np.ndarray
    y: np.ndarray
    w_true: np.ndarray | None
    name: str


def _check_n(n: object, low: int = 1, name: str = "n") -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {low}, got {type(n).__name__} {n!r}")
    if n < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {n}")
    return int(n)


def linear(n: int = 100, *, seed: int = 0, intercept: float = 1.0, slope: float = 2.0,
           noise: float = 0.5, scale: float = 1.0) -> Dataset:
    r"""Points scattered around a line: :math:`y_i = w_1 + w_2 t_i + \sigma \varepsilon_i`.

    The feature is :math:`t_i \sim N(0, \text{scale}^2)` and the noise
    :math:`\varepsilon_i \sim N(0, 1)`. ``X`` has a column of ones first (the
    intercept), so the model :math:`\hat y = Xw` has the two weights
    :math:`w = (w_1, w_2)`.

    Parameters
    ----------
    n : int, default 100
        Number of examples, ``>= 1``.
    seed : int, default 0
        Seed of the random numbers.
    intercept, slope : float
        The true weights ``w_true = (intercept, slope)``.
    noise : float, default 0.5
        Standard deviation :math:`\sigma` of the noise, ``>= 0``.
    scale : float, default 1.0
        Standard deviation of the feature ``t``, ``> 0``.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 2)`` (``[1, t]``), ``y`` of shape ``(n,)``.

    Examples
    --------
    >>> d = linear(n=10_000, seed=1, noise=0.0)
    >>> bool(np.allclose(d.X @ d.w_true, d.y))
    True
    """
    n = _check_n(n)
    noise = _check_real("noise", noise, "[0, inf)")
    scale = _check_real("scale", scale, "(0, inf)")
    w = np.array([_check_real("intercept", intercept, "[-inf, inf]"),
                  _check_real("slope", slope, "[-inf, inf]")])
    rng = np.random.default_rng(seed)
    t = scale * rng.standard_normal(n)
    X = np.column_stack([np.ones(n), t])
    y = X @ w + noise * rng.standard_normal(n)
    return Dataset(X, y, w, "linear")


def linear_features(n: int = 100, *, scales: tuple[float, ...] = (1.0, 10.0), seed: int = 0,
                    noise: float = 0.1, w_true: np.ndarray | None = None) -> Dataset:
    r"""A linear model with features on different scales (no intercept column).

    Feature :math:`j` is :math:`N(0, \text{scales}_j^2)`; :math:`y = X w + \sigma\varepsilon`.
    The Hessian of the mean squared error, :math:`X^\top X / n`, then has
    eigenvalues near ``scales**2``: a condition number near
    ``(max(scales) / min(scales))**2``, the zig-zag of chapter 03.

    Parameters
    ----------
    n : int, default 100
        Number of examples.
    scales : sequence of float, default (1, 10)
        The standard deviation of each feature (all ``> 0``); their number is ``d``.
    seed : int, default 0
    noise : float, default 0.1
        Standard deviation of the noise, ``>= 0``.
    w_true : array of shape (d,), optional
        The generating weights (default: ``1 / scales``, so every feature
        contributes a term of the same size to ``y``).

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, d)``, ``y`` of shape ``(n,)``.

    Examples
    --------
    >>> d = linear_features(n=100_000, scales=(1.0, 10.0), seed=0)
    >>> d.X.std(axis=0).round(1)
    array([ 1., 10.])
    """
    n = _check_n(n)
    noise = _check_real("noise", noise, "[0, inf)")
    scales = np.array([_check_real(f"scales[{j}]", s, "(0, inf)") for j, s in enumerate(scales)])
    if scales.size == 0:
        raise ValueError("scales must hold at least one feature scale")
    w = 1.0 / scales if w_true is None else np.asarray(w_true, dtype=np.float64)
    if w.shape != scales.shape:
        raise ValueError(f"w_true must have shape {scales.shape} (one weight per scale), got {w.shape}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, scales.size)) * scales
    y = X @ w + noise * rng.standard_normal(n)
    return Dataset(X, y, w, "linear_features")


def logistic(n: int = 200, *, seed: int = 0, separation: float = 2.0,
             imbalance: float = 0.5) -> Dataset:
    r"""Two overlapping Gaussian classes in the plane, for logistic regression.

    Each label is 1 with probability ``imbalance`` (so ``imbalance=0.05`` gives
    an imbalanced data set with about 5% positives). Class 1 is centred at
    :math:`(+s/2, +s/2)/\sqrt2`, class 0 at the opposite point, both with unit
    covariance, :math:`s` = ``separation``. ``X = [1, x_1, x_2]`` (an intercept
    column first).

    Parameters
    ----------
    n : int, default 200
    seed : int, default 0
    separation : float, default 2.0
        Distance between the class centres, ``>= 0``.
    imbalance : float, default 0.5
        The probability of label 1, in ``(0, 1)``.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 3)``, ``y`` in {0., 1.}, ``w_true`` the Bayes-optimal
        logistic weights ``(log(p / (1 - p)), s/√2, s/√2)``.

    Examples
    --------
    >>> d = logistic(n=10_000, imbalance=0.1, seed=3)
    >>> round(float(d.y.mean()), 2)
    0.1
    """
    n = _check_n(n)
    s = _check_real("separation", separation, "[0, inf)")
    p = _check_real("imbalance", imbalance, "(0, 1)")
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < p).astype(np.float64)
    centre = np.array([1.0, 1.0]) * s / (2 * np.sqrt(2))
    points = rng.standard_normal((n, 2)) + np.where(y[:, None] == 1, centre, -centre)
    X = np.column_stack([np.ones(n), points])
    # log-odds of two unit Gaussians: log(p/(1-p)) + (mu1 - mu0) . x
    w = np.array([np.log(p / (1 - p)), *(2 * centre)])
    return Dataset(X, y, w, "logistic")


def moons(n: int = 200, *, noise: float = 0.1, seed: int = 0) -> Dataset:
    r"""Two interleaved half circles (scikit-learn's ``make_moons`` shape), labels 0 and 1.

    Half the points (label 0) lie on the upper half of the unit circle, the
    other half (label 1) on a lower half circle shifted by ``(1, 0.5)``, each
    point displaced by ``N(0, noise²)`` noise. Not linearly separable: the
    neural network of chapter 09 learns the boundary.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 2)`` (no intercept column), ``y`` in {0., 1.}, ``w_true`` ``None``.

    Examples
    --------
    >>> d = moons(n=7, seed=0)
    >>> d.X.shape, int(d.y.sum())
    ((7, 2), 3)
    """
    n = _check_n(n, 2)
    noise = _check_real("noise", noise, "[0, inf)")
    rng = np.random.default_rng(seed)
    n0 = n - n // 2
    a0 = np.linspace(0.0, np.pi, n0)
    a1 = np.linspace(0.0, np.pi, n // 2)
    X = np.concatenate([np.column_stack([np.cos(a0), np.sin(a0)]),
                        np.column_stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)])])
    y = np.concatenate([np.zeros(n0), np.ones(n // 2)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return Dataset(X[order], y[order], None, "moons")


def spirals(n: int = 200, *, turns: float = 1.5, noise: float = 0.1, seed: int = 0) -> Dataset:
    r"""Two interleaved spirals, labels 0 and 1: a classic hard case for a small network.

    Point :math:`i` of a class has angle :math:`\theta = 2\pi\,\text{turns}\,u`
    and radius :math:`r = u` for :math:`u` evenly spaced in (0, 1]; class 1 is
    class 0 rotated by 180°. Then ``N(0, noise²)`` noise is added.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 2)`` in about ``[-1, 1]²``, ``y`` in {0., 1.}, ``w_true`` ``None``.

    Examples
    --------
    >>> d = spirals(n=100, noise=0.0)
    >>> bool(np.abs(d.X).max() <= 1.0)
    True
    """
    n = _check_n(n, 2)
    turns = _check_real("turns", turns, "(0, inf)")
    noise = _check_real("noise", noise, "[0, inf)")
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for label, count in ((0.0, n - n // 2), (1.0, n // 2)):
        u = np.linspace(0.0, 1.0, count + 1)[1:]
        theta = 2 * np.pi * turns * u + np.pi * label
        parts.append(np.column_stack([u * np.cos(theta), u * np.sin(theta)]))
        labels.append(np.full(count, label))
    X = np.concatenate(parts)
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate(labels)
    order = rng.permutation(n)
    return Dataset(X[order], y[order], None, "spirals")


def poly_features(t: np.ndarray, degree: int) -> np.ndarray:
    r"""The Vandermonde matrix ``[1, t, t², ..., t^degree]`` of a 1-D array ``t``.

    Examples
    --------
    >>> poly_features(np.array([2.0, 3.0]), 2)
    array([[1., 2., 4.],
           [1., 3., 9.]])
    """
    degree = _check_n(degree, 0, "degree")
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError(f"t must be a 1-D array, got shape {t.shape}")
    return t[:, None] ** np.arange(degree + 1)


def polynomial(n: int = 30, *, degree: int = 3, noise: float = 0.1, seed: int = 0) -> Dataset:
    r"""Noisy samples of a smooth curve on [-1, 1], for over- and under-fitting (chapter 07).

    :math:`t_i` uniform in [-1, 1]; :math:`y_i = p(t_i) + \sigma\varepsilon_i`
    with :math:`p` a polynomial of the given degree whose coefficients are
    drawn from the seed. Fit it with :func:`poly_features` of a higher degree
    to see over-fitting.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 1)`` (the column ``t``), ``y`` of shape ``(n,)``,
        ``w_true`` the coefficients of :math:`p` (lowest degree first, ``degree + 1`` of them).

    Examples
    --------
    >>> d = polynomial(n=50, degree=2, noise=0.0, seed=4)
    >>> bool(np.allclose(poly_features(d.X[:, 0], 2) @ d.w_true, d.y))
    True
    """
    n = _check_n(n)
    degree = _check_n(degree, 0, "degree")
    noise = _check_real("noise", noise, "[0, inf)")
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1.0, 1.0, degree + 1)
    t = rng.uniform(-1.0, 1.0, n)
    y = poly_features(t, degree) @ w + noise * rng.standard_normal(n)
    return Dataset(t[:, None], y, w, "polynomial")


def train_val_split(dataset: Dataset, val_fraction: float = 0.25, *,
                    seed: int = 0) -> tuple[Dataset, Dataset]:
    """Split a data set at random into a training and a validation part.

    Examples
    --------
    >>> train, val = train_val_split(linear(n=100), 0.2)
    >>> len(train.y), len(val.y)
    (80, 20)
    """
    f = _check_real("val_fraction", val_fraction, "(0, 1)")
    n = len(dataset.y)
    n_val = int(round(f * n))
    if not 0 < n_val < n:
        raise ValueError(f"val_fraction={f} leaves an empty part of a data set of {n} examples")
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return (dataset._replace(X=dataset.X[train], y=dataset.y[train]),
            dataset._replace(X=dataset.X[val], y=dataset.y[val]))
