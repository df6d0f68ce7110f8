"""POST /v1/chat/stream against a real daphne, read with a streaming HTTP client."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from harness.live_server import live_server
from operations.client import StreamEvent, StreamRejected, chat_body, stream_chat_http
from tests.support.waiting import eventually

TOKEN = "devkey"


def new_session() -> str:
    """A session id no other test uses."""
    return f"e2e-{uuid.uuid4().hex[:10]}"


async def chat(url: str, session: str, prompt: str, user: str = "alice") -> list[StreamEvent]:
    """Run one chat turn; return every event."""
    return [e async for e in stream_chat_http(url, TOKEN, chat_body(session, user, prompt))]


def done_of(events: list[StreamEvent]) -> dict:
    """The `done` payload (the last event)."""
    assert events[-1].event == "done", events[-1]
    return events[-1].data


def api(url: str, path: str) -> httpx.Response:
    """GET a JSON endpoint with the token."""
    return httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {TOKEN}"})


async def test_events_come_in_order_and_tokens_make_the_full_text(server):
    events = await chat(server.url, new_session(), "What is AI?")
    kinds = [e.event for e in events]
    assert kinds[:3] == ["run", "context", "agent"] and kinds[-1] == "done"
    assert {
        "run", "context", "agent", "tool_call_started", "tool_call_completed", "token", "done"
    } == set(kinds)  # fmt: skip
    assert kinds.index("tool_call_started") < kinds.index("token")
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    done = done_of(events)
    assert "".join(e.data["text"] for e in events if e.event == "token") == done["fullText"]
    assert len(done["suggestions"]) == 3
    timings = done["timings"]
    assert 0 < timings["ttft_ms"] <= timings["total_ms"]
    assert {"planner", "worker", "critic", "synthesizer"} <= set(timings)


async def test_it_remembers_a_name_and_a_colour_across_turns(server):
    session = new_session()
    await chat(server.url, session, "My name is Alice")
    assert "Alice" in done_of(await chat(server.url, session, "What is my name?"))["fullText"]
    await chat(server.url, session, "My favorite color is blue")
    answer = done_of(await chat(server.url, session, "What color did I say?"))["fullText"]
    assert "blue" in answer


async def test_a_users_name_is_known_in_their_next_session_and_to_no_other_user(server):
    """Turns are the session's; what users say about themselves is theirs (docs/memory.md)."""
    teller, other = f"teller-{uuid.uuid4().hex[:8]}", f"other-{uuid.uuid4().hex[:8]}"
    await chat(server.url, new_session(), "My name is Alice", user=teller)
    answer = done_of(await chat(server.url, new_session(), "What is my name?", user=teller))
    assert answer["fullText"] == "Your name is Alice."
    answer = done_of(await chat(server.url, new_session(), "What is my name?", user=other))
    assert answer["fullText"] == "You haven't told me your name yet."


async def test_everything_is_stored_and_visible_through_the_api(server):
    session = new_session()
    events = await chat(server.url, session, "How many messages have I sent?")
    done = done_of(events)
    tool_calls = sum(e.event == "tool_call_completed" for e in events)
    assert tool_calls >= 1
    messages = api(server.url, f"/v1/sessions/{session}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["id"] == done["messageId"]
    assert messages[1]["metadata"]["suggestions"] == done["suggestions"]
    assert messages[1]["metadata"]["timings"]["total_ms"] == done["timings"]["total_ms"]
    metrics = api(server.url, f"/v1/metrics/{session}").json()
    assert metrics["totalRequests"] == 1
    assert metrics["totalToolCalls"] == tool_calls
    assert metrics["avgTotalTimeMs"] == round(done["timings"]["total_ms"], 1)
    assert api(server.url, f"/v1/sessions/{session}").json()["messageCount"] == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"nope", 400),
        (b'{"sessionId": "x", "userId": "u"}', 422),
        (b'{"sessionId": "x y", "userId": "u", "prompt": "hi"}', 422),
        (b'{"sessionId": "x", "userId": "u", "prompt": "' + b"a" * 16_001 + b'"}', 413),
    ],
    ids=["not-json", "missing-prompt", "bad-session-id", "prompt-too-long"],
)
def test_a_bad_body_gets_its_4xx_before_any_event(server, body, status):
    response = httpx.post(
        f"{server.url}/v1/chat/stream",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()


async def test_a_missing_token_is_a_401(server):
    with pytest.raises(StreamRejected) as caught:
        async for _ in stream_chat_http(server.url, "wrong", chat_body("s", "u", "hi")):
            pass
    assert caught.value.status == 401


async def test_another_users_session_is_a_403_and_keeps_its_history(server):
    session = new_session()
    await chat(server.url, session, "My name is Alice", user="alice")
    with pytest.raises(StreamRejected) as caught:
        await chat(server.url, session, "What is my name?", user="bob")
    assert caught.value.status == 403
    assert api(server.url, f"/v1/sessions/{session}").json()["messageCount"] == 2


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory, template_db):
    """A server whose built-in model waits 200 ms between tokens and sends frequent heartbeats."""
    with live_server(
        tmp_path_factory.mktemp("slow"),
        template_db=template_db,
        BUILTIN_TOKEN_DELAY_MS="200",
        SSE_HEARTBEAT_SECONDS="0.1",
    ) as running:
        yield running


async def test_the_first_event_arrives_long_before_the_run_ends(slow_server):
    started = time.perf_counter()
    events = await chat(slow_server.url, new_session(), "What is AI?")
    first_token = next(e for e in events if e.event == "token")
    assert first_token.received_at - started < 1.0
    assert events[-1].received_at - first_token.received_at > 2.0


async def test_silence_is_filled_with_heartbeat_comments(slow_server):
    async with httpx.AsyncClient(timeout=30) as client:
        async with client.stream(
            "POST",
            f"{slow_server.url}/v1/chat/stream",
            json=chat_body(new_session(), "alice", "What is AI?"),
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response:
            text = "".join([chunk async for chunk in response.aiter_text()])
    assert ": heartbeat\n\n" in text


async def test_a_client_disconnect_cancels_the_run(slow_server):
    session = new_session()
    async with httpx.AsyncClient(timeout=30) as client:
        async for event in stream_chat_http(
            slow_server.url, TOKEN, chat_body(session, "alice", "What is AI?"), client=client
        ):
            if event.event == "token":
                break
    left_at = time.monotonic()

    async def recorded() -> dict | None:
        metrics = api(slow_server.url, f"/v1/metrics/{session}").json()
        return metrics if metrics["totalRequests"] else None

    metrics = await eventually(recorded, timeout=3, what="the cancelled run's metric")
    assert metrics["totalRequests"] == 1, "the cancelled run recorded its metric"
    assert time.monotonic() - left_at < 1.5
    messages = api(slow_server.url, f"/v1/sessions/{session}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["user"], "no half-written answer is stored"


async def test_concurrent_streams_all_complete_on_sqlite(server):
    runs = await asyncio.gather(
        *(chat(server.url, new_session(), "What is AI?") for _ in range(12))
    )
    assert all(events[-1].event == "done" for events in runs)
