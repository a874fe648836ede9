"""The README's run command, `python -m tracker.demo`: progress, three sign-ins, reuse, the site's 404."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker import demo
from tracker.services.demo_practice import (
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    NEW_HIRE_EMAIL,
    NEW_HIRE_PASSWORD,
    STAFF_EMAIL,
)

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def clean_environment():
    # The demo sets TRACKER_* for the app it builds; keep them from leaking into other tests.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_first_run_shows_progress_and_three_sign_ins_and_a_second_run_reuses_it(
        tmp_path, capsys, clean_environment, monkeypatch):
    monkeypatch.setattr(demo, "build_site", lambda content, site_dir: site_dir.mkdir(parents=True, exist_ok=True))
    arguments = ["--no-serve", "--content", str(ROOT), "--instance", str(tmp_path / "demo")]

    demo.main(arguments)
    first = capsys.readouterr().out
    assert [line[:5] for line in first.splitlines() if line.startswith("[")] == ["[1/4]", "[2/4]", "[3/4]"]
    assert "Creating the demo database" in first
    assert f"Manager sign-in: {MANAGER_EMAIL} / {MANAGER_PASSWORD}" in first
    assert f"Staff sign-in (front desk): {STAFF_EMAIL}" in first
    assert f"New hire on day one (medical assistant): {NEW_HIRE_EMAIL} / {NEW_HIRE_PASSWORD}" in first
    assert "INFO" not in first and "Running upgrade" not in first

    demo.main(arguments)
    again = capsys.readouterr().out
    assert "Reusing the demo database" in again and "already there: reusing it" in again
    assert "Demo data not added" not in again
    assert f"New hire on day one (medical assistant): {NEW_HIRE_EMAIL}" in again


def test_the_site_server_answers_a_missing_page_with_the_sites_404_page(tmp_path):
    (tmp_path / "index.html").write_text("<title>Home</title>")
    (tmp_path / "404.html").write_text("<title>Page not found</title>")
    handler = demo.functools.partial(demo._QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/no-such-page/")  # noqa: S310
        assert missing.value.code == 404
        assert missing.value.read() == b"<title>Page not found</title>"
    finally:
        server.shutdown()
