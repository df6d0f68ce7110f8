"""The replay buffer of several servers: one Redis Stream per run (see runs/buffer.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis

from runs.buffer import (
    IDLE_SECONDS,
    AppendRefused,
    EventByEvent,
    MemoryEventBuffer,
    RunLog,
    until_terminal,
)
from runs.events import RunEvent
from telemetry.outages import count_redis_error, redis_unreachable
from telemetry.prometheus import REDIS_DROPPED_RUNS

logger = logging.getLogger(__name__)


LOST_REASON = (
    "its events were lost to an outage of Redis (more than RUN_OUTAGE_HOLD_EVENTS were held "
    "by the process that executed it)"
)


@dataclass
class Outage:
    """Redis cannot be written: since when (monotonic), and the runs whose events were dropped."""

    since: float
    dropped: set[str] = field(default_factory=set)
    lost: int = 0
    """How many of the dropped runs were lost (this process no longer had them)."""
    logged: bool = False
    """Whether its start was logged (not when only another client noticed it: `recheck`)."""


class RedisEventBuffer(EventByEvent):
    """One Redis Stream per run, entry ids `<eventId>-0`, trimmed and expiring.

    The process that executes a run also keeps its events in memory: its own readers follow
    that copy (no Redis round trip per event), and its events go to Redis in batches: one
    writer task per process sends every run's new events in one pipeline, gathered for up
    to 20 ms (at once when a run ended), in order. Other processes read Redis.

    When Redis cannot be written, the events are held here (at most `hold_events`) and
    written, in order, once it answers again, retried with backoff: a run resumed on another
    process after the outage gets all of it. One log line says the outage began, one that
    it ended; what was held past the bound is counted and logged once per outage.
    """

    MIRROR_SECONDS = 60.0
    """How long the executing process keeps a finished run's events in memory too."""
    WRITE_LINGER_SECONDS = 0.02
    """How long events gather before a batch goes to Redis (other processes see them so late)."""
    RETRY_SECONDS = (0.05, 2.0)
    """The first and the longest wait between two writes of held events (doubling)."""
    LOST_MARK_SECONDS = 86_400
    """How long at least a lost run's mark says why (it outlives the events it stands for)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        retain_seconds: int,
        max_events: int,
        hold_events: int = 100_000,
    ) -> None:
        """Use `client`; keep events `retain_seconds` after the last one, at most ~max_events."""
        self.client = client
        self.retain_seconds = retain_seconds
        self.max_events = max_events
        self.hold_events = hold_events
        self.lost_mark_seconds = max(retain_seconds, self.LOST_MARK_SECONDS)
        self.mirror = MemoryEventBuffer(retain_seconds=min(retain_seconds, self.MIRROR_SECONDS))
        self.pending: dict[str, list[RunEvent]] = {}
        self.in_flight: set[str] = set()
        self.written = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None
        self.outage: Outage | None = None
        """Set while Redis cannot be written: since when, and what was dropped."""
        self.adopted: set[str] = set()
        """Runs taken over here (their memory copy may start past id 1: trimmed, or lost)."""

    @staticmethod
    def key(run_id: str) -> str:
        """Return the run's stream key."""
        return f"orchestration:run:{run_id}:events"

    async def append(self, run_id: str, event: RunEvent) -> None:
        """Keep the event here and queue it for Redis (a run not started here: write now).

        Raises:
            AppendRefused: Redis refused the event of a run not started here (XADD with an
                id not after the stream's last: its owner wrote that far after all).
        """
        if event.id != 1 and not self.holds(run_id):
            try:
                await self.write({run_id: [event]})
            except redis.ResponseError as refused:
                raise AppendRefused(str(refused)) from refused
            return
        await self.mirror.append(run_id, event)
        self.pending.setdefault(run_id, []).append(event)
        if self.writer is None:
            self.writer = asyncio.create_task(self.write_pending())

    async def write_pending(self) -> None:
        """Write every run's queued events to Redis, one pipeline per batch, until none is left.

        A batch Redis cannot take goes back, ahead of what came since, and is tried again
        with backoff; through an outage the writer keeps trying even with nothing new, so
        that the held events and the lost runs' marks land as soon as Redis answers.
        """
        wait = self.RETRY_SECONDS[0]
        try:
            while self.pending or self.outage is not None:
                if self.outage is None and not any(e[-1].terminal for e in self.pending.values()):
                    await asyncio.sleep(self.WRITE_LINGER_SECONDS)  # let a batch gather
                batch, self.pending = self.pending, {}
                self.in_flight = set(batch)
                rewritten = 0
                try:
                    if self.outage is None:
                        await self.write(batch)
                    else:
                        rewritten = await self.catch_up(batch)
                except redis.RedisError as exc:
                    if not redis_unreachable(exc):  # refused, not unreachable: trying won't do
                        count_redis_error("write", exc)
                        logger.exception("could not write the events of runs %s", sorted(batch))
                        self.recovered(0)
                        continue
                    self.hold(batch, exc)
                else:
                    self.recovered(rewritten)
                    wait = self.RETRY_SECONDS[0]
                    continue
                finally:
                    self.in_flight = set()
                    self.written.set()
                    self.written = asyncio.Event()
                await asyncio.sleep(wait)
                wait = min(2 * wait, self.RETRY_SECONDS[1])
        finally:
            self.writer = None

    def hold(self, batch: dict[str, list[RunEvent]], exc: Exception) -> None:
        """Keep a batch Redis refused ahead of newer events; past the bound, drop whole runs."""
        count_redis_error("write", exc)
        self.outage = self.outage or Outage(time.monotonic())
        held = {run_id: events + self.pending.get(run_id, []) for run_id, events in batch.items()}
        self.pending = held | {k: v for k, v in self.pending.items() if k not in held}
        if self.pending and not self.outage.logged:  # (a recheck's stale connection: quiet)
            self.outage.logged = True
            logger.error(
                "Redis cannot be written (%s): holding the events of %d run(s) until it answers",
                exc,
                len(self.pending),
            )
        over = sum(len(events) for events in self.pending.values()) - self.hold_events
        while over > 0 and self.pending:
            run_id = next(iter(self.pending))  # the run held longest goes first
            over -= len(self.pending.pop(run_id))
            if run_id not in self.outage.dropped:
                self.outage.dropped.add(run_id)
                REDIS_DROPPED_RUNS.inc()
            if len(self.outage.dropped) == 1:
                logger.error(
                    "Redis outage: more than %d events held; the oldest runs' events are "
                    "dropped (written from this process's copy while it has them, %.0f s "
                    "after their end)",
                    self.hold_events,
                    self.MIRROR_SECONDS,
                )

    def recheck(self) -> None:
        """Redis answers again after an outage another client of ours noticed (the signals').

        It may have come back empty (a restart without persistence) while no write of this
        buffer failed: write again what it lacks of the runs this process holds.
        """
        self.outage = self.outage or Outage(time.monotonic())
        if self.writer is None:
            self.writer = asyncio.create_task(self.write_pending())

    async def catch_up(self, batch: dict[str, list[RunEvent]]) -> int:
        """After an outage, write what Redis lacks, and mark the runs whose events are lost.

        Redis may have part of a batch (a pipeline cut half-way) or nothing at all (a
        restart without persistence): each run's events past the stream's last are written
        again, from this process's copy where it has the whole run, else from the batch.
        A run dropped from the hold that the copy no longer has is lost: its partial stream
        is deleted and a mark says why, so a resume is refused with the reason (410) rather
        than left waiting for events that will never come. Runs are taken before the first
        await, so nothing appended meanwhile (queued anew) is written twice. Returns how many
        runs had events written again.
        """
        assert self.outage is not None
        whole = self.mirror.whole_runs()
        runs = whole | {k: v for k, v in batch.items() if k not in self.mirror.logs}
        lost = self.outage.dropped - whole.keys()
        runs = {run_id: events for run_id, events in runs.items() if run_id not in lost}
        async with self.client.pipeline(transaction=False) as pipe:
            for run_id in runs:
                pipe.xrevrange(self.key(run_id), count=1)
            tops = await pipe.execute()
        left = {}
        for (run_id, events), top in zip(runs.items(), tops, strict=True):
            written = int(_text(top[0][0]).split("-")[0]) if top else 0
            if rest := [event for event in events if event.id > written]:
                left[run_id] = rest
        await self.write(left, lost=lost)
        self.outage.lost = len(lost)
        return len(left)

    def recovered(self, rewritten: int) -> None:
        """Say once that Redis is written again, how long it was not, and what was lost."""
        if self.outage is None:
            return
        outage, self.outage = self.outage, None
        if not outage.logged:
            if rewritten:
                logger.warning(
                    "Redis came back without the events of %d run(s) of this process: "
                    "written again",
                    rewritten,
                )
            return
        logger.warning(
            "Redis is written again after %.1f s; held events written (%d run(s) dropped from "
            "the hold, %d of them lost: their resumes answer 410)",
            time.monotonic() - outage.since,
            len(outage.dropped),
            outage.lost,
        )

    @staticmethod
    def lost_key(run_id: str) -> str:
        """Return the key that says why the run's events are gone."""
        return f"orchestration:run:{run_id}:lost"

    async def lost(self, run_id: str) -> str | None:
        """Why the run's events are gone before their time (an outage of Redis), or None."""
        reason = await self.client.get(self.lost_key(run_id))
        return None if reason is None else _text(reason)

    async def write(self, batch: dict[str, list[RunEvent]], *, lost: Collection[str] = ()) -> None:
        """XADD each run's events with their own ids and push each stream's expiry past them.

        Each run of `lost` has its stream deleted and a mark set in its place (see `catch_up`).
        """
        async with self.client.pipeline(transaction=False) as pipe:
            for run_id in lost:
                pipe.delete(self.key(run_id))
                pipe.set(self.lost_key(run_id), LOST_REASON, ex=self.lost_mark_seconds)
            for run_id, events in batch.items():
                for event in events:
                    payload = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
                    pipe.xadd(
                        self.key(run_id),
                        {"e": event.event, "d": payload},
                        id=f"{event.id}-0",
                        maxlen=self.max_events,
                        approximate=True,
                    )
                pipe.expire(self.key(run_id), self.retain_seconds)
            await pipe.execute()

    def holds(self, run_id: str) -> bool:
        """Whether this process keeps the run's events in memory (it executes, or executed, it)."""
        if run_id not in self.adopted:
            return self.mirror.has_whole(run_id)
        if run_id in self.mirror.logs:
            return True
        self.adopted.discard(run_id)  # its copy expired
        return False

    async def adopt(self, run_id: str) -> list[RunEvent]:
        """Copy a run taken over here from Redis into memory; return its events so far.

        From then on its events are appended and read here as for a run started here. An
        event its earlier attempt writes after this (it stalled, and lost the run) lands
        before this attempt's first at most: Redis refuses ids not past the stream's last.
        """
        entries = await self.client.xrange(self.key(run_id), count=self.max_events)
        earlier = [_decode(_text(entry_id), fields) for entry_id, fields in entries]
        self.mirror.logs[run_id] = RunLog(live=earlier)
        self.adopted &= self.mirror.logs.keys()  # forget those whose copy expired
        self.adopted.add(run_id)
        return earlier

    async def flush(self, run_id: str) -> None:
        """Wait until the run's queued events are in Redis, or held through an outage."""
        while self.writer is not None and (run_id in self.pending or run_id in self.in_flight):
            if self.outage is not None and run_id not in self.in_flight:
                return  # held: written when Redis answers, the run's end does not wait
            await self.written.wait()

    async def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[RunEvent] | None]:
        """Each XREAD BLOCK's entries from `after` as one list: one cursor, stored then new.

        A run executing here is read from the memory copy, through the same kind of cursor.
        """
        if self.holds(run_id):
            async for batch in self.mirror.read_batches(run_id, after, idle=idle):
                yield batch
            return
        cursor = f"{max(after, 0)}-0"
        key = self.key(run_id)
        while True:
            answer = await self.client.xread(
                {key: cursor}, count=512, block=max(1, int(idle * 1000))
            )
            entries = _entries(answer, key)
            if not entries:
                yield None
                continue
            cursor = _text(entries[-1][0])
            batch = until_terminal([_decode(_text(i), fields) for i, fields in entries])
            yield batch
            if batch[-1].terminal:
                return

    async def last_id(self, run_id: str) -> int | None:
        """Return the last entry's event id, None when the stream expired or never existed."""
        if self.holds(run_id):
            return await self.mirror.last_id(run_id)
        last = await self.client.xrevrange(self.key(run_id), count=1)
        return int(_text(last[0][0]).split("-")[0]) if last else None


def _entries(answer: Any, key: str) -> list[tuple[Any, dict[Any, Any]]]:
    """Return the entries of an XREAD answer, RESP2 (list) or RESP3 (dict) shaped."""
    if not answer:
        return []
    if isinstance(answer, dict):
        found = answer.get(key) or answer.get(key.encode()) or []
        return found[0] if found and isinstance(found[0], list) else found
    return answer[0][1]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(entry_id: str, fields: dict[Any, Any]) -> RunEvent:
    """Turn a stream entry back into the event it stored."""
    values = {_text(name): _text(value) for name, value in fields.items()}
    return RunEvent(int(entry_id.split("-")[0]), values["e"], json.loads(values["d"]))
