"""Helpers for the tracker tests: databases, people, signing in."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, make_url

from tracker import create_app
from tracker.api import openapi_document
from tracker.services.people import StaffData, create_staff, create_user
from tracker.services.tokens import issue_token
from tracker.storage.db import db
from tracker.storage.models import User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tracker"
CONTENT = FIXTURES / "content"
PASSWORD = "correct horse battery staple"
POSTGRES_ENV = "TRACKER_TEST_DATABASE_URL"
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def scratch_postgres_database(server_url: str):
    """A new, uniquely named database on the server of ``server_url``; dropped afterwards."""
    url = make_url(server_url)
    name = f"tracker_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def fresh_database(backend: str, tmp_path: Path):
    """An empty database of the backend: a file under tmp_path, or a scratch PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        with scratch_postgres_database(os.environ[POSTGRES_ENV]) as url:
            yield url


def make_app(database_url: str, **overrides):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TRACKER_CONTENT_DIR": CONTENT,
              "SECRET_KEY": "test-secret"}
    return create_app({**config, **overrides})


def add_person(app, email: str, name: str, account_role: str | None = "staff", roles=("front-desk",),
               location: str | None = "main-street", hire_date: date | None = None) -> int:
    """A staff record, and an account unless account_role is None; returns the staff id."""
    with app.app_context():
        staff = create_staff(StaffData(name=name, email=email, job_title="", roles=tuple(roles), location_id=location,
                                       hire_date=hire_date or date.today() - timedelta(days=3)), "test")
        if account_role:
            create_user(staff, account_role, PASSWORD, "test")
        db.session.commit()
        return staff.id


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, next_page: str | None = None, **environ):
    url = "/sign-in" + (f"?next={next_page}" if next_page else "")
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "email": email, "password": password},
                       environ_overrides=environ)


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    file = root / rel
    text = file.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    file.write_text(text.replace(old, new, 1), "utf-8")


def bump_minimum_necessary(root: Path) -> None:
    """Version 4 of minimum-necessary: a material change for everyone."""
    rel = "policies/hipaa-privacy/minimum-necessary.yml"
    edit(root, rel, "version: 3\neffective_date: 2026-03-01", "version: 4\neffective_date: 2026-03-20")
    edit(root, rel, "Share with a payer only", "Share with a payer or vendor only")
    (root / rel).write_text((root / rel).read_text("utf-8") + (
        "  - version: 4\n    date: 2026-03-20\n    summary: Vendors too.\n    material_change: true\n"), "utf-8")


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def ack_form(client, policy_id: str) -> dict:
    """The signing form's hidden fields, as the page served them."""
    html = client.get(f"/policies/{policy_id}").get_data(as_text=True)
    return {name: hidden_value(html, name) for name in ("csrf_token", "version", "fingerprint")}


def api_token(app, email: str) -> str:
    with app.app_context():
        token = issue_token(db.session.scalar(db.select(User).where(User.email == email)), "test")
        db.session.commit()
        return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def documented_schema(path: str, method: str, status: int) -> dict:
    """The JSON schema the OpenAPI document gives for this response."""
    document = openapi_document()
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def assert_documented(response, path: str, method: str = "GET") -> None:
    """The response's status is documented for the operation, and its body fits the schema."""
    schema = documented_schema(path, method, response.status_code)
    validator = Draft202012Validator({**schema, "components": openapi_document()["components"]})
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    assert not errors, errors
