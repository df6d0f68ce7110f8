"""Daphne's access log through Python logging: one format for every line (LOG_FORMAT).

Daphne writes its access lines to stdout in NCSA form, beside our JSON (or text) lines on
stderr. `LoggingAccessLog` takes its place (orchestration_site/server.py installs it): each
request is one record of the `access` logger, with its client, method, path, status and size
as fields, formatted like every other record.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from daphne.access import AccessLogGenerator

logger = logging.getLogger("access")


class LoggingAccessLog(AccessLogGenerator):
    """Daphne's action logger, writing records instead of NCSA lines (the stream is unused)."""

    def __init__(self, stream: Any = None) -> None:
        """Daphne passes the stream it would have written to; records go to logging instead."""
        super().__init__(stream)

    def write_entry(
        self,
        host: str,
        date: datetime,
        request: str,
        status: int | None = None,
        length: int | None = None,
        ident: str | None = None,
        user: str | None = None,
    ) -> None:
        """Log one request (or WebSocket step) with its fields."""
        method, _, path = request.partition(" ")
        logger.info(
            "%s %s",
            request,
            status if status is not None else "-",
            extra={
                "event": "access",
                "client": host,
                "method": method,
                "path": path,
                "status": status,
                "bytes": length,
            },
        )
