"""Compiled templates are kept on disk for the next worker (tracker.web.template_cache), and a disk
that cannot take them costs nothing but the compiling."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from tracker_helpers import make_app

from tracker.web import template_cache


def compiled(app, monkeypatch) -> list[str]:
    """The templates ``app``'s environment compiles from now on, by name."""
    names: list[str] = []
    real = app.jinja_env.compile

    def spy(source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return real(source, name, filename, raw, defer_init)

    monkeypatch.setattr(app.jinja_env, "compile", spy)
    return names


def test_a_fresh_worker_loads_the_compiled_templates_instead_of_compiling_them(app, database_url, monkeypatch, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(template_cache, "_BestEffortCache", lambda: FileSystemBytecodeCache(str(folder)))
    first, second = (make_app(database_url, TRACKER_SYNC_ON_START=False) for _ in range(2))
    first_compiled, second_compiled = compiled(first, monkeypatch), compiled(second, monkeypatch)
    assert first.test_client().get("/sign-in").status_code == 200
    assert "sign_in.html" in first_compiled and list(Path(folder).iterdir())
    assert second.test_client().get("/sign-in").status_code == 200
    assert second_compiled == []  # every template of the page came from the cache


def test_a_disk_that_refuses_the_cache_still_draws_the_page(app, monkeypatch, tmp_path):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    folder, best_effort = tmp_path / "cache", template_cache._BestEffortCache
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(template_cache, "_BestEffortCache", lambda: best_effort(str(folder)))
    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", full)
    fresh = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TRACKER_SYNC_ON_START=False)
    assert fresh.test_client().get("/sign-in").status_code == 200
    assert list(folder.iterdir()) == []
