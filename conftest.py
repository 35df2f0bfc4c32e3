"""Repository-wide pytest configuration.

* chapters/, solutions/ and exercises/ hold jupytext twins: ``NN_slug.py``
  beside ``NN_slug.ipynb``.  The notebooks are collected (nbval); the .py
  twins are not test modules, and importing them would run a whole chapter.
* benchmarks/ are measurements, not tests.
* Unit tests draw with the non-interactive Agg backend.  It is selected in
  this process only (``matplotlib.use``), not through ``MPLBACKEND``, which
  the notebook kernels started by nbval would inherit.
"""

collect_ignore_glob = [
    "chapters/*.py",
    "solutions/*.py",
    "exercises/*.py",
    "benchmarks/*",
    ".ci/*",
    "tests/artifacts/*",
]


def pytest_configure(config):
    import matplotlib

    matplotlib.use("Agg", force=True)
