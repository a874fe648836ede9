"""The staff home: one to-do list of policies, training and certifications, most urgent first."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from dashboard_helpers import add_card, days_ago, pass_quiz, sign
from test_office_time import frozen_clock, los_angeles_office  # noqa: F401 (a fixture)
from tracker_helpers import add_person, bump_minimum_necessary, copy_content, edit, sign_in

from tracker.services import served_catalogue
from tracker.services.todo import DONE, DUE_SOON, OVERDUE, TO_DO, in_words, to_do_list
from tracker.storage import db as storage
from tracker.storage.models import Staff

POLICY = "minimum-necessary"
BLS = "Basic Life Support (BLS)"


def text_of(page: str) -> str:
    """The page's main content as a reader sees it: tags dropped, spaces collapsed."""
    main = page.split('<main id="main"', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split()).replace(" .", ".").replace(" ,", ",")


def home_text(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


@pytest.fixture
def ava(app, manager) -> int:
    """A medical assistant hired 20 days ago, with one item in each group."""
    ava = add_person(app, "ava@clinic.example", "Ava Quinn", roles=("medical-assistant",), hire_date=days_ago(20))
    sign(app, ava, POLICY, days_ago(2))  # done
    # sharps-disposal: due 7 days after hire (its own grace days), never signed: overdue
    add_card(app, ava, "bls", days_ago(700), days_ago(-10))  # expires in 10 days: due soon
    # hipaa-basics: due 30 days after hire: to do
    return ava


def the_list(app, staff_id: int, today: date | None = None):
    with app.app_context():
        staff = storage.db.session.get(Staff, staff_id)
        return to_do_list(staff, served_catalogue.required(), today or storage.today())


def test_dates_read_as_words_with_the_year_only_when_it_is_another_year():
    assert in_words(date(2026, 12, 8), date(2026, 12, 1)) == "8 December"
    assert in_words(date(2027, 1, 3), date(2026, 12, 1)) == "3 January 2027"


def test_overdue_comes_before_due_soon_before_to_do_before_done(app, ava):
    todo = the_list(app, ava)
    assert [(item.group, item.id) for item in todo.items] == [
        (OVERDUE, "sharps-disposal"), (DUE_SOON, "bls"), (TO_DO, "hipaa-basics"), (DONE, POLICY)]
    assert [group.key for group in todo.groups] == [OVERDUE, DUE_SOON, TO_DO, DONE]


def test_the_home_page_reads_each_item_as_a_sentence_in_that_order(app, client, ava):
    today = date.today()
    sign_in(client, "ava@clinic.example")
    page = client.get("/").get_data(as_text=True)
    text = text_of(page)
    assert "1 of 4 done" in text
    sentences = [
        f"Read and sign version 1 of Sharps disposal. It was due {in_words(days_ago(13), today)}.",  # 7 grace days
        f"Your {BLS} card expires {in_words(days_ago(-10), today)}: upload the renewed card.",
        f"Complete HIPAA basics training (quiz). Due {in_words(days_ago(-10), today)}.",
        f"You signed version 3 of Minimum necessary use and disclosure on {in_words(days_ago(2), today)}.",
    ]
    assert all(s in text for s in sentences), text
    places = [text.index(s) for s in sentences]
    assert places == sorted(places), text
    assert [text.index(h) for h in ("Overdue (1)", "Due soon (1)", "To do (1)", "Done (1)")] == sorted(
        text.index(h) for h in ("Overdue (1)", "Due soon (1)", "To do (1)", "Done (1)"))
    # Each item links to where its work is done; what is done is folded away.
    for address in ("/policies/sharps-disposal", "/certifications", "/training/hipaa-basics", f"/policies/{POLICY}"):
        assert f'href="{address}"' in page
    assert re.search(r'<details[^>]*>\s*<summary>Show the 1 done</summary>', page)
    assert "what-changed" not in page  # nobody is asked to sign again


def test_certifications_expired_or_missing_say_what_to_upload(app, client, ava, manager):
    ben = add_person(app, "ben@clinic.example", "Ben Ortiz", roles=("clinician",), hire_date=days_ago(400))
    add_card(app, ben, "bls", days_ago(800), days_ago(5))
    cara = add_person(app, "cara@clinic.example", "Cara Diaz", roles=("clinician",), hire_date=days_ago(400))
    dan = add_person(app, "dan@clinic.example", "Dan Wu", roles=("clinician",), hire_date=days_ago(400))
    add_card(app, dan, "bls", days_ago(100), days_ago(-600))
    today = date.today()
    cards = {person: next(i for i in the_list(app, person).items if i.kind == "certification")
             for person in (ben, cara, dan)}
    assert (cards[ben].group, cards[ben].text) == (
        OVERDUE, f"Your {BLS} card expired {in_words(days_ago(5), today)}: upload the renewed card.")
    assert cards[cara].group == OVERDUE and cards[cara].text.startswith(f"Upload your {BLS} card. It was due ")
    assert (cards[dan].group, cards[dan].text) == (
        DONE, f"Your {BLS} card is valid until {in_words(days_ago(-600), today)}.")


def test_training_due_for_renewal_says_renew(app, manager):
    cleo = add_person(app, "cleo@clinic.example", "Cleo Park", hire_date=days_ago(400))
    pass_quiz(app, cleo, "hipaa-basics", days_ago(350))
    module = next(i for i in the_list(app, cleo).items if i.kind == "module")
    assert module.group == DUE_SOON
    assert module.text == f"Renew HIPAA basics training (quiz). Due {in_words(days_ago(-15), date.today())}."


def resync_with_version_4(app, runner, tmp_path) -> None:
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)  # version 4, a material change for everyone, 20 March 2026
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0


