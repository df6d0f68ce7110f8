"""Opening a run's turn: pack the context, then store the user's prompt (synchronous).

Admission does it in its own transaction for a run that starts at once
(runs.store.admit_run); a queued run does it when it starts (runs.records.open_turn).
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.models import Message, Session, new_object_id
from memory.context import PackedContext, pack


@dataclass(frozen=True)
class Turn:
    """A run's opened turn: the context packed for its prompt and the prompt's message id."""

    packed: PackedContext
    user_message_id: str


def open_turn_now(
    session: Session, prompt: str, *, fresh_session: bool = False, message_id: str | None = None
) -> Turn:
    """Pack the context for `prompt` in `session`, then store the prompt as a user message.

    A fresh session (created in this same transaction, or known to have no message yet) has
    no window: packing does not ask.
    """
    packed = pack(session, prompt, window=[] if fresh_session else None)
    message = Message.objects.create(
        id=message_id or new_object_id(),
        session=session,
        user_id=session.user_id,
        role=Message.Role.USER,
        content=prompt,
    )
    return Turn(packed, message.pk)
