"""Repository-wide pytest configuration.

* chapters/, solutions/ and exercises/ hold jupytext twins: ``NN_slug.py``
  beside ``NN_slug.ipynb``.  The notebooks are collected (nbval); the .py
  twins are not test modules, and importing them would run a whole chapter.
* benchmarks/ are measurements, not tests.
* Unit tests draw with the non-interactive Agg backend.  It is selected in
  this process only (``matplotlib.use``), not through ``MPLBACKEND``, which
  the notebook kernels started by nbval would inherit.
* A traceback printed to stderr by a notebook cell fails that cell: an error
  raised while the inline backend draws a figure (a post-execute callback) is
  only printed by IPython, so nbval alone would pass a notebook whose figure
  never rendered.
* No skipped checks in CI: under ``CI=true`` a skipped test fails the run,
  unless its reason matches the regular expression in ``GDLEARN_ALLOW_SKIP``
  (``.ci/run`` allows "torch" in its Python 3.12 run: the CPU wheel of torch on
  the CI machine is for Python 3.11 only, and the 3.11 run checks torch parity).
"""

import os
import re

import pytest

collect_ignore_glob = [
    "chapters/*.py",
    "solutions/*.py",
    "exercises/*.py",
    "benchmarks/*",
    ".ci/*",
    "tests/artifacts/*",
    "tests/browser_notebooks/*",  # run by tests/test_browser.py in JupyterLab, not by nbval
]


def pytest_configure(config):
    import matplotlib

    matplotlib.use("Agg", force=True)


# what IPython prints for an exception it catches itself (e.g. in the inline backend's figure drawing)
_PRINTED_ERROR = re.compile(r"Traceback \(most recent call last\)|^Error in callback", re.M)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    for out in getattr(item, "test_outputs", None) or ():  # nbval's cells keep their outputs here
        text = out.get("text", "") if out.get("name") == "stderr" else ""
        if _PRINTED_ERROR.search(text):
            raise AssertionError(f"the cell printed an error to stderr (a figure that did not draw?):\n{text}")
    return result


_skipped: list[tuple[str, str]] = []


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_runtest_logreport(report):
    # with xdist this runs in the controller too, on every worker's reports
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, reason))


def pytest_sessionfinish(session, exitstatus):
    if not _in_ci() or hasattr(session.config, "workerinput"):
        return
    allowed = os.environ.get("GDLEARN_ALLOW_SKIP", "")
    bad = [(node, why) for node, why in _skipped if not (allowed and re.search(allowed, why))]
    if bad:
        lines = "\n".join(f"  {node}: {why}" for node, why in bad)
        print(f"\nCI=true: {len(bad)} test(s) skipped, and CI must run every check:\n{lines}")
        session.exitstatus = 1
