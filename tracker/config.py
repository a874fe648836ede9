"""Settings from the environment, read once by the app factory.

Every tracker setting is a ``TRACKER_*`` environment variable; ``create_app(config)`` may override
any key (the tests do). Config keys keep the variable's name, except the database URL, which goes
to the key Flask-SQLAlchemy reads. An on/off or number setting written any other way than
documented (docs/operations.md) stops the app at start with ConfigError naming the variable, rather
than silently meaning something the operator did not intend.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

# The repository root when running from a checkout: the folder next to the package.
REPO_ROOT = Path(__file__).resolve().parent.parent

# Used only when development or testing mode is on (see `require_secret_key`), so a developer can
# start the app without setup; a fixed value keeps sessions alive across reloader restarts.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105

MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MB: far above any form or JSON body the tracker accepts
DEFAULT_CARD_MAX_MB, LARGEST_CARD_MB = 5, 20  # a phone photo of a card is 1 to 4 MB


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which variable to set and how."""


# How an on/off setting may be written (any case); unset or empty means the setting's default.
ON_WORDS = ("1", "true", "yes", "on")
OFF_WORDS = ("0", "false", "no", "off")
DIGITS = re.compile(r"[0-9]+")
HIGHEST_PORT = 65535


def _text(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off setting; ConfigError for anything but the words of ON_WORDS and OFF_WORDS."""
    text = _text(environ, name).lower()
    if not text:
        return default
    if text in ON_WORDS or text in OFF_WORDS:
        return text in ON_WORDS
    raise ConfigError(
        f"{name}={environ[name]!r} is neither on nor off: set it to {', '.join(ON_WORDS)} (on) or "
        f"{', '.join(OFF_WORDS)} (off), or leave it unset for the default ({'on' if default else 'off'}).")


def whole_number(environ: Mapping[str, str], name: str, default: int, lowest: int, highest: int | None,
                 meaning: str) -> int:
    """A whole-number setting within [lowest, highest]; ConfigError for anything else."""
    text = _text(environ, name)
    if not text:
        return default
    number = int(text) if DIGITS.fullmatch(text) else None
    if number is None or number < lowest or (highest is not None and number > highest):
        within = f"from {lowest} to {highest}" if highest is not None else f"of {lowest} or more"
        raise ConfigError(f"{name}={environ[name]!r} is not {meaning}: set it to a whole number {within}, "
                          f"or leave it unset for the default ({default}).")
    return number


def proxy_count(environ: Mapping[str, str]) -> int:
    """TRACKER_PROXY_FIX: how many proxies to trust. On/off words are accepted too (on: one proxy)."""
    text = _text(environ, "TRACKER_PROXY_FIX").lower()
    if text in ON_WORDS or text in OFF_WORDS:
        return int(text in ON_WORDS)
    return whole_number(environ, "TRACKER_PROXY_FIX", 0, 0, None,
                        "a number of proxies (0: none; 1 behind one nginx, Apache or Caddy; on and off mean 1 and 0)")


def default_content_dir(cwd: Path) -> Path:
    """The current folder if it holds policies/, else the checkout the package runs from."""
    return cwd if (cwd / "policies").is_dir() else REPO_ROOT


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'tracker.db'}"


def is_development(environ: Mapping[str, str]) -> bool:
    return flag(environ, "FLASK_DEBUG", False) or environ.get("TRACKER_ENV", "").lower() == "development"


def from_environment(environ: Mapping[str, str], instance_path: str, testing: bool = False) -> dict:
    development = is_development(environ)
    return {
        "SQLALCHEMY_DATABASE_URI": environ.get("TRACKER_DATABASE_URL") or default_database_url(instance_path),
        "SECRET_KEY": environ.get("TRACKER_SECRET_KEY") or None,
        "TRACKER_DEVELOPMENT": development,
        "TRACKER_CONTENT_DIR": Path(environ.get("TRACKER_CONTENT_DIR") or default_content_dir(Path.cwd())),
        "TRACKER_SITE_URL": (environ.get("TRACKER_SITE_URL") or "").rstrip("/") or None,
        "TRACKER_SYNC_ON_START": flag(environ, "TRACKER_SYNC_ON_START", True),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted; 0 = none.
        "TRACKER_PROXY_FIX": proxy_count(environ),
        # Browsers send Secure cookies only over HTTPS; a developer's http://127.0.0.1 needs them off.
        "SESSION_COOKIE_SECURE": flag(environ, "TRACKER_SECURE_COOKIES", not (development or testing)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        # A certification card's photo or scan; its upload alone may send more than MAX_CONTENT_LENGTH.
        "TRACKER_CARD_MAX_MB": whole_number(environ, "TRACKER_CARD_MAX_MB", DEFAULT_CARD_MAX_MB, 1, LARGEST_CARD_MB,
                                            "a size in megabytes"),
        # CSRF tokens live as long as the session: a form left open at the front desk still submits.
        "WTF_CSRF_TIME_LIMIT": None,
        # Idle connections are checked before use by tracker.storage.db.configure_engine, not pool_pre_ping.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        **mail_settings(environ),
        **evidence_settings(environ),
        **account_settings(environ),
    }


# --- Reminder e-mail (tracker.services.reminders) ----------------------------------------------------------
# TRACKER_SMTP_HOST unset means "no mail server": `flask remind` then refuses to send (--dry-run
# still works). STARTTLS is on by default, since the usual submission port 587 expects it.
DEFAULT_SMTP_PORT = 587


def mail_settings(environ: Mapping[str, str]) -> dict:
    return {
        "TRACKER_SMTP_HOST": (environ.get("TRACKER_SMTP_HOST") or "").strip() or None,
        "TRACKER_SMTP_PORT": whole_number(environ, "TRACKER_SMTP_PORT", DEFAULT_SMTP_PORT, 1, HIGHEST_PORT,
                                          "a port number"),
        "TRACKER_SMTP_USER": environ.get("TRACKER_SMTP_USER") or None,
        "TRACKER_SMTP_PASSWORD": environ.get("TRACKER_SMTP_PASSWORD") or None,
        "TRACKER_SMTP_STARTTLS": flag(environ, "TRACKER_SMTP_STARTTLS", True),
        "TRACKER_MAIL_FROM": (environ.get("TRACKER_MAIL_FROM") or "").strip() or None,
        # Links in e-mails and calendar events; default: office.yml's tracker_url.
        "TRACKER_BASE_URL": (environ.get("TRACKER_BASE_URL") or "").strip().rstrip("/") or None,
    }
# --- end of reminder e-mail settings ---------------------------------------------------------------


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    text = _text(environ, name)
    return Path(text).expanduser() if text else None


def evidence_settings(environ: Mapping[str, str]) -> dict:
    """Keys and files that make the audit trail and evidence packs checkable (tracker.services.keys).
    Unset outside development and testing, the tracker refuses to start (see docs/operations.md)."""
    return {
        "TRACKER_AUDIT_KEY": _text(environ, "TRACKER_AUDIT_KEY") or None,
        "TRACKER_AUDIT_KEY_FILE": _path(environ, "TRACKER_AUDIT_KEY_FILE"),
        # Earlier audit keys, comma-separated, kept after a rotation to verify the events they signed.
        "TRACKER_AUDIT_KEYRING": _text(environ, "TRACKER_AUDIT_KEYRING"),
        "TRACKER_EVIDENCE_KEY_FILE": _path(environ, "TRACKER_EVIDENCE_KEY_FILE"),
        "TRACKER_CHECKPOINT_FILE": _path(environ, "TRACKER_CHECKPOINT_FILE"),
    }


# --- Accounts (tracker.services.accounts, passwords, sessions) -----------------------------------
# NIST SP 800-63B-4: at least 15 characters when a password is the only factor (8 with a second one).
DEFAULT_PASSWORD_MIN_LENGTH = 15
MAX_PASSWORD_MIN_LENGTH = 64  # every password up to 64 characters (and beyond) is accepted


def account_settings(environ: Mapping[str, str]) -> dict:
    return {
        "TRACKER_PASSWORD_MIN_LENGTH": whole_number(
            environ, "TRACKER_PASSWORD_MIN_LENGTH", DEFAULT_PASSWORD_MIN_LENGTH, 8, MAX_PASSWORD_MIN_LENGTH,
            "a password length (NIST SP 800-63B: 15 when the password is the only factor)"),
        "TRACKER_INVITATION_DAYS": whole_number(environ, "TRACKER_INVITATION_DAYS", 7, 1, 90,
                                                "a number of days an invitation link stays usable"),
        "TRACKER_SESSION_IDLE_MINUTES": whole_number(environ, "TRACKER_SESSION_IDLE_MINUTES", 30, 1, 24 * 60,
                                                     "a number of idle minutes before signing out"),
        "TRACKER_SESSION_HOURS": whole_number(environ, "TRACKER_SESSION_HOURS", 12, 1, 30 * 24,
                                              "a number of hours a sign-in lasts at most"),
        # An office with a single manager may let them verify their own records; exports flag them.
        "TRACKER_ALLOW_SELF_VERIFICATION": flag(environ, "TRACKER_ALLOW_SELF_VERIFICATION", False),
        # Single sign-on (tracker.web.sso): off unless the issuer and client are all set.
        "TRACKER_OIDC_ISSUER": _text(environ, "TRACKER_OIDC_ISSUER").rstrip("/") or None,
        "TRACKER_OIDC_CLIENT_ID": _text(environ, "TRACKER_OIDC_CLIENT_ID") or None,
        "TRACKER_OIDC_CLIENT_SECRET": _text(environ, "TRACKER_OIDC_CLIENT_SECRET") or None,
        "TRACKER_OIDC_NAME": _text(environ, "TRACKER_OIDC_NAME") or "your organisation's account",
        # Managers and admins sign in with a code from an authenticator app as well as their password.
        "TRACKER_TWO_STEP_FOR_MANAGERS": flag(environ, "TRACKER_TWO_STEP_FOR_MANAGERS", False),
    }
# --- end of account settings ---------------------------------------------------------------------


def require_secret_key(config: Mapping) -> str:
    """The secret key; refuses to go on without one outside development and testing."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("TESTING") or config.get("TRACKER_DEVELOPMENT"):
        return DEVELOPMENT_SECRET_KEY
    raise ConfigError(
        "TRACKER_SECRET_KEY is not set: the tracker signs session cookies with it and will not start "
        "without one. Set it to a long random value, e.g. "
        "export TRACKER_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
        "or set TRACKER_ENV=development on a developer machine."
    )
