"""This service against LangGraph's own server, each driven by the protocol's official client.

Run from the project root: `.venv/bin/python -m bench.peers.peer_bench` (or `make bench-peers`,
which builds the peer's virtualenv first; `make bench` ends with it). docs/benchmark.md says
what each figure is. Exits 1 when any stream failed.

One sitting: `langgraph dev` over the reference graph (bench/peers/reference), this service on
SQLite, then on a PostgreSQL cluster of its own (a child process of this one under
`harness.on_postgres`), each server pinned to one core and the clients to the other. Each
server gets, through `langgraph-sdk` (a thread, then `runs.stream` with `values` and
`messages-tuple`): 200 runs at 8 and at 32 in flight, 256 at once for peak memory, and 200
thread creations alone. This service also gets every protocol through its own client,
alternating, against its native stream.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench.common.load import LevelRun
from bench.common.pinning import can_pin, cores, pin_process, pinning_note
from bench.common.procstat import measure_process, named_cpu_seconds
from bench.common.report import summarise
from bench.common.servers import pipeline_server
from bench.peers import langgraph_dev, sdk_load, verdicts
from bench.peers.floor import Floor, measure_floor
from bench.peers.protocols import PROTOCOLS, Protocol, langgraph_protocol
from bench.peers.verdicts import Side
from harness.live_server import ROOT

PROMPT = "What is Server-Sent Events? How many sessions do I have?"
WARM_UP = 64
"""Unmeasured runs first: one per bench user at least (its first recall loads its memories)."""
SIDES = ("langgraph-dev", "sqlite", "postgres")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--runs", type=int, default=200, help="runs per level")
    add("--concurrency", default="8,32", help="levels, e.g. 8,32 (the first is the reference)")
    add("--stress", type=int, default=256, help="runs all at once for peak RSS (0: none)")
    add("--threads", type=int, default=200, help="thread creations measured alone")
    add("--protocol-runs", type=int, default=100, help="runs per protocol and round")
    add("--rounds", type=int, default=2, help="rounds of every protocol in turn")
    add("--memories", type=int, default=100, help="long-term memories of each bench user")
    add("--sides", default=",".join(SIDES), help=f"which servers, of {','.join(SIDES)}")
    add("--repeat", type=int, default=1, help="sittings; the verdicts are on the medians")
    add("--no-floor", dest="floor", action="store_false", help="skip the fixed costs")
    add("--json", type=Path, help="write the figures to FILE (a side run by its parent)")
    add("--no-pin", action="store_true", help="do not pin servers and clients to cores")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",")]
    args.sides = args.sides.split(",")
    if set(args.sides) - set(SIDES) or min(args.levels) < 1 or args.runs < max(args.levels):
        parser.error(f"--sides of {SIDES}; levels positive; --runs at least the largest level")
    args.cores = cores() if can_pin() and not args.no_pin else None
    return args


async def sdk_levels(side: Side, url: str, pid: int, keys: list[str | None], args) -> None:
    """Warm up, then the levels, the stress level and thread creation, through langgraph-sdk."""
    protocol = langgraph_protocol(side.langgraph_path)
    warm_up = await protocol.drive(url, keys, PROMPT, WARM_UP, 4)
    side.errors += warm_up.errors
    side.answer_tokens = max((result.tokens for result in warm_up.ok), default=0)
    for level in [*args.levels, *([args.stress] if args.stress else [])]:
        count = args.runs if level in args.levels else level
        database = named_cpu_seconds("postgres")
        async with measure_process(pid) as usage:
            run = await protocol.drive(url, keys, PROMPT, count, level)
        side.rows.append(summarise(side.name, run, usage))
        side.database_ms[str(level)] = (named_cpu_seconds("postgres") - database) * 1000 / count
        side.errors += run.errors
    clients = sdk_load.langgraph_clients(url + side.langgraph_path, keys)
    async with measure_process(pid) as usage:
        failed = await sdk_load.create_threads(clients, args.threads, args.levels[0])
    await sdk_load.close(clients)
    side.thread_ms = usage.cpu_seconds * 1000 / args.threads if usage else None
    side.errors += failed


async def protocol_rounds(side: Side, url: str, pid: int, keys: list[str | None], args) -> None:
    """Every protocol in turn, `rounds` times; CPU ms per run of each, median over rounds."""
    level = args.levels[0]
    for protocol in PROTOCOLS:  # each route's cold paths unmeasured
        side.errors += (await protocol.drive(url, keys, PROMPT, WARM_UP, 4)).errors
    figures: dict[str, list[float]] = {protocol.name: [] for protocol in PROTOCOLS}
    for _ in range(args.rounds):
        for protocol in PROTOCOLS:
            cpu, run = await cpu_per_run(protocol, url, pid, keys, args.protocol_runs, level)
            side.errors += run.errors
            if cpu is not None:
                figures[protocol.name].append(cpu)
    side.protocols = figures


async def cpu_per_run(
    protocol: Protocol, url: str, pid: int, keys: list[str | None], count: int, level: int
) -> tuple[float | None, LevelRun]:
    """Server CPU ms per run of `count` runs through `protocol`."""
    async with measure_process(pid) as usage:
        run = await protocol.drive(url, keys, PROMPT, count, level)
    return (usage.cpu_seconds * 1000 / count if usage else None), run


def run_langgraph_dev(args: argparse.Namespace, workdir: Path, answer_tokens: int) -> Side:
    """LangGraph's own server over the reference graph, through langgraph-sdk."""
    side = Side("langgraph dev", langgraph_path="")
    with langgraph_dev.langgraph_dev(workdir, answer_tokens=answer_tokens) as server:
        pin(args, server.process.pid)
        keys: list[str | None] = [None] * 8
        asyncio.run(sdk_levels(side, server.url, server.process.pid, keys, args))
    return side


