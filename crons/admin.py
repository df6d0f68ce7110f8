"""Admin for crons: when each fires, pause and resume, its firings and their runs."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from console.toolkit import WrittenByTheServiceMixin, admin_link, short, table, user_link
from crons import clock
from crons.models import Cron
from crons.schedules import next_firing
from runs.models import Run


def run_cell(run: Run | None) -> SafeString:
    """Link to a firing's run, with its status (a dash before it was admitted)."""
    return format_html("{} {}", admin_link(run), run.status if run is not None else "")


@admin.register(Cron)
class CronAdmin(WrittenByTheServiceMixin, admin.ModelAdmin):
    """Every cron, newest first: its schedule, whether it fires, when next, its firings."""

    list_display = (
        "created_at", "schedule", "timezone_column", "enabled", "next_run_date", "user_column",
        "thread_column",
    )  # fmt: skip
    list_filter = ("enabled", "protocol")
    search_fields = ("id", "user_id", "thread_id")
    ordering = ("-created_at",)
    actions = ("pause", "resume")
    fields = (
        "id", "protocol", "user_column", "thread_column", "schedule", "timezone_column",
        "enabled", "end_time", "next_run_date", "on_run_completed", "payload", "metadata",
        "created_at", "updated_at", "firings",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="time zone")
    def timezone_column(self, cron: Cron) -> str:
        """The schedule's time zone (UTC when none)."""
        return cron.timezone or "UTC"

    @admin.display(description="user", ordering="user_id")
    def user_column(self, cron: Cron) -> str:
        """Link to the user's page."""
        return user_link(cron.user_id)

    @admin.display(description="thread")
    def thread_column(self, cron: Cron) -> str:
        """The thread every firing runs in, or that each gets a new one."""
        return cron.thread_id or "a new one each time"

    @admin.display(description="firings (newest 50)")
    def firings(self, cron: Cron) -> SafeString:
        """The cron's latest firings, each with its run's outcome."""
        found = list(cron.firings.order_by("-due_at")[:50])
        runs = {run.pk: run for run in Run.objects.filter(pk__in=[f.run_id for f in found])}
        rows = [
            (
                f"{firing.due_at:%Y-%m-%d %H:%M}",
                run_cell(runs.get(firing.run_id)),
                short(firing.error, 80),
                firing.claimed_by,
            )
            for firing in found
        ]
        if not rows:
            return format_html("{}", "None yet.")
        return table(("due", "run", "error", "claimed by"), rows)

    @admin.action(description="Pause the selected crons")
    def pause(self, request: HttpRequest, queryset: QuerySet[Cron]) -> None:
        """Stop them firing (their schedule is kept)."""
        paused = queryset.update(enabled=False, updated_at=timezone.now())
        self.message_user(request, f"{paused} cron(s) paused.", messages.INFO)

    @admin.action(description="Resume the selected crons")
    def resume(self, request: HttpRequest, queryset: QuerySet[Cron]) -> None:
        """Fire them again, from their next due time after now (missed firings are not run)."""
        now = clock.now()
        for cron in queryset:
            Cron.objects.filter(pk=cron.pk).update(
                enabled=True, next_run_date=next_firing(cron, now), updated_at=timezone.now()
            )
        self.message_user(request, f"{queryset.count()} cron(s) resumed.", messages.INFO)
