"""Tool calls and per-request metrics, stored as in the original schema."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.ids import object_id_primary_key
from chat.models import Message, Run, Session


class ToolCall(models.Model):
    """One DB tool invocation by the Worker: what it asked, what it got, how long it took."""

    id = object_id_primary_key()
    session = models.ForeignKey(
        Session,
        to_field="session_id",
        db_column="sessionId",
        on_delete=models.CASCADE,
        related_name="tool_calls",
        verbose_name="sessionId",
    )
    run = models.ForeignKey(
        Run,
        db_column="runId",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tool_calls",
        verbose_name="runId",
    )
    user_id = models.CharField("userId", max_length=128, db_column="userId")
    tool = models.CharField(max_length=32)
    args = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    latency_ms = models.FloatField(default=0.0)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "tool_calls"
        ordering = ["-timestamp"]
        indexes = [models.Index(fields=["session", "timestamp"], name="tool_calls_session_time")]

    def __str__(self) -> str:
        return f"{self.tool} ({'ok' if self.ok else 'refused'})"


class RequestMetric(models.Model):
    """Timings of one chat request: TTFT, total, and each agent's share."""

    class Status(models.TextChoices):
        OK = "ok"
        ERROR = "error"
        CANCELLED = "cancelled"
        INTERRUPTED = "interrupted"

    id = object_id_primary_key()
    session = models.ForeignKey(
        Session,
        to_field="session_id",
        db_column="sessionId",
        on_delete=models.CASCADE,
        related_name="metrics",
        verbose_name="sessionId",
    )
    message = models.ForeignKey(
        Message,
        db_column="messageId",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metrics",
        verbose_name="messageId",
    )
    run = models.ForeignKey(
        Run,
        db_column="runId",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metrics",
        verbose_name="runId",
    )
    ttft_ms = models.FloatField(null=True, blank=True)
    total_time_ms = models.FloatField(default=0.0)
    tool_call_count = models.PositiveIntegerField(default=0)
    agent_timings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True, default="")
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "metrics"
        ordering = ["-timestamp"]
        indexes = [models.Index(fields=["session", "timestamp"], name="metrics_session_time")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.status} {self.total_time_ms:.0f} ms"
