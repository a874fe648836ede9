"""Hostile input: oversized, mistyped, malformed and deeply nested bodies; markup, SQL and spreadsheet
formulas in every text field of every form and API body; path traversal in every URL parameter.

Bodies are refused with a clear 4xx (JSON under /api), never a 500. Text is stored as data, exactly
as sent, and comes back escaped on every page and neutralised in every CSV export.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile

import pytest
from security_helpers import (
    HOSTILE,
    SIGNATURE,
    Visitor,
    build_world,
    holdings,
    post_forms,
    routes,
    unsafe_csv_cells,
    url_for_rule,
)
from security_helpers import hostile_submission as fill_form
from sqlalchemy import make_url
from tracker_helpers import add_person, api_token, bearer, make_app

from tracker.api import openapi_document

# Markup, SQL and a spreadsheet formula at once; a name the staff rules accept, so it is stored.
HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\") <script>alert('x')</script> O'Brien; DROP TABLE staff;--"
TOO_LARGE = 1024 * 1024 + 1
TRAVERSALS = ["..%2f..%2fetc%2fpasswd", "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "..%5c..%5cwindows%5cwin.ini", "....//....//etc/passwd", "%00", "..%00"]


@pytest.fixture
def world(app):
    return build_world(app)


def json_operations() -> list[tuple[str, str]]:
    """(method, path template) of every documented operation that takes a JSON body."""
    return [(method.upper(), path) for path, item in openapi_document()["paths"].items()
            for method, operation in item.items()
            if "application/json" in operation.get("requestBody", {}).get("content", {})]


def api_url(path: str, params: dict) -> str:
    return "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), path)


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert isinstance(body["error"], str) and isinstance(body["details"], list)


def test_every_json_operation_refuses_bad_bodies_cleanly(app, world):
    """Too large (413), not JSON (415), not UTF-8 (400), nested past any parser's depth (400)."""
    client, manager = app.test_client(), bearer(world.tokens["manager"])
    operations = json_operations()
    assert operations, "the OpenAPI document lists no operation with a JSON body"
    deep_list, deep_object = "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000
    bad_bodies = [
        ("application/json", b'{"x": "' + b"a" * TOO_LARGE + b'"}', 413),
        ("text/plain", b'{"policy_id": "minimum-necessary"}', 415),
        ("application/x-www-form-urlencoded", b"policy_id=minimum-necessary", 415),
        ("application/json", b'{"signature_name": "\xff\xfe\xc3\x28"}', 400),
        ("application/json", b"\xef\xbb\xbf\xff", 400),
        ("application/json", deep_list.encode(), 400),
        ("application/json", deep_object.encode(), 400),
        ("application/json", b'{"policy_id": ' + b"[" * 900 + b"]" * 900 + b"}", 400),
        ("application/json", b'{"policy_id": "x", "version": 1e999999}', 400),
        ("application/json", b"", 400),
    ]
    for method, path in operations:
        url = api_url(path, world.params)
        for content_type, body, status in bad_bodies:
            response = client.open(url, method=method, data=body, headers={**manager, "Content-Type": content_type})
            assert_json_error(response, status)


def test_a_form_post_too_large_is_a_413_page(app, world):
    visitor = Visitor(app, "staff", None)
    response = visitor.request("POST", f"/policies/{world.params['policy_id']}",
                               data={"csrf_token": visitor.csrf, "signature_name": "x" * TOO_LARGE})
    assert response.status_code == 413 and response.mimetype == "text/html"


def test_hostile_text_through_the_api_is_stored_exactly(app, world):
    client, manager = app.test_client(), bearer(world.tokens["manager"])
    created = client.post("/api/v1/staff", headers=manager, json={
        "name": HOSTILE_NAME, "email": "hostile@clinic.example", "job_title": HOSTILE, "roles": ["front-desk"],
        "location": "main-street", "hire_date": "2026-01-05"})
    assert created.status_code == 201, created.get_data(as_text=True)
    listed = {s["email"]: s for s in client.get("/api/v1/staff", headers=manager).get_json()["staff"]}
    assert listed["hostile@clinic.example"]["name"] == HOSTILE_NAME
    assert listed["hostile@clinic.example"]["job_title"] == HOSTILE


