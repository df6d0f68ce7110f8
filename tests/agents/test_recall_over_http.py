"""The recall table through the whole pipeline on the OpenAI-compatible provider.

The stand-in server answers like the built-in model but from the HTTP requests alone, so
each right answer shows that the agents' requests carried the user's facts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agents.graph import build_graph
from agents.state import RunContext
from agents.streaming import EventStreamingGraph
from agents.tools.base import ToolContext
from llm.builtin.memory import summarise
from llm.openai_provider import OpenAIProvider
from tests.agents.support import history
from tests.llm.recall_table import ALL_RECALL_PAIRS
from tests.support.fake_openai import FakeOpenAI, builtin_responder

pytestmark = pytest.mark.django_db(transaction=True)
IDS = [
    f"{question} after {' / '.join(said) or 'nothing'}" for said, question, _ in ALL_RECALL_PAIRS
]


def unsaved_graph() -> EventStreamingGraph:
    """The pipeline's graph without a checkpointer: the agents alone, nothing stored."""
    return EventStreamingGraph(build_graph().compile(name="orchestration"))


@pytest.fixture(scope="module")
def stand_in():
    """One loopback OpenAI-compatible server for the whole table."""
    with FakeOpenAI(builtin_responder) as fake:
        yield fake


@pytest.fixture
async def provider(stand_in) -> AsyncIterator[OpenAIProvider]:
    """The OpenAI-compatible provider, pointed at the stand-in."""
    provider = OpenAIProvider(base_url=stand_in.base_url, model="stand-in", max_retries=0)
    yield provider
    await provider.aclose()


async def answer(provider: OpenAIProvider, question: str, packed: list) -> str:
    """Run the four agents on `question` with the packed history; return the answer."""
    context = RunContext(provider, ToolContext(user_id="alice", session_id="alice-s1"))
    state = await unsaved_graph().ainvoke({"prompt": question, "history": packed}, context=context)
    return state["answer"]


def said(statements: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each statement as a user turn with a short reply."""
    return [turn for s in statements for turn in (("user", s), ("assistant", "OK."))]


@pytest.mark.parametrize(("statements", "question", "expected"), ALL_RECALL_PAIRS, ids=IDS)
async def test_facts_in_the_recent_turns_reach_the_model(provider, statements, question, expected):
    packed = history(*said(statements), session_id="alice-s1")
    assert await answer(provider, question, packed) == expected


@pytest.mark.parametrize(("statements", "question", "expected"), ALL_RECALL_PAIRS, ids=IDS)
async def test_facts_only_in_the_summary_reach_the_model(provider, statements, question, expected):
    summary = ""
    for statement in statements:
        summary = summarise(summary, [("user", statement), ("assistant", "OK.")])
    packed = history(summary=summary, session_id="alice-s1")
    assert await answer(provider, question, packed) == expected
