"""Grading throughput: solved chapter-02 exercise notebooks graded per second with ``--jobs 2``.

``bench_grade_throughput(quick)`` is called by ``benchmarks/run.py``; it also
runs alone::

    python benchmarks/grade_bench.py [--quick]

Each submission gets a fresh process (never shared between students): a
plain ``python`` running the cells in an IPython shell, not a Jupyter
kernel. The baseline is what a kernel per submission costs: the same
notebook executed by ``nbclient`` (a fresh ipykernel each time), two at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import ROOT  # the working tree first on sys.path

SOLVED = ROOT / "solutions" / "02_gradient_descent.ipynb"


def _nbclient_seconds(paths: list[Path]) -> float | None:
    """Wall-clock to execute ``paths`` with a Jupyter kernel each, two at a time (None without nbclient)."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        return None

    def execute(path: Path) -> None:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(execute, paths))
    return time.perf_counter() - start


def bench_grade_throughput(quick: bool = False) -> dict:
    """Submissions graded per second, ``--jobs 2``, 20 copies of a solved chapter-02 notebook (8 with quick)."""
    from gdlearn.grading.grader import Grader, Limits

    n = 8 if quick else 20
    with tempfile.TemporaryDirectory(prefix="gdlearn-bench-") as tmp:
        paths = []
        for i in range(n):
            path = Path(tmp) / f"student{i:02d}_02_gradient_descent.ipynb"
            shutil.copyfile(SOLVED, path)
            paths.append(path)
        start = time.perf_counter()
        grader = Grader(ROOT / "solutions", Limits(timeout=30, memory_mb=2048))
        setup = time.perf_counter() - start
        start = time.perf_counter()
        subs = grader.grade_many(paths, jobs=2)
        elapsed = time.perf_counter() - start
        assert all(s.score == s.max_score == 9 for s in subs), [s.score for s in subs]
        base_paths = paths[:2] if quick else paths[:4]
        base = _nbclient_seconds(base_paths)
    value = n / elapsed
    row = {
        "name": "grade_throughput", "value": round(value, 2), "unit": "submissions/s",
        "goal": 1.0, "higher_is_better": True,
        "submissions": n, "jobs": 2, "seconds": round(elapsed, 2),
        "with_setup_per_s": round(n / (elapsed + setup), 2),
        "setup_s": round(setup, 2),
        "note": "one fresh python + IPython shell per submission; setup = running the solutions once",
    }
    if base is not None:
        row.update(baseline="a Jupyter kernel per submission (nbclient), 2 at a time",
                   baseline_value=round(len(base_paths) / base, 2),
                   speedup=round(value / (len(base_paths) / base), 1))
    return row


if __name__ == "__main__":
    row = bench_grade_throughput(quick="--quick" in sys.argv)
    row.update(loadavg=[round(v, 2) for v in os.getloadavg()], cpus=os.cpu_count())
    print(json.dumps(row, ensure_ascii=False))
