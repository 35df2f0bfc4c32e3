"""Slider latency of the batch-size explorer (chapter 04): ``batch_size_explorer_update_ms``.

``bench(quick)`` is called by ``benchmarks/run.py``; it also runs alone::

    python benchmarks/batch_bench.py [--quick]

The value is the median time of ``batch_size_explorer().update(batch_size=b)``
over a sweep of batch sizes 1..n (and a few learning rates) with the Agg
backend, at the default 5 epochs of the default data (n = 100): draw 200
mini-batch gradients, run mini-batch SGD (up to 500 steps at b = 1) and
full-batch gradient descent, move the artists and blit them onto the cached
contours. The baseline is what ``ipywidgets.interact`` with the inline backend
does on each change: build the figure from scratch and save it as a PNG.
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


def _changes(n: int, count: int) -> list[dict]:
    """A slider sweep: every batch size from 1 up (wrapping), with the learning rate moved now and then."""
    out = []
    for k in range(count):
        change = {"batch_size": 1 + (k * 7) % n}
        if k % 10 == 9:
            change["lr"] = float(np.logspace(-2, 0, 10)[k % 10])
        out.append(change)
    return out


def bench(quick: bool = False) -> dict:
    """Median ``update`` time of the batch-size explorer, against a rebuild + PNG per change."""
    import matplotlib.pyplot as plt

    from gdlearn.widgets.batch import batch_size_explorer

    ex = batch_size_explorer()
    lr0 = ex.values["lr"]
    changes = _changes(ex.n, 60 if quick else 300)
    times = []
    for change in changes:
        t = time.perf_counter()
        ex.update(**change)
        times.append(time.perf_counter() - t)
        assert ex.error is None, ex.error
    ex.update(batch_size=1, lr=lr0)
    worst = []
    for seed in range(10 if quick else 40):       # b = 1: the most SGD steps (500)
        t = time.perf_counter()
        ex.update(seed=seed)
        worst.append(time.perf_counter() - t)
    ex.close()

    base = []
    for change in changes[: 4 if quick else 15]:
        t = time.perf_counter()
        rebuilt = batch_size_explorer(**change)
        buf = io.BytesIO()
        rebuilt.fig.savefig(buf, format="png", bbox_inches="tight")   # the inline backend's default
        rebuilt.close()
        plt.close("all")
        base.append(time.perf_counter() - t)
    value = 1e3 * statistics.median(times)
    baseline = 1e3 * statistics.median(base)
    return {
        "name": "batch_size_explorer_update_ms",
        "value": round(value, 2), "unit": "ms",
        "baseline": "interact + inline: rebuild the figure and savefig a PNG per change",
        "baseline_value": round(baseline, 1), "goal": 16.7,
        "speedup": round(baseline / value, 1),
        "p90": round(1e3 * float(np.percentile(times, 90)), 2),
        "batch_size_1_ms": round(1e3 * statistics.median(worst), 2),
        "n": len(times), "n_baseline": len(base),
        "quick": quick, "loadavg": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    print(json.dumps(bench("--quick" in sys.argv[1:])))
