"""The manager's pages from the database: staff x 150 requirements, cold and warm, on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--staff 2000] [--repeat 5] [--database sqlite|postgresql|both]

Builds a scratch database per backend (PostgreSQL: a scratch database on the test suite's server)
with synthetic content (120 policies, 29 modules, 1 certification = 150 requirements for everyone)
and records for each person, inserted in bulk (a benchmark, not a tracker: no audit events), then
rebuilds the stored compliance state from them (``compliance rebuild-state``), closes the past
months (their month-end counts, computed once) and fills today's status sheet (which the first
reader of each day does). Each figure then comes from a fresh process, as a
new worker: it signs in, one signature is written (through the service, with its audit event), and
the first call is the **cold** figure; **warm** is the median of the next calls; **after a write** is
the median of calls each made right after another signature in that process. Each is also given
in CPU seconds of that process (the database server's own work not included), which the load of
other programs on the machine changes less than the wall time.
Targets at 2,000 staff, cold: dashboard under 300 ms, matrix page under 500 ms, CSV under 1 s,
trend under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _server import scratch_database  # noqa: E402
from synthetic import write_content  # noqa: E402

POLICIES, MODULES = 120, 29
MANAGER = "manager@bench.example"
PASSWORD = "benchmark-password"


def populate(app, staff_count: int, rng: random.Random) -> None:
    from sqlalchemy import insert, select

    from tracker.services import served_catalogue
    from tracker.services.passwords import hash_password
    from tracker.storage.db import db
    from tracker.storage.models import (
        Acknowledgement,
        CertificationRecord,
        CertificationVerification,
        ModuleVersion,
        PolicyVersion,
        Staff,
        TrainingCompletion,
        User,
    )

    today = date.today()
    with app.app_context():
        catalogue = served_catalogue.current()
        role = next(iter(catalogue.roles))
        db.session.execute(insert(Staff), [
            {"name": f"Person {n:05d}", "email": f"p{n}@bench.example", "job_title": "Staff", "roles": [role],
             "location_id": "main" if n % 2 else "north", "hire_date": today - timedelta(days=rng.randint(60, 3000)),
             "created_at": datetime.now(UTC)} for n in range(staff_count)])
        first = db.session.scalar(select(Staff.id).order_by(Staff.id))
        db.session.execute(insert(User), [{"email": MANAGER, "password_hash": hash_password(PASSWORD),
                                           "account_role": "manager", "staff_id": first, "active": True,
                                           "created_at": datetime.now(UTC)}])
        manager = db.session.scalar(select(User.id))
        staff_ids = list(db.session.scalars(select(Staff.id)))
        policy_versions = list(db.session.scalars(select(PolicyVersion.id)))
        module_versions = list(db.session.scalars(select(ModuleVersion.id)))
        moment = datetime.now(UTC) - timedelta(days=1)
        acks, completions, certs = [], [], []
        for staff_id in staff_ids:
            acks += [{"staff_id": staff_id, "policy_version_id": v, "statement": "I have read this policy",
                      "signature_name": "x", "signed_at": moment - timedelta(days=rng.randint(1, 300)),
                      "ip_address": None, "user_agent": "bench", "method": "web", "recorded_by_id": manager}
                     for v in policy_versions if rng.random() < 0.9]
            completions += [{"staff_id": staff_id, "module_version_id": v, "method": "quiz", "note": "",
                             "completed_on": today - timedelta(days=rng.randint(1, 400)), "recorded_by_id": manager,
                             "recorded_at": moment} for v in module_versions if rng.random() < 0.85]
            certs.append({"staff_id": staff_id, "type_id": "bls", "number": "1", "issuer": "AHA", "note": "",
                          "issued_on": today - timedelta(days=700),
                          "expires_on": today + timedelta(days=rng.randint(-60, 300)),
                          "submitted_by_id": manager, "submitted_at": moment})
        for table, rows in ((Acknowledgement, acks), (TrainingCompletion, completions), (CertificationRecord, certs)):
            for start in range(0, len(rows), 20_000):
                db.session.execute(insert(table), rows[start:start + 20_000])
        record_ids = list(db.session.scalars(select(CertificationRecord.id)))
        db.session.execute(insert(CertificationVerification), [
            {"record_id": r, "decision": "verified", "note": "", "decided_by_id": manager, "decided_at": moment}
            for r in record_ids])
        db.session.commit()
        print(f"populated: {len(staff_ids)} staff, {len(acks):,} acknowledgements, {len(completions):,} "
              f"completions, {len(certs):,} certifications")


TARGETS = ("matrix.compute", "trend.history", "GET /manager/matrix", "GET /manager/exports/matrix.csv",
           "GET /manager/dashboard")


def config(url: str, root: Path) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "TRACKER_CONTENT_DIR": root, "SECRET_KEY": "bench",
            "TRACKER_SYNC_ON_START": False, "WTF_CSRF_ENABLED": False}


def sign_one(rng: random.Random) -> None:
    """One new signature through the service (its audit event and state row in one transaction)."""
    from sqlalchemy import select

    from tracker.services import acknowledgements
    from tracker.storage.db import db
    from tracker.storage.models import Acknowledgement, PolicyVersion, Staff, User

    versions = list(db.session.scalars(select(PolicyVersion)))
    staff_ids = list(db.session.scalars(select(Staff.id)))
    while True:
        staff, version = db.session.get(Staff, rng.choice(staff_ids)), rng.choice(versions)
        if db.session.scalar(select(Acknowledgement.id).where(Acknowledgement.staff_id == staff.id,
                                                              Acknowledgement.policy_version_id == version.id)) is None:
            break
    user = db.session.scalar(select(User).where(User.email == MANAGER))
    acknowledgements.acknowledge(staff, version, staff.name, acknowledgements.Origin(None, "bench", "web"), user)
    db.session.commit()


def child(target: str, url: str, root: Path, repeat: int) -> None:
    """One fresh process: sign in, write, then time ``target`` cold, warm, and after each of more writes."""
    from tracker import create_app
    from tracker.services import matrix, served_catalogue, trend
    from tracker.storage.db import today

    app = create_app(config(url, root))
    client = app.test_client()
    client.post("/sign-in", data={"email": MANAGER, "password": PASSWORD})
    rng = random.Random(target)

    def work() -> None:
        if target.startswith("GET "):
            response = client.get(target[4:])
            assert response.status_code == 200, (target, response.status_code)
            response.get_data()
            return
        with app.app_context():
            catalogue = served_catalogue.current()
            (matrix.compute if target == "matrix.compute" else trend.history)(catalogue, today())

    def write() -> None:
        with app.app_context():
            sign_one(rng)

    cpu: list[float] = []

    def clock() -> float:
        started, used = time.perf_counter(), time.process_time()
        work()
        cpu.append(time.process_time() - used)
        return time.perf_counter() - started

    write()
    cold = clock()
    warm = [clock() for _ in range(repeat)]
    after = []
    for _ in range(repeat):
        write()
        after.append(clock())
    print(json.dumps({"cold": cold, "warm": warm, "after": after, "cpu_cold": cpu[0],
                      "cpu_warm": statistics.median(cpu[1:repeat + 1]), "cpu_after": statistics.median(cpu[repeat + 1:])}))


def p95(runs: list[float]) -> float:
    ordered = sorted(runs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(url: str, root: Path, repeat: int) -> None:
    print("Wall seconds (the machine's load included), then this process's CPU seconds (cold / warm / after a write):")
    print(f"{'':<34} {'cold':>8} {'warm':>8} {'after a write':>14} {'p95 after a write':>18} {'CPU':>20}")
    for target in TARGETS:
        done = subprocess.run([sys.executable, __file__, "--child", target, "--database-url", url,
                               "--content", str(root), "--repeat", str(repeat)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{target}: failed\n{done.stderr[-2000:]}")
            continue
        runs = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{target:<34} {runs['cold']:8.3f} {statistics.median(runs['warm']):8.3f} "
              f"{statistics.median(runs['after']):14.3f} {p95(runs['after'] + [runs['cold']]):18.3f} "
              f"{runs['cpu_cold']:6.2f} / {runs['cpu_warm']:5.2f} / {runs['cpu_after']:5.2f}")


def prepare(url: str, root: Path, staff: int) -> None:
    """Migrate, sync, load the records in bulk, rebuild the state, close the past months and fill today's sheet."""
    import flask_migrate

    from tracker import create_app
    from tracker.services import (
        compliance_state,
        month_snapshots,
        served_catalogue,
        status_sheet,
        trend,
    )
    from tracker.services.sync import sync
    from tracker.storage.db import db, today

    app = create_app(config(url, root))
    with app.app_context():
        flask_migrate.upgrade()
        sync(root, "bench")
    populate(app, staff, random.Random(7))
    with app.app_context():
        started = time.perf_counter()
        rows = compliance_state.rebuild(db.session.connection())
        db.session.commit()
        print(f"compliance rebuild-state: {rows:,} rows in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        month_snapshots.month_end_counts(served_catalogue.current(), trend.month_ends(today())[:-1])
        print(f"closing 11 past months (once each, by the first reader): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        status_sheet.sheet(served_catalogue.current(), today())
        print(f"today's status sheet (once a day, by the first reader): {time.perf_counter() - started:.1f} s")
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--content", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, Path(args.content), args.repeat)
        return
    for backend in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
            root = write_content(Path(tmp) / "content", POLICIES, categories=20, modules=MODULES, staff_roles=1)
            print(f"\n## {backend}, {args.staff} staff")
            prepare(url, root, args.staff)
            measure(url, root, args.repeat)


if __name__ == "__main__":
    main()
