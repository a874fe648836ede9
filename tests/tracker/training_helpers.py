"""Helpers for the training and certification tests: extra content, the quiz form, counting rows.

The shared fixture content has one module (hipaa-basics, one question) and one certification type
(bls). These tests also need an in-person module with every question type and a few more
certification types; they are added to a copy of the content and synced, so other tests keep
the fixture as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from tracker_helpers import copy_content, csrf_token
from werkzeug.datastructures import MultiDict

from portal import load_catalogue
from tracker.services.sync import sync
from tracker.storage.db import db
from tracker.storage.models import AuditEvent

BBP = "bloodborne-pathogens"
HIPAA = "hipaa-basics"

# Three questions, one of each type; pass mark 60: two right (66%) passes, one right (33%) fails.
BBP_MODULE = """\
id: bloodborne-pathogens
title: Bloodborne pathogens
version: 1
effective_date: 2026-01-15
summary: Exposure to blood at work, and what to do after a needlestick.
audience: [medical-assistant, clinician]
deadline_days_after_hire: 10
deadline_counts: working_days
recurrence_months: 12
recurrence_basis: Required by 29 CFR 1910.1030(g)(2)(ii).
in_person_required: true
pass_mark: 60
objectives:
  - Act correctly after a needlestick.
content: |
  ## After a needlestick
  Wash the site with soap and water, then report it at once.
quiz:
  questions:
    - id: first-step
      type: single
      prompt: What do you do first after a needlestick?
      choices:
        - {id: wash, text: Wash the site with soap and water}
        - {id: wait, text: Wait until the end of the shift}
      answers: [wash]
      explanation: Washing at once lowers the dose of any virus.
    - id: ppe
      type: multiple
      prompt: Which of these are personal protective equipment?
      choices:
        - {id: gloves, text: Gloves}
        - {id: goggles, text: Goggles}
        - {id: badge, text: A name badge}
      answers: [gloves, goggles]
      explanation: Gloves and goggles keep blood off skin and eyes; a badge protects nothing.
    - id: vaccine-free
      type: true_false
      prompt: The hepatitis B vaccine is free for employees at risk.
      choices:
        - {id: "true", text: "True"}
        - {id: "false", text: "False"}
      answers: ["true"]
      explanation: 29 CFR 1910.1030(f)(1) makes the employer pay for it.
"""

EXTRA_CERTIFICATIONS = """
  - id: cma-aama
    name: Certified Medical Assistant, CMA (AAMA)
    kind: certification
    issuer: American Association of Medical Assistants (AAMA)
    validity_months: 60
    validity_note: Valid for 60 months, counted from the end of the month of certification.
    required_for: [medical-assistant]
    renewal: Recertify with the AAMA.
    source: AAMA
  - id: hep-b
    name: Hepatitis B vaccination
    kind: vaccination
    issuer: Any licensed provider
    validity_months: null
    required_for: [front-desk]
    renewal: Given once; no renewal.
    source: 29 CFR 1910.1030(f)
"""

ANSWER_FIELD = re.compile(r'name="(answer-[^"]+)" value="([^"]*)"')


def extend_content(app, tmp_path: Path) -> Path:
    """Add the in-person module and the extra certification types, and sync them."""
    root = copy_content(tmp_path)
    (root / "training" / f"{BBP}.yml").write_text(BBP_MODULE, "utf-8")
    certifications = root / "training" / "certifications.yml"
    certifications.write_text(certifications.read_text("utf-8").rstrip("\n") + "\n" + EXTRA_CERTIFICATIONS, "utf-8")
    with app.app_context():
        sync(root, "test")
    app.config["TRACKER_CONTENT_DIR"] = root
    return root


def module_of(root: Path, module_id: str):
    return load_catalogue(root).modules[module_id]


def start_quiz(client, module_id: str) -> str:
    """Start the module's quiz from its page, as the Start button does; returns the quiz page's URL."""
    page = client.get(f"/training/{module_id}").get_data(as_text=True)
    response = client.post(f"/training/{module_id}/quiz", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def quiz_fields(client, module_id: str) -> tuple[str, dict]:
    """A quiz served for the module: its page's URL and the form's hidden fields."""
    url = start_quiz(client, module_id)
    return url, {"csrf_token": csrf_token(client.get(url).get_data(as_text=True))}


def answer_fields(page: str) -> list[tuple[str, str]]:
    """Every (field name, choice id) the quiz page offers."""
    return ANSWER_FIELD.findall(page)


def take_quiz(client, module_id: str, answers: dict[str, list[str]]):
    """Start the quiz and post answers (question id -> choice ids) through the HTML form."""
    url, fields = quiz_fields(client, module_id)
    data = list(fields.items())
    data += [(f"answer-{question}", choice) for question, choices in answers.items() for choice in choices]
    return client.post(url, data=MultiDict(data))


def post_page_form(client, url: str, fields: dict | list, form_url: str | None = None):
    """Post a form with the CSRF token of the page it is on (``form_url``, default ``url``)."""
    token = csrf_token(client.get(form_url or url).get_data(as_text=True))
    data = list(fields.items()) if isinstance(fields, dict) else list(fields)
    return client.post(url, data=MultiDict([("csrf_token", token), *data]))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def actions_since(app, seq: int) -> list[str]:
    """The audit actions appended after event ``seq``, in order."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def last_seq(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))
