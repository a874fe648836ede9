"""Try the portal on one machine: ``python -m tracker.demo``.

Builds the static site, prepares a SQLite database with a demo practice, and serves the site and
the tracker on localhost until Ctrl+C. Everything it writes stays under ``instance/demo/``; run it
again and it reuses that database (``--fresh`` starts over).
"""

from __future__ import annotations

import argparse
import functools
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
    return parser.parse_args(argv)


def build_site(content: Path, site_dir: Path) -> None:
    config_file = content / "mkdocs.yml" if (content / "mkdocs.yml").is_file() else REPO_ROOT / "mkdocs.yml"
    command = [sys.executable, "-m", "portal", "build", str(content), "--site-dir", str(site_dir),
               "--config-file", str(config_file)]
    if subprocess.run(command, check=False).returncode != 0:  # noqa: S603 - our own interpreter and module
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
    from tracker.services.demo_seed import seed_demo
    from tracker.services.sync import sync

    app = create_app()
    with app.app_context():
        upgrade()
        sync(app.config["TRACKER_CONTENT_DIR"], audit.CLI_ACTOR)
        lines = seed_demo()
    return app, lines


def serve_site(site_dir: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer((HOST, SITE_PORT), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # one line per asset would drown the sign-in details printed above


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.fresh and args.instance.exists():
        shutil.rmtree(args.instance)
    args.instance.mkdir(parents=True, exist_ok=True)
    site_dir = args.instance / "site"
    build_site(args.content, site_dir)
    app, lines = prepare_tracker(args.content, args.instance / "tracker.db")
    print("\nClinic Portal demo")
    print(f"  Site:    http://{HOST}:{SITE_PORT}/")
    print(f"  Tracker: http://{HOST}:{TRACKER_PORT}/")
    for line in lines:
        print(f"  {line}")
    if args.no_serve:
        return
    print("Press Ctrl+C to stop.\n")
    serve_site(site_dir)
    from werkzeug.serving import run_simple

    run_simple(HOST, TRACKER_PORT, app, threaded=True)


if __name__ == "__main__":
    main()
