"""Absolute links to tracker pages, for places outside a browser: e-mails and calendar events.

The base address is TRACKER_BASE_URL when set, else the address the current request came in on,
else office.yml's ``tracker_url``. Each kind of requirement links to the staff page where it is
done: the policy to sign, the training module, the certifications page.
"""

from __future__ import annotations

from flask import current_app

from tracker.rules.records import ItemStatus
from tracker.services import served_catalogue

STAFF_PAGES = {"policy": ("policies.read", "policy_id"), "module": ("training.module", "module_id"),
               "certification": ("certifications.mine", None)}
FALLBACK_PAGE = "home.home"  # the to-do page: everything the person owes
FALLBACK_BASE = "http://127.0.0.1:5000"


def base_url(request_root: str | None = None) -> str:
    configured: str | None = current_app.config.get("TRACKER_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if request_root:
        return request_root.rstrip("/")
    catalogue = served_catalogue.current()
    return (catalogue.settings.tracker_url if catalogue else FALLBACK_BASE).rstrip("/")


def path_for(endpoint: str, **values: str | int) -> str:
    """The path of an endpoint, built without a request (the CLI has none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def item_path(kind: str, item_id: str) -> str:
    endpoint, argument = STAFF_PAGES[kind]
    if endpoint not in current_app.view_functions:  # a page this installation does not have
        return path_for(FALLBACK_PAGE)
    return path_for(endpoint, **({argument: item_id} if argument else {}))


def item_url(item: ItemStatus, base: str | None = None) -> str:
    return (base or base_url()) + item_path(item.kind, item.id)
