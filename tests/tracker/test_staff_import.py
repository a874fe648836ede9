"""import-staff: every row checked first, all or nothing, re-import updates by e-mail."""

from sqlalchemy import func, select
from tracker_helpers import FIXTURES

from tracker.storage.db import db
from tracker.storage.models import AuditEvent, Staff

EXAMPLE = FIXTURES / "staff.csv"
HEADER = "name,email,job_title,roles,location,hire_date,left_on\n"


def staff_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Staff))


def test_the_example_file_imports(app, runner):
    result = runner.invoke(args=["import-staff", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Imported {EXAMPLE}: 5 created, 0 updated, 0 unchanged."
    with app.app_context():
        ana = db.session.scalar(select(Staff).where(Staff.email == "ana.ruiz@clinic.example"))
        assert (ana.name, ana.roles, ana.location_id) == ("Dr. Ana Ruiz, MD", ["clinician"], "main-street")
        tom = db.session.scalar(select(Staff).where(Staff.email == "tom.becker@clinic.example"))
        assert tom.left_on.isoformat() == "2026-06-30"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "staff.created")) == 5


def test_importing_again_updates_by_email_and_never_duplicates(app, runner, tmp_path):
    runner.invoke(args=["import-staff", str(EXAMPLE)])
    changed = tmp_path / "staff.csv"
    changed.write_text(EXAMPLE.read_text("utf-8").replace("Receptionist,front-desk,main-street",
                                                          "Receptionist,front-desk,northgate")
                       .replace("maria.lopez@", "MARIA.LOPEZ@"), "utf-8")
    result = runner.invoke(args=["import-staff", str(changed)])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 4 unchanged" in result.output
    assert staff_count(app) == 5
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event.action == "staff.changed" and event.details == {"location": ["main-street", "northgate"]}


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n".join([
        "Ok Person,ok@clinic.example,,front-desk,main-street,2026-01-05,",
        ",missing.name@clinic.example,,front-desk,main-street,2026-01-05,",
        "Bad Email,not-an-email,,front-desk,main-street,2026-01-05,",
        "Bad Role,role@clinic.example,,front-desk;nurse,main-street,2026-01-05,",
        "Bad Place,place@clinic.example,,front-desk,moon,2026-01-05,",
        "Bad Date,date@clinic.example,,front-desk,main-street,05/01/2026,",
        "Twice,OK@clinic.example,,front-desk,main-street,2026-01-05,",
        "Left Early,early@clinic.example,,front-desk,main-street,2026-01-05,2025-12-31",
        f"{'Long' * 51},long@clinic.example,,front-desk,main-street,2026-01-05,",
    ]) + "\n", "utf-8")
    result = runner.invoke(args=["import-staff", str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:3: name is missing (fill it in)",
        f"{bad}:4: email 'not-an-email' is not an e-mail address (write it like name@example.org)",
        f"{bad}:5: unknown role 'nurse' (use role ids from policies/office.yml: "
        "clinician, front-desk, medical-assistant, office-manager, privacy-officer)",
        f"{bad}:6: unknown location 'moon' (use one of: main-street, northgate)",
        f"{bad}:7: hire_date '05/01/2026' is not a date (write it as YYYY-MM-DD, e.g. 2026-01-15)",
        f"{bad}:8: email ok@clinic.example is also on line 2 (list each person once)",
        f"{bad}:9: left_on is before hire_date (check both dates)",
        f"{bad}:10: name is longer than 200 characters (shorten it)",
    ]
    assert "8 problem(s): nothing imported." in result.output
    assert staff_count(app) == 0


def test_a_wrong_header_is_reported_on_line_1(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,jobtitle,roles,location,hire_date\n", "utf-8")
    result = runner.invoke(args=["import-staff", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: missing column 'job_title'" in result.output
    assert f"{bad}:1: unknown column 'jobtitle'" in result.output


def test_a_file_that_is_not_utf8_names_the_line(app, runner, tmp_path):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(HEADER.encode() + "José,jose@clinic.example,,front-desk,main-street,2026-01-05,\n".encode("latin-1"))
    result = runner.invoke(args=["import-staff", str(bad)])
    assert result.exit_code == 1 and f"{bad}:2: the file is not UTF-8 text" in result.output


def test_a_spreadsheet_bom_and_blank_rows_are_fine(app, runner, tmp_path):
    good = tmp_path / "excel.csv"
    good.write_text("\ufeff" + HEADER + "Ok Person,ok@clinic.example,,front-desk,main-street,2026-01-05,\n,,,,,,\n",
                    "utf-8")
    result = runner.invoke(args=["import-staff", str(good)])
    assert result.exit_code == 0, result.output
    assert staff_count(app) == 1
