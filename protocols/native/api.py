"""JSON endpoints over sessions and their messages."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from accounts.lookups import get_session_or_404
from accounts.ninja_auth import caller_of
from accounts.schemas import ErrorOut
from chat.models import Message, Session
from edge.conversation import user_of
from protocols.native.schemas import MessagesOut, SessionListOut, SessionOut
from runs.engine import delete_session

router = Router(tags=["sessions"])


class MessagesQuery(Schema):
    """Query parameters of the messages endpoint."""

    limit: int = Field(50, ge=1, le=500, description="How many of the newest messages to return.")


class SessionsQuery(Schema):
    """Query parameters of the sessions list."""

    limit: int = Field(20, ge=1, le=100, description="How many sessions per page.")
    cursor: str | None = Field(None, max_length=24, description="`nextCursor` of the last page.")
    userId: str | None = Field(None, max_length=128, description="Service key only: whose.")


ERRORS = {401: ErrorOut, 404: ErrorOut, 429: ErrorOut}


@router.get(
    "/sessions/{session_id}",
    response={200: SessionOut, **ERRORS},
    summary="Session metadata and summary",
)
async def get_session(request: HttpRequest, session_id: str) -> Session:
    """Return a session's metadata, long-term summary and message count."""
    session = await get_session_or_404(session_id, caller_of(request))
    session.message_count = await Message.objects.filter(session_id=session.session_id).acount()
    return session


@router.get(
    "/sessions/{session_id}/messages",
    response={200: MessagesOut, 422: ErrorOut, **ERRORS},
    summary="Conversation history",
)
async def list_messages(
    request: HttpRequest, session_id: str, query: Query[MessagesQuery]
) -> dict[str, Any]:
    """Return the session's newest `limit` messages, oldest first."""
    session = await get_session_or_404(session_id, caller_of(request))
    newest = Message.objects.filter(session_id=session.session_id).order_by("-created_at", "-id")
    rows = [message async for message in newest[: query.limit]]
    rows.reverse()
    return {"sessionId": session.session_id, "count": len(rows), "messages": rows}


@router.get(
    "/sessions",
    response={200: SessionListOut, 403: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="The caller's sessions, newest first",
)
async def list_sessions(request: HttpRequest, query: Query[SessionsQuery]) -> dict[str, Any]:
    """Return a page of sessions, newest first; pass `nextCursor` back as `cursor` for more."""
    caller = caller_of(request)
    sessions = Session.objects.filter(**caller.owner_filter()).order_by("-id")
    if query.userId is not None:
        sessions = sessions.filter(user_id=user_of(caller, query.userId, "userId", owner=True))
    if query.cursor:
        sessions = sessions.filter(id__lt=query.cursor)
    rows = [session async for session in sessions[: query.limit + 1]]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"sessions": rows, "nextCursor": rows[-1].pk if more else None}


@router.delete(
    "/sessions/{session_id}",
    response={204: None, 409: ErrorOut, **ERRORS},
    summary="Delete a conversation and every record of it",
)
async def remove_session(request: HttpRequest, session_id: str) -> Status[None]:
    """Delete the session, its messages, suggestions, tool calls, metrics and runs.

    A session with an active run answers 409: cancel the run first.
    """
    session = await get_session_or_404(session_id, caller_of(request))
    if session.active_run_id:
        raise HttpError(409, f"Session {session_id!r} has an active run: cancel it first")
    await sync_to_async(delete_session)(session)
    return Status(204, None)
