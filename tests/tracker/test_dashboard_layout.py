"""The manager's pages as they read: needs attention first, tables sorted and filtered by links,
names that lead to the person, a page in words for a bad date, and a banner for a future one."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from dashboard_helpers import TODAY, days_ago, hold_session, known_office
from tracker_helpers import sign_in
from training_helpers import BBP, extend_content

from tracker.web import dashboard


@pytest.fixture
def office(app, manager):
    return known_office(app, manager)


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows_of(html: str, table_start: str) -> list[str]:
    """The text of each body row of the first table after ``table_start``."""
    start = html.index(table_start)
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return [re.sub(r"<[^>]+>|\s+", " ", row.split(">", 1)[1]).strip() for row in body.split("<tr")[1:]]


def test_needs_attention_comes_first_with_overdue_people_linked(client, office):
    sign_in(client, "maria@clinic.example")
    html = page_of(client.get("/manager/dashboard"))
    order = [html.index(f'id="{section}"') for section in
             ("attention-heading", "trend-heading", "overall-heading", "overdue-items-heading", "expiring-heading",
              "review-heading")]
    assert order == sorted(order)
    attention = html[order[0]:order[1]]
    assert f'href="/manager/staff/{office.ben}?as_of={TODAY.isoformat()}">Ben Ortiz</a>' in attention
    assert "1 person has 3 overdue items." in attention
    assert "Ava Quinn" not in attention  # nothing overdue
    assert "Send a reminder to everyone overdue (1)" in attention
    assert f'action="/manager/staff/{office.ben}/remind"' in attention


def test_the_overdue_items_sort_and_filter_by_their_links(client, office):
    sign_in(client, "maria@clinic.example")
    start = 'id="overdue-items-heading"'
    ascending = rows_of(page_of(client.get("/manager/dashboard?sort=item&dir=asc")), start)
    descending = rows_of(page_of(client.get("/manager/dashboard?sort=item&dir=desc")), start)
    assert len(ascending) == 3 and descending == list(reversed(ascending))
    html = page_of(client.get("/manager/dashboard?sort=item&dir=asc"))
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="[^"]*sort=item&amp;dir=desc', html)
    policies = rows_of(page_of(client.get("/manager/dashboard?kind=policy")), start)
    assert len(policies) == 1 and "Policy:" in policies[0]
    found = rows_of(page_of(client.get("/manager/dashboard?q=ben+minimum")), start)
    assert len(found) == 1 and "Minimum necessary" in found[0]
    nothing = page_of(client.get("/manager/dashboard?q=no+such+thing"))
    assert "No overdue item matches." in nothing and "0 of 3 shown." in nothing
    # An address the page never offers is shown as if it were not there.
    assert rows_of(page_of(client.get("/manager/dashboard?sort=moon&kind=moon")), start) == \
        rows_of(page_of(client.get("/manager/dashboard")), start)


def test_a_long_overdue_list_comes_a_page_at_a_time(client, office, monkeypatch):
    """At a group practice's size the dashboard would otherwise carry every overdue item in one page."""
    sign_in(client, "maria@clinic.example")
    start = 'id="overdue-items-heading"'
    everything = rows_of(page_of(client.get("/manager/dashboard?sort=item&dir=asc")), start)
    monkeypatch.setattr(dashboard, "LIST_LIMIT", 2)
    html = page_of(client.get("/manager/dashboard?sort=item&dir=asc"))
    first = rows_of(html, start)
    assert len(first) == 2 and "Rows 1 to 2 of 3 (page 1 of 2)" in html
    assert 'aria-label="Overdue items: pages"' in html and ">Previous</a>" not in html
    following = unescape(re.search(r'<a href="([^"]+)">Next</a>', html).group(1))
    assert "sort=item" in following and "dir=asc" in following and "page=2" in following  # the order is kept
    second_html = page_of(client.get(following))
    second = rows_of(second_html, start)
    assert first + second == everything and "Rows 3 to 3 of 3 (page 2 of 2)" in second_html
    assert re.search(r'<details class="fold" open>\s*<summary><h2 id="overdue-items-heading"', second_html)
    # A page past the end shows the last; anything else that is not a page number shows the first.
    assert rows_of(page_of(client.get("/manager/dashboard?sort=item&dir=asc&page=9")), start) == second
    for asked in ("0", "-1", "two", "1e3"):
        assert rows_of(page_of(client.get(f"/manager/dashboard?sort=item&dir=asc&page={asked}")), start) == first
    # Sorting or filtering again starts from the first page.
    assert "page=" not in re.search(r'<a href="([^"]+)">Item', second_html).group(1)
    assert 'name="page"' not in second_html


