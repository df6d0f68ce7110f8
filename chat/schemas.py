"""JSON shapes of the chat API, as in the original README."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class SessionOut(Schema):
    """A session's metadata and long-term summary."""

    sessionId: str
    userId: str
    summary: str
    messageCount: int
    createdAt: datetime
    updatedAt: datetime


class MessageOut(Schema):
    """One stored turn."""

    id: str
    sessionId: str
    userId: str
    role: str
    content: str
    metadata: dict[str, Any]
    timestamp: float
    createdAt: datetime


class MessagesOut(Schema):
    """A session's turns, oldest first."""

    sessionId: str
    count: int
    messages: list[MessageOut]


class ErrorOut(Schema):
    """The body of every JSON error: FastAPI's shape, as the original answered."""

    detail: Any


class SessionRow(Schema):
    """A session in a list."""

    sessionId: str
    userId: str
    createdAt: datetime
    updatedAt: datetime


class SessionListOut(Schema):
    """A page of sessions, newest first; `nextCursor` is None on the last page."""

    sessions: list[SessionRow]
    nextCursor: str | None
