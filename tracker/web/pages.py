"""What every page's template may use: the header's context, status labels, field attributes, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from tracker.services import served_catalogue
from tracker.services.matrix import STATUS_LABELS
from tracker.storage.db import local_time

FALLBACK_OFFICE_NAME = "Clinic Portal"


def _page_context() -> dict[str, Any]:
    """Office name and the static site's address for the header of every page."""
    catalogue = served_catalogue.current()
    settings = catalogue.settings if catalogue else None
    return {
        "office_name": settings.office_name if settings else FALLBACK_OFFICE_NAME,
        "site_url": current_app.config["TRACKER_SITE_URL"] or (settings.site_url if settings else None),
        "is_manager": current_user.is_authenticated and current_user.is_manager,
    }


def field_attrs(field, hint: str = "", **attrs) -> dict[str, Any]:
    """Input attributes pointing screen readers at the field's hint and errors (templates/_forms.html)."""
    described_by = ([f"{field.id}-hint"] if hint else []) + [
        f"{field.id}-error-{n}" for n in range(1, len(field.errors) + 1)]
    if described_by:
        attrs["aria_describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria_invalid"] = "true"
    return attrs


def local_time_text(moment: datetime) -> str:
    """A recorded time on the office's clock (policies/office.yml ``timezone``), naming its zone."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def init_app(app: Flask) -> None:
    # App-wide, not per blueprint: error pages (tracker.http.errors) extend the same base template.
    app.jinja_env.globals.update(field_attrs=field_attrs, status_labels=STATUS_LABELS)
    app.jinja_env.filters["local_time"] = local_time_text
    app.context_processor(_page_context)
