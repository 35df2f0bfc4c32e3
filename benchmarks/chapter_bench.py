"""Notebook execution time per chapter: ``chapter_NN_s``.

``bench_chapter(path, quick) -> dict`` executes one chapter notebook top to
bottom in a fresh kernel with nbclient (the way nbval and JupyterLab's "Run
all" do) and returns its row: the wall-clock seconds from the first cell to the
last, plus the kernel start-up separately. ``benchmarks/run.py`` registers one
row per chapter; the module also runs alone::

    python benchmarks/chapter_bench.py chapters/09_neural_network.ipynb [--quick]
    python benchmarks/chapter_bench.py --all [--quick]

The notebook runs with ``GDLEARN_STATIC=1`` and the Agg backend (static figures,
as in the test suite and an HTML export), from the chapter's folder, and the
executed copy is thrown away (the committed notebook is never written). Without
``--quick`` the notebook runs twice and the faster run is reported (the first
may pay for cold caches: imports, font cache); with ``--quick`` once. Goal: a
chapter executes in under 60 s on 2 cores (aim: 30 s). Timings on a busy
machine are not timings on an idle one: the row records the load average and
the CPU time of the kernel's cells where it can (``cpu_s``, summed from the
kernel's own ``time.process_time()``), which is far less sensitive to other
processes than the wall clock.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 60.0
AIM_S = 30.0

_CPU_PROBE = "import time as _bench_time; print('__bench_cpu__', _bench_time.process_time())"


def row_name(path: str | Path) -> str:
    """``chapters/09_neural_network.ipynb`` -> ``"chapter_09_s"``."""
    path = Path(path)
    match = re.match(r"(\d\d)_", path.name)
    return f"chapter_{match.group(1)}_s" if match else f"chapter_{path.stem}_s"


def _execute_once(path: Path, timeout: float) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # A last cell that reports the kernel's CPU time (added to the in-memory copy only).
    nb.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    env = {"GDLEARN_STATIC": "1", "MPLBACKEND": "Agg"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        with client.setup_kernel():
            t1 = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            t2 = time.perf_counter()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    cpu = None
    for output in nb.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if "__bench_cpu__" in text:
            cpu = float(text.split()[-1])
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return {"run_s": t2 - t1, "kernel_start_s": t1 - t0, "cpu_s": cpu, "errors": len(errors)}


def bench_chapter(path: str | Path, quick: bool = False, timeout: float = 600.0) -> dict:
    """Execute a chapter notebook and time it.

    Parameters
    ----------
    path : str or Path
        A ``chapters/NN_slug.ipynb`` notebook (a ``.py`` twin is mapped to its ``.ipynb``).
    quick : bool
        One run instead of the best of two.
    timeout : float
        Per-cell timeout in seconds.

    Returns
    -------
    dict
        ``{"name": "chapter_NN_s", "value": seconds, "unit": "s", "goal": 60.0, ...}``:
        ``value`` is the wall-clock time of all cells (best of the runs),
        ``cpu_s`` the kernel's CPU time over the same cells, ``kernel_start_s``
        the kernel start-up (not included in ``value``), ``runs`` every
        measured ``value``.
    """
    path = Path(path)
    if path.suffix == ".py":
        path = path.with_suffix(".ipynb")
    if not path.is_absolute():
        path = (ROOT / path) if (ROOT / path).exists() else path.resolve()
    if not path.exists():
        raise FileNotFoundError(f"no notebook at {path}")
    runs = [_execute_once(path, timeout) for _ in range(1 if quick else 2)]
    best = min(runs, key=lambda r: r["run_s"])
    return {
        "name": row_name(path),
        "value": round(best["run_s"], 2),
        "unit": "s",
        "goal": GOAL_S,
        "aim": AIM_S,
        "cpu_s": None if best["cpu_s"] is None else round(best["cpu_s"], 2),
        "kernel_start_s": round(best["kernel_start_s"], 2),
        "runs": [round(r["run_s"], 2) for r in runs],
        "errors": best["errors"],
        "notebook": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
    }


def bench_for(path: str | Path):
    """The ``f(quick) -> row`` that ``benchmarks/run.py`` registers for one chapter (without "name")."""
    def bench(quick: bool) -> dict:
        row = bench_chapter(path, quick)
        row.pop("name", None)
        return row

    bench.__doc__ = f"Execution time of {Path(path).name}: see benchmarks/chapter_bench.py."
    return bench


def chapters() -> list[Path]:
    """Every chapter notebook, in order."""
    return sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Execution time of chapter notebooks.")
    parser.add_argument("notebooks", nargs="*", help="chapter notebooks (default with --all: every chapter)")
    parser.add_argument("--all", action="store_true", help="every chapters/NN_*.ipynb")
    parser.add_argument("--quick", action="store_true", help="one run instead of the best of two")
    args = parser.parse_args(argv)
    paths = chapters() if args.all else [Path(p) for p in args.notebooks]
    if not paths:
        parser.error("give a notebook or --all")
    for path in paths:
        print(json.dumps({**bench_chapter(path, args.quick), "quick": args.quick}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
