"""The second step of signing in: a code from an authenticator app, and setting that app up.

Between the password and the code the browser holds only a "pending" mark (which account, since
when), not a session: nothing but these two pages opens until the code is right.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from tracker.http.auth import complete_sign_in
from tracker.services import served_catalogue, throttle, two_step
from tracker.storage.db import db
from tracker.storage.models import User
from tracker.web.account_forms import CodeForm

bp = Blueprint("two_step", __name__)

PENDING, PENDING_AT, PENDING_NEXT, SETUP_SECRET = "pending_user", "pending_at", "pending_next", "setup_secret"
PENDING_SECONDS = 5 * 60


def start(user: User, next_page: str | None):
    """After a right password: on to the code, or to setting up the app if there is none yet."""
    session.clear()
    session[PENDING], session[PENDING_AT], session[PENDING_NEXT] = user.id, int(time.time()), next_page
    return redirect(url_for("two_step.code" if two_step.enabled(user) else "two_step.setup"), code=303)


def _pending_user() -> User | None:
    user_id, since = session.get(PENDING), session.get(PENDING_AT)
    if not isinstance(user_id, int) or not isinstance(since, int) or time.time() - since > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


def _again():
    flash("Sign in again to continue.", "info")
    return redirect(url_for("auth.sign_in"), code=303)


def _finish(user: User):
    next_page = session.get(PENDING_NEXT)
    complete_sign_in(user, {"two_step": True})
    return redirect(next_page if isinstance(next_page, str) else url_for("home.home"), code=303)


@bp.route("/two-step/code", methods=["GET", "POST"])
def code():
    user = _pending_user()
    if user is None or not two_step.enabled(user):
        return _again()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("account/two_step_code.html", form=form), 400 if form.errors else 200
    limits = [throttle.Limit(f"two-step:{user.email}", throttle.PAIR_LIMIT)]
    if not throttle.take(limits, user.audit_name):
        form.code.errors.append("Too many wrong codes: wait 15 minutes, then sign in again.")
        return render_template("account/two_step_code.html", form=form), 429
    if not two_step.check(user, form.code.data):
        db.session.rollback()
        form.code.errors.append("This code is not right: type the 6 digits your app shows now, or a recovery code.")
        return render_template("account/two_step_code.html", form=form), 400
    throttle.give_back(limits)
    return _finish(user)


@bp.route("/two-step/setup", methods=["GET", "POST"])
def setup():
    pending = _pending_user()
    user = pending or (current_user._get_current_object() if current_user.is_authenticated else None)
    if user is None:
        return _again()
    if two_step.enabled(user):
        return redirect(url_for("two_step.code" if pending else "account.change_password"), code=303)
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str):
        secret = session[SETUP_SECRET] = two_step.new_secret()
    form = CodeForm()
    catalogue = served_catalogue.current()
    uri = two_step.setup_uri(secret, user.email, catalogue.settings.office_name if catalogue else "Clinic Portal")
    page = {"form": form, "secret": secret, "uri": uri, "required": two_step.required(user, current_app.config)}
    if not form.validate_on_submit():
        return render_template("account/two_step_setup.html", **page), 400 if form.errors else 200
    codes = two_step.turn_on(user, secret, form.code.data)
    if codes is None:
        db.session.rollback()
        form.code.errors.append("This code is not right: check the key in your app, then type the 6 digits it shows.")
        return render_template("account/two_step_setup.html", **page), 400
    session.pop(SETUP_SECRET, None)
    next_page = session.get(PENDING_NEXT) if pending else None
    if pending:
        complete_sign_in(user, {"two_step": True})
    else:
        db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes,
                           next_page=next_page if isinstance(next_page, str) else url_for("home.home"))
