"""Admin for sessions, messages and suggestions: read-only pages that link to each other."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chat.models import Message, Session, Suggestion
from console.toolkit import (
    DASH,
    SESSION_LOOKUP,
    EstimatedCountPaginator,
    PresenceFilter,
    ReadOnlyHistoryMixin,
    admin_link,
    duration,
    short,
    status_label,
    table,
)
from runs.models import Run

PAGE_ROWS = 20
"""Runs and turns shown on a session's page; a link lists the rest."""


def listed(model: type, session: Session, count: int, noun: str) -> SafeString:
    """A link to every row of `model` in the session ("all 312 runs →")."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    url += f"?{SESSION_LOOKUP}={session.session_id}"
    return format_html('<p><a href="{}">All {} {} →</a></p>', url, count, noun)


class ActiveRunFilter(PresenceFilter):
    """Sessions with a run going on now, or idle."""

    title = "status"
    parameter_name = "status"
    field = "active_run_id"
    present = ("active", "a run going on")
    absent = ("idle", "idle")


@admin.register(Session)
class SessionAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Sessions, newest activity first; a session's page shows its runs and its conversation."""

    list_display = (
        "session_id",
        "user_column",
        "status",
        "created_at",
        "updated_at",
        "summary_column",
    )
    list_filter = (ActiveRunFilter, ("updated_at", admin.DateFieldListFilter))
    list_select_related = ()
    search_fields = ("session_id", "user_id")
    ordering = ("-updated_at",)
    paginator = EstimatedCountPaginator
    fields = (
        "session_id",
        "user_column",
        "status",
        "created_at",
        "updated_at",
        "summary_text",
        "summarized_until",
        "runs_table",
        "conversation",
    )
    readonly_fields = fields

    @admin.display(description="status")
    def status(self, session: Session) -> SafeString:
        """Whether a run is going on in the session now (a link to it)."""
        if not session.active_run_id:
            return format_html('<span class="status status-queued">{}</span>', "idle")
        url = reverse("admin:runs_run_change", args=[session.active_run_id])
        return format_html('<a href="{}">{}</a>', url, status_label(Run.Status.RUNNING))

    @admin.display(description="summary")
    def summary_column(self, session: Session) -> SafeString:
        """The summary's first 60 characters, the whole of it on hover."""
        return short(session.summary, 60)

    @admin.display(description="summary")
    def summary_text(self, session: Session) -> SafeString:
        """The long-term summary, as the Planner reads it."""
        return format_html('<div class="console-text">{}</div>', session.summary or DASH)

    @admin.display(description="runs")
    def runs_table(self, session: Session) -> SafeString:
        """The session's newest runs: status, times, prompt, each linked."""
        runs = Run.objects.filter(session=session).select_related("user_message")
        rows = [
            (
                admin_link(run, run.created_at.strftime("%Y-%m-%d %H:%M:%S"), 19),
                status_label(run.status),
                duration(run),
                short(run.user_message.content if run.user_message else "", 70),
            )
            for run in runs.order_by("-created_at")[:PAGE_ROWS]
        ]
        if not rows:
            return format_html("{}", "No runs.")
        count = runs.count()
        more = listed(Run, session, count, "runs") if count > len(rows) else ""
        return format_html("{}{}", table(("created", "status", "took", "prompt"), rows), more)

    @admin.display(description="conversation")
    def conversation(self, session: Session) -> SafeString:
        """The session's latest turns, oldest first, in full."""
        messages = Message.objects.filter(session=session)
        latest = list(messages.order_by("-created_at", "-id")[:PAGE_ROWS])[::-1]
        if not latest:
            return format_html("{}", "No messages.")
        rows = [
            (
                admin_link(m, m.created_at.strftime("%Y-%m-%d %H:%M:%S"), 19),
                m.role,
                format_html('<div class="console-text">{}</div>', m.content),
            )
            for m in latest
        ]
        count = messages.count()
        more = listed(Message, session, count, "messages") if count > len(rows) else ""
        return format_html("{}{}", more, table(("created", "role", "content"), rows))


@admin.register(Message)
class MessageAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every stored turn, newest first; a message's page links its session and its run."""

    list_display = ("created_at", "session_column", "user_column", "role", "content_column")
    list_filter = ("role", ("created_at", admin.DateFieldListFilter))
    search_fields = ("session__session_id", "content")
    ordering = ("-created_at",)
    fields = (
        "session_column",
        "user_column",
        "role",
        "created_at",
        "run_column",
        "text",
        "metadata",
    )
    readonly_fields = fields

    @admin.display(description="content")
    def content_column(self, message: Message) -> SafeString:
        """The content's first 80 characters, all of it on hover."""
        return short(message.content, 80)

    @admin.display(description="content")
    def text(self, message: Message) -> SafeString:
        """The whole content."""
        return format_html('<div class="console-text">{}</div>', message.content)

    @admin.display(description="run")
    def run_column(self, message: Message) -> str:
        """The run this message was the prompt or the answer of."""
        field = "user_message" if message.role == Message.Role.USER else "answer_message"
        return admin_link(Run.objects.filter(**{field: message}).first())


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """The follow-up suggestions offered with each answer."""

    list_display = ("created_at", "session_column", "answer_column", "suggestion_list")
    ordering = ("-created_at",)
    list_select_related = ("session", "message")

    @admin.display(description="answer")
    def answer_column(self, suggestion: Suggestion) -> str:
        """Link to the answer the suggestions came with."""
        return admin_link(suggestion.message, suggestion.message.content, 40)

    @admin.display(description="suggestions")
    def suggestion_list(self, suggestion: Suggestion) -> str:
        """The suggestions, separated by bars."""
        return " | ".join(suggestion.suggestions)
