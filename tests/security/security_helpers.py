"""Helpers for the security tests: what the database holds, and carrying a session between apps."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from sqlalchemy import func, select
from tracker_helpers import CONTENT, PASSWORD, add_person, api_token, sign_in
from werkzeug.routing import Rule

from portal import load_catalogue
from tracker.services import audit, certification_cards, duties, duty_files, served_catalogue
from tracker.services import calendars as calendar_feed
from tracker.services.tokens import revoke_tokens
from tracker.services.uploads import Upload
from tracker.storage.db import db
from tracker.storage.models import (
    CertificationRecord,
    ModuleVersion,
    QuizAttempt,
    QuizServing,
    SessionAttendee,
    Staff,
    TrainingSession,
    User,
)

POLICY = load_catalogue(CONTENT).policies["minimum-necessary"]
SIGNATURE = {"policy_id": POLICY.id, "version": POLICY.version, "fingerprint": POLICY.fingerprint,
             "signature_name": "Sam Carter"}
DUTY_ID = "quarterly-access-review"  # owned by the privacy officer in tests/fixtures/tracker/content
HOSTILE = "=1+2 <script>alert('x')</script>'; DROP TABLE staff;-- \" OR 1=1 --"


def holdings(app) -> dict[str, int]:
    """Rows in every table, and whether the audit chain verifies: equal before and after a refused
    request means it left nothing behind."""
    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        verification = audit.verify()
        counts["chain intact"] = verification.ok
        return counts


def carry_session(source, target) -> None:
    """Give test client ``target`` the session cookie of ``source`` (signed with the same key)."""
    target.set_cookie("session", source.get_cookie("session").value)


# --- A small clinic with one record of every kind, and people in every role ----------------------

ACTORS = ("anonymous", "staff", "other_staff", "manager", "admin", "revoked_token")
PEOPLE = {  # actor: (e-mail, name, account role)
    "staff": ("sam@clinic.example", "Sam Carter", "staff"),
    "other_staff": ("lee@clinic.example", "Lee Park", "staff"),
    "manager": ("maria@clinic.example", "Maria Lopez", "manager"),
    "admin": ("ada@clinic.example", "Ada Admin", "admin"),
    "revoked_token": ("rex@clinic.example", "Rex Revoked", "staff"),
}
SIGNED_OUT = {"anonymous", "revoked_token"}  # a revoked token is no better than none


@dataclass
class World:
    """Ids of real records, all of them Sam's (the "staff" actor) where a record has an owner, so
    that "other_staff" (Lee) acting on them is acting on someone else's record."""

    staff_ids: dict[str, int]
    tokens: dict[str, str]
    params: dict[str, object]


def build_world(app) -> World:
    staff_ids = {actor: add_person(app, email, name, account_role=role,
                                   roles=("office-manager",) if role != "staff" else ("front-desk",))
                 for actor, (email, name, role) in PEOPLE.items()}
    tokens = {actor: api_token(app, email) for actor, (email, _, _) in PEOPLE.items()}
    with app.app_context():
        rex = db.session.scalar(select(User).where(User.email == PEOPLE["revoked_token"][0]))
        revoke_tokens(rex, "test")
        db.session.commit()
    client = app.test_client()
    ack = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers={"Authorization": f"Bearer {tokens['staff']}"})
    assert ack.status_code == 201, ack.get_data(as_text=True)
    params = {"policy_id": POLICY.id, "ack_id": ack.get_json()["id"], "staff_id": staff_ids["staff"],
              **_training_and_certification_records(app, staff_ids), **_duty_records(app, staff_ids)}
    return World(staff_ids, tokens, params)


def _training_and_certification_records(app, staff_ids: dict[str, int]) -> dict[str, object]:
    """One quiz attempt, in-person session, certification record and calendar feed, as Sam's."""
    with app.app_context():
        catalogue = served_catalogue.required()
        module = next(iter(catalogue.modules.values()))
        version = db.session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == module.id,
                                                                ModuleVersion.version == module.version))
        sam = db.session.get(Staff, staff_ids["staff"])
        maria = db.session.get(Staff, staff_ids["manager"])
        attempt = QuizAttempt(staff=sam, module_version=version, answers={}, correct=0, questions=1, score=0,
                              passed=False, ip_address="127.0.0.1", user_agent="test")
        serving = QuizServing(staff=sam, module_version=version,
                              layout=[[q.id, [c.id for c in q.choices]] for q in module.questions])
        session = TrainingSession(module_version=version, held_on=date.today(), content_summary="Summary",
                                  trainer_name="Trainer", trainer_qualifications="RN", location_id=sam.location_id,
                                  recorded_by_id=maria.user.id)
        session.attendees.append(SessionAttendee(staff=sam, name=sam.name, job_title=sam.job_title))
        record = CertificationRecord(staff=sam, type_id=next(iter(catalogue.certifications)), number="BLS-1",
                                     issuer="AHA", issued_on=date.today(), submitted_by_id=sam.user.id)
        db.session.add_all([attempt, serving, session, record])
        db.session.flush()
        audit.record("test", "test.records", "test", {"attempt": attempt.id, "session": session.id,
                                                      "certification": record.id, "quiz": serving.id},
                     records=[attempt, session, *session.attendees, record])
        token = calendar_feed.replace_feed(sam.user, calendar_feed.PERSONAL)
        db.session.commit()
        card = certification_cards.add(record, Upload("card.png", b"\x89PNG\r\n\x1a\n card"), sam.user)
        return {"module_id": module.id, "attempt_id": attempt.id, "quiz_id": serving.id, "session_id": session.id,
                "record_id": record.id, "token": token, "card_id": card.id}


