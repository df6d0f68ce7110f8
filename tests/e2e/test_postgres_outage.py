"""PostgreSQL stopped (`-m immediate`) under a running daphne, mid-run, then started again.

A cluster of this module's own (whatever database the suite runs on): the stream ends with
an `error` event that says the database went away, and once it is back the run is recorded
ended, never left `running`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from harness.live_server import ROOT, LiveServer, live_server, server_env
from harness.postgres_server import PostgresServer, create_database, postgres_server
from operations.client import stream_chat_http
from tests.support.runs import SLOW_RUNS, TOKEN, body, new_session
from tests.support.waiting import until


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[tuple[PostgresServer, LiveServer]]:
    """A PostgreSQL cluster of its own, migrated, and a daphne on it."""
    workdir = tmp_path_factory.mktemp("postgres-outage")
    with postgres_server(crash_safe=True) as postgres:
        url = create_database(postgres.url("postgres"), "outage")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=server_env(workdir / "unused.sqlite3", DATABASE_URL=url),
            check=True,
            timeout=120,
        )
        # A lease longer than the outage, as in production: the run's own process records it.
        lease = {"RUN_HEARTBEAT_SECONDS": "2", "RUN_LEASE_SECONDS": "15"}
        with live_server(workdir / "server", DATABASE_URL=url, **SLOW_RUNS | lease) as server:
            yield postgres, server


def run_status(server: LiveServer, run_id: str) -> str | None:
    """The run's recorded status, None while the database does not answer."""
    response = httpx.get(
        f"{server.url}/v1/runs/{run_id}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    return response.json()["status"] if response.status_code == 200 else None


async def test_a_run_the_database_left_mid_stream_ends_with_an_error_and_is_recorded(cluster):
    postgres, server = cluster
    events = []
    stopped = False
    async for event in stream_chat_http(server.url, TOKEN, body(new_session())):
        events.append(event)
        if not stopped and sum(e.event == "token" for e in events) >= 3:
            postgres.stop()
            stopped = True
    try:
        assert (events[-1].event, events[-1].data["code"]) == ("error", "database_unavailable")
        assert run_status(server, events[0].data["runId"]) is None  # 503 meanwhile
    finally:
        postgres.start()
    run_id = events[0].data["runId"]
    until(lambda: run_status(server, run_id) not in (None, "running"), timeout=60)
    assert run_status(server, run_id) == "error"  # its own process recorded it, not the lease
    assert "recorded error once the database answered" in server.log()
    for work in ("the cron scheduler", "the webhook worker"):  # once per outage, not per poll
        assert server.log().count(f"{work} failed") == 1
        until(lambda w=work: f"{w} works again" in server.log(), what=f"{work} again")
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    assert re.search(r'database_errors_total\{kind="\w+Error",operation="run"\} 1', metrics)
    health = httpx.get(f"{server.url}/health", timeout=10)
    assert (health.status_code, health.json()["database"]) == (200, "ok")


async def test_between_runs_a_chat_gets_503_and_the_next_one_after_the_outage_works(cluster):
    postgres, server = cluster
    postgres.stop()
    try:
        refused = httpx.post(
            f"{server.url}/v1/chat/stream",
            json=body(new_session()),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert (refused.status_code, refused.headers["retry-after"]) == (503, "5")
        assert refused.json()["code"] == "database_unavailable"
        health = httpx.get(f"{server.url}/health", timeout=10)
        assert (health.status_code, health.json()["database"]) == (503, "unreachable")
    finally:
        postgres.start()
    events = [e async for e in stream_chat_http(server.url, TOKEN, body(new_session()))]
    assert events[-1].event == "done"  # reconnected by itself, no restart of ours
    assert run_status(server, events[0].data["runId"]) == "ok"
