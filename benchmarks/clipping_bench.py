"""Slider latency of the clipping explorer (chapter 07): ``clipping_explorer_update_ms``.

``bench(quick) -> dict`` is called by ``benchmarks/run.py``; it also runs alone::

    python benchmarks/clipping_bench.py [--quick]

The measured change is what a student does: move the "learning rate" slider
and the "threshold c" slider on a 200-step run on the recurrence loss (T = 20),
clipping by global norm and by value, with the Agg backend. Each change
recomputes the clipped run, moves the artists (path, loss, raw and clipped
gradient norms, threshold) and blits them onto the cached contour background.
Baseline: what ``ipywidgets.interact`` with the inline backend does per change
— build the same figure from scratch (contours, valley floor, the run through
``gdlearn.run.run(chain(clip, sgd))``) and save it as a PNG. Goal: one frame at
60 Hz, 16.7 ms.
"""
from __future__ import annotations

import statistics

from _common import explorer_row, inline_baseline, main, png_bytes, time_calls, update_times

import numpy as np

NAME = "clipping_explorer_update_ms"
STEPS = 200


def _interact_inline_frame(clip: str, threshold: float, lr: float) -> bytes:
    """What `interact` + the inline backend does per change: a new figure, saved as PNG."""
    import matplotlib.pyplot as plt

    from gdlearn import plotting
    from gdlearn.optim import chain, clip_by_global_norm, clip_by_value, sgd
    from gdlearn.run import run
    from gdlearn.troubles import recurrence, recurrence_surface

    s = recurrence_surface()
    block = {"by global norm": clip_by_global_norm, "by value": clip_by_value}[clip]
    trace = run(chain(block(threshold), sgd(lr=lr)), s, s.start, STEPS, tol=0.0)
    fig, (ax, lax) = plt.subplots(1, 2, figsize=(10, 4.4), layout="constrained")
    plotting.plot_contours(s, ax=ax, levels=np.geomspace(1e-2, 1e8, 21), mark_minima=False)
    W, B, _ = plotting.surface_grid(s, 300)
    ax.contour(W, B, recurrence(W, 1.0, np.broadcast_to(B, (20,) + B.shape))[-1] - 3.0, levels=[0.0])
    plotting.plot_path(trace, ax=ax, label="gradient descent")
    plotting.plot_loss(trace, ax=lax)
    lax.semilogy(trace.grad_norms)
    return png_bytes(fig)


def bench(quick: bool = False) -> dict:
    """Median update time of the clipping explorer over learning-rate and threshold sweeps (ms)."""
    from gdlearn.widgets.clipping import clipping_explorer

    ex = clipping_explorer(steps=STEPS)
    ex.update(lr=0.01)  # settle the first full draw
    n = 30 if quick else 150
    lr_times = update_times(ex, "lr", [float(v) for v in np.logspace(-3, -1, n)])
    ex.update(clip="by value", lr=0.02)
    threshold_times = update_times(ex, "threshold", [float(v) for v in np.logspace(-1, 2, n)])
    ex.close()
    base_n = 4 if quick else 12
    base = time_calls(_interact_inline_frame, [("by global norm" if i % 2 else "by value", 1.0, float(lr))
                                               for i, lr in enumerate(np.logspace(-3, -1, base_n))])
    return explorer_row(NAME, lr_times + threshold_times, base, quick,
                        baseline=inline_baseline(" (contours, run)"),
                        lr_median=round(1e3 * statistics.median(lr_times), 2),
                        threshold_median=round(1e3 * statistics.median(threshold_times), 2),
                        steps=STEPS)


if __name__ == "__main__":
    main(bench)
