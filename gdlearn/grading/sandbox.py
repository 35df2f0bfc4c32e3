"""The student's process: run a notebook's cells, call its functions on the probes, report plain data.

The grader starts one per submission (never reused across students)::

    python -m gdlearn.grading.sandbox FD

(inside :mod:`gdlearn.grading.jail` when the grader runs as root). The grader
*asks*, one JSON line at a time on standard input; the process *answers*
each request once, with JSON lines on file descriptor ``FD``::

    <- {"timeout": 30, "memory_mb": 768}                    # the set-up
    -> {"event": "ready"}
    <- {"op": "cell", "index": 7, "source": "..."}
    -> {"event": "cell", "index": 7}
    -> {"event": "cell_done", "index": 7, "status": "error", "error": "ZeroDivisionError: ...", "line": 3}
    <- {"op": "probe", "index": 0, "function": "f", "args": [...], "kwargs": {...}, "forbidden": [...]}
    -> {"event": "probe", "index": 0}
    -> {"event": "probe_done", "index": 0, "status": "ok", "output": <plain data>}
    <- {"op": "end"}

The grader reads only the answer to the request it is waiting for, within
that request's own deadline: anything else a notebook writes on the channel
is ignored (and too much of it ends the run). Student code runs in this
process, so it could write an answer itself: it gains nothing, since the
answer to a probe is only the value its function returns, compared by the
grader with the reference's. The cells run in
an IPython ``InteractiveShell`` (magics and ``display`` work; ``%matplotlib``
is a no-op and the backend is Agg); ``sys.stdout``/``sys.stderr`` go to a
capped buffer and file descriptors 1 and 2 to ``/dev/null``; each cell and
each call runs under an interval timer that raises :class:`Timeout`; the
address space, file size and core size are limited (soft = hard limit).
The library functions an exercise forbids raise while its function runs,
and a call that changes its arguments is reported. Nothing is compared here: the
outputs go back as plain data, and the grader compares them in its own
process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys

__all__ = ["Timeout", "main", "FILE_MB"]

FILE_MB = 64  # the largest file a submission may write, in MiB


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
            resource.setrlimit(which, (value, value))  # soft = hard: the notebook cannot raise it
        except (ValueError, OSError):
            pass

    limit(resource.RLIMIT_AS, int(memory_mb * 2**20))
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_FSIZE, FILE_MB * 2**20)


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


def _run_cell(shell, index, source, timeout, channel) -> None:
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


def _snapshot(values, encode, dumps) -> str:
    try:
        return dumps(encode(values), allow_nan=True, sort_keys=True)
    except Exception:  # noqa: BLE001
        return ""


def _call_probe(shell, probe, timeout, channel, encode, decode, dumps) -> None:
    index, name = probe["index"], probe["function"]
    function = shell.user_ns.get(name)
    for alias in probe.get("aliases", []):  # the name the notebook gave check(), if it differs
        function = function if function is not None else shell.user_ns.get(alias)
    if function is None:
        channel.send(event="probe_done", index=index, status="missing")
        return
    if not callable(function):
        channel.send(event="probe_done", index=index, status="error", error=f"`{name}` is not a function")
        return
    event = {"status": "ok"}
    forbidden = _Forbidden(probe.get("forbidden", []), shell.user_ns, function)
    try:
        args = decode(probe["args"], allow_code=True)
        kwargs = decode(probe["kwargs"], allow_code=True)
        before = _snapshot([args, kwargs], encode, dumps)
        _arm(timeout)
        with forbidden:
            output = function(*args, **kwargs)
        _disarm()
        event["output"] = encode(output)
        if _snapshot([args, kwargs], encode, dumps) != before:
            event["changed_inputs"] = _changed(args, kwargs, probe, encode, dumps)
    except Timeout:
        event = {"status": "timeout"}
    except NotImplementedError:
        event = {"status": "not attempted"}
    except MemoryError:
        event = {"status": "error", "error": "ran out of memory (MemoryError)"}
    except SystemExit as exc:
        event = {"status": "error", "error": f"called sys.exit({exc.code!r})"[:200]}
    except BaseException as exc:  # noqa: BLE001 - whatever the student's code raises
        event = {"status": "error", "error": "raised " + _error_text(exc), "line": _function_line(exc, function)}
    finally:
        _disarm()
        forbidden.restore()
    channel.send(event="probe_done", index=index, **event)


def _changed(args, kwargs, probe, encode, dumps) -> list:
    """Which arguments the call changed: their positions (0-based) or keyword names."""
    original = probe["args"], probe["kwargs"]
    out = []
    for i, value in enumerate(args):
        if i < len(original[0]) and _snapshot(value, encode, dumps) != dumps(original[0][i], allow_nan=True,
                                                                               sort_keys=True):
            out.append(i)
    return out or ["an argument"]


class _Forbidden:
    """While the student's function runs, the library functions the exercise forbids raise.

    A name is ``module.function``: a gdlearn function (replaced in its module and in every gdlearn module
    that re-exports it) or another library's (replaced in its own module, e.g. ``torch.autograd.grad``;
    skipped when that library is not installed). Either is also replaced where the student's namespace or
    the function's closure holds it. Modules are imported here, before any time limit is armed.
    """

    def __init__(self, names: list, user_ns: dict, function=None):
        import importlib

        self.user_ns, self.saved = user_ns, []
        self.cells = list(getattr(function, "__closure__", None) or [])
        self.targets = []
        for dotted in names:
            module_name, _, attr = dotted.rpartition(".")
            try:
                module = importlib.import_module(module_name)
                original = getattr(module, attr)
            except Exception:  # noqa: BLE001 - not installed, or no such function: nothing to forbid
                continue
            self.targets.append((dotted, module, original))

    def __enter__(self):
        for dotted, module, original in self.targets:
            def stub(*a, _name=dotted, **k):
                raise RuntimeError(f"{_name} is not allowed in this exercise: write it yourself")

            owners = [m for n, m in list(sys.modules.items()) if n.split(".")[0] == "gdlearn"]
            owners += [] if any(m is module for m in owners) else [module]
            for owner in owners:
                for key, value in list(getattr(owner, "__dict__", {}).items()):
                    if value is original:   # the module itself and every re-export
                        self.saved.append((owner, key, original))
                        setattr(owner, key, stub)
            for key, value in list(self.user_ns.items()):
                if value is original:
                    self.saved.append((self.user_ns, key, original))
                    self.user_ns[key] = stub
            for cell in self.cells:
                try:
                    if cell.cell_contents is original:
                        self.saved.append((cell, "cell_contents", original))
                        cell.cell_contents = stub
                except ValueError:  # an empty cell
                    pass
        return self

    def __exit__(self, *exc):
        return False

    def restore(self) -> None:
        for owner, attr, original in reversed(self.saved):
            if isinstance(owner, dict):
                owner[attr] = original
            else:
                setattr(owner, attr, original)
        self.saved = []


def _function_line(exc: BaseException, function) -> int | None:
    import traceback

    code = getattr(function, "__code__", None)
    if code is None:
        return None
    lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code is code]
    return lines[-1] - code.co_firstlineno + 1 if lines else None


class _Requests:
    """The grader's requests, one JSON object per line on standard input (read with a saved ``os.read``)."""

    def __init__(self, fd: int = 0):
        self.fd, self.buffer, self._read, self._loads = fd, b"", os.read, json.loads

    def next(self):
        while b"\n" not in self.buffer:
            chunk = self._read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return self._loads(line.decode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    channel = _Channel(int(argv[1]))
    requests = _Requests(0)
    setup = requests.next()
    os.environ.setdefault("MPLBACKEND", "Agg")

    import numpy  # noqa: F401 - loaded before the memory limit, as every notebook needs it

    from gdlearn.grading.values import decode, encode

    shell = _make_shell()
    sink = _CappedSink()
    sys.stdout = sys.stderr = sink
    sys.stdin = io.StringIO("")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _set_limits(setup["memory_mb"])
    timeout, dumps = setup["timeout"], json.dumps
    channel.send(event="ready")
    while True:  # one answer per request, for the request's own index only
        request = requests.next()
        if request is None or request.get("op") == "end":
            break
        if request["op"] == "cell":
            channel.send(event="cell", index=request["index"])
            _run_cell(shell, request["index"], request["source"], timeout, channel)
        elif request["op"] == "probe":
            channel.send(event="probe", index=request["index"])
            _call_probe(shell, request, timeout, channel, encode, decode, dumps)
    os._exit(0)  # no atexit handlers, no waiting for threads the notebook started


if __name__ == "__main__":
    sys.exit(main())
