"""Speed of gdlearn's Adam (chapter 06): ``adam_2d_1000_steps_ms`` and ``adam_step_1e7_ms``.

``bench_adam_2d(quick) -> dict`` and ``bench_adam_1e7(quick) -> dict`` are called by
``benchmarks/run.py``; the file also runs alone::

    python benchmarks/adam_bench.py [--quick]

adam_2d_1000_steps_ms
    1000 Adam steps (lr 1e-3, torch's defaults otherwise) on Rosenbrock from
    its classic start through ``gdlearn.run.run`` (which also records every
    iterate, f and the gradient norm, and checks for divergence), median of
    several runs. Baseline: the hand-written numpy loop a student would write,
    recording the path and the loss. Also measured: ``torch.optim.Adam`` on a
    float64 tensor with autograd, recording the same (``torch_ms``), and
    ``torch.optim.Adam`` fed the numpy gradient without autograd
    (``torch_numpy_grad_ms``: the optimizer's own per-step cost). Goals:
    at most 1.5x the hand-written loop, at least 20x faster than torch.
adam_step_1e7_ms
    One Adam update of 10^7 float64 parameters: ``opt.update`` plus
    ``apply_updates`` (both pure: new arrays for the state, the updates and the
    parameters), median of several. Baseline: ``torch.optim.Adam(foreach=True)``
    ``.step()`` on the same size in float64 (in place). Goal: no slower than torch.

The rounds interleave the contenders, so a machine that gets busier halfway
through slows them all alike; every row records the load average.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time

from _common import ROOT  # noqa: F401  (puts the working tree first on sys.path)

import numpy as np  # noqa: E402

STEPS = 1000
LR = 1e-3
N_BIG = 10**7


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ---------------------------------------------------------------- 1000 steps in 2-D
def _numpy_loop(f, grad, x0, steps=STEPS, lr=LR, beta1=0.9, beta2=0.999, eps=1e-8):
    """The hand-written loop: Adam's equations in numpy, recording the path and the loss."""
    x = np.array(x0, dtype=float)
    m, v = np.zeros_like(x), np.zeros_like(x)
    xs, fs = [x], [float(f(x))]
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = x - lr / (1 - beta1 ** t) * m / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)
        xs.append(x)
        fs.append(float(f(x)))
    return np.array(xs), np.array(fs)


def _torch_loop(torch, x0, steps=STEPS, lr=LR):
    """torch.optim.Adam with autograd on a float64 tensor, recording the path and the loss."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=lr)
    xs, fs = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        xs.append(x.detach().clone())
        fs.append(loss.item())
        opt.step()
    xs.append(x.detach().clone())
    return torch.stack(xs).numpy(), np.array(fs)


def _torch_loop_numpy_grad(torch, grad, x0, steps=STEPS, lr=LR):
    """torch.optim.Adam fed the numpy gradient (no autograd): the optimizer's own cost."""
    x = torch.tensor(x0, dtype=torch.float64)
    x.grad = torch.zeros_like(x)
    opt = torch.optim.Adam([x], lr=lr)
    xs = [x.clone()]
    for _ in range(steps):
        x.grad.copy_(torch.from_numpy(grad(x.numpy())))
        opt.step()
        xs.append(x.clone())
    return torch.stack(xs).numpy()


