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
from operations.client import stream_run_http
from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user, sync_client
from tests.support.runs import (
    SLOW_RUNS,
    TOKEN,
    body,
    chat,
    join,
    new_session,
    start_and_leave,
    wait_for_run,
)
from tests.support.waiting import until

RUNS = {**SLOW_RUNS, "BUILTIN_TOKEN_DELAY_MS": "150"}
"""About 30 tokens, 150 ms apart: a run outlasts what the tests do while it streams."""

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def outage(tmp_path_factory, template_db) -> Iterator[tuple[RedisServer, LiveServer, LiveServer]]:
    """A redis-server of its own, and processes A and B sharing it and one database."""
    workdir = tmp_path_factory.mktemp("redis-outage")
    with redis_server(workdir / "redis") as server:
        with live_servers(workdir, 2, template_db=template_db, REDIS_URL=server.url, **RUNS) as (
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


async def test_a_stream_following_the_other_process_says_why_it_stops_and_resumes_after(outage):
    server, a, b = outage
    first = await start_and_leave(a.url, body(new_session(), onDisconnect="continue"))
    run_id = first[0].data["runId"]
    seen = []
    try:
        async for event in stream_run_http(b.url, TOKEN, run_id, timeout=30):
            seen.append(event)
            if len(seen) == 1:
                server.kill()  # B reads the run from Redis: its next read fails
    finally:
        server.start()
    assert seen[-1].event == "error" and seen[-1].data["code"] == "redis_unavailable", seen[-1]
    assert all(event.event != "done" for event in seen)
    assert (await wait_for_run(a.url, run_id, timeout=60))["status"] == "ok"
    whole = await join(a.url, run_id)
    until(lambda: stream_top(server, run_id) == whole[-1].id, what="A writing what it held")
    numbered = [event for event in seen if event.id is not None]
    rest = await join(b.url, run_id, last_event_id=numbered[-1].id)
    assert [(e.id, e.data) for e in numbered + rest] == [(e.id, e.data) for e in whole]
    assert (
        'redis_errors_total{kind="ConnectionError",operation="read"}'
        in httpx.get(f"{b.url}/metrics", timeout=10).text
    )


def test_a_langgraph_join_on_the_other_process_ends_with_an_error_part(outage):
    server, a, b = outage
    thread = sync_client(a.url).threads.create(metadata={"user_id": new_user()})["thread_id"]
    run = sync_client(a.url).runs.create(thread, ASSISTANT, input=ask("What is AI?"))
    parts = []
    try:
        for part in sync_client(b.url).runs.join_stream(thread, run["run_id"]):
            parts.append(part)
            if len(parts) == 1:
                server.kill()
    finally:
        server.start()
    assert parts[-1].event == "error", parts[-1]
    assert parts[-1].data["error"] == "redis_unavailable"
    until(lambda: health(a)[0] == 200 and health(b)[0] == 200, what="both healthy again")
    finished = sync_client(b.url).runs.join(thread, run["run_id"])
    assert finished["messages"][-1]["type"] == "ai"


async def test_a_redis_restarted_between_runs_gets_again_the_runs_that_just_ended(outage):
    server, a, b = outage
    events = await chat(a.url, body(new_session()))
    run_id = events[0].data["runId"]
    until(lambda: stream_top(server, run_id) == events[-1].id, what="the run in Redis")
    server.kill()
    server.start()  # back empty, while nothing was streaming: no write of A's failed
    until(lambda: stream_top(server, run_id) == events[-1].id, what="A writing it again")
    elsewhere = await join(b.url, run_id)
    assert [(e.id, e.event, e.data) for e in elsewhere] == [(e.id, e.event, e.data) for e in events]
    assert "written again" in a.log()
