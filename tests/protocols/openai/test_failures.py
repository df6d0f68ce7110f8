"""The OpenAI routes' failure modes: rate limits, runs that fail mid-way, and raw requests.

Every refusal is OpenAI's error object with the status the SDK maps to its exception class,
within a second; a failure after a stream started is an error object in the stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from harness.live_server import LiveServer, live_server
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user
from tests.support.keys import create_key
from tests.support.raw_http import RawResponse, exchange

CHAT = {"model": "orchestrator", "user": "alice", "messages": [{"role": "user", "content": "hi"}]}
LIMIT = 65_536


@pytest.fixture(scope="module")
def strict_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """Runs that outlive RUN_MAX_SECONDS (50 ms a token, 0.4 s at most), small limits."""
    with live_server(
        tmp_path_factory.mktemp("strict"),
        template_db=template_db,
        BUILTIN_TOKEN_DELAY_MS="50",
        RUN_MAX_SECONDS="0.4",
        RATE_LIMIT_PER_MINUTE="3",
        MAX_BODY_BYTES=str(LIMIT),
    ) as running:
        yield running


def sdk(server: LiveServer, key: str = SERVICE_KEY) -> openai.OpenAI:
    """The SDK on `server`, without retries."""
    return openai.OpenAI(base_url=base_url(server), api_key=key, max_retries=0)


def test_past_the_keys_rate_limit_is_a_rate_limit_error_with_retry_after(strict_server):
    client = sdk(strict_server, create_key(strict_server.sqlite_path, new_user()))
    for _ in range(3):
        client.models.list()
    with pytest.raises(openai.RateLimitError) as limited:
        client.models.list()
    assert limited.value.code == "rate_limit_exceeded"
    assert int(limited.value.response.headers["retry-after"]) >= 1


def test_a_stream_whose_run_fails_mid_way_raises_the_sdks_api_error(strict_server):
    stream = sdk(strict_server).chat.completions.create(
        model="orchestrator",
        user=new_user(),
        stream=True,
        messages=[{"role": "user", "content": "What is AI?"}],
    )
    content = []
    with pytest.raises(openai.APIError) as failed:
        for chunk in stream:
            if chunk.choices:
                content.append(chunk.choices[0].delta.content or "")
    assert "RUN_MAX_SECONDS" in failed.value.message
    assert failed.value.code == "run_timeout"
    assert "".join(content)  # the answer had begun


def test_a_completion_whose_run_fails_is_a_server_error(strict_server):
    with pytest.raises(openai.InternalServerError) as failed:
        sdk(strict_server).chat.completions.create(
            model="orchestrator",
            user=new_user(),
            messages=[{"role": "user", "content": "What is AI?"}],
        )
    assert failed.value.status_code == 504 and failed.value.code == "run_timeout"


def test_a_response_whose_run_fails_ends_failed(strict_server):
    events = list(
        sdk(strict_server).responses.create(
            model="orchestrator", user=new_user(), input="What is AI?", stream=True
        )
    )
    assert events[-1].type == "response.failed"
    assert "run_timeout" in events[-1].response.error.message


def port_of(server: LiveServer) -> int:
    """The server's TCP port."""
    return int(server.url.rsplit(":", 1)[1])


def raw(
    server: LiveServer,
    body: bytes = b"",
    *,
    method: bytes = b"POST",
    path: bytes = b"/openai/v1/chat/completions",
    content_type: bytes = b"application/json",
    token: bool = True,
    extra: bytes = b"",
) -> RawResponse:
    """One request over a raw socket, with a Content-Length body."""
    lines = [
        method + b" " + path + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Content-Type: " + content_type,
        b"Content-Length: %d" % len(body),
    ]
    if token:
        lines.append(b"Authorization: Bearer " + SERVICE_KEY.encode())
    head = b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"
    return exchange(port_of(server), head, body)


def assert_openai_error(response: RawResponse, status: int, code: str | None = None) -> dict:
    """OpenAI's error object with `status`, within a second."""
    assert response.status == status, response
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    if code is not None:
        assert error["code"] == code
    assert response.seconds < 1.0, response.seconds
    return error


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b"[]", 400),
        (b"\xff\xfe", 400),
        (b'{"model": "orchestrator", "messages": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
        (json.dumps({**CHAT, "messages": []}).encode(), 400),
        (json.dumps({**CHAT, "model": 7}).encode(), 400),
    ],
    ids=["truncated", "array", "not-utf8", "deep", "no-messages", "model-not-a-string"],
)
def test_malformed_bodies_are_400s(strict_server, body, status):
    error = assert_openai_error(raw(strict_server, body), status)
    assert error["type"] == "invalid_request_error"


def test_without_a_key_it_is_a_401_naming_the_scheme(strict_server):
    response = raw(strict_server, json.dumps(CHAT).encode(), token=False)
    assert_openai_error(response, 401, "invalid_api_key")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_body_that_is_not_json_by_content_type_is_a_415(strict_server):
    response = raw(
        strict_server, json.dumps(CHAT).encode(), content_type=b"application/x-www-form-urlencoded"
    )
    assert_openai_error(response, 415)


def test_a_body_over_the_limit_is_a_413(strict_server):
    body = json.dumps({**CHAT, "messages": [{"role": "user", "content": "x" * LIMIT}]}).encode()
    assert_openai_error(raw(strict_server, body), 413)


def test_a_header_that_is_not_utf8_is_a_400(strict_server):
    response = raw(strict_server, json.dumps(CHAT).encode(), extra=b"X-Note: caf\xe9\r\n")
    assert_openai_error(response, 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        (b"GET", b"/openai/v1/chat/completions"),
        (b"PUT", b"/openai/v1/responses/resp_000000000000000000000000"),
        (b"DELETE", b"/openai/v1/models"),
    ],
)
def test_a_wrong_method_is_a_405(strict_server, method, path):
    response = raw(strict_server, method=method, path=path)
    assert_openai_error(response, 405)
    assert response.headers["allow"]


@pytest.mark.parametrize(
    "path",
    [
        b"/openai/v1/responses/nonsense",
        b"/openai/v1/responses/resp_000000000000000000000000/input_items",
        b"/openai/v1/responses/resp_000000000000000000000000?stream=true",
    ],
)
def test_an_unknown_response_is_a_404(strict_server, path):
    assert_openai_error(raw(strict_server, method=b"GET", path=path), 404)


@pytest.mark.parametrize(
    "query",
    [b"stream=true&starting_after=x", b"stream=true&starting_after=-5"],
)
def test_a_bad_starting_after_is_a_400(strict_server, query):
    created = sdk(strict_server).responses.create(
        model="orchestrator", user=new_user(), input="hi", background=True
    )
    path = f"/openai/v1/responses/{created.id}?".encode() + query
    error = assert_openai_error(raw(strict_server, method=b"GET", path=path), 400)
    assert error["param"] == "starting_after"


@pytest.mark.parametrize("query", [b"limit=0", b"limit=x", b"order=sideways"])
def test_bad_input_items_paging_is_a_400(strict_server, query):
    created = sdk(strict_server).responses.create(
        model="orchestrator", user=new_user(), input="hi", background=True
    )
    path = f"/openai/v1/responses/{created.id}/input_items?".encode() + query
    assert_openai_error(raw(strict_server, method=b"GET", path=path), 400)
