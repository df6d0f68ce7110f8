"""Server-Sent Events framing (no Django needed)."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

SSE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    # nginx and similar proxies otherwise hold events back until the response ends.
    (b"x-accel-buffering", b"no"),
]
HEARTBEAT = b": heartbeat\n\n"


def compact_encoder() -> Callable[[Any], str]:
    """`json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)`, made once.

    `json.dumps` with options builds a JSONEncoder, and its `encode` a C encoder, per call;
    this builds the C encoder once (same bytes; without the circular-reference check, which
    events built by the run never need).
    """
    make = json.encoder.c_make_encoder
    if make is None:  # no C accelerator: the pure-Python encoder, built once
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    encode = make(None, str, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda data: "".join(encode(data, 0))


_encode_data = compact_encoder()
_encode_body = json.JSONEncoder(ensure_ascii=False, default=str).encode


def encode_event(event_id: int, event: str, data: dict[str, Any]) -> bytes:
    """Frame one event: `id`, `event`, one line of JSON `data`, and a blank line."""
    return f"id: {event_id}\nevent: {event}\ndata: {_encode_data(data)}\n\n".encode()


def json_body(data: Any) -> bytes:
    """Encode a JSON response body."""
    return _encode_body(data).encode()
