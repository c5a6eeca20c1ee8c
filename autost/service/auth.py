"""The bearer token that every write (submit, cancel) must carry, and every read of a
private server.

Reads are open on a server bound to loopback, so the pages work in any browser on the
machine; a write without the right ``Authorization: Bearer TOKEN`` header gets 401 and
changes nothing. A private server (``autost serve --private``, the default off loopback)
asks the token for reads too: as the same header, or as a session cookie that the login
page sets (HttpOnly, so no script reads it; SameSite=Strict, so no other site's page sends
it; it holds an HMAC of the token, never the token, and it authorizes reads only, so a
forged request cannot write). The token comes from ``AUTOST_TOKEN`` or is generated at
start and printed once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets

from fastapi import Request
from starlette.exceptions import HTTPException

TOKEN_ENV = "AUTOST_TOKEN"
CHALLENGE = {"WWW-Authenticate": "Bearer"}
SESSION_COOKIE = "autost_session"
# what a private server shows without the token: the login page and what it loads
OPEN_PATHS = ("/login", "/static/style.css")


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


def session_value(token: str) -> str:
    """The read-session cookie's value: an HMAC of the token (the token cannot be read back
    from it)."""
    return hmac.new(token.encode(), b"autost read session", hashlib.sha256).hexdigest()


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def may_read(request: Request) -> bool:
    """Whether ``request`` may read: always on an open server; on a private one with the
    bearer token or the login page's session cookie."""
    if not request.app.state.private or request.url.path in OPEN_PATHS:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and given and same(given, request.app.state.token):
        return True
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return bool(cookie) and same(cookie, session_value(request.app.state.token))


def require_token(request: Request) -> None:
    """FastAPI dependency of every write route: 401 unless the bearer token matches."""
    expected = request.app.state.token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise HTTPException(401, "this request changes data and needs the server's token: "
                                 "send the header 'Authorization: Bearer TOKEN' (the token "
                                 "`autost serve` printed, or AUTOST_TOKEN)", CHALLENGE)
    if not same(given, expected):
        raise HTTPException(401, "wrong token; use the one `autost serve` printed at start "
                                 "(or its AUTOST_TOKEN)", CHALLENGE)


def submitter(request: Request, name: str | None) -> str:
    """Who submitted a job: the name given in the request and the client's address."""
    client = request.client.host if request.client else "unknown"
    return f"{name or 'anonymous'}@{client}"
