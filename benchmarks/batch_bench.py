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

import statistics

from _common import explorer_row, inline_baseline, main, png_bytes, time_calls

import numpy as np


def _changes(n: int, count: int) -> list[dict]:
    """A slider sweep: every batch size from 1 up (wrapping), with the learning rate moved now and then."""
    out = []
    for k in range(count):
        change = {"batch_size": 1 + (k * 7) % n}
        if k % 10 == 9:
            change["lr"] = float(np.logspace(-2, 0, 10)[k % 10])
        out.append(change)
    return out


def _rebuild(change: dict) -> bytes:
    """What `interact` + the inline backend does per change: the figure from scratch, saved as PNG."""
    import matplotlib.pyplot as plt

    from gdlearn.widgets.batch import batch_size_explorer

    rebuilt = batch_size_explorer(**change)
    frame = png_bytes(rebuilt.fig)
    rebuilt.close()
    plt.close("all")
    return frame


def bench(quick: bool = False) -> dict:
    """Median ``update`` time of the batch-size explorer, against a rebuild + PNG per change."""
    from gdlearn.widgets.batch import batch_size_explorer

    ex = batch_size_explorer()
    lr0 = ex.values["lr"]
    changes = _changes(ex.n, 60 if quick else 300)

    def change_and_check(change: dict) -> None:
        ex.update(**change)
        assert ex.error is None, ex.error

    times = time_calls(change_and_check, [(c,) for c in changes])
    ex.update(batch_size=1, lr=lr0)
    worst = time_calls(lambda seed: ex.update(seed=seed), [(seed,) for seed in range(10 if quick else 40)])
    ex.close()                                    # b = 1 above: the most SGD steps (500)
    base = time_calls(_rebuild, [(c,) for c in changes[: 4 if quick else 15]])
    return explorer_row("batch_size_explorer_update_ms", times, base, quick, baseline=inline_baseline(),
                        batch_size_1_ms=round(1e3 * statistics.median(worst), 2))


if __name__ == "__main__":
    main(bench)
