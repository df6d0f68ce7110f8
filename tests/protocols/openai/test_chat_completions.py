"""Chat completions and models through the official `openai` SDK against a real daphne."""

from __future__ import annotations

import httpx
import openai
import pytest

from operations.client import chat_body, stream_chat_http
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user
from tests.support.keys import create_key


def messages_of(server, session_id: str) -> list[dict]:
    """The session's stored messages, through the sessions API."""
    response = httpx.get(
        f"{server.url}/v1/sessions/{session_id}/messages",
        headers={"Authorization": f"Bearer {SERVICE_KEY}"},
    )
    response.raise_for_status()
    return response.json()["messages"]


def test_models_list_the_pipeline_and_another_model_is_not_found(client):
    assert [model.id for model in client.models.list()] == ["orchestrator"]
    assert client.models.retrieve("orchestrator").owned_by == "orchestrator"
    with pytest.raises(openai.NotFoundError) as raised:
        client.models.retrieve("gpt-4o")
    assert raised.value.code == "model_not_found"


def test_a_completion_answers_with_usage_suggestions_and_the_runs_ids(client, server):
    raw = client.chat.completions.with_raw_response.create(
        model="orchestrator", user=new_user(), messages=[{"role": "user", "content": "What is AI?"}]
    )
    completion = raw.parse()
    answer = completion.choices[0].message.content
    assert "intelligence" in answer.lower()
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert len(completion.model_extra["suggestions"]) == 3
    run_id, session_id = raw.headers["x-run-id"], raw.headers["x-session-id"]
    assert completion.id == f"chatcmpl-{run_id}"
    assert session_id.startswith("openai-")
    stored = messages_of(server, session_id)
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "What is AI?"),
        ("assistant", answer),
    ]


def test_a_stream_sends_role_reasoning_content_stop_then_usage(client, server):
    stream = client.chat.completions.with_raw_response.create(
        model="orchestrator",
        user=new_user(),
        stream=True,
        stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "How many messages have I sent?"}],
    )
    session_id = stream.headers["x-session-id"]
    chunks = list(stream.parse())
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content") or ""
        for c in chunks
        if c.choices
    )
    assert "Calling db." in reasoning and "Critic finished" in reasoning
    assert not any(c.choices[0].delta.tool_calls for c in chunks if c.choices)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert content == messages_of(server, session_id)[-1]["content"]


def test_the_clients_history_is_the_context_without_a_session(client, server):
    history = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "My name is Marguerite."},
        {"role": "assistant", "content": "Nice to meet you, Marguerite."},
        {"role": "user", "content": "What is my name?"},
    ]
    raw = client.chat.completions.with_raw_response.create(
        model="orchestrator", user=new_user(), messages=history
    )
    assert "Marguerite" in raw.parse().choices[0].message.content
    stored = messages_of(server, raw.headers["x-session-id"])
    assert [m["content"] for m in stored[:3]] == [
        "My name is Marguerite.",
        "Nice to meet you, Marguerite.",
        "What is my name?",
    ]
    assert stored[0]["metadata"] == {"source": "openai"}


async def test_a_session_binding_uses_the_sessions_stored_memory(server, async_client):
    user, session = new_user(), f"bound-{new_user()}"
    async for _ in stream_chat_http(
        server.url, SERVICE_KEY, chat_body(session, user, "My name is Oswin")
    ):
        pass
    by_header = await async_client.chat.completions.create(
        model="orchestrator",
        user=user,
        messages=[{"role": "user", "content": "What is my name?"}],
        extra_headers={"X-Session-Id": session},
    )
    assert "Oswin" in by_header.choices[0].message.content
    by_metadata = await async_client.chat.completions.create(
        model="orchestrator",
        user=user,
        metadata={"session_id": session},
        stream=True,
        messages=[{"role": "user", "content": "What is my name?"}],
    )
    content = "".join([c.choices[0].delta.content or "" async for c in by_metadata if c.choices])
    assert "Oswin" in content
    assert len(messages_of(server, session)) == 6


def test_a_session_of_another_user_is_not_found_for_a_user_key(server, user_keys):
    owner, stranger = user_keys
    client = openai.OpenAI(base_url=base_url(server), api_key=owner, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="orchestrator", messages=[{"role": "user", "content": "hello"}]
    )
    other = openai.OpenAI(base_url=base_url(server), api_key=stranger, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        other.chat.completions.create(
            model="orchestrator",
            messages=[{"role": "user", "content": "What did they say?"}],
            extra_headers={"X-Session-Id": raw.headers["x-session-id"]},
        )


def test_a_user_keys_stream_slot_is_given_back_after_each_request(server):
    key = create_key(server.sqlite_path, new_user())
    client = openai.OpenAI(base_url=base_url(server), api_key=key, max_retries=0)
    for turn in range(6):  # more than RATE_LIMIT_STREAMS (4): a leaked slot would be a 429
        history = [{"role": "system", "content": "Be brief."}] if turn % 2 else []
        client.chat.completions.create(
            model="orchestrator", messages=[*history, {"role": "user", "content": "hello"}]
        )
        client.responses.create(model="orchestrator", input="hello", instructions="Be brief.")


def test_refusals_raise_the_sdks_exception_classes(client, server):
    user = [{"role": "user", "content": "hi"}]
    bad_key = openai.OpenAI(base_url=base_url(server), api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as unauthorised:
        bad_key.chat.completions.create(model="orchestrator", user="alice", messages=user)
    assert unauthorised.value.code == "invalid_api_key"
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", user="alice", messages=user)
    assert unknown.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as tools:
        client.chat.completions.create(
            model="orchestrator",
            user="alice",
            messages=user,
            tools=[{"type": "function", "function": {"name": "lookup", "parameters": {}}}],
        )
    assert tools.value.param == "tools"
    with pytest.raises(openai.BadRequestError) as many:
        client.chat.completions.create(model="orchestrator", user="alice", messages=user, n=2)
    assert many.value.param == "n"


def test_the_service_key_must_name_its_user_where_there_is_no_default(named_users_server):
    client = openai.OpenAI(base_url=base_url(named_users_server), api_key="devkey", max_retries=0)
    with pytest.raises(openai.BadRequestError) as nobody:
        client.chat.completions.create(
            model="orchestrator", messages=[{"role": "user", "content": "hi"}]
        )
    assert (nobody.value.param, nobody.value.code) == ("user", "missing_user")


def test_an_unknown_route_under_the_mount_is_openais_404(server):
    response = httpx.get(
        f"{base_url(server)}/embeddings", headers={"Authorization": f"Bearer {SERVICE_KEY}"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"