def bench_adam_2d(quick: bool = False) -> dict:
    """1000 Adam steps on Rosenbrock through gdlearn.run.run, against a numpy loop and torch."""
    from gdlearn.optim import adam
    from gdlearn.run import run
    from gdlearn.surfaces import rosenbrock

    torch = _torch()
    x0 = np.array(rosenbrock.start, dtype=float)
    # the three must agree, or the comparison means nothing
    trace = run(adam(lr=LR), rosenbrock, x0, STEPS, tol=0)
    loop_xs, _ = _numpy_loop(rosenbrock.f, rosenbrock.grad, x0)
    np.testing.assert_allclose(trace.xs, loop_xs, rtol=1e-12, atol=1e-14)
    if torch is not None:
        torch.set_num_threads(1)      # two numbers: threads only add overhead here
        np.testing.assert_allclose(trace.xs, _torch_loop(torch, x0)[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(trace.xs, _torch_loop_numpy_grad(torch, rosenbrock.grad, x0),
                                   rtol=1e-10, atol=1e-12)

    rounds = 5 if quick else 15
    times: dict[str, list[float]] = {"gdlearn": [], "numpy": [], "torch": [], "torch_step": []}
    contenders = {
        "gdlearn": lambda: run(adam(lr=LR), rosenbrock, x0, STEPS, tol=0),
        "numpy": lambda: _numpy_loop(rosenbrock.f, rosenbrock.grad, x0),
    }
    if torch is not None:
        contenders["torch"] = lambda: _torch_loop(torch, x0)
        contenders["torch_step"] = lambda: _torch_loop_numpy_grad(torch, rosenbrock.grad, x0)
    for _ in range(rounds):
        for name, fn in contenders.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    value = 1e3 * statistics.median(times["gdlearn"])
    loop = 1e3 * statistics.median(times["numpy"])
    row = {
        "name": "adam_2d_1000_steps_ms", "value": round(value, 2), "unit": "ms",
        "baseline": "hand-written numpy Adam loop recording path and loss",
        "baseline_value": round(loop, 2), "goal": round(1.5 * loop, 2),
        "ratio_vs_loop": round(value / loop, 2),
        "min_ms": round(1e3 * min(times["gdlearn"]), 2), "baseline_min_ms": round(1e3 * min(times["numpy"]), 2),
        "per_step_us": round(value, 2),      # 1000 steps: ms per run = us per step
        "steps": STEPS, "n": rounds, "quick": quick, "load": round(os.getloadavg()[0], 2),
    }
    if torch is not None:
        torch_ms = 1e3 * statistics.median(times["torch"])
        step_ms = 1e3 * statistics.median(times["torch_step"])
        row.update(torch_ms=round(torch_ms, 1), speedup_vs_torch=round(torch_ms / value, 1),
                   goal_speedup_vs_torch=20.0,
                   torch_numpy_grad_ms=round(step_ms, 1),
                   speedup_vs_torch_numpy_grad=round(step_ms / value, 1),
                   torch_version=torch.__version__)
    return row


# ---------------------------------------------------------------- one step of 10^7 parameters
def bench_adam_1e7(quick: bool = False) -> dict:
    """One pure Adam update (update + apply_updates) of 10^7 float64 parameters, against torch."""
    from gdlearn.optim import adam, apply_updates

    torch = _torch()
    rng = np.random.default_rng(0)
    params, grads = rng.standard_normal(N_BIG), rng.standard_normal(N_BIG)
    opt = adam(lr=LR)
    state = opt.init(params)
    _, state = opt.update(rng.standard_normal(N_BIG), state, params)      # moments that are not 0
    check = (params[::99_991].copy(), grads[::99_991].copy(), state[1].mu[::99_991].copy())

    def ours():
        updates, _ = opt.update(grads, state, params)
        apply_updates(params, updates)

    def ours_update_only():
        opt.update(grads, state, params)

    contenders = {"gdlearn": ours, "gdlearn_update_only": ours_update_only}
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
        tensors = {}
        for foreach in (True, False):
            x = torch.tensor(params, dtype=torch.float64)
            x.grad = torch.tensor(grads, dtype=torch.float64)
            t_opt = torch.optim.Adam([x], lr=LR, foreach=foreach)
            t_opt.step()
            tensors[foreach] = (x, t_opt)
        contenders["torch_foreach"] = tensors[True][1].step
        if not quick:
            contenders["torch_single"] = tensors[False][1].step
        # the same step on both sides from the same state
        x = torch.tensor(params, dtype=torch.float64)
        x.grad = torch.tensor(grads, dtype=torch.float64)
        t_opt = torch.optim.Adam([x], lr=LR, foreach=True)
        t_opt.step()
        updates, _ = opt.update(grads, opt.init(params), params)
        np.testing.assert_allclose(apply_updates(params, updates), x.numpy(), rtol=1e-13, atol=1e-15)
        del x, t_opt, updates

    rounds = 4 if quick else 11
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            gc.collect()
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    # the update is pure: nothing the caller holds has changed
    assert all(np.array_equal(a, b) for a, b in zip(check, (params[::99_991], grads[::99_991],
                                                             state[1].mu[::99_991])))
    ms = {name: 1e3 * statistics.median(t) for name, t in times.items()}
    row = {
        "name": "adam_step_1e7_ms", "value": round(ms["gdlearn"], 1), "unit": "ms",
        "update_only_ms": round(ms["gdlearn_update_only"], 1),
        "params": N_BIG, "n": rounds, "quick": quick, "load": round(os.getloadavg()[0], 2),
    }
    if torch is not None:
        row.update(baseline="torch.optim.Adam(foreach=True).step(), float64, in place",
                   baseline_value=round(ms["torch_foreach"], 1), goal=round(ms["torch_foreach"], 1),
                   speedup=round(ms["torch_foreach"] / ms["gdlearn"], 2),
                   torch_threads=torch.get_num_threads())
        if "torch_single" in ms:
            row["torch_single_tensor_ms"] = round(ms["torch_single"], 1)
    return row


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    print(json.dumps(bench_adam_2d(quick)))
    print(json.dumps(bench_adam_1e7(quick)))