def test_see_what_changed_only_for_someone_who_signed_an_earlier_version(app, client, runner, staff_member, tmp_path):
    sign(app, staff_member, POLICY)  # version 3
    add_person(app, "pat@clinic.example", "Pat Other")
    resync_with_version_4(app, runner, tmp_path)
    changed = in_words(date(2026, 3, 20), date.today())
    sign_in(client, "sam@clinic.example")
    page = client.get("/").get_data(as_text=True)
    assert (f"Sign version 4 of Minimum necessary use and disclosure, changed {changed}: see what changed. Due "
            in text_of(page))
    assert f'<a href="/policies/{POLICY}#what-changed">see what changed</a>' in page
    assert f'<a href="/policies/{POLICY}">Sign version 4 of Minimum necessary use and disclosure</a>' in page

    pat = client.application.test_client()
    sign_in(pat, "pat@clinic.example")
    first_time = pat.get("/").get_data(as_text=True)
    assert "Read and sign version 4 of Minimum necessary use and disclosure. Due " in text_of(first_time)
    assert "what-changed" not in first_time and "see what changed" not in first_time


def test_my_policies_puts_what_needs_doing_first_and_names_the_version_to_sign(app, client, ava, staff_member):
    sign_in(client, "ava@clinic.example")
    text = text_of(client.get("/policies").get_data(as_text=True))
    assert "1 of 2 signed" in text
    assert text.index("Read and sign version 1 of Sharps disposal") < text.index("You signed version 3 of Minimum")
    assert text.index("Overdue (1)") < text.index("Done (1)")
    assert "For reference" in text and "Visitor log" in text

    # Sam (front desk) must have signed version 2 or later; the signing page shows version 3: so does the list.
    sam = client.application.test_client()
    sign_in(sam, "sam@clinic.example")
    mine = text_of(sam.get("/policies").get_data(as_text=True))
    due = in_words(days_ago(3) + timedelta(days=14), date.today())
    assert f"Read and sign version 3 of Minimum necessary use and disclosure. Due {due}." in mine
    assert "version 2" not in mine and "Version" not in mine
    assert mine.count(due) == 1  # the due date once, not once per sentence and again in a detail
    assert "0 of 1 signed" in mine


