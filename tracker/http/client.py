"""Who sent the request: the client's address and browser, as records and the audit trail keep them."""

from __future__ import annotations

from flask import request

from tracker.services.acknowledgements import Origin


def client_address() -> str:
    """The client's IP address: the proxy's own unless TRACKER_PROXY_FIX trusts X-Forwarded-For."""
    return (request.remote_addr or "")[:64]


def client_agent() -> str:
    return request.user_agent.string[:500]


def request_origin(method: str) -> Origin:
    """Where a signature or quiz answer sent with this request came from; ``method`` is "web" or "api"."""
    return Origin(ip_address=client_address() or None, user_agent=client_agent(), method=method)
