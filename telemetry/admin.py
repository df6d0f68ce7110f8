"""Admin for tool calls and request metrics."""

from __future__ import annotations

from django.contrib import admin

from chat.admin_mixins import ReadOnlyHistoryMixin, session_link
from telemetry.models import RequestMetric, ToolCall


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every DB tool call: arguments, result summary, outcome and latency."""

    list_display = ("timestamp", "session_column", "user_id", "tool", "ok", "latency_ms")
    list_filter = ("tool", "ok", "user_id")
    search_fields = ("session__session_id",)
    ordering = ("-timestamp",)
    list_select_related = ("session",)

    @admin.display(description="sessionId", ordering="session")
    def session_column(self, call: ToolCall) -> str:
        """Link to the call's session."""
        return session_link(call.session_id)


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
    )
    list_filter = ("status",)
    search_fields = ("session__session_id",)
    ordering = ("-timestamp",)
    list_select_related = ("session",)

    @admin.display(description="sessionId", ordering="session")
    def session_column(self, metric: RequestMetric) -> str:
        """Link to the metric's session."""
        return session_link(metric.session_id)

    @admin.display(description="per agent (ms)")
    def agent_breakdown(self, metric: RequestMetric) -> str:
        """Each agent's time, e.g. `planner 1.2 · worker 3.4`."""
        return " · ".join(f"{name} {ms:.1f}" for name, ms in metric.agent_timings.items())
