"""The replay buffer of several servers: one Redis Stream per run (see runs/buffer.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as redis

from runs.buffer import IDLE_SECONDS, AppendRefused, EventByEvent, MemoryEventBuffer, until_terminal
from runs.events import RunEvent

logger = logging.getLogger(__name__)


class RedisEventBuffer(EventByEvent):
    """One Redis Stream per run, entry ids `<eventId>-0`, trimmed and expiring.

    The process that executes a run also keeps its events in memory: its own readers follow
    that copy (no Redis round trip per event), and its events go to Redis in batches: one
    writer task per process sends every run's new events in one pipeline, gathered for up
    to 20 ms (at once when a run ended), in order. Other processes read Redis.
    """

    MIRROR_SECONDS = 60.0
    """How long the executing process keeps a finished run's events in memory too."""
    WRITE_LINGER_SECONDS = 0.02
    """How long events gather before a batch goes to Redis (other processes see them so late)."""

    def __init__(self, client: redis.Redis, *, retain_seconds: int, max_events: int) -> None:
        """Use `client`; keep events `retain_seconds` after the last one, at most ~max_events."""
        self.client = client
        self.retain_seconds = retain_seconds
        self.max_events = max_events
        self.mirror = MemoryEventBuffer(retain_seconds=min(retain_seconds, self.MIRROR_SECONDS))
        self.pending: dict[str, list[RunEvent]] = {}
        self.in_flight: set[str] = set()
        self.written = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None

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
        """Write every run's queued events to Redis, one pipeline per batch, until none is left."""
        try:
            while self.pending:
                if not any(events[-1].terminal for events in self.pending.values()):
                    await asyncio.sleep(self.WRITE_LINGER_SECONDS)  # let a batch gather
                batch, self.pending = self.pending, {}
                self.in_flight = set(batch)
                try:
                    await self.write(batch)
                except redis.RedisError:
                    # Readers here still get them; readers elsewhere see the run end in a gap.
                    logger.exception("could not write the events of runs %s", sorted(batch))
                finally:
                    self.in_flight = set()
                    self.written.set()
                    self.written = asyncio.Event()
        finally:
            self.writer = None

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
        """Wait until the run's queued events are in Redis."""
        while self.writer is not None and (run_id in self.pending or run_id in self.in_flight):
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
