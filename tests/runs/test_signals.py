"""Run signals between two processes' listeners through a real Redis pub/sub channel."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as redis

from runs.redis_signals import RedisSignals
from runs.signals import LocalSignals


async def test_a_cancel_and_a_freed_session_reach_the_other_process(redis_url):
    client = redis.Redis.from_url(redis_url)
    cancelled = []
    here = RedisSignals(lambda run_id, status: None, client)
    there = RedisSignals(lambda run_id, status: cancelled.append((run_id, status)), client)
    await here.start()
    await there.start()
    try:
        waiting = asyncio.create_task(there.wait_for_session("s-1", timeout=5))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await here.cancel("r-1", "interrupted")
        await here.session_freed("s-1")
        await asyncio.wait_for(waiting, 5)
        assert time.monotonic() - started < 1, "woken by the signal, not by the timeout"
        assert cancelled == [("r-1", "interrupted")]
    finally:
        await here.stop()
        await there.stop()
        await client.aclose()


async def test_in_one_process_a_cancel_is_a_direct_call():
    cancelled = []
    signals = LocalSignals(lambda run_id, status: cancelled.append((run_id, status)))
    await signals.cancel("r-1", "cancelled")
    assert cancelled == [("r-1", "cancelled")]
    waiting = asyncio.create_task(signals.wait_for_session("s-1", timeout=5))
    await asyncio.sleep(0)
    await signals.session_freed("s-1")
    await asyncio.wait_for(waiting, 1)
