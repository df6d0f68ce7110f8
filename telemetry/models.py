"""Tool calls and per-request metrics, stored as in the original schema."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import message_key, object_id_primary_key, session_key
from runs.models import run_key


class ToolCall(models.Model):
    """One DB tool invocation by the Worker: what it asked, what it got, how long it took."""

    id = object_id_primary_key()
    session = session_key("tool_calls")
    run = run_key("tool_calls")
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
    session = session_key("metrics")
    message = message_key("metrics", optional=True)
    run = run_key("metrics")
    ttft_ms = models.FloatField(null=True, blank=True)
    total_time_ms = models.FloatField(default=0.0)
    tool_call_count = models.PositiveIntegerField(default=0)
    agent_timings = models.JSONField(default=dict, blank=True)
    agent_models = models.JSONField(
        default=dict, blank=True, help_text="The provider:model that answered each agent role."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True, default="")
    timestamp = models.DateTimeField(default=timezone.now)
    user_id = models.CharField("userId", max_length=128, db_column="userId", blank=True, default="")
    input_tokens = models.PositiveIntegerField("input tokens", default=0, db_column="inputTokens")
    output_tokens = models.PositiveIntegerField(
        "output tokens", default=0, db_column="outputTokens"
    )
    usage = models.JSONField(default=dict, blank=True)
    """Tokens per agent: `{"planner": {"input_tokens": 120, "output_tokens": 40}, ...}`."""
    cost_usd = models.FloatField("cost (USD)", null=True, blank=True, db_column="costUsd")
    """From MODEL_PRICES; None when a model of the run has no price."""
    timeline = models.JSONField(default=list, blank=True)
    """The run's waterfall: `[{"kind", "name", "start_ms", "end_ms", "ok", ...}, ...]`."""

    class Meta:
        db_table = "metrics"
        ordering = ["-timestamp"]
        indexes = [
            models.Index(fields=["session", "timestamp"], name="metrics_session_time"),
            models.Index(fields=["timestamp"], name="metrics_time"),
            models.Index(fields=["user_id", "timestamp"], name="metrics_user_time"),
            models.Index(fields=["status", "timestamp"], name="metrics_status_time"),
            models.Index(fields=["total_time_ms"], name="metrics_total"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.status} {self.total_time_ms:.0f} ms"
