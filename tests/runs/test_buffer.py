"""The replay buffer, in memory and in a real Redis: one cursor for replay and live."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest
import redis.asyncio as redis

from runs import buffer as buffer_module
from runs.buffer import AppendRefused, MemoryEventBuffer
from runs.events import EventType, RunEvent
from runs.redis_buffer import RedisEventBuffer
from tests.support.waiting import eventually


@pytest.fixture(params=["memory", "redis-here", "redis-elsewhere"])
async def buffers(request):
    """Return (writer, reader) for each way of reading a run.

    In memory; in Redis, from the process that executes the run (its memory copy) or from
    another one (the Redis Stream).
    """
    if request.param == "memory":
        buffer = MemoryEventBuffer(retain_seconds=60)
        yield buffer, buffer
        return
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    writer = RedisEventBuffer(client, retain_seconds=60, max_events=10_000)
    other = RedisEventBuffer(client, retain_seconds=60, max_events=10_000)
    yield writer, (writer if request.param == "redis-here" else other)
    await client.aclose()


def token(n: int) -> RunEvent:
    """The run's event number `n`, a token."""
    return RunEvent(n, "token", {"text": f"t{n} "})


async def read_all(buffer, run_id: str, after: int) -> list[RunEvent]:
    """Read to the terminal event, skipping idle ticks."""
    return [e async for e in buffer.read(run_id, after, idle=0.05) if e is not None]


async def test_a_reader_joining_mid_run_gets_every_later_event_once_in_order(buffers):
    buffer, other = buffers
    run_id = uuid.uuid4().hex[:24]
    for n in range(1, 6):
        await buffer.append(run_id, token(n))
    await buffer.flush(run_id)

    async def writer() -> None:
        for n in range(6, 200):
            await buffer.append(run_id, token(n))
            if n % 10 == 0:
                await asyncio.sleep(0.001)
        await buffer.append(run_id, RunEvent(200, "done", {"fullText": "…"}))

    reader = asyncio.create_task(read_all(other, run_id, 3))
    await asyncio.sleep(0.01)
    await writer()
    events = await asyncio.wait_for(reader, 10)
    assert [e.id for e in events] == list(range(4, 201))
    assert events[-1].event == "done" and events[0].data == {"text": "t4 "}


async def test_a_finished_run_replays_from_the_start_and_reports_its_last_id(buffers):
    buffer, other = buffers
    run_id = uuid.uuid4().hex[:24]
    await buffer.append(run_id, RunEvent(1, "run", {"runId": run_id}))
    await buffer.append(run_id, RunEvent(2, "error", {"code": "cancelled"}))
    await buffer.flush(run_id)
    assert [e.event for e in await read_all(other, run_id, 0)] == ["run", "error"]
    assert await other.last_id(run_id) == 2
    assert await other.last_id(uuid.uuid4().hex[:24]) is None


async def test_an_idle_reader_gets_ticks_until_the_next_event(buffers):
    buffer, other = buffers
    run_id = uuid.uuid4().hex[:24]
    await buffer.append(run_id, token(1))
    await buffer.flush(run_id)
    reader = other.read(run_id, 1, idle=0.05)
    assert await anext(reader) is None
    await buffer.append(run_id, token(2))
    event = await anext(reader)
    while event is None:
        event = await anext(reader)
    assert event.id == 2
    await reader.aclose()


async def test_readers_that_idle_or_leave_leave_no_waiter_behind_in_memory():
    buffer = MemoryEventBuffer(retain_seconds=60)
    await buffer.append("r-idle", token(1))
    idle = buffer.read_batches("r-idle", 1, idle=0.01)
    assert [await anext(idle), await anext(idle)] == [None, None]
    leaving = asyncio.ensure_future(anext(buffer.read_batches("r-idle", 1, idle=5)))
    await asyncio.sleep(0.01)
    leaving.cancel()
    await asyncio.gather(leaving, return_exceptions=True)
    assert buffer.logs["r-idle"].waiters == []
    reading = asyncio.ensure_future(anext(idle))
    await asyncio.sleep(0)
    await buffer.append("r-idle", token(2))
    assert [event.id for event in await reading] == [2]
    await idle.aclose()