def run_ours(args: argparse.Namespace, workdir: Path, name: str) -> Side:
    """This service, everything on, memories seeded, through langgraph-sdk and every protocol."""
    side = Side(name)
    with pipeline_server(workdir, memories=args.memories) as (server, keys):
        pin(args, server.process.pid)
        pid, url = server.process.pid, server.url
        asyncio.run(sdk_levels(side, url, pid, list(keys), args))
        asyncio.run(protocol_rounds(side, url, pid, list(keys), args))
    return side


def run_postgres_child(args: argparse.Namespace, workdir: Path) -> Side:
    """Run the PostgreSQL side in a child process on a cluster of its own; read its figures."""
    out = workdir / "postgres.json"
    command = [sys.executable, "-m", "harness.on_postgres", sys.executable, "-m", __spec__.name]
    command += [*forwarded(args), "--sides", "postgres", "--json", str(out)]
    subprocess.run(command, cwd=ROOT, check=False)
    if not out.exists():
        return Side("this service, PostgreSQL", errors=1)
    return Side.from_json(json.loads(out.read_text())[0])


def forwarded(args: argparse.Namespace) -> list[str]:
    """The options a side run in a child process must share with its parent."""
    return [
        *("--runs", str(args.runs), "--concurrency", ",".join(map(str, args.levels))),
        *("--stress", str(args.stress), "--threads", str(args.threads)),
        *("--protocol-runs", str(args.protocol_runs), "--rounds", str(args.rounds)),
        *("--memories", str(args.memories), *(["--no-pin"] if args.no_pin else [])),
        "--no-floor",
    ]


def pin(args: argparse.Namespace, pid: int) -> None:
    """Pin a server to its core, when pinning."""
    if args.cores:
        pin_process(pid, args.cores[0])


def sitting(args: argparse.Namespace, workdir: Path) -> list[Side]:
    """Every side asked for, once: this service on SQLite, the peer, PostgreSQL."""
    workdir.mkdir(parents=True)
    sides: list[Side] = []
    if "sqlite" in args.sides:
        sides.append(run_ours(args, workdir, "this service, SQLite"))
    if "langgraph-dev" in args.sides:
        tokens = sides[0].answer_tokens if sides else 0
        sides.insert(0, run_langgraph_dev(args, workdir, tokens or 32))
    if "postgres" in args.sides:
        sides.append(run_postgres_child(args, workdir))
    return sides


def floor_of(args: argparse.Namespace, workdir: Path, sides: list[Side]) -> Floor | None:
    """The fixed costs of a run like the SQLite side's (none without that side)."""
    ours = next((side for side in sides if side.backend == "SQLite" and side.rows), None)
    if ours is None or not args.floor:
        return None
    row = ours.rows[0]
    events = max(2, round(row.events))
    core = args.cores[0] if args.cores else None
    level = args.levels[0]
    return measure_floor(workdir, events=events, tokens=ours.answer_tokens, count=args.runs,
                         level=level, core=core)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Benchmark the sides asked for; print the tables and the verdicts; 1 if a stream failed."""
    args = parse_args(argv)
    if args.cores:
        os.sched_setaffinity(0, {args.cores[1]})
    with tempfile.TemporaryDirectory(prefix="peer-bench-") as tmp:
        workdir = Path(tmp)
        if args.json:  # a child on its PostgreSQL cluster
            side = run_ours(args, workdir, "this service, PostgreSQL")
            args.json.write_text(json.dumps([asdict(side)]))
            return 0
        print(f"{args.runs} runs per level, levels {args.levels}; {pinning_note(args.cores)}")
        repeats: list[list[Side]] = []
        for number in range(args.repeat):
            if args.repeat > 1:
                print(f"\n=== sitting {number + 1} of {args.repeat} ===")
            sides = sitting(args, workdir / f"sitting-{number}")
            floor = floor_of(args, workdir / f"floor-{number}", sides) if number == 0 else None
            print("\n".join(verdicts.tables(sides, floor)))
            repeats.append(sides)
    print("\n".join(verdicts.summary(repeats)))
    errors = sum(side.errors for sides in repeats for side in sides)
    if errors:
        print(f"\nFAILED: {errors} stream(s) failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
