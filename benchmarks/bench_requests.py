"""The request path under gunicorn: a bare Flask floor, authenticated GET /api/v1/me, and acknowledgements.

Run: .venv/bin/python benchmarks/bench_requests.py [--database sqlite|postgresql|both]
     [--requests 2000] [--clients 24] [--workers 2] [--staff 60]

Every figure comes from the same gunicorn settings (2 sync workers by default) on loopback, with
``--clients`` threads sending requests on fresh connections:

- floor: a bare Flask app answering a small JSON body (no database), warm;
- /me cold: the first request of every client at once, right after the tracker's workers started
  (each worker's first connection, statements and caches); /me warm: ``--requests`` after that;
- /me after a write: each client alternates a new signature and a GET /api/v1/me, and the /me
  latencies are reported (whatever a write makes stale, the next read pays for);
- acks warm: ``--requests`` new signatures (201s with their audit events) on a warmed server;
  acks cold: the first signature of every client at once after a fresh restart.

Afterwards the load script's checks run over every signature sent: nothing lost, nothing
duplicated, one audit event per row, the audit chain intact. Exits 1 if any check fails.
The table's "ratio" is /me warm throughput over the floor's (the target is at least 0.5); the
acknowledgement target is at least 500 per second on PostgreSQL with 2 workers.

Requests per second move with the machine's speed, which on a shared machine changes by tens of
percent from one minute to the next. So for the floor, /me warm and acks warm the script also reports
the CPU time each party spent per request ("w/db/load": gunicorn's workers, PostgreSQL's processes,
this load generator; SQLite's work is inside the workers), read from /proc. Their sum sets a ceiling:
the machine's cores can serve at most cores x 1000 / (total ms) requests per second, whatever the
server does with its time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _server import TrackerServer, cpu_seconds, postgres_pids, prepare, scratch_database  # noqa: E402
from load_acknowledgements import Run, Signature, check, plan, send  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
BARE_PATH = "/bare"
ACK_TARGET = 500


def bare_app():
    """A Flask app with one small JSON endpoint and nothing else: the floor of Flask under gunicorn."""
    from flask import Flask, jsonify

    app = Flask("bare")
    app.add_url_rule(BARE_PATH, "bare", lambda: jsonify({"id": 1, "email": "floor@bench.example"}))
    # TrackerServer waits for this path to answer before it hands the server over.
    app.add_url_rule("/api/v1/openapi.json", "ready", lambda: jsonify({}))
    return app


class BareServer(TrackerServer):
    """The bare app under the same gunicorn command line as the tracker."""

    def command(self) -> list[str]:
        command = super().command()
        return [*command[:-1], "--chdir", str(BENCH_DIR), "bench_requests:bare_app()"]


def get(port: int, path: str, token: str | None) -> float:
    """Seconds for one GET on a fresh connection; fails on anything but a 200."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    finally:
        connection.close()
    return time.perf_counter() - started


