"""Admin for tool calls and request metrics."""

from __future__ import annotations

from django.contrib import admin

from chat.admin_mixins import ReadOnlyHistoryMixin
from telemetry.models import RequestMetric, ToolCall


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every DB tool call: arguments, result summary, outcome and latency."""

    list_display = ("timestamp", "session_column", "user_id", "tool", "ok", "latency_ms")
    list_filter = ("tool", "ok", "user_id")
    ordering = ("-timestamp",)


@admin.register(RequestMetric)
class RequestMetricAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Per-request TTFT, total time and per-agent timings."""

    list_display = (
        "timestamp",
        "session_column",
        "status",
        "ttft_ms",
        "total_time_ms",
        "tool_call_count",
        "agent_breakdown",
        "model_list",
    )
    list_filter = ("status",)
    ordering = ("-timestamp",)

    @admin.display(description="per agent (ms)")
    def agent_breakdown(self, metric: RequestMetric) -> str:
        """Each agent's time, e.g. `planner 1.2 · worker 3.4`."""
        return " · ".join(f"{name} {ms:.1f}" for name, ms in metric.agent_timings.items())

    @admin.display(description="models")
    def model_list(self, metric: RequestMetric) -> str:
        """The provider and model of each role, e.g. `critic openai:gpt-4o-mini`."""
        return " · ".join(f"{role} {model}" for role, model in metric.agent_models.items())
