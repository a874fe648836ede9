"""The tracker under gunicorn on a free loopback port, as in production, for tests that send real
HTTP requests (test_schemathesis.py): started on the test's database, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker_helpers import CONTENT

from tracker.services import keys

STARTUP_SECONDS = 30
WORKERS = 2  # the CI machine's cores


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app, log: Path) -> Iterator[str]:
    """Serve the tracker on the database of the test's ``app``, with its keys (the audit chain goes on
    unbroken); yields its base URL. The server's output goes to ``log``."""
    port = free_port()
    instance = Path(app.instance_path)
    environment = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "TRACKER_CONTENT_DIR": str(CONTENT), "TRACKER_SECRET_KEY": "test-secret-" + "x" * 32,
                   "TRACKER_SYNC_ON_START": "0", "TRACKER_SECURE_COOKIES": "0",
                   "TRACKER_AUDIT_KEY_FILE": str(instance / keys.AUDIT_KEY_FILE),
                   "TRACKER_EVIDENCE_KEY_FILE": str(instance / keys.EVIDENCE_KEY_FILE)}
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "60",
               "tracker:create_app()"]
    with log.open("w") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, base, log)
        yield base
    finally:
        server.send_signal(signal.SIGINT)  # a quick shutdown: nothing is left to finish
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")