def _duty_records(app, staff_ids: dict[str, int]) -> dict[str, object]:
    """A completion of the privacy officer's duty (no actor holds that role), with an attachment."""
    with app.app_context():
        maria = db.session.get(Staff, staff_ids["manager"])
        completion = duties.record_completion(maria.user, DUTY_ID, {"completed_on": date.today().isoformat()},
                                              duty_files.Upload("review.pdf", b"%PDF-1.4 review"))
        return {"duty_id": DUTY_ID, "sha256": completion.attachment_sha256}


# --- Routes --------------------------------------------------------------------------------------

PAGE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SESSION_ENDING = ("/sign-out", "/sign-out-everywhere")


def routes(app) -> list[tuple[str, str, Rule]]:
    """Every (endpoint, method, rule) the app answers, but static files and automatic methods."""
    return sorted(((rule.endpoint, method, rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                   for method in rule.methods if method in PAGE_METHODS), key=lambda r: (r[0], r[1]))


RULE_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


def url_for_rule(rule: Rule, params: dict[str, object]) -> str:
    """The rule's URL with each argument's value put in as text, unchecked by its converter (so a
    test can put in anything, e.g. a path traversal where an id belongs)."""
    missing = [name for name in rule.arguments if name not in params]
    assert not missing, f"give {rule.rule} a real value for {', '.join(missing)} in World.params (build_world)"
    return RULE_ARGUMENT.sub(lambda match: str(params[match.group(1)]), rule.rule)


class Visitor:
    """Requests as one actor: pages with the actor's session cookie (a fresh client for each, so that
    signing out does not sign out the next request) and its CSRF token; the API with its bearer token."""

    def __init__(self, app, actor: str, token: str | None):
        self.app, self.actor, self.token = app, actor, token
        self._sign_in()

    def _sign_in(self) -> None:
        client = self.app.test_client()
        if self.actor in PEOPLE and self.actor != "revoked_token":
            assert sign_in(client, PEOPLE[self.actor][0], PASSWORD).status_code == 303
        page = client.get("/sign-in" if self.actor in SIGNED_OUT else "/policies").get_data(as_text=True)
        self.csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
        cookie = client.get_cookie("session")
        self.cookie = cookie.value if cookie else None

    def request(self, method: str, url: str, data: dict | None = None):
        client = self.app.test_client()
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            return client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
        if self.cookie:
            client.set_cookie("session", self.cookie)
        if method != "GET" and data is None:
            data = {"csrf_token": self.csrf}
        response = client.open(url, method=method, data=data)
        if url in SESSION_ENDING and method == "POST":
            self._sign_in()  # signing out ends the session on the server: the next request needs a new one
        return response


# --- Reading pages -------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, str]]  # (tag or input type, name, value)
    selects: dict[str, list[str]] = field(default_factory=dict)  # name: option values


class FormParser(HTMLParser):
    """The POST forms of a page, with their fields, as a browser would submit them."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._select = page_url, [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self.forms.append(Form(attributes.get("action") or self.page_url, []))
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and any(n == attributes["name"] for _, n, _ in self.forms[-1].fields):
                return  # the first choice of a group is enough
            self.forms[-1].fields.append((kind, attributes["name"], attributes.get("value") or ""))
        elif tag == "textarea" and attributes.get("name"):
            self.forms[-1].fields.append(("textarea", attributes["name"], ""))
        elif tag == "select" and attributes.get("name"):
            self._select = attributes["name"]
            self.forms[-1].selects[self._select] = []
        elif tag == "option" and self._select:
            self.forms[-1].selects[self._select].append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def hostile_submission(form: Form, payload: str) -> dict[str, object]:
    """What a hostile user would send: the payload in every free-text field, something valid elsewhere."""
    data: dict[str, object] = {}
    for kind, name, value in form.fields:
        if kind in ("text", "textarea", "search", "tel", "url"):
            data[name] = payload
        elif kind == "email":
            data[name] = value or "hostile@clinic.example"
        elif kind == "date":
            # An empty date stays empty when it ends something (a leaving date would sign the person out).
            data[name] = value or ("" if name.startswith(("left", "end", "expires")) else date.today().isoformat())
        elif kind in ("checkbox", "radio"):
            data[name] = value or "y"
        elif kind not in ("submit", "button", "file"):
            data[name] = value
    for name, options in form.selects.items():
        chosen = [o for o in options if o]
        data[name] = chosen[0] if chosen else ""
    return data


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MINUS_LOOKALIKES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def starts_a_formula(cell: str) -> bool:
    """A spreadsheet may run it (OWASP CSV injection): a formula character first, or a Unicode
    look-alike of one (fullwidth ＝, small ﹢, a minus sign)."""
    first = unicodedata.normalize("NFKC", cell[:1])[:1]
    return first in FORMULA_STARTS or first in MINUS_LOOKALIKES if first else False


def unsafe_csv_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula; neutralised ones start with '."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if starts_a_formula(cell)]
