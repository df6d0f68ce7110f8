"""`POST /ag-ui`'s failure modes and owner rules, over raw sockets and HTTP."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from harness.live_server import LiveServer
from tests.support.keys import create_key
from tests.support.raw_http import exchange
from tests.support.runs import owner_of

SERVICE = {"Authorization": "Bearer devkey"}


def run_input(thread: str, text: str = "What is AI?", **extra: object) -> dict:
    """A RunAgentInput of one user message."""
    return {
        "threadId": thread,
        "runId": str(uuid.uuid4()),
        "messages": [{"id": "u1", "role": "user", "content": text}],
        "tools": [],
        "context": [],
        "state": {},
        **extra,
    }


def new_thread() -> str:
    """A thread id no other test uses."""
    return f"ag-{uuid.uuid4().hex[:10]}"


def raw_post(server: LiveServer, payload: bytes) -> tuple[int, dict]:
    """POST /ag-ui over a raw socket with the service key; (status, JSON body) within 1 s."""
    head = (
        b"POST /ag-ui HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload)
    )
    response = exchange(int(server.url.rsplit(":", 1)[1]), head, payload)
    assert response.seconds < 1.0
    return response.status, response.json()


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        (b"{", 400, "Invalid JSON"),
        (b"[]", 400, "RunAgentInput"),
        (json.dumps({"threadId": "t", "runId": "r", "messages": []}).encode(), 400, "messages"),
        (json.dumps(run_input("../t")).encode(), 400, "threadId"),
        (
            json.dumps(
                run_input(new_thread(), "x" * 16_001, forwardedProps={"userId": "u"})
            ).encode(),
            413,
            "longer than",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u"})
                | {"messages": [{"id": "a", "role": "assistant", "content": "hi"}]}
            ).encode(),
            400,
            "last message",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u"})
                | {"messages": [{"id": "a", "role": "user", "content": [{"type": "image"}]}]}
            ).encode(),
            400,
            "image",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u", "interruptBefore": ["x"]})
            ).encode(),
            400,
            "forwardedProps.interruptBefore: no agent 'x'",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u", "approveWrites": "yes"})
            ).encode(),
            400,
            "approveWrites",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u"})
                | {"resume": [{"interruptId": "i", "status": "resolved"}]}
            ).encode(),
            404,
            "not found",
        ),
        (
            json.dumps(
                run_input(new_thread(), forwardedProps={"userId": "u"})
                | {"resume": [{"interruptId": "i", "status": "maybe"}]}
            ).encode(),
            400,
            "resume",
        ),
    ],
    ids=[
        "truncated",
        "array",
        "no-messages",
        "bad-thread",
        "long",
        "last-not-user",
        "image",
        "unknown-agent",
        "approve-not-boolean",
        "resume-unknown-thread",
        "resume-bad-status",
    ],
)
def test_bad_inputs_get_a_clear_error_before_any_event(server, payload, status, words):
    got_status, got = raw_post(server, payload)
    assert got_status == status and words in got["detail"], got


def test_the_service_key_without_a_user_is_refused_where_there_is_no_default(named_users_server):
    got_status, got = raw_post(named_users_server, json.dumps(run_input(new_thread())).encode())
    assert got_status == 400 and "forwardedProps.userId" in got["detail"]


def test_on_a_development_server_the_service_key_without_a_user_acts_as_dev_user(server):
    thread = new_thread()
    response = httpx.post(f"{server.url}/ag-ui", json=run_input(thread), headers=SERVICE)
    assert "RUN_FINISHED" in response.text
    assert owner_of(server.url, thread) == "dev-user"


def test_without_a_key_json_or_post(server):
    port = int(server.url.rsplit(":", 1)[1])
    no_key = (
        b"POST /ag-ui HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n"
    )
    assert exchange(port, no_key, b"{}").status == 401
    text = (
        b"POST /ag-ui HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2\r\n\r\n"
    )
    assert exchange(port, text, b"{}").status == 415
    get = b"GET /ag-ui HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n\r\n"
    assert exchange(port, get).status == 405


def test_another_users_thread_is_not_found(server):
    owner = create_key(server.sqlite_path, f"ag-{uuid.uuid4().hex[:8]}")
    stranger = create_key(server.sqlite_path, f"ag-{uuid.uuid4().hex[:8]}")
    thread = new_thread()
    first = httpx.post(
        f"{server.url}/ag-ui", json=run_input(thread), headers={"Authorization": f"Bearer {owner}"}
    )
    assert first.status_code == 200 and "RUN_FINISHED" in first.text
    refused = httpx.post(
        f"{server.url}/ag-ui",
        json=run_input(thread),
        headers={"Authorization": f"Bearer {stranger}"},
    )
    assert refused.status_code == 404


def test_a_client_that_aborts_cancels_the_run(slow_server):
    thread = new_thread()
    body = run_input(thread, forwardedProps={"userId": "ag-user"})
    with httpx.stream("POST", f"{slow_server.url}/ag-ui", json=body, headers=SERVICE) as got:
        for line in got.iter_lines():
            if "TEXT_MESSAGE_CONTENT" in line:
                break  # HttpAgent.abortRun()
    from tests.support.waiting import until

    def cancelled() -> bool:
        runs = httpx.get(f"{slow_server.url}/v1/sessions/{thread}/runs", headers=SERVICE).json()
        return runs["runs"][0]["status"] == "cancelled"

    until(cancelled, what="the aborted run recorded cancelled")


def test_a_resume_of_a_thread_that_waits_for_nothing_is_a_409_before_any_event(server):
    thread = new_thread()
    started = run_input(thread, forwardedProps={"userId": "u"})
    assert httpx.post(f"{server.url}/ag-ui", json=started, headers=SERVICE).status_code == 200
    resume = started | {"resume": [{"interruptId": "i", "status": "resolved"}]}
    got_status, got = raw_post(server, json.dumps(resume).encode())
    assert got_status == 409 and "no paused run" in got["detail"], got
    cancel = started | {"resume": [{"interruptId": "i", "status": "cancelled"}]}
    got_status, got = raw_post(server, json.dumps(cancel).encode())
    assert got_status == 409 and "no paused run to cancel" in got["detail"], got
