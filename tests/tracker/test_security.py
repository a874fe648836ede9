"""Security headers, cookies, configuration from the environment, no inline code, proxies."""

from pathlib import Path

import pytest
from tracker_helpers import CONTENT, api_token, bearer, make_app, sign_in

from portal import load_catalogue
from tracker import config, create_app
from tracker.config import ConfigError
from tracker.http.responses import SECURITY_HEADERS

TEMPLATES = Path(__file__).resolve().parents[2] / "tracker" / "templates"


@pytest.mark.parametrize("url", ["/sign-in", "/policies", "/no-such-page", "/static/tracker.css",
                                 "/api/v1/openapi.json", "/api/v1/me"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (url, name)
    assert SECURITY_HEADERS["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"


def test_the_session_cookie_is_httponly_and_samesite_lax(client, staff_member):
    response = sign_in(client, "sam@clinic.example")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development_and_testing(monkeypatch, tmp_path):
    for name in ("FLASK_DEBUG", "TRACKER_ENV", "TRACKER_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    production = config.from_environment({"TRACKER_SECRET_KEY": "x"}, str(tmp_path))
    assert production["SESSION_COOKIE_SECURE"] is True
    assert config.from_environment({"TRACKER_ENV": "development"}, str(tmp_path))["SESSION_COOKIE_SECURE"] is False
    assert config.from_environment({"TRACKER_SECURE_COOKIES": "0"}, str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_without_a_secret_key_the_app_refuses_to_start_outside_development(monkeypatch, tmp_path):
    for name in ("TRACKER_SECRET_KEY", "FLASK_DEBUG", "TRACKER_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_SYNC_ON_START", "0")
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY is not set"):
        create_app()
    monkeypatch.setenv("TRACKER_ENV", "development")
    assert create_app().secret_key == config.DEVELOPMENT_SECRET_KEY


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    environ = {"TRACKER_DATABASE_URL": "postgresql+psycopg://db/tracker", "TRACKER_SECRET_KEY": "s",
               "TRACKER_CONTENT_DIR": str(tmp_path), "TRACKER_SITE_URL": "https://portal.example/",
               "TRACKER_SYNC_ON_START": "off", "TRACKER_PROXY_FIX": "2"}
    settings = config.from_environment(environ, "/srv/instance")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/tracker"
    assert settings["TRACKER_CONTENT_DIR"] == tmp_path
    assert settings["TRACKER_SITE_URL"] == "https://portal.example"
    assert settings["TRACKER_SYNC_ON_START"] is False and settings["TRACKER_PROXY_FIX"] == 2
    defaults = config.from_environment({}, "/srv/instance")
    assert defaults["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/instance/tracker.db"
    assert defaults["TRACKER_SYNC_ON_START"] is True and defaults["TRACKER_PROXY_FIX"] == 0
    assert config.default_content_dir(CONTENT) == CONTENT
    assert config.default_content_dir(tmp_path) == config.REPO_ROOT


def test_the_header_links_back_to_the_portal(app, client, staff_member):
    sign_in(client, "sam@clinic.example")
    page = client.get("/policies").get_data(as_text=True)
    assert ('<a class="office" href="/"><img src="/static/logo.svg" alt="">Test Family Clinic</a>'
            in page)  # the office logo, decorative beside the office's name
    assert '<a class="portal-link" href="http://portal.test">Back to the portal</a>' in page
    app.config["TRACKER_SITE_URL"] = "https://intranet.example/portal"
    assert 'href="https://intranet.example/portal"' in client.get("/policies").get_data(as_text=True)


def test_templates_hold_no_inline_script_or_style():
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text("utf-8").lower()
        for forbidden in ("<script", "<style", "style=", "onclick=", "onsubmit=", "javascript:"):
            assert forbidden not in source, (template.name, forbidden)


def test_pages_link_only_local_assets(client, staff_member):
    sign_in(client, "sam@clinic.example")
    for url in ("/policies", "/policies/minimum-necessary", "/policies/no-such-policy"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "style=" not in page
        assert 'href="/static/tracker.css"' in page
        assert "https://" not in page.split("</head>")[0]


POLICY = load_catalogue(CONTENT).policies["minimum-necessary"]
SIGNATURE = {"policy_id": POLICY.id, "version": POLICY.version, "fingerprint": POLICY.fingerprint,
             "signature_name": "Sam Carter"}
FORWARDED = {"X-Forwarded-For": "203.0.113.7"}


def test_forwarded_for_is_ignored_without_a_proxy_setting(app, client, staff_member):
    token = bearer(api_token(app, "sam@clinic.example"))
    record = client.post("/api/v1/acknowledgements", json=SIGNATURE, headers={**token, **FORWARDED}).get_json()
    assert record["ip_address"] == "127.0.0.1"


def test_forwarded_for_is_the_address_behind_a_configured_proxy(app, staff_member):
    token = bearer(api_token(app, "sam@clinic.example"))
    behind_proxy = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_PROXY_FIX=1)
    record = behind_proxy.test_client().post("/api/v1/acknowledgements", json=SIGNATURE,
                                             headers={**token, **FORWARDED}).get_json()
    assert record["ip_address"] == "203.0.113.7"
