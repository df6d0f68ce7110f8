"""Each protocol of this service through its official client, as a load on one server.

A `Protocol` knows how to drive `count` runs at `concurrency` in flight against a server and
returns the streams as the client saw them: the Python clients in this process
(`bench.peers.sdk_load`), the JS ones (`ai`, `@ag-ui/client`) in a node process
(tests/js/bench_clients.mjs), pinned where this process is.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.common.load import LevelRun, StreamResult
from bench.peers import sdk_load
from harness.live_server import ROOT

JS_CLIENTS = ROOT / "tests" / "js" / "bench_clients.mjs"

Drive = Callable[[str, list[str | None], str, int, int], Awaitable[LevelRun]]
"""(base URL, keys, prompt, count, concurrency) → the level's streams."""


@dataclass(frozen=True)
class Protocol:
    """A protocol as a load: its name in the tables and how to drive it."""

    name: str
    drive: Drive


def python_protocol(name: str, path: str, make: Callable, run: Callable) -> Protocol:
    """A protocol driven by a Python client: `make(url + path, keys)` builds its clients."""

    async def drive(url: str, keys: list[str | None], prompt: str, count: int, conc: int):
        clients = make(url + path, keys)
        try:
            return await sdk_load.drive(clients, run, prompt, count=count, concurrency=conc)
        finally:
            await sdk_load.close(clients)

    return Protocol(name, drive)


def js_protocol(name: str, which: str) -> Protocol:
    """A protocol driven by its JS client in node (tests/js/bench_clients.mjs)."""

    async def drive(url: str, keys: list[str | None], prompt: str, count: int, conc: int):
        started, started_cpu = time.perf_counter(), _children_cpu()
        process = await asyncio.create_subprocess_exec(
            "node", str(JS_CLIENTS), which, url, str(count), str(conc), prompt,
            ",".join(key or "" for key in keys),
            cwd=JS_CLIENTS.parent, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await process.communicate()
        level = LevelRun(conc)
        level.seconds = time.perf_counter() - started
        level.client_cpu_seconds = _children_cpu() - started_cpu
        if process.returncode:
            level.results = [StreamResult(error=f"node exited {process.returncode}")] * count
        else:
            level.results = [StreamResult(**result) for result in json.loads(out)]
        return level

    return Protocol(name, drive)


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def langgraph_protocol(path: str = "/langgraph") -> Protocol:
    """A thread, then `runs.stream` with values and messages-tuple, at `path` of a server."""
    return python_protocol(
        "LangGraph (langgraph-sdk)", path, sdk_load.langgraph_clients, sdk_load.langgraph_run
    )


LANGGRAPH = langgraph_protocol()
NATIVE = python_protocol("native stream", "", sdk_load.native_clients, sdk_load.native_run)
PROTOCOLS = [
    NATIVE,
    LANGGRAPH,
    python_protocol(
        "OpenAI chat completions (openai)",
        "/openai/v1",
        sdk_load.openai_clients,
        sdk_load.openai_run,
    ),
    python_protocol(
        "OpenAI Responses (openai)", "/openai/v1", sdk_load.openai_clients, sdk_load.responses_run
    ),
    js_protocol("AI SDK UI stream (ai)", "ai-sdk"),
    js_protocol("AG-UI (@ag-ui/client)", "ag-ui"),
]
"""Every protocol of this service, the native stream first (the others' reference)."""
