"""The replay buffer of several servers: one Redis Stream per run (see runs/buffer.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis

from runs.buffer import IDLE_SECONDS, AppendRefused, EventByEvent, MemoryEventBuffer, until_terminal
from runs.events import RunEvent
from telemetry.prometheus import REDIS_DROPPED_RUNS, REDIS_ERRORS

logger = logging.getLogger(__name__)


@dataclass
class Outage:
    """Redis cannot be written: since when (monotonic), and the runs whose events were dropped."""

    since: float
    dropped: int = 0


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
        self.mirror = MemoryEventBuffer(retain_seconds=min(retain_seconds, self.MIRROR_SECONDS))
        self.pending: dict[str, list[RunEvent]] = {}
        self.in_flight: set[str] = set()
        self.written = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None
        self.outage: Outage | None = None
        """Set while Redis cannot be written: since when, and what was dropped."""

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
        if event.id != 1 and not self.mirror.has_whole(run_id):
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

        A batch Redis refuses goes back, ahead of what came since, and is tried again.
        """
        wait = self.RETRY_SECONDS[0]
        try:
            while self.pending:
                if self.outage is None and not any(e[-1].terminal for e in self.pending.values()):
                    await asyncio.sleep(self.WRITE_LINGER_SECONDS)  # let a batch gather
                batch, self.pending = self.pending, {}
                self.in_flight = set(batch)
                try:
                    await self.write(await self.unwritten(batch) if self.outage else batch)
                except (redis.ConnectionError, redis.TimeoutError) as exc:
                    self.hold(batch, exc)
                except redis.RedisError as exc:  # refused, not unreachable: trying again won't do
                    REDIS_ERRORS.labels(operation="write", kind=type(exc).__name__).inc()
                    logger.exception("could not write the events of runs %s", sorted(batch))
                else:
                    self.recovered()
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
        REDIS_ERRORS.labels(operation="write", kind=type(exc).__name__).inc()
        if self.outage is None:
            self.outage = Outage(time.monotonic())
            logger.error(
                "Redis cannot be written (%s): holding the events of %d run(s) until it answers",
                exc,
                len(batch),
            )
        held = {run_id: events + self.pending.get(run_id, []) for run_id, events in batch.items()}
        self.pending = held | {k: v for k, v in self.pending.items() if k not in held}
        over = sum(len(events) for events in self.pending.values()) - self.hold_events
        while over > 0 and self.pending:
            run_id = next(iter(self.pending))  # the run held longest goes first
            over -= len(self.pending.pop(run_id))
            self.outage.dropped += 1
            REDIS_DROPPED_RUNS.inc()
            if self.outage.dropped == 1:
                logger.error(
                    "Redis outage: more than %d events held; the oldest runs' events are "
                    "dropped (resumable here for %.0f s, not on other processes)",
                    self.hold_events,
                    self.MIRROR_SECONDS,
                )

    async def unwritten(self, batch: dict[str, list[RunEvent]]) -> dict[str, list[RunEvent]]:
        """What Redis lacks of the batch's runs and of every run held here from its start.

        After an outage Redis may have part of a batch (a pipeline cut half-way) or nothing
        at all (a restart without persistence): each run's events past the stream's last are
        written again, from this process's copy where it has the whole run. Taken before the
        first await, so nothing appended meanwhile (queued anew) is written twice.
        """
        runs = self.mirror.whole_runs() | {
            k: v for k, v in batch.items() if k not in self.mirror.logs
        }
        async with self.client.pipeline(transaction=False) as pipe:
            for run_id in runs:
                pipe.xrevrange(self.key(run_id), count=1)
            tops = await pipe.execute()
        left = {}
        for (run_id, events), top in zip(runs.items(), tops, strict=True):
            written = int(_text(top[0][0]).split("-")[0]) if top else 0
            if rest := [event for event in events if event.id > written]:
                left[run_id] = rest
        return left

    def recovered(self) -> None:
        """Say once that Redis is written again, and how long it was not."""
        if self.outage is None:
            return
        outage, self.outage = self.outage, None
        logger.warning(
            "Redis is written again after %.1f s; held events written (%d run(s) dropped)",
            time.monotonic() - outage.since,
            outage.dropped,
        )

    async def write(self, batch: dict[str, list[RunEvent]]) -> None:
        """XADD each run's events with their own ids and push each stream's expiry past them."""
        async with self.client.pipeline(transaction=False) as pipe:
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
        if self.mirror.has_whole(run_id):
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
        if self.mirror.has_whole(run_id):
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
