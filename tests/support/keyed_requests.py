"""Requests to the stream endpoints in-process, presenting a key in either header form."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import ApplicationCommunicator

from orchestration_site.asgi import application
from protocols.native.consumers import ChatStreamConsumer

FORMS = ["bearer", "token-header"]


def headers_for(key: str, form: str) -> dict[str, str]:
    """Present `key` in one of the two header forms (for Django's test client)."""
    return {"Authorization": f"Bearer {key}"} if form == "bearer" else {"token": key}


def raw_headers(key: str, form: str) -> list[tuple[bytes, bytes]]:
    """The ASGI headers presenting `key` in one of the two forms."""
    if form == "bearer":
        return [(b"authorization", f"Bearer {key}".encode())]
    return [(b"token", key.encode())]


async def exchange(app: Any, scope: dict[str, Any], body: bytes) -> tuple[dict, bytes]:
    """Send one request to `app`; return the response start message and the whole body."""
    scope = {"type": "http", "query_string": b"", "client": ["127.0.0.1", 5000], **scope}
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": body})
    start = await communicator.receive_output(timeout=10)
    chunks = []
    while True:
        message = await communicator.receive_output(timeout=10)
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    return start, b"".join(chunks)


async def stream(body: dict, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """POST one chat request to the consumer; return the status and the body."""
    scope = {
        "method": "POST",
        "path": "/v1/chat/stream",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
    }
    start, raw = await exchange(ChatStreamConsumer.as_asgi(), scope, json.dumps(body).encode())
    return start["status"], raw


async def join(
    run_id: str,
    headers: list[tuple[bytes, bytes]],
    method: str = "GET",
    host: bytes = b"testserver",
) -> tuple[int, dict, bytes]:
    """Ask for a run's stream through the whole ASGI application; return status, headers, body."""
    scope = {
        "method": method,
        "path": f"/v1/runs/{run_id}/stream",
        "headers": [(b"host", host), *headers],
    }
    start, raw = await exchange(application, scope, b"")
    return start["status"], dict(start["headers"]), raw
