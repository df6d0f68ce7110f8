"""Crons (runs started by time) and their firings (one row per firing: the claim)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.timezone import now

from chat.models import object_id_primary_key


def new_cron_id() -> str:
    """A cron's id: a UUID, as LangGraph's API gives them."""
    return str(uuid.uuid4())


class Cron(models.Model):
    """A run to start on a schedule, for its user, on one thread or on a new thread each time.

    `payload` is the run request as the API took it (its protocol reads it when the cron
    fires); `next_run_date` is the next firing, None once `end_time` is past.
    """

    id = models.CharField(
        primary_key=True,
        max_length=36,
        default=new_cron_id,
        editable=False,
        db_column="_id",
        verbose_name="id",
    )
    protocol = models.CharField(
        max_length=32, default="langgraph", help_text="Whose request the payload is."
    )
    user_id = models.CharField("user", max_length=128, db_column="userId")
    thread_id = models.CharField(
        "thread",
        max_length=128,
        blank=True,
        default="",
        db_column="threadId",
        help_text="The session every firing runs in; empty: a new one each time.",
    )
    assistant_id = models.CharField(max_length=128, db_column="assistantId")
    schedule = models.CharField(max_length=256)
    timezone = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    end_time = models.DateTimeField("ends", null=True, blank=True, db_column="endTime")
    on_run_completed = models.CharField(
        max_length=8,
        blank=True,
        default="",
        db_column="onRunCompleted",
        help_text="A thread-less cron's thread after its run: delete or keep.",
    )
    next_run_date = models.DateTimeField("next run", null=True, blank=True, db_column="nextRunDate")
    created_at = models.DateTimeField("created", default=now, db_column="createdAt")
    updated_at = models.DateTimeField("updated", default=now, db_column="updatedAt")

    class Meta:
        db_table = "crons"
        ordering = ["-created_at"]
        indexes = [
            # What every process's scheduler polls: the enabled crons that are due.
            models.Index(fields=["enabled", "next_run_date"], name="crons_due"),
            models.Index(fields=["user_id", "created_at"], name="crons_user"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.schedule}"


class Firing(models.Model):
    """One firing of a cron: its claim (unique per cron and due time), then its run.

    The row is the claim: inserted, with the cron's next date moved on, in one transaction,
    so that of every process that sees the firing due exactly one takes it. Its run's id is
    chosen with the claim: a firing whose process died before starting it is started again,
    by another, under the same id, and one whose run exists is never started twice.
    """

    id = object_id_primary_key()
    cron = models.ForeignKey(Cron, on_delete=models.CASCADE, related_name="firings")
    due_at = models.DateTimeField("due", db_column="dueAt")
    run_id = models.CharField("run", max_length=24, db_column="runId")
    thread_id = models.CharField("thread", max_length=128, db_column="threadId")
    claimed_at = models.DateTimeField("claimed", default=now, db_column="claimedAt")
    claimed_by = models.CharField("claimed by", max_length=128, db_column="claimedBy")
    started = models.BooleanField(default=False, help_text="Whether its run was admitted.")
    error = models.TextField(blank=True, default="")
    finished = models.BooleanField(
        default=False,
        help_text="Whether nothing is left to do after its run (a thread-less cron's thread "
        "deleted, unless kept).",
    )

    class Meta:
        db_table = "cron_firings"
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["cron", "due_at"], name="cron_firings_once"),
        ]
        indexes = [
            # What every scheduler polls: claims never started, and runs left to finish.
            models.Index(fields=["started", "claimed_at"], name="cron_firings_unstarted"),
            models.Index(fields=["finished", "started"], name="cron_firings_unfinished"),
        ]

    def __str__(self) -> str:
        return f"{self.cron_id} @ {self.due_at:%Y-%m-%d %H:%M}"
