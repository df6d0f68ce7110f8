"""A Redis outage loses no run's events: held in the process, written in order when it is back.

Each test has its own redis-server, killed (SIGKILL) and started again on the same port.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
import redis.asyncio as redis

from harness.redis_server import redis_server
from runs.events import RunEvent
from runs.redis_buffer import Outage, RedisEventBuffer
from tests.support.waiting import eventually


@pytest.fixture
def server(tmp_path):
    """A redis-server of this test's."""
    with redis_server(tmp_path / "redis") as running:
        yield running


@pytest.fixture
async def buffers(server):
    """(this process's buffer, another process's), each with its own client."""
    clients = [redis.Redis.from_url(server.url) for _ in range(2)]
    yield [RedisEventBuffer(c, retain_seconds=60, max_events=10_000) for c in clients]
    for client in clients:
        await client.aclose()


def token(n: int) -> RunEvent:
    """The run's event number `n`, a token."""
    return RunEvent(n, "token", {"text": f"t{n} "})


async def stored(
    buffer: RedisEventBuffer, run_id: str, *, until: int | None = None, fresh: bool = False
) -> list[RunEvent]:
    """What Redis holds of the run, read as another process reads it, to its end (or `until`).

    `fresh`: read Redis itself even from the process that wrote it (not its own copy).
    """
    if fresh:
        buffer = RedisEventBuffer(buffer.client, retain_seconds=60, max_events=10_000)
    events: list[RunEvent] = []
    async for event in buffer.read(run_id, 0, idle=0.05):
        if event is not None:
            events.append(event)
        if events and events[-1].id == until:
            break
    return events


async def test_events_written_during_an_outage_reach_redis_in_order_when_it_is_back(
    server, buffers, caplog
):
    here, elsewhere = buffers
    run_id = uuid.uuid4().hex[:24]
    for n in range(1, 4):
        await here.append(run_id, token(n))
    await here.flush(run_id)
    server.kill()
    with caplog.at_level(logging.WARNING, logger="runs.redis_buffer"):
        for n in range(4, 40):
            await here.append(run_id, token(n))
        await here.append(run_id, RunEvent(40, "done", {"fullText": "…"}))
        await asyncio.wait_for(here.flush(run_id), 5)  # the run's end does not wait for Redis
        assert here.outage is not None
        server.start()
        await eventually(lambda: asyncio.sleep(0, here.outage is None and not here.pending))
    events = await stored(elsewhere, run_id)
    assert [event.id for event in events] == list(range(1, 41))
    assert events[-1].event == "done"
    said = [r.getMessage() for r in caplog.records if r.name == "runs.redis_buffer"]
    assert len(said) == 2, said  # one line when it went, one when it came back
    assert said[0].startswith("Redis cannot be written") and said[1].startswith("Redis is written")


async def test_what_redis_has_already_is_not_written_again(server, buffers):
    here, elsewhere = buffers
    run_id, other = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    await here.write({run_id: [token(1), token(2), token(3)]})  # a pipeline cut half-way
    here.outage = Outage(0.0)
    await here.catch_up({run_id: [token(n) for n in range(1, 6)], other: [token(1)]})
    assert [e.id for e in await stored(elsewhere, run_id, until=5)] == [1, 2, 3, 4, 5]
    assert [e.id for e in await stored(elsewhere, other, until=1)] == [1]


async def test_past_the_hold_dropped_runs_are_written_from_the_copy_when_redis_is_back(server):
    client = redis.Redis.from_url(server.url)
    here = RedisEventBuffer(client, retain_seconds=60, max_events=10_000, hold_events=10)
    old, new = uuid.uuid4().hex[:24], uuid.uuid4().hex[:24]
    server.kill()
    for n in range(1, 9):
        await here.append(old, token(n))
    await eventually(lambda: asyncio.sleep(0, here.outage is not None))
    for n in range(1, 6):
        await here.append(new, token(n))
    await eventually(lambda: asyncio.sleep(0, old not in here.pending))
    assert here.outage.dropped == {old} and [e.id for e in here.pending[new]] == [1, 2, 3, 4, 5]
    assert here.mirror.has_whole(old)  # still resumable from this process
    server.start()
    await eventually(lambda: asyncio.sleep(0, here.outage is None and not here.pending))
    assert [e.id for e in await stored(here, old, until=8, fresh=True)] == list(range(1, 9))
    assert await here.lost(old) is None
    await client.aclose()


class ShortCopy(RedisEventBuffer):
    """A buffer whose copy of a finished run is forgotten at once (as after a long outage)."""

    MIRROR_SECONDS = 0.0


async def test_a_dropped_run_the_process_no_longer_has_is_marked_lost_with_the_reason(
    server, caplog
):
    client = redis.Redis.from_url(server.url)
    here = ShortCopy(client, retain_seconds=60, max_events=10_000, hold_events=0)
    run_id = uuid.uuid4().hex[:24]
    await here.append(run_id, token(1))
    await here.flush(run_id)  # event 1 reached Redis before the outage
    server.kill()
    with caplog.at_level(logging.WARNING, logger="runs.redis_buffer"):
        await here.append(run_id, token(2))
        await here.append(run_id, RunEvent(3, "done", {"fullText": "…"}))
        await eventually(lambda: asyncio.sleep(0, here.outage and run_id in here.outage.dropped))
        server.start()  # with nothing new to write, the writer still notices Redis is back
        await eventually(lambda: asyncio.sleep(0, here.outage is None))
    assert await here.last_id(run_id) is None  # the partial stream is gone, not half-served
    assert "outage of Redis" in await here.lost(run_id)
    said = [r.getMessage() for r in caplog.records if r.name == "runs.redis_buffer"]
    assert said[-1].startswith("Redis is written again") and "1 of them lost" in said[-1]
    await client.aclose()


async def test_a_redis_that_came_back_empty_gets_again_the_runs_this_process_holds(
    server, buffers, caplog
):
    here, elsewhere = buffers
    run_id = uuid.uuid4().hex[:24]
    for n in range(1, 4):
        await here.append(run_id, token(n))
    await here.append(run_id, RunEvent(4, "done", {"fullText": "…"}))
    await here.flush(run_id)
    server.kill()
    server.start()  # it persisted nothing: it comes back empty, and no write of ours failed
    assert await elsewhere.last_id(run_id) is None
    with caplog.at_level(logging.WARNING, logger="runs.redis_buffer"):
        here.recheck()  # what the signals' subscription calls when it is back
        await eventually(lambda: asyncio.sleep(0, here.outage is None))
    assert [event.id for event in await stored(elsewhere, run_id)] == [1, 2, 3, 4]
    said = [r.getMessage() for r in caplog.records if r.name == "runs.redis_buffer"]
    assert said == ["Redis came back without the events of 1 run(s) of this process: written again"]
