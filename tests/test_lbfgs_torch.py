"""torch.optim.LBFGS against gdlearn: the two-loop recursion, and chapter 08's stored numbers.

Skipped when torch is not installed. Chapter 08 shows torch's L-BFGS numbers stored in
the notebook when torch is absent; here they are recomputed with live torch.
"""

import numpy as np
import pytest

from gdlearn.second_order import two_loop

torch = pytest.importorskip("torch", reason="torch not installed: parity with torch.optim.LBFGS not checked")

X0 = (-1.2, 1.0)
# chapter 08, TORCH_LBFGS_REFERENCE (torch 2.13, float64): final x, iterations, closure calls
CHAPTER_REFERENCE = {
    "strong_wolfe": ([0.9999999998806195, 0.9999999997461748], 37, 46),
    None: ([0.9999999999621547, 0.9999999999074909], 90, 91),
}


def rosenbrock_np(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def torch_lbfgs(line_search_fn, max_iter=200, history_size=10):
    p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=1, max_iter=max_iter, history_size=history_size, tolerance_grad=1e-8,
                            tolerance_change=1e-30, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    return p.detach().numpy().copy(), opt.state[p]["n_iter"], opt.state[p]["func_evals"]


@pytest.mark.parametrize("line_search_fn", ["strong_wolfe", None])
def test_chapter_08_stored_numbers_match_live_torch(line_search_fn):
    x_ref, it_ref, ev_ref = CHAPTER_REFERENCE[line_search_fn]
    x, n_iter, n_evals = torch_lbfgs(line_search_fn)
    assert np.allclose(x, x_ref, atol=1e-8)
    assert abs(n_iter - it_ref) <= 3 and abs(n_evals - ev_ref) <= 3


@pytest.mark.parametrize("history_size", [1, 3, 10])
def test_two_loop_gives_torch_lbfgs_directions(history_size):
    """Without a line search torch's iterates are x + lr * d, d = -(two-loop product), which we replay."""
    steps = 12
    x_torch = torch_lbfgs(None, max_iter=steps, history_size=history_size)[0]
    x = np.array(X0)
    g = rosenbrock_grad(x)
    S, Y, h0 = [], [], 1.0
    d = -g
    t = min(1.0, 1.0 / np.abs(g).sum())              # torch: the first step scaled by min(1, 1/|g|_1) * lr
    for k in range(steps):
        if k > 0:
            g_new = rosenbrock_grad(x)
            y, s = g_new - g, d * t
            if y @ s > 1e-10:                        # torch keeps a pair when y.s > 1e-10
                S.append(s)
                Y.append(y)
                if len(S) > history_size:
                    S.pop(0)
                    Y.pop(0)
                h0 = (y @ s) / (y @ y)                # H_diag = y.s / y.y
            g = g_new
            d = -two_loop(g, S, Y, h0=h0)
            t = 1.0
        x = x + t * d
    assert np.allclose(x, x_torch, rtol=1e-10, atol=1e-12)
