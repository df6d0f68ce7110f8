"""The stream's edge against a real server, with raw sockets: every bad request is answered.

Each case is answered with its documented status as JSON within a second, token or not,
and an oversized upload is refused before the server holds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import MONGO_URI, LiveServer, live_server
from tests.support.raw_http import RawResponse, exchange, rss_kib, upload

LIMIT = 65_536
TOKEN_HEADER = b"Authorization: Bearer devkey\r\n"
VALID = {"sessionId": "edge-ok", "userId": "alice", "prompt": "hi"}


@pytest.fixture(scope="module")
def edge_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """A server with a 64 KiB body limit and no limit on failed authentications."""
    with live_server(
        tmp_path_factory.mktemp("edge"),
        template_db=template_db,
        MAX_BODY_BYTES=str(LIMIT),
        AUTH_FAILURES_PER_MINUTE="0",
    ) as running:
        yield running


def port_of(server: LiveServer) -> int:
    """The server's TCP port."""
    return int(server.url.rsplit(":", 1)[1])


def head(
    *,
    token: bool = True,
    length: int | None = None,
    content_type: bytes = b"application/json",
    host: bytes = b"127.0.0.1",
    extra: bytes = b"",
    method: bytes = b"POST",
) -> bytes:
    """A request head for /v1/chat/stream."""
    lines = [
        method + b" /v1/chat/stream HTTP/1.1",
        b"Host: " + host,
        b"Content-Type: " + content_type,
    ]
    if length is None:
        lines.append(b"Transfer-Encoding: chunked")
    else:
        lines.append(b"Content-Length: %d" % length)
    text = b"\r\n".join(lines) + b"\r\n" + (TOKEN_HEADER if token else b"") + extra
    return text + b"\r\n"


def post(server: LiveServer, body: bytes, **head_args) -> RawResponse:
    """POST a whole body with a Content-Length."""
    return exchange(port_of(server), head(length=len(body), **head_args), body)


def assert_json_error(response: RawResponse, status: int, reason: str) -> None:
    """The documented status and reason phrase, a JSON detail, within a second."""
    assert (response.status, response.reason) == (status, reason), response
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()
    assert response.seconds < 1.0, response.seconds


@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_header_byte_that_is_not_utf8_is_a_400(edge_server, token):
    response = post(edge_server, b"{}", token=token, extra=b"X-Note: caf\xe9\r\n")
    assert_json_error(response, 400, "Bad Request")


def test_a_host_outside_allowed_hosts_is_a_400(edge_server):
    body = json.dumps(VALID).encode()
    assert_json_error(post(edge_server, body, host=b"evil.example"), 400, "Bad Request")


def test_a_body_that_is_not_json_by_content_type_is_a_415(edge_server):
    body = json.dumps(VALID).encode()
    response = post(edge_server, body, content_type=b"application/x-www-form-urlencoded")
    assert_json_error(response, 415, "Unsupported Media Type")


@pytest.mark.parametrize("levels", [40, 1_000, 20_000])
def test_deep_nesting_is_a_400(edge_server, levels):
    body = b'{"sessionId": "edge-deep", "userId": "a", "prompt": ' + b"[" * levels
    body += b"]" * levels + b"}"
    response = post(edge_server, body)
    assert_json_error(response, 400, "Bad Request")
    assert "nest" in response.json()["detail"]


def test_a_huge_integer_is_a_400(edge_server):
    body = b'{"sessionId": "edge-int", "userId": "a", "prompt": "hi", "n": ' + b"9" * 5000 + b"}"
    response = post(edge_server, body)
    assert_json_error(response, 400, "Bad Request")
    assert "digits" in response.json()["detail"]


@pytest.mark.parametrize("session_id", [".", "..", "-x", "_x"])
def test_a_session_id_must_start_with_a_letter_or_digit(edge_server, session_id):
    body = json.dumps({**VALID, "sessionId": session_id}).encode()
    assert_json_error(post(edge_server, body), 422, "Unprocessable Content")


def test_a_stream_401_carries_www_authenticate(edge_server):
    response = post(edge_server, json.dumps(VALID).encode(), token=False)
    assert_json_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_json_api_401_carries_www_authenticate(edge_server):
    request = b"GET /v1/sessions/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    response = exchange(port_of(edge_server), request)
    assert_json_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_get_is_a_405_naming_post(edge_server):
    response = exchange(port_of(edge_server), head(length=0, method=b"GET"))
    assert_json_error(response, 405, "Method Not Allowed")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_declared_length_over_the_limit_is_a_413_before_the_body(edge_server, token):
    response = upload(port_of(edge_server), head(length=200_000_000, token=token), [b"{"])
    assert_json_error(response, 413, "Content Too Large")


@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_a_chunked_body_over_the_limit_is_a_413_as_soon_as_it_is(edge_server, token):
    chunk = b"%x\r\n%s\r\n" % (16_384, b" " * 16_384)
    response = upload(port_of(edge_server), head(token=token), [chunk] * 64)
    assert_json_error(response, 413, "Content Too Large")


def test_a_chunked_body_within_the_limit_streams(edge_server):
    body = json.dumps({**VALID, "sessionId": "edge-chunked"}).encode()
    chunks = [b"%x\r\n%s\r\n" % (len(body), body), b"0\r\n\r\n"]
    response = upload(port_of(edge_server), head(), chunks)
    assert response.status == 200


def test_an_oversized_upload_is_not_held_in_memory(edge_server):
    pid = edge_server.process.pid
    before = rss_kib(pid)
    megabyte = b" " * 1_048_576
    for token in (True, False):
        declared = upload(
            port_of(edge_server), head(length=200_000_000, token=token), [megabyte] * 64
        )
        assert declared.status == 413
        chunked = b"%x\r\n%s\r\n" % (len(megabyte), megabyte)
        assert upload(port_of(edge_server), head(token=token), [chunked] * 64).status == 413
    grown_mib = (rss_kib(pid) - before) / 1024
    assert grown_mib < 8, f"server RSS grew by {grown_mib:.1f} MiB"
    healthy = exchange(port_of(edge_server), b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert healthy.status == 200


@pytest.mark.skipif(bool(MONGO_URI), reason="makes the SQLite file unreachable")
def test_a_database_that_cannot_be_opened_is_a_503_logged_once(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database directory should be")
    body = json.dumps(VALID).encode()
    with live_server(tmp_path / "down", sqlite_path=blocker / "db.sqlite3") as down:
        service = post(down, body)
        user_key = exchange(
            port_of(down),
            head(length=len(body), token=False, extra=b"token: oak_" + b"k" * 43 + b"\r\n"),
            body,
        )
        log = down.log()
    for response in (service, user_key):
        assert_json_error(response, 503, "Service Unavailable")
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "5"
    assert log.count("failed before its run started") == 1
    assert log.count("failed its checks unexpectedly") == 1


def test_the_json_api_answers_422_with_its_rfc_9110_reason(edge_server):
    request = b"GET /v1/sessions?limit=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + TOKEN_HEADER + b"\r\n"
    response = exchange(port_of(edge_server), request)
    assert_json_error(response, 422, "Unprocessable Content")
