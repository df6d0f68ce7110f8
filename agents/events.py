"""Progress events the agents write while they run, read by whoever streams the graph."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from agents.state import RunContext, State
from agents.timing import ms_since

Node = Callable[[State, Runtime[RunContext]], Awaitable[dict[str, Any]]]


def emit(event: str, **data: Any) -> None:
    """Write one event (`agent`, `tool_call_started`, `token`, ...) to the run's stream."""
    get_stream_writer()({"event": event, "data": data})


def agent_node(name: str) -> Callable[[Node], Node]:
    """Wrap a node so that it announces its start and end and records its duration."""

    def decorate(node: Node) -> Node:
        @functools.wraps(node)
        async def timed(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
            emit("agent", name=name, status="started")
            started = time.perf_counter()
            update = await node(state, runtime)
            elapsed_ms = ms_since(started)
            emit("agent", name=name, status="completed", durationMs=elapsed_ms)
            return {**update, "timings": {name: elapsed_ms}}

        return timed

    return decorate
