"""Where the student's process runs, and how the grader talks to it.

Two modes, chosen once per grader (:func:`detect`) and printed by the
command line:

``namespaces`` (the grader runs as root and ``unshare`` works: CI,
Gradescope, a container)
    Each run of a submission is ``unshare --pid --fork --kill-child --mount
    --net --ipc --uts`` + :mod:`gdlearn.grading.jail`: a root of its own
    holding only the OS, Python and the ``gdlearn`` package (no
    ``solutions/``, hidden tests, grade files, other submissions); an
    unprivileged uid of its own (one per concurrent slot), no capabilities,
    ``no_new_privs``; no network; hard limits (address space, file size,
    processes, open files); a cgroup per run bounding the memory and the
    processes of the whole submission when the cgroup v1 hierarchies are
    writable; and a PID namespace, so that killing it kills every process it
    made, whatever session it started for itself.

``process`` (no root, or no namespaces: a teacher's laptop)
    A plain child process in its own process group, with hard limits it
    cannot raise (address space, file size, core). This stops careless
    notebooks (loops, exits, floods, memory) but **not an attacker**: the
    student's code runs as the teacher's user and could read ``solutions/``,
    write files or start processes that outlive the batch. Grade untrusted
    submissions as root (``sudo``), in a container, or on Gradescope.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["Isolation", "detect", "Session"]

PACKAGE_DIR = Path(__file__).resolve().parents[1]          # .../gdlearn
CGROUP_ROOT = Path("/sys/fs/cgroup")
UID_BASE = 200_000
MAX_REPLY_BYTES = 32 * 2**20   # what one answer, junk included, may send
_counter = itertools.count()
_SLOTS: set[int] = set()      # slots in use in this process (each slot is a uid)
_LOCK = threading.Lock()


class Isolation:
    """How student code is run: ``mode`` is ``"namespaces"`` or ``"process"``."""

    def __init__(self, mode: str, cgroups: bool = False, reason: str = ""):
        self.mode, self.cgroups, self.reason = mode, cgroups, reason
        self._base = UID_BASE + (os.getpid() % 50_000) * 16

    @property
    def strong(self) -> bool:
        return self.mode == "namespaces"

    def describe(self) -> str:
        if self.strong:
            return ("isolation: namespaces — each submission runs as its own unprivileged user in its own "
                    "PID, mount and network namespaces, sees only the OS, Python and the gdlearn package, "
                    "with hard limits" + (" and a memory/process cgroup" if self.cgroups else
                                          " (per-process memory limit: no writable cgroup)"))
        return ("isolation: process only (" + self.reason + ") — limits stop careless notebooks, not an "
                "attacker: student code runs as this user and can read solutions/. Grade untrusted "
                "submissions as root, in a container, or on Gradescope")

    def take_slot(self) -> int:
        """A slot (hence a uid) no other run of this process uses now, whatever Grader asks."""
        with _LOCK:
            slot = next(i for i in itertools.count() if i not in _SLOTS)
            if slot >= 16:
                raise RuntimeError("more than 16 submissions at once in one process")
            _SLOTS.add(slot)
            return slot

    def free_slot(self, slot: int) -> None:
        with _LOCK:
            _SLOTS.discard(slot)

    def uid(self, slot: int) -> int:
        return self._base + slot


def _env(home: str) -> dict:
    package_parent = str(PACKAGE_DIR.parent)
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "HOME": home, "IPYTHONDIR": os.path.join(home, ".ipython"),
            "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "PYTHONPATH": package_parent,
            "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "GDLEARN_STATIC": "1",
            "PYTHONNOUSERSITE": "1"}


def _binds() -> list[str]:
    """What the jail shows besides the OS: Python, the venv, the gdlearn package folder."""
    places = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix,
              os.path.dirname(os.path.realpath(sys.executable)), str(PACKAGE_DIR)}
    return sorted(p for p in places if p and p != "/")


def _make_cgroups(name: str, memory_mb: float, pids: int) -> list[str]:
    made = []
    try:
        memory = CGROUP_ROOT / "memory" / "gdlearn" / name
        memory.mkdir(parents=True)
        made.append(str(memory))
        (memory / "memory.limit_in_bytes").write_text(str(int(memory_mb * 2**20)))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(int(memory_mb * 2**20)))
        pid_group = CGROUP_ROOT / "pids" / "gdlearn" / name
        pid_group.mkdir(parents=True)
        made.append(str(pid_group))
        (pid_group / "pids.max").write_text(str(pids))
    except OSError:
        _remove_cgroups(made)
        raise
    return made


def _remove_cgroups(paths: list[str]) -> None:
    for path in paths:
        procs = Path(path) / "cgroup.procs"
        for _ in range(100):
            try:
                pids = [int(p) for p in procs.read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)


def detect(force: str | None = None) -> Isolation:
    """The strongest mode that works here (``force="process"`` asks for the weak one).

    ``force`` defaults to ``$GDLEARN_ISOLATION`` (``namespaces``, ``process`` or ``auto``):
    ``namespaces`` raises :class:`RuntimeError` rather than fall back to the weak mode.
    """
    force = force or os.environ.get("GDLEARN_ISOLATION") or None
    force = None if force == "auto" else force
    if force == "process":
        return Isolation("process", reason="asked for with --isolation process")
    if os.geteuid() != 0:
        reason = "the grader does not run as root"
    elif shutil.which("unshare") is None:
        reason = "`unshare` (util-linux) is missing"
    else:
        iso = Isolation("namespaces")
        iso.cgroups = _cgroups_work()
        ok, detail = _probe(iso)
        if ok:
            return iso
        reason = f"namespaces do not work here ({detail})"
    if force == "namespaces":
        raise RuntimeError(f"--isolation namespaces: {reason}")
    return Isolation("process", reason=reason)


def _remove_stale_cgroups() -> None:
    """The cgroups of graders that were killed before they could clean up (their pid is gone)."""
    for kind in ("memory", "pids"):
        folder = CGROUP_ROOT / kind / "gdlearn"
        try:
            names = [p.name for p in folder.iterdir() if p.is_dir()]
        except OSError:
            continue
        for name in names:
            owner = name.split("-", 1)[0]
            if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                _remove_cgroups([str(folder / name)])


def _cgroups_work() -> bool:
    _remove_stale_cgroups()
    try:
        paths = _make_cgroups(f"{os.getpid()}-probe", 256, 16)
    except OSError:
        return False
    _remove_cgroups(paths)
    return True


def _probe(iso: Isolation) -> tuple[bool, str]:
    """Run the jail once with a tiny command: does it start, and is it another user?"""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gdlearn-probe-") as tmp:
        code = "import os, gdlearn.grading.values; print(os.getuid())"
        cmd = _jail_command(iso, 0, [sys.executable, "-c", code], tmp, 512, [])
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=60, env=_env("/tmp/work"))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        out = proc.stdout.decode(errors="replace").strip()
        if proc.returncode != 0 or out != str(iso.uid(0)):
            return False, (proc.stderr.decode(errors="replace").strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return True, ""


def _jail_command(iso: Isolation, slot: int, argv: list[str], tmp: str, memory_mb: float,
                  cgroups: list[str]) -> list[str]:
    import resource

    uid = iso.uid(slot)
    config = {"root": os.path.join(tmp, "root"), "binds": _binds(), "workdir": "/tmp/work",
              "uid": uid, "gid": uid, "tmp_mb": 64, "cgroups": cgroups, "argv": argv, "env": _env("/tmp/work"),
              "rlimits": {"RLIMIT_FSIZE": 64 * 2**20, "RLIMIT_NPROC": 64, "RLIMIT_NOFILE": 256,
                          "RLIMIT_CORE": 0, "RLIMIT_AS": int(max(memory_mb, 512) * 2**20)}}
    assert all(hasattr(resource, k) for k in config["rlimits"])
    # jail.py runs as a script (-I: no environment, -S: no site): the standard library only, fast
    return ["unshare", "--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc", "--uts", "--",
            sys.executable, "-I", "-S", str(PACKAGE_DIR / "grading" / "jail.py"), json.dumps(config)]


class Session:
    """One run of a submission's process: ask it things, one at a time, each with its own deadline."""

    def __init__(self, iso: Isolation, slot: int, timeout: float, memory_mb: float, tmp: str):
        self.iso, self.timeout, self.memory_mb = iso, timeout, memory_mb
        self.buffer, self.proc, self.cgroups = b"", None, []
        self.stderr_path = os.path.join(tmp, "stderr")
        read_fd, write_fd = os.pipe()
        self.read_fd = read_fd
        sandbox = [sys.executable, "-m", "gdlearn.grading.sandbox", str(write_fd)]
        try:
            if iso.strong:
                if iso.cgroups:
                    try:
                        self.cgroups = _make_cgroups(f"{os.getpid()}-{slot}-{next(_counter)}", memory_mb + 64, 64)
                    except OSError:
                        self.cgroups = []
                cmd, env = _jail_command(iso, slot, sandbox, tmp, memory_mb, self.cgroups), _env("/tmp/work")
                cwd = "/"
            else:
                work = os.path.join(tmp, "work")
                os.makedirs(work, exist_ok=True)
                cmd, env, cwd = sandbox, _env(work), work
            with open(self.stderr_path, "wb") as stderr:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=stderr, pass_fds=(write_fd,), env=env, cwd=cwd,
                                             start_new_session=True)
        finally:
            os.close(write_fd)
        os.set_blocking(read_fd, False)

    def send(self, request: dict) -> bool:
        try:
            self.proc.stdin.write((json.dumps(request, allow_nan=True) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def wait_for(self, event: str, index: int | None, deadline: float) -> tuple[dict | None, str]:
        """The answer ``event`` for ``index``, or ``(None, why not)``: "hang", "exit" or "flood".

        Every other line is ignored; none of them moves the deadline.
        """
        received = 0
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                reply = _parse(line)
                if reply is not None and reply["event"] == event and reply.get("index") == index:
                    return reply, ""
            left = deadline - time.monotonic()
            if left <= 0:
                return None, "hang"
            ready, _, _ = select.select([self.read_fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self.read_fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                return None, "exit"
            received += len(chunk)
            if received > MAX_REPLY_BYTES:
                return None, "flood"
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY_BYTES:
                return None, "flood"

    def returncode(self) -> int | None:
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 2000))
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    def close(self) -> None:
        """Kill the process and everything it started (its PID namespace, its cgroup)."""
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:  # unshare, its process group; --kill-child then kills the namespace's process 1
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except OSError:
                pass
            self.proc.wait()
        _remove_cgroups(self.cgroups)
        try:
            os.close(self.read_fd)
        except OSError:
            pass


def _parse(line: bytes) -> dict | None:
    if len(line) > MAX_REPLY_BYTES:
        return None
    try:
        event = json.loads(line)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    if not (isinstance(event, dict) and isinstance(event.get("event"), str)):
        return None
    if "index" in event and not (isinstance(event["index"], int) and not isinstance(event["index"], bool)):
        return None
    return event
