"""The student's jail: a fresh root, another user, hard limits; then the sandbox.

The grader, when it runs as root, starts each submission as::

    unshare --pid --fork --kill-child --mount --net --ipc --uts -- \\
        python -m gdlearn.grading.jail CONFIG_JSON

This module then runs as process 1 of a new PID namespace, still root, in
a new mount namespace with no network. It

1. joins the submission's cgroup (memory and process count for the whole
   submission), if the grader made one;
2. builds a root of its own on a tmpfs: read-only, nosuid bind mounts of
   ``/usr``, ``/lib*``, ``/bin``, ``/etc``, the Python installation, the
   virtual environment and the ``gdlearn`` package folder only — no
   ``solutions/``, no tests, no other submission, no grade file exists
   there; a private ``/proc`` (this namespace's processes only), a ``/dev``
   with ``null``, ``zero``, ``random`` and ``urandom``, and a small private
   ``/tmp`` (the work folder) that vanishes with the namespace;
3. forks the sandbox process, which sets hard resource limits
   (``RLIMIT_AS``, ``RLIMIT_FSIZE``, ``RLIMIT_NPROC``, ``RLIMIT_NOFILE``,
   ``RLIMIT_CORE``: soft = hard, so the notebook cannot raise them), enters
   the new root, drops to an unprivileged uid/gid with no supplementary
   groups and no capabilities, sets ``no_new_privs`` and executes
   :mod:`gdlearn.grading.sandbox`;
4. waits for it, reaping every orphan, and exits with its status. When
   process 1 exits — or is killed: ``unshare --kill-child`` kills it when the
   grader kills ``unshare`` — the kernel kills every process of the
   namespace, whatever session or process group it made for itself.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys

__all__ = ["main"]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    if _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _bind(path: str, root: str, writable: bool = False, device: bool = False) -> None:
    """Make ``path`` visible at the same place under ``root`` (read-only, nosuid)."""
    if not os.path.exists(path):
        return
    target = root + path
    if os.path.islink(path) and os.path.dirname(path) == "/":   # /bin -> usr/bin on merged-/usr systems
        if not os.path.lexists(target):
            os.symlink(os.readlink(path), target)
        return
    real = os.path.realpath(path)
    if os.path.isdir(real):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        if not os.path.exists(target):
            open(target, "wb").close()
    _mount(real, target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (0 if device else MS_NODEV) | (0 if writable else MS_RDONLY)
    _mount(None, target, None, flags)


def _build_root(config: dict) -> str:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)   # nothing mounted here propagates outside
    root = config["root"]
    os.makedirs(root, exist_ok=True)
    _mount("gdlearn-root", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"):
        _bind(path, root)
    os.makedirs(root + "/tmp", exist_ok=True)
    size = int(config["tmp_mb"])
    _mount("gdlearn-tmp", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=1777")
    for path in config["binds"]:  # after /tmp: a course installed under /tmp stays visible
        _bind(path, root)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/dev", exist_ok=True)
    _mount("gdlearn-dev", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in ("null", "zero", "full", "random", "urandom"):
        _bind("/dev/" + name, root, writable=True, device=True)
    os.makedirs(root + "/dev/shm", exist_ok=True)
    _mount("gdlearn-shm", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=1777")
    work = root + config["workdir"]
    os.makedirs(work, mode=0o700, exist_ok=True)
    os.chown(work, config["uid"], config["gid"])
    _mount(None, root, None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_RDONLY)
    return root


def _join_cgroups(paths: list[str]) -> None:
    for path in paths:
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))


def _child(config: dict, root: str) -> None:
    import resource

    try:
        for name, value in config["rlimits"].items():
            resource.setrlimit(getattr(resource, name), (value, value))
        os.chroot(root)
        os.chdir(config["workdir"])
        os.setgroups([])
        os.setresgid(config["gid"], config["gid"], config["gid"])
        os.setresuid(config["uid"], config["uid"], config["uid"])
        if _libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if os.getuid() == 0 or os.geteuid() == 0:
            raise OSError("still root")
        os.execve(config["argv"][0], config["argv"], config["env"])
    except BaseException as exc:  # noqa: BLE001 - never run the student's code if a step failed
        os.write(2, f"gdlearn jail: {type(exc).__name__}: {exc}\n".encode())
    os._exit(70)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    config = json.loads(argv[1])
    try:
        _join_cgroups(config.get("cgroups", []))
        root = _build_root(config)
    except OSError as exc:
        os.write(2, f"gdlearn jail: {exc}\n".encode())
        return 70
    pid = os.fork()
    if pid == 0:
        _child(config, root)
    status = 70
    while True:  # process 1 reaps every orphan; it ends when the sandbox ends
        try:
            done, raw = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if done == pid:
            status = os.waitstatus_to_exitcode(raw)
            break
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    os._exit(main())
