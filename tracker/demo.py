"""Try the portal on one machine: ``python -m tracker.demo``.

Builds the static site, prepares a SQLite database with a demo practice, and serves the site and
the tracker on localhost until Ctrl+C. Everything it writes stays under ``instance/demo/``; run it
again and it reuses that database (``--fresh`` starts over). It prints its progress and, at the end,
the two addresses and three sign-ins; ``--log-requests`` also logs every request to the tracker.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.config import REPO_ROOT, default_content_dir

if TYPE_CHECKING:
    from flask import Flask

HOST = "127.0.0.1"
SITE_PORT = 8000
TRACKER_PORT = 5000  # policies/office.yml points the site's buttons here (office.tracker_url)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tracker.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=default_content_dir(Path.cwd()),
                        help="folder holding policies/ and training/ (default: this checkout)")
    parser.add_argument("--instance", type=Path, default=Path("instance") / "demo",
                        help="where the demo database and site go (default: instance/demo)")
    parser.add_argument("--fresh", action="store_true", help="delete the demo database and site first")
    parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
    parser.add_argument("--log-requests", action="store_true", help="log every request the tracker answers")
    return parser.parse_args(argv)


def step(number: int, text: str) -> None:
    print(f"[{number}/4] {text}", flush=True)


def build_site(content: Path, site_dir: Path) -> None:
    config_file = content / "mkdocs.yml" if (content / "mkdocs.yml").is_file() else REPO_ROOT / "mkdocs.yml"
    command = [sys.executable, "-m", "portal", "build", str(content), "--site-dir", str(site_dir),
               "--config-file", str(config_file)]
    # The build's own report is shown only when it fails; on success one progress line says enough.
    result = subprocess.run(command, check=False, capture_output=True, text=True,  # noqa: S603 - our interpreter
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit("The site did not build: fix the content problems listed above, then run this again.")


def prepare_tracker(content: Path, database: Path) -> tuple[Flask, list[str]]:
    """Create the app on the demo database, migrate it, sync the content and seed the demo staff."""
    os.environ.update({
        "TRACKER_ENV": "development",
        "TRACKER_DATABASE_URL": f"sqlite:///{database.resolve()}",
        "TRACKER_CONTENT_DIR": str(content.resolve()),
        "TRACKER_SITE_URL": f"http://{HOST}:{SITE_PORT}",
        "TRACKER_BASE_URL": f"http://{HOST}:{TRACKER_PORT}",
        "TRACKER_SYNC_ON_START": "0",  # the schema must exist first: upgraded and synced below
    })
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.services import audit
    from tracker.services.demo_practice import credentials
    from tracker.services.demo_seed import demo_present, seed_demo
    from tracker.services.sync import sync

    app = create_app()
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's line per migration says nothing a first-time user needs
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        sync(app.config["TRACKER_CONTENT_DIR"], audit.CLI_ACTOR)
        if demo_present():
            step(3, "The demo practice is already there: reusing it.")
            return app, credentials()
        step(3, "Adding the demo practice (25 staff, 14 months of history; about a minute)...")
        lines = seed_demo()
    return app, lines


def serve_site(site_dir: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer((HOST, SITE_PORT), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(SimpleHTTPRequestHandler):
    """The built site as a web server would serve it: its own 404 page, and no line per request."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # one line per asset would drown the sign-in details printed above

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve_tracker(app: Flask, log_requests: bool) -> None:
    """The tracker on werkzeug's server, without its banner; requests logged only when asked."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.INFO if log_requests else logging.WARNING)
    make_server(HOST, TRACKER_PORT, app, threaded=True).serve_forever()


def summary(lines: list[str]) -> str:
    return "\n".join(["", "Clinic Portal demo is ready", f"  Site:    http://{HOST}:{SITE_PORT}/",
                      f"  Tracker: http://{HOST}:{TRACKER_PORT}/", *(f"  {line}" for line in lines)])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.fresh and args.instance.exists():
        shutil.rmtree(args.instance)
    args.instance.mkdir(parents=True, exist_ok=True)
    database = args.instance / "tracker.db"
    reusing = database.exists()
    site_dir = args.instance / "site"
    step(1, "Building the static site...")
    build_site(args.content, site_dir)
    step(2, f"{'Reusing' if reusing else 'Creating'} the demo database {database} (--fresh starts over)...")
    app, lines = prepare_tracker(args.content, database)
    if args.no_serve:
        print(summary(lines))
        return
    step(4, "Starting the site and the tracker...")
    serve_site(site_dir)
    print(summary(lines) + "\nPress Ctrl+C to stop.\n", flush=True)
    try:
        serve_tracker(app, args.log_requests)
    except KeyboardInterrupt:
        print("Stopped.")


if __name__ == "__main__":
    main()
