"""Runs across two daphne processes on one SQLite file, sharing a real redis-server."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import pytest

from harness.live_server import live_servers
from operations.client import stream_chat_http, stream_run_http
from tests.support.runs import (
    SLOW_RUNS,
    TOKEN,
    api,
    body,
    chat,
    join,
    new_session,
    roles,
    start_and_leave,
    wait_for_run,
)
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def pair(tmp_path_factory, template_db, redis_url):
    """Processes A and B: one database, one Redis, runs slow enough to act on.

    Their heartbeats are slow (2 s), so a cancel or a wake-up that arrives within a second came
    through Redis pub/sub, not through the owner's next heartbeat.
    """
    workdir = tmp_path_factory.mktemp("pair")
    env = {**SLOW_RUNS, "RUN_HEARTBEAT_SECONDS": "2", "RUN_LEASE_SECONDS": "6"}
    with live_servers(workdir, 2, template_db=template_db, REDIS_URL=redis_url, **env) as ab:
        yield ab


async def test_a_run_started_on_a_resumes_on_b_with_exactly_the_missing_events(pair):
    a, b = pair
    first = await start_and_leave(a.url, body(new_session(), onDisconnect="continue"))
    run_id = first[0].data["runId"]
    rest = await join(b.url, run_id, last_event_id=first[-1].id)
    assert [e.id for e in rest] == list(range(first[-1].id + 1, first[-1].id + len(rest) + 1))
    assert rest[-1].event == "done"
    whole = await join(b.url, run_id)
    assert [(e.id, e.event, e.data) for e in whole] == [
        (e.id, e.event, e.data) for e in first + rest
    ]
    assert whole[0].data == {
        "runId": run_id,
        "sessionId": first[0].data["sessionId"],
        "status": "running",
    }


async def test_a_cancel_on_b_ends_a_run_streaming_on_a_within_a_second(pair):
    a, b = pair
    events = []

    async def follow() -> None:
        async for event in stream_chat_http(a.url, TOKEN, body(session)):
            events.append(event)

    session = new_session()
    follower = asyncio.create_task(follow())
    await eventually(lambda: asyncio.sleep(0, any(e.event == "token" for e in events)))
    asked_at = time.monotonic()
    response = api("POST", b.url, f"/v1/runs/{events[0].data['runId']}/cancel")
    await asyncio.wait_for(follower, 5)
    assert time.monotonic() - asked_at < 1.5, "within 1 s, with slack for a loaded machine"
    assert (events[-1].event, events[-1].data["code"]) == ("error", "cancelled")
    assert response.json()["status"] == "cancelled"
    assert roles(a.url, session) == ["user"]


async def test_reject_on_b_while_a_runs_is_a_409(pair):
    a, b = pair
    session = new_session()
    first = await start_and_leave(a.url, body(session, onDisconnect="continue"), tokens=1)
    response = httpx.post(
        f"{b.url}/v1/chat/stream",
        json=body(session, multitaskStrategy="reject"),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 409
    assert response.json()["activeRunId"] == first[0].data["runId"]
    assert (await wait_for_run(b.url, first[0].data["runId"]))["status"] == "ok"


async def test_eight_prompts_enqueued_across_a_and_b_all_answer_with_alternating_history(pair):
    session = new_session()
    requests = [chat(pair[n % 2].url, body(session, f"Remember the number {n}")) for n in range(8)]
    runs = await asyncio.wait_for(asyncio.gather(*requests), 120)
    assert [events[-1].event for events in runs] == ["done"] * 8
    assert roles(pair[0].url, session) == ["user", "assistant"] * 8


async def test_sigterm_of_b_ends_its_join_with_server_shutdown_while_a_finishes_the_run(
    tmp_path_factory, template_db, redis_url
):
    workdir = tmp_path_factory.mktemp("term")
    # Runs of ~6 s: still going when B's shutdown stops waiting for its streams (1 s).
    slower = {**SLOW_RUNS, "BUILTIN_TOKEN_DELAY_MS": "200"}
    with live_servers(workdir, 2, template_db=template_db, REDIS_URL=redis_url, **slower) as ab:
        a, b = ab
        first = await start_and_leave(a.url, body(new_session(), onDisconnect="continue"))
        run_id = first[0].data["runId"]
        joined = []
        async for event in stream_run_http(b.url, TOKEN, run_id, last_event_id=first[-1].id):
            joined.append(event)
            if len(joined) == 2:
                b.process.send_signal(signal.SIGTERM)
        assert (joined[-1].event, joined[-1].data["code"]) == ("error", "server_shutdown")
        assert joined[-1].id is None, "no id: a resume elsewhere continues from the last one"
        assert b.process.wait(timeout=10) == 0
        rest = await join(a.url, run_id, last_event_id=joined[-2].id)
        assert rest[-1].event == "done"
        assert (await wait_for_run(a.url, run_id))["status"] == "ok"
