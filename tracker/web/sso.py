"""Signing in through the office's identity provider (OpenID Connect, with Authlib): optional.

On when TRACKER_OIDC_ISSUER, TRACKER_OIDC_CLIENT_ID and TRACKER_OIDC_CLIENT_SECRET are all set; the
sign-in page then offers the button. The provider's discovery document (``<issuer>/.well-known/
openid-configuration``) gives the rest; Authlib checks the ID token's signature, issuer, audience,
expiry and nonce. Who the person is: tracker.services.single_sign_on.
"""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, request, url_for

from tracker.http.auth import complete_sign_in
from tracker.services import links, single_sign_on, two_step
from tracker.services.validation import Refused
from tracker.storage.db import db
from tracker.web import two_step as second_step

bp = Blueprint("sso", __name__)
PROVIDER, EXTENSION = "office", "tracker.sso"


def enabled(app: Flask) -> bool:
    return all(app.config.get(key) for key in
               ("TRACKER_OIDC_ISSUER", "TRACKER_OIDC_CLIENT_ID", "TRACKER_OIDC_CLIENT_SECRET"))


@bp.app_context_processor
def _sign_in_options() -> dict[str, object]:
    return {"sso_name": current_app.config["TRACKER_OIDC_NAME"] if enabled(current_app) else None}


def _client():
    """This app's OpenID Connect client, built from the settings on first use (and again if they change)."""
    if not enabled(current_app):
        return None
    config = current_app.config
    settings = (config["TRACKER_OIDC_ISSUER"], config["TRACKER_OIDC_CLIENT_ID"], config["TRACKER_OIDC_CLIENT_SECRET"])
    built = current_app.extensions.get(EXTENSION)
    if built is None or built[0] != settings:
        oauth = OAuth(current_app)
        oauth.register(PROVIDER, client_id=settings[1], client_secret=settings[2],
                       server_metadata_url=f"{settings[0]}/.well-known/openid-configuration",
                       client_kwargs={"scope": "openid email profile"})
        built = current_app.extensions[EXTENSION] = (settings, oauth.create_client(PROVIDER))
    return built[1]


def _failed(why: str):
    flash(f"Single sign-on did not work: {why} Sign in with your e-mail and password, or try again.", "error")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.get("/sign-in/sso")
def start():
    client = _client()
    if client is None:
        return _failed("it is not set up here.")
    # On TRACKER_BASE_URL when set, not the Host header: the provider only returns to registered addresses.
    callback = links.base_url(request.url_root) + url_for("sso.callback")
    try:
        return client.authorize_redirect(callback)
    except (OAuthError, OSError, ValueError) as error:  # the provider's discovery document is unreachable
        current_app.logger.error("single sign-on could not start: %s", error)
        return _failed("the identity provider could not be reached.")


@bp.get("/sign-in/sso/callback")
def callback():
    client = _client()
    if client is None:
        return _failed("it is not set up here.")
    try:
        token = client.authorize_access_token()
    except (OAuthError, OSError, ValueError, KeyError) as error:  # refused, forged, replayed or unreachable
        current_app.logger.warning("single sign-on refused: %s", error)
        return _failed("the identity provider's answer could not be accepted.")
    try:
        user = single_sign_on.account_for(token.get("userinfo") or {})
    except Refused as refused:
        db.session.rollback()
        return _failed(" ".join(refused.reasons))
    if two_step.enabled(user) or two_step.required(user, current_app.config):
        db.session.commit()
        return second_step.start(user, None)
    complete_sign_in(user, {"method": "single sign-on", "issuer": current_app.config["TRACKER_OIDC_ISSUER"]})
    return redirect(url_for("home.home"), code=303)
