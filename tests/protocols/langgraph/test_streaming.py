"""`runs.stream` and `runs.join_stream` with the official Python SDK against a real daphne."""

from __future__ import annotations

import pytest

from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user, sync_client
from tests.support.proxy import proxy

ALL_MODES = ["values", "updates", "messages-tuple", "messages", "custom"]


def new_thread(client, user: str | None = None) -> str:
    """A thread of a new user (the service key names it in the metadata)."""
    return client.threads.create(metadata={"user_id": user or new_user()})["thread_id"]


def answer_of(parts) -> str:
    """The answer's text, from its `messages` (messages-tuple) chunks."""
    return "".join(p.data[0]["content"] for p in parts if p.event == "messages")


def test_every_mode_at_once_streams_a_consistent_run(sync):
    thread = new_thread(sync)
    created = []
    parts = list(
        sync.runs.stream(
            thread,
            ASSISTANT,
            input=ask("How many sessions do I have?"),
            stream_mode=ALL_MODES,
            on_run_created=created.append,
        )
    )
    events = [part.event for part in parts]
    assert events[0] == "metadata"
    run_id = parts[0].data["run_id"]
    assert created == [{"run_id": run_id, "thread_id": thread}]
    assert {"values", "updates", "messages", "messages/partial", "custom"} <= set(events)
    assert events[-1] == "messages/complete"
    assert all(part.id for part in parts), "every part has an id"
    assert len({part.id for part in parts}) == len(parts)

    chunks = [p.data for p in parts if p.event == "messages"]
    assert {chunk["id"] for chunk, _ in chunks} == {f"run-{run_id}"}
    assert all(meta["langgraph_node"] == "synthesizer" for _, meta in chunks)
    assert all(meta["run_id"] == run_id and meta["thread_id"] == thread for _, meta in chunks)
    text = answer_of(parts)
    final = [p.data for p in parts if p.event == "values"][-1]["messages"]
    assert [m["type"] for m in final] == ["human", "ai"]
    assert final[-1]["content"] == text
    assert [p for p in parts if p.event == "messages/complete"][0].data[0]["content"] == text
    stored = sync.threads.get_state(thread)["values"]["messages"]
    assert stored[-1]["content"] == text and stored[-1]["type"] == "ai"

    updates = {name: value for p in parts if p.event == "updates" for name, value in p.data.items()}
    assert list(updates) == ["planner", "worker", "critic", "synthesizer"]
    assert updates["planner"]["plan"][0]["description"]
    assert updates["critic"]["verdict"]["ok"] in {True, False}
    assert len(updates["synthesizer"]["suggestions"]) == 3
    assert updates["synthesizer"]["messages"][0]["content"] == text
    assert updates["worker"]["toolCalls"][0]["ok"] is True
    tools = [p.data for p in parts if p.event == "custom"]
    assert [t["status"] for t in tools][:2] == ["started", "completed"]
    assert tools[0]["type"] == "tool_call" and tools[0]["tool"].startswith("db.")


@pytest.mark.parametrize("mode", ALL_MODES)
def test_each_mode_alone_streams_only_its_parts(sync, mode):
    parts = list(
        sync.runs.stream(new_thread(sync), ASSISTANT, input=ask("What is AI?"), stream_mode=mode)
    )
    expected = {
        "values": {"values"},
        "updates": {"updates"},
        "messages-tuple": {"messages"},
        "messages": {"messages/metadata", "messages/partial", "messages/complete"},
        "custom": {"custom"},
    }[mode]
    events = {part.event for part in parts}
    assert events - {"metadata"} <= expected
    assert parts[0].event == "metadata"
    if mode != "custom":  # "What is AI?" may need no tool call
        assert events - {"metadata"} == expected


def test_the_default_mode_is_values_and_the_state_grows_by_turns(sync):
    thread = new_thread(sync)
    list(sync.runs.stream(thread, ASSISTANT, input=ask("My name is Ada.")))
    parts = list(sync.runs.stream(thread, ASSISTANT, input=ask("What is my name?")))
    assert {p.event for p in parts} == {"metadata", "values"}
    first, last = parts[1].data["messages"], parts[-1].data["messages"]
    assert [m["type"] for m in first] == ["human", "ai", "human"]
    assert [m["type"] for m in last] == ["human", "ai", "human", "ai"]
    assert first[-1]["content"] == "What is my name?"


def test_a_thread_less_run_gets_a_thread_of_its_own(sync):
    user = new_user()
    created = []
    parts = list(
        sync.runs.stream(
            None,
            ASSISTANT,
            input=ask("What is AI?"),
            metadata={"user_id": user},
            stream_mode="messages-tuple",
            on_run_created=created.append,
        )
    )
    thread = created[0]["thread_id"]
    assert sync.threads.get(thread)["metadata"]["user_id"] == user
    assert answer_of(parts)


def test_join_stream_after_an_event_id_yields_exactly_the_later_parts(slow):
    thread = new_thread(slow)
    run = slow.runs.create(thread, ASSISTANT, input=ask("What is AI?"), stream_mode=ALL_MODES)
    whole = list(slow.runs.join_stream(thread, run["run_id"], last_event_id="-1"))
    assert whole[0].event == "metadata"
    for cut in (1, len(whole) // 2, len(whole) - 2):
        later = list(slow.runs.join_stream(thread, run["run_id"], last_event_id=whole[cut].id))
        assert [(p.id, p.event, p.data) for p in later] == [
            (p.id, p.event, p.data) for p in whole[cut + 1 :]
        ]


def test_join_stream_with_other_modes_renders_the_same_run_in_them(slow):
    thread = new_thread(slow)
    run = slow.runs.create(thread, ASSISTANT, input=ask("What is AI?"), stream_mode="values")
    parts = list(slow.runs.join_stream(thread, run["run_id"], stream_mode="messages-tuple"))
    assert {p.event for p in parts} == {"metadata", "messages"}
    assert answer_of(parts) == slow.runs.join(thread, run["run_id"])["messages"][-1]["content"]


def test_the_sdk_reconnects_by_itself_after_a_cut_and_yields_every_part_once(slow_server):
    with proxy(slow_server.url) as cutting:
        client = sync_client(cutting.url)
        thread = new_thread(client)
        cut = cutting.cut_next_stream(after_bytes=2500)
        before = cutting.connections
        parts = list(
            client.runs.stream(thread, ASSISTANT, input=ask("What is AI?"), stream_mode=ALL_MODES)
        )
        assert cut.done.is_set(), "the stream was cut"
        assert cutting.connections > before, "the SDK reconnected on a new connection"
    reference = sync_client(slow_server.url)
    whole = list(reference.runs.join_stream(thread, parts[0].data["run_id"]))
    assert [(p.id, p.event) for p in parts] == [(p.id, p.event) for p in whole]
    final = [p.data for p in parts if p.event == "values"][-1]["messages"][-1]["content"]
    assert answer_of(parts) == final
