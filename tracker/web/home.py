"""The signed-in person's home: one list of everything they owe, most urgent first (tracker.services.todo)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from tracker.services import served_catalogue
from tracker.services.links import STAFF_PAGES
from tracker.services.todo import WHAT_CHANGED, ToDo, in_words, to_do_list
from tracker.storage.db import today

bp = Blueprint("home", __name__)


def link_for(item: ToDo, link: str) -> str:
    """Where a linked part of an item's sentence goes: the page where the work is done, or the
    signing page's "what changed" section."""
    endpoint, argument = STAFF_PAGES[item.kind]
    values: dict[str, Any] = {argument: item.id} if argument else {}
    return url_for(endpoint, _anchor="what-changed" if link == WHAT_CHANGED else None, **values)


@bp.app_context_processor
def _links() -> dict[str, object]:
    return {"todo_link": link_for, "in_words": in_words}


def first_name(name: str) -> str:
    return (name.split() or [name])[0]


@bp.get("/")
@login_required
def home():
    todo = to_do_list(current_user.staff, served_catalogue.required(), today())
    return render_template("home/home.html", todo=todo, first_name=first_name(current_user.staff.name))
