"""Every notebook of the course is a jupytext pair with the same content.

For each chapters/, solutions/ and exercises/ notebook: the .ipynb converted to
py:percent with the settings of jupytext.toml is exactly its .py twin; every
.py has an .ipynb twin; committed notebooks hold no outputs and name the
python3 kernel.  This compares content, not timestamps (`jupytext --sync`
picks the newer file, and after a checkout timestamps are arbitrary).

To fix a failure: ``.venv/bin/python .ci/sync_notebooks.py`` (the .py is the
source) or ``... --from-ipynb`` (the .ipynb is), see jupytext.toml.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("chapters", "solutions", "exercises")
FIX = "run `.venv/bin/python .ci/sync_notebooks.py` (or `--from-ipynb`), see jupytext.toml"

NOTEBOOKS = sorted(p for f in FOLDERS for p in (ROOT / f).glob("*.ipynb"))
SCRIPTS = sorted(p for f in FOLDERS for p in (ROOT / f).glob("*.py"))


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_jupytext_config():
    """jupytext.toml pairs ipynb with py:percent and keeps only the kernelspec in the header."""
    config = load_jupytext_config(str(ROOT / "chapters" / "any.ipynb"))
    assert config is not None, "jupytext.toml not found at the repository root"
    formats = config.formats if isinstance(config.formats, str) else ",".join(config.formats)
    assert sorted(formats.split(",")) == ["ipynb", "py:percent"], formats
    assert config.notebook_metadata_filter == "kernelspec,-all"


def test_course_has_notebooks():
    """Guard against a silently empty parametrization below."""
    if not (ROOT / "chapters").is_dir():
        pytest.skip("no chapters/ yet")
    assert NOTEBOOKS, "chapters/ has no notebooks"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_ipynb_matches_py_twin(ipynb: Path):
    py = ipynb.with_suffix(".py")
    assert py.exists(), f"{py.relative_to(ROOT)} is missing: {FIX}"
    config = load_jupytext_config(str(ipynb))
    expected = jupytext.writes(jupytext.read(ipynb, config=config), "py:percent", config=config)
    actual = py.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                actual.splitlines(True),
                expected.splitlines(True),
                fromfile=f"{py.name} (committed)",
                tofile=f"{ipynb.name} as py:percent",
                n=2,
            )
        )
        pytest.fail(f"{py.name} and {ipynb.name} differ ({FIX}):\n{diff[:4000]}")


@pytest.mark.parametrize("py", SCRIPTS, ids=_ids(SCRIPTS))
def test_py_has_ipynb_twin(py: Path):
    assert py.with_suffix(".ipynb").exists(), f"{py.relative_to(ROOT)} has no .ipynb twin: {FIX}"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_ipynb_is_clean(ipynb: Path):
    """No outputs, no execution counts, a python3 kernelspec, valid nbformat 4."""
    nb = nbformat.read(ipynb, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{ipynb.name}: cells {dirty} hold outputs or execution counts (strip them: {FIX})"
    kernelspec = nb.metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{ipynb.name}: kernelspec {kernelspec!r}, expected name python3"
    assert kernelspec.get("language") == "python"
