"""The HTML pages: one blueprint per area, the templates they share, and what every page's template may use."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Imported here, not at the top, so that importing one page module loads no other."""
    from tracker.web import (
        auth,
        calendar,
        certifications,
        dashboard,
        manager,
        pages,
        policies,
        sessions,
        training,
    )

    pages.init_app(app)
    for blueprint in (auth.bp, policies.bp, manager.bp, training.bp, sessions.bp, certifications.bp,
                      certifications.manager_bp, dashboard.bp, calendar.bp):
        app.register_blueprint(blueprint)
