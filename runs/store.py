"""The run record in the database: the session's one active run, the owner's lease, recovery.

Everything that must hold across processes is a conditional update here (never an
in-process lock): taking the session, finishing a run once, asking for a cancel.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from bson import ObjectId
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from chat.models import Message, Session, new_object_id
from runs.models import ACTIVE_RUN_STATUSES, Run
from runs.turns import Turn, open_turn_now
from telemetry.models import RequestMetric, ToolCall
from telemetry.rollups import add_run
from webhooks.outbox import Webhook, owe_delivery

OWNER = f"{socket.gethostname()}:{os.getpid()}:{ObjectId()}"
"""This process, as recorded on the runs it executes."""


def is_run_id(value: str) -> bool:
    """Whether `value` has the shape of a run id (an ObjectId's 24 hex digits)."""
    return len(value) == 24 and ObjectId.is_valid(value) and value == value.lower()


class SessionForbidden(Exception):
    """The session exists and belongs to another user."""


@dataclass
class Admission:
    """What admitting a run stored: the session, the run and, when queued, the holder."""

    session: Session
    run: Run
    holder: Run | None = None
    """The run that holds the session when this one queued (None if it ended meanwhile)."""
    turn: Turn | None = None
    """The opened turn (context and stored prompt) of a run that started at once."""
    fresh_session: bool = False
    """Whether the session had nothing before this run: created by this admission, or never
    used (no message, no checkpoint: a thread just created through `POST /threads`). Its
    context needs no window and its graph no checkpoint lookup."""


@sync_to_async
def admit_run(
    session_id: str,
    *,
    user_id: str,
    on_disconnect: str,
    webhook: str = "",
    run_id: str = "",
    prompt: str | None = None,
    request: dict[str, Any] | None = None,
    check_connections: bool = False,
) -> Admission:
    """Open or create the session and store a new run that tries to start (one trip).

    With `prompt`, a run that starts at once also opens its turn in the same transaction:
    the context is packed and the prompt stored (a queued run opens it when it starts).
    `check_connections` first replaces broken or expired database connections, as a
    request's first trip to the database should (see protocols.native.consumers).
    `run_id` is the run's id when the caller chose it (a cron's firing, started again under
    the same id after its process died): a run with that id is never admitted twice.
    `request` is what was asked, stored with the run so that another process can resume it.

    Raises:
        SessionForbidden: the session belongs to another user (nothing is stored).
        IntegrityError: a run with the chosen `run_id` exists already.
    """
    if check_connections:
        close_old_connections()
    fields = {
        "user_id": user_id,
        "on_disconnect": on_disconnect,
        "webhook": webhook,
        "owner": OWNER,
        "request": request or {},
    }
    chosen, run_id = bool(run_id), run_id or new_object_id()
    try:
        return admit_in_one_transaction(session_id, prompt, fields | {"id": run_id})
    except IntegrityError:  # another request created the session meanwhile: it exists now
        if chosen and Run.objects.filter(pk=run_id).exists():
            raise  # a run with the chosen id exists: never admit it twice
        # Rolled back on SQLite; MongoDB, without a transaction, kept the run inserted first.
        Run.objects.filter(pk=run_id).delete()
        retry_id = run_id if chosen else new_object_id()
        return admit_in_one_transaction(session_id, prompt, fields | {"id": retry_id})


def admit_in_one_transaction(
    session_id: str, prompt: str | None, fields: dict[str, Any]
) -> Admission:
    """Admit the run (`fields`, its id included) with one commit; a new session is held by it.

    A run that finds the session free is inserted running (with its prompt's message id), so
    that taking the session is the one update; if another run took it meanwhile, it queues.
    """
    user_id = fields["user_id"]
    with transaction.atomic():
        found = session_and_use(session_id)
        if found is None:
            return admit_to_new_session(session_id, prompt, fields)
        session, used = found
        if session.user_id != user_id:
            raise SessionForbidden(f"Session {session_id!r} belongs to another user")
        message_id = None if prompt is None else new_object_id()
        free = session.active_run_id is None
        run = Run.objects.create(session=session, **fields, **(started(message_id) if free else {}))
        if not take_if_free(session_id, run):
            if free:  # another run took the session between the read and the update
                queue_again(run)
            return Admission(session, run, holder_of(session_id))
        session.active_run_id = run.pk
        if not free:  # the holder ended between the read and the update
            mark_running(run, user_message_id=message_id)
        if prompt is None:
            return Admission(session, run, fresh_session=not used)
        turn = open_turn_now(session, prompt, fresh_session=not used, message_id=message_id)
        return Admission(session, run, turn=turn, fresh_session=not used)


SESSION_AND_USE_SQL = (
    'SELECT s.*, (EXISTS (SELECT 1 FROM messages m WHERE m."sessionId" = s."sessionId") OR '
    'EXISTS (SELECT 1 FROM checkpoints c WHERE c."threadId" = s."sessionId")) AS used '
    'FROM sessions s WHERE s."sessionId" = %s'
)
"""The session and whether it was ever used, in one statement on SQL databases."""


def session_and_use(session_id: str) -> tuple[Session, bool] | None:
    """The session, and whether it has any message or checkpoint (None: no such session).

    MongoDB, without the SQL, counts every session as used (the reads it saves are made).
    """
    if connection.vendor not in {"sqlite", "postgresql"}:
        # Unordered: the sessions' default ordering costs query building here for nothing.
        session = next(iter(Session.objects.filter(session_id=session_id).order_by()[:1]), None)
        return None if session is None else (session, True)
    session = next(iter(Session.objects.raw(SESSION_AND_USE_SQL, [session_id])), None)
    return None if session is None else (session, bool(session.used))


def started(message_id: str | None) -> dict[str, Any]:
    """The fields of a run inserted running (with its prompt's message, when it has one)."""
    return {
        "status": Run.Status.RUNNING,
        "started_at": timezone.now(),
        "user_message_id": message_id,
    }


def queue_again(run: Run) -> None:
    """Record that a run inserted running waits after all (the session was taken meanwhile)."""
    run.status, run.started_at, run.user_message_id = Run.Status.QUEUED, None, None
    fields = {"status": run.status, "started_at": None, "user_message_id": None}
    Run.objects.filter(pk=run.pk).update(**fields)


def admit_to_new_session(session_id: str, prompt: str | None, fields: dict[str, Any]) -> Admission:
    """Create the session already held by a new running run (and its first turn).

    The run is inserted before the session that names it, so that no reader ever finds the
    session held by a run that does not exist (MongoDB has no transaction to hide that).
    """
    run_id, message_id = fields["id"], None if prompt is None else new_object_id()
    run = Run.objects.create(session_id=session_id, **started(message_id), **fields)
    session = Session.objects.create(
        session_id=session_id, user_id=fields["user_id"], active_run_id=run_id
    )
    run.session = session
    if prompt is None:
        return Admission(session, run, fresh_session=True)
    turn = open_turn_now(session, prompt, fresh_session=True, message_id=message_id)
    return Admission(session, run, turn=turn, fresh_session=True)


@sync_to_async
def take_session(session_id: str, run: Run) -> bool:
    """Start the queued `run` if its session is free now; return whether it did."""
    return start_if_free(session_id, run)


def start_if_free(session_id: str, run: Run) -> bool:
    """Make `run` the session's active run and mark it running, if the session is free."""
    if not take_if_free(session_id, run):
        return False
    mark_running(run)
    return True


def take_if_free(session_id: str, run: Run) -> bool:
    """Make `run` the session's active run if the session has none (the conditional update)."""
    free = Session.objects.filter(session_id=session_id, active_run_id__isnull=True)
    return free.update(active_run_id=run.pk) == 1


def mark_running(run: Run, *, user_message_id: str | None = None) -> None:
    """Record that `run` started now (with its prompt's message, when stored already)."""
    run.status, run.started_at = Run.Status.RUNNING, timezone.now()
    fields: dict[str, object] = {"status": run.status, "started_at": run.started_at}
    if user_message_id is not None:
        run.user_message_id = fields["user_message_id"] = user_message_id
    Run.objects.filter(pk=run.pk).update(**fields)


async def session_holder(session_id: str) -> Run | None:
    """Return the run that holds the session (see `holder_of`)."""
    return await sync_to_async(holder_of)(session_id)


def holder_of(session_id: str) -> Run | None:
    """Return the session's active run, freeing the session first if that run is over.

    A holder whose owner died still holds it: another process takes the run over
    (runs/recovery.py) and finishes it.
    """
    holder_id = Session.objects.filter(session_id=session_id).values_list(
        "active_run_id", flat=True
    )
    holder_id = next(iter(holder_id), None)
    if holder_id is None:
        return None
    run = Run.objects.filter(pk=holder_id).first()
    if run is not None and run.status in ACTIVE_RUN_STATUSES:
        return run
    Session.objects.filter(session_id=session_id, active_run_id=holder_id).update(
        active_run_id=None
    )
    return None


def close_run(
    run_id: str,
    session_id: str,
    status: str,
    *,
    error: str = "",
    session_fields: dict[str, object] | None = None,
    webhook: Webhook | None = None,
    attempt: int | None = None,
    **fields: object,
) -> bool:
    """Record the run's outcome once and free its session (call inside a transaction).

    `session_fields` are written to the session in the same UPDATE that frees it (or in
    their own when the run no longer holds it). A run with a `webhook` owes it a delivery,
    written to the outbox in the same transaction (webhooks/). With `attempt`, only that
    attempt may close it (its fencing token). Returns False when the run had already ended
    or another attempt executes it (a second close changes nothing).
    """
    active = Run.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES)
    if attempt is not None:
        active = active.filter(attempt=attempt)
    closed = active.update(status=status, error=error[:2000], finished_at=timezone.now(), **fields)
    if not closed and attempt is not None:
        return False  # fenced: the session is the attempt's that holds the run now
    if closed and webhook is not None and webhook.url:
        owe_delivery(run_id, webhook)
    session = Session.objects.filter(session_id=session_id)
    freed = session.filter(active_run_id=run_id).update(active_run_id=None, **session_fields or {})
    if session_fields and not freed:
        session.update(**session_fields)
    return closed == 1


