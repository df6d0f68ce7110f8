"""The LangGraph routes' failure modes, over raw sockets: LangGraph's `{"detail": …}` in < 1 s.

What the SDKs would never send (truncated JSON, unknown fields, wrong methods, oversized or
chunked bodies, bad header bytes) gets a clear status and message, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import LiveServer, live_server
from tests.protocols.langgraph.conftest import ASSISTANT, SERVICE_KEY, ask, new_user, sync_client
from tests.support.keys import create_key
from tests.support.raw_http import RawResponse, exchange, upload

LIMIT = 65_536
RUN = {"assistant_id": ASSISTANT, "input": ask("hi"), "metadata": {"user_id": "lg-raw"}}


@pytest.fixture(scope="module")
def strict_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """Small limits: bodies of 64 KiB, three requests a minute per user key."""
    with live_server(
        tmp_path_factory.mktemp("langgraph-strict"),
        template_db=template_db,
        RATE_LIMIT_PER_MINUTE="3",
        MAX_BODY_BYTES=str(LIMIT),
    ) as running:
        yield running


def raw(
    server: LiveServer,
    body: bytes = b"",
    *,
    method: bytes = b"POST",
    path: bytes = b"/langgraph/runs/wait",
    content_type: bytes | None = b"application/json",
    key: bytes | None = SERVICE_KEY.encode(),
    extra: bytes = b"",
) -> RawResponse:
    """One request over a raw socket, with a Content-Length body and `x-api-key`."""
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: 127.0.0.1"]
    if body or method == b"POST":
        lines.append(b"Content-Length: %d" % len(body))
        if content_type is not None:
            lines.append(b"Content-Type: " + content_type)
    if key is not None:
        lines.append(b"x-api-key: " + key)
    head = b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"
    return exchange(int(server.url.rsplit(":", 1)[1]), head, body)


def assert_detail(response: RawResponse, status: int, *words: str) -> str:
    """LangGraph's error body with `status`, naming `words`, within a second."""
    assert response.status == status, response
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert isinstance(detail, str) and all(word in detail for word in words), detail
    assert response.seconds < 1.0, response.seconds
    return detail


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{", ["Invalid JSON"]),
        (b"[]", ["JSON object"]),
        (b"\xff\xfe", ["Invalid JSON"]),
        (b'{"assistant_id": ' + b"[" * 5000 + b"]" * 5000 + b"}", ["nest"]),
        (json.dumps({**RUN, "surprise": 1}).encode(), ["surprise", "unknown field"]),
        (json.dumps({**RUN, "stream_mode": ["events"]}).encode(), ["stream_mode", "events"]),
        (json.dumps({**RUN, "command": {"resume": 1}}).encode(), ["command", "not both"]),
        (
            json.dumps({"assistant_id": "orchestrator", "command": {"goto": "x"}}).encode(),
            ["command.goto", "not supported"],
        ),
        (
            json.dumps({**RUN, "interrupt_before": ["judge"]}).encode(),
            ["interrupt_before", "judge", "planner, worker"],
        ),
        (json.dumps({**RUN, "interrupt_after": 3}).encode(), ["interrupt_after", "agent names"]),
        (json.dumps({**RUN, "webhook": "http://127.0.0.1/"}).encode(), ["webhook", "loopback"]),
        (json.dumps({**RUN, "multitask_strategy": "maybe"}).encode(), ["multitask_strategy"]),
        (json.dumps({**RUN, "input": {"messages": []}}).encode(), ["input.messages"]),
        (json.dumps({**RUN, "input": ask(" ")}).encode(), ["no text"]),
        (
            json.dumps(
                {**RUN, "input": {"messages": [{"role": "user", "content": [{"type": "image"}]}]}}
            ).encode(),
            ["image"],
        ),
        (
            json.dumps({**RUN, "input": {"messages": [{"type": "ai", "content": "x"}]}}).encode(),
            ["human"],
        ),
    ],
    ids=[
        "truncated",
        "array",
        "not-utf8",
        "deep",
        "unknown-field",
        "unserved-mode",
        "command-and-input",
        "command-goto",
        "unknown-agent",
        "interrupts-not-a-list",
        "webhook",
        "bad-strategy",
        "no-messages",
        "blank-prompt",
        "image-part",
        "no-human",
    ],
)
def test_bad_run_bodies_are_422s_naming_the_problem(strict_server, body, words):
    assert_detail(raw(strict_server, body), 422, *words)


