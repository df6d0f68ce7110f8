"""A model-chosen query runs for a bounded time, whatever the database does with it.

On MongoDB every operation of a tool call runs under `pymongo.timeout` (client-side
operation timeout), which pymongo also sends to the server as `maxTimeMS`: a `$regex` that the
server's PCRE would backtrack on is stopped there after DB_QUERY_TIMEOUT_MS and the call fails
as a database error. On PostgreSQL the tool call runs in a transaction whose
`statement_timeout` is DB_QUERY_TIMEOUT_MS (every other statement has the connection's
DB_STATEMENT_TIMEOUT_MS): the server cancels a query past it, and the call fails the same way.
SQLite needs no such bound for its regexes (they run on RE2, see agents/tools/patterns.py),
and its other work is bounded by the tools' limits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction


@contextlib.contextmanager
def query_time_bound() -> Iterator[None]:
    """Bound the database operations run inside to DB_QUERY_TIMEOUT_MS (MongoDB, PostgreSQL)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # set_config(..., true) is SET LOCAL: it ends with this transaction.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(settings.DB_QUERY_TIMEOUT_MS)],
            )
            yield
        return
    if connection.vendor != "mongodb":
        yield
        return
    import pymongo

    with pymongo.timeout(settings.DB_QUERY_TIMEOUT_MS / 1000):
        yield
