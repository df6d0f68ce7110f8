"""What a wire protocol costs over the native chat stream: server CPU per chat, same server.

The same chats (a new session each, the same prompt) go through `POST /v1/chat/stream` and
through `POST /openai/v1/chat/completions`, alternately, `ROUNDS` times each, at `LEVEL`
streams in flight; the medians are compared (target: within 10 %, OPENAI_CPU_RATIO_LIMIT).
"""

from __future__ import annotations

from collections.abc import Callable

from bench.common.load import Runner, fresh_bodies, run_level, run_stream, shared_client
from bench.common.openai_load import run_completion
from bench.common.procstat import measure_process
from bench.gate import verdict

LEVEL = 8
ROUNDS = 2
OPENAI_CPU_RATIO_LIMIT = 1.10


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


async def openai_check(
    url: str,
    pid: int,
    tokens: list[str],
    bodies_of: Callable[[int], list[dict[str, str]]],
    count: int,
) -> tuple[verdict.Check, int]:
    """Native and OpenAI CPU per chat, alternately; the ratio check and the failed streams."""
    native, openai, errors = [], [], 0
    for _ in range(ROUNDS):
        for runner, figures in ((run_stream, native), (run_completion, openai)):
            cpu, failed = await cpu_ms_per_chat(url, pid, runner, bodies_of(count), tokens)
            figures.append(cpu)
            errors += failed
    measured, reference = verdict.median(openai), verdict.median(native)
    print(
        f"\nchat completions (/openai/v1) vs native stream, {LEVEL} in flight, {count} chats x "
        f"{ROUNDS}: server CPU ms per chat {fmt(measured)} vs {fmt(reference)}"
    )
    check = verdict.Check(
        "OpenAI chat completions: server CPU per chat, ms",
        measured,
        reference,
        verdict.ratio(measured, reference),
        OPENAI_CPU_RATIO_LIMIT,
        True,
    )
    return check, errors


def fmt(value: float | None) -> str:
    """A figure for the line above."""
    return "n/a" if value is None else f"{value:.2f}"


def bodies_factory(prompt: str, *, user_ids: bool) -> Callable[[int], list[dict[str, str]]]:
    """Fresh chat bodies (a new session each) for the prompt."""
    return lambda count: fresh_bodies(prompt, count, user_ids=user_ids)
