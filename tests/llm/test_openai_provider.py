"""The OpenAI-compatible provider against a real loopback server, its factory and checks."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured

from agents import checks
from agents.providers import PROVIDER_NAMES, get_provider, reset_provider
from agents.schemas import FollowUps, Plan, Verdict
from llm.base import ROLES, ProviderError
from llm.builtin.provider import BuiltinModel
from llm.openai_provider import OpenAIProvider, strip_code_fence
from llm.remote import NO_KEY_PLACEHOLDER
from llm.requests import SynthesizerRequest, render
from tests.support.fake_openai import (
    BrokenStream,
    Delay,
    FakeOpenAI,
    HTTPError,
    Raw,
    Text,
    Trickle,
    pipeline_responder,
    replies_in_order,
)

KEY = "sk-test-0123456789abcdef"
QUESTION = SynthesizerRequest(question="What is the capital of France?")
VALID_VERDICT = '{"ok": true, "issues": [], "retry_subtasks": []}'


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A loopback server; each test scripts it by setting `fake.responder`."""
    with FakeOpenAI(lambda request: Text("Paris.")) as server:
        yield server


@pytest.fixture
async def provider(fake: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    """A provider talking to `fake`, with no retries and a short timeout to keep tests fast."""
    provider = OpenAIProvider(
        base_url=fake.base_url, api_key=KEY, model="test-model", timeout=0.5, max_retries=0
    )
    yield provider
    await provider.aclose()


@pytest.fixture(autouse=True)
def fresh_providers() -> Iterator[None]:
    """Start and end every test without shared providers."""
    reset_provider()
    yield
    reset_provider()


async def test_it_returns_the_whole_answer_and_sends_the_model_and_key(provider, fake):
    assert await provider.complete(QUESTION) == "Paris."

    (request,) = fake.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json["model"] == "test-model"
    assert request.json["messages"] == render(QUESTION)


async def test_it_sends_a_placeholder_key_when_none_is_configured(fake):
    provider = OpenAIProvider(base_url=fake.base_url, api_key="", max_retries=0)

    await provider.complete(QUESTION)
    await provider.aclose()

    assert fake.requests[0].headers["authorization"] == f"Bearer {NO_KEY_PLACEHOLDER}"


async def test_it_streams_the_chunks_in_order(provider, fake):
    fake.responder = lambda request: Text(["The capital", " is", " Paris", "."])

    pieces = [piece async for piece in provider.stream(QUESTION)]

    assert pieces == ["The capital", " is", " Paris", "."]
    assert "".join(pieces) == "The capital is Paris."
    assert fake.requests[0].json["stream"] is True


async def test_it_parses_a_valid_json_reply_into_the_schema(provider, fake):
    fake.responder = lambda request: Text(VALID_VERDICT)

    verdict = await provider.structured(QUESTION, Verdict)

    assert verdict == Verdict(ok=True)
    sent = fake.requests[0].json
    assert sent["response_format"] == {"type": "json_object"}
    assert [message["role"] for message in sent["messages"]] == ["system", "system", "user"]
    assert '"title": "Verdict"' in sent["messages"][1]["content"]


async def test_it_retries_once_with_the_validation_error_then_succeeds(provider, fake):
    fake.responder = replies_in_order(Text('{"ok": "perhaps"}'), Text(VALID_VERDICT))

    assert await provider.structured(QUESTION, Verdict) == Verdict(ok=True)

    retry = fake.requests[1].json["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"ok": "perhaps"}'}
    assert retry[-1]["role"] == "user" and "ok:" in retry[-1]["content"]


async def test_it_raises_provider_error_after_two_invalid_replies(provider, fake):
    fake.responder = lambda request: Text("not json at all")

    with pytest.raises(ProviderError, match="no valid Verdict JSON in 2 attempts"):
        await provider.structured(QUESTION, Verdict)
    assert len(fake.requests) == 2


async def test_it_accepts_json_wrapped_in_a_code_fence(provider, fake):
    fake.responder = lambda request: Text(f"```json\n{VALID_VERDICT}\n```")

    assert await provider.structured(QUESTION, Verdict) == Verdict(ok=True)


async def test_it_raises_provider_error_on_a_server_error(provider, fake):
    fake.responder = lambda request: HTTPError(500, "The engine is overloaded.")

    with pytest.raises(ProviderError, match="HTTP 500") as raised:
        await provider.complete(QUESTION)
    assert "overloaded" in str(raised.value)


async def test_it_raises_provider_error_without_the_key_when_the_key_is_refused(provider, fake):
    fake.responder = lambda request: HTTPError(
        401, f"Incorrect API key provided: {KEY}.", "invalid_request_error", "invalid_api_key"
    )

    with pytest.raises(ProviderError, match="HTTP 401") as raised:
        await provider.complete(QUESTION)
    assert KEY not in str(raised.value)
    assert raised.value.__cause__ is None


async def test_it_raises_provider_error_on_malformed_json(provider, fake):
    fake.responder = lambda request: Raw("{not json")

    with pytest.raises(ProviderError, match="malformed response"):
        await provider.complete(QUESTION)


async def test_it_raises_provider_error_when_the_stream_breaks_off(provider, fake):
    fake.responder = lambda request: BrokenStream(["The capital", " is"])
    pieces: list[str] = []

    with pytest.raises(ProviderError, match="broke off"):
        async for piece in provider.stream(QUESTION):
            pieces.append(piece)
    assert pieces == ["The capital", " is"]


async def test_it_raises_provider_error_when_the_stream_ends_without_content(provider, fake):
    fake.responder = lambda request: Text([])

    with pytest.raises(ProviderError, match="empty answer"):
        [piece async for piece in provider.stream(QUESTION)]


async def test_it_raises_provider_error_when_the_server_is_slower_than_the_timeout(provider, fake):
    fake.responder = lambda request: Delay(5)

    with pytest.raises(ProviderError, match="Timed out after 0.5s"):
        await provider.complete(QUESTION)


async def test_it_raises_provider_error_when_the_connection_is_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = OpenAIProvider(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, max_retries=0)

    with pytest.raises(
        ProviderError, match=f"Could not connect to the LLM API at 127.0.0.1:{port}"
    ):
        await provider.complete(QUESTION)
    await provider.aclose()


# The first loop's client is dropped unclosed: its sockets cannot be closed once the loop is gone.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_it_keeps_working_from_one_event_loop_to_the_next(fake):
    provider = OpenAIProvider(base_url=fake.base_url, api_key=KEY, max_retries=0)

    async def ask_then_close() -> str:
        try:
            return await provider.complete(QUESTION)
        finally:
            await provider.aclose()

    assert asyncio.run(provider.complete(QUESTION)) == "Paris."
    assert asyncio.run(ask_then_close()) == "Paris."
    gc.collect()  # let the dropped client's warning fire while it is filtered


@pytest.mark.parametrize("schema", [Plan, Verdict, FollowUps])
async def test_the_pipeline_responder_answers_every_schema(provider, fake, schema):
    fake.responder = pipeline_responder

    assert isinstance(await provider.structured(QUESTION, schema), schema)


async def test_the_pipeline_responder_streams_an_answer_quoting_the_prompt(provider, fake):
    fake.responder = pipeline_responder

    pieces = [piece async for piece in provider.stream(QUESTION)]

    assert len(pieces) > 3
    assert "What is the capital of France?" in "".join(pieces)


@pytest.mark.parametrize("name", ["builtin", "mock"])
def test_the_factory_gives_the_builtin_model_for_builtin_and_mock(settings, name):
    settings.LLM_PROVIDER = name

    assert all(isinstance(get_provider().for_role(role), BuiltinModel) for role in ROLES)


def test_the_factory_gives_an_openai_provider_configured_from_settings(settings):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_MODEL = "local-llama"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:11434/v1"

    provider = get_provider().for_role("synthesizer")

    assert isinstance(provider, OpenAIProvider)
    assert (provider.model, provider.base_url) == ("local-llama", "http://127.0.0.1:11434/v1")


def test_the_factory_reuses_one_provider_until_settings_change_or_it_is_reset(settings):
    settings.LLM_PROVIDER = "openai"
    first = get_provider()

    assert get_provider() is first
    settings.OPENAI_MODEL = "another-model"
    assert get_provider() is not first
    second = get_provider()
    reset_provider()
    assert get_provider() is not second


def test_the_factory_rejects_an_unknown_provider(settings):
    settings.LLM_PROVIDER = "gpt-magic"

    with pytest.raises(ImproperlyConfigured, match="LLM_PROVIDER='gpt-magic'"):
        get_provider()


def test_the_factory_names_every_provider():
    assert set(PROVIDER_NAMES) == {"builtin", "mock", "openai", "anthropic"}


def test_the_check_reports_an_unknown_provider_as_e001(settings):
    settings.LLM_PROVIDER = "gpt-magic"

    assert [message.id for message in checks.check_llm_provider()] == ["agents.E001"]


def test_the_check_accepts_every_known_provider(settings):
    for name in PROVIDER_NAMES:
        settings.LLM_PROVIDER = name
        assert checks.check_llm_provider() == []


def test_the_check_warns_w001_when_the_public_api_would_get_no_key(settings):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = None

    assert [message.id for message in checks.check_openai_credentials()] == ["agents.W001"]


@pytest.mark.parametrize(
    ("provider_name", "key", "base_url"),
    [("openai", KEY, None), ("openai", "", "http://127.0.0.1:8000/v1"), ("builtin", "", None)],
)
def test_the_check_stays_quiet_when_a_key_or_local_server_is_set(
    settings, provider_name, key, base_url
):
    settings.LLM_PROVIDER = provider_name
    settings.OPENAI_API_KEY = key
    settings.OPENAI_BASE_URL = base_url

    assert checks.check_openai_credentials() == []


def test_the_checks_are_registered_with_django():
    registered = django_checks.registry.registry.get_checks()

    assert checks.check_llm_provider in registered
    assert checks.check_openai_credentials in registered


async def test_a_stream_that_never_ends_fails_at_the_calls_time_bound(fake):
    # Each chunk arrives well within the read timeout; the whole call does not.
    fake.responder = lambda request: Trickle(["token "] * 1000, seconds=0.05)
    provider = OpenAIProvider(
        base_url=fake.base_url, api_key=KEY, timeout=5, max_retries=0, max_seconds=0.5
    )
    received = []
    with pytest.raises(ProviderError, match="took longer than 0.5s in all"):
        async for piece in provider.stream(QUESTION):
            received.append(piece)
    assert 0 < len(received) < 1000
    await provider.aclose()


async def test_an_answer_past_the_size_bound_fails_streamed_or_whole(fake):
    fake.responder = lambda request: Text(["x" * 60] * 10)
    provider = OpenAIProvider(
        base_url=fake.base_url, api_key=KEY, max_retries=0, max_output_chars=200
    )
    with pytest.raises(ProviderError, match="more than 200 characters"):
        async for _piece in provider.stream(QUESTION):
            pass
    with pytest.raises(ProviderError, match="more than 200 characters"):
        await provider.complete(QUESTION)
    await provider.aclose()


async def test_a_structured_reply_past_the_size_bound_is_refused_before_parsing(fake):
    fake.responder = lambda request: Text('{"ok": true, "issues": ["' + "x" * 5000 + '"]}')
    provider = OpenAIProvider(
        base_url=fake.base_url, api_key=KEY, max_retries=0, max_output_chars=1000
    )
    with pytest.raises(ProviderError, match="more than 1000 characters"):
        await provider.structured(QUESTION, Verdict)
    await provider.aclose()


@pytest.mark.parametrize(
    ("reply", "stripped"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}```', '{"a": 1}'),
        ('  ```json{"a": 1}```  ', '{"a": 1}'),
        ("``````", ""),
        ('{"a": 1}', '{"a": 1}'),
        ("````", "````"),
        ('```json {"a": "```"} ```', '{"a": "```"}'),
    ],
)
def test_a_code_fence_is_stripped_as_before(reply, stripped):
    assert strip_code_fence(reply) == stripped


def test_a_hostile_fence_is_read_in_linear_time():
    # The old pattern backtracked in cubic time on this (8.6 s for 2,500 spaces).
    hostile = "```" + " " * 200_000 + "x"
    assert strip_code_fence(hostile) == hostile
