"""Executing runs: the run owns the graph's task, its events go to the replay buffer.

One `RunRuntime` per process holds the replay buffer, the signals, the runs this process
executes (heartbeating their lease) and the live streams (ended on shutdown). Connections
only read a run's events; they never own it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.conf import settings

from runs.buffer import AppendRefused, EventBuffer, MemoryEventBuffer
from runs.events import EventType, RunEvent
from runs.leases import Fenced, Lease, hand_over, reserve_event_ids
from runs.leases import renew as renew_leases
from runs.models import EVENT_ID_BLOCK, Run
from runs.pipeline import ChatRun
from runs.requests import RunRequest, request_json
from runs.signals import LocalSignals
from runs.store import admit_run, delete_run, request_cancel, session_holder, take_session
from telemetry.outages import Repeating
from telemetry.rollups import flush_rollups

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stop:
    """Why a run is being stopped: the status it is recorded with and its `error` event."""

    status: str
    code: str
    message: str


STOPS = {
    "cancelled": Stop("cancelled", "cancelled", "The run was cancelled."),
    "interrupted": Stop("interrupted", "interrupted", "A newer run of the session interrupted it."),
    "disconnected": Stop("cancelled", "cancelled", "the client disconnected"),
    "timeout": Stop("error", "run_timeout", "The run took longer than RUN_MAX_SECONDS."),
    "handover": Stop("", "server_shutdown", "The server is stopping: another one goes on."),
    "fenced": Stop("", "", "Another process took the run over."),
}
"""Why a run stops. The last two leave it to another attempt: nothing is recorded or sent."""


class RunConflict(Exception):
    """The session has an active run and the request asked to be rejected then."""

    def __init__(self, active_run_id: str) -> None:
        """Remember the run that holds the session."""
        super().__init__(active_run_id)
        self.active_run_id = active_run_id


class ShuttingDown(Exception):
    """The process is shutting down and accepts no new run."""


class RunExecutor:
    """One run in this process: waits for its session, runs the pipeline, buffers events."""

    def __init__(
        self, runtime: RunRuntime, run: Run, chat: ChatRun, *, lease: Lease, first_event_id: int = 1
    ) -> None:
        """Execute `run` with `chat` (the request's pipeline) under `lease` (its attempt).

        The attempt's events take ids from `first_event_id` (a later attempt's start past
        every id an earlier one may have used).
        """
        self.runtime = runtime
        self.run = run
        self.chat = chat
        self.lease = chat.record.lease = lease
        chat.record.run_id = chat.observer.run_id = run.pk
        self.last_id = first_event_id - 1
        self.reserved = run.event_ids_to
        """The last event id this attempt may use before it reserves more."""
        self.holds_session = False
        self.stopping: Stop | None = None
        self.ended = False
        """Whether the terminal event is out: from then on the run cannot be stopped."""
        self.task: asyncio.Task[None] | None = None

    async def emit(self, event: EventType, data: dict[str, Any]) -> None:
        """Append the run's next event (ids 1, 2, 3, …) to the replay buffer.

        Ids are reserved in the run's row a block at a time (one write per EVENT_ID_BLOCK
        events). Nothing is appended once the attempt lost its lease.

        Raises:
            Fenced: another process took the run over.
        """
        if self.lease.lost:
            raise Fenced(self.run.pk)
        if self.last_id >= self.reserved:
            await reserve_event_ids(self.lease, self.last_id + EVENT_ID_BLOCK)
            self.reserved = self.last_id + EVENT_ID_BLOCK
        self.last_id += 1
        self.chat.record.events_sent = self.last_id
        buffered = RunEvent(self.last_id, event, data)
        self.ended = buffered.terminal
        await self.runtime.buffer.append(self.run.pk, buffered)

    def stop(self, stop: Stop) -> None:
        """Cancel the run's task, to be recorded as `stop` says (the first stop wins).

        A hand-over or a lost lease records nothing: the run goes on in another attempt.
        """
        if self.stopping is not None or self.ended or self.task is None or self.task.done():
            return
        self.stopping = stop
        if not stop.status:
            self.chat.recorded = True
        self.chat.stop_status, self.chat.stop_reason = stop.status, stop.message
        self.task.cancel()

    async def main(self) -> None:
        """Wait for the session, stream the pipeline into the buffer, record the outcome."""
        try:
            await self.wait_turn()
            limit = asyncio.get_running_loop().call_later(
                settings.RUN_MAX_SECONDS, self.stop, STOPS["timeout"]
            )
            try:
                async for event, data in self.chat.events():
                    await self.emit(event, data)
            finally:
                limit.cancel()
        except asyncio.CancelledError:
            stop = self.stopping or STOPS["cancelled"]
            if stop.status:  # not handed over, not taken over: this attempt ends the run
                await self.chat.record_failure(stop.status, stop.message)
                await self.emit(EventType.ERROR, {"code": stop.code, "message": stop.message})
        except Fenced:
            self.chat.recorded = True  # another attempt records the run
        finally:
            await self.conclude()

    async def wait_turn(self) -> None:
        """Take the session, waiting (queued) while another run holds it."""
        session_id = self.run.session_id
        while not self.holds_session:
            self.holds_session = await take_session(session_id, self.run)
            if self.holds_session or await session_holder(session_id) is None:
                continue
            await self.runtime.signals.wait_for_session(session_id, settings.RUN_HEARTBEAT_SECONDS)

    async def conclude(self) -> None:
        """Forget the run here, get its events to every reader, wake the runs queued after it."""
        self.runtime.executors.pop(self.run.pk, None)
        try:
            await self.runtime.buffer.flush(self.run.pk)
            await self.runtime.signals.session_freed(self.run.session_id)
            await self.chat.finish()
        except Exception:
            logger.exception("after-work of run %s failed", self.run.pk)


class RunRuntime:
    """This process's runs, replay buffer, signals and live streams."""

    def __init__(self, buffer: EventBuffer, *, redis_client: Redis | None = None) -> None:
        """Use `buffer`; with `redis_client`, signals cross processes through Redis."""
        self.buffer = buffer
        self.signals: LocalSignals = LocalSignals(self.on_cancel)
        if redis_client is not None:
            from runs.redis_buffer import RedisEventBuffer
            from runs.redis_signals import RedisSignals

            recheck = buffer.recheck if isinstance(buffer, RedisEventBuffer) else None
            self.signals = RedisSignals(self.on_cancel, redis_client, on_reconnect=recheck)
        self.executors: dict[str, RunExecutor] = {}
        self.streams: set[asyncio.Task[Any]] = set()
        self.shutting_down = False
        self.ending_streams = False
        """Set when shutdown ends the live streams (each ends with `error` server_shutdown)."""
        self.heartbeat_task: asyncio.Task[None] | None = None
        self.rollup_task: asyncio.Task[None] | None = None
        self.workers: list[asyncio.Task[None]] = []
        """The server's background work (`start_workers`): webhook deliveries, crons."""

    async def start(self) -> None:
        """Listen for signals, heartbeat, add ended runs to the rollups.

        Only a server takes over the runs of dead or stopped processes (runs/recovery.py,
        started with its workers).
        """
        await self.signals.start()
        self.heartbeat_task = asyncio.create_task(self.heartbeat())
        self.rollup_task = asyncio.create_task(self.flush_rollups())

    def start_workers(self, *workers: Callable[[], Awaitable[None]]) -> None:
        """Run a server's background work in this runtime's loop until shutdown.

        Only servers start them (runs/shutdown.py): a command's short-lived runtime must not
        take deliveries or firings it would leave half-done when it exits.
        """
        self.workers += [asyncio.create_task(work()) for work in workers]

    async def admit(
        self, request: RunRequest, chat: ChatRun, *, check_connections: bool = False
    ) -> RunExecutor:
        """Open the session, store the run, apply the multitask strategy, and start it.

        A run that starts at once opens its turn in the same trip; `check_connections`
        replaces broken or expired database connections first (see `admit_run`).

        Raises:
            SessionForbidden: the session belongs to another user.
            RunConflict: `reject` while another run holds the session.
            ShuttingDown: the process is stopping.
        """
        if self.shutting_down:
            raise ShuttingDown()
        admission = await admit_run(
            request.session_id,
            user_id=request.user_id,
            on_disconnect=request.on_disconnect,
            webhook=request.webhook,
            run_id=request.run_id,
            prompt=None if request.resume is not None else request.prompt,  # a resume has none
            request=request_json(request),
            check_connections=check_connections,
        )
        run, holder = admission.run, admission.holder
        chat.record.session = admission.session
        chat.new_thread = admission.fresh_session
        if admission.turn is not None:
            chat.opened(admission.turn)
        executor = RunExecutor(self, run, chat, lease=Lease(run.pk, run.attempt))
        executor.holds_session = run.status == Run.Status.RUNNING
        if holder is not None and request.multitask_strategy == "reject":
            await delete_run(run.pk)
            raise RunConflict(holder.pk)
        if holder is not None and request.multitask_strategy == "interrupt":
            await self.cancel(holder.pk, "interrupted")
        status = "running" if executor.holds_session else "queued"
        started = {"runId": run.pk, "sessionId": run.session_id, "status": status}
        await executor.emit(EventType.RUN, started)
        self.executors[run.pk] = executor
        executor.task = asyncio.create_task(executor.main())
        return executor

    async def take_over(self, executor: RunExecutor, resumed: dict[str, Any]) -> None:
        """Execute a run taken over from another attempt: `resumed` first, then the rest."""
        self.executors[executor.run.pk] = executor
        await executor.emit(EventType.RESUMED, resumed)
        executor.task = asyncio.create_task(executor.main())

    async def cancel(self, run_id: str, status: str) -> Run | None:
        """Flag the run in the database and wake its owner, wherever it runs."""
        run = await request_cancel(run_id, status)
        if run is not None and not run.finished:
            await self.signals.cancel(run_id, status)
        return run

    def on_cancel(self, run_id: str, status: str) -> None:
        """Stop a run of this process (signals call this; other runs are ignored)."""
        executor = self.executors.get(run_id)
        if executor is not None:
            executor.stop(STOPS.get(status, STOPS["cancelled"]))

    async def end_abandoned(self, run: Run, code: str, message: str) -> None:
        """End the buffered stream of a run recorded ended here with `error`, for its readers."""
        last = await self.buffer.last_id(run.pk)
        if last is None:
            return
        event = RunEvent(last + 1, EventType.ERROR, {"code": code, "message": message})
        with contextlib.suppress(AppendRefused):  # its owner ended it after all
            await self.buffer.append(run.pk, event)

    async def heartbeat(self) -> None:
        """Renew the lease on this process's runs; act on cancels that signals missed.

        A failing heartbeat (the database away) is logged when it starts failing and when it
        works again, not at every beat.
        """
        attempts = Repeating(logger, "the run heartbeat")
        while True:
            await asyncio.sleep(settings.RUN_HEARTBEAT_SECONDS)
            try:
                asked, lost = await renew_leases(list(self.executors))
            except Exception as exc:
                await attempts.failed(exc)
                continue
            attempts.worked()
            for run_id, status in asked.items():
                self.on_cancel(run_id, status)
            for run_id in lost:
                self.lose(run_id)

    def lose(self, run_id: str) -> None:
        """Stop a run another process took over: this attempt writes nothing more of it."""
        executor = self.executors.get(run_id)
        if executor is None:
            return
        with contextlib.suppress(Fenced):
            executor.lease.fence()
        executor.stop(STOPS["fenced"])

    async def hand_over(self, executors: list[RunExecutor]) -> None:
        """Release the leases of the runs this process stops executing, for another to resume."""
        if not executors:
            return
        try:
            handed = await hand_over([(e.lease, e.last_id) for e in executors])
        except Exception:  # their leases run out instead: they are taken over all the same
            logger.exception("handing %d run(s) over failed", len(executors))
            return
        for run_id in handed:
            logger.warning(
                "run %s handed over: this server is stopping; another resumes it from its "
                "last checkpoint",
                run_id,
            )

    async def flush_rollups(self) -> None:
        """Add the runs this process ended to the rollups every ROLLUP_FLUSH_SECONDS."""
        attempts = Repeating(logger, "adding runs to the rollups")
        while True:
            await asyncio.sleep(settings.ROLLUP_FLUSH_SECONDS)
            try:
                await sync_to_async(flush_rollups)()
            except Exception as exc:  # the sums stay pending for the next flush
                await attempts.failed(exc)
            else:
                attempts.worked()

    async def shutdown(self, grace: float) -> None:
        """Hand this process's runs over and end its live streams, within `grace` seconds.

        Each run stops where it is: LangGraph writes its last checkpoint as its task ends,
        then its lease is released, and another live process (or this server when it starts
        again) resumes it from there. Streams get up to a second to end with their run; the
        rest are cancelled, which ends each with `error` server_shutdown without an id (a
        client resumes elsewhere), and are waited for until the grace runs out (at least a
        second more: on a loaded machine their last writes take time, and a stream cut
        before them loses its terminal event).
        """
        deadline = time.monotonic() + grace
        self.shutting_down = True
        executors = list(self.executors.values())
        for executor in executors:
            executor.stop(STOPS["handover"])
        tasks = [e.task for e in executors if e.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=grace)
        await self.hand_over([e for e in executors if not e.ended])
        streams = list(self.streams)
        if streams:
            _, pending = await asyncio.wait(streams, timeout=min(grace, 1.0))
            self.ending_streams = True
            for stream in pending:
                stream.cancel()
            if pending:
                await asyncio.wait(pending, timeout=max(1.0, deadline - time.monotonic()))
        await self.signals.stop()
        for worker in self.workers:
            worker.cancel()  # a delivery or firing cut here is taken again when its claim ends
        try:
            await sync_to_async(flush_rollups)()
        except Exception:
            logger.exception("adding the last runs to the rollups failed")


