"""Benchmark `POST /v1/chat/stream` under concurrency, against a bare SSE endpoint on daphne.

Run from the project root: `.venv/bin/python -m bench.gate.stream_bench` (or `make bench`, which
runs everything three times and judges the medians). See docs/benchmark.md for each figure.
Exits 1 when any stream failed.
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

from bench.common.load import LevelRun, fresh_bodies, run_level, shared_client
from bench.common.pinning import can_pin, cores, pin_process, pinning_note
from bench.common.procstat import measure_process
from bench.common.report import LevelStats, print_overhead, print_table, summarise
from bench.common.servers import bare_server, log_problems, pipeline_server
from bench.gate import verdict
from bench.gate.context_cost import measure_context_cost
from bench.gate.memory_cost import measure_memory_cost, memory_checks
from bench.gate.profile import format_profile, parse_collapsed, sampling
from bench.gate.protocol_cost import bodies_factory, protocol_checks

ROOT = Path(__file__).resolve().parents[2]

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
    tokens: list[str] = field(default_factory=list)
    """Bearer tokens, used round robin (user keys: the bodies then name no user)."""

    @property
    def service(self) -> bool:
        """Whether the requests carry the service key (so the bodies must name their users)."""
        return not all(token.startswith("oak_") for token in self.tokens)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--concurrency", default="1,8,32", help="levels, e.g. 1,8,32")
    add("--requests", type=int, default=64, help="streams per level (≥ level)")
    add("--stress", type=int, default=256, help="extra level for errors and RSS (0: none)")
    add("--repeat", type=int, default=1, help="run everything N times; judge the medians")
    add("--context", type=int, default=100_000, help="stored messages, context check (0: none)")
    add("--context-small", type=int, default=100, help="stored messages it is compared with")
    add("--context-chats", type=int, default=32, help="measured chats per session and repeat")
    add("--memory", type=int, default=10_000, help="one user's memories, memory check (0: none)")
    add("--memory-table", type=int, default=1_000_000, help="memories in the table, all users")
    add("--memory-chats", type=int, default=64, help="measured chats per setting and repeat")
    add("--no-pin", action="store_true", help="do not pin server and client to cores")
    add("--env", action="append", default=[], metavar="NAME=VALUE", help="pipeline server env")
    add("--profile", type=Path, metavar="FILE", help="only profile the pipeline (py-spy) to FILE")
    add("--profile-concurrency", type=int, default=8, help="streams in flight while profiling")
    add("--profile-requests", type=int, default=512, help="streams sampled while profiling")
    add("--prompt", default=DEFAULT_PROMPT)
    add("--history", type=int, default=0, help="prior turns per session")
    add("--url", help="drive this running server instead of starting one")
    add("--pid", type=int, help="with --url: the server's pid, for CPU and RSS")
    add("--token", help="bearer token (default: the started server's user keys; devkey with --url)")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",")]
    if args.stress and args.stress not in args.levels:
        args.levels.append(args.stress)
    numbers = (args.requests, args.repeat, args.context_chats, args.profile_requests)
    if min(args.levels) < 1 or min(numbers) < 1 or min(args.history, args.stress) < 0:
        parser.error("levels, --requests, --repeat must be positive, --history not negative")
    if any("=" not in pair for pair in args.env):
        parser.error("--env takes NAME=VALUE")
    args.server_env = dict(pair.split("=", 1) for pair in args.env)
    args.cores = cores() if can_pin() and not args.no_pin and not args.url else None
    return args


def pin_server(args: argparse.Namespace, pid: int) -> None:
    """Pin the server to its core, when pinning."""
    if args.cores:
        pin_process(pid, args.cores[0])


async def bench_target(target: Target, args: argparse.Namespace) -> Outcome:
    """Warm `target` up, then run every level (after its sessions' prior turns, if any)."""
    outcome = Outcome()
    async with shared_client(max(args.levels)) as client:
        drive = functools.partial(run_level, client, target.url, token=target.tokens)
        bodies_of = functools.partial(fresh_bodies, args.prompt, user_ids=target.service)
        outcome.warmup = await drive(bodies_of(WARMUP_REQUESTS), concurrency=2)
        outcome.unmeasured_errors += outcome.warmup.errors
        for level in args.levels:
            bodies = bodies_of(max(args.requests, level))
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


def run_local(
    args: argparse.Namespace, workdir: Path, run: int
) -> tuple[list[Outcome], list[verdict.Check]]:
    """Benchmark the pipeline, then a bare SSE endpoint streaming as many events per request."""
    with pipeline_server(workdir, run, args.server_env) as (server, keys):
        pin_server(args, server.process.pid)
        keys = [args.token] if args.token else keys
        target = Target("pipeline", server.url, server.process.pid, args.history, keys)
        pipeline = asyncio.run(bench_target(target, args))
        bodies_of = bodies_factory(args.prompt, user_ids=target.service)
        protocols, failed = asyncio.run(
            protocol_checks(server.url, server.process.pid, keys, bodies_of, args.requests)
        )
        pipeline.unmeasured_errors += failed
        problems = log_problems(server.log())
    events, tokens = stream_shape(pipeline.warmup)
    print(f"each stream: {events} events, {tokens} of them tokens; prompt: {args.prompt!r}\n")
    with bare_server(workdir, events=events, tokens=tokens, run=run) as server:
        pin_server(args, server.process.pid)
        bare_target = Target("bare", server.url, server.process.pid, tokens=keys)
        bare = asyncio.run(bench_target(bare_target, args))
    print_table(pipeline.rows + bare.rows)
    print_overhead(pipeline.rows, bare.rows)
    for line in problems:
        print(f"pipeline server log: {line}")
    return [pipeline, bare], [*run_checks(pipeline.rows, bare.rows, args.stress), *protocols]


def run_checks(
    pipeline: list[LevelStats], bare: list[LevelStats], stress: int
) -> list[verdict.Check]:
    """The verdicts of one run: the three ratios, then the stress level's (if any)."""
    checks = verdict.speed_checks(pipeline, bare, stress=stress or None)
    if stress:
        checks += verdict.stress_checks(pipeline, bare, stress)
    return checks


def context_checks(args: argparse.Namespace, workdir: Path) -> list[verdict.Check]:
    """Run the context-cost check `--repeat` times; one Check per repeat."""
    print(
        f"\ncontext cost: {args.context_chats} chats per session in sessions of "
        f"{args.context_small:,} and {args.context:,} stored messages, {args.repeat} time(s)"
    )
    pairs = measure_context_cost(
        workdir,
        small=args.context_small,
        large=args.context,
        chats=args.context_chats,
        repeat=args.repeat,
        prompt=args.prompt,
        server_core=args.cores[0] if args.cores else None,
    )
    for large, small, _ in pairs:
        print(
            f"  CPU ms per chat: {args.context:,} msgs {large:.2f}, {args.context_small:,} msgs "
            f"{small:.2f}, ratio {large / small:.2f}"
        )
    return [
        verdict.context_check(
            large, small, large_count=args.context, small_count=args.context_small, others=others
        )
        for large, small, others in pairs
    ]


def memory_cost_checks(args: argparse.Namespace, workdir: Path) -> list[list[verdict.Check]]:
    """Run the memory check `--repeat` times; its checks per repeat."""
    table = max(args.memory, args.memory_table)
    print(
        f"\nmemory cost: a user of {args.memory:,} memories in a table of {table:,}; "
        f"{args.memory_chats} chats with memory on and off, {args.repeat} time(s)"
    )
    figures = measure_memory_cost(
        workdir,
        items=args.memory,
        table=table,
        chats=args.memory_chats,
        repeat=args.repeat,
        server_core=args.cores[0] if args.cores else None,
    )
    for f in figures:
        print(
            f"  recall CPU ms: first {f.recall_first_ms:.1f} (loads the user's vectors), "
            f"p50 {f.recall_p50_ms:.2f}, p95 {f.recall_p95_ms:.2f}; embed {f.embed_ms:.3f} ms/item"
        )
        print(
            f"  CPU ms per chat: memory on {f.chat_on_ms:.2f}, off {f.chat_off_ms:.2f}, "
            f"ratio {f.chat_on_ms / f.chat_off_ms:.2f}"
        )
    return [memory_checks(f, items=args.memory, table=table) for f in figures]


def run_all(args: argparse.Namespace, workdir: Path) -> int:
    """Every repeat, the context check, then the verdicts; return the failed streams."""
    runs, errors = [], 0
    for run in range(args.repeat):
        if args.repeat > 1:
            print(f"\n=== run {run + 1} of {args.repeat} ===")
        outcomes, checks = run_local(args, workdir, run)
        runs.append(checks)
        errors += sum(o.unmeasured_errors + sum(r.errors for r in o.rows) for o in outcomes)
    if args.context:
        for run, check in zip(runs, context_checks(args, workdir), strict=True):
            run.append(check)
    if args.memory:
        for run, checks in zip(runs, memory_cost_checks(args, workdir), strict=True):
            run.extend(checks)
    print()
    for line in verdict.format_checks(verdict.median_checks(runs), runs=args.repeat):
        print(line)
    return errors


def run_profile(args: argparse.Namespace, workdir: Path) -> int:
    """Sample the pipeline server with py-spy at one level; write and print the summary."""
    raw = args.profile.with_suffix(args.profile.suffix + ".collapsed")
    args.profile.parent.mkdir(parents=True, exist_ok=True)
    with pipeline_server(workdir, 0, args.server_env) as (server, keys):
        pin_server(args, server.process.pid)
        url, level = server.url, args.profile_concurrency
        target = Target(
            "pipeline", url, server.process.pid, tokens=[args.token] if args.token else keys
        )
        profiled = asyncio.run(profile_level(target, raw, args))
    lines = [
        f"py-spy profile of the pipeline server: {args.profile_requests} chats, {level} in flight",
        f"prompt: {args.prompt!r}; {pinning_note(args.cores)}",
        *format_profile(parse_collapsed(raw.read_text())),
    ]
    args.profile.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:40]))
    print(f"\nsummary written to {args.profile}; collapsed stacks (flamegraph input) in {raw}")
    return profiled.errors


