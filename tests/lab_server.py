"""A throwaway JupyterLab server for the browser test and the browser benchmark.

Not a test module: ``tests/test_browser.py`` and ``benchmarks/browser_bench.py``
import it.  :func:`lab_server` starts JupyterLab on a free local port with a
random token on a folder (a copy of the course), with user settings that keep
news and update toasts off the page and every cell attached to the DOM; it
stops the server and its kernels on exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

# JupyterLab user settings for the throwaway server: no news/update toasts
# over the notebook, and every cell attached to the DOM (no windowing).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


class LabError(RuntimeError):
    """The server exited or did not answer."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(root: Path, workdir: Path, start_timeout: float = 60.0):
    """Yield (base_url, token, log_path) of a JupyterLab server serving `root`.

    `workdir` receives the server's config and runtime folders and its log.
    Raises :class:`LabError` if the server exits or does not answer in time.
    """
    config_dir, runtime_dir = workdir / "jupyter-config", workdir / "jupyter-runtime"
    for name, settings in LAB_SETTINGS.items():
        path = config_dir / "lab" / "user-settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    runtime_dir.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JUPYTER_TOKEN")}
    env.update(JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_RUNTIME_DIR=str(runtime_dir), PYTHONUNBUFFERED="1")
    log_path = workdir / "jupyter-server.log"
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",  # CI runs as root
        "--LabApp.extension_manager=readonly",  # do not query PyPI for extensions
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if server.poll() is not None:
                raise LabError(f"jupyter lab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LabError(f"jupyter lab did not answer within {start_timeout:.0f} s:\n"
                               f"{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield base, token, log_path
    finally:
        # the server shuts its kernels down on SIGTERM; the group kill is a backstop
        try:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=10)
