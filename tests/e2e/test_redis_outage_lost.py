"""An outage of Redis that outlasts what a process may hold: the run's resume says why, 410.

Process A holds no event through an outage (RUN_OUTAGE_HOLD_EVENTS=0) and keeps a finished
run's copy 2 s (RUN_REPLAY_SECONDS=2): a run that ends during the outage is lost to it.
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from harness.live_server import LiveServer, live_servers
from harness.redis_server import RedisServer, redis_server
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user
from tests.support.runs import SLOW_RUNS, api, body, new_session, start_and_leave, wait_for_run
from tests.support.waiting import until


@pytest.fixture(scope="module")
def lossy(tmp_path_factory, template_db) -> Iterator[tuple[RedisServer, LiveServer, LiveServer]]:
    """A redis-server of its own, and processes A and B that hold nothing through an outage."""
    workdir = tmp_path_factory.mktemp("redis-lost")
    env = {**SLOW_RUNS, "RUN_OUTAGE_HOLD_EVENTS": "0", "RUN_REPLAY_SECONDS": "2"}
    with redis_server(workdir / "redis") as server:
        with live_servers(workdir, 2, template_db=template_db, REDIS_URL=server.url, **env) as (
            a,
            b,
        ):
            yield server, a, b


async def test_a_run_lost_to_the_outage_answers_410_naming_why_on_every_process(lossy):
    server, a, b = lossy
    session = new_session()
    first = await start_and_leave(a.url, body(session, onDisconnect="continue"))
    run_id = first[0].data["runId"]
    path = f"/v1/runs/{run_id}/stream"
    server.kill()
    try:
        assert (await wait_for_run(a.url, run_id, timeout=60))["status"] == "ok"
        until(lambda: api("GET", a.url, path).status_code != 200, what="A forgetting its copy")
    finally:
        server.start()
    until(lambda: "Redis is written again" in a.log(), what="A noticing Redis is back")
    for process in (a, b):
        response = api("GET", process.url, path)
        assert response.status_code == 410, response.text
        refusal = response.json()
        assert refusal["code"] == "events_lost"
        assert "outage of Redis" in refusal["detail"]
        assert f"/v1/sessions/{session}/messages" in refusal["detail"]  # where its answer is
    assert "1 run(s) dropped from the hold, 1 of them lost" in a.log()
    assert "redis_dropped_runs_total 1.0" in api("GET", a.url, "/metrics").text


def test_a_response_lost_to_the_outage_is_refused_410_by_the_openai_sdk(lossy):
    server, a, b = lossy
    on_a, on_b = (
        openai.OpenAI(base_url=base_url(process), api_key=SERVICE_KEY, max_retries=0)
        for process in (a, b)
    )
    recoveries = a.log().count("Redis is written again")
    started = on_a.responses.create(
        model="orchestrator", user=new_user(), input="What is AI?", background=True
    )
    server.kill()
    try:
        until(lambda: on_a.responses.retrieve(started.id).status == "completed", timeout=60)

        def forgotten() -> bool:
            try:
                on_a.responses.retrieve(started.id, stream=True).close()
            except openai.APIStatusError:
                return True
            return False

        until(forgotten, what="A forgetting its copy")
    finally:
        server.start()
    until(lambda: a.log().count("Redis is written again") > recoveries, what="A noticing")
    with pytest.raises(openai.APIStatusError) as refused:
        on_b.responses.retrieve(started.id, stream=True)
    assert (refused.value.status_code, refused.value.code) == (410, "events_lost")
    assert "outage of Redis" in refused.value.message
    assert on_b.responses.retrieve(started.id).status == "completed"  # the record is whole
