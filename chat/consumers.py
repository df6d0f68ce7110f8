"""`POST /v1/chat/stream`: the SSE consumer that runs the pipeline for one request."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from channels.db import aclose_old_connections
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings

from chat.auth import is_valid_token, token_from_headers
from chat.requests import RequestRejected
from chat.runs import ChatRun, open_run
from chat.sse import HEARTBEAT, SSE_HEADERS, encode_event, json_body


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

    async def http_request(self, message: dict[str, Any]) -> None:
        """Collect the body; once complete, start the response task and keep listening."""
        self.received_at = self.received_at or time.perf_counter()
        self.body.append(message.get("body", b""))
        if not message.get("more_body"):
            self.task = asyncio.create_task(self.respond(b"".join(self.body)))

    async def http_disconnect(self, message: dict[str, Any]) -> None:
        """Cancel a run still streaming (the client left); let after-work of a finished one end."""
        if self.task is not None:
            if not self.response_done:
                self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await aclose_old_connections()
        raise StopConsumer()

    async def respond(self, body: bytes) -> None:
        """Check the request, then stream the run and do its after-work."""
        try:
            run = await self.start_run(body)
        except RequestRejected as rejected:
            await self.reject(rejected.status, rejected.detail)
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
        """Authenticate, validate and open the session; raise RequestRejected otherwise."""
        if self.scope["method"] != "POST":
            raise RequestRejected(405, "Method not allowed: use POST")
        headers = {name.decode().lower(): value.decode() for name, value in self.scope["headers"]}
        if not is_valid_token(token_from_headers(headers)):
            raise RequestRejected(401, "Unauthorized")
        return await open_run(body, received_at=self.received_at or 0.0)

    async def reject(self, status: int, detail: Any) -> None:
        """Answer with a JSON error instead of a stream."""
        headers = [(b"content-type", b"application/json")]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        if status == 405:
            headers.append((b"allow", b"POST"))
        await self.send_headers(status=status, headers=headers)
        await self.send_body(json_body({"detail": detail}))
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
