"""A run's replay buffer: every event it streamed, read with one cursor for replay and live.

A reader asks for the events after an id and gets the stored ones, then the new ones as they
are appended, through the same cursor, so nothing falls between replay and live. Two
implementations share the interface: in this process's memory (one server) and one Redis
Stream per run (several servers: runs/redis_buffer.py, imported only when REDIS_URL is
set, so that a single server never loads the Redis client).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import pickle
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from runs.events import TERMINAL_EVENTS, RunEvent

IDLE_SECONDS = 1.0
"""How long a reader waits for an event before yielding None (a tick for heartbeats)."""
COMPACT_AFTER_SECONDS = 5.0
"""A finished run's events are compacted this long after its end (its live readers are done
by then): a server keeps `RUN_REPLAY_SECONDS` of every run's events."""


class AppendRefused(Exception):
    """The buffer refused an event: the run's stream already has one with that id or later."""


class EventBuffer(Protocol):
    """Where a run's events are kept for as long as they may be replayed."""

    async def append(self, run_id: str, event: RunEvent) -> None:
        """Store the run's next event and wake its readers.

        Raises:
            AppendRefused: (Redis) the stream of a run executed elsewhere is already past it.
        """

    def read(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[RunEvent | None]:
        """Yield the events after id `after`, then live ones, up to the terminal one.

        Yields None after each `idle` seconds without an event, so the reader can send
        heartbeats and check on the run; never ends before a terminal event (the caller
        decides when to give up).
        """

    def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[RunEvent] | None]:
        """Like `read`, but each item is every event already readable (at least one).

        A stream sends each batch as one body: events that arrive alone go alone, a burst
        goes together, nothing waits for company.
        """

    async def last_id(self, run_id: str) -> int | None:
        """Return the id of the run's last stored event; None when nothing is retained."""

    async def flush(self, run_id: str) -> None:
        """Return once every event appended so far is readable by every process."""

    async def lost(self, run_id: str) -> str | None:
        """Why the run's events are gone before their time (an outage), or None."""

    async def adopt(self, run_id: str) -> list[RunEvent]:
        """Take over the events of a run whose executor moves here; return those stored."""


@dataclass
class RunLog:
    """One run's events in memory and the readers waiting for the next."""

    live: list[RunEvent] = field(default_factory=list)
    packed: bytes | None = None
    """A finished run's events once compacted (`compact`): one pickled bytes object, a fifth
    of the memory of the events' tuples and dicts while they wait to be replayed."""
    first_id: int = 0
    """The id of the first event held, once packed."""
    waiters: list[asyncio.Future[bool]] = field(default_factory=list)
    """The futures of readers waiting for the next event (made only when one waits)."""

    @property
    def events(self) -> list[RunEvent]:
        """The run's events, in order (unpacked again when compacted)."""
        return self.live if self.packed is None else pickle.loads(self.packed)

    @property
    def whole(self) -> bool:
        """Whether the log holds the run from its first event."""
        return (
            self.first_id == 1
            if self.packed is not None
            else bool(self.live) and self.live[0].id == 1
        )

    def compact(self) -> None:
        """Keep the finished run's events as one bytes object until they expire."""
        if self.packed is None and self.live and not self.waiters:
            self.first_id = self.live[0].id
            self.packed, self.live = pickle.dumps(self.live, pickle.HIGHEST_PROTOCOL), []

    def append(self, event: RunEvent) -> None:
        """Add the run's next event (a compacted log is unpacked first: it goes on)."""
        if self.packed is not None:
            self.live, self.packed = pickle.loads(self.packed), None
        self.live.append(event)

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
    ) -> AsyncIterator[list[RunEvent] | None]:
        """Every event already readable as one list, or None after `idle` (subclasses)."""
        raise NotImplementedError

    async def read(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[RunEvent | None]:
        """Yield the events of `read_batches` one by one (None for an idle tick)."""
        async for batch in self.read_batches(run_id, after, idle=idle):
            for event in batch or (None,):
                yield event


class MemoryEventBuffer(EventByEvent):
    """The replay buffer of a single process (REDIS_URL unset)."""

    def __init__(self, *, retain_seconds: float) -> None:
        """Keep a finished run's events for `retain_seconds`."""
        self.retain_seconds = retain_seconds
        self.logs: dict[str, RunLog] = {}
        self.expiries: deque[tuple[float, str]] = deque()
        """(expiry, run id) in the order runs ended: the retention is fixed, so also by expiry."""
        self.compactions: deque[tuple[float, str]] = deque()
        """(when to compact, run id), in the same order."""

    async def append(self, run_id: str, event: RunEvent) -> None:
        """Store the event; a terminal one starts the retention clock."""
        log = self.logs.get(run_id)
        if log is None:
            self.prune()
            log = self.logs[run_id] = RunLog()
        log.append(event)
        if event.event in TERMINAL_EVENTS:
            now = time.monotonic()
            log.expires_at = now + self.retain_seconds
            self.expiries.append((log.expires_at, run_id))
            self.compactions.append((now + COMPACT_AFTER_SECONDS, run_id))
        if log.waiters:
            log.wake()

    async def read_batches(
        self, run_id: str, after: int, *, idle: float = IDLE_SECONDS
    ) -> AsyncIterator[list[RunEvent] | None]:
        """Yield every stored event not yet read as one list, then each new burst as it comes.

        The cursor is an index in the run's list: past the events with ids up to `after`
        (a run taken over here starts at an id past its earlier attempts'). A run with no
        events here yet (its server restarted and has not taken it over yet) is waited for,
        with None on idle ticks, as a run with nothing new.
        """
        while (log := self.logs.get(run_id)) is None:
            await asyncio.sleep(idle)
            yield None
        cursor = bisect.bisect_right(log.events, after, key=event_id)
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
        events = log.events if (log := self.logs.get(run_id)) else []
        return events[-1].id if events else None

    async def flush(self, run_id: str) -> None:
        """Nothing to do: an appended event is readable at once."""

    async def adopt(self, run_id: str) -> list[RunEvent]:
        """Take over a run's events (its executor moves here); return those already stored."""
        log = self.logs.get(run_id)
        return list(log.events) if log else []

    async def lost(self, run_id: str) -> str | None:
        """None: this process's own memory has no outages."""
        return None

    def whole_runs(self) -> dict[str, list[RunEvent]]:
        """Every run held from its first event, with its events (as they are now)."""
        self.prune()
        return {run_id: list(log.events) for run_id, log in self.logs.items() if log.whole}

    def has_whole(self, run_id: str) -> bool:
        """Whether this buffer holds the run from its first event."""
        log = self.logs.get(run_id)
        return bool(log and log.whole)

    def prune(self) -> None:
        """Forget finished runs whose retention has passed; compact those ended a while ago."""
        now = time.monotonic()
        while self.expiries and self.expiries[0][0] < now:
            _, run_id = self.expiries.popleft()
            log = self.logs.get(run_id)
            if log is not None and log.expires_at is not None and log.expires_at < now:
                del self.logs[run_id]
        while self.compactions and self.compactions[0][0] < now:
            _, run_id = self.compactions.popleft()
            if (log := self.logs.get(run_id)) is not None:
                log.compact()


def event_id(event: RunEvent) -> int:
    """An event's id (the buffers' sort key)."""
    return event.id


def until_terminal(events: list[RunEvent]) -> list[RunEvent]:
    """Return `events` up to and including the first terminal one."""
    for n, event in enumerate(events):
        if event.event in TERMINAL_EVENTS:
            return events[: n + 1]
    return events
