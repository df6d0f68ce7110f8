"""Structured logs: JSON lines (or text) carrying the request, run, session and user ids.

The ids travel in a context variable set by the HTTP middleware (request id) and by each
run's observer (run, session, user), so every record logged while serving them carries them.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = ("request_id", "run_id", "session_id", "user_id")
_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039 - never mutated
# Attributes every LogRecord has; anything else passed through `extra=` is a field of ours.
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", *CONTEXT_FIELDS}


@contextlib.contextmanager
def log_context(**ids: str) -> Iterator[None]:
    """Add ids to every record logged inside the block (and in the tasks it starts)."""
    token = _context.set({**_context.get(), **{k: v for k, v in ids.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def current_ids() -> dict[str, str]:
    """Return the ids of the current request and run."""
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Copy the current ids onto each record (a filter, so it runs in the logging thread)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the ids; never drop a record."""
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """Return the ids and `extra=` fields of a record."""
    fields = {name: getattr(record, name) for name in CONTEXT_FIELDS if hasattr(record, name)}
    fields.update((k, v) for k, v in record.__dict__.items() if k not in _RESERVED)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as one line of JSON."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **record_fields(record),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """Human-readable lines for development: the message, then `key=value` fields."""

    def __init__(self) -> None:
        """Use the project's plain line format."""
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        """Append the record's ids and fields to the plain line."""
        fields = " ".join(
            f"{k}={json.dumps(v, default=str)}" for k, v in record_fields(record).items()
        )
        line = super().formatMessage(record)
        return f"{line} {fields}" if fields else line
