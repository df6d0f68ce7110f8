"""Admin for sessions, messages and suggestions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from chat.admin_mixins import ReadOnlyHistoryMixin, ReadOnlyInline
from chat.models import Message, Session, Suggestion
from telemetry.charts import agent_timings_bar
from telemetry.models import RequestMetric


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
