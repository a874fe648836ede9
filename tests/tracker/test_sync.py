"""Catalogue sync: archive every version once, never change it, refuse rewording in place."""

from pathlib import Path

from sqlalchemy import func, select
from tracker_helpers import (
    CONTENT,
    add_person,
    bump_minimum_necessary,
    copy_content,
    edit,
    make_app,
    sign_in,
)

from portal import load_catalogue
from tracker.services import served_catalogue
from tracker.storage.db import db
from tracker.storage.models import (
    AuditEvent,
    ContentSnapshot,
    Location,
    ModuleVersion,
    PolicyVersion,
    Role,
)

MINIMUM_NECESSARY = "policies/hipaa-privacy/minimum-necessary.yml"


def counts(app) -> dict:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (PolicyVersion, ModuleVersion, ContentSnapshot, AuditEvent, Location, Role)}


def archived(app, policy_id: str) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(PolicyVersion.version, PolicyVersion.fingerprint, PolicyVersion.html, PolicyVersion.synced_at)
            .where(PolicyVersion.policy_id == policy_id).order_by(PolicyVersion.version))]


def test_start_up_archives_every_policy_and_module_version(app):
    catalogue = load_catalogue(CONTENT)
    with app.app_context():
        rows = {row.policy_id: row for row in db.session.scalars(select(PolicyVersion))}
        assert set(rows) == {"minimum-necessary", "visitor-log", "sharps-disposal"}
        minimum = rows["minimum-necessary"]
        policy = catalogue.policies["minimum-necessary"]
        assert (minimum.version, minimum.fingerprint, minimum.title) == (3, policy.fingerprint, policy.title)
        assert minimum.markdown == policy.body
        assert '<div class="admonition note">' in minimum.html and "<table>" in minimum.html
        assert minimum.material_change is False and minimum.affected_roles == []
        assert minimum.applies_to == ["all"]
        assert rows["sharps-disposal"].applies_to == ["medical-assistant", "clinician"]
        module = db.session.scalars(select(ModuleVersion)).one()
        assert (module.module_id, module.version, module.audience) == ("hipaa-basics", 1, ["all"])
        assert "<h2>What counts as PHI</h2>" in module.html
        assert {loc.id for loc in db.session.scalars(select(Location))} == {"main-street", "northgate"}
        assert db.session.get(Role, "privacy-officer").designation is True
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.actor, event.action) == ("startup", "catalogue.synced")
        assert sorted(event.details["policy_versions"]) == ["minimum-necessary@3", "sharps-disposal@1", "visitor-log@1"]


def test_the_served_catalogue_is_the_content_as_archived(app):
    with app.app_context():
        assert served_catalogue.current() == load_catalogue(CONTENT)


def test_sync_again_changes_nothing(app, runner):
    before = counts(app)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "already up to date" in result.output
    assert counts(app) == before


def test_a_new_version_is_archived_beside_the_old_one(app, runner, tmp_path):
    old = archived(app, "minimum-necessary")
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "1 new policy version" in result.output
    now = archived(app, "minimum-necessary")
    assert now[0] == old[0] and [row[0] for row in now] == [3, 4]
    with app.app_context():
        assert served_catalogue.current().policies["minimum-necessary"].version == 4
        assert db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first().actor == "cli"


def test_rewording_an_archived_version_is_refused_and_nothing_changes(app, runner, tmp_path):
    before, old = counts(app), archived(app, "minimum-necessary")
    root = copy_content(tmp_path)
    edit(root, MINIMUM_NECESSARY, "Share with a payer only", "Share with anyone who asks only")
    # Something new in the same run is not archived either: the sync is all or nothing.
    Path(root, "policies/hipaa-privacy/visitor-log.yml").rename(root / "policies/hipaa-privacy/visitors.yml")
    edit(root, "policies/hipaa-privacy/visitors.yml", "id: visitor-log", "id: visitors")
    app.config["TRACKER_CONTENT_DIR"] = root
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert "policy minimum-necessary version 3 was reworded without raising its version" in result.output
    assert "raise version to 4 and add a history entry" in result.output
    assert counts(app) == before
    assert archived(app, "minimum-necessary") == old


def test_a_version_number_going_down_is_refused(app, runner, tmp_path):
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    app.config["TRACKER_CONTENT_DIR"] = CONTENT
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert "is at version 3" in result.output and "version 4 is already archived" in result.output


def test_invalid_content_prints_each_problem_with_its_place_and_exits_1(app, runner, tmp_path):
    before = counts(app)
    root = copy_content(tmp_path)
    edit(root, MINIMUM_NECESSARY, "version: 3\n", "version: three\n")
    app.config["TRACKER_CONTENT_DIR"] = root
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert f"{MINIMUM_NECESSARY}:6:10:" in result.output
    assert counts(app) == before


def test_invalid_content_at_start_is_logged_and_the_archive_still_served(app, tmp_path, caplog):
    add_person(app, "sam@clinic.example", "Sam Carter")
    add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager")
    root = copy_content(tmp_path)
    edit(root, MINIMUM_NECESSARY, "version: 3\n", "version: three\n")
    restarted = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_CONTENT_DIR=root)
    assert f"{MINIMUM_NECESSARY}:6:10:" in caplog.text
    client = restarted.test_client()
    sign_in(client, "sam@clinic.example")
    page = client.get("/policies/minimum-necessary")
    assert page.status_code == 200
    assert "Share with a payer only the fields the request names." in page.get_data(as_text=True)
    manager = restarted.test_client()
    sign_in(manager, "maria@clinic.example")
    assert "The content folder has 2 problem(s)" in manager.get("/manager/staff").get_data(as_text=True)


def test_a_refused_sync_at_start_is_logged_and_shown_to_managers(app, tmp_path, caplog):
    add_person(app, "maria@clinic.example", "Maria Lopez", account_role="manager")
    root = copy_content(tmp_path)
    edit(root, MINIMUM_NECESSARY, "Share with a payer only", "Share with anyone only")
    restarted = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_CONTENT_DIR=root)
    assert "was reworded without raising its version" in caplog.text
    client = restarted.test_client()
    sign_in(client, "maria@clinic.example")
    page = client.get("/manager/staff").get_data(as_text=True)
    assert "Catalogue sync refused" in page and "minimum-necessary version 3 was reworded" in page
