"""The SSE consumer in-process, read chunk by chunk through an ApplicationCommunicator."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import ApplicationCommunicator
from django.db import OperationalError, connection

from chat.models import Message, Session
from operations.client import SSEParser
from protocols.native.consumers import ChatStreamConsumer
from runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)
AUTH = [(b"authorization", b"Bearer devkey"), (b"content-type", b"application/json")]


def scope(method: str = "POST", headers=AUTH) -> dict:
    """An ASGI HTTP scope for the stream endpoint."""
    headers = [(b"host", b"testserver"), *headers]
    return {"type": "http", "method": method, "path": "/v1/chat/stream", "headers": headers}


async def exchange(body: dict | bytes, **scope_args) -> tuple[dict, bytes]:
    """Send one request; return the response start message and the whole body."""
    communicator = ApplicationCommunicator(ChatStreamConsumer.as_asgi(), scope(**scope_args))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    await communicator.send_input({"type": "http.request", "body": raw})
    start = await communicator.receive_output(timeout=10)
    chunks = []
    while True:
        message = await communicator.receive_output(timeout=10)
        chunks.append(message["body"])
        if not message.get("more_body"):
            break
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    return start, b"".join(chunks)


async def test_it_streams_a_run_as_events_with_sse_headers():
    start, body = await exchange({"sessionId": "c1", "userId": "alice", "prompt": "What is AI?"})
    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-type"].startswith(b"text/event-stream")
    assert headers[b"cache-control"] == b"no-cache"
    assert headers[b"x-accel-buffering"] == b"no"
    run_id = headers[b"x-run-id"].decode()
    assert headers[b"content-location"] == f"/v1/runs/{run_id}".encode()
    assert headers[b"location"] == f"/v1/runs/{run_id}/stream".encode()
    assert body.startswith(b"retry: ")
    events = SSEParser().feed(body.decode())
    assert events[0].event == "run" and events[-1].event == "done"
    assert events[0].data == {"runId": run_id, "sessionId": "c1", "status": "running"}
    assert [events[1].event, events[2].event] == ["context", "agent"]
    assert events[1].data["budget"] == 3000 and events[1].data["turns"]["kept"] == 0
    assert [e.id for e in events] == list(range(1, len(events) + 1))


async def test_the_retry_line_rides_with_the_first_events_and_done_ends_the_body():
    communicator = ApplicationCommunicator(ChatStreamConsumer.as_asgi(), scope())
    body = {"sessionId": "c1b", "userId": "alice", "prompt": "What is AI?"}
    await communicator.send_input({"type": "http.request", "body": json.dumps(body).encode()})
    await communicator.receive_output(timeout=10)
    messages = [await communicator.receive_output(timeout=10)]
    while messages[-1].get("more_body"):
        messages.append(await communicator.receive_output(timeout=10))
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    first = messages[0]["body"]
    assert first.startswith(b"retry: ") and b"\nevent: run\n" in first
    assert [m["body"] for m in messages if not m["body"]] == []  # no empty chunk, no end chunk
    events = SSEParser().feed(messages[-1]["body"].decode())
    assert events[-1].event == "done" and messages[-1].get("more_body") is False


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([], 401),
        ([(b"authorization", b"Bearer nope")], 401),
        ([(b"token", b"devkey"), (b"content-type", b"application/json")], 200),
    ],
    ids=["no-token", "wrong-token", "original-token-header"],
)
async def test_it_authenticates_like_the_json_api(headers, status):
    start, _ = await exchange(
        {"sessionId": "c2", "userId": "alice", "prompt": "hi"}, headers=headers
    )
    assert start["status"] == status


async def test_a_bad_body_gets_a_json_error_and_stores_nothing():
    start, body = await exchange(b'{"sessionId": "c3", "prompt": "hi"}')
    assert start["status"] == 422
    assert dict(start["headers"])[b"content-type"] == b"application/json"
    assert json.loads(body)["detail"][0]["loc"] == ["body", "userId"]
    assert not await Session.objects.filter(session_id="c3").aexists()


async def test_another_users_session_is_forbidden_and_untouched():
    await Session.objects.acreate(session_id="c4", user_id="bob")
    start, body = await exchange({"sessionId": "c4", "userId": "alice", "prompt": "hi"})
    assert start["status"] == 403
    assert "another user" in json.loads(body)["detail"]
    assert await Message.objects.filter(session_id="c4").acount() == 0


async def test_only_post_is_allowed():
    start, _ = await exchange(b"", method="GET")
    assert start["status"] == 405
    assert dict(start["headers"])[b"allow"] == b"POST"


@pytest.mark.parametrize(
    ("failure", "status", "said"),
    [
        (OperationalError("disk I/O error"), 503, "database is unavailable"),
        (RuntimeError("a bug"), 500, "server log"),
    ],
    ids=["database", "bug"],
)
async def test_a_failure_while_opening_the_turn_answers_5xx_and_stores_nothing(
    failure, status, said
):
    session = await Session.objects.acreate(session_id="c5", user_id="alice")
    earlier = await Message.objects.acreate(
        session=session, user_id="alice", role="user", content="Hello"
    )

    def broken_history(execute, sql, params, many, context):
        if 'FROM "messages"' in sql:
            raise failure
        return execute(sql, params, many, context)

    # The wrapper goes on the connection of the thread that runs the database trips.
    await sync_to_async(lambda: connection.execute_wrappers.append(broken_history))()
    try:
        start, body = await exchange({"sessionId": "c5", "userId": "alice", "prompt": "hi"})
    finally:
        await sync_to_async(lambda: connection.execute_wrappers.remove(broken_history))()
    assert start["status"] == status
    assert said in json.loads(body)["detail"]
    assert not await Run.objects.filter(session_id="c5").aexists()
    assert [m.pk async for m in Message.objects.filter(session_id="c5")] == [earlier.pk]
    session = await Session.objects.aget(session_id="c5")
    assert session.active_run_id is None, "the session is free for the next prompt"
