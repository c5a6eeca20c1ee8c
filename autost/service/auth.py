"""The bearer token that every write (submit, cancel) must carry.

Reads stay open, so the pages work in any browser on the machine; a write without the
right ``Authorization: Bearer TOKEN`` header gets 401 and changes nothing. The token comes
from ``AUTOST_TOKEN`` or is generated at start and printed once.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets

from fastapi import Request
from starlette.exceptions import HTTPException

TOKEN_ENV = "AUTOST_TOKEN"
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def server_token() -> tuple[str, bool]:
    """(token, whether it was generated) from ``AUTOST_TOKEN`` or a fresh random one."""
    given = os.environ.get(TOKEN_ENV, "").strip()
    return (given, False) if given else (secrets.token_urlsafe(24), True)


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_token(request: Request) -> None:
    """FastAPI dependency of every write route: 401 unless the bearer token matches."""
    expected = request.app.state.token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise HTTPException(401, "this request changes data and needs the server's token: "
                                 "send the header 'Authorization: Bearer TOKEN' (the token "
                                 "`autost serve` printed, or AUTOST_TOKEN)", CHALLENGE)
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(401, "wrong token; use the one `autost serve` printed at start "
                                 "(or its AUTOST_TOKEN)", CHALLENGE)


def submitter(request: Request, name: str | None) -> str:
    """Who submitted a job: the name given in the request and the client's address."""
    client = request.client.host if request.client else "unknown"
    return f"{name or 'anonymous'}@{client}"
