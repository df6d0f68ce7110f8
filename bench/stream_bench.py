"""Benchmark `POST /v1/chat/stream` under concurrency, against a bare SSE endpoint on daphne.

Run from the project root: `.venv/bin/python bench/stream_bench.py` (or `make bench`).
See docs/benchmark.md for what each figure means. Exits 1 when any stream failed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make `bench`, `chat` and `tests` importable

from bench.load import LevelRun, fresh_bodies, run_level, shared_client  # noqa: E402
from bench.procstat import measure_process  # noqa: E402
from bench.report import LevelStats, print_overhead, print_table, summarise  # noqa: E402
from bench.servers import bare_server, log_problems, pipeline_server  # noqa: E402

DEFAULT_PROMPT = "What is Server-Sent Events? How many sessions do I have?"
WARMUP_REQUESTS = 8


@dataclass
class Outcome:
    """What benchmarking one server gave: the warm-up, one row per level, unmeasured failures."""

    warmup: LevelRun = field(default_factory=lambda: LevelRun(0))
    rows: list[LevelStats] = field(default_factory=list)
    unmeasured_errors: int = 0
    """Failed streams during warm-up and prior turns."""


@dataclass
class Target:
    """A server to drive: a name for the table, its URL, its pid when known, turns to prepare."""

    name: str
    url: str
    pid: int | None
    history: int = 0
    """Unmeasured turns each session gets before its measured one."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,8,32", help="levels, e.g. 1,8,32")
    parser.add_argument("--requests", type=int, default=64, help="streams per level (≥ level)")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT)
    parser.add_argument("--history", type=int, default=0, help="prior turns per session")
    parser.add_argument("--url", help="drive this running server instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for CPU and RSS")
    parser.add_argument("--token", default="devkey", help="bearer token (default: devkey)")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",")]
    if min(args.levels) < 1 or args.requests < 1 or args.history < 0:
        parser.error("levels and --requests must be positive, --history not negative")
    return args


async def bench_target(target: Target, args: argparse.Namespace) -> Outcome:
    """Warm `target` up, then run every level (after its sessions' prior turns, if any)."""
    outcome = Outcome()
    async with shared_client(max(args.levels)) as client:
        drive = functools.partial(run_level, client, target.url, token=args.token)
        outcome.warmup = await drive(fresh_bodies(args.prompt, WARMUP_REQUESTS), concurrency=2)
        outcome.unmeasured_errors += outcome.warmup.errors
        for level in args.levels:
            bodies = fresh_bodies(args.prompt, max(args.requests, level))
            for _ in range(target.history):
                outcome.unmeasured_errors += (await drive(bodies, concurrency=level)).errors
            async with measure_process(target.pid) as usage:
                run = await drive(bodies, concurrency=level)
            outcome.rows.append(summarise(target.name, run, usage))
    return outcome


def stream_shape(warmup: LevelRun) -> tuple[int, int]:
    """Return the median (events, tokens) of the warm-up's streams, for the bare endpoint."""
    ok = warmup.ok or warmup.results
    events = round(statistics.median(r.events for r in ok))
    return events, round(statistics.median(r.tokens for r in ok))


def run_local(args: argparse.Namespace, workdir: Path) -> list[Outcome]:
    """Benchmark the pipeline, then a bare SSE endpoint streaming as many events per request."""
    with pipeline_server(workdir) as server:
        target = Target("pipeline", server.url, server.process.pid, args.history)
        pipeline = asyncio.run(bench_target(target, args))
        problems = log_problems(server.log())
    events, tokens = stream_shape(pipeline.warmup)
    print(f"each stream: {events} events, {tokens} of them tokens; prompt: {args.prompt!r}\n")
    with bare_server(workdir, events=events, tokens=tokens) as server:
        bare = asyncio.run(bench_target(Target("bare", server.url, server.process.pid), args))
    print_table(pipeline.rows + bare.rows)
    print_overhead(pipeline.rows, bare.rows)
    for line in problems:
        print(f"pipeline server log: {line}")
    return [pipeline, bare]


def run_remote(args: argparse.Namespace) -> Outcome:
    """Benchmark an already running server (server figures only when --pid is given)."""
    outcome = asyncio.run(bench_target(Target("server", args.url, args.pid, args.history), args))
    print_table(outcome.rows)
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; return 1 when any stream failed."""
    args = parse_args(argv)
    history = f"; {args.history} prior turns per session" if args.history else ""
    print(
        f"{os.cpu_count()} CPUs; {args.requests} streams per level; levels {args.levels}{history}"
    )
    if args.url:
        outcomes = [run_remote(args)]
    else:
        with tempfile.TemporaryDirectory(prefix="stream-bench-") as workdir:
            outcomes = run_local(args, Path(workdir))
    unmeasured = sum(outcome.unmeasured_errors for outcome in outcomes)
    errors = unmeasured + sum(row.errors for outcome in outcomes for row in outcome.rows)
    if errors:
        print(f"\nFAILED: {errors} stream(s) failed, {unmeasured} of them unmeasured")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
