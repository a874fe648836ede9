"""Single sign-on: which account the identity an OpenID Connect provider vouches for may use.

The provider (Microsoft Entra ID, Google Workspace) proves who someone is; the tracker matches them
by e-mail to a staff record, and only by an e-mail the provider says it has verified: Google's
``email_verified``, or Entra ID's optional ``xms_edov`` claim (the e-mail's domain is owned by the
tenant). Nobody unknown gets an account: the e-mail must be on a staff record already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.services import accounts, people
from tracker.services.validation import Refused
from tracker.storage.db import today
from tracker.storage.models import User

SSO_ACTOR = "single sign-on"
TRUE_CLAIM_VALUES = (True, "true", "True", "1", 1)


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The e-mail of the ID token's claims if the provider vouches for it, else None."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    if claims.get("email_verified") in TRUE_CLAIM_VALUES or claims.get("xms_edov") in TRUE_CLAIM_VALUES:
        return people.normalise_email(email)
    return None


def account_for(claims: Mapping[str, Any]) -> User:
    """The account of the staff record with the verified e-mail; Refused saying what to do if none.

    A staff record without an account yet gets a staff account (the caller commits).
    """
    email = verified_email(claims)
    if email is None:
        raise Refused(["Your organisation's sign-in did not confirm your e-mail address, so the tracker cannot "
                       "tell who you are. Sign in with your password, or ask the office manager."])
    staff = people.find_staff(email)
    if staff is None or not staff.active_on(today()):
        raise Refused([f"Nobody at the office has the e-mail {email}. Ask the office manager to add you."])
    if staff.user is not None and not staff.user.is_active:
        raise Refused(["This account is disabled. Ask the office manager."])
    return accounts.ensure_account(staff, SSO_ACTOR)
