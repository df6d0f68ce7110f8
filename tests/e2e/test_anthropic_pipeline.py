"""The pipeline on Anthropic's Messages API: daphne talks to a loopback stand-in server."""

from __future__ import annotations

import uuid

import httpx
import pytest

from harness.live_server import live_server
from operations.client import chat_body, stream_chat_http
from tests.support.fake_anthropic import FakeAnthropic, StreamError, pipeline_responder

TOKEN = "devkey"
KEY = "sk-ant-e2e-secret-key"


class Switchable:
    """Answers like Claude, except the synthesizer's stream fails when told to."""

    def __init__(self) -> None:
        self.overload = False

    def __call__(self, request: dict):
        answering = request.get("system", "").startswith("You are the Synthesizer.")
        if self.overload and answering:
            return StreamError(["Half ", "an "], "overloaded_error", "Overloaded")
        return pipeline_responder(request)


@pytest.fixture(scope="module")
def model() -> Switchable:
    """The stand-in's behaviour, switchable per test."""
    return Switchable()


@pytest.fixture(scope="module")
def anthropic_server(tmp_path_factory, template_db, model):
    """A daphne on LLM_PROVIDER=anthropic, except the critic, which uses the built-in model."""
    with FakeAnthropic(model) as fake:
        with live_server(
            tmp_path_factory.mktemp("anthropic"),
            template_db=template_db,
            LLM_PROVIDER="anthropic",
            LLM_CRITIC="builtin",
            ANTHROPIC_BASE_URL=fake.base_url,
            ANTHROPIC_API_KEY=KEY,
            ANTHROPIC_MODEL="claude-stand-in",
            ANTHROPIC_MAX_RETRIES="0",
        ) as server:
            yield server, fake


async def events_of(url: str, session: str, prompt: str) -> list:
    """Every event of one chat turn."""
    return [e async for e in stream_chat_http(url, TOKEN, chat_body(session, "alice", prompt))]


async def test_the_pipeline_streams_claudes_answer(anthropic_server, model):
    server, fake = anthropic_server
    model.overload = False
    events = await events_of(server.url, f"an-{uuid.uuid4().hex[:8]}", "What is AI?")

    done = events[-1].data
    assert events[-1].event == "done"
    assert done["fullText"].startswith('Claude heard: "Question: What is AI?')
    assert "".join(e.data["text"] for e in events if e.event == "token") == done["fullText"]
    assert done["suggestions"] == ["Tell me more", "Give an example", "Summarize that"]
    assert {r.json["model"] for r in fake.requests} == {"claude-stand-in"}
    assert fake.requests[-1].headers["authorization"] == f"Bearer {KEY}"


async def test_the_critic_runs_on_its_own_model(anthropic_server, model):
    server, fake = anthropic_server
    model.overload = False
    before = len(fake.requests)
    await events_of(server.url, f"an-{uuid.uuid4().hex[:8]}", "What is AI?")

    tools = [(r.json.get("tool_choice") or {}).get("name") for r in fake.requests[before:]]
    assert "Plan" in tools and "FollowUps" in tools
    assert "Verdict" not in tools


async def test_an_overloaded_error_mid_stream_is_an_error_event_and_loses_nothing(
    anthropic_server, model
):
    server, _ = anthropic_server
    session = f"an-{uuid.uuid4().hex[:8]}"
    model.overload = True
    try:
        events = await events_of(server.url, session, "What is AI?")
    finally:
        model.overload = False

    assert [e.data["text"] for e in events if e.event == "token"] == ["Half ", "an "]
    assert events[-1].event == "error"
    assert events[-1].data["code"] == "provider_error"
    assert "overloaded_error" in events[-1].data["message"]
    assert KEY not in events[-1].data["message"]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    messages = httpx.get(f"{server.url}/v1/sessions/{session}/messages", headers=headers).json()
    assert [m["role"] for m in messages["messages"]] == ["user"]
