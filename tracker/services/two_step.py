"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password.

Required of managers and admins when TRACKER_TWO_STEP_FOR_MANAGERS is on; anyone may turn it on for
themselves. Each code works once (the last time step used is kept). Setting it up gives ten
recovery codes, each usable once instead of a code, for a lost phone; only their SHA-256 is stored.
A manager can reset someone's two-step sign-in, who then sets it up again at their next sign-in.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

import pyotp
from sqlalchemy import select, update

from tracker.services import audit, tokens
from tracker.storage.db import db, utcnow
from tracker.storage.models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
DRIFT_STEPS = 1  # a code from the step before or after still counts: phone clocks drift
NOT_CODE = re.compile(r"[\s-]+")
MAX_CODE_LENGTH = 40


def required(user: User, config: Mapping[str, Any]) -> bool:
    return bool(config.get("TRACKER_TWO_STEP_FOR_MANAGERS")) and user.is_manager


def enabled(user: User) -> bool:
    return user.totp_secret is not None


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app takes (typed, or pasted) to add the account."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step whose code ``code`` is, within the drift, and later than ``after``; else None."""
    code = NOT_CODE.sub("", code)
    if not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), int(time.time()) // 30
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _canonical(code: str) -> str:
    """A recovery code as stored: lower case, without the dashes and spaces people type or leave out."""
    return NOT_CODE.sub("", code.lower())[:MAX_CODE_LENGTH]


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=tokens.token_hash(_canonical(code)),
                                    created_at=utcnow()) for code in codes)
    return codes


def turn_on(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-step sign-in on if ``code`` is the app's current one; its recovery codes, or None.

    The caller commits.
    """
    step = _matching_step(secret, code, None)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    audit.record(user.audit_name, "two_step.enabled", user.audit_name)
    return _new_recovery_codes(user)


def check(user: User, code: str) -> bool:
    """True for the app's current code (each once) or an unused recovery code. The caller commits."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    found = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash == tokens.token_hash(_canonical(code))))
    if found is None:
        return False
    found.used_at = utcnow()
    audit.record(user.audit_name, "two_step.recovery_code_used", user.audit_name)
    return True


def reset(user: User, actor: str) -> None:
    """Turn two-step sign-in off (a lost phone); set up again at the next sign-in. The caller commits."""
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    audit.record(actor, "two_step.reset", user.audit_name)
