"""The Anthropic provider against a real loopback server speaking the Messages API."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from agents.schemas import Verdict
from llm.anthropic_provider import OMITTED_START, AnthropicProvider, to_anthropic
from llm.base import ProviderError
from llm.requests import CriticRequest, SynthesizerRequest, render
from llm.usage import Usage, metering
from tests.support.fake_anthropic import (
    FakeAnthropic,
    HTTPError,
    StreamError,
    Text,
    ToolUse,
)
from tests.support.fake_openai import Delay, replies_in_order

KEY = "sk-ant-test-0123456789"
HISTORY = [
    {"role": "system", "content": "Conversation summary so far:\nThe user is Alice."},
    {"role": "user", "content": "My name is Alice"},
    {"role": "assistant", "content": "Nice to meet you, Alice!"},
]
QUESTION = SynthesizerRequest(history=HISTORY, question="What is my name?")
REVIEW = CriticRequest(question="q", subtasks=[])
VALID = {"ok": True, "issues": [], "retry_subtasks": []}


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    """A loopback Messages API; each test scripts it through `fake.responder`."""
    with FakeAnthropic(lambda request: Text(["Your name", " is", " Alice."])) as server:
        yield server


@pytest.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    """A provider talking to `fake` without retries."""
    provider = AnthropicProvider(
        base_url=fake.base_url, api_key=KEY, model="claude-test", timeout=2, max_retries=0
    )
    yield provider
    await provider.aclose()


async def test_it_streams_the_text_deltas_in_order_past_the_pings(provider, fake):
    pieces = [piece async for piece in provider.stream(QUESTION)]

    assert pieces == ["Your name", " is", " Alice."]
    sent = fake.requests[0]
    assert sent.path == "/v1/messages"
    assert sent.json["stream"] is True
    assert sent.json["model"] == "claude-test" and sent.json["max_tokens"] == 4096
    assert sent.headers["authorization"] == f"Bearer {KEY}"


async def test_it_sends_the_system_messages_as_system_and_the_turns_alternating(provider, fake):
    await provider.complete(QUESTION)

    system, messages = to_anthropic(render(QUESTION))
    assert fake.requests[0].json["system"] == system
    assert system.startswith("You are the Synthesizer.") and "The user is Alice." in system
    assert fake.requests[0].json["messages"] == messages
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


def test_a_history_that_starts_with_the_assistant_gets_a_user_turn_first():
    system, messages = to_anthropic(
        [
            {"role": "system", "content": "S"},
            {"role": "assistant", "content": "A"},
            {"role": "user", "content": "U1"},
            {"role": "user", "content": "U2"},
        ]
    )
    assert system == "S"
    assert messages == [
        {"role": "user", "content": OMITTED_START},
        {"role": "assistant", "content": "A"},
        {"role": "user", "content": "U1\n\nU2"},
    ]


async def test_it_reports_the_usage_of_a_stream_under_the_requests_role(provider, fake):
    fake.responder = lambda request: Text("Hi there.", input_tokens=42, output_tokens=9)

    with metering() as meter:
        await provider.complete(QUESTION)

    assert meter.calls == [Usage("synthesizer", "anthropic", "claude-test", 42, 9)]


async def test_an_overloaded_error_mid_stream_is_a_provider_error_after_the_first_pieces(
    provider, fake
):
    fake.responder = lambda request: StreamError(["Half ", "an "], "overloaded_error")
    pieces = []

    with pytest.raises(ProviderError, match=r"stream .* failed \(overloaded_error\)") as raised:
        async for piece in provider.stream(QUESTION):
            pieces.append(piece)

    assert pieces == ["Half ", "an "]
    assert KEY not in str(raised.value)


async def test_a_529_before_the_stream_is_a_provider_error(provider, fake):
    fake.responder = lambda request: HTTPError(529, "overloaded_error", "Overloaded")

    with pytest.raises(ProviderError, match=r"HTTP 529 \(overloaded_error\): Overloaded"):
        await provider.complete(QUESTION)


async def test_a_529_is_retried_within_the_bound(fake):
    fake.responder = replies_in_order(HTTPError(529, "overloaded_error"), Text("Recovered."))
    provider = AnthropicProvider(base_url=fake.base_url, api_key=KEY, timeout=5, max_retries=1)

    assert await provider.complete(QUESTION) == "Recovered."
    await provider.aclose()
    assert len(fake.requests) == 2


async def test_an_error_that_echoes_the_key_is_redacted(provider, fake):
    fake.responder = lambda request: HTTPError(401, "authentication_error", f"bad key {KEY}")

    with pytest.raises(ProviderError, match="HTTP 401") as raised:
        await provider.complete(QUESTION)

    assert KEY not in str(raised.value) and "***" in str(raised.value)
    assert raised.value.__cause__ is None


async def test_structured_output_comes_from_a_forced_tool_call(provider, fake):
    fake.responder = lambda request: ToolUse(VALID, input_tokens=20, output_tokens=4)

    with metering() as meter:
        verdict = await provider.structured(REVIEW, Verdict)

    assert verdict == Verdict(ok=True)
    sent = fake.requests[0].json
    assert sent["tool_choice"] == {"type": "tool", "name": "Verdict"}
    assert sent["tools"][0]["input_schema"]["title"] == "Verdict"
    assert "stream" not in sent
    assert meter.calls == [Usage("critic", "anthropic", "claude-test", 20, 4)]


async def test_an_invalid_tool_input_is_retried_once_with_the_problem(provider, fake):
    fake.responder = replies_in_order(ToolUse({"ok": "perhaps"}), ToolUse(VALID))

    assert await provider.structured(REVIEW, Verdict) == Verdict(ok=True)

    retry = fake.requests[1].json["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"ok": "perhaps"}'}
    assert retry[-1]["role"] == "user" and "ok:" in retry[-1]["content"]


async def test_two_invalid_tool_inputs_are_a_provider_error(provider, fake):
    fake.responder = lambda request: ToolUse({"ok": "perhaps"})

    with pytest.raises(ProviderError, match="no valid Verdict in 2 attempts"):
        await provider.structured(REVIEW, Verdict)
    assert len(fake.requests) == 2


async def test_a_slow_api_is_a_provider_error_after_the_timeout(fake):
    fake.responder = lambda request: Delay(5, Text("late"))
    provider = AnthropicProvider(base_url=fake.base_url, api_key=KEY, timeout=0.3, max_retries=0)

    with pytest.raises(ProviderError, match=r"Timed out after 0.3s waiting for the Anthropic API"):
        await provider.complete(QUESTION)
    await provider.aclose()


async def test_an_unreachable_api_is_a_provider_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = AnthropicProvider(base_url=f"http://127.0.0.1:{port}", api_key=KEY, max_retries=0)

    with pytest.raises(ProviderError, match="Could not connect to the Anthropic API"):
        await provider.complete(QUESTION)


async def test_an_answer_past_the_size_bound_fails_mid_stream(fake):
    fake.responder = lambda request: Text(["x" * 60] * 10)
    provider = AnthropicProvider(
        base_url=fake.base_url, api_key=KEY, max_retries=0, max_output_chars=200
    )
    received = []
    with pytest.raises(ProviderError, match="more than 200 characters"):
        async for piece in provider.stream(QUESTION):
            received.append(piece)
    assert "".join(received) == "x" * 180, "the pieces within the bound were streamed"
    await provider.aclose()
