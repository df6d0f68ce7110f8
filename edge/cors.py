"""CORS for the whole HTTP app (Django views and the SSE consumer alike), from CORS_ORIGINS.

One ASGI wrapper instead of Django middleware, because the stream consumer is not a Django
view and browsers preflight its POST (it carries an Authorization header). With
CORS_LOCAL_ORIGINS (on by default on a development server) a page served from loopback
(`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) is allowed too, so that a local
front end (Agent Chat UI, a Vite dev server) works without configuration. A preflight from
an origin that is not allowed is answered 403 with a JSON body naming the origin, rather
than reaching the route (whose 405 would say nothing about CORS).
"""

from __future__ import annotations

import json
import re
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
LOCAL_ORIGIN = re.compile(r"http://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?")


class CorsMiddleware:
    """Answer preflights and add Access-Control-Allow-Origin for allowed origins."""

    def __init__(self, app: ASGIApp, origins: Iterable[str], *, local: bool = False) -> None:
        """Wrap `app`; `origins` lists allowed origins, `*` allows any; `local`: loopback pages."""
        self.app = app
        self.origins = {origin.rstrip("/") for origin in origins}
        self.local = local

    def allowed(self, origin: bytes | None) -> bytes | None:
        """Return the Access-Control-Allow-Origin value for `origin`, or None."""
        if not origin:
            return None
        if "*" in self.origins:
            return b"*"
        named = origin.decode(errors="replace")
        if named in self.origins or (self.local and LOCAL_ORIGIN.fullmatch(named)):
            return origin
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Handle one connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin")
        allow_origin = self.allowed(origin)
        preflight = scope["method"] == "OPTIONS" and b"access-control-request-method" in headers
        if preflight and origin:
            await (
                self.preflight(send, allow_origin) if allow_origin else self.refuse(send, origin)
            )
            return
        if allow_origin is None:
            await self.app(scope, receive, send)
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

    async def refuse(self, send: Any, origin: bytes) -> None:
        """Answer the preflight of an origin that is not allowed: 403, saying what to set."""
        named = origin.decode(errors="replace")
        detail = f"Origin {named} is not allowed: add it to CORS_ORIGINS"
        body = json.dumps({"detail": detail}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"vary", b"Origin"),
        ]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
