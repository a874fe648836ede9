"""Flask extensions, created unbound and attached to the app by the factory."""

from __future__ import annotations

from pathlib import Path

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

# Inside the package, so the migrations install with it.
MIGRATIONS_DIR = str(Path(__file__).resolve().parents[1] / "migrations")

csrf = CSRFProtect()
migrate = Migrate(directory=MIGRATIONS_DIR, render_as_batch=True)
login_manager = LoginManager()
