"""`POST /ai-sdk/chat` and `GET /ai-sdk/chat/{id}/stream` over HTTP.

Resume, stop, owners, and what a request gets wrong (raw sockets for what clients refuse to
send).
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from harness.live_server import LiveServer
from tests.support.keys import create_key
from tests.support.raw_http import exchange
from tests.support.runs import owner_of
from tests.support.waiting import until

SERVICE = {"Authorization": "Bearer devkey"}


def new_chat() -> str:
    """A chat (session) id no other test uses."""
    return f"ai-{uuid.uuid4().hex[:10]}"


def body(chat_id: str, text: str = "What is AI?", **extra: object) -> dict:
    """What DefaultChatTransport sends for one new user message."""
    message = {"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}
    return {"id": chat_id, "messages": [message], "trigger": "submit-message", **extra}


def chunks(lines: list[str]) -> list[dict]:
    """The JSON chunks of a UI message stream's `data:` lines (without `[DONE]`)."""
    return [json.loads(line[6:]) for line in lines if line.startswith("data: {")]


def answer_of(parts: list[dict]) -> str:
    """The text deltas joined."""
    return "".join(part["delta"] for part in parts if part["type"] == "text-delta")


def stored_runs(server: LiveServer, chat_id: str) -> list[dict]:
    """The session's runs as the JSON API has them."""
    response = httpx.get(f"{server.url}/v1/sessions/{chat_id}/runs", headers=SERVICE)
    return response.json()["runs"]


def test_a_chat_streams_with_the_protocols_headers_and_ends_with_done(server):
    chat_id = new_chat()
    request = body(chat_id, userId="ai-user")
    with httpx.stream("POST", f"{server.url}/ai-sdk/chat", json=request, headers=SERVICE) as got:
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("text/event-stream")
        assert got.headers["x-vercel-ai-ui-message-stream"] == "v1"
        assert got.headers["x-accel-buffering"] == "no"
        lines = [line for line in got.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    parts = chunks(lines)
    assert parts[0]["type"] == "start" and parts[0]["messageMetadata"]["sessionId"] == chat_id
    assert [p["type"] for p in parts[-3:]] == ["data-suggestions", "message-metadata", "finish"]
    messages = httpx.get(f"{server.url}/v1/sessions/{chat_id}/messages", headers=SERVICE).json()
    assert messages["messages"][-1]["content"] == answer_of(parts)


def test_earlier_messages_seed_a_new_chat_and_are_not_stored_again(server):
    chat_id = new_chat()
    history = [
        {"id": "s", "role": "system", "parts": [{"type": "text", "text": "Be brief."}]},
        {"id": "a", "role": "user", "parts": [{"type": "text", "text": "My name is Ada."}]},
        {"id": "b", "role": "assistant", "parts": [{"type": "text", "text": "Hello Ada."}]},
    ]
    request = body(chat_id, "What is my name?", userId="ai-user")
    request["messages"] = history + request["messages"]
    response = httpx.post(f"{server.url}/ai-sdk/chat", json=request, headers=SERVICE)
    assert "Ada" in answer_of(chunks(response.text.splitlines()))
    stored = httpx.get(f"{server.url}/v1/sessions/{chat_id}/messages", headers=SERVICE).json()
    assert [m["content"] for m in stored["messages"]][:3] == [
        "My name is Ada.",
        "Hello Ada.",
        "What is my name?",
    ]


def test_resume_replays_the_active_run_then_204_once_it_ended(slow_server):
    chat_id = new_chat()
    request = body(chat_id, userId="ai-user", onDisconnect="continue")
    url = f"{slow_server.url}/ai-sdk/chat"
    with httpx.stream("POST", url, json=request, headers=SERVICE) as started:
        for line in started.iter_lines():
            if '"text-delta"' in line:
                break  # the tab is reloaded mid-answer
    resume = f"{slow_server.url}/ai-sdk/chat/{chat_id}/stream"
    with httpx.stream("GET", resume, headers=SERVICE) as resumed:
        assert resumed.status_code == 200
        lines = [line for line in resumed.iter_lines() if line]
    parts = chunks(lines)
    assert parts[0]["type"] == "start" and lines[-1] == "data: [DONE]"
    [run] = stored_runs(slow_server, chat_id)
    assert run["status"] == "ok"
    stored = httpx.get(f"{slow_server.url}/v1/sessions/{chat_id}/messages", headers=SERVICE)
    assert stored.json()["messages"][-1]["content"] == answer_of(parts)
    assert httpx.get(resume, headers=SERVICE).status_code == 204


def test_stopping_a_chat_cancels_its_run_by_default(slow_server):
    chat_id = new_chat()
    url = f"{slow_server.url}/ai-sdk/chat"
    with httpx.stream("POST", url, json=body(chat_id, userId="ai-user"), headers=SERVICE) as got:
        for line in got.iter_lines():
            if '"text-delta"' in line:
                break  # useChat's stop(): the fetch is aborted
    until(lambda: stored_runs(slow_server, chat_id)[0]["status"] == "cancelled", what="cancel")


def test_another_users_chat_is_not_found(server):
    owner = create_key(server.sqlite_path, f"ai-{uuid.uuid4().hex[:8]}")
    stranger = create_key(server.sqlite_path, f"ai-{uuid.uuid4().hex[:8]}")
    chat_id = new_chat()
    as_owner = {"Authorization": f"Bearer {owner}"}
    assert httpx.post(f"{server.url}/ai-sdk/chat", json=body(chat_id), headers=as_owner).is_success
    as_stranger = {"Authorization": f"Bearer {stranger}"}
    refused = httpx.post(f"{server.url}/ai-sdk/chat", json=body(chat_id), headers=as_stranger)
    assert refused.status_code == 404
    # useChat({resume: true}) on a page asks first: another user's chat is as one without a run.
    resume = httpx.get(f"{server.url}/ai-sdk/chat/{chat_id}/stream", headers=as_stranger)
    assert resume.status_code == 204
    assert (
        httpx.get(f"{server.url}/ai-sdk/chat/{chat_id}/stream", headers=as_owner).status_code == 204
    )


def raw_post(server: LiveServer, payload: bytes, *, headers: bytes = b"") -> tuple[int, dict]:
    """POST /ai-sdk/chat over a raw socket; (status, JSON body)."""
    head = (
        (
            b"POST /ai-sdk/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(payload)
        )
        + headers
        + b"\r\n"
    )
    response = exchange(int(server.url.rsplit(":", 1)[1]), head, payload)
    assert response.seconds < 1.0
    return response.status, response.json()


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        (b"{", 400, "Invalid JSON"),
        (b"[]", 400, "JSON object"),
        (json.dumps({"id": "x", "messages": []}).encode(), 400, "messages"),
        (json.dumps(body("../x", userId="u")).encode(), 400, "id"),
        (json.dumps(body(new_chat(), "x" * 16_001, userId="u")).encode(), 413, "longer than"),
        (json.dumps(body(new_chat(), " ", userId="u")).encode(), 400, "no text"),
        (
            json.dumps(
                {
                    "id": new_chat(),
                    "userId": "u",
                    "messages": [{"role": "user", "parts": [{"type": "file", "url": "x"}]}],
                }
            ).encode(),
            400,
            "file",
        ),
        (
            json.dumps(
                {"id": new_chat(), "userId": "u", "messages": [{"role": "assistant", "parts": []}]}
            ).encode(),
            400,
            "last message",
        ),
        (json.dumps({**body(new_chat(), userId="u"), "trigger": "guess"}).encode(), 400, "trigger"),
        (
            json.dumps({**body(new_chat(), userId="u"), "interruptAfter": ["judge"]}).encode(),
            400,
            "interruptAfter: no agent 'judge'",
        ),
        (json.dumps({**body(new_chat(), userId="u"), "resume": None}).encode(), 404, "not found"),
    ],
    ids=[
        "truncated",
        "array",
        "no-messages",
        "bad-id",
        "long-prompt",
        "blank",
        "file-part",
        "last-not-user",
        "bad-trigger",
        "unknown-agent",
        "resume-unknown-chat",
    ],
)
def test_bad_bodies_get_a_clear_error(server, payload, status, words):
    got_status, got = raw_post(server, payload)
    assert got_status == status and words in got["detail"], got


