"""conftest.py fails a notebook cell that printed a traceback to stderr.

IPython prints (and swallows) an exception raised in a post-execute callback,
such as the inline backend drawing a figure; nbval alone passes such a cell.
The planted notebook prints a traceback the same way; it must fail under the
repository's conftest and pass without it (so the test is about the hook).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELLS = [
    "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    traceback.print_exc()",
    "import sys\nprint('a warning is fine', file=sys.stderr)",
]


def _run(tmp_path: Path, with_conftest: bool) -> subprocess.CompletedProcess:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                     "outputs": [], "source": src} for i, src in enumerate(CELLS)],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "planted.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    if with_conftest:
        shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # keep the repository's options out
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0",
                           "--nbval-lax", "--nbval-current-env", "planted.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_a_printed_traceback_fails_the_cell_and_a_plain_stderr_line_does_not(tmp_path):
    run = _run(tmp_path, with_conftest=True)
    assert "1 failed, 1 passed" in run.stdout, run.stdout[-2000:]
    assert "printed an error to stderr" in run.stdout


def test_without_the_hook_nbval_passes_the_planted_cell(tmp_path):
    run = _run(tmp_path, with_conftest=False)
    assert "2 passed" in run.stdout, run.stdout[-2000:]
