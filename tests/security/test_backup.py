"""`flask --app tracker backup`: a consistent, complete copy while the tracker writes; restore = open the
copy and verify its audit chain. PostgreSQL: the exact pg_dump command instead."""

from __future__ import annotations

import threading

import pytest
from security_helpers import SIGNATURE, holdings
from sqlalchemy import make_url
from tracker_helpers import add_person, api_token, bearer, csrf_token, make_app

from tracker.services import audit
from tracker.storage.db import db


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("SQLite's backup; PostgreSQL is backed up with pg_dump (see the test below)")


def restored(path):
    """The backup opened as the tracker's database."""
    return make_app(f"sqlite:///{path}", TRACKER_SYNC_ON_START=False)


def last_hash(app) -> str:
    with app.app_context():
        return audit.verify().last_hash


def test_a_backup_restores_to_the_same_records_and_chain(app, runner, staff_member, sqlite_only, tmp_path):
    client = app.test_client()
    assert client.post("/api/v1/acknowledgements", json=SIGNATURE,
                       headers=bearer(api_token(app, "sam@clinic.example"))).status_code == 201
    out = tmp_path / "backups" / "tracker.db"
    out.parent.mkdir()
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output and "integrity check ok" in result.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # personal data: the owner's eyes only
    assert not list(out.parent.glob(".*partial"))  # no temporary file left behind
    copy = restored(out)
    assert holdings(copy) == holdings(app)
    assert last_hash(copy) == last_hash(app)
    verified = copy.test_cli_runner().invoke(args=["audit-verify"])
    assert verified.exit_code == 0 and "chain intact" in verified.output


def test_backups_taken_while_people_sign_are_each_consistent(app, runner, sqlite_only, tmp_path):
    people = [(f"Person {n}", f"p{n}@clinic.example") for n in range(4)]
    for name, email in people:
        add_person(app, email, name)
    stop = threading.Event()

    def sign(name, email):
        """Signs once, then keeps failing to sign in: every failure is a write with an audit event."""
        client = app.test_client()
        client.post("/api/v1/acknowledgements", json={**SIGNATURE, "signature_name": name},
                    headers=bearer(api_token(app, email)))
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        for attempt in range(10_000):
            if stop.is_set():
                return
            client.post("/sign-in", data={"csrf_token": token, "email": f"{attempt}.{email}", "password": "wrong"})

    workers = [threading.Thread(target=sign, args=person) for person in people]
    for worker in workers:
        worker.start()
    try:
        copies = []
        for number in range(4):
            out = tmp_path / f"backup-{number}.db"
            result = runner.invoke(args=["backup", "--out", str(out)])
            assert result.exit_code == 0, result.output
            copies.append(out)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    for out in copies:
        with restored(out).app_context():
            verification = audit.verify()
            assert verification.ok, (out.name, verification.reason)
            assert verification.count > 0


@pytest.mark.parametrize("where", ["the database", "its WAL file", "the database, by a detour"])
def test_a_backup_never_overwrites_the_live_database(app, runner, sqlite_only, where):
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    out = {"the database": database, "its WAL file": f"{database}-wal",
           "the database, by a detour": f"{database.rsplit('/', 1)[0]}/../{database.rsplit('/', 2)[1]}/tracker.db"}[where]
    before = holdings(app)
    result = runner.invoke(args=["backup", "--out", out])
    assert result.exit_code == 1 and "is the live database" in result.output
    assert holdings(app) == before


def test_an_existing_file_is_replaced_only_when_asked(app, runner, sqlite_only, tmp_path):
    out = tmp_path / "backup.db"
    out.write_text("an older backup")
    refused = runner.invoke(args=["backup", "--out", str(out)])
    assert refused.exit_code == 1 and "already exists: add --overwrite" in refused.output
    assert out.read_text() == "an older backup"
    assert runner.invoke(args=["backup", "--out", str(out), "--overwrite"]).exit_code == 0
    assert holdings(restored(out))["chain intact"]


@pytest.mark.parametrize(("where", "message"), [("folder", "is a folder"), ("missing/backup.db", "does not exist")])
def test_a_target_that_cannot_be_a_backup_file_is_refused(runner, sqlite_only, tmp_path, where, message):
    (tmp_path / "folder").mkdir()
    result = runner.invoke(args=["backup", "--out", str(tmp_path / where)])
    assert result.exit_code == 1 and message in result.output


def test_postgresql_is_pointed_to_pg_dump(app, runner, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("the pg_dump advice is for PostgreSQL")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "tracker.dump")])
    assert result.exit_code == 1
    assert (f"pg_dump --format=custom --file={tmp_path / 'tracker.dump'} "
            f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}") in result.output
    assert "pg_restore" in result.output and "audit-verify" in result.output
    assert not (tmp_path / "tracker.dump").exists()
    with app.app_context():
        db.engine.dispose()
