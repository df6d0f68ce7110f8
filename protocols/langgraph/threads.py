"""Threads are sessions: their objects, state and history as LangGraph's API shows them.

A thread's values are `{"messages": [...]}`, the newest LANGGRAPH_STATE_MESSAGES of its stored
messages as LangChain message dicts. Its states and history are its graph's checkpoints
(protocols/langgraph/states.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.callers import Caller
from chat.models import Message, Session
from edge.conversation import user_of
from edge.errors import RequestRejected
from protocols.langgraph.assistant import GRAPH_TAGS
from protocols.langgraph.bodies import ThreadCreateBody, ThreadSearchBody, metadata_filter
from protocols.langgraph.models import ThreadRecord
from runs.engine import delete_session, paused_at, state_at
from runs.models import Run


def iso(moment: datetime | None) -> str | None:
    """A time as LangGraph writes it."""
    return moment.isoformat() if moment is not None else None


def as_message(message: Message) -> dict[str, Any]:
    """A stored message as a LangChain message dict (`human` or `ai`)."""
    kind = "human" if message.role == Message.Role.USER else "ai"
    return langchain_message(kind, message.content, message.pk)


def langchain_message(kind: str, content: str, message_id: str) -> dict[str, Any]:
    """A LangChain message dict of `kind` (human, ai or AIMessageChunk)."""
    message: dict[str, Any] = {
        "type": kind,
        "content": content,
        "id": message_id,
        "additional_kwargs": {},
        "response_metadata": {},
        "name": None,
    }
    if kind != "human":
        message |= {"tool_calls": [], "invalid_tool_calls": [], "usage_metadata": None}
    if kind == "AIMessageChunk":
        message["tool_call_chunks"] = []
    return message


def owned_sessions(caller: Caller) -> Any:
    """The sessions the caller may see, as a queryset."""
    return Session.objects.filter(**caller.owner_filter())


@sync_to_async
def find_thread(caller: Caller, thread_id: str) -> Session | None:
    """The caller's session of this id (another user's is not found)."""
    return owned_sessions(caller).filter(session_id=thread_id).first()


async def check_start_checkpoint(session: Session | None, requested: str) -> None:
    """422 unless a run's requested checkpoint is one of the thread's (a run forks from it)."""
    if not requested:
        return
    found = session is not None and await state_at(session.session_id, requested) is not None
    if not found:
        raise RequestRejected(422, f"checkpoint_id: {requested} is not a checkpoint of the thread")


async def thread_or_404(caller: Caller, thread_id: str) -> Session:
    """The caller's thread, or LangGraph's 404."""
    session = await find_thread(caller, thread_id)
    if session is None:
        raise RequestRejected(404, f"Thread with ID {thread_id} not found")
    return session


def thread_user(caller: Caller, metadata: dict[str, Any] | None) -> str:
    """Whose thread a new one is: the key's user, or `metadata.user_id` for the service key."""
    named = (metadata or {}).get("user_id")
    return user_of(caller, named, "metadata.user_id", status=422, owner=True)


@sync_to_async
def create_thread(caller: Caller, body: ThreadCreateBody) -> tuple[Session, dict[str, Any] | None]:
    """Create the thread (or find it with `if_exists: do_nothing`); (session, thread or None).

    The thread as returned comes back only when it is new, built from the rows just written
    (no messages, no run: idle). An id the server chose cannot exist yet, so only a caller's
    id is looked up first.
    """
    thread_id = body.thread_id or str(uuid.uuid4())
    existing = Session.objects.filter(session_id=thread_id).first() if body.thread_id else None
    if existing is None:
        user_id = thread_user(caller, body.metadata)
        try:
            session, record = new_thread(thread_id, user_id, body.metadata)
            thread = thread_dict(session, record, with_values=False, waiting=False)
            return session, thread | {"values": {"messages": []}}
        except IntegrityError:
            existing = Session.objects.filter(session_id=thread_id).first()
    if existing is None or not caller.can_see(existing.user_id) or body.if_exists != "do_nothing":
        raise RequestRejected(409, f"Thread with ID {thread_id} already exists")
    return existing, None


def new_thread(
    thread_id: str, user_id: str, metadata: dict[str, Any] | None
) -> tuple[Session, ThreadRecord | None]:
    """Store the new thread: its session and, in the same transaction, its metadata's row.

    A thread without metadata has no row (it reads as one with `{}`, as a thread-less run's
    thread does): one statement, no transaction around it.
    """
    if not metadata:
        return Session.objects.create(session_id=thread_id, user_id=user_id), None
    with transaction.atomic():
        session = Session.objects.create(session_id=thread_id, user_id=user_id)
        return session, ThreadRecord.objects.create(session=session, metadata=metadata)


@sync_to_async
def patch_thread(session: Session, metadata: dict[str, Any]) -> None:
    """Merge `metadata` into the thread's."""
    with transaction.atomic():
        record, _ = ThreadRecord.objects.get_or_create(session=session)
        record.metadata = {**record.metadata, **metadata}
        record.updated_at = timezone.now()
        record.save()


@sync_to_async
def delete_thread(session: Session) -> None:
    """Delete the thread: its session and every record of it."""
    delete_session(session)


