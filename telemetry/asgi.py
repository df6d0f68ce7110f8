"""ASGI middleware: a request id for every log line, and HTTP responses counted by class."""

from __future__ import annotations

import re
import uuid
from typing import Any

from telemetry.logs import log_context
from telemetry.prometheus import HTTP_RESPONSES, status_class

Scope = dict[str, Any]
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(scope: Scope) -> str:
    """Return the caller's X-Request-ID when it is sane, else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if ACCEPTED_REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


class ObservabilityMiddleware:
    """Tag each HTTP request with a request id (logs, `X-Request-ID`) and count its status."""

    def __init__(self, app: Any) -> None:
        """Wrap the ASGI `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """Serve the request inside its log context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)

        async def send_counted(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                HTTP_RESPONSES.labels(status_class(message["status"])).inc()
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        with log_context(request_id=request_id):
            await self.app(scope, receive, send_counted)
