"""The pipeline on an OpenAI-compatible provider: daphne talks to a loopback stand-in server."""

from __future__ import annotations

import uuid

import httpx
import pytest

from harness.live_server import live_server
from operations.client import chat_body, stream_chat_http
from tests.support.fake_openai import BrokenStream, FakeOpenAI, pipeline_responder

TOKEN = "devkey"


class Switchable:
    """A responder that answers like a model, except the synthesizer's stream when told to break."""

    def __init__(self) -> None:
        self.break_stream = False

    def __call__(self, request: dict):
        if self.break_stream and request.get("stream"):
            return BrokenStream(["Half ", "an "])
        return pipeline_responder(request)


@pytest.fixture(scope="module")
def model() -> Switchable:
    """The stand-in model's behaviour, switchable per test."""
    return Switchable()


@pytest.fixture(scope="module")
def openai_server(tmp_path_factory, template_db, model):
    """A daphne whose LLM provider is the loopback OpenAI-compatible server."""
    with FakeOpenAI(model) as fake:
        with live_server(
            tmp_path_factory.mktemp("openai"),
            template_db=template_db,
            LLM_PROVIDER="openai",
            OPENAI_BASE_URL=fake.base_url,
            OPENAI_API_KEY="sk-test-key",
            OPENAI_MODEL="stand-in-model",
            OPENAI_MAX_RETRIES="0",
        ) as server:
            yield server, fake


async def events_of(url: str, session: str, prompt: str) -> list:
    """Every event of one chat turn."""
    body = chat_body(session, "alice", prompt)
    return [e async for e in stream_chat_http(url, TOKEN, body)]


async def test_the_pipeline_streams_the_models_answer(openai_server, model):
    server, fake = openai_server
    model.break_stream = False
    events = await events_of(server.url, f"oa-{uuid.uuid4().hex[:8]}", "What is AI?")
    done = events[-1].data
    assert events[-1].event == "done"
    assert done["fullText"].startswith('You asked: "Question: What is AI?')
    assert "".join(e.data["text"] for e in events if e.event == "token") == done["fullText"]
    assert done["suggestions"] == ["Tell me more", "Give an example", "Summarize that"]
    assert {r.json["model"] for r in fake.requests} == {"stand-in-model"}
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-test-key"


async def test_a_provider_failure_mid_stream_is_an_error_event_and_loses_nothing(
    openai_server, model
):
    server, _ = openai_server
    session = f"oa-{uuid.uuid4().hex[:8]}"
    model.break_stream = True
    try:
        events = await events_of(server.url, session, "What is AI?")
    finally:
        model.break_stream = False
    assert events[-1].event == "error"
    assert events[-1].data["code"] == "provider_error"
    assert "sk-test-key" not in events[-1].data["message"]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    messages = httpx.get(f"{server.url}/v1/sessions/{session}/messages", headers=headers).json()
    assert [m["role"] for m in messages["messages"]] == ["user"]
    metrics = httpx.get(f"{server.url}/v1/metrics/{session}", headers=headers).json()
    assert metrics["totalRequests"] == 1


def asked_for(fake: FakeOpenAI, title: str) -> int:
    """How many requests asked the stand-in for a structured answer of this schema."""
    return sum(
        any(f'"title": "{title}"' in str(m.get("content")) for m in r.json.get("messages", []))
        for r in fake.requests
    )


async def test_a_hosted_model_lists_what_the_user_said_about_themselves(openai_server, model):
    server, fake = openai_server
    model.break_stream = False
    user, before = f"oa-{uuid.uuid4().hex[:8]}", asked_for(fake, "Facts")
    body = chat_body(f"oa-{uuid.uuid4().hex[:8]}", user, "My dog is called Rex. I live in Lyon.")
    events = [e async for e in stream_chat_http(server.url, TOKEN, body)]
    assert events[-1].event == "done"
    assert asked_for(fake, "Facts") == before + 1
    headers = {"Authorization": f"Bearer {TOKEN}"}
    listed = httpx.get(f"{server.url}/v1/memories?userId={user}", headers=headers).json()
    assert sorted((m["key"], m["text"]) for m in listed["memories"]) == [
        ("fact:i live in", "I live in Lyon."),
        ("fact:my dog is", "My dog is called Rex."),
    ]
    question = chat_body(f"oa-{uuid.uuid4().hex[:8]}", user, "What is AI?")
    [e async for e in stream_chat_http(server.url, TOKEN, question)]
    assert asked_for(fake, "Facts") == before + 1, "a question costs no extraction call"
