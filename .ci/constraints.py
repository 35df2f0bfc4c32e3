#!/usr/bin/env python3
"""Turn the course's pins into pip constraints (one source of pins).

    python .ci/constraints.py [environment.yml [test-pins.txt]] > constraints.txt

Two files hold every version the suite runs against (both written by
``.ci/lock.py``, never by hand):

* ``environment.yml``'s ``pip:`` section pins the whole runtime closure of the
  course (everything ``pip install -e .`` brings), so Binder installs exactly
  what CI tested.  Its conda part is only ``python`` and ``pip``.
* ``.ci/test-pins.txt`` pins what the ``test`` extra adds on top.

Only the standard library: it runs before anything is installed in the venv.
The parser reads the ``- name==version`` entries of the ``pip:`` sub-list (the
only form environment.yml uses) and the ``name==version`` lines of the pins file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PIP_PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.\-]+)==([^\s#]+)\s*(?:#.*)?$")
_FILE_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)==([^\s#;]+)\s*(?:#.*)?$")


def conda_entries(path: str | Path = ROOT / "environment.yml") -> list[str]:
    """The plain entries of `dependencies:` (the conda part), e.g. ['python=3.12', 'pip']."""
    entries, in_deps = [], False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t", "-")):  # a new top-level key
            in_deps = line.startswith("dependencies:")
            continue
        if in_deps and re.match(r"^  ?- ", line) and not line.strip().startswith("- pip:"):
            entries.append(line.strip()[2:].split("#")[0].strip())
    return entries


def pip_pins(path: str | Path = ROOT / "environment.yml") -> dict[str, str]:
    """Return {PyPI name: version} of the ``- name==version`` lines of the pip: section."""
    pins: dict[str, str] = {}
    in_pip = False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("- pip:"):
            in_pip = True
            continue
        if in_pip and line.strip() and not line.startswith("    "):
            in_pip = False
        m = _PIP_PIN.match(line) if in_pip else None
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def file_pins(path: str | Path = ROOT / ".ci" / "test-pins.txt") -> dict[str, str]:
    """Return {name: version} of the ``name==version`` lines of a pins file."""
    pins: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = _FILE_PIN.match(line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def all_pins(environment: str | Path = ROOT / "environment.yml",
             test_pins: str | Path = ROOT / ".ci" / "test-pins.txt") -> dict[str, str]:
    """Runtime pins (environment.yml) and test pins together."""
    return {**pip_pins(environment), **file_pins(test_pins)}


def main(argv: list[str]) -> int:
    environment = argv[1] if len(argv) > 1 else ROOT / "environment.yml"
    test_pins = argv[2] if len(argv) > 2 else ROOT / ".ci" / "test-pins.txt"
    for name, version in all_pins(environment, test_pins).items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
