"""A model-chosen query runs for a bounded time, whatever the database does with it.

On MongoDB every operation of a tool call runs under `pymongo.timeout` (client-side
operation timeout), which pymongo also sends to the server as `maxTimeMS`: a `$regex` that the
server's PCRE would backtrack on is stopped there after DB_QUERY_TIMEOUT_MS and the call fails
as a database error. SQLite needs no such bound for its regexes (they run on RE2, see
agents/tools/patterns.py), and its other work is bounded by the tools' limits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def query_time_bound() -> Iterator[None]:
    """Bound the database operations run inside to DB_QUERY_TIMEOUT_MS (MongoDB)."""
    if connection.vendor != "mongodb":
        yield
        return
    import pymongo

    with pymongo.timeout(settings.DB_QUERY_TIMEOUT_MS / 1000):
        yield
