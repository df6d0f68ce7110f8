"""Runs driven through the protocols' official Python clients, timed as `bench.common.load`'s.

- `langgraph-sdk`: create a thread, then `runs.stream(thread, "orchestrator", input=…,
  stream_mode=["values", "messages-tuple"])` to its end, as an SDK user (and `useStream`) does.
  The time to first token and the total count from before the thread is created.
- `openai`: `chat.completions.create(stream=True)` to its end.

One client per API key (each with its own connection pool), used round robin as the keys are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import openai
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from bench.common.load import LevelRun, StreamResult, fresh_bodies, run_stream

ASSISTANT = "orchestrator"
STREAM_MODE = ["values", "messages-tuple"]
TIMEOUT = httpx.Timeout(connect=10, read=300, write=60, pool=300)


def langgraph_clients(url: str, keys: list[str | None]) -> list[LangGraphClient]:
    """One SDK client per key (None: a server without authentication)."""
    return [get_client(url=url, api_key=key, timeout=TIMEOUT) for key in keys]


def openai_clients(url: str, keys: list[str | None]) -> list[openai.AsyncOpenAI]:
    """One OpenAI client per key."""
    return [openai.AsyncOpenAI(base_url=url, api_key=key or "none", max_retries=0) for key in keys]


def langgraph_input(prompt: str) -> dict[str, object]:
    """The run's input: one user message, as `useStream().submit` sends it."""
    return {"messages": [{"type": "human", "content": prompt}]}


async def timed(read: Callable[[StreamResult, float], Awaitable[None]]) -> StreamResult:
    """Run one stream with `read(result, started)`; its end's time, or what failed.

    A stream that ends without a token counts as failed: the run did not answer.
    """
    result = StreamResult()
    started = time.perf_counter()
    try:
        await read(result, started)
        result.total_ms = (time.perf_counter() - started) * 1000
    except Exception as exc:  # each SDK raises httpx's errors and its own
        result.error = f"{type(exc).__name__}: {exc}"
    if result.error is None and not result.tokens:
        result.error = "stream ended without an answer"
    return result


async def langgraph_run(client: LangGraphClient, prompt: str) -> StreamResult:
    """Create a thread and stream one run on it to its end."""

    async def read(result: StreamResult, started: float) -> None:
        thread = await client.threads.create()
        parts = client.runs.stream(
            thread["thread_id"], ASSISTANT, input=langgraph_input(prompt), stream_mode=STREAM_MODE
        )
        async for part in parts:
            result.events += 1
            if part.event == "error":
                result.error = f"error event: {part.data}"
            elif part.event == "messages" and part.data and part.data[0].get("content"):
                result.token(started)

    return await timed(read)


async def openai_run(client: openai.AsyncOpenAI, prompt: str) -> StreamResult:
    """Stream one chat completion to its end."""

    async def read(result: StreamResult, started: float) -> None:
        messages = [{"role": "user", "content": prompt}]
        stream = await client.chat.completions.create(
            model=ASSISTANT, messages=messages, stream=True
        )
        async for chunk in stream:
            result.events += 1
            if chunk.choices and chunk.choices[0].delta.content:
                result.token(started)

    return await timed(read)


async def responses_run(client: openai.AsyncOpenAI, prompt: str) -> StreamResult:
    """Stream one response (`responses.create(stream=True)`) to its end."""

    async def read(result: StreamResult, started: float) -> None:
        stream = await client.responses.create(model=ASSISTANT, input=prompt, stream=True)
        async for event in stream:
            result.events += 1
            if event.type == "response.output_text.delta" and event.delta:
                result.token(started)
            elif event.type in ("response.failed", "error"):
                result.error = event.type

    return await timed(read)


async def close(clients: list) -> None:
    """Close each client's connections (before its event loop ends)."""
    for client in clients:
        if isinstance(client, LangGraphClient):
            await client.aclose()
        elif isinstance(client, openai.AsyncOpenAI):
            await client.close()
        elif isinstance(client, NativeClient):
            await client.http.aclose()


async def drive(
    clients: list,
    run: Callable[[object, str], Awaitable[StreamResult]],
    prompt: str,
    *,
    count: int,
    concurrency: int,
) -> LevelRun:
    """Run `count` runs with at most `concurrency` in flight, clients round robin."""
    slots = asyncio.Semaphore(concurrency)

    async def one(n: int) -> StreamResult:
        async with slots:
            return await run(clients[n % len(clients)], prompt)

    level = LevelRun(concurrency)
    started, started_cpu = time.perf_counter(), time.process_time()
    level.results = await asyncio.gather(*(one(n) for n in range(count)))
    level.seconds = time.perf_counter() - started
    level.client_cpu_seconds = time.process_time() - started_cpu
    return level


@dataclass
class NativeClient:
    """The native stream's client (`operations.client`, the project's own) for one key."""

    http: httpx.AsyncClient
    url: str
    key: str


def native_clients(url: str, keys: list[str | None]) -> list[NativeClient]:
    """One native client per key, sharing one connection pool."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    http = httpx.AsyncClient(limits=limits, timeout=TIMEOUT)
    return [NativeClient(http, url, key or "") for key in keys]


async def native_run(client: NativeClient, prompt: str) -> StreamResult:
    """One chat on `POST /v1/chat/stream`, in a new session, to its `done`."""
    body = fresh_bodies(prompt, 1)[0]
    return await run_stream(client.http, client.url, client.key, body)


async def create_threads(clients: list[LangGraphClient], count: int, concurrency: int) -> list[str]:
    """Create `count` threads, `concurrency` at a time; why those that failed failed."""
    return await requests(count, concurrency, lambda n: clients[n % len(clients)].threads.create())


async def requests(
    count: int, concurrency: int, send: Callable[[int], Awaitable[object]]
) -> list[str]:
    """Send `count` requests (`send(n)`), `concurrency` at a time; the failures' reasons."""
    slots = asyncio.Semaphore(concurrency)

    async def one(n: int) -> str | None:
        async with slots:
            try:
                await send(n)
            except Exception as exc:  # the SDK raises httpx's errors and its own
                return f"{type(exc).__name__}: {exc}"
            return None

    return [reason for reason in await asyncio.gather(*map(one, range(count))) if reason]


async def finished_runs(clients: list[LangGraphClient]) -> list[tuple[str, str]]:
    """A finished run (thread id, run id) for each of the first eight clients.

    Each is streamed as `langgraph_run` streams one (its id from the `metadata` part), so it
    is stored as the runs the SDK reads after their streams are.
    """
    runs = []
    for client in clients[:8]:
        thread = await client.threads.create()
        parts = client.runs.stream(
            thread["thread_id"], ASSISTANT, input=langgraph_input("Hi"), stream_mode=STREAM_MODE
        )
        run_id = [part.data["run_id"] async for part in parts if part.event == "metadata"][0]
        runs.append((thread["thread_id"], run_id))
    return runs


async def read_runs(
    clients: list[LangGraphClient], runs: list[tuple[str, str]], count: int, concurrency: int
) -> list[str]:
    """Read the runs `count` times in turn, `concurrency` at a time; the failures' reasons.

    `runs.get` is what the SDK asks after each stream; each run is read by its own client.
    """
    return await requests(
        count, concurrency, lambda n: clients[n % len(runs)].runs.get(*runs[n % len(runs)])
    )
