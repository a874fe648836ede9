"""The tracker under gunicorn on a scratch database, for benchmarks and fault drills on this machine.

    with scratch_database("postgresql", workdir) as url:
        seeded = prepare(url, staff=40)
        with TrackerServer(url, workers=2) as server:
            ...  # send requests to server.base_url with Authorization: Bearer <seeded.people[n].token>

The database is migrated and synced from the shipped content library, then seeded with staff, their
accounts and one API token each, before gunicorn starts; so workers start against a current schema,
as after a deploy's `flask db upgrade` and `flask sync`. Everything listens on 127.0.0.1 only and
refuses a PostgreSQL server anywhere else: benchmarks here never send traffic off this machine.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import create_engine, make_url

from tracker import create_app
from tracker.services import keys, people, served_catalogue, tokens
from tracker.services.sync import sync
from tracker.storage.db import db

REPO = Path(__file__).resolve().parents[1]
# One audit key and one evidence key per run, shared by the server and the setup and checks around it.
AUDIT_KEY = secrets.token_hex(32)
_KEY_FOLDER = tempfile.TemporaryDirectory(prefix="tracker-bench-keys-")
EVIDENCE_KEY_FILE = Path(_KEY_FOLDER.name) / "evidence-signing.key"
EVIDENCE_KEY_FILE.write_bytes(keys.new_evidence_key_pem())
KEY_SETTINGS = {"TRACKER_AUDIT_KEY": AUDIT_KEY, "TRACKER_EVIDENCE_KEY_FILE": str(EVIDENCE_KEY_FILE)}
CONTENT_DIR = REPO  # the shipped library: policies/ and training/ of this checkout
LOOPBACK = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
POSTGRES_SERVER_ENV = "TRACKER_TEST_DATABASE_URL"
DEFAULT_POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ACTOR = "benchmark"
READY_TIMEOUT_SECONDS = 60


def postgres_server_url() -> str:
    """The PostgreSQL server to create scratch databases on (the test suite's, by default)."""
    return os.environ.get(POSTGRES_SERVER_ENV) or DEFAULT_POSTGRES_SERVER


def _require_loopback(url) -> None:
    host = url.host or LOOPBACK
    if host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise SystemExit(f"refusing PostgreSQL server {host}: benchmarks run against 127.0.0.1 only")


@contextmanager
def scratch_database(backend: str, workdir: Path, server_url: str | None = None) -> Iterator[str]:
    """A new, empty database: a file under workdir, or a uniquely named PostgreSQL database that is
    dropped (with any connections still open) when the block ends."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'tracker.db'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}: sqlite or postgresql")
    server = make_url(server_url or postgres_server_url())
    _require_loopback(server)
    name = f"tracker_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass(frozen=True)
class Person:
    staff_id: int
    email: str
    name: str
    account_role: str
    token: str  # for Authorization: Bearer <token>


@dataclass(frozen=True)
class PolicyText:
    """What a signature names: the current version of a policy and its fingerprint."""

    policy_id: str
    version: int
    fingerprint: str


@dataclass(frozen=True)
class Seeded:
    people: list[Person]
    policies: list[PolicyText]

    @property
    def staff(self) -> list[Person]:
        return [p for p in self.people if p.account_role == "staff"]


def app_for(database_url: str, content_dir: Path = CONTENT_DIR):
    """An app on the database for setting up and checking it, outside the server."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secrets.token_hex(16),
                       "TRACKER_CONTENT_DIR": content_dir, "TRACKER_SYNC_ON_START": False, **KEY_SETTINGS})


def prepare(database_url: str, staff: int = 40, managers: int = 1, content_dir: Path = CONTENT_DIR) -> Seeded:
    """Migrate and sync the database, then add ``staff`` staff and ``managers`` managers, each with an
    account and an API token; returns them and the current policies."""
    app = app_for(database_url, content_dir)
    with app.app_context():
        flask_migrate.upgrade()
        sync(content_dir, ACTOR)
        catalogue = served_catalogue.required()
        role, location = next(iter(catalogue.roles)), next(iter(catalogue.locations))
        password = secrets.token_urlsafe(16)
        seeded = [_add_person(n, "staff", role, location, password) for n in range(staff)]
        seeded += [_add_person(n, "manager", role, location, password) for n in range(managers)]
        policies = [PolicyText(p.id, p.version, p.fingerprint) for p in catalogue.policies.values()]
        db.session.remove()
        db.engine.dispose()
    return Seeded(seeded, policies)


def _add_person(number: int, account_role: str, role: str, location: str, password: str) -> Person:
    data = people.StaffData(name=f"Bench {account_role.title()} {number:04d}",
                            email=f"{account_role}{number:04d}@bench.example", job_title="", roles=(role,),
                            location_id=location, hire_date=date.today() - timedelta(days=30))
    staff = people.create_staff(data, ACTOR)
    user = people.create_user(staff, account_role, password, ACTOR)
    token = tokens.issue_token(user, ACTOR)
    db.session.commit()
    return Person(staff.id, staff.email, staff.name, account_role, token)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, list[str]] | None:
    """A process's command name and the fields of /proc/<pid>/stat after it (Linux); None once it has
    ended. The name is in parentheses and may hold spaces, so the fields start after the last ")":
    the state is [0], the parent id [1], user and system CPU ticks [11] and [12]."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    head, _, rest = stat.rpartition(")")
    return head.partition("(")[2], rest.split()


def _processes() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command name, stat fields) of every process now running."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            yield int(entry.name), *found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far; 0 if it has ended."""
    found = _stat(pid)
    return (int(found[1][11]) + int(found[1][12])) / _CLOCK_TICKS if found else 0.0


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (the postmaster, its backends and helpers)."""
    return [pid for pid, name, _ in _processes() if name == "postgres"]


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``: gunicorn's workers, given the master."""
    return sorted(child for child, _, fields in _processes() if int(fields[1]) == pid)


class TrackerServer:
    """``gunicorn -w N 'tracker:create_app()'`` on a free 127.0.0.1 port against ``database_url``."""

    def __init__(self, database_url: str, workers: int = 2, threads: int = 1, log_path: Path | None = None,
                 content_dir: Path = CONTENT_DIR, timeout: int = 60):
        self.database_url, self.workers, self.threads = database_url, workers, threads
        self.log_path, self.content_dir, self.timeout = log_path, content_dir, timeout
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        worker_class = "gthread" if self.threads > 1 else "sync"
        return [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", worker_class,
                "--threads", str(self.threads), "--bind", f"{LOOPBACK}:{self.port}", "--timeout", str(self.timeout),
                "--graceful-timeout", "10", "tracker:create_app()"]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "TRACKER_DATABASE_URL": self.database_url,
                "TRACKER_SECRET_KEY": secrets.token_hex(32), "TRACKER_CONTENT_DIR": str(self.content_dir),
                "TRACKER_ENV": "production", **KEY_SETTINGS}

    def start(self) -> TrackerServer:
        self.port = free_port()
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), cwd=REPO, env=self.environment(),
                                        stdout=self._log, stderr=self._log)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            if len(self.worker_pids()) >= self.workers and self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no log: pass log_path to keep gunicorn's output)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/openapi.json", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def kill_worker(self) -> int:
        """SIGKILL one worker, as the kernel's OOM killer or a crash would; gunicorn starts another."""
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self._log = None

    def __enter__(self) -> TrackerServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
