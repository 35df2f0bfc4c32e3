"""Packaging: one list of runtime packages, pins that are what the suite ran
against, a Binder configuration that repo2docker accepts, and a core that
imports without Jupyter."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent


def _load_ci_module(name: str):
    spec = importlib.util.spec_from_file_location(f"ci_{name}", ROOT / ".ci" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


constraints = _load_ci_module("constraints")
lock = _load_ci_module("lock")


def _canon(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(requirement: str) -> str:
    return _canon(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)", requirement).group(1))


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _conda_entries(environment: dict) -> tuple[list[str], list]:
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = [d for d in environment["dependencies"] if isinstance(d, dict)]
    return conda, pip


def test_environment_yml_shape(environment):
    """conda gives only Python 3.12 and pip; every package is a pip pin, plus `-e .`."""
    assert environment["channels"] == ["conda-forge"]
    conda, pip = _conda_entries(environment)
    assert conda == ["python=3.12", "pip"], "conda-forge's builds differ from PyPI's: pin packages under pip:"
    assert len(pip) == 1 and list(pip[0]) == ["pip"]
    entries = pip[0]["pip"]
    assert entries.count("-e .") == 1
    for entry in entries:
        assert entry == "-e ." or re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+!]*", entry), (
            f"{entry!r} is not pinned as name==version")


def test_binder_python_is_a_tested_python(environment):
    """.ci/run runs the whole suite under the Python that environment.yml gives Binder."""
    conda, _ = _conda_entries(environment)
    (python,) = [e for e in conda if e.startswith("python=")]
    version = python.split("=", 1)[1]
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"PYENV_VERSION={re.escape(version)}\.\d+ .*make test PYTHON=python{re.escape(version)}\b", run)


def test_constraints_script_agrees_with_yaml(environment):
    """.ci/constraints.py (stdlib-only parser used by the Makefile) reads the same pins as YAML."""
    _, pip = _conda_entries(environment)
    from_yaml = dict(e.split("==", 1) for e in pip[0]["pip"] if "==" in e)
    assert constraints.pip_pins(ROOT / "environment.yml") == from_yaml
    test_pins = constraints.file_pins(ROOT / ".ci" / "test-pins.txt")
    assert test_pins and not {_canon(n) for n in test_pins} & {_canon(n) for n in from_yaml}
    out = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "constraints.py")], capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out == [f"{n}=={v}" for n, v in {**from_yaml, **test_pins}.items()]


def test_same_runtime_packages(pyproject):
    """Every runtime dependency of pyproject.toml is pinned in environment.yml (Binder's install)."""
    runtime = {_req_name(r) for r in pyproject["project"]["dependencies"]}
    pinned = {_canon(n) for n in constraints.pip_pins(ROOT / "environment.yml")}
    assert runtime <= pinned, f"not pinned in environment.yml: {runtime - pinned}"


@pytest.mark.parametrize("extras", [(), ("test",)], ids=["runtime", "test"])
def test_pins_are_the_installed_versions(extras):
    """Everything the course needs is pinned, and the suite runs against exactly those pins.

    Walks the requirement closure of the installed `gdlearn` (markers evaluated
    for this Python): a package that is missing from the pins, or installed at
    another version, fails.  Runtime packages must be pinned in environment.yml
    (Binder installs only that), test tools in .ci/test-pins.txt.
    """
    runtime_pins = {_canon(n): v for n, v in constraints.pip_pins(ROOT / "environment.yml").items()}
    test_pins = {_canon(n): v for n, v in constraints.file_pins(ROOT / ".ci" / "test-pins.txt").items()}
    needed = lock.closure("gdlearn", extras)
    assert len(needed) > 50, needed  # JupyterLab alone brings dozens
    pins = runtime_pins if not extras else {**runtime_pins, **test_pins}
    problems = {name: (pins.get(_canon(name)), version) for name, version in needed.items()
                if pins.get(_canon(name)) != version}
    assert not problems, (f"pin vs installed {problems}: run `make test` to reinstall, or `make lock` "
                          "and then `make test` to move the pins")


def test_pyproject(pyproject):
    project = pyproject["project"]
    assert project["name"] == "gdlearn"
    assert project["requires-python"] == ">=3.10"
    assert pyproject["tool"]["setuptools"]["packages"] == ["gdlearn", "gdlearn.grading", "gdlearn.optim", "gdlearn.widgets"]
    test_extra = {_req_name(r) for r in project["optional-dependencies"]["test"]}
    for needed in ("pytest", "pytest-xdist", "hypothesis", "nbval", "scipy", "playwright",
                   "jupyter-repo2docker", "nbformat", "nbconvert", "ipykernel"):
        assert needed in test_extra, needed
    for dep in project["dependencies"]:  # loose: a lower bound at most
        assert "==" not in dep, f"pin {dep!r} in environment.yml, not in pyproject.toml"


def test_wheel_holds_only_gdlearn(tmp_path):
    """Explicit `packages` keeps chapters/, tests/, ... out of the wheel."""
    import setuptools  # in the test extra: a fresh venv has none (3.12) or one too old for bdist_wheel (3.11)

    assert tuple(int(x) for x in setuptools.__version__.split(".")[:2]) >= (70, 1), setuptools.__version__
    repo = _course_copy(tmp_path / "course")  # builds in-tree: not in the work tree
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(repo)],
        check=True, capture_output=True, text=True, timeout=120,
    )
    (wheel,) = tmp_path.glob("gdlearn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"gdlearn"}
    # check() in a student notebook reads this data from the installed package (Colab)
    checks = sorted(p.name for p in (ROOT / "gdlearn" / "grading" / "checks").glob("*.json"))
    assert checks and all(f"gdlearn/grading/checks/{c}" in names for c in checks), names


def test_commands_are_the_readme_commands():
    """.ci/run ends with `make test`, the command the README gives."""
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "set -euo pipefail" in run
    commands = [line.strip() for line in run.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in commands
    # the only other test run is the same command under another Python
    others = [c for c in commands if "make test" in c and c != "make test"]
    assert all(re.fullmatch(r"(\w+=\S+ )*make test PYTHON=\S+ VENV=\S+", c) for c in others), others
    assert re.search(r"pip install torch==2\.13\.0\b", run)
    assert re.findall(r"torch[=<>~!]=?\s*[\d.]+", run) == ["torch==2.13.0"]
    readme = ROOT / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        assert "make test" in text and "make lab" in text


def _course_copy(dest: Path) -> Path:
    """Copy the files git would commit (tracked + untracked-not-ignored) to dest."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def test_repo2docker_accepts_the_binder_config(tmp_path):
    """`repo2docker --no-build --debug` (no Docker needed) builds from environment.yml."""
    repo2docker = Path(sys.executable).with_name("repo2docker")
    if not repo2docker.exists():
        repo2docker = shutil.which("repo2docker")
    assert repo2docker, "repo2docker is not installed (pip install -e '.[test]')"
    repo = _course_copy(tmp_path / "course")
    assert not (repo / "binder").exists(), "a binder/ folder would hide the root configuration"
    proc = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", "."],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Building conda environment for python=3.12" in out, out[-3000:]
    assert "environment.yml" in out
    # with a pip: section the env is built after the repository is copied in,
    # so that `-e .` finds pyproject.toml
    copy_at = out.find("COPY --chown=0:0 src/")
    update_at = out.find('env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"')
    assert 0 <= copy_at < update_at, "environment.yml is installed before the repository is copied in"


CORE = ["gdlearn", "gdlearn.optim", "gdlearn.surfaces", "gdlearn.run", "gdlearn.calculus"]


def test_core_imports_without_jupyter():
    """`import gdlearn` and its core stay free of matplotlib and ipywidgets."""
    code = (
        "import importlib, json, sys\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'ipympl'))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    heavy = json.loads(proc.stdout.strip().splitlines()[-1])
    assert heavy == [], f"importing {CORE} pulled in {sorted({m.split('.')[0] for m in heavy})}"
