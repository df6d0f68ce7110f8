"""Runs in one daphne process without Redis: resume, cancel, the two policies, shutdown."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import pytest

from harness.live_server import live_server
from operations.client import StreamRejected, stream_chat_http
from tests.support.runs import (
    SLOW_RUNS,
    answer_seen,
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


def join_stream(url: str, session: str):
    """Start a run in `session` and yield its events as they come (the POST stream)."""
    return stream_chat_http(url, "devkey", body(session))


@pytest.fixture(scope="module")
def runs_server(tmp_path_factory, template_db):
    """One process, in-memory replay buffer, runs slow enough to act on."""
    with live_server(tmp_path_factory.mktemp("runs"), template_db=template_db, **SLOW_RUNS) as s:
        yield s


async def test_a_dropped_stream_resumes_with_exactly_the_missing_events(runs_server):
    url = runs_server.url
    first = await start_and_leave(url, body(new_session(), onDisconnect="continue"))
    run_id = first[0].data["runId"]
    rest = await join(url, run_id, last_event_id=first[-1].id)
    assert [e.id for e in first + rest] == list(range(1, len(first) + len(rest) + 1))
    assert rest[-1].event == "done"
    replay = await join(url, run_id)
    assert [(e.id, e.event, e.data) for e in replay] == [
        (e.id, e.event, e.data) for e in first + rest
    ]
    run = api("GET", url, f"/v1/runs/{run_id}").json()
    assert (run["status"], run["lastEventId"]) == ("ok", rest[-1].id)
    assert run["answerMessageId"] == rest[-1].data["messageId"]


async def test_a_client_leaving_cancels_the_run_by_default(runs_server):
    first = await start_and_leave(runs_server.url, body(session := new_session()))
    run = await wait_for_run(runs_server.url, first[0].data["runId"])
    assert run["status"] == "cancelled"
    assert roles(runs_server.url, session) == ["user"], "no half answer is stored"


async def test_cancel_ends_the_stream_and_records_the_run_cancelled(runs_server):
    url, session = runs_server.url, new_session()
    events = []

    async def follow() -> None:
        async for event in join_stream(url, session):
            events.append(event)

    follower = asyncio.create_task(follow())
    await eventually(lambda: asyncio.sleep(0, any(e.event == "token" for e in events)))
    asked_at = time.monotonic()
    cancelled = api("POST", url, f"/v1/runs/{events[0].data['runId']}/cancel")
    await asyncio.wait_for(follower, 5)
    ended_in = time.monotonic() - asked_at
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (events[-1].event, events[-1].data["code"]) == ("error", "cancelled")
    assert ended_in < 1.5, "within 1 s, with slack for a loaded machine"
    assert roles(url, session) == ["user"]
    assert api("GET", url, f"/v1/metrics/{session}").json()["totalRequests"] == 1
    again = api("POST", url, f"/v1/runs/{events[0].data['runId']}/cancel")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


async def test_reject_answers_409_with_the_active_run(runs_server):
    url, session = runs_server.url, new_session()
    first = await start_and_leave(url, body(session, onDisconnect="continue"), tokens=1)
    response = httpx.post(
        f"{url}/v1/chat/stream",
        json=body(session, multitaskStrategy="reject"),
        headers={"Authorization": "Bearer devkey"},
    )
    assert response.status_code == 409
    assert response.json()["activeRunId"] == first[0].data["runId"]
    await wait_for_run(url, first[0].data["runId"])
    assert roles(url, session) == ["user", "assistant"], "the rejected prompt is not stored"


async def test_enqueued_prompts_run_one_after_another_with_alternating_history(runs_server):
    url, session = runs_server.url, new_session()
    prompts = ["My name is Alice", "What is my name?", "What is AI?"]
    runs = await asyncio.gather(*(chat(url, body(session, p)) for p in prompts))
    assert all(events[-1].event == "done" for events in runs)
    assert sorted(events[0].data["status"] for events in runs) == ["queued", "queued", "running"]
    assert roles(url, session) == ["user", "assistant"] * 3


async def test_interrupt_stops_the_active_run_and_starts_the_new_one(runs_server):
    url, session = runs_server.url, new_session()
    first = asyncio.create_task(chat(url, body(session)))

    async def first_is_running() -> bool:
        runs = api("GET", url, f"/v1/sessions/{session}/runs")
        return (
            runs.status_code == 200
            and runs.json()["runs"][:1] != []
            and (runs.json()["runs"][0]["status"] == "running")
        )

    await eventually(first_is_running, what="the first run started")
    second = await chat(url, body(session, "What is my name?", multitaskStrategy="interrupt"))
    interrupted = await first
    assert (interrupted[-1].event, interrupted[-1].data["code"]) == ("error", "interrupted")
    assert second[-1].event == "done"
    run = api("GET", url, f"/v1/runs/{interrupted[0].data['runId']}").json()
    assert run["status"] == "interrupted"
    assert roles(url, session) == ["user", "user", "assistant"]


async def test_a_session_lists_its_runs_newest_first(runs_server):
    url, session = runs_server.url, new_session()
    first = await chat(url, body(session))
    second = await chat(url, body(session))
    listed = api("GET", url, f"/v1/sessions/{session}/runs").json()
    assert [r["runId"] for r in listed["runs"]] == [second[0].data["runId"], first[0].data["runId"]]
    assert listed["count"] == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/runs/{run}"),
        ("POST", "/v1/runs/{run}/cancel"),
        ("GET", "/v1/sessions/{session}/runs"),
        ("GET", "/v1/runs/{run}/stream"),
    ],
)
async def test_every_run_route_answers_401_404_and_422(runs_server, method, path):
    url, session = runs_server.url, new_session()
    events = await chat(url, body(session))
    real = path.format(run=events[0].data["runId"], session=session)
    assert httpx.request(method, f"{url}{real}").status_code == 401
    unknown = path.format(run="0" * 24, session="nobody-here")
    missing = api(method, url, unknown)
    assert missing.status_code == 404 and "detail" in missing.json()
    malformed = api(method, url, path.format(run="not-a-run", session="bad id!"))
    assert malformed.status_code == 422 and "detail" in malformed.json()


async def test_a_malformed_last_event_id_is_a_422(runs_server):
    events = await chat(runs_server.url, body(new_session()))
    response = api(
        "GET",
        runs_server.url,
        f"/v1/runs/{events[0].data['runId']}/stream",
        headers={"Last-Event-ID": "soon"},
    )
    assert response.status_code == 422


async def test_the_query_parameter_resumes_like_the_header(runs_server):
    events = await chat(runs_server.url, body(new_session()))
    run_id = events[0].data["runId"]
    response = api("GET", runs_server.url, f"/v1/runs/{run_id}/stream?lastEventId=3")
    assert response.status_code == 200
    assert "id: 4\n" in response.text and "id: 3\n" not in response.text


async def test_a_run_past_its_retention_answers_410_and_keeps_its_answer(
    tmp_path_factory, template_db
):
    workdir = tmp_path_factory.mktemp("retention")
    with live_server(workdir, template_db=template_db, RUN_REPLAY_SECONDS="1") as server:
        session = new_session()
        events = await chat(server.url, body(session))

        async def expired() -> int | None:
            try:
                await join(server.url, events[0].data["runId"])
            except StreamRejected as rejected:
                return rejected.status
            return None

        assert await eventually(expired, what="the run's events expired") == 410
        assert roles(server.url, session) == ["user", "assistant"]
        joined = api("GET", server.url, f"/v1/runs/{events[0].data['runId']}/stream")
        assert f"its answer is in /v1/sessions/{session}/messages" in joined.json()["detail"]


async def test_sigterm_hands_the_run_over_and_the_restarted_server_finishes_it(
    tmp_path_factory, template_db
):
    workdir = tmp_path_factory.mktemp("sigterm")
    with live_server(workdir / "a", template_db=template_db, **SLOW_RUNS) as server:
        events = []
        async for event in join_stream(server.url, session := new_session()):
            events.append(event)
            if event.event == "token":
                server.process.send_signal(signal.SIGTERM)
        assert (events[-1].event, events[-1].data["code"]) == ("error", "server_shutdown")
        assert events[-1].id is None, "no id: the client resumes from its last event"
        assert server.process.wait(timeout=10) == 0
        assert "handed over" in server.log()
        db = server.sqlite_path
    run_id, last = events[0].data["runId"], events[-2].id
    with live_server(workdir / "b", sqlite_path=db, **SLOW_RUNS) as after:
        rest = await join(after.url, run_id, last_event_id=last)
        resumed = rest[0]
        assert (resumed.event, resumed.id) == ("resumed", last + 1)
        assert (resumed.data["attempt"], resumed.data["reason"]) == (2, "handed_over")
        assert rest[-1].event == "done"
        assert answer_seen([*events[:-1], *rest]) == rest[-1].data["fullText"]
        run = api("GET", after.url, f"/v1/runs/{run_id}").json()
        assert (run["status"], run["attempt"]) == ("ok", 2)
        assert api("GET", after.url, f"/v1/metrics/{session}").json()["totalRequests"] == 1
        assert roles(after.url, session) == ["user", "assistant"]


async def test_after_kill_9_the_restarted_server_resumes_the_run_from_its_start(
    tmp_path_factory, template_db
):
    workdir = tmp_path_factory.mktemp("restart")
    with live_server(workdir / "a", template_db=template_db, **SLOW_RUNS) as server:
        events = []
        async for event in join_stream(server.url, session := new_session()):
            events.append(event)
            if event.event == "tool_call_completed":
                server.process.kill()
                break
        server.process.wait(timeout=10)
        db = server.sqlite_path
    run_id = events[0].data["runId"]
    with live_server(workdir / "b", sqlite_path=db, **SLOW_RUNS) as restarted:
        # Joined before the restarted server took it over: the join waits for its events.
        rest = await join(restarted.url, run_id, last_event_id=events[-1].id)
        resumed = rest[0]
        assert (resumed.event, resumed.data["reason"]) == ("resumed", "lease_expired")
        assert resumed.data["supersedes"] == 1, "from its start: all but the `run` event"
        assert resumed.id > 1000, "past every id the killed attempt could have used"
        assert rest[-1].event == "done"
        assert answer_seen([*events, *rest]) == rest[-1].data["fullText"]
        assert roles(restarted.url, session) == ["user", "assistant"], "its prompt stored once"
        metrics = api("GET", restarted.url, f"/v1/metrics/{session}").json()
        assert metrics["totalRequests"] == 1
        assert (await chat(restarted.url, body(session)))[-1].event == "done"


async def test_a_client_that_has_the_last_event_of_an_ended_run_gets_204(runs_server):
    events = await chat(runs_server.url, body(new_session()))
    path = f"/v1/runs/{events[0].data['runId']}/stream"
    done = api("GET", runs_server.url, path, headers={"Last-Event-ID": str(events[-1].id)})
    assert done.status_code == 204
    before = api("GET", runs_server.url, path, headers={"Last-Event-ID": str(events[-2].id)})
    assert before.status_code == 200 and f"id: {events[-1].id}\nevent: done" in before.text
