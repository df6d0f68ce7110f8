"""Lookups over chat's models shared by every app's JSON API (part of the data layer)."""

from __future__ import annotations

from ninja.errors import HttpError

from chat.models import Session


async def get_session_or_404(session_id: str) -> Session:
    """Return the session with this sessionId, or raise a 404 JSON error."""
    try:
        return await Session.objects.aget(session_id=session_id)
    except Session.DoesNotExist:
        raise HttpError(404, f"Session {session_id!r} not found") from None
