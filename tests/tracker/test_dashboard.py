"""The compliance matrix, its filters, the dashboard and the person page, on a small known office."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dashboard_helpers import TODAY
from tracker_helpers import sign_in

from tracker.rules.records import Status
from tracker.services import matrix, served_catalogue
from tracker.storage.db import db
from tracker.storage.models import Staff
from tracker.web import dashboard

C, D, P, LATE = Status.COMPLIANT, Status.DUE_SOON, Status.PENDING, Status.OVERDUE


def statuses_of(computed: matrix.Matrix) -> dict[str, dict[str, Status]]:
    return {row.staff.name: {matrix.requirement_key(i): i.status for i in row.statuses} for row in computed.rows}


def test_the_matrix_of_a_known_office(app, office):
    with app.app_context():
        computed = matrix.compute(served_catalogue.current(), TODAY)
    assert statuses_of(computed) == {
        "Ava Quinn": {"policy:minimum-necessary": C, "policy:sharps-disposal": C, "module:hipaa-basics": C,
                      "certification:bls": C},
        "Ben Ortiz": {"policy:minimum-necessary": LATE, "module:hipaa-basics": LATE, "certification:bls": LATE},
        "Cleo Park": {"policy:minimum-necessary": C, "module:hipaa-basics": D},
        "Dev Shah": {"policy:minimum-necessary": P, "policy:sharps-disposal": P, "module:hipaa-basics": P,
                     "certification:bls": P},
        "Maria Lopez": {"policy:minimum-necessary": P, "module:hipaa-basics": P},
    }  # Eve left ten days ago
    assert computed.summary.counts == {C: 5, D: 1, P: 6, LATE: 3}
    assert computed.summary.total == 15 and computed.summary.rate == pytest.approx(12 / 15)
    assert computed.by_location["main-street"].rate == 1.0
    assert computed.by_location["northgate"].counts == {C: 1, D: 1, P: 0, LATE: 3}
    assert [c.key for c in computed.columns] == ["policy:minimum-necessary", "policy:sharps-disposal",
                                                 "module:hipaa-basics", "certification:bls"]


def test_overdue_and_expiring_lists(app, office):
    with app.app_context():
        computed = matrix.compute(served_catalogue.current(), TODAY)
        late = [(o.staff.name, o.item.id, o.days) for o in matrix.overdue(computed)]
        expiring = matrix.expiring(computed)
        soon = [(e.staff.name, e.item.id, e.days, e.window) for e in expiring]
        assert matrix.by_window(expiring) == {30: expiring, 60: [], 90: []}
    assert {(name, item) for name, item, _days in late} == {
        ("Ben Ortiz", "minimum-necessary"), ("Ben Ortiz", "hipaa-basics"), ("Ben Ortiz", "bls")}
    assert all(days > 0 for _name, _item, days in late)
    assert late == sorted(late, key=lambda row: -row[2])  # the longest overdue first
    assert soon == [("Cleo Park", "hipaa-basics", 15, 30)]  # done 350 days ago, renewal due in 15 days


def test_expiring_items_are_grouped_by_window_in_their_order():
    entries = [matrix.Expiring(None, None, days, window) for days, window in ((3, 30), (40, 60), (70, 90), (29, 30))]
    assert matrix.by_window(entries) == {30: [entries[0], entries[3]], 60: [entries[1]], 90: [entries[2]]}
    assert matrix.by_window([]) == {30: [], 60: [], 90: []}


@pytest.mark.parametrize(("filters", "people", "columns"), [
    ({"location": "northgate"}, {"Ben Ortiz", "Cleo Park"}, 3),
    ({"role": "medical-assistant"}, {"Ava Quinn", "Dev Shah"}, 4),
    ({"status": "overdue"}, {"Ben Ortiz"}, 3),
    ({"status": "due_soon"}, {"Cleo Park"}, 1),
    ({"requirement": "certification:bls"}, {"Ava Quinn", "Ben Ortiz", "Dev Shah"}, 1),
    ({"requirement": "policy:sharps-disposal", "status": "pending"}, {"Dev Shah"}, 1),
    ({"location": "main-street", "status": "overdue"}, set(), 0),
])
def test_filters(app, office, filters, people, columns):
    with app.app_context():
        catalogue = served_catalogue.current()
        computed = matrix.compute(catalogue, TODAY, matrix.Filters.from_args(filters, catalogue))
    assert {row.staff.name for row in computed.rows} == people
    assert len(computed.columns) == columns
    if "status" in filters:
        assert {str(item.status) for _staff, item in computed.cells()} <= {filters["status"]}


@pytest.mark.parametrize("args", [{"location": "moon-base"}, {"role": "astronaut"}, {"status": "late"},
                                  {"requirement": "policy:no-such-policy"}, {"requirement": "minimum-necessary"}])
def test_unknown_filters_are_refused(app, office, args):
    with app.app_context(), pytest.raises(matrix.BadFilter):
        matrix.Filters.from_args(args, served_catalogue.current())


def test_the_matrix_page_marks_every_cell_with_text_and_links_it_to_the_records(app, client, office):
    sign_in(client, "maria@clinic.example")
    html = client.get("/manager/matrix").get_data(as_text=True)
    assert '<th scope="col" class="matrix-corner">Person</th>' in html
    assert html.count('<th scope="row" class="matrix-person">') == 5
    assert html.count('class="cell cell-overdue') == 3 and html.count('class="cell cell-due_soon') == 1
    assert '<span class="visually-hidden">Overdue</span>' in html  # colour is never the only signal
    assert f'/manager/staff/{office.ben}?as_of={TODAY.isoformat()}#certification-bls' in html
    assert "Eve Stone" not in html
    overdue_only = client.get("/manager/matrix?status=overdue").get_data(as_text=True)
    assert "Ben Ortiz" in overdue_only and "Ava Quinn" not in overdue_only
    assert 'option value="overdue" selected' in overdue_only  # the form keeps the filter
    assert "/manager/exports/matrix.csv?as_of=" in overdue_only and "status=overdue" in overdue_only


def test_the_matrix_page_is_paginated(app, client, office, monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    sign_in(client, "maria@clinic.example")
    first = client.get("/manager/matrix").get_data(as_text=True)
    third = client.get("/manager/matrix?page=3").get_data(as_text=True)
    assert "Page 1 of 3" in first and ">Ava Quinn</a>" in first and ">Maria Lopez</a>" not in first
    assert "Page 3 of 3" in third and ">Maria Lopez</a>" in third and ">Ava Quinn</a>" not in third
    assert client.get("/manager/matrix?page=4").status_code == 400
    assert client.get("/manager/matrix?page=x").status_code == 400


def test_the_dashboard(app, client, office):
    sign_in(client, "maria@clinic.example")
    response = client.get("/manager/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "80%" in html  # 12 of 15 not overdue
    assert "Every overdue item (3)" in html and "Within 30 days (1)" in html
    overdue = html[html.index('id="overdue-items-heading"'):html.index('id="expiring-heading"')]
    assert overdue.count(">Ben Ortiz</a>") == 3 and "Ava Quinn" not in overdue
    assert "Policies due for review" in html
    assert "<svg" in html and "Compliance over the last 12 months" in html
    assert not re.search(r"<[^>]+\sstyle=", html)  # the CSP forbids inline styles
    assert "Content-Security-Policy" in response.headers


def test_policies_due_for_review_follow_the_as_of_date(app, client, office):
    sign_in(client, "maria@clinic.example")
    with app.app_context():
        policy = served_catalogue.current().policies["minimum-necessary"]
    before = (policy.next_review - timedelta(days=200)).isoformat()
    late = (policy.next_review + timedelta(days=3)).isoformat()
    assert "Minimum necessary" not in _review_section(client.get(f"/manager/dashboard?as_of={before}"))
    assert "Overdue by 3 days" in _review_section(client.get(f"/manager/dashboard?as_of={late}"))


def _review_section(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('id="review-heading"')
    return html[start:html.index("</section>", start)]


def test_the_person_page_shows_the_records_behind_each_status(app, client, office):
    sign_in(client, "maria@clinic.example")
    html = client.get(f"/manager/staff/{office.ava}").get_data(as_text=True)
    for anchor in ("policy-minimum-necessary", "policy-sharps-disposal", "module-hipaa-basics", "certification-bls"):
        assert f'id="{anchor}"' in html
    with app.app_context():
        fingerprint = served_catalogue.current().policies["minimum-necessary"].fingerprint
    assert fingerprint[:16] in html and "192.0.2.7" in html  # the signature: version, fingerprint, address
    assert "Quiz attempt" in html and "100%" in html  # the completion and its attempt
    assert "Verified by Maria Lopez" in html and "BLS-123456" in html  # the card and who checked it
    ben = client.get(f"/manager/staff/{office.ben}").get_data(as_text=True)
    assert ben.count("badge badge-overdue") == 1 + 3 + 3 and "Nothing on file." in ben  # counts, to do, each item
    assert "Needs attention" in ben and "Needs attention" not in html


def test_the_person_page_of_someone_who_left(app, client, office):
    sign_in(client, "maria@clinic.example")
    html = client.get(f"/manager/staff/{office.eve}").get_data(as_text=True)
    assert "was not employed on" in html
    earlier = client.get(f"/manager/staff/{office.eve}?as_of={(TODAY - timedelta(days=20)).isoformat()}")
    assert "was not employed" not in earlier.get_data(as_text=True)
    assert client.get("/manager/staff/999999").status_code == 404


MANAGER_PAGES = ["/manager/dashboard", "/manager/matrix", "/manager/staff/1", "/manager/exports",
                 "/manager/exports/matrix.csv", "/manager/exports/training.csv", "/manager/exports/certifications.csv",
                 "/manager/exports/policies/minimum-necessary/acknowledgements.csv", "/manager/evidence.zip"]


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_manager_pages_refuse_staff_and_send_visitors_to_sign_in(client, staff_member, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    sign_in(client, "sam@clinic.example")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", [p for p in MANAGER_PAGES if p != "/manager/staff/1"])
@pytest.mark.parametrize("as_of", ["2026-02-30", "tomorrow", "1999-12-31", "9999-01-01", "2026-1-5"])
def test_a_bad_as_of_is_a_400_that_says_why(client, manager, path, as_of):
    sign_in(client, "maria@clinic.example")
    response = client.get(f"{path}?as_of={as_of}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The date must be a real day" in page and "Bad Request" not in page


def test_bad_matrix_filters_are_a_400(client, manager):
    sign_in(client, "maria@clinic.example")
    for query in ("location=moon-base", "status=late", "requirement=policy:none"):
        assert client.get(f"/manager/matrix?{query}").status_code == 400
        assert client.get(f"/manager/exports/matrix.csv?{query}").status_code == 400


def test_people_who_owe_nothing_still_count_as_rows(app, office):
    with app.app_context():
        staff = db.session.get(Staff, office.cleo)
        computed = matrix.compute(served_catalogue.current(), TODAY, people=[staff])
    assert [row.staff.name for row in computed.rows] == ["Cleo Park"]
    assert computed.summary.total == 2


def test_the_chart_escapes_names_and_leaves_gaps():
    from tracker.web.svg_chart import Series, axis_floor, line_chart

    series = [Series("<b>Main</b>", [50.0, 75.0, 100.0]), Series("North & South", [None, 90.0, 95.0])]
    chart = str(line_chart("Trend", ["Oct", "Nov", "Dec"], series, y_min=axis_floor(series)))
    assert "<b>" not in chart and "&lt;b&gt;Main&lt;/b&gt;" in chart and "North &amp; South" in chart
    assert chart.count("<polyline") == 2
    assert chart.count("<circle") == 3 + 1 and chart.count("<rect") == 2 + 1  # points (no gap's), legend marks
    assert "style=" not in chart and axis_floor(series) == 40.0
