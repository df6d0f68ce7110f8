"""Events from the nodes reach the reader on the same loop, as LangGraph's custom mode had them."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph

from agents.events import emit
from agents.streaming import EventStreamingGraph


class Count(TypedDict, total=False):
    steps: list[str]


async def first(state: Count) -> Count:
    emit("agent", name="first", status="started")
    await asyncio.sleep(0)
    emit("token", text="a ")
    return {"steps": ["first"]}


async def second(state: Count) -> Count:
    emit("token", text="b ")
    await asyncio.to_thread(emit, "token", text="from a thread")
    return {"steps": [*state["steps"], "second"]}


def two_nodes(*, failing: bool = False, stuck: asyncio.Event | None = None):
    async def last(state: Count) -> Count:
        if failing:
            raise ValueError("the node failed")
        if stuck is not None:
            emit("token", text="waiting")
            await stuck.wait()
        return await second(state)

    graph = StateGraph(Count)
    graph.add_node("first", first)
    graph.add_node("second", last)
    graph.add_edge(START, "first")
    graph.add_edge("first", "second")
    graph.add_edge("second", END)
    return graph.compile()


async def collect(stream) -> dict[str, list]:
    seen: dict[str, list] = {}
    async for mode, chunk in stream:
        seen.setdefault(mode, []).append(chunk)
    return seen


async def test_a_run_streams_the_same_events_and_updates_as_langgraphs_custom_mode():
    compiled, modes = two_nodes(), ["custom", "updates"]
    ours = await collect(EventStreamingGraph(compiled).astream({}, stream_mode=modes))
    theirs = await collect(compiled.astream({}, stream_mode=modes))
    assert ours == theirs
    assert [event["event"] for event in ours["custom"]] == ["agent", "token", "token", "token"]
    assert ours["custom"][-1]["data"] == {"text": "from a thread"}


async def test_each_node_event_arrives_before_that_nodes_update():
    stream = EventStreamingGraph(two_nodes()).astream({}, stream_mode=["custom", "updates"])
    order = [(mode, chunk) async for mode, chunk in stream]
    first_update = order.index(("updates", {"first": {"steps": ["first"]}}))
    assert [mode for mode, _ in order[:first_update]] == ["custom", "custom"]


async def test_a_failing_node_raises_in_the_reader():
    stream = EventStreamingGraph(two_nodes(failing=True)).astream({}, stream_mode=["custom"])
    with pytest.raises(ValueError, match="the node failed"):
        await collect(stream)


async def test_closing_the_reader_cancels_the_run():
    stuck = asyncio.Event()
    stream = EventStreamingGraph(two_nodes(stuck=stuck)).astream(
        {}, stream_mode=["custom", "updates"]
    )
    async for mode, chunk in stream:
        if mode == "custom" and chunk["data"].get("text") == "waiting":
            break
    await stream.aclose()
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert all(task.done() for task in pending)


async def test_other_stream_modes_are_langgraphs_own():
    compiled = two_nodes()
    values = [
        chunk async for chunk in EventStreamingGraph(compiled).astream({}, stream_mode="values")
    ]
    assert values[-1] == {"steps": ["first", "second"]}
    assert await EventStreamingGraph(compiled).ainvoke({}) == {"steps": ["first", "second"]}
