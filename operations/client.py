"""A client for the chat stream: over HTTP (any server) or in-process (this process's engine).

Used by the management commands, the benchmark and the end-to-end tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class StreamEvent:
    """One received Server-Sent Event, with when it arrived (perf_counter seconds)."""

    event: str
    data: dict[str, Any]
    id: int | None = None
    received_at: float = field(default_factory=time.perf_counter)


class StreamRejected(Exception):
    """The server answered with an error status instead of a stream."""

    def __init__(self, status: int, detail: Any) -> None:
        """Keep the status code and the JSON detail."""
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class SSEParser:
    """Incremental parser of an SSE byte stream (comments such as heartbeats are skipped)."""

    def __init__(self) -> None:
        """Start with an empty buffer."""
        self.buffer = ""
        self.comments = 0

    def feed(self, text: str) -> list[StreamEvent]:
        """Add received text; return the events it completed."""
        self.buffer += text.replace("\r\n", "\n")
        *blocks, self.buffer = self.buffer.split("\n\n")
        return [event for block in blocks if (event := self.parse_block(block))]

    def parse_block(self, block: str) -> StreamEvent | None:
        """Parse one event block."""
        fields: dict[str, list[str]] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
        if "data" not in fields:
            return None
        event_id = fields.get("id", [None])[0]
        return StreamEvent(
            event=fields.get("event", ["message"])[0],
            data=json.loads("\n".join(fields["data"])),
            id=int(event_id) if event_id else None,
        )


def chat_body(session_id: str, user_id: str, prompt: str, **options: Any) -> dict[str, Any]:
    """The JSON body of a chat request (`options`: more fields, e.g. `approveWrites`)."""
    return {"sessionId": session_id, "userId": user_id, "prompt": prompt, **options}


async def stream_chat_http(
    base_url: str,
    token: str,
    body: dict[str, Any],
    *,
    client: httpx.AsyncClient | None = None,
    timeout: float = 120.0,
) -> AsyncIterator[StreamEvent]:
    """POST a chat request to a server and yield its events as they arrive.

    Raises:
        StreamRejected: when the server answers with an error status.
    """
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    url = f"{base_url.rstrip('/')}/v1/chat/stream"
    async for event in _stream_events("POST", url, headers, body, client, timeout):
        yield event


async def stream_run_http(
    base_url: str,
    token: str,
    run_id: str,
    *,
    last_event_id: int | None = None,
    client: httpx.AsyncClient | None = None,
    timeout: float = 120.0,
) -> AsyncIterator[StreamEvent]:
    """Join a run's stream (`GET /v1/runs/{runId}/stream`), resuming after `last_event_id`.

    Raises:
        StreamRejected: when the server answers with an error status (404, 410, …).
    """
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    url = f"{base_url.rstrip('/')}/v1/runs/{run_id}/stream"
    async for event in _stream_events("GET", url, headers, None, client, timeout):
        yield event


async def _stream_events(
    method: str,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    client: httpx.AsyncClient | None,
    timeout: float,
) -> AsyncIterator[StreamEvent]:
    """Send one request and yield the SSE events of its answer; raise StreamRejected on 4xx."""
    owned = client is None
    client = client or httpx.AsyncClient(timeout=timeout)
    try:
        async with client.stream(method, url, json=body, headers=headers) as response:
            if response.status_code != 200:
                detail = (await response.aread()).decode(errors="replace")
                raise StreamRejected(response.status_code, _json_or_text(detail))
            parser = SSEParser()
            async for text in response.aiter_text():
                for event in parser.feed(text):
                    yield event
    finally:
        if owned:
            await client.aclose()


async def stream_chat_in_process(body: dict[str, Any]) -> AsyncIterator[StreamEvent]:
    """Run a chat through this process's run engine (no server) and yield the same events.

    The same path as the server's: the body is validated as the stream's, the run is
    admitted (a `Run` row, the session's lock, its multitask strategy), and the events are
    read from the run's buffer. Returns once the run's after-work (the summary) is done and
    the run is in the rollups.

    Raises:
        StreamRejected: for the same reasons the server would refuse the request.
    """
    from asgiref.sync import sync_to_async

    from accounts.callers import SERVICE
    from edge.errors import RequestRejected
    from edge.resumes import checked_resume
    from protocols.native.requests import bind_to_caller, parse_chat_request
    from runs import engine
    from telemetry.rollups import flush_rollups

    try:
        chat = parse_chat_request(json.dumps(body).encode())
        request = bind_to_caller(chat, SERVICE).to_run_request()
        if request.resume is not None:
            await checked_resume(request.session_id, request.resume)
        run = await engine.admit(request, received_at=time.perf_counter())
    except RequestRejected as rejected:
        raise StreamRejected(rejected.status, rejected.detail) from None
    except engine.SessionForbidden as forbidden:
        raise StreamRejected(403, str(forbidden)) from None
    except engine.RunConflict as conflict:
        raise StreamRejected(
            409, f"The session has an active run ({conflict.active_run_id})"
        ) from None
    async for batch in engine.read_events(run.run.pk, 0):
        for event in batch or ():
            yield StreamEvent(event.event, event.data, event.id)
    if run.task is not None:
        await run.task
    await sync_to_async(flush_rollups)()  # a command may end next: its runs count now


def _json_or_text(text: str) -> Any:
    """Decode a JSON error detail, falling back to the raw text."""
    try:
        return json.loads(text).get("detail", text)
    except (json.JSONDecodeError, AttributeError):
        return text
