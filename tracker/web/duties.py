"""The office duties page: each duty of the roles a person holds (every duty, for a manager) with its
status at each place, a form to record it done, and the completions on file with their attachments.

Recording is for the duty's owner role or a manager (tracker.services.duties); anyone else gets a 403.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal.render.duties import every_text
from tracker.http import as_of
from tracker.services import duties, duty_files, served_catalogue
from tracker.services.validation import Invalid
from tracker.storage.db import today
from tracker.web import messages

bp = Blueprint("duties", __name__)

LABELS = {"completed_on": "The day it was done", "note": "The note", "location": "The location",
          "attachment": "The attachment"}
RECENT = 5  # completions shown under each duty; the evidence pack has them all


@bp.get("/duties")
@login_required
def index():
    return _page(as_of.requested(request.args))


def _page(day, problem: dict | None = None, status: int = 200):
    """The duties as of ``day``; ``problem`` (duty, place, entered values, messages by field) puts a refused
    form's messages beside its fields, with what was typed kept."""
    catalogue = served_catalogue.required()
    rows = duties.visible_to(current_user, duties.compute(catalogue, day))
    on_file: dict[tuple[str, str], list] = {}
    for completion in duties.completions(known_on=day):
        on_file.setdefault((completion.duty_id, completion.location_id or ""), []).append(completion)
    return render_template("duties/index.html", rows=rows, as_of=day, today=today(), counts=duties.counts(rows),
                           on_file=on_file, recent=RECENT, locations=catalogue.locations, roles=catalogue.roles,
                           every_text=every_text, can_record=lambda s: duties.can_record(current_user, s),
                           problem=problem), status


def _upload() -> duty_files.Upload | None:
    file = request.files.get("attachment")
    if file is None or not file.filename:
        return None
    return duty_files.Upload(filename=file.filename, data=file.read(duty_files.MAX_BYTES + 1))


def _sentence(field: str, message: str) -> str:
    """The message in sentences, the field's name put as words: "The day it was done is missing. Write ..."."""
    what, advice = messages.split(message)
    if what.startswith(field):
        what = LABELS.get(field, field) + what[len(field):]
    return messages.as_sentences(what, advice)


@bp.post("/duties/<slug:duty_id>/completions")
@login_required
def record(duty_id: str):
    fields = {name: request.form.get(name, "") for name in ("completed_on", "note", "location")}
    try:
        duties.record_completion(current_user, duty_id, fields, _upload())
    except LookupError as missing:
        abort(404, str(missing))
    except PermissionError as refused:
        abort(403, str(refused))
    except Invalid as invalid:
        said = {field: _sentence(field, message) for field, message in invalid.errors.items()}
        flash("Nothing was saved: see the message beside the form below.", "error")
        return _page(today(), {"duty_id": duty_id, "place": fields["location"].strip(), "entered": fields,
                               "messages": said}, 400)
    flash("Recorded. The duty's status below counts it now.", "success")
    place = fields["location"].strip()
    return redirect(url_for("duties.index") + f"#duty-{duty_id}" + (f"-{place}" if place else ""))


@bp.get("/duties/attachments/<sha256>")
@login_required
def attachment(sha256: str):
    found = duty_files.get(sha256)
    if found is None or not duties.may_download(current_user, sha256):
        abort(404, "There is no such attachment.")
    extension = duty_files.EXTENSIONS[found.content_type]
    response = send_file(io.BytesIO(found.data), mimetype=found.content_type, as_attachment=True,
                         download_name=f"duty-attachment-{sha256[:12]}.{extension}")
    response.headers["Cache-Control"] = "no-store"
    return response
