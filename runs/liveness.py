"""Noticing, while a reader idles, that its run ended without a terminal event to read."""

from __future__ import annotations

import time

from django.conf import settings

from runs.executor import RunRuntime
from runs.store import get_run
from telemetry.outages import DATABASE_UNREACHABLE, count_database_error, drop_broken_connection


class Liveness:
    """Notice, while a stream idles, that its run ended without a terminal event to read."""

    def __init__(self, runtime: RunRuntime, run_id: str) -> None:
        """Check `run_id` about twice per lease."""
        self.runtime = runtime
        self.run_id = run_id
        self.next_check = time.monotonic() + settings.RUN_LEASE_SECONDS / 2
        self.ended_checks = 0

    async def run_is_gone(self) -> bool:
        """Return True once the run has been over for two checks (its terminal event lost)."""
        if self.run_id in self.runtime.executors or time.monotonic() < self.next_check:
            return False
        self.next_check = time.monotonic() + settings.RUN_LEASE_SECONDS / 2
        try:
            run = await get_run(self.run_id)
        except DATABASE_UNREACHABLE as exc:  # cannot tell: the stream goes on meanwhile
            count_database_error("liveness", exc)
            await drop_broken_connection(exc)
            return False
        self.ended_checks = self.ended_checks + 1 if run is None or run.finished else 0
        return self.ended_checks >= 2
