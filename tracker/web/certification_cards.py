"""Certification cards: the page to upload a photo or scan of a record's card, and the card itself.

Only the record's owner and managers see either; anyone else gets the 404 of a missing record
(tracker.web.access.own_or_managed). A card is served only as the type its content showed at
upload, never sniffed by the browser, and in a sandbox, so a file made to look like a card cannot
run anything on the tracker's pages.

A card may be larger than the tracker's usual request limit (MAX_CONTENT_LENGTH), so the upload
raises the limit for its own request before the form is read; that is why the app-wide CSRF check,
which reads the form first, is exempted here and the form checks its CSRF token itself.
"""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.http.extensions import csrf
from tracker.services import certification_cards, certifications, served_catalogue
from tracker.services.uploads import ACCEPT, JPEG, PNG
from tracker.services.validation import Invalid
from tracker.storage.db import db
from tracker.storage.models import CertificationRecord
from tracker.web.access import own_or_managed
from tracker.web.messages import show_errors

bp = Blueprint("certification_cards", __name__)

FORM_ROOM = 64 * 1024  # the rest of the upload request: the CSRF token and the multipart framing
INLINE_TYPES = (PNG, JPEG)  # shown in the browser; a PDF downloads
# The card's own response: nothing in it may load, run or be framed.
CARD_POLICY = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"


class CardForm(FlaskForm):
    card = FileField("Photo or scan of the card", render_kw={"accept": ACCEPT})


def _record(record_id: int) -> CertificationRecord:
    return own_or_managed(db.session.get(CertificationRecord, record_id), "certification record")


def _page(record: CertificationRecord, form: CardForm, status: int = 200):
    catalogue = served_catalogue.required()
    state = certifications.record_state(record, certifications.corrections())
    return render_template("certifications/cards.html", record=record, form=form, state=state,
                           cert_type=catalogue.certifications.get(record.type_id),
                           cards=certification_cards.cards_of(record), limit=certification_cards.limit_text()), status


def _too_large(record: CertificationRecord):
    form = CardForm(formdata=None)
    form.card.errors = [f"The file is larger than {certification_cards.limit_text()}. Take the photo at a lower "
                        "resolution, or scan at 150 dpi, and upload it again."]
    return _page(record, form, 413)


@csrf.exempt
@bp.route("/certifications/<id:record_id>/cards", methods=["GET", "POST"])
@login_required
def upload(record_id: int):
    record = _record(record_id)
    if request.method == "GET":
        return _page(record, CardForm())
    request.max_content_length = certification_cards.limit_bytes() + FORM_ROOM
    try:
        form = CardForm()
        valid = form.validate_on_submit()  # the CSRF token, checked here (see the module's note)
    except RequestEntityTooLarge:
        return _too_large(record)
    if not valid:
        return _page(record, form, 400)
    file = form.card.data
    sent = (certification_cards.Upload(file.filename or "", file.read(certification_cards.limit_bytes() + 1))
            if file is not None and file.filename else None)
    try:
        certification_cards.add(record, sent, current_user)
    except Invalid as invalid:
        show_errors(form, invalid)
        return _page(record, form, 400)
    flash("The card is on file with the record. The office manager sees it when checking the record.", "success")
    return redirect(url_for("certification_cards.upload", record_id=record.id), code=303)


@bp.get("/certifications/cards/<id:card_id>")
@login_required
def download(card_id: int):
    found = certification_cards.card(card_id)
    own_or_managed(found.record if found is not None else None, "card")
    assert found is not None  # else own_or_managed answered 404
    response = send_file(io.BytesIO(found.data), mimetype=found.media_type,
                         as_attachment=found.media_type not in INLINE_TYPES, download_name=found.filename,
                         etag=found.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CARD_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response
