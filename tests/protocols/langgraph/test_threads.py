"""Threads (our sessions) and assistants through the official Python SDK."""

from __future__ import annotations

import uuid
from unittest.mock import ANY

import httpx
import pytest
from langgraph_sdk.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)

from tests.protocols.langgraph.conftest import ASSISTANT, api_url, ask, new_user, sync_client


def test_assistants_search_and_get_return_the_pipeline(sync):
    [assistant] = sync.assistants.search()
    assert assistant["graph_id"] == ASSISTANT
    assert sync.assistants.get(assistant["assistant_id"]) == assistant
    assert sync.assistants.get(ASSISTANT) == assistant
    assert sync.assistants.search(graph_id="another") == []
    with pytest.raises(NotFoundError):
        sync.assistants.get(str(uuid.uuid4()))


def test_info_answers_without_a_key(server):
    info = httpx.get(f"{api_url(server.url)}/info").json()
    assert info["flags"]["assistants"] is True


def test_a_thread_is_created_read_patched_searched_and_deleted(sync):
    user, tag = new_user(), uuid.uuid4().hex[:8]
    thread = sync.threads.create(metadata={"user_id": user, "tag": tag})
    thread_id = thread["thread_id"]
    tags = {"graph_id": ASSISTANT, "assistant_id": sync.assistants.get(ASSISTANT)["assistant_id"]}
    assert thread["status"] == "idle"
    assert thread["metadata"] == {"user_id": user, "tag": tag, **tags}
    assert sync.threads.get(thread_id)["thread_id"] == thread_id

    patched = sync.threads.update(thread_id, metadata={"colour": "blue"})
    assert patched["metadata"] == {"user_id": user, "tag": tag, "colour": "blue", **tags}
    other = sync.threads.create(metadata={"user_id": user, "tag": tag})
    found = sync.threads.search(metadata={"tag": tag}, sort_by="created_at", sort_order="asc")
    assert [t["thread_id"] for t in found] == [thread_id, other["thread_id"]]
    assert [t["thread_id"] for t in sync.threads.search(metadata={"colour": "blue"})] == [thread_id]
    assert (
        sync.threads.search(metadata={"tag": tag}, limit=1, offset=1, sort_by="created_at")[0][
            "thread_id"
        ]
        == thread_id
    )
    assert len(sync.threads.search(metadata={"user_id": user}, status="idle")) == 2

    sync.threads.delete(thread_id)
    with pytest.raises(NotFoundError):
        sync.threads.get(thread_id)


def test_a_thread_id_of_the_clients_and_if_exists(sync):
    thread_id, user = str(uuid.uuid4()), new_user()
    assert sync.threads.create(thread_id=thread_id, metadata={"user_id": user})["thread_id"] == (
        thread_id
    )
    with pytest.raises(ConflictError):
        sync.threads.create(thread_id=thread_id, metadata={"user_id": user})
    again = sync.threads.create(thread_id=thread_id, if_exists="do_nothing")
    assert again["thread_id"] == thread_id


def test_the_service_key_must_name_the_threads_user_where_there_is_no_default(named_users_server):
    with pytest.raises(UnprocessableEntityError, match="user_id"):
        sync_client(named_users_server.url).threads.create()


def test_on_a_development_server_the_service_key_makes_dev_users_threads(sync):
    thread = sync.threads.create()
    answered = sync.runs.wait(thread["thread_id"], ASSISTANT, input=ask("What is AI?"))
    assert answered["messages"][-1]["type"] == "ai"
    owned = sync.threads.search(metadata={"user_id": "dev-user"}, limit=1000)
    assert thread["thread_id"] in [t["thread_id"] for t in owned]


def test_state_and_history_follow_the_conversation(sync):
    thread_id = sync.threads.create(metadata={"user_id": new_user()})["thread_id"]
    assert sync.threads.get_state(thread_id)["values"] == {}
    sync.runs.wait(thread_id, ASSISTANT, input=ask("My name is Ada."))
    sync.runs.wait(thread_id, ASSISTANT, input=ask("What is my name?"))
    state = sync.threads.get_state(thread_id)
    messages = state["values"]["messages"]
    assert [m["type"] for m in messages] == ["human", "ai", "human", "ai"]
    assert "Ada" in messages[-1]["content"]
    assert state["next"] == [] and state["metadata"]["source"] == "loop"
    assert state["values"]["prompt"] == "What is my name?" and state["values"]["plan"]["subtasks"]
    history = sync.threads.get_history(thread_id, limit=10)  # one checkpoint per run (`exit`)
    assert history[0]["checkpoint"] == state["checkpoint"]
    assert [len(h["values"]["messages"]) for h in history][:2] == [4, 2]
    assert (
        history[0]["parent_checkpoint"]["checkpoint_id"]
        == (history[1]["checkpoint"]["checkpoint_id"])
    )
    assert sync.threads.get(thread_id)["values"]["messages"] == messages


