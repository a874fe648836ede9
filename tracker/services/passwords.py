"""Passwords: the rules a new one must meet, and their hashes (argon2id). API tokens: tracker.services.tokens.

The rules follow NIST SP 800-63B-4 (section 3.1.1.2): a minimum length (the setting
TRACKER_PASSWORD_MIN_LENGTH, 15 by default, as for a password that is the only factor), every
printing character and space allowed, at least 64 characters accepted, no composition rules, no
periodic change, and a check against common passwords (the 30,000 most common in breach corpora, as
the zxcvbn package ships them, so nothing is fetched at run time) and words the context makes easy to guess (the office, the product, the
person's own name and e-mail).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_PRODUCTION = PasswordHasher()  # argon2id, RFC 9106 low-memory parameters
# Tests hash a password for nearly every test; the real cost (~0.1 s each) is the point in production.
_TESTING = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Compared against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _PRODUCTION.hash(secrets.token_hex(16))

MAX_LENGTH = 256  # far above the 64 NIST asks to allow; bounds the hashing work per request
PRODUCT_WORDS = ("clinic", "portal", "tracker", "password", "passwort", "welcome", "compliance", "hipaa")
# What is left of a password once digits, punctuation, spaces and context words are taken out must
# be at least this long: "Riverside Clinic 2026!" is no secret at the Riverside Clinic.
MIN_OWN_LETTERS = 8
MIN_DISTINCT_CHARACTERS = 5  # "aaaaaaaaaaaaaaa" and "121212121212121" are not passwords
NOT_LETTERS = re.compile(r"[^a-z]+")


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


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _words(texts: Iterable[str]) -> list[str]:
    found = {word for text in texts for word in NOT_LETTERS.split(text.lower()) if len(word) >= 3}
    return sorted(found, key=len, reverse=True)  # longest first, so "riverside" goes before "river"


def password_problem(password: str, min_length: int, context: Iterable[str] = ()) -> str | None:
    """What is wrong with a new password, as a sentence saying what to do; None when it will do.

    ``context`` holds words an attacker would try first: the office's name, the person's name and e-mail.
    """
    if len(password) < min_length:
        return f"Choose a password of at least {min_length} characters; a few unrelated words make a good one."
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    if not password.strip():
        return "Choose a password that is not only spaces."
    if any(unicodedata.category(c).startswith("C") for c in password):
        return "Use only letters, digits, spaces and punctuation in a password."
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return "Choose a password with more variety than a repeated character or pattern."
    letters = NOT_LETTERS.sub("", lowered)
    own = letters
    for word in _words([*context, *PRODUCT_WORDS]):
        own = own.replace(word, "")
    common = common_passwords()
    if lowered in common or letters in common or len(own) < MIN_OWN_LETTERS or _repeats_common(letters, common):
        return ("This password is too common or too easy to guess from your name, e-mail or the office. "
                "Choose another: a few unrelated words make a good one.")
    return None


def _repeats_common(letters: str, common: frozenset[str]) -> bool:
    """True for a common password said again and again ("passwordpassword", "monkeymonkeymonkey")."""
    for size in range(3, len(letters) // 2 + 1):
        if len(letters) % size == 0 and letters[:size] * (len(letters) // size) == letters:
            return letters[:size] in common or size < MIN_OWN_LETTERS
    return False
