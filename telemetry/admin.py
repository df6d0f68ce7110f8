"""Admin for tool calls and request metrics, with the dashboard and per-user pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from chat.admin_mixins import ReadOnlyHistoryMixin
from telemetry import charts
from telemetry.dashboard import PERIODS, dashboard, user_overview
from telemetry.models import RequestMetric, ToolCall


def user_link(user_id: str) -> str:
    """Link to a user's page in the admin."""
    if not user_id:
        return "—"
    url = reverse("admin:telemetry_user", args=[user_id])
    return format_html('<a href="{}">{}</a>', url, user_id)


def metric_link(metric: RequestMetric) -> str:
    """Link to a metric's page (its waterfall)."""
    url = reverse("admin:telemetry_requestmetric_change", args=[metric.pk])
    return format_html('<a href="{}">{}</a>', url, metric.timestamp.strftime("%Y-%m-%d %H:%M:%S"))


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every DB tool call: arguments, result summary, outcome and latency."""

    list_display = ("timestamp", "session_column", "user_id", "tool", "ok", "latency_ms")
    list_filter = ("tool", "ok", "user_id")
    ordering = ("-timestamp",)


@admin.register(RequestMetric)
class RequestMetricAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Per-request TTFT, total time, per-agent timings, tokens and the run's waterfall."""

    list_display = (
        "when",
        "session_column",
        "user_column",
        "status",
        "total_column",
        "tools_column",
        "tokens",
        "agent_breakdown",
        "model_list",
    )
    list_filter = ("status", "user_id")
    search_fields = ("session__session_id", "user_id")
    ordering = ("-timestamp",)
    date_hierarchy = "timestamp"
    list_select_related = ("session",)
    readonly_fields = ("waterfall", "token_usage")
    fieldsets = (
        (None, {"fields": ("session", "user_id", "message", "status", "error", "timestamp")}),
        ("Timings", {"fields": ("ttft_ms", "total_time_ms", "tool_call_count", "agent_timings")}),
        ("Models", {"fields": ("agent_models",)}),
        ("Waterfall", {"fields": ("waterfall",)}),
        ("Tokens", {"fields": ("input_tokens", "output_tokens", "cost_usd", "token_usage")}),
    )

    def get_urls(self) -> list[URLPattern]:
        """Add the dashboard and the per-user page under the metrics' admin."""
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="telemetry_dashboard"),
            path("user/<path:user_id>/", view(self.user_view), name="telemetry_user"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        """Percentiles, statuses, agent shares, slowest runs and heaviest users of a period."""
        figures = dashboard(request.GET.get("period", ""))
        context = {
            **self.admin_site.each_context(request),
            "title": "Run dashboard",
            "opts": self.model._meta,
            "periods": list(PERIODS),
            **figures,
            "charts": dashboard_charts(figures),
        }
        return TemplateResponse(request, "admin/telemetry/dashboard.html", context)

    def user_view(self, request: HttpRequest, user_id: str) -> HttpResponse:
        """A user's sessions, runs, averages and errors."""
        overview = user_overview(user_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"User {user_id}",
            "opts": self.model._meta,
            **overview,
        }
        return TemplateResponse(request, "admin/telemetry/user.html", context)

    @admin.display(description="when (UTC)", ordering="timestamp")
    def when(self, metric: RequestMetric) -> str:
        """The run's time, compact."""
        return metric.timestamp.strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="TTFT / total ms", ordering="total_time_ms")
    def total_column(self, metric: RequestMetric) -> str:
        """Time to first token and total time, to 0.1 ms."""
        ttft = "—" if metric.ttft_ms is None else f"{metric.ttft_ms:.1f}"
        return f"{ttft} / {metric.total_time_ms:.1f}"

    @admin.display(description="tools", ordering="tool_call_count")
    def tools_column(self, metric: RequestMetric) -> int:
        """How many tool calls the run made."""
        return metric.tool_call_count

    @admin.display(description="userId", ordering="user_id")
    def user_column(self, metric: RequestMetric) -> str:
        """Link to the user's page."""
        return user_link(metric.user_id)

    @admin.display(description="tokens")
    def tokens(self, metric: RequestMetric) -> str:
        """Input and output tokens of the run."""
        return f"{metric.input_tokens} → {metric.output_tokens}"

    @admin.display(description="per agent (ms)")
    def agent_breakdown(self, metric: RequestMetric) -> SafeString:
        """Each agent's share as a stacked bar, then its milliseconds, in pipeline order."""
        return charts.agent_timings_bar(metric.agent_timings or {})

    @admin.display(description="models")
    def model_list(self, metric: RequestMetric) -> str:
        """The provider and model of each role, e.g. `critic openai:gpt-4o-mini`."""
        return " · ".join(f"{role} {model}" for role, model in metric.agent_models.items())

    @admin.display(description="waterfall")
    def waterfall(self, metric: RequestMetric) -> SafeString:
        """Each agent and tool call of the run on one time axis."""
        return charts.waterfall(metric.timeline or [], metric.total_time_ms)

    @admin.display(description="tokens per agent")
    def token_usage(self, metric: RequestMetric) -> SafeString:
        """Input and output tokens of each agent."""
        usage: dict[str, Any] = metric.usage or {}
        if not usage:
            return format_html("{}", "none reported")
        return format_html_join(
            "",
            "<div><b>{}</b> {} in, {} out</div>",
            ((n, u.get("input_tokens", 0), u.get("output_tokens", 0)) for n, u in usage.items()),
        )


def dashboard_charts(figures: dict[str, Any]) -> list[SafeString]:
    """The dashboard's SVG charts, in page order."""
    hourly, daily = figures["hourly"], figures["daily"]
    counts = figures["status_counts"]
    span = ", last 7 days" if figures["period"] == "30d" else ""
    return [
        charts.line_chart(f"TTFT by hour{span} (ms)", hourly.labels, hourly.ttft),
        charts.line_chart(f"Total time by hour{span} (ms)", hourly.labels, hourly.total),
        charts.line_chart("TTFT by day (ms)", daily.labels, daily.ttft),
        charts.line_chart("Total time by day (ms)", daily.labels, daily.total),
        charts.bar_chart("Runs by status", [(s, n) for s, n in counts.items()]),
        charts.bar_chart("Share of agent time", figures["agent_share"], "%"),
    ]
