"""What checkpoints cost: the time from a resume to its first new event, per durability mode.

Run from the project root: `.venv/bin/python -m bench.studies.checkpoint_bench` (or
`make bench-checkpoints`). For each of LangGraph's durability modes it starts a server with
that mode, pauses `--resumes` runs before the Worker (`interruptBefore`), then resumes each
and times the resume request to its first event after `run` (the Worker starting: the
checkpoint read, the run admitted, the graph resumed). Issue #31's target: p95 ≤ 50 ms on
the same process. The CPU per chat of each mode is `make bench`'s figure with
`BENCH_ARGS='--env CHECKPOINT_DURABILITY=<mode>'` (docs/benchmark.md, "Checkpoints").
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common.load import percentile
from harness.live_server import live_server, migrate
from operations.client import stream_chat_http

PROMPT = "What is Server-Sent Events? How many sessions do I have?"
MODES = ("exit", "async", "sync")
TARGET_P95_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=100, help="timed resumes per mode")
    parser.add_argument("--modes", default=",".join(MODES), help="durability modes to time")
    parser.add_argument("--token", default="devkey")
    args = parser.parse_args(argv)
    if args.resumes < 1:
        parser.error("--resumes must be positive")
    args.modes = [mode for mode in args.modes.split(",") if mode]
    return args


async def events_of(client: httpx.AsyncClient, url: str, token: str, body: dict) -> list:
    """Every event of one chat request."""
    return [event async for event in stream_chat_http(url, token, body, client=client)]


async def resume_once(client: httpx.AsyncClient, url: str, token: str) -> float:
    """Pause a run before the Worker, then resume it; the ms to its first new event."""
    session = f"bench-resume-{uuid.uuid4().hex[:12]}"
    body = {"sessionId": session, "userId": "bench-resume", "prompt": PROMPT}
    paused = await events_of(client, url, token, {**body, "interruptBefore": ["worker"]})
    if paused[-1].event != "interrupted":
        raise RuntimeError(f"the run did not pause: {paused[-1]}")
    resume = {"sessionId": session, "userId": "bench-resume", "resume": None}
    started = time.perf_counter()
    stream = stream_chat_http(url, token, resume, client=client)
    first_new = None
    last = None
    async for event in stream:
        if first_new is None and event.event != "run":
            first_new = event.received_at
        last = event
    if first_new is None or last is None or last.event != "done":
        raise RuntimeError(f"the resumed run did not answer: {last}")
    return (first_new - started) * 1000


async def time_mode(url: str, args: argparse.Namespace) -> list[float]:
    """A few unmeasured resumes, then `--resumes` timed ones, one after another."""
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(5):
            await resume_once(client, url, args.token)
        return [await resume_once(client, url, args.token) for _ in range(args.resumes)]


def main(argv: list[str] | None = None) -> int:
    """Time resumes under each durability mode; print the table and the target's verdict."""
    args = parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="checkpoint-bench-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        migrate(template)
        for mode in args.modes:
            env = {"BUILTIN_TOKEN_DELAY_MS": "0", "CHECKPOINT_DURABILITY": mode}
            with live_server(workdir / mode, template_db=template, **env) as server:
                times = asyncio.run(time_mode(server.url, args))
            rows.append((mode, percentile(times, 50), percentile(times, 95)))
    print(f"resume of a paused run → its first new event, {args.resumes} resumes per mode (ms)")
    print(f"{'durability':<12}{'p50':>8}{'p95':>8}  target p95 ≤ {TARGET_P95_MS:.0f}")
    missed = 0
    for mode, p50, p95 in rows:
        verdict = "PASS" if p95 <= TARGET_P95_MS else "MISS"
        missed += verdict == "MISS"
        print(f"{mode:<12}{p50:>8.1f}{p95:>8.1f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
