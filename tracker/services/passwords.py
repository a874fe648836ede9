"""Password hashes (argon2id) and API tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

TOKEN_PREFIX = "trk_"  # noqa: S105 - not a secret; makes a leaked token easy to recognise in logs and secret scanners
DISPLAY_PREFIX_LENGTH = 12

_PRODUCTION = PasswordHasher()  # argon2id, RFC 9106 low-memory parameters
# Tests hash a password for nearly every test; the real cost (~0.1 s each) is the point in production.
_TESTING = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Compared against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _PRODUCTION.hash(secrets.token_hex(16))


def _hasher() -> PasswordHasher:
    return _TESTING if current_app.testing else _PRODUCTION


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_PREFIX_LENGTH]