def test_an_unknown_assistant_thread_run_or_route_is_a_404(strict_server):
    other = json.dumps({**RUN, "assistant_id": "someone-else"}).encode()
    assert_detail(raw(strict_server, other), 404, "Assistant")
    path = b"/langgraph/threads/nope/runs/wait"
    assert_detail(raw(strict_server, json.dumps(RUN).encode(), path=path), 404, "Thread")
    path = b"/langgraph/threads/nope/runs/0123456789abcdef01234567"
    assert_detail(raw(strict_server, method=b"GET", path=path), 404, "Thread")
    thread = sync_client(strict_server.url).threads.create(metadata={"user_id": new_user()})
    path = f"/langgraph/threads/{thread['thread_id']}/runs/not-a-run".encode()
    assert_detail(raw(strict_server, method=b"GET", path=path), 404, "Run")
    assert_detail(raw(strict_server, method=b"GET", path=b"/langgraph/crons"), 404, "crons")


def test_a_thread_not_found_is_created_with_if_not_exists(strict_server):
    body = json.dumps({**RUN, "if_not_exists": "create"}).encode()
    response = raw(strict_server, body, path=b"/langgraph/threads/made-by-a-run/runs/wait")
    assert response.status == 200, response
    assert response.json()["messages"][-1]["type"] == "ai"


def test_a_long_prompt_is_a_413(strict_server):
    body = json.dumps({**RUN, "input": ask("x" * 16_001)}).encode()
    assert_detail(raw(strict_server, body), 413, "longer than")


def test_without_a_valid_key_it_is_a_401(strict_server):
    response = raw(strict_server, json.dumps(RUN).encode(), key=None)
    assert_detail(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_detail(raw(strict_server, json.dumps(RUN).encode(), key=b"wrong"), 401)


def test_the_bearer_header_works_as_well_as_x_api_key(strict_server):
    extra = b"Authorization: Bearer " + SERVICE_KEY.encode() + b"\r\n"
    response = raw(
        strict_server,
        method=b"POST",
        path=b"/langgraph/assistants/search",
        key=None,
        body=b"{}",
        extra=extra,
    )
    assert response.status == 200 and response.json()[0]["graph_id"] == ASSISTANT


def test_a_body_that_is_not_json_by_content_type_is_a_415(strict_server):
    response = raw(
        strict_server, json.dumps(RUN).encode(), content_type=b"application/x-www-form-urlencoded"
    )
    assert_detail(response, 415)
    response = raw(
        strict_server,
        b"{}",
        path=b"/langgraph/threads/search",
        content_type=b"application/x-www-form-urlencoded",
    )
    assert_detail(response, 415)


def test_a_body_over_the_limit_is_a_413_even_chunked(strict_server):
    body = json.dumps({**RUN, "metadata": {"user_id": "x", "pad": "x" * LIMIT}}).encode()
    assert_detail(raw(strict_server, body), 413)
    head = (
        b"POST /langgraph/threads HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: devkey\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    pieces = [b'{"metadata": {"pad": "', *([b"x" * 16_384] * 6), b'"}}']
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces] + [b"0\r\n\r\n"]
    assert_detail(upload(int(strict_server.url.rsplit(":", 1)[1]), head, chunks), 413)


def test_a_header_that_is_not_utf8_is_a_400(strict_server):
    response = raw(strict_server, json.dumps(RUN).encode(), extra=b"X-Note: caf\xe9\r\n")
    assert_detail(response, 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        (b"GET", b"/langgraph/runs/wait"),
        (b"PUT", b"/langgraph/threads/some-thread"),
        (b"DELETE", b"/langgraph/threads/search"),
        (b"GET", b"/langgraph/threads/t/runs/0123456789abcdef01234567/cancel"),
    ],
)
def test_a_wrong_method_is_a_405(strict_server, method, path):
    response = raw(strict_server, method=method, path=path)
    assert_detail(response, 405)
    assert response.headers["allow"]


def test_a_last_event_id_that_is_not_ours_is_a_422(strict_server):
    client = sync_client(strict_server.url)
    thread = client.threads.create(metadata={"user_id": new_user()})["thread_id"]
    run = client.runs.wait(thread, ASSISTANT, input=ask("hi"))
    assert run["messages"]
    [record] = client.runs.list(thread)
    path = f"/langgraph/threads/{thread}/runs/{record['run_id']}/stream".encode()
    response = raw(strict_server, method=b"GET", path=path, extra=b"Last-Event-ID: 3-x\r\n")
    assert_detail(response, 422, "Last-Event-ID")


