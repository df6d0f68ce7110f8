"""Progress events the agents write while they run, read by whoever streams the graph."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from opentelemetry import trace

from agents.state import RunContext, State

tracer = trace.get_tracer("agents")
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
            with tracer.start_as_current_span(
                f"invoke_agent {name}", attributes=agent_attributes(name, runtime.context)
            ):
                update = await node(state, runtime)
            elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
            emit("agent", name=name, status="completed", durationMs=elapsed_ms)
            return {**update, "timings": {name: elapsed_ms}}

        return timed

    return decorate


def agent_attributes(name: str, context: RunContext) -> dict[str, str]:
    """The GenAI attributes of an agent's span."""
    provider = context.provider
    attributes = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": name,
        "gen_ai.provider.name": provider.name,
        "gen_ai.conversation.id": context.tools.session_id,
    }
    model = getattr(provider, "model", None)
    if isinstance(model, str):
        attributes["gen_ai.request.model"] = model
    return attributes
