"""Progress events the agents write while they run, read by whoever streams the graph."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, ClassVar

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from opentelemetry import trace

from agents.state import RunContext, State
from agents.timing import ms_since
from llm.observe import current_span
from llm.usage import calls_so_far, tokens_since

tracer = trace.get_tracer("agents")
Node = Callable[[State, Runtime[RunContext]], Awaitable[dict[str, Any]]]


CUSTOM = "custom"


class EventType(StrEnum):
    """What a run's event says; its payload is in the comment (the agents write the middle four)."""

    RUN = "run"  # the run was admitted: {runId, sessionId, status: running|queued}
    CONTEXT = "context"  # what the agents are given: {budget, tokens, summary, turns, memories}
    AGENT = "agent"  # an agent started or finished: {name, status, durationMs?, …}
    TOOL_CALL_STARTED = "tool_call_started"  # {tool, args}
    TOOL_CALL_COMPLETED = "tool_call_completed"  # {tool, ok, latencyMs}
    TOKEN = "token"  # a piece of the answer: {text}
    DONE = "done"  # the answer, stored: {fullText, suggestions, timings, usage, messageId, …}
    ERROR = "error"  # the run ended without an answer: {code, message}
    INTERRUPTED = "interrupted"  # the run paused for a person: {next, interrupts, checkpoint}
    RESUMED = "resumed"  # another attempt took the run over: {attempt, reason, supersedes, …}


class EventSink:
    """A run's stream items in arrival order, for the one task that reads them (same loop)."""

    END: ClassVar[object] = object()
    """The mode of the last item: its chunk is None, or the exception that ended the run."""

    def __init__(self) -> None:
        """Start empty, on the running loop."""
        self.items: deque[tuple[Any, Any]] = deque()
        self.ready = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()

    def put(self, mode: Any, chunk: Any) -> None:
        """Add one item and wake the reader (from another thread: through the loop)."""
        if threading.get_ident() != self.thread:
            self.loop.call_soon_threadsafe(self.put, mode, chunk)
            return
        self.items.append((mode, chunk))
        self.ready.set()

    def drain(self) -> list[tuple[Any, Any]]:
        """Take every item there is."""
        items, self.items = list(self.items), deque()
        self.ready.clear()
        return items

    async def wait(self) -> None:
        """Wait until there is an item."""
        if not self.items:
            await self.ready.wait()


current_sink: contextvars.ContextVar[EventSink | None] = contextvars.ContextVar(
    "current_sink", default=None
)
"""The sink of the run streaming in this context (agents.streaming), if any."""


def emit(event: EventType, **data: Any) -> None:
    """Write one event (`agent`, `tool_call_started`, `token`, ...) to the run's stream."""
    payload = {"event": event, "data": data}
    sink = current_sink.get()
    if sink is not None:
        sink.put(CUSTOM, payload)
    else:  # streamed with LangGraph's own `custom` mode
        get_stream_writer()(payload)


def agent_node(name: str) -> Callable[[Node], Node]:
    """Wrap a node so that it announces its start and end and records its duration."""

    def decorate(node: Node) -> Node:
        @functools.wraps(node)
        async def timed(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
            emit(EventType.AGENT, name=name, status="started")
            started, calls_before = time.perf_counter(), calls_so_far()
            span_name, attributes = f"invoke_agent {name}", agent_attributes(name, runtime.context)
            with current_span(tracer, span_name, attributes):
                update = await node(state, runtime)
            elapsed_ms = ms_since(started)
            tokens = tokens_since(calls_before)
            decided = public_output(update)
            emit(
                EventType.AGENT,
                name=name,
                status="completed",
                durationMs=elapsed_ms,
                inputTokens=tokens["input_tokens"],
                outputTokens=tokens["output_tokens"],
                **({"output": decided} if decided else {}),
            )
            return {**update, "timings": {name: elapsed_ms}, "passes": [name]}

        return timed

    return decorate


def public_output(update: dict[str, Any]) -> dict[str, Any]:
    """What an agent decided that no other event says: the plan, the critic's verdict.

    The worker's tool calls have events of their own, and the answer and suggestions come
    with `done`. Kept small: a run's events stay in the replay buffer for RUN_REPLAY_SECONDS.
    """
    output: dict[str, Any] = {}
    if (plan := update.get("plan")) is not None:
        output["plan"] = [
            {
                "id": task.id,
                "description": task.description,
                "tools": [request.tool for request in task.data_plan],
            }
            for task in plan.subtasks
        ]
    if (verdict := update.get("verdict")) is not None:
        output["verdict"] = {
            "ok": verdict.ok,
            "issues": verdict.issues,
            "retrySubtasks": verdict.retry_subtasks,
        }
        output["retry"] = bool(update.get("send_back"))
    return output


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
