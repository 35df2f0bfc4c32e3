"""Tests of gdlearn.mlp: the forward pass against hand-written numpy, backpropagation against
central differences (every entry of every parameter) and against torch's autograd, stability
at huge logits, bad input, and the training loop against a hand-written loop."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from gdlearn import models, optim
from gdlearn.mlp import (
    accuracy,
    global_norm,
    init_mlp,
    layer_sizes,
    mlp_forward,
    mlp_loss,
    mlp_loss_and_grad,
    predict,
    predict_proba,
    stack_params,
    train,
    unstack_params,
)


def _data(n=20, d=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < 0.5).astype(float)
    return X, y


def _random_params(sizes, seed=2, bias_scale=0.3):
    """Non-zero biases too, so that their gradients are exercised."""
    rng = np.random.default_rng(seed)
    params = init_mlp(sizes, seed=seed)
    return {k: (v + bias_scale * rng.normal(size=v.shape)) if k[0] == "b" else v for k, v in params.items()}


def _bce(z, y):
    """Binary cross-entropy written the textbook way (fine at moderate logits)."""
    p = 1 / (1 + np.exp(-z))
    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))


# --- init ---------------------------------------------------------------------------------------

def test_init_shapes_zero_biases_and_seed():
    params = init_mlp([2, 16, 8, 1], seed=3)
    assert set(params) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert params["W1"].shape == (2, 16) and params["W2"].shape == (16, 8) and params["W3"].shape == (8, 1)
    assert params["b2"].shape == (8,) and not any(params[f"b{l}"].any() for l in (1, 2, 3))
    assert all(v.dtype == np.float64 for v in params.values())
    again = init_mlp([2, 16, 8, 1], seed=3)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    other = init_mlp([2, 16, 8, 1], seed=4)
    assert not np.array_equal(params["W1"], other["W1"])
    assert layer_sizes(params) == [2, 16, 8, 1]


@pytest.mark.parametrize("scale, variance", [("he", lambda i, o: 2 / i), ("xavier", lambda i, o: 2 / (i + o))])
def test_init_scale(scale, variance):
    fan_in, fan_out = 400, 300
    W = init_mlp([fan_in, fan_out, 1], seed=0, scale=scale)["W1"]
    assert abs(W.var() / variance(fan_in, fan_out) - 1) < 0.02      # 120,000 draws: ~0.4 % noise
    assert abs(W.mean()) < 0.01


def test_init_default_scale_follows_activation():
    tanh = init_mlp([50, 50, 1], seed=0, activation="tanh")["W1"]
    relu = init_mlp([50, 50, 1], seed=0, activation="relu")["W1"]
    assert np.allclose(relu / tanh, np.sqrt(2 / 50) / np.sqrt(2 / 100))


# --- forward --------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation, phi", [("tanh", np.tanh), ("relu", lambda z: np.maximum(z, 0))])
def test_forward_matches_hand_written_layers(activation, phi):
    X, _ = _data()
    p = _random_params([3, 5, 4, 1])
    h1 = phi(X @ p["W1"] + p["b1"])
    h2 = phi(h1 @ p["W2"] + p["b2"])
    expected = (h2 @ p["W3"] + p["b3"])[:, 0]
    logits, cache = mlp_forward(p, X, activation=activation)
    assert logits.shape == (20,)
    assert np.allclose(logits, expected, rtol=1e-13, atol=1e-13)
    assert np.allclose(cache["A2"], h2) and np.array_equal(cache["A0"], X)
    assert np.allclose(predict_proba(p, X, activation=activation), 1 / (1 + np.exp(-expected)))
    assert np.array_equal(predict(p, X, activation=activation), (expected > 0).astype(float))


def test_loss_matches_textbook_cross_entropy_and_penalty():
    X, y = _data()
    p = _random_params([3, 6, 1])
    z = (np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])[:, 0]
    assert np.isclose(mlp_loss(p, X, y), _bce(z, y), rtol=1e-12)
    penalty = 0.05 / 2 * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
    assert np.isclose(mlp_loss(p, X, y, weight_decay=0.05), _bce(z, y) + penalty, rtol=1e-12)
    loss, _ = mlp_loss_and_grad(p, X, y, weight_decay=0.05)
    assert np.isclose(loss, _bce(z, y) + penalty, rtol=1e-12)


def test_one_layer_is_logistic_regression():
    X, y = _data(d=2)
    w = np.array([0.7, -1.3])
    params = {"W1": w[:, None], "b1": np.zeros(1)}
    loss, grads = mlp_loss_and_grad(params, X, y)
    assert np.isclose(loss, models.logistic_loss(w, X, y), rtol=1e-13)
    assert np.allclose(grads["W1"][:, 0], models.logistic_grad(w, X, y), rtol=1e-12)


# --- gradients ------------------------------------------------------------------------------------

def _central_differences(params, X, y, activation, weight_decay, h=1e-6):
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += h
            minus[key][index] -= h
            g[index] = (mlp_loss(plus, X, y, activation=activation, weight_decay=weight_decay)
                        - mlp_loss(minus, X, y, activation=activation, weight_decay=weight_decay)) / (2 * h)
        grads[key] = g
    return grads


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("sizes", [[3, 1], [3, 5, 1], [3, 5, 4, 1], [3, 4, 3, 3, 1]])
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_backprop_matches_central_differences(activation, sizes, weight_decay):
    X, y = _data()
    params = _random_params(sizes)
    _, grads = mlp_loss_and_grad(params, X, y, activation=activation, weight_decay=weight_decay)
    numeric = _central_differences(params, X, y, activation, weight_decay)
    assert list(grads) == list(params)
    for key in params:
        assert grads[key].shape == params[key].shape
        error = np.abs(grads[key] - numeric[key]).max() / max(np.abs(numeric[key]).max(), 1e-3)
        assert error < 1e-7, (key, error)


def test_backprop_with_soft_labels():
    X, _ = _data()
    y = np.random.default_rng(5).random(20)
    params = _random_params([3, 4, 1])
    _, grads = mlp_loss_and_grad(params, X, y)
    numeric = _central_differences(params, X, y, "tanh", 0.0)
    assert all(np.allclose(grads[k], numeric[k], rtol=1e-6, atol=1e-9) for k in params)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backprop_matches_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    X, y = _data(n=50, d=2, seed=7)
    params = _random_params([2, 16, 16, 1], seed=8)
    loss, grads = mlp_loss_and_grad(params, X, y, activation=activation, weight_decay=0.01)

    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    phi = torch.tanh if activation == "tanh" else torch.relu
    a = torch.tensor(X)
    for l in (1, 2):
        a = phi(a @ tp[f"W{l}"] + tp[f"b{l}"])
    z = (a @ tp["W3"] + tp["b3"])[:, 0]
    t_loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
    t_loss = t_loss + 0.01 / 2 * sum((tp[f"W{l}"] ** 2).sum() for l in (1, 2, 3))
    t_loss.backward()
    assert np.isclose(loss, t_loss.item(), rtol=1e-12)
    for key in params:
        assert np.allclose(grads[key], tp[key].grad.numpy(), rtol=1e-10, atol=1e-14), key


def test_huge_logits_are_stable():
    X = np.array([[1.0], [-1.0], [2.0]])
    params = {"W1": np.array([[1e4]]), "b1": np.zeros(1)}         # logits 1e4, -1e4, 2e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right, g_right = mlp_loss_and_grad(params, X, np.array([1.0, 0.0, 1.0]))
        wrong, g_wrong = mlp_loss_and_grad(params, X, np.array([0.0, 1.0, 0.0]))
        proba = predict_proba(params, X)
    assert right == 0.0 and np.all(g_right["W1"] == 0)
    assert np.isclose(wrong, (1e4 + 1e4 + 2e4) / 3)                 # log(1 + e^|z|) ~ |z|
    # sigma(z) - y = +1, -1, +1 exactly: dL/dW = mean((sigma - y) x) = (1 + 1 + 2) / 3
    assert np.isclose(g_wrong["W1"][0, 0], 4 / 3) and np.isclose(g_wrong["b1"][0], 1 / 3)
    assert np.array_equal(proba, [1.0, 0.0, 1.0])


def test_saturated_hidden_units_give_finite_gradients():
    X, y = _data()
    params = {k: v * 1e3 for k, v in _random_params([3, 8, 1]).items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = mlp_loss_and_grad(params, X, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())


# --- metrics --------------------------------------------------------------------------------------

def test_accuracy_and_global_norm():
    params = {"W1": np.array([[1.0], [0.0]]), "b1": np.array([-0.5])}   # label 1 where x1 > 0.5
    X = np.array([[0.0, 5.0], [1.0, -5.0], [0.6, 0.0], [0.4, 0.0]])
    assert accuracy(params, X, np.array([0.0, 1.0, 1.0, 1.0])) == 0.75
    assert global_norm({"a": np.array([1.0, 2.0]), "b": np.array([[2.0]])}) == 3.0
    assert global_norm(np.array([3.0, 4.0])) == 5.0


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    ({"sizes": [2]}, ValueError, "sizes"),
    ({"sizes": [2, 4, 2]}, ValueError, "sizes"),
    ({"sizes": [2, 0, 1]}, ValueError, r"sizes\[1\]"),
    ({"sizes": [2, 4.5, 1]}, TypeError, r"sizes\[1\]"),
    ({"sizes": "21"}, TypeError, "sizes"),
    ({"sizes": [2, 4, 1], "scale": "lecun"}, ValueError, "scale"),
    ({"sizes": [2, 4, 1], "activation": "sigmoid"}, ValueError, "activation"),
])
def test_init_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        init_mlp(kwargs.pop("sizes"), **kwargs)


def test_params_bad_input():
    X, y = _data(d=2)
    good = init_mlp([2, 4, 1])
    with pytest.raises(TypeError, match="params"):
        mlp_forward([good["W1"], good["b1"]], X)
    with pytest.raises(ValueError, match="W1, b1"):
        mlp_forward({"W1": good["W1"], "b1": good["b1"], "W2": good["W2"]}, X)
    with pytest.raises(ValueError, match="W2"):
        mlp_forward({**good, "W2": np.zeros((3, 1))}, X)
    with pytest.raises(ValueError, match="b1"):
        mlp_forward({**good, "b1": np.zeros(3)}, X)
    with pytest.raises(ValueError, match="last layer"):
        mlp_forward({**good, "W2": np.zeros((4, 2)), "b2": np.zeros(2)}, X)
    with pytest.raises(TypeError, match="numpy arrays"):
        mlp_forward({**good, "b2": [0.0]}, X)


def test_data_bad_input():
    X, y = _data(d=2)
    params = init_mlp([2, 4, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        mlp_forward(params, X[:, :1])
    with pytest.raises(ValueError, match="X must have shape"):
        mlp_forward(params, X[0])
    with pytest.raises(ValueError, match="no examples"):
        mlp_forward(params, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="finite"):
        mlp_forward(params, np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match=r"y must have shape \(20,\)"):
        mlp_loss_and_grad(params, X, y[:5])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 1\]"):
        mlp_loss_and_grad(params, X, 2 * y - 1)
    with pytest.raises(ValueError, match="weight_decay"):
        mlp_loss_and_grad(params, X, y, weight_decay=-0.1)
    with pytest.raises(ValueError, match="activation"):
        mlp_loss_and_grad(params, X, y, activation="gelu")


def test_train_bad_input():
    X, y = _data(d=2)
    params, opt = init_mlp([2, 4, 1]), optim.sgd(lr=0.1)
    with pytest.raises(ValueError, match="epochs"):
        train(params, X, y, opt, epochs=0)
    with pytest.raises(TypeError, match="epochs"):
        train(params, X, y, opt, epochs=2.0)
    with pytest.raises(ValueError, match=r"batch_size must be in \[1, n\] = \[1, 20\]"):
        train(params, X, y, opt, epochs=1, batch_size=21)
    with pytest.raises(ValueError, match="X_val and y_val"):
        train(params, X, y, opt, epochs=1, X_val=X)
    with pytest.raises(TypeError, match="opt"):
        train(params, X, y, lambda g: g, epochs=1)


# --- training -------------------------------------------------------------------------------------

def test_train_full_batch_matches_hand_written_gradient_descent():
    X, y = _data(d=2)
    start = _random_params([2, 6, 1])
    frozen = {k: v.copy() for k, v in start.items()}
    lr, epochs = 0.3, 15
    params, history = train(start, X, y, optim.sgd(lr=lr), epochs=epochs, X_val=X[:5], y_val=y[:5],
                            snapshot_epochs=[0, 7, epochs])
    expected = {k: v.copy() for k, v in start.items()}
    losses, norms = [], []
    for _ in range(epochs):
        loss, grads = mlp_loss_and_grad(expected, X, y)
        losses.append(loss)
        norms.append(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
        expected = {k: expected[k] - lr * grads[k] for k in expected}
    losses.append(mlp_loss(expected, X, y))
    assert all(np.array_equal(start[k], frozen[k]) for k in start)                 # not mutated
    assert all(np.allclose(params[k], expected[k], rtol=1e-12, atol=1e-15) for k in params)
    assert np.allclose(history.loss, losses, rtol=1e-12) and history.loss.shape == (epochs + 1,)
    assert np.allclose(history.grad_norm, norms, rtol=1e-12) and history.grad_norm.shape == (epochs,)
    assert np.isclose(history.val_loss[-1], mlp_loss(expected, X[:5], y[:5]))
    assert history.accuracy[-1] == accuracy(expected, X, y)
    assert history.val_accuracy[0] == accuracy(start, X[:5], y[:5])
    assert sorted(history.snapshots) == [0, 7, epochs]
    assert all(np.array_equal(history.snapshots[epochs][k], params[k]) for k in params)
    assert all(np.array_equal(history.snapshots[0][k], start[k]) for k in params)
    assert history.status == "ok" and history.diverged_at is None


def test_train_minibatches_match_hand_written_loop():
    X, y = _data(n=23, d=2)
    start = _random_params([2, 5, 3, 1])
    opt = optim.sgd(lr=0.2, momentum=0.9)
    params, history = train(start, X, y, opt, epochs=4, batch_size=5, seed=11, weight_decay=1e-3)
    rng = np.random.default_rng(11)
    expected, buffer = {k: v.copy() for k, v in start.items()}, None
    for _ in range(4):
        order = rng.permutation(23)
        for i in range(0, 23, 5):                       # the last batch holds 3 examples
            batch = order[i:i + 5]
            _, g = mlp_loss_and_grad(expected, X[batch], y[batch], weight_decay=1e-3)
            buffer = g if buffer is None else {k: 0.9 * buffer[k] + g[k] for k in g}   # torch's heavy ball
            expected = {k: expected[k] - 0.2 * buffer[k] for k in g}
    assert all(np.allclose(params[k], expected[k], rtol=1e-11, atol=1e-14) for k in params)
    assert np.isclose(history.loss[-1], mlp_loss(expected, X, y), rtol=1e-12)
    assert np.isclose(history.loss[0], mlp_loss(start, X, y), rtol=1e-12)


def test_adam_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    params, history = train(init_mlp([2, 8, 1], seed=0), X, y, optim.adam(lr=0.05), epochs=300)
    assert accuracy(params, X, y) == 1.0 and history.loss[-1] < 0.05
    relu_params, _ = train(init_mlp([2, 8, 1], seed=0, activation="relu"), X, y, optim.adam(lr=0.05),
                           epochs=300, activation="relu")
    assert accuracy(relu_params, X, y, activation="relu") == 1.0


@pytest.mark.parametrize("batch_size", [None, 4])
def test_train_divergence_stops_cleanly(batch_size):
    X, y = _data(n=8, d=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # ReLU does not saturate: the gradients grow with X and the weights overflow to inf
        params, history = train(init_mlp([2, 4, 1], activation="relu"), 1e150 * X, y, optim.sgd(lr=1e300),
                                epochs=10, batch_size=batch_size, X_val=X, y_val=y, activation="relu")
    assert history.status == "diverged" and 1 <= history.diverged_at <= 3
    assert np.isnan(history.loss[-1]) and np.isnan(history.val_accuracy[-1])


# --- stacked runs ---------------------------------------------------------------------------------

def test_stacked_networks_match_one_by_one():
    X, y = _data(d=2)
    networks = [_random_params([2, 5, 4, 1], seed=s) for s in range(3)]
    stacked = stack_params(networks)
    assert stacked["W2"].shape == (5, 4, 3) and stacked["b2"].shape == (4, 3)
    assert layer_sizes(stacked) == [2, 5, 4, 1]
    logits, _ = mlp_forward(stacked, X)
    loss, grads = mlp_loss_and_grad(stacked, X, y, weight_decay=0.01)
    assert logits.shape == (20, 3) and loss.shape == (3,)
    for r, p in enumerate(networks):
        loss_r, grads_r = mlp_loss_and_grad(p, X, y, weight_decay=0.01)
        assert np.allclose(logits[:, r], mlp_forward(p, X)[0], rtol=1e-13)
        assert np.isclose(loss[r], loss_r, rtol=1e-13)
        assert np.isclose(mlp_loss(stacked, X, y, weight_decay=0.01)[r], loss_r, rtol=1e-13)
        assert all(np.allclose(grads[k][..., r], grads_r[k], rtol=1e-12, atol=1e-15) for k in p)
        assert accuracy(stacked, X, y)[r] == accuracy(p, X, y)
        assert all(np.array_equal(unstack_params(stacked, r)[k], p[k]) for k in p)
    with pytest.raises(ValueError, match="same sizes"):
        stack_params([init_mlp([2, 3, 1]), init_mlp([2, 4, 1])])
    with pytest.raises(ValueError, match="run must be"):
        unstack_params(stacked, 3)
    with pytest.raises(ValueError, match="stacked"):
        mlp_forward({**stacked, "b1": np.zeros(5)}, X)


@pytest.mark.parametrize("batch_size", [None, 6])
def test_train_stacked_runs_with_one_lr_each(batch_size):
    X, y = _data(d=2)
    networks = [init_mlp([2, 6, 1], seed=s) for s in range(3)]
    lrs = np.array([0.003, 0.03, 0.3])
    params, history = train(stack_params(networks), X, y, optim.adam(lr=lrs), epochs=12,
                            batch_size=batch_size, seed=4, X_val=X[:7], y_val=y[:7])
    assert history.loss.shape == (13, 3) and history.grad_norm.shape == (12, 3)
    for r in range(3):
        alone, h = train(networks[r], X, y, optim.adam(lr=lrs[r]), epochs=12, batch_size=batch_size, seed=4,
                         X_val=X[:7], y_val=y[:7])
        assert all(np.allclose(params[k][..., r], alone[k], rtol=1e-11, atol=1e-14) for k in alone)
        assert np.allclose(history.loss[:, r], h.loss, rtol=1e-11)
        assert np.allclose(history.grad_norm[:, r], h.grad_norm, rtol=1e-11)
        assert np.allclose(history.val_accuracy[:, r], h.val_accuracy)


def test_train_stacked_divergence_leaves_other_runs():
    X, y = _data(n=8, d=2)
    stacked = stack_params([init_mlp([2, 4, 1], seed=s, activation="relu") for s in range(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, history = train(stacked, X, y, optim.sgd(lr=np.array([0.1, 1e300])), epochs=5,
                           activation="relu")
    assert history.status == "diverged"
    assert np.isfinite(history.loss[:, 0]).all() and np.isnan(history.loss[-1, 1])


def test_train_stacked_runs_with_one_seed_each_match_hand_written_loops():
    # each run draws its own mini-batches: run r is plain SGD with the permutations of default_rng(seeds[r])
    X, y = _data(n=23, d=2)
    networks = [_random_params([2, 5, 1], seed=s) for s in (3, 4, 5)]
    seeds, lrs = [7, 8, 9], np.array([0.1, 0.2, 0.3])
    params, history = train(stack_params(networks), X, y, optim.sgd(lr=lrs), epochs=3, batch_size=6, seed=seeds,
                            X_val=X[:7], y_val=y[:7])
    for r, (start, seed) in enumerate(zip(networks, seeds)):
        rng, expected = np.random.default_rng(seed), {k: v.copy() for k, v in start.items()}
        for _ in range(3):
            order = rng.permutation(23)
            for i in range(0, 23, 6):                   # batches of 6, 6, 6 and 5
                batch = order[i:i + 6]
                _, g = mlp_loss_and_grad(expected, X[batch], y[batch])
                expected = {k: expected[k] - lrs[r] * g[k] for k in g}
        assert all(np.allclose(params[k][..., r], expected[k], rtol=1e-11, atol=1e-14) for k in expected)
        assert np.isclose(history.loss[-1, r], mlp_loss(expected, X, y), rtol=1e-12)
        assert np.isclose(history.val_loss[-1, r], mlp_loss(expected, X[:7], y[:7]), rtol=1e-12)
        alone, _ = train(start, X, y, optim.sgd(lr=lrs[r]), epochs=3, batch_size=6, seed=seed)
        assert all(np.allclose(params[k][..., r], alone[k], rtol=1e-12, atol=1e-15) for k in alone)


def test_train_per_run_seeds_bad_input():
    X, y = _data(d=2)
    stacked = stack_params([init_mlp([2, 4, 1], seed=s) for s in range(2)])
    with pytest.raises(ValueError, match="one seed per stacked run"):
        train(stacked, X, y, optim.sgd(lr=0.1), epochs=1, batch_size=5, seed=[1, 2, 3])
    with pytest.raises(ValueError, match="one seed per stacked run"):
        train(init_mlp([2, 4, 1]), X, y, optim.sgd(lr=0.1), epochs=1, batch_size=5, seed=[1])
    with pytest.raises(ValueError, match="seed entry"):
        train(stacked, X, y, optim.sgd(lr=0.1), epochs=1, batch_size=5, seed=[1, -2])
