"""What a user says in one chat is known in the next, on a real server, for that user only.

Each test's users are its own (a uuid in their ids): memories belong to users, not sessions,
and the shared server outlives every test.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from harness.live_server import LiveServer
from operations.client import stream_chat_http
from tests.support.keys import create_key


def user_pair(server: LiveServer) -> tuple[str, str]:
    """Keys of two new users: the first tells things, the second must never hear them."""
    tag = uuid.uuid4().hex[:8]
    return create_key(server.sqlite_path, f"teller-{tag}"), create_key(
        server.sqlite_path, f"other-{tag}"
    )


async def answer(server: LiveServer, key: str, prompt: str) -> str:
    """The answer to `prompt` in a new chat of the key's user."""
    body = {"sessionId": f"mem-{uuid.uuid4().hex[:10]}", "prompt": prompt}
    events = [event async for event in stream_chat_http(server.url, key, body)]
    assert events[-1].event == "done", events[-1]
    return events[-1].data["fullText"]


async def test_facts_said_in_one_chat_are_answered_in_the_next(server: LiveServer):
    teller, other = user_pair(server)
    await answer(server, teller, "My favourite colour is teal.")
    await answer(server, teller, "Remember that my sister lives in Oslo.")
    assert await answer(server, teller, "What is my favourite colour?") == (
        "Your favorite color is teal."
    )
    assert await answer(server, teller, "Where does my sister live?") == (
        "Your sister lives in Oslo."
    )
    assert "teal" not in await answer(server, other, "What is my favourite colour?")
    assert "Oslo" not in await answer(server, other, "Where does my sister live?")


async def test_a_correction_in_a_later_chat_wins(server: LiveServer):
    teller, _ = user_pair(server)
    await answer(server, teller, "My favourite colour is teal.")
    await answer(server, teller, "Actually, my favourite colour is maroon.")
    assert await answer(server, teller, "What is my favourite colour?") == (
        "Your favorite color is maroon."
    )


async def test_what_is_remembered_is_listed_and_forgotten_through_the_api(server: LiveServer):
    teller, _ = user_pair(server)
    await answer(server, teller, "I have two cats.")
    headers = {"Authorization": f"Bearer {teller}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        listed = client.get("/v1/memories").json()["memories"]
        assert [memory["text"] for memory in listed] == ["I have two cats."]
        assert listed[0]["source"] == "said" and listed[0]["sessionId"].startswith("mem-")
        assert client.delete("/v1/memories").json() == {"deleted": 1}
    reply = await answer(server, teller, "How many cats do I have?")
    assert "two" not in reply


@pytest.mark.parametrize("prompt", ["What do you remember about me?", "What do you know about me?"])
async def test_asked_what_it_remembers_it_answers_from_memory(server: LiveServer, prompt: str):
    teller, _ = user_pair(server)
    await answer(server, teller, "My favourite colour is teal. My sister lives in Oslo.")
    reply = await answer(server, teller, prompt)
    assert "your favorite color is teal" in reply and "your sister lives in Oslo" in reply
