"""The peer benchmark's parts: the reference graph, each protocol's client as a load, verdicts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.common.load import LevelRun, StreamResult
from bench.common.procstat import ProcessUsage, named_cpu_seconds
from bench.common.report import LevelStats
from bench.peers import sdk_load, verdicts
from bench.peers.floor import Floor
from bench.peers.protocols import PROTOCOLS, langgraph_protocol
from bench.peers.reference.graph import answer_text, graph
from bench.peers.sitting import PROMPT, alternating, merged
from bench.peers.verdicts import Side


@pytest.mark.parametrize("tokens", [1, 31, 32])
def test_the_reference_graph_streams_an_answer_of_exactly_n_tokens(tokens, monkeypatch):
    monkeypatch.setattr("bench.peers.reference.graph.ANSWER_TOKENS", tokens)

    async def streamed() -> list[str]:
        parts = graph.astream({"messages": [("user", "hi")]}, stream_mode="messages")
        return [chunk.content async for chunk, _ in parts if chunk.content]

    chunks = asyncio.run(streamed())
    assert len(chunks) == tokens and "".join(chunks) == answer_text(tokens)


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda protocol: protocol.name)
def test_each_protocols_official_client_runs_chats_to_their_end(server, protocol):
    level = asyncio.run(protocol.drive(server.url, ["devkey"], PROMPT, 3, 2))
    assert level.errors == 0, [result.error for result in level.results]
    assert all(result.tokens > 1 and result.ttft_ms <= result.total_ms for result in level.ok)


def test_a_refused_key_is_counted_as_a_failed_run_not_a_crash(server):
    level = asyncio.run(langgraph_protocol().drive(server.url, ["wrong"], PROMPT, 2, 2))
    assert level.errors == 2 and "Unauthorized" in (level.results[0].error or "")


def test_the_sdks_small_requests_are_driven_against_a_live_server(server):
    async def drive() -> tuple[list[str], list[str], int]:
        clients = sdk_load.langgraph_clients(f"{server.url}/langgraph", ["devkey", "devkey"])
        created = await sdk_load.create_threads(clients, 4, 2)
        runs = await sdk_load.finished_runs(clients)
        read = await sdk_load.read_runs(clients, runs, 6, 3)
        await sdk_load.close(clients)
        return created, read, len(runs)

    assert asyncio.run(drive()) == ([], [], 2), "no failure; a finished run per client"


def row(concurrency: int, cpu: float, ttft: float, per_second: float, rss: float) -> LevelStats:
    """A measured level with the figures the verdicts read."""
    return LevelStats("x", concurrency, 200, 0, per_second, 40.0, ttft, ttft, ttft, ttft, cpu,
                      1.0, rss, rss, 0.0, Counter())  # fmt: skip


def sides() -> list[Side]:
    """The peer and this service on both databases, as a sitting measures them."""
    peer = Side("langgraph dev", "", [row(8, 25.0, 180.0, 30.0, 130.0), row(32, 26.0, 900.0,
                30.0, 140.0), row(256, 30.0, 5000.0, 30.0, 160.0)], thread_ms=1.0)  # fmt: skip
    sqlite = Side("this service, SQLite", rows=[row(8, 12.0, 30.0, 70.0, 170.0),
                  row(32, 12.0, 120.0, 61.0, 175.0), row(256, 12.0, 900.0, 60.0, 179.0)],
                  thread_ms=1.5, protocols={"native stream": [10.0, 12.0],
                  "LangGraph (langgraph-sdk)": [13.0, 14.0]})  # fmt: skip
    postgres = Side("this service, PostgreSQL", rows=[row(8, 20.0, 50.0, 40.0, 180.0)],
                    thread_ms=2.5, protocols={"native stream": [10.0],
                    "AG-UI (@ag-ui/client)": [11.0]})  # fmt: skip
    return [peer, sqlite, postgres]


def test_the_targets_are_ratios_to_the_peer_in_the_same_sitting():
    found = {check.name: check for check in verdicts.checks(sides())}
    cpu = found["CPU/run, SQLite ÷ langgraph dev"]
    assert (cpu.value, cpu.verdict) == (12.0 / 25.0, "PASS")
    assert found["CPU/run, PostgreSQL ÷ langgraph dev"].verdict == "MISS"  # 0.8 > 0.7
    assert found["threads.create() server CPU ms, SQLite"].verdict == "PASS"
    assert found["threads.create() server CPU ms, PostgreSQL"].verdict == "MISS"
    ratios = (13.0 / 10.0, 14.0 / 12.0)  # round by round, then the median
    assert found["LangGraph ÷ native, SQLite"].value == pytest.approx(sum(ratios) / 2)
    assert found["LangGraph ÷ native, SQLite"].verdict == "MISS"  # 1.23 > 1.2
    assert found["AG-UI ÷ native, PostgreSQL"].verdict == "PASS"
    assert found["TTFT p50 at 8, SQLite ÷ langgraph dev"].value == pytest.approx(30 / 180)
    assert found["runs/s at 32, SQLite ÷ langgraph dev"].value == pytest.approx(61 / 30)
    assert found["peak RSS MiB at 256 in flight, SQLite"].value == 179.0


def test_the_langgraph_extra_is_split_into_the_sdks_two_requests_and_the_rest():
    side = sides()[1]
    side.status_ms = 0.5
    line = verdicts.langgraph_extra(side)[0]
    assert "LangGraph - native: 2.50 ms" in line, "medians 13.5 - 11.0"
    assert "(2.00 ms: the SDK's requests" in line and line.endswith("the rest 0.50 ms")
    assert verdicts.langgraph_extra(sides()[2]) == [], "no LangGraph figures, no split"


def test_failures_are_counted_with_their_reasons_and_printed():
    side = sides()[1]
    side.failed(["ReadTimeout: ", "ReadTimeout: ", "error event: boom"])
    assert side.errors == 3 and side.failures == {"ReadTimeout: ": 2, "error event: boom": 1}
    printed = verdicts.peer_table([side])
    assert "  this service, SQLite: 2 x ReadTimeout: " in printed


def test_a_side_missing_from_the_sitting_leaves_its_targets_unjudged():
    found = {check.name: check for check in verdicts.checks(sides()[1:])}
    assert found["CPU/run, SQLite ÷ langgraph dev"].verdict == "n/a"
    assert verdicts.summary([sides()[1:]])[-1].endswith("targets missed")


def test_the_fixed_costs_are_shares_of_the_budget_half_the_peers_cpu():
    lines = verdicts.obstacles(sides(), Floor(http_ms=3.0, graph_ms=1.5, records_ms=5.0))
    assert "12.50 ms" in lines[0], "0.5 x the peer's 25 ms"
    fixed = next(line for line in lines if "fixed, before any code of ours" in line)
    assert "9.50 ms" in fixed and "76 %" in fixed
    assert lines[-1].split()[-2] == "2.50", "measured 12 ms - fixed 9.5 ms"
    assert verdicts.obstacles(sides()[1:], Floor(1.0, 1.0, 1.0)) == [], "no peer, no budget"


def test_servers_alternate_round_by_round_and_parts_add_up():
    servers = ["a", "b", "c"]
    assert list(alternating(servers, 3)) == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]
    one, two = LevelRun(8, [StreamResult()] * 2, 1.0, 0.5), LevelRun(8, [StreamResult()], 3.0, 0.5)
    run, usage = merged(8, [
        (one, ProcessUsage(0.2, 150.0, 151.0, 0.3, 1.0), 0.0),
        (two, ProcessUsage(0.4, 160.0, 162.0, 0.5, 3.0), 0.0),
    ])  # fmt: skip
    assert (len(run.results), run.seconds, run.client_cpu_seconds) == (3, 4.0, 1.0)
    assert (usage.cpu_seconds, usage.rss_peak_mib, usage.hwm_mib) == (pytest.approx(0.6), 160, 162)
    assert (usage.machine_cpu_seconds, usage.wall_seconds) == (0.8, 4.0)


def test_the_cpu_of_processes_is_found_by_their_name():
    name = Path("/proc/self/comm").read_text().strip()
    before = named_cpu_seconds(name)
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert named_cpu_seconds(name) >= before + 0.03
    assert named_cpu_seconds("no-such-process-name") == 0.0
