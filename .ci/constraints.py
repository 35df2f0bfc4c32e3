#!/usr/bin/env python3
"""Turn environment.yml's conda pins into pip constraints (one source of pins).

    python .ci/constraints.py [environment.yml] > constraints.txt

Only the standard library: it runs before anything is installed in the venv.
The parser reads the flat `- name=version` entries of `dependencies:` (the
only form environment.yml uses); `python` and `pip` are not pip packages, and
conda-forge names that differ from PyPI's are mapped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# conda-forge name -> PyPI name, where they differ
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
NOT_PIP = {"python", "pip"}

_PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*(?:=\s*([^\s=#]+))?\s*(?:#.*)?$")


def conda_pins(path: str | Path = "environment.yml") -> dict[str, str | None]:
    """Return {conda name: version or None} of the top-level conda dependencies."""
    pins: dict[str, str | None] = {}
    in_deps = False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t", "-")):  # a new top-level key
            in_deps = line.startswith("dependencies:")
            continue
        if not in_deps:
            continue
        if line.strip().startswith("- pip:") or line.startswith("      "):
            continue  # the pip: sub-list (-e .)
        m = _PIN.match(line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def pip_pins(path: str | Path = "environment.yml") -> dict[str, str]:
    """Return {PyPI name: version} for the pinned pip-installable packages."""
    return {
        CONDA_TO_PYPI.get(name, name): version
        for name, version in conda_pins(path).items()
        if name not in NOT_PIP and version is not None
    }


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "environment.yml"
    for name, version in pip_pins(path).items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
