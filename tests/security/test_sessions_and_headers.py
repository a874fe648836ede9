"""Sessions and headers beyond tests/tracker/test_security.py and test_sign_in.py: the production
cookie, fixation, throttling shared by every worker, headers on error answers, and the CSP as Chromium
enforces it on every page.
"""

from __future__ import annotations

import pytest
from security_helpers import PEOPLE, build_world, routes, url_for_rule
from tracker_helpers import CONTENT, PASSWORD, csrf_token, make_app, sign_in

from tracker import create_app
from tracker.http.responses import SECURITY_HEADERS
from tracker.services import keys

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


def test_the_production_session_cookie_is_secure_httponly_and_samesite_lax(app, staff_member, monkeypatch, tmp_path):
    for name in ("FLASK_DEBUG", "TRACKER_ENV", "TRACKER_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    evidence_key = tmp_path / "evidence-signing.key"
    evidence_key.write_bytes(keys.new_evidence_key_pem())
    production = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "SECRET_KEY": "production-secret", "TRACKER_CONTENT_DIR": CONTENT,
                             "TRACKER_AUDIT_KEY": "production-audit-key-" * 2, "TRACKER_EVIDENCE_KEY_FILE": evidence_key})
    assert production.config["SESSION_COOKIE_SECURE"] is True and not production.testing
    client, https = production.test_client(), "https://tracker.example"
    page = client.get("/sign-in", base_url=https).get_data(as_text=True)
    # Over HTTPS, Flask-WTF also wants a Referer from this site, as browsers send.
    response = client.post("/sign-in", base_url=https, headers={"Referer": f"{https}/sign-in"}, data={
        "csrf_token": csrf_token(page), "email": "sam@clinic.example", "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_cookie_planted_before_sign_in_is_not_signed_in_afterwards(app, staff_member):
    """Session fixation: whoever planted or copied the pre-sign-in cookie gains nothing from it."""
    victim = app.test_client()
    victim.get("/sign-in")
    planted = victim.get_cookie("session").value
    assert sign_in(victim, "sam@clinic.example").status_code == 303
    assert victim.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/policies").status_code == 302  # still signed out: sent to the sign-in page
    assert victim.get("/policies").status_code == 200


def test_signing_out_ends_the_session_in_that_browser(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = client.get("/policies").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert client.get("/policies").status_code == 302


def test_failed_sign_ins_are_counted_across_workers(app, staff_member):
    """Each gunicorn worker is its own app: the count lives in the database, so five failures spread
    over two workers still lock that e-mail and address."""
    workers = [make_app(app.config["SQLALCHEMY_DATABASE_URI"]).test_client() for _ in range(2)]
    for attempt in range(5):
        assert sign_in(workers[attempt % 2], "sam@clinic.example", "wrong password").status_code == 200
    for worker in workers:
        throttled = sign_in(worker, "sam@clinic.example", PASSWORD)
        assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.get_data(as_text=True)
        for name, value in SECURITY_HEADERS.items():
            assert throttled.headers[name] == value


@pytest.mark.parametrize(("method", "url", "status"), [
    ("DELETE", "/api/v1/acknowledgements", 405),
    ("GET", "/api/v1/no-such-thing", 404),
    ("POST", "/api/v1/acknowledgements", 401),
    ("PUT", "/policies", 405),
    ("GET", "/static/no-such-file.css", 404),
])
def test_error_answers_carry_the_security_headers_too(client, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (url, name)


def test_the_503_answers_carry_the_security_headers(tmp_path):
    client = make_app(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", TRACKER_SYNC_ON_START=False).test_client()
    for url in ("/sign-in", "/api/v1/me"):
        response = client.get(url, headers={"Authorization": "Bearer x"})
        assert response.status_code == 503
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (url, name)


# --- The CSP as a browser enforces it ------------------------------------------------------------

@pytest.fixture
def live_server(live_tracker):
    return live_tracker


@pytest.fixture
def browser(chromium):
    return chromium


FILE_DOWNLOADS = {"duties.attachment", "certification_cards.download"}  # files, not pages: a stricter policy of their own


def html_pages(app, params: dict) -> list[str]:
    """Every page (not the API, not files) that answers GET, with real ids filled in."""
    return [url_for_rule(rule, params) for endpoint, method, rule in routes(app)
            if method == "GET" and not rule.rule.startswith("/api/")
            and not rule.rule.endswith((".csv", ".zip", ".ics")) and endpoint not in FILE_DOWNLOADS]


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy_in_chromium(app, live_server, browser):
    world = build_world(app)
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.add_init_script(CSP_LISTENER)
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", PEOPLE["manager"][0])
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # the to-do page, /
    visited = 0
    for url in html_pages(app, world.params):
        response = page.goto(f"{live_server}{url}")
        if response is None or response.status >= 400:
            continue
        assert response.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        violations += [f"{url}: {v}" for v in page.evaluate("window.__cspViolations || []")]
        visited += 1
    assert visited >= 15, f"only {visited} pages opened: the crawl is not covering the app"
    assert not violations, "\n".join(violations)
