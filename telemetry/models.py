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
    user_id = models.CharField("user", max_length=128, db_column="userId")
    tool = models.CharField(max_length=32)
    args = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    latency_ms = models.FloatField(default=0.0)
    timestamp = models.DateTimeField("when", default=timezone.now)

    class Meta:
        db_table = "tool_calls"
        ordering = ["-timestamp"]
        indexes = [
            models.Index(fields=["session", "timestamp"], name="tool_calls_session_time"),
            # The admin's list: newest first.
            models.Index(fields=["timestamp"], name="tool_calls_time"),
        ]

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
    timestamp = models.DateTimeField("when", default=timezone.now)
    user_id = models.CharField("user", max_length=128, db_column="userId", blank=True, default="")
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


class Rollup(models.Model):
    """What the runs that ended in one period add up to: counts, tokens and time sums.

    Maintained as each run ends (telemetry/rollups.py) and rebuilt from the metrics by
    `manage.py rollups --rebuild`; the dashboard, the user pages and the vitals read these,
    never the metrics themselves.
    """

    id = object_id_primary_key()
    start = models.DateTimeField(help_text="The first instant of the period (UTC).")
    runs = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)
    error = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    interrupted = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    tool_calls = models.PositiveIntegerField(default=0)
    ttft_count = models.PositiveIntegerField(default=0, help_text="Runs that had a first token.")
    ttft_sum_ms = models.FloatField(default=0.0)
    total_sum_ms = models.FloatField(default=0.0)
    planner_ms = models.FloatField(default=0.0)
    worker_ms = models.FloatField(default=0.0)
    critic_ms = models.FloatField(default=0.0)
    synthesizer_ms = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class RunRollup(Rollup):
    """Every run, per minute and per hour, with fixed-bucket histograms of TTFT and total time.

    The histograms are columns (`ttft_00`…`ttft_63`, `total_00`…`total_63`, see
    telemetry/histogram.py) so that a run ending adds to its rows in one UPDATE of `F() + 1`
    on every backend, MongoDB included, with no read-modify-write to race.
    """

    class Span(models.TextChoices):
        MINUTE = "minute"
        HOUR = "hour"

    span = models.CharField(max_length=8, choices=Span.choices)

    class Meta:
        db_table = "run_rollups"
        ordering = ["span", "start"]
        constraints = [
            models.UniqueConstraint(fields=["span", "start"], name="run_rollups_span_start")
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.start:%Y-%m-%d %H:%M} ({self.runs} runs)"


class UserRollup(Rollup):
    """One user's runs per hour and per day (no histograms): their page, the heaviest users."""

    class Span(models.TextChoices):
        HOUR = "hour"
        DAY = "day"

    span = models.CharField(max_length=8, choices=Span.choices)
    user_id = models.CharField("user", max_length=128, db_column="userId")

    class Meta:
        db_table = "user_rollups"
        ordering = ["span", "user_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["span", "user_id", "start"], name="user_rollups_span_user_start"
            )
        ]
        indexes = [
            models.Index(fields=["span", "start", "user_id"], name="user_rollups_span_start_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.span} {self.start:%Y-%m-%d %H:00} ({self.runs} runs)"


HISTOGRAM_BUCKETS = 64
"""Buckets per histogram: telemetry/histogram.py says which times each holds (and checks this)."""
for _name in ("ttft", "total"):
    for _bucket in range(HISTOGRAM_BUCKETS):
        RunRollup.add_to_class(f"{_name}_{_bucket:02}", models.PositiveIntegerField(default=0))
