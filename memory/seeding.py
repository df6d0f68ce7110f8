"""A client's conversation as a new session's memory: what clients that send history need.

OpenAI's and the AI SDK's clients send the whole conversation with every request. Without a
stored session to continue, its instructions become the new session's summary and its earlier
turns the session's first messages (marked with their `source`), so that memory packs them as
it packs any session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from chat.models import Message, Session, new_object_id

INSTRUCTIONS_HEADER = "Instructions from the client:"


@dataclass(frozen=True)
class Conversation:
    """What a request's messages say, in the pipeline's terms."""

    instructions: str
    """The system (and developer) messages, joined (empty when none)."""
    turns: list[tuple[str, str]]
    """The user and assistant turns before the prompt, oldest first: (role, text)."""
    prompt: str
    """The last user message's text."""


async def find_session(session_id: str) -> Session | None:
    """The session of this id, whoever's it is (callers check who may see it)."""
    return await Session.objects.filter(session_id=session_id).afirst()


async def seed_session(
    session_id: str, user_id: str, conversation: Conversation, *, source: str
) -> None:
    """Store the conversation's instructions and earlier turns as the new session `session_id`.

    A conversation of one user message stores nothing here: admission creates the session.
    """
    if conversation.instructions or conversation.turns:
        await store_session(session_id, user_id, conversation, source)


@sync_to_async
def store_session(session_id: str, user_id: str, conversation: Conversation, source: str) -> None:
    """Store the session, its summary and its first messages in one transaction."""
    instructions = conversation.instructions
    summary = f"{INSTRUCTIONS_HEADER}\n{instructions}" if instructions else ""
    now = timezone.now()
    count = len(conversation.turns)
    with transaction.atomic():
        session = Session.objects.create(session_id=session_id, user_id=user_id, summary=summary)
        Message.objects.bulk_create(
            Message(
                id=new_object_id(),
                session=session,
                user_id=user_id,
                role=role,
                content=text,
                metadata={"source": source},
                created_at=now - timedelta(milliseconds=count - index),
            )
            for index, (role, text) in enumerate(conversation.turns)
        )
