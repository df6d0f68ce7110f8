"""What every OpenAI route shares: errors and JSON in OpenAI's shape, its SSE framing.

OpenAI's SSE parsers (the SDKs' `_streaming`) read every event's `data` as JSON: the stream
has no `retry:` or `id:` lines (an `id:` would make a later heartbeat a JSON-less event),
only `data:` (and, for the Responses API, `event:`) lines and `:` comments.
"""

from __future__ import annotations

from typing import Any

from edge.errors import RequestRejected
from edge.sse import SSE_HEADERS, json_body
from edge.streams import SHUTDOWN_EVENT
from protocols.openai.errors import error_body, stream_error
from protocols.openai.models import StoredResponse
from protocols.openai.responses import ResponseEvents, ResponseShape
from protocols.openai.store import response_id
from runs.engine import RunEvent
from runs.models import Run


class OpenAIRendering:
    """A mixin for `RunEventsConsumer`s: OpenAI's errors, JSON bodies and stream framing."""

    session_id: str | None = None
    """The session the route ran in (sent as `X-Session-Id`, to bind the next request)."""

    async def reject(self, rejected: RequestRejected, **extra: Any) -> None:
        """Answer with OpenAI's error object (401s name the scheme, 429s say when to retry)."""
        headers = [
            (name.lower().encode(), value.encode()) for name, value in rejected.headers.items()
        ]
        if rejected.status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="api"'))
        await self.send_json(rejected.status, error_body(rejected), headers=headers)

    async def send_json(
        self,
        status: int,
        body: dict[str, Any],
        run_id: str | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Send a whole JSON response (with the run's and session's ids when there is a run)."""
        sent = [*(headers or []), *(self.run_headers(run_id) if run_id else [])]
        await super().send_json(status, body, sent)  # type: ignore[misc]

    def run_headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """Where the run is: its id, its session's id."""
        headers = [(b"x-run-id", run_id.encode())]
        if self.session_id:
            headers.append((b"x-session-id", self.session_id.encode()))
        return headers

    def stream_headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers with the run's and session's ids."""
        return [*SSE_HEADERS, *self.run_headers(run_id)]

    def stream_preamble(self) -> bytes:
        """Nothing: OpenAI's parsers would read a `retry:` line as an event without JSON."""
        return b""

    def render(self, events: list[RunEvent]) -> bytes:
        """The stream's bytes for a batch of run events (each route's)."""
        raise NotImplementedError

    async def write(self, events: list[RunEvent]) -> None:
        """Send the batch as the route renders it; the terminal event's batch ends the body."""
        await self.send_chunk(self.render(events), more_body=not events[-1].terminal)  # type: ignore[attr-defined]

    async def write_shutdown(self) -> None:
        """The server is stopping: OpenAI's error object, in the stream."""
        error = stream_error(SHUTDOWN_EVENT["code"], SHUTDOWN_EVENT["message"])
        await self.send_chunk(b"data: " + json_body(error) + b"\n\n")  # type: ignore[attr-defined]


class ResponseStreaming(OpenAIRendering):
    """The Responses API's stream: the run rendered from its start, sent after `starting_after`."""

    renderer: ResponseEvents
    starting_after = -1

    def render(self, events: list[RunEvent]) -> bytes:
        """The events of the batch numbered after `starting_after`."""
        return b"".join(
            frame_event(item)
            for event in events
            for item in self.renderer.render(event)
            if item["sequence_number"] > self.starting_after
        )

    async def write_shutdown(self) -> None:
        """An `error` event numbered as the last one sent: resuming after it loses nothing."""
        item = {"type": "error", "param": None, **SHUTDOWN_EVENT}
        item["sequence_number"] = max(self.renderer.sequence - 1, 0)
        await self.send_chunk(frame_event(item))  # type: ignore[attr-defined]


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
