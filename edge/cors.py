"""CORS for the whole HTTP app (Django views and the SSE consumer alike), from CORS_ORIGINS.

One ASGI wrapper instead of Django middleware, because the stream consumer is not a Django
view and browsers preflight its POST (it carries an Authorization header).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

ASGIApp = Callable[
    [dict[str, Any], Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]
]

ALLOW_METHODS = b"GET, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = (
    b"authorization, content-type, token, last-event-id, x-session-id, x-api-key, cache-control"
)
# Where a browser finds the run it started (to resume or cancel it).
EXPOSE_HEADERS = b"x-run-id, x-session-id, content-location, location"
MAX_AGE = b"600"


class CorsMiddleware:
    """Answer preflights and add Access-Control-Allow-Origin for allowed origins."""

    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        """Wrap `app`; `origins` lists allowed origins, `*` allows any."""
        self.app = app
        self.origins = {origin.rstrip("/") for origin in origins}

    def allowed(self, origin: bytes | None) -> bytes | None:
        """Return the Access-Control-Allow-Origin value for `origin`, or None."""
        if not origin or not self.origins:
            return None
        if "*" in self.origins:
            return b"*"
        return origin if origin.decode(errors="replace") in self.origins else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Handle one connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        allow_origin = self.allowed(headers.get(b"origin"))
        if allow_origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await self.preflight(send, allow_origin)
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"access-control-allow-origin", allow_origin),
                    (b"access-control-expose-headers", EXPOSE_HEADERS),
                    (b"vary", b"Origin"),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def preflight(self, send: Any, allow_origin: bytes) -> None:
        """Answer a CORS preflight request."""
        headers = [
            (b"access-control-allow-origin", allow_origin),
            (b"access-control-allow-methods", ALLOW_METHODS),
            (b"access-control-allow-headers", ALLOW_HEADERS),
            (b"access-control-max-age", MAX_AGE),
            (b"vary", b"Origin"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
