"""Turns that leave the short-term window are folded into the summary, and still recalled."""

from __future__ import annotations

import uuid

import httpx
import pytest

from harness.live_server import live_server
from operations.client import chat_body, stream_chat_http
from tests.support.waiting import eventually

TOKEN = "devkey"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def forgetful_server(tmp_path_factory, template_db):
    """A server that keeps only the last two messages verbatim."""
    with live_server(
        tmp_path_factory.mktemp("k2"), template_db=template_db, SHORT_TERM_K="2"
    ) as server:
        yield server


async def say(url: str, session: str, prompt: str) -> str:
    """One turn; return the answer."""
    events = [e async for e in stream_chat_http(url, TOKEN, chat_body(session, "alice", prompt))]
    assert events[-1].event == "done", events[-1]
    return events[-1].data["fullText"]


async def summary_of(url: str, session: str, containing: str) -> str:
    """Wait briefly for the after-response summary update; return the summary."""

    async def summarised() -> str | None:
        summary = httpx.get(f"{url}/v1/sessions/{session}", headers=HEADERS).json()["summary"]
        return summary if containing in summary else None

    return await eventually(summarised, timeout=10, what=f"a summary containing {containing!r}")


async def test_a_name_outside_the_window_is_recalled_from_the_summary(forgetful_server):
    url, session = forgetful_server.url, f"ltm-{uuid.uuid4().hex[:8]}"
    await say(url, session, "My name is Alice")
    await say(url, session, "My favorite color is blue")
    await say(url, session, "What is AI?")
    summary = await summary_of(url, session, "favorite color = blue")
    assert "name = Alice" in summary and "favorite color = blue" in summary
    assert await say(url, session, "What is my name?") == "Your name is Alice."
    assert "blue" in await say(url, session, "What color did I say?")
