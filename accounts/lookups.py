"""Lookups over chat's models shared by every app's JSON API (part of the data layer).

They raise data errors (`SessionNotFound`); the JSON API answers them (accounts/ninja_auth.py:
a 404 in its error shape).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat.models import Session

if TYPE_CHECKING:
    from accounts.callers import Caller


class SessionNotFound(LookupError):
    """The caller has no session of this id (another user's is not told apart from none)."""

    def __init__(self, session_id: str) -> None:
        """Name the session that was not found."""
        super().__init__(f"Session {session_id!r} not found")
        self.session_id = session_id


async def get_session_or_404(session_id: str, caller: Caller) -> Session:
    """Return the caller's session with this sessionId, or raise SessionNotFound (a 404).

    Another user's session answers exactly as a session that does not exist.
    """
    owned = Session.objects.filter(session_id=session_id, **caller.owner_filter())
    session = await owned.afirst()
    if session is None:
        raise SessionNotFound(session_id)
    return session
