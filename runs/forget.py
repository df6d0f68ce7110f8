"""Deleting a conversation and every record of it (the sessions API, LangGraph threads)."""

from __future__ import annotations

from django.db import models, transaction

from chat.models import Message, Session, Suggestion
from checkpoints.models import Checkpoint, CheckpointWrite
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall

# Every model that holds records of one session, by its `session` foreign key, children
# before parents. A new per-session model is one more entry here.
SESSION_RECORDS: tuple[type[models.Model], ...] = (
    Suggestion,
    RequestMetric,
    ToolCall,
    Run,
    Message,
)


def delete_session(session: Session) -> dict[str, int]:
    """Delete the session and its records in one transaction; return the count per table."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in SESSION_RECORDS:
            count, _ = model.objects.filter(session_id=session.session_id).delete()
            deleted[model._meta.db_table] = count
        for model in (CheckpointWrite, Checkpoint):  # a thread of the graph is a session
            count, _ = model.objects.filter(thread_id=session.session_id).delete()
            deleted[model._meta.db_table] = count
        session.delete()
    deleted[Session._meta.db_table] = 1
    return deleted
