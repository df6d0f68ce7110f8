"""The chat stream's wire format: the original's SSE, `id`/`event`/`data` per run event."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from edge.sse import SSE_HEADERS, encode_event, json_body
from edge.wire import StreamStop, WireFormat
from runs.engine import EventType, RunEvent


class ChatEvents(WireFormat):
    """Every run event as itself; `retry:` first, for EventSource clients."""

    def __init__(self) -> None:
        """The reconnection delay goes first (SSE_RETRY_MS)."""
        self.preamble = f"retry: {settings.SSE_RETRY_MS}\n\n".encode()

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers, `X-Run-Id`, `Content-Location` (the run) and `Location` (its stream)."""
        return [
            *SSE_HEADERS,
            (b"x-run-id", run_id.encode()),
            (b"content-location", f"/v1/runs/{run_id}".encode()),
            (b"location", f"/v1/runs/{run_id}/stream".encode()),
        ]

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The events with their ids (what `Last-Event-ID` resumes after)."""
        return b"".join(encode_event(event.id, event.event, event.data) for event in events)

    def stopped(self, reason: StreamStop) -> bytes:
        """`error` (server_shutdown, redis_unavailable) without an id: a resume continues."""
        return f"event: {EventType.ERROR}\ndata: {json_body(reason).decode()}\n\n".encode()
