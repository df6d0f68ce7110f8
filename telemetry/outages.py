"""What an outage of the database or of Redis looks like from here, and counting it.

One definition for every layer: the HTTP edge answers 503 for these (edge/errors.py), a run
records its end later (runs/closing.py), the replay buffer holds its events (runs/redis_buffer.py).
"""

from __future__ import annotations

import logging
import sys
import time

from asgiref.sync import sync_to_async
from django.db import InterfaceError, OperationalError, close_old_connections

from telemetry.prometheus import DATABASE_ERRORS, REDIS_ERRORS

DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
"""What the ORM raises when the database cannot be reached (or gave up on a statement)."""


def redis_unreachable(exc: BaseException) -> bool:
    """Whether `exc` is Redis not answering (its client is only loaded with REDIS_URL set)."""
    errors = sys.modules.get("redis.exceptions")
    return errors is not None and isinstance(exc, (errors.ConnectionError, errors.TimeoutError))


def count_database_error(operation: str, exc: BaseException) -> None:
    """Count a failure of the database met while doing `operation` (and note its time)."""
    note_database_error(exc)
    DATABASE_ERRORS.labels(operation=operation, kind=type(exc).__name__).inc()


def count_redis_error(operation: str, exc: BaseException) -> None:
    """Count a failure of Redis met while doing `operation`."""
    REDIS_ERRORS.labels(operation=operation, kind=type(exc).__name__).inc()


_database_failed_at = 0.0
"""When (monotonic) this process last met the database unreachable (0: never)."""


def note_database_error(exc: BaseException) -> None:
    """Remember that the database failed just now, if `exc` is it being unreachable."""
    global _database_failed_at
    if isinstance(exc, DATABASE_UNREACHABLE):
        _database_failed_at = time.monotonic()


async def drop_broken_connection(exc: BaseException) -> None:
    """After `exc`, close this thread's database connection if it is broken (else nothing).

    Django closes a broken connection only where a request starts or ends; work outside a
    request (the heartbeat, the schedulers, recording a run late) would otherwise keep
    failing on the connection the outage broke, long after the database is back.
    """
    note_database_error(exc)
    if isinstance(exc, DATABASE_UNREACHABLE):
        await sync_to_async(close_old_connections)()


def database_failed_within(seconds: float) -> bool:
    """Whether this process met the database unreachable in the last `seconds`.

    While the database is away nobody can renew a lease: a lease that ran out then says
    nothing of its owner, who gets a whole lease after the outage to renew it.
    """
    return _database_failed_at > 0 and time.monotonic() - _database_failed_at < seconds


class Repeating:
    """The failures of work repeated on a timer, logged when they start and when they end.

    Not once per attempt: an outage of the database makes every poll fail, and the log
    says so twice (with the first error's traceback), whatever its length.
    """

    def __init__(self, logger: logging.Logger, what: str) -> None:
        """Log about `what` (e.g. "the cron scheduler") to `logger`."""
        self.logger = logger
        self.what = what
        self.failing = False

    async def failed(self, exc: BaseException) -> None:
        """One attempt failed with `exc`: counted, and logged if the previous one worked.

        The connection an outage broke is dropped: the next attempt reconnects.
        """
        await drop_broken_connection(exc)
        if isinstance(exc, DATABASE_UNREACHABLE):
            count_database_error(self.what, exc)
        elif redis_unreachable(exc):
            count_redis_error(self.what, exc)
        if not self.failing:
            self.logger.error("%s failed; retrying until it works", self.what, exc_info=exc)
        self.failing = True

    def worked(self) -> None:
        """One attempt worked: logged if the previous one failed."""
        if self.failing:
            self.logger.warning("%s works again", self.what)
        self.failing = False