def test_a_user_key_sees_only_its_threads(server, user_keys):
    owner_key, stranger_key = user_keys
    owner, stranger = sync_client(server.url, owner_key), sync_client(server.url, stranger_key)
    thread_id = owner.threads.create()["thread_id"]
    owner.runs.wait(thread_id, ASSISTANT, input=ask("What is AI?"))
    [run] = owner.runs.list(thread_id)
    assert stranger.threads.search() == []
    for call in (
        lambda: stranger.threads.get(thread_id),
        lambda: stranger.threads.get_state(thread_id),
        lambda: stranger.threads.get_history(thread_id),
        lambda: stranger.threads.update(thread_id, metadata={"x": 1}),
        lambda: stranger.threads.delete(thread_id),
        lambda: stranger.runs.list(thread_id),
        lambda: stranger.runs.get(thread_id, run["run_id"]),
        lambda: stranger.runs.cancel(thread_id, run["run_id"]),
        lambda: stranger.runs.wait(thread_id, ASSISTANT, input=ask("Hi")),
        lambda: list(stranger.runs.join_stream(thread_id, run["run_id"])),
    ):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            call()
        assert refused.value.response.status_code == 404
    assert owner.threads.get(thread_id)["thread_id"] == thread_id
    with pytest.raises(PermissionDeniedError):
        owner.threads.create(metadata={"user_id": "someone-else"})


def test_every_thread_is_tagged_with_the_graph_as_langgraph_tags_one_that_ran_it(sync):
    user = new_user()
    thread_id = sync.threads.create(metadata={"user_id": user})["thread_id"]
    sync.runs.wait(thread_id, ASSISTANT, input=ask("What is AI?"))
    assert sync.threads.search(metadata={"graph_id": "another", "user_id": user}) == []
    metadata = sync.threads.get(thread_id)["metadata"]
    assert metadata["graph_id"] == ASSISTANT
    assert metadata["assistant_id"] == sync.assistants.get(ASSISTANT)["assistant_id"]
    found = sync.threads.search(metadata={"graph_id": ASSISTANT, "user_id": user})
    assert [t["thread_id"] for t in found] == [thread_id]


def test_a_run_from_the_threads_latest_checkpoint_goes_on_as_useStream_sends_it(sync):
    """`fetchStateHistory` makes the SDK send the head checkpoint with every submit."""
    thread_id = sync.threads.create(metadata={"user_id": new_user()})["thread_id"]
    empty = sync.threads.get_history(thread_id)
    first = empty[0]["checkpoint"] if empty else None
    sync.runs.wait(thread_id, ASSISTANT, input=ask("My name is Ada."), checkpoint=first)
    head = sync.threads.get_history(thread_id, limit=1)[0]["checkpoint"]
    assert head == {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": ANY}
    answered = sync.runs.wait(thread_id, ASSISTANT, input=ask("What is my name?"), checkpoint=head)
    assert "Ada" in answered["messages"][-1]["content"]
    latest = sync.threads.get_state(thread_id)["checkpoint"]["checkpoint_id"]
    again = sync.runs.wait(thread_id, ASSISTANT, input=ask("Hello"), checkpoint_id=latest)
    assert again["messages"][-1]["type"] == "ai"


def test_a_run_from_a_checkpoint_the_thread_does_not_have_is_refused_naming_it(sync):
    thread_id = sync.threads.create(metadata={"user_id": new_user()})["thread_id"]
    sync.runs.wait(thread_id, ASSISTANT, input=ask("My name is Ada."))
    unknown = {"checkpoint_id": "1f000000-0000-6000-8000-000000000000", "checkpoint_ns": ""}
    with pytest.raises(httpx.HTTPStatusError) as refused:  # runs.wait raises httpx's own
        sync.runs.wait(thread_id, ASSISTANT, input=ask("What is my name?"), checkpoint=unknown)
    assert refused.value.response.status_code == 422
    assert "is not a checkpoint of the thread" in refused.value.response.text
    assert len(sync.threads.get_state(thread_id)["values"]["messages"]) == 2  # nothing stored
