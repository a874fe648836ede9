"""Password hashes (argon2id). API tokens are in tracker.services.tokens."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

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

