"""Latency of the optimizer race (chapter 06): ``race_step_update_ms`` and ``race_update_ms``.

``bench_step(quick) -> dict`` and ``bench_update(quick) -> dict`` are called by
``benchmarks/run.py``; the module also runs alone::

    python benchmarks/race_bench.py [--quick]

The race is the default one on Rosenbrock, with 200 steps (the size of the
other explorer benchmarks; the chapter's race has 300), four optimizers (SGD,
momentum, RMSprop, Adam) racing, the Agg backend.

race_step_update_ms
    What a Play frame (or moving the "step" slider) does: cut the four
    precomputed paths and loss curves at the step (``set_data``) and blit them
    onto the cached background. No run is recomputed.
race_update_ms
    Moving one optimizer's learning-rate slider (Adam's, over a log range that
    includes diverging values): recompute that optimizer's 200-step run with
    ``gdlearn.run.run``, then redraw as above. The other three runs are reused.

Baseline for both: what ``ipywidgets.interact`` with the inline backend does
per change — build the same figure from scratch (four runs, contours, paths,
loss curves) and save it as a PNG. Goal: one frame at 60 Hz, 16.7 ms.
"""
from __future__ import annotations

from _common import explorer_row, inline_baseline, main, png_bytes, time_calls, update_times

import numpy as np

STEPS = 200
RACERS = ("SGD", "momentum", "RMSprop", "Adam")
BASELINE = inline_baseline(" (4 runs)")


def _interact_inline_frame(lr_adam: float, step: int) -> bytes:
    """What `interact` + the inline backend does per change: four runs, a new figure, a PNG."""
    import matplotlib.pyplot as plt

    from gdlearn import plotting, style
    from gdlearn.run import run
    from gdlearn.surfaces import rosenbrock
    from gdlearn.widgets.race import RACE_OPTIMIZERS, default_lr

    fig, (ax, lax) = plt.subplots(1, 2, figsize=(10, 4.3), layout="constrained")
    plotting.plot_contours(rosenbrock, ax=ax)
    traces = {}
    for name in RACERS:
        lr = lr_adam if name == "Adam" else default_lr("rosenbrock", name)
        traces[name] = run(RACE_OPTIMIZERS[name](lr), rosenbrock, rosenbrock.start, STEPS)
        plotting.plot_path(traces[name].xs[: step + 1], ax=ax, label=name, color=style.color_for(name))
    plotting.plot_loss([t.fs[: step + 1] for t in traces.values()], ax=lax, f_star=0.0, labels=list(traces))
    return png_bytes(fig)


def _baseline(quick: bool) -> list[float]:
    n = 4 if quick else 12
    return time_calls(_interact_inline_frame, [(float(lr), int(step)) for lr, step in
                                               zip(np.logspace(-2, 0, n), np.linspace(20, STEPS, n).astype(int))])


def _race():
    from gdlearn.widgets.race import optimizer_race

    race = optimizer_race("rosenbrock", steps=STEPS)
    assert race.values["optimizers"] == RACERS
    race.update(step=STEPS // 2)     # settle: the first blit after the full draw
    race.update(step=STEPS)
    return race


def bench_step(quick: bool = False) -> dict:
    """Median time of a step change (a Play frame) with four precomputed runs (ms)."""
    race = _race()
    n = 60 if quick else 300
    draws = [0]
    race.fig.canvas.mpl_connect("draw_event", lambda e: draws.__setitem__(0, draws[0] + 1))
    times = update_times(race, "step", [int(k) for k in np.linspace(0, STEPS, n)])
    full_draws = draws[0]
    race.close()
    return explorer_row("race_step_update_ms", times, _baseline(quick), quick, baseline=BASELINE,
                        steps=STEPS, racers=len(RACERS), full_draws=full_draws)


def bench_update(quick: bool = False) -> dict:
    """Median time of a learning-rate change: one 200-step run recomputed and redrawn (ms)."""
    race = _race()
    n = 30 if quick else 150
    times = update_times(race, "lr_adam", [float(v) for v in np.logspace(-2, 0.5, n)])  # up to 3.2: some diverge
    race.close()
    return explorer_row("race_update_ms", times, _baseline(quick), quick, baseline=BASELINE,
                        steps=STEPS, racers=len(RACERS))


if __name__ == "__main__":
    main(bench_step, bench_update)