_runtime: RunRuntime | None = None
_starting: asyncio.Lock | None = None
_loop: asyncio.AbstractEventLoop | None = None
"""The event loop `_runtime` was started in (a command may run several loops in turn)."""


def build_runtime() -> RunRuntime:
    """Build the runtime the settings ask for: in memory, or shared through Redis.

    The Redis client and its modules are imported only here, when REDIS_URL is set: a
    single server never loads them (about 5 MiB).
    """
    if not settings.REDIS_URL:
        return RunRuntime(MemoryEventBuffer(retain_seconds=settings.RUN_REPLAY_SECONDS))
    from redis.asyncio import Redis as RedisClient
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    from runs.redis_buffer import RedisEventBuffer

    # Once more on a fresh connection when a pooled one was cut (Redis restarted): not on a
    # timeout, which would double the wait for a Redis that hangs.
    once = Retry(NoBackoff(), 1, (RedisConnectionError,))
    client = RedisClient.from_url(settings.REDIS_URL, **settings.REDIS_TIMEOUTS, retry=once)
    buffer = RedisEventBuffer(
        client,
        retain_seconds=settings.RUN_REPLAY_SECONDS,
        max_events=settings.RUN_BUFFER_MAX_EVENTS,
        hold_events=settings.RUN_OUTAGE_HOLD_EVENTS,
    )
    return RunRuntime(buffer, redis_client=client)


async def get_runtime() -> RunRuntime:
    """Return this process's runtime, starting it on first use in the running event loop.

    A server has one loop. A command or a test that runs loops one after another gets a
    runtime per loop: the previous one's tasks died with its loop.
    """
    global _runtime, _starting, _loop
    loop = asyncio.get_running_loop()
    if _runtime is not None and _loop is loop:
        return _runtime
    if _loop is not loop:
        _runtime, _starting, _loop = None, asyncio.Lock(), loop
    assert _starting is not None
    async with _starting:
        if _runtime is None:
            runtime = build_runtime()
            await runtime.start()
            _runtime = runtime
    return _runtime


def current_runtime() -> RunRuntime | None:
    """Return the runtime if this process started one."""
    return _runtime
