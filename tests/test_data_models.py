"""gdlearn.data and gdlearn.models against independent references.

The gradients are checked against central differences written here (not
gdlearn.calculus), the losses against their textbook formulas, the Bayes
weights of ``data.logistic`` against the Gaussian densities, and the
mini-batches against their definition (a partition of range(n) per epoch).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlearn import data, models


def central_diff(f, w, h=1e-6):
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g


# --- losses and gradients ---------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), d=st.integers(1, 5))
def test_mse_grad_matches_finite_differences(seed, n, d):
    rng = np.random.default_rng(seed)
    X, y, w = rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)
    fd = central_diff(lambda v: models.mse_loss(v, X, y), w)
    assert np.allclose(models.mse_grad(w, X, y), fd, rtol=1e-6, atol=1e-8)


def test_mse_loss_formula_and_hessian():
    rng = np.random.default_rng(0)
    X, y, w = rng.standard_normal((30, 3)), rng.standard_normal(30), rng.standard_normal(3)
    by_hand = sum(0.5 * (X[i] @ w - y[i]) ** 2 for i in range(30)) / 30
    assert models.mse_loss(w, X, y) == pytest.approx(by_hand, rel=1e-13)
    # the Hessian is X^T X / n: finite differences of the gradient, column by column
    H = np.column_stack([central_diff(lambda v: models.mse_grad(v, X, y)[j], w) for j in range(3)])
    assert np.allclose(H, X.T @ X / 30, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), d=st.integers(1, 5))
def test_logistic_grad_matches_finite_differences(seed, n, d):
    rng = np.random.default_rng(seed)
    X, w = rng.standard_normal((n, d)), rng.standard_normal(d)
    y = (rng.random(n) < 0.5).astype(float)
    fd = central_diff(lambda v: models.logistic_loss(v, X, y), w)
    assert np.allclose(models.logistic_grad(w, X, y), fd, rtol=1e-6, atol=1e-8)


def test_logistic_loss_is_the_cross_entropy():
    rng = np.random.default_rng(1)
    X, w = rng.standard_normal((50, 3)), rng.standard_normal(3)
    y = (rng.random(50) < 0.3).astype(float)
    p = 1 / (1 + np.exp(-(X @ w)))                      # moderate logits: the naive formula is fine
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert models.logistic_loss(w, X, y) == pytest.approx(naive, rel=1e-12)


def test_logistic_loss_is_finite_at_huge_logits():
    X = np.array([[1.0], [1.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):   # no overflow, no log(0)
        wrong = models.logistic_loss(np.array([1e4]), X, np.array([0.0, 0.0]))
        g = models.logistic_grad(np.array([-1e4]), X, np.array([1.0, 1.0]))
    assert wrong == pytest.approx(1e4)                  # log(1 + e^z) - 0 = z
    assert g == pytest.approx([-1.0])


def test_sigmoid():
    z = np.linspace(-30, 30, 121)
    assert np.allclose(models.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)
    assert np.allclose(models.sigmoid(z) + models.sigmoid(-z), 1.0)


@pytest.mark.parametrize("call, match", [
    (lambda: models.mse_loss(np.zeros(3), np.ones((4, 2)), np.ones(4)), "w must have shape"),
    (lambda: models.mse_grad(np.zeros(2), np.ones((4, 2)), np.ones(5)), "y must have shape"),
    (lambda: models.logistic_loss(np.zeros(2), np.ones(4), np.ones(4)), "X must be a 2-D"),
    (lambda: models.logistic_grad(np.zeros(2), np.ones((0, 2)), np.ones(0)), "no examples"),
])
def test_model_shape_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- mini-batches -----------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), b=st.integers(1, 60), drop_last=st.booleans(), seed=st.integers(0, 99))
def test_minibatches_partition_each_epoch(n, b, drop_last, seed):
    b = min(b, n)
    batches = list(models.minibatches(n, b, rng=seed, drop_last=drop_last))
    assert all(len(batch) == b for batch in batches[:-1])
    seen = np.concatenate(batches) if batches else np.array([], int)
    if drop_last:
        assert len(seen) == n - n % b and len(set(seen.tolist())) == len(seen)
    else:
        assert sorted(seen.tolist()) == list(range(n))
        assert len(batches) == -(-n // b)                 # ceil(n / b)


def test_minibatches_reshuffle_every_epoch_and_are_seeded():
    rng = np.random.default_rng(0)
    e1 = np.concatenate(list(models.minibatches(100, 10, rng=rng)))
    e2 = np.concatenate(list(models.minibatches(100, 10, rng=rng)))
    assert not np.array_equal(e1, e2)                     # a new order each epoch
    again = np.random.default_rng(0)
    assert np.array_equal(e1, np.concatenate(list(models.minibatches(100, 10, rng=again))))
    assert np.array_equal(np.concatenate(list(models.minibatches(7, 3, shuffle=False))), np.arange(7))


@pytest.mark.parametrize("args, exc, match", [
    ((0, 1), ValueError, "n must be"),
    ((5, 0), ValueError, r"batch_size must be in \[1, n\]"),
    ((5, 6), ValueError, r"batch_size must be in \[1, n\]"),
    ((5, 2.0), TypeError, "batch_size must be an integer"),
    ((True, 1), TypeError, "n must be an integer"),
])
def test_minibatches_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        models.minibatches(*args)                          # raised at the call, not at iteration


# --- data sets --------------------------------------------------------------------

def test_linear_is_its_formula():
    d = data.linear(n=200, seed=5, intercept=-1.0, slope=3.0, noise=0.0, scale=2.0)
    assert d.X.shape == (200, 2) and np.all(d.X[:, 0] == 1)
    assert np.allclose(d.y, -1.0 + 3.0 * d.X[:, 1])
    assert d.X[:, 1].std() == pytest.approx(2.0, rel=0.15)
    noisy = data.linear(n=20_000, seed=5, noise=0.5)
    w_hat = np.linalg.lstsq(noisy.X, noisy.y, rcond=None)[0]
    assert np.allclose(w_hat, noisy.w_true, atol=0.02)
    assert np.std(noisy.y - noisy.X @ noisy.w_true) == pytest.approx(0.5, rel=0.03)


def test_data_sets_are_seeded():
    for make in (data.linear, data.linear_features, data.logistic, data.moons, data.spirals,
                 data.polynomial):
        a, b, c = make(seed=1), make(seed=1), make(seed=2)
        assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y), make.__name__
        assert not np.array_equal(a.X, c.X), make.__name__


def test_linear_features_condition_number():
    d = data.linear_features(n=50_000, scales=(1.0, 10.0), seed=0)
    eig = np.linalg.eigvalsh(d.X.T @ d.X / len(d.y))
    assert eig[-1] / eig[0] == pytest.approx(100, rel=0.05)
    assert np.allclose(d.w_true, [1.0, 0.1])


def test_logistic_weights_are_the_bayes_posterior():
    d = data.logistic(n=10, seed=0, separation=3.0, imbalance=0.2)
    s = 3.0 / (2 * np.sqrt(2))
    x = d.X[:, 1:]
    dens1 = np.exp(-0.5 * np.sum((x - s) ** 2, axis=1))
    dens0 = np.exp(-0.5 * np.sum((x + s) ** 2, axis=1))
    posterior = 0.2 * dens1 / (0.2 * dens1 + 0.8 * dens0)
    assert np.allclose(models.sigmoid(d.X @ d.w_true), posterior, rtol=1e-12)


def test_logistic_imbalance_and_labels():
    d = data.logistic(n=20_000, seed=0, imbalance=0.05)
    assert set(np.unique(d.y)) == {0.0, 1.0}
    assert d.y.mean() == pytest.approx(0.05, abs=0.005)


@pytest.mark.parametrize("make", [data.moons, data.spirals])
def test_two_class_shapes(make):
    d = make(n=301, seed=0, noise=0.0)
    assert d.X.shape == (301, 2) and d.w_true is None
    assert d.y.sum() == 150
    if make is data.moons:      # class 0 on the unit circle, class 1 on a shifted one
        r0 = np.linalg.norm(d.X[d.y == 0], axis=1)
        r1 = np.linalg.norm(d.X[d.y == 1] - [1.0, 0.5], axis=1)
    else:                       # both spirals: radius = position along the spiral, <= 1
        r0 = r1 = np.ones(1)
        assert np.linalg.norm(d.X, axis=1).max() <= 1 + 1e-12
        even = make(n=300, seed=0, noise=0.0)   # class 1 is class 0 turned by 180 degrees
        assert np.allclose(np.sort(even.X[even.y == 0], axis=0), np.sort(-even.X[even.y == 1], axis=0))
    assert np.allclose(r0, 1) and np.allclose(r1, 1)


def test_polynomial_and_features():
    d = data.polynomial(n=40, degree=3, noise=0.0, seed=2)
    t = d.X[:, 0]
    assert np.all(np.abs(t) <= 1)
    assert np.allclose(np.polyval(d.w_true[::-1], t), d.y)       # numpy's own polynomial evaluation
    V = data.poly_features(t, 3)
    assert np.allclose(V, np.vander(t, 4, increasing=True))


def test_train_val_split_partitions():
    full = data.linear(n=50, seed=0)
    train, val = data.train_val_split(full, 0.3, seed=1)
    assert len(train.y) == 35 and len(val.y) == 15
    rows = {tuple(r) for r in np.column_stack([full.X, full.y])}
    parts = [tuple(r) for part in (train, val) for r in np.column_stack([part.X, part.y])]
    assert len(parts) == 50 and set(parts) == rows


@pytest.mark.parametrize("call, exc, match", [
    (lambda: data.linear(n=0), ValueError, "n must be an integer >= 1"),
    (lambda: data.linear(n=2.5), TypeError, "n must be an integer"),
    (lambda: data.linear(noise=-1), ValueError, "noise must be >= 0"),
    (lambda: data.linear_features(scales=(1.0, 0.0)), ValueError, r"scales\[1\] must be > 0"),
    (lambda: data.linear_features(scales=(1.0, 2.0), w_true=[1.0]), ValueError, "w_true must have shape"),
    (lambda: data.logistic(imbalance=1.0), ValueError, r"imbalance must be in \(0, 1\)"),
    (lambda: data.spirals(turns=0), ValueError, "turns must be > 0"),
    (lambda: data.poly_features(np.ones((2, 2)), 2), ValueError, "t must be a 1-D array"),
    (lambda: data.polynomial(degree=-1), ValueError, "degree must be an integer >= 0"),
    (lambda: data.train_val_split(data.linear(n=3), 0.01), ValueError, "empty part"),
])
def test_data_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
