"""Sessions, messages and suggestions, stored as in the original schema."""

from __future__ import annotations

import time

from django.db import models
from django.utils import timezone

from chat.ids import object_id_primary_key


def session_key(related_name: str) -> models.ForeignKey:
    """Build the foreign key from a history row to its session, stored as `sessionId`."""
    return models.ForeignKey(
        "chat.Session",
        to_field="session_id",
        db_column="sessionId",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name="sessionId",
    )


def message_key(
    related_name: str, *, optional: bool = False, column: str = "messageId"
) -> models.ForeignKey:
    """Build the foreign key to a message, stored as `column` (`messageId` by default).

    An optional key is cleared when the message goes; a required one goes with it.
    """
    return models.ForeignKey(
        "chat.Message",
        db_column=column,
        on_delete=models.SET_NULL if optional else models.CASCADE,
        related_name=related_name,
        verbose_name=column,
        **({"null": True, "blank": True} if optional else {}),
    )


def run_key(related_name: str) -> models.ForeignKey:
    """Build the optional foreign key from a record to the run that made it, as `runId`."""
    return models.ForeignKey(
        "chat.Run",
        db_column="runId",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name="runId",
    )


class Session(models.Model):
    """One conversation, owned by one user; carries the long-term summary."""

    id = object_id_primary_key()
    session_id = models.CharField("sessionId", max_length=128, unique=True, db_column="sessionId")
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    summary = models.TextField(blank=True, default="")
    summarized_until = models.DateTimeField(
        "summarised until",
        null=True,
        blank=True,
        db_column="summarizedUntil",
        help_text="createdAt of the newest message folded into the summary.",
    )
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")
    updated_at = models.DateTimeField("updatedAt", default=timezone.now, db_column="updatedAt")
    active_run_id = models.CharField(
        "activeRunId",
        max_length=24,
        null=True,
        blank=True,
        db_column="activeRunId",
        help_text="The run that holds the session (one at a time, set by a conditional update).",
    )

    class Meta:
        db_table = "sessions"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user_id", "-updated_at"], name="sessions_user_updated")]

    def __str__(self) -> str:
        return self.session_id


class Message(models.Model):
    """One turn of a conversation: the user's prompt or the assistant's answer."""

    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    id = object_id_primary_key()
    session = session_key("messages")
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.FloatField(default=time.time, help_text="Seconds since the epoch.")
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "id"]
        # Used by context packing and the messages endpoint: a session's turns in time order.
        indexes = [models.Index(fields=["session", "created_at"], name="messages_session_created")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Suggestion(models.Model):
    """The three follow-up suggestions offered with one assistant message."""

    id = object_id_primary_key()
    session = session_key("suggestions")
    message = message_key("suggestion_sets")
    suggestions = models.JSONField(default=list)
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "suggestions"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return " | ".join(self.suggestions)


class Run(models.Model):
    """One accepted chat request, stored from its first byte to its outcome.

    `owner` is the process that executes it and `heartbeat_at` its lease: a run whose owner
    stopped heartbeating is recorded `interrupted` (see chat/run_store.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        OK = "ok"
        ERROR = "error"
        CANCELLED = "cancelled"
        INTERRUPTED = "interrupted"

    id = object_id_primary_key()
    session = session_key("runs")
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    on_disconnect = models.CharField(max_length=16, default="cancel", db_column="onDisconnect")
    user_message = message_key("+", optional=True, column="userMessageId")
    answer_message = message_key("+", optional=True, column="answerMessageId")
    created_at = models.DateTimeField("createdAt", default=timezone.now, db_column="createdAt")
    started_at = models.DateTimeField("startedAt", null=True, blank=True, db_column="startedAt")
    finished_at = models.DateTimeField("finishedAt", null=True, blank=True, db_column="finishedAt")
    error = models.TextField(blank=True, default="")
    last_event_id = models.PositiveIntegerField("lastEventId", default=0, db_column="lastEventId")
    owner = models.CharField(max_length=128, blank=True, default="")
    heartbeat_at = models.DateTimeField(
        "heartbeatAt", default=timezone.now, db_column="heartbeatAt"
    )
    cancel_requested = models.CharField(
        "cancelRequested",
        max_length=16,
        blank=True,
        default="",
        db_column="cancelRequested",
        help_text="The status a cancel asked for (cancelled or interrupted); empty when none.",
    )

    class Meta:
        db_table = "runs"
        ordering = ["-created_at"]
        indexes = [
            # Used by the session's run list and by the lease sweep.
            models.Index(fields=["session", "-created_at"], name="runs_session_created"),
            models.Index(fields=["status", "heartbeat_at"], name="runs_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"

    @property
    def finished(self) -> bool:
        """Whether the run has reached its outcome."""
        return self.status not in ACTIVE_RUN_STATUSES


ACTIVE_RUN_STATUSES = (Run.Status.QUEUED, Run.Status.RUNNING)
