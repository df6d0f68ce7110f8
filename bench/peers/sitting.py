"""One sitting of the peer benchmark: every server up at once, each load interleaved.

This machine's speed drifts by a tenth or more over minutes (a shared VM), so the servers
are not measured one after the other: all of them run side by side, pinned to the same core,
and each level is measured in rounds that alternate between them (the order reversed every
other round). A ratio of two servers' figures then compares work done in the same minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.common.load import LevelRun
from bench.common.pinning import pin_process
from bench.common.procstat import ProcessUsage, measure_process, named_cpu_seconds
from bench.common.report import summarise
from bench.common.servers import pipeline_server
from bench.gate.stream_bench import DEFAULT_PROMPT
from bench.peers import langgraph_dev, sdk_load
from bench.peers.protocols import PROTOCOLS, Protocol, langgraph_protocol
from bench.peers.verdicts import PEER, Side
from harness import live_server as live
from harness.postgres_server import postgres_server

PROMPT = DEFAULT_PROMPT
"""The prompt of every run: `make bench`'s, so that both measure the same answer."""
WARM_UP = 64
"""Unmeasured runs first: one per bench user at least (its first recall loads its memories)."""


@dataclass(eq=False)
class Running:
    """A server under test: its figures so far, where it listens, its pid, the keys to use."""

    side: Side
    url: str
    pid: int
    keys: list[str | None] = field(default_factory=lambda: [None] * 8)

    @property
    def langgraph(self) -> Protocol:
        """`langgraph-sdk`'s thread and streamed run against this server."""
        return langgraph_protocol(self.side.langgraph_path)


@contextlib.contextmanager
def servers(sides: list[str], workdir: Path, *, memories: int,
            core: int | None) -> Iterator[list[Running]]:  # fmt: skip
    """Start the servers asked for (the peer first in the list), pinned to `core`."""
    for name in ("sqlite", "postgres"):
        (workdir / name).mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        ours: list[Running] = []
        if "sqlite" in sides:
            server, keys = stack.enter_context(
                pipeline_server(workdir / "sqlite", memories=memories)
            )
            ours.append(Running(Side("this service, SQLite"), server.url, server.process.pid, keys))
        if "postgres" in sides:
            cluster = stack.enter_context(postgres_server())
            with database_url(cluster.url("orchestrator")):
                context = pipeline_server(workdir / "postgres", memories=memories)
                server, keys = stack.enter_context(context)
            side = Side("this service, PostgreSQL")
            ours.append(Running(side, server.url, server.process.pid, keys))
        running = [*ours]
        if "langgraph-dev" in sides:
            tokens = asyncio.run(answer_tokens(ours[0])) if ours else 32
            peer = stack.enter_context(langgraph_dev.langgraph_dev(workdir, answer_tokens=tokens))
            running.insert(0, Running(Side(PEER, langgraph_path=""), peer.url, peer.process.pid))
        for server in running:
            if core is not None:
                pin_process(server.pid, core)
        yield running


@contextlib.contextmanager
def database_url(url: str) -> Iterator[None]:
    """Start the servers in the block on this PostgreSQL cluster.

    The harness reads its module's DATABASE_URL when it creates a server's database; a
    server started keeps it.
    """
    before, live.DATABASE_URL = live.DATABASE_URL, url
    try:
        yield
    finally:
        live.DATABASE_URL = before


async def answer_tokens(server: Running) -> int:
    """How many tokens this service's answer to the prompt streams (the peer's answer matches)."""
    level = await server.langgraph.drive(server.url, server.keys, PROMPT, 1, 1)
    return max((result.tokens for result in level.ok), default=0) or 32


