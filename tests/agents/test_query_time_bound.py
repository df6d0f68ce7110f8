"""A DB tool's queries run under a time bound: MongoDB's maxTimeMS, PostgreSQL's timeout."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from pymongo import _csot

from agents.tools.time_bound import query_time_bound


def test_on_mongodb_a_tool_calls_operations_run_under_db_query_timeout_ms(monkeypatch, settings):
    settings.DB_QUERY_TIMEOUT_MS = 2500
    monkeypatch.setattr(connection, "vendor", "mongodb")
    assert _csot.get_timeout() is None
    with query_time_bound():
        assert _csot.get_timeout() == 2.5
    assert _csot.get_timeout() is None


@pytest.mark.django_db
def test_on_this_sql_backend_a_tool_call_is_bounded_as_it_needs(settings):
    """PostgreSQL cancels a statement past DB_QUERY_TIMEOUT_MS; SQLite needs no bound (RE2).

    `make test` runs the suite on both, so each branch runs in one of its passes.
    """
    if connection.vendor == "sqlite":
        with query_time_bound():
            assert _csot.get_timeout() is None
        return
    settings.DB_QUERY_TIMEOUT_MS = 200
    with pytest.raises(OperationalError, match="statement timeout"):
        with query_time_bound(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
    with connection.cursor() as cursor:  # the bound ended with the tool call's transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "200ms"