def crawl_and_submit(app, world, actor: str) -> int:
    """Every page the actor can open, and every POST form on it submitted with HOSTILE in each free-text
    field; returns how many forms were sent. None may answer with a 5xx."""
    visitor, sent = Visitor(app, actor, world.tokens.get(actor)), 0
    for endpoint, method, rule in routes(app):
        if method != "GET" or rule.rule.startswith("/api/"):
            continue
        url = url_for_rule(rule, world.params)
        page = visitor.request("GET", url)
        assert page.status_code < 500, (url, page.status_code)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for form in post_forms(page.get_data(as_text=True), url):
            if form.action.endswith(("/sign-out", "/disable")):  # the next actor still needs to sign in
                continue
            response = visitor.request("POST", form.action, data=fill_form(form, HOSTILE))
            assert response.status_code < 500, (endpoint, form.action, response.get_data(as_text=True)[:300])
            sent += 1
    return sent


def check_outputs(app, world, actor: str) -> list[str]:
    """Every page the actor can open shows no live markup; every CSV (also inside ZIPs) no live formula."""
    visitor, problems = Visitor(app, actor, world.tokens.get(actor)), []
    for endpoint, method, rule in routes(app):
        if method != "GET" or rule.rule.startswith("/api/"):
            continue
        url = url_for_rule(rule, world.params)
        response = visitor.request("GET", url)
        if response.status_code != 200:
            continue
        problems += output_problems(f"{endpoint} {url}", response.mimetype, response.get_data())
    return problems


def output_problems(where: str, mimetype: str, data: bytes) -> list[str]:
    if mimetype == "text/html" and "<script" in data.decode("utf-8").lower():
        return [f"{where}: unescaped <script>"]
    if mimetype == "text/csv":
        unsafe = unsafe_csv_cells(data.decode("utf-8-sig"))
        return [f"{where}: CSV cells a spreadsheet would run: {unsafe[:3]}"] if unsafe else []
    if mimetype == "application/zip":
        problems = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                kind = {"csv": "text/csv", "html": "text/html", "htm": "text/html"}.get(name.rsplit(".", 1)[-1])
                problems += output_problems(f"{where} {name}", kind or "", archive.read(name)) if kind else []
        return problems
    return []


def test_hostile_text_in_every_form_is_data_everywhere_it_is_shown(app, world):
    """A person named like an attack signs a policy; then every form is sent with hostile text in each
    free-text field, as a manager and as staff. No page runs it; no export lets a spreadsheet run it."""
    hostile_email = "hostile@clinic.example"
    add_person(app, hostile_email, HOSTILE_NAME)
    signed = app.test_client().post("/api/v1/acknowledgements", headers=bearer(api_token(app, hostile_email)),
                                    json={**SIGNATURE, "signature_name": HOSTILE_NAME})
    assert signed.status_code == 201 and signed.get_json()["signature_name"] == HOSTILE_NAME
    sent = crawl_and_submit(app, world, "manager") + crawl_and_submit(app, world, "staff")
    assert sent >= 5, "the crawler found too few forms to have tested anything"
    problems = check_outputs(app, world, "manager") + check_outputs(app, world, "staff")
    assert not problems, "\n".join(problems)


def test_path_traversal_in_any_url_parameter_finds_nothing(app, world):
    visitor = Visitor(app, "manager", world.tokens["manager"])
    for endpoint, method, rule in routes(app):
        if method != "GET" or not rule.arguments:
            continue
        for name in rule.arguments:
            for attack in TRAVERSALS:
                url = url_for_rule(rule, {**world.params, name: attack})
                response = visitor.request("GET", url)
                assert response.status_code in (400, 404), (endpoint, url, response.status_code)
                assert b"root:" not in response.get_data(), (endpoint, url)
    for attack in TRAVERSALS:
        assert visitor.request("GET", f"/static/{attack}").status_code == 404


def test_evidence_pack_member_names_stay_inside_the_archive(app, world, runner, tmp_path):
    out = tmp_path / "evidence.zip"
    result = runner.invoke(args=["evidence", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            assert not name.startswith(("/", "\\")) and ".." not in name.replace("\\", "/").split("/"), name


def test_evidence_out_never_replaces_the_live_database(app, world, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("a PostgreSQL database is not a file --out could name")
    live = tmp_path / "live.db"  # a copy: the session's test database must survive a failure here
    with sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database) as source, \
            sqlite3.connect(live) as copy:
        source.backup(copy)
    copy_app = make_app(f"sqlite:///{live}", TRACKER_SYNC_ON_START=False)
    before = holdings(copy_app)
    result = copy_app.test_cli_runner().invoke(args=["evidence", "--out", str(live)])
    assert result.exit_code != 0
    assert holdings(copy_app) == before