async def warm_up(servers: list[Running]) -> None:
    """Unmeasured runs through every route measured later (cold code paths, first recalls)."""
    for server in servers:
        run = await server.langgraph.drive(server.url, server.keys, PROMPT, WARM_UP, 4)
        server.side.failed(failures(run))
        server.side.answer_tokens = max((r.tokens for r in run.ok), default=0)
        if server.side.name != PEER:
            for protocol in PROTOCOLS:
                warm = await protocol.drive(server.url, server.keys, PROMPT, WARM_UP // 4, 4)
                server.side.failed(failures(warm))


def failures(run: LevelRun) -> list[str]:
    """Why each failed run of the level failed."""
    return [result.error for result in run.results if result.error is not None]


def alternating(servers: list[Running], rounds: int) -> Iterator[Running]:
    """Each server once per round, the order reversed every other round."""
    for number in range(rounds):
        yield from (servers if number % 2 == 0 else servers[::-1])


async def level(servers: list[Running], concurrency: int, count: int, rounds: int) -> None:
    """`count` SDK runs per server at `concurrency` in flight, in `rounds` alternating parts."""
    parts: dict[Running, list[tuple[LevelRun, ProcessUsage, float]]] = {s: [] for s in servers}
    for server in alternating(servers, rounds):
        database = named_cpu_seconds("postgres")
        async with measure_process(server.pid) as usage:
            run = await server.langgraph.drive(
                server.url, server.keys, PROMPT, count // rounds, concurrency
            )
        assert usage is not None
        parts[server].append((run, usage, named_cpu_seconds("postgres") - database))
        server.side.failed(failures(run))
    for server, measured in parts.items():
        run, usage = merged(concurrency, measured)
        server.side.rows.append(summarise(server.side.name, run, usage))
        database_ms = sum(part[2] for part in measured) * 1000 / len(run.results)
        server.side.database_ms[str(concurrency)] = database_ms


def merged(concurrency: int, parts: list[tuple[LevelRun, ProcessUsage, float]]) -> tuple[
    LevelRun, ProcessUsage
]:  # fmt: skip
    """One level's parts as if measured at once: sums of times, the largest memory."""
    run = LevelRun(concurrency, [r for part in parts for r in part[0].results])
    run.seconds = sum(part[0].seconds for part in parts)
    run.client_cpu_seconds = sum(part[0].client_cpu_seconds for part in parts)
    usage = ProcessUsage(
        cpu_seconds=sum(part[1].cpu_seconds for part in parts),
        rss_peak_mib=max(part[1].rss_peak_mib for part in parts),
        hwm_mib=max(part[1].hwm_mib for part in parts),
        machine_cpu_seconds=sum(part[1].machine_cpu_seconds for part in parts),
        wall_seconds=sum(part[1].wall_seconds for part in parts),
    )
    return run, usage


async def small_requests(servers: list[Running], count: int, concurrency: int,
                         rounds: int) -> None:  # fmt: skip
    """Server CPU ms per `threads.create()` and per `runs.get()`, alternating the servers.

    `runs.get()` of a finished run is the SDK's read after each stream; both are measured
    alone.
    """
    clients = {
        s: sdk_load.langgraph_clients(s.url + s.side.langgraph_path, s.keys) for s in servers
    }
    runs = {server: await sdk_load.finished_runs(clients[server]) for server in servers}
    spent = {server: [0.0, 0.0] for server in servers}
    part = count // rounds
    for server in alternating(servers, rounds):
        async with measure_process(server.pid) as usage:
            server.side.failed(await sdk_load.create_threads(clients[server], part, concurrency))
        async with measure_process(server.pid) as reading:
            reads = sdk_load.read_runs(clients[server], runs[server], part, concurrency)
            server.side.failed(await reads)
        spent[server][0] += usage.cpu_seconds if usage else 0.0
        spent[server][1] += reading.cpu_seconds if reading else 0.0
    for server, (creating, reading_seconds) in spent.items():
        await sdk_load.close(clients[server])
        server.side.thread_ms = creating * 1000 / (part * rounds)
        server.side.status_ms = reading_seconds * 1000 / (part * rounds)


async def protocol_rounds(server: Running, count: int, concurrency: int, rounds: int) -> None:
    """Every protocol through its own client, `rounds` times in alternating order.

    Round n of each protocol is measured next to round n of the native stream: the ratios
    are taken round by round (verdicts.py).
    """
    figures: dict[str, list[float]] = {protocol.name: [] for protocol in PROTOCOLS}
    for number in range(rounds):
        for protocol in PROTOCOLS if number % 2 == 0 else PROTOCOLS[::-1]:
            async with measure_process(server.pid) as usage:
                run = await protocol.drive(server.url, server.keys, PROMPT, count, concurrency)
            server.side.failed(failures(run))
            figures[protocol.name].append(usage.cpu_seconds * 1000 / count if usage else 0.0)
    server.side.protocols = figures