def test_today_is_the_offices_day(app, client, los_angeles_office, monkeypatch):  # noqa: F811
    """23:30 in Los Angeles on the deadline day is already the next day in UTC: still due today."""
    add_person(app, "sam@clinic.example", "Sam Carter")
    with app.app_context():
        sam = storage.db.session.scalar(storage.db.select(Staff))
        deadline = next(i for i in to_do_list(sam, served_catalogue.required(), date.today()).items
                        if i.kind == "policy").due_date
    late_evening = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=7,
                                                                                                       minutes=30)
    frozen_clock(monkeypatch, late_evening)
    sign_in(client, "sam@clinic.example")
    text = home_text(client)
    assert "Read and sign version 3 of Minimum necessary use and disclosure. Due today." in text
    assert "Overdue" not in text
    frozen_clock(monkeypatch, late_evening - timedelta(days=1))
    assert "Minimum necessary use and disclosure. Due tomorrow." in home_text(client)
    frozen_clock(monkeypatch, late_evening + timedelta(hours=1))  # 00:30 the next day in Los Angeles
    text = home_text(client)
    assert f"Minimum necessary use and disclosure. It was due {in_words(deadline, deadline)}." in text
    assert "Overdue (1)" in text


def test_a_new_hire_on_day_one_is_told_where_to_start(app, client):
    add_person(app, "nia@clinic.example", "Nia Brooks", hire_date=storage.today())
    sign_in(client, "nia@clinic.example")
    page = client.get("/").get_data(as_text=True)
    text = text_of(page)
    assert "<h1>Welcome to Test Family Clinic, Nia</h1>" in page
    assert "Your first day: where to start" in text and "Nothing is late yet" in text
    assert "Start here: Read and sign version 3 of Minimum necessary use and disclosure." in text
    assert "0 of 2 done" in text


def test_someone_not_started_yet_is_told_when_the_list_begins(app, client):
    starts = storage.today() + timedelta(days=7)
    add_person(app, "nia@clinic.example", "Nia Brooks", hire_date=starts)
    sign_in(client, "nia@clinic.example")
    text = home_text(client)
    assert f"You start on {in_words(starts, storage.today())}." in text
    assert "Nothing is assigned to you" not in text


def only_for_the_front_desk(app, runner, tmp_path) -> None:
    """Content in which everything is for the front desk, so other roles owe nothing."""
    root = copy_content(tmp_path)
    edit(root, "policies/hipaa-privacy/minimum-necessary.yml", "applies_to: [all]", "applies_to: [front-desk]")
    edit(root, "training/hipaa-basics.yml", "audience: [all]", "audience: [front-desk]")
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0


def test_a_manager_with_nothing_to_do_gets_the_dashboard(app, client, runner, manager, tmp_path):
    only_for_the_front_desk(app, runner, tmp_path)
    sign_in(client, "maria@clinic.example")
    page = client.get("/").get_data(as_text=True)
    assert "Nothing is assigned to you: no policy, training or certification applies" in text_of(page)
    assert '<a href="/manager/dashboard">open the dashboard</a>' in page
    assert " done" not in text_of(page)  # no "0 of 0 done"


def test_staff_with_nothing_to_do_are_told_so(app, client, runner, tmp_path):
    add_person(app, "lee@clinic.example", "Lee Park", roles=("office-manager",))
    only_for_the_front_desk(app, runner, tmp_path)
    sign_in(client, "lee@clinic.example")
    text = home_text(client)
    assert "Nothing is assigned to you right now." in text and "dashboard" not in text


def test_each_person_sees_only_their_own_list(app, client, ava, staff_member):
    assert client.get("/").headers["Location"].startswith("/sign-in")  # signed out: sign in first
    sign_in(client, "sam@clinic.example")
    text = home_text(client)
    assert "Sharps disposal" not in text and BLS not in text  # Ava's, not Sam's
    assert "Read and sign version 3 of Minimum necessary" in text and "You signed" not in text
    assert text_of(client.get(f"/?staff_id={ava}").get_data(as_text=True)) == text  # no way to ask for another's
    boss = client.application.test_client()
    sign_in(boss, "maria@clinic.example")
    assert "Sharps disposal" not in home_text(boss)  # a manager's home is their own list too


def test_the_header_leads_to_the_to_do_list_first(client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = client.get("/policies").get_data(as_text=True)
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page.split('<nav class="nav"', 1)[1])
    assert links[:2] == [("/", "To do"), ("/policies", "My policies")]
    assert '<a class="office" href="/">' in page
