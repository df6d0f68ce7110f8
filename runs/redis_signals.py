"""Run signals between processes: Redis pub/sub (see runs/signals.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

import redis.asyncio as redis

from runs.signals import CHANNEL, CancelHandler, LocalSignals

logger = logging.getLogger(__name__)


class RedisSignals(LocalSignals):
    """Signals that also reach every other process through Redis pub/sub."""

    def __init__(
        self,
        on_cancel: CancelHandler,
        client: redis.Redis,
        on_reconnect: Callable[[], None] | None = None,
    ) -> None:
        """Publish and listen with `client`; call `on_reconnect` when subscribed after an outage."""
        super().__init__(on_cancel)
        self.client = client
        self.on_reconnect = on_reconnect
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
        lost = False
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.subscribed.set()
                    if lost:
                        logger.warning("run signals subscribed again")
                        lost = False
                        if self.on_reconnect is not None:
                            self.on_reconnect()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.dispatch(json.loads(message["data"]))
            except redis.RedisError:
                if not lost:  # once per outage, not at every attempt
                    logger.warning("run signal subscription lost; resubscribing", exc_info=True)
                lost = True
                await asyncio.sleep(1)

    def dispatch(self, message: dict[str, str]) -> None:
        """Act on one received signal."""
        if "cancel" in message:
            self.on_cancel(message["cancel"], message.get("status", "cancelled"))
        elif "session" in message:
            self.wake(message["session"])
