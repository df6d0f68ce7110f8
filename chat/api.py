"""JSON endpoints over sessions and their messages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from chat.lookups import get_session_or_404
from chat.models import Message
from chat.schemas import ErrorOut, MessageOut, MessagesOut, SessionOut

router = Router(tags=["sessions"])


class MessagesQuery(Schema):
    """Query parameters of the messages endpoint."""

    limit: int = Field(50, ge=1, le=500, description="How many of the newest messages to return.")


def message_out(message: Message) -> MessageOut:
    """Shape a stored message as the API returns it."""
    return MessageOut(
        id=message.id,
        sessionId=message.session_id,
        userId=message.user_id,
        role=message.role,
        content=message.content,
        metadata=message.metadata,
        timestamp=message.timestamp,
        createdAt=message.created_at,
    )


@router.get(
    "/sessions/{session_id}",
    response={200: SessionOut, 401: ErrorOut, 404: ErrorOut},
    summary="Session metadata and summary",
)
async def get_session(request: HttpRequest, session_id: str) -> SessionOut:
    """Return a session's metadata, long-term summary and message count."""
    session = await get_session_or_404(session_id)
    message_count = await Message.objects.filter(session_id=session.session_id).acount()
    return SessionOut(
        sessionId=session.session_id,
        userId=session.user_id,
        summary=session.summary,
        messageCount=message_count,
        createdAt=session.created_at,
        updatedAt=session.updated_at,
    )


@router.get(
    "/sessions/{session_id}/messages",
    response={200: MessagesOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Conversation history",
)
async def list_messages(
    request: HttpRequest, session_id: str, query: Query[MessagesQuery]
) -> MessagesOut:
    """Return the session's newest `limit` messages, oldest first."""
    session = await get_session_or_404(session_id)
    newest = Message.objects.filter(session_id=session.session_id).order_by("-created_at", "-id")
    rows = [message async for message in newest[: query.limit]]
    rows.reverse()
    return MessagesOut(
        sessionId=session.session_id,
        count=len(rows),
        messages=[message_out(message) for message in rows],
    )
