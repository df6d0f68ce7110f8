"""A run outlives its process: two daphne processes on one database, sharing a real Redis.

The process executing a run is stopped (SIGTERM), killed (SIGKILL) or stalled past its lease
(SIGSTOP, then SIGCONT); the other takes the run over from its last checkpoint and finishes
it, and a client that resumes there with `Last-Event-ID` reads one coherent answer.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from harness.live_server import LiveServer, live_servers
from operations.client import StreamEvent, stream_chat_http
from tests.support.runs import (
    TOKEN,
    answer_seen,
    api,
    body,
    join,
    new_session,
    roles,
    wait_for_run,
)
from tests.support.waiting import eventually, until

LEASE = {"RUN_HEARTBEAT_SECONDS": "0.3", "RUN_LEASE_SECONDS": "1.5"}
SLOW = {"BUILTIN_TOKEN_DELAY_MS": "60", "RUN_RECOVERY_POLL_SECONDS": "0.2", **LEASE}


@pytest.fixture
def pair(tmp_path, template_db, redis_url):
    """Processes A and B: one database, one Redis, runs slow enough to act on mid-answer."""
    with live_servers(tmp_path, 2, template_db=template_db, REDIS_URL=redis_url, **SLOW) as ab:
        yield ab


async def cut_mid_run(server: LiveServer, session: str, act: Callable[[], None], when: str):
    """Stream a chat on `server` until its first `when` event, then `act` (and stop reading)."""
    events = []
    async for event in stream_chat_http(server.url, TOKEN, body(session, onDisconnect="continue")):
        events.append(event)
        if event.event == when:
            act()
            break
    return events


def ids_unique_and_rising(events: list[StreamEvent]) -> bool:
    ids = [e.id for e in events if e.id is not None]
    return ids == sorted(set(ids))


def finished_once_by_attempt_2(server: LiveServer, session: str, seen: list[StreamEvent]) -> None:
    """What a client saw reads as one answer; the run ended ok by its second attempt, once."""
    assert seen[-1].event == "done"
    assert ids_unique_and_rising(seen)
    assert answer_seen(seen) == seen[-1].data["fullText"]
    run = api("GET", server.url, f"/v1/runs/{seen[0].data['runId']}").json()
    assert (run["status"], run["attempt"]) == ("ok", 2)
    assert roles(server.url, session) == ["user", "assistant"], "prompt and answer stored once"
    assert api("GET", server.url, f"/v1/metrics/{session}").json()["totalRequests"] == 1


async def test_sigterm_mid_answer_hands_the_run_over_and_the_client_reads_one_answer(pair):
    a, b = pair
    session = new_session()
    first = []
    async for event in stream_chat_http(a.url, TOKEN, body(session)):  # onDisconnect: cancel
        first.append(event)
        if sum(e.event == "token" for e in first) == 3:
            a.process.send_signal(signal.SIGTERM)
    assert (first[-1].event, first[-1].data["code"], first[-1].id) == (
        "error",
        "server_shutdown",
        None,
    ), "no id: a resume elsewhere goes on from the last one"
    assert a.process.wait(timeout=15) == 0
    run_id = first[0].data["runId"]
    last = [e for e in first if e.id is not None][-1].id
    rest = await join(b.url, run_id, last_event_id=last)
    resumed = next(e for e in rest if e.event == "resumed")
    assert resumed.data["attempt"] == 2 and resumed.data["reason"] == "handed_over"
    assert resumed.id == last + 1, "a handed-over run's ids go on right after its last"
    assert resumed.data["checkpoint"] is not None, "from the checkpoint written as it stopped"
    synthesizer = next(
        e.id for e in first if e.event == "agent" and e.data["name"] == "synthesizer"
    )
    assert resumed.data["supersedes"] == synthesizer - 1, "only the Synthesizer is redone"
    assert [e.data["name"] for e in rest if e.event == "agent"] == ["synthesizer"] * 2
    assert "handed over" in a.log()
    finished_once_by_attempt_2(b, session, [*first[:-1], *rest])


async def test_kill_9_mid_tool_call_another_process_takes_the_run_over_and_finishes_it(pair):
    # How soon (within the lease and a poll) is `make bench-takeover`'s figure, not a test's.
    a, b = pair
    session = new_session()
    first = await cut_mid_run(a, session, a.process.kill, "tool_call_started")
    a.process.wait(timeout=10)
    rest = await join(b.url, first[0].data["runId"], last_event_id=first[-1].id)
    resumed = next(e for e in rest if e.event == "resumed")
    assert resumed.data["reason"] == "lease_expired" and resumed.data["attempt"] == 2
    assert resumed.id > 1000, "past every id the dead attempt could have used"
    finished_once_by_attempt_2(b, session, [*first, *rest])


async def test_a_process_stalled_past_its_lease_writes_nothing_once_it_wakes(pair):
    a, b = pair
    session = new_session()
    first = await cut_mid_run(a, session, lambda: os.kill(a.process.pid, signal.SIGSTOP), "token")
    run_id = first[0].data["runId"]
    try:
        rest = await join(b.url, run_id, last_event_id=first[-1].id)
        assert rest[-1].event == "done"
    finally:
        os.kill(a.process.pid, signal.SIGCONT)
    until(lambda: "lost its lease" in a.log(), what="A noticed that it lost the run", timeout=20)
    whole = await join(b.url, run_id)
    assert sum(e.event in {"done", "error"} for e in whole) == 1, "finished once"
    await wait_for_run(b.url, run_id)
    finished_once_by_attempt_2(b, session, whole)  # A's late answer and metric were refused

    async def a_serves() -> bool:
        return api("GET", a.url, "/health").status_code == 200

    assert await eventually(a_serves, what="A serves again")


async def test_langgraph_and_openai_clients_read_a_taken_over_run_as_one_answer(pair):
    from openai import OpenAI

    from tests.protocols.langgraph.conftest import ASSISTANT, ask, sync_client

    a, b = pair
    on_a = sync_client(a.url)
    thread = on_a.threads.create()["thread_id"]
    run = on_a.runs.create(thread, ASSISTANT, input=ask("What is AI?"))
    seen = []
    for part in on_a.runs.join_stream(thread, run["run_id"], stream_mode="messages-tuple"):
        seen.append(part)
        if sum(p.event == "messages" for p in seen) == 2:
            a.process.send_signal(signal.SIGTERM)
            break
    assert a.process.wait(timeout=15) == 0
    on_b = sync_client(b.url)
    modes = ["values", "messages-tuple"]
    parts = list(on_b.runs.join_stream(thread, run["run_id"], stream_mode=modes))
    attempts = [p.data["attempt"] for p in parts if p.event == "metadata"]
    assert attempts == [1, 2]
    answer = parts[-1].data["messages"][-1]
    chunks = [p.data[0] for p in parts if p.event == "messages"]
    assert "".join(c["content"] for c in chunks if c["id"] == answer["id"]) == answer["content"]
    assert on_b.runs.get(thread, run["run_id"])["status"] == "success"

    responses = OpenAI(base_url=f"{b.url}/openai/v1", api_key=TOKEN, max_retries=0)
    with responses.responses.stream(response_id=f"resp_{run['run_id']}") as stream:
        final = stream.get_final_response()
    assert final.output_text == answer["content"]
    assert [item.type for item in final.output].count("message") == 1


async def test_redis_restarted_mid_run_then_its_process_killed_the_run_still_ends_once(
    tmp_path, template_db
):
    from harness.redis_server import redis_server

    with redis_server(tmp_path / "redis") as redis:
        env = {**SLOW, "REDIS_URL": redis.url}
        with live_servers(tmp_path, 2, template_db=template_db, **env) as (a, b):
            session = new_session()
            first = await cut_mid_run(a, session, redis.kill, "token")  # comes back empty
            redis.start()
            a.process.kill()  # before it could write back all it held
            a.process.wait(timeout=10)
            rest = await join(b.url, first[0].data["runId"], last_event_id=first[-1].id)
            finished_once_by_attempt_2(b, session, [*first, *rest])


async def test_interrupting_a_run_whose_server_died_ends_it_and_the_new_run_answers(pair):
    from tests.support.runs import chat

    a, b = pair
    session = new_session()
    first = await cut_mid_run(a, session, a.process.kill, "token")
    a.process.wait(timeout=10)
    answer = await chat(b.url, body(session, "Hi", multitaskStrategy="interrupt"))
    assert answer[-1].event == "done"
    dead = await wait_for_run(b.url, first[0].data["runId"])
    assert dead["status"] == "interrupted", "stopped as asked, not resumed"
    assert roles(b.url, session) == ["user", "user", "assistant"]


async def test_a_taken_over_runs_webhook_is_posted_once_with_its_answer(
    tmp_path, template_db, redis_url
):
    from standardwebhooks import Webhook

    from tests.e2e.test_webhooks import ENV as WEBHOOKS
    from tests.e2e.test_webhooks import SECRET
    from tests.support.webhook_receiver import WebhookReceiver

    env = {**SLOW, **WEBHOOKS, "REDIS_URL": redis_url}
    with (
        WebhookReceiver() as receiver,
        live_servers(tmp_path, 2, template_db=template_db, **env) as (a, b),
    ):
        session = new_session()
        first = []
        request = body(session, onDisconnect="continue", webhook=receiver.url)
        async for event in stream_chat_http(a.url, TOKEN, request):
            first.append(event)
            if event.event == "token":
                a.process.send_signal(signal.SIGTERM)
                break
        run_id = first[0].data["runId"]
        rest = await join(b.url, run_id, last_event_id=first[-1].id)
        assert rest[-1].event == "done"
        (received,) = until(lambda: receiver.for_run(run_id), what="the run's webhook")
        payload = Webhook(SECRET).verify(received.body, received.headers)
        assert (payload["status"], payload["answer"]) == ("ok", rest[-1].data["fullText"])
        await wait_for_run(b.url, run_id)
        assert len(receiver.for_run(run_id)) == 1, "once, by the attempt that finished it"


async def test_the_ai_sdk_resuming_a_taken_over_run_assembles_one_answer(
    tmp_path, template_db, redis_url
):
    from operations.client import stream_run_http
    from tests.support.node import JS, run_node

    slower = {**SLOW, "BUILTIN_TOKEN_DELAY_MS": "200", "REDIS_URL": redis_url}
    with live_servers(tmp_path, 2, template_db=template_db, **slower) as (a, b):
        session = new_session()  # the service key's own user: the AI SDK names none
        request = {"sessionId": session, "prompt": "What is AI?", "onDisconnect": "continue"}
        async for event in stream_chat_http(a.url, TOKEN, request):
            run_id = event.data["runId"]
            break
        async for event in stream_run_http(b.url, TOKEN, run_id):
            if event.event == "token":
                a.process.send_signal(signal.SIGTERM)
            if event.event == "resumed":
                break  # taken over: what the AI SDK replays now holds both attempts
        message = run_node(JS / "ai_sdk_reconnect.mjs", b.url, TOKEN, session)
        assert message["metadata"]["runId"] == run_id
        assert (await wait_for_run(b.url, run_id, timeout=60))["attempt"] == 2
        stored = api("GET", b.url, f"/v1/sessions/{session}/messages").json()["messages"][-1]
        texts = [p["text"] for p in message["parts"] if p["type"] == "text"]
        assert texts == [stored["content"]], "one answer: the redone one, whole"
        assert [p["data"]["attempt"] for p in message["parts"] if p["type"] == "data-resumed"] == [
            2
        ]