@sync_to_async
def delete_run(run_id: str) -> None:
    """Forget a run that was refused before it streamed anything (the reject policy)."""
    Run.objects.filter(pk=run_id).delete()


@sync_to_async
def request_cancel(run_id: str, status: str) -> Run | None:
    """Flag an active run to stop with `status`; return the run as it stands now.

    A run whose owner died is stopped by the process that takes it over (runs/leases.py).
    """
    Run.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES, cancel_requested="").update(
        cancel_requested=status
    )
    return Run.objects.filter(pk=run_id).first()


def lease_cutoff() -> timezone.datetime:
    """Return the time before which a heartbeat is too old: its owner is gone."""
    return timezone.now() - timedelta(seconds=settings.RUN_LEASE_SECONDS)


def abandon(run: Run, status: str, error: str) -> bool:
    """Record a run no process executes any more as `status`, with its metric (once).

    For a run that cannot be resumed: cancelled while its owner was gone, out of attempts,
    or stored before runs could be resumed. Returns False if it had ended meanwhile.
    """
    with transaction.atomic():
        if not close_run(
            run.pk,
            run.session_id,
            status,
            error=error,
            webhook=Webhook(run.webhook, run.user_id),
            attempt=run.attempt,
            user_message_id=own_prompt_id(run),
        ):
            return False
        metric = RequestMetric.objects.create(
            session_id=run.session_id,
            run_id=run.pk,
            user_id=run.user_id,
            total_time_ms=(timezone.now() - run.created_at).total_seconds() * 1000,
            tool_call_count=ToolCall.objects.filter(run_id=run.pk).count(),
            status=status,
            error=error[:2000],
        )
        add_run(metric)
    return True


def own_prompt_id(run: Run) -> str | None:
    """The id of the prompt the run stored (None if it stored none yet).

    One run at a time per session: the first prompt stored after it was created is its own.
    """
    prompts = Message.objects.filter(
        session_id=run.session_id, role=Message.Role.USER, created_at__gte=run.created_at
    ).order_by("created_at", "id")
    return prompts.values_list("id", flat=True).first()


@sync_to_async
def get_run(run_id: str) -> Run | None:
    """Return the stored run."""
    return Run.objects.filter(pk=run_id).first()
