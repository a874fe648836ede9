"""Managers' controls of someone's sign-in: invite (or invite again), revoke an invitation,
disable and enable, and the account role. Each is a form on the person's staff page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from tracker.services import account_links, account_mail, accounts
from tracker.services.validation import Refused
from tracker.storage.db import db
from tracker.storage.models import ACCOUNT_ROLES, Staff, User
from tracker.web.access import managers_only

bp = Blueprint("accounts", __name__, url_prefix="/manager/staff")
bp.before_request(managers_only)


def _staff(staff_id: int) -> Staff:
    return db.session.get(Staff, staff_id) or abort(404, "There is no such staff record.")


def _back(staff: Staff):
    return redirect(url_for("manager.staff_edit", staff_id=staff.id), code=303)


def flash_invitation(invited: account_mail.Invited) -> None:
    name = invited.user.staff.name
    if invited.problem is None:
        flash(f"Invitation e-mailed to {name} at {invited.user.email}.", "success")
    else:
        flash(f"The invitation to {name} was not e-mailed. {invited.problem} Give {name} this link "
              f"yourself (it works once): {invited.url}", "error")


def account_panel(staff: Staff) -> dict[str, object]:
    """What the person's staff page shows and offers about their sign-in."""
    user = staff.user
    grantable = ACCOUNT_ROLES if current_user.account_role == "admin" else tuple(r for r in ACCOUNT_ROLES if r != "admin")
    return {"account_status": accounts.status(staff), "account": user,
            "invitation": account_links.pending(user) if user else None,
            "role_choices": grantable if user and user.id != current_user.id else ()}


def _change_account(staff_id: int, change: Callable[[User], object], done: str):
    """Make a change to the person's account and commit, or show why it was refused; back to their page.

    ``done`` is the message, with {name} for the person's name.
    """
    staff = _staff(staff_id)
    user = staff.user or abort(404, f"{staff.name} has no account yet: send an invitation first.")
    try:
        change(user)
    except Refused as refused:
        db.session.rollback()
        flash(" ".join(refused.reasons), "error")
        return _back(staff)
    db.session.commit()
    flash(done.format(name=staff.name), "success")
    return _back(staff)


@bp.post("/<id:staff_id>/invitation")
def invite(staff_id: int):
    staff = _staff(staff_id)
    try:
        invited = account_mail.invite(staff, current_user.audit_name, current_app.config)
    except Refused as refused:
        db.session.rollback()
        flash(" ".join(refused.reasons), "error")
        return _back(staff)
    flash_invitation(invited)
    return _back(staff)


@bp.post("/<id:staff_id>/invitation/revoke")
def revoke_invitation(staff_id: int):
    return _change_account(staff_id, lambda user: account_links.revoke(user, current_user.audit_name,
                                                                         account_links.INVITATION),
                           "{name}'s invitation no longer works.")


@bp.post("/<id:staff_id>/disable")
def disable(staff_id: int):
    return _change_account(staff_id, lambda user: accounts.disable(user, current_user),
                           "{name}'s account is disabled: signed out everywhere, API tokens revoked.")


@bp.post("/<id:staff_id>/enable")
def enable(staff_id: int):
    return _change_account(staff_id, lambda user: accounts.enable(user, current_user),
                           "{name}'s account is enabled again.")


@bp.post("/<id:staff_id>/role")
def role(staff_id: int):
    chosen = request.form.get("account_role", "")
    return _change_account(staff_id, lambda user: accounts.change_role(user, chosen, current_user),
                           "{name}'s account role is now " + chosen.replace("{", "").replace("}", "") + ".")


@bp.post("/<id:staff_id>/two-step/reset")
def reset_two_step(staff_id: int):
    return _change_account(staff_id, lambda user: accounts.reset_two_step(user, current_user),
                           "{name} sets up two-step sign-in again at their next sign-in.")
