"""The run record: one accepted chat request, from its first byte to its outcome."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import message_key, object_id_primary_key, session_key


def run_key(related_name: str) -> models.ForeignKey:
    """Build the optional foreign key from a record to the run that made it, as `runId`."""
    return models.ForeignKey(
        "runs.Run",
        db_column="runId",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name="run",
    )


class Run(models.Model):
    """One accepted chat request, stored from its first byte to its outcome.

    `owner` is the process that executes it and `heartbeat_at` its lease: a run whose owner
    stopped heartbeating is recorded `interrupted` (see runs/store.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        OK = "ok"
        ERROR = "error"
        CANCELLED = "cancelled"
        INTERRUPTED = "interrupted"
        WAITING = "waiting"
        """Paused at an agent boundary for a person: a run with `resume` continues it."""

    id = object_id_primary_key()
    session = session_key("runs")
    user_id = models.CharField("user", max_length=128, db_column="userId")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    on_disconnect = models.CharField(max_length=16, default="cancel", db_column="onDisconnect")
    user_message = message_key("+", optional=True, column="userMessageId", verbose_name="prompt")
    answer_message = message_key(
        "+", optional=True, column="answerMessageId", verbose_name="answer"
    )
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")
    started_at = models.DateTimeField("started", null=True, blank=True, db_column="startedAt")
    finished_at = models.DateTimeField("finished", null=True, blank=True, db_column="finishedAt")
    error = models.TextField(blank=True, default="")
    last_event_id = models.PositiveIntegerField("last event id", default=0, db_column="lastEventId")
    owner = models.CharField(max_length=128, blank=True, default="")
    heartbeat_at = models.DateTimeField("heartbeat", default=timezone.now, db_column="heartbeatAt")
    webhook = models.URLField(
        max_length=2048,
        blank=True,
        default="",
        help_text="Where a POST goes when the run ends (webhooks/); empty when nowhere.",
    )
    cancel_requested = models.CharField(
        "cancel requested",
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
            # The admin's list: newest first, by status.
            models.Index(fields=["created_at"], name="runs_created"),
            models.Index(fields=["status", "created_at"], name="runs_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"

    @property
    def finished(self) -> bool:
        """Whether the run has reached its outcome."""
        return self.status not in ACTIVE_RUN_STATUSES


ACTIVE_RUN_STATUSES = (Run.Status.QUEUED, Run.Status.RUNNING)
