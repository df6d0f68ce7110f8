"""Runs in the background, waited for, listed, cancelled, deleted; the multitask strategies."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.errors import ConflictError, NotFoundError

from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user
from tests.support.waiting import until


def new_thread(client) -> str:
    """A thread of a new user."""
    return client.threads.create(metadata={"user_id": new_user()})["thread_id"]


def start(client, thread: str, text: str = "What is AI?", **options) -> dict:
    """A background run of `text` on the thread."""
    return client.runs.create(thread, ASSISTANT, input=ask(text), **options)


def until_running(client, thread: str, run_id: str) -> None:
    """Read the run's stream until its answer starts (it is surely running then)."""
    for part in client.runs.join_stream(thread, run_id, stream_mode="messages-tuple"):
        if part.event == "messages":
            return


def test_a_background_run_is_joined_listed_and_read(slow):
    thread = new_thread(slow)
    run = start(slow, thread)
    assert run["status"] in {"pending", "running"} and run["thread_id"] == thread
    state = slow.runs.join(thread, run["run_id"])
    assert [m["type"] for m in state["messages"]] == ["human", "ai"]
    read = slow.runs.get(thread, run["run_id"])
    assert read["status"] == "success" and read["assistant_id"] == run["assistant_id"]
    assert [r["run_id"] for r in slow.runs.list(thread)] == [run["run_id"]]
    assert slow.runs.list(thread, status="success")[0]["run_id"] == run["run_id"]
    assert slow.runs.list(thread, status="error") == []


def test_wait_answers_with_the_final_state(sync):
    created = []
    state = sync.runs.wait(
        None,
        ASSISTANT,
        input=ask("What is AI?"),
        metadata={"user_id": new_user()},
        on_run_created=created.append,
    )
    assert state["messages"][-1]["type"] == "ai"
    thread = created[0]["thread_id"]
    assert sync.threads.get_state(thread)["values"]["messages"] == state["messages"]


def test_cancel_with_wait_interrupts_the_run_and_its_stream_ends_with_an_error(slow):
    thread = new_thread(slow)
    run = start(slow, thread)
    until_running(slow, thread, run["run_id"])
    slow.runs.cancel(thread, run["run_id"], wait=True)
    assert slow.runs.get(thread, run["run_id"])["status"] == "interrupted"
    parts = list(slow.runs.join_stream(thread, run["run_id"]))
    assert parts[-1].event == "error" and parts[-1].data["error"] == "interrupted"
    messages = slow.threads.get_state(thread)["values"]["messages"]
    assert [m["type"] for m in messages] == ["human"]  # no partial answer is stored


def test_cancel_with_rollback_forgets_the_run_and_its_message(slow):
    thread = new_thread(slow)
    run = start(slow, thread)
    until_running(slow, thread, run["run_id"])
    slow.runs.cancel(thread, run["run_id"], wait=True, action="rollback")
    until(lambda: slow.runs.list(thread) == [])
    assert slow.threads.get_state(thread)["values"] == {}


def test_a_finished_run_is_deleted_an_active_one_is_not(slow):
    thread = new_thread(slow)
    run = start(slow, thread)
    with pytest.raises(ConflictError):
        slow.runs.delete(thread, run["run_id"])
    slow.runs.join(thread, run["run_id"])
    slow.runs.delete(thread, run["run_id"])
    with pytest.raises(NotFoundError):
        slow.runs.get(thread, run["run_id"])


def test_reject_refuses_a_second_run_with_409(slow):
    thread = new_thread(slow)
    first = start(slow, thread)
    with pytest.raises(ConflictError):
        start(slow, thread, "Hello", multitask_strategy="reject")
    slow.runs.join(thread, first["run_id"])
    assert len(slow.runs.list(thread)) == 1


def test_enqueue_runs_the_second_after_the_first(slow):
    thread = new_thread(slow)
    first = start(slow, thread, "My name is Ada.")
    second = start(slow, thread, "What is my name?", multitask_strategy="enqueue")
    assert second["status"] == "pending"
    state = slow.runs.join(thread, second["run_id"])
    assert [m["type"] for m in state["messages"]] == ["human", "ai", "human", "ai"]
    assert slow.runs.get(thread, first["run_id"])["status"] == "success"
    assert "Ada" in state["messages"][-1]["content"]


def test_interrupt_stops_the_first_and_runs_the_second(slow):
    thread = new_thread(slow)
    first = start(slow, thread)
    until_running(slow, thread, first["run_id"])
    second = start(slow, thread, "Hello", multitask_strategy="interrupt")
    slow.runs.join(thread, second["run_id"])
    assert slow.runs.get(thread, first["run_id"])["status"] == "interrupted"
    assert slow.runs.get(thread, second["run_id"])["status"] == "success"
    kinds = [m["type"] for m in slow.threads.get_state(thread)["values"]["messages"]]
    assert kinds == ["human", "human", "ai"]


def test_rollback_stops_the_first_and_forgets_it(slow):
    thread = new_thread(slow)
    first = start(slow, thread)
    until_running(slow, thread, first["run_id"])
    second = start(slow, thread, "Hello", multitask_strategy="rollback")
    slow.runs.join(thread, second["run_id"])
    until(lambda: [r["run_id"] for r in slow.runs.list(thread)] == [second["run_id"]])
    messages = slow.threads.get_state(thread)["values"]["messages"]
    assert [(m["type"], m["content"]) for m in messages][0] == ("human", "Hello")
    assert len(messages) == 2


def test_a_stream_left_with_on_disconnect_cancel_cancels_its_run(slow_server, slow):
    thread = new_thread(slow)
    body = {
        "assistant_id": ASSISTANT,
        "input": ask("What is AI?"),
        "stream_mode": "messages-tuple",
        "on_disconnect": "cancel",
    }
    url = f"{slow_server.url}/langgraph/threads/{thread}/runs/stream"
    with httpx.stream("POST", url, json=body, headers={"x-api-key": "devkey"}) as response:
        run_id = response.headers["content-location"].rsplit("/", 1)[-1]
        for line in response.iter_lines():
            if line.startswith("event: messages"):
                break
    until(lambda: slow.runs.get(thread, run_id)["status"] == "interrupted")


def test_a_thread_with_an_active_run_is_not_deleted(slow):
    thread = new_thread(slow)
    run = start(slow, thread)
    with pytest.raises(ConflictError):
        slow.threads.delete(thread)
    slow.runs.join(thread, run["run_id"])
    slow.threads.delete(thread)
    with pytest.raises(NotFoundError):
        slow.threads.get(thread)
