"""Second-order methods (chapter 08): ``newton_explorer_update_ms`` and ``bfgs_vs_scipy``.

``bench(quick) -> list of dict`` is called by ``benchmarks/run.py``; it also runs alone::

    python benchmarks/second_order_bench.py [--quick]

newton_explorer_update_ms
    Median time of ``newton_explorer(...).update(step=k)`` as a student drags the
    "step k" slider (or presses Play) on Rosenbrock with the Agg backend: move the
    paths and the error curves, recompute the quadratic model's contour lines at
    the new Newton iterate and blit onto the cached contour background. A second
    median covers changes of the start slider (both runs recomputed). Baseline:
    what ``ipywidgets.interact`` with the inline backend does per change — build
    the same figure from scratch (contours, both runs, the model) and save a PNG.
    Goal: one frame at 60 Hz, 16.7 ms.
bfgs_vs_scipy
    ``gdlearn.second_order.bfgs`` and ``lbfgs`` against ``scipy.optimize.minimize``
    (BFGS, L-BFGS-B) on Rosenbrock from (-1.2, 1): ``value`` is the ratio of
    iterations ours/scipy for BFGS (goal: at most 2); the row also reports the
    L-BFGS ratio, function-evaluation counts, and the median wall-clock of each
    (both pure Python loops around numpy; scipy's line search is compiled).
"""
from __future__ import annotations

import os
import statistics
import time

from _common import explorer_row, inline_baseline, main, png_bytes, time_calls, update_times

import numpy as np

NAMES = ("newton_explorer_update_ms", "bfgs_vs_scipy")
STEPS = 40


def _interact_inline_frame(x0: float, y0: float, k: int) -> bytes:
    """What `interact` + the inline backend does per change: a new figure, saved as PNG."""
    import matplotlib.pyplot as plt

    from gdlearn import plotting
    from gdlearn.optim import sgd
    from gdlearn.run import run
    from gdlearn.second_order import newton
    from gdlearn.surfaces import rosenbrock
    from gdlearn.widgets.newton import taylor_model_lines

    fig, (ax, lax) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    plotting.plot_contours(rosenbrock, ax=ax)
    nt = newton(rosenbrock, [x0, y0], tol=1e-10, max_iter=STEPS)
    gd = run(sgd(lr=1e-3), rosenbrock, [x0, y0], STEPS)
    kn = min(k, nt.steps)
    plotting.plot_path(nt.xs[: kn + 1], ax=ax, label="newton")
    plotting.plot_path(gd.xs[: k + 1], ax=ax, label="gd")
    lines, center, _ = taylor_model_lines(rosenbrock, nt.xs[kn])
    ax.plot(lines[:, 0], lines[:, 1], "--")
    plotting.plot_loss({"newton": nt.fs[: kn + 1], "gd": gd.fs[: k + 1]}, ax=lax, f_star=0.0)
    return png_bytes(fig)


def bench_explorer(quick: bool = False) -> dict:
    """Median update time of the Newton explorer over step-slider and start-slider sweeps (ms)."""
    from gdlearn.widgets.newton import newton_explorer

    ex = newton_explorer(surfaces="rosenbrock", steps=STEPS)
    ex.update(step=1)
    n = 40 if quick else 200
    step_times = update_times(ex, "step", [int(k) for k in np.resize(np.arange(STEPS + 1), n)])
    ex.update(step=5)
    start_times = update_times(ex, "x0", [float(v) for v in np.linspace(-1.9, 1.9, n // 2)])
    ex.close()
    base = time_calls(_interact_inline_frame, [(-1.2 + 0.05 * i, 1.0, 5) for i in range(4 if quick else 12)])
    return explorer_row(NAMES[0], step_times, base, quick,
                        baseline=inline_baseline(" (both runs, the model)"),
                        start_slider_median=round(1e3 * statistics.median(start_times), 2),
                        n_start=len(start_times), steps=STEPS)


def _median_s(f, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_bfgs(quick: bool = False) -> dict:
    """Iterations, evaluations and wall-clock of our BFGS / L-BFGS against scipy on Rosenbrock."""
    from scipy.optimize import minimize, rosen, rosen_der

    from gdlearn.second_order import bfgs, lbfgs
    from gdlearn.surfaces import rosenbrock

    x0 = [-1.2, 1.0]
    ours_b, ours_l = bfgs(rosenbrock, x0), lbfgs(rosenbrock, x0)
    ref_b = minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-8})
    ref_l = minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-15})
    for trace, ref in ((ours_b, ref_b), (ours_l, ref_l)):
        assert trace.status == "converged" and np.allclose(trace.x, 1.0, atol=1e-6)
        assert np.allclose(ref.x, 1.0, atol=1e-6)
    repeats = 5 if quick else 30
    times = {
        "ours_bfgs_ms": _median_s(lambda: bfgs(rosenbrock, x0), repeats),
        "scipy_bfgs_ms": _median_s(lambda: minimize(rosen, x0, jac=rosen_der, method="BFGS",
                                                    options={"gtol": 1e-8}), repeats),
        "ours_lbfgs_ms": _median_s(lambda: lbfgs(rosenbrock, x0), repeats),
        "scipy_lbfgsb_ms": _median_s(lambda: minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B",
                                                      options={"gtol": 1e-10, "ftol": 1e-15}), repeats),
    }
    ratio = ours_b.steps / ref_b.nit
    return {
        "name": NAMES[1], "value": round(ratio, 2), "unit": "iterations ours/scipy (BFGS)",
        "baseline": "scipy.optimize.minimize(method='BFGS', gtol=1e-8) on Rosenbrock from (-1.2, 1)",
        "baseline_value": int(ref_b.nit), "goal": 2.0,
        "ours_bfgs_iterations": ours_b.steps, "scipy_bfgs_iterations": int(ref_b.nit),
        "ours_bfgs_nfev": ours_b.n_f, "scipy_bfgs_nfev": int(ref_b.nfev),
        "ours_lbfgs_iterations": ours_l.steps, "scipy_lbfgsb_iterations": int(ref_l.nit),
        "lbfgs_ratio": round(ours_l.steps / ref_l.nit, 2),
        "ours_lbfgs_nfev": ours_l.n_f, "scipy_lbfgsb_nfev": int(ref_l.nfev),
        **{k: round(1e3 * v, 3) for k, v in times.items()},
        "n": repeats, "quick": quick, "load": round(os.getloadavg()[0], 2),
    }


def bench(quick: bool = False) -> list[dict]:
    """Both rows."""
    return [bench_explorer(quick), bench_bfgs(quick)]


if __name__ == "__main__":
    main(bench)
