"""A bare SSE endpoint for the benchmark's baseline: daphne and framing, no pipeline, no database.

Serve it with `daphne bench.common.bare_sse:application` from the project root. Any POST gets a
stream shaped like a chat run's: `BARE_SSE_EVENTS` events in all, of which `BARE_SSE_TOKENS`
are `token` events, then `done`. `GET /health` answers 200 so launchers can wait for it.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

EVENTS = int(os.environ.get("BARE_SSE_EVENTS", "20"))
TOKENS = int(os.environ.get("BARE_SSE_TOKENS", "8"))
SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


def frame(event_id: int, event: str, data: dict[str, Any]) -> bytes:
    """Frame one event the way the chat stream does."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event}\ndata: {payload}\n\n".encode()


def run_events() -> list[tuple[str, dict[str, Any]]]:
    """The events of one fake run: agent events, then tokens, then `done`."""
    tokens = max(0, min(TOKENS, EVENTS - 1))
    agents = [("agent", {"name": "planner", "status": "started"})] * (EVENTS - 1 - tokens)
    words = [("token", {"text": f"word{n} "}) for n in range(tokens)]
    done = {"fullText": "", "suggestions": ["a", "b", "c"], "timings": {}}
    return [*agents, *words, ("done", done)]


async def read_body(receive: Receive) -> bytes:
    """Read the whole request body."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def application(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """Serve /health with 200 and every POST with a stream of EVENTS events."""
    if scope["type"] != "http":
        return
    await read_body(receive)
    if scope["method"] != "POST":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS})
    for event_id, (event, data) in enumerate(run_events(), start=1):
        body = frame(event_id, event, data)
        await send({"type": "http.response.body", "body": body, "more_body": True})
        await asyncio.sleep(0)  # yield between events, as a streaming generator does
    await send({"type": "http.response.body", "body": b"", "more_body": False})
