#!/usr/bin/env python3
"""Re-lock the course: resolve the newest versions and write them as pins.

    python .ci/lock.py [--python PY ...]          # `make lock`

For each Python given (default: this one; `make lock` passes 3.11 and 3.12,
the one CI runs first and the one Binder gets), make a throwaway venv, install
``-e .[test]`` in it and read what got installed.  The first Python resolves
freely; the next ones resolve under the first one's pins, and add only what
they need beyond them (a package behind a ``python_version`` marker).  Then:

* ``environment.yml``'s ``pip:`` section gets the **runtime closure** (what
  ``pip install -e .`` needs), one ``- name==version`` line each, so Binder
  installs exactly what CI tests;
* ``.ci/test-pins.txt`` gets what the ``test`` extra adds.

Run the whole suite afterwards (``make test``): the pins are only as good as the
run that tested them.  ``tests/test_packaging.py`` fails when an installed
package of the closure is not pinned or differs from its pin.

`closure()` is also what that test uses: the requirement closure of an
installed distribution, markers evaluated for the running Python.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = ROOT / "environment.yml"
TEST_PINS = ROOT / ".ci" / "test-pins.txt"


def closure(name: str, extras: tuple[str, ...] = ()) -> dict[str, str]:
    """{distribution name: installed version} of everything `name[extras]` needs.

    Walks ``importlib.metadata`` requirements; markers are evaluated for the
    running interpreter and the extras asked for.  `name` itself is left out.
    Needs ``packaging`` (installed with JupyterLab).
    """
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    stack = [(name, frozenset(extras))]
    root = canonicalize_name(name)
    while stack:
        dist_name, dist_extras = stack.pop()
        key = (canonicalize_name(dist_name), dist_extras)
        if key in seen:
            continue
        seen.add(key)
        dist = md.distribution(dist_name)
        if key[0] != root:
            found[dist.metadata["Name"]] = dist.version
        envs = [{"extra": e} for e in sorted(dist_extras)] + [{"extra": ""}]
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            stack.append((req.name, frozenset(req.extras)))
    return found


_REPORT = """
import json, sys
sys.path.insert(0, {ci!r})
from lock import closure
runtime = closure("gdlearn")
full = closure("gdlearn", ("test",))
print(json.dumps({{"runtime": runtime, "test": {{k: v for k, v in full.items() if k not in runtime}}}}))
"""


def resolve(python: str, constraints: dict[str, str] | None) -> dict[str, dict[str, str]]:
    """Install -e .[test] with `python` in a fresh venv; return its runtime and test closures."""
    with tempfile.TemporaryDirectory(prefix="gdlearn-lock-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        py = str(venv / "bin" / "python")
        cmd = [py, "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"]
        if constraints:
            cfile = Path(tmp) / "constraints.txt"
            cfile.write_text("".join(f"{n}=={v}\n" for n, v in constraints.items()), encoding="utf-8")
            cmd += ["-c", str(cfile)]
        subprocess.run(cmd, check=True)
        out = subprocess.run([py, "-c", _REPORT.format(ci=str(ROOT / ".ci"))],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _sorted(pins: dict[str, str]) -> dict[str, str]:
    return dict(sorted(pins.items(), key=lambda kv: kv[0].lower()))


def write_environment(runtime: dict[str, str], path: Path = ENVIRONMENT) -> None:
    """Replace the pin lines of environment.yml's pip: section, keep everything else."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    body = [line for line in lines[start + 1:end] if not re.match(r"^\s*-\s*[A-Za-z0-9_.\-]+==", line)]
    pins = [f"      - {n}=={v}" for n, v in _sorted(runtime).items()]
    path.write_text("\n".join(lines[:start + 1] + body + pins + lines[end:]) + "\n", encoding="utf-8")


def write_test_pins(test: dict[str, str], path: Path = TEST_PINS) -> None:
    header = ("# What the `test` extra adds to the runtime pins of environment.yml.\n"
              "# Written by .ci/lock.py (`make lock`); .ci/constraints.py feeds both to pip.\n")
    path.write_text(header + "".join(f"{n}=={v}\n" for n, v in _sorted(test).items()), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", help="an interpreter to lock for (repeatable)")
    args = parser.parse_args(argv)
    pythons = args.python or [sys.executable]
    runtime: dict[str, str] = {}
    test: dict[str, str] = {}
    for python in pythons:
        found = resolve(python, {**runtime, **test} or None)
        for name, version in found["runtime"].items():
            runtime.setdefault(name, version)
        for name, version in found["test"].items():
            if name not in runtime:
                test.setdefault(name, version)
        print(f"{python}: {len(found['runtime'])} runtime + {len(found['test'])} test packages")
    write_environment(runtime)
    write_test_pins(test)
    print(f"pinned {len(runtime)} runtime packages in {ENVIRONMENT.name} and {len(test)} in {TEST_PINS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
