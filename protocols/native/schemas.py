"""JSON shapes of the chat API, as in the original README."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class SessionOut(Schema):
    """A session's metadata and long-term summary (read from a `Session`, `message_count` added)."""

    sessionId: str = Field(alias="session_id")
    userId: str = Field(alias="user_id")
    summary: str
    messageCount: int = Field(alias="message_count")
    createdAt: datetime = Field(alias="created_at")
    updatedAt: datetime = Field(alias="updated_at")


class MessageOut(Schema):
    """One stored turn."""

    id: str
    sessionId: str = Field(alias="session_id")
    userId: str = Field(alias="user_id")
    role: str
    content: str
    metadata: dict[str, Any]
    timestamp: float
    createdAt: datetime = Field(alias="created_at")


class MessagesOut(Schema):
    """A session's turns, oldest first."""

    sessionId: str
    count: int
    messages: list[MessageOut]


class SessionRow(Schema):
    """A session in a list."""

    sessionId: str = Field(alias="session_id")
    userId: str = Field(alias="user_id")
    createdAt: datetime = Field(alias="created_at")
    updatedAt: datetime = Field(alias="updated_at")


class SessionListOut(Schema):
    """A page of sessions, newest first; `nextCursor` is None on the last page."""

    sessions: list[SessionRow]
    nextCursor: str | None
