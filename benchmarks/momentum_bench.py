"""Slider latency of the momentum explorer (chapter 05): ``momentum_explorer_update_ms``.

``bench(quick) -> dict`` is called by ``benchmarks/run.py``; it also runs alone::

    python benchmarks/momentum_bench.py [--quick]

The measured change is what a student does: move the "momentum β" slider
(and, in the second half of the sample, the "step size α" slider) on a
200-step Rosenbrock run with the Agg backend. Each change recomputes the
momentum run, moves the artists and blits them onto the cached contour
background. A β change reuses the cached plain-GD comparison run; an α change
recomputes it too (two runs), so both medians are reported. Baseline: what
``ipywidgets.interact`` with the inline backend does per change — build the
same figure from scratch (both runs) and save it as a PNG. Goal: one frame at
60 Hz, 16.7 ms.
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

NAME = "momentum_explorer_update_ms"
STEPS = 200


def _interact_inline_frame(lr: float, beta: float) -> bytes:
    """What `interact` + the inline backend does per change: a new figure, saved as PNG."""
    import matplotlib.pyplot as plt

    from gdlearn import plotting
    from gdlearn.optim import sgd
    from gdlearn.run import run
    from gdlearn.surfaces import rosenbrock

    fig, (ax, lax) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    plotting.plot_contours(rosenbrock, ax=ax)
    momentum = run(sgd(lr=lr, momentum=beta), rosenbrock, rosenbrock.start, STEPS)
    gd = run(sgd(lr=lr), rosenbrock, rosenbrock.start, STEPS)
    plotting.plot_path(gd, ax=ax, label="gd")
    plotting.plot_path(momentum, ax=ax, label="momentum")
    plotting.plot_loss({"gd": gd, "momentum": momentum}, ax=lax, f_star=0.0)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def bench(quick: bool = False) -> dict:
    """Median update time of the momentum explorer over β and α slider sweeps (ms)."""
    from gdlearn.widgets.momentum import momentum_explorer

    ex = momentum_explorer(surfaces="rosenbrock", lr=1e-3, momentum=0.9, steps=STEPS)
    for beta in (0.5, 0.9, 0.95):  # settle the loss axis range (a rare full redraw)
        ex.update(momentum=beta)
    n = 30 if quick else 150
    betas = [float(b) for b in np.linspace(0.0, 0.97, n)]
    lrs = [float(v) for v in np.logspace(-3.6, -2.9, n)]  # mostly stable, a few diverging runs

    def sweep(key: str, values: list[float]) -> list[float]:
        times = []
        for value in values:
            t = time.perf_counter()
            ex.update(**{key: value})
            times.append(time.perf_counter() - t)
        assert ex.error is None, ex.error
        return times

    beta_times = sweep("momentum", betas)
    ex.update(momentum=0.9)
    lr_times = sweep("lr", lrs)
    ex.close()
    base_n = 4 if quick else 12
    base = []
    for lr, beta in zip(np.logspace(-3.6, -2.9, base_n), np.linspace(0.5, 0.95, base_n)):
        t = time.perf_counter()
        _interact_inline_frame(float(lr), float(beta))
        base.append(time.perf_counter() - t)
    both = beta_times + lr_times
    value = 1e3 * statistics.median(both)
    baseline = 1e3 * statistics.median(base)
    return {
        "name": NAME, "value": round(value, 2), "unit": "ms",
        "baseline": "interact + inline: rebuild the figure (both runs) and savefig a PNG per change",
        "baseline_value": round(baseline, 1), "goal": 16.7,
        "speedup": round(baseline / value, 1),
        "beta_median": round(1e3 * statistics.median(beta_times), 2),
        "lr_median": round(1e3 * statistics.median(lr_times), 2),
        "p90": round(1e3 * float(np.percentile(both, 90)), 2),
        "n": len(both), "n_baseline": len(base), "steps": STEPS, "quick": quick,
        "load": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    print(json.dumps(bench("--quick" in sys.argv[1:])))
