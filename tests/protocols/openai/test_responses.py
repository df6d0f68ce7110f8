"""The Responses API through the official `openai` SDK against a real daphne."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from harness.live_server import LiveServer, live_server
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user


@pytest.fixture(scope="module")
def slow_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """Answers of a second or more (50 ms a token), so that a run can be acted on mid-way."""
    with live_server(
        tmp_path_factory.mktemp("slow"), template_db=template_db, BUILTIN_TOKEN_DELAY_MS="50"
    ) as running:
        yield running


@pytest.fixture
def slow_client(slow_server: LiveServer) -> openai.OpenAI:
    """The SDK on the slow server, with the service key."""
    return openai.OpenAI(base_url=base_url(slow_server), api_key=SERVICE_KEY, max_retries=0)


def test_a_streamed_response_ends_completed_with_the_answer_and_usage(client):
    events = list(
        client.responses.create(
            model="orchestrator", user=new_user(), input="What is AI?", stream=True
        )
    )
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert "Planner is working." in summary
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    final = events[-1].response
    assert final.output_text == text and "intelligence" in text.lower()
    assert final.usage.input_tokens > 0 and final.status == "completed"
    assert final.id == events[0].response.id and final.id.startswith("resp_")


def test_a_response_waited_for_then_retrieved(client):
    created = client.responses.create(
        model="orchestrator",
        user=new_user(),
        input="What is AI?",
        instructions="Be clear.",
        metadata={"k": "v"},
    )
    assert created.status == "completed" and "intelligence" in created.output_text.lower()
    retrieved = client.responses.retrieve(created.id)
    assert (retrieved.status, retrieved.output_text) == ("completed", created.output_text)
    assert (retrieved.instructions, retrieved.metadata) == ("Be clear.", {"k": "v"})
    assert retrieved.usage.output_tokens == created.usage.output_tokens


def test_previous_response_id_continues_the_conversation(client):
    user = new_user()
    first = client.responses.create(model="orchestrator", user=user, input="My name is Philippa.")
    second = client.responses.create(
        model="orchestrator", user=user, input="What is my name?", previous_response_id=first.id
    )
    assert "Philippa" in second.output_text
    assert second.previous_response_id == first.id
    with pytest.raises(openai.NotFoundError) as unknown:
        client.responses.create(
            model="orchestrator", user=user, input="hi", previous_response_id="resp_" + "0" * 24
        )
    assert unknown.value.param == "previous_response_id"


def test_input_messages_are_the_history_and_are_listed_as_input_items(client):
    created = client.responses.create(
        model="orchestrator",
        user=new_user(),
        input=[
            {"role": "user", "content": "My name is Ignatius."},
            {"role": "assistant", "content": "Hello, Ignatius."},
            {"role": "user", "content": [{"type": "input_text", "text": "What is my name?"}]},
        ],
    )
    assert "Ignatius" in created.output_text
    items = client.responses.input_items.list(created.id, order="asc")
    assert [(i.role, i.content[0].text) for i in items.data] == [
        ("user", "My name is Ignatius."),
        ("assistant", "Hello, Ignatius."),
        ("user", "What is my name?"),
    ]
    newest_first = client.responses.input_items.list(created.id, limit=1)
    assert newest_first.data[0].content[0].text == "What is my name?" and newest_first.has_more


def test_a_background_response_resumed_after_n_gets_exactly_the_later_events(slow_client):
    started = slow_client.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    assert started.status in {"queued", "in_progress"} and started.background
    first = []
    with slow_client.responses.retrieve(started.id, stream=True) as stream:
        for event in stream:
            first.append(event)
            if event.type == "response.output_text.delta":
                break  # the client leaves mid-answer; the background run goes on
    after = first[-1].sequence_number
    rest = list(slow_client.responses.retrieve(started.id, stream=True, starting_after=after))
    assert [e.sequence_number for e in rest] == list(range(after + 1, after + 1 + len(rest)))
    assert rest[-1].type == "response.completed"
    whole = list(slow_client.responses.retrieve(started.id, stream=True))
    assert [e.model_dump() for e in whole] == [e.model_dump() for e in first + rest]
    assert slow_client.responses.retrieve(started.id).status == "completed"


def test_a_background_response_is_cancelled(slow_client):
    started = slow_client.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    cancelled = slow_client.responses.cancel(started.id)
    assert cancelled.status == "cancelled"
    events = list(slow_client.responses.retrieve(started.id, stream=True))
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.status == "cancelled"
    assert slow_client.responses.cancel(started.id).status == "cancelled"  # idempotent


def test_a_response_in_progress_cannot_be_deleted_a_finished_one_can(slow_client):
    started = slow_client.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    with pytest.raises(openai.BadRequestError) as running:
        slow_client.responses.delete(started.id)
    assert running.value.code == "response_in_progress"
    slow_client.responses.cancel(started.id)
    slow_client.responses.delete(started.id)
    with pytest.raises(openai.NotFoundError):
        slow_client.responses.retrieve(started.id)


def test_a_user_key_sees_only_its_own_responses(server, user_keys):
    owner_key, stranger_key = user_keys
    owner = openai.OpenAI(base_url=base_url(server), api_key=owner_key, max_retries=0)
    stranger = openai.OpenAI(base_url=base_url(server), api_key=stranger_key, max_retries=0)
    mine = owner.responses.create(model="orchestrator", input="My name is Tabitha.")
    assert owner.responses.retrieve(mine.id).id == mine.id
    for attempt in (
        lambda: stranger.responses.retrieve(mine.id),
        lambda: stranger.responses.input_items.list(mine.id),
        lambda: stranger.responses.cancel(mine.id),
        lambda: stranger.responses.delete(mine.id),
        lambda: stranger.responses.create(
            model="orchestrator", input="What is my name?", previous_response_id=mine.id
        ),
    ):
        with pytest.raises(openai.NotFoundError):
            attempt()
    assert owner.responses.retrieve(mine.id).status == "completed"


async def test_the_async_sdk_streams_a_response(async_client):
    stream = await async_client.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", stream=True
    )
    types = [event.type async for event in stream]
    assert types[0] == "response.created" and types[-1] == "response.completed"
