"""Signals between the processes that execute runs: cancel a run, a session became free.

Signals are wake-ups, not state: the state they announce is in the database first (the run's
`cancelRequested`, the session's `activeRunId`), and the owner's heartbeat and the queued
runs' polling find it even when a wake-up is lost. Without Redis they stay in this process;
with Redis they also go out on one pub/sub channel that every process listens to.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

import redis.asyncio as redis

logger = logging.getLogger(__name__)

CHANNEL = "orchestration:runs:signals"
CancelHandler = Callable[[str, str], None]


class LocalSignals:
    """Signals within one process."""

    def __init__(self, on_cancel: CancelHandler) -> None:
        """Call `on_cancel(run_id, status)` when a cancel reaches this process."""
        self.on_cancel = on_cancel
        self.session_waiters: dict[str, asyncio.Event] = {}

    async def start(self) -> None:
        """Begin receiving signals (nothing to do in one process)."""

    async def stop(self) -> None:
        """Stop receiving signals."""

    async def cancel(self, run_id: str, status: str) -> None:
        """Ask the run's owner to stop it with `status`."""
        self.on_cancel(run_id, status)

    async def session_freed(self, session_id: str) -> None:
        """Wake the runs queued on this session."""
        self.wake(session_id)

    async def wait_for_session(self, session_id: str, timeout: float) -> None:
        """Return when the session is announced free, or after `timeout` seconds."""
        waiter = self.session_waiters.setdefault(session_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout)

    def wake(self, session_id: str) -> None:
        """Release everything waiting for `session_id`."""
        waiter = self.session_waiters.pop(session_id, None)
        if waiter is not None:
            waiter.set()


class RedisSignals(LocalSignals):
    """Signals that also reach every other process through Redis pub/sub."""

    def __init__(self, on_cancel: CancelHandler, client: redis.Redis) -> None:
        """Publish and listen with `client`."""
        super().__init__(on_cancel)
        self.client = client
        self.listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    async def start(self) -> None:
        """Subscribe (and stay subscribed) to the signal channel."""
        self.listener = asyncio.create_task(self.listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), 5)

    async def stop(self) -> None:
        """Unsubscribe."""
        if self.listener is not None:
            self.listener.cancel()

    async def cancel(self, run_id: str, status: str) -> None:
        """Stop the run here if it runs here, and tell the other processes."""
        await super().cancel(run_id, status)
        await self.publish({"cancel": run_id, "status": status})

    async def session_freed(self, session_id: str) -> None:
        """Wake the runs queued on this session in every process."""
        await super().session_freed(session_id)
        await self.publish({"session": session_id})

    async def publish(self, message: dict[str, str]) -> None:
        """Send one signal; a lost one is found later by polling, so failures only log."""
        try:
            await self.client.publish(CHANNEL, json.dumps(message))
        except redis.RedisError:
            logger.warning("could not publish run signal %s", message, exc_info=True)

    async def listen(self) -> None:
        """Dispatch every signal of the channel, resubscribing after a lost connection."""
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.dispatch(json.loads(message["data"]))
            except redis.RedisError:
                logger.warning("run signal subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(1)

    def dispatch(self, message: dict[str, str]) -> None:
        """Act on one received signal."""
        if "cancel" in message:
            self.on_cancel(message["cancel"], message.get("status", "cancelled"))
        elif "session" in message:
            self.wake(message["session"])
