"""Many writers at once, on each backend: no record lost or doubled, one unbroken audit chain.

tests/tracker/test_api.py races eight copies of one signature; this mixes every kind of write the
API and the sign-in page make, from sixteen threads, and then checks the chain link by link. (The
same under gunicorn with real processes: benchmarks/load_acknowledgements.py.)
"""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select
from tracker_helpers import CONTENT, add_person, api_token, bearer, csrf_token

from portal import load_catalogue
from tracker.services import audit
from tracker.storage.db import db
from tracker.storage.models import Acknowledgement, AuditEvent, Staff, ThrottleBucket

POLICIES = list(load_catalogue(CONTENT).policies.values())
SIGNERS, THREADS_PER_KIND = 6, 4
# A failed sign-in checks a dummy argon2 hash (~0.1 s) while its transaction holds SQLite's write lock
# (tracker.web.auth): a few per thread keep the queue well inside the 10 s busy timeout on a busy machine.
FAILURES_PER_THREAD = 3


def test_mixed_concurrent_writes_keep_every_record_once_and_the_chain_contiguous(app, manager):
    signers = [(f"Signer {n}", f"signer{n}@clinic.example") for n in range(SIGNERS)]
    for name, email in signers:
        add_person(app, email, name)
    tokens = {email: bearer(api_token(app, email)) for _, email in signers}
    manager_token = bearer(api_token(app, "maria@clinic.example"))
    barrier = threading.Barrier(3 * THREADS_PER_KIND)
    statuses: list[tuple[str, int]] = []

    def sign(thread: int) -> None:
        client = app.test_client()
        barrier.wait()
        for name, email in signers:  # every signer and policy, in every sign thread: races on purpose
            for policy in POLICIES:
                response = client.post("/api/v1/acknowledgements", headers=tokens[email], json={
                    "policy_id": policy.id, "version": policy.version, "fingerprint": policy.fingerprint,
                    "signature_name": name})
                statuses.append(("sign", response.status_code))

    def add_staff(thread: int) -> None:
        client = app.test_client()
        barrier.wait()
        for n in range(6):
            response = client.post("/api/v1/staff", headers=manager_token, json={
                "name": f"New Person {thread}-{n}", "email": f"new{thread}.{n}@clinic.example",
                "roles": ["front-desk"], "location": "main-street", "hire_date": "2026-01-05"})
            statuses.append(("staff", response.status_code))

    def fail_to_sign_in(thread: int) -> None:
        client = app.test_client()
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        barrier.wait()
        for n in range(FAILURES_PER_THREAD):
            response = client.post("/sign-in", data={"csrf_token": token, "email": f"x{thread}.{n}@clinic.example",
                                                     "password": "wrong password"})
            statuses.append(("sign-in", response.status_code))

    threads = [threading.Thread(target=work, args=(n,)) for work in (sign, add_staff, fail_to_sign_in)
               for n in range(THREADS_PER_KIND)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    counts = Counter(statuses)
    assert counts[("sign", 201)] == SIGNERS * len(POLICIES), counts
    assert counts[("sign", 200)] == SIGNERS * len(POLICIES) * (THREADS_PER_KIND - 1)
    assert counts[("staff", 201)] == THREADS_PER_KIND * 6, counts
    assert counts[("sign-in", 200)] == THREADS_PER_KIND * FAILURES_PER_THREAD, counts
    with app.app_context():
        verification = audit.verify()
        assert verification.ok, verification.reason
        seqs = list(db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        assert seqs == list(range(1, len(seqs) + 1))  # contiguous: no gap, no fork
        actions = Counter(db.session.scalars(select(AuditEvent.action)))
        acks = db.session.scalars(select(Acknowledgement)).all()
        assert len(acks) == len({(a.staff_id, a.policy_version_id) for a in acks}) == SIGNERS * len(POLICIES)
        assert actions["acknowledgement.recorded"] == len(acks)
        assert actions["staff.created"] == len(db.session.scalars(select(Staff.id)).all())
        failures = THREADS_PER_KIND * FAILURES_PER_THREAD  # counted, every one, but not audited
        assert db.session.get(ThrottleBucket, "sign-in-from:127.0.0.1").count == failures
        assert "sign_in.failed" not in actions
