"""How a request is refused before its stream starts: a status, a JSON detail, headers."""

from __future__ import annotations

from typing import Any

from telemetry.outages import (
    DATABASE_UNREACHABLE,
    count_database_error,
    count_redis_error,
    redis_unreachable,
)


class RequestRejected(Exception):
    """The request cannot start a run; carries the HTTP status and the JSON detail."""

    def __init__(
        self,
        status: int,
        detail: Any,
        headers: dict[str, str] | None = None,
        *,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        """Remember the status, the JSON detail and any extra response headers.

        `param` names the offending field and `code` says what is wrong with it, for the
        protocols whose errors carry them (OpenAI's); the others render `detail` alone.
        """
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        """The JSON body of the refusal: its `detail`, and its `code` when it has one."""
        return {"detail": self.detail, **({"code": self.code} if self.code else {})}


INTERNAL_ERROR = RequestRejected(500, "Internal server error; the server log has the details.")

DATABASE_UNAVAILABLE = RequestRejected(
    503,
    "The database is unavailable; try again shortly.",
    {"Retry-After": "5"},
    code="database_unavailable",
)


REDIS_UNAVAILABLE = RequestRejected(
    503,
    "Runs cannot be shared right now (Redis does not answer); try again shortly.",
    {"Retry-After": "5"},
    code="redis_unavailable",
)


def failure_of(exc: BaseException) -> RequestRejected:
    """What a request that failed unexpectedly answers (the caller logs `exc`).

    503 `database_unavailable` when the database cannot be reached or gave up on the
    statement, 503 `redis_unavailable` when Redis cannot be reached (a client should retry
    both), else 500.
    """
    if isinstance(exc, DATABASE_UNREACHABLE):
        count_database_error("request", exc)
        return DATABASE_UNAVAILABLE
    if redis_unreachable(exc):
        count_redis_error("request", exc)
        return REDIS_UNAVAILABLE
    return INTERNAL_ERROR
