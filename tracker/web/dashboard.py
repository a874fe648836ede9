"""Manager pages for compliance: the dashboard, the matrix, a person's page, exports and the evidence pack.

Every page and file here takes ``?as_of=YYYY-MM-DD`` (tracker.http.as_of). The dashboard, the matrix
and its CSV read everyone's statuses off the status sheet (tracker.services.status_sheet, stored for
today); the evidence pack and the person page compute them (tracker.services.matrix); both come from
the same rules, so the numbers agree for a given day (tests/tracker/test_status_sheet.py). The
manager blueprint's check keeps staff out (403) and sends anonymous visitors to sign in.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
)

from tracker.http import as_of
from tracker.rules.records import Status
from tracker.rules.summary import summarise
from tracker.services import (
    compliance_status,
    duties,
    evidence,
    exports,
    matrix,
    served_catalogue,
    sheet_pages,
    status_sheet,
    trend,
)
from tracker.services.memory import with_collector_paused
from tracker.services.validation import whole_number
from tracker.storage.db import db, today
from tracker.storage.models import Staff
from tracker.web import tables
from tracker.web.access import managers_only
from tracker.web.svg_chart import Series, axis_floor, line_chart

bp = Blueprint("dashboard", __name__, url_prefix="/manager")
bp.before_request(managers_only)

PAGE_SIZE = 50  # people per matrix page: 50 x 150 requirements is still a page a browser draws quickly
LIST_LIMIT = 100  # rows per dashboard list; the matrix and its CSV have the rest
OVERALL = "All locations"


@bp.context_processor
def _labels() -> dict:
    return {"kinds": matrix.KIND_LABELS}


# For dashboard/_macros.html, which other areas' dated pages (office duties) import too: imported
# macros see the template globals, not each page's context.
bp.add_app_template_global(as_of.is_projection, "is_projection")
bp.add_app_template_global(as_of.spoken, "spoken_day")


@dataclass(frozen=True)
class OverduePerson:
    staff: status_sheet.Person
    items: list[matrix.Overdue[status_sheet.Person]]  # the longest overdue first

    @property
    def days(self) -> int:
        return self.items[0].days


def _overdue_people(overdue: list[matrix.Overdue[status_sheet.Person]]) -> list[OverduePerson]:
    """Each person with something overdue, the one overdue longest first."""
    found: dict[int, list[matrix.Overdue[status_sheet.Person]]] = {}
    for row in overdue:
        found.setdefault(row.staff.id, []).append(row)
    return [OverduePerson(rows[0].staff, rows) for rows in found.values()]


OVERDUE_COLUMNS = [
    tables.Column("person", "Person", lambda r: (r.staff.name.casefold(), -r.days)),
    tables.Column("item", "Item", lambda r: (r.item.title.casefold(), r.staff.name.casefold())),
    tables.Column("due", "Due", lambda r: (r.due_date, r.staff.name.casefold())),
    tables.Column("days", "Days overdue", lambda r: (r.days, r.staff.name.casefold())),
]


def _of_kind(kind: str):
    return lambda row: row.item.kind == kind


KIND_CHOICE = tables.Choice("kind", "Kind", "Every kind",
                            [(kind, label, _of_kind(kind)) for kind, label in matrix.KIND_LABELS.items()])


def _overdue_table(overdue: list[matrix.Overdue[status_sheet.Person]], day) -> tables.Table:
    return tables.table(overdue, OVERDUE_COLUMNS, request.args, endpoint="dashboard.dashboard",
                        anchor="overdue-items", default_sort="days", default_descending=True,
                        text=lambda r: f"{r.staff.name} {r.item.title}", choice=KIND_CHOICE,
                        keep={"as_of": day.isoformat()}, page_size=LIST_LIMIT)


def _filters(catalogue) -> matrix.Filters:
    try:
        return matrix.Filters.from_args(request.args, catalogue)
    except matrix.BadFilter as error:
        abort(400, str(error))


def _page_number(pages: int) -> int:
    number = whole_number(request.args.get("page", "1"))
    if number is None or not 1 <= number <= max(pages, 1):
        abort(400, f"page must be a number from 1 to {max(pages, 1)}.")
    return number


def _trend_chart(catalogue, day, current: sheet_pages.Overview):
    points = trend.history(catalogue, day, current=(current.summary, current.by_location))
    labels = [p.day.strftime("%b %Y" if p.day.month == 1 else "%b") for p in points]  # the year at each January
    series = [Series(OVERALL, [round(p.overall.rate * 100, 1) for p in points])]
    for location in catalogue.locations.values():
        series.append(Series(location.name, [round(p.by_location[location.id].rate * 100, 1)
                                             if location.id in p.by_location else None for p in points]))
    chart = line_chart("Compliance over the last 12 months", labels, series, y_min=axis_floor(series),
                       description="Share of requirements not overdue at each month end, overall and per location; "
                                   "the same numbers are in the table below the chart.")
    return chart, points, series


@bp.get("/dashboard")
@with_collector_paused  # the page builds and draws everyone's statuses (tracker.services.memory)
def dashboard():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    sheet = status_sheet.sheet(catalogue, day)
    figures = sheet_pages.overview(sheet)
    chart, points, series = _trend_chart(catalogue, day, figures)
    duty_rows = duties.compute(catalogue, day)
    overdue, expiring = sheet_pages.overdue(sheet), sheet_pages.expiring(sheet)
    return render_template(
        "dashboard/dashboard.html", as_of=day, figures=figures, locations=catalogue.locations,
        overdue=overdue, overdue_people=_overdue_people(overdue), overdue_table=_overdue_table(overdue, day),
        expiring=expiring, expiring_by_window=matrix.by_window(expiring), windows=matrix.EXPIRY_WINDOWS,
        can_remind=day == today(),
        reviews=catalogue.due_for_review(day), chart=chart, points=points, series=series,
        roles=catalogue.roles, list_limit=LIST_LIMIT, duties=duty_rows, duty_counts=duties.counts(duty_rows))


@bp.get("/matrix")
@with_collector_paused
def matrix_page():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    filters = _filters(catalogue)
    found = sheet_pages.matched(status_sheet.sheet(catalogue, day), filters)
    pages = math.ceil(len(found.rows) / PAGE_SIZE)
    page = _page_number(pages)
    people = matrix.staff_in_order([row.staff.id for row in found.rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])
    shown = matrix.compute(catalogue, day, filters, people=people).rows if people else []  # only this page's, in full
    return render_template(
        "dashboard/matrix.html", as_of=day, matched=found, filters=filters, rows=shown, page=page, pages=pages,
        catalogue=catalogue, requirements=matrix.all_requirements(catalogue),
        marks=matrix.STATUS_MARKS, statuses=list(Status))


@bp.get("/staff/<id:staff_id>")
def person(staff_id: int):
    """Everything one person owes on the day, each with the records behind its status."""
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    staff = db.session.get(Staff, staff_id) or abort(404, "There is no such staff record.")
    items = compliance_status.statuses_for(staff, catalogue, day, known_on=day)
    training = exports.training_records(day, staff.id)
    groups = {c.id: c.requirement_id for c in catalogue.certifications.values()}
    return render_template(
        "dashboard/person.html", as_of=day, staff=staff, items=items, roles=catalogue.roles,
        summary=summarise(items), training=training,
        acks=_grouped(exports.acknowledgements(day, staff_id=staff.id), lambda a: ("policy", a.policy_version.policy_id)),
        completions=_grouped(training.completions, lambda c: ("module", c.module_version.module_id)),
        certifications=_grouped(exports.certification_records(day, staff.id),
                                lambda s: ("certification", groups.get(s.record.type_id, s.record.type_id))),
        cert_names={c.id: c.name for c in catalogue.certifications.values()},
        employed=staff.hire_date <= day and staff.active_on(day),
        can_remind=day == today() and staff.active_on(day) and any(
            i.status in (Status.OVERDUE, Status.DUE_SOON) for i in items),
        attempt_pages="training.attempt" in current_app.view_functions)


def _grouped(rows, key) -> dict[tuple[str, str], list]:
    found: dict[tuple[str, str], list] = {}
    for row in rows:
        found.setdefault(key(row), []).append(row)
    return found


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------


def _csv(text, name: str) -> Response:
    """A CSV download: ``text`` whole, or an iterator of pieces (streamed)."""
    body = text.encode("utf-8") if isinstance(text, str) else stream_with_context(p.encode("utf-8") for p in text)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"  # personal data: not for shared caches
    return response


@bp.get("/exports")
def exports_page():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    signed = set(exports.signed_policy_ids(day))
    policies = [(p.id, p.title) for p in catalogue.policies.values()]
    policies += [(policy_id, policy_id) for policy_id in sorted(signed - set(catalogue.policies))]
    return render_template("dashboard/exports.html", as_of=day, policies=policies, signed=signed)


@bp.get("/exports/matrix.csv")
def matrix_csv():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    filters = _filters(catalogue)
    sheet = status_sheet.sheet(catalogue, day, details=True)
    chunks = exports.sheet_csv_chunks(sheet, sheet_pages.matched(sheet, filters), catalogue)
    return _csv(chunks, f"compliance-matrix-{day.isoformat()}.csv")


@bp.get("/exports/policies/<slug:policy_id>/acknowledgements.csv")
def acknowledgements_csv(policy_id: str):
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    if policy_id not in catalogue.policies and not exports.acknowledgements(day, policy_id):
        abort(404, f"There is no policy '{policy_id}'.")
    return _csv(exports.acknowledgements_csv(policy_id, day), f"acknowledgements-{policy_id}-{day.isoformat()}.csv")


@bp.get("/exports/training.csv")
def training_csv():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    return _csv(exports.training_csv(day, catalogue), f"training-records-{day.isoformat()}.csv")


@bp.get("/exports/certifications.csv")
def certifications_csv():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    return _csv(exports.certifications_csv(day, catalogue), f"certifications-{day.isoformat()}.csv")


@bp.get("/evidence.zip")
def evidence_zip():
    catalogue = served_catalogue.required()
    day = as_of.requested(request.args)
    files = evidence.build(catalogue, day)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    evidence.write_zip(files, spool)
    spool.seek(0)
    response = send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=evidence.download_name(day))
    response.headers["Cache-Control"] = "no-store"
    return response

