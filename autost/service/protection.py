"""What every request and response passes through: a cap on the request body and the
browser-side protections of the pages (a Content-Security-Policy without inline scripts).

Both are plain ASGI middleware, so the cap holds for a body of any framing: a
``Content-Length`` over the cap is refused before a byte is read, and a chunked body
(``Transfer-Encoding: chunked``, no length) is read only up to the cap, then refused.
"""

from __future__ import annotations

from autost.service.errors import error

MAX_BODY_BYTES = 256 * 1024
# Scripts only from this server's own files (no inline script, no handler attribute, no
# eval); plotly writes style attributes and <style> elements, hence 'unsafe-inline' for
# styles alone. Nothing is loaded from another origin, and no page may be framed.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "form-action 'self'", "frame-ancestors 'none'"))
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


def too_large(max_bytes: int):
    return error(413, f"request body over {max_bytes // 1024} KiB; a search with its own "
                      "space file needs far less")


class BodyLimit:
    """Refuse (413) a request whose body is over ``max_bytes``, reading no more than that."""

    def __init__(self, app, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await too_large(self.max_bytes)(scope, receive, send)
            return
        received, over, started = 0, False, False

        async def capped_receive():
            # past the cap the app is told the client left, so it stops reading
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                over = received > self.max_bytes
                if over:
                    return {"type": "http.disconnect"}
            return message

        async def answer(message):
            nonlocal started
            if over and not started:
                return  # what the app says about the cut body; the 413 below replaces it
            started = True
            await send(message)

        await self.app(scope, capped_receive, answer)
        if over and not started:
            await too_large(self.max_bytes)(scope, receive, send)


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()),
                                                  *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