async def test_the_memory_buffer_forgets_a_finished_run_after_its_retention():
    buffer = MemoryEventBuffer(retain_seconds=0.05)
    await buffer.append("r1", RunEvent(1, "done", {}))

    async def forgotten() -> bool:
        return await buffer.last_id("r1") is None

    await eventually(forgotten, timeout=5, what="the run was forgotten")


async def test_a_finished_run_is_compacted_and_replays_the_same_from_any_id(monkeypatch):
    monkeypatch.setattr(buffer_module, "COMPACT_AFTER_SECONDS", 0.0)
    buffer = MemoryEventBuffer(retain_seconds=60)
    events = [
        RunEvent(1, EventType.RUN, {"runId": "r-packed"}),
        *(token(n) for n in range(2, 40)),
        RunEvent(40, EventType.DONE, {"fullText": "…", "timings": {"total_ms": 1.5}}),
    ]
    for event in events:
        await buffer.append("r-packed", event)
    size_before = sum(sys.getsizeof(event.data) + sys.getsizeof(event) for event in events)
    await buffer.append("r-next", token(1))  # a new run's first event prunes and compacts
    log = buffer.logs["r-packed"]
    assert log.live == [] and log.packed is not None and log.whole
    assert len(log.packed) < size_before / 3, "one bytes object holds it for a fraction"
    assert await read_all(buffer, "r-packed", 0) == events
    assert [e.id for e in await read_all(buffer, "r-packed", 37)] == [38, 39, 40]
    assert await buffer.last_id("r-packed") == 40 and buffer.has_whole("r-packed")
    assert buffer.whole_runs()["r-packed"] == events
    assert (await read_all(buffer, "r-packed", 0))[-1].event is EventType.DONE


async def test_a_compacted_run_that_goes_on_keeps_every_event(monkeypatch):
    monkeypatch.setattr(buffer_module, "COMPACT_AFTER_SECONDS", 0.0)
    buffer = MemoryEventBuffer(retain_seconds=60)
    await buffer.append("r-on", token(1))
    await buffer.append("r-on", RunEvent(2, EventType.INTERRUPTED, {"reason": "paused"}))
    buffer.prune()
    assert buffer.logs["r-on"].packed is not None
    await buffer.append("r-on", token(3))
    await buffer.append("r-on", RunEvent(4, EventType.DONE, {}))
    assert [e.id async for e in buffer.read("r-on", 2, idle=0.05) if e] == [3, 4]
    assert await buffer.last_id("r-on") == 4


async def test_a_run_a_reader_still_waits_on_is_not_compacted(monkeypatch):
    monkeypatch.setattr(buffer_module, "COMPACT_AFTER_SECONDS", 0.0)
    buffer = MemoryEventBuffer(retain_seconds=60)
    await buffer.append("r-waited", token(1))
    waiting = asyncio.ensure_future(anext(buffer.read_batches("r-waited", 1, idle=5)))
    await asyncio.sleep(0.01)
    buffer.logs["r-waited"].compact()
    assert buffer.logs["r-waited"].packed is None, "a waiting reader reads the live list"
    await buffer.append("r-waited", RunEvent(2, "done", {}))
    assert [event.id for event in await waiting] == [2]


async def test_the_redis_stream_expires_after_the_retention(redis_url):
    client = redis.Redis.from_url(redis_url)
    buffer = RedisEventBuffer(client, retain_seconds=7, max_events=100)
    await buffer.append("r-expiry", token(1))
    await buffer.flush("r-expiry")
    assert 0 < await client.ttl(buffer.key("r-expiry")) <= 7
    await client.aclose()


async def test_another_process_cannot_append_behind_a_runs_last_event(redis_url):
    client = redis.Redis.from_url(redis_url)
    owner = RedisEventBuffer(client, retain_seconds=60, max_events=100)
    elsewhere = RedisEventBuffer(client, retain_seconds=60, max_events=100)
    run_id = uuid.uuid4().hex[:24]
    for n in range(1, 6):
        await owner.append(run_id, token(n))
    await owner.flush(run_id)
    try:
        with pytest.raises(AppendRefused):
            await elsewhere.append(run_id, RunEvent(4, "error", {"code": "interrupted"}))
        await elsewhere.append(run_id, RunEvent(6, "error", {"code": "interrupted"}))
        assert [e.id for e in await read_all(elsewhere, run_id, 0)] == [1, 2, 3, 4, 5, 6]
    finally:
        await client.aclose()
