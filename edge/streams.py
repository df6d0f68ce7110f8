"""The SSE consumer every run stream is built on: checks, run events copied to the socket.

A protocol's consumer subclasses `RunEventsConsumer`, parses its own request in `respond`,
admits or finds a run through the engine (runs.engine) and streams it with `stream_run`,
handing it the protocol's `WireFormat` (edge/wire.py): what the bytes are is the wire
format's; copying, heartbeats and ending the body are the same for every protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings

from accounts.callers import Caller
from edge.checks import admit_caller, decoded_headers
from edge.errors import RequestRejected
from edge.sse import json_body
from edge.wire import EVENTS_UNREADABLE, SHUTDOWN_EVENT, WireFormat
from runs.engine import (
    IDLE_SECONDS,
    Liveness,
    RunEvent,
    RunRuntime,
    get_runtime,
    without_superseded,
)
from telemetry.outages import count_redis_error, redis_unreachable

logger = logging.getLogger(__name__)


class RunEventsConsumer(AsyncHttpConsumer):
    """Base of the run streams: the response goes in its own task, copied from the buffer."""

    allowed_method = "GET"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no response task; `as_asgi(name=value)` sets class attributes.

        (Channels hands `as_asgi`'s keywords to `__init__` and drops them; Django's
        `as_view` sets them, and so do we, refusing a name the class does not have.)
        """
        super().__init__(*args)
        for name, value in kwargs.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r} to set")
            setattr(self, name, value)
        self.task: asyncio.Task[None] | None = None
        self.response_done = False
        self.last_write = time.monotonic()
        self.connections_checked = False
        self.preamble = b""
        """Bytes held back to go with the stream's first events (see `stream_run`)."""
        self.body_ended = False
        self.wire: WireFormat
        """How the run's stream is written (set by `stream_run`)."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, but the database connections are checked once per request.

        Channels runs `close_old_connections` (a thread hop) before every message's handler;
        Django does it when a request starts and ends. Once, at the first message, keeps the
        process's connections healthy (broken or past DB_CONN_MAX_AGE ones are replaced).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        if not self.connections_checked:
            self.connections_checked = True
            await aclose_old_connections()
        await handler(message)

    async def http_request(self, message: dict[str, Any]) -> None:
        """Collect the body; once complete, start the response task and keep listening."""
        self.body.append(message.get("body", b""))
        if not message.get("more_body"):
            self.task = asyncio.create_task(self.respond(b"".join(self.body)))

    async def http_disconnect(self, message: dict[str, Any]) -> None:
        """Stop copying events (the run itself goes on unless its policy says otherwise)."""
        await self.client_left()
        if self.task is not None:
            if not self.response_done:
                self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        raise StopConsumer()

    async def client_left(self) -> None:
        """React to the client leaving before the response ended (joins do nothing)."""

    async def respond(self, body: bytes) -> None:
        """Answer the request (subclasses)."""
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        """Return the request headers, names in lower case (checked UTF-8 by the edge)."""
        return decoded_headers(self.scope)

    async def authenticate(self) -> Caller:
        """Check method, header bytes, Host and credentials (edge.checks); return the caller."""
        return await admit_caller(self.scope, self.allowed_method)

    def query(self) -> dict[str, str]:
        """The query string's parameters (the last value of each)."""
        return {name: values[-1] for name, values in self.query_lists().items()}

    def query_lists(self) -> dict[str, list[str]]:
        """The query string's parameters, every value of each."""
        return parse_qs(self.scope.get("query_string", b"").decode(errors="replace"))

    async def reject(self, rejected: RequestRejected, **extra: Any) -> None:
        """Answer with a JSON error instead of a stream (401s name the scheme)."""
        headers = []
        if rejected.status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="api"'))
        headers += [
            (name.lower().encode(), value.encode()) for name, value in rejected.headers.items()
        ]
        await self.send_json(rejected.status, rejected.body() | extra, headers)

    async def send_json(
        self, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        """Answer with a whole JSON body (and `headers`); the response is done."""
        payload = json_body(body)
        sent = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(payload)),
            *(headers or []),
        ]
        await self.send_headers(status=status, headers=sent)
        await self.send_body(payload)
        self.response_done = True

    async def stream_run(
        self,
        run_id: str,
        after: int,
        wire: WireFormat,
        *,
        first_ready: bool = False,
        expired: bool = False,
    ) -> None:
        """Send the run's events after id `after` in `wire`'s format until its terminal event.

        `first_ready`: events after `after` are already readable (a run just admitted here),
        so the preamble goes in the same body as them instead of in a body of its own.
        The terminal event's body ends the response. Same bytes, fewer sends. `expired`: the
        run ended and its events are gone, so the stream ends at once.
        """
        runtime = await get_runtime()
        self.wire = wire
        await self.send_headers(status=200, headers=wire.headers(run_id))
        self.preamble = wire.preamble
        if not first_ready:
            await self.send_chunk(b"")
        self.last_write = time.monotonic()
        stream = asyncio.current_task()
        assert stream is not None
        runtime.streams.add(stream)
        try:
            if not expired:
                await self.copy_events(runtime, run_id, after)
        except asyncio.CancelledError:
            if not runtime.shutting_down or self.body_ended:
                raise
            await self.send_chunk(wire.stopped(SHUTDOWN_EVENT))
        except Exception as exc:
            if not redis_unreachable(exc) or self.body_ended:
                raise
            count_redis_error("read", exc)
            logger.warning("a stream of run %s stops: Redis does not answer (%s)", run_id, exc)
            await self.send_chunk(wire.stopped(EVENTS_UNREADABLE))
        finally:
            runtime.streams.discard(stream)
        if not self.body_ended:
            await self.send_chunk(b"", more_body=False)
        self.response_done = True

    async def send_chunk(self, chunk: bytes, *, more_body: bool = True) -> None:
        """Send a body chunk, after the bytes held back for the first one."""
        if self.preamble:
            chunk, self.preamble = self.preamble + chunk, b""
        self.body_ended = not more_body
        await self.send_body(chunk, more_body=more_body)

    async def copy_events(self, runtime: RunRuntime, run_id: str, after: int) -> None:
        """Copy events from the buffer's cursor; on idle ticks, heartbeat and check the run."""
        checks = Liveness(runtime, run_id)
        idle = min(settings.SSE_HEARTBEAT_SECONDS, IDLE_SECONDS)
        async for batch in runtime.buffer.read_batches(run_id, after, idle=idle):
            if runtime.ending_streams:
                # Shutdown cancelled this task, but a cancel that lands while it waits on a
                # thread (sync_to_async) is swallowed: asgiref lets the thread finish and
                # returns its result. Seen here, it ends the stream the same way.
                raise asyncio.CancelledError
            if batch is not None:
                await self.write(without_superseded(batch))
                continue
            if self.preamble:
                await self.send_chunk(b"")  # nothing was ready after all: send it now
            await self.heartbeat()
            if await checks.run_is_gone():
                return

    async def write(self, events: list[RunEvent]) -> None:
        """Send the events already readable now, as one body chunk (nothing waits for more).

        The chunk with the terminal event ends the response.
        """
        self.last_write = time.monotonic()
        await self.send_chunk(self.wire.render(events), more_body=not events[-1].terminal)

    async def heartbeat(self) -> None:
        """Send a comment when SSE_HEARTBEAT_SECONDS passed without a write."""
        if time.monotonic() - self.last_write >= settings.SSE_HEARTBEAT_SECONDS:
            self.last_write = time.monotonic()
            await self.send_chunk(self.wire.heartbeat)
