"""Admin for tool calls and request metrics, with the dashboard and per-user pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from agents.tools.runner import TOOLS
from console import charts
from console.dashboard import PERIODS, dashboard, user_overview
from console.figures import grouped, milliseconds
from console.toolkit import ReadOnlyHistoryMixin, admin_link, ok_label, status_label
from telemetry.models import RequestMetric, ToolCall


class ToolFilter(admin.SimpleListFilter):
    """The tools there are (a fixed list: no scan of the table for its distinct values)."""

    title = "tool"
    parameter_name = "tool"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        """Every DB tool."""
        return [(name, name) for name in TOOLS]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ToolCall]) -> QuerySet[ToolCall]:
        """Keep the chosen tool's calls."""
        return queryset.filter(tool=self.value()) if self.value() else queryset


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every DB tool call: arguments, result summary, outcome and latency."""

    list_display = (
        "timestamp", "tool", "ok_column", "latency", "run_column", "session_column", "user_column"
    )  # fmt: skip
    list_filter = (ToolFilter, "ok", ("timestamp", admin.DateFieldListFilter))
    list_select_related = ("session", "run")
    ordering = ("-timestamp",)
    fields = (
        "tool", "ok_column", "latency", "timestamp", "run_column", "session_column",
        "user_column", "args", "result",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="outcome", ordering="ok")
    def ok_column(self, call: ToolCall) -> SafeString:
        """Ok, or refused, as a coloured label."""
        return ok_label(call.ok)

    @admin.display(description="latency", ordering="latency_ms")
    def latency(self, call: ToolCall) -> str:
        """The call's time, to 0.1 ms."""
        return milliseconds(call.latency_ms)

    @admin.display(description="run")
    def run_column(self, call: ToolCall) -> str:
        """Link to the run that made the call."""
        return admin_link(call.run)


@admin.register(RequestMetric)
class RequestMetricAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Per-run TTFT, total time, per-agent timings, tokens and the run's waterfall."""

    list_display = (
        "timestamp",
        "status_column",
        "run_column",
        "user_column",
        "total_column",
        "tools_column",
        "tokens",
        "agent_bar",
        "model_list",
    )
    list_filter = ("status", ("timestamp", admin.DateFieldListFilter))
    search_fields = ("session__session_id", "user_id")
    ordering = ("-timestamp",)
    list_select_related = ("session", "run")
    readonly_fields = (
        "status_column", "run_column", "session_column", "user_column", "answer_column", "error",
        "timestamp", "ttft_ms", "total_time_ms", "tool_call_count", "agent_breakdown",
        "model_list", "waterfall", "input_tokens", "output_tokens", "cost_usd", "token_usage",
    )  # fmt: skip
    fieldsets = (
        (
            None,
            {"fields": ("status_column", "run_column", "session_column", "user_column", "error")},
        ),
        ("Timings", {"fields": ("timestamp", "ttft_ms", "total_time_ms", "tool_call_count")}),
        ("Agents", {"fields": ("agent_breakdown", "model_list")}),
        ("Waterfall", {"fields": ("waterfall",)}),
        ("Tokens", {"fields": ("input_tokens", "output_tokens", "cost_usd", "token_usage")}),
        ("Answer", {"fields": ("answer_column",)}),
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

    @admin.display(description="status", ordering="status")
    def status_column(self, metric: RequestMetric) -> SafeString:
        """The run's outcome as a coloured label."""
        return status_label(metric.status)

    @admin.display(description="run")
    def run_column(self, metric: RequestMetric) -> str:
        """Link to the run."""
        return admin_link(metric.run)

    @admin.display(description="answer")
    def answer_column(self, metric: RequestMetric) -> str:
        """Link to the answer the run stored (none unless it ended ok)."""
        return admin_link(metric.message, metric.message.content if metric.message else None, 80)

    @admin.display(description="TTFT / total ms", ordering="total_time_ms")
    def total_column(self, metric: RequestMetric) -> str:
        """Time to first token and total time, to 0.1 ms."""
        return f"{grouped(metric.ttft_ms, 1)} / {grouped(metric.total_time_ms, 1)}"

    @admin.display(description="tools", ordering="tool_call_count")
    def tools_column(self, metric: RequestMetric) -> int:
        """How many tool calls the run made."""
        return metric.tool_call_count

    @admin.display(description="tokens")
    def tokens(self, metric: RequestMetric) -> str:
        """Input and output tokens of the run."""
        return f"{grouped(metric.input_tokens)} → {grouped(metric.output_tokens)}"

    @admin.display(description="per agent")
    def agent_bar(self, metric: RequestMetric) -> SafeString:
        """Each agent's share as a stacked bar (its milliseconds on hover), in pipeline order."""
        return charts.agent_timings_bar(metric.agent_timings or {}, legend=False)

    @admin.display(description="per agent (ms)")
    def agent_breakdown(self, metric: RequestMetric) -> SafeString:
        """Each agent's share as a stacked bar, then its milliseconds, in pipeline order."""
        return charts.agent_timings_bar(metric.agent_timings or {})

    @admin.display(description="models")
    def model_list(self, metric: RequestMetric) -> str:
        """The model that answered, once when every role used it, else `critic openai:…` each."""
        models = metric.agent_models or {}
        if len(set(models.values())) <= 1:
            return next(iter(models.values()), "—")
        return " · ".join(f"{role} {model}" for role, model in models.items())

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
