"""Signals between the processes that execute runs: cancel a run, a session became free.

Signals are wake-ups, not state: the state they announce is in the database first (the run's
`cancelRequested`, the session's `activeRunId`), and the owner's heartbeat and the queued
runs' polling find it even when a wake-up is lost. Without Redis they stay in this process;
with Redis they also go out on one pub/sub channel that every process listens to
(runs/redis_signals.py, imported only when REDIS_URL is set).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

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
