"""Who sent the request: the signed-in user of a session cookie, for pages and API alike."""

from __future__ import annotations

from flask import Flask

from tracker.http.extensions import login_manager
from tracker.storage.db import db
from tracker.storage.models import User


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    # Someone who left, or whose account was disabled, is signed out on their next request.
    return user if user is not None and user.is_active else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
