"""Forgetting a user: what the assistant remembers of them, and with `sessions`, their chats."""

from __future__ import annotations

from dataclasses import dataclass, field

from chat.models import Session
from memory import longterm
from memory.models import Note
from runs.engine import delete_session


@dataclass
class Forgotten:
    """What forgetting a user deleted, and the sessions it had to leave (an active run)."""

    memories: int = 0
    notes: int = 0
    sessions: int = 0
    busy: list[str] = field(default_factory=list)


def forget_user(user_id: str, *, sessions: bool = False) -> Forgotten:
    """Delete the user's memories and notes; with `sessions`, every idle session of theirs too.

    A session with an active run is left as it is (cancel the run first) and named in `busy`.
    """
    forgotten = Forgotten(memories=longterm.forget(user_id))
    forgotten.notes = Note.objects.filter(user_id=user_id).delete()[0]
    if sessions:
        for session in Session.objects.filter(user_id=user_id).order_by("created_at"):
            if session.active_run_id:
                forgotten.busy.append(session.session_id)
                continue
            delete_session(session)
            forgotten.sessions += 1
    return forgotten
