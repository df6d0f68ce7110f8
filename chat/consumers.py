"""`POST /v1/chat/stream`: the SSE consumer that runs the pipeline for one request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from channels.db import aclose_old_connections
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings

from chat.edge import INTERNAL_ERROR, RequestEdge
from chat.requests import RequestRejected
from chat.runs import ChatRun, open_run
from chat.sse import HEARTBEAT, SSE_HEADERS, encode_event, json_body

logger = logging.getLogger(__name__)


class ChatStreamConsumer(AsyncHttpConsumer):
    """Stream one chat run as Server-Sent Events.

    The run goes in its own task, started from `http_request`, so that `http_disconnect`
    can cancel it while it streams (Channels reads the disconnect only between handlers).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no run and no events written."""
        super().__init__(*args, **kwargs)
        self.received_at: float | None = None
        self.task: asyncio.Task[None] | None = None
        self.response_done = False
        self.event_id = 0
        self.last_write = time.monotonic()
        self.edge: RequestEdge | None = None

    async def http_request(self, message: dict[str, Any]) -> None:
        """Check the request (chat.edge), collect the body, then start the response task."""
        self.received_at = self.received_at or time.perf_counter()
        if self.task is not None:
            return  # already answered with a rejection: the rest of the body is not kept
        self.edge = self.edge or RequestEdge(self.scope)
        outcome = await self.edge.receive(message)
        if isinstance(outcome, RequestRejected):
            self.task = asyncio.create_task(self.reject(outcome))
        elif outcome is not None:
            self.task = asyncio.create_task(self.respond(outcome))

    async def http_disconnect(self, message: dict[str, Any]) -> None:
        """Cancel a run still streaming (the client left); let after-work of a finished one end."""
        if self.task is not None:
            if not self.response_done:
                self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.edge is not None:
            await self.edge.release()
        await aclose_old_connections()
        raise StopConsumer()

    async def respond(self, body: bytes) -> None:
        """Check the request, then stream the run and do its after-work."""
        try:
            run = await self.start_run(body)
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except Exception:
            logger.exception("the stream request failed before its stream started")
            await self.reject(INTERNAL_ERROR)
            return
        await self.send_headers(status=200, headers=SSE_HEADERS)
        heartbeat = asyncio.create_task(self.heartbeat())
        try:
            async for event, data in run.events():
                await self.write(event, data)
        finally:
            heartbeat.cancel()
        await self.send_body(b"", more_body=False)
        self.response_done = True
        await run.finish()

    async def start_run(self, body: bytes) -> ChatRun:
        """Validate the body for the caller, take a stream slot and open the session."""
        assert self.edge is not None
        request = self.edge.chat_request(body)
        await self.edge.take_stream_slot()
        try:
            return await open_run(request, received_at=self.received_at or 0.0)
        except RequestRejected as rejected:
            raise self.edge.as_seen_by_caller(rejected, request.sessionId) from None

    async def reject(self, rejected: RequestRejected) -> None:
        """Answer with a JSON error instead of a stream (401s name the scheme)."""
        body = json_body({"detail": rejected.detail})
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        if rejected.status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="api"'))
        headers += [
            (name.lower().encode(), value.encode()) for name, value in rejected.headers.items()
        ]
        await self.send_headers(status=rejected.status, headers=headers)
        await self.send_body(body)
        self.response_done = True

    async def write(self, event: str, data: dict[str, Any]) -> None:
        """Send one event now (its own body chunk, so nothing buffers it)."""
        self.event_id += 1
        self.last_write = time.monotonic()
        await self.send_body(encode_event(self.event_id, event, data), more_body=True)

    async def heartbeat(self) -> None:
        """Send a comment after every SSE_HEARTBEAT_SECONDS of silence."""
        interval = settings.SSE_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(max(0.0, self.last_write + interval - time.monotonic()))
            if time.monotonic() - self.last_write >= interval:
                self.last_write = time.monotonic()
                await self.send_body(HEARTBEAT, more_body=True)
