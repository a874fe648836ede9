"""Many people signing policies at once through gunicorn: nothing confirmed may be lost or recorded twice.

Run:
    .venv/bin/python benchmarks/load_acknowledgements.py [--database sqlite|postgresql|both]
        [--requests 5000] [--clients 24] [--workers 2] [--kill-worker]

For each database it starts the tracker under gunicorn on 127.0.0.1 (a temporary SQLite file, or a
scratch PostgreSQL database created and dropped here), seeds staff with API tokens, and has
``--clients`` threads send ``--requests`` POST /api/v1/acknowledgements between them: a mix of first
signatures (201) and repeats of earlier ones (200), some of them racing for the same signature.
With ``--kill-worker`` one gunicorn worker is killed with SIGKILL a third of the way through;
requests it was serving lose their connection (counted apart: they were never confirmed).

Then it checks the database: every confirmed (201/200) record is there once, with the staff member
and policy version the response named; no (staff, policy version) has two rows; no 5xx; the audit
chain verifies; and there is exactly one acknowledgement audit event per row. It prints a table and
exits 1 if any check fails. Every run is bounded by ``--requests`` and ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from _server import Seeded, TrackerServer, app_for, prepare, scratch_database  # noqa: E402

from tracker.services import audit  # noqa: E402
from tracker.storage.db import db  # noqa: E402
from tracker.storage.models import Acknowledgement, AuditEvent, PolicyVersion  # noqa: E402

ACK_EVENT = "acknowledgement.recorded"
REQUEST_TIMEOUT_SECONDS = 60
# Share of requests that name a signature never asked for before: the rest repeat one (a 200).
UNIQUE_SHARE = 0.4


@dataclass(frozen=True)
class Signature:
    token: str
    staff_id: int
    body: bytes
    policy_id: str
    version: int


@dataclass
class Outcome:
    status: int | None  # None: the connection failed before a response arrived
    seconds: float
    record: dict | None = None
    error: str = ""


def plan(seeded: Seeded, requests: int, rng: random.Random) -> list[Signature]:
    """``requests`` signatures drawn from a pool of distinct (person, policy) pairs, so that most
    pairs are asked for more than once, sometimes by two clients at the same moment."""
    pairs = [(person, policy) for person in seeded.staff for policy in seeded.policies]
    rng.shuffle(pairs)
    pool = pairs[:max(1, min(len(pairs), int(requests * UNIQUE_SHARE)))]
    chosen = [rng.choice(pool) for _ in range(requests)]
    return [Signature(person.token, person.staff_id, json.dumps({
        "policy_id": policy.policy_id, "version": policy.version, "fingerprint": policy.fingerprint,
        "signature_name": person.name}).encode(), policy.policy_id, policy.version) for person, policy in chosen]


def send(port: int, signature: Signature) -> Outcome:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request("POST", "/api/v1/acknowledgements", body=signature.body, headers={
            "Authorization": f"Bearer {signature.token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as error:  # reset, refused, timed out, cut short
        return Outcome(None, time.perf_counter() - started, error=type(error).__name__)
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    record = json.loads(payload) if response.status in (200, 201) else None
    return Outcome(response.status, elapsed, record)


@dataclass
class Run:
    database: str
    signatures: list[Signature]
    clients: int
    outcomes: list[tuple[Signature, Outcome]] = field(default_factory=list)
    seconds: float = 0.0
    killed_worker: int | None = None


def drive(server: TrackerServer, run: Run, clients: int, max_seconds: float, kill_worker: bool) -> None:
    """Send every planned request from ``clients`` threads; stop early at the time limit."""
    queue = iter(run.signatures)
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    kill_after = len(run.signatures) // 3 if kill_worker else None

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                signature = next(queue, None)
                if signature is None:
                    return
                if kill_after is not None and run.killed_worker is None and len(run.outcomes) >= kill_after:
                    run.killed_worker = server.kill_worker()
            outcome = send(server.port, signature)
            with lock:
                run.outcomes.append((signature, outcome))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started


@dataclass
class Report:
    database: str
    sent: int
    created: int
    repeated: int
    other_4xx: int
    server_errors: int
    connection_errors: int
    rows: int
    lost: int
    duplicated: int
    unconfirmed_rows: int
    chain: str
    events_match: bool
    throughput: float
    p50_ms: float
    p95_ms: float
    killed_worker: int | None
    # Cut-off requests are expected only from a killed worker, and at most one per client in flight;
    # more means the server stopped serving (e.g. gunicorn could not start a new worker).
    allowed_connection_errors: int = 0

    @property
    def ok(self) -> bool:
        return (self.server_errors == 0 and self.lost == 0 and self.duplicated == 0 and self.chain == "OK"
                and self.events_match and (self.created + self.repeated) > 0
                and self.connection_errors <= self.allowed_connection_errors)


def check(database_url: str, run: Run) -> Report:
    """Compare what the clients were told with what the database holds."""
    statuses = Counter(outcome.status for _, outcome in run.outcomes)
    confirmed = [(signature, outcome.record) for signature, outcome in run.outcomes if outcome.status in (200, 201)]
    app = app_for(database_url)
    with app.app_context():
        rows = {ack_id: (staff_id, policy_id, version) for ack_id, staff_id, policy_id, version in db.session.execute(
            select(Acknowledgement.id, Acknowledgement.staff_id, PolicyVersion.policy_id, PolicyVersion.version)
            .join(PolicyVersion))}
        per_pair = Counter(rows.values())
        events = set(db.session.scalars(select(AuditEvent.subject).where(AuditEvent.action == ACK_EVENT)))
        event_count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action == ACK_EVENT))
        verification = audit.verify()
        db.engine.dispose()
    lost = sum(1 for signature, record in confirmed
               if rows.get(record["id"]) != (signature.staff_id, signature.policy_id, signature.version))
    created_per_pair = Counter((s.staff_id, s.policy_id, s.version) for s, o in run.outcomes if o.status == 201)
    duplicated = sum(n - 1 for n in per_pair.values() if n > 1) + sum(n - 1 for n in created_per_pair.values() if n > 1)
    confirmed_ids = {record["id"] for _, record in confirmed}
    latencies = sorted(outcome.seconds * 1000 for _, outcome in run.outcomes if outcome.status is not None)
    return Report(
        database=run.database, sent=len(run.outcomes), created=statuses[201], repeated=statuses[200],
        other_4xx=sum(n for status, n in statuses.items() if status and 400 <= status < 500),
        server_errors=sum(n for status, n in statuses.items() if status and status >= 500),
        connection_errors=statuses[None], rows=len(rows), lost=lost, duplicated=duplicated,
        unconfirmed_rows=len(set(rows) - confirmed_ids),
        chain="OK" if verification.ok else f"BROKEN at {verification.broken_seq}",
        events_match=event_count == len(rows) and events == {f"acknowledgement:{i}" for i in rows},
        throughput=len(run.outcomes) / run.seconds if run.seconds else 0.0,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else 0.0,
        killed_worker=run.killed_worker, allowed_connection_errors=run.clients if run.killed_worker else 0)


COLUMNS = [("database", "database", "{}"), ("sent", "sent", "{}"), ("201", "created", "{}"),
           ("200", "repeated", "{}"), ("other 4xx", "other_4xx", "{}"), ("5xx", "server_errors", "{}"),
           ("conn. errors", "connection_errors", "{}"), ("rows", "rows", "{}"), ("lost", "lost", "{}"),
           ("duplicated", "duplicated", "{}"), ("unconfirmed rows", "unconfirmed_rows", "{}"),
           ("audit chain", "chain", "{}"), ("1 event/row", "events_match", "{}"),
           ("req/s", "throughput", "{:.0f}"), ("p50 ms", "p50_ms", "{:.1f}"), ("p95 ms", "p95_ms", "{:.1f}"),
           ("killed worker", "killed_worker", "{}")]


def table(reports: list[Report]) -> str:
    rows = [[title for title, _, _ in COLUMNS]]
    rows += [[fmt.format(getattr(report, name)) for _, name, fmt in COLUMNS] for report in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def run_on(database: str, args: argparse.Namespace, workdir: Path) -> Report:
    rng = random.Random(args.seed)
    with scratch_database(database, workdir) as url:
        seeded = prepare(url, staff=args.staff)
        run = Run(database, plan(seeded, args.requests, rng), args.clients)
        with TrackerServer(url, workers=args.workers, threads=args.threads,
                           log_path=workdir / f"gunicorn-{database}.log") as server:
            drive(server, run, args.clients, args.max_seconds, args.kill_worker)
        return check(url, run)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=5000, help="requests in all (at most 100,000)")
    parser.add_argument("--clients", type=int, default=24, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread workers)")
    parser.add_argument("--staff", type=int, default=40, help="staff members with API tokens")
    parser.add_argument("--max-seconds", type=float, default=600, help="time limit per database")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one worker a third of the way in")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 1 <= args.clients <= 200 or args.workers < 1:
        parser.error("--requests 1..100000, --clients 1..200, --workers >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    reports = []
    with tempfile.TemporaryDirectory(prefix="tracker-load-") as folder:
        for database in databases:
            workdir = Path(folder) / database
            workdir.mkdir()
            reports.append(run_on(database, args, workdir))
            print(table(reports[-1:]), flush=True)  # each database as soon as it is done
    mode = "one worker SIGKILLed mid-run" if args.kill_worker else "no faults"
    print(f"\n{args.requests} requests, {args.clients} clients, {args.workers} gunicorn workers "
          f"x {args.threads} thread(s), {mode}:")
    print(table(reports))
    failed = [r.database for r in reports if not r.ok]
    print("FAILED: " + ", ".join(failed) if failed else "OK: nothing lost, nothing duplicated, chain intact")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
