"""create-user, issue-token, revoke-tokens and audit-verify."""

from sqlalchemy import select, text
from tracker_helpers import bearer, sign_in

from tracker.services import audit
from tracker.storage.db import db
from tracker.storage.models import ApiToken, AuditEvent, Staff, User

LONG_PASSWORD = "a long enough password"


def test_create_user_reads_the_password_from_stdin_and_creates_the_staff_record(app, client, runner):
    result = runner.invoke(args=["create-user", "Jo.Bloggs@clinic.example", "--name", "Jo Bloggs", "--role", "manager",
                                 "--location", "northgate", "--job-title", "Practice lead",
                                 "--roles", "office-manager,privacy-officer", "--hire-date", "2025-05-01"],
                           input=LONG_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created manager account jo.bloggs@clinic.example for Jo Bloggs" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "jo.bloggs@clinic.example"))
        assert user.account_role == "manager" and user.password_hash.startswith("$argon2id$")
        assert LONG_PASSWORD not in user.password_hash
        assert (user.staff.location_id, user.staff.roles, user.staff.hire_date.isoformat()) == (
            "northgate", ["office-manager", "privacy-officer"], "2025-05-01")
        assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.actor == "cli"))] == [
            "staff.created", "user.created"]
    assert sign_in(client, "jo.bloggs@clinic.example", LONG_PASSWORD).status_code == 303


def test_create_user_links_an_existing_staff_record(app, runner):
    runner.invoke(args=["import-staff", "tests/fixtures/tracker/staff.csv"])
    result = runner.invoke(args=["create-user", "sam.carter@clinic.example", "--role", "staff"],
                           input=LONG_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Staff).where(Staff.email == "sam.carter@clinic.example")).user is not None
    again = runner.invoke(args=["create-user", "sam.carter@clinic.example", "--role", "staff"], input=LONG_PASSWORD)
    assert again.exit_code == 1 and "already has an account" in again.output


def test_create_user_refuses_short_passwords_and_bad_fields(app, runner):
    short = runner.invoke(args=["create-user", "a@clinic.example", "--name", "A B", "--role", "staff"], input="short\n")
    assert short.exit_code == 1 and "at least 15 characters" in short.output
    bad = runner.invoke(args=["create-user", "a@clinic.example", "--name", "A B", "--role", "staff",
                              "--roles", "nurse", "--location", "mars"], input=LONG_PASSWORD + "\n")
    assert bad.exit_code == 1 and "unknown role 'nurse'" in bad.output and "unknown location 'mars'" in bad.output
    with app.app_context():
        assert db.session.scalar(select(Staff).where(Staff.email == "a@clinic.example")) is None


def test_issue_token_prints_only_the_token_and_stores_its_hash(app, client, runner, staff_member):
    result = runner.invoke(args=["issue-token", "sam@clinic.example"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token.startswith("trk_")
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash != token and token not in stored.token_hash and token.startswith(stored.prefix)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_revoke_tokens_ends_every_token_of_that_user(app, client, runner, staff_member):
    tokens = [runner.invoke(args=["issue-token", "sam@clinic.example"]).stdout.strip() for _ in range(2)]
    result = runner.invoke(args=["revoke-tokens", "sam@clinic.example"])
    assert result.exit_code == 0 and "Revoked 2 token(s)" in result.output
    assert all(client.get("/api/v1/me", headers=bearer(t)).status_code == 401 for t in tokens)
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first().action == "token.revoked"


def test_token_commands_name_unknown_users(runner):
    result = runner.invoke(args=["issue-token", "nobody@clinic.example"])
    assert result.exit_code == 1 and "No user with e-mail nobody@clinic.example" in result.output


def test_audit_verify_reports_an_intact_chain(app, runner, staff_member):
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "OK: 3 events, chain intact"


def test_audit_verify_names_the_first_event_changed_behind_its_back(app, runner, staff_member):
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET details = :details WHERE seq = 2"),
                           {"details": '{"name": "Someone Else"}'})
        db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "BROKEN at seq 2: its hash does not match its contents" in result.output


def test_audit_verify_notices_a_deleted_event(app, runner, staff_member):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "BROKEN at seq 3" in result.output


def test_audit_verify_notices_a_rewritten_chain_link(app, staff_member):
    """Recomputing one event's hash after editing it still breaks the next event's link."""
    with app.app_context():
        event = db.session.get(AuditEvent, 2)
        event.details = {**event.details, "name": "Someone Else"}
        event.hash = audit.event_hash(event)
        db.session.commit()
        result = audit.verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "prev_hash" in result.reason
