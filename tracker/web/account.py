"""Pages of one's own account: accepting an invitation, a forgotten password, changing it.

The invitation and reset pages are public: the single-use link is the key (tracker.services.account_links).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.http.auth import current_session_token
from tracker.http.client import client_address
from tracker.services import (
    account_links,
    account_mail,
    accounts,
    passwords,
    served_catalogue,
    throttle,
)
from tracker.services.people import normalise_email
from tracker.storage.db import db
from tracker.storage.models import AccountLink, User
from tracker.web.account_forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm

bp = Blueprint("account", __name__)


def _office() -> str:
    catalogue = served_catalogue.current()
    return catalogue.settings.office_name if catalogue else ""


def _new_password_problem(form: NewPasswordForm, user: User) -> bool:
    """Put what is wrong with the chosen password on the form; True if anything is."""
    problem = accounts.password_problem(user, form.password.data or "",
                                        current_app.config["TRACKER_PASSWORD_MIN_LENGTH"], _office())
    if problem:
        form.password.errors.append(problem)
    return problem is not None


def _link_page(token: str, purpose: str, template: str, done: str):
    if not account_links.looks_like_a_token(token):
        abort(404, "There is no such page: check the link in the e-mail.")
    link = account_links.find(token, purpose)
    if link is None:
        db.session.rollback()
        return render_template("account/link_dead.html", purpose=purpose), 410  # used, expired, revoked or never issued
    form = NewPasswordForm()
    if not form.validate_on_submit() or _new_password_problem(form, link.user):
        db.session.rollback()
        return render_template(template, form=form, link=link,
                               min_length=current_app.config["TRACKER_PASSWORD_MIN_LENGTH"]), \
            400 if form.is_submitted() else 200
    _use(link, form.password.data, purpose)
    flash(done, "success")
    return redirect(url_for("auth.sign_in"), code=303)


def _use(link: AccountLink, password: str, purpose: str) -> None:
    user = link.user
    account_links.mark_used(link)
    account_links.revoke(user, user.audit_name, purpose, quietly=True)
    accounts.set_password(user, password, user.audit_name, f"{purpose} link used")
    db.session.commit()


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    return _link_page(token, account_links.INVITATION, "account/invitation.html",
                      "Your password is set. Sign in with your e-mail address and the new password.")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _link_page(token, account_links.RESET, "account/reset.html",
                      "Your new password is set, and you are signed out everywhere else. Sign in with it now.")


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("account/forgot.html", form=form), 400 if form.errors else 200
    email = normalise_email(form.email.data)
    if throttle.take(throttle.reset_limits(email, client_address()), "anonymous"):
        _send_reset(email)
    # The same answer whether or not the address has an account, so the page tells no one who works here.
    return render_template("account/forgot_sent.html", email=email)


def _send_reset(email: str) -> None:
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None or not user.is_active:
        return
    token = account_links.issue(user, account_links.RESET, account_links.RESET_LIFETIME, "anonymous")
    db.session.commit()
    problem = account_mail.send(account_mail.password_reset(user, token), current_app.config)
    if problem:
        current_app.logger.error("password reset e-mail to %s not sent: %s", email, problem)


@bp.route("/password/change", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    min_length = current_app.config["TRACKER_PASSWORD_MIN_LENGTH"]
    if not form.validate_on_submit():
        return render_template("account/change.html", form=form, min_length=min_length), 400 if form.errors else 200
    limits = throttle.sign_in_limits(user.email, client_address())
    if not throttle.take(limits, user.audit_name):  # the current password is guessed no faster here
        form.current.errors.append("Too many wrong passwords: wait 15 minutes and try again.")
        return render_template("account/change.html", form=form, min_length=min_length), 429
    stored = user.password_hash
    db.session.rollback()  # no lock held during the slow hash check (see tracker.web.auth)
    if not passwords.verify_password(stored, form.current.data):
        form.current.errors.append("This is not your current password: type it again.")
    else:
        throttle.give_back(limits)
    if form.current.errors or _new_password_problem(form, user):
        return render_template("account/change.html", form=form, min_length=min_length), 400
    accounts.set_password(user, form.password.data, user.audit_name, "password changed",
                          keep_session=current_session_token())
    db.session.commit()
    flash("Your password is changed. Every other browser is signed out, and your API tokens are revoked.", "success")
    return redirect(url_for("account.change_password"), code=303)