def test_bad_search_and_history_bodies_are_422s(strict_server):
    for path, body in [
        (b"/langgraph/threads/search", {"limit": 0}),
        (b"/langgraph/threads/search", {"status": "sleepy"}),
        (b"/langgraph/threads/search", {"metadata": {"a__b": 1}}),
        (b"/langgraph/threads/search", {"metadata": {"tag": {"nested": 1}}}),
        (b"/langgraph/threads", {"thread_id": "../../etc"}),
        (b"/langgraph/threads", {"metadata": {"user_id": "x"}, "supersteps": [{}]}),
    ]:
        assert_detail(raw(strict_server, json.dumps(body).encode(), path=path), 422)


def test_past_the_keys_rate_limit_is_a_429_with_retry_after(strict_server):
    key = create_key(strict_server.sqlite_path, new_user()).encode()
    for _ in range(3):
        assert (
            raw(strict_server, b"{}", path=b"/langgraph/assistants/search", key=key).status == 200
        )
    limited = raw(strict_server, b"{}", path=b"/langgraph/assistants/search", key=key)
    assert_detail(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1


def test_a_browser_preflight_allows_what_the_sdks_send(
    strict_server, tmp_path_factory, template_db
):
    with live_server(
        tmp_path_factory.mktemp("langgraph-cors"),
        template_db=template_db,
        CORS_ORIGINS="http://app.example",
    ) as server:
        head = (
            b"OPTIONS /langgraph/threads/t/runs/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Origin: http://app.example\r\nAccess-Control-Request-Method: POST\r\n"
            b"Access-Control-Request-Headers: x-api-key, content-type, last-event-id\r\n\r\n"
        )
        response = exchange(int(server.url.rsplit(":", 1)[1]), head)
    assert response.status == 204
    allowed = response.headers["access-control-allow-headers"]
    for header in ("x-api-key", "cache-control", "last-event-id", "content-type"):
        assert header in allowed
    assert "PATCH" in response.headers["access-control-allow-methods"]


def test_bad_query_parameters_are_422s(strict_server):
    client = sync_client(strict_server.url)
    thread = client.threads.create(metadata={"user_id": new_user()})["thread_id"]
    for query in (
        b"history?limit=0",
        b"history?limit=x",
        b"runs?limit=2000",
        b"runs?status=sleepy",
    ):
        path = f"/langgraph/threads/{thread}/".encode() + query
        assert_detail(raw(strict_server, method=b"GET", path=path), 422)
    path = f"/langgraph/threads/{thread}".encode()
    response = raw(strict_server, b'{"metadata": 5}', method=b"PATCH", path=path)
    assert_detail(response, 422, "metadata")


@pytest.mark.parametrize("content_type", [b"text/plain;charset=UTF-8", None])
def test_a_json_body_labelled_text_or_not_labelled_is_read_with_a_key_header(
    strict_server, content_type
):
    """What Node's fetch sends for a string body (Agent Chat UI's Next.js passthrough)."""
    path = b"/langgraph/threads/search"
    response = raw(strict_server, b'{"limit": 1}', path=path, content_type=content_type)
    assert response.status == 200 and isinstance(response.json(), list)
    body = b'{"metadata": {"user_id": "passthrough-user"}}'
    created = raw(strict_server, body, path=b"/langgraph/threads", content_type=content_type)
    assert created.status == 200 and created.json()["thread_id"]


def test_a_json_body_labelled_text_without_a_key_is_still_refused(strict_server):
    response = raw(strict_server, b"{}", content_type=b"text/plain", key=None)
    assert_detail(response, 401)


def preflight(server: LiveServer, origin: bytes, path: bytes = b"/langgraph/info") -> RawResponse:
    """A browser's CORS preflight of a POST with a key header, over a raw socket."""
    head = (
        b"OPTIONS " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin + b"\r\n"
        b"Access-Control-Request-Method: POST\r\n"
        b"Access-Control-Request-Headers: content-type, x-api-key\r\n\r\n"
    )
    return exchange(int(server.url.rsplit(":", 1)[1]), head)


@pytest.mark.parametrize(
    "path", [b"/langgraph/info", b"/langgraph/threads/search", b"/langgraph/threads"]
)
def test_a_development_server_answers_a_local_front_ends_preflight(strict_server, path):
    """Agent Chat UI on `next dev` (localhost:3000), as `make run` serves."""
    response = preflight(strict_server, b"http://localhost:3000", path)
    assert response.status == 204
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "x-api-key" in response.headers["access-control-allow-headers"]


def test_a_preflight_from_a_foreign_origin_is_a_clear_403(strict_server):
    response = preflight(strict_server, b"https://elsewhere.example")
    assert_detail(response, 403, "https://elsewhere.example", "CORS_ORIGINS")
    assert "access-control-allow-origin" not in response.headers
