"""What a request that failed unexpectedly answers: 503 for what is away, 500 for a bug."""

from __future__ import annotations

import pytest
import redis.exceptions
from django.db import InterfaceError, OperationalError

from edge.errors import failure_of


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (OperationalError("connection refused"), 503, "database_unavailable"),
        (InterfaceError("connection already closed"), 503, "database_unavailable"),
        (redis.exceptions.ConnectionError("refused"), 503, "redis_unavailable"),
        (redis.exceptions.TimeoutError("timed out"), 503, "redis_unavailable"),
        (redis.exceptions.ResponseError("WRONGTYPE"), 500, None),
        (RuntimeError("a bug"), 500, None),
    ],
)
def test_a_failure_is_answered_by_what_failed(exc, status, code):
    refusal = failure_of(exc)
    assert (refusal.status, refusal.code) == (status, code)
    assert refusal.headers == ({"Retry-After": "5"} if status == 503 else {})
