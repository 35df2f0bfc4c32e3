"""The student's process: run a notebook's cells, call its functions on the probes, report plain data.

The grader starts one per submission (never reused across students)::

    python -m gdlearn.grading.sandbox FD < job.json

``job.json`` holds the notebook's code cells, the cells to skip, the probes
(function name and plain-data arguments), the per-cell time limit and the
memory limit. The process reports JSON lines on file descriptor ``FD``::

    {"event": "ready"}
    {"event": "cell", "index": 7}                  # before cell 7 (1-based, as in the notebook)
    {"event": "cell_done", "index": 7, "status": "error", "error": "ZeroDivisionError: ...", "line": 3}
    {"event": "probe", "index": 0}
    {"event": "probe_done", "index": 0, "status": "ok", "output": <plain data>}
    {"event": "done"}

so that the grader knows where it was if it dies or hangs. The cells run in
an IPython ``InteractiveShell`` (magics and ``display`` work; ``%matplotlib``
is a no-op and the backend is Agg); ``sys.stdout``/``sys.stderr`` go to a
capped buffer and file descriptors 1 and 2 to ``/dev/null``; each cell and
each call runs under an interval timer that raises :class:`Timeout`; the
address space is limited with ``RLIMIT_AS``. Nothing is compared here: the
outputs go back as plain data, and the grader compares them in its own
process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys

__all__ = ["Timeout", "main"]


class Timeout(BaseException):
    """Raised by the interval timer when a cell or a call runs past its time limit."""


class _CappedSink:
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, limit: int = 20_000):
        self.limit, self.kept, self.dropped = limit, [], 0
        self._size = 0

    def write(self, text) -> int:
        n = len(text) if isinstance(text, str) else 0
        if self._size < self.limit:
            self.kept.append(str(text)[: self.limit - self._size])
            self._size += len(self.kept[-1])
        else:
            self.dropped += n
        return n

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("no file descriptor")


class _Channel:
    def __init__(self, fd: int):
        self.fd = fd
        self._write, self._dumps = os.write, json.dumps  # before any student code runs

    def send(self, **event) -> None:
        try:
            data = (self._dumps(event, allow_nan=True) + "\n").encode("utf-8", "replace")
        except (TypeError, ValueError, RecursionError):
            data = (self._dumps({"event": event.get("event"), "index": event.get("index"),
                                 "status": "error", "error": "the result could not be sent"}) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[self._write(self.fd, view):]


def _on_alarm(signum, frame):
    raise Timeout()


def _arm(seconds: float) -> None:
    # The handler is set again each time: a notebook may have replaced it. The timer
    # repeats every 0.5 s after the first expiry: code that swallows one Timeout gets another.
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0, 0)


def _set_limits(memory_mb: float) -> None:
    import resource

    def limit(which, value):
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass

    limit(resource.RLIMIT_AS, int(memory_mb * 2**20))
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_FSIZE, 256 * 2**20)


def _error_text(exc: BaseException) -> str:
    name = type(exc).__name__
    try:
        message = (exc.msg if isinstance(exc, SyntaxError) else str(exc)).strip().splitlines()
    except Exception:  # noqa: BLE001 - a hostile __str__
        message = []
    return f"{name}: {message[0][:300]}" if message else name


def _cell_line(exc: BaseException, cell_filename: str | None) -> int | None:
    if isinstance(exc, SyntaxError):
        return exc.lineno
    import traceback

    lines = [n for frame, n in traceback.walk_tb(exc.__traceback__)
             if frame.f_code.co_filename == cell_filename]
    return lines[-1] if lines else None


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    shell.enable_gui = lambda gui=None: None
    # IPython 9 keeps a copy of everything printed in its history: not here (a notebook
    # that prints megabytes would hold them in memory, and each print would be slower).
    if hasattr(shell, "_tee"):
        shell._tee = lambda channel: contextlib.nullcontext()
    # Figures stay on the Agg backend whatever the notebook asks for (%matplotlib widget, ...).
    shell.register_magic_function(lambda line="": None, "line", "matplotlib")
    return shell


def _run_cells(shell, cells, skip, timeout, channel) -> None:
    for index, source in cells:
        if index in skip:
            continue
        channel.send(event="cell", index=index)
        status, error, line = "ok", None, None
        try:
            _arm(timeout)
            result = shell.run_cell(source, store_history=False)
        except Timeout:  # raised outside the cell's own code (IPython usually catches it)
            result = None
            status = "timeout"
        finally:
            _disarm()
        if result is not None:
            exc = result.error_before_exec or result.error_in_exec
            if isinstance(exc, Timeout):
                status = "timeout"
            elif isinstance(exc, MemoryError):
                status, error = "memory", "MemoryError"
            elif isinstance(exc, SystemExit):
                status, error = "exit", f"called sys.exit({exc.code!r})"[:200]
            elif exc is not None:
                status, error = "error", _error_text(exc)
                line = _cell_line(exc, _last_cell_file(exc))
        channel.send(event="cell_done", index=index, status=status, error=error, line=line)


def _last_cell_file(exc: BaseException) -> str | None:
    """The file name IPython gave the cell: that of the first frame not in IPython itself."""
    import traceback

    for frame, _ in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if "IPython" not in name and (name.startswith("<") or "ipython-input" in name):
            return name
    return None


def _call_probes(shell, probes, timeout, channel, encode, decode) -> None:
    timeouts: dict[str, int] = {}
    for probe in probes:
        index, name = probe["index"], probe["function"]
        channel.send(event="probe", index=index)
        if timeouts.get(name, 0) >= 2:
            channel.send(event="probe_done", index=index, status="skipped",
                         error="not run: the function timed out twice already")
            continue
        function = shell.user_ns.get(name)
        for alias in probe.get("aliases", []):  # the name the notebook gave check(), if it differs
            function = function if function is not None else shell.user_ns.get(alias)
        if function is None:
            channel.send(event="probe_done", index=index, status="missing")
            continue
        if not callable(function):
            channel.send(event="probe_done", index=index, status="error",
                         error=f"`{name}` is not a function")
            continue
        event = {"status": "ok"}
        try:
            _arm(timeout)
            args = decode(probe["args"], allow_code=True)
            kwargs = decode(probe["kwargs"], allow_code=True)
            event["output"] = encode(function(*args, **kwargs))
        except Timeout:
            event = {"status": "timeout"}
            timeouts[name] = timeouts.get(name, 0) + 1
        except NotImplementedError:
            event = {"status": "not attempted"}
        except MemoryError:
            event = {"status": "error", "error": "ran out of memory (MemoryError)"}
        except SystemExit as exc:
            event = {"status": "error", "error": f"called sys.exit({exc.code!r})"[:200]}
        except BaseException as exc:  # noqa: BLE001 - whatever the student's code raises
            event = {"status": "error", "error": "raised " + _error_text(exc),
                     "line": _function_line(exc, function)}
        finally:
            _disarm()
        channel.send(event="probe_done", index=index, **event)


def _function_line(exc: BaseException, function) -> int | None:
    import traceback

    code = getattr(function, "__code__", None)
    if code is None:
        return None
    lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code is code]
    return lines[-1] - code.co_firstlineno + 1 if lines else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    channel = _Channel(int(argv[1]))
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    os.environ.setdefault("MPLBACKEND", "Agg")

    import numpy  # noqa: F401 - loaded before the memory limit, as every notebook needs it

    from gdlearn.grading.values import decode, encode

    shell = _make_shell()
    sink = _CappedSink()
    sys.stdout = sys.stderr = sink
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _set_limits(job["memory_mb"])
    channel.send(event="ready")
    _run_cells(shell, [tuple(c) for c in job["cells"]], set(job.get("skip", [])), job["timeout"], channel)
    _call_probes(shell, job["probes"], job["timeout"], channel, encode, decode)
    channel.send(event="done")
    os._exit(0)  # no atexit handlers, no waiting for threads the notebook started


if __name__ == "__main__":
    sys.exit(main())
