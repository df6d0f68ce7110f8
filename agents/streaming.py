"""Stream a graph run with the agents' events handed over on the same event loop.

LangGraph's `custom` stream mode hands each event from a node to the reader through
`loop.call_soon_threadsafe` (a self-pipe write and a wake-up per event) even though the nodes
run on the reader's loop. Here the events go into an `EventSink` that the run's tasks see
through a context variable; LangGraph streams only the other modes, and its chunks join the
same sink. The reader gets the same `(mode, chunk)` pairs as from `astream`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from agents.events import CUSTOM, EventSink, current_sink


class EventStreamingGraph:
    """A compiled graph whose `astream` carries `custom` events without the cross-thread hop.

    Everything but `astream` is the compiled graph's own.
    """

    def __init__(self, graph: CompiledStateGraph) -> None:
        """Wrap `graph`."""
        self.graph = graph

    def __getattr__(self, name: str) -> Any:
        """Delegate to the compiled graph."""
        return getattr(self.graph, name)

    def astream(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        """Like `CompiledStateGraph.astream`; `custom` events come through an EventSink."""
        modes = kwargs.get("stream_mode")
        if not isinstance(modes, list | tuple) or CUSTOM not in modes:
            return self.graph.astream(input, config, **kwargs)
        others = [mode for mode in modes if mode != CUSTOM]
        kwargs["stream_mode"] = others or ["updates"]
        return sink_stream(self.graph, input, config, others, kwargs)


async def sink_stream(
    graph: CompiledStateGraph, input: Any, config: Any, others: list[str], kwargs: dict[str, Any]
) -> AsyncIterator[tuple[str, Any]]:
    """Run `graph.astream` in a task feeding a sink the nodes' events also go to; drain it."""
    sink = EventSink()
    token = current_sink.set(sink)
    try:  # the task, and the node tasks LangGraph starts from it, copy the sink's variable
        runner = asyncio.create_task(feed(sink, graph.astream(input, config, **kwargs), others))
    finally:
        current_sink.reset(token)
    try:
        while True:
            for mode, chunk in sink.drain():
                if mode is EventSink.END:
                    if chunk is not None:
                        raise chunk
                    return
                yield mode, chunk
            await sink.wait()
    finally:
        if not runner.done():
            runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner


async def feed(sink: EventSink, chunks: AsyncIterator[Any], others: list[str]) -> None:
    """Put the graph's chunks of the wanted modes into `sink`, then its end (or failure)."""
    try:
        async for mode, chunk in chunks:
            if mode in others:
                sink.put(mode, chunk)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # noqa: BLE001 - handed to the reader, who re-raises it
        sink.put(EventSink.END, exc)
        return
    sink.put(EventSink.END, None)
