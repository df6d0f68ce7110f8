"""Failed keys behind a trusted proxy, over raw sockets: counted per client, never a lockout.

The server trusts 127.0.0.1 as a proxy: each request's client is the right-most untrusted
X-Forwarded-For entry. Failed authentications are limited per client; a valid key is always
served; a forwarded header that no HTTP client library would send is answered, not crashed on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import LiveServer, live_server
from tests.support.raw_http import RawResponse, exchange

BODY = json.dumps({"sessionId": "addr-1", "userId": "alice", "prompt": "hi"}).encode()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[LiveServer]:
    """A server behind a 'proxy' on loopback, with 3 failed keys allowed per client."""
    with live_server(
        tmp_path_factory.mktemp("proxied"),
        template_db=template_db,
        TRUSTED_PROXIES="127.0.0.1/32",
        AUTH_FAILURES_PER_MINUTE="3",
    ) as running:
        yield running


def me(server: LiveServer, key: bytes, forwarded: bytes | None) -> RawResponse:
    """GET /v1/me with `key`, as forwarded for `forwarded` (no header when None)."""
    lines = [b"GET /v1/me HTTP/1.1", b"Host: 127.0.0.1", b"Authorization: Bearer " + key]
    if forwarded is not None:
        lines.append(b"X-Forwarded-For: " + forwarded)
    port = int(server.url.rsplit(":", 1)[1])
    return exchange(port, b"\r\n".join(lines) + b"\r\n\r\n")


def stream(server: LiveServer, key: bytes, forwarded: bytes) -> RawResponse:
    """POST /v1/chat/stream with `key`, as forwarded for `forwarded` (read to its end)."""
    head = (
        b"POST /v1/chat/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nAuthorization: Bearer %s\r\nX-Forwarded-For: %s\r\n\r\n"
        % (len(BODY), key, forwarded)
    )
    return exchange(int(server.url.rsplit(":", 1)[1]), head, BODY)


def test_one_clients_failures_lock_out_neither_other_clients_nor_valid_keys(proxied):
    mallory = b"198.51.100.66, 203.0.113.5"  # the left entry is hers to forge
    statuses = [me(proxied, b"oak_wrong", mallory).status for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    refused = me(proxied, b"oak_wrong", b"10.9.9.9, 203.0.113.5")
    assert refused.status == 429, "forging the left entry changes nothing"
    assert refused.json() == {"detail": "Too many failed authentications"}
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert me(proxied, b"oak_wrong", b"198.51.100.7").status == 401, "another client"
    assert me(proxied, b"devkey", mallory).status == 200, "a valid key from her address"
    assert stream(proxied, b"oak_wrong", b"203.0.113.5").status == 429
    assert stream(proxied, b"devkey", b"203.0.113.5").status == 200


def test_the_proxy_itself_is_its_clients_address_without_a_forwarded_header(proxied):
    statuses = [me(proxied, b"oak_wrong", None).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert me(proxied, b"devkey", None).status == 200


@pytest.mark.parametrize(
    "forwarded",
    [b"not-an-address", b"", b"999.1.1.1, ::::", b"a" * 4000, b"203.0.113.9\xff"],
    ids=["garbage", "empty", "invalid-ips", "huge", "not-utf8"],
)
def test_a_malformed_forwarded_header_is_answered_within_a_second(proxied, forwarded):
    response = me(proxied, b"devkey", forwarded)
    assert response.status in (200, 400), response
    assert response.seconds < 1.0
