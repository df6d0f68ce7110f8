"""What this protocol stores and reads: sessions seeded from a client's history, responses.

A request without a session binding runs in a new session `openai-<id>`: its instructions
become the session's summary and its earlier turns the session's first messages (marked
`{"source": "openai"}`), so that memory packs them as it packs any session. A response is
its run plus a `StoredResponse` row (models.py); `resp_<run id>` is its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from accounts.callers import Caller
from chat.models import Message, Session, new_object_id
from protocols.openai.bodies import Conversation
from protocols.openai.models import StoredResponse
from runs.access import get_run_for
from runs.models import Run
from runs.store import is_run_id
from telemetry.models import RequestMetric

SESSION_PREFIX = "openai-"
RESPONSE_PREFIX = "resp_"
SOURCE = {"source": "openai"}
INSTRUCTIONS_HEADER = "Instructions from the client:"


def new_session_id() -> str:
    """A new session id, marked as this surface's."""
    return f"{SESSION_PREFIX}{new_object_id()}"


def response_id(run_id: str) -> str:
    """The Responses API id of a run."""
    return f"{RESPONSE_PREFIX}{run_id}"


def run_id_of(response_id: str) -> str | None:
    """The run id inside a response id; None when it is not one of ours."""
    run_id = response_id.removeprefix(RESPONSE_PREFIX)
    return run_id if run_id != response_id and is_run_id(run_id) else None


async def seed_session(session_id: str, user_id: str, conversation: Conversation) -> None:
    """Store the conversation's instructions and earlier turns as a new session.

    A conversation of one user message stores nothing here: admission creates the session.
    """
    if conversation.instructions or conversation.turns:
        await store_session(session_id, user_id, conversation)


@sync_to_async
def store_session(session_id: str, user_id: str, conversation: Conversation) -> None:
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
                metadata=SOURCE,
                created_at=now - timedelta(milliseconds=count - index),
            )
            for index, (role, text) in enumerate(conversation.turns)
        )


@sync_to_async
def store_response(run_id: str, **fields: object) -> StoredResponse:
    """Store what the request said of the response `resp_<run_id>`."""
    return StoredResponse.objects.create(run_id=run_id, **fields)


@dataclass(frozen=True)
class ResponseRecord:
    """A response as stored: its row, its run, its answer's text and its token usage."""

    stored: StoredResponse
    run: Run
    answer: str
    input_tokens: int
    output_tokens: int


async def find_response(caller: Caller, response_id: str) -> ResponseRecord | None:
    """The caller's response (its run recovered first if its owner died); None otherwise."""
    run_id = run_id_of(response_id)
    if run_id is None:
        return None
    run = await get_run_for(caller, run_id)
    if run is None:
        return None
    return await record_of(run)


@sync_to_async
def record_of(run: Run) -> ResponseRecord | None:
    """The run's response as stored; None when the run is not a response."""
    stored = StoredResponse.objects.filter(pk=run.pk).first()
    if stored is None:
        return None
    answer = Message.objects.filter(pk=run.answer_message_id).values_list("content", flat=True)
    metric = RequestMetric.objects.filter(run_id=run.pk).only("input_tokens", "output_tokens")
    usage = metric.first()
    return ResponseRecord(
        stored=stored,
        run=run,
        answer=(answer.first() or "") if run.answer_message_id else "",
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
    )


@sync_to_async
def delete_response(run_id: str) -> None:
    """Delete the response and its run (the session keeps the conversation's messages)."""
    Run.objects.filter(pk=run_id).delete()
