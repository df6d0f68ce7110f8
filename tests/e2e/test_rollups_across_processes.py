"""Runs one process ends show in another process's dashboard figures: flushed, and at stop."""

from __future__ import annotations

import httpx

from harness.live_server import live_server, live_servers, stop
from operations.client import SSEParser, chat_body
from tests.support.waiting import until

HEADERS = {"Authorization": "Bearer devkey"}


def chat(url: str, session_id: str) -> None:
    """Run one chat to its end through a server."""
    response = httpx.post(
        f"{url}/v1/chat/stream", json=chat_body(session_id, "ann", "What is AI?"), headers=HEADERS
    )
    assert SSEParser().feed(response.text)[-1].event == "done"


def total_runs(url: str) -> int:
    """The runs a server's /v1/vitals counts (all time)."""
    return httpx.get(f"{url}/v1/vitals", headers=HEADERS).json()["total_runs"]


def test_a_process_adds_its_runs_within_its_flush_interval(tmp_path, template_db):
    with live_servers(tmp_path, 2, template_db=template_db, ROLLUP_FLUSH_SECONDS="0.2") as (a, b):
        for n in range(3):
            chat(a.url, f"flushed-{n}")
        until(lambda: total_runs(b.url) == 3, timeout=15, what="B counting A's runs")
        assert total_runs(a.url) == 3


def test_a_process_that_stops_adds_the_runs_it_still_had(tmp_path, template_db):
    with live_servers(tmp_path, 1, template_db=template_db) as (b,):
        shared = b.sqlite_path
        with live_server(tmp_path / "a", sqlite_path=shared, ROLLUP_FLUSH_SECONDS="300") as a:
            chat(a.url, "at-stop")
            assert total_runs(b.url) == 0, "A has not flushed yet"
            stop(a.process)
        assert total_runs(b.url) == 1
