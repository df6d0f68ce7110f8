"""Admin for runs: their status, and links to their session, messages, tool calls and metric."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from chat.admin import METRIC_COLUMNS
from chat.admin_mixins import ReadOnlyHistoryMixin, ReadOnlyInline
from runs.models import Run
from telemetry.charts import waterfall
from telemetry.models import RequestMetric, ToolCall


class RunToolCallInline(ReadOnlyInline):
    """The tool calls of a run, stored as each completed."""

    model = ToolCall
    fields = ("timestamp", "tool", "ok", "latency_ms", "args")
    readonly_fields = fields


class RunMetricInline(ReadOnlyInline):
    """The metric of a run (one, written when it ended)."""

    model = RequestMetric
    fields = (*METRIC_COLUMNS, "error", "waterfall")
    readonly_fields = fields

    @admin.display(description="waterfall")
    def waterfall(self, metric: RequestMetric) -> str:
        """Each agent and tool call of the run on one time axis."""
        return waterfall(metric.timeline or [], metric.total_time_ms)


def message_link(message_id: str | None) -> str:
    """Link to a message's admin page, or a dash."""
    if not message_id:
        return "-"
    url = reverse("admin:chat_message_change", args=[message_id])
    return format_html('<a href="{}">{}</a>', url, message_id)


@admin.register(Run)
class RunAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every run with its status; its page links its session, messages, tool calls and metric."""

    list_display = ("created_at", "id", "session_column", "user_id", "status", "finished_at")
    list_filter = ("status",)
    search_fields = ("id", "session__session_id", "user_id")
    ordering = ("-created_at",)
    readonly_fields = (
        "id",
        "session_column",
        "user_id",
        "status",
        "on_disconnect",
        "user_message_column",
        "answer_message_column",
        "created_at",
        "started_at",
        "finished_at",
        "error",
        "last_event_id",
        "owner",
        "heartbeat_at",
        "cancel_requested",
    )
    fields = readonly_fields
    inlines = (RunToolCallInline, RunMetricInline)

    @admin.display(description="user message")
    def user_message_column(self, run: Run) -> str:
        """Link to the prompt the run answered."""
        return message_link(run.user_message_id)

    @admin.display(description="answer")
    def answer_message_column(self, run: Run) -> str:
        """Link to the run's answer (none unless it ended ok)."""
        return message_link(run.answer_message_id)
