"""Staff pages: my policies, reading and signing one, the receipt, and links from the static site."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from tracker.http.client import request_origin
from tracker.services import acknowledgements, changes, served_catalogue
from tracker.services.acknowledgements import SignatureMismatch
from tracker.services.todo import to_do_list
from tracker.services.validation import whole_number
from tracker.services.versions import StaleVersion, UnknownPolicy
from tracker.storage.db import db, today
from tracker.storage.models import Acknowledgement
from tracker.web.access import own_or_managed
from tracker.web.forms import AcknowledgeForm

bp = Blueprint("policies", __name__)


def _current_version(policy_id: str):
    try:
        return acknowledgements.current_version(policy_id)
    except UnknownPolicy:
        abort(404, f"There is no policy '{policy_id}' in the policy library.")


def _stale_page(policy_id: str, stale: StaleVersion):
    return render_template("policies/stale.html", policy_id=policy_id, stale=stale), 409


@bp.get("/policies")
@login_required
def index():
    """The person's policies, what needs doing first (tracker.services.todo), then those for reference."""
    catalogue = served_catalogue.required()
    staff = current_user.staff
    todo = to_do_list(staff, catalogue, today(), kinds=("policy",))
    for_reference = sorted((p for p in catalogue.policies.values()
                            if not p.acknowledgement_required and p.applies_to_roles(staff.roles)
                            and p.applies_at(staff.location_id)), key=lambda p: p.title.casefold())
    return render_template("policies/index.html", todo=todo, for_reference=for_reference)


@bp.route("/policies/<slug:policy_id>", methods=["GET", "POST"])
@login_required
def read(policy_id: str):
    version = _current_version(policy_id)
    staff = current_user.staff
    form = AcknowledgeForm()
    what_changed = changes.since_last_signed(staff, version)
    # portal.redline escapes every piece of text it puts in its HTML.
    redline = Markup(what_changed.redline.html) if what_changed else None  # noqa: S704

    def page(status: int = 200):
        return render_template("policies/read.html", version=version, form=form,
                               signed=acknowledgements.existing(staff, version),
                               what_changed=what_changed, redline=redline), status

    if request.method == "GET":
        form.version.data, form.fingerprint.data = version.version, version.fingerprint
        return page()
    if not form.validate_on_submit():
        return page(400)
    posted_version = form.version.data or ""
    try:
        signed_version = acknowledgements.requested_version(
            policy_id, whole_number(posted_version), form.fingerprint.data)
        ack, created = acknowledgements.acknowledge(staff, signed_version, form.signature_name.data,
                                                    request_origin("web"), current_user)
    except StaleVersion as stale:
        return _stale_page(policy_id, stale)
    except SignatureMismatch as mismatch:
        form.signature_name.errors.append(str(mismatch))
        return page(400)
    flash("Your acknowledgement is recorded." if created else "You had already acknowledged this version.",
          "success")
    return redirect(url_for("policies.receipt", ack_id=ack.id), code=303)


@bp.get("/ack/<slug:policy_id>")
@login_required
def ack_link(policy_id: str):
    """The static site's Acknowledge button: go on only if it names the current, archived text.

    A bare /ack/<id> (typed, or from a reminder) names no text, so it opens the current one.
    """
    version, fingerprint = request.args.get("version", type=int), request.args.get("fingerprint")
    try:
        if version is None and fingerprint is None:
            acknowledgements.current_version(policy_id)
        else:
            acknowledgements.requested_version(policy_id, version, fingerprint)
    except UnknownPolicy:
        abort(404, f"There is no policy '{policy_id}' in the policy library.")
    except StaleVersion as stale:
        return _stale_page(policy_id, stale)
    return redirect(url_for("policies.read", policy_id=policy_id))


@bp.get("/acknowledgements/<id:ack_id>")
@login_required
def receipt(ack_id: int):
    ack = own_or_managed(db.session.get(Acknowledgement, ack_id), "acknowledgement")
    return render_template("policies/receipt.html", ack=ack)