def test_the_service_key_without_a_user_is_refused_where_there_is_no_default(named_users_server):
    got_status, got = raw_post(named_users_server, json.dumps(body(new_chat())).encode())
    assert got_status == 400 and "userId" in got["detail"]


def test_on_a_development_server_the_service_key_without_a_user_acts_as_dev_user(server):
    chat_id = new_chat()
    response = httpx.post(f"{server.url}/ai-sdk/chat", json=body(chat_id), headers=SERVICE)
    assert response.status_code == 200 and '"type":"finish"' in response.text.replace(" ", "")
    assert owner_of(server.url, chat_id) == "dev-user"


def test_without_a_key_or_json_or_the_right_method(server):
    port = int(server.url.rsplit(":", 1)[1])
    no_key = (
        b"POST /ai-sdk/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n"
    )
    assert exchange(port, no_key, b"{}").status == 401
    text = (
        b"POST /ai-sdk/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2\r\n\r\n"
    )
    assert exchange(port, text, b"{}").status == 415
    wrong = b"GET /ai-sdk/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer devkey\r\n\r\n"
    assert exchange(port, wrong).status == 405
    post_resume = (
        b"POST /ai-sdk/chat/x/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer devkey\r\nContent-Length: 0\r\n\r\n"
    )
    assert exchange(port, post_resume).status == 405


def test_resuming_a_chat_that_has_no_run_yet_is_a_204(server):
    """A new page with `useChat({resume: true})` asks before its first message."""
    resume = httpx.get(f"{server.url}/ai-sdk/chat/{new_chat()}/stream", headers=SERVICE)
    assert resume.status_code == 204 and resume.content == b""
