"""The run record: one accepted chat request, from its first byte to its outcome."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import message_key, object_id_primary_key, session_key

EVENT_ID_BLOCK = 1000
"""How many event ids an attempt reserves at a time (one database write per block)."""


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
    stopped heartbeating, or handed it over as it stopped, is taken over by another process
    (`attempt` + 1) and resumed from its last checkpoint (runs/recovery.py).
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
    attempt = models.PositiveIntegerField(
        default=1,
        help_text="Which attempt executes the run: its fencing token (a process that lost the "
        "lease writes nothing more of the run).",
    )
    request = models.JSONField(
        default=dict,
        blank=True,
        help_text="What was asked (the engine's RunRequest): another server resumes the run "
        "from it.",
    )
    event_ids_to = models.PositiveIntegerField(
        "event ids reserved to",
        default=EVENT_ID_BLOCK,
        db_column="eventIdsTo",
        help_text="The attempt's events take ids up to this one; a later attempt's start "
        "after it, so no id is ever given twice.",
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


class RunAttempt(models.Model):
    """An attempt that ended without ending its run: the run was taken over from it."""

    class Ending(models.TextChoices):
        HANDED_OVER = "handed_over", "handed over (its server stopped)"
        LEASE_EXPIRED = "lease_expired", "lease expired (its server died or stalled)"

    id = object_id_primary_key()
    run = models.ForeignKey(
        Run, db_column="runId", on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    owner = models.CharField(max_length=128, help_text="The process that executed it.")
    started_at = models.DateTimeField("started", db_column="startedAt")
    ended_at = models.DateTimeField("ended", default=timezone.now, db_column="endedAt")
    ending = models.CharField(max_length=16, choices=Ending.choices)
    last_event_id = models.PositiveIntegerField(
        "last event id",
        null=True,
        blank=True,
        db_column="lastEventId",
        help_text="Its last event, when it handed the run over (unknown after a crash).",
    )
    resumed_by = models.CharField(
        "resumed by", max_length=128, blank=True, default="", db_column="resumedBy"
    )
    resumed_at = models.DateTimeField("resumed", null=True, blank=True, db_column="resumedAt")
    checkpoint_id = models.CharField(
        "resumed from", max_length=64, blank=True, default="", db_column="checkpointId"
    )

    class Meta:
        db_table = "run_attempts"
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="run_attempts_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} attempt {self.number} ({self.ending})"
