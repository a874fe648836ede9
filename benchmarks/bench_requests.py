"""Acknowledgement POST throughput and p95 latency against the floor of a trivial JSON endpoint.

Run: .venv/bin/python benchmarks/bench_requests.py [--database sqlite|postgresql|both]
     [--requests 2000] [--clients 24] [--workers 2]

Both phases run against the same tracker under gunicorn (2 sync workers by default) on loopback:
the floor is GET /api/v1/me (bearer-token authentication and a small JSON answer, no write); then
every acknowledgement is a new signature (a 201 write with its audit event). Afterwards the load
script's checks run: nothing lost, nothing duplicated, the audit chain intact.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _server import TrackerServer, prepare, scratch_database  # noqa: E402
from load_acknowledgements import Run, check, drive, plan  # noqa: E402


def floor(port: int, tokens: list[str], requests: int, clients: int) -> tuple[float, float]:
    """Requests per second and p95 seconds of GET /api/v1/me."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = iter(range(requests))

    def client(token: str) -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
            finally:
                connection.close()
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(tokens[n % len(tokens)],)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.quantiles(latencies, n=20)[18]


def measure(database: str, args: argparse.Namespace, workdir: Path) -> dict:
    with scratch_database(database, workdir) as url:
        seeded = prepare(url, staff=args.staff)
        # Every request a first signature: the write path, not the idempotent repeat.
        signatures = plan(seeded, len(seeded.staff) * len(seeded.policies) * 10, random.Random(1))
        unique = list({(s.staff_id, s.policy_id): s for s in signatures}.values())[:args.requests]
        run = Run(database, unique, args.clients)
        with TrackerServer(url, workers=args.workers, log_path=workdir / "gunicorn.log") as server:
            floor_rps, floor_p95 = floor(server.port, [p.token for p in seeded.staff], args.requests, args.clients)
            drive(server, run, args.clients, max_seconds=600, kill_worker=False)
        report = check(url, run)
    latencies = [outcome.seconds for _, outcome in run.outcomes if outcome.status in (200, 201)]
    ack_rps = len(latencies) / run.seconds
    return {"database": database, "floor_rps": floor_rps, "floor_p95": floor_p95, "ack_rps": ack_rps,
            "ack_p95": statistics.quantiles(latencies, n=20)[18], "sent": len(unique),
            "lost": report.lost, "duplicated": report.duplicated, "ok": report.ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--staff", type=int, default=60)
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"{'database':>10} | {'floor req/s':>11} | {'floor p95 ms':>12} | {'acks/s':>7} | {'ack p95 ms':>10} | "
          f"{'ratio':>5} | {'sent':>5} | {'lost':>4} | {'dup':>3} | target >= 500 acks/s")
    print("-" * 105)
    failed = False
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
        for database in databases:
            workdir = Path(folder) / database
            workdir.mkdir()
            r = measure(database, args, workdir)
            failed |= not r["ok"]
            print(f"{r['database']:>10} | {r['floor_rps']:>11.0f} | {r['floor_p95'] * 1000:>12.0f} | "
                  f"{r['ack_rps']:>7.0f} | {r['ack_p95'] * 1000:>10.0f} | {r['ack_rps'] / r['floor_rps']:>5.2f} | "
                  f"{r['sent']:>5} | {r['lost']:>4} | {r['duplicated']:>3} | "
                  f"{'met' if r['ack_rps'] >= 500 else 'MISSED'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
