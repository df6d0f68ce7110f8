"""What an outage of the database or of Redis looks like from here, and counting it.

One definition for every layer: the HTTP edge answers 503 for these (edge/errors.py), a run
records its end later (runs/closing.py), the replay buffer holds its events (runs/redis_buffer.py).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError

from telemetry.prometheus import DATABASE_ERRORS, REDIS_ERRORS

DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
"""What the ORM raises when the database cannot be reached (or gave up on a statement)."""


def redis_unreachable(exc: BaseException) -> bool:
    """Whether `exc` is Redis not answering (its client is only loaded with REDIS_URL set)."""
    errors = sys.modules.get("redis.exceptions")
    return errors is not None and isinstance(exc, (errors.ConnectionError, errors.TimeoutError))


def count_database_error(operation: str, exc: BaseException) -> None:
    """Count a failure of the database met while doing `operation`."""
    DATABASE_ERRORS.labels(operation=operation, kind=type(exc).__name__).inc()


def count_redis_error(operation: str, exc: BaseException) -> None:
    """Count a failure of Redis met while doing `operation`."""
    REDIS_ERRORS.labels(operation=operation, kind=type(exc).__name__).inc()
