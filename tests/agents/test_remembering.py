"""The facts a message states about its user, as the run's model lists them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from agents.degraded import DEGRADED
from agents.remembering import facts_told
from llm.builtin.provider import BuiltinModel
from llm.openai_provider import OpenAIProvider
from tests.support.fake_openai import FakeOpenAI, HTTPError, Text


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A loopback model that answers no facts until a test scripts it otherwise."""
    with FakeOpenAI(lambda request: Text('{"facts": []}')) as server:
        yield server


@pytest.fixture
async def hosted(fake: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    """A hosted provider on the loopback model, without retries."""
    provider = OpenAIProvider(
        base_url=fake.base_url, api_key="k", model="m", timeout=2, max_retries=0
    )
    yield provider
    await provider.aclose()


async def test_the_built_in_model_lists_each_statement_with_what_it_is_about():
    facts = await facts_told(BuiltinModel(), "My favourite colour is teal, and I love jazz.")
    assert facts == [
        ("favorite color", "My favourite colour is teal."),
        ("taste:jazz", "I love jazz."),
    ]


async def test_a_question_or_a_request_costs_no_call(hosted, fake):
    assert await facts_told(hosted, "What is my favourite colour?") == []
    assert await facts_told(hosted, "I have a question about Python.") == []
    assert fake.requests == []


async def test_a_hosted_models_facts_are_clamped_to_their_bounds(hosted, fake):
    many = [{"about": f"thing {n}", "statement": f"I own thing {n}."} for n in range(12)]
    fake.responder = lambda request: Text(json.dumps({"facts": many}))
    facts = await facts_told(hosted, "I own twelve things.")
    assert len(facts) == 8 and facts[0] == ("thing 0", "I own thing 0.")


async def test_a_failing_model_costs_the_memory_and_is_counted(hosted, fake):
    before = DEGRADED.labels("memory", "facts")._value.get()
    fake.responder = lambda request: HTTPError(500, "down", "server_error")
    assert await facts_told(hosted, "My sister lives in Oslo.") == []
    assert DEGRADED.labels("memory", "facts")._value.get() == before + 1
