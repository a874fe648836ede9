"""Signing in and out. (Sessions: tracker.http.auth; the API's bearer tokens: tracker.services.tokens.)"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.http.auth import complete_sign_in, current_session_token, end_session
from tracker.http.client import client_address
from tracker.http.extensions import login_manager
from tracker.services import accounts, passwords, sessions, throttle, two_step
from tracker.services.people import normalise_email
from tracker.storage.db import db
from tracker.storage.models import User
from tracker.web import two_step as second_step
from tracker.web.forms import SignInForm

bp = Blueprint("auth", __name__)

# Where login_required pages send anonymous visitors (the session's user: tracker.http.auth).
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to after sign-in; anything else (another host) is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _refuse(form: SignInForm, next_page: str | None, email: str, ip_address: str, reason: str):
    # Logged, not audited: the audit trail gets one event per locked-out window (tracker.services.throttle).
    current_app.logger.warning("sign-in failed for %s from %s: %s", email, ip_address, reason)
    message = ("This account is disabled. Ask the office manager." if reason == "account disabled"
               else "The e-mail or password is wrong.")
    return render_template("sign_in.html", form=form, next_page=next_page, error=message), 200


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_page = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_page or url_for("home.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("sign_in.html", form=form, next_page=next_page), 400 if form.errors else 200
    email, ip_address = normalise_email(form.email.data), client_address()
    limits = throttle.sign_in_limits(email, ip_address)
    if not throttle.take(limits, "anonymous"):
        current_app.logger.warning("sign-in throttled for %s from %s", email, ip_address)
        minutes = int(throttle.WINDOW.total_seconds() // 60)
        return render_template("sign_in.html", form=form, next_page=next_page, error=(
            f"Too many failed sign-ins for this e-mail or from your network. Wait {minutes} minutes and "
            "try again, or choose a new password with \"Forgot your password?\".")), 429
    user = db.session.scalar(db.select(User).where(User.email == email))
    stored_hash = user.password_hash if user else None
    # End the read before the deliberately slow hash check: on SQLite every transaction holds the
    # write lock (BEGIN IMMEDIATE), and no other request should wait on someone's password.
    db.session.rollback()
    if user is None or not passwords.verify_password(stored_hash, form.password.data):
        return _refuse(form, next_page, email, ip_address, "wrong e-mail or password")
    if not user.is_active:
        if accounts.offboard_if_left(user):  # a departure noticed here revokes the rest as well
            db.session.commit()
        return _refuse(form, next_page, email, ip_address, "account disabled")
    assert user.password_hash is not None  # it verified
    rehashed = passwords.needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = passwords.hash_password(form.password.data)
    throttle.give_back(limits)
    if two_step.enabled(user) or two_step.required(user, current_app.config):
        db.session.commit()
        return second_step.start(user, next_page)  # signed in only once the code is right
    complete_sign_in(user, {"password_rehashed": rehashed})
    return redirect(next_page or url_for("home.home"), code=303)


@bp.post("/sign-out")
def sign_out():
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """Sign out of every browser and device, this one included (a lost phone, a shared computer)."""
    user = current_user._get_current_object()
    sessions.end_all(user, user.audit_name, "signed out everywhere", keep=current_session_token())
    end_session()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.sign_in"), code=303)
