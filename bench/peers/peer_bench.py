"""This service against LangGraph's own server, each driven by the protocol's official client.

Run from the project root: `.venv/bin/python -m bench.peers.peer_bench` (or `make bench-peers`,
which builds the peer's virtualenv first; `make bench` ends with it). docs/benchmark.md says
what each figure is. Exits 1 when any stream failed.

A sitting starts `langgraph dev` over the reference graph (bench/peers/reference) and this
service on SQLite and on a PostgreSQL cluster of its own, side by side, all pinned to one
core and the clients to the other (bench/peers/sitting.py). Through `langgraph-sdk` (a thread,
then `runs.stream` with `values` and `messages-tuple`) each server gets 200 runs at 8 and at
32 in flight, 256 at once for peak memory, and 200 thread creations alone, in rounds that
alternate between the servers. This service then gets every protocol through its own client,
in alternating rounds, against its native stream. Last, the fixed costs of a run are measured
apart (bench/peers/floor.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from bench.common.pinning import can_pin, cores, pinning_note
from bench.peers import sitting, verdicts
from bench.peers.floor import Floor, measure_floor
from bench.peers.verdicts import Side

SIDES = ("langgraph-dev", "sqlite", "postgres")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--runs", type=int, default=200, help="runs per level and server")
    add("--concurrency", default="8,32", help="levels, e.g. 8,32 (the first is the reference)")
    add("--level-rounds", type=int, default=2, help="alternating parts of each level")
    add("--stress", type=int, default=256, help="runs all at once for peak RSS (0: none)")
    add("--threads", type=int, default=200, help="thread creations and run reads measured alone")
    add("--protocol-runs", type=int, default=40, help="runs per protocol and round")
    add("--rounds", type=int, default=6, help="alternating rounds of every protocol")
    add("--memories", type=int, default=100, help="long-term memories of each bench user")
    add("--sides", default=",".join(SIDES), help=f"which servers, of {','.join(SIDES)}")
    add("--repeat", type=int, default=1, help="sittings; the verdicts are on the medians")
    add("--no-floor", dest="floor", action="store_false", help="skip the fixed costs")
    add("--no-pin", action="store_true", help="do not pin servers and clients to cores")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",")]
    args.sides = args.sides.split(",")
    numbers = (args.level_rounds, args.rounds, args.repeat, args.protocol_runs, args.threads)
    if set(args.sides) - set(SIDES) or min(args.levels) < 1 or min(numbers) < 1:
        parser.error(f"--sides of {SIDES}; levels, rounds and counts positive")
    if args.runs < max(args.levels) * args.level_rounds:
        parser.error("--runs must fill every round of the largest level")
    args.cores = cores() if can_pin() and not args.no_pin else None
    return args


async def measure(servers: list[sitting.Running], args: argparse.Namespace) -> None:
    """Warm up, then every level, thread creation and (this service) every protocol."""
    await sitting.warm_up(servers)
    for concurrency in args.levels:
        await sitting.level(servers, concurrency, args.runs, args.level_rounds)
    if args.stress:
        await sitting.level(servers, args.stress, args.stress, 1)
    rounds = args.level_rounds
    await sitting.small_requests(servers, args.threads, args.levels[0], rounds)
    for server in servers:
        if server.side.name != verdicts.PEER:
            await sitting.protocol_rounds(server, args.protocol_runs, args.levels[0], args.rounds)


def one_sitting(args: argparse.Namespace, workdir: Path) -> list[Side]:
    """Start the servers, measure them side by side; their figures (the peer first)."""
    core = args.cores[0] if args.cores else None
    with sitting.servers(args.sides, workdir, memories=args.memories, core=core) as servers:
        asyncio.run(measure(servers, args))
    return [server.side for server in servers]


def floor_of(args: argparse.Namespace, workdir: Path, sides: list[Side]) -> Floor | None:
    """The fixed costs of a run like the SQLite side's (none without that side)."""
    ours = next((side for side in sides if side.backend == "SQLite" and side.rows), None)
    if ours is None or not args.floor:
        return None
    events = max(2, round(ours.rows[0].events))
    core = args.cores[0] if args.cores else None
    return measure_floor(workdir, events=events, tokens=ours.answer_tokens, count=args.runs,
                         level=args.levels[0], core=core)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Benchmark the sides asked for; print the tables and the verdicts; 1 if a stream failed."""
    args = parse_args(argv)
    if args.cores:
        os.sched_setaffinity(0, {args.cores[1]})
    print(f"{args.runs} runs per level, levels {args.levels}; {pinning_note(args.cores)}")
    repeats: list[list[Side]] = []
    with tempfile.TemporaryDirectory(prefix="peer-bench-") as tmp:
        for number in range(args.repeat):
            if args.repeat > 1:
                print(f"\n=== sitting {number + 1} of {args.repeat} ===")
            sides = one_sitting(args, Path(tmp) / f"sitting-{number}")
            floor = floor_of(args, Path(tmp) / f"floor-{number}", sides) if number == 0 else None
            print("\n".join(verdicts.tables(sides, floor)))
            repeats.append(sides)
    print("\n".join(verdicts.summary(repeats)))
    errors = sum(side.errors for sides in repeats for side in sides)
    if errors:
        print(f"\nFAILED: {errors} stream(s) failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
