"""Signing in and out, and sessions. (The API's bearer tokens: tracker.services.tokens.)"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, func, select

from tracker.http.client import client_address, client_agent
from tracker.http.extensions import login_manager
from tracker.services import audit, passwords
from tracker.services.people import normalise_email
from tracker.storage.db import db, utcnow
from tracker.storage.models import SignInFailure, User
from tracker.web.forms import SignInForm

bp = Blueprint("auth", __name__)

# Where login_required pages send anonymous visitors (the session's user: tracker.http.auth).
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

# Five wrong passwords for one e-mail from one address within 15 minutes locks that pair out for
# the rest of the window: slow enough to stop guessing, short enough for a fumbling colleague.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to after sign-in; anything else (another host) is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _recent_failures(email: str, ip_address: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return db.session.scalar(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.email == email, SignInFailure.ip_address == ip_address, SignInFailure.failed_at >= since)) or 0


def _record_failure(email: str, ip_address: str, reason: str) -> None:
    now = utcnow()
    # Old failures no longer count; clearing them here keeps the table small without a cron job.
    db.session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - FAILURE_WINDOW))
    db.session.add(SignInFailure(email=email, ip_address=ip_address, failed_at=now))
    audit.record("anonymous", "sign_in.failed", f"email:{email}",
                 {"ip_address": ip_address, "user_agent": client_agent(), "reason": reason})
    db.session.commit()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_page = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_page or url_for("policies.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("sign_in.html", form=form, next_page=next_page), 400 if form.errors else 200
    email, ip_address = normalise_email(form.email.data), client_address()
    if _recent_failures(email, ip_address) >= MAX_FAILURES:
        current_app.logger.warning("sign-in throttled for %s from %s", email, ip_address)
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        return render_template("sign_in.html", form=form, next_page=next_page, error=(
            f"Too many failed sign-ins for this e-mail from your network. Wait {minutes} minutes and "
            "try again, or ask the office manager to reset your password.")), 429
    user = db.session.scalar(select(User).where(User.email == email))
    stored_hash = user.password_hash if user else None
    # End the read before the deliberately slow hash check: on SQLite every transaction holds the
    # write lock (BEGIN IMMEDIATE), and no other request should wait on someone's password.
    db.session.rollback()
    if not passwords.verify_password(stored_hash, form.password.data):
        _record_failure(email, ip_address, "wrong e-mail or password")
        return render_template("sign_in.html", form=form, next_page=next_page,
                               error="The e-mail or password is wrong."), 200
    if not user.is_active:
        _record_failure(email, ip_address, "account disabled or staff member left")
        return render_template("sign_in.html", form=form, next_page=next_page,
                               error="This account is disabled. Ask the office manager."), 200
    rehashed = passwords.needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = passwords.hash_password(form.password.data)
    db.session.execute(delete(SignInFailure).where(SignInFailure.email == email,
                                                   SignInFailure.ip_address == ip_address))
    audit.record(user.audit_name, "sign_in.succeeded", user.audit_name, {
        "ip_address": ip_address, "user_agent": client_agent(), "password_rehashed": rehashed})
    db.session.commit()
    # A fresh session at sign-in: nothing set before it (by anyone who could plant a cookie) survives.
    session.clear()
    login_user(user)
    return redirect(next_page or url_for("policies.index"), code=303)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"), code=303)

