"""What a wire protocol costs over the native chat stream: server CPU per chat, same server.

The same chats (a new session each, the same prompt) go through `POST /v1/chat/stream`,
`POST /openai/v1/chat/completions` and `POST /langgraph/runs/stream`, in turn, `ROUNDS` times
each, at `LEVEL` streams in flight, after `WARM_UP` unmeasured chats through each; each
protocol's median is compared with the native one's (target: within 10 %, CPU_RATIO_LIMIT).
"""

from __future__ import annotations

from collections.abc import Callable

from bench.common.langgraph_load import run_langgraph
from bench.common.load import Runner, fresh_bodies, run_level, run_stream, shared_client
from bench.common.openai_load import run_completion
from bench.common.procstat import measure_process
from bench.gate import verdict

LEVEL = 8
ROUNDS = 2
WARM_UP = 16
CPU_RATIO_LIMIT = 1.10
PROTOCOLS: dict[str, Runner] = {
    "OpenAI chat completions (/openai/v1)": run_completion,
    "LangGraph runs/stream (/langgraph)": run_langgraph,
}


async def cpu_ms_per_chat(
    url: str, pid: int, runner: Runner, bodies: list[dict[str, str]], tokens: list[str]
) -> tuple[float | None, int]:
    """Server CPU ms per chat for `bodies` run through `runner`, and how many failed."""
    async with shared_client(LEVEL) as client:
        async with measure_process(pid) as usage:
            run = await run_level(
                client, url, bodies, token=tokens, concurrency=LEVEL, runner=runner
            )
    if usage is None or not run.ok:
        return None, run.errors
    return usage.cpu_seconds * 1000 / len(run.results), run.errors


async def protocol_checks(
    url: str,
    pid: int,
    tokens: list[str],
    bodies_of: Callable[[int], list[dict[str, str]]],
    count: int,
) -> tuple[list[verdict.Check], int]:
    """Native and each protocol's CPU per chat, in turn; one ratio check each, failed streams."""
    runners: dict[str, Runner] = {"native stream": run_stream, **PROTOCOLS}
    figures: dict[str, list[float | None]] = {name: [] for name in runners}
    errors = 0
    for runner in runners.values():  # each route's first requests (cold code paths) unmeasured
        errors += (await cpu_ms_per_chat(url, pid, runner, bodies_of(WARM_UP), tokens))[1]
    for _ in range(ROUNDS):
        for name, runner in runners.items():
            cpu, failed = await cpu_ms_per_chat(url, pid, runner, bodies_of(count), tokens)
            figures[name].append(cpu)
            errors += failed
    reference = verdict.median(figures["native stream"])
    checks = []
    for name in PROTOCOLS:
        measured = verdict.median(figures[name])
        print(
            f"\n{name} vs native stream, {LEVEL} in flight, {count} chats x {ROUNDS}: "
            f"server CPU ms per chat {fmt(measured)} vs {fmt(reference)}"
        )
        ratio = verdict.ratio(measured, reference)
        checks.append(
            verdict.Check(
                f"{name}: server CPU per chat, ms",
                measured,
                reference,
                ratio,
                CPU_RATIO_LIMIT,
                True,
            )
        )
    return checks, errors


def fmt(value: float | None) -> str:
    """A figure for the line above."""
    return "n/a" if value is None else f"{value:.2f}"


def bodies_factory(prompt: str, *, user_ids: bool) -> Callable[[int], list[dict[str, str]]]:
    """Fresh chat bodies (a new session each) for the prompt."""
    return lambda count: fresh_bodies(prompt, count, user_ids=user_ids)
