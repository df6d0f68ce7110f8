"""What every OpenAI route shares: errors and JSON in OpenAI's shape; the Responses stream.

OpenAI's SSE parsers (the SDKs' `_streaming`) read every event's `data` as JSON: the stream
has no `retry:` or `id:` lines (an `id:` would make a later heartbeat a JSON-less event),
only `data:` (and, for the Responses API, `event:`) lines and `:` comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edge.errors import RequestRejected
from edge.sse import SSE_HEADERS, json_body
from edge.streams import RunEventsConsumer
from edge.wire import StreamStop, WireFormat
from protocols.openai.errors import error_body
from protocols.openai.models import StoredResponse
from protocols.openai.responses import ResponseEvents, ResponseShape
from protocols.openai.store import response_id
from runs.engine import RunEvent
from runs.models import Run


def run_headers(run_id: str, session_id: str | None) -> list[tuple[bytes, bytes]]:
    """Where the run is: its id, its session's id (what binds the client's next request)."""
    headers = [(b"x-run-id", run_id.encode())]
    if session_id:
        headers.append((b"x-session-id", session_id.encode()))
    return headers


class OpenAIConsumer(RunEventsConsumer):
    """A consumer whose refusals and JSON bodies are OpenAI's (its streams' are wire formats)."""

    session_id: str | None = None
    """The session the route ran in (sent as `X-Session-Id`, to bind the next request)."""

    async def reject(self, rejected: RequestRejected, **extra: Any) -> None:
        """Answer with OpenAI's error object (401s name the scheme, 429s say when to retry)."""
        headers = [
            (name.lower().encode(), value.encode()) for name, value in rejected.headers.items()
        ]
        if rejected.status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="api"'))
        await self.send_json(rejected.status, error_body(rejected), headers)

    async def send_run_json(self, status: int, body: dict[str, Any], run_id: str) -> None:
        """Send a whole JSON response about a run, with the run's and session's ids."""
        await self.send_json(status, body, run_headers(run_id, self.session_id))


class ResponseStream(WireFormat):
    """The Responses API's stream: the run rendered from its start, sent after `starting_after`."""

    def __init__(self, events: ResponseEvents, session_id: str, starting_after: int = -1) -> None:
        """Render with `events` (numbered from 0); send what comes after `starting_after`."""
        self.events = events
        self.session_id = session_id
        self.starting_after = starting_after

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers with the run's and session's ids."""
        return [*SSE_HEADERS, *run_headers(run_id, self.session_id)]

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The events of the batch numbered after `starting_after`."""
        return b"".join(
            frame_event(item)
            for event in events
            for item in self.events.render(event)
            if item["sequence_number"] > self.starting_after
        )

    def stopped(self, reason: StreamStop) -> bytes:
        """An `error` event numbered as the last one sent: resuming after it loses nothing."""
        item = {"type": "error", "param": None, **reason}
        item["sequence_number"] = max(self.events.sequence - 1, 0)
        return frame_event(item)


def frame_event(item: dict[str, Any]) -> bytes:
    """One Responses API stream event: `event:` its type, `data:` the event."""
    return b"event: " + item["type"].encode() + b"\ndata: " + json_body(item) + b"\n\n"


def response_shape(stored: StoredResponse, run: Run) -> ResponseShape:
    """What the response says of itself, from its row and its run."""
    return ResponseShape(
        response_id=response_id(run.pk),
        created_at=int(run.created_at.timestamp()),
        model=stored.model,
        instructions=stored.instructions,
        metadata=stored.metadata,
        previous_response_id=stored.previous_response_id,
        background=stored.background,
    )
