"""Two server processes on one database: what one is told or changes, the other recalls at once.

Each process holds its users' vectors (memory/vectors.py); these tests are what keeps that copy
honest when the write happens in the other process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from harness.live_server import LiveServer, live_servers
from operations.client import stream_chat_http
from tests.support.keys import create_key


@pytest.fixture(scope="module")
def pair(tmp_path_factory, template_db) -> Iterator[list[LiveServer]]:
    """Two daphne processes sharing one database."""
    with live_servers(tmp_path_factory.mktemp("memory-pair"), 2, template_db=template_db) as both:
        yield both


async def answer(server: LiveServer, key: str, prompt: str) -> str:
    """The answer to `prompt` in a new chat of the key's user."""
    body = {"sessionId": f"mem-{uuid.uuid4().hex[:10]}", "prompt": prompt}
    events = [event async for event in stream_chat_http(server.url, key, body)]
    assert events[-1].event == "done", events[-1]
    return events[-1].data["fullText"]


def memories(server: LiveServer, key: str) -> httpx.Client:
    """A client of the key's user on `server`."""
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"})


async def test_a_change_made_through_one_process_is_recalled_by_the_other(pair):
    a, b = pair
    key = create_key(a.sqlite_path, f"two-{uuid.uuid4().hex[:8]}")
    sister = "Where does my sister live?"
    await answer(a, key, "My sister lives in Oslo.")
    for server in (a, b):  # each now holds the user's vectors
        assert await answer(server, key, sister) == "Your sister lives in Oslo."
    await answer(b, key, "My brother lives in Rome.")  # b's write: a's copy is behind
    assert await answer(a, key, "Where does my brother live?") == "Your brother lives in Rome."
    with memories(a, key) as client:  # a's write, changing what the item is about
        listed = client.get("/v1/memories", params={"q": "sister"}).json()["memories"]
        changed = {"text": "My cat is called Tom."}
        assert client.patch(f"/v1/memories/{listed[0]['id']}", json=changed).status_code == 200
    assert await answer(b, key, "What is my cat called?") == "Your cat is called Tom."
    assert "Oslo" not in await answer(b, key, sister)
    with memories(b, key) as client:
        assert client.delete("/v1/memories").json() == {"deleted": 2}
    assert "Rome" not in await answer(a, key, "Where does my brother live?")
