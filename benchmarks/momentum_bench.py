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

import statistics

from _common import explorer_row, inline_baseline, main, png_bytes, time_calls, update_times

import numpy as np

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
    return png_bytes(fig)


def bench(quick: bool = False) -> dict:
    """Median update time of the momentum explorer over β and α slider sweeps (ms)."""
    from gdlearn.widgets.momentum import momentum_explorer

    ex = momentum_explorer(surfaces="rosenbrock", lr=1e-3, momentum=0.9, steps=STEPS)
    for beta in (0.5, 0.9, 0.95):  # settle the loss axis range (a rare full redraw)
        ex.update(momentum=beta)
    n = 30 if quick else 150
    beta_times = update_times(ex, "momentum", [float(b) for b in np.linspace(0.0, 0.97, n)])
    ex.update(momentum=0.9)
    # mostly stable, a few diverging runs
    lr_times = update_times(ex, "lr", [float(v) for v in np.logspace(-3.6, -2.9, n)])
    ex.close()
    base_n = 4 if quick else 12
    base = time_calls(_interact_inline_frame, [(float(lr), float(beta)) for lr, beta in
                                               zip(np.logspace(-3.6, -2.9, base_n), np.linspace(0.5, 0.95, base_n))])
    return explorer_row(NAME, beta_times + lr_times, base, quick, baseline=inline_baseline(" (both runs)"),
                        beta_median=round(1e3 * statistics.median(beta_times), 2),
                        lr_median=round(1e3 * statistics.median(lr_times), 2), steps=STEPS)


if __name__ == "__main__":
    main(bench)