def test_the_staff_list_links_names_and_sorts_and_filters(client, office):
    sign_in(client, "maria@clinic.example")
    html = page_of(client.get("/manager/staff"))
    assert f'<a href="/manager/staff/{office.ben}">Ben Ortiz</a>' in html
    names = [row.split(" ")[0] for row in rows_of(html, 'id="staff"')]
    assert names[:5] == ["Ava", "Ben", "Cleo", "Dev", "Maria"] and names[-1] == "Eve"  # those who left last
    hired = [row.split(" ")[0] for row in rows_of(page_of(client.get("/manager/staff?sort=hired&dir=desc")),
                                                  'id="staff"')]
    assert hired[0] == "Maria" and set(hired[-4:]) == {"Ava", "Ben", "Cleo", "Eve"}
    left = rows_of(page_of(client.get("/manager/staff?status=left")), 'id="staff"')
    assert len(left) == 1 and left[0].startswith("Eve Stone")
    northgate = rows_of(page_of(client.get("/manager/staff?q=northgate")), 'id="staff"')
    assert sorted(r.split(" ")[0] for r in northgate) == ["Ben", "Cleo"]


@pytest.mark.parametrize("path", ["/manager/dashboard", "/manager/matrix", "/manager/exports"])
def test_a_date_that_is_no_day_gets_a_page_in_words(client, manager, path):
    sign_in(client, "maria@clinic.example")
    response = client.get(f"{path}?as_of=2026-13-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That date cannot be shown" in html and "Bad Request" not in html
    assert re.search(r"must be a real day, written year-month-day, like \d{4}-\d\d-\d\d", html)
    assert f'<a href="{path}">Show this page for today</a>' in html
    assert 'class="site-header"' in html  # the product's own page, header and all


def test_the_api_still_answers_a_bad_date_in_json(client, manager):
    sign_in(client, "maria@clinic.example")
    response = client.get("/api/v1/me/requirements?as_of=2026-13-01")
    assert response.status_code in (400, 401)
    assert response.is_json and "error" in response.get_json()


def test_a_future_date_is_called_a_projection(client, office):
    sign_in(client, "maria@clinic.example")
    future = TODAY + timedelta(days=104)
    spoken = f"{future.day} {future:%B %Y}"
    banner = f"This is a projection for {spoken}:</strong> it assumes no one signs or completes anything before then."
    for path in ("/manager/dashboard", "/manager/matrix", f"/manager/staff/{office.ben}"):
        assert banner in page_of(client.get(f"{path}?as_of={future.isoformat()}")), path
        assert "This is a projection" not in page_of(client.get(path))
    # Reminders go out about today, so a projection offers none.
    assert "Send reminder" not in page_of(client.get(f"/manager/dashboard?as_of={future.isoformat()}"))


def test_the_session_record_names_people_not_record_numbers(app, client, tmp_path, office):
    extend_content(app, tmp_path)
    hold_session(app, BBP, days_ago(2), [office.ava, office.ben])
    sign_in(client, "maria@clinic.example")
    listing = page_of(client.get("/manager/sessions"))
    url = re.search(r'href="(/manager/sessions/\d+)"', listing).group(1)
    html = page_of(client.get(url))
    assert "by Maria Lopez" in html and ", record " not in html
    assert f'<a href="/manager/staff/{office.ben}">Ben Ortiz</a>' in html
    assert re.findall(r"<td>(?:<a[^>]*>)?Completed <time", html) and "<td>1</td>" not in html
