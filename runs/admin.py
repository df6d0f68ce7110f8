"""Admin for runs: a run's page reads as its story, prompt to answer, with its tool calls."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from console.charts import waterfall
from console.toolkit import (
    DASH,
    ReadOnlyHistoryMixin,
    admin_link,
    duration,
    ok_label,
    short,
    status_label,
    table,
)
from runs.models import Run, RunAttempt
from telemetry.models import RequestMetric, ToolCall


def text_of(message: object | None) -> SafeString:
    """A message's whole content, linked to its page (a dash when there is none)."""
    if message is None:
        return format_html("{}", DASH)
    return format_html(
        '<div class="console-text">{}</div><p>{}</p>', message.content, admin_link(message)
    )


@admin.register(Run)
class RunAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
    """Every run, newest first, with its status, session, user, prompt and how long it took."""

    list_display = (
        "created_at", "status_column", "session_column", "user_column", "prompt_column", "took"
    )  # fmt: skip
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("session", "user_message")
    search_fields = ("id", "session__session_id", "user_id")
    ordering = ("-created_at",)
    fieldsets = (
        (None, {"fields": ("status_column", "session_column", "user_column", "took", "error")}),
        ("Conversation", {"fields": ("prompt", "answer")}),
        ("Timings", {"fields": ("created_at", "started_at", "finished_at", "metric", "timeline")}),
        ("Tool calls", {"fields": ("tool_calls",)}),
        ("Attempts", {"fields": ("attempts",)}),
        (
            "Execution",
            {
                "fields": (
                    "id",
                    "on_disconnect",
                    "cancel_requested",
                    "last_event_id",
                    "owner",
                    "heartbeat_at",
                    "attempt",
                    "event_ids_to",
                ),
                "classes": ("collapse",),
            },
        ),
    )
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    @admin.display(description="status", ordering="status")
    def status_column(self, run: Run) -> SafeString:
        """The status as a coloured label."""
        return status_label(run.status)

    @admin.display(description="prompt")
    def prompt_column(self, run: Run) -> SafeString:
        """The prompt's first 60 characters, all of it on hover."""
        return short(run.user_message.content if run.user_message else "", 60)

    @admin.display(description="took")
    def took(self, run: Run) -> str:
        """From accepted to ended."""
        return duration(run)

    @admin.display(description="prompt")
    def prompt(self, run: Run) -> SafeString:
        """The user's message the run answered."""
        return text_of(run.user_message)

    @admin.display(description="answer")
    def answer(self, run: Run) -> SafeString:
        """The stored answer (none unless the run ended ok)."""
        return text_of(run.answer_message)

    @admin.display(description="metric")
    def metric(self, run: Run) -> str:
        """Link to the run's metric: TTFT, per-agent timings, tokens, models."""
        found = RequestMetric.objects.filter(run=run).first()
        if found is None:
            return DASH
        ttft = DASH if found.ttft_ms is None else f"{found.ttft_ms:.1f}"
        return admin_link(found, f"TTFT {ttft} ms, total {found.total_time_ms:.1f} ms", 60)

    @admin.display(description="waterfall")
    def timeline(self, run: Run) -> SafeString:
        """Each agent and tool call of the run on one time axis."""
        found = RequestMetric.objects.filter(run=run).first()
        if found is None or not found.timeline:
            return format_html("{}", DASH)
        return waterfall(found.timeline, found.total_time_ms)

    @admin.display(description="tool calls")
    def tool_calls(self, run: Run) -> SafeString:
        """The run's tool calls, in order, each linked to its arguments and result."""
        calls = ToolCall.objects.filter(run=run).order_by("timestamp")
        rows = [
            (
                admin_link(call, call.tool, 20),
                ok_label(call.ok),
                f"{call.latency_ms:.1f} ms",
                short(str(call.args), 90),
            )
            for call in calls
        ]
        if not rows:
            return format_html("{}", "None.")
        return table(("tool", "outcome", "latency", "arguments"), rows)

    @admin.display(description="attempts")
    def attempts(self, run: Run) -> SafeString:
        """Each attempt that executed the run: which process, when, why the next took over."""
        ended = list(RunAttempt.objects.filter(run=run).order_by("number"))
        rows = [
            (
                str(attempt.number),
                attempt.owner or DASH,
                f"{attempt.started_at:%Y-%m-%d %H:%M:%S} – {attempt.ended_at:%H:%M:%S}",
                attempt.get_ending_display(),
                DASH if attempt.last_event_id is None else str(attempt.last_event_id),
                attempt.checkpoint_id or "its start",
            )
            for attempt in ended
        ]
        since = ended[-1].resumed_at if ended else (run.started_at or run.created_at)
        ongoing = "finished" if run.finished else "executing"
        rows.append(
            (str(run.attempt), run.owner or DASH, f"{since:%Y-%m-%d %H:%M:%S} –", ongoing, DASH, "")
        )
        headers = ("attempt", "process", "from – to", "how it ended", "last event", "next from")
        return table(headers, rows)
