"""Tests of gdlearn.normalization: batch and layer normalization.

References are independent of the code under test: central finite differences of
the forward pass, the defining formulas written out here, and torch.nn.BatchNorm1d /
torch.nn.LayerNorm when torch is importable.
"""
from __future__ import annotations

import numpy as np
import pytest

from gdlearn import troubles
from gdlearn.normalization import (batch_norm_backward, batch_norm_eval, batch_norm_forward, bn_chain_backprop,
                                   bn_chain_loss, init_bn_chain, layer_norm_backward, layer_norm_forward,
                                   update_running_stats)


def _numeric_grad(fun, x, h=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (fun(x + e) - fun(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("norm", ["batch", "layer"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_finite_differences(norm, seed):
    rng = np.random.default_rng(seed)
    n, d = 6, 4
    x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, d) + rng.normal(size=d)
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    R = rng.normal(size=(n, d))                 # loss = sum(R * y): dL/dy = R
    forward = batch_norm_forward if norm == "batch" else layer_norm_forward
    backward = batch_norm_backward if norm == "batch" else layer_norm_backward

    def loss(x_, g_=gamma, b_=beta):
        return float(np.sum(R * forward(x_, g_, b_)[0]))

    _, cache = forward(x, gamma, beta)
    dx, dgamma, dbeta = backward(R, cache)
    np.testing.assert_allclose(dx, _numeric_grad(loss, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dgamma, _numeric_grad(lambda g: loss(x, g_=g), gamma), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dbeta, _numeric_grad(lambda b: loss(x, b_=b), beta), rtol=1e-6, atol=1e-8)


def test_forward_by_the_definition():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 3)) * [1, 10, 100]
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    y, _ = batch_norm_forward(x, gamma, beta, eps=1e-5)
    mu = x.sum(axis=0) / 10
    var = ((x - mu) ** 2).sum(axis=0) / 10                  # the biased variance
    np.testing.assert_allclose(y, gamma * (x - mu) / np.sqrt(var + 1e-5) + beta, rtol=1e-12)
    z = (y - beta) / gamma
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=0), var / (var + 1e-5), rtol=1e-10)


def test_running_stats_and_eval_by_hand():
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]])
    mean, var = update_running_stats(np.zeros(2), np.ones(2), x, momentum=0.1)
    # batch mean (2, 2); unbiased variance (8 / 2, 6 / 2) = (4, 3)
    np.testing.assert_allclose(mean, [0.2, 0.2])
    np.testing.assert_allclose(var, [0.9 + 0.4, 0.9 + 0.3])
    y = batch_norm_eval(x[:1], np.ones(2), np.zeros(2), mean, var, eps=0.0)
    np.testing.assert_allclose(y, [[(0 - 0.2) / np.sqrt(1.3), (1 - 0.2) / np.sqrt(1.2)]])


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 samples"):
        batch_norm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="gamma"):
        batch_norm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="x must have shape"):
        batch_norm_forward(np.ones(4), np.ones(1), np.zeros(1))
    with pytest.raises(ValueError, match="momentum"):
        update_running_stats(np.zeros(1), np.ones(1), np.ones((3, 1)), momentum=2.0)
    with pytest.raises(ValueError, match="eps"):
        batch_norm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), eps=-1.0)
    with pytest.raises(ValueError, match="dy"):
        batch_norm_backward(np.ones((2, 2)), batch_norm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3))[1])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_bn_chain_backprop_matches_finite_differences(activation):
    rng = np.random.default_rng(4)
    params = init_bn_chain(4, 3, seed=1)
    params["gamma2"] = rng.uniform(0.5, 2, 3)
    params["beta3"] = rng.normal(size=3)
    X, Y = rng.normal(size=(7, 3)), rng.uniform(0, 1, (7, 3))
    grads = bn_chain_backprop(params, X, Y, activation)
    assert sorted(grads) == sorted(params)
    for key in ["W1", "W3", "gamma2", "beta3", "gamma4"]:
        def loss(v, key=key):
            return bn_chain_loss({**params, key: v}, X, Y, activation)
        np.testing.assert_allclose(grads[key], _numeric_grad(loss, params[key]), rtol=1e-5, atol=1e-10)


def test_init_bn_chain_has_the_weights_of_init_chain():
    a, b = init_bn_chain(3, 4, seed=5), troubles.init_chain(3, 4, seed=5)
    for layer in (1, 2, 3):
        np.testing.assert_array_equal(a[f"W{layer}"], b[f"W{layer}"])


# ---------------------------------------------------------------- against torch
def test_against_torch_batchnorm1d_and_layernorm():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    n, d = 8, 5
    bn = torch.nn.BatchNorm1d(d).double()                 # momentum 0.1, eps 1e-5 by default
    assert bn.momentum == 0.1 and bn.eps == 1e-5
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(rng.uniform(0.5, 2, d)))
        bn.bias.copy_(torch.tensor(rng.normal(size=d)))
    gamma, beta = bn.weight.detach().numpy().copy(), bn.bias.detach().numpy().copy()
    mean, var = np.zeros(d), np.ones(d)
    for step in range(3):                                 # three training batches
        x = rng.normal(size=(n, d)) * 3 + 1
        R = rng.normal(size=(n, d))
        xt = torch.tensor(x, requires_grad=True)
        bn.train()
        yt = bn(xt)
        (yt * torch.tensor(R)).sum().backward()
        y, cache = batch_norm_forward(x, gamma, beta)
        dx, dgamma, dbeta = batch_norm_backward(R, cache)
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), rtol=1e-10)
        bn.weight.grad = bn.bias.grad = None
        mean, var = update_running_stats(mean, var, x)
        np.testing.assert_allclose(mean, bn.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(var, bn.running_var.numpy(), rtol=1e-12)
    bn.eval()
    x = rng.normal(size=(3, d))
    np.testing.assert_allclose(batch_norm_eval(x, gamma, beta, mean, var), bn(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)

    ln = torch.nn.LayerNorm(d).double()
    xt = torch.tensor(rng.normal(size=(n, d)), requires_grad=True)
    R = rng.normal(size=(n, d))
    (ln(xt) * torch.tensor(R)).sum().backward()
    y, cache = layer_norm_forward(xt.detach().numpy(), np.ones(d), np.zeros(d))
    np.testing.assert_allclose(y, ln(xt).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer_norm_backward(R, cache)[0], xt.grad.numpy(), rtol=1e-8, atol=1e-12)
