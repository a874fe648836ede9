"""The HTML pages: one blueprint per area, the templates they share, and what every page's template may use."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Imported here, not at the top, so that importing one page module loads no other."""
    from tracker.web import (
        account,
        account_manager,
        auth,
        calendar,
        certification_cards,
        certifications,
        dashboard,
        duties,
        home,
        manager,
        pages,
        policies,
        sessions,
        sso,
        template_cache,
        training,
        two_step,
    )

    pages.init_app(app)
    template_cache.init_app(app)
    for blueprint in (auth.bp, home.bp, policies.bp, manager.bp, training.bp, sessions.bp, certifications.bp,
                      certifications.manager_bp, certification_cards.bp, dashboard.bp, calendar.bp, account.bp,
                      account_manager.bp, duties.bp, two_step.bp, sso.bp):
        app.register_blueprint(blueprint)
