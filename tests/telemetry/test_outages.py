"""What an outage looks like from here: a note of when, and repeated work logged twice."""

from __future__ import annotations

import logging

from django.db import OperationalError

from telemetry import outages
from telemetry.outages import Repeating, database_failed_within, note_database_error


def test_a_database_error_is_remembered_for_a_lease_and_other_errors_are_not(monkeypatch):
    monkeypatch.setattr(outages, "_database_failed_at", 0.0)
    note_database_error(ValueError("not the database"))
    assert not database_failed_within(60)
    note_database_error(OperationalError("connection refused"))
    assert database_failed_within(60) and not database_failed_within(0)


async def test_repeated_failures_are_logged_when_they_start_and_when_they_end(caplog):
    attempts = Repeating(logging.getLogger("tests.outages"), "the poller")
    with caplog.at_level(logging.WARNING, logger="tests.outages"):
        for _ in range(5):
            await attempts.failed(ValueError("a bug, say"))
        attempts.worked()
        attempts.worked()
    said = [record.getMessage() for record in caplog.records]
    assert said == ["the poller failed; retrying until it works", "the poller works again"]
