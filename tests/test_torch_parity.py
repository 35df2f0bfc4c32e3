"""gdlearn.optim.sgd and clip_by_global_norm against torch, step for step, in float64.

Both sides get the gradient of the same function at their own current
iterate (torch computes its own by autograd), so only the optimizers' arithmetic is
compared: the trajectories must agree to float64 round-off.
"""

import numpy as np
import pytest

from gdlearn.optim import apply_updates, chain, clip_by_global_norm, cosine_schedule, sgd, step_schedule

torch = pytest.importorskip("torch", reason="torch not installed: parity with torch.optim.SGD not checked")

STEPS = 50
X0 = np.array([-1.5, 2.0])


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def gdlearn_path(opt, grad_fn, x0, steps=STEPS):
    params, state, path = x0, opt.init(x0), []
    for _ in range(steps):
        updates, state = opt.update(grad_fn(params), state, params)
        params = apply_updates(params, updates)
        path.append(params)
    return np.array(path)


def torch_path(grad_fn, x0, schedule=None, steps=STEPS, clip=None, **hyper):
    """torch.optim.SGD; the lr is set from ``schedule(step)`` before each step when given."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], **hyper)
    path = []
    for step in range(steps):
        if schedule is not None:
            opt.param_groups[0]["lr"] = schedule(step)
        opt.zero_grad()
        grad_fn(x).backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([x], clip)
        opt.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


VARIANTS = {
    "plain": dict(lr=1e-3),
    "momentum": dict(lr=1e-3, momentum=0.9),
    "dampening": dict(lr=1e-3, momentum=0.9, dampening=0.1),
    "nesterov": dict(lr=1e-3, momentum=0.9, nesterov=True),
    "weight decay": dict(lr=1e-3, weight_decay=0.1),
    "everything": dict(lr=5e-4, momentum=0.8, nesterov=True, weight_decay=0.05),
}


def assert_same_path(ours, theirs):
    difference = np.max(np.abs(ours - theirs))
    assert np.all(np.isfinite(ours)) and np.abs(ours[-1] - X0).max() > 1e-3   # the run did move
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13,
                               err_msg=f"max |difference| = {difference:.3g}")


@pytest.mark.parametrize("name", VARIANTS)
def test_sgd_matches_torch_on_rosenbrock(name):
    hyper = VARIANTS[name]
    assert_same_path(gdlearn_path(sgd(**hyper), rosenbrock_grad, X0),
                     torch_path(rosenbrock, X0, **hyper))


@pytest.mark.parametrize("schedule", [step_schedule(2e-3, step_size=10, gamma=0.5),
                                      cosine_schedule(2e-3, total_steps=STEPS, min_lr=1e-4)],
                         ids=["step", "cosine"])
def test_sgd_with_schedule_matches_torch(schedule):
    ours = gdlearn_path(sgd(lr=schedule, momentum=0.9), rosenbrock_grad, X0)
    assert_same_path(ours, torch_path(rosenbrock, X0, schedule=schedule, lr=1.0, momentum=0.9))


def test_sgd_with_lambda_lr_matches_torch():
    # torch's own scheduler: LambdaLR multiplies the initial lr by lambda(epoch), epoch = 0 first.
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=1e-3, momentum=0.5)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1.0 / (1.0 + 0.2 * epoch))
    theirs = []
    for _ in range(STEPS):
        opt.zero_grad()
        rosenbrock(x).backward()
        opt.step()
        scheduler.step()
        theirs.append(x.detach().numpy().copy())
    ours = gdlearn_path(sgd(lr=lambda step: 1e-3 * (1.0 / (1.0 + 0.2 * step)), momentum=0.5),
                        rosenbrock_grad, X0)
    assert_same_path(ours, np.array(theirs))


def test_dict_params_match_torch_param_list():
    """Two parameter tensors (a tiny least-squares model) against a dict of two arrays."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    start = {"w": rng.normal(size=3), "b": np.array([0.5])}

    def grad(p):
        residual = X @ p["w"] + p["b"] - y
        return {"w": X.T @ residual / len(y), "b": np.array([residual.mean()])}

    hyper = dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01)
    params, opt = start, sgd(**hyper)
    state = opt.init(params)
    w = torch.tensor(start["w"], requires_grad=True)
    b = torch.tensor(start["b"], requires_grad=True)
    topt = torch.optim.SGD([w, b], **hyper)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(STEPS):
        updates, state = opt.update(grad(params), state, params)
        params = apply_updates(params, updates)
        topt.zero_grad()
        (0.5 * ((Xt @ w + b - yt) ** 2).mean()).backward()
        topt.step()
    np.testing.assert_allclose(params["w"], w.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(params["b"], b.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("max_norm", [0.1, 3.0, 1e6])
def test_clip_by_global_norm_matches_torch(max_norm):
    rng = np.random.default_rng(1)
    grads = {"w": rng.normal(size=(4, 3)), "b": rng.normal(size=3)}
    clip = clip_by_global_norm(max_norm)
    ours, _ = clip.update(grads, clip.init(grads))
    tensors = {k: torch.zeros(v.shape, dtype=torch.float64, requires_grad=True) for k, v in grads.items()}
    for k, t in tensors.items():
        t.grad = torch.from_numpy(grads[k].copy())
    norm = torch.nn.utils.clip_grad_norm_(list(tensors.values()), max_norm)
    assert float(norm) == pytest.approx(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())), rel=1e-14)
    for k, t in tensors.items():
        np.testing.assert_allclose(ours[k], t.grad.numpy(), rtol=1e-14)


def test_clipped_momentum_run_matches_torch():
    ours = gdlearn_path(chain(clip_by_global_norm(50.0), sgd(lr=1e-3, momentum=0.9)), rosenbrock_grad, X0)
    assert_same_path(ours, torch_path(rosenbrock, X0, clip=50.0, lr=1e-3, momentum=0.9))
