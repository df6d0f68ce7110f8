"""Server-Sent Events framing (no Django needed)."""

from __future__ import annotations

import json
from typing import Any

SSE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    # nginx and similar proxies otherwise hold events back until the response ends.
    (b"x-accel-buffering", b"no"),
]
HEARTBEAT = b": heartbeat\n\n"


def encode_event(event_id: int, event: str, data: dict[str, Any]) -> bytes:
    """Frame one event: `id`, `event`, one line of JSON `data`, and a blank line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {event_id}\nevent: {event}\ndata: {payload}\n\n".encode()


def json_body(data: Any) -> bytes:
    """Encode a JSON response body."""
    return json.dumps(data, ensure_ascii=False, default=str).encode()
