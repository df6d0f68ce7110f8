"""Rate limits hold across two server processes sharing one Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from harness.live_server import LiveServer, copy_database, live_server
from tests.support.keys import create_key
from tests.support.waiting import eventually, until


@pytest.fixture
def two_servers(
    tmp_path: Path, template_db: Path, redis_url: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on one database and one Redis, with small limits and a fresh key prefix."""
    yield from serve_two(tmp_path, template_db, redis_url)


@pytest.fixture
def window_servers(
    request: pytest.FixtureRequest, tmp_path: Path, template_db: Path, redis_url: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers as `two_servers`, with the settings the test's parameter adds."""
    yield from serve_two(tmp_path, template_db, redis_url, **request.param)


def serve_two(
    tmp_path: Path, template_db: Path, redis_url: str, **extra: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Start two servers on one database and one Redis; stop them and clear their keys."""
    db = tmp_path / "db.sqlite3"
    copy_database(template_db, db)
    limits = {
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"rl-{uuid.uuid4().hex[:8]}",
        "RATE_LIMIT_PER_MINUTE": "6",
        "AUTH_FAILURES_PER_MINUTE": "4",
        "RATE_LIMIT_STREAMS": "1",
        # Streams of about a second, so that one is still open when the other server is asked.
        "BUILTIN_TOKEN_DELAY_MS": "40",
        **extra,
    }
    with (
        live_server(tmp_path / "a", sqlite_path=db, **limits) as first,
        live_server(tmp_path / "b", sqlite_path=db, **limits) as second,
    ):
        yield first, second
    with redis.Redis.from_url(redis_url) as client:
        for key in client.scan_iter(f"{limits['CACHE_KEY_PREFIX']}*"):
            client.delete(key)


def test_a_user_keys_requests_per_minute_are_counted_across_processes(two_servers):
    first, second = two_servers
    key = create_key(first.sqlite_path, "alice")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [
        httpx.get(f"{server.url}/v1/me", headers=headers).status_code
        for server in (first, second) * 3
    ]
    assert statuses == [200] * 6
    for server in (first, second):
        refused = httpx.get(f"{server.url}/v1/me", headers=headers)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "6 requests per minute" in refused.json()["detail"]
    stream = httpx.post(
        f"{second.url}/v1/chat/stream", headers=headers, json={"sessionId": "rl", "prompt": "hi"}
    )
    assert stream.status_code == 429 and "Retry-After" in stream.headers


def test_the_service_key_is_not_limited_by_default(two_servers):
    first, second = two_servers
    for server in (first, second) * 5:
        response = httpx.get(f"{server.url}/v1/me", headers={"token": "devkey"})
        assert response.status_code == 200


def test_failed_authentications_from_one_address_are_limited_across_processes(two_servers):
    first, second = two_servers
    bad = {"Authorization": "Bearer oak_wrong"}
    assert [httpx.get(f"{s.url}/v1/me", headers=bad).status_code for s in (first, second) * 2] == [
        401
    ] * 4
    for server in (first, second):
        refused = httpx.get(f"{server.url}/v1/me", headers=bad)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        stream = httpx.post(
            f"{server.url}/v1/chat/stream",
            headers=bad,
            json={"sessionId": "rl2", "userId": "a", "prompt": "hi"},
        )
        assert stream.status_code == 429
    # The right key from the same address is never locked out by others' failures.
    assert httpx.get(f"{first.url}/v1/me", headers={"token": "devkey"}).status_code == 200
    stream = httpx.post(
        f"{second.url}/v1/chat/stream",
        headers={"token": "devkey"},
        json={"sessionId": "rl2", "userId": "a", "prompt": "hi"},
    )
    assert stream.status_code == 200


@pytest.mark.parametrize("window_servers", [{"RATE_LIMIT_WINDOW_SECONDS": "6"}], indirect=True)
def test_a_burst_straddling_a_window_turn_gets_exactly_the_limit_across_processes(
    window_servers,
):
    first, second = window_servers
    key = create_key(first.sqlite_path, "alice")
    headers = {"Authorization": f"Bearer {key}"}
    until(lambda: 3.0 <= time.time() % 6 < 4.0)
    start = time.time()
    statuses = [
        httpx.get(f"{server.url}/v1/me", headers=headers).status_code
        for server in (first, second) * 3
    ]
    assert statuses == [200] * 6
    until(lambda: time.time() % 6 < 3.0)  # the clock's 6 s window has turned
    for server in (first, second):
        refused = httpx.get(f"{server.url}/v1/me", headers=headers)
        assert refused.status_code == 429, "the limit holds over any 6 s, across the turn"
        assert 1 <= int(refused.headers["Retry-After"]) <= 6
    until(lambda: time.time() > start + 6.2)
    assert httpx.get(f"{second.url}/v1/me", headers=headers).status_code == 200


async def test_a_users_concurrent_streams_are_counted_across_processes(two_servers):
    first, second = two_servers
    key = create_key(first.sqlite_path, "alice")
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(timeout=30) as client:
        async with client.stream(
            "POST",
            f"{first.url}/v1/chat/stream",
            headers=headers,
            json={"sessionId": "slot-1", "prompt": "What is AI?"},
        ) as open_stream:
            assert open_stream.status_code == 200
            chunks = open_stream.aiter_bytes()
            await anext(chunks)
            refused = await client.post(
                f"{second.url}/v1/chat/stream",
                headers=headers,
                json={"sessionId": "slot-2", "prompt": "hi"},
            )
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "1"
            assert "concurrent streams" in refused.json()["detail"]
            assert b"event: done" in b"".join([chunk async for chunk in chunks])

        async def slot_back() -> httpx.Response | None:
            # The first server gives the slot back when the stream ends.
            again = await client.post(
                f"{second.url}/v1/chat/stream",
                headers=headers,
                json={"sessionId": "slot-2", "prompt": "hi"},
            )
            return again if again.status_code != 429 else None

        again = await eventually(slot_back, what="the slot was given back")
        assert again.status_code == 200
