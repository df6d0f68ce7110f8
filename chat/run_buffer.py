"""A run's replay buffer: every event it streamed, read with one cursor for replay and live.

A reader asks for the events after an id and gets the stored ones, then the new ones as they
are appended, through the same cursor, so nothing falls between replay and live. Two
implementations share the interface: in this process's memory (one server) and one Redis
Stream per run (several servers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import redis.asyncio as redis

logger = logging.getLogger(__name__)

TERMINAL_EVENTS = frozenset({"done", "error"})
IDLE_SECONDS = 1.0
"""How long a reader waits for an event before yielding None (a tick for heartbeats)."""


class BufferedEvent(NamedTuple):
    """One event of a run, with its id (1, 2, 3, … within the run); immutable."""

    id: int
    event: str
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        """Whether the run ends with this event."""
        return self.event in TERMINAL_EVENTS


class EventBuffer(Protocol):
    """Where a run's events are kept for as long as they may be replayed."""

    async def append(self, run_id: str, event: BufferedEvent) -> None:
        """Store the run's next event and wake its readers."""

    def read(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[BufferedEvent | None]:
        """Yield the events after id `after`, then live ones, up to the terminal one.

        Yields None after each `idle` seconds without an event, so the reader can send
        heartbeats and check on the run; never ends before a terminal event (the caller
        decides when to give up).
        """

    def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[BufferedEvent] | None]:
        """Like `read`, but each item is every event already readable (at least one).

        A stream sends each batch as one body: events that arrive alone go alone, a burst
        goes together, nothing waits for company.
        """

    async def last_id(self, run_id: str) -> int | None:
        """Return the id of the run's last stored event; None when nothing is retained."""

    async def flush(self, run_id: str) -> None:
        """Return once every event appended so far is readable by every process."""


@dataclass
class _Log:
    events: list[BufferedEvent] = field(default_factory=list)
    waiters: list[asyncio.Future[bool]] = field(default_factory=list)
    """The futures of readers waiting for the next event (made only when one waits)."""
    expires_at: float | None = None

    def wake(self) -> None:
        """Wake every reader waiting for an event."""
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(True)

    async def changed(self, idle: float) -> bool:
        """Wait until `wake` is called (True) or `idle` seconds have passed (False)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self.waiters.append(waiter)
        # A bare timer: asyncio.timeout would add its own object and a reschedule per wait.
        timer = loop.call_later(idle, _time_out, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            woken = waiter.done() and not waiter.cancelled() and waiter.result()
            if not woken:  # timed out or cancelled: wake() did not take it off the list
                with contextlib.suppress(ValueError):
                    self.waiters.remove(waiter)


def _time_out(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


class EventByEvent:
    """`read` for a buffer that has `read_batches`: the same cursor, one event at a time."""

    def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[BufferedEvent] | None]:
        """Every event already readable as one list, or None after `idle` (subclasses)."""
        raise NotImplementedError

    async def read(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[BufferedEvent | None]:
        """Yield the events of `read_batches` one by one (None for an idle tick)."""
        async for batch in self.read_batches(run_id, after, idle=idle):
            for event in batch or (None,):
                yield event


class MemoryEventBuffer(EventByEvent):
    """The replay buffer of a single process (REDIS_URL unset)."""

    def __init__(self, *, retain_seconds: float) -> None:
        """Keep a finished run's events for `retain_seconds`."""
        self.retain_seconds = retain_seconds
        self.logs: dict[str, _Log] = {}
        self.expiries: deque[tuple[float, str]] = deque()
        """(expiry, run id) in the order runs ended: the retention is fixed, so also by expiry."""

    async def append(self, run_id: str, event: BufferedEvent) -> None:
        """Store the event; a terminal one starts the retention clock."""
        log = self.logs.get(run_id)
        if log is None:
            self.prune()
            log = self.logs[run_id] = _Log()
        log.events.append(event)
        if event.event in TERMINAL_EVENTS:
            log.expires_at = time.monotonic() + self.retain_seconds
            self.expiries.append((log.expires_at, run_id))
        if log.waiters:
            log.wake()

    async def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[BufferedEvent] | None]:
        """Yield every stored event not yet read as one list, then each new burst as it comes."""
        cursor = max(after, 0)
        while True:
            log = self.logs.get(run_id)
            if log is None:
                return
            batch = until_terminal(log.events[cursor:])
            if batch:
                cursor += len(batch)
                yield batch
                if batch[-1].terminal:
                    return
                continue
            if not await log.changed(idle):
                yield None

    async def last_id(self, run_id: str) -> int | None:
        """Return the last event's id, None for an unknown or expired run."""
        self.prune()
        log = self.logs.get(run_id)
        return log.events[-1].id if log and log.events else None

    async def flush(self, run_id: str) -> None:
        """Nothing to do: an appended event is readable at once."""

    def has_whole(self, run_id: str) -> bool:
        """Whether this buffer holds the run from its first event."""
        log = self.logs.get(run_id)
        return bool(log and log.events and log.events[0].id == 1)

    def prune(self) -> None:
        """Forget finished runs whose retention has passed."""
        now = time.monotonic()
        while self.expiries and self.expiries[0][0] < now:
            _, run_id = self.expiries.popleft()
            log = self.logs.get(run_id)
            if log is not None and log.expires_at is not None and log.expires_at < now:
                del self.logs[run_id]


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
        self.pending: dict[str, list[BufferedEvent]] = {}
        self.in_flight: set[str] = set()
        self.written = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None

    @staticmethod
    def key(run_id: str) -> str:
        """Return the run's stream key."""
        return f"orchestration:run:{run_id}:events"

    async def append(self, run_id: str, event: BufferedEvent) -> None:
        """Keep the event here and queue it for Redis (a run not started here: write now)."""
        if event.id != 1 and not self.mirror.has_whole(run_id):
            await self.write({run_id: [event]})
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

    async def write(self, batch: dict[str, list[BufferedEvent]]) -> None:
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
    ) -> AsyncIterator[list[BufferedEvent] | None]:
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


def until_terminal(events: list[BufferedEvent]) -> list[BufferedEvent]:
    """Return `events` up to and including the first terminal one."""
    for n, event in enumerate(events):
        if event.event in TERMINAL_EVENTS:
            return events[: n + 1]
    return events


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


def _decode(entry_id: str, fields: dict[Any, Any]) -> BufferedEvent:
    """Turn a stream entry back into the event it stored."""
    values = {_text(name): _text(value) for name, value in fields.items()}
    return BufferedEvent(int(entry_id.split("-")[0]), values["e"], json.loads(values["d"]))
