"""Redis killed and started again under two daphne processes: health tells, no event is lost.

The processes share one database and a redis-server of this module's, which the tests kill
(SIGKILL: it persists nothing, so it comes back empty) and start again on the same port.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis

from harness.live_server import LiveServer, live_servers
from harness.redis_server import RedisServer, redis_server
from tests.support.runs import (
    SLOW_RUNS,
    TOKEN,
    body,
    join,
    new_session,
    start_and_leave,
    wait_for_run,
)
from tests.support.waiting import until

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def outage(tmp_path_factory, template_db) -> Iterator[tuple[RedisServer, LiveServer, LiveServer]]:
    """A redis-server of its own, and processes A and B sharing it and one database."""
    workdir = tmp_path_factory.mktemp("redis-outage")
    with redis_server(workdir / "redis") as server:
        with live_servers(
            workdir, 2, template_db=template_db, REDIS_URL=server.url, **SLOW_RUNS
        ) as (
            a,
            b,
        ):
            yield server, a, b


def health(server: LiveServer) -> tuple[int, dict]:
    """/health's status and body."""
    response = httpx.get(f"{server.url}/health", timeout=10)
    return response.status_code, response.json()


def stream_top(server: RedisServer, run_id: str) -> int:
    """The id of the last event Redis holds of the run (0: none)."""
    with redis.Redis.from_url(server.url) as client:
        top = client.xrevrange(f"orchestration:run:{run_id}:events", count=1)
    return int(top[0][0].decode().split("-")[0]) if top else 0


def test_health_reports_redis(outage):
    _, a, _ = outage
    status, report = health(a)
    assert (status, report["status"], report["database"], report["redis"]) == (
        200,
        "ok",
        "ok",
        "ok",
    )


async def test_a_run_streamed_through_an_outage_is_resumed_whole_on_the_other_process(outage):
    server, a, b = outage
    first = await start_and_leave(a.url, body(new_session(), onDisconnect="continue"))
    run_id = first[0].data["runId"]
    server.kill()
    try:
        status, report = health(a)
        assert (status, report["status"], report["redis"]) == (503, "degraded", "unreachable")
        assert httpx.get(f"{a.url}/health/live", timeout=10).status_code == 200
        ready = httpx.get(f"{a.url}/health/ready", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["redis"] == "unreachable"
        elsewhere = httpx.get(f"{b.url}/v1/runs/{run_id}/stream", headers=AUTH, timeout=10)
        assert (elsewhere.status_code, elsewhere.headers["retry-after"]) == (503, "5")
        assert elsewhere.json()["code"] == "redis_unavailable"  # B reads runs from Redis
        assert (await wait_for_run(a.url, run_id, timeout=60))["status"] == "ok"
    finally:
        server.start()
    whole = await join(a.url, run_id)  # from A's own copy
    assert whole[-1].event == "done"
    until(lambda: health(a)[0] == 200, what="A healthy again")
    until(lambda: stream_top(server, run_id) == whole[-1].id, what="A writing what it held")
    elsewhere = await join(b.url, run_id)
    assert [(e.id, e.event, e.data) for e in elsewhere] == [(e.id, e.event, e.data) for e in whole]
    assert "could not write the events" not in a.log()
    assert a.log().count("Redis cannot be written") == 1
    assert a.log().count("Redis is written again") == 1
    assert a.log().count("run signal subscription lost") == 1  # once, not once a second
    metrics = httpx.get(f"{a.url}/metrics", timeout=10).text
    assert 'redis_errors_total{kind="ConnectionError",operation="write"}' in metrics
