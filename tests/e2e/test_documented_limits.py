r"""Every limit the docs name, at the limit and one past it, through every protocol.

`MAX_PROMPT_CHARS` counts a prompt's characters (Unicode code points) once its JSON is
parsed, however the client wrote them: plain ASCII, non-ASCII as UTF-8 or escaped `\uXXXX`
(as Python's `json.dumps` sends them), emoji (surrogate pairs when escaped), combining marks.
A prompt at the limit is answered in full; one character more is
refused with the protocol's status. `MAX_BODY_BYTES` bounds the bytes: a body of exactly that
many is read, one byte more is a 413. Ids are 1-128 characters.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from harness.live_server import LiveServer
from tests.support.keys import create_key

MAX_PROMPT_CHARS = 16_000
MAX_BODY_BYTES = 1_048_576
SERVICE = "devkey"


def exactly(unit: str, chars: int) -> str:
    """`unit` repeated to exactly `chars` code points, ending on a character that is not blank."""
    text = (unit * (chars // len(unit) + 1))[:chars]
    return text if not text[-1].isspace() else text[:-1] + "x"


SHAPES: dict[str, tuple[str, bool]] = {
    "one-ascii-word": ("y", True),
    "ascii-words": ("tell me more about teal ", True),
    "cyrillic-escaped": ("привет мир ", True),
    "cyrillic-utf8": ("привет мир ", False),
    "emoji-escaped": ("😀", True),
    "combining-marks": ("e\u0301", False),
}
"""The prompt's repeated unit and whether its JSON escapes non-ASCII (`ensure_ascii`)."""


def payload(body: dict[str, Any], *, ascii_only: bool = True) -> bytes:
    """The body's JSON bytes as a client writes them."""
    return json.dumps(body, ensure_ascii=ascii_only).encode()


def sse_events(text: str) -> list[dict[str, Any]]:
    """The JSON `data:` payloads of an SSE body (`[DONE]` and comments left out)."""
    events = []
    for line in text.splitlines():
        if line.startswith("data: ") and line[6:].strip() not in {"", "[DONE]"}:
            events.append(json.loads(line[6:]))
    return events


@dataclass(frozen=True)
class Protocol:
    """How one protocol carries a prompt, and how it says the run answered."""

    name: str
    path: str
    body: Callable[[str, str], dict[str, Any]]
    """The request body of a prompt in a session (or thread, or chat) of the test's own."""
    answer: Callable[[httpx.Response], str]
    """The answer the response carries (asserting that the run ended well)."""
    too_long: int
    """The status of a prompt one character past the limit."""


def native_answer(response: httpx.Response) -> str:
    lines = response.text.splitlines()
    done = [json.loads(lines[n + 1][6:]) for n, line in enumerate(lines) if line == "event: done"]
    assert done, response.text[-500:]
    assert all(len(s) <= 200 for s in done[0]["suggestions"])
    return done[0]["fullText"]


def completion_answer(response: httpx.Response) -> str:
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "stop", response.text[-500:]
    return choice["message"]["content"]


def responses_answer(response: httpx.Response) -> str:
    body = response.json()
    assert body["status"] == "completed", response.text[-500:]
    return body["output"][-1]["content"][0]["text"]


def langgraph_answer(response: httpx.Response) -> str:
    last = response.json()["messages"][-1]
    assert last["type"] == "ai", response.text[-500:]
    return last["content"]


def ai_sdk_answer(response: httpx.Response) -> str:
    parts = sse_events(response.text)
    assert parts[-1]["type"] == "finish", response.text[-500:]
    return "".join(p["delta"] for p in parts if p["type"] == "text-delta")


def ag_ui_answer(response: httpx.Response) -> str:
    events = sse_events(response.text)
    assert events[-1]["type"] == "RUN_FINISHED", response.text[-500:]
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")