async def profile_level(target: Target, raw: Path, args: argparse.Namespace) -> LevelRun:
    """Warm up, then run one level while py-spy samples the server."""
    async with shared_client(args.profile_concurrency) as client:
        drive = functools.partial(run_level, client, target.url, token=target.tokens)
        bodies_of = functools.partial(fresh_bodies, args.prompt, user_ids=target.service)
        await drive(bodies_of(WARMUP_REQUESTS), concurrency=2)
        bodies = bodies_of(args.profile_requests)
        with sampling(target.pid, raw):
            return await drive(bodies, concurrency=args.profile_concurrency)


def run_remote(args: argparse.Namespace) -> int:
    """Benchmark an already running server (server figures only when --pid is given)."""
    target = Target("server", args.url, args.pid, args.history, [args.token or "devkey"])
    outcome = asyncio.run(bench_target(target, args))
    print_table(outcome.rows)
    return outcome.unmeasured_errors + sum(row.errors for row in outcome.rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; return 1 when any stream failed."""
    args = parse_args(argv)
    if args.cores:
        os.sched_setaffinity(0, {args.cores[1]})
    history = f"; {args.history} prior turns per session" if args.history else ""
    print(
        f"{os.cpu_count()} CPUs; {args.requests} streams per level; levels {args.levels}"
        f"{history}; {pinning_note(args.cores)}"
    )
    if args.url:
        errors = run_remote(args)
    else:
        with tempfile.TemporaryDirectory(prefix="stream-bench-") as workdir:
            run = run_profile if args.profile else run_all
            errors = run(args, Path(workdir))
    if errors:
        print(f"\nFAILED: {errors} stream(s) failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
