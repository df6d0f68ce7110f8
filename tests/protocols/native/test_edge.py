"""The consumer's own edge checks, in-process (they hold under any ASGI server)."""

from __future__ import annotations

import json

import pytest
from channels.testing import ApplicationCommunicator

from chat.models import Session
from protocols.native.consumers import ChatStreamConsumer

pytestmark = pytest.mark.django_db(transaction=True)
BASE = [(b"host", b"testserver"), (b"authorization", b"Bearer devkey")]
JSON = [(b"content-type", b"application/json")]
VALID = json.dumps({"sessionId": "edge-1", "userId": "alice", "prompt": "hi"}).encode()


async def answer(headers, messages: list[dict]) -> tuple[int, dict, dict]:
    """Send `messages` (http.request) and return the status, headers and JSON body."""
    scope = {"type": "http", "method": "POST", "path": "/v1/chat/stream", "headers": headers}
    communicator = ApplicationCommunicator(ChatStreamConsumer.as_asgi(), scope)
    for message in messages:
        await communicator.send_input({"type": "http.request", **message})
    start = await communicator.receive_output(timeout=10)
    body = await communicator.receive_output(timeout=10)
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    return start["status"], dict(start["headers"]), json.loads(body["body"])


async def test_a_header_that_is_not_utf8_is_a_400():
    status, _, body = await answer([*BASE, *JSON, (b"x-note", b"caf\xe9")], [{"body": VALID}])
    assert (status, body) == (400, {"detail": "Header bytes must be valid UTF-8"})


async def test_a_declared_length_over_the_limit_is_a_413_before_any_body(settings):
    settings.MAX_BODY_BYTES = 1024
    headers = [*BASE, *JSON, (b"content-length", b"5000")]
    status, _, _ = await answer(headers, [{"body": b"", "more_body": True}])
    assert status == 413


async def test_a_streamed_body_over_the_limit_is_a_413_without_its_end(settings):
    settings.MAX_BODY_BYTES = 1024
    chunk = {"body": b" " * 600, "more_body": True}
    status, _, _ = await answer([*BASE, *JSON], [chunk, chunk])
    assert status == 413
    assert not await Session.objects.filter(session_id="edge-1").aexists()


async def test_checks_run_in_order_host_before_auth_before_content_type():
    wrong_host = [(b"host", b"evil.example"), *JSON]
    assert (await answer(wrong_host, [{"body": VALID}]))[0] == 400
    no_auth = [(b"host", b"testserver"), (b"content-type", b"text/plain")]
    status, headers, _ = await answer(no_auth, [{"body": VALID}])
    assert status == 401 and headers[b"www-authenticate"].startswith(b"Bearer")
    assert (await answer([*BASE, (b"content-type", b"multipart/form-data")], [{"body": VALID}]))[
        0
    ] == 415


async def test_a_json_content_type_with_a_charset_is_accepted():
    headers = [*BASE, (b"content-type", b"application/json; charset=utf-8")]
    scope = {"type": "http", "method": "POST", "path": "/v1/chat/stream", "headers": headers}
    communicator = ApplicationCommunicator(ChatStreamConsumer.as_asgi(), scope)
    await communicator.send_input({"type": "http.request", "body": VALID})
    start = await communicator.receive_output(timeout=10)
    assert start["status"] == 200
    while (await communicator.receive_output(timeout=10)).get("more_body"):
        pass
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
