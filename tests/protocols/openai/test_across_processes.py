"""A background response across two daphne processes sharing one database and a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from harness.live_server import LiveServer, live_servers
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user
from tests.support.runs import SLOW_RUNS


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path, redis_url: str
) -> Iterator[list[LiveServer]]:
    """Processes A and B: one database, one Redis, runs slow enough to act on."""
    workdir = tmp_path_factory.mktemp("openai-pair")
    with live_servers(workdir, 2, template_db=template_db, REDIS_URL=redis_url, **SLOW_RUNS) as ab:
        yield ab


def clients(pair: list[LiveServer]) -> tuple[openai.OpenAI, openai.OpenAI]:
    """The SDK on A and on B."""
    return tuple(
        openai.OpenAI(base_url=base_url(server), api_key=SERVICE_KEY, max_retries=0)
        for server in pair
    )


def test_a_response_started_on_a_resumes_on_b_after_a_sequence_number(pair):
    a, b = clients(pair)
    started = a.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    seen = []
    with a.responses.retrieve(started.id, stream=True) as stream:
        for event in stream:
            seen.append(event)
            if event.type == "response.output_text.delta":
                break
    after = seen[-1].sequence_number
    rest = list(b.responses.retrieve(started.id, stream=True, starting_after=after))
    assert [e.sequence_number for e in rest] == list(range(after + 1, after + 1 + len(rest)))
    assert rest[-1].type == "response.completed"
    text = "".join(e.delta for e in seen + rest if e.type == "response.output_text.delta")
    assert text == rest[-1].response.output_text
    assert b.responses.retrieve(started.id).output_text == text


def test_a_response_running_on_a_is_cancelled_from_b(pair):
    a, b = clients(pair)
    started = a.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    with a.responses.retrieve(started.id, stream=True) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                break  # the run is answering, on A
    assert b.responses.cancel(started.id).status == "cancelled"
    assert a.responses.retrieve(started.id).status == "cancelled"
    events = list(b.responses.retrieve(started.id, stream=True))
    assert events[-1].type == "response.incomplete"
