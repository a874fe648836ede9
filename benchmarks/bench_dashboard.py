"""The compliance matrix from the database: staff x 150 requirements, as the dashboard computes it.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--staff 2000] [--repeat 3] [--database-url URL]

Builds a scratch SQLite database (or uses the PostgreSQL URL given) with synthetic content (120
policies, 29 modules, 1 certification = 150 requirements for everyone) and records for each person,
inserted in bulk (a benchmark, not a tracker: no audit events). Then times tracker.services.matrix.compute
(the bulk queries of tracker.services.compliance_status plus the rules) cold and remembered, the 12-month trend cold
and warm, and the matrix page, its CSV export and the dashboard as a signed-in manager gets them.
Target: the matrix for 2,000 x 150 well under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from synthetic import write_content  # noqa: E402

POLICIES, MODULES = 120, 29


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
        db.session.execute(insert(User), [{"email": "manager@bench.example", "password_hash": hash_password("benchmark-password"),
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


def timed(label: str, repeat: int, work) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    median = statistics.median(runs)
    print(f"{label:<52} median {median:6.3f} s  (runs: {', '.join(f'{r:.3f}' for r in runs)})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    import flask_migrate

    from tracker import create_app
    from tracker.services import matrix, served_catalogue, trend
    from tracker.storage.db import today

    with tempfile.TemporaryDirectory() as tmp:
        root = write_content(Path(tmp) / "content", POLICIES, categories=20, modules=MODULES, staff_roles=1)
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "TRACKER_CONTENT_DIR": root,
                  "SECRET_KEY": "bench", "TRACKER_SYNC_ON_START": False, "WTF_CSRF_ENABLED": False}
        app = create_app(config)
        with app.app_context():
            flask_migrate.upgrade()
            from tracker.services.sync import sync

            sync(root, "bench")
        populate(app, args.staff, random.Random(7))
        with app.app_context():
            catalogue = served_catalogue.current()
            day = today()
            computed = matrix.compute(catalogue, day)
            print(f"matrix: {len(computed.rows)} people x {len(computed.columns)} requirements = "
                  f"{computed.summary.total:,} cells")
            timed("matrix.compute, cold (queries + rules)", args.repeat,
                  lambda: matrix.compute(catalogue, day, remember=False))
            timed("matrix.compute, warm (remembered statuses)", args.repeat, lambda: matrix.compute(catalogue, day))
            timed("matrix.compute, warm, status=overdue", args.repeat,
                  lambda: matrix.compute(catalogue, day, matrix.Filters(status="overdue")))
            trend._cache.points.clear()
            timed("trend.history, cold (12 month ends)", 1, lambda: trend.history(catalogue, day))
            timed("trend.history, warm", args.repeat, lambda: trend.history(catalogue, day))
        client = app.test_client()
        client.post("/sign-in", data={"email": "manager@bench.example", "password": "benchmark-password"})
        for path in ("/manager/matrix", "/manager/exports/matrix.csv", "/manager/dashboard"):
            timed(f"GET {path}", args.repeat, lambda p=path: client.get(p).get_data())


if __name__ == "__main__":
    main()
