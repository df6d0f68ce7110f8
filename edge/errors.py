"""How a request is refused before its stream starts: a status, a JSON detail, headers."""

from __future__ import annotations

from typing import Any


class RequestRejected(Exception):
    """The request cannot start a run; carries the HTTP status and the JSON detail."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        """Remember the status, the JSON detail and any extra response headers."""
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


INTERNAL_ERROR = RequestRejected(500, "Internal server error; the server log has the details.")