def in_parallel(clients: int, jobs: int, job: Callable[[int], list[float]]) -> tuple[float, list[float]]:
    """Run ``jobs`` jobs from ``clients`` threads; (elapsed seconds, latencies the jobs returned)."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = iter(range(jobs))

    def client() -> None:
        while True:
            with lock:
                number = next(remaining, None)
            if number is None:
                return
            found = job(number)
            with lock:
                latencies.extend(found)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 2 else max(latencies, default=0.0)


def throughput(clients: int, jobs: int, job: Callable[[int], list[float]]) -> dict[str, float]:
    elapsed, latencies = in_parallel(clients, jobs, job)
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies), "p95": p95(latencies)}


class CpuShares:
    """CPU time each party spends per request over a phase: the gunicorn workers, PostgreSQL's processes
    (every one on the machine: run on a quiet one) and this load generator. Unlike requests per second,
    these barely move when the machine's speed does, and their sum says how many requests per second
    the machine's cores could serve at best."""

    def __init__(self, server: TrackerServer, postgres: bool):
        self.server, self.postgres = server, postgres
        self.before: dict[str, dict[int, float]] = {}
        self.load_before = 0.0

    def _now(self) -> dict[str, dict[int, float]]:
        database_pids = postgres_pids() if self.postgres else []
        return {"workers": {pid: cpu_seconds(pid) for pid in self.server.worker_pids()},
                "database": {pid: cpu_seconds(pid) for pid in database_pids}}

    def start(self) -> None:
        self.before, self.load_before = self._now(), time.process_time()

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request of each party since start(), and the ceiling they imply."""
        after, load = self._now(), time.process_time() - self.load_before
        # A process born during the phase (a new database connection) counts from zero.
        spent = {party: sum(seconds - self.before[party].get(pid, 0.0) for pid, seconds in pids.items())
                 for party, pids in after.items()}
        shares = {party: seconds * 1000 / requests for party, seconds in {**spent, "load": load}.items()}
        total = sum(shares.values())
        return {**shares, "total": total, "ceiling": (os.cpu_count() or 1) * 1000 / total}


def measured(shares: CpuShares, clients: int, jobs: int, job: Callable[[int], list[float]]) -> dict[str, float]:
    """``throughput`` with the CPU each party spent per request ("cpu_workers", "cpu_ceiling", ...)."""
    shares.start()
    figures = throughput(clients, jobs, job)
    return {**figures, **{f"cpu_{party}": ms for party, ms in shares.per_request(jobs).items()}}


def burst(clients: int, job: Callable[[int], list[float]]) -> dict[str, float]:
    """One request per client, all at once: what the first requests to a fresh server wait."""
    _, latencies = in_parallel(clients, clients, job)
    return {"p50": statistics.median(latencies), "max": max(latencies)}


def signing(port: int, signatures: list[Signature], run: Run, lock: threading.Lock) -> Callable[[int], list[float]]:
    """A job sending signature ``n`` and keeping its outcome in ``run`` for the checks."""
    def job(number: int) -> list[float]:
        outcome = send(port, signatures[number])
        with lock:
            run.outcomes.append((signatures[number], outcome))
        assert outcome.status == 201, (outcome.status, outcome.error)
        return [outcome.seconds]
    return job


def measure_floor(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    with BareServer("sqlite://", workers=args.workers, log_path=workdir / "bare.log") as server:
        cold = burst(args.clients, lambda n: [get(server.port, BARE_PATH, None)])
        warm = measured(CpuShares(server, postgres=False), args.clients, args.requests,
                        lambda n: [get(server.port, BARE_PATH, None)])
    return {"floor_cold_p50": cold["p50"], "floor_cold_max": cold["max"], "floor_rps": warm["rps"],
            "floor_p95": warm["p95"], "floor_cpu": cpu_split(warm)}


def first_signatures(seeded, count: int) -> list[Signature]:
    """``count`` distinct first signatures (every one a 201), spread over people and policies."""
    pairs = plan(seeded, len(seeded.staff) * len(seeded.policies) * 10, random.Random(1))
    unique = list({(s.staff_id, s.policy_id): s for s in pairs}.values())
    if len(unique) < count:
        raise SystemExit(f"only {len(unique)} distinct signatures: raise --staff")
    return unique[:count]


def measure_tracker(database: str, args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    with scratch_database(database, workdir) as url:
        seeded = prepare(url, staff=args.staff)
        tokens = [p.token for p in seeded.staff]
        mixed = args.clients * 10
        signatures = first_signatures(seeded, args.requests + mixed + args.clients)
        warm_acks, mixed_acks, cold_acks = (signatures[:args.requests], signatures[args.requests:-args.clients],
                                            signatures[-args.clients:])
        run, lock = Run(database, [], args.clients), threading.Lock()
        figures: dict[str, object] = {"database": database}
        with TrackerServer(url, workers=args.workers, log_path=workdir / "gunicorn.log") as server:
            me = lambda n: [get(server.port, "/api/v1/me", tokens[n % len(tokens)])]  # noqa: E731
            cold = burst(args.clients, me)
            shares = CpuShares(server, postgres=database == "postgresql")
            warm = measured(shares, args.clients, args.requests, me)
            acks = measured(shares, args.clients, len(warm_acks), signing(server.port, warm_acks, run, lock))
            sign = signing(server.port, mixed_acks, run, lock)
            _, after_write = in_parallel(args.clients, mixed, lambda n: sign(n) and me(n))
        with TrackerServer(url, workers=args.workers, log_path=workdir / "gunicorn.log") as server:
            ack_cold = burst(args.clients, signing(server.port, cold_acks, run, lock))
        run.signatures = [s for s, _ in run.outcomes]
        report = check(url, run)
    figures.update({
        "me_cold_p50": cold["p50"], "me_cold_max": cold["max"], "me_rps": warm["rps"], "me_p95": warm["p95"],
        "me_after_write_p50": statistics.median(after_write), "me_after_write_p95": p95(after_write),
        "me_cpu": cpu_split(warm), "ack_rps": acks["rps"], "ack_p95": acks["p95"], "ack_cpu": cpu_split(acks),
        "ack_ceiling": acks["cpu_ceiling"], "ack_cold_p50": ack_cold["p50"],
        "ack_cold_max": ack_cold["max"], "sent": len(run.outcomes), "lost": report.lost,
        "duplicated": report.duplicated, "chain": report.chain, "events_match": report.events_match,
        "ok": report.ok})
    return figures


def cpu_split(figures: dict[str, float]) -> str:
    """"workers/database/load" milliseconds of CPU per request, e.g. "4.1/1.1/0.5"."""
    return "/".join(f"{figures[f'cpu_{party}']:.2f}" for party in ("workers", "database", "load"))


COLUMNS = [("database", "database", "{}"), ("floor req/s", "floor_rps", "{:.0f}"),
           ("floor CPU ms w/db/load", "floor_cpu", "{}"),
           ("/me req/s", "me_rps", "{:.0f}"), ("ratio", "ratio", "{:.2f}"), ("/me p95", "me_p95", "ms"),
           ("/me cold p50", "me_cold_p50", "ms"), ("/me cold max", "me_cold_max", "ms"),
           ("/me CPU ms w/db/load", "me_cpu", "{}"), ("/me after write p95", "me_after_write_p95", "ms"),
           ("acks/s", "ack_rps", "{:.0f}"), ("ack p95", "ack_p95", "ms"), ("ack CPU ms w/db/load", "ack_cpu", "{}"),
           ("ack ceiling/s", "ack_ceiling", "{:.0f}"), ("ack cold p50", "ack_cold_p50", "ms"),
           ("ack cold max", "ack_cold_max", "ms"), ("sent", "sent", "{}"), ("lost", "lost", "{}"),
           ("dup", "duplicated", "{}"), ("chain", "chain", "{}"), ("1 event/row", "events_match", "{}")]


def table(results: list[dict[str, object]]) -> str:
    def cell(result: dict[str, object], name: str, fmt: str) -> str:
        value = result[name]
        return f"{float(value) * 1000:.1f}" if fmt == "ms" else fmt.format(value)  # type: ignore[arg-type]

    rows = [[title + (" ms" if fmt == "ms" else "") for title, _, fmt in COLUMNS]]
    rows += [[cell(r, name, fmt) for _, name, fmt in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([lines[0], "-+-".join("-" * w for w in widths), *lines[1:]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--staff", type=int, default=60)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        floor = measure_floor(args, Path(folder))
        for database in databases:
            workdir = Path(folder) / database
            workdir.mkdir()
            result = {**floor, **measure_tracker(database, args, workdir)}
            result["ratio"] = float(result["me_rps"]) / float(result["floor_rps"])  # type: ignore[arg-type]
            results.append(result)
            print(f"{database}: floor {result['floor_rps']:.0f} req/s, /me {result['me_rps']:.0f} req/s, "
                  f"acks {result['ack_rps']:.0f}/s, checks {'passed' if result['ok'] else 'FAILED'}", flush=True)
    print(table(results))
    for result in results:
        met = "met" if float(result["ack_rps"]) >= ACK_TARGET else "missed"  # type: ignore[arg-type]
        print(f"{result['database']}: /me at {float(result['ratio']):.2f} of the floor (target 0.5); "  # type: ignore[arg-type]
              f"{float(result['ack_rps']):.0f} acks/s (target {ACK_TARGET} on postgresql: {met}); "  # type: ignore[arg-type]
              f"the CPU each signature costs allows at most {float(result['ack_ceiling']):.0f}/s "  # type: ignore[arg-type]
              f"on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
