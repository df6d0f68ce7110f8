"""Stored histories for the memory tests: numbered turns one second apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chat.models import Message, Session

T0 = datetime(2025, 1, 1, tzinfo=UTC)
"""When turn 0 was stored."""


def add_messages(session: Session, count: int, *, start: int = 0, size: int = 0) -> list[Message]:
    """Store turns `start`..`start + count - 1` of the session's user, one second apart.

    They alternate user/assistant from a user turn; each says `turn <i>`, padded with dots
    to `size` characters.
    """
    return Message.objects.bulk_create(
        Message(
            session=session,
            user_id=session.user_id,
            role="user" if i % 2 == 0 else "assistant",
            content=f"turn {i}".ljust(size, "."),
            created_at=T0 + timedelta(seconds=i),
        )
        for i in range(start, start + count)
    )
