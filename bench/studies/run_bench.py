"""What runs cost: server CPU per chat with runs in memory and with runs in Redis.

Run from the project root: `.venv/bin/python -m bench.studies.run_bench` (or `make bench-runs`).
It also times resuming a run (reconnect with Last-Event-ID → first replayed event).
See docs/benchmark.md ("Runs") for what each figure means. Exits 1 when any stream failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common.load import fresh_bodies, percentile, run_level, shared_client
from bench.common.procstat import measure_process
from bench.common.report import LevelStats, cell, print_table, summarise
from harness.live_server import live_server, migrate
from harness.redis_server import redis_server
from operations.client import stream_chat_http, stream_run_http

ROOT = Path(__file__).resolve().parents[2]

PROMPT = "What is Server-Sent Events? How many sessions do I have?"
PROJECT_APP = "orchestration_site.asgi:application"
RESUME_AFTER_EVENTS = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8, help="streams in flight at once")
    parser.add_argument("--requests", type=int, default=128, help="measured streams per server")
    parser.add_argument("--resumes", type=int, default=50, help="timed resumes per runs server")
    parser.add_argument("--token", default="devkey")
    args = parser.parse_args(argv)
    if min(args.concurrency, args.requests, args.resumes) < 1:
        parser.error("--concurrency, --requests and --resumes must be positive")
    return args


async def measure_cpu(url: str, pid: int, name: str, args: argparse.Namespace) -> LevelStats:
    """Warm the server up, then drive `--requests` chats and measure its CPU."""
    async with shared_client(args.concurrency) as client:
        await run_level(
            client, url, fresh_bodies(PROMPT, 8, user_ids=True), token=args.token, concurrency=2
        )
        bodies = fresh_bodies(PROMPT, args.requests, user_ids=True)
        async with measure_process(pid) as usage:
            level = await run_level(
                client, url, bodies, token=args.token, concurrency=args.concurrency
            )
    return summarise(name, level, usage)


async def resume_once(client: httpx.AsyncClient, url: str, token: str) -> float:
    """Start a run that continues without its client, leave it, let it finish, then resume it.

    Returns the ms from sending the resume to its first replayed event. The resume uses the
    shared client (a new httpx client would add its own set-up, ~10 ms, to the figure).
    """
    body = {**fresh_bodies(PROMPT, 1, user_ids=True)[0], "onDisconnect": "continue"}
    seen = []
    async for event in stream_chat_http(url, token, body, client=client):
        seen.append(event)
        if len(seen) >= RESUME_AFTER_EVENTS:
            break
    run_id = seen[0].data["runId"]
    await wait_until_finished(client, url, token, run_id)
    started = time.perf_counter()
    resumed = stream_run_http(url, token, run_id, last_event_id=seen[-1].id, client=client)
    first = await anext(resumed)
    elapsed = (first.received_at - started) * 1000
    async for _ in resumed:
        pass
    if first.id != seen[-1].id + 1:
        raise RuntimeError(f"resume after {seen[-1].id} started at {first.id}")
    return elapsed


async def wait_until_finished(client: httpx.AsyncClient, url: str, token: str, run_id: str) -> None:
    """Poll the run until it has ended, so that the resume times replay, not the pipeline."""
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        run = (await client.get(f"{url}/v1/runs/{run_id}", headers=headers)).json()
        if run["status"] not in ("queued", "running"):
            return
        await asyncio.sleep(0.01)


async def measure_resumes(url: str, args: argparse.Namespace) -> list[float]:
    """Time `--resumes` resumes, one after another."""
    async with httpx.AsyncClient(timeout=60) as client:
        return [await resume_once(client, url, args.token) for _ in range(args.resumes)]


def bench_server(
    workdir: Path, template: Path, name: str, app: str, args: argparse.Namespace, **env: str
) -> tuple[LevelStats, list[float]]:
    """Start one server, measure its CPU per chat and its resume latency."""
    env = {"BUILTIN_TOKEN_DELAY_MS": "0", **env}
    with live_server(workdir / name, template_db=template, application=app, **env) as server:
        row = asyncio.run(measure_cpu(server.url, server.process.pid, name, args))
        resumes = asyncio.run(measure_resumes(server.url, args))
    return row, resumes


def print_runs_summary(rows: list[LevelStats], resumes: dict[str, list[float]]) -> None:
    """Print each configuration's CPU per chat (extra: over in-memory runs) and resume latencies."""
    base = rows[0].cpu_ms_per_request
    print("\nwhat runs cost (server CPU per chat, ms) and resume latency (ms)")
    print(f"{'target':<14}{'cpu ms/req':>11}{'extra':>8}{'resume p50':>12}{'resume p95':>12}")
    for row in rows:
        extra = (
            None
            if base is None or row.cpu_ms_per_request is None
            else (row.cpu_ms_per_request - base)
        )
        times = resumes.get(row.target, [])
        print(
            f"{row.target:<14}{cell(row.cpu_ms_per_request, '>11', 2)}{cell(extra, '>8', 2)}"
            f"{cell(percentile(times, 50), '>12', 2)}{cell(percentile(times, 95), '>12', 2)}"
        )


def main(argv: list[str] | None = None) -> int:
    """Benchmark runs in memory and through Redis; return 1 when any stream failed."""
    args = parse_args(argv)
    print(f"{os.cpu_count()} CPUs; {args.requests} streams at concurrency {args.concurrency}")
    with tempfile.TemporaryDirectory(prefix="run-bench-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        migrate(template)
        with redis_server(workdir / "redis") as redis:
            configurations = [
                ("runs memory", PROJECT_APP, {}),
                ("runs redis", PROJECT_APP, {"REDIS_URL": redis.url}),
            ]
            results = [
                bench_server(workdir, template, *c[:2], args, **c[2]) for c in configurations
            ]
    rows = [row for row, _ in results]
    print_table(rows)
    print_runs_summary(rows, {row.target: times for row, times in results})
    errors = sum(row.errors for row in rows)
    if errors:
        print(f"\nFAILED: {errors} stream(s) failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