async def thread_object(session: Session, *, with_values: bool = True) -> dict[str, Any]:
    """The thread as LangGraph returns it."""
    record = await ThreadRecord.objects.filter(session=session).afirst()
    thread = await sync_to_async(thread_dict)(session, record, with_values=with_values)
    return (await with_interrupts([thread]))[0]


async def with_interrupts(threads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The interrupted threads given what they wait for: `{task id: [interrupt, …]}`."""
    for thread in threads:
        if thread["status"] == "interrupted":
            paused = await paused_at(thread["thread_id"])
            thread["interrupts"] = paused.by_task if paused is not None else {}
    return threads


def thread_dict(
    session: Session, record: ThreadRecord | None, *, with_values: bool, waiting: bool | None = None
) -> dict[str, Any]:
    """The thread as LangGraph returns it (sync), from its session and its metadata's row.

    `waiting`: whether its newest run waits for a person, when the caller knows already (a
    search finds that out for a whole page at once).
    """
    updated = max(session.updated_at, record.updated_at) if record else session.updated_at
    values = {"messages": state_messages(session.session_id)} if with_values else {}
    return {
        "thread_id": session.session_id,
        "created_at": iso(session.created_at),
        "updated_at": iso(updated),
        "metadata": {
            **(record.metadata if record else {}),
            "user_id": session.user_id,
            **GRAPH_TAGS,
        },
        "status": thread_status(session, waiting),
        "values": values,
        "interrupts": {},
    }


def thread_status(session: Session, waiting: bool | None = None) -> str:
    """Busy while a run holds the thread; interrupted while its newest run waits; else idle."""
    if session.active_run_id:
        return "busy"
    if waiting is None:
        waiting = newest_run_waits(session.session_id)
    return "interrupted" if waiting else "idle"


def newest_run_waits(session_id: str) -> bool:
    """Whether the session's newest run waits for a person."""
    newest = Run.objects.filter(session_id=session_id).order_by("-created_at")
    return newest.values_list("status", flat=True).first() == Run.Status.WAITING


def waiting_sessions(sessions: Any) -> list[str]:
    """The ids of the sessions among `sessions` whose newest run waits for a person."""
    waiting = Run.objects.filter(session__in=sessions, status=Run.Status.WAITING)
    candidates = set(waiting.values_list("session_id", flat=True))
    return [session_id for session_id in candidates if newest_run_waits(session_id)]


def state_messages(
    session_id: str,
    *,
    exclude: tuple[str | None, ...] = (),
    until: datetime | None = None,
    through: datetime | None = None,
) -> list[dict[str, Any]]:
    """The newest LANGGRAPH_STATE_MESSAGES messages of the session, oldest first.

    Only those written before `until`, or at `through` at the latest, when given.
    """
    messages = Message.objects.filter(session_id=session_id)
    if until is not None:
        messages = messages.filter(created_at__lt=until)
    if through is not None:
        messages = messages.filter(created_at__lte=through)
    ids = [message_id for message_id in exclude if message_id]
    if ids:
        messages = messages.exclude(pk__in=ids)
    newest = messages.order_by("-created_at", "-pk")[: settings.LANGGRAPH_STATE_MESSAGES]
    return [as_message(message) for message in reversed(list(newest))]


async def search_threads(caller: Caller, body: ThreadSearchBody) -> list[dict[str, Any]]:
    """A page of the caller's threads matching the search."""
    return await with_interrupts(await sync_to_async(threads_found)(caller, body))


def threads_found(caller: Caller, body: ThreadSearchBody) -> list[dict[str, Any]]:
    """A page of the caller's threads matching the search (sync)."""
    sessions = owned_sessions(caller).filter(**metadata_filter(body.metadata))
    if body.ids:
        sessions = sessions.filter(session_id__in=body.ids)
    if body.status == "busy":
        sessions = sessions.filter(active_run_id__isnull=False)
    elif body.status == "idle":
        idle = sessions.filter(active_run_id__isnull=True)
        sessions = idle.exclude(session_id__in=waiting_sessions(idle))
    elif body.status == "interrupted":
        sessions = sessions.filter(session_id__in=waiting_sessions(sessions))
    elif body.status is not None:
        sessions = sessions.none()  # a thread's failed run leaves it idle here
    field = {"thread_id": "session_id", "created_at": "created_at"}.get(
        body.sort_by or "updated_at", "updated_at"
    )
    order = field if body.sort_order == "asc" else f"-{field}"
    page = list(sessions.order_by(order)[body.offset : body.offset + body.limit])
    ids = [session.session_id for session in page]
    records = {r.session_id: r for r in ThreadRecord.objects.filter(session_id__in=ids)}
    with_values = body.select is None or "values" in body.select
    # One query for the page (and one per thread that has a waiting run), not one per thread.
    waiting = set(waiting_sessions(Session.objects.filter(session_id__in=ids)))
    return [
        thread_dict(
            session,
            records.get(session.session_id),
            with_values=with_values,
            waiting=session.session_id in waiting,
        )
        for session in page
    ]


def checkpoint_of(session: Session, checkpoint_id: str) -> dict[str, Any]:
    """A checkpoint reference in the thread."""
    return {"thread_id": session.session_id, "checkpoint_ns": "", "checkpoint_id": checkpoint_id}
