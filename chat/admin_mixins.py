"""Admin behaviour shared by the history tables (messages, suggestions, tool calls, metrics)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html


class ReadOnlyHistoryMixin:
    """History is written by the pipeline only: operators may view and delete, never edit.

    History rows belong to a session: `session_column` links to it (put it in list_display).
    """

    show_full_result_count = False
    list_select_related: tuple[str, ...] = ("session",)
    search_fields: tuple[str, ...] = ("session__session_id",)

    @admin.display(description="sessionId", ordering="session")
    def session_column(self, row: Any) -> str:
        """Link to the row's session."""
        return session_link(row.session_id)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Forbid adding history rows by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Forbid editing history rows (the change page still renders, read-only)."""
        return False


class ReadOnlyInline(ReadOnlyHistoryMixin, admin.TabularInline):
    """A read-only inline of history rows on a session's page."""

    extra = 0
    can_delete = False
    show_change_link = True


def session_link(session_id: str) -> str:
    """Link to a session's admin page by its sessionId."""
    url = reverse("admin:chat_session_changelist") + f"?session_id={session_id}"
    return format_html('<a href="{}">{}</a>', url, session_id)
