"""Token usage reported by providers is collected per run, and only inside a run."""

from __future__ import annotations

import asyncio

from llm.usage import Usage, metering, record_usage


def call(role: str, input_tokens: int, output_tokens: int) -> Usage:
    return Usage(role, "builtin", "builtin", input_tokens, output_tokens)


def test_it_sums_tokens_per_role_and_over_the_run() -> None:
    with metering() as meter:
        record_usage(call("planner", 10, 2))
        record_usage(call("worker", 5, 1))
        record_usage(call("worker", 7, 3))
    assert meter.by_role() == {
        "planner": {"input_tokens": 10, "output_tokens": 2},
        "worker": {"input_tokens": 12, "output_tokens": 4},
    }
    assert meter.totals() == {"input_tokens": 22, "output_tokens": 6}


def test_reports_outside_a_run_go_nowhere() -> None:
    record_usage(call("planner", 1, 1))
    with metering() as meter:
        pass
    assert meter.calls == []


async def test_it_follows_the_run_into_tasks_it_starts() -> None:
    async def agent() -> None:
        record_usage(call("critic", 3, 4))

    with metering() as meter:
        await asyncio.gather(asyncio.create_task(agent()), asyncio.create_task(agent()))
    assert meter.totals() == {"input_tokens": 6, "output_tokens": 8}
