"""What the benchmark modules share: the set-up, the timing loops, the row of an explorer benchmark.

Importing this module puts the working tree first on ``sys.path`` (so the
benchmarks measure it, installed or not) and selects matplotlib's Agg
backend before anything imports pyplot. The explorer benchmarks
(``batch_bench``, ``momentum_bench``, ``race_bench``, ``clipping_bench``,
``second_order_bench``) time slider changes with :func:`update_times`, the
``ipywidgets.interact`` + inline baseline with :func:`time_calls` and
:func:`png_bytes`, and build their row with :func:`explorer_row`::

    from _common import explorer_row, update_times
    times = update_times(ex, "lr", lrs)
    row = explorer_row("momentum_explorer_update_ms", times, base, quick, baseline="...")
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmark the working tree, installed or not

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

__all__ = ["ROOT", "FRAME_GOAL_MS", "inline_baseline", "png_bytes", "time_calls", "update_times",
           "median_ms", "p90_ms", "explorer_row", "main"]

#: One frame at 60 Hz: the goal of every slider benchmark.
FRAME_GOAL_MS = 16.7


def inline_baseline(what: str = "") -> str:
    """The description of the baseline every explorer row compares with."""
    return f"interact + inline: rebuild the figure{what} and savefig a PNG per change"


def png_bytes(fig: Any) -> bytes:
    """Save ``fig`` as the inline backend does (PNG, tight bounding box), close it, return the bytes."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def time_calls(fn: Callable[..., Any], calls: Iterable[Any]) -> list[float]:
    """Seconds of ``fn(*args)`` for each ``args`` tuple in ``calls``."""
    times = []
    for args in calls:
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return times


def update_times(ex: Any, key: str, values: Iterable[Any]) -> list[float]:
    """Seconds of each ``ex.update(key=value)``: a student moving one slider. The explorer must not fail."""
    times = time_calls(lambda value: ex.update(**{key: value}), ((v,) for v in values))
    assert ex.error is None, ex.error
    return times


def median_ms(times: list[float]) -> float:
    return 1e3 * statistics.median(times)


def p90_ms(times: list[float]) -> float:
    return 1e3 * float(np.percentile(times, 90))


def explorer_row(name: str, times: list[float], base: list[float], quick: bool, *, baseline: str,
                 value_times: list[float] | None = None, **extra: Any) -> dict:
    """The row of a slider benchmark: the median update (ms) against the interact + inline baseline.

    ``value`` and ``p90`` are taken over ``value_times`` (default ``times``);
    ``n`` counts them. ``extra`` fields come after the common ones.
    """
    value_times = times if value_times is None else value_times
    value, baseline_value = median_ms(value_times), median_ms(base)
    return {
        "name": name, "value": round(value, 2), "unit": "ms",
        "baseline": baseline, "baseline_value": round(baseline_value, 1), "goal": FRAME_GOAL_MS,
        "speedup": round(baseline_value / value, 1), "p90": round(p90_ms(value_times), 2),
        **extra,
        "n": len(value_times), "n_baseline": len(base), "quick": quick,
        "load": round(os.getloadavg()[0], 2),
    }


def main(*benches: Callable[[bool], dict | list[dict]]) -> None:
    """Run the benchmarks of a module from the command line (``--quick`` for small samples)."""
    quick = "--quick" in sys.argv[1:]
    for bench in benches:
        rows = bench(quick)
        for row in rows if isinstance(rows, list) else [rows]:
            print(json.dumps(row, ensure_ascii=False))
