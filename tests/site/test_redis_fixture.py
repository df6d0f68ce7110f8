"""The suite's own redis-server: started on a loopback port, really answering."""

from __future__ import annotations

import redis


def test_the_suites_redis_server_stores_and_returns_a_value(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        client.set("fixture-probe", "ok", ex=5)
        assert client.get("fixture-probe") == b"ok"
        assert redis_url.startswith("redis://127.0.0.1:")
