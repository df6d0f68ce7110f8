"""Lookups over chat's models shared by every app's JSON API (part of the data layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ninja.errors import HttpError

from chat.models import Session

if TYPE_CHECKING:
    from accounts.callers import Caller


async def get_session_or_404(session_id: str, caller: Caller) -> Session:
    """Return the caller's session with this sessionId, or raise a 404 JSON error.

    Another user's session answers exactly as a session that does not exist.
    """
    owned = Session.objects.filter(session_id=session_id, **caller.owner_filter())
    session = await owned.afirst()
    if session is None:
        raise HttpError(404, f"Session {session_id!r} not found")
    return session
