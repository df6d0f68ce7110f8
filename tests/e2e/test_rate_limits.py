"""Rate limits hold across two server processes sharing one Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from harness.live_server import ROOT, LiveServer, live_server, server_env

pytestmark = pytest.mark.usefixtures("fresh_rate_window")


@pytest.fixture
def two_servers(
    tmp_path: Path, template_db: Path, redis_url: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on one database and one Redis, with small limits and a fresh key prefix."""
    db = tmp_path / "db.sqlite3"
    db.write_bytes(template_db.read_bytes())
    limits = {
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"rl-{uuid.uuid4().hex[:8]}",
        "RATE_LIMIT_PER_MINUTE": "6",
        "AUTH_FAILURES_PER_MINUTE": "4",
        "RATE_LIMIT_STREAMS": "1",
        # Streams of about a second, so that one is still open when the other server is asked.
        "BUILTIN_TOKEN_DELAY_MS": "40",
    }
    with (
        live_server(tmp_path / "a", sqlite_path=db, **limits) as first,
        live_server(tmp_path / "b", sqlite_path=db, **limits) as second,
    ):
        yield first, second
    with redis.Redis.from_url(redis_url) as client:
        for key in client.scan_iter(f"{limits['CACHE_KEY_PREFIX']}*"):
            client.delete(key)


def create_key(sqlite_path: Path, user: str) -> str:
    """Create a user key with the management command; return it."""
    result = subprocess.run(
        [sys.executable, "manage.py", "createapikey", user],
        cwd=ROOT,
        env=server_env(sqlite_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]


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
    refused = httpx.get(f"{first.url}/v1/me", headers={"token": "devkey"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    stream = httpx.post(
        f"{second.url}/v1/chat/stream",
        headers={"token": "devkey"},
        json={"sessionId": "rl2", "userId": "a", "prompt": "hi"},
    )
    assert stream.status_code == 429


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
        await asyncio.sleep(0.5)  # the first server gives the slot back on disconnect
        again = await client.post(
            f"{second.url}/v1/chat/stream",
            headers=headers,
            json={"sessionId": "slot-2", "prompt": "hi"},
        )
        assert again.status_code == 200