def user_message(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


PROTOCOLS = [
    Protocol(
        "native",
        "/v1/chat/stream",
        lambda session, text: {"sessionId": session, "prompt": text},
        native_answer,
        413,
    ),
    Protocol(
        "openai-chat-completions",
        "/openai/v1/chat/completions",
        lambda session, text: {"model": "orchestrator", "messages": user_message(text)},
        completion_answer,
        400,
    ),
    Protocol(
        "openai-responses",
        "/openai/v1/responses",
        lambda session, text: {"model": "orchestrator", "input": text},
        responses_answer,
        400,
    ),
    Protocol(
        "langgraph",
        "/langgraph/runs/wait",
        lambda session, text: {
            "assistant_id": "orchestrator",
            "input": {"messages": user_message(text)},
        },
        langgraph_answer,
        413,
    ),
    Protocol(
        "ai-sdk",
        "/ai-sdk/chat",
        lambda session, text: {
            "id": session,
            "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
            "trigger": "submit-message",
        },
        ai_sdk_answer,
        413,
    ),
    Protocol(
        "ag-ui",
        "/ag-ui",
        lambda session, text: {
            "threadId": session,
            "runId": str(uuid.uuid4()),
            "messages": [{"id": "u1", **user_message(text)[0]}],
            "tools": [],
            "context": [],
            "state": {},
            "forwardedProps": {},
        },
        ag_ui_answer,
        413,
    ),
]
BY_NAME = {protocol.name: protocol for protocol in PROTOCOLS}


@pytest.fixture(scope="module")
def user_key(server: LiveServer) -> str:
    """A per-user key: every protocol knows its user without a field of its own."""
    return create_key(server.sqlite_path, f"limits-{uuid.uuid4().hex[:8]}")


def post(server: LiveServer, protocol: Protocol, content: bytes, key: str) -> httpx.Response:
    """POST `content` to the protocol's route; the whole response."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return httpx.post(f"{server.url}{protocol.path}", content=content, headers=headers, timeout=60)


def new_session() -> str:
    return f"limits-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_a_prompt_at_the_limit_is_answered_in_full(server, user_key, protocol, shape):
    unit, ascii_only = SHAPES[shape]
    prompt = exactly(unit, MAX_PROMPT_CHARS)
    content = payload(protocol.body(new_session(), prompt), ascii_only=ascii_only)
    response = post(server, protocol, content, user_key)
    assert response.status_code == 200, response.text[:500]
    assert protocol.answer(response).strip()


@pytest.mark.parametrize("shape", ["one-ascii-word", "cyrillic-escaped", "emoji-escaped"])
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_a_prompt_one_character_past_the_limit_is_refused(server, user_key, protocol, shape):
    unit, ascii_only = SHAPES[shape]
    prompt = exactly(unit, MAX_PROMPT_CHARS + 1)
    content = payload(protocol.body(new_session(), prompt), ascii_only=ascii_only)
    response = post(server, protocol, content, user_key)
    assert response.status_code == protocol.too_long, response.text[:500]
    assert str(MAX_PROMPT_CHARS) in response.text


def padded(content: bytes, size: int) -> bytes:
    """The same JSON, padded with trailing white space (which JSON allows) to `size` bytes."""
    assert len(content) <= size
    return content + b" " * (size - len(content))


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_a_body_of_exactly_max_body_bytes_is_read(server, user_key, protocol):
    content = payload(protocol.body(new_session(), "What is AI?"))
    response = post(server, protocol, padded(content, MAX_BODY_BYTES), user_key)
    assert response.status_code == 200, response.text[:500]
    assert protocol.answer(response).strip()


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_a_body_one_byte_past_max_body_bytes_is_a_413(server, user_key, protocol):
    content = payload(protocol.body(new_session(), "What is AI?"))
    response = post(server, protocol, padded(content, MAX_BODY_BYTES + 1), user_key)
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.text


def session_of(chars: int) -> str:
    """A session id of `chars` characters, unique to the test."""
    return (uuid.uuid4().hex * 5)[:chars]


@pytest.mark.parametrize("protocol", ["native", "ai-sdk", "ag-ui"])
def test_a_session_id_of_128_characters_is_taken_and_129_refused(server, user_key, protocol):
    chosen = BY_NAME[protocol]
    longest = post(server, chosen, payload(chosen.body(session_of(128), "Hi")), user_key)
    assert longest.status_code == 200, longest.text[:500]
    assert chosen.answer(longest).strip()
    past = post(server, chosen, payload(chosen.body(session_of(129), "Hi")), user_key)
    assert past.status_code in {400, 422}, past.text[:500]


def test_an_openai_session_header_of_128_characters_is_taken_and_129_refused(server, user_key):
    chosen = BY_NAME["openai-chat-completions"]
    for chars, status in [(128, 200), (129, 400)]:
        response = httpx.post(
            f"{server.url}{chosen.path}",
            json=chosen.body("", "Hi"),
            headers={"Authorization": f"Bearer {user_key}", "X-Session-Id": session_of(chars)},
            timeout=60,
        )
        assert response.status_code == status, response.text[:500]


@pytest.mark.parametrize(
    ("protocol", "field"),
    [("native", "userId"), ("openai-chat-completions", "user"), ("ai-sdk", "userId")],
)
def test_a_user_id_of_128_characters_is_taken_and_129_refused(server, protocol, field):
    chosen = BY_NAME[protocol]
    for chars, accepted in [(128, True), (129, False)]:
        body = chosen.body(new_session(), "Hi") | {field: ("u" * 200)[:chars]}
        response = post(server, chosen, payload(body), SERVICE)
        assert (response.status_code == 200) is accepted, response.text[:500]
        assert accepted or response.status_code in {400, 422}


def test_a_langgraph_thread_id_of_128_characters_is_taken_and_129_refused(server, user_key):
    headers = {"x-api-key": user_key}
    for chars, status in [(128, 200), (129, 422)]:
        response = httpx.post(
            f"{server.url}/langgraph/threads",
            json={"thread_id": session_of(chars)},
            headers=headers,
            timeout=60,
        )
        assert response.status_code == status, response.text[:500]


def test_an_ag_ui_user_and_run_id_of_128_characters_are_taken_and_129_refused(server):
    chosen = BY_NAME["ag-ui"]
    for chars, accepted in [(128, True), (129, False)]:
        for field in ("userId", "runId"):
            body = chosen.body(new_session(), "Hi")
            if field == "userId":
                body["forwardedProps"] = {"userId": ("u" * 200)[:chars]}
            else:
                body["runId"] = ("r" * 200)[:chars]
            response = post(server, chosen, payload(body), SERVICE)
            assert (response.status_code == 200) is accepted, (field, response.text[:500])
            assert accepted or response.status_code in {400, 422}
