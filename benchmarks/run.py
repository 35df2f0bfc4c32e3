"""Reproducible performance measurements of gdlearn (not timed tests).

Usage::

    python benchmarks/run.py            # every benchmark, full size
    python benchmarks/run.py --quick    # smaller samples; slow baselines extrapolated
    python benchmarks/run.py --only slider_update_ms --only import_gdlearn_ms
    python benchmarks/run.py --list

Each benchmark prints one JSON object per line::

    {"name": "slider_update_ms", "value": 6.1, "unit": "ms",
     "baseline": "...", "baseline_value": 412.0, "goal": 16.7, "speedup": 67.5, ...}

``value`` is what gdlearn achieves; ``baseline``/``baseline_value`` describe
and measure the naive way it replaces; ``goal`` (same unit, lower is better)
is the target where there is one. Every row also records the quick flag, the
sample size and the machine's load average, since timings on a busy machine
are not timings on an idle one.

The rows:

slider_update_ms
    Median of ``learning_rate_explorer(...).update(lr=...)`` over many learning
    rates, on a 200-step Rosenbrock run with the Agg backend: recompute the run,
    move the artists and render them (blitting onto the cached contour
    background). Baseline: what ``ipywidgets.interact`` with the inline backend
    does on each change — build the same figure from scratch and save it as a
    PNG. Goal: one frame at 60 Hz, 16.7 ms.
slider_frame_ms
    The same update on an ipympl canvas (no browser attached), including what
    ipympl does per change: encode the frame as a PNG for the browser (mostly
    "diff" frames; see Explorer._frame_kind in gdlearn/widgets/explorers.py).
    The latency a student sees, less the network and the browser's decoding.
slider_update_redraw_ms
    The same update followed by a full ``fig.canvas.draw()`` (no blitting):
    shows what the cached background saves.
run_many_s
    10,000 starts x 500 sgd steps on Rosenbrock with ``gdlearn.run.run_many``
    (one vectorized pass). Baseline: a Python loop of ``gdlearn.run.run`` over
    the starts (with ``--quick``, timed on a subset and extrapolated).
import_gdlearn_ms
    ``python -c "import gdlearn"`` in a fresh process, median of several runs.
    Baseline: ``python -c "pass"`` (the interpreter alone).

browser_<explorer>_ms, browser_interact_inline_ms
    What the learner feels: in JupyterLab and headless Chromium, a key press on
    an explorer's slider to the first painted frame of its new state (median,
    p90), and a 2 s drag (frames per second, values dropped); the baseline is
    ``interact`` + inline.  See benchmarks/browser_bench.py.

Add a benchmark by decorating a function ``f(quick: bool) -> dict`` with
``@benchmark("name")``; it returns the row without ``name``.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmark the working tree, installed or not
sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks kept in their own modules (EXTERNAL)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

BENCHMARKS: dict[str, Callable[[bool], dict]] = {}


def benchmark(name: str) -> Callable:
    """Register ``f(quick) -> row`` under `name` (rows print in registration order)."""
    def register(f: Callable[[bool], dict]) -> Callable[[bool], dict]:
        BENCHMARKS[name] = f
        return f
    return register


def _median_ms(f: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


# ---------------------------------------------------------------- slider latency
def _explorer():
    from gdlearn.widgets import learning_rate_explorer

    ex = learning_rate_explorer(surfaces="rosenbrock", lr=1e-3, steps=200)
    for lr in (1e-4, 1e-3, 3e-3):  # settle the loss axis range (a rare full redraw)
        ex.update(lr=lr)
    return ex


def _learning_rates(n: int) -> list[float]:
    # a slider sweep: converging, slow and diverging runs alike
    return [float(v) for v in np.logspace(-4.5, -2.0, n)]


def _interact_inline_frame(lr: float) -> bytes:
    """What `interact` + the inline backend does per change: a new figure, saved as PNG."""
    import matplotlib.pyplot as plt

    from gdlearn import plotting
    from gdlearn.optim import sgd
    from gdlearn.run import run
    from gdlearn.surfaces import rosenbrock

    fig, (ax, lax) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    plotting.plot_contours(rosenbrock, ax=ax)
    trace = run(sgd(lr=lr), rosenbrock, rosenbrock.start, 200)
    plotting.plot_path(trace, ax=ax, label="sgd")
    plotting.plot_loss(trace, ax=lax, f_star=0.0)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")  # the inline backend's default
    plt.close(fig)
    return buf.getvalue()


def _update_times(ex, lrs: list[float], then=None) -> list[float]:
    """Seconds of each ``ex.update(lr=...)`` (followed by ``then()``, if given)."""
    times = []
    for lr in lrs:
        t = time.perf_counter()
        ex.update(lr=lr)
        if then is not None:
            then()
        times.append(time.perf_counter() - t)
    assert ex.error is None, ex.error
    return times


@benchmark("slider_update_ms")
def slider_update(quick: bool) -> dict:
    ex = _explorer()
    lrs = _learning_rates(60 if quick else 300)
    times = _update_times(ex, lrs)
    ex.close()
    base_lrs = _learning_rates(5 if quick else 20)
    base = []
    for lr in base_lrs:
        t = time.perf_counter()
        _interact_inline_frame(lr)
        base.append(time.perf_counter() - t)
    value = 1e3 * statistics.median(times)
    baseline = 1e3 * statistics.median(base)
    return {
        "value": round(value, 2), "unit": "ms",
        "baseline": "interact + inline: rebuild the figure and savefig a PNG per change",
        "baseline_value": round(baseline, 1), "goal": 16.7,
        "speedup": round(baseline / value, 1),
        "p90": round(1e3 * float(np.percentile(times, 90)), 2),
        "n": len(lrs), "n_baseline": len(base_lrs),
    }


@benchmark("slider_update_redraw_ms")
def slider_update_redraw(quick: bool) -> dict:
    ex = _explorer()
    lrs = _learning_rates(20 if quick else 100)
    times = _update_times(ex, lrs, then=ex.fig.canvas.draw)
    ex.close()
    return {"value": round(1e3 * statistics.median(times), 2), "unit": "ms",
            "note": "update + full fig.canvas.draw() (Agg): the cost blitting avoids",
            "goal": 16.7, "n": len(lrs)}


@benchmark("slider_frame_ms")
def slider_frame(quick: bool) -> dict:
    """The update on a live ipympl canvas, including the PNG frame sent to the browser.

    The explorers encode their frames with ``gdlearn.widgets.frames`` (installed
    on a live canvas by ``Explorer._connect_canvas``); the baseline is the same
    sweep with matplotlib's own encoder (Pillow's default PNG settings), in the
    same run, interleaved so that both see the same load.
    """
    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager   # importing it switches pyplot to ipympl
    matplotlib.use(backend)
    from gdlearn.widgets import frames

    def live(fast: bool):
        ex = _explorer()
        canvas = Canvas(ex.fig)
        FigureManager(canvas, 0)
        if fast:
            assert frames.install(canvas)   # what Explorer._connect_canvas does on a live canvas
        sizes: list[int] = []
        canvas.send_binary = lambda data: sizes.append(len(data))   # no browser: keep the frame's size
        canvas.draw_idle = canvas.draw                               # a browser that asks at once
        canvas.draw()
        return ex, sizes

    (ours, our_sizes), (mpl, mpl_sizes) = live(True), live(False)
    lrs = _learning_rates(60 if quick else 300)
    times: list[float] = []
    base: list[float] = []
    for lr in lrs:
        times += _update_times(ours, [lr])
        base += _update_times(mpl, [lr])
    ours.close()
    mpl.close()
    value = 1e3 * statistics.median(times)
    return {"value": round(value, 2), "unit": "ms",
            "note": "slider_update_ms on an ipympl canvas: + encoding the PNG frame sent to the browser (a diff frame; every 10th and the keyframe after a burst are full)",
            "goal": 16.7, "p90": round(1e3 * float(np.percentile(times, 90)), 2),
            "frame_kb": round(statistics.median(our_sizes) / 1024, 1),
            "baseline": "the same on matplotlib's own PNG encoder (Pillow defaults)",
            "baseline_value": round(1e3 * statistics.median(base), 2),
            "baseline_p90": round(1e3 * float(np.percentile(base, 90)), 2),
            "baseline_frame_kb": round(statistics.median(mpl_sizes) / 1024, 1),
            "speedup": round(statistics.median(base) * 1e3 / value, 1), "n": len(lrs)}


# ---------------------------------------------------------------- run_many
@benchmark("run_many_s")
def run_many_vs_loop(quick: bool) -> dict:
    from gdlearn.optim import sgd
    from gdlearn.run import run, run_many
    from gdlearn.surfaces import rosenbrock

    n, steps, lr = 10_000, 500, 1e-3
    rng = np.random.default_rng(0)
    (a, b), (c, d) = rosenbrock.domain
    x0s = np.column_stack([rng.uniform(a, b, n), rng.uniform(c, d, n)])
    t = time.perf_counter()
    many = run_many(sgd(lr=lr), rosenbrock, x0s, steps)
    value = time.perf_counter() - t
    subset = 200 if quick else n
    t = time.perf_counter()
    finals = [run(sgd(lr=lr), rosenbrock, x0, steps).x for x0 in x0s[:subset]]
    loop = (time.perf_counter() - t) * n / subset
    # the two must agree, or the comparison means nothing
    ok = np.isfinite(many.x[:subset]).all(axis=1)
    np.testing.assert_allclose(many.x[:subset][ok], np.array(finals)[ok], rtol=1e-9, atol=1e-12)
    return {
        "value": round(value, 3), "unit": "s",
        "baseline": "Python loop of gdlearn.run.run over the starts"
                    + (f" (timed on {subset}, extrapolated)" if subset < n else ""),
        "baseline_value": round(loop, 2), "goal": 1.0,
        "speedup": round(loop / value, 1),
        "starts": n, "steps": steps, "optimizer": f"sgd(lr={lr})",
        "statuses": {s: int((many.status == s).sum()) for s in ("converged", "max_steps", "diverged")},
    }


# ---------------------------------------------------------------- import time
def _startup_ms(code: str, repeats: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", code]
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)  # warm the OS file cache and .pyc files
    return _median_ms(lambda: subprocess.run(cmd, check=True, env=env, cwd=ROOT), repeats)


@benchmark("import_gdlearn_ms")
def import_gdlearn(quick: bool) -> dict:
    repeats = 3 if quick else 9
    value = _startup_ms("import gdlearn", repeats)
    bare = _startup_ms("pass", repeats)
    return {"value": round(value, 1), "unit": "ms",
            "baseline": 'python -c "pass" (interpreter start-up alone)',
            "baseline_value": round(bare, 1), "import_only_ms": round(value - bare, 1),
            "n": repeats}


# ---------------------------------------------------------------- the other modules

# Benchmarks that live in their own module beside this file: (row name, module, function).
# Each function takes ``quick`` and returns the row (its own "name" is dropped).
EXTERNAL = [
    ("grade_throughput", "grade_bench", "bench_grade_throughput"),   # submissions/s, higher is better
    ("batch_size_explorer_update_ms", "batch_bench", "bench"),
    ("momentum_explorer_update_ms", "momentum_bench", "bench"),
    ("race_step_update_ms", "race_bench", "bench_step"),
    ("race_update_ms", "race_bench", "bench_update"),
    ("clipping_explorer_update_ms", "clipping_bench", "bench"),
    ("newton_explorer_update_ms", "second_order_bench", "bench_explorer"),
    ("bfgs_vs_scipy", "second_order_bench", "bench_bfgs"),
    ("adam_2d_1000_steps_ms", "adam_bench", "bench_adam_2d"),
    ("adam_step_1e7_ms", "adam_bench", "bench_adam_1e7"),
]


def _register_external(name: str, module: str, function: str) -> None:
    def run_external(quick: bool) -> dict:
        row = getattr(__import__(module), function)(quick)
        row.pop("name", None)
        return row

    run_external.__doc__ = f"See benchmarks/{module}.py."
    benchmark(name)(run_external)


for _row in EXTERNAL:
    _register_external(*_row)

# chapter_NN_s: the wall-clock time of executing each chapter notebook (benchmarks/chapter_bench.py)
import chapter_bench  # noqa: E402

for _chapter in chapter_bench.chapters():
    benchmark(chapter_bench.row_name(_chapter))(chapter_bench.bench_for(_chapter))


# browser_<explorer>_ms: a key press on a slider to the first painted frame, in JupyterLab and
# Chromium, and browser_interact_inline_ms, the baseline (benchmarks/browser_bench.py)
import browser_bench  # noqa: E402

for _name in [*browser_bench.EXPLORERS, browser_bench.BASELINE[0]]:
    benchmark(f"browser_{_name}_ms")(browser_bench.bench_for(_name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, extrapolated baselines")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only these (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the benchmark names")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    names = args.only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    for name in names:
        row = {"name": name, **BENCHMARKS[name](args.quick)}
        row.update(quick=args.quick, loadavg=[round(v, 2) for v in os.getloadavg()],
                   cpus=os.cpu_count())
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
