"""gdlearn.federated against full-batch gradient descent written out independently.

With one local step, every client and weights proportional to the data sizes,

    w+ = sum_k (n_k / n) (w - lr grad L_k(w)) = w - lr sum_k (n_k / n) X_k^T (s(X_k w) - y_k) / n_k
       = w - lr X^T (s(X w) - y) / n,

one step of gradient descent on the pooled data. The tests compute that step
with scipy's expit, not with gdlearn.models.
"""

import math

import numpy as np
import pytest
import scipy.optimize
import scipy.special

from gdlearn import data
from gdlearn.federated import Client, FedAvgResult, aggregate, fedavg, partition_non_iid, pool


def pooled_gd(X, y, w0, lr, steps):
    """Full-batch gradient descent on the mean logistic loss, written from the formula."""
    w = np.array(w0, dtype=float)
    ws = [w]
    for _ in range(steps):
        w = w - lr * X.T @ (scipy.special.expit(X @ w) - y) / len(y)
        ws.append(w)
    return np.array(ws)


def cross_entropy(w, X, y):
    z = X @ w
    return float(np.mean(np.logaddexp(0, z) - y * z))


@pytest.fixture(scope="module")
def dataset():
    return data.logistic(n=600, seed=0, separation=3.0)


@pytest.mark.parametrize("alpha", [math.inf, 0.2])
def test_one_local_step_is_pooled_gradient_descent(dataset, alpha):
    clients = partition_non_iid(dataset.X, dataset.y, 7, alpha=alpha, seed=2)
    sizes = [len(c.y) for c in clients]
    assert len(set(sizes)) > 1                       # unequal sizes: the weighting matters
    X, y = pool(clients)
    result = fedavg(clients, [0.1, -0.2, 0.3], rounds=40, local_steps=1, lr=0.7)
    expected = pooled_gd(X, y, [0.1, -0.2, 0.3], 0.7, 40)
    np.testing.assert_allclose(result.ws, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(result.losses, [cross_entropy(w, X, y) for w in expected], rtol=1e-12)
    # the classic mistake, the plain mean, is not gradient descent when sizes differ
    if alpha < math.inf:
        plain = fedavg(clients, [0.1, -0.2, 0.3], rounds=40, local_steps=1, lr=0.7, weighted=False)
        assert np.max(np.abs(plain.ws[-1] - expected[-1])) > 1e-2


def test_one_client_is_gradient_descent_with_rounds_times_steps(dataset):
    X, y = dataset.X, dataset.y
    result = fedavg([(X, y)], np.zeros(3), rounds=6, local_steps=5, lr=0.3)
    expected = pooled_gd(X, y, np.zeros(3), 0.3, 30)
    np.testing.assert_allclose(result.ws, expected[::5], rtol=1e-12, atol=1e-14)


def test_custom_loss_linear_regression():
    d = data.linear(n=90, seed=1)
    clients = [Client(d.X[:20], d.y[:20]), Client(d.X[20:], d.y[20:])]
    mse = lambda w, X, y: float(np.mean(0.5 * (X @ w - y) ** 2))
    mse_grad = lambda w, X, y: X.T @ (X @ w - y) / len(y)
    result = fedavg(clients, np.zeros(2), rounds=3, lr=0.1, loss=mse, grad=mse_grad)
    w = np.zeros(2)
    for _ in range(3):
        w = w - 0.1 * d.X.T @ (d.X @ w - d.y) / 90
    np.testing.assert_allclose(result.w, w, rtol=1e-12)


def test_aggregate_is_the_size_weighted_mean():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(5, 4))
    sizes = np.array([10, 1, 3, 0, 7])
    np.testing.assert_allclose(aggregate(W, sizes), np.average(W, axis=0, weights=sizes), rtol=1e-14)
    np.testing.assert_allclose(aggregate(W, sizes, weighted=False), W.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(aggregate([[0.0, 0.0], [4.0, 8.0]], [300, 100]), [1.0, 2.0])
    np.testing.assert_allclose(aggregate([1.0, 3.0], [1, 3]), [2.5])          # scalars per client


def test_partial_participation(dataset):
    clients = partition_non_iid(dataset.X, dataset.y, 10, alpha=math.inf, seed=0)
    result = fedavg(clients, np.zeros(3), rounds=25, lr=0.5, client_fraction=0.3, seed=4)
    assert isinstance(result, FedAvgResult) and result.selected.shape == (25, 3)
    assert all(len(set(row)) == 3 for row in result.selected)
    assert len(np.unique(result.selected)) > 3                      # different clients each round
    again = fedavg(clients, np.zeros(3), rounds=25, lr=0.5, client_fraction=0.3, seed=4)
    np.testing.assert_array_equal(result.ws, again.ws)
    # a round with clients S is the weighted step over S only
    w, S = result.ws[0], result.selected[0]
    Xs = np.vstack([clients[k].X for k in S])
    ys = np.concatenate([clients[k].y for k in S])
    np.testing.assert_allclose(result.ws[1], pooled_gd(Xs, ys, w, 0.5, 1)[1], rtol=1e-12)


def test_minibatch_local_steps_are_reproducible(dataset):
    clients = partition_non_iid(dataset.X, dataset.y, 4, alpha=1.0, seed=0)
    a = fedavg(clients, np.zeros(3), rounds=5, local_steps=3, lr=0.2, batch_size=8, seed=1)
    b = fedavg(clients, np.zeros(3), rounds=5, local_steps=3, lr=0.2, batch_size=8, seed=1)
    full = fedavg(clients, np.zeros(3), rounds=5, local_steps=3, lr=0.2)
    np.testing.assert_array_equal(a.ws, b.ws)
    assert not np.allclose(a.ws[-1], full.ws[-1])


def test_client_drift():
    big = data.logistic(n=1000, seed=0, separation=3.0)
    w_star = scipy.optimize.minimize(cross_entropy, np.zeros(3), args=(big.X, big.y), method="BFGS",
                                     options=dict(gtol=1e-10)).x
    loss_star = cross_entropy(w_star, big.X, big.y)
    iid = partition_non_iid(big.X, big.y, 10, alpha=math.inf, seed=0)
    skewed = partition_non_iid(big.X, big.y, 10, alpha=0.1, seed=0, min_size=5)
    # the skewed clients really are skewed: most hold (almost) one class
    shares = np.array([c.y.mean() for c in skewed])
    assert np.mean((shares < 0.1) | (shares > 0.9)) >= 0.5
    # one local step is gradient descent: it converges to the pooled optimum, IID or not
    for clients in (iid, skewed):
        r = fedavg(clients, np.zeros(3), rounds=300, local_steps=1, lr=2.0)
        assert np.linalg.norm(r.w - w_star) < 1e-4
    # many local steps: the non-IID clients pull the average away from it
    far_iid = fedavg(iid, np.zeros(3), rounds=40, local_steps=50, lr=0.5)
    far_skewed = fedavg(skewed, np.zeros(3), rounds=40, local_steps=50, lr=0.5)
    drift_iid = np.linalg.norm(far_iid.w - w_star)
    drift_skewed = np.linalg.norm(far_skewed.w - w_star)
    assert drift_skewed > 3 * drift_iid and drift_skewed > 0.1
    assert far_skewed.losses[-1] - loss_star > 10 * (far_iid.losses[-1] - loss_star)
    # it is a fixed point, not slowness: the last rounds barely move
    assert np.linalg.norm(far_skewed.ws[-1] - far_skewed.ws[-10]) < 1e-3


def test_partition_holds_every_example_once(dataset):
    X, y = dataset.X, dataset.y
    for alpha in (math.inf, 10.0, 0.1):
        clients = partition_non_iid(X, y, 6, alpha=alpha, seed=3, min_size=2)
        assert len(clients) == 6 and min(len(c.y) for c in clients) >= 2
        rows = np.vstack([c.X for c in clients])
        order = np.lexsort(rows.T)
        np.testing.assert_array_equal(rows[order], X[np.lexsort(X.T)])
        assert sorted(np.concatenate([c.y for c in clients])) == sorted(y)
    sizes = [len(c.y) for c in partition_non_iid(X, y, 7, alpha=math.inf)]
    assert max(sizes) - min(sizes) <= 1


def test_smaller_alpha_means_more_label_skew(dataset):
    X, y = dataset.X, dataset.y

    def skew(alpha):
        values = []
        for seed in range(10):
            clients = partition_non_iid(X, y, 5, alpha=alpha, seed=seed)
            values += [abs(c.y.mean() - y.mean()) for c in clients]
        return np.mean(values)

    assert skew(0.1) > skew(1.0) > skew(100.0)
    assert skew(0.1) > 0.3 and skew(100.0) < 0.05


def test_partition_is_reproducible(dataset):
    a = partition_non_iid(dataset.X, dataset.y, 5, alpha=0.5, seed=1)
    b = partition_non_iid(dataset.X, dataset.y, 5, alpha=0.5, seed=1)
    c = partition_non_iid(dataset.X, dataset.y, 5, alpha=0.5, seed=2)
    assert all(np.array_equal(p.X, q.X) for p, q in zip(a, b))
    assert not all(len(p.y) == len(q.y) and np.array_equal(p.X, q.X) for p, q in zip(a, c))


@pytest.mark.parametrize("call, error, words", [
    (lambda X, y: partition_non_iid(X, y, 0), ValueError, "n_clients"),
    (lambda X, y: partition_non_iid(X, y, 2.0), TypeError, "n_clients"),
    (lambda X, y: partition_non_iid(X, y, 2, alpha=0), ValueError, "alpha"),
    (lambda X, y: partition_non_iid(X, y[:-1], 2), ValueError, "y must have shape"),
    (lambda X, y: partition_non_iid(X[:, 0], y, 2), ValueError, "X must have shape"),
    (lambda X, y: partition_non_iid(X, y, 100, min_size=10), ValueError, "min_size"),
    (lambda X, y: fedavg([(X, y)], np.zeros(2)), ValueError, "w0"),
    (lambda X, y: fedavg([(X, y)], np.zeros(3), lr=0), ValueError, "lr"),
    (lambda X, y: fedavg([(X, y)], np.zeros(3), rounds=-1), ValueError, "rounds"),
    (lambda X, y: fedavg([(X, y)], np.zeros(3), local_steps=0), ValueError, "local_steps"),
    (lambda X, y: fedavg([(X, y)], np.zeros(3), client_fraction=0), ValueError, "client_fraction"),
    (lambda X, y: fedavg([(X, y)], np.zeros(3), client_fraction=1.5), ValueError, "client_fraction"),
    (lambda X, y: fedavg([], np.zeros(3)), ValueError, "at least one client"),
    (lambda X, y: fedavg([(X, y), (X[:, :2], y)], np.zeros(3)), ValueError, "features"),
    (lambda X, y: fedavg(5, np.zeros(3)), TypeError, "client_data"),
    (lambda X, y: aggregate([[1.0], [2.0]], [1]), ValueError, "sizes"),
    (lambda X, y: aggregate([[1.0], [2.0]], [-1, 2]), ValueError, "sizes"),
    (lambda X, y: aggregate([[1.0], [2.0]], [0, 0]), ValueError, "sizes"),
])
def test_bad_input(dataset, call, error, words):
    with pytest.raises(error, match=words):
        call(dataset.X[:100], dataset.y[:100])
