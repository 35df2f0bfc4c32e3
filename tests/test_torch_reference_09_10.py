"""The PyTorch reference numbers stored in chapters 09 and 10, against live torch.

Chapters 09 and 10 compare gdlearn with PyTorch. Where torch is not installed (Binder,
a bare course environment) they compare with numbers stored in the notebook, printed
by the code shown there with torch 2.13. These tests keep those stored numbers honest:

* always: the stored numbers agree with gdlearn (so a chapter without torch passes
  for the right reason, and a change to gdlearn that breaks parity shows here);
* where torch is installed (the CI installs it): the stored numbers are what torch
  computes now, with the code the chapters print.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from gdlearn import data
from gdlearn.mlp import init_mlp, mlp_loss_and_grad
from gdlearn.optim import adam
from gdlearn.run import run
from gdlearn.surfaces import rosenbrock

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"


def _stored(chapter: str, name: str):
    """The literal assigned to `name` at the top level of a chapter's .py source."""
    tree = ast.parse((CHAPTERS / chapter).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {chapter}")


def _spirals_train():
    spirals = data.spirals(n=400, turns=1.0, noise=0.05, seed=0)
    rest, _ = data.train_val_split(spirals, 0.25, seed=1)
    train_set, _ = data.train_val_split(rest, 0.25, seed=2)
    return train_set.X, train_set.y


def _torch_mlp_reference(torch):
    """Chapter 09's printed code: loss and the first 3 entries of each gradient, 2-16-16-1 at seed 0."""
    X, y = _spirals_train()
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in init_mlp([2, 16, 16, 1], seed=0).items()}
    a = torch.tensor(X)
    for l in (1, 2, 3):
        a = a @ t[f"W{l}"] + t[f"b{l}"]
        if l < 3:
            a = torch.tanh(a)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(a[:, 0], torch.tensor(y))
    loss.backward()
    return {"loss": loss.item(), **{k: t[k].grad.numpy().ravel()[:3].tolist() for k in t}}


def _torch_adam_reference(torch, steps):
    """Chapter 10's printed code: torch.optim.Adam(lr=0.05) on Rosenbrock from (-1.2, 1)."""
    x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([x], lr=0.05)
    xs = [x.detach().numpy().copy()]
    for _ in range(200):
        optimizer.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        optimizer.step()
        xs.append(x.detach().numpy().copy())
    return np.array(xs)[steps]


def test_chapter09_stored_gradients_agree_with_gdlearn():
    stored = _stored("09_neural_network.py", "TORCH_REFERENCE")
    X, y = _spirals_train()
    loss, grads = mlp_loss_and_grad(init_mlp([2, 16, 16, 1], seed=0), X, y)
    assert sorted(stored) == sorted(["loss", *grads])
    assert np.isclose(loss, stored["loss"], rtol=1e-12)
    for k, g in grads.items():
        assert len(stored[k]) == min(3, g.size)
        np.testing.assert_allclose(g.ravel()[:3], stored[k], rtol=1e-10, atol=1e-15)


def test_chapter10_stored_adam_iterates_agree_with_gdlearn():
    steps, stored = _stored("10_beyond_gradient_descent.py", "TORCH_STEPS"), _stored(
        "10_beyond_gradient_descent.py", "TORCH_REFERENCE")
    assert len(steps) == len(stored) and max(steps) == 200
    ours = run(adam(lr=0.05), rosenbrock, [-1.2, 1.0], steps=200, tol=0).xs[steps]
    np.testing.assert_allclose(ours, stored, rtol=1e-12, atol=1e-12)


def test_chapter09_stored_gradients_are_torchs():
    torch = pytest.importorskip("torch")
    stored = _stored("09_neural_network.py", "TORCH_REFERENCE")
    live = _torch_mlp_reference(torch)
    assert sorted(live) == sorted(stored)
    for k in live:
        np.testing.assert_allclose(live[k], stored[k], rtol=1e-10, atol=1e-15, err_msg=k)


def test_chapter10_stored_adam_iterates_are_torchs():
    torch = pytest.importorskip("torch")
    steps, stored = _stored("10_beyond_gradient_descent.py", "TORCH_STEPS"), _stored(
        "10_beyond_gradient_descent.py", "TORCH_REFERENCE")
    np.testing.assert_allclose(_torch_adam_reference(torch, steps), stored, rtol=1e-12, atol=1e-12)
