"""Runs whose end could not be recorded because the database was away: recorded when it is back.

The process that executed such a run keeps trying (0.5 s, doubling up to 5 s) until the
database answers, so that no run stays `running` once it is back, and its record says why it
ended. If the database is away longer than the run's lease (RUN_LEASE_SECONDS), or this
process stops first, the lease recovery may record it first: interrupted, its owner lost
(runs/store.py); either way it is not left running.
"""

from __future__ import annotations

import asyncio
import logging

from runs.records import RunResults, store_failure
from telemetry.outages import DATABASE_UNREACHABLE, drop_broken_connection

logger = logging.getLogger(__name__)

RETRY_SECONDS = (0.5, 5.0)
closing: set[asyncio.Task[None]] = set()
"""The closes still waiting for the database (kept referenced until done)."""


def close_later(record: RunResults, status: str, error: str) -> None:
    """Record the run as `status` with `error` once the database answers again."""
    task = asyncio.get_running_loop().create_task(close(record, status, error))
    closing.add(task)
    task.add_done_callback(closing.discard)


async def close(record: RunResults, status: str, error: str) -> None:
    """Try to record the run's end until the database takes it."""
    wait = RETRY_SECONDS[0]
    while True:
        await asyncio.sleep(wait)
        try:
            await store_failure(record, status, error)
        except DATABASE_UNREACHABLE as exc:
            await drop_broken_connection(exc)
            wait = min(2 * wait, RETRY_SECONDS[1])
            continue
        except Exception:
            logger.exception("could not record the %s run %s", status, record.run_id)
            return
        logger.warning("run %s recorded %s once the database answered", record.run_id, status)
        return
