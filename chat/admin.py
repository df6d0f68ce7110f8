"""Admin for sessions, messages and suggestions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from chat.admin_mixins import ReadOnlyHistoryMixin, ReadOnlyInline
from chat.models import Message, Run, Session, Suggestion
from telemetry.charts import agent_timings_bar, waterfall
from telemetry.models import RequestMetric, ToolCall


class MessageInline(ReadOnlyInline):
    """The session's turns, oldest first."""

    model = Message
    fields = ("created_at", "role", "content", "metadata")
    readonly_fields = fields
    ordering = ("created_at", "id")


class SuggestionInline(ReadOnlyInline):
    """The suggestion sets offered in the session."""

    model = Suggestion
    fields = ("created_at", "message", "suggestions")
    readonly_fields = fields


METRIC_COLUMNS = ("timestamp", "status", "ttft_ms", "total_time_ms", "tool_call_count")
"""The columns every inline of request metrics starts with."""


class RequestMetricInline(ReadOnlyInline):
    """The timings of the session's requests; each links to its run's waterfall."""

    model = RequestMetric
    fields = (*METRIC_COLUMNS, "per_agent", "agent_models")
    readonly_fields = fields

    @admin.display(description="per agent (ms)")
    def per_agent(self, metric: RequestMetric) -> str:
        """Each agent's time as a small stacked bar with its milliseconds."""
        return agent_timings_bar(metric.agent_timings or {})


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Sessions with their message count; the page shows the whole history."""

    list_display = ("session_id", "user_id", "message_count", "short_summary", "updated_at")
    list_filter = ("user_id",)
    search_fields = ("session_id", "user_id", "summary")
    readonly_fields = ("session_id", "user_id", "created_at", "updated_at", "summarized_until")
    fields = (*readonly_fields, "summary")
    ordering = ("-updated_at",)
    inlines = (MessageInline, SuggestionInline, RequestMetricInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        """Count messages in the same query as the sessions (no N+1)."""
        return super().get_queryset(request).annotate(_message_count=Count("messages"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Sessions begin with a chat request, not in the admin."""
        return False

    @admin.display(description="messages", ordering="_message_count")
    def message_count(self, session: Session) -> int:
        """Number of stored turns."""
        return session._message_count

    @admin.display(description="summary")
    def short_summary(self, session: Session) -> str:
        """The summary's first 80 characters."""
        return session.summary[:80]


@admin.register(Message)
class MessageAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every stored turn, newest first."""

    list_display = ("created_at", "session_column", "user_id", "role", "short_content")
    list_filter = ("role", "user_id")
    search_fields = ("session__session_id", "content")
    ordering = ("-created_at",)

    @admin.display(description="content")
    def short_content(self, message: Message) -> str:
        """The content's first 100 characters."""
        return message.content[:100]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """The follow-up suggestions offered with each answer."""

    list_display = ("created_at", "session_column", "message", "suggestion_list")
    ordering = ("-created_at",)
    list_select_related = ("session", "message")

    @admin.display(description="suggestions")
    def suggestion_list(self, suggestion: Suggestion) -> str:
        """The three suggestions, separated by bars."""
        return " | ".join(suggestion.suggestions)


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
