"""A DB tool's queries run under a time bound on MongoDB (pymongo's timeout → maxTimeMS)."""

from __future__ import annotations

from django.db import connection
from pymongo import _csot

from agents.tools.time_bound import query_time_bound


def test_on_mongodb_a_tool_calls_operations_run_under_db_query_timeout_ms(monkeypatch, settings):
    settings.DB_QUERY_TIMEOUT_MS = 2500
    monkeypatch.setattr(connection, "vendor", "mongodb")
    assert _csot.get_timeout() is None
    with query_time_bound():
        assert _csot.get_timeout() == 2.5
    assert _csot.get_timeout() is None


def test_on_sqlite_nothing_is_added(settings):
    assert connection.vendor == "sqlite"
    with query_time_bound():
        assert _csot.get_timeout() is None
