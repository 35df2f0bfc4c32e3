#!/usr/bin/env python3
"""Write the .ipynb twin of each py:percent notebook (or check the pairs).

    python .ci/sync_notebooks.py [--check] [--from-ipynb] [PATH ...]

PATH is a .py, an .ipynb or a folder; by default chapters/, solutions/ and
exercises/.  For each pair, the .py is the source (``--from-ipynb``: the
.ipynb is), converted with the settings of jupytext.toml:

* a .py without a kernelspec header gets the python3 kernelspec;
* the .ipynb is written without outputs or execution counts, keeping the
  cell ids (and notebook metadata) of the existing .ipynb, so that unchanged
  cells do not churn;
* ``--check`` writes nothing and exits 1 if a pair differs or an .ipynb holds
  outputs (tests/test_pairing.py checks the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("chapters", "solutions", "exercises")
TEXT_FMT = "py:percent"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def config_for(path: Path):
    """The jupytext configuration that applies to `path` (jupytext.toml)."""
    return load_jupytext_config(str(path.resolve()))


def strip_outputs(nb) -> bool:
    """Remove outputs and execution counts in place; return whether any were there."""
    had = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            had |= bool(cell.get("outputs")) or cell.get("execution_count") is not None
            cell.outputs = []
            cell.execution_count = None
    return had


def ipynb_to_py_text(ipynb: Path) -> str:
    """The py:percent text that jupytext writes for `ipynb` (what the .py must be)."""
    config = config_for(ipynb)
    return jupytext.writes(jupytext.read(ipynb, config=config), TEXT_FMT, config=config)


def pair_from_py(py: Path, check: bool) -> list[str]:
    ipynb = py.with_suffix(".ipynb")
    config = config_for(py)
    nb = jupytext.read(py, config=config)
    problems = []
    if "kernelspec" not in nb.metadata:
        problems.append(f"{py}: no kernelspec in the header")
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
    py_text = jupytext.writes(nb, TEXT_FMT, config=config)
    if ipynb.exists():
        old = nbformat.read(ipynb, as_version=4)
        nb = combine_inputs_with_outputs(nb, old, fmt=TEXT_FMT)
    strip_outputs(nb)
    ipynb_text = jupytext.writes(nb, "ipynb", config=config)
    if not ipynb_text.endswith("\n"):
        ipynb_text += "\n"
    if py.read_text(encoding="utf-8") != py_text:
        problems.append(f"{py}: not in jupytext's normal form")
    if not ipynb.exists() or ipynb.read_text(encoding="utf-8") != ipynb_text:
        problems.append(f"{ipynb}: missing or differs from {py.name}")
    if not check:
        py.write_text(py_text, encoding="utf-8")
        ipynb.write_text(ipynb_text, encoding="utf-8")
        # round trip: the .ipynb just written must give back the same .py
        assert ipynb_to_py_text(ipynb) == py_text, ipynb
    return problems


def pair_from_ipynb(ipynb: Path, check: bool) -> list[str]:
    py = ipynb.with_suffix(".py")
    nb = nbformat.read(ipynb, as_version=4)
    problems = []
    if strip_outputs(nb):
        problems.append(f"{ipynb}: holds outputs or execution counts")
    if "kernelspec" not in nb.metadata:
        problems.append(f"{ipynb}: no kernelspec")
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
    config = config_for(ipynb)
    py_text = jupytext.writes(nb, TEXT_FMT, config=config)
    if not py.exists() or py.read_text(encoding="utf-8") != py_text:
        problems.append(f"{py}: missing or differs from {ipynb.name}")
    if not check:
        nbformat.write(nb, ipynb)
        py.write_text(py_text, encoding="utf-8")
    return problems


def collect(paths: list[str], suffix: str) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths or [str(ROOT / f) for f in FOLDERS if (ROOT / f).is_dir()]):
        if p.is_dir():
            out += sorted(p.glob(f"*{suffix}"))
        elif p.exists() or p.with_suffix(suffix).exists():
            out.append(p.with_suffix(suffix))
        else:
            print(f"no such file: {p}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on any difference")
    parser.add_argument("--from-ipynb", action="store_true", help="the .ipynb is the source, not the .py")
    args = parser.parse_args(argv)

    problems: list[str] = []
    if args.from_ipynb:
        for ipynb in collect(args.paths, ".ipynb"):
            problems += pair_from_ipynb(ipynb, args.check)
    else:
        for py in collect(args.paths, ".py"):
            problems += pair_from_py(py, args.check)
        if args.check:  # an .ipynb without a .py is a problem too
            for ipynb in collect(args.paths, ".ipynb"):
                if not ipynb.with_suffix(".py").exists():
                    problems.append(f"{ipynb}: no .py twin")
    for line in problems:
        print(("" if args.check else "fixed: ") + line)
    return 1 if (args.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
