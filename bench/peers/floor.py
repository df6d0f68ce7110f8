"""What a run through `langgraph-sdk` costs before any code of ours: the fixed costs.

- **HTTP on daphne**: the SDK sends three requests per run (the thread, the streamed run, the
  run's status once the stream closed without an `end` event); the bare SSE endpoint
  (`bench.common.bare_sse`) serves a stream of the same number of events and two one-line
  answers, and its CPU per run is the floor of what daphne, HTTP and SSE framing cost.
- **LangGraph's own loop and a chat's records through the ORM** (`make bench-fixed`,
  `bench.studies.fixed_costs --json`, in a process of its own).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common.load import fresh_bodies, run_level, run_stream, shared_client
from bench.common.pinning import pin_process
from bench.common.procstat import measure_process
from bench.common.servers import bare_server
from bench.gate.stream_bench import DEFAULT_PROMPT
from harness.live_server import ROOT

PROMPT = DEFAULT_PROMPT
"""The prompt of every run: `make bench`'s, so that both measure the same answer."""


@dataclass(frozen=True)
class Floor:
    """Fixed CPU ms per run, each measured apart."""

    http_ms: float
    """Three requests on the bare endpoint: a stream of the run's events and two answers."""
    graph_ms: float
    """LangGraph's loop over the pipeline's topology with nodes that do nothing."""
    records_ms: float
    """The records a chat in a new session writes and reads, through the ORM."""

    @property
    def total_ms(self) -> float:
        """All three."""
        return self.http_ms + self.graph_ms + self.records_ms


def measure_floor(workdir: Path, *, events: int, tokens: int, count: int, level: int,
                  core: int | None) -> Floor:  # fmt: skip
    """Serve the bare endpoint (pinned to `core`), drive it, then measure the in-process costs."""
    with bare_server(workdir, events=events, tokens=tokens) as server:
        if core is not None:
            pin_process(server.process.pid, core)
        http_ms = asyncio.run(bare_cpu_ms(server.url, server.process.pid, count, level))
    return Floor(http_ms, **fixed_costs(core))


async def bare_cpu_ms(url: str, pid: int, count: int, level: int) -> float:
    """CPU ms of one streamed request and two one-line answers on the bare endpoint."""
    async with shared_client(level) as client:
        await run_level(client, url, fresh_bodies(PROMPT, level), token="bare", concurrency=level)
        async with measure_process(pid) as streams:
            await run_level(client, url, fresh_bodies(PROMPT, count), token="bare",
                            concurrency=level, runner=run_stream)  # fmt: skip
        slots = asyncio.Semaphore(level)

        async def answer() -> None:
            async with slots:
                await client.get(f"{url}/health")

        async with measure_process(pid) as answers:
            await asyncio.gather(*(answer() for _ in range(2 * count)))
    assert streams is not None and answers is not None
    return (streams.cpu_seconds + answers.cpu_seconds) * 1000 / count


def fixed_costs(core: int | None) -> dict[str, float]:
    """LangGraph's loop and a chat's records (bench.studies.fixed_costs, its own process)."""
    command = [sys.executable, "-m", "bench.studies.fixed_costs", "--json"]
    command += [
        "--chats",
        "200",
        "--graph-runs",
        "1000",
        *([] if core is not None else ["--no-pin"]),
    ]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
