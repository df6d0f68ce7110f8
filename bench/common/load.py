"""Client side of the benchmark: drive chat streams with a fixed number in flight, time them."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from operations.client import StreamRejected, chat_body, stream_chat_http


@dataclass
class StreamResult:
    """One stream as the client saw it; times in ms from just before the request was sent."""

    ttft_ms: float | None = None
    """When the first `token` event arrived."""
    total_ms: float | None = None
    """When the `done` event arrived."""
    events: int = 0
    tokens: int = 0
    error: str | None = None

    def token(self, started: float) -> None:
        """Count a token; the first one's time (from `started`) is the time to first token."""
        self.tokens += 1
        if self.ttft_ms is None:
            self.ttft_ms = (time.perf_counter() - started) * 1000


@dataclass
class LevelRun:
    """All streams of one concurrency level and how long the level took."""

    concurrency: int
    results: list[StreamResult] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    """CPU this (client) process used meanwhile: it shares the machine with the server."""

    @property
    def ok(self) -> list[StreamResult]:
        """The streams that ended with `done`."""
        return [result for result in self.results if result.error is None]

    @property
    def errors(self) -> int:
        """How many streams failed."""
        return len(self.results) - len(self.ok)


def percentile(values: list[float], pct: float) -> float | None:
    """Return the nearest-rank percentile of `values` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def fresh_bodies(prompt: str, count: int, *, user_ids: bool = False) -> list[dict[str, str]]:
    """`count` chat requests, each in a new session, so each does the same work.

    Without `user_ids` the bodies name no user (a user key is its user); with it each names a
    new user (for the service key).
    """
    tags = [uuid.uuid4().hex for _ in range(count)]
    bodies = [chat_body(f"bench-{tag}", f"bench-user-{tag[:12]}", prompt) for tag in tags]
    if not user_ids:
        for body in bodies:
            del body["userId"]
    return bodies


async def run_stream(
    client: httpx.AsyncClient, url: str, token: str, body: dict[str, str]
) -> StreamResult:
    """Run one chat stream to its end and time its first token and its `done`."""
    result = StreamResult()
    started = time.perf_counter()
    try:
        async for event in stream_chat_http(url, token, body, client=client):
            result.events += 1
            elapsed_ms = (event.received_at - started) * 1000
            if event.event == "token":
                result.tokens += 1
                result.ttft_ms = elapsed_ms if result.ttft_ms is None else result.ttft_ms
            elif event.event == "done":
                result.total_ms = elapsed_ms
            elif event.event == "error":
                result.error = f"error event {event.data.get('code')}: {event.data.get('message')}"
    except StreamRejected as rejected:
        result.error = f"rejected: {rejected}"
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    if result.error is None and result.total_ms is None:
        result.error = "stream ended without a done event"
    return result


Runner = Callable[[httpx.AsyncClient, str, str, dict[str, str]], Awaitable[StreamResult]]
"""Runs one stream of a body against a server URL with a token."""


async def run_level(
    client: httpx.AsyncClient,
    url: str,
    bodies: list[dict[str, str]],
    *,
    token: str | list[str],
    concurrency: int,
    runner: Runner | None = None,
) -> LevelRun:
    """Send one stream per body, with at most `concurrency` of them in flight at once.

    With a list of tokens, the n-th body is sent with the n-th token (round robin). `runner`
    runs one stream (default: the native chat stream, `run_stream`).
    """
    runner = runner or run_stream
    slots = asyncio.Semaphore(concurrency)
    tokens = [token] if isinstance(token, str) else token

    async def one(n: int, body: dict[str, str]) -> StreamResult:
        async with slots:
            return await runner(client, url, tokens[n % len(tokens)], body)

    level = LevelRun(concurrency)
    started, started_cpu = time.perf_counter(), time.process_time()
    level.results = await asyncio.gather(*(one(n, body) for n, body in enumerate(bodies)))
    level.seconds = time.perf_counter() - started
    level.client_cpu_seconds = time.process_time() - started_cpu
    return level


def shared_client(concurrency: int) -> httpx.AsyncClient:
    """One HTTP client for all streams, with a connection for every stream in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120.0))
