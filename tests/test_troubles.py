"""gdlearn.troubles against independent references.

Gradients are checked against central differences written here (not
gdlearn.calculus), the recurrence against its closed form
h_T = w^T h_0 + sum_t w^(T-t) x_t, ridge against the normal equations, the L1
fit against its optimality (KKT) conditions, and early stopping against a
vectorized definition (running argmin).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlearn import troubles
from gdlearn.data import poly_features


def central_diff(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# --- the deep chain ----------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear", "relu"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_backprop_matches_finite_differences(activation, seed):
    rng = np.random.default_rng(seed)
    params = troubles.init_chain(depth=4, width=3, init="xavier", scale=1.5, seed=seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}   # non-zero biases
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    grads = troubles.chain_backprop(params, X, Y, activation)
    assert set(grads) == set(params)
    for key in params:
        def loss(v, key=key):
            return troubles.chain_loss({**params, key: v}, X, Y, activation)
        fd = central_diff(loss, params[key])
        # ReLU has a kink at 0: with these seeds no pre-activation lies within h of it
        np.testing.assert_allclose(grads[key], fd, rtol=1e-5, atol=1e-8, err_msg=key)


def test_scalar_linear_chain_closed_form():
    # one unit per layer, identity activation: output = x * prod(w); dL/dw_l = (out - y) x prod_{j != l} w_j
    ws = [0.5, -2.0, 3.0, 0.25]
    params = {}
    for i, w in enumerate(ws, 1):
        params[f"W{i}"] = np.array([[w]])
        params[f"b{i}"] = np.zeros(1)
    x, y = 1.5, 0.2
    out = x * np.prod(ws)
    g = troubles.chain_backprop(params, np.array([[x]]), np.array([[y]]), "linear")
    for i in range(len(ws)):
        others = np.prod([w for j, w in enumerate(ws) if j != i])
        assert g[f"W{i + 1}"][0, 0] == pytest.approx((out - y) * x * others, rel=1e-12)
        # the bias of layer i enters multiplied by the weights above it
        above = np.prod(ws[i + 1:])
        assert g[f"b{i + 1}"][0] == pytest.approx((out - y) * above, rel=1e-12)


def test_sigmoid_gradient_shrinks_at_least_fourfold_per_layer_with_small_weights():
    # one unit per layer with |w| <= 1: |dL/dw_l| carries a factor sigma' <= 1/4 per layer above l
    rng = np.random.default_rng(3)
    depth = 12
    params = {}
    for i in range(1, depth + 1):
        params[f"W{i}"] = rng.uniform(-1, 1, (1, 1))
        params[f"b{i}"] = rng.uniform(-1, 1, 1)
    norms = troubles.layer_grad_norms(troubles.chain_backprop(params, np.array([[0.3]]), np.array([[2.0]]), "sigmoid"))
    _, acts = troubles.chain_forward(params, np.array([[0.3]]), "sigmoid")
    # |dL/dW_l| = |delta_l| |a_{l-1}|, and |delta_{l-1}| <= |delta_l| |w_l| / 4
    deltas = norms / np.array([abs(a[0, 0]) for a in acts[:-1]])
    for layer in range(1, depth):
        assert deltas[layer - 1] <= deltas[layer] * abs(params[f"W{layer + 1}"][0, 0]) / 4 * (1 + 1e-12)


def test_init_scales():
    width = 400
    for init, std in [("xavier", 1 / math.sqrt(width)), ("he", math.sqrt(2 / width)), ("normal", 0.7)]:
        p = troubles.init_chain(2, width, init=init, scale=0.7 if init == "normal" else 1.0, seed=0)
        assert p["W1"].shape == (width, width) and p["b1"].shape == (width,)
        assert p["W2"].std() == pytest.approx(std, rel=0.01)
        assert np.all(p["b2"] == 0)
    c = troubles.init_chain(3, 2, init="constant", scale=0.3)
    assert np.all(c["W3"] == 0.3)
    assert not np.array_equal(troubles.init_chain(1, 3, seed=0)["W1"], troubles.init_chain(1, 3, seed=1)["W1"])


def test_forward_pass_by_hand():
    p = {"W1": np.array([[1.0, -1.0], [2.0, 0.5]]), "b1": np.array([0.1, 0.0]),
         "W2": np.array([[1.0], [1.0]]) @ np.ones((1, 2)), "b2": np.zeros(2)}
    X = np.array([[1.0, 2.0]])
    zs, acts = troubles.chain_forward(p, X, "tanh")
    z1 = np.array([1 + 4 + 0.1, -1 + 1])
    np.testing.assert_allclose(zs[0][0], z1)
    np.testing.assert_allclose(acts[1][0], np.tanh(z1))
    np.testing.assert_allclose(acts[2][0], np.tanh(np.full(2, np.tanh(z1).sum())))


def test_chain_errors():
    p = troubles.init_chain(2, 3)
    with pytest.raises(ValueError, match="activation must be one of"):
        troubles.chain_forward(p, np.ones((2, 3)), "softplus")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 3\)"):
        troubles.chain_forward(p, np.ones((2, 4)))
    with pytest.raises(ValueError, match="Y must have"):
        troubles.chain_backprop(p, np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="init must be one of"):
        troubles.init_chain(2, 3, init="orthogonal")
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        troubles.init_chain(0, 3)
    with pytest.raises(TypeError, match="params must be a dict"):
        troubles.chain_forward([np.eye(3)], np.ones((2, 3)))


# --- the recurrence ------------------------------------------------------------------

def closed_form_hT(w, h0, xs):
    T = len(xs)
    return w ** T * h0 + sum(w ** (T - t) * xs[t - 1] for t in range(1, T + 1))


@settings(max_examples=40, deadline=None)
@given(w=st.floats(-1.3, 1.3), h0=st.floats(-2, 2), seed=st.integers(0, 1000), T=st.integers(1, 25))
def test_recurrence_closed_form_and_bptt(w, h0, seed, T):
    xs = np.random.default_rng(seed).standard_normal(T)
    y = 0.7
    hs = troubles.recurrence(w, h0, xs)
    assert hs.shape == (T + 1,)
    assert hs[-1] == pytest.approx(closed_form_hT(w, h0, xs), rel=1e-10, abs=1e-10)
    loss, dw, dx = troubles.recurrence_grad(w, h0, xs, y)
    assert loss == pytest.approx(0.5 * (closed_form_hT(w, h0, xs) - y) ** 2, rel=1e-9, abs=1e-12)
    fd_w = (0.5 * (closed_form_hT(w + 1e-6, h0, xs) - y) ** 2 - 0.5 * (closed_form_hT(w - 1e-6, h0, xs) - y) ** 2) / 2e-6
    assert dw == pytest.approx(fd_w, rel=1e-5, abs=1e-6)
    # dL/dx_t = (h_T - y) w^(T - t)
    expected_dx = (hs[-1] - y) * w ** (T - np.arange(1, T + 1))
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-10, atol=1e-12)


def test_power_recurrence_gradient_explodes_and_vanishes():
    # no inputs: h_T = w^T h0, dL/dw = (h_T - y) T w^(T-1) h0
    for w in [0.8, 1.0, 1.2]:
        for T in [1, 10, 50]:
            _, dw, _ = troubles.recurrence_grad(w, 2.0, np.zeros(T), target=1.0)
            assert dw == pytest.approx((w ** T * 2.0 - 1.0) * T * w ** (T - 1) * 2.0, rel=1e-12)
    grow = [troubles.recurrence_grad(1.2, 1.0, np.zeros(T), 0.0)[1] for T in (10, 20, 40)]
    fade = [troubles.recurrence_grad(0.8, 1.0, np.zeros(T), 0.0)[1] for T in (10, 20, 40)]
    assert grow[0] < grow[1] < grow[2] and fade[0] > fade[1] > fade[2]


def test_recurrence_broadcasts_over_a_grid():
    W, H0 = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(0, 2, 3))
    hs = troubles.recurrence(W, H0, np.ones(5))
    assert hs.shape == (6, 3, 4)
    assert hs[-1][1, 2] == pytest.approx(closed_form_hT(W[1, 2], H0[1, 2], np.ones(5)))


def test_recurrence_surface_formula_gradient_hessian():
    T, y = 12, 2.0
    s = troubles.recurrence_surface(T=T, target=y)

    def f_ref(p):
        w, b = p
        return 0.5 * (closed_form_hT(w, 1.0, np.full(T, b)) - y) ** 2

    rng = np.random.default_rng(4)
    for p in rng.uniform([-1.2, -1.0], [1.2, 1.0], (8, 2)):
        assert float(s.f(p)) == pytest.approx(f_ref(p), rel=1e-10, abs=1e-12)
        np.testing.assert_allclose(s.grad(p), central_diff(f_ref, p), rtol=1e-5, atol=1e-6)
        H_fd = np.column_stack([central_diff(lambda q, j=j: s.grad(q)[j], p) for j in range(2)])
        np.testing.assert_allclose(s.hess(p), H_fd, rtol=1e-5, atol=1e-5)
    # the fast path for one point and the vectorized path agree
    P = rng.uniform(-1.2, 1.2, (2, 5, 3))
    np.testing.assert_allclose(s.f(P)[2, 1], s.f(P[:, 2, 1]), rtol=1e-13)
    np.testing.assert_allclose(s.grad(P)[:, 4, 0], s.grad(P[:, 4, 0]), rtol=1e-13)
    assert s.hess(P).shape == (2, 2, 5, 3)


def test_recurrence_surface_has_a_wall():
    s = troubles.recurrence_surface()
    valley, wall = np.array([0.3, 0.5]), np.array(s.start)
    assert np.linalg.norm(s.grad(wall)) > 1000 * np.linalg.norm(s.grad(valley))
    assert not np.all(np.isfinite(s.grad(np.array([1e20, 1.0]))))       # overflow: inf, not an exception


# --- regularized regression -------------------------------------------------------------

@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_regularized_gradient_matches_finite_differences(penalty):
    rng = np.random.default_rng(5)
    X, y = poly_features(rng.uniform(-1, 1, 15), 4), rng.standard_normal(15)
    w = rng.standard_normal(5) + 0.5 * np.sign(rng.standard_normal(5))    # away from the kink at 0
    g = troubles.regularized_grad(w, X, y, 0.3, penalty)
    fd = central_diff(lambda v: troubles.regularized_loss(v, X, y, 0.3, penalty), w)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def test_penalty_spares_the_intercept():
    X, y = np.ones((3, 2)), np.zeros(3)
    w = np.array([5.0, 0.0])
    assert troubles.regularized_loss(w, X, y, 10.0) == pytest.approx(0.5 * 25)
    assert troubles.regularized_grad(w, X, y, 10.0, "l1")[0] == pytest.approx(5.0)


def test_ridge_gradient_descent_reaches_the_normal_equations():
    rng = np.random.default_rng(6)
    t = rng.uniform(-1, 1, 25)
    X, y = poly_features(t, 5), np.sin(3 * t) + 0.1 * rng.standard_normal(25)
    lam = 0.05
    P = np.diag([0.0] + [1.0] * 5)
    exact = np.linalg.solve(X.T @ X / 25 + lam * P, X.T @ y / 25)
    L = np.linalg.eigvalsh(X.T @ X / 25 + lam * P).max()
    h = troubles.fit_regularized(X, y, lam, lr=1 / L, epochs=20_000)
    np.testing.assert_allclose(h.ws[-1], exact, atol=1e-8)
    assert h.ws.shape == (20_001, 6) and h.val_loss is None
    assert h.train_loss[-1] == pytest.approx(0.5 * np.mean((X @ exact - y) ** 2), rel=1e-8)


def test_lasso_proximal_satisfies_the_optimality_conditions():
    rng = np.random.default_rng(7)
    t = rng.uniform(-1, 1, 30)
    X, y = poly_features(t, 6), t - 2 * t ** 3 + 0.05 * rng.standard_normal(30)
    lam = 0.02
    L = np.linalg.eigvalsh(X.T @ X / 30).max()
    w = troubles.fit_regularized(X, y, lam, penalty="l1", method="proximal", lr=1 / L, epochs=100_000).ws[-1]
    g = X.T @ (X @ w - y) / 30                     # gradient of the squared error
    assert abs(g[0]) < 1e-6                        # the intercept is free
    nz = w[1:] != 0
    assert nz.any() and (~nz).any()                # some zeros, some not: a sparse fit
    np.testing.assert_allclose(g[1:][nz], -lam * np.sign(w[1:][nz]), atol=1e-6)
    assert np.all(np.abs(g[1:][~nz]) <= lam + 1e-6)


def test_soft_threshold_and_validation_history():
    np.testing.assert_array_equal(troubles.soft_threshold(np.array([-3.0, -1.0, 0.5, 2.0]), 1.0), [-2.0, 0.0, 0.0, 1.0])
    X = poly_features(np.linspace(-1, 1, 10), 2)
    Xv = poly_features(np.array([0.0, 0.5]), 2)
    h = troubles.fit_regularized(X, np.ones(10), 0.1, lr=0.5, epochs=3, X_val=Xv, y_val=np.array([1.0, 2.0]))
    for k in range(4):
        assert h.val_loss[k] == pytest.approx(0.5 * np.mean((Xv @ h.ws[k] - [1.0, 2.0]) ** 2))
    with pytest.raises(ValueError, match="give both X_val and y_val"):
        troubles.fit_regularized(X, np.ones(10), X_val=Xv)
    with pytest.raises(ValueError, match="method='proximal' is for penalty='l1'"):
        troubles.fit_regularized(X, np.ones(10), method="proximal")
    with pytest.raises(ValueError, match="lam must be >= 0"):
        troubles.regularized_loss(np.zeros(3), X, np.ones(10), -1.0)
    with pytest.raises(ValueError, match="penalty must be one of"):
        troubles.regularized_grad(np.zeros(3), X, np.ones(10), 1.0, "l0")


# --- early stopping and divergence ------------------------------------------------------

def early_stopping_reference(losses, patience):
    """Vectorized: best(e) = first argmin of losses[:e+1]; stop at the first e with e - best(e) >= patience."""
    losses = np.asarray(losses)
    running_min = np.minimum.accumulate(losses)
    best_at = np.array([int(np.argmax(losses[: e + 1] == running_min[e])) for e in range(len(losses))])
    waited = np.arange(len(losses)) - best_at
    hits = np.nonzero(waited >= patience)[0]
    stop = int(hits[0]) if hits.size else len(losses) - 1
    return int(best_at[stop]), stop


@settings(max_examples=100, deadline=None)
@given(losses=st.lists(st.integers(0, 6).map(float), min_size=1, max_size=30), patience=st.integers(1, 6))
def test_early_stopping_matches_the_definition(losses, patience):
    assert troubles.early_stopping(losses, patience) == early_stopping_reference(losses, patience)


def test_divergence_step():
    assert troubles.divergence_step([1.0, 2.0, 999.0, 1001.0]) == 3
    assert troubles.divergence_step([1.0, np.nan]) == 1
    assert troubles.divergence_step([0.0, 5.0, np.inf]) == 2          # a start of 0 has no scale
    assert troubles.divergence_step([3.0, 2.0, 1.0]) is None
    assert troubles.divergence_step([]) is None
    with pytest.raises(ValueError, match="factor must be > 0"):
        troubles.divergence_step([1.0], factor=0)
    with pytest.raises(ValueError, match="patience must be an integer >= 1"):
        troubles.early_stopping([1.0], patience=0)
