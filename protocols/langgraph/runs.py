"""LangGraph runs are our runs: their objects, their records, their rollback.

A run started through this API has a `RunRecord` (assistant, metadata, stream modes,
strategy, prompt); a run started elsewhere in the same session shows with the defaults.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection, transaction

from accounts.callers import Caller
from chat.models import Message, Session
from checkpoints.saver import DjangoSaver
from edge.errors import RequestRejected
from protocols.langgraph.assistant import ASSISTANT_ID
from protocols.langgraph.models import RunRecord, ThreadRecord
from protocols.langgraph.stream import PartContext
from protocols.langgraph.threads import iso, langchain_message, state_messages
from runs import engine
from runs.engine import is_run_id
from runs.models import Run

logger = logging.getLogger(__name__)
STATUSES = {
    Run.Status.QUEUED: "pending",
    Run.Status.RUNNING: "running",
    Run.Status.OK: "success",
    Run.Status.ERROR: "error",
    Run.Status.CANCELLED: "interrupted",
    Run.Status.INTERRUPTED: "interrupted",
    Run.Status.WAITING: "success",
}
"""Our run statuses as LangGraph's (a run that paused for a person ended well: LangGraph's
server says `success`, and its thread `interrupted`)."""
STATUS_FILTERS = {
    "pending": [Run.Status.QUEUED],
    "running": [Run.Status.RUNNING],
    "success": [Run.Status.OK, Run.Status.WAITING],
    "error": [Run.Status.ERROR],
    "interrupted": [Run.Status.CANCELLED, Run.Status.INTERRUPTED],
    "timeout": [],
}
DEFAULT_MODES = ["values", "messages-tuple"]
"""What a join streams for a run started elsewhere (the chat stream, the OpenAI API)."""
ROLLBACK_WAIT_SECONDS = 30.0


def run_object(run: Run, record: RunRecord | None) -> dict[str, Any]:
    """The run as LangGraph returns it."""
    return {
        "run_id": run.pk,
        "thread_id": run.session_id,
        "assistant_id": ASSISTANT_ID,
        "created_at": iso(run.created_at),
        "updated_at": iso(run.finished_at or run.started_at or run.created_at),
        "status": STATUSES.get(run.status, "error"),
        "metadata": record.metadata if record else {},
        "multitask_strategy": record.multitask_strategy if record else "enqueue",
        "kwargs": {"stream_mode": record.stream_modes if record else DEFAULT_MODES}
        | ({"webhook": run.webhook} if run.webhook else {}),
    }


@sync_to_async
def store_record(run: Run, new_thread: dict[str, Any] | None, **fields: Any) -> RunRecord:
    """Store what the request said about its run (and a new thread's metadata, if any).

    `new_thread`: the metadata of the thread the run's admission just created.
    """
    if not new_thread:
        return RunRecord.objects.create(run_id=run.pk, **fields)
    with transaction.atomic():
        ThreadRecord.objects.create(session_id=run.session_id, metadata=new_thread)
        return RunRecord.objects.create(run_id=run.pk, **fields)


@sync_to_async
def owned_run(caller: Caller, thread_id: str, run_id: str) -> tuple[Run, RunRecord | None]:
    """The caller's run of the thread and its record, or LangGraph's 404.

    What `langgraph-sdk` asks after every streamed run (`GET /threads/{id}/runs/{rid}`): the
    run, the thread's ownership and whether the run has a record are one statement.
    """
    run = find_owned_run(caller, thread_id, run_id) if is_run_id(run_id) else None
    if run is not None:
        return run, RunRecord.objects.filter(run=run).first() if run.has_record else None
    if not Session.objects.filter(session_id=thread_id, **caller.owner_filter()).exists():
        raise RequestRejected(404, f"Thread with ID {thread_id} not found")
    raise RequestRejected(404, f"Run with ID {run_id} not found")


OWNED_RUN_SQL = (
    'SELECT r.*, EXISTS (SELECT 1 FROM langgraph_runs x WHERE x."runId" = r."_id") AS has_record '
    'FROM runs r JOIN sessions s ON s."sessionId" = r."sessionId" '
    'WHERE r."_id" = %s AND r."sessionId" = %s'
)
"""The run, its thread's owner and its record's existence: a queryset with the join cost
four times the statement."""


def find_owned_run(caller: Caller, thread_id: str, run_id: str) -> Run | None:
    """The run of the thread, if the caller may see the thread; `has_record` set on it."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        owned = caller.owner_filter("session__user_id")
        run = Run.objects.filter(pk=run_id, session_id=thread_id, **owned).first()
        if run is not None:
            run.has_record = RunRecord.objects.filter(run=run).exists()
        return run
    sql, params = OWNED_RUN_SQL, [run_id, thread_id]
    if not caller.is_service:
        sql, params = sql + ' AND s."userId" = %s', [*params, caller.user_id]
    return next(iter(Run.objects.raw(sql, params)), None)


@sync_to_async
def thread_runs(
    session: Session, limit: int, offset: int, status: str | None
) -> list[dict[str, Any]]:
    """A page of the thread's runs, newest first."""
    runs = Run.objects.filter(session=session).order_by("-created_at")
    if status is not None:
        if status not in STATUS_FILTERS:
            raise RequestRejected(422, f"status must be one of {', '.join(STATUS_FILTERS)}")
        runs = runs.filter(status__in=STATUS_FILTERS[status])
    page = list(runs[offset : offset + limit])
    records = {record.run_id: record for record in RunRecord.objects.filter(run__in=page)}
    return [run_object(run, records.get(run.pk)) for run in page]


@sync_to_async
def delete_run(run: Run) -> None:
    """Delete a finished run (and its record)."""
    if not run.finished:
        raise RequestRejected(409, "The run is active: cancel it before deleting it")
    Run.objects.filter(pk=run.pk).delete()


async def run_context(run: Run, record: RunRecord | None, *, with_state: bool) -> PartContext:
    """What a run's stream says of the thread (its state only when `values` is streamed)."""
    if not with_state:
        return PartContext(run.pk, run.session_id, ASSISTANT_ID, [], None)
    return await state_context(run, record)


async def admitted_context(run: Run, prompt: str, *, fresh_thread: bool) -> PartContext:
    """The state of a run just admitted here: the thread's messages before it, its prompt.

    A run that started at once was admitted with its session free, so every message stored
    before it is older than it (one query; none, and no thread hop, for a thread that had
    nothing before the run; a queued run's prompt is not stored yet).
    """
    history = []
    if not fresh_thread:
        history = await sync_to_async(state_messages)(run.session_id, until=run.created_at)
    human_id = run.user_message_id or f"human-{run.pk}"
    human = langchain_message("human", prompt, human_id)
    return PartContext(run.pk, run.session_id, ASSISTANT_ID, history, human)


@sync_to_async
def state_context(run: Run, record: RunRecord | None) -> PartContext:
    """The thread's messages before the run, and the run's own prompt.

    The run is read again: a fast run may have stored its answer since `run` was loaded.
    """
    run = Run.objects.get(pk=run.pk)
    stored = Message.objects.filter(pk=run.user_message_id).first() if run.user_message_id else None
    if stored is not None:
        history = state_messages(run.session_id, exclude=(stored.pk,), until=stored.created_at)
        human = langchain_message("human", stored.content, stored.pk)
    else:  # queued (its prompt is not stored yet), or a run without one
        history = state_messages(run.session_id, exclude=(run.answer_message_id,))
        prompt = record.prompt if record is not None else ""
        human = langchain_message("human", prompt, f"human-{run.pk}") if prompt else None
    return PartContext(run.pk, run.session_id, ASSISTANT_ID, history, human)


@sync_to_async
def final_state(run: Run) -> dict[str, Any]:
    """The thread's state when the run ended: what `/wait` and `/join` answer."""
    until = None
    if run.answer_message_id:
        answer = Message.objects.filter(pk=run.answer_message_id).first()
        until = answer.created_at if answer is not None else None
    messages = state_messages(run.session_id, until=until)
    if until is not None:
        messages += [as_answer(run)]
    return {"messages": messages}


def as_answer(run: Run) -> dict[str, Any]:
    """The run's stored answer as a LangChain message."""
    answer = Message.objects.get(pk=run.answer_message_id)
    return langchain_message("ai", answer.content, answer.pk)


def roll_back_later(run_ids: list[str]) -> None:
    """Once each run has ended, delete it and its messages (the `rollback` strategy)."""
    for run_id in run_ids:
        task = asyncio.ensure_future(roll_back(run_id))
        task.add_done_callback(log_failure)


async def roll_back(run_id: str) -> None:
    """Wait for the run to end, then forget it, its prompt and any answer."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(engine.until_ended(run_id), ROLLBACK_WAIT_SECONDS)
    run = await engine.find_run(run_id)
    if run is not None and run.finished:
        await forget_run(run)


@sync_to_async
def forget_run(run: Run) -> None:
    """Delete the run, the messages and the checkpoints it stored, in one transaction."""
    with transaction.atomic():
        messages = [pk for pk in (run.user_message_id, run.answer_message_id) if pk]
        Run.objects.filter(pk=run.pk).delete()
        Message.objects.filter(pk__in=messages).delete()
        DjangoSaver().delete_for_runs([run.pk])


def log_failure(task: asyncio.Future[None]) -> None:
    """Log a rollback that failed (it runs after its request answered)."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("rollback failed", exc_info=task.exception())
