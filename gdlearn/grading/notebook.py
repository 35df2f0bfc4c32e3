"""Reading a submission, with bounds: the grader's own parsing never runs away.

:func:`read_submission` opens the file without following a symbolic link
and without blocking (a named pipe or a device is refused, never read),
reads at most :data:`MAX_NOTEBOOK_BYTES`, and refuses a notebook whose
code cells hold more than :data:`MAX_CODE_BYTES` or :data:`MAX_CELLS` cells.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .course import parse_percent

__all__ = ["read_submission", "MAX_NOTEBOOK_BYTES", "MAX_CODE_BYTES", "MAX_CELLS", "SubmissionError"]

MAX_NOTEBOOK_BYTES = 20 * 2**20   # outputs (figures) included
MAX_CODE_BYTES = 2 * 2**20        # the code the grader runs
MAX_CELLS = 2000


class SubmissionError(ValueError):
    """The file is not a notebook the grader will read (said in plain words)."""


def _read_bounded(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise SubmissionError("it is a symbolic link, not a notebook file") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError("it is not a regular file (a pipe, a device or a folder)")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB (clear its outputs)")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_NOTEBOOK_BYTES:
                raise SubmissionError(f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB (clear its outputs)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_submission(path: str | Path) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` of an ``.ipynb`` or py:percent ``.py`` submission, bounded."""
    path = Path(path)
    data = _read_bounded(path)
    text = data.decode("utf-8", errors="replace")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise SubmissionError("it is not a Jupyter notebook (no list of cells)")
        out = []
        for cell in cells:
            if not isinstance(cell, dict):
                raise SubmissionError("it is not a Jupyter notebook (a cell is not an object)")
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(s for s in source if isinstance(s, str))
            out.append((str(cell.get("cell_type", "code")), source if isinstance(source, str) else ""))
    else:
        out = parse_percent(text)
    code = [src for kind, src in out if kind == "code"]
    if len(code) > MAX_CELLS:
        raise SubmissionError(f"it has more than {MAX_CELLS} code cells")
    if sum(len(src) for src in code) > MAX_CODE_BYTES:
        raise SubmissionError(f"its code cells hold more than {MAX_CODE_BYTES // 2**20} MB of code")
    return out
