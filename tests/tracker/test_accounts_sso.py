"""Single sign-on with OpenID Connect, against a provider the test runs on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from sqlalchemy import select

from tracker.storage.db import db
from tracker.storage.models import AuditEvent, User

VERIFIED = {"email": "Sam@Clinic.example", "email_verified": True}


@pytest.fixture
def provider(app, staff_member):
    with running_provider() as running:
        app.config.update(TRACKER_OIDC_ISSUER=running.issuer, TRACKER_OIDC_CLIENT_ID=CLIENT_ID,
                          TRACKER_OIDC_CLIENT_SECRET=CLIENT_SECRET, TRACKER_OIDC_NAME="Microsoft")
        yield running


def through_provider(client, claims: dict):
    """Press "Sign in with ..." and come back from the provider as the person ``claims`` describe."""
    start = client.get("/sign-in/sso")
    assert start.status_code == 302 and start.headers["Location"].split("?")[0].endswith("/authorize")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/sign-in/sso/callback"
    return client.get(f"{callback.path}?{callback.query}")


def test_a_verified_email_signs_its_staff_member_in(app, client, provider):
    provider.claims = VERIFIED
    assert "Sign in with Microsoft" in client.get("/sign-in").get_data(as_text=True)
    response = through_provider(client, VERIFIED)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/api/v1/me").get_json()["email"] == "sam@clinic.example"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event.action == "sign_in.succeeded" and event.details["method"] == "single sign-on"


@pytest.mark.parametrize("claims", [
    {"email": "stranger@clinic.example", "email_verified": True},  # nobody at the office
    {"email": "sam@clinic.example", "email_verified": False},  # the provider does not vouch for it
    {"email": "sam@clinic.example"},
])
def test_unknown_or_unverified_emails_are_refused_and_create_nothing(app, client, provider, claims):
    provider.claims = claims
    response = through_provider(client, claims)
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert "Single sign-on did not work" in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert db.session.scalars(select(User.email)).all() == ["sam@clinic.example"]


def test_entra_ids_domain_verified_claim_counts(app, client, provider):
    provider.claims = {"email": "sam@clinic.example", "xms_edov": True}
    assert through_provider(client, provider.claims).headers["Location"] == "/"


def test_a_forged_or_replayed_answer_is_refused(app, client, provider):
    provider.claims = VERIFIED
    start = client.get("/sign-in/sso")
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    forged = app.test_client().get(f"{back.path}?{back.query}")  # another browser: no state of its own
    assert forged.status_code == 303 and forged.headers["Location"] == "/sign-in"
    assert client.get(f"{back.path}?{back.query}").status_code == 303  # the real one still works once
    assert app.test_client().get("/sign-in/sso/callback?code=x&state=y").headers["Location"] == "/sign-in"


def test_without_settings_there_is_no_single_sign_on(app, client, staff_member):
    assert "Sign in with" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/sso").headers["Location"] == "/sign-in"
    assert "it is not set up here" in client.get("/sign-in").get_data(as_text=True)


def test_an_unreachable_provider_is_a_clear_message(app, client, staff_member):
    app.config.update(TRACKER_OIDC_ISSUER="http://127.0.0.1:9", TRACKER_OIDC_CLIENT_ID=CLIENT_ID,
                      TRACKER_OIDC_CLIENT_SECRET=CLIENT_SECRET)
    response = client.get("/sign-in/sso")
    assert response.status_code == 303
    assert "could not be reached" in client.get("/sign-in").get_data(as_text=True)
